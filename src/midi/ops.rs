//! Note operations: pure functions over a clip's notes, shared by the piano roll, the shell
//! commands and (later) the assistant.
//!
//! A selection is a list of indices into the note slice. Each operation returns the new note
//! list; [`replace_notes`] turns it into the one [`Edit`] that commits it (sorted, the clip
//! grown when asked), so every operation is one undo step. Positions are content beats (the
//! clip's own time); pitches stay in 0..=127 and velocities in 1..=127, clamped the way the
//! piano roll always has. Nothing here knows about a screen, a cursor or the disk.

use crate::model::mixer::resolve_track;
use crate::model::{Clip, ClipContent, ClipId, Edit, Note, Project, TrackId, TrackKind};
use thiserror::Error;

/// Tolerance for comparing beat positions (grid arithmetic in f64).
const EPS: f64 = 1e-9;

/// Why a note operation refused. The notes are unchanged when this is returned.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum NoteOpError {
    #[error("transposing by {0} takes a note outside 0..=127")]
    PitchOutOfRange(i32),
    #[error("a grid of {0} beats is not a positive length")]
    BadGrid(f64),
    #[error("quantize strength {0} is outside 0..=1")]
    BadStrength(f64),
    #[error("swing {0} is outside 0.5..=0.75")]
    BadSwing(f64),
    #[error("a quantize window of {0} steps is outside 0..=1")]
    BadWindow(f64),
    #[error("velocity {0} is outside 1..=127")]
    BadVelocity(i64),
    #[error("a velocity factor of {0} is not a positive number")]
    BadFactor(f64),
}

/// The notes of a clip (none for an audio clip).
pub fn notes_of(c: &Clip) -> &[Note] {
    match &c.content {
        ClipContent::Midi(m) => &m.notes,
        ClipContent::Audio(_) => &[],
    }
}

/// The MIDI track TRACK names (a name or 1-based position), or why not: the note tools of
/// the shell and the assistant edit MIDI tracks only.
pub fn midi_track(p: &Project, text: &str) -> Result<TrackId, String> {
    let id = resolve_track(p, text)?;
    match p.track(id) {
        Some(t) if t.kind == TrackKind::Midi => Ok(id),
        Some(t) => Err(format!(
            "track '{}' is not a MIDI track: the MIDI tools edit MIDI tracks only",
            t.name
        )),
        None => Err(format!("there is no track '{text}'")),
    }
}

/// The MIDI clips of track `id` a note tool works on: every one, or the clip `clip` (by id).
pub fn clips_of(p: &Project, id: TrackId, clip: Option<u64>) -> Result<Vec<&Clip>, String> {
    let track = p.track(id).ok_or("the track is gone")?;
    let all: Vec<&Clip> = track
        .clips
        .iter()
        .filter(|c| matches!(c.content, ClipContent::Midi(_)))
        .filter(|c| clip.is_none_or(|want| c.id == ClipId(want)))
        .collect();
    if let (Some(want), true) = (clip, all.is_empty()) {
        return Err(format!(
            "track '{}' has no MIDI clip {want} (see `tdaw info`)",
            track.name
        ));
    }
    Ok(all)
}

/// The edit that replaces a MIDI clip's notes (sorted by start, then pitch) and, when given,
/// its length. An audio clip is left as it is.
pub fn replace_notes(
    track: TrackId,
    clip: &Clip,
    mut notes: Vec<Note>,
    length: Option<f64>,
) -> Edit {
    let mut c = clip.clone();
    if let ClipContent::Midi(m) = &mut c.content {
        notes.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.pitch.cmp(&b.pitch)));
        m.notes = notes;
        if let Some(l) = length {
            m.length = l;
        }
    }
    Edit::ReplaceClip {
        track,
        clip: Box::new(c),
    }
}

/// The clip's new length when notes now end at `last_end`, past its window: whole bars
/// (`bar` beats each) from its offset covering `last_end`. `None` when they still fit.
pub fn grown_length(clip: &Clip, last_end: f64, bar: f64) -> Option<f64> {
    match &clip.content {
        ClipContent::Midi(m) if last_end > m.offset + m.length + EPS => {
            Some(((last_end - m.offset) / bar).ceil() * bar)
        }
        _ => None,
    }
}

// ---- Selection ----------------------------------------------------------------------------

/// The note at a pitch covering a beat (the last one started, when several do).
pub fn note_at(notes: &[Note], beat: f64, pitch: u8) -> Option<usize> {
    notes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.pitch == pitch && n.start <= beat + EPS && n.end() > beat + EPS)
        .max_by(|a, b| a.1.start.total_cmp(&b.1.start))
        .map(|(i, _)| i)
}

/// Notes starting in `[from, to)` with a pitch in `lo..=hi`: the piano roll's selection box.
pub fn select_box(notes: &[Note], from: f64, to: f64, lo: u8, hi: u8) -> Vec<usize> {
    select(notes, |n| {
        n.start >= from - EPS && n.start < to - EPS && n.pitch >= lo && n.pitch <= hi
    })
}

/// Notes starting in `[from, to)` (beats).
pub fn select_range(notes: &[Note], from: f64, to: f64) -> Vec<usize> {
    select_box(notes, from, to, 0, 127)
}

/// Notes with a pitch in `lo..=hi`.
pub fn select_pitch(notes: &[Note], lo: u8, hi: u8) -> Vec<usize> {
    select(notes, |n| n.pitch >= lo && n.pitch <= hi)
}

/// Notes with a velocity in `lo..=hi`.
pub fn select_velocity(notes: &[Note], lo: u8, hi: u8) -> Vec<usize> {
    select(notes, |n| n.velocity >= lo && n.velocity <= hi)
}

fn select(notes: &[Note], keep: impl Fn(&Note) -> bool) -> Vec<usize> {
    (0..notes.len()).filter(|&i| keep(&notes[i])).collect()
}

/// Indices that exist in `notes`, in order, once each (a selection from elsewhere may be stale).
fn valid(notes: &[Note], sel: &[usize]) -> Vec<usize> {
    let mut v: Vec<usize> = sel.iter().copied().filter(|&i| i < notes.len()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

// ---- Edits ----------------------------------------------------------------------------------

/// A move that was applied: the new notes and the deltas after clamping.
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    pub notes: Vec<Note>,
    pub beats: f64,
    pub semitones: i64,
}

/// Moves the selection by `beats` and `semitones`, clamped as a block so no note starts before
/// 0 or leaves 0..=127 (the shape of the selection is kept). `None` when nothing would move.
pub fn move_notes(notes: &[Note], sel: &[usize], beats: f64, semitones: i64) -> Option<Moved> {
    let sel = valid(notes, sel);
    if sel.is_empty() {
        return None;
    }
    let min_start = sel.iter().map(|&i| notes[i].start).fold(f64::MAX, f64::min);
    let beats = beats.max(-min_start);
    let lo = sel.iter().map(|&i| notes[i].pitch).min().unwrap_or(0) as i64;
    let hi = sel.iter().map(|&i| notes[i].pitch).max().unwrap_or(127) as i64;
    let semitones = semitones.clamp(-lo, 127 - hi);
    if beats == 0.0 && semitones == 0 {
        return None;
    }
    let mut out = notes.to_vec();
    for &i in &sel {
        out[i].start += beats;
        out[i].pitch = (out[i].pitch as i64 + semitones) as u8;
    }
    Some(Moved {
        notes: out,
        beats,
        semitones,
    })
}

/// Transposes the selection by `semis`, refusing (rather than clamping) when a note would
/// leave 0..=127, so the intervals between the notes stay what they were.
pub fn transpose(notes: &[Note], sel: &[usize], semis: i32) -> Result<Vec<Note>, NoteOpError> {
    let mut out = notes.to_vec();
    for i in valid(notes, sel) {
        let p = out[i].pitch as i32 + semis;
        if !(0..=127).contains(&p) {
            return Err(NoteOpError::PitchOutOfRange(semis));
        }
        out[i].pitch = p as u8;
    }
    Ok(out)
}

/// Changes the length of the selected notes by `delta` beats; a note never gets shorter than
/// `min` (or than it already is, when that is shorter still).
pub fn resize(notes: &[Note], sel: &[usize], delta: f64, min: f64) -> Vec<Note> {
    let mut out = notes.to_vec();
    for i in valid(notes, sel) {
        out[i].length = (out[i].length + delta).max(min.min(out[i].length));
    }
    out
}

/// The notes with the selection removed.
pub fn delete(notes: &[Note], sel: &[usize]) -> Vec<Note> {
    let sel = valid(notes, sel);
    notes
        .iter()
        .enumerate()
        .filter(|(i, _)| sel.binary_search(i).is_err())
        .map(|(_, n)| *n)
        .collect()
}

/// Copies `count` times of `source`, the first starting at `at`, each next one a whole number
/// of grid steps (`grid`, at least one step) after the previous: the new notes and where the
/// last of them ends.
pub fn copies(source: &[Note], at: f64, count: usize, grid: f64) -> (Vec<Note>, f64) {
    if source.is_empty() {
        return (Vec::new(), 0.0);
    }
    let min = source.iter().map(|n| n.start).fold(f64::MAX, f64::min);
    let max = source.iter().map(|n| n.end()).fold(0.0, f64::max);
    let span = ((max - min) / grid).ceil().max(1.0) * grid;
    let mut out = Vec::with_capacity(source.len() * count);
    let mut last_end: f64 = 0.0;
    for k in 0..count {
        for n in source {
            let mut x = *n;
            x.start = at + (n.start - min) + span * k as f64;
            last_end = last_end.max(x.end());
            out.push(x);
        }
    }
    (out, last_end)
}

/// The notes plus `count` copies of the selection, each right after the previous (rounded up
/// to the grid): `Ctrl-d` in the piano roll. Returns the notes and where the last copy ends.
pub fn duplicate(notes: &[Note], sel: &[usize], count: usize, grid: f64) -> (Vec<Note>, f64) {
    let sel = valid(notes, sel);
    let min = sel.iter().map(|&i| notes[i].start).fold(f64::MAX, f64::min);
    let max = sel.iter().map(|&i| notes[i].end()).fold(0.0, f64::max);
    let span = ((max - min) / grid).ceil().max(1.0) * grid;
    let mut out = notes.to_vec();
    let mut last_end: f64 = 0.0;
    for k in 1..=count {
        for &i in &sel {
            let mut x = notes[i];
            x.start += span * k as f64;
            last_end = last_end.max(x.end());
            out.push(x);
        }
    }
    (out, last_end)
}

/// Notes of one pitch at each of `starts`, `length` long; places already holding a note of the
/// pitch are skipped. Returns the notes and the starts that were filled.
pub fn insert(
    notes: &[Note],
    template: Note,
    starts: impl IntoIterator<Item = f64>,
) -> (Vec<Note>, Vec<f64>) {
    let filled: Vec<f64> = starts
        .into_iter()
        .filter(|&b| note_at(notes, b, template.pitch).is_none())
        .collect();
    let mut out = notes.to_vec();
    out.extend(filled.iter().map(|&start| Note { start, ..template }));
    (out, filled)
}

/// Splits every selected note that sounds across `at` into two notes meeting there.
pub fn split(notes: &[Note], sel: &[usize], at: f64) -> Vec<Note> {
    let mut out = notes.to_vec();
    for i in valid(notes, sel) {
        let n = notes[i];
        if n.start < at - EPS && n.end() > at + EPS {
            out[i].length = at - n.start;
            out.push(Note {
                start: at,
                length: n.end() - at,
                ..n
            });
        }
    }
    out
}

/// Joins selected notes of the same pitch and channel where one ends exactly where the next
/// starts (the inverse of [`split`]); the joined note keeps the first one's velocity.
pub fn join(notes: &[Note], sel: &[usize]) -> Vec<Note> {
    let sel = valid(notes, sel);
    let mut order = sel.clone();
    order.sort_by(|&a, &b| notes[a].start.total_cmp(&notes[b].start));
    let mut out = notes.to_vec();
    let mut gone = vec![false; notes.len()];
    for (k, &i) in order.iter().enumerate() {
        if gone[i] {
            continue;
        }
        loop {
            let end = out[i].end();
            let next = order[k + 1..].iter().copied().find(|&j| {
                !gone[j]
                    && notes[j].pitch == out[i].pitch
                    && notes[j].channel == out[i].channel
                    && (notes[j].start - end).abs() < EPS
            });
            let Some(j) = next else { break };
            out[i].length = notes[j].end() - out[i].start;
            gone[j] = true;
        }
    }
    out.into_iter()
        .enumerate()
        .filter(|(i, _)| !gone[*i])
        .map(|(_, n)| n)
        .collect()
}

/// Adds `delta` to the velocity of the selection, kept in 1..=127.
pub fn velocity_add(notes: &[Note], sel: &[usize], delta: i64) -> Vec<Note> {
    let mut out = notes.to_vec();
    for i in valid(notes, sel) {
        out[i].velocity = (out[i].velocity as i64 + delta).clamp(1, 127) as u8;
    }
    out
}

/// Sets the velocity of the selection (1..=127).
pub fn velocity_set(notes: &[Note], sel: &[usize], v: i64) -> Result<Vec<Note>, NoteOpError> {
    if !(1..=127).contains(&v) {
        return Err(NoteOpError::BadVelocity(v));
    }
    let mut out = notes.to_vec();
    for i in valid(notes, sel) {
        out[i].velocity = v as u8;
    }
    Ok(out)
}

/// Scales the velocity of the selection by `factor` (rounded, kept in 1..=127).
pub fn velocity_scale(
    notes: &[Note],
    sel: &[usize],
    factor: f64,
) -> Result<Vec<Note>, NoteOpError> {
    if !factor.is_finite() || factor <= 0.0 {
        return Err(NoteOpError::BadFactor(factor));
    }
    let mut out = notes.to_vec();
    for i in valid(notes, sel) {
        out[i].velocity = (out[i].velocity as f64 * factor).round().clamp(1.0, 127.0) as u8;
    }
    Ok(out)
}

/// Legato: each selected note lasts until the next later start among the selection (chords
/// move together); the last ones keep their length.
pub fn legato(notes: &[Note], sel: &[usize]) -> Vec<Note> {
    let sel = valid(notes, sel);
    let mut starts: Vec<f64> = sel.iter().map(|&i| notes[i].start).collect();
    starts.sort_by(f64::total_cmp);
    let mut out = notes.to_vec();
    for i in sel {
        let s = notes[i].start;
        if let Some(&next) = starts.iter().find(|&&b| b > s + EPS) {
            out[i].length = next - s;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClipId, MidiClip, Project, Track, TrackKind};

    fn n(pitch: u8, start: f64, length: f64, velocity: u8) -> Note {
        Note {
            pitch,
            start,
            length,
            velocity,
            channel: 0,
        }
    }

    fn notes() -> Vec<Note> {
        vec![
            n(60, 0.0, 1.0, 100),
            n(64, 1.0, 0.5, 80),
            n(67, 2.0, 1.0, 60),
            n(72, 3.5, 0.5, 120),
        ]
    }

    fn project(ns: Vec<Note>) -> Project {
        let mut p = Project::new("t", 48_000, 120.0);
        let mut t = Track::new(TrackId(1), "Keys", TrackKind::Midi);
        t.clips.push(Clip {
            id: ClipId(1),
            name: String::new(),
            start: 0.0,
            lane: 0,
            take: None,
            content: ClipContent::Midi(MidiClip {
                notes: ns,
                ..MidiClip::new(4.0)
            }),
        });
        p.tracks.push(t);
        p
    }

    /// Commits `new` to the clip, checks the notes landed sorted, and that the inverse edit
    /// restores the project exactly.
    fn commit_roundtrip(new: Vec<Note>, length: Option<f64>) -> Project {
        let mut p = project(notes());
        let before = p.clone();
        let edit = replace_notes(TrackId(1), &p.tracks[0].clips[0], new, length);
        let inv = edit.apply(&mut p).expect("applies");
        let after = p.clone();
        inv.apply(&mut p).expect("inverse applies");
        assert_eq!(p, before);
        after
    }

    fn starts(ns: &[Note]) -> Vec<f64> {
        ns.iter().map(|n| n.start).collect()
    }

    #[test]
    fn selections_pick_by_range_pitch_and_velocity() {
        let ns = notes();
        assert_eq!(select_range(&ns, 1.0, 3.5), vec![1, 2]);
        assert_eq!(select_box(&ns, 0.0, 4.0, 62, 70), vec![1, 2]);
        assert_eq!(select_pitch(&ns, 67, 127), vec![2, 3]);
        assert_eq!(select_velocity(&ns, 80, 100), vec![0, 1]);
        assert_eq!(note_at(&ns, 0.5, 60), Some(0));
        assert_eq!(note_at(&ns, 1.0, 60), None);
    }

    #[test]
    fn move_clamps_as_a_block() {
        let ns = notes();
        let m = move_notes(&ns, &[1, 2], -5.0, 100).expect("moves");
        assert_eq!(m.beats, -1.0);
        assert_eq!(m.semitones, 60);
        assert_eq!(starts(&m.notes), vec![0.0, 0.0, 1.0, 3.5]);
        assert_eq!(m.notes[1].pitch, 124);
        assert_eq!(m.notes[2].pitch, 127);
        assert!(move_notes(&ns, &[0], -1.0, 0).is_none());
        assert!(move_notes(&ns, &[], 1.0, 1).is_none());
        let p = commit_roundtrip(m.notes, None);
        let ClipContent::Midi(c) = &p.tracks[0].clips[0].content else {
            panic!("midi")
        };
        // Sorted by start, then pitch.
        let got: Vec<(f64, u8)> = c.notes.iter().map(|n| (n.start, n.pitch)).collect();
        assert_eq!(got, vec![(0.0, 60), (0.0, 124), (1.0, 127), (3.5, 72)]);
    }

    #[test]
    fn transpose_refuses_to_leave_the_midi_range() {
        let ns = notes();
        let t = transpose(&ns, &[0, 3], 12).expect("fits");
        assert_eq!(t[0].pitch, 72);
        assert_eq!(t[3].pitch, 84);
        assert_eq!(t[1].pitch, 64);
        assert_eq!(
            transpose(&ns, &[3], 56),
            Err(NoteOpError::PitchOutOfRange(56))
        );
        assert_eq!(
            transpose(&ns, &[0], -61),
            Err(NoteOpError::PitchOutOfRange(-61))
        );
        commit_roundtrip(t, None);
    }

    #[test]
    fn resize_keeps_a_minimum() {
        let ns = notes();
        let r = resize(&ns, &[0, 1], -0.75, 0.25);
        assert_eq!(r[0].length, 0.25);
        // Already shorter than the minimum step would allow: kept, not grown.
        let r = resize(&ns, &[1], -1.0, 1.0);
        assert_eq!(r[1].length, 0.5);
        let r = resize(&ns, &[2], 1.5, 0.25);
        assert_eq!(r[2].length, 2.5);
        commit_roundtrip(r, None);
    }

    #[test]
    fn delete_removes_only_the_selection() {
        let d = delete(&notes(), &[1, 3, 9]);
        assert_eq!(starts(&d), vec![0.0, 2.0]);
        commit_roundtrip(d, None);
    }

    #[test]
    fn duplicate_places_copies_after_the_selection() {
        let ns = notes();
        // Notes 0..=1 span 0..1.5: rounded up to 2 beats on a 1-beat grid.
        let (d, last_end) = duplicate(&ns, &[0, 1], 2, 1.0);
        assert_eq!(d.len(), 8);
        assert_eq!(starts(&d[4..]), vec![2.0, 3.0, 4.0, 5.0]);
        assert_eq!(last_end, 5.5);
        let p = project(ns.clone());
        let clip = &p.tracks[0].clips[0];
        assert_eq!(grown_length(clip, last_end, 4.0), Some(8.0));
        assert_eq!(grown_length(clip, 4.0, 4.0), None);
        let p = commit_roundtrip(d, grown_length(clip, last_end, 4.0));
        assert_eq!(p.clip_end_beat(&p.tracks[0].clips[0]), 8.0);
    }

    #[test]
    fn copies_start_at_the_paste_point() {
        let src = [n(60, 1.0, 0.25, 90), n(62, 1.5, 0.25, 90)];
        let (c, last_end) = copies(&src, 8.0, 2, 0.5);
        // Span 0.75 rounds up to 1.0 on a half-beat grid.
        assert_eq!(starts(&c), vec![8.0, 8.5, 9.0, 9.5]);
        assert_eq!(last_end, 9.75);
    }

    #[test]
    fn insert_skips_filled_places() {
        let ns = notes();
        let (out, filled) = insert(&ns, n(60, 0.0, 0.5, 77), [0.5, 1.0, 1.5]);
        assert_eq!(filled, vec![1.0, 1.5]);
        assert_eq!(out.len(), 6);
        assert_eq!(
            (out[4].start, out[4].velocity, out[4].length),
            (1.0, 77, 0.5)
        );
    }

    #[test]
    fn split_and_join_are_inverse() {
        let ns = vec![n(60, 0.0, 2.0, 100), n(64, 0.0, 0.5, 90)];
        let s = split(&ns, &[0, 1], 1.0);
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].start, s[0].length), (0.0, 1.0));
        assert_eq!((s[1].start, s[1].length), (0.0, 0.5));
        assert_eq!((s[2].start, s[2].length, s[2].pitch), (1.0, 1.0, 60));
        let j = join(&s, &[0, 1, 2]);
        assert_eq!(j, ns);
        // Not adjacent, or another pitch: left apart.
        let apart = vec![
            n(60, 0.0, 1.0, 100),
            n(60, 1.5, 1.0, 100),
            n(61, 2.5, 1.0, 1),
        ];
        assert_eq!(join(&apart, &[0, 1, 2]), apart);
        commit_roundtrip(s, None);
    }

    #[test]
    fn velocities_set_scale_and_step_within_range() {
        let ns = notes();
        let a = velocity_add(&ns, &[0, 2], 40);
        assert_eq!(
            (a[0].velocity, a[2].velocity, a[1].velocity),
            (127, 100, 80)
        );
        let a = velocity_add(&ns, &[2], -100);
        assert_eq!(a[2].velocity, 1);
        let s = velocity_set(&ns, &[1], 5).expect("in range");
        assert_eq!(s[1].velocity, 5);
        assert_eq!(velocity_set(&ns, &[1], 0), Err(NoteOpError::BadVelocity(0)));
        let s = velocity_scale(&ns, &[0, 1, 2, 3], 0.5).expect("positive");
        let v: Vec<u8> = s.iter().map(|n| n.velocity).collect();
        assert_eq!(v, vec![50, 40, 30, 60]);
        let s = velocity_scale(&ns, &[3], 2.0).expect("positive");
        assert_eq!(s[3].velocity, 127);
        assert!(velocity_scale(&ns, &[3], f64::NAN).is_err());
        commit_roundtrip(s, None);
    }

    #[test]
    fn legato_fills_up_to_the_next_start() {
        let mut ns = notes();
        ns.push(n(48, 0.0, 0.25, 90));
        let l = legato(&ns, &[0, 1, 2, 3, 4]);
        let lengths: Vec<f64> = l.iter().map(|n| n.length).collect();
        assert_eq!(lengths, vec![1.0, 1.0, 1.5, 0.5, 1.0]);
        // Outside the selection nothing changes.
        let l = legato(&ns, &[1, 3]);
        assert_eq!(l[1].length, 2.5);
        assert_eq!(l[0].length, 1.0);
    }
}
