//! Where the arrange view's rows go: the header width, the rows above the tracks, a track's
//! rows and its take lanes' and automation lanes' rows under it (for the tracks that show them). Drawing, the
//! keys and the mouse read this one layout.

use super::state::ArrangeState;
use crate::model::{fx, takes};
use crate::model::{AutomationLane, AutomationTarget, Project};
use ratatui::layout::Rect;

/// Width of the track headers.
pub const HEADER_W: u16 = 24;
/// Rows per track.
pub const ROWS: u16 = 2;

/// Rows above the tracks: the ruler (bar numbers, loop) and the lane of markers and tempo
/// changes. (At an even height the lane costs no track row: (h - 2) / 2 == (h - 1) / 2.)
pub const TOP_ROWS: u16 = 2;

/// How many tracks fit in the main area.
pub fn visible_tracks(main: Rect) -> usize {
    (main.height.saturating_sub(TOP_ROWS) / ROWS) as usize
}

/// Timeline columns in the main area.
pub fn timeline_cols(main: Rect) -> u16 {
    main.width.saturating_sub(HEADER_W)
}

/// Rows per lane: two rows of eighth blocks give a curve 16 steps high.
pub const LANE_ROWS: u16 = 2;

/// Rows per take lane: the takes' names and the comped parts.
pub const TAKE_ROWS: u16 = 2;

/// One band of rows in the track area: a track's own rows, one of its take lanes or one of
/// its automation lanes.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub y: u16,
    pub track: usize,
    pub lane: Option<AutomationTarget>,
    /// The take lane (1, 2, …) this row shows.
    pub take: Option<u32>,
}

impl Row {
    /// Rows this band takes.
    pub fn height(&self) -> u16 {
        if self.take.is_some() {
            TAKE_ROWS
        } else if self.lane.is_some() {
            LANE_ROWS
        } else {
            ROWS
        }
    }
}

/// The take lanes that show under track `ti`: 1 … its highest lane (none while hidden).
pub fn shown_takes(st: &ArrangeState, p: &Project, ti: usize) -> Vec<u32> {
    match p.tracks.get(ti) {
        Some(t) if st.takes.contains(&t.id) => (1..=takes::lane_count(t)).collect(),
        _ => Vec::new(),
    }
}

/// The lanes of track `ti` in the order they show: gain, pan, the sends in order, then the
/// effects in chain order with their parameters in registry order (a stable order, whatever
/// order edits left them in).
pub fn lane_order(p: &Project, ti: usize) -> Vec<&AutomationLane> {
    let Some(t) = p.tracks.get(ti) else {
        return Vec::new();
    };
    let rank = |target: &AutomationTarget| -> (u8, usize, usize) {
        match target {
            AutomationTarget::Gain => (0, 0, 0),
            AutomationTarget::Pan => (1, 0, 0),
            AutomationTarget::Send(b) => (
                2,
                t.sends
                    .iter()
                    .position(|s| s.to == *b)
                    .unwrap_or(usize::MAX),
                0,
            ),
            AutomationTarget::Fx(id, param) => {
                let pos = t.effects.iter().position(|e| e.id == *id);
                let pi = pos
                    .and_then(|i| fx::kind(&t.effects[i].kind))
                    .and_then(|k| k.param(param))
                    .map_or(usize::MAX, |(i, _)| i);
                (3, pos.unwrap_or(usize::MAX), pi)
            }
        }
    };
    let mut lanes: Vec<&AutomationLane> = t.automation.iter().collect();
    lanes.sort_by_key(|l| rank(&l.target));
    lanes
}

/// The lanes that show under track `ti` (none while its lanes are hidden).
pub fn shown(st: &ArrangeState, p: &Project, ti: usize) -> Vec<AutomationTarget> {
    match p.tracks.get(ti) {
        Some(t) if st.lanes.contains(&t.id) => lane_order(p, ti)
            .into_iter()
            .map(|l| l.target.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// The rows of the track area from the first visible track down, as many as fit whole.
pub fn layout(st: &ArrangeState, p: &Project, area: Rect) -> Vec<Row> {
    let bottom = area.y + area.height;
    let mut y = area.y + TOP_ROWS;
    let mut rows = Vec::new();
    'tracks: for ti in st.scroll_track..p.tracks.len() {
        if y + ROWS > bottom {
            break;
        }
        rows.push(Row {
            y,
            track: ti,
            lane: None,
            take: None,
        });
        y += ROWS;
        for take in shown_takes(st, p, ti) {
            if y + TAKE_ROWS > bottom {
                break 'tracks;
            }
            rows.push(Row {
                y,
                track: ti,
                lane: None,
                take: Some(take),
            });
            y += TAKE_ROWS;
        }
        for target in shown(st, p, ti) {
            if y + LANE_ROWS > bottom {
                break 'tracks;
            }
            rows.push(Row {
                y,
                track: ti,
                lane: Some(target),
                take: None,
            });
            y += LANE_ROWS;
        }
    }
    rows
}

/// The row under screen row `y` and its height.
pub fn row_at(st: &ArrangeState, p: &Project, area: Rect, y: u16) -> Option<Row> {
    layout(st, p, area)
        .into_iter()
        .find(|r| y >= r.y && y < r.y + r.height())
}
