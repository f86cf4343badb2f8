//! The offline assistant's answers, each against issue 12's target of 100 ms: chords,
//! a melody over the selected clip of a 16-track project, a bass line, 16 bars of drums, theory
//! questions (a chord's notes, the key of the whole project's MIDI), mixing advice from the
//! figures of 64 tracks, and a refusal. Also the cost of measuring 10 s of a stereo stem.
//!
//! Run: `cargo bench --bench ai_offline` (`-- --quick` for a short run).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::sync::Arc;
use tdaw::ai::offline::answer;
use tdaw::ai::{Figures, Request, TrackFigures};
use tdaw::analysis::mix::measure_buffers;
use tdaw::midi::progression::{parse_progression, progression_notes, Options};
use tdaw::model::{Clip, ClipContent, ClipId, MidiClip, Project, Track, TrackId, TrackKind};

/// 16 MIDI tracks, each one 32-bar clip of voice-led chords (clip ids 1..=16).
fn project() -> Project {
    let mut p = Project::new("bench", 48_000, 120.0);
    let text = "Am F C G Dm Am E7 Am ".repeat(4);
    let chords = parse_progression(&text, None).unwrap_or_else(|e| panic!("{e}"));
    let notes = progression_notes(&chords, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    for i in 1..=16u64 {
        let mut t = Track::new(TrackId(i), format!("Keys {i}"), TrackKind::Midi);
        let mut clip = MidiClip::new(128.0);
        clip.notes = notes.clone();
        t.clips.push(Clip {
            id: ClipId(i),
            name: format!("part {i}"),
            start: 0.0,
            lane: 0,
            take: None,
            content: ClipContent::Midi(clip),
        });
        p.tracks.push(t);
    }
    p
}

fn figures(tracks: usize) -> Figures {
    Figures {
        integrated_lufs: Some(-9.0),
        loudness_range_lu: Some(4.0),
        true_peak_dbtp: Some(0.3),
        sample_peak_dbfs: Some(0.1),
        clipped_samples: 40,
        tracks: (0..tracks)
            .map(|i| TrackFigures {
                name: format!("T{i}"),
                lufs: Some(-20.0 + (i % 7) as f64),
                rms_dbfs: Some(-22.0),
                true_peak_dbtp: Some(-6.0),
                bands_db: (0..5).map(|b| -30.0 + ((i + b) % 5) as f64 * 4.0).collect(),
                low_correlation: Some(if i % 9 == 0 { 0.2 } else { 0.9 }),
            })
            .collect(),
    }
}

fn bench(c: &mut Criterion) {
    let p = Arc::new(project());
    let req = |prompt: &str| Request {
        prompt: prompt.into(),
        project: Some(p.clone()),
        selected_clip: Some(ClipId(3)),
        ..Request::default()
    };
    let cases = [
        ("chords", req("sad chords in A minor, 16 bars")),
        (
            "melody over the selected clip",
            req("write a melody for this clip"),
        ),
        ("bass line", req("a funk bass line")),
        ("drums 16 bars", req("trap drums, 16 bars")),
        ("theory: chord notes", req("what notes are in F#m7b5?")),
        (
            "theory: key of the project",
            Request {
                selected_clip: None,
                ..req("what key is this in?")
            },
        ),
        (
            "advice, 64 tracks",
            Request {
                figures: Some(figures(64)),
                ..req("mixing advice")
            },
        ),
        ("refusal", req("who won the football?")),
    ];
    for (name, r) in &cases {
        assert!(!answer(r).text.is_empty());
        c.bench_function(&format!("offline answer: {name}"), |b| {
            b.iter(|| answer(black_box(r)))
        });
    }
    let stem: Vec<f32> = (0..480_000 * 2)
        .map(|i| ((i as f32 * 0.013).sin() * 0.5) * if i % 2 == 0 { 1.0 } else { 0.9 })
        .collect();
    c.bench_function(
        "measure 10 s stereo stem (bands, low correlation, loudness, peaks)",
        |b| b.iter(|| measure_buffers(48_000, 2, black_box(&stem), &[])),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
