//! End to end in a real terminal: tdaw runs inside tmux on a project; the test reads the pane,
//! sees the tracks, opens help with `?`, saves with `:w`, quits with `:q` within 2 s and checks
//! the terminal is restored (alternate screen left, cursor shown, mouse reporting off).
//! Skipped, with a note, when tmux is not installed.

mod tmux_support;

use std::path::Path;
use std::time::{Duration, Instant};
use tmux_support::{tmux_available, Tmux};

fn make_project(dir: &Path) {
    tdaw::store::create_project(dir, 48_000, 120.0).unwrap();
    tdaw::store::write_project(dir, &tdaw::cli::demo::demo_project()).unwrap();
}

#[test]
fn tdaw_runs_in_tmux_saves_and_quits_cleanly() {
    if !tmux_available() {
        println!("note: tmux is not installed; skipping the end-to-end terminal test");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("song");
    make_project(&dir);
    let before = std::fs::read(dir.join("project.toml")).unwrap();
    let bin = env!("CARGO_BIN_EXE_tdaw");
    let script = format!(
        "TDAW_HOME='{}' TERM=xterm-256color '{bin}' '{}'; echo EXITED:$?; sleep 30",
        home.path().display(),
        dir.display()
    );
    let tmux = Tmux::new(format!("tdaw-e2e-{}", std::process::id()), "e2e");
    tmux.start(100, 30, &script);

    // The tracks are on screen, in the alternate screen.
    tmux.wait_for("Chords", Duration::from_secs(10));
    let screen = tmux.capture();
    for name in [
        "Drums",
        "Bass",
        "Chords",
        "Lead",
        "NORMAL",
        "no audio device",
    ] {
        assert!(screen.contains(name), "{name} missing:\n{screen}");
    }
    assert_eq!(tmux.format("#{alternate_on}"), "1");

    // ? shows help generated from the keymap; Escape closes it.
    tmux.keys(&["?"]);
    tmux.wait_for("Help — j/k scroll", Duration::from_secs(3));
    assert!(tmux.capture().contains("transport_toggle"));
    // (A key sent right after Escape would arrive as Alt-key, as over a fast SSH link.)
    tmux.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(150));

    // An edit, then :w saves it.
    tmux.keys(&["m"]);
    tmux.wait_for("Drums muted", Duration::from_secs(3));
    tmux.keys(&[":w", "Enter"]);
    tmux.wait_for("Saved", Duration::from_secs(3));
    let after = std::fs::read_to_string(dir.join("project.toml")).unwrap();
    assert_ne!(after.as_bytes(), before.as_slice());
    let saved = tdaw::store::load_project(&dir).unwrap();
    assert!(saved.tracks[0].mute);

    // :q leaves within 2 s and the terminal is itself again.
    let t = Instant::now();
    tmux.keys(&[":q", "Enter"]);
    tmux.wait_for("EXITED:0", Duration::from_secs(2));
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(tmux.format("#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(tmux.format("#{cursor_flag}"), "1", "cursor shown");
    assert_eq!(tmux.format("#{mouse_any_flag}"), "0", "mouse reporting off");
}

#[test]
fn tdaw_refuses_a_terminal_that_is_too_small_with_a_message() {
    if !tmux_available() {
        println!("note: tmux is not installed; skipping the end-to-end terminal test");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("song");
    make_project(&dir);
    let bin = env!("CARGO_BIN_EXE_tdaw");
    let script = format!(
        "TDAW_HOME='{}' '{bin}' '{}'; echo EXITED:$?; sleep 30",
        home.path().display(),
        dir.display()
    );
    let tmux = Tmux::new(format!("tdaw-e2e-small-{}", std::process::id()), "e2e");
    tmux.start(60, 20, &script);
    tmux.wait_for("at least 80x24", Duration::from_secs(10));
    // Growing the window brings the screen back.
    tmux.cmd(&["resize-window", "-t", "e2e", "-x", "100", "-y", "30"]);
    tmux.wait_for("Chords", Duration::from_secs(3));
    tmux.keys(&[":q", "Enter"]);
    tmux.wait_for("EXITED:0", Duration::from_secs(2));
}

/// Replays the key sequence of demo.tape (everything after `Show`) in tmux: VHS's `Type`,
/// `Enter`, `Escape`, `Space`, `Tab`, `Ctrl+X` and `Sleep` (shortened) are understood.
#[test]
fn demo_tape_key_sequence_works() {
    if !tmux_available() {
        println!("note: tmux is not installed; skipping the demo.tape replay");
        return;
    }
    let tape = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/demo.tape")).unwrap();
    let home = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_tdaw");
    let script = format!(
        "TDAW_HOME='{}' '{bin}' demo; echo EXITED:$?; sleep 30",
        home.path().display()
    );
    let tmux = Tmux::new(format!("tdaw-e2e-tape-{}", std::process::id()), "e2e");
    tmux.start(140, 40, &script);
    tmux.wait_for("Chords", Duration::from_secs(10));
    let mut shown = false;
    for line in tape.lines().map(str::trim) {
        if line == "Show" {
            shown = true;
            continue;
        }
        if !shown || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (cmd, arg) = line.split_once(' ').unwrap_or((line, ""));
        match cmd {
            "Type" => {
                let text = arg.trim_matches('"');
                tmux.keys(&["-l", text]);
            }
            "Enter" | "Escape" | "Space" | "Tab" => {
                tmux.keys(&[cmd]);
            }
            "Ctrl+R" => tmux.keys(&["C-r"]),
            "Sleep" => {}
            other => panic!("demo.tape uses '{other}', which this replay does not know"),
        }
        // Keys must not merge (Escape + key would read as Alt-key): pace them a little.
        std::thread::sleep(Duration::from_millis(60));
    }
    tmux.wait_for("EXITED:0", Duration::from_secs(3));
    let p = tdaw::store::load_project(&home.path().join("demo")).unwrap();
    let lead = p.tracks.iter().find(|t| t.name == "Lead").unwrap();
    let new_clip = lead
        .clips
        .iter()
        .find(|c| c.start == 64.0)
        .expect("the tour's new clip");
    let tdaw::model::ClipContent::Midi(m) = &new_clip.content else {
        panic!()
    };
    let pitches: Vec<u8> = m.notes.iter().map(|n| n.pitch).collect();
    assert_eq!(pitches, vec![57, 60, 64, 67, 85]);
    let last = m.notes[4];
    assert_eq!((last.length, last.velocity), (0.5, 84));
    let bass = p.tracks.iter().find(|t| t.name == "Bass").unwrap();
    // The tour pulls the bass fader down 3 dB from the demo's mix (which depends on whether a
    // SoundFont plays it).
    let sound = match tdaw::engine::instrument::find_soundfont(None) {
        Some(_) => tdaw::cli::demo::Sound::SoundFont,
        None => tdaw::cli::demo::Sound::Synth,
    };
    assert_eq!(bass.gain_db, sound.mix().bass - 3.0);
    assert!((bass.pan - 0.2).abs() < 1e-6);
}

/// `tdaw` with no arguments opens the demo when nothing was opened before, and the most
/// recently opened project afterwards (from the store's index).
#[test]
fn tdaw_without_arguments_opens_the_most_recent_project_or_the_demo() {
    if !tmux_available() {
        println!("note: tmux is not installed; skipping the end-to-end terminal test");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_tdaw");
    let run = |args: &str, socket: &str| {
        let script = format!(
            "TDAW_HOME='{}' '{bin}' {args}; echo EXITED:$?; sleep 30",
            home.path().display()
        );
        let tmux = Tmux::new(format!("{socket}-{}", std::process::id()), "e2e");
        tmux.start(100, 30, &script);
        tmux
    };
    let t = run("", "tdaw-e2e-first");
    t.wait_for("tdaw demo", Duration::from_secs(10));
    t.keys(&[":q", "Enter"]);
    t.wait_for("EXITED:0", Duration::from_secs(2));
    drop(t);

    let dir = home.path().join("other song");
    tdaw::store::create_project(&dir, 48_000, 100.0).unwrap();
    let t = run(&format!("'{}'", dir.display()), "tdaw-e2e-other");
    t.wait_for("other song", Duration::from_secs(10));
    t.keys(&[":q", "Enter"]);
    t.wait_for("EXITED:0", Duration::from_secs(2));
    drop(t);

    let t = run("", "tdaw-e2e-again");
    t.wait_for("other song", Duration::from_secs(10));
    t.keys(&[":q", "Enter"]);
    t.wait_for("EXITED:0", Duration::from_secs(2));
}
