//! `:w`, `:q`, `:q!`, `:wq`, `:x`, `:e`: saving (merged with what another writer saved, or as a
//! new folder), quitting, and opening or reloading a project.

use super::spec::Args;
use crate::ui::app::{App, Popup};
use std::path::{Path, PathBuf};

/// `:w [DIR]`, `:w! [DIR]`.
pub(super) fn write(app: &mut App, args: &Args) -> Result<(), String> {
    if args.rest.is_empty() {
        save_with(app, args.bang())
    } else {
        save_as(app, &expand(args.rest), args.bang())
    }
}

/// `:q`: asks first when there are unsaved changes.
pub(super) fn quit(app: &mut App, _: &Args) -> Result<(), String> {
    if app.unsaved() {
        app.popups.push(Popup::ConfirmQuit);
    } else {
        app.quit = true;
    }
    Ok(())
}

/// `:q!`.
pub(super) fn quit_now(app: &mut App, _: &Args) -> Result<(), String> {
    app.quit = true;
    Ok(())
}

/// `:wq`: vim's `:wq` always writes, `:x` only when there is something to write.
pub(super) fn write_quit(app: &mut App, args: &Args) -> Result<(), String> {
    save_with(app, args.bang())?;
    app.quit = true;
    Ok(())
}

/// `:x`.
pub(super) fn exit(app: &mut App, args: &Args) -> Result<(), String> {
    if app.unsaved() {
        save_with(app, args.bang())?;
    }
    app.quit = true;
    Ok(())
}

/// `:e [DIR]`, `:e! [DIR]`.
pub(super) fn edit(app: &mut App, args: &Args) -> Result<(), String> {
    let arg = args.rest;
    if app.unsaved() && !args.bang() {
        return Err(if arg.is_empty() {
            "there are unsaved changes: :w first, or :e! to drop them and reload".into()
        } else {
            "there are unsaved changes: :w first, or :e! DIR to drop them".into()
        });
    }
    if arg.is_empty() {
        return reload(app);
    }
    crate::ui::open::reopen(app, &expand(arg))
}

/// Saves the project (`:w`): merged with what another writer saved since it was loaded, or
/// refused when both changed the same thing. On success removes this session's autosave.
pub fn save(app: &mut App) -> Result<(), String> {
    save_with(app, false)
}

/// `:w` (`force`: `:w!`, which overwrites whatever is on disk).
fn save_with(app: &mut App, force: bool) -> Result<(), String> {
    use crate::store::{OnChange, StoreError};
    let mode = if force {
        OnChange::Overwrite
    } else {
        OnChange::Merge
    };
    let committed = crate::store::commit(
        &app.dir,
        &app.disk.base,
        app.disk.fingerprint.as_ref(),
        &app.project,
        mode,
    )
    .map_err(|e| match e {
        StoreError::Conflict { conflict, .. } => {
            format!("project.toml changed on disk — :e! reloads, :w! overwrites ({conflict})")
        }
        StoreError::ChangedOnDisk { .. } => {
            "project.toml changed on disk — :e! reloads, :w! overwrites".to_string()
        }
        e => e.to_string(),
    })?;
    let merged = committed.merged;
    if committed.project != app.project {
        // The merge holds the other writer's changes too: show and play them.
        app.project = committed.project.clone();
        app.project_changed();
    }
    *app.disk.base = committed.project;
    app.disk.fingerprint = Some(committed.fingerprint);
    app.mark_saved();
    crate::ui::autosave::discard(app);
    let mut text = format!(
        "Saved {} ({} tracks)",
        app.dir.join(crate::store::PROJECT_FILE).display(),
        app.project.tracks.len()
    );
    if let Some(what) = merged {
        text.push_str(&format!("; merged with changes made on disk ({what})"));
    }
    app.info(text);
    Ok(())
}

/// `:e` / `:e!` without a folder: reads `project.toml` again (every check of opening),
/// dropping unsaved changes.
fn reload(app: &mut App) -> Result<(), String> {
    let (project, missing, fp) = crate::store::load_tracked(&app.dir).map_err(|e| e.to_string())?;
    crate::ui::autosave::load_into(app, project, fp, true);
    crate::ui::autosave::discard(app);
    let mut text = format!(
        "Reloaded {}",
        app.dir.join(crate::store::PROJECT_FILE).display()
    );
    if !missing.is_empty() {
        text.push_str(&format!(
            " ({} missing audio file{}; those clips stay silent)",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" }
        ));
    }
    app.info(text);
    Ok(())
}

/// `:w DIR`: saves the project as a new project folder DIR (the audio files it uses are copied
/// into DIR), then the session continues there. A folder that already holds a project is
/// refused unless `force` (`:w! DIR`).
fn save_as(app: &mut App, target: &Path, force: bool) -> Result<(), String> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same(target, &app.dir) {
        return save_with(app, force);
    }
    let file = target.join(crate::store::PROJECT_FILE);
    if file.exists() && !force {
        return Err(format!(
            "{}: a project already exists there (:w! {} replaces it)",
            target.display(),
            target.display()
        ));
    }
    for sub in ["", "audio", "renders", ".tdaw"] {
        let d = target.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    // The audio first: a project.toml naming files that are not there would not open.
    let mut files: Vec<&str> = app
        .project
        .tracks
        .iter()
        .flat_map(|t| &t.clips)
        .filter_map(|c| match &c.content {
            crate::model::ClipContent::Audio(a) => Some(a.file.as_str()),
            _ => None,
        })
        .collect();
    files.sort_unstable();
    files.dedup();
    let mut copied = 0;
    let mut missing = 0;
    for rel in files {
        let from = app.dir.join(rel);
        let to = target.join(rel);
        if !from.is_file() {
            missing += 1;
            continue;
        }
        if to.exists() && same(&from, &to) {
            continue;
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::copy(&from, &to).map_err(|e| format!("{}: {e}", to.display()))?;
        copied += 1;
    }
    crate::store::save_project(target, &app.project).map_err(|e| e.to_string())?;
    let (_, _, fp) = crate::store::load_tracked(target).map_err(|e| e.to_string())?;
    // Continue on the new folder: its claim, its autosave, its peaks; the old folder's
    // autosave of this session is not needed any more.
    crate::ui::autosave::discard(app);
    app.disk.session = None;
    app.dir = target.to_path_buf();
    app.disk = crate::ui::autosave::Disk::new(target, &app.project, Some(fp));
    if let Some((id, claim)) = crate::ui::autosave::claim(target) {
        app.disk.id = id;
        app.disk.session = Some(claim);
    }
    app.peaks = crate::ui::peaks::PeakStore::new(target);
    app.mark_saved();
    app.project_changed();
    let mut text = format!(
        "Saved as {} ({} tracks, {copied} audio file{} copied); now editing there",
        file.display(),
        app.project.tracks.len(),
        if copied == 1 { "" } else { "s" }
    );
    if missing > 0 {
        text.push_str(&format!("; {missing} missing audio file(s) not copied"));
    }
    app.info(text);
    Ok(())
}

/// `~/x` → home/x; relative paths stay relative to the working directory.
pub fn expand(s: &str) -> PathBuf {
    if let Some(rest) = s.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    PathBuf::from(s)
}
