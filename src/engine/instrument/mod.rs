//! Instruments: what turns a MIDI track's notes into sound on the audio thread.
//!
//! Two kinds exist behind one [`Instrument`] trait: the built-in polyphonic synth (named
//! presets and a synthesized General MIDI drum kit, so tdaw makes sound with no SoundFont at
//! all) and a General MIDI SoundFont player (rustysynth). Both are built off the audio thread
//! by [`build_instrument`], preallocate every voice, and then never allocate, lock, log or
//! panic in [`Instrument::process`]. Notes are applied sample-accurately inside a block: each
//! instrument renders up to an event's frame, applies it and carries on.

mod controls;
mod drums;
mod presets;
mod soundfont;
mod synth;

pub use controls::{ChannelState, ChaseState, Control, ControlEffect};
pub use drums::{drum_name, DrumKit};
pub use presets::{gm_program_preset, preset, OscSpec, SynthPreset, PRESETS};
pub use soundfont::{SoundFontPlayer, SOUNDFONT_BLOCK};
pub use synth::PolySynth;

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Voices of the built-in synth per instrument (the oldest/quietest is stolen beyond this).
pub const SYNTH_VOICES: usize = 32;
/// Voices of the synthesized drum kit.
pub const DRUM_VOICES: usize = 32;

/// A note event inside one process() block; `frame` is the offset in the block (< block len),
/// events sorted by frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NoteEvent {
    /// Key down. A velocity of 0 is treated as a note-off, as in MIDI.
    On {
        frame: u32,
        channel: u8,
        pitch: u8,
        velocity: u8,
    },
    /// Key up.
    Off { frame: u32, channel: u8, pitch: u8 },
    /// Release every sounding note (transport stop); the sustain pedal goes up too.
    AllNotesOff { frame: u32 },
    /// A control change (CC7 volume, CC10 pan, CC11 expression, CC64 sustain, RPN 0 bend
    /// range through CC101/100/6/38, ...).
    Control {
        frame: u32,
        channel: u8,
        controller: u8,
        value: u8,
    },
    /// The channel's pitch bend, −8192 … 8191 (0 = centre).
    PitchBend { frame: u32, channel: u8, value: i16 },
}

impl NoteEvent {
    /// The offset of the event in its block.
    pub fn frame(&self) -> u32 {
        match *self {
            NoteEvent::On { frame, .. }
            | NoteEvent::Off { frame, .. }
            | NoteEvent::AllNotesOff { frame }
            | NoteEvent::Control { frame, .. }
            | NoteEvent::PitchBend { frame, .. } => frame,
        }
    }
}

/// A sound source driven by note events, owned and run by the audio callback.
pub trait Instrument: Send {
    /// Called on the audio thread. Renders left.len() frames (== right.len(), ≤ 8192),
    /// OVERWRITING left/right, applying `events` sample-accurately. Never allocates. A block
    /// of 0 frames only applies the events (the graph sends chased controllers that way).
    fn process(&mut self, events: &[NoteEvent], left: &mut [f32], right: &mut [f32]);
    /// Called on the audio thread. Silences every voice at once (seek, graph swap).
    fn reset(&mut self);
    /// Number of sounding voices (tails: the engine renders until this is 0).
    fn active_voices(&self) -> usize;
}

/// Why a SoundFont could not be used. Each message names the file.
#[derive(Debug, thiserror::Error)]
pub enum InstrumentError {
    /// The file could not be opened or read.
    #[error("Could not read the SoundFont '{}': {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not a valid SoundFont 2.
    #[error("'{}' is not a usable SoundFont (.sf2): {message}", path.display())]
    Parse { path: PathBuf, message: String },
    /// rustysynth refused the settings (e.g. a sample rate outside 16–192 kHz).
    #[error("The SoundFont synthesizer could not start: {0}")]
    Synth(String),
}

/// Splits a block of `len` frames at its events: `render(state, start, end)` for each stretch
/// between events and `apply(state, event)` at each event's frame. Frames past the block are
/// applied at its end and an out-of-order event at the current position, so a careless caller
/// gets late notes, never a panic. Called on the audio thread.
pub(crate) fn split_at_events<S>(
    state: &mut S,
    events: &[NoteEvent],
    len: usize,
    mut render: impl FnMut(&mut S, usize, usize),
    mut apply: impl FnMut(&mut S, &NoteEvent),
) {
    let mut pos = 0;
    for ev in events {
        let at = (ev.frame() as usize).clamp(pos, len);
        if at > pos {
            render(state, pos, at);
            pos = at;
        }
        apply(state, ev);
    }
    if pos < len {
        render(state, pos, len);
    }
}

/// Builds the instrument for a track. GeneralMidi uses the SoundFont when given, otherwise the
/// built-in synth's closest preset (drums → synthesized drum kit). Synth{preset} = built-in.
///
/// An unknown preset name plays the `keys` preset, and a SoundFont that rustysynth refuses
/// (e.g. an unsupported sample rate) falls back to the built-in synth: a track always sounds.
pub fn build_instrument(
    spec: &crate::model::Instrument,
    sample_rate: u32,
    soundfont: Option<&Arc<rustysynth::SoundFont>>,
) -> Box<dyn Instrument> {
    use crate::model::Instrument as Spec;
    match spec {
        Spec::GeneralMidi { program, drums } => {
            if let Some(sf) = soundfont {
                if let Ok(player) = SoundFontPlayer::new(sf, sample_rate, *program, *drums) {
                    return Box::new(player);
                }
            }
            if *drums {
                Box::new(DrumKit::new(sample_rate, DRUM_VOICES))
            } else {
                Box::new(PolySynth::new(
                    gm_program_preset(*program),
                    sample_rate,
                    SYNTH_VOICES,
                ))
            }
        }
        Spec::Synth { preset: name } => {
            if name.eq_ignore_ascii_case("drums") {
                Box::new(DrumKit::new(sample_rate, DRUM_VOICES))
            } else {
                let p = preset(name).unwrap_or_else(|| gm_program_preset(0));
                Box::new(PolySynth::new(p, sample_rate, SYNTH_VOICES))
            }
        }
    }
}

/// The built-in synth's preset names, `drums` (the synthesized GM kit) included.
pub fn synth_presets() -> &'static [&'static str] {
    presets::PRESET_NAMES
}

/// The system places searched for a General MIDI SoundFont, in order.
pub const SYSTEM_SOUNDFONTS: [&str; 3] = [
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
];

/// TDAW_SOUNDFONT, then the config's path, then /usr/share/sounds/sf2/{default-GM.sf2,TimGM6mb.sf2,FluidR3_GM.sf2}.
///
/// A path the user chose (the variable or the config) is returned even when the file is
/// missing, so that loading it reports the typo instead of silently playing another sound.
/// `TDAW_SOUNDFONT=none` (or empty) turns the SoundFont off: the built-in synth plays.
pub fn find_soundfont(config_path: Option<&Path>) -> Option<PathBuf> {
    find_soundfont_in(
        std::env::var_os("TDAW_SOUNDFONT").as_deref(),
        config_path,
        &SYSTEM_SOUNDFONTS.map(Path::new),
    )
}

/// [`find_soundfont`] with its inputs spelled out (testable without touching the process
/// environment or /usr/share).
pub fn find_soundfont_in(
    env: Option<&std::ffi::OsStr>,
    config_path: Option<&Path>,
    system: &[&Path],
) -> Option<PathBuf> {
    if let Some(v) = env {
        if v.is_empty() || v.eq_ignore_ascii_case("none") {
            return None;
        }
        return Some(PathBuf::from(v));
    }
    if let Some(p) = config_path {
        // `soundfont = "none"` in config.toml (or an engine config) turns the SoundFont off too.
        if p.as_os_str().is_empty() || p.as_os_str().eq_ignore_ascii_case("none") {
            return None;
        }
        return Some(p.to_path_buf());
    }
    system.iter().find(|p| p.is_file()).map(|p| p.to_path_buf())
}

/// Loads a SoundFont 2 file (once per engine; every SoundFont instrument shares it).
pub fn load_soundfont(path: &Path) -> Result<Arc<rustysynth::SoundFont>, InstrumentError> {
    let file = std::fs::File::open(path).map_err(|source| InstrumentError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = std::io::BufReader::new(file);
    match rustysynth::SoundFont::new(&mut reader) {
        Ok(sf) => Ok(Arc::new(sf)),
        Err(rustysynth::SoundFontError::IoError(e))
            if e.kind() == std::io::ErrorKind::UnexpectedEof =>
        {
            Err(InstrumentError::Parse {
                path: path.to_path_buf(),
                message: "the file ends too early (truncated?)".to_string(),
            })
        }
        Err(rustysynth::SoundFontError::IoError(source)) => Err(InstrumentError::Read {
            path: path.to_path_buf(),
            source,
        }),
        Err(e) => Err(InstrumentError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        }),
    }
}
