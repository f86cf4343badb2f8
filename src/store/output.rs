//! Where a render (or an export) may write: never over the project's own data. One check,
//! used by `tdaw render`, its `--stems` folder and the TUI's `:render`, so a typo such as
//! `-o audio/drums.wav` or `-o project.toml` is refused before a byte is written.
//!
//! Paths are compared after resolving symlinks and `..`: the output file may not exist yet, so
//! its parent folder is canonicalized and the file name joined back (and an existing output that
//! is itself a symlink is followed to what it would overwrite).

use super::PROJECT_FILE;
use crate::model::{ClipContent, Project};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why an output path was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum OutputError {
    /// The path is inside the project's audio/ or .tdaw/, is project.toml, or a clip's file.
    #[error(
        "{}: would overwrite {what} ({rel}); choose a path outside audio/ and .tdaw/",
        out.display()
    )]
    ProjectData {
        out: PathBuf,
        /// "the project's audio", "the project file", …
        what: &'static str,
        /// The project-relative path it would hit.
        rel: String,
    },
    /// The folder the output would go into does not exist (or cannot be read).
    #[error("{}: the folder {} does not exist", out.display(), folder.display())]
    NoFolder { out: PathBuf, folder: PathBuf },
    /// The output names a folder, not a file.
    #[error("{}: is a folder; name a file", out.display())]
    IsFolder { out: PathBuf },
}

/// `path` with symlinks and `..` resolved, whether or not its last component exists.
fn resolve(path: &Path) -> Result<PathBuf, OutputError> {
    if let Ok(real) = std::fs::canonicalize(path) {
        // Exists (a symlink is followed to the file it would overwrite).
        return Ok(real);
    }
    let name = match path.file_name() {
        Some(n) => n.to_owned(),
        None => {
            return Err(OutputError::IsFolder {
                out: path.to_path_buf(),
            })
        }
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let real_parent = std::fs::canonicalize(&parent).map_err(|_| OutputError::NoFolder {
        out: path.to_path_buf(),
        folder: parent.clone(),
    })?;
    Ok(real_parent.join(name))
}

/// Refuses an output path that would overwrite or land among the project's data: inside
/// `audio/` or `.tdaw/`, `project.toml`, or any file a clip uses. `dir` is the project folder.
/// Returns the resolved path on success.
pub fn check_output(dir: &Path, project: &Project, out: &Path) -> Result<PathBuf, OutputError> {
    let real = resolve(out)?;
    if real.is_dir() {
        return Err(OutputError::IsFolder {
            out: out.to_path_buf(),
        });
    }
    check_resolved(dir, project, out, &real)?;
    Ok(real)
}

/// Refuses a folder for stems that lies inside the project's `audio/` or `.tdaw/` (it may not
/// exist yet: its nearest existing ancestor is resolved).
pub fn check_output_folder(
    dir: &Path,
    project: &Project,
    folder: &Path,
) -> Result<PathBuf, OutputError> {
    // Resolve the longest existing prefix, then put the missing components back.
    let mut existing = folder.to_path_buf();
    let mut missing = Vec::new();
    let real_base = loop {
        match std::fs::canonicalize(&existing) {
            Ok(r) => break r,
            Err(_) => match (existing.file_name(), existing.parent()) {
                (Some(n), Some(p)) => {
                    missing.push(n.to_owned());
                    existing = if p.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        p.to_path_buf()
                    };
                }
                _ => {
                    return Err(OutputError::NoFolder {
                        out: folder.to_path_buf(),
                        folder: existing,
                    })
                }
            },
        }
    };
    let mut real = real_base;
    for n in missing.iter().rev() {
        if n == ".." {
            real.pop();
        } else {
            real.push(n);
        }
    }
    check_resolved(dir, project, folder, &real)?;
    Ok(real)
}

fn check_resolved(
    dir: &Path,
    project: &Project,
    out: &Path,
    real: &Path,
) -> Result<(), OutputError> {
    let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let refuse = |what: &'static str, rel: String| OutputError::ProjectData {
        out: out.to_path_buf(),
        what,
        rel,
    };
    let rel_of = |p: &Path, base: &Path, prefix: &str| {
        let tail = p.strip_prefix(base).unwrap_or(p).to_string_lossy();
        if tail.is_empty() {
            format!("{prefix}/")
        } else {
            format!("{prefix}/{tail}")
        }
    };
    for (sub, what) in [
        ("audio", "the project's audio"),
        (".tdaw", "the project's caches and backups"),
    ] {
        // Both the folder as named and where it really is (it may be a symlink).
        let named = root.join(sub);
        let mut places = vec![named.clone()];
        if let Ok(r) = std::fs::canonicalize(&named) {
            places.push(r);
        }
        for place in places {
            if real.starts_with(&place) {
                return Err(refuse(what, rel_of(real, &place, sub)));
            }
        }
    }
    let project_file = root.join(PROJECT_FILE);
    let project_file_real = std::fs::canonicalize(&project_file).unwrap_or(project_file.clone());
    if real == project_file || real == project_file_real {
        return Err(refuse("the project file", PROJECT_FILE.to_string()));
    }
    for t in &project.tracks {
        for c in &t.clips {
            if let ClipContent::Audio(a) = &c.content {
                let clip = root.join(&a.file);
                let clip_real = std::fs::canonicalize(&clip).unwrap_or(clip.clone());
                if real == clip || real == clip_real {
                    return Err(refuse("audio a clip uses", a.file.clone()));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, Project) {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("audio")).unwrap();
        std::fs::create_dir_all(d.path().join(".tdaw")).unwrap();
        std::fs::create_dir_all(d.path().join("samples")).unwrap();
        std::fs::write(d.path().join("audio/x.wav"), b"x").unwrap();
        std::fs::write(d.path().join("samples/kick.wav"), b"k").unwrap();
        std::fs::write(d.path().join(PROJECT_FILE), b"p").unwrap();
        use crate::model::{AudioClip, Clip, ClipId, Track, TrackId, TrackKind};
        let mut p = Project::new("t", 48_000, 120.0);
        let mut t = Track::new(TrackId(1), "A", TrackKind::Audio);
        t.clips.push(Clip {
            id: ClipId(1),
            name: String::new(),
            start: 0.0,
            lane: 0,
            take: None,
            content: ClipContent::Audio(AudioClip {
                file: "samples/kick.wav".into(),
                offset: 0.0,
                length: 1.0,
                gain_db: 0.0,
                fade_in: 0.0,
                fade_out: 0.0,
            }),
        });
        p.tracks.push(t);
        (d, p)
    }

    #[test]
    fn outputs_onto_project_data_are_refused_through_dots_and_symlinks() {
        let (d, p) = setup();
        let root = d.path();
        let refused = [
            root.join("audio/x.wav"),
            root.join("audio/new.wav"),
            root.join("renders/../audio/x.wav"),
            root.join(".tdaw/r.wav"),
            root.join("project.toml"),
            root.join("samples/kick.wav"),
        ];
        std::fs::create_dir_all(root.join("renders")).unwrap();
        for out in &refused {
            let e = check_output(root, &p, out).unwrap_err();
            assert!(matches!(e, OutputError::ProjectData { .. }), "{out:?}: {e}");
        }
        let e = check_output(root, &p, &root.join("audio/x.wav")).unwrap_err();
        assert!(e.to_string().ends_with(
            "would overwrite the project's audio (audio/x.wav); choose a path outside audio/ and .tdaw/"
        ), "{e}");
        // A symlinked folder and a symlinked file that point into the project's data.
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(root.join("audio"), outside.path().join("a")).unwrap();
        std::os::unix::fs::symlink(root.join("project.toml"), outside.path().join("p.wav"))
            .unwrap();
        assert!(check_output(root, &p, &outside.path().join("a/y.wav")).is_err());
        assert!(check_output(root, &p, &outside.path().join("p.wav")).is_err());
        // Fine: renders/, the project root, elsewhere.
        for ok in [
            root.join("renders/mix.wav"),
            root.join("mix.wav"),
            outside.path().join("mix.flac"),
        ] {
            check_output(root, &p, &ok).unwrap();
        }
        assert!(matches!(
            check_output(root, &p, &root.join("nope/mix.wav")),
            Err(OutputError::NoFolder { .. })
        ));
        assert!(check_output_folder(root, &p, &root.join("audio/stems")).is_err());
        assert!(check_output_folder(root, &p, &root.join("x/../.tdaw/s")).is_err());
        check_output_folder(root, &p, &root.join("renders/stems/deep")).unwrap();
    }
}
