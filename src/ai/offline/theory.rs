//! Theory answers, as text: the notes of a chord or a scale, a chord's function in a key, the
//! chords of a key, the key of the selected clip (or of the project's MIDI), and intervals.
//! All of it comes from `midi::theory`; nothing here is a second copy of it.

use super::harmony::{diatonic, function, roman};
use super::intent::Task;
use super::{key_for, Ctx};
use crate::ai::{Reply, Suggestion};
use crate::midi::theory::{detect_key, diatonic_sevenths, diatonic_triads, Interval, SpelledNote};
use crate::model::{ClipContent, Note, Project};

/// The name of an interval counted in letters and semitones ("minor third", "augmented
/// fourth").
pub fn interval_name(i: Interval) -> String {
    const NAMES: [&str; 7] = [
        "unison", "second", "third", "fourth", "fifth", "sixth", "seventh",
    ];
    const BASE: [i32; 7] = [0, 2, 4, 5, 7, 9, 11];
    let steps = usize::from(i.steps % 7);
    let mut diff = i32::from(i.semitones % 12) - BASE[steps];
    if diff > 6 {
        diff -= 12;
    } else if diff < -6 {
        diff += 12;
    }
    let perfect = matches!(steps, 0 | 3 | 4);
    let quality = match (perfect, diff) {
        (true, 0) => "perfect",
        (false, 0) => "major",
        (false, -1) => "minor",
        (true, -1) | (false, -2) => "diminished",
        (_, 1) => "augmented",
        (_, d) if d > 1 => "doubly augmented",
        _ => "doubly diminished",
    };
    let name = if steps == 0 && diff == 0 {
        "unison".to_string()
    } else {
        format!("{quality} {}", NAMES[steps])
    };
    if i.steps == 7 && diff == 0 {
        return "perfect octave".into();
    }
    name
}

/// The interval from `a` up to `b`, by letters and semitones.
pub fn interval_between(a: SpelledNote, b: SpelledNote) -> Interval {
    let steps = (b.letter + 7 - a.letter) % 7;
    let semis = (i32::from(b.pitch_class()) - i32::from(a.pitch_class())).rem_euclid(12) as u8;
    Interval::new(steps, semis)
}

/// Every pitched note of the project's MIDI clips (drum tracks left out), in timeline beats.
pub fn project_notes(p: &Project) -> Vec<Note> {
    p.tracks
        .iter()
        .filter(|t| {
            !matches!(
                t.instrument,
                Some(crate::model::Instrument::GeneralMidi { drums: true, .. })
            )
        })
        .flat_map(|t| t.clips.iter())
        .filter_map(|c| match &c.content {
            ClipContent::Midi(m) => Some(m.notes.iter().copied()),
            ClipContent::Audio(_) => None,
        })
        .flatten()
        .collect()
}

fn text(t: String) -> Reply {
    Reply {
        text: t,
        suggestion: Suggestion::Text,
        calls: Vec::new(),
    }
}

fn join<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The answer to a theory question.
pub fn answer(ctx: &Ctx) -> Reply {
    let i = ctx.intent;
    match i.task {
        Task::ChordNotes => {
            let Some(chord) = i.chords.first() else {
                return text("Name the chord, e.g. \"what notes are in F#m7b5?\".".into());
            };
            let parts: Vec<String> = chord
                .quality
                .intervals()
                .iter()
                .skip(1)
                .map(|&iv| interval_name(iv))
                .collect();
            let pitches = chord.pitches();
            text(format!(
                "{chord}: {} (MIDI {}, root in octave 4). Above the root: {}.",
                join(&chord.notes()),
                join(&pitches),
                parts.join(", ")
            ))
        }
        Task::ScaleNotes => {
            let Some(scale) = i.key else {
                return text("Name the scale, e.g. \"notes of D dorian\".".into());
            };
            let offs = scale.offsets();
            let steps: Vec<&str> = offs
                .iter()
                .zip(offs.iter().skip(1).chain(std::iter::once(&12)))
                .map(|(a, b)| match b - a {
                    1 => "H",
                    2 => "W",
                    3 => "W+H",
                    _ => "?",
                })
                .collect();
            text(format!(
                "{scale}: {}. Steps: {} (W whole, H half).",
                join(&scale.notes()),
                steps.join(" ")
            ))
        }
        Task::Function => {
            let Some(chord) = i.chords.first() else {
                return text(
                    "Name the chord and the key, e.g. \"the function of Bb in C major\".".into(),
                );
            };
            let (scale, _) = key_for(ctx, false);
            let numeral = roman(chord, &scale);
            let f = function(chord, &scale);
            let inside = if diatonic(chord, &scale) {
                format!("It is diatonic to {scale}.")
            } else {
                "It is not diatonic: a borrowed or chromatic chord (from the parallel mode, or a secondary dominant), coloring the key rather than belonging to it.".to_string()
            };
            let role = match f {
                "tonic" => "it is home, or stands in for home",
                "tonic substitute" => "it shares two tones with the tonic and can replace it (a deceptive cadence lands here)",
                "predominant" => "it leads away from home toward the dominant",
                "dominant" => "it pulls back to the tonic",
                _ => "it sits a whole step below the tonic and leads home by step (or to IV)",
            };
            text(format!(
                "In {scale}, {chord} is {numeral}, a {f} chord: {role}. {inside}"
            ))
        }
        Task::KeyChords => {
            let (scale, _) = key_for(ctx, false);
            let (_, read_in) = super::harmony::family(&scale);
            let list = |ds: Vec<crate::midi::theory::Diatonic>| {
                ds.iter()
                    .map(|d| format!("{} {}", d.roman, d.chord))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut t = format!(
                "The chords of {read_in}: {}. With sevenths: {}.",
                list(diatonic_triads(&read_in)),
                list(diatonic_sevenths(&read_in))
            );
            if read_in.to_key().minor {
                t.push_str(" In minor the V is often made major (from harmonic minor) for a stronger pull home.");
            }
            text(t)
        }
        Task::WhatKey => what_key(ctx),
        Task::Interval => {
            if i.notes.len() < 2 {
                return text("Name two notes, e.g. \"the interval from C to G\".".into());
            }
            let (a, b) = (i.notes[0], i.notes[1]);
            let up = interval_between(a, b);
            let down = interval_between(b, a);
            text(format!(
                "From {a} up to {b} is a {} ({} semitones); from {b} up to {a} is a {} ({} semitones).",
                interval_name(up),
                up.semitones,
                interval_name(down),
                down.semitones
            ))
        }
        _ => super::cannot_answer(),
    }
}

fn what_key(ctx: &Ctx) -> Reply {
    let Some(p) = ctx.project else {
        return text(
            "I need a project to read a key from: open one (or pass --project) and select a clip."
                .into(),
        );
    };
    let selected = ctx.req.selected_clip.and_then(|id| {
        p.tracks
            .iter()
            .flat_map(|t| t.clips.iter())
            .find(|c| c.id == id)
    });
    let (notes, what) = match selected {
        Some(c) => match &c.content {
            ClipContent::Midi(m) => (m.notes.clone(), format!("clip '{}'", c.name)),
            ClipContent::Audio(_) => {
                return text(format!(
                    "Clip '{}' is audio; I read keys from MIDI notes only.",
                    c.name
                ));
            }
        },
        None => (project_notes(p), "the project's MIDI".to_string()),
    };
    let Some(e) = detect_key(&notes) else {
        return text(format!(
            "{} has no pitched notes to read a key from.",
            capital(&what)
        ));
    };
    let sure = if e.confidence >= 0.5 {
        "clearly"
    } else if e.confidence >= 0.2 {
        "most likely"
    } else {
        "perhaps (the notes fit several keys)"
    };
    text(format!(
        "{} is {sure} in {} (confidence {:.2}; correlation {:.2} with the key's profile, {:.2} for the runner-up), from {} notes.",
        capital(&what),
        e.name(),
        e.confidence,
        e.correlation,
        e.runner_up,
        notes.len()
    ))
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_named() {
        let n = |s: &str| SpelledNote::parse(s).unwrap();
        let name = |a: &str, b: &str| interval_name(interval_between(n(a), n(b)));
        assert_eq!(name("C", "G"), "perfect fifth");
        assert_eq!(name("C", "Eb"), "minor third");
        assert_eq!(name("C", "E"), "major third");
        assert_eq!(name("F", "B"), "augmented fourth");
        assert_eq!(name("B", "F"), "diminished fifth");
        assert_eq!(name("C", "B"), "major seventh");
        assert_eq!(name("E", "C"), "minor sixth");
        assert_eq!(name("C", "C"), "unison");
    }
}
