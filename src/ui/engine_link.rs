//! Every contact between the TUI and the audio engine, in one place.
//!
//! The TUI owns the project; after each edit it hands the engine a snapshot. Once per tick it
//! reads the transport position and the meters (cheap atomics on the engine side) into plain
//! values the views draw. With no engine the project is shown as "no audio device — silent".

use crate::model::{Project, TrackId};
use std::collections::HashMap;
use std::path::Path;

/// What the top bar shows about the transport.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TransportView {
    pub playing: bool,
    /// Playhead in beats.
    pub beat: f64,
    /// Share of the audio period spent processing, 0..1.
    pub dsp_load: f32,
    pub xruns: u64,
    /// The output device; `None` when there is no engine at all.
    pub device: Option<String>,
    /// True when no device plays (the null backend keeps time silently).
    pub silent: bool,
}

/// Peak and RMS of one channel strip, linear.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Level {
    pub peak: [f32; 2],
    pub rms: [f32; 2],
}

/// What the meters show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MeterView {
    pub tracks: HashMap<TrackId, Level>,
    pub master: Level,
    pub momentary_lufs: Option<f64>,
    pub short_term_lufs: Option<f64>,
}

/// A transport request from the UI.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Transport {
    /// Start playing from a beat.
    PlayFrom(f64),
    Pause,
    /// Stop and put the playhead at the start.
    Stop,
    Seek(f64),
    /// Sound (or release) a pitch on a track's instrument.
    Audition {
        track: TrackId,
        pitch: u8,
        velocity: u8,
        on: bool,
    },
}

/// The TUI's handle on the engine: absent until an engine is started.
#[derive(Default)]
pub struct EngineLink {
    _private: (),
}

impl EngineLink {
    /// No engine: nothing plays, the top bar says so.
    pub fn none() -> EngineLink {
        EngineLink { _private: () }
    }

    /// Whether an engine is running.
    pub fn is_running(&self) -> bool {
        false
    }

    /// Hands the engine a new snapshot of the project (after every edit).
    pub fn load_project(&mut self, _project: &Project, _root: &Path) {}

    /// Sends a transport request. Returns an error sentence when nothing can play.
    pub fn transport(&mut self, _t: Transport) -> Result<(), String> {
        Err("no audio engine is running: nothing can play".into())
    }

    /// Called once per UI tick: the engine's news (errors to show) and its current state.
    pub fn poll(&mut self) -> (Vec<String>, TransportView, MeterView) {
        (Vec::new(), TransportView::default(), MeterView::default())
    }
}
