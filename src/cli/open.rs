//! `tdaw [DIR]`: opens a project in the TUI — DIR, or the most recent project, or the demo.
//! A missing project is offered for creation when a person is at the terminal.

use crate::store::PROJECT_FILE;
use anyhow::{bail, Context};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

pub fn run(dir: Option<PathBuf>) -> anyhow::Result<()> {
    let dir = match dir {
        Some(d) => d,
        None => match most_recent() {
            Some(d) => d,
            None => super::demo::ensure_demo()?,
        },
    };
    // Anything named project.toml (a folder, a dangling link) is a broken project, said by
    // the loader; only a folder without one is offered a new project.
    if std::fs::symlink_metadata(dir.join(PROJECT_FILE)).is_err() {
        offer_to_create(&dir)?;
    }
    run_tui(&dir).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Runs the TUI; ended by a signal, the process exits at once with 128 + the signal, as a
/// shell reports it (the autosave is written and the terminal restored by then).
pub fn run_tui(dir: &Path) -> Result<(), crate::ui::UiError> {
    match crate::ui::run(dir) {
        Err(crate::ui::UiError::Signal(sig)) => std::process::exit(128 + sig),
        r => r,
    }
}

/// The most recently used project that still exists (from the store's index).
fn most_recent() -> Option<PathBuf> {
    crate::store::index::Index::open()
        .ok()?
        .most_recent_project()
}

fn offer_to_create(dir: &Path) -> anyhow::Result<()> {
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if !interactive {
        bail!(
            "{}: not a tdaw project (no {PROJECT_FILE}); create it with `tdaw new {}`",
            dir.display(),
            dir.display()
        );
    }
    print!(
        "{} holds no tdaw project. Create one there? [y/N] ",
        dir.display()
    );
    std::io::stdout().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if !matches!(answer.trim(), "y" | "Y" | "yes") {
        bail!("{}: not a tdaw project; nothing created", dir.display());
    }
    crate::store::create_project(dir, 48_000, 120.0)
        .with_context(|| format!("creating a project in {}", dir.display()))?;
    Ok(())
}
