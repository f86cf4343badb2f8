//! What the registry commands do in the effect editor: choose a parameter (`j`/`k`), step it
//! (`l`/`h`, `+`/`-`, coarse `L`/`H`, with counts), reset it, type it (the command line,
//! prefilled with `fx set`), bypass, reorder or remove the effect, add another, save it as a
//! preset, go back. Every change is one undo step through `ui::effects`.

use super::draw::rows_fit;
use super::state::FxEditorState;
use crate::model::fx::{self, ParamSpec, Unit};
use crate::model::mixer::Owner;
use crate::model::{Project, TrackId};
use crate::ui::action::Cmd;
use crate::ui::ctx::{Cx, Effect};
use crate::ui::effects;

pub fn run(st: &mut FxEditorState, cx: &mut Cx<'_>, cmd: Cmd, n: usize) {
    let (owner, id) = (st.owner, st.fx);
    if st.effect(cx.project).is_none() {
        if cmd != Cmd::FxClose {
            cx.error("the effect is gone (esc goes back to the mixer)");
        }
        cx.ask(Effect::CloseFxEditor);
        return;
    }
    let steps = n as f64;
    match cmd {
        Cmd::MoveUp => st.row = st.row.saturating_sub(n),
        Cmd::MoveDown => st.row += n,
        Cmd::MoveRight | Cmd::ValueUp => step(st, cx, steps, false),
        Cmd::MoveLeft | Cmd::ValueDown => step(st, cx, -steps, false),
        Cmd::ValueUpCoarse => step(st, cx, steps, true),
        Cmd::ValueDownCoarse => step(st, cx, -steps, true),
        Cmd::ValueReset => {
            if let Some((_, ps, _)) = st.selected(cx.project) {
                let (name, d) = (ps.name.clone(), ps.default);
                set(cx, owner, id, ps, &name, d);
            }
        }
        Cmd::ValueType => {
            if let Some((_, ps, v)) = st.selected(cx.project) {
                let now = typed(ps, v, cx.project);
                cx.ask(Effect::Prompt(format!("fx set {} {}={now}", id.0, ps.name)));
            }
        }
        Cmd::FxBypass => {
            effects::bypass(cx, owner, id, None);
        }
        Cmd::FxRemove if effects::remove(cx, owner, id) => cx.ask(Effect::CloseFxEditor),
        Cmd::FxMoveUp => {
            effects::move_by(cx, owner, id, -(n as isize));
        }
        Cmd::FxMoveDown => {
            effects::move_by(cx, owner, id, n as isize);
        }
        Cmd::FxAdd => cx.ask(Effect::OpenFxPicker(owner)),
        Cmd::FxHideOff => {
            st.hide_off = !st.hide_off;
            cx.info(if st.hide_off {
                "EQ bands that are off are hidden (o shows them)"
            } else {
                "EQ bands that are off show as one line each"
            });
        }
        Cmd::PresetSave => cx.ask(Effect::Prompt("preset save ".into())),
        Cmd::FxClose => cx.ask(Effect::CloseFxEditor),
        _ => {}
    }
    st.clamp(cx.project, rows_fit(cx.main));
}

/// Steps the selected parameter by `steps` (fine or coarse steps of the registry's curve; a
/// note value through the common ones, a sidechain through the tracks).
fn step(st: &FxEditorState, cx: &mut Cx<'_>, steps: f64, coarse: bool) {
    let Some((_, ps, v)) = st.selected(cx.project) else {
        return;
    };
    let name = ps.name.clone();
    let to = match ps.unit {
        Unit::NoteValue => {
            let i = NOTE_VALUES
                .iter()
                .position(|t| fx::note_value_beats(t).ok() == Some(v))
                .unwrap_or(0) as isize;
            let j = (i + steps as isize).clamp(0, NOTE_VALUES.len() as isize - 1) as usize;
            let pair = [(name, NOTE_VALUES[j].to_string())];
            effects::set_text(cx, st.owner, st.fx, &pair);
            return;
        }
        Unit::Track => {
            let ids = sidechains(cx.project, st.owner);
            let i = ids.iter().position(|t| t.0 as f64 == v).unwrap_or(0) as isize;
            let j = (i + steps as isize).clamp(0, ids.len() as isize - 1) as usize;
            ids[j].0 as f64
        }
        _ => ps.step(v, steps, coarse),
    };
    if to == v {
        cx.info(format!("{name} is at {}", ps.show(v)));
        return;
    }
    set(cx, st.owner, st.fx, ps, &name, to);
}

fn set(cx: &mut Cx<'_>, owner: Owner, id: crate::model::FxId, ps: &ParamSpec, name: &str, n: f64) {
    if ps.unit == Unit::NoteValue {
        let text = if n == 0.0 {
            "off".to_string()
        } else {
            fx::note_value_text(n)
        };
        effects::set_text(cx, owner, id, &[(name.to_string(), text)]);
    } else {
        effects::set_number(cx, owner, id, name, n);
    }
}

/// What `Enter` prefills: the value as it would be typed.
fn typed(ps: &ParamSpec, v: f64, p: &Project) -> String {
    match ps.unit {
        Unit::Track => p
            .track(TrackId(v as u64))
            .map_or_else(|| "off".into(), |t| t.name.clone()),
        Unit::Choice | Unit::Switch | Unit::NoteValue => ps.show(v),
        _ => fx::fmt_num(v),
    }
}

/// The note values a delay's `time` steps through (`off` first).
const NOTE_VALUES: &[&str] = &[
    "off", "1/32", "1/16t", "1/16", "1/8t", "1/16.", "1/8", "1/4t", "1/8.", "1/4", "1/2t", "1/4.",
    "1/2", "1/2.", "1/1",
];

/// The tracks a sidechain may name (none first, then every track but the owner).
fn sidechains(p: &Project, owner: Owner) -> Vec<TrackId> {
    std::iter::once(TrackId(0))
        .chain(
            p.tracks
                .iter()
                .map(|t| t.id)
                .filter(|id| owner != Owner::Track(*id)),
        )
        .collect()
}
