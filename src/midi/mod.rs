//! MIDI: Standard MIDI File import and export.
//!
//! Works on the project model only: it turns SMF bytes into notes, tempo and tracks, and a
//! project's MIDI tracks back into SMF bytes. It never touches the disk, the engine or the
//! terminal.

pub mod gm;
pub mod smf;
