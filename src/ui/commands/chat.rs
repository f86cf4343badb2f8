//! `:chat` and `:ai`: the chat with the assistant from the command line. `:chat` opens the
//! chat (or, with a word, shows its panel, applies or plays the proposed change, forgets the
//! conversation); `:ai PROMPT` asks without opening it (the answer shows in the chat). The work
//! is `ui::assistant`'s; the table lists both commands from here.

use super::spec::{arg, form, opt, Args, Command, Kind, Run};
use crate::ui::action::Cmd;
use crate::ui::app::App;
use crate::ui::assistant;
use crate::ui::views::chat::Entry;

/// `:chat [panel|apply|play|clear]`.
pub(super) const CHAT: Command = Command {
    name: "chat",
    aliases: &[],
    synopsis: "[panel|apply|play|clear]",
    args: &[opt(
        "WHAT",
        Kind::Forms(&[
            form("panel", &[]),
            form("apply", &[]),
            form("play", &[]),
            form("clear", &[]),
        ]),
    )],
    doc: "Chat with the assistant; panel: beside the arrange view; apply/play the proposed change; clear: forget this project's chat",
    run: Run::Handler(chat),
    keys: &[],
    quits: false,
};

/// `:ai PROMPT`.
pub(super) const AI: Command = Command {
    name: "ai",
    aliases: &[],
    synopsis: "PROMPT",
    args: &[arg("PROMPT", Kind::Text)],
    doc: "Ask the assistant (the answer, and any change it proposes, show in the chat)",
    run: Run::Handler(ai),
    keys: &[],
    quits: false,
};

fn chat(app: &mut App, args: &Args) -> Result<(), String> {
    match args.rest {
        "" => assistant::run(app, Cmd::ViewChat),
        "panel" => assistant::run(app, Cmd::ChatPanel),
        "apply" => assistant::run(app, Cmd::ChatApply),
        "play" => assistant::run(app, Cmd::ChatAudition),
        "clear" => {
            if app.chat.busy() {
                return Err("the assistant is still answering: esc cancels it".into());
            }
            crate::store::index::Index::open()
                .and_then(|mut i| i.chat_clear(&app.dir))
                .map_err(|e| format!("the chat could not be cleared: {e}"))?;
            assistant::stop_audition(app);
            app.chat.entries.clear();
            app.chat.proposal = None;
            app.chat
                .entries
                .push(Entry::Note("(this project's chat was cleared)".into()));
            app.info("Chat cleared");
        }
        other => {
            return Err(format!(
                ":chat {other}: expected panel, apply, play or clear"
            ))
        }
    }
    Ok(())
}

fn ai(app: &mut App, args: &Args) -> Result<(), String> {
    if args.rest.is_empty() {
        return Err(":ai needs a question, e.g. :ai chords in A minor".into());
    }
    assistant::ask(app, args.rest);
    if !assistant::shown(app) {
        app.info("Asked the assistant: g i shows the answer");
    }
    Ok(())
}
