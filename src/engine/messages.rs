//! The messages between the engine thread and the audio callback. Two one-way SPSC queues:
//! [`ToAudio`] in, [`FromAudio`] out. Anything boxed that goes in comes back out to be freed
//! on the engine thread, so the callback never deallocates.

use super::graph::Graph;
use crate::model::TrackId;

/// Engine thread → audio callback.
pub enum ToAudio {
    /// Swap this graph in; the running one comes back in [`FromAudio::OldGraph`].
    InstallGraph(Box<Graph>),
    /// Start playing from the playhead (after a bar of clicks when count-in is on).
    Play,
    /// Stop where the playhead is.
    Pause,
    /// Stop and return to where playback started; when already stopped, go to the start.
    Stop,
    /// Move the playhead to this sample.
    Seek(u64),
    /// Click on every beat while playing.
    SetMetronome(bool),
    /// Count a bar in before playback starts.
    SetCountIn(bool),
    /// Start or release a note on a track's instrument now (piano-roll audition).
    Audition {
        track: TrackId,
        pitch: u8,
        velocity: u8,
        on: bool,
    },
}

/// Audio callback → engine thread.
pub enum FromAudio {
    /// The graph that was running before an install: free it here, off the audio thread.
    OldGraph(Box<Graph>),
    /// A graph was installed and is playing.
    Installed,
    /// The transport stopped (Stop or Pause).
    Stopped,
}
