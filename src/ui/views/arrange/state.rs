//! The arrange view's state: the selected track, the edit cursor and grid, zoom and scroll, the
//! visual-mode anchor, a clip being dragged with the mouse, and which tracks show their
//! automation lanes and which their take lanes (view state, not saved) with the lane the cursor
//! is on.

use crate::model::{AutomationTarget, Clip, TrackId};
use crate::ui::keymap::Mode;
use std::collections::BTreeSet;

/// Arrange view zoom levels, columns per beat.
pub const ARRANGE_ZOOMS: [f64; 8] = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0];
/// State of the arrange view.
#[derive(Clone, Debug)]
pub struct ArrangeState {
    /// Index of the selected track.
    pub track: usize,
    /// Edit cursor in beats.
    pub cursor: f64,
    /// Grid step in beats (cursor moves and clip moves snap to it).
    pub grid: f64,
    /// Index into [`ARRANGE_ZOOMS`].
    pub zoom: usize,
    /// First visible beat.
    pub scroll_beat: f64,
    /// First visible track.
    pub scroll_track: usize,
    /// Where visual mode started: (track, beat).
    pub anchor: Option<(usize, f64)>,
    /// A clip being dragged with the mouse.
    pub drag: Option<ClipDrag>,
    /// Tracks whose automation lanes show under them.
    pub lanes: BTreeSet<TrackId>,
    /// The lane of the selected track the cursor is on (None: the track's own row).
    pub lane: Option<AutomationTarget>,
    /// Tracks whose take lanes show under them.
    pub takes: BTreeSet<TrackId>,
    /// The take lane of the selected track the cursor is on (1, 2, …; None: not on one).
    pub take_lane: Option<u32>,
}

/// A clip dragged with the mouse. While the button is down the clip moves in the project
/// directly (so every view shows it where it would land); on release it is put back and the
/// move is applied once through the history, as one undoable edit.
#[derive(Clone, Debug)]
pub struct ClipDrag {
    /// The clip as it was when grabbed, and its track.
    pub origin: Clip,
    pub origin_track: TrackId,
    /// Beats from the clip's start to where it was grabbed.
    pub grab: f64,
    /// Whether it has moved since it was grabbed.
    pub moved: bool,
}

impl Default for ArrangeState {
    fn default() -> Self {
        ArrangeState {
            track: 0,
            cursor: 0.0,
            grid: 1.0,
            zoom: 3,
            scroll_beat: 0.0,
            scroll_track: 0,
            anchor: None,
            drag: None,
            lanes: BTreeSet::new(),
            lane: None,
            takes: BTreeSet::new(),
            take_lane: None,
        }
    }
}

impl ArrangeState {
    /// The selection of visual mode: track range and beat range.
    pub fn selection(&self, mode: Mode) -> Option<(usize, usize, f64, f64)> {
        if mode != Mode::Visual {
            return None;
        }
        let (t0, b0) = self.anchor?;
        let (t1, b1) = (self.track, self.cursor);
        Some((t0.min(t1), t0.max(t1), b0.min(b1), b0.max(b1) + self.grid))
    }

    /// Columns per beat.
    pub fn cols_per_beat(&self) -> f64 {
        ARRANGE_ZOOMS[self.zoom.min(ARRANGE_ZOOMS.len() - 1)]
    }
}
