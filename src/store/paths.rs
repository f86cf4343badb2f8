//! Clip paths: relative, inside the project folder, and (when loading) pointing at a file.
//!
//! A project file is input like any other: a clip path of `../../etc/passwd`, `/etc/passwd` or
//! `audio/x.wav` where `audio/x.wav` is a symlink out of the folder must never make tdaw read
//! outside the project. The textual checks run on save too, so tdaw never writes a project it
//! would refuse to load.

use crate::model::{ClipContent, Project, ValidationError};
use std::path::{Component, Path};

/// Longest clip path accepted, in bytes (Linux's PATH_MAX is 4096).
const MAX_PATH_BYTES: usize = 4096;

/// A clip path problem, naming the clip's field.
fn err(ti: usize, ci: usize, problem: String) -> ValidationError {
    ValidationError {
        field: format!("track[{ti}].clip[{ci}].file"),
        problem,
    }
}

/// Checks that every audio clip path is relative and stays inside the folder, without
/// touching the disk.
pub fn check_clip_paths_syntax(project: &Project) -> Result<(), ValidationError> {
    for (ti, t) in project.tracks.iter().enumerate() {
        for (ci, c) in t.clips.iter().enumerate() {
            if let ClipContent::Audio(a) = &c.content {
                check_one_syntax(&a.file).map_err(|p| err(ti, ci, p))?;
            }
        }
    }
    Ok(())
}

fn check_one_syntax(file: &str) -> Result<(), String> {
    if file.is_empty() {
        return Err("is empty".into());
    }
    if file.len() > MAX_PATH_BYTES {
        return Err(format!("is longer than {MAX_PATH_BYTES} bytes"));
    }
    if file.chars().any(char::is_control) {
        return Err("contains control characters".into());
    }
    let path = Path::new(file);
    if path.is_absolute() || file.starts_with('/') || file.starts_with('\\') {
        return Err(format!(
            "'{file}' is an absolute path; clip paths are relative to the project folder"
        ));
    }
    for comp in path.components() {
        match comp {
            Component::ParentDir => {
                return Err(format!("'{file}' leaves the project folder (`..`)"));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("'{file}' is an absolute path"));
            }
            Component::CurDir | Component::Normal(_) => {}
        }
    }
    Ok(())
}

/// One audio clip whose file is not there.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingFile {
    /// The field, e.g. `track[0].clip[2].file`.
    pub field: String,
    /// The clip's path as written in the project.
    pub file: String,
}

/// Checks every audio clip path against the disk: symlinks may not lead out of `dir`
/// (a hard error); files that do not exist are returned, so the caller decides whether a
/// missing file is fatal.
pub fn check_clip_paths_on_disk(
    dir: &Path,
    project: &Project,
) -> Result<Vec<MissingFile>, ValidationError> {
    check_clip_paths_syntax(project)?;
    let root = match dir.canonicalize() {
        Ok(r) => r,
        Err(e) => {
            return Err(ValidationError {
                field: "(folder)".into(),
                problem: format!("cannot resolve the project folder: {e}"),
            })
        }
    };
    let mut missing = Vec::new();
    for (ti, t) in project.tracks.iter().enumerate() {
        for (ci, c) in t.clips.iter().enumerate() {
            let ClipContent::Audio(a) = &c.content else {
                continue;
            };
            let joined = root.join(&a.file);
            match joined.canonicalize() {
                Ok(real) => {
                    if !real.starts_with(&root) {
                        return Err(err(
                            ti,
                            ci,
                            format!(
                                "'{}' leaves the project folder (it resolves to {})",
                                a.file,
                                real.display()
                            ),
                        ));
                    }
                    if !real.is_file() {
                        return Err(err(ti, ci, format!("'{}' is not a file", a.file)));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    // A dangling symlink is missing too, but say where it points if it leaves.
                    if let Ok(target) = std::fs::read_link(&joined) {
                        let abs = joined.parent().unwrap_or(&root).join(&target);
                        if !lexically_inside(&abs, &root) {
                            return Err(err(
                                ti,
                                ci,
                                format!(
                                    "'{}' is a symlink leaving the project folder (to {})",
                                    a.file,
                                    target.display()
                                ),
                            ));
                        }
                    }
                    missing.push(MissingFile {
                        field: format!("track[{ti}].clip[{ci}].file"),
                        file: a.file.clone(),
                    });
                }
                Err(e) => {
                    return Err(err(ti, ci, format!("cannot read '{}': {e}", a.file)));
                }
            }
        }
    }
    Ok(missing)
}

/// Whether `p` stays under `root` once `.` and `..` are folded (no disk access).
fn lexically_inside(p: &Path, root: &Path) -> bool {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                if matches!(parts.last(), Some(Component::Normal(_))) {
                    parts.pop();
                } else {
                    return false;
                }
            }
            Component::CurDir => {}
            other => parts.push(other),
        }
    }
    parts
        .iter()
        .collect::<std::path::PathBuf>()
        .starts_with(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textual_checks() {
        assert!(check_one_syntax("audio/a.wav").is_ok());
        assert!(check_one_syntax("./audio/a b.wav").is_ok());
        for bad in [
            "",
            "../x.wav",
            "audio/../../etc/passwd",
            "/etc/passwd",
            "a\nb",
        ] {
            assert!(check_one_syntax(bad).is_err(), "{bad:?}");
        }
        assert!(check_one_syntax(&"a".repeat(5000)).is_err());
    }

    #[test]
    fn lexical_containment() {
        let root = Path::new("/p");
        assert!(lexically_inside(Path::new("/p/audio/../x"), root));
        assert!(!lexically_inside(Path::new("/p/audio/../../etc"), root));
        assert!(!lexically_inside(Path::new("/etc/passwd"), root));
    }
}
