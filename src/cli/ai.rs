//! `tdaw ai`: one question to the assistant (CONTRACT.md).

use std::path::PathBuf;

/// Arguments of `tdaw ai`.
#[derive(clap::Args)]
pub struct Args {
    /// The project the question is about (its summary goes with the question; a proposed
    /// change is made to it).
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// offline (the default when no key is configured), openai, anthropic or openai-compatible.
    #[arg(long, value_enum)]
    pub provider: Option<crate::ai::ProviderKind>,
    /// The model name (the provider's default when absent).
    #[arg(long)]
    pub model: Option<String>,
    /// The server's base URL (openai-compatible: e.g. http://127.0.0.1:11434/v1).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Print the structured suggestion as JSON (with the proposed change under "changes").
    #[arg(long)]
    pub json: bool,
    /// Apply the proposed change to the project as one undo step (without it: print the diff).
    #[arg(long)]
    pub apply: bool,
    /// The question.
    pub prompt: String,
}

pub fn run(_args: Args) -> anyhow::Result<()> {
    Err(super::not_available("ai", "the assistant"))
}
