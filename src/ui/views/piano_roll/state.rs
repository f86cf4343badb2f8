//! The piano roll's state: the clip being edited, the cursor (beat and pitch), grid, zoom and
//! scroll, the visual anchor, the velocity of new notes and a note being dragged, play mode's
//! keyboard, scale snap and a kept groove; and what
//! follows from it with the project (the clip on screen, whether it plays drums, the width of
//! the key column).

use crate::midi::groove::Groove;
use crate::midi::theory::Scale;
use crate::model::{ClipContent, ClipId, Project};
use crate::ui::keymap::Mode;
use ratatui::layout::Rect;

/// Width of the keyboard column.
pub const KEYS_W: u16 = 5;
/// Width of the key column of a drum track: `48 Hi-Mid Tom` (at most 13 characters) and a
/// space, so that no name runs into the grid or the bar number beside it.
pub const DRUM_KEYS_W: u16 = 14;
/// Piano roll zoom levels, columns per beat.
pub const PIANO_ZOOMS: [f64; 6] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0];

/// State of the piano roll.
#[derive(Clone, Debug)]
pub struct PianoState {
    /// The clip being edited.
    pub clip: Option<ClipId>,
    /// The clip edited before this one (shown again when this one is undone away).
    pub previous: Option<ClipId>,
    /// Cursor time in beats from the clip start.
    pub cursor: f64,
    /// Cursor pitch.
    pub pitch: u8,
    /// Grid step in beats.
    pub grid: f64,
    /// Index into [`PIANO_ZOOMS`].
    pub zoom: usize,
    /// First visible beat (clip-relative).
    pub scroll_beat: f64,
    /// Highest visible pitch.
    pub top_pitch: u8,
    /// Where visual mode started: (beat, pitch).
    pub anchor: Option<(f64, u8)>,
    /// Visual mode selects a block (the pitches between anchor and cursor), not every pitch.
    pub block: bool,
    /// Velocity given to new notes.
    pub velocity: u8,
    /// A note being dragged with the mouse: its index and the grab offset in beats.
    pub drag: Option<(usize, f64)>,
    /// Play mode: the pitch of the keyboard's lowest key (`a`), a C.
    pub play_base: u8,
    /// Play mode: the velocity of played notes.
    pub play_velocity: u8,
    /// Play mode: the last pitch played (shown in the status bar).
    pub played: Option<u8>,
    /// Scale snap: inserted and moved notes land on this scale's degrees; `None` is off.
    pub snap: Option<Scale>,
    /// The groove `:groove extract` took from a clip, for `:groove apply` on another.
    pub groove: Option<Groove>,
    /// The visual selection as it was when the command line opened from visual mode: the `:`
    /// tools act on it (the command line itself leaves visual mode).
    pub held: Option<(f64, f64, u8, u8)>,
    /// The length of the last chord placed by a typed symbol (the next one takes it).
    pub chord_len: Option<f64>,
}

impl Default for PianoState {
    fn default() -> Self {
        PianoState {
            clip: None,
            previous: None,
            cursor: 0.0,
            pitch: 60,
            grid: 0.25,
            zoom: 2,
            scroll_beat: 0.0,
            top_pitch: 72,
            anchor: None,
            block: false,
            velocity: 100,
            drag: None,
            play_base: 60,
            play_velocity: 100,
            played: None,
            snap: None,
            groove: None,
            held: None,
            chord_len: None,
        }
    }
}

impl PianoState {
    /// The clip being edited, when it is still a MIDI clip: (track index, clip index).
    pub fn clip_in(&self, project: &Project) -> Option<(usize, usize)> {
        let id = self.clip?;
        let (ti, ci) = project.find_clip(id)?;
        matches!(project.tracks[ti].clips[ci].content, ClipContent::Midi(_)).then_some((ti, ci))
    }

    /// The selection of visual mode: beats [b0, b1), pitches [p0, p1]. Visual mode takes every
    /// pitch in the time range (what users expect of a time selection); block mode narrows it to
    /// the pitches between the anchor and the cursor.
    pub fn selection(&self, mode: Mode) -> Option<(f64, f64, u8, u8)> {
        if mode != Mode::Visual {
            return None;
        }
        let (ab, ap) = self.anchor?;
        let (cb, cp) = (self.cursor, self.pitch);
        let (p0, p1) = if self.block {
            (ap.min(cp), ap.max(cp))
        } else {
            (0, 127)
        };
        Some((ab.min(cb), ab.max(cb) + self.grid, p0, p1))
    }

    /// What the `:` tools act on: the visual selection, or the one held when the command line
    /// opened from visual mode. `None`: every note of the clip.
    pub fn tool_selection(&self, mode: Mode) -> Option<(f64, f64, u8, u8)> {
        self.selection(mode).or(match mode {
            Mode::Visual => None,
            _ => self.held,
        })
    }

    /// Whether the piano roll's clip plays drums: its track's instrument is a drum kit, or all its
    /// notes are on MIDI channel 10 (then its rows are named by the GM percussion map).
    pub fn plays_drums(&self, project: &Project) -> bool {
        let Some((ti, ci)) = self.clip_in(project) else {
            return false;
        };
        let t = &project.tracks[ti];
        if t.instrument
            .as_ref()
            .is_some_and(crate::ui::instruments::plays_drums)
        {
            return true;
        }
        match &t.clips[ci].content {
            ClipContent::Midi(m) => !m.notes.is_empty() && m.notes.iter().all(|n| n.channel == 9),
            ClipContent::Audio(_) => false,
        }
    }

    /// Width of the key column for the clip on screen (wider for drum names).
    pub fn keys_w(&self, project: &Project) -> u16 {
        if self.plays_drums(project) {
            DRUM_KEYS_W
        } else {
            KEYS_W
        }
    }

    /// Time columns in the main area for the clip on screen.
    pub fn grid_cols_for(&self, project: &Project, main: Rect) -> u16 {
        main.width.saturating_sub(self.keys_w(project))
    }

    /// Columns per beat.
    pub fn cols_per_beat(&self) -> f64 {
        PIANO_ZOOMS[self.zoom.min(PIANO_ZOOMS.len() - 1)]
    }
}
