//! The `:` command line: the commands, their parsing and effect, and Tab completion of
//! command names, arguments and paths. Errors go to the status line; the TUI keeps running.

use super::app::{App, Popup};
use super::keymap::Mode;
use crate::model::{Edit, Key, TempoMap, TimeSignature, TrackKind};
use std::path::{Path, PathBuf};

/// A `:` command for help and completion.
pub struct ExCommand {
    pub name: &'static str,
    /// Other names that run the same command (`:write` for `:w`); Tab completes them too.
    pub aliases: &'static [&'static str],
    /// Argument synopsis.
    pub args: &'static str,
    pub doc: &'static str,
}

impl ExCommand {
    /// The name and every alias.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.aliases.iter().copied())
    }
}

/// Every `:` command.
pub const EX_COMMANDS: &[ExCommand] = &[
    ExCommand {
        name: "w",
        aliases: &["write", "w!", "write!"],
        args: "[DIR]",
        doc: "Save (merging changes made on disk); :w DIR saves as DIR; :w! overwrites",
    },
    ExCommand {
        name: "q",
        aliases: &["quit"],
        args: "",
        doc: "Quit (asks when there are unsaved changes)",
    },
    ExCommand {
        name: "q!",
        aliases: &["quit!"],
        args: "",
        doc: "Quit without saving",
    },
    ExCommand {
        name: "wq",
        aliases: &["wq!"],
        args: "",
        doc: "Save and quit",
    },
    ExCommand {
        name: "x",
        aliases: &["xit", "x!"],
        args: "",
        doc: "Save if modified, then quit",
    },
    ExCommand {
        name: "e",
        aliases: &["edit", "e!", "edit!"],
        args: "[DIR]",
        doc: "Open another project, or reload this one (e! drops unsaved changes)",
    },
    ExCommand {
        name: "bpm",
        aliases: &[],
        args: "[N]",
        doc: "Set the tempo (shows it without N)",
    },
    ExCommand {
        name: "key",
        aliases: &[],
        args: "[KEY]",
        doc: "Set the key (Am, F#, Bb minor; none clears it; shows it without KEY)",
    },
    ExCommand {
        name: "timesig",
        aliases: &[],
        args: "[N/D]",
        doc: "Set the time signature (3/4, 6/8; shows it without N/D)",
    },
    ExCommand {
        name: "track",
        aliases: &[],
        args: "add [midi|audio|bus] [NAME] | rm",
        doc: "Add a track below the selected one, or remove the selected track",
    },
    ExCommand {
        name: "rename",
        aliases: &[],
        args: "NAME",
        doc: "Rename the selected track",
    },
    ExCommand {
        name: "import",
        aliases: &[],
        args: "FILE...",
        doc: "Import audio (wav, flac, mp3, ogg) or MIDI (.mid) files as new tracks, in one undo step",
    },
    ExCommand {
        name: "render",
        aliases: &[],
        args: "FILE",
        doc: "Render the project to a WAV file",
    },
    ExCommand {
        name: "export-midi",
        aliases: &[],
        args: "FILE",
        doc: "Write the MIDI tracks as a Standard MIDI File",
    },
    ExCommand {
        name: "undo",
        aliases: &[],
        args: "",
        doc: "Undo the last edit",
    },
    ExCommand {
        name: "redo",
        aliases: &[],
        args: "",
        doc: "Redo the last undone edit",
    },
    ExCommand {
        name: "grid",
        aliases: &[],
        args: "1/16",
        doc: "Set the grid of the current view",
    },
    ExCommand {
        name: "transpose",
        aliases: &[],
        args: "N",
        doc: "Piano roll: move the selected notes (or all) by N semitones",
    },
    ExCommand {
        name: "quantize",
        aliases: &[],
        args: "",
        doc: "Piano roll: snap the selected notes (or all) to the grid",
    },
    ExCommand {
        name: "loop",
        aliases: &[],
        args: "START END | off",
        doc: "Loop bars START..END (from 1, END included), or turn the loop off",
    },
    ExCommand {
        name: "marker",
        aliases: &["mark"],
        args: "NAME | rename OLD NEW | rm [NAME] | goto NAME",
        doc: "Add a marker at the cursor; rename, remove or go to one",
    },
    ExCommand {
        name: "tempo",
        aliases: &[],
        args: "[N [@BAR[.BEAT]] | rm [@BAR]]",
        doc: "A tempo change at the cursor (or bar); rm removes it; alone: list the changes",
    },
    ExCommand {
        name: "instrument",
        aliases: &["inst"],
        args: "[N | NAME | synth:PRESET | drums[:KIT]]",
        doc: "The MIDI track's instrument (GM program 1-128); alone: the browser",
    },
    ExCommand {
        name: "fade",
        aliases: &[],
        args: "in|out BEATS (or 0.5s)",
        doc: "Fade of the audio clip under the cursor, in beats or seconds (0 removes)",
    },
    ExCommand {
        name: "gain",
        aliases: &[],
        args: "DB",
        doc: "Gain of the audio clip under the cursor, in dB",
    },
    ExCommand {
        name: "metronome",
        aliases: &["click"],
        args: "[on|off]",
        doc: "Turn the metronome click on or off (toggles without an argument)",
    },
    ExCommand {
        name: "countin",
        aliases: &["count-in"],
        args: "[on|off]",
        doc: "Turn the one-bar count-in on or off (toggles without an argument)",
    },
    ExCommand {
        name: "theme",
        aliases: &[],
        args: "NAME",
        doc: "Switch theme (dark, light, high-contrast, or your own)",
    },
    ExCommand {
        name: "help",
        aliases: &["h"],
        args: "",
        doc: "Show the keys of this view and these commands",
    },
];

/// Runs a command line (without the leading `:`).
pub fn execute(app: &mut App, line: &str) {
    let line = line.trim();
    if line.is_empty() {
        return;
    }
    let (cmd, rest) = match line.split_once(char::is_whitespace) {
        Some((c, r)) => (c, r.trim()),
        None => (line, ""),
    };
    let result = run(app, cmd, rest);
    if let Err(e) = result {
        app.error(e);
    }
}

fn run(app: &mut App, cmd: &str, arg: &str) -> Result<(), String> {
    match cmd {
        "w" | "write" | "w!" | "write!" => {
            let force = cmd.ends_with('!');
            if arg.is_empty() {
                save_with(app, force)
            } else {
                save_as(app, &expand(arg), force)
            }
        }
        "q" | "quit" => {
            if app.unsaved() {
                app.popups.push(Popup::ConfirmQuit);
            } else {
                app.quit = true;
            }
            Ok(())
        }
        "q!" | "quit!" => {
            app.quit = true;
            Ok(())
        }
        // vim: :wq always writes, :x only when there is something to write.
        "wq" | "wq!" => {
            save_with(app, cmd.ends_with('!'))?;
            app.quit = true;
            Ok(())
        }
        "x" | "xit" | "x!" => {
            if app.unsaved() {
                save_with(app, cmd.ends_with('!'))?;
            }
            app.quit = true;
            Ok(())
        }
        "e" | "edit" | "e!" | "edit!" => {
            if app.unsaved() && !cmd.ends_with('!') {
                return Err(if arg.is_empty() {
                    "there are unsaved changes: :w first, or :e! to drop them and reload".into()
                } else {
                    "there are unsaved changes: :w first, or :e! DIR to drop them".into()
                });
            }
            if arg.is_empty() {
                return reload(app);
            }
            let dir = expand(arg);
            super::open::reopen(app, &dir)
        }
        "bpm" if arg.is_empty() => {
            let t = &app.project.tempo;
            let bpm = super::views::top_bar::trim_float(t.initial_bpm());
            let changes = t.changes().len().saturating_sub(1);
            app.info(match changes {
                0 => format!("Tempo {bpm} BPM"),
                n => format!(
                    "Tempo {bpm} BPM at the start, then {n} change{}",
                    if n == 1 { "" } else { "s" }
                ),
            });
            Ok(())
        }
        "bpm" => {
            let bpm: f64 = arg
                .parse()
                .map_err(|_| format!(":bpm needs a number, not '{arg}'"))?;
            if !(crate::model::MIN_BPM..=crate::model::MAX_BPM).contains(&bpm) {
                return Err(format!(
                    "{bpm} BPM is outside {}..={}",
                    crate::model::MIN_BPM,
                    crate::model::MAX_BPM
                ));
            }
            if app.apply(Edit::SetTempo(TempoMap::constant(bpm)), "tempo") {
                app.info(format!(
                    "Tempo {} BPM",
                    super::views::top_bar::trim_float(bpm)
                ));
            }
            Ok(())
        }
        "key" if arg.is_empty() => {
            app.info(match app.project.key {
                Some(k) => format!("Key {k}"),
                None => "No key set (:key Am sets one)".into(),
            });
            Ok(())
        }
        "key" => {
            let key = if arg.eq_ignore_ascii_case("none") {
                None
            } else {
                Some(arg.parse::<Key>()?)
            };
            if app.apply(Edit::SetKey(key), "key") {
                app.info(match key {
                    Some(k) => format!("Key {k}"),
                    None => "No key".into(),
                });
            }
            Ok(())
        }
        "timesig" if arg.is_empty() => {
            let ts = app.project.time_signature;
            app.info(format!(
                "Time signature {}/{}",
                ts.numerator, ts.denominator
            ));
            Ok(())
        }
        "timesig" => {
            let bad = || format!("'{arg}' is not a time signature (try 4/4, 3/4, 6/8)");
            let (n, d) = arg.split_once('/').ok_or_else(bad)?;
            let numerator: u8 = n.trim().parse().map_err(|_| bad())?;
            let denominator: u8 = d.trim().parse().map_err(|_| bad())?;
            if numerator == 0 || numerator > 32 || ![1, 2, 4, 8, 16, 32].contains(&denominator) {
                return Err(bad());
            }
            if app.apply(
                Edit::SetTimeSignature(TimeSignature {
                    numerator,
                    denominator,
                }),
                "time signature",
            ) {
                app.info(format!("Time signature {numerator}/{denominator}"));
            }
            Ok(())
        }
        "track" => {
            let mut words = arg.split_whitespace();
            match words.next() {
                Some("add") => {
                    let rest: Vec<&str> = words.collect();
                    let (kind, name) = match rest.first().copied() {
                        Some("midi") => (TrackKind::Midi, rest[1..].join(" ")),
                        Some("audio") => (TrackKind::Audio, rest[1..].join(" ")),
                        Some("bus") => (TrackKind::Bus, rest[1..].join(" ")),
                        _ => (TrackKind::Midi, rest.join(" ")),
                    };
                    super::dispatch::add_track(app, kind, (!name.is_empty()).then_some(name));
                    Ok(())
                }
                Some("rm") | Some("remove") | Some("delete") => {
                    super::dispatch::delete_track(app);
                    Ok(())
                }
                _ => Err(":track add [midi|audio|bus] [NAME], or :track rm".into()),
            }
        }
        "metronome" | "click" => {
            let on = on_off(arg, app.metronome, ":metronome")?;
            super::dispatch::set_click(app, Some(on), None);
            Ok(())
        }
        "countin" | "count-in" => {
            let on = on_off(arg, app.count_in, ":countin")?;
            super::dispatch::set_click(app, None, Some(on));
            Ok(())
        }
        "rename" => {
            if arg.is_empty() {
                return Err(":rename needs a name".into());
            }
            let id = app.selected_track().ok_or("there is no track to rename")?;
            let old = app
                .project
                .track(id)
                .map(|t| t.name.clone())
                .unwrap_or_default();
            let edit = crate::model::ops::rename_track(&app.project, id, arg)
                .map_err(|e| e.to_string())?;
            if app.apply(edit, "rename track") {
                app.info(format!("Renamed '{old}' to '{arg}'"));
            }
            Ok(())
        }
        "import" => {
            let files = split_args(arg)?;
            if files.is_empty() {
                return Err(":import needs one or more files".into());
            }
            let files: Vec<PathBuf> = files.iter().map(|f| expand(f)).collect();
            import(app, &files)
        }
        "render" => {
            if arg.is_empty() {
                return Err(":render needs an output file, e.g. :render mix.wav".into());
            }
            render(app, &expand(arg))
        }
        "export-midi" => {
            if arg.is_empty() {
                return Err(":export-midi needs an output file, e.g. :export-midi song.mid".into());
            }
            export_midi(app, &expand(arg))
        }
        "undo" => {
            super::dispatch::run(app, super::action::Cmd::Undo, 1);
            Ok(())
        }
        "redo" => {
            super::dispatch::run(app, super::action::Cmd::Redo, 1);
            Ok(())
        }
        "grid" => {
            let g = parse_grid(arg)?;
            match app.view {
                super::keymap::ViewKind::PianoRoll => app.piano.grid = g,
                _ => app.arrange.grid = g,
            }
            app.info(format!("Grid {}", super::views::status::grid_name(g)));
            Ok(())
        }
        "transpose" => {
            let n: i32 = arg
                .parse()
                .map_err(|_| format!(":transpose needs a number of semitones, not '{arg}'"))?;
            super::dispatch::piano_transpose(app, n)
        }
        "quantize" => {
            super::dispatch::run(app, super::action::Cmd::Quantize, 1);
            Ok(())
        }
        "loop" => {
            if arg == "off" {
                match app.project.loop_region {
                    Some(mut l) if l.enabled => {
                        l.enabled = false;
                        if app.apply(Edit::SetLoop(Some(l)), "loop off") {
                            app.info("Loop off");
                        }
                    }
                    _ => app.info("The loop is already off"),
                }
                return Ok(());
            }
            let bad = || format!("'{arg}' is not a bar range (try :loop 1 4, or :loop off)");
            let mut it = arg.split_whitespace().map(|w| w.parse::<u32>());
            let (Some(Ok(a)), Some(Ok(b))) = (it.next(), it.next()) else {
                return Err(bad());
            };
            if a == 0 || b < a {
                return Err(bad());
            }
            let qpb = app.project.time_signature.quarters_per_bar();
            let l = crate::model::LoopRegion {
                start: (a - 1) as f64 * qpb,
                end: b as f64 * qpb,
                enabled: true,
            };
            if app.apply(Edit::SetLoop(Some(l)), "loop") {
                app.info(if a == b {
                    format!("Loop bar {a}")
                } else {
                    format!("Loop bars {a}–{b}")
                });
            }
            Ok(())
        }
        "marker" | "mark" => super::dispatch::at_cursor(app, |cx, here| {
            super::timeline::marker_command(cx, here, arg)
        }),
        "tempo" => super::dispatch::at_cursor(app, |cx, here| {
            super::timeline::tempo_command(cx, here, arg)
        }),
        "instrument" | "inst" => super::dispatch::command(app, arg),
        "fade" => {
            super::dispatch::at_cursor(app, |cx, here| super::timeline::fade_command(cx, here, arg))
        }
        "gain" => {
            super::dispatch::at_cursor(app, |cx, here| super::timeline::gain_command(cx, here, arg))
        }
        "theme" => {
            let t = super::theme::Theme::load(arg, app.color_depth).map_err(|e| e.to_string())?;
            app.theme = t;
            app.info(format!("Theme {arg}"));
            Ok(())
        }
        "help" | "h" => {
            app.popups.push(Popup::Help { scroll: 0 });
            Ok(())
        }
        other => Err(format!("unknown command ':{other}' (:help lists them)")),
    }
}

/// `on`, `off` or nothing (toggle `now`).
fn on_off(arg: &str, now: bool, cmd: &str) -> Result<bool, String> {
    match arg.to_ascii_lowercase().as_str() {
        "" => Ok(!now),
        "on" | "1" | "true" | "yes" => Ok(true),
        "off" | "0" | "false" | "no" => Ok(false),
        _ => Err(format!("{cmd} takes on or off, not '{arg}'")),
    }
}

/// Saves the project (`:w`): merged with what another writer saved since it was loaded, or
/// refused when both changed the same thing. On success removes this session's autosave.
pub fn save(app: &mut App) -> Result<(), String> {
    save_with(app, false)
}

/// `:w` (`force`: `:w!`, which overwrites whatever is on disk).
fn save_with(app: &mut App, force: bool) -> Result<(), String> {
    use crate::store::{OnChange, StoreError};
    let mode = if force {
        OnChange::Overwrite
    } else {
        OnChange::Merge
    };
    let committed = crate::store::commit(
        &app.dir,
        &app.disk.base,
        app.disk.fingerprint.as_ref(),
        &app.project,
        mode,
    )
    .map_err(|e| match e {
        StoreError::Conflict { conflict, .. } => {
            format!("project.toml changed on disk — :e! reloads, :w! overwrites ({conflict})")
        }
        StoreError::ChangedOnDisk { .. } => {
            "project.toml changed on disk — :e! reloads, :w! overwrites".to_string()
        }
        e => e.to_string(),
    })?;
    let merged = committed.merged;
    if committed.project != app.project {
        // The merge holds the other writer's changes too: show and play them.
        app.project = committed.project.clone();
        app.project_changed();
    }
    *app.disk.base = committed.project;
    app.disk.fingerprint = Some(committed.fingerprint);
    app.mark_saved();
    super::autosave::discard(app);
    let mut text = format!(
        "Saved {} ({} tracks)",
        app.dir.join(crate::store::PROJECT_FILE).display(),
        app.project.tracks.len()
    );
    if let Some(what) = merged {
        text.push_str(&format!("; merged with changes made on disk ({what})"));
    }
    app.info(text);
    Ok(())
}

/// `:e` / `:e!` without a folder: reads `project.toml` again (every check of opening),
/// dropping unsaved changes.
fn reload(app: &mut App) -> Result<(), String> {
    let (project, missing, fp) = crate::store::load_tracked(&app.dir).map_err(|e| e.to_string())?;
    super::autosave::load_into(app, project, fp, true);
    super::autosave::discard(app);
    let mut text = format!(
        "Reloaded {}",
        app.dir.join(crate::store::PROJECT_FILE).display()
    );
    if !missing.is_empty() {
        text.push_str(&format!(
            " ({} missing audio file{}; those clips stay silent)",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" }
        ));
    }
    app.info(text);
    Ok(())
}

/// `:w DIR`: saves the project as a new project folder DIR (the audio files it uses are copied
/// into DIR), then the session continues there. A folder that already holds a project is
/// refused unless `force` (`:w! DIR`).
fn save_as(app: &mut App, target: &Path, force: bool) -> Result<(), String> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same(target, &app.dir) {
        return save_with(app, force);
    }
    let file = target.join(crate::store::PROJECT_FILE);
    if file.exists() && !force {
        return Err(format!(
            "{}: a project already exists there (:w! {} replaces it)",
            target.display(),
            target.display()
        ));
    }
    for sub in ["", "audio", "renders", ".tdaw"] {
        let d = target.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    // The audio first: a project.toml naming files that are not there would not open.
    let mut files: Vec<&str> = app
        .project
        .tracks
        .iter()
        .flat_map(|t| &t.clips)
        .filter_map(|c| match &c.content {
            crate::model::ClipContent::Audio(a) => Some(a.file.as_str()),
            _ => None,
        })
        .collect();
    files.sort_unstable();
    files.dedup();
    let mut copied = 0;
    let mut missing = 0;
    for rel in files {
        let from = app.dir.join(rel);
        let to = target.join(rel);
        if !from.is_file() {
            missing += 1;
            continue;
        }
        if to.exists() && same(&from, &to) {
            continue;
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::copy(&from, &to).map_err(|e| format!("{}: {e}", to.display()))?;
        copied += 1;
    }
    crate::store::save_project(target, &app.project).map_err(|e| e.to_string())?;
    let (_, _, fp) = crate::store::load_tracked(target).map_err(|e| e.to_string())?;
    // Continue on the new folder: its claim, its autosave, its peaks; the old folder's
    // autosave of this session is not needed any more.
    super::autosave::discard(app);
    app.disk.session = None;
    app.dir = target.to_path_buf();
    app.disk = super::autosave::Disk::new(target, &app.project, Some(fp));
    if let Some((id, claim)) = super::autosave::claim(target) {
        app.disk.id = id;
        app.disk.session = Some(claim);
    }
    app.peaks = super::peaks::PeakStore::new(target);
    app.mark_saved();
    app.project_changed();
    let mut text = format!(
        "Saved as {} ({} tracks, {copied} audio file{} copied); now editing there",
        file.display(),
        app.project.tracks.len(),
        if copied == 1 { "" } else { "s" }
    );
    if missing > 0 {
        text.push_str(&format!("; {missing} missing audio file(s) not copied"));
    }
    app.info(text);
    Ok(())
}

/// Imports files as new tracks, all of them as one edit (one `u` takes them back). Each file
/// is imported against the project as the ones before it left it, so track ids and names
/// follow on; if one fails, nothing is added and the files copied so far are removed. A MIDI
/// file at another tempo than the project's: ask before importing (about the first such file),
/// so that taking its tempo is part of the same undo step.
fn import(app: &mut App, files: &[PathBuf]) -> Result<(), String> {
    let mut scratch = app.project.clone();
    let mut edits = Vec::new();
    let mut copied = Vec::new();
    let mut summaries = Vec::new();
    let mut offer: Option<(crate::model::TempoMap, String)> = None;
    let remove = |copied: &[PathBuf]| {
        for f in copied {
            let _ = std::fs::remove_file(f);
        }
    };
    for file in files {
        let imported = match crate::store::import::import_file(&app.dir, &scratch, file) {
            Ok(i) => i,
            Err(e) => {
                remove(&copied);
                let e = e.to_string();
                return Err(if files.len() > 1 {
                    format!("{e} (nothing imported)")
                } else {
                    e
                });
            }
        };
        if offer.is_none() {
            if let Some(tempo) = imported.file_tempo.filter(|t| *t != scratch.tempo) {
                let name = file.file_name().map_or_else(
                    || file.display().to_string(),
                    |n| n.to_string_lossy().into(),
                );
                offer = Some((tempo, name));
            }
        }
        copied.extend(imported.copied);
        summaries.push(imported.summary);
        match imported.edit.clone().apply(&mut scratch) {
            Ok(_) => edits.push(imported.edit),
            Err(e) => {
                remove(&copied);
                return Err(format!("import of '{}': {e}", file.display()));
            }
        }
    }
    let new_tracks = scratch
        .tracks
        .len()
        .saturating_sub(app.project.tracks.len());
    let (edit, summary) = if edits.len() == 1 {
        (edits.remove(0), summaries.remove(0))
    } else {
        (
            Edit::Batch(edits),
            format!(
                "Imported {} files as {new_tracks} tracks: {}",
                summaries.len(),
                summaries.join("; ")
            ),
        )
    };
    if let Some((tempo, file)) = offer {
        let pending = super::app::PendingImport {
            edit,
            tempo,
            summary,
            file,
            copied,
        };
        let question = super::views::popup::import_tempo_lines(app, &pending).join(" ");
        app.popups.push(Popup::ImportTempo(Box::new(pending)));
        app.info(question);
        return Ok(());
    }
    apply_import(app, edit, summary, copied)
}

/// Applies a held-back MIDI import (the answer to its tempo question): with the file's tempo
/// map in the same undo step when `take_tempo`.
pub fn finish_import(app: &mut App, pending: super::app::PendingImport, take_tempo: bool) {
    let (edit, summary) = if take_tempo {
        let bpm = super::views::top_bar::trim_float(
            (pending.tempo.initial_bpm() * 100.0).round() / 100.0,
        );
        let summary = pending.summary.replace("; the project's tempo is kept", "")
            + &format!("; took its tempo ({bpm} BPM)");
        (
            Edit::Batch(vec![pending.edit, Edit::SetTempo(pending.tempo)]),
            summary,
        )
    } else {
        (pending.edit, pending.summary)
    };
    if let Err(e) = apply_import(app, edit, summary, pending.copied) {
        app.error(e);
    }
}

fn apply_import(
    app: &mut App,
    edit: Edit,
    summary: String,
    copied: Vec<PathBuf>,
) -> Result<(), String> {
    let before = app.project.tracks.len();
    if app.apply(edit, "import") {
        app.info(summary);
        // Select the first new track.
        if app.project.tracks.len() > before {
            app.arrange.track = before;
        }
        Ok(())
    } else {
        // The edit did not apply: take the copied files away again.
        for f in copied {
            let _ = std::fs::remove_file(f);
        }
        Err(std::mem::take(&mut app.status.text))
    }
}

/// Splits a command line's arguments at spaces; quotes ('…' or "…") and a backslash keep
/// spaces inside one argument, as in a shell (`:import "my song.wav" kick\ 2.wav`).
pub fn split_args(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'') | (None, '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if let Some(q) = quote {
        return Err(format!("unclosed {q} in '{line}'"));
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

fn render(app: &mut App, file: &Path) -> Result<(), String> {
    if app.render.is_some() {
        return Err("a render is already running".into());
    }
    crate::store::output::check_output(&app.dir, &app.project, file).map_err(|e| e.to_string())?;
    let job = super::engine_link::RenderJob::start(
        &app.project,
        &app.dir,
        file,
        app.soundfont.clone(),
        &mut app.jobs,
    )?;
    app.render = Some(job);
    app.info(format!("Rendering {} …", file.display()));
    Ok(())
}

fn export_midi(app: &mut App, file: &Path) -> Result<(), String> {
    let midi_tracks = app
        .project
        .tracks
        .iter()
        .filter(|t| t.kind == TrackKind::Midi)
        .count();
    if midi_tracks == 0 {
        return Err("the project has no MIDI tracks to export".into());
    }
    let bytes = crate::midi::smf::export_smf(&app.project);
    std::fs::write(file, &bytes)
        .map_err(|e| format!("could not write '{}': {e}", file.display()))?;
    app.info(format!(
        "Wrote {} ({midi_tracks} MIDI tracks, {} bytes)",
        file.display(),
        bytes.len()
    ));
    Ok(())
}

/// `1/16` → 0.25 beats, `1/4` → 1, `1` → 4, `0.5` → 0.5 beats.
pub fn parse_grid(s: &str) -> Result<f64, String> {
    let bad = || format!("'{s}' is not a grid (try 1/16, 1/8, 1/4, 1/1)");
    let g = if let Some((a, b)) = s.split_once('/') {
        let a: f64 = a.trim().parse().map_err(|_| bad())?;
        let b: f64 = b.trim().parse().map_err(|_| bad())?;
        if b <= 0.0 {
            return Err(bad());
        }
        4.0 * a / b
    } else {
        let v: f64 = s.trim().parse().map_err(|_| bad())?;
        if v >= 1.0 && v.fract() == 0.0 {
            4.0 / v
        } else {
            v
        }
    };
    if !(1.0 / 64.0..=64.0).contains(&g) {
        return Err(bad());
    }
    Ok(g)
}

/// `~/x` → home/x; relative paths stay relative to the working directory.
pub fn expand(s: &str) -> PathBuf {
    if let Some(rest) = s.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    PathBuf::from(s)
}

/// Completion candidates for a command line: (the text before the completed word, candidates
/// for the word).
pub fn complete(line: &str) -> (String, Vec<String>) {
    let Some((cmd, rest)) = line.split_once(' ') else {
        // Every command of the table, aliases included, in the table's order.
        let mut names: Vec<String> = Vec::new();
        for n in EX_COMMANDS.iter().flat_map(|c| c.names()) {
            if n.starts_with(line) && !names.iter().any(|x| x == n) {
                names.push(n.to_string());
            }
        }
        return (String::new(), names);
    };
    let base = format!("{cmd} ");
    match cmd {
        // Several files: the last word completes, with its spaces escaped (`my\ song.wav`) so
        // that the line still splits into the right files.
        "import" => {
            let mut split = None;
            let mut escaped = false;
            for (i, c) in rest.char_indices() {
                if c == ' ' && !escaped {
                    split = Some(i);
                }
                escaped = c == '\\' && !escaped;
            }
            let (before, last) = match split {
                Some(i) => (&rest[..=i], &rest[i + 1..]),
                None => ("", rest),
            };
            let cands = complete_path(&last.replace("\\ ", " "), false)
                .into_iter()
                .map(|c| c.replace(' ', "\\ "))
                .collect();
            (format!("{base}{before}"), cands)
        }
        "render" | "export-midi" | "e" | "e!" | "edit" | "edit!" => {
            (base, complete_path(rest, cmd.starts_with('e')))
        }
        "marker" => (
            base,
            ["rename", "rm", "goto"]
                .iter()
                .filter(|k| k.starts_with(rest))
                .map(|k| k.to_string())
                .collect(),
        ),
        "tempo" => (
            base,
            ["rm"]
                .iter()
                .filter(|k| k.starts_with(rest))
                .map(|k| k.to_string())
                .collect(),
        ),
        "fade" => (
            base,
            ["in", "out"]
                .iter()
                .filter(|k| k.starts_with(rest))
                .map(|k| k.to_string())
                .collect(),
        ),
        "instrument" => {
            let low = rest.to_lowercase();
            let mut names: Vec<String> = crate::engine::instrument::synth_presets()
                .iter()
                .map(|p| format!("synth:{p}"))
                .chain(
                    crate::midi::gm::GM_DRUM_KITS
                        .iter()
                        .map(|(_, k)| format!("drums:{}", k.to_lowercase())),
                )
                .chain(
                    crate::midi::gm::GM_PROGRAM_NAMES
                        .iter()
                        .map(|n| format!("\"{n}\"")),
                )
                .filter(|n| {
                    n.to_lowercase()
                        .trim_start_matches('"')
                        .starts_with(low.trim_start_matches('"'))
                })
                .collect();
            names.dedup();
            (base, names)
        }
        "metronome" | "countin" => (
            base,
            ["on", "off"]
                .iter()
                .filter(|k| k.starts_with(rest))
                .map(|k| k.to_string())
                .collect(),
        ),
        "theme" => (
            base,
            super::theme::theme_names()
                .into_iter()
                .filter(|n| n.starts_with(rest))
                .collect(),
        ),
        "track" => {
            if let Some(kind) = rest.strip_prefix("add ") {
                (
                    format!("{base}add "),
                    ["midi", "audio", "bus"]
                        .iter()
                        .filter(|k| k.starts_with(kind))
                        .map(|k| k.to_string())
                        .collect(),
                )
            } else {
                (
                    base,
                    ["add", "rm"]
                        .iter()
                        .filter(|k| k.starts_with(rest))
                        .map(|k| k.to_string())
                        .collect(),
                )
            }
        }
        "key" => (
            base,
            [
                "C", "Am", "G", "Em", "D", "Bm", "F", "Dm", "Bb", "Gm", "none",
            ]
            .iter()
            .filter(|k| k.starts_with(rest))
            .map(|k| k.to_string())
            .collect(),
        ),
        _ => (base, Vec::new()),
    }
}

/// Entries of the folder named by `partial` whose names start with its last part; folders end
/// with `/`. Hidden entries only when the part starts with a dot.
pub fn complete_path(partial: &str, dirs_only: bool) -> Vec<String> {
    let (dir_part, prefix) = match partial.rfind('/') {
        Some(i) => (&partial[..=i], &partial[i + 1..]),
        None => ("", partial),
    };
    let dir = if dir_part.is_empty() {
        PathBuf::from(".")
    } else {
        expand(dir_part)
    };
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = rd
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
            if dirs_only && !is_dir {
                return None;
            }
            Some(format!("{dir_part}{name}{}", if is_dir { "/" } else { "" }))
        })
        .collect();
    out.sort();
    out
}

/// Handles a key while the command line is open.
pub fn on_key(app: &mut App, key: crossterm::event::KeyEvent) {
    use crossterm::event::{KeyCode, KeyModifiers};
    let cl = &mut app.cmdline;
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if key.code != KeyCode::Tab && key.code != KeyCode::BackTab {
        cl.completions.clear();
    }
    match key.code {
        KeyCode::Esc => {
            cl.text.clear();
            cl.cursor = 0;
            app.mode = Mode::Normal;
        }
        KeyCode::Char('c') if ctrl => {
            cl.text.clear();
            cl.cursor = 0;
            app.mode = Mode::Normal;
        }
        KeyCode::Enter => {
            let line = std::mem::take(&mut cl.text);
            cl.cursor = 0;
            cl.history_pos = None;
            if !line.trim().is_empty() && cl.history.last() != Some(&line) {
                cl.history.push(line.clone());
            }
            app.mode = Mode::Normal;
            execute(app, &line);
        }
        KeyCode::Backspace => {
            if cl.cursor == 0 {
                if cl.text.is_empty() {
                    app.mode = Mode::Normal;
                }
                return;
            }
            let at = byte_index(&cl.text, cl.cursor - 1);
            cl.text.remove(at);
            cl.cursor -= 1;
        }
        KeyCode::Delete if cl.cursor < cl.text.chars().count() => {
            let at = byte_index(&cl.text, cl.cursor);
            cl.text.remove(at);
        }
        KeyCode::Left => cl.cursor = cl.cursor.saturating_sub(1),
        KeyCode::Right => cl.cursor = (cl.cursor + 1).min(cl.text.chars().count()),
        KeyCode::Home => cl.cursor = 0,
        KeyCode::Char('a') if ctrl => cl.cursor = 0,
        KeyCode::End => cl.cursor = cl.text.chars().count(),
        KeyCode::Char('e') if ctrl => cl.cursor = cl.text.chars().count(),
        KeyCode::Char('u') if ctrl => {
            let at = byte_index(&cl.text, cl.cursor);
            cl.text.drain(..at);
            cl.cursor = 0;
        }
        KeyCode::Char('w') if ctrl => {
            let from = word_start_before(&cl.text, cl.cursor);
            let (a, b) = (byte_index(&cl.text, from), byte_index(&cl.text, cl.cursor));
            cl.text.drain(a..b);
            cl.cursor = from;
        }
        KeyCode::Up | KeyCode::Down => {
            if cl.history.is_empty() {
                return;
            }
            let last = cl.history.len() - 1;
            let pos = match (cl.history_pos, key.code) {
                (None, KeyCode::Up) => Some(last),
                (Some(p), KeyCode::Up) => Some(p.saturating_sub(1)),
                (Some(p), KeyCode::Down) if p < last => Some(p + 1),
                _ => None,
            };
            cl.history_pos = pos;
            cl.text = pos.map(|p| cl.history[p].clone()).unwrap_or_default();
            cl.cursor = cl.text.chars().count();
        }
        KeyCode::Tab | KeyCode::BackTab => {
            if cl.completions.len() > 1 {
                let n = cl.completions.len();
                cl.completion_index = if key.code == KeyCode::BackTab {
                    (cl.completion_index + n - 1) % n
                } else {
                    (cl.completion_index + 1) % n
                };
            } else {
                let (base, cands) = complete(&cl.text);
                if cands.is_empty() {
                    return;
                }
                cl.completion_base = base;
                cl.completion_index = 0;
                cl.completions = if cands.len() > 1 {
                    cands.clone()
                } else {
                    Vec::new()
                };
                cl.text = format!("{}{}", cl.completion_base, cands[0]);
                cl.cursor = cl.text.chars().count();
                return;
            }
            cl.text = format!(
                "{}{}",
                cl.completion_base, cl.completions[cl.completion_index]
            );
            cl.cursor = cl.text.chars().count();
        }
        KeyCode::Char(c) if !ctrl => {
            let at = byte_index(&cl.text, cl.cursor);
            cl.text.insert(at, c);
            cl.cursor += 1;
        }
        _ => {}
    }
}

/// Where vim's Ctrl-w on the command line starts deleting, for a cursor at `cursor` (in
/// characters): back over spaces, then over a run of word characters (letters, digits, `_`) or
/// a run of other characters (so `~/music/drums` loses `drums`, then `/`).
pub fn word_start_before(text: &str, cursor: usize) -> usize {
    let chars: Vec<char> = text.chars().take(cursor).collect();
    let mut i = chars.len();
    while i > 0 && chars[i - 1].is_whitespace() {
        i -= 1;
    }
    let word = |c: char| c.is_alphanumeric() || c == '_';
    if i > 0 {
        let kind = word(chars[i - 1]);
        while i > 0 && !chars[i - 1].is_whitespace() && word(chars[i - 1]) == kind {
            i -= 1;
        }
    }
    i
}

fn byte_index(s: &str, chars: usize) -> usize {
    s.char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_parse() {
        assert_eq!(parse_grid("1/16"), Ok(0.25));
        assert_eq!(parse_grid("1/4"), Ok(1.0));
        assert_eq!(parse_grid("1"), Ok(4.0));
        assert_eq!(parse_grid("0.5"), Ok(0.5));
        assert!(parse_grid("0").is_err() && parse_grid("x").is_err());
    }

    #[test]
    fn arguments_split_like_a_shell() {
        assert_eq!(
            split_args(r#"a.wav "my song.wav" kick\ 2.wav 'x y'"#),
            Ok(vec![
                "a.wav".to_string(),
                "my song.wav".into(),
                "kick 2.wav".into(),
                "x y".into()
            ])
        );
        assert!(split_args("\"open").is_err());
        assert_eq!(word_start_before("import ~/music/drums", 20), 15);
        assert_eq!(word_start_before("bpm 120  ", 9), 4);
    }

    #[test]
    fn command_names_complete() {
        assert_eq!(complete("ex").1, vec!["export-midi"]);
        let (base, c) = complete("track add m");
        assert_eq!((base.as_str(), c), ("track add ", vec!["midi".to_string()]));
        assert!(complete("theme hi")
            .1
            .contains(&"high-contrast".to_string()));
        assert_eq!(complete("instrument synth:pa").1, vec!["synth:pad"]);
        assert_eq!(complete("marker ren").1, vec!["rename"]);
        assert_eq!(complete("fade o").1, vec!["out"]);
    }
}
