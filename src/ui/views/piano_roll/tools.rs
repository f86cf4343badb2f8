//! The MIDI toolkit in the piano roll: quantize with options, humanize, transpose in key,
//! groove templates and a clip's groove, the arpeggiator, chords, key detection and scale snap,
//! each on the selection (or every note of the clip) and each one undo step. The music is
//! `midi::`'s; this file picks the notes, makes the edit and says what happened.

use super::notes::{clip, commit};
use super::state::{PianoState, SnapScale};
use crate::midi::ops::{self, notes_of};
use crate::model::{Clip, Edit, Note, TrackField, TrackId};
use crate::ui::ctx::Cx;
use crate::ui::widgets::grid_name;

/// `:quantize` settings: a grid as typed (`None`: the piano roll's), strength and swing in %,
/// and whether note ends move too.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantize {
    pub grid: Option<String>,
    pub strength: f64,
    pub swing: f64,
    pub ends: bool,
}

impl Default for Quantize {
    /// `q`: the piano roll's grid, full strength, straight, starts and lengths.
    fn default() -> Self {
        Quantize {
            grid: None,
            strength: 100.0,
            swing: 50.0,
            ends: false,
        }
    }
}

/// `:humanize` settings: start ±`time_ms`, velocity ±`velocity`, from `seed`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Humanize {
    pub time_ms: f64,
    pub velocity: u8,
    pub seed: u64,
}

impl Default for Humanize {
    fn default() -> Self {
        Humanize {
            time_ms: 10.0,
            velocity: 8,
            seed: 1,
        }
    }
}

/// `:chords` settings: the progression as typed and its options.
#[derive(Clone, Debug, PartialEq)]
pub struct Chords {
    pub progression: String,
    pub key: Option<String>,
    pub beats: f64,
    pub voicing: Option<String>,
}

/// The notes a tool acts on: the clip, its notes and the chosen indices.
struct Target {
    track: TrackId,
    clip: Clip,
    notes: Vec<Note>,
    idx: Vec<usize>,
}

/// The selection (or every note of the clip); an error naming the tool when there is none.
fn target(st: &PianoState, cx: &Cx<'_>, what: &str) -> Result<Target, String> {
    let (track, c) = clip(st, cx).ok_or("no MIDI clip in the piano roll")?;
    let notes = notes_of(&c).to_vec();
    let idx = match st.tool_selection(*cx.mode) {
        Some((b0, b1, p0, p1)) => ops::select_box(&notes, b0, b1, p0, p1),
        None => (0..notes.len()).collect(),
    };
    if idx.is_empty() {
        return Err(format!("no notes to {what}"));
    }
    Ok(Target {
        track,
        clip: c,
        notes,
        idx,
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `:quantize …` (and `q`, with the piano roll's grid at full strength).
pub fn quantize(st: &mut PianoState, cx: &mut Cx<'_>, q: &Quantize) -> Result<(), String> {
    let t = target(st, cx, "quantize")?;
    let grid = match &q.grid {
        Some(g) => crate::model::fx::note_value_beats(g)?,
        None => st.grid,
    };
    if q.swing != 50.0 || q.ends {
        return Err("swing and ends have not landed yet".into());
    }
    let (notes, changed) = ops::quantize(&t.notes, Some(&t.idx), grid, q.strength / 100.0)
        .map_err(|e| e.to_string())?;
    if changed == 0 {
        cx.info("Already on the grid");
        return Ok(());
    }
    if commit(cx, t.track, t.clip, notes, None, "quantize") {
        cx.info(format!(
            "Quantized {changed} note{} to {}",
            plural(changed),
            q.grid.clone().unwrap_or_else(|| grid_name(grid))
        ));
    }
    Ok(())
}

pub fn humanize(_st: &mut PianoState, _cx: &mut Cx<'_>, _h: Humanize) -> Result<(), String> {
    Err("humanize has not landed yet".into())
}

/// The scale `:transpose N inkey` steps through: scale snap's, else the project key's.
fn step_scale(st: &PianoState, cx: &Cx<'_>) -> Result<SnapScale, String> {
    if let Some(s) = &st.snap {
        return Ok(s.clone());
    }
    let k = cx
        .project
        .key
        .ok_or("no scale: set the project key (:key Am) or a scale (:scale D dorian)")?;
    Ok(key_scale(k))
}

/// The scale of a project key.
fn key_scale(k: crate::model::Key) -> SnapScale {
    SnapScale {
        name: format!("{k}"),
        classes: k.scale().iter().fold(0u16, |m, c| m | 1 << c),
    }
}

/// `:transpose N inkey`: N steps of the scale.
pub fn transpose_in_key(st: &mut PianoState, cx: &mut Cx<'_>, steps: i32) -> Result<(), String> {
    let scale = step_scale(st, cx)?;
    let mut t = target(st, cx, "transpose")?;
    for &i in &t.idx {
        t.notes[i].pitch = scale.step(t.notes[i].pitch, steps as i64);
    }
    let n = t.idx.len();
    if commit(cx, t.track, t.clip, t.notes, None, "transpose notes") {
        cx.info(format!(
            "Transposed {n} note{} {} {} step{} of {}",
            plural(n),
            if steps < 0 { "down" } else { "up" },
            steps.unsigned_abs(),
            plural(steps.unsigned_abs() as usize),
            scale.name
        ));
    }
    Ok(())
}

pub fn groove_template(
    _st: &mut PianoState,
    _cx: &mut Cx<'_>,
    _name: &str,
    _strength: f64,
) -> Result<(), String> {
    Err("groove has not landed yet".into())
}

pub fn groove_extract(_st: &mut PianoState, _cx: &mut Cx<'_>) -> Result<(), String> {
    Err("groove has not landed yet".into())
}

pub fn groove_apply(_st: &mut PianoState, _cx: &mut Cx<'_>, _strength: f64) -> Result<(), String> {
    Err("groove has not landed yet".into())
}

pub fn arp_render(_st: &mut PianoState, _cx: &mut Cx<'_>, _words: &str) -> Result<(), String> {
    Err("the arpeggiator has not landed yet".into())
}

/// `:arp live …|off`: the track's live arpeggiator, one edit.
pub fn arp_live(st: &mut PianoState, cx: &mut Cx<'_>, words: &str) -> Result<(), String> {
    let (track, _) = clip(st, cx).ok_or("no MIDI clip in the piano roll")?;
    let arp = if words.eq_ignore_ascii_case("off") {
        None
    } else {
        return Err("the arpeggiator has not landed yet".into());
    };
    let name = cx
        .project
        .track(track)
        .map_or(String::new(), |t| t.name.clone());
    if cx.apply(
        Edit::SetTrack {
            id: track,
            field: TrackField::Arp(arp),
        },
        "arp",
    ) {
        cx.info(format!("{name}: arpeggiator off"));
    }
    Ok(())
}

pub fn chords(_st: &mut PianoState, _cx: &mut Cx<'_>, _c: &Chords) -> Result<(), String> {
    Err("chords have not landed yet".into())
}

pub fn chord_at_cursor(
    _st: &mut PianoState,
    _cx: &mut Cx<'_>,
    _symbol: &str,
) -> Result<(), String> {
    Err("chords have not landed yet".into())
}

pub fn detect_key(_st: &mut PianoState, _cx: &mut Cx<'_>) -> Result<(), String> {
    Err("key detection has not landed yet".into())
}

/// `:scale [SCALE|off]`: scale snap on (the project key's scale without SCALE) or off.
pub fn set_scale(st: &mut PianoState, cx: &mut Cx<'_>, text: &str) -> Result<(), String> {
    if text.eq_ignore_ascii_case("off") {
        st.snap = None;
        cx.info("Scale snap off");
        return Ok(());
    }
    let scale = if text.is_empty() {
        let k = cx
            .project
            .key
            .ok_or("no project key to snap to: :scale D dorian, or set one with :key Am")?;
        key_scale(k)
    } else {
        key_scale(text.parse::<crate::model::Key>()?)
    };
    cx.info(format!("Scale snap: {}", scale.name));
    st.snap = Some(scale);
    Ok(())
}
