//! The project folder on disk: `project.toml`, `audio/`, `renders/`, `.tdaw/`; and the
//! SQLite index of every project. Depends only on `model`.

pub mod import;

use crate::model::{Project, ValidationError};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The project file inside a project folder.
pub const PROJECT_FILE: &str = "project.toml";

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

/// Reads and validates `DIR/project.toml`.
pub fn load_project(dir: &Path) -> Result<Project, StoreError> {
    let path = dir.join(PROJECT_FILE);
    if !path.is_file() {
        return Err(StoreError::NotAProject {
            path: dir.to_path_buf(),
        });
    }
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    let project: Project = toml::from_str(&text).map_err(|e| StoreError::Parse {
        path: path.clone(),
        message: e.message().to_string(),
    })?;
    project
        .validate()
        .map_err(|error| StoreError::Invalid { path, error })?;
    Ok(project)
}

/// Writes `DIR/project.toml`.
pub fn save_project(dir: &Path, project: &Project) -> Result<(), StoreError> {
    let path = dir.join(PROJECT_FILE);
    project.validate().map_err(|error| StoreError::Invalid {
        path: path.clone(),
        error,
    })?;
    let text = toml::to_string_pretty(project).map_err(|e| StoreError::Parse {
        path: path.clone(),
        message: e.to_string(),
    })?;
    std::fs::write(&path, text).map_err(io(&path))
}

/// Creates a project folder holding a new, empty project.
pub fn create_project(dir: &Path, sample_rate: u32, bpm: f64) -> Result<Project, StoreError> {
    if dir.join(PROJECT_FILE).exists() {
        return Err(StoreError::Exists {
            path: dir.to_path_buf(),
        });
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Untitled".into());
    let project = Project::new(name, sample_rate, bpm);
    project.validate().map_err(|error| StoreError::Invalid {
        path: dir.join(PROJECT_FILE),
        error,
    })?;
    for sub in ["", "audio", "renders", ".tdaw"] {
        let p = dir.join(sub);
        std::fs::create_dir_all(&p).map_err(io(&p))?;
    }
    save_project(dir, &project)?;
    Ok(project)
}
