//! What the registry commands do in the piano roll: the cursor, note editing, note entry in
//! insert mode, and auditioning. Notes change through `Edit::ReplaceClip` so every change is one
//! undo step.

use super::action::Cmd;
use super::app::{App, PIANO_ZOOMS};
use super::engine_link::Transport;
use super::keymap::Mode;
use super::views::piano_roll as view;
use crate::midi::ops::{self, notes_of};
use crate::model::{Clip, ClipContent, ClipId, Note, TrackId};
use std::time::{Duration, Instant};

/// How long an auditioned note sounds.
const AUDITION: Duration = Duration::from_millis(300);

/// Shows a clip in the piano roll with the cursor at (beat, pitch).
pub fn open(app: &mut App, clip: ClipId, beat: f64, pitch: u8) {
    app.piano.clip = Some(clip);
    // The piano roll counts content beats: a trimmed clip's window starts at its offset.
    let offset = app
        .project
        .find_clip(clip)
        .and_then(|(ti, ci)| match &app.project.tracks[ti].clips[ci].content {
            ClipContent::Midi(m) => Some(m.offset),
            ClipContent::Audio(_) => None,
        })
        .unwrap_or(0.0);
    let beat = beat + offset;
    app.piano.cursor = super::grid::floor_to(beat.max(0.0), app.piano.grid);
    app.piano.pitch = pitch.min(127);
    app.piano.scroll_beat = 0.0;
    app.piano.anchor = None;
    let rows = view::grid_rows(app.main_area()).max(1) as u8;
    app.piano.top_pitch = pitch
        .saturating_add(rows / 2)
        .clamp(rows.saturating_sub(1), 127);
    app.view = super::keymap::ViewKind::PianoRoll;
    app.mode = Mode::Normal;
    ensure_visible(app);
}

fn clip(app: &App) -> Option<(TrackId, Clip)> {
    let (ti, ci) = app.piano_clip()?;
    Some((
        app.project.tracks[ti].id,
        app.project.tracks[ti].clips[ci].clone(),
    ))
}

/// Replaces the clip's notes (and length) as one undoable edit.
fn commit(
    app: &mut App,
    track: TrackId,
    c: Clip,
    notes: Vec<Note>,
    length: Option<f64>,
    label: &str,
) -> bool {
    app.apply(ops::replace_notes(track, &c, notes, length), label)
}

/// Indices of the notes a command acts on: the visual selection, or the note under the cursor.
fn targets(app: &App, notes: &[Note]) -> Vec<usize> {
    if let Some((b0, b1, p0, p1)) = app.piano.selection(app.mode) {
        return ops::select_box(notes, b0, b1, p0, p1);
    }
    ops::note_at(notes, app.piano.cursor, app.piano.pitch)
        .into_iter()
        .collect()
}

/// Starts a short audition of a pitch on the clip's track (note-off follows on a tick).
pub fn audition(app: &mut App, pitch: u8, velocity: u8) {
    let Some((ti, _)) = app.piano_clip() else {
        return;
    };
    let track = app.project.tracks[ti].id;
    audition_on(app, track, pitch, velocity, AUDITION);
}

/// Sounds `pitch` on `track` for `length` (the tick sends the note-off), ending the audition
/// that is still sounding first.
pub(crate) fn audition_on(
    app: &mut App,
    track: TrackId,
    pitch: u8,
    velocity: u8,
    length: Duration,
) {
    if let Some((_, t, p)) = app.audition_off.take() {
        let _ = app.engine.transport(Transport::Audition {
            track: t,
            pitch: p,
            velocity: 0,
            on: false,
        });
    }
    // Without an engine there is nothing to hear; editing goes on silently.
    if app
        .engine
        .transport(Transport::Audition {
            track,
            pitch,
            velocity,
            on: true,
        })
        .is_ok()
    {
        app.audition_off = Some((Instant::now() + length, track, pitch));
    }
}

pub fn run(app: &mut App, cmd: Cmd, n: usize) {
    let ni = n as i64;
    let g = app.piano.grid;
    match cmd {
        Cmd::MoveLeft => app.piano.cursor = super::grid::step(app.piano.cursor, g, -ni),
        Cmd::MoveRight => app.piano.cursor = super::grid::step(app.piano.cursor, g, ni),
        Cmd::MoveUp => app.piano.pitch = (app.piano.pitch as usize + n).min(127) as u8,
        Cmd::MoveDown => app.piano.pitch = app.piano.pitch.saturating_sub(n.min(127) as u8),
        Cmd::ZoomIn => app.piano.zoom = (app.piano.zoom + n).min(PIANO_ZOOMS.len() - 1),
        Cmd::ZoomOut => app.piano.zoom = app.piano.zoom.saturating_sub(n),
        Cmd::GridFiner => app.piano.grid = (g / 2f64.powi(n as i32)).max(1.0 / 32.0),
        Cmd::GridCoarser => app.piano.grid = (g * 2f64.powi(n as i32)).min(16.0),
        Cmd::GotoStart | Cmd::LineStart => {
            app.piano.cursor = match clip(app).map(|(_, c)| c.content) {
                Some(ClipContent::Midi(m)) => m.offset,
                _ => 0.0,
            }
        }
        // Vim's `$`: the last grid step inside the clip's window.
        Cmd::LineEnd => {
            if let Some((_, c)) = clip(app) {
                if let ClipContent::Midi(m) = &c.content {
                    app.piano.cursor =
                        super::grid::last_step_before(m.offset + m.length, g).max(m.offset);
                }
            }
        }
        Cmd::GotoEnd => {
            if let Some((_, c)) = clip(app) {
                if let ClipContent::Midi(m) = &c.content {
                    let end = m.offset + m.length;
                    app.piano.cursor = super::grid::floor_to((end - g).max(0.0), g);
                }
            }
        }
        Cmd::NextItem | Cmd::PrevItem => {
            let Some((_, c)) = clip(app) else { return };
            let mut starts: Vec<f64> = notes_of(&c).iter().map(|n| n.start).collect();
            starts.sort_by(f64::total_cmp);
            starts.dedup();
            let pos = super::grid::step_through(&starts, app.piano.cursor, n, cmd == Cmd::NextItem);
            app.piano.cursor = pos;
            // Land on the note: its pitch nearest the cursor's.
            let cur = app.piano.pitch;
            if let Some(nn) = notes_of(&c)
                .iter()
                .filter(|nn| (nn.start - pos).abs() < 1e-9)
                .min_by_key(|nn| (nn.pitch as i32 - cur as i32).abs())
            {
                app.piano.pitch = nn.pitch;
            }
        }
        Cmd::Audition => audition(app, app.piano.pitch, app.piano.velocity),
        Cmd::NoteInsert => {
            let (beat, pitch) = (app.piano.cursor, app.piano.pitch);
            // One edit however many: `u` takes back what one key press did.
            insert_notes(app, beat, pitch, n);
        }
        Cmd::Delete => delete(app, true),
        Cmd::Yank => delete(app, false),
        Cmd::Paste => paste(app, n),
        Cmd::Duplicate => duplicate(app, n),
        Cmd::ShiftLeft | Cmd::ShiftRight => {
            let d = g * n as f64 * if cmd == Cmd::ShiftLeft { -1.0 } else { 1.0 };
            move_notes(app, d, 0)
        }
        Cmd::ShiftUp | Cmd::ShiftDown => {
            move_notes(app, 0.0, if cmd == Cmd::ShiftUp { ni } else { -ni })
        }
        Cmd::Shorten | Cmd::Lengthen => {
            let d = g * n as f64 * if cmd == Cmd::Shorten { -1.0 } else { 1.0 };
            resize(app, d)
        }
        Cmd::ValueUp | Cmd::ValueDown => {
            let d = 8 * ni * if cmd == Cmd::ValueDown { -1 } else { 1 };
            velocity(app, d)
        }
        Cmd::Quantize => quantize(app),
        Cmd::Rest => app.piano.cursor += g * n as f64,
        Cmd::OctaveUp => app.piano.pitch = (app.piano.pitch as usize + 12 * n).min(127) as u8,
        Cmd::OctaveDown => {
            app.piano.pitch = app.piano.pitch.saturating_sub((12 * n).min(127) as u8)
        }
        Cmd::DeleteBack => delete_back(app),
        // The view scrolls down towards lower pitches, like Ctrl-e in arrange shows later tracks.
        Cmd::ScrollDown => scroll(app, -ni, 0.0),
        Cmd::ScrollUp => scroll(app, ni, 0.0),
        Cmd::ScrollLeft | Cmd::ScrollRight => {
            let bars = n as f64 * app.project.time_signature.quarters_per_bar();
            scroll(app, 0, if cmd == Cmd::ScrollLeft { -bars } else { bars })
        }
        Cmd::ScrollLeftHalf | Cmd::ScrollRightHalf => {
            let main = app.main_area();
            let half = app.piano.grid_cols_for(&app.project, main) as f64
                / app.piano.cols_per_beat()
                / 2.0;
            let d = half * n as f64;
            scroll(app, 0, if cmd == Cmd::ScrollLeftHalf { -d } else { d })
        }
        c if c.note_class().is_some() => {
            let class = c.note_class().unwrap_or(0);
            for _ in 0..n {
                enter_note(app, class);
            }
        }
        _ => {}
    }
}

/// Inserts a note of one grid step at (beat, pitch), growing the clip when it ends later.
fn insert_note(app: &mut App, beat: f64, pitch: u8) -> bool {
    insert_notes(app, beat, pitch, 1)
}

/// Inserts `count` notes of one grid step each, one after another from `beat`, as one edit.
/// Places that already hold a note of the pitch are skipped.
fn insert_notes(app: &mut App, beat: f64, pitch: u8, count: usize) -> bool {
    let Some((track, c)) = clip(app) else {
        app.error("no MIDI clip in the piano roll");
        return false;
    };
    let g = app.piano.grid;
    let old = notes_of(&c);
    let channel = old.first().map(|n| n.channel).unwrap_or_else(|| {
        let drums = app
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
    });
    let vel = app.piano.velocity;
    let template = Note {
        pitch,
        start: beat,
        length: g,
        velocity: vel,
        channel,
    };
    let (notes, starts) = ops::insert(old, template, (0..count).map(|k| beat + k as f64 * g));
    let Some(&last) = starts.last() else {
        app.error("there is already a note there");
        return false;
    };
    let qpb = app.project.time_signature.quarters_per_bar();
    let length = ops::grown_length(&c, last + g, qpb);
    let label = if starts.len() == 1 {
        "insert note"
    } else {
        "insert notes"
    };
    let ok = commit(app, track, c, notes, length, label);
    if ok {
        audition(app, pitch, vel);
    }
    ok
}

/// Insert mode: enters a note of a pitch class nearest the cursor pitch and steps on.
fn enter_note(app: &mut App, class: u8) {
    let cur = app.piano.pitch as i32;
    let base = cur - cur.rem_euclid(12) + class as i32;
    let pitch = [base - 12, base, base + 12]
        .into_iter()
        .filter(|p| (0..=127).contains(p))
        .min_by_key(|p| (p - cur).abs())
        .unwrap_or(60) as u8;
    let beat = app.piano.cursor;
    if insert_note(app, beat, pitch) {
        app.piano.pitch = pitch;
        app.piano.cursor = beat + app.piano.grid;
    }
}

fn delete_back(app: &mut App) {
    let Some((track, c)) = clip(app) else { return };
    let g = app.piano.grid;
    let at = (app.piano.cursor - g).max(0.0);
    let notes = notes_of(&c);
    let here: Vec<usize> = (0..notes.len())
        .filter(|&i| (notes[i].start - at).abs() < 1e-9)
        .collect();
    app.piano.cursor = at;
    if !here.is_empty() {
        let keep = ops::delete(notes, &here);
        commit(app, track, c, keep, None, "delete note");
    }
}

fn delete(app: &mut App, remove: bool) {
    let Some((track, c)) = clip(app) else {
        app.error("no MIDI clip in the piano roll");
        return;
    };
    let notes = notes_of(&c).to_vec();
    let t = targets(app, &notes);
    if t.is_empty() {
        app.error("no note under the cursor");
        return;
    }
    app.clipboard.notes = t.iter().map(|&i| notes[i]).collect();
    app.clipboard.clips.clear();
    let n = t.len();
    if remove {
        let keep = ops::delete(&notes, &t);
        commit(app, track, c, keep, None, "delete notes");
        app.info(format!("Deleted {n} note{}", if n == 1 { "" } else { "s" }));
    } else {
        app.info(format!("Copied {n} note{}", if n == 1 { "" } else { "s" }));
    }
    if app.mode == Mode::Visual {
        app.mode = Mode::Normal;
        app.piano.anchor = None;
    }
}

fn paste(app: &mut App, n: usize) {
    if app.clipboard.notes.is_empty() {
        app.error("nothing to paste: y or x notes first");
        return;
    }
    let Some((track, c)) = clip(app) else {
        app.error("no MIDI clip in the piano roll");
        return;
    };
    let (new, last_end) = ops::copies(&app.clipboard.notes, app.piano.cursor, n, app.piano.grid);
    let mut notes = notes_of(&c).to_vec();
    notes.extend(new);
    let qpb = app.project.time_signature.quarters_per_bar();
    let length = ops::grown_length(&c, last_end, qpb);
    let count = app.clipboard.notes.len() * n;
    if commit(app, track, c, notes, length, "paste notes") {
        app.info(format!(
            "Pasted {count} note{}",
            if count == 1 { "" } else { "s" }
        ));
    }
}

fn duplicate(app: &mut App, n: usize) {
    let Some((track, c)) = clip(app) else { return };
    let notes = notes_of(&c).to_vec();
    let t = targets(app, &notes);
    if t.is_empty() {
        app.error("no note under the cursor");
        return;
    }
    let (out, last_end) = ops::duplicate(&notes, &t, n, app.piano.grid);
    let qpb = app.project.time_signature.quarters_per_bar();
    let length = ops::grown_length(&c, last_end, qpb);
    if commit(app, track, c, out, length, "duplicate notes") {
        let k = t.len();
        app.info(format!(
            "Duplicated {k} note{} ({} new)",
            if k == 1 { "" } else { "s" },
            k * n
        ));
    }
}

fn move_notes(app: &mut App, dbeat: f64, dpitch: i64) {
    let Some((track, c)) = clip(app) else { return };
    let notes = notes_of(&c);
    let t = targets(app, notes);
    if t.is_empty() {
        app.error("no note under the cursor");
        return;
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
    if commit(app, track, c, notes, None, label) {
        app.piano.cursor = (app.piano.cursor + dbeat).max(0.0);
        app.piano.pitch = (app.piano.pitch as i64 + dpitch).clamp(0, 127) as u8;
        if let Some((ab, ap)) = app.piano.anchor {
            app.piano.anchor = Some((
                (ab + dbeat).max(0.0),
                (ap as i64 + dpitch).clamp(0, 127) as u8,
            ));
        }
        if dpitch != 0 {
            audition(app, first.pitch, first.velocity);
        }
    }
}

/// `:transpose N`: the selection (or every note of the clip) by N semitones.
pub fn transpose(app: &mut App, semis: i32) -> Result<(), String> {
    let (track, c) = clip(app).ok_or("no MIDI clip in the piano roll")?;
    let old = notes_of(&c);
    let idx = match app.piano.selection(app.mode) {
        Some((b0, b1, p0, p1)) => ops::select_box(old, b0, b1, p0, p1),
        None => (0..old.len()).collect(),
    };
    if idx.is_empty() {
        return Err("no notes to transpose".into());
    }
    let notes = ops::transpose(old, &idx, semis).map_err(|e| e.to_string())?;
    if commit(app, track, c, notes, None, "transpose notes") {
        // The view follows the notes: the cursor, the selection's anchor and the visible
        // pitches move with them, so the same picture shows, transposed.
        let shift = |p: u8| (p as i32 + semis).clamp(0, 127) as u8;
        app.piano.pitch = shift(app.piano.pitch);
        app.piano.top_pitch = shift(app.piano.top_pitch);
        if let Some((b, p)) = app.piano.anchor {
            app.piano.anchor = Some((b, shift(p)));
        }
        let n = idx.len();
        app.info(format!(
            "Transposed {n} note{} {} {} semitone{}",
            if n == 1 { "" } else { "s" },
            if semis < 0 { "down" } else { "up" },
            semis.unsigned_abs(),
            if semis.abs() == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}

fn resize(app: &mut App, d: f64) {
    let Some((track, c)) = clip(app) else { return };
    let t = targets(app, notes_of(&c));
    if t.is_empty() {
        app.error("no note under the cursor");
        return;
    }
    let notes = ops::resize(notes_of(&c), &t, d, app.piano.grid);
    let label = if d < 0.0 {
        "shorten notes"
    } else {
        "lengthen notes"
    };
    commit(app, track, c, notes, None, label);
}

fn velocity(app: &mut App, d: i64) {
    let Some((track, c)) = clip(app) else { return };
    let t = targets(app, notes_of(&c));
    if t.is_empty() {
        app.error("no note under the cursor");
        return;
    }
    let notes = ops::velocity_add(notes_of(&c), &t, d);
    let v = notes[t[0]].velocity;
    app.piano.velocity = v;
    if commit(app, track, c, notes, None, "velocity") {
        app.info(format!("Velocity {v}"));
    }
}

fn quantize(app: &mut App) {
    let Some((track, c)) = clip(app) else {
        app.error("no MIDI clip in the piano roll");
        return;
    };
    let old = notes_of(&c);
    let sel = app
        .piano
        .selection(app.mode)
        .map(|(b0, b1, p0, p1)| ops::select_box(old, b0, b1, p0, p1));
    let g = app.piano.grid;
    let (notes, changed) = match ops::quantize(old, sel.as_deref(), g, 1.0) {
        Ok(q) => q,
        Err(e) => {
            app.error(e.to_string());
            return;
        }
    };
    if changed == 0 {
        app.info("Already on the grid");
        return;
    }
    if commit(app, track, c, notes, None, "quantize") {
        app.info(format!(
            "Quantized {changed} note{} to {}",
            if changed == 1 { "" } else { "s" },
            super::views::status::grid_name(g)
        ));
    }
}

/// A mouse click at (beat, pitch): select the note there, or insert one.
pub fn click(app: &mut App, beat: f64, pitch: u8) {
    let Some((_, c)) = clip(app) else { return };
    let notes = notes_of(&c);
    app.piano.pitch = pitch;
    if let Some(i) = ops::note_at(notes, beat, pitch) {
        app.piano.cursor = notes[i].start;
        app.piano.drag = Some((i, beat - notes[i].start));
        audition(app, pitch, notes[i].velocity);
    } else {
        let b = super::grid::floor_to(beat.max(0.0), app.piano.grid);
        app.piano.cursor = b;
        insert_note(app, b, pitch);
        app.piano.drag = None;
    }
}

/// Mouse button released at (beat, pitch): finishes a drag by moving the note there.
pub fn release(app: &mut App, beat: f64, pitch: u8) {
    let Some((i, grab)) = app.piano.drag.take() else {
        return;
    };
    let Some((track, c)) = clip(app) else { return };
    let mut notes = notes_of(&c).to_vec();
    let Some(n) = notes.get(i).copied() else {
        return;
    };
    let start = super::grid::floor_to(
        (beat - grab).max(0.0) + app.piano.grid / 2.0,
        app.piano.grid,
    );
    if (start - n.start).abs() < 1e-9 && pitch == n.pitch {
        return;
    }
    notes[i].start = start;
    notes[i].pitch = pitch;
    if commit(app, track, c, notes, None, "move note") {
        app.piano.cursor = start;
        app.piano.pitch = pitch;
    }
}

/// A right click at (beat, pitch): deletes the note there.
pub fn right_click(app: &mut App, beat: f64, pitch: u8) {
    let Some((track, c)) = clip(app) else { return };
    if let Some(i) = ops::note_at(notes_of(&c), beat, pitch) {
        let notes = ops::delete(notes_of(&c), &[i]);
        commit(app, track, c, notes, None, "delete note");
    }
}

/// Scrolls the view by `pitches` rows (positive: towards higher pitches) and `beats` (free
/// scrolling, as in the arrange view): the view moves first and the cursor is pulled along only
/// as far as it must be to stay on screen (snapped to the grid). Scrolling stops at pitches 0
/// and 127 and where the last bar of the clip (or of the cursor) is still on screen.
pub fn scroll(app: &mut App, pitches: i64, beats: f64) {
    let main = app.main_area();
    let rows = view::grid_rows(main).max(1) as i64;
    let cpb = app.piano.cols_per_beat();
    let span = app.piano.grid_cols_for(&app.project, main).max(1) as f64 / cpb;
    let length = match clip(app) {
        Some((_, c)) => match c.content {
            ClipContent::Midi(m) => m.offset + m.length,
            ClipContent::Audio(_) => 0.0,
        },
        None => 0.0,
    };
    let qpb = app.project.time_signature.quarters_per_bar();
    let st = &mut app.piano;
    let lowest_top = (rows - 1).min(127);
    st.top_pitch = (st.top_pitch as i64 + pitches).clamp(lowest_top, 127) as u8;
    let bottom = (st.top_pitch as i64 + 1 - rows).max(0) as u8;
    st.pitch = st.pitch.clamp(bottom, st.top_pitch);
    let end = length.max(st.cursor + st.grid);
    let max_beat = super::grid::floor_to((end - 1e-6).max(0.0), qpb);
    st.scroll_beat =
        (st.scroll_beat + beats).clamp(0.0, max_beat.max(st.scroll_beat.min(max_beat)));
    let g = st.grid;
    // On screen means the whole grid step fits (see `ensure_visible`).
    let lo = ((st.scroll_beat - 1e-9) / g).ceil() * g;
    let hi = super::grid::floor_to(st.scroll_beat + span - g + 1e-9, g);
    if lo <= hi {
        st.cursor = st.cursor.clamp(lo, hi);
    }
}

/// Keeps the cursor on screen.
pub fn ensure_visible(app: &mut App) {
    let main = app.main_area();
    let cols = app.piano.grid_cols_for(&app.project, main).max(1) as f64;
    let rows = view::grid_rows(main).max(1) as u8;
    let cpb = app.piano.cols_per_beat();
    let span = cols / cpb;
    let st = &mut app.piano;
    if st.cursor < st.scroll_beat {
        st.scroll_beat = super::grid::floor_to(st.cursor, (span / 4.0).max(st.grid.min(span)));
    } else if st.cursor + st.grid > st.scroll_beat + span {
        st.scroll_beat = (st.cursor - span * 0.75).max(0.0);
    }
    if st.pitch > st.top_pitch {
        st.top_pitch = st.pitch;
    } else if st.pitch + rows <= st.top_pitch {
        st.top_pitch = st.pitch + rows - 1;
    }
    st.top_pitch = st.top_pitch.clamp(rows.saturating_sub(1).min(127), 127);
}
