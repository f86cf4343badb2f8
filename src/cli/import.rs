//! `tdaw import DIR FILE...`: every file becomes one or more tracks, all in one save; when any
//! file fails, nothing is saved and the files already copied into `audio/` are removed.

use crate::model::History;
use crate::store::import::import_file;
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

/// Files copied by this command; removed on drop unless the import was saved.
struct Copied(Vec<PathBuf>);

impl Drop for Copied {
    fn drop(&mut self) {
        for p in self.0.drain(..) {
            let _ = std::fs::remove_file(p);
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut project = crate::store::load_project(&args.dir)?;
    let mut history = History::default();
    let mut copied = Copied(Vec::new());
    let mut lines = Vec::new();
    for file in &args.files {
        let imported = import_file(&args.dir, &project, file)?;
        copied.0.extend(imported.copied);
        history
            .apply(
                &mut project,
                imported.edit,
                format!("import {}", file.display()),
            )
            .map_err(|e| anyhow::anyhow!("could not import '{}': {e}", file.display()))?;
        lines.push(imported.summary);
    }
    crate::store::save_project(&args.dir, &project)?;
    // Saved: the copies belong to the project now.
    copied.0.clear();
    for line in lines {
        println!("{line}");
    }
    Ok(())
}
