//! The chat's work at the App's level: connecting to the assistant, asking on a worker thread
//! (the UI never waits on the network: the worker owns the request and reports through the
//! jobs channel — figures, text pieces, the end), showing the reply's change set as a diff,
//! applying it as one undo step, and auditioning its notes through the engine's audition path.
//!
//! The conversation is kept per project in the index (`store::chat`), read when the chat first
//! opens and appended per turn. Keys never reach the screen, the index or the history: the
//! settings stay inside the provider, and a key pasted into a prompt is masked.

mod audition;
mod common;
mod reply;

pub use audition::{audition, audition_step, schedule, stop_audition};
pub use common::shown;
pub use reply::{apply, finished, on_report, spin, sync_applied};

use common::{keep, SPIN};

use super::action::Cmd;
use super::app::App;
use super::jobs::{AssistantReport, JobKind, JobOutput, Timer};
use super::keymap::{Mode, ViewKind};
use super::views::chat::{self, ChatState, Entry, Pending, Typed};
use crate::ai::{self, AiError, Assistant, Cancel, Figures, Request, Settings};
use crate::model::{ClipId, Project};
use crossterm::event::KeyEvent;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Words of a prompt that ask about the mix: only then is the project rendered and measured
/// for figures (it costs a render).
const MIX_WORDS: &[&str] = &[
    "mix", "master", "loud", "advice", "lufs", "peak", "clip", "level",
];

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

/// The settings from `flags`, the `[ai]` table of config.toml and the environment (keys from
/// `OPENAI_API_KEY` / `ANTHROPIC_API_KEY` win over the file's): `ai::Settings::resolve` given
/// the table's values (ai may not read the config itself). `tdaw ai` uses it too.
pub fn settings(
    config: &crate::config::AiConfig,
    flags: &ai::settings::Flags,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Settings, AiError> {
    let values = ai::settings::ConfigValues {
        provider: config.provider.clone(),
        model: config.model.clone(),
        base_url: config.base_url.clone(),
        openai_api_key: config.openai_api_key.clone(),
        anthropic_api_key: config.anthropic_api_key.clone(),
        timeout_secs: config.timeout_secs,
        requests_per_minute: config.requests_per_minute,
    };
    Settings::resolve(flags, &values, env)
}

/// The project's mix rendered through the engine's graph and measured (None when it cannot
/// be, or `cancel` stopped it: the offline advice then says figures must be measured).
pub fn measure_figures(
    project: Option<&Project>,
    dir: &std::path::Path,
    cancel: Option<&std::sync::atomic::AtomicBool>,
) -> Option<Figures> {
    let report = crate::engine::measure::mix_figures_until(project?, dir, cancel).ok()?;
    Some(Figures::from(&report))
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
        let config = crate::config::Config::load().unwrap_or_else(|e| {
            app.chat.entries.push(Entry::Error(e));
            Default::default()
        });
        let flags = ai::settings::Flags::default();
        match settings(&config.ai, &flags, |k| std::env::var(k).ok()) {
            Ok(s) => connect_with(app, &s),
            Err(e) => {
                app.chat.entries.push(Entry::Error(e.to_string()));
                set(
                    &mut app.chat,
                    Box::new(ai::offline::Offline::new()),
                    Vec::new(),
                );
                app.chat
                    .entries
                    .push(Entry::Note("the offline assistant answers instead".into()));
            }
        }
    }
}

/// The chat's registry commands.
pub fn run(app: &mut App, cmd: Cmd) {
    match cmd {
        Cmd::ViewChat => {
            if matches!(app.mode, Mode::Visual | Mode::Insert | Mode::Play) {
                app.mode = Mode::Normal;
            }
            // With the panel beside the view, typing goes there; else to the chat view.
            if app.chat_panel_area().is_none() {
                app.view = ViewKind::Chat;
            }
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
                app.info("Chat panel on (g i types into it, :chat panel hides it)");
            } else {
                app.chat.typing = false;
                app.info("Chat panel off");
            }
        }
        Cmd::ChatType => start_typing(app),
        Cmd::ChatApply => apply(app),
        Cmd::ChatAudition => audition(app),
        // Esc in the chat's normal mode stops a running request first.
        Cmd::NormalMode if !cancel(app) => app.mode = Mode::Normal,
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
            if let Some(f) = measure_figures(req.project.as_deref(), &dir, Some(ctx.cancel_flag()))
            {
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
            // Both flags: the provider's, and the job's (a render for figures checks it).
            p.cancel.cancel();
            p.cancelling = true;
            app.jobs.cancel(p.job);
            true
        }
        None => false,
    }
}

/// Whether keys (and pastes) go to the chat's input.
pub fn typing(app: &App) -> bool {
    app.chat.typing && app.mode == Mode::Insert && shown(app)
}

/// Whether the reducer hands `cmd` to [`run`]: the chat's commands, and Esc while the chat
/// shows a running request.
pub fn handles(app: &App, cmd: Cmd) -> bool {
    match cmd {
        Cmd::ViewChat | Cmd::ChatPanel | Cmd::ChatType | Cmd::ChatApply | Cmd::ChatAudition => true,
        Cmd::NormalMode => app.view == ViewKind::Chat && app.chat.busy(),
        _ => false,
    }
}

/// Quitting: the request and the audition stop.
pub fn quit(app: &mut App) {
    cancel(app);
    stop_audition(app);
}

/// After every input: the chat reads its conversation and connects the first time it shows,
/// and stops typing when it no longer shows (another view, a narrower terminal) or the mode
/// changed under it.
pub fn after_update(app: &mut App) {
    if shown(app) {
        ensure_open(app);
    }
    if app.chat.typing && !typing(app) {
        app.chat.typing = false;
        if app.mode == Mode::Insert {
            app.mode = Mode::Normal;
        }
    }
}

/// Pasted text while typing into the chat.
pub fn paste(app: &mut App, text: &str) {
    chat::paste(&mut app.chat, text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn only_questions_about_the_mix_measure() {
        assert!(wants_figures("How is my MIX?"));
        assert!(wants_figures("is it too loud for spotify"));
        assert!(wants_figures("mastering advice please"));
        assert!(!wants_figures("chords in A minor"));
        assert!(!wants_figures("a house beat, 8 bars"));
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
        let s = settings(&config, &Default::default(), |k| {
            (k == "OPENAI_API_KEY").then(|| "sk-env-111111".to_string())
        })
        .unwrap();
        assert_eq!(s.provider, Some(ai::ProviderKind::Anthropic));
        assert_eq!(s.openai_key.as_deref(), Some("sk-env-111111"));
        assert_eq!(s.anthropic_key.as_deref(), Some("ak-file-000000"));
        assert_eq!(s.timeout, Duration::from_secs(5));
        assert!(!format!("{s:?}").contains("111111"));
    }
}
