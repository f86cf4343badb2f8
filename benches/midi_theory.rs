//! Music theory costs: key detection of a 10,000-note track (issue 11's target: ≤ 5 ms), and
//! for scale, parsing chord symbols and turning a 64-chord progression into voice-led notes.
//!
//! Run: `cargo bench --bench midi_theory` (`-- --quick` for a short run).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tdaw::midi::progression::{parse_progression, progression_notes, Options};
use tdaw::midi::theory::{detect_key, transpose_in_key, Chord, Scale};
use tdaw::model::Note;

/// A 10,000-note melody in D major: a fixed pseudo-random walk over the scale (xorshift, so the
/// input is the same on every run), lengths of 1/4 to 2 beats.
fn track(len: usize) -> Vec<Note> {
    let d = Scale::parse("D major").unwrap_or_else(|e| panic!("{e}"));
    let mut x: u32 = 0x9E37_79B9;
    let mut pitch = 62u8;
    let mut t = 0.0;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let step = (x % 5) as i32 - 2;
            pitch = transpose_in_key(pitch, step, &d)
                .ok()
                .filter(|p| (48..=84).contains(p))
                .unwrap_or(62);
            let length = [0.25, 0.5, 1.0, 2.0][(x >> 8) as usize % 4];
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

fn bench(c: &mut Criterion) {
    let notes = track(10_000);
    let found = detect_key(&notes).map(|e| e.name());
    assert_eq!(found.as_deref(), Some("D major"));
    c.bench_function("detect_key 10k notes", |b| {
        b.iter(|| detect_key(black_box(&notes)))
    });
    let symbols = [
        "F#m7b5", "C#maj7", "Bbdim7", "G7#9", "Cmaj7/E", "Ebm11", "Ab13", "D6/9",
    ];
    c.bench_function("parse 8 chord symbols", |b| {
        b.iter(|| {
            symbols
                .iter()
                .map(|s| {
                    Chord::parse(black_box(s))
                        .map(|c| c.pitches().len())
                        .unwrap_or(0)
                })
                .sum::<usize>()
        })
    });
    let text = "Am F C G | Dm7 G7 Cmaj7 E7 | ".repeat(8);
    let chords = parse_progression(&text, None).unwrap_or_else(|e| panic!("{e}"));
    c.bench_function("64-chord voice-led progression", |b| {
        b.iter(|| progression_notes(black_box(&chords), &Options::default()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
