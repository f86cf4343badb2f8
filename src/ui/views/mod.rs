//! Pure views: each `draw(&App, &mut Buffer, Rect)` only reads the App and paints cells.
//!
//! The frame is: a two-row top bar, the main view (arrange, mixer or piano roll), a status row
//! and the command row; popups (help, which-key, confirmations) are painted over the rest.

pub mod arrange;
pub mod help;
pub mod instrument;
pub mod mixer;
pub mod piano_roll;
pub mod popup;
pub mod status;
pub mod top_bar;

use super::app::{App, MIN_SIZE};
use super::keymap::ViewKind;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;

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

/// Draws the whole screen into a frame.
pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let cursor = draw_buffer(app, frame.buffer_mut(), area);
    if let Some((x, y)) = cursor {
        frame.set_cursor_position((x, y));
    }
}

/// Draws the whole screen into a buffer; returns where the terminal cursor goes (command line).
pub fn draw_buffer(app: &App, buf: &mut Buffer, area: Rect) -> Option<(u16, u16)> {
    let base = app.theme.get("ui.background");
    fill(buf, area, base);
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small(app, buf, area, base);
        return None;
    }
    let a = layout(area);
    top_bar::draw(app, buf, a.top);
    match app.view {
        ViewKind::Arrange => arrange::draw(app, buf, a.main),
        ViewKind::Mixer => mixer::draw(app, buf, a.main),
        ViewKind::PianoRoll => piano_roll::draw(app, buf, a.main),
    }
    let cursor = status::draw(app, buf, a.status, a.command);
    popup::draw(app, buf, a.main);
    status::draw_completions(app, buf, a.main);
    cursor
}

fn too_small(app: &App, buf: &mut Buffer, area: Rect, style: Style) {
    let mut lines = vec![
        "tdaw needs a terminal of at least 80x24.".to_string(),
        format!(
            "This one is {}x{}: make it larger.",
            area.width, area.height
        ),
        "(:q and Ctrl-c still quit)".to_string(),
    ];
    // Quitting is the one thing keys do here: show it happening.
    if app.popups.last() == Some(&super::app::Popup::ConfirmQuit) {
        lines.push("Unsaved changes: y saves and quits, n quits, esc stays".into());
    } else if app.mode == super::keymap::Mode::Command {
        lines.push(format!(":{}", app.cmdline.text));
    } else if app.status.error {
        lines.push(app.status.text.clone());
    }
    let top = area.y + area.height.saturating_sub(lines.len() as u16) / 2;
    for (i, l) in lines.iter().enumerate() {
        let y = top + i as u16;
        if y >= area.y + area.height {
            break;
        }
        let w = l.chars().count() as u16;
        let x = area.x + area.width.saturating_sub(w) / 2;
        put(buf, x, y, l, area.x + area.width, style);
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

/// Text cut or padded to exactly `w` characters.
pub fn fit(text: &str, w: usize) -> String {
    let mut s: String = text.chars().take(w).collect();
    let n = s.chars().count();
    s.extend(std::iter::repeat_n(' ', w - n));
    s
}

/// A position as bars.beats.sixteenths (from 1), e.g. `3.2.1`.
pub fn bars_beats(app: &App, beat: f64) -> String {
    let (bar, b, frac) = app.project.time_signature.bars_beats(beat.max(0.0));
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
    crate::dsp::gain_to_db(level).max(-90.0)
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
