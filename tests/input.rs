//! Input channels per track, end to end through ALSA's `file` capture route (no sound card):
//! a 4-channel FLOAT_LE file is the interface, `tdaw track set … input=3-4` picks a pair and
//! `tdaw record` (the real binary) must write exactly channels 3 and 4 of it, aligned by the
//! configured latency; `input=2` gives a mono file; `--channels` overrides the track's;
//! channels the device lacks, and garbage values, fail in one line and leave project.toml
//! byte-identical. `tdaw devices --measure-latency` without a loopback says no click came back.

mod capture_support;

use capture_support::{write_i16_as_f32_raw as write_raw, Env};
use std::fs;
use std::path::Path;
use tdaw::model::{MonitorMode, TrackInput};

const RATE: usize = 48_000;
const CH: usize = 4;

/// A 4-channel S16-valued signal, a different noise-like sequence per channel.
fn signal(frames: usize) -> Vec<i16> {
    let mut x: u32 = 0x0bad_cafe;
    (0..frames * CH)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((x >> 16) as i16) / 2
        })
        .collect()
}

/// The recording (24-bit) in 16-bit units, and its channel count.
fn read(path: &Path) -> (Vec<f64>, u16) {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    assert_eq!(spec.bits_per_sample, 24);
    let v = r
        .samples::<i32>()
        .map(|s| s.unwrap() as f64 / 256.0)
        .collect();
    (v, spec.channels)
}

/// The largest difference between the recording and the signal's `chans` (0-based) from
/// frame `shift` on.
fn max_error(got: &[f64], n: u16, sig: &[i16], chans: &[usize], shift: usize) -> f64 {
    assert_eq!(n as usize, chans.len());
    got.chunks_exact(chans.len())
        .zip(sig.chunks_exact(CH).skip(shift))
        .map(|(g, s)| {
            g.iter()
                .zip(chans)
                .map(|(g, &c)| (g - s[c] as f64).abs())
                .fold(0.0, f64::max)
        })
        .fold(0.0, f64::max)
}

#[test]
fn a_track_set_to_channels_3_4_records_exactly_those_channels() {
    let e = Env::new();
    let sig = signal(2 * RATE);
    write_raw(&e.path("in.raw"), &sig);
    e.alsa_capture_from(&e.path("in.raw"));
    e.config("input_latency_ms = 10");
    let d = e.d();
    assert_eq!(e.run(&["track", "add", &d, "Vox"]).0, 0);
    let (code, out, err) = e.run(&["track", "set", &d, "Vox", "input=3-4", "monitor=off"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "Vox: input 3-4, monitor off");
    let p = tdaw::store::load_project(&e.dir()).unwrap();
    assert_eq!(p.tracks[0].input, Some(TrackInput::Stereo(3, 4)));
    assert_eq!(p.tracks[0].monitor, MonitorMode::Off);
    let text = String::from_utf8(e.toml()).unwrap();
    assert!(text.contains("input = \"3-4\""), "{text}");

    let (code, out, err) = e.run(&["record", &d, "Vox", "--seconds", "1"]);
    assert_eq!(code, 0, "{err}");
    let (got, n) = read(Path::new(out.trim()));
    assert_eq!(n, 2, "a pair: a stereo file");
    assert_eq!(got.len(), RATE * 2);
    // 10 ms = 480 frames of latency compensated.
    assert_eq!(max_error(&got, n, &sig, &[2, 3], 480), 0.0, "channels 3-4");
    assert!(max_error(&got, n, &sig, &[0, 1], 480) > 1000.0, "not 1-2");

    // --channels overrides the track's: channel 4 alone, a mono file.
    let (code, out, err) = e.run(&["record", &d, "Vox", "--seconds", "0.5", "--channels", "4"]);
    assert_eq!(code, 0, "{err}");
    let (got, n) = read(Path::new(out.trim()));
    assert_eq!(n, 1);
    assert_eq!(got.len(), RATE / 2);
    assert_eq!(max_error(&got, n, &sig, &[3], 480), 0.0, "channel 4");

    // input=default goes back to the first two, and is not written.
    assert_eq!(e.run(&["track", "set", &d, "Vox", "input=default"]).0, 0);
    let text = String::from_utf8(e.toml()).unwrap();
    assert!(!text.contains("input ="), "{text}");
    assert!(text.contains("monitor = \"off\""), "{text}");
}

#[test]
fn missing_channels_and_garbage_fail_in_one_line_and_change_nothing() {
    let e = Env::new();
    // The file capture offers up to 64 channels (cpal enumerates no more): channels 99-100
    // are beyond it, and the device stays at its stereo default.
    write_raw(&e.path("in.raw"), &signal(RATE));
    e.alsa_capture_from(&e.path("in.raw"));
    let d = e.d();
    assert_eq!(e.run(&["track", "add", &d, "Vox"]).0, 0);
    assert_eq!(e.run(&["track", "add", &d, "Keys", "--midi"]).0, 0);
    let before = e.toml();
    for (args, says) in [
        (
            vec!["track", "set", &d, "Vox", "input=left"],
            "input 'left' is not a channel",
        ),
        (
            vec!["track", "set", &d, "Vox", "input=0"],
            "channels count from 1",
        ),
        (
            vec!["track", "set", &d, "Vox", "input=3-3"],
            "names channel 3 twice",
        ),
        (
            vec!["track", "set", &d, "Vox", "monitor=loud"],
            "auto, input or off",
        ),
        (
            vec!["track", "set", &d, "Keys", "input=1"],
            "only audio tracks",
        ),
        (
            vec!["record", &d, "Vox", "--seconds", "1", "--channels", "x"],
            "--channels x",
        ),
        (
            vec![
                "record",
                &d,
                "Vox",
                "--seconds",
                "1",
                "--channels",
                "99-100",
            ],
            "has 2 channels",
        ),
    ] {
        let (code, _, err) = e.run(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(e.toml(), before, "{args:?}");
    }
    // Garbage in project.toml: one line naming the file and the value.
    let text = String::from_utf8(before.clone()).unwrap();
    let bad = text.replacen("name = \"Vox\"", "name = \"Vox\"\ninput = \"left\"", 1);
    assert_ne!(bad, text);
    fs::write(e.dir().join("project.toml"), &bad).unwrap();
    let (code, _, err) = e.run(&["info", &d]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("project.toml"), "{err}");
    assert!(err.contains("input 'left' is not a channel"), "{err}");
    assert_eq!(
        fs::read(e.dir().join("project.toml")).unwrap(),
        bad.as_bytes()
    );
}

#[test]
fn measuring_latency_without_a_loopback_says_no_click_came_back() {
    let e = Env::new();
    fs::write(
        e.path("asound.conf"),
        "</usr/share/alsa/alsa.conf>\npcm.!default { type null }\n",
    )
    .unwrap();
    let (code, out, err) = e.run(&["devices", "--measure-latency", "--save"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("no click came back (the input was silent)"),
        "{err}"
    );
    assert!(err.contains("loopback"), "{err}");
    assert!(
        !e.path("home/config/config.toml").exists(),
        "nothing saved without a measurement"
    );
    // No capture device at all: said as such.
    let mut c = e.cmd(&["devices", "--measure-latency"]);
    c.env_remove("ALSA_CONFIG_PATH");
    let out = c.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("no audio inputs"), "{err}");
}
