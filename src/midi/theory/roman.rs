//! Roman numerals in a key: `I ii iii IV V vi vii°`, sevenths (`V7`, `ii7`, `viiø7`,
//! `IVmaj7`), borrowed chords from the parallel mode (`bVI`, `bVII`, `bIII`, `iv`) and
//! secondary chords (`V7/V`).
//!
//! Reading: the case gives the third (upper major, lower minor); a plain numeral is the degree
//! of the key's own scale (so `VI` in C minor is Ab); a numeral with an accidental counts from
//! the parallel MAJOR scale (so `bVI` is Ab in C major and in C minor alike). In a minor key a
//! diminished `vii°`/`viiø7`/`vii°7` stands on the raised leading tone (B in C minor), as in
//! harmonic minor.

use super::chord::{Chord, Quality};
use super::note::{Interval, SpelledNote};
use super::scale::{Scale, ScaleKind};
use super::TheoryError;

const NUMERALS: [&str; 7] = ["I", "II", "III", "IV", "V", "VI", "VII"];

/// One chord of a key with its numeral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diatonic {
    pub roman: String,
    pub chord: Chord,
}

/// Whether the scale's third is minor (minor keys and the minor modes).
fn minor_third(scale: &Scale) -> bool {
    scale
        .kind
        .intervals()
        .iter()
        .any(|i| i.steps == 2 && i.semitones == 3)
}

/// The degree `d` (0..7) of the scale's parallel major: the reference of `b`/`#` numerals.
fn major_degree(tonic: SpelledNote, d: usize) -> SpelledNote {
    tonic.up(ScaleKind::Major.intervals()[d])
}

/// Reads a numeral (`vi`, `bVII`, `V7`, `viiø7`, `V7/V`) as a chord in `scale`, which must
/// have seven degrees.
pub fn parse_numeral(text: &str, scale: &Scale) -> Result<Chord, TheoryError> {
    let t = text.trim();
    let bad = || TheoryError::BadNumeral(t.to_string());
    if scale.kind.intervals().len() != 7 {
        return Err(TheoryError::NotHeptatonic(scale.to_string()));
    }
    // Secondary chords: the part after '/' is the temporary tonic.
    if let Some((head, target)) = t.rsplit_once('/') {
        let target_chord = parse_numeral(target, scale).map_err(|_| bad())?;
        let kind = if target_chord.quality.is_minor() {
            ScaleKind::NaturalMinor
        } else {
            ScaleKind::Major
        };
        return parse_numeral(head, &Scale::new(target_chord.root, kind)).map_err(|_| bad());
    }
    let mut acc: i8 = 0;
    let mut rest = t;
    while let Some(c) = rest.chars().next() {
        match c {
            'b' | '♭' => acc -= 1,
            '#' | '♯' => acc += 1,
            _ => break,
        }
        rest = &rest[c.len_utf8()..];
    }
    let upper = rest.starts_with(['I', 'V']);
    let lower = rest.starts_with(['i', 'v']);
    if !upper && !lower {
        return Err(bad());
    }
    let (degree, suffix) = (0..7)
        .rev()
        .find_map(|d| {
            let n = if upper {
                NUMERALS[d].to_string()
            } else {
                NUMERALS[d].to_lowercase()
            };
            rest.strip_prefix(n.as_str()).map(|s| (d, s))
        })
        .ok_or_else(bad)?;
    let quality = if upper {
        match suffix {
            "+" | "aug" => Some(Quality::Augmented),
            "+7" => Some(Quality::Augmented7),
            _ => Quality::parse(suffix),
        }
    } else {
        match suffix {
            "" => Some(Quality::Minor),
            "°" | "o" | "dim" => Some(Quality::Diminished),
            "°7" | "o7" | "dim7" => Some(Quality::Diminished7),
            "ø" | "ø7" | "h7" | "m7b5" | "7b5" => Some(Quality::HalfDiminished7),
            "7" => Some(Quality::Minor7),
            s => Quality::parse(&format!("m{s}")),
        }
    }
    .ok_or_else(bad)?;
    let diminished = matches!(
        quality,
        Quality::Diminished | Quality::Diminished7 | Quality::HalfDiminished7
    );
    let root = if acc != 0 {
        major_degree(scale.tonic, degree).altered(acc)
    } else if degree == 6 && diminished && minor_third(scale) {
        major_degree(scale.tonic, 6)
    } else {
        scale.tonic.up(scale.kind.intervals()[degree])
    };
    Ok(Chord::new(root, quality))
}

/// The numeral of a chord in `scale` (`vi`, `V7`, `bVII`, `viiø7`); `None` for a root that is
/// not a letter step of the scale's degrees or a scale with other than seven degrees.
pub fn roman_of(chord: &Chord, scale: &Scale) -> Option<String> {
    let ivs = scale.kind.intervals();
    if ivs.len() != 7 {
        return None;
    }
    let d = (chord.root.letter + 7 - scale.tonic.letter) as usize % 7;
    let own = scale.tonic.up(ivs[d]);
    let leading = d == 6 && minor_third(scale) && major_degree(scale.tonic, 6) == chord.root;
    let acc = if own == chord.root || leading {
        0
    } else {
        chord.root.accidental - major_degree(scale.tonic, d).accidental
    };
    let q = chord.quality;
    let minor = q.is_minor();
    let numeral = if minor {
        NUMERALS[d].to_lowercase()
    } else {
        NUMERALS[d].to_string()
    };
    let suffix = match q {
        Quality::Major | Quality::Minor => "".to_string(),
        Quality::Diminished => "°".to_string(),
        Quality::Augmented => "+".to_string(),
        Quality::Diminished7 => "°7".to_string(),
        Quality::HalfDiminished7 => "ø7".to_string(),
        Quality::MinorMajor7 => "maj7".to_string(),
        Quality::Augmented7 => "+7".to_string(),
        _ if minor => q.suffix().trim_start_matches('m').to_string(),
        _ => q.suffix().to_string(),
    };
    let prefix = if acc < 0 { "b" } else { "#" }.repeat(acc.unsigned_abs() as usize);
    Some(format!("{prefix}{numeral}{suffix}"))
}

/// Identifies the quality whose intervals (in semitones) are exactly `semis`.
fn quality_of(semis: &[u8]) -> Option<Quality> {
    Quality::ALL.into_iter().find(|q| {
        q.intervals()
            .iter()
            .map(|i| i.semitones)
            .eq(semis.iter().copied())
    })
}

fn stacked(scale: &Scale, size: usize) -> Vec<Diatonic> {
    let notes = scale.notes();
    if notes.len() != 7 {
        return Vec::new();
    }
    (0..7)
        .filter_map(|d| {
            let root = notes[d];
            let semis: Vec<u8> = (0..size)
                .map(|k| {
                    let n = notes[(d + 2 * k) % 7];
                    (n.pitch_class() as i32 - root.pitch_class() as i32).rem_euclid(12) as u8
                })
                .collect();
            let chord = Chord::new(root, quality_of(&semis)?);
            Some(Diatonic {
                roman: roman_of(&chord, scale)?,
                chord,
            })
        })
        .collect()
}

/// The seven triads of a heptatonic scale with their numerals (`I ii iii IV V vi vii°`).
pub fn diatonic_triads(scale: &Scale) -> Vec<Diatonic> {
    stacked(scale, 3)
}

/// The seven seventh chords (`Imaj7 ii7 iii7 IVmaj7 V7 vi7 viiø7`).
pub fn diatonic_sevenths(scale: &Scale) -> Vec<Diatonic> {
    stacked(scale, 4)
}

/// An interval helper for callers that build on numerals: the major-scale degree `d` (0..7).
pub fn major_scale_degree(d: usize) -> Interval {
    ScaleKind::Major.intervals()[d % 7]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(n: &str, key: &str) -> String {
        parse_numeral(n, &Scale::parse(key).unwrap())
            .unwrap()
            .to_string()
    }

    #[test]
    fn numerals_read_in_key() {
        assert_eq!(sym("vi", "C"), "Am");
        assert_eq!(sym("V7", "C"), "G7");
        assert_eq!(sym("ii7", "C"), "Dm7");
        assert_eq!(sym("bVI", "C"), "Ab");
        assert_eq!(sym("bVI", "C minor"), "Ab");
        assert_eq!(sym("VI", "C minor"), "Ab");
        assert_eq!(sym("iv", "C"), "Fm");
        assert_eq!(sym("vii°", "A minor"), "G#dim");
        assert_eq!(sym("VII", "A minor"), "G");
        assert_eq!(sym("V7/V", "C"), "D7");
        assert!(parse_numeral("X", &Scale::parse("C").unwrap()).is_err());
        assert!(parse_numeral("Vfoo", &Scale::parse("C").unwrap()).is_err());
    }

    #[test]
    fn diatonic_chords_are_named() {
        let c = Scale::parse("C").unwrap();
        let t: Vec<String> = diatonic_triads(&c)
            .iter()
            .map(|d| d.roman.clone())
            .collect();
        assert_eq!(t, ["I", "ii", "iii", "IV", "V", "vi", "vii°"]);
        let s: Vec<String> = diatonic_sevenths(&c)
            .iter()
            .map(|d| d.roman.clone())
            .collect();
        assert_eq!(s, ["Imaj7", "ii7", "iii7", "IVmaj7", "V7", "vi7", "viiø7"]);
        let am = Scale::parse("A minor").unwrap();
        let t: Vec<String> = diatonic_triads(&am)
            .iter()
            .map(|d| d.roman.clone())
            .collect();
        assert_eq!(t, ["i", "ii°", "III", "iv", "v", "VI", "VII"]);
    }
}
