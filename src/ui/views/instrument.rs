//! The instrument browser: what a MIDI track can play, as categories (the 16 General MIDI
//! families, the drum kits, the built-in synth presets) with their choices beside them, or,
//! while a `/` filter is typed, every choice whose name matches. Also the one place that
//! names an instrument for the screen (track headers, status messages).
//!
//! Drawing only reads the App; the keys live in `ui::instrument_ops`.

use super::{fill, fit, put};
use crate::midi::gm;
use crate::model::Instrument;
use crate::ui::app::{App, InstrumentBrowser};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// One thing a track can play.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// What the list shows, e.g. `33 Acoustic Bass` (GM programs numbered 1–128, as in the
    /// GM tables musicians know), `Standard Kit`, `synth:pad`.
    pub label: String,
    pub instrument: Instrument,
}

/// A heading of the browser and its choices.
#[derive(Clone, Debug, PartialEq)]
pub struct Category {
    pub name: &'static str,
    pub choices: Vec<Choice>,
}

/// Every category: the GM families in program order, then the drum kits, then the synth.
pub fn catalogue() -> Vec<Category> {
    let mut cats: Vec<Category> = gm::GM_FAMILIES
        .iter()
        .enumerate()
        .map(|(f, name)| Category {
            name,
            choices: (0..8u8)
                .map(|i| {
                    let program = f as u8 * 8 + i;
                    Choice {
                        label: format!("{} {}", program + 1, gm::program_name(program)),
                        instrument: Instrument::GeneralMidi {
                            program,
                            drums: false,
                        },
                    }
                })
                .collect(),
        })
        .collect();
    cats.push(Category {
        name: "Drum Kits",
        choices: gm::GM_DRUM_KITS
            .iter()
            .map(|(program, name)| Choice {
                label: format!("{name} Kit"),
                instrument: Instrument::GeneralMidi {
                    program: *program,
                    drums: true,
                },
            })
            .collect(),
    });
    cats.push(Category {
        name: "Synth Presets",
        choices: crate::engine::instrument::synth_presets()
            .iter()
            .map(|p| Choice {
                label: format!("synth:{p}"),
                instrument: Instrument::Synth {
                    preset: p.to_string(),
                },
            })
            .collect(),
    });
    cats
}

/// The choices the right-hand list shows: (category, choice) indices into `cats`.
pub fn visible(cats: &[Category], b: &InstrumentBrowser) -> Vec<(usize, usize)> {
    if b.filter.is_empty() {
        let ci = b.category.min(cats.len().saturating_sub(1));
        return (0..cats.get(ci).map_or(0, |c| c.choices.len()))
            .map(|i| (ci, i))
            .collect();
    }
    let f = b.filter.to_lowercase();
    cats.iter()
        .enumerate()
        .flat_map(|(ci, c)| {
            c.choices
                .iter()
                .enumerate()
                .filter(|(_, ch)| ch.label.to_lowercase().contains(&f))
                .map(move |(i, _)| (ci, i))
        })
        .collect()
}

/// Where an instrument sits in the catalogue (to open the browser on the current one).
pub fn position(cats: &[Category], inst: &Instrument) -> Option<(usize, usize)> {
    cats.iter().enumerate().find_map(|(ci, c)| {
        c.choices
            .iter()
            .position(|ch| &ch.instrument == inst)
            .map(|i| (ci, i))
    })
}

/// An instrument's name for the screen: `Acoustic Bass`, `Standard Kit`, `synth:pad`.
pub fn instrument_name(inst: &Instrument) -> String {
    match inst {
        Instrument::GeneralMidi {
            program,
            drums: false,
        } => gm::program_name(*program).to_string(),
        Instrument::GeneralMidi {
            program,
            drums: true,
        } => match gm::drum_kit_name(*program) {
            Some(kit) => format!("{kit} Kit"),
            None => format!("Drum Kit {}", program + 1),
        },
        Instrument::Synth { preset } => format!("synth:{preset}"),
    }
}

/// Whether an instrument plays the GM percussion map (a drum kit, or the synth's drums).
pub fn plays_drums(inst: &Instrument) -> bool {
    match inst {
        Instrument::GeneralMidi { drums, .. } => *drums,
        Instrument::Synth { preset } => preset.eq_ignore_ascii_case("drums"),
    }
}

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

pub fn draw(app: &App, buf: &mut Buffer, main: Rect, b: &InstrumentBrowser) {
    let r = rect(main);
    if r.width < CATS_W + 12 || r.height < 6 {
        return;
    }
    let th = &app.theme;
    let popup = th.get("ui.popup");
    let dim = th.get("ui.text.dim").bg(popup.bg.unwrap_or_default());
    let key = th.get("ui.popup.key");
    let sel = th.get("ui.selection");
    let track = app.project.track(b.track);
    let tname = track.map_or("?", |t| t.name.as_str());
    let current = track.and_then(|t| t.instrument.clone());
    super::popup::frame(app, buf, r, &format!("Instrument — {tname}"));
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
    let cx = r.x + 2;
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
            cx,
            y,
            &fit(c.name, (CATS_W - 2) as usize),
            cx + CATS_W - 2,
            style,
        );
    }
    for y in top..top + rows as u16 {
        put(buf, cx + CATS_W - 1, y, "│", right, dim);
    }
    more(buf, cx + CATS_W - 1, top, rows, cat_off, cats.len(), dim);
    // Choices on the right.
    let ix = cx + CATS_W + 1;
    let iw = right.saturating_sub(ix + 1) as usize;
    let list = visible(&cats, b);
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
    put(buf, cx, y, &line, right, if b.typing { key } else { dim });
}
