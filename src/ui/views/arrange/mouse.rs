//! The mouse in the arrange view: the wheel scrolls (Shift or a horizontal wheel: the
//! timeline), a click selects a track and puts the cursor on the grid, and a clip dragged with
//! the button down moves (one undoable edit when the button comes up). A click on an
//! automation lane puts the cursor on it and adds a point there unless one is near.

use super::keys::scroll;
use super::lanes::point_at;
use super::lanes_edit::add;
use super::layout::{row_at, Row, HEADER_W, ROWS, TOP_ROWS};
use super::state::{ArrangeState, ClipDrag};
use crate::model::ops as mops;
use crate::model::Edit;
use crate::ui::ctx::{Cx, Effect};
use crate::ui::grid::{clip_at, floor_to};
use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

/// The mouse went down at `beat` on track `ti`: grab the clip there, if any.
pub fn drag_start(st: &mut ArrangeState, cx: &mut Cx<'_>, ti: usize, beat: f64) {
    let Some(ci) = clip_at(cx.project, ti, beat) else {
        return;
    };
    let t = &cx.project.tracks[ti];
    let origin = t.clips[ci].clone();
    st.drag = Some(ClipDrag {
        grab: beat - origin.start,
        origin,
        origin_track: t.id,
        moved: false,
    });
}

/// The mouse moved with the button down: the grabbed clip follows, its start snapped to the
/// grid, onto any track of its kind under the pointer.
pub fn drag_to(st: &mut ArrangeState, cx: &mut Cx<'_>, ti: usize, beat: f64) {
    let Some(d) = &st.drag else {
        return;
    };
    let (grab, id) = (d.grab, d.origin.id);
    let Some((cur_ti, cur_ci)) = cx.project.find_clip(id) else {
        st.drag = None;
        return;
    };
    let g = st.grid;
    let mut clip = cx.project.tracks[cur_ti].clips[cur_ci].clone();
    let start = ((beat - grab) / g).round() * g;
    clip.start = start.max(0.0);
    let dest = cx
        .project
        .tracks
        .get(ti)
        .filter(|t| mops::clip_fits(t.kind, &clip))
        .map(|_| ti)
        .unwrap_or(cur_ti);
    if dest == cur_ti && clip.start == cx.project.tracks[cur_ti].clips[cur_ci].start {
        return;
    }
    let edit = Edit::ReplaceClip {
        track: cx.project.tracks[dest].id,
        clip: Box::new(clip.clone()),
    };
    // Not through the history: the drag ends in one edit (see `drag_end`).
    if edit.apply(cx.project).is_ok() {
        if let Some(d) = &mut st.drag {
            d.moved = true;
        }
        st.track = dest;
        st.cursor = clip.start;
    }
}

/// The button went up: the clip goes back where it was grabbed and the move is applied as one
/// edit (so `u` undoes the whole drag).
pub fn drag_end(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let Some(d) = st.drag.take() else {
        return;
    };
    if !d.moved {
        return;
    }
    let Some((ti, ci)) = cx.project.find_clip(d.origin.id) else {
        return;
    };
    let moved = cx.project.tracks[ti].clips[ci].clone();
    let track = cx.project.tracks[ti].id;
    let back = Edit::ReplaceClip {
        track: d.origin_track,
        clip: Box::new(d.origin.clone()),
    };
    if back.apply(cx.project).is_err() {
        return;
    }
    if moved.start == d.origin.start && track == d.origin_track {
        return;
    }
    let bars = cx.project.time_signature.bars_beats(moved.start);
    if cx.apply(
        Edit::ReplaceClip {
            track,
            clip: Box::new(moved),
        },
        "move clip",
    ) {
        cx.info(format!("Moved the clip to {}.{}", bars.0, bars.1));
    }
}

/// Puts a dragged clip back where it was grabbed, without an edit (a key pressed mid-drag).
pub fn cancel_drag(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let Some(d) = st.drag.take() else {
        return;
    };
    if d.moved {
        let _ = Edit::ReplaceClip {
            track: d.origin_track,
            clip: Box::new(d.origin),
        }
        .apply(cx.project);
    }
}

/// A mouse event inside the main area.
pub fn on_mouse(st: &mut ArrangeState, cx: &mut Cx<'_>, m: MouseEvent) {
    let main = cx.main;
    // The wheel scrolls the view (Shift or a horizontal wheel: the timeline).
    let shift = m.modifiers.contains(KeyModifiers::SHIFT);
    let bar = cx.project.time_signature.quarters_per_bar();
    // The track row and beat under the pointer (None over the ruler or headers).
    let at = row_at(st, cx.project, main, m.row);
    let row = (m.row >= main.y + TOP_ROWS).then(|| match &at {
        Some(r) => r.track,
        // Below the last row: where a track would be (a drag there keeps its track).
        None => st.scroll_track + ((m.row - main.y - TOP_ROWS) / ROWS) as usize,
    });
    let beat = (m.column >= main.x + HEADER_W).then(|| {
        let col = (m.column - main.x - HEADER_W) as f64;
        st.scroll_beat + col / st.cols_per_beat()
    });
    match m.kind {
        MouseEventKind::ScrollDown if shift => scroll(st, cx, 0, bar),
        MouseEventKind::ScrollUp if shift => scroll(st, cx, 0, -bar),
        MouseEventKind::ScrollDown => scroll(st, cx, 1, 0.0),
        MouseEventKind::ScrollUp => scroll(st, cx, -1, 0.0),
        MouseEventKind::ScrollRight => scroll(st, cx, 0, bar),
        MouseEventKind::ScrollLeft => scroll(st, cx, 0, -bar),
        MouseEventKind::Down(MouseButton::Left) => {
            cancel_drag(st, cx);
            if let (Some(Row { track, take, .. }), Some(beat)) = (at.clone(), beat) {
                if take.is_some() {
                    // On a take lane: the cursor goes there.
                    st.track = track;
                    st.lane = None;
                    st.take_lane = take;
                    st.cursor = floor_to(beat, st.grid);
                    cx.ask(Effect::SelectTrack(track));
                    return;
                }
            }
            if let (Some(Row { track, lane, .. }), Some(beat)) = (at.clone(), beat) {
                if lane.is_some() {
                    st.take_lane = None;
                    // On a lane: the cursor goes there, and a point is added unless one is.
                    st.track = track;
                    st.lane = lane;
                    st.cursor = floor_to(beat, st.grid);
                    cx.ask(Effect::SelectTrack(track));
                    let pts = st.on_lane(cx.project).map(|l| l.points.clone());
                    if pts.is_some_and(|p| point_at(&p, st.cursor, st.grid).is_none()) {
                        add(st, cx);
                    }
                    return;
                }
            }
            let Some(ti) = row else {
                return;
            };
            st.lane = None;
            st.take_lane = None;
            if ti < cx.project.tracks.len() {
                st.track = ti;
                cx.ask(Effect::SelectTrack(ti));
            }
            if let Some(beat) = beat {
                st.cursor = floor_to(beat, st.grid);
                if ti < cx.project.tracks.len() {
                    drag_start(st, cx, ti, beat);
                }
            }
        }
        MouseEventKind::Drag(MouseButton::Left) => {
            if let (Some(ti), Some(beat)) = (row, beat) {
                drag_to(st, cx, ti, beat);
            }
        }
        MouseEventKind::Up(MouseButton::Left) => drag_end(st, cx),
        _ => {}
    }
}
