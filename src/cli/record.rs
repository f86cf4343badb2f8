//! `tdaw record DIR [TRACK] --seconds N [--at BEAT] [--input DEVICE] [--count-in]`.

use std::path::PathBuf;

/// Arguments of `tdaw record`.
#[derive(clap::Args)]
pub struct Args {
    /// The project folder.
    pub dir: PathBuf,
    /// The track to record onto (name or 1-based position); a new audio track when omitted.
    pub track: Option<String>,
    /// How long to record, in seconds.
    #[arg(long)]
    pub seconds: f64,
    /// Where to start playing and recording, in beats (default 0).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub at: f64,
    /// The input device (as `tdaw devices` lists it); the default input when absent.
    #[arg(long)]
    pub input: Option<String>,
    /// One bar of metronome before recording starts.
    #[arg(long)]
    pub count_in: bool,
}

pub fn run(_args: Args) -> anyhow::Result<()> {
    Err(super::not_available("record", "audio recording"))
}
