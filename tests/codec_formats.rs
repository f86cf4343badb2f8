//! The codec on real FLAC, MP3 and Ogg Vorbis files made by sox/ffmpeg (skipped with a note when
//! the tools are missing; `setup.sh --tests` installs them), and its memory bound on lying headers.

mod wav_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use tdaw::codec::{read_all, AudioReader, CodecError};

fn have(tool: &str) -> bool {
    Command::new(tool)
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

fn sine_wav(path: &Path, rate: u32, channels: u16, bits: u16, frames: usize) -> Vec<f32> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let scale = ((1i64 << (bits - 1)) - 1) as f64;
    let mut out = Vec::new();
    for i in 0..frames {
        for c in 0..channels {
            let f = 440.0 * (c as f64 + 1.0);
            let s = 0.5 * (2.0 * std::f64::consts::PI * f * i as f64 / rate as f64).sin();
            let q = (s * scale).round();
            w.write_sample(q as i32).unwrap();
            out.push((q / (scale + 1.0)) as f32);
        }
    }
    w.finalize().unwrap();
    out
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn zero_crossing_hz(x: &[f32], channels: usize, rate: u32) -> f64 {
    let mono: Vec<f32> = x.iter().step_by(channels).copied().collect();
    let crossings = mono
        .windows(2)
        .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
        .count();
    crossings as f64 * rate as f64 / mono.len() as f64
}

/// Seeks to several positions and checks each read against the fully decoded file.
fn check_seeks(path: &Path, all: &[f32], channels: usize) {
    let mut r = AudioReader::open(path).unwrap();
    let frames = all.len() / channels;
    let mut buf = vec![0.0f32; 64 * channels];
    for target in [frames / 2, 10, frames / 3, 4097, frames - 100, 0] {
        r.seek(target as u64).unwrap();
        let n = r.read(&mut buf).unwrap();
        assert_eq!(n, 64, "{}: frames at {target}", path.display());
        let t = target * channels;
        let max = buf[..n * channels]
            .iter()
            .zip(&all[t..t + n * channels])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(
            max < 1e-6,
            "{}: seek to {target} is off by {max}",
            path.display()
        );
    }
}

#[test]
fn flac_decodes_bit_exact_and_seeks_exactly() {
    if !have("sox") {
        println!("note: sox not installed, FLAC case skipped (run setup.sh --tests)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (bits, channels) in [(16u16, 2u16), (24, 1), (16, 6)] {
        let wav = dir.path().join(format!("s{bits}_{channels}.wav"));
        let flac = wav.with_extension("flac");
        let src = sine_wav(&wav, 44_100, channels, bits, 30_000);
        run(Command::new("sox").arg(&wav).arg(&flac));
        let r = AudioReader::open(&flac).unwrap();
        assert_eq!(
            (r.sample_rate(), r.channels(), r.frames()),
            (44_100, channels, Some(30_000))
        );
        let (got, _, _) = read_all(&flac).unwrap();
        assert_eq!(got.len(), src.len());
        let max = got
            .iter()
            .zip(&src)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(max < 1e-6, "{bits} bit: {max}");
        check_seeks(&flac, &got, channels as usize);
    }
}

#[test]
fn truncated_flac_is_an_error() {
    if !have("sox") {
        println!("note: sox not installed, truncated FLAC case skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("t.wav");
    let flac = dir.path().join("t.flac");
    sine_wav(&wav, 44_100, 2, 16, 44_100);
    run(Command::new("sox").arg(&wav).arg(&flac));
    let bytes = std::fs::read(&flac).unwrap();
    std::fs::write(&flac, &bytes[..bytes.len() / 2]).unwrap();
    let e = read_all(&flac).unwrap_err();
    assert!(e.to_string().contains("t.flac"), "{e}");
}

fn lossy_case(ext: &str, codec_args: &[&str]) -> Option<(PathBuf, tempfile::TempDir)> {
    if !have("ffmpeg") {
        println!("note: ffmpeg not installed, .{ext} case skipped (run setup.sh --tests)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("src.wav");
    sine_wav(&wav, 44_100, 2, 16, 44_100 * 2);
    let out = dir.path().join(format!("src.{ext}"));
    run(Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-i"])
        .arg(&wav)
        .args(codec_args)
        .arg(&out));
    Some((out, dir))
}

fn check_lossy(path: &Path) {
    let r = AudioReader::open(path).unwrap();
    assert_eq!((r.sample_rate(), r.channels()), (44_100, 2));
    let (got, rate, ch) = read_all(path).unwrap();
    let frames = got.len() / ch as usize;
    // Gapless decoding gives the source length back (to within one codec frame).
    assert!(
        (frames as i64 - 88_200).abs() <= 1152,
        "{}: {frames} frames",
        path.display()
    );
    let hz = zero_crossing_hz(&got[2000 * 2..80_000 * 2], 2, rate);
    assert!(
        (hz - 440.0).abs() < 2.0,
        "{}: left channel at {hz} Hz",
        path.display()
    );
    let hz_r = zero_crossing_hz(&got[2000 * 2 + 1..80_000 * 2], 2, rate);
    assert!(
        (hz_r - 880.0).abs() < 3.0,
        "{}: right channel at {hz_r} Hz",
        path.display()
    );
    check_seeks(path, &got, 2);
}

#[test]
fn mp3_decodes_and_seeks_exactly() {
    if let Some((path, _dir)) = lossy_case("mp3", &["-c:a", "libmp3lame", "-b:a", "192k"]) {
        check_lossy(&path);
    }
}

#[test]
fn ogg_vorbis_decodes_and_seeks_exactly() {
    if let Some((path, _dir)) = lossy_case("ogg", &["-c:a", "libvorbis", "-q:a", "5"]) {
        check_lossy(&path);
    }
}

#[test]
fn a_lying_header_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liar.wav");
    let v = wav_support::lying_wav(48_000, 48_000 * 4);
    std::fs::write(&path, v).unwrap();
    let e = read_all(&path).unwrap_err();
    assert!(
        matches!(e, CodecError::Truncated { found: 48_000, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("liar.wav"));
}
