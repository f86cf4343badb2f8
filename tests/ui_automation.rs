//! Automation lanes in the arrange view: how they look (a gain lane and an EQ frequency
//! sweep), the lane keys editing points at the cursor (each one undo step, `u` restoring the
//! project exactly), `:automate` with good and bad input, the mouse on a lane, `:bus`, the
//! completion of targets and the help listing the lane keys.

mod ui_support;

use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use tdaw::model::mixer::{self, Owner};
use tdaw::model::{
    AutomationLane, AutomationPoint, AutomationTarget, FxId, Project, Track, TrackId, TrackKind,
};
use tdaw::ui::keymap::Mode;
use tdaw::ui::{update, Action, App};
use ui_support::{app_with, press, text};

const SYNTH: TrackId = TrackId(1);

/// A MIDI track "Synth" with an EQ (effect 1), a send to the bus "Verb", a gain lane
/// 0 dB → -12 dB over beats 0..8, and a band-1 frequency sweep 200 Hz → 8 kHz over 0..16.
fn lanes_project() -> Project {
    let mut p = Project::new("Lanes", 48_000, 120.0);
    p.tracks.push(Track::new(SYNTH, "Synth", TrackKind::Midi));
    p.tracks
        .push(Track::new(TrackId(2), "Verb", TrackKind::Bus));
    let o = Owner::Track(SYNTH);
    let (e, fx) = mixer::add_effect(&p, o, "eq", &[], None).unwrap();
    e.apply(&mut p).unwrap();
    assert_eq!(fx, FxId(1));
    mixer::set_send(&p, SYNTH, TrackId(2), Some(-6.0), None)
        .unwrap()
        .apply(&mut p)
        .unwrap();
    let pts = |a: (f64, f64), b: (f64, f64)| {
        [
            AutomationPoint::new(a.0, a.1),
            AutomationPoint::new(b.0, b.1),
        ]
    };
    mixer::set_points(
        &p,
        o,
        &AutomationTarget::Gain,
        &pts((0.0, 0.0), (8.0, -12.0)),
    )
    .unwrap()
    .apply(&mut p)
    .unwrap();
    let sweep = AutomationTarget::Fx(fx, "b1_freq".into());
    mixer::set_points(&p, o, &sweep, &pts((0.0, 200.0), (16.0, 8000.0)))
        .unwrap()
        .apply(&mut p)
        .unwrap();
    p
}

fn lanes_app(dir: &std::path::Path) -> App {
    app_with(lanes_project(), dir)
}

fn lane(app: &App, target: &AutomationTarget) -> Option<AutomationLane> {
    app.project.tracks[0]
        .automation
        .iter()
        .find(|l| &l.target == target)
        .cloned()
}

fn points(app: &App, target: &AutomationTarget) -> Vec<(f64, f64, f64)> {
    lane(app, target)
        .map(|l| {
            l.points
                .iter()
                .map(|p| (p.beat, p.value, p.curve))
                .collect()
        })
        .unwrap_or_default()
}

/// The height of a lane's cell pair in eighths (0 … 16) at a screen column, from the row of
/// the lane's header line (`↳ …`) and the row below it.
fn level(screen: &str, label: &str, col: usize) -> usize {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let row = lines
        .iter()
        .position(|l| l.iter().collect::<String>().contains(label))
        .unwrap_or_else(|| panic!("no lane {label} on screen:\n{screen}"));
    let eighth = |c: char| " ▁▂▃▄▅▆▇█".chars().position(|e| e == c).unwrap_or(8);
    let (top, bottom) = (lines[row][col], lines[row + 1][col]);
    let bottom = if bottom == '┊' || bottom == '●' {
        8
    } else {
        eighth(bottom)
    };
    if top == ' ' || top == '┊' {
        bottom
    } else {
        8 + eighth(top)
    }
}

#[test]
fn lanes_are_hidden_by_default_and_a_shows_a_gain_lane_and_a_rising_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = lanes_app(dir.path());
    let hidden = text(&mut app, 120, 40);
    assert!(!hidden.contains('↳'), "{hidden}");
    press(&mut app, "A");
    let shown = text(&mut app, 120, 40);
    assert!(shown.contains("↳ gain"), "{shown}");
    assert!(shown.contains("↳ eq:1 b1_freq"), "{shown}");
    // Timeline from column 24 at one column per beat: the sweep rises to the right and holds.
    let sweep: Vec<usize> = [1, 5, 10, 15, 30]
        .iter()
        .map(|c| level(&shown, "↳ eq:1 b1_freq", 24 + c))
        .collect();
    assert!(sweep.windows(2).take(3).all(|w| w[0] < w[1]), "{sweep:?}");
    // Held at 8 kHz after the last point: 0.87 of 20 Hz … 20 kHz on a log scale, 14 of 16.
    assert_eq!(sweep[4], 14, "{sweep:?}");
    // The gain lane falls from 0 dB to -12 dB over beats 0..8, then holds.
    let gain: Vec<usize> = [1, 7, 20]
        .iter()
        .map(|c| level(&shown, "↳ gain", 24 + c))
        .collect();
    assert!(gain[0] > gain[1] && gain[1] == gain[2], "{gain:?}");
    // The lanes go away again; the screen is as before.
    press(&mut app, "A");
    let again = text(&mut app, 120, 40);
    let body = |t: &str| t.lines().take(39).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&again), body(&hidden), "all but the message line");
    press(&mut app, "A");
    let dir_text = app.dir.display().to_string();
    for (w, h) in [(80, 24), (160, 48)] {
        let t = text(&mut app, w, h).replace(&dir_text, "[DIR]");
        insta::assert_snapshot!(format!("arrange_lanes_{w}x{h}"), t);
    }
}

#[test]
fn lane_keys_add_raise_move_curve_and_delete_points_and_u_restores_each() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = lanes_app(dir.path());
    let original = app.project.clone();
    let gain = AutomationTarget::Gain;
    press(&mut app, "Aj");
    assert_eq!(app.arrange.lane, Some(gain.clone()));
    assert_eq!(app.key_mode(), Mode::Lane);
    assert!(text(&mut app, 120, 40).contains(" LANE "));
    // a: a point at the cursor with the lane's value there (-6 dB halfway down the ramp).
    press(&mut app, "4la");
    assert_eq!(
        points(&app, &gain),
        vec![(0.0, 0.0, 0.0), (4.0, -6.0, 0.0), (8.0, -12.0, 0.0)]
    );
    let mut states = vec![original.clone(), app.project.clone()];
    // + and - step 0.5 dB (with counts), K and J 3 dB.
    for (keys, value) in [
        ("+", -5.5),
        ("3+", -4.0),
        ("K", -1.0),
        ("J", -4.0),
        ("2-", -5.0),
    ] {
        press(&mut app, keys);
        assert_eq!(points(&app, &gain)[1], (4.0, value, 0.0), "after {keys}");
        states.push(app.project.clone());
    }
    // L moves it a grid step later, and the cursor follows; c curves the segment after it.
    press(&mut app, "L");
    assert_eq!(points(&app, &gain)[1], (5.0, -5.0, 0.0));
    assert_eq!(app.arrange.cursor, 5.0);
    states.push(app.project.clone());
    press(&mut app, "c");
    assert_eq!(points(&app, &gain)[1], (5.0, -5.0, 0.5));
    states.push(app.project.clone());
    press(&mut app, "c");
    assert_eq!(points(&app, &gain)[1].2, -0.5);
    states.push(app.project.clone());
    // x deletes it.
    press(&mut app, "x");
    assert_eq!(
        points(&app, &gain),
        vec![(0.0, 0.0, 0.0), (8.0, -12.0, 0.0)]
    );
    // Each u takes back one step, exactly.
    for want in states.iter().rev() {
        press(&mut app, "u");
        assert_eq!(&app.project, want);
    }
    assert_eq!(app.project, original);
}

#[test]
fn lane_keys_on_an_effect_parameter_step_in_its_unit_and_keep_clips_safe() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = lanes_app(dir.path());
    let sweep = AutomationTarget::Fx(FxId(1), "b1_freq".into());
    // The send lane is not there; gain then the EQ lane.
    press(&mut app, "Ajj");
    assert_eq!(app.arrange.lane, Some(sweep.clone()));
    press(&mut app, "16l+");
    let spec = tdaw::model::fx::kind("eq")
        .unwrap()
        .param("b1_freq")
        .unwrap()
        .1;
    assert_eq!(
        points(&app, &sweep)[1],
        (16.0, spec.step(8000.0, 1.0, false), 0.0)
    );
    // No point at the cursor: an error, nothing changed.
    let before = app.project.clone();
    press(&mut app, "h+");
    assert!(app.status.error, "{:?}", app.status);
    assert_eq!(app.project, before);
    // Back on the track row, x is the clip key again (no clip here: nothing to delete).
    press(&mut app, "kk");
    assert_eq!(app.arrange.lane, None);
    assert_eq!(app.key_mode(), Mode::Normal);
    // Deleting the last points of a lane removes it; the cursor goes back to the track.
    press(&mut app, "j0x8lx");
    assert!(lane(&app, &AutomationTarget::Gain).is_none());
    assert_eq!(app.arrange.lane, None);
    assert_eq!(app.key_mode(), Mode::Normal);
}

#[test]
fn equals_types_the_value_through_automate() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = lanes_app(dir.path());
    press(&mut app, "Aj8l=");
    assert_eq!(app.mode, Mode::Command);
    assert_eq!(app.cmdline.text, "automate gain 8=-12");
    press(&mut app, "<backspace><backspace><backspace>-3.5<ret>");
    assert!(!app.status.error, "{:?}", app.status);
    assert_eq!(
        points(&app, &AutomationTarget::Gain),
        vec![(0.0, 0.0, 0.0), (8.0, -3.5, 0.0)]
    );
}

#[test]
fn automate_sets_points_opens_lanes_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = lanes_app(dir.path());
    press(&mut app, ":automate gain 2=-3 6=-9<ret>");
    assert!(!app.status.error, "{:?}", app.status);
    assert_eq!(
        points(&app, &AutomationTarget::Gain),
        vec![
            (0.0, 0.0, 0.0),
            (2.0, -3.0, 0.0),
            (6.0, -9.0, 0.0),
            (8.0, -12.0, 0.0)
        ]
    );
    press(&mut app, "u");
    // TRACK TARGET, a send by its bus's name, an effect parameter with its unit.
    press(&mut app, ":automate Synth send:Verb 4=-20<ret>");
    assert!(!app.status.error, "{:?}", app.status);
    let send = AutomationTarget::Send(TrackId(2));
    assert_eq!(points(&app, &send), vec![(4.0, -20.0, 0.0)]);
    press(&mut app, ":automate fx:1:b1_gain_db 0=-6dB<ret>");
    let g = AutomationTarget::Fx(FxId(1), "b1_gain_db".into());
    assert_eq!(points(&app, &g), vec![(0.0, -6.0, 0.0)]);
    press(&mut app, ":automate Verb gain 0=-1<ret>");
    assert_eq!(app.project.tracks[1].automation[0].points[0].value, -1.0);

    let before = app.project.clone();
    let revision = app.history.revision();
    for bad in [
        ":automate gain 2=-300<ret>",
        ":automate volume 1=2<ret>",
        ":automate gain x=1<ret>",
        ":automate gain 1<ret>",
        ":automate Nope gain 1=1<ret>",
        ":automate fx:1:b1_type 0=1<ret>",
        ":automate fx:9:b1_freq 0=100<ret>",
        ":automate send:Synth 0=0<ret>",
        ":automate<ret>",
    ] {
        press(&mut app, bad);
        assert!(app.status.error, "{bad}: {:?}", app.status);
        assert!(!app.status.text.contains('\n'), "{}", app.status.text);
        assert_eq!(app.project, before, "{bad}");
        assert_eq!(app.history.revision(), revision, "{bad}");
        press(&mut app, "<esc>");
    }
}

#[test]
fn automate_target_alone_opens_the_lane_making_it_at_the_current_value() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = lanes_app(dir.path());
    press(&mut app, ":automate Synth pan<ret>");
    assert!(!app.status.error, "{:?}", app.status);
    assert_eq!(points(&app, &AutomationTarget::Pan), vec![(0.0, 0.0, 0.0)]);
    assert_eq!(app.arrange.lane, Some(AutomationTarget::Pan));
    assert!(app.arrange.lanes.contains(&SYNTH));
    assert_eq!(app.key_mode(), Mode::Lane);
    // Its value steps in pan's unit.
    press(&mut app, "+K");
    assert_eq!(points(&app, &AutomationTarget::Pan), vec![(0.0, 0.3, 0.0)]);
    // An existing lane opens as it is, in one step less.
    let revision = app.history.revision();
    press(&mut app, "gg:automate gain<ret>");
    assert_eq!(app.history.revision(), revision);
    assert_eq!(app.arrange.lane, Some(AutomationTarget::Gain));
    // Completion offers the selected track's targets.
    press(&mut app, ":automate fx:1:b1_<tab>");
    assert_eq!(app.cmdline.text, "automate fx:1:b1_freq");
    assert!(app
        .cmdline
        .completions
        .iter()
        .any(|c| c == "fx:1:b1_gain_db"));
    assert!(!app.cmdline.completions.iter().any(|c| c == "fx:1:b1_type"));
    press(&mut app, "<esc>:automate s<tab>");
    assert_eq!(app.cmdline.text, "automate send:Verb");
}

#[test]
fn a_click_on_a_lane_adds_a_point_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = lanes_app(dir.path());
    press(&mut app, "A");
    let screen = text(&mut app, 120, 40);
    let row = screen
        .lines()
        .position(|l| l.contains("↳ gain"))
        .expect("the gain lane") as u16;
    let click = |kind| {
        Action::Mouse(MouseEvent {
            kind,
            column: 24 + 6,
            row: row + 1,
            modifiers: KeyModifiers::NONE,
        })
    };
    update(&mut app, click(MouseEventKind::Down(MouseButton::Left)));
    update(&mut app, click(MouseEventKind::Up(MouseButton::Left)));
    assert_eq!(app.arrange.lane, Some(AutomationTarget::Gain));
    assert_eq!(
        points(&app, &AutomationTarget::Gain),
        vec![(0.0, 0.0, 0.0), (6.0, -9.0, 0.0), (8.0, -12.0, 0.0)]
    );
    // A second click there selects it and adds nothing.
    update(&mut app, click(MouseEventKind::Down(MouseButton::Left)));
    assert_eq!(points(&app, &AutomationTarget::Gain).len(), 3);
}

#[test]
fn small_screens_with_many_lanes_do_not_panic_and_keep_the_cursor_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = lanes_app(dir.path());
    for i in 3..9 {
        press(&mut app, &format!(":track add midi T{i}<ret>"));
    }
    press(&mut app, "gg");
    press(
        &mut app,
        ":automate Synth pan<ret>:automate Synth send:Verb 0=-3<ret>",
    );
    press(&mut app, "k");
    for _ in 0..12 {
        press(&mut app, "j");
        let t = text(&mut app, 80, 24);
        assert!(t.lines().count() == 24);
        if app.arrange.lane.is_some() {
            assert!(t.contains("LANE"), "{t}");
        }
    }
    assert_eq!(app.arrange.track, app.project.tracks.len() - 1);
    for (w, h) in [(80, 24), (60, 20), (30, 10)] {
        let _ = text(&mut app, w, h);
    }
}

#[test]
fn bus_commands_add_bus_tracks() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = lanes_app(dir.path());
    press(&mut app, ":bus Drum Bus<ret>");
    let t = &app.project.tracks[1];
    assert_eq!((t.name.as_str(), t.kind), ("Drum Bus", TrackKind::Bus));
    press(&mut app, ":track add Plate --bus<ret>");
    let t = &app.project.tracks[2];
    assert_eq!((t.name.as_str(), t.kind), ("Plate", TrackKind::Bus));
    press(&mut app, ":track add Keys<ret>");
    assert_eq!(app.project.tracks[3].kind, TrackKind::Midi);
    let n = app.project.tracks.len();
    press(&mut app, ":track add X --loud<ret>");
    assert!(app.status.error);
    assert_eq!(app.project.tracks.len(), n);
}

#[test]
fn help_lists_the_lane_keys() {
    let dir = tempfile::tempdir().unwrap();
    let app = lanes_app(dir.path());
    let lines = tdaw::ui::views::help::lines(&app);
    let all = format!("{lines:?}");
    for name in [
        "lanes_toggle",
        "point_add",
        "point_up",
        "point_down_coarse",
        "point_left",
        "point_delete",
        "point_curve",
        "point_value",
    ] {
        assert!(all.contains(name), "{name} missing from help");
    }
    assert!(all.contains("lane mode"), "{all}");
    assert!(all.contains(":automate"), "{all}");
}

#[test]
fn lane_mode_keys_sit_over_normal_mode_and_a_user_keymap_can_change_them() {
    use tdaw::ui::keymap::{parse_key_events, Key, KeyTrie, Keymap, ViewKind};
    use tdaw::ui::Cmd;
    let keys = |s: &str| -> Vec<Key> {
        parse_key_events(s)
            .unwrap()
            .iter()
            .filter_map(Key::from_event)
            .collect()
    };
    let cmd = |k: &Keymap, mode, s: &str| match k.trie(ViewKind::Arrange, mode)?.walk(&keys(s)) {
        Some(KeyTrie::Command(c)) => Some(*c),
        _ => None,
    };
    let k = Keymap::defaults();
    assert_eq!(cmd(&k, Mode::Lane, "x"), Some(Cmd::PointDelete));
    assert_eq!(cmd(&k, Mode::Normal, "x"), Some(Cmd::Delete));
    assert_eq!(cmd(&k, Mode::Lane, "zi"), Some(Cmd::ZoomIn));
    assert_eq!(cmd(&k, Mode::Lane, "u"), Some(Cmd::Undo));
    let user =
        "[keys.arrange.lane]\nX = \"point_delete\"\nx = \"no_op\"\n[keys.lane]\nQ = \"undo\"\n";
    let k = Keymap::with_user(user, "keymap.toml").unwrap();
    assert_eq!(cmd(&k, Mode::Lane, "X"), Some(Cmd::PointDelete));
    assert_eq!(cmd(&k, Mode::Lane, "x"), Some(Cmd::NoOp));
    assert_eq!(cmd(&k, Mode::Lane, "Q"), Some(Cmd::Undo));
    assert_eq!(cmd(&k, Mode::Normal, "X"), None);
}
