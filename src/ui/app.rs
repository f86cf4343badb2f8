//! The one state of the TUI: the project and its history, the views' states (each defined in
//! its view folder), the mode, the status line and the popups. Only `update::update` changes
//! it; views get a context made of it (`app_views.rs`), never the App itself.

use super::action::Cmd;
pub use super::ctx::{Clipboard, Status};
use super::engine_link::{EngineLink, MeterView, Transport, TransportView};
use super::keymap::{Key, Keymap, Mode, ViewKind};
use super::peaks::PeakStore;
use super::theme::{ColorDepth, Theme};
pub use super::views::arrange::{ArrangeState, ClipDrag, ARRANGE_ZOOMS};
pub use super::views::chat::ChatState;
pub use super::views::fx_editor::{FxEditorState, FxPicker};
pub use super::views::instrument::InstrumentBrowser;
pub use super::views::mixer::{MixerParam, MixerState};
pub use super::views::piano_roll::{PianoState, PIANO_ZOOMS};
use crate::model::{Edit, History, Project, TrackId};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The smallest terminal the screen is laid out for.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// How long a message (not an error) stays in the status line when no key is pressed.
pub const MESSAGE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(5);

/// The `:` command line.
#[derive(Clone, Debug, Default)]
pub struct CmdLine {
    pub text: String,
    /// Cursor position in characters.
    pub cursor: usize,
    /// Earlier command lines, oldest first.
    pub history: Vec<String>,
    /// Position while browsing the history with up/down.
    pub history_pos: Option<usize>,
    /// Tab completion candidates and the one shown.
    pub completions: Vec<String>,
    pub completion_index: usize,
    /// The text before the completed word, while cycling.
    pub completion_base: String,
}

/// A popup over the main view. They stack; the top one takes the keys.
#[derive(Clone, Debug, PartialEq)]
pub enum Popup {
    /// The keys of the current view, generated from the keymap and the registry.
    Help { scroll: u16 },
    /// `:q` with unsaved changes.
    ConfirmQuit,
    /// The autosave `file` of a session that ended without saving holds changes that
    /// `project.toml` lacks: recover, discard, or decide later.
    Recover {
        autosave: Box<Project>,
        file: PathBuf,
        /// Said about it (made from an older project.toml), or empty.
        note: String,
    },
    /// The instrument browser of a MIDI track (`I`, `:instrument`).
    Instrument(Box<InstrumentBrowser>),
    /// The picker of effect kinds and presets that adds to a chain (`a` in the mixer).
    FxPicker(Box<FxPicker>),
    /// `:import` of a MIDI file whose tempo differs from the project's: use it? (y/n)
    ImportTempo(Box<PendingImport>),
}

/// A MIDI import held back until the user answers whether to take the file's tempo.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingImport {
    /// The import's edit (the new tracks).
    pub edit: Edit,
    /// The file's tempo map, applied in the same undo step on `y`.
    pub tempo: crate::model::TempoMap,
    /// What the import says when applied.
    pub summary: String,
    /// The file's name, for the question.
    pub file: String,
    /// Files the import wrote, removed again when it is cancelled.
    pub copied: Vec<PathBuf>,
}

/// Keys typed so far that are a count or a prefix.
#[derive(Clone, Debug, Default)]
pub struct Pending {
    pub count: Option<usize>,
    pub keys: Vec<Key>,
}

/// The whole TUI state.
pub struct App {
    pub project: Project,
    /// The project folder.
    pub dir: PathBuf,
    pub history: History,
    /// History revision at the last save; `None` when the project on screen was never saved
    /// as it is (e.g. recovered from an autosave).
    pub saved_revision: Option<u64>,
    /// The project as last saved (or as opened): undoing back to it counts as saved again.
    /// `None` when the project on disk is not known (a recovered autosave).
    pub saved_project: Option<Box<Project>>,
    /// `unsaved()` at a history revision, so that comparing projects happens once per edit,
    /// not once per frame.
    unsaved_cache: std::cell::Cell<Option<(u64, bool)>>,
    /// History revision at the last autosave.
    pub autosaved_revision: u64,
    pub last_autosave: Instant,
    /// The project on disk: merge base, fingerprint, session claim.
    pub disk: super::disk::Disk,
    pub view: ViewKind,
    pub mode: Mode,
    pub arrange: ArrangeState,
    pub mixer: MixerState,
    pub fx_editor: FxEditorState,
    pub piano: PianoState,
    /// The chat with the assistant (its work is `ui::assistant`'s).
    pub chat: ChatState,
    pub status: Status,
    /// When the status message was set: messages go after [`MESSAGE_LIFETIME`], errors stay
    /// until the next key.
    pub status_at: Instant,
    pub cmdline: CmdLine,
    pub popups: Vec<Popup>,
    pub keymap: Keymap,
    pub theme: Theme,
    pub color_depth: ColorDepth,
    pub pending: Pending,
    /// The last repeatable command and its count, for `.`.
    pub last_repeat: Option<(Cmd, usize)>,
    pub clipboard: Clipboard,
    pub engine: EngineLink,
    pub transport: TransportView,
    pub meters: MeterView,
    pub peaks: PeakStore,
    /// Background work and timers; their events reach `update` as `Action::Job`.
    pub jobs: super::jobs::Jobs,
    /// Terminal size in cells.
    pub size: (u16, u16),
    /// Set when the user quits; the event loop ends.
    pub quit: bool,
    /// Set by `update` when the screen must be drawn again.
    pub needs_redraw: bool,
    /// A note being auditioned (released by the `AuditionOff` timer).
    pub audition_off: Vec<(TrackId, u8)>,
    /// When the session started (for the index).
    pub opened_at: std::time::SystemTime,
    /// A `:render` in progress.
    pub render: Option<super::engine_link::RenderJob>,
    /// The General MIDI SoundFont renders use (from the config, or found on the system).
    pub soundfont: Option<PathBuf>,
    /// The metronome clicks while playing (an engine setting, not part of the project).
    pub metronome: bool,
    /// Playback starts after a bar of clicks.
    pub count_in: bool,
    /// The `:` commands help lists, given by the command registry when help opens.
    pub help_commands: Vec<super::action::CommandDoc>,
}

impl App {
    /// A TUI state for a project in `dir`, with no engine (silent) and the given keymap and
    /// theme. `App::open` is the usual way in; tests use this directly.
    pub fn new(project: Project, dir: &Path, keymap: Keymap, theme: Theme) -> App {
        let depth = ColorDepth::detect();
        let saved = Box::new(project.clone());
        let disk = super::disk::Disk::new(dir, &project, None);
        let mut app = App {
            project,
            dir: dir.to_path_buf(),
            history: History::default(),
            saved_revision: Some(0),
            saved_project: Some(saved),
            unsaved_cache: std::cell::Cell::new(None),
            autosaved_revision: 0,
            last_autosave: Instant::now(),
            disk,
            view: ViewKind::Arrange,
            mode: Mode::Normal,
            arrange: ArrangeState::default(),
            mixer: MixerState::default(),
            fx_editor: FxEditorState::default(),
            piano: PianoState::default(),
            chat: ChatState::default(),
            status: Status::default(),
            status_at: Instant::now(),
            cmdline: CmdLine::default(),
            popups: Vec::new(),
            keymap,
            theme,
            color_depth: depth,
            pending: Pending::default(),
            last_repeat: None,
            clipboard: Clipboard::default(),
            engine: EngineLink::none(),
            transport: TransportView::default(),
            meters: MeterView::default(),
            peaks: PeakStore::new(dir),
            jobs: super::jobs::Jobs::new(),
            size: MIN_SIZE,
            quit: false,
            needs_redraw: true,
            audition_off: Vec::new(),
            opened_at: std::time::SystemTime::now(),
            render: None,
            soundfont: None,
            metronome: false,
            count_in: false,
            help_commands: Vec::new(),
        };
        app.status = Status {
            text: format!("{} — press ? for help, :q to quit", app.project.name),
            error: false,
        };
        app.peaks.request_all(&app.project, &mut app.jobs);
        app
    }

    /// Whether there are changes that are not saved to `project.toml`: the project differs
    /// from the one last saved (so undoing back to the save is "saved" again).
    pub fn unsaved(&self) -> bool {
        let rev = self.history.revision();
        if self.saved_revision == Some(rev) {
            return false;
        }
        if let Some((r, v)) = self.unsaved_cache.get() {
            if r == rev {
                return v;
            }
        }
        let v = self
            .saved_project
            .as_deref()
            .is_none_or(|saved| *saved != self.project);
        self.unsaved_cache.set(Some((rev, v)));
        v
    }

    /// Records that the project on screen is now what `project.toml` holds.
    pub fn mark_saved(&mut self) {
        self.saved_revision = Some(self.history.revision());
        self.saved_project = Some(Box::new(self.project.clone()));
        self.unsaved_cache.set(None);
    }

    /// Records that the project on screen was never saved as it is (a recovered autosave).
    pub fn mark_never_saved(&mut self) {
        self.saved_revision = None;
        self.saved_project = None;
        self.unsaved_cache.set(None);
    }

    /// Shows a message in the status line (until the next key, or for [`MESSAGE_LIFETIME`]).
    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Status {
            text: text.into(),
            error: false,
        };
        self.status_at = Instant::now();
    }

    /// Shows an error in the status line until the next key (the TUI keeps running).
    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Status {
            text: text.into(),
            error: true,
        };
        self.status_at = Instant::now();
    }

    /// Clears the status line if a message has outlived [`MESSAGE_LIFETIME`] (errors stay).
    /// Returns whether it cleared one.
    pub fn expire_status(&mut self, now: Instant) -> bool {
        let old = now.saturating_duration_since(self.status_at) >= MESSAGE_LIFETIME;
        if old && !self.status.error && !self.status.text.is_empty() {
            self.status = Status::default();
            return true;
        }
        false
    }

    /// Whether the terminal is smaller than the screen is laid out for (the "too small"
    /// screen shows, and keys do nothing but quit).
    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_SIZE.0 || self.size.1 < MIN_SIZE.1
    }

    /// Applies an edit through the history (so it can be undone) and tells the engine.
    /// Returns false (with the error in the status line) when the edit does not apply.
    pub fn apply(&mut self, edit: Edit, label: &str) -> bool {
        match self.history.apply(&mut self.project, edit, label) {
            Ok(()) => {
                self.project_changed();
                true
            }
            Err(e) => {
                self.error(format!("{label}: {e}"));
                false
            }
        }
    }

    /// After any change of the project: keep selections valid, hand the engine the new
    /// snapshot, and start peak jobs for new audio files.
    pub fn project_changed(&mut self) {
        let n = self.project.tracks.len();
        self.arrange.track = self.arrange.track.min(n.saturating_sub(1));
        self.mixer.strip = self.mixer.strip.min(n);
        if let Some(id) = self.piano.clip {
            if self.project.find_clip(id).is_none() {
                // Undoing the clip that `:chords` made goes back to the clip it was made from.
                let back = self.piano.previous.take();
                self.piano.clip = back.filter(|c| self.project.find_clip(*c).is_some());
            }
        }
        // An undo can take away the effect the editor shows: back to the mixer then.
        if self.view == ViewKind::FxEditor && self.fx_editor.effect(&self.project).is_none() {
            self.view = ViewKind::Mixer;
        }
        self.engine.load_project(&self.project, &self.dir);
        self.peaks.request_all(&self.project, &mut self.jobs);
    }

    /// The track the track commands act on: the mixer's strip in the mixer, else the arrange
    /// row.
    pub fn current_track(&self) -> usize {
        if matches!(self.view, ViewKind::Mixer | ViewKind::FxEditor) {
            self.mixer.strip
        } else {
            self.arrange.track
        }
    }

    /// The keymap mode keys are looked up in: lane (takes) mode while the arrange view's cursor
    /// is on an automation (take) lane in normal mode, else the mode.
    pub fn key_mode(&self) -> Mode {
        let arrange = self.view == ViewKind::Arrange && self.mode == Mode::Normal;
        if arrange && self.arrange.on_lane(&self.project).is_some() {
            Mode::Lane
        } else if arrange && self.arrange.on_take(&self.project).is_some() {
            Mode::Takes
        } else {
            self.mode
        }
    }

    /// Selects a track in both the arrange view and the mixer.
    pub fn select_track(&mut self, i: usize) {
        self.arrange.track = i;
        self.mixer.strip = i;
    }

    /// The selected track's id.
    pub fn selected_track(&self) -> Option<TrackId> {
        self.project.tracks.get(self.arrange.track).map(|t| t.id)
    }

    /// The clip being edited in the piano roll: (track index, clip index).
    pub fn piano_clip(&self) -> Option<(usize, usize)> {
        self.piano.clip_in(&self.project)
    }

    /// The area the main view gets (below the top bar, above the status and command lines).
    /// (Narrower by the chat panel when it shows beside the view.)
    pub fn main_area(&self) -> ratatui::layout::Rect {
        self.split_chat_panel(self.full_main()).0
    }

    /// Where the chat panel goes (right of the main view), when it shows.
    pub fn chat_panel_area(&self) -> Option<ratatui::layout::Rect> {
        self.split_chat_panel(self.full_main()).1
    }

    fn full_main(&self) -> ratatui::layout::Rect {
        super::widgets::layout(ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1)).main
    }

    /// `main` split into the view's part and the chat panel's, when the panel shows: asked
    /// for, the view is the arrange view or the piano roll, and the screen is wide enough.
    pub fn split_chat_panel(
        &self,
        main: ratatui::layout::Rect,
    ) -> (ratatui::layout::Rect, Option<ratatui::layout::Rect>) {
        let w = super::views::chat::panel_width(main.width);
        if !self.chat.panel
            || w == 0
            || !matches!(self.view, ViewKind::Arrange | ViewKind::PianoRoll)
        {
            return (main, None);
        }
        let mut view = main;
        view.width -= w;
        let panel = ratatui::layout::Rect::new(main.x + view.width, main.y, w, main.height);
        (view, Some(panel))
    }

    /// Where playback starts: the edit cursor of the view (the top bar reads the tempo here while
    /// stopped).
    pub fn cursor_beat(&self) -> f64 {
        match self.view {
            ViewKind::Arrange => self.arrange.cursor,
            ViewKind::PianoRoll => self
                .piano_clip()
                .map(|(ti, ci)| self.project.tracks[ti].clips[ci].start + self.piano.cursor)
                .unwrap_or(self.transport.beat),
            ViewKind::Mixer | ViewKind::FxEditor | ViewKind::Chat => self.transport.beat,
        }
    }

    /// Sounds `pitches` together on `track` for `length` (a job timer sends the note-offs),
    /// ending the audition that is still sounding first.
    pub fn audition(&mut self, track: TrackId, pitches: &[u8], velocity: u8, length: Duration) {
        self.audition_end();
        for &pitch in pitches {
            // Without an engine there is nothing to hear; editing goes on silently.
            let on = Transport::Audition {
                track,
                pitch,
                velocity,
                on: true,
            };
            if self.engine.transport(on).is_ok() {
                self.audition_off.push((track, pitch));
            }
        }
        if !self.audition_off.is_empty() {
            self.jobs.after(length, super::jobs::Timer::AuditionOff);
        }
    }

    /// Releases the notes of the audition still sounding.
    pub fn audition_end(&mut self) {
        for (track, pitch) in std::mem::take(&mut self.audition_off) {
            let _ = self.engine.transport(Transport::Audition {
                track,
                pitch,
                velocity: 0,
                on: false,
            });
        }
    }
}
