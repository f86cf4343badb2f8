//! Opening a project folder in the TUI: a new App with the user's keymap, theme and config, an
//! autosave offered for recovery, other sessions and missing files said in the status line; and
//! `:e DIR`, which replaces the App's project keeping the engine and the screen.

use super::app::{self, App};
use super::{autosave, keymap, theme};
use std::path::Path;

/// Loads a project folder into a new App with the user's keymap, theme and config; offers a
/// newer autosave for recovery. Problems with the user's files are shown in the status line.
pub fn open_app(dir: &Path) -> Result<App, String> {
    // Missing audio files do not stop the TUI: their clips stay silent and the status says so.
    let (project, missing, fingerprint) =
        crate::store::load_tracked(dir).map_err(|e| e.to_string())?;
    let (keymap, keymap_err) = keymap::Keymap::load_user();
    let (config, config_err) = match crate::config::Config::load() {
        Ok(c) => (c, None),
        Err(e) => (crate::config::Config::default(), Some(e)),
    };
    let depth = theme::ColorDepth::detect();
    let name = config.theme.clone().unwrap_or_else(|| "dark".into());
    let (theme, theme_err) = match theme::Theme::load(&name, depth) {
        Ok(t) => (t, None),
        Err(e) => (theme::Theme::fallback(depth), Some(e.to_string())),
    };
    let mut app = App::new(project, dir, keymap, theme);
    app.disk = autosave::Disk::new(dir, &app.project, Some(fingerprint));
    app.color_depth = depth;
    app.soundfont = crate::engine::instrument::find_soundfont(config.soundfont.as_deref());
    let missing_err = missing.first().map(|m| {
        format!(
            "{}: {} names '{}', which is missing ({} missing file{}; those clips stay silent)",
            dir.join(crate::store::PROJECT_FILE).display(),
            m.field,
            m.file,
            missing.len(),
            if missing.len() == 1 { "" } else { "s" }
        )
    });
    // Autosaves of sessions that are not running, looked at before this one claims its own.
    let found = autosave::check_all(dir, &app.project, Some(fingerprint.hash), None);
    if let Some((id, claim)) = autosave::claim(dir) {
        app.disk.id = id;
        app.disk.session = Some(claim);
    }
    // vim's "swap file" moment: both may edit, and each :w merges with the other's saves.
    let others = crate::store::lock::other_sessions(dir, &app.disk.id);
    let others_err = others.first().map(|o| {
        format!(
            "also open in {o}{}: each :w merges with the other's saves",
            if others.len() > 1 { " and more" } else { "" }
        )
    });
    let mut bad_autosave = None;
    for f in found.into_iter().rev() {
        match f {
            autosave::Found::Offer {
                file,
                project,
                note,
            } => app.popups.push(app::Popup::Recover {
                autosave: project,
                file,
                note,
            }),
            autosave::Found::Bad { error, .. } => {
                bad_autosave = Some(format!("autosave not recovered: {error}"))
            }
        }
    }
    if let Some(e) = bad_autosave
        .or(missing_err)
        .or(others_err)
        .or(keymap_err)
        .or(config_err)
        .or(theme_err)
    {
        app.error(e);
    }
    Ok(app)
}

/// `:e DIR`: replaces the App's project with another, keeping the engine and the screen size.
pub fn reopen(app: &mut App, dir: &Path) -> Result<(), String> {
    // The same folder again (`:e!`): let go of this session's claim first, so the fresh App
    // can take it.
    let had_claim = app.disk.session.take().is_some();
    let mut fresh = match open_app(dir) {
        Ok(f) => f,
        Err(e) => {
            if had_claim {
                if let Some((id, claim)) = autosave::claim(&app.dir) {
                    app.disk.id = id;
                    app.disk.session = Some(claim);
                }
            }
            return Err(e);
        }
    };
    fresh.size = app.size;
    // A question still being answered is about the old project: it stops (and the old
    // App's jobs end at once). The panel stays where it was.
    super::assistant::quit(app);
    fresh.chat.panel = app.chat.panel;
    fresh.engine = std::mem::take(&mut app.engine);
    fresh.theme = app.theme.clone();
    fresh.cmdline.history = std::mem::take(&mut app.cmdline.history);
    // The click settings live in the engine, which stays.
    fresh.metronome = app.metronome;
    fresh.count_in = app.count_in;
    *app = fresh;
    app.engine.load_project(&app.project, &app.dir);
    app.info(format!("Opened {}", app.dir.display()));
    Ok(())
}
