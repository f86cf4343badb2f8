//! What a view gets from the App, and what it asks of it: the types below the views.
//!
//! A view (arrange, mixer, piano roll, instrument browser) owns its state; everything else it
//! reads or changes comes through these: [`Ctx`] (read-only, for drawing), [`Cx`] (for keys and
//! the mouse: the project through the history, the engine, the mode, the clipboard, the status
//! line) and the [`Effect`]s it asks the App to carry out when they reach outside the view
//! (select a track in every view, open a clip in the piano roll, close a popup, audition a
//! note). Nothing here may import `app.rs`, a view or the command line.

use super::engine_link::{EngineLink, MeterView, TransportView};
use super::keymap::{Mode, ViewKind};
use super::peaks::PeakStore;
use super::theme::Theme;
use crate::model::{Clip, ClipId, Edit, History, Note, Project, TrackId};
use ratatui::layout::Rect;
use std::time::{Duration, Instant};

/// The status line message.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// What `y` and `x` keep for `p`.
#[derive(Clone, Debug, Default)]
pub struct Clipboard {
    /// Clips with the offset of their track from the first copied track.
    pub clips: Vec<(usize, Clip)>,
    /// Notes with clip-relative starts.
    pub notes: Vec<Note>,
}

/// What a view asks the App to do beyond its own state.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Select track `n` wherever a view shows a selected track (arrange row, mixer strip).
    SelectTrack(usize),
    /// Open a MIDI clip in the piano roll at a clip-relative beat and a pitch, and show it.
    OpenClip { clip: ClipId, beat: f64, pitch: u8 },
    /// Sound a note on a track for a while (ending the audition still sounding).
    Audition {
        track: TrackId,
        pitch: u8,
        velocity: u8,
        length: Duration,
    },
    /// Sound several notes together (a chord) on a track for a while.
    AuditionChord {
        track: TrackId,
        pitches: Vec<u8>,
        velocity: u8,
        length: Duration,
    },
    /// Put the arrange view's cursor on a beat (a marker jump).
    ArrangeCursor(f64),
    /// Close the popup on top (the view that asked is that popup).
    ClosePopup,
    /// Show the effect editor on effect `fx` of `owner`'s chain.
    OpenFxEditor {
        owner: crate::model::mixer::Owner,
        fx: crate::model::FxId,
    },
    /// Leave the effect editor for the mixer.
    CloseFxEditor,
    /// Open the picker of effect kinds and presets that adds to `owner`'s chain.
    OpenFxPicker(crate::model::mixer::Owner),
    /// Open the command line with this text typed (a prompt for a value or a name).
    Prompt(String),
}

/// What drawing reads: the App's shared state, borrowed.
pub struct Ctx<'a> {
    pub project: &'a Project,
    pub theme: &'a Theme,
    pub mode: Mode,
    pub view: ViewKind,
    pub transport: &'a TransportView,
    pub meters: &'a MeterView,
    pub peaks: &'a PeakStore,
    /// The area the main view gets.
    pub main: Rect,
}

/// What key and mouse handling get: the project (changed through the history), the engine,
/// the mode, the clipboard and the status line. Changes that reach other views are asked for
/// as [`Effect`]s, which the App carries out when the handler returns.
pub struct Cx<'a> {
    pub project: &'a mut Project,
    pub history: &'a mut History,
    pub engine: &'a mut EngineLink,
    pub mode: &'a mut Mode,
    pub clipboard: &'a mut Clipboard,
    pub status: &'a mut Status,
    pub status_at: &'a mut Instant,
    pub transport: &'a TransportView,
    pub peaks: &'a PeakStore,
    pub view: ViewKind,
    /// The area the main view gets.
    pub main: Rect,
    /// What the handler asked for, in order.
    pub effects: Vec<Effect>,
    /// Whether an edit was applied (the App then runs what follows every change).
    pub changed: bool,
}

impl Cx<'_> {
    /// Applies an edit through the history (so it can be undone); the App tells the engine when
    /// the handler returns. Returns false (with the error in the status line) when the edit
    /// does not apply.
    pub fn apply(&mut self, edit: Edit, label: &str) -> bool {
        match self.history.apply(self.project, edit, label) {
            Ok(()) => {
                self.changed = true;
                true
            }
            Err(e) => {
                self.error(format!("{label}: {e}"));
                false
            }
        }
    }

    /// Shows a message in the status line.
    pub fn info(&mut self, text: impl Into<String>) {
        *self.status = Status {
            text: text.into(),
            error: false,
        };
        *self.status_at = Instant::now();
    }

    /// Shows an error in the status line until the next key.
    pub fn error(&mut self, text: impl Into<String>) {
        *self.status = Status {
            text: text.into(),
            error: true,
        };
        *self.status_at = Instant::now();
    }

    /// Asks the App for something beyond the view's own state.
    pub fn ask(&mut self, effect: Effect) {
        self.effects.push(effect);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TrackId;

    /// A context over a fresh project, the way the App lends one.
    fn with_cx(f: impl FnOnce(&mut Cx<'_>)) -> (Project, Status, History) {
        let mut project = Project::new("t", 48_000, 120.0);
        let mut history = History::default();
        let mut engine = EngineLink::none();
        let mut mode = Mode::Normal;
        let mut clipboard = Clipboard::default();
        let mut status = Status::default();
        let mut at = Instant::now();
        let transport = TransportView::default();
        let peaks = PeakStore::new(std::path::Path::new("/nonexistent"));
        let mut cx = Cx {
            project: &mut project,
            history: &mut history,
            engine: &mut engine,
            mode: &mut mode,
            clipboard: &mut clipboard,
            status: &mut status,
            status_at: &mut at,
            transport: &transport,
            peaks: &peaks,
            view: ViewKind::Mixer,
            main: Rect::new(0, 2, 80, 20),
            effects: Vec::new(),
            changed: false,
        };
        f(&mut cx);
        (project, status, history)
    }

    #[test]
    fn an_edit_goes_through_the_history_and_marks_the_context_changed() {
        let (project, status, history) = with_cx(|cx| {
            assert!(cx.apply(Edit::SetMasterGain(-6.0), "master fader"));
            assert!(cx.changed);
            cx.info("Master -6.0 dB");
            cx.ask(Effect::SelectTrack(2));
            assert_eq!(cx.effects, vec![Effect::SelectTrack(2)]);
        });
        assert_eq!(project.master.gain_db, -6.0);
        assert_eq!(history.revision(), 1);
        assert_eq!(
            status,
            Status {
                text: "Master -6.0 dB".into(),
                error: false
            }
        );
    }

    #[test]
    fn an_edit_that_does_not_apply_says_why_and_changes_nothing() {
        let (project, status, history) = with_cx(|cx| {
            assert!(!cx.apply(Edit::RemoveTrack { id: TrackId(7) }, "delete track"));
            assert!(!cx.changed);
        });
        assert!(project.tracks.is_empty());
        assert_eq!(history.revision(), 0);
        assert!(status.error);
        assert!(status.text.starts_with("delete track: "), "{}", status.text);
    }
}
