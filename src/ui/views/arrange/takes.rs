//! Take lanes in the arrange view: showing or hiding a track's take lanes (`T`), and on a
//! take lane choosing the take under the cursor (`ret`), comping the visual selection's range
//! of it (`v` … `ret`/`c`) and deleting it (`x`). The operations are `model::takes`, each one
//! edit through the history (one undo step).

use super::state::ArrangeState;
use crate::model::{takes, ClipId};
use crate::ui::ctx::Cx;
use crate::ui::keymap::Mode;

/// "Take 2": a take lane's label.
pub fn label(lane: u32) -> String {
    format!("Take {lane}")
}

/// Shows or hides the selected track's take lanes.
pub fn toggle(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let Some(t) = cx.project.tracks.get(st.track) else {
        cx.error("there is no track");
        return;
    };
    let (id, name, n) = (t.id, t.name.clone(), takes::lane_count(t));
    if st.takes.remove(&id) {
        st.take_lane = None;
        cx.info(format!("Take lanes of '{name}' hidden"));
    } else {
        st.takes.insert(id);
        if n == 0 {
            cx.info(format!(
                "'{name}' has no take lanes yet: loop recording (or recording over a clip) makes them"
            ));
        } else {
            cx.info(format!(
                "{n} take lane{} of '{name}' shown: j moves onto them, ret chooses a take",
                if n == 1 { "" } else { "s" }
            ));
        }
    }
}

/// The take clip under the cursor on the take lane the cursor is on.
fn take_here(st: &ArrangeState, cx: &mut Cx<'_>) -> Option<ClipId> {
    let Some(lane) = st.on_take(cx.project) else {
        cx.error("the cursor is not on a take lane (T shows them, j moves onto one)");
        return None;
    };
    let t = &cx.project.tracks[st.track];
    let id = takes::clip_at(cx.project, t, lane, st.cursor);
    if id.is_none() {
        cx.error(format!("no take under the cursor on {}", label(lane)));
    }
    id
}

fn apply(cx: &mut Cx<'_>, edit: Result<crate::model::Edit, takes::TakeError>, done: String) {
    match edit {
        Ok(e) => {
            if cx.apply(e, "take") {
                cx.info(done);
            }
        }
        Err(e) => cx.error(e.to_string()),
    }
}

/// The take under the cursor plays over its whole range.
pub fn choose(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let Some(id) = take_here(st, cx) else {
        return;
    };
    let edit = takes::choose(cx.project, id);
    apply(cx, edit, format!("Chose {}", name(cx, id)));
}

/// The visual selection's range of the take under the cursor plays; back to normal mode.
pub fn comp(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let Some((_, _, from, to)) = st.selection(*cx.mode) else {
        // Without a selection: the whole take, as `ret` in normal mode.
        choose(st, cx);
        return;
    };
    let Some(id) = take_here(st, cx) else {
        return;
    };
    let edit = takes::comp(cx.project, id, from, to);
    let what = format!(
        "Comped {} from beat {} to {}",
        name(cx, id),
        crate::ui::widgets::trim_float(from),
        crate::ui::widgets::trim_float(to)
    );
    apply(cx, edit, what);
    *cx.mode = Mode::Normal;
    st.anchor = None;
}

/// Deletes the take under the cursor from its lane.
pub fn delete(st: &mut ArrangeState, cx: &mut Cx<'_>) {
    let Some(id) = take_here(st, cx) else {
        return;
    };
    let what = format!("Deleted {} from its lane", name(cx, id));
    let edit = takes::delete(cx.project, id);
    apply(cx, edit, what);
}

/// "take 2" (the clip's name) or "clip 7".
fn name(cx: &Cx<'_>, id: ClipId) -> String {
    cx.project
        .find_clip(id)
        .map(|(ti, ci)| &cx.project.tracks[ti].clips[ci])
        .filter(|c| !c.name.is_empty())
        .map_or(format!("clip {}", id.0), |c| c.name.clone())
}
