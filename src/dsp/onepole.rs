//! One-pole low-pass (6 dB/octave) with a matching high-pass: tone controls, DC blocking and
//! control-signal smoothing where a biquad would be overkill.

use std::f32::consts::PI;

/// A one-pole filter `y += a·(x − y)`; the high-pass output is `x − y`.
#[derive(Clone, Debug)]
pub struct OnePole {
    a: f32,
    /// f64: with a small `a`, an f32 state stalls short of its input (a·(x − y) rounds away).
    y: f64,
}

impl OnePole {
    /// A one-pole with its −3 dB corner at `cutoff` Hz (matched by the impulse-invariant
    /// `a = 1 − e^(−2π·fc/fs)`).
    pub fn new(cutoff: f32, sample_rate: u32) -> OnePole {
        let mut f = OnePole { a: 1.0, y: 0.0 };
        f.set_cutoff(cutoff, sample_rate);
        f
    }

    /// Moves the corner frequency, keeping the state.
    pub fn set_cutoff(&mut self, cutoff: f32, sample_rate: u32) {
        let fc = cutoff.clamp(0.0, 0.5 * sample_rate as f32);
        self.a = 1.0 - (-2.0 * PI * fc / sample_rate.max(1) as f32).exp();
    }

    /// The smoothing coefficient `a`.
    pub fn coefficient(&self) -> f32 {
        self.a
    }

    /// Low-pass one sample. Called on the audio thread.
    #[inline]
    pub fn lowpass(&mut self, x: f32) -> f32 {
        self.y += self.a as f64 * (x as f64 - self.y);
        if self.y.abs() < 1.0e-30 {
            self.y = 0.0;
        }
        self.y as f32
    }

    /// High-pass one sample (the input minus its low-passed self). Called on the audio thread.
    #[inline]
    pub fn highpass(&mut self, x: f32) -> f32 {
        x - self.lowpass(x)
    }

    /// Clears the state.
    pub fn reset(&mut self) {
        self.y = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_response_is_exact() {
        let mut f = OnePole::new(1000.0, 48_000);
        let a = f.coefficient();
        assert!((a - (1.0 - (-2.0 * PI * 1000.0 / 48_000.0f32).exp())).abs() < 1e-7);
        let mut want = 0.0f64;
        for _ in 0..20 {
            want += a as f64 * (1.0 - want);
            assert_eq!(f.lowpass(1.0), want as f32);
        }
    }

    #[test]
    fn highpass_removes_dc() {
        let mut f = OnePole::new(20.0, 48_000);
        let mut last = 1.0;
        for _ in 0..48_000 {
            last = f.highpass(0.8);
        }
        assert!(last.abs() < 1e-6, "{last}");
    }

    #[test]
    fn silence_in_silence_out() {
        let mut f = OnePole::new(500.0, 44_100);
        for _ in 0..64 {
            assert_eq!(f.lowpass(0.0), 0.0);
            assert_eq!(f.highpass(0.0), 0.0);
        }
    }
}
