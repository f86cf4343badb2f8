//! `:render FILE` and `:export-midi FILE`: the project written out as audio or as a Standard
//! MIDI File.

use super::file::expand;
use super::spec::Args;
use crate::model::TrackKind;
use crate::ui::app::App;
use std::path::Path;

/// `:render FILE`: starts the render job.
pub(super) fn render(app: &mut App, args: &Args) -> Result<(), String> {
    if args.rest.is_empty() {
        return Err(":render needs an output file, e.g. :render mix.wav".into());
    }
    start_render(app, &expand(args.rest))
}

/// `:export-midi FILE`.
pub(super) fn export_midi(app: &mut App, args: &Args) -> Result<(), String> {
    if args.rest.is_empty() {
        return Err(":export-midi needs an output file, e.g. :export-midi song.mid".into());
    }
    write_midi(app, &expand(args.rest))
}

fn start_render(app: &mut App, file: &Path) -> Result<(), String> {
    if app.render.is_some() {
        return Err("a render is already running".into());
    }
    crate::store::output::check_output(&app.dir, &app.project, file).map_err(|e| e.to_string())?;
    let job = crate::ui::engine_link::RenderJob::start(
        &app.project,
        &app.dir,
        file,
        app.soundfont.clone(),
        &mut app.jobs,
    )?;
    app.render = Some(job);
    app.info(format!("Rendering {} …", file.display()));
    Ok(())
}

fn write_midi(app: &mut App, file: &Path) -> Result<(), String> {
    let midi_tracks = app
        .project
        .tracks
        .iter()
        .filter(|t| t.kind == TrackKind::Midi)
        .count();
    if midi_tracks == 0 {
        return Err("the project has no MIDI tracks to export".into());
    }
    // The same refusals as :render: never over project.toml, audio/, .tdaw/ or a clip's file.
    crate::store::output::check_output(&app.dir, &app.project, file).map_err(|e| e.to_string())?;
    let bytes = crate::midi::smf::export_smf(&app.project);
    crate::store::atomic::write_atomic(file, &bytes)
        .map_err(|e| format!("could not write '{}': {e}", file.display()))?;
    app.info(format!(
        "Wrote {} ({midi_tracks} MIDI tracks, {} bytes)",
        file.display(),
        bytes.len()
    ));
    Ok(())
}
