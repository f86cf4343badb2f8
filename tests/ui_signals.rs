//! A TUI ended from outside keeps its work: SIGHUP (a dropped SSH session), SIGTERM and
//! SIGQUIT to tdaw in tmux right after an edit write the autosave, restore the terminal (the
//! shell afterwards has `icanon` and `echo`, no mouse reporting, the main screen, a cursor)
//! and exit with 128 + the signal; the next open offers the edit. Killing the tmux session
//! (the terminal itself goes away) still leaves the autosave. Skipped when tmux is missing.

mod tmux_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use tmux_support::{tmux_available, Tmux};

/// Starts tdaw on `dir` in a private tmux server; after it exits the pane's shell records
/// its status and `stty -a` in `after`.
fn start(tag: &str, home: &Path, dir: &Path, after: &Path) -> Tmux {
    let bin = env!("CARGO_BIN_EXE_tdaw");
    let script = format!(
        "TDAW_HOME='{}' TERM=xterm-256color '{bin}' '{}'; echo EXITED:$? > '{}'; stty -a >> '{}'; echo DONE; sleep 30",
        home.display(),
        dir.display(),
        after.display(),
        after.display()
    );
    let tmux = Tmux::new(format!("tdaw-sig-{tag}-{}", std::process::id()), "sig");
    tmux.start(100, 30, &script);
    tmux
}

fn autosaves(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join(".tdaw"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("autosave-"))
        })
        .collect()
}

fn project(dir: &Path) {
    tdaw::store::create_project(dir, 48_000, 120.0).unwrap();
    tdaw::store::write_project(dir, &tdaw::cli::demo::demo_project()).unwrap();
}

#[test]
fn hup_term_and_quit_autosave_restore_the_terminal_and_exit() {
    if !tmux_available() {
        println!("note: tmux is not installed; skipping the signal tests");
        return;
    }
    for (sig, name) in [
        (libc::SIGHUP, "HUP"),
        (libc::SIGTERM, "TERM"),
        (libc::SIGQUIT, "QUIT"),
    ] {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("song");
        project(&dir);
        let before = std::fs::read(dir.join("project.toml")).unwrap();
        let after = home.path().join("after.txt");
        let tmux = start(name, home.path(), &dir, &after);
        tmux.wait_for("Chords", Duration::from_secs(10));
        let pid = tmux.child_pid();
        // An edit, then the signal at once: before the idle autosave could have run.
        tmux.keys(&["m"]);
        tmux.wait_for("Drums muted", Duration::from_secs(3));
        assert!(autosaves(&dir).is_empty(), "{name}: no autosave yet");
        // SAFETY: kill(2) on the pid of the tdaw this test started.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
        tmux.wait_for("DONE", Duration::from_secs(3));
        let report = std::fs::read_to_string(&after).unwrap();
        assert!(
            report.starts_with(&format!("EXITED:{}", 128 + sig)),
            "{name}: {report}"
        );
        // The terminal is a shell's terminal again.
        let words: Vec<&str> = report.split_whitespace().collect();
        for flag in ["icanon", "echo", "icrnl", "opost"] {
            assert!(words.contains(&flag), "{name}: {flag} missing in\n{report}");
        }
        assert_eq!(
            tmux.format("#{alternate_on}"),
            "0",
            "{name}: alternate screen left"
        );
        assert_eq!(
            tmux.format("#{mouse_any_flag}"),
            "0",
            "{name}: mouse reporting off"
        );
        assert_eq!(tmux.format("#{cursor_flag}"), "1", "{name}: cursor shown");
        // project.toml untouched; the edit is in the autosave and offered on the next open.
        assert_eq!(std::fs::read(dir.join("project.toml")).unwrap(), before);
        let files = autosaves(&dir);
        assert_eq!(files.len(), 1, "{name}: {files:?}");
        std::env::set_var("TDAW_HOME", home.path());
        let app = tdaw::ui::open_app(&dir).unwrap();
        match app.popups.as_slice() {
            [tdaw::ui::app::Popup::Recover { autosave, .. }] => {
                assert!(
                    autosave.tracks[0].mute,
                    "{name}: the edit is in the autosave"
                )
            }
            other => panic!("{name}: no recovery offered: {other:?}"),
        }
    }
}

#[test]
fn killing_the_terminal_still_leaves_the_autosave() {
    if !tmux_available() {
        println!("note: tmux is not installed; skipping the signal tests");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("song");
    project(&dir);
    let after = home.path().join("after.txt");
    let tmux = start("kill", home.path(), &dir, &after);
    tmux.wait_for("Chords", Duration::from_secs(10));
    let pid = tmux.child_pid();
    tmux.keys(&["j", "m"]);
    tmux.wait_for("Bass muted", Duration::from_secs(3));
    // The pty goes away and tdaw gets SIGHUP, as when an SSH connection drops.
    tmux.cmd(&["kill-server"]);
    let t = Instant::now();
    // Running while /proc lists it and it is not a zombie (nobody may reap it here).
    let running = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| {
                !s.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z')
            })
            .unwrap_or(false)
    };
    while running() {
        assert!(t.elapsed() < Duration::from_secs(5), "tdaw did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
    let files = autosaves(&dir);
    assert_eq!(files.len(), 1, "{files:?}");
    let p = tdaw::store::format::from_bytes(&std::fs::read(&files[0]).unwrap()).unwrap();
    assert!(p.tracks[1].mute, "the edit is in the autosave");
}

#[test]
fn headless_play_stops_cleanly_on_hup() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("song");
    project(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_tdaw"))
        .args(["play", dir.to_str().unwrap(), "--null"])
        .env("TDAW_HOME", home.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it plays (it says so on stderr), then hang up.
    let mut stderr = child.stderr.take().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while std::io::Read::read(&mut stderr, &mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    assert!(
        String::from_utf8_lossy(&line).contains("playing"),
        "{}",
        String::from_utf8_lossy(&line)
    );
    // SAFETY: kill(2) on the child this test started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGHUP) }, 0);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("stopped at bar"));
}
