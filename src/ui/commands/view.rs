//! `:grid` and `:theme`: how the views show the project.

use super::spec::Args;
use crate::ui::app::App;
use crate::ui::keymap::ViewKind;

/// `:grid 1/16`: the grid of the current view.
pub(super) fn grid(app: &mut App, args: &Args) -> Result<(), String> {
    let g = parse_grid(args.rest)?;
    match app.view {
        ViewKind::PianoRoll => app.piano.grid = g,
        _ => app.arrange.grid = g,
    }
    app.info(format!("Grid {}", crate::ui::widgets::grid_name(g)));
    Ok(())
}

/// `:theme NAME`.
pub(super) fn theme(app: &mut App, args: &Args) -> Result<(), String> {
    let arg = args.rest;
    let t = crate::ui::theme::Theme::load(arg, app.color_depth).map_err(|e| e.to_string())?;
    app.theme = t;
    app.info(format!("Theme {arg}"));
    Ok(())
}

/// What `:theme` completes: the built-in themes and the user's.
pub(super) fn themes(typed: &str) -> Vec<String> {
    crate::ui::theme::theme_names()
        .into_iter()
        .filter(|n| n.starts_with(typed))
        .collect()
}

/// `1/16` → 0.25 beats, `1/4` → 1, `1` → 4, `0.5` → 0.5 beats.
pub fn parse_grid(s: &str) -> Result<f64, String> {
    let bad = || format!("'{s}' is not a grid (try 1/16, 1/8, 1/4, 1/1)");
    let g = if let Some((a, b)) = s.split_once('/') {
        let a: f64 = a.trim().parse().map_err(|_| bad())?;
        let b: f64 = b.trim().parse().map_err(|_| bad())?;
        if b <= 0.0 {
            return Err(bad());
        }
        4.0 * a / b
    } else {
        let v: f64 = s.trim().parse().map_err(|_| bad())?;
        if v >= 1.0 && v.fract() == 0.0 {
            4.0 / v
        } else {
            v
        }
    };
    if !(1.0 / 64.0..=64.0).contains(&g) {
        return Err(bad());
    }
    Ok(g)
}
