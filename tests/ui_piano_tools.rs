//! The MIDI toolkit in the piano roll: play mode (the computer keyboard as a musical keyboard,
//! recording on an armed track), ghost notes of the track's other clips, scale snap and its
//! dimmed rows, and the `:` tools (quantize with options, transpose in key, humanize, groove,
//! arp, chords, key detection), each checked by the notes it leaves, its one undo step and the
//! one error line bad input gives.

mod tmux_support;
mod ui_support;

use tdaw::model::{
    Clip, ClipContent, ClipId, Edit, MidiClip, Note, Project, Track, TrackField, TrackId, TrackKind,
};
use tdaw::ui::keymap::{Mode, ViewKind};
use tdaw::ui::App;
use ui_support::{app_with, press, screen};

const KEYS: TrackId = TrackId(1);

fn note(pitch: u8, start: f64, length: f64) -> Note {
    Note {
        pitch,
        start,
        length,
        velocity: 100,
        channel: 0,
    }
}

/// A MIDI track "Keys" with two one-bar clips: C E G and an off-grid B at 3.1 in the first,
/// one high C (72) at the start of the second (the ghost seen from the first).
fn project() -> Project {
    let mut p = Project::new("Tools", 48_000, 120.0);
    let mut t = Track::new(KEYS, "Keys", TrackKind::Midi);
    let mut a = MidiClip::new(4.0);
    a.notes = vec![
        note(60, 0.0, 1.0),
        note(64, 1.0, 1.0),
        note(67, 2.0, 1.0),
        note(71, 3.1, 0.3),
    ];
    let mut b = MidiClip::new(4.0);
    b.notes = vec![note(72, 0.0, 1.0)];
    t.clips.push(Clip {
        id: ClipId(1),
        name: "A".into(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Midi(a),
    });
    t.clips.push(Clip {
        id: ClipId(2),
        name: "B".into(),
        start: 4.0,
        lane: 0,
        take: None,
        content: ClipContent::Midi(b),
    });
    p.tracks.push(t);
    p
}

/// The App on [`project`] with clip A open in the piano roll.
fn open(dir: &std::path::Path) -> App {
    let mut app = app_with(project(), dir);
    press(&mut app, "<ret>");
    assert_eq!(app.view, ViewKind::PianoRoll);
    app
}

fn notes(app: &App, clip: usize) -> Vec<Note> {
    match &app.project.tracks[0].clips[clip].content {
        ClipContent::Midi(m) => m.notes.clone(),
        ClipContent::Audio(_) => panic!("not MIDI"),
    }
}

fn pitches(app: &App) -> Vec<u8> {
    notes(app, 0).iter().map(|n| n.pitch).collect()
}

/// The symbol drawn for `pitch` at grid column `col` (piano roll at 120x40).
fn cell(app: &mut App, pitch: u8, col: u16) -> String {
    let t = screen(app, 120, 40);
    let main = app.main_area();
    let y = main.y + 1 + (app.piano.top_pitch - pitch) as u16;
    let x = main.x + tdaw::ui::views::piano_roll::KEYS_W + col;
    t.backend().buffer()[(x, y)].symbol().to_string()
}

fn status_line(app: &mut App) -> String {
    let t = screen(app, 120, 40);
    let buf = t.backend().buffer();
    (0..120).map(|x| buf[(x, 38)].symbol()).collect()
}

#[test]
fn play_mode_sounds_keys_and_records_only_on_an_armed_track() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    press(&mut app, "P");
    assert_eq!(app.mode, Mode::Play);
    let line = status_line(&mut app);
    assert!(line.contains(" PLAY "), "{line}");
    assert!(line.contains("C4–C5 vel 100"), "{line}");
    assert!(line.contains("no key release"), "{line}");
    // Not armed: keys sound (the last one shows) and write nothing.
    press(&mut app, "adk");
    assert_eq!(app.piano.played, Some(72));
    assert_eq!(pitches(&app), vec![60, 64, 67, 71]);
    assert!(!app.history.can_undo());
    // Armed and stopped: step entry at the cursor, which steps on a grid step each.
    app.apply(
        Edit::SetTrack {
            id: KEYS,
            field: TrackField::Arm(true),
        },
        "arm",
    );
    app.piano.cursor = 0.5;
    press(&mut app, "xcw");
    assert_eq!(app.piano.play_base, 72);
    assert_eq!(app.piano.play_velocity, 84);
    let n = notes(&app, 0);
    let w = n.iter().find(|n| n.pitch == 73).expect("C#5 written");
    assert_eq!((w.start, w.length, w.velocity), (0.5, 0.25, 84));
    assert_eq!(app.piano.cursor, 0.75);
    assert!(status_line(&mut app).contains("step entry"));
    // Playing: the note lands at the playhead (in the clip's beats), the cursor follows.
    app.transport.playing = true;
    app.transport.beat = 2.3;
    press(&mut app, "z");
    press(&mut app, "h");
    let at = notes(&app, 0)
        .into_iter()
        .find(|n| n.pitch == 69 && (n.start - 2.3).abs() < 1e-9)
        .expect("A4 at the playhead");
    assert_eq!(at.length, 0.25);
    assert_eq!(app.piano.cursor, 2.25);
    // Each written note is one undo step; esc leaves play mode first (u plays an A# there).
    press(&mut app, "<esc>");
    assert_eq!(app.mode, Mode::Normal);
    press(&mut app, "u");
    assert_eq!(pitches(&app), vec![60, 73, 64, 67, 71]);
}

#[test]
fn ghost_notes_of_the_other_clip_show_dimmed_and_stay_out_of_reach() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    app.piano.top_pitch = 80;
    app.piano.scroll_beat = 0.0;
    // Clip B's C5 starts at project beat 4: column 16 at 4 columns a beat, four columns long.
    let cpb = app.piano.cols_per_beat() as u16;
    assert_eq!(cpb, 4);
    for col in 16..20 {
        assert_eq!(cell(&mut app, 72, col), "▒", "column {col}");
    }
    assert_ne!(cell(&mut app, 72, 20), "▒");
    // A ghost is not a note of this clip: x on it deletes nothing.
    app.piano.cursor = 4.0;
    app.piano.pitch = 72;
    press(&mut app, "x");
    assert!(app.status.error);
    assert_eq!(notes(&app, 1).len(), 1);
}

#[test]
fn scale_snap_dims_off_scale_rows_and_snaps_inserted_and_moved_notes() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    app.piano.top_pitch = 70;
    // Without a key the rows of C major are dotted: G3 is, G#3 is not.
    assert_eq!(cell(&mut app, 55, 1), "·");
    assert_eq!(cell(&mut app, 56, 1), " ");
    press(&mut app, ":scale<ret>");
    assert!(app.status.error, "no project key to default to");
    assert!(app.status.text.contains("no project key"));
    press(&mut app, ":scale E<ret>");
    assert_eq!(
        app.piano.snap.map(|s| s.to_string()).as_deref(),
        Some("E major")
    );
    assert_eq!(cell(&mut app, 55, 1), " ");
    assert_eq!(cell(&mut app, 56, 1), "·");
    assert!(status_line(&mut app).contains("snap E major"));
    press(&mut app, ":scale H lydian<ret>");
    assert!(
        app.status.error && app.status.text.contains('H'),
        "{}",
        app.status.text
    );
    // C4 is not in E major: a note inserted there lands on B3 (the lower on a tie).
    app.piano.cursor = 2.5;
    app.piano.pitch = 60;
    press(&mut app, "a");
    assert!(notes(&app, 0)
        .iter()
        .any(|n| n.pitch == 59 && n.start == 2.5));
    // K moves it a degree up: B3 → C#4.
    app.piano.pitch = 59;
    press(&mut app, "K");
    assert!(notes(&app, 0)
        .iter()
        .any(|n| n.pitch == 61 && n.start == 2.5));
    press(&mut app, ":scale off<ret>");
    assert!(app.piano.snap.is_none());
    assert_eq!(cell(&mut app, 55, 1), "·");
}

#[test]
fn quantize_takes_a_grid_and_a_strength_in_one_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    press(&mut app, ":quantize 1/8 strength=50<ret>");
    assert!(!app.status.error, "{}", app.status.text);
    let b = notes(&app, 0).into_iter().find(|n| n.pitch == 71).unwrap();
    // 3.1 goes half way to 3.0; 0.3 half way to one 1/8 step (0.5).
    assert!((b.start - 3.05).abs() < 1e-9 && (b.length - 0.4).abs() < 1e-9);
    press(&mut app, "u");
    assert_eq!(notes(&app, 0), project_notes());
    for (bad, says) in [
        (":quantize 1/7<ret>", "'1/7' is not a note value"),
        (
            ":quantize 1/16 strength=150<ret>",
            "strength=150 is outside 0..=100",
        ),
        (":quantize 1/16 force=3<ret>", "unknown option 'force'"),
    ] {
        press(&mut app, bad);
        assert!(app.status.error, "{bad}");
        assert!(app.status.text.contains(says), "{bad}: {}", app.status.text);
        assert_eq!(notes(&app, 0), project_notes());
    }
}

fn project_notes() -> Vec<Note> {
    match &project().tracks[0].clips[0].content {
        ClipContent::Midi(m) => m.notes.clone(),
        ClipContent::Audio(_) => unreachable!(),
    }
}

#[test]
fn transpose_in_key_moves_by_scale_steps_on_the_selection() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    press(&mut app, ":transpose 1 inkey<ret>");
    assert!(app.status.error && app.status.text.contains("no scale"));
    press(&mut app, ":key C<ret>");
    press(&mut app, ":transpose 1 inkey<ret>");
    assert_eq!(pitches(&app), vec![62, 65, 69, 72]);
    assert!(
        app.status.text.contains("1 step of C"),
        "{}",
        app.status.text
    );
    press(&mut app, "u");
    assert_eq!(pitches(&app), vec![60, 64, 67, 71]);
    // From visual mode the command acts on the selection it was opened from.
    app.piano.cursor = 0.0;
    press(&mut app, "vl:transpose -2 inkey<ret>");
    assert_eq!(pitches(&app), vec![57, 64, 67, 71]);
    // Plain semitones keep working.
    press(&mut app, ":transpose 12<ret>");
    assert_eq!(pitches(&app), vec![69, 76, 79, 83]);
    press(&mut app, ":transpose 2 sideways<ret>");
    assert!(app.status.error);
}

#[test]
fn the_chord_key_and_tool_keys_open_their_prompts() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    press(&mut app, "c");
    assert_eq!(
        (app.mode, app.cmdline.text.as_str()),
        (Mode::Command, "chord ")
    );
    press(&mut app, "<esc>tq");
    assert_eq!(app.cmdline.text, "quantize ");
    press(&mut app, "<esc>tg");
    assert_eq!(app.cmdline.text, "groove ");
    press(&mut app, "<esc>ts");
    assert_eq!(app.cmdline.text, "scale ");
    press(&mut app, "<esc>");
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn humanize_is_seeded_bounded_and_one_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    press(&mut app, ":humanize time=20 vel=10 seed=7<ret>");
    assert!(!app.status.error, "{}", app.status.text);
    let once = notes(&app, 0);
    assert_ne!(once, project_notes());
    // 20 ms at 120 BPM is 0.04 beats.
    for (a, b) in once.iter().zip(project_notes()) {
        assert!((a.start - b.start).abs() <= 0.04 + 1e-9, "{a:?} vs {b:?}");
        assert!((a.velocity as i32 - b.velocity as i32).abs() <= 10);
        assert_eq!((a.pitch, a.length), (b.pitch, b.length));
    }
    press(&mut app, "u");
    assert_eq!(notes(&app, 0), project_notes());
    // The same seed gives the same notes; `t h` humanizes with the defaults.
    press(&mut app, ":humanize time=20 vel=10 seed=7<ret>");
    assert_eq!(notes(&app, 0), once);
    press(&mut app, "uth");
    assert_ne!(notes(&app, 0), project_notes());
    press(&mut app, "u");
    press(&mut app, ":humanize vel=300<ret>");
    assert!(app.status.error && app.status.text.contains("vel=300"));
    press(&mut app, ":humanize seed=x<ret>");
    assert!(app.status.error && app.status.text.contains("seed=x"));
    assert_eq!(notes(&app, 0), project_notes());
}

#[test]
fn groove_templates_and_a_kept_groove_move_notes() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    press(&mut app, ":groove shuffle<ret>");
    assert!(app.status.error && app.status.text.contains("'shuffle'"));
    press(&mut app, ":groove apply<ret>");
    assert!(app.status.error && app.status.text.contains("no groove kept"));
    press(&mut app, ":groove laidback<ret>");
    assert!(!app.status.error, "{}", app.status.text);
    assert_ne!(notes(&app, 0), project_notes());
    press(&mut app, "u");
    assert_eq!(notes(&app, 0), project_notes());
    // Take clip A's groove (its B sits 0.1 late on the beat 3 step) and put it on clip B.
    press(&mut app, ":groove extract<ret>");
    assert!(app.piano.groove.is_some(), "{}", app.status.text);
    let rev = app.history.revision();
    app.piano.clip = Some(ClipId(2));
    press(&mut app, ":groove apply<ret>");
    assert!(!app.status.error, "{}", app.status.text);
    assert_eq!(app.history.revision(), rev + 1, "one edit");
    // Clip B's note on step 0 moves as clip A's notes on step 0 did (not at all).
    assert_eq!(notes(&app, 1)[0].start, 0.0);
}

#[test]
fn arp_renders_the_chord_into_notes_and_sets_the_live_arp() {
    let dir = tempfile::tempdir().unwrap();
    let mut project = project();
    // A C major triad held for one beat at beat 0 in clip A, nothing else.
    if let ClipContent::Midi(m) = &mut project.tracks[0].clips[0].content {
        m.notes = vec![note(60, 0.0, 1.0), note(64, 0.0, 1.0), note(67, 0.0, 1.0)];
    }
    let mut app = app_with(project, dir.path());
    press(&mut app, "<ret>");
    press(&mut app, ":arp sideways 1/16<ret>");
    assert!(app.status.error && app.status.text.contains("sideways"));
    press(&mut app, ":arp up 1/16 gate=50<ret>");
    assert!(!app.status.error, "{}", app.status.text);
    let got: Vec<(u8, f64, f64)> = notes(&app, 0)
        .iter()
        .map(|n| (n.pitch, n.start, n.length))
        .collect();
    assert_eq!(
        got,
        vec![
            (60, 0.0, 0.125),
            (64, 0.25, 0.125),
            (67, 0.5, 0.125),
            (60, 0.75, 0.125)
        ]
    );
    press(&mut app, "u");
    assert_eq!(notes(&app, 0).len(), 3);
    // The live arpeggiator is the track's setting: one edit each way.
    press(&mut app, ":arp live updown 1/8 oct=2<ret>");
    let arp = app.project.tracks[0].arp.clone().expect("arp set");
    assert_eq!((arp.rate, arp.octaves), (0.5, 2));
    press(&mut app, ":arp live off<ret>");
    assert!(app.project.tracks[0].arp.is_none());
    press(&mut app, "u");
    assert!(app.project.tracks[0].arp.is_some());
}

#[test]
fn a_typed_chord_lands_at_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    app.piano.cursor = 0.5;
    app.piano.pitch = 50;
    // c opens the prompt; the chord sits at the cursor in the cursor's octave, a grid step long.
    press(&mut app, "cCmaj7<ret>");
    assert!(!app.status.error, "{}", app.status.text);
    let at: Vec<(u8, f64)> = notes(&app, 0)
        .iter()
        .filter(|n| n.start == 0.5)
        .map(|n| (n.pitch, n.length))
        .collect();
    assert_eq!(at, vec![(48, 0.25), (52, 0.25), (55, 0.25), (59, 0.25)]);
    press(&mut app, "u");
    assert_eq!(notes(&app, 0), project_notes());
    // A length is kept for the next chords; a numeral reads in the project key.
    press(&mut app, ":key Am<ret>:chord Am/E 1/2<ret>");
    assert!(!app.status.error, "{}", app.status.text);
    app.piano.cursor = 2.5;
    press(&mut app, ":chord iv<ret>");
    assert!(!app.status.error, "{}", app.status.text);
    let iv: Vec<(u8, f64)> = notes(&app, 0)
        .iter()
        .filter(|n| n.start == 2.5)
        .map(|n| (n.pitch % 12, n.length))
        .collect();
    assert_eq!(
        iv,
        vec![(2, 2.0), (5, 2.0), (9, 2.0)],
        "D minor, a half note"
    );
    // It ends past the clip's bar: the clip grows to two bars.
    match &app.project.tracks[0].clips[0].content {
        ClipContent::Midi(m) => assert_eq!(m.length, 8.0),
        ClipContent::Audio(_) => unreachable!(),
    }
    press(&mut app, ":chord Hmaj7<ret>");
    assert!(
        app.status.error && app.status.text.contains("Hmaj7"),
        "{}",
        app.status.text
    );
}

/// Play mode in a real terminal: the arrange view arms the lead track, Enter opens its clip,
/// `P` shows PLAY, keys (two octaves up with `x x`) write C6 D6 E6 step by step, and `:w`
/// saves them.
#[test]
fn play_mode_in_tmux_records_step_entry_on_an_armed_track() {
    use std::time::Duration;
    if !tmux_support::tmux_available() {
        println!("note: tmux is not installed; skipping the play-mode terminal test");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("song");
    tdaw::store::create_project(&dir, 48_000, 120.0).unwrap();
    tdaw::store::write_project(&dir, &ui_support::demo_parts()).unwrap();
    let bin = env!("CARGO_BIN_EXE_tdaw");
    let script = format!(
        "TDAW_HOME='{}' TERM=xterm-256color '{bin}' '{}'; echo EXITED:$?; sleep 30",
        home.path().display(),
        dir.display()
    );
    let tmux = tmux_support::Tmux::new(format!("tdaw-play-{}", std::process::id()), "play");
    tmux.start(100, 30, &script);
    tmux.wait_for("Chords", Duration::from_secs(10));
    tmux.keys(&["3j", "R"]);
    tmux.wait_for("Lead armed", Duration::from_secs(3));
    tmux.keys(&["32l", "Enter"]);
    tmux.wait_for("Lead / ", Duration::from_secs(3));
    tmux.keys(&["P"]);
    tmux.wait_for("PLAY", Duration::from_secs(3));
    tmux.keys(&["x", "x", "a", "s", "d"]);
    tmux.wait_for("♪ E6", Duration::from_secs(3));
    assert!(tmux.capture().contains("step entry"));
    tmux.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(150));
    tmux.keys(&[":w", "Enter"]);
    tmux.wait_for("Saved", Duration::from_secs(3));
    tmux.keys(&[":q", "Enter"]);
    tmux.wait_for("EXITED:0", Duration::from_secs(3));
    let saved = tdaw::store::load_project(&dir).unwrap();
    let lead = &saved.tracks[3].clips[0];
    let ClipContent::Midi(m) = &lead.content else {
        panic!("the lead clip is MIDI")
    };
    let played: Vec<(u8, f64)> = m
        .notes
        .iter()
        .filter(|n| n.pitch >= 84)
        .map(|n| (n.pitch, n.start - m.offset))
        .collect();
    assert_eq!(played, vec![(84, 0.0), (86, 0.25), (88, 0.5)]);
}

#[test]
fn chords_make_a_new_clip_at_the_cursor_and_key_names_the_notes_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    // The notes C E G B: the piano roll's :key names their key and offers to set it.
    press(&mut app, ":key<ret>");
    assert!(!app.status.error, "{}", app.status.text);
    assert!(
        app.status.text.starts_with("No key set; the notes are in ")
            && app.status.text.contains("confidence")
            && app.status.text.contains(":key "),
        "{}",
        app.status.text
    );
    // Numerals read in key=; two beats a chord; one new clip, one undo step.
    let before = app.piano.clip;
    app.piano.cursor = 0.0;
    press(&mut app, ":chords i VI III VII key=Am beats=2<ret>");
    assert!(!app.status.error, "{}", app.status.text);
    let clips = &app.project.tracks[0].clips;
    assert_eq!(clips.len(), 3, "a third clip");
    let new = clips
        .iter()
        .find(|c| c.name == "Am F C G")
        .expect("the clip is named by its chords");
    let ClipContent::Midi(m) = &new.content else {
        panic!("not MIDI")
    };
    assert_eq!(m.length, 8.0);
    let first: Vec<u8> = {
        let mut v: Vec<u8> = m
            .notes
            .iter()
            .filter(|n| n.start == 0.0)
            .map(|n| n.pitch % 12)
            .collect();
        v.sort();
        v
    };
    assert_eq!(first, vec![0, 4, 9], "A minor: A C E");
    let last: Vec<u8> = {
        let mut v: Vec<u8> = m
            .notes
            .iter()
            .filter(|n| n.start == 6.0)
            .map(|n| n.pitch % 12)
            .collect();
        v.sort();
        v
    };
    assert_eq!(last, vec![2, 7, 11], "G major: G B D");
    press(&mut app, "u");
    assert_eq!(
        app.project.tracks[0].clips.len(),
        2,
        "u takes the clip back"
    );
    // The piano roll goes back to the clip the chords were made from, at once.
    assert_eq!(
        app.piano.clip, before,
        "the roll shows the clip it showed before"
    );
    assert!(app.piano_clip().is_some());
    // A bad symbol is named and nothing changes.
    assert_eq!(app.view, ViewKind::PianoRoll);
    press(&mut app, ":chords Am Hx<ret>");
    assert!(
        app.status.error && app.status.text.contains("Hx"),
        "{}",
        app.status.text
    );
    assert_eq!(app.project.tracks[0].clips.len(), 2);
}
