//! Spelled notes: a letter and its accidentals (`F##`, `Bbb`, `E#`), as theory spells them,
//! and intervals counted in letters and semitones, so that adding a major third to C# gives
//! E# rather than F. Pitch classes and MIDI pitches (C4 = 60) are derived, never the source.

use super::TheoryError;
use std::fmt;

/// Semitones above C of the natural letters C D E F G A B.
const NATURAL: [i32; 7] = [0, 2, 4, 5, 7, 9, 11];
const LETTERS: [char; 7] = ['C', 'D', 'E', 'F', 'G', 'A', 'B'];

/// A note name: letter (0 = C … 6 = B) and accidental (+1 sharp, -2 double flat, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpelledNote {
    pub letter: u8,
    pub accidental: i8,
}

/// An interval by letter steps (0 = unison, 2 = a third, 8 = a ninth) and semitones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interval {
    pub steps: u8,
    pub semitones: u8,
}

impl Interval {
    pub const fn new(steps: u8, semitones: u8) -> Interval {
        Interval { steps, semitones }
    }
}

impl SpelledNote {
    pub const fn new(letter: u8, accidental: i8) -> SpelledNote {
        SpelledNote { letter, accidental }
    }

    /// Parses `C`, `F#`, `Bb`, `F##`, `Fx`, `Bbb`, `E♭` (letter case-insensitive).
    pub fn parse(text: &str) -> Result<SpelledNote, TheoryError> {
        match Self::parse_prefix(text.trim()) {
            Some((n, "")) => Ok(n),
            _ => Err(TheoryError::BadNote(text.trim().to_string())),
        }
    }

    /// The note at the start of `text` (uppercase letter, then accidentals) and the rest.
    /// The letter must be uppercase here so that a chord suffix like `b5` is not misread.
    pub(crate) fn parse_prefix(text: &str) -> Option<(SpelledNote, &str)> {
        let mut chars = text.char_indices();
        let (_, c) = chars.next()?;
        let letter = LETTERS.iter().position(|&l| l == c.to_ascii_uppercase())? as u8;
        let mut acc: i8 = 0;
        let mut end = c.len_utf8();
        for (i, ch) in chars {
            let d = match ch {
                '#' | '♯' => 1,
                'x' | '𝄪' => 2,
                'b' | '♭' => -1,
                '𝄫' => -2,
                _ => break,
            };
            // Accidentals in one direction only ("F#b" is not a note).
            if acc != 0 && (acc > 0) != (d > 0) {
                return None;
            }
            acc = acc.checked_add(d)?;
            end = i + ch.len_utf8();
        }
        if acc.abs() > 3 {
            return None;
        }
        Some((SpelledNote::new(letter, acc), &text[end..]))
    }

    /// A natural letter note: `letter_char('F')`.
    pub fn natural(letter: u8) -> SpelledNote {
        SpelledNote::new(letter % 7, 0)
    }

    /// Pitch class 0..=11 (C = 0); `B#` is 0, `Cb` is 11.
    pub fn pitch_class(&self) -> u8 {
        (NATURAL[self.letter as usize % 7] + self.accidental as i32).rem_euclid(12) as u8
    }

    /// MIDI pitch in a scientific-pitch octave (the octave goes with the letter: `B#3` = 60,
    /// `Cb4` = 59, `C4` = 60). `None` outside 0..=127.
    pub fn midi(&self, octave: i32) -> Option<u8> {
        let p = (octave + 1) * 12 + NATURAL[self.letter as usize % 7] + self.accidental as i32;
        u8::try_from(p).ok().filter(|&p| p <= 127)
    }

    /// The note `interval` above this one, spelled by letter: C# + major third = E#.
    pub fn up(&self, interval: Interval) -> SpelledNote {
        let letter = (self.letter + interval.steps) % 7;
        let target =
            NATURAL[self.letter as usize] + self.accidental as i32 + interval.semitones as i32;
        let acc = (target - NATURAL[letter as usize]).rem_euclid(12);
        // Accidentals stay within -6..=5: the nearest reading of the letter.
        let acc = if acc > 6 { acc - 12 } else { acc };
        SpelledNote::new(letter, acc as i8)
    }

    /// The note `interval` below this one.
    pub fn down(&self, interval: Interval) -> SpelledNote {
        let steps = (7 - interval.steps % 7) % 7;
        let semis = (12 - interval.semitones % 12) % 12;
        self.up(Interval::new(steps, semis))
    }

    /// This note with one more sharp (`by` > 0) or flat (`by` < 0).
    pub fn altered(&self, by: i8) -> SpelledNote {
        SpelledNote::new(self.letter, self.accidental + by)
    }

    /// The usual spelling of a pitch class: sharps, or flats when `flats`.
    pub fn from_pitch_class(pc: u8, flats: bool) -> SpelledNote {
        const SHARP: [(u8, i8); 12] = [
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
            (2, 0),
            (3, 0),
            (3, 1),
            (4, 0),
            (4, 1),
            (5, 0),
            (5, 1),
            (6, 0),
        ];
        const FLAT: [(u8, i8); 12] = [
            (0, 0),
            (1, -1),
            (1, 0),
            (2, -1),
            (2, 0),
            (3, 0),
            (4, -1),
            (4, 0),
            (5, -1),
            (5, 0),
            (6, -1),
            (6, 0),
        ];
        let (l, a) = if flats { FLAT } else { SHARP }[pc as usize % 12];
        SpelledNote::new(l, a)
    }
}

impl fmt::Display for SpelledNote {
    /// `C`, `F#`, `F##`, `Bb`, `Bbb`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", LETTERS[self.letter as usize % 7])?;
        let (sign, n) = if self.accidental >= 0 {
            ('#', self.accidental)
        } else {
            ('b', -self.accidental)
        };
        for _ in 0..n {
            write!(f, "{sign}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for SpelledNote {
    type Err = TheoryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SpelledNote::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_round_trips() {
        for s in ["C", "F#", "F##", "Bb", "Bbb", "E#", "Cb"] {
            assert_eq!(SpelledNote::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(SpelledNote::parse("Fx").unwrap().to_string(), "F##");
        assert!(SpelledNote::parse("H").is_err());
        assert!(SpelledNote::parse("F#b").is_err());
    }

    #[test]
    fn pitches_follow_the_letter_octave() {
        let n = |s: &str| SpelledNote::parse(s).unwrap();
        assert_eq!(n("C").midi(4), Some(60));
        assert_eq!(n("Cb").midi(4), Some(59));
        assert_eq!(n("B#").midi(3), Some(60));
        assert_eq!(n("F##").pitch_class(), 7);
        assert_eq!(n("G").midi(9), Some(127));
        assert_eq!(n("G#").midi(9), None);
    }

    #[test]
    fn intervals_spell_by_letter() {
        let n = |s: &str| SpelledNote::parse(s).unwrap();
        assert_eq!(n("C#").up(Interval::new(2, 4)).to_string(), "E#");
        assert_eq!(n("Bb").up(Interval::new(6, 9)).to_string(), "Abb");
        assert_eq!(n("E").down(Interval::new(2, 4)).to_string(), "C");
        assert_eq!(n("D").up(Interval::new(8, 14)).to_string(), "E");
    }
}
