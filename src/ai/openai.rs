//! OpenAI chat completions, and OpenAI-compatible servers (Ollama, llama.cpp, vLLM) that speak
//! the same wire format at their own base URL: `POST {base}/chat/completions` with the system
//! text, the history and the prompt as `messages`, every tool as a `function`, `stream: true`.
//! The reply is read as Server-Sent Events (text deltas go to `on_text` as they arrive, tool
//! calls are put together from their pieces) or, from servers that ignore `stream`, as one
//! JSON document. The key goes only into the `Authorization` header.

use super::http::{self, Body, Client};
use super::{tools, ToolCall};
use super::{AiError, Assistant, Cancel, ProviderKind, Reply, Request, Settings, Suggestion};
use serde_json::{json, Value};

/// OpenAI's API.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// A small, cheap model that calls tools well.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";
/// The model name sent to an OpenAI-compatible server when none is configured (single-model
/// servers such as llama.cpp take any name; others say which names they know).
pub const COMPATIBLE_DEFAULT_MODEL: &str = "default";

/// A client of `POST {base}/chat/completions`.
pub struct OpenAi {
    kind: ProviderKind,
    model: String,
    key: Option<String>,
    client: Client,
}

impl std::fmt::Debug for OpenAi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAi")
            .field("kind", &self.kind)
            .field("model", &self.model)
            .field("key", &self.key.as_ref().map(|_| "****"))
            .field("client", &self.client)
            .finish()
    }
}

impl OpenAi {
    /// `kind` is `Openai` (a key is required; the base URL defaults to OpenAI's) or
    /// `OpenaiCompatible` (the base URL is required; the key is optional).
    pub fn new(kind: ProviderKind, settings: &Settings) -> Result<OpenAi, AiError> {
        let compatible = kind == ProviderKind::OpenaiCompatible;
        let key = settings.openai_key.clone().filter(|k| !k.is_empty());
        if !compatible && key.is_none() {
            return Err(AiError::NoKey {
                provider: "openai",
                var: "OPENAI_API_KEY",
                config_key: "openai_api_key",
            });
        }
        let base = match (&settings.base_url, compatible) {
            (Some(b), _) => b.trim().trim_end_matches('/').to_string(),
            (None, false) => DEFAULT_BASE_URL.to_string(),
            (None, true) => {
                return Err(AiError::Other(
                    "openai-compatible needs the server's address: pass --base-url (e.g. \
                     http://127.0.0.1:11434/v1) or set `base_url` in the [ai] table of config.toml"
                        .into(),
                ))
            }
        };
        let model = settings.model.clone().unwrap_or_else(|| {
            if compatible {
                COMPATIBLE_DEFAULT_MODEL.to_string()
            } else {
                DEFAULT_MODEL.to_string()
            }
        });
        let client = Client::new(
            kind.name(),
            format!("{base}/chat/completions"),
            settings,
            key.clone(),
        )?;
        Ok(OpenAi {
            kind,
            model,
            key,
            client,
        })
    }

    /// The request body (public for tests and for showing what would be sent).
    pub fn body(&self, req: &Request) -> Value {
        let mut messages = vec![json!({"role": "system", "content": http::system_text(req)})];
        for (role, text) in http::turns(req) {
            messages.push(json!({"role": role, "content": text}));
        }
        let mut body = json!({
            "model": self.model,
            "messages": messages,
            "stream": true,
        });
        let defs: Vec<Value> = tools::definitions()
            .into_iter()
            .map(|d| {
                json!({
                    "type": "function",
                    "function": {
                        "name": d.name,
                        "description": d.description,
                        "parameters": d.schema,
                    }
                })
            })
            .collect();
        // OpenAI refuses an empty `tools` array.
        if !defs.is_empty() {
            body["tools"] = Value::Array(defs);
        }
        body
    }

    fn malformed(&self, what: impl Into<String>) -> AiError {
        AiError::Malformed {
            provider: self.kind.name(),
            what: what.into(),
        }
    }

    fn read_stream(
        &self,
        body: &mut Body,
        on_text: &mut dyn FnMut(&str),
        cancel: &Cancel,
    ) -> Result<Reply, AiError> {
        let mut text = String::new();
        let mut calls: Vec<PartialCall> = Vec::new();
        while let Some(event) = body.next_event(cancel)? {
            let data = event.data.trim();
            if data == "[DONE]" {
                break;
            }
            if data.is_empty() {
                continue;
            }
            let v = body.event_json(data)?;
            if let Some(err) = v.get("error") {
                return Err(self.refused_in_stream(err));
            }
            let Some(delta) = v.pointer("/choices/0/delta") else {
                // Usage chunks and keep-alives carry no choice.
                continue;
            };
            if let Some(piece) = delta.get("content").and_then(Value::as_str) {
                if !piece.is_empty() {
                    text.push_str(piece);
                    on_text(piece);
                }
            }
            if let Some(list) = delta.get("tool_calls").and_then(Value::as_array) {
                for (pos, tc) in list.iter().enumerate() {
                    let index = tc
                        .get("index")
                        .and_then(Value::as_u64)
                        .map_or(pos, |i| i as usize);
                    if index > 1024 {
                        return Err(self.malformed(format!("a tool call has index {index}")));
                    }
                    if calls.len() <= index {
                        calls.resize_with(index + 1, PartialCall::default);
                    }
                    let call = &mut calls[index];
                    if let Some(id) = tc.get("id").and_then(Value::as_str) {
                        call.id = id.to_string();
                    }
                    if let Some(f) = tc.get("function") {
                        if let Some(name) = f.get("name").and_then(Value::as_str) {
                            call.name.push_str(name);
                        }
                        if let Some(args) = f.get("arguments").and_then(Value::as_str) {
                            call.arguments.push_str(args);
                        }
                    }
                }
            }
        }
        let calls = calls
            .into_iter()
            .enumerate()
            .filter(|(_, c)| !c.is_empty())
            .map(|(i, c)| self.finish_call(i, c.id, c.name, Value::String(c.arguments)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Reply {
            text,
            suggestion: Suggestion::Text,
            calls,
        })
    }

    fn read_whole(&self, v: &Value, on_text: &mut dyn FnMut(&str)) -> Result<Reply, AiError> {
        if let Some(err) = v.get("error") {
            return Err(self.refused_in_stream(err));
        }
        let message = v
            .pointer("/choices/0/message")
            .ok_or_else(|| self.malformed("the reply has no choices[0].message"))?;
        let text = match message.get("content") {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => String::new(),
            Some(_) => return Err(self.malformed("the message's content is not text")),
        };
        if !text.is_empty() {
            on_text(&text);
        }
        let calls = match message.get("tool_calls") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, tc)| {
                    let id = tc.get("id").and_then(Value::as_str).unwrap_or("").into();
                    let f = tc.get("function");
                    let name = f
                        .and_then(|f| f.get("name"))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    let args = f
                        .and_then(|f| f.get("arguments"))
                        .cloned()
                        .unwrap_or(Value::Null);
                    self.finish_call(i, id, name, args)
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(self.malformed("tool_calls is not a list")),
        };
        Ok(Reply {
            text,
            suggestion: Suggestion::Text,
            calls,
        })
    }

    /// A whole tool call: `arguments` is JSON text (the wire format) or, from lenient
    /// servers, already an object.
    fn finish_call(
        &self,
        index: usize,
        id: String,
        name: String,
        arguments: Value,
    ) -> Result<ToolCall, AiError> {
        if name.is_empty() {
            return Err(self.malformed(format!("tool call {} has no name", index + 1)));
        }
        let args = match arguments {
            Value::String(s) if s.trim().is_empty() => json!({}),
            Value::String(s) => serde_json::from_str::<Value>(&s).map_err(|e| {
                self.malformed(format!(
                    "the arguments of tool call {} ({name}) are not JSON ({e})",
                    index + 1
                ))
            })?,
            Value::Null => json!({}),
            other => other,
        };
        if !args.is_object() {
            return Err(self.malformed(format!(
                "the arguments of tool call {} ({name}) are not a JSON object",
                index + 1
            )));
        }
        let id = if id.is_empty() {
            format!("call-{}", index + 1)
        } else {
            id
        };
        Ok(ToolCall { id, name, args })
    }

    /// An `error` object inside a 200 reply (some servers report failures mid-stream).
    fn refused_in_stream(&self, err: &Value) -> AiError {
        AiError::Refused {
            provider: self.kind.name(),
            status: 200,
            message: http::error_message(&json!({ "error": err }).to_string(), self.secret()),
        }
    }

    fn secret(&self) -> Option<&str> {
        self.key.as_deref()
    }
}

/// A tool call being put together from stream chunks.
#[derive(Default)]
struct PartialCall {
    id: String,
    name: String,
    arguments: String,
}

impl PartialCall {
    fn is_empty(&self) -> bool {
        self.id.is_empty() && self.name.is_empty() && self.arguments.is_empty()
    }
}

impl Assistant for OpenAi {
    fn provider(&self) -> &'static str {
        self.kind.name()
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
        let mut headers = Vec::new();
        if let Some(key) = &self.key {
            headers.push(("authorization", format!("Bearer {key}")));
        }
        headers.push(("accept", "text/event-stream, application/json".to_string()));
        let mut body = self.client.post(&headers, &self.body(req), cancel)?;
        if body.is_event_stream()? {
            self.read_stream(&mut body, on_text, cancel)
        } else {
            let v = body.read_json()?;
            self.read_whole(&v, on_text)
        }
    }
}
