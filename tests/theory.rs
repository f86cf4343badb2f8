//! Music theory against tables written from theory (issue 11, item 1): every quality on
//! roots covering all 12 pitch classes, every scale in every key, numerals equal to symbols,
//! voicings, voice leading and key detection.

use tdaw::midi::progression::{parse_progression, progression_notes, Options};
use tdaw::midi::theory::{
    detect_key, diatonic_sevenths, diatonic_triads, movement, parse_numeral, transpose_in_key,
    voice, voice_lead, Chord, Quality, Scale, ScaleKind, SpelledNote, Voicing,
};
use tdaw::model::Note;

/// Major scales, typed out (the reference every formula below is read against).
const MAJOR: [(&str, [&str; 7]); 15] = [
    ("C", ["C", "D", "E", "F", "G", "A", "B"]),
    ("C#", ["C#", "D#", "E#", "F#", "G#", "A#", "B#"]),
    ("Db", ["Db", "Eb", "F", "Gb", "Ab", "Bb", "C"]),
    ("D", ["D", "E", "F#", "G", "A", "B", "C#"]),
    ("Eb", ["Eb", "F", "G", "Ab", "Bb", "C", "D"]),
    ("E", ["E", "F#", "G#", "A", "B", "C#", "D#"]),
    ("F", ["F", "G", "A", "Bb", "C", "D", "E"]),
    ("F#", ["F#", "G#", "A#", "B", "C#", "D#", "E#"]),
    ("Gb", ["Gb", "Ab", "Bb", "Cb", "Db", "Eb", "F"]),
    ("G", ["G", "A", "B", "C", "D", "E", "F#"]),
    ("Ab", ["Ab", "Bb", "C", "Db", "Eb", "F", "G"]),
    ("A", ["A", "B", "C#", "D", "E", "F#", "G#"]),
    ("Bb", ["Bb", "C", "D", "Eb", "F", "G", "A"]),
    ("B", ["B", "C#", "D#", "E", "F#", "G#", "A#"]),
    ("Cb", ["Cb", "Db", "Eb", "Fb", "Gb", "Ab", "Bb"]),
];

/// Root MIDI pitches in octave 4 (Cb4 is 59: the octave goes with the letter).
fn root_pitch(root: &str) -> i32 {
    let base = match &root[..1] {
        "C" => 60,
        "D" => 62,
        "E" => 64,
        "F" => 65,
        "G" => 67,
        "A" => 69,
        _ => 71,
    };
    base + root.matches('#').count() as i32 - root[1..].matches('b').count() as i32
}

/// A note name with `by` more sharps (negative: flats): "F#" -1 → "F", "Bb" -1 → "Bbb".
fn alter(note: &str, by: i32) -> String {
    let acc = note.matches('#').count() as i32 - note[1..].matches('b').count() as i32 + by;
    let sign = if acc >= 0 { "#" } else { "b" };
    format!("{}{}", &note[..1], sign.repeat(acc.unsigned_abs() as usize))
}

/// A degree formula ("b3", "#11", "bb7") on a major scale: the spelled note and its semitones
/// above the root.
fn degree(scale: &[&str; 7], d: &str) -> (String, i32) {
    let digits = d.trim_start_matches(['b', '#']);
    let by = d.matches('#').count() as i32 - d.matches('b').count() as i32;
    let n: usize = digits.parse().unwrap();
    const SEMIS: [i32; 7] = [0, 2, 4, 5, 7, 9, 11];
    let semis = SEMIS[(n - 1) % 7] + 12 * ((n as i32 - 1) / 7) + by;
    (alter(scale[(n - 1) % 7], by), semis)
}

/// Every quality's formula, written from theory, with the suffixes that name it.
const QUALITIES: [(&[&str], &str); 33] = [
    (&["", "maj", "M"], "1 3 5"),
    (&["m", "min", "-"], "1 b3 5"),
    (&["dim", "°"], "1 b3 b5"),
    (&["aug", "+"], "1 3 #5"),
    (&["sus2"], "1 2 5"),
    (&["sus4", "sus"], "1 4 5"),
    (&["5"], "1 5"),
    (&["6"], "1 3 5 6"),
    (&["m6"], "1 b3 5 6"),
    (&["6/9", "69"], "1 3 5 6 9"),
    (&["7"], "1 3 5 b7"),
    (&["maj7", "M7", "Δ7", "Δ"], "1 3 5 7"),
    (&["m7", "-7", "min7"], "1 b3 5 b7"),
    (&["mMaj7", "m(maj7)", "mM7"], "1 b3 5 7"),
    (&["m7b5", "ø", "ø7", "m7(b5)"], "1 b3 b5 b7"),
    (&["dim7", "°7", "o7"], "1 b3 b5 bb7"),
    (&["aug7", "7#5", "+7"], "1 3 #5 b7"),
    (&["7b5"], "1 3 b5 b7"),
    (&["7sus4", "7sus"], "1 4 5 b7"),
    (&["add9"], "1 3 5 9"),
    (&["madd9", "m(add9)"], "1 b3 5 9"),
    (&["9"], "1 3 5 b7 9"),
    (&["m9"], "1 b3 5 b7 9"),
    (&["maj9"], "1 3 5 7 9"),
    (&["11"], "1 3 5 b7 9 11"),
    (&["m11"], "1 b3 5 b7 9 11"),
    (&["13"], "1 3 5 b7 9 13"),
    (&["m13"], "1 b3 5 b7 9 11 13"),
    (&["maj13"], "1 3 5 7 9 13"),
    (&["7b9", "7(b9)"], "1 3 5 b7 b9"),
    (&["7#9"], "1 3 5 b7 #9"),
    (&["7#11"], "1 3 5 b7 #11"),
    (&["7b13"], "1 3 5 b7 b13"),
];

#[test]
fn every_root_and_quality_spells_from_the_table() {
    assert_eq!(QUALITIES.len(), Quality::ALL.len());
    for (root, scale) in MAJOR {
        for (suffixes, formula) in QUALITIES {
            let expect: Vec<(String, i32)> =
                formula.split(' ').map(|d| degree(&scale, d)).collect();
            let names: Vec<String> = expect.iter().map(|(n, _)| n.clone()).collect();
            let pitches: Vec<u8> = expect
                .iter()
                .map(|(_, s)| (root_pitch(root) + s) as u8)
                .collect();
            for suffix in suffixes {
                let symbol = format!("{root}{suffix}");
                let c = Chord::parse(&symbol).unwrap_or_else(|e| panic!("{symbol}: {e}"));
                let got: Vec<String> = c.notes().iter().map(|n| n.to_string()).collect();
                assert_eq!(got, names, "{symbol}");
                assert_eq!(c.pitches(), pitches, "{symbol}");
                assert_eq!(c.root.to_string(), root, "{symbol}");
            }
        }
    }
}

#[test]
fn the_brief_examples_spell() {
    for (symbol, notes) in [
        ("F#m7b5", "F# A C E"),
        ("C#maj7", "C# E# G# B#"),
        ("Gb7", "Gb Bb Db Fb"),
        ("Bbdim7", "Bb Db Fb Abb"),
        ("D#aug", "D# F## A##"),
        ("C/E", "E C G"),
        ("C/Bb", "Bb C E G"),
        ("Am7/G", "G A C E"),
    ] {
        let c = Chord::parse(symbol).unwrap();
        let got: Vec<String> = c.notes().iter().map(|n| n.to_string()).collect();
        assert_eq!(got.join(" "), notes, "{symbol}");
    }
    assert_eq!(Chord::parse("F#m7b5").unwrap().pitches(), [66, 69, 72, 76]);
    // A slash bass sits below the root, its pitch class not repeated above.
    assert_eq!(Chord::parse("C/E").unwrap().pitches(), [52, 60, 67]);
    assert_eq!(Chord::parse("C/Bb").unwrap().pitches(), [58, 60, 64, 67]);
    for bad in ["H", "Cmaj8", "C/H", "c", "C#b", "Cbbbb", "", "C//E"] {
        assert!(Chord::parse(bad).is_err(), "{bad}");
    }
}

/// Each scale kind as degree formulas on the major scale.
const SCALES: [(&str, &str); 15] = [
    ("major", "1 2 3 4 5 6 7"),
    ("dorian", "1 2 b3 4 5 6 b7"),
    ("phrygian", "1 b2 b3 4 5 b6 b7"),
    ("lydian", "1 2 3 #4 5 6 7"),
    ("mixolydian", "1 2 3 4 5 6 b7"),
    ("natural minor", "1 2 b3 4 5 b6 b7"),
    ("locrian", "1 b2 b3 4 b5 b6 b7"),
    ("harmonic minor", "1 2 b3 4 5 b6 7"),
    ("melodic minor", "1 2 b3 4 5 6 7"),
    ("major pentatonic", "1 2 3 5 6"),
    ("minor pentatonic", "1 b3 4 5 b7"),
    ("blues", "1 b3 4 b5 5 b7"),
    ("whole tone", "1 2 3 #4 #5 #6"),
    ("diminished", "1 2 b3 4 b5 b6 6 7"),
    ("half-whole diminished", "1 b2 #2 3 #4 5 6 b7"),
];

#[test]
fn every_scale_spells_in_every_key() {
    for (tonic, major) in MAJOR {
        for (mode, formula) in SCALES {
            let s = Scale::parse(&format!("{tonic} {mode}")).unwrap();
            let got: Vec<String> = s.notes().iter().map(|n| n.to_string()).collect();
            let want: Vec<String> = formula.split(' ').map(|d| degree(&major, d).0).collect();
            assert_eq!(got, want, "{tonic} {mode}");
            if got.len() == 7 {
                let mut letters: Vec<char> =
                    got.iter().map(|n| n.chars().next().unwrap()).collect();
                letters.sort_unstable();
                letters.dedup();
                assert_eq!(letters.len(), 7, "{tonic} {mode}: one letter per degree");
            }
        }
        let chromatic = Scale::parse(&format!("{tonic} chromatic")).unwrap();
        let mut pcs: Vec<u8> = chromatic.notes().iter().map(|n| n.pitch_class()).collect();
        pcs.sort_unstable();
        pcs.dedup();
        assert_eq!(pcs.len(), 12, "{tonic} chromatic");
    }
    assert_eq!(SCALES.len() + 1, ScaleKind::ALL.len());
    let names = |s: &str| -> String {
        let v: Vec<String> = Scale::parse(s)
            .unwrap()
            .notes()
            .iter()
            .map(|n| n.to_string())
            .collect();
        v.join(" ")
    };
    assert_eq!(names("D dorian"), "D E F G A B C");
    assert_eq!(names("F# harmonic minor"), "F# G# A B C# D E#");
    assert_eq!(names("G# harmonic minor"), "G# A# B C# D# E F##");
    assert_eq!(names("Bb blues"), "Bb Db Eb Fb F Ab");
    assert_eq!(names("Am"), "A B C D E F G");
    for bad in ["H dorian", "C ionianx", "", "dorian"] {
        assert!(Scale::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn numerals_equal_symbols() {
    let cases: [(&str, &str, &str); 9] = [
        ("C", "I ii iii IV V vi vii°", "C Dm Em F G Am Bdim"),
        (
            "C",
            "Imaj7 ii7 iii7 IVmaj7 V7 vi7 viiø7",
            "Cmaj7 Dm7 Em7 Fmaj7 G7 Am7 Bm7b5",
        ),
        ("C", "bVI bVII bIII iv", "Ab Bb Eb Fm"),
        (
            "C minor",
            "i ii° III iv v VI VII bVI",
            "Cm Ddim Eb Fm Gm Ab Bb Ab",
        ),
        ("A minor", "i VI III VII V7 vii°7", "Am F C G E7 G#dim7"),
        ("F#", "I IV V7 vi", "F# B C#7 D#m"),
        ("Eb", "ii V I", "Fm Bb Eb"),
        ("Db", "IV/IV V7/V", "Cb Eb7"),
        ("D dorian", "i IV", "Dm G"),
    ];
    for (key, numerals, symbols) in cases {
        let scale = Scale::parse(key).unwrap();
        for (n, s) in numerals.split(' ').zip(symbols.split(' ')) {
            let from_numeral = parse_numeral(n, &scale).unwrap_or_else(|e| panic!("{n}: {e}"));
            assert_eq!(from_numeral, Chord::parse(s).unwrap(), "{n} in {key}");
        }
    }
    // The diatonic chords of every major key are named I ii iii IV V vi vii° and agree with
    // reading those numerals back.
    for (tonic, _) in MAJOR {
        let s = Scale::parse(tonic).unwrap();
        for d in diatonic_triads(&s).into_iter().chain(diatonic_sevenths(&s)) {
            assert_eq!(
                parse_numeral(&d.roman, &s).unwrap(),
                d.chord,
                "{} in {tonic}",
                d.roman
            );
        }
    }
    // A progression of numerals makes the same notes as the same progression in symbols.
    let am = Scale::parse("Am").unwrap();
    let o = Options::default();
    let a = progression_notes(&parse_progression("i VI III VII", Some(&am)).unwrap(), &o).unwrap();
    let b = progression_notes(&parse_progression("Am F C G", None).unwrap(), &o).unwrap();
    assert_eq!(a, b);
}

#[test]
fn voicings_and_voice_leading() {
    let cmaj7 = Chord::parse("Cmaj7").unwrap();
    // Drop-2: G C E B from the bottom.
    let d2 = voice(&cmaj7, Voicing::Drop2, 0);
    assert_eq!(d2, [55, 60, 64, 71]);
    let names: Vec<String> = d2
        .iter()
        .map(|&p| SpelledNote::from_pitch_class(p % 12, false).to_string())
        .collect();
    assert_eq!(names.join(" "), "G C E B");
    assert_eq!(voice(&cmaj7, Voicing::Close, 0), [60, 64, 67, 71]);
    assert_eq!(voice(&cmaj7, Voicing::Open, 0), [60, 67, 71, 76]);
    assert_eq!(voice(&cmaj7, Voicing::Close, 2), [67, 71, 72, 76]);
    assert_eq!(
        voice(&Chord::parse("C").unwrap(), Voicing::Open, 0),
        [60, 67, 76]
    );

    // ii–V–I in C: Dm7 (D4 F4 A4 C5) → G7 → Cmaj7 moves 6 semitones in all (3 + 3), against
    // 24 for root-position block chords.
    let chords: Vec<Chord> = ["Dm7", "G7", "Cmaj7"]
        .iter()
        .map(|s| Chord::parse(s).unwrap())
        .collect();
    let mut prev = voice(&chords[0], Voicing::Close, 0);
    let mut total = 0;
    for c in &chords[1..] {
        let next = voice_lead(&prev, c, Voicing::Close);
        total += movement(&prev, &next);
        prev = next;
    }
    assert!(total <= 6, "ii–V–I moved {total} semitones");
    let block: u32 = movement(&chords[0].pitches(), &chords[1].pitches())
        + movement(&chords[1].pitches(), &chords[2].pitches());
    assert!(total < block);
    assert_eq!(
        prev.iter().map(|p| p % 12).collect::<Vec<_>>(),
        [0, 4, 7, 11]
    );
}

#[test]
fn transpose_in_key_moves_by_degrees() {
    let c = Scale::parse("C major").unwrap();
    let up: Vec<u8> = [60, 62, 64, 71]
        .iter()
        .map(|&p| transpose_in_key(p, 2, &c).unwrap())
        .collect();
    assert_eq!(up, [64, 65, 67, 74]);
    assert_eq!(transpose_in_key(60, -8, &c).unwrap(), 47);
    // Off-scale notes move to the nearest degree first: F#4 (tie F/G) goes up to G then A.
    assert_eq!(transpose_in_key(66, 1, &c).unwrap(), 69);
    assert_eq!(transpose_in_key(66, -1, &c).unwrap(), 64);
    let pent = Scale::parse("A minor pentatonic").unwrap();
    assert_eq!(transpose_in_key(69, 5, &pent).unwrap(), 81);
    assert!(transpose_in_key(0, -1, &c).is_err());
}

fn melody(scale: &str, tonic_pitch: u8) -> Vec<Note> {
    // Up and down two octaves of the scale; the tonic and the fifth held longer, as tunes do.
    let s = Scale::parse(scale).unwrap();
    let mut pitches: Vec<u8> = (0..=14)
        .map(|i| transpose_in_key(tonic_pitch, i, &s).unwrap())
        .collect();
    let down: Vec<u8> = pitches.iter().rev().skip(1).copied().collect();
    pitches.extend(down);
    let mut t = 0.0;
    pitches
        .into_iter()
        .map(|pitch| {
            let rel = (pitch + 12 - tonic_pitch % 12) % 12;
            let length = if rel == 0 {
                2.0
            } else if rel == 7 {
                1.0
            } else {
                0.5
            };
            let n = Note {
                pitch,
                start: t,
                length,
                velocity: 90,
                channel: 0,
            };
            t += length;
            n
        })
        .collect()
}

#[test]
fn key_detection_finds_scales_and_progressions() {
    for (scale, tonic, want) in [
        ("C major", 60, "C major"),
        ("A minor", 57, "A minor"),
        ("F# major", 54, "F# major"),
        ("Bb major", 58, "Bb major"),
        ("C# harmonic minor", 61, "C# minor"),
    ] {
        let e = detect_key(&melody(scale, tonic)).unwrap();
        assert_eq!(e.name(), want, "{scale}");
        assert!(
            e.confidence > 0.0 && e.confidence <= 1.0,
            "{scale}: {}",
            e.confidence
        );
    }
    let o = Options::default();
    for (prog, want) in [
        ("C Am F G C", "C major"),
        ("Am Dm E7 Am", "A minor"),
        ("Eb Ab Bb7 Eb", "Eb major"),
        ("Em C D B7 Em", "E minor"),
    ] {
        let notes = progression_notes(&parse_progression(prog, None).unwrap(), &o).unwrap();
        let e = detect_key(&notes).unwrap();
        assert_eq!(e.name(), want, "{prog}");
    }
    // Drums (channel 10) carry no key.
    let drums = vec![Note {
        pitch: 36,
        start: 0.0,
        length: 1.0,
        velocity: 100,
        channel: 9,
    }];
    assert!(detect_key(&drums).is_none());
}
