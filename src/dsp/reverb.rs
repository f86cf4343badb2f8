//! Algorithmic stereo reverb: a feedback delay network of eight lines with mutually prime
//! lengths, mixed by an orthogonal 8×8 Hadamard matrix, fed through pre-delay and four
//! allpass diffusers per side. Each line's feedback gain comes from its own length,
//! g = 10^(−3·len/(rate·decay)), so every path loses 60 dB in `decay_s` and the network's
//! broadband RT60 is `decay_s` (the mixing matrix is orthogonal, so it neither adds nor
//! removes energy). Damping is a one-pole low-pass in each loop with unity gain at DC, set
//! from the line's length so that high frequencies reach −60 dB sooner while the broadband
//! decay stays put. Every loop gain is below one for every parameter value, so it is stable.
//! Buffers are allocated in `new` for the largest size and pre-delay; nothing here allocates
//! per sample.
//!
//! Speed: while no length or gain glides, the reverb runs in runs of up to [`RUN`] samples
//! no longer than its shortest line or diffuser, so every delayed read of a run lies in the
//! past: the pre-delay and the diffusers are vectorised across the run, and the network keeps
//! its eight lines as one `[f32; 8]` lane array (damping, gains and the Hadamard butterfly
//! over all lines at once). The arithmetic is the per-sample definition's, operation for
//! operation, so a run gives the same output as samples one at a time; glides take that path.

use super::delay::RUN;
use super::{flush_denormal, DelayLine, Smoothed};

/// Lines in the network.
const LINES: usize = 8;
/// Line lengths at size 1/[`SIZE_SCALE_MAX`], in ms; scaled by size and moved to distinct
/// primes (in samples) so no two lines share a resonance.
const BASE_MS: [f64; LINES] = [31.7, 37.3, 41.9, 47.3, 53.1, 59.9, 67.7, 73.9];
/// The length scale at size 0 and at size 1.
const SIZE_SCALE_MIN: f64 = 0.3;
const SIZE_SCALE_MAX: f64 = 1.5;
/// Allpass diffusers (ms, gain), per side; slightly different lengths decorrelate the sides.
const DIFFUSERS: [[(f64, f32); 4]; 2] = [
    [(4.77, 0.7), (3.59, 0.7), (12.73, 0.625), (9.31, 0.625)],
    [(4.99, 0.7), (3.37, 0.7), (12.37, 0.625), (9.71, 0.625)],
];
/// The longest pre-delay (the registry's maximum).
pub const MAX_PREDELAY_MS: f64 = 500.0;
/// How far the high-frequency RT60 falls below `decay_s` at damping 1 (as a share of it).
const HF_RATIO_AT_FULL_DAMPING: f64 = 0.08;
/// Output scale of the summed lines (four per side).
const OUT_GAIN: f32 = 0.35;
/// Glide times: line lengths (size) and everything else.
const SIZE_GLIDE_S: f32 = 0.15;
const GLIDE_S: f32 = 0.03;

/// One Schroeder allpass: flat magnitude, smeared phase (echo density without colour).
#[derive(Clone, Debug)]
struct Allpass {
    line: DelayLine,
    len: usize,
    /// The gain of the diffuser's design, and the gain used (lower for short decays).
    base_g: f32,
    g: f32,
}

impl Allpass {
    #[inline]
    fn process(&mut self, x: f32) -> f32 {
        let delayed = self.line.tap(self.len);
        let w = flush_denormal(x + self.g * delayed);
        self.line.push(w);
        delayed - self.g * w
    }

    /// [`Allpass::process`] over a run of at most `min(RUN, len)` samples in place: every
    /// delayed read is a sample written before the run.
    #[inline]
    fn process_run(&mut self, x: &mut [f32]) {
        let n = x.len().min(RUN);
        let x = &mut x[..n];
        let mut delayed = [0.0f32; RUN];
        let mut w = [0.0f32; RUN];
        let (delayed, w) = (&mut delayed[..n], &mut w[..n]);
        self.line.tap_slice(self.len, delayed);
        let g = self.g;
        for k in 0..n {
            w[k] = flush_denormal(x[k] + g * delayed[k]);
            x[k] = delayed[k] - g * w[k];
        }
        self.line.push_slice(w);
    }
}

/// The reverb. Parameters glide; `process` works on a stereo block in place.
#[derive(Clone, Debug)]
pub struct Reverb {
    rate: u32,
    lines: [DelayLine; LINES],
    /// Current (gliding) length of each line, in samples.
    len: [Smoothed; LINES],
    /// Target lengths (primes), from which gains and damping are set.
    target: [usize; LINES],
    gain: [Smoothed; LINES],
    /// Damping pole of each line's low-pass and its state.
    pole: [f32; LINES],
    lp: [f32; LINES],
    diffusers: [[Allpass; 4]; 2],
    predelay: [DelayLine; 2],
    predelay_len: Smoothed,
    decay_s: f64,
    size: f64,
    damping: f64,
    width: Smoothed,
    mix: Smoothed,
    /// The longest run whose delayed reads all lie in the past: the shortest line or
    /// diffuser, at most [`RUN`].
    run: usize,
}

fn is_prime(n: usize) -> bool {
    if n < 2 {
        return false;
    }
    if n % 2 == 0 {
        return n == 2;
    }
    let mut d = 3;
    while d * d <= n {
        if n % d == 0 {
            return false;
        }
        d += 2;
    }
    true
}

/// The longest line at `rate`, in samples (its buffer's size).
fn max_line(rate: u32) -> usize {
    (BASE_MS[LINES - 1] * SIZE_SCALE_MAX * rate as f64 / 1000.0).ceil() as usize + 64
}

impl Reverb {
    /// A reverb at `rate` with the registry's defaults (decay 2 s, pre-delay 20 ms, size 0.5,
    /// damping 0.3, width 1, mix 0.3). Allocates its lines.
    pub fn new(rate: u32) -> Reverb {
        let rate = rate.max(1);
        let ms = |m: f64| ((m * rate as f64 / 1000.0).round() as usize).max(1);
        let max = max_line(rate);
        let line_glide = (SIZE_GLIDE_S * rate as f32).round() as u32;
        let diffuser = |side: usize, i: usize| {
            let (m, g) = DIFFUSERS[side][i];
            Allpass {
                line: DelayLine::new(ms(m)),
                len: ms(m),
                base_g: g,
                g,
            }
        };
        let mut r = Reverb {
            rate,
            lines: std::array::from_fn(|_| DelayLine::new(max)),
            len: std::array::from_fn(|_| Smoothed::with_samples(1.0, line_glide)),
            target: [1; LINES],
            gain: std::array::from_fn(|_| Smoothed::new(0.0, rate, GLIDE_S)),
            pole: [0.0; LINES],
            lp: [0.0; LINES],
            diffusers: std::array::from_fn(|s| std::array::from_fn(|i| diffuser(s, i))),
            // A run pushes before it reads: room for the longest pre-delay plus a run.
            predelay: std::array::from_fn(|_| DelayLine::new(ms(MAX_PREDELAY_MS) + 2 + RUN)),
            predelay_len: Smoothed::new(1.0, rate, GLIDE_S),
            decay_s: 2.0,
            size: 0.5,
            damping: 0.3,
            width: Smoothed::new(1.0, rate, GLIDE_S),
            mix: Smoothed::new(0.3, rate, GLIDE_S),
            run: 1,
        };
        r.set_size(0.5);
        r.set_predelay_ms(20.0);
        r.settle();
        r
    }

    /// Jumps every glide to its target (after construction and on reset).
    fn settle(&mut self) {
        for s in self.len.iter_mut().chain(self.gain.iter_mut()).chain([
            &mut self.predelay_len,
            &mut self.width,
            &mut self.mix,
        ]) {
            s.set_immediate(s.target());
        }
    }

    /// The line lengths (samples) the size asks for: scaled, then each moved up to the next
    /// prime not already taken.
    fn lengths(&self) -> [usize; LINES] {
        let scale = SIZE_SCALE_MIN + (SIZE_SCALE_MAX - SIZE_SCALE_MIN) * self.size;
        let max = self.lines[0].max_delay() - 2;
        let mut out = [0usize; LINES];
        for i in 0..LINES {
            let mut n =
                ((BASE_MS[i] * scale * self.rate as f64 / 1000.0).round() as usize).clamp(2, max);
            while (!is_prime(n) || out[..i].contains(&n)) && n < max {
                n += 1;
            }
            out[i] = n;
        }
        out
    }

    /// Recomputes each line's feedback gain and damping pole from its target length.
    fn update_loop(&mut self) {
        let rate = self.rate as f64;
        let decay = self.decay_s.max(0.01);
        let hf_decay = decay * (1.0 - (1.0 - HF_RATIO_AT_FULL_DAMPING) * self.damping);
        for i in 0..LINES {
            let len = self.target[i] as f64;
            let g = 10f64.powf(-3.0 * len / (rate * decay));
            self.gain[i].set_target(g as f32);
            // Extra loss at Nyquist: the one-pole's gain there is (1 − b)/(1 + b) = r.
            let r = 10f64
                .powf(-3.0 * len / rate * (1.0 / hf_decay - 1.0 / decay))
                .max(1e-3);
            self.pole[i] = ((1.0 - r) / (1.0 + r)) as f32;
        }
        // An allpass rings down by g per pass; for short decays its own tail would outlast
        // the network's, so its RT60 is held to at most half of `decay_s`.
        for ap in self.diffusers.iter_mut().flatten() {
            let cap = 10f64.powf(-3.0 * ap.len as f64 / (rate * 0.5 * decay));
            ap.g = ap.base_g.min(cap as f32);
        }
    }

    /// Broadband RT60 in seconds (0.1 … 30). Called on the audio thread.
    pub fn set_decay_s(&mut self, s: f64) {
        self.decay_s = if s.is_finite() {
            s.clamp(0.05, 60.0)
        } else {
            2.0
        };
        self.update_loop();
    }

    /// Pre-delay in ms (0 … 500). Glides. Called on the audio thread.
    pub fn set_predelay_ms(&mut self, ms: f64) {
        let ms = if ms.is_finite() {
            ms.clamp(0.0, MAX_PREDELAY_MS)
        } else {
            0.0
        };
        // Read after the push: a delay of d samples is tap d + 1.
        self.predelay_len
            .set_target((ms * self.rate as f64 / 1000.0).round() as f32 + 1.0);
    }

    /// Room size 0 … 1: the line lengths (they glide). Called on the audio thread.
    pub fn set_size(&mut self, size: f64) {
        self.size = if size.is_finite() {
            size.clamp(0.0, 1.0)
        } else {
            0.5
        };
        self.target = self.lengths();
        for (s, t) in self.len.iter_mut().zip(self.target) {
            s.set_target(t as f32);
        }
        let shortest_diffuser = self.diffusers.iter().flatten().map(|ap| ap.len).min();
        let shortest_line = self.target.iter().copied().min();
        self.run = [shortest_diffuser, shortest_line]
            .into_iter()
            .flatten()
            .fold(RUN, usize::min)
            .max(1);
        self.update_loop();
    }

    /// Damping 0 … 1: how much sooner high frequencies die. Called on the audio thread.
    pub fn set_damping(&mut self, d: f64) {
        self.damping = if d.is_finite() {
            d.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.update_loop();
    }

    /// Stereo width of the wet signal, 0 (mono) … 1. Called on the audio thread.
    pub fn set_width(&mut self, w: f32) {
        self.width.set_target(w.clamp(0.0, 1.0));
    }

    /// Wet share 0 … 1 (0 leaves the input bit-identical). Called on the audio thread.
    pub fn set_mix(&mut self, m: f32) {
        self.mix.set_target(m.clamp(0.0, 1.0));
    }

    /// The line lengths in samples once the size glide has ended.
    pub fn line_lengths(&self) -> [usize; LINES] {
        self.target
    }

    /// One stereo sample of wet signal.
    #[inline]
    fn wet(&mut self, l: f32, r: f32) -> (f32, f32) {
        self.predelay[0].push(l);
        self.predelay[1].push(r);
        let pd = self.predelay_len.next();
        let mut a = self.predelay[0].read(pd);
        let mut b = self.predelay[1].read(pd);
        for ap in &mut self.diffusers[0] {
            a = ap.process(a);
        }
        for ap in &mut self.diffusers[1] {
            b = ap.process(b);
        }
        let mut v = [0.0f32; LINES];
        let mut out = [0.0f32; LINES];
        for i in 0..LINES {
            let o = self.lines[i].read(self.len[i].next());
            out[i] = o;
            let p = self.pole[i];
            self.lp[i] = flush_denormal((1.0 - p) * o + p * self.lp[i]);
            v[i] = self.lp[i] * self.gain[i].next();
        }
        hadamard(&mut v);
        for (i, (line, x)) in self.lines.iter_mut().zip(v).enumerate() {
            let input = if i % 2 == 0 { a } else { b };
            line.push(flush_denormal(x + input));
        }
        let wl = (out[0] + out[2] - out[4] - out[6]) * OUT_GAIN;
        let wr = (out[1] - out[3] + out[5] - out[7]) * OUT_GAIN;
        let w = self.width.next();
        let mid = 0.5 * (wl + wr);
        let side = 0.5 * (wl - wr) * w;
        (mid + side, mid - side)
    }

    /// Processes a stereo block in place. Called on the audio thread.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        let mut i = 0;
        while i < n {
            if self.steady() {
                let run = (n - i).min(self.run);
                self.process_run(&mut left[i..i + run], &mut right[i..i + run]);
                i += run;
            } else {
                self.process_sample(&mut left[i], &mut right[i]);
                i += 1;
            }
        }
    }

    /// One stereo sample in place: the definition [`Reverb::process_run`] matches.
    #[inline]
    fn process_sample(&mut self, l: &mut f32, r: &mut f32) {
        let (wl, wr) = self.wet(*l, *r);
        let mix = self.mix.next();
        if mix != 0.0 || self.mix.is_smoothing() {
            *l = *l * (1.0 - mix) + wl * mix;
            *r = *r * (1.0 - mix) + wr * mix;
        }
    }

    /// No line length, loop gain or pre-delay glides: whole-sample taps and fixed gains.
    fn steady(&self) -> bool {
        !self.predelay_len.is_smoothing()
            && !self.len.iter().any(Smoothed::is_smoothing)
            && !self.gain.iter().any(Smoothed::is_smoothing)
    }

    /// A steady run of at most `self.run` samples, a stage at a time.
    fn process_run(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len()).min(self.run).min(RUN);
        let (left, right) = (&mut left[..n], &mut right[..n]);
        // Pre-delay: push the run, then read each sample's tap as it was after its push.
        let pd = self.predelay_len.value() as usize;
        let mut a = [0.0f32; RUN];
        let mut b = [0.0f32; RUN];
        let (a, b) = (&mut a[..n], &mut b[..n]);
        self.predelay[0].push_slice(left);
        self.predelay[1].push_slice(right);
        self.predelay[0].tap_slice(pd + n - 1, a);
        self.predelay[1].tap_slice(pd + n - 1, b);
        for ap in &mut self.diffusers[0] {
            ap.process_run(a);
        }
        for ap in &mut self.diffusers[1] {
            ap.process_run(b);
        }
        // The network: the lines' outputs as lanes, one `[f32; LINES]` per sample.
        let mut out = [[0.0f32; LINES]; RUN];
        let mut scratch = [0.0f32; RUN];
        for (i, line) in self.lines.iter().enumerate() {
            line.tap_slice(self.target[i], &mut scratch[..n]);
            for (o, x) in out.iter_mut().zip(&scratch[..n]) {
                o[i] = *x;
            }
        }
        let gain = self.gain.each_ref().map(Smoothed::value);
        let mut feed = [[0.0f32; LINES]; RUN];
        network(
            &out[..n],
            a,
            b,
            &self.pole,
            &gain,
            &mut self.lp,
            &mut feed[..n],
        );
        for (i, line) in self.lines.iter_mut().enumerate() {
            for (s, f) in scratch.iter_mut().zip(&feed[..n]) {
                *s = f[i];
            }
            line.push_slice(&scratch[..n]);
        }
        // Output: the same sums, width and mix as `wet` and `process_sample`.
        for ((l, r), o) in left.iter_mut().zip(right.iter_mut()).zip(&out[..n]) {
            let wl = (o[0] + o[2] - o[4] - o[6]) * OUT_GAIN;
            let wr = (o[1] - o[3] + o[5] - o[7]) * OUT_GAIN;
            let w = self.width.next();
            let mid = 0.5 * (wl + wr);
            let side = 0.5 * (wl - wr) * w;
            let (wl, wr) = (mid + side, mid - side);
            let mix = self.mix.next();
            if mix != 0.0 || self.mix.is_smoothing() {
                *l = *l * (1.0 - mix) + wl * mix;
                *r = *r * (1.0 - mix) + wr * mix;
            }
        }
    }

    /// Silences the tail (lines, diffusers, pre-delay) and ends every glide.
    pub fn reset(&mut self) {
        for line in self.lines.iter_mut().chain(self.predelay.iter_mut()) {
            line.reset();
        }
        for ap in self.diffusers.iter_mut().flatten() {
            ap.line.reset();
        }
        self.lp = [0.0; LINES];
        self.settle();
    }
}

/// The network's loop over a run: each line's output `out[t]` through its damping low-pass
/// (state `lp`) and gain, mixed by the Hadamard matrix, plus the diffused input (`a` on the
/// even lines, `b` on the odd) gives what is written to the lines, `feed[t]`. All eight lines
/// are one lane array; the operations are those of [`Reverb::wet`].
#[inline]
// Lane loops: indexing all arrays by line reads as the algebra does.
#[allow(clippy::needless_range_loop)]
fn network(
    out: &[[f32; LINES]],
    a: &[f32],
    b: &[f32],
    pole: &[f32; LINES],
    gain: &[f32; LINES],
    lp: &mut [f32; LINES],
    feed: &mut [[f32; LINES]],
) {
    let mut s = *lp;
    for (((o, f), a), b) in out.iter().zip(feed.iter_mut()).zip(a).zip(b) {
        let mut v = [0.0f32; LINES];
        for i in 0..LINES {
            let p = pole[i];
            s[i] = flush_denormal((1.0 - p) * o[i] + p * s[i]);
            v[i] = s[i] * gain[i];
        }
        hadamard(&mut v);
        for i in 0..LINES {
            let input = if i % 2 == 0 { *a } else { *b };
            f[i] = flush_denormal(v[i] + input);
        }
    }
    *lp = s;
}

/// The 8-point Walsh–Hadamard transform scaled by 1/√8: orthogonal, so energy-preserving.
#[inline]
fn hadamard(v: &mut [f32; LINES]) {
    let mut h = 1;
    while h < LINES {
        let mut i = 0;
        while i < LINES {
            for j in i..i + h {
                let (x, y) = (v[j], v[j + h]);
                v[j] = x + y;
                v[j + h] = x - y;
            }
            i += 2 * h;
        }
        h *= 2;
    }
    let s = 1.0 / (LINES as f32).sqrt();
    v.iter_mut().for_each(|x| *x *= s);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hadamard_keeps_energy() {
        let mut v = [1.0, -2.0, 0.5, 3.0, 0.0, 0.25, -1.0, 2.0];
        let e0: f32 = v.iter().map(|x| x * x).sum();
        hadamard(&mut v);
        let e1: f32 = v.iter().map(|x| x * x).sum();
        assert!((e0 - e1).abs() < 1e-4, "{e0} {e1}");
    }

    #[test]
    fn lengths_are_distinct_primes_that_grow_with_size() {
        let mut r = Reverb::new(48_000);
        r.set_size(0.0);
        let small = r.line_lengths();
        r.set_size(1.0);
        let big = r.line_lengths();
        for l in [small, big] {
            for (i, a) in l.iter().enumerate() {
                assert!(is_prime(*a), "{a}");
                assert!(!l[..i].contains(a));
            }
        }
        assert!(big.iter().zip(&small).all(|(b, s)| b > s));
        // 31.7 ms × 0.3 at 48 kHz is 456.5 samples: the next prime is 457.
        assert_eq!(small[0], 457);
    }

    #[test]
    #[allow(clippy::needless_range_loop)]
    fn runs_give_the_output_of_one_sample_at_a_time() {
        let n = 30_000;
        let mut noise = crate::dsp::Noise::new(3);
        let x: Vec<f32> = (0..n).map(|_| noise.next()).collect();
        let y: Vec<f32> = (0..n).map(|_| noise.next() * 0.5).collect();
        // Whole-sample glides change the size and decay halfway through.
        let change = |r: &mut Reverb| {
            r.set_size(0.9);
            r.set_decay_s(3.0);
            r.set_predelay_ms(7.5);
            r.set_width(0.4);
        };
        for (rate, block) in [(48_000, 256), (8_000, 100), (44_100, 1)] {
            let mut runs = Reverb::new(rate);
            runs.set_mix(1.0);
            runs.set_damping(0.6);
            runs.reset();
            let mut one = runs.clone();
            let (mut l, mut r) = (x.clone(), y.clone());
            let (mut l1, mut r1) = (x.clone(), y.clone());
            let half = n / 2;
            for (from, to) in [(0, half), (half, n)] {
                if from > 0 {
                    change(&mut runs);
                    change(&mut one);
                }
                for (l, r) in l[from..to]
                    .chunks_mut(block)
                    .zip(r[from..to].chunks_mut(block))
                {
                    runs.process(l, r);
                }
                for i in from..to {
                    one.process_sample(&mut l1[i], &mut r1[i]);
                }
            }
            assert!(l.iter().any(|v| v.abs() > 0.01));
            for i in 0..n {
                assert!(
                    l[i] == l1[i] && r[i] == r1[i],
                    "{rate} Hz, block {block}, at {i}"
                );
            }
        }
    }

    #[test]
    fn a_run_never_outreaches_the_shortest_delay() {
        for rate in [8_000, 22_050, 48_000, 192_000] {
            let mut r = Reverb::new(rate);
            for size in [0.0, 0.5, 1.0] {
                r.set_size(size);
                let shortest = r.diffusers.iter().flatten().map(|ap| ap.len);
                let shortest = shortest.chain(r.target).min().unwrap_or(0);
                assert_eq!(r.run, shortest.min(RUN), "{rate} Hz, size {size}");
            }
        }
        // 3.37 ms at 8 kHz is 27 samples: the runs there are 27 long.
        assert_eq!(Reverb::new(8_000).run, 27);
    }

    #[test]
    fn every_loop_gain_is_below_one() {
        let mut r = Reverb::new(44_100);
        for (d, s, dm) in [(30.0, 1.0, 0.0), (0.1, 0.0, 1.0), (30.0, 0.0, 1.0)] {
            r.set_decay_s(d);
            r.set_size(s);
            r.set_damping(dm);
            for i in 0..LINES {
                assert!(r.gain[i].target() < 1.0 && r.gain[i].target() > 0.0);
                assert!(r.pole[i] >= 0.0 && r.pole[i] < 1.0);
            }
        }
    }
}
