//! Edge cases of the analysis: silence, DC, full-scale square, clipping, mono, 8 channels,
//! very short input, files in several formats — every result finite or `None`.

mod analysis_support;

use analysis_support::{sine_segments, write_wav_f32, write_wav_i16};
use tdaw::analysis::{analyze_file, analyze_samples, Analysis};

const RATE: u32 = 48_000;

fn all_finite(a: &Analysis) {
    for v in [
        a.integrated_lufs,
        a.loudness_range_lu,
        a.true_peak_dbtp,
        a.sample_peak_dbfs,
        a.rms_dbfs,
        a.bpm,
    ]
    .into_iter()
    .flatten()
    {
        assert!(v.is_finite(), "{a:?}");
    }
}

#[test]
fn silence_measures_nothing_but_its_length() {
    let a = analyze_samples(&vec![0.0; 2 * RATE as usize * 5], RATE, 2).unwrap();
    assert_eq!(a.integrated_lufs, None);
    assert_eq!(a.loudness_range_lu, None);
    assert_eq!(a.true_peak_dbtp, None);
    assert_eq!(a.sample_peak_dbfs, None);
    assert_eq!(a.rms_dbfs, None);
    assert_eq!(a.bpm, None);
    assert_eq!(a.duration_s, 5.0);
    let json = serde_json::to_value(&a).unwrap();
    assert!(json["integrated_lufs"].is_null() && json["true_peak_dbtp"].is_null());
}

#[test]
fn dc_has_peaks_but_no_loudness() {
    // K-weighting removes DC: once the filter has settled from the step at the start, the
    // momentary loudness is below the -70 LUFS gate.
    let a = analyze_samples(&vec![0.5; 2 * RATE as usize * 4], RATE, 2).unwrap();
    for m in a.timeline.momentary.iter().skip(10) {
        assert!(m.is_none_or(|m| m < -70.0), "{m:?}");
    }
    assert!((a.sample_peak_dbfs.unwrap() + 6.02).abs() < 0.01, "{a:?}");
    assert!((a.true_peak_dbtp.unwrap() + 6.02).abs() < 0.01, "{a:?}");
    assert!((a.rms_dbfs.unwrap() + 6.02).abs() < 0.01, "{a:?}");
    all_finite(&a);
    // A DC offset under a sine leaves its loudness alone but raises its peak.
    let x: Vec<f32> = sine_segments(&[(-23.0, 5.0)], RATE, 2)
        .into_iter()
        .map(|v| v + 0.1)
        .collect();
    let a = analyze_samples(&x, RATE, 2).unwrap();
    assert!((a.integrated_lufs.unwrap() + 23.0).abs() < 0.1, "{a:?}");
    let want_peak = 20.0 * (0.1 + 10f64.powf(-23.0 / 20.0)).log10();
    assert!(
        (a.sample_peak_dbfs.unwrap() - want_peak).abs() < 0.02,
        "{a:?}"
    );
}

#[test]
fn full_scale_square_overshoots_between_samples() {
    // 1 kHz square at ±1: the band-limited waveform rings above full scale (Gibbs).
    let x: Vec<f32> = (0..RATE as usize * 2)
        .map(|n| if (n / 24) % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    let a = analyze_samples(&x, RATE, 1).unwrap();
    assert_eq!(a.sample_peak_dbfs, Some(0.0));
    assert_eq!(a.rms_dbfs, Some(0.0));
    let tp = a.true_peak_dbtp.unwrap();
    assert!(tp > 0.3 && tp < 3.0, "true peak {tp}");
    assert!(a.integrated_lufs.unwrap() > -3.0);
}

#[test]
fn clipped_float_audio_reads_above_full_scale() {
    let x = sine_segments(&[(6.0, 1.0)], RATE, 2);
    let a = analyze_samples(&x, RATE, 2).unwrap();
    assert!((a.sample_peak_dbfs.unwrap() - 6.0).abs() < 0.01, "{a:?}");
    assert!(a.true_peak_dbtp.unwrap() >= a.sample_peak_dbfs.unwrap());
    // Clipped 16-bit: the waveform is flat-topped at full scale.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("clipped.wav");
    write_wav_i16(&p, &x, RATE, 2);
    let a = analyze_file(&p).unwrap();
    assert!(a.sample_peak_dbfs.unwrap() <= 0.0 && a.sample_peak_dbfs.unwrap() > -0.01);
    assert!(a.true_peak_dbtp.unwrap() > 0.0, "{a:?}");
}

#[test]
fn mono_is_one_channel_of_bs1770() {
    // BS.1770: a single channel at -23 dBFS reads 3 LU below the same sine in stereo.
    let a = analyze_samples(&sine_segments(&[(-23.0, 5.0)], RATE, 1), RATE, 1).unwrap();
    assert!((a.integrated_lufs.unwrap() + 26.01).abs() < 0.1, "{a:?}");
    assert_eq!(a.channels, 1);
}

#[test]
fn eight_channels_weigh_sides_and_skip_the_lfe() {
    // 7.1 in WAV order: only the LFE (4th) carries signal → no loudness; then only the
    // side pair (7th, 8th) → weighted 1.41 each.
    let tone = sine_segments(&[(-23.0, 3.0)], RATE, 1);
    let frames = tone.len();
    let mut lfe = vec![0.0f32; frames * 8];
    let mut sides = vec![0.0f32; frames * 8];
    for (i, v) in tone.iter().enumerate() {
        lfe[i * 8 + 3] = *v;
        sides[i * 8 + 6] = *v;
        sides[i * 8 + 7] = *v;
    }
    let a = analyze_samples(&lfe, RATE, 8).unwrap();
    assert_eq!(a.integrated_lufs, None, "{a:?}");
    assert!((a.sample_peak_dbfs.unwrap() + 23.0).abs() < 0.01);
    let a = analyze_samples(&sides, RATE, 8).unwrap();
    let want = -23.0 + 10.0 * 1.41f64.log10();
    assert!((a.integrated_lufs.unwrap() - want).abs() < 0.1, "{a:?}");
    assert_eq!(a.channels, 8);
}

#[test]
fn very_short_input_is_measured_where_possible() {
    // 0.2 s: shorter than a gating block; peaks and RMS exist, loudness does not.
    let a = analyze_samples(&sine_segments(&[(-10.0, 0.2)], RATE, 2), RATE, 2).unwrap();
    assert_eq!(a.integrated_lufs, None);
    assert_eq!(a.loudness_range_lu, None);
    assert_eq!(a.bpm, None);
    assert!((a.sample_peak_dbfs.unwrap() + 10.0).abs() < 0.01);
    // 1 s: integrated exists, the range (3 s windows) does not.
    let a = analyze_samples(&sine_segments(&[(-10.0, 1.0)], RATE, 2), RATE, 2).unwrap();
    assert!((a.integrated_lufs.unwrap() + 10.0).abs() < 0.1, "{a:?}");
    assert_eq!(a.loudness_range_lu, None);
    // A single frame, and nothing at all.
    let a = analyze_samples(&[0.3, -0.3], RATE, 2).unwrap();
    assert!((a.sample_peak_dbfs.unwrap() - 20.0 * 0.3f64.log10()).abs() < 0.01);
    all_finite(&a);
    let a = analyze_samples(&[], RATE, 2).unwrap();
    assert_eq!(a.duration_s, 0.0);
    assert_eq!(a.sample_peak_dbfs, None);
}

#[test]
fn invalid_formats_are_refused_not_panicked() {
    assert!(analyze_samples(&[0.0; 10], RATE, 0).is_none());
    assert!(analyze_samples(&[0.0; 10], 0, 2).is_none());
}

#[test]
fn files_and_buffers_agree_and_rates_vary() {
    let dir = tempfile::tempdir().unwrap();
    for rate in [22_050u32, 44_100, 96_000] {
        let x = sine_segments(&[(-18.0, 4.0)], rate, 2);
        let p = dir.path().join(format!("s{rate}.wav"));
        write_wav_f32(&p, &x, rate, 2);
        let f = analyze_file(&p).unwrap();
        let b = analyze_samples(&x, rate, 2).unwrap();
        assert_eq!(f, b);
        assert_eq!(f.sample_rate, rate);
        assert!(
            (f.integrated_lufs.unwrap() + 18.0).abs() < 0.1,
            "{rate}: {f:?}"
        );
        assert!((f.duration_s - 4.0).abs() < 1e-3);
    }
}

#[test]
fn unreadable_files_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("garbage.wav");
    std::fs::write(&p, b"this is not audio at all").unwrap();
    let e = analyze_file(&p).unwrap_err().to_string();
    assert!(e.contains("garbage.wav"), "{e}");
    assert!(!e.contains('\n'));
    let missing = dir.path().join("missing.wav");
    let e = analyze_file(&missing).unwrap_err().to_string();
    assert!(e.contains("missing.wav"), "{e}");
}
