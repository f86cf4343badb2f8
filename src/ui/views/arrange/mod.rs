//! The arrange view: tracks as rows and their clips on a timeline, with automation lanes
//! and take lanes under the tracks that show them. It owns its state (cursor, grid, zoom, scroll, visual
//! anchor, a clip being dragged, the lanes shown), its keys, its mouse and its drawing.

mod clips;
mod draw;
mod edit;
mod keys;
mod lanes;
mod lanes_draw;
mod lanes_edit;
mod layout;
mod mouse;
mod state;
mod takes;
mod takes_draw;

pub use keys::open_piano_roll;
pub use lanes::param_spec;
pub use layout::{lane_order, timeline_cols, visible_tracks, HEADER_W, LANE_ROWS, ROWS, TOP_ROWS};
pub use mouse::{cancel_drag, drag_end};
pub use state::{ArrangeState, ClipDrag, ARRANGE_ZOOMS};

use crate::ui::action::Cmd;
use crate::ui::ctx::{Ctx, Cx};
use crate::ui::view::View;
use crate::ui::widgets::{bars_beats, grid_name};
use crossterm::event::MouseEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

impl View for ArrangeState {
    fn command(&mut self, cx: &mut Cx<'_>, cmd: Cmd, n: usize) {
        keys::run(self, cx, cmd, n);
    }

    fn mouse(&mut self, cx: &mut Cx<'_>, ev: MouseEvent) {
        mouse::on_mouse(self, cx, ev);
    }

    fn draw(&self, cx: &Ctx<'_>, buf: &mut Buffer, area: Rect) {
        draw::draw(self, cx, buf, area);
    }

    fn ensure_visible(&mut self, cx: &Ctx<'_>) {
        keys::ensure_visible(self, cx.project, cx.main);
    }

    fn status(&self, cx: &Ctx<'_>) -> (String, String) {
        let track = cx
            .project
            .tracks
            .get(self.track)
            .map(|t| t.name.as_str())
            .unwrap_or("no tracks — t a adds one");
        let track = match (self.on_lane(cx.project), self.on_take(cx.project)) {
            (Some(l), _) => format!(
                "{track} ↳ {}",
                lanes::label(cx.project, self.track, &l.target)
            ),
            (None, Some(k)) => format!("{track} ↳ {}", takes::label(k)),
            (None, None) => track.to_string(),
        };
        (
            track,
            format!(
                "  @ {}  grid {}",
                bars_beats(cx.project, self.cursor),
                grid_name(self.grid)
            ),
        )
    }
}
