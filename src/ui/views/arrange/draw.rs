//! The arrange view: tracks as rows (name, mute/solo/arm, a meter) and their clips on a
//! timeline, with waveform overviews for audio and note sketches for MIDI; the ruler shows bars
//! and the loop region, the lane under it markers and tempo changes; the playhead and the edit
//! cursor cross the tracks.

use super::clips::{fades, sketch};
use super::layout::{timeline_cols, HEADER_W, ROWS, TOP_ROWS};
use super::state::ArrangeState;
use super::{lanes_draw, layout, takes_draw};
use crate::model::{ClipContent, TrackKind};
use crate::ui::ctx::Ctx;
use crate::ui::widgets::{
    db, ellipsize, fill, fit, meter_scope, put, restyle, set, trim_float, EIGHTHS_RIGHT,
};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

pub fn draw(st: &ArrangeState, cx: &Ctx<'_>, buf: &mut Buffer, area: Rect) {
    let th = &cx.theme;
    let base = th.get("arrange");
    fill(buf, area, base);
    if area.height < TOP_ROWS + 1 || area.width <= HEADER_W {
        return;
    }
    let p = &cx.project;
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
        &fit(
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
    let mut next_free = 0u16;
    for col in 0..cols {
        let b0 = beat_of(col);
        let b1 = beat_of(col + 1);
        let bar_start = (b0 / qpb).ceil() * qpb;
        if bar_start < b1 - 1e-9 && col >= next_free {
            let label = format!("{}", (bar_start / qpb).round() as i64 + 1);
            let end = col + label.len() as u16;
            // Leave space between numbers when zoomed out.
            if end <= cols {
                put(buf, tl_x + col, area.y, &label, right, ruler_bar);
                next_free = end + 1;
                continue;
            }
        }
        if col >= next_free {
            set(buf, tl_x + col, area.y, ' ', ruler);
        }
    }
    draw_lane(cx, buf, area, cols, &col_of);
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
    let playhead = col_of(cx.transport.beat);
    if let Some(c) = playhead {
        set(buf, tl_x + c, area.y, '▼', th.get("arrange.playhead"));
    }

    // Tracks.
    let grid = th.get("arrange.grid");
    let sel = st.selection(cx.mode);
    let selection_style = th.get("ui.selection");
    let clip_styles = (
        th.get("arrange.clip.audio"),
        th.get("arrange.clip.midi"),
        th.get("arrange.clip.selected"),
    );
    let on_lane = st.on_lane(p).is_some() || st.on_take(p).is_some();
    for row in layout::layout(st, p, area) {
        let (ti, y) = (row.track, row.y);
        if let Some(lane) = row.take {
            takes_draw::take_lane(st, cx, buf, area, (y, ti, lane), playhead);
            continue;
        }
        if let Some(target) = &row.lane {
            lanes_draw::lane(st, cx, buf, area, (y, ti), target, playhead);
            continue;
        }
        header(st, cx, buf, Rect::new(area.x, y, HEADER_W, ROWS), ti);
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
        // Take lanes' clips draw on their own rows (T shows them).
        for clip in track.playing_clips() {
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
            if let ClipContent::Audio(a) = &clip.content {
                if a.gain_db != 0.0 {
                    let g = trim_float((a.gain_db as f64 * 10.0).round() / 10.0);
                    let sign = if a.gain_db > 0.0 { "+" } else { "" };
                    name.push_str(&format!(" {sign}{g}dB"));
                }
            }
            for col in c0..c1 {
                set(buf, tl_x + col, y, ' ', style);
                set(buf, tl_x + col, y + 1, ' ', style);
            }
            put(buf, tl_x + c0, y, &name, tl_x + c1, style);
            sketch(st, cx, buf, tl_x, y + 1, c0, c1, clip, style);
            fades(st, cx, buf, (tl_x, y + 1, cols), clip, style);
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
        if ti == st.track && !on_lane {
            if let Some(c) = col_of(st.cursor) {
                let cur = th.get("arrange.cursor");
                restyle(buf, tl_x + c, y, cur);
                restyle(buf, tl_x + c, y + 1, cur);
            }
        }
        if let Some(c) = playhead {
            crate::ui::widgets::playhead_column(buf, tl_x + c, y, ROWS, th.get("arrange.playhead"));
        }
    }
    if p.tracks.is_empty() {
        put(
            buf,
            tl_x + 2,
            area.y + TOP_ROWS + 1,
            "No tracks yet: t a adds a MIDI track, :import FILE brings in audio or MIDI.",
            right,
            th.get("ui.text.dim"),
        );
    }
}

/// The lane under the ruler: markers (`◆Chorus`) and tempo changes (`♩140`), each from its
/// column up to a space before the next one. A marker's name is cut to the room there is; a
/// tempo shows whole or as `♩` alone (a cut number would read as another tempo). Two flags on
/// one column: the later one follows the first after a space, when there is room for it.
fn draw_lane(
    cx: &Ctx<'_>,
    buf: &mut Buffer,
    area: Rect,
    cols: u16,
    col_of: &dyn Fn(f64) -> Option<u16>,
) {
    let th = &cx.theme;
    let p = &cx.project;
    let tl_x = area.x + HEADER_W;
    let y = area.y + 1;
    let lane = th.get("arrange.ruler");
    put(
        buf,
        area.x,
        y,
        &fit("", HEADER_W as usize),
        tl_x,
        th.get("ui.text.dim"),
    );
    for col in 0..cols {
        set(buf, tl_x + col, y, ' ', lane);
    }
    // (column, text, style, whether the text may be cut)
    let mut flags: Vec<(u16, String, Style, bool)> = p
        .markers
        .iter()
        .filter_map(|m| {
            col_of(m.beat).map(|c| (c, format!("◆{}", m.name), th.get("arrange.marker"), true))
        })
        .collect();
    let changes = p.tempo.changes();
    if changes.len() > 1 {
        for c in changes {
            if let Some(col) = col_of(c.beat) {
                let bpm = trim_float((c.bpm * 100.0).round() / 100.0);
                flags.push((col, format!("♩{bpm}"), th.get("arrange.tempo"), false));
            }
        }
    }
    flags.sort_by_key(|f| f.0);
    let mut free = 0u16;
    for (i, (c, text, style, cut)) in flags.iter().enumerate() {
        // A flag pushed along by another on its column keeps a space from it, and is left out
        // when not even its glyph fits before the next one (`◆Intro♩` would read as one name).
        let pushed = free > *c;
        let start = if pushed { free + 1 } else { *c };
        if start >= cols {
            break;
        }
        let next = flags[i + 1..]
            .iter()
            .map(|f| f.0)
            .find(|&x| x > start)
            .unwrap_or(cols + 1);
        let room = (next.saturating_sub(start).saturating_sub(1)) as usize;
        if pushed && room == 0 {
            continue;
        }
        let room = room.max(1);
        let n = text.chars().count();
        let shown: String = if n <= room || *cut {
            text.chars().take(room).collect()
        } else {
            text.chars().take(1).collect()
        };
        let end = put(buf, tl_x + start, y, &shown, tl_x + cols, *style);
        free = end - tl_x;
    }
}

fn header(st: &ArrangeState, cx: &Ctx<'_>, buf: &mut Buffer, r: Rect, ti: usize) {
    let th = &cx.theme;
    let t = &cx.project.tracks[ti];
    let selected = ti == st.track;
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
    // The name ends an ellipsis and a space before the m/s/r flags, however long it is.
    let name_w = r.width.saturating_sub(8) as usize;
    let name = fit(
        &ellipsize(&format!("{kind} {}", t.name), name_w),
        name_w + 1,
    );
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
    // A MIDI track names its instrument in front of a shorter meter.
    let (mx, mw) = match (t.kind, &t.instrument) {
        (TrackKind::Midi, Some(inst)) => {
            const NAME_W: u16 = 13;
            let name = crate::ui::instruments::instrument_name(inst);
            let style = if selected { base } else { flag(false, "") };
            put(
                buf,
                r.x + 1,
                r.y + 1,
                &fit(&ellipsize(&name, NAME_W as usize), NAME_W as usize),
                r.x + 1 + NAME_W,
                style,
            );
            (r.x + 2 + NAME_W, r.width - 4 - NAME_W)
        }
        // An armed audio track names its input and monitoring in front of its input's meter.
        (TrackKind::Audio, _) if t.arm => {
            let label = crate::ui::track_input::label(t);
            let lw = (label.chars().count() as u16).min(r.width.saturating_sub(6));
            put(
                buf,
                r.x + 1,
                r.y + 1,
                &fit(&label, lw as usize),
                r.x + 1 + lw,
                th.get("arrange.track.arm").bg(base.bg.unwrap_or_default()),
            );
            (r.x + 2 + lw, r.width.saturating_sub(4 + lw))
        }
        _ => (r.x + 1, r.width - 3),
    };
    // A small horizontal peak meter, -60..0 dB over the header width (an armed audio track's
    // input while one is open).
    let level = crate::ui::track_input::input_level(t, cx.meters)
        .unwrap_or_else(|| cx.meters.tracks.get(&t.id).copied().unwrap_or_default());
    let peak = level.peak[0].max(level.peak[1]);
    let d = db(peak);
    let w = mw as f32;
    let eighths = (((d + 60.0) / 60.0).clamp(0.0, 1.0) * w * 8.0).round() as usize;
    let style = th.get(meter_scope(d)).bg(base.bg.unwrap_or_default());
    for i in 0..mw as usize {
        let e = eighths.saturating_sub(i * 8).min(8);
        set(buf, mx + i as u16, r.y + 1, EIGHTHS_RIGHT[e], style);
    }
}
