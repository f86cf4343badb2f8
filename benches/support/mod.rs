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
