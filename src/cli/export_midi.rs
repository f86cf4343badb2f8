//! `tdaw export-midi DIR -o OUT.mid`: the project's MIDI tracks as a format-1 Standard MIDI File.

use anyhow::Context;
use std::path::PathBuf;

/// Arguments of `tdaw export-midi`.
#[derive(clap::Args)]
pub struct Args {
    /// Project folder.
    pub dir: PathBuf,
    /// The .mid file to write.
    #[arg(short, long)]
    pub output: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let project = crate::store::load_project(&args.dir)?;
    // `-o project.toml` or `-o audio/kick.wav` would destroy the project: refused as render is.
    crate::store::output::check_output(&args.dir, &project, &args.output)?;
    let bytes = crate::midi::smf::export_smf(&project);
    crate::store::atomic::write_atomic(&args.output, &bytes)
        .with_context(|| format!("could not write '{}'", args.output.display()))?;
    let midi: Vec<_> = project
        .tracks
        .iter()
        .filter(|t| t.kind == crate::model::TrackKind::Midi)
        .collect();
    let notes: usize = midi.iter().map(|t| t.note_count()).sum();
    println!(
        "{}: wrote {} MIDI track{} ({notes} notes) and the tempo map",
        args.output.display(),
        midi.len(),
        if midi.len() == 1 { "" } else { "s" },
    );
    Ok(())
}
