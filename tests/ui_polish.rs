//! Small things found while building the TUI tools, each checked on the screen a user sees:
//! the top bar's tempo after a tempo change (at the cursor while stopped, at the playhead while
//! playing), the piano roll's status line naming a drum track's pitch by the GM drum map, and
//! the arrange view, mixer, piano roll, instrument browser and help at 80x24 with no cut words.

mod ui_support;

use std::sync::Once;
use std::time::{Duration, Instant};
use tdaw::model::TrackKind;
use tdaw::model::{Clip, ClipContent, ClipId, Instrument, MidiClip, Note, Project, Track, TrackId};
use tdaw::ui::engine_link::Transport;
use tdaw::ui::keymap::ViewKind;
use tdaw::ui::{update, Action, App};
use ui_support::{app_with, press, text, with_null_engine};

/// Keeps the SQLite index these tests touch out of the user's data folder.
fn home() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let dir = std::env::temp_dir().join(format!("tdaw-ui-polish-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::env::set_var("TDAW_HOME", &dir);
    });
}

fn note(pitch: u8, start: f64, channel: u8) -> Note {
    Note {
        pitch,
        start,
        length: 0.5,
        velocity: 100,
        channel,
    }
}

/// A project with one MIDI track whose clip spans the first 24 bars.
fn project(instrument: Instrument, notes: Vec<Note>) -> Project {
    let mut p = Project::new("polish", 48_000, 120.0);
    let mut t = Track::new(TrackId(1), "Keys", TrackKind::Midi);
    t.instrument = Some(instrument);
    t.clips.push(Clip {
        id: ClipId(1),
        name: String::new(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Midi(MidiClip {
            length: 96.0,
            offset: 0.0,
            notes,
            controllers: Vec::new(),
        }),
    });
    p.tracks.push(t);
    p
}

fn piano() -> Instrument {
    Instrument::GeneralMidi {
        program: 0,
        drums: false,
    }
}

/// The top bar's first row at 80x24.
fn top(app: &mut App) -> String {
    text(app, 80, 24).lines().next().unwrap_or("").to_string()
}

/// The status row (mode, context) at 80x24.
fn status_row(app: &mut App) -> String {
    text(app, 80, 24).lines().nth(22).unwrap_or("").to_string()
}

// ---- 1. The tempo in the top bar ---------------------------------------------------------

#[test]
fn stopped_the_top_bar_reads_the_tempo_at_the_cursor() {
    home();
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(project(piano(), vec![note(60, 0.0, 0)]), dir.path());
    press(&mut app, ":tempo 140 @17<ret>");
    assert!(!app.status.error, "{:?}", app.status);
    assert!(top(&mut app).contains(" 120 BPM "), "{}", top(&mut app));
    // One beat before bar 17 the old tempo still holds; on bar 17 (beat 64) the new one.
    press(&mut app, "63l");
    assert_eq!(app.arrange.cursor, 63.0);
    assert!(top(&mut app).contains(" 120 BPM "), "{}", top(&mut app));
    press(&mut app, "l");
    assert!(
        top(&mut app).contains(" 140 BPM "),
        "at bar 17 the bar reads the new tempo: {}",
        top(&mut app)
    );
    press(&mut app, "8l");
    assert!(top(&mut app).contains(" 140 BPM "), "{}", top(&mut app));
    // A third tempo, then back before the first change.
    press(&mut app, ":tempo 92.5 @19<ret>");
    assert!(top(&mut app).contains(" 92.5 BPM "), "{}", top(&mut app));
    press(&mut app, "72h");
    assert_eq!(app.arrange.cursor, 0.0);
    assert!(top(&mut app).contains(" 120 BPM "), "{}", top(&mut app));

    // The piano roll's cursor counts from the clip's start, in the project's time.
    press(&mut app, "<ret>");
    assert_eq!(app.view, ViewKind::PianoRoll);
    assert!(top(&mut app).contains(" 120 BPM "), "{}", top(&mut app));
    let grid = app.piano.grid;
    let steps = (64.0 / grid).round() as usize;
    press(&mut app, &format!("{steps}l"));
    assert_eq!(app.piano.cursor, 64.0, "status: {:?}", app.status);
    assert!(top(&mut app).contains(" 140 BPM "), "{}", top(&mut app));
}

/// Ticks the App until `done` holds (or fails after 5 s).
fn tick_until(app: &mut App, what: &str, done: impl Fn(&App) -> bool) {
    let t0 = Instant::now();
    loop {
        update(app, Action::Tick);
        if done(app) {
            return;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "timed out waiting for {what}: transport {:?}",
            app.transport
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn playing_the_top_bar_reads_the_tempo_at_the_playhead() {
    home();
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(project(piano(), vec![note(60, 0.0, 0)]), dir.path());
    press(&mut app, ":tempo 140 @17<ret>");
    with_null_engine(&mut app);
    // The cursor stays at the start (120) while the playhead runs past bar 17 (140).
    app.engine.transport(Transport::PlayFrom(64.0)).unwrap();
    tick_until(&mut app, "the playhead past bar 17", |a| {
        a.transport.playing && a.transport.beat >= 64.0
    });
    assert_eq!(app.arrange.cursor, 0.0);
    let bar = top(&mut app);
    assert!(bar.contains(" 140 BPM ") && bar.contains("▶ 17."), "{bar}");
    app.engine.transport(Transport::Pause).unwrap();
    tick_until(&mut app, "the pause", |a| !a.transport.playing);
    // Stopped, the bar reads the cursor's tempo again.
    assert!(top(&mut app).contains(" 120 BPM "), "{}", top(&mut app));
}

// ---- 2. Drum pitches in the status line ---------------------------------------------------

#[test]
fn the_piano_roll_status_line_names_a_drum_tracks_pitch_by_the_gm_map() {
    home();
    let dir = tempfile::tempdir().unwrap();
    let kit = Instrument::GeneralMidi {
        program: 0,
        drums: true,
    };
    let mut app = app_with(
        project(kit, vec![note(36, 0.0, 9), note(38, 1.0, 9)]),
        dir.path(),
    );
    press(&mut app, "<ret>");
    assert_eq!(app.view, ViewKind::PianoRoll);
    app.piano.pitch = 38;
    let s = status_row(&mut app);
    assert!(s.contains("  38 Snare  @ 1.1.1"), "{s}");
    assert!(!s.contains("D2"), "no note name on a drum track: {s}");
    press(&mut app, "kkkk");
    assert_eq!(app.piano.pitch, 42);
    let s = status_row(&mut app);
    assert!(s.contains("  42 Closed HH  @"), "{s}");
    // Outside the GM map (35-81) the number and the note name.
    app.piano.pitch = 30;
    assert!(status_row(&mut app).contains("  30 F#1  @"));

    // The same notes on a piano are named as notes.
    let notes = vec![note(36, 0.0, 0), note(38, 1.0, 0)];
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(project(piano(), notes), dir.path());
    press(&mut app, "<ret>");
    app.piano.pitch = 38;
    let s = status_row(&mut app);
    assert!(s.contains("  D2  @ 1.1.1"), "{s}");
}

// ---- 3. 80x24 without cut words -----------------------------------------------------------

#[test]
fn a_long_project_or_device_name_gives_way_in_the_top_bar() {
    home();
    let dir = tempfile::tempdir().unwrap();
    let mut p = project(piano(), vec![note(60, 0.0, 0)]);
    p.name = "The Long Night Drive Home Through The Rain (extended mix)".into();
    let mut app = app_with(p, dir.path());
    press(&mut app, "m");
    assert!(app.unsaved());
    let bar = top(&mut app);
    assert!(
        bar.contains(" The Long Night Drive")
            && bar.contains("… [+]  120 BPM  4/4  no key  ■ 1.1.1  0:00.0"),
        "the name gives way, the rest stays whole: {bar}"
    );
    assert!(!bar.contains("(extended mix)"), "{bar}");
    // A short name is whole.
    app.project.name = "Demo".into();
    assert!(top(&mut app).starts_with(" Demo [+]  120 BPM"));

    // A long output device name ends in an ellipsis at the edge.
    app.transport.device = Some("HDA Intel PCH, ALC1220 Analog (hw:0,0) front speakers".into());
    app.transport.silent = false;
    let s = text(&mut app, 80, 24);
    let row2 = s.lines().nth(1).unwrap().trim_end().to_string();
    assert!(row2.starts_with(" Arrange  Mixer  Piano roll  "), "{row2}");
    assert!(row2.contains("xruns 0  HDA Intel PCH"), "{row2}");
    assert!(row2.ends_with('…'), "cut with an ellipsis: {row2}");
    assert_eq!(
        row2.chars().count(),
        79,
        "up to the last column but one: {row2}"
    );
}

#[test]
fn a_long_instrument_name_under_a_track_ends_in_an_ellipsis() {
    home();
    let dir = tempfile::tempdir().unwrap();
    let mut app = ui_support::demo_app(dir.path());
    let s = text(&mut app, 80, 24);
    assert!(s.contains(" Lead 2 (sawt… "), "{s}");
    assert!(!s.contains("(sawto "), "{s}");
    // Names that fit are whole.
    assert!(
        s.contains(" Electric Bas… ")
            && s.contains(" Pad 2 (warm) ")
            && s.contains(" Standard Kit "),
        "{s}"
    );
}

#[test]
fn drum_names_never_touch_the_grid_or_the_bar_number() {
    home();
    let dir = tempfile::tempdir().unwrap();
    let kit = Instrument::GeneralMidi {
        program: 0,
        drums: true,
    };
    let mut app = app_with(
        project(kit, vec![note(36, 0.0, 9), note(48, 0.0, 9)]),
        dir.path(),
    );
    press(&mut app, "<ret>");
    assert_eq!(app.view, ViewKind::PianoRoll);
    app.piano.top_pitch = 50;
    app.piano.pitch = 48;
    let s = text(&mut app, 80, 24);
    let lines: Vec<&str> = s.lines().collect();
    // The ruler: the cursor's row name, a space, bar 1.
    assert!(lines[2].starts_with("48 Hi-Mid Tom 1 "), "{}", lines[2]);
    // Every row's name ends before the grid, a space between.
    let mut named = 0;
    for line in &lines[3..] {
        let label: String = line.chars().take(14).collect();
        if label.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            named += 1;
            assert_eq!(label.chars().nth(13), Some(' '), "{line}");
        }
    }
    assert!(named >= 10, "{s}");
    assert!(
        s.contains("41 Lo Flr Tom █") || s.contains("41 Lo Flr Tom │"),
        "{s}"
    );
}

#[test]
fn the_instrument_browser_at_80x24_shows_that_more_categories_follow() {
    home();
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(project(piano(), vec![note(60, 0.0, 0)]), dir.path());
    press(&mut app, "I");
    let s = text(&mut app, 80, 24);
    // 18 categories, 14 rows: the first ones, and an arrow to the rest.
    assert!(s.contains("│ Piano                │"), "{s}");
    assert!(s.contains("│ Percussive           ↓ "), "{s}");
    assert!(!s.contains("↑"), "{s}");
    // To the last category: an arrow up, none down.
    press(&mut app, "h");
    for _ in 0..20 {
        press(&mut app, "j");
    }
    let s = text(&mut app, 80, 24);
    assert!(s.contains("Synth Presets"), "{s}");
    assert!(s.contains("           ↑ "), "{s}");
    assert!(!s.contains("↓"), "{s}");
}

#[test]
fn a_tempo_flag_beside_a_marker_keeps_a_space_or_waits_for_room() {
    home();
    let dir = tempfile::tempdir().unwrap();
    let mut app = ui_support::demo_app(dir.path());
    press(&mut app, ":tempo 140 @3<ret>");
    assert!(!app.status.error, "{:?}", app.status);
    let x = tdaw::ui::views::arrange::HEADER_W as usize;
    let lane = |app: &mut App| -> String {
        let s = text(app, 80, 24);
        s.lines().nth(3).unwrap().chars().skip(x).collect()
    };
    // Bar 1 holds the marker Intro and the starting tempo; bar 3 (8 columns on) the change.
    let l = lane(&mut app);
    assert!(
        l.starts_with("◆Intro  ♩140 "),
        "no ♩ glued to the name: {l}"
    );
    // Zoomed in there is room for both, a space apart.
    press(&mut app, "zi");
    let l = lane(&mut app);
    assert!(l.starts_with("◆Intro ♩128 "), "{l}");
    assert!(l.contains(" ♩140 "), "{l}");
}

/// The text inside the popup frame whose title holds `title`, row by row, trimmed.
fn popup_text(screen: &str, title: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.contains(title))
        .unwrap_or_else(|| panic!("no popup '{title}':\n{screen}"));
    let left = lines[top].chars().position(|c| c == '┌').unwrap();
    let mut out = Vec::new();
    for l in &lines[top + 1..] {
        let row: Vec<char> = l.chars().collect();
        if row.get(left) != Some(&'│') {
            break;
        }
        let inner: String = row[left + 1..].iter().collect();
        let inner = inner.split('│').next().unwrap_or("");
        out.push(inner.trim().to_string());
    }
    out
}

#[test]
fn questions_wrap_long_names_at_spaces_at_80x24() {
    home();
    let dir = tempfile::tempdir().unwrap();
    let mut p = project(piano(), vec![note(60, 0.0, 0)]);
    p.name = "The Long Night Drive Home Through The Rain (extended mix)".into();
    let mut app = app_with(p, dir.path());
    press(&mut app, "m:q<ret>");
    let s = text(&mut app, 80, 24);
    let rows = popup_text(&s, "Unsaved changes");
    assert_eq!(
        rows[..2].join(" "),
        "'The Long Night Drive Home Through The Rain (extended mix)' has changes that are not saved.",
        "{s}"
    );
    assert!(rows.iter().all(|r| r.chars().count() <= 74), "{s}");
    assert!(rows.contains(&"y  save, then quit".to_string()), "{s}");
    press(&mut app, "<esc>");

    // The MIDI import's tempo question names a long file whole; its answers keep their keys.
    let song = dir
        .path()
        .join("openttd-openmsx-chuggachugga-full-length.mid");
    write_midi(&song, 96.0);
    press(&mut app, &format!(":import {}<ret>", song.display()));
    let s = text(&mut app, 80, 24);
    let rows = popup_text(&s, "Tempo");
    assert!(
        rows[0].starts_with("openttd-openmsx-chuggachugga-full-length.mid is at"),
        "{s}"
    );
    assert!(
        rows[..3]
            .join(" ")
            .contains("is at 96 BPM (the project is at 120): use its tempo? y/n"),
        "{s}"
    );
    assert!(
        rows.iter().any(|r| r.starts_with("y  import and take")),
        "{s}"
    );
}

/// A one-note Standard MIDI File at `bpm`.
fn write_midi(path: &std::path::Path, bpm: f64) {
    use midly::num::{u15, u24, u28, u4, u7};
    use midly::{
        Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind,
    };
    let ev = |delta: u32, kind| TrackEvent {
        delta: u28::new(delta),
        kind,
    };
    let msg = |message| TrackEventKind::Midi {
        channel: u4::new(0),
        message,
    };
    let tempo = MetaMessage::Tempo(u24::new((60e6 / bpm) as u32));
    let track = vec![
        ev(0, TrackEventKind::Meta(tempo)),
        ev(
            0,
            msg(MidiMessage::NoteOn {
                key: u7::new(60),
                vel: u7::new(100),
            }),
        ),
        ev(
            480,
            msg(MidiMessage::NoteOff {
                key: u7::new(60),
                vel: u7::new(0),
            }),
        ),
        ev(0, TrackEventKind::Meta(MetaMessage::EndOfTrack)),
    ];
    Smf {
        header: Header::new(Format::SingleTrack, Timing::Metrical(u15::new(480))),
        tracks: vec![track],
    }
    .save(path)
    .unwrap();
}

#[test]
fn which_key_entries_wrap_under_their_text_at_80x24() {
    home();
    let dir = tempfile::tempdir().unwrap();
    let mut app = ui_support::demo_app(dir.path());
    press(&mut app, "g");
    let s = text(&mut app, 80, 24);
    let rows = popup_text(&s, "┌─ g ");
    // Every row keeps a space before the border.
    let top = s.lines().position(|l| l.contains("┌─ g ")).unwrap();
    let left = s
        .lines()
        .nth(top)
        .unwrap()
        .chars()
        .position(|c| c == '┌')
        .unwrap();
    let mut checked = 0;
    for l in s.lines().skip(top + 1) {
        let c: Vec<char> = l.chars().collect();
        if c[left] != '│' {
            break;
        }
        let right = c.iter().rposition(|&ch| ch == '│').unwrap();
        assert!(
            right > left + 1 && c[right - 1] == ' ',
            "text runs into the border: {l}\n{s}"
        );
        checked += 1;
    }
    assert!(checked >= 8, "{s}");
    let all = rows.join(" ");
    for entry in [
        "s  transport_stop — Stop and return to where playback started (gg goes to the start)",
        "C  count_in_toggle — Turn the one-bar count-in before playback on or off",
    ] {
        assert!(all.contains(entry), "{entry} whole:\n{s}");
    }
}

#[test]
fn long_track_and_clip_names_give_way_in_the_status_line() {
    home();
    let dir = tempfile::tempdir().unwrap();
    let mut p = project(piano(), vec![note(60, 0.0, 0)]);
    p.tracks[0].name = "Background Vocals Left (doubled)".into();
    p.tracks[0].clips[0].name = "Chorus harmony, third take".into();
    let mut app = app_with(p, dir.path());
    let s = status_row(&mut app);
    assert!(
        s.starts_with(" NORMAL  Background Vocals Left (doubled)  @ 1.1.1  grid 1/4 "),
        "short enough: whole: {s}"
    );
    press(&mut app, "<ret>");
    app.piano.pitch = 60;
    let s = status_row(&mut app);
    assert!(
        s.starts_with(" NORMAL  Background Vocals Left (doubled) / Cho"),
        "{s}"
    );
    assert!(
        s.ends_with("…  C4  @ 1.1.1  grid 1/16  saved "),
        "the names give way, the rest stays whole: {s}"
    );
    assert_eq!(s.chars().count(), 80);
}
