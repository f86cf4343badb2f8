//! The TUI entry points as a user runs them, where no terminal is needed: a folder without a
//! project is refused (no terminal to ask on), and `tdaw demo` writes its song only once.

use assert_cmd::Command;
use predicates::prelude::*;

#[test]
fn opening_a_folder_without_a_project_fails_clearly_without_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("nothing-here");
    Command::cargo_bin("tdaw")
        .unwrap()
        .env("TDAW_HOME", home.path())
        .arg(&dir)
        .write_stdin("")
        .assert()
        .failure()
        .stderr(predicate::str::starts_with("error: "))
        .stderr(predicate::str::contains("not a tdaw project"))
        .stderr(predicate::str::contains("tdaw new"))
        .stderr(predicate::str::contains("panicked").not());
    assert!(!dir.exists(), "nothing is created without asking");
}

#[test]
fn a_broken_project_is_refused_with_one_line_and_left_untouched() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("song");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("project.toml"), "this is = not [valid").unwrap();
    let before = std::fs::read(dir.join("project.toml")).unwrap();
    Command::cargo_bin("tdaw")
        .unwrap()
        .env("TDAW_HOME", home.path())
        .arg(&dir)
        .write_stdin("")
        .assert()
        .failure()
        .stderr(predicate::str::contains("project.toml"))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    assert_eq!(std::fs::read(dir.join("project.toml")).unwrap(), before);
}

#[test]
fn the_demo_song_is_written_once_into_the_data_dir() {
    let home = tempfile::tempdir().unwrap();
    let dir = tdaw_demo_dir(home.path());
    assert!(!dir.exists());
    // No terminal: the TUI cannot start, but the song is written first.
    Command::cargo_bin("tdaw")
        .unwrap()
        .env("TDAW_HOME", home.path())
        .arg("demo")
        .write_stdin("")
        .assert()
        .failure()
        .stderr(predicate::str::contains("terminal"));
    let p = tdaw::store::load_project(&dir).unwrap();
    // Mixed for the instruments that will play it.
    let sound = match tdaw::engine::instrument::find_soundfont(None) {
        Some(_) => tdaw::cli::demo::Sound::SoundFont,
        None => tdaw::cli::demo::Sound::Synth,
    };
    assert_eq!(p, tdaw::cli::demo::demo_project_for(sound));
    // An edited demo is not overwritten.
    let mut edited = p.clone();
    edited.name = "my demo".into();
    tdaw::store::write_project(&dir, &edited).unwrap();
    Command::cargo_bin("tdaw")
        .unwrap()
        .env("TDAW_HOME", home.path())
        .arg("demo")
        .write_stdin("")
        .assert()
        .failure();
    assert_eq!(tdaw::store::load_project(&dir).unwrap().name, "my demo");
}

fn tdaw_demo_dir(home: &std::path::Path) -> std::path::PathBuf {
    home.join("demo")
}
