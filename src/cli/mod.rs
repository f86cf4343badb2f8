//! Headless commands, one file each. `anyhow` is used here and in main.rs only.

pub mod ai;
pub mod analyze;
pub mod demo;
pub mod devices;
pub mod export_midi;
pub mod import;
pub mod info;
pub mod list;
pub mod new;
pub mod open;
pub mod play;
pub mod render;

/// An error chain as one line: `outer: inner: cause`, newlines folded.
pub fn one_line(e: &anyhow::Error) -> String {
    format!("{e:#}").replace(['\n', '\r'], " ")
}

/// The error of a command whose capability has not landed in this build.
pub(crate) fn not_available(command: &str, capability: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "`tdaw {command}` is not available yet: {capability} has not landed in this build"
    )
}
