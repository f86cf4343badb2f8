//! Lookahead true-peak limiter. The detector finds the true peak of the incoming signal
//! ([`TruePeak`], 4x oversampled); each position needs a gain of at most ceiling/peak. That
//! requirement is held (a sliding minimum) over a window of `W` samples, released towards
//! unity with the release time, and smoothed by a `W`-sample moving average; the audio is
//! delayed so that the average at a peak covers only held values, all at or below the gain
//! that peak needs. The gain therefore reaches its target by the peak, without overshoot,
//! and fades in over `W` samples before it (no click). The latency is the lookahead.
//! Buffers are allocated in `new` for the lookahead asked for; nothing allocates per sample.
//!
//! Speed: a block goes through in runs of [`RUN`] samples, a stage at a time: both detectors
//! over the run (vectorised), the gain computation (the one serial part: hold, release,
//! average), then the lookahead delay as two slice copies and the gain as one multiply. When
//! nothing in the run or in the window needs limiting, the gain is exactly 1 throughout and
//! the serial stage is skipped; its state then advances as it would have.

use super::{db_to_gain, DelayLine, TruePeak};

/// Samples per run (the size of the stack scratch arrays).
const RUN: usize = 64;

/// A running minimum over the last `window` values (a monotonic queue in a fixed ring whose
/// size is a power of two, so wrapping is a mask).
#[derive(Clone, Debug)]
struct SlidingMin {
    vals: Vec<f32>,
    idx: Vec<u64>,
    mask: usize,
    head: usize,
    len: usize,
    window: u64,
    n: u64,
}

impl SlidingMin {
    fn new(window: usize) -> SlidingMin {
        let cap = (window + 1).next_power_of_two();
        SlidingMin {
            vals: vec![0.0; cap],
            idx: vec![0; cap],
            mask: cap - 1,
            head: 0,
            len: 0,
            window: window as u64,
            n: 0,
        }
    }

    /// Adds `v` and returns the minimum of the last `window` values.
    #[inline]
    fn push(&mut self, v: f32) -> f32 {
        // Drop larger values from the back: they can never be the minimum again.
        while self.len > 0 && self.vals[(self.head + self.len - 1) & self.mask] >= v {
            self.len -= 1;
        }
        let slot = (self.head + self.len) & self.mask;
        self.vals[slot] = v;
        self.idx[slot] = self.n;
        self.len += 1;
        // Drop the front once it has left the window.
        while self.idx[self.head] + self.window <= self.n {
            self.head = (self.head + 1) & self.mask;
            self.len -= 1;
        }
        self.n += 1;
        self.vals[self.head]
    }

    /// True when every value in the window is `v` or more (nothing pushed yet counts).
    fn min_at_least(&self, v: f32) -> bool {
        self.len == 0 || self.vals[self.head] >= v
    }

    /// Pushes `count` copies of `v` when no value in the window is below it
    /// ([`SlidingMin::min_at_least`]): each copy pushes every older value out, so the queue
    /// ends holding the last copy alone.
    fn push_repeated(&mut self, v: f32, count: usize) {
        if count == 0 {
            return;
        }
        self.n += count as u64;
        self.head = 0;
        self.len = 1;
        self.vals[0] = v;
        self.idx[0] = self.n - 1;
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
    /// How many released gains in a row were exactly 1 (counted up to the window): once it
    /// reaches the window, the average's ring holds only ones.
    unity_run: usize,
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
            // A run pushes before it reads: room for the lookahead plus a run.
            audio: [
                DelayLine::new(latency + 1 + RUN),
                DelayLine::new(latency + 1 + RUN),
            ],
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
            unity_run: window,
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
        let n = left.len().min(right.len());
        let mut min_gain = 1.0f32;
        for (l, r) in left[..n].chunks_mut(RUN).zip(right[..n].chunks_mut(RUN)) {
            min_gain = min_gain.min(self.process_run(l, r));
        }
        self.block_min_gain = min_gain;
    }

    /// At most [`RUN`] samples (of equal-length channels); returns the lowest gain applied.
    fn process_run(&mut self, left: &mut [f32], right: &mut [f32]) -> f32 {
        let n = left.len();
        let mut need = [0.0f32; RUN];
        let mut peak_r = [0.0f32; RUN];
        let (need, peak_r) = (&mut need[..n], &mut peak_r[..n]);
        self.detectors[0].process(left, need);
        self.detectors[1].process(right, peak_r);
        let ceiling = self.ceiling;
        for (need, r) in need.iter_mut().zip(peak_r.iter()) {
            // NaN or silence needs no reduction: min() keeps 1 for NaN.
            *need = (ceiling / need.max(*r)).min(1.0);
        }
        let mut gains = [1.0f32; RUN];
        let gains = &mut gains[..n];
        let unity = self.is_unity() && need.iter().all(|g| *g == 1.0);
        if unity {
            self.skip_unity(n);
        } else {
            self.gains(need, gains);
        }
        for (line, x) in self.audio.iter_mut().zip([&mut *left, &mut *right]) {
            line.push_slice(x);
            // After n pushes, tap(latency + 1) as it was after each push.
            line.tap_slice(self.latency + n, x);
            if !unity {
                x.iter_mut().zip(gains.iter()).for_each(|(x, g)| *x *= g);
            }
        }
        gains.iter().copied().fold(1.0, f32::min)
    }

    /// Nothing in the window is limited and the gain rests at exactly 1 (every held need,
    /// the released gain and every value in the average are 1).
    fn is_unity(&self) -> bool {
        self.env == 1.0
            && self.unity_run >= self.avg.len()
            && self.avg_sum == self.avg.len() as f64
            && self.hold.min_at_least(1.0)
    }

    /// Advances the gain state over `n` samples that need no reduction from a unity state:
    /// what [`Limiter::gains`] would do, which leaves every value at 1.
    fn skip_unity(&mut self, n: usize) {
        self.hold.push_repeated(1.0, n);
        let window = self.avg.len();
        // The ring already holds ones and its sum is exact; only the position moves.
        self.avg_pos = (self.avg_pos + n) % window;
        self.unity_run = window;
        self.gain = 1.0;
    }

    /// The gain for each sample from what each needs (`need[k]`): held, released, averaged.
    fn gains(&mut self, need: &[f32], gains: &mut [f32]) {
        let window = self.avg.len();
        for (need, g) in need.iter().zip(gains.iter_mut()) {
            let held = f64::from(self.hold.push(*need));
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
            self.unity_run = if env == 1.0 {
                (self.unity_run + 1).min(window)
            } else {
                0
            };
            // The f64 sum's rounding can leave it a hair above `window`: clamp to unity.
            self.gain = ((self.avg_sum / window as f64) as f32).min(1.0);
            *g = self.gain;
        }
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
        self.unity_run = self.avg.len();
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

    /// The limiter's definition, one sample at a time with a brute-force hold: returns the
    /// output and the gain at each sample.
    fn reference(
        left: &[f32],
        right: &[f32],
        ceiling_db: f32,
        release_ms: f32,
        lookahead_ms: f64,
    ) -> Vec<(f32, f32, f32)> {
        let rate = 48_000;
        let latency = Limiter::new(rate, lookahead_ms).latency();
        let window = latency - TruePeak::DELAY;
        let mut det = [TruePeak::new(), TruePeak::new()];
        let mut audio = [DelayLine::new(latency + 1), DelayLine::new(latency + 1)];
        let ceiling = db_to_gain(ceiling_db);
        let coef = 1.0 - (-1.0 / (f64::from(release_ms) / 1000.0 * f64::from(rate))).exp();
        let mut needs: Vec<f32> = Vec::new();
        let (mut env, mut avg, mut pos) = (1.0f64, vec![1.0f32; window], 0);
        let mut sum = window as f64;
        let mut out = Vec::new();
        for (l, r) in left.iter().zip(right) {
            let peak = det[0].push(*l).max(det[1].push(*r));
            needs.push((ceiling / peak).min(1.0));
            let from = needs.len().saturating_sub(window + 2);
            let held = f64::from(needs[from..].iter().copied().fold(f32::INFINITY, f32::min));
            env = if held < env {
                held
            } else {
                let e = env + (held - env) * coef;
                if held - e < 1e-6 {
                    held
                } else {
                    e
                }
            };
            let e = env as f32;
            sum += f64::from(e) - f64::from(avg[pos]);
            avg[pos] = e;
            pos += 1;
            if pos == window {
                pos = 0;
                sum = avg.iter().map(|g| f64::from(*g)).sum();
            }
            let gain = ((sum / window as f64) as f32).min(1.0);
            audio[0].push(*l);
            audio[1].push(*r);
            out.push((
                audio[0].tap(latency + 1) * gain,
                audio[1].tap(latency + 1) * gain,
                gain,
            ));
        }
        out
    }

    #[test]
    fn runs_and_the_unity_skip_give_the_definitions_bits() {
        // Loud and quiet stretches, so the gain leaves unity, returns, and rests there.
        let n = 27_000;
        let mut noise = crate::dsp::Noise::new(5);
        let x: Vec<f32> = (0..n)
            .map(|i| noise.next() * if (i / 3000) % 4 == 1 { 3.0 } else { 0.3 })
            .collect();
        let y: Vec<f32> = x.iter().map(|v| -0.5 * v).collect();
        for (ceiling, release, lookahead) in [(-1.0, 5.0, 5.0), (-6.0, 2.0, 0.5)] {
            let want = reference(&x, &y, ceiling, release, lookahead);
            for block in [256, 37, 1] {
                let mut lim = Limiter::new(48_000, lookahead);
                lim.set_ceiling_db(ceiling);
                lim.set_release_ms(release);
                let (mut l, mut r) = (x.clone(), y.clone());
                for (k, (l, r)) in l.chunks_mut(block).zip(r.chunks_mut(block)).enumerate() {
                    lim.process(l, r);
                    let end = (k * block + l.len()) - 1;
                    assert_eq!(lim.gain(), want[end].2, "gain at {end}");
                }
                for (i, w) in want.iter().enumerate() {
                    assert_eq!(
                        (l[i].to_bits(), r[i].to_bits()),
                        (w.0.to_bits(), w.1.to_bits()),
                        "{ceiling} dB, block {block}, sample {i}"
                    );
                }
            }
            assert!(want.iter().any(|w| w.2 < 0.5) && want[n - 1].2 == 1.0);
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
