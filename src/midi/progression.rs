//! Chord progressions into clips: `"Am F C G"` or `"i VI III VII"` in a key, with a rhythm
//! and a voicing, become notes and the one edit that adds them as a new MIDI clip.
//!
//! Each chord lasts `beats`; inside that span the rhythm plays it once (whole), twice (halves)
//! or on every beat (pulses, each 3/4 of a beat long so repeated chords are heard). A strum
//! delays each note of a chord, bottom up, by `strum` beats more than the one below it; all
//! the chord's notes still end together. The first chord takes the voicing as written, each
//! next one the inversion and octave of that voicing that moves least from the previous chord
//! (`theory::voice_lead`) unless voice leading is off.

use super::theory::{
    parse_chord_or_numeral, voice, voice_lead, Chord, Scale, TheoryError, Voicing,
};
use crate::model::ops::{new_midi_clip, OpError};
use crate::model::{ClipContent, Edit, Note, Project, TrackId};
use thiserror::Error;

/// Why a progression could not become a clip. Nothing is changed when this is returned.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ProgressionError {
    #[error("{0}")]
    Theory(#[from] TheoryError),
    #[error("{0}")]
    Op(#[from] OpError),
    #[error("the progression has no chords")]
    Empty,
    #[error("--beats {0} is not a positive number of beats per chord")]
    BadBeats(f64),
    #[error("--at {0} is not a beat at or after the project start")]
    BadStart(f64),
    #[error("a strum of {0} beats is not a length from 0 up to the chord's span")]
    BadStrum(f64),
    #[error("'{0}' is not a rhythm (whole, halves or pulses)")]
    BadRhythm(String),
}

/// How often a chord sounds inside its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pattern {
    #[default]
    Whole,
    Halves,
    Pulses,
}

impl Pattern {
    /// `whole`, `halves`, `pulses`.
    pub fn parse(text: &str) -> Result<Pattern, ProgressionError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "whole" => Ok(Pattern::Whole),
            "halves" | "half" => Ok(Pattern::Halves),
            "pulses" | "pulse" | "beats" => Ok(Pattern::Pulses),
            _ => Err(ProgressionError::BadRhythm(text.trim().to_string())),
        }
    }
}

/// Everything but the chords.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Beats per chord.
    pub beats: f64,
    pub pattern: Pattern,
    /// Delay between successive notes of a chord, in beats (0 = together).
    pub strum: f64,
    pub voicing: Voicing,
    pub voice_lead: bool,
    pub velocity: u8,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            beats: 4.0,
            pattern: Pattern::Whole,
            strum: 0.0,
            voicing: Voicing::Close,
            voice_lead: true,
            velocity: 96,
        }
    }
}

/// The chords of a progression text: symbols, or roman numerals in `key`, separated by spaces;
/// `|` bar lines are allowed anywhere and ignored. The first bad token is named in the error.
pub fn parse_progression(text: &str, key: Option<&Scale>) -> Result<Vec<Chord>, ProgressionError> {
    let chords = text
        .split(|c: char| c.is_whitespace() || c == '|')
        .filter(|t| !t.is_empty())
        .map(|t| parse_chord_or_numeral(t, key))
        .collect::<Result<Vec<_>, _>>()?;
    if chords.is_empty() {
        return Err(ProgressionError::Empty);
    }
    Ok(chords)
}

/// The notes of the chords from beat 0 (clip content beats), sorted by start then pitch.
pub fn progression_notes(chords: &[Chord], o: &Options) -> Result<Vec<Note>, ProgressionError> {
    if !(o.beats.is_finite() && o.beats > 0.0) {
        return Err(ProgressionError::BadBeats(o.beats));
    }
    let (hits, hit_len, sounding) = match o.pattern {
        Pattern::Whole => (1, o.beats, o.beats),
        Pattern::Halves => (2, o.beats / 2.0, o.beats / 2.0),
        Pattern::Pulses => {
            let n = o.beats.ceil().max(1.0) as usize;
            (n, 1.0, 0.75)
        }
    };
    let mut notes = Vec::new();
    let mut prev: Vec<u8> = Vec::new();
    for (i, chord) in chords.iter().enumerate() {
        let pitches = if o.voice_lead {
            voice_lead(&prev, chord, o.voicing)
        } else {
            voice(chord, o.voicing, 0)
        };
        let span_start = i as f64 * o.beats;
        let span_end = span_start + o.beats;
        let max_strum = (sounding / pitches.len().max(1) as f64).min(sounding);
        if !(o.strum.is_finite() && o.strum >= 0.0 && o.strum <= max_strum + 1e-12) {
            return Err(ProgressionError::BadStrum(o.strum));
        }
        for h in 0..hits {
            let start = span_start + h as f64 * hit_len;
            let end = (start + sounding).min(span_end);
            for (k, &pitch) in pitches.iter().enumerate() {
                let s = start + k as f64 * o.strum;
                if end - s <= 1e-9 {
                    continue;
                }
                notes.push(Note {
                    pitch,
                    start: s,
                    length: end - s,
                    velocity: o.velocity.clamp(1, 127),
                    channel: 0,
                });
            }
        }
        prev = pitches;
    }
    notes.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.pitch.cmp(&b.pitch)));
    Ok(notes)
}

/// The one edit adding the progression as a new clip at beat `at` on MIDI track `track`,
/// named by its chord symbols, as long as its chords.
pub fn progression_clip(
    p: &Project,
    track: TrackId,
    at: f64,
    chords: &[Chord],
    o: &Options,
) -> Result<Edit, ProgressionError> {
    if !(at.is_finite() && at >= 0.0) {
        return Err(ProgressionError::BadStart(at));
    }
    let notes = progression_notes(chords, o)?;
    let length = chords.len() as f64 * o.beats;
    let mut edit = new_midi_clip(p, track, at, length)?;
    if let Edit::AddClip { clip, .. } = &mut edit {
        clip.name = chords
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        if let ClipContent::Midi(m) = &mut clip.content {
            m.notes = notes;
        }
    }
    Ok(edit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_chords_fill_their_spans() {
        let chords = parse_progression("C | G", None).unwrap();
        let o = Options {
            voice_lead: false,
            ..Options::default()
        };
        let n = progression_notes(&chords, &o).unwrap();
        let got: Vec<(u8, f64, f64)> = n.iter().map(|n| (n.pitch, n.start, n.length)).collect();
        assert_eq!(
            got,
            vec![
                (60, 0.0, 4.0),
                (64, 0.0, 4.0),
                (67, 0.0, 4.0),
                (67, 4.0, 4.0),
                (71, 4.0, 4.0),
                (74, 4.0, 4.0)
            ]
        );
    }

    #[test]
    fn strums_and_pulses() {
        let chords = parse_progression("C", None).unwrap();
        let o = Options {
            beats: 2.0,
            pattern: Pattern::Pulses,
            strum: 0.05,
            ..Options::default()
        };
        let n = progression_notes(&chords, &o).unwrap();
        assert_eq!(n.len(), 6);
        assert!((n[1].start - 0.05).abs() < 1e-12 && (n[1].end() - 0.75).abs() < 1e-12);
        assert!((n[3].start - 1.0).abs() < 1e-12);
        assert!(parse_progression(" | ", None).is_err());
        assert!(matches!(
            progression_notes(&chords, &Options { beats: 0.0, ..o }),
            Err(ProgressionError::BadBeats(_))
        ));
    }
}
