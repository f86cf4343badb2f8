//! Scales and modes with their spelling: a tonic and a list of intervals counted in letters,
//! so that every heptatonic scale uses each letter once (`F# harmonic minor` has E#, not F).
//! Also the step arithmetic of "transpose in key".

use super::note::{Interval, SpelledNote};
use super::TheoryError;
use crate::model::Key;
use std::fmt;

/// A kind of scale. Heptatonic kinds come first; the names are those `Scale::parse` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScaleKind {
    Major,
    Dorian,
    Phrygian,
    Lydian,
    Mixolydian,
    NaturalMinor,
    Locrian,
    HarmonicMinor,
    MelodicMinor,
    MajorPentatonic,
    MinorPentatonic,
    Blues,
    WholeTone,
    /// Whole step first: C D Eb F Gb Ab A B.
    DiminishedWholeHalf,
    /// Half step first: C Db D# E F# G A Bb.
    DiminishedHalfWhole,
    Chromatic,
}

const fn iv(steps: u8, semitones: u8) -> Interval {
    Interval::new(steps, semitones)
}

impl ScaleKind {
    pub const ALL: [ScaleKind; 16] = [
        ScaleKind::Major,
        ScaleKind::Dorian,
        ScaleKind::Phrygian,
        ScaleKind::Lydian,
        ScaleKind::Mixolydian,
        ScaleKind::NaturalMinor,
        ScaleKind::Locrian,
        ScaleKind::HarmonicMinor,
        ScaleKind::MelodicMinor,
        ScaleKind::MajorPentatonic,
        ScaleKind::MinorPentatonic,
        ScaleKind::Blues,
        ScaleKind::WholeTone,
        ScaleKind::DiminishedWholeHalf,
        ScaleKind::DiminishedHalfWhole,
        ScaleKind::Chromatic,
    ];

    /// The degrees above the tonic, ascending.
    pub fn intervals(self) -> &'static [Interval] {
        use ScaleKind::*;
        const MAJOR: [u8; 7] = [0, 2, 4, 5, 7, 9, 11];
        const fn mode(r: usize) -> [Interval; 7] {
            // The r-th rotation of the major scale, as steps 0..7 above the new tonic.
            let mut out = [iv(0, 0); 7];
            let mut i = 0;
            while i < 7 {
                let a = MAJOR[(i + r) % 7] as i32 - MAJOR[r] as i32;
                out[i] = iv(i as u8, (a + 12) as u8 % 12);
                i += 1;
            }
            out
        }
        const M: [[Interval; 7]; 7] = [
            mode(0),
            mode(1),
            mode(2),
            mode(3),
            mode(4),
            mode(5),
            mode(6),
        ];
        const HARM: [Interval; 7] = [
            iv(0, 0),
            iv(1, 2),
            iv(2, 3),
            iv(3, 5),
            iv(4, 7),
            iv(5, 8),
            iv(6, 11),
        ];
        const MEL: [Interval; 7] = [
            iv(0, 0),
            iv(1, 2),
            iv(2, 3),
            iv(3, 5),
            iv(4, 7),
            iv(5, 9),
            iv(6, 11),
        ];
        const MAJ_PENT: [Interval; 5] = [iv(0, 0), iv(1, 2), iv(2, 4), iv(4, 7), iv(5, 9)];
        const MIN_PENT: [Interval; 5] = [iv(0, 0), iv(2, 3), iv(3, 5), iv(4, 7), iv(6, 10)];
        const BLUES: [Interval; 6] = [iv(0, 0), iv(2, 3), iv(3, 5), iv(4, 6), iv(4, 7), iv(6, 10)];
        const WHOLE: [Interval; 6] = [iv(0, 0), iv(1, 2), iv(2, 4), iv(3, 6), iv(4, 8), iv(5, 10)];
        const DIM_WH: [Interval; 8] = [
            iv(0, 0),
            iv(1, 2),
            iv(2, 3),
            iv(3, 5),
            iv(4, 6),
            iv(5, 8),
            iv(5, 9),
            iv(6, 11),
        ];
        const DIM_HW: [Interval; 8] = [
            iv(0, 0),
            iv(1, 1),
            iv(1, 3),
            iv(2, 4),
            iv(3, 6),
            iv(4, 7),
            iv(5, 9),
            iv(6, 10),
        ];
        const CHROM: [Interval; 12] = [
            iv(0, 0),
            iv(0, 1),
            iv(1, 2),
            iv(1, 3),
            iv(2, 4),
            iv(3, 5),
            iv(3, 6),
            iv(4, 7),
            iv(4, 8),
            iv(5, 9),
            iv(5, 10),
            iv(6, 11),
        ];
        match self {
            Major => &M[0],
            Dorian => &M[1],
            Phrygian => &M[2],
            Lydian => &M[3],
            Mixolydian => &M[4],
            NaturalMinor => &M[5],
            Locrian => &M[6],
            HarmonicMinor => &HARM,
            MelodicMinor => &MEL,
            MajorPentatonic => &MAJ_PENT,
            MinorPentatonic => &MIN_PENT,
            Blues => &BLUES,
            WholeTone => &WHOLE,
            DiminishedWholeHalf => &DIM_WH,
            DiminishedHalfWhole => &DIM_HW,
            Chromatic => &CHROM,
        }
    }

    /// The name printed and read (`harmonic minor`, `dorian`).
    pub fn name(self) -> &'static str {
        use ScaleKind::*;
        match self {
            Major => "major",
            Dorian => "dorian",
            Phrygian => "phrygian",
            Lydian => "lydian",
            Mixolydian => "mixolydian",
            NaturalMinor => "minor",
            Locrian => "locrian",
            HarmonicMinor => "harmonic minor",
            MelodicMinor => "melodic minor",
            MajorPentatonic => "major pentatonic",
            MinorPentatonic => "minor pentatonic",
            Blues => "blues",
            WholeTone => "whole tone",
            DiminishedWholeHalf => "diminished",
            DiminishedHalfWhole => "half-whole diminished",
            Chromatic => "chromatic",
        }
    }

    /// Reads a mode name, case-insensitive, with the usual aliases (`aeolian`, `ionian`,
    /// `natural minor`, `min`, `pentatonic`, `whole-tone`, `octatonic`).
    pub fn parse(text: &str) -> Option<ScaleKind> {
        use ScaleKind::*;
        let t = text.trim().to_lowercase().replace(['-', '_'], " ");
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        Some(match t.as_str() {
            "" | "major" | "maj" | "ionian" => Major,
            "dorian" => Dorian,
            "phrygian" => Phrygian,
            "lydian" => Lydian,
            "mixolydian" => Mixolydian,
            "minor" | "min" | "m" | "aeolian" | "natural minor" => NaturalMinor,
            "locrian" => Locrian,
            "harmonic minor" => HarmonicMinor,
            "melodic minor" | "jazz minor" => MelodicMinor,
            "major pentatonic" | "pentatonic" => MajorPentatonic,
            "minor pentatonic" => MinorPentatonic,
            "blues" => Blues,
            "whole tone" | "wholetone" => WholeTone,
            "diminished" | "whole half diminished" | "octatonic" => DiminishedWholeHalf,
            "half whole diminished" | "dominant diminished" => DiminishedHalfWhole,
            "chromatic" => Chromatic,
            _ => return None,
        })
    }
}

/// A scale: tonic and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scale {
    pub tonic: SpelledNote,
    pub kind: ScaleKind,
}

impl Scale {
    pub fn new(tonic: SpelledNote, kind: ScaleKind) -> Scale {
        Scale { tonic, kind }
    }

    /// `"D dorian"`, `"F# harmonic minor"`, `"Bb blues"`, `"Am"`, `"C"` (major).
    pub fn parse(text: &str) -> Result<Scale, TheoryError> {
        let t = text.trim();
        let bad = || TheoryError::BadScale(t.to_string());
        let (tonic, rest) = SpelledNote::parse_prefix(t).ok_or_else(bad)?;
        let kind = ScaleKind::parse(rest).ok_or_else(bad)?;
        Ok(Scale { tonic, kind })
    }

    /// The scale of a project key: major, or natural minor.
    pub fn from_key(key: &Key) -> Scale {
        Scale {
            tonic: SpelledNote::from_pitch_class(key.tonic, key.flats),
            kind: if key.minor {
                ScaleKind::NaturalMinor
            } else {
                ScaleKind::Major
            },
        }
    }

    /// The project key with this tonic (major unless the scale's third is minor).
    pub fn to_key(&self) -> Key {
        let minor = self
            .kind
            .intervals()
            .iter()
            .any(|i| i.steps == 2 && i.semitones == 3)
            && !self
                .kind
                .intervals()
                .iter()
                .any(|i| i.steps == 2 && i.semitones == 4);
        Key {
            tonic: self.tonic.pitch_class(),
            minor,
            flats: self.tonic.accidental < 0
                || (self.tonic.letter == 3 && self.tonic.accidental == 0),
        }
    }

    /// The notes, spelled, from the tonic up.
    pub fn notes(&self) -> Vec<SpelledNote> {
        self.kind
            .intervals()
            .iter()
            .map(|&i| self.tonic.up(i))
            .collect()
    }

    /// Semitones above the tonic's pitch class, ascending, one per degree.
    pub fn offsets(&self) -> Vec<u8> {
        self.kind.intervals().iter().map(|i| i.semitones).collect()
    }

    /// Whether a MIDI pitch (or pitch class) belongs to the scale.
    pub fn contains(&self, pitch: u8) -> bool {
        let rel = (pitch as i32 - self.tonic.pitch_class() as i32).rem_euclid(12) as u8;
        self.kind.intervals().iter().any(|i| i.semitones == rel)
    }

    /// The scale pitch nearest to `pitch`; on a tie the one above when `up`, else below.
    pub fn snap(&self, pitch: u8, up: bool) -> u8 {
        let mut best: Option<(i32, u8)> = None;
        for d in 0..=6i32 {
            for cand in [pitch as i32 - d, pitch as i32 + d] {
                if !(0..=127).contains(&cand) || !self.contains(cand as u8) {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some((bd, bp)) => d < bd || (d == bd && (up == (cand as u8 > bp))),
                };
                if better {
                    best = Some((d, cand as u8));
                }
            }
        }
        best.map_or(pitch, |(_, p)| p)
    }

    /// The degree 1..=n of a pitch class in the scale, if it is one.
    pub fn degree_of(&self, pitch: u8) -> Option<usize> {
        let rel = (pitch as i32 - self.tonic.pitch_class() as i32).rem_euclid(12) as u8;
        self.kind
            .intervals()
            .iter()
            .position(|i| i.semitones == rel)
            .map(|i| i + 1)
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.tonic, self.kind.name())
    }
}

/// Moves `pitch` by `steps` degrees of `scale` (negative moves down). A pitch outside the
/// scale first moves to the nearest scale pitch (on a tie: the one in the direction of the
/// move, or the lower one for 0 steps), then moves the steps. Refused when the result leaves
/// 0..=127.
pub fn transpose_in_key(pitch: u8, steps: i32, scale: &Scale) -> Result<u8, TheoryError> {
    let mut offs = scale.offsets();
    offs.sort_unstable();
    offs.dedup();
    let n = offs.len() as i64;
    let tonic = scale.tonic.pitch_class() as i64;
    let snapped = scale.snap(pitch, steps > 0) as i64;
    let rel = snapped - tonic;
    let octave = rel.div_euclid(12);
    let within = rel.rem_euclid(12) as u8;
    let idx = offs.iter().position(|&o| o == within).unwrap_or(0) as i64;
    let target = octave * n + idx + steps as i64;
    let p = tonic + target.div_euclid(n) * 12 + offs[target.rem_euclid(n) as usize] as i64;
    u8::try_from(p)
        .ok()
        .filter(|&p| p <= 127)
        .ok_or(TheoryError::PitchOutOfRange { pitch, steps })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> String {
        let sc = Scale::parse(s).unwrap();
        sc.notes()
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn scales_spell() {
        assert_eq!(names("D dorian"), "D E F G A B C");
        assert_eq!(names("F# harmonic minor"), "F# G# A B C# D E#");
        assert_eq!(names("Bb blues"), "Bb Db Eb Fb F Ab");
        assert_eq!(names("G# major"), "G# A# B# C# D# E# F##");
        assert_eq!(names("C diminished"), "C D Eb F Gb Ab A B");
        assert!(Scale::parse("H major").is_err());
        assert!(Scale::parse("C bogus").is_err());
    }

    #[test]
    fn transposes_by_degrees() {
        let c = Scale::parse("C major").unwrap();
        assert_eq!(transpose_in_key(60, 2, &c).unwrap(), 64);
        assert_eq!(transpose_in_key(60, 7, &c).unwrap(), 72);
        assert_eq!(transpose_in_key(60, -1, &c).unwrap(), 59);
        // C#: up snaps to D first then one step to E; down snaps to C then to B.
        assert_eq!(transpose_in_key(61, 1, &c).unwrap(), 64);
        assert_eq!(transpose_in_key(61, -1, &c).unwrap(), 59);
        assert!(transpose_in_key(127, 1, &c).is_err());
    }
}
