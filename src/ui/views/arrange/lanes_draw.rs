//! Drawing one automation lane under its track: a header with the target and the value at the
//! cursor, and the lane's curve across the timeline at the view's zoom and scroll, as eighth
//! blocks two rows high (the value scaled to the target's range, on a log scale for
//! frequencies and times; curved segments as `value_at` shapes them), its points marked `●`.

use super::lanes;
use super::layout::{HEADER_W, LANE_ROWS};
use super::state::ArrangeState;
use crate::model::fx::Curve;
use crate::model::mixer::{self, Owner};
use crate::model::{AutomationLane, AutomationTarget, Project};
use crate::ui::ctx::Ctx;
use crate::ui::widgets::{ellipsize, fill, fit, put, restyle, set, EIGHTHS_UP};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;

/// Levels a lane's two rows show (eighths of a cell each).
const LEVELS: f64 = (LANE_ROWS * 8) as f64;

/// Where `v` sits in the lane's height, 0 … 1: the target's range (dB from -60 up, as a
/// fader shows it; log parameters evenly in their logarithm).
pub fn height(p: &Project, o: Owner, target: &AutomationTarget, v: f64) -> f64 {
    let (mut lo, mut hi, _) = mixer::target_range(p, o, target);
    if matches!(target, AutomationTarget::Gain | AutomationTarget::Send(_)) {
        // The part of a fader's range that matters; louder or quieter values sit at the edge.
        (lo, hi) = (lo.max(-60.0), hi.min(12.0));
    }
    let log = lanes::param_spec(p, o, target).is_some_and(|s| s.curve == Curve::Log) && lo > 0.0;
    let n = if log {
        (v.max(lo) / lo).ln() / (hi / lo).ln()
    } else {
        (v - lo) / (hi - lo)
    };
    if n.is_finite() {
        n.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The eighth-block level of a height: at least 1, so a lane at its minimum still shows.
fn level(h: f64) -> usize {
    1 + (h * (LEVELS - 1.0)).round() as usize
}

/// Draws the lane of `target` under track `ti` at row `y`.
#[allow(clippy::too_many_arguments)]
pub fn lane(
    st: &ArrangeState,
    cx: &Ctx<'_>,
    buf: &mut Buffer,
    area: Rect,
    (y, ti): (u16, usize),
    target: &AutomationTarget,
    playhead: Option<u16>,
) {
    let th = &cx.theme;
    let p = cx.project;
    let Some(t) = p.tracks.get(ti) else {
        return;
    };
    let Some(lane) = t.automation.iter().find(|l| &l.target == target) else {
        return;
    };
    let o = Owner::Track(t.id);
    let selected = ti == st.track && st.on_lane(p).is_some_and(|l| &l.target == target);
    header(
        st,
        cx,
        buf,
        Rect::new(area.x, y, HEADER_W, LANE_ROWS),
        (ti, o),
        lane,
        selected,
    );

    let base = th.get("arrange");
    let accent = th.get("arrange.track.selected").bg.unwrap_or(Color::Cyan);
    let curve = if lane.enabled {
        base.fg(accent)
    } else {
        base.fg(th.get("ui.text.dim").fg.unwrap_or(Color::DarkGray))
    };
    let grid = th.get("arrange.grid");
    let fill_style = base.fg(grid.fg.unwrap_or(Color::DarkGray));
    let point = th.get("arrange.marker").bg(base.bg.unwrap_or(Color::Reset));
    let tl_x = area.x + HEADER_W;
    let cols = area.width.saturating_sub(HEADER_W);
    let cpb = st.cols_per_beat();
    let qpb = p.time_signature.quarters_per_bar();
    let col_of = |beat: f64| -> Option<u16> {
        let c = ((beat - st.scroll_beat) * cpb).floor();
        (c >= 0.0 && c < cols as f64).then_some(c as u16)
    };
    for col in 0..cols {
        let b0 = st.scroll_beat + col as f64 / cpb;
        let b1 = st.scroll_beat + (col + 1) as f64 / cpb;
        let mid = (b0 + b1) / 2.0;
        let lv = lane
            .value_at(mid)
            .map_or(0, |v| level(height(p, o, target, v)));
        let bar_line = ((b0 / qpb).ceil() * qpb) < b1 - 1e-9;
        for (dy, part) in [(0u16, lv.saturating_sub(8).min(8)), (1, lv.min(8))] {
            // The edge in the lane's colour, the area under it dimmer.
            if dy == 1 && lv > 8 {
                set(buf, tl_x + col, y + dy, EIGHTHS_UP[part], fill_style);
            } else if part > 0 {
                set(buf, tl_x + col, y + dy, EIGHTHS_UP[part], curve);
            } else {
                let ch = if bar_line { '┊' } else { ' ' };
                set(buf, tl_x + col, y + dy, ch, grid);
            }
        }
    }
    for pt in &lane.points {
        if let Some(c) = col_of(pt.beat) {
            let lv = level(height(p, o, target, pt.value));
            let dy = if lv > 8 { 0 } else { 1 };
            set(buf, tl_x + c, y + dy, '●', point);
        }
    }
    if selected {
        if let Some(c) = col_of(st.cursor) {
            let cur = th.get("arrange.cursor");
            restyle(buf, tl_x + c, y, cur);
            restyle(buf, tl_x + c, y + 1, cur);
        }
    }
    if let Some(c) = playhead {
        crate::ui::widgets::playhead_column(
            buf,
            tl_x + c,
            y,
            LANE_ROWS,
            th.get("arrange.playhead"),
        );
    }
}

/// The lane's header: `↳ gain` and the value at the cursor (`off` when the lane is off).
#[allow(clippy::too_many_arguments)]
fn header(
    st: &ArrangeState,
    cx: &Ctx<'_>,
    buf: &mut Buffer,
    r: Rect,
    (ti, o): (usize, Owner),
    lane: &AutomationLane,
    selected: bool,
) {
    let th = &cx.theme;
    let p = cx.project;
    let style = if selected {
        th.get("arrange.track.selected")
    } else {
        th.get("arrange.track")
    };
    fill(buf, r, style);
    let w = r.width.saturating_sub(2) as usize;
    let right = r.x + r.width;
    let name = lanes::label(p, ti, &lane.target);
    put(
        buf,
        r.x + 1,
        r.y,
        &fit(&ellipsize(&format!("↳ {name}"), w), w),
        right,
        style,
    );
    let value = match lane.value_at(st.cursor) {
        Some(v) if lane.enabled => lanes::show(p, o, &lane.target, v),
        Some(_) => "off".into(),
        None => String::new(),
    };
    let dim = if selected {
        style
    } else {
        th.get("ui.text.dim").bg(style.bg.unwrap_or(Color::Reset))
    };
    put(
        buf,
        r.x + 3,
        r.y + 1,
        &fit(&ellipsize(&value, w - 2), w - 2),
        right,
        dim,
    );
}
