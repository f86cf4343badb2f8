//! Live recording into clips, pure: what was played (note ons and offs, controllers, each at a
//! beat and a loop pass) becomes notes, and a recording becomes the ONE edit that puts it in
//! the project. Nothing here knows the engine, a port or the clock: the UI converts the
//! engine's captures (timeline samples) to beats with the project's tempo map first.
//!
//! - **Notes**: an on and the next off of its pitch make a note; a note still held when
//!   recording stops ends there; a repeated on of a held pitch ends the first note. Notes that
//!   start before the record point (pre-roll) are not kept.
//! - **Quantize on record**: the finished notes go through [`quantize`] at full strength on
//!   the timeline's grid (starts, and lengths to whole steps), before they go in the clip.
//! - **Replace** removes the armed track's notes that start inside the recorded range and
//!   trims notes that start before it and sound into it; **overdub** removes nothing: the take
//!   is a new clip on top of what is there (overlapping clips both play).
//! - **Loop recording**: each loop pass is a take. The last take with notes is the clip on the
//!   armed track; every earlier take becomes a clip at the same place on its own muted MIDI
//!   track ("Bass take 1", …, same instrument) right below it, to audition or copy from.

use super::ops;
use super::quantize::{quantize, Quantize};
use crate::model::{
    Clip, ClipContent, ControlEvent, ControlKind, Edit, Instrument, MidiClip, Note, Project, Track,
    TrackId, TrackKind,
};

/// What a live message was.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LiveKind {
    On {
        pitch: u8,
        velocity: u8,
    },
    Off {
        pitch: u8,
    },
    Cc {
        cc: u8,
        value: u8,
    },
    /// −8192 … 8191.
    Bend(i16),
}

/// One live message at a beat of the timeline, in a loop pass (0 before any wrap).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LiveEvent {
    pub beat: f64,
    pub pass: u32,
    pub channel: u8,
    pub kind: LiveKind,
}

/// A finished recording, in beats.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveRecording {
    /// The record point: nothing before it is kept.
    pub from: f64,
    /// Where the transport stopped.
    pub end: f64,
    /// The loop region cycled, when a wrap happened; `passes` wraps happened.
    pub loop_region: Option<(f64, f64)>,
    pub passes: u32,
    pub events: Vec<LiveEvent>,
}

/// Replace what is under the take, or add the take on top.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RecordMode {
    #[default]
    Replace,
    Overdub,
}

/// How a recording becomes clips.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RecordOptions {
    pub mode: RecordMode,
    /// Quantize on record to this grid in beats (`None`: as played).
    pub quantize: Option<f64>,
}

/// One take: its span on the timeline and what was played in it, in absolute beats.
#[derive(Clone, Debug, PartialEq)]
pub struct Take {
    pub from: f64,
    pub to: f64,
    pub notes: Vec<Note>,
    pub controllers: Vec<ControlEvent>,
}

/// The notes and controllers of the events of one pass that fall in `from..to`, on `channel`
/// (the track's channel, as the piano roll writes them), in absolute beats.
pub fn take_of(events: &[LiveEvent], pass: u32, from: f64, to: f64, channel: u8) -> Take {
    let mut notes = Vec::new();
    let mut controllers = Vec::new();
    let mut held: [Option<(f64, u8)>; 128] = [None; 128];
    let mut close = |held: &mut [Option<(f64, u8)>; 128], pitch: u8, at: f64| {
        if let Some((start, velocity)) = held[pitch as usize & 127].take() {
            let end = at.min(to);
            if start >= from && end > start {
                notes.push(Note {
                    pitch,
                    start,
                    length: end - start,
                    velocity: velocity.clamp(1, 127),
                    channel,
                });
            }
        }
    };
    for e in events.iter().filter(|e| e.pass == pass) {
        match e.kind {
            LiveKind::On { pitch, velocity } => {
                close(&mut held, pitch, e.beat);
                if e.beat < to {
                    held[pitch as usize & 127] = Some((e.beat, velocity));
                }
            }
            LiveKind::Off { pitch } => close(&mut held, pitch, e.beat),
            LiveKind::Cc { cc, value } if e.beat >= from && e.beat < to => {
                controllers.push(ControlEvent {
                    kind: ControlKind::Cc(cc),
                    time: e.beat,
                    value: i16::from(value),
                    channel,
                });
            }
            LiveKind::Bend(v) if e.beat >= from && e.beat < to => {
                controllers.push(ControlEvent {
                    kind: ControlKind::PitchBend,
                    time: e.beat,
                    value: v,
                    channel,
                });
            }
            _ => {}
        }
    }
    for pitch in 0..128u8 {
        close(&mut held, pitch, to);
    }
    notes.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.pitch.cmp(&b.pitch)));
    Take {
        from,
        to,
        notes,
        controllers,
    }
}

/// The takes of a recording, in pass order: one without a loop wrap; with wraps, one per pass
/// over the loop (the first from the record point), the last pass kept only when something
/// was played in it.
pub fn takes(rec: &LiveRecording, channel: u8) -> Vec<Take> {
    let Some((ls, le)) = rec.loop_region.filter(|_| rec.passes > 0) else {
        return vec![take_of(&rec.events, 0, rec.from, rec.end, channel)];
    };
    let mut out = Vec::new();
    for pass in 0..=rec.passes {
        let from = if pass == 0 { rec.from.max(ls) } else { ls };
        let to = if pass == rec.passes {
            rec.end.min(le)
        } else {
            le
        };
        let t = take_of(&rec.events, pass, from, to, channel);
        if pass < rec.passes || !t.notes.is_empty() {
            // A take always spans the loop, so that takes line up with each other.
            out.push(Take { to: le, ..t });
        }
    }
    out
}

/// The MIDI channel recorded notes take on `track`: 10 (index 9) for a General MIDI drum kit.
fn channel_of(track: &Track) -> u8 {
    match track.instrument {
        Some(Instrument::GeneralMidi { drums: true, .. }) => 9,
        _ => 0,
    }
}

/// Why a recording could not be put in the project.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LiveError {
    #[error("there is no MIDI track with id {0} to record into")]
    NoTrack(u64),
    #[error("nothing was played after the record point")]
    Nothing,
    #[error("{0}")]
    Quantize(#[from] ops::NoteOpError),
}

/// The one edit that puts `rec` into `track` (see the module's rules), and a sentence saying
/// what it did.
pub fn record_edit(
    p: &Project,
    track: TrackId,
    rec: &LiveRecording,
    opts: RecordOptions,
) -> Result<(Edit, String), LiveError> {
    let t = p
        .track(track)
        .filter(|t| t.kind == TrackKind::Midi)
        .ok_or(LiveError::NoTrack(track.0))?;
    let channel = channel_of(t);
    let mut all = takes(rec, channel);
    if let Some(grid) = opts.quantize {
        for take in &mut all {
            take.notes = quantize(&take.notes, None, &Quantize::steps(grid))?.0;
        }
    }
    let Some(last) = all
        .iter()
        .rposition(|t| !t.notes.is_empty() || !t.controllers.is_empty())
    else {
        return Err(LiveError::Nothing);
    };
    let kept = all.remove(last);
    let earlier: Vec<Take> = all.into_iter().take(last).collect();
    let mut edits = Vec::new();
    if opts.mode == RecordMode::Replace {
        edits.extend(replace_range(t, kept.from, kept.to));
    }
    let mut next_clip = p.next_clip_id().0;
    let mut clip_of = |take: &Take, name: String| {
        let id = crate::model::ClipId(next_clip);
        next_clip += 1;
        clip_at(id, name, take)
    };
    let notes = kept.notes.len();
    edits.push(Edit::AddClip {
        track,
        clip: Box::new(clip_of(&kept, "recording".into())),
    });
    let index = p.tracks.iter().position(|x| x.id == track).unwrap_or(0) + 1;
    let first_track = p.next_track_id().0;
    for (i, take) in earlier.iter().enumerate() {
        let mut tt = Track::new(
            TrackId(first_track + i as u64),
            format!("{} take {}", t.name, i + 1),
            TrackKind::Midi,
        );
        tt.instrument = t.instrument.clone();
        tt.mute = true;
        tt.clips.push(clip_of(take, format!("take {}", i + 1)));
        edits.push(Edit::AddTrack {
            index: index + i,
            track: Box::new(tt),
        });
    }
    let mode = match opts.mode {
        RecordMode::Replace => "replacing",
        RecordMode::Overdub => "overdubbing",
    };
    let mut said = format!(
        "Recorded {notes} note{} into {} ({mode})",
        if notes == 1 { "" } else { "s" },
        t.name
    );
    if !earlier.is_empty() {
        said.push_str(&format!(
            "; {} earlier take{} on muted tracks",
            earlier.len(),
            if earlier.len() == 1 { "" } else { "s" }
        ));
    }
    Ok((Edit::Batch(edits), said))
}

/// A clip from `take.from` to `take.to` holding the take (clip-relative beats).
fn clip_at(id: crate::model::ClipId, name: String, take: &Take) -> Clip {
    let mut m = MidiClip::new((take.to - take.from).max(1e-3));
    m.notes = take
        .notes
        .iter()
        .map(|n| Note {
            start: (n.start - take.from).max(0.0),
            ..*n
        })
        .collect();
    m.controllers = take
        .controllers
        .iter()
        .map(|c| ControlEvent {
            time: (c.time - take.from).max(0.0),
            ..*c
        })
        .collect();
    Clip {
        id,
        name,
        start: take.from,
        lane: 0,
        take: None,
        content: ClipContent::Midi(m),
    }
}

/// The edits that clear `from..to` on `t` for a replacing take: notes that start inside go,
/// notes that start before and sound into it end at `from`. Clips that do not change are left.
fn replace_range(t: &Track, from: f64, to: f64) -> Vec<Edit> {
    let mut out = Vec::new();
    for c in &t.clips {
        let ClipContent::Midi(m) = &c.content else {
            continue;
        };
        // Content beats ↔ timeline beats.
        let at = |content: f64| c.start + content - m.offset;
        let mut changed = false;
        let mut notes = Vec::with_capacity(m.notes.len());
        for n in &m.notes {
            let (s, e) = (at(n.start), at(n.end()));
            if s >= from && s < to {
                changed = true;
            } else if s < from && e > from {
                changed = true;
                notes.push(Note {
                    length: from - s,
                    ..*n
                });
            } else {
                notes.push(*n);
            }
        }
        if changed {
            out.push(ops::replace_notes(t.id, c, notes, None));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(beat: f64, pitch: u8) -> LiveEvent {
        LiveEvent {
            beat,
            pass: 0,
            channel: 0,
            kind: LiveKind::On {
                pitch,
                velocity: 100,
            },
        }
    }

    fn off(beat: f64, pitch: u8) -> LiveEvent {
        LiveEvent {
            beat,
            pass: 0,
            channel: 0,
            kind: LiveKind::Off { pitch },
        }
    }

    #[test]
    fn ons_and_offs_pair_into_notes() {
        let ev = [
            on(3.5, 60), // pre-roll: dropped
            off(4.2, 60),
            on(4.0, 62),
            on(4.5, 64),
            off(5.0, 62),
            on(5.5, 64), // retrigger ends the first 64
            on(7.0, 67), // held at stop
        ];
        let t = take_of(&ev, 0, 4.0, 8.0, 0);
        let got: Vec<(u8, f64, f64)> = t
            .notes
            .iter()
            .map(|n| (n.pitch, n.start, n.length))
            .collect();
        assert_eq!(
            got,
            [
                (62, 4.0, 1.0),
                (64, 4.5, 1.0),
                (64, 5.5, 2.5),
                (67, 7.0, 1.0)
            ]
        );
    }

    #[test]
    fn loop_passes_become_takes() {
        let mut ev = vec![on(4.0, 60), off(5.0, 60)];
        let mut second = [on(4.5, 62), off(5.0, 62)];
        for e in &mut second {
            e.pass = 1;
        }
        ev.extend(second);
        let rec = LiveRecording {
            from: 4.0,
            end: 4.1,
            loop_region: Some((4.0, 8.0)),
            passes: 2,
            events: ev,
        };
        let t = takes(&rec, 0);
        // Pass 2 (stopped just after the wrap, nothing played) is no take.
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].from, t[0].to, t[0].notes[0].pitch), (4.0, 8.0, 60));
        assert_eq!((t[1].from, t[1].to, t[1].notes[0].pitch), (4.0, 8.0, 62));
    }
}
