//! The assistant: one [`Assistant`] trait and its providers — the offline music engine (the
//! default, no network), OpenAI, Anthropic and OpenAI-compatible servers — the project context
//! every request carries, the tools (the project's own operations, with JSON schemas), change
//! sets (a reply's tool calls, validated as a whole, shown as a diff, applied as one undo
//! step) and the MCP server.
//!
//! `ai` may use `midi`, `analysis` and `model` only (tests/architecture.rs): what needs the
//! disk, the engine or the config (rendering for figures, the project lock, keys from the
//! config file) is done by `cli`/`ui` and handed in as data ([`Request`], [`Settings`],
//! [`mcp::Workspace`]).

pub mod anthropic;
pub mod change;
pub mod context;
pub mod http;
pub mod mcp;
pub mod offline;
pub mod openai;
pub mod settings;
pub mod tools;

use crate::model::{ClipId, Project};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Who said a message of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// One turn of the conversation (the chat history keeps these per project).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub text: String,
}

/// A call of one of the project's tools ([`tools::definitions`]), as a provider returned it
/// (or as the offline engine made it for its suggestion). `args` is the JSON object the
/// tool's schema describes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's id for the call (OpenAI `call_…`, Anthropic `toolu_…`); the offline
    /// engine numbers its calls `offline-1`, `offline-2`, …
    pub id: String,
    pub name: String,
    pub args: serde_json::Value,
}

/// Measured figures of the project's mix, for the mixing and mastering advice. `cli`/`ui`
/// render the project (master and one stem per track, through the engine) and measure the
/// buffers with `analysis` (see `analysis::mix`); `ai` only reads the numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub integrated_lufs: Option<f64>,
    pub loudness_range_lu: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
    /// Samples at or over full scale in the master.
    pub clipped_samples: u64,
    pub tracks: Vec<TrackFigures>,
}

/// One track's stem, measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrackFigures {
    pub name: String,
    /// Integrated loudness of the stem (None when silent).
    pub lufs: Option<f64>,
    pub rms_dbfs: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    /// Energy per band in dB (same bands for every track, see `analysis::mix::BANDS`).
    pub bands_db: Vec<f64>,
    /// Correlation of left and right below 120 Hz (1 = mono, < 0 = not mono-safe); None when
    /// the stem has no low end.
    pub low_correlation: Option<f64>,
}

/// What the user asked, and what the assistant should know to answer.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub prompt: String,
    /// Earlier turns, oldest first.
    pub history: Vec<Message>,
    /// The open project, when there is one.
    pub project: Option<Arc<Project>>,
    /// The clip the user has selected (the piano roll's clip, the arrange cursor's clip).
    pub selected_clip: Option<ClipId>,
    /// The latest measured figures, when the caller measured them.
    pub figures: Option<Figures>,
    /// The project summary ([`context::summarize`]) the network providers send; the offline
    /// engine reads `project` directly.
    pub context: String,
}

/// A suggestion's musical data, as `tdaw ai --json` prints it (CONTRACT.md: `kind` and its
/// fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Suggestion {
    Text,
    Chords { key: String, chords: Vec<ChordSlot> },
    Melody { notes: Vec<NoteOut> },
    Drums { notes: Vec<NoteOut> },
    Advice { items: Vec<AdviceItem> },
}

/// One chord of a suggested progression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChordSlot {
    pub symbol: String,
    pub roman: String,
    pub start_beat: f64,
    pub length_beats: f64,
}

/// One note of a suggested melody, bass line or drum pattern (beats from the clip's start).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NoteOut {
    pub pitch: u8,
    pub start_beat: f64,
    pub length_beats: f64,
    pub velocity: u8,
}

/// One item of mixing or mastering advice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdviceItem {
    pub topic: String,
    pub finding: String,
    pub suggestion: String,
}

/// A whole answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// What the assistant says (the whole text; streamed providers also sent it in pieces).
    pub text: String,
    pub suggestion: Suggestion,
    /// The proposed change, as tool calls ([`change::ChangeSet::build`] makes it one edit).
    pub calls: Vec<ToolCall>,
}

/// Asks a running request to stop (Esc in the chat pane, Ctrl-C in the shell). Cheap to
/// clone; every clone sees the same flag.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Every way a request fails, each one clear sentence (shown in the chat, printed by the
/// shell). None of them ever contains a key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AiError {
    #[error(
        "no API key for {provider}: set {var} or `{config_key}` in the [ai] table of config.toml"
    )]
    NoKey {
        provider: &'static str,
        var: &'static str,
        config_key: &'static str,
    },
    #[error("cannot reach {url}: {reason}")]
    Network { url: String, reason: String },
    #[error("{provider} refused the API key (HTTP {status}): check it")]
    BadKey { provider: &'static str, status: u16 },
    #[error("{provider} refused the request (HTTP {status}): {message}")]
    Refused {
        provider: &'static str,
        status: u16,
        message: String,
    },
    #[error("{provider} is rate-limiting or failing (HTTP {status}) after {attempts} attempts")]
    GaveUp {
        provider: &'static str,
        status: u16,
        attempts: u32,
    },
    #[error("no answer from {provider} within {secs} s")]
    Timeout { provider: &'static str, secs: u64 },
    #[error("{provider} sent a reply that is not understood: {what}")]
    Malformed {
        provider: &'static str,
        what: String,
    },
    #[error("{provider}'s reply is too long (over {limit_bytes} bytes); stopped reading")]
    TooLong {
        provider: &'static str,
        limit_bytes: usize,
    },
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Other(String),
}

/// Which provider answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    Offline,
    Openai,
    Anthropic,
    OpenaiCompatible,
}

impl ProviderKind {
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::Offline => "offline",
            ProviderKind::Openai => "openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::OpenaiCompatible => "openai-compatible",
        }
    }
}

/// How to reach a provider: what `cli`/`ui` gathered from the flags, the `[ai]` table of
/// config.toml and the environment (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`). `api_key` is
/// never printed (its `Debug` is masked), stored or logged.
#[derive(Clone)]
pub struct Settings {
    /// None: `offline` unless a key for OpenAI or Anthropic is configured (see [`connect`]).
    pub provider: Option<ProviderKind>,
    pub model: Option<String>,
    pub base_url: Option<String>,
    pub openai_key: Option<String>,
    pub anthropic_key: Option<String>,
    /// Per request, from sending to the last byte.
    pub timeout: Duration,
    /// Client-side rate limit.
    pub requests_per_minute: u32,
    /// Retries after a 429 or 5xx (honouring Retry-After), with exponential backoff.
    pub max_retries: u32,
    /// Replies longer than this are refused ([`AiError::TooLong`]).
    pub max_reply_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            provider: None,
            model: None,
            base_url: None,
            openai_key: None,
            anthropic_key: None,
            timeout: Duration::from_secs(60),
            requests_per_minute: 20,
            max_retries: 3,
            max_reply_bytes: 4 << 20,
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mask = |k: &Option<String>| k.as_ref().map(|_| "****");
        f.debug_struct("Settings")
            .field("provider", &self.provider)
            .field("model", &self.model)
            .field("base_url", &self.base_url)
            .field("openai_key", &mask(&self.openai_key))
            .field("anthropic_key", &mask(&self.anthropic_key))
            .field("timeout", &self.timeout)
            .field("requests_per_minute", &self.requests_per_minute)
            .field("max_retries", &self.max_retries)
            .field("max_reply_bytes", &self.max_reply_bytes)
            .finish()
    }
}

/// An assistant. `ask` blocks (the UI runs it on its worker thread), sends the text to
/// `on_text` in pieces as it streams in, and returns the whole reply; it checks `cancel`
/// between pieces and returns [`AiError::Cancelled`] soon after it is set.
pub trait Assistant: Send {
    /// `offline`, `openai`, `anthropic`, `openai-compatible`.
    fn provider(&self) -> &'static str;
    /// The model name shown beside the chat (the offline engine: `music-theory`).
    fn model(&self) -> &str;
    fn ask(
        &mut self,
        req: &Request,
        on_text: &mut dyn FnMut(&str),
        cancel: &Cancel,
    ) -> Result<Reply, AiError>;
}

/// The assistant `settings` name: the provider asked for, or `offline` when none is asked
/// and no key is configured (OpenAI when its key is, else Anthropic when its key is).
pub fn connect(settings: &Settings) -> Result<Box<dyn Assistant>, AiError> {
    let kind = settings
        .provider
        .unwrap_or(if settings.openai_key.is_some() {
            ProviderKind::Openai
        } else if settings.anthropic_key.is_some() {
            ProviderKind::Anthropic
        } else {
            ProviderKind::Offline
        });
    match kind {
        ProviderKind::Offline => Ok(Box::new(offline::Offline::new())),
        ProviderKind::Openai | ProviderKind::OpenaiCompatible => {
            Ok(Box::new(openai::OpenAi::new(kind, settings)?))
        }
        ProviderKind::Anthropic => Ok(Box::new(anthropic::Anthropic::new(settings)?)),
    }
}
