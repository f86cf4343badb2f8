//! The rig the engine benches share: a compiled graph installed in a processor, its clip streams
//! filled, playing; `chores` is the engine thread's routine work between callbacks.
#![allow(dead_code)]

use ringbuf::traits::{Consumer, Producer};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tdaw::engine::graph::{Compiled, MAX_BLOCK};
use tdaw::engine::messages::{FromAudio, ToAudio};
use tdaw::engine::meters::SharedStatus;
use tdaw::engine::processor::{processor, Link, Processor};
use tdaw::engine::stream::{stream_pair, StreamProducer};

pub struct Rig {
    pub p: Processor,
    pub link: Link,
    pub producers: Vec<StreamProducer>,
    pub status: Arc<SharedStatus>,
    pub buf: Vec<f32>,
}

impl Rig {
    /// Installs `c` at `rate` and starts playing; `block` frames per callback. Runs 200
    /// callbacks so every voice starts and the streams settle.
    pub fn new(c: Compiled, rate: u32, block: usize) -> Rig {
        let status = Arc::new(SharedStatus::default());
        let (proc_, mut link) = processor(status.clone(), rate);
        let mut g = Box::new(c.graph);
        let mut producers = Vec::new();
        for (i, layer) in c.layers {
            let (prod, cons) = stream_pair(layer, rate, 1.0, 0, MAX_BLOCK);
            g.set_stream(i, cons);
            producers.push(prod);
        }
        for pr in &mut producers {
            pr.fill(&status).unwrap();
        }
        let _ = link.to_audio.try_push(ToAudio::InstallGraph(g));
        let _ = link.to_audio.try_push(ToAudio::Play);
        let mut r = Rig {
            p: proc_,
            link,
            producers,
            status,
            buf: vec![0.0; block * 2],
        };
        for _ in 0..200 {
            r.step();
        }
        r
    }

    /// The engine thread's routine work between callbacks (not timed).
    pub fn chores(&mut self) {
        for pr in &mut self.producers {
            pr.fill(&self.status).unwrap();
        }
        while let Some(m) = self.link.from_audio.try_pop() {
            drop::<FromAudio>(m);
        }
    }

    /// Chores, then one callback; returns the callback's duration.
    pub fn step(&mut self) -> Duration {
        self.chores();
        let t = Instant::now();
        self.p.process(&mut self.buf, 2);
        t.elapsed()
    }
}

/// A 24-bit stereo WAV of `seconds` at `rate`: a sine per channel (its pitch from `seed`),
/// with a little white noise under it when `noise`.
pub fn write_track(path: &std::path::Path, rate: u32, seconds: f64, seed: u32, noise: bool) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: rate,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let mut x = seed;
    for i in 0..(seconds * rate as f64) as usize {
        for c in 0..2 {
            let t = i as f32 / rate as f32;
            let mut s = 0.2
                * (t * (200.0 + 37.0 * seed as f32 + 3.0 * c as f32) * std::f32::consts::TAU).sin();
            if noise {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                s += 0.02 * ((x >> 8) as f32 / 16_777_216.0 - 0.5);
            }
            w.write_sample((s * 8_388_607.0) as i32).unwrap();
        }
    }
    w.finalize().unwrap();
}
