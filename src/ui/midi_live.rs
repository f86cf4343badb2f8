//! What the engine's live-MIDI news does in the TUI (the state it keeps is `live_state.rs`):
//! port changes, MIDI learn, learned moves and recordings. A finished recording becomes ONE edit through the App's history
//! (so undo, autosave and `:w` treat it like any edit); a controller bound by MIDI learn
//! writes its value back into the mixer state, one undo step per gesture (successive moves of
//! the same control replace that step), so the screen and the saved project show what the
//! engine plays.

use super::app::App;
pub use super::live_state::{armed_midi_track, control_name, LearnTarget, LiveMidi};
use crate::engine::record::Recording;
use crate::engine::EngineEvent;
use crate::midi::live::{
    record_edit, LiveError, LiveEvent, LiveKind, LiveRecording, RecordOptions,
};
use crate::model::mixer::{self, Owner};
use crate::model::{AutomationTarget, Edit, MidiBinding, Project, TrackField};

/// Takes the engine's MIDI news: port changes, MIDI learn, learned moves, recordings.
/// Returns whether the screen changed.
pub fn after_poll(app: &mut App) -> bool {
    let news = app.engine.take_news();
    let changed = !news.is_empty();
    let mut moves: Vec<(LearnTarget, f64)> = Vec::new();
    for e in news {
        match e {
            EngineEvent::MidiInput(Ok(port)) => {
                app.engine.midi.port = port;
                app.engine.midi.problem = None;
                if let Some(p) = &app.engine.midi.port {
                    app.info(format!("MIDI input: {p}"));
                }
            }
            EngineEvent::MidiInput(Err(e)) => {
                app.engine.midi.port = None;
                app.engine.midi.problem = Some(e.clone());
                app.error(e);
            }
            EngineEvent::Controller { channel, cc, value } => {
                learn(app, channel, cc, value);
            }
            EngineEvent::Learned {
                track,
                target,
                value,
            } => {
                let t = LearnTarget { track, target };
                moves.retain(|(x, _)| *x != t);
                moves.push((t, value));
            }
            EngineEvent::Recorded(rec) => recorded(app, &rec),
            _ => {}
        }
    }
    for (t, v) in moves {
        write_back(app, t, v);
    }
    changed
}

/// A session ending while it records (a signal, a lost terminal, a quit): stops the
/// recording and waits up to `wait` for its takes, so they land in the project (as the usual
/// one edit, then in the autosave) instead of lying in `audio/` unknown to it. True when a
/// recording was stopped.
pub fn finish_recording(app: &mut App, wait: std::time::Duration) -> bool {
    if !app.engine.midi.is_recording() {
        return false;
    }
    let _ = app
        .engine
        .transport(crate::ui::engine_link::Transport::Stop);
    let until = std::time::Instant::now() + wait;
    while app.engine.midi.is_recording() && std::time::Instant::now() < until {
        let _ = app.engine.poll();
        after_poll(app);
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    true
}

/// A controller arrived: binds it when MIDI learn is waiting.
fn learn(app: &mut App, channel: u8, cc: u8, _value: u8) {
    let Some(t) = app.engine.midi.learn.take() else {
        return;
    };
    // One controller moves one control, and one control follows one controller.
    let mut list: Vec<MidiBinding> = app
        .project
        .midi_learn
        .iter()
        .filter(|b| !(b.channel == channel && b.cc == cc))
        .filter(|b| !(b.track == t.track && b.target == t.target))
        .cloned()
        .collect();
    list.push(MidiBinding {
        channel,
        cc,
        track: t.track,
        target: t.target.clone(),
    });
    let name = control_name(&app.project, t.track, &t.target);
    if app.apply(Edit::SetMidiLearn(list), "MIDI learn") {
        app.info(format!(
            "CC {cc} on channel {} now moves {name}",
            channel + 1
        ));
    }
}

/// The edit that sets a learned control to `v`.
fn value_edit(p: &Project, t: &LearnTarget, v: f64) -> Result<Edit, String> {
    let owner = t.track.map_or(Owner::Master, Owner::Track);
    match (&t.target, t.track) {
        (AutomationTarget::Gain, None) => Ok(Edit::SetMasterGain(v as f32)),
        (AutomationTarget::Gain, Some(id)) => Ok(Edit::SetTrack {
            id,
            field: TrackField::GainDb(v as f32),
        }),
        (AutomationTarget::Pan, Some(id)) => Ok(Edit::SetTrack {
            id,
            field: TrackField::Pan(v.clamp(-1.0, 1.0) as f32),
        }),
        (AutomationTarget::Send(bus), Some(id)) => {
            mixer::set_send(p, id, *bus, Some(v as f32), None)
        }
        (AutomationTarget::Fx(fx, name), _) => mixer::set_effect_number(p, owner, *fx, name, v),
        _ => Err("the master has no pan or sends".into()),
    }
}

/// Writes a learned move into the project; a further move of the same control replaces the
/// undo step the last one made, so one gesture is one step.
fn write_back(app: &mut App, t: LearnTarget, v: f64) {
    let again = matches!(&app.engine.midi.last_move,
        Some((last, rev)) if *last == t && *rev == app.history.revision());
    if again {
        // Undoing returns to the value before the gesture; the edit below records that.
        let _ = app.history.undo(&mut app.project);
    }
    match value_edit(&app.project, &t, v) {
        Ok(edit) => {
            let label = format!("MIDI {}", control_name(&app.project, t.track, &t.target));
            if app.apply(edit, &label) {
                app.engine.midi.last_move = Some((t, app.history.revision()));
            }
        }
        Err(e) => app.error(e),
    }
}

/// A recording ended: the MIDI into the track it was made for and the audio takes into
/// theirs, as ONE edit (one undo step takes the whole recording back).
fn recorded(app: &mut App, rec: &Recording) {
    let midi = app.engine.midi.recording.take();
    let audio = !std::mem::take(&mut app.engine.midi.audio).is_empty();
    if midi.is_none() && !audio {
        return;
    }
    let mut edits = Vec::new();
    let mut said = Vec::new();
    if let Some(track) = midi {
        let live = to_beats(&app.project, rec);
        let opts = RecordOptions {
            mode: app.engine.midi.mode,
            quantize: app.engine.midi.quantize.as_ref().map(|q| q.0),
        };
        match record_edit(&app.project, track, &live, opts) {
            Ok((edit, s)) => {
                edits.push(edit);
                said.push(s);
            }
            Err(LiveError::Nothing) => {}
            Err(e) => app.error(format!("record: {e}")),
        }
    }
    // The takes' ids come after whatever the MIDI edit adds.
    let mut after = app.project.clone();
    for e in &edits {
        let _ = e.clone().apply(&mut after);
    }
    if let Some((edit, s)) = super::audio_takes::takes_edit(&after, rec) {
        edits.push(edit);
        said.push(s);
    }
    if let Some(e) = &rec.audio_error {
        app.error(e.clone());
    }
    match edits.len() {
        0 if rec.audio_error.is_none() => app.info("Nothing was recorded"),
        0 => {}
        _ => {
            let edit = if edits.len() == 1 {
                edits.remove(0)
            } else {
                Edit::Batch(edits)
            };
            if app.apply(edit, "record") && rec.audio_error.is_none() {
                app.info(said.join("; "));
            }
        }
    }
}

/// The engine's captures (samples) in beats of the project's tempo map; controllers bound by
/// MIDI learn moved a parameter, so they are not part of the performance.
pub fn to_beats(p: &Project, rec: &Recording) -> LiveRecording {
    use crate::engine::midi_in::LiveMessage as M;
    let beat = |s: u64| p.tempo.sample_to_beat(s, rec.rate);
    let bound = |ch: u8, cc: u8| p.midi_learn.iter().any(|b| b.channel == ch && b.cc == cc);
    let events = rec
        .events
        .iter()
        .filter(|c| c.recorded)
        .filter_map(|c| {
            let (channel, kind) = match c.msg {
                M::NoteOn {
                    channel,
                    pitch,
                    velocity,
                } => (channel, LiveKind::On { pitch, velocity }),
                M::NoteOff { channel, pitch } => (channel, LiveKind::Off { pitch }),
                M::Cc { channel, cc, .. } if bound(channel, cc) => return None,
                M::Cc { channel, cc, value } => (channel, LiveKind::Cc { cc, value }),
                M::Bend { channel, value } => (channel, LiveKind::Bend(value)),
            };
            Some(LiveEvent {
                beat: beat(c.sample),
                pass: c.pass,
                channel,
                kind,
            })
        })
        .collect();
    LiveRecording {
        from: beat(rec.from),
        end: beat(rec.end),
        loop_region: rec.loop_region.map(|(a, b)| (beat(a), beat(b))),
        passes: rec.passes,
        events,
    }
}
