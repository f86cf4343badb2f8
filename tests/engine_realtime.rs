//! The audio callback never allocates: the Processor is driven through play, seek, loop
//! wraps (each chasing controllers), count-in and metronome, graph swaps, note-on and
//! controller storms and voice stealing (built-in
//! synth, drum kit and — when installed — the General MIDI SoundFont) with allocation
//! forbidden (`assert_no_alloc` aborts the test binary on any allocation in debug builds).

mod engine_common;

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

use engine_common::*;
use ringbuf::traits::{Consumer, Producer};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use tdaw::engine::graph::{ClipMode, Graph, Inherit, MAX_BLOCK};
use tdaw::engine::messages::{FromAudio, ToAudio};
use tdaw::engine::meters::SharedStatus;
use tdaw::engine::processor::{processor, Link, Processor};
use tdaw::engine::stream::{stream_pair, StreamProducer};
use tdaw::model::{Instrument, LoopRegion, Send as TrackSend, TrackId, TrackKind};

fn no_alloc<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(debug_assertions)]
    return assert_no_alloc::assert_no_alloc(f);
    #[cfg(not(debug_assertions))]
    f()
}

struct Rig {
    p: Processor,
    link: Link,
    producers: Vec<StreamProducer>,
    status: Arc<SharedStatus>,
    buf: Vec<f32>,
    old_graphs: usize,
    loud: f32,
}

impl Rig {
    /// Runs `n` callbacks of `frames`, refilling streams and collecting garbage in between
    /// (engine-thread work, allowed to allocate).
    fn run(&mut self, n: usize, frames: usize) {
        for _ in 0..n {
            for prod in &mut self.producers {
                prod.fill(&self.status).unwrap();
            }
            let buf = &mut self.buf[..frames * 2];
            let p = &mut self.p;
            no_alloc(|| p.process(buf, 2));
            self.loud = self.loud.max(buf.iter().fold(0.0, |m, x| m.max(x.abs())));
            while let Some(m) = self.link.from_audio.try_pop() {
                if let FromAudio::OldGraph(g) = m {
                    self.old_graphs += 1;
                    drop(g);
                }
            }
        }
    }

    fn send(&mut self, m: ToAudio) {
        assert!(self.link.to_audio.try_push(m).is_ok());
    }
}

fn compile(
    p: &tdaw::model::Project,
    dir: &std::path::Path,
    sf: Option<&Arc<rustysynth::SoundFont>>,
) -> (Box<Graph>, Vec<(usize, tdaw::engine::clips::ClipLayer)>) {
    let c = Graph::compile(p, dir, 48_000, ClipMode::Streamed, sf, true).unwrap();
    (Box::new(c.graph), c.layers)
}

#[test]
fn the_callback_never_allocates() {
    let d = project_dir();
    write_wav(
        &d.path().join("audio/a.wav"),
        48_000,
        2,
        false,
        &signal(48_000 * 4, 2, 1),
    );
    write_wav(
        &d.path().join("audio/m.wav"),
        48_000,
        1,
        true,
        &signal(48_000 * 2, 1, 2),
    );
    let mut p = project();
    p.tracks.push(audio_track(1, "A", "audio/a.wav", 0.0, 4.0));
    let mut m = audio_track(2, "M", "audio/m.wav", 3.0, 2.0);
    m.pan = -0.4;
    m.sends.push(TrackSend {
        to: TrackId(9),
        level_db: -6.0,
        pre_fader: false,
    });
    p.tracks.push(m);
    // A note-on storm: 100 notes on one sample (more than the synth's voices: stealing),
    // then fast repeated notes.
    let mut storm: Vec<(u8, f64, f64)> = (0..100).map(|i| (20 + i as u8, 0.5, 1.0)).collect();
    storm.extend((0..64).map(|i| (60 + (i % 12) as u8, 2.0 + i as f64 / 32.0, 0.02)));
    let mut pad = midi_track(3, "pad", 8.0, &storm);
    // And a controller storm on every channel (chased at every seek, play and loop wrap).
    controller_storm(&mut pad, 8.0, 16);
    p.tracks.push(pad);
    p.tracks.push(midi_track(
        4,
        "drums",
        8.0,
        &[(36, 0.0, 0.1), (38, 1.0, 0.1), (42, 1.5, 0.1)],
    ));
    let sf = tdaw::engine::instrument::find_soundfont(None)
        .and_then(|path| tdaw::engine::instrument::load_soundfont(&path).ok());
    let mut gm = midi_track(
        5,
        "pad",
        8.0,
        &(0..40)
            .map(|i| (40 + i as u8, 1.0, 2.0))
            .collect::<Vec<_>>(),
    );
    gm.instrument = Some(Instrument::GeneralMidi {
        program: 0,
        drums: false,
    });
    controller_storm(&mut gm, 8.0, 16);
    p.tracks.push(gm);
    p.tracks
        .push(tdaw::model::Track::new(TrackId(9), "Bus", TrackKind::Bus));
    p.loop_region = Some(LoopRegion {
        start: 2.0,
        end: 6.0,
        enabled: true,
    });

    let status = Arc::new(SharedStatus::default());
    let (proc_, link) = processor(status.clone(), 48_000);
    let (graph, layers) = compile(&p, d.path(), sf.as_ref());
    let mut graph = graph;
    let mut producers = Vec::new();
    for (i, layer) in layers {
        let (prod, cons) = stream_pair(layer, 48_000, 1.0, 0, MAX_BLOCK);
        graph.set_stream(i, cons);
        producers.push(prod);
    }
    let mut rig = Rig {
        p: proc_,
        link,
        producers,
        status: status.clone(),
        buf: vec![0.0; 8192 * 2],
        old_graphs: 0,
        loud: 0.0,
    };
    for prod in &mut rig.producers {
        prod.fill(&status).unwrap();
    }
    rig.send(ToAudio::InstallGraph(graph));
    rig.run(4, 256);

    // Play through the storm and past the loop end (beat 6 = 3 s) a few times.
    rig.send(ToAudio::SetMetronome(true));
    rig.send(ToAudio::Play);
    rig.run(48_000 * 7 / 256, 256);
    let pos = status.position.load(Relaxed);
    assert!((48_000..144_000).contains(&pos), "the loop wraps: {pos}");
    assert!(rig.loud > 0.05, "something was heard");

    // Seek, odd buffer sizes, auditions.
    rig.send(ToAudio::Seek(30_000));
    rig.send(ToAudio::Audition {
        track: TrackId(3),
        pitch: 72,
        velocity: 120,
        on: true,
    });
    rig.run(40, 97);
    rig.send(ToAudio::Audition {
        track: TrackId(3),
        pitch: 72,
        velocity: 0,
        on: false,
    });
    rig.run(10, 4096);
    rig.run(3, 8192);

    // Stop, count-in, play again.
    rig.send(ToAudio::Stop);
    rig.send(ToAudio::SetCountIn(true));
    rig.send(ToAudio::Play);
    rig.run(48_000 * 3 / 512, 512);
    assert!(status.playing.load(Relaxed));

    // A graph swap while playing: the new graph inherits streams and instruments.
    p.tracks[0].gain_db = -3.0;
    p.tracks[2].clips.clear();
    let (mut g2, _layers) = compile(&p, d.path(), sf.as_ref());
    for (i, t) in g2.tracks.iter_mut().enumerate() {
        t.inherit = Inherit {
            from: Some(i),
            stream: true,
            instrument: true,
            notes_changed: i == 2,
        };
    }
    rig.send(ToAudio::InstallGraph(g2));
    rig.run(200, 128);
    assert_eq!(rig.old_graphs, 1, "the old graph came back to be freed");

    // And a swap to a graph with fresh instruments and streams.
    let (mut g3, layers) = compile(&p, d.path(), sf.as_ref());
    let mut producers = Vec::new();
    for (i, layer) in layers {
        let (prod, cons) =
            stream_pair(layer, 48_000, 1.0, status.position.load(Relaxed), MAX_BLOCK);
        g3.set_stream(i, cons);
        producers.push(prod);
    }
    rig.producers = producers;
    rig.send(ToAudio::InstallGraph(g3));
    rig.run(200, 128);
    rig.send(ToAudio::Pause);
    rig.run(20, 128);
    assert_eq!(rig.old_graphs, 2);
    assert!(!status.playing.load(Relaxed));
}

#[test]
fn metronome_clicks_on_beats_with_bar_accents_and_count_in_holds_the_playhead() {
    let d = project_dir();
    let p = project(); // 120 BPM, 4/4: a beat every 24 000 samples
    let status = Arc::new(SharedStatus::default());
    let (proc_, link) = processor(status.clone(), 48_000);
    let (graph, _) = compile(&p, d.path(), None);
    let mut rig = Rig {
        p: proc_,
        link,
        producers: Vec::new(),
        status: status.clone(),
        buf: vec![0.0; 8192 * 2],
        old_graphs: 0,
        loud: 0.0,
    };
    rig.send(ToAudio::InstallGraph(graph));
    rig.send(ToAudio::SetMetronome(true));
    rig.send(ToAudio::Play);
    let record = |rig: &mut Rig, frames: usize| -> Vec<f32> {
        let mut left = Vec::new();
        for _ in 0..frames / 300 {
            rig.run(1, 300);
            left.extend(rig.buf[..600].iter().step_by(2));
        }
        left
    };
    let out = record(&mut rig, 120_000);
    let peak = |a: usize, b: usize| out[a..b].iter().fold(0.0f32, |m, x| m.max(x.abs()));
    for beat in 0..5usize {
        let at = beat * 24_000;
        assert_eq!(
            peak(at.saturating_sub(4000), at),
            0.0,
            "silence before beat {beat}"
        );
        assert!(peak(at, at + 100) > 0.1, "click on beat {beat}");
    }
    // Bar accents: beats 0 and 4 are louder than beats 1-3.
    assert!(peak(0, 2000) > peak(24_000, 26_000) * 1.4);
    assert!(peak(96_000, 98_000) > peak(72_000, 74_000) * 1.4);

    // Count-in: a bar of clicks while the playhead waits at the start.
    rig.send(ToAudio::Stop);
    rig.send(ToAudio::Stop);
    rig.send(ToAudio::SetMetronome(false));
    rig.send(ToAudio::SetCountIn(true));
    rig.send(ToAudio::Play);
    let out = record(&mut rig, 90_000);
    assert_eq!(
        status.position.load(Relaxed),
        0,
        "the playhead waits during the count-in"
    );
    assert!(status.playing.load(Relaxed));
    for beat in 0..4 {
        assert!(out[beat * 24_000..beat * 24_000 + 100]
            .iter()
            .any(|x| x.abs() > 0.1));
    }
    rig.run(40, 300);
    let pos = status.position.load(Relaxed);
    assert!(pos > 0 && pos < 12_000, "rolling after the bar: {pos}");
}
