//! Clip edits of the arrange view: delete, yank, paste, duplicate, move, resize, trim, split,
//! new clip, and the loop. Each is one `Edit` through the history (so `u` undoes it), made by
//! the operations of `model::ops`.

use super::state::ArrangeState;
use crate::model::ops::{self as mops, OpError};
use crate::model::{Clip, ClipContent, Edit, LoopRegion};
use crate::ui::ctx::Cx;
use crate::ui::grid::{clip_at, floor_to};
use crate::ui::keymap::Mode;
use crate::ui::widgets::bars_beats;

/// The clips a command acts on: the visual selection, or the clip under the cursor.
/// (track index, clip) pairs.
fn targets(st: &ArrangeState, cx: &Cx<'_>) -> Vec<(usize, Clip)> {
    if let Some((t0, t1, b0, b1)) = st.selection(*cx.mode) {
        let mut out = Vec::new();
        for ti in t0..=t1.min(cx.project.tracks.len().saturating_sub(1)) {
            // What plays: take lanes have their own keys (x, ret).
            for c in cx.project.tracks[ti].playing_clips() {
                if c.start < b1 && cx.project.clip_end_beat(c) > b0 {
                    out.push((ti, c.clone()));
                }
            }
        }
        return out;
    }
    let ti = st.track;
    clip_at(cx.project, ti, st.cursor)
        .map(|ci| vec![(ti, cx.project.tracks[ti].clips[ci].clone())])
        .unwrap_or_default()
}

pub(super) fn delete(st: &mut ArrangeState, cx: &mut Cx<'_>, remove: bool) {
    let t = targets(st, cx);
    if t.is_empty() {
        cx.error("no clip under the cursor");
        return;
    }
    let first = t.iter().map(|(ti, _)| *ti).min().unwrap_or(0);
    cx.clipboard.clips = t.iter().map(|(ti, c)| (ti - first, c.clone())).collect();
    cx.clipboard.notes.clear();
    let n = t.len();
    if remove {
        let edits = t
            .into_iter()
            .map(|(_, c)| Edit::RemoveClip { id: c.id })
            .collect();
        if cx.apply(Edit::Batch(edits), "delete clips") {
            cx.info(format!("Deleted {n} clip{}", plural(n)));
        }
    } else {
        cx.info(format!("Copied {n} clip{}", plural(n)));
    }
    if *cx.mode == Mode::Visual {
        *cx.mode = Mode::Normal;
        st.anchor = None;
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub(super) fn paste(st: &mut ArrangeState, cx: &mut Cx<'_>, n: usize) {
    if cx.clipboard.clips.is_empty() {
        cx.error("nothing to paste: y or x a clip first");
        return;
    }
    let edit = mops::paste_clips(
        cx.project,
        &cx.clipboard.clips,
        st.track,
        st.cursor,
        n,
        st.grid,
    );
    let edits = match edit {
        Ok(Edit::Batch(edits)) => edits,
        Ok(other) => vec![other],
        Err(OpError::NoTrackAt(_)) => {
            cx.error("not enough tracks below the cursor to paste into");
            return;
        }
        Err(OpError::WrongKind { what, kind, track }) => {
            cx.error(format!(
                "cannot paste {} {what} clip on the {} track '{track}'",
                mops::article(what),
                kind.as_str(),
            ));
            return;
        }
        Err(e) => {
            cx.error(e.to_string());
            return;
        }
    };
    let count = edits.len();
    if cx.apply(Edit::Batch(edits), "paste clips") {
        let at = bars_beats(cx.project, st.cursor);
        cx.info(format!("Pasted {count} clip{} at {at}", plural(count)));
    }
}

pub(super) fn duplicate(st: &mut ArrangeState, cx: &mut Cx<'_>, n: usize) {
    let t = targets(st, cx);
    if t.is_empty() {
        cx.error("no clip under the cursor");
        return;
    }
    let ids: Vec<_> = t.iter().map(|(_, c)| c.id).collect();
    let edit = match mops::duplicate_clips(cx.project, &ids, n) {
        Ok(e) => e,
        Err(e) => return cx.error(e.to_string()),
    };
    let count = match &edit {
        Edit::Batch(v) => v.len(),
        _ => 1,
    };
    if cx.apply(edit, "duplicate clips") {
        cx.info(format!(
            "Duplicated {} clip{} ({count} new)",
            t.len(),
            plural(t.len())
        ));
    }
}

pub(super) fn shift_time(st: &mut ArrangeState, cx: &mut Cx<'_>, steps: i64) {
    let ti = st.track;
    let Some(ci) = clip_at(cx.project, ti, st.cursor) else {
        cx.error("no clip under the cursor");
        return;
    };
    let t = &cx.project.tracks[ti];
    let c = &t.clips[ci];
    let start = (c.start + steps as f64 * st.grid).max(0.0);
    let delta = start - c.start;
    let edit = match mops::move_clip(cx.project, c.id, start, t.id) {
        Ok(Some(e)) => e,
        Ok(None) => return,
        Err(e) => return cx.error(e.to_string()),
    };
    if cx.apply(edit, "move clip") {
        st.cursor = (st.cursor + delta).max(0.0);
    }
}

pub(super) fn shift_track(st: &mut ArrangeState, cx: &mut Cx<'_>, steps: i64) {
    let ti = st.track;
    let Some(ci) = clip_at(cx.project, ti, st.cursor) else {
        cx.error("no clip under the cursor");
        return;
    };
    let to = ti as i64 + steps;
    let Some(dest) = usize::try_from(to)
        .ok()
        .and_then(|i| cx.project.tracks.get(i))
    else {
        cx.error("no track there");
        return;
    };
    let c = &cx.project.tracks[ti].clips[ci];
    let edit = match mops::move_clip(cx.project, c.id, c.start, dest.id) {
        Ok(Some(e)) => e,
        Ok(None) => return,
        Err(OpError::WrongKind { kind, track, .. }) => {
            return cx.error(format!(
                "cannot move this clip to the {} track '{track}'",
                kind.as_str()
            ));
        }
        Err(e) => return cx.error(e.to_string()),
    };
    if cx.apply(edit, "move clip") {
        st.track = to as usize;
    }
}

pub(super) fn resize_end(st: &mut ArrangeState, cx: &mut Cx<'_>, delta_beats: f64) {
    let ti = st.track;
    let Some(ci) = clip_at(cx.project, ti, st.cursor) else {
        cx.error("no clip under the cursor");
        return;
    };
    let c = &cx.project.tracks[ti].clips[ci];
    // The file's length, when its peaks are known, keeps the clip inside the file.
    let file_seconds = match &c.content {
        ClipContent::Audio(a) => cx.peaks.get(&a.file).map(|pk| pk.seconds()),
        ClipContent::Midi(_) => None,
    };
    let edit = mops::trim_end(cx.project, c.id, delta_beats, st.grid, file_seconds);
    let label = if delta_beats < 0.0 {
        "shorten clip"
    } else {
        "lengthen clip"
    };
    match edit {
        Ok(e) => {
            cx.apply(e, label);
        }
        Err(e) => cx.error(e.to_string()),
    }
}

pub(super) fn trim_start(st: &mut ArrangeState, cx: &mut Cx<'_>, delta: f64) {
    let ti = st.track;
    let Some(ci) = clip_at(cx.project, ti, st.cursor) else {
        cx.error("no clip under the cursor");
        return;
    };
    let id = cx.project.tracks[ti].clips[ci].id;
    match mops::trim_start(cx.project, id, delta) {
        Ok(e) => {
            cx.apply(e, "trim clip");
        }
        Err(e) => cx.error(e.to_string()),
    }
}

pub(super) fn split(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let ti = st.track;
    let at = st.cursor;
    let Some(ci) = clip_at(cx.project, ti, at) else {
        cx.error("no clip under the cursor");
        return;
    };
    let id = cx.project.tracks[ti].clips[ci].id;
    let edit = match mops::split_clip(cx.project, id, at) {
        Ok(e) => e,
        Err(OpError::SplitAtEdge) => {
            cx.error("the cursor is at the start of the clip: move it inside to split");
            return;
        }
        Err(e) => return cx.error(e.to_string()),
    };
    let name = cx.project.tracks[ti].name.clone();
    if cx.apply(edit, "split clip") {
        let at = bars_beats(cx.project, at);
        cx.info(format!("Split the clip on '{name}' at {at}"));
    }
}

pub(super) fn new_clip(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let ti = st.track;
    let Some(t) = cx.project.tracks.get(ti) else {
        cx.error("there is no track: t a adds one");
        return;
    };
    let track = t.id;
    let qpb = cx.project.time_signature.quarters_per_bar();
    let edit = match mops::new_midi_clip(cx.project, track, st.cursor, qpb) {
        Ok(e) => e,
        Err(e @ OpError::NotMidi { .. }) => {
            return cx.error(format!("{e} (audio comes in with :import FILE)"));
        }
        Err(e) => return cx.error(e.to_string()),
    };
    if clip_at(cx.project, ti, st.cursor).is_some() {
        cx.error("there is already a clip under the cursor");
        return;
    }
    if cx.apply(edit, "new clip") {
        cx.info("New MIDI clip: Enter edits it in the piano roll");
    }
}

pub(super) fn loop_toggle(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    match cx.project.loop_region {
        Some(mut l) => {
            l.enabled = !l.enabled;
            let on = l.enabled;
            if cx.apply(Edit::SetLoop(Some(l)), "toggle loop") {
                cx.info(if on { "Loop on" } else { "Loop off" });
            }
        }
        None => loop_set(st, cx),
    }
}

pub(super) fn loop_set(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let (start, end) = match st.selection(*cx.mode) {
        Some((_, _, b0, b1)) => (b0, b1),
        None => {
            let qpb = cx.project.time_signature.quarters_per_bar();
            let s = floor_to(st.cursor, qpb);
            (s, s + qpb)
        }
    };
    if cx.apply(
        Edit::SetLoop(Some(LoopRegion {
            start,
            end,
            enabled: true,
        })),
        "set loop",
    ) {
        cx.info(format!(
            "Loop {} – {}",
            bars_beats(cx.project, start),
            bars_beats(cx.project, end)
        ));
    }
    if *cx.mode == Mode::Visual {
        *cx.mode = Mode::Normal;
        st.anchor = None;
    }
}
