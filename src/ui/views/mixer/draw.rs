//! The mixer: a strip per track and bus (name, inserts, sends, peak/RMS meters with the fader,
//! fader value, pan, mute/solo/arm) and the master strip with momentary and short-term LUFS.
//! The inserts section lists a chain's effects (short kind, id, `○` and dim when bypassed, a
//! gain-reduction bar for compressors, gates and limiters); it takes no rows when no chain has
//! any. Sends show their bus, level and `pre` when pre-fader. A strip keeps at least a short
//! meter: inserts and sends beyond the rows left are summed up as `+N more`.

use super::state::{MixerParam, MixerState};
use crate::model::Effect;
use crate::model::{Track, TrackKind};
use crate::ui::ctx::Ctx;
use crate::ui::effects::{has_gain_reduction, short_kind};
use crate::ui::engine_link::Level;
use crate::ui::widgets::{
    db, ellipsize, fill, fit, meter_scope, put, set, EIGHTHS_RIGHT, EIGHTHS_UP,
};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Width of a strip, including the gap.
pub const STRIP_W: u16 = 12;
/// Meter range in dB (bottom, top).
const METER_DB: (f32, f32) = (-60.0, 6.0);
/// Rows a strip keeps besides inserts and sends: name, kind, a meter of two, three below.
const FIXED_ROWS: u16 = 7;
/// Gain reduction a strip's three-cell bar spans, dB.
const GR_FULL: f32 = 12.0;

/// How many track strips fit next to the master strip.
pub fn visible_strips(main: Rect) -> usize {
    (main.width.saturating_sub(STRIP_W + 1) / STRIP_W) as usize
}

pub fn draw(st: &MixerState, cx: &Ctx<'_>, buf: &mut Buffer, area: Rect) {
    let th = &cx.theme;
    fill(buf, area, th.get("mixer"));
    let p = &cx.project;
    let inserts = p
        .tracks
        .iter()
        .map(|t| t.effects.len())
        .chain([p.master.effects.len()])
        .max()
        .unwrap_or(0);
    let sends = p.tracks.iter().map(|t| t.sends.len()).max().unwrap_or(0);
    let n = visible_strips(area);
    // The pager gets a row of its own below the strips; every strip (the master too) keeps
    // the same height, so that their meter scales line up row by row.
    let paged = p.tracks.len() > n;
    let h = area.height - u16::from(paged && area.height > 1);
    // Inserts and sends share what the fixed rows leave; inserts first.
    let room = h.saturating_sub(FIXED_ROWS) as usize;
    let inserts = inserts.min(room);
    let sends = sends.min(room - inserts);
    for (i, ti) in (st.scroll..p.tracks.len()).take(n).enumerate() {
        let r = Rect::new(area.x + i as u16 * STRIP_W, area.y, STRIP_W - 1, h);
        strip(st, cx, buf, r, Some(ti), inserts, sends);
    }
    let mx = area.x + area.width - STRIP_W;
    strip(
        st,
        cx,
        buf,
        Rect::new(mx, area.y, STRIP_W, h),
        None,
        inserts,
        sends,
    );
    if paged {
        let more = format!(
            "◀ {}–{} of {} ▶",
            st.scroll + 1,
            (st.scroll + n).min(p.tracks.len()),
            p.tracks.len()
        );
        put(
            buf,
            area.x,
            area.y + area.height - 1,
            &more,
            mx,
            th.get("ui.text.dim"),
        );
    }
}

/// One strip; `ti` None is the master.
fn strip(
    st: &MixerState,
    cx: &Ctx<'_>,
    buf: &mut Buffer,
    r: Rect,
    ti: Option<usize>,
    inserts: usize,
    sends: usize,
) {
    let th = &cx.theme;
    let p = &cx.project;
    let index = ti.unwrap_or(p.tracks.len());
    let selected = st.strip == index;
    let base = match (ti, selected) {
        (_, true) => th.get("mixer.strip.selected"),
        (None, false) => th.get("mixer.master"),
        (Some(_), false) => th.get("mixer.strip"),
    };
    fill(buf, r, base);
    let right = r.x + r.width;
    let w = r.width as usize;
    let track: Option<&Track> = ti.map(|i| &p.tracks[i]);
    let value_style = |param: MixerParam| -> Style {
        if selected && st.param == param {
            th.get("mixer.value.selected")
        } else {
            base
        }
    };
    let mut y = r.y;
    let bottom = r.y + r.height;
    let name = track.map(|t| t.name.as_str()).unwrap_or("Master");
    let name_style = if selected {
        base.add_modifier(ratatui::style::Modifier::BOLD)
    } else {
        base
    };
    put(
        buf,
        r.x,
        y,
        &center(&ellipsize(name, w), w),
        right,
        name_style,
    );
    y += 1;
    // An audio track shows its input and monitoring (`in3-4 auto`) when armed or set, in the
    // arm colour while armed (its meter then shows the input).
    let input_level = track.and_then(|t| crate::ui::track_input::input_level(t, cx.meters));
    let kind = match track.map(|t| t.kind) {
        // Unarmed with the default input and monitoring, just the kind.
        Some(TrackKind::Audio) => match track {
            Some(t) if t.arm || t.input.is_some() || !t.monitor.is_auto() => {
                crate::ui::track_input::label(t)
            }
            _ => "audio".into(),
        },
        Some(TrackKind::Midi) => "MIDI".into(),
        Some(TrackKind::Bus) => "bus".into(),
        None => "out".into(),
    };
    let kind_style = match track {
        Some(t) if t.arm && t.kind == TrackKind::Audio => th.get("arrange.track.arm"),
        _ => th.get("ui.text.dim"),
    };
    put(
        buf,
        r.x,
        y,
        &center(&ellipsize(&kind, w), w),
        right,
        kind_style.bg(base.bg.unwrap_or_default()),
    );
    y += 1;
    // Inserts, then sends: as many rows as the strip that has the most.
    let effects = match track {
        Some(t) => &t.effects,
        None => &p.master.effects,
    };
    let dim = th.get("ui.text.dim").bg(base.bg.unwrap_or_default());
    // A chain longer than its rows scrolls so that the cursor's insert shows.
    let first = match st.param {
        MixerParam::Insert(c) if selected && c >= inserts => c + 1 - inserts,
        _ => 0,
    };
    for row in 0..inserts {
        let i = first + row;
        // The last row sums up what does not fit (unless the cursor is there).
        let more = effects.len().saturating_sub(i);
        if row + 1 == inserts && more > 1 && !(selected && st.param == MixerParam::Insert(i)) {
            put(buf, r.x, y, &fit(&format!(" +{more} more"), w), right, dim);
        } else if let Some(e) = effects.get(i) {
            let style = match value_style(MixerParam::Insert(i)) {
                s if s != base => s,
                _ if e.bypass => dim,
                s => s,
            };
            insert_row(cx, buf, r.x, y, w, e, style);
        }
        y += 1;
    }
    let all_sends = track.map_or(0, |t| t.sends.len());
    for i in 0..sends {
        if i + 1 == sends && all_sends > sends && !(selected && st.param == MixerParam::Send(i)) {
            put(
                buf,
                r.x,
                y,
                &fit(&format!(" +{} more", all_sends - i), w),
                right,
                dim,
            );
        } else if let Some(s) = track.and_then(|t| t.sends.get(i)) {
            let to = p.track(s.to).map(|t| t.name.as_str()).unwrap_or("?");
            let level = format!("{:+.0}", s.level_db);
            let pre = if s.pre_fader { " pre" } else { "" };
            let name_w = w.saturating_sub(2 + level.len() + pre.len());
            let label = format!("→{} {level}{pre}", fit(to, name_w).trim_end());
            put(
                buf,
                r.x,
                y,
                &fit(&label, w),
                right,
                value_style(MixerParam::Send(i)),
            );
        }
        y += 1;
    }
    // Below the meter: fader, pan, flags on a track; fader and the two loudness rows on the
    // master. The same three rows, so the master's meter is as tall as the tracks'.
    let below = 3;
    let meter_h = bottom.saturating_sub(y + below);
    let level = match (track, input_level) {
        (_, Some(l)) => l,
        (Some(t), None) => cx.meters.tracks.get(&t.id).copied().unwrap_or_default(),
        (None, None) => cx.meters.master,
    };
    let gain = track.map(|t| t.gain_db).unwrap_or(p.master.gain_db);
    if meter_h >= 2 {
        meter(
            cx,
            buf,
            Rect::new(r.x, y, r.width, meter_h),
            level,
            gain,
            base,
        );
    }
    y += meter_h;
    let fader = if gain <= -96.0 {
        "-inf dB".to_string()
    } else {
        format!("{gain:+.1} dB")
    };
    put(
        buf,
        r.x,
        y,
        &center(&fader, w),
        right,
        value_style(MixerParam::Fader),
    );
    y += 1;
    if let Some(t) = track {
        put(
            buf,
            r.x,
            y,
            &center(&pan_label(t.pan), w),
            right,
            value_style(MixerParam::Pan),
        );
        y += 1;
        let flags = [
            ('M', t.mute, "arrange.track.mute"),
            ('S', t.solo, "arrange.track.solo"),
            ('R', t.arm, "arrange.track.arm"),
        ];
        let mut x = r.x + (r.width.saturating_sub(5)) / 2;
        for (c, on, scope) in flags {
            let st = if on {
                th.get(scope).bg(base.bg.unwrap_or_default())
            } else {
                th.get("ui.text.dim").bg(base.bg.unwrap_or_default())
            };
            set(buf, x, y, if on { c } else { c.to_ascii_lowercase() }, st);
            x += 2;
        }
    } else {
        // Loudness is in LUFS (LU is a difference of two loudnesses). "M-14.2 LUFS" fits the
        // strip's 11 columns; quieter than -99.9 reads as -99.9.
        let lufs =
            |v: Option<f64>| v.map_or("  -- ".to_string(), |v| format!("{:5.1}", v.max(-99.9)));
        put(
            buf,
            r.x,
            y,
            &fit(&format!("M{} LUFS", lufs(cx.meters.momentary_lufs)), w),
            right,
            base,
        );
        y += 1;
        put(
            buf,
            r.x,
            y,
            &fit(&format!("S{} LUFS", lufs(cx.meters.short_term_lufs)), w),
            right,
            base,
        );
    }
}

/// One insert: `●Comp 3 ██▌` (bypassed: `○`), the bar its gain reduction over `GR_FULL` dB.
fn insert_row(cx: &Ctx<'_>, buf: &mut Buffer, x: u16, y: u16, w: usize, e: &Effect, st: Style) {
    let mark = if e.bypass { '○' } else { '●' };
    let gr = has_gain_reduction(&e.kind);
    let bar_w = if gr && w >= 10 { 3 } else { 0 };
    let label = format!("{mark}{} {}", short_kind(&e.kind), e.id.0);
    put(buf, x, y, &fit(&label, w - bar_w), x + w as u16, st);
    if bar_w > 0 {
        let db = cx.meters.gain_reduction.get(&e.id).copied().unwrap_or(0.0);
        let eighths = ((db / GR_FULL).clamp(0.0, 1.0) * bar_w as f32 * 8.0).round() as usize;
        let bar_style = cx
            .theme
            .get("mixer.meter.high")
            .bg(st.bg.unwrap_or_default());
        for c in 0..bar_w {
            let n = eighths.saturating_sub(c * 8).min(8);
            let (ch, s) = if n == 0 {
                ('·', st)
            } else {
                (EIGHTHS_RIGHT[n], bar_style)
            };
            set(buf, x + (w - bar_w + c) as u16, y, ch, s);
        }
    }
}

/// Rows of a meter `h` rows tall that a level in dB fills (fractional).
fn meter_rows(d: f32, h: u16) -> f32 {
    ((d - METER_DB.0) / (METER_DB.1 - METER_DB.0)).clamp(0.0, 1.0) * h as f32
}

/// Eighths of row `row` (0 = bottom) lit by a bar `rows` tall: any part of the row below the
/// bar's top lights at least one eighth. (Rounding would leave a row dark for a bar that
/// barely enters it, so a label on that row would look a row too high.)
fn lit_eighths(rows: f32, row: u16) -> usize {
    ((rows - row as f32) * 8.0 - EPS_EIGHTHS)
        .ceil()
        .clamp(0.0, 8.0) as usize
}

/// Float noise in a level (dB → linear → dB) must not light an extra eighth.
const EPS_EIGHTHS: f32 = 1e-3;

/// The row (0 = bottom) where a bar at `d` dB ends: where the scale writes `d`, so each label
/// sits on the row a signal at that level tops out in.
pub fn label_row(d: f32, h: u16) -> u16 {
    let top = (meter_rows(d, h) - EPS_EIGHTHS / 8.0).ceil() - 1.0;
    top.clamp(0.0, h.saturating_sub(1) as f32) as u16
}

/// Two vertical bars (left, right peak; the RMS shown as the brighter body) with a dB scale
/// and the fader position.
fn meter(cx: &Ctx<'_>, buf: &mut Buffer, r: Rect, level: Level, gain_db: f32, base: Style) {
    let th = &cx.theme;
    let h = r.height as f32;
    let to_rows = |d: f32| meter_rows(d, r.height);
    let bg = base.bg.unwrap_or_default();
    for (i, ch) in [0usize, 1].iter().enumerate() {
        let x = r.x + 2 + i as u16 * 2;
        let peak_rows = to_rows(db(level.peak[*ch]));
        let rms_rows = to_rows(db(level.rms[*ch]));
        for row in 0..r.height {
            let y = r.y + r.height - 1 - row;
            let row_db = METER_DB.0 + (row as f32 + 0.5) / h * (METER_DB.1 - METER_DB.0);
            let fill_eighths = lit_eighths(peak_rows, row);
            let in_rms = (row as f32) < rms_rows.floor();
            let style = if in_rms {
                th.get("mixer.meter.rms").bg(bg)
            } else {
                th.get(meter_scope(row_db)).bg(bg)
            };
            let ch = if fill_eighths == 0 {
                '·'
            } else {
                EIGHTHS_UP[fill_eighths]
            };
            let style = if fill_eighths == 0 {
                th.get("ui.text.dim").bg(bg)
            } else {
                style
            };
            set(buf, x, y, ch, style);
        }
    }
    // dB scale and the fader mark.
    let right = r.x + r.width;
    for d in [6.0f32, 0.0, -12.0, -24.0, -48.0] {
        let y = r.y + r.height - 1 - label_row(d, r.height);
        put(
            buf,
            r.x + 6,
            y,
            &format!("{:>3}", d as i32),
            right,
            th.get("ui.text.dim").bg(bg),
        );
    }
    set(
        buf,
        r.x + 5,
        r.y + r.height - 1 - label_row(gain_db, r.height),
        '◀',
        th.get("mixer.fader").bg(bg),
    );
}

/// `C`, `L25`, `R100`.
pub fn pan_label(pan: f32) -> String {
    let v = (pan * 100.0).round() as i32;
    match v {
        0 => "C".into(),
        v if v < 0 => format!("L{}", -v),
        v => format!("R{v}"),
    }
}

fn center(s: &str, w: usize) -> String {
    let s: String = s.chars().take(w).collect();
    let n = s.chars().count();
    let left = (w - n) / 2;
    format!("{}{}{}", " ".repeat(left), s, " ".repeat(w - n - left))
}
