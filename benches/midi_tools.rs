//! The MIDI toolkit's note tools at scale: quantize and humanize of 100,000 notes, each to stay
//! within 20 ms (issue 11, Performance), and rendering an arpeggio over 1,000 held chords. The
//! notes are made by the crate's seeded generator, so every run times the same work.
//!
//! Run: `cargo bench --bench midi_tools` (`-- --quick` for a short run).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tdaw::midi::arp::render as render_arp;
use tdaw::midi::groove::{humanize, Humanize};
use tdaw::midi::quantize::{quantize, Lengths, Quantize};
use tdaw::model::arp::Arp;
use tdaw::model::rng::Rng;
use tdaw::model::{Note, TempoChange, TempoMap};

/// `n` notes played loosely around 16ths, a few beats apart per 16 notes.
fn loose_notes(n: usize) -> Vec<Note> {
    let mut r = Rng::new(11);
    (0..n)
        .map(|i| Note {
            pitch: 36 + r.below(48) as u8,
            start: (i as f64 * 0.25 + r.bipolar() * 0.06).max(0.0),
            length: 0.05 + r.next_f64() * 0.5,
            velocity: 1 + r.below(127) as u8,
            channel: 0,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let notes = loose_notes(100_000);
    let q = Quantize {
        grid: 0.25,
        strength: 0.9,
        swing: 0.6,
        lengths: Lengths::Ends,
        window: 1.0,
    };
    c.bench_function("quantize 100k notes (1/16, swing 60, ends)", |b| {
        b.iter(|| quantize(black_box(&notes), None, &q).map(|(v, _)| v.len()))
    });
    // A tempo map with changes, so every note is converted through a real map.
    let tempo = TempoMap::from_changes(
        (0..64)
            .map(|i| TempoChange {
                beat: i as f64 * 400.0,
                bpm: 90.0 + (i % 7) as f64 * 10.0,
            })
            .collect(),
    );
    let h = Humanize {
        time_ms: 10.0,
        velocity: 8,
        seed: 3,
    };
    c.bench_function("humanize 100k notes (±10 ms, ±8)", |b| {
        b.iter(|| humanize(black_box(&notes), None, &h, &tempo, 0.0).len())
    });
    let chords: Vec<Note> = (0..1000)
        .flat_map(|i| {
            [60u8, 64, 67].map(|p| Note {
                pitch: p + (i % 5) as u8,
                start: i as f64 * 2.0,
                length: 2.0,
                velocity: 100,
                channel: 0,
            })
        })
        .collect();
    let arp = Arp {
        octaves: 2,
        ..Arp::default()
    };
    c.bench_function("arp render 1,000 chords (8,000 steps)", |b| {
        b.iter(|| render_arp(black_box(&chords), &arp, 0.0).len())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
