//! The messages between the engine thread and the audio callback. Two one-way SPSC queues:
//! [`ToAudio`] in, [`FromAudio`] out. Anything boxed that goes in comes back out to be freed
//! on the engine thread, so the callback never deallocates.
//!
//! An edit that changes only a value travels as a [`ParamChange`]: a plain `Copy` value that
//! names its node and parameter by stable id (a track's [`TrackId`], not its position in the
//! graph), so automation and reordering can address it and no graph is rebuilt.

use super::graph::Graph;
use super::midi_in::MidiReceiver;
use crate::model::{FxId, TrackId};

/// A node of the graph, by stable id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeId {
    /// The channel strip of a track or bus.
    Track(TrackId),
    /// The master bus.
    Master,
}

/// A parameter of a node. Values are in the parameter's user unit; the audio thread converts
/// them and glides to the result, so a change never clicks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamId {
    /// The fader, in dB (tracks, buses and the master).
    GainDb,
    /// Pan, -1 (left) … 1 (right): balance for stereo sources, constant power for mono.
    Pan,
    /// 1 plays, 0 silences: the track is not muted and not silenced by a solo elsewhere. The
    /// engine thread works the solo rule out over the whole project and sends this per track.
    Audible,
    /// The level in dB of this track's send to the bus `to`.
    SendDb { to: TrackId },
    /// Parameter `param` (its index in the kind's registry entry) of the effect `fx` in this
    /// node's chain, as [`crate::model::fx::ParamSpec::number`] gives it. The effect glides
    /// there itself. While an automation lane drives the parameter the value is only
    /// remembered (it applies again when the lane goes).
    Fx { fx: FxId, param: u16 },
    /// Bypass of the effect `fx` in this node's chain: 1 bypassed, 0 processing. It
    /// crossfades over 10 ms.
    FxBypass { fx: FxId },
}

/// One parameter change: node, parameter, new value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamChange {
    pub node: NodeId,
    pub param: ParamId,
    pub value: f32,
}

/// Engine thread → audio callback.
pub enum ToAudio {
    /// Swap this graph in; the running one comes back in [`FromAudio::OldGraph`]. Nodes the
    /// new graph marks as kept are moved over whole from the running graph (voices, streams
    /// and smoothers go on untouched); rebuilt nodes take what their `Inherit` says.
    InstallGraph(Box<Graph>),
    /// Set one parameter of the running graph; it glides there within the smoothing time
    /// (10 ms), starting with the next block. A node the graph does not have is ignored.
    Param(ParamChange),
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
    /// Read live MIDI from this ring from now on (`None`: no port); the ring it replaces comes
    /// back in [`FromAudio::OldMidiInput`].
    MidiInput(Option<Box<MidiReceiver>>),
    /// The track whose instrument plays live MIDI input (`None`: no track monitors).
    LiveTarget(Option<TrackId>),
    /// Whether controller `cc` on `channel` is bound by MIDI learn (bound controllers move
    /// their parameter through the engine thread and do not reach the instrument).
    LearnedCc { channel: u8, cc: u8, bound: bool },
    /// Forget every MIDI-learn binding (before the current set is sent again).
    ClearLearned,
    /// Start (true) or end (false) recording. While on and the playhead moves, live input is
    /// captured with its timeline sample; when recording ends (this message, or the transport
    /// stopping) [`FromAudio::RecordEnded`] says where.
    Record(bool),
    /// Software monitoring: read live audio input from this ring from now on (`None`: no
    /// input open); the ring it replaces comes back in [`FromAudio::OldMonitorInput`].
    MonitorInput(Option<Box<crate::engine::input_monitor::MonitorInput>>),
    /// Forget every monitor route (before the current set is sent again).
    ClearMonitorRoutes,
    /// An armed track hears these input channels (when its mode says so).
    MonitorRoute(crate::engine::input_monitor::MonitorRoute),
}

/// Audio callback → engine thread.
pub enum FromAudio {
    /// The graph that was running before an install (holding the stand-ins of the nodes
    /// the new graph kept): free it here, off the audio thread.
    OldGraph(Box<Graph>),
    /// A graph was installed and is playing.
    Installed,
    /// The transport stopped (Stop or Pause).
    Stopped,
    /// The MIDI input ring that was replaced: free it here.
    OldMidiInput(Box<MidiReceiver>),
    /// Recording ended at timeline sample `end` after `passes` loop wraps.
    RecordEnded { end: u64, passes: u32 },
    /// The monitor input ring that was replaced: free it here.
    OldMonitorInput(Box<crate::engine::input_monitor::MonitorInput>),
}
