//! `tdaw analyze`.

/// Arguments of `tdaw analyze`.
#[derive(clap::Args)]
#[command(disable_help_flag = false, trailing_var_arg = true)]
pub struct Args {
    /// Arguments (reserved until analysis lands).
    #[arg(allow_hyphen_values = true)]
    rest: Vec<String>,
}

pub fn run(_args: Args) -> anyhow::Result<()> {
    Err(super::not_available("analyze", "analysis"))
}
