//! `tdaw theory chord|scale|key`: music theory from the shell (CONTRACT.md); the answers come
//! from `crate::midi::theory`.

use std::path::PathBuf;

/// Arguments of `tdaw theory`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// What to ask.
#[derive(clap::Subcommand)]
pub enum Cmd {
    /// A chord symbol's notes, spelled, and as MIDI pitches (root in octave 4, C4 = 60).
    Chord {
        /// e.g. Cmaj7, F#m7b5, G7#9, C/E.
        symbol: String,
        /// Spell in this key's context (e.g. for roman numerals or enharmonics).
        #[arg(long)]
        key: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A scale's notes, spelled: "D dorian", "F# harmonic minor", "Bb blues".
    Scale {
        /// Tonic and mode.
        scale: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The most likely key of a track's notes, with a confidence.
    Key {
        /// Project folder.
        dir: PathBuf,
        /// The MIDI track: name or 1-based position.
        track: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(_a: Args) -> anyhow::Result<()> {
    Err(super::not_available("theory", "the MIDI toolkit"))
}
