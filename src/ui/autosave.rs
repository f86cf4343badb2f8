//! Autosave: while there are unsaved changes, the project is written to `.tdaw/autosave.toml`
//! every 30 s; on the next open a newer autosave is offered for recovery. Saving or quitting
//! cleanly removes it.

use crate::model::Project;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often unsaved changes are written.
pub const INTERVAL: Duration = Duration::from_secs(30);

/// The autosave file of a project folder.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(".tdaw").join("autosave.toml")
}

/// Writes the autosave atomically (temporary file, then rename).
pub fn write(dir: &Path, project: &Project) -> Result<(), String> {
    let p = path(dir);
    let text = toml::to_string_pretty(project).map_err(|e| format!("{}: {e}", p.display()))?;
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let tmp = p.with_extension("toml.tmp");
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &p).map_err(|e| format!("{}: {e}", p.display()))
}

/// Removes the autosave (after a save or a clean quit).
pub fn discard(dir: &Path) {
    let _ = std::fs::remove_file(path(dir));
}

/// An autosave worth offering: it parses, validates, differs from `project` and is newer than
/// `project.toml`.
pub fn check(dir: &Path, project: &Project) -> Option<Project> {
    let p = path(dir);
    let auto_time = std::fs::metadata(&p).ok()?.modified().ok()?;
    let proj_time = std::fs::metadata(dir.join(crate::store::PROJECT_FILE))
        .ok()
        .and_then(|m| m.modified().ok());
    if proj_time.is_some_and(|t| t > auto_time) {
        return None;
    }
    let text = std::fs::read_to_string(&p).ok()?;
    let recovered: Project = toml::from_str(&text).ok()?;
    recovered.validate().ok()?;
    (recovered != *project).then_some(recovered)
}

/// Called every tick: writes the autosave when it is due. Returns an error sentence to show.
pub fn tick(app: &mut super::app::App) -> Option<String> {
    let rev = app.history.revision();
    if !app.unsaved() || rev == app.autosaved_revision || app.last_autosave.elapsed() < INTERVAL {
        return None;
    }
    app.last_autosave = std::time::Instant::now();
    app.autosaved_revision = rev;
    write(&app.dir, &app.project)
        .err()
        .map(|e| format!("autosave failed: {e}"))
}
