//! The project folder on disk: `project.toml`, `audio/`, `renders/`, `.tdaw/`; and the
//! SQLite index of every project. Depends only on `model` (and `config` for the data dir).
//!
//! Loading trusts nothing: the text, the format version, every value (via
//! `Project::validate`) and every clip path (confined to the folder) are checked, and every
//! error names the file, the field and the problem. Saving is atomic and keeps backups; it
//! never modifies `project.toml` unless the whole new version is ready.

pub mod atomic;
pub mod format;
pub mod index;
pub mod output;
pub mod paths;
pub mod tempo_cache;

pub mod import;

use crate::model::{Project, ValidationError};
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
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
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
    let project = read_project_file(dir)?;
    let path = dir.join(PROJECT_FILE);
    let missing = paths::check_clip_paths_on_disk(dir, &project)
        .map_err(|error| StoreError::Invalid { path, error })?;
    Ok((project, missing))
}

/// Parses and validates `DIR/project.toml` without looking at the audio files.
pub fn read_project_file(dir: &Path) -> Result<Project, StoreError> {
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
        return Err(StoreError::Parse {
            path,
            message: format!(
                "is {} MB, more than the {} MB a project file may have",
                meta.len() / 1_000_000,
                MAX_PROJECT_BYTES / 1_000_000
            ),
        });
    }
    let bytes = std::fs::read(&path).map_err(io(&path))?;
    let project = format::from_bytes(&bytes).map_err(|e| StoreError::Parse {
        path: path.clone(),
        message: e.0,
    })?;
    project
        .validate()
        .map_err(|error| StoreError::Invalid { path, error })?;
    Ok(project)
}

/// Saves `DIR/project.toml` atomically, keeps the replaced version in `.tdaw/backups/`, and
/// updates the index (best effort: an index problem is a warning, never a failed save).
pub fn save_project(dir: &Path, project: &Project) -> Result<(), StoreError> {
    write_project(dir, project)?;
    index::record_best_effort(dir, project);
    Ok(())
}

/// [`save_project`] without the index update, for tools and tests that must not touch the
/// user's index.
pub fn write_project(dir: &Path, project: &Project) -> Result<(), StoreError> {
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
    match std::fs::read(&path) {
        Ok(old) if old == text.as_bytes() => return Ok(()),
        Ok(old) => {
            if let Err(e) = atomic::push_backup(&dir.join(BACKUP_DIR), &old) {
                warn(&format!(
                    "{}: could not keep a backup of the previous save: {e}",
                    dir.join(BACKUP_DIR).display()
                ));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(&path)(e)),
    }
    atomic::write_atomic(&path, text.as_bytes()).map_err(io(&path))
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
