//! A stereo-linked noise gate. The key is the louder channel's sample peak; while it is at or
//! above the threshold the gate is open, and it stays open for `hold` samples after the last
//! such sample. Opening is a linear gain ramp that would go from 0 to 1 in `attack`;
//! closing a ramp in dB from 0 dB to `range` over `release` (an exponential fade, as the ear
//! hears a fade out). Closed, the gain is exactly `range`. Nothing recursive runs on the audio,
//! so there is nothing to go denormal.

use super::db_to_gain;

/// The gate.
#[derive(Clone, Debug)]
pub struct Gate {
    rate: u32,
    threshold: f32,
    attack_samples: f32,
    hold_samples: u32,
    release_samples: f32,
    range_db: f32,
    /// Gain when closed (linear).
    range: f32,
    /// Gain added per sample while opening (1 / attack samples).
    attack_step: f32,
    /// Gain multiplier per sample while closing.
    release_factor: f32,
    hold_left: u32,
    /// The gain now.
    gain: f32,
}

impl Gate {
    /// A gate at `rate` with the registry's defaults (-40 dB threshold, 1 ms attack, 20 ms
    /// hold, 100 ms release, -80 dB range), closed.
    pub fn new(rate: u32) -> Gate {
        let mut g = Gate {
            rate: rate.max(1),
            threshold: db_to_gain(-40.0),
            attack_samples: 1.0,
            hold_samples: 0,
            release_samples: 1.0,
            range_db: -80.0,
            range: db_to_gain(-80.0),
            attack_step: 1.0,
            release_factor: 0.0,
            hold_left: 0,
            gain: 0.0,
        };
        g.set_attack_ms(1.0);
        g.set_hold_ms(20.0);
        g.set_release_ms(100.0);
        g.set_range_db(-80.0);
        g.gain = g.range;
        g
    }

    fn samples(&self, ms: f32) -> f32 {
        (ms.max(0.0) * 0.001 * self.rate as f32).round()
    }

    /// The level that opens the gate, dB.
    pub fn set_threshold_db(&mut self, db: f32) {
        if db.is_finite() {
            self.threshold = db_to_gain(db.min(24.0));
        }
    }

    /// Time to open fully from silence, ms.
    pub fn set_attack_ms(&mut self, ms: f32) {
        if ms.is_finite() {
            self.attack_samples = self.samples(ms).max(1.0);
            self.derive();
        }
    }

    /// Time held open after the key falls under the threshold, ms.
    pub fn set_hold_ms(&mut self, ms: f32) {
        if ms.is_finite() {
            self.hold_samples = self.samples(ms.min(60_000.0)) as u32;
        }
    }

    /// Time to close from fully open to the closed level, ms.
    pub fn set_release_ms(&mut self, ms: f32) {
        if ms.is_finite() {
            self.release_samples = self.samples(ms).max(1.0);
            self.derive();
        }
    }

    /// The gain when closed, dB (≤ 0). A change glides at the attack or release speed.
    pub fn set_range_db(&mut self, db: f32) {
        if db.is_finite() {
            self.range_db = db.clamp(-120.0, 0.0);
            self.range = db_to_gain(self.range_db);
            self.derive();
        }
    }

    fn derive(&mut self) {
        self.attack_step = 1.0 / self.attack_samples;
        self.release_factor = db_to_gain(self.range_db / self.release_samples);
    }

    /// The gain reduction now, dB (≥ 0).
    pub fn gain_reduction_db(&self) -> f32 {
        -20.0 * self.gain.log10()
    }

    /// The gain now (1 open, the range closed).
    pub fn gain(&self) -> f32 {
        self.gain
    }

    /// Closes the gate at once (a seek).
    pub fn reset(&mut self) {
        self.hold_left = 0;
        self.gain = self.range;
    }

    /// Gates a stereo block in place. Never allocates.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        for i in 0..n {
            let (l, r) = (left[i], right[i]);
            let open = if l.abs().max(r.abs()) >= self.threshold {
                self.hold_left = self.hold_samples;
                true
            } else if self.hold_left > 0 {
                self.hold_left -= 1;
                true
            } else {
                false
            };
            let g = self.gain;
            self.gain = if open {
                (g + self.attack_step).min(1.0)
            } else if g > self.range {
                (g * self.release_factor).max(self.range)
            } else {
                // The range was raised while closed: rise to it at the attack speed.
                (g + self.attack_step).min(self.range)
            };
            left[i] = l * self.gain;
            right[i] = r * self.gain;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_gain_is_the_range_exactly() {
        let mut g = Gate::new(48_000);
        g.set_range_db(-30.0);
        g.reset();
        let mut l = vec![0.001f32; 100];
        let mut r = l.clone();
        g.process(&mut l, &mut r);
        assert_eq!(g.gain(), db_to_gain(-30.0));
        assert!((g.gain_reduction_db() - 30.0).abs() < 1e-4);
    }

    #[test]
    fn raising_the_range_while_closed_glides() {
        let mut g = Gate::new(1_000);
        g.set_attack_ms(10.0);
        g.reset();
        g.set_range_db(0.0);
        let mut l = vec![0.0f32; 20];
        let mut r = l.clone();
        g.process(&mut l, &mut r);
        // Ten samples of attack from (then) -80 dB reach the new range of 0 dB.
        assert_eq!(g.gain(), 1.0);
    }
}
