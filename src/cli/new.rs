//! `tdaw new DIR [--bpm N] [--sample-rate N]`: creates a project folder holding `project.toml`
//! (plus `audio/`, `renders/` and `.tdaw/`) and records it in the index.

use crate::model::{MAX_BPM, MAX_SAMPLE_RATE, MIN_BPM, MIN_SAMPLE_RATE};
use std::path::PathBuf;

/// Arguments of `tdaw new`.
#[derive(clap::Args)]
pub struct Args {
    /// Folder to create the project in (created when missing; may already exist, but must not
    /// hold a project yet).
    pub dir: PathBuf,
    /// Tempo in beats per minute (1-999).
    #[arg(long, default_value_t = 120.0, allow_negative_numbers = true)]
    pub bpm: f64,
    /// Sample rate in Hz (8000-384000).
    #[arg(long, default_value_t = 48_000)]
    pub sample_rate: u32,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if !args.bpm.is_finite() || !(MIN_BPM..=MAX_BPM).contains(&args.bpm) {
        anyhow::bail!(
            "--bpm {}: the tempo must be between {MIN_BPM} and {MAX_BPM} BPM",
            args.bpm
        );
    }
    if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&args.sample_rate) {
        anyhow::bail!(
            "--sample-rate {}: the sample rate must be between {MIN_SAMPLE_RATE} and {MAX_SAMPLE_RATE} Hz",
            args.sample_rate
        );
    }
    let project = crate::store::create_project(&args.dir, args.sample_rate, args.bpm)?;
    println!(
        "created project '{}' in {} ({} BPM, {} Hz, {})",
        project.name,
        args.dir.display(),
        super::info::number(project.tempo.initial_bpm()),
        project.sample_rate,
        project.time_signature
    );
    Ok(())
}
