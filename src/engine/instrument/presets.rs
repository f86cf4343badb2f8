//! The built-in synth's named presets, and the General MIDI program → closest preset map used
//! when no SoundFont is available.

use crate::dsp::{AdsrParams, Waveform};

/// One oscillator of a preset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OscSpec {
    pub wave: Waveform,
    /// Mix level (0 = off).
    pub level: f32,
    /// Transposition in semitones (−12 = an octave down).
    pub semitones: f32,
    /// Fine detune in cents.
    pub cents: f32,
}

/// A complete voice patch of the built-in synth.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SynthPreset {
    pub name: &'static str,
    pub osc1: OscSpec,
    pub osc2: OscSpec,
    /// White-noise mix level.
    pub noise: f32,
    /// Filter cut-off (Hz) for middle C at zero envelope.
    pub cutoff: f32,
    /// Filter resonance (Q; 0.7071 = none to speak of).
    pub resonance: f32,
    /// How much the cut-off follows the key (1 = one octave per octave).
    pub key_track: f32,
    /// Filter-envelope depth in octaves.
    pub env_amount: f32,
    /// Extra cut-off in octaves at full velocity.
    pub vel_to_cutoff: f32,
    pub amp_env: AdsrParams,
    pub filter_env: AdsrParams,
    /// 0 = velocity ignored, 1 = level follows velocity² fully.
    pub vel_sens: f32,
    /// Output level of one voice at full velocity.
    pub gain: f32,
    /// Stereo spread of successive voices (0 = all centred, 1 = hard left/right).
    pub spread: f32,
}

const fn osc(wave: Waveform, level: f32, semitones: f32, cents: f32) -> OscSpec {
    OscSpec {
        wave,
        level,
        semitones,
        cents,
    }
}

const fn env(attack: f32, decay: f32, sustain: f32, release: f32) -> AdsrParams {
    AdsrParams {
        attack,
        decay,
        sustain,
        release,
    }
}

const OFF: OscSpec = osc(Waveform::Sine, 0.0, 0.0, 0.0);

/// Every melodic preset. `drums` is not here: it is the [`super::DrumKit`].
pub const PRESETS: &[SynthPreset] = &[
    SynthPreset {
        name: "pad",
        osc1: osc(Waveform::Saw, 0.6, 0.0, -7.0),
        osc2: osc(Waveform::Saw, 0.6, 0.0, 7.0),
        noise: 0.0,
        cutoff: 900.0,
        resonance: 0.9,
        key_track: 0.5,
        env_amount: 1.2,
        vel_to_cutoff: 0.5,
        amp_env: env(0.5, 1.5, 0.8, 1.5),
        filter_env: env(0.9, 2.0, 0.5, 1.5),
        vel_sens: 0.4,
        gain: 0.16,
        spread: 0.6,
    },
    SynthPreset {
        name: "bass",
        osc1: osc(Waveform::Saw, 0.7, 0.0, 0.0),
        osc2: osc(Waveform::Square, 0.5, -12.0, 0.0),
        noise: 0.0,
        cutoff: 220.0,
        resonance: 1.6,
        key_track: 0.3,
        env_amount: 3.0,
        vel_to_cutoff: 1.0,
        amp_env: env(0.002, 0.4, 0.8, 0.08),
        filter_env: env(0.0, 0.3, 0.15, 0.1),
        vel_sens: 0.6,
        gain: 0.32,
        spread: 0.0,
    },
    SynthPreset {
        name: "lead",
        osc1: osc(Waveform::Square, 0.5, 0.0, 0.0),
        osc2: osc(Waveform::Saw, 0.5, 0.0, 8.0),
        noise: 0.0,
        cutoff: 1800.0,
        resonance: 1.3,
        key_track: 0.7,
        env_amount: 1.5,
        vel_to_cutoff: 0.8,
        amp_env: env(0.005, 0.3, 0.85, 0.15),
        filter_env: env(0.005, 0.5, 0.4, 0.2),
        vel_sens: 0.5,
        gain: 0.22,
        spread: 0.0,
    },
    SynthPreset {
        name: "pluck",
        osc1: osc(Waveform::Saw, 0.8, 0.0, 0.0),
        osc2: osc(Waveform::Square, 0.25, 12.0, 0.0),
        noise: 0.03,
        cutoff: 350.0,
        resonance: 1.1,
        key_track: 0.6,
        env_amount: 4.0,
        vel_to_cutoff: 1.0,
        amp_env: env(0.001, 1.0, 0.0, 0.3),
        filter_env: env(0.0, 0.3, 0.0, 0.2),
        vel_sens: 0.7,
        gain: 0.3,
        spread: 0.3,
    },
    SynthPreset {
        name: "keys",
        osc1: osc(Waveform::Triangle, 0.8, 0.0, 0.0),
        osc2: osc(Waveform::Sine, 0.35, 12.0, 0.0),
        noise: 0.0,
        cutoff: 1500.0,
        resonance: 0.8,
        key_track: 0.8,
        env_amount: 2.0,
        vel_to_cutoff: 1.5,
        amp_env: env(0.002, 3.0, 0.2, 0.5),
        filter_env: env(0.001, 1.0, 0.2, 0.4),
        vel_sens: 0.8,
        gain: 0.34,
        spread: 0.2,
    },
    SynthPreset {
        name: "organ",
        osc1: osc(Waveform::Sine, 0.7, 0.0, 0.0),
        osc2: osc(Waveform::Square, 0.2, 12.0, 0.0),
        noise: 0.0,
        cutoff: 3500.0,
        resonance: 0.7,
        key_track: 0.5,
        env_amount: 0.0,
        vel_to_cutoff: 0.0,
        amp_env: env(0.006, 0.1, 1.0, 0.06),
        filter_env: env(0.0, 0.1, 1.0, 0.1),
        vel_sens: 0.15,
        gain: 0.22,
        spread: 0.0,
    },
    SynthPreset {
        name: "strings",
        osc1: osc(Waveform::Saw, 0.55, 0.0, -11.0),
        osc2: osc(Waveform::Saw, 0.55, 0.0, 11.0),
        noise: 0.0,
        cutoff: 2800.0,
        resonance: 0.7,
        key_track: 0.6,
        env_amount: 0.5,
        vel_to_cutoff: 0.6,
        amp_env: env(0.25, 1.0, 0.9, 0.7),
        filter_env: env(0.3, 1.0, 0.6, 0.7),
        vel_sens: 0.5,
        gain: 0.14,
        spread: 0.5,
    },
    SynthPreset {
        name: "brass",
        osc1: osc(Waveform::Saw, 0.6, 0.0, -4.0),
        osc2: osc(Waveform::Saw, 0.6, 0.0, 4.0),
        noise: 0.0,
        cutoff: 700.0,
        resonance: 0.9,
        key_track: 0.7,
        env_amount: 2.5,
        vel_to_cutoff: 1.0,
        amp_env: env(0.04, 0.4, 0.85, 0.2),
        filter_env: env(0.06, 0.5, 0.5, 0.3),
        vel_sens: 0.6,
        gain: 0.18,
        spread: 0.2,
    },
    SynthPreset {
        name: "bell",
        osc1: osc(Waveform::Sine, 0.7, 0.0, 0.0),
        // Ratio 3.5: the inharmonic partial that makes it a bell.
        osc2: osc(Waveform::Sine, 0.4, 21.69, 0.0),
        noise: 0.0,
        cutoff: 8000.0,
        resonance: 0.7,
        key_track: 0.5,
        env_amount: 0.0,
        vel_to_cutoff: 0.0,
        amp_env: env(0.001, 3.5, 0.0, 1.5),
        filter_env: env(0.0, 0.1, 1.0, 0.1),
        vel_sens: 0.7,
        gain: 0.28,
        spread: 0.3,
    },
    SynthPreset {
        name: "sine",
        osc1: osc(Waveform::Sine, 1.0, 0.0, 0.0),
        osc2: OFF,
        noise: 0.0,
        cutoff: 20_000.0,
        resonance: 0.5,
        key_track: 0.0,
        env_amount: 0.0,
        vel_to_cutoff: 0.0,
        amp_env: env(0.003, 0.1, 1.0, 0.05),
        filter_env: env(0.0, 0.1, 1.0, 0.1),
        vel_sens: 0.6,
        gain: 0.3,
        spread: 0.0,
    },
];

/// Every preset name, `drums` included (what `synth_presets()` returns).
pub(crate) const PRESET_NAMES: &[&str] = &[
    "pad", "bass", "lead", "pluck", "keys", "organ", "strings", "brass", "bell", "sine", "drums",
];

/// The melodic preset called `name` (case-insensitive); `None` for unknown names and `drums`.
pub fn preset(name: &str) -> Option<&'static SynthPreset> {
    PRESETS.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

fn named(name: &str) -> &'static SynthPreset {
    // Only called with names from PRESETS; the first preset is a sound, never a panic.
    preset(name).unwrap_or(&PRESETS[0])
}

/// The preset closest to General MIDI `program` (0–127; larger values wrap), for playing GM
/// tracks without a SoundFont.
pub fn gm_program_preset(program: u8) -> &'static SynthPreset {
    let name = match program & 0x7f {
        0..=7 => "keys",      // pianos
        8..=15 => "bell",     // chromatic percussion: celesta, glockenspiel, vibes, marimba
        16..=23 => "organ",   // organs, accordion, harmonica
        24..=31 => "pluck",   // guitars
        32..=39 => "bass",    // basses
        40..=44 => "strings", // violin … tremolo strings
        45..=46 => "pluck",   // pizzicato, harp
        47 => "bass",         // timpani
        48..=51 => "strings", // ensembles, synth strings
        52..=54 => "pad",     // choir, voice, synth voice
        55 => "brass",        // orchestra hit
        56..=63 => "brass",   // brass
        64..=79 => "lead",    // reeds and pipes
        80..=87 => "lead",    // synth leads
        88..=95 => "pad",     // synth pads
        96..=103 => "pad",    // synth effects
        104..=108 => "pluck", // sitar, banjo, shamisen, koto, kalimba
        109..=111 => "lead",  // bagpipe, fiddle, shanai
        112..=114 => "bell",  // tinkle bell, agogo, steel drums
        115..=119 => "pluck", // woodblock, taiko, melodic tom, synth drum, reverse cymbal
        _ => "pad",           // sound effects
    };
    named(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_but_drums_is_a_preset() {
        for name in PRESET_NAMES {
            assert_eq!(preset(name).is_some(), *name != "drums", "{name}");
        }
        assert_eq!(PRESETS.len() + 1, PRESET_NAMES.len());
        assert_eq!(preset("PAD").map(|p| p.name), Some("pad"));
        assert!(preset("kazoo").is_none());
    }

    #[test]
    fn gm_families_map_to_sensible_presets() {
        let name = |p: u8| gm_program_preset(p).name;
        assert_eq!(name(0), "keys"); // Acoustic Grand Piano
        assert_eq!(name(4), "keys"); // Electric Piano 1
        assert_eq!(name(11), "bell"); // Vibraphone
        assert_eq!(name(19), "organ"); // Church Organ
        assert_eq!(name(25), "pluck"); // Steel Guitar
        assert_eq!(name(33), "bass"); // Electric Bass (finger)
        assert_eq!(name(38), "bass"); // Synth Bass 1
        assert_eq!(name(40), "strings"); // Violin
        assert_eq!(name(46), "pluck"); // Harp
        assert_eq!(name(48), "strings"); // String Ensemble 1
        assert_eq!(name(52), "pad"); // Choir Aahs
        assert_eq!(name(61), "brass"); // Brass Section
        assert_eq!(name(73), "lead"); // Flute
        assert_eq!(name(81), "lead"); // Lead 2 (sawtooth)
        assert_eq!(name(89), "pad"); // Pad 2 (warm)
        assert_eq!(name(105), "pluck"); // Banjo
        assert_eq!(name(127), "pad"); // Gunshot
        assert_eq!(name(200), name(200 & 0x7f));
    }
}
