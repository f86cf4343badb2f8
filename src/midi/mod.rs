//! MIDI: Standard MIDI File import and export, and the note operations of the editors.
//!
//! Works on the project model only: it turns SMF bytes into notes, tempo and tracks, a
//! project's MIDI tracks back into SMF bytes, and a clip's notes into edited notes (`ops`). It
//! never touches the disk, the engine or the terminal.

pub mod arp;
pub mod gm;
pub mod groove;
pub mod ops;
pub mod quantize;
pub mod smf;
pub mod theory;
