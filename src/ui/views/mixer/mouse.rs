//! The mouse in the mixer: a click selects the strip under it.

use super::draw::STRIP_W;
use super::state::{MixerParam, MixerState};
use crate::ui::ctx::{Cx, Effect};
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

pub fn on_mouse(st: &mut MixerState, cx: &mut Cx<'_>, m: MouseEvent) {
    let main = cx.main;
    if let MouseEventKind::Down(MouseButton::Left) = m.kind {
        let tracks = cx.project.tracks.len();
        let master_x = main.x + main.width - STRIP_W;
        let strip = if m.column >= master_x {
            tracks
        } else {
            st.scroll + ((m.column - main.x) / STRIP_W) as usize
        };
        if strip <= tracks {
            st.strip = strip;
            if strip < tracks {
                cx.ask(Effect::SelectTrack(strip));
            } else {
                st.param = MixerParam::Fader;
            }
        }
    }
}
