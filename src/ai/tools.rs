//! The assistant's tools: the project's own operations, each with a JSON schema, as the
//! providers (OpenAI `tools`, Anthropic `tools`), the MCP server (`tools/list`) and the offline
//! engine (its suggestions as calls) see them.
//!
//! An editing call becomes the [`Edit`] the shell and the TUI would make for the same change
//! (`model::ops`, `model::mixer`, `midi::ops`, `midi::quantize`): there is no second
//! implementation here, only the reading of JSON arguments, and every refusal is one sentence
//! naming the tool and the argument. Nothing is applied here; a change set
//! ([`super::change::ChangeSet`]) applies a reply's calls as one undo step.
//!
//! No tool takes a file path, and none reads or writes a file: a call can reach nothing
//! outside the project it is given.

use super::ToolCall;
use crate::midi::ops::{self as note_ops, clips_of, midi_track, notes_of};
use crate::midi::quantize::{quantize as quantize_notes, Grid, Quantize};
use crate::model::mixer::{self, Owner};
use crate::model::{
    fx, ops, AutomationPoint, ClipContent, Edit, Instrument, Key, Note, Project, TempoMap,
    TimeSignature, TrackKind, MAX_BPM, MIN_BPM,
};
use serde_json::{json, Map, Value};
use std::sync::LazyLock;

/// One tool as the providers (OpenAI `tools`, Anthropic `tools`, MCP `tools/list`) see it.
#[derive(Debug, Clone)]
pub struct ToolDef {
    pub name: &'static str,
    pub description: &'static str,
    /// JSON Schema of the arguments (an object schema).
    pub schema: serde_json::Value,
    /// True when the tool changes the project (MCP refuses these without `--allow-edit`).
    pub edits: bool,
}

/// Most notes one `write_clip` takes (a bound on what one reply can make).
pub const MAX_NOTES: usize = 20_000;
/// Most points one `automate` takes.
pub const MAX_POINTS: usize = 10_000;

const TRACK_DOC: &str =
    "a track's name or its 1-based position as a string (\"Bass\", \"2\"), or \"master\"";
const MIDI_TRACK_DOC: &str = "a MIDI track's name or its 1-based position as a string";

static DEFS: LazyLock<Vec<ToolDef>> = LazyLock::new(build_definitions);

/// Every tool, editing ones first.
pub fn definitions() -> Vec<ToolDef> {
    DEFS.clone()
}

/// The tool named `name`.
pub fn find(name: &str) -> Option<&'static ToolDef> {
    DEFS.iter().find(|d| d.name == name)
}

fn object(props: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

fn track_prop(doc: &str) -> Value {
    json!({"type": "string", "description": doc})
}

fn def(name: &'static str, edits: bool, description: &'static str, schema: Value) -> ToolDef {
    ToolDef {
        name,
        description,
        schema,
        edits,
    }
}

/// The parameters of every effect kind in one line each, for the `params` descriptions.
fn effect_params_doc() -> String {
    let mut out = String::from(
        "Parameter values by name: numbers in the parameter's unit, choices and note values as \
         strings, switches as true/false, a sidechain as a track name. Unset parameters keep \
         their defaults. Parameters per kind: ",
    );
    let kinds: Vec<String> = fx::kinds()
        .iter()
        .map(|k| {
            let params: Vec<String> = if k.name == "eq" {
                k.params[..fx::EQ_BAND_PARAMS]
                    .iter()
                    .map(|ps| format!("{} ({})", ps.name, ps.allowed_text()))
                    .chain(std::iter::once(format!(
                        "the same for bands b2_ … b{}_",
                        fx::EQ_BANDS
                    )))
                    .collect()
            } else {
                k.params
                    .iter()
                    .map(|ps| format!("{} ({})", ps.name, ps.allowed_text()))
                    .collect()
            };
            format!("{}: {}", k.name, params.join(", "))
        })
        .collect();
    out.push_str(&kinds.join("; "));
    out
}

fn build_definitions() -> Vec<ToolDef> {
    let kinds: Vec<&str> = fx::kinds().iter().map(|k| k.name).collect();
    let params_doc = effect_params_doc();
    let params = json!({
        "type": "object",
        "description": params_doc,
        "additionalProperties": {"type": ["number", "string", "boolean"]},
    });
    let note = object(
        json!({
            "pitch": {"type": "integer", "minimum": 0, "maximum": 127,
                      "description": "MIDI key number, 60 = C4; on a drum track a GM percussion key (36 kick, 38 snare, 42 closed hi-hat)"},
            "start_beat": {"type": "number", "minimum": 0,
                           "description": "quarter notes from the clip's start"},
            "length_beats": {"type": "number", "exclusiveMinimum": 0},
            "velocity": {"type": "integer", "minimum": 1, "maximum": 127,
                         "description": "default 100"},
        }),
        &["pitch", "start_beat", "length_beats"],
    );
    vec![
        def(
            "add_track",
            true,
            "Adds a track at the end of the project: an audio track, a MIDI track playing a \
             General MIDI instrument, or a bus (a track that other tracks send to).",
            object(
                json!({
                    "name": {"type": "string", "description": "the new track's name"},
                    "kind": {"type": "string", "enum": ["audio", "midi", "bus"]},
                    "instrument": {
                        "description": "MIDI tracks only: a General MIDI program 0-127 (0 piano, 33 electric bass, 48 strings, 80 square lead, 88 pad) or \"drums\" for the GM drum kit",
                        "anyOf": [
                            {"type": "integer", "minimum": 0, "maximum": 127},
                            {"type": "string", "enum": ["drums"]},
                        ],
                    },
                }),
                &["name", "kind"],
            ),
        ),
        def(
            "set_track",
            true,
            "Changes a track's mixer settings or name (the master takes gain_db only).",
            object(
                json!({
                    "track": track_prop(TRACK_DOC),
                    "gain_db": {"type": "number", "minimum": -144, "maximum": 24, "description": "fader in dB, 0 = unity"},
                    "pan": {"type": "number", "minimum": -1, "maximum": 1, "description": "-1 left, 0 centre, 1 right"},
                    "mute": {"type": "boolean"},
                    "solo": {"type": "boolean"},
                    "name": {"type": "string"},
                }),
                &["track"],
            ),
        ),
        def(
            "remove_track",
            true,
            "Removes a track with its clips, and the sends and sidechains that point at it.",
            object(json!({"track": track_prop(TRACK_DOC)}), &["track"]),
        ),
        def(
            "write_clip",
            true,
            "Writes a new MIDI clip of notes on a MIDI track. Beats are quarter notes: \
             start_beat from the song's start, the notes' start_beat from the clip's start.",
            object(
                json!({
                    "track": track_prop(MIDI_TRACK_DOC),
                    "start_beat": {"type": "number", "minimum": 0,
                                   "description": "where the clip starts, in quarter notes from the song's start (bar 2 of 4/4 is 4)"},
                    "length_beats": {"type": "number", "exclusiveMinimum": 0,
                                     "description": "default: whole bars covering the notes"},
                    "name": {"type": "string", "description": "default: the track's name"},
                    "notes": {"type": "array", "items": note, "maxItems": MAX_NOTES},
                }),
                &["track", "start_beat", "notes"],
            ),
        ),
        def(
            "set_tempo",
            true,
            "Sets one tempo for the whole song (replacing any tempo changes).",
            object(
                json!({"bpm": {"type": "number", "minimum": MIN_BPM, "maximum": MAX_BPM}}),
                &["bpm"],
            ),
        ),
        def(
            "set_key",
            true,
            "Sets the song's key, e.g. \"Am\", \"F#\", \"Bb\", \"C#m\"; \"none\" clears it.",
            object(json!({"key": {"type": "string"}}), &["key"]),
        ),
        def(
            "set_time_signature",
            true,
            "Sets the time signature, e.g. 3/4 or 6/8.",
            object(
                json!({
                    "numerator": {"type": "integer", "minimum": 1, "maximum": 64},
                    "denominator": {"type": "integer", "enum": [1, 2, 4, 8, 16, 32]},
                }),
                &["numerator", "denominator"],
            ),
        ),
        def(
            "add_effect",
            true,
            "Appends an insert effect to a track's (or the master's) chain. Effects get an id \
             (shown by get_project) that set_effect, remove_effect and automate name.",
            object(
                json!({
                    "track": track_prop(TRACK_DOC),
                    "kind": {"type": "string", "enum": kinds},
                    "params": params.clone(),
                }),
                &["track", "kind"],
            ),
        ),
        def(
            "set_effect",
            true,
            "Sets parameters of an effect on a track's (or the master's) chain.",
            object(
                json!({
                    "track": track_prop(TRACK_DOC),
                    "fx": {"type": "integer", "minimum": 1, "description": "the effect's id (get_project lists them)"},
                    "params": params,
                }),
                &["track", "fx", "params"],
            ),
        ),
        def(
            "remove_effect",
            true,
            "Removes an effect (and its automation) from a track's or the master's chain.",
            object(
                json!({
                    "track": track_prop(TRACK_DOC),
                    "fx": {"type": "integer", "minimum": 1, "description": "the effect's id"},
                }),
                &["track", "fx"],
            ),
        ),
        def(
            "set_send",
            true,
            "Sends a track to a bus (post-fader unless pre), or changes the send there is.",
            object(
                json!({
                    "track": track_prop(TRACK_DOC),
                    "bus": {"type": "string", "description": "the bus track's name or 1-based position"},
                    "db": {"type": "number", "minimum": -144, "maximum": 24, "description": "send level in dB (default 0 for a new send)"},
                    "pre": {"type": "boolean", "description": "taken before the fader"},
                }),
                &["track", "bus"],
            ),
        ),
        def(
            "automate",
            true,
            "Sets points on an automation lane (values are linear between points and held \
             before the first and after the last; a point at a beat that has one replaces it).",
            object(
                json!({
                    "track": track_prop(TRACK_DOC),
                    "target": {"type": "string",
                               "description": "gain (dB), pan (-1..1), send:BUS (dB) or fx:FX:PARAM (the effect id and parameter name, in the parameter's unit)"},
                    "points": {"type": "array", "maxItems": MAX_POINTS, "items": object(
                        json!({
                            "beat": {"type": "number", "minimum": 0, "description": "quarter notes from the song's start"},
                            "value": {"type": "number"},
                        }),
                        &["beat", "value"],
                    )},
                }),
                &["track", "target", "points"],
            ),
        ),
        def(
            "quantize",
            true,
            "Moves the notes of a MIDI track's clips (or one clip) towards a grid.",
            object(
                json!({
                    "track": track_prop(MIDI_TRACK_DOC),
                    "clip": {"type": "integer", "description": "only this clip (its id); default every clip"},
                    "grid": {"type": "string", "description": "1/1 … 1/64, t for triplets (1/8t), . for dotted (1/8.)"},
                    "strength": {"type": "number", "minimum": 0, "maximum": 100, "description": "how far notes move, in % (default 100)"},
                }),
                &["track", "grid"],
            ),
        ),
        def(
            "transpose",
            true,
            "Transposes the notes of a MIDI track's clips (or one clip) by semitones.",
            object(
                json!({
                    "track": track_prop(MIDI_TRACK_DOC),
                    "clip": {"type": "integer", "description": "only this clip (its id); default every clip"},
                    "semitones": {"type": "integer", "minimum": -127, "maximum": 127},
                }),
                &["track", "semitones"],
            ),
        ),
        def(
            "get_project",
            false,
            "The project as JSON: tempo, time signature, key, length, and every track with its \
             instrument, levels, effects (ids and parameters), sends, automation and clips.",
            object(json!({}), &[]),
        ),
        def(
            "get_notes",
            false,
            "The notes of a MIDI track's clips (or one clip), in beats from each clip's start.",
            object(
                json!({
                    "track": track_prop(MIDI_TRACK_DOC),
                    "clip": {"type": "integer", "description": "only this clip (its id)"},
                }),
                &["track"],
            ),
        ),
        def(
            "list_effect_kinds",
            false,
            "Every effect kind with its parameters: name, unit, min, max, default, choices.",
            object(json!({}), &[]),
        ),
    ]
}

// ---- Arguments -------------------------------------------------------------------------------

/// A call's arguments, checked against its tool's schema for unknown and missing names; the
/// accessors check types and ranges. Every error starts with the tool's name.
struct Args<'a> {
    tool: &'a str,
    map: &'a Map<String, Value>,
}

static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);

fn args<'a>(call: &'a ToolCall, def: &ToolDef) -> Result<Args<'a>, String> {
    let tool = call.name.as_str();
    let map = match &call.args {
        Value::Object(m) => m,
        Value::Null => &*EMPTY,
        other => {
            return Err(format!(
                "{tool}: the arguments must be a JSON object, not {}",
                kind_of(other)
            ))
        }
    };
    let props = def.schema["properties"].as_object();
    let known: Vec<&str> = props
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if let Some(k) = map.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(if known.is_empty() {
            format!("{tool}: unknown argument '{k}'; it takes none")
        } else {
            format!(
                "{tool}: unknown argument '{k}'; it takes {}",
                known.join(", ")
            )
        });
    }
    if let Some(req) = def.schema["required"].as_array() {
        for r in req.iter().filter_map(Value::as_str) {
            if map.get(r).is_none_or(Value::is_null) {
                return Err(format!("{tool}: the argument '{r}' is missing"));
            }
        }
    }
    Ok(Args { tool, map })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Args<'_> {
    fn err(&self, msg: impl std::fmt::Display) -> String {
        format!("{}: {msg}", self.tool)
    }

    fn get(&self, k: &str) -> Option<&Value> {
        self.map.get(k).filter(|v| !v.is_null())
    }

    fn str(&self, k: &str) -> Result<Option<&str>, String> {
        match self.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(self.err(format!("{k} must be a string, not {}", kind_of(v)))),
        }
    }

    fn need_str(&self, k: &str) -> Result<&str, String> {
        self.str(k)?
            .ok_or_else(|| self.err(format!("the argument '{k}' is missing")))
    }

    /// A track reference: a name or position as a string (a bare number is taken as a
    /// position too, as models often send one).
    fn track(&self, k: &str) -> Result<String, String> {
        match self.get(k) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(v) => Err(self.err(format!(
                "{k} must be a track's name or position, not {}",
                kind_of(v)
            ))),
            None => Err(self.err(format!("the argument '{k}' is missing"))),
        }
    }

    fn num(&self, k: &str) -> Result<Option<f64>, String> {
        match self.get(k) {
            None => Ok(None),
            Some(v) => number(v)
                .map(Some)
                .ok_or_else(|| self.err(format!("{k} must be a number, not {}", shown(v)))),
        }
    }

    fn need_num(&self, k: &str) -> Result<f64, String> {
        self.num(k)?
            .ok_or_else(|| self.err(format!("the argument '{k}' is missing")))
    }

    /// A whole number in `lo..=hi`.
    fn int(&self, k: &str, lo: i64, hi: i64) -> Result<Option<i64>, String> {
        let Some(n) = self.num(k)? else {
            return Ok(None);
        };
        whole(n, lo, hi)
            .map(Some)
            .map_err(|e| self.err(format!("{k} {e}")))
    }

    fn bool(&self, k: &str) -> Result<Option<bool>, String> {
        match self.get(k) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.err(format!("{k} must be true or false, not {}", shown(v)))),
        }
    }

    fn array(&self, k: &str) -> Result<&[Value], String> {
        match self.get(k) {
            Some(Value::Array(a)) => Ok(a),
            Some(v) => Err(self.err(format!("{k} must be an array, not {}", kind_of(v)))),
            None => Err(self.err(format!("the argument '{k}' is missing"))),
        }
    }

    /// Effect parameters `{NAME: number|string|bool}` as the `NAME=VALUE` pairs the mixer
    /// operations parse (so they are checked exactly as `tdaw fx` checks them).
    fn params(&self, k: &str) -> Result<Vec<(String, String)>, String> {
        let map = match self.get(k) {
            None => return Ok(Vec::new()),
            Some(Value::Object(m)) => m,
            Some(v) => return Err(self.err(format!("{k} must be an object, not {}", kind_of(v)))),
        };
        map.iter()
            .map(|(name, v)| {
                let text = match v {
                    Value::Number(n) => n.to_string(),
                    Value::String(s) => s.clone(),
                    Value::Bool(b) => (if *b { "on" } else { "off" }).to_string(),
                    other => {
                        return Err(self.err(format!(
                            "parameter {name} must be a number, a string or a boolean, not {}",
                            kind_of(other)
                        )))
                    }
                };
                Ok((name.clone(), text))
            })
            .collect()
    }
}

/// A JSON number (or a string holding one, as some models send), finite.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|n| n.is_finite())
}

fn whole(n: f64, lo: i64, hi: i64) -> Result<i64, String> {
    if n.fract() != 0.0 || n < lo as f64 || n > hi as f64 {
        return Err(format!(
            "is {}; it must be a whole number {lo}–{hi}",
            fx::fmt_num(n)
        ));
    }
    Ok(n as i64)
}

/// A value as an error message shows it (short).
fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

// ---- Editing ---------------------------------------------------------------------------------

/// The edit an editing call makes on `project` (not applied). A reading or unknown tool, or
/// bad arguments, give one sentence naming the tool (and the argument).
pub fn edit_for(project: &Project, call: &ToolCall) -> Result<Edit, String> {
    let def = known(call)?;
    if !def.edits {
        return Err(format!(
            "{}: this tool reads the project; it makes no change",
            call.name
        ));
    }
    let a = args(call, def)?;
    let p = project;
    match def.name {
        "add_track" => add_track(p, &a),
        "set_track" => set_track(p, &a),
        "remove_track" => {
            let id = mixer::resolve_track(p, &a.track("track")?).map_err(|e| a.err(e))?;
            mixer::delete_track_clean(p, id).map_err(|e| a.err(e))
        }
        "write_clip" => write_clip(p, &a),
        "set_tempo" => {
            let bpm = a.need_num("bpm")?;
            if !(MIN_BPM..=MAX_BPM).contains(&bpm) {
                return Err(a.err(format!(
                    "bpm {} is outside {MIN_BPM}–{MAX_BPM}",
                    fx::fmt_num(bpm)
                )));
            }
            Ok(Edit::SetTempo(TempoMap::constant(bpm)))
        }
        "set_key" => {
            let text = a.need_str("key")?;
            if text.trim().eq_ignore_ascii_case("none") {
                return Ok(Edit::SetKey(None));
            }
            let key: Key = text.parse().map_err(|e| a.err(e))?;
            Ok(Edit::SetKey(Some(key)))
        }
        "set_time_signature" => {
            let numerator = a.int("numerator", 1, 64)?.unwrap_or(4) as u8;
            let denominator = a.int("denominator", 1, 32)?.unwrap_or(4) as u8;
            if !matches!(denominator, 1 | 2 | 4 | 8 | 16 | 32) {
                return Err(a.err(format!(
                    "denominator {denominator} is not one of 1, 2, 4, 8, 16, 32"
                )));
            }
            Ok(Edit::SetTimeSignature(TimeSignature {
                numerator,
                denominator,
            }))
        }
        "add_effect" => {
            let o = owner(p, &a)?;
            let pairs = a.params("params")?;
            let (edit, _) =
                mixer::add_effect(p, o, a.need_str("kind")?, &pairs, None).map_err(|e| a.err(e))?;
            Ok(edit)
        }
        "set_effect" => {
            let o = owner(p, &a)?;
            let id = fx_id(&a)?;
            mixer::set_effect_params(p, o, id, &a.params("params")?).map_err(|e| a.err(e))
        }
        "remove_effect" => {
            let o = owner(p, &a)?;
            mixer::remove_effect(p, o, fx_id(&a)?).map_err(|e| a.err(e))
        }
        "set_send" => {
            let track = mixer::resolve_track(p, &a.track("track")?).map_err(|e| a.err(e))?;
            let bus = mixer::resolve_track(p, &a.track("bus")?)
                .map_err(|e| a.err(format!("bus: {e}")))?;
            let db = a.num("db")?.map(|d| d as f32);
            mixer::set_send(p, track, bus, db, a.bool("pre")?).map_err(|e| a.err(e))
        }
        "automate" => automate(p, &a),
        "quantize" => quantize(p, &a),
        "transpose" => transpose(p, &a),
        other => Err(format!("{other}: this tool makes no change")),
    }
}

fn known(call: &ToolCall) -> Result<&'static ToolDef, String> {
    find(&call.name).ok_or_else(|| {
        let names: Vec<&str> = DEFS.iter().map(|d| d.name).collect();
        format!(
            "'{}' is not a tool; the tools are {}",
            call.name,
            names.join(", ")
        )
    })
}

fn owner(p: &Project, a: &Args) -> Result<Owner, String> {
    mixer::resolve(p, &a.track("track")?).map_err(|e| a.err(e))
}

fn fx_id(a: &Args) -> Result<crate::model::FxId, String> {
    let text = match a.get("fx") {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => return Err(a.err("the argument 'fx' is missing")),
    };
    mixer::parse_fx_id(&text).map_err(|e| a.err(e))
}

fn add_track(p: &Project, a: &Args) -> Result<Edit, String> {
    let kind = match a.need_str("kind")? {
        "audio" => TrackKind::Audio,
        "midi" | "MIDI" => TrackKind::Midi,
        "bus" => TrackKind::Bus,
        other => {
            return Err(a.err(format!(
                "kind '{other}' is not a track kind; it is audio, midi or bus"
            )))
        }
    };
    let instrument = match a.get("instrument") {
        None => None,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("drums") => {
            Some(Instrument::GeneralMidi {
                program: 0,
                drums: true,
            })
        }
        Some(v) => {
            let n = number(v).ok_or_else(|| {
                a.err(format!(
                    "instrument must be a General MIDI program 0–127 or \"drums\", not {}",
                    shown(v)
                ))
            })?;
            let program = whole(n, 0, 127).map_err(|e| a.err(format!("instrument {e}")))? as u8;
            Some(Instrument::GeneralMidi {
                program,
                drums: false,
            })
        }
    };
    let name = a.need_str("name")?.trim().to_string();
    if name.chars().any(char::is_control) || name.chars().count() > 256 {
        return Err(
            a.err("a track name is at most 256 characters, none of them control characters")
        );
    }
    ops::add_track(p, p.tracks.len(), kind, Some(name), instrument).map_err(|e| a.err(e))
}

fn set_track(p: &Project, a: &Args) -> Result<Edit, String> {
    let o = owner(p, a)?;
    let mut pairs = Vec::new();
    for k in ["gain_db", "pan"] {
        if let Some(n) = a.num(k)? {
            pairs.push((k.to_string(), n.to_string()));
        }
    }
    for k in ["mute", "solo"] {
        if let Some(b) = a.bool(k)? {
            pairs.push((k.to_string(), (if b { "on" } else { "off" }).to_string()));
        }
    }
    if let Some(n) = a.str("name")? {
        pairs.push(("name".to_string(), n.to_string()));
    }
    if pairs.is_empty() {
        return Err(a.err("nothing to set: give gain_db, pan, mute, solo or name"));
    }
    mixer::set_track(p, o, &pairs).map_err(|e| a.err(e))
}

fn write_clip(p: &Project, a: &Args) -> Result<Edit, String> {
    let track = midi_track(p, &a.track("track")?).map_err(|e| a.err(e))?;
    let start = a.need_num("start_beat")?;
    if start < 0.0 {
        return Err(a.err(format!(
            "start_beat {} is before the song's start; it must be 0 or later",
            fx::fmt_num(start)
        )));
    }
    let raw = a.array("notes")?;
    if raw.len() > MAX_NOTES {
        return Err(a.err(format!(
            "{} notes is more than one clip takes ({MAX_NOTES})",
            raw.len()
        )));
    }
    let t = p.track(track).ok_or_else(|| a.err("the track is gone"))?;
    // The GM kit plays on MIDI channel 10, as imported and recorded drums do.
    let channel = match t.instrument {
        Some(Instrument::GeneralMidi { drums: true, .. }) => 9,
        _ => 0,
    };
    let mut notes = Vec::with_capacity(raw.len());
    for (i, v) in raw.iter().enumerate() {
        notes.push(clip_note(a, i + 1, v, channel)?);
    }
    let bar = p.time_signature.quarters_per_bar();
    let length = match a.num("length_beats")? {
        Some(l) if l > 0.0 => l,
        Some(l) => {
            return Err(a.err(format!(
                "length_beats {} is not a positive length",
                fx::fmt_num(l)
            )))
        }
        None => {
            let end = notes.iter().map(Note::end).fold(0.0, f64::max);
            ((end / bar).ceil() * bar).max(bar)
        }
    };
    let name = match a.str("name")? {
        Some(n) => n.trim().to_string(),
        None => t.name.clone(),
    };
    let edit = ops::new_midi_clip(p, track, start, length).map_err(|e| a.err(e))?;
    let Edit::AddClip { track, mut clip } = edit else {
        return Err(a.err("the clip could not be made"));
    };
    clip.name = name;
    if let ClipContent::Midi(m) = &mut clip.content {
        notes.sort_by(|x, y| x.start.total_cmp(&y.start).then(x.pitch.cmp(&y.pitch)));
        m.notes = notes;
    }
    Ok(Edit::AddClip { track, clip })
}

/// Note `n` (1-based, for messages) of a `write_clip`.
fn clip_note(a: &Args, n: usize, v: &Value, channel: u8) -> Result<Note, String> {
    let Value::Object(m) = v else {
        return Err(a.err(format!(
            "note {n} must be an object {{pitch, start_beat, length_beats, velocity}}, not {}",
            kind_of(v)
        )));
    };
    if let Some(k) = m
        .keys()
        .find(|k| !["pitch", "start_beat", "length_beats", "velocity"].contains(&k.as_str()))
    {
        return Err(a.err(format!(
            "note {n} has an unknown field '{k}'; a note has pitch, start_beat, length_beats, velocity"
        )));
    }
    let field = |k: &str| -> Result<Option<f64>, String> {
        match m.get(k).filter(|v| !v.is_null()) {
            None => Ok(None),
            Some(v) => number(v).map(Some).ok_or_else(|| {
                a.err(format!(
                    "note {n} has {k} {}; it must be a number",
                    shown(v)
                ))
            }),
        }
    };
    let need = |k: &str| -> Result<f64, String> {
        field(k)?.ok_or_else(|| a.err(format!("note {n} has no {k}")))
    };
    let pitch = need("pitch")?;
    if pitch.fract() != 0.0 || !(0.0..=127.0).contains(&pitch) {
        return Err(a.err(format!(
            "note {n} has pitch {}; pitches are 0–127",
            fx::fmt_num(pitch)
        )));
    }
    let start = need("start_beat")?;
    if start < 0.0 {
        return Err(a.err(format!(
            "note {n} starts at beat {}; notes start at 0 or later in the clip",
            fx::fmt_num(start)
        )));
    }
    let length = need("length_beats")?;
    if length <= 0.0 {
        return Err(a.err(format!(
            "note {n} has length_beats {}; a note lasts more than 0 beats",
            fx::fmt_num(length)
        )));
    }
    let velocity = field("velocity")?.unwrap_or(100.0);
    if velocity.fract() != 0.0 || !(1.0..=127.0).contains(&velocity) {
        return Err(a.err(format!(
            "note {n} has velocity {}; velocities are 1–127",
            fx::fmt_num(velocity)
        )));
    }
    Ok(Note {
        pitch: pitch as u8,
        start,
        length,
        velocity: velocity as u8,
        channel,
    })
}

fn automate(p: &Project, a: &Args) -> Result<Edit, String> {
    let o = owner(p, a)?;
    let target = mixer::parse_target(p, o, a.need_str("target")?).map_err(|e| a.err(e))?;
    let raw = a.array("points")?;
    if raw.is_empty() {
        return Err(a.err("points is empty: give at least one {beat, value}"));
    }
    if raw.len() > MAX_POINTS {
        return Err(a.err(format!(
            "{} points is more than one call takes ({MAX_POINTS})",
            raw.len()
        )));
    }
    let mut points = Vec::with_capacity(raw.len());
    for (i, v) in raw.iter().enumerate() {
        let get = |k: &str| {
            v.get(k).and_then(number).ok_or_else(|| {
                a.err(format!(
                    "point {} needs a number {k} (points are {{beat, value}})",
                    i + 1
                ))
            })
        };
        points.push(AutomationPoint::new(get("beat")?, get("value")?));
    }
    mixer::set_points(p, o, &target, &points).map_err(|e| a.err(e))
}

fn clip_arg(a: &Args) -> Result<Option<u64>, String> {
    Ok(a.int("clip", 1, i64::MAX)?.map(|n| n as u64))
}

fn quantize(p: &Project, a: &Args) -> Result<Edit, String> {
    let track = midi_track(p, &a.track("track")?).map_err(|e| a.err(e))?;
    let grid = Grid::parse(a.need_str("grid")?).map_err(|e| a.err(format!("grid: {e}")))?;
    let strength = a.num("strength")?.unwrap_or(100.0);
    if !(0.0..=100.0).contains(&strength) {
        return Err(a.err(format!(
            "strength {} is outside 0–100 %",
            fx::fmt_num(strength)
        )));
    }
    let q = Quantize {
        strength: strength / 100.0,
        ..Quantize::new(grid.beats())
    };
    let mut edits = Vec::new();
    for c in clips_of(p, track, clip_arg(a)?).map_err(|e| a.err(e))? {
        let (notes, changed) = quantize_notes(notes_of(c), None, &q).map_err(|e| a.err(e))?;
        if changed > 0 {
            edits.push(note_ops::replace_notes(track, c, notes, None));
        }
    }
    Ok(Edit::Batch(edits))
}

fn transpose(p: &Project, a: &Args) -> Result<Edit, String> {
    let track = midi_track(p, &a.track("track")?).map_err(|e| a.err(e))?;
    let semis = a.int("semitones", -127, 127)?.unwrap_or(0) as i32;
    let mut edits = Vec::new();
    for c in clips_of(p, track, clip_arg(a)?).map_err(|e| a.err(e))? {
        let notes = notes_of(c);
        let all: Vec<usize> = (0..notes.len()).collect();
        let out = note_ops::transpose(notes, &all, semis)
            .map_err(|e| a.err(format!("clip {}: {e}", c.id.0)))?;
        if semis != 0 && !notes.is_empty() {
            edits.push(note_ops::replace_notes(track, c, out, None));
        }
    }
    Ok(Edit::Batch(edits))
}

// ---- Reading ---------------------------------------------------------------------------------

/// The answer of a reading call (`get_project`, `get_notes`, `list_effect_kinds`).
pub fn read(project: &Project, call: &ToolCall) -> Result<serde_json::Value, String> {
    let def = known(call)?;
    if def.edits {
        return Err(format!(
            "{}: this tool changes the project; it is not a reading",
            call.name
        ));
    }
    let a = args(call, def)?;
    match def.name {
        "get_project" => Ok(super::context::project_json(project)),
        "list_effect_kinds" => Ok(fx::kinds_json()),
        "get_notes" => {
            let track = midi_track(project, &a.track("track")?).map_err(|e| a.err(e))?;
            let name = project.track(track).map(|t| t.name.clone());
            let clips: Vec<Value> = clips_of(project, track, clip_arg(&a)?)
                .map_err(|e| a.err(e))?
                .into_iter()
                .map(super::context::clip_json)
                .collect();
            Ok(json!({"track": name, "clips": clips}))
        }
        other => Err(format!("{other}: this tool is not a reading")),
    }
}
