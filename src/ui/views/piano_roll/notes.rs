//! Note edits of the piano roll: insert, delete, yank, paste, duplicate, move, transpose,
//! resize, velocity, and auditioning (quantize and the other tools are in `tools.rs`). Notes
//! change through `Edit::ReplaceClip` (made by `midi::ops`) so every change is one undo step.

use super::state::PianoState;
use crate::midi::ops::{self, notes_of};
use crate::midi::theory::{transpose_in_key, Scale};
use crate::model::{Clip, Note, TrackId};
use crate::ui::ctx::{Cx, Effect};
use crate::ui::keymap::Mode;
use std::time::Duration;

/// How long an auditioned note sounds.
pub const AUDITION: Duration = Duration::from_millis(300);

/// The clip on screen: its track's id and a copy of it.
pub(super) fn clip(st: &PianoState, cx: &Cx<'_>) -> Option<(TrackId, Clip)> {
    let (ti, ci) = st.clip_in(cx.project)?;
    Some((
        cx.project.tracks[ti].id,
        cx.project.tracks[ti].clips[ci].clone(),
    ))
}

/// Replaces the clip's notes (and length) as one undoable edit.
pub(super) fn commit(
    cx: &mut Cx<'_>,
    track: TrackId,
    c: Clip,
    notes: Vec<Note>,
    length: Option<f64>,
    label: &str,
) -> bool {
    cx.apply(ops::replace_notes(track, &c, notes, length), label)
}

/// Indices of the notes a command acts on: the visual selection, or the note under the cursor.
pub(super) fn targets(st: &PianoState, cx: &Cx<'_>, notes: &[Note]) -> Vec<usize> {
    if let Some((b0, b1, p0, p1)) = st.selection(*cx.mode) {
        return ops::select_box(notes, b0, b1, p0, p1);
    }
    ops::note_at(notes, st.cursor, st.pitch)
        .into_iter()
        .collect()
}

/// Starts a short audition of a pitch on the clip's track (the App's job timer ends it).
pub fn audition(st: &PianoState, cx: &mut Cx<'_>, pitch: u8, velocity: u8) {
    let Some((ti, _)) = st.clip_in(cx.project) else {
        return;
    };
    let track = cx.project.tracks[ti].id;
    cx.ask(Effect::Audition {
        track,
        pitch,
        velocity,
        length: AUDITION,
    });
}

/// Inserts a note of one grid step at (beat, pitch), growing the clip when it ends later.
pub(super) fn insert_note(st: &mut PianoState, cx: &mut Cx<'_>, beat: f64, pitch: u8) -> bool {
    insert_notes(st, cx, beat, pitch, 1)
}

/// The MIDI channel of new notes in a clip: its notes', else 10 (9 from 0) on a drum kit.
pub(super) fn channel_for(cx: &Cx<'_>, track: TrackId, old: &[Note]) -> u8 {
    old.first().map(|n| n.channel).unwrap_or_else(|| {
        let drums = cx
            .project
            .track(track)
            .and_then(|t| t.instrument.as_ref())
            .is_some_and(|i| {
                matches!(i, crate::model::Instrument::GeneralMidi { drums: true, .. })
            });
        if drums {
            9
        } else {
            0
        }
    })
}

/// Inserts `count` notes of one grid step each, one after another from `beat`, as one edit.
/// Places that already hold a note of the pitch are skipped.
pub(super) fn insert_notes(
    st: &mut PianoState,
    cx: &mut Cx<'_>,
    beat: f64,
    pitch: u8,
    count: usize,
) -> bool {
    let vel = st.velocity;
    insert_with(st, cx, (beat, pitch, vel), count)
}

/// Play mode: writes a played note (one grid step long) at `beat`.
pub(super) fn insert_played(
    st: &mut PianoState,
    cx: &mut Cx<'_>,
    beat: f64,
    pitch: u8,
    vel: u8,
) -> bool {
    insert_with(st, cx, (beat, pitch, vel), 1)
}

/// Inserts `count` notes from (beat, pitch, velocity), one grid step each, as one edit; with
/// scale snap on, the pitch first moves to the nearest degree of the scale.
fn insert_with(
    st: &mut PianoState,
    cx: &mut Cx<'_>,
    (beat, pitch, vel): (f64, u8, u8),
    count: usize,
) -> bool {
    let Some((track, c)) = clip(st, cx) else {
        cx.error("no MIDI clip in the piano roll");
        return false;
    };
    let pitch = st.snap.map_or(pitch, |s| s.snap(pitch, false));
    let g = st.grid;
    let old = notes_of(&c);
    let channel = channel_for(cx, track, old);
    let template = Note {
        pitch,
        start: beat,
        length: g,
        velocity: vel,
        channel,
    };
    let (notes, starts) = ops::insert(old, template, (0..count).map(|k| beat + k as f64 * g));
    let Some(&last) = starts.last() else {
        cx.error("there is already a note there");
        return false;
    };
    let qpb = cx.project.time_signature.quarters_per_bar();
    let length = ops::grown_length(&c, last + g, qpb);
    let label = if starts.len() == 1 {
        "insert note"
    } else {
        "insert notes"
    };
    let ok = commit(cx, track, c, notes, length, label);
    if ok {
        audition(st, cx, pitch, vel);
    }
    ok
}

/// Insert mode: enters a note of a pitch class nearest the cursor pitch and steps on.
pub(super) fn enter_note(st: &mut PianoState, cx: &mut Cx<'_>, class: u8) {
    let cur = st.pitch as i32;
    let base = cur - cur.rem_euclid(12) + class as i32;
    let pitch = [base - 12, base, base + 12]
        .into_iter()
        .filter(|p| (0..=127).contains(p))
        .min_by_key(|p| (p - cur).abs())
        .unwrap_or(60) as u8;
    let pitch = st.snap.map_or(pitch, |s| s.snap(pitch, false));
    let beat = st.cursor;
    if insert_note(st, cx, beat, pitch) {
        st.pitch = pitch;
        st.cursor = beat + st.grid;
    }
}

pub(super) fn delete_back(st: &mut PianoState, cx: &mut Cx<'_>) {
    let Some((track, c)) = clip(st, cx) else {
        return;
    };
    let g = st.grid;
    let at = (st.cursor - g).max(0.0);
    let notes = notes_of(&c);
    let here: Vec<usize> = (0..notes.len())
        .filter(|&i| (notes[i].start - at).abs() < 1e-9)
        .collect();
    st.cursor = at;
    if !here.is_empty() {
        let keep = ops::delete(notes, &here);
        commit(cx, track, c, keep, None, "delete note");
    }
}

pub(super) fn delete(st: &mut PianoState, cx: &mut Cx<'_>, remove: bool) {
    let Some((track, c)) = clip(st, cx) else {
        cx.error("no MIDI clip in the piano roll");
        return;
    };
    let notes = notes_of(&c).to_vec();
    let t = targets(st, cx, &notes);
    if t.is_empty() {
        cx.error("no note under the cursor");
        return;
    }
    cx.clipboard.notes = t.iter().map(|&i| notes[i]).collect();
    cx.clipboard.clips.clear();
    let n = t.len();
    if remove {
        let keep = ops::delete(&notes, &t);
        commit(cx, track, c, keep, None, "delete notes");
        cx.info(format!("Deleted {n} note{}", if n == 1 { "" } else { "s" }));
    } else {
        cx.info(format!("Copied {n} note{}", if n == 1 { "" } else { "s" }));
    }
    if *cx.mode == Mode::Visual {
        *cx.mode = Mode::Normal;
        st.anchor = None;
    }
}

pub(super) fn paste(st: &mut PianoState, cx: &mut Cx<'_>, n: usize) {
    if cx.clipboard.notes.is_empty() {
        cx.error("nothing to paste: y or x notes first");
        return;
    }
    let Some((track, c)) = clip(st, cx) else {
        cx.error("no MIDI clip in the piano roll");
        return;
    };
    let (new, last_end) = ops::copies(&cx.clipboard.notes, st.cursor, n, st.grid);
    let mut notes = notes_of(&c).to_vec();
    notes.extend(new);
    let qpb = cx.project.time_signature.quarters_per_bar();
    let length = ops::grown_length(&c, last_end, qpb);
    let count = cx.clipboard.notes.len() * n;
    if commit(cx, track, c, notes, length, "paste notes") {
        cx.info(format!(
            "Pasted {count} note{}",
            if count == 1 { "" } else { "s" }
        ));
    }
}

pub(super) fn duplicate(st: &mut PianoState, cx: &mut Cx<'_>, n: usize) {
    let Some((track, c)) = clip(st, cx) else {
        return;
    };
    let notes = notes_of(&c).to_vec();
    let t = targets(st, cx, &notes);
    if t.is_empty() {
        cx.error("no note under the cursor");
        return;
    }
    let (out, last_end) = ops::duplicate(&notes, &t, n, st.grid);
    let qpb = cx.project.time_signature.quarters_per_bar();
    let length = ops::grown_length(&c, last_end, qpb);
    if commit(cx, track, c, out, length, "duplicate notes") {
        let k = t.len();
        cx.info(format!(
            "Duplicated {k} note{} ({} new)",
            if k == 1 { "" } else { "s" },
            k * n
        ));
    }
}

pub(super) fn move_notes(st: &mut PianoState, cx: &mut Cx<'_>, dbeat: f64, dpitch: i64) {
    let Some((track, c)) = clip(st, cx) else {
        return;
    };
    let notes = notes_of(&c);
    let t = targets(st, cx, notes);
    if t.is_empty() {
        cx.error("no note under the cursor");
        return;
    }
    if dpitch != 0 {
        if let Some(scale) = st.snap {
            return move_in_scale(st, cx, (track, c), &t, &scale, dpitch);
        }
    }
    let Some(ops::Moved {
        notes,
        beats: dbeat,
        semitones: dpitch,
    }) = ops::move_notes(notes, &t, dbeat, dpitch)
    else {
        return;
    };
    let first = notes[t[0]];
    let label = if dpitch != 0 {
        "transpose notes"
    } else {
        "move notes"
    };
    if commit(cx, track, c, notes, None, label) {
        st.cursor = (st.cursor + dbeat).max(0.0);
        st.pitch = (st.pitch as i64 + dpitch).clamp(0, 127) as u8;
        if let Some((ab, ap)) = st.anchor {
            st.anchor = Some((
                (ab + dbeat).max(0.0),
                (ap as i64 + dpitch).clamp(0, 127) as u8,
            ));
        }
        if dpitch != 0 {
            audition(st, cx, first.pitch, first.velocity);
        }
    }
}

/// Scale snap: `K`/`J` move notes by degrees of the scale (a note off the scale first lands on
/// its nearest degree), so they never leave it.
fn move_in_scale(
    st: &mut PianoState,
    cx: &mut Cx<'_>,
    (track, c): (TrackId, Clip),
    t: &[usize],
    scale: &Scale,
    steps: i64,
) {
    let steps = steps.clamp(-127, 127) as i32;
    let mut notes = notes_of(&c).to_vec();
    for &i in t {
        match transpose_in_key(notes[i].pitch, steps, scale) {
            Ok(p) => notes[i].pitch = p,
            Err(e) => return cx.error(e.to_string()),
        }
    }
    let first = notes[t[0]];
    if commit(cx, track, c, notes, None, "transpose notes") {
        let step = |p: u8| transpose_in_key(p, steps, scale).unwrap_or(p);
        st.pitch = step(st.pitch);
        if let Some((ab, ap)) = st.anchor {
            st.anchor = Some((ab, step(ap)));
        }
        audition(st, cx, first.pitch, first.velocity);
    }
}

/// `:transpose N`: the selection (or every note of the clip) by N semitones.
pub fn transpose(st: &mut PianoState, cx: &mut Cx<'_>, semis: i32) -> Result<(), String> {
    let (track, c) = clip(st, cx).ok_or("no MIDI clip in the piano roll")?;
    let old = notes_of(&c);
    let idx = match st.selection(*cx.mode) {
        Some((b0, b1, p0, p1)) => ops::select_box(old, b0, b1, p0, p1),
        None => (0..old.len()).collect(),
    };
    if idx.is_empty() {
        return Err("no notes to transpose".into());
    }
    let notes = ops::transpose(old, &idx, semis).map_err(|e| e.to_string())?;
    if commit(cx, track, c, notes, None, "transpose notes") {
        // The view follows the notes: the cursor, the selection's anchor and the visible
        // pitches move with them, so the same picture shows, transposed.
        let shift = |p: u8| (p as i32 + semis).clamp(0, 127) as u8;
        st.pitch = shift(st.pitch);
        st.top_pitch = shift(st.top_pitch);
        if let Some((b, p)) = st.anchor {
            st.anchor = Some((b, shift(p)));
        }
        let n = idx.len();
        cx.info(format!(
            "Transposed {n} note{} {} {} semitone{}",
            if n == 1 { "" } else { "s" },
            if semis < 0 { "down" } else { "up" },
            semis.unsigned_abs(),
            if semis.abs() == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}

pub(super) fn resize(st: &mut PianoState, cx: &mut Cx<'_>, d: f64) {
    let Some((track, c)) = clip(st, cx) else {
        return;
    };
    let t = targets(st, cx, notes_of(&c));
    if t.is_empty() {
        cx.error("no note under the cursor");
        return;
    }
    let notes = ops::resize(notes_of(&c), &t, d, st.grid);
    let label = if d < 0.0 {
        "shorten notes"
    } else {
        "lengthen notes"
    };
    commit(cx, track, c, notes, None, label);
}

pub(super) fn velocity(st: &mut PianoState, cx: &mut Cx<'_>, d: i64) {
    let Some((track, c)) = clip(st, cx) else {
        return;
    };
    let t = targets(st, cx, notes_of(&c));
    if t.is_empty() {
        cx.error("no note under the cursor");
        return;
    }
    let notes = ops::velocity_add(notes_of(&c), &t, d);
    let v = notes[t[0]].velocity;
    st.velocity = v;
    if commit(cx, track, c, notes, None, "velocity") {
        cx.info(format!("Velocity {v}"));
    }
}
