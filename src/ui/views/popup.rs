//! Popups over the main view: help, which-key, the instrument browser, and the questions
//! (quit with unsaved changes, recover an autosave, take an imported MIDI file's tempo).

use super::help::{self, HelpRow};
use crate::ui::app::{App, Popup};
use crate::ui::keymap::fmt_keys;
use crate::ui::view::View;
use crate::ui::widgets::{frame, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// The rows the help popup shows at once in an area (for scrolling).
pub fn help_page(main: Rect) -> u16 {
    help_rect(main).height.saturating_sub(3)
}

/// The columns the help text gets inside the popup.
pub fn help_width(main: Rect) -> usize {
    help_rect(main).width.saturating_sub(4) as usize
}

fn help_rect(main: Rect) -> Rect {
    let w = main.width.saturating_sub(4).min(110);
    let h = main.height.saturating_sub(1);
    Rect::new(main.x + (main.width - w) / 2, main.y, w, h)
}

pub fn draw(app: &App, buf: &mut Buffer, main: Rect) {
    for p in &app.popups {
        match p {
            Popup::Help { scroll } => draw_help(app, buf, main, *scroll),
            Popup::ConfirmQuit => draw_box(
                app,
                buf,
                main,
                "Unsaved changes",
                &[
                    format!("'{}' has changes that are not saved.", app.project.name),
                    String::new(),
                    "y  save, then quit".into(),
                    "n  quit without saving".into(),
                    "esc  keep working".into(),
                ],
            ),
            Popup::Recover {
                autosave,
                file,
                note,
            } => draw_box(
                app,
                buf,
                main,
                "Recover?",
                &[
                    "A session ended without saving; its autosave".into(),
                    format!(
                        "(.tdaw/{}, {} tracks)",
                        file.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        autosave.tracks.len()
                    ),
                    "holds changes project.toml lacks.".into(),
                    if note.is_empty() {
                        String::new()
                    } else {
                        format!("It is {note}.")
                    },
                    String::new(),
                    "y  recover it (then :w to keep it)".into(),
                    "n  discard it and open project.toml".into(),
                    "l  later (keep it, ask next time)".into(),
                ],
            ),
            Popup::Instrument(b) => b.draw(&app.ctx(), buf, main),
            Popup::FxPicker(p) => p.draw(&app.ctx(), buf, main),
            Popup::ImportTempo(pending) => {
                draw_box(app, buf, main, "Tempo", &import_tempo_lines(app, pending))
            }
        }
    }
    if app.popups.is_empty() {
        if let Some(items) = help::which_key(app) {
            let title = fmt_keys(&app.pending.keys);
            // A long entry wraps under its text rather than running into the border.
            let text_w = (main.width as usize).saturating_sub(5);
            let lines: Vec<String> = items
                .iter()
                .flat_map(|(k, l)| wrap_indented(&format!("{k:>5}  {l}"), text_w, 7))
                .collect();
            let w = lines
                .iter()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(10)
                .min((main.width as usize).saturating_sub(5)) as u16
                + 4;
            let h = (lines.len() as u16 + 2).min(main.height);
            if w + 1 > main.width || h < 3 {
                return;
            }
            let r = Rect::new(main.x + main.width - w - 1, main.y + main.height - h, w, h);
            frame(&app.theme, buf, r, &title);
            for (i, l) in lines
                .iter()
                .enumerate()
                .take((h as usize).saturating_sub(2))
            {
                put(
                    buf,
                    r.x + 2,
                    r.y + 1 + i as u16,
                    l,
                    r.x + r.width - 1,
                    app.theme.get("ui.popup"),
                );
            }
        }
    }
}

fn draw_box(app: &App, buf: &mut Buffer, main: Rect, title: &str, lines: &[String]) {
    // Lines wider than the screen wrap at spaces (a long project or file name) instead of
    // being cut mid-word.
    let lines: Vec<String> = lines
        .iter()
        .flat_map(|l| wrap(l, (main.width as usize).saturating_sub(6)))
        .collect();
    let w =
        (lines.iter().map(|l| l.chars().count()).max().unwrap_or(20) as u16 + 6).min(main.width);
    let h = (lines.len() as u16 + 2).min(main.height);
    let r = Rect::new(
        main.x + (main.width - w) / 2,
        main.y + (main.height - h) / 2,
        w,
        h,
    );
    frame(&app.theme, buf, r, title);
    for (i, l) in lines
        .iter()
        .enumerate()
        .take((h as usize).saturating_sub(2))
    {
        put(
            buf,
            r.x + 3,
            r.y + 1 + i as u16,
            l,
            r.x + r.width - 1,
            app.theme.get("ui.popup"),
        );
    }
}

/// `line` broken at spaces into lines of at most `w` characters (a word longer than `w` is
/// broken). A line that starts with a short key and two spaces (`y  save, then quit`) continues
/// under its text.
fn wrap(line: &str, w: usize) -> Vec<String> {
    let indent = match line.find("  ") {
        Some(i) if i <= 4 && !line[..i].contains(' ') => i + 2,
        _ => 0,
    };
    wrap_indented(line, w, indent)
}

/// `line` broken at spaces into lines of at most `w` characters, the continuations indented
/// by `indent`.
fn wrap_indented(line: &str, w: usize, indent: usize) -> Vec<String> {
    if w < 8 || indent + 4 > w {
        return vec![line.to_string()];
    }
    let mut out = Vec::new();
    let mut rest = line.to_string();
    loop {
        let chars: Vec<char> = rest.chars().collect();
        if chars.len() <= w {
            out.push(rest);
            return out;
        }
        // The last space that leaves some text on this line (after the indent).
        let min = if out.is_empty() { 1 } else { indent + 1 };
        let (head, tail): (String, String) = match (min..=w).rev().find(|&i| chars[i] == ' ') {
            Some(i) => (
                chars[..i].iter().collect::<String>().trim_end().into(),
                chars[i..].iter().collect::<String>().trim_start().into(),
            ),
            None => (chars[..w].iter().collect(), chars[w..].iter().collect()),
        };
        out.push(head);
        rest = format!("{}{tail}", " ".repeat(indent));
    }
}

fn draw_help(app: &App, buf: &mut Buffer, main: Rect, scroll: u16) {
    let r = help_rect(main);
    frame(&app.theme, buf, r, "Help — j/k scroll, esc closes");
    let (keys_w, rows) = help::rows(app, help_width(main));
    let right = r.x + r.width - 1;
    let page = help_page(main) as usize;
    let popup = app.theme.get("ui.popup");
    let key_style: Style = app.theme.get("ui.popup.key");
    let title = app.theme.get("ui.popup.title");
    for (i, row) in rows.iter().skip(scroll as usize).take(page + 1).enumerate() {
        let y = r.y + 1 + i as u16;
        let x = r.x + 2;
        match row {
            HelpRow::Heading(h) => {
                put(buf, x, y, h, right, title);
            }
            HelpRow::Blank => {}
            HelpRow::Entry { keys, text } => {
                put(buf, x, y, keys, right, key_style);
                put(buf, x + keys_w as u16 + 1, y, text, right, popup);
            }
        }
    }
    let total = rows.len();
    if total > page {
        let more = format!(" {}/{} ", (scroll as usize + page).min(total), total);
        put(
            buf,
            right.saturating_sub(more.len() as u16 + 1),
            r.y + r.height - 1,
            &more,
            right,
            popup,
        );
    }
}

/// The question of a MIDI import whose tempo differs from the project's.
pub fn import_tempo_lines(app: &App, pending: &crate::ui::app::PendingImport) -> Vec<String> {
    use crate::ui::widgets::trim_float;
    let round = |bpm: f64| trim_float((bpm * 100.0).round() / 100.0);
    let changes = pending.tempo.changes().len();
    let map = if changes > 1 {
        format!(", then {} changes", changes - 1)
    } else {
        String::new()
    };
    let project = &app.project.tempo;
    let project_changes = if project.changes().len() > 1 {
        " with changes"
    } else {
        ""
    };
    vec![
        format!(
            "{} is at {} BPM{map} (the project is at {}{project_changes}):",
            pending.file,
            round(pending.tempo.initial_bpm()),
            round(project.initial_bpm()),
        ),
        "use its tempo? y/n".into(),
        String::new(),
        "y  import and take the file's tempo (one undo step)".into(),
        "n  import and keep the project's tempo".into(),
        "esc  cancel the import".into(),
    ]
}
