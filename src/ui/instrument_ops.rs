//! Choosing a MIDI track's instrument: opening the browser (`I`, `:instrument`), its keys, and
//! `:instrument 33` / `:instrument "Acoustic Bass"` / `:instrument synth:pad` / `:instrument
//! drums:808`. A choice is one undo step (`Edit::SetTrack` with the instrument); the engine
//! rebuilds that track's instrument when it gets the new project, and a short note is
//! auditioned so the choice is heard.

use super::app::{App, InstrumentBrowser, Popup};
use super::keymap::ViewKind;
use super::views::instrument::{catalogue, instrument_name, plays_drums, position, visible};
use crate::midi::gm;
use crate::model::{Edit, Instrument, TrackField, TrackId, TrackKind};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;

/// How long the note that auditions a new instrument sounds.
const AUDITION: Duration = Duration::from_millis(400);

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

/// A key while the browser is the top popup.
pub fn on_key(app: &mut App, ev: KeyEvent) {
    let cats = catalogue();
    let rows = super::views::instrument::list_rows(app.main_area()).max(1);
    let Some(Popup::Instrument(b)) = app.popups.last_mut() else {
        return;
    };
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    let len = visible(&cats, b).len();
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
                choose(app, &cats);
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
                choose(app, &cats);
            } else {
                b.in_items = true;
                b.item = 0;
            }
        }
        KeyCode::Esc if !b.filter.is_empty() => {
            b.filter.clear();
            b.item = 0;
        }
        KeyCode::Esc | KeyCode::Char('q') => {
            app.popups.pop();
        }
        _ => {}
    }
}

/// Sets the instrument highlighted in the browser and closes it.
fn choose(app: &mut App, cats: &[super::views::instrument::Category]) {
    let Some(Popup::Instrument(b)) = app.popups.last() else {
        return;
    };
    let list = visible(cats, b);
    let Some(&(ci, ii)) = list.get(b.item) else {
        app.error(format!("no instrument matches '{}'", b.filter));
        return;
    };
    let track = b.track;
    let inst = cats[ci].choices[ii].instrument.clone();
    app.popups.pop();
    set_instrument(app, track, inst);
}

/// Gives track `id` the instrument, as one undo step, says so and auditions it.
pub fn set_instrument(app: &mut App, id: TrackId, inst: Instrument) {
    let Some(t) = app.project.track(id) else {
        app.error("the track is gone");
        return;
    };
    let name = t.name.clone();
    let label = instrument_name(&inst);
    if t.instrument.as_ref() == Some(&inst) {
        app.info(format!("{name} already plays {label}"));
        return;
    }
    let drums = plays_drums(&inst);
    if app.apply(
        Edit::SetTrack {
            id,
            field: TrackField::Instrument(Some(inst)),
        },
        "instrument",
    ) {
        app.info(format!("{name} plays {label}"));
        audition(app, id, if drums { 38 } else { 60 });
    }
}

/// A short note on the track through the engine (after the new instrument was sent to it, on
/// the same queue, so the note plays the new sound). Silent without an engine.
fn audition(app: &mut App, track: TrackId, pitch: u8) {
    super::piano_ops::audition_on(app, track, pitch, 100, AUDITION);
}

/// `:instrument ARG`: no argument opens the browser; otherwise the instrument is set directly.
pub fn command(app: &mut App, arg: &str) -> Result<(), String> {
    if arg.is_empty() {
        return open(app);
    }
    let id = target_track(app)?;
    let inst = parse(arg)?;
    set_instrument(app, id, inst);
    Ok(())
}

/// Reads an instrument: a GM program number 1–128, a GM program name (whole or a part that
/// names one program), `synth:PRESET`, `drums` or `drums:KIT` (`drums:808`, `drums:jazz`), or
/// a kit's name (`TR-808 Kit`).
pub fn parse(arg: &str) -> Result<Instrument, String> {
    let a = arg.trim().trim_matches('"').trim_matches('\'').trim();
    if a.is_empty() {
        return Err(":instrument needs a program (1-128), a name, synth:NAME or drums".into());
    }
    if let Ok(n) = a.parse::<i64>() {
        if !(1..=128).contains(&n) {
            return Err(format!(
                "GM programs are numbered 1 to 128, not {n} (1 = Acoustic Grand Piano)"
            ));
        }
        return Ok(Instrument::GeneralMidi {
            program: (n - 1) as u8,
            drums: false,
        });
    }
    let lower = a.to_lowercase();
    if let Some(p) = lower.strip_prefix("synth:") {
        let names = crate::engine::instrument::synth_presets();
        return match names.iter().find(|n| n.eq_ignore_ascii_case(p.trim())) {
            Some(n) => Ok(Instrument::Synth {
                preset: n.to_string(),
            }),
            None => Err(format!(
                "there is no synth preset '{}' (presets: {})",
                p.trim(),
                names.join(", ")
            )),
        };
    }
    if lower == "drums" || lower == "drum kit" || lower == "kit" {
        return Ok(Instrument::GeneralMidi {
            program: 0,
            drums: true,
        });
    }
    let kit_query = lower
        .strip_prefix("drums:")
        .or_else(|| lower.strip_suffix(" kit"));
    if let Some(q) = kit_query {
        let q = q.trim();
        return gm::GM_DRUM_KITS
            .iter()
            .find(|(_, n)| n.to_lowercase() == q)
            .or_else(|| {
                gm::GM_DRUM_KITS
                    .iter()
                    .find(|(_, n)| n.to_lowercase().contains(q))
            })
            .map(|(program, _)| Instrument::GeneralMidi {
                program: *program,
                drums: true,
            })
            .ok_or_else(|| {
                let kits: Vec<&str> = gm::GM_DRUM_KITS.iter().map(|(_, n)| *n).collect();
                format!("there is no drum kit '{q}' (kits: {})", kits.join(", "))
            });
    }
    let names = &gm::GM_PROGRAM_NAMES;
    if let Some(p) = names.iter().position(|n| n.to_lowercase() == lower) {
        return Ok(Instrument::GeneralMidi {
            program: p as u8,
            drums: false,
        });
    }
    let hits: Vec<usize> = (0..names.len())
        .filter(|&p| names[p].to_lowercase().contains(&lower))
        .collect();
    match hits.as_slice() {
        [p] => Ok(Instrument::GeneralMidi {
            program: *p as u8,
            drums: false,
        }),
        [] => Err(format!(
            "no GM program is named '{a}' (:instrument alone opens the browser)"
        )),
        many => {
            let shown: Vec<String> = many
                .iter()
                .take(4)
                .map(|&p| format!("{} {}", p + 1, names[p]))
                .collect();
            Err(format!(
                "'{a}' names {} programs: {}{}",
                many.len(),
                shown.join(", "),
                if many.len() > 4 { ", …" } else { "" }
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instruments_parse() {
        let gm = |program| Instrument::GeneralMidi {
            program,
            drums: false,
        };
        assert_eq!(parse("33"), Ok(gm(32)));
        assert_eq!(parse("\"Acoustic Bass\""), Ok(gm(32)));
        assert_eq!(parse("acoustic bass"), Ok(gm(32)));
        assert_eq!(parse("Harpsichord"), Ok(gm(6)));
        assert_eq!(
            parse("synth:pad"),
            Ok(Instrument::Synth {
                preset: "pad".into()
            })
        );
        assert_eq!(
            parse("drums:808"),
            Ok(Instrument::GeneralMidi {
                program: 25,
                drums: true
            })
        );
        assert_eq!(
            parse("drums"),
            Ok(Instrument::GeneralMidi {
                program: 0,
                drums: true
            })
        );
        assert!(parse("0").is_err() && parse("129").is_err());
        assert!(parse("synth:kazoo").unwrap_err().contains("pad"));
        assert!(parse("piano").unwrap_err().contains("programs"));
    }
}
