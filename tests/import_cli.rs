//! `tdaw import` end to end: the real binary, TDAW_HOME in a temp dir, files generated here
//! (hound for WAV, midly for MIDI, sox/ffmpeg for FLAC/MP3/OGG when installed).

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

struct Env {
    tmp: TempDir,
    project: PathBuf,
}

impl Env {
    fn new(rate: u32) -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("song");
        let e = Env { tmp, project };
        e.tdaw()
            .args(["new"])
            .arg(&e.project)
            .args(["--sample-rate", &rate.to_string()])
            .assert()
            .success();
        e
    }

    fn tdaw(&self) -> Command {
        let mut c = Command::cargo_bin("tdaw").unwrap();
        c.env("TDAW_HOME", self.tmp.path().join("home"));
        c
    }

    fn file(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn toml(&self) -> Vec<u8> {
        std::fs::read(self.project.join("project.toml")).unwrap()
    }

    fn audio_files(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.project.join("audio"))
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    fn info(&self) -> serde_json::Value {
        let out = self
            .tdaw()
            .arg("info")
            .arg(&self.project)
            .arg("--json")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn project(&self) -> tdaw::model::Project {
        tdaw::store::load_project(&self.project).unwrap()
    }

    fn import(&self, files: &[&Path]) -> std::process::Output {
        self.tdaw()
            .arg("import")
            .arg(&self.project)
            .args(files)
            .output()
            .unwrap()
    }

    /// Runs an import that must fail, and checks the rules for bad input.
    fn import_fails(&self, file: &Path, problem: &str) {
        let before = self.toml();
        let files_before = self.audio_files();
        let out = self.import(&[file]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{} was accepted", file.display());
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line expected: {stderr}");
        assert!(lines[0].starts_with("error: "), "{stderr}");
        let name = file.file_name().unwrap().to_string_lossy();
        assert!(lines[0].contains(&*name), "names the file: {stderr}");
        assert!(
            lines[0].to_lowercase().contains(problem),
            "says '{problem}': {stderr}"
        );
        assert!(!stderr.contains("panicked"));
        assert_eq!(self.toml(), before, "project.toml changed");
        assert_eq!(self.audio_files(), files_before, "audio/ changed");
    }
}

fn sine_wav(path: &Path, rate: u32, channels: u16, bits: u16, float: bool, frames: usize) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..frames {
        for c in 0..channels {
            let s = 0.5
                * (2.0 * std::f64::consts::PI * 440.0 * (c + 1) as f64 * i as f64 / rate as f64)
                    .sin();
            if float {
                w.write_sample(s as f32).unwrap();
            } else {
                let scale = ((1i64 << (bits - 1)) - 1) as f64;
                w.write_sample((s * scale).round() as i32).unwrap();
            }
        }
    }
    w.finalize().unwrap();
}

fn have(tool: &str) -> bool {
    std::process::Command::new(tool)
        // ffmpeg knows only `-version`; sox only `--version`.
        .arg(if tool == "ffmpeg" {
            "-version"
        } else {
            "--version"
        })
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn wav_layouts_import_as_audio_tracks() {
    let env = Env::new(48_000);
    let mut files = Vec::new();
    for (name, ch, bits, float) in [
        ("mono16", 1u16, 16u16, false),
        ("stereo24", 2, 24, false),
        ("stereo32", 2, 32, false),
        ("float", 2, 32, true),
        ("surround", 6, 16, false),
    ] {
        let p = env.file(&format!("{name}.wav"));
        sine_wav(&p, 48_000, ch, bits, float, 24_000);
        files.push(p);
    }
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let out = env.import(&refs);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    assert!(lines[0].contains("mono16.wav") && lines[0].contains("added audio track 'mono16'"));
    assert!(lines[4].contains("6 ch"), "{}", lines[4]);

    let info = env.info();
    let tracks = info["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 5);
    assert!(tracks
        .iter()
        .all(|t| t["kind"] == "audio" && t["clips"] == 1));
    let p = env.project();
    for (t, src) in p.tracks.iter().zip(&files) {
        let tdaw::model::ClipContent::Audio(a) = &t.clips[0].content else {
            panic!("not audio")
        };
        assert_eq!(t.clips[0].start, 0.0);
        assert!((a.length - 0.5).abs() < 1e-9, "{}", a.length);
        // Same rate: the file is copied as it is.
        assert_eq!(
            std::fs::read(env.project.join(&a.file)).unwrap(),
            std::fs::read(src).unwrap()
        );
    }
}

#[test]
fn other_rates_are_converted_to_the_project_rate() {
    let env = Env::new(48_000);
    let src = env.file("cd.wav");
    sine_wav(&src, 44_100, 2, 16, false, 44_100);
    let out = env.import(&[&src]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("converted from 44100 Hz to 48000 Hz"));
    let p = env.project();
    let tdaw::model::ClipContent::Audio(a) = &p.tracks[0].clips[0].content else {
        panic!()
    };
    assert_eq!(a.file, "audio/cd.wav");
    assert!((a.length - 1.0).abs() < 1e-9);
    let r = hound::WavReader::open(env.project.join(&a.file)).unwrap();
    let spec = r.spec();
    assert_eq!(spec.sample_rate, 48_000);
    assert_eq!(spec.channels, 2);
    assert_eq!(spec.sample_format, hound::SampleFormat::Float);
    assert_eq!(r.duration(), 48_000);
    // Still a 440 Hz tone on the left.
    let s: Vec<f32> = r
        .into_samples::<f32>()
        .map(|s| s.unwrap())
        .step_by(2)
        .collect();
    let crossings = s[1000..47_000]
        .windows(2)
        .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
        .count();
    let hz = crossings as f64 * 48_000.0 / 46_000.0;
    assert!((hz - 440.0).abs() < 2.0, "{hz}");
}

#[test]
fn importing_the_same_file_twice_makes_two_copies() {
    let env = Env::new(48_000);
    let src = env.file("loop.wav");
    sine_wav(&src, 48_000, 2, 16, false, 4800);
    assert!(env.import(&[&src]).status.success());
    assert!(env.import(&[&src, &src]).status.success());
    assert_eq!(env.audio_files(), ["loop-2.wav", "loop-3.wav", "loop.wav"]);
    let files: Vec<String> = env
        .project()
        .tracks
        .iter()
        .map(|t| match &t.clips[0].content {
            tdaw::model::ClipContent::Audio(a) => a.file.clone(),
            _ => panic!(),
        })
        .collect();
    assert_eq!(
        files,
        ["audio/loop.wav", "audio/loop-2.wav", "audio/loop-3.wav"]
    );
}

#[test]
fn compressed_formats_import_when_the_tools_exist() {
    let env = Env::new(48_000);
    let wav = env.file("src.wav");
    sine_wav(&wav, 48_000, 2, 16, false, 48_000);
    let mut made = Vec::new();
    if have("sox") {
        let flac = env.file("tone.flac");
        let ok = std::process::Command::new("sox")
            .arg(&wav)
            .arg(&flac)
            .status()
            .unwrap();
        assert!(ok.success());
        made.push(flac);
    } else {
        println!("note: sox not installed, FLAC import skipped (run setup.sh --tests)");
    }
    if have("ffmpeg") {
        for (ext, codec) in [("mp3", "libmp3lame"), ("ogg", "libvorbis")] {
            let out = env.file(&format!("tone.{ext}"));
            let ok = std::process::Command::new("ffmpeg")
                .args(["-loglevel", "error", "-y", "-i"])
                .arg(&wav)
                .args(["-c:a", codec])
                .arg(&out)
                .status()
                .unwrap();
            assert!(ok.success());
            made.push(out);
        }
    } else {
        println!("note: ffmpeg not installed, MP3/OGG import skipped (run setup.sh --tests)");
    }
    if made.is_empty() {
        return;
    }
    let refs: Vec<&Path> = made.iter().map(|p| p.as_path()).collect();
    let out = env.import(&refs);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p = env.project();
    assert_eq!(p.tracks.len(), made.len());
    for (t, src) in p.tracks.iter().zip(&made) {
        let tdaw::model::ClipContent::Audio(a) = &t.clips[0].content else {
            panic!()
        };
        let ext = src.extension().unwrap().to_string_lossy().into_owned();
        assert_eq!(a.file, format!("audio/tone.{ext}"));
        assert!((a.length - 1.0).abs() < 0.03, "{ext}: {} s", a.length);
    }
}

fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

#[test]
fn bad_audio_files_are_refused_cleanly() {
    let env = Env::new(48_000);
    // Something already imported, so the project file has content to keep.
    let good = env.file("good.wav");
    sine_wav(&good, 48_000, 1, 16, false, 4800);
    assert!(env.import(&[&good]).status.success());

    let cut = env.file("cut.wav");
    sine_wav(&cut, 48_000, 2, 16, false, 48_000);
    let bytes = std::fs::read(&cut).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    env.import_fails(&cut, "truncated");

    let header_only = env.file("header.wav");
    std::fs::write(&header_only, &bytes[..30]).unwrap();
    env.import_fails(&header_only, "header");

    let empty = env.file("empty.wav");
    std::fs::write(&empty, b"").unwrap();
    env.import_fails(&empty, "empty");

    for (i, ext) in ["wav", "flac", "mp3", "ogg"].iter().enumerate() {
        let f = env.file(&format!("noise.{ext}"));
        std::fs::write(&f, noise(100_000, 7 + i as u64)).unwrap();
        env.import_fails(&f, "");
    }
}

#[test]
fn a_failing_file_leaves_nothing_behind() {
    let env = Env::new(48_000);
    let good = env.file("a.wav");
    sine_wav(&good, 44_100, 1, 16, false, 4410);
    let good2 = env.file("b.wav");
    sine_wav(&good2, 48_000, 1, 16, false, 4800);
    let bad = env.file("z.wav");
    std::fs::write(&bad, noise(5000, 3)).unwrap();
    let before = env.toml();
    let out = env.import(&[&good, &good2, &bad]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("z.wav"));
    assert!(
        out.stdout.is_empty(),
        "nothing was added, nothing is reported"
    );
    assert_eq!(env.toml(), before);
    assert!(env.audio_files().is_empty(), "{:?}", env.audio_files());
}

#[test]
fn not_a_project_is_an_error() {
    let env = Env::new(48_000);
    let f = env.file("a.wav");
    sine_wav(&f, 48_000, 1, 16, false, 480);
    let out = env
        .tdaw()
        .arg("import")
        .arg(env.tmp.path().join("nope"))
        .arg(&f)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: ") && err.contains("nope"), "{err}");
    let missing = env.file("missing.wav");
    env.import_fails(&missing, "missing.wav");
}

#[test]
fn odd_file_names_import_under_safe_names() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new(48_000);
    // Not UTF-8.
    let latin1 = env
        .tmp
        .path()
        .join(std::ffi::OsStr::from_bytes(b"caf\xe9 take.wav"));
    sine_wav(&latin1, 48_000, 1, 16, false, 480);
    // 250 bytes of three-byte characters: the copy's name must still fit in 255 bytes.
    let long = env.file(&format!("{}.wav", "音".repeat(83)));
    sine_wav(&long, 48_000, 1, 16, false, 480);
    let out = env.import(&[&latin1, &long, &long]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p = env.project();
    assert_eq!(p.tracks[0].name, "caf\u{fffd} take");
    let files: Vec<String> = p
        .tracks
        .iter()
        .map(|t| match &t.clips[0].content {
            tdaw::model::ClipContent::Audio(a) => a.file.clone(),
            _ => panic!(),
        })
        .collect();
    assert_eq!(files[0], "audio/caf_ take.wav");
    assert!(
        files[1].len() < 140 && files[2].ends_with("-2.wav"),
        "{files:?}"
    );
    for f in &files {
        assert!(env.project.join(f).is_file(), "{f}");
    }
    assert!(p.tracks[1].name.chars().count() <= 100);
}

#[test]
fn absurd_sample_rates_are_refused() {
    let env = Env::new(48_000);
    let f = env.file("seven_hz.wav");
    sine_wav(&f, 7, 1, 16, false, 70);
    env.import_fails(&f, "sample rate of 7 hz");
}
