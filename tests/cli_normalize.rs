//! `tdaw render --normalize LUFS [--ceiling DBTP]` as the real binary, measured with
//! `tdaw analyze --json`: the integrated loudness within 0.5 LU of the target and the true
//! peak at or under the ceiling, on material whose peaks need the limiter at -14 LUFS; the
//! project left byte-identical; an unreachable target refused with nothing written.

use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::Command;

fn tdaw(home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tdaw"))
        .env("TDAW_HOME", home)
        .env_remove("RUST_BACKTRACE")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Four seconds of a steady bed (two tones a side and a little noise) with a 1 ms click near
/// full scale every half second: the clicks set the true peak about 19 dB over the
/// loudness, so -14 LUFS under -1 dBTP needs the limiter, and the limiter can reach it.
fn write_peaky_wav(path: &Path) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48_000,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let mut seed: u32 = 12345;
    let tone = |f: f64, t: f64| (2.0 * std::f64::consts::PI * f * t).sin();
    for i in 0..48_000 * 4 {
        let t = i as f64 / 48_000.0;
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (seed >> 8) as f64 / (1u32 << 24) as f64 * 2.0 - 1.0;
        let k = i % 24_000;
        let click = if k < 48 {
            0.85 * (std::f64::consts::PI * k as f64 / 48.0).sin()
        } else {
            0.0
        };
        let l = 0.08 * tone(220.0, t) + 0.05 * tone(1100.0, t) + 0.03 * noise + click;
        let r = 0.08 * tone(330.0, t) + 0.05 * tone(1650.0, t) + 0.03 * noise + click;
        for s in [l, r] {
            w.write_sample((s.clamp(-1.0, 1.0) * 8_388_607.0) as i32)
                .unwrap();
        }
    }
    w.finalize().unwrap();
}

fn analyze(home: &Path, file: &Path) -> Value {
    let (code, out, err) = tdaw(home, &["analyze", file.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// A project holding the peaky material; (home, project dir as text).
fn project(tmp: &Path) -> (std::path::PathBuf, String) {
    let home = tmp.join("home");
    let dir = tmp.join("song");
    let d = dir.to_string_lossy().into_owned();
    let wav = tmp.join("hits.wav");
    write_peaky_wav(&wav);
    assert_eq!(tdaw(&home, &["new", &d]).0, 0);
    let (code, _, err) = tdaw(&home, &["import", &d, wav.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    (home, d)
}

#[test]
fn normalized_renders_reach_the_target_under_the_ceiling() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, d) = project(tmp.path());
    let before = fs::read(Path::new(&d).join("project.toml")).unwrap();
    let raw = tmp.path().join("raw.wav");
    assert_eq!(
        tdaw(&home, &["render", &d, "-o", raw.to_str().unwrap()]).0,
        0
    );
    let a = analyze(&home, &raw);
    let crest = a["true_peak_dbtp"].as_f64().unwrap() - a["integrated_lufs"].as_f64().unwrap();
    assert!(
        crest > 14.0,
        "the material must need the limiter at -14: {a}"
    );
    for (target, ceiling, args) in [
        (-14.0, -1.0, vec!["--normalize", "-14"]),
        (-23.0, -1.0, vec!["--normalize", "-23"]),
        (-16.0, -2.0, vec!["--normalize", "-16", "--ceiling", "-2"]),
    ] {
        let out = tmp.path().join(format!("n{}.wav", -target as i32));
        let mut all = vec!["render", &d, "-o", out.to_str().unwrap()];
        all.extend(args.iter().copied());
        let (code, stdout, err) = tdaw(&home, &all);
        assert_eq!(code, 0, "{all:?}: {err}");
        assert!(stdout.contains(" LUFS  true peak "), "{stdout}");
        let a = analyze(&home, &out);
        let lufs = a["integrated_lufs"].as_f64().unwrap();
        let tp = a["true_peak_dbtp"].as_f64().unwrap();
        assert!(
            (lufs - target).abs() <= 0.5,
            "{target} LUFS asked, {lufs} measured"
        );
        assert!(
            tp <= ceiling,
            "true peak {tp} dBTP over the {ceiling} ceiling"
        );
        // What the command printed is what the file measures.
        assert!(
            stdout.contains(&format!("{lufs:.1} LUFS")),
            "{stdout} vs {a}"
        );
    }
    // Rendering never saves the project, and leaves no pass files behind.
    assert_eq!(
        fs::read(Path::new(&d).join("project.toml")).unwrap(),
        before
    );
    let hidden: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn an_unreachable_target_or_a_bad_ceiling_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, d) = project(tmp.path());
    let out = tmp.path().join("loud.wav");
    let o = out.to_str().unwrap();
    // Loudness 3 dB over the ceiling's true peak: no limiter can do that.
    let (code, stdout, err) = tdaw(
        &home,
        &[
            "render",
            &d,
            "-o",
            o,
            "--normalize",
            "-3",
            "--ceiling",
            "-6",
        ],
    );
    assert_ne!(code, 0, "{stdout}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: -3 LUFS is out of reach under a -6 dBTP ceiling"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert!(!out.exists());
    for (args, needle) in [
        (
            vec!["--normalize", "-14", "--ceiling", "-30"],
            "-24 … 0 dBTP",
        ),
        (vec!["--normalize", "-90"], "-70 … 0 LUFS"),
        (vec!["--ceiling", "-1"], "--normalize"),
        (vec!["--normalize", "-14", "--stems"], "--stems"),
    ] {
        let mut all = vec!["render", d.as_str(), "-o", o];
        all.extend(args.iter().copied());
        let (code, _, err) = tdaw(&home, &all);
        assert_ne!(code, 0, "{all:?}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{all:?}: {err}");
        assert!(!out.exists());
    }
    let hidden: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}
