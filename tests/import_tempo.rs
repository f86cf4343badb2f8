//! `tdaw import --set-tempo` sets the project tempo from a loop; `info` shows detected tempi.

use assert_cmd::Command;
use std::path::Path;

fn tdaw(home: &Path) -> Command {
    let mut c = Command::cargo_bin("tdaw").unwrap();
    c.env("TDAW_HOME", home);
    c
}

/// A drum-like loop: a decaying noise burst on every beat, louder on the bar.
fn write_loop(path: &Path, bpm: f64, seconds: f64) {
    let rate = 48_000u32;
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let period = 60.0 / bpm * rate as f64;
    let mut seed = 1u32;
    for i in 0..(seconds * rate as f64) as usize {
        let beat = (i as f64 / period).floor();
        let k = i as f64 - beat * period;
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (seed >> 8) as f64 / (1u32 << 24) as f64 * 2.0 - 1.0;
        let accent = if beat as u64 % 4 == 0 { 1.0 } else { 0.6 };
        let v = noise * accent * (-k / 1500.0).exp();
        let s = (v * 16_000.0) as i16;
        w.write_sample(s).unwrap();
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

fn info(home: &Path, dir: &Path) -> serde_json::Value {
    let out = tdaw(home)
        .args(["info", "--json"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn set_tempo_takes_the_loops_tempo() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("song");
    tdaw(&home).arg("new").arg(&dir).assert().success();
    let wav = tmp.path().join("loop.wav");
    write_loop(&wav, 96.0, 12.0);

    let out = tdaw(&home)
        .args(["import", "--set-tempo"])
        .arg(&dir)
        .arg(&wav)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = info(&home, &dir);
    let bpm = v["bpm"].as_f64().unwrap();
    assert!((bpm - 96.0).abs() <= 0.96, "project tempo {bpm}");
    let detected = v["tracks"][0]["detected_bpm"].as_f64().unwrap();
    assert!((detected - 96.0).abs() <= 0.96, "detected {detected}");
}

#[test]
fn plain_import_only_offers_the_tempo() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("song");
    tdaw(&home).arg("new").arg(&dir).assert().success();
    let wav = tmp.path().join("loop.wav");
    write_loop(&wav, 140.0, 10.0);
    let out = tdaw(&home)
        .arg("import")
        .arg(&dir)
        .arg(&wav)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("detected tempo: 140"), "{text}");
    assert_eq!(info(&home, &dir)["bpm"].as_f64(), Some(120.0));
}
