//! Drawing one take lane under its track: a header `↳ Take 2`, the lane's clips dimmed (they
//! do not play) with their names, and under them `━` where that take's audio plays on lane 0
//! (comped in) and `╌` where it does not. The cursor and the visual selection show as on a
//! track.

use super::layout::{HEADER_W, TAKE_ROWS};
use super::state::ArrangeState;
use super::takes::label;
use crate::model::takes;
use crate::ui::ctx::Ctx;
use crate::ui::widgets::{ellipsize, fill, fit, put, restyle, set};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

/// Draws take lane `lane` of track `ti` at row `y`.
pub fn take_lane(
    st: &ArrangeState,
    cx: &Ctx<'_>,
    buf: &mut Buffer,
    area: Rect,
    (y, ti, lane): (u16, usize, u32),
    playhead: Option<u16>,
) {
    let th = &cx.theme;
    let p = cx.project;
    let Some(t) = p.tracks.get(ti) else {
        return;
    };
    let selected = ti == st.track && st.on_take(p) == Some(lane);
    let head = if selected {
        th.get("arrange.track.selected")
    } else {
        th.get("arrange.track")
    };
    let r = Rect::new(area.x, y, HEADER_W, TAKE_ROWS);
    fill(buf, r, head);
    let w = r.width.saturating_sub(2) as usize;
    put(
        buf,
        r.x + 1,
        y,
        &fit(&ellipsize(&format!("↳ {}", label(lane)), w), w),
        r.x + r.width,
        head,
    );

    let tl_x = area.x + HEADER_W;
    let cols = area.width.saturating_sub(HEADER_W);
    let cpb = st.cols_per_beat();
    let qpb = p.time_signature.quarters_per_bar();
    let grid = th.get("arrange.grid");
    let beat_of = |col: u16| st.scroll_beat + col as f64 / cpb;
    for col in 0..cols {
        let (b0, b1) = (beat_of(col), beat_of(col + 1));
        let ch = if ((b0 / qpb).ceil() * qpb) < b1 - 1e-9 {
            '┊'
        } else {
            ' '
        };
        for dy in 0..TAKE_ROWS {
            set(buf, tl_x + col, y + dy, ch, grid);
        }
    }
    let take = th.get("arrange.clip.audio").add_modifier(Modifier::DIM);
    let played = th.get("arrange.clip.audio");
    let rate = p.sample_rate.max(1);
    for clip in t.clips.iter().filter(|c| c.lane == lane) {
        let (start, end) = (clip.start, p.clip_end_beat(clip));
        if end <= beat_of(0) || start >= beat_of(cols) {
            continue;
        }
        let c0 = ((start - st.scroll_beat) * cpb).floor().max(0.0) as u16;
        let c1 = (((end - st.scroll_beat) * cpb).ceil().max(0.0) as u16)
            .min(cols)
            .max(c0 + 1)
            .min(cols);
        let comped: Vec<(f64, f64)> = takes::comped_ranges(p, t, clip)
            .into_iter()
            .map(|(a, b)| {
                (
                    p.tempo.sample_to_beat(a, rate),
                    p.tempo.sample_to_beat(b, rate),
                )
            })
            .collect();
        for col in c0..c1 {
            set(buf, tl_x + col, y, ' ', take);
            let mid = (beat_of(col) + beat_of(col + 1)) / 2.0;
            let on = comped.iter().any(|(a, b)| mid >= *a && mid < *b);
            let (ch, style) = if on { ('━', played) } else { ('╌', take) };
            set(buf, tl_x + col, y + 1, ch, style);
        }
        let mut name = if clip.name.is_empty() {
            match clip.take {
                Some(n) => format!("take {n}"),
                None => format!("clip {}", clip.id.0),
            }
        } else {
            clip.name.clone()
        };
        if ((start - st.scroll_beat) * cpb).floor() >= 0.0 {
            name.insert(0, '▏');
        }
        put(buf, tl_x + c0, y, &name, tl_x + c1, take);
    }
    if let Some((t0, t1, b0, b1)) = st.selection(cx.mode) {
        if selected && (t0..=t1).contains(&ti) {
            let sel = th.get("ui.selection");
            for col in 0..cols {
                let b = beat_of(col);
                if b >= b0 - 1e-9 && b < b1 - 1e-9 {
                    restyle(buf, tl_x + col, y, sel);
                }
            }
        }
    }
    if selected {
        if let Some(c) = col_of(st, cols, st.cursor) {
            let cur = th.get("arrange.cursor");
            for dy in 0..TAKE_ROWS {
                restyle(buf, tl_x + c, y + dy, cur);
            }
        }
    }
    if let Some(c) = playhead {
        crate::ui::widgets::playhead_column(
            buf,
            tl_x + c,
            y,
            TAKE_ROWS,
            th.get("arrange.playhead"),
        );
    }
}

fn col_of(st: &ArrangeState, cols: u16, beat: f64) -> Option<u16> {
    let c = ((beat - st.scroll_beat) * st.cols_per_beat()).floor();
    (c >= 0.0 && c < cols as f64).then_some(c as u16)
}
