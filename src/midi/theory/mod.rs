//! Music theory, pure: spelled notes, scales and modes, chord symbols, roman numerals,
//! voicings and key detection. No I/O, no clock, no project edits: the shell commands, the
//! piano roll and the progression builder (`midi::progression`) call in here.

pub mod chord;
pub mod note;
pub mod roman;
pub mod scale;

pub use chord::{Chord, Quality};
pub use note::{Interval, SpelledNote};
pub use roman::{diatonic_sevenths, diatonic_triads, parse_numeral, roman_of, Diatonic};
pub use scale::{transpose_in_key, Scale, ScaleKind};

use thiserror::Error;

/// Why a piece of theory text was refused; each names the text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TheoryError {
    #[error("'{0}' is not a note name (a letter A-G, then # or b, e.g. F#, Bb, F##)")]
    BadNote(String),
    #[error("'{0}' is not a scale (e.g. \"D dorian\", \"F# harmonic minor\", \"Bb blues\")")]
    BadScale(String),
    #[error("'{0}' is not a chord symbol (e.g. C, Am, F#m7b5, G7#9, Cmaj7/E)")]
    BadChord(String),
    #[error("'{0}' is not a roman numeral (e.g. I, vi, V7, bVII, viiø7)")]
    BadNumeral(String),
    #[error("roman numeral '{0}' needs a key (give --key or set the project's key)")]
    NeedsKey(String),
    #[error("'{0}' has no seven degrees to count roman numerals in")]
    NotHeptatonic(String),
    #[error("moving pitch {pitch} by {steps} scale steps leaves 0..=127")]
    PitchOutOfRange { pitch: u8, steps: i32 },
}

/// A chord symbol or, with a key, a roman numeral: `Am`, `F#m7b5`; `vi`, `bVII` in `key`.
/// A symbol starts with an uppercase letter A-G; anything else is read as a numeral.
pub fn parse_chord_or_numeral(text: &str, key: Option<&Scale>) -> Result<Chord, TheoryError> {
    let t = text.trim();
    if t.starts_with(|c: char| ('A'..='G').contains(&c)) {
        return Chord::parse(t);
    }
    match key {
        Some(k) => parse_numeral(t, k),
        None if t.starts_with(['I', 'V', 'i', 'v', 'b', '#']) => {
            Err(TheoryError::NeedsKey(t.to_string()))
        }
        None => Err(TheoryError::BadChord(t.to_string())),
    }
}
