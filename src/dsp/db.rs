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

/// log2(10) / 20: multiplies decibels into the base-2 exponent of a gain.
const DB_TO_LOG2: f32 = std::f32::consts::LOG2_10 / 20.0;

/// Fast base-2 logarithm for the audio thread, for positive normal `x` (callers keep it at or
/// above 1e-30). The exponent comes from the bits; the mantissa `m`, folded into
/// [√½, √2), goes through the atanh series `log2 m = 2/ln 2 · (t + t³/3 + t⁵/5 + t⁷/7)` with
/// `t = (m − 1)/(m + 1)`, |t| ≤ 0.1716: the truncation error is below 5e-8, so f32 rounding
/// (about 1e-7 relative) dominates — under 1e-5 dB, far under the 0.01 dB the dynamics need.
#[inline]
pub fn fast_log2(x: f32) -> f32 {
    let bits = x.to_bits();
    let e = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    // Selects, not a branch, so a loop of these vectorizes (the compressor's gain computer).
    let fold = m > std::f32::consts::SQRT_2;
    let m = if fold { m * 0.5 } else { m };
    let e = e + fold as i32;
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let series = t * (1.0 + t2 * (1.0 / 3.0 + t2 * (1.0 / 5.0 + t2 * (1.0 / 7.0))));
    e as f32 + series * (2.0 / std::f32::consts::LN_2)
}

/// Fast 2^x for the audio thread; `x` is clamped to [-126, 127] (the normal f32 range). The
/// integer part goes into the exponent bits; 2^f for f in [-½, ½] is the degree-6 Taylor
/// polynomial of e^(f ln 2), relative error under 2e-7 (about 2e-6 dB). `fast_exp2(0.0)` is
/// exactly 1.
#[inline]
pub fn fast_exp2(x: f32) -> f32 {
    let x = x.clamp(-126.0, 127.0);
    // Round to nearest by adding and removing 1.5·2²³ (exact for |x| < 2²²): `f32::round` is a
    // libm call on baseline x86-64, and a call in the compressor's loop spills its registers.
    let big = x + 12_582_912.0;
    let i = big - 12_582_912.0;
    let f = (x - i) * std::f32::consts::LN_2;
    let p = 1.0
        + f * (1.0
            + f * (1.0 / 2.0
                + f * (1.0 / 6.0 + f * (1.0 / 24.0 + f * (1.0 / 120.0 + f * (1.0 / 720.0))))));
    // `big`'s low mantissa bits hold `i` (its exponent is that of 2²³), so the integer comes
    // from the bits: `i as i32` would be a saturating conversion, several instructions per
    // lane in a vectorized loop.
    let i_bits = big.to_bits().wrapping_sub(0x4b40_0000);
    p * f32::from_bits(i_bits.wrapping_add(127) << 23)
}

/// [`db_to_gain`] for the audio thread's per-sample gains (the compressor), through
/// [`fast_exp2`]: within 2e-6 dB of the exact conversion, exactly 1 at 0 dB and exactly 0 at
/// or below [`SILENCE_DB`]. Branch-free (a select), so a loop of these vectorizes.
#[inline]
pub fn fast_db_to_gain(db: f32) -> f32 {
    let g = fast_exp2(db * DB_TO_LOG2);
    if db <= SILENCE_DB {
        0.0
    } else {
        g
    }
}

/// 10·log10 of a power ratio (mean square or squared peak) through [`fast_log2`], for
/// `power` ≥ 1e-30; within 1e-5 dB of the exact value.
#[inline]
pub fn fast_power_to_db(power: f32) -> f32 {
    // 10 / log2(10) = 10·log10(2).
    fast_log2(power) * (10.0 * std::f32::consts::LOG10_2)
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

    #[test]
    fn fast_log_and_exp_stay_within_a_thousandth_of_a_db() {
        // A dense sweep over 300 dB of power and ±150 dB of gain against the std functions.
        let mut worst_log = 0.0f64;
        let mut worst_exp = 0.0f64;
        for i in 0..=300_000 {
            let db = -290.0 + i as f64 * 0.001;
            let p = 10f64.powf(db / 10.0) as f32;
            let got = fast_power_to_db(p) as f64;
            let want = 10.0 * (p as f64).log10();
            worst_log = worst_log.max((got - want).abs());
            let g_db = -140.0 + i as f64 * 0.000_9;
            let got = fast_db_to_gain(g_db as f32) as f64;
            let want = 10f64.powf(g_db / 20.0);
            worst_exp = worst_exp.max((20.0 * (got / want).log10()).abs());
        }
        assert!(worst_log < 1e-4, "log: {worst_log} dB");
        assert!(worst_exp < 1e-4, "exp: {worst_exp} dB");
        assert_eq!(fast_db_to_gain(0.0), 1.0);
        assert_eq!(fast_exp2(0.0), 1.0);
        assert_eq!(fast_exp2(3.0), 8.0);
        assert_eq!(fast_log2(1.0), 0.0);
        assert_eq!(fast_log2(0.25), -2.0);
        assert_eq!(fast_db_to_gain(-144.0), 0.0);
        assert_eq!(fast_db_to_gain(f32::NEG_INFINITY), 0.0);
    }

    #[test]
    fn fast_exp2_takes_the_integer_part_from_the_bits_exactly() {
        // The integer part as a saturating conversion, the way it was first written.
        let by_conversion = |x: f32| {
            let x = x.clamp(-126.0, 127.0);
            let i = (x + 12_582_912.0) - 12_582_912.0;
            let f = (x - i) * std::f32::consts::LN_2;
            let p = 1.0
                + f * (1.0
                    + f * (1.0 / 2.0
                        + f * (1.0 / 6.0
                            + f * (1.0 / 24.0 + f * (1.0 / 120.0 + f * (1.0 / 720.0))))));
            p * f32::from_bits(((i as i32 + 127) as u32) << 23)
        };
        for k in -140_000..=140_000 {
            let x = k as f32 * 0.001;
            assert_eq!(fast_exp2(x).to_bits(), by_conversion(x).to_bits(), "{x}");
        }
        for x in [-1e9f32, -126.5, -125.5, 126.5, 127.0, 1e9, f32::INFINITY] {
            assert_eq!(fast_exp2(x).to_bits(), by_conversion(x).to_bits(), "{x}");
        }
    }
}
