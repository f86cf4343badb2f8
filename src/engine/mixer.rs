//! Mixer laws: the two pan laws and the per-sample parameter ramp that keeps fader moves
//! free of zipper noise (dB to gain is `dsp::db_to_gain`). Pure functions and plain structs;
//! nothing here allocates.

/// Balance law for stereo sources: unity at centre, the far side fades out linearly, the near
/// side stays at unity (so a centred stereo track passes unchanged — the null test).
pub fn balance(pan: f32) -> (f32, f32) {
    let p = pan.clamp(-1.0, 1.0);
    if p < 0.0 {
        (1.0, 1.0 + p)
    } else {
        (1.0 - p, 1.0)
    }
}

/// Constant-power law for mono sources: cos/sin of a quarter circle, so the centre is
/// -3.01 dB per side and the total power is the same at every position.
pub fn constant_power(pan: f32) -> (f32, f32) {
    let p = pan.clamp(-1.0, 1.0);
    let theta = (p + 1.0) * std::f32::consts::FRAC_PI_4;
    (theta.cos(), theta.sin())
}

/// A value that moves linearly to its target over a fixed number of samples. At rest it
/// returns its target exactly, so unity gain stays bit-exact.
#[derive(Clone, Copy, Debug)]
pub struct Ramp {
    current: f32,
    target: f32,
    step: f32,
    remaining: u32,
    length: u32,
}

impl Ramp {
    /// A ramp resting at `value` that takes `length` samples for each move.
    pub fn new(value: f32, length: u32) -> Ramp {
        Ramp {
            current: value,
            target: value,
            step: 0.0,
            remaining: 0,
            length: length.max(1),
        }
    }

    /// Starts moving towards `target` from wherever the ramp is now.
    pub fn set_target(&mut self, target: f32) {
        if target == self.target {
            return;
        }
        self.target = target;
        self.remaining = self.length;
        self.step = (target - self.current) / self.length as f32;
    }

    /// Jumps to `value` with no ramp.
    pub fn set_now(&mut self, value: f32) {
        self.current = value;
        self.target = value;
        self.remaining = 0;
    }

    /// The value of the last sample.
    pub fn current(&self) -> f32 {
        self.current
    }

    /// The value the ramp is heading for.
    pub fn target(&self) -> f32 {
        self.target
    }

    /// The value of the next sample.
    #[inline]
    pub fn tick(&mut self) -> f32 {
        if self.remaining > 0 {
            self.remaining -= 1;
            self.current = if self.remaining == 0 {
                self.target
            } else {
                self.current + self.step
            };
        }
        self.current
    }

    /// True when the ramp has arrived (every tick() returns the target).
    pub fn is_steady(&self) -> bool {
        self.remaining == 0
    }

    /// Multiplies `buf` by the ramp, sample by sample.
    #[inline]
    pub fn apply(&mut self, buf: &mut [f32]) {
        if self.is_steady() {
            let g = self.current;
            if g != 1.0 {
                buf.iter_mut().for_each(|x| *x *= g);
            }
        } else {
            for x in buf.iter_mut() {
                *x *= self.tick();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pan_laws() {
        assert_eq!(balance(0.0), (1.0, 1.0));
        assert_eq!(balance(-1.0), (1.0, 0.0));
        assert_eq!(balance(0.5), (0.5, 1.0));
        let (l, r) = constant_power(0.0);
        let db = 20.0 * l.log10();
        assert!((db + 3.0103).abs() < 1e-3, "{db}");
        assert!((l - r).abs() < 1e-7);
        let (l, r) = constant_power(-1.0);
        assert!((l - 1.0).abs() < 1e-7 && r.abs() < 1e-7);
        for p in [-0.7f32, -0.2, 0.3, 0.9] {
            let (l, r) = constant_power(p);
            assert!((l * l + r * r - 1.0).abs() < 1e-6);
        }
    }

    #[test]
    fn ramp_arrives_exactly() {
        let mut r = Ramp::new(1.0, 4);
        assert!(r.is_steady());
        r.set_target(0.0);
        let v: Vec<f32> = (0..6).map(|_| r.tick()).collect();
        assert_eq!(v, vec![0.75, 0.5, 0.25, 0.0, 0.0, 0.0]);
        let mut buf = [2.0f32; 3];
        r.set_now(1.0);
        r.apply(&mut buf);
        assert_eq!(buf, [2.0; 3]);
    }
}
