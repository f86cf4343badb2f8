//! Take lanes in the arrange view: `T` shows a track's take lanes labelled "Take 1" …, the
//! comped (playing) part of each take marked `━`; `j` moves onto a lane, `ret` chooses the take
//! under the cursor, `v` … `ret` comps a range of it, `x` deletes it from its lane — each one
//! undo step, `u` restoring the project exactly; `?` lists the take keys.

mod ui_support;

use tdaw::model::takes::{self, RecordedTake};
use tdaw::model::{ClipContent, Project, Track, TrackId, TrackKind};
use tdaw::ui::keymap::Mode;
use tdaw::ui::App;
use ui_support::{app_with, press, text, write_wav};

const VOX: TrackId = TrackId(1);

/// "Vox" with three loop passes (2 s each, from beat 2 at 120 bpm) on take lanes 1–3 and the
/// newest playing on lane 0, as a loop recording leaves them; a "Bass" track under it.
fn takes_app(dir: &std::path::Path) -> App {
    let mut p = Project::new("Takes", 48_000, 120.0);
    p.tracks.push(Track::new(VOX, "Vox", TrackKind::Audio));
    p.tracks
        .push(Track::new(TrackId(2), "Bass", TrackKind::Audio));
    let recorded: Vec<RecordedTake> = (0..3)
        .map(|i| RecordedTake {
            file: format!("audio/vox-take-{}.wav", i + 1),
            start: 48_000,
            frames: 96_000,
            pass: i,
        })
        .collect();
    takes::record(&p, VOX, &recorded)
        .unwrap()
        .apply(&mut p)
        .unwrap();
    let app = app_with(p, dir);
    for i in 1..=3 {
        write_wav(&dir.join(format!("audio/vox-take-{i}.wav")), 2.0, 48_000);
    }
    app
}

/// (file, start beat, end beat) of what plays on Vox.
fn playing(app: &App) -> Vec<(String, f64, f64)> {
    let p = &app.project;
    p.tracks[0]
        .playing_clips()
        .map(|c| {
            let ClipContent::Audio(a) = &c.content else {
                panic!("audio")
            };
            let f = a.file.trim_start_matches("audio/vox-").to_string();
            let r = |b: f64| (b * 1e6).round() / 1e6;
            (f, r(c.start), r(p.clip_end_beat(c)))
        })
        .collect()
}

/// The screen row holding `label`.
fn row<'a>(screen: &'a str, label: &str) -> &'a str {
    let lines: Vec<&str> = screen.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no {label} on screen:\n{screen}"));
    lines[i + 1]
}

#[test]
fn t_shows_take_lanes_and_ret_chooses_the_take_under_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = takes_app(dir.path());
    let hidden = text(&mut app, 120, 40);
    assert!(!hidden.contains("Take 1"), "{hidden}");
    press(&mut app, "T");
    let shown = text(&mut app, 120, 40);
    for n in 1..=3 {
        assert!(shown.contains(&format!("↳ Take {n}")), "{shown}");
    }
    // Take 3 plays (its lane shows ━ under it), takes 1 and 2 do not (╌).
    assert!(row(&shown, "↳ Take 3").contains('━'), "{shown}");
    assert!(!row(&shown, "↳ Take 1").contains('━'), "{shown}");
    assert!(row(&shown, "↳ Take 1").contains('╌'), "{shown}");
    assert_eq!(playing(&app), [("take-3.wav".into(), 2.0, 6.0)]);

    // Onto Take 1, at beat 2: the take keys apply there.
    press(&mut app, "jll");
    assert_eq!(app.key_mode(), Mode::Takes);
    let before = app.project.clone();
    let rev = app.history.revision();
    press(&mut app, "<ret>");
    assert_eq!(app.history.revision(), rev + 1, "one edit");
    assert_eq!(playing(&app), [("take-1.wav".into(), 2.0, 6.0)]);
    let chosen = text(&mut app, 120, 40);
    assert!(row(&chosen, "↳ Take 1").contains('━'), "{chosen}");
    assert!(!row(&chosen, "↳ Take 3").contains('━'), "{chosen}");
    let dir_text = app.dir.display().to_string();
    insta::assert_snapshot!(
        "arrange_takes_chosen_100x24",
        text(&mut app, 100, 24).replace(&dir_text, "[DIR]")
    );

    // Comp beats 3–5 of take 2: v, two steps right, ret.
    press(&mut app, "jlvl<ret>");
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(
        playing(&app),
        [
            ("take-1.wav".into(), 2.0, 3.0),
            ("take-2.wav".into(), 3.0, 5.0),
            ("take-1.wav".into(), 5.0, 6.0),
        ]
    );
    let comped = text(&mut app, 120, 40);
    let lane2 = row(&comped, "↳ Take 2");
    // One column per beat from column 24: beats 3 and 4 of take 2 are comped in, 2 and 5 not.
    let cells: Vec<char> = lane2.chars().skip(24 + 2).take(4).collect();
    assert_eq!(cells, ['╌', '━', '━', '╌'], "{comped}");

    // Each step undoes on its own, and the project is exactly as before.
    press(&mut app, "u");
    assert_eq!(playing(&app), [("take-1.wav".into(), 2.0, 6.0)]);
    press(&mut app, "u");
    assert_eq!(app.project, before);
}

#[test]
fn x_deletes_a_take_from_its_lane_and_help_lists_the_take_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = takes_app(dir.path());
    let before = app.project.clone();
    press(&mut app, "Tjjll");
    assert_eq!(app.arrange.take_lane, Some(2));
    press(&mut app, "x");
    let files: Vec<String> = app.project.tracks[0]
        .clips
        .iter()
        .map(|c| match &c.content {
            ClipContent::Audio(a) => format!("{}:{}", c.lane, a.file),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        files,
        [
            "0:audio/vox-take-3.wav",
            "1:audio/vox-take-1.wav",
            "3:audio/vox-take-3.wav"
        ]
    );
    // On the track's own row `x` deletes what plays, never a hidden take.
    press(&mut app, "u");
    assert_eq!(app.project, before);
    // Off a take: a clear message, nothing changed.
    press(&mut app, "0<ret>");
    assert!(app.status.error, "{:?}", app.status);
    assert!(
        app.status.text.contains("no take under the cursor"),
        "{:?}",
        app.status
    );
    assert_eq!(app.project, before);
    let all = format!("{:?}", tdaw::ui::views::help::lines(&app));
    for name in ["takes_toggle", "take_choose", "take_comp", "take_delete"] {
        assert!(all.contains(name), "{name} missing from help");
    }
    assert!(all.contains("takes mode"), "{all}");
    assert!(all.contains("T then j onto a take lane"), "{all}");
}

#[test]
fn clip_edits_on_a_take_lane_say_so_and_leave_what_plays_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = takes_app(dir.path());
    let before = app.project.clone();
    // Onto Take 1 at beat 3, inside the clip that plays on the row above.
    press(&mut app, "Tjlll");
    assert_eq!(app.arrange.take_lane, Some(1));
    for keys in ["s", "y", "p", ">", "<lt>", "K", "L"] {
        press(&mut app, keys);
        assert!(app.status.error, "{keys}: {:?}", app.status);
        assert!(
            app.status.text.starts_with("on a take lane"),
            "{keys}: {:?}",
            app.status
        );
        assert_eq!(app.project, before, "{keys} changed the project");
    }
    // Back on the track's row, `s` splits what plays there.
    press(&mut app, "k");
    assert_eq!(app.arrange.take_lane, None);
    press(&mut app, "s");
    assert!(!app.status.error, "{:?}", app.status);
    assert_eq!(
        playing(&app),
        [
            ("take-3.wav".into(), 2.0, 3.0),
            ("take-3.wav".into(), 3.0, 6.0)
        ]
    );
}
