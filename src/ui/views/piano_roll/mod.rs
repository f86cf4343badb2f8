//! The piano roll: the notes of one MIDI clip on a pitch × time grid, a keyboard (or drum
//! names) on the left and a velocity lane below. It owns its state (clip, cursor, grid, zoom,
//! scroll, visual anchor, a note being dragged), its keys, its mouse and its drawing.

mod draw;
mod ghost;
mod keys;
mod mouse;
mod notes;
mod play;
mod state;
pub mod tools;

pub use draw::{drum_label, grid_cols, grid_rows, in_scale, is_black, selected, VEL_H};
pub use keys::open;
pub use notes::transpose;
pub use state::{PianoState, KEYS_W, PIANO_ZOOMS};

use crate::ui::action::Cmd;
use crate::ui::ctx::{Ctx, Cx};
use crate::ui::view::View;
use crate::ui::widgets::{bars_beats, grid_name};
use crossterm::event::MouseEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

impl View for PianoState {
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
        let p = cx.project;
        let Some((ti, ci)) = self.clip_in(p) else {
            return (
                "no MIDI clip — select one in the arrange view and press Enter".into(),
                String::new(),
            );
        };
        let c = &p.tracks[ti].clips[ci];
        // Named as the rows are: a drum track's by the GM percussion map (38 Snare).
        let pitch = if self.plays_drums(p) {
            drum_label(self.pitch)
        } else {
            crate::model::pitch_name(self.pitch)
        };
        let names = format!(
            "{} / {}",
            p.tracks[ti].name,
            if c.name.is_empty() { "clip" } else { &c.name },
        );
        if cx.mode == crate::ui::keymap::Mode::Play {
            let armed = p.tracks[ti].arm;
            return (names, play::status(self, armed, cx.transport.playing));
        }
        let snap = self
            .snap
            .as_ref()
            .map(|s| format!("  snap {s}"))
            .unwrap_or_default();
        (
            names,
            format!(
                "  {pitch}  @ {}  grid {}{snap}",
                bars_beats(p, c.start + self.cursor),
                grid_name(self.grid)
            ),
        )
    }
}
