//! Audio recording in the TUI: two armed audio tracks, `g r` records both from the input
//! (ALSA's `file` capture route, a known signal), `g r` again stops, and the takes arrive as
//! clips at the record point holding the signal — as ONE edit that `u` takes back.

mod capture_support;
mod ui_support;

use tdaw::model::{ClipContent, Project, Track, TrackId, TrackKind};
use ui_support::{app_with, press, tick_until, with_null_engine};

#[test]
fn gr_records_every_armed_audio_track_and_undo_removes_the_takes() {
    let tmp = tempfile::tempdir().unwrap();
    // The input: 3 s of a ramp, FLOAT_LE stereo (see tests/record.rs for the route).
    let frames = 3 * 48_000;
    let sig = capture_support::ramp(frames);
    let conf = capture_support::capture_route(tmp.path(), &sig);
    let home = tmp.path().join("home");
    capture_support::audio_config(&home, "input_latency_ms = 0");
    // Only this test runs in this binary, before anything touches ALSA or the config.
    std::env::set_var("ALSA_CONFIG_PATH", &conf);
    std::env::set_var("TDAW_HOME", &home);

    let dir = tmp.path().join("song");
    let mut p = Project::new("rec", 48_000, 120.0);
    for (id, name) in [(1, "Gtr"), (2, "Vox")] {
        let mut t = Track::new(TrackId(id), name, TrackKind::Audio);
        t.arm = true;
        p.tracks.push(t);
    }
    let mut app = app_with(p.clone(), &dir);
    with_null_engine(&mut app);
    tick_until(&mut app, "the engine", |a| a.engine.is_running());

    press(&mut app, "gr");
    assert!(
        app.status.text.starts_with("Recording into Gtr, Vox from"),
        "{:?}",
        app.status
    );
    tick_until(&mut app, "rolling", |a| {
        a.transport.playing && a.transport.beat > 0.5
    });
    let before = app.history.revision();
    press(&mut app, "gr");
    tick_until(&mut app, "the takes", |a| {
        a.project.tracks.iter().all(|t| !t.clips.is_empty())
    });
    assert_eq!(app.history.revision(), before + 1, "one edit");
    assert!(!app.engine.midi.is_recording());
    for t in &app.project.tracks {
        let c = &t.clips[0];
        assert_eq!(c.start, 0.0, "at the record point");
        let ClipContent::Audio(a) = &c.content else {
            panic!("audio")
        };
        let mut r = hound::WavReader::open(dir.join(&a.file)).unwrap();
        assert_eq!(r.spec().channels, 2);
        let got: Vec<i32> = r.samples::<i32>().take(4000).map(|s| s.unwrap()).collect();
        let want: Vec<i32> = sig[..4000]
            .iter()
            .map(|&x| (x * 8_388_608.0).round() as i32)
            .collect();
        assert_eq!(got, want, "{}: the input, from its first frame", t.name);
    }
    press(&mut app, "u");
    assert!(app.project.tracks.iter().all(|t| t.clips.is_empty()));
}
