//! The top bar: project, tempo (at the playhead, or at the cursor while stopped), time
//! signature, key, position, the metronome and count-in settings, DSP load, xruns and the audio
//! device (or "no audio device — silent"); the second row names the views, and shows the MIDI
//! input (or "no MIDI input") while a port is open or a track is armed.

use crate::ui::app::App;
use crate::ui::keymap::ViewKind;
use crate::ui::widgets::{bars_beats, clock, ellipsize, fill, put, trim_float};
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
    let key = p
        .key
        .map(|k| k.to_string())
        .unwrap_or_else(|| "no key".into());
    // Playing, the tempo under the playhead; stopped, the tempo at the view's cursor, where
    // `:tempo` acts and the user is looking (with tempo changes the two differ).
    let here = if t.playing { t.beat } else { app.cursor_beat() };
    let bpm = p.tempo.bpm_at(here.max(0.0));
    let info = format!("  {} BPM  {}  {}  ", trim_float(bpm), p.time_signature, key);
    let pos = format!(
        " {}  {}",
        bars_beats(&app.project, t.beat),
        clock(p.tempo.beat_to_seconds(t.beat.max(0.0)))
    );
    // A long project name gives way (with an ellipsis) so that the tempo, key and position stay
    // whole; the unsaved mark always shows.
    let fixed = 1 + info.chars().count() + 1 + pos.chars().count() + dirty.chars().count();
    let name_w = (area.width as usize).saturating_sub(fixed).max(8);
    let mut x = put(
        buf,
        area.x + 1,
        area.y,
        &format!("{}{dirty}", ellipsize(&p.name, name_w)),
        right,
        app.theme.get("ui.topbar.title"),
    );
    x = put(buf, x, area.y, &info, right, bar);
    let (state, style) = if t.playing {
        ("▶", app.theme.get("ui.topbar.playing"))
    } else {
        ("■", bar)
    };
    x = put(buf, x, area.y, state, right, style);
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
            ViewKind::FxEditor => "Effect",
            ViewKind::Chat => "Chat",
        };
        // The effect editor belongs to the mixer.
        let on = v == app.view || (v == ViewKind::Mixer && app.view == ViewKind::FxEditor);
        let st = if on {
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
    // Live MIDI shows while a port is open or a track is armed (see `ui::midi_live`).
    let midi = app
        .engine
        .midi
        .label(&app.project)
        .map_or(String::new(), |m| format!("{m}  "));
    let listening = if t.listening.is_empty() {
        String::new()
    } else {
        format!("{}  ", t.listening)
    };
    let figures = format!(
        "{midi}{listening}DSP {:>3.0}%  {count_name} {count}  ",
        t.dsp_load * 100.0
    );
    // A long device name ends in an ellipsis rather than running off the edge.
    let room = right.saturating_sub(x) as usize;
    let device_w = room.saturating_sub(figures.chars().count() + 1).max(8);
    let engine = format!("{figures}{} ", ellipsize(&device, device_w));
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
