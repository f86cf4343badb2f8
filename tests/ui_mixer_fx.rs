//! The mixer's inserts and sends, the effect editor and the `:fx`/`:send` commands: screens
//! (80x24 and 120x40) and key sequences checked against the project's numbers, with undo
//! restoring them exactly.

mod ui_support;

use tdaw::model::mixer::Owner;
use tdaw::model::{FxId, ParamValue, Project, Track, TrackId, TrackKind};
use tdaw::ui::keymap::ViewKind;
use tdaw::ui::App;
use ui_support::{app_with, press, text};

/// One data dir for the whole test binary (the picker and `:preset` read the presets table).
fn home() -> &'static std::path::Path {
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        let h = tempfile::tempdir().unwrap();
        std::env::set_var("TDAW_HOME", h.path());
        h
    })
    .path()
}

/// Drums, Bass and a Verb bus; Drums has a compressor (1) and an EQ (2), the master a
/// limiter (3); Drums sends to Verb at -6 dB, Bass pre-fader at -12 dB.
fn mix_app(dir: &std::path::Path) -> App {
    home();
    let mut p = Project::new("Mix", 48_000, 120.0);
    p.tracks
        .push(Track::new(TrackId(1), "Drums", TrackKind::Audio));
    p.tracks
        .push(Track::new(TrackId(2), "Bass", TrackKind::Midi));
    p.tracks
        .push(Track::new(TrackId(3), "Verb", TrackKind::Bus));
    let mut app = app_with(p, dir);
    press(
        &mut app,
        ":fx add Drums compressor threshold_db=-24<ret>:fx add Drums eq b1_type=highpass b2_type=peak b2_gain_db=4<ret>:fx add master limiter<ret>",
    );
    press(&mut app, ":send Verb -6<ret>j:send Verb -12 pre<ret>k");
    assert_eq!(app.history.revision(), 5, "{}", app.status.text);
    app
}

fn effects(app: &App, track: usize) -> Vec<(u64, String, bool)> {
    app.project.tracks[track]
        .effects
        .iter()
        .map(|e| (e.id.0, e.kind.clone(), e.bypass))
        .collect()
}

fn param(app: &App, track: usize, fx: usize, name: &str) -> Option<ParamValue> {
    app.project.tracks[track].effects[fx]
        .params
        .get(name)
        .cloned()
}

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snap(app: &mut App, name: &str) {
    let dir = app.dir.display().to_string();
    for (w, h) in SIZES {
        let t = text(app, w, h).replace(&dir, "[DIR]");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t);
    }
}

/// Every line of a screen fits its width (no wide glyph or overflow pushes text out).
fn fits(app: &mut App, w: u16, h: u16) {
    let t = text(app, w, h);
    assert_eq!(t.lines().count(), h as usize);
    for l in t.lines() {
        assert_eq!(l.chars().count(), w as usize, "{l}");
    }
}

#[test]
fn the_mixer_lists_inserts_with_gain_reduction_and_sends_with_pre_post() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = mix_app(dir.path());
    app.meters.gain_reduction.insert(FxId(1), 4.5);
    app.meters.gain_reduction.insert(FxId(3), 12.0);
    press(&mut app, "gm:fx bypass 2 on<ret>");
    let t = text(&mut app, 80, 24);
    assert!(t.contains("●Comp 1 █▏·"), "{t}");
    assert!(t.contains("○EQ 2"), "{t}");
    assert!(t.contains("→Verb -6"), "{t}");
    assert!(t.contains("→Ve -12 pre"), "{t}");
    assert!(t.contains("●Lim 3   ███"), "{t}");
    press(&mut app, "kk");
    assert_eq!(app.mixer.param, tdaw::ui::app::MixerParam::Insert(1));
    snap(&mut app, "mixer_inserts");
}

#[test]
fn insert_keys_bypass_reorder_and_remove_in_one_undo_step_each() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = mix_app(dir.path());
    let before = app.project.clone();
    press(&mut app, "gmkkk");
    assert_eq!(app.mixer.param, tdaw::ui::app::MixerParam::Insert(0));
    press(&mut app, "b");
    assert_eq!(effects(&app, 0)[0], (1, "compressor".into(), true));
    press(&mut app, "J");
    assert_eq!(effects(&app, 0)[1], (1, "compressor".into(), true));
    // The cursor follows the moved insert.
    assert_eq!(app.mixer.param, tdaw::ui::app::MixerParam::Insert(1));
    press(&mut app, "[");
    assert_eq!(effects(&app, 0)[0].0, 1);
    press(&mut app, "x");
    assert_eq!(effects(&app, 0), vec![(2, "eq".into(), false)]);
    press(&mut app, "uuuu");
    assert_eq!(app.project, before);
    // On a send: pre/post and level.
    press(&mut app, "jj");
    assert_eq!(app.mixer.param, tdaw::ui::app::MixerParam::Send(0));
    press(&mut app, "p3-");
    let s = &app.project.tracks[0].sends[0];
    assert!(s.pre_fader);
    assert_eq!(s.level_db, -9.0);
    press(&mut app, "uu");
    assert_eq!(app.project, before);
}

#[test]
fn the_editor_steps_types_and_resets_a_compressor_and_undo_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = mix_app(dir.path());
    let before = app.project.clone();
    app.meters.gain_reduction.insert(FxId(1), 6.0);
    press(&mut app, "gmkkk<ret>");
    assert_eq!(app.view, ViewKind::FxEditor);
    assert_eq!(app.fx_editor.fx, FxId(1));
    snap(&mut app, "fx_editor_compressor");
    // threshold -24: 5l is five 0.5 dB steps, H a coarse one down.
    press(&mut app, "5l");
    assert_eq!(
        param(&app, 0, 0, "threshold_db"),
        Some(ParamValue::Number(-21.5))
    );
    press(&mut app, "H");
    assert_eq!(
        param(&app, 0, 0, "threshold_db"),
        Some(ParamValue::Number(-26.5))
    );
    // ratio on a log curve, stepped up and back down to where it was.
    press(&mut app, "j2L2H");
    assert_eq!(param(&app, 0, 0, "ratio"), Some(ParamValue::Number(4.0)));
    // The detector is a choice: + steps to rms.
    press(&mut app, "5j+");
    assert_eq!(
        param(&app, 0, 0, "detector"),
        Some(ParamValue::Text("rms".into()))
    );
    // Typed: enter prefills :fx set with the value.
    press(&mut app, "kkk<ret>");
    assert_eq!(app.cmdline.text, "fx set 1 attack_ms=10");
    press(&mut app, "<C-u>fx set 1 attack_ms=25ms<ret>");
    assert_eq!(
        param(&app, 0, 0, "attack_ms"),
        Some(ParamValue::Number(25.0))
    );
    press(&mut app, "r");
    assert_eq!(
        param(&app, 0, 0, "attack_ms"),
        Some(ParamValue::Number(10.0))
    );
    press(&mut app, "b");
    assert!(app.project.tracks[0].effects[0].bypass);
    press(&mut app, "J");
    assert_eq!(effects(&app, 0)[1].0, 1);
    assert_eq!(
        app.view,
        ViewKind::FxEditor,
        "the editor follows its effect"
    );
    // Nine edits (a count is one step): 5l, H, 2L, 2H, +, the typed one, r, b, J.
    press(&mut app, &"u".repeat(9));
    assert_eq!(app.project, before);
    press(&mut app, "<esc>");
    assert_eq!(app.view, ViewKind::Mixer);
}

#[test]
fn a_bad_typed_value_changes_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = mix_app(dir.path());
    let before = app.project.clone();
    let rev = app.history.revision();
    press(
        &mut app,
        "gmkkk<ret><ret><C-u>fx set 1 threshold_db=12<ret>",
    );
    assert_eq!(app.project, before);
    assert_eq!(app.history.revision(), rev);
    assert!(app.status.error);
    assert_eq!(
        app.status.text,
        "threshold_db = 12 dB is out of range: threshold_db must be -60 … 0 dB"
    );
    press(&mut app, "=<C-u>fx set 1 detector=loud<ret>");
    assert_eq!(app.project, before);
    assert!(
        app.status.text.contains("one of peak, rms"),
        "{}",
        app.status.text
    );
    let t = text(&mut app, 80, 24);
    assert!(t.contains("one of peak, rms"), "{t}");
}

#[test]
fn the_editor_shows_an_eq_compactly_and_removing_goes_back_to_the_mixer() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = mix_app(dir.path());
    press(&mut app, "gmkk<ret>");
    assert_eq!(app.fx_editor.fx, FxId(2));
    snap(&mut app, "fx_editor_eq");
    // Rows: b1 highpass (type freq q slope), b2 peak (type freq gain q), six bands off.
    let t = text(&mut app, 120, 40);
    assert!(t.contains("b2_gain_db    4 dB"), "{t}");
    assert!(t.contains("b3_type       off"), "{t}");
    assert!(!t.contains("b3_freq"), "{t}");
    // Turning band 3 on with a step unfolds it.
    press(&mut app, "8jl");
    assert_eq!(
        param(&app, 0, 1, "b3_type"),
        Some(ParamValue::Text("peak".into()))
    );
    assert!(text(&mut app, 120, 40).contains("b3_freq"));
    press(&mut app, "o");
    assert!(app.fx_editor.hide_off);
    assert!(!text(&mut app, 120, 40).contains("b4_type"));
    fits(&mut app, 80, 24);
    press(&mut app, "x");
    assert_eq!(app.view, ViewKind::Mixer);
    assert_eq!(effects(&app, 0).len(), 1);
    press(&mut app, "u");
    assert_eq!(effects(&app, 0).len(), 2);
}

#[test]
fn the_picker_adds_a_kind_and_opens_the_editor_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = mix_app(dir.path());
    press(&mut app, "gml");
    press(&mut app, "a/rev<ret>");
    assert_eq!(effects(&app, 1), vec![(4, "reverb".into(), false)]);
    assert_eq!(app.view, ViewKind::FxEditor);
    assert_eq!(app.fx_editor.owner, Owner::Track(TrackId(2)));
    press(&mut app, "q$a");
    // From the master strip: the picker adds to the master chain.
    press(&mut app, "/lim<ret>");
    assert_eq!(
        app.project
            .master
            .effects
            .iter()
            .map(|e| e.kind.as_str())
            .collect::<Vec<_>>(),
        ["limiter", "limiter"]
    );
    press(&mut app, "<esc>u");
    assert_eq!(app.project.master.effects.len(), 1);
}

#[test]
fn fx_and_send_commands_mirror_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = mix_app(dir.path());
    press(&mut app, ":fx set 1 ratio=8 knee_db=3<ret>");
    assert_eq!(param(&app, 0, 0, "ratio"), Some(ParamValue::Number(8.0)));
    assert_eq!(param(&app, 0, 0, "knee_db"), Some(ParamValue::Number(3.0)));
    press(&mut app, ":fx move 1 2<ret>");
    assert_eq!(effects(&app, 0)[1].0, 1);
    press(&mut app, ":fx bypass 2 on<ret>");
    assert!(effects(&app, 0)[0].2);
    press(&mut app, ":fx rm 2<ret>");
    assert_eq!(effects(&app, 0).len(), 1);
    // Without TRACK: the selected track (Bass in the arrange view).
    press(&mut app, "j:fx add delay time=1/8.<ret>");
    assert_eq!(effects(&app, 1), vec![(4, "delay".into(), false)]);
    assert_eq!(
        param(&app, 1, 0, "time"),
        Some(ParamValue::Text("1/8.".into()))
    );
    press(&mut app, ":send Verb -3 post<ret>");
    let s = &app.project.tracks[1].sends[0];
    assert_eq!((s.level_db, s.pre_fader), (-3.0, false));
    press(&mut app, ":send Verb rm<ret>");
    assert!(app.project.tracks[1].sends.is_empty());
    // Refusals change nothing.
    let before = app.project.clone();
    let rev = app.history.revision();
    for bad in [
        ":fx add wah<ret>",
        ":fx set 9 ratio=2<ret>",
        ":fx set 1 ratio=50<ret>",
        ":fx move 1 7<ret>",
        ":send Drums -6<ret>",
        ":send Verb loud<ret>",
    ] {
        press(&mut app, bad);
        assert!(app.status.error, "{bad}: {}", app.status.text);
        assert_eq!(app.project, before, "{bad}");
    }
    assert_eq!(app.history.revision(), rev);
    press(&mut app, ":fx add wah<ret>");
    assert!(
        app.status.text.contains("the kinds are eq, compressor"),
        "{}",
        app.status.text
    );
}

#[test]
fn help_lists_the_new_keys_of_the_mixer_and_the_editor() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = mix_app(dir.path());
    press(&mut app, "gm?");
    let lines = tdaw::ui::views::help::lines(&app);
    let all = format!("{lines:?}");
    for name in [
        "fx_open",
        "fx_add",
        "fx_bypass",
        "fx_remove",
        "fx_move_up",
        "send_pre_post",
    ] {
        assert!(all.contains(name), "mixer help lacks {name}");
    }
    press(&mut app, "<esc>kkk<ret>?");
    let all = format!("{:?}", tdaw::ui::views::help::lines(&app));
    for name in [
        "value_up_coarse",
        "value_type",
        "fx_hide_off",
        "fx_close",
        "preset_save",
        "fx_move_down",
    ] {
        assert!(all.contains(name), "editor help lacks {name}");
    }
    assert!(all.contains("Effect editor"));
    assert!(!all.contains("track_add_midi"), "mixer-only keys stay out");
}

#[test]
fn small_and_crowded_screens_do_not_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = mix_app(dir.path());
    let kinds = ["gate", "reverb", "delay", "eq", "limiter", "compressor"];
    for k in kinds.iter().chain(&kinds) {
        press(
            &mut app,
            &format!(":fx add Drums {k}<ret>:fx add master {k}<ret>"),
        );
    }
    press(&mut app, "gm");
    fits(&mut app, 80, 24);
    let t = text(&mut app, 80, 24);
    assert!(t.contains("more"), "{t}");
    // Every insert is reachable, and the cursor's row shows (the chain scrolls).
    press(&mut app, "2k");
    assert_eq!(app.mixer.param, tdaw::ui::app::MixerParam::Insert(13));
    assert!(text(&mut app, 80, 24).contains("●Comp 27"));
    press(&mut app, "20k");
    assert_eq!(app.mixer.param, tdaw::ui::app::MixerParam::Insert(0));
    press(&mut app, "<ret>");
    fits(&mut app, 80, 24);
    press(&mut app, "<esc>$10k<ret>");
    fits(&mut app, 80, 24);
    fits(&mut app, 120, 40);
}

#[test]
fn presets_save_from_the_editor_and_load_by_command_and_picker() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = mix_app(dir.path());
    // A factory chain into Drums: one undo step.
    let before = app.project.clone();
    press(&mut app, ":preset load drum bus<ret>");
    assert!(!app.status.error, "{}", app.status.text);
    let factory = tdaw::store::presets::find("drum bus").unwrap();
    let kinds: Vec<String> = app.project.tracks[0].effects[2..]
        .iter()
        .map(|e| e.kind.clone())
        .collect();
    assert_eq!(
        kinds,
        factory
            .effects
            .iter()
            .map(|e| e.kind.clone())
            .collect::<Vec<_>>()
    );
    press(&mut app, "u");
    assert_eq!(app.project, before);
    // `s` in the editor saves the edited effect under a typed name.
    press(&mut app, "gmkkk<ret>s");
    assert_eq!(app.cmdline.text, "preset save ");
    press(&mut app, "punchy comp<ret>");
    assert!(!app.status.error, "{}", app.status.text);
    let saved = tdaw::store::presets::find("punchy comp").unwrap();
    assert_eq!(saved.effects.len(), 1);
    assert_eq!(saved.effects[0].kind, "compressor");
    assert_eq!(
        saved.effects[0].params.get("threshold_db"),
        Some(&ParamValue::Number(-24.0))
    );
    press(&mut app, ":preset list<ret>");
    assert!(
        app.status.text.contains("punchy comp (compressor)"),
        "{}",
        app.status.text
    );
    // The picker lists it; on Bass it loads with a fresh id.
    press(&mut app, "<esc>la/punchy<ret>");
    assert_eq!(effects(&app, 1), vec![(4, "compressor".into(), false)]);
    assert_eq!(
        param(&app, 1, 0, "threshold_db"),
        Some(ParamValue::Number(-24.0))
    );
    // Factory names are refused; nothing changes.
    press(&mut app, ":preset save vocal<ret>");
    assert!(app.status.error);
    press(&mut app, ":preset load nosuch<ret>");
    assert!(app.status.error);
    press(&mut app, ":preset rm punchy comp<ret>");
    assert!(tdaw::store::presets::find("punchy comp").is_err());
}
