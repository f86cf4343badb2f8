//! The MCP server: the assistant's tools ([`tools::definitions`]) served over the Model Context
//! Protocol, as line-delimited JSON-RPC 2.0 on stdio (`tdaw mcp DIR [--allow-edit]`). Any MCP
//! client (an editor's agent, a desktop assistant) can read the project and, only when the
//! server was started with `--allow-edit`, change it: each editing call is one edit (one save,
//! one undo step) and carries the `revision` the client last read, so a call made on a project
//! that changed since is refused instead of applied to something the client never saw.
//!
//! This module is the protocol and the dispatch only. The disk (the write lock, loading,
//! merging with another writer's save, the atomic save) is `cli`'s, behind [`Workspace`]: `ai`
//! may not use `store`. Protocol faults (unparsable JSON, an unknown method, bad parameters)
//! are JSON-RPC errors; a tool that fails (bad arguments, a stale revision, a read-only
//! server) answers with a result whose `isError` is true and whose text is one sentence, so the
//! model calling it can read why and try again.

use super::change;
use super::tools::{self, ToolDef};
use super::ToolCall;
use crate::model::{Edit, Project};
use serde_json::{json, Map, Value};
use std::io::{self, BufRead, Write};

/// The protocol versions this server speaks, newest first: a client asking for one of them
/// gets it back, any other gets the newest.
pub const PROTOCOL_VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

/// The first version whose tool results carry `structuredContent`.
const STRUCTURED_SINCE: &str = "2025-06-18";

/// Longest request line read; a longer one is answered with an error and skipped, so a
/// runaway client cannot make the server hold gigabytes.
pub const MAX_LINE_BYTES: usize = 16 << 20;

// JSON-RPC 2.0 error codes.
pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;

/// Why [`Workspace::apply`] did not change the project. Either way the project is untouched.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The project changed since the revision the client read.
    Stale { expected: u64, current: u64 },
    /// Anything else (the lock is held too long, the file became invalid, the disk is full):
    /// one sentence naming the file and the problem.
    Failed(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Stale { expected, current } => write!(
                f,
                "stale revision {expected}: the project is at revision {current}; read it again"
            ),
            Refusal::Failed(why) => f.write_str(why),
        }
    }
}

/// The project the server serves, as `cli` keeps it on disk.
pub trait Workspace {
    /// The project as it is now, and its revision (see [`Revisions`]). An error is one
    /// sentence naming the file and the problem.
    fn load(&mut self) -> Result<(Project, u64), String>;
    /// Applies `edit` (made by [`tools::edit_for`] on the project at `expected_revision`) as
    /// one edit and one save, only if the project is still at `expected_revision`; returns the
    /// revision after it.
    fn apply(&mut self, edit: Edit, label: &str, expected_revision: u64) -> Result<u64, Refusal>;
}

/// The revision numbers a client sees: one more every time the content of `project.toml` is
/// seen to differ from the last time (whoever wrote it: this server, the TUI, the shell), 1
/// for a project never served before. Fed with a hash of the file's bytes on every read and
/// save; `cli` keeps the last pair in the project folder so a restarted server goes on
/// counting ([`Revisions::resume`]) instead of handing out a number an old client may hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Revisions {
    revision: u64,
    hash: Option<u64>,
}

impl Revisions {
    /// Goes on from an earlier session's last revision, of a file whose content hashed to
    /// `hash`.
    pub fn resume(revision: u64, hash: u64) -> Revisions {
        Revisions {
            revision,
            hash: Some(hash),
        }
    }

    /// The last revision and the hash it was given for (`None` before the first observation).
    pub fn last(&self) -> Option<(u64, u64)> {
        self.hash.map(|h| (self.revision, h))
    }

    /// The revision of a file whose content hashes to `hash`.
    pub fn observe(&mut self, hash: u64) -> u64 {
        if self.hash != Some(hash) {
            self.hash = Some(hash);
            self.revision += 1;
        }
        self.revision
    }
}

/// A JSON-RPC error: a code and one sentence.
#[derive(Debug, Clone, PartialEq)]
struct RpcError {
    code: i64,
    message: String,
}

fn rpc_error(code: i64, message: impl Into<String>) -> RpcError {
    RpcError {
        code,
        message: message.into(),
    }
}

/// The server of one session (one client, one stdio pair).
pub struct Server<W: Workspace> {
    workspace: W,
    allow_edit: bool,
    tools: Vec<ToolDef>,
    /// The version agreed in `initialize` (the newest until then).
    protocol: &'static str,
    calls: u64,
}

impl<W: Workspace> Server<W> {
    pub fn new(workspace: W, allow_edit: bool) -> Self {
        Server {
            workspace,
            allow_edit,
            tools: tools::definitions(),
            protocol: PROTOCOL_VERSIONS[0],
            calls: 0,
        }
    }

    /// The workspace (for tests that look at what was saved).
    pub fn workspace(&self) -> &W {
        &self.workspace
    }

    /// Answers every line of `input` on `output` until `input` ends. Only JSON-RPC messages
    /// are written, one per line, flushed after each.
    pub fn serve(&mut self, mut input: impl BufRead, mut output: impl Write) -> io::Result<()> {
        loop {
            let reply = match read_line(&mut input, MAX_LINE_BYTES)? {
                Line::Eof => return Ok(()),
                Line::TooLong => Some(error_response(
                    Value::Null,
                    &rpc_error(
                        INVALID_REQUEST,
                        format!("a request longer than {MAX_LINE_BYTES} bytes was skipped"),
                    ),
                )),
                Line::Text(bytes) => self.handle(&bytes),
            };
            if let Some(reply) = reply {
                serde_json::to_writer(&mut output, &reply)?;
                output.write_all(b"\n")?;
                output.flush()?;
            }
        }
    }

    /// The answer to one line (a message or a batch), or `None` when it asks for none
    /// (notifications, responses, blank lines).
    pub fn handle(&mut self, line: &[u8]) -> Option<Value> {
        if line.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        let message: Value = match serde_json::from_slice(line) {
            Ok(v) => v,
            Err(e) => {
                return Some(error_response(
                    Value::Null,
                    &rpc_error(PARSE_ERROR, format!("parse error: {e}")),
                ))
            }
        };
        match message {
            Value::Array(items) if items.is_empty() => Some(error_response(
                Value::Null,
                &rpc_error(INVALID_REQUEST, "an empty batch"),
            )),
            Value::Array(items) => {
                let replies: Vec<Value> = items
                    .into_iter()
                    .filter_map(|m| self.handle_message(m))
                    .collect();
                (!replies.is_empty()).then_some(Value::Array(replies))
            }
            other => self.handle_message(other),
        }
    }

    fn handle_message(&mut self, message: Value) -> Option<Value> {
        let Value::Object(mut msg) = message else {
            return Some(error_response(
                Value::Null,
                &rpc_error(INVALID_REQUEST, "a message must be a JSON object"),
            ));
        };
        let id = msg.remove("id");
        let valid_id = match &id {
            None => true,
            Some(Value::String(_) | Value::Number(_)) => true,
            Some(_) => false,
        };
        let reply_id = id.clone().filter(|_| valid_id).unwrap_or(Value::Null);
        let method = match msg.remove("method") {
            Some(Value::String(m)) => m,
            // A response to a request of ours: this server sends none, so there is nothing
            // to match it with.
            None if msg.contains_key("result") || msg.contains_key("error") => return None,
            None => {
                return Some(error_response(
                    reply_id,
                    &rpc_error(INVALID_REQUEST, "the message has no method"),
                ))
            }
            Some(_) => {
                return Some(error_response(
                    reply_id,
                    &rpc_error(INVALID_REQUEST, "the method must be a string"),
                ))
            }
        };
        if msg.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return Some(error_response(
                reply_id,
                &rpc_error(INVALID_REQUEST, "jsonrpc must be \"2.0\""),
            ));
        }
        if !valid_id {
            return Some(error_response(
                Value::Null,
                &rpc_error(INVALID_REQUEST, "the id must be a string or a number"),
            ));
        }
        let params = msg.remove("params").unwrap_or(Value::Null);
        // Notifications (`notifications/initialized`, `notifications/cancelled`, …) need
        // nothing from a server that answers every request before reading the next.
        let id = id?;
        let result = match method.as_str() {
            "initialize" => self.initialize(&params),
            "ping" => Ok(json!({})),
            "tools/list" => Ok(self.list_tools()),
            "tools/call" => self.call_tool(params),
            other => Err(rpc_error(
                METHOD_NOT_FOUND,
                format!("method '{other}' not found"),
            )),
        };
        Some(match result {
            Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
            Err(e) => error_response(id, &e),
        })
    }

    fn initialize(&mut self, params: &Value) -> Result<Value, RpcError> {
        let asked = params
            .get("protocolVersion")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                rpc_error(
                    INVALID_PARAMS,
                    "initialize: params.protocolVersion (a string) is missing",
                )
            })?;
        self.protocol = PROTOCOL_VERSIONS
            .iter()
            .find(|v| **v == asked)
            .copied()
            .unwrap_or(PROTOCOL_VERSIONS[0]);
        Ok(json!({
            "protocolVersion": self.protocol,
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "tdaw", "version": env!("CARGO_PKG_VERSION")},
            "instructions": self.instructions(),
        }))
    }

    fn instructions(&self) -> String {
        let editing = if self.allow_edit {
            "Editing tools take the `revision` the last read or edit reported; a call made on \
             an older revision is refused (read the project again), and each call is one undo \
             step."
        } else {
            "This server is read-only: editing tools are refused (it was started without \
             --allow-edit)."
        };
        format!(
            "tdaw, a terminal DAW: these tools read and change one project. Call get_project \
             first: it gives the tracks, tempo, key and the project's revision. A TRACK \
             argument is a track's name, its 1-based position as a string, or \"master\"; beats \
             are quarter notes from the song's start (a clip's notes: from the clip's start). \
             {editing}"
        )
    }

    fn list_tools(&self) -> Value {
        let tools: Vec<Value> = self
            .tools
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "description": t.description,
                    "inputSchema": input_schema(t),
                    "annotations": {"readOnlyHint": !t.edits},
                })
            })
            .collect();
        json!({ "tools": tools })
    }

    fn call_tool(&mut self, params: Value) -> Result<Value, RpcError> {
        let Value::Object(mut params) = params else {
            return Err(rpc_error(
                INVALID_PARAMS,
                "tools/call: params must be an object with a name",
            ));
        };
        let name = match params.remove("name") {
            Some(Value::String(n)) => n,
            _ => {
                return Err(rpc_error(
                    INVALID_PARAMS,
                    "tools/call: params.name (a string) is missing",
                ))
            }
        };
        let args = match params.remove("arguments") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(a)) => a,
            Some(_) => {
                return Err(rpc_error(
                    INVALID_PARAMS,
                    format!("tools/call {name}: arguments must be an object"),
                ))
            }
        };
        let Some(def) = self.tools.iter().find(|t| t.name == name) else {
            return Err(rpc_error(INVALID_PARAMS, format!("unknown tool '{name}'")));
        };
        let edits = def.edits;
        self.calls += 1;
        let outcome = if edits {
            self.edit(name, args)
        } else {
            self.read(name, args)
        };
        Ok(match outcome {
            Ok((text, structured)) => self.tool_result(text, Some(structured), false),
            Err(why) => self.tool_result(why, None, true),
        })
    }

    /// A reading call: the tool's answer with the revision it was read at.
    fn read(
        &mut self,
        name: String,
        mut args: Map<String, Value>,
    ) -> Result<(String, Value), String> {
        // Harmless on a read (a client may pass it everywhere); the tools' schemas have no
        // such argument.
        args.remove("revision");
        let (project, revision) = self.workspace.load()?;
        let call = self.tool_call(name, args);
        let answer = tools::read(&project, &call)?;
        let mut answer = match answer {
            Value::Object(o) => o,
            other => {
                let mut o = Map::new();
                o.insert("result".into(), other);
                o
            }
        };
        answer.insert("revision".into(), json!(revision));
        let answer = Value::Object(answer);
        Ok((answer.to_string(), answer))
    }

    /// An editing call: refused on a read-only server or a stale revision, else made into
    /// one edit on the project as it is and saved.
    fn edit(
        &mut self,
        name: String,
        mut args: Map<String, Value>,
    ) -> Result<(String, Value), String> {
        if !self.allow_edit {
            return Err(format!(
                "{name} changes the project, and this server is read-only: start it as \
                 `tdaw mcp DIR --allow-edit` to allow changes"
            ));
        }
        let expected = match args.remove("revision") {
            Some(v) => revision_arg(&v).ok_or_else(|| {
                format!("{name}: revision {v} is not a revision number (a whole number from get_project)")
            })?,
            None => {
                return Err(format!(
                    "{name}: the revision argument is missing; read the project (get_project) \
                     and pass the revision it reports"
                ))
            }
        };
        let (project, current) = self.workspace.load()?;
        if current != expected {
            return Err(Refusal::Stale { expected, current }.to_string());
        }
        let call = self.tool_call(name.clone(), args);
        let edit = tools::edit_for(&project, &call)?;
        let mut after = project.clone();
        edit.clone()
            .apply(&mut after)
            .map_err(|e| format!("{name}: {e}"))?;
        let diff = change::diff(&project, &after);
        let changed = after != project;
        let revision = if !changed {
            // Nothing to save: no new revision, no empty undo step.
            current
        } else {
            self.workspace
                .apply(edit, &format!("mcp {name}"), expected)
                .map_err(|r| r.to_string())?
        };
        let mut text = if !changed {
            format!("{name}: nothing to change; the project is at revision {revision}")
        } else {
            format!("{name}: done; the project is at revision {revision}")
        };
        for line in &diff {
            text.push_str(&format!("\n{line}"));
        }
        Ok((text, json!({"revision": revision, "changes": diff})))
    }

    fn tool_call(&self, name: String, args: Map<String, Value>) -> ToolCall {
        ToolCall {
            id: format!("mcp-{}", self.calls),
            name,
            args: Value::Object(args),
        }
    }

    /// A `tools/call` result: the text for the model, the same as structured data when the
    /// agreed version has `structuredContent`.
    fn tool_result(&self, text: String, structured: Option<Value>, is_error: bool) -> Value {
        let mut result = json!({
            "content": [{"type": "text", "text": text}],
            "isError": is_error,
        });
        if let Some(s) = structured.filter(|_| self.protocol >= STRUCTURED_SINCE) {
            result["structuredContent"] = s;
        }
        result
    }
}

/// A tool's input schema as MCP clients see it: an editing tool also requires the revision.
fn input_schema(tool: &ToolDef) -> Value {
    let mut schema = match &tool.schema {
        Value::Object(o) => o.clone(),
        _ => Map::new(),
    };
    schema.insert("type".into(), json!("object"));
    if tool.edits {
        let props = schema.entry("properties").or_insert_with(|| json!({}));
        if let Value::Object(props) = props {
            props.insert(
                "revision".into(),
                json!({
                    "type": "integer",
                    "minimum": 1,
                    "description": "The project's revision as the last read (get_project) or \
                                    edit reported it; the call is refused if the project \
                                    changed since."
                }),
            );
        }
        let required = schema.entry("required").or_insert_with(|| json!([]));
        if let Value::Array(required) = required {
            required.push(json!("revision"));
        }
    }
    Value::Object(schema)
}

/// A revision argument: a whole number (a client may send `3.0`).
fn revision_arg(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9.0e15)
            .map(|f| f as u64)
    })
}

fn error_response(id: Value, e: &RpcError) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": e.code, "message": e.message}})
}

enum Line {
    Eof,
    Text(Vec<u8>),
    TooLong,
}

/// One line of `input` without its `\n` (or `\r\n`), at most `max` bytes; a longer line is
/// read to its end and dropped.
fn read_line(input: &mut impl BufRead, max: usize) -> io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if too_long {
                Line::TooLong
            } else if line.is_empty() {
                Line::Eof
            } else {
                Line::Text(line)
            });
        }
        let newline = available.iter().position(|&b| b == b'\n');
        let chunk = &available[..newline.unwrap_or(available.len())];
        if !too_long {
            if line.len() + chunk.len() > max {
                too_long = true;
                line = Vec::new();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let used = newline.map_or(available.len(), |i| i + 1);
        input.consume(used);
        if newline.is_some() {
            if too_long {
                return Ok(Line::TooLong);
            }
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(Line::Text(line));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project held in memory; every `apply` is checked against the revision like the disk.
    struct Memory {
        project: Project,
        revision: u64,
        saves: u32,
    }

    impl Workspace for Memory {
        fn load(&mut self) -> Result<(Project, u64), String> {
            Ok((self.project.clone(), self.revision))
        }
        fn apply(&mut self, edit: Edit, _label: &str, expected: u64) -> Result<u64, Refusal> {
            if expected != self.revision {
                return Err(Refusal::Stale {
                    expected,
                    current: self.revision,
                });
            }
            edit.apply(&mut self.project)
                .map_err(|e| Refusal::Failed(e.to_string()))?;
            self.revision += 1;
            self.saves += 1;
            Ok(self.revision)
        }
    }

    fn server(allow_edit: bool) -> Server<Memory> {
        Server::new(
            Memory {
                project: Project::new("Song", 48_000, 120.0),
                revision: 1,
                saves: 0,
            },
            allow_edit,
        )
    }

    fn ask(s: &mut Server<Memory>, line: &str) -> Value {
        s.handle(line.as_bytes()).expect("an answer")
    }

    #[test]
    fn initialize_echoes_a_known_version_and_offers_tools() {
        let mut s = server(false);
        let r = ask(
            &mut s,
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
        );
        assert_eq!(r["id"], 1);
        assert_eq!(r["result"]["protocolVersion"], "2025-03-26");
        assert_eq!(r["result"]["capabilities"], json!({"tools": {}}));
        assert_eq!(r["result"]["serverInfo"]["name"], "tdaw");
        let text = r["result"]["instructions"].as_str().unwrap();
        assert!(text.contains("read-only"), "{text}");
        let r = ask(
            &mut s,
            r#"{"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"1999-01-01"}}"#,
        );
        assert_eq!(r["id"], "a");
        assert_eq!(r["result"]["protocolVersion"], PROTOCOL_VERSIONS[0]);
        let r = ask(&mut s, r#"{"jsonrpc":"2.0","id":2,"method":"initialize"}"#);
        assert_eq!(r["error"]["code"], INVALID_PARAMS);
    }

    #[test]
    fn protocol_faults_are_json_rpc_errors() {
        let mut s = server(true);
        let cases = [
            ("{not json", PARSE_ERROR, Value::Null),
            ("[]", INVALID_REQUEST, Value::Null),
            ("7", INVALID_REQUEST, Value::Null),
            (r#"{"jsonrpc":"2.0","id":3}"#, INVALID_REQUEST, json!(3)),
            (
                r#"{"jsonrpc":"1.0","id":4,"method":"ping"}"#,
                INVALID_REQUEST,
                json!(4),
            ),
            (
                r#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#,
                INVALID_REQUEST,
                Value::Null,
            ),
            (
                r#"{"jsonrpc":"2.0","id":5,"method":"resources/list"}"#,
                METHOD_NOT_FOUND,
                json!(5),
            ),
            (
                r#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"no_such_tool"}}"#,
                INVALID_PARAMS,
                json!(6),
            ),
            (
                r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{}}"#,
                INVALID_PARAMS,
                json!(7),
            ),
            (
                r#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":[1]}"#,
                INVALID_PARAMS,
                json!(8),
            ),
        ];
        for (line, code, id) in cases {
            let r = ask(&mut s, line);
            assert_eq!(r["jsonrpc"], "2.0", "{line}");
            assert_eq!(r["error"]["code"], code, "{line}: {r}");
            assert_eq!(r["id"], id, "{line}");
            assert!(r["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()));
        }
        assert_eq!(s.workspace().saves, 0);
    }

    #[test]
    fn notifications_and_responses_get_no_answer() {
        let mut s = server(false);
        for line in [
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}"#,
            r#"{"jsonrpc":"2.0","id":9,"result":{}}"#,
            "   ",
            "",
        ] {
            assert_eq!(s.handle(line.as_bytes()), None, "{line}");
        }
        let r = ask(&mut s, r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
        assert_eq!(r, json!({"jsonrpc": "2.0", "id": 1, "result": {}}));
        // A batch answers its requests only, in order.
        let r = ask(
            &mut s,
            r#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"method":"nope"}]"#,
        );
        let r = r.as_array().unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0]["result"], json!({}));
        assert_eq!(r[1]["error"]["code"], METHOD_NOT_FOUND);
    }

    #[test]
    fn serve_answers_line_by_line_skips_a_huge_line_and_ends_at_eof() {
        let mut s = server(false);
        let huge = format!("{{\"x\":\"{}\"}}", "a".repeat(MAX_LINE_BYTES));
        let input = format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}}\r\n\n{huge}\n{{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}}"
        );
        let mut out = Vec::new();
        s.serve(io::BufReader::with_capacity(64, input.as_bytes()), &mut out)
            .unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3, "{out:.300}");
        assert_eq!(lines[0]["id"], 1);
        assert_eq!(lines[1]["error"]["code"], INVALID_REQUEST);
        assert_eq!(lines[2]["id"], 2);
    }

    #[test]
    fn revisions_count_changes_of_content() {
        let mut r = Revisions::default();
        assert_eq!(r.observe(10), 1);
        assert_eq!(r.observe(10), 1);
        assert_eq!(r.observe(11), 2);
        assert_eq!(r.observe(10), 3);
        assert_eq!(r.last(), Some((3, 10)));
        let mut again = Revisions::resume(3, 10);
        assert_eq!(again.observe(10), 3);
        assert_eq!(again.observe(12), 4);
        assert_eq!(
            Refusal::Stale {
                expected: 3,
                current: 4
            }
            .to_string(),
            "stale revision 3: the project is at revision 4; read it again"
        );
    }

    #[test]
    fn revision_arguments_are_whole_numbers() {
        assert_eq!(revision_arg(&json!(3)), Some(3));
        assert_eq!(revision_arg(&json!(3.0)), Some(3));
        assert_eq!(revision_arg(&json!(3.5)), None);
        assert_eq!(revision_arg(&json!(-1)), None);
        assert_eq!(revision_arg(&json!("3")), None);
    }

    #[test]
    fn every_tool_is_listed_and_only_editing_ones_require_the_revision() {
        let s = server(true);
        let list = s.list_tools();
        let listed = list["tools"].as_array().unwrap();
        let defs = tools::definitions();
        assert_eq!(listed.len(), defs.len());
        assert!(defs.len() >= 17, "{} tools", defs.len());
        for (t, d) in listed.iter().zip(&defs) {
            assert_eq!(t["name"], d.name);
            assert_eq!(t["inputSchema"]["type"], "object", "{}", d.name);
            let required = t["inputSchema"]["required"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert_eq!(required.contains(&json!("revision")), d.edits, "{}", d.name);
            assert_eq!(
                t["inputSchema"]["properties"].get("revision").is_some(),
                d.edits,
                "{}",
                d.name
            );
            assert_eq!(t["annotations"]["readOnlyHint"], !d.edits);
        }
    }

    #[test]
    fn an_edit_that_changes_nothing_saves_nothing() {
        let mut s = server(true);
        let r = ask(
            &mut s,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"set_tempo","arguments":{"bpm":120,"revision":1}}}"#,
        );
        assert_eq!(r["result"]["isError"], false, "{r}");
        assert_eq!(
            r["result"]["content"][0]["text"],
            "set_tempo: nothing to change; the project is at revision 1"
        );
        assert_eq!(s.workspace().saves, 0);
        let r = ask(
            &mut s,
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"set_tempo","arguments":{"bpm":90,"revision":1}}}"#,
        );
        assert_eq!(r["result"]["structuredContent"]["revision"], 2, "{r}");
        assert_eq!(
            r["result"]["structuredContent"]["changes"][0]["what"],
            "tempo"
        );
        assert_eq!(s.workspace().saves, 1);
        assert_eq!(s.workspace().project.tempo.initial_bpm(), 90.0);
    }
}
