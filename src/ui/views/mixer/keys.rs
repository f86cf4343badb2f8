//! What the registry commands do in the mixer: choose a strip and a value, change it in place
//! (with counts: `6-` lowers a fader by 6 dB), reset it.

use super::draw as view;
use super::state::{MixerParam, MixerState};
use crate::model::{Edit, Project, TrackField};
use crate::ui::action::Cmd;
use crate::ui::ctx::{Cx, Effect};

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
            let mut v: Vec<MixerParam> = (0..t.sends.len()).map(MixerParam::Send).collect();
            v.push(MixerParam::Fader);
            v.push(MixerParam::Pan);
            v
        }
        None => vec![MixerParam::Fader],
    }
}

fn clamp_param(st: &mut MixerState, project: &Project) {
    if !params(st, project).contains(&st.param) {
        st.param = MixerParam::Fader;
    }
}

/// Changes the selected value by `steps`: 1 dB for faders and sends, 5 % for pan.
fn change(st: &MixerState, cx: &mut Cx<'_>, steps: f32) {
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
    let Some(t) = cx.project.tracks.get(st.strip) else {
        cx.apply(Edit::SetMasterGain(0.0), "master fader");
        return;
    };
    let id = t.id;
    let field = match st.param {
        MixerParam::Fader => TrackField::GainDb(0.0),
        MixerParam::Pan => TrackField::Pan(0.0),
        MixerParam::Send(i) => {
            let mut sends = t.sends.clone();
            let Some(s) = sends.get_mut(i) else { return };
            s.level_db = 0.0;
            TrackField::Sends(sends)
        }
    };
    cx.apply(Edit::SetTrack { id, field }, "mixer reset");
}
