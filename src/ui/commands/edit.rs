//! `:marker`, `:tempo`, `:fade`, `:gain`: edits at the cursor, each done by the ops of the view
//! it edits (the timeline's markers and tempo changes, the arrange view's audio clips).
//! `:transpose` lives with the MIDI tools (`midi.rs`).

use super::spec::Args;
use crate::ui::app::App;
use crate::ui::dispatch::at_cursor;
use crate::ui::timeline;

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
