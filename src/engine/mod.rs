//! The real-time audio engine: one processing graph used for live playback and offline
//! render. The engine thread ([`EngineHandle`]) turns project snapshots into parameter
//! messages or graphs recompiled per changed track ([`plan::Planner`]), streams clips from
//! disk and frees what the audio callback hands back; the callback
//! ([`processor::Processor`]) only pops messages, processes and pushes. Nothing here knows the
//! terminal, the store or the assistant.

pub mod arp;
pub mod automation;
pub mod backend;
pub mod capture;
pub mod clips;
pub mod disk_writer;
pub mod fx;
pub mod graph;
mod handle;
pub mod input_monitor;
pub mod instrument;
pub mod latency;
pub mod listen;
pub mod measure;
pub mod messages;
pub mod meters;
pub mod midi_in;
pub mod mixer;
pub mod monitor;
pub mod plan;
pub mod processor;
pub mod record;
mod render;
pub mod stream;
pub mod transport;

pub use handle::{EngineCommand, EngineConfig, EngineEvent, EngineHandle, Meters, TransportStatus};
pub use meters::ChannelMeter;
pub use plan::EngineCounters;
pub use render::{
    render_to_file, render_to_wav, temp_path, BitDepth, FileFormat, RenderControl, RenderOptions,
    RenderReport,
};

use std::path::PathBuf;
use thiserror::Error;

/// Why the engine could not do something. Every variant reads as one sentence.
#[derive(Debug, Error)]
pub enum EngineError {
    /// An audio file could not be opened or read.
    #[error("could not read '{}': {message}", path.display())]
    Audio { path: PathBuf, message: String },
    /// The decoder failed; its message names the file.
    #[error("{0}")]
    Decode(String),
    /// The output file could not be written.
    #[error("could not write '{}': {message}", path.display())]
    Write { path: PathBuf, message: String },
    /// The SoundFont could not be loaded.
    #[error("{0}")]
    SoundFont(String),
    /// The project has nothing to render.
    #[error("nothing to render: the project has no clips with material")]
    Empty,
    /// A setting is out of range.
    #[error("{0}")]
    Invalid(String),
    /// The audio backend could not be started.
    #[error("audio backend: {0}")]
    Backend(String),
    /// The render was stopped (Ctrl-C); nothing was written.
    #[error("the render was interrupted; no file was written")]
    Interrupted,
    /// A bug or a dead thread.
    #[error("internal engine error: {0}")]
    Internal(String),
}
