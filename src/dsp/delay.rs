//! Delay lines and the echo effect. [`DelayLine`] is the crate's one ring buffer of past
//! samples (the reverb's network, its pre-delay and the limiter's lookahead use it too);
//! [`Delay`] is the stereo echo: a time in ms or a note value at the tempo, feedback through
//! low-cut/high-cut filters, ping-pong, dry/wet. Buffers are allocated in `new` only; nothing
//! here allocates, locks or panics per sample.
//!
//! Lines are read and written a run at a time ([`DelayLine::tap_slice`],
//! [`DelayLine::push_slice`]): the wrap is found once per run, not masked per sample, and a
//! loop whose delay is at least the run's length reads only the past, so its arithmetic
//! vectorises across the run. The echo runs that way whenever no glide is in progress and
//! falls back to one sample at a time while the time crossfades or a parameter glides.

use super::{flush_denormal, Biquad, BiquadKind, Smoothed};

/// A ring buffer of the last samples written, read back at a whole or fractional delay.
#[derive(Clone, Debug)]
pub struct DelayLine {
    buf: Vec<f32>,
    /// `buf.len() - 1`; the length is a power of two so wrapping is a mask.
    mask: usize,
    /// Where the next sample goes.
    write: usize,
}

impl DelayLine {
    /// A line that can delay by up to `max_delay` samples (allocates; not for the audio thread).
    pub fn new(max_delay: usize) -> DelayLine {
        let len = (max_delay + 2).next_power_of_two();
        DelayLine {
            buf: vec![0.0; len],
            mask: len - 1,
            write: 0,
        }
    }

    /// The longest delay [`DelayLine::tap`] and [`DelayLine::read`] can give.
    pub fn max_delay(&self) -> usize {
        self.buf.len() - 2
    }

    /// Appends one sample. Called on the audio thread.
    #[inline]
    pub fn push(&mut self, x: f32) {
        self.buf[self.write] = x;
        self.write = (self.write + 1) & self.mask;
    }

    /// The sample pushed `delay` pushes ago, the last one counting as 1: read before pushing,
    /// `tap(d)` is the input `d` samples back (clamped to the line's length).
    /// Called on the audio thread.
    #[inline]
    pub fn tap(&self, delay: usize) -> f32 {
        let d = delay.min(self.buf.len() - 1);
        self.buf[self.write.wrapping_sub(d) & self.mask]
    }

    /// The signal `delay` samples ago by linear interpolation between the neighbouring taps
    /// (as [`DelayLine::tap`] counts; whole delays read exactly). Called on the audio thread.
    #[inline]
    pub fn read(&self, delay: f32) -> f32 {
        let d = delay.clamp(0.0, (self.buf.len() - 2) as f32);
        let whole = d as usize;
        let frac = d - whole as f32;
        let a = self.tap(whole);
        let b = self.tap(whole + 1);
        a + frac * (b - a)
    }

    /// Appends `xs` in order, as many [`DelayLine::push`] calls would. Called on the audio
    /// thread.
    pub fn push_slice(&mut self, mut xs: &[f32]) {
        while !xs.is_empty() {
            let run = (self.buf.len() - self.write).min(xs.len());
            self.buf[self.write..self.write + run].copy_from_slice(&xs[..run]);
            self.write = (self.write + run) & self.mask;
            xs = &xs[run..];
        }
    }

    /// Fills `out` with the run that starts `delay` pushes back: `out[k]` is
    /// `tap(delay − k)`, so read before pushing a block of `out.len()` samples it is what
    /// `tap(delay)` gives before each of their pushes (the run must lie in the past:
    /// `out.len() ≤ delay`), and read after pushing `n` samples, `tap_slice(d + n − 1, …)`
    /// gives what `tap(d)` gave after each push. `delay` is clamped like [`DelayLine::tap`].
    /// Called on the audio thread.
    pub fn tap_slice(&self, delay: usize, mut out: &mut [f32]) {
        let d = delay.min(self.buf.len() - 1);
        let mut pos = self.write.wrapping_sub(d) & self.mask;
        while !out.is_empty() {
            let run = (self.buf.len() - pos).min(out.len());
            out[..run].copy_from_slice(&self.buf[pos..pos + run]);
            pos = (pos + run) & self.mask;
            out = &mut out[run..];
        }
    }

    /// Silences the line.
    pub fn reset(&mut self) {
        self.buf.iter_mut().for_each(|x| *x = 0.0);
    }
}

/// The longest run [`Delay`] (and the reverb) processes at once: the size of their
/// stack scratch arrays.
pub(super) const RUN: usize = 64;

/// The longest echo, in seconds: the buffer's size. Note values longer than this at a slow
/// tempo are clamped to it.
pub const MAX_DELAY_S: f64 = 4.0;
/// How long a change of time crossfades from the old tap to the new one.
const TIME_FADE_S: f32 = 0.03;
/// Glide time of feedback and mix.
const GLIDE_S: f32 = 0.02;

/// Stereo echo. With feedback 0 and mix 1 an impulse comes out exactly `time` later, once.
#[derive(Clone, Debug)]
pub struct Delay {
    rate: u32,
    lines: [DelayLine; 2],
    time_ms: f64,
    /// The time as beats (0: use `time_ms`).
    beats: f64,
    bpm: f64,
    /// The tap being read (samples).
    current: usize,
    /// The tap being faded to, and how far the fade is (0 → 1).
    next: usize,
    fade: f32,
    fade_step: f32,
    /// Where the tap should end up; taken up when the running fade ends.
    wanted: usize,
    feedback: Smoothed,
    mix: Smoothed,
    lowcut_hz: f32,
    highcut_hz: f32,
    lowcut: [Biquad; 2],
    highcut: [Biquad; 2],
    pingpong: bool,
}

impl Delay {
    /// A delay at `rate` with its registry defaults' shape: 375 ms, feedback 0.35, mix 0.35,
    /// filters off, tempo 120 BPM. Allocates the 4 s lines.
    pub fn new(rate: u32) -> Delay {
        let rate = rate.max(1);
        let max = (MAX_DELAY_S * rate as f64).ceil() as usize;
        let mut d = Delay {
            rate,
            lines: [DelayLine::new(max), DelayLine::new(max)],
            time_ms: 375.0,
            beats: 0.0,
            bpm: 120.0,
            current: 1,
            next: 1,
            fade: 1.0,
            fade_step: 1.0 / (TIME_FADE_S * rate as f32).max(1.0),
            wanted: 1,
            feedback: Smoothed::new(0.35, rate, GLIDE_S),
            mix: Smoothed::new(0.35, rate, GLIDE_S),
            lowcut_hz: 0.0,
            highcut_hz: 0.0,
            lowcut: [Biquad::identity(), Biquad::identity()],
            highcut: [Biquad::identity(), Biquad::identity()],
            pingpong: false,
        };
        let t = d.target_samples();
        d.current = t;
        d.next = t;
        d.wanted = t;
        d
    }

    /// The echo time in samples the parameters ask for, clamped to 1 … the buffer.
    fn target_samples(&self) -> usize {
        let s = if self.beats > 0.0 {
            self.beats * 60.0 / self.bpm.max(1.0)
        } else {
            self.time_ms / 1000.0
        };
        let n = (s.clamp(0.0, MAX_DELAY_S) * self.rate as f64).round();
        (n as usize).clamp(1, self.lines[0].max_delay())
    }

    fn retime(&mut self) {
        self.wanted = self.target_samples();
    }

    /// The echo time in ms (used when no note value is set). Glides. Called on the audio thread.
    pub fn set_time_ms(&mut self, ms: f64) {
        self.time_ms = if ms.is_finite() { ms } else { 0.0 };
        self.retime();
    }

    /// The echo time as beats (quarter notes) at the tempo; 0 uses the time in ms.
    /// Called on the audio thread.
    pub fn set_beats(&mut self, beats: f64) {
        self.beats = if beats.is_finite() {
            beats.max(0.0)
        } else {
            0.0
        };
        self.retime();
    }

    /// The tempo in BPM, for note values. Called on the audio thread.
    pub fn set_tempo(&mut self, bpm: f64) {
        if bpm.is_finite() && bpm > 0.0 {
            self.bpm = bpm;
            self.retime();
        }
    }

    /// The echo time now in samples (the target once a glide has ended).
    pub fn time_samples(&self) -> usize {
        self.wanted
    }

    /// The share fed back, 0 … 0.99. Called on the audio thread.
    pub fn set_feedback(&mut self, fb: f32) {
        self.feedback.set_target(fb.clamp(0.0, 0.99));
    }

    /// The loop's high-pass corner in Hz (0: off). Called on the audio thread.
    pub fn set_lowcut(&mut self, hz: f32) {
        self.lowcut_hz = hz.max(0.0);
        if self.lowcut_hz > 0.0 {
            for f in &mut self.lowcut {
                f.set(
                    BiquadKind::Highpass,
                    self.rate,
                    self.lowcut_hz,
                    std::f32::consts::FRAC_1_SQRT_2,
                    0.0,
                );
            }
        }
    }

    /// The loop's low-pass corner in Hz (0 or at/above Nyquist: off). Called on the audio
    /// thread.
    pub fn set_highcut(&mut self, hz: f32) {
        self.highcut_hz = if hz >= 0.49 * self.rate as f32 {
            0.0
        } else {
            hz.max(0.0)
        };
        if self.highcut_hz > 0.0 {
            for f in &mut self.highcut {
                f.set(
                    BiquadKind::Lowpass,
                    self.rate,
                    self.highcut_hz,
                    std::f32::consts::FRAC_1_SQRT_2,
                    0.0,
                );
            }
        }
    }

    /// Ping-pong: the input (summed to mono) starts on the left and each echo crosses to the
    /// other side. Called on the audio thread.
    pub fn set_pingpong(&mut self, on: bool) {
        self.pingpong = on;
    }

    /// The wet share, 0 … 1 (0 leaves the input bit-identical). Called on the audio thread.
    pub fn set_mix(&mut self, mix: f32) {
        self.mix.set_target(mix.clamp(0.0, 1.0));
    }

    /// Reads both lines at the current tap, crossfading to the next one while a time change
    /// runs (no pitch bend, no click).
    #[inline]
    fn read_tap(&mut self) -> (f32, f32) {
        if self.fade >= 1.0 {
            if self.wanted != self.current {
                self.next = self.wanted;
                self.fade = 0.0;
            } else {
                return (
                    self.lines[0].tap(self.current),
                    self.lines[1].tap(self.current),
                );
            }
        }
        self.fade = (self.fade + self.fade_step).min(1.0);
        let f = self.fade;
        let l = self.lines[0].tap(self.current) * (1.0 - f) + self.lines[0].tap(self.next) * f;
        let r = self.lines[1].tap(self.current) * (1.0 - f) + self.lines[1].tap(self.next) * f;
        if f >= 1.0 {
            self.current = self.next;
        }
        (l, r)
    }

    #[inline]
    fn filter(&mut self, ch: usize, x: f32) -> f32 {
        let mut y = x;
        if self.lowcut_hz > 0.0 {
            y = self.lowcut[ch].process(y);
        }
        if self.highcut_hz > 0.0 {
            y = self.highcut[ch].process(y);
        }
        y
    }

    /// Processes a stereo block in place. Called on the audio thread.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        let mut i = 0;
        while i < n {
            if self.steady() {
                // A run no longer than the echo reads only samples written before it.
                let run = (n - i).min(RUN).min(self.current);
                self.process_run(&mut left[i..i + run], &mut right[i..i + run]);
                i += run;
            } else {
                self.process_sample(&mut left[i], &mut right[i]);
                i += 1;
            }
        }
    }

    /// No time crossfade and no glide: every sample of a run uses the same tap and gains.
    fn steady(&self) -> bool {
        self.fade >= 1.0
            && self.wanted == self.current
            && !self.feedback.is_smoothing()
            && !self.mix.is_smoothing()
    }

    /// One sample: the definition the runs must match.
    #[inline]
    fn process_sample(&mut self, l: &mut f32, r: &mut f32) {
        let (wl, wr) = self.read_tap();
        let fb = self.feedback.next();
        let mix = self.mix.next();
        let (in_l, in_r) = if self.pingpong {
            (0.5 * (*l + *r) + fb * wr, fb * wl)
        } else {
            (*l + fb * wl, *r + fb * wr)
        };
        let in_l = flush_denormal(self.filter(0, in_l));
        let in_r = flush_denormal(self.filter(1, in_r));
        self.lines[0].push(in_l);
        self.lines[1].push(in_r);
        if mix != 0.0 || self.mix.is_smoothing() {
            *l = *l * (1.0 - mix) + wl * mix;
            *r = *r * (1.0 - mix) + wr * mix;
        }
    }

    /// A steady run of at most `min(RUN, current)` samples: the same arithmetic as
    /// [`Delay::process_sample`], a stage at a time over the run.
    // Indexed loops over equal-length runs: bounds-checked once, they vectorise.
    #[allow(clippy::needless_range_loop)]
    fn process_run(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len()).min(RUN);
        let (left, right) = (&mut left[..n], &mut right[..n]);
        let mut wl = [0.0f32; RUN];
        let mut wr = [0.0f32; RUN];
        let (wl, wr) = (&mut wl[..n], &mut wr[..n]);
        self.lines[0].tap_slice(self.current, wl);
        self.lines[1].tap_slice(self.current, wr);
        let fb = self.feedback.value();
        let mut il = [0.0f32; RUN];
        let mut ir = [0.0f32; RUN];
        let (il, ir) = (&mut il[..n], &mut ir[..n]);
        if self.pingpong {
            for k in 0..n {
                il[k] = 0.5 * (left[k] + right[k]) + fb * wr[k];
                ir[k] = fb * wl[k];
            }
        } else {
            for k in 0..n {
                il[k] = left[k] + fb * wl[k];
                ir[k] = right[k] + fb * wr[k];
            }
        }
        for (ch, buf) in [&mut *il, &mut *ir].into_iter().enumerate() {
            if self.lowcut_hz > 0.0 {
                self.lowcut[ch].process_block(buf);
            }
            if self.highcut_hz > 0.0 {
                self.highcut[ch].process_block(buf);
            }
            buf.iter_mut().for_each(|x| *x = flush_denormal(*x));
        }
        self.lines[0].push_slice(il);
        self.lines[1].push_slice(ir);
        let mix = self.mix.value();
        if mix != 0.0 {
            for k in 0..n {
                left[k] = left[k] * (1.0 - mix) + wl[k] * mix;
                right[k] = right[k] * (1.0 - mix) + wr[k] * mix;
            }
        }
    }

    /// Silences the lines and filters and ends every glide (a hard seek).
    pub fn reset(&mut self) {
        self.feedback.set_immediate(self.feedback.target());
        self.mix.set_immediate(self.mix.target());
        for line in &mut self.lines {
            line.reset();
        }
        for f in self.lowcut.iter_mut().chain(self.highcut.iter_mut()) {
            f.reset();
        }
        self.current = self.wanted;
        self.next = self.wanted;
        self.fade = 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_taps_and_interpolates() {
        let mut d = DelayLine::new(8);
        for x in [1.0, 2.0, 3.0, 4.0] {
            d.push(x);
        }
        assert_eq!(d.tap(1), 4.0);
        assert_eq!(d.tap(4), 1.0);
        assert_eq!(d.tap(5), 0.0);
        assert_eq!(d.read(2.0), 3.0);
        assert_eq!(d.read(2.25), 2.75);
        assert!(d.max_delay() >= 8);
    }

    #[test]
    fn slices_push_and_tap_as_single_samples_do() {
        let mut a = DelayLine::new(20);
        let mut b = DelayLine::new(20);
        let xs: Vec<f32> = (1..=100).map(|i| i as f32).collect();
        // Runs of 7 across the ring's end (32 long) several times.
        for chunk in xs.chunks(7) {
            let mut before = [0.0f32; 7];
            b.tap_slice(9, &mut before[..chunk.len()]);
            for (k, x) in chunk.iter().enumerate() {
                assert_eq!(before[k], a.tap(9), "before {x}");
                a.push(*x);
            }
            b.push_slice(chunk);
            let mut after = [0.0f32; 7];
            b.tap_slice(5 + chunk.len() - 1, &mut after[..chunk.len()]);
            for (k, x) in chunk.iter().enumerate() {
                // tap(5) once x had been pushed: the input four samples before it.
                let want = if *x > 4.0 { x - 4.0 } else { 0.0 };
                assert_eq!(after[k], want, "after {x}");
            }
        }
        assert_eq!(a.buf, b.buf);
        assert_eq!(a.write, b.write);
    }

    #[test]
    #[allow(clippy::needless_range_loop)]
    fn runs_give_the_output_of_one_sample_at_a_time() {
        let n = 40_000;
        let mut noise = crate::dsp::Noise::new(11);
        let x: Vec<f32> = (0..n).map(|_| noise.next()).collect();
        let y: Vec<f32> = (0..n).map(|_| noise.next() * 0.3).collect();
        let settings: [&dyn Fn(&mut Delay); 4] = [
            &|d| {
                d.set_time_ms(2.0);
                d.set_feedback(0.7);
            },
            &|d| {
                d.set_pingpong(true);
                d.set_lowcut(200.0);
                d.set_highcut(5000.0);
                d.set_time_ms(37.0);
                d.set_mix(0.8);
            },
            &|d| d.set_beats(0.25),
            &|d| {
                d.set_mix(0.0);
                d.set_time_ms(0.01);
            },
        ];
        for block in [256, 50, 1] {
            let mut runs = Delay::new(48_000);
            let mut one = runs.clone();
            let (mut l, mut r) = (x.clone(), y.clone());
            let (mut l1, mut r1) = (x.clone(), y.clone());
            let part = n / settings.len();
            for (s, set) in settings.iter().enumerate() {
                set(&mut runs);
                set(&mut one);
                let span = s * part..(s + 1) * part;
                for (l, r) in l[span.clone()]
                    .chunks_mut(block)
                    .zip(r[span.clone()].chunks_mut(block))
                {
                    runs.process(l, r);
                }
                for i in span {
                    one.process_sample(&mut l1[i], &mut r1[i]);
                }
            }
            for i in 0..n {
                assert!(l[i] == l1[i] && r[i] == r1[i], "block {block}, at {i}");
            }
        }
    }

    #[test]
    fn echo_lands_on_the_sample_once() {
        let mut d = Delay::new(48_000);
        d.set_time_ms(10.0);
        d.set_feedback(0.0);
        d.set_mix(1.0);
        d.reset();
        let mut l = vec![0.0f32; 2000];
        let mut r = vec![0.0f32; 2000];
        // Let the glides settle on silence.
        d.process(&mut l, &mut r);
        let mut l = vec![0.0f32; 2000];
        let mut r = vec![0.0f32; 2000];
        l[0] = 1.0;
        r[0] = -0.5;
        d.process(&mut l, &mut r);
        for (i, (a, b)) in l.iter().zip(&r).enumerate() {
            let (wa, wb) = if i == 480 { (1.0, -0.5) } else { (0.0, 0.0) };
            assert_eq!((*a, *b), (wa, wb), "sample {i}");
        }
    }
}
