//! `tdaw midi quantize|humanize|transpose|chords|arp`: the MIDI tools from the shell, one edit
//! each (CONTRACT.md, "MIDI tools from the shell"). The note tools live in `midi_edit.rs`, the
//! chord progressions in `midi_chords.rs`; the music itself is in `crate::midi`.

use super::{midi_chords, midi_edit};

/// Arguments of `tdaw midi`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// The MIDI tools.
#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Move notes to a grid (1/1…1/64, `t` triplet, `.` dotted), with strength and swing.
    Quantize(midi_edit::QuantizeArgs),
    /// Move note starts and velocities by seeded random amounts within bounds.
    Humanize(midi_edit::HumanizeArgs),
    /// Move notes by N semitones, or N steps of a key's scale with --in-key.
    Transpose(midi_edit::TransposeArgs),
    /// A new clip holding a chord progression (symbols or roman numerals).
    Chords(midi_chords::Args),
    /// Replace the notes sounding together by an arpeggio over them (--live: set the track's
    /// live arpeggiator instead).
    Arp(midi_edit::ArpArgs),
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.cmd {
        Cmd::Quantize(a) => midi_edit::quantize(a),
        Cmd::Humanize(a) => midi_edit::humanize(a),
        Cmd::Transpose(a) => midi_edit::transpose(a),
        Cmd::Chords(a) => midi_chords::run(a),
        Cmd::Arp(a) => midi_edit::arp(a),
    }
}
