//! Drawing the effect editor: the effect's kind, id, owner and place in the chain, bypass, a
//! live gain-reduction meter for the dynamics kinds, then one row per parameter (name, value
//! with its unit as `ParamSpec::show` writes it, the allowed range and what it does), an EQ's
//! magnitude curve beside its bands when there is room, and the keys on the last row.

use super::curve;
use super::state::FxEditorState;
use crate::model::fx;
use crate::model::mixer;
use crate::model::TrackId;
use crate::ui::ctx::Ctx;
use crate::ui::effects::has_gain_reduction;
use crate::ui::widgets::{fill, fit, put, EIGHTHS_RIGHT};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

/// Rows above the parameters: title, doc, gain reduction, a gap.
const HEAD: u16 = 4;
/// Width of the name and value columns.
const NAME_W: usize = 14;
const VALUE_W: usize = 13;
/// Gain reduction the meter spans, dB.
const GR_SPAN: f32 = 24.0;
/// Narrowest area the EQ curve is drawn beside the bands in.
const CURVE_MIN_W: u16 = 100;

/// How many parameter rows fit in the main area.
pub fn rows_fit(main: Rect) -> usize {
    main.height.saturating_sub(HEAD + 1) as usize
}

pub fn draw(st: &FxEditorState, cx: &Ctx<'_>, buf: &mut Buffer, area: Rect) {
    let th = cx.theme;
    let base = th.get("mixer");
    let bg = base.bg.unwrap_or_default();
    let dim = th.get("ui.text.dim").bg(bg);
    fill(buf, area, base);
    let right = area.x + area.width;
    let x = area.x + 1;
    let Some((e, spec, rows)) = st.rows(cx.project) else {
        put(
            buf,
            x,
            area.y,
            "The effect is gone (removed or undone): esc goes back to the mixer",
            right,
            dim,
        );
        return;
    };
    let p = cx.project;
    let (at, _) = st.effect(p).unwrap_or((0, e));
    let len = mixer::chain(p, st.owner).map_or(0, |c| c.len());
    let title = format!(
        "{} {} · {} · {} of {len}",
        e.kind,
        e.id.0,
        mixer::owner_name(p, st.owner),
        at + 1
    );
    let end = put(
        buf,
        x,
        area.y,
        &title,
        right,
        base.add_modifier(Modifier::BOLD),
    );
    let state = if e.bypass {
        ("  BYPASSED (b engages)", th.get("mixer.meter.high").bg(bg))
    } else {
        ("  active", dim)
    };
    put(buf, end, area.y, state.0, right, state.1);
    put(buf, x, area.y + 1, spec.doc, right, dim);
    if has_gain_reduction(&e.kind) {
        let gr = cx.meters.gain_reduction.get(&e.id).copied().unwrap_or(0.0);
        gr_meter(
            cx,
            buf,
            Rect::new(x, area.y + 2, area.width.saturating_sub(2), 1),
            gr,
        );
    }
    // The EQ's curve takes the right part of a wide screen.
    let curve_w = if spec.name == "eq" && area.width >= CURVE_MIN_W {
        area.width / 3
    } else {
        0
    };
    let list_right = right - curve_w;
    let values = spec.values(e);
    let fit_rows = rows_fit(area);
    let top = area.y + HEAD;
    for (k, &i) in rows.iter().enumerate().skip(st.scroll).take(fit_rows) {
        let y = top + (k - st.scroll) as u16;
        let ps = &spec.params[i];
        let v = values[i];
        let shown = match ps.unit {
            fx::Unit::Track if v == 0.0 => "off".to_string(),
            fx::Unit::Track => p
                .track(TrackId(v as u64))
                .map_or_else(|| format!("track {v}"), |t| t.name.clone()),
            _ => ps.show(v),
        };
        let selected = k == st.row;
        let style = if selected {
            th.get("mixer.value.selected")
        } else {
            base
        };
        let mark = if selected { "▶ " } else { "  " };
        let line = format!("{mark}{}{}", fit(&ps.name, NAME_W), fit(&shown, VALUE_W));
        let end = put(buf, x, y, &line, list_right, style);
        // A long list of choices is stepped through; the doc says more then.
        let allowed = ps.allowed_text();
        let about = if allowed.chars().count() > 32 {
            format!(" {}", ps.doc)
        } else {
            format!(" {allowed} · {}", ps.doc)
        };
        put(buf, end, y, &about, list_right.saturating_sub(1), dim);
    }
    if rows.len() > st.scroll + fit_rows {
        put(buf, x, top + fit_rows as u16 - 1, "↓", x + 1, dim);
    }
    if st.scroll > 0 {
        put(buf, x, top, "↑", x + 1, dim);
    }
    if curve_w > 0 {
        let r = Rect::new(list_right, top, curve_w - 1, fit_rows as u16);
        curve::draw(cx, buf, r, spec, &values);
    }
    let keys = if area.width >= 120 {
        "j/k choose · h/l +/- step · H/L coarse · enter type · r reset · b bypass · J/K move · x remove · a add · s save preset · q back"
    } else {
        "j/k choose · h/l step · H/L coarse · enter type · b bypass · x remove · ? keys"
    };
    put(buf, x, area.y + area.height - 1, keys, right, dim);
}

/// `GR ▕████▌      ▏ 4.5 dB`: the gain reduction now, as a bar over `GR_SPAN` dB.
fn gr_meter(cx: &Ctx<'_>, buf: &mut Buffer, r: Rect, gr: f32) {
    let th = cx.theme;
    let bg = th.get("mixer").bg.unwrap_or_default();
    let dim = th.get("ui.text.dim").bg(bg);
    let right = r.x + r.width;
    let w = r.width.saturating_sub(14).min(48);
    let mut x = put(buf, r.x, r.y, "GR ▕", right, dim);
    let eighths = ((gr / GR_SPAN).clamp(0.0, 1.0) * w as f32 * 8.0).round() as usize;
    let bar = th.get("mixer.meter.high").bg(bg);
    for c in 0..w as usize {
        let n = eighths.saturating_sub(c * 8).min(8);
        let ch = if n == 0 { '·' } else { EIGHTHS_RIGHT[n] };
        put(
            buf,
            x,
            r.y,
            &ch.to_string(),
            right,
            if n == 0 { dim } else { bar },
        );
        x += 1;
    }
    put(buf, x, r.y, &format!("▏{gr:4.1} dB"), right, dim);
}
