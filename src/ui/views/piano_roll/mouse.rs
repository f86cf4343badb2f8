//! The mouse in the piano roll: the wheel scrolls (Shift or a horizontal wheel: the time axis, a
//! bar per notch); a click selects the note under it (and grabs it) or inserts one, a drag
//! follows with the cursor pitch, the release moves the grabbed note; a right click deletes.

use super::draw::grid_rows;
use super::keys::scroll;
use super::notes::{audition, clip, commit, insert_note};
use super::state::PianoState;
use crate::midi::ops::{self, notes_of};
use crate::ui::ctx::Cx;
use crate::ui::grid::floor_to;
use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

/// A mouse click at (beat, pitch): select the note there, or insert one.
fn click(st: &mut PianoState, cx: &mut Cx<'_>, beat: f64, pitch: u8) {
    let Some((_, c)) = clip(st, cx) else { return };
    let notes = notes_of(&c);
    st.pitch = pitch;
    if let Some(i) = ops::note_at(notes, beat, pitch) {
        st.cursor = notes[i].start;
        st.drag = Some((i, beat - notes[i].start));
        audition(st, cx, pitch, notes[i].velocity);
    } else {
        let b = floor_to(beat.max(0.0), st.grid);
        st.cursor = b;
        insert_note(st, cx, b, pitch);
        st.drag = None;
    }
}

/// Mouse button released at (beat, pitch): finishes a drag by moving the note there.
fn release(st: &mut PianoState, cx: &mut Cx<'_>, beat: f64, pitch: u8) {
    let Some((i, grab)) = st.drag.take() else {
        return;
    };
    let Some((track, c)) = clip(st, cx) else {
        return;
    };
    let mut notes = notes_of(&c).to_vec();
    let Some(n) = notes.get(i).copied() else {
        return;
    };
    let start = floor_to((beat - grab).max(0.0) + st.grid / 2.0, st.grid);
    if (start - n.start).abs() < 1e-9 && pitch == n.pitch {
        return;
    }
    notes[i].start = start;
    notes[i].pitch = pitch;
    if commit(cx, track, c, notes, None, "move note") {
        st.cursor = start;
        st.pitch = pitch;
    }
}

/// A right click at (beat, pitch): deletes the note there.
fn right_click(st: &mut PianoState, cx: &mut Cx<'_>, beat: f64, pitch: u8) {
    let Some((track, c)) = clip(st, cx) else {
        return;
    };
    if let Some(i) = ops::note_at(notes_of(&c), beat, pitch) {
        let notes = ops::delete(notes_of(&c), &[i]);
        commit(cx, track, c, notes, None, "delete note");
    }
}

/// A mouse event inside the main area.
pub fn on_mouse(st: &mut PianoState, cx: &mut Cx<'_>, m: MouseEvent) {
    let main = cx.main;
    let keys_w = st.keys_w(cx.project);
    // The wheel scrolls the view, as in the arrange view (Shift or a horizontal wheel: the
    // time axis, a bar per notch).
    let shift = m.modifiers.contains(KeyModifiers::SHIFT);
    let bar = cx.project.time_signature.quarters_per_bar();
    match m.kind {
        MouseEventKind::ScrollDown if shift => scroll(st, cx, 0, bar),
        MouseEventKind::ScrollUp if shift => scroll(st, cx, 0, -bar),
        MouseEventKind::ScrollDown => scroll(st, cx, -3, 0.0),
        MouseEventKind::ScrollUp => scroll(st, cx, 3, 0.0),
        MouseEventKind::ScrollRight => scroll(st, cx, 0, bar),
        MouseEventKind::ScrollLeft => scroll(st, cx, 0, -bar),
        MouseEventKind::Down(_) | MouseEventKind::Up(_) | MouseEventKind::Drag(_) => {
            let rows = grid_rows(main);
            if m.row <= main.y || m.row > main.y + rows || m.column < main.x + keys_w {
                return;
            }
            let pitch = st.top_pitch as i32 - (m.row - main.y - 1) as i32;
            let Ok(pitch) = u8::try_from(pitch) else {
                return;
            };
            let col = (m.column - main.x - keys_w) as f64;
            let beat = st.scroll_beat + col / st.cols_per_beat();
            match m.kind {
                MouseEventKind::Down(MouseButton::Left) => click(st, cx, beat, pitch),
                MouseEventKind::Down(MouseButton::Right) => right_click(st, cx, beat, pitch),
                MouseEventKind::Drag(MouseButton::Left) => st.pitch = pitch,
                MouseEventKind::Up(MouseButton::Left) => release(st, cx, beat, pitch),
                _ => {}
            }
        }
        _ => {}
    }
}
