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
            predelay: std::array::from_fn(|_| DelayLine::new(ms(MAX_PREDELAY_MS) + 2)),
            predelay_len: Smoothed::new(1.0, rate, GLIDE_S),
            decay_s: 2.0,
            size: 0.5,
            damping: 0.3,
            width: Smoothed::new(1.0, rate, GLIDE_S),
            mix: Smoothed::new(0.3, rate, GLIDE_S),
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
        for i in 0..LINES {
            let input = if i % 2 == 0 { a } else { b };
            self.lines[i].push(flush_denormal(v[i] + input));
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
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let (wl, wr) = self.wet(*l, *r);
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
