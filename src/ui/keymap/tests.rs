//! The keymap's checks: defaults, user files, lint, key names.

use super::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
