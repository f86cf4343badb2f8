//! The `?` help: every key of the current view, generated from the keymap and the registry
//! (so it can never disagree with what the keys do), then the `:` commands.

use crate::ui::action::Cmd;
use crate::ui::app::App;
use crate::ui::ex::EX_COMMANDS;
use crate::ui::keymap::{fmt_keys, Key, KeyTrie, Mode};
use std::collections::BTreeMap;

/// One line of help: a heading, or keys with the command and its doc.
#[derive(Clone, Debug, PartialEq)]
pub enum HelpLine {
    Heading(String),
    Binding {
        keys: String,
        name: String,
        doc: String,
    },
    Blank,
}

/// The help for the app's current view.
pub fn lines(app: &App) -> Vec<HelpLine> {
    let mut out = Vec::new();
    let view_name = match app.view {
        crate::ui::keymap::ViewKind::Arrange => "Arrange view",
        crate::ui::keymap::ViewKind::Mixer => "Mixer",
        crate::ui::keymap::ViewKind::PianoRoll => "Piano roll",
    };
    for mode in [Mode::Normal, Mode::Visual, Mode::Insert] {
        let Some(trie) = app.keymap.trie(app.view, mode) else {
            continue;
        };
        // Group keys by command so `h` and `left` share a line.
        let mut by_cmd: BTreeMap<Cmd, Vec<String>> = BTreeMap::new();
        for (keys, cmd) in trie.bindings() {
            if cmd == Cmd::NoOp || !cmd.applies_to(app.view.scope()) {
                continue;
            }
            by_cmd.entry(cmd).or_default().push(fmt_keys(&keys));
        }
        if by_cmd.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(HelpLine::Blank);
        }
        out.push(HelpLine::Heading(format!(
            "{view_name} — {} mode{}",
            mode.name(),
            match mode {
                Mode::Normal => "  (a number before a key repeats it: 3j)",
                Mode::Visual => "  (v starts it)",
                Mode::Insert => "  (i starts it)",
                Mode::Command => "",
            }
        )));
        // Registry order keeps related commands together.
        for cmd in Cmd::ALL {
            if let Some(keys) = by_cmd.get(cmd) {
                out.push(HelpLine::Binding {
                    keys: keys.join(", "),
                    name: cmd.name().to_string(),
                    doc: cmd.doc().to_string(),
                });
            }
        }
    }
    out.push(HelpLine::Blank);
    out.push(HelpLine::Heading(
        "Commands — type : then the command, Tab completes".into(),
    ));
    for c in EX_COMMANDS {
        out.push(HelpLine::Binding {
            keys: format!(
                ":{}{}",
                c.name,
                if c.args.is_empty() {
                    "".into()
                } else {
                    format!(" {}", c.args)
                }
            ),
            name: String::new(),
            doc: c.doc.to_string(),
        });
    }
    out
}

/// The continuations of a typed prefix, for the which-key popup: (key, command or group).
pub fn which_key(app: &App) -> Option<Vec<(String, String)>> {
    if app.pending.keys.is_empty() {
        return None;
    }
    let trie = app.keymap.trie(app.view, app.mode)?;
    let KeyTrie::Prefix(map) = trie.walk(&app.pending.keys)? else {
        return None;
    };
    let mut out = Vec::new();
    for (k, node) in map {
        let label = match node {
            KeyTrie::Command(c) if *c == Cmd::NoOp => continue,
            KeyTrie::Command(c) => format!("{} — {}", c.name(), c.doc()),
            KeyTrie::Prefix(m) => format!("+{} more", m.len()),
        };
        out.push((Key::to_string(k), label));
    }
    Some(out)
}
