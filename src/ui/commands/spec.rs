//! The shape of a `:` command: what its handler gets, how it runs, and its arguments as
//! completion reads them.

use crate::ui::action::{Cmd, CommandDoc};
use crate::ui::app::App;

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
    /// Candidates computed from the project, the selected track (its index) and what is typed
    /// (automation targets).
    Project(fn(&crate::model::Project, usize, &str) -> Vec<String>),
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
    /// It ends the session (`:q`, `:wq`, …): the only commands that run while the terminal is
    /// too small to show the views.
    pub quits: bool,
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

/// A table helper (see `table.rs`).
pub const fn arg(name: &'static str, kind: Kind) -> Arg {
    Arg {
        name,
        kind,
        optional: false,
    }
}

/// A table helper (see `table.rs`).
pub const fn opt(name: &'static str, kind: Kind) -> Arg {
    Arg {
        name,
        kind,
        optional: true,
    }
}

/// A table helper (see `table.rs`).
pub const fn form(keyword: &'static str, args: &'static [Arg]) -> Form {
    Form { keyword, args }
}

/// The words of an on/off argument.
pub const ON_OFF: Kind = Kind::Words(&["on", "off"]);
