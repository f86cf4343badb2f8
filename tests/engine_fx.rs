//! Insert chains, sends and latency compensation in the engine, with effects of exact, known
//! behaviour (`engine_common::fxnodes`): what a chain does to the signal, what an edit to it
//! costs (parameter messages, no compile; a reorder compiles no track), that a running
//! effect's state survives edits around it sample for sample, that pre- and post-fader sends
//! differ with the fader down, and that a latent effect on one path leaves every path aligned
//! in playback and render. The callback never allocates through any of it.

mod engine_common;

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

use engine_common::fxnodes::{effect, register};
use engine_common::rig::*;
use engine_common::*;
use ringbuf::traits::Producer;
use std::path::Path;
use tdaw::engine::graph::{ClipMode, Graph};
use tdaw::engine::messages::{NodeId, ParamChange, ParamId, ToAudio};
use tdaw::engine::plan::{EngineCounters, Plan, Planner};
use tdaw::engine::{render_to_wav, BitDepth, RenderOptions};
use tdaw::model::{FxId, ParamValue, Project, Send as TrackSend, Track, TrackId, TrackKind};

fn f32_opts() -> RenderOptions {
    RenderOptions {
        bit_depth: BitDepth::F32,
        ..RenderOptions::default()
    }
}

/// A stereo float WAV of the deterministic test signal.
fn noise_wav(dir: &Path, name: &str, seconds: f64, seed: u32) {
    let frames = (RATE as f64 * seconds) as usize;
    write_wav(
        &dir.join("audio").join(name),
        RATE,
        2,
        true,
        &signal(frames, 2, seed),
    );
}

fn send(to: u64, level_db: f32, pre_fader: bool) -> TrackSend {
    TrackSend {
        to: TrackId(to),
        level_db,
        pre_fader,
    }
}

fn render(p: &Project, dir: &Path, name: &str) -> Vec<f32> {
    let out = dir.join(name);
    render_to_wav(p, dir, &out, &f32_opts(), &mut |_| {}).unwrap();
    read_wav(&out).0
}

/// An edit to a project.
type Edit = dyn Fn(&mut Project);

fn params(plan: &Plan) -> Vec<ParamChange> {
    match plan {
        Plan::Params(v) => v.clone(),
        Plan::Nothing => Vec::new(),
        Plan::Graph(_) => panic!("a value edit compiled a graph"),
    }
}

fn db(x: f32) -> f32 {
    20.0 * x.abs().max(1e-30).log10()
}

#[test]
fn a_chain_processes_in_order_between_source_and_fader() {
    register();
    let d = project_dir();
    dc_wav(d.path(), "dc.wav", 1);
    let mut p = project();
    let mut t = audio_track(1, "DC", "audio/dc.wav", 0.0, 1.0);
    t.effects.push(effect(1, "t_gain", "gain_db", -6.0206));
    t.effects.push(effect(2, "unknown-kind", "x", 1.0));
    t.gain_db = -6.0206;
    p.tracks.push(t);
    let mut g = Graph::compile(&p, d.path(), RATE, ClipMode::Direct, None, true)
        .unwrap()
        .graph;
    let n = g.process(0, BLOCK, true, false).unwrap();
    // 0.5 × ½ (effect) × ½ (fader); the unknown kind passes through.
    let (l, r) = g.master(n);
    assert!((l[100] - 0.125).abs() < 1e-6, "{}", l[100]);
    assert!((r[100] - 0.125).abs() < 1e-6);
    assert_eq!(g.latency(), 0);
}

#[test]
fn pre_fader_send_feeds_the_bus_with_the_fader_down_post_fader_does_not() {
    let d = project_dir();
    dc_wav(d.path(), "dc.wav", 1);
    let mut p = project();
    let mut pre = audio_track(1, "Pre", "audio/dc.wav", 0.0, 1.0);
    pre.gain_db = -144.0;
    pre.sends.push(send(8, 0.0, true));
    let mut post = audio_track(2, "Post", "audio/dc.wav", 0.0, 1.0);
    post.gain_db = -144.0;
    post.sends.push(send(9, 0.0, false));
    p.tracks.push(pre);
    p.tracks.push(post);
    p.tracks
        .push(Track::new(TrackId(8), "PreBus", TrackKind::Bus));
    p.tracks
        .push(Track::new(TrackId(9), "PostBus", TrackKind::Bus));
    let mut g = Graph::compile(&p, d.path(), RATE, ClipMode::Direct, None, true)
        .unwrap()
        .graph;
    let n = g.process(0, BLOCK, true, false).unwrap();
    let out = |g: &Graph, id: u64| {
        let t = g.tracks.iter().find(|t| t.id == TrackId(id)).unwrap();
        t.output(n).0[n - 1]
    };
    assert_eq!(out(&g, 1), 0.0, "the fader at -144 dB is silence");
    assert_eq!(out(&g, 2), 0.0);
    assert_eq!(out(&g, 8), 0.5, "the pre-fader send still feeds its bus");
    assert_eq!(out(&g, 9), 0.0, "the post-fader send does not");
    assert_eq!(g.master(n).0[n - 1], 0.5);
}

#[test]
fn a_latent_effect_on_one_path_is_compensated_on_every_path_in_render() {
    register();
    let d = project_dir();
    noise_wav(d.path(), "n.wav", 1.0, 7);
    // Reference: the signal on two plain tracks.
    let mut plain = project();
    plain
        .tracks
        .push(audio_track(1, "A", "audio/n.wav", 0.0, 1.0));
    plain
        .tracks
        .push(audio_track(2, "B", "audio/n.wav", 0.0, 1.0));
    let reference = render(&plain, d.path(), "ref.wav");

    // The same sum through latent paths: A with a 300-sample lookahead; B reaching the
    // master only through a pre-fader send to a bus with a 100-sample one (and a
    // 50-sample one on the master).
    let mut p = plain.clone();
    p.tracks[0]
        .effects
        .push(effect(1, "t_delay", "samples", 300.0));
    p.tracks[1].gain_db = -144.0;
    p.tracks[1].sends.push(send(9, 0.0, true));
    let mut bus = Track::new(TrackId(9), "Bus", TrackKind::Bus);
    bus.effects.push(effect(2, "t_delay", "samples", 100.0));
    p.tracks.push(bus);
    p.master.effects.push(effect(3, "t_delay", "samples", 50.0));
    let g = Graph::compile(&p, d.path(), RATE, ClipMode::Direct, None, true)
        .unwrap()
        .graph;
    assert_eq!(g.track_latency(), 300);
    assert_eq!(g.latency(), 350);
    let out = render(&p, d.path(), "pdc.wav");
    // Aligned to the timeline: the same length up to the tail wait, and a null.
    assert!(out.len() >= reference.len());
    let diff = max_diff(&out[..reference.len()], &reference);
    assert!(diff < 10f32.powf(-90.0 / 20.0), "{} dBFS", db(diff));
    assert!(out[reference.len()..].iter().all(|x| x.abs() < 1e-5));
}

#[test]
fn a_latent_effect_leaves_two_identical_tracks_aligned_while_playing() {
    register();
    let d = project_dir();
    noise_wav(d.path(), "n.wav", 2.0, 3);
    let mut plain = project();
    plain
        .tracks
        .push(audio_track(1, "A", "audio/n.wav", 0.0, 2.0));
    plain
        .tracks
        .push(audio_track(2, "B", "audio/n.wav", 0.0, 2.0));
    let mut p = plain.clone();
    p.tracks[0]
        .effects
        .push(effect(1, "t_delay", "samples", 123.0));
    let (reference, _) = run_with_edit(&plain, d.path(), 40, usize::MAX, &|_| {});
    let (out, _) = run_with_edit(&p, d.path(), 40, usize::MAX, &|_| {});
    // Both tracks arrive 123 samples late together: the sum is the plain sum, delayed.
    assert!(out[..123].iter().all(|x| *x == 0.0));
    let diff = max_diff(&out[123..], &reference[..reference.len() - 123]);
    assert!(diff < 1e-6, "{} dBFS", db(diff));
    assert!(reference.iter().any(|x| x.abs() > 0.1));
}

#[test]
fn effect_parameters_and_bypass_are_messages_and_a_reorder_compiles_no_track() {
    register();
    let d = project_dir();
    dc_wav(d.path(), "dc.wav", 4);
    let mut p = project();
    let mut t = audio_track(1, "DC", "audio/dc.wav", 0.0, 4.0);
    t.effects.push(effect(5, "t_gain", "gain_db", 0.0));
    t.effects.push(effect(6, "t_echo", "samples", 64.0));
    p.tracks.push(t);
    p.tracks
        .push(audio_track(2, "Other", "audio/dc.wav", 0.0, 4.0));
    p.tracks[1].mute = true;
    let mut planner = Planner::new(RATE, ClipMode::Streamed);
    let mut rig = Rig::new();
    rig.apply(planner.plan(&p, d.path(), None).unwrap());
    assert!(rig.link.to_audio.try_push(ToAudio::Play).is_ok());
    for _ in 0..10 {
        rig.block();
    }
    let before = planner.counters;

    // A parameter: one message, no compile of any kind.
    p.tracks[0].effects[0]
        .params
        .insert("gain_db".into(), ParamValue::Number(-6.0));
    let pl = planner.plan(&p, d.path(), None).unwrap();
    assert_eq!(
        params(&pl),
        vec![ParamChange {
            node: NodeId::Track(TrackId(1)),
            param: ParamId::Fx {
                fx: FxId(5),
                param: 0
            },
            value: -6.0,
        }]
    );
    assert_eq!(
        planner.counters,
        EngineCounters {
            param_messages: before.param_messages + 1,
            ..before
        }
    );
    rig.apply(pl);
    let a = rig.block();
    let b = rig.block();
    // The echo (feedback ½) of a constant settles at twice its input.
    assert!(b[BLOCK - 1] < a[0], "the new gain is heard");

    // Bypass: a message; the crossfade has no step larger than the signal's own.
    p.tracks[0].effects[1].bypass = true;
    let pl = planner.plan(&p, d.path(), None).unwrap();
    assert_eq!(
        params(&pl),
        vec![ParamChange {
            node: NodeId::Track(TrackId(1)),
            param: ParamId::FxBypass { fx: FxId(6) },
            value: 1.0,
        }]
    );
    rig.apply(pl);
    let fade = rig.block();
    let step = fade
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max);
    assert!(step < 0.01, "a click of {step}");
    let settled = rig.block();
    let g = 10f32.powf(-6.0 / 20.0);
    assert!((settled[BLOCK - 1] - 0.5 * g).abs() < 1e-6);

    // Reorder the chain: a graph, but no track is compiled and the whole graph is not.
    let counters = planner.counters;
    p.tracks[0].effects.swap(0, 1);
    let pl = planner.plan(&p, d.path(), None).unwrap();
    assert!(matches!(pl, Plan::Graph(_)));
    assert_eq!(planner.counters.track_compiles, counters.track_compiles);
    assert_eq!(planner.counters.graph_compiles, counters.graph_compiles);
    rig.apply(pl);
    rig.block();
    let after = rig.block();
    assert!((after[BLOCK - 1] - 0.5 * g).abs() < 1e-6, "same sound");
}

/// Runs `p` for `blocks` callbacks, applying `edit` (and its plan) before block `at`; the
/// left channel of every block.
fn run_with_edit(
    p: &Project,
    dir: &Path,
    blocks: usize,
    at: usize,
    edit: &dyn Fn(&mut Project),
) -> (Vec<f32>, EngineCounters) {
    let mut p = p.clone();
    let mut planner = Planner::new(RATE, ClipMode::Streamed);
    let mut rig = Rig::new();
    rig.apply(planner.plan(&p, dir, None).unwrap());
    assert!(rig.link.to_audio.try_push(ToAudio::Play).is_ok());
    let mut out = Vec::new();
    let mut counters = planner.counters;
    for k in 0..blocks {
        if k == at {
            edit(&mut p);
            let before = planner.counters;
            rig.apply(planner.plan(&p, dir, None).unwrap());
            counters = EngineCounters {
                graph_compiles: planner.counters.graph_compiles - before.graph_compiles,
                track_compiles: planner.counters.track_compiles - before.track_compiles,
                param_messages: planner.counters.param_messages - before.param_messages,
            };
        }
        out.extend(rig.block());
    }
    (out, counters)
}

#[test]
fn an_echo_tail_rings_on_through_edits_sample_for_sample() {
    register();
    let d = project_dir();
    noise_wav(d.path(), "burst.wav", 0.05, 11);
    dc_wav(d.path(), "dc.wav", 1);
    let mut p = project();
    let mut t = audio_track(1, "Burst", "audio/burst.wav", 0.0, 0.05);
    t.effects.push(effect(1, "t_echo", "samples", 4800.0));
    t.effects.push(effect(2, "t_gain", "gain_db", 0.0));
    p.tracks.push(t);
    let mut other = audio_track(2, "Other", "audio/dc.wav", 0.0, 1.0);
    other.mute = true;
    p.tracks.push(other);
    let (plain, _) = run_with_edit(&p, d.path(), 60, usize::MAX, &|_| {});
    // The tail is there to keep: after the burst (2400 frames) the echoes go on.
    assert!(plain[40 * BLOCK..].iter().any(|x| x.abs() > 0.01));

    let edits: [(&str, &Edit); 4] = [
        ("an effect added to another track", &|p| {
            p.tracks[1]
                .effects
                .push(effect(9, "t_echo", "samples", 100.0))
        }),
        ("a marker", &|p| {
            p.markers.push(tdaw::model::Marker {
                beat: 3.0,
                name: "x".into(),
            })
        }),
        ("the echo's own track rebuilt for a clip far ahead", &|p| {
            let mut c = p.tracks[1].clips[0].clone();
            c.id = tdaw::model::ClipId(777);
            c.start = 400.0;
            p.tracks[0].clips.push(c);
        }),
        ("its chain reordered around it", &|p| {
            p.tracks[0].effects.swap(0, 1)
        }),
    ];
    for (what, edit) in edits {
        let (edited, counters) = run_with_edit(&p, d.path(), 60, 20, edit);
        assert_eq!(counters.graph_compiles, 0, "{what}");
        assert_eq!(
            max_diff(&edited, &plain),
            0.0,
            "{what}: the output equals an uninterrupted run"
        );
    }
}

#[test]
fn the_callback_never_allocates_while_effects_are_added_removed_reordered_bypassed_and_automated() {
    register();
    let d = project_dir();
    dc_wav(d.path(), "dc.wav", 4);
    let mut p = project();
    p.tracks.push(audio_track(1, "A", "audio/dc.wav", 0.0, 4.0));
    p.tracks.push(audio_track(2, "B", "audio/dc.wav", 0.0, 4.0));
    p.tracks.push(Track::new(TrackId(9), "Bus", TrackKind::Bus));
    p.tracks[1].sends.push(send(9, -6.0, false));
    let mut planner = Planner::new(RATE, ClipMode::Streamed);
    let mut rig = Rig::new();
    rig.apply(planner.plan(&p, d.path(), None).unwrap());
    assert!(rig.link.to_audio.try_push(ToAudio::Play).is_ok());
    let edits: Vec<Box<Edit>> = vec![
        Box::new(|p| {
            p.tracks[0]
                .effects
                .push(effect(1, "t_echo", "samples", 500.0))
        }),
        Box::new(|p| {
            p.tracks[0]
                .effects
                .push(effect(2, "t_gain", "gain_db", -3.0))
        }),
        Box::new(|p| {
            p.tracks[2]
                .effects
                .push(effect(3, "t_delay", "samples", 64.0))
        }),
        Box::new(|p| p.master.effects.push(effect(4, "t_gain", "gain_db", -1.0))),
        Box::new(|p| p.tracks[0].effects.swap(0, 1)),
        Box::new(|p| p.tracks[0].effects[0].bypass = true),
        Box::new(|p| {
            p.tracks[0].effects[1]
                .params
                .insert("samples".into(), ParamValue::Number(900.0));
        }),
        Box::new(|p| {
            use tdaw::model::{AutomationLane, AutomationPoint, AutomationTarget};
            p.tracks[0].automation.push(AutomationLane {
                target: AutomationTarget::Fx(FxId(2), "gain_db".into()),
                enabled: true,
                points: vec![
                    AutomationPoint::new(0.0, -20.0),
                    AutomationPoint::new(4.0, 0.0),
                ],
            });
            p.tracks[1].automation.push(AutomationLane {
                target: AutomationTarget::Send(TrackId(9)),
                enabled: true,
                points: vec![
                    AutomationPoint::new(0.0, -20.0),
                    AutomationPoint::new(2.0, 0.0),
                ],
            });
            p.master.automation.push(AutomationLane {
                target: AutomationTarget::Gain,
                enabled: true,
                points: vec![
                    AutomationPoint::new(0.0, 0.0),
                    AutomationPoint::new(8.0, -6.0),
                ],
            });
        }),
        Box::new(|p| {
            p.tracks[0].effects.remove(0);
        }),
        Box::new(|p| p.tracks[2].effects.clear()),
        Box::new(|p| p.master.automation.clear()),
    ];
    for edit in edits {
        edit(&mut p);
        rig.apply(planner.plan(&p, d.path(), None).unwrap());
        // `Rig::block` runs the callback with allocation forbidden.
        for _ in 0..4 {
            rig.block();
        }
    }
    assert!(rig.block().iter().all(|x| x.is_finite()));
}

#[test]
fn a_sidechain_hears_its_source_track_in_the_same_block_and_a_bus_one_block_late() {
    register();
    let d = project_dir();
    dc_wav(d.path(), "dc.wav", 1);
    let mut p = project();
    // The listener comes first in project order; its source is processed before it anyway.
    let mut k = audio_track(1, "Keyed", "audio/dc.wav", 0.0, 1.0);
    k.effects.push(effect(1, "t_sc", "sidechain", 2.0));
    let mut s = audio_track(2, "Source", "audio/dc.wav", 0.0, 1.0);
    s.gain_db = -6.0206;
    s.sends.push(send(9, 0.0, false));
    let mut b = audio_track(3, "FromBus", "audio/dc.wav", 0.0, 1.0);
    b.effects.push(effect(2, "t_sc", "sidechain", 9.0));
    p.tracks.push(k);
    p.tracks.push(s);
    p.tracks.push(b);
    p.tracks.push(Track::new(TrackId(9), "Bus", TrackKind::Bus));
    let mut g = Graph::compile(&p, d.path(), RATE, ClipMode::Direct, None, true)
        .unwrap()
        .graph;
    let out = |g: &Graph, id: u64| {
        let t = g.tracks.iter().find(|t| t.id == TrackId(id)).unwrap();
        t.output(BLOCK).0[0]
    };
    g.process(0, BLOCK, true, false).unwrap();
    let quarter = 0.5 * 10f32.powf(-6.0206 / 20.0);
    assert!(
        (out(&g, 1) - (0.5 + quarter)).abs() < 1e-6,
        "{}",
        out(&g, 1)
    );
    assert_eq!(out(&g, 3), 0.5, "the bus is heard one block late");
    g.process(BLOCK as u64, BLOCK, true, false).unwrap();
    assert!((out(&g, 3) - (0.5 + quarter)).abs() < 1e-6);
    // Offline on two threads the same numbers come out.
    let mut g2 = Graph::compile(&p, d.path(), RATE, ClipMode::Direct, None, true)
        .unwrap()
        .graph;
    g2.process(0, BLOCK, true, true).unwrap();
    assert!((out(&g2, 1) - (0.5 + quarter)).abs() < 1e-6);
    assert_eq!(out(&g2, 3), 0.5);
}

#[test]
fn gain_reduction_meters_show_each_effect_by_id() {
    register();
    let d = project_dir();
    dc_wav(d.path(), "dc.wav", 1);
    let mut p = project();
    let mut t = audio_track(1, "A", "audio/dc.wav", 0.0, 1.0);
    t.effects.push(effect(7, "t_gain", "gain_db", -4.5));
    t.effects.push(effect(8, "t_gain", "gain_db", 0.0));
    p.tracks.push(t);
    p.master.effects.push(effect(9, "t_gain", "gain_db", -2.0));
    let mut g = Graph::compile(&p, d.path(), RATE, ClipMode::Direct, None, true)
        .unwrap()
        .graph;
    g.process(0, BLOCK, true, false).unwrap();
    let gr: Vec<(FxId, f32)> = g
        .meters
        .gain_reduction
        .iter()
        .map(|(id, v)| (*id, v.load()))
        .collect();
    assert_eq!(gr.len(), 3);
    for (id, want) in [(7, 4.5f32), (8, 0.0), (9, 2.0)] {
        let got = gr.iter().find(|(i, _)| *i == FxId(id)).unwrap().1;
        assert!((got - want).abs() < 1e-4, "{id}: {got}");
    }
}

#[test]
fn a_rebuilding_parameter_rebuilds_only_its_effect() {
    let d = project_dir();
    dc_wav(d.path(), "dc.wav", 1);
    let mut p = project();
    let mut t = audio_track(1, "A", "audio/dc.wav", 0.0, 1.0);
    let mut lim = effect(3, "limiter", "ceiling_dbtp", -1.0);
    lim.params
        .insert("lookahead_ms".into(), ParamValue::Number(5.0));
    t.effects.push(lim);
    p.tracks.push(t);
    let mut planner = Planner::new(RATE, ClipMode::Streamed);
    planner.plan(&p, d.path(), None).unwrap();
    let before = planner.counters;
    // The ceiling glides: a message.
    p.tracks[0].effects[0]
        .params
        .insert("ceiling_dbtp".into(), ParamValue::Number(-3.0));
    let pl = planner.plan(&p, d.path(), None).unwrap();
    assert_eq!(params(&pl).len(), 1);
    // The lookahead sizes its buffers: a new graph, but no track compiled.
    p.tracks[0].effects[0]
        .params
        .insert("lookahead_ms".into(), ParamValue::Number(2.0));
    let pl = planner.plan(&p, d.path(), None).unwrap();
    assert!(matches!(pl, Plan::Graph(_)));
    assert_eq!(planner.counters.track_compiles, before.track_compiles);
    assert_eq!(planner.counters.graph_compiles, before.graph_compiles);
}
