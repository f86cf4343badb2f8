//! Decibels ↔ linear amplitude: the crate's only conversion, for faders (f32, on the audio
//! thread) and measurements (f64, in reports) alike, so the two can never disagree about
//! where silence starts. Never allocates.

use std::ops::{Div, Mul};

/// At or below this level a gain is silence: [`db_to_gain`] gives exactly 0 (a fader at the
/// bottom must be mute, not -144 dB of leak) and [`gain_to_db`] gives `-inf`. It is the
/// bottom of a 24-bit file's range; no meter, fader or report in tdaw goes lower.
pub const SILENCE_DB: f32 = -144.0;

/// The float types the conversion works in: f32 for audio, f64 for analysis.
pub trait Real:
    sealed::Sealed + Copy + PartialOrd + From<f32> + Mul<Output = Self> + Div<Output = Self>
{
    /// Base-10 logarithm.
    fn log10(self) -> Self;
    /// `self` raised to `e`.
    fn powf(self, e: Self) -> Self;
    /// Zero.
    const ZERO: Self;
    /// Negative infinity.
    const NEG_INFINITY: Self;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

// Both impls delegate to the inherent methods; a macro keeps them one text.
macro_rules! impl_real {
    ($t:ident) => {
        impl Real for $t {
            fn log10(self) -> $t {
                $t::log10(self)
            }
            fn powf(self, e: $t) -> $t {
                $t::powf(self, e)
            }
            const ZERO: $t = 0.0;
            const NEG_INFINITY: $t = $t::NEG_INFINITY;
        }
    };
}
impl_real!(f32);
impl_real!(f64);

/// Converts decibels to a linear gain (`0 dB → 1.0` exactly, `-6.0206 dB → 0.5`); at or below
/// [`SILENCE_DB`] (and `-inf`) it is exactly 0. Called on the audio thread.
#[inline]
pub fn db_to_gain<T: Real>(db: T) -> T {
    if db <= T::from(SILENCE_DB) {
        T::ZERO
    } else {
        T::from(10.0).powf(db / T::from(20.0))
    }
}

/// Converts a linear gain to decibels (`0.5 → -6.0206 dB`); 0, negative gains, NaN and
/// anything at or below [`SILENCE_DB`] give `-inf`. Called on the audio thread.
#[inline]
pub fn gain_to_db<T: Real>(gain: T) -> T {
    // Positive gains only; the else branch also takes NaN (no level at all).
    if gain > T::ZERO {
        let db = T::from(20.0) * gain.log10();
        if db > T::from(SILENCE_DB) {
            return db;
        }
    }
    T::NEG_INFINITY
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mixer's gain law, moved here with the function.
    #[test]
    fn gain_law() {
        assert_eq!(db_to_gain(0.0f32), 1.0);
        assert!((db_to_gain(-6.0206f32) - 0.5).abs() < 1e-5);
        assert!((db_to_gain(-6.02f32) - 0.5).abs() < 1e-4);
        assert!((db_to_gain(6.0206f32) - 2.0).abs() < 1e-4);
        assert_eq!(db_to_gain(-200.0f32), 0.0);
    }

    #[test]
    fn db_gain_round_trip() {
        assert!((db_to_gain(-6.0206f32) - 0.5).abs() < 1e-5);
        assert_eq!(db_to_gain(0.0f32), 1.0);
        assert_eq!(db_to_gain(0.0f64), 1.0);
        assert!((gain_to_db(0.5f32) + 6.0206).abs() < 1e-4);
        assert!((gain_to_db(0.5f64) + 6.020_599_913).abs() < 1e-9);
        assert!((db_to_gain(6.0206f32) - 2.0).abs() < 1e-4);
        for db in [-143.0f32, -60.0, -12.5, 0.0, 3.0, 12.0] {
            assert!((gain_to_db(db_to_gain(db)) - db).abs() < 1e-4, "{db}");
        }
    }

    #[test]
    fn the_silence_floor_is_minus_144_db_both_ways() {
        assert_eq!(SILENCE_DB, -144.0);
        assert_eq!(db_to_gain(-144.0f32), 0.0);
        assert_eq!(db_to_gain(-200.0f32), 0.0);
        assert_eq!(db_to_gain(f32::NEG_INFINITY), 0.0);
        assert_eq!(db_to_gain(f64::NEG_INFINITY), 0.0);
        // Just above the floor is a real (tiny) gain: 10^(-143.9/20).
        let g = db_to_gain(-143.9f64);
        assert!((g - 6.382_634e-8).abs() < 1e-13, "{g}");
        assert_eq!(gain_to_db(0.0f32), f32::NEG_INFINITY);
        assert_eq!(gain_to_db(-0.5f64), f64::NEG_INFINITY);
        assert_eq!(gain_to_db(f32::NAN), f32::NEG_INFINITY);
        // 10^(-144/20) = 6.3096e-8 is the floor; 6.0e-8 is below it (-144.44 dB).
        assert_eq!(gain_to_db(6.0e-8f64), f64::NEG_INFINITY);
        assert!((gain_to_db(6.4e-8f64) + 143.876).abs() < 1e-3);
    }

    #[test]
    fn f32_and_f64_use_the_same_formula() {
        // The f32 path is exactly what the mixer computed before (10^(dB/20) in f32).
        for db in [-96.0f32, -6.0, -0.5, 0.0, 4.2, 12.0] {
            assert_eq!(db_to_gain(db).to_bits(), 10f32.powf(db / 20.0).to_bits());
            let g = f64::from(db_to_gain(db));
            assert!((gain_to_db(g) - f64::from(db)).abs() < 1e-4);
        }
    }
}
