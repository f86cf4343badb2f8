//! Editing the `:` command line: cursor, history, vim's Ctrl-w/Ctrl-u, and Tab cycling
//! through the registry's completions. It never runs a command itself: Enter hands the line
//! back to the reducer.

use crate::ui::app::App;
use crate::ui::keymap::Mode;

/// Handles a key while the command line is open. Returns the line when Enter ends it, for the
/// reducer to run (it runs the key actions some commands stand for).
#[must_use = "the entered line must be run"]
pub fn on_key(app: &mut App, key: crossterm::event::KeyEvent) -> Option<String> {
    use crossterm::event::{KeyCode, KeyModifiers};
    let cl = &mut app.cmdline;
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if key.code != KeyCode::Tab && key.code != KeyCode::BackTab {
        cl.completions.clear();
    }
    match key.code {
        KeyCode::Esc => {
            cl.text.clear();
            cl.cursor = 0;
            app.mode = Mode::Normal;
        }
        KeyCode::Char('c') if ctrl => {
            cl.text.clear();
            cl.cursor = 0;
            app.mode = Mode::Normal;
        }
        KeyCode::Enter => {
            let line = std::mem::take(&mut cl.text);
            cl.cursor = 0;
            cl.history_pos = None;
            if !line.trim().is_empty() && cl.history.last() != Some(&line) {
                cl.history.push(line.clone());
            }
            app.mode = Mode::Normal;
            return Some(line);
        }
        KeyCode::Backspace => {
            if cl.cursor == 0 {
                if cl.text.is_empty() {
                    app.mode = Mode::Normal;
                }
                return None;
            }
            let at = byte_index(&cl.text, cl.cursor - 1);
            cl.text.remove(at);
            cl.cursor -= 1;
        }
        KeyCode::Delete if cl.cursor < cl.text.chars().count() => {
            let at = byte_index(&cl.text, cl.cursor);
            cl.text.remove(at);
        }
        KeyCode::Left => cl.cursor = cl.cursor.saturating_sub(1),
        KeyCode::Right => cl.cursor = (cl.cursor + 1).min(cl.text.chars().count()),
        KeyCode::Home => cl.cursor = 0,
        KeyCode::Char('a') if ctrl => cl.cursor = 0,
        KeyCode::End => cl.cursor = cl.text.chars().count(),
        KeyCode::Char('e') if ctrl => cl.cursor = cl.text.chars().count(),
        KeyCode::Char('u') if ctrl => {
            let at = byte_index(&cl.text, cl.cursor);
            cl.text.drain(..at);
            cl.cursor = 0;
        }
        KeyCode::Char('w') if ctrl => {
            let from = word_start_before(&cl.text, cl.cursor);
            let (a, b) = (byte_index(&cl.text, from), byte_index(&cl.text, cl.cursor));
            cl.text.drain(a..b);
            cl.cursor = from;
        }
        KeyCode::Up | KeyCode::Down => {
            if cl.history.is_empty() {
                return None;
            }
            let last = cl.history.len() - 1;
            let pos = match (cl.history_pos, key.code) {
                (None, KeyCode::Up) => Some(last),
                (Some(p), KeyCode::Up) => Some(p.saturating_sub(1)),
                (Some(p), KeyCode::Down) if p < last => Some(p + 1),
                _ => None,
            };
            cl.history_pos = pos;
            cl.text = pos.map(|p| cl.history[p].clone()).unwrap_or_default();
            cl.cursor = cl.text.chars().count();
        }
        KeyCode::Tab | KeyCode::BackTab => {
            if cl.completions.len() > 1 {
                let n = cl.completions.len();
                cl.completion_index = if key.code == KeyCode::BackTab {
                    (cl.completion_index + n - 1) % n
                } else {
                    (cl.completion_index + 1) % n
                };
            } else {
                let here = Some((&app.project, app.arrange.track));
                let (base, cands) = super::complete::complete_in(&cl.text, here);
                if cands.is_empty() {
                    return None;
                }
                cl.completion_base = base;
                cl.completion_index = 0;
                cl.completions = if cands.len() > 1 {
                    cands.clone()
                } else {
                    Vec::new()
                };
                cl.text = format!("{}{}", cl.completion_base, cands[0]);
                cl.cursor = cl.text.chars().count();
                return None;
            }
            cl.text = format!(
                "{}{}",
                cl.completion_base, cl.completions[cl.completion_index]
            );
            cl.cursor = cl.text.chars().count();
        }
        KeyCode::Char(c) if !ctrl => {
            let at = byte_index(&cl.text, cl.cursor);
            cl.text.insert(at, c);
            cl.cursor += 1;
        }
        _ => {}
    }
    None
}

/// Where vim's Ctrl-w on the command line starts deleting, for a cursor at `cursor` (in
/// characters): back over spaces, then over a run of word characters (letters, digits, `_`) or
/// a run of other characters (so `~/music/drums` loses `drums`, then `/`).
pub fn word_start_before(text: &str, cursor: usize) -> usize {
    let chars: Vec<char> = text.chars().take(cursor).collect();
    let mut i = chars.len();
    while i > 0 && chars[i - 1].is_whitespace() {
        i -= 1;
    }
    let word = |c: char| c.is_alphanumeric() || c == '_';
    if i > 0 {
        let kind = word(chars[i - 1]);
        while i > 0 && !chars[i - 1].is_whitespace() && word(chars[i - 1]) == kind {
            i -= 1;
        }
    }
    i
}

fn byte_index(s: &str, chars: usize) -> usize {
    s.char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(s.len())
}
