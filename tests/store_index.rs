//! The SQLite index as a cache: deleting or corrupting it loses no project, and two processes
//! writing to it at once both succeed.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Stdio;

fn tdaw(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tdaw"));
    c.env("TDAW_HOME", home);
    c
}

/// Creates `n` projects with `tdaw new`; returns their canonical paths.
fn create(home: &Path, root: &Path, n: usize) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let dir = root.join(format!("song {i}"));
            tdaw(home)
                .arg("new")
                .arg(&dir)
                .args(["--bpm", &format!("{}", 100 + i)])
                .assert()
                .success()
                .stderr("");
            dir.canonicalize().unwrap()
        })
        .collect()
}

/// `tdaw list --json` as (path, name, bpm), sorted by path.
fn listed(home: &Path) -> Vec<(String, String, f64)> {
    let out = tdaw(home).args(["list", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "no warnings");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut all: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["name"].as_str().unwrap().to_string(),
                e["bpm"].as_f64().unwrap_or(-1.0),
            )
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

fn expected(paths: &[PathBuf]) -> Vec<(String, String, f64)> {
    let mut e: Vec<_> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                p.to_str().unwrap().to_string(),
                format!("song {i}"),
                100.0 + i as f64,
            )
        })
        .collect();
    e.sort_by(|a, b| a.0.cmp(&b.0));
    e
}

#[test]
fn a_deleted_index_is_rebuilt_with_every_project() {
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let paths = create(home.path(), root.path(), 6);
    assert_eq!(listed(home.path()), expected(&paths));
    for f in ["index.sqlite3", "index.sqlite3-wal", "index.sqlite3-shm"] {
        let _ = std::fs::remove_file(home.path().join(f));
    }
    assert_eq!(listed(home.path()), expected(&paths));
    assert!(home.path().join("index.sqlite3").exists());
}

#[test]
fn a_corrupted_index_is_rebuilt_with_every_project() {
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let paths = create(home.path(), root.path(), 5);
    let db = home.path().join("index.sqlite3");

    // Garbage bytes over the whole file.
    let garbage: Vec<u8> = (0..64 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&db, &garbage).unwrap();
    assert_eq!(listed(home.path()), expected(&paths));
    let broken = home.path().join("index.sqlite3.broken");
    assert_eq!(std::fs::read(&broken).unwrap(), garbage, "kept aside");
    std::fs::remove_file(&broken).unwrap();

    // A valid header with damaged pages behind it: caught by the integrity check.
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.starts_with(b"SQLite format 3\0"));
    for b in bytes.iter_mut().skip(4096).take(4096) {
        *b = 0xA5;
    }
    std::fs::write(&db, &bytes).unwrap();
    let _ = std::fs::remove_file(home.path().join("index.sqlite3-wal"));
    assert_eq!(listed(home.path()), expected(&paths));
    assert!(
        broken.exists(),
        "the damaged file was detected and moved aside"
    );

    // A new project after the rebuild joins the others.
    let more = root.path().join("song 5");
    tdaw(home.path())
        .arg("new")
        .arg(&more)
        .args(["--bpm", "105"])
        .assert()
        .success();
    let mut all = paths.clone();
    all.push(more.canonicalize().unwrap());
    assert_eq!(listed(home.path()), expected(&all));
}

#[test]
fn the_list_file_and_the_database_fill_each_other_in() {
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let paths = create(home.path(), root.path(), 3);
    // The plain list is lost: the next open writes it again from the database.
    std::fs::remove_file(home.path().join("projects.txt")).unwrap();
    assert_eq!(listed(home.path()), expected(&paths));
    let list = std::fs::read_to_string(home.path().join("projects.txt")).unwrap();
    assert_eq!(list.lines().count(), 3, "{list}");
    // And then the database too: nothing is lost.
    std::fs::remove_file(home.path().join("index.sqlite3")).unwrap();
    assert_eq!(listed(home.path()), expected(&paths));
}

const CHILD_HOME: &str = "TDAW_INDEX_TEST_HOME";
const CHILD_ROOT: &str = "TDAW_INDEX_TEST_ROOT";

#[test]
#[ignore = "run by two_processes_writing_at_once_both_succeed as its child process"]
fn child_record_loop() {
    let home = PathBuf::from(std::env::var_os(CHILD_HOME).unwrap());
    let root = PathBuf::from(std::env::var_os(CHILD_ROOT).unwrap());
    let who = std::process::id();
    for i in 0..40 {
        let dir = root.join(format!("p{who}-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut p = tdaw::model::Project::new(format!("p{who}-{i}"), 48_000, 120.0);
        p.tracks.push(tdaw::model::Track::new(
            tdaw::model::TrackId(1),
            "t",
            tdaw::model::TrackKind::Midi,
        ));
        tdaw::store::write_project(&dir, &p).unwrap();
        // Open per write, as every tdaw command does, and write without any retry of our own.
        let mut idx = tdaw::store::index::Index::open_in(&home).unwrap();
        idx.record_project(&dir, &p).unwrap();
        let s = idx.session_start(&dir).unwrap();
        idx.session_end(s).unwrap();
    }
}

#[test]
fn two_processes_writing_at_once_both_succeed() {
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "--ignored",
                    "--exact",
                    "child_record_loop",
                    "--test-threads=1",
                ])
                .env(CHILD_HOME, home.path())
                .env(CHILD_ROOT, root.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let all = listed(home.path());
    assert_eq!(all.len(), 80);
    let list = std::fs::read_to_string(home.path().join("projects.txt")).unwrap();
    assert_eq!(list.lines().count(), 80);
}

#[test]
fn two_tdaw_new_at_once_both_land_in_the_index() {
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    // Rounds of two simultaneous `tdaw new`, starting from no index at all.
    let mut paths = Vec::new();
    for round in 0..6 {
        let kids: Vec<_> = (0..2)
            .map(|k| {
                let dir = root.path().join(format!("r{round}-{k}"));
                paths.push(dir.clone());
                std::process::Command::new(env!("CARGO_BIN_EXE_tdaw"))
                    .env("TDAW_HOME", home.path())
                    .arg("new")
                    .arg(&dir)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for k in kids {
            let out = k.wait_with_output().unwrap();
            assert!(out.status.success());
            assert_eq!(String::from_utf8_lossy(&out.stderr), "", "no index warning");
        }
    }
    assert_eq!(listed(home.path()).len(), paths.len());
}
