//! Second-order IIR filters with the coefficient formulas of Robert Bristow-Johnson's
//! "Audio EQ Cookbook", run in transposed direct form II with f64 state (f32 state loses
//! precision for low cut-offs at high sample rates). The crate's only biquad: filters whose
//! coefficients come from elsewhere (the BS.1770 K-weighting) are built with
//! [`Biquad::from_coefficients`], and measurements run it on f64 samples end to end.

use std::f64::consts::PI;

/// The response shape of a [`Biquad`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BiquadKind {
    /// 12 dB/octave low-pass; `q` = resonance (0.7071 = Butterworth).
    Lowpass,
    /// 12 dB/octave high-pass.
    Highpass,
    /// Band-pass with 0 dB gain at the centre frequency; `q` sets the bandwidth.
    Bandpass,
    /// Band-reject.
    Notch,
    /// Bell boost/cut of `gain_db` around the centre frequency.
    Peak,
    /// Shelf boosting/cutting `gain_db` below the corner frequency.
    LowShelf,
    /// Shelf boosting/cutting `gain_db` above the corner frequency.
    HighShelf,
    /// Unity magnitude, phase shift around the centre frequency.
    Allpass,
}

/// One RBJ biquad section: coefficients normalised by `a0`, plus its two state variables.
#[derive(Clone, Debug)]
pub struct Biquad {
    b0: f64,
    b1: f64,
    b2: f64,
    a1: f64,
    a2: f64,
    z1: f64,
    z2: f64,
}

impl Biquad {
    /// A filter of `kind` at `freq` Hz. `freq` is kept inside (0, 0.49·rate) and `q` above
    /// 0.001 so that any input gives a stable filter; `gain_db` matters for peak and shelves.
    pub fn new(kind: BiquadKind, sample_rate: u32, freq: f32, q: f32, gain_db: f32) -> Biquad {
        let mut b = Biquad {
            b0: 1.0,
            b1: 0.0,
            b2: 0.0,
            a1: 0.0,
            a2: 0.0,
            z1: 0.0,
            z2: 0.0,
        };
        b.set(kind, sample_rate, freq, q, gain_db);
        b
    }

    /// A filter that passes its input unchanged.
    pub fn identity() -> Biquad {
        Biquad {
            b0: 1.0,
            b1: 0.0,
            b2: 0.0,
            a1: 0.0,
            a2: 0.0,
            z1: 0.0,
            z2: 0.0,
        }
    }

    /// A filter with given coefficients, normalised so that `a0` = 1: `b` = `[b0, b1, b2]`,
    /// `a` = `[a1, a2]` (for designs that are not in the cookbook, such as BS.1770's).
    pub fn from_coefficients(b: [f64; 3], a: [f64; 2]) -> Biquad {
        Biquad {
            b0: b[0],
            b1: b[1],
            b2: b[2],
            a1: a[0],
            a2: a[1],
            z1: 0.0,
            z2: 0.0,
        }
    }

    /// Recomputes the coefficients, keeping the state (so a sweep does not click).
    /// Allocation-free; may be called on the audio thread.
    pub fn set(&mut self, kind: BiquadKind, sample_rate: u32, freq: f32, q: f32, gain_db: f32) {
        let fs = sample_rate.max(1) as f64;
        let f0 = (freq as f64).clamp(1.0e-3, 0.49 * fs);
        let q = (q as f64).max(1.0e-3);
        let w0 = 2.0 * PI * f0 / fs;
        let (sin, cos) = w0.sin_cos();
        let alpha = sin / (2.0 * q);
        let a = 10f64.powf(gain_db as f64 / 40.0);
        let sa = a.sqrt();
        let (b0, b1, b2, a0, a1, a2) = match kind {
            BiquadKind::Lowpass => (
                (1.0 - cos) / 2.0,
                1.0 - cos,
                (1.0 - cos) / 2.0,
                1.0 + alpha,
                -2.0 * cos,
                1.0 - alpha,
            ),
            BiquadKind::Highpass => (
                (1.0 + cos) / 2.0,
                -(1.0 + cos),
                (1.0 + cos) / 2.0,
                1.0 + alpha,
                -2.0 * cos,
                1.0 - alpha,
            ),
            BiquadKind::Bandpass => (alpha, 0.0, -alpha, 1.0 + alpha, -2.0 * cos, 1.0 - alpha),
            BiquadKind::Notch => (1.0, -2.0 * cos, 1.0, 1.0 + alpha, -2.0 * cos, 1.0 - alpha),
            BiquadKind::Allpass => (
                1.0 - alpha,
                -2.0 * cos,
                1.0 + alpha,
                1.0 + alpha,
                -2.0 * cos,
                1.0 - alpha,
            ),
            BiquadKind::Peak => (
                1.0 + alpha * a,
                -2.0 * cos,
                1.0 - alpha * a,
                1.0 + alpha / a,
                -2.0 * cos,
                1.0 - alpha / a,
            ),
            BiquadKind::LowShelf => (
                a * ((a + 1.0) - (a - 1.0) * cos + 2.0 * sa * alpha),
                2.0 * a * ((a - 1.0) - (a + 1.0) * cos),
                a * ((a + 1.0) - (a - 1.0) * cos - 2.0 * sa * alpha),
                (a + 1.0) + (a - 1.0) * cos + 2.0 * sa * alpha,
                -2.0 * ((a - 1.0) + (a + 1.0) * cos),
                (a + 1.0) + (a - 1.0) * cos - 2.0 * sa * alpha,
            ),
            BiquadKind::HighShelf => (
                a * ((a + 1.0) + (a - 1.0) * cos + 2.0 * sa * alpha),
                -2.0 * a * ((a - 1.0) + (a + 1.0) * cos),
                a * ((a + 1.0) + (a - 1.0) * cos - 2.0 * sa * alpha),
                (a + 1.0) - (a - 1.0) * cos + 2.0 * sa * alpha,
                2.0 * ((a - 1.0) - (a + 1.0) * cos),
                (a + 1.0) - (a - 1.0) * cos - 2.0 * sa * alpha,
            ),
        };
        self.b0 = b0 / a0;
        self.b1 = b1 / a0;
        self.b2 = b2 / a0;
        self.a1 = a1 / a0;
        self.a2 = a2 / a0;
    }

    /// Replaces the coefficients (`[b0, b1, b2, a1, a2]`, `a0` = 1) keeping the state, so a
    /// stereo pair computes them once and both channels glide together. Audio thread safe.
    pub fn set_coefficients(&mut self, c: [f64; 5]) {
        [self.b0, self.b1, self.b2, self.a1, self.a2] = c;
    }

    /// The normalised coefficients `[b0, b1, b2, a1, a2]` (`a0` = 1).
    pub fn coefficients(&self) -> [f64; 5] {
        [self.b0, self.b1, self.b2, self.a1, self.a2]
    }

    /// Filters one sample. Called on the audio thread.
    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        self.process_f64(x as f64) as f32
    }

    /// Filters one f64 sample, for measurements that cascade filters without rounding to f32
    /// in between (K-weighting). Called on the audio thread.
    #[inline]
    pub fn process_f64(&mut self, x: f64) -> f64 {
        let y = self.b0 * x + self.z1;
        self.z1 = self.b1 * x - self.a1 * y + self.z2;
        self.z2 = self.b2 * x - self.a2 * y;
        // Keep subnormals out of the state once the input has gone quiet.
        if self.z1.abs() < 1.0e-30 {
            self.z1 = 0.0;
        }
        if self.z2.abs() < 1.0e-30 {
            self.z2 = 0.0;
        }
        y
    }

    /// Filters a buffer in place. Called on the audio thread.
    pub fn process_block(&mut self, buf: &mut [f32]) {
        for x in buf.iter_mut() {
            *x = self.process(*x);
        }
    }

    /// Clears the state (silence in gives silence out from the next sample).
    pub fn reset(&mut self) {
        self.z1 = 0.0;
        self.z2 = 0.0;
    }

    /// The magnitude response in dB at `freq` Hz (for tests and EQ curves in the UI).
    pub fn magnitude_db(&self, freq: f32, sample_rate: u32) -> f64 {
        let w = 2.0 * PI * freq as f64 / sample_rate as f64;
        let (s1, c1) = w.sin_cos();
        let (s2, c2) = (2.0 * w).sin_cos();
        // H(e^jw) with e^-jw = cos w - j sin w.
        let nr = self.b0 + self.b1 * c1 + self.b2 * c2;
        let ni = -(self.b1 * s1 + self.b2 * s2);
        let dr = 1.0 + self.a1 * c1 + self.a2 * c2;
        let di = -(self.a1 * s1 + self.a2 * s2);
        let mag2 = (nr * nr + ni * ni) / (dr * dr + di * di);
        10.0 * mag2.log10()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: f32 = std::f32::consts::FRAC_1_SQRT_2;

    const ALL: [BiquadKind; 8] = [
        BiquadKind::Lowpass,
        BiquadKind::Highpass,
        BiquadKind::Bandpass,
        BiquadKind::Notch,
        BiquadKind::Peak,
        BiquadKind::LowShelf,
        BiquadKind::HighShelf,
        BiquadKind::Allpass,
    ];

    /// Direct form I straight from the cookbook's difference equation, with the un-normalised
    /// coefficients computed independently here.
    fn reference_lowpass(x: &[f64], fs: f64, f0: f64, q: f64) -> Vec<f64> {
        let w0 = 2.0 * PI * f0 / fs;
        let alpha = w0.sin() / (2.0 * q);
        let (b0, b1, b2) = (
            (1.0 - w0.cos()) / 2.0,
            1.0 - w0.cos(),
            (1.0 - w0.cos()) / 2.0,
        );
        let (a0, a1, a2) = (1.0 + alpha, -2.0 * w0.cos(), 1.0 - alpha);
        let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
        x.iter()
            .map(|&xn| {
                let y = (b0 * xn + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2) / a0;
                x2 = x1;
                x1 = xn;
                y2 = y1;
                y1 = y;
                y
            })
            .collect()
    }

    #[test]
    fn lowpass_impulse_matches_direct_form_reference() {
        let mut input = vec![0.0f64; 64];
        input[0] = 1.0;
        input[10] = -0.5;
        input[11] = 0.25;
        let want = reference_lowpass(&input, 48_000.0, 1_000.0, Q as f64);
        let mut f = Biquad::new(BiquadKind::Lowpass, 48_000, 1_000.0, Q, 0.0);
        for (i, (&x, &w)) in input.iter().zip(&want).enumerate() {
            let y = f.process(x as f32) as f64;
            assert!((y - w).abs() < 1e-6, "sample {i}: {y} vs {w}");
        }
    }

    #[test]
    fn first_samples_are_the_feedforward_coefficients() {
        // An impulse into TDF2: y0 = b0, y1 = b1 - a1*b0.
        let mut f = Biquad::new(BiquadKind::Highpass, 44_100, 500.0, 1.0, 0.0);
        let [b0, b1, _, a1, _] = f.coefficients();
        assert_eq!(f.process(1.0), b0 as f32);
        assert_eq!(f.process(0.0), (b1 - a1 * b0) as f32);
    }

    #[test]
    fn responses_have_the_cookbook_shapes() {
        let fs = 48_000;
        let lp = Biquad::new(BiquadKind::Lowpass, fs, 1_000.0, Q, 0.0);
        assert!(lp.magnitude_db(1.0, fs).abs() < 0.01);
        assert!((lp.magnitude_db(1_000.0, fs) + 3.01).abs() < 0.05);
        assert!(lp.magnitude_db(10_000.0, fs) < -35.0);
        let hp = Biquad::new(BiquadKind::Highpass, fs, 1_000.0, Q, 0.0);
        assert!(hp.magnitude_db(20_000.0, fs).abs() < 0.05);
        assert!(hp.magnitude_db(100.0, fs) < -35.0);
        let bp = Biquad::new(BiquadKind::Bandpass, fs, 2_000.0, 2.0, 0.0);
        assert!(bp.magnitude_db(2_000.0, fs).abs() < 0.01);
        let notch = Biquad::new(BiquadKind::Notch, fs, 2_000.0, 2.0, 0.0);
        assert!(notch.magnitude_db(2_000.0, fs) < -80.0);
        let peak = Biquad::new(BiquadKind::Peak, fs, 3_000.0, 1.0, 6.0);
        assert!((peak.magnitude_db(3_000.0, fs) - 6.0).abs() < 0.01);
        assert!(peak.magnitude_db(20.0, fs).abs() < 0.05);
        let ls = Biquad::new(BiquadKind::LowShelf, fs, 200.0, Q, -9.0);
        assert!((ls.magnitude_db(5.0, fs) + 9.0).abs() < 0.05);
        assert!(ls.magnitude_db(15_000.0, fs).abs() < 0.05);
        let hs = Biquad::new(BiquadKind::HighShelf, fs, 5_000.0, Q, 4.0);
        assert!((hs.magnitude_db(22_000.0, fs) - 4.0).abs() < 0.1);
        assert!(hs.magnitude_db(20.0, fs).abs() < 0.05);
        let ap = Biquad::new(BiquadKind::Allpass, fs, 1_000.0, Q, 0.0);
        for f in [20.0, 1_000.0, 15_000.0] {
            assert!(ap.magnitude_db(f, fs).abs() < 1e-6);
        }
    }

    #[test]
    fn silence_in_silence_out_and_reset() {
        for kind in ALL {
            let mut f = Biquad::new(kind, 48_000, 800.0, 0.9, 3.0);
            for _ in 0..100 {
                assert_eq!(f.process(0.0), 0.0);
            }
            f.process(1.0);
            f.reset();
            assert_eq!(f.process(0.0), 0.0, "{kind:?}");
        }
    }

    #[test]
    fn extreme_parameters_stay_stable() {
        for kind in ALL {
            for (freq, q) in [(0.0, 0.0), (1e9, 100.0), (-5.0, 1e-9), (20.0, 40.0)] {
                let mut f = Biquad::new(kind, 48_000, freq, q, 24.0);
                let mut peak = 0.0f32;
                for i in 0..20_000 {
                    let x = if i % 97 < 48 { 0.5 } else { -0.5 };
                    peak = peak.max(f.process(x).abs());
                }
                assert!(peak.is_finite(), "{kind:?} {freq} {q}");
            }
        }
    }
    /// The cookbook low-pass is the bilinear transform of H(s) = 1 / (s² + s/Q + 1), so its
    /// magnitude is that of the analog prototype at the pre-warped frequency
    /// Ω = tan(πf/fs) / tan(πf0/fs): |H|² = 1 / ((1 - Ω²)² + (Ω/Q)²).
    fn analytic_lowpass_db(f: f64, fs: f64, f0: f64, q: f64) -> f64 {
        let w = (PI * f / fs).tan() / (PI * f0 / fs).tan();
        let d = (1.0 - w * w).powi(2) + (w / q).powi(2);
        -10.0 * d.log10()
    }

    #[test]
    fn measured_magnitude_matches_the_analytic_response() {
        // Run sines through the filter and read the steady-state amplitude (RMS over the last
        // half second, a whole number of periods, times √2); compare with the closed-form
        // response at a few frequencies, and magnitude_db with it.
        let (fs, f0, q) = (48_000u32, 1_000.0f32, Q);
        for f in [100.0f64, 1_000.0, 3_000.0, 10_000.0] {
            let mut bq = Biquad::new(BiquadKind::Lowpass, fs, f0, q, 0.0);
            let n = fs as usize;
            let mut sum_sq = 0.0f64;
            for i in 0..n {
                let x = (2.0 * PI * f * i as f64 / fs as f64).sin();
                let y = bq.process_f64(x);
                if i >= n / 2 {
                    sum_sq += y * y;
                }
            }
            let amplitude = (sum_sq / (n / 2) as f64).sqrt() * 2f64.sqrt();
            let measured = 20.0 * amplitude.log10();
            let want = analytic_lowpass_db(f, fs as f64, f0 as f64, q as f64);
            assert!(
                (measured - want).abs() < 0.01,
                "{f} Hz: {measured} vs {want}"
            );
            assert!(
                (bq.magnitude_db(f as f32, fs) - want).abs() < 1e-4,
                "{f} Hz"
            );
        }
        // Butterworth: -3.01 dB at the corner.
        let corner = analytic_lowpass_db(1_000.0, 48_000.0, 1_000.0, 0.5f64.sqrt());
        assert!((corner + 3.0103).abs() < 1e-3, "{corner}");
    }

    #[test]
    fn from_coefficients_runs_the_given_filter_in_f64() {
        let mut f = Biquad::from_coefficients([0.5, 0.25, 0.125], [-0.5, 0.25]);
        assert_eq!(f.coefficients(), [0.5, 0.25, 0.125, -0.5, 0.25]);
        // Impulse: y0 = b0, y1 = b1 - a1·y0, y2 = b2 - a1·y1 - a2·y0.
        let y: Vec<f64> = [1.0, 0.0, 0.0].iter().map(|&x| f.process_f64(x)).collect();
        assert_eq!(y, vec![0.5, 0.5, 0.25]);
        // No rounding to f32 inside: a value f32 cannot hold survives.
        let mut id = Biquad::from_coefficients([1.0, 0.0, 0.0], [0.0, 0.0]);
        assert_eq!(id.process_f64(0.1), 0.1);
    }
}
