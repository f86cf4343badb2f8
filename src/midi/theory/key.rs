//! Key detection from notes: a duration-weighted pitch-class histogram correlated (Pearson)
//! with the Krumhansl–Kessler major and minor profiles rotated to all 24 keys.
//!
//! Confidence, in 0..=1, compares the best correlation r1 with the runner-up r2:
//! `confidence = max(r1, 0) × (r1 − r2) / (r1 − r2 + 0.05)`: zero when two keys tie or nothing
//! correlates, near r1 when the best key stands clear (a gap of 0.05 gives half of r1). The
//! relative major/minor pair is usually the runner-up, so the gap mostly says how clearly the
//! tonic is weighted.

use super::note::SpelledNote;
use crate::model::{Key, Note};

/// Krumhansl & Kessler (1982) probe-tone ratings, C major and C minor.
const MAJOR: [f64; 12] = [
    6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88,
];
const MINOR: [f64; 12] = [
    6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17,
];

/// Longest note weight, in beats: a held drone should not outweigh the rest of the track.
const MAX_WEIGHT: f64 = 16.0;
/// The half-weight gap of the confidence function.
const GAP: f64 = 0.05;

/// A detected key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyEstimate {
    pub key: Key,
    /// The tonic as a key signature spells it (F# major, Db major, Eb minor).
    pub tonic: SpelledNote,
    /// Pearson correlation of the best key, and of the runner-up.
    pub correlation: f64,
    pub runner_up: f64,
    pub confidence: f64,
}

impl KeyEstimate {
    /// `"A minor"`, `"F# major"`.
    pub fn name(&self) -> String {
        format!(
            "{} {}",
            self.tonic,
            if self.key.minor { "minor" } else { "major" }
        )
    }
}

/// The usual key-signature spelling of a tonic: flats for F Bb Eb Ab Db majors and their
/// relative minors (D G C F Bb minor; Eb minor over D# minor), sharps otherwise (F# major).
fn tonic_spelling(pc: u8, minor: bool) -> (SpelledNote, bool) {
    let flats = if minor {
        matches!(pc, 2 | 7 | 0 | 5 | 10 | 3)
    } else {
        matches!(pc, 5 | 10 | 3 | 8 | 1)
    };
    (SpelledNote::from_pitch_class(pc, flats), flats)
}

/// Adds notes to a pitch-class histogram, each weighted by its length in beats (capped at
/// 16). Notes on MIDI channel 10 (index 9, GM drums) are not pitched and are skipped.
pub fn add_to_histogram(hist: &mut [f64; 12], notes: &[Note]) {
    for n in notes {
        if n.channel == 9 || n.length.is_nan() || n.length <= 0.0 {
            continue;
        }
        hist[(n.pitch % 12) as usize] += n.length.min(MAX_WEIGHT);
    }
}

fn pearson(x: &[f64; 12], y: &[f64; 12]) -> f64 {
    let mx = x.iter().sum::<f64>() / 12.0;
    let my = y.iter().sum::<f64>() / 12.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..12 {
        let (a, b) = (x[i] - mx, y[i] - my);
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// The best of the 24 keys for a histogram; `None` when it is empty or flat (every pitch
/// class equally weighted: no key is more likely than another).
pub fn detect_key_from_histogram(hist: &[f64; 12]) -> Option<KeyEstimate> {
    let total: f64 = hist.iter().sum();
    let max = hist.iter().copied().fold(0.0, f64::max);
    let min = hist.iter().copied().fold(f64::INFINITY, f64::min);
    if total.is_nan() || total <= 0.0 || max - min <= 1e-12 * max {
        return None;
    }
    let mut scores: Vec<(f64, u8, bool)> = Vec::with_capacity(24);
    for tonic in 0..12u8 {
        for (minor, profile) in [(false, &MAJOR), (true, &MINOR)] {
            let mut rotated = [0.0; 12];
            for (i, r) in rotated.iter_mut().enumerate() {
                *r = profile[(i + 12 - tonic as usize) % 12];
            }
            scores.push((pearson(hist, &rotated), tonic, minor));
        }
    }
    scores.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (r1, tonic, minor) = scores[0];
    let r2 = scores[1].0;
    let gap = (r1 - r2).max(0.0);
    let confidence = (r1.max(0.0) * gap / (gap + GAP)).clamp(0.0, 1.0);
    let (spelled, flats) = tonic_spelling(tonic, minor);
    Some(KeyEstimate {
        key: Key {
            tonic,
            minor,
            flats,
        },
        tonic: spelled,
        correlation: r1,
        runner_up: r2,
        confidence,
    })
}

/// The most likely key of some notes (see the module doc); `None` without pitched notes.
pub fn detect_key(notes: &[Note]) -> Option<KeyEstimate> {
    let mut hist = [0.0; 12];
    add_to_histogram(&mut hist, notes);
    detect_key_from_histogram(&hist)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_finds_its_own_key() {
        let e = detect_key_from_histogram(&MINOR).unwrap();
        assert_eq!(e.name(), "C minor");
        assert!((e.correlation - 1.0).abs() < 1e-12);
        assert!(e.confidence > 0.0 && e.confidence <= 1.0);
        assert!(detect_key_from_histogram(&[1.0; 12]).is_none());
        assert!(detect_key(&[]).is_none());
    }
}
