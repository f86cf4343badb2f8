//! `tdaw render`, `tdaw play` and `tdaw devices` as a user runs them.

mod engine_common;

use assert_cmd::Command;
use engine_common::*;
use predicates::prelude::*;
use std::path::Path;

fn tdaw(home: &Path) -> Command {
    let mut c = Command::cargo_bin("tdaw").unwrap();
    c.env("TDAW_HOME", home).env_remove("TDAW_SOUNDFONT");
    c
}

fn saved_project() -> tempfile::TempDir {
    let d = project_dir();
    write_wav(
        &d.path().join("audio/a.wav"),
        48_000,
        2,
        false,
        &signal(48_000, 2, 1),
    );
    let mut p = project();
    p.tracks
        .push(audio_track(1, "Guitar", "audio/a.wav", 0.0, 1.0));
    p.tracks.push(midi_track(2, "bass", 2.0, &[(40, 0.0, 1.0)]));
    tdaw::store::save_project(d.path(), &p).unwrap();
    d
}

#[test]
fn render_writes_the_file_and_prints_peak_and_loudness() {
    let d = saved_project();
    let home = tempfile::tempdir().unwrap();
    let out = d.path().join("mix.wav");
    tdaw(home.path())
        .args(["render"])
        .arg(d.path())
        .arg("-o")
        .arg(&out)
        .args(["--bit-depth", "16", "--stems"])
        .assert()
        .success()
        .stdout(predicate::str::contains("dBFS").and(predicate::str::contains("LUFS")))
        .stderr(predicate::str::is_empty());
    let (_, spec) = read_wav(&out);
    assert_eq!(
        (spec.bits_per_sample, spec.sample_rate, spec.channels),
        (16, 48_000, 2)
    );
    assert!(d.path().join("mix-01-Guitar.wav").is_file());
    assert!(d.path().join("mix-02-Synth.wav").is_file());
}

#[test]
fn render_errors_are_one_line() {
    let d = saved_project();
    let home = tempfile::tempdir().unwrap();
    let before = std::fs::read(d.path().join("project.toml")).unwrap();
    tdaw(home.path())
        .arg("render")
        .arg(d.path())
        .args(["-o", "x.wav", "--bit-depth", "20"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("20"));
    // A corrupt audio file: a clear line naming it, no panic, project untouched.
    std::fs::write(d.path().join("audio/a.wav"), b"RIFF\x10\0\0\0WAVEjunk").unwrap();
    let out = tdaw(home.path())
        .arg("render")
        .arg(d.path())
        .arg("-o")
        .arg(d.path().join("y.wav"))
        .assert()
        .failure()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: ") && err.contains("a.wav"), "{err}");
    assert!(!err.contains("panicked"));
    assert_eq!(
        std::fs::read(d.path().join("project.toml")).unwrap(),
        before
    );
    // Into a folder that does not exist.
    tdaw(home.path())
        .arg("render")
        .arg(d.path())
        .arg("-o")
        .arg(d.path().join("no/such/dir/z.wav"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("z.wav"));
}

#[test]
fn play_runs_until_ctrl_c_printing_the_position() {
    let d = saved_project();
    let home = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("tdaw"))
        .env("TDAW_HOME", home.path())
        .arg("play")
        .arg(d.path())
        .arg("--null")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Bar 2 is 2–4 s of playback: 3 s of wall time leaves a second for start-up on a loaded
    // machine, and the null backend never runs ahead of real time.
    std::thread::sleep(std::time::Duration::from_millis(3000));
    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("no audio device — silent"), "{stderr}");
    assert!(stdout.contains("bar 1 beat 1"), "{stdout}");
    let last = stdout.lines().last().unwrap();
    assert!(last.starts_with("stopped at bar"), "{stdout}");
    // Two to three seconds played: bar 2 at 120 BPM.
    assert!(last.contains("bar 2"), "{stdout}");
}

#[test]
fn devices_lists_the_null_backend_and_midi_state() {
    let home = tempfile::tempdir().unwrap();
    tdaw(home.path())
        .arg("devices")
        .assert()
        .success()
        .stdout(predicate::str::contains("null").and(predicate::str::contains("MIDI inputs:")))
        .stderr(predicate::str::is_empty());
    let out = tdaw(home.path())
        .args(["devices", "--json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["null_backend"], true);
    assert!(v["audio"].is_array());
}
