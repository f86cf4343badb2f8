//! The instrument browser's keys: j/k and h/l through categories and choices, `/` filters,
//! Enter chooses. A choice is one undo step (`Edit::SetTrack` with the instrument); the engine
//! rebuilds that track's instrument when it gets the new project, and a short note is
//! auditioned (after the new instrument, on the same queue) so the choice is heard.

use super::draw::list_rows;
use super::state::InstrumentBrowser;
use crate::model::{Edit, Instrument, TrackField, TrackId};
use crate::ui::ctx::{Cx, Effect};
use crate::ui::instruments::{catalogue, instrument_name, plays_drums, Category};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;

/// How long the note that auditions a new instrument sounds.
const AUDITION: Duration = Duration::from_millis(400);

/// A key while the browser is the top popup.
pub fn on_key(b: &mut InstrumentBrowser, cx: &mut Cx<'_>, ev: KeyEvent) {
    let cats = catalogue();
    let rows = list_rows(cx.main).max(1);
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    let len = b.visible(&cats).len();
    let step = |b: &mut InstrumentBrowser, d: isize, len: usize| {
        if b.in_items || !b.filter.is_empty() {
            b.item = (b.item as isize + d).clamp(0, len.saturating_sub(1) as isize) as usize;
        } else {
            b.category =
                (b.category as isize + d).clamp(0, cats.len().saturating_sub(1) as isize) as usize;
            b.item = 0;
        }
    };
    if b.typing {
        match ev.code {
            KeyCode::Esc => {
                b.filter.clear();
                b.typing = false;
                b.item = 0;
            }
            KeyCode::Enter => {
                b.typing = false;
                choose(b, cx, &cats);
            }
            KeyCode::Tab => b.typing = false,
            KeyCode::Backspace => {
                if b.filter.pop().is_none() {
                    b.typing = false;
                }
                b.item = 0;
            }
            KeyCode::Down => step(b, 1, len),
            KeyCode::Up => step(b, -1, len),
            KeyCode::Char('n') if ctrl => step(b, 1, len),
            KeyCode::Char('p') if ctrl => step(b, -1, len),
            KeyCode::Char(c) if !ctrl => {
                b.filter.push(c);
                b.item = 0;
            }
            _ => {}
        }
        return;
    }
    match ev.code {
        KeyCode::Char('j') | KeyCode::Down => step(b, 1, len),
        KeyCode::Char('k') | KeyCode::Up => step(b, -1, len),
        KeyCode::Char('d') if ctrl => step(b, rows as isize / 2, len),
        KeyCode::Char('u') if ctrl => step(b, -(rows as isize) / 2, len),
        KeyCode::PageDown => step(b, rows as isize, len),
        KeyCode::PageUp => step(b, -(rows as isize), len),
        KeyCode::Char('g') | KeyCode::Home => step(b, -(cats.len() as isize) * 16, len),
        KeyCode::Char('G') | KeyCode::End => step(b, cats.len() as isize * 16, len),
        KeyCode::Char('l') | KeyCode::Right | KeyCode::Tab
            if b.filter.is_empty() && !b.in_items =>
        {
            b.in_items = true;
            b.item = 0;
        }
        KeyCode::Char('h') | KeyCode::Left | KeyCode::BackTab if b.filter.is_empty() => {
            b.in_items = false
        }
        KeyCode::Char('/') => {
            b.typing = true;
            b.item = 0;
        }
        KeyCode::Enter => {
            if b.in_items || !b.filter.is_empty() {
                choose(b, cx, &cats);
            } else {
                b.in_items = true;
                b.item = 0;
            }
        }
        KeyCode::Esc if !b.filter.is_empty() => {
            b.filter.clear();
            b.item = 0;
        }
        KeyCode::Esc | KeyCode::Char('q') => cx.ask(Effect::ClosePopup),
        _ => {}
    }
}

/// Sets the instrument highlighted in the browser and closes it.
fn choose(b: &InstrumentBrowser, cx: &mut Cx<'_>, cats: &[Category]) {
    let list = b.visible(cats);
    let Some(&(ci, ii)) = list.get(b.item) else {
        cx.error(format!("no instrument matches '{}'", b.filter));
        return;
    };
    let track = b.track;
    let inst = cats[ci].choices[ii].instrument.clone();
    cx.ask(Effect::ClosePopup);
    set_instrument(cx, track, inst);
}

/// Gives track `id` the instrument, as one undo step, says so and auditions it.
pub fn set_instrument(cx: &mut Cx<'_>, id: TrackId, inst: Instrument) {
    let Some(t) = cx.project.track(id) else {
        cx.error("the track is gone");
        return;
    };
    let name = t.name.clone();
    let label = instrument_name(&inst);
    if t.instrument.as_ref() == Some(&inst) {
        cx.info(format!("{name} already plays {label}"));
        return;
    }
    let drums = plays_drums(&inst);
    if cx.apply(
        Edit::SetTrack {
            id,
            field: TrackField::Instrument(Some(inst)),
        },
        "instrument",
    ) {
        cx.info(format!("{name} plays {label}"));
        cx.ask(Effect::Audition {
            track: id,
            pitch: if drums { 38 } else { 60 },
            velocity: 100,
            length: AUDITION,
        });
    }
}
