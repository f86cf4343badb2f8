//! Chord progressions: a table of idiomatic progressions in roman numerals, tagged by mood and
//! genre, realized in a key through `midi::theory` (numerals → chords, `roman_of` back to the
//! numeral shown) and voiced through `midi::progression`. Every entry is diatonic unless it
//! says what it borrows, and a borrowing entry is only chosen when the mood or genre asks for
//! it. Also reads the chords of an existing clip back (for melodies and bass lines over it).

use super::intent::{Genre, Mood};
use super::{beat, key_for, Calls, Ctx, KeySource};
use crate::ai::{ChordSlot, NoteOut, Reply, Suggestion};
use crate::midi::progression::{parse_progression, progression_notes, Options, Pattern};
use crate::midi::theory::{
    diatonic_sevenths, diatonic_triads, roman_of, Chord, Quality, Scale, ScaleKind, SpelledNote,
    Voicing,
};
use crate::model::rng::Rng;
use crate::model::Note;
use serde_json::json;

/// A mood or genre an entry suits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    M(Mood),
    G(Genre),
}

/// Which table a key reads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Major,
    Minor,
    Dorian,
    Phrygian,
    Lydian,
    Mixolydian,
    Locrian,
}

/// One idiomatic progression.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub family: Family,
    pub tags: &'static [Tag],
    /// Roman numerals in the key, space separated.
    pub romans: &'static str,
    /// What it borrows from outside the key, when it does.
    pub borrowed: Option<&'static str>,
    /// Why it works, in a few words.
    pub idiom: &'static str,
}

use Family::{Dorian, Locrian, Lydian, Major, Minor, Mixolydian, Phrygian};
use Genre as G;
use Mood as Md;
use Tag::{G as Gn, M};

/// The table.
pub const TABLE: &[Entry] = &[
    Entry {
        family: Major,
        tags: &[M(Md::Happy), Gn(G::Pop), M(Md::Epic)],
        romans: "I V vi IV",
        borrowed: None,
        idiom:
            "the four-chord loop of pop: home, the dominant, the relative minor, the subdominant",
    },
    Entry {
        family: Major,
        tags: &[M(Md::Happy), Gn(G::Rock), Gn(G::Reggae), Gn(G::Techno)],
        romans: "I IV V IV",
        borrowed: None,
        idiom: "three-chord rock: tonic, subdominant, dominant and back",
    },
    Entry {
        family: Major,
        tags: &[Gn(G::Pop), M(Md::Epic), Gn(G::House), M(Md::Sad)],
        romans: "vi IV I V",
        borrowed: None,
        idiom: "the four-chord loop started on the relative minor, bittersweet",
    },
    Entry {
        family: Major,
        tags: &[M(Md::Happy), Gn(G::Pop)],
        romans: "I vi IV V",
        borrowed: None,
        idiom: "the doo-wop progression, rising back to the dominant",
    },
    Entry {
        family: Major,
        tags: &[M(Md::Happy)],
        romans: "I iii IV V",
        borrowed: None,
        idiom: "a stepwise climb from home to the dominant",
    },
    Entry {
        family: Major,
        tags: &[M(Md::Sad)],
        romans: "I vi IV iv",
        borrowed: Some("iv, the minor subdominant of the parallel minor"),
        idiom: "the minor iv darkens the last bar before home",
    },
    Entry {
        family: Major,
        tags: &[M(Md::Epic), M(Md::Dark), Gn(G::Rock)],
        romans: "I bVI bVII I",
        borrowed: Some("bVI and bVII from the parallel minor"),
        idiom: "the heroic bVI–bVII–I climb",
    },
    Entry {
        family: Major,
        tags: &[Gn(G::Rock)],
        romans: "I bVII IV I",
        borrowed: Some("bVII, the flat seventh of mixolydian"),
        idiom: "the rock bVII–IV–I, a plagal move with a flat seventh",
    },
    Entry {
        family: Major,
        tags: &[M(Md::Dreamy), M(Md::Chill), Gn(G::Ambient), Gn(G::Lofi)],
        romans: "Imaj7 IVmaj7 iii7 vi7",
        borrowed: None,
        idiom: "major sevenths blur tonic and subdominant",
    },
    Entry {
        family: Major,
        tags: &[Gn(G::Jazz), M(Md::Chill)],
        romans: "Imaj7 vi7 ii7 V7",
        borrowed: None,
        idiom: "the I–vi–ii–V turnaround, each root a fifth above the next",
    },
    Entry {
        family: Major,
        tags: &[Gn(G::Jazz), Gn(G::Lofi)],
        romans: "ii7 V7 Imaj7 Imaj7",
        borrowed: None,
        idiom: "the ii–V–I, the cadence of jazz",
    },
    Entry {
        family: Major,
        tags: &[Gn(G::Lofi), M(Md::Chill), M(Md::Dreamy)],
        romans: "IVmaj7 iii7 ii7 Imaj7",
        borrowed: None,
        idiom: "a stepwise descent from the subdominant home",
    },
    Entry {
        family: Major,
        tags: &[Gn(G::Ambient), M(Md::Dreamy)],
        romans: "Iadd9 IVmaj7 vi7 IVmaj7",
        borrowed: None,
        idiom: "added ninths and sevenths keep it floating",
    },
    Entry {
        family: Major,
        tags: &[M(Md::Tense)],
        romans: "IV V iii vi",
        borrowed: None,
        idiom: "the dominant resolves deceptively, so nothing settles",
    },
    Entry {
        family: Major,
        tags: &[Gn(G::Blues)],
        romans: "I7 I7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7",
        borrowed: Some("the flat sevenths of the blues' dominant-seventh chords"),
        idiom: "the twelve-bar blues",
    },
    Entry {
        family: Major,
        tags: &[Gn(G::Funk)],
        romans: "I7 IV7 I7 IV7",
        borrowed: Some("the flat sevenths of dominant-seventh chords"),
        idiom: "a two-chord dominant-seventh vamp",
    },
    Entry {
        family: Minor,
        tags: &[
            M(Md::Sad),
            M(Md::Epic),
            Gn(G::Pop),
            Gn(G::DrumAndBass),
            Gn(G::House),
            Gn(G::Trap),
        ],
        romans: "i VI III VII",
        borrowed: None,
        idiom: "the minor four-chord loop: tonic, submediant, relative major, subtonic",
    },
    Entry {
        family: Minor,
        tags: &[Gn(G::Rock), M(Md::Sad), M(Md::Epic)],
        romans: "i VII VI VII",
        borrowed: None,
        idiom: "the aeolian shuttle between tonic and the chords a step below",
    },
    Entry {
        family: Minor,
        tags: &[M(Md::Sad), M(Md::Tense), M(Md::Dark)],
        romans: "i iv VI V",
        borrowed: Some("the major V, whose raised seventh comes from harmonic minor"),
        idiom: "the major V pulls hard back to i",
    },
    Entry {
        family: Minor,
        tags: &[M(Md::Sad), Gn(G::HipHop), M(Md::Chill)],
        romans: "i VI iv v",
        borrowed: None,
        idiom: "a soft loop whose minor v never quite resolves",
    },
    Entry {
        family: Minor,
        tags: &[M(Md::Dark)],
        romans: "i bII i v",
        borrowed: Some("bII, the phrygian half step above the tonic"),
        idiom: "the half-step bII over the tonic is menacing",
    },
    Entry {
        family: Minor,
        tags: &[M(Md::Tense), M(Md::Dark)],
        romans: "i VI ii° V",
        borrowed: Some("the major V of harmonic minor"),
        idiom: "ii°–V is the minor cadence, and the diminished chord will not rest",
    },
    Entry {
        family: Minor,
        tags: &[M(Md::Epic)],
        romans: "VI VII i i",
        borrowed: None,
        idiom: "the cinematic VI–VII–i climb",
    },
    Entry {
        family: Minor,
        tags: &[Gn(G::Lofi), M(Md::Chill), M(Md::Dreamy), Gn(G::HipHop)],
        romans: "i7 iv7 VImaj7 v7",
        borrowed: None,
        idiom: "minor sevenths soften every chord",
    },
    Entry {
        family: Minor,
        tags: &[Gn(G::Jazz)],
        romans: "iiø7 V7 i7 i7",
        borrowed: Some("V7, the dominant of harmonic minor"),
        idiom: "the minor ii–V–i",
    },
    Entry {
        family: Minor,
        tags: &[Gn(G::Blues)],
        romans: "i7 i7 i7 i7 iv7 iv7 i7 i7 VI7 V7 i7 V7",
        borrowed: Some("the dominant VI7 and V7 of the minor blues"),
        idiom: "the minor twelve-bar blues",
    },
    Entry {
        family: Minor,
        tags: &[Gn(G::Funk)],
        romans: "i7 IV7 i7 IV7",
        borrowed: Some("IV7, the major subdominant of dorian"),
        idiom: "the dorian i–IV vamp of funk",
    },
    Entry {
        family: Minor,
        tags: &[Gn(G::Techno), Gn(G::DrumAndBass), Gn(G::Trap)],
        romans: "i i VI VII",
        borrowed: None,
        idiom: "a tonic-heavy loop that leaves room for the groove",
    },
    Entry {
        family: Minor,
        tags: &[Gn(G::Ambient), M(Md::Dreamy)],
        romans: "i9 VImaj7 IIImaj7 VII",
        borrowed: None,
        idiom: "ninths and major sevenths over a slow minor loop",
    },
    Entry {
        family: Minor,
        tags: &[Gn(G::Reggae), M(Md::Chill)],
        romans: "i iv i iv",
        borrowed: None,
        idiom: "a two-chord tonic–subdominant skank",
    },
    Entry {
        family: Minor,
        tags: &[M(Md::Happy)],
        romans: "III VII i VI",
        borrowed: None,
        idiom: "it starts on the relative major, so it sounds bright",
    },
    Entry {
        family: Dorian,
        tags: &[],
        romans: "i IV i IV",
        borrowed: None,
        idiom: "the major IV is dorian's colour",
    },
    Entry {
        family: Dorian,
        tags: &[Gn(G::Funk), Gn(G::Jazz)],
        romans: "i7 IV7 i7 IV7",
        borrowed: None,
        idiom: "the dorian i7–IV7 vamp",
    },
    Entry {
        family: Phrygian,
        tags: &[],
        romans: "i II i vii",
        borrowed: None,
        idiom: "the major II a half step above the tonic is phrygian's edge",
    },
    Entry {
        family: Lydian,
        tags: &[],
        romans: "I II I II",
        borrowed: None,
        idiom: "the major II (the raised fourth) is lydian's glow",
    },
    Entry {
        family: Mixolydian,
        tags: &[],
        romans: "I VII IV I",
        borrowed: None,
        idiom: "the major VII (the flat seventh) is mixolydian's colour",
    },
    Entry {
        family: Locrian,
        tags: &[],
        romans: "i° II iii II",
        borrowed: None,
        idiom: "locrian's diminished tonic never rests",
    },
];

/// The table a scale reads from, and the scale the numerals are read in (keys without seven
/// degrees, and harmonic/melodic minor, read in their parallel major or natural minor).
pub fn family(scale: &Scale) -> (Family, Scale) {
    let plain = |minor: bool| {
        Scale::new(
            scale.tonic,
            if minor {
                ScaleKind::NaturalMinor
            } else {
                ScaleKind::Major
            },
        )
    };
    match scale.kind {
        ScaleKind::Major => (Major, *scale),
        ScaleKind::NaturalMinor => (Minor, *scale),
        ScaleKind::Dorian => (Dorian, *scale),
        ScaleKind::Phrygian => (Phrygian, *scale),
        ScaleKind::Lydian => (Lydian, *scale),
        ScaleKind::Mixolydian => (Mixolydian, *scale),
        ScaleKind::Locrian => (Locrian, *scale),
        _ => {
            let minor = scale.to_key().minor;
            (if minor { Minor } else { Major }, plain(minor))
        }
    }
}

/// A progression chosen for a key, mood and genre.
#[derive(Debug, Clone)]
pub struct Picked {
    pub entry: Entry,
    /// The scale the numerals were read in.
    pub scale: Scale,
    pub chords: Vec<Chord>,
}

/// The entry for the family, mood and genre: the best-matching ones (genre and mood each
/// count), one of them by `seed`. A borrowing entry needs a match.
pub fn pick(scale: &Scale, mood: Option<Mood>, genre: Option<Genre>, seed: u64) -> Picked {
    let (fam, read_in) = family(scale);
    let score = |e: &Entry| {
        let g = genre.is_some_and(|g| e.tags.contains(&Tag::G(g)));
        let m = mood.is_some_and(|m| e.tags.contains(&Tag::M(m)));
        2 * u32::from(g) + 2 * u32::from(m)
    };
    let eligible: Vec<&Entry> = TABLE
        .iter()
        .filter(|e| e.family == fam && (e.borrowed.is_none() || score(e) > 0))
        .collect();
    let best = eligible.iter().map(|e| score(e)).max().unwrap_or(0);
    let top: Vec<&Entry> = eligible.into_iter().filter(|e| score(e) == best).collect();
    let mut rng = Rng::new(seed);
    let entry = *top[rng.below(top.len())];
    // Every numeral of the table reads in its family's scale (a unit test holds it to that).
    let chords = parse_progression(entry.romans, Some(&read_in)).unwrap_or_default();
    Picked {
        entry,
        scale: read_in,
        chords,
    }
}

/// Whether every tone of the chord is in the scale.
pub fn diatonic(chord: &Chord, scale: &Scale) -> bool {
    chord
        .notes()
        .iter()
        .all(|n| scale.contains(n.pitch_class()))
}

/// The harmonic function of a chord in a key, by its root's degree.
pub fn function(chord: &Chord, scale: &Scale) -> &'static str {
    let d = (chord.root.letter + 7 - scale.tonic.letter) % 7;
    let minor_key = scale.to_key().minor;
    let own = scale.notes().get(d as usize).copied();
    let flat_seventh = d == 6 && own.is_some_and(|o| o != chord.root || minor_key);
    match d {
        0 | 2 => "tonic",
        1 | 3 => "predominant",
        4 => "dominant",
        5 if minor_key || chord.root.accidental < own.map_or(0, |o| o.accidental) => "predominant",
        5 => "tonic substitute",
        6 if flat_seventh
            && !matches!(
                chord.quality,
                Quality::Diminished | Quality::Diminished7 | Quality::HalfDiminished7
            ) =>
        {
            "subtonic"
        }
        _ => "dominant",
    }
}

/// The numeral of a chord as shown: `roman_of`, or the chord's symbol when it has none.
pub fn roman(chord: &Chord, scale: &Scale) -> String {
    roman_of(chord, scale).unwrap_or_else(|| chord.to_string())
}

/// The chords laid out one per bar for `bars` bars (the progression repeated or cut).
pub fn lay_out(chords: &[Chord], bars: u32, bar: f64) -> Vec<(Chord, f64, f64)> {
    if chords.is_empty() {
        return Vec::new();
    }
    (0..bars as usize)
        .map(|i| (chords[i % chords.len()], i as f64 * bar, bar))
        .collect()
}

/// The answer to "chords …".
pub fn answer(ctx: &Ctx) -> Reply {
    let i = ctx.intent;
    let minor = i
        .mood
        .map(Mood::minor)
        .or(i.genre.map(Genre::minor))
        .unwrap_or(false);
    let (scale, source) = key_for(ctx, minor);
    let picked = pick(&scale, i.mood, i.genre, i.seed);
    let scale = picked.scale;
    let bar = ctx.bar_beats();
    let bars = ctx.bars(picked.chords.len().max(1) as u32);
    let slots = lay_out(&picked.chords, bars, bar);
    let chords: Vec<Chord> = slots.iter().map(|s| s.0).collect();
    let pattern = match i.genre {
        Some(G::House | G::Techno) => Pattern::Pulses,
        Some(G::Reggae | G::Funk) => Pattern::Halves,
        _ => Pattern::Whole,
    };
    let voicing = match i.mood {
        Some(Md::Dreamy | Md::Epic) => Voicing::Open,
        _ => Voicing::Close,
    };
    let opts = Options {
        beats: bar,
        pattern,
        voicing,
        velocity: 84,
        ..Options::default()
    };
    let notes: Vec<NoteOut> = progression_notes(&chords, &opts)
        .unwrap_or_default()
        .iter()
        .map(note_out)
        .collect();
    let out_slots: Vec<ChordSlot> = slots
        .iter()
        .map(|(c, start, len)| ChordSlot {
            symbol: c.to_string(),
            roman: roman(c, &scale),
            start_beat: beat(*start),
            length_beats: beat(*len),
        })
        .collect();
    let text = why(&picked, &scale, source, ctx, bars);
    let program = match (i.mood, i.genre) {
        (Some(Md::Dreamy | Md::Chill), _) | (_, Some(G::Ambient)) => 89,
        (_, Some(G::Jazz | G::Lofi | G::Funk | G::HipHop)) => 4,
        _ => 0,
    };
    let mut calls = Calls::default();
    calls.key_if_missing(ctx, &scale);
    calls.tempo_if_asked(ctx);
    let clip_name = picked
        .chords
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    calls.track_with_clip(
        ctx,
        "Chords",
        json!(program),
        &clip_name,
        bars as f64 * bar,
        &notes,
    );
    Reply {
        text,
        suggestion: Suggestion::Chords {
            key: scale.to_string(),
            chords: out_slots,
        },
        calls: calls.0,
    }
}

/// One paragraph: the numerals with their functions, why the progression works, and whether
/// it stays in the key.
fn why(p: &Picked, scale: &Scale, source: KeySource, ctx: &Ctx, bars: u32) -> String {
    let mut seen = Vec::new();
    let steps: Vec<String> = p
        .chords
        .iter()
        .filter(|c| {
            let new = !seen.contains(*c);
            seen.push(**c);
            new
        })
        .map(|c| format!("{} = {} ({})", roman(c, scale), c, function(c, scale)))
        .collect();
    let whence = match source {
        KeySource::Prompt => "",
        KeySource::Project => " (the project's key)",
        KeySource::Detected => " (the key the project's MIDI is in)",
        KeySource::Chosen => " (no key was given, so I chose one)",
    };
    let romans: Vec<String> = p.chords.iter().map(|c| roman(c, scale)).collect();
    let asked: Vec<&str> = ctx
        .intent
        .mood
        .map(Mood::name)
        .into_iter()
        .chain(ctx.intent.genre.map(Genre::name))
        .collect();
    let stays = match p.entry.borrowed {
        Some(b) => format!(
            "It borrows {b}, because a {} sound asks for it.",
            asked.join(" ")
        ),
        None => format!("Every chord is diatonic to {scale}."),
    };
    format!(
        "{} in {scale}{whence}, one chord per bar for {bars} bars: {}. {}. {stays}",
        romans.join(" – "),
        steps.join(", "),
        capitalize(p.entry.idiom),
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// A model note as a suggestion's note.
pub fn note_out(n: &Note) -> NoteOut {
    NoteOut {
        pitch: n.pitch,
        start_beat: beat(n.start),
        length_beats: beat(n.length),
        velocity: n.velocity,
    }
}

/// The chords of a clip's notes: at every time where two or more notes start together, the
/// chord (of the key's diatonic triads and sevenths, then any major or minor triad) that
/// covers the most sounding pitch classes, preferring the lowest note as root. Repeated
/// chords merge. Empty when the notes hold no chords.
pub fn detect_chords(notes: &[Note], scale: &Scale, clip_length: f64) -> Vec<(Chord, f64, f64)> {
    let mut onsets: Vec<f64> = Vec::new();
    let mut sorted: Vec<&Note> = notes.iter().filter(|n| n.channel != 9).collect();
    sorted.sort_by(|a, b| a.start.total_cmp(&b.start));
    for w in sorted.windows(2) {
        if (w[1].start - w[0].start).abs() < 0.05
            && onsets.last().is_none_or(|&o| w[0].start - o > 0.05)
        {
            onsets.push(w[0].start);
        }
    }
    let flats =
        scale.tonic.accidental < 0 || (scale.tonic.letter == 3 && scale.tonic.accidental == 0);
    let mut candidates: Vec<Chord> = diatonic_triads(scale)
        .into_iter()
        .chain(diatonic_sevenths(scale))
        .map(|d| d.chord)
        .collect();
    for pc in 0..12 {
        for q in [Quality::Major, Quality::Minor] {
            candidates.push(Chord::new(SpelledNote::from_pitch_class(pc, flats), q));
        }
    }
    let mut out: Vec<(Chord, f64, f64)> = Vec::new();
    for (k, &t) in onsets.iter().enumerate() {
        let end = onsets
            .get(k + 1)
            .copied()
            .unwrap_or(clip_length.max(t + 0.05));
        let sounding: Vec<&&Note> = sorted
            .iter()
            .filter(|n| n.start <= t + 0.05 && n.start + n.length > t + 0.05)
            .collect();
        let mut pcs = [false; 12];
        for n in &sounding {
            pcs[(n.pitch % 12) as usize] = true;
        }
        let lowest = sounding.iter().map(|n| n.pitch).min().map(|p| p % 12);
        let best = candidates.iter().max_by_key(|c| {
            let tones: Vec<u8> = c.notes().iter().map(|n| n.pitch_class()).collect();
            let hit = tones.iter().filter(|&&p| pcs[p as usize]).count() as i32;
            let missing = tones.len() as i32 - hit;
            let extra = pcs
                .iter()
                .enumerate()
                .filter(|(p, &on)| on && !tones.contains(&(*p as u8)))
                .count() as i32;
            let root_bonus = i32::from(lowest == Some(c.root.pitch_class()));
            4 * hit - 3 * missing - 2 * extra + 2 * root_bonus
        });
        let Some(&chord) = best else { continue };
        match out.last_mut() {
            Some(last) if last.0 == chord && (last.1 + last.2 - t).abs() < 1e-6 => {
                last.2 = end - last.1
            }
            _ => out.push((chord, t, end - t)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_reads_and_borrows_only_when_it_says() {
        for key in [
            "C",
            "A minor",
            "F# dorian",
            "Bb mixolydian",
            "E phrygian",
            "F lydian",
            "B locrian",
            "Eb",
            "G# minor",
        ] {
            let scale = Scale::parse(key).unwrap();
            let (fam, read_in) = family(&scale);
            for e in TABLE.iter().filter(|e| e.family == fam) {
                let chords = parse_progression(e.romans, Some(&read_in)).unwrap();
                let shown: Vec<String> = chords.iter().map(|c| roman(c, &read_in)).collect();
                assert_eq!(shown.join(" "), e.romans, "{key}");
                let all_in = chords.iter().all(|c| diatonic(c, &read_in));
                assert_eq!(all_in, e.borrowed.is_none(), "{key}: {}", e.romans);
            }
        }
    }

    #[test]
    fn borrowing_needs_a_mood_or_genre_that_asks() {
        let c = Scale::parse("C").unwrap();
        for seed in 0..50 {
            let p = pick(&c, None, None, seed);
            assert!(p.entry.borrowed.is_none());
            assert!(p.chords.iter().all(|ch| diatonic(ch, &c)));
        }
        let blues = pick(&c, None, Some(Genre::Blues), 1);
        assert_eq!(blues.chords.len(), 12);
        assert_eq!(blues.chords[4].to_string(), "F7");
    }

    #[test]
    fn functions_and_detection() {
        let c = Scale::parse("C").unwrap();
        let f = |s: &str| function(&Chord::parse(s).unwrap(), &c);
        assert_eq!(
            [f("C"), f("Dm"), f("G7"), f("Am"), f("Bb"), f("Bdim")],
            [
                "tonic",
                "predominant",
                "dominant",
                "tonic substitute",
                "subtonic",
                "dominant"
            ]
        );
        let am = Scale::parse("A minor").unwrap();
        let chords = parse_progression("Am F C G", None).unwrap();
        let notes = progression_notes(&chords, &Options::default()).unwrap();
        let got: Vec<(String, f64)> = detect_chords(&notes, &am, 16.0)
            .iter()
            .map(|(c, s, _)| (c.to_string(), *s))
            .collect();
        assert_eq!(
            got,
            [
                ("Am".into(), 0.0),
                ("F".into(), 4.0),
                ("C".into(), 8.0),
                ("G".into(), 12.0)
            ]
        );
    }
}
