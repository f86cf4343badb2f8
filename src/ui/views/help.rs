//! The `?` help: every key of the current view, generated from the keymap and the registry
//! (so it can never disagree with what the keys do), then the `:` commands with their aliases,
//! as the command registry gave them to the App (`App::help_commands`; this view does not
//! import the command line).

use crate::ui::action::Cmd;
use crate::ui::app::App;
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
        crate::ui::keymap::ViewKind::FxEditor => "Effect editor",
        crate::ui::keymap::ViewKind::Chat => "Chat",
    };
    // The keys that enter each mode in this view: a mode no key enters is not listed (the
    // global `esc` of insert mode would otherwise show an insert mode the arrange view lacks).
    let starters = |enters: &[Cmd]| -> Vec<String> {
        app.keymap
            .trie(app.view, Mode::Normal)
            .map(|t| t.bindings())
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, c)| enters.contains(c))
            .map(|(k, _)| fmt_keys(&k))
            .collect()
    };
    let normal = app
        .keymap
        .trie(app.view, Mode::Normal)
        .map(|t| t.bindings())
        .unwrap_or_default();
    for mode in [
        Mode::Normal,
        Mode::Lane,
        Mode::Takes,
        Mode::Visual,
        Mode::Insert,
        Mode::Play,
    ] {
        let Some(trie) = app.keymap.trie(app.view, mode) else {
            continue;
        };
        let entered_by = match mode {
            Mode::Visual => starters(&[Cmd::VisualMode, Cmd::VisualBlock]),
            Mode::Insert => starters(&[Cmd::InsertMode]),
            Mode::Play => starters(&[Cmd::PlayMode]),
            // Lane mode: the keys the cursor has on an automation lane, over normal mode's.
            Mode::Lane => starters(&[Cmd::LanesToggle])
                .into_iter()
                .map(|k| format!("{k} then j onto a lane"))
                .collect(),
            Mode::Takes => starters(&[Cmd::TakesToggle])
                .into_iter()
                .map(|k| format!("{k} then j onto a take lane"))
                .collect(),
            _ => Vec::new(),
        };
        if mode != Mode::Normal && entered_by.is_empty() {
            continue;
        }
        // Group keys by command so `h` and `left` share a line.
        let mut by_cmd: BTreeMap<Cmd, Vec<String>> = BTreeMap::new();
        for (keys, cmd) in trie.bindings() {
            if cmd == Cmd::NoOp || !cmd.applies_to(app.view.scope()) {
                continue;
            }
            if matches!(mode, Mode::Lane | Mode::Takes)
                && normal.iter().any(|(k, c)| *k == keys && *c == cmd)
            {
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
            "{view_name} — {} mode  ({})",
            mode.name(),
            if mode == Mode::Normal {
                "a number before a key repeats it: 3j".to_string()
            } else {
                format!("{} starts it", entered_by.join(", "))
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
    for c in &app.help_commands {
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
            doc: if c.aliases.is_empty() {
                c.doc.to_string()
            } else {
                let also: Vec<String> = c.aliases.iter().map(|a| format!(":{a}")).collect();
                format!("{} (also {})", c.doc, also.join(", "))
            },
        });
    }
    out
}

/// The continuations of a typed prefix, for the which-key popup: (key, command or group).
pub fn which_key(app: &App) -> Option<Vec<(String, String)>> {
    if app.pending.keys.is_empty() {
        return None;
    }
    let trie = app.keymap.trie(app.view, app.key_mode())?;
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

/// One row of the help popup as drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum HelpRow {
    Heading(String),
    Blank,
    /// The keys column (empty on continuation rows) and the text beside it.
    Entry {
        keys: String,
        text: String,
    },
}

/// The help laid out `width` columns wide: the keys column as wide as its longest entry (up to
/// a quarter of the width; longer keys get rows of their own above their text), and every text
/// wrapped at spaces, so nothing is cut inside a word. The popup scrolls through these rows.
/// Returns the keys column's width and the rows.
pub fn rows(app: &App, width: usize) -> (usize, Vec<HelpRow>) {
    let width = width.max(10);
    let lines = lines(app);
    let len = |s: &str| s.chars().count();
    let keys_w = lines
        .iter()
        .filter_map(|l| match l {
            HelpLine::Binding { keys, .. } if len(keys) <= (width / 4).max(12) => Some(len(keys)),
            _ => None,
        })
        .max()
        .unwrap_or(1);
    let text_w = width - keys_w - 1;
    let mut out = Vec::new();
    for line in lines {
        match line {
            HelpLine::Blank => out.push(HelpRow::Blank),
            HelpLine::Heading(h) => out.extend(wrap(&h, width).into_iter().map(HelpRow::Heading)),
            HelpLine::Binding { keys, name, doc } => {
                let text = if name.is_empty() {
                    doc
                } else {
                    format!("{doc} ({name})")
                };
                let mut first_keys = keys.clone();
                if len(&keys) > keys_w {
                    // Long keys (a `:` command's arguments) take their own rows.
                    for k in wrap(&keys, width) {
                        out.push(HelpRow::Entry {
                            keys: k,
                            text: String::new(),
                        });
                    }
                    first_keys = String::new();
                }
                for (i, t) in wrap(&text, text_w).into_iter().enumerate() {
                    out.push(HelpRow::Entry {
                        keys: if i == 0 {
                            std::mem::take(&mut first_keys)
                        } else {
                            String::new()
                        },
                        text: t,
                    });
                }
            }
        }
    }
    (keys_w, out)
}

/// (The wrap lives below the views, which share it.)
pub use crate::ui::widgets::wrap;
