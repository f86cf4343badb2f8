//! The piano roll: the notes of one MIDI clip on a pitch × time grid, a keyboard (or drum
//! names) on the left and a velocity lane below. It owns its state (clip, cursor, grid, zoom,
//! scroll, visual anchor, a note being dragged), its keys, its mouse and its drawing.

mod draw;
mod state;

pub use draw::{drum_label, grid_cols, grid_rows, in_scale, is_black, selected, VEL_H};
pub use state::{PianoState, KEYS_W, PIANO_ZOOMS};

use crate::ui::ctx::Ctx;
use crate::ui::view::View;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

impl View for PianoState {
    fn draw(&self, cx: &Ctx<'_>, buf: &mut Buffer, area: Rect) {
        draw::draw(self, cx, buf, area);
    }
}
