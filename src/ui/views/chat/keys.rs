//! Keys of the chat: typing into the input (a `ratatui-textarea`: Enter sends, Alt-Enter or
//! Ctrl-j starts a new line — both reach a program through tmux and SSH, unlike Shift-Enter),
//! and the registry commands that scroll the conversation.

use super::state::ChatState;
use crate::ui::action::Cmd;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key typed into the input means for the App.
#[derive(Clone, Debug, PartialEq)]
pub enum Typed {
    /// Send this prompt (the input is emptied).
    Send(String),
    /// Enter while a request runs: the prompt stays in the input.
    Busy,
    /// Esc while a request runs: stop it.
    Cancel,
    /// Esc: stop typing.
    Leave,
    /// The input took the key (or ignored it).
    Edited,
}

/// A key while typing.
pub fn input_key(st: &mut ChatState, ev: KeyEvent) -> Typed {
    let alt = ev.modifiers.contains(KeyModifiers::ALT);
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    match ev.code {
        // The first Esc stops a running request; the next one (or the only one) stops typing.
        KeyCode::Esc if st.pending.as_ref().is_some_and(|p| !p.cancelling) => Typed::Cancel,
        KeyCode::Esc => Typed::Leave,
        KeyCode::Enter if alt => {
            st.input.insert_newline();
            Typed::Edited
        }
        KeyCode::Char('j') if ctrl => {
            st.input.insert_newline();
            Typed::Edited
        }
        KeyCode::Enter => {
            let text = st.input.lines().join("\n");
            if text.trim().is_empty() {
                return Typed::Edited;
            }
            if st.busy() {
                return Typed::Busy;
            }
            st.take_input();
            Typed::Send(text.trim().to_string())
        }
        _ => {
            st.input.input(ev);
            Typed::Edited
        }
    }
}

/// Pasted text goes into the input as it is (new lines included).
pub fn paste(st: &mut ChatState, text: &str) {
    let clean: String = text
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    st.input.insert_str(clean);
}

/// The registry commands the chat view takes: scrolling the conversation (`n` lines; a page
/// with the half-screen scrolls).
pub fn command(st: &mut ChatState, cmd: Cmd, n: usize, page: usize) {
    match cmd {
        Cmd::MoveUp | Cmd::ScrollUp => st.scroll = st.scroll.saturating_add(n),
        Cmd::MoveDown | Cmd::ScrollDown => st.scroll = st.scroll.saturating_sub(n),
        Cmd::ScrollLeftHalf => st.scroll = st.scroll.saturating_add(page * n),
        Cmd::ScrollRightHalf => st.scroll = st.scroll.saturating_sub(page * n),
        // The draw clamps an over-large scroll to the first line.
        Cmd::GotoStart | Cmd::LineStart => st.scroll = usize::MAX / 2,
        Cmd::GotoEnd | Cmd::LineEnd => st.scroll = 0,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn enter_sends_and_alt_enter_or_ctrl_j_break_the_line() {
        let mut st = ChatState::default();
        for c in "two".chars() {
            input_key(&mut st, key(KeyCode::Char(c), KeyModifiers::NONE));
        }
        input_key(&mut st, key(KeyCode::Enter, KeyModifiers::ALT));
        input_key(&mut st, key(KeyCode::Char('x'), KeyModifiers::NONE));
        input_key(&mut st, key(KeyCode::Char('j'), KeyModifiers::CONTROL));
        input_key(&mut st, key(KeyCode::Char('y'), KeyModifiers::NONE));
        assert_eq!(st.input.lines(), ["two", "x", "y"]);
        assert_eq!(
            input_key(&mut st, key(KeyCode::Enter, KeyModifiers::NONE)),
            Typed::Send("two\nx\ny".into())
        );
        assert!(st.input.is_empty());
        // An empty input sends nothing.
        assert_eq!(
            input_key(&mut st, key(KeyCode::Enter, KeyModifiers::NONE)),
            Typed::Edited
        );
        assert_eq!(
            input_key(&mut st, key(KeyCode::Esc, KeyModifiers::NONE)),
            Typed::Leave
        );
    }

    #[test]
    fn scrolling_stops_at_the_end() {
        let mut st = ChatState::default();
        command(&mut st, Cmd::MoveUp, 3, 10);
        assert_eq!(st.scroll, 3);
        command(&mut st, Cmd::MoveDown, 5, 10);
        assert_eq!(st.scroll, 0);
        command(&mut st, Cmd::ScrollLeftHalf, 1, 10);
        assert_eq!(st.scroll, 10);
    }
}
