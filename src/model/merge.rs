//! Three-way merge of projects: what a session changed since it loaded `project.toml` (mine)
//! combined with what another writer saved meanwhile (theirs), against the version both
//! started from (base). Used so that a second writer's work is merged instead of silently
//! overwritten, and refused — never dropped — when both changed the same thing differently.
//!
//! Values are compared field by field through their serde form, so a field added to the model
//! later is merged without touching this file. Tracks are matched by id, clips by id inside a
//! track; a clip's content (its notes or its audio region) is one value. Tables (the master
//! bus, an instrument) merge key by key; lists (effects, sends, markers) are single values.

use super::types::{AutomationTarget, ClipId, FxId, Project, TrackId};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// Both sides changed the same thing to different values; `what` names it
/// ("track 'Bass' gain_db", "tempo", "clip 3 of track 'Keys'").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub what: String,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "both changed {}", self.what)
    }
}

impl std::error::Error for Conflict {}

fn conflict(what: impl Into<String>) -> Conflict {
    Conflict { what: what.into() }
}

/// Merges `mine` and `theirs`, both edited from `base`. A field changed on one side only takes
/// that side's value; changed on both to the same value is fine; changed on both to different
/// values is a [`Conflict`]. A track or clip added on both sides under the same id keeps
/// theirs under that id and gets a fresh id on my side, so both survive. The result is
/// validated: a merge that would be invalid is a conflict too.
pub fn three_way(base: &Project, mine: &Project, theirs: &Project) -> Result<Project, Conflict> {
    if mine == theirs || theirs == base {
        return Ok(mine.clone());
    }
    if mine == base {
        return Ok(theirs.clone());
    }
    let mine = renumber_collisions(base, mine, theirs);
    let b = to_value(base)?;
    let m = to_value(&mine)?;
    let t = to_value(theirs)?;
    let (Value::Object(b), Value::Object(m), Value::Object(t)) = (b, m, t) else {
        return Err(conflict("the project (not a table)"));
    };
    let mut out = Map::new();
    for key in keys(&b, &m, &t) {
        let (bv, mv, tv) = (b.get(&key), m.get(&key), t.get(&key));
        let merged = if key == "track" {
            Some(merge_list(
                bv,
                mv,
                tv,
                &|v| track_label(v),
                &|b, m, t, label| merge_track(b, m, t, label),
            )?)
        } else {
            merge_value(bv, mv, tv, &key)?
        };
        if let Some(v) = merged {
            out.insert(key, v);
        }
    }
    let merged: Project = serde_json::from_value(Value::Object(out))
        .map_err(|e| conflict(format!("the project (the merge does not read back: {e})")))?;
    merged
        .validate()
        .map_err(|e| conflict(format!("the project (the merge is not valid: {e})")))?;
    Ok(merged)
}

/// One line on what `theirs` changed relative to `base` ("track 'Drums' added, tempo"), for
/// the status line after a merge.
pub fn describe(base: &Project, theirs: &Project) -> String {
    let mut parts = Vec::new();
    let base_ids: HashMap<TrackId, &super::Track> = base.tracks.iter().map(|t| (t.id, t)).collect();
    for t in &theirs.tracks {
        match base_ids.get(&t.id) {
            None => parts.push(format!("track '{}' added", t.name)),
            Some(b) if *b != t => parts.push(format!("track '{}' changed", t.name)),
            _ => {}
        }
    }
    for b in &base.tracks {
        if theirs.track(b.id).is_none() {
            parts.push(format!("track '{}' removed", b.name));
        }
    }
    if base.tempo != theirs.tempo {
        parts.push("tempo".into());
    }
    if base.name != theirs.name {
        parts.push("name".into());
    }
    if parts.is_empty() {
        parts.push("project settings".into());
    }
    parts.join(", ")
}

fn to_value(p: &Project) -> Result<Value, Conflict> {
    serde_json::to_value(p).map_err(|e| conflict(format!("the project (cannot compare: {e})")))
}

/// Keys of three tables, base's order first, then mine's, then theirs'.
fn keys(b: &Map<String, Value>, m: &Map<String, Value>, t: &Map<String, Value>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for k in b.keys().chain(m.keys()).chain(t.keys()) {
        if seen.insert(k.clone()) {
            out.push(k.clone());
        }
    }
    out
}

/// The three-way rule for one value (`None` = absent), recursing into tables.
fn merge_value(
    b: Option<&Value>,
    m: Option<&Value>,
    t: Option<&Value>,
    what: &str,
) -> Result<Option<Value>, Conflict> {
    if m == t || t == b {
        return Ok(m.cloned());
    }
    if m == b {
        return Ok(t.cloned());
    }
    if let (Some(Value::Object(b)), Some(Value::Object(m)), Some(Value::Object(t))) = (b, m, t) {
        let mut out = Map::new();
        for key in keys(b, m, t) {
            let sub = format!("{what} {key}");
            if let Some(v) = merge_value(b.get(&key), m.get(&key), t.get(&key), &sub)? {
                out.insert(key, v);
            }
        }
        return Ok(Some(Value::Object(out)));
    }
    Err(conflict(what.replace('_', " ")))
}

type Label = dyn Fn(&Value) -> String;
type MergeItem = dyn Fn(&Value, &Value, &Value, &str) -> Result<Value, Conflict>;

/// Merges lists of tables identified by their `id` key. Items removed on one side and
/// unchanged on the other are removed; removed on one side and changed on the other is a
/// conflict. The order is theirs when mine kept base's order, else mine; items added on the
/// other side follow the item they follow there.
fn merge_list(
    b: Option<&Value>,
    m: Option<&Value>,
    t: Option<&Value>,
    label: &Label,
    item: &MergeItem,
) -> Result<Value, Conflict> {
    let empty = Vec::new();
    let list = |v: Option<&Value>| match v {
        Some(Value::Array(a)) => a.clone(),
        _ => empty.clone(),
    };
    let (b, m, t) = (list(b), list(m), list(t));
    let by_id = |l: &[Value]| -> HashMap<u64, Value> {
        l.iter()
            .filter_map(|v| {
                v.get("id")
                    .and_then(Value::as_u64)
                    .map(|id| (id, v.clone()))
            })
            .collect()
    };
    let ids = |l: &[Value]| -> Vec<u64> {
        l.iter()
            .filter_map(|v| v.get("id").and_then(Value::as_u64))
            .collect()
    };
    let (bm, mm, tm) = (by_id(&b), by_id(&m), by_id(&t));
    let mut merged: HashMap<u64, Value> = HashMap::new();
    for (id, bv) in &bm {
        match (mm.get(id), tm.get(id)) {
            (None, None) => {}
            (Some(mv), None) if mv == bv => {}
            (None, Some(tv)) if tv == bv => {}
            (Some(mv), None) => {
                return Err(conflict(format!(
                    "{} (changed here, removed on disk)",
                    label(mv)
                )))
            }
            (None, Some(tv)) => {
                return Err(conflict(format!(
                    "{} (removed here, changed on disk)",
                    label(tv)
                )))
            }
            (Some(mv), Some(tv)) => {
                merged.insert(*id, item(bv, mv, tv, &label(mv))?);
            }
        }
    }
    for (id, v) in mm.iter().chain(tm.iter()) {
        if !bm.contains_key(id) {
            // Same id added on both sides only when equal (renumber_collisions saw to it).
            merged.entry(*id).or_insert_with(|| v.clone());
        }
    }
    let base_ids = ids(&b);
    let mine_ids = ids(&m);
    let theirs_ids = ids(&t);
    let mine_kept_order = mine_ids
        .iter()
        .filter(|id| bm.contains_key(id))
        .eq(base_ids.iter().filter(|id| mm.contains_key(id)));
    let (primary, other) = if mine_kept_order {
        (&theirs_ids, &mine_ids)
    } else {
        (&mine_ids, &theirs_ids)
    };
    let mut order: Vec<u64> = primary
        .iter()
        .copied()
        .filter(|id| merged.contains_key(id))
        .collect();
    for (i, id) in other.iter().enumerate() {
        if order.contains(id) || !merged.contains_key(id) {
            continue;
        }
        let after = other[..i]
            .iter()
            .rev()
            .find_map(|p| order.iter().position(|o| o == p));
        order.insert(after.map_or(0, |p| p + 1), *id);
    }
    Ok(Value::Array(
        order
            .into_iter()
            .filter_map(|id| merged.remove(&id))
            .collect(),
    ))
}

fn track_label(v: &Value) -> String {
    match v.get("name").and_then(Value::as_str) {
        Some(n) => format!("track '{n}'"),
        None => "a track".into(),
    }
}

fn merge_track(b: &Value, m: &Value, t: &Value, label: &str) -> Result<Value, Conflict> {
    let (Value::Object(bo), Value::Object(mo), Value::Object(to)) = (b, m, t) else {
        return merge_value(Some(b), Some(m), Some(t), label)?
            .ok_or_else(|| conflict(label.to_string()));
    };
    let mut out = Map::new();
    for key in keys(bo, mo, to) {
        let (bv, mv, tv) = (bo.get(&key), mo.get(&key), to.get(&key));
        let merged = if key == "clip" {
            let track = label.to_string();
            Some(merge_list(
                bv,
                mv,
                tv,
                &move |c| match c.get("id").and_then(Value::as_u64) {
                    Some(id) => format!("clip {id} of {track}"),
                    None => format!("a clip of {track}"),
                },
                &|b, m, t, l| {
                    merge_value(Some(b), Some(m), Some(t), l)?
                        .ok_or_else(|| conflict(l.to_string()))
                },
            )?)
        } else {
            merge_value(bv, mv, tv, &format!("{label} {key}"))?
        };
        if let Some(v) = merged {
            out.insert(key, v);
        }
    }
    Ok(Value::Object(out))
}

/// Gives my new tracks and clips fresh ids where theirs added different ones under the same
/// id (both sides number new things max + 1), and points my sends at the new track ids.
fn renumber_collisions(base: &Project, mine: &Project, theirs: &Project) -> Project {
    let mut out = mine.clone();
    let base_tracks: BTreeSet<TrackId> = base.tracks.iter().map(|t| t.id).collect();
    let base_clips: BTreeSet<ClipId> = base
        .tracks
        .iter()
        .flat_map(|t| t.clips.iter().map(|c| c.id))
        .collect();
    let theirs_clips: HashMap<ClipId, (TrackId, &super::Clip)> = theirs
        .tracks
        .iter()
        .flat_map(|t| t.clips.iter().map(move |c| (c.id, (t.id, c))))
        .collect();
    let mut next_track = mine
        .tracks
        .iter()
        .chain(&theirs.tracks)
        .map(|t| t.id.0)
        .max()
        .unwrap_or(0)
        + 1;
    let mut next_clip = mine
        .tracks
        .iter()
        .chain(&theirs.tracks)
        .flat_map(|t| t.clips.iter().map(|c| c.id.0))
        .max()
        .unwrap_or(0)
        + 1;
    let mut track_map: HashMap<TrackId, TrackId> = HashMap::new();
    for track in &mut out.tracks {
        if base_tracks.contains(&track.id) {
            continue;
        }
        if let Some(theirs_track) = theirs.track(track.id) {
            if theirs_track != track {
                track_map.insert(track.id, TrackId(next_track));
                track.id = TrackId(next_track);
                next_track += 1;
            }
        }
    }
    for track in &mut out.tracks {
        let track_id = track.id;
        for send in &mut track.sends {
            if let Some(new) = track_map.get(&send.to) {
                send.to = *new;
            }
        }
        for clip in &mut track.clips {
            if base_clips.contains(&clip.id) {
                continue;
            }
            // The same clip in the same track is one clip; anything else needs its own id.
            if theirs_clips
                .get(&clip.id)
                .is_some_and(|(t, c)| *t != track_id || *c != clip)
            {
                clip.id = ClipId(next_clip);
                next_clip += 1;
            }
        }
    }
    renumber_effects(base, &mut out, theirs);
    out
}

/// Effect ids are unique over the project, and both sides number a new effect max + 1: my
/// new effects whose id theirs gave to a different effect (or put on another chain) take fresh
/// ids, and my automation lanes on them follow.
fn renumber_effects(base: &Project, out: &mut Project, theirs: &Project) {
    let base_fx: BTreeSet<FxId> = base.all_effects().map(|e| e.id).collect();
    let mut theirs_fx: HashMap<FxId, (Option<TrackId>, &super::Effect)> = HashMap::new();
    for t in &theirs.tracks {
        for e in &t.effects {
            theirs_fx.insert(e.id, (Some(t.id), e));
        }
    }
    for e in &theirs.master.effects {
        theirs_fx.insert(e.id, (None, e));
    }
    let mut next = out
        .all_effects()
        .chain(theirs.all_effects())
        .map(|e| e.id.0)
        .max()
        .unwrap_or(0)
        + 1;
    let chains = out
        .tracks
        .iter_mut()
        .map(|t| (Some(t.id), &mut t.effects, &mut t.automation))
        .chain(std::iter::once((
            None,
            &mut out.master.effects,
            &mut out.master.automation,
        )));
    for (owner, effects, lanes) in chains {
        for e in effects.iter_mut() {
            if base_fx.contains(&e.id) {
                continue;
            }
            let clash = theirs_fx
                .get(&e.id)
                .is_some_and(|(o, theirs_e)| *o != owner || **theirs_e != *e);
            if clash {
                let new = FxId(next);
                next += 1;
                for lane in lanes.iter_mut() {
                    if let AutomationTarget::Fx(id, _) = &mut lane.target {
                        if *id == e.id {
                            *id = new;
                        }
                    }
                }
                e.id = new;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn midi_track(id: u64, name: &str, clip: u64) -> Track {
        let mut t = Track::new(TrackId(id), name, TrackKind::Midi);
        t.clips.push(Clip {
            id: ClipId(clip),
            name: String::new(),
            start: 0.0,
            lane: 0,
            take: None,
            content: ClipContent::Midi(MidiClip {
                offset: 0.0,
                controllers: Vec::new(),
                length: 4.0,
                notes: vec![],
            }),
        });
        t
    }

    fn base() -> Project {
        let mut p = Project::new("song", 48_000, 120.0);
        p.tracks.push(midi_track(1, "Keys", 1));
        p.tracks.push(midi_track(2, "Bass", 2));
        p
    }

    #[test]
    fn effects_added_on_both_sides_under_the_same_id_keep_both() {
        use crate::model::mixer::{add_effect, set_points, Owner};
        let b = base();
        let (t1, t2) = (b.tracks[0].id, b.tracks[1].id);
        let mut mine = b.clone();
        let (e, id) = add_effect(&mine, Owner::Track(t1), "gate", &[], None).unwrap();
        e.apply(&mut mine).unwrap();
        let target = AutomationTarget::Fx(id, "threshold_db".into());
        set_points(
            &mine,
            Owner::Track(t1),
            &target,
            &[AutomationPoint::new(0.0, -30.0)],
        )
        .unwrap()
        .apply(&mut mine)
        .unwrap();
        let mut theirs = b.clone();
        let (e, their_id) = add_effect(&theirs, Owner::Track(t2), "reverb", &[], None).unwrap();
        e.apply(&mut theirs).unwrap();
        assert_eq!(id, their_id, "both sides number the new effect the same");
        let m = three_way(&b, &mine, &theirs).unwrap();
        m.validate().unwrap();
        let gate = &m.track(t1).unwrap().effects[0];
        assert_ne!(gate.id, their_id);
        assert_eq!(m.track(t2).unwrap().effects[0].id, their_id);
        assert_eq!(
            m.track(t1).unwrap().automation[0].target,
            AutomationTarget::Fx(gate.id, "threshold_db".into())
        );
    }

    #[test]
    fn one_sided_changes_combine() {
        let b = base();
        let mut m = b.clone();
        m.tracks[0].gain_db = -6.0;
        let mut t = b.clone();
        t.tracks[1].pan = 0.5;
        t.tempo = TempoMap::constant(90.0);
        let r = three_way(&b, &m, &t).unwrap();
        assert_eq!(r.tracks[0].gain_db, -6.0);
        assert_eq!(r.tracks[1].pan, 0.5);
        assert_eq!(r.tempo.initial_bpm(), 90.0);
    }

    #[test]
    fn both_adding_a_track_under_the_same_id_keeps_both() {
        let b = base();
        let mut m = b.clone();
        m.tracks.push(midi_track(3, "Mine", 3));
        let mut t = b.clone();
        t.tracks.push(midi_track(3, "Theirs", 3));
        let r = three_way(&b, &m, &t).unwrap();
        let names: Vec<_> = r.tracks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Keys", "Bass", "Mine", "Theirs"]);
        assert_eq!(r.track(TrackId(3)).unwrap().name, "Theirs");
        assert_eq!(r.track(TrackId(4)).unwrap().name, "Mine");
        assert_eq!(r.track(TrackId(4)).unwrap().clips[0].id, ClipId(4));
    }

    #[test]
    fn the_same_field_changed_differently_is_a_conflict() {
        let b = base();
        let mut m = b.clone();
        m.tracks[1].gain_db = -3.0;
        let mut t = b.clone();
        t.tracks[1].gain_db = -9.0;
        let e = three_way(&b, &m, &t).unwrap_err();
        assert_eq!(e.to_string(), "both changed track 'Bass' gain db");
        // Removed here, edited there: a conflict, not a silent loss.
        let mut m = b.clone();
        m.tracks.remove(0);
        let mut t = b.clone();
        t.tracks[0].mute = true;
        let e = three_way(&b, &m, &t).unwrap_err();
        assert!(e.what.contains("track 'Keys'"), "{e}");
        // Notes are a clip's content: both editing one clip's notes conflicts.
        let mut m = b.clone();
        let mut t = b.clone();
        for (p, pitch) in [(&mut m, 60), (&mut t, 62)] {
            if let ClipContent::Midi(c) = &mut p.tracks[0].clips[0].content {
                c.notes.push(Note {
                    pitch,
                    start: 0.0,
                    length: 1.0,
                    velocity: 100,
                    channel: 0,
                });
            }
        }
        let e = three_way(&b, &m, &t).unwrap_err();
        assert!(e.what.contains("clip 1 of track 'Keys'"), "{e}");
    }

    #[test]
    fn removals_and_moves_merge() {
        let b = base();
        let mut m = b.clone();
        m.tracks.remove(1);
        let mut t = b.clone();
        t.tracks.swap(0, 1);
        t.tracks.push(midi_track(3, "Drums", 3));
        let r = three_way(&b, &m, &t).unwrap();
        let names: Vec<_> = r.tracks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Keys", "Drums"]);
    }
}
