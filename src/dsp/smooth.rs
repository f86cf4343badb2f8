//! Parameter smoothing: a linear ramp that lands exactly on its target, so faders and pan move
//! without zipper noise and a settled value is bit-exact (a one-pole would never arrive).
//! The only smoother in the crate: the mixer's gain and pan ramps are this type.

/// A value that glides linearly to its target over a fixed number of samples.
#[derive(Clone, Copy, Debug)]
pub struct Smoothed {
    current: f32,
    target: f32,
    /// Where the running ramp started: each value is clamped between it and the target, so
    /// rounding in the accumulated steps can never overshoot.
    start: f32,
    step: f32,
    remaining: u32,
    ramp_len: u32,
}

impl Smoothed {
    /// A smoothed value starting (settled) at `value`; later changes take `time_s` seconds at
    /// `sample_rate`, rounded to whole samples (at least one).
    pub fn new(value: f32, sample_rate: u32, time_s: f32) -> Smoothed {
        let ramp_len = (time_s.max(0.0) * sample_rate as f32).round().max(1.0) as u32;
        Smoothed::with_samples(value, ramp_len)
    }

    /// A smoothed value starting (settled) at `value` whose changes take `ramp_len` samples
    /// (at least one), for callers that count the ramp in samples themselves.
    pub fn with_samples(value: f32, ramp_len: u32) -> Smoothed {
        Smoothed {
            current: value,
            target: value,
            start: value,
            step: 0.0,
            remaining: 0,
            ramp_len: ramp_len.max(1),
        }
    }

    /// Starts a ramp from the current value to `target`. Called on the audio thread.
    pub fn set_target(&mut self, target: f32) {
        if target == self.target {
            return;
        }
        self.target = target;
        if target == self.current {
            self.remaining = 0;
            return;
        }
        self.remaining = self.ramp_len;
        self.start = self.current;
        self.step = (target - self.current) / self.ramp_len as f32;
    }

    /// Jumps to `value` with no ramp (a graph swap or a seek, where a glide would be wrong).
    pub fn set_immediate(&mut self, value: f32) {
        self.current = value;
        self.target = value;
        self.remaining = 0;
    }

    /// Advances one sample and returns the new value. Called on the audio thread.
    // An endless signal, not an Iterator (which would return Option on every sample).
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next(&mut self) -> f32 {
        if self.remaining > 0 {
            self.remaining -= 1;
            if self.remaining == 0 {
                self.current = self.target;
            } else {
                // Accumulated (not start + step·n) so the mixer's gain sequence is the one
                // its renders were pinned with; the clamp keeps rounding from overshooting.
                let v = self.current + self.step;
                let (lo, hi) = if self.start <= self.target {
                    (self.start, self.target)
                } else {
                    (self.target, self.start)
                };
                self.current = v.clamp(lo, hi);
            }
        }
        self.current
    }

    /// Fills `out` with the next `out.len()` values. Called on the audio thread.
    pub fn fill(&mut self, out: &mut [f32]) {
        for o in out.iter_mut() {
            *o = self.next();
        }
    }

    /// Multiplies `buf` by the value, sample by sample; settled at unity it leaves `buf`
    /// untouched (bit-exact). Called on the audio thread.
    #[inline]
    pub fn apply(&mut self, buf: &mut [f32]) {
        if self.is_smoothing() {
            for x in buf.iter_mut() {
                *x *= self.next();
            }
        } else if self.current != 1.0 {
            let g = self.current;
            buf.iter_mut().for_each(|x| *x *= g);
        }
    }

    /// The value last returned by [`Smoothed::next`] (or the start value).
    pub fn value(&self) -> f32 {
        self.current
    }

    /// The value the ramp is heading for.
    pub fn target(&self) -> f32 {
        self.target
    }

    /// True while a ramp is in progress.
    pub fn is_smoothing(&self) -> bool {
        self.remaining > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_linearly_and_lands_exactly() {
        // 4 samples at 1000 Hz = 4 ms.
        let mut s = Smoothed::new(0.0, 1000, 0.004);
        s.set_target(1.0);
        let got: Vec<f32> = (0..6).map(|_| s.next()).collect();
        assert_eq!(got, vec![0.25, 0.5, 0.75, 1.0, 1.0, 1.0]);
        assert!(!s.is_smoothing());
    }

    #[test]
    fn reaches_awkward_target_bit_exactly() {
        let mut s = Smoothed::new(0.3, 48_000, 0.02);
        s.set_target(0.123_456_7);
        for _ in 0..960 {
            s.next();
        }
        assert_eq!(s.value(), 0.123_456_7);
        assert!(!s.is_smoothing());
    }

    #[test]
    fn retarget_mid_ramp_starts_from_current_value() {
        let mut s = Smoothed::new(0.0, 1000, 0.004);
        s.set_target(1.0);
        s.next();
        s.next(); // 0.5
        s.set_target(0.0);
        let got: Vec<f32> = (0..4).map(|_| s.next()).collect();
        assert_eq!(got, vec![0.375, 0.25, 0.125, 0.0]);
    }

    #[test]
    fn immediate_skips_the_ramp() {
        let mut s = Smoothed::new(1.0, 48_000, 0.05);
        s.set_target(0.0);
        s.set_immediate(0.7);
        assert_eq!(s.next(), 0.7);
        assert!(!s.is_smoothing());
    }
    #[test]
    fn sample_counted_ramp_arrives_exactly_and_applies() {
        let mut r = Smoothed::with_samples(1.0, 4);
        assert!(!r.is_smoothing());
        r.set_target(0.0);
        let v: Vec<f32> = (0..6).map(|_| r.next()).collect();
        assert_eq!(v, vec![0.75, 0.5, 0.25, 0.0, 0.0, 0.0]);
        let mut buf = [2.0f32; 3];
        r.set_immediate(1.0);
        r.apply(&mut buf);
        assert_eq!(buf, [2.0; 3]);
        r.set_target(0.5);
        let mut buf = [2.0f32; 6];
        r.apply(&mut buf);
        assert_eq!(buf, [1.75, 1.5, 1.25, 1.0, 1.0, 1.0]);
        let mut buf = [3.0f32; 2];
        r.apply(&mut buf);
        assert_eq!(buf, [1.5, 1.5]);
    }

    #[test]
    fn values_are_the_accumulated_steps() {
        // The mixer's renders were pinned with start + step + step + ...; the sequence must
        // be that, bit for bit, with the last sample exactly on the target.
        let (start, target, len) = (1.0f32, 0.707_945_8f32, 1440u32);
        let mut s = Smoothed::with_samples(start, len);
        s.set_target(target);
        let step = (target - start) / len as f32;
        let mut want = start;
        for i in 1..=len {
            want = if i == len { target } else { want + step };
            assert_eq!(s.next().to_bits(), want.to_bits(), "sample {i}");
        }
        assert!(!s.is_smoothing());
    }
}
