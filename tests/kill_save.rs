//! A process saving in a loop is killed (SIGKILL) at random moments, 50 times: `project.toml`
//! must always load, and always be one whole version, never a mixture. The child is this test
//! binary itself, re-run with `--ignored --exact child_save_loop`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tdaw::model::*;

const CHILD_DIR: &str = "TDAW_KILL_TEST_DIR";

/// Version `v` of the project: its name says `v`, and its note count follows from `v`, so a
/// file mixing two versions cannot pass the check.
fn version(v: u64) -> Project {
    let mut p = Project::new(format!("v{v}"), 48_000, 120.0);
    let mut t = Track::new(TrackId(1), "Keys", TrackKind::Midi);
    let n = notes_for(v);
    t.clips.push(Clip {
        id: ClipId(1),
        name: String::new(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Midi(MidiClip {
            offset: 0.0,
            controllers: Vec::new(),
            length: 4096.0,
            notes: (0..n)
                .map(|i| Note {
                    pitch: (36 + (i + v as usize) % 60) as u8,
                    // One division, so the value is the decimal itself (the writer tidies a
                    // sum like 0.125 + 0.007008 = 0.13200800000000001 to 0.132008).
                    start: (i as f64 * 125_000.0 + v as f64) / 1e6,
                    length: 0.1,
                    velocity: 1 + (i % 127) as u8,
                    channel: (i % 16) as u8,
                })
                .collect(),
        }),
    });
    p.tracks.push(t);
    p
}

fn notes_for(v: u64) -> usize {
    300 + (v as usize * 7_919) % 900
}

fn check_whole_version(dir: &Path) -> u64 {
    let p = tdaw::store::load_project(dir)
        .unwrap_or_else(|e| panic!("project.toml does not load after a kill: {e}"));
    let v: u64 = p.name[1..].parse().unwrap();
    assert_eq!(p, version(v), "version {v} is not whole");
    v
}

/// The version named in `project.toml` right now (0 while unreadable).
fn saved_version(dir: &Path) -> u64 {
    let text = std::fs::read_to_string(dir.join("project.toml")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("name = \"v"))
        .and_then(|rest| rest.trim_end_matches('"').parse().ok())
        .unwrap_or(0)
}

#[test]
#[ignore = "run by killed_saves_always_leave_a_loadable_project as its child process"]
fn child_save_loop() {
    let dir = std::env::var_os(CHILD_DIR).expect("run by the kill test");
    let start: u64 = std::env::var("TDAW_KILL_TEST_START")
        .unwrap()
        .parse()
        .unwrap();
    for v in start.. {
        tdaw::store::save_project(Path::new(&dir), &version(v)).unwrap();
    }
}

#[test]
fn killed_saves_always_leave_a_loadable_project() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    tdaw::store::write_project(dir.path(), &version(0)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    // xorshift seeded from the clock: different moments each run.
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("seed {seed}");
    let mut versions = std::collections::BTreeSet::new();
    let mut next = 1u64;
    for _ in 0..50 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "child_save_loop",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, dir.path())
            .env("TDAW_HOME", home.path())
            .env("TDAW_KILL_TEST_START", next.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the child's first save, so that the kill lands inside the save loop rather
        // than during start-up, then let it run for a random 0-40 ms (a save takes ~10-30 ms).
        let waiting = Instant::now();
        while saved_version(dir.path()) < next {
            assert!(
                waiting.elapsed() < Duration::from_secs(20),
                "the child never saved"
            );
            std::thread::sleep(Duration::from_micros(500));
        }
        std::thread::sleep(Duration::from_micros(seed % 40_000));
        child.kill().unwrap();
        child.wait().unwrap();
        let v = check_whole_version(dir.path());
        versions.insert(v);
        next = next.max(v + 1) + 1_000;
    }
    // Every round saw a new version: the kills landed while saves were going on.
    assert!(
        versions.len() >= 25,
        "only {} distinct versions",
        versions.len()
    );
    // Backups never exceed five, and each of them is a whole version too.
    let backups = tdaw::store::atomic::list_backups(&dir.path().join(".tdaw/backups")).unwrap();
    assert!(backups.len() <= tdaw::store::atomic::BACKUPS_KEPT);
    for b in &backups {
        let p = tdaw::store::format::from_bytes(&std::fs::read(b).unwrap()).unwrap();
        let v: u64 = p.name[1..].parse().unwrap();
        assert_eq!(p, version(v), "backup {} is not whole", b.display());
    }
    // The index survived the kills as well.
    let idx = tdaw::store::index::Index::open_in(home.path()).unwrap();
    let listed = idx.list_projects().unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].name.starts_with('v'));
    println!(
        "{} versions seen in {:.1} s",
        versions.len(),
        started.elapsed().as_secs_f64()
    );
}

/// What a kill can only rarely catch (the moment between truncating and writing), a reader
/// running beside the saver catches at once: it must only ever see whole versions.
#[test]
fn a_concurrent_reader_never_sees_a_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    tdaw::store::write_project(dir.path(), &version(0)).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let read_count = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let reader = {
        let (dir, stop, count) = (dir.path().to_path_buf(), stop.clone(), read_count.clone());
        std::thread::spawn(move || {
            let mut reads = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let bytes = std::fs::read(dir.join("project.toml")).unwrap();
                let p = tdaw::store::format::from_bytes(&bytes).unwrap_or_else(|e| {
                    panic!("a reader saw a partial file ({} bytes): {e}", bytes.len())
                });
                assert_eq!(
                    p.tracks[0].note_count(),
                    notes_for(p.name[1..].parse().unwrap())
                );
                reads += 1;
                count.store(reads, std::sync::atomic::Ordering::Relaxed);
            }
            reads
        })
    };
    // Save at least 40 versions, and keep saving until the reader has overlapped with many
    // saves (on a loaded machine the reader may get little CPU at first); bounded in time.
    let started = std::time::Instant::now();
    let mut v = 1;
    while v <= 40
        || (read_count.load(std::sync::atomic::Ordering::Relaxed) <= 50
            && started.elapsed().as_secs() < 30)
    {
        tdaw::store::write_project(dir.path(), &version(v % 200)).unwrap();
        v += 1;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reads = reader.join().unwrap();
    assert!(reads > 10, "only {reads} reads");
}
