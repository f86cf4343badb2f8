//! The state-variable filter of Andrew Simper (Cytomic, "SvfLinearTrapOptimised2"): a
//! trapezoidal-integrated 2-pole whose cut-off can be swept every few samples without the
//! instability or zipper noise of recomputed biquads. The synth's resonant filter.

use std::f32::consts::PI;

/// A resonant 12 dB/octave state-variable filter with low-, band- and high-pass outputs.
#[derive(Clone, Debug)]
pub struct Svf {
    k: f32,
    a1: f32,
    a2: f32,
    a3: f32,
    ic1eq: f32,
    ic2eq: f32,
}

impl Svf {
    /// A filter at `cutoff` Hz with resonance `q` (0.5 = none, 0.7071 = Butterworth, higher
    /// rings).
    pub fn new(cutoff: f32, q: f32, sample_rate: u32) -> Svf {
        let mut f = Svf {
            k: 1.0,
            a1: 0.0,
            a2: 0.0,
            a3: 0.0,
            ic1eq: 0.0,
            ic2eq: 0.0,
        };
        f.set(cutoff, q, sample_rate);
        f
    }

    /// Moves the cut-off and resonance, keeping the state. Allocation-free; cheap enough to
    /// call every few samples on the audio thread.
    #[inline]
    pub fn set(&mut self, cutoff: f32, q: f32, sample_rate: u32) {
        let fs = sample_rate.max(1) as f32;
        let fc = cutoff.clamp(10.0, 0.49 * fs);
        let g = (PI * fc / fs).tan();
        self.k = 1.0 / q.max(0.05);
        self.a1 = 1.0 / (1.0 + g * (g + self.k));
        self.a2 = g * self.a1;
        self.a3 = g * self.a2;
    }

    /// Filters one sample; returns (low-pass, band-pass, high-pass). Called on the audio thread.
    #[inline]
    pub fn process(&mut self, x: f32) -> (f32, f32, f32) {
        let v3 = x - self.ic2eq;
        let v1 = self.a1 * self.ic1eq + self.a2 * v3;
        let v2 = self.ic2eq + self.a2 * self.ic1eq + self.a3 * v3;
        self.ic1eq = super::flush_denormal(2.0 * v1 - self.ic1eq);
        self.ic2eq = super::flush_denormal(2.0 * v2 - self.ic2eq);
        (v2, v1, x - self.k * v1 - v2)
    }

    /// Low-pass output only. Called on the audio thread.
    #[inline]
    pub fn lowpass(&mut self, x: f32) -> f32 {
        self.process(x).0
    }

    /// Clears the state.
    pub fn reset(&mut self) {
        self.ic1eq = 0.0;
        self.ic2eq = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gain_at(freq: f32, cutoff: f32, q: f32) -> f32 {
        let sr = 48_000;
        let mut f = Svf::new(cutoff, q, sr);
        let mut peak = 0.0f32;
        for i in 0..48_000 {
            let y = f.lowpass((2.0 * PI * freq * i as f32 / sr as f32).sin());
            if i > 24_000 {
                peak = peak.max(y.abs());
            }
        }
        peak
    }

    #[test]
    fn lowpass_passes_lows_and_cuts_highs() {
        assert!((gain_at(50.0, 1000.0, std::f32::consts::FRAC_1_SQRT_2) - 1.0).abs() < 0.01);
        assert!(
            (gain_at(1000.0, 1000.0, std::f32::consts::FRAC_1_SQRT_2)
                - std::f32::consts::FRAC_1_SQRT_2)
                .abs()
                < 0.02
        );
        assert!(gain_at(10_000.0, 1000.0, std::f32::consts::FRAC_1_SQRT_2) < 0.015);
        // Resonance boosts the cut-off by about q.
        assert!((gain_at(1000.0, 1000.0, 4.0) - 4.0).abs() < 0.2);
    }

    #[test]
    fn first_sample_is_a3_times_input() {
        let mut f = Svf::new(1000.0, std::f32::consts::FRAC_1_SQRT_2, 48_000);
        let a3 = f.a3;
        assert_eq!(f.lowpass(1.0), a3);
    }

    #[test]
    fn silence_in_silence_out() {
        let mut f = Svf::new(300.0, 8.0, 48_000);
        for _ in 0..100 {
            assert_eq!(f.process(0.0), (0.0, 0.0, 0.0));
        }
    }
}
