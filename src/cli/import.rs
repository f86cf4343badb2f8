//! `tdaw import DIR FILE...`: every file becomes one or more tracks, all in one save; when any
//! file fails, nothing is saved and the files already copied into `audio/` are removed.

use crate::model::{Edit, History, TempoMap};
use crate::store::import::import_file;
use crate::store::tempo_cache::detected_tempo;
use std::path::PathBuf;

/// Arguments of `tdaw import`.
#[derive(clap::Args)]
pub struct Args {
    /// Project folder.
    pub dir: PathBuf,
    /// Audio (wav, flac, mp3, ogg) or MIDI (.mid) files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Set the project's tempo to the tempo detected in the (first) imported audio file.
    #[arg(long)]
    pub set_tempo: bool,
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
    let mut copied = Copied(Vec::new());
    // Under the project's write lock, merged with what another writer saved meanwhile.
    let (lines, _) =
        crate::store::transact(&args.dir, |project| import_all(&args, project, &mut copied))?;
    // Saved: the copies belong to the project now.
    copied.0.clear();
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

fn import_all(
    args: &Args,
    project: &mut crate::model::Project,
    copied: &mut Copied,
) -> anyhow::Result<Vec<String>> {
    // A second attempt (after a conflicting save by another writer) starts clean: the copies
    // of the first are not referenced by anything.
    for p in copied.0.drain(..) {
        let _ = std::fs::remove_file(p);
    }
    let mut history = History::default();
    let mut lines = Vec::new();
    let mut tempo_set = false;
    for file in &args.files {
        let imported = import_file(&args.dir, project, file)?;
        let first_copy = imported.copied.first().cloned();
        copied.0.extend(imported.copied);
        history
            .apply(project, imported.edit, format!("import {}", file.display()))
            .map_err(|e| anyhow::anyhow!("could not import '{}': {e}", file.display()))?;
        lines.push(imported.summary);
        // Audio imports copy a file: offer its detected tempo (and apply it with --set-tempo).
        if let Some(copy) = first_copy {
            let rel = copy
                .strip_prefix(&args.dir)
                .unwrap_or(&copy)
                .to_string_lossy()
                .replace('\\', "/");
            match detected_tempo(&args.dir, &rel) {
                Some(t) if args.set_tempo && !tempo_set => {
                    let bpm = (t.bpm * 10.0).round() / 10.0;
                    history
                        .apply(project, Edit::SetTempo(TempoMap::constant(bpm)), "tempo")
                        .map_err(|e| anyhow::anyhow!("could not set the tempo: {e}"))?;
                    tempo_set = true;
                    lines.push(format!(
                        "  tempo: {bpm:.1} BPM detected in {} (confidence {:.2}), set as the project tempo",
                        file.display(),
                        t.confidence
                    ));
                }
                Some(t) => lines.push(format!(
                    "  detected tempo: {:.1} BPM (confidence {:.2}){}",
                    t.bpm,
                    t.confidence,
                    if tempo_set {
                        ""
                    } else {
                        "; use --set-tempo to make it the project tempo"
                    }
                )),
                None if args.set_tempo && !tempo_set => lines.push(format!(
                    "  no steady tempo found in {}; the project tempo stays {:.1} BPM",
                    file.display(),
                    project.tempo.initial_bpm()
                )),
                None => {}
            }
        }
    }
    Ok(lines)
}
