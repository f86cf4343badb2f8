//! `tdaw mcp DIR [--allow-edit]` end to end: the real binary spawned with piped stdio, spoken to
//! in line-delimited JSON-RPC like an MCP client does. Reads carry the revision, edits change
//! project.toml (one save each) and bump it, stale or read-only edits are refused with the file
//! byte-identical, a save from the shell bumps the revision, protocol faults are JSON-RPC
//! errors, and the end of stdin ends the server cleanly.

mod cli_support;

use cli_support::Env;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use tdaw::model::{ClipContent, TrackKind};

/// A running `tdaw mcp` and the client's end of its stdio.
struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
}

impl Session {
    fn start(env: &Env, allow_edit: bool) -> Session {
        let d = env.d();
        let mut args = vec!["mcp", d.as_str()];
        if allow_edit {
            args.push("--allow-edit");
        }
        let mut child = env
            .cmd(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut s = Session {
            child,
            stdin,
            stdout,
            next_id: 0,
        };
        let r = s.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "test", "version": "1"}}),
        );
        assert_eq!(r["result"]["protocolVersion"], "2025-06-18", "{r}");
        assert_eq!(r["result"]["serverInfo"]["name"], "tdaw");
        // A notification: no answer (the next line read belongs to the next request).
        s.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        s
    }

    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut line = String::new();
        let n = self.stdout.read_line(&mut line).unwrap();
        assert!(n > 0, "the server closed stdout");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    /// Sends a request and returns the whole response, checking its id.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send(&msg.to_string());
        let r = self.receive();
        assert_eq!(r["jsonrpc"], "2.0", "{r}");
        assert_eq!(r["id"], id, "{r}");
        r
    }

    /// Calls a tool; its result (`content`, `structuredContent`, `isError`).
    fn call(&mut self, name: &str, args: Value) -> Value {
        let r = self.request("tools/call", json!({"name": name, "arguments": args}));
        assert!(r.get("error").is_none(), "{name}: {r}");
        r["result"].clone()
    }

    fn revision(&mut self) -> u64 {
        let r = self.call("get_project", json!({}));
        assert_eq!(r["isError"], false, "{r}");
        r["structuredContent"]["revision"].as_u64().unwrap()
    }

    /// Closes stdin and waits: (exit code, what was left on stdout, stderr).
    fn finish(mut self) -> (i32, String, String) {
        drop(self.stdin.take());
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.stdout, &mut rest).unwrap();
        let out = self.child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            rest,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap()
}

#[test]
fn a_session_reads_edits_and_refuses_stale_calls() {
    let env = Env::new();
    env.ok(&["new", &env.d()]);
    let mut s = Session::start(&env, true);

    // tools/list: every tool with a schema; editing ones require the revision.
    let r = s.request("tools/list", json!({}));
    let tools = r["result"]["tools"].as_array().unwrap();
    let tool = |name: &str| {
        tools
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not listed"))
            .clone()
    };
    for name in ["get_project", "get_notes", "list_effect_kinds"] {
        let t = tool(name);
        assert_eq!(t["inputSchema"]["type"], "object");
        assert!(t["inputSchema"]["properties"].get("revision").is_none());
        assert_eq!(t["annotations"]["readOnlyHint"], true);
    }
    for name in [
        "add_track",
        "write_clip",
        "set_tempo",
        "automate",
        "transpose",
    ] {
        let t = tool(name);
        assert!(!t["description"].as_str().unwrap().is_empty());
        assert_eq!(
            t["inputSchema"]["properties"]["revision"]["type"],
            "integer"
        );
        let required = t["inputSchema"]["required"].as_array().unwrap();
        assert!(required.contains(&json!("revision")), "{name}: {t}");
    }

    // A read: the project and its revision, as text and as structured content.
    let r = s.call("get_project", json!({}));
    assert_eq!(r["isError"], false);
    assert_eq!(r["structuredContent"]["revision"], 1);
    let as_text: Value = serde_json::from_str(text(&r)).unwrap();
    assert_eq!(as_text, r["structuredContent"]);

    // Edits: each one save, revision + 1.
    let r = s.call(
        "add_track",
        json!({"name": "Bass", "kind": "midi", "instrument": 33, "revision": 1}),
    );
    assert_eq!(r["isError"], false, "{r}");
    assert_eq!(r["structuredContent"]["revision"], 2);
    assert!(text(&r).contains("Bass"), "{}", text(&r));
    let p = env.project();
    assert_eq!(p.tracks.len(), 1);
    assert_eq!(p.tracks[0].name, "Bass");
    assert_eq!(p.tracks[0].kind, TrackKind::Midi);

    let notes: Vec<Value> = (0..4)
        .map(|i| json!({"pitch": 36 + i, "start_beat": i, "length_beats": 1, "velocity": 100}))
        .collect();
    let r = s.call(
        "write_clip",
        json!({"track": "Bass", "start_beat": 4, "length_beats": 4, "name": "Line",
               "notes": notes, "revision": 2}),
    );
    assert_eq!(r["isError"], false, "{r}");
    assert_eq!(r["structuredContent"]["revision"], 3);
    let p = env.project();
    let clip = &p.tracks[0].clips[0];
    assert_eq!(clip.start, 4.0);
    let ClipContent::Midi(m) = &clip.content else {
        panic!("not a MIDI clip")
    };
    let pitches: Vec<u8> = m.notes.iter().map(|n| n.pitch).collect();
    assert_eq!(pitches, [36, 37, 38, 39]);
    assert_eq!(s.revision(), 3);

    // The same revision again: stale, nothing written.
    let before = env.bytes();
    let r = s.call(
        "add_track",
        json!({"name": "Again", "kind": "audio", "revision": 2}),
    );
    assert_eq!(r["isError"], true);
    assert_eq!(
        text(&r),
        "stale revision 2: the project is at revision 3; read it again"
    );
    assert_eq!(env.bytes(), before);

    // A tool's own refusal (bad arguments): one sentence, nothing written.
    let r = s.call(
        "write_clip",
        json!({"track": "Bass", "start_beat": 0,
               "notes": [{"pitch": 200, "start_beat": 0, "length_beats": 1, "velocity": 90}],
               "revision": 3}),
    );
    assert_eq!(r["isError"], true, "{r}");
    assert!(text(&r).contains("200"), "{}", text(&r));
    assert_eq!(env.bytes(), before);
    let r = s.call("set_tempo", json!({"bpm": 90}));
    assert_eq!(r["isError"], true);
    assert!(text(&r).contains("revision"), "{}", text(&r));
    assert_eq!(env.bytes(), before);

    // Another writer (the shell) saves: the revision moves on, the old one is stale.
    env.ok(&["track", "add", &env.d(), "Keys", "--midi"]);
    assert_eq!(s.revision(), 4);
    let r = s.call("set_tempo", json!({"bpm": 90, "revision": 3}));
    assert_eq!(
        text(&r),
        "stale revision 3: the project is at revision 4; read it again"
    );
    let r = s.call("set_tempo", json!({"bpm": 90, "revision": 4}));
    assert_eq!(r["isError"], false, "{r}");
    assert_eq!(r["structuredContent"]["revision"], 5);
    let p = env.project();
    assert_eq!(p.tempo.initial_bpm(), 90.0);
    let names: Vec<&str> = p.tracks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Bass", "Keys"]);

    // Protocol faults.
    let r = s.request("resources/read", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let r = s.request("tools/call", json!({"name": "no_such_tool"}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    s.send("{\"jsonrpc\": \"2.0\", \"id\": 99, \"method\": ");
    let r = s.receive();
    assert_eq!(r["error"]["code"], -32700, "{r}");
    assert_eq!(r["id"], Value::Null);
    let r = s.request("ping", json!({}));
    assert_eq!(r["result"], json!({}));

    let (code, rest, err) = s.finish();
    assert_eq!(code, 0, "{err}");
    assert_eq!(rest, "");
    assert_eq!(err, "");
}

#[test]
fn without_allow_edit_every_edit_is_refused() {
    let env = Env::new();
    env.ok(&["new", &env.d()]);
    env.ok(&["track", "add", &env.d(), "Drums", "--midi"]);
    let before = env.bytes();
    let mut s = Session::start(&env, false);
    let r = s.call("get_project", json!({}));
    assert_eq!(r["isError"], false);
    assert_eq!(r["structuredContent"]["tracks"][0]["name"], "Drums");
    for (name, args) in [
        (
            "add_track",
            json!({"name": "X", "kind": "bus", "revision": 1}),
        ),
        ("set_tempo", json!({"bpm": 100, "revision": 1})),
        ("remove_track", json!({"track": "Drums", "revision": 1})),
    ] {
        let r = s.call(name, args);
        assert_eq!(r["isError"], true, "{name}");
        let t = text(&r);
        assert!(
            t.starts_with(name) && t.contains("read-only") && t.contains("--allow-edit"),
            "{t}"
        );
        assert_eq!(t.lines().count(), 1);
    }
    assert_eq!(env.bytes(), before);
    let (code, _, err) = s.finish();
    assert_eq!(code, 0, "{err}");
    assert_eq!(env.bytes(), before);
}

#[test]
fn revisions_go_on_across_server_restarts() {
    let env = Env::new();
    env.ok(&["new", &env.d()]);
    let mut s = Session::start(&env, true);
    assert_eq!(s.revision(), 1);
    let r = s.call("set_key", json!({"key": "Am", "revision": 1}));
    assert_eq!(r["structuredContent"]["revision"], 2, "{r}");
    assert_eq!(s.finish().0, 0);

    // The same file: the same revision.
    let mut s = Session::start(&env, true);
    assert_eq!(s.revision(), 2);
    assert_eq!(s.finish().0, 0);

    // Changed while no server ran: the next number, and the old one is stale.
    env.ok(&["track", "add", &env.d(), "Pad", "--midi"]);
    let mut s = Session::start(&env, true);
    let before = env.bytes();
    let r = s.call("set_key", json!({"key": "C", "revision": 2}));
    assert_eq!(
        text(&r),
        "stale revision 2: the project is at revision 3; read it again"
    );
    assert_eq!(env.bytes(), before);
    assert_eq!(s.finish().0, 0);

    // An unreadable record starts the count again rather than failing.
    std::fs::write(env.dir().join(".tdaw/mcp-revision"), "garbage").unwrap();
    let mut s = Session::start(&env, false);
    assert_eq!(s.revision(), 1);
    let (code, _, err) = s.finish();
    assert_eq!((code, err.as_str()), (0, ""));
}

#[test]
fn older_clients_get_no_structured_content() {
    let env = Env::new();
    env.ok(&["new", &env.d()]);
    let mut s = Session::start(&env, false);
    let r = s.request("initialize", json!({"protocolVersion": "2024-11-05"}));
    assert_eq!(r["result"]["protocolVersion"], "2024-11-05");
    let r = s.call("get_project", json!({}));
    assert!(r.get("structuredContent").is_none(), "{r}");
    let v: Value = serde_json::from_str(text(&r)).unwrap();
    assert_eq!(v["revision"], 1);
    assert_eq!(s.finish().0, 0);
}

#[test]
fn a_bad_folder_fails_before_serving() {
    let env = Env::new();
    std::fs::create_dir_all(env.dir()).unwrap();
    for dir in [
        env.d(),
        env.tmp.path().join("nowhere").display().to_string(),
    ] {
        let (code, out, err) = env.run(&["mcp", &dir, "--allow-edit"]);
        assert_ne!(code, 0);
        assert_eq!(out, "", "nothing on stdout");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error:") && err.contains(&dir), "{err}");
    }
    // A broken project.toml: named, not served, not touched.
    std::fs::write(env.dir().join("project.toml"), "format = [").unwrap();
    let (code, out, err) = env.run(&["mcp", &env.d()]);
    assert_ne!(code, 0);
    assert_eq!(out, "");
    assert!(err.contains("project.toml"), "{err}");
    assert_eq!(
        std::fs::read(env.dir().join("project.toml")).unwrap(),
        b"format = ["
    );
}
