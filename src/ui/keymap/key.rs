//! Keys as the keymap names them (`C-r`, `space`, `S-tab`): parsing, display, and the
//! terminal events they stand for. Only what plain xterm, tmux and SSH deliver is used.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// A key as the keymap sees it: the code and the modifiers that matter (Shift is folded into
/// the character, so `G` is `G`, not `S-g`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// The key codes the keymap knows (an ordered mirror of crossterm's, for use in maps).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
    PageUp,
    PageDown,
}

impl Key {
    /// The keymap key of a terminal key event; `None` for keys the keymap never binds.
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let code = match ev.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => KeyCodeOrd::BackTab,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            KeyCode::Insert => KeyCodeOrd::Insert,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            _ => return None,
        };
        let mut ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let code = match code {
            // Terminals send Ctrl-letter as a control byte that crossterm reports as the letter
            // with CONTROL; some report Ctrl-Shift-letter with an upper-case letter.
            KeyCodeOrd::Char(c) if ctrl => KeyCodeOrd::Char(c.to_ascii_lowercase()),
            // Ctrl-space arrives as NUL on most terminals.
            KeyCodeOrd::Char('\0') => {
                ctrl = true;
                KeyCodeOrd::Char(' ')
            }
            other => other,
        };
        Some(Key { code, ctrl, alt })
    }

    /// A plain key without modifiers.
    pub fn plain(code: KeyCodeOrd) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }

    /// Parses a key name: `a`, `G`, `?`, `space`, `ret`, `esc`, `tab`, `S-tab`, `C-r`, `A-x`,
    /// `F5`, `left`, `pageup`, `backspace`, `del`, `lt` and `gt` for `<` and `>` are also accepted.
    pub fn parse(name: &str) -> Result<Key, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = name;
        while rest.len() > 2 && rest.as_bytes()[1] == b'-' {
            match &rest[..1] {
                "C" => ctrl = true,
                "A" => alt = true,
                "S" => shift = true,
                _ => break,
            }
            rest = &rest[2..];
        }
        let code = match rest {
            "space" => KeyCodeOrd::Char(' '),
            "ret" | "enter" => KeyCodeOrd::Enter,
            "esc" => KeyCodeOrd::Esc,
            "tab" if shift => KeyCodeOrd::BackTab,
            "tab" => KeyCodeOrd::Tab,
            "backtab" => KeyCodeOrd::BackTab,
            "backspace" => KeyCodeOrd::Backspace,
            "del" => KeyCodeOrd::Delete,
            "ins" => KeyCodeOrd::Insert,
            "left" => KeyCodeOrd::Left,
            "right" => KeyCodeOrd::Right,
            "up" => KeyCodeOrd::Up,
            "down" => KeyCodeOrd::Down,
            "home" => KeyCodeOrd::Home,
            "end" => KeyCodeOrd::End,
            "pageup" => KeyCodeOrd::PageUp,
            "pagedown" => KeyCodeOrd::PageDown,
            "minus" => KeyCodeOrd::Char('-'),
            "lt" => KeyCodeOrd::Char('<'),
            "gt" => KeyCodeOrd::Char('>'),
            s if s.len() > 1 && s.starts_with('F') && s[1..].parse::<u8>().is_ok() => {
                KeyCodeOrd::F(s[1..].parse().unwrap_or(1))
            }
            s => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        let c = if ctrl {
                            c.to_ascii_lowercase()
                        } else if shift {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        };
                        KeyCodeOrd::Char(c)
                    }
                    _ => return Err(format!("'{name}' is not a key name")),
                }
            }
        };
        Ok(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            write!(f, "C-")?;
        }
        if self.alt {
            write!(f, "A-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => write!(f, "space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "F{n}"),
            KeyCodeOrd::Enter => write!(f, "ret"),
            KeyCodeOrd::Esc => write!(f, "esc"),
            KeyCodeOrd::Tab => write!(f, "tab"),
            KeyCodeOrd::BackTab => write!(f, "S-tab"),
            KeyCodeOrd::Backspace => write!(f, "backspace"),
            KeyCodeOrd::Delete => write!(f, "del"),
            KeyCodeOrd::Insert => write!(f, "ins"),
            KeyCodeOrd::Left => write!(f, "left"),
            KeyCodeOrd::Right => write!(f, "right"),
            KeyCodeOrd::Up => write!(f, "up"),
            KeyCodeOrd::Down => write!(f, "down"),
            KeyCodeOrd::Home => write!(f, "home"),
            KeyCodeOrd::End => write!(f, "end"),
            KeyCodeOrd::PageUp => write!(f, "pageup"),
            KeyCodeOrd::PageDown => write!(f, "pagedown"),
        }
    }
}

/// A key sequence as the user types it, e.g. `g g`.
pub fn fmt_keys(keys: &[Key]) -> String {
    keys.iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses a key sequence written as in tests and macros: plain characters, and names in angle
/// brackets, e.g. `":w<ret>"`, `"3j"`, `"<C-r>"`, `"<esc>"`, `"<space>"`, `"<lt>"` for `<`.
pub fn parse_key_events(s: &str) -> Result<Vec<KeyEvent>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '<' {
            let mut name = String::new();
            let mut closed = false;
            for n in chars.by_ref() {
                if n == '>' {
                    closed = true;
                    break;
                }
                name.push(n);
            }
            if !closed {
                return Err(format!("unclosed '<' in {s:?}"));
            }
            out.push(key_event(Key::parse(&name)?));
        } else {
            let mods = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            out.push(KeyEvent::new(KeyCode::Char(c), mods));
        }
    }
    Ok(out)
}

/// The terminal event a keymap key corresponds to.
pub fn key_event(k: Key) -> KeyEvent {
    let code = match k.code {
        KeyCodeOrd::Char(c) => KeyCode::Char(c),
        KeyCodeOrd::F(n) => KeyCode::F(n),
        KeyCodeOrd::Enter => KeyCode::Enter,
        KeyCodeOrd::Esc => KeyCode::Esc,
        KeyCodeOrd::Tab => KeyCode::Tab,
        KeyCodeOrd::BackTab => KeyCode::BackTab,
        KeyCodeOrd::Backspace => KeyCode::Backspace,
        KeyCodeOrd::Delete => KeyCode::Delete,
        KeyCodeOrd::Insert => KeyCode::Insert,
        KeyCodeOrd::Left => KeyCode::Left,
        KeyCodeOrd::Right => KeyCode::Right,
        KeyCodeOrd::Up => KeyCode::Up,
        KeyCodeOrd::Down => KeyCode::Down,
        KeyCodeOrd::Home => KeyCode::Home,
        KeyCodeOrd::End => KeyCode::End,
        KeyCodeOrd::PageUp => KeyCode::PageUp,
        KeyCodeOrd::PageDown => KeyCode::PageDown,
    };
    let mut mods = KeyModifiers::NONE;
    if k.ctrl {
        mods |= KeyModifiers::CONTROL;
    }
    if k.alt {
        mods |= KeyModifiers::ALT;
    }
    if k.code == KeyCodeOrd::BackTab {
        mods |= KeyModifiers::SHIFT;
    }
    KeyEvent::new(code, mods)
}
