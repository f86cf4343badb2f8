//! The one interface the App dispatches to: a view owns its state and handles its keys, its
//! registry commands, its mouse events and its drawing, reading and changing the rest of the
//! App only through a context (`ctx.rs`). Views never import the App, each other or the
//! command line.

use super::action::Cmd;
use super::ctx::{Ctx, Cx};
use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

pub trait View {
    /// A key before the keymap sees it (popups take every key); returns whether it was taken.
    fn key(&mut self, _cx: &mut Cx<'_>, _ev: KeyEvent) -> bool {
        false
    }
    /// A registry command bound in this view, `n` times (or with count `n`).
    fn command(&mut self, _cx: &mut Cx<'_>, _cmd: Cmd, _n: usize) {}
    /// A mouse event inside the main area.
    fn mouse(&mut self, _cx: &mut Cx<'_>, _ev: MouseEvent) {}
    /// Paints the view into `area` of the buffer; only reads.
    fn draw(&self, cx: &Ctx<'_>, buf: &mut Buffer, area: Rect);
    /// What the cursor is on, for the status row: the names (track, clip), which give way
    /// first on a narrow screen, and the rest (pitch, position, grid).
    fn status(&self, _cx: &Ctx<'_>) -> (String, String) {
        (String::new(), String::new())
    }
    /// Scrolls so that the cursor is on screen (after every input).
    fn ensure_visible(&mut self, _cx: &Ctx<'_>) {}
}
