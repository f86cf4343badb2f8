//! Oscillators for the synth: band-limited saw and square (PolyBLEP: the naive waveform with a
//! two-sample polynomial correction around each jump, which removes most of the aliasing at a
//! fraction of the cost of wavetables), sine, triangle, and a deterministic white noise (same
//! seed, same samples: renders are bit-identical).

use std::f32::consts::TAU;

/// The shape of an [`Oscillator`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waveform {
    Sine,
    /// Band-limited (PolyBLEP) rising saw.
    Saw,
    /// Band-limited (PolyBLEP) square, 50 % duty.
    Square,
    /// Naive triangle (its harmonics fall at 12 dB/octave, aliasing is negligible).
    Triangle,
}

/// The PolyBLEP residual at phase `t` (0..1) for a phase increment `dt`: the correction to add
/// to a unit upward jump at phase 0 to band-limit it.
#[inline]
pub fn poly_blep(t: f32, dt: f32) -> f32 {
    if t < dt {
        let x = t / dt;
        x + x - x * x - 1.0
    } else if t > 1.0 - dt {
        let x = (t - 1.0) / dt;
        x * x + x + x + 1.0
    } else {
        0.0
    }
}

/// A phase-accumulating oscillator.
#[derive(Clone, Debug)]
pub struct Oscillator {
    wave: Waveform,
    phase: f32,
    inc: f32,
}

impl Oscillator {
    /// An oscillator of `wave` starting at `phase` (0..1).
    pub fn new(wave: Waveform, phase: f32) -> Oscillator {
        Oscillator {
            wave,
            phase: phase.rem_euclid(1.0),
            inc: 0.0,
        }
    }

    /// Sets the frequency; kept below Nyquist.
    pub fn set_freq(&mut self, hz: f32, sample_rate: u32) {
        self.inc = (hz / sample_rate.max(1) as f32).clamp(0.0, 0.49);
    }

    /// Changes the waveform, keeping the phase.
    pub fn set_waveform(&mut self, wave: Waveform) {
        self.wave = wave;
    }

    /// Restarts at `phase` (0..1).
    pub fn set_phase(&mut self, phase: f32) {
        self.phase = phase.rem_euclid(1.0);
    }

    /// The current phase (0..1).
    pub fn phase(&self) -> f32 {
        self.phase
    }

    /// The sample at the current phase, then advances. Called on the audio thread.
    // An endless signal, not an Iterator (which would return Option on every sample).
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next(&mut self) -> f32 {
        let t = self.phase;
        let dt = self.inc;
        let y = match self.wave {
            Waveform::Sine => (TAU * t).sin(),
            Waveform::Saw => 2.0 * t - 1.0 - poly_blep(t, dt),
            Waveform::Square => {
                let naive = if t < 0.5 { 1.0 } else { -1.0 };
                let t2 = if t < 0.5 { t + 0.5 } else { t - 0.5 };
                naive + poly_blep(t, dt) - poly_blep(t2, dt)
            }
            Waveform::Triangle => 1.0 - 4.0 * (t - 0.5).abs(),
        };
        self.phase += dt;
        if self.phase >= 1.0 {
            self.phase -= 1.0;
        }
        y
    }
}

/// White noise in [-1, 1) from a xorshift32 generator.
#[derive(Clone, Debug)]
pub struct Noise {
    state: u32,
}

impl Noise {
    /// A generator with `seed` (0 is replaced, xorshift would stay at 0 forever).
    pub fn new(seed: u32) -> Noise {
        Noise {
            state: if seed == 0 { 0x9E37_79B9 } else { seed },
        }
    }

    /// The next sample. Called on the audio thread.
    // An endless signal, not an Iterator (which would return Option on every sample).
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next(&mut self) -> f32 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.state = x;
        // Top 24 bits → [0, 1) exactly representable, then to [-1, 1).
        (x >> 8) as f32 * (2.0 / 16_777_216.0) - 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_values_away_from_jumps() {
        // 1/8 cycle per sample: no sample falls inside a BLEP window except those at the jump.
        let mut saw = Oscillator::new(Waveform::Saw, 0.25);
        saw.set_freq(6000.0, 48_000);
        assert_eq!(saw.next(), -0.5);
        assert_eq!(saw.next(), -0.25);
        assert_eq!(saw.next(), 0.0);
        let mut sine = Oscillator::new(Waveform::Sine, 0.25);
        sine.set_freq(6000.0, 48_000);
        assert_eq!(sine.next(), 1.0);
        let mut tri = Oscillator::new(Waveform::Triangle, 0.0);
        tri.set_freq(6000.0, 48_000);
        let got: Vec<f32> = (0..4).map(|_| tri.next()).collect();
        assert_eq!(got, vec![-1.0, -0.5, 0.0, 0.5]);
    }

    #[test]
    fn blep_smooths_the_saw_jump() {
        // At the wrap the naive saw jumps from +1 to -1; PolyBLEP makes it pass through 0.
        let mut saw = Oscillator::new(Waveform::Saw, 0.0);
        saw.set_freq(1000.0, 48_000);
        assert_eq!(saw.next(), 0.0);
        assert_eq!(poly_blep(0.5, 0.1), 0.0);
        assert_eq!(poly_blep(0.0, 0.1), -1.0);
    }

    #[test]
    fn band_limited_waves_are_bounded_and_zero_mean() {
        for wave in [
            Waveform::Saw,
            Waveform::Square,
            Waveform::Sine,
            Waveform::Triangle,
        ] {
            for hz in [27.5f32, 440.0, 3520.0, 15_000.0] {
                let mut o = Oscillator::new(wave, 0.1);
                o.set_freq(hz, 48_000);
                let n = 48_000;
                let mut sum = 0.0f64;
                for _ in 0..n {
                    let y = o.next();
                    assert!(y.is_finite() && y.abs() <= 1.2, "{wave:?} {hz} {y}");
                    sum += y as f64;
                }
                assert!((sum / n as f64).abs() < 0.02, "{wave:?} {hz}");
            }
        }
    }

    #[test]
    fn noise_is_deterministic_and_in_range() {
        let mut a = Noise::new(7);
        let mut b = Noise::new(7);
        let mut sum = 0.0f64;
        for _ in 0..100_000 {
            let x = a.next();
            assert_eq!(x, b.next());
            assert!((-1.0..1.0).contains(&x));
            sum += x as f64;
        }
        assert!((sum / 100_000.0).abs() < 0.01);
    }
}
