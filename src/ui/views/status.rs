//! The status row (mode, message side info) and the command row (the `:` line, or the last
//! message, as in vim).

use crate::ui::app::App;
use crate::ui::keymap::{fmt_keys, Mode};
use crate::ui::widgets::{ellipsize, fill, fit, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// Draws both rows; returns the terminal cursor position while typing a command.
pub fn draw(app: &App, buf: &mut Buffer, status: Rect, command: Rect) -> Option<(u16, u16)> {
    let bar = app.theme.get("ui.statusline");
    fill(buf, status, bar);
    let right = status.x + status.width;
    let (label, scope) = match app.key_mode() {
        Mode::Normal => ("NORMAL", "ui.statusline.mode.normal"),
        // Normal mode on an automation lane, where the lane's keys apply.
        Mode::Lane => ("LANE", "ui.statusline.mode.normal"),
        // Normal mode on a take lane, where the take keys apply.
        Mode::Takes => ("TAKES", "ui.statusline.mode.normal"),
        Mode::Insert => ("INSERT", "ui.statusline.mode.insert"),
        Mode::Play => ("PLAY", "ui.statusline.mode.insert"),
        Mode::Visual => ("VISUAL", "ui.statusline.mode.visual"),
        Mode::Command => ("COMMAND", "ui.statusline.mode.command"),
    };
    let mut x = put(
        buf,
        status.x,
        status.y,
        &format!(" {label} "),
        right,
        app.theme.get(scope),
    );
    x = put(buf, x, status.y, " ", right, bar);
    let mut pending = String::new();
    if let Some(n) = app.pending.count {
        pending.push_str(&n.to_string());
    }
    pending.push_str(&fmt_keys(&app.pending.keys).replace(' ', ""));
    let side = format!(
        "{}{} ",
        if pending.is_empty() {
            String::new()
        } else {
            format!("{pending}  ")
        },
        if app.unsaved() { "unsaved" } else { "saved" }
    );
    let w = side.chars().count() as u16;
    // Long track or clip names give way (with an ellipsis) to the position and grid after them
    // and to the saved state at the right.
    let (names, rest) = app.view_state().status(&app.ctx());
    let room = right.saturating_sub(w + 2).saturating_sub(x) as usize;
    let names_w = room.saturating_sub(rest.chars().count()).max(6);
    let context = format!("{}{rest}", ellipsize(&names, names_w));
    put(buf, x, status.y, &context, right.saturating_sub(w + 2), bar);
    put(buf, right.saturating_sub(w), status.y, &side, right, bar);

    if command.height == 0 {
        return None;
    }
    let line = app.theme.get("ui.commandline");
    fill(buf, command, line);
    let cright = command.x + command.width;
    if app.mode == Mode::Command {
        let text = format!(":{}", app.cmdline.text);
        // Keep the cursor visible on a long line by showing its tail.
        let cur = app.cmdline.cursor + 1;
        let w = command.width as usize;
        let skip = cur.saturating_sub(w.saturating_sub(1));
        let shown: String = text.chars().skip(skip).collect();
        put(buf, command.x, command.y, &shown, cright, line);
        return Some((command.x + (cur - skip) as u16, command.y));
    }
    let st = if app.status.error {
        app.theme.get("ui.statusline.error")
    } else {
        line
    };
    // No message (the last one went with a key or with time): the way to help and out.
    let idle;
    let text = if app.status.text.is_empty() {
        idle = format!("{} — press ? for help, :q to quit", app.project.name);
        &idle
    } else {
        &app.status.text
    };
    put(buf, command.x, command.y, text, cright, st);
    None
}

/// The Tab completions of the command line, every one of them, in columns over the bottom of
/// the main view (as zsh lists them); the one on the command line is highlighted.
pub fn draw_completions(app: &App, buf: &mut Buffer, main: Rect) {
    let items = &app.cmdline.completions;
    if app.mode != Mode::Command || items.len() < 2 || main.height < 2 {
        return;
    }
    let col_w = items.iter().map(|c| c.chars().count()).max().unwrap_or(1) + 2;
    let cols = (main.width as usize / col_w).max(1);
    let rows = items.len().div_ceil(cols);
    let shown_rows = rows.min(main.height as usize - 1);
    let style = app.theme.get("ui.popup");
    let current = app.theme.get("ui.selection");
    let y0 = main.y + main.height - shown_rows as u16;
    fill(
        buf,
        Rect::new(main.x, y0, main.width, shown_rows as u16),
        style,
    );
    let right = main.x + main.width;
    // Column-major, like `ls`: read down, then across.
    for (i, item) in items.iter().enumerate() {
        let (col, row) = (i / rows, i % rows);
        if row >= shown_rows {
            continue;
        }
        let x = main.x + 1 + (col * col_w) as u16;
        let st = if i == app.cmdline.completion_index {
            current
        } else {
            style
        };
        put(buf, x, y0 + row as u16, &fit(item, col_w - 2), right, st);
    }
}
