//! `tdaw new`, `tdaw info` and `tdaw list` run as the real binary, and every kind of bad
//! `project.toml` the issue names: one `error:` line naming the file and the problem, a
//! non-zero exit, no panic, and the file byte-identical afterwards.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn tdaw(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tdaw"));
    c.env("TDAW_HOME", home).env_remove("RUST_BACKTRACE");
    c
}

/// Runs tdaw and returns (exit code, stdout, stderr).
fn run(home: &Path, args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = tdaw(home).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// A valid project with one audio clip (a real WAV) and one MIDI clip of 3 notes.
const VALID: &str = r#"format_version = 1
name = "Bad Input"
sample_rate = 48000
tempo = [
    { beat = 0.0, bpm = 120.0 },
]
time_signature = { numerator = 4, denominator = 4 }

[[track]]
id = 1
name = "Drums"
kind = "audio"

[[track.clip]]
id = 1
start = 0.0
type = "audio"
file = "audio/drums.wav"
length = 0.5

[[track]]
id = 2
name = "Keys"
kind = "midi"
instrument = { type = "general_midi", program = 4 }

[[track.clip]]
id = 2
start = 4.0
type = "midi"
length = 4.0
notes = [
    [60, 0.0, 1.0, 100, 0],
    [64, 1.0, 1.0, 100, 0],
    [67, 2.0, 2.0, 90, 0],
]
"#;

fn write_wav(path: &Path) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..24_000 {
        let s = ((i as f32 * 0.05).sin() * 8000.0) as i16;
        w.write_sample(s).unwrap();
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

fn valid_project(dir: &Path) {
    fs::create_dir_all(dir.join("audio")).unwrap();
    write_wav(&dir.join("audio/drums.wav"));
    fs::write(dir.join("project.toml"), VALID).unwrap();
}

#[test]
fn new_creates_a_project_that_info_and_list_report() {
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("My Song");
    let (code, out, err) = run(
        home.path(),
        &[
            os("new"),
            dir.as_os_str(),
            os("--bpm"),
            os("92.5"),
            os("--sample-rate"),
            os("44100"),
        ],
    );
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(out.contains("created project 'My Song'"), "{out}");
    for sub in ["audio", "renders", ".tdaw"] {
        assert!(dir.join(sub).is_dir(), "{sub}");
    }
    let p = tdaw::store::load_project(&dir).unwrap();
    assert_eq!(
        (p.tempo.initial_bpm(), p.sample_rate, p.name.as_str()),
        (92.5, 44_100, "My Song")
    );

    let (code, out, err) = run(home.path(), &[os("info"), dir.as_os_str(), os("--json")]);
    assert_eq!((code, err.as_str()), (0, ""));
    let v = json(&out);
    assert_eq!(v["bpm"], 92.5);
    assert_eq!(v["sample_rate"], 44_100);
    assert_eq!(v["name"], "My Song");
    assert_eq!(v["time_signature"], "4/4");
    assert_eq!(v["tracks"], Value::Array(vec![]));

    let (code, out, _) = run(home.path(), &[os("list"), os("--json")]);
    assert_eq!(code, 0);
    let v = json(&out);
    let all = v.as_array().unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["name"], "My Song");
    assert_eq!(all[0]["status"], "ok");
    assert_eq!(all[0]["bpm"], 92.5);
    assert_eq!(
        all[0]["path"],
        dir.canonicalize().unwrap().to_str().unwrap()
    );
}

#[test]
fn info_reports_tracks_clips_and_notes() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    valid_project(dir.path());
    let (code, out, err) = run(
        home.path(),
        &[os("info"), dir.path().as_os_str(), os("--json")],
    );
    assert_eq!((code, err.as_str()), (0, ""));
    let v = json(&out);
    assert_eq!(v["bpm"], 120.0);
    assert_eq!(v["sample_rate"], 48_000);
    let tracks = v["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 2);
    assert_eq!(tracks[0]["name"], "Drums");
    assert_eq!(tracks[0]["kind"], "audio");
    assert_eq!(tracks[0]["clips"], 1);
    assert!(tracks[0].get("notes").is_none());
    assert_eq!(tracks[1]["name"], "Keys");
    assert_eq!(tracks[1]["kind"], "midi");
    assert_eq!(tracks[1]["clips"], 1);
    assert_eq!(tracks[1]["notes"], 3);
    // The MIDI clip ends at beat 8 = 4 s at 120 BPM.
    assert_eq!(v["length_beats"], 8.0);
    assert_eq!(v["length_seconds"], 4.0);

    let (code, out, _) = run(home.path(), &[os("info"), dir.path().as_os_str()]);
    assert_eq!(code, 0);
    assert!(out.contains("tempo        120 BPM, 4/4"), "{out}");
    assert!(out.contains("length       0:04.0 (8 beats)"), "{out}");
    let keys = out.lines().find(|l| l.contains("Keys")).unwrap();
    assert_eq!(
        keys.split_whitespace().collect::<Vec<_>>(),
        ["2", "Keys", "midi", "1", "3", "+0.0", "dB", "C"]
    );
}

#[test]
fn list_shows_every_project_and_marks_missing_ones() {
    let home = tempfile::tempdir().unwrap();
    let (code, out, _) = run(home.path(), &[os("list")]);
    assert_eq!(code, 0);
    assert!(out.starts_with("no projects yet"), "{out}");
    let (_, out, _) = run(home.path(), &[os("list"), os("--json")]);
    assert_eq!(json(&out), Value::Array(vec![]));

    let root = tempfile::tempdir().unwrap();
    for name in ["one", "two", "three"] {
        let (code, _, err) = run(
            home.path(),
            &[os("new"), root.path().join(name).as_os_str()],
        );
        assert_eq!((code, err.as_str()), (0, ""));
    }
    fs::remove_dir_all(root.path().join("two")).unwrap();
    let (_, out, _) = run(home.path(), &[os("list"), os("--json")]);
    let v = json(&out);
    let mut seen: Vec<(String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("one".to_string(), "ok".to_string()),
            ("three".to_string(), "ok".to_string()),
            ("two".to_string(), "missing".to_string())
        ]
    );
    let (_, out, _) = run(home.path(), &[os("list")]);
    assert!(out.starts_with("NAME"), "{out}");
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("two ") && l.ends_with("(missing)")),
        "{out}"
    );
}

#[test]
fn new_refuses_bad_arguments_and_existing_projects() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    valid_project(dir.path());
    let before = fs::read(dir.path().join("project.toml")).unwrap();
    let target = dir.path().join("fresh");
    for (args, problem) in [
        (
            vec!["--bpm", "0"],
            "--bpm 0: the tempo must be between 1 and 999 BPM",
        ),
        (vec!["--bpm", "-5"], "--bpm -5"),
        (vec!["--bpm", "1e9"], "--bpm 1000000000"),
        (vec!["--sample-rate", "0"], "--sample-rate 0"),
    ] {
        let mut a = vec![os("new"), target.as_os_str()];
        a.extend(args.iter().map(|s| os(s)));
        let (code, out, err) = run(home.path(), &a);
        assert_ne!(code, 0);
        assert_eq!(out, "");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error: ") && err.contains(problem), "{err}");
        assert!(!target.exists());
    }
    let (code, _, err) = run(home.path(), &[os("new"), dir.path().as_os_str()]);
    assert_ne!(code, 0);
    assert!(err.contains("a project already exists here"), "{err}");
    assert_eq!(fs::read(dir.path().join("project.toml")).unwrap(), before);
}

/// Writes `text` as project.toml, runs `info` and `info --json` (and `new`, which must refuse),
/// and checks the error line and that the file did not change.
fn expect_rejected(case: &str, text: &[u8], problem: &str, setup: impl Fn(&Path)) {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    valid_project(dir.path());
    setup(dir.path());
    let file = dir.path().join("project.toml");
    fs::write(&file, text).unwrap();
    for args in [
        vec![os("info"), dir.path().as_os_str()],
        vec![os("info"), dir.path().as_os_str(), os("--json")],
        vec![os("new"), dir.path().as_os_str()],
    ] {
        let (code, out, err) = run(home.path(), &args);
        assert_ne!(code, 0, "{case}: {args:?}");
        assert_eq!(out, "", "{case}: stdout must be empty");
        assert!(!err.contains("panicked"), "{case}: {err}");
        assert_eq!(err.lines().count(), 1, "{case}: {err}");
        assert!(err.starts_with("error: "), "{case}: {err}");
        if args[0] == "info" {
            assert!(
                err.contains(&format!("{}: ", file.display())),
                "{case}: the error must name the file: {err}"
            );
            assert!(
                err.contains(problem),
                "{case}: expected {problem:?} in {err}"
            );
        }
        assert_eq!(fs::read(&file).unwrap(), text, "{case}: file changed");
    }
}

fn replaced(from: &str, to: &str) -> Vec<u8> {
    assert!(VALID.contains(from), "{from}");
    VALID.replacen(from, to, 1).into_bytes()
}

#[test]
fn the_valid_fixture_loads() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    valid_project(dir.path());
    let (code, _, err) = run(home.path(), &[os("info"), dir.path().as_os_str()]);
    assert_eq!((code, err.as_str()), (0, ""));
}

#[test]
fn syntax_error() {
    expect_rejected(
        "syntax",
        &replaced("sample_rate = 48000", "sample_rate = 48000 oops"),
        "line 3",
        |_| {},
    );
    expect_rejected("truncated", &VALID.as_bytes()[..200], "line ", |_| {});
    expect_rejected("empty", b"", "format_version: missing", |_| {});
}

#[test]
fn bad_tempos() {
    for (bpm, problem) in [
        ("0.0", "tempo[0].bpm: 0 is outside 1..=999"),
        ("-120.0", "tempo[0].bpm: -120 is outside 1..=999"),
        ("1e9", "tempo[0].bpm: 1000000000 is outside 1..=999"),
        ("nan", "tempo[0].bpm: NaN is not a finite number"),
        ("\"fast\"", "line 5"),
    ] {
        expect_rejected(
            bpm,
            &replaced("bpm = 120.0", &format!("bpm = {bpm}")),
            problem,
            |_| {},
        );
    }
}

#[test]
fn bad_sample_rates() {
    expect_rejected(
        "rate 0",
        &replaced("sample_rate = 48000", "sample_rate = 0"),
        "sample_rate: 0 Hz is outside 8000..=384000",
        |_| {},
    );
    expect_rejected(
        "rate -1",
        &replaced("sample_rate = 48000", "sample_rate = -1"),
        "line 3 (`sample_rate = -1`)",
        |_| {},
    );
}

#[test]
fn clip_paths_that_leave_the_folder() {
    expect_rejected(
        "dotdot",
        &replaced("audio/drums.wav", "../../etc/passwd"),
        "track[0].clip[0].file: '../../etc/passwd' leaves the project folder",
        |_| {},
    );
    expect_rejected(
        "absolute",
        &replaced("audio/drums.wav", "/etc/passwd"),
        "track[0].clip[0].file: '/etc/passwd' is an absolute path",
        |_| {},
    );
    expect_rejected(
        "symlink",
        &replaced("audio/drums.wav", "audio/link.wav"),
        "track[0].clip[0].file: 'audio/link.wav' leaves the project folder",
        |dir| std::os::unix::fs::symlink("/etc/passwd", dir.join("audio/link.wav")).unwrap(),
    );
    expect_rejected(
        "symlinked folder",
        &replaced("audio/drums.wav", "linked/passwd"),
        "leaves the project folder",
        |dir| std::os::unix::fs::symlink("/etc", dir.join("linked")).unwrap(),
    );
}

#[test]
fn missing_audio_file() {
    expect_rejected(
        "missing",
        &replaced("audio/drums.wav", "audio/gone.wav"),
        "track[0].clip[0].file: audio file 'audio/gone.wav' is missing",
        |_| {},
    );
}

#[test]
fn other_bad_values() {
    expect_rejected(
        "unknown key",
        &replaced("name = \"Drums\"", "name = \"Drums\"\nvolume = 3"),
        "track[0].volume: unknown key",
        |_| {},
    );
    expect_rejected(
        "newer version",
        &replaced("format_version = 1", "format_version = 99"),
        "format_version: 99 is not a version this tdaw reads",
        |_| {},
    );
    expect_rejected(
        "velocity",
        &replaced("[60, 0.0, 1.0, 100, 0]", "[60, 0.0, 1.0, 0, 0]"),
        "track[1].clip[0].notes[0].velocity: 0 is outside 1..=127",
        |_| {},
    );
    expect_rejected(
        "pitch",
        &replaced("[60, 0.0, 1.0, 100, 0]", "[300, 0.0, 1.0, 100, 0]"),
        "track[1].clip[0].notes[0]: invalid value: integer `300`, expected u8",
        |_| {},
    );
    expect_rejected(
        "clip without length",
        &replaced(
            "file = \"audio/drums.wav\"\nlength = 0.5",
            "file = \"audio/drums.wav\"",
        ),
        "track[0].clip[0]: missing field `length`",
        |_| {},
    );
    expect_rejected(
        "duplicate track id",
        &replaced("id = 2\nname = \"Keys\"", "id = 1\nname = \"Keys\""),
        "track[1].id: 1 is used by another track",
        |_| {},
    );
}

#[test]
fn non_utf8_and_very_long_names_in_the_file() {
    let mut bad = VALID.as_bytes().to_vec();
    let at = VALID.find("Bad Input").unwrap();
    bad[at] = 0xff;
    expect_rejected("non-utf8", &bad, "line 2: not UTF-8 text", |_| {});
    let long = "x".repeat(10_000);
    expect_rejected(
        "long name",
        &replaced("name = \"Bad Input\"", &format!("name = \"{long}\"")),
        "name: longer than 256 characters",
        |_| {},
    );
    expect_rejected(
        "long track name",
        &replaced("name = \"Keys\"", &format!("name = \"{long}\"")),
        "track[1].name: longer than 256 characters",
        |_| {},
    );
    expect_rejected(
        "control characters",
        &replaced("name = \"Keys\"", "name = \"a\\u0007b\""),
        "track[1].name: contains control characters",
        |_| {},
    );
}

#[test]
fn non_utf8_and_very_long_folder_names() {
    use std::os::unix::ffi::OsStrExt;
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let odd = root
        .path()
        .join(std::ffi::OsStr::from_bytes(b"caf\xe9 \xff song"));
    let (code, out, err) = run(home.path(), &[os("new"), odd.as_os_str()]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    let (code, out, _) = run(home.path(), &[os("info"), odd.as_os_str(), os("--json")]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["name"], "caf\u{fffd} \u{fffd} song");
    let (code, out, _) = run(home.path(), &[os("list"), os("--json")]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(
        v[0]["status"], "ok",
        "the index keeps the raw bytes of the path"
    );

    // 255 bytes is the longest name a Linux file system takes; 300 is an OS error.
    let longest = root.path().join("n".repeat(255));
    let (code, _, err) = run(home.path(), &[os("new"), longest.as_os_str()]);
    assert_eq!((code, err.as_str()), (0, ""));
    let (code, out, _) = run(
        home.path(),
        &[os("info"), longest.as_os_str(), os("--json")],
    );
    assert_eq!(code, 0);
    assert_eq!(json(&out)["name"].as_str().unwrap().len(), 255);

    let too_long = root.path().join("n".repeat(300));
    let (code, out, err) = run(home.path(), &[os("new"), too_long.as_os_str()]);
    assert_ne!(code, 0);
    assert_eq!(out, "");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("too long"),
        "{err}"
    );
    let (code, _, err) = run(home.path(), &[os("info"), too_long.as_os_str()]);
    assert_ne!(code, 0);
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn info_on_a_folder_without_a_project() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(home.path(), &[os("info"), dir.path().as_os_str()]);
    assert_ne!(code, 0);
    assert_eq!(out, "");
    assert_eq!(
        err.trim_end(),
        format!(
            "error: {}: not a tdaw project (no project.toml)",
            dir.path().display()
        )
    );
}

#[test]
fn a_broken_index_never_fails_new() {
    // TDAW_HOME is a plain file, so the index cannot even be created.
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home-is-a-file");
    fs::write(&home, b"x").unwrap();
    let dir = root.path().join("song");
    let (code, out, err) = run(&home, &[os("new"), dir.as_os_str()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("created project"));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("warning: the project index was not updated"),
        "{err}"
    );
    tdaw::store::load_project(&dir).unwrap();
}
