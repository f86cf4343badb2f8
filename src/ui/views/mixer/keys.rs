//! What the registry commands do in the mixer: choose a strip and a value, change it in place
//! (with counts: `6-` lowers a fader by 6 dB), reset it; on an insert open the effect editor,
//! bypass, remove or reorder it; on a send switch pre/post; add an effect or a preset (`a`).
//! Effect edits go through `ui::effects` (the same ones the editor and `:fx` make).

use super::draw as view;
use super::state::{MixerParam, MixerState};
use crate::model::mixer::{self, Owner};
use crate::model::{Edit, Project, TrackField};
use crate::ui::action::Cmd;
use crate::ui::ctx::{Cx, Effect};
use crate::ui::effects;

/// Fader range the keys move in, dB.
pub const FADER_MIN: f32 = -96.0;
pub const FADER_MAX: f32 = 12.0;

pub fn run(st: &mut MixerState, cx: &mut Cx<'_>, cmd: Cmd, n: usize) {
    let tracks = cx.project.tracks.len();
    match cmd {
        Cmd::MoveLeft => {
            st.strip = st.strip.saturating_sub(n);
            clamp_param(st, cx.project);
        }
        Cmd::MoveRight => {
            st.strip = (st.strip + n).min(tracks);
            clamp_param(st, cx.project);
        }
        // Vim's `0` and `$`: the strips are the line, the master strip ends it.
        Cmd::LineStart | Cmd::LineEnd => {
            st.strip = if cmd == Cmd::LineStart { 0 } else { tracks };
            clamp_param(st, cx.project);
        }
        Cmd::MoveUp | Cmd::MoveDown => {
            let params = params(st, cx.project);
            let i = params.iter().position(|p| *p == st.param).unwrap_or(0);
            // Up goes towards the top of the strip (sends), down towards the fader and pan.
            let j = if cmd == Cmd::MoveUp {
                i.saturating_sub(n)
            } else {
                (i + n).min(params.len().saturating_sub(1))
            };
            st.param = params.get(j).copied().unwrap_or(MixerParam::Fader);
        }
        Cmd::ValueUp => change(st, cx, n as f32),
        Cmd::ValueDown => change(st, cx, -(n as f32)),
        Cmd::ValueReset => reset(st, cx),
        Cmd::FxOpen
        | Cmd::FxBypass
        | Cmd::FxRemove
        | Cmd::FxMoveUp
        | Cmd::FxMoveDown
        | Cmd::FxAdd
        | Cmd::PresetSave => insert_key(st, cx, cmd, n),
        Cmd::SendPrePost => pre_post(st, cx),
        _ => {}
    }
    if st.strip < tracks {
        cx.ask(Effect::SelectTrack(st.strip));
    }
}

/// The values of the selected strip, top to bottom.
fn params(st: &MixerState, project: &Project) -> Vec<MixerParam> {
    match project.tracks.get(st.strip) {
        Some(t) => {
            let mut v: Vec<MixerParam> = (0..t.effects.len()).map(MixerParam::Insert).collect();
            v.extend((0..t.sends.len()).map(MixerParam::Send));
            v.push(MixerParam::Fader);
            v.push(MixerParam::Pan);
            v
        }
        None => {
            let mut v: Vec<MixerParam> = (0..project.master.effects.len())
                .map(MixerParam::Insert)
                .collect();
            v.push(MixerParam::Fader);
            v
        }
    }
}

/// Whose chain the selected strip shows.
pub fn owner(st: &MixerState, project: &Project) -> Owner {
    project
        .tracks
        .get(st.strip)
        .map_or(Owner::Master, |t| Owner::Track(t.id))
}

/// The keys that act on the insert under the cursor (or, for `a` and `s`, on the strip).
fn insert_key(st: &mut MixerState, cx: &mut Cx<'_>, cmd: Cmd, n: usize) {
    let o = owner(st, cx.project);
    if cmd == Cmd::FxAdd {
        cx.ask(Effect::OpenFxPicker(o));
        return;
    }
    if cmd == Cmd::PresetSave {
        // On an insert, that effect; elsewhere the strip's whole chain (`:preset save`).
        cx.ask(Effect::Prompt("preset save ".into()));
        return;
    }
    let chain = mixer::chain(cx.project, o).unwrap_or(&[]);
    let MixerParam::Insert(i) = st.param else {
        cx.error(if chain.is_empty() {
            "this strip has no effects: a adds one"
        } else {
            "the cursor is not on an insert (k moves up to them)"
        });
        return;
    };
    let Some(id) = chain.get(i).map(|e| e.id) else {
        return;
    };
    match cmd {
        Cmd::FxOpen => cx.ask(Effect::OpenFxEditor { owner: o, fx: id }),
        Cmd::FxBypass => {
            effects::bypass(cx, o, id, None);
        }
        Cmd::FxRemove => {
            effects::remove(cx, o, id);
        }
        Cmd::FxMoveUp | Cmd::FxMoveDown => {
            let d = if cmd == Cmd::FxMoveUp {
                -(n as isize)
            } else {
                n as isize
            };
            if let Some(to) = effects::move_by(cx, o, id, d) {
                st.param = MixerParam::Insert(to);
            }
        }
        _ => {}
    }
    clamp_param(st, cx.project);
}

/// `p` on a send: pre-fader becomes post-fader and back.
fn pre_post(st: &MixerState, cx: &mut Cx<'_>) {
    let (Some(t), MixerParam::Send(i)) = (cx.project.tracks.get(st.strip), st.param) else {
        cx.error("the cursor is not on a send (k moves up to them)");
        return;
    };
    let Some(s) = t.sends.get(i) else { return };
    let (track, bus, pre) = (t.id, s.to, !s.pre_fader);
    let name = t.name.clone();
    match mixer::set_send(cx.project, track, bus, None, Some(pre)) {
        Ok(edit) => {
            if cx.apply(edit, "send pre/post") {
                let to = cx.project.track(bus).map_or("?", |b| b.name.as_str());
                let when = if pre { "pre-fader" } else { "post-fader" };
                cx.info(format!("{name} → {to} is {when}"));
            }
        }
        Err(e) => cx.error(e),
    }
}

/// Keeps the cursor on a value the strip has: a removed insert's place goes to the one before.
pub fn clamp_param(st: &mut MixerState, project: &Project) {
    let ps = params(st, project);
    if !ps.contains(&st.param) {
        st.param = match st.param {
            MixerParam::Insert(i) if i > 0 && ps.contains(&MixerParam::Insert(i - 1)) => {
                MixerParam::Insert(i - 1)
            }
            _ => MixerParam::Fader,
        };
    }
}

/// Changes the selected value by `steps`: 1 dB for faders and sends, 5 % for pan.
fn change(st: &MixerState, cx: &mut Cx<'_>, steps: f32) {
    if on_insert(st, cx) {
        return;
    }
    let Some(t) = cx.project.tracks.get(st.strip) else {
        let g = (cx.project.master.gain_db + steps).clamp(FADER_MIN, FADER_MAX);
        if cx.apply(Edit::SetMasterGain(g), "master fader") {
            cx.info(format!("Master {g:+.1} dB"));
        }
        return;
    };
    let id = t.id;
    let name = t.name.clone();
    let (field, msg) = match st.param {
        MixerParam::Fader => {
            let g = (t.gain_db.max(FADER_MIN) + steps).clamp(FADER_MIN, FADER_MAX);
            (TrackField::GainDb(g), format!("{name} {g:+.1} dB"))
        }
        MixerParam::Pan => {
            let p = ((t.pan + steps * 0.05) * 100.0).round() / 100.0;
            let p = p.clamp(-1.0, 1.0);
            (
                TrackField::Pan(p),
                format!("{name} pan {}", view::pan_label(p)),
            )
        }
        MixerParam::Insert(_) => return,
        MixerParam::Send(i) => {
            let mut sends = t.sends.clone();
            let Some(s) = sends.get_mut(i) else { return };
            s.level_db = (s.level_db + steps).clamp(FADER_MIN, FADER_MAX);
            let msg = format!("{name} send {:+.1} dB", s.level_db);
            (TrackField::Sends(sends), msg)
        }
    };
    if cx.apply(Edit::SetTrack { id, field }, "mixer") {
        cx.info(msg);
    }
}

fn reset(st: &MixerState, cx: &mut Cx<'_>) {
    if on_insert(st, cx) {
        return;
    }
    let Some(t) = cx.project.tracks.get(st.strip) else {
        cx.apply(Edit::SetMasterGain(0.0), "master fader");
        return;
    };
    let id = t.id;
    let field = match st.param {
        MixerParam::Fader => TrackField::GainDb(0.0),
        MixerParam::Pan => TrackField::Pan(0.0),
        MixerParam::Insert(_) => return,
        MixerParam::Send(i) => {
            let mut sends = t.sends.clone();
            let Some(s) = sends.get_mut(i) else { return };
            s.level_db = 0.0;
            TrackField::Sends(sends)
        }
    };
    cx.apply(Edit::SetTrack { id, field }, "mixer reset");
}

/// Values do not step on an insert: says what does there.
fn on_insert(st: &MixerState, cx: &mut Cx<'_>) -> bool {
    let on = matches!(st.param, MixerParam::Insert(_));
    if on {
        cx.error("on an insert, enter opens the effect editor (b bypass, x remove, J/K move)");
    }
    on
}
