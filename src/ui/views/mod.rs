//! The screen: the top bar, the view on screen (each view folder draws itself from a `Ctx`),
//! the status and command rows, and the popups over them. Drawing only reads.
//!
//! The frame is: a two-row top bar, the main view (arrange, mixer or piano roll), a status row
//! and the command row; popups (help, which-key, confirmations) are painted over the rest.

pub mod arrange;
pub mod chat;
pub mod fx_editor;
pub mod help;
pub mod instrument;
pub mod mixer;
pub mod piano_roll;
pub mod popup;
pub mod status;
pub mod top_bar;

use super::app::{App, MIN_SIZE};
use super::widgets::{fill, layout, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;

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
    let (main, panel) = app.split_chat_panel(a.main);
    app.view_state().draw(&app.ctx(), buf, main);
    if let Some(panel) = panel {
        use super::view::View;
        app.chat.draw(&app.ctx(), buf, panel);
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
