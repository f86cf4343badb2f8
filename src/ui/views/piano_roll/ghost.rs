//! Ghost notes: the notes of the track's other MIDI clips, drawn dimmed behind the clip being
//! edited (as Ardour and REAPER do), so a part can be written against what comes before and
//! after it. They are only drawn: no key or click reaches them.

use crate::model::{ClipContent, Project};
use crate::ui::widgets::set;
use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// The ghost notes of track `ti` around clip `ci`, as (pitch, start, end) in the edited clip's
/// content beats (`origin` is the project beat of its content beat 0). Only the part of each
/// note that its own clip plays is given.
pub fn ghosts(p: &Project, ti: usize, ci: usize, origin: f64) -> Vec<(u8, f64, f64)> {
    let Some(t) = p.tracks.get(ti) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, c) in t.clips.iter().enumerate() {
        if k == ci {
            continue;
        }
        let ClipContent::Midi(m) = &c.content else {
            continue;
        };
        let their_origin = c.start - m.offset;
        for n in &m.notes {
            if let Some((s, e)) = m.audible_span(n) {
                out.push((
                    n.pitch,
                    s + their_origin - origin,
                    e + their_origin - origin,
                ));
            }
        }
    }
    out
}

/// Where the grid lies on screen and which pitches and beats it shows.
pub struct GridArea {
    /// Screen x of the first time column, y of the top pitch row.
    pub x: u16,
    pub y: u16,
    pub cols: u16,
    pub top_pitch: u8,
    pub bottom_pitch: u8,
    pub scroll_beat: f64,
    pub cols_per_beat: f64,
}

/// Draws ghost notes as `▒` in `style` on each cell's own background.
pub fn draw(buf: &mut Buffer, g: &GridArea, ghosts: &[(u8, f64, f64)], style: Style) {
    for &(pitch, start, end) in ghosts {
        if pitch > g.top_pitch || pitch < g.bottom_pitch {
            continue;
        }
        let y = g.y + (g.top_pitch - pitch) as u16;
        let c0 = ((start - g.scroll_beat) * g.cols_per_beat + 1e-9).floor();
        let c1 = ((end - g.scroll_beat) * g.cols_per_beat - 1e-9).ceil();
        if c1 <= 0.0 || c0 >= g.cols as f64 {
            continue;
        }
        let first = c0.max(0.0) as u16;
        let last = (c1.max(c0 + 1.0) as u16).min(g.cols);
        for col in first..last {
            let on_row = buf
                .cell((g.x + col, y))
                .map_or(style, |cell| style.bg(cell.bg));
            set(buf, g.x + col, y, '▒', on_row);
        }
    }
}
