//! `:midi-in`, `:record` and `:learn`: choosing the MIDI input port, recording live MIDI into
//! the first armed MIDI track (the track that also monitors it), and MIDI learn. The table
//! lists the three commands from here (`table.rs` names them). The `record_toggle` key runs
//! `:record toggle`, `midi_learn` runs `:learn arm`.

use super::spec::{form, opt, Args, Command, Kind, Run};
use crate::midi::live::RecordMode;
use crate::model::mixer::Owner;
use crate::model::{AutomationTarget, Edit};
use crate::ui::action::Cmd;
use crate::ui::app::{App, MixerParam};
use crate::ui::keymap::ViewKind;
use crate::ui::live_state::armed_audio_tracks;
use crate::ui::midi_live::{armed_midi_track, control_name, LearnTarget};

/// `:midi-in [PORT|off]`.
pub(super) const MIDI_IN: Command = Command {
    name: "midi-in",
    aliases: &[],
    synopsis: "[PORT|off]",
    args: &[opt("PORT", Kind::Text)],
    doc:
        "Listen to a MIDI input port (the first armed MIDI track plays it); lists them without PORT",
    run: Run::Handler(midi_in),
    keys: &[],
    quits: false,
};

/// `:record [start|stop|toggle|replace|overdub|quantize GRID|off|preroll BARS]`.
pub(super) const RECORD: Command = Command {
    name: "record",
    aliases: &["rec"],
    synopsis: "[start|stop|toggle|replace|overdub|quantize GRID|preroll BARS]",
    args: &[opt(
        "SETTING",
        Kind::Forms(&[
            form("start", &[]),
            form("stop", &[]),
            form("toggle", &[]),
            form("replace", &[]),
            form("overdub", &[]),
            form("quantize", &[opt("GRID", Kind::Text)]),
            form("preroll", &[opt("BARS", Kind::Number)]),
        ]),
    )],
    doc: "Record MIDI into the armed track from the cursor, or stop; set replace/overdub, quantize, pre-roll; bare: the settings",
    run: Run::Handler(record),
    keys: &[(Cmd::RecordToggle, "toggle")],
    quits: false,
};

/// `:learn [arm|off|clear [N]]`.
pub(super) const LEARN: Command = Command {
    name: "learn",
    aliases: &[],
    synopsis: "[arm|off|clear [N]]",
    args: &[opt(
        "WHAT",
        Kind::Forms(&[
            form("arm", &[]),
            form("off", &[]),
            form("clear", &[opt("N", Kind::Number)]),
        ]),
    )],
    doc: "MIDI learn: list the bindings; arm binds the next controller to the control under the cursor; clear removes",
    run: Run::Handler(learn),
    keys: &[(Cmd::MidiLearn, "arm")],
    quits: false,
};

fn midi_in(app: &mut App, args: &Args) -> Result<(), String> {
    match args.rest {
        "" => {
            // Bare, it reports: no ports is an answer, not a failed command.
            let ports = match app.engine.midi_ports() {
                Ok(p) => p,
                Err(e) => {
                    app.info(e);
                    return Ok(());
                }
            };
            let now = match &app.engine.midi.port {
                Some(p) => format!("MIDI input: {p}"),
                None => "No MIDI input port open".to_string(),
            };
            if ports.is_empty() {
                app.info(format!("{now} (no ports)"));
            } else {
                app.info(format!("{now} (ports: {})", ports.join(", ")));
            }
        }
        "off" => {
            app.engine.midi_input(None);
            app.info("MIDI input closed");
        }
        port => {
            // Refuse at once what cannot open; the engine reports the rest.
            app.engine.midi_ports()?;
            app.engine.midi_input(Some(port.to_string()));
        }
    }
    Ok(())
}

fn record(app: &mut App, args: &Args) -> Result<(), String> {
    let mut words = args.rest.split_whitespace();
    let m = &mut app.engine.midi;
    match (words.next(), words.next()) {
        (None, _) => {}
        (Some("toggle"), None) => return toggle(app),
        (Some("start"), None) if !m.is_recording() => return toggle(app),
        (Some("stop"), None) if m.is_recording() => return toggle(app),
        (Some("start" | "stop"), None) => return Ok(()),
        (Some("replace"), None) => m.mode = RecordMode::Replace,
        (Some("overdub"), None) => m.mode = RecordMode::Overdub,
        (Some("quantize"), Some("off")) => m.quantize = None,
        (Some("quantize"), Some(g)) => {
            m.quantize = Some((super::view::parse_grid(g)?, g.to_string()))
        }
        (Some("preroll"), Some(n)) => {
            m.preroll_bars = n
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= 16)
                .ok_or_else(|| format!("'{n}' is not a number of pre-roll bars (0 to 16)"))?;
        }
        _ => {
            return Err(format!(
                "'{}' is not a record setting (replace, overdub, quantize GRID|off, preroll BARS)",
                args.rest
            ))
        }
    }
    let m = &app.engine.midi;
    let mode = match m.mode {
        RecordMode::Replace => "replace",
        RecordMode::Overdub => "overdub",
    };
    let q = m.quantize.as_ref().map_or("off", |q| q.1.as_str());
    let text = format!(
        "{}: {mode}, quantize {q}, pre-roll {} bar{}",
        if m.is_recording() {
            "Recording"
        } else {
            "Record"
        },
        m.preroll_bars,
        if m.preroll_bars == 1 { "" } else { "s" }
    );
    app.info(text);
    Ok(())
}

/// Starts recording at the cursor, or stops the one running: live MIDI into the first armed
/// MIDI track (when a port is open) and the audio input into every armed audio track.
fn toggle(app: &mut App) -> Result<(), String> {
    if app.engine.midi.is_recording() {
        app.engine
            .transport(crate::ui::engine_link::Transport::Stop)?;
        return Ok(());
    }
    let audio = armed_audio_tracks(&app.project);
    let midi = armed_midi_track(&app.project);
    let midi = match midi {
        Some(_) if app.engine.midi.port.is_some() => midi,
        Some(_) if audio.is_empty() => {
            let why = app.engine.midi.problem.clone();
            return Err(why.unwrap_or_else(|| "no MIDI input port is open (:midi-in)".into()));
        }
        _ => None,
    };
    if midi.is_none() && audio.is_empty() {
        return Err("arm a MIDI or audio track to record into (R on the track)".into());
    }
    let from = app.cursor_beat().max(0.0);
    let bars = app.engine.midi.preroll_bars;
    let preroll = bars as f64 * app.project.time_signature.quarters_per_bar();
    app.engine.record(from, preroll)?;
    app.engine.midi.recording = midi;
    app.engine.midi.audio = audio.clone();
    let name = midi
        .iter()
        .chain(&audio)
        .filter_map(|id| app.project.track(*id).map(|t| t.name.clone()))
        .collect::<Vec<_>>()
        .join(", ");
    app.info(format!(
        "Recording into {name} from {} (stop with space or gr)",
        crate::ui::widgets::bars_beats(&app.project, from)
    ));
    Ok(())
}

fn learn(app: &mut App, args: &Args) -> Result<(), String> {
    let mut words = args.rest.split_whitespace();
    match (words.next(), words.next()) {
        (None, _) => {
            let p = &app.project;
            let list: Vec<String> = p
                .midi_learn
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    format!(
                        "{}: CC {} ch {} → {}",
                        i + 1,
                        b.cc,
                        b.channel + 1,
                        control_name(p, b.track, &b.target)
                    )
                })
                .collect();
            if list.is_empty() {
                app.info("No MIDI-learn bindings (L on a mixer control, then move a controller)");
            } else {
                app.info(list.join("; "));
            }
        }
        (Some("arm"), None) => {
            let t = under_cursor(app)?;
            let name = control_name(&app.project, t.track, &t.target);
            app.engine.midi.learn = Some(t);
            app.info(format!(
                "MIDI learn: move a controller to bind it to {name} (:learn off cancels)"
            ));
        }
        (Some("off"), None) => {
            app.engine.midi.learn = None;
            app.info("MIDI learn off");
        }
        (Some("clear"), None) => {
            if app.apply(Edit::SetMidiLearn(Vec::new()), "clear MIDI learn") {
                app.info("MIDI-learn bindings cleared");
            }
        }
        (Some("clear"), Some(n)) => {
            let mut list = app.project.midi_learn.clone();
            let i = n
                .parse::<usize>()
                .ok()
                .filter(|i| (1..=list.len()).contains(i))
                .ok_or_else(|| format!("there is no MIDI-learn binding {n} (:learn lists them)"))?;
            list.remove(i - 1);
            if app.apply(Edit::SetMidiLearn(list), "clear MIDI learn") {
                app.info(format!("MIDI-learn binding {n} removed"));
            }
        }
        _ => {
            return Err(format!(
                "'{}' is not :learn arm, off or clear [N]",
                args.rest
            ))
        }
    }
    Ok(())
}

/// The control MIDI learn binds: the mixer's selected fader, pan or send, or the effect
/// editor's selected parameter.
fn under_cursor(app: &App) -> Result<LearnTarget, String> {
    let p = &app.project;
    match app.view {
        ViewKind::FxEditor => {
            let (e, ps, _) = app
                .fx_editor
                .selected(p)
                .ok_or("no effect parameter is selected")?;
            let track = match app.fx_editor.owner {
                Owner::Track(id) => Some(id),
                Owner::Master => None,
            };
            Ok(LearnTarget {
                track,
                target: AutomationTarget::Fx(e.id, ps.name.to_string()),
            })
        }
        ViewKind::Mixer => {
            let track = p.tracks.get(app.mixer.strip).map(|t| t.id);
            let target = match (app.mixer.param, track) {
                (MixerParam::Fader, _) => AutomationTarget::Gain,
                (MixerParam::Pan, Some(_)) => AutomationTarget::Pan,
                (MixerParam::Send(i), Some(id)) => {
                    let s = p
                        .track(id)
                        .and_then(|t| t.sends.get(i))
                        .ok_or("no send here")?;
                    AutomationTarget::Send(s.to)
                }
                (MixerParam::Insert(_), _) => {
                    return Err("open the effect (Enter) and learn one of its parameters".into())
                }
                _ => return Err("the master strip has only its fader to learn".into()),
            };
            Ok(LearnTarget { track, target })
        }
        _ => Err("MIDI learn works on the mixer's controls and effect parameters".into()),
    }
}
