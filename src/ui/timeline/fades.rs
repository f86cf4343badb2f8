//! The fades and gain of the audio clip under the arrange cursor (`:fade`, `:gain`, the fade
//! and clip gain keys).

use super::here::{words, Here};
use crate::model::{AudioClip, Clip, ClipContent, Edit, TrackId};
use crate::ui::ctx::Cx;
use crate::ui::grid::clip_at;
use crate::ui::widgets::trim_float;

/// Clip gain limits (the range project.toml accepts).
const MIN_CLIP_GAIN_DB: f32 = -144.0;
const MAX_CLIP_GAIN_DB: f32 = 24.0;

/// The audio clip under the arrange cursor: its track and a copy of it.
fn audio_clip_here(cx: &Cx<'_>, here: Here) -> Result<(TrackId, Clip), String> {
    let ti = here.track;
    let t = cx.project.tracks.get(ti).ok_or("there is no track")?;
    let ci = clip_at(cx.project, ti, here.arrange_beat).ok_or("no clip under the cursor")?;
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
fn fade_seconds(cx: &Cx<'_>, clip: &Clip, fade_in: bool, beats: f64) -> f64 {
    let tm = &cx.project.tempo;
    if fade_in {
        tm.beat_to_seconds(clip.start + beats) - tm.beat_to_seconds(clip.start)
    } else {
        let end = cx.project.clip_end_beat(clip);
        tm.beat_to_seconds(end) - tm.beat_to_seconds(end - beats)
    }
}

/// Beats of a fade of `seconds` at the clip's start or end (inverse of [`fade_seconds`]).
fn fade_beats(cx: &Cx<'_>, clip: &Clip, fade_in: bool, seconds: f64) -> f64 {
    let tm = &cx.project.tempo;
    if fade_in {
        tm.seconds_to_beat(tm.beat_to_seconds(clip.start) + seconds) - clip.start
    } else {
        let end = cx.project.clip_end_beat(clip);
        end - tm.seconds_to_beat(tm.beat_to_seconds(end) - seconds)
    }
}

/// `:fade in|out LENGTH` — LENGTH in beats, or seconds with `s`; `0` or `off` removes it.
pub fn fade_command(cx: &mut Cx<'_>, here: Here, arg: &str) -> Result<(), String> {
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
    let (track, clip) = audio_clip_here(cx, here)?;
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
        fade_seconds(cx, &clip, fade_in, b)
    };
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(format!("a fade cannot be {len} long"));
    }
    set_fade(cx, track, clip, fade_in, seconds, false)
}

/// Sets a fade of the clip, as one undo step. A fade that does not fit beside the other is
/// refused (`clamp`: shortened to fit, for the keys).
fn set_fade(
    cx: &mut Cx<'_>,
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
        cx.info(format!(
            "The {what} of '{name}' is already {} s",
            trim_float(seconds)
        ));
        return Ok(());
    }
    *slot = seconds;
    let beats = fade_beats(cx, &clip, fade_in, seconds);
    let label = if fade_in { "fade in" } else { "fade out" };
    if cx.apply(
        Edit::ReplaceClip {
            track,
            clip: Box::new(clip),
        },
        label,
    ) {
        cx.info(if seconds == 0.0 {
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
pub fn step_fade(cx: &mut Cx<'_>, here: Here, fade_in: bool, steps: f64) -> Result<(), String> {
    let (track, clip) = audio_clip_here(cx, here)?;
    let ClipContent::Audio(a) = &clip.content else {
        return Ok(());
    };
    let now = if fade_in { a.fade_in } else { a.fade_out };
    let beats = fade_beats(cx, &clip, fade_in, now);
    let g = here.grid;
    // Onto the grid first, so that steps land on grid lengths.
    let target = if steps > 0.0 {
        ((beats + 1e-9) / g).floor() * g + steps * g
    } else {
        ((beats - 1e-9) / g).ceil() * g + steps * g
    };
    let seconds = fade_seconds(cx, &clip, fade_in, target.max(0.0));
    set_fade(cx, track, clip, fade_in, seconds, true)
}

/// `:gain DB` — the gain of the audio clip under the cursor.
pub fn gain_command(cx: &mut Cx<'_>, here: Here, arg: &str) -> Result<(), String> {
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
    let (track, clip) = audio_clip_here(cx, here)?;
    set_gain(cx, track, clip, db)
}

pub fn step_gain(cx: &mut Cx<'_>, here: Here, d: f32) -> Result<(), String> {
    let (track, clip) = audio_clip_here(cx, here)?;
    let ClipContent::Audio(a) = &clip.content else {
        return Ok(());
    };
    let db = (a.gain_db.round() + d).clamp(MIN_CLIP_GAIN_DB, MAX_CLIP_GAIN_DB);
    set_gain(cx, track, clip, db)
}

fn set_gain(cx: &mut Cx<'_>, track: TrackId, mut clip: Clip, db: f32) -> Result<(), String> {
    let name = clip_name(&clip);
    let a = audio(&mut clip)?;
    if a.gain_db == db {
        cx.info(format!(
            "'{name}' is already at {} dB",
            trim_float(db as f64)
        ));
        return Ok(());
    }
    a.gain_db = db;
    if cx.apply(
        Edit::ReplaceClip {
            track,
            clip: Box::new(clip),
        },
        "clip gain",
    ) {
        cx.info(format!(
            "Clip gain {} dB on '{name}'",
            trim_float(db as f64)
        ));
    }
    Ok(())
}
