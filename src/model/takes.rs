//! Take lanes: choosing and comping recorded takes, and putting a recording over existing
//! audio. A track's clips on lane 0 play; clips on lanes 1, 2, … are its take lanes, kept and
//! drawn but never played. Every function here reads the project and returns one [`Edit`]
//! (one undo step); none changes the project, and none loses audio: material that stops
//! playing moves to a take lane, unless a take lane already holds that very audio.
//!
//! The arithmetic is in samples at the project rate, so the parts of a split clip outside the
//! range play exactly the frames they played before (same file, offsets moved).

use super::types::*;
use super::Edit;
use thiserror::Error;

/// The highest take lane a clip may be on (validation refuses more).
pub const MAX_LANE: u32 = 999;

/// Why a take operation refused. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TakeError {
    #[error("there is no clip with id {0}")]
    NoClip(u64),
    #[error("clip {0} is on lane 0 (it already plays): choose a clip on a take lane")]
    NotATake(u64),
    #[error("clip {0} is a MIDI clip: take lanes choose and comp audio takes")]
    NotAudio(u64),
    #[error("the range {from}…{to} does not overlap clip {id}")]
    OutsideClip { id: u64, from: f64, to: f64 },
    #[error("the track already has {MAX_LANE} take lanes")]
    TooManyLanes,
}

/// A recorded audio take to place on a track: its file, where it starts on the timeline (in
/// samples at the project rate) and how many frames it holds; `pass` counts from 0.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedTake {
    pub file: String,
    pub start: u64,
    pub frames: u64,
    pub pass: u32,
}

/// Where an audio clip sits in samples: timeline start, frames, first file frame.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Span {
    start: u64,
    len: u64,
    offset: u64,
}

impl Span {
    fn end(&self) -> u64 {
        self.start + self.len
    }
}

fn span(p: &Project, c: &Clip, a: &AudioClip) -> Span {
    let rate = p.sample_rate.max(1);
    let secs = |s: f64| (s.max(0.0) * rate as f64).round() as u64;
    Span {
        start: p.tempo.beat_to_sample(c.start, rate),
        len: secs(a.length),
        offset: secs(a.offset),
    }
}

/// The part `[from, to)` (timeline samples) of audio clip `c`, which spans `s`. An edge that
/// stays where the clip's was keeps the clip's own value (and its fade), so a part that keeps
/// both edges is the clip unchanged.
fn part(p: &Project, c: &Clip, s: Span, from: u64, to: u64) -> Clip {
    let rate = p.sample_rate.max(1) as f64;
    let mut out = c.clone();
    if let ClipContent::Audio(a) = &mut out.content {
        if from != s.start {
            out.start = p.tempo.sample_to_beat(from, p.sample_rate.max(1));
            a.offset = (s.offset + (from - s.start)) as f64 / rate;
            a.fade_in = 0.0;
        }
        if from != s.start || to != s.end() {
            a.length = (to - from) as f64 / rate;
        }
        if to != s.end() {
            a.fade_out = 0.0;
        }
        a.fade_in = a.fade_in.min(a.length);
        a.fade_out = a.fade_out.min(a.length);
    }
    out
}

/// Builds one edit step by step on a scratch copy, so later steps see fresh ids and lanes.
struct Builder {
    scratch: Project,
    edits: Vec<Edit>,
}

impl Builder {
    fn new(p: &Project) -> Builder {
        Builder {
            scratch: p.clone(),
            edits: Vec::new(),
        }
    }

    fn push(&mut self, e: Edit) {
        // Every edit made here refers to clips and tracks just read from the scratch copy.
        if e.clone().apply(&mut self.scratch).is_ok() {
            self.edits.push(e);
        }
    }

    fn add(&mut self, track: TrackId, mut clip: Clip) {
        clip.id = self.scratch.next_clip_id();
        self.push(Edit::AddClip {
            track,
            clip: Box::new(clip),
        });
    }

    fn finish(self) -> Edit {
        Edit::Batch(self.edits)
    }

    /// The lowest take lane of `track` with nothing in `[from, to)`.
    fn free_lane(&self, track: TrackId, from: u64, to: u64) -> Result<u32, TakeError> {
        let Some(t) = self.scratch.track(track) else {
            return Ok(1);
        };
        (1..=MAX_LANE)
            .find(|&lane| {
                !t.clips.iter().any(|c| {
                    c.lane == lane && {
                        let (s, e) = clip_samples(&self.scratch, c);
                        s < to && e > from
                    }
                })
            })
            .ok_or(TakeError::TooManyLanes)
    }

    /// Whether a take lane of `track` already holds the audio of `piece` (same file, the
    /// same file frames at the same timeline place).
    fn held_on_a_lane(&self, track: TrackId, piece: Span, file: &str) -> bool {
        let Some(t) = self.scratch.track(track) else {
            return false;
        };
        t.clips
            .iter()
            .filter(|c| c.lane > 0)
            .any(|c| match &c.content {
                ClipContent::Audio(a) if a.file == file => {
                    let s = span(&self.scratch, c, a);
                    s.start <= piece.start
                        && s.end() >= piece.end()
                        && s.offset as i128 - s.start as i128
                            == piece.offset as i128 - piece.start as i128
                }
                _ => false,
            })
    }

    /// Makes room on lane 0 of `track` over `[from, to)` (samples): the audio clips there
    /// are split at the range's ends, the parts outside stay as they were, the parts inside
    /// move to a take lane (or go, when a take lane holds the same audio already).
    fn carve(&mut self, track: TrackId, from: u64, to: u64) -> Result<(), TakeError> {
        let Some(t) = self.scratch.track(track) else {
            return Ok(());
        };
        let hit: Vec<Clip> = t
            .clips
            .iter()
            .filter(|c| c.lane == 0)
            .filter(|c| {
                let (s, e) = clip_samples(&self.scratch, c);
                matches!(c.content, ClipContent::Audio(_)) && s < to && e > from
            })
            .cloned()
            .collect();
        for c in hit {
            let ClipContent::Audio(a) = &c.content else {
                continue;
            };
            let s = span(&self.scratch, &c, a);
            let (m0, m1) = (s.start.max(from), s.end().min(to));
            let inside = part(&self.scratch, &c, s, m0, m1);
            let keep_inside = !self.held_on_a_lane(
                track,
                Span {
                    start: m0,
                    len: m1 - m0,
                    offset: s.offset + (m0 - s.start),
                },
                &a.file,
            );
            // The lane is found before anything changes, so a refusal changes nothing here.
            let lane = if keep_inside {
                Some(self.free_lane(track, m0, m1)?)
            } else {
                None
            };
            // What stays on lane 0 first (keeping the clip's id on the left part), then
            // the part that moves to a take lane.
            let mut stay = Vec::new();
            if s.start < from {
                stay.push(part(&self.scratch, &c, s, s.start, from));
            }
            if s.end() > to {
                stay.push(part(&self.scratch, &c, s, to, s.end()));
            }
            let mut stay = stay.into_iter();
            match stay.next() {
                Some(first) => self.push(Edit::ReplaceClip {
                    track,
                    clip: Box::new(first),
                }),
                None => self.push(Edit::RemoveClip { id: c.id }),
            }
            for rest in stay {
                self.add(track, rest);
            }
            if let Some(lane) = lane {
                self.add(track, Clip { lane, ..inside });
            }
        }
        Ok(())
    }
}

/// A clip's place on the timeline in samples, `[start, end)`, at the project rate.
fn clip_samples(p: &Project, c: &Clip) -> (u64, u64) {
    let rate = p.sample_rate.max(1);
    match &c.content {
        ClipContent::Audio(a) => {
            let s = span(p, c, a);
            (s.start, s.end())
        }
        ClipContent::Midi(_) => (
            p.tempo.beat_to_sample(c.start, rate),
            p.tempo.beat_to_sample(p.clip_end_beat(c), rate),
        ),
    }
}

/// The take-lane clip with `id`: its track and the clip.
fn take_clip(p: &Project, id: ClipId) -> Result<(TrackId, &Clip, &AudioClip), TakeError> {
    let (ti, ci) = p.find_clip(id).ok_or(TakeError::NoClip(id.0))?;
    let c = &p.tracks[ti].clips[ci];
    if c.lane == 0 {
        return Err(TakeError::NotATake(id.0));
    }
    let ClipContent::Audio(a) = &c.content else {
        return Err(TakeError::NotAudio(id.0));
    };
    Ok((p.tracks[ti].id, c, a))
}

/// Chooses a take: clip `id` (on a take lane) plays over its whole range instead of what lane
/// 0 held there, which moves to a take lane. The take itself stays on its lane too.
pub fn choose(p: &Project, id: ClipId) -> Result<Edit, TakeError> {
    let (track, c, a) = take_clip(p, id)?;
    let s = span(p, c, a);
    comp_span(p, track, c, s, s.start, s.end())
}

/// Comps a take: only beats `[from, to)` of clip `id` (on a take lane) go to lane 0, split at
/// the range's ends; lane 0 outside the range is untouched.
pub fn comp(p: &Project, id: ClipId, from: f64, to: f64) -> Result<Edit, TakeError> {
    let (track, c, a) = take_clip(p, id)?;
    let s = span(p, c, a);
    let rate = p.sample_rate.max(1);
    let (lo, hi) = (from.min(to), from.max(to));
    let a0 = p.tempo.beat_to_sample(lo, rate).max(s.start);
    let a1 = p.tempo.beat_to_sample(hi, rate).min(s.end());
    if a0 >= a1 {
        return Err(TakeError::OutsideClip {
            id: id.0,
            from: lo,
            to: hi,
        });
    }
    comp_span(p, track, c, s, a0, a1)
}

fn comp_span(
    p: &Project,
    track: TrackId,
    c: &Clip,
    s: Span,
    from: u64,
    to: u64,
) -> Result<Edit, TakeError> {
    let mut b = Builder::new(p);
    b.carve(track, from, to)?;
    let piece = part(p, c, s, from, to);
    b.add(track, Clip { lane: 0, ..piece });
    Ok(b.finish())
}

/// Deletes a clip from its take lane (clips on lane 0 are deleted as any clip is).
pub fn delete(p: &Project, id: ClipId) -> Result<Edit, TakeError> {
    let (ti, ci) = p.find_clip(id).ok_or(TakeError::NoClip(id.0))?;
    if p.tracks[ti].clips[ci].lane == 0 {
        return Err(TakeError::NotATake(id.0));
    }
    Ok(Edit::RemoveClip { id })
}

/// The edit that puts a recording's audio takes on `track`: with several loop passes every
/// pass goes onto a take lane of its own (in pass order) and the newest also plays on lane 0;
/// lane-0 audio under the newest take is split around it, its covered part moving to a take
/// lane. A single take over empty lane 0 is just a clip. `None` with no takes.
pub fn record(p: &Project, track: TrackId, takes: &[RecordedTake]) -> Option<Edit> {
    let mut takes: Vec<&RecordedTake> = takes.iter().filter(|t| t.frames > 0).collect();
    takes.sort_by_key(|t| t.pass);
    let newest = *takes.last()?;
    let mut b = Builder::new(p);
    let placed = (|| {
        if takes.len() > 1 {
            for t in &takes {
                let lane = b.free_lane(track, t.start, t.start + t.frames)?;
                let clip = take_clip_for(&b.scratch, t, lane);
                b.add(track, clip);
            }
        }
        b.carve(track, newest.start, newest.start + newest.frames)
    })();
    if placed.is_err() {
        // Every take lane is taken: the newest take still lands (over what plays there), so
        // no recording is ever dropped.
        b = Builder::new(p);
    }
    let clip = take_clip_for(&b.scratch, newest, 0);
    b.add(track, clip);
    Some(b.finish())
}

fn take_clip_for(p: &Project, t: &RecordedTake, lane: u32) -> Clip {
    let rate = p.sample_rate.max(1);
    Clip {
        id: p.next_clip_id(),
        name: format!("take {}", t.pass + 1),
        start: p.tempo.sample_to_beat(t.start, rate),
        lane,
        take: Some(t.pass + 1),
        content: ClipContent::Audio(AudioClip {
            file: t.file.clone(),
            offset: 0.0,
            length: t.frames as f64 / rate as f64,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }),
    }
}

/// How many take lanes a track has (its highest lane).
pub fn lane_count(t: &Track) -> u32 {
    t.clips.iter().map(|c| c.lane).max().unwrap_or(0)
}

/// The clip on `lane` of `t` at `beat` (the last one starting at or before it).
pub fn clip_at(p: &Project, t: &Track, lane: u32, beat: f64) -> Option<ClipId> {
    t.clips
        .iter()
        .rfind(|c| c.lane == lane && c.start <= beat + 1e-9 && p.clip_end_beat(c) > beat + 1e-9)
        .map(|c| c.id)
}

/// Whether take clip `c`'s audio plays on lane 0 over `[from, to)` samples: the part of the
/// take that is comped in (for drawing). Returns the comped sample ranges.
pub fn comped_ranges(p: &Project, t: &Track, c: &Clip) -> Vec<(u64, u64)> {
    let ClipContent::Audio(a) = &c.content else {
        return Vec::new();
    };
    let s = span(p, c, a);
    let shift = s.offset as i128 - s.start as i128;
    let mut out: Vec<(u64, u64)> = t
        .clips
        .iter()
        .filter(|o| o.lane == 0)
        .filter_map(|o| match &o.content {
            ClipContent::Audio(oa) if oa.file == a.file => {
                let os = span(p, o, oa);
                let same = os.offset as i128 - os.start as i128 == shift;
                let (x, y) = (os.start.max(s.start), os.end().min(s.end()));
                (same && x < y).then_some((x, y))
            }
            _ => None,
        })
        .collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
#[path = "takes_tests.rs"]
mod tests;
