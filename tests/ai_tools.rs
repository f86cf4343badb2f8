//! The assistant's tools and change sets through the public API: every tool's edit on a real
//! project (and its one-sentence refusal on bad arguments), the schemas, change sets applied
//! all or nothing as one undo step, their diff text and JSON, and `still_applies`; the context
//! summary within its budget for a huge project.

use serde_json::{json, Value};
use tdaw::ai::change::{ChangeSet, Op};
use tdaw::ai::tools::{self, definitions, edit_for, read};
use tdaw::ai::ToolCall;
use tdaw::model::{
    AutomationTarget, ClipContent, Edit, History, Instrument, Note, Project, TrackKind,
};

fn call(name: &str, args: Value) -> ToolCall {
    ToolCall {
        id: format!("t-{name}"),
        name: name.into(),
        args,
    }
}

/// A small song: a piano with a 4-beat clip of three notes, a bass with a compressor, an
/// audio track, and a reverb bus.
fn song() -> Project {
    let mut p = Project::new("Song", 48_000, 120.0);
    let steps = vec![
        call(
            "add_track",
            json!({"name": "Piano", "kind": "midi", "instrument": 0}),
        ),
        call(
            "write_clip",
            json!({"track": "Piano", "start_beat": 0, "length_beats": 4, "notes": [
                {"pitch": 60, "start_beat": 0.1, "length_beats": 1, "velocity": 90},
                {"pitch": 64, "start_beat": 1.05, "length_beats": 1, "velocity": 90},
                {"pitch": 67, "start_beat": 2, "length_beats": 2},
            ]}),
        ),
        call(
            "add_track",
            json!({"name": "Bass", "kind": "midi", "instrument": 33}),
        ),
        call(
            "add_effect",
            json!({"track": "Bass", "kind": "compressor", "params": {"ratio": 4}}),
        ),
        call("add_track", json!({"name": "Vox", "kind": "audio"})),
        call("add_track", json!({"name": "Verb", "kind": "bus"})),
    ];
    for c in &steps {
        let e = edit_for(&p, c).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        e.apply(&mut p).unwrap();
    }
    p.validate().unwrap();
    p
}

fn apply(p: &Project, c: ToolCall) -> Project {
    let mut q = p.clone();
    edit_for(p, &c)
        .unwrap_or_else(|e| panic!("{}: {e}", c.name))
        .apply(&mut q)
        .unwrap();
    q.validate().unwrap();
    q
}

fn refused(p: &Project, c: ToolCall) -> String {
    match edit_for(p, &c) {
        Ok(e) => panic!("{} was not refused: {e:?}", c.name),
        Err(e) => {
            assert!(
                e.starts_with(&format!("{}:", c.name)) || e.contains(&c.name),
                "error does not name the tool: {e}"
            );
            assert!(!e.contains('\n'), "more than one line: {e}");
            e
        }
    }
}

fn notes(p: &Project, track: &str) -> Vec<Note> {
    let t = p.tracks.iter().find(|t| t.name == track).unwrap();
    t.clips
        .iter()
        .flat_map(|c| match &c.content {
            ClipContent::Midi(m) => m.notes.clone(),
            ClipContent::Audio(_) => Vec::new(),
        })
        .collect()
}

#[test]
fn schemas_are_closed_objects_naming_every_tool() {
    let defs = definitions();
    let names: Vec<&str> = defs.iter().map(|d| d.name).collect();
    for want in [
        "add_track",
        "set_track",
        "remove_track",
        "write_clip",
        "set_tempo",
        "set_key",
        "set_time_signature",
        "add_effect",
        "set_effect",
        "remove_effect",
        "set_send",
        "automate",
        "quantize",
        "transpose",
        "get_project",
        "get_notes",
        "list_effect_kinds",
    ] {
        assert!(names.contains(&want), "{want} missing");
    }
    assert_eq!(defs.len(), 17);
    for d in &defs {
        assert_eq!(d.schema["type"], "object", "{}", d.name);
        assert_eq!(d.schema["additionalProperties"], false, "{}", d.name);
        assert!(d.schema["properties"].is_object(), "{}", d.name);
        let props = d.schema["properties"].as_object().unwrap();
        for r in d.schema["required"].as_array().unwrap() {
            assert!(props.contains_key(r.as_str().unwrap()), "{}: {r}", d.name);
        }
        assert!(d.description.len() > 20, "{}", d.name);
        assert_eq!(
            d.edits,
            !d.name.starts_with("get_") && !d.name.starts_with("list_"),
            "{}",
            d.name
        );
    }
    let add = tools::find("add_effect").unwrap();
    let kinds: Vec<&str> = add.schema["properties"]["kind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let registry: Vec<&str> = tdaw::model::fx::kinds().iter().map(|k| k.name).collect();
    assert_eq!(kinds, registry);
    let doc = add.schema["properties"]["params"]["description"]
        .as_str()
        .unwrap();
    assert!(doc.contains("compressor: threshold_db"), "{doc}");
}

#[test]
fn add_track_makes_each_kind() {
    let p = song();
    let q = apply(
        &p,
        call(
            "add_track",
            json!({"name": "Kit", "kind": "midi", "instrument": "drums"}),
        ),
    );
    let t = q.tracks.last().unwrap();
    assert_eq!((t.name.as_str(), t.kind), ("Kit", TrackKind::Midi));
    assert_eq!(
        t.instrument,
        Some(Instrument::GeneralMidi {
            program: 0,
            drums: true
        })
    );
    let q = apply(&p, call("add_track", json!({"name": "FX", "kind": "bus"})));
    assert_eq!(q.tracks.last().unwrap().kind, TrackKind::Bus);
    assert_eq!(q.tracks.len(), p.tracks.len() + 1);

    let e = refused(
        &p,
        call(
            "add_track",
            json!({"name": "X", "kind": "midi", "instrument": 200}),
        ),
    );
    assert!(e.contains("instrument") && e.contains("0–127"), "{e}");
    let e = refused(
        &p,
        call("add_track", json!({"name": "X", "kind": "guitar"})),
    );
    assert!(e.contains("kind 'guitar'"), "{e}");
    let e = refused(
        &p,
        call(
            "add_track",
            json!({"name": "X", "kind": "bus", "instrument": 3}),
        ),
    );
    assert!(e.contains("instrument"), "{e}");
    let e = refused(&p, call("add_track", json!({"kind": "bus"})));
    assert_eq!(e, "add_track: the argument 'name' is missing");
    let e = refused(
        &p,
        call(
            "add_track",
            json!({"name": "X", "kind": "bus", "path": "/etc/passwd"}),
        ),
    );
    assert!(e.contains("unknown argument 'path'"), "{e}");
}

#[test]
fn set_track_and_remove_track() {
    let p = song();
    let q = apply(
        &p,
        call(
            "set_track",
            json!({"track": "Bass", "gain_db": -6, "pan": -0.5, "mute": true, "name": "Sub"}),
        ),
    );
    let t = &q.tracks[1];
    assert_eq!(
        (t.name.as_str(), t.gain_db, t.pan, t.mute),
        ("Sub", -6.0, -0.5, true)
    );
    let q = apply(
        &p,
        call("set_track", json!({"track": "master", "gain_db": -3})),
    );
    assert_eq!(q.master.gain_db, -3.0);
    let q = apply(&p, call("set_track", json!({"track": "2", "solo": true})));
    assert!(q.tracks[1].solo);

    let e = refused(&p, call("set_track", json!({"track": "Bass", "pan": 3})));
    assert!(e.contains("pan"), "{e}");
    let e = refused(
        &p,
        call("set_track", json!({"track": "Nope", "mute": true})),
    );
    assert!(e.contains("no track 'Nope'"), "{e}");
    let e = refused(&p, call("set_track", json!({"track": "Bass"})));
    assert!(e.contains("nothing to set"), "{e}");
    let e = refused(
        &p,
        call("set_track", json!({"track": "Bass", "mute": "maybe"})),
    );
    assert!(e.contains("mute must be true or false"), "{e}");

    // Removing the bus removes the send to it.
    let with_send = apply(
        &p,
        call("set_send", json!({"track": "Piano", "bus": "Verb"})),
    );
    let q = apply(&with_send, call("remove_track", json!({"track": "Verb"})));
    assert_eq!(q.tracks.len(), 3);
    assert!(q.tracks[0].sends.is_empty());
    let e = refused(&p, call("remove_track", json!({"track": "9"})));
    assert!(e.contains("no track 9"), "{e}");
}

#[test]
fn write_clip_makes_a_clip_of_notes() {
    let p = song();
    let q = apply(
        &p,
        call(
            "write_clip",
            json!({"track": "Bass", "start_beat": 8, "name": "Line", "notes": [
                {"pitch": 33, "start_beat": 0, "length_beats": 1, "velocity": 100},
                {"pitch": 36, "start_beat": 4.5, "length_beats": 0.5, "velocity": 80},
            ]}),
        ),
    );
    let c = &q.tracks[1].clips[0];
    assert_eq!((c.name.as_str(), c.start), ("Line", 8.0));
    let ClipContent::Midi(m) = &c.content else {
        panic!("not MIDI")
    };
    // Whole bars covering the notes: the last ends at 5 → 2 bars of 4/4.
    assert_eq!(m.length, 8.0);
    assert_eq!(m.notes.len(), 2);
    assert_eq!(
        (m.notes[1].pitch, m.notes[1].start, m.notes[1].velocity),
        (36, 4.5, 80)
    );

    let bad = |notes: Value| {
        refused(
            &p,
            call(
                "write_clip",
                json!({"track": "Bass", "start_beat": 0, "notes": notes}),
            ),
        )
    };
    let ok = json!({"pitch": 40, "start_beat": 0, "length_beats": 1, "velocity": 90});
    let e =
        bad(json!([ok, ok, {"pitch": 200, "start_beat": 0, "length_beats": 1, "velocity": 90}]));
    assert_eq!(e, "write_clip: note 3 has pitch 200; pitches are 0–127");
    let e = bad(json!([{"pitch": 40, "start_beat": 0, "length_beats": 0, "velocity": 9}]));
    assert!(e.contains("note 1 has length_beats 0"), "{e}");
    let e = bad(json!([{"pitch": 40, "start_beat": 0, "length_beats": 1, "velocity": 0}]));
    assert!(
        e.contains("note 1 has velocity 0; velocities are 1–127"),
        "{e}"
    );
    let e = bad(json!([{"pitch": 40, "start_beat": -1, "length_beats": 1}]));
    assert!(e.contains("note 1 starts at beat -1"), "{e}");
    let e = bad(json!("C4 D4"));
    assert!(e.contains("notes must be an array"), "{e}");
    let e = refused(
        &p,
        call(
            "write_clip",
            json!({"track": "Vox", "start_beat": 0, "notes": []}),
        ),
    );
    assert!(e.contains("not a MIDI track"), "{e}");
}

#[test]
fn write_clip_on_a_drum_track_uses_channel_ten() {
    let p = apply(
        &song(),
        call(
            "add_track",
            json!({"name": "Kit", "kind": "midi", "instrument": "drums"}),
        ),
    );
    let q = apply(
        &p,
        call(
            "write_clip",
            json!({"track": "Kit", "start_beat": 0, "notes": [
            {"pitch": 36, "start_beat": 0, "length_beats": 0.25, "velocity": 110}]}),
        ),
    );
    assert_eq!(notes(&q, "Kit")[0].channel, 9);
}

#[test]
fn tempo_key_and_time_signature() {
    let p = song();
    let q = apply(&p, call("set_tempo", json!({"bpm": 90})));
    assert_eq!(q.tempo.initial_bpm(), 90.0);
    let q = apply(&p, call("set_key", json!({"key": "F#m"})));
    assert_eq!(q.key.map(|k| k.to_string()).as_deref(), Some("F#m"));
    let q = apply(&q, call("set_key", json!({"key": "none"})));
    assert_eq!(q.key, None);
    let q = apply(
        &p,
        call(
            "set_time_signature",
            json!({"numerator": 6, "denominator": 8}),
        ),
    );
    assert_eq!(q.time_signature.to_string(), "6/8");

    let e = refused(&p, call("set_tempo", json!({"bpm": 0})));
    assert!(e.contains("bpm 0 is outside"), "{e}");
    let e = refused(&p, call("set_tempo", json!({"bpm": "fast"})));
    assert!(e.contains("bpm must be a number"), "{e}");
    let e = refused(&p, call("set_key", json!({"key": "H"})));
    assert!(e.contains("'H' is not a key"), "{e}");
    let e = refused(
        &p,
        call(
            "set_time_signature",
            json!({"numerator": 4, "denominator": 5}),
        ),
    );
    assert!(e.contains("denominator 5"), "{e}");
}

#[test]
fn effects_sends_and_automation() {
    let p = song();
    let q = apply(
        &p,
        call(
            "add_effect",
            json!({"track": "Piano", "kind": "eq", "params": {"b1_type": "highpass", "b1_freq": 120}}),
        ),
    );
    let e = &q.tracks[0].effects[0];
    assert_eq!(e.kind, "eq");
    let fx_id = e.id.0;
    let q = apply(
        &q,
        call(
            "set_effect",
            json!({"track": "Piano", "fx": fx_id, "params": {"b1_freq": 90}}),
        ),
    );
    assert_eq!(
        serde_json::to_value(&q.tracks[0].effects[0].params["b1_freq"]).unwrap(),
        json!(90.0)
    );
    let q = apply(
        &q,
        call(
            "automate",
            json!({"track": "Piano", "target": format!("fx:{fx_id}:b1_freq"),
                   "points": [{"beat": 0, "value": 90}, {"beat": 8, "value": 400}]}),
        ),
    );
    assert_eq!(q.tracks[0].automation[0].points.len(), 2);
    let q = apply(
        &q,
        call("remove_effect", json!({"track": "Piano", "fx": fx_id})),
    );
    assert!(q.tracks[0].effects.is_empty());
    assert!(q.tracks[0].automation.is_empty(), "its lane went with it");

    let q = apply(
        &p,
        call(
            "set_send",
            json!({"track": "Piano", "bus": "Verb", "db": -12, "pre": true}),
        ),
    );
    let s = &q.tracks[0].sends[0];
    assert_eq!((s.level_db, s.pre_fader), (-12.0, true));
    let q = apply(
        &q,
        call(
            "automate",
            json!({"track": "Piano", "target": "send:Verb",
                                "points": [{"beat": 0, "value": -20}]}),
        ),
    );
    assert!(matches!(
        q.tracks[0].automation[0].target,
        AutomationTarget::Send(_)
    ));
    let q = apply(
        &p,
        call("add_effect", json!({"track": "master", "kind": "limiter"})),
    );
    assert_eq!(q.master.effects.len(), 1);

    let e = refused(
        &p,
        call("add_effect", json!({"track": "Bass", "kind": "flanger"})),
    );
    assert!(e.contains("'flanger' is not an effect kind"), "{e}");
    let e = refused(
        &p,
        call(
            "add_effect",
            json!({"track": "Bass", "kind": "compressor", "params": {"ratio": 1000}}),
        ),
    );
    assert!(e.contains("ratio"), "{e}");
    let e = refused(
        &p,
        call("remove_effect", json!({"track": "Bass", "fx": 99})),
    );
    assert!(e.contains("no effect 99"), "{e}");
    let e = refused(
        &p,
        call("set_send", json!({"track": "Piano", "bus": "Bass"})),
    );
    assert!(e.contains("not a bus"), "{e}");
    let e = refused(
        &p,
        call(
            "automate",
            json!({"track": "Piano", "target": "pan",
                                "points": [{"beat": 0, "value": 5}]}),
        ),
    );
    assert!(e.contains("outside"), "{e}");
    let e = refused(
        &p,
        call(
            "automate",
            json!({"track": "Piano", "target": "volume", "points": []}),
        ),
    );
    assert!(e.contains("not an automation target"), "{e}");
}

#[test]
fn quantize_and_transpose_the_notes() {
    let p = song();
    let q = apply(
        &p,
        call("quantize", json!({"track": "Piano", "grid": "1/4"})),
    );
    let starts: Vec<f64> = notes(&q, "Piano").iter().map(|n| n.start).collect();
    assert_eq!(starts, vec![0.0, 1.0, 2.0]);
    let q = apply(
        &p,
        call(
            "quantize",
            json!({"track": "Piano", "grid": "1/4", "strength": 50}),
        ),
    );
    let first = notes(&q, "Piano")[0].start;
    assert!((first - 0.05).abs() < 1e-9, "{first}");
    let q = apply(
        &p,
        call("transpose", json!({"track": "Piano", "semitones": -12})),
    );
    let pitches: Vec<u8> = notes(&q, "Piano").iter().map(|n| n.pitch).collect();
    assert_eq!(pitches, vec![48, 52, 55]);

    let e = refused(
        &p,
        call("quantize", json!({"track": "Piano", "grid": "1/5"})),
    );
    assert!(e.starts_with("quantize: grid:"), "{e}");
    let e = refused(
        &p,
        call("transpose", json!({"track": "Piano", "semitones": 100})),
    );
    assert!(e.contains("outside 0..=127"), "{e}");
    let e = refused(
        &p,
        call("transpose", json!({"track": "Piano", "semitones": 1.5})),
    );
    assert!(e.contains("whole number"), "{e}");
    let e = refused(
        &p,
        call(
            "transpose",
            json!({"track": "Piano", "clip": 42, "semitones": 1}),
        ),
    );
    assert!(e.contains("no MIDI clip 42"), "{e}");
}

#[test]
fn readings_answer_with_json() {
    let p = song();
    let v = read(&p, &call("get_project", json!({}))).unwrap();
    assert_eq!(v["tracks"].as_array().unwrap().len(), 4);
    assert_eq!(v["tracks"][1]["effects"][0]["kind"], "compressor");
    assert_eq!(v["tracks"][0]["clips"][0]["notes"], 3);
    let v = read(&p, &call("get_notes", json!({"track": "Piano"}))).unwrap();
    let n = &v["clips"][0]["notes"];
    assert_eq!(n.as_array().unwrap().len(), 3);
    assert_eq!(
        n[2],
        json!({"pitch": 67, "start_beat": 2.0, "length_beats": 2.0, "velocity": 100})
    );
    let v = read(&p, &call("list_effect_kinds", Value::Null)).unwrap();
    assert!(v.as_array().unwrap().iter().any(|k| k["name"] == "reverb"));

    assert!(read(&p, &call("set_tempo", json!({"bpm": 90}))).is_err());
    let e = edit_for(&p, &call("get_project", json!({}))).unwrap_err();
    assert!(e.contains("makes no change"), "{e}");
    let e = edit_for(&p, &call("rm_rf", json!({}))).unwrap_err();
    assert!(
        e.starts_with("'rm_rf' is not a tool; the tools are add_track"),
        "{e}"
    );
}

#[test]
fn change_set_is_one_undo_step_and_later_calls_see_earlier_ones() {
    let p = song();
    let calls = vec![
        call(
            "add_track",
            json!({"name": "Chords", "kind": "midi", "instrument": 0}),
        ),
        call(
            "write_clip",
            json!({"track": "Chords", "start_beat": 0, "length_beats": 16, "notes": (0..12).map(|i| json!({
                "pitch": 57 + (i % 3) * 4, "start_beat": (i / 3) * 4, "length_beats": 4, "velocity": 80
            })).collect::<Vec<_>>()}),
        ),
        call("set_tempo", json!({"bpm": 90})),
        call("get_project", json!({})),
        call("remove_effect", json!({"track": "Bass", "fx": 1})),
    ];
    let set = ChangeSet::build(&p, &calls).unwrap();
    assert_eq!(set.calls().len(), 4, "the reading call is left out");
    assert!(matches!(set.edit(), Edit::Batch(ref v) if v.len() == 4));
    assert_eq!(
        set.diff_text(),
        "+ track 'Chords' (MIDI, Acoustic Grand Piano (GM 0))\n\
         + clip 'Chords' on 'Chords' at bar 1, 16 beats, 12 notes\n\
         ~ tempo 120 → 90\n\
         - effect 1 (compressor) on 'Bass'\n"
    );
    let j = set.to_json();
    assert_eq!(
        j[0],
        json!({"op": "add", "what": "track", "text": "track 'Chords' (MIDI, Acoustic Grand Piano (GM 0))"})
    );
    assert_eq!(j[3]["op"], "remove");
    assert_eq!(set.diff()[2].op, Op::Change);

    // Applied through the history: one step, undone whole.
    let mut q = p.clone();
    let mut h = History::default();
    let edit = set.edit_for(&q).unwrap();
    h.apply(&mut q, edit, "assistant").unwrap();
    assert_eq!(&q, set.result());
    assert_eq!(q.tracks.len(), 5);
    h.undo(&mut q).unwrap();
    assert_eq!(q, p);
}

#[test]
fn change_set_is_all_or_nothing() {
    let p = song();
    let calls = vec![
        call("set_tempo", json!({"bpm": 100})),
        call(
            "write_clip",
            json!({"track": "Piano", "start_beat": 4, "notes": [
            {"pitch": 60, "start_beat": 0, "length_beats": 1},
            {"pitch": 300, "start_beat": 1, "length_beats": 1}]}),
        ),
        call("set_key", json!({"key": "Am"})),
    ];
    let e = ChangeSet::build(&p, &calls).unwrap_err();
    assert_eq!(
        e,
        "call 2 of 3 refused, nothing changed: write_clip: note 2 has pitch 300; pitches are 0–127"
    );
    // A call naming a track no earlier call made.
    let e = ChangeSet::build(
        &p,
        &[call(
            "write_clip",
            json!({"track": "Strings", "start_beat": 0, "notes": []}),
        )],
    )
    .unwrap_err();
    assert!(
        e.starts_with("call 1 of 1 refused") && e.contains("'Strings'"),
        "{e}"
    );
}

#[test]
fn change_set_refuses_a_changed_project() {
    let p = song();
    let set = ChangeSet::build(&p, &[call("set_key", json!({"key": "Am"}))]).unwrap();
    assert!(set.still_applies(&p));
    let mut moved = p.clone();
    moved.tracks[0].gain_db = -1.0;
    assert!(!set.still_applies(&moved));
    let e = set.edit_for(&moved).unwrap_err();
    assert!(e.contains("changed since"), "{e}");
    assert!(ChangeSet::build(&p, &[]).unwrap().is_empty());
}

#[test]
fn diff_names_changes_of_settings_clips_sends_and_lanes() {
    let p = song();
    let set = ChangeSet::build(
        &p,
        &[
            call("set_track", json!({"track": "Bass", "gain_db": -6, "mute": true})),
            call("quantize", json!({"track": "Piano", "grid": "1/4"})),
            call("set_send", json!({"track": "Piano", "bus": "Verb", "db": -10})),
            call("automate", json!({"track": "Bass", "target": "gain", "points": [{"beat": 0, "value": -6}, {"beat": 4, "value": 0}]})),
            call("set_effect", json!({"track": "Bass", "fx": 1, "params": {"ratio": 8}})),
            call("set_time_signature", json!({"numerator": 3, "denominator": 4})),
        ],
    )
    .unwrap();
    let text = set.diff_text();
    for want in [
        "+ send 'Piano' → 'Verb' at -10 dB, post-fader\n",
        "+ automation of gain on 'Bass' (2 points)\n",
        "~ time signature 4/4 → 3/4\n",
        "~ 'Bass': gain 0 → -6 dB, mute on\n",
        "~ clip 'Piano' on 'Piano' at bar 1, 4 beats, 3 notes (2 notes changed)\n",
        "~ effect 1 (compressor) on 'Bass': ratio 4:1 → 8:1\n",
    ] {
        assert!(text.contains(want), "{want:?} not in\n{text}");
    }
}
