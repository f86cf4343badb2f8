//! Keymaps: a TOML trie per mode and view, the user's file merged over the compiled-in defaults.
//!
//! `[keys.normal]` binds keys in every view, `[keys.arrange.normal]` (or `mixer`, `piano_roll`)
//! only in one; a value is a command name or a table (a prefix key, e.g. `g = { g = "goto_start" }`).
//! Keys are named the way helix names them (`C-r`, `space`, `ret`, `S-tab`) and never need the
//! Kitty keyboard protocol: only what plain xterm, tmux and SSH deliver is used.

mod key;

pub use key::{fmt_keys, key_event, parse_key_events, Key, KeyCodeOrd};

use super::action::{Cmd, Scope};
use std::collections::BTreeMap;
use thiserror::Error;

/// The compiled-in default keymap.
pub const DEFAULT_KEYMAP: &str = include_str!("../../../keymaps/vim.toml");

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
    /// Normal mode with the arrange view's cursor on an automation lane: its section binds
    /// over the view's normal keys (`x` deletes a point there, not a clip). Never `app.mode`
    /// itself; the reducer looks keys up in it while the cursor is on a lane.
    Lane,
    /// Normal mode with the arrange view's cursor on a take lane: its section binds over the
    /// view's normal keys (`ret` chooses the take there). Never `app.mode` itself.
    Takes,
    /// The piano roll's play mode: the computer keyboard as a musical keyboard.
    Play,
}

impl Mode {
    /// The keymap table name of the mode.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Insert => "insert",
            Mode::Visual => "visual",
            Mode::Command => "command",
            Mode::Lane => "lane",
            Mode::Takes => "takes",
            Mode::Play => "play",
        }
    }

    const BOUND: [Mode; 6] = [
        Mode::Normal,
        Mode::Insert,
        Mode::Visual,
        Mode::Lane,
        Mode::Takes,
        Mode::Play,
    ];
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
    /// The effect editor, opened from a mixer insert (not one of the views `next_view` cycles
    /// through; it goes back to the mixer).
    FxEditor,
    /// The chat with the assistant.
    Chat,
}

impl ViewKind {
    /// Every view, in the order `next_view` cycles through them.
    pub const ALL: [ViewKind; 4] = [
        ViewKind::Arrange,
        ViewKind::Mixer,
        ViewKind::PianoRoll,
        ViewKind::Chat,
    ];
    /// Every view with a keymap section: the cycled ones and the effect editor.
    pub const KEYED: [ViewKind; 5] = [
        ViewKind::Arrange,
        ViewKind::Mixer,
        ViewKind::PianoRoll,
        ViewKind::FxEditor,
        ViewKind::Chat,
    ];

    /// The keymap table name.
    pub fn name(self) -> &'static str {
        match self {
            ViewKind::Arrange => "arrange",
            ViewKind::Mixer => "mixer",
            ViewKind::PianoRoll => "piano_roll",
            ViewKind::FxEditor => "fx_editor",
            ViewKind::Chat => "chat",
        }
    }

    /// The registry scope of the view.
    pub fn scope(self) -> Scope {
        match self {
            ViewKind::Arrange => Scope::Arrange,
            ViewKind::Mixer => Scope::Mixer,
            ViewKind::PianoRoll => Scope::PianoRoll,
            ViewKind::FxEditor => Scope::FxEditor,
            ViewKind::Chat => Scope::Chat,
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
        for view in ViewKind::KEYED {
            for mode in Mode::BOUND {
                let mut t = s.global.get(&mode).cloned().unwrap_or_else(KeyTrie::empty);
                // Lane and take-lane modes are normal mode with the lane's keys over it.
                if matches!(mode, Mode::Lane | Mode::Takes) {
                    let lane = std::mem::replace(
                        &mut t,
                        s.global
                            .get(&Mode::Normal)
                            .cloned()
                            .unwrap_or_else(KeyTrie::empty),
                    );
                    if let Some(v) = s.views.get(&(view, Mode::Normal)) {
                        t.merge(v.clone());
                    }
                    t.merge(lane);
                }
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
            } else if let Some(view) = ViewKind::KEYED.into_iter().find(|v| v.name() == name) {
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
                    "is neither a mode (normal, insert, visual) nor a view (arrange, mixer, piano_roll, fx_editor)"
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

#[cfg(test)]
mod tests;
