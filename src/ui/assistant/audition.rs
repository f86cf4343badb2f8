//! Auditioning a proposed change before applying it: its notes sound through the engine's
//! audition path (the one the piano roll uses), one event at a time on the jobs' timer, with
//! the changed project loaded into the engine meanwhile so that a track the change adds plays.

use crate::model::{Project, TrackId};
use crate::ui::app::App;
use crate::ui::engine_link::Transport;
use crate::ui::jobs::Timer;
use crate::ui::views::chat::{Audition, PlayNote};
use std::time::{Duration, Instant};

/// Note events of an audition starting at `now`: the notes at the project's tempo, from the
/// first one's start.
pub fn schedule(
    project: &Project,
    notes: &[(TrackId, PlayNote)],
    now: Instant,
) -> Vec<(Instant, TrackId, u8, u8, bool)> {
    let first = notes
        .iter()
        .map(|(_, n)| n.start_beat)
        .fold(f64::INFINITY, f64::min);
    if !first.is_finite() {
        return Vec::new();
    }
    let t0 = project.tempo.beat_to_seconds(first);
    let at = |beat: f64| {
        now + Duration::from_secs_f64((project.tempo.beat_to_seconds(beat) - t0).max(0.0))
    };
    let mut ev = Vec::with_capacity(notes.len() * 2);
    for (track, n) in notes {
        ev.push((at(n.start_beat), *track, n.pitch, n.velocity, true));
        ev.push((at(n.start_beat + n.length_beats), *track, n.pitch, 0, false));
    }
    // Offs before ons at the same instant, so a repeated pitch sounds again.
    ev.sort_by(|a, b| a.0.cmp(&b.0).then(a.4.cmp(&b.4)));
    ev
}

/// `p`: plays the proposal's notes (the engine gets the changed project for as long as it
/// plays, so a track the change adds sounds too), or stops the audition that plays.
pub fn audition(app: &mut App) {
    if app.chat.audition.is_some() {
        stop_audition(app);
        app.info("Audition stopped");
        return;
    }
    let Some(p) = &app.chat.proposal else {
        app.error("no proposed notes to play");
        return;
    };
    if p.notes.is_empty() {
        app.error("the proposed change has no notes to play");
        return;
    }
    if !app.engine.is_running() {
        app.error("no audio engine is running: nothing can play");
        return;
    }
    // Before applying, the engine plays the changed project (its new tracks); after, the
    // project is the changed one already.
    let preview = if p.set.still_applies(&app.project) {
        p.set.result()
    } else {
        &app.project
    };
    let events = schedule(preview, &p.notes, Instant::now());
    app.engine.load_project(preview, &app.dir);
    let first = events.first().map(|e| e.0);
    app.chat.audition = Some(Audition {
        events,
        next: 0,
        sounding: Vec::new(),
    });
    if let Some(t) = first {
        app.jobs.at(t, Timer::ChatAudition);
    }
    app.info("Playing the proposed notes (p stops)");
}

/// The audition's timer: sends the events that are due and sets the timer for the next.
pub fn audition_step(app: &mut App) -> bool {
    let Some(a) = &mut app.chat.audition else {
        return false;
    };
    let now = Instant::now();
    while let Some(&(t, track, pitch, velocity, on)) = a.events.get(a.next) {
        if t > now {
            break;
        }
        a.next += 1;
        let _ = app.engine.transport(Transport::Audition {
            track,
            pitch,
            velocity,
            on,
        });
        if on {
            a.sounding.push((track, pitch));
        } else if let Some(i) = a.sounding.iter().position(|s| *s == (track, pitch)) {
            a.sounding.swap_remove(i);
        }
    }
    match a.events.get(a.next) {
        Some(e) => {
            let t = e.0;
            app.jobs.at(t, Timer::ChatAudition);
            false
        }
        None => {
            stop_audition(app);
            false
        }
    }
}

/// Ends an audition: releases what sounds and gives the engine the project back.
pub fn stop_audition(app: &mut App) {
    let Some(a) = app.chat.audition.take() else {
        return;
    };
    app.jobs.clear(Timer::ChatAudition);
    for (track, pitch) in a.sounding {
        let _ = app.engine.transport(Transport::Audition {
            track,
            pitch,
            velocity: 0,
            on: false,
        });
    }
    app.engine.load_project(&app.project, &app.dir);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TempoMap;

    #[test]
    fn an_audition_follows_the_tempo_from_the_first_note() {
        let mut p = Project::new("t", 48_000, 120.0);
        p.tempo = TempoMap::constant(120.0);
        let n = |pitch, start_beat, length_beats| PlayNote {
            pitch,
            velocity: 90,
            start_beat,
            length_beats,
        };
        let t = TrackId(3);
        let now = Instant::now();
        let ev = schedule(&p, &[(t, n(60, 4.0, 1.0)), (t, n(64, 5.0, 0.5))], now);
        let at: Vec<(u64, u8, bool)> = ev
            .iter()
            .map(|e| ((e.0 - now).as_millis() as u64, e.2, e.4))
            .collect();
        // 120 BPM: a beat is 500 ms; the first note starts at once.
        assert_eq!(
            at,
            vec![
                (0, 60, true),
                (500, 60, false),
                (500, 64, true),
                (750, 64, false)
            ]
        );
        assert!(schedule(&p, &[], now).is_empty());
    }
}
