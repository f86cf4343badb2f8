//! Free scrolling in the piano roll: Ctrl-e/Ctrl-y move the pitch rows, `z h`/`z l` a bar and
//! `z H`/`z L` half a screen of time, and the mouse wheel scrolls the view; the cursor is pulled
//! only as far as it must be to stay on screen.

mod ui_support;

use crossterm::event::{KeyModifiers, MouseEvent, MouseEventKind};
use tdaw::ui::keymap::ViewKind;
use tdaw::ui::views::piano_roll::{grid_cols, grid_rows};
use tdaw::ui::{update, Action, App};
use ui_support::{demo_app, press, text};

fn wheel(app: &mut App, kind: MouseEventKind, modifiers: KeyModifiers) {
    let main = app.main_area();
    update(
        app,
        Action::Mouse(MouseEvent {
            kind,
            column: main.x + 20,
            row: main.y + 5,
            modifiers,
        }),
    );
}

/// The cursor cell is inside the visible pitch rows and time columns.
fn assert_cursor_on_screen(app: &App) {
    let main = app.main_area();
    let rows = grid_rows(main) as u8;
    let span = grid_cols(main) as f64 / app.piano.cols_per_beat();
    let p = &app.piano;
    assert!(
        p.pitch <= p.top_pitch && p.pitch + rows > p.top_pitch,
        "pitch {} outside rows {}..={}",
        p.pitch,
        p.top_pitch + 1 - rows,
        p.top_pitch
    );
    assert!(
        p.cursor >= p.scroll_beat && p.cursor + p.grid <= p.scroll_beat + span + 1e-9,
        "beat {} outside {}..{}",
        p.cursor,
        p.scroll_beat,
        p.scroll_beat + span
    );
}

#[test]
fn the_piano_roll_scrolls_freely_with_the_cursor_kept_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    // The lead clip (track 3, beats 32..48, 16 beats long), zoomed to 16 columns a beat.
    press(&mut app, "3j32l<ret>zizi");
    assert_eq!(app.view, ViewKind::PianoRoll);
    let main = app.main_area();
    let rows = grid_rows(main) as u8;
    let span = grid_cols(main) as f64 / app.piano.cols_per_beat();
    // 120x40: 31 pitch rows (57..=87 around the cursor's 72), about 7.2 beats of time.
    assert_eq!((rows, app.piano.top_pitch, app.piano.pitch), (31, 87, 72));
    assert!((span - 7.1875).abs() < 1e-9);
    let g = app.piano.grid;
    assert_eq!(g, 0.25);

    // Vertically: the rows move, the cursor only when it would leave the screen.
    press(&mut app, "3<C-e>");
    assert_eq!((app.piano.top_pitch, app.piano.pitch), (84, 72));
    press(&mut app, "20<C-e>");
    assert_eq!(app.piano.top_pitch, 64);
    assert_eq!(app.piano.pitch, 64, "pulled to the top row");
    assert_cursor_on_screen(&app);
    press(&mut app, "5<C-y>");
    assert_eq!((app.piano.top_pitch, app.piano.pitch), (69, 64));
    let screen = text(&mut app, 120, 40);
    assert!(screen.contains("C4") && !screen.contains("C5"), "{screen}");
    press(&mut app, "99<C-y>");
    assert_eq!(app.piano.top_pitch, 127, "stops at the highest pitch");
    assert_eq!(app.piano.pitch, 127 + 1 - rows, "pulled to the bottom row");
    press(&mut app, "999<C-e>");
    assert_eq!(app.piano.top_pitch, rows - 1, "stops at pitch 0");
    assert_eq!(app.piano.pitch, rows - 1);
    assert_cursor_on_screen(&app);

    // Horizontally by bars and half screens; the cursor follows only as far as it must.
    assert_eq!((app.piano.scroll_beat, app.piano.cursor), (0.0, 0.0));
    press(&mut app, "zl");
    assert_eq!((app.piano.scroll_beat, app.piano.cursor), (4.0, 4.0));
    press(&mut app, "zL");
    assert!((app.piano.scroll_beat - (4.0 + span / 2.0)).abs() < 1e-9);
    assert_eq!(app.piano.cursor, 7.75, "the first grid line on screen");
    press(&mut app, "zH");
    assert_eq!(app.piano.scroll_beat, 4.0);
    assert_eq!(app.piano.cursor, 7.75, "still visible: not moved");
    press(&mut app, "99zl");
    assert_eq!(
        app.piano.scroll_beat, 12.0,
        "the clip's last bar stays on screen"
    );
    assert_eq!(app.piano.cursor, 12.0);
    press(&mut app, "99zh");
    assert_eq!(app.piano.scroll_beat, 0.0);
    assert_eq!(app.piano.cursor, 6.75, "the last whole grid step on screen");
    assert_cursor_on_screen(&app);

    // The mouse wheel scrolls the view (three rows a notch) and, with Shift or a horizontal
    // wheel, the time axis a bar a notch; it no longer moves the cursor.
    press(&mut app, "20<C-y>");
    let (top, pitch) = (app.piano.top_pitch, app.piano.pitch);
    wheel(&mut app, MouseEventKind::ScrollUp, KeyModifiers::NONE);
    assert_eq!((app.piano.top_pitch, app.piano.pitch), (top + 3, pitch));
    wheel(&mut app, MouseEventKind::ScrollDown, KeyModifiers::NONE);
    wheel(&mut app, MouseEventKind::ScrollDown, KeyModifiers::NONE);
    assert_eq!((app.piano.top_pitch, app.piano.pitch), (top - 3, pitch));
    wheel(&mut app, MouseEventKind::ScrollDown, KeyModifiers::SHIFT);
    assert_eq!(app.piano.scroll_beat, 4.0);
    assert_eq!(app.piano.cursor, 6.75);
    wheel(&mut app, MouseEventKind::ScrollRight, KeyModifiers::NONE);
    assert_eq!(app.piano.scroll_beat, 8.0);
    assert_eq!(app.piano.cursor, 8.0);
    wheel(&mut app, MouseEventKind::ScrollLeft, KeyModifiers::NONE);
    wheel(&mut app, MouseEventKind::ScrollUp, KeyModifiers::SHIFT);
    assert_eq!(app.piano.scroll_beat, 0.0);
    assert_cursor_on_screen(&app);

    // Moving the cursor still scrolls to it.
    press(&mut app, "12l");
    assert_eq!(app.piano.cursor, 9.75, "twelve grid steps");
    assert!(app.piano.scroll_beat > 3.0);
    assert_cursor_on_screen(&app);
}
