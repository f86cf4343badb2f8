//! The effect editor (`Enter` on a mixer insert): a view of its own over the main area with
//! the effect's parameters, stepped, reset or typed one undo step at a time, and the picker
//! (`a`) that adds an effect kind or a preset to a chain. `Esc` or `q` goes back to the mixer.

mod curve;
mod draw;
mod keys;
mod picker;
mod state;

pub use draw::rows_fit;
pub use picker::{FxPicker, PickerPreset};
pub use state::FxEditorState;

use crate::ui::action::Cmd;
use crate::ui::ctx::{Ctx, Cx};
use crate::ui::view::View;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

impl View for FxEditorState {
    fn command(&mut self, cx: &mut Cx<'_>, cmd: Cmd, n: usize) {
        keys::run(self, cx, cmd, n);
    }

    fn draw(&self, cx: &Ctx<'_>, buf: &mut Buffer, area: Rect) {
        draw::draw(self, cx, buf, area);
    }

    fn ensure_visible(&mut self, cx: &Ctx<'_>) {
        self.clamp(cx.project, rows_fit(cx.main));
    }

    fn status(&self, cx: &Ctx<'_>) -> (String, String) {
        let owner = crate::model::mixer::owner_name(cx.project, self.owner);
        let param = self
            .selected(cx.project)
            .map(|(e, ps, _)| format!("  {} {} {}", e.kind, e.id.0, ps.name))
            .unwrap_or_default();
        (owner, param)
    }
}
