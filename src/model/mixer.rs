//! Mixer operations: insert effects (add, set, remove, move, bypass), sends, automation points
//! and track settings. Like `ops`, each reads the project and returns the [`Edit`] that makes
//! the change (one undo step) or an error sentence; none changes the project. The shell
//! (`tdaw track|fx|send|automate`), the TUI's mixer and effect editor, and the assistant call
//! these same functions, and they check values against the effect registry ([`super::fx`]).

use super::fx::{self, Unit};
use super::types::*;
use super::{Edit, TrackField};

/// Whose chain: a track's (or bus's), or the master's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    Track(TrackId),
    Master,
}

/// Why a mixer operation refused, as one sentence. Nothing was changed.
pub type MixError = String;

/// A track by its name (exact, then ignoring case) or 1-based position; `master` names the
/// master bus.
pub fn resolve(p: &Project, text: &str) -> Result<Owner, MixError> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("master") {
        return Ok(Owner::Master);
    }
    resolve_track(p, t).map(Owner::Track)
}

/// A track (not the master) by name or 1-based position.
pub fn resolve_track(p: &Project, text: &str) -> Result<TrackId, MixError> {
    let t = text.trim();
    if let Some(tr) = p.tracks.iter().find(|tr| tr.name == t) {
        return Ok(tr.id);
    }
    let lower = t.to_lowercase();
    let matches: Vec<&Track> = p
        .tracks
        .iter()
        .filter(|tr| tr.name.to_lowercase() == lower)
        .collect();
    if matches.len() == 1 {
        return Ok(matches[0].id);
    }
    if let Ok(n) = t.parse::<usize>() {
        if n >= 1 && n <= p.tracks.len() {
            return Ok(p.tracks[n - 1].id);
        }
        return Err(format!(
            "there is no track {n}: the project has {} track{}",
            p.tracks.len(),
            if p.tracks.len() == 1 { "" } else { "s" }
        ));
    }
    let names: Vec<&str> = p.tracks.iter().map(|t| t.name.as_str()).collect();
    Err(if names.is_empty() {
        format!("there is no track '{t}': the project has no tracks")
    } else {
        format!(
            "there is no track '{t}'; the tracks are {}",
            names.join(", ")
        )
    })
}

/// The name of an owner as messages print it.
pub fn owner_name(p: &Project, o: Owner) -> String {
    match o {
        Owner::Master => "master".into(),
        Owner::Track(id) => p
            .track(id)
            .map_or_else(|| format!("track {}", id.0), |t| t.name.clone()),
    }
}

/// The chain of `o`.
pub fn chain(p: &Project, o: Owner) -> Result<&[Effect], MixError> {
    match o {
        Owner::Master => Ok(&p.master.effects),
        Owner::Track(id) => p
            .track(id)
            .map(|t| t.effects.as_slice())
            .ok_or_else(|| format!("there is no track with id {}", id.0)),
    }
}

/// The automation lanes of `o`.
pub fn lanes(p: &Project, o: Owner) -> Result<&[AutomationLane], MixError> {
    match o {
        Owner::Master => Ok(&p.master.automation),
        Owner::Track(id) => p
            .track(id)
            .map(|t| t.automation.as_slice())
            .ok_or_else(|| format!("there is no track with id {}", id.0)),
    }
}

fn set_chain(o: Owner, effects: Vec<Effect>) -> Edit {
    match o {
        Owner::Master => Edit::SetMasterEffects(effects),
        Owner::Track(id) => Edit::SetTrack {
            id,
            field: TrackField::Effects(effects),
        },
    }
}

fn set_lanes(o: Owner, lanes: Vec<AutomationLane>) -> Edit {
    match o {
        Owner::Master => Edit::SetMasterAutomation(lanes),
        Owner::Track(id) => Edit::SetTrack {
            id,
            field: TrackField::Automation(lanes),
        },
    }
}

/// Where effect `fx` sits in `o`'s chain.
pub fn find_fx(p: &Project, o: Owner, fx: FxId) -> Result<usize, MixError> {
    let c = chain(p, o)?;
    c.iter().position(|e| e.id == fx).ok_or_else(|| {
        let ids: Vec<String> = c
            .iter()
            .map(|e| format!("{} ({})", e.id.0, e.kind))
            .collect();
        if ids.is_empty() {
            format!(
                "{} has no effect {}: its chain is empty",
                owner_name(p, o),
                fx.0
            )
        } else {
            format!(
                "{} has no effect {}; its effects are {}",
                owner_name(p, o),
                fx.0,
                ids.join(", ")
            )
        }
    })
}

/// Parses an effect id as typed (`3`).
pub fn parse_fx_id(text: &str) -> Result<FxId, MixError> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .map(FxId)
        .ok_or_else(|| {
            format!(
                "'{}' is not an effect id (the number `fx add` printed)",
                text.trim()
            )
        })
}

/// Parses `PARAM=VALUE` pairs for an effect of kind `spec` into stored values (a sidechain's
/// track resolved by name or position).
pub fn parse_params(
    p: &Project,
    spec: &fx::KindSpec,
    pairs: &[(String, String)],
) -> Result<Vec<(String, ParamValue)>, MixError> {
    let mut out = Vec::new();
    for (name, text) in pairs {
        let (_, ps) = spec.param(name).ok_or_else(|| spec.unknown_param(name))?;
        let v = if ps.unit == Unit::Track {
            let t = text.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("off") || t.eq_ignore_ascii_case("none") {
                ParamValue::Number(0.0)
            } else {
                ParamValue::Number(
                    resolve_track(p, t).map_err(|e| format!("{name}: {e}"))?.0 as f64,
                )
            }
        } else {
            ps.parse(text)?
        };
        out.push((name.clone(), v));
    }
    Ok(out)
}

/// Splits `KEY=VALUE` words; a word without `=` is an error naming it.
pub fn split_pairs(words: &[String]) -> Result<Vec<(String, String)>, MixError> {
    words
        .iter()
        .map(|w| {
            w.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| format!("'{w}' is not of the form NAME=VALUE"))
        })
        .collect()
}

/// A new effect of `kind` with `params` set (the rest at their defaults), inserted at `at`
/// (0-based; `None`: the end) of `o`'s chain. Returns the edit and the new effect's id.
pub fn add_effect(
    p: &Project,
    o: Owner,
    kind: &str,
    params: &[(String, String)],
    at: Option<usize>,
) -> Result<(Edit, FxId), MixError> {
    let spec = fx::kind(kind).ok_or_else(|| fx::unknown_kind(kind))?;
    let mut effect = Effect {
        id: p.next_fx_id(),
        kind: spec.name.to_string(),
        bypass: false,
        params: Default::default(),
    };
    // Every parameter is written (except the EQ's bands left off), so a project sounds the
    // same when a later build changes a default.
    if spec.name != "eq" {
        for ps in &spec.params {
            if !matches!(ps.unit, Unit::Track | Unit::NoteValue) {
                effect.params.insert(ps.name.clone(), ps.stored(ps.default));
            }
        }
    }
    for (name, v) in parse_params(p, spec, params)? {
        effect.params.insert(name, v);
    }
    let id = effect.id;
    let (edit, _) = insert_effects(p, o, vec![effect], at)?;
    Ok((edit, id))
}

/// Inserts whole effects (a preset's chain) at `at` of `o`'s chain, each given a fresh id and
/// checked against the registry. A sidechain that names no track of this project is cleared.
pub fn insert_effects(
    p: &Project,
    o: Owner,
    effects: Vec<Effect>,
    at: Option<usize>,
) -> Result<(Edit, Vec<FxId>), MixError> {
    let mut c = chain(p, o)?.to_vec();
    let at = at.unwrap_or(c.len()).min(c.len());
    let mut ids = Vec::new();
    for (next, (k, mut e)) in (p.next_fx_id().0..).zip(effects.into_iter().enumerate()) {
        e.id = FxId(next);
        fx::check_effect(&e)?;
        if let Some(spec) = fx::kind(&e.kind) {
            for ps in spec.params.iter().filter(|ps| ps.unit == Unit::Track) {
                let id = e
                    .params
                    .get(&ps.name)
                    .and_then(|v| ps.number(v))
                    .unwrap_or(0.0);
                if id != 0.0 && p.track(TrackId(id as u64)).is_none() {
                    e.params.remove(&ps.name);
                }
            }
        }
        ids.push(e.id);
        c.insert(at + k, e);
    }
    Ok((set_chain(o, c), ids))
}

/// Sets parameters of effect `fx` on `o`.
pub fn set_effect_params(
    p: &Project,
    o: Owner,
    id: FxId,
    params: &[(String, String)],
) -> Result<Edit, MixError> {
    let i = find_fx(p, o, id)?;
    let mut c = chain(p, o)?.to_vec();
    let spec = fx::kind(&c[i].kind).ok_or_else(|| {
        format!(
            "effect {} is of a kind this build does not know ({})",
            id.0, c[i].kind
        )
    })?;
    if params.is_empty() {
        return Err("nothing to set: give PARAM=VALUE".into());
    }
    for (name, v) in parse_params(p, spec, params)? {
        c[i].params.insert(name, v);
    }
    Ok(set_chain(o, c))
}

/// Sets one parameter of effect `fx` to a number (the editor's steps; a choice's index).
pub fn set_effect_number(
    p: &Project,
    o: Owner,
    id: FxId,
    param: &str,
    n: f64,
) -> Result<Edit, MixError> {
    let i = find_fx(p, o, id)?;
    let mut c = chain(p, o)?.to_vec();
    let spec = fx::kind(&c[i].kind).ok_or_else(|| format!("unknown effect kind {}", c[i].kind))?;
    let (_, ps) = spec.param(param).ok_or_else(|| spec.unknown_param(param))?;
    let v = ps.stored(n);
    ps.check(&v)?;
    c[i].params.insert(param.to_string(), v);
    Ok(set_chain(o, c))
}

/// Removes effect `fx` from `o`'s chain, with its automation lanes.
pub fn remove_effect(p: &Project, o: Owner, id: FxId) -> Result<Edit, MixError> {
    let i = find_fx(p, o, id)?;
    let mut c = chain(p, o)?.to_vec();
    c.remove(i);
    let mut edits = vec![set_chain(o, c)];
    let l = lanes(p, o)?;
    if l.iter()
        .any(|l| matches!(&l.target, AutomationTarget::Fx(f, _) if *f == id))
    {
        let kept = l
            .iter()
            .filter(|l| !matches!(&l.target, AutomationTarget::Fx(f, _) if *f == id))
            .cloned()
            .collect();
        edits.push(set_lanes(o, kept));
    }
    Ok(batch(edits))
}

/// Moves effect `fx` to position `pos` (1-based) of its chain.
pub fn move_effect(p: &Project, o: Owner, id: FxId, pos: usize) -> Result<Edit, MixError> {
    let i = find_fx(p, o, id)?;
    let mut c = chain(p, o)?.to_vec();
    if pos == 0 || pos > c.len() {
        return Err(format!(
            "position {pos} is outside 1..={} of the chain",
            c.len()
        ));
    }
    let e = c.remove(i);
    c.insert(pos - 1, e);
    Ok(set_chain(o, c))
}

/// Bypasses (`true`) or engages effect `fx`.
pub fn bypass_effect(p: &Project, o: Owner, id: FxId, bypass: bool) -> Result<Edit, MixError> {
    let i = find_fx(p, o, id)?;
    let mut c = chain(p, o)?.to_vec();
    c[i].bypass = bypass;
    Ok(set_chain(o, c))
}

fn batch(mut edits: Vec<Edit>) -> Edit {
    if edits.len() == 1 {
        edits.remove(0)
    } else {
        Edit::Batch(edits)
    }
}

const MIN_DB: f32 = -144.0;
const MAX_DB: f32 = 24.0;

/// A send from `track` to the bus `bus` (post-fader unless `pre`), or new values for the one
/// there is: `level_db` (default 0 dB for a new send, unchanged otherwise), `pre` (unchanged
/// when `None`; post for a new one).
pub fn set_send(
    p: &Project,
    track: TrackId,
    bus: TrackId,
    level_db: Option<f32>,
    pre: Option<bool>,
) -> Result<Edit, MixError> {
    let t = p
        .track(track)
        .ok_or_else(|| format!("there is no track with id {}", track.0))?;
    let b = p
        .track(bus)
        .ok_or_else(|| format!("there is no track with id {}", bus.0))?;
    if b.kind != TrackKind::Bus {
        return Err(format!(
            "'{}' is not a bus: sends go to buses (tdaw track add DIR NAME --bus)",
            b.name
        ));
    }
    if t.id == b.id {
        return Err(format!("'{}' cannot send to itself", t.name));
    }
    if let Some(db) = level_db {
        if !db.is_finite() || !(MIN_DB..=MAX_DB).contains(&db) {
            return Err(format!(
                "send level {db} dB is outside {MIN_DB} … {MAX_DB} dB"
            ));
        }
    }
    let mut sends = t.sends.clone();
    match sends.iter_mut().find(|s| s.to == bus) {
        Some(s) => {
            if let Some(db) = level_db {
                s.level_db = db;
            }
            if let Some(pre) = pre {
                s.pre_fader = pre;
            }
        }
        None => sends.push(Send {
            to: bus,
            level_db: level_db.unwrap_or(0.0),
            pre_fader: pre.unwrap_or(false),
        }),
    }
    let mut q = p.clone();
    if let Some(t) = q.track_mut(track) {
        t.sends = sends.clone();
    }
    if q.validate().is_err() {
        return Err(format!(
            "a send from '{}' to '{}' would make buses feed each other in a loop",
            t.name, b.name
        ));
    }
    Ok(Edit::SetTrack {
        id: track,
        field: TrackField::Sends(sends),
    })
}

/// Removes the send from `track` to `bus`, with its automation lane.
pub fn remove_send(p: &Project, track: TrackId, bus: TrackId) -> Result<Edit, MixError> {
    let t = p
        .track(track)
        .ok_or_else(|| format!("there is no track with id {}", track.0))?;
    if !t.sends.iter().any(|s| s.to == bus) {
        return Err(format!("'{}' has no send to track id {}", t.name, bus.0));
    }
    let sends = t.sends.iter().filter(|s| s.to != bus).cloned().collect();
    let mut edits = vec![Edit::SetTrack {
        id: track,
        field: TrackField::Sends(sends),
    }];
    if t.automation
        .iter()
        .any(|l| l.target == AutomationTarget::Send(bus))
    {
        edits.push(Edit::SetTrack {
            id: track,
            field: TrackField::Automation(
                t.automation
                    .iter()
                    .filter(|l| l.target != AutomationTarget::Send(bus))
                    .cloned()
                    .collect(),
            ),
        });
    }
    Ok(batch(edits))
}

/// An automation target as typed: `gain`, `pan`, `send:BUS`, `fx:FX:PARAM`.
pub fn parse_target(p: &Project, o: Owner, text: &str) -> Result<AutomationTarget, MixError> {
    let t = text.trim();
    let target = match t {
        "gain" => AutomationTarget::Gain,
        "pan" if o != Owner::Master => AutomationTarget::Pan,
        "pan" => return Err("the master has no pan to automate".into()),
        _ => {
            if let Some(bus) = t.strip_prefix("send:") {
                let Owner::Track(track) = o else {
                    return Err("the master has no sends".into());
                };
                let bus = resolve_track(p, bus)?;
                let tr = p.track(track).ok_or("no such track")?;
                if !tr.sends.iter().any(|s| s.to == bus) {
                    return Err(format!(
                        "'{}' has no send to '{}' (add one with tdaw send)",
                        tr.name,
                        owner_name(p, Owner::Track(bus))
                    ));
                }
                AutomationTarget::Send(bus)
            } else if let Some(rest) = t.strip_prefix("fx:") {
                let (id, param) = rest
                    .split_once(':')
                    .ok_or_else(|| format!("'{t}' is not of the form fx:FX:PARAM"))?;
                let id = parse_fx_id(id)?;
                let i = find_fx(p, o, id)?;
                let e = &chain(p, o)?[i];
                let spec =
                    fx::kind(&e.kind).ok_or_else(|| format!("unknown effect kind {}", e.kind))?;
                let (_, ps) = spec.param(param).ok_or_else(|| spec.unknown_param(param))?;
                if !ps.automatable() {
                    return Err(format!("{param} of {} cannot be automated", e.kind));
                }
                AutomationTarget::Fx(id, param.to_string())
            } else {
                return Err(format!(
                    "'{t}' is not an automation target: gain, pan, send:BUS or fx:FX:PARAM"
                ));
            }
        }
    };
    Ok(target)
}

/// The unit, range and text of a target on `o` (for checks, prompts and drawing).
pub fn target_range(p: &Project, o: Owner, target: &AutomationTarget) -> (f64, f64, &'static str) {
    match target {
        AutomationTarget::Gain | AutomationTarget::Send(_) => (MIN_DB as f64, MAX_DB as f64, "dB"),
        AutomationTarget::Pan => (-1.0, 1.0, ""),
        AutomationTarget::Fx(id, param) => chain(p, o)
            .ok()
            .and_then(|c| c.iter().find(|e| e.id == *id))
            .and_then(|e| fx::kind(&e.kind))
            .and_then(|k| k.param(param))
            .map_or((f64::MIN, f64::MAX, ""), |(_, ps)| {
                (ps.min, ps.max, ps.unit.suffix())
            }),
    }
}

/// A target as printed: `gain`, `pan`, `send:Reverb`, `fx:3:b1_freq`.
pub fn target_text(p: &Project, target: &AutomationTarget) -> String {
    match target {
        AutomationTarget::Gain => "gain".into(),
        AutomationTarget::Pan => "pan".into(),
        AutomationTarget::Send(b) => format!("send:{}", owner_name(p, Owner::Track(*b))),
        AutomationTarget::Fx(id, param) => format!("fx:{}:{param}", id.0),
    }
}

/// Sets points on `o`'s lane for `target` (the lane is made when missing): a point at a beat
/// that already has one replaces it; values are checked against the target's range.
pub fn set_points(
    p: &Project,
    o: Owner,
    target: &AutomationTarget,
    points: &[AutomationPoint],
) -> Result<Edit, MixError> {
    let (lo, hi, unit) = target_range(p, o, target);
    for pt in points {
        if !pt.beat.is_finite() || pt.beat < 0.0 {
            return Err(format!("beat {} must be 0 or later", pt.beat));
        }
        if !pt.value.is_finite() || pt.value < lo || pt.value > hi {
            return Err(format!(
                "{} = {} is outside {} … {}{}",
                target_text(p, target),
                fx::fmt_num(pt.value),
                fx::fmt_num(lo),
                fx::fmt_num(hi),
                if unit.is_empty() {
                    String::new()
                } else {
                    format!(" {unit}")
                }
            ));
        }
        if !(-1.0..=1.0).contains(&pt.curve) {
            return Err(format!("curve {} is outside -1 … 1", pt.curve));
        }
    }
    let mut all = lanes(p, o)?.to_vec();
    let i = match all.iter().position(|l| &l.target == target) {
        Some(i) => i,
        None => {
            all.push(AutomationLane {
                target: target.clone(),
                enabled: true,
                points: Vec::new(),
            });
            all.len() - 1
        }
    };
    let lane = &mut all[i];
    for pt in points {
        lane.points.retain(|q| (q.beat - pt.beat).abs() > 1e-9);
        let at = lane.points.partition_point(|q| q.beat < pt.beat);
        lane.points.insert(at, *pt);
    }
    Ok(set_lanes(o, all))
}

/// Removes the points of `o`'s lane for `target` at `beats` (within `tolerance`); with no
/// points left the lane goes.
pub fn remove_points(
    p: &Project,
    o: Owner,
    target: &AutomationTarget,
    beats: &[f64],
    tolerance: f64,
) -> Result<Edit, MixError> {
    let mut all = lanes(p, o)?.to_vec();
    let i = all
        .iter()
        .position(|l| &l.target == target)
        .ok_or_else(|| format!("there is no {} lane", target_text(p, target)))?;
    let before = all[i].points.len();
    all[i]
        .points
        .retain(|q| !beats.iter().any(|b| (q.beat - b).abs() <= tolerance));
    if all[i].points.len() == before {
        return Err("no point there".into());
    }
    if all[i].points.is_empty() {
        all.remove(i);
    }
    Ok(set_lanes(o, all))
}

/// Replaces a whole lane's points (moving points in the editor); empty removes the lane.
pub fn replace_lane(
    p: &Project,
    o: Owner,
    target: &AutomationTarget,
    mut points: Vec<AutomationPoint>,
) -> Result<Edit, MixError> {
    points.sort_by(|a, b| a.beat.total_cmp(&b.beat));
    let mut all = lanes(p, o)?.to_vec();
    let at = all.iter().position(|l| &l.target == target);
    if points.is_empty() {
        all.retain(|l| &l.target != target);
        return Ok(set_lanes(o, all));
    }
    // Checked like set_points.
    set_points(p, o, target, &points)?;
    match at {
        // The lane keeps its place and whether it is on: only its points change.
        Some(i) => all[i].points = points,
        None => all.push(AutomationLane {
            target: target.clone(),
            enabled: true,
            points,
        }),
    }
    Ok(set_lanes(o, all))
}

/// Sets `KEY=VALUE` track settings: `gain_db`, `pan` (-1..1), `mute`, `solo`, `name` (the
/// master takes `gain_db` only). One edit for all of them.
pub fn set_track(p: &Project, o: Owner, pairs: &[(String, String)]) -> Result<Edit, MixError> {
    if pairs.is_empty() {
        return Err(
            "nothing to set: give KEY=VALUE (gain_db, pan, mute, solo, name, input, monitor)"
                .into(),
        );
    }
    chain(p, o)?;
    let mut edits = Vec::new();
    for (k, v) in pairs {
        let num = |lo: f32, hi: f32, unit: &str| -> Result<f32, MixError> {
            let n: f32 = v
                .trim_end_matches("dB")
                .trim()
                .parse()
                .map_err(|_| format!("{k} must be a number, not '{v}'"))?;
            if !n.is_finite() || n < lo || n > hi {
                return Err(format!(
                    "{k} = {v} is out of range: {k} must be {lo} … {hi}{unit}"
                ));
            }
            Ok(n)
        };
        let switch = || -> Result<bool, MixError> {
            match v.to_ascii_lowercase().as_str() {
                "on" | "true" | "1" | "yes" => Ok(true),
                "off" | "false" | "0" | "no" => Ok(false),
                _ => Err(format!("{k} must be on or off, not '{v}'")),
            }
        };
        let id = match o {
            Owner::Master => {
                if k != "gain_db" {
                    return Err(format!("the master has only gain_db, not '{k}'"));
                }
                edits.push(Edit::SetMasterGain(num(MIN_DB, MAX_DB, " dB")?));
                continue;
            }
            Owner::Track(id) => id,
        };
        let field = match k.as_str() {
            "gain_db" | "gain" => TrackField::GainDb(num(MIN_DB, MAX_DB, " dB")?),
            "pan" => TrackField::Pan(num(-1.0, 1.0, "")?),
            "mute" => TrackField::Mute(switch()?),
            "solo" => TrackField::Solo(switch()?),
            "input" | "monitor" => {
                let t = p
                    .track(id)
                    .ok_or_else(|| format!("there is no track with id {}", id.0))?;
                if t.kind != TrackKind::Audio {
                    return Err(format!(
                        "track '{}' is a {} track: only audio tracks record an input",
                        t.name,
                        t.kind.as_str()
                    ));
                }
                if k == "monitor" {
                    TrackField::Monitor(v.parse()?)
                } else if v.trim().eq_ignore_ascii_case("default") {
                    TrackField::Input(None)
                } else {
                    TrackField::Input(Some(v.parse()?))
                }
            }
            "name" => {
                if v.trim().is_empty() {
                    return Err("a track needs a name".into());
                }
                if v.chars().any(|c| c.is_control()) || v.chars().count() > 256 {
                    return Err(
                        "a track name is at most 256 characters, none of them control characters"
                            .into(),
                    );
                }
                TrackField::Name(v.clone())
            }
            _ => {
                return Err(format!(
                    "a track has no setting '{k}'; the settings are gain_db, pan, mute, solo, name, input, monitor"
                ))
            }
        };
        edits.push(Edit::SetTrack { id, field });
    }
    Ok(batch(edits))
}

/// Deletes a track and every reference to it: sends to it (with their lanes) and sidechains
/// that listen to it. One edit.
pub fn delete_track_clean(p: &Project, id: TrackId) -> Result<Edit, MixError> {
    p.track(id)
        .ok_or_else(|| format!("there is no track with id {}", id.0))?;
    let mut edits = Vec::new();
    for t in p.tracks.iter().filter(|t| t.id != id) {
        if t.sends.iter().any(|s| s.to == id) {
            edits.push(remove_send(p, t.id, id)?);
        }
    }
    let owners = p
        .tracks
        .iter()
        .filter(|t| t.id != id)
        .map(|t| Owner::Track(t.id))
        .chain(std::iter::once(Owner::Master));
    for o in owners {
        let c = chain(p, o)?;
        let mut changed = false;
        let mut new = c.to_vec();
        for e in &mut new {
            if let Some(spec) = fx::kind(&e.kind) {
                for ps in spec.params.iter().filter(|ps| ps.unit == Unit::Track) {
                    if e.params.get(&ps.name).and_then(|v| ps.number(v)) == Some(id.0 as f64) {
                        e.params.insert(ps.name.clone(), ParamValue::Number(0.0));
                        changed = true;
                    }
                }
            }
        }
        if changed {
            edits.push(set_chain(o, new));
        }
    }
    edits.push(Edit::RemoveTrack { id });
    Ok(batch(edits))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> Project {
        let mut p = Project::new("t", 48_000, 120.0);
        p.tracks
            .push(Track::new(TrackId(1), "Drums", TrackKind::Audio));
        p.tracks
            .push(Track::new(TrackId(2), "Verb", TrackKind::Bus));
        p
    }

    fn pairs(s: &[(&str, &str)]) -> Vec<(String, String)> {
        s.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn replacing_a_lane_keeps_its_place_and_its_off_switch() {
        let mut p = project();
        let o = resolve(&p, "drums").unwrap();
        for t in ["gain", "pan"] {
            let target = parse_target(&p, o, t).unwrap();
            set_points(&p, o, &target, &[AutomationPoint::new(0.0, 0.0)])
                .unwrap()
                .apply(&mut p)
                .unwrap();
        }
        p.tracks[0].automation[0].enabled = false;
        let gain = parse_target(&p, o, "gain").unwrap();
        let pts = vec![
            AutomationPoint::new(4.0, -6.0),
            AutomationPoint::new(0.0, -3.0),
        ];
        replace_lane(&p, o, &gain, pts)
            .unwrap()
            .apply(&mut p)
            .unwrap();
        let lanes = &p.tracks[0].automation;
        assert_eq!(lanes[0].target, gain, "the gain lane stays first");
        assert!(!lanes[0].enabled, "a lane switched off stays off");
        let beats: Vec<f64> = lanes[0].points.iter().map(|x| x.beat).collect();
        assert_eq!(beats, [0.0, 4.0]);
        // No points: the lane goes.
        replace_lane(&p, o, &gain, Vec::new())
            .unwrap()
            .apply(&mut p)
            .unwrap();
        assert_eq!(p.tracks[0].automation.len(), 1);
    }

    #[test]
    fn add_set_move_bypass_remove_and_undo() {
        let mut p = project();
        let o = resolve(&p, "drums").unwrap();
        let (e, id) = add_effect(&p, o, "compressor", &pairs(&[("ratio", "8")]), None).unwrap();
        let before = p.clone();
        let undo = e.apply(&mut p).unwrap();
        assert_eq!(id, FxId(1));
        p.validate().unwrap();
        let c = &p.tracks[0].effects[0];
        assert_eq!(c.params["ratio"], ParamValue::Number(8.0));
        assert_eq!(c.params["detector"], ParamValue::Text("peak".into()));
        let (e2, id2) = add_effect(&p, o, "gate", &[], None).unwrap();
        e2.apply(&mut p).unwrap();
        move_effect(&p, o, id2, 1).unwrap().apply(&mut p).unwrap();
        assert_eq!(p.tracks[0].effects[0].id, id2);
        bypass_effect(&p, o, id, true)
            .unwrap()
            .apply(&mut p)
            .unwrap();
        assert!(p.tracks[0].effects[1].bypass);
        let target = parse_target(&p, o, "fx:1:threshold_db").unwrap();
        set_points(&p, o, &target, &[AutomationPoint::new(0.0, -30.0)])
            .unwrap()
            .apply(&mut p)
            .unwrap();
        p.validate().unwrap();
        remove_effect(&p, o, id).unwrap().apply(&mut p).unwrap();
        assert!(p.tracks[0].automation.is_empty());
        p.validate().unwrap();
        // The first edit's inverse, on the project it made, gives back the original.
        let mut q = before.clone();
        let (e, _) = add_effect(&q, o, "compressor", &pairs(&[("ratio", "8")]), None).unwrap();
        e.apply(&mut q).unwrap();
        undo.apply(&mut q).unwrap();
        assert_eq!(q, before);
    }

    #[test]
    fn bad_values_are_refused_with_the_range() {
        let p = project();
        let o = Owner::Track(TrackId(1));
        let e = add_effect(&p, o, "compressor", &pairs(&[("ratio", "50")]), None).unwrap_err();
        assert!(e.contains("1 … 20"), "{e}");
        let e = add_effect(&p, o, "flanger", &[], None).unwrap_err();
        assert!(e.contains("eq, compressor"), "{e}");
        let e = set_effect_params(&p, o, FxId(9), &pairs(&[("mix", "1")])).unwrap_err();
        assert!(e.contains("no effect 9"), "{e}");
        let e = resolve(&p, "Bass").unwrap_err();
        assert!(e.contains("Drums, Verb"), "{e}");
        assert!(set_send(&p, TrackId(1), TrackId(1), None, None).is_err());
        let e = set_track(&p, o, &pairs(&[("pan", "2")])).unwrap_err();
        assert!(e.contains("-1 … 1"), "{e}");
    }

    #[test]
    fn sends_and_sidechains_go_with_their_bus() {
        let mut p = project();
        set_send(&p, TrackId(1), TrackId(2), Some(-6.0), Some(true))
            .unwrap()
            .apply(&mut p)
            .unwrap();
        assert_eq!(p.tracks[0].sends[0].level_db, -6.0);
        assert!(p.tracks[0].sends[0].pre_fader);
        set_send(&p, TrackId(1), TrackId(2), Some(-3.0), None)
            .unwrap()
            .apply(&mut p)
            .unwrap();
        assert_eq!(p.tracks[0].sends.len(), 1);
        assert!(p.tracks[0].sends[0].pre_fader);
        let t = parse_target(&p, Owner::Track(TrackId(1)), "send:Verb").unwrap();
        set_points(
            &p,
            Owner::Track(TrackId(1)),
            &t,
            &[AutomationPoint::new(4.0, -12.0)],
        )
        .unwrap()
        .apply(&mut p)
        .unwrap();
        let (e, _) = add_effect(
            &p,
            Owner::Master,
            "compressor",
            &pairs(&[("sidechain", "Verb")]),
            None,
        )
        .unwrap();
        e.apply(&mut p).unwrap();
        p.validate().unwrap();
        delete_track_clean(&p, TrackId(2))
            .unwrap()
            .apply(&mut p)
            .unwrap();
        p.validate().unwrap();
        assert!(p.tracks[0].sends.is_empty() && p.tracks[0].automation.is_empty());
    }
}
