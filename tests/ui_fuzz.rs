//! Property: whatever keys are typed and whatever the terminal size, the TUI never panics, every
//! frame draws, the project stays valid, and undoing everything gives the original back.

mod ui_support;

use proptest::prelude::*;
use tdaw::ui::{update, Action};

const KEYS: &[&str] = &[
    "h",
    "j",
    "k",
    "l",
    "H",
    "J",
    "K",
    "L",
    "w",
    "b",
    "x",
    "y",
    "p",
    "D",
    "s",
    "c",
    "<ret>",
    "<esc>",
    "v",
    "i",
    "a",
    "q",
    "<lt>",
    ">",
    "{",
    "}",
    "[",
    "]",
    "=",
    "-",
    "+",
    "r",
    "m",
    "S",
    "R",
    "M",
    "|",
    "\\",
    "u",
    "<C-r>",
    ".",
    "2",
    "3",
    "0",
    "g",
    "G",
    "t",
    "ta",
    "tA",
    "tb",
    "td",
    "tj",
    "tk",
    "gg",
    "ga",
    "gm",
    "gp",
    "<tab>",
    "<S-tab>",
    "e",
    "f",
    "C",
    "<backspace>",
    "zi",
    "zo",
    "?",
    ":grid 1/8<ret>",
    ":transpose 3<ret>",
    ":quantize<ret>",
    ":loop 2 3<ret>",
    ":track add audio<ret>",
    ":key Dm<ret>",
    ":bpm 97<ret>",
    ":marker X<ret>",
    ":nope<ret>",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn random_keys_never_break_the_tui(
        keys in prop::collection::vec(0..KEYS.len(), 1..80),
        w in 80u16..200,
        h in 24u16..60,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut app = ui_support::demo_app(dir.path());
        let original = app.project.clone();
        update(&mut app, Action::Resize(w, h));
        for (i, k) in keys.iter().enumerate() {
            tdaw::ui::press(&mut app, KEYS[*k]).unwrap();
            if i % 7 == 0 {
                ui_support::screen(&mut app, w, h);
            }
        }
        ui_support::screen(&mut app, w, h);
        ui_support::screen(&mut app, 50, 10);
        prop_assert!(app.project.validate().is_ok(), "{:?}", app.project.validate());
        // Keys do nothing but quit on the "too small" screen: undo at a size that shows.
        update(&mut app, Action::Resize(w, h));
        tdaw::ui::press(&mut app, "<esc><esc>").unwrap();
        app.popups.clear();
        while app.history.can_undo() {
            tdaw::ui::press(&mut app, "u").unwrap();
        }
        prop_assert_eq!(app.project, original);
    }
}
