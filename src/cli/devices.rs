//! `tdaw devices`.

/// Arguments of `tdaw devices`.
#[derive(clap::Args)]
#[command(disable_help_flag = false, trailing_var_arg = true)]
pub struct Args {
    /// Arguments (reserved until the audio engine lands).
    #[arg(allow_hyphen_values = true)]
    rest: Vec<String>,
}

pub fn run(_args: Args) -> anyhow::Result<()> {
    Err(super::not_available("devices", "the audio engine"))
}
