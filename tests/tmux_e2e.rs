//! End to end in a real terminal: tdaw runs inside tmux on a project; the test reads the pane,
//! sees the tracks, opens help with `?`, saves with `:w`, quits with `:q` within 2 s and checks
//! the terminal is restored (alternate screen left, cursor shown, mouse reporting off).
//! Skipped, with a note, when tmux is not installed.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn capture(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    fn format(&self, f: &str) -> String {
        String::from_utf8_lossy(&self.cmd(&["display-message", "-p", "-t", "e2e", f]).stdout)
            .trim()
            .to_string()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.cmd(&args);
    }

    /// Waits until the pane shows `what`; returns how long it took.
    fn wait_for(&self, what: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if screen.contains(what) {
                return start.elapsed();
            }
            if start.elapsed() > limit {
                panic!("'{what}' did not appear within {limit:?}; the pane shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Only our private server (its own socket) is stopped.
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

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
    let tmux = Tmux {
        socket: format!("tdaw-e2e-{}", std::process::id()),
    };
    let started = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "100",
        "-y",
        "30",
        "sh",
        "-c",
        &script,
    ]);
    assert!(started.status.success(), "{started:?}");

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
    let tmux = Tmux {
        socket: format!("tdaw-e2e-small-{}", std::process::id()),
    };
    tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "60",
        "-y",
        "20",
        "sh",
        "-c",
        &script,
    ]);
    tmux.wait_for("at least 80x24", Duration::from_secs(10));
    // Growing the window brings the screen back.
    tmux.cmd(&["resize-window", "-t", "e2e", "-x", "100", "-y", "30"]);
    tmux.wait_for("Chords", Duration::from_secs(3));
    tmux.keys(&[":q", "Enter"]);
    tmux.wait_for("EXITED:0", Duration::from_secs(2));
}
