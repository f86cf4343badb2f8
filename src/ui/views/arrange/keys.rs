//! The arrange view's registry commands: cursor, scrolling, zoom and grid here; clip edits in
//! `edit.rs`. Every change of the project is an `Edit` through the history, so it can be undone.

use super::edit::{
    delete, duplicate, loop_set, loop_toggle, new_clip, paste, resize_end, shift_time, shift_track,
    split, trim_start,
};
use super::layout::{timeline_cols, visible_tracks};
use super::state::{ArrangeState, ARRANGE_ZOOMS};
use super::{lanes, lanes_edit, takes};
use crate::model::{ClipContent, Project};
use crate::ui::action::Cmd;
use crate::ui::ctx::{Cx, Effect};
use crate::ui::grid::{clip_at, floor_to, last_step_before, step, step_through};
use ratatui::layout::Rect;

pub fn run(st: &mut ArrangeState, cx: &mut Cx<'_>, cmd: Cmd, n: usize) {
    let ni = n as i64;
    let g = st.grid;
    // Clip edits act on what plays (lane 0): from a take lane they would change a clip the
    // cursor is not on.
    if is_clip_edit(cmd) && st.on_take(cx.project).is_some() {
        cx.error(
            "on a take lane: ret plays this take, v … c comps a range of it, x deletes it \
             (k back to the track's row, T hides the lanes)",
        );
        return;
    }
    match cmd {
        Cmd::MoveLeft => st.cursor = step(st.cursor, g, -ni),
        Cmd::MoveRight => st.cursor = step(st.cursor, g, ni),
        // Through the lanes of tracks that show them.
        Cmd::MoveUp | Cmd::MoveDown if st.any_lanes() => {
            lanes::move_rows(st, cx.project, if cmd == Cmd::MoveUp { -ni } else { ni })
        }
        Cmd::MoveUp => st.track = st.track.saturating_sub(n),
        Cmd::MoveDown => {
            let last = cx.project.tracks.len().saturating_sub(1);
            st.track = (st.track + n).min(last);
        }
        Cmd::LanesToggle => lanes_edit::toggle(st, cx),
        Cmd::TakesToggle => takes::toggle(st, cx),
        Cmd::TakeChoose => takes::choose(st, cx),
        Cmd::TakeComp => takes::comp(st, cx),
        Cmd::TakeDelete => takes::delete(st, cx),
        Cmd::PointAdd => lanes_edit::add(st, cx),
        Cmd::PointUp | Cmd::PointDown => {
            let s = if cmd == Cmd::PointUp { 1.0 } else { -1.0 };
            lanes_edit::raise(st, cx, s * n as f64, false)
        }
        Cmd::PointUpCoarse | Cmd::PointDownCoarse => {
            let s = if cmd == Cmd::PointUpCoarse { 1.0 } else { -1.0 };
            lanes_edit::raise(st, cx, s * n as f64, true)
        }
        Cmd::PointLeft => lanes_edit::shift(st, cx, -(n as f64)),
        Cmd::PointRight => lanes_edit::shift(st, cx, n as f64),
        Cmd::PointDelete => lanes_edit::delete(st, cx),
        Cmd::PointCurve => lanes_edit::curve(st, cx),
        Cmd::PointValue => lanes_edit::prompt(st, cx),
        // Vim's `0` and `$`: a track is the line.
        Cmd::LineStart => st.cursor = 0.0,
        Cmd::LineEnd => {
            let Some(t) = cx.project.tracks.get(st.track) else {
                return;
            };
            let end = t
                .playing_clips()
                .map(|c| cx.project.clip_end_beat(c))
                .fold(0.0, f64::max);
            if end > 0.0 {
                st.cursor = last_step_before(end, g);
            }
        }
        Cmd::NextItem | Cmd::PrevItem => {
            let Some(t) = cx.project.tracks.get(st.track) else {
                return;
            };
            let cur = st.cursor;
            let lane = st.on_take(cx.project).unwrap_or(0);
            let mut starts: Vec<f64> = t
                .clips
                .iter()
                .filter(|c| c.lane == lane)
                .map(|c| c.start)
                .collect();
            starts.sort_by(f64::total_cmp);
            st.cursor = step_through(&starts, cur, n, cmd == Cmd::NextItem);
        }
        Cmd::ScrollDown => scroll(st, cx, ni, 0.0),
        Cmd::ScrollUp => scroll(st, cx, -ni, 0.0),
        Cmd::ScrollLeft | Cmd::ScrollRight => {
            let bars = n as f64 * cx.project.time_signature.quarters_per_bar();
            scroll(st, cx, 0, if cmd == Cmd::ScrollLeft { -bars } else { bars })
        }
        Cmd::ScrollLeftHalf | Cmd::ScrollRightHalf => {
            let main = cx.main;
            let half = timeline_cols(main) as f64 / st.cols_per_beat() / 2.0;
            let d = half * n as f64;
            scroll(st, cx, 0, if cmd == Cmd::ScrollLeftHalf { -d } else { d })
        }
        Cmd::ZoomIn => st.zoom = (st.zoom + n).min(ARRANGE_ZOOMS.len() - 1),
        Cmd::ZoomOut => st.zoom = st.zoom.saturating_sub(n),
        Cmd::GridFiner => st.grid = (g / 2f64.powi(n as i32)).max(1.0 / 16.0),
        Cmd::GridCoarser => st.grid = (g * 2f64.powi(n as i32)).min(64.0),
        Cmd::Delete => delete(st, cx, true),
        Cmd::Yank => delete(st, cx, false),
        Cmd::Paste => paste(st, cx, n),
        Cmd::Duplicate => duplicate(st, cx, n),
        Cmd::ShiftLeft | Cmd::ShiftRight => {
            shift_time(st, cx, if cmd == Cmd::ShiftLeft { -ni } else { ni })
        }
        Cmd::ShiftUp | Cmd::ShiftDown => {
            shift_track(st, cx, if cmd == Cmd::ShiftUp { -ni } else { ni })
        }
        Cmd::Shorten | Cmd::Lengthen => {
            let d = g * n as f64 * if cmd == Cmd::Shorten { -1.0 } else { 1.0 };
            resize_end(st, cx, d)
        }
        Cmd::TrimStartLater | Cmd::TrimStartEarlier => {
            let d = g
                * n as f64
                * if cmd == Cmd::TrimStartEarlier {
                    -1.0
                } else {
                    1.0
                };
            trim_start(st, cx, d)
        }
        Cmd::ClipSplit => split(st, cx),
        Cmd::ClipNew => new_clip(st, cx),
        Cmd::OpenPianoRoll => open_piano_roll(st, cx),
        Cmd::LoopToggle => loop_toggle(st, cx),
        Cmd::LoopSet => loop_set(st, cx),
        _ => {}
    }
}

/// The commands that edit the clips of a track's row (what plays).
fn is_clip_edit(cmd: Cmd) -> bool {
    matches!(
        cmd,
        Cmd::ClipSplit
            | Cmd::ClipNew
            | Cmd::Delete
            | Cmd::Yank
            | Cmd::Paste
            | Cmd::Duplicate
            | Cmd::ShiftLeft
            | Cmd::ShiftRight
            | Cmd::ShiftUp
            | Cmd::ShiftDown
            | Cmd::Shorten
            | Cmd::Lengthen
            | Cmd::TrimStartLater
            | Cmd::TrimStartEarlier
    )
}

/// Opens the MIDI clip under the cursor in the piano roll.
pub fn open_piano_roll(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let ti = st.track;
    let Some(ci) = clip_at(cx.project, ti, st.cursor) else {
        cx.error("no clip under the cursor");
        return;
    };
    let c = &cx.project.tracks[ti].clips[ci];
    let ClipContent::Midi(m) = &c.content else {
        cx.error("that is an audio clip: the piano roll edits MIDI clips");
        return;
    };
    let id = c.id;
    let rel = st.cursor - c.start;
    let mut pitches: Vec<u8> = m.notes.iter().map(|n| n.pitch).collect();
    pitches.sort_unstable();
    let pitch = pitches.get(pitches.len() / 2).copied().unwrap_or(60);
    cx.ask(Effect::OpenClip {
        clip: id,
        beat: rel,
        pitch,
    });
}

/// Scrolls the view by `tracks` rows and `beats` (free scrolling, like vim's Ctrl-e and zl):
/// the view moves first and the cursor is pulled along only as far as it must be to stay on
/// screen (snapped to the grid). Scrolling stops at the last track and at the song's end.
pub fn scroll(st: &mut ArrangeState, cx: &mut Cx<'_>, tracks: i64, beats: f64) {
    let main = cx.main;
    let n = visible_tracks(main).max(1);
    let cpb = st.cols_per_beat();
    let span = timeline_cols(main).max(1) as f64 / cpb;
    let total = cx.project.tracks.len();
    let end = cx.project.end_beat().max(st.cursor);
    let qpb = cx.project.time_signature.quarters_per_bar();
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

/// Keeps the cursor and the selected track on screen.
pub fn ensure_visible(st: &mut ArrangeState, project: &Project, main: Rect) {
    let cols = timeline_cols(main).max(1) as f64;
    let cpb = st.cols_per_beat();
    let span = cols / cpb;
    if st.cursor < st.scroll_beat {
        st.scroll_beat = floor_to(st.cursor, (span / 4.0).max(st.grid.min(span)));
    } else if st.cursor >= st.scroll_beat + span - 1.0 / cpb {
        st.scroll_beat = (st.cursor - span * 0.75).max(0.0);
    }
    let n = visible_tracks(main).max(1);
    if st.track < st.scroll_track {
        st.scroll_track = st.track;
    } else if st.track >= st.scroll_track + n {
        st.scroll_track = st.track + 1 - n;
    }
    let tracks = project.tracks.len();
    st.scroll_track = st.scroll_track.min(tracks.saturating_sub(n.min(tracks)));
    lanes::ensure_visible(st, project, main);
}
