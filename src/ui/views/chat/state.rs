//! What the chat keeps: the conversation as shown, the input, the request in flight, the
//! proposed change and its audition. The App-level work (asking, applying, playing) is
//! `ui::assistant`'s; this state only holds what it needs and what the view draws.

use crate::ai::change::ChangeSet;
use crate::ai::{Assistant, Cancel, Figures, Message, Role};
use crate::model::{Project, TrackId};
use crate::ui::jobs::JobId;
use ratatui_textarea::TextArea;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One block of the conversation as the view shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// The user's prompt.
    You(String),
    /// The assistant's answer (the whole text).
    Assistant(String),
    /// Something the pane says itself ("cancelled", "applied …").
    Note(String),
    /// A failure, one sentence.
    Error(String),
}

/// The assistant the chat talks to, shared with the worker thread that runs a request (the
/// UI never locks it while one runs: it reads the names it kept).
pub type Shared = Arc<Mutex<Box<dyn Assistant>>>;

/// A request in flight.
pub struct Pending {
    pub job: JobId,
    pub cancel: Cancel,
    /// The project as it was when asked: the reply's change set is built against it.
    pub snapshot: Arc<Project>,
    /// The history revision of that project.
    pub revision: u64,
    pub started: Instant,
    /// The answer streamed in so far.
    pub text: String,
    /// Set once Esc asked it to stop.
    pub cancelling: bool,
}

/// A note of a suggestion, where it would sound (absolute beats).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlayNote {
    pub pitch: u8,
    pub velocity: u8,
    pub start_beat: f64,
    pub length_beats: f64,
}

/// A reply's change, shown as its diff until applied or replaced.
pub struct Proposal {
    pub set: ChangeSet,
    pub diff: Vec<String>,
    /// The history revision after applying it (`u` takes it back), or None while only shown.
    pub applied: Option<u64>,
    /// The notes of its clips with the track (in the changed project) that plays them.
    pub notes: Vec<(TrackId, PlayNote)>,
}

/// An audition in progress: note events in time order and the ones still sounding.
#[derive(Clone, Debug, Default)]
pub struct Audition {
    /// (when, track, pitch, velocity, on), sorted by time.
    pub events: Vec<(Instant, TrackId, u8, u8, bool)>,
    /// The next event to send.
    pub next: usize,
    pub sounding: Vec<(TrackId, u8)>,
}

/// The chat view's state (also drawn as a panel beside the arrange view or piano roll).
pub struct ChatState {
    pub entries: Vec<Entry>,
    pub input: TextArea<'static>,
    /// Keys go to the input (the App's mode shows insert).
    pub typing: bool,
    /// Lines scrolled up from the end of the conversation (0 follows the end).
    pub scroll: usize,
    /// Shown as a panel beside the arrange view and the piano roll on wide terminals.
    pub panel: bool,
    /// The provider and model, as the title shows them (kept so drawing never locks).
    pub provider: String,
    pub model: String,
    pub assistant: Option<Shared>,
    pub pending: Option<Pending>,
    pub proposal: Option<Proposal>,
    pub audition: Option<Audition>,
    /// The conversation was read from the index (it is read once, when the chat first opens).
    pub loaded: bool,
    /// Measured figures and the history revision they were measured at.
    pub figures: Option<(u64, Figures)>,
    /// Configured keys: masked out of prompts before they are shown or stored. Never shown.
    pub(crate) secrets: Vec<String>,
}

impl Default for ChatState {
    fn default() -> Self {
        let mut input = TextArea::default();
        input.set_placeholder_text("Ask: chords in A minor, a house beat, how is my mix?");
        input.set_cursor_line_style(ratatui::style::Style::default());
        ChatState {
            entries: Vec::new(),
            input,
            typing: false,
            scroll: 0,
            panel: false,
            provider: String::new(),
            model: String::new(),
            assistant: None,
            pending: None,
            proposal: None,
            audition: None,
            loaded: false,
            figures: None,
            secrets: Vec::new(),
        }
    }
}

impl ChatState {
    /// The turns a request carries as history: what was said, oldest first (the pane's own
    /// notes and errors are not part of the conversation).
    pub fn history(&self) -> Vec<Message> {
        self.entries
            .iter()
            .filter_map(|e| match e {
                Entry::You(t) => Some(Message {
                    role: Role::User,
                    text: t.clone(),
                }),
                Entry::Assistant(t) => Some(Message {
                    role: Role::Assistant,
                    text: t.clone(),
                }),
                _ => None,
            })
            .collect()
    }

    /// Whether a request is running.
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// `provider · model` for the title (empty before the first connection).
    pub fn title(&self) -> String {
        match (self.provider.is_empty(), self.model.is_empty()) {
            (true, _) => String::new(),
            (false, true) => self.provider.clone(),
            (false, false) => format!("{} · {}", self.provider, self.model),
        }
    }

    /// The input's text (lines joined), and the input emptied.
    pub fn take_input(&mut self) -> String {
        let text = self.input.lines().join("\n");
        self.input.select_all();
        self.input.cut();
        text
    }

    /// Masks the configured keys out of `text`.
    pub fn scrub(&self, text: &str) -> String {
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        crate::store::chat::scrub(text, &secrets)
    }
}
