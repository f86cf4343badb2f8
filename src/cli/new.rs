//! `tdaw new DIR [--bpm N] [--sample-rate N]`.

use anyhow::Context;
use std::path::PathBuf;

/// Arguments of `tdaw new`.
#[derive(clap::Args)]
pub struct Args {
    /// Folder to create the project in.
    pub dir: PathBuf,
    /// Tempo in beats per minute.
    #[arg(long, default_value_t = 120.0)]
    pub bpm: f64,
    /// Sample rate in Hz.
    #[arg(long, default_value_t = 48_000)]
    pub sample_rate: u32,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    crate::store::create_project(&args.dir, args.sample_rate, args.bpm)
        .with_context(|| format!("could not create a project in {}", args.dir.display()))?;
    println!("created {}", args.dir.display());
    Ok(())
}
