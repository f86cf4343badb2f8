//! `tdaw monitor [DIR] [--codec opus|flac|pcm] [--bitrate KBPS]`: the master bus to stdout.

use std::path::PathBuf;

/// The stream's codec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Codec {
    Opus,
    Flac,
    Pcm,
}

/// Arguments of `tdaw monitor`.
#[derive(clap::Args)]
pub struct Args {
    /// Play this project headless (when no tdaw session runs here to attach to).
    pub dir: Option<PathBuf>,
    /// opus (default where libopus is available), flac (lossless) or pcm.
    #[arg(long, value_enum)]
    pub codec: Option<Codec>,
    /// Opus bitrate in kbit/s.
    #[arg(long, default_value_t = 128)]
    pub bitrate: u32,
    /// Write to stdout (the default; for `| ffplay -`).
    #[arg(long)]
    pub stdout: bool,
}

pub fn run(_args: Args) -> anyhow::Result<()> {
    Err(super::not_available("monitor", "monitoring over SSH"))
}
