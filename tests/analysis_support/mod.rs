//! Test signals for the analysis tests, generated from their published definitions.
#![allow(dead_code)]

use std::f64::consts::TAU;
use std::path::Path;

/// A 1 kHz sine (continuous phase) through `segments` of (dBFS peak, seconds), the same on
/// every one of `channels` channels, interleaved.
pub fn sine_segments(segments: &[(f64, f64)], rate: u32, channels: usize) -> Vec<f32> {
    tone_segments(1000.0, segments, rate, channels)
}

/// Like `sine_segments` at any frequency.
pub fn tone_segments(freq: f64, segments: &[(f64, f64)], rate: u32, channels: usize) -> Vec<f32> {
    let mut out = Vec::new();
    let mut n = 0u64;
    for &(dbfs, seconds) in segments {
        let a = 10f64.powf(dbfs / 20.0);
        let frames = (seconds * f64::from(rate)).round() as u64;
        for _ in 0..frames {
            let v = (a * (TAU * freq * n as f64 / f64::from(rate)).sin()) as f32;
            out.extend(std::iter::repeat_n(v, channels));
            n += 1;
        }
    }
    out
}

/// Interleaves per-channel buffers (all the same length).
pub fn interleave(chans: &[Vec<f32>]) -> Vec<f32> {
    let n = chans[0].len();
    let mut out = Vec::with_capacity(n * chans.len());
    for i in 0..n {
        for c in chans {
            out.push(c[i]);
        }
    }
    out
}

/// A deterministic white-noise generator (xorshift), values in [-1, 1).
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Self {
        Noise(seed.max(1))
    }
    pub fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 / (1u64 << 23) as f32) - 1.0
    }
}

/// Writes interleaved f32 samples as a 32-bit float WAV.
pub fn write_wav_f32(path: &Path, samples: &[f32], rate: u32, channels: u16) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for s in samples {
        w.write_sample(*s).unwrap();
    }
    w.finalize().unwrap();
}

/// Writes interleaved f32 samples as a 16-bit PCM WAV (clamped).
pub fn write_wav_i16(path: &Path, samples: &[f32], rate: u32, channels: u16) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for s in samples {
        w.write_sample((s.clamp(-1.0, 1.0) * 32767.0).round() as i16)
            .unwrap();
    }
    w.finalize().unwrap();
}

/// Drum sounds and patterns, mono, for tempo tests.
pub mod drums {
    use super::Noise;
    use std::f32::consts::TAU;

    /// Adds `sound(i)` for `len` samples at `at`.
    fn add(buf: &mut [f32], at: usize, len: usize, mut sound: impl FnMut(usize) -> f32) {
        for i in 0..len.min(buf.len().saturating_sub(at)) {
            buf[at + i] += sound(i);
        }
    }

    pub fn kick(buf: &mut [f32], at: usize, rate: f32, gain: f32) {
        let mut phase = 0.0f32;
        add(buf, at, (rate * 0.35) as usize, |i| {
            let t = i as f32 / rate;
            let f = 50.0 + 100.0 * (-t / 0.04).exp();
            phase += TAU * f / rate;
            gain * phase.sin() * (-t / 0.12).exp()
        });
    }

    pub fn snare(buf: &mut [f32], at: usize, rate: f32, gain: f32, noise: &mut Noise) {
        add(buf, at, (rate * 0.25) as usize, |i| {
            let t = i as f32 / rate;
            let tone = (TAU * 190.0 * t).sin() * (-t / 0.05).exp();
            gain * (0.5 * tone + 0.6 * noise.next() * (-t / 0.07).exp())
        });
    }

    pub fn hat(buf: &mut [f32], at: usize, rate: f32, gain: f32, noise: &mut Noise) {
        let mut prev = 0.0f32;
        add(buf, at, (rate * 0.06) as usize, |i| {
            let t = i as f32 / rate;
            let n = noise.next();
            // A first difference is a crude high-pass: hats have little low end.
            let hp = n - prev;
            prev = n;
            gain * 0.5 * hp * (-t / 0.015).exp()
        });
    }

    /// A rock beat: kick on 1 and 3 (and the "and" of 3), snare on 2 and 4, hats on 8ths.
    pub fn rock(bpm: f64, seconds: f64, rate: u32) -> Vec<f32> {
        let r = rate as f32;
        let n = (seconds * f64::from(rate)) as usize;
        let mut buf = vec![0.0f32; n];
        let mut noise = Noise::new(7);
        let eighth = 30.0 / bpm * f64::from(rate);
        let mut k = 0usize;
        loop {
            let at = (k as f64 * eighth).round() as usize;
            if at >= n {
                break;
            }
            let pos = k % 8; // eighths in a 4/4 bar
            hat(
                &mut buf,
                at,
                r,
                if pos % 2 == 0 { 0.35 } else { 0.25 },
                &mut noise,
            );
            match pos {
                0 | 4 | 5 => kick(&mut buf, at, r, 0.8),
                2 | 6 => snare(&mut buf, at, r, 0.6, &mut noise),
                _ => {}
            }
            k += 1;
        }
        buf
    }

    /// A slow beat: kick on 1 and 3, snare on 2 and 4, hi-hat on every beat.
    pub fn ballad(bpm: f64, seconds: f64, rate: u32) -> Vec<f32> {
        let r = rate as f32;
        let n = (seconds * f64::from(rate)) as usize;
        let mut buf = vec![0.0f32; n];
        let mut noise = Noise::new(5);
        let beat = 60.0 / bpm * f64::from(rate);
        let mut k = 0usize;
        loop {
            let at = (k as f64 * beat).round() as usize;
            if at >= n {
                break;
            }
            hat(&mut buf, at, r, 0.3, &mut noise);
            if k % 2 == 0 {
                kick(&mut buf, at, r, 0.8);
            } else {
                snare(&mut buf, at, r, 0.6, &mut noise);
            }
            k += 1;
        }
        buf
    }

    /// Four on the floor: kick every beat, off-beat open hats, clap on 2 and 4.
    pub fn house(bpm: f64, seconds: f64, rate: u32) -> Vec<f32> {
        let r = rate as f32;
        let n = (seconds * f64::from(rate)) as usize;
        let mut buf = vec![0.0f32; n];
        let mut noise = Noise::new(11);
        let eighth = 30.0 / bpm * f64::from(rate);
        let mut k = 0usize;
        loop {
            let at = (k as f64 * eighth).round() as usize;
            if at >= n {
                break;
            }
            if k % 2 == 0 {
                kick(&mut buf, at, r, 0.9);
                if k % 4 == 2 {
                    snare(&mut buf, at, r, 0.4, &mut noise);
                }
            } else {
                hat(&mut buf, at, r, 0.4, &mut noise);
            }
            k += 1;
        }
        buf
    }

    /// A full mix: the rock beat plus a bass line on the beats and a sustained pad chord
    /// changing every bar.
    pub fn full_mix(bpm: f64, seconds: f64, rate: u32) -> Vec<f32> {
        let mut buf = rock(bpm, seconds, rate);
        let r = f64::from(rate);
        let beat = 60.0 / bpm;
        let roots = [55.0, 43.65, 48.99, 41.2];
        for (i, v) in buf.iter_mut().enumerate() {
            let t = i as f64 / r;
            let b = (t / beat).floor();
            let bar = (b / 4.0).floor() as usize;
            let root = roots[bar % 4];
            let in_beat = t - b * beat;
            let bass = (std::f64::consts::TAU * root * t).sin() * (-in_beat / 0.25).exp() * 0.3;
            let pad: f64 = [2.0, 2.5, 3.0]
                .iter()
                .map(|m| (std::f64::consts::TAU * root * 2.0 * m * t).sin())
                .sum::<f64>()
                * 0.04;
            *v += (bass + pad) as f32;
        }
        buf
    }

    /// Sparse material: a soft plucked note on beats 1, 2 and 3 of each bar, a rest on 4,
    /// and a whole bar of rest every fourth bar; nothing else.
    pub fn sparse(bpm: f64, seconds: f64, rate: u32) -> Vec<f32> {
        let n = (seconds * f64::from(rate)) as usize;
        let mut buf = vec![0.0f32; n];
        let beat = 60.0 / bpm * f64::from(rate);
        let pitches = [220.0f32, 261.6, 329.6, 196.0];
        let mut k = 0usize;
        loop {
            let at = (k as f64 * beat).round() as usize;
            if at >= n {
                break;
            }
            if k % 4 != 3 && (k / 4) % 4 != 3 {
                let f = pitches[k % 4];
                let r = rate as f32;
                add(&mut buf, at, (r * 0.8) as usize, |i| {
                    let t = i as f32 / r;
                    ((TAU * f * t).sin() + 0.3 * (TAU * 2.0 * f * t).sin()) * 0.4 * (-t / 0.3).exp()
                });
            }
            k += 1;
        }
        buf
    }

    /// A click track: a short 2 kHz blip every beat, accented on the bar.
    pub fn clicks(bpm: f64, seconds: f64, rate: u32) -> Vec<f32> {
        let n = (seconds * f64::from(rate)) as usize;
        let mut buf = vec![0.0f32; n];
        let beat = 60.0 / bpm * f64::from(rate);
        let r = rate as f32;
        let mut k = 0usize;
        loop {
            let at = (k as f64 * beat).round() as usize;
            if at >= n {
                break;
            }
            let (f, g) = if k % 4 == 0 {
                (2000.0, 0.6)
            } else {
                (1500.0, 0.4)
            };
            add(&mut buf, at, (r * 0.03) as usize, |i| {
                let t = i as f32 / r;
                g * (TAU * f * t).sin() * (-t / 0.005).exp()
            });
            k += 1;
        }
        buf
    }
}
