//! The sketch row of a clip in the arrange view: a braille waveform (audio, from the peak
//! cache) or note dashes (MIDI), and an audio clip's fades over it.

use super::state::ArrangeState;
use crate::model::{ClipContent, Project};
use crate::ui::ctx::Ctx;
use crate::ui::widgets::set;
use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// Draws an audio clip's fades over its sketch row: `╱` across the fade-in, `╲` across the
/// fade-out (at least one cell each, so a short fade still shows).
pub(super) fn fades(
    st: &ArrangeState,
    cx: &Ctx<'_>,
    buf: &mut Buffer,
    (tl_x, y, cols): (u16, u16, u16),
    clip: &crate::model::Clip,
    style: Style,
) {
    let ClipContent::Audio(a) = &clip.content else {
        return;
    };
    let tm = &cx.project.tempo;
    let cpb = st.cols_per_beat();
    let cols = cols as f64;
    let start_s = tm.beat_to_seconds(clip.start);
    let end_s = start_s + a.length;
    let col = |beat: f64| (beat - st.scroll_beat) * cpb;
    let mut ramp = |from_s: f64, to_s: f64, ch: char| {
        let c0 = col(tm.seconds_to_beat(from_s)).floor();
        let c1 = col(tm.seconds_to_beat(to_s)).ceil().max(c0 + 1.0);
        let mut c = c0.max(0.0);
        while c < c1.min(cols) {
            set(buf, tl_x + c as u16, y, ch, style);
            c += 1.0;
        }
    };
    if a.fade_in > 0.0 {
        ramp(start_s, start_s + a.fade_in, '╱');
    }
    if a.fade_out > 0.0 {
        // The last cell of the fade-out is the clip's last cell.
        let c_end = col(tm.seconds_to_beat(end_s)).ceil();
        let c_from = col(tm.seconds_to_beat(end_s - a.fade_out))
            .floor()
            .min(c_end - 1.0);
        let mut c = c_from.max(0.0);
        while c < c_end.min(cols) {
            set(buf, tl_x + c as u16, y, '╲', style);
            c += 1.0;
        }
    }
}

/// Draws the sketch row of a clip: a braille waveform (audio) or note dashes (MIDI).
#[allow(clippy::too_many_arguments)]
pub(super) fn sketch(
    st: &ArrangeState,
    cx: &Ctx<'_>,
    buf: &mut Buffer,
    tl_x: u16,
    y: u16,
    c0: u16,
    c1: u16,
    clip: &crate::model::Clip,
    style: Style,
) {
    let p: &Project = cx.project;
    let cpb = st.cols_per_beat();
    let width = (c1 - c0) as usize;
    let mut cells = vec![0u8; width];
    // Dot column d covers beats [beat_at(d), beat_at(d+1)); two dot columns per cell.
    let dot_beat = |d: usize| st.scroll_beat + (c0 as f64 + d as f64 / 2.0) / cpb;
    match &clip.content {
        ClipContent::Midi(m) => {
            // Only what plays: notes starting inside the clip's window, cut at its end.
            let playing = || m.notes.iter().filter(|n| m.plays(n));
            let Some(lo) = playing().map(|n| n.pitch).min() else {
                return;
            };
            let hi = playing().map(|n| n.pitch).max().unwrap_or(lo);
            let span = (hi - lo).max(1) as f64;
            for note in playing() {
                let Some((s, e)) = m.audible_span(note) else {
                    continue;
                };
                let row = 3 - ((note.pitch - lo) as f64 / span * 3.0).round() as usize;
                let s = clip.start + s - m.offset;
                let e = clip.start + e - m.offset;
                let d0 = ((s - st.scroll_beat) * cpb * 2.0 - c0 as f64 * 2.0).floor();
                let d1 = ((e - st.scroll_beat) * cpb * 2.0 - c0 as f64 * 2.0).ceil();
                let d0 = d0.max(0.0) as usize;
                let d1 = (d1.max(0.0) as usize).min(width * 2);
                for d in d0..d1.max(d0 + 1).min(width * 2) {
                    cells[d / 2] |= braille_bit(d % 2, row);
                }
            }
        }
        ClipContent::Audio(a) => {
            let Some(peaks) = cx.peaks.get(&a.file) else {
                return;
            };
            let clip_s = p.tempo.beat_to_seconds(clip.start);
            for d in 0..width * 2 {
                let t0 = p.tempo.beat_to_seconds(dot_beat(d)) - clip_s;
                let t1 = p.tempo.beat_to_seconds(dot_beat(d + 1)) - clip_s;
                if t1 <= 0.0 || t0 >= a.length {
                    continue;
                }
                let Some((lo, hi)) =
                    peaks.range(a.offset + t0.max(0.0), a.offset + t1.min(a.length))
                else {
                    continue;
                };
                let level = |v: f32| -> usize {
                    (((1.0 - v) / 2.0) * 3.999).floor().clamp(0.0, 3.0) as usize
                };
                let (top, bottom) = (level(hi), level(lo));
                for row in top..=bottom {
                    cells[d / 2] |= braille_bit(d % 2, row);
                }
            }
        }
    }
    for (i, bits) in cells.iter().enumerate() {
        if *bits != 0 {
            let ch = char::from_u32(0x2800 + *bits as u32).unwrap_or(' ');
            set(buf, tl_x + c0 + i as u16, y, ch, style);
        }
    }
}

/// The braille dot at column `x` (0, 1) and row `y` (0..4).
fn braille_bit(x: usize, y: usize) -> u8 {
    const BITS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
    BITS[x.min(1)][y.min(3)]
}
