//! `:track add|rm`, `:rename` and `:instrument`: the tracks. The track keys (`track_add_midi`,
//! `track_delete`, …) run `:track` through the registry, so a track is added in one place.

use super::spec::Args;
use crate::model::{Edit, TrackKind};
use crate::ui::app::App;

/// `:track add [midi|audio|bus] [NAME]` (or `NAME --bus`), `:track rm` (also `remove`,
/// `delete`).
pub(super) fn track(app: &mut App, args: &Args) -> Result<(), String> {
    let mut words = args.rest.split_whitespace();
    match words.next() {
        Some("add") => {
            let mut rest: Vec<&str> = words.collect();
            // The shell's flags: `:track add NAME --bus` (or --midi, --audio).
            let flag = rest.iter().position(|w| w.starts_with("--"));
            if let Some(i) = flag {
                let kind = match rest.remove(i) {
                    "--bus" => "bus",
                    "--midi" => "midi",
                    "--audio" => "audio",
                    other => return Err(format!("unknown flag {other}: --bus, --midi or --audio")),
                };
                rest.insert(0, kind);
            }
            let (kind, name) = match rest.first().copied() {
                Some("midi") => (TrackKind::Midi, rest[1..].join(" ")),
                Some("audio") => (TrackKind::Audio, rest[1..].join(" ")),
                Some("bus") => (TrackKind::Bus, rest[1..].join(" ")),
                _ => (TrackKind::Midi, rest.join(" ")),
            };
            add_track(app, kind, (!name.is_empty()).then_some(name));
            Ok(())
        }
        Some("rm") | Some("remove") | Some("delete") => {
            delete_track(app);
            Ok(())
        }
        _ => Err(":track add [midi|audio|bus] [NAME], or :track rm".into()),
    }
}

/// `:rename NAME`: the selected track.
pub(super) fn rename(app: &mut App, args: &Args) -> Result<(), String> {
    let arg = args.rest;
    if arg.is_empty() {
        return Err(":rename needs a name".into());
    }
    let id = app.selected_track().ok_or("there is no track to rename")?;
    let old = app
        .project
        .track(id)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let edit = crate::model::ops::rename_track(&app.project, id, arg).map_err(|e| e.to_string())?;
    if app.apply(edit, "rename track") {
        app.info(format!("Renamed '{old}' to '{arg}'"));
    }
    Ok(())
}

/// `:instrument [ARG]`: alone, the browser.
pub(super) fn instrument(app: &mut App, args: &Args) -> Result<(), String> {
    crate::ui::dispatch::instrument_command(app, args.rest)
}

/// What `:instrument` completes: synth presets, drum kits and GM program names (quoted, as
/// they hold spaces), matched without case.
pub(super) fn instruments(typed: &str) -> Vec<String> {
    let low = typed.to_lowercase();
    let mut names: Vec<String> = crate::engine::instrument::synth_presets()
        .iter()
        .map(|p| format!("synth:{p}"))
        .chain(
            crate::midi::gm::GM_DRUM_KITS
                .iter()
                .map(|(_, k)| format!("drums:{}", k.to_lowercase())),
        )
        .chain(
            crate::midi::gm::GM_PROGRAM_NAMES
                .iter()
                .map(|n| format!("\"{n}\"")),
        )
        .filter(|n| {
            n.to_lowercase()
                .trim_start_matches('"')
                .starts_with(low.trim_start_matches('"'))
        })
        .collect();
    names.dedup();
    names
}

/// Adds a track below the selected one and selects it.
fn add_track(app: &mut App, kind: TrackKind, name: Option<String>) {
    let index = if app.project.tracks.is_empty() {
        0
    } else {
        (app.current_track() + 1).min(app.project.tracks.len())
    };
    let edit = match crate::model::ops::add_track(&app.project, index, kind, name, None) {
        Ok(e) => e,
        Err(e) => return app.error(e.to_string()),
    };
    let name = match &edit {
        Edit::AddTrack { track, .. } => track.name.clone(),
        _ => String::new(),
    };
    if app.apply(edit, "add track") {
        app.select_track(index);
        app.info(format!("Added {} track '{name}'", kind.as_str()));
    }
}

/// Deletes the selected track.
fn delete_track(app: &mut App) {
    let Some(t) = app.project.tracks.get(app.current_track()) else {
        app.error("there is no track to delete");
        return;
    };
    let (id, name) = (t.id, t.name.clone());
    let edit = match crate::model::ops::delete_track(&app.project, id) {
        Ok(e) => e,
        Err(e) => return app.error(e.to_string()),
    };
    if app.apply(edit, "delete track") {
        app.info(format!("Deleted track '{name}' (u brings it back)"));
    }
}
