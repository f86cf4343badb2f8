//! Clip and track operations: split, trim, duplicate, move, paste and new clips; add, delete
//! and rename tracks. Each reads the project and returns the [`Edit`] that makes the change
//! (one undo step), or an [`OpError`] saying why not; none changes the project itself. The
//! arrange view, the shell commands and (later) the assistant call the same functions.

use super::types::*;
use super::Edit;
use super::TrackField;
use thiserror::Error;

/// Tolerance for comparing beat positions (grid arithmetic in f64).
const EPS: f64 = 1e-9;

/// Why a clip or track operation refused. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum OpError {
    #[error("there is no track with id {0}")]
    NoTrack(u64),
    #[error("there is no clip with id {0}")]
    NoClip(u64),
    #[error("a clip splits inside it, not at its start or end")]
    SplitAtEdge,
    #[error("the clip would be empty")]
    EmptyClip,
    #[error("the clip already starts at the beginning of its file")]
    FileStart,
    #[error("cannot put {} {what} clip on the {} track '{track}'", article(what), kind.as_str())]
    WrongKind {
        /// "audio" or "MIDI": the clip's kind.
        what: &'static str,
        kind: TrackKind,
        track: String,
    },
    #[error("there is no track {0} places below to put a clip on")]
    NoTrackAt(usize),
    #[error("'{track}' is {} {} track: new clips go on MIDI tracks", article(kind.as_str()), kind.as_str())]
    NotMidi { track: String, kind: TrackKind },
    #[error("a {} track has no instrument: only MIDI tracks play one", kind.as_str())]
    InstrumentOnNonMidi { kind: TrackKind },
    #[error("a track needs a name")]
    EmptyName,
    #[error("position {index} is outside 0..={len}")]
    BadIndex { index: usize, len: usize },
}

/// "a" or "an" before a word, by its sound (good enough for "audio", "MIDI", "bus").
pub fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    }
}

/// Whether a track of `kind` can hold `clip` (audio on audio tracks, MIDI on MIDI tracks).
pub fn clip_fits(kind: TrackKind, clip: &Clip) -> bool {
    matches!(
        (kind, &clip.content),
        (TrackKind::Audio, ClipContent::Audio(_)) | (TrackKind::Midi, ClipContent::Midi(_))
    )
}

fn wrong_kind(t: &Track, clip: &Clip) -> OpError {
    OpError::WrongKind {
        what: match clip.content {
            ClipContent::Audio(_) => "audio",
            ClipContent::Midi(_) => "MIDI",
        },
        kind: t.kind,
        track: t.name.clone(),
    }
}

/// The clip with `id` and the id of the track holding it.
fn find(p: &Project, id: ClipId) -> Result<(TrackId, &Clip), OpError> {
    let (ti, ci) = p.find_clip(id).ok_or(OpError::NoClip(id.0))?;
    Ok((p.tracks[ti].id, &p.tracks[ti].clips[ci]))
}

fn replace(track: TrackId, clip: Clip) -> Edit {
    Edit::ReplaceClip {
        track,
        clip: Box::new(clip),
    }
}

// ---- Clips ---------------------------------------------------------------------------------

/// Splits a clip at project beat `at` into two clips meeting there. A MIDI clip's right half
/// is a later window onto the same content: it keeps every controller (those before its window
/// set its state at its start) and the notes from the split on; notes of the left half are cut
/// at the split. An audio clip's halves lose the fade at the cut.
pub fn split_clip(p: &Project, id: ClipId, at: f64) -> Result<Edit, OpError> {
    let (track, c) = find(p, id)?;
    if at <= c.start + EPS || at >= p.clip_end_beat(c) - EPS {
        return Err(OpError::SplitAtEdge);
    }
    let mut left = c.clone();
    let mut right = c.clone();
    right.id = p.next_clip_id();
    right.start = at;
    let rel = at - c.start;
    match (&mut left.content, &mut right.content) {
        (ClipContent::Midi(l), ClipContent::Midi(r)) => {
            // The split point in content beats.
            let cut = l.offset + rel;
            let w0 = l.offset;
            l.length = rel;
            l.notes.retain(|n| n.start < cut - EPS);
            for n in l.notes.iter_mut().filter(|n| n.start >= w0 - EPS) {
                n.length = n.length.min(cut - n.start);
            }
            l.controllers.retain(|e| e.time < cut - EPS);
            r.offset = cut;
            r.length -= rel;
            r.notes.retain(|n| n.start >= cut - EPS);
        }
        (ClipContent::Audio(l), ClipContent::Audio(r)) => {
            let secs = p.tempo.beat_to_seconds(at) - p.tempo.beat_to_seconds(c.start);
            l.length = secs;
            l.fade_out = 0.0;
            r.offset += secs;
            r.length -= secs;
            r.fade_in = 0.0;
        }
        // Both halves are clones of one clip.
        _ => return Err(OpError::NoClip(id.0)),
    }
    Ok(Edit::Batch(vec![
        replace(track, left),
        Edit::AddClip {
            track,
            clip: Box::new(right),
        },
    ]))
}

/// Moves a clip's start by `delta` beats (not before beat 0) while its end stays. MIDI clips
/// are trimmed non-destructively: the window onto the notes moves, the notes stay (those
/// trimmed away come back when the start is extended again); extended before its content's
/// first beat, the content moves later. Audio clips cannot start before their file does.
pub fn trim_start(p: &Project, id: ClipId, delta: f64) -> Result<Edit, OpError> {
    let (track, c) = find(p, id)?;
    let mut c = c.clone();
    let end = p.clip_end_beat(&c);
    let new_start = (c.start + delta).max(0.0);
    if new_start >= end - EPS {
        return Err(OpError::EmptyClip);
    }
    let d = new_start - c.start;
    match &mut c.content {
        ClipContent::Midi(m) => {
            m.length -= d;
            m.offset += d;
            if m.offset < 0.0 {
                let shift = -m.offset;
                for n in &mut m.notes {
                    n.start += shift;
                }
                for e in &mut m.controllers {
                    e.time += shift;
                }
                m.offset = 0.0;
            }
        }
        ClipContent::Audio(a) => {
            let ds = p.tempo.beat_to_seconds(new_start) - p.tempo.beat_to_seconds(c.start);
            if a.offset + ds < 0.0 {
                return Err(OpError::FileStart);
            }
            a.offset += ds;
            a.length -= ds;
        }
    }
    c.start = new_start;
    Ok(replace(track, c))
}

/// Moves a clip's end by `delta` beats. It never gets shorter than `min` beats (or than it
/// already is, when that is shorter still); an audio clip never plays past the end of its
/// file when `file_seconds` (the file's length) is known.
pub fn trim_end(
    p: &Project,
    id: ClipId,
    delta: f64,
    min: f64,
    file_seconds: Option<f64>,
) -> Result<Edit, OpError> {
    let (track, c) = find(p, id)?;
    let mut c = c.clone();
    let end = p.clip_end_beat(&c) + delta;
    match &mut c.content {
        ClipContent::Midi(m) => m.length = (m.length + delta).max(min.min(m.length)),
        ClipContent::Audio(a) => {
            let s0 = p.tempo.beat_to_seconds(c.start);
            let mut len = p.tempo.beat_to_seconds(end.max(c.start)) - s0;
            if let Some(file) = file_seconds {
                len = len.min(file - a.offset);
            }
            let min_s = p.tempo.beat_to_seconds(c.start + min) - s0;
            a.length = len.max(min_s.min(a.length));
        }
    }
    Ok(replace(track, c))
}

/// `count` copies of each clip, each right after the previous one on the clip's track.
pub fn duplicate_clips(p: &Project, ids: &[ClipId], count: usize) -> Result<Edit, OpError> {
    let mut next_id = p.next_clip_id().0;
    let mut edits = Vec::new();
    for &id in ids {
        let (track, c) = find(p, id)?;
        let len = p.clip_end_beat(c) - c.start;
        for k in 1..=count {
            let mut d = c.clone();
            d.id = ClipId(next_id);
            next_id += 1;
            d.start = c.start + len * k as f64;
            edits.push(Edit::AddClip {
                track,
                clip: Box::new(d),
            });
        }
    }
    Ok(Edit::Batch(edits))
}

/// Moves a clip to `start` (not before beat 0) on `track`, which must hold its kind. `None`
/// when the clip is already there.
pub fn move_clip(
    p: &Project,
    id: ClipId,
    start: f64,
    track: TrackId,
) -> Result<Option<Edit>, OpError> {
    let (from, c) = find(p, id)?;
    let t = p.track(track).ok_or(OpError::NoTrack(track.0))?;
    if !clip_fits(t.kind, c) {
        return Err(wrong_kind(t, c));
    }
    let mut c = c.clone();
    let start = start.max(0.0);
    if from == track && start == c.start {
        return Ok(None);
    }
    c.start = start;
    Ok(Some(replace(track, c)))
}

/// Pastes clips `count` times from beat `at`: each `(row, clip)` lands `row` tracks below track
/// index `first`, the copies one after another (the span of the clips, at least `min_span`
/// beats, apart), keeping their distances. The clips get new ids.
pub fn paste_clips(
    p: &Project,
    clips: &[(usize, Clip)],
    first: usize,
    at: f64,
    count: usize,
    min_span: f64,
) -> Result<Edit, OpError> {
    let min_start = clips.iter().map(|(_, c)| c.start).fold(f64::MAX, f64::min);
    let span = clips
        .iter()
        .map(|(_, c)| p.clip_end_beat(c))
        .fold(0.0, f64::max)
        - min_start;
    let span = span.max(min_span);
    let mut next_id = p.next_clip_id().0;
    let mut edits = Vec::new();
    for k in 0..count {
        for (row, c) in clips {
            let t = p.tracks.get(first + row).ok_or(OpError::NoTrackAt(*row))?;
            if !clip_fits(t.kind, c) {
                return Err(wrong_kind(t, c));
            }
            let mut clip = c.clone();
            clip.id = ClipId(next_id);
            next_id += 1;
            clip.start = at + (c.start - min_start) + span * k as f64;
            edits.push(Edit::AddClip {
                track: t.id,
                clip: Box::new(clip),
            });
        }
    }
    Ok(Edit::Batch(edits))
}

/// An empty MIDI clip of `length` beats at `start` on a MIDI track.
pub fn new_midi_clip(
    p: &Project,
    track: TrackId,
    start: f64,
    length: f64,
) -> Result<Edit, OpError> {
    let t = p.track(track).ok_or(OpError::NoTrack(track.0))?;
    if t.kind != TrackKind::Midi {
        return Err(OpError::NotMidi {
            track: t.name.clone(),
            kind: t.kind,
        });
    }
    Ok(Edit::AddClip {
        track,
        clip: Box::new(Clip {
            id: p.next_clip_id(),
            name: String::new(),
            start,
            lane: 0,
            take: None,
            content: ClipContent::Midi(MidiClip::new(length)),
        }),
    })
}

// ---- Tracks --------------------------------------------------------------------------------

/// A new track's name from its kind and number, e.g. "MIDI 3".
pub fn default_track_name(p: &Project, kind: TrackKind) -> String {
    let base = match kind {
        TrackKind::Midi => "MIDI",
        TrackKind::Audio => "Audio",
        TrackKind::Bus => "Bus",
    };
    let n = p.tracks.iter().filter(|t| t.kind == kind).count() + 1;
    format!("{base} {n}")
}

/// A fresh track at `index` (0..=len): named `name` (default: [`default_track_name`]); a MIDI
/// track plays `instrument` (default: the default instrument).
pub fn add_track(
    p: &Project,
    index: usize,
    kind: TrackKind,
    name: Option<String>,
    instrument: Option<Instrument>,
) -> Result<Edit, OpError> {
    add_track_with(p, index, kind, name, instrument, Vec::new())
}

/// [`add_track`] with clips on it (an import brings its file in as a track holding it). The
/// clips must fit the track's kind.
pub fn add_track_with(
    p: &Project,
    index: usize,
    kind: TrackKind,
    name: Option<String>,
    instrument: Option<Instrument>,
    clips: Vec<Clip>,
) -> Result<Edit, OpError> {
    if index > p.tracks.len() {
        return Err(OpError::BadIndex {
            index,
            len: p.tracks.len(),
        });
    }
    let name = match name {
        Some(n) if n.trim().is_empty() => return Err(OpError::EmptyName),
        Some(n) => n,
        None => default_track_name(p, kind),
    };
    let mut track = Track::new(p.next_track_id(), name, kind);
    if let Some(i) = instrument {
        if kind != TrackKind::Midi {
            return Err(OpError::InstrumentOnNonMidi { kind });
        }
        track.instrument = Some(i);
    }
    if let Some(c) = clips.iter().find(|c| !clip_fits(kind, c)) {
        return Err(wrong_kind(&track, c));
    }
    track.clips = clips;
    Ok(Edit::AddTrack {
        index,
        track: Box::new(track),
    })
}

/// Deletes a track and its clips.
pub fn delete_track(p: &Project, id: TrackId) -> Result<Edit, OpError> {
    p.track(id).ok_or(OpError::NoTrack(id.0))?;
    Ok(Edit::RemoveTrack { id })
}

/// Renames a track (a name is not blank).
pub fn rename_track(p: &Project, id: TrackId, name: &str) -> Result<Edit, OpError> {
    p.track(id).ok_or(OpError::NoTrack(id.0))?;
    if name.trim().is_empty() {
        return Err(OpError::EmptyName);
    }
    Ok(Edit::SetTrack {
        id,
        field: TrackField::Name(name.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(pitch: u8, start: f64, length: f64) -> Note {
        Note {
            pitch,
            start,
            length,
            velocity: 100,
            channel: 0,
        }
    }

    /// 120 BPM: a beat is half a second. Track 1 MIDI with clip 1 (bar 1, four notes and a
    /// controller); track 2 audio with clip 2 (beats 4..8 of a 10 s file, from second 1).
    fn project() -> Project {
        let mut p = Project::new("t", 48_000, 120.0);
        let mut m = Track::new(TrackId(1), "Keys", TrackKind::Midi);
        m.clips.push(Clip {
            id: ClipId(1),
            name: "riff".into(),
            start: 0.0,
            lane: 0,
            take: None,
            content: ClipContent::Midi(MidiClip {
                offset: 0.0,
                length: 4.0,
                notes: vec![
                    note(60, 0.0, 1.0),
                    note(62, 1.0, 2.0),
                    note(64, 2.0, 0.5),
                    note(65, 3.0, 1.0),
                ],
                controllers: vec![ControlEvent {
                    kind: ControlKind::Cc(64),
                    time: 2.5,
                    value: 127,
                    channel: 0,
                }],
            }),
        });
        let mut a = Track::new(TrackId(2), "Drums", TrackKind::Audio);
        a.clips.push(Clip {
            id: ClipId(2),
            name: "loop".into(),
            start: 4.0,
            lane: 0,
            take: None,
            content: ClipContent::Audio(AudioClip {
                file: "audio/loop.wav".into(),
                offset: 1.0,
                length: 2.0,
                gain_db: 0.0,
                fade_in: 0.1,
                fade_out: 0.2,
            }),
        });
        p.tracks.push(m);
        p.tracks.push(a);
        p
    }

    /// Applies the edit, checks that its inverse restores the project exactly, and returns the
    /// project as the edit left it.
    fn apply(p: &Project, edit: Edit) -> Project {
        let mut q = p.clone();
        let inv = edit.apply(&mut q).expect("applies");
        let after = q.clone();
        inv.apply(&mut q).expect("inverse applies");
        assert_eq!(&q, p);
        after
    }

    fn midi(c: &Clip) -> &MidiClip {
        match &c.content {
            ClipContent::Midi(m) => m,
            ClipContent::Audio(_) => panic!("not MIDI"),
        }
    }

    fn audio(c: &Clip) -> &AudioClip {
        match &c.content {
            ClipContent::Audio(a) => a,
            ClipContent::Midi(_) => panic!("not audio"),
        }
    }

    #[test]
    fn split_midi_clip_cuts_notes_and_keeps_controllers_right() {
        let p = project();
        let q = apply(&p, split_clip(&p, ClipId(1), 2.0).expect("splits"));
        let t = &q.tracks[0];
        assert_eq!(t.clips.len(), 2);
        let (l, r) = (midi(&t.clips[0]), midi(&t.clips[1]));
        assert_eq!((t.clips[1].id, t.clips[1].start), (ClipId(3), 2.0));
        assert_eq!((l.offset, l.length), (0.0, 2.0));
        let left: Vec<(u8, f64, f64)> = l
            .notes
            .iter()
            .map(|n| (n.pitch, n.start, n.length))
            .collect();
        assert_eq!(left, vec![(60, 0.0, 1.0), (62, 1.0, 1.0)]);
        assert!(l.controllers.is_empty());
        assert_eq!((r.offset, r.length), (2.0, 2.0));
        let right: Vec<u8> = r.notes.iter().map(|n| n.pitch).collect();
        assert_eq!(right, vec![64, 65]);
        assert_eq!(r.controllers.len(), 1);
        assert_eq!(split_clip(&p, ClipId(1), 0.0), Err(OpError::SplitAtEdge));
        assert_eq!(split_clip(&p, ClipId(1), 4.0), Err(OpError::SplitAtEdge));
        assert_eq!(split_clip(&p, ClipId(9), 1.0), Err(OpError::NoClip(9)));
    }

    #[test]
    fn split_audio_clip_in_seconds() {
        let p = project();
        let q = apply(&p, split_clip(&p, ClipId(2), 5.0).expect("splits"));
        let t = &q.tracks[1];
        let (l, r) = (audio(&t.clips[0]), audio(&t.clips[1]));
        assert_eq!(
            (l.offset, l.length, l.fade_in, l.fade_out),
            (1.0, 0.5, 0.1, 0.0)
        );
        assert_eq!(
            (r.offset, r.length, r.fade_in, r.fade_out),
            (1.5, 1.5, 0.0, 0.2)
        );
        assert_eq!(t.clips[1].start, 5.0);
    }

    #[test]
    fn trim_start_moves_the_window() {
        let p = project();
        let q = apply(&p, trim_start(&p, ClipId(1), 1.0).expect("trims"));
        let c = &q.tracks[0].clips[0];
        assert_eq!((c.start, midi(c).offset, midi(c).length), (1.0, 1.0, 3.0));
        assert_eq!(midi(c).notes.len(), 4);
        // Extended before its content: the content moves later.
        let mut p2 = p.clone();
        p2.tracks[0].clips[0].start = 2.0;
        let ClipContent::Midi(m) = &mut p2.tracks[0].clips[0].content else {
            panic!("midi")
        };
        m.length = 2.0;
        let q = apply(&p2, trim_start(&p2, ClipId(1), -1.0).expect("trims"));
        let c = &q.tracks[0].clips[0];
        assert_eq!((c.start, midi(c).offset, midi(c).length), (1.0, 0.0, 3.0));
        assert_eq!(midi(c).notes[0].start, 1.0);
        assert_eq!(midi(c).controllers[0].time, 3.5);
        assert_eq!(trim_start(&p, ClipId(1), 4.0), Err(OpError::EmptyClip));
        // Audio: 1 beat = 0.5 s.
        let q = apply(&p, trim_start(&p, ClipId(2), 1.0).expect("trims"));
        let a = audio(&q.tracks[1].clips[0]);
        assert_eq!((a.offset, a.length), (1.5, 1.5));
        assert_eq!(trim_start(&p, ClipId(2), -3.0), Err(OpError::FileStart));
    }

    #[test]
    fn trim_end_respects_minimum_and_file_length() {
        let p = project();
        let q = apply(&p, trim_end(&p, ClipId(1), -3.5, 1.0, None).expect("trims"));
        assert_eq!(midi(&q.tracks[0].clips[0]).length, 1.0);
        let q = apply(&p, trim_end(&p, ClipId(1), 2.0, 1.0, None).expect("trims"));
        assert_eq!(midi(&q.tracks[0].clips[0]).length, 6.0);
        // 4 beats more is 2 s, but the 10 s file from second 1 has 9 s: the clip gets 4 s.
        let q = apply(
            &p,
            trim_end(&p, ClipId(2), 4.0, 1.0, Some(10.0)).expect("trims"),
        );
        assert_eq!(audio(&q.tracks[1].clips[0]).length, 4.0);
        let q = apply(
            &p,
            trim_end(&p, ClipId(2), 20.0, 1.0, Some(4.0)).expect("trims"),
        );
        assert_eq!(audio(&q.tracks[1].clips[0]).length, 3.0);
        let q = apply(&p, trim_end(&p, ClipId(2), -8.0, 1.0, None).expect("trims"));
        assert_eq!(audio(&q.tracks[1].clips[0]).length, 0.5);
    }

    #[test]
    fn duplicate_and_paste_place_new_clips() {
        let p = project();
        let q = apply(
            &p,
            duplicate_clips(&p, &[ClipId(1), ClipId(2)], 2).expect("dups"),
        );
        let starts: Vec<(u64, f64)> = q.tracks[0]
            .clips
            .iter()
            .map(|c| (c.id.0, c.start))
            .collect();
        assert_eq!(starts, vec![(1, 0.0), (3, 4.0), (4, 8.0)]);
        let starts: Vec<(u64, f64)> = q.tracks[1]
            .clips
            .iter()
            .map(|c| (c.id.0, c.start))
            .collect();
        assert_eq!(starts, vec![(2, 4.0), (5, 8.0), (6, 12.0)]);

        let board = vec![
            (0, p.tracks[0].clips[0].clone()),
            (1, p.tracks[1].clips[0].clone()),
        ];
        let q = apply(
            &p,
            paste_clips(&p, &board, 0, 16.0, 2, 1.0).expect("pastes"),
        );
        let starts: Vec<f64> = q.tracks[0].clips.iter().map(|c| c.start).collect();
        // The clips span beats 0..8: the second copy is 8 beats later.
        assert_eq!(starts, vec![0.0, 16.0, 24.0]);
        let starts: Vec<f64> = q.tracks[1].clips.iter().map(|c| c.start).collect();
        assert_eq!(starts, vec![4.0, 20.0, 28.0]);
        assert_eq!(
            paste_clips(&p, &board[1..], 1, 0.0, 1, 1.0),
            Err(OpError::NoTrackAt(1))
        );
        let err = paste_clips(&p, &board[..1], 1, 0.0, 1, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot put a MIDI clip on the audio track 'Drums'"
        );
    }

    #[test]
    fn move_clip_checks_the_track_kind() {
        let p = project();
        let q = apply(
            &p,
            move_clip(&p, ClipId(2), -3.0, TrackId(2))
                .expect("ok")
                .expect("moves"),
        );
        assert_eq!(q.tracks[1].clips[0].start, 0.0);
        assert_eq!(move_clip(&p, ClipId(2), 4.0, TrackId(2)), Ok(None));
        let err = move_clip(&p, ClipId(2), 4.0, TrackId(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot put an audio clip on the midi track 'Keys'"
        );
        assert_eq!(
            move_clip(&p, ClipId(2), 4.0, TrackId(7)),
            Err(OpError::NoTrack(7))
        );
    }

    #[test]
    fn new_midi_clip_only_on_midi_tracks() {
        let p = project();
        let q = apply(&p, new_midi_clip(&p, TrackId(1), 8.0, 4.0).expect("adds"));
        let c = &q.tracks[0].clips[1];
        assert_eq!(
            (c.id, c.start, midi(c).length, midi(c).notes.len()),
            (ClipId(3), 8.0, 4.0, 0)
        );
        let err = new_midi_clip(&p, TrackId(2), 0.0, 4.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "'Drums' is an audio track: new clips go on MIDI tracks"
        );
    }

    #[test]
    fn tracks_add_delete_rename() {
        let p = project();
        let q = apply(
            &p,
            add_track(&p, 1, TrackKind::Midi, None, None).expect("adds"),
        );
        let t = &q.tracks[1];
        assert_eq!(
            (t.id, t.name.as_str(), t.kind),
            (TrackId(3), "MIDI 2", TrackKind::Midi)
        );
        assert_eq!(t.instrument, Some(Instrument::default()));
        let gm = Instrument::GeneralMidi {
            program: 33,
            drums: false,
        };
        let q = apply(
            &p,
            add_track(
                &p,
                2,
                TrackKind::Midi,
                Some("Bass".into()),
                Some(gm.clone()),
            )
            .expect("adds"),
        );
        assert_eq!(
            (q.tracks[2].name.as_str(), q.tracks[2].instrument.clone()),
            ("Bass", Some(gm.clone()))
        );
        let q = apply(
            &p,
            add_track(&p, 0, TrackKind::Bus, None, None).expect("adds"),
        );
        assert_eq!(
            (q.tracks[0].name.as_str(), q.tracks[0].instrument.clone()),
            ("Bus 1", None)
        );
        assert_eq!(
            add_track(&p, 3, TrackKind::Audio, None, None),
            Err(OpError::BadIndex { index: 3, len: 2 })
        );
        assert_eq!(
            add_track(&p, 0, TrackKind::Audio, None, Some(gm)),
            Err(OpError::InstrumentOnNonMidi {
                kind: TrackKind::Audio
            })
        );
        assert_eq!(
            add_track(&p, 0, TrackKind::Audio, Some(" ".into()), None),
            Err(OpError::EmptyName)
        );

        let clip = p.tracks[1].clips[0].clone();
        let q = apply(
            &p,
            add_track_with(
                &p,
                2,
                TrackKind::Audio,
                Some("Loop".into()),
                None,
                vec![clip.clone()],
            )
            .expect("adds"),
        );
        assert_eq!((q.tracks[2].id, q.tracks[2].clips.len()), (TrackId(3), 1));
        let err =
            add_track_with(&p, 2, TrackKind::Midi, Some("M".into()), None, vec![clip]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot put an audio clip on the midi track 'M'"
        );

        let q = apply(&p, delete_track(&p, TrackId(1)).expect("deletes"));
        assert_eq!(q.tracks.len(), 1);
        assert_eq!(q.tracks[0].id, TrackId(2));
        assert_eq!(delete_track(&p, TrackId(5)), Err(OpError::NoTrack(5)));

        let q = apply(&p, rename_track(&p, TrackId(2), "Beat").expect("renames"));
        assert_eq!(q.tracks[1].name, "Beat");
        assert_eq!(rename_track(&p, TrackId(2), ""), Err(OpError::EmptyName));
    }
}
