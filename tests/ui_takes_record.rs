//! Punch-in end to end in the TUI, through ALSA's `file` capture route (a known signal as the
//! "microphone", no sound card): an armed track holds an old clip spanning the loop region;
//! `g r` from the loop start records into the loop region, `g r` stops. The old clip is split
//! around the take — a render outside the punch range equals the old render sample for
//! sample, inside it is the take — the covered part is kept on a take lane, and `u` restores
//! the old project exactly.

mod capture_support;
mod engine_common;
mod ui_support;

use engine_common::{read_wav, signal, write_wav};
use tdaw::engine::{render_to_wav, BitDepth, RenderOptions};
use tdaw::model::{
    AudioClip, Clip, ClipContent, ClipId, LoopRegion, Project, Track, TrackId, TrackKind,
};
use ui_support::{app_with, press, tick_until, with_null_engine};

const RATE: usize = 48_000;

fn render(p: &Project, dir: &std::path::Path, name: &str) -> Vec<f32> {
    let out = dir.join("renders").join(name);
    let opts = RenderOptions {
        bit_depth: BitDepth::F32,
        sample_rate: None,
        stems: false,
        soundfont: None,
    };
    render_to_wav(p, dir, &out, &opts, &mut |_| {}).unwrap();
    read_wav(&out).0
}

#[test]
fn a_punch_splits_the_old_clip_keeps_the_outside_bit_exact_and_u_restores_it() {
    let tmp = tempfile::tempdir().unwrap();
    // The input: a minute of a ramp, FLOAT_LE stereo (see tests/record.rs for the route);
    // longer than the loop passes take here (the route is not paced).
    let frames = 60 * RATE;
    let sig = capture_support::ramp(frames);
    let conf = capture_support::capture_route(tmp.path(), &sig);
    let home = tmp.path().join("home");
    capture_support::audio_config(&home, "input_latency_ms = 0");
    // Only this test runs in this binary, before anything touches ALSA or the config.
    std::env::set_var("ALSA_CONFIG_PATH", &conf);
    std::env::set_var("TDAW_HOME", &home);

    // Vox: an old 4 s clip (beats 0–8 at 120 bpm) under the loop region, beats 2–6.
    let dir = tmp.path().join("song");
    let mut p = Project::new("punch", RATE as u32, 120.0);
    let mut vox = Track::new(TrackId(1), "Vox", TrackKind::Audio);
    vox.arm = true;
    vox.clips.push(Clip {
        id: ClipId(1),
        name: "old".into(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Audio(AudioClip {
            file: "audio/old.wav".into(),
            offset: 0.0,
            length: 4.0,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }),
    });
    p.tracks.push(vox);
    p.loop_region = Some(LoopRegion {
        start: 2.0,
        end: 6.0,
        enabled: true,
    });
    let mut app = app_with(p.clone(), &dir);
    write_wav(
        &dir.join("audio/old.wav"),
        RATE as u32,
        2,
        false,
        &signal(4 * RATE, 2, 7),
    );
    let before_render = render(&p, &dir, "before.wav");
    assert_eq!(before_render.len(), 4 * RATE * 2);

    with_null_engine(&mut app);
    tick_until(&mut app, "the engine", |a| a.engine.is_running());

    // From the loop start, record about a second into the loop region, then stop.
    press(&mut app, "ll");
    press(&mut app, "gr");
    assert!(
        app.status.text.starts_with("Recording into Vox"),
        "{:?}",
        app.status
    );
    tick_until(&mut app, "rolling", |a| {
        a.transport.playing && a.transport.beat > 3.5
    });
    let rev = app.history.revision();
    press(&mut app, "gr");
    tick_until(&mut app, "the take", |a| {
        a.project.tracks[0].clips.iter().any(|c| c.take.is_some())
    });
    assert_eq!(app.history.revision(), rev + 1, "one edit");

    let q = app.project.clone();
    let t = &q.tracks[0];
    let take = t
        .playing_clips()
        .find(|c| c.take.is_some())
        .expect("the take plays");
    let ClipContent::Audio(ta) = &take.content else {
        panic!("audio")
    };
    assert_eq!(take.start, 2.0, "at the record point");
    let (a, b) = (RATE, RATE + (ta.length * RATE as f64).round() as usize);
    assert!(b > a && b <= 3 * RATE, "the take: frames {a}..{b}");
    // Lane 0: old | take | old; the covered part of the old clip on a take lane (after the
    // loop passes' lanes, when the transport cycled the loop more than once).
    let shape: Vec<(u32, String, f64)> = t
        .clips
        .iter()
        .map(|c| {
            let ClipContent::Audio(x) = &c.content else {
                panic!("audio")
            };
            (c.lane, x.file.clone(), (x.offset * RATE as f64).round())
        })
        .collect();
    let lane0: Vec<_> = shape.iter().filter(|s| s.0 == 0).collect();
    assert_eq!(lane0.len(), 3, "{shape:?}");
    assert!(
        lane0.contains(&&(0, "audio/old.wav".into(), 0.0)),
        "{shape:?}"
    );
    assert!(
        lane0.contains(&&(0, "audio/old.wav".into(), b as f64)),
        "{shape:?}"
    );
    assert!(
        shape
            .iter()
            .any(|s| s.0 > 0 && s.1 == "audio/old.wav" && s.2 == a as f64),
        "{shape:?}"
    );
    // Every pass is on a take lane of its own when there were several.
    let passes = shape.iter().filter(|s| s.1 != "audio/old.wav").count() - 1;
    if passes > 1 {
        let lanes: std::collections::BTreeSet<u32> = shape
            .iter()
            .filter(|s| s.0 > 0 && s.1 != "audio/old.wav")
            .map(|s| s.0)
            .collect();
        assert_eq!(lanes.len(), passes, "{shape:?}");
    }

    // Outside the punch range the render is the old one, sample for sample; inside, the take.
    let after_render = render(&q, &dir, "after.wav");
    assert_eq!(after_render.len(), before_render.len());
    let outside = (0..a * 2).chain(b * 2..after_render.len());
    let worst = outside
        .map(|i| (after_render[i] - before_render[i]).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst <= 1e-6,
        "outside the punch range differs by {worst} (> -120 dBFS)"
    );
    let (take_audio, spec) = read_wav(&dir.join(&ta.file));
    assert_eq!(spec.channels, 2);
    let worst_in = (a * 2..b * 2)
        .map(|i| (after_render[i] - take_audio[i - a * 2]).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst_in <= 1e-6,
        "inside it is the take (differs by {worst_in})"
    );
    assert!(
        take_audio.iter().any(|x| x.abs() > 0.1),
        "the take holds the signal ({} passes)",
        passes
    );
    let moved = (a * 2..b * 2)
        .map(|i| (after_render[i] - before_render[i]).abs())
        .fold(0.0f32, f32::max);
    assert!(moved > 0.1, "and inside the old audio no longer plays");

    // One undo restores the old project exactly.
    press(&mut app, "u");
    assert_eq!(app.project, p);
}
