//! The point edits at the cursor on an automation lane: add, raise/lower, move, delete,
//! curve, type a value, and showing or hiding a track's lanes. Every edit is a
//! `model::mixer` operation applied through the history, one undo step each.

use super::lanes::{point_at, show, stepped};
use super::state::ArrangeState;
use crate::model::fx;
use crate::model::mixer::{self, Owner};
use crate::model::{AutomationLane, AutomationPoint, AutomationTarget, TrackId};
use crate::ui::ctx::{Cx, Effect};

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
