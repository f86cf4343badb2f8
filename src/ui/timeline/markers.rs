//! Markers (add, rename, remove, jump) and tempo changes (`:tempo 140 @17`, `:tempo rm`).

use super::here::{at, words, Here};
use crate::model::{Edit, Marker, TempoChange, TempoMap};
use crate::ui::ctx::{Cx, Effect};
use crate::ui::engine_link::Transport;
use crate::ui::widgets::trim_float;

/// `:marker NAME` adds at the cursor; `:marker rename OLD NEW`; `:marker rm [NAME]` (without a
/// name: the marker at the cursor); `:marker goto NAME`.
pub fn marker_command(cx: &mut Cx<'_>, here: Here, arg: &str) -> Result<(), String> {
    let w = words(arg)?;
    match w.first().map(String::as_str) {
        None => {
            let name = free_name(cx);
            add_marker(cx, here, name)
        }
        Some("rename") => {
            let [_, old, new] = w.as_slice() else {
                return Err(":marker rename OLD NEW (quote names with spaces)".into());
            };
            let i = find_marker(cx, old)?;
            if new.trim().is_empty() {
                return Err("a marker needs a name".into());
            }
            if cx.project.markers.iter().any(|m| &m.name == new) {
                return Err(format!("there is already a marker named '{new}'"));
            }
            let mut markers = cx.project.markers.clone();
            let old_name = std::mem::replace(&mut markers[i].name, new.clone());
            if cx.apply(Edit::SetMarkers(markers), "rename marker") {
                cx.info(format!("Marker '{old_name}' is now '{new}'"));
            }
            Ok(())
        }
        Some("rm") | Some("remove") | Some("delete") => {
            let i = match w.get(1..).unwrap_or_default() {
                [] => {
                    let c = here.beat;
                    cx.project
                        .markers
                        .iter()
                        .position(|m| (m.beat - c).abs() < 1e-6)
                        .ok_or_else(|| {
                            format!("no marker at the cursor ({}): :marker rm NAME", at(cx, c))
                        })?
                }
                [name] => find_marker(cx, name)?,
                _ => return Err(":marker rm [NAME] (quote names with spaces)".into()),
            };
            let mut markers = cx.project.markers.clone();
            let m = markers.remove(i);
            if cx.apply(Edit::SetMarkers(markers), "remove marker") {
                cx.info(format!("Removed marker '{}' (u brings it back)", m.name));
            }
            Ok(())
        }
        Some("goto") | Some("go") => {
            let [_, name] = w.as_slice() else {
                return Err(":marker goto NAME".into());
            };
            let i = find_marker(cx, name)?;
            let m = cx.project.markers[i].clone();
            go_to(cx, &m);
            Ok(())
        }
        // Anything else is the new marker's name (spaces and all).
        Some(_) => {
            let name = if w.len() == 1 {
                w[0].clone()
            } else {
                arg.trim().to_string()
            };
            add_marker(cx, here, name)
        }
    }
}

/// `M1`, `M2`, … the first such name no marker has.
pub fn free_name(cx: &Cx<'_>) -> String {
    (1..)
        .map(|i| format!("M{i}"))
        .find(|n| cx.project.markers.iter().all(|m| &m.name != n))
        .unwrap_or_default()
}

/// The index of the marker named `name` (exactly, else ignoring case).
fn find_marker(cx: &Cx<'_>, name: &str) -> Result<usize, String> {
    let ms = &cx.project.markers;
    ms.iter()
        .position(|m| m.name == name)
        .or_else(|| ms.iter().position(|m| m.name.eq_ignore_ascii_case(name)))
        .ok_or_else(|| {
            if ms.is_empty() {
                format!("there is no marker '{name}' (the project has none)")
            } else {
                let names: Vec<&str> = ms.iter().map(|m| m.name.as_str()).collect();
                format!(
                    "there is no marker '{name}' (markers: {})",
                    names.join(", ")
                )
            }
        })
}

/// Adds a marker at the cursor, as one undo step.
pub fn add_marker(cx: &mut Cx<'_>, here: Here, name: String) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("a marker needs a name".into());
    }
    if let Some(m) = cx.project.markers.iter().find(|m| m.name == name) {
        return Err(format!(
            "there is already a marker '{name}' at {} (:marker rename, :marker rm)",
            at(cx, m.beat)
        ));
    }
    let beat = here.beat;
    let mut markers = cx.project.markers.clone();
    markers.push(Marker {
        beat,
        name: name.clone(),
    });
    markers.sort_by(|a, b| a.beat.total_cmp(&b.beat));
    if cx.apply(Edit::SetMarkers(markers), "add marker") {
        cx.info(format!("Marker '{name}' at {}", at(cx, beat)));
    }
    Ok(())
}

/// Moves the cursor to the `n`-th marker after (or before) it; playback follows when playing.
pub fn jump_marker(cx: &mut Cx<'_>, here: Here, forward: bool, n: usize) -> Result<(), String> {
    let c = here.arrange_beat;
    let mut ms: Vec<&Marker> = cx.project.markers.iter().collect();
    ms.sort_by(|a, b| a.beat.total_cmp(&b.beat));
    let found = if forward {
        ms.iter().filter(|m| m.beat > c + 1e-9).nth(n - 1)
    } else {
        ms.iter().rev().filter(|m| m.beat < c - 1e-9).nth(n - 1)
    };
    let Some(m) = found.map(|m| (*m).clone()) else {
        return Err(if ms.is_empty() {
            "there are no markers: :marker NAME (or M) adds one at the cursor".into()
        } else if forward {
            "no marker after the cursor".into()
        } else {
            "no marker before the cursor".into()
        });
    };
    go_to(cx, &m);
    Ok(())
}

fn go_to(cx: &mut Cx<'_>, m: &Marker) {
    cx.ask(Effect::ArrangeCursor(m.beat.max(0.0)));
    if cx.transport.playing {
        let _ = cx.engine.transport(Transport::Seek(m.beat));
    }
    cx.info(format!("Marker '{}' at {}", m.name, at(cx, m.beat)));
}

// ---- Tempo changes ----------------------------------------------------------------------

/// `:tempo` shows the tempo map; `:tempo 140 [@BAR[.BEAT]]` puts a tempo change at the cursor
/// (or there); `:tempo rm [@BAR[.BEAT]]` removes the change at the cursor (or there).
pub fn tempo_command(cx: &mut Cx<'_>, here: Here, arg: &str) -> Result<(), String> {
    let w = words(arg)?;
    let (pos, rest): (Vec<&String>, Vec<&String>) = w.iter().partition(|s| s.starts_with('@'));
    let beat = match pos.as_slice() {
        [] => here.beat,
        [p] => parse_position(cx, &p[1..])?,
        _ => return Err("one @BAR position at most".into()),
    };
    let beat = (beat.max(0.0) * 1e6).round() / 1e6;
    match rest.as_slice() {
        [] if pos.is_empty() => {
            let parts: Vec<String> = cx
                .project
                .tempo
                .changes()
                .iter()
                .map(|c| format!("{} BPM at {}", trim_float(c.bpm), at(cx, c.beat)))
                .collect();
            cx.info(format!("Tempo: {}", parts.join("; ")));
            Ok(())
        }
        [r] if ["rm", "remove", "delete"].contains(&r.as_str()) => remove_tempo(cx, beat),
        [v] => {
            let bpm: f64 = v
                .parse()
                .map_err(|_| format!(":tempo needs a number of BPM, not '{v}'"))?;
            insert_tempo(cx, beat, bpm)
        }
        _ => Err(":tempo N [@BAR], :tempo rm [@BAR], or :tempo alone to list".into()),
    }
}

/// `17` → the start of bar 17; `17.3` → its third beat (in the time signature's beat unit).
fn parse_position(cx: &Cx<'_>, s: &str) -> Result<f64, String> {
    let bad = || format!("'@{s}' is not a position (try @17 for bar 17, @17.3 for its beat 3)");
    let (bar, beat) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let bar: u32 = bar.parse().map_err(|_| bad())?;
    let beat: u32 = match beat {
        Some(b) => b.parse().map_err(|_| bad())?,
        None => 1,
    };
    let ts = cx.project.time_signature;
    if bar == 0 || beat == 0 || beat > ts.numerator as u32 {
        return Err(bad());
    }
    let unit = 4.0 / ts.denominator as f64;
    Ok((bar - 1) as f64 * ts.quarters_per_bar() + (beat - 1) as f64 * unit)
}

fn insert_tempo(cx: &mut Cx<'_>, beat: f64, bpm: f64) -> Result<(), String> {
    if !(crate::model::MIN_BPM..=crate::model::MAX_BPM).contains(&bpm) {
        return Err(format!(
            "{bpm} BPM is outside {}..={}",
            crate::model::MIN_BPM,
            crate::model::MAX_BPM
        ));
    }
    let mut changes: Vec<TempoChange> = cx
        .project
        .tempo
        .changes()
        .iter()
        .copied()
        .filter(|c| (c.beat - beat).abs() >= 1e-6)
        .collect();
    changes.push(TempoChange { beat, bpm });
    let map = TempoMap::from_changes(changes);
    let where_ = if beat < 1e-9 {
        "from the start".to_string()
    } else {
        format!("from {}", at(cx, beat))
    };
    if map == cx.project.tempo {
        cx.info(format!("Tempo is already {} BPM {where_}", trim_float(bpm)));
        return Ok(());
    }
    if cx.apply(Edit::SetTempo(map), "tempo change") {
        cx.info(format!("Tempo {} BPM {where_}", trim_float(bpm)));
    }
    Ok(())
}

fn remove_tempo(cx: &mut Cx<'_>, beat: f64) -> Result<(), String> {
    let changes = cx.project.tempo.changes();
    let Some(i) = changes.iter().position(|c| (c.beat - beat).abs() < 1e-6) else {
        let list: Vec<String> = changes.iter().skip(1).map(|c| at(cx, c.beat)).collect();
        return Err(if list.is_empty() {
            "the tempo has no changes to remove".into()
        } else {
            format!(
                "no tempo change at {} (changes at {})",
                at(cx, beat),
                list.join(", ")
            )
        });
    };
    if i == 0 {
        return Err("the tempo at the start stays: :tempo N there changes it".into());
    }
    let mut v = changes.to_vec();
    let c = v.remove(i);
    if cx.apply(
        Edit::SetTempo(TempoMap::from_changes(v)),
        "remove tempo change",
    ) {
        cx.info(format!(
            "Removed the change to {} BPM at {} (u brings it back)",
            trim_float(c.bpm),
            at(cx, c.beat)
        ));
    }
    Ok(())
}
