//! Signal processing building blocks: pure structs with no I/O, no locks and no allocation in
//! their per-sample or per-block methods, so the audio callback can own and run them.
//!
//! Constructors and parameter setters may compute coefficients (trigonometry, `exp`) but never
//! allocate either; only types that hold a buffer (none yet) allocate, and only in `new`.
//! Nothing here knows about tracks, projects or the terminal.

mod biquad;
mod envelope;
mod onepole;
mod osc;
mod smooth;
mod svf;

pub use biquad::{Biquad, BiquadKind};
pub use envelope::{Adsr, AdsrParams, AdsrStage};
pub use onepole::OnePole;
pub use osc::{poly_blep, Noise, Oscillator, Waveform};
pub use smooth::Smoothed;
pub use svf::Svf;

/// Converts decibels to a linear gain (`-6.0206 dB → 0.5`). `-inf` gives 0.
pub fn db_to_gain(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// Converts a linear gain to decibels (`0.5 → -6.0206 dB`); 0 (or less) gives `-inf`.
pub fn gain_to_db(gain: f32) -> f32 {
    if gain <= 0.0 {
        f32::NEG_INFINITY
    } else {
        20.0 * gain.log10()
    }
}

/// Converts a MIDI key number to its frequency in Hz (A4 = key 69 = 440 Hz), fractional keys
/// allowed for detune.
pub fn midi_to_hz(key: f32) -> f32 {
    440.0 * 2f32.powf((key - 69.0) / 12.0)
}

/// Replaces subnormal values with zero. Subnormals make the FPU crawl on x86, and a decaying
/// filter state produces them.
#[inline]
pub fn flush_denormal(x: f32) -> f32 {
    if x.abs() < 1.0e-20 {
        0.0
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_gain_round_trip() {
        assert!((db_to_gain(-6.0206) - 0.5).abs() < 1e-5);
        assert!((db_to_gain(0.0) - 1.0).abs() < 1e-7);
        assert!((gain_to_db(0.5) + 6.0206).abs() < 1e-4);
        assert_eq!(gain_to_db(0.0), f32::NEG_INFINITY);
        assert_eq!(db_to_gain(f32::NEG_INFINITY), 0.0);
        for db in [-60.0f32, -12.5, 0.0, 3.0, 12.0] {
            assert!((gain_to_db(db_to_gain(db)) - db).abs() < 1e-4, "{db}");
        }
    }

    #[test]
    fn midi_to_hz_matches_equal_temperament() {
        assert!((midi_to_hz(69.0) - 440.0).abs() < 1e-4);
        assert!((midi_to_hz(57.0) - 220.0).abs() < 1e-4);
        assert!((midi_to_hz(60.0) - 261.6256).abs() < 1e-3);
    }
}
