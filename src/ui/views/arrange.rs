//! The arrange view: tracks as rows (name, mute/solo/arm, a meter) and their clips on a
//! timeline, with waveform overviews for audio and note sketches for MIDI; the ruler shows bars,
//! the loop region and markers; the playhead and the edit cursor cross the tracks.

use super::{db, fill, meter_scope, put, restyle, set, EIGHTHS_RIGHT};
use crate::model::{ClipContent, Project, TrackKind};
use crate::ui::app::App;
use crate::ui::keymap::Mode;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Width of the track headers.
pub const HEADER_W: u16 = 24;
/// Rows per track.
pub const ROWS: u16 = 2;

/// How many tracks fit in the main area.
pub fn visible_tracks(main: Rect) -> usize {
    (main.height.saturating_sub(1) / ROWS) as usize
}

/// Timeline columns in the main area.
pub fn timeline_cols(main: Rect) -> u16 {
    main.width.saturating_sub(HEADER_W)
}

/// The selection of visual mode: track range and beat range.
pub fn selection(app: &App) -> Option<(usize, usize, f64, f64)> {
    if app.mode != Mode::Visual {
        return None;
    }
    let (t0, b0) = app.arrange.anchor?;
    let (t1, b1) = (app.arrange.track, app.arrange.cursor);
    Some((
        t0.min(t1),
        t0.max(t1),
        b0.min(b1),
        b0.max(b1) + app.arrange.grid,
    ))
}

pub fn draw(app: &App, buf: &mut Buffer, area: Rect) {
    let th = &app.theme;
    let base = th.get("arrange");
    fill(buf, area, base);
    if area.height < 2 || area.width <= HEADER_W {
        return;
    }
    let p = &app.project;
    let st = &app.arrange;
    let cpb = st.cols_per_beat();
    let tl_x = area.x + HEADER_W;
    let cols = timeline_cols(area);
    let right = area.x + area.width;
    let col_of = |beat: f64| -> Option<u16> {
        let c = ((beat - st.scroll_beat) * cpb).floor();
        (c >= 0.0 && c < cols as f64).then_some(c as u16)
    };
    let beat_of = |col: u16| st.scroll_beat + col as f64 / cpb;
    let qpb = p.time_signature.quarters_per_bar();

    // Ruler: bars, loop, markers, playhead.
    let ruler = th.get("arrange.ruler");
    let ruler_bar = th.get("arrange.ruler.bar");
    put(
        buf,
        area.x,
        area.y,
        &super::fit(
            &format!(
                " {} track{}",
                p.tracks.len(),
                if p.tracks.len() == 1 { "" } else { "s" }
            ),
            HEADER_W as usize,
        ),
        tl_x,
        th.get("ui.text.dim"),
    );
    // Markers take precedence over bar numbers; each name runs up to the next marker.
    let mut marks: Vec<(u16, &str)> = p
        .markers
        .iter()
        .filter_map(|m| col_of(m.beat).map(|c| (c, m.name.as_str())))
        .collect();
    marks.sort_by_key(|m| m.0);
    let mut spans: Vec<(u16, u16)> = Vec::new();
    for (i, (c, name)) in marks.iter().enumerate() {
        let limit = marks.get(i + 1).map_or(cols, |n| n.0);
        let end = (*c + 1 + name.chars().count() as u16).min(limit);
        spans.push((*c, end));
    }
    let mut next_free = 0u16;
    for col in 0..cols {
        let b0 = beat_of(col);
        let b1 = beat_of(col + 1);
        let bar_start = (b0 / qpb).ceil() * qpb;
        if bar_start < b1 - 1e-9 && col >= next_free {
            let label = format!("{}", (bar_start / qpb).round() as i64 + 1);
            let end = col + label.len() as u16;
            let clear = spans.iter().all(|(a, b)| end <= *a || col >= *b);
            // Leave space between numbers when zoomed out.
            if end <= cols && clear {
                put(buf, tl_x + col, area.y, &label, right, ruler_bar);
                next_free = end + 1;
                continue;
            }
        }
        if col >= next_free {
            set(buf, tl_x + col, area.y, ' ', ruler);
        }
    }
    for ((c, name), (_, end)) in marks.iter().zip(&spans) {
        put(
            buf,
            tl_x + c,
            area.y,
            &format!("◆{name}"),
            tl_x + end,
            th.get("arrange.marker"),
        );
    }
    if let Some(l) = p.loop_region {
        let style = if l.enabled {
            th.get("arrange.loop")
        } else {
            th.get("ui.text.dim")
        };
        for col in 0..cols {
            let b = beat_of(col);
            if b >= l.start - 1e-9 && b < l.end - 1e-9 {
                restyle(buf, tl_x + col, area.y, style);
            }
        }
    }
    let playhead = col_of(app.transport.beat);
    if let Some(c) = playhead {
        set(buf, tl_x + c, area.y, '▼', th.get("arrange.playhead"));
    }

    // Tracks.
    let grid = th.get("arrange.grid");
    let sel = selection(app);
    let selection_style = th.get("ui.selection");
    let clip_styles = (
        th.get("arrange.clip.audio"),
        th.get("arrange.clip.midi"),
        th.get("arrange.clip.selected"),
    );
    let n = visible_tracks(area);
    for (row, ti) in (st.scroll_track..p.tracks.len()).take(n).enumerate() {
        let y = area.y + 1 + row as u16 * ROWS;
        header(app, buf, Rect::new(area.x, y, HEADER_W, ROWS), ti);
        // Empty timeline with bar lines.
        for col in 0..cols {
            let b0 = beat_of(col);
            let b1 = beat_of(col + 1);
            let bar_line = ((b0 / qpb).ceil() * qpb) < b1 - 1e-9;
            let ch = if bar_line { '┊' } else { ' ' };
            set(buf, tl_x + col, y, ch, grid);
            set(buf, tl_x + col, y + 1, ch, grid);
        }
        let track = &p.tracks[ti];
        for clip in &track.clips {
            let start = clip.start;
            let end = p.clip_end_beat(clip);
            if end <= beat_of(0) || start >= beat_of(cols) {
                continue;
            }
            let c0 = ((start - st.scroll_beat) * cpb).floor().max(0.0) as u16;
            let c1 = (((end - st.scroll_beat) * cpb).ceil().max(0.0) as u16).min(cols);
            let c1 = c1.max(c0 + 1).min(cols);
            let selected = sel
                .is_some_and(|(t0, t1, b0, b1)| (t0..=t1).contains(&ti) && start < b1 && end > b0);
            let style = if selected {
                clip_styles.2
            } else {
                match clip.content {
                    ClipContent::Audio(_) => clip_styles.0,
                    ClipContent::Midi(_) => clip_styles.1,
                }
            };
            let mut name = if clip.name.is_empty() {
                match &clip.content {
                    ClipContent::Audio(a) => a.file.rsplit('/').next().unwrap_or("").to_string(),
                    ClipContent::Midi(_) => String::new(),
                }
            } else {
                clip.name.clone()
            };
            if ((start - st.scroll_beat) * cpb).floor() >= 0.0 {
                name.insert(0, '▏');
            }
            for col in c0..c1 {
                set(buf, tl_x + col, y, ' ', style);
                set(buf, tl_x + col, y + 1, ' ', style);
            }
            put(buf, tl_x + c0, y, &name, tl_x + c1, style);
            sketch(app, buf, tl_x, y + 1, c0, c1, clip, style);
        }
        // Visual selection over empty cells, then the cursor.
        if let Some((t0, t1, b0, b1)) = sel {
            if (t0..=t1).contains(&ti) {
                for col in 0..cols {
                    let b = beat_of(col);
                    if b >= b0 - 1e-9 && b < b1 - 1e-9 {
                        for dy in 0..ROWS {
                            if let Some(cell) = buf.cell((tl_x + col, y + dy)) {
                                if cell.symbol() == " " || cell.symbol() == "┊" {
                                    restyle(buf, tl_x + col, y + dy, selection_style);
                                }
                            }
                        }
                    }
                }
            }
        }
        if ti == st.track {
            if let Some(c) = col_of(st.cursor) {
                let cur = th.get("arrange.cursor");
                restyle(buf, tl_x + c, y, cur);
                restyle(buf, tl_x + c, y + 1, cur);
            }
        }
        if let Some(c) = playhead {
            for dy in 0..ROWS {
                let x = tl_x + c;
                let empty = buf
                    .cell((x, y + dy))
                    .is_some_and(|cell| cell.symbol() == " " || cell.symbol() == "┊");
                if empty {
                    set(buf, x, y + dy, '│', th.get("arrange.playhead"));
                }
            }
        }
    }
    if p.tracks.is_empty() {
        put(
            buf,
            tl_x + 2,
            area.y + 2,
            "No tracks yet: t a adds a MIDI track, :import FILE brings in audio or MIDI.",
            right,
            th.get("ui.text.dim"),
        );
    }
}

fn header(app: &App, buf: &mut Buffer, r: Rect, ti: usize) {
    let th = &app.theme;
    let t = &app.project.tracks[ti];
    let selected = ti == app.arrange.track;
    let base = if selected {
        th.get("arrange.track.selected")
    } else {
        th.get("arrange.track")
    };
    fill(buf, r, base);
    let right = r.x + r.width;
    let kind = match t.kind {
        TrackKind::Audio => '∿',
        TrackKind::Midi => '♪',
        TrackKind::Bus => 'Σ',
    };
    let name = super::fit(&format!("{kind} {}", t.name), (r.width - 7) as usize);
    let x = put(buf, r.x + 1, r.y, &name, right, base);
    let flag = |on: bool, scope: &str| -> Style {
        if on {
            th.get(scope)
        } else if selected {
            base
        } else {
            th.get("ui.text.dim").bg(base.bg.unwrap_or_default())
        }
    };
    let mut fx = x;
    for (label, on, scope) in [
        ('M', t.mute, "arrange.track.mute"),
        ('S', t.solo, "arrange.track.solo"),
        ('R', t.arm, "arrange.track.arm"),
    ] {
        set(
            buf,
            fx,
            r.y,
            if on {
                label
            } else {
                label.to_ascii_lowercase()
            },
            flag(on, scope),
        );
        fx += 2;
    }
    // A small horizontal peak meter, -60..0 dB over the header width.
    let level = app.meters.tracks.get(&t.id).copied().unwrap_or_default();
    let peak = level.peak[0].max(level.peak[1]);
    let d = db(peak);
    let w = (r.width - 3) as f32;
    let eighths = (((d + 60.0) / 60.0).clamp(0.0, 1.0) * w * 8.0).round() as usize;
    let style = th.get(meter_scope(d)).bg(base.bg.unwrap_or_default());
    for i in 0..(r.width - 3) as usize {
        let e = eighths.saturating_sub(i * 8).min(8);
        set(buf, r.x + 1 + i as u16, r.y + 1, EIGHTHS_RIGHT[e], style);
    }
}

/// Draws the sketch row of a clip: a braille waveform (audio) or note dashes (MIDI).
#[allow(clippy::too_many_arguments)]
fn sketch(
    app: &App,
    buf: &mut Buffer,
    tl_x: u16,
    y: u16,
    c0: u16,
    c1: u16,
    clip: &crate::model::Clip,
    style: Style,
) {
    let st = &app.arrange;
    let p: &Project = &app.project;
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
            let Some(peaks) = app.peaks.get(&a.file) else {
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
