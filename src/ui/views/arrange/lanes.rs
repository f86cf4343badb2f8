//! Automation lanes under a track in the arrange view: the cursor on them (moving through
//! tracks and lanes, kept on screen), their labels, values in the target's unit and steps,
//! and the point at the cursor. The edits are in `lanes_edit.rs`. Which tracks show their
//! lanes is view state (`ArrangeState::lanes`), not saved with the project.

use super::layout::{shown, shown_takes, LANE_ROWS, ROWS, TAKE_ROWS, TOP_ROWS};
use super::state::ArrangeState;
use crate::model::fx::{self, ParamSpec};
use crate::model::mixer::{self, Owner};
use crate::model::{AutomationLane, AutomationPoint, AutomationTarget, Project};
use ratatui::layout::Rect;

impl ArrangeState {
    /// The lane the cursor is on, if it is on one that shows.
    pub fn on_lane<'a>(&self, p: &'a Project) -> Option<&'a AutomationLane> {
        let t = p.tracks.get(self.track)?;
        if !self.lanes.contains(&t.id) {
            return None;
        }
        let target = self.lane.as_ref()?;
        t.automation.iter().find(|l| &l.target == target)
    }

    /// The take lane the cursor is on, if it is on one that shows.
    pub fn on_take(&self, p: &Project) -> Option<u32> {
        let ti = self.track;
        let lane = self.take_lane?;
        shown_takes(self, p, ti).contains(&lane).then_some(lane)
    }

    /// Whether any track shows extra rows (take or automation lanes) under it.
    pub fn any_lanes(&self) -> bool {
        !self.lanes.is_empty() || !self.takes.is_empty()
    }
}

/// A place the cursor can stop at: a track's row, one of its take lanes or automation lanes.
type Stop = (usize, Option<u32>, Option<AutomationTarget>);

/// Moves the cursor `n` rows down (negative: up) through tracks and their shown lanes.
pub fn move_rows(st: &mut ArrangeState, p: &Project, n: i64) {
    let mut stops: Vec<Stop> = Vec::new();
    for ti in 0..p.tracks.len() {
        stops.push((ti, None, None));
        stops.extend(
            shown_takes(st, p, ti)
                .into_iter()
                .map(|k| (ti, Some(k), None)),
        );
        stops.extend(shown(st, p, ti).into_iter().map(|t| (ti, None, Some(t))));
    }
    if stops.is_empty() {
        return;
    }
    let lane = st.on_lane(p).map(|l| l.target.clone());
    let take = st.on_take(p);
    let here = stops
        .iter()
        .position(|(ti, k, l)| *ti == st.track && *k == take && *l == lane)
        .unwrap_or(0);
    let to = (here as i64 + n).clamp(0, stops.len() as i64 - 1) as usize;
    let (ti, k, l) = stops.swap_remove(to);
    st.track = ti;
    st.take_lane = k;
    st.lane = l;
}

/// Scrolls down until the cursor's row fits under the tracks above it (lanes make tracks
/// taller than `visible_tracks` counts), and forgets a lane that no longer shows.
pub fn ensure_visible(st: &mut ArrangeState, p: &Project, main: Rect) {
    if st.on_lane(p).is_none() {
        st.lane = None;
    }
    if st.on_take(p).is_none() {
        st.take_lane = None;
    }
    if !st.any_lanes() {
        return;
    }
    let avail = main.height.saturating_sub(TOP_ROWS);
    while st.scroll_track < st.track {
        let mut h = 0u16;
        for ti in st.scroll_track..=st.track {
            h += ROWS;
            let lanes = shown(st, p, ti);
            let takes = shown_takes(st, p, ti);
            if ti < st.track {
                h += LANE_ROWS * lanes.len() as u16 + TAKE_ROWS * takes.len() as u16;
            } else if let Some(l) = &st.lane {
                let i = lanes.iter().position(|t| t == l).unwrap_or(0);
                h += TAKE_ROWS * takes.len() as u16 + LANE_ROWS * (i as u16 + 1);
            } else if let Some(k) = st.take_lane {
                h += TAKE_ROWS * k.min(takes.len() as u32) as u16;
            }
        }
        if h <= avail {
            break;
        }
        st.scroll_track += 1;
    }
}

/// The label of a lane: `gain`, `pan`, `send:Verb`, and an effect parameter with its kind
/// (`eq:3 b1_freq`) for readability.
pub fn label(p: &Project, ti: usize, target: &AutomationTarget) -> String {
    match target {
        AutomationTarget::Fx(id, param) => {
            let kind = p
                .tracks
                .get(ti)
                .and_then(|t| t.effects.iter().find(|e| e.id == *id))
                .map_or("fx", |e| e.kind.as_str());
            format!("{kind}:{} {param}", id.0)
        }
        t => mixer::target_text(p, t),
    }
}

/// The registry's parameter behind an effect target.
pub fn param_spec(p: &Project, o: Owner, target: &AutomationTarget) -> Option<&'static ParamSpec> {
    let AutomationTarget::Fx(id, param) = target else {
        return None;
    };
    let e = mixer::chain(p, o).ok()?.iter().find(|e| e.id == *id)?;
    fx::kind(&e.kind)?.param(param).map(|(_, s)| s)
}

/// A value as the lane shows it: `-3.5 dB`, `0.25`, `1200 Hz`.
pub fn show(p: &Project, o: Owner, target: &AutomationTarget, v: f64) -> String {
    match param_spec(p, o, target) {
        Some(s) => s.show(v),
        None => {
            let (_, _, unit) = mixer::target_range(p, o, target);
            if unit.is_empty() {
                fx::fmt_num(v)
            } else {
                format!("{} {unit}", fx::fmt_num(v))
            }
        }
    }
}

/// `v` moved by `steps` steps of the target's unit: 0.5 dB (coarse 3), 0.05 pan (coarse
/// 0.25), a parameter's registry step; kept in range.
pub fn stepped(
    p: &Project,
    o: Owner,
    target: &AutomationTarget,
    v: f64,
    steps: f64,
    coarse: bool,
) -> f64 {
    if let Some(s) = param_spec(p, o, target) {
        return s.step(v, steps, coarse);
    }
    let (lo, hi, _) = mixer::target_range(p, o, target);
    let unit = match (target, coarse) {
        (AutomationTarget::Pan, false) => 0.05,
        (AutomationTarget::Pan, true) => 0.25,
        (_, false) => 0.5,
        (_, true) => 3.0,
    };
    ((v + unit * steps).clamp(lo, hi) * 1000.0).round() / 1000.0
}

/// The point nearest the cursor within half a grid step.
pub fn point_at(points: &[AutomationPoint], cursor: f64, grid: f64) -> Option<usize> {
    points
        .iter()
        .enumerate()
        .filter(|(_, q)| (q.beat - cursor).abs() <= grid / 2.0 + 1e-9)
        .min_by(|a, b| {
            (a.1.beat - cursor)
                .abs()
                .total_cmp(&(b.1.beat - cursor).abs())
        })
        .map(|(i, _)| i)
}
