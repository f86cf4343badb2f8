//! The EQ, compressor and gate measured against their definitions, through the engine's
//! `FxNode` interface built from registry values (so the parameter mapping is under test too):
//! EQ magnitudes against the RBJ cookbook's |H(e^jw)|, sweeps and type changes without clicks,
//! the compressor's static curve and knee, peak vs RMS detection, sidechain, `mix` = 0, the
//! gate's range, threshold, attack, hold and release in samples; property tests over random
//! registry parameters; and no allocation in `process` or any setter.

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

use proptest::prelude::*;
use std::f64::consts::PI;
use tdaw::dsp::{pass24_qs, Biquad, BiquadKind};
use tdaw::engine::fx::{build, FxNode};
use tdaw::model::fx::{kind, Curve, Unit, EQ_TYPES};

mod fx_support;
use fx_support::{no_alloc, node, BLOCK, RATE};

fn eq_type(name: &str) -> f64 {
    EQ_TYPES
        .iter()
        .position(|t| *t == name)
        .expect("an EQ type") as f64
}

fn sine(freq: f64, amp: f64, n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (amp * (2.0 * PI * freq * i as f64 / RATE as f64).sin()) as f32)
        .collect()
}

/// Runs `input` on both channels in 256-frame blocks; returns (left, right).
fn run(fx: &mut dyn FxNode, input: &[f32], sidechain: Option<&[f32]>) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (input.to_vec(), input.to_vec());
    let mut at = 0;
    while at < l.len() {
        let end = (at + BLOCK).min(l.len());
        let sc = sidechain.map(|s| (&s[at..end], &s[at..end]));
        fx.process(&mut l[at..end], &mut r[at..end], sc);
        at = end;
    }
    (l, r)
}

/// A steady sine's amplitude in dB, from the RMS of `x` (a whole number of periods) × √2.
fn sine_db(x: &[f32]) -> f64 {
    let ms = x.iter().map(|&s| (s as f64).powi(2)).sum::<f64>() / x.len() as f64;
    10.0 * (2.0 * ms).log10()
}

fn peak_db(x: &[f32]) -> f64 {
    20.0 * x.iter().fold(0.0f32, |m, s| m.max(s.abs())).log10() as f64
}

fn max_step(x: &[f32]) -> f32 {
    x.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

/// The cookbook response of one band (the sum over its sections), in dB.
fn band_db(t: &str, freq: f64, gain: f64, q: f64, slope: f64, at: f64) -> f64 {
    let k = match t {
        "peak" => BiquadKind::Peak,
        "lowshelf" => BiquadKind::LowShelf,
        "highshelf" => BiquadKind::HighShelf,
        "lowpass" => BiquadKind::Lowpass,
        "highpass" => BiquadKind::Highpass,
        "notch" => BiquadKind::Notch,
        "bandpass" => BiquadKind::Bandpass,
        _ => return 0.0,
    };
    let qs: Vec<f32> = if slope == 24.0 && matches!(t, "lowpass" | "highpass") {
        pass24_qs(q as f32).to_vec()
    } else {
        vec![q as f32]
    };
    qs.iter()
        .map(|&q| Biquad::new(k, RATE, freq as f32, q, gain as f32).magnitude_db(at as f32, RATE))
        .sum()
}

/// Frequencies with a whole number of periods in the 0.25 s measuring window.
const PROBES: [f64; 7] = [100.0, 300.0, 1000.0, 2000.0, 3000.0, 6000.0, 12000.0];

/// Sends 0.5 s of each probe sine through a fresh EQ and compares the last 0.25 s's level with
/// `want(freq)` (dB). Where the cookbook says the band nulls (below -40 dB) the measurement
/// must be below -40 dB too.
fn check_eq(params: &[(&str, f64)], want: impl Fn(f64) -> f64) {
    for f in PROBES {
        let mut fx = node("eq", params);
        let (l, r) = run(fx.as_mut(), &sine(f, 0.5, RATE as usize / 2), None);
        let got = sine_db(&l[RATE as usize / 4..]) + 6.0206;
        let w = want(f);
        if w < -40.0 {
            assert!(
                got < -40.0,
                "{params:?} at {f} Hz: {got} dB, cookbook {w} dB"
            );
        } else {
            assert!(
                (got - w).abs() <= 0.25,
                "{params:?} at {f} Hz: {got} dB, cookbook {w} dB"
            );
        }
        assert_eq!(l, r);
    }
}

#[test]
fn every_band_type_measures_as_the_cookbook_says() {
    for (t, gain, q) in [
        ("peak", 6.0, 1.5),
        ("peak", -12.0, 4.0),
        ("lowshelf", -9.0, 0.707),
        ("highshelf", 5.0, 1.2),
        ("lowpass", 0.0, 0.707),
        ("lowpass", 0.0, 3.0),
        ("highpass", 0.0, 0.707),
        ("notch", 0.0, 2.0),
        ("bandpass", 0.0, 1.0),
    ] {
        // Band 4 (any band would do) at 1 kHz.
        let params = [
            ("b4_type", eq_type(t)),
            ("b4_freq", 1000.0),
            ("b4_gain_db", gain),
            ("b4_q", q),
        ];
        check_eq(&params, |f| band_db(t, 1000.0, gain, q, 12.0, f));
    }
}

#[test]
fn slope_24_is_the_butterworth_pair_of_cookbook_sections() {
    for t in ["lowpass", "highpass"] {
        for q in [std::f64::consts::FRAC_1_SQRT_2, 2.5] {
            let params = [
                ("b1_type", eq_type(t)),
                ("b1_freq", 1000.0),
                ("b1_q", q),
                ("b1_slope", 24.0),
            ];
            check_eq(&params, |f| band_db(t, 1000.0, 0.0, q, 24.0, f));
        }
    }
    // At Q = 1/√2 it is the 4th-order Butterworth: -3.01 dB at the corner, and about 24 dB
    // more per octave away from it (100 vs 200 Hz above a 1 kHz high-pass).
    let want = band_db("highpass", 1000.0, 0.0, 0.5f64.sqrt(), 24.0, 1000.0);
    assert!((want + 3.01).abs() < 0.01, "{want}");
    let per_octave = band_db("highpass", 1000.0, 0.0, 0.5f64.sqrt(), 24.0, 200.0)
        - band_db("highpass", 1000.0, 0.0, 0.5f64.sqrt(), 24.0, 100.0);
    assert!((per_octave - 24.0).abs() < 0.5, "{per_octave}");
}

#[test]
fn bands_add_up() {
    let params = [
        ("b1_type", eq_type("lowshelf")),
        ("b1_freq", 120.0),
        ("b1_gain_db", 4.0),
        ("b3_type", eq_type("peak")),
        ("b3_freq", 1500.0),
        ("b3_gain_db", -6.0),
        ("b3_q", 2.0),
        ("b8_type", eq_type("highshelf")),
        ("b8_freq", 8000.0),
        ("b8_gain_db", 3.0),
    ];
    check_eq(&params, |f| {
        band_db("lowshelf", 120.0, 4.0, 0.707, 12.0, f)
            + band_db("peak", 1500.0, -6.0, 2.0, 12.0, f)
            + band_db("highshelf", 8000.0, 3.0, 0.707, 12.0, f)
    });
}

/// Sweeps band 1's frequency 100 Hz → 10 kHz (log) over 0.5 s, set every 32 samples as the
/// engine's automation does, on a 1 kHz sine; returns (input, output).
fn sweep(params: &[(&str, f64)]) -> (Vec<f32>, Vec<f32>) {
    let mut fx = node("eq", params);
    let n = RATE as usize; // 0.25 s still, 0.5 s sweep, 0.25 s still
    let input = sine(1000.0, 0.25, n);
    let (mut l, mut r) = (input.clone(), input.clone());
    for (k, (cl, cr)) in l.chunks_mut(32).zip(r.chunks_mut(32)).enumerate() {
        let t = ((k * 32) as f64 / RATE as f64 - 0.25).clamp(0.0, 0.5) / 0.5;
        fx.set(1, 100.0 * 100f64.powf(t)); // b1_freq
        fx.process(cl, cr, None);
    }
    (input, l)
}

#[test]
fn sweeping_a_band_does_not_click() {
    // A +12 dB bell can at most multiply the sine's steepest step by 4 (12 dB).
    let (input, out) = sweep(&[
        ("b1_type", eq_type("peak")),
        ("b1_freq", 100.0),
        ("b1_gain_db", 12.0),
        ("b1_q", 2.0),
    ]);
    let bound = max_step(&input) * 10f32.powf(12.0 / 20.0) * 1.02;
    assert!(max_step(&out) <= bound, "{} > {bound}", max_step(&out));
    // The bell did pass over the sine (+12 dB at some point).
    assert!(peak_db(&out) > peak_db(&input) + 11.5);
    // A 24 dB/oct low-pass opening up: never steeper than the sine itself.
    let (input, out) = sweep(&[
        ("b1_type", eq_type("lowpass")),
        ("b1_freq", 100.0),
        ("b1_slope", 24.0),
    ]);
    let bound = max_step(&input) * 1.02;
    assert!(max_step(&out) <= bound, "{} > {bound}", max_step(&out));
    assert!((peak_db(&out[RATE as usize - 4800..]) - peak_db(&input)).abs() < 0.1);
}

#[test]
fn changing_a_band_type_crossfades() {
    // Low-pass at 200 Hz (the 1 kHz sine nearly gone) switched to high-pass at 200 Hz (the
    // sine whole): the output grows over the fade, never stepping more than the sine does.
    let mut fx = node("eq", &[("b2_type", eq_type("lowpass")), ("b2_freq", 200.0)]);
    let input = sine(1000.0, 0.5, RATE as usize / 2);
    let (mut l, mut r) = (input.clone(), input.clone());
    let half = RATE as usize / 4;
    fx.process(&mut l[..half], &mut r[..half], None);
    fx.set(5, eq_type("highpass")); // b2_type
    fx.process(&mut l[half..], &mut r[half..], None);
    assert!(max_step(&l) <= max_step(&input) * 1.02);
    assert!(peak_db(&l[half - 4800..half]) < -25.0);
    assert!(peak_db(&l[half + 4800..]) > -6.1);
    // Turning the band off fades back to the input exactly.
    fx.set(5, eq_type("off"));
    let (l, _) = run(fx.as_mut(), &input, None);
    assert_eq!(&l[4800..], &input[4800..]);
}

/// The quadratic-knee gain computer, written out from Giannoulis et al. (JAES 2012).
fn curve(x: f64, t: f64, ratio: f64, knee: f64) -> f64 {
    if 2.0 * (x - t) < -knee {
        x
    } else if 2.0 * (x - t).abs() <= knee && knee > 0.0 {
        x + (1.0 / ratio - 1.0) * (x - t + knee / 2.0).powi(2) / (2.0 * knee)
    } else {
        t + (x - t) / ratio
    }
}

/// A 1 kHz sine at `level_db` peak through a compressor for one second; returns the output's
/// peak over the last 0.1 s, in dB, and the gain reduction the node reports.
fn compressed(params: &[(&str, f64)], level_db: f64, sidechain: Option<&[f32]>) -> (f64, f32) {
    let mut fx = node("compressor", params);
    let input = sine(1000.0, 10f64.powf(level_db / 20.0), RATE as usize);
    let (l, r) = run(fx.as_mut(), &input, sidechain);
    assert_eq!(l, r);
    (peak_db(&l[RATE as usize - 4800..]), fx.gain_reduction_db())
}

#[test]
fn compressor_follows_its_static_curve() {
    for (knee, makeup, ratio) in [(0.0, 0.0, 4.0), (12.0, 0.0, 4.0), (6.0, 3.0, 10.0)] {
        let params = [
            ("threshold_db", -20.0),
            ("ratio", ratio),
            ("knee_db", knee),
            ("makeup_db", makeup),
            ("attack_ms", 5.0),
            ("release_ms", 300.0),
        ];
        for level in [-36.0, -28.0, -26.0, -23.0, -20.0, -17.0, -14.0, -8.0, -2.0] {
            let (out, gr) = compressed(&params, level, None);
            let want = curve(level, -20.0, ratio, knee) + makeup;
            assert!(
                (out - want).abs() <= 0.5,
                "knee {knee}, ratio {ratio}, {level} dB in: {out} dB out, curve says {want}"
            );
            let want_gr = level - curve(level, -20.0, ratio, knee);
            assert!(
                (gr as f64 - want_gr).abs() <= 0.5,
                "{level}: gr {gr} vs {want_gr}"
            );
        }
    }
}

#[test]
fn rms_detector_reads_a_sine_3_db_under_its_peak() {
    // -6 dB sine, threshold -20, 4:1, hard knee: the peak detector reduces by 14·¾ = 10.5 dB;
    // the RMS one sees -9.01 dB and reduces by 10.99·¾ = 8.24 dB, i.e. 3.01·¾ dB less.
    let base = [
        ("threshold_db", -20.0),
        ("ratio", 4.0),
        ("knee_db", 0.0),
        ("attack_ms", 5.0),
        ("release_ms", 300.0),
    ];
    let rms = [base.as_slice(), &[("detector", 1.0)]].concat();
    let (out_peak, gr_peak) = compressed(&base, -6.0, None);
    let (out_rms, gr_rms) = compressed(&rms, -6.0, None);
    assert!((gr_peak - 10.5).abs() < 0.3, "{gr_peak}");
    assert!((gr_rms - 8.24).abs() < 0.3, "{gr_rms}");
    assert!(((out_rms - out_peak) - 3.0103 * 0.75).abs() < 0.2);
}

#[test]
fn sidechain_drives_the_detector() {
    let params = [
        ("threshold_db", -20.0),
        ("ratio", 4.0),
        ("knee_db", 0.0),
        ("attack_ms", 5.0),
        ("release_ms", 300.0),
    ];
    // A quiet -30 dB sine is left alone...
    let (out, gr) = compressed(&params, -30.0, None);
    assert!((out + 30.0).abs() < 0.05 && gr == 0.0, "{out} {gr}");
    // ...until a -6 dB key on the sidechain pulls it down 10.5 dB.
    let key = sine(200.0, 0.5, RATE as usize);
    let (out, gr) = compressed(&params, -30.0, Some(&key));
    assert!((out + 40.5).abs() < 0.5, "{out}");
    assert!((gr - 10.5).abs() < 0.5, "{gr}");
    // And a loud input with a silent key is not compressed.
    let silent = vec![0.0f32; RATE as usize];
    let (out, _) = compressed(&params, -6.0, Some(&silent));
    assert!((out + 6.0).abs() < 0.05, "{out}");
}

#[test]
fn compressor_mix_zero_is_bit_identical_and_half_is_halfway() {
    let heavy = [
        ("threshold_db", -50.0),
        ("ratio", 20.0),
        ("makeup_db", 12.0),
    ];
    let input: Vec<f32> = (0..RATE as usize / 2)
        .map(|i| ((i as f32 * 0.031).sin() + (i as f32 * 0.0071).sin()) * 0.45)
        .collect();
    let dry = [heavy.as_slice(), &[("mix", 0.0)]].concat();
    let (l, r) = run(node("compressor", &dry).as_mut(), &input, None);
    assert!(l
        .iter()
        .zip(&input)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    assert!(r
        .iter()
        .zip(&input)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    let (wet, _) = run(node("compressor", &heavy).as_mut(), &input, None);
    let half = [heavy.as_slice(), &[("mix", 0.5)]].concat();
    let (mixed, _) = run(node("compressor", &half).as_mut(), &input, None);
    for i in 0..input.len() {
        let want = 0.5 * (input[i] + wet[i]);
        assert!((mixed[i] - want).abs() < 1e-5, "{i}");
    }
}

const GATE: [(&str, f64); 5] = [
    ("threshold_db", -40.0),
    ("attack_ms", 1.0),
    ("hold_ms", 10.0),
    ("release_ms", 50.0),
    ("range_db", -60.0),
];

/// The gain the gate applied at each sample (output / input; the input never crosses 0).
fn gains(fx: &mut dyn FxNode, input: &[f32]) -> Vec<f32> {
    let (l, _) = run(fx, input, None);
    l.iter().zip(input).map(|(y, x)| y / x).collect()
}

#[test]
fn gate_closed_level_is_the_range_and_it_opens_above_threshold() {
    let mut fx = node("gate", &GATE);
    // -50 dB: under the threshold, the gate stays at -60 dB.
    let g = gains(fx.as_mut(), &vec![0.003_162_3; 4800]);
    assert!(g.iter().all(|&g| (g - 0.001).abs() < 1e-7), "{:?}", &g[..4]);
    assert!((fx.gain_reduction_db() - 60.0).abs() < 1e-3);
    // -20 dB: it opens, fully after the 1 ms (48-sample) attack, not before 40 samples.
    let g = gains(fx.as_mut(), &vec![0.1; 4800]);
    assert!(g[40] < 1.0 && g[47] == 1.0, "{} {}", g[40], g[47]);
    assert!(g[47..].iter().all(|&g| g == 1.0));
    assert_eq!(fx.gain_reduction_db(), 0.0);
}

#[test]
fn gate_holds_for_hold_samples_then_releases_to_range() {
    let mut fx = node("gate", &GATE);
    let (open, hold, release) = (4800usize, 480usize, 2400usize);
    let mut input = vec![0.1f32; open];
    input.extend(vec![0.001f32; 9600]);
    let g = gains(fx.as_mut(), &input);
    let last_above = open - 1;
    // Fully open through the hold...
    assert!(g[last_above..=last_above + hold].iter().all(|&g| g == 1.0));
    // ...closing from the next sample...
    assert!(g[last_above + hold + 1] < 1.0);
    // ...a dB-linear fade: halfway (in samples) it is halfway in dB (-30 dB)...
    let mid = 20.0 * g[last_above + hold + release / 2].log10();
    assert!((mid + 30.0).abs() < 0.1, "{mid}");
    // ...reaching the -60 dB range after `release` samples, and staying there.
    assert!(g[last_above + hold + release - 24] > 0.001 * 1.01);
    assert!(g[last_above + hold + release + 2..]
        .iter()
        .all(|&g| (g - 0.001).abs() < 1e-7));
}

/// Random values for every parameter of `k` from unit numbers: a choice's index, an allowed
/// value, or a point in the range (evenly in the log for log curves); a track reference 0.
fn random_values(k: &str, unit: &[f64]) -> Vec<f64> {
    kind(k)
        .expect("kind")
        .params
        .iter()
        .zip(unit)
        .map(|(p, &u)| {
            if !p.allowed.is_empty() {
                p.allowed[((u * p.allowed.len() as f64) as usize).min(p.allowed.len() - 1)]
            } else if p.unit == Unit::Choice {
                (u * (p.max + 1.0)).floor().min(p.max)
            } else if p.unit == Unit::Track {
                0.0
            } else if p.curve == Curve::Log && p.min > 0.0 {
                p.min * (p.max / p.min).powf(u)
            } else {
                p.min + (p.max - p.min) * u
            }
        })
        .collect()
}

/// For the EQ with `v`: an upper bound of the gain from input peak to output peak (the
/// product over bands of twice their largest magnitude, for the impulse response's L1 norm),
/// and the slowest pole's time constant in samples.
fn eq_bound_and_tau(v: &[f64]) -> (f64, f64) {
    let (mut bound, mut tau) = (1.0f64, 1.0f64);
    for b in v.chunks(5) {
        let t = EQ_TYPES[b[0] as usize];
        if t == "off" {
            continue;
        }
        let max_db = (0..400)
            .map(|i| 10.0 * 2000f64.powf(i as f64 / 399.0))
            .map(|f| band_db(t, b[1], b[2], b[3], b[4], f.min(23_900.0)))
            .fold(f64::MIN, f64::max);
        bound *= 2.0 * 10f64.powf(max_db / 20.0);
        let qs = if b[4] == 24.0 && matches!(t, "lowpass" | "highpass") {
            pass24_qs(b[3] as f32).to_vec()
        } else {
            vec![b[3] as f32]
        };
        for q in qs {
            // Pole radius of z² + a1 z + a2: the pass, notch and band-pass types share the
            // denominator at a frequency and Q; peak and shelves move theirs with the gain.
            let k = match t {
                "peak" => BiquadKind::Peak,
                "lowshelf" => BiquadKind::LowShelf,
                "highshelf" => BiquadKind::HighShelf,
                _ => BiquadKind::Lowpass,
            };
            let [_, _, _, a1, a2] =
                Biquad::new(k, RATE, b[1] as f32, q, b[2] as f32).coefficients();
            let disc = a1 * a1 - 4.0 * a2;
            let r = if disc < 0.0 {
                a2.sqrt()
            } else {
                ((-a1).abs() + disc.sqrt()) / 2.0
            };
            tau = tau.max(-1.0 / r.ln());
        }
    }
    (bound, tau)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn eq_is_finite_bounded_and_falls_silent(
        unit in prop::collection::vec(0.0f64..1.0, 40),
        amp in 0.01f64..1.0,
        seed in 0u32..1000,
    ) {
        let v = random_values("eq", &unit);
        let (bound, tau) = eq_bound_and_tau(&v);
        let mut fx = build("eq", RATE, &v).expect("eq");
        let mut noise = seed.wrapping_mul(2_654_435_761) | 1;
        let input: Vec<f32> = (0..RATE as usize / 4).map(|_| {
            noise ^= noise << 13; noise ^= noise >> 17; noise ^= noise << 5;
            (amp * (noise as f64 / u32::MAX as f64 * 2.0 - 1.0)) as f32
        }).collect();
        let (l, r) = run(fx.as_mut(), &input, None);
        let peak = l.iter().chain(&r).fold(0.0f32, |m, x| m.max(x.abs()));
        prop_assert!(peak.is_finite());
        prop_assert!((peak as f64) <= amp * bound, "{peak} > {amp}·{bound}");
        // Silence in: after 25 time constants of the slowest pole, 1e-8 of the peak is left.
        let tail = (25.0 * tau).min(15.0 * RATE as f64) as usize + BLOCK;
        let (l, r) = run(fx.as_mut(), &vec![0.0; tail], None);
        let last = l[tail - BLOCK..].iter().chain(&r[tail - BLOCK..])
            .fold(0.0f32, |m, x| m.max(x.abs()));
        prop_assert!(last.is_finite() && last <= peak * 1e-8 + 1e-30, "{last} after {tail}");
    }

    #[test]
    fn compressor_and_gate_are_finite_bounded_and_silent_on_silence(
        unit in prop::collection::vec(0.0f64..1.0, 9),
        amp in 0.0f64..1.0,
        seed in 0u32..1000,
        key_amp in 0.0f64..1.0,
    ) {
        let mut noise = seed.wrapping_mul(2_654_435_761) | 1;
        let mut next = move || {
            noise ^= noise << 13; noise ^= noise >> 17; noise ^= noise << 5;
            noise as f64 / u32::MAX as f64 * 2.0 - 1.0
        };
        let input: Vec<f32> = (0..RATE as usize / 4).map(|_| (amp * next()) as f32).collect();
        let key: Vec<f32> = (0..RATE as usize / 4).map(|_| (key_amp * next()) as f32).collect();
        for k in ["compressor", "gate"] {
            let v = random_values(k, &unit);
            // Most a compressor can add is its makeup (mix blends two signals under it).
            let gain_max = if k == "compressor" {
                10f64.powf(v[5].max(0.0) / 20.0)
            } else {
                1.0
            };
            let mut fx = build(k, RATE, &v).expect("built");
            for sc in [None, Some(key.as_slice())] {
                let (l, r) = run(fx.as_mut(), &input, sc);
                for (y, x) in l.iter().chain(&r).zip(input.iter().chain(&input)) {
                    prop_assert!(y.is_finite());
                    prop_assert!((y.abs() as f64) <= (x.abs() as f64) * gain_max * 1.0001 + 1e-9);
                }
                let gr = fx.gain_reduction_db();
                prop_assert!(gr.is_finite() && gr >= 0.0, "{k}: {gr}");
                let (l, r) = run(fx.as_mut(), &vec![0.0; BLOCK * 4], sc.map(|_| &[0.0f32; BLOCK * 4][..]));
                prop_assert!(l.iter().chain(&r).all(|&y| y == 0.0));
            }
        }
    }
}

#[test]
fn process_and_every_setter_never_allocate() {
    let mut nodes: Vec<(&str, Box<dyn FxNode>)> = ["eq", "compressor", "gate"]
        .iter()
        .map(|k| {
            let unit: Vec<f64> = (0..40).map(|i| (i as f64 * 0.37) % 1.0).collect();
            (*k, build(k, RATE, &random_values(k, &unit)).expect("built"))
        })
        .collect();
    let input = sine(440.0, 0.8, BLOCK);
    let key = sine(90.0, 0.9, BLOCK);
    let (mut l, mut r) = (input.clone(), input.clone());
    for (k, fx) in nodes.iter_mut() {
        let spec = kind(k).expect("kind");
        let fx = fx.as_mut();
        no_alloc(|| {
            for round in 0..6 {
                for (i, p) in spec.params.iter().enumerate() {
                    let v = match round % 3 {
                        0 => p.min,
                        1 => p.max,
                        _ => (p.min + p.max) / 2.0,
                    };
                    fx.set(i, v);
                }
                fx.set(spec.params.len() + 3, 1.0); // unknown index: ignored
                fx.set_tempo(128.0);
                for _ in 0..4 {
                    l.copy_from_slice(&input);
                    r.copy_from_slice(&input);
                    let sc = (round % 2 == 1).then_some((&key[..], &key[..]));
                    fx.process(&mut l, &mut r, sc);
                    // Odd sizes: sub-block boundaries mid-block.
                    fx.process(&mut l[..37], &mut r[..37], None);
                }
                let _ = fx.gain_reduction_db();
                fx.reset();
            }
        });
        assert!(l.iter().all(|x| x.is_finite()), "{k}");
    }
}
