//! The built-in polyphonic synth: two band-limited oscillators and noise per voice, a resonant
//! state-variable low-pass with its own envelope, key tracking and velocity, and an amplitude
//! ADSR. Voices are preallocated; past the polyphony limit the quietest released voice, else the
//! oldest, is stolen. A note starts on the exact frame of its event. Each MIDI channel honours
//! CC7 volume and CC11 expression (glided over a few ms, no zipper noise), CC10 pan, CC64
//! sustain and pitch bend with its RPN 0 range (see `controls.rs`).

use super::controls::{ChannelState, ControlEffect};
use super::presets::SynthPreset;
use super::{split_at_events, Instrument, NoteEvent};
use crate::dsp::{midi_to_hz, Adsr, Noise, Oscillator, Svf};

/// Filter coefficients are recomputed every this many samples (the envelope runs per sample).
const CONTROL_INTERVAL: u32 = 8;
/// Start phases of the two oscillators: non-zero output on a note's first sample for every
/// waveform (a sine or BLEP saw at phase 0 would start at exactly 0).
const START_PHASE: [f32; 2] = [0.1, 0.35];
/// Volume and expression changes glide with this time constant.
const CHANNEL_GLIDE_S: f32 = 0.003;

#[derive(Clone, Debug)]
struct Voice {
    active: bool,
    /// Key down (not yet released).
    held: bool,
    /// Key up, but the sustain pedal keeps the note sounding.
    pedal: bool,
    /// The channel's volume × expression, glided toward the channel's value.
    chan_gain: f32,
    channel: u8,
    pitch: u8,
    /// Note-on order, for stealing the oldest.
    serial: u64,
    osc1: Oscillator,
    osc2: Oscillator,
    noise: Noise,
    filter: Svf,
    amp_env: Adsr,
    filter_env: Adsr,
    /// Cut-off before the envelope: preset × key tracking × velocity.
    base_cutoff: f32,
    gain: f32,
    pan_l: f32,
    pan_r: f32,
    control_countdown: u32,
}

impl Voice {
    fn new(preset: &SynthPreset, sample_rate: u32, index: usize) -> Voice {
        Voice {
            active: false,
            held: false,
            pedal: false,
            chan_gain: 1.0,
            channel: 0,
            pitch: 0,
            serial: 0,
            osc1: Oscillator::new(preset.osc1.wave, START_PHASE[0]),
            osc2: Oscillator::new(preset.osc2.wave, START_PHASE[1]),
            noise: Noise::new(0x1234_5678 ^ (index as u32).wrapping_mul(0x9E37_79B9)),
            filter: Svf::new(preset.cutoff, preset.resonance, sample_rate),
            amp_env: Adsr::new(preset.amp_env, sample_rate),
            filter_env: Adsr::new(preset.filter_env, sample_rate),
            base_cutoff: preset.cutoff,
            gain: 0.0,
            pan_l: 1.0,
            pan_r: 1.0,
            control_countdown: 0,
        }
    }

    /// Starts a note. A stolen voice keeps its phase, filter state and level (the attack rises
    /// from there), which avoids most of the click a hard restart would make.
    fn start(
        &mut self,
        p: &SynthPreset,
        sample_rate: u32,
        on: (u8, u8, u8),
        serial: u64,
        ch: &ChannelState,
    ) {
        let (channel, pitch, velocity) = on;
        if !self.active {
            self.osc1.set_phase(START_PHASE[0]);
            self.osc2.set_phase(START_PHASE[1]);
            self.filter.reset();
            self.amp_env.reset();
            self.filter_env.reset();
            self.chan_gain = ch.gain();
        }
        self.active = true;
        self.held = true;
        self.pedal = false;
        self.channel = channel;
        self.pitch = pitch;
        self.serial = serial;
        let key = pitch as f32;
        self.retune(p, sample_rate, ch.bend_semitones());
        let v = velocity.min(127) as f32 / 127.0;
        self.gain = p.gain * (1.0 - p.vel_sens + p.vel_sens * v * v);
        self.base_cutoff =
            p.cutoff * ((p.key_track * (key - 60.0) / 12.0) + p.vel_to_cutoff * v).exp2();
        // Successive voices alternate sides by the golden ratio; constant power, unity centre.
        let pos = p.spread * (((serial as f32) * 0.618_034).fract() * 2.0 - 1.0);
        let angle = (pos + 1.0) * std::f32::consts::FRAC_PI_4;
        self.pan_l = angle.cos() * std::f32::consts::SQRT_2;
        self.pan_r = angle.sin() * std::f32::consts::SQRT_2;
        self.amp_env.gate_on();
        self.filter_env.gate_on();
        self.control_countdown = 0;
    }

    /// Sets the oscillators to the key moved by `bend` semitones.
    fn retune(&mut self, p: &SynthPreset, sample_rate: u32, bend: f32) {
        let key = self.pitch as f32 + bend;
        self.osc1.set_freq(
            midi_to_hz(key + p.osc1.semitones + p.osc1.cents / 100.0),
            sample_rate,
        );
        self.osc2.set_freq(
            midi_to_hz(key + p.osc2.semitones + p.osc2.cents / 100.0),
            sample_rate,
        );
    }

    fn release(&mut self) {
        self.held = false;
        self.pedal = false;
        self.amp_env.gate_off();
        self.filter_env.gate_off();
    }

    fn kill(&mut self) {
        self.active = false;
        self.held = false;
        self.pedal = false;
        self.amp_env.reset();
        self.filter_env.reset();
        self.filter.reset();
    }

    /// Adds this voice into `left`/`right`, at the channel's gain (glided by `glide` per
    /// sample toward `chan.0`) and pan `chan.1`. Called on the audio thread.
    fn render(
        &mut self,
        p: &SynthPreset,
        sample_rate: u32,
        chan: (f32, (f32, f32), f32),
        left: &mut [f32],
        right: &mut [f32],
    ) {
        let (l1, l2, ln) = (p.osc1.level, p.osc2.level, p.noise);
        let (target, (cl, cr), glide) = chan;
        let (pan_l, pan_r) = (self.pan_l * cl, self.pan_r * cr);
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let fenv = self.filter_env.next();
            if self.control_countdown == 0 {
                let cutoff = self.base_cutoff * (p.env_amount * fenv).exp2();
                self.filter.set(cutoff, p.resonance, sample_rate);
                self.control_countdown = CONTROL_INTERVAL;
            }
            self.control_countdown -= 1;
            let amp = self.amp_env.next();
            let mut x = self.osc1.next() * l1 + self.osc2.next() * l2;
            if ln != 0.0 {
                x += self.noise.next() * ln;
            }
            if self.chan_gain != target {
                self.chan_gain += (target - self.chan_gain) * glide;
                if (self.chan_gain - target).abs() < 1e-6 {
                    self.chan_gain = target;
                }
            }
            let y = self.filter.lowpass(x) * amp * self.gain * self.chan_gain;
            *l += y * pan_l;
            *r += y * pan_r;
            if !self.amp_env.is_active() {
                self.kill();
                break;
            }
        }
    }

    /// Loudness used to pick a voice to steal.
    fn level(&self) -> f32 {
        self.amp_env.level() * self.gain
    }
}

/// The built-in polyphonic synth playing one [`SynthPreset`].
pub struct PolySynth {
    preset: SynthPreset,
    sample_rate: u32,
    voices: Vec<Voice>,
    serial: u64,
    channels: [ChannelState; 16],
    /// Per-sample glide coefficient of the channel gain.
    glide: f32,
}

impl PolySynth {
    /// A synth with `max_voices` preallocated voices (at least 1). Not for the audio thread.
    pub fn new(preset: &SynthPreset, sample_rate: u32, max_voices: usize) -> PolySynth {
        let sample_rate = sample_rate.max(1);
        PolySynth {
            preset: *preset,
            sample_rate,
            voices: (0..max_voices.max(1))
                .map(|i| Voice::new(preset, sample_rate, i))
                .collect(),
            serial: 0,
            channels: [ChannelState::default(); 16],
            glide: 1.0 - (-1.0 / (CHANNEL_GLIDE_S * sample_rate as f32)).exp(),
        }
    }

    /// The preset being played.
    pub fn preset(&self) -> &SynthPreset {
        &self.preset
    }

    /// The polyphony limit.
    pub fn max_voices(&self) -> usize {
        self.voices.len()
    }

    /// A free voice, else the quietest released one, else the oldest.
    fn pick_voice(&self) -> usize {
        if let Some(i) = self.voices.iter().position(|v| !v.active) {
            return i;
        }
        let quietest_released = self
            .voices
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.held)
            .min_by(|a, b| a.1.level().total_cmp(&b.1.level()))
            .map(|(i, _)| i);
        quietest_released.unwrap_or_else(|| {
            self.voices
                .iter()
                .enumerate()
                .min_by_key(|(_, v)| v.serial)
                .map(|(i, _)| i)
                .unwrap_or(0)
        })
    }

    fn note_on(&mut self, channel: u8, pitch: u8, velocity: u8) {
        self.serial += 1;
        let i = self.pick_voice();
        let (preset, rate, serial) = (self.preset, self.sample_rate, self.serial);
        let ch = self.channels[(channel & 15) as usize];
        self.voices[i].start(
            &preset,
            rate,
            (channel, pitch & 0x7f, velocity),
            serial,
            &ch,
        );
    }

    /// Releases the oldest held voice of this key, so overlapping notes of one pitch end in
    /// the order they began.
    fn note_off(&mut self, channel: u8, pitch: u8) {
        let oldest = self
            .voices
            .iter()
            .enumerate()
            .filter(|(_, v)| v.active && v.held && v.channel == channel && v.pitch == pitch)
            .min_by_key(|(_, v)| v.serial)
            .map(|(i, _)| i);
        if let Some(i) = oldest {
            if self.channels[(channel & 15) as usize].sustain {
                let v = &mut self.voices[i];
                v.held = false;
                v.pedal = true;
            } else {
                self.voices[i].release();
            }
        }
    }

    fn control(&mut self, channel: u8, cc: u8, value: u8) {
        let c = (channel & 15) as usize;
        match self.channels[c].control(cc, value) {
            ControlEffect::PedalUp => {
                for v in self.voices.iter_mut() {
                    if v.active && v.pedal && v.channel & 15 == channel & 15 {
                        v.release();
                    }
                }
            }
            ControlEffect::Retune => self.retune(channel),
            ControlEffect::None => {}
        }
    }

    fn retune(&mut self, channel: u8) {
        let bend = self.channels[(channel & 15) as usize].bend_semitones();
        let (preset, rate) = (self.preset, self.sample_rate);
        for v in self.voices.iter_mut() {
            if v.active && v.channel & 15 == channel & 15 {
                v.retune(&preset, rate, bend);
            }
        }
    }

    fn apply(&mut self, ev: &NoteEvent) {
        match *ev {
            NoteEvent::On {
                channel,
                pitch,
                velocity,
                ..
            } => {
                if velocity == 0 {
                    self.note_off(channel, pitch);
                } else {
                    self.note_on(channel, pitch, velocity);
                }
            }
            NoteEvent::Off { channel, pitch, .. } => self.note_off(channel, pitch),
            NoteEvent::AllNotesOff { .. } => {
                for ch in self.channels.iter_mut() {
                    ch.sustain = false;
                }
                for v in self.voices.iter_mut().filter(|v| v.held || v.pedal) {
                    v.release();
                }
            }
            NoteEvent::Control {
                channel,
                controller,
                value,
                ..
            } => self.control(channel, controller, value),
            NoteEvent::PitchBend { channel, value, .. } => {
                self.channels[(channel & 15) as usize].bend = value.clamp(-8192, 8191);
                self.retune(channel);
            }
        }
    }
}

impl Instrument for PolySynth {
    fn process(&mut self, events: &[NoteEvent], left: &mut [f32], right: &mut [f32]) {
        let len = left.len().min(right.len());
        left.fill(0.0);
        right.fill(0.0);
        split_at_events(
            self,
            events,
            len,
            |s, start, end| {
                let (preset, rate, glide) = (s.preset, s.sample_rate, s.glide);
                for v in s.voices.iter_mut().filter(|v| v.active) {
                    let ch = &s.channels[(v.channel & 15) as usize];
                    let chan = (ch.gain(), ch.pan_gains(), glide);
                    v.render(
                        &preset,
                        rate,
                        chan,
                        &mut left[start..end],
                        &mut right[start..end],
                    );
                }
            },
            |s, ev| s.apply(ev),
        );
    }

    fn reset(&mut self) {
        for v in &mut self.voices {
            v.kill();
        }
        self.channels = [ChannelState::default(); 16];
    }

    fn active_voices(&self) -> usize {
        self.voices.iter().filter(|v| v.active).count()
    }
}
