//! The `:` command line's one registry: every command is one [`Command`] of [`COMMANDS`], with
//! its name, aliases, arguments, one-line doc and handler. Dispatch ([`execute`]), Tab
//! completion (`complete.rs`), the `?` help ([`docs`]) and the key actions that stand for a
//! command ([`run_key`]: `save` is `:w`) all read this table, so none of them can drift; no
//! other code matches on command names. Handlers live in files by topic; errors are sentences
//! for the status line and the TUI keeps running.
//!
//! Nothing here is imported by `app.rs` or the views: help gets the rows from [`docs`] through
//! the App when it opens.

mod complete;
mod edit;
mod file;
mod import;
mod line;
mod project;
mod render;
mod table;
mod track;
mod transport;
mod view;

use super::action::{Cmd, CommandDoc};
use super::app::App;

pub use complete::{complete, complete_path};
pub use file::{expand, save};
pub use import::{finish_import, split_args};
pub use line::{on_key, word_start_before};
pub use table::COMMANDS;
pub use track::{current_track, select_track};
pub use view::parse_grid;

/// What a handler gets: the name as typed (`w!`, `write`: a `!` changes some commands) and the
/// rest of the line, trimmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Args<'a> {
    pub name: &'a str,
    pub rest: &'a str,
}

impl Args<'_> {
    /// Whether the command was typed with a `!` (`:w!`, `:e!`).
    pub fn bang(&self) -> bool {
        self.name.ends_with('!')
    }
}

/// A command's effect: changes the App, or says why not.
pub type Handler = fn(&mut App, &Args) -> Result<(), String>;

/// How a command runs.
#[derive(Clone, Copy, Debug)]
pub enum Run {
    /// Its own handler.
    Handler(Handler),
    /// The key action of the same meaning (`:undo` is `u`), run by the reducer so that both
    /// share one code path.
    Key(Cmd),
}

/// What an argument is, for Tab completion.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A file path (files and folders complete).
    File,
    /// Several file paths, the rest of the line; spaces inside one are escaped (`my\ song.wav`).
    Files,
    /// A folder (only folders complete).
    Dir,
    /// A number (nothing completes).
    Number,
    /// Free text such as a name (nothing completes).
    Text,
    /// One of these words.
    Words(&'static [&'static str]),
    /// Candidates computed from what is typed so far (themes, instruments).
    Choices(fn(&str) -> Vec<String>),
    /// A keyword that picks the form of the arguments after it (`:track add …`, `:track rm`).
    Forms(&'static [Form]),
}

/// One form of a command with keywords: the keyword (`""` for "anything else", which never
/// completes) and the arguments that follow it.
#[derive(Clone, Copy, Debug)]
pub struct Form {
    pub keyword: &'static str,
    pub args: &'static [Arg],
}

/// One argument of a command.
#[derive(Clone, Copy, Debug)]
pub struct Arg {
    pub name: &'static str,
    pub kind: Kind,
    pub optional: bool,
}

/// A `:` command.
#[derive(Debug)]
pub struct Command {
    pub name: &'static str,
    /// Other names that run the same command (`:write` for `:w`); Tab completes them, help
    /// lists them.
    pub aliases: &'static [&'static str],
    /// The arguments as help shows them.
    pub synopsis: &'static str,
    /// The arguments, for completion.
    pub args: &'static [Arg],
    pub doc: &'static str,
    pub run: Run,
    /// Key actions that run this command, with the arguments they give it (`save` runs `:w`).
    pub keys: &'static [(Cmd, &'static str)],
}

impl Command {
    /// The name and every alias.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.aliases.iter().copied())
    }

    /// What help shows of it.
    pub fn doc(&self) -> CommandDoc {
        CommandDoc {
            name: self.name,
            aliases: self.aliases,
            args: self.synopsis,
            doc: self.doc,
        }
    }
}

/// The command a name or alias stands for.
pub fn find(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.names().any(|n| n == name))
}

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
