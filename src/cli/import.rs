//! `tdaw import DIR FILE...`.

use std::path::PathBuf;

/// Arguments of `tdaw import`.
#[derive(clap::Args)]
pub struct Args {
    /// Project folder.
    pub dir: PathBuf,
    /// Audio (wav, flac, mp3, ogg) or MIDI (.mid) files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(_args: Args) -> anyhow::Result<()> {
    Err(super::not_available("import", "import"))
}
