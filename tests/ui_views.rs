//! Snapshots of every view at 80x24 and 160x48 (TestBackend + insta). Volatile text (the temp
//! folder's path) is replaced before comparing.

mod ui_support;

use tdaw::model::{AudioClip, Clip, ClipContent, ClipId, Track, TrackId, TrackKind};
use tdaw::ui::engine_link::Level;
use tdaw::ui::App;
use ui_support::{app_with, demo_app, press, text, write_wav};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn snap(app: &mut App, name: &str) {
    let dir = app.dir.display().to_string();
    for (w, h) in SIZES {
        let t = text(app, w, h).replace(&dir, "[DIR]");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t);
    }
}

#[test]
fn arrange_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "j8l");
    snap(&mut app, "arrange");
}

#[test]
fn arrange_view_visual_selection_loop_and_zoom() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, ":loop 3 4<ret>=");
    press(&mut app, "4lvj6l");
    snap(&mut app, "arrange_visual");
}

#[test]
fn arrange_view_with_audio_waveform_and_meters() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("audio")).unwrap();
    write_wav(&dir.path().join("audio/tone.wav"), 4.0, 8000);
    let mut p = tdaw::model::Project::new("Waves", 48_000, 120.0);
    let mut t = Track::new(TrackId(1), "Tone", TrackKind::Audio);
    t.clips.push(Clip {
        id: ClipId(1),
        name: String::new(),
        start: 2.0,
        content: ClipContent::Audio(AudioClip {
            file: "audio/tone.wav".into(),
            offset: 0.0,
            length: 4.0,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }),
    });
    p.tracks.push(t);
    p.tracks
        .push(Track::new(TrackId(2), "Verb", TrackKind::Bus));
    let mut app = app_with(p, dir.path());
    app.peaks.wait();
    assert!(app.peaks.get("audio/tone.wav").is_some());
    app.meters.tracks.insert(
        TrackId(1),
        Level {
            peak: [0.5, 0.25],
            rms: [0.2, 0.1],
        },
    );
    snap(&mut app, "arrange_audio");
    press(&mut app, "gm");
    app.meters.master = Level {
        peak: [1.2, 0.7],
        rms: [0.4, 0.3],
    };
    app.meters.momentary_lufs = Some(-14.25);
    app.meters.short_term_lufs = Some(-15.5);
    snap(&mut app, "mixer_meters");
}

#[test]
fn mixer_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "gmlj");
    snap(&mut app, "mixer");
}

#[test]
fn piano_roll_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "3j32l<ret>");
    snap(&mut app, "piano_roll");
    press(&mut app, "v8lkkk");
    snap(&mut app, "piano_roll_visual");
}

#[test]
fn piano_roll_without_a_clip() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "1j16lgp");
    // Bass clip at 16: the view opens on it.
    assert!(app.piano_clip().is_some());
    let dir2 = tempfile::tempdir().unwrap();
    let mut empty = app_with(
        tdaw::model::Project::new("Empty", 48_000, 120.0),
        dir2.path(),
    );
    press(&mut empty, "gp");
    snap(&mut empty, "piano_roll_empty");
    press(&mut empty, "ga");
    snap(&mut empty, "arrange_empty");
}

#[test]
fn help_popup() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "?");
    snap(&mut app, "help_arrange");
    press(&mut app, "<esc>gp?");
    snap(&mut app, "help_piano_roll");
}

#[test]
fn which_key_popup() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "t");
    snap(&mut app, "which_key");
}

#[test]
fn command_line_and_confirmations() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, ":track add mi<tab>");
    snap(&mut app, "command_line");
    press(&mut app, "<esc>m:q<ret>");
    snap(&mut app, "confirm_quit");
    press(&mut app, "<esc>:bpm nope<ret>");
    snap(&mut app, "error_status");
}

#[test]
fn too_small_terminal_gets_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let t = text(&mut app, 60, 20);
    insta::assert_snapshot!("too_small_60x20", t);
    assert!(t.contains("at least 80x24"));
}

#[test]
fn no_color_keeps_cursor_and_selection_visible() {
    use ratatui::style::{Color, Modifier};
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    app.theme = tdaw::ui::theme::Theme::load("dark", tdaw::ui::theme::ColorDepth::None).unwrap();
    press(&mut app, "j16l");
    let t = ui_support::screen(&mut app, 80, 24);
    let buf = t.backend().buffer();
    // No colour anywhere.
    for cell in buf.content() {
        assert!(matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset));
    }
    // The cursor (Bass row, under the ruler and the marker lane; beat 16 = column 24 + 16) is
    // reversed.
    let cursor = &buf[(24 + 16, 6)];
    assert!(cursor.modifier.contains(Modifier::REVERSED), "{cursor:?}");
    // A visual selection of a clip is underlined.
    press(&mut app, "vl");
    let t = ui_support::screen(&mut app, 80, 24);
    let sel = &t.backend().buffer()[(24 + 20, 6)];
    assert!(sel.modifier.contains(Modifier::UNDERLINED), "{sel:?}");
}
