//! What the registry commands do in the arrange view: cursor, clips and tracks. Every change
//! of the project is an `Edit` through the history, so it can be undone.

use super::action::Cmd;
use super::app::{App, ARRANGE_ZOOMS};
use super::grid::{clip_at, floor_to, last_step_before, step};
use super::keymap::Mode;
use super::views::arrange as view;
use crate::model::ops::{self as mops, OpError};
use crate::model::{Clip, ClipContent, Edit, LoopRegion};

pub fn run(app: &mut App, cmd: Cmd, n: usize) {
    let ni = n as i64;
    let g = app.arrange.grid;
    match cmd {
        Cmd::MoveLeft => app.arrange.cursor = step(app.arrange.cursor, g, -ni),
        Cmd::MoveRight => app.arrange.cursor = step(app.arrange.cursor, g, ni),
        Cmd::MoveUp => app.arrange.track = app.arrange.track.saturating_sub(n),
        Cmd::MoveDown => {
            let last = app.project.tracks.len().saturating_sub(1);
            app.arrange.track = (app.arrange.track + n).min(last);
        }
        // Vim's `0` and `$`: a track is the line.
        Cmd::LineStart => app.arrange.cursor = 0.0,
        Cmd::LineEnd => {
            let Some(t) = app.project.tracks.get(app.arrange.track) else {
                return;
            };
            let end = t
                .clips
                .iter()
                .map(|c| app.project.clip_end_beat(c))
                .fold(0.0, f64::max);
            if end > 0.0 {
                app.arrange.cursor = last_step_before(end, g);
            }
        }
        Cmd::NextItem | Cmd::PrevItem => {
            let Some(t) = app.project.tracks.get(app.arrange.track) else {
                return;
            };
            let cur = app.arrange.cursor;
            let mut starts: Vec<f64> = t.clips.iter().map(|c| c.start).collect();
            starts.sort_by(f64::total_cmp);
            app.arrange.cursor = super::grid::step_through(&starts, cur, n, cmd == Cmd::NextItem);
        }
        Cmd::ScrollDown => scroll(app, ni, 0.0),
        Cmd::ScrollUp => scroll(app, -ni, 0.0),
        Cmd::ScrollLeft | Cmd::ScrollRight => {
            let bars = n as f64 * app.project.time_signature.quarters_per_bar();
            scroll(app, 0, if cmd == Cmd::ScrollLeft { -bars } else { bars })
        }
        Cmd::ScrollLeftHalf | Cmd::ScrollRightHalf => {
            let main = app.main_area();
            let half = view::timeline_cols(main) as f64 / app.arrange.cols_per_beat() / 2.0;
            let d = half * n as f64;
            scroll(app, 0, if cmd == Cmd::ScrollLeftHalf { -d } else { d })
        }
        Cmd::ZoomIn => app.arrange.zoom = (app.arrange.zoom + n).min(ARRANGE_ZOOMS.len() - 1),
        Cmd::ZoomOut => app.arrange.zoom = app.arrange.zoom.saturating_sub(n),
        Cmd::GridFiner => app.arrange.grid = (g / 2f64.powi(n as i32)).max(1.0 / 16.0),
        Cmd::GridCoarser => app.arrange.grid = (g * 2f64.powi(n as i32)).min(64.0),
        Cmd::Delete => delete(app, true),
        Cmd::Yank => delete(app, false),
        Cmd::Paste => paste(app, n),
        Cmd::Duplicate => duplicate(app, n),
        Cmd::ShiftLeft | Cmd::ShiftRight => {
            shift_time(app, if cmd == Cmd::ShiftLeft { -ni } else { ni })
        }
        Cmd::ShiftUp | Cmd::ShiftDown => {
            shift_track(app, if cmd == Cmd::ShiftUp { -ni } else { ni })
        }
        Cmd::Shorten | Cmd::Lengthen => {
            let d = g * n as f64 * if cmd == Cmd::Shorten { -1.0 } else { 1.0 };
            resize_end(app, d)
        }
        Cmd::TrimStartLater | Cmd::TrimStartEarlier => {
            let d = g
                * n as f64
                * if cmd == Cmd::TrimStartEarlier {
                    -1.0
                } else {
                    1.0
                };
            trim_start(app, d)
        }
        Cmd::ClipSplit => split(app),
        Cmd::ClipNew => new_clip(app),
        Cmd::OpenPianoRoll => open_piano_roll(app),
        Cmd::LoopToggle => loop_toggle(app),
        Cmd::LoopSet => loop_set(app),
        _ => {}
    }
}

/// The clips a command acts on: the visual selection, or the clip under the cursor.
/// (track index, clip) pairs.
fn targets(app: &App) -> Vec<(usize, Clip)> {
    if let Some((t0, t1, b0, b1)) = app.arrange.selection(app.mode) {
        let mut out = Vec::new();
        for ti in t0..=t1.min(app.project.tracks.len().saturating_sub(1)) {
            for c in &app.project.tracks[ti].clips {
                if c.start < b1 && app.project.clip_end_beat(c) > b0 {
                    out.push((ti, c.clone()));
                }
            }
        }
        return out;
    }
    let ti = app.arrange.track;
    clip_at(&app.project, ti, app.arrange.cursor)
        .map(|ci| vec![(ti, app.project.tracks[ti].clips[ci].clone())])
        .unwrap_or_default()
}

fn delete(app: &mut App, remove: bool) {
    let t = targets(app);
    if t.is_empty() {
        app.error("no clip under the cursor");
        return;
    }
    let first = t.iter().map(|(ti, _)| *ti).min().unwrap_or(0);
    app.clipboard.clips = t.iter().map(|(ti, c)| (ti - first, c.clone())).collect();
    app.clipboard.notes.clear();
    let n = t.len();
    if remove {
        let edits = t
            .into_iter()
            .map(|(_, c)| Edit::RemoveClip { id: c.id })
            .collect();
        if app.apply(Edit::Batch(edits), "delete clips") {
            app.info(format!("Deleted {n} clip{}", plural(n)));
        }
    } else {
        app.info(format!("Copied {n} clip{}", plural(n)));
    }
    if app.mode == Mode::Visual {
        app.mode = Mode::Normal;
        app.arrange.anchor = None;
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn paste(app: &mut App, n: usize) {
    if app.clipboard.clips.is_empty() {
        app.error("nothing to paste: y or x a clip first");
        return;
    }
    let edit = mops::paste_clips(
        &app.project,
        &app.clipboard.clips,
        app.arrange.track,
        app.arrange.cursor,
        n,
        app.arrange.grid,
    );
    let edits = match edit {
        Ok(Edit::Batch(edits)) => edits,
        Ok(other) => vec![other],
        Err(OpError::NoTrackAt(_)) => {
            app.error("not enough tracks below the cursor to paste into");
            return;
        }
        Err(OpError::WrongKind { what, kind, track }) => {
            app.error(format!(
                "cannot paste {} {what} clip on the {} track '{track}'",
                mops::article(what),
                kind.as_str(),
            ));
            return;
        }
        Err(e) => {
            app.error(e.to_string());
            return;
        }
    };
    let count = edits.len();
    if app.apply(Edit::Batch(edits), "paste clips") {
        let at = super::widgets::bars_beats(&app.project, app.arrange.cursor);
        app.info(format!("Pasted {count} clip{} at {at}", plural(count)));
    }
}

fn duplicate(app: &mut App, n: usize) {
    let t = targets(app);
    if t.is_empty() {
        app.error("no clip under the cursor");
        return;
    }
    let ids: Vec<_> = t.iter().map(|(_, c)| c.id).collect();
    let edit = match mops::duplicate_clips(&app.project, &ids, n) {
        Ok(e) => e,
        Err(e) => return app.error(e.to_string()),
    };
    let count = match &edit {
        Edit::Batch(v) => v.len(),
        _ => 1,
    };
    if app.apply(edit, "duplicate clips") {
        app.info(format!(
            "Duplicated {} clip{} ({count} new)",
            t.len(),
            plural(t.len())
        ));
    }
}

fn shift_time(app: &mut App, steps: i64) {
    let ti = app.arrange.track;
    let Some(ci) = clip_at(&app.project, ti, app.arrange.cursor) else {
        app.error("no clip under the cursor");
        return;
    };
    let t = &app.project.tracks[ti];
    let c = &t.clips[ci];
    let start = (c.start + steps as f64 * app.arrange.grid).max(0.0);
    let delta = start - c.start;
    let edit = match mops::move_clip(&app.project, c.id, start, t.id) {
        Ok(Some(e)) => e,
        Ok(None) => return,
        Err(e) => return app.error(e.to_string()),
    };
    if app.apply(edit, "move clip") {
        app.arrange.cursor = (app.arrange.cursor + delta).max(0.0);
    }
}

fn shift_track(app: &mut App, steps: i64) {
    let ti = app.arrange.track;
    let Some(ci) = clip_at(&app.project, ti, app.arrange.cursor) else {
        app.error("no clip under the cursor");
        return;
    };
    let to = ti as i64 + steps;
    let Some(dest) = usize::try_from(to)
        .ok()
        .and_then(|i| app.project.tracks.get(i))
    else {
        app.error("no track there");
        return;
    };
    let c = &app.project.tracks[ti].clips[ci];
    let edit = match mops::move_clip(&app.project, c.id, c.start, dest.id) {
        Ok(Some(e)) => e,
        Ok(None) => return,
        Err(OpError::WrongKind { kind, track, .. }) => {
            return app.error(format!(
                "cannot move this clip to the {} track '{track}'",
                kind.as_str()
            ));
        }
        Err(e) => return app.error(e.to_string()),
    };
    if app.apply(edit, "move clip") {
        app.arrange.track = to as usize;
    }
}

fn resize_end(app: &mut App, delta_beats: f64) {
    let ti = app.arrange.track;
    let Some(ci) = clip_at(&app.project, ti, app.arrange.cursor) else {
        app.error("no clip under the cursor");
        return;
    };
    let c = &app.project.tracks[ti].clips[ci];
    // The file's length, when its peaks are known, keeps the clip inside the file.
    let file_seconds = match &c.content {
        ClipContent::Audio(a) => app.peaks.get(&a.file).map(|pk| pk.seconds()),
        ClipContent::Midi(_) => None,
    };
    let edit = mops::trim_end(
        &app.project,
        c.id,
        delta_beats,
        app.arrange.grid,
        file_seconds,
    );
    let label = if delta_beats < 0.0 {
        "shorten clip"
    } else {
        "lengthen clip"
    };
    match edit {
        Ok(e) => {
            app.apply(e, label);
        }
        Err(e) => app.error(e.to_string()),
    }
}

fn trim_start(app: &mut App, delta: f64) {
    let ti = app.arrange.track;
    let Some(ci) = clip_at(&app.project, ti, app.arrange.cursor) else {
        app.error("no clip under the cursor");
        return;
    };
    let id = app.project.tracks[ti].clips[ci].id;
    match mops::trim_start(&app.project, id, delta) {
        Ok(e) => {
            app.apply(e, "trim clip");
        }
        Err(e) => app.error(e.to_string()),
    }
}

fn split(app: &mut App) {
    let ti = app.arrange.track;
    let at = app.arrange.cursor;
    let Some(ci) = clip_at(&app.project, ti, at) else {
        app.error("no clip under the cursor");
        return;
    };
    let id = app.project.tracks[ti].clips[ci].id;
    let edit = match mops::split_clip(&app.project, id, at) {
        Ok(e) => e,
        Err(OpError::SplitAtEdge) => {
            app.error("the cursor is at the start of the clip: move it inside to split");
            return;
        }
        Err(e) => return app.error(e.to_string()),
    };
    let name = app.project.tracks[ti].name.clone();
    if app.apply(edit, "split clip") {
        let at = super::widgets::bars_beats(&app.project, at);
        app.info(format!("Split the clip on '{name}' at {at}"));
    }
}

fn new_clip(app: &mut App) {
    let ti = app.arrange.track;
    let Some(t) = app.project.tracks.get(ti) else {
        app.error("there is no track: t a adds one");
        return;
    };
    let track = t.id;
    let qpb = app.project.time_signature.quarters_per_bar();
    let edit = match mops::new_midi_clip(&app.project, track, app.arrange.cursor, qpb) {
        Ok(e) => e,
        Err(e @ OpError::NotMidi { .. }) => {
            return app.error(format!("{e} (audio comes in with :import FILE)"));
        }
        Err(e) => return app.error(e.to_string()),
    };
    if clip_at(&app.project, ti, app.arrange.cursor).is_some() {
        app.error("there is already a clip under the cursor");
        return;
    }
    if app.apply(edit, "new clip") {
        app.info("New MIDI clip: Enter edits it in the piano roll");
    }
}

/// Opens the MIDI clip under the cursor in the piano roll.
pub fn open_piano_roll(app: &mut App) {
    let ti = app.arrange.track;
    let Some(ci) = clip_at(&app.project, ti, app.arrange.cursor) else {
        app.error("no clip under the cursor");
        return;
    };
    let c = &app.project.tracks[ti].clips[ci];
    let ClipContent::Midi(m) = &c.content else {
        app.error("that is an audio clip: the piano roll edits MIDI clips");
        return;
    };
    let id = c.id;
    let rel = app.arrange.cursor - c.start;
    let mut pitches: Vec<u8> = m.notes.iter().map(|n| n.pitch).collect();
    pitches.sort_unstable();
    let pitch = pitches.get(pitches.len() / 2).copied().unwrap_or(60);
    super::piano_ops::open(app, id, rel, pitch);
}

fn loop_toggle(app: &mut App) {
    match app.project.loop_region {
        Some(mut l) => {
            l.enabled = !l.enabled;
            let on = l.enabled;
            if app.apply(Edit::SetLoop(Some(l)), "toggle loop") {
                app.info(if on { "Loop on" } else { "Loop off" });
            }
        }
        None => loop_set(app),
    }
}

fn loop_set(app: &mut App) {
    let (start, end) = match app.arrange.selection(app.mode) {
        Some((_, _, b0, b1)) => (b0, b1),
        None => {
            let qpb = app.project.time_signature.quarters_per_bar();
            let s = floor_to(app.arrange.cursor, qpb);
            (s, s + qpb)
        }
    };
    if app.apply(
        Edit::SetLoop(Some(LoopRegion {
            start,
            end,
            enabled: true,
        })),
        "set loop",
    ) {
        app.info(format!(
            "Loop {} – {}",
            super::widgets::bars_beats(&app.project, start),
            super::widgets::bars_beats(&app.project, end)
        ));
    }
    if app.mode == Mode::Visual {
        app.mode = Mode::Normal;
        app.arrange.anchor = None;
    }
}

/// Keeps the cursor and the selected track on screen.
/// The mouse went down at `beat` on track `ti`: grab the clip there, if any.
pub fn drag_start(app: &mut App, ti: usize, beat: f64) {
    let Some(ci) = clip_at(&app.project, ti, beat) else {
        return;
    };
    let t = &app.project.tracks[ti];
    let origin = t.clips[ci].clone();
    app.arrange.drag = Some(super::app::ClipDrag {
        grab: beat - origin.start,
        origin,
        origin_track: t.id,
        moved: false,
    });
}

/// The mouse moved with the button down: the grabbed clip follows, its start snapped to the
/// grid, onto any track of its kind under the pointer.
pub fn drag_to(app: &mut App, ti: usize, beat: f64) {
    let Some(d) = &app.arrange.drag else {
        return;
    };
    let (grab, id) = (d.grab, d.origin.id);
    let Some((cur_ti, cur_ci)) = app.project.find_clip(id) else {
        app.arrange.drag = None;
        return;
    };
    let g = app.arrange.grid;
    let mut clip = app.project.tracks[cur_ti].clips[cur_ci].clone();
    let start = ((beat - grab) / g).round() * g;
    clip.start = start.max(0.0);
    let dest = app
        .project
        .tracks
        .get(ti)
        .filter(|t| mops::clip_fits(t.kind, &clip))
        .map(|_| ti)
        .unwrap_or(cur_ti);
    if dest == cur_ti && clip.start == app.project.tracks[cur_ti].clips[cur_ci].start {
        return;
    }
    let edit = Edit::ReplaceClip {
        track: app.project.tracks[dest].id,
        clip: Box::new(clip.clone()),
    };
    // Not through the history: the drag ends in one edit (see `drag_end`).
    if edit.apply(&mut app.project).is_ok() {
        if let Some(d) = &mut app.arrange.drag {
            d.moved = true;
        }
        app.arrange.track = dest;
        app.arrange.cursor = clip.start;
    }
}

/// The button went up: the clip goes back where it was grabbed and the move is applied as one
/// edit (so `u` undoes the whole drag).
pub fn drag_end(app: &mut App) {
    let Some(d) = app.arrange.drag.take() else {
        return;
    };
    if !d.moved {
        return;
    }
    let Some((ti, ci)) = app.project.find_clip(d.origin.id) else {
        return;
    };
    let moved = app.project.tracks[ti].clips[ci].clone();
    let track = app.project.tracks[ti].id;
    let back = Edit::ReplaceClip {
        track: d.origin_track,
        clip: Box::new(d.origin.clone()),
    };
    if back.apply(&mut app.project).is_err() {
        return;
    }
    if moved.start == d.origin.start && track == d.origin_track {
        return;
    }
    let bars = app.project.time_signature.bars_beats(moved.start);
    if app.apply(
        Edit::ReplaceClip {
            track,
            clip: Box::new(moved),
        },
        "move clip",
    ) {
        app.info(format!("Moved the clip to {}.{}", bars.0, bars.1));
    }
}

/// Puts a dragged clip back where it was grabbed, without an edit (a key pressed mid-drag).
pub fn cancel_drag(app: &mut App) {
    let Some(d) = app.arrange.drag.take() else {
        return;
    };
    if d.moved {
        let _ = Edit::ReplaceClip {
            track: d.origin_track,
            clip: Box::new(d.origin),
        }
        .apply(&mut app.project);
    }
}

/// Scrolls the view by `tracks` rows and `beats` (free scrolling, like vim's Ctrl-e and zl):
/// the view moves first and the cursor is pulled along only as far as it must be to stay on
/// screen (snapped to the grid). Scrolling stops at the last track and at the song's end.
pub fn scroll(app: &mut App, tracks: i64, beats: f64) {
    let main = app.main_area();
    let n = view::visible_tracks(main).max(1);
    let cpb = app.arrange.cols_per_beat();
    let span = view::timeline_cols(main).max(1) as f64 / cpb;
    let total = app.project.tracks.len();
    let end = app.project.end_beat().max(app.arrange.cursor);
    let qpb = app.project.time_signature.quarters_per_bar();
    let st = &mut app.arrange;
    let max_track = total.saturating_sub(n) as i64;
    st.scroll_track = (st.scroll_track as i64 + tracks).clamp(0, max_track.max(0)) as usize;
    // The last bar (of the song, or where the cursor is) stays on screen.
    let max_beat = floor_to((end - 1e-6).max(0.0), qpb);
    st.scroll_beat =
        (st.scroll_beat + beats).clamp(0.0, max_beat.max(st.scroll_beat.min(max_beat)));
    if total > 0 {
        let last = (st.scroll_track + n - 1).min(total - 1);
        st.track = st.track.clamp(st.scroll_track, last);
    }
    let g = st.grid;
    let lo = ((st.scroll_beat - 1e-9) / g).ceil() * g;
    let hi = floor_to(st.scroll_beat + span - 1.0 / cpb - 1e-6, g);
    if lo <= hi {
        st.cursor = st.cursor.clamp(lo, hi);
    }
}

pub fn ensure_visible(app: &mut App) {
    let main = app.main_area();
    let cols = view::timeline_cols(main).max(1) as f64;
    let cpb = app.arrange.cols_per_beat();
    let span = cols / cpb;
    let st = &mut app.arrange;
    if st.cursor < st.scroll_beat {
        st.scroll_beat = floor_to(st.cursor, (span / 4.0).max(st.grid.min(span)));
    } else if st.cursor >= st.scroll_beat + span - 1.0 / cpb {
        st.scroll_beat = (st.cursor - span * 0.75).max(0.0);
    }
    let n = view::visible_tracks(main).max(1);
    if st.track < st.scroll_track {
        st.scroll_track = st.track;
    } else if st.track >= st.scroll_track + n {
        st.scroll_track = st.track + 1 - n;
    }
    let tracks = app.project.tracks.len();
    st.scroll_track = st.scroll_track.min(tracks.saturating_sub(n.min(tracks)));
}
