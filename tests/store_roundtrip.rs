//! Property test: any valid Project → save → load gives back an equal project, and the text
//! keeps its promises (one note per line, nothing else changed by a second save).

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use tdaw::model::*;

const MAX_BEAT: f64 = 80_000.0;

/// Equal, except that a float may have moved by the writer's tidying: at most 4 units in the
/// last place, to a number of 12 significant digits (`5.999999999999998` is written `6.0`).
/// Everything else — structure, strings, integers, `f32` fields — must be identical.
fn same_as_written(a: &Project, b: &Project) -> bool {
    fn walk(a: &serde_json::Value, b: &serde_json::Value) -> bool {
        use serde_json::Value as V;
        match (a, b) {
            (V::Number(x), V::Number(y)) if x.is_f64() || y.is_f64() => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                x == y
                    || (x.is_sign_negative() == y.is_sign_negative()
                        && x.to_bits().abs_diff(y.to_bits()) <= 4
                        && tdaw::store::format::tidy_f64(x) == tdaw::store::format::tidy_f64(y))
            }
            (V::Array(x), V::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(a, b)| walk(a, b))
            }
            (V::Object(x), V::Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| walk(v, w)))
            }
            _ => a == b,
        }
    }
    walk(
        &serde_json::to_value(a).unwrap(),
        &serde_json::to_value(b).unwrap(),
    )
}

fn text() -> impl Strategy<Value = String> {
    // Quotes, backslashes, non-ASCII and TOML-looking text, but no control characters.
    "[a-zA-Z0-9 _\\-\"'\\\\#=\\[\\]{}.éü漢🎹]{0,24}"
}

fn gain() -> impl Strategy<Value = f32> {
    prop_oneof![Just(0.0f32), -144.0f32..24.0f32]
}

fn key() -> impl Strategy<Value = Option<Key>> {
    let names = [
        "C", "C#", "Db", "D", "D#", "Eb", "E", "F", "F#", "Gb", "G", "G#", "Ab", "A", "A#", "Bb",
        "B",
    ];
    let all: Vec<String> = names
        .iter()
        .flat_map(|n| [n.to_string(), format!("{n}m")])
        .collect();
    proptest::option::of(proptest::sample::select(all))
        .prop_map(|s| s.map(|s| s.parse::<Key>().unwrap()))
}

fn tempo() -> impl Strategy<Value = TempoMap> {
    (1.0f64..999.0, vec((0.001f64..1000.0, 1.0f64..999.0), 0..4)).prop_map(|(first, rest)| {
        let mut changes = vec![TempoChange {
            beat: 0.0,
            bpm: first,
        }];
        let mut beat = 0.0;
        for (step, bpm) in rest {
            beat += step;
            changes.push(TempoChange { beat, bpm });
        }
        TempoMap::from_changes(changes)
    })
}

fn param() -> impl Strategy<Value = ParamValue> {
    prop_oneof![
        any::<bool>().prop_map(ParamValue::Bool),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(ParamValue::Number),
        text().prop_map(ParamValue::Text),
    ]
}

fn effect() -> impl Strategy<Value = Effect> {
    (
        // Kinds this build does not know: kept and passed through with any parameters.
        "x_[a-z_]{1,8}",
        any::<bool>(),
        btree_map("[a-z_][a-z0-9_ ]{0,8}", param(), 0..4),
    )
        .prop_map(|(kind, bypass, params)| Effect {
            id: FxId(0),
            kind,
            bypass,
            params,
        })
}

fn note() -> impl Strategy<Value = Note> {
    (
        0u8..=127,
        0.0f64..MAX_BEAT,
        prop_oneof![Just(0.25), 1e-9f64..64.0],
        1u8..=127,
        0u8..=15,
    )
        .prop_map(|(pitch, start, length, velocity, channel)| Note {
            pitch,
            start,
            length,
            velocity,
            channel,
        })
}

fn audio_clip() -> impl Strategy<Value = ClipContent> {
    (
        "audio/[a-zA-Z0-9 _é-]{1,12}\\.(wav|flac)",
        0.0f64..1e6,
        1e-6f64..1e6,
        gain(),
        0.0f64..=1.0,
        0.0f64..=1.0,
    )
        .prop_map(|(file, offset, length, gain_db, fi, fo)| {
            ClipContent::Audio(AudioClip {
                file,
                offset,
                length,
                gain_db,
                fade_in: fi * length,
                fade_out: fo * length,
            })
        })
}

/// A controller event: a CC (0–127) or pitch bend (−8192…8191).
fn control() -> impl Strategy<Value = ControlEvent> {
    prop_oneof![
        (0u8..128, 0i16..128).prop_map(|(n, v)| (ControlKind::Cc(n), v)),
        (-8192i16..8192).prop_map(|v| (ControlKind::PitchBend, v)),
    ]
    .prop_flat_map(|(kind, value)| {
        (0.0f64..MAX_BEAT, 0u8..16).prop_map(move |(time, channel)| ControlEvent {
            kind,
            time,
            value,
            channel,
        })
    })
}

fn midi_clip() -> impl Strategy<Value = ClipContent> {
    (
        prop_oneof![Just(0.0), 0.0f64..MAX_BEAT],
        1e-6f64..MAX_BEAT,
        vec(note(), 0..20),
        vec(control(), 0..8),
    )
        .prop_map(|(offset, length, notes, controllers)| {
            ClipContent::Midi(MidiClip {
                offset,
                length,
                notes,
                controllers,
            })
        })
}

/// A track without ids (assigned later, so they are unique) and without sends (which need to
/// know the buses).
fn track() -> impl Strategy<Value = Track> {
    let kind = prop_oneof![
        Just(TrackKind::Audio),
        Just(TrackKind::Midi),
        Just(TrackKind::Bus)
    ];
    (kind, text(), gain(), -1.0f32..=1.0, any::<[bool; 3]>())
        .prop_flat_map(|(kind, name, gain_db, pan, [mute, solo, arm])| {
            let clips = match kind {
                TrackKind::Audio => vec((0.0f64..MAX_BEAT, text(), audio_clip()), 0..4).boxed(),
                TrackKind::Midi => vec((0.0f64..MAX_BEAT, text(), midi_clip()), 0..4).boxed(),
                TrackKind::Bus => Just(Vec::new()).boxed(),
            };
            let instrument = match kind {
                TrackKind::Midi => prop_oneof![
                    (0u8..=127, any::<bool>()).prop_map(|(program, drums)| Some(
                        Instrument::GeneralMidi { program, drums }
                    )),
                    "[a-z]{1,8}".prop_map(|preset| Some(Instrument::Synth { preset })),
                ]
                .boxed(),
                _ => Just(None).boxed(),
            };
            let color =
                proptest::option::of(any::<(u8, u8, u8)>().prop_map(|(r, g, b)| Color(r, g, b)));
            let automation = vec(
                (
                    prop_oneof![
                        Just(AutomationTarget::Gain),
                        Just(AutomationTarget::Pan),
                        // An effect parameter: pointed at one of the track's effects below.
                        "[a-z]{1,6}".prop_map(|p| AutomationTarget::Fx(FxId(0), p)),
                    ],
                    any::<bool>(),
                    vec((0.0f64..MAX_BEAT, -1.0f64..1.0, -1.0f64..1.0), 0..5),
                )
                    .prop_map(|(target, enabled, mut points)| {
                        points.sort_by(|a, b| a.0.total_cmp(&b.0));
                        AutomationLane {
                            target,
                            enabled,
                            points: points
                                .into_iter()
                                .map(|(beat, value, curve)| AutomationPoint { beat, value, curve })
                                .collect(),
                        }
                    }),
                0..3,
            );
            (
                Just((kind, name, gain_db, pan, mute, solo, arm)),
                clips,
                instrument,
                color,
                vec(effect(), 0..3),
                automation,
            )
        })
        .prop_map(
            |(
                (kind, name, gain_db, pan, mute, solo, arm),
                clips,
                instrument,
                color,
                effects,
                automation,
            )| {
                let mut t = Track::new(TrackId(0), name, kind);
                t.gain_db = gain_db;
                t.pan = pan;
                t.mute = mute;
                t.solo = solo;
                t.arm = arm;
                t.color = color;
                t.instrument = instrument;
                t.effects = effects;
                t.automation = automation;
                t.clips = clips
                    .into_iter()
                    .map(|(start, name, content)| Clip {
                        id: ClipId(0),
                        name,
                        start,
                        lane: 0,
                        take: None,
                        content,
                    })
                    .collect();
                t
            },
        )
}

prop_compose! {
    fn project()(
        name in text(),
        sample_rate in 8_000u32..=384_000,
        tempo in tempo(),
        numerator in 1u8..=64,
        denominator in proptest::sample::select(vec![1u8, 2, 4, 8, 16, 32]),
        key in key(),
        master_gain in gain(),
        master_effects in vec(effect(), 0..2),
        loop_region in proptest::option::of((0.0f64..MAX_BEAT / 2.0, 1e-3f64..MAX_BEAT / 2.0, any::<bool>())),
        markers in vec((0.0f64..MAX_BEAT, text()), 0..4),
        mut tracks in vec(track(), 0..6),
        sends in vec((any::<proptest::sample::Index>(), -144.0f32..24.0, any::<bool>()), 0..4),
        id_base in 1u64..1_000_000,
    ) -> Project {
        let mut p = Project::new(name, sample_rate, 120.0);
        p.tempo = tempo;
        p.time_signature = TimeSignature { numerator, denominator };
        p.key = key;
        p.master = Master { gain_db: master_gain, effects: master_effects, automation: Vec::new() };
        p.loop_region = loop_region.map(|(start, len, enabled)| LoopRegion { start, end: start + len, enabled });
        p.markers = markers.into_iter().map(|(beat, name)| Marker { beat, name }).collect();
        let mut clip_id = id_base;
        let mut fx_id = id_base;
        for e in &mut p.master.effects {
            e.id = FxId(fx_id);
            fx_id += 1;
        }
        for (i, t) in tracks.iter_mut().enumerate() {
            t.id = TrackId(id_base + i as u64 * 3);
            for e in &mut t.effects {
                e.id = FxId(fx_id);
                fx_id += 1;
            }
            // A lane on an effect names one of the track's own effects, or goes.
            let first = t.effects.first().map(|e| e.id);
            t.automation.retain_mut(|l| match (&mut l.target, first) {
                (AutomationTarget::Fx(id, _), Some(f)) => {
                    *id = f;
                    true
                }
                (AutomationTarget::Fx(..), None) => false,
                _ => true,
            });
            for c in &mut t.clips {
                c.id = ClipId(clip_id);
                clip_id += 1;
            }
        }
        // Sends go from non-bus tracks to buses only, so they can never form a loop.
        let buses: Vec<TrackId> = tracks.iter().filter(|t| t.kind == TrackKind::Bus).map(|t| t.id).collect();
        if !buses.is_empty() {
            let senders: Vec<usize> = (0..tracks.len()).filter(|&i| tracks[i].kind != TrackKind::Bus).collect();
            if !senders.is_empty() {
                for (which, level_db, pre_fader) in sends {
                    let from = senders[which.index(senders.len())];
                    let to = buses[which.index(buses.len())];
                    tracks[from].sends.push(Send { to, level_db, pre_fader });
                    tracks[from].automation.push(AutomationLane {
                        target: AutomationTarget::Send(to),
                        enabled: true,
                        points: vec![AutomationPoint::new(0.0, level_db as f64)],
                    });
                }
            }
        }
        p.tracks = tracks;
        p
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The text form alone, many cases (no disk).
    #[test]
    fn text_round_trip(p in project()) {
        p.validate().unwrap();
        let text = tdaw::store::format::to_toml(&p).unwrap();
        let back = tdaw::store::format::from_str(&text).unwrap();
        prop_assert!(same_as_written(&back, &p), "{:?}\n!=\n{:?}", back, p);
        // What was read is kept exactly from then on.
        prop_assert_eq!(&tdaw::store::format::from_str(&tdaw::store::format::to_toml(&back).unwrap()).unwrap(), &back);
        // Writing what was read gives the same bytes (diff-friendly: no churn).
        prop_assert_eq!(tdaw::store::format::to_toml(&back).unwrap(), text.clone());
        // One note per line.
        let notes: usize = p.tracks.iter().map(|t| t.note_count()).sum();
        let note_lines = text.lines().filter(|l| {
            let l = l.trim();
            l.starts_with('[') && !l.starts_with("[[") && l.ends_with("],") && l.matches(',').count() == 5
        }).count();
        prop_assert!(note_lines >= notes, "{} note lines for {} notes", note_lines, notes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Through the real save (atomic write, backups) and load.
    #[test]
    fn save_load_round_trip(p in project()) {
        let dir = tempfile::tempdir().unwrap();
        tdaw::store::write_project(dir.path(), &p).unwrap();
        let back = tdaw::store::read_project_file(dir.path()).unwrap();
        prop_assert!(same_as_written(&back, &p), "{:?}\n!=\n{:?}", back, p);
        // A second save of the same project leaves the file and the backups alone.
        let before = std::fs::read(dir.path().join("project.toml")).unwrap();
        tdaw::store::write_project(dir.path(), &back).unwrap();
        prop_assert_eq!(std::fs::read(dir.path().join("project.toml")).unwrap(), before);
        prop_assert!(!dir.path().join(".tdaw/backups").exists());
    }
}
