//! `tdaw ai`: one question to the assistant (CONTRACT.md). The project (`--project`) is read,
//! summarized into the request and never written unless `--apply` is given: a reply's tool
//! calls become one change set, printed as a diff (and under `"changes"` with `--json`);
//! `--apply` makes it as ONE edit through `cli::edit_project`, refused when `project.toml`
//! changed since it was read. Text streams to stdout as it arrives (not with `--json`);
//! Ctrl-C cancels the request. Errors are one line; an API key is never printed.

use crate::ai::change::ChangeSet;
use crate::ai::{self, context, Cancel, Request, Settings};
use crate::model::Project;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Arguments of `tdaw ai`.
#[derive(clap::Args)]
pub struct Args {
    /// The project the question is about (its summary goes with the question; a proposed
    /// change is made to it).
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// offline (the default when no key is configured), openai, anthropic or openai-compatible.
    #[arg(long, value_enum)]
    pub provider: Option<crate::ai::ProviderKind>,
    /// The model name (the provider's default when absent).
    #[arg(long)]
    pub model: Option<String>,
    /// The server's base URL (openai-compatible: e.g. http://127.0.0.1:11434/v1).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Print the structured suggestion as JSON (with the proposed change under "changes").
    #[arg(long)]
    pub json: bool,
    /// Apply the proposed change to the project as one undo step (without it: print the diff).
    #[arg(long)]
    pub apply: bool,
    /// The question.
    pub prompt: String,
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Ctrl-C (and SIGTERM/SIGHUP) cancel the request: the handler only sets an atomic, and a
/// watcher thread passes it on to `cancel` (a signal handler cannot reach the `Arc`).
fn cancel_on_signal(cancel: &Cancel) {
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        for sig in [libc::SIGINT, libc::SIGHUP, libc::SIGTERM] {
            libc::signal(
                sig,
                on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }
    let cancel = cancel.clone();
    std::thread::spawn(move || loop {
        if INTERRUPTED.load(Ordering::SeqCst) {
            cancel.cancel();
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    });
}

/// The provider settings from the flags, the `[ai]` table of config.toml and the
/// environment, as the chat pane reads them.
fn settings(args: &Args) -> anyhow::Result<Settings> {
    let config = crate::config::Config::load().map_err(anyhow::Error::msg)?;
    let flags = ai::settings::Flags {
        provider: args.provider,
        model: args.model.clone(),
        base_url: args.base_url.clone(),
    };
    crate::ui::assistant::settings(&config.ai, &flags, |k| std::env::var(k).ok())
        .map_err(|e| anyhow::anyhow!("{e}"))
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if args.apply && args.project.is_none() {
        anyhow::bail!("--apply needs --project DIR: there is no project to change");
    }
    if args.prompt.trim().is_empty() {
        anyhow::bail!("the question is empty: tdaw ai \"PROMPT\"");
    }
    // Read only: nothing is written unless --apply.
    let project: Option<Project> = match &args.project {
        Some(dir) => Some(crate::store::load_project_allow_missing(dir)?.0),
        None => None,
    };
    let settings = settings(&args)?;
    let mut assistant = ai::connect(&settings).map_err(|e| anyhow::anyhow!("{e}"))?;
    let cancel = Cancel::default();
    cancel_on_signal(&cancel);

    let mut req = Request {
        prompt: args.prompt.clone(),
        project: project.clone().map(Arc::new),
        ..Request::default()
    };
    // Figures cost a render of the project: measured only for a question about the mix.
    if let (Some(p), Some(dir)) = (&project, &args.project) {
        if crate::ui::assistant::wants_figures(&args.prompt) {
            req.figures = crate::ui::assistant::measure_figures(Some(p), dir, None);
        }
    }
    if let Some(p) = &project {
        req.context = context::summarize(p, &req);
    }
    let json = args.json;
    let mut out = std::io::stdout();
    let mut last = '\n';
    let mut on_text = |piece: &str| {
        if !json && !piece.is_empty() {
            let _ = out.write_all(piece.as_bytes());
            let _ = out.flush();
            last = piece.chars().last().unwrap_or(last);
        }
    };
    let reply = assistant
        .ask(&req, &mut on_text, &cancel)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if !json && last != '\n' {
        println!();
    }

    let set = match (&project, reply.calls.is_empty()) {
        (Some(p), false) => Some(
            ChangeSet::build(p, &reply.calls)
                .map_err(|e| anyhow::anyhow!("the proposed change was refused: {e}"))?,
        ),
        _ => None,
    };
    let change = set.as_ref().filter(|s| !s.is_empty());
    let mut applied = false;
    if let (true, Some(set), Some(dir)) = (args.apply, change, &args.project) {
        super::edit_project(dir, "assistant", |current| {
            set.edit_for(current).map(|e| (e, ()))
        })?;
        applied = true;
    }

    if json {
        let mut v = serde_json::to_value(&reply.suggestion)?;
        if let Value::Object(o) = &mut v {
            o.insert("provider".into(), assistant.provider().into());
            o.insert("model".into(), assistant.model().into());
            o.insert("text".into(), reply.text.clone().into());
            o.insert(
                "changes".into(),
                set.as_ref()
                    .map_or(Value::Array(Vec::new()), ChangeSet::to_json),
            );
            o.insert("applied".into(), applied.into());
        }
        println!("{v}");
        return Ok(());
    }
    match change {
        Some(set) => {
            println!("\nProposed change:");
            print!("{}", set.diff_text());
            if applied {
                println!("applied as one undo step");
            } else {
                println!("run again with --apply to make this change");
            }
        }
        None if !reply.calls.is_empty() && project.is_none() => {
            eprintln!("the answer proposes a change: run again with --project DIR to see it");
        }
        None if args.apply => eprintln!("nothing to apply: the answer proposes no change"),
        None => {}
    }
    Ok(())
}
