//! Unit tests of the codec module on files generated here with hound.

use super::*;
use std::path::Path;

fn sine(frames: usize, channels: u16, rate: u32) -> Vec<f32> {
    let mut v = Vec::with_capacity(frames * channels as usize);
    for i in 0..frames {
        for c in 0..channels {
            let f = 220.0 * (c as f32 + 1.0);
            v.push(0.5 * (2.0 * std::f32::consts::PI * f * i as f32 / rate as f32).sin());
        }
    }
    v
}

/// Writes `samples` with hound in the given integer/float layout.
fn write_hound(path: &Path, samples: &[f32], rate: u32, channels: u16, bits: u16, float: bool) {
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
    for &s in samples {
        match (bits, float) {
            (32, true) => w.write_sample(s).unwrap(),
            (16, false) => w.write_sample((s * 32767.0).round() as i16).unwrap(),
            (24, false) => w.write_sample((s * 8_388_607.0).round() as i32).unwrap(),
            (32, false) => w
                .write_sample((s as f64 * 2_147_483_647.0).round() as i32)
                .unwrap(),
            _ => unreachable!(),
        }
    }
    w.finalize().unwrap();
}

#[test]
fn decodes_every_wav_layout_exactly() {
    let dir = tempfile::tempdir().unwrap();
    for channels in [1u16, 2, 6] {
        for (bits, float, tol) in [
            (16, false, 1.0 / 32767.0),
            (24, false, 1.0 / 8_388_607.0),
            (32, false, 1e-7),
            (32, true, 0.0),
        ] {
            let rate = 44_100;
            let src = sine(5000, channels, rate);
            let path = dir.path().join(format!("t{channels}_{bits}_{float}.wav"));
            write_hound(&path, &src, rate, channels, bits, float);
            let r = AudioReader::open(&path).unwrap();
            assert_eq!(r.sample_rate(), rate);
            assert_eq!(r.channels(), channels);
            assert_eq!(r.frames(), Some(5000));
            let (got, got_rate, got_ch) = read_all(&path).unwrap();
            assert_eq!((got_rate, got_ch), (rate, channels));
            assert_eq!(got.len(), src.len(), "{channels} ch {bits} bit");
            let max_err = got
                .iter()
                .zip(&src)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(
                max_err <= tol * 1.01,
                "{channels} ch {bits} bit float={float}: {max_err}"
            );
        }
    }
}

#[test]
fn read_in_odd_sized_pieces_gives_the_same_samples() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.wav");
    let src = sine(10_000, 2, 48_000);
    write_hound(&path, &src, 48_000, 2, 32, true);
    let mut r = AudioReader::open(&path).unwrap();
    let mut got = Vec::new();
    let mut buf = vec![0.0; 2 * 333];
    loop {
        let n = r.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n * 2]);
    }
    assert_eq!(got, src);
    assert_eq!(r.position(), 10_000);
    // Reading at the end keeps returning 0.
    assert_eq!(r.read(&mut buf).unwrap(), 0);
}

#[test]
fn seek_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.wav");
    let frames = 50_000;
    // A ramp makes every frame distinct.
    let src: Vec<f32> = (0..frames * 2)
        .map(|i| i as f32 / (frames * 2) as f32)
        .collect();
    write_hound(&path, &src, 44_100, 2, 32, true);
    let mut r = AudioReader::open(&path).unwrap();
    let mut buf = vec![0.0; 2 * 100];
    for target in [0u64, 1, 4095, 4096, 12_345, 49_950, 20, 33_333] {
        r.seek(target).unwrap();
        assert_eq!(r.position(), target);
        let n = r.read(&mut buf).unwrap();
        let want = (frames as u64 - target).min(100) as usize;
        assert_eq!(n, want, "at {target}");
        let t = target as usize * 2;
        assert_eq!(&buf[..n * 2], &src[t..t + n * 2], "seek to {target}");
    }
    r.seek(frames as u64 + 10).unwrap();
    assert_eq!(r.read(&mut buf).unwrap(), 0);
    r.seek(7).unwrap();
    assert_eq!(r.read(&mut buf).unwrap(), 100);
    assert_eq!(buf[0], src[14]);
}

#[test]
fn zero_byte_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.wav");
    std::fs::write(&path, b"").unwrap();
    let e = AudioReader::open(&path).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, CodecError::Empty { .. }), "{msg}");
    assert!(msg.contains("empty.wav") && msg.contains("empty"), "{msg}");
}

#[test]
fn truncated_wav_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.wav");
    write_hound(&path, &sine(20_000, 2, 44_100), 44_100, 2, 16, false);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let e = read_all(&path).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(
            e,
            CodecError::Truncated {
                expected: 20_000,
                ..
            }
        ),
        "{msg}"
    );
    assert!(
        msg.contains("cut.wav") && msg.contains("truncated"),
        "{msg}"
    );
    // Cut inside the header.
    std::fs::write(&path, &bytes[..20]).unwrap();
    let msg = read_all(&path).unwrap_err().to_string();
    assert!(msg.contains("cut.wav"), "{msg}");
}

/// A 16-bit stereo WAV header whose data chunk claims `data_len` bytes, followed by `actual`
/// bytes of silence.
pub(crate) fn lying_wav(data_len: u32, actual: usize) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(data_len.saturating_add(36)).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes()); // PCM
    v.extend_from_slice(&2u16.to_le_bytes()); // channels
    v.extend_from_slice(&44_100u32.to_le_bytes());
    v.extend_from_slice(&(44_100u32 * 4).to_le_bytes());
    v.extend_from_slice(&4u16.to_le_bytes());
    v.extend_from_slice(&16u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&data_len.to_le_bytes());
    v.resize(v.len() + actual, 0);
    v
}

#[test]
fn wav_claiming_4_gb_is_reported_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.wav");
    std::fs::write(&path, lying_wav(u32::MAX - 100, 4 * 1000)).unwrap();
    let r = AudioReader::open(&path).unwrap();
    assert!(r.frames().unwrap_or(0) > 1_000_000_000 || r.frames().is_none());
    let e = read_all(&path).unwrap_err();
    assert!(
        matches!(e, CodecError::Truncated { found: 1000, .. }),
        "{e}"
    );
}

#[test]
fn random_bytes_are_not_audio() {
    let dir = tempfile::tempdir().unwrap();
    // A fixed xorshift stream, so the test is repeatable.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    for ext in ["wav", "flac", "mp3", "ogg"] {
        let path = dir.path().join(format!("noise.{ext}"));
        std::fs::write(&path, &bytes).unwrap();
        let e = read_all(&path).expect_err(ext);
        assert!(e.to_string().contains(&format!("noise.{ext}")), "{e}");
    }
}

#[test]
fn wav_writer_round_trips_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let src = sine(3000, 2, 48_000);
    for (fmt, tol, bits) in [
        (WavFormat::F32, 0.0, 32),
        (WavFormat::I24, 1.0 / 8_388_607.0, 24),
        (WavFormat::I16, 1.0 / 32_767.0, 16),
    ] {
        let path = dir.path().join(format!("{fmt:?}.wav"));
        write_wav(&path, &src, 48_000, 2, fmt).unwrap();
        assert_eq!(
            hound::WavReader::open(&path)
                .unwrap()
                .spec()
                .bits_per_sample,
            bits
        );
        let (got, rate, ch) = read_all(&path).unwrap();
        assert_eq!((rate, ch, got.len()), (48_000, 2, src.len()));
        for (a, b) in got.iter().zip(&src) {
            assert!((a - b).abs() <= tol * 1.01 + f32::EPSILON, "{fmt:?}");
        }
    }
    // Out-of-range and NaN samples are clipped, not wrapped.
    let path = dir.path().join("clip.wav");
    write_wav(&path, &[2.0, -2.0, f32::NAN, 0.5], 8000, 1, WavFormat::I16).unwrap();
    let (got, _, _) = read_all(&path).unwrap();
    assert!((got[0] - 1.0).abs() < 1e-4 && (got[1] + 1.0).abs() < 1e-4 && got[2] == 0.0);
}

/// Estimates the frequency of a mono signal from its zero crossings.
fn zero_crossing_hz(x: &[f32], rate: u32) -> f64 {
    let crossings = x.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    crossings as f64 * rate as f64 / x.len() as f64
}

#[test]
fn resample_keeps_length_pitch_and_alignment() {
    for (from, to) in [
        (44_100u32, 48_000u32),
        (48_000, 44_100),
        (22_050, 48_000),
        (96_000, 48_000),
    ] {
        let frames = from as usize; // one second
        let src: Vec<f32> = (0..frames)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / from as f32).sin())
            .collect();
        let out = resample(&src, 1, from, to).unwrap();
        assert_eq!(out.len(), to as usize, "{from}->{to}");
        let hz = zero_crossing_hz(&out[1000..out.len() - 1000], to);
        assert!((hz - 1000.0).abs() < 3.0, "{from}->{to}: {hz} Hz");
        // Aligned: the output at time t matches the input at time t (no leading delay).
        for t in [0.2f64, 0.4, 0.6] {
            let a = src[(t * from as f64) as usize];
            let b = out[(t * to as f64) as usize];
            assert!((a - b).abs() < 0.02, "{from}->{to} at {t}: {a} vs {b}");
        }
    }
}

#[test]
fn streamed_resampling_matches_whole_buffer() {
    let src = sine(30_001, 2, 44_100);
    let whole = resample(&src, 2, 44_100, 48_000).unwrap();
    let mut r = StreamResampler::new(44_100, 48_000, 2).unwrap();
    let mut out = Vec::new();
    for piece in src.chunks(2 * 777) {
        r.process(piece, &mut out).unwrap();
    }
    r.finish(&mut out).unwrap();
    assert_eq!(out.len(), whole.len());
    let max = out
        .iter()
        .zip(&whole)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(max < 1e-5, "{max}");
    assert_eq!(
        out.len() / 2,
        (30_001u64 * 48_000).div_ceil(44_100) as usize
    );
    // Reusable after finish.
    let mut again = Vec::new();
    r.process(&src, &mut again).unwrap();
    r.finish(&mut again).unwrap();
    assert_eq!(again.len(), whole.len());
}

#[test]
fn tiny_inputs_resample() {
    let out = resample(&[0.1, 0.2, 0.3], 1, 8000, 16_000).unwrap();
    assert_eq!(out.len(), 6);
    assert!(resample(&[], 1, 8000, 16_000).unwrap().is_empty());
    assert!(StreamResampler::new(0, 48_000, 1).is_err());
}

#[test]
fn readers_and_resamplers_can_move_to_another_thread() {
    fn send<T: Send>() {}
    send::<AudioReader>();
    send::<StreamResampler>();
    send::<WavWriter>();
}
