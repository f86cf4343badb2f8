//! A session's link to its project on disk: the version of `project.toml` it loaded (the base
//! of a merge) and that file's fingerprint, its own autosave, and the autosaves of sessions
//! that died.
//!
//! Each session (one TUI process) has its own autosave, `.tdaw/autosave-ID.toml`, written
//! atomically and fsynced while there are unsaved changes: 1 s after the last key once idle,
//! and every 30 s while typing goes on (job timers, set by [`arm`] after every action, say
//! when; so does the look at `project.toml` for other writers). Its first line names the `project.toml` version it
//! started from. A session's save or quit deletes only its own autosave. On open, the
//! autosave of every session that is not running (its `.tdaw/session-ID.lock` is not held)
//! and that holds something other than `project.toml` is offered, after the same checks as
//! opening a project; a bad one is reported and never loaded.

pub use super::disk::{session_id, Disk};
use crate::model::Project;
use crate::store::{lock, Fingerprint};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often unsaved changes are written while edits keep coming.
pub const INTERVAL: Duration = Duration::from_secs(30);
/// How long after the last key an idle session writes its unsaved changes.
pub const IDLE: Duration = Duration::from_secs(1);
/// How often a failed autosave (a full disk) is tried again, with no new edit needed.
pub const RETRY: Duration = Duration::from_secs(5);
/// How often `project.toml` is looked at (one stat) for changes made by another writer.
pub const POLL: Duration = Duration::from_secs(1);

/// The autosave of this process's first session in a project folder.
pub fn path(dir: &Path) -> PathBuf {
    autosave_path(dir, session_id())
}

/// A session's autosave in a project folder.
pub fn path_for(dir: &Path, id: &str) -> PathBuf {
    autosave_path(dir, id)
}

/// Claims a session on `dir` for this process: the process's id when it is free, else the
/// next free `ID-N` (a second App in one process, as in tests). `None` where the folder
/// cannot hold the claim (read-only).
pub fn claim(dir: &Path) -> Option<(String, lock::SessionLock)> {
    let what = format!("tdaw (editing {})", dir.display());
    for n in 1..100 {
        let id = if n == 1 {
            session_id().to_string()
        } else {
            format!("{}-{n}", session_id())
        };
        match lock::claim_session(dir, &id, &what) {
            Ok(l) => return Some((id, l)),
            Err(crate::store::StoreError::Locked { .. }) => continue,
            Err(_) => return None,
        }
    }
    None
}

fn autosave_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(".tdaw").join(format!("autosave-{id}.toml"))
}

/// The session an autosave file belongs to (`None` for the single autosave of old versions).
fn session_of(file: &Path) -> Option<String> {
    let name = file.file_name()?.to_string_lossy().into_owned();
    name.strip_prefix("autosave-")?
        .strip_suffix(".toml")
        .map(str::to_string)
}

/// Writes `project` as session `id`'s autosave (temporary file, fsync, rename, fsync of the
/// folder). `based_on` is the `project.toml` version the session loaded.
pub fn write_based_on(
    dir: &Path,
    id: &str,
    project: &Project,
    based_on: Option<&Fingerprint>,
) -> Result<(), String> {
    let p = path_for(dir, id);
    let text =
        crate::store::format::to_toml(project).map_err(|e| format!("{}: {e}", p.display()))?;
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let header = format!(
        "# tdaw autosave of session {id}; based on project.toml fnv1a={}\n",
        based_on.map_or("none".to_string(), |f| format!("{:016x}", f.hash))
    );
    crate::store::atomic::write_atomic(&p, (header + &text).as_bytes())
        .map_err(|e| format!("{}: {e}", p.display()))
}

/// Writes the autosave at [`path`] (not knowing which `project.toml` it is based on).
pub fn write(dir: &Path, project: &Project) -> Result<(), String> {
    write_based_on(dir, session_id(), project, None)
}

/// Removes the App's own autosave (after a save or a clean quit); others' stay.
pub fn discard(app: &super::app::App) {
    let _ = std::fs::remove_file(path_for(&app.dir, &app.disk.id));
}

/// An autosave of a session that is not running.
#[derive(Debug)]
pub enum Found {
    /// It passed every check of opening and differs from `project.toml`. When it was made
    /// from an older `project.toml`, `project` is its merge with the current one (the older
    /// one found among the backups), and `note` says so.
    Offer {
        file: PathBuf,
        project: Box<Project>,
        note: String,
    },
    /// It failed a check: the sentence says which; it is never loaded.
    Bad { file: PathBuf, error: String },
}

/// The autosaves of sessions that are not running, other than `own` (the id of a session
/// claimed by this App), holding something other than `project` (what `project.toml` holds
/// now, with content hash `current`); oldest first.
pub fn check_all(
    dir: &Path,
    project: &Project,
    current: Option<u64>,
    own: Option<&str>,
) -> Vec<Found> {
    let Ok(entries) = std::fs::read_dir(dir.join(".tdaw")) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n == "autosave.toml" || (n.starts_with("autosave-") && n.ends_with(".toml"))
            })
        })
        .filter(|p| match session_of(p) {
            Some(id) => Some(id.as_str()) != own && !lock::session_alive(dir, &id),
            None => true,
        })
        .map(|p| {
            let t = std::fs::metadata(&p)
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            (t, p)
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    for (_, file) in files {
        match check_file(dir, &file) {
            Ok((p, based_on)) if p != *project => {
                let (p, note) = catch_up(dir, p, based_on, project, current);
                out.push(Found::Offer {
                    file,
                    project: Box::new(p),
                    note,
                })
            }
            Ok(_) => {
                // Nothing in it that project.toml lacks.
                let _ = std::fs::remove_file(&file);
            }
            Err(error) => out.push(Found::Bad { file, error }),
        }
    }
    out
}

/// Exactly the checks of opening a project: format, values, clip paths confined to the
/// folder (symlinks included). Missing audio files are allowed, as on open. Also returns the
/// hash of the `project.toml` the autosave was made from, when its first line names it.
fn check_file(dir: &Path, file: &Path) -> Result<(Project, Option<u64>), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let project = crate::store::parse_checked(file, &bytes).map_err(|e| e.to_string())?;
    crate::store::paths::check_clip_paths_on_disk(dir, &project)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let based_on = bytes
        .split(|&b| b == b'\n')
        .next()
        .and_then(|line| std::str::from_utf8(line).ok())
        .and_then(|line| line.split_once("fnv1a="))
        .and_then(|(_, h)| u64::from_str_radix(h.trim(), 16).ok());
    Ok((project, based_on))
}

/// An autosave made from an older `project.toml` than today's would, recovered as it is,
/// undo what was saved since. With that older version among the backups, the autosave is
/// merged with today's file; otherwise the note warns.
fn catch_up(
    dir: &Path,
    auto: Project,
    based_on: Option<u64>,
    now: &Project,
    current: Option<u64>,
) -> (Project, String) {
    let (Some(based_on), Some(current)) = (based_on, current) else {
        return (auto, String::new());
    };
    if based_on == current {
        return (auto, String::new());
    }
    let backups = dir.join(crate::store::BACKUP_DIR);
    let base = crate::store::atomic::list_backups(&backups)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .filter_map(|b| std::fs::read(&b).ok().map(|bytes| (b, bytes)))
        .find(|(_, bytes)| lock::content_hash(bytes) == based_on)
        .and_then(|(b, bytes)| crate::store::parse_checked(&b, &bytes).ok());
    match base.map(|base| crate::model::merge::three_way(&base, &auto, now)) {
        Some(Ok(merged)) => (
            merged,
            "merged with what was saved since it was made".into(),
        ),
        Some(Err(c)) => (
            auto,
            format!("older than project.toml, and {c}: recovering undoes that"),
        ),
        None => (
            auto,
            "older than project.toml: recovering undoes what was saved since".into(),
        ),
    }
}

/// An autosave worth offering (the first one), as [`check_all`] finds them.
pub fn check(dir: &Path, project: &Project) -> Option<Project> {
    check_all(dir, project, None, None)
        .into_iter()
        .find_map(|f| match f {
            Found::Offer { project, .. } => Some(*project),
            Found::Bad { .. } => None,
        })
}

/// When the autosave is next due (`None`: nothing to write). Mirrors the checks of [`tick`].
fn due(app: &super::app::App) -> Option<Instant> {
    if !app.unsaved() {
        return None;
    }
    let retry = app.disk.autosave_failing.then(|| app.last_autosave + RETRY);
    let edit = (app.history.revision() != app.autosaved_revision)
        .then(|| (app.disk.last_input + IDLE).min(app.last_autosave + INTERVAL));
    match (retry, edit) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Sets the job timers of the autosave and of the look at `project.toml` to when they are next
/// due, from the App's clocks; called after every action. Mid-drag neither runs (the project
/// holds a clip where it is not yet an edit); the drag's end sets them again.
pub fn arm(app: &mut super::app::App) {
    use super::jobs::Timer;
    if app.arrange.drag.is_some() {
        app.jobs.clear(Timer::Autosave);
        app.jobs.clear(Timer::DiskPoll);
        return;
    }
    match due(app) {
        Some(when) => app.jobs.at(when, Timer::Autosave),
        None => app.jobs.clear(Timer::Autosave),
    }
    let poll = app.disk.last_poll + POLL;
    app.jobs.at(poll, Timer::DiskPoll);
}

/// Runs when the autosave timer is due: writes the autosave when it is due. Returns an error
/// sentence to show.
pub fn tick(app: &mut super::app::App) -> Option<String> {
    if !app.unsaved() {
        return None;
    }
    let was_failing = app.disk.autosave_failing;
    let retry = was_failing && app.last_autosave.elapsed() >= RETRY;
    if !retry {
        if app.history.revision() == app.autosaved_revision {
            return None;
        }
        let idle = app.disk.last_input.elapsed() >= IDLE;
        if !idle && app.last_autosave.elapsed() < INTERVAL {
            return None;
        }
    }
    // Said once per run of failures: retries would otherwise cover a :w error every 5 s.
    now(app).filter(|_| !was_failing)
}

/// Writes the autosave now if there are unsaved changes (a signal, a lost terminal).
pub fn now(app: &mut super::app::App) -> Option<String> {
    if !app.unsaved() {
        return None;
    }
    app.autosaved_revision = app.history.revision();
    app.last_autosave = Instant::now();
    let result = write_based_on(
        &app.dir,
        &app.disk.id,
        &app.project,
        app.disk.fingerprint.as_ref(),
    );
    app.disk.autosave_failing = result.is_err();
    result.err().map(|e| format!("autosave failed: {e}"))
}

/// What the poll of `project.toml` found.
#[derive(Debug, PartialEq)]
pub enum DiskChange {
    Unchanged,
    /// Another writer replaced it: these are its bytes and fingerprint.
    Changed(Fingerprint, Vec<u8>),
}

/// Looks at `project.toml` (a stat; a read only when the stat changed) at most every
/// [`POLL`]. Returns a change once per new version on disk.
pub fn poll_disk(app: &mut super::app::App, force: bool) -> DiskChange {
    if !force && app.disk.last_poll.elapsed() < POLL {
        return DiskChange::Unchanged;
    }
    app.disk.last_poll = Instant::now();
    let Some(known) = app.disk.fingerprint else {
        return DiskChange::Unchanged;
    };
    let path = app.dir.join(crate::store::PROJECT_FILE);
    match std::fs::metadata(&path) {
        Ok(meta) if known.same_stat(&meta) => return DiskChange::Unchanged,
        Ok(_) => {}
        // Gone or unreadable: nothing to merge; :w writes it again.
        Err(_) => return DiskChange::Unchanged,
    }
    match Fingerprint::of_file(&path) {
        Ok(Some((fp, bytes))) if fp.hash != known.hash => {
            if app.disk.told == Some(fp.hash) {
                return DiskChange::Unchanged;
            }
            app.disk.told = Some(fp.hash);
            DiskChange::Changed(fp, bytes)
        }
        Ok(Some((fp, _))) => {
            // Same content, new stat (touched, or rewritten identically).
            app.disk.fingerprint = Some(fp);
            DiskChange::Unchanged
        }
        _ => DiskChange::Unchanged,
    }
}

/// Reacts to another writer's save: an unmodified session reloads it quietly (engine too); a
/// modified one says once that `:w` will merge.
pub fn follow_disk(app: &mut super::app::App) -> bool {
    let DiskChange::Changed(fp, bytes) = poll_disk(app, false) else {
        return false;
    };
    let file = app.dir.join(crate::store::PROJECT_FILE);
    if app.unsaved() {
        app.error("project.toml changed on disk; :w merges, :e! reloads, :w! overwrites");
        return true;
    }
    match crate::store::parse_checked(&file, &bytes).and_then(|p| {
        crate::store::paths::check_clip_paths_on_disk(&app.dir, &p)
            .map(|_| p)
            .map_err(|error| crate::store::StoreError::Invalid {
                path: file.clone(),
                error,
            })
    }) {
        Ok(project) => {
            let what = crate::model::merge::describe(&app.project, &project);
            load_into(app, project, fp, true);
            app.info(format!("Reloaded project.toml, changed on disk ({what})"));
        }
        Err(e) => app.error(format!(
            "project.toml changed on disk but does not load: {e}"
        )),
    }
    true
}

/// Puts a project read from disk into the App as saved: the engine reloads it. `fresh`
/// forgets the undo history (its edits were made to another version).
pub fn load_into(app: &mut super::app::App, project: Project, fp: Fingerprint, fresh: bool) {
    app.project = project;
    if fresh {
        app.history = Default::default();
        app.autosaved_revision = 0;
    }
    *app.disk.base = app.project.clone();
    app.disk.fingerprint = Some(fp);
    app.disk.told = None;
    app.mark_saved();
    app.project_changed();
}
