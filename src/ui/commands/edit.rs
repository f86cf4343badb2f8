//! `:transpose`, `:marker`, `:tempo`, `:fade`, `:gain`: edits at the cursor, each done by the
//! ops of the view it edits (the piano roll's notes, the timeline's markers and tempo changes,
//! the arrange view's audio clips).

use super::spec::Args;
use crate::ui::app::App;
use crate::ui::dispatch::{at_cursor, piano_transpose};
use crate::ui::timeline;

/// `:transpose N` (semitones) in the piano roll.
pub(super) fn transpose(app: &mut App, args: &Args) -> Result<(), String> {
    let arg = args.rest;
    let n: i32 = arg
        .parse()
        .map_err(|_| format!(":transpose needs a number of semitones, not '{arg}'"))?;
    piano_transpose(app, n)
}

/// `:marker NAME | rename OLD NEW | rm [NAME] | goto NAME`.
pub(super) fn marker(app: &mut App, args: &Args) -> Result<(), String> {
    at_cursor(app, |cx, here| {
        timeline::marker_command(cx, here, args.rest)
    })
}

/// `:tempo [N [@BAR[.BEAT]] | rm [@BAR]]`.
pub(super) fn tempo(app: &mut App, args: &Args) -> Result<(), String> {
    at_cursor(app, |cx, here| timeline::tempo_command(cx, here, args.rest))
}

/// `:fade in|out BEATS`.
pub(super) fn fade(app: &mut App, args: &Args) -> Result<(), String> {
    at_cursor(app, |cx, here| timeline::fade_command(cx, here, args.rest))
}

/// `:gain DB`.
pub(super) fn gain(app: &mut App, args: &Args) -> Result<(), String> {
    at_cursor(app, |cx, here| timeline::gain_command(cx, here, args.rest))
}
