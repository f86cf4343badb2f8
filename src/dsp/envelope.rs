//! ADSR envelope: a linear attack, then exponential decay and release (the shape of an analog
//! envelope, and the one that sounds even in level). Times are for a 60 dB fall; a stage ends
//! when it is within 1e-5 (-100 dB) of its goal, which then is set exactly.

/// Below this distance from its goal an exponential stage snaps to the goal.
const SNAP: f32 = 1.0e-5;

/// Envelope times in seconds and the sustain level (0..=1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdsrParams {
    /// Time of the linear rise from 0 to 1.
    pub attack: f32,
    /// Time for the distance to the sustain level to fall by 60 dB.
    pub decay: f32,
    /// Level held while the key is down. 0 makes a one-shot that ends after its decay.
    pub sustain: f32,
    /// Time for the level to fall by 60 dB after the key is released.
    pub release: f32,
}

/// Where an [`Adsr`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdsrStage {
    /// Silent; the voice using it is free.
    Idle,
    Attack,
    Decay,
    Sustain,
    Release,
}

/// An ADSR envelope generator, advanced one sample at a time.
#[derive(Clone, Debug)]
pub struct Adsr {
    attack_inc: f32,
    decay_coef: f32,
    sustain: f32,
    release_coef: f32,
    level: f32,
    stage: AdsrStage,
}

/// The per-sample multiplier that makes a value fall 60 dB in `time_s`.
fn coef_60db(time_s: f32, sample_rate: u32) -> f32 {
    let n = time_s * sample_rate as f32;
    if n.is_nan() || n < 1.0 {
        0.0
    } else {
        (0.001f32.ln() / n).exp()
    }
}

impl Adsr {
    /// An idle envelope with `params` at `sample_rate`.
    pub fn new(params: AdsrParams, sample_rate: u32) -> Adsr {
        let mut a = Adsr {
            attack_inc: 1.0,
            decay_coef: 0.0,
            sustain: 0.0,
            release_coef: 0.0,
            level: 0.0,
            stage: AdsrStage::Idle,
        };
        a.set_params(params, sample_rate);
        a
    }

    /// Changes the times and sustain level; takes effect at once, mid-stage included.
    pub fn set_params(&mut self, p: AdsrParams, sample_rate: u32) {
        let n = p.attack * sample_rate as f32;
        self.attack_inc = if n.is_nan() || n < 1.0 { 1.0 } else { 1.0 / n };
        self.decay_coef = coef_60db(p.decay, sample_rate);
        self.sustain = if p.sustain.is_nan() {
            0.0
        } else {
            p.sustain.clamp(0.0, 1.0)
        };
        self.release_coef = coef_60db(p.release, sample_rate);
    }

    /// Key down: the attack starts from the current level (0 for an idle envelope; a stolen
    /// voice rises from where it was instead of clicking to 0).
    pub fn gate_on(&mut self) {
        self.stage = AdsrStage::Attack;
    }

    /// Key up: releases from the current level.
    pub fn gate_off(&mut self) {
        if self.stage != AdsrStage::Idle {
            self.stage = AdsrStage::Release;
        }
    }

    /// Silences at once.
    pub fn reset(&mut self) {
        self.stage = AdsrStage::Idle;
        self.level = 0.0;
    }

    /// Advances one sample and returns the level. Called on the audio thread.
    // An endless signal, not an Iterator (which would return Option on every sample).
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next(&mut self) -> f32 {
        match self.stage {
            AdsrStage::Idle => {}
            AdsrStage::Attack => {
                self.level += self.attack_inc;
                if self.level >= 1.0 {
                    self.level = 1.0;
                    self.stage = AdsrStage::Decay;
                }
            }
            AdsrStage::Decay => {
                self.level = self.sustain + (self.level - self.sustain) * self.decay_coef;
                if self.level - self.sustain < SNAP {
                    self.level = self.sustain;
                    self.stage = if self.sustain <= 0.0 {
                        AdsrStage::Idle
                    } else {
                        AdsrStage::Sustain
                    };
                }
            }
            AdsrStage::Sustain => self.level = self.sustain,
            AdsrStage::Release => {
                self.level *= self.release_coef;
                if self.level < SNAP {
                    self.level = 0.0;
                    self.stage = AdsrStage::Idle;
                }
            }
        }
        self.level
    }

    /// The level last returned by [`Adsr::next`].
    pub fn level(&self) -> f32 {
        self.level
    }

    /// The current stage.
    pub fn stage(&self) -> AdsrStage {
        self.stage
    }

    /// True unless idle.
    pub fn is_active(&self) -> bool {
        self.stage != AdsrStage::Idle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(a: f32, d: f32, s: f32, r: f32) -> AdsrParams {
        AdsrParams {
            attack: a,
            decay: d,
            sustain: s,
            release: r,
        }
    }

    #[test]
    fn attack_is_linear_and_exact() {
        // 4-sample attack at 1 kHz.
        let mut e = Adsr::new(params(0.004, 0.01, 0.5, 0.01), 1000);
        assert_eq!(e.next(), 0.0);
        e.gate_on();
        let got: Vec<f32> = (0..4).map(|_| e.next()).collect();
        assert_eq!(got, vec![0.25, 0.5, 0.75, 1.0]);
        assert_eq!(e.stage(), AdsrStage::Decay);
    }

    #[test]
    fn decay_follows_the_60db_curve_then_holds_sustain() {
        // Decay 10 samples at 1 kHz: distance to sustain shrinks by 10^(-3/10) per sample.
        let mut e = Adsr::new(params(0.0, 0.010, 0.5, 0.01), 1000);
        e.gate_on();
        assert_eq!(e.next(), 1.0);
        let c = 10f32.powf(-0.3);
        let mut want = 1.0f32;
        for i in 0..10 {
            want = 0.5 + (want - 0.5) * c;
            let got = e.next();
            assert!((got - want).abs() < 1e-6, "sample {i}: {got} vs {want}");
        }
        // After 10 samples it is 60 dB closer: 0.5 + 0.5e-3.
        assert!((e.level() - 0.5005).abs() < 1e-5);
        for _ in 0..100 {
            e.next();
        }
        assert_eq!(e.stage(), AdsrStage::Sustain);
        assert_eq!(e.next(), 0.5);
    }

    #[test]
    fn release_falls_60db_in_its_time_and_ends_idle() {
        let sr = 48_000;
        let mut e = Adsr::new(params(0.0, 0.0, 1.0, 0.1), sr);
        e.gate_on();
        for _ in 0..10 {
            e.next();
        }
        assert_eq!(e.stage(), AdsrStage::Sustain);
        e.gate_off();
        for _ in 0..4800 {
            e.next();
        }
        assert!((e.level() - 0.001).abs() < 1e-5, "{}", e.level());
        // -100 dB is reached at 5/3 of the release time.
        for _ in 0..3300 {
            e.next();
        }
        assert_eq!(e.stage(), AdsrStage::Idle);
        assert_eq!(e.next(), 0.0);
    }

    #[test]
    fn zero_sustain_is_a_one_shot() {
        let mut e = Adsr::new(params(0.0, 0.01, 0.0, 1.0), 48_000);
        e.gate_on();
        let mut n = 0;
        while e.is_active() && n < 100_000 {
            e.next();
            n += 1;
        }
        assert_eq!(e.stage(), AdsrStage::Idle);
        assert!(n < 1000, "{n}");
    }

    #[test]
    fn retrigger_rises_from_current_level() {
        let mut e = Adsr::new(params(0.004, 0.0, 1.0, 0.004), 1000);
        e.gate_on();
        e.next();
        e.next(); // 0.5
        e.gate_on();
        assert_eq!(e.next(), 0.75);
    }
}
