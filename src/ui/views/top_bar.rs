//! The top bar: project, tempo, time signature, key, position, the metronome and count-in
//! settings, DSP load, xruns and the audio device (or "no audio device — silent"); the second
//! row names the views.

use super::{bars_beats, clock, fill, put};
use crate::ui::app::App;
use crate::ui::keymap::ViewKind;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// What the device field says when nothing plays.
pub const SILENT: &str = "no audio device — silent";

pub fn draw(app: &App, buf: &mut Buffer, area: Rect) {
    let bar = app.theme.get("ui.topbar");
    fill(buf, area, bar);
    let right = area.x + area.width;
    let t = &app.transport;
    let p = &app.project;
    let dirty = if app.unsaved() { " [+]" } else { "" };
    let mut x = put(
        buf,
        area.x + 1,
        area.y,
        &format!("{}{dirty}", p.name),
        right,
        app.theme.get("ui.topbar.title"),
    );
    let key = p
        .key
        .map(|k| k.to_string())
        .unwrap_or_else(|| "no key".into());
    let bpm = p.tempo.bpm_at(t.beat.max(0.0));
    let info = format!("  {} BPM  {}  {}  ", trim_float(bpm), p.time_signature, key);
    x = put(buf, x, area.y, &info, right, bar);
    let (state, style) = if t.playing {
        ("▶", app.theme.get("ui.topbar.playing"))
    } else {
        ("■", bar)
    };
    x = put(buf, x, area.y, state, right, style);
    let pos = format!(
        " {}  {}",
        bars_beats(app, t.beat),
        clock(p.tempo.beat_to_seconds(t.beat.max(0.0)))
    );
    let x = put(buf, x, area.y, &pos, right, bar);
    // The click settings at the right, spelled out so that they read without colour.
    let onoff = |b: bool| if b { "on" } else { "off" };
    let click = format!(
        "click {}  count-in {} ",
        onoff(app.metronome),
        onoff(app.count_in)
    );
    let w = click.chars().count() as u16;
    if right >= x + 2 + w {
        let on = app.theme.get("ui.topbar.playing");
        let cx = put(buf, right - w, area.y, "click ", right, bar);
        let cx = put(
            buf,
            cx,
            area.y,
            onoff(app.metronome),
            right,
            if app.metronome { on } else { bar },
        );
        let cx = put(buf, cx, area.y, "  count-in ", right, bar);
        put(
            buf,
            cx,
            area.y,
            onoff(app.count_in),
            right,
            if app.count_in { on } else { bar },
        );
    }

    // Row 2: the views on the left, the engine on the right.
    if area.height < 2 {
        return;
    }
    let y = area.y + 1;
    let mut x = area.x + 1;
    for v in ViewKind::ALL {
        let label = match v {
            ViewKind::Arrange => "Arrange",
            ViewKind::Mixer => "Mixer",
            ViewKind::PianoRoll => "Piano roll",
        };
        let st = if v == app.view {
            app.theme.get("ui.tab.active")
        } else {
            app.theme.get("ui.tab")
        };
        x = put(buf, x, y, label, right, st);
        x = put(buf, x, y, "  ", right, bar);
    }
    let device = match (&t.device, t.silent) {
        (Some(d), false) => d.clone(),
        _ => SILENT.to_string(),
    };
    // The null backend has no device to under-run: when it falls behind, that is `late N`.
    let (count_name, count) = if t.silent && t.late > 0 {
        ("late", t.late)
    } else {
        ("xruns", t.xruns)
    };
    let engine = format!(
        "DSP {:>3.0}%  {count_name} {count}  {} ",
        t.dsp_load * 100.0,
        device
    );
    let w = engine.chars().count() as u16;
    let ex = right.saturating_sub(w).max(x);
    let warn = t.xruns > 0 || t.silent || t.device.is_none();
    let st = if warn {
        app.theme.get("ui.topbar.warning")
    } else {
        bar
    };
    put(buf, ex, y, &engine, right, st);
}

/// 120.0 → "120", 92.5 → "92.5".
pub fn trim_float(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}
