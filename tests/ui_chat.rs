//! The chat with the assistant in the TUI: open it, type, send, the answer on screen; the
//! conversation kept per project across sessions (the index); Esc cancelling a slow provider
//! without the UI waiting; a proposed change shown as its diff, applied as one undo step, taken
//! back by `u`, refused when the project changed meanwhile; the panel beside the arrange view;
//! and a configured key never on screen nor in the index.

mod ui_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::Duration;
use tdaw::ai::{AiError, Assistant, Cancel, Reply, Request, Settings, Suggestion, ToolCall};
use tdaw::model::{Project, Track, TrackId, TrackKind};
use tdaw::ui::keymap::{Mode, ViewKind};
use tdaw::ui::views::chat::Entry;
use tdaw::ui::{assistant, App};
use ui_support::{app_with, press, text, with_null_engine};

/// One data dir for the whole test binary (the chat is kept in its index).
fn home() -> &'static std::path::Path {
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        let h = tempfile::tempdir().unwrap();
        std::env::set_var("TDAW_HOME", h.path());
        h
    })
    .path()
}

fn project() -> Project {
    let mut p = Project::new("Chat", 48_000, 120.0);
    p.tracks
        .push(Track::new(TrackId(1), "Bass", TrackKind::Midi));
    p
}

/// An App on [`project`] whose assistant is `a` (never one from the environment).
fn app_on(dir: &std::path::Path, a: Box<dyn Assistant>) -> App {
    home();
    let mut app = app_with(project(), dir);
    assistant::set_assistant(&mut app, a);
    app
}

/// A second session on the folder of [`app_on`] (the folder exists already).
fn reopen(dir: &std::path::Path) -> App {
    let theme =
        tdaw::ui::theme::Theme::load("dark", tdaw::ui::theme::ColorDepth::TrueColor).unwrap();
    let p = tdaw::store::load_project(dir).unwrap();
    let mut app = App::new(p, dir, tdaw::ui::keymap::Keymap::defaults(), theme);
    assistant::set_assistant(&mut app, Box::new(tdaw::ai::offline::Offline::new()));
    app
}

fn settle(app: &mut App) {
    assert!(tdaw::ui::wait_for_jobs(app, Duration::from_secs(20)));
}

/// A provider that answers with fixed text and calls, in two pieces.
struct Fixed {
    text: &'static str,
    calls: Vec<ToolCall>,
}

impl Assistant for Fixed {
    fn provider(&self) -> &'static str {
        "fake"
    }
    fn model(&self) -> &str {
        "fixed-1"
    }
    fn ask(
        &mut self,
        _req: &Request,
        on_text: &mut dyn FnMut(&str),
        _cancel: &Cancel,
    ) -> Result<Reply, AiError> {
        let (a, b) = self.text.split_at(self.text.len() / 2);
        on_text(a);
        on_text(b);
        Ok(Reply {
            text: self.text.into(),
            suggestion: Suggestion::Text,
            calls: self.calls.clone(),
        })
    }
}

/// A provider that never answers until it is cancelled.
struct Slow;

impl Assistant for Slow {
    fn provider(&self) -> &'static str {
        "slow"
    }
    fn model(&self) -> &str {
        "never"
    }
    fn ask(
        &mut self,
        _: &Request,
        on_text: &mut dyn FnMut(&str),
        c: &Cancel,
    ) -> Result<Reply, AiError> {
        on_text("Thinking about it");
        while !c.is_cancelled() {
            std::thread::sleep(Duration::from_millis(5));
        }
        Err(AiError::Cancelled)
    }
}

fn call(id: &str, name: &str, args: serde_json::Value) -> ToolCall {
    ToolCall {
        id: id.into(),
        name: name.into(),
        args,
    }
}

/// A reply that adds a MIDI track "Keys" with a one-bar clip of three notes and sets 90 BPM.
fn keys_reply() -> Fixed {
    Fixed {
        text: "Here is a C major triad on a new Keys track, at 90 BPM.",
        calls: vec![
            call(
                "c1",
                "add_track",
                serde_json::json!({"name": "Keys", "kind": "midi", "instrument": 0}),
            ),
            call(
                "c2",
                "write_clip",
                serde_json::json!({"track": "Keys", "start_beat": 0, "length_beats": 4, "name": "Triad",
                    "notes": [
                        {"pitch": 60, "start_beat": 0, "length_beats": 4, "velocity": 90},
                        {"pitch": 64, "start_beat": 0, "length_beats": 4, "velocity": 90},
                        {"pitch": 67, "start_beat": 0, "length_beats": 4, "velocity": 90}]}),
            ),
            call("c3", "set_tempo", serde_json::json!({"bpm": 90})),
        ],
    }
}

#[test]
fn open_type_send_and_the_offline_answer_shows() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(dir.path(), Box::new(tdaw::ai::offline::Offline::new()));
    press(&mut app, "gi");
    assert_eq!(app.view, ViewKind::Chat);
    assert_eq!(app.mode, Mode::Insert);
    assert!(app.chat.typing);
    let screen = text(&mut app, 120, 40);
    assert!(screen.contains("Chat  offline · music-theory"), "{screen}");
    assert!(screen.contains("enter sends"), "{screen}");
    press(&mut app, "what can you do?");
    assert!(text(&mut app, 120, 40).contains("what can you do?"));
    press(&mut app, "<ret>");
    settle(&mut app);
    let answer = match app.chat.entries.last() {
        Some(Entry::Assistant(t)) => t.clone(),
        other => panic!("no answer: {other:?}"),
    };
    assert!(!answer.is_empty());
    let screen = text(&mut app, 120, 40);
    assert!(screen.contains("you"), "{screen}");
    assert!(screen.contains("what can you do?"), "{screen}");
    let first: String = answer.lines().next().unwrap().chars().take(40).collect();
    let first = first.split(' ').take(4).collect::<Vec<_>>().join(" ");
    assert!(screen.contains(&first), "{first:?} not in\n{screen}");
    // Still typing: the input is empty again for the next question.
    assert!(app.chat.input.is_empty());
    assert!(app.chat.typing);
}

#[test]
fn the_conversation_is_kept_per_project_across_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    {
        let mut app = app_on(
            dir.path(),
            Box::new(Fixed {
                text: "Try Am F C G.",
                calls: Vec::new(),
            }),
        );
        press(&mut app, "gichords for a sad song<ret>");
        settle(&mut app);
    }
    let mut again = reopen(dir.path());
    press(&mut again, ":chat<ret>");
    assert_eq!(
        again.chat.entries,
        vec![
            Entry::You("chords for a sad song".into()),
            Entry::Assistant("Try Am F C G.".into())
        ]
    );
    let screen = text(&mut again, 120, 40);
    assert!(screen.contains("chords for a sad song"), "{screen}");
    assert!(screen.contains("Try Am F C G."), "{screen}");
    // Another project has its own (empty) conversation.
    let mut elsewhere = app_on(other.path(), Box::new(tdaw::ai::offline::Offline::new()));
    press(&mut elsewhere, "gi");
    assert!(elsewhere.chat.entries.is_empty());
    // :chat clear forgets it.
    press(&mut again, "<esc>:chat clear<ret>");
    let mut third = reopen(dir.path());
    press(&mut third, "gi");
    assert!(third.chat.history().is_empty());
}

#[test]
fn esc_cancels_a_slow_provider_and_the_ui_never_waits() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(dir.path(), Box::new(Slow));
    let t = std::time::Instant::now();
    press(&mut app, "gitake your time<ret>");
    // The key returned at once: the request runs on the worker.
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(app.chat.busy());
    // The first piece streams in while it still runs.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while app.chat.pending.as_ref().is_some_and(|p| p.text.is_empty()) {
        assert!(std::time::Instant::now() < deadline, "no text streamed");
        tdaw::ui::run_jobs(&mut app);
        std::thread::sleep(Duration::from_millis(5));
    }
    let screen = text(&mut app, 120, 40);
    assert!(screen.contains("esc cancels"), "{screen}");
    assert!(screen.contains("Thinking about it"), "{screen}");
    // A second question waits for the first.
    press(&mut app, "again<ret>");
    assert!(
        app.status.text.contains("still answering"),
        "{}",
        app.status.text
    );
    press(&mut app, "<esc>");
    settle(&mut app);
    assert!(!app.chat.busy());
    assert_eq!(
        app.chat.entries.last(),
        Some(&Entry::Note("cancelled".into()))
    );
    assert!(text(&mut app, 120, 40).contains("cancelled"));
    // Esc again (nothing runs) stops typing.
    press(&mut app, "<esc>");
    assert_eq!(app.mode, Mode::Normal);
    assert!(!app.chat.typing);
}

#[test]
fn a_proposed_change_shows_its_diff_applies_as_one_undo_step_and_u_takes_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(dir.path(), Box::new(keys_reply()));
    let before = app.project.clone();
    press(&mut app, "gia triad please<ret>");
    settle(&mut app);
    // Shown, not applied.
    assert_eq!(app.project, before);
    let set = tdaw::ai::change::ChangeSet::build(&before, &keys_reply().calls).unwrap();
    let screen = text(&mut app, 160, 48);
    assert!(screen.contains("Proposed change"), "{screen}");
    for line in set.diff() {
        let l = line.to_string();
        let head: String = l.chars().take(60).collect();
        assert!(
            screen.contains(head.trim_end()),
            "{head:?} not in\n{screen}"
        );
    }
    assert!(screen.contains("a applies it as one undo step"), "{screen}");
    let undo_before = app.history.undo_len();
    press(&mut app, "<esc>a");
    assert!(!app.status.error, "{}", app.status.text);
    assert_eq!(app.history.undo_len(), undo_before + 1);
    let keys = app
        .project
        .tracks
        .iter()
        .find(|t| t.name == "Keys")
        .unwrap();
    assert_eq!(keys.clips.len(), 1);
    assert_eq!(app.project.tempo.bpm_at(0.0), 90.0);
    assert_eq!(&app.project, set.result());
    assert!(app.unsaved());
    assert!(text(&mut app, 160, 48).contains("applied · u takes all of it back"));
    // Applying twice does nothing more.
    press(&mut app, "a");
    assert!(app.status.error);
    assert_eq!(app.history.undo_len(), undo_before + 1);
    press(&mut app, "u");
    assert_eq!(app.project, before);
    assert!(!app.unsaved());
    // Undone, it is a proposal again (not "applied"), and `a` applies it anew; redo marks it
    // applied again.
    let screen = text(&mut app, 160, 48);
    assert!(!screen.contains("applied · u takes"), "{screen}");
    assert!(screen.contains("a applies it as one undo step"), "{screen}");
    press(&mut app, "<C-r>");
    assert_eq!(&app.project, set.result());
    assert!(text(&mut app, 160, 48).contains("applied · u takes all of it back"));
    press(&mut app, "ua");
    assert!(!app.status.error, "{}", app.status.text);
    assert_eq!(&app.project, set.result());
}

#[test]
fn a_change_made_meanwhile_refuses_the_apply() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(dir.path(), Box::new(keys_reply()));
    press(&mut app, "gia triad please<ret>");
    settle(&mut app);
    press(&mut app, "<esc>:bpm 100<ret>");
    let edited = app.project.clone();
    let undo = app.history.undo_len();
    press(&mut app, "a");
    assert!(app.status.error);
    assert!(
        app.status.text.contains("changed since"),
        "{}",
        app.status.text
    );
    assert_eq!(app.project, edited);
    assert_eq!(app.history.undo_len(), undo);
    // Undoing the change made meanwhile makes the proposal apply again.
    press(&mut app, "ua");
    assert!(app.project.tracks.iter().any(|t| t.name == "Keys"));
}

#[test]
fn a_change_that_does_not_build_is_one_error_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = Fixed {
        text: "Louder!",
        calls: vec![call(
            "c1",
            "set_track",
            serde_json::json!({"track": "Nope", "gain_db": 3}),
        )],
    };
    let mut app = app_on(dir.path(), Box::new(bad));
    let before = app.project.clone();
    press(&mut app, "gimake it louder<ret>");
    settle(&mut app);
    assert!(app.chat.proposal.is_none());
    match app.chat.entries.last() {
        Some(Entry::Error(e)) => assert!(e.contains("does not apply"), "{e}"),
        other => panic!("{other:?}"),
    }
    press(&mut app, "<esc>a");
    assert!(app.status.error);
    assert_eq!(app.project, before);
}

#[test]
fn ai_on_the_command_line_asks_and_the_panel_shows_beside_the_arrange_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(
        dir.path(),
        Box::new(Fixed {
            text: "Four on the floor.",
            calls: Vec::new(),
        }),
    );
    press(&mut app, ":ai a house beat<ret>");
    assert_eq!(app.view, ViewKind::Arrange);
    assert!(
        app.status.text.contains("g i shows the answer"),
        "{}",
        app.status.text
    );
    settle(&mut app);
    assert_eq!(
        app.chat.entries.last(),
        Some(&Entry::Assistant("Four on the floor.".into()))
    );
    press(&mut app, ":chat panel<ret>");
    let screen = text(&mut app, 160, 48);
    let row = screen.lines().nth(2).unwrap();
    // The arrange view on the left, the chat on the right third.
    assert!(row.contains("Chat  fake · fixed-1"), "{screen}");
    assert!(screen.contains("Four on the floor."), "{screen}");
    assert!(screen.contains("Bass"), "{screen}");
    assert_eq!(app.main_area().width, 160 - 53);
    // Too narrow for a panel: the arrange view alone.
    let narrow = text(&mut app, 100, 30);
    assert!(!narrow.contains("Four on the floor."), "{narrow}");
    assert_eq!(app.main_area().width, 100);
    // With the panel showing, g i types into it and the arrange view stays.
    text(&mut app, 160, 48);
    press(&mut app, "gimore<ret>");
    assert_eq!(app.view, ViewKind::Arrange);
    assert!(app.chat.typing);
    settle(&mut app);
    assert_eq!(app.chat.history().len(), 4);
    press(&mut app, "<esc>");
    assert_eq!(app.mode, Mode::Normal);
    // Keys are the arrange view's again; tab cycles through the views to the chat and on.
    press(&mut app, "<tab><tab><tab>");
    assert_eq!(app.view, ViewKind::Chat);
    press(&mut app, "<tab>");
    assert_eq!(app.view, ViewKind::Arrange);
    press(&mut app, ":ai<ret>");
    assert!(app.status.error);
}

/// A fake OpenAI-compatible server on 127.0.0.1: answers every request with one plain
/// completion, and hands back what it received.
fn fake_openai() -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut head = String::new();
            let mut len = 0;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; len];
            let _ = r.read_exact(&mut body);
            let _ = tx.send(format!("{head}\n{}", String::from_utf8_lossy(&body)));
            let reply = r#"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the fake server."},"finish_reason":"stop"}]}"#;
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    (url, rx)
}

#[test]
fn a_configured_key_is_never_on_screen_nor_in_the_index() {
    let key = "sk-chat-test-5f0c2a9e77d1";
    let dir = tempfile::tempdir().unwrap();
    home();
    let (url, _seen) = fake_openai();
    let mut app = app_with(project(), dir.path());
    let settings = Settings {
        provider: Some(tdaw::ai::ProviderKind::OpenaiCompatible),
        model: Some("local-model".into()),
        base_url: Some(url),
        openai_key: Some(key.into()),
        timeout: Duration::from_secs(5),
        ..Settings::default()
    };
    assistant::connect_with(&mut app, &settings);
    press(&mut app, "gi");
    press(&mut app, &format!("is my key {key} safe?<ret>"));
    settle(&mut app);
    let screen = text(&mut app, 160, 48);
    assert!(
        screen.contains("Chat  openai-compatible · local-model"),
        "{screen}"
    );
    assert!(screen.contains("is my key **** safe?"), "{screen}");
    assert!(!screen.contains(key), "{screen}");
    // The index holds the masked prompt and the answer, never the key.
    for e in std::fs::read_dir(home()).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            let bytes = std::fs::read(&p).unwrap();
            let found = bytes.windows(key.len()).any(|w| w == key.as_bytes());
            assert!(!found, "the key is in {}", p.display());
        }
    }
    for e in app.chat.entries.iter() {
        assert!(!format!("{e:?}").contains(key));
    }
}

#[test]
fn the_conversation_scrolls_and_p_says_what_it_cannot_play() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(dir.path(), Box::new(tdaw::ai::offline::Offline::new()));
    press(&mut app, "gi<esc>");
    for i in 0..60 {
        app.chat
            .entries
            .push(Entry::You(format!("question number {i}")));
    }
    let bottom = text(&mut app, 120, 40);
    assert!(bottom.contains("question number 59"), "{bottom}");
    assert!(!bottom.contains("question number 0\n"));
    press(&mut app, "gg");
    let top = text(&mut app, 120, 40);
    assert!(top.contains("question number 0 "), "{top}");
    assert!(!top.contains("question number 59"), "{top}");
    press(&mut app, "G5k");
    let up = text(&mut app, 120, 40);
    assert!(!up.contains("question number 59"), "{up}");
    press(&mut app, "<C-e><C-e><C-e><C-e><C-e>");
    assert!(text(&mut app, 120, 40).contains("question number 59"));
    // Nothing proposed: nothing to apply or play.
    press(&mut app, "p");
    assert!(
        app.status.error && app.status.text.contains("no proposed"),
        "{}",
        app.status.text
    );
    press(&mut app, "a");
    assert!(
        app.status.error && app.status.text.contains("no proposed"),
        "{}",
        app.status.text
    );
}

#[test]
fn p_auditions_the_proposal_only_with_an_engine() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(dir.path(), Box::new(keys_reply()));
    press(&mut app, "gia triad please<ret>");
    settle(&mut app);
    let notes = &app.chat.proposal.as_ref().unwrap().notes;
    // The three notes of the clip, on the track the change adds (not yet in the project).
    assert_eq!(notes.len(), 3);
    let keys = notes[0].0;
    assert!(app.project.track(keys).is_none());
    assert_eq!(
        notes.iter().map(|n| n.1.pitch).collect::<Vec<_>>(),
        vec![60, 64, 67]
    );
    press(&mut app, "<esc>p");
    assert!(
        app.status.text.contains("no audio engine"),
        "{}",
        app.status.text
    );
    assert!(app.chat.audition.is_none());
}

#[test]
fn p_plays_the_proposed_notes_through_the_engine_and_p_again_stops() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(dir.path(), Box::new(keys_reply()));
    with_null_engine(&mut app);
    press(&mut app, "gia triad please<ret>");
    settle(&mut app);
    press(&mut app, "<esc>p");
    assert!(app.status.text.contains("p stops"), "{}", app.status.text);
    // The first events are due at once: the triad sounds on the new track.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while app
        .chat
        .audition
        .as_ref()
        .is_some_and(|a| a.sounding.len() < 3)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the triad never sounded"
        );
        tdaw::ui::run_jobs(&mut app);
        std::thread::sleep(Duration::from_millis(5));
    }
    // The engine plays it: the master meter moves.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while app.meters.master.peak[0] <= 0.0 {
        assert!(std::time::Instant::now() < deadline, "nothing was heard");
        tdaw::ui::update(&mut app, tdaw::ui::Action::Tick);
        std::thread::sleep(Duration::from_millis(20));
    }
    // Nothing was applied meanwhile.
    assert!(!app.project.tracks.iter().any(|t| t.name == "Keys"));
    press(&mut app, "p");
    assert!(app.chat.audition.is_none());
    assert_eq!(app.status.text, "Audition stopped");
}

#[test]
fn esc_after_sending_cancels_then_leaves_typing_so_u_undoes_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(dir.path(), Box::new(tdaw::ai::offline::Offline::new()));
    press(&mut app, ":bpm 97<ret>");
    press(&mut app, "gichords in A minor<ret>");
    assert!(app.chat.typing && app.chat.busy(), "asked, still typing");
    // The first Esc stops the request; the second stops typing, whatever the worker is doing.
    press(&mut app, "<esc><esc>");
    assert!(!app.chat.typing);
    assert_eq!(app.mode, Mode::Normal);
    press(&mut app, "u");
    assert_eq!(app.status.text, "Undid tempo");
}
