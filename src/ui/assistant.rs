//! The chat's work at the App's level: connecting to the assistant, asking on a worker thread
//! (the UI never waits on the network: the worker owns the request and reports through the
//! jobs channel — figures, text pieces, the end), showing the reply's change set as a diff,
//! applying it as one undo step, and auditioning its notes through the engine's audition path.
//!
//! The conversation is kept per project in the index (`store::chat`), read when the chat first
//! opens and appended per turn. Keys never reach the screen, the index or the history: the
//! settings stay inside the provider, and a key pasted into a prompt is masked.

use super::action::Cmd;
use super::app::App;
use super::engine_link::Transport;
use super::jobs::{AssistantReport, JobId, JobKind, JobOutput, Timer};
use super::keymap::{Mode, ViewKind};
use super::views::chat::{self, Audition, ChatState, Entry, Pending, PlayNote, Proposal, Typed};
use crate::ai::change::ChangeSet;
use crate::ai::{self, AiError, Assistant, Cancel, Figures, Request, Settings};
use crate::model::{ClipId, Project, TrackId};
use crossterm::event::KeyEvent;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the spinner turns while a request runs.
const SPIN: Duration = Duration::from_millis(100);

/// Words of a prompt that ask about the mix: only then is the project rendered and measured
/// for figures (it costs a render).
const MIX_WORDS: &[&str] = &[
    "mix", "master", "loud", "advice", "lufs", "peak", "clip", "level",
];

/// Whether the chat is on screen (its view, or its panel).
pub fn shown(app: &App) -> bool {
    app.view == ViewKind::Chat || app.chat_panel_area().is_some()
}

/// Gives the chat its assistant (tests hand in a fake one; the App connects from the config
/// otherwise). Replaces the one there was.
pub fn set_assistant(app: &mut App, assistant: Box<dyn Assistant>) {
    set(&mut app.chat, assistant, Vec::new());
}

fn set(st: &mut ChatState, assistant: Box<dyn Assistant>, secrets: Vec<String>) {
    st.provider = assistant.provider().to_string();
    st.model = assistant.model().to_string();
    st.assistant = Some(Arc::new(Mutex::new(assistant)));
    st.secrets = secrets;
}

/// The settings from the `[ai]` table of config.toml and the environment (keys from
/// `OPENAI_API_KEY` / `ANTHROPIC_API_KEY` win over the file's).
pub fn settings(
    config: &crate::config::AiConfig,
    env: impl Fn(&str) -> Option<String>,
) -> Settings {
    let d = Settings::default();
    let provider = config
        .provider
        .as_deref()
        .and_then(|p| <ai::ProviderKind as clap::ValueEnum>::from_str(p, true).ok());
    Settings {
        provider,
        model: config.model.clone(),
        base_url: config.base_url.clone(),
        openai_key: env("OPENAI_API_KEY").or_else(|| config.openai_api_key.clone()),
        anthropic_key: env("ANTHROPIC_API_KEY").or_else(|| config.anthropic_api_key.clone()),
        timeout: config.timeout_secs.map_or(d.timeout, Duration::from_secs),
        requests_per_minute: config.requests_per_minute.unwrap_or(d.requests_per_minute),
        ..d
    }
}

/// Connects with `settings` (the provider is told once, in the chat, when that fails).
pub fn connect_with(app: &mut App, settings: &Settings) {
    let secrets: Vec<String> = [&settings.openai_key, &settings.anthropic_key]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    match ai::connect(settings) {
        Ok(a) => set(&mut app.chat, a, secrets),
        Err(e) => {
            app.chat.entries.push(Entry::Error(e.to_string()));
            set(
                &mut app.chat,
                Box::new(ai::offline::Offline::new()),
                secrets,
            );
            app.chat
                .entries
                .push(Entry::Note("the offline assistant answers instead".into()));
        }
    }
}

/// Reads the conversation from the index and connects, the first time the chat shows.
pub fn ensure_open(app: &mut App) {
    if app.chat.loaded {
        return;
    }
    app.chat.loaded = true;
    // The index is a cache: without it the chat starts empty and is not kept.
    if let Ok(turns) = crate::store::index::Index::open().and_then(|i| i.chat_history(&app.dir)) {
        let old: Vec<Entry> = turns
            .into_iter()
            .map(|t| match t.role.as_str() {
                "user" => Entry::You(t.text),
                _ => Entry::Assistant(t.text),
            })
            .collect();
        app.chat.entries.splice(0..0, old);
    }
    if app.chat.assistant.is_none() {
        let config = crate::config::Config::load().unwrap_or_default();
        let s = settings(&config.ai, |k| std::env::var(k).ok());
        connect_with(app, &s);
    }
}

/// Appends a turn to the project's conversation in the index (best effort).
fn keep(app: &App, role: &str, text: &str) {
    let r =
        crate::store::index::Index::open().and_then(|mut i| i.chat_append(&app.dir, role, text));
    if let Err(e) = r {
        crate::store::warn(&format!("the chat was not kept in the index: {e}"));
    }
}

/// The chat's registry commands.
pub fn run(app: &mut App, cmd: Cmd) {
    match cmd {
        Cmd::ViewChat => {
            if matches!(app.mode, Mode::Visual | Mode::Insert | Mode::Play) {
                app.mode = Mode::Normal;
            }
            app.view = ViewKind::Chat;
            ensure_open(app);
            start_typing(app);
        }
        Cmd::ChatPanel => {
            app.chat.panel = !app.chat.panel;
            if app.chat.panel && chat::panel_width(app.size.0) == 0 {
                app.info(format!(
                    "The chat panel shows on terminals {} columns or wider (g i shows the chat)",
                    chat::PANEL_MIN_WIDTH
                ));
            } else if app.chat.panel {
                ensure_open(app);
                app.info("Chat panel on (g i types into the chat view, :chat panel hides it)");
            } else {
                app.chat.typing = false;
                app.info("Chat panel off");
            }
        }
        Cmd::ChatType => start_typing(app),
        Cmd::ChatApply => apply(app),
        Cmd::ChatAudition => audition(app),
        Cmd::ChatCancel if !cancel(app) => app.mode = Mode::Normal,
        _ => {}
    }
}

fn start_typing(app: &mut App) {
    app.chat.typing = true;
    app.chat.scroll = 0;
    app.mode = Mode::Insert;
}

/// A key while typing into the chat.
pub fn key(app: &mut App, ev: KeyEvent) {
    match chat::input_key(&mut app.chat, ev) {
        Typed::Send(text) => ask(app, &text),
        Typed::Busy => app.error("the assistant is still answering: esc cancels it"),
        Typed::Cancel => {
            cancel(app);
        }
        Typed::Leave => {
            app.chat.typing = false;
            app.mode = Mode::Normal;
        }
        Typed::Edited => {}
    }
}

/// Asks the assistant `prompt` (Enter in the chat, `:ai PROMPT`). The request runs on a worker.
pub fn ask(app: &mut App, prompt: &str) {
    ensure_open(app);
    if app.chat.busy() {
        app.error("the assistant is still answering: esc cancels it");
        return;
    }
    let Some(shared) = app.chat.assistant.clone() else {
        return;
    };
    let prompt = app.chat.scrub(prompt.trim());
    let history = app.chat.history();
    app.chat.entries.push(Entry::You(prompt.clone()));
    app.chat.scroll = 0;
    keep(app, "user", &prompt);
    let snapshot = Arc::new(app.project.clone());
    let revision = app.history.revision();
    let mut req = Request {
        prompt: prompt.clone(),
        history,
        project: Some(snapshot.clone()),
        selected_clip: selected_clip(app),
        figures: None,
        context: String::new(),
    };
    // Figures cost a render: only for a question about the mix, and once per revision.
    let measure = wants_figures(&prompt);
    if measure {
        req.figures = match &app.chat.figures {
            Some((rev, f)) if *rev == revision => Some(f.clone()),
            _ => None,
        };
    }
    let render = measure && req.figures.is_none();
    let dir = app.dir.clone();
    let cancel = Cancel::default();
    let flag = cancel.clone();
    let spawned = app.jobs.spawn(JobKind::Assistant, move |ctx| {
        if render {
            if let Some(f) = measure_figures(req.project.as_deref(), &dir) {
                ctx.send(JobOutput::Assistant(AssistantReport::Figures(f.clone())));
                req.figures = Some(f);
            }
        }
        if let Some(p) = req.project.clone() {
            req.context = ai::context::summarize(&p, &req);
        }
        let result = match shared.lock() {
            Ok(mut a) => a.ask(
                &req,
                &mut |piece: &str| {
                    ctx.send(JobOutput::Assistant(AssistantReport::Text(
                        piece.to_string(),
                    )))
                },
                &flag,
            ),
            Err(_) => Err(AiError::Other(
                "the assistant failed on an earlier question".into(),
            )),
        };
        ctx.send(JobOutput::Assistant(AssistantReport::Done(result)));
    });
    match spawned {
        Ok(job) => {
            app.chat.pending = Some(Pending {
                job,
                cancel,
                snapshot,
                revision,
                started: Instant::now(),
                text: String::new(),
                cancelling: false,
            });
            app.jobs.after(SPIN, Timer::ChatSpin);
        }
        Err(e) => app.chat.entries.push(Entry::Error(e)),
    }
}

/// Whether a prompt asks about the mix (then figures are measured).
pub fn wants_figures(prompt: &str) -> bool {
    let p = prompt.to_lowercase();
    p.split(|c: char| !c.is_alphanumeric())
        .any(|w| MIX_WORDS.iter().any(|m| w.starts_with(m)))
}

/// The project's mix, rendered and measured (None when it cannot be: the offline advice
/// then says figures must be measured).
fn measure_figures(_project: Option<&Project>, _dir: &std::path::Path) -> Option<Figures> {
    None
}

/// The clip the user has selected: the piano roll's, else the one under the arrange cursor.
fn selected_clip(app: &App) -> Option<ClipId> {
    if let Some((ti, ci)) = app.piano_clip() {
        return Some(app.project.tracks[ti].clips[ci].id);
    }
    let ti = app.arrange.track;
    super::grid::clip_at(&app.project, ti, app.arrange.cursor)
        .map(|ci| app.project.tracks[ti].clips[ci].id)
}

/// Asks the running request to stop. False when none runs.
pub fn cancel(app: &mut App) -> bool {
    match &mut app.chat.pending {
        Some(p) => {
            p.cancel.cancel();
            p.cancelling = true;
            true
        }
        None => false,
    }
}

/// A report of the worker. Returns whether the screen changed.
pub fn on_report(app: &mut App, id: JobId, report: AssistantReport) -> bool {
    let Some(p) = app.chat.pending.as_mut().filter(|p| p.job == id) else {
        return false;
    };
    match report {
        AssistantReport::Text(piece) => {
            p.text.push_str(&piece);
            true
        }
        AssistantReport::Figures(f) => {
            let rev = p.revision;
            app.chat.figures = Some((rev, f));
            false
        }
        AssistantReport::Done(result) => {
            let Some(p) = app.chat.pending.take() else {
                return false;
            };
            app.jobs.clear(Timer::ChatSpin);
            finish(app, p, result);
            true
        }
    }
}

fn finish(app: &mut App, p: Pending, result: Result<ai::Reply, AiError>) {
    match result {
        Ok(reply) => {
            let text = app.chat.scrub(if reply.text.is_empty() {
                &p.text
            } else {
                &reply.text
            });
            keep(app, "assistant", &text);
            app.chat.entries.push(Entry::Assistant(text));
            if reply.calls.is_empty() {
                return;
            }
            stop_audition(app);
            match ChangeSet::build(&p.snapshot, &reply.calls) {
                Ok(set) => {
                    let notes = notes_of(set.result(), &reply.calls);
                    app.chat.proposal = Some(Proposal {
                        diff: set.diff().iter().map(|l| l.to_string()).collect(),
                        set,
                        applied: None,
                        notes,
                    });
                }
                Err(e) => {
                    app.chat.proposal = None;
                    app.chat.entries.push(Entry::Error(format!(
                        "the proposed change does not apply: {e}"
                    )));
                }
            }
        }
        Err(AiError::Cancelled) => app.chat.entries.push(Entry::Note("cancelled".into())),
        Err(e) => app
            .chat
            .entries
            .push(Entry::Error(app.chat.scrub(&e.to_string()))),
    }
}

/// The worker ended: if it never said how (it panicked), the chat says so.
pub fn finished(app: &mut App, id: JobId) -> bool {
    if app.chat.pending.as_ref().is_some_and(|p| p.job == id) {
        app.chat.pending = None;
        app.jobs.clear(Timer::ChatSpin);
        app.chat
            .entries
            .push(Entry::Error("the assistant stopped unexpectedly".into()));
        return true;
    }
    false
}

/// The spinner's timer: turn it again while the request runs.
pub fn spin(app: &mut App) -> bool {
    if app.chat.busy() {
        app.jobs.after(SPIN, Timer::ChatSpin);
        return shown(app);
    }
    false
}

/// Applies the proposed change as one undo step, unless the project changed since it was
/// proposed.
pub fn apply(app: &mut App) {
    let Some(p) = &app.chat.proposal else {
        app.error("no proposed change to apply: ask for chords, a melody, a beat…");
        return;
    };
    if !p.set.still_applies(&app.project) {
        let msg = if p.applied.is_some() {
            "the change is applied (u takes it back)"
        } else {
            crate::ai::change::STALE
        };
        app.error(msg);
        return;
    }
    let edit = p.set.edit();
    stop_audition(app);
    if app.apply(edit, "assistant's change") {
        let rev = app.history.revision();
        if let Some(p) = &mut app.chat.proposal {
            p.applied = Some(rev);
        }
        app.info("Applied the assistant's change (u takes all of it back)");
    }
}

/// The notes of the change's `write_clip` calls, with the track that plays them in the
/// changed project (a track an earlier `add_track` of the same reply made is found too).
fn notes_of(changed: &Project, calls: &[ai::ToolCall]) -> Vec<(TrackId, PlayNote)> {
    let mut out = Vec::new();
    for c in calls.iter().filter(|c| c.name == "write_clip") {
        let a = &c.args;
        let Some(track) = a["track"]
            .as_str()
            .map(str::to_string)
            .or_else(|| a["track"].as_u64().map(|n| n.to_string()))
        else {
            continue;
        };
        let Ok(id) = crate::model::mixer::resolve_track(changed, &track) else {
            continue;
        };
        let start = a["start_beat"].as_f64().unwrap_or(0.0);
        for n in a["notes"].as_array().into_iter().flatten() {
            let (Some(pitch), Some(s), Some(l)) = (
                n["pitch"].as_u64(),
                n["start_beat"].as_f64(),
                n["length_beats"].as_f64(),
            ) else {
                continue;
            };
            out.push((
                id,
                PlayNote {
                    pitch: pitch.min(127) as u8,
                    velocity: n["velocity"].as_u64().unwrap_or(96).clamp(1, 127) as u8,
                    start_beat: start + s.max(0.0),
                    length_beats: l.max(0.01),
                },
            ));
        }
    }
    out
}

/// Note events of an audition starting at `now`: the notes at the project's tempo, from the
/// first one's start.
pub fn schedule(
    project: &Project,
    notes: &[(TrackId, PlayNote)],
    now: Instant,
) -> Vec<(Instant, TrackId, u8, u8, bool)> {
    let first = notes
        .iter()
        .map(|(_, n)| n.start_beat)
        .fold(f64::INFINITY, f64::min);
    if !first.is_finite() {
        return Vec::new();
    }
    let t0 = project.tempo.beat_to_seconds(first);
    let at = |beat: f64| {
        now + Duration::from_secs_f64((project.tempo.beat_to_seconds(beat) - t0).max(0.0))
    };
    let mut ev = Vec::with_capacity(notes.len() * 2);
    for (track, n) in notes {
        ev.push((at(n.start_beat), *track, n.pitch, n.velocity, true));
        ev.push((at(n.start_beat + n.length_beats), *track, n.pitch, 0, false));
    }
    // Offs before ons at the same instant, so a repeated pitch sounds again.
    ev.sort_by(|a, b| a.0.cmp(&b.0).then(a.4.cmp(&b.4)));
    ev
}

/// `p`: plays the proposal's notes (the engine gets the changed project for as long as it
/// plays, so a track the change adds sounds too), or stops the audition that plays.
pub fn audition(app: &mut App) {
    if app.chat.audition.is_some() {
        stop_audition(app);
        app.info("Audition stopped");
        return;
    }
    let Some(p) = &app.chat.proposal else {
        app.error("no proposed notes to play");
        return;
    };
    if p.notes.is_empty() {
        app.error("the proposed change has no notes to play");
        return;
    }
    if !app.engine.is_running() {
        app.error("no audio engine is running: nothing can play");
        return;
    }
    // Before applying, the engine plays the changed project (its new tracks); after, the
    // project is the changed one already.
    let preview = if p.set.still_applies(&app.project) {
        p.set.result()
    } else {
        &app.project
    };
    let events = schedule(preview, &p.notes, Instant::now());
    app.engine.load_project(preview, &app.dir);
    let first = events.first().map(|e| e.0);
    app.chat.audition = Some(Audition {
        events,
        next: 0,
        sounding: Vec::new(),
    });
    if let Some(t) = first {
        app.jobs.at(t, Timer::ChatAudition);
    }
    app.info("Playing the proposed notes (p stops)");
}

/// The audition's timer: sends the events that are due and sets the timer for the next.
pub fn audition_step(app: &mut App) -> bool {
    let Some(a) = &mut app.chat.audition else {
        return false;
    };
    let now = Instant::now();
    while let Some(&(t, track, pitch, velocity, on)) = a.events.get(a.next) {
        if t > now {
            break;
        }
        a.next += 1;
        let _ = app.engine.transport(Transport::Audition {
            track,
            pitch,
            velocity,
            on,
        });
        if on {
            a.sounding.push((track, pitch));
        } else if let Some(i) = a.sounding.iter().position(|s| *s == (track, pitch)) {
            a.sounding.swap_remove(i);
        }
    }
    match a.events.get(a.next) {
        Some(e) => {
            let t = e.0;
            app.jobs.at(t, Timer::ChatAudition);
            false
        }
        None => {
            stop_audition(app);
            false
        }
    }
}

/// Ends an audition: releases what sounds and gives the engine the project back.
pub fn stop_audition(app: &mut App) {
    let Some(a) = app.chat.audition.take() else {
        return;
    };
    app.jobs.clear(Timer::ChatAudition);
    for (track, pitch) in a.sounding {
        let _ = app.engine.transport(Transport::Audition {
            track,
            pitch,
            velocity: 0,
            on: false,
        });
    }
    app.engine.load_project(&app.project, &app.dir);
}

/// Pasted text while typing into the chat.
pub fn paste(app: &mut App, text: &str) {
    chat::paste(&mut app.chat, text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Project, TempoMap};

    #[test]
    fn only_questions_about_the_mix_measure() {
        assert!(wants_figures("How is my MIX?"));
        assert!(wants_figures("is it too loud for spotify"));
        assert!(wants_figures("mastering advice please"));
        assert!(!wants_figures("chords in A minor"));
        assert!(!wants_figures("a house beat, 8 bars"));
    }

    #[test]
    fn an_audition_follows_the_tempo_from_the_first_note() {
        let mut p = Project::new("t", 48_000, 120.0);
        p.tempo = TempoMap::constant(120.0);
        let n = |pitch, start_beat, length_beats| PlayNote {
            pitch,
            velocity: 90,
            start_beat,
            length_beats,
        };
        let t = TrackId(3);
        let now = Instant::now();
        let ev = schedule(&p, &[(t, n(60, 4.0, 1.0)), (t, n(64, 5.0, 0.5))], now);
        let at: Vec<(u64, u8, bool)> = ev
            .iter()
            .map(|e| ((e.0 - now).as_millis() as u64, e.2, e.4))
            .collect();
        // 120 BPM: a beat is 500 ms; the first note starts at once.
        assert_eq!(
            at,
            vec![
                (0, 60, true),
                (500, 60, false),
                (500, 64, true),
                (750, 64, false)
            ]
        );
        assert!(schedule(&p, &[], now).is_empty());
    }

    #[test]
    fn settings_take_keys_from_the_environment_first() {
        let config = crate::config::AiConfig {
            provider: Some("anthropic".into()),
            openai_api_key: Some("sk-file-000000".into()),
            anthropic_api_key: Some("ak-file-000000".into()),
            timeout_secs: Some(5),
            ..Default::default()
        };
        let s = settings(&config, |k| {
            (k == "OPENAI_API_KEY").then(|| "sk-env-111111".to_string())
        });
        assert_eq!(s.provider, Some(ai::ProviderKind::Anthropic));
        assert_eq!(s.openai_key.as_deref(), Some("sk-env-111111"));
        assert_eq!(s.anthropic_key.as_deref(), Some("ak-file-000000"));
        assert_eq!(s.timeout, Duration::from_secs(5));
        assert!(!format!("{s:?}").contains("111111"));
    }
}
