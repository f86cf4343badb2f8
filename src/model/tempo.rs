//! Musical time: the tempo map (beats ↔ seconds ↔ samples) and the time signature.

use serde::{Deserialize, Serialize};

/// A tempo that holds from `beat` until the next change.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TempoChange {
    /// Position in quarter-note beats from the start of the project.
    pub beat: f64,
    /// Quarter notes per minute.
    pub bpm: f64,
}

/// Tempo changes sorted by beat; the first one is always at beat 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TempoMap {
    changes: Vec<TempoChange>,
}

impl TempoMap {
    /// A map with one constant tempo.
    pub fn constant(bpm: f64) -> Self {
        TempoMap {
            changes: vec![TempoChange { beat: 0.0, bpm }],
        }
    }

    /// Builds a map from changes in any order; the tempo at beat 0 is the first change's when
    /// none is given at 0. An empty list gives 120 BPM.
    pub fn from_changes(mut changes: Vec<TempoChange>) -> Self {
        changes.sort_by(|a, b| a.beat.total_cmp(&b.beat));
        changes.dedup_by(|later, earlier| {
            if later.beat == earlier.beat {
                earlier.bpm = later.bpm;
                true
            } else {
                false
            }
        });
        match changes.first() {
            None => return TempoMap::constant(120.0),
            Some(first) if first.beat > 0.0 => {
                let bpm = first.bpm;
                changes.insert(0, TempoChange { beat: 0.0, bpm });
            }
            Some(_) => {}
        }
        TempoMap { changes }
    }

    /// The changes, sorted, the first at beat 0.
    pub fn changes(&self) -> &[TempoChange] {
        &self.changes
    }

    /// The tempo at beat 0.
    pub fn initial_bpm(&self) -> f64 {
        self.changes.first().map_or(120.0, |c| c.bpm)
    }

    /// Replaces the whole map with one constant tempo.
    pub fn set_constant(&mut self, bpm: f64) {
        *self = TempoMap::constant(bpm);
    }

    /// The tempo in force at `beat`.
    pub fn bpm_at(&self, beat: f64) -> f64 {
        let i = self.segment_for_beat(beat);
        self.changes[i].bpm
    }

    fn segment_for_beat(&self, beat: f64) -> usize {
        // changes[0].beat == 0, so partition_point is at least 1 for beat >= 0.
        self.changes
            .partition_point(|c| c.beat <= beat)
            .saturating_sub(1)
    }

    /// Seconds from the project start to `beat`. Beats before 0 use the first tempo.
    pub fn beat_to_seconds(&self, beat: f64) -> f64 {
        let mut seconds = 0.0;
        for (i, c) in self.changes.iter().enumerate() {
            let end = self.changes.get(i + 1).map_or(f64::INFINITY, |n| n.beat);
            if beat <= end || i + 1 == self.changes.len() {
                return seconds + (beat - c.beat) * 60.0 / c.bpm;
            }
            seconds += (end - c.beat) * 60.0 / c.bpm;
        }
        beat * 60.0 / self.initial_bpm()
    }

    /// The beat at `seconds` from the project start (inverse of [`Self::beat_to_seconds`]).
    pub fn seconds_to_beat(&self, seconds: f64) -> f64 {
        let mut start_s = 0.0;
        for (i, c) in self.changes.iter().enumerate() {
            match self.changes.get(i + 1) {
                Some(next) => {
                    let seg = (next.beat - c.beat) * 60.0 / c.bpm;
                    if seconds < start_s + seg {
                        return c.beat + (seconds - start_s) * c.bpm / 60.0;
                    }
                    start_s += seg;
                }
                None => return c.beat + (seconds - start_s) * c.bpm / 60.0,
            }
        }
        seconds * self.initial_bpm() / 60.0
    }

    /// The sample index of `beat` at `rate`, rounded to the nearest sample.
    pub fn beat_to_sample(&self, beat: f64, rate: u32) -> u64 {
        let s = self.beat_to_seconds(beat) * rate as f64;
        if s <= 0.0 {
            0
        } else {
            s.round() as u64
        }
    }

    /// The beat at sample index `sample` at `rate`.
    pub fn sample_to_beat(&self, sample: u64, rate: u32) -> f64 {
        self.seconds_to_beat(sample as f64 / rate as f64)
    }
}

impl Default for TempoMap {
    fn default() -> Self {
        TempoMap::constant(120.0)
    }
}

/// Beats per bar over the note value of a beat, e.g. 6/8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeSignature {
    pub numerator: u8,
    pub denominator: u8,
}

impl TimeSignature {
    /// Quarter-note beats in one bar (6/8 → 3.0).
    pub fn quarters_per_bar(&self) -> f64 {
        self.numerator as f64 * 4.0 / self.denominator as f64
    }

    /// Bar (from 1), beat in bar (from 1) and the fraction of that beat, for a position in
    /// quarter-note beats.
    pub fn bars_beats(&self, beat: f64) -> (i64, u32, f64) {
        let qpb = self.quarters_per_bar();
        let unit = 4.0 / self.denominator as f64;
        let bar = (beat / qpb).floor();
        let in_bar = beat - bar * qpb;
        let beat_in_bar = (in_bar / unit).floor();
        let frac = in_bar / unit - beat_in_bar;
        (bar as i64 + 1, beat_in_bar as u32 + 1, frac)
    }
}

impl Default for TimeSignature {
    fn default() -> Self {
        TimeSignature {
            numerator: 4,
            denominator: 4,
        }
    }
}

impl std::fmt::Display for TimeSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_tempo_converts_both_ways() {
        let map = TempoMap::constant(120.0);
        assert_eq!(map.beat_to_seconds(4.0), 2.0);
        assert_eq!(map.seconds_to_beat(2.0), 4.0);
        assert_eq!(map.beat_to_sample(1.0, 48_000), 24_000);
    }

    #[test]
    fn tempo_change_is_integrated() {
        let map = TempoMap::from_changes(vec![
            TempoChange {
                beat: 0.0,
                bpm: 120.0,
            },
            TempoChange {
                beat: 4.0,
                bpm: 60.0,
            },
        ]);
        // 4 beats at 120 = 2 s, then 2 beats at 60 = 2 s.
        assert_eq!(map.beat_to_seconds(6.0), 4.0);
        assert_eq!(map.seconds_to_beat(4.0), 6.0);
        assert_eq!(map.seconds_to_beat(1.0), 2.0);
        assert_eq!(map.bpm_at(3.9), 120.0);
        assert_eq!(map.bpm_at(4.0), 60.0);
        assert_eq!(map.beat_to_sample(6.0, 44_100), 176_400);
    }

    #[test]
    fn first_change_is_moved_to_zero() {
        let map = TempoMap::from_changes(vec![TempoChange {
            beat: 2.0,
            bpm: 90.0,
        }]);
        assert_eq!(map.changes()[0].beat, 0.0);
        assert_eq!(map.initial_bpm(), 90.0);
    }

    #[test]
    fn bars_and_beats() {
        let ts = TimeSignature::default();
        assert_eq!(ts.bars_beats(0.0), (1, 1, 0.0));
        assert_eq!(ts.bars_beats(5.5), (2, 2, 0.5));
        let six_eight = TimeSignature {
            numerator: 6,
            denominator: 8,
        };
        assert_eq!(six_eight.quarters_per_bar(), 3.0);
        assert_eq!(six_eight.bars_beats(3.5).0, 2);
    }
}
