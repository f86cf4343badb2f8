//! Anthropic's messages API: `POST {base}/v1/messages` with the system text as `system`, the
//! history and the prompt as `messages`, every tool as `{name, description, input_schema}`,
//! `stream: true`. The reply is read as its Server-Sent Events (text deltas go to `on_text`
//! as they arrive; a `tool_use` block's input is put together from its `input_json_delta`
//! pieces) or as one JSON message. The key goes only into the `x-api-key` header.

use super::http::{self, Body, Client};
use super::{tools, ToolCall};
use super::{AiError, Assistant, Cancel, Reply, Request, Settings, Suggestion};
use serde_json::{json, Value};

/// Anthropic's API.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
/// A fast, cheap model that calls tools well.
pub const DEFAULT_MODEL: &str = "claude-haiku-4-5";
/// The API version the wire format below follows.
pub const API_VERSION: &str = "2023-06-01";
/// The longest answer asked for.
pub const MAX_TOKENS: u32 = 4096;

const PROVIDER: &str = "anthropic";

/// A client of `POST {base}/v1/messages`.
pub struct Anthropic {
    model: String,
    key: String,
    client: Client,
}

impl std::fmt::Debug for Anthropic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Anthropic")
            .field("model", &self.model)
            .field("key", &"****")
            .field("client", &self.client)
            .finish()
    }
}

impl Anthropic {
    pub fn new(settings: &Settings) -> Result<Anthropic, AiError> {
        let key = settings
            .anthropic_key
            .clone()
            .filter(|k| !k.is_empty())
            .ok_or(AiError::NoKey {
                provider: PROVIDER,
                var: "ANTHROPIC_API_KEY",
                config_key: "anthropic_api_key",
            })?;
        let base = settings
            .base_url
            .as_deref()
            .map(|b| b.trim().trim_end_matches('/'))
            .unwrap_or(DEFAULT_BASE_URL);
        let model = settings
            .model
            .clone()
            .unwrap_or_else(|| DEFAULT_MODEL.to_string());
        let client = Client::new(
            PROVIDER,
            format!("{base}/v1/messages"),
            settings,
            Some(key.clone()),
        )?;
        Ok(Anthropic { model, key, client })
    }

    /// The request body (public for tests and for showing what would be sent).
    pub fn body(&self, req: &Request) -> Value {
        // The API wants user and assistant turns to alternate: neighbours of one role are
        // joined.
        let mut messages: Vec<(&str, String)> = Vec::new();
        for (role, text) in http::turns(req) {
            match messages.last_mut() {
                Some((r, t)) if *r == role => {
                    t.push_str("\n\n");
                    t.push_str(text);
                }
                _ => messages.push((role, text.to_string())),
            }
        }
        let messages: Vec<Value> = messages
            .into_iter()
            .map(|(role, text)| json!({"role": role, "content": text}))
            .collect();
        let mut body = json!({
            "model": self.model,
            "max_tokens": MAX_TOKENS,
            "system": http::system_text(req),
            "messages": messages,
            "stream": true,
        });
        let defs: Vec<Value> = tools::definitions()
            .into_iter()
            .map(
                |d| json!({"name": d.name, "description": d.description, "input_schema": d.schema}),
            )
            .collect();
        if !defs.is_empty() {
            body["tools"] = Value::Array(defs);
        }
        body
    }

    fn read_stream(
        &self,
        body: &mut Body,
        on_text: &mut dyn FnMut(&str),
        cancel: &Cancel,
    ) -> Result<Reply, AiError> {
        let mut text = String::new();
        // The content blocks by their index: text, or a tool call being put together.
        let mut blocks: Vec<Block> = Vec::new();
        while let Some(event) = body.next_event(cancel)? {
            if event.data.trim().is_empty() {
                continue;
            }
            let v = body.event_json(&event.data)?;
            let kind = v
                .get("type")
                .and_then(Value::as_str)
                .or(event.name.as_deref())
                .unwrap_or("");
            match kind {
                "content_block_start" => {
                    let index = block_index(&v)?;
                    if blocks.len() <= index {
                        blocks.resize_with(index + 1, || Block::Other);
                    }
                    let cb = v.get("content_block").unwrap_or(&Value::Null);
                    blocks[index] = match cb.get("type").and_then(Value::as_str) {
                        Some("tool_use") => Block::Tool {
                            id: str_of(cb, "id"),
                            name: str_of(cb, "name"),
                            start: cb.get("input").cloned().unwrap_or(Value::Null),
                            partial: String::new(),
                        },
                        Some("text") => {
                            let first = str_of(cb, "text");
                            if !first.is_empty() {
                                text.push_str(&first);
                                on_text(&first);
                            }
                            Block::Text
                        }
                        _ => Block::Other,
                    };
                }
                "content_block_delta" => {
                    let index = block_index(&v)?;
                    let delta = v.get("delta").unwrap_or(&Value::Null);
                    match delta.get("type").and_then(Value::as_str) {
                        Some("text_delta") => {
                            if let Some(piece) = delta.get("text").and_then(Value::as_str) {
                                if !piece.is_empty() {
                                    text.push_str(piece);
                                    on_text(piece);
                                }
                            }
                        }
                        Some("input_json_delta") => match blocks.get_mut(index) {
                            Some(Block::Tool { partial, .. }) => {
                                if let Some(p) = delta.get("partial_json").and_then(Value::as_str) {
                                    partial.push_str(p);
                                }
                            }
                            _ => {
                                return Err(malformed(format!(
                                    "input for content block {index}, which is not a tool call"
                                )))
                            }
                        },
                        // Thinking, signatures, citations: not shown.
                        _ => {}
                    }
                }
                "error" => return Err(stream_error(&v, Some(&self.key))),
                "message_stop" => break,
                // message_start, content_block_stop, message_delta, ping.
                _ => {}
            }
        }
        let mut calls = Vec::new();
        for block in blocks {
            if let Block::Tool {
                id,
                name,
                start,
                partial,
            } = block
            {
                let input = if partial.trim().is_empty() {
                    start
                } else {
                    serde_json::from_str(&partial).map_err(|e| {
                        malformed(format!("the input of tool call {name} is not JSON ({e})"))
                    })?
                };
                calls.push(finish_call(calls.len(), id, name, input)?);
            }
        }
        Ok(Reply {
            text,
            suggestion: Suggestion::Text,
            calls,
        })
    }

    fn read_whole(&self, v: &Value, on_text: &mut dyn FnMut(&str)) -> Result<Reply, AiError> {
        if v.get("type").and_then(Value::as_str) == Some("error") {
            return Err(stream_error(v, Some(&self.key)));
        }
        let content = v
            .get("content")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed("the reply has no content list"))?;
        let mut text = String::new();
        let mut calls = Vec::new();
        for block in content {
            match block.get("type").and_then(Value::as_str) {
                Some("text") => {
                    text.push_str(block.get("text").and_then(Value::as_str).unwrap_or(""))
                }
                Some("tool_use") => calls.push(finish_call(
                    calls.len(),
                    str_of(block, "id"),
                    str_of(block, "name"),
                    block.get("input").cloned().unwrap_or(Value::Null),
                )?),
                _ => {}
            }
        }
        if !text.is_empty() {
            on_text(&text);
        }
        Ok(Reply {
            text,
            suggestion: Suggestion::Text,
            calls,
        })
    }
}

/// A content block of a streamed message.
enum Block {
    Text,
    Tool {
        id: String,
        name: String,
        /// The input given in `content_block_start` (used when no deltas follow).
        start: Value,
        partial: String,
    },
    Other,
}

fn malformed(what: impl Into<String>) -> AiError {
    AiError::Malformed {
        provider: PROVIDER,
        what: what.into(),
    }
}

fn str_of(v: &Value, field: &str) -> String {
    v.get(field)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn block_index(v: &Value) -> Result<usize, AiError> {
    match v.get("index").and_then(Value::as_u64) {
        Some(i) if i <= 1024 => Ok(i as usize),
        _ => Err(malformed("a content block event has no usable index")),
    }
}

fn finish_call(index: usize, id: String, name: String, input: Value) -> Result<ToolCall, AiError> {
    if name.is_empty() {
        return Err(malformed(format!("tool call {} has no name", index + 1)));
    }
    let args = match input {
        Value::Null => json!({}),
        v if v.is_object() => v,
        _ => {
            return Err(malformed(format!(
                "the input of tool call {} ({name}) is not a JSON object",
                index + 1
            )))
        }
    };
    let id = if id.is_empty() {
        format!("toolu-{}", index + 1)
    } else {
        id
    };
    Ok(ToolCall { id, name, args })
}

/// An `error` event (or error document) in a 200 reply: overloaded or failing mid-answer.
fn stream_error(v: &Value, secret: Option<&str>) -> AiError {
    let kind = v
        .pointer("/error/type")
        .and_then(Value::as_str)
        .unwrap_or("");
    let status = match kind {
        "overloaded_error" => 529,
        "rate_limit_error" => 429,
        "api_error" => 500,
        "authentication_error" => {
            return AiError::BadKey {
                provider: PROVIDER,
                status: 401,
            }
        }
        "permission_error" => 403,
        "not_found_error" => 404,
        _ => 400,
    };
    AiError::Refused {
        provider: PROVIDER,
        status,
        message: http::error_message(&v.to_string(), secret),
    }
}

impl Assistant for Anthropic {
    fn provider(&self) -> &'static str {
        PROVIDER
    }
    fn model(&self) -> &str {
        &self.model
    }
    fn ask(
        &mut self,
        req: &Request,
        on_text: &mut dyn FnMut(&str),
        cancel: &Cancel,
    ) -> Result<Reply, AiError> {
        let headers = [
            ("x-api-key", self.key.clone()),
            ("anthropic-version", API_VERSION.to_string()),
            ("accept", "text/event-stream, application/json".to_string()),
        ];
        let mut body = self.client.post(&headers, &self.body(req), cancel)?;
        if body.is_event_stream()? {
            self.read_stream(&mut body, on_text, cancel)
        } else {
            let v = body.read_json()?;
            self.read_whole(&v, on_text)
        }
    }
}
