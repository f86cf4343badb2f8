//! Audio input in the TUI: an armed audio track's header (arrange) and strip (mixer) show its
//! input channels and monitoring (`in1 auto`) and the level of the input it records in place
//! of the playback meter; `i` and `o` cycle the input and the monitoring as one undoable edit
//! each. With a real capture (ALSA's `file` route, a known signal) the engine keeps the
//! input open while the track is armed: the meters read the signal's level per channel, the
//! monitored track's meter moves and the unmonitored one's does not; an input that cannot be
//! opened is one status line ("no audio input: …").

mod capture_support;
mod ui_support;

use tdaw::engine::{EngineConfig, EngineHandle};
use tdaw::model::{MonitorMode, Project, Track, TrackId, TrackInput, TrackKind};
use tdaw::ui::engine_link::EngineLink;
use tdaw::ui::{update, Action};
use ui_support::{app_with, press, screen, text, tick_until};

fn project() -> Project {
    let mut p = Project::new("in", 48_000, 120.0);
    let mut vox = Track::new(TrackId(1), "Vox", TrackKind::Audio);
    vox.arm = true;
    vox.input = Some(TrackInput::Mono(1));
    let mut gtr = Track::new(TrackId(2), "Gtr", TrackKind::Audio);
    gtr.arm = true;
    gtr.monitor = MonitorMode::Off;
    p.tracks.push(vox);
    p.tracks.push(gtr);
    p.tracks
        .push(Track::new(TrackId(3), "Keys", TrackKind::Midi));
    p
}

#[test]
fn armed_tracks_show_their_input_label_and_level() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = app_with(project(), &tmp.path().join("song"));
    // The input as the engine would report it: channel 1 at -6 dB, channel 2 at -12 dB.
    app.meters.input = vec![0.5, 0.25];
    let s = text(&mut app, 80, 24);
    let vox = s.lines().position(|l| l.contains("∿ Vox")).unwrap();
    let row = s.lines().nth(vox + 1).unwrap();
    assert!(row.contains("in1 auto"), "{s}");
    // The header's meter: -6 dB over -60..0 dB is nine tenths of it lit.
    let lit = row.chars().filter(|&c| c == '█').count();
    let gtr = s.lines().position(|l| l.contains("∿ Gtr")).unwrap();
    let grow = s.lines().nth(gtr + 1).unwrap();
    assert!(grow.contains("in1-2 off"), "{s}");
    let glit = grow.chars().filter(|&c| c == '█').count();
    // -6 dB lights nine tenths of a -60..0 dB meter: 10.8 of Vox's 12 cells, and — Gtr
    // recording 1-2 shows the louder, channel 1 — 9.9 of Gtr's 11 (a longer label).
    assert_eq!((lit, glit), (10, 9), "{s}");
    assert!(
        row.contains("██████████▊") && grow.contains("█████████▉"),
        "{s}"
    );
    insta::assert_snapshot!("arrange_armed_input", screen(&mut app, 80, 24).backend());

    // Disarmed: no label, and the (silent) playback meter.
    press(&mut app, "R");
    let s = text(&mut app, 80, 24);
    let row = s.lines().nth(vox + 1).unwrap();
    assert!(!row.contains("in1"), "{s}");
    assert_eq!(row.chars().filter(|&c| c == '█').count(), 0, "{s}");
    press(&mut app, "u");

    // `i` cycles Vox's input, `o` its monitoring; `u` takes each back.
    press(&mut app, "i");
    assert_eq!(app.project.tracks[0].input, Some(TrackInput::Mono(2)));
    assert_eq!(app.status.text, "Vox: input 2");
    press(&mut app, "i");
    assert_eq!(app.project.tracks[0].input, Some(TrackInput::Stereo(1, 2)));
    press(&mut app, "o");
    assert_eq!(app.project.tracks[0].monitor, MonitorMode::Input);
    assert!(text(&mut app, 80, 24).contains("in1-2 mon"));
    press(&mut app, "u");
    assert_eq!(app.project.tracks[0].monitor, MonitorMode::Auto);
    press(&mut app, "uu");
    assert_eq!(app.project.tracks[0].input, Some(TrackInput::Mono(1)));

    // The mixer strip: the label in the arm colour and the input's level in the meter.
    press(&mut app, "gm");
    let s = text(&mut app, 80, 24);
    assert!(s.contains("in1 auto"), "{s}");
    assert!(s.contains("in1-2 off"), "{s}");
    insta::assert_snapshot!("mixer_armed_input", screen(&mut app, 80, 24).backend());
    // A MIDI track has no input.
    press(&mut app, "$hi");
    assert!(
        app.status
            .text
            .contains("only audio tracks record an input"),
        "{:?}",
        app.status
    );
}

#[test]
fn the_engine_meters_and_monitors_a_real_capture_and_says_when_there_is_no_input() {
    let tmp = tempfile::tempdir().unwrap();
    // 20 s of input, FLOAT_LE stereo: channel 1 a square wave at ±0.5, channel 2 at ±0.25.
    let frames = 20 * 48_000;
    let sig: Vec<f32> = (0..frames)
        .flat_map(|i| {
            let s = if (i / 24) % 2 == 0 { 1.0 } else { -1.0 };
            [0.5 * s, 0.25 * s]
        })
        .collect();
    let conf = capture_support::capture_route(tmp.path(), &sig);
    // Only this test of the binary touches ALSA.
    std::env::set_var("ALSA_CONFIG_PATH", &conf);

    let mut app = app_with(project(), &tmp.path().join("song"));
    let h = EngineHandle::start(EngineConfig {
        force_null: true,
        ..Default::default()
    })
    .unwrap();
    app.engine = EngineLink::from_handle(h);
    app.engine.live_input(true, None);
    app.engine.load_project(&app.project, &app.dir);
    tick_until(&mut app, "the input's meters", |a| {
        a.meters.input.len() == 2 && a.meters.input[0] > 0.0
    });
    // Peaks to 0.5 dB: -6.0 and -12.0 dB.
    let db = |v: f32| 20.0 * v.log10();
    assert!(
        (db(app.meters.input[0]) + 6.0).abs() < 0.3,
        "{:?}",
        app.meters.input
    );
    assert!(
        (db(app.meters.input[1]) + 12.0).abs() < 0.3,
        "{:?}",
        app.meters.input
    );
    // Vox (monitor auto, stopped) hears channel 1 through its fader; Gtr (off) hears nothing.
    tick_until(&mut app, "Vox's monitored level", |a| {
        a.meters
            .tracks
            .get(&TrackId(1))
            .is_some_and(|l| l.peak[0] > 0.4)
    });
    let gtr = app
        .meters
        .tracks
        .get(&TrackId(2))
        .copied()
        .unwrap_or_default();
    assert_eq!(gtr.peak, [0.0, 0.0], "monitor off is silent");
    assert_eq!(app.engine.input_device().as_deref(), Some("alsa:default"));

    // Recording while monitoring: the recording opens the input itself, so each take holds
    // the input from its first frame (0 ms of latency configured), Vox's channel 1 as a mono
    // file, Gtr's 1-2 as a stereo one, and the monitoring goes on through the recording.
    let home = std::path::PathBuf::from(std::env::var_os("TDAW_HOME").unwrap());
    std::fs::create_dir_all(home.join("config")).unwrap();
    std::fs::write(
        home.join("config/config.toml"),
        "[audio]\ninput_latency_ms = 0\n",
    )
    .unwrap();
    press(&mut app, "gr");
    assert!(
        app.status.text.starts_with("Recording into Vox, Gtr from"),
        "{:?}",
        app.status
    );
    tick_until(&mut app, "rolling", |a| {
        a.transport.playing && a.transport.beat > 0.5
    });
    assert!(
        !app.meters.input.is_empty(),
        "the recording's input is metered"
    );
    press(&mut app, "gr");
    tick_until(&mut app, "the takes", |a| {
        a.project.tracks[..2].iter().all(|t| !t.clips.is_empty())
    });
    for (ti, chans) in [(0usize, vec![0usize]), (1, vec![0, 1])] {
        let t = &app.project.tracks[ti];
        let tdaw::model::ClipContent::Audio(a) = &t.clips[0].content else {
            panic!("audio")
        };
        assert_eq!(t.clips[0].start, 0.0);
        let mut r = hound::WavReader::open(app.dir.join(&a.file)).unwrap();
        assert_eq!(r.spec().channels as usize, chans.len(), "{}", t.name);
        let got: Vec<i32> = r
            .samples::<i32>()
            .take(4000 * chans.len())
            .map(|s| s.unwrap())
            .collect();
        let want: Vec<i32> = sig
            .chunks_exact(2)
            .flat_map(|f| chans.iter().map(|&c| (f[c] * 8_388_608.0).round() as i32))
            .take(got.len())
            .collect();
        assert_eq!(got, want, "{}: the input from its first frame", t.name);
    }
    // The armed tracks' input opens again after the recording.
    tick_until(&mut app, "the input again", |a| !a.meters.input.is_empty());

    // A channel beyond the device's (the file route opens at most 64): the input opens again
    // for it, and one status line says the device lacks it; the track records silence there.
    let edit = tdaw::model::Edit::SetTrack {
        id: TrackId(2),
        field: tdaw::model::TrackField::Input(Some(TrackInput::Stereo(69, 70))),
    };
    assert!(app.apply(edit, "input"));
    tick_until(&mut app, "the missing-channel warning", |a| {
        a.status.text.contains("has 2 channels")
    });
    assert_eq!(
        app.status.text,
        "the input 'alsa:default' has 2 channels: 'Gtr' records 69-70 (set the track's input, e.g. input=1-2)"
    );
    assert!(app.status.error);

    // An input that does not exist: one status line, arming unchanged.
    update(&mut app, Action::Ex("input no-such-device".into()));
    tick_until(&mut app, "the no-input line", |a| {
        a.status.text.starts_with("no audio input:")
    });
    assert!(
        app.status.text.contains("no-such-device"),
        "{:?}",
        app.status
    );
    assert_eq!(app.status.text.lines().count(), 1);
    assert!(app.project.tracks[0].arm);
    tick_until(&mut app, "the meters to go", |a| a.meters.input.is_empty());
}
