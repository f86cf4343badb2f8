//! The EngineHandle API the TUI uses, on the null backend: loading, real-time pace, seek,
//! stop, meters, loudness, audition, live graph swaps.

mod engine_common;

use engine_common::*;
use std::time::{Duration, Instant};
use tdaw::engine::{EngineCommand, EngineConfig, EngineEvent, EngineHandle};
use tdaw::model::TrackId;

fn wait_for(h: &mut EngineHandle, want: &EngineEvent, secs: f64) -> Vec<EngineEvent> {
    let start = Instant::now();
    let mut seen = Vec::new();
    while start.elapsed().as_secs_f64() < secs {
        let ev = h.update();
        let hit = ev.contains(want);
        seen.extend(ev);
        if hit {
            return seen;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("no {want:?} within {secs} s; saw {seen:?}");
}

#[test]
fn the_null_backend_plays_at_real_time_pace_with_meters() {
    let d = project_dir();
    write_wav(
        &d.path().join("audio/a.wav"),
        48_000,
        2,
        true,
        &signal(48_000 * 6, 2, 1),
    );
    let mut p = project();
    p.tracks.push(audio_track(1, "A", "audio/a.wav", 0.0, 6.0));
    p.tracks.push(midi_track(2, "keys", 16.0, &[]));
    let mut h = EngineHandle::start(EngineConfig {
        force_null: true,
        buffer_frames: Some(256),
        ..EngineConfig::default()
    })
    .unwrap();
    let s = h.status();
    assert!(s.silent);
    assert_eq!(s.device, "none");
    h.load_project(&p, d.path());
    wait_for(&mut h, &EngineEvent::Loaded, 10.0);
    assert!(!h.status().playing);

    h.send(EngineCommand::Play);
    std::thread::sleep(Duration::from_millis(100));
    let t0 = Instant::now();
    let p0 = h.status().position_samples;
    std::thread::sleep(Duration::from_millis(600));
    let p1 = h.status().position_samples;
    let wall = t0.elapsed().as_secs_f64();
    let played = (p1 - p0) as f64 / 48_000.0;
    assert!(
        (played / wall - 1.0).abs() < 0.25,
        "played {played} s in {wall} s"
    );
    let st = h.status();
    assert!(st.playing);
    assert!((st.position_beats - st.position_samples as f64 / 24_000.0).abs() < 0.05);
    assert!(st.dsp_load > 0.0 && st.dsp_load < 1.0);

    let m = h.meters();
    assert_eq!(m.tracks.len(), 2);
    assert_eq!(m.tracks[0].0, TrackId(1));
    assert!(m.tracks[0].1.peak[0] > 0.1, "{:?}", m.tracks[0]);
    assert!(m.master.rms[1] > 0.05);
    assert!(
        m.momentary_lufs.is_some_and(|l| l > -30.0 && l < 0.0),
        "{:?}",
        m.momentary_lufs
    );

    // Seek while playing.
    h.send(EngineCommand::Seek { beat: 8.0 });
    std::thread::sleep(Duration::from_millis(100));
    let pos = h.status().position_samples;
    assert!((192_000..192_000 + 24_000).contains(&pos), "{pos}");

    // A live edit: the graph is rebuilt and swapped without stopping.
    p.tracks[0].gain_db = -12.0;
    h.load_project(&p, d.path());
    wait_for(&mut h, &EngineEvent::Loaded, 10.0);
    assert!(h.status().playing);

    // Stop returns to where playback started.
    h.send(EngineCommand::Stop);
    wait_for(&mut h, &EngineEvent::Stopped, 5.0);
    std::thread::sleep(Duration::from_millis(50));
    let st = h.status();
    assert!(!st.playing);
    assert_eq!(st.position_samples, 0);

    // Audition while stopped sounds through the master.
    std::thread::sleep(Duration::from_millis(800));
    let quiet = h.meters().master.peak[0];
    h.send(EngineCommand::Audition {
        track: TrackId(2),
        pitch: 60,
        velocity: 110,
        on: true,
    });
    std::thread::sleep(Duration::from_millis(200));
    let loud = h.meters().master.peak[0];
    assert!(loud > quiet + 0.01, "{quiet} → {loud}");
    h.send(EngineCommand::Audition {
        track: TrackId(2),
        pitch: 60,
        velocity: 0,
        on: false,
    });
}

#[test]
fn a_missing_file_is_an_error_event_and_the_rest_still_loads() {
    let d = project_dir();
    let mut p = project();
    p.tracks
        .push(audio_track(1, "Gone", "audio/gone.wav", 0.0, 1.0));
    p.tracks.push(midi_track(2, "bass", 4.0, &[(40, 0.0, 1.0)]));
    let mut h = EngineHandle::start(EngineConfig {
        force_null: true,
        ..EngineConfig::default()
    })
    .unwrap();
    h.load_project(&p, d.path());
    let seen = wait_for(&mut h, &EngineEvent::Loaded, 10.0);
    let err = seen
        .iter()
        .find_map(|e| match e {
            EngineEvent::Error(m) => Some(m.clone()),
            _ => None,
        })
        .expect("an error event");
    assert!(err.contains("gone.wav"), "{err}");
    assert!(!err.contains('\n'));
    assert_eq!(h.meters().tracks.len(), 2);
}

#[test]
fn a_project_at_another_rate_restarts_the_backend_at_that_rate() {
    let d = project_dir();
    let mut p = project();
    p.sample_rate = 44_100;
    p.tracks
        .push(midi_track(1, "pluck", 4.0, &[(60, 0.0, 1.0)]));
    let mut h = EngineHandle::start(EngineConfig {
        force_null: true,
        ..EngineConfig::default()
    })
    .unwrap();
    assert_eq!(h.status().sample_rate, 48_000);
    h.load_project(&p, d.path());
    wait_for(&mut h, &EngineEvent::Loaded, 10.0);
    assert_eq!(h.status().sample_rate, 44_100);
}
