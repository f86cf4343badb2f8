//! Helpers shared by the engine tests: project folders with generated audio, WAV reading.
#![allow(dead_code)]

pub mod fxnodes;
pub mod recorder;
pub mod rig;

use std::path::Path;
use tdaw::model::{
    AudioClip, Clip, ClipContent, ClipId, Instrument, MidiClip, Note, Project, Track, TrackId,
    TrackKind,
};

/// A deterministic test signal in -0.5..0.5 (two detuned sines plus LCG noise).
pub fn signal(frames: usize, channels: usize, seed: u32) -> Vec<f32> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let mut out = Vec::with_capacity(frames * channels);
    for i in 0..frames {
        for c in 0..channels {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (x >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
            let t = i as f32 / 48_000.0;
            let s =
                0.3 * (t * (440.0 + 110.0 * c as f32) * std::f32::consts::TAU).sin() + 0.1 * noise;
            out.push(s);
        }
    }
    out
}

/// Writes `samples` as a WAV: 24-bit integer or 32-bit float.
pub fn write_wav(path: &Path, rate: u32, channels: u16, float: bool, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: if float { 32 } else { 24 },
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &s in samples {
        if float {
            w.write_sample(s).unwrap();
        } else {
            w.write_sample((s * 8_388_608.0).round().clamp(-8_388_608.0, 8_388_607.0) as i32)
                .unwrap();
        }
    }
    w.finalize().unwrap();
}

/// Reads a WAV as f32 (integer formats scaled to ±1).
pub fn read_wav(path: &Path) -> (Vec<f32>, hound::WavSpec) {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    let v = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(|s| s.unwrap()).collect(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32;
            r.samples::<i32>()
                .map(|s| s.unwrap() as f32 * scale)
                .collect()
        }
    };
    (v, spec)
}

/// A project folder (with `audio/`) in a temp dir.
pub fn project_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("audio")).unwrap();
    d
}

/// An audio track with one clip of `file` (relative) at `start` beats, `length` seconds.
pub fn audio_track(id: u64, name: &str, file: &str, start: f64, length: f64) -> Track {
    let mut t = Track::new(TrackId(id), name, TrackKind::Audio);
    t.clips.push(Clip {
        id: ClipId(id * 100),
        name: String::new(),
        start,
        lane: 0,
        take: None,
        content: ClipContent::Audio(AudioClip {
            file: file.into(),
            offset: 0.0,
            length,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }),
    });
    t
}

/// A MIDI track playing `notes` ((pitch, start beat, length beats)) with a synth preset.
pub fn midi_track(id: u64, preset: &str, clip_len: f64, notes: &[(u8, f64, f64)]) -> Track {
    let mut t = Track::new(TrackId(id), "Synth", TrackKind::Midi);
    t.instrument = Some(Instrument::Synth {
        preset: preset.into(),
    });
    t.clips.push(Clip {
        id: ClipId(id * 100),
        name: String::new(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Midi(MidiClip {
            offset: 0.0,
            controllers: Vec::new(),
            length: clip_len,
            notes: notes
                .iter()
                .map(|&(pitch, start, length)| Note {
                    pitch,
                    start,
                    length,
                    velocity: 100,
                    channel: 0,
                })
                .collect(),
        }),
    });
    t
}

/// A controller storm for a MIDI track's first clip: on every channel a CC7 ramp, CC10, CC11
/// and pitch-bend sweeps, sustain pedal presses and an RPN 0 bend-range change, `per_beat`
/// events per beat of each kind over `beats` beats.
pub fn controller_storm(t: &mut Track, beats: f64, per_beat: usize) {
    use tdaw::model::{ControlEvent, ControlKind};
    let ClipContent::Midi(m) = &mut t.clips[0].content else {
        return;
    };
    let n = (beats * per_beat as f64) as usize;
    for ch in 0..16u8 {
        for (number, value) in [(101u8, 0i16), (100, 0), (6, 12), (38, 0)] {
            m.controllers.push(ControlEvent {
                kind: ControlKind::Cc(number),
                time: 0.0,
                value,
                channel: ch,
            });
        }
        for i in 0..n {
            let time = i as f64 / per_beat as f64;
            let x = (i * 37 + ch as usize * 11) % 128;
            for (kind, value) in [
                (ControlKind::Cc(7), x as i16),
                (ControlKind::Cc(10), (127 - x) as i16),
                (ControlKind::Cc(11), ((x * 3) % 128) as i16),
                (ControlKind::Cc(64), if i % 4 < 2 { 127 } else { 0 }),
                (ControlKind::PitchBend, (x as i16 - 64) * 128),
            ] {
                m.controllers.push(ControlEvent {
                    kind,
                    time,
                    value,
                    channel: ch,
                });
            }
        }
    }
    m.controllers.sort_by(|a, b| a.time.total_cmp(&b.time));
}

/// A 48 kHz, 120 BPM project.
pub fn project() -> Project {
    Project::new("test", 48_000, 120.0)
}

/// Peak of |a - b| over the common length.
pub fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}
