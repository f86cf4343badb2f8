//! `tdaw list [--json]`.

/// Arguments of `tdaw list`.
#[derive(clap::Args)]
pub struct Args {
    /// Print one JSON array.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_args: Args) -> anyhow::Result<()> {
    Err(super::not_available("list", "the project index"))
}
