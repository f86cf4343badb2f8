//! Automation lanes under a track in the arrange view: which rows they take (one layout that
//! drawing, keys and the mouse share), the cursor on them, and the point edits at the cursor
//! (add, raise/lower, move, delete, curve, type a value). Every edit is a `model::mixer`
//! operation applied through the history, one undo step each. Which tracks show their lanes
//! is view state (`ArrangeState::lanes`), not saved with the project.

use super::draw::{ROWS, TOP_ROWS};
use super::state::ArrangeState;
use crate::model::fx::{self, ParamSpec};
use crate::model::mixer::{self, Owner};
use crate::model::{AutomationLane, AutomationPoint, AutomationTarget, Project, TrackId};
use crate::ui::ctx::{Cx, Effect};
use ratatui::layout::Rect;

/// Rows per lane: two rows of eighth blocks give a curve 16 steps high.
pub const LANE_ROWS: u16 = 2;

/// One band of rows in the track area: a track's own rows or one of its lanes.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub y: u16,
    pub track: usize,
    pub lane: Option<AutomationTarget>,
}

/// The lanes of track `ti` in the order they show: gain, pan, the sends in order, then the
/// effects in chain order with their parameters in registry order (a stable order, whatever
/// order edits left them in).
pub fn lane_order(p: &Project, ti: usize) -> Vec<&AutomationLane> {
    let Some(t) = p.tracks.get(ti) else {
        return Vec::new();
    };
    let rank = |target: &AutomationTarget| -> (u8, usize, usize) {
        match target {
            AutomationTarget::Gain => (0, 0, 0),
            AutomationTarget::Pan => (1, 0, 0),
            AutomationTarget::Send(b) => (
                2,
                t.sends
                    .iter()
                    .position(|s| s.to == *b)
                    .unwrap_or(usize::MAX),
                0,
            ),
            AutomationTarget::Fx(id, param) => {
                let pos = t.effects.iter().position(|e| e.id == *id);
                let pi = pos
                    .and_then(|i| fx::kind(&t.effects[i].kind))
                    .and_then(|k| k.param(param))
                    .map_or(usize::MAX, |(i, _)| i);
                (3, pos.unwrap_or(usize::MAX), pi)
            }
        }
    };
    let mut lanes: Vec<&AutomationLane> = t.automation.iter().collect();
    lanes.sort_by_key(|l| rank(&l.target));
    lanes
}

/// The lanes that show under track `ti` (none while its lanes are hidden).
pub fn shown(st: &ArrangeState, p: &Project, ti: usize) -> Vec<AutomationTarget> {
    match p.tracks.get(ti) {
        Some(t) if st.lanes.contains(&t.id) => lane_order(p, ti)
            .into_iter()
            .map(|l| l.target.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// The rows of the track area from the first visible track down, as many as fit whole.
pub fn layout(st: &ArrangeState, p: &Project, area: Rect) -> Vec<Row> {
    let bottom = area.y + area.height;
    let mut y = area.y + TOP_ROWS;
    let mut rows = Vec::new();
    'tracks: for ti in st.scroll_track..p.tracks.len() {
        if y + ROWS > bottom {
            break;
        }
        rows.push(Row {
            y,
            track: ti,
            lane: None,
        });
        y += ROWS;
        for target in shown(st, p, ti) {
            if y + LANE_ROWS > bottom {
                break 'tracks;
            }
            rows.push(Row {
                y,
                track: ti,
                lane: Some(target),
            });
            y += LANE_ROWS;
        }
    }
    rows
}

/// The row under screen row `y` and its height.
pub fn row_at(st: &ArrangeState, p: &Project, area: Rect, y: u16) -> Option<Row> {
    layout(st, p, area).into_iter().find(|r| {
        let h = if r.lane.is_some() { LANE_ROWS } else { ROWS };
        y >= r.y && y < r.y + h
    })
}

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
}

/// Moves the cursor `n` rows down (negative: up) through tracks and their shown lanes.
pub fn move_rows(st: &mut ArrangeState, p: &Project, n: i64) {
    let mut stops: Vec<(usize, Option<AutomationTarget>)> = Vec::new();
    for ti in 0..p.tracks.len() {
        stops.push((ti, None));
        stops.extend(shown(st, p, ti).into_iter().map(|t| (ti, Some(t))));
    }
    if stops.is_empty() {
        return;
    }
    let lane = st.on_lane(p).map(|l| l.target.clone());
    let here = stops
        .iter()
        .position(|(ti, l)| *ti == st.track && *l == lane)
        .unwrap_or(0);
    let to = (here as i64 + n).clamp(0, stops.len() as i64 - 1) as usize;
    let (ti, l) = stops.swap_remove(to);
    st.track = ti;
    st.lane = l;
}

/// Scrolls down until the cursor's row fits under the tracks above it (lanes make tracks
/// taller than `visible_tracks` counts), and forgets a lane that no longer shows.
pub fn ensure_visible(st: &mut ArrangeState, p: &Project, main: Rect) {
    if st.on_lane(p).is_none() {
        st.lane = None;
    }
    if st.lanes.is_empty() {
        return;
    }
    let avail = main.height.saturating_sub(TOP_ROWS);
    while st.scroll_track < st.track {
        let mut h = 0u16;
        for ti in st.scroll_track..=st.track {
            h += ROWS;
            let lanes = shown(st, p, ti);
            if ti < st.track {
                h += LANE_ROWS * lanes.len() as u16;
            } else if let Some(l) = &st.lane {
                let i = lanes.iter().position(|t| t == l).unwrap_or(0);
                h += LANE_ROWS * (i as u16 + 1);
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

/// What an edit on the lane at the cursor needs: its owner, target and points.
fn here(
    st: &ArrangeState,
    cx: &mut Cx<'_>,
) -> Option<(Owner, AutomationTarget, Vec<AutomationPoint>)> {
    let Some(lane) = st.on_lane(cx.project) else {
        cx.error("the cursor is not on an automation lane (A shows the lanes, j moves onto one)");
        return None;
    };
    let id: TrackId = cx.project.tracks[st.track].id;
    Some((Owner::Track(id), lane.target.clone(), lane.points.clone()))
}

/// The point at the cursor, or an error saying there is none.
fn point_here(st: &ArrangeState, cx: &mut Cx<'_>, pts: &[AutomationPoint]) -> Option<usize> {
    let i = point_at(pts, st.cursor, st.grid);
    if i.is_none() {
        cx.error("no point at the cursor (a adds one)");
    }
    i
}

/// Applies a mixer operation's result as one undo step, saying what changed.
fn apply(
    cx: &mut Cx<'_>,
    edit: Result<crate::model::Edit, String>,
    label: &str,
    done: String,
) -> bool {
    match edit {
        Ok(e) => {
            let ok = cx.apply(e, label);
            if ok {
                cx.info(done);
            }
            ok
        }
        Err(e) => {
            cx.error(e);
            false
        }
    }
}

/// Adds a point at the cursor with the lane's value there.
pub fn add(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let Some((o, target, pts)) = here(st, cx) else {
        return;
    };
    if pts.iter().any(|q| (q.beat - st.cursor).abs() < 1e-9) {
        cx.info("a point is there already (+ and - change it)");
        return;
    }
    let lane = AutomationLane {
        target: target.clone(),
        enabled: true,
        points: pts,
    };
    let v = lane.value_at(st.cursor).unwrap_or(0.0);
    let edit = mixer::set_points(
        cx.project,
        o,
        &target,
        &[AutomationPoint::new(st.cursor, v)],
    );
    let done = format!(
        "{}: point at beat {} = {}",
        mixer::target_text(cx.project, &target),
        fx::fmt_num(st.cursor),
        show(cx.project, o, &target, v)
    );
    apply(cx, edit, "add automation point", done);
}

/// Raises (negative: lowers) the point at the cursor by `steps` steps.
pub fn raise(st: &mut ArrangeState, cx: &mut Cx<'_>, steps: f64, coarse: bool) {
    let Some((o, target, pts)) = here(st, cx) else {
        return;
    };
    let Some(i) = point_here(st, cx, &pts) else {
        return;
    };
    let mut pt = pts[i];
    pt.value = stepped(cx.project, o, &target, pt.value, steps, coarse);
    if pt.value == pts[i].value {
        cx.info(format!(
            "{} is at the end of its range",
            show(cx.project, o, &target, pt.value)
        ));
        return;
    }
    let edit = mixer::set_points(cx.project, o, &target, &[pt]);
    let done = format!(
        "{} at beat {} = {}",
        mixer::target_text(cx.project, &target),
        fx::fmt_num(pt.beat),
        show(cx.project, o, &target, pt.value)
    );
    apply(cx, edit, "change automation point", done);
}

/// Moves the point at the cursor `steps` grid steps in time; the cursor follows it.
pub fn shift(st: &mut ArrangeState, cx: &mut Cx<'_>, steps: f64) {
    let Some((o, target, mut pts)) = here(st, cx) else {
        return;
    };
    let Some(i) = point_here(st, cx, &pts) else {
        return;
    };
    let to = (pts[i].beat + steps * st.grid).max(0.0);
    if pts.iter().any(|q| (q.beat - to).abs() < 1e-9) {
        cx.error("a point is there already: delete it first (x)");
        return;
    }
    pts[i].beat = to;
    let edit = mixer::replace_lane(cx.project, o, &target, pts);
    let done = format!(
        "{}: point moved to beat {}",
        mixer::target_text(cx.project, &target),
        fx::fmt_num(to)
    );
    if apply(cx, edit, "move automation point", done) {
        st.cursor = to;
    }
}

/// Deletes the point at the cursor (the last one takes the lane with it).
pub fn delete(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let Some((o, target, pts)) = here(st, cx) else {
        return;
    };
    let Some(i) = point_here(st, cx, &pts) else {
        return;
    };
    let beat = pts[i].beat;
    let edit = mixer::remove_points(cx.project, o, &target, &[beat], 1e-9);
    let done = format!(
        "{}: point at beat {} deleted",
        mixer::target_text(cx.project, &target),
        fx::fmt_num(beat)
    );
    apply(cx, edit, "delete automation point", done);
}

/// The curve after the point at the cursor: straight → slow start (0.5) → fast start (-0.5).
pub fn curve(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let Some((o, target, pts)) = here(st, cx) else {
        return;
    };
    let Some(i) = point_here(st, cx, &pts) else {
        return;
    };
    let mut pt = pts[i];
    pt.curve = if pt.curve == 0.0 {
        0.5
    } else if pt.curve > 0.0 {
        -0.5
    } else {
        0.0
    };
    let edit = mixer::set_points(cx.project, o, &target, &[pt]);
    let shape = match pt.curve {
        c if c > 0.0 => "slow start (0.5)",
        c if c < 0.0 => "fast start (-0.5)",
        _ => "straight",
    };
    let done = format!(
        "{}: segment after beat {} {shape}",
        mixer::target_text(cx.project, &target),
        fx::fmt_num(pt.beat)
    );
    apply(cx, edit, "curve automation point", done);
}

/// Opens the command line on `:automate TARGET BEAT=VALUE` for the point at the cursor (or
/// the cursor's beat), to type the value.
pub fn prompt(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let Some((_, target, pts)) = here(st, cx) else {
        return;
    };
    let (beat, value) = match point_at(&pts, st.cursor, st.grid) {
        Some(i) => (pts[i].beat, pts[i].value),
        None => {
            let lane = AutomationLane {
                target: target.clone(),
                enabled: true,
                points: pts,
            };
            (st.cursor, lane.value_at(st.cursor).unwrap_or(0.0))
        }
    };
    cx.ask(Effect::Prompt(format!(
        "automate {} {}={}",
        mixer::target_text(cx.project, &target),
        fx::fmt_num(beat),
        fx::fmt_num(value)
    )));
}

/// Shows or hides the selected track's lanes.
pub fn toggle(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let Some(t) = cx.project.tracks.get(st.track) else {
        cx.error("there is no track");
        return;
    };
    let (id, name, none) = (t.id, t.name.clone(), t.automation.is_empty());
    if st.lanes.remove(&id) {
        st.lane = None;
        cx.info(format!("Lanes of '{name}' hidden"));
    } else {
        st.lanes.insert(id);
        if none {
            cx.info(format!(
                "'{name}' has no automation yet: :automate gain (pan, send:BUS, fx:ID:PARAM) adds a lane"
            ));
        } else {
            cx.info(format!("Lanes of '{name}' shown: j moves onto them"));
        }
    }
}
