//! The gaps a first user session found, each driven the way a user meets it: undo back to the
//! save, the metronome and count-in keys, `g s` against a running (silent) engine, free
//! scrolling of the arrange view, and dragging clips with the mouse.

mod ui_support;

use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use std::time::{Duration, Instant};
use tdaw::model::Project;
use tdaw::ui::app::Popup;
use tdaw::ui::{update, Action, App};
use ui_support::{app_with, demo_app, press, text, with_null_engine};

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
            "timed out waiting for {what}: transport {:?}, status {:?}",
            app.transport,
            app.status
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn mouse(app: &mut App, kind: MouseEventKind, column: u16, row: u16) {
    update(
        app,
        Action::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }),
    );
}

#[test]
fn undoing_back_to_the_save_is_saved_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    assert!(!app.unsaved());
    press(&mut app, "mjm");
    assert!(app.unsaved());
    press(&mut app, "uu");
    assert!(!app.unsaved(), "back at the opened project");
    assert!(text(&mut app, 120, 40).contains(" saved "));
    press(&mut app, ":q<ret>");
    assert!(app.quit && app.popups.is_empty(), "nothing to ask about");

    // After a save, the saved state is the reference: undoing past it is a change again, and
    // redoing back to it is saved.
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "m:bpm 100<ret>:w<ret>");
    assert!(!app.unsaved());
    press(&mut app, "u");
    assert!(app.unsaved());
    assert!(text(&mut app, 120, 40).contains("unsaved"));
    press(&mut app, "<C-r>");
    assert!(!app.unsaved());
    // The same value reached another way is also what is on disk.
    press(&mut app, ":bpm 120<ret>:bpm 100<ret>");
    assert!(!app.unsaved());
    press(&mut app, "u");
    assert!(app.unsaved());
    press(&mut app, ":q<ret>");
    assert_eq!(app.popups, vec![Popup::ConfirmQuit]);
}

#[test]
fn metronome_and_count_in_have_keys_commands_and_a_place_in_the_top_bar() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let top = |app: &mut App| text(app, 120, 40).lines().next().unwrap().to_string();
    assert!(
        top(&mut app).contains("click off  count-in off"),
        "{}",
        top(&mut app)
    );
    press(&mut app, "gc");
    assert!(app.metronome && !app.count_in);
    assert!(
        app.status.text.starts_with("Metronome on"),
        "{:?}",
        app.status
    );
    assert!(top(&mut app).contains("click on  count-in off"));
    press(&mut app, "gC");
    assert!(app.metronome && app.count_in);
    assert!(top(&mut app).contains("click on  count-in on"));
    press(&mut app, ":metronome off<ret>:countin<ret>");
    assert!(!app.metronome && !app.count_in);
    press(&mut app, ":countin on<ret>");
    assert!(app.count_in);
    press(&mut app, ":metronome loud<ret>");
    assert!(app.status.error && app.status.text.contains("on or off"));
    // Not an edit of the project.
    assert!(!app.unsaved() && !app.history.can_undo());
    // Help lists both under their keys.
    press(&mut app, "?");
    let help = text(&mut app, 160, 48);
    assert!(help.contains("metronome"), "{help}");
}

#[test]
fn the_count_in_reaches_the_engine() {
    // At 120 BPM in 4/4 the count-in holds the playhead for 2 s; without it, it moves at once.
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(Project::new("click", 48_000, 120.0), dir.path());
    with_null_engine(&mut app);
    press(&mut app, "gC<space>");
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_millis(800) {
        update(&mut app, Action::Tick);
        assert!(app.transport.beat < 1e-6, "{:?}", app.transport);
        std::thread::sleep(Duration::from_millis(20));
    }
    tick_until(&mut app, "playback after the count-in", |a| {
        a.transport.beat > 0.1
    });
    assert!(
        t0.elapsed() > Duration::from_millis(1800),
        "{:?}",
        t0.elapsed()
    );
    press(&mut app, "gsgsgC<space>");
    let t0 = Instant::now();
    tick_until(&mut app, "playback without a count-in", |a| {
        a.transport.beat > 0.1
    });
    assert!(
        t0.elapsed() < Duration::from_millis(1500),
        "{:?}",
        t0.elapsed()
    );
}

#[test]
fn g_s_stops_and_returns_to_where_playback_started() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    with_null_engine(&mut app);
    press(&mut app, "8l<C-space>");
    tick_until(&mut app, "playback past beat 8.2", |a| {
        a.transport.playing && a.transport.beat > 8.2
    });
    press(&mut app, "gs");
    tick_until(&mut app, "stop at beat 8", |a| {
        !a.transport.playing && (a.transport.beat - 8.0).abs() < 1e-3
    });
    // Stopped already: g s goes to the start.
    press(&mut app, "gs");
    tick_until(&mut app, "the start", |a| a.transport.beat.abs() < 1e-9);
    let doc = tdaw::ui::Cmd::TransportStop.doc();
    assert!(doc.contains("where playback started"), "{doc}");
}

/// A project of `n` MIDI tracks with a one-bar clip at bar `i + 1` on track `i`, 64 bars long.
fn many_tracks(n: usize) -> Project {
    let mut p = Project::new("many", 48_000, 120.0);
    for i in 0..n {
        let mut t = tdaw::model::Track::new(
            tdaw::model::TrackId(i as u64 + 1),
            format!("T{i}"),
            tdaw::model::TrackKind::Midi,
        );
        t.clips.push(tdaw::model::Clip {
            id: tdaw::model::ClipId(i as u64 + 1),
            name: format!("c{i}"),
            start: if i == 0 { 252.0 } else { i as f64 * 4.0 },
            lane: 0,
            take: None,
            content: tdaw::model::ClipContent::Midi(tdaw::model::MidiClip {
                offset: 0.0,
                controllers: Vec::new(),
                length: 4.0,
                notes: vec![],
            }),
        });
        p.tracks.push(t);
    }
    p
}

#[test]
fn the_arrange_view_scrolls_freely_with_the_cursor_kept_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(many_tracks(40), dir.path());
    // 120x40: 17 track rows, 96 timeline columns (96 beats at one column per beat).
    press(&mut app, "<C-e><C-e><C-e>");
    assert_eq!(app.arrange.scroll_track, 3);
    assert_eq!(app.arrange.track, 3, "the cursor is pulled onto the screen");
    press(&mut app, "5<C-y>");
    assert_eq!(app.arrange.scroll_track, 0);
    assert_eq!(app.arrange.track, 3, "it stays where it is while visible");
    press(&mut app, "99<C-e>");
    assert_eq!(app.arrange.scroll_track, 40 - 17, "stops at the last track");
    // Horizontally by bars and half screens; the cursor follows only as far as it must.
    press(&mut app, "zl");
    assert_eq!(app.arrange.scroll_beat, 4.0);
    assert_eq!(app.arrange.cursor, 4.0);
    press(&mut app, "zL");
    assert_eq!(app.arrange.scroll_beat, 52.0);
    assert_eq!(app.arrange.cursor, 52.0);
    press(&mut app, "zH");
    assert_eq!(app.arrange.scroll_beat, 4.0);
    assert_eq!(app.arrange.cursor, 52.0, "still visible: not moved");
    press(&mut app, "99zl");
    assert_eq!(
        app.arrange.scroll_beat, 252.0,
        "the last bar stays on screen"
    );
    press(&mut app, "99zh");
    assert_eq!(app.arrange.scroll_beat, 0.0);
    let screen = text(&mut app, 120, 40);
    assert!(
        screen.contains("T23") && !screen.contains("T22 "),
        "{screen}"
    );
    // The mouse wheel: vertical, and with Shift (or a horizontal wheel) the timeline.
    mouse(&mut app, MouseEventKind::ScrollUp, 60, 20);
    assert_eq!(app.arrange.scroll_track, 22);
    update(
        &mut app,
        Action::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: 60,
            row: 20,
            modifiers: KeyModifiers::SHIFT,
        }),
    );
    assert_eq!(app.arrange.scroll_beat, 4.0);
    mouse(&mut app, MouseEventKind::ScrollLeft, 60, 20);
    assert_eq!(app.arrange.scroll_beat, 0.0);
    // Moving the cursor still scrolls to it.
    press(&mut app, "gg");
    press(&mut app, "200l");
    assert!(app.arrange.scroll_beat > 100.0);
}

#[test]
fn clips_are_dragged_with_the_mouse_as_one_undoable_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let before = app.project.clone();
    // 120x40: main area from row 2; ruler on row 2, the marker lane on row 3, track i on rows
    // 4 + 2i; timeline from column 24 at one column per beat. The Bass clip (track 1) starts
    // at beat 16.
    let bass_row = 4 + 2;
    mouse(
        &mut app,
        MouseEventKind::Down(MouseButton::Left),
        24 + 18,
        bass_row,
    );
    assert_eq!(app.arrange.track, 1, "a click selects");
    assert_eq!(app.arrange.cursor, 18.0);
    mouse(
        &mut app,
        MouseEventKind::Drag(MouseButton::Left),
        24 + 20,
        bass_row,
    );
    mouse(
        &mut app,
        MouseEventKind::Drag(MouseButton::Left),
        24 + 23,
        bass_row,
    );
    // Shown where it lands while dragging...
    assert_eq!(app.project.tracks[1].clips[0].start, 21.0);
    assert!(!app.history.can_undo(), "not yet an edit");
    // ...and a MIDI clip cannot land on... every demo track is MIDI: drag it down a track.
    mouse(
        &mut app,
        MouseEventKind::Drag(MouseButton::Left),
        24 + 23,
        bass_row + 2,
    );
    mouse(
        &mut app,
        MouseEventKind::Up(MouseButton::Left),
        24 + 23,
        bass_row + 2,
    );
    let (ti, ci) = app.project.find_clip(tdaw::model::ClipId(5)).unwrap();
    assert_eq!((ti, app.project.tracks[ti].clips[ci].start), (2, 21.0));
    assert_eq!(app.history.undo_len(), 1, "one edit for the whole drag");
    assert_eq!(app.arrange.track, 2);
    press(&mut app, "u");
    assert_eq!(app.project, before);
    // Snapped to the grid (1/4 bar = 1 beat here; a coarser grid snaps to bars).
    press(&mut app, "]]");
    assert_eq!(app.arrange.grid, 4.0);
    mouse(
        &mut app,
        MouseEventKind::Down(MouseButton::Left),
        24 + 17,
        bass_row,
    );
    mouse(
        &mut app,
        MouseEventKind::Drag(MouseButton::Left),
        24 + 22,
        bass_row,
    );
    mouse(
        &mut app,
        MouseEventKind::Up(MouseButton::Left),
        24 + 22,
        bass_row,
    );
    assert_eq!(app.project.tracks[1].clips[0].start, 20.0);
    // A key pressed mid-drag puts the clip back, with no edit.
    let n = app.history.undo_len();
    mouse(
        &mut app,
        MouseEventKind::Down(MouseButton::Left),
        24 + 21,
        bass_row,
    );
    mouse(
        &mut app,
        MouseEventKind::Drag(MouseButton::Left),
        24 + 40,
        bass_row,
    );
    assert_eq!(app.project.tracks[1].clips[0].start, 40.0);
    press(&mut app, "<esc>");
    assert_eq!(app.project.tracks[1].clips[0].start, 20.0);
    mouse(
        &mut app,
        MouseEventKind::Up(MouseButton::Left),
        24 + 40,
        bass_row,
    );
    assert_eq!(app.history.undo_len(), n);
    // A click without a move is no edit.
    mouse(
        &mut app,
        MouseEventKind::Down(MouseButton::Left),
        24 + 21,
        bass_row,
    );
    mouse(
        &mut app,
        MouseEventKind::Up(MouseButton::Left),
        24 + 21,
        bass_row,
    );
    assert_eq!(app.history.undo_len(), n);
}
