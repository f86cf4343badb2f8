//! The `:` command registry as a user meets it: help lists every command with its aliases,
//! every alias does what its command does, and the keys that stand for a command (save, quit,
//! track add/delete, metronome) do exactly what the command line does.

mod ui_support;

use tdaw::ui::commands::{Kind, COMMANDS};
use tdaw::ui::{update, Action, App, Cmd};
use ui_support::{demo_app, press, text};

/// Every word the help popup shows, over all its pages, at 120x40.
fn help_words(app: &mut App) -> Vec<String> {
    let mut words = Vec::new();
    loop {
        let screen = text(app, 120, 40);
        words.extend(screen.split_whitespace().map(str::to_string));
        let before = app.popups.clone();
        press(app, "j");
        if app.popups == before {
            break;
        }
    }
    words
}

#[test]
fn help_lists_every_command_and_alias() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    // The `:help` command and its alias open the same help as the `?` key.
    for open in [":help<ret>", ":h<ret>", "?"] {
        press(&mut app, open);
        let words = help_words(&mut app);
        // Commands show as `:name` in the keys column; aliases as `(also :a, :b)`.
        let shown = |n: &str| {
            let want = format!(":{n}");
            words
                .iter()
                .any(|w| w.trim_start_matches('(').trim_end_matches([',', ')']) == want)
        };
        for c in COMMANDS {
            for n in c.names() {
                assert!(shown(n), "{open}: :{n} (of :{}) missing from help", c.name);
            }
        }
        press(&mut app, "<esc>");
        assert!(app.popups.is_empty());
    }
}

/// What a command line did, with the project folder's path taken out.
fn outcome(app: &App) -> String {
    format!(
        "{:?} error={} quit={} popups={:?} mode={:?}",
        app.status.text, app.status.error, app.quit, app.popups, app.mode
    )
    .replace(&app.dir.display().to_string(), "[DIR]")
}

#[test]
fn every_alias_does_what_its_command_does() {
    let run = |line: &str| {
        let dir = tempfile::tempdir().unwrap();
        let mut app = demo_app(dir.path());
        update(&mut app, Action::Ex(line.to_string()));
        let out = outcome(&app);
        (out, app.project)
    };
    let mut checked = 0;
    for c in COMMANDS.iter().filter(|c| !c.aliases.is_empty()) {
        // Bare, and with an argument that means something to the command (not for commands
        // that take a path: those would write into the working directory).
        let paths = c
            .args
            .iter()
            .any(|a| matches!(a.kind, Kind::File | Kind::Dir | Kind::Files));
        let args: &[&str] = if paths { &[""] } else { &["", " on"] };
        for args in args {
            let (want, project) = run(&format!("{}{args}", c.name));
            for alias in c.aliases {
                // A `!` alias is the forceful variant; it may only differ where it matters.
                if alias.ends_with('!') != c.name.ends_with('!') {
                    continue;
                }
                let (got, alias_project) = run(&format!("{alias}{args}"));
                assert_eq!(got, want, ":{alias}{args} vs :{}{args}", c.name);
                assert!(alias_project == project, ":{alias}{args}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 15, "{checked}");
}

#[test]
fn keys_that_stand_for_a_command_do_what_it_does() {
    let cases = [
        (Cmd::TrackAddMidi, "track add midi"),
        (Cmd::TrackAddAudio, "track add audio"),
        (Cmd::TrackAddBus, "track add bus"),
        (Cmd::TrackDelete, "track rm"),
        (Cmd::MetronomeToggle, "metronome"),
        (Cmd::CountInToggle, "countin"),
        (Cmd::Save, "w"),
        (Cmd::Help, "help"),
        (Cmd::Undo, "undo"),
    ];
    for (cmd, line) in cases {
        let by_key = {
            let dir = tempfile::tempdir().unwrap();
            let mut app = demo_app(dir.path());
            press(&mut app, "j");
            update(&mut app, Action::Run(cmd, 1));
            (outcome(&app), app.project, app.arrange.track)
        };
        let by_line = {
            let dir = tempfile::tempdir().unwrap();
            let mut app = demo_app(dir.path());
            press(&mut app, "j");
            update(&mut app, Action::Ex(line.to_string()));
            (outcome(&app), app.project, app.arrange.track)
        };
        assert_eq!(by_key.0, by_line.0, "{} vs :{line}", cmd.name());
        assert!(by_key.1 == by_line.1, "{} vs :{line}", cmd.name());
        assert_eq!(by_key.2, by_line.2, "{} vs :{line}", cmd.name());
    }
    // Quit with unsaved changes asks, from the key and from the line alike.
    for quit in [Action::Run(Cmd::Quit, 1), Action::Ex("q".into())] {
        let dir = tempfile::tempdir().unwrap();
        let mut app = demo_app(dir.path());
        press(&mut app, ":bpm 90<ret>");
        update(&mut app, quit);
        assert_eq!(app.popups, vec![tdaw::ui::app::Popup::ConfirmQuit]);
        assert!(!app.quit);
    }
}

/// The argument spec says what may be left out: a command whose arguments are all optional
/// runs bare (shows a value, toggles, opens a browser); one with a required argument refuses
/// with a sentence in the status line.
#[test]
fn bare_commands_run_or_refuse_as_their_spec_says() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let mut refused = 0;
    for c in COMMANDS {
        if c.name.starts_with(['q', 'x']) || c.name == "wq" {
            continue; // they take no argument, and would end the session
        }
        update(&mut app, Action::Ex(c.name.to_string()));
        let optional = c.args.iter().all(|a| a.optional);
        assert_eq!(
            app.status.error, !optional,
            ":{} bare: {:?}",
            c.name, app.status.text
        );
        refused += usize::from(app.status.error);
        press(&mut app, "<esc>");
        app.popups.clear();
    }
    assert!(refused >= 10, "{refused}");
}
