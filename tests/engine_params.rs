//! Edits reach the engine as cheaply as they can: a value (fader, pan, mute, solo, send level,
//! master) as a parameter message applied by the audio thread within one block with no
//! compile; a structural edit by recompiling only the track it touches, while the voices and
//! clip streams of every other track play on sample for sample. Driven through the same
//! planner, graph and processor the live engine uses, counting blocks, never time.

mod engine_common;

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

use engine_common::rig::*;
use engine_common::*;
use ringbuf::traits::Producer;
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};
use tdaw::engine::graph::{ClipMode, Graph, MAX_BLOCK};
use tdaw::engine::messages::{NodeId, ParamChange, ParamId, ToAudio};
use tdaw::engine::meters::SharedStatus;
use tdaw::engine::plan::{EngineCounters, Plan, Planner};
use tdaw::engine::stream::{stream_pair, StreamProducer};
use tdaw::engine::{EngineConfig, EngineEvent, EngineHandle};
use tdaw::model::{
    Clip, ClipContent, ClipId, MidiClip, Note, Project, Send as TrackSend, Track, TrackId,
    TrackKind,
};

#[test]
fn a_fader_change_is_applied_within_one_block_with_no_compile() {
    let d = project_dir();
    dc_wav(d.path(), "dc.wav", 4);
    let mut p = project();
    p.tracks
        .push(audio_track(1, "DC", "audio/dc.wav", 0.0, 4.0));
    let mut planner = Planner::new(RATE, ClipMode::Streamed);
    let mut rig = Rig::new();
    rig.apply(plan(&mut planner, &p, d.path()));
    assert!(rig.link.to_audio.try_push(ToAudio::Play).is_ok());
    for _ in 0..20 {
        rig.block();
    }
    assert_eq!(*rig.block().last().unwrap(), 0.5, "unity before the edit");
    let before = planner.counters;

    p.tracks[0].gain_db = -6.0206;
    let plan = plan(&mut planner, &p, d.path());
    assert_eq!(
        params(&plan),
        vec![ParamChange {
            node: NodeId::Track(TrackId(1)),
            param: ParamId::GainDb,
            value: -6.0206,
        }]
    );
    assert_eq!(
        planner.counters,
        EngineCounters {
            param_messages: 1,
            ..before
        },
        "no compile of any kind"
    );
    rig.apply(plan);
    // Count blocks until the output sits at the new gain.
    let target = 0.5 * 10f32.powf(-6.0206 / 20.0);
    let mut blocks = 0;
    let first = loop {
        let out = rig.block();
        blocks += 1;
        if *out.last().unwrap() == target || blocks > 10 {
            break out;
        }
    };
    assert_eq!(
        blocks, 1,
        "applied within the first block after the message"
    );
    // Smoothed: it starts at the old value and glides (10 ms = 480 samples < one block).
    assert!(first[0] < 0.5 && first[0] > 0.49, "{}", first[0]);
    assert!(first.windows(2).all(|w| w[1] <= w[0]), "a monotone glide");
    assert_eq!(first[479], target);
    assert!(rig.old_graphs.is_empty(), "no graph was swapped");
}

#[test]
fn pan_mute_solo_sends_and_master_are_parameters_by_stable_id() {
    let d = project_dir();
    dc_wav(d.path(), "dc.wav", 4);
    let mut p = project();
    p.tracks.push(audio_track(1, "A", "audio/dc.wav", 0.0, 4.0));
    p.tracks.push(audio_track(2, "B", "audio/dc.wav", 0.0, 4.0));
    p.tracks.push(Track::new(TrackId(9), "Bus", TrackKind::Bus));
    p.tracks[0].sends.push(TrackSend {
        to: TrackId(9),
        level_db: 0.0,
        pre_fader: false,
    });
    let mut planner = Planner::new(RATE, ClipMode::Streamed);
    let mut rig = Rig::new();
    rig.apply(plan(&mut planner, &p, d.path()));
    assert!(rig.link.to_audio.try_push(ToAudio::Play).is_ok());
    for _ in 0..20 {
        rig.block();
    }
    // A 0.5 + B 0.5 + the bus (A's send) 0.5.
    assert_eq!(*rig.block().last().unwrap(), 1.5);
    let compiles = (
        planner.counters.graph_compiles,
        planner.counters.track_compiles,
    );
    let id = |n| NodeId::Track(TrackId(n));

    // Mute B: one Audible message for B.
    p.tracks[1].mute = true;
    let pl = plan(&mut planner, &p, d.path());
    assert_eq!(
        params(&pl),
        vec![ParamChange {
            node: id(2),
            param: ParamId::Audible,
            value: 0.0
        }]
    );
    rig.apply(pl);
    assert_eq!(*rig.block().last().unwrap(), 1.0);

    // Send level to -inf-ish: the bus goes quiet.
    p.tracks[0].sends[0].level_db = -200.0;
    let pl = plan(&mut planner, &p, d.path());
    assert_eq!(
        params(&pl),
        vec![ParamChange {
            node: id(1),
            param: ParamId::SendDb { to: TrackId(9) },
            value: -200.0
        }]
    );
    rig.apply(pl);
    assert_eq!(*rig.block().last().unwrap(), 0.5);

    // Solo B (muted, so silence): A is silenced by the solo, B stays muted.
    p.tracks[1].solo = true;
    let pl = plan(&mut planner, &p, d.path());
    assert_eq!(
        params(&pl),
        vec![ParamChange {
            node: id(1),
            param: ParamId::Audible,
            value: 0.0
        }]
    );
    rig.apply(pl);
    assert_eq!(*rig.block().last().unwrap(), 0.0);

    // Unsolo, unmute, pan A hard right, master -6.02 dB.
    p.tracks[1].solo = false;
    p.tracks[1].mute = false;
    p.tracks[0].pan = 1.0;
    p.master.gain_db = -6.0206;
    let pl = plan(&mut planner, &p, d.path());
    assert_eq!(
        params(&pl),
        vec![
            ParamChange {
                node: id(1),
                param: ParamId::Pan,
                value: 1.0
            },
            ParamChange {
                node: id(1),
                param: ParamId::Audible,
                value: 1.0
            },
            ParamChange {
                node: id(2),
                param: ParamId::Audible,
                value: 1.0
            },
            ParamChange {
                node: NodeId::Master,
                param: ParamId::GainDb,
                value: -6.0206
            },
        ]
    );
    rig.apply(pl);
    let left = *rig.block().last().unwrap();
    // Left: A panned away (0) + B (0.5), through the master at one half.
    assert!((left - 0.25).abs() < 1e-6, "{left}");
    // A change the engine does not play (arming a track, a marker) is no work at all.
    p.tracks[0].arm = true;
    assert!(matches!(plan(&mut planner, &p, d.path()), Plan::Nothing));
    assert_eq!(
        (
            planner.counters.graph_compiles,
            planner.counters.track_compiles
        ),
        compiles,
        "not one compile for values"
    );
    assert_eq!(planner.counters.param_messages, 7);
    assert!(rig.old_graphs.is_empty());
}

/// A MIDI clip of one track: `notes` as (pitch, start beat, length beats).
fn midi_clip(id: u64, start: f64, len: f64, notes: &[(u8, f64, f64)]) -> Clip {
    let mut m = MidiClip::new(len);
    m.notes = notes
        .iter()
        .map(|&(pitch, start, length)| Note {
            pitch,
            start,
            length,
            velocity: 100,
            channel: 0,
        })
        .collect();
    Clip {
        id: ClipId(id),
        name: String::new(),
        start,
        lane: 0,
        take: None,
        content: ClipContent::Midi(m),
    }
}

/// Track outputs (post-fader, left and right) of `ids`, appended per block.
struct Capture {
    ids: Vec<TrackId>,
    out: Vec<Vec<f32>>,
}

impl Capture {
    fn new(ids: &[u64]) -> Capture {
        Capture {
            ids: ids.iter().map(|&i| TrackId(i)).collect(),
            out: vec![Vec::new(); ids.len()],
        }
    }

    fn take(&mut self, g: &Graph, n: usize) {
        for (k, id) in self.ids.iter().enumerate() {
            let t = g.tracks.iter().find(|t| t.id == *id).unwrap();
            let (l, r) = t.output(n);
            self.out[k].extend(l.iter().zip(r).flat_map(|(a, b)| [*a, *b]));
        }
    }
}

/// Renders `blocks` blocks of the graph planned from `p`, driving streams as the engine
/// thread does; at block `edit_at` (if any) plans `edited` and installs the result the way
/// the audio callback does. Returns the captured outputs of tracks 1, 2 and 3.
fn render(
    p: &Project,
    dir: &Path,
    blocks: usize,
    edit: Option<(usize, &Project)>,
) -> (Vec<Vec<f32>>, EngineCounters) {
    let status = SharedStatus::default();
    let mut planner = Planner::new(RATE, ClipMode::Streamed);
    let mut producers: Vec<StreamProducer> = Vec::new();
    let install = |plan: Plan, pos: u64, producers: &mut Vec<StreamProducer>| {
        let Plan::Graph(c) = plan else {
            panic!("a structural edit plans a graph")
        };
        let c = *c;
        let mut g = Box::new(c.graph);
        for (i, layer) in c.layers {
            let (prod, cons) = stream_pair(layer, RATE, 1.0, pos, MAX_BLOCK);
            g.set_stream(i, cons);
            producers.push(prod);
        }
        g
    };
    let first = planner.plan(p, dir, None).unwrap();
    let mut g = install(first, 0, &mut producers);
    g.metering = false;
    let mut cap = Capture::new(&[1, 2, 3]);
    let mut pos = 0u64;
    for _ in 0..4 {
        for pr in &mut producers {
            pr.fill(&status).unwrap();
        }
    }
    for b in 0..blocks {
        if let Some((at, edited)) = edit {
            if b == at {
                let plan = planner.plan(edited, dir, None).unwrap();
                let mut new = install(plan, pos, &mut producers);
                for pr in &mut producers {
                    pr.fill(&status).unwrap();
                }
                no_alloc(|| new.inherit_from(&mut g, pos));
                let old = std::mem::replace(&mut g, new);
                assert!(
                    old.tracks.iter().filter(|t| t.is_kept()).count() >= 2,
                    "the old graph holds the kept nodes' stand-ins"
                );
                assert!(g.tracks.iter().all(|t| !t.is_kept()));
            }
        }
        for pr in &mut producers {
            pr.fill(&status).unwrap();
        }
        let n = no_alloc(|| g.process(pos, BLOCK, true, false)).unwrap();
        assert_eq!(n, BLOCK);
        cap.take(&g, n);
        pos += n as u64;
        status.position.store(pos, Relaxed);
    }
    (cap.out, planner.counters)
}

#[test]
fn a_playing_voice_and_a_clip_stream_survive_an_edit_to_another_track_sample_exact() {
    let d = project_dir();
    write_wav(
        &d.path().join("audio/b.wav"),
        RATE,
        2,
        true,
        &signal(RATE as usize * 3, 2, 7),
    );
    let mut p = project();
    // A: one long synth note held across the edit (120 BPM: 8 beats = 4 s).
    p.tracks.push(midi_track(1, "pad", 8.0, &[(57, 0.0, 8.0)]));
    // B: an audio clip, streamed.
    p.tracks.push(audio_track(2, "B", "audio/b.wav", 0.0, 3.0));
    // C: the track that gets edited.
    let mut c = midi_track(3, "pluck", 8.0, &[(64, 0.0, 0.5)]);
    c.name = "C".into();
    p.tracks.push(c);

    let blocks = 180; // 1.9 s
    let edit_at = 90; // 0.96 s, mid-note and mid-clip
    let mut edited = p.clone();
    // A structural edit (new notes and a new clip) and a value edit to C at once.
    if let ClipContent::Midi(m) = &mut edited.tracks[2].clips[0].content {
        m.notes.push(Note {
            pitch: 67,
            start: 2.0,
            length: 1.0,
            velocity: 110,
            channel: 0,
        });
    }
    edited.tracks[2]
        .clips
        .push(midi_clip(301, 4.0, 4.0, &[(72, 0.0, 1.0)]));
    edited.tracks[2].gain_db = -3.0;

    let (reference, _) = render(&p, d.path(), blocks, None);
    let (out, counters) = render(&p, d.path(), blocks, Some((edit_at, &edited)));
    assert_eq!(
        counters.graph_compiles, 1,
        "only the first load compiles whole"
    );
    assert_eq!(
        counters.track_compiles,
        3 + 1,
        "the edit rebuilt track C alone"
    );

    let at = edit_at * BLOCK * 2;
    let loud = |v: &[f32]| v.iter().fold(0f32, |m, x| m.max(x.abs()));
    assert!(
        loud(&reference[0][at - 2048..at + 2048]) > 0.01,
        "A's voice sounds across the edit"
    );
    assert!(
        loud(&reference[1][at - 2048..at + 2048]) > 0.1,
        "B's clip plays across the edit"
    );
    for (k, name) in [(0, "A (voice)"), (1, "B (clip stream)")] {
        let diff = reference[k]
            .iter()
            .zip(&out[k])
            .position(|(a, b)| a.to_bits() != b.to_bits());
        assert_eq!(diff, None, "{name} differs from the unedited render");
        assert_eq!(reference[k].len(), out[k].len());
    }
    // And the edit did reach C: its new note at beat 2 (1 s) sounds only in the edited run.
    let from = (RATE as usize + BLOCK) * 2;
    assert!(max_diff(&reference[2][from..], &out[2][from..]) > 0.01);
}

/// `n` tracks alternating audio clips and synth parts.
fn big_project(dir: &Path, n: u64) -> Project {
    write_wav(
        &dir.join("audio/loop.wav"),
        RATE,
        2,
        true,
        &signal(RATE as usize, 2, 3),
    );
    let mut p = project();
    for i in 1..=n {
        if i % 2 == 0 {
            p.tracks
                .push(audio_track(i, &format!("A{i}"), "audio/loop.wav", 0.0, 1.0));
        } else {
            p.tracks.push(midi_track(
                i,
                "pluck",
                4.0,
                &[(48 + (i % 24) as u8, 0.0, 1.0), (60, 2.0, 1.0)],
            ));
        }
    }
    p
}

#[test]
fn a_structural_edit_to_one_track_of_64_recompiles_one_track() {
    let d = project_dir();
    let mut p = big_project(d.path(), 64);
    let mut planner = Planner::new(RATE, ClipMode::Streamed);
    let mut rig = Rig::new();
    rig.apply(plan(&mut planner, &p, d.path()));
    assert!(rig.link.to_audio.try_push(ToAudio::Play).is_ok());
    for _ in 0..10 {
        rig.block();
    }
    assert_eq!(
        planner.counters,
        EngineCounters {
            graph_compiles: 1,
            track_compiles: 64,
            param_messages: 0
        }
    );
    // Track 3 (MIDI): a note added.
    p.tracks[2].clips[0] = midi_clip(300, 0.0, 4.0, &[(50, 0.0, 1.0), (62, 1.0, 1.0)]);
    let pl = plan(&mut planner, &p, d.path());
    let Plan::Graph(c) = &pl else {
        panic!("a note edit plans a graph")
    };
    let rebuilt: Vec<TrackId> = c
        .graph
        .tracks
        .iter()
        .filter(|t| !t.is_kept())
        .map(|t| t.id)
        .collect();
    assert_eq!(rebuilt, vec![TrackId(3)]);
    assert_eq!(planner.counters.track_compiles, 65, "exactly one track");
    assert_eq!(planner.counters.graph_compiles, 1);
    rig.apply(pl);
    for _ in 0..3 {
        rig.block();
    }
    // The old graph came back holding 63 stand-ins; the running nodes moved over.
    assert_eq!(rig.old_graphs.len(), 1);
    assert_eq!(
        rig.old_graphs[0]
            .tracks
            .iter()
            .filter(|t| t.is_kept())
            .count(),
        63
    );
    // Track 64 (audio): the clip moved. Then a new track at the end: one more compile each.
    if let ClipContent::Audio(a) = &mut p.tracks[63].clips[0].content {
        a.offset = 0.25;
    }
    rig.apply(plan(&mut planner, &p, d.path()));
    rig.block();
    p.tracks.push(midi_track(65, "pad", 4.0, &[(60, 0.0, 4.0)]));
    rig.apply(plan(&mut planner, &p, d.path()));
    rig.block();
    // Removing a track rebuilds nothing; renaming one neither.
    p.tracks.remove(10);
    p.tracks[0].name = "First".into();
    rig.apply(plan(&mut planner, &p, d.path()));
    rig.block();
    assert_eq!(planner.counters.track_compiles, 67);
    assert_eq!(planner.counters.graph_compiles, 1);
    assert_eq!(rig.old_graphs.len(), 4);
    // A tempo change moves every note and clip: everything is rebuilt.
    p.tempo = tdaw::model::TempoMap::constant(100.0);
    let pl = plan(&mut planner, &p, d.path());
    let Plan::Graph(c) = &pl else {
        panic!("a tempo change plans a graph")
    };
    // Still inherited, as before: instruments (released and chased) and fader positions.
    assert!(c.graph.tracks.iter().all(|t| !t.is_kept()));
    assert!(c.graph.tracks.iter().all(|t| t.inherit.from.is_some()));
    assert!(c
        .graph
        .tracks
        .iter()
        .filter(|t| t.kind == TrackKind::Midi)
        .all(|t| t.inherit.instrument && t.inherit.notes_changed));
    rig.apply(pl);
    rig.block();
    assert_eq!(rig.old_graphs.len(), 5);
    assert_eq!(planner.counters.graph_compiles, 2);
    assert_eq!(planner.counters.track_compiles, 67 + 64);
}

#[test]
fn the_handle_counts_compiles_and_parameter_messages() {
    let d = project_dir();
    let mut p = big_project(d.path(), 16);
    let mut h = EngineHandle::start(EngineConfig {
        force_null: true,
        buffer_frames: Some(256),
        ..EngineConfig::default()
    })
    .unwrap();
    let wait_loaded = |h: &mut EngineHandle| {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if h.update().contains(&EngineEvent::Loaded) {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        panic!("not loaded");
    };
    h.load_project(&p, d.path());
    wait_loaded(&mut h);
    assert_eq!(
        h.counters(),
        EngineCounters {
            graph_compiles: 1,
            track_compiles: 16,
            param_messages: 0
        }
    );
    p.tracks[4].gain_db = -1.0;
    h.load_project(&p, d.path());
    wait_loaded(&mut h);
    p.tracks[5].pan = 0.5;
    h.load_project(&p, d.path());
    wait_loaded(&mut h);
    assert_eq!(
        h.counters(),
        EngineCounters {
            graph_compiles: 1,
            track_compiles: 16,
            param_messages: 2
        }
    );
    p.tracks[6].clips[0].start = 1.0;
    h.load_project(&p, d.path());
    wait_loaded(&mut h);
    assert_eq!(h.counters().track_compiles, 17);
    assert_eq!(h.counters().graph_compiles, 1);
}

#[test]
fn a_stand_in_that_finds_no_running_node_is_silent_not_a_panic() {
    let d = project_dir();
    dc_wav(d.path(), "dc.wav", 1);
    let mut p = project();
    p.tracks.push(audio_track(1, "A", "audio/dc.wav", 0.0, 1.0));
    p.tracks.push(midi_track(2, "pad", 4.0, &[(60, 0.0, 4.0)]));
    let mut planner = Planner::new(RATE, ClipMode::Direct);
    let _ = plan(&mut planner, &p, d.path());
    p.tracks[1].clips.clear();
    let Plan::Graph(c) = plan(&mut planner, &p, d.path()) else {
        panic!("a clip edit plans a graph")
    };
    // Installed with nothing to take over from (it cannot happen live: the planner is reset
    // with the backend), track 1 stays a stand-in and is skipped.
    let mut g = c.graph;
    assert!(g.tracks[0].is_kept());
    let n = no_alloc(|| g.process(0, BLOCK, true, false)).unwrap();
    assert_eq!(n, BLOCK);
    let (l, r) = g.master(n);
    assert!(l.iter().chain(r).all(|x| *x == 0.0));
}
