//! `tdaw [DIR]`: opens a project in the TUI.

use std::path::PathBuf;

pub fn run(_dir: Option<PathBuf>) -> anyhow::Result<()> {
    Err(anyhow::anyhow!(
        "the TUI is not available yet in this build"
    ))
}
