//! Lookahead true-peak limiter. The detector finds the true peak of the incoming signal
//! ([`TruePeak`], 4x oversampled); each position needs a gain of at most ceiling/peak. That
//! requirement is held (a sliding minimum) over a window of `W` samples, released towards
//! unity with the release time, and smoothed by a `W`-sample moving average; the audio is
//! delayed so that the average at a peak covers only held values, all at or below the gain
//! that peak needs. The gain therefore reaches its target by the peak, without overshoot,
//! and fades in over `W` samples before it (no click). The latency is the lookahead.
//! Buffers are allocated in `new` for the lookahead asked for; nothing allocates per sample.

use super::{db_to_gain, DelayLine, TruePeak};

/// A running minimum over the last `window` values (a monotonic queue in a fixed ring).
#[derive(Clone, Debug)]
struct SlidingMin {
    vals: Vec<f32>,
    idx: Vec<u64>,
    head: usize,
    len: usize,
    window: u64,
    n: u64,
}

impl SlidingMin {
    fn new(window: usize) -> SlidingMin {
        let cap = window + 1;
        SlidingMin {
            vals: vec![0.0; cap],
            idx: vec![0; cap],
            head: 0,
            len: 0,
            window: window as u64,
            n: 0,
        }
    }

    /// Adds `v` and returns the minimum of the last `window` values.
    #[inline]
    fn push(&mut self, v: f32) -> f32 {
        let cap = self.vals.len();
        // Drop larger values from the back: they can never be the minimum again.
        while self.len > 0 {
            let back = (self.head + self.len - 1) % cap;
            if self.vals[back] >= v {
                self.len -= 1;
            } else {
                break;
            }
        }
        let slot = (self.head + self.len) % cap;
        self.vals[slot] = v;
        self.idx[slot] = self.n;
        self.len += 1;
        // Drop the front once it has left the window.
        while self.idx[self.head] + self.window <= self.n {
            self.head = (self.head + 1) % cap;
            self.len -= 1;
        }
        self.n += 1;
        self.vals[self.head]
    }

    fn reset(&mut self) {
        self.head = 0;
        self.len = 0;
        self.n = 0;
    }
}

/// Stereo lookahead limiter (both channels get the same gain, so the image holds).
#[derive(Clone, Debug)]
pub struct Limiter {
    rate: u32,
    detectors: [TruePeak; 2],
    audio: [DelayLine; 2],
    latency: usize,
    hold: SlidingMin,
    /// Ring of the last `window` released gains and their sum (f64: the sum returns to
    /// exactly `window` when nothing is limited).
    avg: Vec<f32>,
    avg_pos: usize,
    avg_sum: f64,
    ceiling: f32,
    release_coef: f64,
    /// The released gain (f64: an f32 release stalls short of unity, a step of a few ulps
    /// per sample rounding away).
    env: f64,
    gain: f32,
    /// Lowest gain applied in the last block (for the meter).
    block_min_gain: f32,
}

impl Limiter {
    /// A limiter at `rate` looking `lookahead_ms` ahead (at least [`TruePeak::DELAY`] + 1
    /// samples); ceiling −1 dBTP, release 60 ms. Allocates.
    pub fn new(rate: u32, lookahead_ms: f64) -> Limiter {
        let rate = rate.max(1);
        let ms = if lookahead_ms.is_finite() {
            lookahead_ms.clamp(0.0, 100.0)
        } else {
            5.0
        };
        let latency = ((ms * rate as f64 / 1000.0).round() as usize).max(TruePeak::DELAY + 1);
        // The detector lags by DELAY and reports an interval; the hold spans two extra
        // samples so the gain around a peak's neighbours is covered too.
        let window = latency - TruePeak::DELAY;
        let mut l = Limiter {
            rate,
            detectors: [TruePeak::new(), TruePeak::new()],
            audio: [DelayLine::new(latency + 1), DelayLine::new(latency + 1)],
            latency,
            hold: SlidingMin::new(window + 2),
            avg: vec![1.0; window],
            avg_pos: 0,
            avg_sum: window as f64,
            ceiling: db_to_gain(-1.0f32),
            release_coef: 0.0,
            env: 1.0,
            gain: 1.0,
            block_min_gain: 1.0,
        };
        l.set_release_ms(60.0);
        l
    }

    /// Samples the output lags the input.
    pub fn latency(&self) -> usize {
        self.latency
    }

    /// The ceiling in dBTP (≤ 0). Called on the audio thread.
    pub fn set_ceiling_db(&mut self, db: f32) {
        let db = if db.is_finite() { db.min(0.0) } else { -1.0 };
        self.ceiling = db_to_gain(db);
    }

    /// The release time constant in ms: after a peak's hold, the gain recovers 63 % of the
    /// way to unity in this time. Called on the audio thread.
    pub fn set_release_ms(&mut self, ms: f32) {
        let s = f64::from(if ms.is_finite() { ms.max(0.01) } else { 60.0 }) / 1000.0;
        self.release_coef = 1.0 - (-1.0 / (s * self.rate as f64)).exp();
    }

    /// Gain reduction of the last block's deepest point, in dB (≥ 0).
    pub fn gain_reduction_db(&self) -> f32 {
        -20.0 * self.block_min_gain.max(1e-6).log10()
    }

    /// The gain applied to the last output sample (linear).
    pub fn gain(&self) -> f32 {
        self.gain
    }

    /// Processes a stereo block in place (the output is the input `latency()` samples ago,
    /// limited). Called on the audio thread.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let window = self.avg.len();
        let mut min_gain = 1.0f32;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let peak = self.detectors[0].push(*l).max(self.detectors[1].push(*r));
            // NaN or silence needs no reduction: min() keeps 1 for NaN.
            let need = (self.ceiling / peak).min(1.0);
            let held = f64::from(self.hold.push(need));
            self.env = if held < self.env {
                held
            } else {
                // Within a millionth of the target it lands, so an unlimited signal comes out
                // unscaled after a release.
                let e = self.env + (held - self.env) * self.release_coef;
                if held - e < 1e-6 {
                    held
                } else {
                    e
                }
            };
            let env = self.env as f32;
            self.avg_sum += f64::from(env) - f64::from(self.avg[self.avg_pos]);
            self.avg[self.avg_pos] = env;
            self.avg_pos += 1;
            if self.avg_pos == window {
                self.avg_pos = 0;
                // Re-sum once per lap so rounding in the running sum never accumulates.
                self.avg_sum = self.avg.iter().map(|g| f64::from(*g)).sum();
            }
            // The f64 sum's rounding can leave it a hair above `window`: clamp to unity.
            self.gain = ((self.avg_sum / window as f64) as f32).min(1.0);
            min_gain = min_gain.min(self.gain);
            self.audio[0].push(*l);
            self.audio[1].push(*r);
            *l = self.audio[0].tap(self.latency + 1) * self.gain;
            *r = self.audio[1].tap(self.latency + 1) * self.gain;
        }
        self.block_min_gain = min_gain;
    }

    /// Forgets the signal: silent lookahead, unity gain.
    pub fn reset(&mut self) {
        for d in &mut self.detectors {
            d.reset();
        }
        for a in &mut self.audio {
            a.reset();
        }
        self.hold.reset();
        self.avg.iter_mut().for_each(|g| *g = 1.0);
        self.avg_sum = self.avg.len() as f64;
        self.avg_pos = 0;
        self.env = 1.0;
        self.gain = 1.0;
        self.block_min_gain = 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_min_matches_brute_force() {
        let xs: Vec<f32> = (0..200)
            .map(|i| ((i * 37 % 101) as f32 * 0.37).sin())
            .collect();
        let mut m = SlidingMin::new(7);
        for (i, x) in xs.iter().enumerate() {
            let got = m.push(*x);
            let want = xs[i.saturating_sub(6)..=i]
                .iter()
                .copied()
                .fold(f32::INFINITY, f32::min);
            assert_eq!(got, want, "at {i}");
        }
    }

    #[test]
    fn an_impulse_over_the_ceiling_comes_out_at_the_ceiling_after_the_latency() {
        let mut lim = Limiter::new(48_000, 1.0);
        lim.set_ceiling_db(-6.0);
        assert_eq!(lim.latency(), 48);
        let mut l = vec![0.0f32; 256];
        let mut r = vec![0.0f32; 256];
        l[10] = 1.0;
        lim.process(&mut l, &mut r);
        let ceiling = db_to_gain(-6.0f32);
        assert!((l[10 + 48] - ceiling).abs() < 1e-4, "{}", l[10 + 48]);
        assert!(l.iter().all(|x| x.abs() <= ceiling + 1e-6));
        assert!(lim.gain_reduction_db() > 5.9);
    }
}
