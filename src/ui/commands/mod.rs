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
mod track;
mod transport;
mod view;

use super::action::{Cmd, CommandDoc};
use super::app::App;

pub use complete::{complete, complete_path};
pub use file::{expand, save};
pub use import::{finish_import, split_args};
pub use line::{on_key, word_start_before};
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

const fn arg(name: &'static str, kind: Kind) -> Arg {
    Arg {
        name,
        kind,
        optional: false,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Arg {
    Arg {
        name,
        kind,
        optional: true,
    }
}

const fn form(keyword: &'static str, args: &'static [Arg]) -> Form {
    Form { keyword, args }
}

const ON_OFF: Kind = Kind::Words(&["on", "off"]);

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

/// Every `:` command, in the order help lists them.
pub static COMMANDS: &[Command] = &[
    Command {
        name: "w",
        aliases: &["write", "w!", "write!"],
        synopsis: "[DIR]",
        args: &[opt("DIR", Kind::Dir)],
        doc: "Save (merging changes made on disk); :w DIR saves as DIR; :w! overwrites",
        run: Run::Handler(file::write),
        keys: &[(Cmd::Save, "")],
    },
    Command {
        name: "q",
        aliases: &["quit"],
        synopsis: "",
        args: &[],
        doc: "Quit (asks when there are unsaved changes)",
        run: Run::Handler(file::quit),
        keys: &[(Cmd::Quit, "")],
    },
    Command {
        name: "q!",
        aliases: &["quit!"],
        synopsis: "",
        args: &[],
        doc: "Quit without saving",
        run: Run::Handler(file::quit_now),
        keys: &[],
    },
    Command {
        name: "wq",
        aliases: &["wq!"],
        synopsis: "",
        args: &[],
        doc: "Save and quit",
        run: Run::Handler(file::write_quit),
        keys: &[],
    },
    Command {
        name: "x",
        aliases: &["xit", "x!"],
        synopsis: "",
        args: &[],
        doc: "Save if modified, then quit",
        run: Run::Handler(file::exit),
        keys: &[],
    },
    Command {
        name: "e",
        aliases: &["edit", "e!", "edit!"],
        synopsis: "[DIR]",
        args: &[opt("DIR", Kind::Dir)],
        doc: "Open another project, or reload this one (e! drops unsaved changes)",
        run: Run::Handler(file::edit),
        keys: &[],
    },
    Command {
        name: "bpm",
        aliases: &[],
        synopsis: "[N]",
        args: &[opt("N", Kind::Number)],
        doc: "Set the tempo (shows it without N)",
        run: Run::Handler(project::bpm),
        keys: &[],
    },
    Command {
        name: "key",
        aliases: &[],
        synopsis: "[KEY]",
        args: &[opt(
            "KEY",
            Kind::Words(&[
                "C", "Am", "G", "Em", "D", "Bm", "F", "Dm", "Bb", "Gm", "none",
            ]),
        )],
        doc: "Set the key (Am, F#, Bb minor; none clears it; shows it without KEY)",
        run: Run::Handler(project::key),
        keys: &[],
    },
    Command {
        name: "timesig",
        aliases: &[],
        synopsis: "[N/D]",
        args: &[opt("N/D", Kind::Text)],
        doc: "Set the time signature (3/4, 6/8; shows it without N/D)",
        run: Run::Handler(project::timesig),
        keys: &[],
    },
    Command {
        name: "track",
        aliases: &[],
        synopsis: "add [midi|audio|bus] [NAME] | rm",
        args: &[arg(
            "add|rm",
            Kind::Forms(&[
                form(
                    "add",
                    &[
                        opt("midi|audio|bus", Kind::Words(&["midi", "audio", "bus"])),
                        opt("NAME", Kind::Text),
                    ],
                ),
                form("rm", &[]),
            ]),
        )],
        doc: "Add a track below the selected one, or remove the selected track",
        run: Run::Handler(track::track),
        keys: &[
            (Cmd::TrackAddMidi, "add midi"),
            (Cmd::TrackAddAudio, "add audio"),
            (Cmd::TrackAddBus, "add bus"),
            (Cmd::TrackDelete, "rm"),
        ],
    },
    Command {
        name: "rename",
        aliases: &[],
        synopsis: "NAME",
        args: &[arg("NAME", Kind::Text)],
        doc: "Rename the selected track",
        run: Run::Handler(track::rename),
        keys: &[],
    },
    Command {
        name: "import",
        aliases: &[],
        synopsis: "FILE...",
        args: &[arg("FILE", Kind::Files)],
        doc: "Import audio (wav, flac, mp3, ogg) or MIDI (.mid) files as new tracks, in one undo step",
        run: Run::Handler(import::import),
        keys: &[],
    },
    Command {
        name: "render",
        aliases: &[],
        synopsis: "FILE",
        args: &[arg("FILE", Kind::File)],
        doc: "Render the project to a WAV file",
        run: Run::Handler(render::render),
        keys: &[],
    },
    Command {
        name: "export-midi",
        aliases: &[],
        synopsis: "FILE",
        args: &[arg("FILE", Kind::File)],
        doc: "Write the MIDI tracks as a Standard MIDI File",
        run: Run::Handler(render::export_midi),
        keys: &[],
    },
    Command {
        name: "undo",
        aliases: &[],
        synopsis: "",
        args: &[],
        doc: "Undo the last edit",
        run: Run::Key(Cmd::Undo),
        keys: &[],
    },
    Command {
        name: "redo",
        aliases: &[],
        synopsis: "",
        args: &[],
        doc: "Redo the last undone edit",
        run: Run::Key(Cmd::Redo),
        keys: &[],
    },
    Command {
        name: "grid",
        aliases: &[],
        synopsis: "1/16",
        args: &[arg("1/16", Kind::Text)],
        doc: "Set the grid of the current view",
        run: Run::Handler(view::grid),
        keys: &[],
    },
    Command {
        name: "transpose",
        aliases: &[],
        synopsis: "N",
        args: &[arg("N", Kind::Number)],
        doc: "Piano roll: move the selected notes (or all) by N semitones",
        run: Run::Handler(edit::transpose),
        keys: &[],
    },
    Command {
        name: "quantize",
        aliases: &[],
        synopsis: "",
        args: &[],
        doc: "Piano roll: snap the selected notes (or all) to the grid",
        run: Run::Key(Cmd::Quantize),
        keys: &[],
    },
    Command {
        name: "loop",
        aliases: &[],
        synopsis: "START END | off",
        args: &[arg(
            "START|off",
            Kind::Forms(&[
                form("off", &[]),
                form(
                    "",
                    &[arg("START", Kind::Number), arg("END", Kind::Number)],
                ),
            ]),
        )],
        doc: "Loop bars START..END (from 1, END included), or turn the loop off",
        run: Run::Handler(transport::loop_bars),
        keys: &[],
    },
    Command {
        name: "marker",
        aliases: &["mark"],
        synopsis: "NAME | rename OLD NEW | rm [NAME] | goto NAME",
        args: &[arg(
            "NAME|rename|rm|goto",
            Kind::Forms(&[
                form(
                    "rename",
                    &[arg("OLD", Kind::Text), arg("NEW", Kind::Text)],
                ),
                form("rm", &[opt("NAME", Kind::Text)]),
                form("goto", &[arg("NAME", Kind::Text)]),
                form("", &[arg("NAME", Kind::Text)]),
            ]),
        )],
        doc: "Add a marker at the cursor; rename, remove or go to one",
        run: Run::Handler(edit::marker),
        keys: &[],
    },
    Command {
        name: "tempo",
        aliases: &[],
        synopsis: "[N [@BAR[.BEAT]] | rm [@BAR]]",
        args: &[opt(
            "N|rm",
            Kind::Forms(&[
                form("rm", &[opt("@BAR", Kind::Text)]),
                form(
                    "",
                    &[arg("N", Kind::Number), opt("@BAR[.BEAT]", Kind::Text)],
                ),
            ]),
        )],
        doc: "A tempo change at the cursor (or bar); rm removes it; alone: list the changes",
        run: Run::Handler(edit::tempo),
        keys: &[],
    },
    Command {
        name: "instrument",
        aliases: &["inst"],
        synopsis: "[N | NAME | synth:PRESET | drums[:KIT]]",
        args: &[opt("N|NAME|synth:PRESET|drums:KIT", Kind::Choices(track::instruments))],
        doc: "The MIDI track's instrument (GM program 1-128); alone: the browser",
        run: Run::Handler(track::instrument),
        keys: &[],
    },
    Command {
        name: "fade",
        aliases: &[],
        synopsis: "in|out BEATS (or 0.5s)",
        args: &[arg(
            "in|out",
            Kind::Forms(&[
                form("in", &[arg("BEATS", Kind::Number)]),
                form("out", &[arg("BEATS", Kind::Number)]),
            ]),
        )],
        doc: "Fade of the audio clip under the cursor, in beats or seconds (0 removes)",
        run: Run::Handler(edit::fade),
        keys: &[],
    },
    Command {
        name: "gain",
        aliases: &[],
        synopsis: "DB",
        args: &[arg("DB", Kind::Number)],
        doc: "Gain of the audio clip under the cursor, in dB",
        run: Run::Handler(edit::gain),
        keys: &[],
    },
    Command {
        name: "metronome",
        aliases: &["click"],
        synopsis: "[on|off]",
        args: &[opt("on|off", ON_OFF)],
        doc: "Turn the metronome click on or off (toggles without an argument)",
        run: Run::Handler(transport::metronome),
        keys: &[(Cmd::MetronomeToggle, "")],
    },
    Command {
        name: "countin",
        aliases: &["count-in"],
        synopsis: "[on|off]",
        args: &[opt("on|off", ON_OFF)],
        doc: "Turn the one-bar count-in on or off (toggles without an argument)",
        run: Run::Handler(transport::count_in),
        keys: &[(Cmd::CountInToggle, "")],
    },
    Command {
        name: "theme",
        aliases: &[],
        synopsis: "NAME",
        args: &[arg("NAME", Kind::Choices(view::themes))],
        doc: "Switch theme (dark, light, high-contrast, or your own)",
        run: Run::Handler(view::theme),
        keys: &[],
    },
    Command {
        name: "help",
        aliases: &["h"],
        synopsis: "",
        args: &[],
        doc: "Show the keys of this view and these commands",
        run: Run::Key(Cmd::Help),
        keys: &[],
    },
];

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
