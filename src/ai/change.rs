//! Change sets: the tool calls of one reply, applied in order to a copy of the project (a
//! later call sees what an earlier one made: `write_clip` on the track `add_track` added),
//! all or nothing, as ONE [`Edit::Batch`] — one undo step. The set is shown as a readable diff
//! (what is added, changed, removed; computed from the project before and after, so it shows
//! what the edit does, not what the calls claim) and refused when the project changed since it
//! was built ([`ChangeSet::still_applies`]).

use super::{tools, ToolCall};
use crate::model::mixer::{self, Owner};
use crate::model::{
    fx, AutomationLane, Clip, ClipContent, Edit, Effect, Project, Send, Track, TrackId, TrackKind,
};
use serde::Serialize;
use serde_json::Value;

/// What a diff line does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Add,
    Change,
    Remove,
}

impl Op {
    /// `+`, `~`, `-`.
    pub fn sign(self) -> char {
        match self {
            Op::Add => '+',
            Op::Change => '~',
            Op::Remove => '-',
        }
    }
}

/// One line of a change set's diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    pub op: Op,
    /// What kind of thing: `track`, `clip`, `effect`, `send`, `automation`, `tempo`, `key`,
    /// `time signature`, `master`.
    pub what: &'static str,
    /// The line without its sign: "track 'Chords' (MIDI, Acoustic Grand Piano (GM 0))".
    pub text: String,
}

impl std::fmt::Display for DiffLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.op.sign(), self.text)
    }
}

/// The calls of one reply, as one edit of the project they were built on.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    calls: Vec<ToolCall>,
    edit: Edit,
    /// The project the set was built on (what [`ChangeSet::still_applies`] compares with).
    base: Project,
    /// The project with the set applied.
    after: Project,
    diff: Vec<DiffLine>,
}

/// The sentence a stale change set is refused with.
pub const STALE: &str =
    "the project changed since this change was proposed; nothing was applied (ask again)";

impl ChangeSet {
    /// Applies `calls` in order to a copy of `project`: every editing call through
    /// [`tools::edit_for`] on the project as the earlier calls left it (reading calls are
    /// skipped). The first refusal refuses the whole set, naming the call's position and tool;
    /// the result must still be a valid project.
    pub fn build(project: &Project, calls: &[ToolCall]) -> Result<ChangeSet, String> {
        let mut work = project.clone();
        let mut edits = Vec::new();
        let mut kept = Vec::new();
        let n = calls.len();
        for (i, call) in calls.iter().enumerate() {
            if tools::find(&call.name).is_some_and(|d| !d.edits) {
                continue;
            }
            let refused =
                |e: String| format!("call {} of {n} refused, nothing changed: {e}", i + 1);
            let edit = tools::edit_for(&work, call).map_err(refused)?;
            edit.clone()
                .apply(&mut work)
                .map_err(|e| refused(format!("{}: {e}", call.name)))?;
            edits.push(edit);
            kept.push(call.clone());
        }
        if project.validate().is_ok() {
            if let Err(e) = work.validate() {
                return Err(format!(
                    "the change would make the project invalid ({e}); nothing changed"
                ));
            }
        }
        let diff = diff(project, &work);
        Ok(ChangeSet {
            calls: kept,
            edit: Edit::Batch(edits),
            base: project.clone(),
            after: work,
            diff,
        })
    }

    /// The editing calls the set is made of.
    pub fn calls(&self) -> &[ToolCall] {
        &self.calls
    }

    /// True when the set changes nothing (no editing calls, or calls that change nothing).
    pub fn is_empty(&self) -> bool {
        self.base == self.after
    }

    /// The one edit (an [`Edit::Batch`]) that makes the change: one undo step.
    pub fn edit(&self) -> Edit {
        self.edit.clone()
    }

    /// The project as it is after the change.
    pub fn result(&self) -> &Project {
        &self.after
    }

    /// Whether `current` is still the project the set was built on.
    pub fn still_applies(&self, current: &Project) -> bool {
        *current == self.base
    }

    /// The edit for `current`, or [`STALE`] when the project changed since the set was built.
    pub fn edit_for(&self, current: &Project) -> Result<Edit, String> {
        if self.still_applies(current) {
            Ok(self.edit())
        } else {
            Err(STALE.to_string())
        }
    }

    /// The diff's lines: additions, then changes, then removals.
    pub fn diff(&self) -> &[DiffLine] {
        &self.diff
    }

    /// The diff as text, one line each ("+ track 'Bass' (MIDI, …)").
    pub fn diff_text(&self) -> String {
        if self.diff.is_empty() {
            return "(no change)\n".into();
        }
        self.diff.iter().map(|l| format!("{l}\n")).collect()
    }

    /// The diff for `--json`: `[{"op": "add"|"change"|"remove", "what", "text"}]`.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(&self.diff).unwrap_or(Value::Array(Vec::new()))
    }
}

// ---- Diff ------------------------------------------------------------------------------------

/// The readable differences from `before` to `after`: additions, changes, removals.
pub fn diff(before: &Project, after: &Project) -> Vec<DiffLine> {
    let mut out = Vec::new();
    let mut line = |op, what, text: String| out.push(DiffLine { op, what, text });
    if before.tempo != after.tempo {
        line(
            Op::Change,
            "tempo",
            format!("tempo {} → {}", tempo_text(before), tempo_text(after)),
        );
    }
    if before.key != after.key {
        let k = |p: &Project| p.key.map_or("none".to_string(), |k| k.to_string());
        line(
            Op::Change,
            "key",
            format!("key {} → {}", k(before), k(after)),
        );
    }
    if before.time_signature != after.time_signature {
        line(
            Op::Change,
            "time signature",
            format!(
                "time signature {} → {}",
                before.time_signature, after.time_signature
            ),
        );
    }
    if before.master.gain_db != after.master.gain_db {
        line(
            Op::Change,
            "master",
            format!(
                "master gain {} → {} dB",
                db(before.master.gain_db),
                db(after.master.gain_db)
            ),
        );
    }
    chain_diff(
        before,
        after,
        &before.master.effects,
        &after.master.effects,
        "master",
        &mut line,
    );
    lanes_diff(
        before,
        after,
        &before.master.automation,
        &after.master.automation,
        "master",
        &mut line,
    );
    for t in &after.tracks {
        match before.track(t.id) {
            None => {
                line(
                    Op::Add,
                    "track",
                    format!("track '{}' ({})", t.name, track_kind(t)),
                );
                // What came with the new track, seen as additions to an empty one.
                let empty = Track {
                    clips: Vec::new(),
                    effects: Vec::new(),
                    sends: Vec::new(),
                    automation: Vec::new(),
                    ..t.clone()
                };
                track_diff(before, after, &empty, t, &mut line);
            }
            Some(b) => track_diff(before, after, b, t, &mut line),
        }
    }
    for b in &before.tracks {
        if after.track(b.id).is_none() {
            let clips = b.clips.len();
            line(
                Op::Remove,
                "track",
                format!(
                    "track '{}' ({}, {clips} clip{})",
                    b.name,
                    track_kind(b),
                    plural(clips)
                ),
            );
        }
    }
    // Grouped: additions, changes, removals (the order inside each group is kept).
    out.sort_by_key(|l| l.op);
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn db(v: f32) -> String {
    fx::fmt_num(v as f64)
}

fn tempo_text(p: &Project) -> String {
    let c = p.tempo.changes();
    match c.len() {
        0 | 1 => fx::fmt_num(p.tempo.initial_bpm()),
        n => format!(
            "{} (and {} change{})",
            fx::fmt_num(p.tempo.initial_bpm()),
            n - 1,
            plural(n - 1)
        ),
    }
}

fn track_kind(t: &Track) -> String {
    match t.kind {
        TrackKind::Midi => match &t.instrument {
            Some(i) => format!("MIDI, {}", super::context::instrument_text(i)),
            None => "MIDI".into(),
        },
        TrackKind::Audio => "audio".into(),
        TrackKind::Bus => "bus".into(),
    }
}

/// "bar 1", "bar 3 beat 2", "beat 5.5" (off the beat grid).
fn position(p: &Project, beat: f64) -> String {
    let (bar, b, frac) = p.time_signature.bars_beats(beat);
    if frac.abs() > 1e-6 {
        format!("bar {bar} beat {}", fx::fmt_num(b as f64 + frac))
    } else if b == 1 {
        format!("bar {bar}")
    } else {
        format!("bar {bar} beat {b}")
    }
}

fn clip_text(p: &Project, c: &Clip, track: &str) -> String {
    let name = if c.name.is_empty() {
        format!("clip {}", c.id.0)
    } else {
        format!("clip '{}'", c.name)
    };
    let at = position(p, c.start);
    match &c.content {
        ClipContent::Midi(m) => {
            let notes = m.notes.iter().filter(|n| m.plays(n)).count();
            format!(
                "{name} on '{track}' at {at}, {} beats, {notes} note{}",
                fx::fmt_num(m.length),
                plural(notes)
            )
        }
        ClipContent::Audio(a) => format!(
            "{name} on '{track}' at {at}, {} s of {}",
            fx::fmt_num(a.length),
            a.file
        ),
    }
}

type Line<'a> = dyn FnMut(Op, &'static str, String) + 'a;

fn track_diff(before: &Project, after: &Project, b: &Track, t: &Track, line: &mut Line) {
    let name = &t.name;
    if b.name != t.name {
        line(
            Op::Change,
            "track",
            format!("track '{}' renamed '{}'", b.name, t.name),
        );
    }
    let mut settings = Vec::new();
    if b.gain_db != t.gain_db {
        settings.push(format!("gain {} → {} dB", db(b.gain_db), db(t.gain_db)));
    }
    if b.pan != t.pan {
        settings.push(format!("pan {} → {}", db(b.pan), db(t.pan)));
    }
    let on = |v: bool| if v { "on" } else { "off" };
    if b.mute != t.mute {
        settings.push(format!("mute {}", on(t.mute)));
    }
    if b.solo != t.solo {
        settings.push(format!("solo {}", on(t.solo)));
    }
    if b.instrument != t.instrument {
        settings.push(format!(
            "instrument {}",
            t.instrument
                .as_ref()
                .map_or("none".into(), super::context::instrument_text)
        ));
    }
    if !settings.is_empty() {
        line(
            Op::Change,
            "track",
            format!("'{name}': {}", settings.join(", ")),
        );
    }
    // Clips by id.
    for c in &t.clips {
        match b.clip(c.id) {
            None => line(Op::Add, "clip", clip_text(after, c, name)),
            Some(old) if old != c => {
                let what = clip_change(old, c);
                line(
                    Op::Change,
                    "clip",
                    format!("{} ({what})", clip_text(after, c, name)),
                );
            }
            _ => {}
        }
    }
    for c in &b.clips {
        if t.clip(c.id).is_none() && after.find_clip(c.id).is_none() {
            line(Op::Remove, "clip", clip_text(before, c, &b.name));
        }
    }
    chain_diff(
        before,
        after,
        &b.effects,
        &t.effects,
        &format!("'{name}'"),
        line,
    );
    sends_diff(after, before, &b.sends, &t.sends, name, line);
    lanes_diff(
        before,
        after,
        &b.automation,
        &t.automation,
        &format!("'{name}'"),
        line,
    );
}

/// What changed in a clip, in words: "12 notes moved", "moved to bar 3", "notes 12 → 16".
fn clip_change(old: &Clip, new: &Clip) -> String {
    let mut parts = Vec::new();
    if old.start != new.start {
        parts.push("moved".to_string());
    }
    match (&old.content, &new.content) {
        (ClipContent::Midi(a), ClipContent::Midi(b)) => {
            if a.notes.len() != b.notes.len() {
                parts.push(format!("notes {} → {}", a.notes.len(), b.notes.len()));
            } else {
                let changed = a.notes.iter().zip(&b.notes).filter(|(x, y)| x != y).count();
                if changed > 0 {
                    parts.push(format!("{changed} note{} changed", plural(changed)));
                }
            }
            if a.length != b.length {
                parts.push(format!(
                    "length {} → {} beats",
                    fx::fmt_num(a.length),
                    fx::fmt_num(b.length)
                ));
            }
        }
        _ => parts.push("content changed".into()),
    }
    if old.name != new.name {
        parts.push("renamed".into());
    }
    if parts.is_empty() {
        "changed".into()
    } else {
        parts.join(", ")
    }
}

fn effect_params(e: &Effect) -> String {
    let Some(spec) = fx::kind(&e.kind) else {
        return String::new();
    };
    let shown: Vec<String> = e
        .params
        .iter()
        .filter_map(|(name, v)| {
            let (_, ps) = spec.param(name)?;
            let n = ps.number(v)?;
            (n != ps.default).then(|| format!("{name} {}", ps.show(n)))
        })
        .collect();
    if shown.is_empty() {
        String::new()
    } else {
        format!(": {}", shown.join(", "))
    }
}

fn chain_diff(
    _before: &Project,
    _after: &Project,
    old: &[Effect],
    new: &[Effect],
    owner: &str,
    line: &mut Line,
) {
    for e in new {
        match old.iter().find(|o| o.id == e.id) {
            None => line(
                Op::Add,
                "effect",
                format!(
                    "effect {} ({}) on {owner}{}",
                    e.id.0,
                    e.kind,
                    effect_params(e)
                ),
            ),
            Some(o) if o != e => {
                let spec = fx::kind(&e.kind);
                let mut parts: Vec<String> = Vec::new();
                let names: std::collections::BTreeSet<&String> =
                    o.params.keys().chain(e.params.keys()).collect();
                for name in names {
                    let (a, b) = (o.params.get(name), e.params.get(name));
                    if a == b {
                        continue;
                    }
                    let show = |v: Option<&crate::model::ParamValue>| -> String {
                        let ps = spec.and_then(|s| s.param(name)).map(|(_, ps)| ps);
                        match (ps, v) {
                            (Some(ps), Some(v)) => {
                                ps.number(v).map_or_else(|| "?".into(), |n| ps.show(n))
                            }
                            (Some(ps), None) => ps.show(ps.default),
                            (None, Some(v)) => serde_json::to_string(v).unwrap_or_default(),
                            (None, None) => "-".into(),
                        }
                    };
                    parts.push(format!("{name} {} → {}", show(a), show(b)));
                }
                if o.bypass != e.bypass {
                    parts.push(if e.bypass { "bypassed" } else { "engaged" }.into());
                }
                line(
                    Op::Change,
                    "effect",
                    format!(
                        "effect {} ({}) on {owner}: {}",
                        e.id.0,
                        e.kind,
                        parts.join(", ")
                    ),
                );
            }
            _ => {}
        }
    }
    for o in old {
        if !new.iter().any(|e| e.id == o.id) {
            line(
                Op::Remove,
                "effect",
                format!("effect {} ({}) on {owner}", o.id.0, o.kind),
            );
        }
    }
}

fn sends_diff(
    after: &Project,
    before: &Project,
    old: &[Send],
    new: &[Send],
    track: &str,
    line: &mut Line,
) {
    let bus = |p: &Project, id: TrackId| mixer::owner_name(p, Owner::Track(id));
    let fader = |s: &Send| if s.pre_fader { "pre" } else { "post" };
    for s in new {
        match old.iter().find(|o| o.to == s.to) {
            None => line(
                Op::Add,
                "send",
                format!(
                    "send '{track}' → '{}' at {} dB, {}-fader",
                    bus(after, s.to),
                    db(s.level_db),
                    fader(s)
                ),
            ),
            Some(o) if o != s => line(
                Op::Change,
                "send",
                format!(
                    "send '{track}' → '{}': {} dB {}-fader → {} dB {}-fader",
                    bus(after, s.to),
                    db(o.level_db),
                    fader(o),
                    db(s.level_db),
                    fader(s)
                ),
            ),
            _ => {}
        }
    }
    for o in old {
        if !new.iter().any(|s| s.to == o.to) {
            line(
                Op::Remove,
                "send",
                format!("send '{track}' → '{}'", bus(before, o.to)),
            );
        }
    }
}

fn lanes_diff(
    before: &Project,
    after: &Project,
    old: &[AutomationLane],
    new: &[AutomationLane],
    owner: &str,
    line: &mut Line,
) {
    let pts = |l: &AutomationLane| {
        let n = l.points.len();
        format!("{n} point{}", plural(n))
    };
    for l in new {
        let target = mixer::target_text(after, &l.target);
        match old.iter().find(|o| o.target == l.target) {
            None => line(
                Op::Add,
                "automation",
                format!("automation of {target} on {owner} ({})", pts(l)),
            ),
            Some(o) if o != l => line(
                Op::Change,
                "automation",
                format!("automation of {target} on {owner}: {} → {}", pts(o), pts(l)),
            ),
            _ => {}
        }
    }
    for o in old {
        if !new.iter().any(|l| l.target == o.target) {
            line(
                Op::Remove,
                "automation",
                format!(
                    "automation of {} on {owner}",
                    mixer::target_text(before, &o.target)
                ),
            );
        }
    }
}
