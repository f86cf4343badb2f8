//! Automation in the engine: lanes on the fader, pan, a send, the master and an effect's
//! parameter reach their values on the samples of their points (followed per 32-sample
//! sub-block on the tempo map), in render and while playing; a disabled lane is ignored; a
//! lane stands in for the static value while it exists, and an edit to a lane travels to the
//! running graph without a compile of any track.

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
use tdaw::engine::messages::ToAudio;
use tdaw::engine::plan::{Plan, Planner};
use tdaw::engine::{render_to_wav, BitDepth, RenderOptions};
use tdaw::model::{
    AutomationLane, AutomationPoint, AutomationTarget, FxId, Project, Send as TrackSend,
    TempoChange, TempoMap, Track, TrackId, TrackKind,
};

/// 120 BPM at 48 kHz: one beat.
const BEAT: usize = 24_000;

fn lane(target: AutomationTarget, points: &[(f64, f64)]) -> AutomationLane {
    AutomationLane {
        target,
        enabled: true,
        points: points
            .iter()
            .map(|&(b, v)| AutomationPoint::new(b, v))
            .collect(),
    }
}

fn db(x: f32) -> f64 {
    20.0 * f64::from(x.abs()).log10()
}

/// The left channel of a 32-bit float render.
fn render_left(p: &Project, dir: &Path) -> Vec<f32> {
    let out = dir.join("out.wav");
    let opts = RenderOptions {
        bit_depth: BitDepth::F32,
        ..RenderOptions::default()
    };
    render_to_wav(p, dir, &out, &opts, &mut |_| {}).unwrap();
    read_wav(&out).0.iter().step_by(2).copied().collect()
}

/// A project with one track of constant 0.5 for `seconds`.
fn dc_project(dir: &Path, seconds: usize) -> Project {
    dc_wav(dir, "dc.wav", seconds);
    let mut p = project();
    p.tracks
        .push(audio_track(1, "DC", "audio/dc.wav", 0.0, seconds as f64));
    p
}

#[test]
fn a_gain_lane_reaches_its_values_at_the_samples_of_its_beats() {
    let d = project_dir();
    let mut p = dc_project(d.path(), 3);
    p.tracks[0].gain_db = -40.0; // the lane stands in for it
    p.tracks[0].automation.push(lane(
        AutomationTarget::Gain,
        &[(0.0, 0.0), (2.0, -12.0), (4.0, -6.0)],
    ));
    let l = render_left(&p, d.path());
    let dc = db(0.5);
    for (beat, want) in [(0usize, 0.0), (1, -6.0), (2, -12.0), (3, -9.0), (4, -6.0)] {
        let at = beat * BEAT;
        let got = db(l[at.min(l.len() - 1)]) - dc;
        assert!(
            (got - want).abs() < 0.1,
            "beat {beat}: {got:.3} dB, want {want}"
        );
    }
    // Linear in dB between points: a quarter of the way to beat 2 is -3 dB.
    let got = db(l[BEAT / 2]) - dc;
    assert!((got + 3.0).abs() < 0.1, "{got}");
}

#[test]
fn lanes_follow_the_tempo_map() {
    let d = project_dir();
    let mut p = dc_project(d.path(), 4);
    // 120 BPM for two beats (48000 samples), then 60 BPM: beat 3 is at 96000.
    p.tempo = TempoMap::from_changes(vec![
        TempoChange {
            beat: 0.0,
            bpm: 120.0,
        },
        TempoChange {
            beat: 2.0,
            bpm: 60.0,
        },
    ]);
    p.tracks[0]
        .automation
        .push(lane(AutomationTarget::Gain, &[(2.0, 0.0), (3.0, -20.0)]));
    let l = render_left(&p, d.path());
    let dc = db(0.5);
    let got = db(l[96_000]) - dc;
    assert!((got + 20.0).abs() < 0.1, "{got}");
    let got = db(l[72_000]) - dc;
    assert!(
        (got + 10.0).abs() < 0.1,
        "halfway in time is halfway: {got}"
    );
}

#[test]
fn pan_send_and_master_lanes_and_a_disabled_lane() {
    let d = project_dir();
    let mut p = dc_project(d.path(), 3);
    p.tracks[0]
        .automation
        .push(lane(AutomationTarget::Pan, &[(0.0, 0.0), (4.0, 1.0)]));
    p.tracks[0].sends.push(TrackSend {
        to: TrackId(9),
        level_db: 0.0,
        pre_fader: true,
    });
    p.tracks[0].automation.push(lane(
        AutomationTarget::Send(TrackId(9)),
        &[(0.0, -144.0), (2.0, -144.0), (2.0, 0.0)],
    ));
    let mut bus = Track::new(TrackId(9), "Bus", TrackKind::Bus);
    bus.gain_db = -6.0206;
    p.tracks.push(bus);
    let mut off = lane(AutomationTarget::Gain, &[(0.0, -30.0)]);
    off.enabled = false;
    p.master.automation.push(off);
    let out = d.path().join("out.wav");
    let opts = RenderOptions {
        bit_depth: BitDepth::F32,
        ..RenderOptions::default()
    };
    render_to_wav(&p, d.path(), &out, &opts, &mut |_| {}).unwrap();
    let (s, _) = read_wav(&out);
    let at = |frame: usize| (s[2 * frame], s[2 * frame + 1]);
    // Beat 1: pan 0.25 (balance: left 0.75); the send still silent.
    let (l, r) = at(BEAT);
    assert!(
        (l - 0.375).abs() < 1e-3 && (r - 0.5).abs() < 1e-3,
        "{l} {r}"
    );
    // Beat 3: pan 0.75 (left 0.25 → 0.125) plus the bus: 0.5 at -6 dB = 0.25 per side.
    let (l, r) = at(3 * BEAT);
    assert!((l - 0.375).abs() < 1e-3, "{l}");
    assert!((r - 0.75).abs() < 1e-3, "{r}");
}

#[test]
fn an_effect_parameter_lane_drives_the_effect_and_the_master_gain_lane_too() {
    register();
    let d = project_dir();
    let mut p = dc_project(d.path(), 3);
    p.tracks[0]
        .effects
        .push(effect(4, "t_gain", "gain_db", -30.0));
    p.tracks[0].automation.push(lane(
        AutomationTarget::Fx(FxId(4), "gain_db".into()),
        &[(0.0, 0.0), (4.0, -12.0)],
    ));
    p.master
        .automation
        .push(lane(AutomationTarget::Gain, &[(0.0, 0.0), (4.0, -12.0)]));
    let l = render_left(&p, d.path());
    let dc = db(0.5);
    for beat in [0usize, 2, 4] {
        let want = -6.0 * beat as f64; // -3 dB per beat from each lane
        let at = (beat * BEAT).min(l.len() - 1);
        // The effect's lane is applied at each sub-block's start: up to 32 samples early.
        let got = db(l[at]) - dc;
        assert!(
            (got - want).abs() < 0.1,
            "beat {beat}: {got:.3}, want {want}"
        );
    }
}

#[test]
fn a_lane_edit_travels_to_the_running_graph_without_a_track_compile() {
    let d = project_dir();
    let mut p = dc_project(d.path(), 8);
    let mut planner = Planner::new(RATE, ClipMode::Streamed);
    let mut rig = Rig::new();
    rig.apply(planner.plan(&p, d.path(), None).unwrap());
    assert!(rig.link.to_audio.try_push(ToAudio::Play).is_ok());
    for _ in 0..10 {
        rig.block();
    }
    assert_eq!(*rig.block().last().unwrap(), 0.5);
    let before = planner.counters;
    p.tracks[0]
        .automation
        .push(lane(AutomationTarget::Gain, &[(0.0, -6.0206)]));
    let pl = planner.plan(&p, d.path(), None).unwrap();
    assert!(matches!(pl, Plan::Graph(_)));
    assert_eq!(planner.counters.track_compiles, before.track_compiles);
    assert_eq!(planner.counters.graph_compiles, before.graph_compiles);
    rig.apply(pl);
    rig.block();
    let half = *rig.block().last().unwrap();
    assert!((half - 0.25).abs() < 1e-6, "{half}");
    // The lane goes: the static fader (0 dB) is back.
    p.tracks[0].automation.clear();
    rig.apply(planner.plan(&p, d.path(), None).unwrap());
    rig.block();
    assert_eq!(*rig.block().last().unwrap(), 0.5);
}

#[test]
fn a_compiled_graph_reports_no_latency_without_effects() {
    let d = project_dir();
    let p = dc_project(d.path(), 1);
    let g = Graph::compile(&p, d.path(), RATE, ClipMode::Direct, None, true)
        .unwrap()
        .graph;
    assert_eq!(g.latency(), 0);
    assert!(!g.has_effects());
}
