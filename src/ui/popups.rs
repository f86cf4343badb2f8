//! The popups over the main view, from the App's side: their keys (help scrolling, the quit,
//! recover and import questions; the instrument browser, a view of its own, takes its keys
//! itself), and opening the instrument browser (`I`, `:instrument`) or setting an instrument
//! directly (`:instrument 33` / `"Acoustic Bass"` / `synth:pad` / `drums:808`).

use super::app::{App, InstrumentBrowser, Popup};
use super::instruments::{catalogue, parse, position};
use super::keymap::ViewKind;
use super::view::View;
use super::views;
use super::views::instrument::set_instrument;
use super::{autosave, ex};
use crate::model::{TrackId, TrackKind};
use crossterm::event::{KeyCode, KeyEvent};

/// The MIDI track the instrument commands act on: the piano roll's clip's track there, else the
/// selected track. An error sentence when it is not a MIDI track.
pub fn target_track(app: &App) -> Result<TrackId, String> {
    let ti = match (app.view, app.piano_clip()) {
        (ViewKind::PianoRoll, Some((ti, _))) => ti,
        _ => app.arrange.track,
    };
    let t = app
        .project
        .tracks
        .get(ti)
        .ok_or("there is no track: t a adds a MIDI track")?;
    if t.kind != TrackKind::Midi {
        return Err(format!(
            "'{}' is {} track: instruments belong to MIDI tracks",
            t.name,
            if t.kind == TrackKind::Audio {
                "an audio"
            } else {
                "a bus"
            }
        ));
    }
    Ok(t.id)
}

/// Opens the browser on the target track, with its current instrument selected.
pub fn open(app: &mut App) -> Result<(), String> {
    let id = target_track(app)?;
    let cats = catalogue();
    let current = app.project.track(id).and_then(|t| t.instrument.clone());
    let (category, item) = current
        .as_ref()
        .and_then(|i| position(&cats, i))
        .unwrap_or((0, 0));
    app.popups
        .push(Popup::Instrument(Box::new(InstrumentBrowser {
            track: id,
            category,
            item,
            in_items: true,
            filter: String::new(),
            typing: false,
        })));
    Ok(())
}

/// `:instrument ARG`: no argument opens the browser; otherwise the instrument is set directly.
pub fn command(app: &mut App, arg: &str) -> Result<(), String> {
    if arg.is_empty() {
        return open(app);
    }
    let id = target_track(app)?;
    let inst = parse(arg)?;
    app.with_cx(|cx, _| set_instrument(cx, id, inst));
    Ok(())
}

/// A key while a popup shows: the top one takes it.
pub fn on_key(app: &mut App, ev: KeyEvent) {
    let Some(top) = app.popups.last().cloned() else {
        return;
    };
    let page = views::popup::help_page(app.main_area());
    match top {
        Popup::Help { scroll } => {
            let width = views::popup::help_width(app.main_area());
            let total = views::help::rows(app, width).1.len() as u16;
            let max = total.saturating_sub(page);
            let new = match ev.code {
                KeyCode::Char('j') | KeyCode::Down => Some(scroll.saturating_add(1).min(max)),
                KeyCode::Char('k') | KeyCode::Up => Some(scroll.saturating_sub(1)),
                KeyCode::PageDown | KeyCode::Char(' ') => {
                    Some(scroll.saturating_add(page).min(max))
                }
                KeyCode::Char('d')
                    if ev
                        .modifiers
                        .contains(crossterm::event::KeyModifiers::CONTROL) =>
                {
                    Some(scroll.saturating_add(page / 2).min(max))
                }
                KeyCode::PageUp => Some(scroll.saturating_sub(page)),
                KeyCode::Char('u')
                    if ev
                        .modifiers
                        .contains(crossterm::event::KeyModifiers::CONTROL) =>
                {
                    Some(scroll.saturating_sub(page / 2))
                }
                KeyCode::Char('g') | KeyCode::Home => Some(0),
                KeyCode::Char('G') | KeyCode::End => Some(max),
                KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') | KeyCode::Enter => {
                    app.popups.pop();
                    None
                }
                _ => None,
            };
            if let (Some(s), Some(Popup::Help { scroll })) = (new, app.popups.last_mut()) {
                *scroll = s;
            }
        }
        Popup::ConfirmQuit => match ev.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                app.popups.pop();
                match ex::save(app) {
                    Ok(()) => app.quit = true,
                    Err(e) => app.error(e),
                }
            }
            KeyCode::Char('n') | KeyCode::Char('N') => {
                app.popups.pop();
                autosave::discard(app);
                app.quit = true;
            }
            KeyCode::Esc | KeyCode::Char('c') => {
                app.popups.pop();
                app.info("Quit cancelled");
            }
            _ => {}
        },
        Popup::Recover {
            autosave: recovered,
            file,
            ..
        } => match ev.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                app.popups.pop();
                app.project = *recovered;
                app.history = Default::default();
                app.mark_never_saved();
                app.project_changed();
                // Ours first, then theirs goes: the recovered work is on disk at every moment.
                match autosave::now(app) {
                    Some(e) => app.error(e),
                    None => {
                        if file != autosave::path_for(&app.dir, &app.disk.id) {
                            let _ = std::fs::remove_file(&file);
                        }
                        app.info("Recovered the autosave: :w keeps it");
                    }
                }
            }
            KeyCode::Char('n') | KeyCode::Char('N') => {
                app.popups.pop();
                let _ = std::fs::remove_file(&file);
                app.info("Autosave discarded");
            }
            KeyCode::Char('l') | KeyCode::Char('L') | KeyCode::Esc => {
                app.popups.pop();
                app.info(format!(
                    "Autosave kept for later: {} (offered again on the next open)",
                    file.display()
                ));
            }
            _ => {}
        },
        Popup::Instrument(_) => {
            app.with_cx(|cx, v| {
                if let Some(Popup::Instrument(b)) = v.popups.last_mut() {
                    b.key(cx, ev);
                }
            });
        }
        Popup::ImportTempo(pending) => match ev.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                app.popups.pop();
                ex::finish_import(app, *pending, true);
            }
            KeyCode::Char('n') | KeyCode::Char('N') => {
                app.popups.pop();
                ex::finish_import(app, *pending, false);
            }
            KeyCode::Esc | KeyCode::Char('c') => {
                app.popups.pop();
                for f in &pending.copied {
                    let _ = std::fs::remove_file(f);
                }
                app.info(format!("Import of {} cancelled", pending.file));
            }
            _ => {}
        },
    }
}
