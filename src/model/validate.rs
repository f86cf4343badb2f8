//! Checks that a project is internally consistent: values in range, ids unique, references
//! resolvable. Errors name the field, e.g. `track[2].clip[0].gain_db`.

use super::types::*;
use std::collections::HashSet;
use thiserror::Error;

pub const MIN_BPM: f64 = 1.0;
pub const MAX_BPM: f64 = 999.0;
pub const MIN_SAMPLE_RATE: u32 = 8_000;
pub const MAX_SAMPLE_RATE: u32 = 384_000;
/// Longest project position accepted, in beats (≈ 11 hours at 120 BPM).
pub const MAX_BEAT: f64 = 80_000.0;
const MAX_GAIN_DB: f32 = 24.0;
const MIN_GAIN_DB: f32 = -144.0;
const MAX_NAME_CHARS: usize = 256;

/// A value that is out of range or inconsistent, with the path of the field.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{field}: {problem}")]
pub struct ValidationError {
    /// Where the value is, e.g. `track[1].pan`.
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

fn err(field: impl Into<String>, problem: impl Into<String>) -> ValidationError {
    ValidationError {
        field: field.into(),
        problem: problem.into(),
    }
}

fn check_range(field: &str, v: f64, lo: f64, hi: f64) -> Result<(), ValidationError> {
    if !v.is_finite() {
        return Err(err(field, format!("{v} is not a finite number")));
    }
    if v < lo || v > hi {
        return Err(err(field, format!("{v} is outside {lo}..={hi}")));
    }
    Ok(())
}

fn check_name(field: &str, name: &str) -> Result<(), ValidationError> {
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(err(
            field,
            format!("longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(|c| c.is_control()) {
        return Err(err(field, "contains control characters"));
    }
    Ok(())
}

impl Project {
    /// Checks every value and reference; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.format_version == 0 || self.format_version > super::FORMAT_VERSION {
            return Err(err(
                "format_version",
                format!(
                    "{} is not a version this tdaw reads (1..={})",
                    self.format_version,
                    super::FORMAT_VERSION
                ),
            ));
        }
        check_name("name", &self.name)?;
        if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&self.sample_rate) {
            return Err(err(
                "sample_rate",
                format!(
                    "{} Hz is outside {MIN_SAMPLE_RATE}..={MAX_SAMPLE_RATE}",
                    self.sample_rate
                ),
            ));
        }
        if self.tempo.changes().is_empty() {
            return Err(err("tempo", "needs at least one tempo"));
        }
        let mut last = f64::NEG_INFINITY;
        for (i, c) in self.tempo.changes().iter().enumerate() {
            check_range(&format!("tempo[{i}].bpm"), c.bpm, MIN_BPM, MAX_BPM)?;
            check_range(&format!("tempo[{i}].beat"), c.beat, 0.0, MAX_BEAT)?;
            if i == 0 && c.beat != 0.0 {
                return Err(err("tempo[0].beat", "the first tempo must be at beat 0"));
            }
            if c.beat <= last {
                return Err(err(
                    format!("tempo[{i}].beat"),
                    "tempo changes must be in order",
                ));
            }
            last = c.beat;
        }
        let ts = self.time_signature;
        if ts.numerator == 0 || ts.numerator > 64 {
            return Err(err(
                "time_signature.numerator",
                format!("{} is outside 1..=64", ts.numerator),
            ));
        }
        if !matches!(ts.denominator, 1 | 2 | 4 | 8 | 16 | 32) {
            return Err(err(
                "time_signature.denominator",
                format!("{} is not one of 1, 2, 4, 8, 16, 32", ts.denominator),
            ));
        }
        check_range(
            "master.gain_db",
            self.master.gain_db as f64,
            MIN_GAIN_DB as f64,
            MAX_GAIN_DB as f64,
        )?;
        if let Some(l) = &self.loop_region {
            check_range("loop.start", l.start, 0.0, MAX_BEAT)?;
            check_range("loop.end", l.end, 0.0, MAX_BEAT)?;
            if l.end <= l.start {
                return Err(err("loop.end", "must be after loop.start"));
            }
        }
        for (i, m) in self.markers.iter().enumerate() {
            check_range(&format!("markers[{i}].beat"), m.beat, 0.0, MAX_BEAT)?;
            check_name(&format!("markers[{i}].name"), &m.name)?;
        }

        let mut track_ids = HashSet::new();
        let mut clip_ids = HashSet::new();
        for (ti, t) in self.tracks.iter().enumerate() {
            let f = |name: &str| format!("track[{ti}].{name}");
            if !track_ids.insert(t.id) {
                return Err(err(f("id"), format!("{} is used by another track", t.id.0)));
            }
            check_name(&f("name"), &t.name)?;
            check_range(
                &f("gain_db"),
                t.gain_db as f64,
                MIN_GAIN_DB as f64,
                MAX_GAIN_DB as f64,
            )?;
            check_range(&f("pan"), t.pan as f64, -1.0, 1.0)?;
            if let Some(Instrument::GeneralMidi { program, .. }) = &t.instrument {
                if *program > 127 {
                    return Err(err(
                        f("instrument.program"),
                        format!("{program} is outside 0..=127"),
                    ));
                }
            }
            if let Some(a) = &t.arp {
                a.validate().map_err(|e| err(f("arp"), e))?;
            }
            if t.kind != TrackKind::Audio {
                if t.input.is_some() {
                    return Err(err(f("input"), "only an audio track records an input"));
                }
                if !t.monitor.is_auto() {
                    return Err(err(f("monitor"), "only an audio track monitors an input"));
                }
            }
            for (ci, c) in t.clips.iter().enumerate() {
                let f = |name: &str| format!("track[{ti}].clip[{ci}].{name}");
                if !clip_ids.insert(c.id) {
                    return Err(err(f("id"), format!("{} is used by another clip", c.id.0)));
                }
                check_range(&f("start"), c.start, 0.0, MAX_BEAT)?;
                if c.lane > super::takes::MAX_LANE {
                    return Err(err(
                        f("lane"),
                        format!("{} is over {}", c.lane, super::takes::MAX_LANE),
                    ));
                }
                match (&c.content, t.kind) {
                    (ClipContent::Audio(a), TrackKind::Audio) => {
                        if a.file.is_empty() {
                            return Err(err(f("file"), "is empty"));
                        }
                        check_range(&f("offset"), a.offset, 0.0, 1e6)?;
                        check_range(&f("length"), a.length, 0.0, 1e6)?;
                        if a.length <= 0.0 {
                            return Err(err(f("length"), "must be greater than 0"));
                        }
                        check_range(
                            &f("gain_db"),
                            a.gain_db as f64,
                            MIN_GAIN_DB as f64,
                            MAX_GAIN_DB as f64,
                        )?;
                        check_range(&f("fade_in"), a.fade_in, 0.0, a.length)?;
                        check_range(&f("fade_out"), a.fade_out, 0.0, a.length)?;
                    }
                    (ClipContent::Midi(m), TrackKind::Midi) => {
                        check_range(&f("length"), m.length, 0.0, MAX_BEAT)?;
                        if m.length <= 0.0 {
                            return Err(err(f("length"), "must be greater than 0"));
                        }
                        check_range(&f("offset"), m.offset, 0.0, MAX_BEAT)?;
                        for (ei, e) in m.controllers.iter().enumerate() {
                            let ef = |name: &str| {
                                format!("track[{ti}].clip[{ci}].controllers[{ei}].{name}")
                            };
                            let (lo, hi) = ControlEvent::range(e.kind);
                            if e.value < lo || e.value > hi {
                                return Err(err(
                                    ef("value"),
                                    format!("{} is outside {lo}..={hi} for {}", e.value, e.kind),
                                ));
                            }
                            if e.channel > 15 {
                                return Err(err(
                                    ef("channel"),
                                    format!("{} is outside 0..=15", e.channel),
                                ));
                            }
                            check_range(&ef("time"), e.time, 0.0, MAX_BEAT)?;
                        }
                        for (ni, n) in m.notes.iter().enumerate() {
                            let nf =
                                |name: &str| format!("track[{ti}].clip[{ci}].notes[{ni}].{name}");
                            if n.pitch > 127 {
                                return Err(err(
                                    nf("pitch"),
                                    format!("{} is outside 0..=127", n.pitch),
                                ));
                            }
                            if n.velocity == 0 || n.velocity > 127 {
                                return Err(err(
                                    nf("velocity"),
                                    format!("{} is outside 1..=127", n.velocity),
                                ));
                            }
                            if n.channel > 15 {
                                return Err(err(
                                    nf("channel"),
                                    format!("{} is outside 0..=15", n.channel),
                                ));
                            }
                            check_range(&nf("start"), n.start, 0.0, MAX_BEAT)?;
                            check_range(&nf("length"), n.length, 0.0, MAX_BEAT)?;
                            if n.length <= 0.0 {
                                return Err(err(nf("length"), "must be greater than 0"));
                            }
                        }
                    }
                    (content, kind) => {
                        let ck = match content {
                            ClipContent::Audio(_) => "an audio clip",
                            ClipContent::Midi(_) => "a MIDI clip",
                        };
                        let on = match kind {
                            TrackKind::Audio => "an audio track",
                            TrackKind::Midi => "a MIDI track",
                            TrackKind::Bus => "a bus track",
                        };
                        return Err(err(f("type"), format!("{ck} cannot sit on {on}")));
                    }
                }
            }
        }
        for (ti, t) in self.tracks.iter().enumerate() {
            for (si, s) in t.sends.iter().enumerate() {
                let f = format!("track[{ti}].sends[{si}]");
                match self.track(s.to) {
                    None => return Err(err(f + ".to", format!("no track has id {}", s.to.0))),
                    Some(b) if b.kind != TrackKind::Bus => {
                        return Err(err(f + ".to", format!("track '{}' is not a bus", b.name)))
                    }
                    Some(b) if b.id == t.id => {
                        return Err(err(f + ".to", "a track cannot send to itself"))
                    }
                    Some(_) => {}
                }
                check_range(
                    &format!("track[{ti}].sends[{si}].level_db"),
                    s.level_db as f64,
                    MIN_GAIN_DB as f64,
                    MAX_GAIN_DB as f64,
                )?;
            }
        }
        if self.bus_cycle() {
            return Err(err("sends", "buses send to each other in a loop"));
        }
        self.validate_effects()
    }

    /// Effects (known kinds checked against the registry, ids unique), sidechains and
    /// automation lanes (targets that exist, points in order and in range).
    fn validate_effects(&self) -> Result<(), ValidationError> {
        let mut ids = HashSet::new();
        let chains = self
            .tracks
            .iter()
            .enumerate()
            .map(|(ti, t)| (format!("track[{ti}]"), &t.effects, &t.automation, Some(t)))
            .chain(std::iter::once((
                "master".to_string(),
                &self.master.effects,
                &self.master.automation,
                None,
            )));
        for (owner, effects, lanes, track) in chains {
            for (ei, e) in effects.iter().enumerate() {
                let f = format!("{owner}.effects[{ei}]");
                if e.id.0 != 0 && !ids.insert(e.id) {
                    return Err(err(
                        f + ".id",
                        format!("effect id {} is used twice", e.id.0),
                    ));
                }
                // A kind this build does not know is kept and passed through.
                let Some(spec) = super::fx::kind(&e.kind) else {
                    continue;
                };
                for (name, v) in &e.params {
                    let (_, p) = spec
                        .param(name)
                        .ok_or_else(|| err(format!("{f}.params"), spec.unknown_param(name)))?;
                    p.check(v)
                        .map_err(|m| err(format!("{f}.params.{name}"), m))?;
                    if p.unit == super::fx::Unit::Track {
                        let id = p.number(v).unwrap_or(0.0) as u64;
                        if id != 0 && self.track(TrackId(id)).is_none() {
                            return Err(err(
                                format!("{f}.params.{name}"),
                                format!("no track has id {id}"),
                            ));
                        }
                    }
                }
            }
            for (li, lane) in lanes.iter().enumerate() {
                let f = format!("{owner}.automation[{li}]");
                let range = match &lane.target {
                    AutomationTarget::Gain => (MIN_GAIN_DB as f64, MAX_GAIN_DB as f64),
                    AutomationTarget::Pan if track.is_some() => (-1.0, 1.0),
                    AutomationTarget::Pan => {
                        return Err(err(f + ".target", "the master has no pan"))
                    }
                    AutomationTarget::Send(to) => {
                        if !track.is_some_and(|t| t.sends.iter().any(|s| s.to == *to)) {
                            return Err(err(
                                f + ".target",
                                format!("there is no send to track id {}", to.0),
                            ));
                        }
                        (MIN_GAIN_DB as f64, MAX_GAIN_DB as f64)
                    }
                    AutomationTarget::Fx(id, param) => {
                        let Some(e) = effects.iter().find(|e| e.id == *id) else {
                            return Err(err(
                                f + ".target",
                                format!("this chain has no effect with id {}", id.0),
                            ));
                        };
                        match super::fx::kind(&e.kind) {
                            None => (f64::NEG_INFINITY, f64::INFINITY),
                            Some(spec) => match spec.param(param) {
                                Some((_, p)) if p.automatable() => (p.min, p.max),
                                Some(_) => {
                                    return Err(err(
                                        f + ".target",
                                        format!("{} of {} cannot be automated", param, e.kind),
                                    ))
                                }
                                None => return Err(err(f + ".target", spec.unknown_param(param))),
                            },
                        }
                    }
                };
                let mut last = f64::NEG_INFINITY;
                for (pi, pt) in lane.points.iter().enumerate() {
                    let pf = |n: &str| format!("{f}.points[{pi}].{n}");
                    check_range(&pf("beat"), pt.beat, 0.0, MAX_BEAT)?;
                    if pt.beat < last {
                        return Err(err(pf("beat"), "points must be in order of beat"));
                    }
                    last = pt.beat;
                    if range.0.is_finite() {
                        check_range(&pf("value"), pt.value, range.0, range.1)?;
                    } else if !pt.value.is_finite() {
                        return Err(err(pf("value"), "not a finite number"));
                    }
                    check_range(&pf("curve"), pt.curve, -1.0, 1.0)?;
                }
            }
        }
        Ok(())
    }

    /// Whether bus sends form a cycle (which could never be processed).
    fn bus_cycle(&self) -> bool {
        // Depth-first search over bus → bus sends.
        fn visit(p: &Project, id: TrackId, stack: &mut Vec<TrackId>) -> bool {
            if stack.contains(&id) {
                return true;
            }
            stack.push(id);
            let cyc = p
                .track(id)
                .map(|t| t.sends.iter().any(|s| visit(p, s.to, stack)))
                .unwrap_or(false);
            stack.pop();
            cyc
        }
        self.tracks
            .iter()
            .any(|t| visit(self, t.id, &mut Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TempoMap;

    #[test]
    fn new_project_is_valid() {
        Project::new("x", 48_000, 120.0).validate().unwrap();
    }

    #[test]
    fn errors_name_the_field() {
        let mut p = Project::new("x", 48_000, 120.0);
        p.sample_rate = 0;
        assert_eq!(p.validate().unwrap_err().field, "sample_rate");
        let mut p = Project::new("x", 48_000, 120.0);
        p.tempo = TempoMap::constant(0.0);
        assert_eq!(p.validate().unwrap_err().field, "tempo[0].bpm");
        p.tempo = TempoMap::constant(1e9);
        assert_eq!(p.validate().unwrap_err().field, "tempo[0].bpm");
        let mut p = Project::new("x", 48_000, 120.0);
        let mut t = Track::new(TrackId(1), "a", TrackKind::Audio);
        t.pan = 2.0;
        p.tracks.push(t);
        assert_eq!(p.validate().unwrap_err().field, "track[0].pan");
    }

    #[test]
    fn send_cycles_are_rejected() {
        let mut p = Project::new("x", 48_000, 120.0);
        let mut a = Track::new(TrackId(1), "a", TrackKind::Bus);
        let mut b = Track::new(TrackId(2), "b", TrackKind::Bus);
        a.sends.push(Send {
            to: TrackId(2),
            level_db: 0.0,
            pre_fader: false,
        });
        b.sends.push(Send {
            to: TrackId(1),
            level_db: 0.0,
            pre_fader: false,
        });
        p.tracks = vec![a, b];
        assert_eq!(p.validate().unwrap_err().field, "sends");
    }
}
