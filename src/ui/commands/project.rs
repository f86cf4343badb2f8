//! `:bpm`, `:key`, `:timesig`: the project's tempo, key and time signature; each shows the
//! current value when given no argument.

use super::spec::Args;
use crate::model::{Edit, Key, TempoMap, TimeSignature};
use crate::ui::app::App;
use crate::ui::widgets::trim_float;

/// `:bpm [N]`.
pub(super) fn bpm(app: &mut App, args: &Args) -> Result<(), String> {
    let arg = args.rest;
    if arg.is_empty() {
        let t = &app.project.tempo;
        let bpm = trim_float(t.initial_bpm());
        let changes = t.changes().len().saturating_sub(1);
        app.info(match changes {
            0 => format!("Tempo {bpm} BPM"),
            n => format!(
                "Tempo {bpm} BPM at the start, then {n} change{}",
                if n == 1 { "" } else { "s" }
            ),
        });
        return Ok(());
    }
    let bpm: f64 = arg
        .parse()
        .map_err(|_| format!(":bpm needs a number, not '{arg}'"))?;
    if !(crate::model::MIN_BPM..=crate::model::MAX_BPM).contains(&bpm) {
        return Err(format!(
            "{bpm} BPM is outside {}..={}",
            crate::model::MIN_BPM,
            crate::model::MAX_BPM
        ));
    }
    if app.apply(Edit::SetTempo(TempoMap::constant(bpm)), "tempo") {
        app.info(format!("Tempo {} BPM", trim_float(bpm)));
    }
    Ok(())
}

/// `:key [KEY]`, `:key none`.
pub(super) fn key(app: &mut App, args: &Args) -> Result<(), String> {
    let arg = args.rest;
    if arg.is_empty() && app.view == crate::ui::keymap::ViewKind::PianoRoll {
        // In the piano roll: also the key the clip's (or the selection's) notes are in.
        return app.with_cx(|cx, v| crate::ui::views::piano_roll::tools::detect_key(v.piano, cx));
    }
    if arg.is_empty() {
        app.info(match app.project.key {
            Some(k) => format!("Key {k}"),
            None => "No key set (:key Am sets one)".into(),
        });
        return Ok(());
    }
    let key = if arg.eq_ignore_ascii_case("none") {
        None
    } else {
        Some(arg.parse::<Key>()?)
    };
    if app.apply(Edit::SetKey(key), "key") {
        app.info(match key {
            Some(k) => format!("Key {k}"),
            None => "No key".into(),
        });
    }
    Ok(())
}

/// `:timesig [N/D]`.
pub(super) fn timesig(app: &mut App, args: &Args) -> Result<(), String> {
    let arg = args.rest;
    if arg.is_empty() {
        let ts = app.project.time_signature;
        app.info(format!(
            "Time signature {}/{}",
            ts.numerator, ts.denominator
        ));
        return Ok(());
    }
    let bad = || format!("'{arg}' is not a time signature (try 4/4, 3/4, 6/8)");
    let (n, d) = arg.split_once('/').ok_or_else(bad)?;
    let numerator: u8 = n.trim().parse().map_err(|_| bad())?;
    let denominator: u8 = d.trim().parse().map_err(|_| bad())?;
    if numerator == 0 || numerator > 32 || ![1, 2, 4, 8, 16, 32].contains(&denominator) {
        return Err(bad());
    }
    if app.apply(
        Edit::SetTimeSignature(TimeSignature {
            numerator,
            denominator,
        }),
        "time signature",
    ) {
        app.info(format!("Time signature {numerator}/{denominator}"));
    }
    Ok(())
}
