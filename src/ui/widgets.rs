//! Drawing helpers every screen part shares (cells, text that fits, meters' colours, number
//! formats) and the screen layout. Below the views: it knows no App and no view.

use super::theme::Theme;
use crate::model::Project;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// The areas of the screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Areas {
    pub top: Rect,
    pub main: Rect,
    pub status: Rect,
    pub command: Rect,
}

/// Splits the screen: top bar (2 rows), main view, status row, command row.
pub fn layout(area: Rect) -> Areas {
    let h = area.height;
    let top_h = 2.min(h);
    let bottom = 2.min(h.saturating_sub(top_h));
    let main_h = h.saturating_sub(top_h + bottom);
    Areas {
        top: Rect::new(area.x, area.y, area.width, top_h),
        main: Rect::new(area.x, area.y + top_h, area.width, main_h),
        status: Rect::new(area.x, area.y + top_h + main_h, area.width, bottom.min(1)),
        command: Rect::new(
            area.x,
            area.y + top_h + main_h + bottom.min(1),
            area.width,
            bottom.saturating_sub(1),
        ),
    }
}

/// Fills an area with spaces in a style.
pub fn fill(buf: &mut Buffer, area: Rect, style: Style) {
    let area = area.intersection(buf.area);
    for y in area.y..area.y + area.height {
        for x in area.x..area.x + area.width {
            if let Some(c) = buf.cell_mut((x, y)) {
                c.reset();
                c.set_symbol(" ");
                c.set_style(style);
            }
        }
    }
}

/// Writes text from (x, y), clipped at column `right` (exclusive); returns the column after it.
pub fn put(buf: &mut Buffer, x: u16, y: u16, text: &str, right: u16, style: Style) -> u16 {
    let mut cx = x;
    for ch in text.chars() {
        if cx >= right {
            break;
        }
        if let Some(c) = buf.cell_mut((cx, y)) {
            let mut tmp = [0u8; 4];
            c.set_symbol(ch.encode_utf8(&mut tmp));
            c.set_style(style);
        }
        cx += 1;
    }
    cx
}

/// Sets one cell's symbol and style (clipped to the buffer).
pub fn set(buf: &mut Buffer, x: u16, y: u16, ch: char, style: Style) {
    if let Some(c) = buf.cell_mut((x, y)) {
        let mut tmp = [0u8; 4];
        c.set_symbol(ch.encode_utf8(&mut tmp));
        c.set_style(style);
    }
}

/// Patches one cell's style, keeping its symbol.
pub fn restyle(buf: &mut Buffer, x: u16, y: u16, style: Style) {
    if let Some(c) = buf.cell_mut((x, y)) {
        c.set_style(style);
    }
}

/// Text that fits in `w` characters: cut with an ellipsis when it is longer.
pub fn ellipsize(text: &str, w: usize) -> String {
    if text.chars().count() <= w {
        return text.to_string();
    }
    let mut s: String = text.chars().take(w.saturating_sub(1)).collect();
    if w > 0 {
        s.push('…');
    }
    s
}

/// Greedy word wrap at spaces; a word longer than the width is the only thing ever split.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let wl = word.chars().count();
        let cl = cur.chars().count();
        if cl > 0 && cl + 1 + wl <= width {
            cur.push(' ');
            cur.push_str(word);
            continue;
        }
        if cl > 0 {
            out.push(std::mem::take(&mut cur));
        }
        let mut rest: Vec<char> = word.chars().collect();
        while rest.len() > width {
            out.push(rest.drain(..width).collect());
        }
        cur = rest.into_iter().collect();
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Text cut or padded to exactly `w` characters.
pub fn fit(text: &str, w: usize) -> String {
    let mut s: String = text.chars().take(w).collect();
    let n = s.chars().count();
    s.extend(std::iter::repeat_n(' ', w - n));
    s
}

/// A position as bars.beats.sixteenths (from 1), e.g. `3.2.1`.
pub fn bars_beats(project: &Project, beat: f64) -> String {
    let (bar, b, frac) = project.time_signature.bars_beats(beat.max(0.0));
    format!("{bar}.{b}.{}", (frac * 4.0).floor() as u32 + 1)
}

/// A time as m:ss.t.
pub fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0);
    let m = (s / 60.0).floor();
    format!("{}:{:04.1}", m as u64, s - m * 60.0)
}

/// Linear level to dB (floor -90).
pub fn db(level: f32) -> f32 {
    crate::engine::meters::gain_to_db(level).max(-90.0)
}

/// The meter scope for a level in dB: green, mid, high, clip.
pub fn meter_scope(db: f32) -> &'static str {
    if db >= 0.0 {
        "mixer.meter.clip"
    } else if db >= -6.0 {
        "mixer.meter.high"
    } else if db >= -18.0 {
        "mixer.meter.mid"
    } else {
        "mixer.meter"
    }
}

/// Eighth blocks from empty to full, for meters and lanes.
pub const EIGHTHS_UP: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Eighth blocks growing left to right.
pub const EIGHTHS_RIGHT: [char; 9] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

/// A box with a border and a title, filled with the popup style.
pub fn frame(theme: &Theme, buf: &mut Buffer, r: Rect, title: &str) {
    let st = theme.get("ui.popup");
    fill(buf, r, st);
    let right = r.x + r.width;
    let horiz = "─".repeat(r.width.saturating_sub(2) as usize);
    put(buf, r.x, r.y, &format!("┌{horiz}┐"), right, st);
    put(
        buf,
        r.x,
        r.y + r.height - 1,
        &format!("└{horiz}┘"),
        right,
        st,
    );
    for y in r.y + 1..r.y + r.height - 1 {
        put(buf, r.x, y, "│", right, st);
        put(buf, right - 1, y, "│", right, st);
    }
    put(
        buf,
        r.x + 2,
        r.y,
        &format!(" {title} "),
        right - 1,
        theme.get("ui.popup.title"),
    );
}

/// A grid step in beats as a note value: 1 → 1/4, 0.25 → 1/16, 4 → 1/1.
pub fn grid_name(beats: f64) -> String {
    let denom = 4.0 / beats;
    if denom >= 1.0 && (denom - denom.round()).abs() < 1e-9 {
        format!("1/{}", denom.round() as u64)
    } else {
        format!("{} beats", trim_float(beats))
    }
}

/// 120.0 → "120", 92.5 → "92.5".
pub fn trim_float(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// The playhead's `│` down `rows` rows of column `x` from `y`, where nothing is drawn (a
/// blank or a beat line); clips keep their cells.
pub fn playhead_column(buf: &mut Buffer, x: u16, y: u16, rows: u16, style: Style) {
    for dy in 0..rows {
        let empty = buf
            .cell((x, y + dy))
            .is_some_and(|cell| cell.symbol() == " " || cell.symbol() == "┊");
        if empty {
            set(buf, x, y + dy, '│', style);
        }
    }
}
