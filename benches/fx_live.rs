//! The effects-heavy project live: 16 streamed stereo tracks, each with a 3-band EQ and a
//! compressor, post-fader sends to a reverb bus and a delay bus, a limiter on the master — the
//! project of `scripts/bench_fx_render.sh`, with 8-second looped clips.
//!
//! 1. The audio callback's cost at 128 frames, 48 kHz (the Processor, the real callback code;
//!    streams refilled between callbacks outside the timed part): criterion's time per callback
//!    and the DSP load = time ÷ 2.67 ms, median of 5 × 2000 callbacks. Target ≤ 15 % of a core.
//! 2. 60 s of real-time playback through the engine (its thread, the disk streamer, the null
//!    backend pacing 128-frame callbacks like a sound card): late callbacks and xruns counted,
//!    and the DSP load the engine reports. Target 0. `FX_LIVE_SECONDS` shortens it.
//!
//! Run: `cargo bench --bench fx_live`.

mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;
use std::time::{Duration, Instant};
use support::Rig;
use tdaw::engine::graph::{ClipMode, Graph};
use tdaw::engine::{EngineCommand, EngineConfig, EngineEvent, EngineHandle};
use tdaw::model::mixer::{self, Owner};
use tdaw::model::{
    ops, AudioClip, Clip, ClipContent, ClipId, LoopRegion, Project, Track, TrackId, TrackKind,
};

const RATE: u32 = 48_000;
const BLOCK: usize = 128;
const TRACKS: u64 = 16;
const SECONDS: f64 = 8.0;

fn pairs(s: &[(&str, &str)]) -> Vec<(String, String)> {
    s.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn apply(p: &mut Project, e: Result<tdaw::model::Edit, String>) {
    e.and_then(|e| e.apply(p).map_err(|m| m.to_string()))
        .map(|_| ())
        .unwrap();
}

fn add_fx(p: &mut Project, o: Owner, kind: &str, params: &[(&str, &str)]) {
    let (e, _) = mixer::add_effect(p, o, kind, &pairs(params), None).unwrap();
    e.apply(p).unwrap();
}

/// The project, its audio written under `dir` when missing.
pub fn project(dir: &Path) -> Project {
    let mut p = Project::new("fx live", RATE, 120.0);
    for i in 1..=TRACKS {
        let file = format!("audio/t{i}.wav");
        if !dir.join(&file).exists() {
            support::write_track(&dir.join(&file), RATE, SECONDS, i as u32, true);
        }
        let mut t = Track::new(TrackId(i), format!("T{i}"), TrackKind::Audio);
        t.gain_db = -6.0;
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
    for name in ["Reverb", "Delay"] {
        let e = ops::add_track(&p, p.tracks.len(), TrackKind::Bus, Some(name.into()), None)
            .map_err(|e| e.to_string());
        apply(&mut p, e);
    }
    let (rev, dly) = (p.tracks[16].id, p.tracks[17].id);
    add_fx(
        &mut p,
        Owner::Track(rev),
        "reverb",
        &[("decay_s", "2"), ("mix", "1")],
    );
    add_fx(
        &mut p,
        Owner::Track(dly),
        "delay",
        &[("time_ms", "375"), ("feedback", "0.35"), ("mix", "1")],
    );
    for i in 1..=TRACKS {
        let o = Owner::Track(TrackId(i));
        add_fx(
            &mut p,
            o,
            "eq",
            &[
                ("b1_type", "lowshelf"),
                ("b1_freq", "100"),
                ("b1_gain_db", "-3"),
                ("b2_type", "peak"),
                ("b2_freq", "1000"),
                ("b2_gain_db", "3"),
                ("b3_type", "highshelf"),
                ("b3_freq", "8000"),
                ("b3_gain_db", "2"),
            ],
        );
        add_fx(
            &mut p,
            o,
            "compressor",
            &[("threshold_db", "-18"), ("ratio", "4")],
        );
        let e = mixer::set_send(&p, TrackId(i), rev, Some(-12.0), None);
        apply(&mut p, e);
        let e = mixer::set_send(&p, TrackId(i), dly, Some(-18.0), None);
        apply(&mut p, e);
    }
    add_fx(&mut p, Owner::Master, "limiter", &[("ceiling_dbtp", "-1")]);
    p.loop_region = Some(LoopRegion {
        start: 0.0,
        end: SECONDS * 2.0,
        enabled: true,
    });
    p.validate().unwrap();
    p
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

/// Plays the project for `seconds` of real time on the null backend at 128 frames.
fn live(p: &Project, dir: &Path, seconds: u64) {
    let mut engine = EngineHandle::start(EngineConfig {
        buffer_frames: Some(BLOCK as u32),
        force_null: true,
        ..Default::default()
    })
    .unwrap();
    engine.load_project(p, dir);
    let t0 = Instant::now();
    'wait: while t0.elapsed() < Duration::from_secs(30) {
        for e in engine.update() {
            if matches!(e, EngineEvent::Loaded) {
                break 'wait;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    engine.send(EngineCommand::Play);
    let start = engine.status();
    let mut loads = Vec::new();
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_millis(500));
        engine.update();
        loads.push(engine.status().dsp_load as f64);
    }
    let end = engine.status();
    engine.send(EngineCommand::Pause);
    loads.sort_by(f64::total_cmp);
    println!(
        "live {seconds} s at {BLOCK} frames (null backend, real-time pace): late callbacks {}, \
         xruns {}, DSP load median {:.1}% max {:.1}% of one core",
        end.late_callbacks - start.late_callbacks,
        end.xruns - start.xruns,
        loads.get(loads.len() / 2).copied().unwrap_or(0.0) * 100.0,
        loads.last().copied().unwrap_or(0.0) * 100.0,
    );
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join("tdaw-bench-fx-live");
    std::fs::create_dir_all(dir.join("audio")).unwrap();
    let p = project(&dir);
    let compiled = Graph::compile(&p, &dir, RATE, ClipMode::Streamed, None, true).unwrap();
    let mut r = Rig::new(compiled, RATE, BLOCK);
    c.bench_function(
        "callback 128 frames: 16 tracks EQ+compressor, reverb and delay buses, master limiter",
        |b| b.iter_custom(|iters| (0..iters).map(|_| r.step()).sum()),
    );
    // `cargo test --all-targets` runs benches once as a check: the measuring below (a
    // minute of real-time playback) is for `cargo bench` only.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let load = load_of(&mut r);
    println!(
        "DSP load, effects-heavy project, 128 frames @ 48 kHz: {:.1}% of one core (median of 5 × 2000 callbacks)",
        load * 100.0
    );
    let seconds = std::env::var("FX_LIVE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    live(&p, &dir, seconds);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
