//! The mixer view: a strip per track and bus and the master strip; keys choose a strip and a
//! value (an insert, a send, the fader, the pan) and change it in place, open the effect editor
//! on an insert, add effects and presets; a click selects a strip.

mod draw;
mod keys;
mod mouse;
mod state;

pub use draw::{label_row, pan_label, visible_strips, STRIP_W};
pub use keys::{FADER_MAX, FADER_MIN};
pub use state::{MixerParam, MixerState};

use crate::ui::action::Cmd;
use crate::ui::ctx::{Ctx, Cx};
use crate::ui::view::View;
use crossterm::event::MouseEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

impl View for MixerState {
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
        let fit = visible_strips(cx.main);
        self.ensure_visible_in(cx.project.tracks.len(), fit);
    }

    fn status(&self, cx: &Ctx<'_>) -> (String, String) {
        let name = cx
            .project
            .tracks
            .get(self.strip)
            .map(|t| t.name.as_str())
            .unwrap_or("Master");
        let chain = match cx.project.tracks.get(self.strip) {
            Some(t) => &t.effects,
            None => &cx.project.master.effects,
        };
        let param = match self.param {
            MixerParam::Insert(i) => chain
                .get(i)
                .map(|e| format!("  insert {} {}", e.kind, e.id.0))
                .unwrap_or_default(),
            p => format!("  {p:?}")
                .replace("Send(", "send ")
                .replace(')', ""),
        };
        (name.to_string(), param)
    }
}
