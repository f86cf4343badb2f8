//! Headless commands, one file each. `anyhow` is used here and in main.rs only.

pub mod ai;
pub mod analyze;
pub mod automate;
pub mod demo;
pub mod devices;
pub mod export_midi;
pub mod fx;
pub mod import;
pub mod info;
pub mod list;
pub mod listen;
pub mod mcp;
pub mod midi;
pub mod midi_chords;
pub mod midi_edit;
pub mod monitor;
pub mod new;
pub mod open;
pub mod play;
pub mod preset;
pub mod record;
pub mod render;
pub mod send;
pub mod take;
pub mod theory;
pub mod track;

use crate::model::{Edit, History, Project};
use std::path::Path;

/// The editing commands' one way to change a project: ONE edit, made by `make` from the
/// project as it is on disk (under the write lock, merged with another writer's save, saved
/// atomically by `store::transact`), applied as one undo step. `make` refuses with one
/// sentence; then nothing is written. Returns what `make` returned.
pub(crate) fn edit_project<T>(
    dir: &Path,
    label: &str,
    mut make: impl FnMut(&Project) -> Result<(Edit, T), String>,
) -> anyhow::Result<T> {
    let (out, _) = crate::store::transact(dir, |project| -> anyhow::Result<T> {
        let (edit, out) = make(project).map_err(anyhow::Error::msg)?;
        History::default()
            .apply(project, edit, label)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(out)
    })?;
    Ok(out)
}

/// An error chain as one line: `outer: inner: cause`, newlines folded.
pub fn one_line(e: &anyhow::Error) -> String {
    format!("{e:#}").replace(['\n', '\r'], " ")
}
