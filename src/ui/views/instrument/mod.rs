//! The instrument browser of a MIDI track (`I`, `:instrument`), a popup over the main view:
//! categories (GM families, drum kits, synth presets) and their choices, or every choice that
//! matches a `/` filter; Enter gives the track the instrument as one undo step.

mod draw;
mod keys;
mod state;

pub use draw::list_rows;
pub use keys::set_instrument;
pub use state::InstrumentBrowser;

use crate::ui::ctx::{Ctx, Cx};
use crate::ui::view::View;
use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

impl View for InstrumentBrowser {
    fn key(&mut self, cx: &mut Cx<'_>, ev: KeyEvent) -> bool {
        keys::on_key(self, cx, ev);
        true
    }

    fn draw(&self, cx: &Ctx<'_>, buf: &mut Buffer, area: Rect) {
        draw::draw(self, cx, buf, area);
    }
}
