//! The network providers against fake servers on 127.0.0.1 speaking their wire formats:
//! plain and streamed replies, tool calls, retries, timeouts, malformed and oversized
//! replies, refused keys — asserting the exact request sent, and that the key shows in no
//! error, no Debug output and nowhere in a request but its own header.

mod llm_server;

use llm_server::{Recorded, Reply as R, Server};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tdaw::ai::anthropic::Anthropic;
use tdaw::ai::openai::OpenAi;
use tdaw::ai::{
    self, tools, AiError, Assistant, Cancel, Message, ProviderKind, Reply, Request, Role, Settings,
};

const KEY: &str = "sk-test-SECRET-0123456789";

fn settings(kind: ProviderKind, server: &Server) -> Settings {
    let base = match kind {
        ProviderKind::Anthropic => server.base(),
        _ => format!("{}/v1", server.base()),
    };
    Settings {
        provider: Some(kind),
        model: Some("test-model".into()),
        base_url: Some(base),
        openai_key: (kind != ProviderKind::Anthropic).then(|| KEY.to_string()),
        anthropic_key: (kind == ProviderKind::Anthropic).then(|| KEY.to_string()),
        timeout: Duration::from_secs(2),
        requests_per_minute: 10_000,
        max_retries: 2,
        ..Settings::default()
    }
}

fn request() -> Request {
    Request {
        prompt: "write a bass line".into(),
        history: vec![
            Message {
                role: Role::User,
                text: "hi".into(),
            },
            Message {
                role: Role::Assistant,
                text: "hello, what shall we make?".into(),
            },
        ],
        context: "tempo 120 BPM, 4/4, key A minor; tracks: 1 'Drums' (MIDI, drums)".into(),
        ..Request::default()
    }
}

/// What one `ask` produced.
struct Outcome {
    result: Result<Reply, AiError>,
    pieces: Vec<String>,
    requests: Vec<Recorded>,
    elapsed: Duration,
}

fn ask_with(settings: &Settings, server: &Server, cancel_after: Option<usize>) -> Outcome {
    let mut assistant = ai::connect(settings).expect("connect");
    let cancel = Cancel::default();
    let mut pieces = Vec::new();
    let start = Instant::now();
    let result = assistant.ask(
        &request(),
        &mut |t| {
            pieces.push(t.to_string());
            if cancel_after == Some(pieces.len()) {
                cancel.cancel();
            }
        },
        &cancel,
    );
    let elapsed = start.elapsed();
    let out = Outcome {
        result,
        pieces,
        requests: server.requests(),
        elapsed,
    };
    assert_no_key(&out);
    out
}

fn ask(kind: ProviderKind, script: Vec<R>) -> Outcome {
    let server = Server::start(script);
    ask_with(&settings(kind, &server), &server, None)
}

/// The key is in no output, no error and in no part of a request but its header.
fn assert_no_key(out: &Outcome) {
    let mut shown = out.pieces.join("");
    match &out.result {
        Ok(r) => shown.push_str(&format!("{r:?}")),
        Err(e) => shown.push_str(&format!("{e} {e:?}")),
    }
    assert!(!shown.contains(KEY), "the key leaked into {shown}");
    assert!(
        !shown.contains("SECRET"),
        "part of the key leaked into {shown}"
    );
    for r in &out.requests {
        assert!(!r.body.contains(KEY) && !r.path.contains(KEY));
        for (name, value) in &r.headers {
            if value.contains(KEY) {
                let allowed = (name == "authorization" && value == &format!("Bearer {KEY}"))
                    || (name == "x-api-key" && value == KEY);
                assert!(allowed, "the key is in header {name}");
            }
        }
    }
}

fn tool_names() -> Vec<String> {
    tools::definitions()
        .iter()
        .map(|d| d.name.to_string())
        .collect()
}

fn err(out: &Outcome) -> &AiError {
    out.result.as_ref().expect_err("an error")
}

fn reply(out: &Outcome) -> &Reply {
    match &out.result {
        Ok(r) => r,
        Err(e) => panic!("expected a reply, got: {e}"),
    }
}

// ---------------------------------------------------------------- OpenAI

fn oa_chunk(delta: Value) -> (Option<&'static str>, String) {
    (
        None,
        json!({"id": "chatcmpl-1", "object": "chat.completion.chunk",
               "choices": [{"index": 0, "delta": delta, "finish_reason": null}]})
        .to_string(),
    )
}

fn oa_done() -> (Option<&'static str>, String) {
    (None, "[DONE]".into())
}

#[test]
fn openai_plain_reply_and_the_exact_request() {
    let out = ask(
        ProviderKind::Openai,
        vec![R::json(
            200,
            r#"{"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","content":"Play A, C and E."},"finish_reason":"stop"}]}"#,
        )],
    );
    let r = reply(&out);
    assert_eq!(r.text, "Play A, C and E.");
    assert!(r.calls.is_empty());
    assert_eq!(r.suggestion, ai::Suggestion::Text);
    assert_eq!(out.pieces, ["Play A, C and E."]);

    assert_eq!(out.requests.len(), 1);
    let q = &out.requests[0];
    assert_eq!(
        (q.method.as_str(), q.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(
        q.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(q.header("content-type"), Some("application/json"));
    assert_eq!(q.header("x-api-key"), None);
    let body = q.json();
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["stream"], true);
    let messages = body["messages"].as_array().unwrap();
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    let system = messages[0]["content"].as_str().unwrap();
    assert!(system.contains("tdaw"));
    assert!(system.contains("tempo 120 BPM, 4/4, key A minor; tracks: 1 'Drums' (MIDI, drums)"));
    assert_eq!(messages[1]["content"], "hi");
    assert_eq!(messages[2]["content"], "hello, what shall we make?");
    assert_eq!(messages[3]["content"], "write a bass line");
    let sent: Vec<String> = body["tools"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|d| {
                    assert_eq!(d["type"], "function");
                    assert!(d["function"]["parameters"].is_object());
                    d["function"]["name"].as_str().unwrap().to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(sent, tool_names());
}

#[test]
fn openai_streamed_text_arrives_in_pieces() {
    let out = ask(
        ProviderKind::Openai,
        vec![R::sse(&[
            oa_chunk(json!({"role": "assistant", "content": ""})),
            oa_chunk(json!({"content": "Try "})),
            oa_chunk(json!({"content": "i–VI–III–VII"})),
            oa_chunk(json!({"content": " in A minor."})),
            (
                None,
                json!({"choices": [], "usage": {"total_tokens": 9}}).to_string(),
            ),
            oa_done(),
        ])
        .between(Duration::from_millis(20))],
    );
    let r = reply(&out);
    assert_eq!(r.text, "Try i–VI–III–VII in A minor.");
    assert_eq!(out.pieces, ["Try ", "i–VI–III–VII", " in A minor."]);
}

#[test]
fn openai_streamed_tool_calls_are_put_together() {
    let out = ask(
        ProviderKind::Openai,
        vec![R::sse(&[
            oa_chunk(json!({"role": "assistant", "content": null})),
            oa_chunk(json!({"content": "Making it slower."})),
            oa_chunk(
                json!({"tool_calls": [{"index": 0, "id": "call_a", "type": "function",
                "function": {"name": "set_tempo", "arguments": ""}}]}),
            ),
            oa_chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"bp"}}]})),
            oa_chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": "m\": 90}"}}]})),
            oa_chunk(
                json!({"tool_calls": [{"index": 1, "id": "call_b", "type": "function",
                "function": {"name": "add_track", "arguments": "{\"name\": \"Bass\","}}]}),
            ),
            oa_chunk(
                json!({"tool_calls": [{"index": 1, "function": {"arguments": " \"kind\": \"midi\"}"}}]}),
            ),
            oa_chunk(
                json!({"tool_calls": [{"index": 2, "id": "call_c", "type": "function",
                "function": {"name": "get_project", "arguments": ""}}]}),
            ),
            (
                None,
                json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})
                    .to_string(),
            ),
            oa_done(),
        ])],
    );
    let r = reply(&out);
    assert_eq!(r.text, "Making it slower.");
    let calls: Vec<(&str, &str, &Value)> = r
        .calls
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str(), &c.args))
        .collect();
    assert_eq!(
        calls,
        [
            ("call_a", "set_tempo", &json!({"bpm": 90})),
            (
                "call_b",
                "add_track",
                &json!({"name": "Bass", "kind": "midi"})
            ),
            ("call_c", "get_project", &json!({})),
        ]
    );
}

#[test]
fn openai_non_streamed_tool_calls() {
    let out = ask(
        ProviderKind::Openai,
        vec![R::json(
            200,
            r#"{"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[
                {"id":"call_1","type":"function","function":{"name":"set_key","arguments":"{\"key\":\"Am\"}"}}]}}]}"#,
        )],
    );
    let r = reply(&out);
    assert_eq!(r.text, "");
    assert!(out.pieces.is_empty());
    assert_eq!(r.calls.len(), 1);
    assert_eq!(
        (r.calls[0].name.as_str(), &r.calls[0].args),
        ("set_key", &json!({"key": "Am"}))
    );
}

#[test]
fn openai_429_with_retry_after_then_success() {
    let out = ask(
        ProviderKind::Openai,
        vec![
            R::json(429, r#"{"error":{"message":"Rate limit reached"}}"#)
                .header("retry-after", "1"),
            R::sse(&[oa_chunk(json!({"content": "ok"})), oa_done()]),
        ],
    );
    assert_eq!(reply(&out).text, "ok");
    assert_eq!(out.requests.len(), 2);
    assert_eq!(out.requests[0].body, out.requests[1].body);
    assert!(
        out.elapsed >= Duration::from_secs(1),
        "waited {:?}",
        out.elapsed
    );
}

#[test]
fn openai_500_is_retried_then_gives_up() {
    let server = Server::start(vec![
        R::json(500, r#"{"error":{"message":"boom"}}"#),
        R::json(502, "Bad Gateway"),
    ]);
    let s = Settings {
        max_retries: 1,
        ..settings(ProviderKind::Openai, &server)
    };
    let out = ask_with(&s, &server, None);
    assert_eq!(
        err(&out),
        &AiError::GaveUp {
            provider: "openai",
            status: 502,
            attempts: 2
        }
    );
    assert_eq!(out.requests.len(), 2);
    // The backoff without Retry-After: 0.5 s before the second attempt.
    assert!(
        out.elapsed >= Duration::from_millis(500),
        "waited {:?}",
        out.elapsed
    );
    assert_eq!(
        err(&out).to_string(),
        "openai is rate-limiting or failing (HTTP 502) after 2 attempts"
    );
}

#[test]
fn openai_slow_reply_times_out_quickly() {
    let server = Server::start(vec![
        R::json(200, r#"{"choices":[]}"#).after(Duration::from_secs(4))
    ]);
    let s = Settings {
        timeout: Duration::from_millis(800),
        ..settings(ProviderKind::Openai, &server)
    };
    let out = ask_with(&s, &server, None);
    assert_eq!(
        err(&out),
        &AiError::Timeout {
            provider: "openai",
            secs: 1
        }
    );
    assert!(
        out.elapsed < Duration::from_millis(2500),
        "took {:?}",
        out.elapsed
    );
    assert_eq!(out.requests.len(), 1, "a timeout is not retried");
}

#[test]
fn openai_stream_that_stalls_times_out() {
    let server = Server::start(vec![R::sse(&[
        oa_chunk(json!({"content": "One"})),
        oa_chunk(json!({"content": "Two"})),
    ])
    .between(Duration::from_secs(4))]);
    let s = Settings {
        timeout: Duration::from_millis(800),
        ..settings(ProviderKind::Openai, &server)
    };
    let out = ask_with(&s, &server, None);
    assert!(
        matches!(err(&out), AiError::Timeout { .. }),
        "{:?}",
        out.result
    );
    assert_eq!(out.pieces, ["One"]);
    assert!(
        out.elapsed < Duration::from_millis(2500),
        "took {:?}",
        out.elapsed
    );
}

#[test]
fn openai_malformed_replies() {
    let out = ask(ProviderKind::Openai, vec![R::json(200, "{\"choices\": [")]);
    assert!(
        matches!(
            err(&out),
            AiError::Malformed {
                provider: "openai",
                ..
            }
        ),
        "{:?}",
        out.result
    );

    let out = ask(
        ProviderKind::Openai,
        vec![R::sse(&[
            oa_chunk(json!({"content": "a"})),
            (None, "{not json".into()),
        ])],
    );
    assert!(matches!(err(&out), AiError::Malformed { .. }));

    // Tool-call arguments that are not JSON.
    let out = ask(
        ProviderKind::Openai,
        vec![R::sse(&[
            oa_chunk(json!({"tool_calls": [{"index": 0, "id": "call_x",
                "function": {"name": "set_tempo", "arguments": "{\"bpm\": 9"}}]})),
            oa_done(),
        ])],
    );
    let e = err(&out);
    assert!(matches!(e, AiError::Malformed { .. }));
    assert!(
        e.to_string()
            .contains("tool call 1 (set_tempo) are not JSON"),
        "{e}"
    );

    let out = ask(
        ProviderKind::Openai,
        vec![R::json(200, r#"{"object":"list"}"#)],
    );
    assert_eq!(
        err(&out).to_string(),
        "openai sent a reply that is not understood: the reply has no choices[0].message"
    );
}

#[test]
fn openai_five_megabyte_replies_are_too_long() {
    let big = format!(
        r#"{{"choices":[{{"message":{{"role":"assistant","content":"{}"}}}}]}}"#,
        "x".repeat(5 << 20)
    );
    let out = ask(ProviderKind::Openai, vec![R::json(200, &big)]);
    assert_eq!(
        err(&out),
        &AiError::TooLong {
            provider: "openai",
            limit_bytes: Settings::default().max_reply_bytes
        }
    );
    // Streamed: it stops reading part way, after some text was shown.
    let events: Vec<_> = (0..5 * 1024)
        .map(|_| oa_chunk(json!({"content": "y".repeat(1000)})))
        .collect();
    let out = ask(ProviderKind::Openai, vec![R::sse(&events)]);
    assert!(matches!(err(&out), AiError::TooLong { .. }));
    let shown: usize = out.pieces.iter().map(String::len).sum();
    assert!(shown > 0 && shown <= Settings::default().max_reply_bytes);
}

#[test]
fn openai_401_is_a_bad_key_and_400_is_refused_with_the_message() {
    let out = ask(
        ProviderKind::Openai,
        vec![R::json(
            401,
            &format!(
                r#"{{"error":{{"message":"Incorrect API key provided: {KEY}","type":"invalid_request_error"}}}}"#
            ),
        )],
    );
    assert_eq!(
        err(&out),
        &AiError::BadKey {
            provider: "openai",
            status: 401
        }
    );
    assert_eq!(
        err(&out).to_string(),
        "openai refused the API key (HTTP 401): check it"
    );
    assert_eq!(out.requests.len(), 1, "a bad key is not retried");

    // A server echoing the key in its message: scrubbed (assert_no_key checks it).
    let out = ask(
        ProviderKind::Openai,
        vec![R::json(
            400,
            &format!(r#"{{"error":{{"message":"model 'test-model' does not exist for {KEY}"}}}}"#),
        )],
    );
    assert_eq!(
        err(&out).to_string(),
        "openai refused the request (HTTP 400): model 'test-model' does not exist for ****"
    );
}

#[test]
fn openai_redirects_are_not_followed() {
    let out = ask(
        ProviderKind::Openai,
        vec![R::json(302, "").header("location", "http://127.0.0.1:9/steal")],
    );
    assert!(
        matches!(err(&out), AiError::Refused { status: 302, .. }),
        "{:?}",
        out.result
    );
    assert_eq!(out.requests.len(), 1);
}

#[test]
fn openai_cancel_stops_the_stream() {
    let server = Server::start(vec![R::sse(&[
        oa_chunk(json!({"content": "One"})),
        oa_chunk(json!({"content": "Two"})),
        oa_chunk(json!({"content": "Three"})),
        oa_done(),
    ])
    .between(Duration::from_millis(300))]);
    let out = ask_with(&settings(ProviderKind::Openai, &server), &server, Some(1));
    assert_eq!(err(&out), &AiError::Cancelled);
    assert_eq!(out.pieces, ["One"]);
    assert!(
        out.elapsed < Duration::from_millis(900),
        "took {:?}",
        out.elapsed
    );
}

#[test]
fn a_connection_lost_part_way_is_a_network_error() {
    let out = ask(
        ProviderKind::Openai,
        vec![R::sse(&[
            oa_chunk(json!({"content": "Half"})),
            oa_chunk(json!({"content": " a"})),
        ])
        .cut()],
    );
    match err(&out) {
        AiError::Network { url, .. } => assert!(url.ends_with("/v1/chat/completions"), "{url}"),
        other => panic!("expected a network error, got {other:?}"),
    }
    assert_eq!(out.pieces, ["Half", " a"]);
}

#[test]
fn cancel_while_waiting_for_the_reply_returns_at_once() {
    for kind in [ProviderKind::Openai, ProviderKind::Anthropic] {
        let server = Server::start(vec![R::json(200, "{}").after(Duration::from_secs(3))]);
        let s = Settings {
            timeout: Duration::from_secs(10),
            ..settings(kind, &server)
        };
        let mut a = ai::connect(&s).unwrap();
        let cancel = Cancel::default();
        let esc = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            esc.cancel();
        });
        let start = Instant::now();
        let e = a.ask(&request(), &mut |_| {}, &cancel).unwrap_err();
        assert_eq!(e, AiError::Cancelled);
        assert!(
            start.elapsed() < Duration::from_millis(1500),
            "took {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn openai_without_a_key_and_compatible_without_an_address() {
    let s = Settings {
        provider: Some(ProviderKind::Openai),
        ..Settings::default()
    };
    let e = ai::connect(&s).err().expect("no key");
    assert_eq!(
        e.to_string(),
        "no API key for openai: set OPENAI_API_KEY or `openai_api_key` in the [ai] table of config.toml"
    );
    let s = Settings {
        provider: Some(ProviderKind::OpenaiCompatible),
        ..Settings::default()
    };
    let e = ai::connect(&s).err().expect("no base url");
    assert!(e
        .to_string()
        .starts_with("openai-compatible needs the server's address: pass --base-url"));
    let s = Settings {
        provider: Some(ProviderKind::OpenaiCompatible),
        base_url: Some("127.0.0.1:11434/v1".into()),
        ..Settings::default()
    };
    let e = ai::connect(&s).err().expect("no scheme");
    assert!(
        e.to_string()
            .contains("must start with http:// or https://"),
        "{e}"
    );
}

#[test]
fn openai_compatible_sends_no_key_when_none_is_set() {
    let server = Server::start(vec![R::json(
        200,
        r#"{"choices":[{"message":{"role":"assistant","content":"local"}}]}"#,
    )]);
    let s = Settings {
        provider: Some(ProviderKind::OpenaiCompatible),
        model: None,
        base_url: Some(format!("{}/v1/", server.base())),
        ..settings(ProviderKind::OpenaiCompatible, &server)
    };
    let s = Settings {
        openai_key: None,
        ..s
    };
    let a = ai::connect(&s).expect("connect");
    assert_eq!((a.provider(), a.model()), ("openai-compatible", "default"));
    let out = ask_with(&s, &server, None);
    assert_eq!(reply(&out).text, "local");
    let q = &out.requests[0];
    assert_eq!(q.path, "/v1/chat/completions");
    assert_eq!(q.header("authorization"), None);
    assert_eq!(q.json()["model"], "default");
}

#[test]
fn an_unreachable_server_is_a_network_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = Settings {
        provider: Some(ProviderKind::Openai),
        base_url: Some(format!("http://127.0.0.1:{port}/v1")),
        openai_key: Some(KEY.into()),
        timeout: Duration::from_secs(2),
        requests_per_minute: 10_000,
        ..Settings::default()
    };
    let mut a = ai::connect(&s).unwrap();
    let e = a
        .ask(&request(), &mut |_| {}, &Cancel::default())
        .unwrap_err();
    match &e {
        AiError::Network { url, .. } => {
            assert_eq!(url, &format!("http://127.0.0.1:{port}/v1/chat/completions"))
        }
        other => panic!("expected a network error, got {other:?}"),
    }
    assert!(e
        .to_string()
        .starts_with(&format!("cannot reach http://127.0.0.1:{port}")));
    assert!(!format!("{e:?}").contains(KEY));
}

#[test]
fn provider_debug_output_masks_the_key() {
    let s = Settings {
        openai_key: Some(KEY.into()),
        anthropic_key: Some(KEY.into()),
        ..Settings::default()
    };
    let o = OpenAi::new(ProviderKind::Openai, &s).unwrap();
    let a = Anthropic::new(&s).unwrap();
    for shown in [format!("{o:?}"), format!("{a:?}"), format!("{s:?}")] {
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("****"), "{shown}");
    }
    assert_eq!(o.model(), "gpt-4o-mini");
    assert_eq!(a.model(), "claude-haiku-4-5");
}

#[test]
fn cancel_while_a_stream_stalls_returns_at_once() {
    let server = Server::start(vec![R::sse(&[
        oa_chunk(json!({"content": "One"})),
        oa_chunk(json!({"content": "Two"})),
    ])
    .between(Duration::from_secs(3))]);
    let s = Settings {
        timeout: Duration::from_secs(10),
        ..settings(ProviderKind::Openai, &server)
    };
    let mut a = ai::connect(&s).unwrap();
    let cancel = Cancel::default();
    let esc = cancel.clone();
    let start = Instant::now();
    let mut pieces = Vec::new();
    let e = a
        .ask(
            &request(),
            &mut |t| {
                pieces.push(t.to_string());
                let esc = esc.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(200));
                    esc.cancel();
                });
            },
            &cancel,
        )
        .unwrap_err();
    assert_eq!(e, AiError::Cancelled);
    assert_eq!(pieces, ["One"]);
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "took {:?}",
        start.elapsed()
    );
}

// ---------------------------------------------------------------- Anthropic

fn an(name: &'static str, data: Value) -> (Option<&'static str>, String) {
    (Some(name), data.to_string())
}

fn an_start() -> (Option<&'static str>, String) {
    an(
        "message_start",
        json!({"type": "message_start", "message": {"id": "msg_1", "type": "message",
            "role": "assistant", "content": [], "model": "test-model", "stop_reason": null,
            "usage": {"input_tokens": 10, "output_tokens": 1}}}),
    )
}

fn an_text(index: u32, text: &str) -> (Option<&'static str>, String) {
    an(
        "content_block_delta",
        json!({"type": "content_block_delta", "index": index,
               "delta": {"type": "text_delta", "text": text}}),
    )
}

fn an_stop() -> Vec<(Option<&'static str>, String)> {
    vec![
        an(
            "message_delta",
            json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                   "usage": {"output_tokens": 12}}),
        ),
        an("message_stop", json!({"type": "message_stop"})),
    ]
}

#[test]
fn anthropic_plain_reply_and_the_exact_request() {
    let out = ask(
        ProviderKind::Anthropic,
        vec![R::json(
            200,
            r#"{"id":"msg_1","type":"message","role":"assistant","model":"test-model",
                "content":[{"type":"text","text":"A minor: A C E."}],"stop_reason":"end_turn"}"#,
        )],
    );
    let r = reply(&out);
    assert_eq!(r.text, "A minor: A C E.");
    assert_eq!(out.pieces, ["A minor: A C E."]);

    let q = &out.requests[0];
    assert_eq!(
        (q.method.as_str(), q.path.as_str()),
        ("POST", "/v1/messages")
    );
    assert_eq!(q.header("x-api-key"), Some(KEY));
    assert_eq!(q.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(q.header("content-type"), Some("application/json"));
    assert_eq!(q.header("authorization"), None);
    let body = q.json();
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["stream"], true);
    assert_eq!(body["max_tokens"], 4096);
    let system = body["system"].as_str().unwrap();
    assert!(system.contains("tdaw"));
    assert!(system.contains("key A minor; tracks: 1 'Drums'"));
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "hello, what shall we make?"},
            {"role": "user", "content": "write a bass line"},
        ])
    );
    let sent: Vec<String> = body["tools"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|d| {
                    assert!(d["input_schema"].is_object());
                    assert!(d["description"].is_string());
                    d["name"].as_str().unwrap().to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(sent, tool_names());
}

#[test]
fn anthropic_streamed_text_arrives_in_pieces() {
    let mut events = vec![
        an_start(),
        an(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0,
                   "content_block": {"type": "text", "text": ""}}),
        ),
        an("ping", json!({"type": "ping"})),
        an_text(0, "Try "),
        an_text(0, "Am–F–C–G"),
        an_text(0, "."),
        an(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        ),
    ];
    events.extend(an_stop());
    let out = ask(
        ProviderKind::Anthropic,
        vec![R::sse(&events).between(Duration::from_millis(10))],
    );
    assert_eq!(reply(&out).text, "Try Am–F–C–G.");
    assert_eq!(out.pieces, ["Try ", "Am–F–C–G", "."]);
}

#[test]
fn anthropic_streamed_tool_use_is_put_together() {
    let mut events = vec![
        an_start(),
        an(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0,
                   "content_block": {"type": "text", "text": ""}}),
        ),
        an_text(0, "Adding a bass track."),
        an(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        ),
        an(
            "content_block_start",
            json!({"type": "content_block_start", "index": 1,
                   "content_block": {"type": "tool_use", "id": "toolu_01", "name": "add_track", "input": {}}}),
        ),
        an(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 1,
                   "delta": {"type": "input_json_delta", "partial_json": ""}}),
        ),
        an(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 1,
                   "delta": {"type": "input_json_delta", "partial_json": "{\"name\": \"Ba"}}),
        ),
        an(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 1,
                   "delta": {"type": "input_json_delta", "partial_json": "ss\", \"kind\": \"midi\", \"instrument\": 33}"}}),
        ),
        an(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 1}),
        ),
        an(
            "content_block_start",
            json!({"type": "content_block_start", "index": 2,
                   "content_block": {"type": "tool_use", "id": "toolu_02", "name": "get_project", "input": {}}}),
        ),
        an(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 2}),
        ),
    ];
    events.extend(an_stop());
    let out = ask(ProviderKind::Anthropic, vec![R::sse(&events)]);
    let r = reply(&out);
    assert_eq!(r.text, "Adding a bass track.");
    let calls: Vec<(&str, &str, &Value)> = r
        .calls
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str(), &c.args))
        .collect();
    assert_eq!(
        calls,
        [
            (
                "toolu_01",
                "add_track",
                &json!({"name": "Bass", "kind": "midi", "instrument": 33})
            ),
            ("toolu_02", "get_project", &json!({})),
        ]
    );
}

#[test]
fn anthropic_non_streamed_tool_use() {
    let out = ask(
        ProviderKind::Anthropic,
        vec![R::json(
            200,
            r#"{"type":"message","content":[{"type":"text","text":"Slower."},
                {"type":"tool_use","id":"toolu_9","name":"set_tempo","input":{"bpm":84}}]}"#,
        )],
    );
    let r = reply(&out);
    assert_eq!(r.text, "Slower.");
    assert_eq!(
        (r.calls[0].id.as_str(), &r.calls[0].args),
        ("toolu_9", &json!({"bpm": 84}))
    );
}

#[test]
fn anthropic_429_with_retry_after_then_success() {
    let mut events = vec![an_start(), an_text(0, "ok")];
    events.extend(an_stop());
    let out = ask(
        ProviderKind::Anthropic,
        vec![
            R::json(
                429,
                r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#,
            )
            .header("retry-after", "1"),
            R::sse(&events),
        ],
    );
    assert_eq!(reply(&out).text, "ok");
    assert_eq!(out.requests.len(), 2);
    assert!(
        out.elapsed >= Duration::from_secs(1),
        "waited {:?}",
        out.elapsed
    );
}

#[test]
fn anthropic_500_and_529_are_retried_then_give_up() {
    let out = ask(
        ProviderKind::Anthropic,
        vec![
            R::json(500, "{}").header("retry-after", "0"),
            R::json(
                529,
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            )
            .header("retry-after", "0"),
            R::json(503, "").header("retry-after", "0"),
        ],
    );
    assert_eq!(
        err(&out),
        &AiError::GaveUp {
            provider: "anthropic",
            status: 503,
            attempts: 3
        }
    );
    assert_eq!(out.requests.len(), 3);
}

#[test]
fn anthropic_slow_reply_times_out_quickly() {
    let server = Server::start(vec![R::json(200, "{}").after(Duration::from_secs(4))]);
    let s = Settings {
        timeout: Duration::from_millis(800),
        ..settings(ProviderKind::Anthropic, &server)
    };
    let out = ask_with(&s, &server, None);
    assert_eq!(
        err(&out),
        &AiError::Timeout {
            provider: "anthropic",
            secs: 1
        }
    );
    assert!(
        out.elapsed < Duration::from_millis(2500),
        "took {:?}",
        out.elapsed
    );
}

#[test]
fn anthropic_malformed_replies() {
    let out = ask(
        ProviderKind::Anthropic,
        vec![R::json(200, "<html>oops</html>")],
    );
    assert!(
        matches!(
            err(&out),
            AiError::Malformed {
                provider: "anthropic",
                ..
            }
        ),
        "{:?}",
        out.result
    );

    let out = ask(
        ProviderKind::Anthropic,
        vec![R::sse(&[
            an_start(),
            an(
                "content_block_start",
                json!({"type": "content_block_start", "index": 0,
                       "content_block": {"type": "tool_use", "id": "toolu_1", "name": "set_tempo", "input": {}}}),
            ),
            an(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0,
                       "delta": {"type": "input_json_delta", "partial_json": "{\"bpm\": "}}),
            ),
            an("message_stop", json!({"type": "message_stop"})),
        ])],
    );
    let e = err(&out);
    assert!(
        e.to_string()
            .contains("the input of tool call set_tempo is not JSON"),
        "{e}"
    );
}

#[test]
fn anthropic_error_event_mid_stream() {
    let out = ask(
        ProviderKind::Anthropic,
        vec![R::sse(&[
            an_start(),
            an_text(0, "Half"),
            an(
                "error",
                json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
            ),
        ])],
    );
    assert_eq!(
        err(&out).to_string(),
        "anthropic refused the request (HTTP 529): Overloaded"
    );
    assert_eq!(out.pieces, ["Half"]);
}

#[test]
fn anthropic_five_megabyte_reply_is_too_long() {
    let big = format!(
        r#"{{"type":"message","content":[{{"type":"text","text":"{}"}}]}}"#,
        "z".repeat(5 << 20)
    );
    let out = ask(ProviderKind::Anthropic, vec![R::json(200, &big)]);
    assert!(matches!(
        err(&out),
        AiError::TooLong {
            provider: "anthropic",
            ..
        }
    ));
}

#[test]
fn anthropic_401_is_a_bad_key() {
    let out = ask(
        ProviderKind::Anthropic,
        vec![R::json(
            401,
            r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
        )],
    );
    assert_eq!(
        err(&out),
        &AiError::BadKey {
            provider: "anthropic",
            status: 401
        }
    );
    assert_eq!(out.requests.len(), 1);
}

#[test]
fn anthropic_without_a_key() {
    let s = Settings {
        provider: Some(ProviderKind::Anthropic),
        openai_key: Some(KEY.into()),
        ..Settings::default()
    };
    let e = ai::connect(&s).err().expect("no key");
    assert_eq!(
        e,
        AiError::NoKey {
            provider: "anthropic",
            var: "ANTHROPIC_API_KEY",
            config_key: "anthropic_api_key"
        }
    );
}

#[test]
fn the_fixed_part_of_a_request_stays_small() {
    // The system text and the tools go with every request (tokens the user pays for).
    let s = Settings {
        openai_key: Some(KEY.into()),
        anthropic_key: Some(KEY.into()),
        ..Settings::default()
    };
    let empty = Request::default();
    let o = OpenAi::new(ProviderKind::Openai, &s)
        .unwrap()
        .body(&empty)
        .to_string();
    let a = Anthropic::new(&s).unwrap().body(&empty).to_string();
    eprintln!(
        "fixed request: openai {} bytes, anthropic {} bytes",
        o.len(),
        a.len()
    );
    assert!(o.len() < 24_000 && a.len() < 24_000);
}
