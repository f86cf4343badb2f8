//! `:metronome`, `:countin` and `:loop`: the click, the count-in and the loop region. The
//! `metronome_toggle` and `count_in_toggle` keys run the first two without an argument.

use super::spec::Args;
use crate::model::Edit;
use crate::ui::app::App;

/// `:metronome [on|off]` (toggles without an argument).
pub(super) fn metronome(app: &mut App, args: &Args) -> Result<(), String> {
    let on = on_off(args.rest, app.metronome, ":metronome")?;
    set_click(app, Some(on), None);
    Ok(())
}

/// `:countin [on|off]` (toggles without an argument).
pub(super) fn count_in(app: &mut App, args: &Args) -> Result<(), String> {
    let on = on_off(args.rest, app.count_in, ":countin")?;
    set_click(app, None, Some(on));
    Ok(())
}

/// `on`, `off` or nothing (toggle `now`).
fn on_off(arg: &str, now: bool, cmd: &str) -> Result<bool, String> {
    match arg.to_ascii_lowercase().as_str() {
        "" => Ok(!now),
        "on" | "1" | "true" | "yes" => Ok(true),
        "off" | "0" | "false" | "no" => Ok(false),
        _ => Err(format!("{cmd} takes on or off, not '{arg}'")),
    }
}

/// Sets the metronome and/or the count-in, tells the engine and says so.
fn set_click(app: &mut App, metronome: Option<bool>, count_in: Option<bool>) {
    app.metronome = metronome.unwrap_or(app.metronome);
    app.count_in = count_in.unwrap_or(app.count_in);
    app.engine.set_click(app.metronome, app.count_in);
    let onoff = |b: bool| if b { "on" } else { "off" };
    let what = match (metronome, count_in) {
        (Some(m), None) => format!("Metronome {}", onoff(m)),
        (None, Some(c)) => format!("Count-in {}", onoff(c)),
        _ => format!(
            "Metronome {}, count-in {}",
            onoff(app.metronome),
            onoff(app.count_in)
        ),
    };
    if app.engine.is_running() {
        app.info(what);
    } else {
        app.info(format!("{what} (no audio engine is running)"));
    }
}

/// `:loop START END` (bars from 1, END included), `:loop off`.
pub(super) fn loop_bars(app: &mut App, args: &Args) -> Result<(), String> {
    let arg = args.rest;
    if arg == "off" {
        match app.project.loop_region {
            Some(mut l) if l.enabled => {
                l.enabled = false;
                if app.apply(Edit::SetLoop(Some(l)), "loop off") {
                    app.info("Loop off");
                }
            }
            _ => app.info("The loop is already off"),
        }
        return Ok(());
    }
    let bad = || format!("'{arg}' is not a bar range (try :loop 1 4, or :loop off)");
    let mut it = arg.split_whitespace().map(|w| w.parse::<u32>());
    let (Some(Ok(a)), Some(Ok(b))) = (it.next(), it.next()) else {
        return Err(bad());
    };
    if a == 0 || b < a {
        return Err(bad());
    }
    let qpb = app.project.time_signature.quarters_per_bar();
    let l = crate::model::LoopRegion {
        start: (a - 1) as f64 * qpb,
        end: b as f64 * qpb,
        enabled: true,
    };
    if app.apply(Edit::SetLoop(Some(l)), "loop") {
        app.info(if a == b {
            format!("Loop bar {a}")
        } else {
            format!("Loop bars {a}–{b}")
        });
    }
    Ok(())
}
