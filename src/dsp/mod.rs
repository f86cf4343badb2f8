//! Signal processing building blocks: pure structs with no I/O, no locks and no allocation in
//! their per-sample or per-block methods, so the audio callback can own and run them.
//!
//! Constructors and parameter setters may compute coefficients (trigonometry, `exp`) but never
//! allocate either; only types that hold a buffer (none yet) allocate, and only in `new`.
//! Nothing here knows about tracks, projects or the terminal.

mod biquad;
mod compressor;
mod db;
mod delay;
mod envelope;
mod eq;
mod gate;
mod limiter;
mod meter;
mod onepole;
mod osc;
mod reverb;
mod simd;
mod smooth;
mod svf;
mod true_peak;

pub use biquad::{Biquad, BiquadKind};
pub use compressor::{static_curve_db, Compressor, Detector};
pub use db::{db_to_gain, gain_to_db, Real, SILENCE_DB};
pub use delay::{Delay, DelayLine, MAX_DELAY_S};
pub use envelope::{Adsr, AdsrParams, AdsrStage};
pub use eq::{pass24_qs, BandType, Eq, EQ_BANDS};
pub use gate::Gate;
pub use limiter::Limiter;
pub use meter::{peak_and_energy, PeakRms, PEAK_FALL_DB_PER_S, RMS_TIME_S};
pub use onepole::OnePole;
pub use osc::{poly_blep, Noise, Oscillator, Waveform};
pub use reverb::{Reverb, MAX_PREDELAY_MS};
pub use simd::Isa;
pub use smooth::Smoothed;
pub use svf::Svf;
pub use true_peak::{interpolator as true_peak_interpolator, TruePeak};

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
    fn midi_to_hz_matches_equal_temperament() {
        assert!((midi_to_hz(69.0) - 440.0).abs() < 1e-4);
        assert!((midi_to_hz(57.0) - 220.0).abs() < 1e-4);
        assert!((midi_to_hz(60.0) - 261.6256).abs() < 1e-3);
    }
}
