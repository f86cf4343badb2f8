//! Registry commands that act on the App as a whole (transport, modes, undo, views, tracks,
//! the click) and the hand-off of the rest to the view on screen. The command line calls these
//! too; this module never calls the command line.

use super::action::Cmd;
use super::app::{App, InstrumentBrowser, MixerParam, Popup};
use super::ctx::Cx;
use super::engine_link::Transport;
use super::instruments::{catalogue, parse, position};
use super::keymap::{Mode, ViewKind};
use super::timeline::{self, Here};
use super::views::arrange::open_piano_roll;
use super::views::instrument::set_instrument;
use super::views::piano_roll::transpose;
use crate::model::{Edit, TrackField, TrackId, TrackKind};

/// Runs a registry command `n` times (or with count `n`). The keys that stand for a `:`
/// command (save, quit, the click, track add/delete) and help are the reducer's: it runs them
/// through the command registry, which this module never imports.
pub fn run(app: &mut App, cmd: Cmd, n: usize) {
    let n = n.clamp(1, 9999);
    match cmd {
        Cmd::NoOp
        | Cmd::RepeatLast
        | Cmd::Save
        | Cmd::Quit
        | Cmd::Help
        | Cmd::MetronomeToggle
        | Cmd::CountInToggle
        | Cmd::RecordToggle
        | Cmd::MidiLearn
        | Cmd::TrackAddMidi
        | Cmd::TrackAddAudio
        | Cmd::TrackAddBus
        | Cmd::TrackDelete => {}
        Cmd::TransportToggle => {
            // Pause keeps the playhead where it is, and play goes on from there: the
            // cursor is only where playback starts for `play_from_cursor`.
            let r = if app.transport.playing {
                app.engine.transport(Transport::Pause)
            } else {
                app.engine.transport(Transport::Resume)
            };
            if let Err(e) = r {
                app.error(e);
            }
        }
        Cmd::PlayFromCursor => {
            let from = app.cursor_beat();
            if let Err(e) = app.engine.transport(Transport::PlayFrom(from)) {
                app.error(e);
            }
        }
        Cmd::TransportStop => {
            if let Err(e) = app.engine.transport(Transport::Stop) {
                app.error(e);
            }
        }
        Cmd::CommandMode => {
            // The piano roll's `:` tools act on the selection the line was opened from.
            app.piano.held = app.piano.selection(app.mode);
            app.mode = Mode::Command;
            app.cmdline.text.clear();
            app.cmdline.cursor = 0;
            app.cmdline.completions.clear();
        }
        Cmd::NormalMode => {
            // Esc in the effect editor's normal mode goes back to the mixer.
            if app.mode == Mode::Normal && app.view == ViewKind::FxEditor {
                app.view = ViewKind::Mixer;
            }
            app.mode = Mode::Normal;
            app.arrange.anchor = None;
            app.piano.anchor = None;
        }
        Cmd::VisualMode | Cmd::VisualBlock => match app.view {
            ViewKind::Arrange if !app.project.tracks.is_empty() => {
                app.arrange.anchor = Some((app.arrange.track, app.arrange.cursor));
                app.mode = Mode::Visual;
            }
            ViewKind::PianoRoll if app.piano_clip().is_some() => {
                app.piano.anchor = Some((app.piano.cursor, app.piano.pitch));
                app.piano.block = cmd == Cmd::VisualBlock;
                app.mode = Mode::Visual;
            }
            _ => app.error("nothing to select here"),
        },
        Cmd::InsertMode => {
            if app.piano_clip().is_some() {
                app.mode = Mode::Insert;
                app.info(
                    "Note entry: c d e f g a b (upper case: sharp), < > octave, r rest, esc ends",
                );
            } else {
                app.error("no MIDI clip in the piano roll");
            }
        }
        Cmd::Undo | Cmd::Redo => {
            let mut last = None;
            for _ in 0..n {
                let r = if cmd == Cmd::Undo {
                    app.history.undo(&mut app.project)
                } else {
                    app.history.redo(&mut app.project)
                };
                match r {
                    Ok(Some(label)) => last = Some(label),
                    Ok(None) => break,
                    Err(e) => {
                        app.error(format!("cannot {}: {e}", cmd.name()));
                        break;
                    }
                }
            }
            match last {
                Some(l) => {
                    app.project_changed();
                    crate::ui::assistant::sync_applied(app);
                    let verb = if cmd == Cmd::Undo { "Undid" } else { "Redid" };
                    app.info(format!("{verb} {l}"));
                }
                None if !app.status.error => app.info(if cmd == Cmd::Undo {
                    "Nothing to undo"
                } else {
                    "Nothing to redo"
                }),
                None => {}
            }
        }
        Cmd::NextView | Cmd::PrevView => {
            let all = ViewKind::ALL;
            // The effect editor cycles on from the mixer it belongs to.
            let here = match app.view {
                ViewKind::FxEditor => ViewKind::Mixer,
                v => v,
            };
            let i = all.iter().position(|v| *v == here).unwrap_or(0);
            let step = if cmd == Cmd::NextView {
                n
            } else {
                all.len() * n - n
            };
            set_view(app, all[(i + step) % all.len()]);
        }
        Cmd::ViewArrange => set_view(app, ViewKind::Arrange),
        Cmd::ViewMixer => set_view(app, ViewKind::Mixer),
        Cmd::ViewPianoRoll => set_view(app, ViewKind::PianoRoll),
        Cmd::GotoStart => {
            if app.view == ViewKind::Chat {
                app.view_command(cmd, n);
                return;
            }
            app.arrange.cursor = 0.0;
            if app.view == ViewKind::PianoRoll {
                app.view_command(cmd, n);
            }
            let _ = app.engine.transport(Transport::Seek(0.0));
        }
        Cmd::GotoEnd => match app.view {
            ViewKind::PianoRoll | ViewKind::Chat => app.view_command(cmd, n),
            _ => {
                let end = app.project.end_beat();
                app.arrange.cursor = super::grid::floor_to(end, app.arrange.grid);
            }
        },
        Cmd::TrackRename => {
            if let Some(t) = app.project.tracks.get(app.current_track()) {
                app.mode = Mode::Command;
                app.cmdline.text = format!("rename {}", t.name);
                app.cmdline.cursor = app.cmdline.text.chars().count();
                app.cmdline.completions.clear();
            } else {
                app.error("there is no track to rename");
            }
        }
        Cmd::TrackMoveUp | Cmd::TrackMoveDown => {
            let ti = app.current_track();
            let Some(t) = app.project.tracks.get(ti) else {
                return;
            };
            let to = if cmd == Cmd::TrackMoveUp {
                ti.saturating_sub(n)
            } else {
                (ti + n).min(app.project.tracks.len() - 1)
            };
            if to != ti && app.apply(Edit::MoveTrack { id: t.id, to }, "move track") {
                app.select_track(to);
            }
        }
        Cmd::TrackMute | Cmd::TrackSolo | Cmd::TrackArm => {
            let Some(t) = app.project.tracks.get(app.current_track()) else {
                app.error("there is no track");
                return;
            };
            let (field, what, on) = match cmd {
                Cmd::TrackMute => (TrackField::Mute(!t.mute), "muted", !t.mute),
                Cmd::TrackSolo => (TrackField::Solo(!t.solo), "soloed", !t.solo),
                _ => (TrackField::Arm(!t.arm), "armed", !t.arm),
            };
            let name = t.name.clone();
            let id = t.id;
            if app.apply(Edit::SetTrack { id, field }, cmd.name()) {
                app.info(format!("{name} {}{what}", if on { "" } else { "un" }));
            }
        }
        Cmd::TrackInput | Cmd::TrackMonitor => {
            let Some(t) = app.project.tracks.get(app.current_track()) else {
                app.error("there is no track");
                return;
            };
            if t.kind != TrackKind::Audio {
                app.error(format!(
                    "{} is a {} track: only audio tracks record an input",
                    t.name,
                    t.kind.as_str()
                ));
                return;
            }
            let (id, name) = (t.id, t.name.clone());
            let channels = app.meters.input.len();
            let (field, shown) = if cmd == Cmd::TrackInput {
                let mut next = t.input;
                for _ in 0..n.max(1) {
                    next = crate::ui::track_input::next_input(next, channels);
                }
                let shown = match next {
                    None => "input default (1-2)".to_string(),
                    Some(crate::model::TrackInput::None) => "input none".to_string(),
                    Some(i) => format!("input {i}"),
                };
                (TrackField::Input(next), shown)
            } else {
                let mut next = t.monitor;
                for _ in 0..n.max(1) {
                    next = next.next();
                }
                (
                    TrackField::Monitor(next),
                    format!("monitor {}", next.as_str()),
                )
            };
            let beyond = match &field {
                TrackField::Input(Some(i)) if channels > 0 && i.highest() as usize > channels => {
                    Some(channels)
                }
                _ => None,
            };
            if app.apply(Edit::SetTrack { id, field }, cmd.name()) {
                match beyond {
                    Some(c) => app.error(format!(
                        "{name}: {shown}, but the input has {c} channel{}",
                        if c == 1 { "" } else { "s" }
                    )),
                    None => app.info(format!("{name}: {shown}")),
                }
            }
        }
        Cmd::MarkerAdd
        | Cmd::MarkerNext
        | Cmd::MarkerPrev
        | Cmd::FadeInLonger
        | Cmd::FadeInShorter
        | Cmd::FadeOutLonger
        | Cmd::FadeOutShorter
        | Cmd::ClipGainUp
        | Cmd::ClipGainDown => timeline_key(app, cmd, n),
        Cmd::InstrumentBrowser => {
            if let Err(e) = open(app) {
                app.error(e);
            }
        }
        _ => app.view_command(cmd, n),
    }
}

fn set_view(app: &mut App, v: ViewKind) {
    if matches!(app.mode, Mode::Visual | Mode::Insert | Mode::Play) {
        app.mode = Mode::Normal;
        app.arrange.anchor = None;
        app.piano.anchor = None;
    }
    if v == ViewKind::PianoRoll && app.piano_clip().is_none() {
        let ti = app.arrange.track;
        if let Some(ci) = super::grid::clip_at(&app.project, ti, app.arrange.cursor) {
            if matches!(
                app.project.tracks[ti].clips[ci].content,
                crate::model::ClipContent::Midi(_)
            ) {
                app.with_cx(|cx, v| open_piano_roll(v.arrange, cx));
                return;
            }
        }
    }
    if v == ViewKind::Mixer {
        app.mixer.strip = app.arrange.track.min(app.project.tracks.len());
        if app.mixer.param != MixerParam::Fader && app.mixer.strip >= app.project.tracks.len() {
            app.mixer.param = MixerParam::Fader;
        }
    }
    app.view = v;
}

/// Where the timeline tools act (`timeline::Here`): the piano roll's clip start plus its
/// cursor there, else the arrange cursor; fades and clip gain on the arrange track.
fn here(app: &App) -> Here {
    let beat = match (app.view, app.piano_clip()) {
        (ViewKind::PianoRoll, Some((ti, ci))) => {
            app.project.tracks[ti].clips[ci].start + app.piano.cursor
        }
        _ => app.arrange.cursor,
    };
    Here {
        beat,
        track: app.arrange.track,
        arrange_beat: app.arrange.cursor,
        grid: app.arrange.grid,
    }
}

/// Runs a timeline tool (`:marker`, `:tempo`, `:fade`, `:gain`) where the cursor is.
pub fn at_cursor(
    app: &mut App,
    f: impl FnOnce(&mut Cx<'_>, Here) -> Result<(), String>,
) -> Result<(), String> {
    let here = here(app);
    app.with_cx(|cx, _| f(cx, here))
}

/// The timeline tools' keys: markers, fades, clip gain.
fn timeline_key(app: &mut App, cmd: Cmd, n: usize) {
    let r = at_cursor(app, |cx, here| match cmd {
        Cmd::MarkerAdd => {
            let name = timeline::free_name(cx);
            timeline::add_marker(cx, here, name)
        }
        Cmd::MarkerNext => timeline::jump_marker(cx, here, true, n),
        Cmd::MarkerPrev => timeline::jump_marker(cx, here, false, n),
        Cmd::FadeInLonger => timeline::step_fade(cx, here, true, n as f64),
        Cmd::FadeInShorter => timeline::step_fade(cx, here, true, -(n as f64)),
        Cmd::FadeOutLonger => timeline::step_fade(cx, here, false, n as f64),
        Cmd::FadeOutShorter => timeline::step_fade(cx, here, false, -(n as f64)),
        Cmd::ClipGainUp => timeline::step_gain(cx, here, n as f32),
        Cmd::ClipGainDown => timeline::step_gain(cx, here, -(n as f32)),
        _ => Ok(()),
    });
    if let Err(e) = r {
        app.error(e);
    }
}

/// `:transpose N` in the piano roll.
pub fn piano_transpose(app: &mut App, n: i32) -> Result<(), String> {
    app.with_cx(|cx, v| transpose(v.piano, cx, n))
}

/// The MIDI track the instrument commands act on: the piano roll's clip's track there, else the
/// selected track. An error sentence when it is not a MIDI track.
pub fn target_track(app: &App) -> Result<TrackId, String> {
    let ti = match (app.view, app.piano_clip()) {
        (ViewKind::PianoRoll, Some((ti, _))) => ti,
        _ => app.arrange.track,
    };
    let t = app
        .project
        .tracks
        .get(ti)
        .ok_or("there is no track: t a adds a MIDI track")?;
    if t.kind != TrackKind::Midi {
        return Err(format!(
            "'{}' is {} track: instruments belong to MIDI tracks",
            t.name,
            if t.kind == TrackKind::Audio {
                "an audio"
            } else {
                "a bus"
            }
        ));
    }
    Ok(t.id)
}

/// Opens the browser on the target track, with its current instrument selected.
pub fn open(app: &mut App) -> Result<(), String> {
    let id = target_track(app)?;
    let cats = catalogue();
    let current = app.project.track(id).and_then(|t| t.instrument.clone());
    let (category, item) = current
        .as_ref()
        .and_then(|i| position(&cats, i))
        .unwrap_or((0, 0));
    app.popups
        .push(Popup::Instrument(Box::new(InstrumentBrowser {
            track: id,
            category,
            item,
            in_items: true,
            filter: String::new(),
            typing: false,
        })));
    Ok(())
}

/// `:instrument ARG`: no argument opens the browser; otherwise the instrument is set directly.
pub fn instrument_command(app: &mut App, arg: &str) -> Result<(), String> {
    if arg.is_empty() {
        return open(app);
    }
    let id = target_track(app)?;
    let inst = parse(arg)?;
    app.with_cx(|cx, _| set_instrument(cx, id, inst));
    Ok(())
}
