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
        lane: 0,
        take: None,
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
    tdaw::ui::wait_for_jobs(&mut app, std::time::Duration::from_secs(60));
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

#[test]
fn help_never_cuts_a_word_at_120x40() {
    use tdaw::ui::views::help::{lines, HelpLine};
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for view in ["ga", "gm", "gp"] {
        press(&mut app, &format!("{view}?"));
        // Every page the popup scrolls through, as text inside its frame (help_rect at 120x40:
        // 110 columns from column 5).
        let mut pages = Vec::new();
        loop {
            let screen = text(&mut app, 120, 40);
            let inner: Vec<String> = screen
                .lines()
                .skip(3)
                .take(35)
                .map(|l| l.chars().skip(6).take(108).collect())
                .collect();
            pages.push(norm(&inner.join(" ")));
            let before = app.popups.clone();
            press(&mut app, "j");
            if app.popups == before {
                break;
            }
        }
        for l in lines(&app) {
            if let HelpLine::Binding { keys, doc, .. } = l {
                let whole = norm(&format!("{keys} {doc}"));
                assert!(
                    pages.iter().any(|p| p.contains(&whole)),
                    "{view}: '{whole}' is cut on every page"
                );
            }
        }
        press(&mut app, "<esc>");
    }
}

#[test]
fn long_track_names_end_before_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = ui_support::demo_parts();
    p.tracks[0].name = "A very long track name indeed".into();
    let mut app = app_with(p, dir.path());
    let t = text(&mut app, 80, 24);
    assert!(t.contains(" ♪ A very long t… m s r"), "{t}");
    press(&mut app, "gm");
    let t = text(&mut app, 80, 24);
    assert!(
        t.contains("A very lon…"),
        "the mixer strip ends the name in an ellipsis too\n{t}"
    );
}

#[test]
fn the_mixer_pager_leaves_the_first_strip_whole_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "tatagm");
    assert_eq!(app.project.tracks.len(), 6);
    let t = text(&mut app, 80, 24);
    let lines: Vec<&str> = t.lines().collect();
    let pager = lines
        .iter()
        .position(|l| l.contains("◀ 1–5 of 6 ▶"))
        .expect("the pager");
    assert_eq!(pager, 21, "the last row of the main view\n{t}");
    assert!(
        lines[pager - 1].starts_with("   m s r "),
        "the first strip's flags above it\n{t}"
    );
    assert!(
        lines[pager - 2].trim_start().starts_with('C'),
        "its pan\n{t}"
    );
}

#[test]
fn meter_labels_sit_on_the_rows_they_name() {
    // Heights where the meters are 15, 22, 33 and 39 rows tall (22 and 33 put the -12 and
    // -24 dB edges exactly on a row boundary).
    for (w, h) in [(80, 24), (100, 31), (120, 42), (160, 48)] {
        for d in [6.0f32, 0.0, -12.0, -24.0, -48.0] {
            let dir = tempfile::tempdir().unwrap();
            let mut app = demo_app(dir.path());
            press(&mut app, "gm");
            let lin = 10f32.powf(d / 20.0);
            app.meters.master = Level {
                peak: [lin, lin],
                rms: [0.0, 0.0],
            };
            let id = app.project.tracks[0].id;
            app.meters.tracks.insert(
                id,
                Level {
                    peak: [lin, lin],
                    rms: [0.0, 0.0],
                },
            );
            let t = text(&mut app, w, h);
            let rows: Vec<Vec<char>> = t.lines().map(|l| l.chars().collect()).collect();
            let label = format!("{:>3}", d as i32);
            // (bar column, label column) of the first track strip and of the master strip.
            let master_x = w as usize - 12;
            let mut label_rows = Vec::new();
            for (name, bar, lab) in [("track", 2, 6), ("master", master_x + 2, master_x + 6)] {
                let label_row = (0..rows.len())
                    .find(|&y| rows[y][lab..lab + 3].iter().collect::<String>() == label)
                    .unwrap_or_else(|| panic!("{name} {w}x{h}: no '{label}'\n{t}"));
                let top_lit = (0..rows.len())
                    .find(|&y| "▁▂▃▄▅▆▇█".contains(rows[y][bar]))
                    .unwrap_or_else(|| panic!("{name} {w}x{h}: no bar\n{t}"));
                assert_eq!(
                    top_lit, label_row,
                    "{name} at {w}x{h}: a {d} dB bar tops out on row {top_lit}, \
                     its label is on row {label_row}\n{t}"
                );
                label_rows.push(label_row);
            }
            // The master's scale lines up with the tracks' beside it.
            assert_eq!(
                label_rows[0], label_rows[1],
                "{w}x{h}: '{label}' on the track and the master\n{t}"
            );
        }
    }
}
