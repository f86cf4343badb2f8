//! `:import FILE...`: audio and MIDI files as new tracks in one undo step, with the question
//! about a MIDI file's tempo; and the shell-like splitting of its arguments.

use super::spec::Args;
use crate::model::Edit;
use crate::ui::app::{App, PendingImport, Popup};
use std::path::PathBuf;

/// `:import FILE...`.
pub(super) fn import(app: &mut App, args: &Args) -> Result<(), String> {
    let files = split_args(args.rest)?;
    if files.is_empty() {
        return Err(":import needs one or more files".into());
    }
    let files: Vec<PathBuf> = files.iter().map(|f| super::file::expand(f)).collect();
    import_files(app, &files)
}

/// Imports files as new tracks, all of them as one edit (one `u` takes them back). Each file
/// is imported against the project as the ones before it left it, so track ids and names
/// follow on; if one fails, nothing is added and the files copied so far are removed. A MIDI
/// file at another tempo than the project's: ask before importing (about the first such file),
/// so that taking its tempo is part of the same undo step.
fn import_files(app: &mut App, files: &[PathBuf]) -> Result<(), String> {
    let mut scratch = app.project.clone();
    let mut edits = Vec::new();
    let mut copied = Vec::new();
    let mut summaries = Vec::new();
    let mut offer: Option<(crate::model::TempoMap, String)> = None;
    let remove = |copied: &[PathBuf]| {
        for f in copied {
            let _ = std::fs::remove_file(f);
        }
    };
    for file in files {
        let imported = match crate::store::import::import_file(&app.dir, &scratch, file) {
            Ok(i) => i,
            Err(e) => {
                remove(&copied);
                let e = e.to_string();
                return Err(if files.len() > 1 {
                    format!("{e} (nothing imported)")
                } else {
                    e
                });
            }
        };
        if offer.is_none() {
            if let Some(tempo) = imported.file_tempo.filter(|t| *t != scratch.tempo) {
                let name = file.file_name().map_or_else(
                    || file.display().to_string(),
                    |n| n.to_string_lossy().into(),
                );
                offer = Some((tempo, name));
            }
        }
        copied.extend(imported.copied);
        summaries.push(imported.summary);
        match imported.edit.clone().apply(&mut scratch) {
            Ok(_) => edits.push(imported.edit),
            Err(e) => {
                remove(&copied);
                return Err(format!("import of '{}': {e}", file.display()));
            }
        }
    }
    let new_tracks = scratch
        .tracks
        .len()
        .saturating_sub(app.project.tracks.len());
    let (edit, summary) = if edits.len() == 1 {
        (edits.remove(0), summaries.remove(0))
    } else {
        (
            Edit::Batch(edits),
            format!(
                "Imported {} files as {new_tracks} tracks: {}",
                summaries.len(),
                summaries.join("; ")
            ),
        )
    };
    if let Some((tempo, file)) = offer {
        let pending = PendingImport {
            edit,
            tempo,
            summary,
            file,
            copied,
        };
        let question = crate::ui::views::popup::import_tempo_lines(app, &pending).join(" ");
        app.popups.push(Popup::ImportTempo(Box::new(pending)));
        app.info(question);
        return Ok(());
    }
    apply_import(app, edit, summary, copied)
}

/// Applies a held-back MIDI import (the answer to its tempo question): with the file's tempo
/// map in the same undo step when `take_tempo`.
pub fn finish_import(app: &mut App, pending: PendingImport, take_tempo: bool) {
    let (edit, summary) = if take_tempo {
        let bpm =
            crate::ui::widgets::trim_float((pending.tempo.initial_bpm() * 100.0).round() / 100.0);
        let summary = pending.summary.replace("; the project's tempo is kept", "")
            + &format!("; took its tempo ({bpm} BPM)");
        (
            Edit::Batch(vec![pending.edit, Edit::SetTempo(pending.tempo)]),
            summary,
        )
    } else {
        (pending.edit, pending.summary)
    };
    if let Err(e) = apply_import(app, edit, summary, pending.copied) {
        app.error(e);
    }
}

fn apply_import(
    app: &mut App,
    edit: Edit,
    summary: String,
    copied: Vec<PathBuf>,
) -> Result<(), String> {
    let before = app.project.tracks.len();
    if app.apply(edit, "import") {
        app.info(summary);
        // Select the first new track.
        if app.project.tracks.len() > before {
            app.arrange.track = before;
        }
        Ok(())
    } else {
        // The edit did not apply: take the copied files away again.
        for f in copied {
            let _ = std::fs::remove_file(f);
        }
        Err(std::mem::take(&mut app.status.text))
    }
}

/// Splits a command line's arguments at spaces; quotes ('…' or "…") and a backslash keep
/// spaces inside one argument, as in a shell (`:import "my song.wav" kick\ 2.wav`).
pub fn split_args(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'') | (None, '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if let Some(q) = quote {
        return Err(format!("unclosed {q} in '{line}'"));
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}
