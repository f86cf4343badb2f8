//! `tdaw analyze` run as the real binary: the JSON keys of the contract exactly, null for
//! what cannot be measured, the table, the plot, other formats, and one-line errors.

mod analysis_support;

use analysis_support::{sine_segments, write_wav_f32, write_wav_i16};
use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const KEYS: [&str; 11] = [
    "integrated_lufs",
    "loudness_range_lu",
    "true_peak_dbtp",
    "sample_peak_dbfs",
    "rms_dbfs",
    "bpm",
    "duration_s",
    "sample_rate",
    "channels",
    "max_momentary_lufs",
    "max_short_term_lufs",
];

fn tdaw(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tdaw"));
    c.env("TDAW_HOME", home)
        .env_remove("RUST_BACKTRACE")
        .env("COLUMNS", "80");
    c
}

/// Runs `tdaw analyze ARGS` and returns (exit code, stdout, stderr).
fn analyze(home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = tdaw(home).arg("analyze").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(stdout: &str) -> serde_json::Map<String, Value> {
    match serde_json::from_str::<Value>(stdout).unwrap() {
        Value::Object(m) => m,
        v => panic!("not an object: {v}"),
    }
}

#[test]
fn json_has_exactly_the_contract_keys() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("drums.wav");
    // A 128 BPM beat under a -20 dBFS tone, stereo 44.1 kHz, 16-bit.
    let beat = analysis_support::drums::rock(128.0, 8.0, 44_100);
    let tone = sine_segments(&[(-20.0, 8.0)], 44_100, 1);
    let stereo: Vec<f32> = beat
        .iter()
        .zip(&tone)
        .flat_map(|(b, t)| [b * 0.5 + t, b * 0.5 - t])
        .collect();
    write_wav_i16(&wav, &stereo, 44_100, 2);
    let (code, out, err) = analyze(dir.path(), &[wav.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().count(),
        1,
        "one JSON object and nothing else: {out}"
    );
    let m = json(&out);
    let keys: Vec<&str> = m.keys().map(String::as_str).collect();
    let mut want = KEYS.to_vec();
    want.sort();
    let mut got = keys.clone();
    got.sort();
    assert_eq!(got, want);
    for k in &KEYS[..6] {
        assert!(m[*k].as_f64().unwrap().is_finite(), "{k}: {}", m[*k]);
    }
    assert!((m["bpm"].as_f64().unwrap() - 128.0).abs() < 1.28, "{out}");
    assert_eq!(m["sample_rate"], 44_100);
    assert_eq!(m["channels"], 2);
    assert!((m["duration_s"].as_f64().unwrap() - 8.0).abs() < 1e-3);
    assert!(m["true_peak_dbtp"].as_f64() >= m["sample_peak_dbfs"].as_f64());
}

#[test]
fn silence_is_null_never_infinite() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("silence.wav");
    write_wav_f32(&wav, &vec![0.0; 48_000 * 2 * 4], 48_000, 2);
    let (code, out, err) = analyze(dir.path(), &[wav.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let m = json(&out);
    for k in KEYS[..6].iter().chain(&KEYS[9..]) {
        assert!(m[*k].is_null(), "{k} should be null: {out}");
    }
    assert_eq!(m["duration_s"], 4.0);
    assert!(!out.contains("inf") && !out.contains("NaN"));
    // The table says why instead of printing -inf.
    let (code, out, _) = analyze(dir.path(), &[wav.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("n/a (silent)"), "{out}");
    assert!(!out.contains("inf"), "{out}");
}

#[test]
fn a_file_shorter_than_the_gate_is_null_where_it_must_be() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("blip.wav");
    write_wav_f32(&wav, &sine_segments(&[(-6.0, 0.1)], 48_000, 1), 48_000, 1);
    let (code, out, err) = analyze(dir.path(), &[wav.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let m = json(&out);
    assert!(m["integrated_lufs"].is_null() && m["loudness_range_lu"].is_null());
    assert!(m["bpm"].is_null());
    // Under 400 ms neither a momentary nor a short-term window is ever full.
    assert!(m["max_momentary_lufs"].is_null() && m["max_short_term_lufs"].is_null());
    assert!(
        (m["sample_peak_dbfs"].as_f64().unwrap() + 6.0).abs() < 0.01,
        "{out}"
    );
    assert_eq!(m["channels"], 1);
}

#[test]
fn table_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("steps.wav");
    let x = sine_segments(&[(-30.0, 5.0), (-18.0, 5.0)], 48_000, 2);
    write_wav_f32(&wav, &x, 48_000, 2);
    let (code, out, err) = analyze(dir.path(), &[wav.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    for label in [
        "Integrated",
        "Loudness range",
        "True peak",
        "Sample peak",
        "RMS",
        "Tempo",
    ] {
        assert!(out.contains(label), "{label} missing: {out}");
    }
    assert!(out.contains("LUFS") && out.contains("dBTP"));
    assert!(!out.contains('━'), "no chart without --plot");

    let (code, out, err) = analyze(dir.path(), &[wav.to_str().unwrap(), "--plot"]);
    assert_eq!(code, 0, "{err}");
    let chart: Vec<&str> = out.lines().skip_while(|l| !l.starts_with("LUFS")).collect();
    assert!(chart.len() >= 10, "{out}");
    assert!(out.contains('━') && out.contains('░'), "{out}");
    assert!(chart.iter().all(|l| l.chars().count() <= 80), "{out}");
    assert!(out.contains("0:10"), "time axis reaches the end: {out}");

    // With --json, stdout stays pure JSON; the chart goes to stderr.
    let (code, out, err) = analyze(dir.path(), &[wav.to_str().unwrap(), "--json", "--plot"]);
    assert_eq!(code, 0);
    json(&out);
    assert!(err.contains('━'), "{err}");
}

#[test]
fn compressed_formats_read_through_the_codec() {
    let have_ffmpeg = std::process::Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_ffmpeg {
        println!("note: ffmpeg not installed, compressed formats skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("tone.wav");
    write_wav_f32(&wav, &sine_segments(&[(-20.0, 4.0)], 48_000, 2), 48_000, 2);
    for ext in ["flac", "ogg", "mp3"] {
        let out = dir.path().join(format!("tone.{ext}"));
        let ok = std::process::Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-y", "-i"])
            .arg(&wav)
            .arg(&out)
            .status()
            .unwrap()
            .success();
        assert!(ok, "ffmpeg could not write .{ext}");
        let (code, stdout, err) = analyze(dir.path(), &[out.to_str().unwrap(), "--json"]);
        assert_eq!(code, 0, "{ext}: {err}");
        let m = json(&stdout);
        // Lossy encoders and MP3's padding shift the level a little.
        let i = m["integrated_lufs"].as_f64().unwrap();
        assert!((i + 20.0).abs() < 0.6, "{ext}: {stdout}");
        assert!(
            (m["duration_s"].as_f64().unwrap() - 4.0).abs() < 0.1,
            "{ext}: {stdout}"
        );
    }
}

#[test]
fn bad_files_give_one_line_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.wav");
    std::fs::write(&garbage, b"RIFF\x10\x00\x00\x00WAVEjunkjunk").unwrap();
    let missing = dir.path().join("nowhere.flac");
    let empty = dir.path().join("empty.ogg");
    std::fs::write(&empty, b"").unwrap();
    for (path, name) in [
        (&garbage, "garbage.wav"),
        (&missing, "nowhere.flac"),
        (&empty, "empty.ogg"),
    ] {
        let (code, out, err) = analyze(dir.path(), &[path.to_str().unwrap(), "--json"]);
        assert_eq!(code, 1, "{name}");
        assert!(out.is_empty(), "{name}: {out}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.starts_with("error: ") && err.contains(name), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// EBU Tech 3341 case 5 through `analyze --json` (cases 1–5 are checked on the analyser in
/// analysis_ebu.rs): -26, -20 (20.1 s), -26 dBFS, so the loudest momentary and short-term
/// readings are -20 LUFS while the integrated one is -23 (±0.1 LU).
#[test]
fn json_max_momentary_and_short_term_read_tech3341_case_5() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("case5.wav");
    let x = sine_segments(&[(-26.0, 20.0), (-20.0, 20.1), (-26.0, 20.0)], 48_000, 2);
    write_wav_f32(&wav, &x, 48_000, 2);
    let (code, out, err) = analyze(dir.path(), &[wav.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let m = json(&out);
    for (key, want) in [
        ("max_momentary_lufs", -20.0),
        ("max_short_term_lufs", -20.0),
        ("integrated_lufs", -23.0),
    ] {
        let got = m[key].as_f64().unwrap_or(f64::NAN);
        assert!((got - want).abs() <= 0.1, "{key}: {got} (want {want})");
    }
}
