//! Live MIDI input latency and cost. A note-on goes in through the fake port's sink (the same
//! sink midir's callback pushes into), and the audio callback runs blocks of 64…512 frames at
//! 48 kHz on the built-in organ of an armed MIDI track until its output is non-zero: printed
//! are the frame of the first non-zero sample in the first block after arrival, and the worst
//! case from the port callback to sound (a message that arrives just after a callback started
//! waits one period). Then criterion times one 128-frame callback with 16 incoming messages
//! (notes, a controller, a bend) against one with none.
//!
//! Run: `cargo bench --bench midi_input` (`-- --quick` for a short run).

use criterion::{criterion_group, criterion_main, Criterion};
use ringbuf::traits::{Consumer, Producer};
use std::sync::Arc;
use tdaw::engine::graph::{ClipMode, Graph};
use tdaw::engine::messages::ToAudio;
use tdaw::engine::meters::SharedStatus;
use tdaw::engine::midi_in::{midi_queue, FakeSender, FakeSource, MidiConnection, MidiSource};
use tdaw::engine::processor::{processor, Link, Processor};
use tdaw::model::{Instrument, Project, Track, TrackId, TrackKind};

const RATE: u32 = 48_000;

struct Live {
    p: Processor,
    link: Link,
    tx: FakeSender,
    _conn: Box<dyn MidiConnection>,
    _dir: tempfile::TempDir,
    buf: Vec<f32>,
}

fn live() -> Live {
    let dir = tempfile::tempdir().unwrap();
    let mut project = Project::new("bench", RATE, 120.0);
    let mut t = Track::new(TrackId(1), "Keys", TrackKind::Midi);
    t.instrument = Some(Instrument::Synth {
        preset: "organ".into(),
    });
    t.arm = true;
    project.tracks.push(t);
    let c = Graph::compile(&project, dir.path(), RATE, ClipMode::Streamed, None, true).unwrap();
    let (p, mut link) = processor(Arc::new(SharedStatus::default()), RATE);
    let src = FakeSource::new(&["Fake Keys"]);
    let tx = src.sender();
    let (sink, rx, _) = midi_queue();
    let conn = src.connect("Fake Keys", sink).unwrap();
    for m in [
        ToAudio::InstallGraph(Box::new(c.graph)),
        ToAudio::LiveTarget(Some(TrackId(1))),
        ToAudio::MidiInput(Some(Box::new(rx))),
    ] {
        assert!(link.to_audio.try_push(m).is_ok());
    }
    Live {
        p,
        link,
        tx,
        _conn: conn,
        _dir: dir,
        buf: vec![0.0; 1024],
    }
}

impl Live {
    fn block(&mut self, n: usize) -> &[f32] {
        let buf = &mut self.buf[..n * 2];
        self.p.process(buf, 2);
        while self.link.from_audio.try_pop().is_some() {}
        while self.link.captures.try_pop().is_some() {}
        buf
    }
}

/// Frames from the start of the first callback after a note-on arrives to its first non-zero
/// output sample.
fn first_sound(block: usize) -> usize {
    let mut l = live();
    for _ in 0..8 {
        assert!(l.block(block).iter().all(|x| *x == 0.0));
    }
    assert!(l.tx.send(&[0x90, 60, 100]));
    let mut frames = 0;
    loop {
        let out = l.block(block);
        if let Some(i) = out.chunks(2).position(|f| f[0] != 0.0) {
            return frames + i;
        }
        frames += block;
        assert!(frames < RATE as usize, "the note never sounded");
    }
}

fn bench(c: &mut Criterion) {
    println!("live MIDI input → output at {RATE} Hz (port callback to the first non-zero sample):");
    for block in [64, 128, 256, 512] {
        let k = first_sound(block);
        assert!(
            k < block,
            "not in the first block after arrival ({k} frames)"
        );
        let worst = block + k;
        println!(
            "  block {block:>3}: frame {k} of the next callback; worst case {worst} frames = {:.2} ms (one period + {k})",
            worst as f64 * 1000.0 / RATE as f64
        );
    }
    let mut l = live();
    let burst: [[u8; 3]; 16] = std::array::from_fn(|i| match i % 4 {
        0 => [0x90, 48 + i as u8, 100],
        1 => [0x80, 47 + i as u8, 0],
        2 => [0xb0, 1, i as u8 * 8],
        _ => [0xe0, 0, 0x40 + i as u8],
    });
    c.bench_function("callback 128 frames, no MIDI", |b| {
        b.iter(|| l.block(128)[0])
    });
    c.bench_function("callback 128 frames, 16 MIDI messages", |b| {
        b.iter(|| {
            for m in &burst {
                l.tx.send(m);
            }
            l.block(128)[0]
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
