//! The project folder on disk: `project.toml`, `audio/`, `renders/`, `.tdaw/`; and the
//! SQLite index of every project. Depends only on `model` (and `config` for the data dir).
//!
//! Loading trusts nothing: the text, the format version, every value (via
//! `Project::validate`) and every clip path (confined to the folder) are checked, and every
//! error names the file, the field and the problem. Saving is atomic and keeps backups; it
//! never modifies `project.toml` unless the whole new version is ready.

pub mod atomic;
pub mod chat;
pub mod format;
pub mod index;
pub mod lock;
pub mod output;
pub mod paths;
pub mod peaks;
pub mod presets;
pub mod recover;
pub mod tempo_cache;

pub mod import;

use crate::model::{Project, ValidationError};
pub use lock::Fingerprint;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use thiserror::Error;

pub use paths::MissingFile;

/// The project file inside a project folder.
pub const PROJECT_FILE: &str = "project.toml";

/// Where backups of earlier saves live, relative to the project folder.
pub const BACKUP_DIR: &str = ".tdaw/backups";

/// Longest `project.toml` accepted (a project with a million notes is about 30 MB).
const MAX_PROJECT_BYTES: u64 = 256 * 1024 * 1024;

/// Why a project could not be loaded or saved. Every variant names the file.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("{}: {error}", path.display())]
    Invalid {
        path: PathBuf,
        error: ValidationError,
    },
    #[error("{}: a project already exists here", path.display())]
    Exists { path: PathBuf },
    #[error("{}: not a tdaw project (no {PROJECT_FILE})", path.display())]
    NotAProject { path: PathBuf },
    #[error("{}: busy: {holder} is writing it; try again when it is done", path.display())]
    Locked { path: PathBuf, holder: String },
    #[error("{}: changed on disk since it was loaded", path.display())]
    ChangedOnDisk { path: PathBuf },
    #[error("{}: changed on disk, and {conflict} (nothing was saved)", path.display())]
    Conflict { path: PathBuf, conflict: String },
    /// An effect preset that is not there, may not be written, or cannot be read.
    #[error("{0}")]
    Preset(String),
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

type WarningSink = Box<dyn Fn(&str) + Send + Sync>;
static WARNING_SINK: OnceLock<WarningSink> = OnceLock::new();

/// Routes the store's warnings (a backup or index update that failed while the save itself
/// succeeded) somewhere other than stderr, e.g. the TUI's status line. Only the first call
/// has an effect; returns whether it did.
pub fn set_warning_sink(sink: impl Fn(&str) + Send + Sync + 'static) -> bool {
    WARNING_SINK.set(Box::new(sink)).is_ok()
}

/// Reports a problem that did not stop the operation: one line.
pub(crate) fn warn(message: &str) {
    let line = message.replace(['\n', '\r'], " ");
    match WARNING_SINK.get() {
        Some(sink) => sink(&line),
        None => eprintln!("warning: {line}"),
    }
}

/// Reads `DIR/project.toml` and checks everything: syntax, format version (migrating older
/// files), values, references, clip paths confined to the folder, and that every audio file
/// is there.
pub fn load_project(dir: &Path) -> Result<Project, StoreError> {
    let (project, missing) = load_project_allow_missing(dir)?;
    if let Some(m) = missing.first() {
        return Err(StoreError::Invalid {
            path: dir.join(PROJECT_FILE),
            error: ValidationError {
                field: m.field.clone(),
                problem: format!("audio file '{}' is missing", m.file),
            },
        });
    }
    Ok(project)
}

/// Like [`load_project`], but audio files that are missing are returned instead of failing,
/// so a UI can open the project and say which clips are silent. Paths that leave the folder
/// are still errors.
pub fn load_project_allow_missing(dir: &Path) -> Result<(Project, Vec<MissingFile>), StoreError> {
    recover::recover_recordings(dir);
    let project = read_project_file(dir)?;
    let path = dir.join(PROJECT_FILE);
    let missing = paths::check_clip_paths_on_disk(dir, &project)
        .map_err(|error| StoreError::Invalid { path, error })?;
    Ok((project, missing))
}

/// Parses and validates `DIR/project.toml` without looking at the audio files.
pub fn read_project_file(dir: &Path) -> Result<Project, StoreError> {
    read_tracked(dir).map(|(p, _)| p)
}

/// Like [`load_project_allow_missing`], and also returns the fingerprint of the file that was
/// read, for a session that will save later ([`commit`]) or watch for changes on disk.
pub fn load_tracked(dir: &Path) -> Result<(Project, Vec<MissingFile>, Fingerprint), StoreError> {
    recover::recover_recordings(dir);
    let (project, fp) = read_tracked(dir)?;
    let path = dir.join(PROJECT_FILE);
    let missing = paths::check_clip_paths_on_disk(dir, &project)
        .map_err(|error| StoreError::Invalid { path, error })?;
    Ok((project, missing, fp))
}

/// Reads and checks `DIR/project.toml`; the fingerprint describes exactly the bytes parsed.
fn read_tracked(dir: &Path) -> Result<(Project, Fingerprint), StoreError> {
    let path = dir.join(PROJECT_FILE);
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::NotAProject {
                path: dir.to_path_buf(),
            })
        }
        Err(e) => return Err(io(&path)(e)),
    };
    if !meta.is_file() {
        return Err(StoreError::Parse {
            path,
            message: "is not a regular file".into(),
        });
    }
    if meta.len() > MAX_PROJECT_BYTES {
        return Err(too_big(path, meta.len()));
    }
    let (fp, bytes) = match Fingerprint::of_file(&path).map_err(io(&path))? {
        Some(x) => x,
        None => {
            return Err(StoreError::NotAProject {
                path: dir.to_path_buf(),
            })
        }
    };
    if bytes.len() as u64 > MAX_PROJECT_BYTES {
        return Err(too_big(path, bytes.len() as u64));
    }
    let project = parse_checked(&path, &bytes)?;
    Ok((project, fp))
}

fn too_big(path: PathBuf, len: u64) -> StoreError {
    StoreError::Parse {
        path,
        message: format!(
            "is {} MB, more than the {} MB a project file may have",
            len / 1_000_000,
            MAX_PROJECT_BYTES / 1_000_000
        ),
    }
}

/// Parses and validates project bytes read from `path` (project.toml or an autosave).
pub fn parse_checked(path: &Path, bytes: &[u8]) -> Result<Project, StoreError> {
    let mut project = format::from_bytes(bytes).map_err(|e| StoreError::Parse {
        path: path.to_path_buf(),
        message: e.0,
    })?;
    // Effects written before effects had ids get theirs (the same ones on every load).
    project.assign_fx_ids();
    project.validate().map_err(|error| StoreError::Invalid {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(project)
}

/// Saves `DIR/project.toml` atomically, keeps the replaced version in `.tdaw/backups/`, and
/// updates the index (best effort: an index problem is a warning, never a failed save).
/// Overwrites whatever is on disk (under the write lock); sessions use [`commit`].
pub fn save_project(dir: &Path, project: &Project) -> Result<(), StoreError> {
    write_project(dir, project)?;
    index::record_best_effort(dir, project);
    Ok(())
}

/// [`save_project`] without the index update, for tools and tests that must not touch the
/// user's index.
pub fn write_project(dir: &Path, project: &Project) -> Result<(), StoreError> {
    let _lock = lock::lock_project(dir, &what_am_i(), lock::LOCK_WAIT)?;
    let path = dir.join(PROJECT_FILE);
    let current = Fingerprint::of_file(&path).map_err(io(&path))?;
    write_locked(dir, project, current.as_ref().map(|(_, b)| b.as_slice())).map(|_| ())
}

/// What this process is, for lock messages ("tdaw import").
fn what_am_i() -> String {
    let args: Vec<String> = std::env::args().take(2).collect();
    let name = args
        .first()
        .and_then(|a| Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tdaw".into());
    match args.get(1) {
        Some(sub) if !sub.starts_with('-') && !sub.contains('/') => format!("{name} {sub}"),
        _ => name,
    }
}

/// Writes `project` as `DIR/project.toml` whose current bytes are `old`; the caller holds the
/// write lock. Backups rotate only once the new version is completely written. Returns the
/// new file's fingerprint.
fn write_locked(
    dir: &Path,
    project: &Project,
    old: Option<&[u8]>,
) -> Result<Fingerprint, StoreError> {
    let path = dir.join(PROJECT_FILE);
    project.validate().map_err(|error| StoreError::Invalid {
        path: path.clone(),
        error,
    })?;
    paths::check_clip_paths_syntax(project).map_err(|error| StoreError::Invalid {
        path: path.clone(),
        error,
    })?;
    let text = format::to_toml(project).map_err(|e| StoreError::Parse {
        path: path.clone(),
        message: format!("cannot be written: {e}"),
    })?;
    let fingerprint = |path: &Path| -> Result<Fingerprint, StoreError> {
        let meta = std::fs::metadata(path).map_err(io(path))?;
        Ok(Fingerprint::new(&meta, text.as_bytes()))
    };
    if old == Some(text.as_bytes()) {
        return fingerprint(&path);
    }
    let backups = dir.join(BACKUP_DIR);
    let made = std::cell::RefCell::new(None);
    atomic::write_atomic_then(
        &path,
        text.as_bytes(),
        || {
            if let Some(old) = old {
                match atomic::link_backup(&backups, &path, old) {
                    Ok(b) => *made.borrow_mut() = b,
                    Err(e) => warn(&format!(
                        "{}: could not keep a backup of the previous save: {e}",
                        backups.display()
                    )),
                }
            }
            Ok(())
        },
        || {
            if let Some(b) = made.borrow_mut().take() {
                atomic::drop_backup(&b);
            }
        },
    )
    .map_err(io(&path))?;
    fingerprint(&path)
}

/// What [`commit`] did.
#[derive(Debug)]
pub struct Committed {
    /// The project now in `project.toml` (the merge, when there was one).
    pub project: Project,
    pub fingerprint: Fingerprint,
    /// What another writer had changed, when their version was merged in.
    pub merged: Option<String>,
}

/// What [`commit`] does when `project.toml` is no longer the version the session loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnChange {
    /// Merge the three versions (`:w`); refuse with [`StoreError::Conflict`] when both sides
    /// changed the same thing.
    Merge,
    /// Refuse with [`StoreError::ChangedOnDisk`].
    Refuse,
    /// Write anyway (`:w!`).
    Overwrite,
}

/// Saves a session's project: under the write lock, if `project.toml` is still the version
/// `base` was loaded from (`base_fp`; `None`: there was no file), `mine` is written;
/// otherwise `on_change` decides — merge, refuse, or overwrite.
pub fn commit(
    dir: &Path,
    base: &Project,
    base_fp: Option<&Fingerprint>,
    mine: &Project,
    on_change: OnChange,
) -> Result<Committed, StoreError> {
    let _lock = lock::lock_project(dir, &what_am_i(), lock::LOCK_WAIT)?;
    let path = dir.join(PROJECT_FILE);
    let current = Fingerprint::of_file(&path).map_err(io(&path))?;
    let unchanged = match (&current, base_fp) {
        (Some((fp, _)), Some(base_fp)) => fp.hash == base_fp.hash,
        // Deleted meanwhile (or never there): nothing on disk to merge with or lose.
        (None, _) => true,
        (Some(_), None) => false,
    };
    let (project, merged) = match &current {
        _ if unchanged || on_change == OnChange::Overwrite => (mine.clone(), None),
        Some((_, bytes)) if on_change == OnChange::Merge => {
            let theirs = parse_checked(&path, bytes)?;
            let merged = crate::model::merge::three_way(base, mine, &theirs).map_err(|c| {
                StoreError::Conflict {
                    path: path.clone(),
                    conflict: c.to_string(),
                }
            })?;
            let what = crate::model::merge::describe(base, &theirs);
            (merged, Some(what))
        }
        _ => return Err(StoreError::ChangedOnDisk { path }),
    };
    let fingerprint = write_locked(dir, &project, current.as_ref().map(|(_, b)| b.as_slice()))?;
    drop(_lock);
    index::record_best_effort(dir, &project);
    Ok(Committed {
        project,
        fingerprint,
        merged,
    })
}

/// The one way a headless command changes a project: loads `DIR/project.toml` (every check of
/// opening), lets `apply` change a copy (it may take long: copying and converting audio), then
/// [`commit`]s it, so what another writer saved meanwhile is merged in rather than lost, and
/// a second writer waits for the write lock instead of overwriting. When the merge conflicts
/// (both set the tempo), `apply` runs again on the new version, up to three times in all.
pub fn transact<T, E>(
    dir: &Path,
    mut apply: impl FnMut(&mut Project) -> Result<T, E>,
) -> Result<(T, Committed), E>
where
    E: From<StoreError>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (base, missing, base_fp) = load_tracked(dir)?;
        if let Some(m) = missing.first() {
            return Err(StoreError::Invalid {
                path: dir.join(PROJECT_FILE),
                error: ValidationError {
                    field: m.field.clone(),
                    problem: format!("audio file '{}' is missing", m.file),
                },
            }
            .into());
        }
        let mut mine = base.clone();
        let out = apply(&mut mine)?;
        match commit(dir, &base, Some(&base_fp), &mine, OnChange::Merge) {
            Ok(committed) => return Ok((out, committed)),
            Err(StoreError::Conflict { .. }) if attempt < 3 => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Creates a project folder holding a new, empty project, and records it in the index.
pub fn create_project(dir: &Path, sample_rate: u32, bpm: f64) -> Result<Project, StoreError> {
    let path = dir.join(PROJECT_FILE);
    if path.exists() {
        return Err(StoreError::Exists {
            path: dir.to_path_buf(),
        });
    }
    let project = Project::new(project_name_for(dir), sample_rate, bpm);
    project.validate().map_err(|error| StoreError::Invalid {
        path: path.clone(),
        error,
    })?;
    for sub in ["", "audio", "renders", ".tdaw"] {
        let p = dir.join(sub);
        std::fs::create_dir_all(&p).map_err(io(&p))?;
    }
    // create_new: if another process created the project meanwhile, do not replace it.
    let text = format::to_toml(&project).map_err(|e| StoreError::Parse {
        path: path.clone(),
        message: format!("cannot be written: {e}"),
    })?;
    write_new(&path, text.as_bytes())?;
    index::record_best_effort(dir, &project);
    Ok(project)
}

/// Writes a file that must not exist yet, durably (a temp file is linked into place, so the
/// name never holds a partial file).
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let temp = dir.join(format!(".project.toml.new-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::create(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        // hard_link fails with AlreadyExists instead of replacing, unlike rename. Where the
        // file system has no hard links, fall back to a rename after checking.
        match std::fs::hard_link(&temp, path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(e),
            Err(_) if !path.exists() => std::fs::rename(&temp, path)?,
            Err(e) => return Err(e),
        }
        atomic::sync_dir(dir)
    })();
    let _ = std::fs::remove_file(&temp);
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(StoreError::Exists {
            path: dir.to_path_buf(),
        }),
        Err(e) => Err(io(path)(e)),
    }
}

/// The project name for a folder: its last component, readable (control characters become
/// spaces, non-UTF-8 bytes become U+FFFD) and no longer than a name may be.
pub fn project_name_for(dir: &Path) -> String {
    let raw = std::path::absolute(dir)
        .ok()
        .and_then(|a| a.file_name().map(|n| n.to_string_lossy().into_owned()))
        .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let name: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(256)
        .collect();
    let name = name.trim().to_string();
    if name.is_empty() {
        "Untitled".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    #[test]
    fn save_keeps_backups_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = create_project(dir.path(), 48_000, 120.0).unwrap();
        for i in 0..7 {
            p.name = format!("v{i}");
            write_project(dir.path(), &p).unwrap();
        }
        let backups = atomic::list_backups(&dir.path().join(BACKUP_DIR)).unwrap();
        assert_eq!(backups.len(), 5);
        let newest = std::fs::read_to_string(backups.last().unwrap()).unwrap();
        assert!(newest.contains("name = \"v5\""), "{newest}");
        // Saving the same project again writes nothing and makes no backup.
        write_project(dir.path(), &p).unwrap();
        assert_eq!(
            atomic::list_backups(&dir.path().join(BACKUP_DIR)).unwrap(),
            backups
        );
        assert_eq!(load_project(dir.path()).unwrap(), p);
    }

    #[test]
    fn failed_saves_do_not_rotate_backups() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = create_project(dir.path(), 48_000, 120.0).unwrap();
        let backups = dir.path().join(BACKUP_DIR);
        for i in 0..3 {
            p.name = format!("v{i}");
            write_project(dir.path(), &p).unwrap();
        }
        let before = atomic::list_backups(&backups).unwrap();
        let file_before = std::fs::read(dir.path().join(PROJECT_FILE)).unwrap();
        for i in 0..5 {
            p.name = format!("failed{i}");
            atomic::fail_next_writes(1);
            let e = write_project(dir.path(), &p).unwrap_err().to_string();
            assert!(
                e.contains("project.toml") && e.contains("No space left"),
                "{e}"
            );
        }
        assert_eq!(atomic::list_backups(&backups).unwrap(), before);
        assert_eq!(
            std::fs::read(dir.path().join(PROJECT_FILE)).unwrap(),
            file_before
        );
        // A save over a file equal to the newest backup (restored from it) adds no duplicate.
        std::fs::copy(before.last().unwrap(), dir.path().join(PROJECT_FILE)).unwrap();
        write_project(dir.path(), &p).unwrap();
        assert_eq!(atomic::list_backups(&backups).unwrap(), before);
        p.name = "next".into();
        write_project(dir.path(), &p).unwrap();
        assert_eq!(
            atomic::list_backups(&backups).unwrap().len(),
            before.len() + 1
        );
    }

    #[test]
    fn commit_merges_or_refuses_changes_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        create_project(dir.path(), 48_000, 120.0).unwrap();
        let (base, _, fp) = load_tracked(dir.path()).unwrap();
        // Another writer adds a track.
        let mut theirs = base.clone();
        theirs
            .tracks
            .push(Track::new(TrackId(1), "Theirs", TrackKind::Midi));
        write_project(dir.path(), &theirs).unwrap();
        let mut mine = base.clone();
        mine.tempo = TempoMap::constant(99.0);
        let before = std::fs::read(dir.path().join(PROJECT_FILE)).unwrap();
        assert!(matches!(
            commit(dir.path(), &base, Some(&fp), &mine, OnChange::Refuse),
            Err(StoreError::ChangedOnDisk { .. })
        ));
        assert_eq!(
            std::fs::read(dir.path().join(PROJECT_FILE)).unwrap(),
            before
        );
        let c = commit(dir.path(), &base, Some(&fp), &mine, OnChange::Merge).unwrap();
        assert_eq!(c.merged.as_deref(), Some("track 'Theirs' added"));
        let on_disk = load_project(dir.path()).unwrap();
        assert_eq!(on_disk, c.project);
        assert_eq!(on_disk.tracks.len(), 1);
        assert_eq!(on_disk.tempo.initial_bpm(), 99.0);
        // Both changed the tempo: refused, file untouched.
        let mut other = on_disk.clone();
        other.tempo = TempoMap::constant(80.0);
        write_project(dir.path(), &other).unwrap();
        let before = std::fs::read(dir.path().join(PROJECT_FILE)).unwrap();
        let mut mine2 = c.project.clone();
        mine2.tempo = TempoMap::constant(70.0);
        let e = commit(
            dir.path(),
            &c.project,
            Some(&c.fingerprint),
            &mine2,
            OnChange::Merge,
        )
        .unwrap_err();
        assert!(e.to_string().contains("both changed tempo"), "{e}");
        assert_eq!(
            std::fs::read(dir.path().join(PROJECT_FILE)).unwrap(),
            before
        );
    }

    #[test]
    fn transact_runs_again_after_a_conflicting_save() {
        let dir = tempfile::tempdir().unwrap();
        create_project(dir.path(), 48_000, 120.0).unwrap();
        let mut attempts = 0;
        let (seen, c) = transact(dir.path(), |p| {
            attempts += 1;
            let seen = p.tempo.initial_bpm();
            if attempts == 1 {
                // Another writer saves a different tempo while this one works.
                let mut other = p.clone();
                other.tempo = TempoMap::constant(90.0);
                other
                    .tracks
                    .push(Track::new(TrackId(1), "other", TrackKind::Midi));
                write_project(dir.path(), &other).unwrap();
            }
            if p.tracks.is_empty() {
                p.tempo = TempoMap::constant(150.0);
            }
            p.tracks
                .push(Track::new(p.next_track_id(), "mine", TrackKind::Midi));
            Ok::<_, StoreError>(seen)
        })
        .unwrap();
        assert_eq!(attempts, 2);
        assert_eq!(seen, 90.0);
        let names: Vec<_> = c.project.tracks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["other", "mine"]);
        assert_eq!(load_project(dir.path()).unwrap(), c.project);
    }

    #[test]
    fn create_refuses_an_existing_project() {
        let dir = tempfile::tempdir().unwrap();
        create_project(dir.path(), 48_000, 120.0).unwrap();
        let before = std::fs::read(dir.path().join(PROJECT_FILE)).unwrap();
        assert!(matches!(
            create_project(dir.path(), 44_100, 90.0),
            Err(StoreError::Exists { .. })
        ));
        assert_eq!(
            std::fs::read(dir.path().join(PROJECT_FILE)).unwrap(),
            before
        );
    }

    #[test]
    fn clip_paths_are_confined() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.wav"), b"x").unwrap();
        let mut p = create_project(dir.path(), 48_000, 120.0).unwrap();
        let mut t = Track::new(TrackId(1), "a", TrackKind::Audio);
        t.clips.push(Clip {
            id: ClipId(1),
            name: String::new(),
            start: 0.0,
            lane: 0,
            take: None,
            content: ClipContent::Audio(AudioClip {
                file: "audio/link.wav".into(),
                offset: 0.0,
                length: 1.0,
                gain_db: 0.0,
                fade_in: 0.0,
                fade_out: 0.0,
            }),
        });
        p.tracks.push(t);
        write_project(dir.path(), &p).unwrap();
        let e = load_project(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("track[0].clip[0].file: audio file 'audio/link.wav' is missing"),
            "{e}"
        );
        std::os::unix::fs::symlink(
            outside.path().join("secret.wav"),
            dir.path().join("audio/link.wav"),
        )
        .unwrap();
        let e = load_project(dir.path()).unwrap_err().to_string();
        assert!(e.contains("leaves the project folder"), "{e}");
        std::fs::remove_file(dir.path().join("audio/link.wav")).unwrap();
        std::fs::write(dir.path().join("audio/real.wav"), b"x").unwrap();
        std::os::unix::fs::symlink("real.wav", dir.path().join("audio/link.wav")).unwrap();
        load_project(dir.path()).unwrap();
    }

    #[test]
    fn names_from_folders_are_sanitized() {
        assert_eq!(project_name_for(Path::new("/x/My Song")), "My Song");
        assert_eq!(project_name_for(Path::new("/x/a\nb")), "a b");
        use std::os::unix::ffi::OsStrExt;
        let odd = Path::new(std::ffi::OsStr::from_bytes(b"/x/caf\xe9"));
        assert_eq!(project_name_for(odd), "caf\u{fffd}");
    }
}
