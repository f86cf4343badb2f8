//! The project summary every request carries (tempo map, time signature, key, length, the
//! tracks with their instruments, levels, effects and sends, the selected clip's notes, the
//! latest measured figures) within [`BUDGET`] bytes, and the project as JSON for the
//! `get_project` and `get_notes` tools.
//!
//! When the whole summary does not fit, it gives way in order: the selected clip's notes
//! first (as many as fit, then "… N more notes"), then per-track detail (the last tracks
//! first, down to a name and kind), then whole tracks ("… N more tracks"). The header always
//! stays.

use super::{Figures, Request};
use crate::midi::gm;
use crate::model::mixer::{self, Owner};
use crate::model::{
    fx, pitch_name, Clip, ClipContent, Effect, Instrument, Project, Track, TrackKind,
};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// The summary's budget in bytes.
pub const BUDGET: usize = 6000;

/// Most tempo changes listed (the rest counted).
const TEMPO_SHOWN: usize = 8;
/// Most parameters shown per effect (those off their default).
const PARAMS_SHOWN: usize = 4;

/// A compact summary of `project` (and of the selected clip's notes and the latest figures)
/// of at most [`BUDGET`] bytes.
pub fn summarize(project: &Project, req: &Request) -> String {
    let p = project;
    let mut head = header(p);
    if let Some(f) = &req.figures {
        head.push_str(&master_figures(f));
    }
    let full: Vec<String> = p
        .tracks
        .iter()
        .enumerate()
        .map(|(i, t)| track_full(p, i, t, req.figures.as_ref()))
        .collect();
    let brief: Vec<String> = p
        .tracks
        .iter()
        .enumerate()
        .map(|(i, t)| track_brief(i, t))
        .collect();
    let selected = req
        .selected_clip
        .and_then(|id| p.find_clip(id))
        .map(|(ti, ci)| (&p.tracks[ti], &p.tracks[ti].clips[ci]));
    let (sel_head, tokens) = selected.map_or_else(Default::default, |(t, c)| selection(t, c));

    // The selection's head, and room for its "… N more notes".
    let base = head.len() + "tracks:\n".len() + sel_head.len() + 32;
    let sum = |v: &[String]| v.iter().map(|l| l.len() + 1).sum::<usize>();
    let mut out = head;
    if p.tracks.is_empty() {
        out.push_str("tracks: none\n");
    } else {
        out.push_str("tracks:\n");
    }
    if base + sum(&full) <= BUDGET {
        for l in &full {
            out.push_str(l);
            out.push('\n');
        }
        if !sel_head.is_empty() {
            push_notes(&mut out, &sel_head, &tokens);
        }
    } else {
        // No room for the notes: the tracks, as detailed as fits.
        let sel = if sel_head.is_empty() {
            String::new()
        } else {
            format!(
                "{} ({} notes, left out)\n",
                sel_head.trim_end(),
                tokens.len()
            )
        };
        let room = BUDGET.saturating_sub(out.len() + sel.len());
        let more = |n: usize| format!("… {n} more track{}\n", plural(n));
        if sum(&brief) <= room {
            // Full detail for the first tracks, brief for the rest.
            let mut used = sum(&brief);
            let mut k = 0;
            // Upgrade a track from its name to its full line while that fits.
            while k < full.len() && used - brief[k].len() + full[k].len() <= room {
                used = used - brief[k].len() + full[k].len();
                k += 1;
            }
            for l in full[..k].iter().chain(&brief[k..]) {
                out.push_str(l);
                out.push('\n');
            }
        } else {
            let reserve = more(brief.len()).len();
            let mut used = 0;
            let mut shown = 0;
            for l in &brief {
                if used + l.len() + 1 + reserve > room {
                    break;
                }
                used += l.len() + 1;
                out.push_str(l);
                out.push('\n');
                shown += 1;
            }
            out.push_str(&more(brief.len() - shown));
        }
        out.push_str(&sel);
    }
    clip_to(&mut out, BUDGET);
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Cuts `s` to at most `max` bytes at a character boundary (only names that are absurdly
/// long can push the header past the budget).
fn clip_to(s: &mut String, max: usize) {
    if s.len() > max {
        let mut at = max.saturating_sub("…".len());
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
        s.push('…');
    }
}

/// The lines always kept: name, tempo map, time signature, key, length, the master.
fn header(p: &Project) -> String {
    let mut h = format!("project \"{}\"\n", p.name);
    let changes = p.tempo.changes();
    let mut tempo = format!("tempo {} BPM", fx::fmt_num(p.tempo.initial_bpm()));
    for c in changes.iter().skip(1).take(TEMPO_SHOWN) {
        let _ = write!(
            tempo,
            ", {} at beat {}",
            fx::fmt_num(c.bpm),
            fx::fmt_num(c.beat)
        );
    }
    if changes.len() > TEMPO_SHOWN + 1 {
        let _ = write!(
            tempo,
            ", … {} more changes",
            changes.len() - TEMPO_SHOWN - 1
        );
    }
    let end = p.end_beat();
    let _ = writeln!(
        h,
        "{tempo}; time signature {}; key {}; length {} beats ({} s)",
        p.time_signature,
        p.key.map_or("not set".to_string(), |k| k.to_string()),
        fx::fmt_num(end),
        fx::fmt_num(p.tempo.beat_to_seconds(end)),
    );
    let _ = write!(
        h,
        "master: gain {} dB",
        fx::fmt_num(p.master.gain_db as f64)
    );
    if !p.master.effects.is_empty() {
        let _ = write!(h, "; fx {}", effects_text(&p.master.effects));
    }
    h.push('\n');
    h
}

fn opt(label: &str, v: Option<f64>, unit: &str) -> Option<String> {
    v.map(|v| format!("{label} {:.1}{unit}", v))
}

fn master_figures(f: &Figures) -> String {
    let parts: Vec<String> = [
        opt("integrated", f.integrated_lufs, " LUFS"),
        opt("LRA", f.loudness_range_lu, " LU"),
        opt("true peak", f.true_peak_dbtp, " dBTP"),
        opt("sample peak", f.sample_peak_dbfs, " dBFS"),
    ]
    .into_iter()
    .flatten()
    .chain(std::iter::once(format!(
        "clipped samples {}",
        f.clipped_samples
    )))
    .collect();
    format!("measured mix: {}\n", parts.join(", "))
}

/// An effect chain: `3 compressor(ratio 4:1, threshold_db -24 dB)`, parameters off their
/// defaults only.
fn effects_text(effects: &[Effect]) -> String {
    effects
        .iter()
        .map(|e| {
            let mut s = format!("{} {}", e.id.0, e.kind);
            if e.bypass {
                s.push_str(" (bypassed)");
            }
            if let Some(spec) = fx::kind(&e.kind) {
                let off: Vec<String> = spec
                    .params
                    .iter()
                    .filter_map(|ps| {
                        let n = ps.number(e.params.get(&ps.name)?)?;
                        (n != ps.default && !(ps.name.ends_with("_type") && n == 0.0))
                            .then(|| format!("{} {}", ps.name, ps.show(n)))
                    })
                    .collect();
                if !off.is_empty() {
                    let more = off.len().saturating_sub(PARAMS_SHOWN);
                    let mut list = off.into_iter().take(PARAMS_SHOWN).collect::<Vec<_>>();
                    if more > 0 {
                        list.push(format!("… {more} more"));
                    }
                    let _ = write!(s, "({})", list.join(", "));
                }
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn kind_text(t: &Track) -> String {
    match (t.kind, &t.instrument) {
        (TrackKind::Midi, Some(i)) => format!("midi, {}", instrument_text(i)),
        (k, _) => k.as_str().to_string(),
    }
}

/// `2 "Bass" (midi)`.
fn track_brief(i: usize, t: &Track) -> String {
    format!("{} \"{}\" ({})", i + 1, t.name, t.kind.as_str())
}

/// A track with everything: kind and instrument, fader, pan, switches, effects, sends,
/// automation, clips and (when measured) its figures.
fn track_full(p: &Project, i: usize, t: &Track, figures: Option<&Figures>) -> String {
    let mut s = format!(
        "{} \"{}\" ({}); gain {} dB, pan {}",
        i + 1,
        t.name,
        kind_text(t),
        fx::fmt_num(t.gain_db as f64),
        fx::fmt_num(t.pan as f64)
    );
    if t.mute {
        s.push_str(", muted");
    }
    if t.solo {
        s.push_str(", solo");
    }
    if !t.effects.is_empty() {
        let _ = write!(s, "; fx {}", effects_text(&t.effects));
    }
    if !t.sends.is_empty() {
        let sends: Vec<String> = t
            .sends
            .iter()
            .map(|x| {
                format!(
                    "{} {} dB{}",
                    mixer::owner_name(p, Owner::Track(x.to)),
                    fx::fmt_num(x.level_db as f64),
                    if x.pre_fader { " pre" } else { "" }
                )
            })
            .collect();
        let _ = write!(s, "; sends {}", sends.join(", "));
    }
    if !t.automation.is_empty() {
        let lanes: Vec<String> = t
            .automation
            .iter()
            .map(|l| mixer::target_text(p, &l.target))
            .collect();
        let _ = write!(s, "; automated {}", lanes.join(", "));
    }
    // What plays: clips on take lanes are kept for comping, not heard.
    let playing = t.playing_clips().count();
    if playing > 0 {
        let notes = t.note_count();
        let _ = write!(
            s,
            "; {} clip{} from beat {} to {}",
            playing,
            plural(playing),
            fx::fmt_num(
                t.playing_clips()
                    .map(|c| c.start)
                    .fold(f64::INFINITY, f64::min)
            ),
            fx::fmt_num(
                t.playing_clips()
                    .map(|c| p.clip_end_beat(c))
                    .fold(0.0, f64::max)
            ),
        );
        if t.kind == TrackKind::Midi {
            let _ = write!(s, ", {notes} note{}", plural(notes));
        }
    }
    if let Some(f) = figures.and_then(|f| f.tracks.iter().find(|x| x.name == t.name)) {
        let parts: Vec<String> = [
            opt("LUFS", f.lufs, ""),
            opt("true peak", f.true_peak_dbtp, " dBTP"),
            opt("low-end correlation", f.low_correlation, ""),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !parts.is_empty() {
            let _ = write!(s, "; measured {}", parts.join(", "));
        }
    }
    s
}

/// The selected clip's line head and its notes as compact tokens (`C4@0+1 v96`, beats from
/// the clip's start).
fn selection(t: &Track, c: &Clip) -> (String, Vec<String>) {
    let name = if c.name.is_empty() {
        String::new()
    } else {
        format!(" \"{}\"", c.name)
    };
    match &c.content {
        ClipContent::Midi(m) => {
            let notes: Vec<String> = m
                .notes
                .iter()
                .filter(|n| m.plays(n))
                .map(|n| {
                    format!(
                        "{}@{}+{} v{}",
                        pitch_name(n.pitch),
                        fx::fmt_num(n.start - m.offset),
                        fx::fmt_num(n.length),
                        n.velocity
                    )
                })
                .collect();
            (
                format!(
                    "selected clip {}{name} on \"{}\" at beat {}, {} beats; notes (pitch@beat+length velocity):",
                    c.id.0,
                    t.name,
                    fx::fmt_num(c.start),
                    fx::fmt_num(m.length)
                ),
                notes,
            )
        }
        ClipContent::Audio(a) => (
            format!(
                "selected clip {}{name} on \"{}\" at beat {}: audio, {} s of {}",
                c.id.0,
                t.name,
                fx::fmt_num(c.start),
                fx::fmt_num(a.length),
                a.file
            ),
            Vec::new(),
        ),
    }
}

/// The selection's head and as many notes as fit the budget, then "… N more notes".
fn push_notes(out: &mut String, head: &str, tokens: &[String]) {
    out.push_str(head);
    let tail = |n: usize| format!(" … {n} more note{}", plural(n));
    let reserve = tail(tokens.len()).len() + 1;
    let mut shown = 0;
    for tok in tokens {
        let left = tokens.len() - shown - 1;
        let need = tok.len() + 1 + if left > 0 { reserve } else { 1 };
        if out.len() + need > BUDGET {
            break;
        }
        out.push(' ');
        out.push_str(tok);
        shown += 1;
    }
    if shown < tokens.len() {
        out.push_str(&tail(tokens.len() - shown));
    }
    out.push('\n');
}

/// A number as JSON, rounded to 4 decimals (f32 fields read as written, not 0.30000001).
fn num(n: f64) -> Value {
    json!((n * 10_000.0).round() / 10_000.0)
}

/// An instrument in words: "Acoustic Grand Piano (GM 0)", "GM drum kit", "synth pad".
pub fn instrument_text(i: &Instrument) -> String {
    match i {
        Instrument::GeneralMidi {
            drums: true,
            program,
        } => match gm::drum_kit_name(*program) {
            Some(kit) => format!("GM drums ({kit})"),
            None => "GM drums".into(),
        },
        Instrument::GeneralMidi { program, .. } => {
            format!("{} (GM {program})", gm::program_name(*program))
        }
        Instrument::Synth { preset } => format!("synth {preset}"),
    }
}

fn effect_json(e: &Effect) -> Value {
    json!({
        "id": e.id.0,
        "kind": e.kind,
        "bypass": e.bypass,
        "params": serde_json::to_value(&e.params).unwrap_or(Value::Null),
    })
}

/// A clip as JSON: id, name, start and length in beats, and (MIDI) its sounding notes in beats
/// from the clip's start.
pub fn clip_json(c: &Clip) -> Value {
    match &c.content {
        ClipContent::Midi(m) => {
            let notes: Vec<Value> = m
                .notes
                .iter()
                .filter(|n| m.plays(n))
                .map(|n| {
                    json!({
                        "pitch": n.pitch,
                        "start_beat": num(n.start - m.offset),
                        "length_beats": num(n.length),
                        "velocity": n.velocity,
                    })
                })
                .collect();
            json!({
                "id": c.id.0, "name": c.name, "type": "midi",
                "start_beat": num(c.start), "length_beats": num(m.length), "notes": notes,
            })
        }
        ClipContent::Audio(a) => json!({
            "id": c.id.0, "name": c.name, "type": "audio", "file": a.file,
            "start_beat": num(c.start), "length_seconds": num(a.length),
        }),
    }
}

/// The whole project as JSON (`get_project`): settings, then every track with its
/// instrument, levels, effects, sends, automation targets and clips (notes counted, not
/// listed: `get_notes` lists them).
pub fn project_json(p: &Project) -> Value {
    let tracks: Vec<Value> = p
        .tracks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let clips: Vec<Value> = t
                .playing_clips()
                .map(|c| {
                    let mut v = clip_json(c);
                    if let Some(o) = v.as_object_mut() {
                        if let Some(notes) = o.remove("notes") {
                            o.insert(
                                "notes".into(),
                                json!(notes.as_array().map_or(0, Vec::len)),
                            );
                        }
                    }
                    v
                })
                .collect();
            json!({
                "position": i + 1,
                "name": t.name,
                "kind": t.kind.as_str(),
                "instrument": t.instrument.as_ref().filter(|_| t.kind == TrackKind::Midi).map(instrument_text),
                "gain_db": num(t.gain_db as f64),
                "pan": num(t.pan as f64),
                "mute": t.mute,
                "solo": t.solo,
                "effects": t.effects.iter().map(effect_json).collect::<Vec<_>>(),
                "sends": t.sends.iter().map(|s| json!({
                    "bus": mixer::owner_name(p, Owner::Track(s.to)),
                    "db": num(s.level_db as f64),
                    "pre": s.pre_fader,
                })).collect::<Vec<_>>(),
                "automation": t.automation.iter().map(|l| json!({
                    "target": mixer::target_text(p, &l.target),
                    "points": l.points.len(),
                })).collect::<Vec<_>>(),
                "clips": clips,
            })
        })
        .collect();
    let end = p.end_beat();
    json!({
        "name": p.name,
        "tempo": p.tempo.changes().iter()
            .map(|c| json!({"beat": num(c.beat), "bpm": num(c.bpm)})).collect::<Vec<_>>(),
        "time_signature": p.time_signature.to_string(),
        "key": p.key.map(|k| k.to_string()),
        "length_beats": num(end),
        "length_seconds": num(p.tempo.beat_to_seconds(end)),
        "master": {
            "gain_db": num(p.master.gain_db as f64),
            "effects": p.master.effects.iter().map(effect_json).collect::<Vec<_>>(),
        },
        "tracks": tracks,
        "effect_kinds": fx::kinds().iter().map(|k| k.name).collect::<Vec<_>>(),
    })
}
