//! Chord symbols: `Cmaj7`, `F#m7b5`, `Bbdim7`, `G7#9`, `C/E` → a root, a quality and an
//! optional bass; their notes spelled by interval (C#maj7 = C# E# G# B#) and as MIDI pitches
//! with the root in octave 4 and every tone stacked above it.

use super::note::{Interval, SpelledNote};
use super::TheoryError;
use std::fmt;

/// A chord quality: what the symbol says after the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quality {
    Major,
    Minor,
    Diminished,
    Augmented,
    Sus2,
    Sus4,
    Power,
    Six,
    MinorSix,
    SixNine,
    Seven,
    Major7,
    Minor7,
    MinorMajor7,
    HalfDiminished7,
    Diminished7,
    Augmented7,
    Seven7b5,
    Seven7sus4,
    Add9,
    MinorAdd9,
    Nine,
    Minor9,
    Major9,
    Eleven,
    Minor11,
    Thirteen,
    Minor13,
    Major13,
    Seven7b9,
    Seven7s9,
    Seven7s11,
    Seven7b13,
}

const fn iv(steps: u8, semitones: u8) -> Interval {
    Interval::new(steps, semitones)
}
const R: Interval = iv(0, 0);
const M2: Interval = iv(1, 2);
const M3: Interval = iv(2, 4);
const MI3: Interval = iv(2, 3);
const P4: Interval = iv(3, 5);
const D5: Interval = iv(4, 6);
const P5: Interval = iv(4, 7);
const A5: Interval = iv(4, 8);
const M6: Interval = iv(5, 9);
const D7: Interval = iv(6, 9);
const MI7: Interval = iv(6, 10);
const MA7: Interval = iv(6, 11);
const B9: Interval = iv(8, 13);
const N9: Interval = iv(8, 14);
const S9: Interval = iv(8, 15);
const P11: Interval = iv(10, 17);
const S11: Interval = iv(10, 18);
const B13: Interval = iv(12, 20);
const N13: Interval = iv(12, 21);

impl Quality {
    pub const ALL: [Quality; 33] = {
        use Quality::*;
        [
            Major,
            Minor,
            Diminished,
            Augmented,
            Sus2,
            Sus4,
            Power,
            Six,
            MinorSix,
            SixNine,
            Seven,
            Major7,
            Minor7,
            MinorMajor7,
            HalfDiminished7,
            Diminished7,
            Augmented7,
            Seven7b5,
            Seven7sus4,
            Add9,
            MinorAdd9,
            Nine,
            Minor9,
            Major9,
            Eleven,
            Minor11,
            Thirteen,
            Minor13,
            Major13,
            Seven7b9,
            Seven7s9,
            Seven7s11,
            Seven7b13,
        ]
    };

    /// The chord tones above the root, root first. The 11th chords keep their third and
    /// the 13th chords leave out the 11th (it clashes with the major third), as usually played.
    pub fn intervals(self) -> &'static [Interval] {
        use Quality::*;
        match self {
            Major => &[R, M3, P5],
            Minor => &[R, MI3, P5],
            Diminished => &[R, MI3, D5],
            Augmented => &[R, M3, A5],
            Sus2 => &[R, M2, P5],
            Sus4 => &[R, P4, P5],
            Power => &[R, P5],
            Six => &[R, M3, P5, M6],
            MinorSix => &[R, MI3, P5, M6],
            SixNine => &[R, M3, P5, M6, N9],
            Seven => &[R, M3, P5, MI7],
            Major7 => &[R, M3, P5, MA7],
            Minor7 => &[R, MI3, P5, MI7],
            MinorMajor7 => &[R, MI3, P5, MA7],
            HalfDiminished7 => &[R, MI3, D5, MI7],
            Diminished7 => &[R, MI3, D5, D7],
            Augmented7 => &[R, M3, A5, MI7],
            Seven7b5 => &[R, M3, D5, MI7],
            Seven7sus4 => &[R, P4, P5, MI7],
            Add9 => &[R, M3, P5, N9],
            MinorAdd9 => &[R, MI3, P5, N9],
            Nine => &[R, M3, P5, MI7, N9],
            Minor9 => &[R, MI3, P5, MI7, N9],
            Major9 => &[R, M3, P5, MA7, N9],
            Eleven => &[R, M3, P5, MI7, N9, P11],
            Minor11 => &[R, MI3, P5, MI7, N9, P11],
            Thirteen => &[R, M3, P5, MI7, N9, N13],
            Minor13 => &[R, MI3, P5, MI7, N9, P11, N13],
            Major13 => &[R, M3, P5, MA7, N9, N13],
            Seven7b9 => &[R, M3, P5, MI7, B9],
            Seven7s9 => &[R, M3, P5, MI7, S9],
            Seven7s11 => &[R, M3, P5, MI7, S11],
            Seven7b13 => &[R, M3, P5, MI7, B13],
        }
    }

    /// The canonical suffix written after the root (`""`, `m`, `maj7`, `m7b5`, `7#9`).
    pub fn suffix(self) -> &'static str {
        use Quality::*;
        match self {
            Major => "",
            Minor => "m",
            Diminished => "dim",
            Augmented => "aug",
            Sus2 => "sus2",
            Sus4 => "sus4",
            Power => "5",
            Six => "6",
            MinorSix => "m6",
            SixNine => "6/9",
            Seven => "7",
            Major7 => "maj7",
            Minor7 => "m7",
            MinorMajor7 => "mMaj7",
            HalfDiminished7 => "m7b5",
            Diminished7 => "dim7",
            Augmented7 => "aug7",
            Seven7b5 => "7b5",
            Seven7sus4 => "7sus4",
            Add9 => "add9",
            MinorAdd9 => "madd9",
            Nine => "9",
            Minor9 => "m9",
            Major9 => "maj9",
            Eleven => "11",
            Minor11 => "m11",
            Thirteen => "13",
            Minor13 => "m13",
            Major13 => "maj13",
            Seven7b9 => "7b9",
            Seven7s9 => "7#9",
            Seven7s11 => "7#11",
            Seven7b13 => "7b13",
        }
    }

    /// Reads a suffix, with the usual spellings: `-7`, `min7`, `M7`, `Δ7`, `ø`, `°7`, `+`,
    /// `7(b9)`, `m(maj7)`, `sus`, `7+5`. Case matters where it means something (`M7` ≠ `m7`).
    pub fn parse(suffix: &str) -> Option<Quality> {
        use Quality::*;
        let s: String = suffix
            .chars()
            .filter(|c| !matches!(c, '(' | ')' | ' '))
            .collect();
        let s = s
            .replace("maj", "M")
            .replace("Maj", "M")
            .replace("MAJ", "M")
            .replace("Δ7", "M7")
            .replace('Δ', "M7")
            .replace("min", "m")
            .replace('-', "m")
            .replace(['°', 'o'], "dim")
            .replace('ø', "m7b5")
            .replace('♭', "b")
            .replace('♯', "#");
        Some(match s.as_str() {
            "" | "M" => Major,
            "m" => Minor,
            "dim" => Diminished,
            "aug" | "+" | "#5" | "+5" => Augmented,
            "sus2" => Sus2,
            "sus4" | "sus" => Sus4,
            "5" => Power,
            "6" | "M6" => Six,
            "m6" => MinorSix,
            "6/9" | "69" | "6add9" => SixNine,
            "7" => Seven,
            "M7" => Major7,
            "m7" => Minor7,
            "mM7" | "mM" => MinorMajor7,
            "m7b5" | "m7b57" | "dimm7b5" => HalfDiminished7,
            "dim7" => Diminished7,
            "aug7" | "+7" | "7#5" | "7+5" | "7aug" => Augmented7,
            "7b5" => Seven7b5,
            "7sus4" | "7sus" => Seven7sus4,
            "add9" | "add2" => Add9,
            "madd9" => MinorAdd9,
            "9" => Nine,
            "m9" => Minor9,
            "M9" => Major9,
            "11" => Eleven,
            "m11" => Minor11,
            "13" => Thirteen,
            "m13" => Minor13,
            "M13" => Major13,
            "7b9" => Seven7b9,
            "7#9" => Seven7s9,
            "7#11" => Seven7s11,
            "7b13" => Seven7b13,
            _ => return None,
        })
    }

    /// Triad-family reading: whether the third is minor (for roman numerals' case).
    pub fn is_minor(self) -> bool {
        self.intervals()
            .iter()
            .any(|i| i.steps == 2 && i.semitones == 3)
    }
}

/// A parsed chord symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chord {
    pub root: SpelledNote,
    pub quality: Quality,
    /// The bass of a slash chord (`C/E`).
    pub bass: Option<SpelledNote>,
}

impl Chord {
    pub fn new(root: SpelledNote, quality: Quality) -> Chord {
        Chord {
            root,
            quality,
            bass: None,
        }
    }

    /// Parses a chord symbol: root letter (uppercase) and accidentals, a quality suffix,
    /// and an optional `/BASS`. `6/9` is a quality, not a slash chord.
    pub fn parse(symbol: &str) -> Result<Chord, TheoryError> {
        let s = symbol.trim();
        let bad = || TheoryError::BadChord(s.to_string());
        let first = s.chars().next().ok_or_else(bad)?;
        if !first.is_ascii_uppercase() {
            return Err(bad());
        }
        let (root, rest) = SpelledNote::parse_prefix(s).ok_or_else(bad)?;
        // The bass follows the last '/', unless that slash belongs to "6/9".
        let (suffix, bass) = match rest.rfind('/') {
            Some(i) if !rest[i..].starts_with("/9") => {
                let b = SpelledNote::parse_prefix(&rest[i + 1..]).filter(|(_, r)| r.is_empty());
                let (b, _) = b.ok_or_else(bad)?;
                if !rest[i + 1..].starts_with(|c: char| c.is_ascii_uppercase()) {
                    return Err(bad());
                }
                (&rest[..i], Some(b))
            }
            _ => (rest, None),
        };
        let quality = Quality::parse(suffix).ok_or_else(bad)?;
        Ok(Chord {
            root,
            quality,
            bass,
        })
    }

    /// The canonical symbol: `C#maj7`, `F#m7b5`, `C/E`.
    pub fn symbol(&self) -> String {
        self.to_string()
    }

    /// The chord tones, root first (the quality's order), without the slash bass.
    pub fn tones(&self) -> Vec<SpelledNote> {
        self.quality
            .intervals()
            .iter()
            .map(|&i| self.root.up(i))
            .collect()
    }

    /// The notes from the bottom: for a slash chord the bass first, then the other tones
    /// (the bass's pitch class is not repeated above it); otherwise the tones.
    pub fn notes(&self) -> Vec<SpelledNote> {
        let tones = self.tones();
        match self.bass {
            None => tones,
            Some(b) => std::iter::once(b)
                .chain(
                    tones
                        .into_iter()
                        .filter(|t| t.pitch_class() != b.pitch_class()),
                )
                .collect(),
        }
    }

    /// MIDI pitches matching [`Chord::notes`]: the root in `octave` (4 → C4 = 60), each tone
    /// its interval above the root; a slash bass is the nearest pitch below the root.
    /// `None` when a pitch would leave 0..=127.
    pub fn pitches_in(&self, octave: i32) -> Option<Vec<u8>> {
        let root = self.root.midi(octave)? as i32;
        let mut out = Vec::new();
        if let Some(b) = self.bass {
            let below = root - 1 - (root - 1 - b.pitch_class() as i32).rem_euclid(12);
            out.push(u8::try_from(below).ok()?);
        }
        for (i, t) in self.quality.intervals().iter().zip(self.tones()) {
            if self
                .bass
                .is_some_and(|b| b.pitch_class() == t.pitch_class())
            {
                continue;
            }
            let p = root + i.semitones as i32;
            out.push(u8::try_from(p).ok().filter(|&p| p <= 127)?);
        }
        Some(out)
    }

    /// [`Chord::pitches_in`] octave 4 (the roots C4..B4 always fit).
    pub fn pitches(&self) -> Vec<u8> {
        self.pitches_in(4).unwrap_or_default()
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.root, self.quality.suffix())?;
        if let Some(b) = self.bass {
            write!(f, "/{b}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Chord {
    type Err = TheoryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Chord::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spelled(s: &str) -> String {
        let c = Chord::parse(s).unwrap();
        c.notes()
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn symbols_spell() {
        assert_eq!(spelled("F#m7b5"), "F# A C E");
        assert_eq!(spelled("C#maj7"), "C# E# G# B#");
        assert_eq!(spelled("Gb7"), "Gb Bb Db Fb");
        assert_eq!(spelled("Bbdim7"), "Bb Db Fb Abb");
        assert_eq!(spelled("C/E"), "E C G");
        assert_eq!(spelled("C6/9"), "C E G A D");
        assert_eq!(spelled("G7(b9)"), "G B D F Ab");
        assert_eq!(
            Chord::parse("F#m7b5").unwrap().pitches(),
            vec![66, 69, 72, 76]
        );
        assert_eq!(Chord::parse("C/E").unwrap().pitches(), vec![52, 60, 67]);
        for bad in ["H7", "Cfoo", "C/", "c", "", "C/x"] {
            assert!(Chord::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn suffixes_round_trip() {
        for q in Quality::ALL {
            assert_eq!(Quality::parse(q.suffix()), Some(q), "{q:?}");
        }
    }
}
