//! The arrange view: tracks as rows and their clips on a timeline. It owns its state (cursor,
//! grid, zoom, scroll, visual anchor, a clip being dragged), its keys, its mouse and its
//! drawing.

mod clips;
mod draw;
mod state;

pub use draw::{timeline_cols, visible_tracks, HEADER_W, ROWS, TOP_ROWS};
pub use state::{ArrangeState, ClipDrag, ARRANGE_ZOOMS};

use crate::ui::ctx::Ctx;
use crate::ui::view::View;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

impl View for ArrangeState {
    fn draw(&self, cx: &Ctx<'_>, buf: &mut Buffer, area: Rect) {
        draw::draw(self, cx, buf, area);
    }
}
