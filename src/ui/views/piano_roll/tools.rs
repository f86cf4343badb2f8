//! The MIDI toolkit in the piano roll: quantize with options, humanize, transpose in key,
//! groove templates and a clip's groove, the arpeggiator, a typed chord and scale snap,
//! each on the selection (or every note of the clip) and each one undo step. The music is
//! `midi::`'s (`quantize`, `groove`, `arp`, `theory`); this file picks the notes, makes the
//! edit and says what happened.

use super::notes::{channel_for, clip, commit, AUDITION};
use super::state::PianoState;
use crate::midi::groove::{self, Groove, Humanize, TEMPLATES};
use crate::midi::ops::{self, notes_of};
use crate::midi::quantize::{self as quant, Grid, Lengths};
use crate::midi::theory::{parse_chord_or_numeral, transpose_in_key, Scale};
use crate::model::arp::Arp;
use crate::model::{Clip, ClipContent, Edit, Note, TrackField, TrackId};
use crate::ui::ctx::{Cx, Effect};
use crate::ui::widgets::grid_name;

/// `:quantize` settings: a grid as typed (`None`: the piano roll's), strength and swing in %,
/// and whether note ends move to grid lines (else lengths become whole steps, as with `q`).
#[derive(Clone, Debug, PartialEq)]
pub struct Quantize {
    pub grid: Option<String>,
    pub strength: f64,
    pub swing: f64,
    pub ends: bool,
}

impl Default for Quantize {
    /// `q`: the piano roll's grid, full strength, straight, lengths to whole steps.
    fn default() -> Self {
        Quantize {
            grid: None,
            strength: 100.0,
            swing: 50.0,
            ends: false,
        }
    }
}

/// What `t h` and a bare `:humanize` do: ±10 ms, ±8 velocity, seed 1.
pub const HUMANIZE: Humanize = Humanize {
    time_ms: 10.0,
    velocity: 8,
    seed: 1,
};

/// The notes a tool acts on: the clip, its notes and the chosen indices.
struct Target {
    track: TrackId,
    clip: Clip,
    notes: Vec<Note>,
    idx: Vec<usize>,
}

impl Target {
    /// The project beat of the clip's content beat 0.
    fn origin(&self) -> f64 {
        match &self.clip.content {
            ClipContent::Midi(m) => self.clip.start - m.offset,
            ClipContent::Audio(_) => self.clip.start,
        }
    }
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

/// How many notes differ between two versions of the same notes.
fn changed(a: &[Note], b: &[Note]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x != y).count()
}

/// `:quantize …` (and `q`, with the piano roll's grid at full strength).
pub fn quantize(st: &mut PianoState, cx: &mut Cx<'_>, q: &Quantize) -> Result<(), String> {
    let t = target(st, cx, "quantize")?;
    let grid = match &q.grid {
        Some(g) => Grid::parse(g)?.beats(),
        None => st.grid,
    };
    let how = quant::Quantize {
        strength: q.strength / 100.0,
        swing: q.swing / 100.0,
        lengths: if q.ends {
            Lengths::Ends
        } else {
            Lengths::Steps
        },
        ..quant::Quantize::new(grid)
    };
    let (notes, n) = quant::quantize(&t.notes, Some(&t.idx), &how).map_err(|e| e.to_string())?;
    if n == 0 {
        cx.info("Already on the grid");
        return Ok(());
    }
    if commit(cx, t.track, t.clip, notes, None, "quantize") {
        let name = match &q.grid {
            Some(_) => Grid(grid).name(),
            None => grid_name(grid),
        };
        cx.info(format!("Quantized {n} note{} to {name}", plural(n)));
    }
    Ok(())
}

/// `:humanize` (and `t h`): timing at the project's tempo, velocity, seeded.
pub fn humanize(st: &mut PianoState, cx: &mut Cx<'_>, h: Humanize) -> Result<(), String> {
    let t = target(st, cx, "humanize")?;
    let notes = groove::humanize(&t.notes, Some(&t.idx), &h, &cx.project.tempo, t.origin());
    let n = changed(&t.notes, &notes);
    if commit(cx, t.track, t.clip, notes, None, "humanize") {
        cx.info(format!(
            "Humanized {n} note{} (±{} ms, ±{} velocity, seed {})",
            plural(n),
            h.time_ms,
            h.velocity,
            h.seed
        ));
    }
    Ok(())
}

/// The scale `:transpose N inkey` steps through: scale snap's, else the project key's.
fn step_scale(st: &PianoState, cx: &Cx<'_>) -> Result<Scale, String> {
    if let Some(s) = st.snap {
        return Ok(s);
    }
    let k = cx
        .project
        .key
        .ok_or("no scale: set the project key (:key Am) or a scale (:scale D dorian)")?;
    Ok(Scale::from_key(&k))
}

/// `:transpose N inkey`: N steps of the scale.
pub fn transpose_in_scale(st: &mut PianoState, cx: &mut Cx<'_>, steps: i32) -> Result<(), String> {
    let scale = step_scale(st, cx)?;
    let mut t = target(st, cx, "transpose")?;
    for &i in &t.idx {
        t.notes[i].pitch =
            transpose_in_key(t.notes[i].pitch, steps, &scale).map_err(|e| e.to_string())?;
    }
    let n = t.idx.len();
    if commit(cx, t.track, t.clip, t.notes, None, "transpose notes") {
        let a = steps.unsigned_abs() as usize;
        cx.info(format!(
            "Transposed {n} note{} {} {a} step{} of {scale}",
            plural(n),
            if steps < 0 { "down" } else { "up" },
            plural(a),
        ));
    }
    Ok(())
}

/// `:groove swing16|laidback|pushed [strength=%]`.
pub fn groove_template(
    st: &mut PianoState,
    cx: &mut Cx<'_>,
    name: &str,
    strength: f64,
) -> Result<(), String> {
    let g = Groove::template(name).ok_or_else(|| {
        format!(
            "'{name}' is not a groove (try {}, extract or apply)",
            TEMPLATES.join(", ")
        )
    })?;
    apply_groove(st, cx, &g, name, strength)
}

/// `:groove extract`: keeps the clip's groove (per grid step over a bar) for `:groove apply`.
pub fn groove_extract(st: &mut PianoState, cx: &mut Cx<'_>) -> Result<(), String> {
    let t = target(st, cx, "take a groove from")?;
    let picked: Vec<Note> = t.idx.iter().map(|&i| t.notes[i]).collect();
    let qpb = cx.project.time_signature.quarters_per_bar();
    let cycle = ((qpb / st.grid).round() as usize).max(1);
    st.groove = Some(Groove::extract(&picked, st.grid, cycle));
    cx.info(format!(
        "Kept the groove of {} note{} ({} steps of {}): :groove apply puts it on a clip",
        picked.len(),
        plural(picked.len()),
        cycle,
        grid_name(st.grid)
    ));
    Ok(())
}

/// `:groove apply [strength=%]`: the kept groove on this clip's notes.
pub fn groove_apply(st: &mut PianoState, cx: &mut Cx<'_>, strength: f64) -> Result<(), String> {
    let g = st
        .groove
        .clone()
        .ok_or("no groove kept: :groove extract in the clip to take it from")?;
    apply_groove(st, cx, &g, "the kept groove", strength)
}

fn apply_groove(
    st: &mut PianoState,
    cx: &mut Cx<'_>,
    g: &Groove,
    name: &str,
    strength: f64,
) -> Result<(), String> {
    let t = target(st, cx, "groove")?;
    let notes = g.apply(&t.notes, Some(&t.idx), strength / 100.0);
    let n = changed(&t.notes, &notes);
    if commit(cx, t.track, t.clip, notes, None, "groove") {
        cx.info(format!("Applied {name} to {n} note{}", plural(n)));
    }
    Ok(())
}

/// `:arp MODE RATE …`: the selected notes (or all) become an arpeggio over the chords they make.
pub fn arp_render(st: &mut PianoState, cx: &mut Cx<'_>, words: &str) -> Result<(), String> {
    let arp = Arp::parse_words(words)?;
    let t = target(st, cx, "arpeggiate")?;
    let picked: Vec<Note> = t.idx.iter().map(|&i| t.notes[i]).collect();
    let rendered = crate::midi::arp::render(&picked, &arp, t.origin());
    let count = rendered.len();
    let mut notes = ops::delete(&t.notes, &t.idx);
    notes.extend(rendered);
    let qpb = cx.project.time_signature.quarters_per_bar();
    let last = notes.iter().map(Note::end).fold(0.0, f64::max);
    let length = ops::grown_length(&t.clip, last, qpb);
    if commit(cx, t.track, t.clip, notes, length, "arpeggiate") {
        cx.info(format!(
            "Arpeggiated {} note{} into {count} ({})",
            picked.len(),
            plural(picked.len()),
            arp.to_words()
        ));
    }
    Ok(())
}

/// `:arp live …|off`: the track's live arpeggiator, one edit.
pub fn arp_live(st: &mut PianoState, cx: &mut Cx<'_>, words: &str) -> Result<(), String> {
    let (track, _) = clip(st, cx).ok_or("no MIDI clip in the piano roll")?;
    let arp = if words.eq_ignore_ascii_case("off") {
        None
    } else {
        Some(Arp::parse_words(words)?)
    };
    let name = cx
        .project
        .track(track)
        .map_or(String::new(), |t| t.name.clone());
    let said = match &arp {
        Some(a) => format!("{name}: arpeggiator {}", a.to_words()),
        None => format!("{name}: arpeggiator off"),
    };
    if cx.apply(
        Edit::SetTrack {
            id: track,
            field: TrackField::Arp(arp),
        },
        "arp",
    ) {
        cx.info(said);
    }
    Ok(())
}

/// `:chord SYMBOL [LENGTH]` (what `c` prompts for): the chord at the cursor, its root in the
/// cursor's octave, one grid step long, or LENGTH (a note value), which the next chords keep.
/// A roman numeral is read in scale snap's scale, else the project key.
pub fn chord_at_cursor(st: &mut PianoState, cx: &mut Cx<'_>, text: &str) -> Result<(), String> {
    let mut words = text.split_whitespace();
    let symbol = words.next().ok_or(":chord SYMBOL [LENGTH]")?;
    if let Some(len) = words.next() {
        st.chord_len = Some(Grid::parse(len)?.beats());
    }
    let (track, c) = clip(st, cx).ok_or("no MIDI clip in the piano roll")?;
    let key = step_scale(st, cx).ok();
    let chord = parse_chord_or_numeral(symbol, key.as_ref()).map_err(|e| e.to_string())?;
    let octave = (st.pitch / 12) as i32 - 1;
    let pitches = chord
        .pitches_in(octave)
        .or_else(|| chord.pitches_in(4))
        .ok_or_else(|| format!("{chord} does not fit in MIDI's pitches"))?;
    let length = st.chord_len.unwrap_or(st.grid);
    let old = notes_of(&c).to_vec();
    let channel = channel_for(cx, track, &old);
    let mut notes = old;
    for &pitch in &pitches {
        if ops::note_at(&notes, st.cursor, pitch).is_none() {
            notes.push(Note {
                pitch,
                start: st.cursor,
                length,
                velocity: st.velocity,
                channel,
            });
        }
    }
    let qpb = cx.project.time_signature.quarters_per_bar();
    let grown = ops::grown_length(&c, st.cursor + length, qpb);
    if commit(cx, track, c, notes, grown, "chord") {
        cx.info(format!("{chord} at the cursor"));
        cx.ask(Effect::AuditionChord {
            track,
            pitches,
            velocity: st.velocity,
            length: AUDITION,
        });
    }
    Ok(())
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
        Scale::from_key(&k)
    } else {
        Scale::parse(text).map_err(|e| e.to_string())?
    };
    cx.info(format!("Scale snap: {scale}"));
    st.snap = Some(scale);
    Ok(())
}

/// `:chords PROGRESSION …`: a new clip of the chords at the cursor on the piano roll's track,
/// opened in the piano roll. Numerals are read in `key` (else the scale snap's scale, else the
/// project key).
pub fn chords(
    st: &mut PianoState,
    cx: &mut Cx<'_>,
    progression: &str,
    key: Option<&str>,
    beats: Option<f64>,
    voicing: Option<&str>,
) -> Result<(), String> {
    use crate::midi::progression::{parse_progression, progression_clip, Options};
    use crate::midi::theory::Voicing;
    let (track, clip) = clip(st, cx).ok_or("no MIDI clip in the piano roll")?;
    let key = match key {
        Some(k) => Some(Scale::parse(k).map_err(|e| e.to_string())?),
        None => step_scale(st, cx).ok(),
    };
    let chords = parse_progression(progression, key.as_ref()).map_err(|e| e.to_string())?;
    let mut o = Options {
        velocity: st.velocity,
        ..Options::default()
    };
    if let Some(b) = beats {
        o.beats = b;
    }
    if let Some(v) = voicing {
        o.voicing = Voicing::parse(v).map_err(|e| e.to_string())?;
    }
    let offset = match &clip.content {
        ClipContent::Midi(m) => m.offset,
        ClipContent::Audio(_) => 0.0,
    };
    let at = (clip.start + st.cursor - offset).max(0.0);
    let edit = progression_clip(cx.project, track, at, &chords, &o).map_err(|e| e.to_string())?;
    let id = match &edit {
        Edit::AddClip { clip, .. } => Some(clip.id),
        _ => None,
    };
    if cx.apply(edit, "chords") {
        cx.info(format!(
            "{} chord{} in a new clip at {}",
            chords.len(),
            plural(chords.len()),
            crate::ui::widgets::bars_beats(cx.project, at)
        ));
        if let Some(id) = id {
            cx.ask(crate::ui::ctx::Effect::OpenClip {
                clip: id,
                beat: 0.0,
                pitch: st.pitch,
            });
        }
    }
    Ok(())
}

/// `:key` in the piano roll: the project key and the key the selected notes (or the clip's)
/// are in, with how sure the guess is; `:key NAME` then sets it.
pub fn detect_key(st: &mut PianoState, cx: &mut Cx<'_>) -> Result<(), String> {
    let t = target(st, cx, "detect a key from")?;
    let picked: Vec<Note> = t.idx.iter().map(|&i| t.notes[i]).collect();
    let est = crate::midi::theory::detect_key(&picked)
        .ok_or("no key: these notes weigh every pitch class the same")?;
    let project = match cx.project.key {
        Some(k) => format!("Key {k}"),
        None => "No key set".to_string(),
    };
    let offer = if cx.project.key == Some(est.key) {
        String::new()
    } else {
        format!("; :key {} sets it", est.key)
    };
    cx.info(format!(
        "{project}; the notes are in {} (confidence {:.2}){offer}",
        est.name(),
        est.confidence
    ));
    Ok(())
}
