//! Keymaps: a TOML trie per mode and view, the user's file merged over the compiled-in defaults.
//!
//! `[keys.normal]` binds keys in every view, `[keys.arrange.normal]` (or `mixer`, `piano_roll`)
//! only in one; a value is a command name or a table (a prefix key, e.g. `g = { g = "goto_start" }`).
//! Keys are named the way helix names them (`C-r`, `space`, `ret`, `S-tab`) and never need the
//! Kitty keyboard protocol: only what plain xterm, tmux and SSH deliver is used.

use super::action::{Cmd, Scope};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;
use thiserror::Error;

/// The compiled-in default keymap.
pub const DEFAULT_KEYMAP: &str = include_str!("../../keymaps/vim.toml");

/// The editing mode, vim-style.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Normal,
    /// Note entry in the piano roll.
    Insert,
    /// A range selection.
    Visual,
    /// Typing after `:`; keys go to the command line, not the keymap.
    Command,
}

impl Mode {
    /// The keymap table name of the mode.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Insert => "insert",
            Mode::Visual => "visual",
            Mode::Command => "command",
        }
    }

    const BOUND: [Mode; 3] = [Mode::Normal, Mode::Insert, Mode::Visual];
}

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

/// A node of the key trie: a command, or a prefix leading to more keys.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyTrie {
    Command(Cmd),
    Prefix(BTreeMap<Key, KeyTrie>),
}

impl KeyTrie {
    fn empty() -> KeyTrie {
        KeyTrie::Prefix(BTreeMap::new())
    }

    /// Follows `keys` from this node.
    pub fn walk(&self, keys: &[Key]) -> Option<&KeyTrie> {
        let mut node = self;
        for k in keys {
            match node {
                KeyTrie::Prefix(map) => node = map.get(k)?,
                KeyTrie::Command(_) => return None,
            }
        }
        Some(node)
    }

    /// Every (key sequence, command) below this node, depth first.
    pub fn bindings(&self) -> Vec<(Vec<Key>, Cmd)> {
        let mut out = Vec::new();
        fn rec(node: &KeyTrie, path: &mut Vec<Key>, out: &mut Vec<(Vec<Key>, Cmd)>) {
            match node {
                KeyTrie::Command(c) => out.push((path.clone(), *c)),
                KeyTrie::Prefix(map) => {
                    for (k, n) in map {
                        path.push(*k);
                        rec(n, path, out);
                        path.pop();
                    }
                }
            }
        }
        rec(self, &mut Vec::new(), &mut out);
        out
    }

    /// Merges `other` over `self`: its commands replace, its prefixes merge key by key.
    fn merge(&mut self, other: KeyTrie) {
        match (self, other) {
            (KeyTrie::Prefix(mine), KeyTrie::Prefix(theirs)) => {
                for (k, v) in theirs {
                    match mine.get_mut(&k) {
                        Some(existing) => existing.merge(v),
                        None => {
                            mine.insert(k, v);
                        }
                    }
                }
            }
            (me, other) => *me = other,
        }
    }
}

/// The views that have their own keymap sections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ViewKind {
    Arrange,
    Mixer,
    PianoRoll,
}

impl ViewKind {
    /// Every view, in the order `next_view` cycles through them.
    pub const ALL: [ViewKind; 3] = [ViewKind::Arrange, ViewKind::Mixer, ViewKind::PianoRoll];

    /// The keymap table name.
    pub fn name(self) -> &'static str {
        match self {
            ViewKind::Arrange => "arrange",
            ViewKind::Mixer => "mixer",
            ViewKind::PianoRoll => "piano_roll",
        }
    }

    /// The registry scope of the view.
    pub fn scope(self) -> Scope {
        match self {
            ViewKind::Arrange => Scope::Arrange,
            ViewKind::Mixer => Scope::Mixer,
            ViewKind::PianoRoll => Scope::PianoRoll,
        }
    }
}

/// Why a keymap file could not be used. Names the place in the file.
#[derive(Debug, Error, PartialEq)]
pub enum KeymapError {
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: at {path}: {message}")]
    Binding {
        file: String,
        path: String,
        message: String,
    },
}

/// The raw tries of one keymap file, before views are combined.
#[derive(Clone, Debug, Default)]
struct Sections {
    global: BTreeMap<Mode, KeyTrie>,
    views: BTreeMap<(ViewKind, Mode), KeyTrie>,
}

/// The effective keymap: one trie per view and mode, global bindings merged under the view's.
#[derive(Clone, Debug)]
pub struct Keymap {
    tries: BTreeMap<(ViewKind, Mode), KeyTrie>,
}

impl Keymap {
    /// The compiled-in defaults.
    pub fn defaults() -> Keymap {
        match Self::parse_sections(DEFAULT_KEYMAP, "keymaps/vim.toml") {
            Ok(s) => Keymap::combine(s),
            // The defaults are checked by a test; an empty keymap is the last resort.
            Err(_) => Keymap::combine(Sections::default()),
        }
    }

    /// The defaults with the user's file (text of `keymap.toml`) merged over them.
    pub fn with_user(user_text: &str, file: &str) -> Result<Keymap, KeymapError> {
        let mut base = Self::parse_sections(DEFAULT_KEYMAP, "keymaps/vim.toml")?;
        let user = Self::parse_sections(user_text, file)?;
        for (mode, trie) in user.global {
            base.global
                .entry(mode)
                .or_insert_with(KeyTrie::empty)
                .merge(trie);
        }
        for (k, trie) in user.views {
            base.views
                .entry(k)
                .or_insert_with(KeyTrie::empty)
                .merge(trie);
        }
        Ok(Keymap::combine(base))
    }

    /// Loads the user's `keymap.toml` from the config dir over the defaults. A missing file
    /// gives the defaults; a bad one gives the defaults and the error to show.
    pub fn load_user() -> (Keymap, Option<String>) {
        let path = crate::config::config_dir().join("keymap.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => match Keymap::with_user(&text, &path.display().to_string()) {
                Ok(k) => (k, None),
                Err(e) => (Keymap::defaults(), Some(e.to_string())),
            },
            Err(_) => (Keymap::defaults(), None),
        }
    }

    fn combine(s: Sections) -> Keymap {
        let mut tries = BTreeMap::new();
        for view in ViewKind::ALL {
            for mode in Mode::BOUND {
                let mut t = s.global.get(&mode).cloned().unwrap_or_else(KeyTrie::empty);
                if let Some(v) = s.views.get(&(view, mode)) {
                    t.merge(v.clone());
                }
                tries.insert((view, mode), t);
            }
        }
        Keymap { tries }
    }

    /// The trie for a view and mode.
    pub fn trie(&self, view: ViewKind, mode: Mode) -> Option<&KeyTrie> {
        self.tries.get(&(view, mode))
    }

    /// Checks a keymap text the way the defaults must hold: every name known and allowed in its
    /// section, no key given twice in a table (also under two spellings, like `C-r`/`C-R`), and
    /// no view binding that hides a global one. Returns every problem found.
    pub fn lint(text: &str, file: &str) -> Vec<String> {
        let mut problems = Vec::new();
        let sections = match Self::parse_sections_inner(text, file, &mut problems) {
            Ok(s) => s,
            Err(e) => return vec![e.to_string()],
        };
        for ((view, mode), trie) in &sections.views {
            let Some(global) = sections.global.get(mode) else {
                continue;
            };
            for (keys, cmd) in trie.bindings() {
                if let Some(KeyTrie::Command(g)) = walk_prefixes(global, &keys) {
                    problems.push(format!(
                        "keys.{}.{}: {} ({}) hides the global binding to {}",
                        view.name(),
                        mode.name(),
                        fmt_keys(&keys),
                        cmd.name(),
                        g.name()
                    ));
                }
            }
        }
        problems
    }

    fn parse_sections(text: &str, file: &str) -> Result<Sections, KeymapError> {
        let mut problems = Vec::new();
        let s = Self::parse_sections_inner(text, file, &mut problems)?;
        match problems.into_iter().next() {
            Some(p) => Err(KeymapError::Binding {
                file: file.into(),
                path: String::new(),
                message: p,
            }),
            None => Ok(s),
        }
    }

    fn parse_sections_inner(
        text: &str,
        file: &str,
        problems: &mut Vec<String>,
    ) -> Result<Sections, KeymapError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| KeymapError::Syntax {
            file: file.into(),
            message: e.message().to_string(),
        })?;
        let mut out = Sections::default();
        let Some(keys) = table.get("keys") else {
            return Ok(out);
        };
        let keys = keys.as_table().ok_or_else(|| KeymapError::Binding {
            file: file.into(),
            path: "keys".into(),
            message: "must be a table".into(),
        })?;
        for (name, value) in keys {
            let bad = |message: String| KeymapError::Binding {
                file: file.into(),
                path: format!("keys.{name}"),
                message,
            };
            let value = value
                .as_table()
                .ok_or_else(|| bad("must be a table".into()))?;
            if let Some(mode) = mode_named(name) {
                let trie = parse_trie(value, Scope::Global, &format!("keys.{name}"), problems)
                    .map_err(|(path, message)| KeymapError::Binding {
                        file: file.into(),
                        path,
                        message,
                    })?;
                out.global.insert(mode, trie);
            } else if let Some(view) = ViewKind::ALL.into_iter().find(|v| v.name() == name) {
                for (mname, mval) in value {
                    let path = format!("keys.{name}.{mname}");
                    let mode = mode_named(mname).ok_or_else(|| KeymapError::Binding {
                        file: file.into(),
                        path: path.clone(),
                        message: "is not a mode (normal, insert, visual)".into(),
                    })?;
                    let mval = mval.as_table().ok_or_else(|| KeymapError::Binding {
                        file: file.into(),
                        path: path.clone(),
                        message: "must be a table".into(),
                    })?;
                    let trie = parse_trie(mval, view.scope(), &path, problems).map_err(
                        |(path, message)| KeymapError::Binding {
                            file: file.into(),
                            path,
                            message,
                        },
                    )?;
                    out.views.insert((view, mode), trie);
                }
            } else {
                return Err(bad(
                    "is neither a mode (normal, insert, visual) nor a view (arrange, mixer, piano_roll)"
                        .into(),
                ));
            }
        }
        Ok(out)
    }
}

fn mode_named(name: &str) -> Option<Mode> {
    Mode::BOUND.into_iter().find(|m| m.name() == name)
}

/// Follows keys through prefixes and returns where the walk ends (a command reached early
/// counts as the end: the rest of the keys could never be typed).
fn walk_prefixes<'a>(trie: &'a KeyTrie, keys: &[Key]) -> Option<&'a KeyTrie> {
    let mut node = trie;
    for k in keys {
        match node {
            KeyTrie::Prefix(map) => node = map.get(k)?,
            KeyTrie::Command(_) => return Some(node),
        }
    }
    Some(node)
}

/// A key sequence as the user types it, e.g. `g g`.
pub fn fmt_keys(keys: &[Key]) -> String {
    keys.iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_trie(
    table: &toml::Table,
    scope: Scope,
    path: &str,
    problems: &mut Vec<String>,
) -> Result<KeyTrie, (String, String)> {
    let mut map = BTreeMap::new();
    for (name, value) in table {
        let here = format!("{path}.{name}");
        let key = Key::parse(name).map_err(|m| (here.clone(), m))?;
        let node = match value {
            toml::Value::String(cmd_name) => {
                let cmd = Cmd::from_name(cmd_name)
                    .ok_or_else(|| (here.clone(), format!("unknown command '{cmd_name}'")))?;
                if scope != Scope::Global && !cmd.applies_to(scope) {
                    problems.push(format!("{here}: {cmd_name} does not apply to this view"));
                }
                if scope == Scope::Global && !cmd.scopes().contains(&Scope::Global) {
                    problems.push(format!(
                        "{here}: {cmd_name} applies only to some views; bind it in their sections"
                    ));
                }
                KeyTrie::Command(cmd)
            }
            toml::Value::Table(t) => parse_trie(t, scope, &here, problems)?,
            _ => {
                return Err((
                    here,
                    "must be a command name or a table of keys".to_string(),
                ))
            }
        };
        if map.insert(key, node).is_some() {
            problems.push(format!("{here}: the key {key} is bound twice"));
        }
    }
    Ok(KeyTrie::Prefix(map))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_hold_no_duplicate_or_unknown_binding() {
        let problems = Keymap::lint(DEFAULT_KEYMAP, "keymaps/vim.toml");
        assert!(problems.is_empty(), "{problems:#?}");
        // Every view can play, help, undo and quit.
        let km = Keymap::defaults();
        for view in ViewKind::ALL {
            let cmds: Vec<Cmd> = km
                .trie(view, Mode::Normal)
                .unwrap()
                .bindings()
                .into_iter()
                .map(|b| b.1)
                .collect();
            for c in [
                Cmd::TransportToggle,
                Cmd::Help,
                Cmd::Undo,
                Cmd::Redo,
                Cmd::CommandMode,
            ] {
                assert!(cmds.contains(&c), "{} lacks {}", view.name(), c.name());
            }
        }
    }

    #[test]
    fn lint_finds_unknown_twice_bound_and_hidden_keys() {
        let p = Keymap::lint("[keys.normal]\nx = \"no_such\"\n", "k.toml");
        assert!(p[0].contains("unknown command 'no_such'"), "{p:?}");
        let p = Keymap::lint(
            "[keys.normal]\n\"C-r\" = \"redo\"\n\"C-R\" = \"undo\"\n",
            "k",
        );
        assert!(p.iter().any(|m| m.contains("bound twice")), "{p:?}");
        let p = Keymap::lint(
            "[keys.normal]\nu = \"undo\"\n[keys.mixer.normal]\nu = \"value_up\"\n",
            "k",
        );
        assert!(p.iter().any(|m| m.contains("hides the global")), "{p:?}");
        let p = Keymap::lint("[keys.mixer.normal]\nq = \"quantize\"\n", "k");
        assert!(p.iter().any(|m| m.contains("does not apply")), "{p:?}");
    }

    #[test]
    fn user_file_merges_over_defaults() {
        let km = Keymap::with_user(
            "[keys.normal]\nu = \"redo\"\ng = { z = \"goto_end\" }\n",
            "keymap.toml",
        )
        .unwrap();
        let t = km.trie(ViewKind::Arrange, Mode::Normal).unwrap();
        let u = Key::parse("u").unwrap();
        let g = Key::parse("g").unwrap();
        let z = Key::parse("z").unwrap();
        assert_eq!(t.walk(&[u]), Some(&KeyTrie::Command(Cmd::Redo)));
        assert_eq!(t.walk(&[g, z]), Some(&KeyTrie::Command(Cmd::GotoEnd)));
        // The rest of the `g` prefix survives the merge.
        assert_eq!(t.walk(&[g, g]), Some(&KeyTrie::Command(Cmd::GotoStart)));
        let err = Keymap::with_user("[keys.normal]\nx = \"nope\"\n", "keymap.toml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "keymap.toml: at keys.normal.x: unknown command 'nope'"
        );
    }

    #[test]
    fn key_names_round_trip() {
        for n in [
            "a", "G", "?", "space", "ret", "esc", "S-tab", "C-r", "F5", "left", "<",
        ] {
            let k = Key::parse(n).unwrap();
            assert_eq!(Key::parse(&k.to_string()).unwrap(), k, "{n}");
        }
        let evs = parse_key_events(":w<ret>3j<C-r>").unwrap();
        assert_eq!(evs.len(), 6);
        assert_eq!(Key::from_event(&evs[5]), Some(Key::parse("C-r").unwrap()));
        assert_eq!(
            Key::from_event(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Key::parse("G").unwrap())
        );
    }
}
