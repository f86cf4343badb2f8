//! `tdaw take list|choose` end to end, as the real binary on a temp project holding three loop
//! passes on take lanes: the listing (text and JSON), choosing a take and comping a range of
//! one (one edit each, read back from project.toml), and bad input refused in one `error:`
//! line with project.toml byte-identical.

mod capture_support;
mod cli_support;
mod engine_common;

use cli_support::Env;
use serde_json::Value;
use tdaw::model::takes::{self, RecordedTake};
use tdaw::model::{ClipContent, Project, Track, TrackId, TrackKind};

/// "Vox" with three 2 s passes from beat 2 on lanes 1–3 and the newest on lane 0 (clip ids 1–4:
/// lanes 1, 2, 3 in order, then the lane-0 copy).
fn song(env: &Env) -> String {
    let d = env.d();
    env.ok(&["new", &d]);
    let mut p: Project = env.project();
    p.tracks
        .push(Track::new(TrackId(1), "Vox", TrackKind::Audio));
    let recorded: Vec<RecordedTake> = (0..3)
        .map(|i| RecordedTake {
            file: format!("audio/p{}.wav", i + 1),
            start: 48_000,
            frames: 96_000,
            pass: i,
        })
        .collect();
    takes::record(&p, TrackId(1), &recorded)
        .unwrap()
        .apply(&mut p)
        .unwrap();
    for i in 1..=3 {
        engine_common::write_wav(
            &env.dir().join(format!("audio/p{i}.wav")),
            48_000,
            2,
            true,
            &engine_common::signal(96_000, 2, i),
        );
    }
    tdaw::store::save_project(&env.dir(), &p).unwrap();
    d
}

/// (file, start, end) in beats of what plays on Vox.
fn playing(env: &Env) -> Vec<(String, f64, f64)> {
    let p = env.project();
    p.tracks[0]
        .playing_clips()
        .map(|c| {
            let ClipContent::Audio(a) = &c.content else {
                panic!("audio")
            };
            let r = |b: f64| (b * 1e6).round() / 1e6;
            (a.file.clone(), r(c.start), r(p.clip_end_beat(c)))
        })
        .collect()
}

#[test]
fn take_list_shows_every_lane_in_text_and_json() {
    let env = Env::new();
    let d = song(&env);
    let out = env.ok(&["take", "list", &d, "Vox"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert!(lines[0].starts_with("lane  take  clip"), "{out}");
    assert!(
        lines[1].starts_with("0     3     4      2       4       audio/p3.wav"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("1     1     1      2       4       audio/p1.wav"),
        "{out}"
    );
    assert!(lines[4].ends_with("audio/p3.wav"), "{out}");
    let json: Value = serde_json::from_str(&env.ok(&["take", "list", &d, "1", "--json"])).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[1],
        serde_json::json!({"lane": 1, "take": 1, "clip": 1, "start": 2.0, "length": 4.0, "file": "audio/p1.wav"})
    );
}

#[test]
fn take_choose_and_comp_are_one_edit_each() {
    let env = Env::new();
    let d = song(&env);
    let out = env.ok(&["take", "choose", &d, "Vox", "1"]);
    assert_eq!(out, "clip 1 now plays on 'Vox'\n");
    assert_eq!(playing(&env), [("audio/p1.wav".into(), 2.0, 6.0)]);
    let out = env.ok(&[
        "take", "choose", &d, "Vox", "2", "--from", "3", "--to", "4.5",
    ]);
    assert_eq!(out, "clip 2 now plays on 'Vox' from beat 3 to 4.5\n");
    assert_eq!(
        playing(&env),
        [
            ("audio/p1.wav".into(), 2.0, 3.0),
            ("audio/p2.wav".into(), 3.0, 4.5),
            ("audio/p1.wav".into(), 4.5, 6.0),
        ]
    );
    // Nothing was lost: every pass is still whole on its lane.
    let p = env.project();
    for lane in 1..=3u32 {
        let on: Vec<_> = p.tracks[0]
            .clips
            .iter()
            .filter(|c| c.lane == lane)
            .collect();
        assert_eq!(on.len(), 1, "lane {lane}");
        assert_eq!(p.clip_end_beat(on[0]) - on[0].start, 4.0);
    }
}

#[test]
fn bad_input_is_one_line_and_leaves_project_toml_byte_identical() {
    let env = Env::new();
    let d = song(&env);
    env.refused(&["take", "choose", &d, "Vox", "99"], "no clip with id 99");
    env.refused(&["take", "choose", &d, "Vox", "4"], "lane 0");
    env.refused(&["take", "choose", &d, "Nope", "1"], "Nope");
    env.refused(
        &[
            "take", "choose", &d, "Vox", "1", "--from", "20", "--to", "30",
        ],
        "does not overlap",
    );
    env.refused(
        &[
            "take", "choose", &d, "Vox", "1", "--from", "-1", "--to", "3",
        ],
        "--from -1",
    );
    let (code, _, err) = env.run(&["take", "list", &d, "Nope"]);
    assert_ne!(code, 0);
    assert!(err.starts_with("error:") && err.contains("Nope"), "{err}");
}

#[test]
fn tdaw_record_onto_a_clip_punches_in_and_the_edit_undoes_to_the_old_file() {
    let env = Env::new();
    let d = env.d();
    env.ok(&["new", &d]);
    env.ok(&["track", "add", &d, "Vox"]);
    // An old 4 s clip on Vox.
    let old = engine_common::signal(4 * 48_000, 2, 9);
    engine_common::write_wav(&env.dir().join("audio/old.wav"), 48_000, 2, false, &old);
    let mut p = env.project();
    p.tracks[0].clips.push(tdaw::model::Clip {
        id: tdaw::model::ClipId(1),
        name: "old".into(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Audio(tdaw::model::AudioClip {
            file: "audio/old.wav".into(),
            offset: 0.0,
            length: 4.0,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }),
    });
    tdaw::store::save_project(&env.dir(), &p).unwrap();
    let before = env.bytes();
    let before_p = env.project();
    // The "microphone": ALSA's file capture route (see tests/record.rs), no latency.
    let sig = engine_common::signal(2 * 48_000, 2, 5);
    let conf = capture_support::capture_route(env.tmp.path(), &sig);
    capture_support::audio_config(&env.tmp.path().join("home"), "input_latency_ms = 0");
    let out = env
        .cmd(&["record", &d, "Vox", "--seconds", "1", "--at", "2"])
        .env("ALSA_CONFIG_PATH", &conf)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = env.project();
    let take = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let take_rel = take
        .strip_prefix(&format!("{}/", env.d()))
        .unwrap_or_else(|| panic!("{take}"))
        .to_string();
    let shape: Vec<(u32, String, f64, f64)> = after.tracks[0]
        .clips
        .iter()
        .map(|c| {
            let ClipContent::Audio(a) = &c.content else {
                panic!("audio")
            };
            (
                c.lane,
                a.file.clone(),
                c.start,
                (a.offset * 48_000.0).round(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            (0, "audio/old.wav".into(), 0.0, 0.0),
            (0, take_rel.clone(), 2.0, 0.0),
            (1, "audio/old.wav".into(), 2.0, 48_000.0),
            (0, "audio/old.wav".into(), 4.0, 96_000.0),
        ]
    );
    // The edit the command made, applied to the old project, gives the new one, and its
    // inverse gives back the old project.toml byte for byte.
    let recorded = [RecordedTake {
        file: take_rel,
        start: 48_000,
        frames: 48_000,
        pass: 0,
    }];
    let mut q = before_p.clone();
    let undo = takes::record(&before_p, TrackId(1), &recorded)
        .unwrap()
        .apply(&mut q)
        .unwrap();
    assert_eq!(q.tracks, after.tracks);
    undo.apply(&mut q).unwrap();
    tdaw::store::save_project(&env.dir(), &q).unwrap();
    assert_eq!(env.bytes(), before);
}
