//! `tdaw midi chords DIR TRACK PROGRESSION …`: a new clip at BEAT holding the chords, one every
//! `--beats` beats; one edit. The theory is `crate::midi::theory`.

use std::path::PathBuf;

/// Arguments of `tdaw midi chords`.
#[derive(clap::Args)]
pub struct Args {
    /// Project folder.
    pub dir: PathBuf,
    /// The MIDI track: name or 1-based position.
    pub track: String,
    /// Chord symbols ("Am F C G") or roman numerals in KEY ("i VI III VII").
    pub progression: String,
    /// The key of roman numerals (default: the project's key).
    #[arg(long)]
    pub key: Option<String>,
    /// Where the clip starts, in beats.
    #[arg(long, default_value_t = 0.0)]
    pub at: f64,
    /// Beats per chord.
    #[arg(long, default_value_t = 4.0)]
    pub beats: f64,
    /// close, open or drop2.
    #[arg(long, default_value = "close")]
    pub voicing: String,
}

pub fn run(_a: Args) -> anyhow::Result<()> {
    Err(super::not_available("midi chords", "the MIDI toolkit"))
}
