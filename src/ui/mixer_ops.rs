//! What the registry commands do in the mixer: choose a strip and a value, change it in place
//! (with counts: `6-` lowers a fader by 6 dB), reset it.

use super::action::Cmd;
use super::app::{App, MixerParam};
use super::views::mixer as view;
use crate::model::{Edit, TrackField};

/// Fader range the keys move in, dB.
pub const FADER_MIN: f32 = -96.0;
pub const FADER_MAX: f32 = 12.0;

pub fn run(app: &mut App, cmd: Cmd, n: usize) {
    let tracks = app.project.tracks.len();
    match cmd {
        Cmd::MoveLeft => {
            app.mixer.strip = app.mixer.strip.saturating_sub(n);
            clamp_param(app);
        }
        Cmd::MoveRight => {
            app.mixer.strip = (app.mixer.strip + n).min(tracks);
            clamp_param(app);
        }
        // Vim's `0` and `$`: the strips are the line, the master strip ends it.
        Cmd::LineStart | Cmd::LineEnd => {
            app.mixer.strip = if cmd == Cmd::LineStart { 0 } else { tracks };
            clamp_param(app);
        }
        Cmd::MoveUp | Cmd::MoveDown => {
            let params = params(app);
            let i = params
                .iter()
                .position(|p| *p == app.mixer.param)
                .unwrap_or(0);
            // Up goes towards the top of the strip (sends), down towards the fader and pan.
            let j = if cmd == Cmd::MoveUp {
                i.saturating_sub(n)
            } else {
                (i + n).min(params.len().saturating_sub(1))
            };
            app.mixer.param = params.get(j).copied().unwrap_or(MixerParam::Fader);
        }
        Cmd::ValueUp => change(app, n as f32),
        Cmd::ValueDown => change(app, -(n as f32)),
        Cmd::ValueReset => reset(app),
        _ => {}
    }
    if app.mixer.strip < tracks {
        app.arrange.track = app.mixer.strip;
    }
}

/// The values of the selected strip, top to bottom.
fn params(app: &App) -> Vec<MixerParam> {
    match app.project.tracks.get(app.mixer.strip) {
        Some(t) => {
            let mut v: Vec<MixerParam> = (0..t.sends.len()).map(MixerParam::Send).collect();
            v.push(MixerParam::Fader);
            v.push(MixerParam::Pan);
            v
        }
        None => vec![MixerParam::Fader],
    }
}

fn clamp_param(app: &mut App) {
    if !params(app).contains(&app.mixer.param) {
        app.mixer.param = MixerParam::Fader;
    }
}

/// Changes the selected value by `steps`: 1 dB for faders and sends, 5 % for pan.
fn change(app: &mut App, steps: f32) {
    let Some(t) = app.project.tracks.get(app.mixer.strip) else {
        let g = (app.project.master.gain_db + steps).clamp(FADER_MIN, FADER_MAX);
        if app.apply(Edit::SetMasterGain(g), "master fader") {
            app.info(format!("Master {g:+.1} dB"));
        }
        return;
    };
    let id = t.id;
    let name = t.name.clone();
    let (field, msg) = match app.mixer.param {
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
    if app.apply(Edit::SetTrack { id, field }, "mixer") {
        app.info(msg);
    }
}

fn reset(app: &mut App) {
    let Some(t) = app.project.tracks.get(app.mixer.strip) else {
        app.apply(Edit::SetMasterGain(0.0), "master fader");
        return;
    };
    let id = t.id;
    let field = match app.mixer.param {
        MixerParam::Fader => TrackField::GainDb(0.0),
        MixerParam::Pan => TrackField::Pan(0.0),
        MixerParam::Send(i) => {
            let mut sends = t.sends.clone();
            let Some(s) = sends.get_mut(i) else { return };
            s.level_db = 0.0;
            TrackField::Sends(sends)
        }
    };
    app.apply(Edit::SetTrack { id, field }, "mixer reset");
}

/// Keeps the selected strip on screen.
pub fn ensure_visible(app: &mut App) {
    let n = view::visible_strips(app.main_area()).max(1);
    let st = &mut app.mixer;
    let tracks = app.project.tracks.len();
    if st.strip < tracks {
        if st.strip < st.scroll {
            st.scroll = st.strip;
        } else if st.strip >= st.scroll + n {
            st.scroll = st.strip + 1 - n;
        }
    }
    st.scroll = st.scroll.min(tracks.saturating_sub(n.min(tracks)));
}
