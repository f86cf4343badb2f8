//! The live arpeggiator in the engine: the notes its instrument receives start on the exact
//! samples of the tempo grid (across tempo changes, inside odd-sized blocks); an offline render
//! with the live arp equals, sample for sample, the render of the same arpeggio rendered into
//! notes (offline = live); it runs without allocating on the audio thread; and a change to the
//! arp recompiles only its track.

mod engine_common;

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

use engine_common::rig::*;
use engine_common::*;
use ringbuf::traits::Producer;
use tdaw::engine::graph::{ClipMode, Graph, Source};
use tdaw::engine::messages::ToAudio;
use tdaw::engine::plan::{Plan, Planner};
use tdaw::engine::{render_to_wav, BitDepth, RenderOptions};
use tdaw::midi::arp::render as render_arp;
use tdaw::model::arp::{Arp, ArpMode};
use tdaw::model::{ClipContent, Project, TempoChange, TempoMap, TrackId};

use engine_common::recorder::{Log, Recorder};

/// 120 BPM, 90 from beat 4, 150 from beat 9; a C minor chord held over beats 0..6, then a
/// G alone over 8.5..11, arpeggiated up two octaves in 16ths.
fn arp_project() -> Project {
    let mut p = project();
    p.tempo = TempoMap::from_changes(vec![
        TempoChange {
            beat: 0.0,
            bpm: 120.0,
        },
        TempoChange {
            beat: 4.0,
            bpm: 90.0,
        },
        TempoChange {
            beat: 9.0,
            bpm: 150.0,
        },
    ]);
    let mut t = midi_track(
        1,
        "pluck",
        12.0,
        &[
            (60, 0.0, 6.0),
            (63, 0.0, 6.0),
            (67, 0.0, 6.0),
            (55, 8.5, 2.5),
        ],
    );
    t.arp = Some(Arp {
        mode: ArpMode::Up,
        rate: 0.25,
        octaves: 2,
        gate: 0.5,
        ..Arp::default()
    });
    p.tracks.push(t);
    p
}

/// The same project with the arpeggio rendered into the clip and the live arp off.
fn rendered_project(p: &Project) -> Project {
    let mut q = p.clone();
    let t = &mut q.tracks[0];
    let arp = t.arp.take().expect("an arp");
    let ClipContent::Midi(m) = &mut t.clips[0].content else {
        panic!("a MIDI clip")
    };
    m.notes = render_arp(&m.notes, &arp, 0.0);
    q
}

#[test]
fn arp_notes_reach_the_instrument_on_the_exact_samples_of_the_grid() {
    let d = project_dir();
    let p = arp_project();
    // What the rendered notes say: every 16th of a held chord, on its tick of the tempo map.
    let want: Vec<(u64, u8)> = {
        let q = rendered_project(&p);
        let ClipContent::Midi(m) = &q.tracks[0].clips[0].content else {
            unreachable!()
        };
        m.notes
            .iter()
            .map(|n| (p.tempo.beat_to_sample(n.start, 48_000), n.pitch))
            .collect()
    };
    // 6 beats of the chord (24 steps) and 10 steps of the G (8.5 ..< 11).
    assert_eq!(want.len(), 24 + 10);
    assert_eq!(
        &want[..7].iter().map(|w| w.1).collect::<Vec<_>>(),
        &[60, 63, 67, 72, 75, 79, 60]
    );
    // Beat 5.25 at 90 BPM after 2 s: (2 + 1.25 · 2/3) s.
    let at = ((2.0 + 1.25 * 2.0 / 3.0) * 48_000.0f64).round() as u64;
    assert_eq!(want[21], (at, 72));
    for block in [333usize, 4096] {
        let mut g = Graph::compile(&p, d.path(), 48_000, ClipMode::Direct, None, true)
            .unwrap()
            .graph;
        let log = Log::default();
        match &mut g.tracks[0].source {
            Source::Instrument { instrument, .. } => {
                *instrument = Some(Box::new(Recorder { log: log.clone() }))
            }
            _ => panic!("not an instrument track"),
        }
        let mut pos = 0;
        while pos < g.end + 48_000 {
            pos += g.process(pos, block, true, false).unwrap() as u64;
        }
        let got = log.lock().unwrap().1.clone();
        assert_eq!(got, want, "blocks of {block}");
    }
}

#[test]
fn a_render_with_the_live_arp_equals_the_render_of_its_notes() {
    let d = project_dir();
    let p = arp_project();
    let opts = RenderOptions {
        bit_depth: BitDepth::F32,
        sample_rate: None,
        stems: false,
        soundfont: None,
    };
    let live = d.path().join("live.wav");
    let notes = d.path().join("notes.wav");
    render_to_wav(&p, d.path(), &live, &opts, &mut |_| {}).unwrap();
    render_to_wav(&rendered_project(&p), d.path(), &notes, &opts, &mut |_| {}).unwrap();
    let (a, _) = read_wav(&live);
    let (b, _) = read_wav(&notes);
    assert_eq!(a.len(), b.len());
    assert!(a.iter().any(|&x| x.abs() > 0.01), "the arp is heard");
    assert_eq!(max_diff(&a, &b), 0.0);
    // Silent before the first step's sample, sounding right after it.
    let first = a.iter().position(|&x| x != 0.0).unwrap() / 2;
    assert!(first < 8, "first sound at frame {first}");
}

#[test]
fn the_live_arp_plays_auditions_without_allocating_and_an_arp_edit_rebuilds_one_track() {
    let d = project_dir();
    let mut p = arp_project();
    let mut other = midi_track(2, "pluck", 4.0, &[(40, 0.0, 4.0)]);
    other.name = "Bass".into();
    p.tracks.push(other);
    let mut planner = Planner::new(RATE, ClipMode::Streamed);
    let mut rig = Rig::new();
    rig.apply(plan(&mut planner, &p, d.path()));
    assert!(rig.link.to_audio.try_push(ToAudio::Play).is_ok());
    let mut heard = false;
    for _ in 0..200 {
        heard |= rig.block().iter().any(|&x| x.abs() > 1e-4);
    }
    assert!(heard);
    let before = planner.counters.track_compiles;
    // A new rate for track 1: only it is rebuilt.
    p.tracks[0].arp.as_mut().unwrap().rate = 0.5;
    let pl = plan(&mut planner, &p, d.path());
    let Plan::Graph(c) = &pl else {
        panic!("an arp edit plans a graph")
    };
    let rebuilt: Vec<TrackId> = c
        .graph
        .tracks
        .iter()
        .filter(|t| !t.is_kept())
        .map(|t| t.id)
        .collect();
    assert_eq!(rebuilt, vec![TrackId(1)]);
    assert_eq!(planner.counters.track_compiles, before + 1);
    rig.apply(pl);
    // Stopped: an audition goes through the arp on its free clock (all inside no_alloc).
    assert!(rig.link.to_audio.try_push(ToAudio::Pause).is_ok());
    rig.block();
    for pitch in [60, 64, 67] {
        let on = ToAudio::Audition {
            track: TrackId(1),
            pitch,
            velocity: 100,
            on: true,
        };
        assert!(rig.link.to_audio.try_push(on).is_ok());
    }
    let mut heard = false;
    for _ in 0..100 {
        heard |= rig.block().iter().any(|&x| x.abs() > 1e-4);
    }
    assert!(heard, "an audition is arpeggiated while stopped");
}

#[test]
fn a_latched_arp_stops_at_the_end_of_the_render() {
    let d = project_dir();
    let mut p = arp_project();
    p.tracks[0].arp.as_mut().unwrap().latch = true;
    let opts = RenderOptions {
        bit_depth: BitDepth::F32,
        sample_rate: None,
        stems: false,
        soundfont: None,
    };
    let out = d.path().join("latched.wav");
    render_to_wav(&p, d.path(), &out, &opts, &mut |_| {}).unwrap();
    let (a, _) = read_wav(&out);
    let seconds = a.len() as f64 / 2.0 / f64::from(RATE);
    // The timeline is 12 beats: 2 s at 120, 3.33 s at 90, 1.2 s at 150 = 6.53 s; the latched
    // chord must not play on to the renderer's 30 s tail cap.
    assert!(
        (6.5..8.0).contains(&seconds),
        "a latched arp render lasts {seconds:.2} s"
    );
    // It did keep the chord going after the keys went up at beat 6 (latch) until the end.
    let at = |s: f64| (s * f64::from(RATE)) as usize * 2;
    assert!(a[at(5.0)..at(6.4)].iter().any(|&x| x.abs() > 0.01));
}

#[test]
fn keys_held_while_the_arp_changes_keep_playing_on_the_rebuilt_track() {
    let d = project_dir();
    let mut p = arp_project();
    let mut planner = Planner::new(RATE, ClipMode::Streamed);
    let mut rig = Rig::new();
    rig.apply(plan(&mut planner, &p, d.path()));
    // Stopped, a chord held down: the arp plays it on its free clock.
    rig.block();
    for pitch in [60, 64, 67] {
        let on = ToAudio::Audition {
            track: TrackId(1),
            pitch,
            velocity: 100,
            on: true,
        };
        assert!(rig.link.to_audio.try_push(on).is_ok());
    }
    let loud = |rig: &mut Rig, blocks: usize| {
        let mut peak = 0f32;
        for _ in 0..blocks {
            peak = rig.block().iter().fold(peak, |m, &x| m.max(x.abs()));
        }
        peak
    };
    assert!(loud(&mut rig, 100) > 1e-3, "the held chord is arpeggiated");
    // A new rate while the keys stay down: the rebuilt track's arp takes the held keys over.
    p.tracks[0].arp.as_mut().unwrap().rate = 0.5;
    rig.apply(plan(&mut planner, &p, d.path()));
    loud(&mut rig, 400);
    let late = loud(&mut rig, 200);
    assert!(
        late > 1e-3,
        "still arpeggiating seconds after the change (peak {late})"
    );
    // The keys go up: silence follows once the last notes have rung out.
    for pitch in [60, 64, 67] {
        let off = ToAudio::Audition {
            track: TrackId(1),
            pitch,
            velocity: 0,
            on: false,
        };
        assert!(rig.link.to_audio.try_push(off).is_ok());
    }
    loud(&mut rig, 800);
    assert!(loud(&mut rig, 100) < 1e-4, "silent after the keys went up");
}
