//! `tdaw mcp DIR [--allow-edit]`: the assistant's tools served over MCP on stdio.

use std::path::PathBuf;

/// Arguments of `tdaw mcp`.
#[derive(clap::Args)]
pub struct Args {
    /// The project folder.
    pub dir: PathBuf,
    /// Let clients change the project (each call one undo step); read-only without it.
    #[arg(long)]
    pub allow_edit: bool,
}

pub fn run(_args: Args) -> anyhow::Result<()> {
    Err(super::not_available("mcp", "the MCP server"))
}
