//! The audio callback driven block by block with the engine thread's chores in between, as
//! `EngineHandle` does it: the rig the engine's parameter, effect and automation tests share.

use super::write_wav;
use ringbuf::traits::{Consumer, Producer};
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use tdaw::engine::graph::{Graph, MAX_BLOCK};
use tdaw::engine::messages::{FromAudio, ParamChange, ToAudio};
use tdaw::engine::meters::SharedStatus;
use tdaw::engine::plan::{Plan, Planner};
use tdaw::engine::processor::{processor, Link, Processor};
use tdaw::engine::stream::{stream_pair, StreamProducer};
use tdaw::model::Project;

pub const RATE: u32 = 48_000;
pub const BLOCK: usize = 512;

/// Runs `f` with allocation forbidden (debug builds of binaries that install
/// `assert_no_alloc::AllocDisabler`).
pub fn no_alloc<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(debug_assertions)]
    return assert_no_alloc::assert_no_alloc(f);
    #[cfg(not(debug_assertions))]
    f()
}

/// A stereo float WAV holding a constant 0.5 (so a gain shows as an exact number).
pub fn dc_wav(dir: &Path, name: &str, seconds: usize) {
    write_wav(
        &dir.join("audio").join(name),
        RATE,
        2,
        true,
        &vec![0.5; RATE as usize * seconds * 2],
    );
}

/// The audio callback, driven block by block, with the engine thread's chores in between.
pub struct Rig {
    pub p: Processor,
    pub link: Link,
    pub producers: Vec<StreamProducer>,
    pub status: Arc<SharedStatus>,
    pub buf: Vec<f32>,
    pub old_graphs: Vec<Graph>,
}

impl Rig {
    pub fn new() -> Rig {
        let status = Arc::new(SharedStatus::default());
        let (p, link) = processor(status.clone(), RATE);
        Rig {
            p,
            link,
            producers: Vec::new(),
            status,
            buf: vec![0.0; BLOCK * 2],
            old_graphs: Vec::new(),
        }
    }

    /// What the engine thread does with a plan (streams for rebuilt audio tracks, then the
    /// messages), as `EngineHandle` does it.
    pub fn apply(&mut self, plan: Plan) {
        match plan {
            Plan::Nothing => {}
            Plan::Params(changes) => {
                for c in changes {
                    assert!(self.link.to_audio.try_push(ToAudio::Param(c)).is_ok());
                }
            }
            Plan::Graph(c) => {
                let c = *c;
                let mut g = Box::new(c.graph);
                for (i, layer) in c.layers {
                    let pos = self.status.position.load(Relaxed);
                    let (prod, cons) = stream_pair(layer, RATE, 1.0, pos, MAX_BLOCK);
                    g.set_stream(i, cons);
                    self.producers.push(prod);
                }
                for pr in &mut self.producers {
                    pr.fill(&self.status).unwrap();
                }
                assert!(self
                    .link
                    .to_audio
                    .try_push(ToAudio::InstallGraph(g))
                    .is_ok());
            }
        }
    }

    /// One callback of BLOCK frames with allocation forbidden; returns the left channel.
    pub fn block(&mut self) -> Vec<f32> {
        for pr in &mut self.producers {
            pr.fill(&self.status).unwrap();
        }
        let (p, buf) = (&mut self.p, &mut self.buf);
        no_alloc(|| p.process(buf, 2));
        while let Some(m) = self.link.from_audio.try_pop() {
            if let FromAudio::OldGraph(g) = m {
                self.old_graphs.push(*g);
            }
        }
        self.buf.iter().step_by(2).copied().collect()
    }
}

pub fn plan(planner: &mut Planner, p: &Project, dir: &Path) -> Plan {
    planner.plan(p, dir, None).unwrap()
}

pub fn params(plan: &Plan) -> Vec<ParamChange> {
    match plan {
        Plan::Params(v) => v.clone(),
        Plan::Nothing => Vec::new(),
        Plan::Graph(_) => panic!("a value edit compiled a graph"),
    }
}
