//! `tdaw track|fx|send|automate` end to end, as the real binary on a temp project: the file
//! read back with `store::load_project`, stdout checked, negative numbers taken as values,
//! every kind of bad input refused in one `error:` line with project.toml byte-identical, one
//! edit (one save) per command, and a second writer's save merged in.

use serde_json::Value;
use std::fs;
use std::path::Path;
use tdaw::model::{AutomationTarget, FxId, ParamValue, TrackKind};

mod cli_support;
use cli_support::Env;

impl Env {
    /// A project with an audio track "Drums", an audio track "Bass" and a bus "Verb".
    fn song(&self) -> String {
        let d = self.dir().to_string_lossy().into_owned();
        self.ok(&["new", &d]);
        self.ok(&["track", "add", &d, "Drums"]);
        self.ok(&["track", "add", &d, "Bass"]);
        self.ok(&["track", "add", &d, "Verb", "--bus"]);
        d
    }
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

#[test]
fn track_add_and_set() {
    let env = Env::new();
    let d = env.song();
    let out = env.ok(&["track", "add", &d, "Keys", "--midi"]);
    assert_eq!(out, "added MIDI track 'Keys' as track 4 (id 4)\n");
    let out = env.ok(&[
        "track",
        "set",
        &d,
        "Drums",
        "gain_db=-6.5",
        "pan=-0.25",
        "mute=on",
        "solo=yes",
    ]);
    assert_eq!(
        out,
        "Drums: gain_db -6.5 dB, pan -0.25, mute on, solo yes\n"
    );
    env.ok(&["track", "set", &d, "2", "name=Bass DI"]);
    let out = env.ok(&["track", "set", &d, "master", "gain_db=-3"]);
    assert_eq!(out, "master: gain_db -3 dB\n");
    let p = env.project();
    let kinds: Vec<TrackKind> = p.tracks.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        [
            TrackKind::Audio,
            TrackKind::Audio,
            TrackKind::Bus,
            TrackKind::Midi
        ]
    );
    assert!(p.tracks[3].instrument.is_some());
    let t = &p.tracks[0];
    assert_eq!(
        (t.gain_db, t.pan, t.mute, t.solo),
        (-6.5, -0.25, true, true)
    );
    assert_eq!(p.tracks[1].name, "Bass DI");
    assert_eq!(p.master.gain_db, -3.0);
}

#[test]
fn fx_add_set_move_bypass_rm_and_list() {
    let env = Env::new();
    let d = env.song();
    // The id alone on stdout.
    let out = env.ok(&[
        "fx",
        "add",
        &d,
        "Drums",
        "compressor",
        "threshold_db=-24",
        "ratio=6",
        "sidechain=Bass",
    ]);
    assert_eq!(out, "1\n");
    assert_eq!(
        env.ok(&["fx", "add", &d, "1", "eq", "b1_type=highpass", "b1_freq=80"]),
        "2\n"
    );
    assert_eq!(
        env.ok(&["fx", "add", &d, "master", "limiter", "ceiling_dbtp=-1.5"]),
        "3\n"
    );
    let p = env.project();
    let c = &p.tracks[0].effects[0];
    assert_eq!(c.id, FxId(1));
    assert_eq!(c.params["threshold_db"], ParamValue::Number(-24.0));
    assert_eq!(c.params["ratio"], ParamValue::Number(6.0));
    assert_eq!(c.params["sidechain"], ParamValue::Number(2.0));
    assert_eq!(
        p.master.effects[0].params["ceiling_dbtp"],
        ParamValue::Number(-1.5)
    );
    let out = env.ok(&[
        "fx",
        "set",
        &d,
        "Drums",
        "1",
        "makeup_db=-2",
        "detector=RMS",
    ]);
    assert_eq!(out, "Drums: compressor 1: makeup_db -2 dB, detector rms\n");
    assert_eq!(
        env.ok(&["fx", "move", &d, "Drums", "2", "1"]),
        "Drums: eq 2 moved to position 1\n"
    );
    assert_eq!(
        env.ok(&["fx", "bypass", &d, "Drums", "1", "on"]),
        "Drums: compressor 1 bypassed\n"
    );
    let p = env.project();
    let ids: Vec<u64> = p.tracks[0].effects.iter().map(|e| e.id.0).collect();
    assert_eq!(ids, [2, 1]);
    assert!(p.tracks[0].effects[1].bypass);
    assert_eq!(
        p.tracks[0].effects[1].params["detector"],
        ParamValue::Text("rms".into())
    );

    let text = env.ok(&["fx", "list", &d]);
    assert!(
        text.starts_with("Drums (track 1, audio)\n  1. eq (id 2)\n"),
        "{text}"
    );
    assert!(text.contains("b1_type highpass, b1_freq 80 Hz"), "{text}");
    assert!(text.contains("2. compressor (id 1)  (bypassed)"), "{text}");
    assert!(text.contains("threshold_db -24 dB, ratio 6:1"), "{text}");
    assert!(
        text.contains("makeup_db -2 dB, detector rms, sidechain Bass"),
        "{text}"
    );
    assert!(
        text.contains("Verb (track 3, bus)\n  (no effects)\nmaster\n"),
        "{text}"
    );
    assert!(text.contains("ceiling_dbtp -1.5 dBTP"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    let j = json(&env.ok(&["fx", "list", &d, "--json"]));
    let chains = j["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 4);
    assert_eq!(chains[0]["track"], "Drums");
    assert_eq!(chains[0]["effects"][1]["id"], 1);
    assert_eq!(chains[0]["effects"][1]["bypass"], true);
    assert_eq!(chains[0]["effects"][1]["params"]["ratio"], 6.0);
    assert_eq!(chains[0]["effects"][1]["params"]["sidechain"], "Bass");
    assert_eq!(chains[0]["effects"][1]["params"]["mix"], 1.0);
    assert_eq!(chains[3]["track"], "master");
    assert_eq!(chains[3]["effects"][0]["kind"], "limiter");

    assert_eq!(
        env.ok(&["fx", "rm", &d, "Drums", "2"]),
        "removed Drums: eq 2\n"
    );
    env.ok(&["fx", "bypass", &d, "Drums", "1", "off"]);
    let p = env.project();
    assert_eq!(p.tracks[0].effects.len(), 1);
    assert!(!p.tracks[0].effects[0].bypass);
}

#[test]
fn fx_kinds_lists_every_kind_and_parameter() {
    let env = Env::new();
    let text = env.ok(&["fx", "kinds"]);
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    for k in tdaw::model::fx::kinds() {
        assert!(text.contains(&format!("{} — ", k.name)), "{}", k.name);
    }
    assert!(
        text.contains("threshold_db  -60 … 0 dB, default -18 dB"),
        "{text}"
    );
    let j = json(&env.ok(&["fx", "kinds", "--json"]));
    let kinds = j.as_array().unwrap();
    let names: Vec<&str> = kinds.iter().map(|k| k["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["eq", "compressor", "gate", "reverb", "delay", "limiter"]
    );
    let comp = &kinds[1]["params"];
    assert_eq!(comp[0]["name"], "threshold_db");
    assert_eq!(comp[0]["unit"], "dB");
    assert_eq!(comp[0]["min"], -60.0);
    assert_eq!(comp[0]["max"], 0.0);
    assert_eq!(comp[0]["default"], -18.0);
    assert_eq!(comp[6]["name"], "detector");
    assert_eq!(comp[6]["default"], "peak");
    assert_eq!(comp[6]["choices"], serde_json::json!(["peak", "rms"]));
    assert_eq!(kinds[0]["params"].as_array().unwrap().len(), 40);
}

#[test]
fn sends_take_negative_levels_and_change_in_place() {
    let env = Env::new();
    let d = env.song();
    assert_eq!(
        env.ok(&["send", &d, "Drums", "Verb", "--db", "-6", "--pre"]),
        "Drums → Verb: -6 dB, pre-fader\n"
    );
    assert_eq!(
        env.ok(&["send", &d, "Drums", "Verb", "--db", "-12.5"]),
        "Drums → Verb: -12.5 dB, pre-fader\n"
    );
    let s = &env.project().tracks[0].sends;
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].level_db, s[0].pre_fader), (-12.5, true));
    env.ok(&["send", &d, "Drums", "Verb", "--post"]);
    let s = &env.project().tracks[0].sends;
    assert_eq!((s[0].level_db, s[0].pre_fader), (-12.5, false));
    env.ok(&["send", &d, "2", "3"]);
    assert_eq!(env.project().tracks[1].sends[0].level_db, 0.0);
    assert_eq!(
        env.ok(&["send", &d, "Drums", "Verb", "--remove"]),
        "removed the send from Drums to Verb\n"
    );
    assert!(env.project().tracks[0].sends.is_empty());
}

#[test]
fn automation_points_lanes_and_removal() {
    let env = Env::new();
    let d = env.song();
    let out = env.ok(&[
        "automate", &d, "Drums", "gain", "0=-24", "4=0~0.5", "8=-6dB",
    ]);
    assert_eq!(out, "Drums: gain: set 3 points, the lane has 3\n");
    env.ok(&["send", &d, "Drums", "Verb", "--db", "-6"]);
    env.ok(&["automate", &d, "Drums", "send:Verb", "0=-30", "16=-3"]);
    env.ok(&["fx", "add", &d, "Drums", "eq", "b1_type=lowpass"]);
    env.ok(&[
        "automate",
        &d,
        "Drums",
        "fx:1:b1_freq",
        "0=200",
        "8=12000~-0.5",
    ]);
    env.ok(&["automate", &d, "Bass", "pan", "0=-1", "2=1"]);
    env.ok(&["automate", &d, "master", "gain", "0=-2"]);
    let p = env.project();
    let lanes = &p.tracks[0].automation;
    assert_eq!(lanes.len(), 3);
    let gain = lanes
        .iter()
        .find(|l| l.target == AutomationTarget::Gain)
        .unwrap();
    let pts: Vec<(f64, f64, f64)> = gain
        .points
        .iter()
        .map(|q| (q.beat, q.value, q.curve))
        .collect();
    assert_eq!(pts, [(0.0, -24.0, 0.0), (4.0, 0.0, 0.5), (8.0, -6.0, 0.0)]);
    let send = lanes
        .iter()
        .find(|l| matches!(l.target, AutomationTarget::Send(_)))
        .unwrap();
    assert_eq!(send.points[0].value, -30.0);
    let f = lanes
        .iter()
        .find(|l| l.target == AutomationTarget::Fx(FxId(1), "b1_freq".into()))
        .unwrap();
    assert_eq!((f.points[1].value, f.points[1].curve), (12000.0, -0.5));
    assert_eq!(p.tracks[1].automation[0].points[0].value, -1.0);
    assert_eq!(p.master.automation[0].points[0].value, -2.0);
    // Replacing a point at the same beat, removing points, clearing the lane.
    env.ok(&["automate", &d, "Drums", "gain", "4=-3"]);
    let out = env.ok(&["automate", &d, "Drums", "gain", "--remove", "0", "8"]);
    assert_eq!(out, "Drums: gain: removed 2 points, 1 left\n");
    let gain = &env.project().tracks[0].automation[0];
    assert_eq!(gain.points.len(), 1);
    assert_eq!(gain.points[0].value, -3.0);
    assert_eq!(
        env.ok(&["automate", &d, "Drums", "fx:1:b1_freq", "--clear"]),
        "Drums: removed the fx:1:b1_freq lane\n"
    );
    assert_eq!(env.project().tracks[0].automation.len(), 2);
}

#[test]
fn bad_inputs_are_one_line_and_leave_project_toml_byte_identical() {
    let env = Env::new();
    let d = env.song();
    env.ok(&["fx", "add", &d, "Drums", "compressor"]);
    env.ok(&["send", &d, "Drums", "Verb"]);
    let before = env.bytes();
    let cases: &[(&[&str], &str)] = &[
        (
            &["fx", "add", &d, "Drums", "flanger"],
            "the kinds are eq, compressor, gate, reverb, delay, limiter",
        ),
        (
            &["fx", "add", &d, "Drums", "compressor", "ratio=50"],
            "1 … 20:1",
        ),
        (
            &["fx", "add", &d, "Drums", "compressor", "threshold_db=-61"],
            "-60 … 0 dB",
        ),
        (
            &["fx", "add", &d, "Drums", "compressor", "ratoi=4"],
            "it has threshold_db, ratio",
        ),
        (
            &["fx", "add", &d, "Drums", "compressor", "ratio"],
            "NAME=VALUE",
        ),
        (
            &["fx", "add", &d, "Drums", "compressor", "detector=avg"],
            "one of peak, rms",
        ),
        (
            &["fx", "add", &d, "Drums", "eq", "b1_slope=18"],
            "one of 12, 24",
        ),
        (
            &["fx", "add", &d, "Drums", "delay", "time=1/7"],
            "not a note value",
        ),
        (
            &["fx", "add", &d, "Nope", "gate"],
            "the tracks are Drums, Bass, Verb",
        ),
        (&["fx", "add", &d, "9", "gate"], "the project has 3 tracks"),
        (
            &["fx", "set", &d, "Drums", "7", "ratio=2"],
            "its effects are 1 (compressor)",
        ),
        (
            &["fx", "set", &d, "Drums", "x", "ratio=2"],
            "is not an effect id",
        ),
        (&["fx", "set", &d, "Drums", "1", "mix=2"], "0 … 1"),
        (&["fx", "rm", &d, "Bass", "1"], "its chain is empty"),
        (&["fx", "move", &d, "Drums", "1", "3"], "outside 1..=1"),
        (&["fx", "move", &d, "Drums", "1", "first"], "whole number"),
        (&["fx", "bypass", &d, "Drums", "1", "maybe"], "on or off"),
        (&["track", "set", &d, "Drums", "pan=2"], "-1 … 1"),
        (&["track", "set", &d, "Drums", "gain_db=30"], "-144 … 24 dB"),
        (
            &["track", "set", &d, "Drums", "volume=3"],
            "gain_db, pan, mute, solo, name",
        ),
        (&["track", "set", &d, "master", "pan=0"], "only gain_db"),
        (&["track", "set", &d, "Drums", "mute=perhaps"], "on or off"),
        (&["track", "add", &d, " "], "name"),
        (&["track", "add", &d, "a\tb"], "control characters"),
        (&["send", &d, "Drums", "Bass"], "not a bus"),
        (&["send", &d, "Drums", "Verb", "--db", "30"], "-144 … 24 dB"),
        (
            &["send", &d, "Drums", "Verb", "--db", "loud"],
            "invalid value",
        ),
        (&["send", &d, "Bass", "Verb", "--remove"], "has no send"),
        (&["send", &d, "Verb", "Verb"], "itself"),
        (&["automate", &d, "Drums", "gain", "4=-200"], "-144 … 24 dB"),
        (&["automate", &d, "Drums", "pan", "0=1.5"], "-1 … 1"),
        (&["automate", &d, "Drums", "gain", "4"], "BEAT=VALUE"),
        (&["automate", &d, "Drums", "gain", "x=0"], "not a beat"),
        (
            &["automate", &d, "Drums", "gain", "-1=0"],
            "unexpected argument",
        ),
        (&["automate", &d, "Drums", "gain", "0=0~3"], "-1 … 1"),
        (
            &["automate", &d, "Drums", "volume", "0=0"],
            "gain, pan, send:BUS or fx:FX:PARAM",
        ),
        (
            &["automate", &d, "Drums", "send:Bass", "0=0"],
            "has no send",
        ),
        (
            &["automate", &d, "Drums", "fx:5:ratio", "0=2"],
            "has no effect 5",
        ),
        (
            &["automate", &d, "Drums", "fx:1:ratoi", "0=2"],
            "it has threshold_db",
        ),
        (&["automate", &d, "Drums", "fx:1:ratio", "0=40"], "1 … 20:1"),
        (
            &["automate", &d, "Drums", "fx:1:detector", "0=1"],
            "cannot be automated",
        ),
        (&["automate", &d, "master", "pan", "0=0"], "no pan"),
        (
            &["automate", &d, "Drums", "gain", "--remove", "4"],
            "no gain lane",
        ),
        (
            &["automate", &d, "Drums", "gain", "--clear"],
            "no gain lane",
        ),
        (&["automate", &d, "Drums", "gain"], "BEAT=VALUE"),
    ];
    for (args, needle) in cases {
        let (code, out, err) = env.run(args);
        assert_ne!(code, 0, "tdaw {args:?} succeeded: {out}");
        assert!(out.is_empty(), "tdaw {args:?} printed {out}");
        assert_eq!(err.lines().count(), 1, "tdaw {args:?}: {err}");
        assert!(err.starts_with("error: "), "tdaw {args:?}: {err}");
        assert!(
            err.contains(needle),
            "tdaw {args:?}: '{needle}' not in {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(env.bytes(), before, "tdaw {args:?} changed project.toml");
    }
}

/// Backups of project.toml: one per save that replaced it.
fn backups(dir: &Path) -> usize {
    fs::read_dir(dir.join(".tdaw/backups"))
        .map(|r| r.count())
        .unwrap_or(0)
}

#[test]
fn two_commands_are_two_edits() {
    let env = Env::new();
    let d = env.song();
    let before = backups(&env.dir());
    env.ok(&["fx", "add", &d, "Drums", "gate", "threshold_db=-50"]);
    env.ok(&["fx", "add", &d, "Drums", "reverb", "decay_s=3"]);
    assert_eq!(backups(&env.dir()), before + 2);
    let p = env.project();
    let kinds: Vec<&str> = p.tracks[0]
        .effects
        .iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(kinds, ["gate", "reverb"]);
    assert_eq!(p.tracks[0].effects[1].id, FxId(2));
}

/// Whether process `pid` has `file` open.
fn has_open(pid: u32, file: &Path) -> bool {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten()
        .any(|fd| fs::read_link(fd.path()).is_ok_and(|t| t == file))
}

#[test]
fn another_writers_save_is_merged_not_lost() {
    let env = Env::new();
    let d = env.song();
    let dir = env.dir();
    // Hold the write lock: the command loads the project, makes its edit, then waits to save.
    let lock = tdaw::store::lock::lock_project(&dir, "test", tdaw::store::lock::LOCK_WAIT).unwrap();
    let child = env
        .cmd(&["fx", "add", &d, "Drums", "compressor", "ratio=3"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lock_file = fs::canonicalize(dir.join(tdaw::store::lock::LOCK_FILE)).unwrap();
    let waited = std::time::Instant::now();
    while !has_open(child.id(), &lock_file) {
        assert!(
            waited.elapsed().as_secs() < 60,
            "the command never reached the lock"
        );
        std::thread::yield_now();
    }
    // Meanwhile another writer (holding the lock) renames Bass and adds a track.
    let mut theirs = env.project();
    theirs.tracks[1].name = "Bass Amp".into();
    theirs.tracks.push(tdaw::model::Track::new(
        theirs.next_track_id(),
        "Theirs",
        TrackKind::Audio,
    ));
    let text = tdaw::store::format::to_toml(&theirs).unwrap();
    let tmp = dir.join("project.toml.theirs");
    fs::write(&tmp, text).unwrap();
    fs::rename(&tmp, dir.join("project.toml")).unwrap();
    drop(lock);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n");
    let p = env.project();
    let names: Vec<&str> = p.tracks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Drums", "Bass Amp", "Verb", "Theirs"]);
    assert_eq!(p.tracks[0].effects[0].kind, "compressor");
    assert_eq!(
        p.tracks[0].effects[0].params["ratio"],
        ParamValue::Number(3.0)
    );
}
