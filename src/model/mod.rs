//! The project model: what a song is, independent of any screen, file or sound card.
//!
//! Everything here is plain data (serde) plus the pure functions that reason about it. The only
//! way to change a [`Project`] from the CLI or the TUI is an [`Edit`], so that every change can
//! be undone. This module must never depend on the rest of the crate.

pub mod arp;
mod edit;
pub mod fx;
mod history;
pub mod merge;
pub mod mixer;
pub mod ops;
pub mod rng;
pub mod takes;
mod tempo;
mod types;
mod validate;

pub use edit::{Edit, EditError, TrackField};
pub use history::History;
pub use ops::OpError;
pub use tempo::{TempoChange, TempoMap, TimeSignature};
pub use types::*;
pub use validate::{ValidationError, MAX_BPM, MAX_SAMPLE_RATE, MIN_BPM, MIN_SAMPLE_RATE};

/// The project format version this build writes. Older versions are migrated on load.
pub const FORMAT_VERSION: u32 = 1;
