//! Defects found by trying to lose work on purpose, as a musician over SSH would: each test
//! reproduces one of them (see the "breakit" report) and checks the file or the screen.

mod ui_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use tdaw::ui::{open_app, update, Action, App};
use ui_support::press;

const BIN: &str = env!("CARGO_BIN_EXE_tdaw");

/// One index for the whole test binary (the TUI side runs in this process).
fn home() -> &'static Path {
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        let h = tempfile::tempdir().unwrap();
        std::env::set_var("TDAW_HOME", h.path());
        h
    })
    .path()
}

fn new_project(root: &Path) -> PathBuf {
    let project = root.join("song");
    let out = Command::new(BIN)
        .args(["new", project.to_str().unwrap()])
        .env("TDAW_HOME", home())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    project
}

fn open(dir: &Path) -> App {
    let mut app = open_app(dir).unwrap();
    update(&mut app, Action::Resize(120, 40));
    app
}

fn idle_tick(app: &mut App) {
    app.disk.last_input = std::time::Instant::now() - std::time::Duration::from_millis(1_100);
    app.last_autosave = std::time::Instant::now() - tdaw::ui::autosave::RETRY;
    tdaw::ui::run_jobs(app);
}

/// A full disk made the autosave fail once; after space came back it was never tried again
/// (the edit counted as autosaved), so a later SIGKILL or power cut lost the edit.
#[test]
fn a_failed_autosave_is_tried_again_without_a_new_edit() {
    let root = tempfile::tempdir().unwrap();
    let dir = new_project(root.path());
    let mut app = open(&dir);
    let path = tdaw::ui::autosave::path_for(&dir, &app.disk.id);
    // A directory where the autosave goes: its rename fails, as on a full disk.
    std::fs::create_dir_all(path.join("blocker")).unwrap();
    press(&mut app, ":bpm 133<ret>");
    idle_tick(&mut app);
    assert!(app.status.error, "{}", app.status.text);
    assert!(
        app.status.text.starts_with("autosave failed: "),
        "{}",
        app.status.text
    );
    // The failure is said once, not on every retry (it would hide a :w error).
    app.info("something else");
    idle_tick(&mut app);
    assert_eq!(app.status.text, "something else");
    // Room again: the next retry writes it, with no key pressed.
    std::fs::remove_dir_all(&path).unwrap();
    idle_tick(&mut app);
    let text = std::fs::read_to_string(&path).expect("autosave written on retry");
    let p = tdaw::store::format::from_str(&text).unwrap();
    assert_eq!(p.tempo.initial_bpm(), 133.0);
}

/// `tdaw DIR` where `project.toml` is a folder said "not a tdaw project (no project.toml)" (on
/// a terminal: "holds no tdaw project. Create one there?"), hiding what is wrong; it is the
/// loader's one line, as `tdaw info` says it, and the folder is left alone.
#[test]
fn opening_a_project_whose_toml_is_a_folder_names_the_problem() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("odd");
    std::fs::create_dir_all(dir.join("project.toml")).unwrap();
    let out = Command::new(BIN)
        .arg(&dir)
        .env("TDAW_HOME", home())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("project.toml: is not a regular file"), "{err}");
    assert!(!err.contains("not a tdaw project"), "{err}");
    assert!(dir.join("project.toml").is_dir());
}
