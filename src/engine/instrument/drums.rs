//! A synthesized General MIDI drum kit, so drum tracks sound without a SoundFont. Each GM
//! percussion key (channel 10 map: kick 35/36, snare 38/40, clap 39, hats 42/44/46, toms
//! 41–50, crash 49/57, ride 51/59, ...) gets a recipe of three parts: a tone with a pitch
//! sweep (kicks, toms, snare body), filtered noise (snare wires, clap, shakers) and a
//! "metal" bank of six square waves at the TR-808's inharmonic ratios (hats, cymbals), each
//! with an exponential decay. Hats choke each other, like one real hi-hat. Notes are
//! one-shots: note-off is ignored; voices end when they have decayed.

use super::controls::ChannelState;
use super::{split_at_events, Instrument, NoteEvent};
use crate::dsp::{midi_to_hz, Biquad, BiquadKind, Noise, Oscillator, Waveform};
use std::f32::consts::TAU;

/// The TR-808 cymbal/hat oscillator frequencies (Hz); `metal_scale` transposes them.
const METAL_HZ: [f32; 6] = [205.3, 304.4, 369.6, 522.7, 540.0, 800.0];
/// Choke group of the hi-hats.
const HAT_GROUP: u8 = 1;
/// A voice ends when its summed envelope falls below this (about −80 dB).
const END_LEVEL: f32 = 1.0e-4;

/// One drum sound. Times are 60 dB decay times in seconds.
#[derive(Clone, Copy, Debug)]
struct DrumSpec {
    tone_start: f32,
    tone_end: f32,
    sweep: f32,
    tone_decay: f32,
    tone_level: f32,
    tone2_ratio: f32,
    tone2_level: f32,
    noise_level: f32,
    noise_decay: f32,
    noise_filter: BiquadKind,
    noise_hz: f32,
    noise_q: f32,
    metal_level: f32,
    metal_decay: f32,
    metal_scale: f32,
    metal_hp: f32,
    /// Three quick noise bursts before the decay (hand clap).
    clap: bool,
    choke_group: u8,
    gain: f32,
    pan: f32,
}

const BASE: DrumSpec = DrumSpec {
    tone_start: 0.0,
    tone_end: 0.0,
    sweep: 0.05,
    tone_decay: 0.1,
    tone_level: 0.0,
    tone2_ratio: 1.0,
    tone2_level: 0.0,
    noise_level: 0.0,
    noise_decay: 0.1,
    noise_filter: BiquadKind::Highpass,
    noise_hz: 1000.0,
    noise_q: std::f32::consts::FRAC_1_SQRT_2,
    metal_level: 0.0,
    metal_decay: 0.1,
    metal_scale: 1.0,
    metal_hp: 7000.0,
    clap: false,
    choke_group: 0,
    gain: 0.8,
    pan: 0.0,
};

fn kick(start: f32, end: f32, decay: f32) -> DrumSpec {
    DrumSpec {
        tone_start: start,
        tone_end: end,
        sweep: 0.12,
        tone_decay: decay,
        tone_level: 1.0,
        noise_level: 0.25,
        noise_decay: 0.01,
        noise_filter: BiquadKind::Lowpass,
        noise_hz: 4000.0,
        gain: 0.65,
        ..BASE
    }
}

fn tom(hz: f32, pan: f32) -> DrumSpec {
    DrumSpec {
        tone_start: hz * 1.6,
        tone_end: hz,
        sweep: 0.1,
        tone_decay: 0.55,
        tone_level: 1.0,
        tone2_ratio: 1.5,
        tone2_level: 0.15,
        noise_level: 0.15,
        noise_decay: 0.05,
        noise_filter: BiquadKind::Bandpass,
        noise_hz: hz * 8.0,
        noise_q: 0.8,
        gain: 0.42,
        pan,
        ..BASE
    }
}

fn snare(body: f32, noise_hz: f32, tone_decay: f32, noise_decay: f32) -> DrumSpec {
    DrumSpec {
        tone_start: body * 1.3,
        tone_end: body,
        sweep: 0.04,
        tone_decay,
        tone_level: 0.55,
        tone2_ratio: 1.8,
        tone2_level: 0.35,
        noise_level: 0.8,
        noise_decay,
        noise_filter: BiquadKind::Highpass,
        noise_hz,
        gain: 0.42,
        ..BASE
    }
}

fn hat(decay: f32, level: f32) -> DrumSpec {
    DrumSpec {
        metal_level: level,
        metal_decay: decay,
        noise_level: 0.35 * level,
        noise_decay: decay * 0.8,
        noise_hz: 8000.0,
        choke_group: HAT_GROUP,
        gain: 0.75,
        pan: 0.25,
        ..BASE
    }
}

fn cymbal(decay: f32, scale: f32, hp: f32, pan: f32) -> DrumSpec {
    DrumSpec {
        metal_level: 1.0,
        metal_decay: decay,
        metal_scale: scale,
        metal_hp: hp,
        noise_level: 0.5,
        noise_decay: decay * 0.9,
        noise_hz: hp,
        gain: 0.45,
        pan,
        ..BASE
    }
}

fn ping(hz: f32, decay: f32, ratio: f32, level2: f32) -> DrumSpec {
    DrumSpec {
        tone_start: hz,
        tone_end: hz,
        tone_decay: decay,
        tone_level: 1.0,
        tone2_ratio: ratio,
        tone2_level: level2,
        gain: 0.35,
        ..BASE
    }
}

fn shaker(decay: f32) -> DrumSpec {
    DrumSpec {
        noise_level: 1.0,
        noise_decay: decay,
        noise_hz: 6000.0,
        gain: 0.4,
        pan: -0.2,
        ..BASE
    }
}

/// The recipe for GM percussion key `pitch`.
fn spec_for(pitch: u8) -> DrumSpec {
    match pitch {
        35 => kick(140.0, 42.0, 0.7),
        36 => kick(165.0, 50.0, 0.55),
        37 => DrumSpec {
            noise_level: 0.5,
            noise_decay: 0.03,
            noise_filter: BiquadKind::Bandpass,
            noise_hz: 2000.0,
            noise_q: 1.5,
            ..ping(1700.0, 0.04, 0.47, 0.6)
        },
        38 => snare(185.0, 1500.0, 0.18, 0.3),
        40 => snare(210.0, 2500.0, 0.12, 0.25),
        39 => DrumSpec {
            noise_level: 1.0,
            noise_decay: 0.3,
            noise_filter: BiquadKind::Bandpass,
            noise_hz: 1200.0,
            noise_q: 1.2,
            clap: true,
            gain: 1.1,
            ..BASE
        },
        41 => tom(82.0, -0.35),
        43 => tom(98.0, -0.25),
        45 => tom(110.0, -0.1),
        47 => tom(131.0, 0.05),
        48 => tom(147.0, 0.15),
        50 => tom(175.0, 0.3),
        42 => hat(0.08, 1.0),
        44 => hat(0.06, 0.7),
        46 => hat(0.7, 0.9),
        49 => cymbal(2.0, 1.15, 5000.0, -0.3),
        57 => cymbal(2.2, 1.05, 4500.0, 0.35),
        55 => cymbal(0.9, 1.4, 6000.0, 0.2),
        52 => DrumSpec {
            metal_hp: 3000.0,
            ..cymbal(1.6, 0.9, 3000.0, -0.4)
        },
        51 | 59 => DrumSpec {
            metal_level: 0.9,
            noise_level: 0.2,
            tone_start: 2400.0,
            tone_end: 2400.0,
            tone_decay: 0.8,
            tone_level: 0.05,
            ..cymbal(1.8, 1.6, 6000.0, 0.3)
        },
        53 => DrumSpec {
            tone_start: 750.0,
            tone_end: 750.0,
            tone_decay: 1.4,
            tone_level: 0.5,
            tone2_ratio: 2.4,
            tone2_level: 0.3,
            metal_level: 0.6,
            ..cymbal(1.2, 1.6, 5000.0, 0.3)
        },
        54 => DrumSpec {
            metal_level: 0.5,
            metal_decay: 0.2,
            metal_scale: 2.0,
            ..shaker(0.2)
        },
        56 => DrumSpec {
            noise_level: 0.0,
            ..ping(562.0, 0.35, 1.5, 0.8)
        },
        60 => tom(400.0, 0.3),
        61 => tom(300.0, 0.25),
        62 => DrumSpec {
            tone_decay: 0.1,
            ..tom(330.0, -0.2)
        },
        63 => tom(300.0, -0.2),
        64 => tom(220.0, -0.25),
        65 => DrumSpec {
            noise_level: 0.4,
            noise_decay: 0.2,
            ..tom(500.0, 0.2)
        },
        66 => DrumSpec {
            noise_level: 0.4,
            noise_decay: 0.2,
            ..tom(380.0, 0.15)
        },
        67 => ping(900.0, 0.3, 2.3, 0.4),
        68 => ping(650.0, 0.3, 2.3, 0.4),
        69 | 70 | 82 => shaker(0.07),
        75 => ping(2500.0, 0.06, 1.0, 0.0),
        76 => ping(1800.0, 0.07, 2.6, 0.2),
        77 => ping(1300.0, 0.08, 2.6, 0.2),
        80 => ping(4200.0, 0.12, 1.45, 0.4),
        81 => ping(4200.0, 1.6, 1.45, 0.4),
        // Whistles, guiro, cuica and anything outside the GM map: a short tuned ping.
        p => ping(midi_to_hz(p as f32).clamp(60.0, 6000.0), 0.2, 2.0, 0.2),
    }
}

/// The GM name of percussion key `pitch`, for the UI and tests (`None` outside 35–81).
pub fn drum_name(pitch: u8) -> Option<&'static str> {
    const NAMES: [&str; 47] = [
        "Acoustic Bass Drum",
        "Bass Drum 1",
        "Side Stick",
        "Acoustic Snare",
        "Hand Clap",
        "Electric Snare",
        "Low Floor Tom",
        "Closed Hi-Hat",
        "High Floor Tom",
        "Pedal Hi-Hat",
        "Low Tom",
        "Open Hi-Hat",
        "Low-Mid Tom",
        "Hi-Mid Tom",
        "Crash Cymbal 1",
        "High Tom",
        "Ride Cymbal 1",
        "Chinese Cymbal",
        "Ride Bell",
        "Tambourine",
        "Splash Cymbal",
        "Cowbell",
        "Crash Cymbal 2",
        "Vibraslap",
        "Ride Cymbal 2",
        "Hi Bongo",
        "Low Bongo",
        "Mute Hi Conga",
        "Open Hi Conga",
        "Low Conga",
        "High Timbale",
        "Low Timbale",
        "High Agogo",
        "Low Agogo",
        "Cabasa",
        "Maracas",
        "Short Whistle",
        "Long Whistle",
        "Short Guiro",
        "Long Guiro",
        "Claves",
        "Hi Wood Block",
        "Low Wood Block",
        "Mute Cuica",
        "Open Cuica",
        "Mute Triangle",
        "Open Triangle",
    ];
    pitch
        .checked_sub(35)
        .and_then(|i| NAMES.get(i as usize))
        .copied()
}

/// The per-sample multiplier for a 60 dB fall in `time_s`.
fn decay_coef(time_s: f32, sample_rate: u32) -> f32 {
    let n = time_s * sample_rate as f32;
    if n < 1.0 {
        0.0
    } else {
        (0.001f32.ln() / n).exp()
    }
}

#[derive(Clone, Debug)]
struct DrumVoice {
    active: bool,
    serial: u64,
    spec: DrumSpec,
    phase: f32,
    phase2: f32,
    pitch_env: f32,
    pitch_coef: f32,
    tone_env: f32,
    tone_coef: f32,
    noise: Noise,
    noise_filter: Biquad,
    noise_env: f32,
    noise_coef: f32,
    metal: [Oscillator; 6],
    metal_filter: Biquad,
    metal_env: f32,
    metal_coef: f32,
    /// Samples since the hit (clap bursts).
    age: u32,
    burst_len: u32,
    burst_env: f32,
    burst_coef: f32,
    gain: f32,
    pan_l: f32,
    pan_r: f32,
    channel: u8,
    /// The channel's volume × expression, glided toward the channel's value.
    chan_gain: f32,
}

impl DrumVoice {
    fn new(index: usize) -> DrumVoice {
        let mut seed = Noise::new(0xD00D_0000 ^ (index as u32 + 1));
        let metal = std::array::from_fn(|_| Oscillator::new(Waveform::Square, seed.next().abs()));
        DrumVoice {
            active: false,
            serial: 0,
            spec: BASE,
            phase: 0.0,
            phase2: 0.0,
            pitch_env: 0.0,
            pitch_coef: 0.0,
            tone_env: 0.0,
            tone_coef: 0.0,
            noise: Noise::new(0xBEEF_0000 ^ (index as u32).wrapping_mul(2_654_435_761)),
            noise_filter: Biquad::identity(),
            noise_env: 0.0,
            noise_coef: 0.0,
            metal,
            metal_filter: Biquad::identity(),
            metal_env: 0.0,
            metal_coef: 0.0,
            age: 0,
            burst_len: 1,
            burst_env: 0.0,
            burst_coef: 0.0,
            gain: 0.0,
            pan_l: 1.0,
            pan_r: 1.0,
            channel: 0,
            chan_gain: 1.0,
        }
    }

    fn start(&mut self, spec: DrumSpec, velocity: u8, sr: u32, serial: u64) {
        self.active = true;
        self.serial = serial;
        self.spec = spec;
        self.phase = 0.0;
        self.phase2 = 0.0;
        self.pitch_env = 1.0;
        self.pitch_coef = decay_coef(spec.sweep, sr);
        self.tone_env = 1.0;
        self.tone_coef = decay_coef(spec.tone_decay, sr);
        self.noise_filter
            .set(spec.noise_filter, sr, spec.noise_hz, spec.noise_q, 0.0);
        self.noise_filter.reset();
        self.noise_env = 1.0;
        self.noise_coef = decay_coef(spec.noise_decay, sr);
        for (o, hz) in self.metal.iter_mut().zip(METAL_HZ) {
            o.set_freq(hz * spec.metal_scale, sr);
        }
        self.metal_filter.set(
            BiquadKind::Highpass,
            sr,
            spec.metal_hp,
            std::f32::consts::FRAC_1_SQRT_2,
            0.0,
        );
        self.metal_filter.reset();
        self.metal_env = 1.0;
        self.metal_coef = decay_coef(spec.metal_decay, sr);
        self.age = 0;
        self.burst_len = ((0.011 * sr as f32) as u32).max(1);
        self.burst_env = 1.0;
        self.burst_coef = decay_coef(0.03, sr);
        let v = velocity.min(127) as f32 / 127.0;
        self.gain = spec.gain * (0.1 + 0.9 * v * v);
        let angle = (spec.pan.clamp(-1.0, 1.0) + 1.0) * std::f32::consts::FRAC_PI_4;
        self.pan_l = angle.cos() * std::f32::consts::SQRT_2;
        self.pan_r = angle.sin() * std::f32::consts::SQRT_2;
    }

    /// A choked hat fades within a few milliseconds instead of ringing on.
    fn choke(&mut self, sr: u32) {
        let fast = decay_coef(0.015, sr);
        self.tone_coef = self.tone_coef.min(fast);
        self.noise_coef = self.noise_coef.min(fast);
        self.metal_coef = self.metal_coef.min(fast);
    }

    fn level(&self) -> f32 {
        let s = &self.spec;
        (self.tone_env * s.tone_level
            + self.noise_env * s.noise_level
            + self.metal_env * s.metal_level)
            * self.gain
    }

    /// Adds this voice into `left`/`right` at its channel's gain (glided toward `chan.0` by
    /// `chan.2` per sample) and pan `chan.1`. Called on the audio thread.
    fn render(
        &mut self,
        sr: u32,
        chan: (f32, (f32, f32), f32),
        left: &mut [f32],
        right: &mut [f32],
    ) {
        let s = self.spec;
        let (target, (cl, cr), glide) = chan;
        let (pan_l, pan_r) = (self.pan_l * cl, self.pan_r * cr);
        let inv_sr = 1.0 / sr as f32;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let mut y = 0.0;
            if s.tone_level > 0.0 || s.tone2_level > 0.0 {
                let hz = s.tone_end + (s.tone_start - s.tone_end) * self.pitch_env;
                self.pitch_env *= self.pitch_coef;
                // Cosine: the hit starts at full deflection (the click of a real drum).
                let t = (TAU * self.phase).cos() * s.tone_level
                    + (TAU * self.phase2).cos() * s.tone2_level;
                y += t * self.tone_env;
                self.tone_env *= self.tone_coef;
                self.phase = (self.phase + hz * inv_sr).fract();
                self.phase2 = (self.phase2 + hz * s.tone2_ratio * inv_sr).fract();
            }
            if s.noise_level > 0.0 {
                let n = self.noise_filter.process(self.noise.next());
                let env = if s.clap && self.age < 3 * self.burst_len {
                    if self.age % self.burst_len == 0 {
                        self.burst_env = 1.0;
                    }
                    let e = self.burst_env;
                    self.burst_env *= self.burst_coef;
                    e
                } else {
                    let e = self.noise_env;
                    self.noise_env *= self.noise_coef;
                    e
                };
                y += n * s.noise_level * env;
            }
            if s.metal_level > 0.0 {
                let m: f32 = self.metal.iter_mut().map(|o| o.next()).sum();
                y += self.metal_filter.process(m * (1.0 / 6.0)) * s.metal_level * self.metal_env;
                self.metal_env *= self.metal_coef;
            }
            self.age = self.age.saturating_add(1);
            if self.chan_gain != target {
                self.chan_gain += (target - self.chan_gain) * glide;
                if (self.chan_gain - target).abs() < 1e-6 {
                    self.chan_gain = target;
                }
            }
            let y = y * self.gain * self.chan_gain;
            *l += y * pan_l;
            *r += y * pan_r;
            if self.age > 3 * self.burst_len && self.level() < END_LEVEL {
                self.active = false;
                break;
            }
        }
    }
}

/// The synthesized GM drum kit. Every note is percussion whatever its channel; each channel
/// honours CC7 volume, CC11 expression and CC10 pan (one-shot hits have no use for sustain or
/// pitch bend).
pub struct DrumKit {
    sample_rate: u32,
    voices: Vec<DrumVoice>,
    serial: u64,
    channels: [ChannelState; 16],
    glide: f32,
}

impl DrumKit {
    /// A kit with `max_voices` preallocated voices (at least 1). Not for the audio thread.
    pub fn new(sample_rate: u32, max_voices: usize) -> DrumKit {
        DrumKit {
            sample_rate: sample_rate.max(1),
            voices: (0..max_voices.max(1)).map(DrumVoice::new).collect(),
            serial: 0,
            channels: [ChannelState::default(); 16],
            glide: 1.0 - (-1.0 / (0.003 * sample_rate.max(1) as f32)).exp(),
        }
    }

    /// The polyphony limit.
    pub fn max_voices(&self) -> usize {
        self.voices.len()
    }

    fn hit(&mut self, channel: u8, pitch: u8, velocity: u8) {
        let spec = spec_for(pitch & 0x7f);
        let sr = self.sample_rate;
        if spec.choke_group != 0 {
            for v in self
                .voices
                .iter_mut()
                .filter(|v| v.active && v.spec.choke_group == spec.choke_group)
            {
                v.choke(sr);
            }
        }
        self.serial += 1;
        let i = match self.voices.iter().position(|v| !v.active) {
            Some(i) => i,
            // Steal the quietest; among equals the oldest.
            None => self
                .voices
                .iter()
                .enumerate()
                .min_by(|a, b| {
                    a.1.level()
                        .total_cmp(&b.1.level())
                        .then(a.1.serial.cmp(&b.1.serial))
                })
                .map(|(i, _)| i)
                .unwrap_or(0),
        };
        let serial = self.serial;
        let fresh = !self.voices[i].active;
        self.voices[i].start(spec, velocity, sr, serial);
        self.voices[i].channel = channel;
        if fresh {
            self.voices[i].chan_gain = self.channels[(channel & 15) as usize].gain();
        }
    }
}

impl Instrument for DrumKit {
    fn process(&mut self, events: &[NoteEvent], left: &mut [f32], right: &mut [f32]) {
        let len = left.len().min(right.len());
        left.fill(0.0);
        right.fill(0.0);
        split_at_events(
            self,
            events,
            len,
            |s, start, end| {
                let (sr, glide) = (s.sample_rate, s.glide);
                for v in s.voices.iter_mut().filter(|v| v.active) {
                    let ch = &s.channels[(v.channel & 15) as usize];
                    let chan = (ch.gain(), ch.pan_gains(), glide);
                    v.render(sr, chan, &mut left[start..end], &mut right[start..end]);
                }
            },
            |s, ev| match *ev {
                NoteEvent::On {
                    channel,
                    pitch,
                    velocity,
                    ..
                } if velocity > 0 => s.hit(channel, pitch, velocity),
                NoteEvent::Control {
                    channel,
                    controller,
                    value,
                    ..
                } => {
                    s.channels[(channel & 15) as usize].control(controller, value);
                }
                _ => {}
            },
        );
    }

    fn reset(&mut self) {
        for v in &mut self.voices {
            v.active = false;
        }
        self.channels = [ChannelState::default(); 16];
    }

    fn active_voices(&self) -> usize {
        self.voices.iter().filter(|v| v.active).count()
    }
}
