//! A stereo-linked feed-forward compressor after Giannoulis, Massberg & Reiss ("Digital
//! Dynamic Range Compressor Design", JAES 2012): a level detector (peak, or RMS over
//! [`RMS_WINDOW_S`]) on the louder channel — or on an external sidechain when one is given —,
//! the quadratic soft-knee gain computer of [`static_curve_db`], and the decoupled
//! attack/release smoothing of the gain reduction in the log (dB) domain. Makeup gain and the
//! dry/wet `mix` glide; `mix` = 0 leaves the input bit-identical.
//!
//! Cost: the detector's power is compared in the linear domain with the knee's start, below
//! which the gain reduction is exactly 0 and no logarithm is taken; above it the dB level and
//! the gain go through `db`'s polynomial log2/exp2 (error under 1e-4 dB) instead of
//! log10/powf, and the gain of the last dB value is reused while it does not change.

use super::db::{fast_db_to_gain, fast_power_to_db};
use super::{flush_denormal, Smoothed};

/// The RMS detector's averaging time constant, in seconds.
pub const RMS_WINDOW_S: f32 = 0.01;
/// How long a change of makeup or mix glides, in seconds.
pub const GLIDE_S: f32 = 0.02;
/// The level the detector reads for silence, in dB (keeps the log finite).
const FLOOR_DB: f32 = -160.0;

/// What the detector follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detector {
    /// The sample peak of the louder channel.
    Peak,
    /// The louder channel's mean square over [`RMS_WINDOW_S`].
    Rms,
}

/// The gain computer: output level in dB for input level `x_db`. Below `threshold − knee/2`
/// it is `x`; above `threshold + knee/2` it is `threshold + (x − threshold)/ratio`; in the
/// knee the quadratic `x + (1/ratio − 1)(x − threshold + knee/2)² / (2·knee)` joins them.
#[inline]
pub fn static_curve_db(x_db: f32, threshold_db: f32, ratio: f32, knee_db: f32) -> f32 {
    let over = x_db - threshold_db;
    let slope = 1.0 / ratio - 1.0;
    if 2.0 * over < -knee_db {
        x_db
    } else if 2.0 * over.abs() <= knee_db && knee_db > 0.0 {
        let k = over + knee_db / 2.0;
        x_db + slope * k * k / (2.0 * knee_db)
    } else {
        threshold_db + over / ratio
    }
}

/// One-pole coefficient for time constant `ms` at `rate`: the state moves 1 − 1/e of the way
/// in `ms`.
fn coef(ms: f32, rate: u32) -> f32 {
    (-1.0 / (ms.max(0.001) * 0.001 * rate as f32)).exp()
}

/// The compressor.
#[derive(Clone, Debug)]
pub struct Compressor {
    rate: u32,
    threshold_db: f32,
    ratio: f32,
    knee_db: f32,
    attack: f32,
    release: f32,
    detector: Detector,
    rms_coef: f32,
    makeup_db: Smoothed,
    mix: Smoothed,
    /// Mean squares of the detector's two channels.
    ms: [f32; 2],
    /// The release-held gain reduction (decoupled peak detector's first stage), dB.
    held: f32,
    /// The smoothed gain reduction, dB (≥ 0).
    gr: f32,
    /// The detector power where the knee starts, `10^((threshold − knee/2)/10)`: below it the
    /// gain computer is the identity.
    knee_start_power: f32,
    /// The last gain in dB handed to the conversion, and its linear gain.
    last_db: f32,
    last_gain: f32,
}

impl Compressor {
    /// A compressor at `rate` with the registry's defaults: -18 dB, 4:1, 6 dB knee, 10 ms
    /// attack, 120 ms release, no makeup, peak detector, fully wet.
    pub fn new(rate: u32) -> Compressor {
        let rate = rate.max(1);
        Compressor {
            rate,
            threshold_db: -18.0,
            ratio: 4.0,
            knee_db: 6.0,
            attack: coef(10.0, rate),
            release: coef(120.0, rate),
            detector: Detector::Peak,
            rms_coef: 1.0 - coef(RMS_WINDOW_S * 1000.0, rate),
            makeup_db: Smoothed::new(0.0, rate, GLIDE_S),
            mix: Smoothed::new(1.0, rate, GLIDE_S),
            ms: [0.0; 2],
            held: 0.0,
            gr: 0.0,
            knee_start_power: 0.0,
            last_db: 0.0,
            last_gain: 1.0,
        }
        .with_knee_start()
    }

    /// Recomputes [`Compressor::knee_start_power`] after a threshold or knee change.
    fn with_knee_start(mut self) -> Compressor {
        self.update_knee_start();
        self
    }

    fn update_knee_start(&mut self) {
        self.knee_start_power = 10f32.powf((self.threshold_db - self.knee_db / 2.0) / 10.0);
    }

    /// The level where compression starts, dB. The gain reduction glides to the new curve at
    /// the attack/release speed. Called on the audio thread.
    pub fn set_threshold_db(&mut self, db: f32) {
        if db.is_finite() {
            self.threshold_db = db.clamp(-100.0, 24.0);
            self.update_knee_start();
        }
    }

    /// The ratio n:1 (at least 1). Called on the audio thread.
    pub fn set_ratio(&mut self, ratio: f32) {
        if ratio.is_finite() {
            self.ratio = ratio.clamp(1.0, 1000.0);
        }
    }

    /// The soft knee's width, dB (0: hard knee). Called on the audio thread.
    pub fn set_knee_db(&mut self, db: f32) {
        if db.is_finite() {
            self.knee_db = db.clamp(0.0, 48.0);
            self.update_knee_start();
        }
    }

    /// The attack time constant, ms. Called on the audio thread.
    pub fn set_attack_ms(&mut self, ms: f32) {
        if ms.is_finite() {
            self.attack = coef(ms, self.rate);
        }
    }

    /// The release time constant, ms. Called on the audio thread.
    pub fn set_release_ms(&mut self, ms: f32) {
        if ms.is_finite() {
            self.release = coef(ms, self.rate);
        }
    }

    /// Gain after compression, dB (gliding). Called on the audio thread.
    pub fn set_makeup_db(&mut self, db: f32) {
        if db.is_finite() {
            self.makeup_db.set_target(db.clamp(-60.0, 48.0));
        }
    }

    /// Peak or RMS detection. Called on the audio thread.
    pub fn set_detector(&mut self, d: Detector) {
        self.detector = d;
    }

    /// The wet share 0 … 1 (gliding). Called on the audio thread.
    pub fn set_mix(&mut self, mix: f32) {
        if mix.is_finite() {
            self.mix.set_target(mix.clamp(0.0, 1.0));
        }
    }

    /// The gain reduction now, dB (≥ 0; makeup not included). Called on the audio thread.
    pub fn gain_reduction_db(&self) -> f32 {
        self.gr
    }

    /// Ends the makeup and mix glides (a freshly built compressor must not fade in).
    /// Called on the audio thread.
    pub fn settle(&mut self) {
        self.makeup_db.set_immediate(self.makeup_db.target());
        self.mix.set_immediate(self.mix.target());
    }

    /// Forgets the detector's memory (a seek). Called on the audio thread.
    pub fn reset(&mut self) {
        self.settle();
        self.ms = [0.0; 2];
        self.held = 0.0;
        self.gr = 0.0;
    }

    /// The detector's power (squared level) for one frame.
    #[inline]
    fn power(&mut self, l: f32, r: f32) -> f32 {
        match self.detector {
            Detector::Peak => (l * l).max(r * r),
            Detector::Rms => {
                self.ms[0] = flush_denormal(self.ms[0] + self.rms_coef * (l * l - self.ms[0]));
                self.ms[1] = flush_denormal(self.ms[1] + self.rms_coef * (r * r - self.ms[1]));
                self.ms[0].max(self.ms[1])
            }
        }
    }

    /// The gain reduction the static curve asks for at detector power `power`, dB (≥ 0).
    #[inline]
    fn target_db(&self, power: f32) -> f32 {
        // Below the knee's start the curve is the identity: no logarithm needed. The start is
        // at least -124 dB, far above the silence floor, so the log only sees normal floats.
        if power < self.knee_start_power {
            return 0.0;
        }
        let x = if power > 1.0e-16 {
            fast_power_to_db(power)
        } else {
            FLOOR_DB
        };
        x - static_curve_db(x, self.threshold_db, self.ratio, self.knee_db)
    }

    /// Compresses a stereo block in place; `sidechain` (when given, as long as the block)
    /// drives the detector instead of the input. Called on the audio thread; never allocates.
    pub fn process(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        sidechain: Option<(&[f32], &[f32])>,
    ) {
        let n = left.len().min(right.len());
        let key = sidechain.filter(|(a, b)| a.len() >= n && b.len() >= n);
        let dry_only = !self.mix.is_smoothing() && self.mix.value() == 0.0;
        for i in 0..n {
            let (kl, kr) = match key {
                Some((a, b)) => (a[i], b[i]),
                None => (left[i], right[i]),
            };
            let power = self.power(kl, kr);
            let target = self.target_db(power);
            // Decoupled smoothing: an instant-attack, release-time hold, then the attack one-pole.
            self.held = target.max(self.release * self.held + (1.0 - self.release) * target);
            self.gr = self.attack * self.gr + (1.0 - self.attack) * self.held;
            if self.gr < 1.0e-6 {
                self.gr = 0.0;
            }
            if self.held < 1.0e-6 {
                self.held = 0.0;
            }
            let makeup = self.makeup_db.next();
            let mix = self.mix.next();
            if dry_only {
                continue;
            }
            let db = makeup - self.gr;
            if db != self.last_db {
                self.last_db = db;
                self.last_gain = fast_db_to_gain(db);
            }
            let g = self.last_gain;
            let (dl, dr) = (left[i], right[i]);
            left[i] = dl + mix * (dl * g - dl);
            right[i] = dr + mix * (dr * g - dr);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_knee_curve() {
        assert_eq!(static_curve_db(-30.0, -20.0, 4.0, 0.0), -30.0);
        assert_eq!(static_curve_db(-20.0, -20.0, 4.0, 0.0), -20.0);
        assert_eq!(static_curve_db(-8.0, -20.0, 4.0, 0.0), -17.0);
        assert_eq!(static_curve_db(0.0, -20.0, 1.0, 0.0), 0.0);
    }

    #[test]
    fn soft_knee_joins_both_lines_smoothly() {
        let (t, r, w) = (-20.0f32, 4.0f32, 12.0f32);
        // The edges meet the straight lines.
        assert!((static_curve_db(-26.0, t, r, w) + 26.0).abs() < 1e-5);
        assert!((static_curve_db(-14.0, t, r, w) - (t + 6.0 / r)).abs() < 1e-5);
        // At the threshold: (1/4 − 1)·6²/24 = −1.125 dB below the input.
        assert!((static_curve_db(-20.0, t, r, w) + 21.125).abs() < 1e-5);
    }

    #[test]
    fn mix_zero_is_bit_identical_and_gr_is_still_metered() {
        let mut c = Compressor::new(48_000);
        c.set_threshold_db(-40.0);
        c.set_mix(0.0);
        c.settle();
        let mut l: Vec<f32> = (0..2_000).map(|i| (i as f32 * 0.1).sin() * 0.9).collect();
        let mut r = l.clone();
        let want = l.clone();
        c.process(&mut l, &mut r, None);
        assert_eq!(l, want);
        assert_eq!(r, want);
        assert!(c.gain_reduction_db() > 20.0);
    }

    #[test]
    fn silence_decays_to_exactly_zero_reduction() {
        let mut c = Compressor::new(48_000);
        let mut l = vec![1.0f32; 4_800];
        let mut r = l.clone();
        c.process(&mut l, &mut r, None);
        assert!(c.gain_reduction_db() > 10.0);
        let mut l = vec![0.0f32; 48_000 * 3];
        let mut r = l.clone();
        c.process(&mut l, &mut r, None);
        assert_eq!(c.gain_reduction_db(), 0.0);
        assert!(l.iter().all(|&x| x == 0.0));
    }
}
