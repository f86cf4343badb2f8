//! `tdaw render` can never destroy the project or an older render: outputs onto the project's
//! data are refused (through `..` and symlinks) with the files byte-identical; a render
//! interrupted by SIGINT leaves the old output untouched and no temporary; formats follow the
//! extension; `render` without `-o` and `--stems FOLDER` create their folders; and the error
//! printer escapes control characters and prints an OS error once.

mod ui_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn tdaw(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tdaw"));
    c.env("TDAW_HOME", home)
        .env_remove("RUST_BACKTRACE")
        // No SoundFont lookups: these projects hold audio only.
        .env("TDAW_SOUNDFONT", "none");
    c
}

/// Runs tdaw; (exit code, stdout, stderr).
fn run(home: &Path, args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = tdaw(home).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn os<S: AsRef<std::ffi::OsStr> + ?Sized>(s: &S) -> &std::ffi::OsStr {
    s.as_ref()
}

/// A 16-bit stereo WAV of `seconds` (a quiet sine), written by hand.
fn write_wav(path: &Path, seconds: f64) {
    let rate = 48_000u32;
    let frames = (seconds * rate as f64) as u32;
    let mut b = Vec::with_capacity(44 + frames as usize * 4);
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + frames * 4).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * 4).to_le_bytes());
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(frames * 4).to_le_bytes());
    for i in 0..frames {
        let v = ((i as f64 * 440.0 * std::f64::consts::TAU / rate as f64).sin() * 8000.0) as i16;
        b.extend_from_slice(&v.to_le_bytes());
        b.extend_from_slice(&v.to_le_bytes());
    }
    fs::write(path, b).unwrap();
}

/// A project in `dir` whose one audio track plays `audio/x.wav` (`seconds` long) `repeats`
/// times in a row (120 bpm: 2 beats a second).
fn project(dir: &Path, seconds: f64, repeats: usize) {
    fs::create_dir_all(dir.join("audio")).unwrap();
    fs::create_dir_all(dir.join(".tdaw")).unwrap();
    write_wav(&dir.join("audio/x.wav"), seconds);
    let mut t = String::from(
        "format_version = 1\nname = \"My Song\"\nsample_rate = 48000\n\n[[tempo]]\nbeat = 0.0\n\
         bpm = 120.0\n\n[[track]]\nid = 1\nname = \"Drums\"\nkind = \"audio\"\n\n",
    );
    for k in 0..repeats {
        t.push_str(&format!(
            "[[track.clip]]\nid = {}\nstart = {:.1}\ntype = \"audio\"\nfile = \"audio/x.wav\"\n\
             length = {seconds:.1}\n\n",
            k + 1,
            k as f64 * seconds * 2.0
        ));
    }
    fs::write(dir.join("project.toml"), t).unwrap();
}

fn snapshot(paths: &[PathBuf]) -> Vec<Vec<u8>> {
    paths.iter().map(|p| fs::read(p).unwrap()).collect()
}

fn temps_in(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

#[test]
fn outputs_onto_the_project_are_refused_and_leave_every_file_byte_identical() {
    let home = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("song");
    project(&p, 0.5, 1);
    fs::write(p.join(".tdaw/autosave.toml"), "x").unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(p.join("audio"), outside.path().join("link")).unwrap();
    let guarded = [
        p.join("audio/x.wav"),
        p.join("project.toml"),
        p.join(".tdaw/autosave.toml"),
    ];
    let before = snapshot(&guarded);
    for (out, names) in [
        (p.join("audio/x.wav"), "audio/x.wav"),
        (p.join("renders/../audio/x.wav"), "audio/x.wav"),
        (outside.path().join("link/x.wav"), "audio/x.wav"),
        (p.join("audio/new.wav"), "audio/new.wav"),
        (p.join("project.toml"), "project.toml"),
        (p.join(".tdaw/autosave.toml"), ".tdaw/autosave.toml"),
    ] {
        if out.to_string_lossy().contains("renders") {
            fs::create_dir_all(p.join("renders")).unwrap();
        }
        let (code, stdout, stderr) = run(home.path(), &[os("render"), os(&p), os("-o"), os(&out)]);
        assert_ne!(code, 0, "{out:?}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("error: ")
                && stderr.contains(&format!("({names})"))
                && stderr
                    .trim_end()
                    .ends_with("; choose a path outside audio/ and .tdaw/"),
            "{out:?}: {stderr}"
        );
    }
    let (code, _, stderr) = run(
        home.path(),
        &[os("render"), os(&p), os("-o"), os(&p.join("audio/x.wav"))],
    );
    assert_ne!(code, 0);
    assert!(
        stderr.contains("would overwrite the project's audio (audio/x.wav)"),
        "{stderr}"
    );
    // --stems into audio/ is refused too.
    let (code, _, stderr) = run(
        home.path(),
        &[
            os("render"),
            os(&p),
            os("-o"),
            os(&outside.path().join("mix.wav")),
            os("--stems"),
            os(&p.join("audio/stems")),
        ],
    );
    assert_ne!(code, 0);
    assert!(stderr.contains("(audio/stems)"), "{stderr}");
    assert!(!p.join("audio/stems").exists());
    assert!(!outside.path().join("mix.wav").exists());
    assert_eq!(snapshot(&guarded), before);
    assert!(!p.join("audio/new.wav").exists());
    assert!(temps_in(&p.join("audio")).is_empty());
}

#[test]
fn sigint_during_a_render_keeps_the_old_output_and_leaves_no_temporary() {
    let home = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("song");
    // 400 repeats of 5 s: over half an hour of audio, far longer than the test waits.
    project(&p, 5.0, 400);
    let out_dir = d.path().join("out");
    fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join("mix.wav");
    fs::write(&out, b"an older render that must survive").unwrap();
    let before = fs::read(&out).unwrap();
    let mut child = tdaw(home.path())
        .args([os("render"), os(&p), os("-o"), os(&out)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let temp = out_dir.join(format!(".mix.wav.tmp-{}", child.id()));
    // Wait until the render is writing its temporary (and has passed its header).
    let started = Instant::now();
    while fs::metadata(&temp).map_or(0, |m| m.len()) < 1 << 20 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the render never started writing {temp:?}"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the render ended early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: signalling our own child by its pid.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(fs::read(&out).unwrap(), before, "the older render changed");
    assert!(temps_in(&out_dir).is_empty(), "{:?}", temps_in(&out_dir));
}

#[test]
fn a_failed_render_keeps_the_old_output_too() {
    let home = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("song");
    project(&p, 2.0, 1);
    let out = d.path().join("mix.wav");
    fs::write(&out, b"old").unwrap();
    // The audio file loses its second half: the render fails half-way, while writing.
    let wav = fs::read(p.join("audio/x.wav")).unwrap();
    fs::write(p.join("audio/x.wav"), &wav[..wav.len() / 2]).unwrap();
    let (code, _, stderr) = run(home.path(), &[os("render"), os(&p), os("-o"), os(&out)]);
    assert_ne!(code, 0);
    assert!(
        stderr.starts_with("error: ") && stderr.contains("truncated"),
        "{stderr}"
    );
    assert_eq!(fs::read(&out).unwrap(), b"old");
    assert!(temps_in(d.path()).is_empty());
}

#[test]
fn formats_follow_the_extension_and_others_are_refused() {
    let home = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("song");
    project(&p, 1.0, 2);
    for bad in ["x.mp3", "x.ogg", "x"] {
        let out = d.path().join(bad);
        let (code, _, stderr) = run(home.path(), &[os("render"), os(&p), os("-o"), os(&out)]);
        assert_ne!(code, 0);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(".wav or .flac"), "{stderr}");
        assert!(!out.exists());
    }
    let flac = d.path().join("x.flac");
    let (code, _, stderr) = run(
        home.path(),
        &[
            os("render"),
            os(&p),
            os("-o"),
            os(&flac),
            os("--bit-depth"),
            os("32f"),
        ],
    );
    assert_ne!(code, 0);
    assert!(
        stderr.contains("FLAC") && stderr.contains("32-bit float"),
        "{stderr}"
    );
    assert!(!flac.exists());
    for depth in ["16", "24"] {
        let (code, stdout, stderr) = run(
            home.path(),
            &[
                os("render"),
                os(&p),
                os("-o"),
                os(&flac),
                os("--bit-depth"),
                os(depth),
            ],
        );
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("x.flac"));
        let bytes = fs::read(&flac).unwrap();
        assert_eq!(&bytes[..4], b"fLaC");
        // Read back by tdaw at the true length: two 1 s clips, 4 beats at 120 bpm.
        let (code, stdout, stderr) = run(home.path(), &[os("analyze"), os(&flac), os("--json")]);
        assert_eq!(code, 0, "{stderr}");
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let dur = v["duration_s"].as_f64().unwrap();
        assert!((dur - 2.0).abs() < 0.01, "{dur}");
    }
    // .WAV in capitals is WAV.
    let wav = d.path().join("X.WAV");
    let (code, _, stderr) = run(home.path(), &[os("render"), os(&p), os("-o"), os(&wav)]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(&fs::read(&wav).unwrap()[..4], b"RIFF");
}

#[test]
fn render_without_o_writes_into_renders_under_a_new_name_and_stems_create_their_folder() {
    let home = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("song");
    project(&p, 0.5, 1);
    let (code, stdout, stderr) = run(home.path(), &[os("render"), os(&p)]);
    assert_eq!(code, 0, "{stderr}");
    let first = p.join("renders/My Song.wav");
    assert!(stdout.starts_with(&first.display().to_string()), "{stdout}");
    let first_bytes = fs::read(&first).unwrap();
    let (code, stdout, _) = run(home.path(), &[os("render"), os(&p)]);
    assert_eq!(code, 0);
    let second = p.join("renders/My Song-2.wav");
    assert!(
        stdout.starts_with(&second.display().to_string()),
        "{stdout}"
    );
    assert!(second.is_file());
    assert_eq!(
        fs::read(&first).unwrap(),
        first_bytes,
        "the first render was overwritten"
    );
    // --stems FOLDER: created, one file per track.
    let stems = d.path().join("bounce/stems");
    let (code, stdout, stderr) = run(
        home.path(),
        &[
            os("render"),
            os(&p),
            os("-o"),
            os(&d.path().join("mix.wav")),
            os("--stems"),
            os(&stems),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let stem = stems.join("mix-01-Drums.wav");
    assert!(stem.is_file(), "{stdout}");
    assert!(stdout.contains("mix-01-Drums.wav"));
    // --stems alone: next to the output, as before.
    let (code, _, stderr) = run(
        home.path(),
        &[
            os("render"),
            os(&p),
            os("-o"),
            os(&d.path().join("b.wav")),
            os("--stems"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(d.path().join("b-01-Drums.wav").is_file());
}

#[test]
fn errors_escape_control_characters_and_print_an_os_error_once() {
    let home = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    // A file name and contents carrying a terminal escape.
    let bad = d.path().join("bad\x1b[31mred.wav");
    fs::write(&bad, b"garbage\x1b[2J\x07 not audio").unwrap();
    let out = tdaw(home.path())
        .args([os("analyze"), os(&bad)])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!out.stderr.contains(&0x1b), "{:?}", out.stderr);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad\\x1b[31mred.wav"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
    // An output folder that cannot be written: a read-only folder, or (as root, who may write
    // anywhere) /sys, which refuses new files to everyone.
    let p = d.path().join("song");
    project(&p, 0.5, 1);
    let ro = d.path().join("ro");
    fs::create_dir_all(&ro).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    let target = if fs::write(ro.join("probe"), b"").is_ok() {
        PathBuf::from("/sys/tdaw-render-test.wav")
    } else {
        ro.join("mix.wav")
    };
    let (code, _, stderr) = run(home.path(), &[os("render"), os(&p), os("-o"), os(&target)]);
    assert_ne!(code, 0);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(stderr.matches("(os error").count(), 1, "{stderr}");
    // A store error whose source is the OS error: once, not twice.
    let (code, _, stderr) = run(home.path(), &[os("new"), os("/sys/tdaw-new-test")]);
    assert_ne!(code, 0);
    assert_eq!(stderr.matches("(os error").count(), 1, "{stderr}");
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn the_tuis_render_command_refuses_the_same_outputs() {
    let d = tempfile::tempdir().unwrap();
    let scratch = d.path().join("scratch");
    project(&scratch, 0.5, 1);
    let project = tdaw::store::load_project(&scratch).unwrap();
    let p = d.path().join("song");
    let mut app = ui_support::app_with(project, &p);
    fs::create_dir_all(p.join("audio")).unwrap();
    fs::copy(scratch.join("audio/x.wav"), p.join("audio/x.wav")).unwrap();
    let guarded = [p.join("audio/x.wav"), p.join("project.toml")];
    let before = snapshot(&guarded);
    for out in &guarded {
        ui_support::press(&mut app, &format!(":render {}<ret>", out.display()));
        assert!(app.render.is_none(), "{out:?} started a render");
        assert!(app.status.error, "{:?}", app.status);
        assert!(
            app.status.text.contains("would overwrite")
                && app
                    .status
                    .text
                    .contains("choose a path outside audio/ and .tdaw/"),
            "{:?}",
            app.status
        );
    }
    assert_eq!(snapshot(&guarded), before);
}

#[test]
fn an_rf64_file_is_analysed_at_its_true_length() {
    let home = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("long.wav");
    // RF64 above 1 kB: the >4 GiB layout, on a file small enough for a test.
    let mut w = tdaw::codec::WavWriter::create_with_riff_limit(
        &path,
        48_000,
        2,
        tdaw::codec::WavFormat::I24,
        1024,
    )
    .unwrap();
    let tone: Vec<f32> = (0..48_000 * 2 * 5)
        .map(|i| ((i / 2) as f32 * 0.0576).sin() * 0.5)
        .collect();
    w.write(&tone).unwrap();
    w.finalize().unwrap();
    assert_eq!(&fs::read(&path).unwrap()[..4], b"RF64");
    let (code, stdout, stderr) = run(home.path(), &[os("analyze"), os(&path), os("--json")]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["duration_s"].as_f64(), Some(5.0));
    assert_eq!(v["channels"].as_u64(), Some(2));
    let peak = v["sample_peak_dbfs"].as_f64().unwrap();
    assert!((peak + 6.02).abs() < 0.05, "{peak}");
}
