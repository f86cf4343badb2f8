//! Delay lines and the echo effect. [`DelayLine`] is the crate's one ring buffer of past
//! samples (the reverb's network, its pre-delay and the limiter's lookahead use it too);
//! [`Delay`] is the stereo echo: a time in ms or a note value at the tempo, feedback through
//! low-cut/high-cut filters, ping-pong, dry/wet. Buffers are allocated in `new` only; nothing
//! here allocates, locks or panics per sample.

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

    /// Silences the line.
    pub fn reset(&mut self) {
        self.buf.iter_mut().for_each(|x| *x = 0.0);
    }
}

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
                f.set(BiquadKind::Highpass, self.rate, self.lowcut_hz, 0.7071, 0.0);
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
                f.set(BiquadKind::Lowpass, self.rate, self.highcut_hz, 0.7071, 0.0);
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
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
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
