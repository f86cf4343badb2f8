//! PLACEHOLDER until the instruments helper's `instruments:` commit lands on main: the agreed
//! `Instrument` trait and `NoteEvent`, and a plain sine voice bank so the engine can be built and
//! tested. This whole file is replaced by the real instruments module at merge time.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A note event inside one process() block; `frame` is the offset in the block (< block len),
/// events sorted by frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NoteEvent {
    On {
        frame: u32,
        channel: u8,
        pitch: u8,
        velocity: u8,
    },
    Off {
        frame: u32,
        channel: u8,
        pitch: u8,
    },
    /// Release every sounding note (transport stop).
    AllNotesOff {
        frame: u32,
    },
}

/// A sound source driven by note events.
pub trait Instrument: Send {
    /// Called on the audio thread. Renders left.len() frames, overwriting left/right.
    fn process(&mut self, events: &[NoteEvent], left: &mut [f32], right: &mut [f32]);
    /// Called on the audio thread. Silences every voice at once.
    fn reset(&mut self);
    /// Number of sounding voices.
    fn active_voices(&self) -> usize;
}

/// Why an instrument could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct InstrumentError {
    pub path: String,
    pub message: String,
}

#[derive(Clone, Copy)]
struct Voice {
    pitch: u8,
    phase: f32,
    inc: f32,
    amp: f32,
    release: bool,
}

struct Sine {
    voices: [Option<Voice>; 16],
    rate: f32,
}

impl Sine {
    fn apply(&mut self, e: &NoteEvent) {
        match *e {
            NoteEvent::On {
                pitch, velocity, ..
            } => {
                let inc = 440.0 * 2f32.powf((pitch as f32 - 69.0) / 12.0) / self.rate;
                let v = Voice {
                    pitch,
                    phase: 0.0,
                    inc,
                    amp: velocity as f32 / 127.0 * 0.2,
                    release: false,
                };
                let slot = self.voices.iter().position(|v| v.is_none()).unwrap_or(0);
                self.voices[slot] = Some(v);
            }
            NoteEvent::Off { pitch, .. } => {
                for v in self.voices.iter_mut().flatten() {
                    if v.pitch == pitch {
                        v.release = true;
                    }
                }
            }
            NoteEvent::AllNotesOff { .. } => {
                for v in self.voices.iter_mut().flatten() {
                    v.release = true;
                }
            }
        }
    }
}

fn frame_of(e: &NoteEvent) -> usize {
    match *e {
        NoteEvent::On { frame, .. } | NoteEvent::Off { frame, .. } => frame as usize,
        NoteEvent::AllNotesOff { frame } => frame as usize,
    }
}

impl Instrument for Sine {
    fn process(&mut self, events: &[NoteEvent], left: &mut [f32], right: &mut [f32]) {
        let mut ei = 0;
        for i in 0..left.len() {
            while ei < events.len() && frame_of(&events[ei]) <= i {
                self.apply(&events[ei]);
                ei += 1;
            }
            let mut s = 0.0;
            for slot in self.voices.iter_mut() {
                if let Some(v) = slot {
                    s += (v.phase * std::f32::consts::TAU).sin() * v.amp;
                    v.phase = (v.phase + v.inc).fract();
                    if v.release {
                        v.amp *= 0.995;
                        if v.amp < 1e-4 {
                            *slot = None;
                        }
                    }
                }
            }
            left[i] = s;
            right[i] = s;
        }
        for e in &events[ei..] {
            self.apply(e);
        }
    }
    fn reset(&mut self) {
        self.voices = [None; 16];
    }
    fn active_voices(&self) -> usize {
        self.voices.iter().flatten().count()
    }
}

/// Builds the instrument for a track (placeholder: a sine voice bank).
pub fn build_instrument(
    _spec: &crate::model::Instrument,
    sample_rate: u32,
    _soundfont: Option<&Arc<rustysynth::SoundFont>>,
) -> Box<dyn Instrument> {
    Box::new(Sine {
        voices: [None; 16],
        rate: sample_rate as f32,
    })
}

/// Finds a SoundFont (placeholder: the environment variable, then the config's path).
pub fn find_soundfont(config_path: Option<&Path>) -> Option<PathBuf> {
    std::env::var_os("TDAW_SOUNDFONT")
        .map(PathBuf::from)
        .or_else(|| config_path.map(Path::to_path_buf))
}

/// Loads a SoundFont.
pub fn load_soundfont(path: &Path) -> Result<Arc<rustysynth::SoundFont>, InstrumentError> {
    let err = |message: String| InstrumentError {
        path: path.display().to_string(),
        message,
    };
    let mut f = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
    rustysynth::SoundFont::new(&mut f)
        .map(Arc::new)
        .map_err(|e| err(e.to_string()))
}
