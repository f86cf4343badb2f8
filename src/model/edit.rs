//! Edits: the only way to change a project. Applying an edit returns its inverse, so every
//! change can be undone and redone.

use super::types::*;
use super::{LoopRegion, Marker, TempoMap, TimeSignature};
use thiserror::Error;

/// Why an edit could not be applied. The project is unchanged when this is returned.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EditError {
    #[error("there is no track with id {0}")]
    NoTrack(u64),
    #[error("there is no clip with id {0}")]
    NoClip(u64),
    #[error("position {index} is outside 0..={len}")]
    BadIndex { index: usize, len: usize },
    #[error("a track with id {0} already exists")]
    DuplicateTrack(u64),
    #[error("a clip with id {0} already exists")]
    DuplicateClip(u64),
    #[error("{0}")]
    Invalid(String),
}

/// One settable property of a track. Setting one returns the old value as the inverse.
#[derive(Debug, Clone, PartialEq)]
pub enum TrackField {
    Name(String),
    GainDb(f32),
    Pan(f32),
    Mute(bool),
    Solo(bool),
    Arm(bool),
    Input(Option<TrackInput>),
    Monitor(MonitorMode),
    Color(Option<Color>),
    Instrument(Option<Instrument>),
    Effects(Vec<Effect>),
    Sends(Vec<Send>),
    Automation(Vec<AutomationLane>),
    Arp(Option<super::arp::Arp>),
}

/// A change to a project.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Renames the project.
    SetName(String),
    /// Replaces the tempo map.
    SetTempo(TempoMap),
    SetTimeSignature(TimeSignature),
    SetKey(Option<Key>),
    SetMasterGain(f32),
    SetMasterEffects(Vec<Effect>),
    SetMasterAutomation(Vec<AutomationLane>),
    SetLoop(Option<LoopRegion>),
    SetMarkers(Vec<Marker>),
    /// Replaces the MIDI-learn bindings.
    SetMidiLearn(Vec<MidiBinding>),
    /// Inserts a track at `index` (0..=len).
    AddTrack {
        index: usize,
        track: Box<Track>,
    },
    RemoveTrack {
        id: TrackId,
    },
    /// Moves a track to position `to`.
    MoveTrack {
        id: TrackId,
        to: usize,
    },
    SetTrack {
        id: TrackId,
        field: TrackField,
    },
    /// Adds a clip to a track (kept sorted by start).
    AddClip {
        track: TrackId,
        clip: Box<Clip>,
    },
    RemoveClip {
        id: ClipId,
    },
    /// Replaces a clip (same id) with new content, position or track.
    ReplaceClip {
        track: TrackId,
        clip: Box<Clip>,
    },
    /// Several edits as one step (undone together).
    Batch(Vec<Edit>),
}

impl Edit {
    /// Applies the edit and returns the edit that undoes it. On error the project is unchanged.
    pub fn apply(self, p: &mut Project) -> Result<Edit, EditError> {
        Ok(match self {
            Edit::SetName(n) => Edit::SetName(std::mem::replace(&mut p.name, n)),
            Edit::SetTempo(t) => {
                let bpm_ok = t.changes().iter().all(|c| c.bpm.is_finite() && c.bpm > 0.0);
                if !bpm_ok {
                    return Err(EditError::Invalid("tempo must be a positive number".into()));
                }
                Edit::SetTempo(std::mem::replace(&mut p.tempo, t))
            }
            Edit::SetTimeSignature(ts) => {
                Edit::SetTimeSignature(std::mem::replace(&mut p.time_signature, ts))
            }
            Edit::SetKey(k) => Edit::SetKey(std::mem::replace(&mut p.key, k)),
            Edit::SetMasterGain(g) => {
                Edit::SetMasterGain(std::mem::replace(&mut p.master.gain_db, g))
            }
            Edit::SetMasterEffects(e) => {
                Edit::SetMasterEffects(std::mem::replace(&mut p.master.effects, e))
            }
            Edit::SetMasterAutomation(a) => {
                Edit::SetMasterAutomation(std::mem::replace(&mut p.master.automation, a))
            }
            Edit::SetLoop(l) => Edit::SetLoop(std::mem::replace(&mut p.loop_region, l)),
            Edit::SetMarkers(m) => Edit::SetMarkers(std::mem::replace(&mut p.markers, m)),
            Edit::SetMidiLearn(b) => Edit::SetMidiLearn(std::mem::replace(&mut p.midi_learn, b)),
            Edit::AddTrack { index, track } => {
                if index > p.tracks.len() {
                    return Err(EditError::BadIndex {
                        index,
                        len: p.tracks.len(),
                    });
                }
                if p.track(track.id).is_some() {
                    return Err(EditError::DuplicateTrack(track.id.0));
                }
                let id = track.id;
                p.tracks.insert(index, *track);
                Edit::RemoveTrack { id }
            }
            Edit::RemoveTrack { id } => {
                let index = p.track_index(id).ok_or(EditError::NoTrack(id.0))?;
                let track = p.tracks.remove(index);
                Edit::AddTrack {
                    index,
                    track: Box::new(track),
                }
            }
            Edit::MoveTrack { id, to } => {
                let from = p.track_index(id).ok_or(EditError::NoTrack(id.0))?;
                if to >= p.tracks.len() {
                    return Err(EditError::BadIndex {
                        index: to,
                        len: p.tracks.len().saturating_sub(1),
                    });
                }
                let t = p.tracks.remove(from);
                p.tracks.insert(to, t);
                Edit::MoveTrack { id, to: from }
            }
            Edit::SetTrack { id, field } => {
                let t = p.track_mut(id).ok_or(EditError::NoTrack(id.0))?;
                let old = match field {
                    TrackField::Name(v) => TrackField::Name(std::mem::replace(&mut t.name, v)),
                    TrackField::GainDb(v) => {
                        TrackField::GainDb(std::mem::replace(&mut t.gain_db, v))
                    }
                    TrackField::Pan(v) => TrackField::Pan(std::mem::replace(&mut t.pan, v)),
                    TrackField::Mute(v) => TrackField::Mute(std::mem::replace(&mut t.mute, v)),
                    TrackField::Solo(v) => TrackField::Solo(std::mem::replace(&mut t.solo, v)),
                    TrackField::Arm(v) => TrackField::Arm(std::mem::replace(&mut t.arm, v)),
                    TrackField::Input(v) => TrackField::Input(std::mem::replace(&mut t.input, v)),
                    TrackField::Monitor(v) => {
                        TrackField::Monitor(std::mem::replace(&mut t.monitor, v))
                    }
                    TrackField::Color(v) => TrackField::Color(std::mem::replace(&mut t.color, v)),
                    TrackField::Instrument(v) => {
                        TrackField::Instrument(std::mem::replace(&mut t.instrument, v))
                    }
                    TrackField::Effects(v) => {
                        TrackField::Effects(std::mem::replace(&mut t.effects, v))
                    }
                    TrackField::Sends(v) => TrackField::Sends(std::mem::replace(&mut t.sends, v)),
                    TrackField::Automation(v) => {
                        TrackField::Automation(std::mem::replace(&mut t.automation, v))
                    }
                    TrackField::Arp(v) => TrackField::Arp(std::mem::replace(&mut t.arp, v)),
                };
                Edit::SetTrack { id, field: old }
            }
            Edit::AddClip { track, clip } => {
                if p.find_clip(clip.id).is_some() {
                    return Err(EditError::DuplicateClip(clip.id.0));
                }
                let t = p.track_mut(track).ok_or(EditError::NoTrack(track.0))?;
                let id = clip.id;
                insert_sorted(&mut t.clips, *clip);
                Edit::RemoveClip { id }
            }
            Edit::RemoveClip { id } => {
                let (ti, ci) = p.find_clip(id).ok_or(EditError::NoClip(id.0))?;
                let t = &mut p.tracks[ti];
                let clip = t.clips.remove(ci);
                Edit::AddClip {
                    track: t.id,
                    clip: Box::new(clip),
                }
            }
            Edit::ReplaceClip { track, clip } => {
                let (ti, ci) = p.find_clip(clip.id).ok_or(EditError::NoClip(clip.id.0))?;
                let to = p.track_index(track).ok_or(EditError::NoTrack(track.0))?;
                let old_track = p.tracks[ti].id;
                let old = p.tracks[ti].clips.remove(ci);
                insert_sorted(&mut p.tracks[to].clips, *clip);
                Edit::ReplaceClip {
                    track: old_track,
                    clip: Box::new(old),
                }
            }
            Edit::Batch(edits) => {
                let mut inverses = Vec::with_capacity(edits.len());
                for e in edits {
                    match e.apply(p) {
                        Ok(inv) => inverses.push(inv),
                        Err(err) => {
                            // Roll back what was applied so the project is unchanged.
                            for inv in inverses.into_iter().rev() {
                                let _ = inv.apply(p);
                            }
                            return Err(err);
                        }
                    }
                }
                inverses.reverse();
                Edit::Batch(inverses)
            }
        })
    }

    /// A rough count of the bytes this edit holds, for bounding the undo history.
    pub fn approx_size(&self) -> usize {
        let base = std::mem::size_of::<Edit>();
        base + match self {
            Edit::SetName(s) => s.len(),
            Edit::SetTempo(t) => t.changes().len() * 16,
            Edit::SetMasterEffects(e) => e.len() * 128,
            Edit::SetMarkers(m) => m.iter().map(|m| 32 + m.name.len()).sum(),
            Edit::AddTrack { track, .. } => track_size(track),
            Edit::SetTrack { field, .. } => match field {
                TrackField::Name(s) => s.len(),
                TrackField::Effects(e) => e.len() * 128,
                TrackField::Sends(s) => s.len() * 24,
                TrackField::Automation(a) => a.iter().map(|l| 64 + l.points.len() * 16).sum(),
                _ => 0,
            },
            Edit::AddClip { clip, .. } | Edit::ReplaceClip { clip, .. } => clip_size(clip),
            Edit::Batch(v) => v.iter().map(Edit::approx_size).sum(),
            _ => 0,
        }
    }
}

fn clip_size(c: &Clip) -> usize {
    std::mem::size_of::<Clip>()
        + c.name.len()
        + match &c.content {
            ClipContent::Midi(m) => {
                m.notes.len() * std::mem::size_of::<Note>()
                    + m.controllers.len() * std::mem::size_of::<ControlEvent>()
            }
            ClipContent::Audio(a) => a.file.len(),
        }
}

fn track_size(t: &Track) -> usize {
    std::mem::size_of::<Track>() + t.name.len() + t.clips.iter().map(clip_size).sum::<usize>()
}

/// Clips are kept in order of start, then lane, then id, so undoing a removal puts a clip
/// back exactly where it was even among clips starting together (stacked takes do).
fn insert_sorted(clips: &mut Vec<Clip>, clip: Clip) {
    let key = |c: &Clip| (c.start, c.lane, c.id);
    let at = clips.partition_point(|c| key(c) <= key(&clip));
    clips.insert(at, clip);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> Project {
        let mut p = Project::new("t", 48_000, 120.0);
        let mut t = Track::new(TrackId(1), "Bass", TrackKind::Midi);
        t.clips.push(Clip {
            id: ClipId(1),
            name: String::new(),
            start: 0.0,
            lane: 0,
            take: None,
            content: ClipContent::Midi(MidiClip {
                offset: 0.0,
                controllers: Vec::new(),
                length: 4.0,
                notes: vec![Note {
                    pitch: 40,
                    start: 0.0,
                    length: 1.0,
                    velocity: 100,
                    channel: 0,
                }],
            }),
        });
        p.tracks.push(t);
        p
    }

    fn roundtrip(edit: Edit) {
        let mut p = project();
        let before = p.clone();
        let inv = edit.apply(&mut p).expect("applies");
        assert_ne!(p, before, "edit changed nothing");
        let redo = inv.apply(&mut p).expect("inverse applies");
        assert_eq!(p, before);
        redo.apply(&mut p).expect("redo applies");
        assert_ne!(p, before);
    }

    #[test]
    fn every_edit_inverts() {
        roundtrip(Edit::SetName("x".into()));
        roundtrip(Edit::SetTempo(TempoMap::constant(90.0)));
        roundtrip(Edit::SetKey(Some("Am".parse().unwrap())));
        roundtrip(Edit::SetMasterGain(-3.0));
        roundtrip(Edit::AddTrack {
            index: 0,
            track: Box::new(Track::new(TrackId(9), "Pad", TrackKind::Midi)),
        });
        roundtrip(Edit::RemoveTrack { id: TrackId(1) });
        roundtrip(Edit::SetTrack {
            id: TrackId(1),
            field: TrackField::GainDb(-6.0),
        });
        roundtrip(Edit::RemoveClip { id: ClipId(1) });
        let mut p = project();
        let mut c = p.tracks[0].clips[0].clone();
        c.start = 8.0;
        roundtrip(Edit::ReplaceClip {
            track: TrackId(1),
            clip: Box::new(c),
        });
        p.tracks.clear();
        roundtrip(Edit::Batch(vec![
            Edit::SetName("y".into()),
            Edit::SetTrack {
                id: TrackId(1),
                field: TrackField::Mute(true),
            },
        ]));
    }

    #[test]
    fn failed_batch_leaves_project_unchanged() {
        let mut p = project();
        let before = p.clone();
        let err = Edit::Batch(vec![
            Edit::SetName("y".into()),
            Edit::RemoveTrack { id: TrackId(77) },
        ])
        .apply(&mut p);
        assert_eq!(err, Err(EditError::NoTrack(77)));
        assert_eq!(p, before);
    }
}
