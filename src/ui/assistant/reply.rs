//! The end of a request and what follows: the reply shown, its calls built into a change set
//! against the project as it was when asked and shown as a diff, applied as one undo step.

use super::audition::stop_audition;
use super::common::{keep, shown, SPIN};
use crate::ai::change::ChangeSet;
use crate::ai::{self, AiError};
use crate::model::{Project, TrackId};
use crate::ui::app::App;
use crate::ui::jobs::{AssistantReport, JobId, Timer};
use crate::ui::views::chat::{Entry, Pending, PlayNote, Proposal};

/// A report of the worker. Returns whether the screen changed.
pub fn on_report(app: &mut App, id: JobId, report: AssistantReport) -> bool {
    let Some(p) = app.chat.pending.as_mut().filter(|p| p.job == id) else {
        return false;
    };
    match report {
        AssistantReport::Text(piece) => {
            p.text.push_str(&piece);
            true
        }
        AssistantReport::Figures(f) => {
            let rev = p.revision;
            app.chat.figures = Some((rev, f));
            false
        }
        AssistantReport::Done(result) => {
            let Some(p) = app.chat.pending.take() else {
                return false;
            };
            app.jobs.clear(Timer::ChatSpin);
            finish(app, p, result);
            true
        }
    }
}

fn finish(app: &mut App, p: Pending, result: Result<ai::Reply, AiError>) {
    match result {
        Ok(reply) => {
            let text = app.chat.scrub(if reply.text.is_empty() {
                &p.text
            } else {
                &reply.text
            });
            keep(app, "assistant", &text);
            app.chat.entries.push(Entry::Assistant(text));
            if reply.calls.is_empty() {
                return;
            }
            stop_audition(app);
            match ChangeSet::build(&p.snapshot, &reply.calls) {
                Ok(set) => {
                    let notes = notes_of(set.result(), &reply.calls);
                    app.chat.proposal = Some(Proposal {
                        diff: set.diff().iter().map(|l| l.to_string()).collect(),
                        set,
                        applied: None,
                        notes,
                    });
                }
                Err(e) => {
                    app.chat.proposal = None;
                    app.chat.entries.push(Entry::Error(format!(
                        "the proposed change does not apply: {e}"
                    )));
                }
            }
        }
        Err(AiError::Cancelled) => app.chat.entries.push(Entry::Note("cancelled".into())),
        Err(e) => app
            .chat
            .entries
            .push(Entry::Error(app.chat.scrub(&e.to_string()))),
    }
}

/// The worker ended: if it never said how (it panicked), the chat says so.
pub fn finished(app: &mut App, id: JobId) -> bool {
    if app.chat.pending.as_ref().is_some_and(|p| p.job == id) {
        app.chat.pending = None;
        app.jobs.clear(Timer::ChatSpin);
        app.chat
            .entries
            .push(Entry::Error("the assistant stopped unexpectedly".into()));
        return true;
    }
    false
}

/// The spinner's timer: turn it again while the request runs.
pub fn spin(app: &mut App) -> bool {
    if app.chat.busy() {
        app.jobs.after(SPIN, Timer::ChatSpin);
        return shown(app);
    }
    false
}

/// Applies the proposed change as one undo step, unless the project changed since it was
/// proposed.
pub fn apply(app: &mut App) {
    let Some(p) = &app.chat.proposal else {
        app.error("no proposed change to apply: ask for chords, a melody, a beat…");
        return;
    };
    if !p.set.still_applies(&app.project) {
        let msg = if p.applied.is_some() {
            "the change is applied (u takes it back)"
        } else {
            crate::ai::change::STALE
        };
        app.error(msg);
        return;
    }
    let edit = p.set.edit();
    stop_audition(app);
    if app.apply(edit, "assistant's change") {
        let rev = app.history.revision();
        if let Some(p) = &mut app.chat.proposal {
            p.applied = Some(rev);
        }
        app.info("Applied the assistant's change (u takes all of it back)");
    }
}

/// Keeps the proposal's "applied" mark true to the project after an undo or redo: undone
/// back to the project it was proposed on, it is a proposal again (`a` applies it anew);
/// redone to exactly its result, it is applied again.
pub fn sync_applied(app: &mut App) {
    let rev = app.history.revision();
    let Some(p) = &mut app.chat.proposal else {
        return;
    };
    if p.applied.is_some() && p.set.still_applies(&app.project) {
        p.applied = None;
    } else if p.applied.is_none() && *p.set.result() == app.project && !p.set.is_empty() {
        p.applied = Some(rev);
    }
}

/// The notes of the change's `write_clip` calls, with the track that plays them in the
/// changed project (a track an earlier `add_track` of the same reply made is found too).
fn notes_of(changed: &Project, calls: &[ai::ToolCall]) -> Vec<(TrackId, PlayNote)> {
    let mut out = Vec::new();
    for c in calls.iter().filter(|c| c.name == "write_clip") {
        let a = &c.args;
        let Some(track) = a["track"]
            .as_str()
            .map(str::to_string)
            .or_else(|| a["track"].as_u64().map(|n| n.to_string()))
        else {
            continue;
        };
        let Ok(id) = crate::model::mixer::resolve_track(changed, &track) else {
            continue;
        };
        let start = a["start_beat"].as_f64().unwrap_or(0.0);
        for n in a["notes"].as_array().into_iter().flatten() {
            let (Some(pitch), Some(s), Some(l)) = (
                n["pitch"].as_u64(),
                n["start_beat"].as_f64(),
                n["length_beats"].as_f64(),
            ) else {
                continue;
            };
            out.push((
                id,
                PlayNote {
                    pitch: pitch.min(127) as u8,
                    velocity: n["velocity"].as_u64().unwrap_or(96).clamp(1, 127) as u8,
                    start_beat: start + s.max(0.0),
                    length_beats: l.max(0.01),
                },
            ));
        }
    }
    out
}
