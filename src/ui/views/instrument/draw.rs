//! Drawing the instrument browser: categories on the left, choices on the right (or every match
//! of the filter), the keys or the filter on the last row.

use super::state::InstrumentBrowser;
use crate::ui::ctx::Ctx;
use crate::ui::instruments::catalogue;
use crate::ui::widgets::{fill, fit, frame, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Width of the category column.
const CATS_W: u16 = 22;

/// The rows a list shows at once in the browser, for an area.
pub fn list_rows(main: Rect) -> usize {
    rect(main).height.saturating_sub(4) as usize
}

fn rect(main: Rect) -> Rect {
    let w = main.width.saturating_sub(4).min(76);
    let h = main.height.saturating_sub(1).min(24);
    Rect::new(main.x + (main.width - w) / 2, main.y, w, h)
}

/// First row shown of a list of `len` with `sel` selected, so that `sel` stays in view.
fn offset(sel: usize, rows: usize, len: usize) -> usize {
    if rows == 0 || len <= rows {
        0
    } else {
        sel.saturating_sub(rows / 2).min(len - rows)
    }
}

/// Arrows in column `x` where a list of `len` shown from `off` over `rows` rows goes on out of
/// sight: `↑` on its first row, `↓` on its last (at 80x24 not every category fits).
fn more(buf: &mut Buffer, x: u16, top: u16, rows: usize, off: usize, len: usize, st: Style) {
    if rows == 0 {
        return;
    }
    if off > 0 {
        put(buf, x, top, "↑", x + 1, st);
    }
    if off + rows < len {
        put(buf, x, top + rows as u16 - 1, "↓", x + 1, st);
    }
}

pub fn draw(b: &InstrumentBrowser, cx: &Ctx<'_>, buf: &mut Buffer, main: Rect) {
    let r = rect(main);
    if r.width < CATS_W + 12 || r.height < 6 {
        return;
    }
    let th = cx.theme;
    let popup = th.get("ui.popup");
    let dim = th.get("ui.text.dim").bg(popup.bg.unwrap_or_default());
    let key = th.get("ui.popup.key");
    let sel = th.get("ui.selection");
    let track = cx.project.track(b.track);
    let tname = track.map_or("?", |t| t.name.as_str());
    let current = track.and_then(|t| t.instrument.clone());
    frame(cx.theme, buf, r, &format!("Instrument — {tname}"));
    fill(
        buf,
        Rect::new(r.x + 1, r.y + 1, r.width - 2, r.height - 2),
        popup,
    );
    let cats = catalogue();
    let rows = list_rows(main);
    let right = r.x + r.width - 1;
    let top = r.y + 1;
    // Categories on the left.
    let col = r.x + 2;
    let cat_off = offset(b.category, rows, cats.len());
    for (i, c) in cats.iter().enumerate().skip(cat_off).take(rows) {
        let y = top + (i - cat_off) as u16;
        let style = if i == b.category && b.filter.is_empty() {
            if b.in_items {
                key
            } else {
                sel
            }
        } else {
            popup
        };
        put(
            buf,
            col,
            y,
            &fit(c.name, (CATS_W - 2) as usize),
            col + CATS_W - 2,
            style,
        );
    }
    for y in top..top + rows as u16 {
        put(buf, col + CATS_W - 1, y, "│", right, dim);
    }
    more(buf, col + CATS_W - 1, top, rows, cat_off, cats.len(), dim);
    // Choices on the right.
    let ix = col + CATS_W + 1;
    let iw = right.saturating_sub(ix + 1) as usize;
    let list = b.visible(&cats);
    if list.is_empty() {
        put(buf, ix, top, "no instrument matches", right, dim);
    }
    let item_off = offset(b.item, rows, list.len());
    for (i, (ci, ii)) in list.iter().enumerate().skip(item_off).take(rows) {
        let y = top + (i - item_off) as u16;
        let ch = &cats[*ci].choices[*ii];
        let mark = if current.as_ref() == Some(&ch.instrument) {
            '●'
        } else {
            ' '
        };
        let text = if b.filter.is_empty() {
            format!("{mark} {}", ch.label)
        } else {
            format!("{mark} {}  ({})", ch.label, cats[*ci].name)
        };
        let style = if i == b.item && (b.in_items || !b.filter.is_empty()) {
            sel
        } else {
            popup
        };
        put(buf, ix, y, &fit(&text, iw), ix + iw as u16, style);
    }
    more(buf, ix + iw as u16, top, rows, item_off, list.len(), dim);
    // The filter or the keys on the last inner row.
    let y = r.y + r.height - 2;
    let line = if b.typing {
        format!("/{}▏  (enter chooses, esc clears)", b.filter)
    } else if !b.filter.is_empty() {
        format!(
            "/{}  ({} matches; / edits, esc clears)",
            b.filter,
            list.len()
        )
    } else {
        "j/k move · l/h open/back · / filter · enter choose · esc close".to_string()
    };
    put(buf, col, y, &line, right, if b.typing { key } else { dim });
}
