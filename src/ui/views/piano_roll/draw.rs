//! The piano roll: the selected MIDI clip on a pitch × time grid, a keyboard on the left, the
//! project key's scale shaded, the cursor and visual selection, and a velocity lane below.
//! Beats are the clip's content beats: the clip plays the window `[offset, offset + length)`,
//! and what lies outside it (notes trimmed away, the part of a note past the clip's end) is
//! drawn dimmed as `░`, because it is not heard.

use super::ghost;
use super::state::{PianoState, KEYS_W};
use crate::model::{pitch_name, ClipContent, Key, Note};
use crate::ui::ctx::Ctx;
use crate::ui::widgets::{fill, fit, put, restyle, set, EIGHTHS_UP};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Rows of the velocity lane (with its separator).
pub const VEL_H: u16 = 4;

/// Pitch rows that fit in the main area.
pub fn grid_rows(main: Rect) -> u16 {
    main.height.saturating_sub(1 + VEL_H)
}

/// Time columns in the main area.
pub fn grid_cols(main: Rect) -> u16 {
    main.width.saturating_sub(KEYS_W)
}

/// The label of a drum row: `36 Kick`, or the note name outside the GM map.
pub fn drum_label(pitch: u8) -> String {
    match crate::midi::gm::drum_short_name(pitch) {
        Some(n) => format!("{pitch} {n}"),
        None => format!("{pitch} {}", pitch_name(pitch)),
    }
}

/// One row of the keyboard at the left: a white key is a full row (C keys labelled with their
/// octave, e.g. `C4`), a black key a shorter `▒▒▒` in front of the white keys' backs, so the
/// keys read without colour. The cursor's pitch is drawn reversed.
fn keyboard_row(
    buf: &mut Buffer,
    (x, y, w): (u16, u16, u16),
    pitch: u8,
    at_cursor: bool,
    drums: bool,
    (white, black, cursor): (Style, Style, Style),
) {
    let (white, black) = if at_cursor {
        (white.patch(cursor), black.patch(cursor))
    } else {
        (white, black)
    };
    for dx in 0..w {
        set(buf, x + dx, y, ' ', white);
    }
    if drums {
        // Every row named by the GM percussion map; black keys keep their shade behind it.
        let style = if is_black(pitch) { black } else { white };
        put(
            buf,
            x,
            y,
            &fit(&drum_label(pitch), w as usize),
            x + w,
            style,
        );
        return;
    }
    if is_black(pitch) {
        for dx in KEYS_W - BLACK_W..KEYS_W {
            set(buf, x + dx, y, '▒', black);
        }
    } else if pitch % 12 == 0 || at_cursor {
        put(buf, x, y, &pitch_name(pitch), x + KEYS_W, white);
    }
}

/// Length of a black key in the keyboard column.
const BLACK_W: u16 = 3;

/// Whether a pitch is a black key.
pub fn is_black(pitch: u8) -> bool {
    matches!(pitch % 12, 1 | 3 | 6 | 8 | 10)
}

/// Whether a pitch belongs to the project key's scale (C major without a key).
pub fn in_scale(key: Option<Key>, pitch: u8) -> bool {
    match key {
        Some(k) => k.contains(pitch),
        None => !is_black(pitch),
    }
}

/// Whether a note is inside a selection rectangle.
pub fn selected(sel: (f64, f64, u8, u8), n: &Note) -> bool {
    n.start >= sel.0 - 1e-9 && n.start < sel.1 - 1e-9 && n.pitch >= sel.2 && n.pitch <= sel.3
}

pub fn draw(st: &PianoState, cx: &Ctx<'_>, buf: &mut Buffer, area: Rect) {
    let th = &cx.theme;
    fill(buf, area, th.get("piano"));
    let right = area.x + area.width;
    let Some((ti, ci)) = st.clip_in(cx.project) else {
        put(
            buf,
            area.x + 2,
            area.y + 1,
            "No MIDI clip here: put the arrange cursor on a MIDI clip and press Enter",
            right,
            th.get("ui.text.dim"),
        );
        put(
            buf,
            area.x + 2,
            area.y + 2,
            "(c in the arrange view creates one on a MIDI track).",
            right,
            th.get("ui.text.dim"),
        );
        return;
    };
    let p = &cx.project;
    let clip = &p.tracks[ti].clips[ci];
    let ClipContent::Midi(m) = &clip.content else {
        return;
    };
    let cpb = st.cols_per_beat();
    let drums = st.plays_drums(cx.project);
    let kw = st.keys_w(cx.project);
    let gx = area.x + kw;
    let cols = st.grid_cols_for(cx.project, area);
    let rows = grid_rows(area);
    let beat_of = |col: u16| st.scroll_beat + col as f64 / cpb;
    let col_of = |beat: f64| -> Option<u16> {
        let c = ((beat - st.scroll_beat) * cpb + 1e-9).floor();
        (c >= 0.0 && c < cols as f64).then_some(c as u16)
    };
    let qpb = p.time_signature.quarters_per_bar();
    let (w0, w1) = m.window();
    // Content beat → project beat.
    let origin = clip.start - m.offset;

    // Ruler: bar.beat labels relative to the project, clip name in the key column.
    put(
        buf,
        area.x,
        area.y,
        &fit(
            &if drums {
                drum_label(st.pitch)
            } else {
                pitch_name(st.pitch)
            },
            kw as usize,
        ),
        gx,
        th.get("ui.text.dim"),
    );
    let mut next_free = 0u16;
    for col in 0..cols {
        let b = origin + beat_of(col);
        let b_next = origin + beat_of(col + 1);
        let beat_start = b.ceil();
        if beat_start < b_next - 1e-9 && col >= next_free {
            let (bar, beat, _) = p.time_signature.bars_beats(beat_start);
            let label = if beat == 1 {
                format!("{bar}")
            } else {
                format!("·{beat}")
            };
            let style = if beat == 1 {
                th.get("arrange.ruler.bar")
            } else {
                th.get("arrange.ruler")
            };
            put(buf, gx + col, area.y, &label, right, style);
            next_free = col + label.chars().count() as u16 + 1;
        }
    }

    // Grid rows.
    let sel = st.selection(cx.mode);
    let white = th.get("piano.key.white");
    let black = th.get("piano.key.black");
    let scale_row = th.get("piano.row.scale");
    let out_row = th.get("piano.row.out");
    let bar_line = th.get("piano.grid.bar");
    let dim = th.get("ui.text.dim");
    let cursor = th.get("piano.cursor");
    for row in 0..rows {
        let Ok(pitch) = u8::try_from(st.top_pitch as i32 - row as i32) else {
            break;
        };
        let y = area.y + 1 + row;
        keyboard_row(
            buf,
            (area.x, y, kw),
            pitch,
            pitch == st.pitch,
            drums,
            (white, black, cursor),
        );
        // Scale snap's scale shades the rows when it is on, else the project key's.
        let on_scale = match st.snap {
            Some(s) => s.contains(pitch),
            None => in_scale(p.key, pitch),
        };
        let row_style = if on_scale { scale_row } else { out_row };
        // Scale rows are dotted, so that they show without colour too.
        let empty = if on_scale { '·' } else { ' ' };
        for col in 0..cols {
            let b0 = beat_of(col);
            let b1 = beat_of(col + 1);
            let style = row_style;
            let outside = b0 >= w1 - 1e-9 || b1 <= w0 + 1e-9;
            let ch = if outside {
                // Outside the clip's window: empty, without grid or scale.
                ' '
            } else if ((b0 + origin) / qpb).ceil() * qpb < b1 + origin - 1e-9 {
                '│'
            } else if b0.ceil() < b1 - 1e-9 {
                '┊'
            } else {
                empty
            };
            let style = if outside {
                dim.bg(row_style.bg.unwrap_or_default())
            } else if ch == '│' {
                bar_line.bg(row_style.bg.unwrap_or_default())
            } else {
                style
            };
            set(buf, gx + col, y, ch, style);
        }
        if let Some(s) = sel {
            if pitch >= s.2 && pitch <= s.3 {
                for col in 0..cols {
                    let b = beat_of(col);
                    if b >= s.0 - 1e-9 && b < s.1 - 1e-9 {
                        restyle(buf, gx + col, y, th.get("ui.selection"));
                    }
                }
            }
        }
    }

    let bottom_pitch = st
        .top_pitch
        .saturating_sub(rows.saturating_sub(1).min(127) as u8);
    // Ghost notes of the track's other clips, behind this clip's own.
    let grid_area = ghost::GridArea {
        x: gx,
        y: area.y + 1,
        cols,
        top_pitch: st.top_pitch,
        bottom_pitch,
        scroll_beat: st.scroll_beat,
        cols_per_beat: cpb,
    };
    ghost::draw(buf, &grid_area, &ghost::ghosts(p, ti, ci, origin), dim);

    // Notes.
    let note_style = th.get("piano.note");
    let sel_style = th.get("piano.note.selected");
    for n in &m.notes {
        if n.pitch > st.top_pitch || n.pitch < bottom_pitch {
            continue;
        }
        let y = area.y + 1 + (st.top_pitch - n.pitch) as u16;
        let c0 = ((n.start - st.scroll_beat) * cpb + 1e-9).floor();
        let c1 = ((n.end() - st.scroll_beat) * cpb - 1e-9).ceil();
        if c1 <= 0.0 || c0 >= cols as f64 {
            continue;
        }
        let is_sel = sel.is_some_and(|s| selected(s, n));
        let (style, body) = if is_sel {
            (sel_style, '▓')
        } else {
            (note_style, '█')
        };
        // The columns before this beat sound; the rest of the note does not.
        let heard_until = m.audible_span(n).map_or(f64::NEG_INFINITY, |(_, e)| e);
        let first = c0.max(0.0) as u16;
        let last = (c1.max(c0 + 1.0) as u16).min(cols);
        for col in first..last {
            let heard =
                heard_until.is_finite() && (col as f64 == c0 || beat_of(col) < heard_until - 1e-9);
            if !heard {
                // Dimmed on the row's own background: not a note that sounds.
                let on_row = buf.cell((gx + col, y)).map_or(dim, |cell| dim.bg(cell.bg));
                set(buf, gx + col, y, '░', on_row);
                continue;
            }
            // A start mark separates repeated notes; one-column notes are solid.
            let ch = if col as f64 == c0 && c1 - c0 >= 2.0 {
                '▐'
            } else {
                body
            };
            set(buf, gx + col, y, ch, style);
        }
    }

    // Playhead and cursor.
    let ph = cx.transport.beat - origin;
    if let Some(c) = col_of(ph) {
        for row in 0..rows {
            let y = area.y + 1 + row;
            if buf
                .cell((gx + c, y))
                .is_some_and(|cell| cell.symbol() != "█")
            {
                set(buf, gx + c, y, '│', th.get("arrange.playhead"));
            }
        }
    }
    if st.pitch <= st.top_pitch && st.pitch >= bottom_pitch {
        if let Some(c) = col_of(st.cursor) {
            let y = area.y + 1 + (st.top_pitch - st.pitch) as u16;
            let w = ((st.grid * cpb).round() as u16).max(1);
            for dx in 0..w {
                if c + dx < cols {
                    restyle(buf, gx + c + dx, y, th.get("piano.cursor"));
                }
            }
        }
    }

    // Velocity lane.
    let ly = area.y + 1 + rows;
    put(buf, area.x, ly, &fit("vel", kw as usize), gx, dim);
    for col in 0..cols {
        set(buf, gx + col, ly, '─', dim);
    }
    let lane_h = VEL_H - 1;
    let vel_style = th.get("piano.velocity");
    for n in &m.notes {
        let Some(c) = col_of(n.start) else { continue };
        let eighths = (n.velocity as f32 / 127.0 * lane_h as f32 * 8.0).round() as usize;
        let style = if !m.plays(n) {
            dim
        } else if sel.is_some_and(|s| selected(s, n)) {
            sel_style
        } else {
            vel_style
        };
        for r in 0..lane_h {
            let e = eighths.saturating_sub(r as usize * 8).min(8);
            let y = ly + lane_h - r;
            if e > 0 {
                set(buf, gx + c, y, EIGHTHS_UP[e], style);
            }
        }
    }
    let _ = right;
}
