//! A streaming true-peak detector for the limiter: 4x oversampling with a 64-tap
//! Kaiser-windowed sinc (β = 6) split into four 16-tap polyphase branches, each normalised to
//! unity DC gain — the interpolator of ITU-R BS.1770-4 Annex 2 ([`interpolator`], which `analysis::peak`'s
//! block meter uses too); this one answers per sample. No allocation: the history is a fixed array.

use std::f64::consts::PI;

/// Oversampling factor.
pub const OVERSAMPLING: usize = 4;
/// Taps per polyphase branch.
pub const TAPS: usize = 16;

/// The 4x interpolator of BS.1770-4 Annex 2 as `[tap][phase]`: a 64-tap Kaiser-windowed sinc
/// (β = 6) split into four branches, each normalised to unity DC gain. The limiter's detector
/// and `analysis::peak`'s meter both use these taps.
pub fn interpolator() -> [[f32; OVERSAMPLING]; TAPS] {
    let n = TAPS * OVERSAMPLING;
    let center = (n - 1) as f64 / 2.0;
    let beta = 6.0;
    let mut h = [0.0f64; TAPS * OVERSAMPLING];
    for (i, v) in h.iter_mut().enumerate() {
        let t = (i as f64 - center) / OVERSAMPLING as f64;
        let sinc = if t.abs() < 1e-12 {
            1.0
        } else {
            (PI * t).sin() / (PI * t)
        };
        let r = (i as f64 - center) / center;
        *v = sinc * bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(beta);
    }
    let mut out = [[0.0f32; OVERSAMPLING]; TAPS];
    for p in 0..OVERSAMPLING {
        let sum: f64 = (0..TAPS).map(|k| h[k * OVERSAMPLING + p]).sum();
        for (k, row) in out.iter_mut().enumerate() {
            row[p] = (h[k * OVERSAMPLING + p] / sum) as f32;
        }
    }
    out
}

/// Per-sample true-peak detector for one channel.
#[derive(Clone, Debug)]
pub struct TruePeak {
    /// `branches[p][j]` multiplies the input `j` samples back for output phase `p`.
    branches: [[f32; TAPS]; OVERSAMPLING],
    /// The last TAPS inputs, written twice (at `pos` and `pos + TAPS`) so a window is always
    /// one contiguous slice.
    hist: [f32; 2 * TAPS],
    pos: usize,
}

impl Default for TruePeak {
    fn default() -> Self {
        TruePeak::new()
    }
}

impl TruePeak {
    /// How many input samples the detector's answer lags the input: [`TruePeak::push`]
    /// covers the signal between `DELAY` and `DELAY − 1` samples back.
    pub const DELAY: usize = 8;

    /// A detector with silent history.
    pub fn new() -> TruePeak {
        let taps = interpolator();
        let mut branches = [[0.0f32; TAPS]; OVERSAMPLING];
        for (p, branch) in branches.iter_mut().enumerate() {
            for (j, b) in branch.iter_mut().enumerate() {
                *b = taps[j][p];
            }
        }
        TruePeak {
            branches,
            hist: [0.0; 2 * TAPS],
            pos: 0,
        }
    }

    /// Takes one input sample and returns the largest |value| of the band-limited signal over
    /// [`TruePeak::DELAY`] … `DELAY − 1` samples back: that sample and the four interpolated
    /// points after it. Called on the audio thread.
    #[inline]
    pub fn push(&mut self, x: f32) -> f32 {
        self.pos = (self.pos + TAPS - 1) % TAPS;
        self.hist[self.pos] = x;
        self.hist[self.pos + TAPS] = x;
        // window[j] is the input j samples back.
        let window = &self.hist[self.pos..self.pos + TAPS];
        let mut peak = window[Self::DELAY].abs();
        for branch in &self.branches {
            let y: f32 = branch.iter().zip(window).map(|(c, v)| c * v).sum();
            peak = peak.max(y.abs());
        }
        peak
    }

    /// Forgets the history.
    pub fn reset(&mut self) {
        self.hist = [0.0; 2 * TAPS];
    }
}

/// Modified Bessel function of the first kind, order 0 (power series).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let q = x * x / 4.0;
    for k in 1..50 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_rate_sine_at_45_degrees_reads_its_true_peak() {
        // Samples sit at ±0.7071·A; the waveform reaches A (+3.01 dB over the sample peak).
        let mut d = TruePeak::new();
        let mut peak = 0.0f32;
        for n in 0..4800 {
            let x = (std::f64::consts::FRAC_PI_2 * n as f64 + std::f64::consts::FRAC_PI_4).sin()
                as f32
                * 0.5;
            let p = d.push(x);
            if n > 100 {
                peak = peak.max(p);
            }
        }
        assert!((peak - 0.5).abs() < 0.5 * 0.025, "{peak}");
    }

    #[test]
    fn dc_reads_its_level_and_an_impulse_arrives_after_the_delay() {
        let mut d = TruePeak::new();
        let mut last = 0.0;
        for _ in 0..64 {
            last = d.push(0.25);
        }
        assert!((last - 0.25).abs() < 1e-5);
        let mut d = TruePeak::new();
        let got: Vec<f32> = (0..20)
            .map(|n| d.push(if n == 0 { 1.0 } else { 0.0 }))
            .collect();
        assert_eq!(got[TruePeak::DELAY], 1.0);
        let argmax = (0..20)
            .max_by(|a, b| got[*a].total_cmp(&got[*b]))
            .unwrap_or(0);
        assert_eq!(argmax, TruePeak::DELAY);
    }
}
