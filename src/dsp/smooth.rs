//! Parameter smoothing: a linear ramp that lands exactly on its target, so faders and pan move
//! without zipper noise and a settled value is bit-exact (a one-pole would never arrive).

/// A value that glides linearly to its target over a fixed time.
#[derive(Clone, Debug)]
pub struct Smoothed {
    current: f32,
    target: f32,
    /// Where the running ramp started; values are computed from it, not accumulated, so a
    /// long ramp cannot drift outside start..=target.
    start: f32,
    step: f32,
    remaining: u32,
    ramp_len: u32,
}

impl Smoothed {
    /// A smoothed value starting (settled) at `value`; later changes take `time_s` seconds at
    /// `sample_rate` (at least one sample).
    pub fn new(value: f32, sample_rate: u32, time_s: f32) -> Smoothed {
        let ramp_len = (time_s.max(0.0) * sample_rate as f32).round().max(1.0) as u32;
        Smoothed {
            current: value,
            target: value,
            start: value,
            step: 0.0,
            remaining: 0,
            ramp_len,
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
                let done = (self.ramp_len - self.remaining) as f32;
                let v = self.start + self.step * done;
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
}
