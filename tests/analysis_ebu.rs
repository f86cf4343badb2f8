//! EBU Tech 3341 (loudness meters) and Tech 3342 (loudness range) compliance cases, and
//! true-peak cases, generated from their published definitions at 48 kHz. Tech 3341 cases
//! 7 and 8 are recorded programme (files from the EBU test set) and cannot be generated.

mod analysis_support;

use analysis_support::{sine_segments, tone_segments};
use tdaw::analysis::loudness::{LoudnessAnalyzer, LoudnessResult};
use tdaw::analysis::{analyze_samples, LiveMeter};

const RATE: u32 = 48_000;

fn measure(samples: &[f32], channels: u16) -> LoudnessResult {
    let mut a = LoudnessAnalyzer::new(RATE, channels).unwrap();
    // Odd block size: results must not depend on block alignment.
    for block in samples.chunks(3001 * channels as usize) {
        a.push(block);
    }
    a.finish()
}

fn assert_near(what: &str, got: Option<f64>, want: f64, tol: f64) {
    let got = got.unwrap_or_else(|| panic!("{what}: no value"));
    assert!(
        (got - want).abs() <= tol,
        "{what}: {got:.3}, expected {want} ±{tol}"
    );
}

/// Cases 1 and 2: a stereo 1 kHz sine; M, S and I all read its level.
#[test]
fn tech3341_cases_1_and_2_steady_sine() {
    for level in [-23.0, -33.0] {
        let r = measure(&sine_segments(&[(level, 20.0)], RATE, 2), 2);
        assert_near("I", r.integrated, level, 0.1);
        assert_near("M", *r.timeline.momentary.last().unwrap(), level, 0.1);
        assert_near("S", *r.timeline.short_term.last().unwrap(), level, 0.1);
    }
}

/// Case 3: -36 dBFS 10 s, -23 dBFS 60 s, -36 dBFS 10 s → I = -23.0 (the relative gate).
#[test]
fn tech3341_case_3_relative_gate() {
    let x = sine_segments(&[(-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0)], RATE, 2);
    assert_near("I", measure(&x, 2).integrated, -23.0, 0.1);
}

/// Case 4: -72, -36, -23 (60 s), -36, -72 dBFS → I = -23.0 (both gates).
#[test]
fn tech3341_case_4_absolute_and_relative_gate() {
    let x = sine_segments(
        &[
            (-72.0, 10.0),
            (-36.0, 10.0),
            (-23.0, 60.0),
            (-36.0, 10.0),
            (-72.0, 10.0),
        ],
        RATE,
        2,
    );
    assert_near("I", measure(&x, 2).integrated, -23.0, 0.1);
}

/// Case 5: -26 dBFS 20 s, -20 dBFS 20.1 s, -26 dBFS 20 s → I = -23.0.
#[test]
fn tech3341_case_5_level_steps() {
    let x = sine_segments(&[(-26.0, 20.0), (-20.0, 20.1), (-26.0, 20.0)], RATE, 2);
    assert_near("I", measure(&x, 2).integrated, -23.0, 0.1);
}

/// Cases 1–5: the largest momentary and short-term loudness (the `analyze --json` keys
/// `max_momentary_lufs`, `max_short_term_lufs`) read the loudest part of each signal.
#[test]
fn tech3341_cases_1_to_5_max_momentary_and_short_term() {
    type Case = (&'static [(f64, f64)], f64);
    let cases: [Case; 5] = [
        (&[(-23.0, 20.0)], -23.0),
        (&[(-33.0, 20.0)], -33.0),
        (&[(-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0)], -23.0),
        (
            &[
                (-72.0, 10.0),
                (-36.0, 10.0),
                (-23.0, 60.0),
                (-36.0, 10.0),
                (-72.0, 10.0),
            ],
            -23.0,
        ),
        (&[(-26.0, 20.0), (-20.0, 20.1), (-26.0, 20.0)], -20.0),
    ];
    for (k, (segments, want)) in cases.iter().enumerate() {
        let r = measure(&sine_segments(segments, RATE, 2), 2);
        assert_near(
            &format!("case {} max M", k + 1),
            r.max_momentary,
            *want,
            0.1,
        );
        assert_near(
            &format!("case {} max S", k + 1),
            r.max_short_term,
            *want,
            0.1,
        );
    }
}

/// Case 6: 5.0 channels, L and R at -28, C at -24, Ls and Rs at -30 dBFS → I = -23.0
/// (surround weights 1.41).
#[test]
fn tech3341_case_6_five_channels() {
    let levels = [-28.0, -28.0, -24.0, -30.0, -30.0];
    let chans: Vec<Vec<f32>> = levels
        .iter()
        .map(|l| sine_segments(&[(*l, 20.0)], RATE, 1))
        .collect();
    let x = analysis_support::interleave(&chans);
    assert_near("I", measure(&x, 5).integrated, -23.0, 0.1);
}

/// Case 9: 1.34 s at -20 dBFS and 1.66 s at -30 dBFS, five times: every short-term value
/// (3 s = one period) reads -23.0 once 3 s have passed.
#[test]
fn tech3341_case_9_short_term_is_constant() {
    let seg = [(-20.0, 1.34), (-30.0, 1.66)];
    let x = sine_segments(&seg.repeat(5), RATE, 2);
    let r = measure(&x, 2);
    let st: Vec<f64> = r
        .timeline
        .short_term
        .iter()
        .skip(30)
        .flatten()
        .copied()
        .collect();
    assert!(st.len() >= 100, "{}", st.len());
    for s in st {
        assert_near("S", Some(s), -23.0, 0.1);
    }
}

/// The momentary counterpart of case 9: 0.18 s at -20 dBFS and 0.22 s at -30 dBFS
/// repeated; every 400 ms window holds one period, so M reads -23.0 after the first 400 ms.
#[test]
fn momentary_is_constant_over_a_400ms_period() {
    let seg = [(-20.0, 0.18), (-30.0, 0.22)];
    let x = sine_segments(&seg.repeat(25), RATE, 2);
    let r = measure(&x, 2);
    let m: Vec<f64> = r
        .timeline
        .momentary
        .iter()
        .skip(4)
        .flatten()
        .copied()
        .collect();
    assert!(m.len() >= 90);
    for v in m {
        assert_near("M", Some(v), -23.0, 0.1);
    }
}

/// Tech 3342 cases 1–4: two or five sine levels of 20 s each; LRA within ±1 LU.
#[test]
fn tech3342_cases_1_to_4_loudness_range() {
    let cases: [(&[f64], f64); 4] = [
        (&[-20.0, -30.0], 10.0),
        (&[-20.0, -15.0], 5.0),
        (&[-40.0, -20.0], 20.0),
        (&[-50.0, -35.0, -20.0, -35.0, -50.0], 15.0),
    ];
    for (i, (levels, want)) in cases.iter().enumerate() {
        let segs: Vec<(f64, f64)> = levels.iter().map(|l| (*l, 20.0)).collect();
        let r = measure(&sine_segments(&segs, RATE, 2), 2);
        assert_near(&format!("case {} LRA", i + 1), r.range, *want, 1.0);
    }
}

/// The live meter (own K-weighting) agrees with the file analysis on the 3341 signals.
#[test]
fn live_meter_agrees_with_the_file_analysis() {
    let x = sine_segments(&[(-20.0, 1.34), (-30.0, 1.66)].repeat(2), RATE, 2);
    let file = measure(&x, 2);
    let mut live = LiveMeter::new(RATE, 2);
    for (i, block) in x.chunks(2 * 4800).enumerate() {
        live.push(block);
        let m_file = file.timeline.momentary[i];
        let s_file = file.timeline.short_term[i];
        match (live.momentary(), m_file) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 0.05, "M at {i}: {a} vs {b}"),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "M at {i}"),
        }
        match (live.short_term(), s_file) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 0.05, "S at {i}: {a} vs {b}"),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "S at {i}"),
        }
    }
}

fn true_peak_of(freq_ratio: f64, phase_deg: f64, peak_db: f64) -> (f64, f64) {
    // One second of a sine at rate·freq_ratio Hz whose waveform peaks at `peak_db`.
    let a = 10f64.powf(peak_db / 20.0);
    let ph = phase_deg.to_radians();
    let x: Vec<f32> = (0..RATE as usize)
        .map(|n| (a * (std::f64::consts::TAU * freq_ratio * n as f64 + ph).sin()) as f32)
        .collect();
    let r = analyze_samples(&x, RATE, 1).unwrap();
    (r.sample_peak_dbfs.unwrap(), r.true_peak_dbtp.unwrap())
}

/// True-peak cases in the manner of Tech 3341's (sines at fs/4, fs/6, fs/8 with phase
/// offsets that hide the crest between samples); tolerance +0.2 / -0.4 dB.
#[test]
fn true_peak_finds_intersample_peaks() {
    let cases = [
        (0.25, 0.0, -6.0, -6.0),
        (0.25, 45.0, -6.0, -9.03),
        (1.0 / 6.0, 60.0, -6.0, -7.25),
        (0.125, 67.5, -6.0, -6.69),
        (0.25, 45.0, 0.0, -3.01),
    ];
    for (ratio, phase, tp_want, sp_want) in cases {
        let (sp, tp) = true_peak_of(ratio, phase, tp_want);
        assert!(
            (sp - sp_want).abs() < 0.05,
            "fs·{ratio} {phase}°: sample peak {sp}"
        );
        assert!(
            tp <= tp_want + 0.2 && tp >= tp_want - 0.4,
            "fs·{ratio} {phase}°: true peak {tp}, expected {tp_want}"
        );
    }
}

/// A 1 kHz sine: true peak equals sample peak within the interpolator's accuracy, at
/// every common rate (4x oversampling everywhere).
#[test]
fn true_peak_of_a_low_sine_is_its_peak_at_every_rate() {
    for rate in [44_100, 48_000, 96_000] {
        let x = tone_segments(997.0, &[(-1.0, 0.5)], rate, 2);
        let r = analyze_samples(&x, rate, 2).unwrap();
        let tp = r.true_peak_dbtp.unwrap();
        assert!((tp + 1.0).abs() < 0.05, "{rate}: {tp}");
        assert!(r.sample_peak_dbfs.unwrap() <= tp);
    }
}
