//! The chat with the assistant: a view of its own (`g i`, `:chat`) or a panel beside the
//! arrange view and the piano roll on a wide terminal (`:chat panel`). It shows the
//! conversation (kept per project in the index), the answer streaming in with a spinner, a
//! proposed change as its diff, and a multi-line input. The asking, applying and auditioning
//! are `ui::assistant`'s (they need the App's jobs and engine); this folder holds the state,
//! the keys of the input and the drawing.

mod draw;
mod keys;
mod state;

pub use draw::visible_rows;
pub use keys::{input_key, paste, Typed};
pub use state::{Audition, ChatState, Entry, Pending, PlayNote, Proposal, Shared};

use crate::ui::action::Cmd;
use crate::ui::ctx::{Ctx, Cx};
use crate::ui::view::View;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The narrowest terminal the chat shows as a panel on (narrower: the view alone).
pub const PANEL_MIN_WIDTH: u16 = 120;

/// The panel's share of the width: a third, at least this many columns.
pub const PANEL_MIN_COLS: u16 = 40;

/// The panel's width on a screen `width` columns wide (0: no room for it).
pub fn panel_width(width: u16) -> u16 {
    if width < PANEL_MIN_WIDTH {
        0
    } else {
        (width / 3).max(PANEL_MIN_COLS)
    }
}

impl View for ChatState {
    fn command(&mut self, cx: &mut Cx<'_>, cmd: Cmd, n: usize) {
        let page = (cx.main.height as usize / 2).max(1);
        keys::command(self, cmd, n, page);
    }

    fn draw(&self, cx: &Ctx<'_>, buf: &mut Buffer, area: Rect) {
        draw::draw(self, cx, buf, area);
    }

    fn status(&self, _cx: &Ctx<'_>) -> (String, String) {
        let turns = self.history().len();
        let what = match (&self.pending, &self.proposal) {
            (Some(_), _) => "  waiting for the answer".to_string(),
            (None, Some(p)) if p.applied.is_none() => "  a change to review".to_string(),
            _ => String::new(),
        };
        ("Chat".into(), format!("  {turns} messages{what}"))
    }
}
