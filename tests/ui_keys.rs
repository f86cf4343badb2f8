//! Key-sequence tests: the TUI driven the way a user types, in every mode.

mod ui_support;

use tdaw::model::{ClipContent, Note, TrackKind};
use tdaw::ui::app::Popup;
use tdaw::ui::keymap::{Mode, ViewKind};
use tdaw::ui::App;
use ui_support::{demo_app, press, tick_until, with_null_engine};

fn notes(app: &App) -> Vec<Note> {
    let (ti, ci) = app.piano_clip().expect("a clip in the piano roll");
    match &app.project.tracks[ti].clips[ci].content {
        ClipContent::Midi(m) => m.notes.clone(),
        ClipContent::Audio(_) => panic!("audio clip"),
    }
}

#[test]
fn colon_w_saves_and_colon_q_quits() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, ":bpm 90<ret>");
    assert_eq!(app.project.tempo.initial_bpm(), 90.0);
    assert!(app.unsaved());
    press(&mut app, ":w<ret>");
    assert!(!app.unsaved(), "{:?}", app.status);
    assert!(app.status.text.starts_with("Saved"), "{:?}", app.status);
    let on_disk = tdaw::store::load_project(dir.path()).unwrap();
    assert_eq!(on_disk.tempo.initial_bpm(), 90.0);
    press(&mut app, ":q<ret>");
    assert!(app.quit);
}

#[test]
fn quit_with_unsaved_changes_asks() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "m:q<ret>");
    assert!(!app.quit);
    assert_eq!(app.popups, vec![Popup::ConfirmQuit]);
    press(&mut app, "<esc>");
    assert!(app.popups.is_empty() && !app.quit);
    // y saves, then quits.
    press(&mut app, ":q<ret>y");
    assert!(app.quit && !app.unsaved());
    assert!(tdaw::store::load_project(dir.path()).unwrap().tracks[0].mute);

    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "m:q!<ret>");
    assert!(app.quit);
    assert!(!tdaw::store::load_project(dir.path()).unwrap().tracks[0].mute);
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "m:wq<ret>");
    assert!(app.quit && !app.unsaved());
}

#[test]
fn counts_move_and_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "3j");
    assert_eq!(app.arrange.track, 3);
    press(&mut app, "k12l");
    assert_eq!((app.arrange.track, app.arrange.cursor), (2, 12.0));
    press(&mut app, "99j");
    assert_eq!(app.arrange.track, 3, "clamped to the last track");
    press(&mut app, "gg");
    assert_eq!(app.arrange.cursor, 0.0);
    press(&mut app, "G");
    assert_eq!(app.arrange.cursor, 64.0);
    // `.` repeats the last edit with its count; a new count replaces it.
    press(&mut app, "gm");
    assert_eq!(app.view, ViewKind::Mixer);
    assert_eq!(
        app.mixer.strip, 3,
        "the mixer selects the arrange view's track"
    );
    let before = app.project.tracks[3].gain_db;
    press(&mut app, "2-.");
    assert_eq!(app.project.tracks[3].gain_db, before - 4.0);
    press(&mut app, "3.");
    assert_eq!(app.project.tracks[3].gain_db, before - 7.0);
}

#[test]
fn undo_and_redo_walk_every_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let original = app.project.clone();
    press(&mut app, ":bpm 100<ret>:key Em<ret>mSta");
    assert_eq!(app.project.tracks.len(), 5);
    press(&mut app, "5u");
    assert_eq!(app.project, original);
    press(&mut app, "<C-r><C-r>");
    assert_eq!(app.project.tempo.initial_bpm(), 100.0);
    assert_eq!(app.project.key.unwrap().to_string(), "Em");
    press(&mut app, ":undo<ret>:redo<ret>:undo<ret>");
    assert_eq!(app.project.key.unwrap().to_string(), "Am");
}

#[test]
fn arrange_clip_editing() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    // Lead track (3): Lead clip at beats 32..48, Answer at 48..64.
    press(&mut app, "3j32l");
    let lead_clips = |a: &App| {
        a.project.tracks[3]
            .clips
            .iter()
            .map(|c| c.start)
            .collect::<Vec<_>>()
    };
    press(&mut app, "8ls");
    assert_eq!(lead_clips(&app), vec![32.0, 40.0, 48.0], "split at 40");
    press(&mut app, "x");
    assert_eq!(
        lead_clips(&app),
        vec![32.0, 48.0],
        "x deletes the clip under the cursor"
    );
    press(&mut app, "p");
    assert_eq!(
        lead_clips(&app),
        vec![32.0, 40.0, 48.0],
        "p pastes it back at the cursor"
    );
    press(&mut app, "u");
    press(&mut app, "8hH");
    assert_eq!(
        lead_clips(&app),
        vec![31.0, 48.0],
        "H moves the clip a grid step earlier"
    );
    assert_eq!(app.arrange.cursor, 31.0, "the cursor follows the clip");
    press(&mut app, "<lt><lt>");
    let c = &app.project.tracks[3].clips[0];
    // (u took the pasted clip away again: the Lead clip is 32..40, moved to 31..39.)
    assert_eq!(
        app.project.clip_end_beat(c),
        37.0,
        "< shortens by a grid step"
    );
    press(&mut app, "D");
    assert_eq!(
        lead_clips(&app),
        vec![31.0, 37.0, 48.0],
        "D duplicates right after"
    );
    // K moves the clip to the MIDI track above; an audio track refuses it.
    press(&mut app, "K");
    assert_eq!(app.arrange.track, 2);
    assert!(app.project.tracks[2].clips.iter().any(|c| c.start == 31.0));
    // A new empty clip on an empty spot, opened in the piano roll.
    press(&mut app, "gg3j");
    press(&mut app, "c");
    assert_eq!(app.project.tracks[3].clips[0].start, 0.0);
    press(&mut app, "<ret>");
    assert_eq!(app.view, ViewKind::PianoRoll);
    assert!(notes(&app).is_empty());
}

#[test]
fn visual_mode_in_the_arrange_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    // Select the first 20 beats of Drums and Bass: Hats (0..16), Beat (16..32), Bass (16..48).
    press(&mut app, "v19lj");
    assert_eq!(app.mode, Mode::Visual);
    press(&mut app, "d");
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.project.tracks[0].clips.len(), 2);
    assert!(app.project.tracks[1].clips.len() == 1);
    assert_eq!(app.clipboard.clips.len(), 3);
    press(&mut app, "u");
    assert_eq!(app.project.tracks[0].clips.len(), 4);
    // | loops the selection.
    press(&mut app, "gg4lv3l|");
    let l = app.project.loop_region.unwrap();
    assert_eq!((l.start, l.end, l.enabled), (4.0, 8.0, true));
    press(&mut app, "\\");
    assert!(!app.project.loop_region.unwrap().enabled);
}

#[test]
fn track_commands() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "ta");
    assert_eq!(app.project.tracks[1].name, "MIDI 5");
    assert_eq!(app.arrange.track, 1);
    press(&mut app, "tr");
    assert_eq!(app.mode, Mode::Command);
    press(&mut app, "<C-u>rename Strings<ret>");
    assert_eq!(app.project.tracks[1].name, "Strings");
    press(&mut app, "tk");
    assert_eq!(app.project.tracks[0].name, "Strings");
    press(&mut app, "tA:track add bus FX<ret>");
    assert_eq!(app.project.tracks[1].kind, TrackKind::Audio);
    assert_eq!(app.project.tracks[2].name, "FX");
    assert_eq!(app.project.tracks[2].kind, TrackKind::Bus);
    press(&mut app, "td:track rm<ret>");
    assert_eq!(app.project.tracks.len(), 5);
    press(&mut app, "mSR");
    let t = &app.project.tracks[app.arrange.track];
    assert!(t.mute && t.solo && t.arm);
}

#[test]
fn piano_roll_normal_mode_editing() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    // Lead clip (track 3, beats 32..48): first note E5 (76) at 0 for 1 beat.
    press(&mut app, "3j32l<ret>");
    assert_eq!(app.view, ViewKind::PianoRoll);
    assert_eq!(app.piano.cursor, 0.0);
    let before = notes(&app);
    app.piano.pitch = 76;
    press(&mut app, "K");
    assert_eq!(notes(&app)[0].pitch, 77, "K moves the note up a semitone");
    assert_eq!(app.piano.pitch, 77, "the cursor follows");
    press(&mut app, "J>");
    assert_eq!(notes(&app)[0].length, 1.25, "> lengthens by a grid step");
    let v = notes(&app)[0].velocity;
    press(&mut app, "2-");
    assert_eq!(
        notes(&app)[0].velocity,
        v - 16,
        "- lowers velocity by 8 per count"
    );
    press(&mut app, "x");
    assert_eq!(notes(&app).len(), before.len() - 1);
    press(&mut app, "16lp");
    let n = notes(&app);
    assert!(
        n.iter().any(|x| x.start == 4.0 && x.pitch == 76),
        "p pastes at the cursor"
    );
    // a inserts a note one grid step long at the cursor.
    press(&mut app, "gg");
    app.piano.pitch = 40;
    press(&mut app, "a");
    assert!(notes(&app)
        .iter()
        .any(|x| x.pitch == 40 && x.start == 0.0 && x.length == 0.25));
    // Quantize: put a note off the grid, then q snaps it.
    let (ti, ci) = app.piano_clip().unwrap();
    let mut clip = app.project.tracks[ti].clips[ci].clone();
    if let ClipContent::Midi(m) = &mut clip.content {
        m.notes.push(Note {
            pitch: 50,
            start: 1.1,
            length: 0.3,
            velocity: 90,
            channel: 0,
        });
    }
    let track = app.project.tracks[ti].id;
    app.apply(
        tdaw::model::Edit::ReplaceClip {
            track,
            clip: Box::new(clip),
        },
        "test",
    );
    press(&mut app, "q");
    let q = notes(&app).into_iter().find(|x| x.pitch == 50).unwrap();
    assert_eq!((q.start, q.length), (1.0, 0.25));
}

#[test]
fn piano_roll_insert_mode_enters_notes() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "3jc<ret>");
    app.piano.pitch = 60;
    press(&mut app, "i");
    assert_eq!(app.mode, Mode::Insert);
    press(&mut app, "cegC>cr<lt>b<esc>");
    assert_eq!(app.mode, Mode::Normal);
    let got: Vec<(u8, f64)> = notes(&app).iter().map(|n| (n.pitch, n.start)).collect();
    // c e g nearest upwards, C# (upper case), octave up then c, a rest, octave down then b.
    assert_eq!(
        got,
        vec![
            (60, 0.0),
            (64, 0.25),
            (67, 0.5),
            (61, 0.75),
            (72, 1.0),
            (59, 1.5)
        ]
    );
    // Backspace in insert mode removes the last entered note and steps back.
    // a enters A3 (nearest B3) at 1.75; two backspaces take it and the B3 back out.
    press(&mut app, "ia");
    assert!(notes(&app).contains(&Note {
        pitch: 57,
        start: 1.75,
        length: 0.25,
        velocity: 100,
        channel: 0
    }));
    press(&mut app, "<backspace><backspace><esc>");
    assert_eq!(notes(&app).len(), 5);
    assert_eq!(app.piano.cursor, 1.5);
    // An unbound key in insert mode says how to reach the help (? is not help there).
    press(&mut app, "is");
    assert!(app.status.error, "{}", app.status.text);
    assert_eq!(
        app.status.text,
        "s does nothing in insert mode here (Esc, then ? lists the keys)"
    );
    press(&mut app, "<esc>");
}

#[test]
fn piano_roll_visual_mode_transposes_a_selection() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    // Chords clip: three-note chords every bar.
    press(&mut app, "2j<ret>");
    app.piano.pitch = 66;
    press(&mut app, "v15l10j");
    assert_eq!(app.mode, Mode::Visual);
    press(&mut app, "J");
    let n = notes(&app);
    let first_bar: Vec<u8> = n
        .iter()
        .filter(|x| x.start == 0.0)
        .map(|x| x.pitch)
        .collect();
    assert_eq!(first_bar, vec![56, 59, 63]);
    // Other bars are untouched.
    assert!(n.iter().any(|x| x.start == 4.0 && x.pitch == 57));
    press(&mut app, "<esc>:transpose 12<ret>");
    assert!(notes(&app).iter().all(|x| x.pitch >= 67));
    press(&mut app, ":transpose 100<ret>");
    assert!(app.status.error, "out of range is refused");
}

#[test]
fn mixer_values_edit_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let g = app.project.tracks[1].gain_db;
    let master = app.project.master.gain_db;
    press(&mut app, "gml6+");
    assert_eq!(app.project.tracks[1].gain_db, g + 6.0);
    press(&mut app, "j4+");
    assert!((app.project.tracks[1].pan - 0.2).abs() < 1e-6);
    press(&mut app, "r");
    assert_eq!(app.project.tracks[1].pan, 0.0);
    // The master strip is right of the last track.
    press(&mut app, "9l3-");
    assert_eq!(app.project.master.gain_db, master - 3.0);
    press(&mut app, "uuuu");
    assert_eq!(app.project, ui_support::demo_parts());
}

#[test]
fn command_line_completes_and_reports_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, ":bp<tab>");
    assert_eq!(app.cmdline.text, "bpm");
    press(&mut app, " 140<ret>");
    assert_eq!(app.project.tempo.initial_bpm(), 140.0);
    press(&mut app, ":theme hi<tab><ret>");
    assert_eq!(app.theme.name, "high-contrast");
    press(&mut app, ":bpm fast<ret>");
    assert!(
        app.status.error && app.status.text.contains("fast"),
        "{:?}",
        app.status
    );
    press(&mut app, ":frobnicate<ret>");
    assert!(app.status.text.contains("unknown command ':frobnicate'"));
    press(&mut app, ":key H<ret>");
    assert!(app.status.error && app.status.text.contains("'H' is not a key"));
    press(&mut app, ":e /nonexistent/place<ret>");
    assert!(app.status.error, "{:?}", app.status);
    assert!(!app.quit);
    // Up recalls the history.
    press(&mut app, ":<up><up>");
    assert_eq!(app.cmdline.text, "key H");
    press(&mut app, "<esc>");
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn paths_complete_in_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("drums-loop.wav"), b"x").unwrap();
    std::fs::create_dir(dir.path().join("drafts")).unwrap();
    let prefix = format!("{}/dr", dir.path().display());
    let got = tdaw::ui::commands::complete_path(&prefix, false);
    assert_eq!(
        got,
        vec![
            format!("{}/drafts/", dir.path().display()),
            format!("{}/drums-loop.wav", dir.path().display())
        ]
    );
    let (_, c) = tdaw::ui::commands::complete(&format!("import {prefix}u"));
    assert_eq!(c, vec![format!("{}/drums-loop.wav", dir.path().display())]);
}

#[test]
fn help_which_key_and_unbound_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "?");
    assert_eq!(app.popups, vec![Popup::Help { scroll: 0 }]);
    press(&mut app, "jj");
    assert_eq!(app.popups, vec![Popup::Help { scroll: 2 }]);
    press(&mut app, "<esc>");
    assert!(app.popups.is_empty());
    press(&mut app, "g");
    let wk = tdaw::ui::views::help::which_key(&app).unwrap();
    assert!(wk
        .iter()
        .any(|(k, l)| k == "g" && l.starts_with("goto_start")));
    press(&mut app, "<esc>");
    assert!(app.pending.keys.is_empty());
    press(&mut app, "Z");
    assert!(app.status.error && app.status.text.starts_with("Z does nothing"));
}

#[test]
fn help_lists_every_key_of_the_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    for view in ["ga", "gm", "gp"] {
        press(&mut app, view);
        let lines = tdaw::ui::views::help::lines(&app);
        let trie = app.keymap.trie(app.view, Mode::Normal).unwrap();
        for (keys, cmd) in trie.bindings() {
            let k = tdaw::ui::keymap::fmt_keys(&keys);
            let found = lines.iter().any(|l| match l {
                tdaw::ui::views::help::HelpLine::Binding { keys, name, .. } => {
                    name == cmd.name() && keys.split(", ").any(|x| x == k)
                }
                _ => false,
            });
            assert!(found, "{view}: {k} → {} missing from help", cmd.name());
        }
    }
}

#[test]
fn autosave_is_offered_for_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, ":bpm 77<ret>");
    tdaw::ui::autosave::write(&app.dir, &app.project).unwrap();
    drop(app);
    let mut app = tdaw::ui::open_app(dir.path()).unwrap();
    assert!(matches!(app.popups.as_slice(), [Popup::Recover { .. }]));
    press(&mut app, "y");
    assert_eq!(app.project.tempo.initial_bpm(), 77.0);
    assert!(app.unsaved());
    press(&mut app, ":w<ret>");
    assert!(
        !tdaw::ui::autosave::path(dir.path()).exists(),
        "saving removes the autosave"
    );
    let app = tdaw::ui::open_app(dir.path()).unwrap();
    assert!(app.popups.is_empty());
}

#[test]
fn import_and_export_midi_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let wav = src.path().join("tone.wav");
    ui_support::write_wav(&wav, 2.0, 48_000);
    let mut app = demo_app(dir.path());
    press(&mut app, &format!(":import {}<ret>", wav.display()));
    assert!(!app.status.error, "{:?}", app.status);
    let t = app.project.tracks.last().unwrap().clone();
    assert_eq!((t.kind, t.clips.len()), (TrackKind::Audio, 1));
    assert_eq!(app.arrange.track, 4, "the new track is selected");
    // The waveform overview is computed from the copy in audio/ and cached in .tdaw/peaks.
    tdaw::ui::wait_for_jobs(&mut app, std::time::Duration::from_secs(60));
    let ClipContent::Audio(a) = &t.clips[0].content else {
        panic!()
    };
    let rel = a.file.clone();
    assert!(app.peaks.get(&rel).is_some());
    assert!(tdaw::store::peaks::cache_path(dir.path(), &rel).is_file());
    press(&mut app, "u");
    assert_eq!(app.project.tracks.len(), 4, "import is undoable");
    press(&mut app, ":import /no/such/file.wav<ret>");
    assert!(app.status.error && app.status.text.contains("/no/such/file.wav"));

    let out = dir.path().join("song.mid");
    press(&mut app, &format!(":export-midi {}<ret>", out.display()));
    assert!(!app.status.error, "{:?}", app.status);
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..4], b"MThd");
    press(&mut app, ":export-midi /no/such/dir/x.mid<ret>");
    assert!(app.status.error && app.status.text.contains("/no/such/dir/x.mid"));
    // Never over the project's own files.
    press(&mut app, ":w<ret>");
    let toml = dir.path().join("project.toml");
    let before = std::fs::read(&toml).unwrap();
    press(&mut app, &format!(":export-midi {}<ret>", toml.display()));
    assert!(app.status.error, "{:?}", app.status);
    assert!(app.status.text.contains("project.toml"), "{:?}", app.status);
    assert_eq!(std::fs::read(&toml).unwrap(), before);
}

#[test]
fn render_runs_in_the_background_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = ui_support::demo_parts();
    // Two bars of bass are enough to hear that it rendered.
    p.tracks.retain(|t| t.name == "Bass");
    p.tracks[0].clips.truncate(1);
    if let ClipContent::Midi(m) = &mut p.tracks[0].clips[0].content {
        m.length = 8.0;
        m.notes.retain(|n| n.start < 8.0);
    }
    p.tracks[0].clips[0].start = 0.0;
    let mut app = ui_support::app_with(p, dir.path());
    let out = dir.path().join("mix.wav");
    press(&mut app, &format!(":render {}<ret>", out.display()));
    assert!(app.render.is_some(), "{:?}", app.status);
    press(&mut app, ":render again.wav<ret>");
    assert!(app.status.error && app.status.text.contains("already running"));
    let start = std::time::Instant::now();
    while app.render.is_some() {
        assert!(start.elapsed().as_secs() < 60, "render did not finish");
        tdaw::ui::run_jobs(&mut app);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!app.status.error, "{:?}", app.status);
    assert!(app.status.text.starts_with("Rendered"), "{:?}", app.status);
    let r = hound::WavReader::open(&out).unwrap();
    let secs = r.duration() as f64 / r.spec().sample_rate as f64;
    assert!(secs > 3.7 && secs < 8.0, "{secs}");
    // A folder that does not exist is an error in the status line, not a crash.
    press(&mut app, ":render /no/such/dir/x.wav<ret>");
    while app.render.is_some() {
        tdaw::ui::run_jobs(&mut app);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        app.status.error && app.status.text.contains("/no/such/dir/x.wav"),
        "{:?}",
        app.status
    );
}

#[test]
fn transport_without_an_engine_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "<space>");
    assert!(app.status.error && app.status.text.contains("no audio engine"));
    assert!(!app.transport.playing);
}

#[test]
fn mouse_in_the_piano_roll_inserts_moves_and_deletes_notes() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "3jGc<ret>");
    assert!(notes(&app).is_empty());
    let main = app.main_area();
    let top = app.piano.top_pitch;
    let at = |kind, beat: f64, pitch: u8, app: &App| MouseEvent {
        kind,
        column: main.x + 5 + (beat * app.piano.cols_per_beat()) as u16,
        row: main.y + 1 + (top - pitch) as u16,
        modifiers: KeyModifiers::NONE,
    };
    let send = |app: &mut App, ev| tdaw::ui::update(app, tdaw::ui::Action::Mouse(ev));
    let ev = at(MouseEventKind::Down(MouseButton::Left), 1.0, 60, &app);
    send(&mut app, ev);
    assert_eq!(
        notes(&app)
            .iter()
            .map(|n| (n.pitch, n.start))
            .collect::<Vec<_>>(),
        vec![(60, 1.0)]
    );
    // Drag it to beat 2, pitch 62.
    let ev = at(MouseEventKind::Down(MouseButton::Left), 1.0, 60, &app);
    send(&mut app, ev);
    let ev = at(MouseEventKind::Drag(MouseButton::Left), 2.0, 62, &app);
    send(&mut app, ev);
    let ev = at(MouseEventKind::Up(MouseButton::Left), 2.0, 62, &app);
    send(&mut app, ev);
    assert_eq!(
        notes(&app)
            .iter()
            .map(|n| (n.pitch, n.start))
            .collect::<Vec<_>>(),
        vec![(62, 2.0)]
    );
    let ev = at(MouseEventKind::Down(MouseButton::Right), 2.0, 62, &app);
    send(&mut app, ev);
    assert!(notes(&app).is_empty());
    press(&mut app, "u");
    assert_eq!(notes(&app).len(), 1, "mouse edits undo like any other");
}

#[test]
fn autosave_writes_every_30_seconds_while_unsaved() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let path = tdaw::ui::autosave::path(dir.path());
    let long_ago = std::time::Instant::now() - std::time::Duration::from_secs(31);
    app.last_autosave = long_ago;
    tdaw::ui::run_jobs(&mut app);
    assert!(!path.exists(), "nothing to autosave without changes");
    press(&mut app, ":bpm 101<ret>");
    app.last_autosave = std::time::Instant::now();
    tdaw::ui::run_jobs(&mut app);
    assert!(!path.exists(), "not before 30 s have passed");
    app.last_autosave = long_ago;
    tdaw::ui::run_jobs(&mut app);
    let saved: tdaw::model::Project =
        toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(saved.tempo.initial_bpm(), 101.0);
    // project.toml itself is untouched until :w.
    assert_eq!(
        tdaw::store::load_project(dir.path())
            .unwrap()
            .tempo
            .initial_bpm(),
        128.0
    );
}

#[test]
fn colon_e_opens_another_project() {
    let dir = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    tdaw::store::create_project(other.path(), 44_100, 90.0).unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "m");
    press(&mut app, &format!(":e {}<ret>", other.path().display()));
    assert!(
        app.status.error && app.status.text.contains("unsaved"),
        "{:?}",
        app.status
    );
    press(&mut app, &format!(":e! {}<ret>", other.path().display()));
    assert!(!app.status.error, "{:?}", app.status);
    assert_eq!(app.dir, other.path());
    assert_eq!(app.project.tempo.initial_bpm(), 90.0);
    assert!(!app.unsaved() && !app.history.can_undo());
}

#[test]
fn the_too_small_screen_runs_no_key_but_quitting() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let t = ui_support::text(&mut app, 60, 20);
    assert!(t.contains("at least 80x24"), "{t}");
    // Keys the screen hides do nothing: no track deleted, nothing muted, no clip removed.
    press(&mut app, "tdmxjddu");
    assert_eq!(app.project, ui_support::demo_parts());
    assert!(!app.history.can_undo());
    assert_eq!(app.arrange.track, 0);
    // Commands other than quitting wait for a larger terminal, and say so there.
    press(&mut app, ":bpm 60<ret>");
    assert_eq!(app.project.tempo.initial_bpm(), 128.0);
    assert!(app.status.error && app.status.text.contains("at least 80x24"));
    assert!(ui_support::text(&mut app, 60, 20).contains(":bpm 60 waits until"));
    // :q is typed on a line the screen shows, and quits.
    press(&mut app, ":q");
    assert!(ui_support::text(&mut app, 60, 20).contains(":q"));
    press(&mut app, "<ret>");
    assert!(app.quit);
    // Ctrl-c quits too.
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    ui_support::text(&mut app, 79, 24);
    press(&mut app, "<C-c>");
    assert!(app.quit);
}

#[test]
fn space_pauses_and_resumes_where_playback_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    with_null_engine(&mut app);
    // The cursor at beat 8 does not move the playhead: space plays from the playhead (0).
    press(&mut app, "8l<space>");
    tick_until(&mut app, "playback", |a| {
        a.transport.playing && a.transport.beat > 0.2
    });
    assert!(app.transport.beat < 8.0, "{:?}", app.transport);
    press(&mut app, "<space>");
    tick_until(&mut app, "the pause", |a| !a.transport.playing);
    let paused = app.transport.beat;
    assert!(paused > 0.2 && paused < 8.0, "{paused}");
    // The cursor moves on; space goes on from where it paused.
    press(&mut app, "4l<space>");
    tick_until(&mut app, "playback again", |a| a.transport.playing);
    assert!(
        app.transport.beat >= paused - 1e-6 && app.transport.beat < 8.0,
        "resumed at {} (paused at {paused}, cursor at 12)",
        app.transport.beat
    );
    // C-space plays from the cursor.
    press(&mut app, "<C-space>");
    tick_until(&mut app, "playback from the cursor", |a| {
        a.transport.playing && a.transport.beat >= 12.0
    });
    press(&mut app, "<space>");
    tick_until(&mut app, "the pause", |a| !a.transport.playing);
    // Help says exactly that, under both keys.
    let lines = tdaw::ui::views::help::lines(&app);
    let has = |keys: &str, name: &str, doc_part: &str| {
        lines.iter().any(|l| {
            matches!(l, tdaw::ui::views::help::HelpLine::Binding { keys: k, name: n, doc }
                if k == keys && n == name && doc.contains(doc_part))
        })
    };
    assert!(has("space", "transport_toggle", "or pause there"));
    assert!(has(
        "C-space, g space",
        "play_from_cursor",
        "Play from the edit cursor"
    ));
}

#[test]
fn import_takes_several_files_as_one_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let a = src.path().join("kick.wav");
    let b = src.path().join("my tone.wav");
    ui_support::write_wav(&a, 1.0, 48_000);
    ui_support::write_wav(&b, 1.0, 48_000);
    let mut app = demo_app(dir.path());
    let audio_files = |d: &std::path::Path| {
        std::fs::read_dir(d.join("audio"))
            .map(|r| r.count())
            .unwrap_or(0)
    };
    press(
        &mut app,
        &format!(":import {} \"{}\"<ret>", a.display(), b.display()),
    );
    assert!(!app.status.error, "{:?}", app.status);
    assert_eq!(app.project.tracks.len(), 6);
    assert_eq!(app.project.tracks[4].name, "kick");
    assert_eq!(app.project.tracks[5].name, "my tone");
    assert!(
        app.status.text.starts_with("Imported 2 files as 2 tracks"),
        "{:?}",
        app.status
    );
    assert_eq!(audio_files(dir.path()), 2);
    press(&mut app, "u");
    assert_eq!(app.project.tracks.len(), 4, "one u takes both back");
    // One bad file: nothing is imported, and no copy is left behind.
    press(
        &mut app,
        &format!(":import {} /no/such.wav<ret>", a.display()),
    );
    assert!(
        app.status.error && app.status.text.contains("/no/such.wav"),
        "{:?}",
        app.status
    );
    assert_eq!(app.project.tracks.len(), 4);
    assert_eq!(
        audio_files(dir.path()),
        2,
        "the kick copied on the way is gone"
    );
    // Tab completes the last file, escaping its spaces so the line still splits right.
    press(
        &mut app,
        &format!(":import {} {}/my<tab>", a.display(), src.path().display()),
    );
    assert_eq!(
        app.cmdline.text,
        format!(
            "import {} {}/my\\ tone.wav",
            a.display(),
            src.path().display()
        )
    );
    press(&mut app, "<ret>");
    assert!(!app.status.error, "{:?}", app.status);
    assert_eq!(app.project.tracks.len(), 6);
}

#[test]
fn ctrl_w_deletes_the_word_before_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, ":import ~/music/drums<C-w>");
    assert_eq!(app.cmdline.text, "import ~/music/");
    press(&mut app, "<C-w>");
    assert_eq!(app.cmdline.text, "import ~/music");
    press(&mut app, "<C-w><C-w>");
    assert_eq!(app.cmdline.text, "import ");
    press(&mut app, "<C-w>");
    assert_eq!((app.cmdline.text.as_str(), app.cmdline.cursor), ("", 0));
    // In the middle of the line: the word before the cursor, the rest stays.
    press(&mut app, "track add midi<left><left><left><left><C-w>");
    assert_eq!(
        (app.cmdline.text.as_str(), app.cmdline.cursor),
        ("track midi", 6)
    );
    press(&mut app, "<esc>");
}

#[test]
fn bpm_timesig_and_key_alone_show_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, ":bpm<ret>");
    assert_eq!(
        (app.status.text.as_str(), app.status.error),
        ("Tempo 128 BPM", false)
    );
    press(&mut app, ":timesig<ret>");
    assert_eq!(app.status.text, "Time signature 4/4");
    press(&mut app, ":key<ret>");
    assert_eq!(app.status.text, "Key Am");
    assert!(!app.history.can_undo(), "showing is not an edit");
}

#[test]
fn colon_tab_lists_every_command_and_alias() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, ":<tab>");
    let all: Vec<&str> = tdaw::ui::commands::COMMANDS
        .iter()
        .flat_map(|c| c.names())
        .collect();
    for name in ["w", "write", "quit", "tempo", "click", "count-in", "h"] {
        assert!(all.contains(&name), "{name} is in the table");
    }
    assert_eq!(app.cmdline.completions, all);
    // All of them on screen at 80x24, not a line cut at 60 characters.
    let screen = ui_support::text(&mut app, 80, 24);
    let words: Vec<&str> = screen.split_whitespace().collect();
    for name in &all {
        assert!(words.contains(name), "{name} missing from\n{screen}");
    }
    press(&mut app, "<esc>");
    // Every name and alias of the table is a command the line runs.
    for name in &all {
        let dir = tempfile::tempdir().unwrap();
        let mut app = demo_app(dir.path());
        tdaw::ui::update(&mut app, tdaw::ui::Action::Ex(name.to_string()));
        assert!(
            !app.status.text.contains("unknown command"),
            ":{name}: {:?}",
            app.status
        );
    }
}

#[test]
fn dd_zero_and_dollar_behave_as_in_vim() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    // Arrange: the track is the line. Lead has clips at 32..48 and 48..64.
    press(&mut app, "3j40l0");
    assert!(!app.status.error, "{:?}", app.status);
    assert_eq!(app.arrange.cursor, 0.0, "0: the start of the timeline");
    press(&mut app, "$");
    assert_eq!(
        app.arrange.cursor, 63.0,
        "$: the last step of the last clip"
    );
    press(&mut app, "dd");
    let starts: Vec<f64> = app.project.tracks[3]
        .clips
        .iter()
        .map(|c| c.start)
        .collect();
    assert_eq!(starts, vec![32.0], "dd deletes the clip under the cursor");
    assert_eq!(app.status.text, "Deleted 1 clip");
    press(&mut app, "u");
    // In visual mode they stretch the selection to the line's ends.
    press(&mut app, "v0");
    assert_eq!(app.arrange.anchor, Some((3, 63.0)));
    assert_eq!(app.arrange.cursor, 0.0);
    press(&mut app, "<esc>");
    // A count still works with 0 in it.
    press(&mut app, "0");
    press(&mut app, "10l");
    assert_eq!(app.arrange.cursor, 10.0);
    // Piano roll: the clip is the line.
    press(&mut app, "22l<ret>");
    assert_eq!(app.view, ViewKind::PianoRoll);
    press(&mut app, "$");
    assert_eq!(
        app.piano.cursor, 15.75,
        "the last grid step of the 16-beat clip"
    );
    press(&mut app, "0");
    assert_eq!(app.piano.cursor, 0.0);
    let before = notes(&app);
    let first = before[0];
    app.piano.pitch = first.pitch;
    press(&mut app, "dd");
    assert_eq!(notes(&app).len(), before.len() - 1);
    assert!(!notes(&app).contains(&first));
    // Mixer: the strips are the line; dd deletes the strip's track.
    press(&mut app, "gm$");
    assert_eq!(
        app.mixer.strip,
        app.project.tracks.len(),
        "the master strip"
    );
    press(&mut app, "0");
    assert_eq!(app.mixer.strip, 0);
    press(&mut app, "dd");
    assert_eq!(app.project.tracks.len(), 3);
    assert!(app.status.text.starts_with("Deleted track 'Drums'"));
}

#[test]
fn help_lists_only_the_modes_a_key_enters() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let headings = |app: &App| -> Vec<String> {
        tdaw::ui::views::help::lines(app)
            .into_iter()
            .filter_map(|l| match l {
                tdaw::ui::views::help::HelpLine::Heading(h) => Some(h),
                _ => None,
            })
            .collect()
    };
    let arrange = headings(&app);
    assert!(
        !arrange.iter().any(|h| h.contains("insert mode")),
        "{arrange:?}"
    );
    assert!(arrange
        .iter()
        .any(|h| h.starts_with("Arrange view — visual mode") && h.contains("(v starts it)")));
    press(&mut app, "gm");
    let mixer = headings(&app);
    assert!(
        !mixer
            .iter()
            .any(|h| h.contains("insert") || h.contains("visual")),
        "{mixer:?}"
    );
    press(&mut app, "gp");
    let piano = headings(&app);
    assert!(
        piano
            .iter()
            .any(|h| h.contains("insert mode  (i starts it)")),
        "{piano:?}"
    );
    assert!(
        piano
            .iter()
            .any(|h| h.contains("visual mode  (v, C-v starts it)")),
        "{piano:?}"
    );
}

#[test]
fn status_messages_say_what_happened_and_go_stale() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, "3j40ls");
    assert_eq!(app.status.text, "Split the clip on 'Lead' at 11.1.1");
    press(&mut app, "D");
    assert_eq!(app.status.text, "Duplicated 1 clip (1 new)");
    press(&mut app, "y4lp");
    assert_eq!(app.status.text, "Pasted 1 clip at 12.1.1");
    press(&mut app, ":rename Melody<ret>");
    assert_eq!(app.status.text, "Renamed 'Lead' to 'Melody'");
    press(&mut app, ":timesig 3/4<ret>");
    assert_eq!(app.status.text, "Time signature 3/4");
    press(&mut app, ":loop 1 4<ret>");
    assert_eq!(app.status.text, "Loop bars 1–4");
    press(&mut app, ":loop off<ret>");
    assert_eq!(app.status.text, "Loop off");
    // The next key ends a message; the line shows the way to help again.
    press(&mut app, "l");
    assert_eq!(app.status.text, "");
    let screen = ui_support::text(&mut app, 80, 24);
    assert!(!screen.contains("Loop off"));
    assert!(screen.lines().last().unwrap().contains("press ? for help"));
    // Without a key a message goes after 5 s; an error stays until the next key.
    press(&mut app, ":timesig<ret>");
    tdaw::ui::update(&mut app, tdaw::ui::Action::Tick);
    assert_eq!(app.status.text, "Time signature 3/4", "not yet");
    app.status_at -= std::time::Duration::from_secs(6);
    tdaw::ui::update(&mut app, tdaw::ui::Action::Tick);
    assert_eq!(app.status.text, "");
    press(&mut app, ":bpm fast<ret>");
    app.status_at -= std::time::Duration::from_secs(60);
    tdaw::ui::update(&mut app, tdaw::ui::Action::Tick);
    assert!(app.status.error && app.status.text.contains("fast"));
    press(&mut app, "h");
    assert_eq!(app.status.text, "");
}

#[test]
fn messages_use_an_before_a_vowel() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let wav = src.path().join("tone.wav");
    ui_support::write_wav(&wav, 1.0, 48_000);
    let mut app = demo_app(dir.path());
    press(&mut app, &format!(":import {}<ret>", wav.display()));
    assert_eq!(app.arrange.track, 4);
    // Copy the audio clip, paste it on the MIDI track above.
    press(&mut app, "yk");
    press(&mut app, "p");
    assert_eq!(
        app.status.text,
        "cannot paste an audio clip on the midi track 'Lead'"
    );
    press(&mut app, ":track add bus FX<ret>c");
    assert!(
        app.status.text.starts_with("'FX' is a bus track"),
        "{:?}",
        app.status
    );
}

#[test]
fn transpose_takes_the_view_along() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    ui_support::text(&mut app, 80, 24);
    press(&mut app, "3j32l<ret>");
    let rows = tdaw::ui::views::piano_roll::grid_rows(app.main_area()) as u8;
    let visible = |app: &App| {
        let top = app.piano.top_pitch;
        let bottom = top + 1 - rows;
        notes(app)
            .iter()
            .filter(|n| n.pitch <= top && n.pitch >= bottom)
            .count()
    };
    let (top, pitch, shown) = (app.piano.top_pitch, app.piano.pitch, visible(&app));
    assert!(shown > 0);
    press(&mut app, ":transpose -12<ret>");
    assert!(
        app.status.text.starts_with("Transposed"),
        "{:?}",
        app.status
    );
    assert!(
        app.status.text.ends_with("notes down 12 semitones"),
        "{:?}",
        app.status
    );
    assert_eq!(app.piano.top_pitch, top - 12, "the view follows the notes");
    assert_eq!(app.piano.pitch, pitch - 12, "so does the cursor");
    assert_eq!(visible(&app), shown, "the same notes are on screen");
}

#[test]
fn visual_mode_selects_every_pitch_in_the_time_range() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    // Chords clip: a three-note chord at each bar.
    press(&mut app, "2j<ret>");
    let chord: Vec<u8> = notes(&app)
        .iter()
        .filter(|n| n.start == 0.0)
        .map(|n| n.pitch)
        .collect();
    assert_eq!(chord.len(), 3);
    // The cursor on the chord's middle note: v takes the whole first beat, every pitch.
    app.piano.pitch = chord[1];
    press(&mut app, "v3lx");
    assert!(
        !notes(&app).iter().any(|n| n.start == 0.0),
        "the whole chord is deleted"
    );
    assert_eq!(app.status.text, "Deleted 3 notes");
    press(&mut app, "u0");
    // C-v narrows the selection to the pitches between the anchor and the cursor.
    press(&mut app, "<C-v>3lx");
    let left: Vec<u8> = notes(&app)
        .iter()
        .filter(|n| n.start == 0.0)
        .map(|n| n.pitch)
        .collect();
    assert_eq!(left, vec![chord[0], chord[2]]);
}

#[test]
fn importing_several_files_asks_about_a_midi_files_tempo_once() {
    use midly::num::{u15, u24, u28, u4, u7};
    use midly::{
        Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind,
    };
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let wav = src.path().join("kick.wav");
    ui_support::write_wav(&wav, 1.0, 48_000);
    let mid = src.path().join("tune.mid");
    let ev = |delta: u32, kind| TrackEvent {
        delta: u28::new(delta),
        kind,
    };
    let note = |on: bool| TrackEventKind::Midi {
        channel: u4::new(0),
        message: if on {
            MidiMessage::NoteOn {
                key: u7::new(60),
                vel: u7::new(100),
            }
        } else {
            MidiMessage::NoteOff {
                key: u7::new(60),
                vel: u7::new(0),
            }
        },
    };
    Smf {
        header: Header::new(Format::SingleTrack, Timing::Metrical(u15::new(480))),
        tracks: vec![vec![
            ev(
                0,
                TrackEventKind::Meta(MetaMessage::Tempo(u24::new(625_000))),
            ),
            ev(0, note(true)),
            ev(480, note(false)),
            ev(0, TrackEventKind::Meta(MetaMessage::EndOfTrack)),
        ]],
    }
    .save(&mid)
    .unwrap();
    let mut app = demo_app(dir.path());
    let rev = app.history.revision();
    press(
        &mut app,
        &format!(":import {} {}<ret>", wav.display(), mid.display()),
    );
    assert!(
        matches!(app.popups.last(), Some(Popup::ImportTempo(_))),
        "{:?}",
        app.status
    );
    assert_eq!(app.project.tracks.len(), 4, "nothing before the answer");
    press(&mut app, "y");
    assert_eq!(app.project.tracks.len(), 6);
    assert_eq!(app.project.tempo.initial_bpm(), 96.0);
    assert_eq!(
        app.history.revision(),
        rev + 1,
        "one undo step for all of it"
    );
    press(&mut app, "u");
    assert_eq!(app.project.tracks.len(), 4);
    assert_eq!(app.project.tempo.initial_bpm(), 128.0);
}
