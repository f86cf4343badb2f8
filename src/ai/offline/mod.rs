//! The offline provider: a music engine with no network and no model. A small intent parser
//! ([`intent`]) reads the prompt; the answer is computed from music theory (`midi::theory`,
//! `midi::progression`) and seeded choices (`model::rng`): chord progressions for a key, mood
//! and genre ([`harmony`]), melodies and bass lines over a progression ([`lines`]), drum
//! patterns on GM pitches ([`drums`]), theory answers ([`theory`]) and mixing advice from
//! measured figures ([`advice`]). Each musical answer comes with the tool calls that put it in
//! the project (one change set). It says plainly what it cannot answer. It never guesses a
//! fact it did not compute, and never touches the disk.

pub mod advice;
pub mod drums;
pub mod harmony;
pub mod intent;
pub mod lines;
pub mod theory;

use super::{AiError, Assistant, Cancel, NoteOut, Reply, Request, Suggestion, ToolCall};
use crate::midi::theory::Scale;
use crate::model::Project;
use intent::{Intent, Task};
use serde_json::{json, Value};

/// The offline music engine.
#[derive(Debug, Default)]
pub struct Offline;

impl Offline {
    pub fn new() -> Offline {
        Offline
    }
}

impl Assistant for Offline {
    fn provider(&self) -> &'static str {
        "offline"
    }
    fn model(&self) -> &str {
        "music-theory"
    }
    fn ask(
        &mut self,
        req: &Request,
        on_text: &mut dyn FnMut(&str),
        cancel: &Cancel,
    ) -> Result<Reply, AiError> {
        if cancel.is_cancelled() {
            return Err(AiError::Cancelled);
        }
        let reply = answer(req);
        // The text goes out sentence by sentence, like a streamed reply.
        let mut rest = reply.text.as_str();
        while !rest.is_empty() {
            if cancel.is_cancelled() {
                return Err(AiError::Cancelled);
            }
            let cut = rest
                .find(". ")
                .or_else(|| rest.find('\n'))
                .map_or(rest.len(), |i| i + 1);
            let (piece, tail) = rest.split_at(cut);
            on_text(piece);
            rest = tail;
        }
        Ok(reply)
    }
}

/// The whole answer to a request (what [`Offline::ask`] streams).
pub fn answer(req: &Request) -> Reply {
    let intent = intent::parse(&req.prompt, &req.history);
    let ctx = Ctx {
        req,
        intent: &intent,
        project: req.project.as_deref(),
    };
    match intent.task {
        Task::Chords => harmony::answer(&ctx),
        Task::Melody => lines::melody_answer(&ctx),
        Task::Bass => lines::bass_answer(&ctx),
        Task::Drums => drums::answer(&ctx),
        Task::Advice => advice::answer(&ctx),
        Task::ChordNotes
        | Task::ScaleNotes
        | Task::Function
        | Task::KeyChords
        | Task::WhatKey
        | Task::Interval => theory::answer(&ctx),
        Task::Unknown => cannot_answer(),
    }
}

/// What the engine can do, said when it cannot answer.
pub const CAN_DO: &str = "I am the offline music engine (no network), and I can: \
suggest chord progressions (\"sad chords in A minor, 8 bars\"); \
write a melody or a bass line over a progression or the selected clip; \
make drum patterns for pop, rock, jazz, blues, lo-fi, house, techno, hip hop, trap, drum and \
bass, reggae, funk or ambient; \
answer theory questions (the notes of a chord or scale, a chord's function in a key, the \
chords of a key, what key a clip is in, intervals); \
give mixing and mastering advice from the measured figures of the mix.";

fn cannot_answer() -> Reply {
    let text = format!("I cannot answer that. {CAN_DO}");
    Reply {
        text,
        suggestion: Suggestion::Text,
        calls: Vec::new(),
    }
}

/// What every part of the engine reads.
pub struct Ctx<'a> {
    pub req: &'a Request,
    pub intent: &'a Intent,
    pub project: Option<&'a Project>,
}

impl Ctx<'_> {
    /// Quarter-note beats per bar (the project's time signature, else 4).
    pub fn bar_beats(&self) -> f64 {
        self.project
            .map(|p| p.time_signature.quarters_per_bar())
            .filter(|b| b.is_finite() && *b > 0.0)
            .unwrap_or(4.0)
    }

    /// Bars asked for, else `default`.
    pub fn bars(&self, default: u32) -> u32 {
        self.intent.bars.unwrap_or(default)
    }
}

/// Where the key of an answer came from (said in the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    Prompt,
    Project,
    Detected,
    Chosen,
}

/// The key to write in: the prompt's, the project's, the one its MIDI is in, else A minor
/// or C major as `minor` says.
pub fn key_for(ctx: &Ctx, minor: bool) -> (Scale, KeySource) {
    if let Some(k) = ctx.intent.key {
        return (k, KeySource::Prompt);
    }
    if let Some(k) = ctx.project.and_then(|p| p.key.as_ref()) {
        return (Scale::from_key(k), KeySource::Project);
    }
    if let Some(p) = ctx.project {
        let notes: Vec<crate::model::Note> = theory::project_notes(p);
        if let Some(e) = crate::midi::theory::detect_key(&notes).filter(|e| e.confidence > 0.2) {
            return (Scale::from_key(&e.key), KeySource::Detected);
        }
    }
    // A minor or C major.
    let key = crate::model::Key {
        tonic: if minor { 9 } else { 0 },
        minor,
        flats: false,
    };
    (Scale::from_key(&key), KeySource::Chosen)
}

/// `"Am"`, `"F#"`: a key as `set_key` takes it.
pub fn key_arg(scale: &Scale) -> String {
    let k = scale.to_key();
    format!("{}{}", scale.tonic, if k.minor { "m" } else { "" })
}

/// The tool calls of one reply, numbered `offline-1`, `offline-2`, …
#[derive(Debug, Default)]
pub struct Calls(pub Vec<ToolCall>);

impl Calls {
    pub fn push(&mut self, name: &str, args: Value) {
        let id = format!("offline-{}", self.0.len() + 1);
        self.0.push(ToolCall {
            id,
            name: name.to_string(),
            args,
        });
    }

    /// `set_key` when the project has none.
    pub fn key_if_missing(&mut self, ctx: &Ctx, scale: &Scale) {
        if ctx.project.is_none_or(|p| p.key.is_none()) {
            self.push("set_key", json!({ "key": key_arg(scale) }));
        }
    }

    /// `set_tempo` when the prompt named a tempo.
    pub fn tempo_if_asked(&mut self, ctx: &Ctx) {
        if let Some(bpm) = ctx.intent.bpm {
            self.push("set_tempo", json!({ "bpm": bpm }));
        }
    }

    /// A new MIDI track (named `base`, or `base 2`… when taken) holding one clip of `notes`
    /// from beat 0; returns the track's name.
    pub fn track_with_clip(
        &mut self,
        ctx: &Ctx,
        base: &str,
        instrument: Value,
        clip_name: &str,
        length_beats: f64,
        notes: &[NoteOut],
    ) -> String {
        let name = fresh_track_name(ctx.project, base);
        self.push(
            "add_track",
            json!({ "name": name, "kind": "midi", "instrument": instrument }),
        );
        self.push(
            "write_clip",
            json!({
                "track": name,
                "start_beat": 0.0,
                "length_beats": length_beats,
                "name": clip_name,
                "notes": notes,
            }),
        );
        name
    }
}

/// `base`, or `base 2`, `base 3`… so that it names no existing track (names match without
/// case, as `model::mixer::resolve` does).
pub fn fresh_track_name(project: Option<&Project>, base: &str) -> String {
    let taken =
        |n: &str| project.is_some_and(|p| p.tracks.iter().any(|t| t.name.eq_ignore_ascii_case(n)));
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|i| format!("{base} {i}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_string())
}

/// Rounds a beat to 1/1000 (the JSON stays readable; every grid used here is exact).
pub fn beat(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
