//! `:automate [TRACK] TARGET [BEAT=VALUE...]`, the shell's `tdaw automate` on the command line:
//! points set on a lane of the selected track (or TRACK, or `master`) in one undo step, or,
//! without points, the lane opened in the arrange view (made with one point at the target's
//! current value when missing). Targets are the contract's `gain`, `pan`, `send:BUS`,
//! `fx:FX:PARAM`; completion offers the selected track's.

use super::import::split_args;
use super::spec::Args;
use crate::model::fx::{self, KindSpec};
use crate::model::mixer::{self, Owner};
use crate::model::{AutomationPoint, AutomationTarget, Project};
use crate::ui::app::App;
use crate::ui::keymap::ViewKind;
use crate::ui::views::arrange::param_spec;

const USAGE: &str =
    ":automate [TRACK] TARGET [BEAT=VALUE...] (TARGET: gain, pan, send:BUS, fx:FX:PARAM)";

/// Whether a word is written like a target (so it is not a track's name).
fn target_shaped(w: &str) -> bool {
    w == "gain" || w == "pan" || w.starts_with("send:") || w.starts_with("fx:")
}

/// `:automate [TRACK] TARGET [BEAT=VALUE...]`.
pub(super) fn automate(app: &mut App, args: &Args) -> Result<(), String> {
    let words = split_args(args.rest)?;
    let Some(first) = words.first() else {
        return Err(USAGE.into());
    };
    let (owner, target_word, pairs) = if target_shaped(first) {
        let ti = app.arrange.track;
        let t = app
            .project
            .tracks
            .get(ti)
            .ok_or("there is no track to automate")?;
        (Owner::Track(t.id), first.as_str(), &words[1..])
    } else {
        let owner = mixer::resolve(&app.project, first)?;
        let target = words.get(1).ok_or(USAGE)?;
        (owner, target.as_str(), &words[2..])
    };
    let p = &app.project;
    let target = mixer::parse_target(p, owner, target_word)?;
    let name = mixer::target_text(p, &target);
    let points = parse_points(p, owner, &target, pairs)?;
    if points.is_empty() {
        return open(app, owner, target);
    }
    let edit = mixer::set_points(p, owner, &target, &points)?;
    let who = mixer::owner_name(p, owner);
    let n = points.len();
    if app.apply(edit, "automate") {
        show_lanes(app, owner);
        app.info(format!(
            "{who} {name}: {n} point{} set",
            if n == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}

/// `BEAT=VALUE` pairs as points in the target's unit (a point already at that beat keeps its
/// curve).
fn parse_points(
    p: &Project,
    o: Owner,
    target: &AutomationTarget,
    pairs: &[String],
) -> Result<Vec<AutomationPoint>, String> {
    let spec = param_spec(p, o, target);
    let lane = mixer::lanes(p, o)?.iter().find(|l| &l.target == target);
    let mut out = Vec::new();
    for pair in pairs {
        let (b, v) = pair
            .split_once('=')
            .ok_or_else(|| format!("'{pair}' is not BEAT=VALUE"))?;
        let beat: f64 = b
            .trim()
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| format!("'{b}' is not a beat (a number, 0 or later)"))?;
        let value = match spec {
            Some(s) => {
                let stored = s.parse(v)?;
                s.number(&stored)
                    .ok_or_else(|| format!("{} must be {}", s.name, s.allowed_text()))?
            }
            None => v
                .trim()
                .trim_end_matches("dB")
                .trim()
                .parse::<f64>()
                .map_err(|_| format!("'{v}' is not a number"))?,
        };
        let curve = lane
            .and_then(|l| l.points.iter().find(|q| (q.beat - beat).abs() < 1e-9))
            .map_or(0.0, |q| q.curve);
        out.push(AutomationPoint { beat, value, curve });
    }
    Ok(out)
}

/// The target's value now, without automation: the fader, the pan, the send level, the
/// effect's parameter.
fn current_value(p: &Project, o: Owner, target: &AutomationTarget) -> f64 {
    let track = match o {
        Owner::Track(id) => p.track(id),
        Owner::Master => None,
    };
    match target {
        AutomationTarget::Gain => track.map_or(p.master.gain_db, |t| t.gain_db) as f64,
        AutomationTarget::Pan => track.map_or(0.0, |t| t.pan) as f64,
        AutomationTarget::Send(b) => track
            .and_then(|t| t.sends.iter().find(|s| s.to == *b))
            .map_or(0.0, |s| s.level_db) as f64,
        AutomationTarget::Fx(id, param) => mixer::chain(p, o)
            .ok()
            .and_then(|c| c.iter().find(|e| e.id == *id))
            .and_then(|e| {
                let k: &KindSpec = fx::kind(&e.kind)?;
                let (i, _) = k.param(param)?;
                k.values(e).get(i).copied()
            })
            .unwrap_or(0.0),
    }
}

/// Opens the lane of `target` in the arrange view: its track's lanes shown, the cursor on it
/// (made first, with one point at the current value at the cursor, when missing).
fn open(app: &mut App, owner: Owner, target: AutomationTarget) -> Result<(), String> {
    let Owner::Track(id) = owner else {
        return Err(
            "the master's lanes are not in the arrange view: give BEAT=VALUE points".into(),
        );
    };
    let p = &app.project;
    let name = mixer::target_text(p, &target);
    let exists = mixer::lanes(p, owner)?.iter().any(|l| l.target == target);
    if !exists {
        let pt = AutomationPoint::new(app.arrange.cursor, current_value(p, owner, &target));
        let edit = mixer::set_points(p, owner, &target, &[pt])?;
        if !app.apply(edit, "automate") {
            return Ok(());
        }
    }
    let ti = app
        .project
        .tracks
        .iter()
        .position(|t| t.id == id)
        .ok_or("that track is gone")?;
    app.select_track(ti);
    app.arrange.lanes.insert(id);
    app.arrange.lane = Some(target);
    app.view = ViewKind::Arrange;
    app.info(if exists {
        format!("{name}: the lane (a adds points, + and - change them)")
    } else {
        format!("{name}: new lane with one point at the current value")
    });
    Ok(())
}

/// Shows a track's lanes after points were set on it.
fn show_lanes(app: &mut App, owner: Owner) {
    if let Owner::Track(id) = owner {
        app.arrange.lanes.insert(id);
    }
}

/// What `:automate` completes: the selected track's targets (gain, pan, each send, each
/// effect's automatable parameters).
pub(super) fn targets(p: &Project, ti: usize, typed: &str) -> Vec<String> {
    let Some(t) = p.tracks.get(ti) else {
        return Vec::new();
    };
    let mut out = vec!["gain".to_string(), "pan".to_string()];
    for s in &t.sends {
        out.push(mixer::target_text(p, &AutomationTarget::Send(s.to)));
    }
    for e in &t.effects {
        if let Some(k) = fx::kind(&e.kind) {
            for ps in k.params.iter().filter(|ps| ps.automatable()) {
                out.push(format!("fx:{}:{}", e.id.0, ps.name));
            }
        }
    }
    out.retain(|c| c.starts_with(typed));
    out
}

/// `:bus NAME`: a bus track below the selected one (`:track add bus NAME`).
pub(super) fn bus(app: &mut App, args: &Args) -> Result<(), String> {
    super::track::track(
        app,
        &Args {
            name: "track",
            rest: &format!("add bus {}", args.rest),
        },
    )
}
