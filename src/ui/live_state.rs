//! The TUI's live-MIDI state, apart from the App so that the engine link can hold it: the open
//! input port (or why none is), MIDI learn waiting for a controller, the record settings and
//! the recording in progress. `midi_live.rs` is what the engine's news does to it.

use crate::midi::live::RecordMode;
use crate::model::mixer::{self, Owner};
use crate::model::{AutomationTarget, Project, TrackId, TrackKind};

/// A control waiting for MIDI learn: of `track` (the master when `None`).
#[derive(Clone, Debug, PartialEq)]
pub struct LearnTarget {
    pub track: Option<TrackId>,
    pub target: AutomationTarget,
}

/// The TUI's live-MIDI state.
#[derive(Clone, Debug, Default)]
pub struct LiveMidi {
    /// The open input port.
    pub port: Option<String>,
    /// Why no port is open ("no MIDI input (…)"), when none is.
    pub problem: Option<String>,
    /// MIDI learn is waiting for a controller to bind to this.
    pub learn: Option<LearnTarget>,
    pub mode: RecordMode,
    /// Quantize on record: the grid in beats and as typed (`1/16`).
    pub quantize: Option<(f64, String)>,
    /// Bars of pre-roll before the record point.
    pub preroll_bars: u32,
    /// The track a recording in progress goes into.
    pub recording: Option<TrackId>,
    /// The armed audio tracks a recording in progress records (their takes come with it).
    pub audio: Vec<TrackId>,
    /// The control the last learned move wrote, and the history revision after it: a further
    /// move of it replaces that undo step.
    pub last_move: Option<(LearnTarget, u64)>,
}

impl LiveMidi {
    /// True while a recording (MIDI, audio or both) runs.
    pub fn is_recording(&self) -> bool {
        self.recording.is_some() || !self.audio.is_empty()
    }

    /// What the top bar shows: the port (or that there is none) while a port is open or a
    /// track is armed, with `REC` while recording.
    pub fn label(&self, p: &Project) -> Option<String> {
        let rec = if self.is_recording() { "REC  " } else { "" };
        match &self.port {
            Some(port) => Some(format!("{rec}MIDI {port}")),
            None if p.tracks.iter().any(|t| t.arm) || self.is_recording() => {
                Some(format!("{rec}no MIDI input"))
            }
            None => None,
        }
    }
}

/// The armed audio tracks: `g r` records each of them from the audio input.
pub fn armed_audio_tracks(p: &Project) -> Vec<TrackId> {
    p.tracks
        .iter()
        .filter(|t| t.arm && t.kind == TrackKind::Audio)
        .map(|t| t.id)
        .collect()
}

/// The track live input plays and records into: the first armed MIDI track.
pub fn armed_midi_track(p: &Project) -> Option<TrackId> {
    p.tracks
        .iter()
        .find(|t| t.arm && t.kind == TrackKind::Midi)
        .map(|t| t.id)
}

/// How a binding's control reads: `Bass gain`, `master fx:3:mix`.
pub fn control_name(p: &Project, track: Option<TrackId>, target: &AutomationTarget) -> String {
    let owner = track.map_or(Owner::Master, Owner::Track);
    format!(
        "{} {}",
        mixer::owner_name(p, owner),
        mixer::target_text(p, target)
    )
}
