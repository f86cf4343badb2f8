//! Software monitoring through the track's chain, on the audio callback itself (the
//! `Processor`, with allocation forbidden): input frames pushed into the monitoring ring as
//! the input callback would come out of the output processed by the armed track's fader and
//! EQ — gain_db=-6.02 gives exactly half the input, a +12 dB peak EQ at 1 kHz gives a 1 kHz
//! tone four times louder at that gain — with no delay; monitor=off gives silence, and
//! monitor=auto is heard while stopped and not while playing.

mod engine_common;

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

use engine_common::*;
use ringbuf::traits::Producer;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use tdaw::engine::graph::{ClipMode, Graph};
use tdaw::engine::input_monitor::{monitor_ring, MonitorFeed, MonitorRoute};
use tdaw::engine::messages::ToAudio;
use tdaw::engine::meters::SharedStatus;
use tdaw::engine::processor::{processor, Link, Processor};
use tdaw::model::{mixer, MonitorMode, Project, Track, TrackId, TrackInput, TrackKind};

const RATE: u32 = 48_000;
const BLOCK: usize = 256;

fn no_alloc<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(debug_assertions)]
    return assert_no_alloc::assert_no_alloc(f);
    #[cfg(not(debug_assertions))]
    f()
}

struct Rig {
    p: Processor,
    link: Link,
    feed: MonitorFeed,
    _dir: tempfile::TempDir,
}

/// A processor playing `project` (one armed audio track, id 1) with a 2-channel input whose
/// channel 1 (0-based 0) the track monitors.
fn rig(project: &Project, mode: MonitorMode) -> Rig {
    let dir = project_dir();
    let c = Graph::compile(project, dir.path(), RATE, ClipMode::Streamed, None, true).unwrap();
    let (mut p, mut link) = processor(Arc::new(SharedStatus::default()), RATE);
    let (feed, input, _) = monitor_ring(2);
    for m in [
        ToAudio::InstallGraph(Box::new(c.graph)),
        ToAudio::MonitorInput(Some(Box::new(input))),
        ToAudio::ClearMonitorRoutes,
        ToAudio::MonitorRoute(MonitorRoute::new(TrackId(1), &[0], mode).unwrap()),
    ] {
        assert!(link.to_audio.try_push(m).is_ok());
    }
    let mut out = vec![0.0; BLOCK * 2];
    p.process(&mut out, 2);
    Rig {
        p,
        link,
        feed,
        _dir: dir,
    }
}

fn armed(gain_db: f32, eq: bool) -> Project {
    let mut p = project();
    let mut t = Track::new(TrackId(1), "Vox", TrackKind::Audio);
    t.arm = true;
    t.input = Some(TrackInput::Mono(1));
    t.gain_db = gain_db;
    p.tracks.push(t);
    if eq {
        let pairs: Vec<(String, String)> = [
            ("b1_type", "peak"),
            ("b1_freq", "1000"),
            ("b1_gain_db", "12"),
            ("b1_q", "1"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (edit, _) =
            mixer::add_effect(&p, mixer::Owner::Track(TrackId(1)), "eq", &pairs, None).unwrap();
        edit.apply(&mut p).unwrap();
    }
    p
}

/// Pushes `input` (mono, into input channel 1; channel 2 carries a different signal) block by
/// block through the rig and returns the output's left and right.
fn run(r: &mut Rig, input: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut rr) = (Vec::new(), Vec::new());
    let mut frames = vec![0.0f32; BLOCK * 2];
    let mut out = vec![0.0f32; BLOCK * 2];
    for chunk in input.chunks(BLOCK) {
        for (i, &x) in chunk.iter().enumerate() {
            frames[2 * i] = x;
            frames[2 * i + 1] = 0.3;
        }
        let n = chunk.len();
        let feed = &mut r.feed;
        let p = &mut r.p;
        let o = &mut out[..n * 2];
        no_alloc(|| {
            feed.push(&frames[..n * 2]);
            p.process(o, 2);
        });
        for f in o.chunks_exact(2) {
            l.push(f[0]);
            rr.push(f[1]);
        }
    }
    (l, rr)
}

fn sine(freq: f32, frames: usize) -> Vec<f32> {
    (0..frames)
        .map(|i| 0.5 * (2.0 * std::f32::consts::PI * freq * i as f32 / RATE as f32).sin())
        .collect()
}

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

#[test]
fn the_input_is_heard_through_the_fader_with_no_delay() {
    let half_db = 20.0 * 0.5f32.log10();
    let mut r = rig(&armed(half_db, false), MonitorMode::Input);
    let x = signal(RATE as usize / 2, 1, 7);
    let (l, rr) = run(&mut r, &x);
    let want: Vec<f32> = x.iter().map(|v| v * 0.5).collect();
    assert!(max_diff(&l, &want) < 1e-5, "{}", max_diff(&l, &want));
    assert!(max_diff(&rr, &want) < 1e-5, "a mono input on both sides");
    let stats = r.p.monitor_stats().unwrap();
    assert_eq!(stats.underruns.load(Relaxed), 0);
    assert_eq!(stats.overruns.load(Relaxed), 0);
    assert_eq!(stats.taken.load(Relaxed), x.len() as u64);
    // Playing too (monitor=input): still heard.
    assert!(r.link.to_audio.try_push(ToAudio::Play).is_ok());
    let (l, _) = run(&mut r, &x);
    assert!(max_diff(&l, &want) < 1e-5);
}

#[test]
fn the_track_eq_shapes_what_is_heard() {
    // +12 dB at 1 kHz (the cookbook peak's gain at its centre), under a fader at -6.02 dB.
    let half_db = 20.0 * 0.5f32.log10();
    let mut r = rig(&armed(half_db, true), MonitorMode::Input);
    let x = sine(1000.0, RATE as usize / 2);
    let (l, _) = run(&mut r, &x);
    // After the filter settles: 0.5 · 10^(12/20) · 0.5 = 0.998.
    let got = peak(&l[RATE as usize / 4..]);
    let want = 0.5 * 10f32.powf(12.0 / 20.0) * 0.5;
    assert!((got - want).abs() < 0.01, "{got} vs {want}");
    // Far from the band (100 Hz) the EQ is nearly flat: 0.25 within 0.3 dB.
    let mut r = rig(&armed(half_db, true), MonitorMode::Input);
    let (l, _) = run(&mut r, &sine(100.0, RATE as usize / 2));
    let got = peak(&l[RATE as usize / 4..]);
    assert!((20.0 * (got / 0.25).log10()).abs() < 0.3, "{got}");
}

#[test]
fn monitor_off_is_silent_and_auto_only_while_stopped() {
    let x = signal(RATE as usize / 4, 1, 3);
    let mut r = rig(&armed(0.0, false), MonitorMode::Off);
    let (l, rr) = run(&mut r, &x);
    assert_eq!(peak(&l), 0.0);
    assert_eq!(peak(&rr), 0.0);
    let mut r = rig(&armed(0.0, false), MonitorMode::Auto);
    let (l, _) = run(&mut r, &x);
    assert!(max_diff(&l, &x) < 1e-5, "auto, stopped: heard");
    assert!(r.link.to_audio.try_push(ToAudio::Play).is_ok());
    let (l, _) = run(&mut r, &x);
    assert_eq!(peak(&l), 0.0, "auto, playing (not recording): not heard");
    assert!(r.link.to_audio.try_push(ToAudio::Record(true)).is_ok());
    let (l, _) = run(&mut r, &x);
    assert!(max_diff(&l, &x) < 1e-5, "auto, recording: heard");
}
