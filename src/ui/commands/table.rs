//! The table of every `:` command: one entry each, in the order help lists them.

use super::spec::{Arg, Command, Form, Kind, Run};
use super::{edit, file, import, project, render, track, transport, view};
use crate::ui::action::Cmd;

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
        quits: false,
    },
    Command {
        name: "q",
        aliases: &["quit"],
        synopsis: "",
        args: &[],
        doc: "Quit (asks when there are unsaved changes)",
        run: Run::Handler(file::quit),
        keys: &[(Cmd::Quit, "")],
        quits: true,
    },
    Command {
        name: "q!",
        aliases: &["quit!"],
        synopsis: "",
        args: &[],
        doc: "Quit without saving",
        run: Run::Handler(file::quit_now),
        keys: &[],
        quits: true,
    },
    Command {
        name: "wq",
        aliases: &["wq!"],
        synopsis: "",
        args: &[],
        doc: "Save and quit",
        run: Run::Handler(file::write_quit),
        keys: &[],
        quits: true,
    },
    Command {
        name: "x",
        aliases: &["xit", "x!"],
        synopsis: "",
        args: &[],
        doc: "Save if modified, then quit",
        run: Run::Handler(file::exit),
        keys: &[],
        quits: true,
    },
    Command {
        name: "e",
        aliases: &["edit", "e!", "edit!"],
        synopsis: "[DIR]",
        args: &[opt("DIR", Kind::Dir)],
        doc: "Open another project, or reload this one (e! drops unsaved changes)",
        run: Run::Handler(file::edit),
        keys: &[],
        quits: false,
    },
    Command {
        name: "bpm",
        aliases: &[],
        synopsis: "[N]",
        args: &[opt("N", Kind::Number)],
        doc: "Set the tempo (shows it without N)",
        run: Run::Handler(project::bpm),
        keys: &[],
        quits: false,
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
        quits: false,
    },
    Command {
        name: "timesig",
        aliases: &[],
        synopsis: "[N/D]",
        args: &[opt("N/D", Kind::Text)],
        doc: "Set the time signature (3/4, 6/8; shows it without N/D)",
        run: Run::Handler(project::timesig),
        keys: &[],
        quits: false,
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
        quits: false,
    },
    Command {
        name: "rename",
        aliases: &[],
        synopsis: "NAME",
        args: &[arg("NAME", Kind::Text)],
        doc: "Rename the selected track",
        run: Run::Handler(track::rename),
        keys: &[],
        quits: false,
    },
    Command {
        name: "import",
        aliases: &[],
        synopsis: "FILE...",
        args: &[arg("FILE", Kind::Files)],
        doc: "Import audio (wav, flac, mp3, ogg) or MIDI (.mid) files as new tracks, in one undo step",
        run: Run::Handler(import::import),
        keys: &[],
        quits: false,
    },
    Command {
        name: "render",
        aliases: &[],
        synopsis: "FILE",
        args: &[arg("FILE", Kind::File)],
        doc: "Render the project to WAV or FLAC (esc cancels)",
        run: Run::Handler(render::render),
        keys: &[],
        quits: false,
    },
    Command {
        name: "export-midi",
        aliases: &[],
        synopsis: "FILE",
        args: &[arg("FILE", Kind::File)],
        doc: "Write the MIDI tracks as a Standard MIDI File",
        run: Run::Handler(render::export_midi),
        keys: &[],
        quits: false,
    },
    Command {
        name: "undo",
        aliases: &[],
        synopsis: "",
        args: &[],
        doc: "Undo the last edit",
        run: Run::Key(Cmd::Undo),
        keys: &[],
        quits: false,
    },
    Command {
        name: "redo",
        aliases: &[],
        synopsis: "",
        args: &[],
        doc: "Redo the last undone edit",
        run: Run::Key(Cmd::Redo),
        keys: &[],
        quits: false,
    },
    Command {
        name: "grid",
        aliases: &[],
        synopsis: "1/16",
        args: &[arg("1/16", Kind::Text)],
        doc: "Set the grid of the current view",
        run: Run::Handler(view::grid),
        keys: &[],
        quits: false,
    },
    Command {
        name: "transpose",
        aliases: &[],
        synopsis: "N",
        args: &[arg("N", Kind::Number)],
        doc: "Piano roll: move the selected notes (or all) by N semitones",
        run: Run::Handler(edit::transpose),
        keys: &[],
        quits: false,
    },
    Command {
        name: "quantize",
        aliases: &[],
        synopsis: "",
        args: &[],
        doc: "Piano roll: snap the selected notes (or all) to the grid",
        run: Run::Key(Cmd::Quantize),
        keys: &[],
        quits: false,
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
        quits: false,
    },
    Command {
        name: "marker",
        aliases: &["mark"],
        synopsis: "NAME | rename OLD NEW | rm [NAME] | goto NAME",
        args: &[opt(
            "NAME|rename|rm|goto",
            Kind::Forms(&[
                form(
                    "rename",
                    &[arg("OLD", Kind::Text), arg("NEW", Kind::Text)],
                ),
                form("rm", &[opt("NAME", Kind::Text)]),
                form("goto", &[arg("NAME", Kind::Text)]),
                form("", &[opt("NAME", Kind::Text)]),
            ]),
        )],
        doc: "Add a marker at the cursor; rename, remove or go to one",
        run: Run::Handler(edit::marker),
        keys: &[],
        quits: false,
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
        quits: false,
    },
    Command {
        name: "instrument",
        aliases: &["inst"],
        synopsis: "[N | NAME | synth:PRESET | drums[:KIT]]",
        args: &[opt("N|NAME|synth:PRESET|drums:KIT", Kind::Choices(track::instruments))],
        doc: "The MIDI track's instrument (GM program 1-128); alone: the browser",
        run: Run::Handler(track::instrument),
        keys: &[],
        quits: false,
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
        quits: false,
    },
    Command {
        name: "gain",
        aliases: &[],
        synopsis: "DB",
        args: &[arg("DB", Kind::Number)],
        doc: "Gain of the audio clip under the cursor, in dB",
        run: Run::Handler(edit::gain),
        keys: &[],
        quits: false,
    },
    Command {
        name: "metronome",
        aliases: &["click"],
        synopsis: "[on|off]",
        args: &[opt("on|off", ON_OFF)],
        doc: "Turn the metronome click on or off (toggles without an argument)",
        run: Run::Handler(transport::metronome),
        keys: &[(Cmd::MetronomeToggle, "")],
        quits: false,
    },
    Command {
        name: "countin",
        aliases: &["count-in"],
        synopsis: "[on|off]",
        args: &[opt("on|off", ON_OFF)],
        doc: "Turn the one-bar count-in on or off (toggles without an argument)",
        run: Run::Handler(transport::count_in),
        keys: &[(Cmd::CountInToggle, "")],
        quits: false,
    },
    Command {
        name: "theme",
        aliases: &[],
        synopsis: "NAME",
        args: &[arg("NAME", Kind::Choices(view::themes))],
        doc: "Switch theme (dark, light, high-contrast, or your own)",
        run: Run::Handler(view::theme),
        keys: &[],
        quits: false,
    },
    Command {
        name: "help",
        aliases: &["h"],
        synopsis: "",
        args: &[],
        doc: "Show the keys of this view and these commands",
        run: Run::Key(Cmd::Help),
        keys: &[],
        quits: false,
    },
];

/// The command a name or alias stands for.
pub fn find(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.names().any(|n| n == name))
}
