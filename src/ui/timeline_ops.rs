//! Timeline tools of the arrange view: markers (add, rename, remove, jump), tempo changes at a
//! beat, and the fades and gain of the audio clip under the cursor. Each change is one undo
//! step; errors are sentences for the status line.
//!
//! Fades are typed in beats (`:fade in 0.5` is half a beat, as the grid counts) or in seconds
//! with an `s` (`:fade in 0.5s`); the model keeps them in seconds, like every audio clip time,
//! so a beat length is converted at the clip's position through the tempo map.

use super::action::Cmd;
use super::app::App;
use super::engine_link::Transport;
use super::keymap::ViewKind;
use super::views::top_bar::trim_float;
use crate::model::{AudioClip, Clip, ClipContent, Edit, Marker, TempoChange, TempoMap, TrackId};

/// Clip gain limits (the range project.toml accepts).
const MIN_CLIP_GAIN_DB: f32 = -144.0;
const MAX_CLIP_GAIN_DB: f32 = 24.0;

/// Registry commands of this module.
pub fn run(app: &mut App, cmd: Cmd, n: usize) {
    let r = match cmd {
        Cmd::MarkerAdd => {
            let name = free_name(app);
            add_marker(app, name)
        }
        Cmd::MarkerNext => jump_marker(app, true, n),
        Cmd::MarkerPrev => jump_marker(app, false, n),
        Cmd::FadeInLonger => step_fade(app, true, n as f64),
        Cmd::FadeInShorter => step_fade(app, true, -(n as f64)),
        Cmd::FadeOutLonger => step_fade(app, false, n as f64),
        Cmd::FadeOutShorter => step_fade(app, false, -(n as f64)),
        Cmd::ClipGainUp => step_gain(app, n as f32),
        Cmd::ClipGainDown => step_gain(app, -(n as f32)),
        Cmd::InstrumentBrowser => super::dispatch::open(app),
        _ => Ok(()),
    };
    if let Err(e) = r {
        app.error(e);
    }
}

/// Splits a command argument into words; double or single quotes keep spaces in a word.
pub fn words(arg: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for ch in arg.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => cur.push(ch),
            None if ch == '"' || ch == '\'' => {
                quote = Some(ch);
                any = true;
            }
            None if ch.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            None => cur.push(ch),
        }
    }
    if quote.is_some() {
        return Err(format!("a quote is not closed in '{arg}'"));
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// The edit cursor as a project beat: the piano roll's (clip start + cursor) there, else the
/// arrange view's.
fn cursor_beat(app: &App) -> f64 {
    match (app.view, app.piano_clip()) {
        (ViewKind::PianoRoll, Some((ti, ci))) => {
            app.project.tracks[ti].clips[ci].start + app.piano.cursor
        }
        _ => app.arrange.cursor,
    }
}

/// A beat as the user reads it: `17.1.1`.
fn at(app: &App, beat: f64) -> String {
    super::widgets::bars_beats(&app.project, beat)
}

// ---- Markers ----------------------------------------------------------------------------

/// `:marker NAME` adds at the cursor; `:marker rename OLD NEW`; `:marker rm [NAME]` (without a
/// name: the marker at the cursor); `:marker goto NAME`.
pub fn marker_command(app: &mut App, arg: &str) -> Result<(), String> {
    let w = words(arg)?;
    match w.first().map(String::as_str) {
        None => {
            let name = free_name(app);
            add_marker(app, name)
        }
        Some("rename") => {
            let [_, old, new] = w.as_slice() else {
                return Err(":marker rename OLD NEW (quote names with spaces)".into());
            };
            let i = find_marker(app, old)?;
            if new.trim().is_empty() {
                return Err("a marker needs a name".into());
            }
            if app.project.markers.iter().any(|m| &m.name == new) {
                return Err(format!("there is already a marker named '{new}'"));
            }
            let mut markers = app.project.markers.clone();
            let old_name = std::mem::replace(&mut markers[i].name, new.clone());
            if app.apply(Edit::SetMarkers(markers), "rename marker") {
                app.info(format!("Marker '{old_name}' is now '{new}'"));
            }
            Ok(())
        }
        Some("rm") | Some("remove") | Some("delete") => {
            let i = match w.get(1..).unwrap_or_default() {
                [] => {
                    let c = cursor_beat(app);
                    app.project
                        .markers
                        .iter()
                        .position(|m| (m.beat - c).abs() < 1e-6)
                        .ok_or_else(|| {
                            format!("no marker at the cursor ({}): :marker rm NAME", at(app, c))
                        })?
                }
                [name] => find_marker(app, name)?,
                _ => return Err(":marker rm [NAME] (quote names with spaces)".into()),
            };
            let mut markers = app.project.markers.clone();
            let m = markers.remove(i);
            if app.apply(Edit::SetMarkers(markers), "remove marker") {
                app.info(format!("Removed marker '{}' (u brings it back)", m.name));
            }
            Ok(())
        }
        Some("goto") | Some("go") => {
            let [_, name] = w.as_slice() else {
                return Err(":marker goto NAME".into());
            };
            let i = find_marker(app, name)?;
            let m = app.project.markers[i].clone();
            go_to(app, &m);
            Ok(())
        }
        // Anything else is the new marker's name (spaces and all).
        Some(_) => {
            let name = if w.len() == 1 {
                w[0].clone()
            } else {
                arg.trim().to_string()
            };
            add_marker(app, name)
        }
    }
}

/// `M1`, `M2`, … the first such name no marker has.
fn free_name(app: &App) -> String {
    (1..)
        .map(|i| format!("M{i}"))
        .find(|n| app.project.markers.iter().all(|m| &m.name != n))
        .unwrap_or_default()
}

/// The index of the marker named `name` (exactly, else ignoring case).
fn find_marker(app: &App, name: &str) -> Result<usize, String> {
    let ms = &app.project.markers;
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
pub fn add_marker(app: &mut App, name: String) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("a marker needs a name".into());
    }
    if let Some(m) = app.project.markers.iter().find(|m| m.name == name) {
        return Err(format!(
            "there is already a marker '{name}' at {} (:marker rename, :marker rm)",
            at(app, m.beat)
        ));
    }
    let beat = cursor_beat(app);
    let mut markers = app.project.markers.clone();
    markers.push(Marker {
        beat,
        name: name.clone(),
    });
    markers.sort_by(|a, b| a.beat.total_cmp(&b.beat));
    if app.apply(Edit::SetMarkers(markers), "add marker") {
        app.info(format!("Marker '{name}' at {}", at(app, beat)));
    }
    Ok(())
}

/// Moves the cursor to the `n`-th marker after (or before) it; playback follows when playing.
pub fn jump_marker(app: &mut App, forward: bool, n: usize) -> Result<(), String> {
    let c = app.arrange.cursor;
    let mut ms: Vec<&Marker> = app.project.markers.iter().collect();
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
    go_to(app, &m);
    Ok(())
}

fn go_to(app: &mut App, m: &Marker) {
    app.arrange.cursor = m.beat.max(0.0);
    if app.transport.playing {
        let _ = app.engine.transport(Transport::Seek(m.beat));
    }
    app.info(format!("Marker '{}' at {}", m.name, at(app, m.beat)));
}

// ---- Tempo changes ----------------------------------------------------------------------

/// `:tempo` shows the tempo map; `:tempo 140 [@BAR[.BEAT]]` puts a tempo change at the cursor
/// (or there); `:tempo rm [@BAR[.BEAT]]` removes the change at the cursor (or there).
pub fn tempo_command(app: &mut App, arg: &str) -> Result<(), String> {
    let w = words(arg)?;
    let (pos, rest): (Vec<&String>, Vec<&String>) = w.iter().partition(|s| s.starts_with('@'));
    let beat = match pos.as_slice() {
        [] => cursor_beat(app),
        [p] => parse_position(app, &p[1..])?,
        _ => return Err("one @BAR position at most".into()),
    };
    let beat = (beat.max(0.0) * 1e6).round() / 1e6;
    match rest.as_slice() {
        [] if pos.is_empty() => {
            let parts: Vec<String> = app
                .project
                .tempo
                .changes()
                .iter()
                .map(|c| format!("{} BPM at {}", trim_float(c.bpm), at(app, c.beat)))
                .collect();
            app.info(format!("Tempo: {}", parts.join("; ")));
            Ok(())
        }
        [r] if ["rm", "remove", "delete"].contains(&r.as_str()) => remove_tempo(app, beat),
        [v] => {
            let bpm: f64 = v
                .parse()
                .map_err(|_| format!(":tempo needs a number of BPM, not '{v}'"))?;
            insert_tempo(app, beat, bpm)
        }
        _ => Err(":tempo N [@BAR], :tempo rm [@BAR], or :tempo alone to list".into()),
    }
}

/// `17` → the start of bar 17; `17.3` → its third beat (in the time signature's beat unit).
fn parse_position(app: &App, s: &str) -> Result<f64, String> {
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
    let ts = app.project.time_signature;
    if bar == 0 || beat == 0 || beat > ts.numerator as u32 {
        return Err(bad());
    }
    let unit = 4.0 / ts.denominator as f64;
    Ok((bar - 1) as f64 * ts.quarters_per_bar() + (beat - 1) as f64 * unit)
}

fn insert_tempo(app: &mut App, beat: f64, bpm: f64) -> Result<(), String> {
    if !(crate::model::MIN_BPM..=crate::model::MAX_BPM).contains(&bpm) {
        return Err(format!(
            "{bpm} BPM is outside {}..={}",
            crate::model::MIN_BPM,
            crate::model::MAX_BPM
        ));
    }
    let mut changes: Vec<TempoChange> = app
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
        format!("from {}", at(app, beat))
    };
    if map == app.project.tempo {
        app.info(format!("Tempo is already {} BPM {where_}", trim_float(bpm)));
        return Ok(());
    }
    if app.apply(Edit::SetTempo(map), "tempo change") {
        app.info(format!("Tempo {} BPM {where_}", trim_float(bpm)));
    }
    Ok(())
}

fn remove_tempo(app: &mut App, beat: f64) -> Result<(), String> {
    let changes = app.project.tempo.changes();
    let Some(i) = changes.iter().position(|c| (c.beat - beat).abs() < 1e-6) else {
        let list: Vec<String> = changes.iter().skip(1).map(|c| at(app, c.beat)).collect();
        return Err(if list.is_empty() {
            "the tempo has no changes to remove".into()
        } else {
            format!(
                "no tempo change at {} (changes at {})",
                at(app, beat),
                list.join(", ")
            )
        });
    };
    if i == 0 {
        return Err("the tempo at the start stays: :tempo N there changes it".into());
    }
    let mut v = changes.to_vec();
    let c = v.remove(i);
    if app.apply(
        Edit::SetTempo(TempoMap::from_changes(v)),
        "remove tempo change",
    ) {
        app.info(format!(
            "Removed the change to {} BPM at {} (u brings it back)",
            trim_float(c.bpm),
            at(app, c.beat)
        ));
    }
    Ok(())
}

// ---- Clip fades and gain ----------------------------------------------------------------

/// The audio clip under the arrange cursor: its track and a copy of it.
fn audio_clip_here(app: &App) -> Result<(TrackId, Clip), String> {
    let ti = app.arrange.track;
    let t = app.project.tracks.get(ti).ok_or("there is no track")?;
    let ci = super::arrange_ops::clip_at(app, ti, app.arrange.cursor)
        .ok_or("no clip under the cursor")?;
    let clip = t.clips[ci].clone();
    if !matches!(clip.content, ClipContent::Audio(_)) {
        return Err("fades and clip gain are for audio clips; this is a MIDI clip".into());
    }
    Ok((t.id, clip))
}

fn audio(clip: &mut Clip) -> Result<&mut AudioClip, String> {
    match &mut clip.content {
        ClipContent::Audio(a) => Ok(a),
        ClipContent::Midi(_) => Err("fades and clip gain are for audio clips".into()),
    }
}

/// A clip's display name (its name, else its file's).
fn clip_name(clip: &Clip) -> String {
    match (&clip.content, clip.name.is_empty()) {
        (ClipContent::Audio(a), true) => a.file.rsplit('/').next().unwrap_or("").to_string(),
        _ => clip.name.clone(),
    }
}

/// Seconds of a fade of `beats` at the clip's start (`fade_in`) or its end.
fn fade_seconds(app: &App, clip: &Clip, fade_in: bool, beats: f64) -> f64 {
    let tm = &app.project.tempo;
    if fade_in {
        tm.beat_to_seconds(clip.start + beats) - tm.beat_to_seconds(clip.start)
    } else {
        let end = app.project.clip_end_beat(clip);
        tm.beat_to_seconds(end) - tm.beat_to_seconds(end - beats)
    }
}

/// Beats of a fade of `seconds` at the clip's start or end (inverse of [`fade_seconds`]).
fn fade_beats(app: &App, clip: &Clip, fade_in: bool, seconds: f64) -> f64 {
    let tm = &app.project.tempo;
    if fade_in {
        tm.seconds_to_beat(tm.beat_to_seconds(clip.start) + seconds) - clip.start
    } else {
        let end = app.project.clip_end_beat(clip);
        end - tm.seconds_to_beat(tm.beat_to_seconds(end) - seconds)
    }
}

/// `:fade in|out LENGTH` — LENGTH in beats, or seconds with `s`; `0` or `off` removes it.
pub fn fade_command(app: &mut App, arg: &str) -> Result<(), String> {
    let usage = ":fade in|out LENGTH (beats, or seconds as 0.5s; 0 removes it)";
    let w = words(arg)?;
    let [which, len] = w.as_slice() else {
        return Err(usage.into());
    };
    let fade_in = match which.as_str() {
        "in" => true,
        "out" => false,
        _ => return Err(usage.into()),
    };
    let (track, clip) = audio_clip_here(app)?;
    let seconds = if len == "off" {
        0.0
    } else if let Some(s) = len.strip_suffix('s') {
        s.trim()
            .parse::<f64>()
            .map_err(|_| format!("'{len}' is not a length (try 1 for a beat, 0.5s)"))?
    } else {
        let b: f64 = len
            .parse()
            .map_err(|_| format!("'{len}' is not a length (try 1 for a beat, 0.5s)"))?;
        if !b.is_finite() || b < 0.0 {
            return Err(format!("a fade cannot be {len} long"));
        }
        fade_seconds(app, &clip, fade_in, b)
    };
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(format!("a fade cannot be {len} long"));
    }
    set_fade(app, track, clip, fade_in, seconds, false)
}

/// Sets a fade of the clip, as one undo step. A fade that does not fit beside the other is
/// refused (`clamp`: shortened to fit, for the keys).
fn set_fade(
    app: &mut App,
    track: TrackId,
    mut clip: Clip,
    fade_in: bool,
    seconds: f64,
    clamp: bool,
) -> Result<(), String> {
    let name = clip_name(&clip);
    let a = audio(&mut clip)?;
    let other = if fade_in { a.fade_out } else { a.fade_in };
    let room = (a.length - other).max(0.0);
    let what = if fade_in { "fade-in" } else { "fade-out" };
    let mut seconds = (seconds * 1e6).round() / 1e6;
    if seconds > room + 1e-9 {
        if !clamp {
            return Err(format!(
                "a {} s {what} does not fit: '{name}' is {} s long with a {} s {}",
                trim_float(seconds),
                trim_float(a.length),
                trim_float(other),
                if fade_in { "fade-out" } else { "fade-in" },
            ));
        }
        seconds = room;
    }
    let slot = if fade_in {
        &mut a.fade_in
    } else {
        &mut a.fade_out
    };
    if (*slot - seconds).abs() < 1e-9 {
        app.info(format!(
            "The {what} of '{name}' is already {} s",
            trim_float(seconds)
        ));
        return Ok(());
    }
    *slot = seconds;
    let beats = fade_beats(app, &clip, fade_in, seconds);
    let label = if fade_in { "fade in" } else { "fade out" };
    if app.apply(
        Edit::ReplaceClip {
            track,
            clip: Box::new(clip),
        },
        label,
    ) {
        app.info(if seconds == 0.0 {
            format!("No {what} on '{name}'")
        } else {
            format!(
                "{} {} s ({} beats) on '{name}'",
                if fade_in { "Fade-in" } else { "Fade-out" },
                trim_float(seconds),
                trim_float(beats)
            )
        });
    }
    Ok(())
}

/// A fade one grid step (times `steps`) longer or shorter, kept inside the clip.
fn step_fade(app: &mut App, fade_in: bool, steps: f64) -> Result<(), String> {
    let (track, clip) = audio_clip_here(app)?;
    let ClipContent::Audio(a) = &clip.content else {
        return Ok(());
    };
    let now = if fade_in { a.fade_in } else { a.fade_out };
    let beats = fade_beats(app, &clip, fade_in, now);
    let g = app.arrange.grid;
    // Onto the grid first, so that steps land on grid lengths.
    let target = if steps > 0.0 {
        ((beats + 1e-9) / g).floor() * g + steps * g
    } else {
        ((beats - 1e-9) / g).ceil() * g + steps * g
    };
    let seconds = fade_seconds(app, &clip, fade_in, target.max(0.0));
    set_fade(app, track, clip, fade_in, seconds, true)
}

/// `:gain DB` — the gain of the audio clip under the cursor.
pub fn gain_command(app: &mut App, arg: &str) -> Result<(), String> {
    let a = arg
        .trim()
        .trim_end_matches("dB")
        .trim_end_matches("db")
        .trim();
    let db: f32 = a
        .parse()
        .map_err(|_| format!(":gain needs a number of dB, e.g. :gain -3 (not '{arg}')"))?;
    if !(MIN_CLIP_GAIN_DB..=MAX_CLIP_GAIN_DB).contains(&db) {
        return Err(format!(
            "clip gain {db} dB is outside {MIN_CLIP_GAIN_DB}..={MAX_CLIP_GAIN_DB}"
        ));
    }
    let (track, clip) = audio_clip_here(app)?;
    set_gain(app, track, clip, db)
}

fn step_gain(app: &mut App, d: f32) -> Result<(), String> {
    let (track, clip) = audio_clip_here(app)?;
    let ClipContent::Audio(a) = &clip.content else {
        return Ok(());
    };
    let db = (a.gain_db.round() + d).clamp(MIN_CLIP_GAIN_DB, MAX_CLIP_GAIN_DB);
    set_gain(app, track, clip, db)
}

fn set_gain(app: &mut App, track: TrackId, mut clip: Clip, db: f32) -> Result<(), String> {
    let name = clip_name(&clip);
    let a = audio(&mut clip)?;
    if a.gain_db == db {
        app.info(format!(
            "'{name}' is already at {} dB",
            trim_float(db as f64)
        ));
        return Ok(());
    }
    a.gain_db = db;
    if app.apply(
        Edit::ReplaceClip {
            track,
            clip: Box::new(clip),
        },
        "clip gain",
    ) {
        app.info(format!(
            "Clip gain {} dB on '{name}'",
            trim_float(db as f64)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_quoted_spaces() {
        assert_eq!(
            words(r#"rename "Verse 1" Chorus"#).unwrap(),
            vec!["rename", "Verse 1", "Chorus"]
        );
        assert_eq!(words("  a  b ").unwrap(), vec!["a", "b"]);
        assert_eq!(words("rm ''").unwrap(), vec!["rm", ""]);
        assert!(words("rename \"x").is_err());
    }
}
