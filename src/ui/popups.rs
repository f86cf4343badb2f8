//! The keys of the popups over the main view: help scrolling, and the quit, recover and import
//! questions; the instrument browser, a view of its own, takes its keys itself.

use super::app::{App, Popup};
use super::view::View;
use super::views;
use super::{autosave, commands};
use crossterm::event::{KeyCode, KeyEvent};

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
                match commands::save(app) {
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
        Popup::FxPicker(_) => {
            app.with_cx(|cx, v| {
                if let Some(Popup::FxPicker(p)) = v.popups.last_mut() {
                    p.on_key(cx, ev);
                }
            });
        }
        Popup::ImportTempo(pending) => match ev.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                app.popups.pop();
                commands::finish_import(app, *pending, true);
            }
            KeyCode::Char('n') | KeyCode::Char('N') => {
                app.popups.pop();
                commands::finish_import(app, *pending, false);
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
