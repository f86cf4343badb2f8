//! Edit-to-audio cost. (1) A fader change with 16 streamed tracks playing: the project snapshot
//! the UI hands over, the engine thread's plan (a parameter message, no compile), the push
//! through the SPSC queue, and the audio callback (128 frames at 48 kHz) that applies it —
//! counted in callbacks and timed in µs. (2) A structural edit (a note added) to one track of
//! a 64-track project (32 audio, 32 synth) — one track recompiled — against compiling the whole
//! graph. The compile counters are checked on every iteration.
//!
//! Run: `cargo bench --bench edit_latency` (`-- --quick` for a short run).

mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use ringbuf::traits::{Observer, Producer};
use std::path::Path;
use std::time::{Duration, Instant};
use support::Rig;
use tdaw::engine::graph::{ClipMode, Graph};
use tdaw::engine::messages::ToAudio;
use tdaw::engine::plan::{Plan, Planner};
use tdaw::model::{
    AudioClip, Clip, ClipContent, ClipId, Instrument, MidiClip, Note, Project, Track, TrackId,
    TrackKind,
};

const RATE: u32 = 48_000;
const BLOCK: usize = 128;
const SECONDS: usize = 20;

fn write_track(path: &Path, seed: u32) {
    support::write_track(path, RATE, SECONDS as f64, seed, false);
}

fn audio_track(dir: &Path, i: u64) -> Track {
    let file = format!("audio/t{}.wav", i % 16);
    if !dir.join(&file).exists() {
        write_track(&dir.join(&file), i as u32 % 16);
    }
    let mut t = Track::new(TrackId(i), format!("A{i}"), TrackKind::Audio);
    t.gain_db = -12.0;
    t.clips.push(Clip {
        id: ClipId(i * 100),
        name: String::new(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Audio(AudioClip {
            file,
            offset: 0.0,
            length: SECONDS as f64,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }),
    });
    t
}

fn midi_track(i: u64) -> Track {
    let mut t = Track::new(TrackId(i), format!("M{i}"), TrackKind::Midi);
    t.instrument = Some(Instrument::Synth {
        preset: "pluck".into(),
    });
    let mut m = MidiClip::new(32.0);
    m.notes = (0..64)
        .map(|k| Note {
            pitch: 48 + (k % 24) as u8,
            start: k as f64 * 0.5,
            length: 0.4,
            velocity: 90,
            channel: 0,
        })
        .collect();
    t.clips.push(Clip {
        id: ClipId(i * 100),
        name: String::new(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Midi(m),
    });
    t
}

/// The rig with the planner's first graph installed.
fn rig(planner: &mut Planner, p: &Project, dir: &Path) -> Rig {
    let Ok(Plan::Graph(c)) = planner.plan(p, dir, None) else {
        panic!("the first plan is a graph")
    };
    Rig::new(*c, RATE, BLOCK)
}

/// One fader edit, timed from the snapshot to the end of the callback that applied it.
/// Returns (callbacks until applied, time).
fn fader_edit(
    rig: &mut Rig,
    planner: &mut Planner,
    p: &mut Project,
    dir: &Path,
) -> (u32, Duration) {
    rig.chores();
    p.tracks[5].gain_db = if p.tracks[5].gain_db == -12.0 {
        -6.0
    } else {
        -12.0
    };
    let before = planner.counters;
    let t = Instant::now();
    // What the handle and the engine thread do: a snapshot, a plan, the queue.
    let snapshot = Box::new(p.clone());
    let Ok(Plan::Params(changes)) = planner.plan(&snapshot, dir, None) else {
        panic!("a fader edit plans parameter messages")
    };
    for c in changes {
        let _ = rig.link.to_audio.try_push(ToAudio::Param(c));
    }
    let mut callbacks = 0;
    while !rig.link.to_audio.is_empty() {
        rig.p.process(&mut rig.buf, 2);
        callbacks += 1;
    }
    let took = t.elapsed();
    assert_eq!(planner.counters.graph_compiles, before.graph_compiles);
    assert_eq!(planner.counters.track_compiles, before.track_compiles);
    assert_eq!(planner.counters.param_messages, before.param_messages + 1);
    drop(snapshot);
    (callbacks, took)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join("tdaw-bench-edit-latency");
    std::fs::create_dir_all(dir.join("audio")).unwrap();

    // (1) A fader change with 16 tracks playing.
    let mut p = Project::new("edit", RATE, 120.0);
    for i in 1..=16 {
        p.tracks.push(audio_track(&dir, i));
    }
    let mut planner = Planner::new(RATE, ClipMode::Streamed);
    let mut rig = rig(&mut planner, &p, &dir);
    c.bench_function("fader edit to audio, 16 tracks playing, 128 frames", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| fader_edit(&mut rig, &mut planner, &mut p, &dir).1)
                .sum()
        })
    });
    let runs: Vec<(u32, Duration)> = (0..2000)
        .map(|_| fader_edit(&mut rig, &mut planner, &mut p, &dir))
        .collect();
    let most = runs.iter().map(|r| r.0).max().unwrap_or(0);
    let us = median(runs.iter().map(|r| r.1.as_secs_f64() * 1e6).collect());
    let mut callback: Vec<f64> = (0..2000)
        .map(|_| {
            rig.chores();
            let t = Instant::now();
            rig.p.process(&mut rig.buf, 2);
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    callback.sort_by(f64::total_cmp);
    println!(
        "fader edit, 16 tracks playing: applied in {most} callback(s) of {BLOCK} frames \
         (worst of 2000), 0 compiles; snapshot + plan + queue + the callback: median {us:.1} µs \
         (a callback alone: {:.1} µs); plus the wait for the next callback (≤ {:.2} ms)",
        callback[callback.len() / 2],
        BLOCK as f64 / RATE as f64 * 1e3
    );

    // (2) A structural edit to one track of 64 against a whole compile.
    let mut big = Project::new("edit64", RATE, 120.0);
    for i in 1..=64 {
        big.tracks.push(if i % 2 == 0 {
            audio_track(&dir, i)
        } else {
            midi_track(i)
        });
    }
    let mut planner = Planner::new(RATE, ClipMode::Streamed);
    let _ = planner.plan(&big, &dir, None).unwrap();
    let mut flip = false;
    let mut one_track = |planner: &mut Planner, big: &mut Project| -> Duration {
        flip = !flip;
        if let ClipContent::Midi(m) = &mut big.tracks[2].clips[0].content {
            m.notes[0].velocity = if flip { 100 } else { 90 };
        }
        let before = planner.counters.track_compiles;
        let t = Instant::now();
        let plan = planner.plan(big, &dir, None).unwrap();
        let took = t.elapsed();
        assert!(matches!(plan, Plan::Graph(_)));
        assert_eq!(planner.counters.track_compiles, before + 1, "one track");
        drop(plan);
        took
    };
    c.bench_function("structural edit, 1 of 64 tracks recompiled", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| one_track(&mut planner, &mut big)).sum())
    });
    let whole = |big: &Project| -> Duration {
        let t = Instant::now();
        let g = Graph::compile(big, &dir, RATE, ClipMode::Streamed, None, true).unwrap();
        let took = t.elapsed();
        drop(g);
        took
    };
    c.bench_function("whole compile, 64 tracks", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| whole(&big)).sum())
    });
    let partial = median(
        (0..50)
            .map(|_| one_track(&mut planner, &mut big).as_secs_f64() * 1e3)
            .collect(),
    );
    let full = median((0..20).map(|_| whole(&big).as_secs_f64() * 1e3).collect());
    println!(
        "structural edit to 1 of 64 tracks: {partial:.2} ms (1 track compiled) vs whole graph \
         {full:.2} ms (64 tracks): {:.1}x less",
        full / partial
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
