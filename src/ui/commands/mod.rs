//! The `:` command line's one registry: every command is one [`Command`] of [`COMMANDS`]
//! (`table.rs`), with its name, aliases, arguments, one-line doc and handler. Dispatch
//! ([`execute`]), Tab completion (`complete.rs`), the `?` help ([`docs`]) and the key actions
//! that stand for a command ([`run_key`]: `save` is `:w`) all read this table, so none of them
//! can drift; no other code matches on command names. Handlers live in files by topic; errors
//! are sentences for the status line and the TUI keeps running.
//!
//! Key actions (`action.rs`' `Cmd`) and commands meet in two ways, never as two copies: a key
//! action listed in a command's `keys` runs that command's handler (`save`, `quit`, the track
//! and click keys), and a command whose run is [`Run::Key`] is that key action (`:undo`,
//! `:redo`, `:help`), run by the reducer, which is why [`execute`] hands it back.
//! This module never imports the reducer (`update.rs`), `app.rs` never imports it, and the views
//! never do: help gets the rows from [`docs`] through the App when it opens.

mod automate;
mod chat;
mod complete;
mod edit;
mod file;
mod import;
mod input;
mod line;
mod midi;
mod mixer;
mod project;
mod record;
mod render;
mod spec;
mod table;
mod track;
mod transport;
mod view;

use crate::ui::action::{Cmd, CommandDoc};
use crate::ui::app::App;

pub use complete::{complete, complete_path};
pub use file::{expand, save};
pub use import::{finish_import, split_args};
pub use line::{on_key, word_start_before};
pub use spec::{Arg, Args, Command, Form, Handler, Kind, Run};
pub use table::{find, COMMANDS};
pub use view::parse_grid;

/// What help lists: every command with its aliases, in table order.
pub fn docs() -> Vec<CommandDoc> {
    COMMANDS.iter().map(Command::doc).collect()
}

/// Runs a command line (without the leading `:`); errors go to the status line. Returns the
/// key action the line stands for (`:undo` is `u`), which the reducer runs.
#[must_use = "a command such as :undo is a key action the caller must run"]
pub fn execute(app: &mut App, line: &str) -> Option<Cmd> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let (name, rest) = match line.split_once(char::is_whitespace) {
        Some((c, r)) => (c, r.trim()),
        None => (line, ""),
    };
    let Some(command) = find(name) else {
        app.error(format!("unknown command ':{name}' (:help lists them)"));
        return None;
    };
    match command.run {
        Run::Key(cmd) => Some(cmd),
        Run::Handler(handler) => {
            if let Err(e) = handler(app, &Args { name, rest }) {
                app.error(e);
            }
            None
        }
    }
}

/// Whether a command line ends the session (or is empty): the only lines that run while the
/// terminal is too small.
pub fn quits(line: &str) -> bool {
    match line.split_whitespace().next() {
        None => true,
        Some(name) => find(name).is_some_and(|c| c.quits),
    }
}

/// Runs the command that a key action stands for (`save` is `:w`, `track_add_midi` is
/// `:track add midi`). False when no command lists the action.
pub fn run_key(app: &mut App, key: Cmd) -> bool {
    for command in COMMANDS {
        let Some((_, rest)) = command.keys.iter().find(|(k, _)| *k == key) else {
            continue;
        };
        if let Run::Handler(handler) = command.run {
            let args = Args {
                name: command.name,
                rest,
            };
            if let Err(e) = handler(app, &args) {
                app.error(e);
            }
        }
        return true;
    }
    false
}

#[cfg(test)]
mod tests;
