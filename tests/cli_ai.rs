//! `tdaw ai` end to end with the real binary: offline (text, and the `--json` shape of
//! CONTRACT.md), and against a fake OpenAI server on 127.0.0.1 that answers with tool calls —
//! without `--apply` the diff is printed and project.toml stays byte-identical; with `--apply`
//! the change is made in one save; a project changed on disk while the assistant answered is
//! refused; a bad call refuses the whole change; the API key shows in no output and no file.

mod cli_support;

use cli_support::Env;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

const KEY: &str = "sk-test-9f8e7d6c5b4a-DO-NOT-LEAK";

/// A fake OpenAI chat-completions server: answers every request with `reply` (a non-streamed
/// completion), after running `before_reply` (to change the project meanwhile). Records the
/// requests' (request line and headers, body).
struct FakeOpenAi {
    url: String,
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

impl FakeOpenAi {
    fn start(reply: Value, before_reply: impl Fn() + Send + 'static) -> FakeOpenAi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut head = String::new();
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                log.lock()
                    .unwrap()
                    .push((head, String::from_utf8_lossy(&body).into_owned()));
                before_reply();
                let text = reply.to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                );
            }
        });
        FakeOpenAi { url, seen }
    }
}

/// A completion whose message says `text` and calls `calls` (name, arguments).
fn completion(text: &str, calls: &[(&str, Value)]) -> Value {
    let tool_calls: Vec<Value> = calls
        .iter()
        .enumerate()
        .map(|(i, (name, args))| {
            json!({"id": format!("call_{i}"), "type": "function",
                   "function": {"name": name, "arguments": args.to_string()}})
        })
        .collect();
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini",
        "choices": [{"index": 0, "finish_reason": "tool_calls",
                     "message": {"role": "assistant", "content": text, "tool_calls": tool_calls}}],
    })
}

fn chords_reply() -> Value {
    let notes: Vec<Value> = [57, 60, 64, 53, 57, 60, 48, 52, 55, 55, 59, 62]
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"pitch": p, "start_beat": (i / 3) * 4, "length_beats": 4, "velocity": 80}))
        .collect();
    completion(
        "Here is an Am F C G progression on a new piano track.",
        &[
            (
                "add_track",
                json!({"name": "Chords", "kind": "midi", "instrument": 0}),
            ),
            (
                "write_clip",
                json!({"track": "Chords", "start_beat": 0, "length_beats": 16, "notes": notes}),
            ),
            ("set_tempo", json!({"bpm": 90})),
        ],
    )
}

fn setup() -> Env {
    let env = Env::new();
    env.ok(&["new", &env.d()]);
    env.ok(&["track", "add", &env.d(), "Bass", "--midi"]);
    env
}

fn ai(env: &Env, server: &FakeOpenAi, extra: &[&str]) -> (i32, String, String) {
    let d = env.d();
    let mut args = vec![
        "ai",
        "--project",
        &d,
        "--provider",
        "openai",
        "--base-url",
        &server.url,
    ];
    args.extend_from_slice(extra);
    let out = env.cmd(&args).env("OPENAI_API_KEY", KEY).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// No file under `root` holds the key.
fn key_in_no_file(root: &Path) {
    for entry in walk(root) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        let hay = String::from_utf8_lossy(&bytes);
        assert!(!hay.contains(KEY), "the key is in {}", entry.display());
    }
}

fn walk(root: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn offline_answers_in_text_and_json() {
    let env = setup();
    let out = env.ok(&["ai", "--provider", "offline", "what are the notes of Am7?"]);
    assert!(!out.trim().is_empty());
    let before = env.bytes();
    let out = env.ok(&[
        "ai",
        "--project",
        &env.d(),
        "--provider",
        "offline",
        "--json",
        "give me a chord progression in A minor",
    ]);
    let v: Value = serde_json::from_str(out.trim()).expect("one JSON object");
    let kind = v["kind"].as_str().unwrap();
    assert!(
        ["chords", "melody", "drums", "advice", "text"].contains(&kind),
        "{kind}"
    );
    assert_eq!(v["provider"], "offline");
    assert!(v["text"].is_string());
    assert!(v["changes"].is_array());
    assert_eq!(v["applied"], false);
    if kind == "chords" {
        assert!(v["key"].is_string() && v["chords"].is_array(), "{v}");
    }
    assert_eq!(env.bytes(), before, "read only without --apply");
}

#[test]
fn bad_invocations_are_one_line() {
    let env = setup();
    let (code, _, err) = env.run(&["ai", "--apply", "--provider", "offline", "x"]);
    assert_ne!(code, 0);
    assert_eq!(
        err.trim(),
        "error: --apply needs --project DIR: there is no project to change"
    );
    let (code, _, err) = env.run(&["ai", "--project", "/nonexistent/x", "hello"]);
    assert_ne!(code, 0);
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn tool_calls_without_apply_print_the_diff_and_change_nothing() {
    let env = setup();
    let server = FakeOpenAi::start(chords_reply(), || {});
    let before = env.bytes();
    let (code, out, err) = ai(&env, &server, &["add some chords"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Here is an Am F C G progression"), "{out}");
    assert!(
        out.contains(
            "Proposed change:\n\
             + track 'Chords' (MIDI, Acoustic Grand Piano (GM 0))\n\
             + clip 'Chords' on 'Chords' at bar 1, 16 beats, 12 notes\n\
             ~ tempo 120 → 90\n\
             run again with --apply to make this change\n"
        ),
        "{out}"
    );
    assert_eq!(env.bytes(), before, "project.toml changed without --apply");

    // The request carried the tools and the project's summary; the key only in its header.
    let seen = server.seen.lock().unwrap();
    let (head, body) = &seen[0];
    assert!(head.starts_with("POST /v1/chat/completions"), "{head}");
    let req: Value = serde_json::from_str(body).unwrap();
    let names: Vec<&str> = req["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    assert!(names.contains(&"write_clip"), "{names:?}");
    assert!(
        body.contains("Bass"),
        "the context names the project's tracks"
    );
    assert!(!body.contains(KEY), "the key is in the request body");
    assert!(!out.contains(KEY) && !err.contains(KEY));
    key_in_no_file(env.tmp.path());
}

#[test]
fn apply_makes_the_change_in_one_edit() {
    let env = setup();
    let server = FakeOpenAi::start(chords_reply(), || {});
    let backups = |env: &Env| walk(&env.dir().join(".tdaw")).len();
    let saves_before = backups(&env);
    let (code, out, err) = ai(&env, &server, &["--apply", "add some chords"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("applied as one undo step"), "{out}");
    let p = env.project();
    assert_eq!(p.tempo.initial_bpm(), 90.0);
    let t = p.tracks.iter().find(|t| t.name == "Chords").expect("track");
    assert_eq!(t.note_count(), 12);
    assert_eq!(
        backups(&env),
        saves_before + 1,
        "one save, not one per call"
    );

    // --json: one object with the diff under "changes", applied.
    let server = FakeOpenAi::start(
        completion(
            "Muting the bass.",
            &[("set_track", json!({"track": "Bass", "mute": true}))],
        ),
        || {},
    );
    let (code, out, err) = ai(&env, &server, &["--json", "--apply", "mute the bass"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["kind"], "text");
    assert_eq!(v["provider"], "openai");
    assert_eq!(v["text"], "Muting the bass.");
    assert_eq!(v["applied"], true);
    assert_eq!(
        v["changes"],
        json!([{"op": "change", "what": "track", "text": "'Bass': mute on"}])
    );
    assert!(env.project().tracks[0].mute);
    assert!(!out.contains(KEY) && !err.contains(KEY));
    key_in_no_file(env.tmp.path());
}

#[test]
fn a_project_changed_meanwhile_is_refused() {
    let env = setup();
    let dir = env.dir();
    let home = env.tmp.path().join("home");
    // While the assistant "thinks", another writer changes the project.
    let server = FakeOpenAi::start(chords_reply(), move || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tdaw"))
            .env("TDAW_HOME", &home)
            .args(["track", "set", &dir.to_string_lossy(), "Bass", "gain_db=-6"])
            .output()
            .unwrap();
        assert!(out.status.success());
    });
    let (code, _, err) = ai(&env, &server, &["--apply", "add some chords"]);
    assert_ne!(code, 0);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("changed since"), "{err}");
    let p = env.project();
    assert_eq!(p.tracks.len(), 1, "nothing applied");
    assert_eq!(
        p.tracks[0].gain_db, -6.0,
        "the other writer's change is kept"
    );
}

#[test]
fn a_bad_call_refuses_the_whole_change() {
    let env = setup();
    let server = FakeOpenAi::start(
        completion(
            "",
            &[
                ("set_tempo", json!({"bpm": 100})),
                (
                    "write_clip",
                    json!({"track": "Bass", "start_beat": 0, "notes": [
                    {"pitch": 200, "start_beat": 0, "length_beats": 1, "velocity": 90}]}),
                ),
            ],
        ),
        || {},
    );
    let before = env.bytes();
    let (code, _, err) = ai(&env, &server, &["--apply", "write a bass line"]);
    assert_ne!(code, 0);
    assert_eq!(
        err.trim(),
        "error: the proposed change was refused: call 2 of 2 refused, nothing changed: \
         write_clip: note 1 has pitch 200; pitches are 0–127"
    );
    assert_eq!(env.bytes(), before);
}
