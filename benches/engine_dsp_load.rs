//! Callback DSP load of the whole engine: the Processor (the real audio-callback code) at 128
//! frames, 48 kHz, playing 16 streamed stereo audio tracks plus a General MIDI SoundFont track
//! holding 32 notes (and, for comparison, the same with the built-in synth). The streams are
//! refilled between callbacks, outside the timed part, as the engine thread does. Besides
//! criterion's time per callback, prints the DSP load = time per callback ÷ 2.67 ms.
//!
//! Run: `cargo bench --bench engine_dsp_load`.

mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use support::Rig;
use tdaw::engine::graph::{ClipMode, Graph};
use tdaw::model::{
    AudioClip, Clip, ClipContent, ClipId, Instrument, LoopRegion, MidiClip, Note, Project, Track,
    TrackId, TrackKind,
};

const RATE: u32 = 48_000;
const BLOCK: usize = 128;
const TRACKS: u64 = 16;
const SECONDS: f64 = 8.0;

fn write_track(path: &Path, seed: u32) {
    support::write_track(path, RATE, SECONDS, seed, true);
}

fn project(dir: &Path, instrument: Instrument) -> Project {
    let mut p = Project::new("dsp", RATE, 120.0);
    for i in 1..=TRACKS {
        let file = format!("audio/t{i}.wav");
        if !dir.join(&file).exists() {
            write_track(&dir.join(&file), i as u32);
        }
        let mut t = Track::new(TrackId(i), format!("T{i}"), TrackKind::Audio);
        t.gain_db = -12.0;
        t.pan = (i as f32 / TRACKS as f32) * 2.0 - 1.0;
        t.clips.push(Clip {
            id: ClipId(i),
            name: String::new(),
            start: 0.0,
            lane: 0,
            take: None,
            content: ClipContent::Audio(AudioClip {
                file,
                offset: 0.0,
                length: SECONDS,
                gain_db: 0.0,
                fade_in: 0.01,
                fade_out: 0.01,
            }),
        });
        p.tracks.push(t);
    }
    let mut m = Track::new(TrackId(100), "Strings", TrackKind::Midi);
    m.instrument = Some(instrument);
    m.clips.push(Clip {
        id: ClipId(100),
        name: String::new(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Midi(MidiClip {
            offset: 0.0,
            controllers: Vec::new(),
            length: 16.0,
            // 32 notes held for the whole loop.
            notes: (0..32)
                .map(|k| Note {
                    pitch: 36 + k * 2,
                    start: 0.0,
                    length: 16.0,
                    velocity: 90,
                    channel: 0,
                })
                .collect(),
        }),
    });
    p.tracks.push(m);
    p.loop_region = Some(LoopRegion {
        start: 0.0,
        end: 16.0,
        enabled: true,
    });
    p
}

fn rig(p: &Project, dir: &Path, sf: Option<&Arc<rustysynth::SoundFont>>) -> Rig {
    let c = Graph::compile(p, dir, RATE, ClipMode::Streamed, sf, true).unwrap();
    Rig::new(c, RATE, BLOCK)
}

fn load_of(r: &mut Rig) -> f64 {
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let mut total = Duration::ZERO;
            for _ in 0..2_000 {
                total += r.step();
            }
            total.as_secs_f64() / 2_000.0 / (BLOCK as f64 / RATE as f64)
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[2]
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join("tdaw-bench-dsp-load");
    std::fs::create_dir_all(dir.join("audio")).unwrap();
    let sf = tdaw::engine::instrument::find_soundfont(None)
        .and_then(|p| tdaw::engine::instrument::load_soundfont(&p).ok());
    let cases: Vec<(&str, Instrument, Option<&Arc<rustysynth::SoundFont>>)> = vec![
        (
            "16 tracks + GM SoundFont 32 notes",
            Instrument::GeneralMidi {
                program: 48,
                drums: false,
            },
            sf.as_ref(),
        ),
        (
            "16 tracks + built-in synth 32 notes",
            Instrument::Synth {
                preset: "pad".into(),
            },
            None,
        ),
    ];
    if sf.is_none() {
        eprintln!("no SoundFont found: the GM case falls back to the built-in synth");
    }
    for (name, inst, sf) in cases {
        let p = project(&dir, inst);
        let mut r = rig(&p, &dir, sf);
        c.bench_function(&format!("callback 128 frames: {name}"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| r.step()).sum())
        });
        let load = load_of(&mut r);
        println!(
            "DSP load, {name}, 128 frames @ 48 kHz: {:.1}% of one core (median of 5 × 2000 callbacks)",
            load * 100.0
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
