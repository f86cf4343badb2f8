//! The project summary every request carries, within a size budget (ai-tools fills this in),
//! and the project as JSON for the `get_project` and `get_notes` tools.

use crate::midi::gm;
use crate::model::mixer::{self, Owner};
use crate::model::{fx, Clip, ClipContent, Effect, Instrument, Project, TrackKind};
use serde_json::{json, Value};

/// The summary's budget in bytes.
pub const BUDGET: usize = 6000;

/// A compact summary of `project` (and of the selected clip's notes and the latest figures)
/// of at most [`BUDGET`] bytes.
pub fn summarize(project: &Project, _req: &super::Request) -> String {
    format!("project \"{}\"", project.name)
}

/// A number as JSON, rounded to 4 decimals (f32 fields read as written, not 0.30000001).
fn num(n: f64) -> Value {
    json!((n * 10_000.0).round() / 10_000.0)
}

/// An instrument in words: "Acoustic Grand Piano (GM 0)", "GM drum kit", "synth pad".
pub fn instrument_text(i: &Instrument) -> String {
    match i {
        Instrument::GeneralMidi {
            drums: true,
            program,
        } => match gm::drum_kit_name(*program) {
            Some(kit) => format!("GM drums ({kit})"),
            None => "GM drums".into(),
        },
        Instrument::GeneralMidi { program, .. } => {
            format!("{} (GM {program})", gm::program_name(*program))
        }
        Instrument::Synth { preset } => format!("synth {preset}"),
    }
}

fn effect_json(e: &Effect) -> Value {
    json!({
        "id": e.id.0,
        "kind": e.kind,
        "bypass": e.bypass,
        "params": serde_json::to_value(&e.params).unwrap_or(Value::Null),
    })
}

/// A clip as JSON: id, name, start and length in beats, and (MIDI) its sounding notes in beats
/// from the clip's start.
pub fn clip_json(c: &Clip) -> Value {
    match &c.content {
        ClipContent::Midi(m) => {
            let notes: Vec<Value> = m
                .notes
                .iter()
                .filter(|n| m.plays(n))
                .map(|n| {
                    json!({
                        "pitch": n.pitch,
                        "start_beat": num(n.start - m.offset),
                        "length_beats": num(n.length),
                        "velocity": n.velocity,
                    })
                })
                .collect();
            json!({
                "id": c.id.0, "name": c.name, "type": "midi",
                "start_beat": num(c.start), "length_beats": num(m.length), "notes": notes,
            })
        }
        ClipContent::Audio(a) => json!({
            "id": c.id.0, "name": c.name, "type": "audio", "file": a.file,
            "start_beat": num(c.start), "length_seconds": num(a.length),
        }),
    }
}

/// The whole project as JSON (`get_project`): settings, then every track with its
/// instrument, levels, effects, sends, automation targets and clips (notes counted, not
/// listed: `get_notes` lists them).
pub fn project_json(p: &Project) -> Value {
    let tracks: Vec<Value> = p
        .tracks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let clips: Vec<Value> = t
                .clips
                .iter()
                .map(|c| {
                    let mut v = clip_json(c);
                    if let Some(o) = v.as_object_mut() {
                        if let Some(notes) = o.remove("notes") {
                            o.insert(
                                "notes".into(),
                                json!(notes.as_array().map_or(0, Vec::len)),
                            );
                        }
                    }
                    v
                })
                .collect();
            json!({
                "position": i + 1,
                "name": t.name,
                "kind": t.kind.as_str(),
                "instrument": t.instrument.as_ref().filter(|_| t.kind == TrackKind::Midi).map(instrument_text),
                "gain_db": num(t.gain_db as f64),
                "pan": num(t.pan as f64),
                "mute": t.mute,
                "solo": t.solo,
                "effects": t.effects.iter().map(effect_json).collect::<Vec<_>>(),
                "sends": t.sends.iter().map(|s| json!({
                    "bus": mixer::owner_name(p, Owner::Track(s.to)),
                    "db": num(s.level_db as f64),
                    "pre": s.pre_fader,
                })).collect::<Vec<_>>(),
                "automation": t.automation.iter().map(|l| json!({
                    "target": mixer::target_text(p, &l.target),
                    "points": l.points.len(),
                })).collect::<Vec<_>>(),
                "clips": clips,
            })
        })
        .collect();
    let end = p.end_beat();
    json!({
        "name": p.name,
        "tempo": p.tempo.changes().iter()
            .map(|c| json!({"beat": num(c.beat), "bpm": num(c.bpm)})).collect::<Vec<_>>(),
        "time_signature": p.time_signature.to_string(),
        "key": p.key.map(|k| k.to_string()),
        "length_beats": num(end),
        "length_seconds": num(p.tempo.beat_to_seconds(end)),
        "master": {
            "gain_db": num(p.master.gain_db as f64),
            "effects": p.master.effects.iter().map(effect_json).collect::<Vec<_>>(),
        },
        "tracks": tracks,
        "effect_kinds": fx::kinds().iter().map(|k| k.name).collect::<Vec<_>>(),
    })
}
