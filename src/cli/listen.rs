//! `tdaw listen [USER@]HOST [DIR] [--command CMD] [--to FILE.wav] [--seconds N]`.

use std::path::PathBuf;

/// Arguments of `tdaw listen`.
#[derive(clap::Args)]
pub struct Args {
    /// The studio box, as ssh takes it.
    pub host: String,
    /// A project on the box to play headless (when no tdaw session runs there).
    pub dir: Option<String>,
    /// Run this command instead of `ssh HOST tdaw monitor …` (its stdout is the stream).
    #[arg(long)]
    pub command: Option<String>,
    /// Write what would be played to this WAV file instead of playing it.
    #[arg(long)]
    pub to: Option<PathBuf>,
    /// Stop after this many seconds.
    #[arg(long)]
    pub seconds: Option<f64>,
}

pub fn run(_args: Args) -> anyhow::Result<()> {
    Err(super::not_available("listen", "monitoring over SSH"))
}
