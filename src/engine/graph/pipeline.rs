//! The offline render's pipeline: three blocks in flight at once. One step runs the sources
//! of block k (spread over the threads of the current rayon pool), the buses of block k-1 and
//! the master chain of block k-2 together, so the serial part of a block (the bus effects, the
//! master limiter) overlaps the sources of the next ones instead of leaving a core idle.
//!
//! Every stage keeps its own state from one block to the next and hands the next stage the
//! block's mix buffers (one set per block in flight), so each block is processed exactly as
//! [`Graph::process`] would: the output is the same sample for sample. A graph in which some
//! effect listens to a bus cannot be pipelined (the next block's sources, or an earlier bus,
//! hear that bus's previous block, which is not done yet); [`Graph::can_pipeline`] says so.

use super::{bus_stage, sources_stage, Graph, MasterStage, MixBuffers, Shared, Source, MAX_BLOCK};
use super::{EngineError, TrackId};

/// A block's place in the pipeline: where it starts, its length and its buffers.
#[derive(Clone, Copy, Debug)]
struct Slot {
    pos: u64,
    n: usize,
    set: usize,
}

/// One block's buffers: the mix, and the sidechain bank as its sources left it (what its
/// buses and master chain hear while the next block's sources overwrite the graph's bank).
struct Set {
    mix: MixBuffers,
    sidechains: Vec<(TrackId, [Vec<f32>; 2])>,
}

/// The blocks in flight and their buffers (see the module doc). Made by [`Graph::pipeline`].
pub struct Pipeline {
    sets: [Set; 3],
    /// Work space of the bus stage's compensated sends (the sources have the graph's).
    scratch: [Vec<f32>; 2],
    /// The block whose sources ran in the last step.
    sourced: Option<Slot>,
    /// The block whose buses ran in the last step.
    bused: Option<Slot>,
    /// The block whose master chain ran in the last step: done.
    finished: Option<Slot>,
}

impl Pipeline {
    /// No block is in flight (the last one finished, or none started).
    pub fn is_empty(&self) -> bool {
        self.sourced.is_none() && self.bused.is_none()
    }

    /// The block whose sources ran in the last step: its position and frames.
    pub fn sourced(&self) -> Option<(u64, usize)> {
        self.sourced.map(|s| (s.pos, s.n))
    }

    /// The block whose buses ran in the last step (its bus outputs are in the graph's nodes).
    pub fn bused(&self) -> Option<(u64, usize)> {
        self.bused.map(|s| (s.pos, s.n))
    }

    /// The block the last step finished: its position and mix (as [`Graph::master`] after
    /// processing it).
    pub fn finished(&self) -> Option<(u64, &[f32], &[f32])> {
        self.finished.map(|s| {
            let [l, r] = &self.sets[s.set].mix.master;
            (s.pos, &l[..s.n], &r[..s.n])
        })
    }
}

impl Graph {
    /// Whether blocks may overlap in a [`Pipeline`]: no effect listens to a bus.
    pub fn can_pipeline(&self) -> bool {
        !self
            .tracks
            .iter()
            .any(|t| t.sc_out.is_some() && matches!(t.source, Source::Bus { .. }))
    }

    /// An empty pipeline for this graph (render thread: allocates).
    pub fn pipeline(&self) -> Pipeline {
        let set = || Set {
            mix: MixBuffers::new(self.mix.bus_in.len()),
            sidechains: self
                .sidechains
                .iter()
                .map(|(id, _)| (*id, [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]]))
                .collect(),
        };
        Pipeline {
            sets: [set(), set(), set()],
            scratch: [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]],
            sourced: None,
            bused: None,
            finished: None,
        }
    }

    /// One step of `pipe` on the threads of the current rayon pool: the sources of `next`
    /// (`(pos, n)`, playing) when given, the buses of the block sourced in the last step and
    /// the master chain of the block bused in it, all at once. Returns the frames of `next`
    /// processed (0 without one; fewer than `n` when a note storm fills an event buffer).
    /// Read [`Pipeline::finished`] before the next step, which reuses its buffers.
    pub fn step(
        &mut self,
        pipe: &mut Pipeline,
        next: Option<(u64, usize)>,
        playing: bool,
    ) -> Result<usize, EngineError> {
        let next = next.map(|(pos, n)| (pos, self.block_len(pos, n, playing)));
        let sources = self.sources();
        let Graph {
            tracks,
            sidechains,
            grid,
            meters,
            metering,
            phases,
            scratch,
            master_fx,
            master_lanes,
            master_laned,
            master_auto,
            master_fresh,
            master_gain,
            latency,
            rate,
            ..
        } = self;
        let sh = Shared::new(grid, meters, *metering, *rate);
        let (srcs, buses) = tracks.split_at_mut(sources);
        let Pipeline {
            sets,
            scratch: bus_scratch,
            sourced,
            bused,
            finished,
        } = pipe;
        // The new block takes the set neither stage still working holds.
        let held = [sourced.map(|s| s.set), bused.map(|s| s.set)];
        let free = (0..3).find(|i| !held.contains(&Some(*i))).unwrap_or(0);
        let mut sets = sets.each_mut().map(Some);
        let master_job = bused.and_then(|b| Some((b, sets[b.set].take()?)));
        let bus_job = sourced.and_then(|b| Some((b, sets[b.set].take()?)));
        let source_set = sets[free].take();
        let mut master = MasterStage {
            fx: master_fx,
            lanes: master_lanes,
            laned: *master_laned,
            auto: master_auto,
            fresh: master_fresh,
            gain: master_gain,
            latency: *latency,
        };
        let mut result = Ok(());
        rayon::scope(|s| {
            // Spawned first, so an idle thread takes them first: they are the long serial
            // chains; the sources split into one task per track.
            if let Some((b, set)) = master_job {
                s.spawn(move |_| {
                    master.run(&set.sidechains, &mut set.mix.master, sh, (b.pos, b.n));
                });
            }
            if let Some((b, set)) = bus_job {
                s.spawn(move |_| {
                    bus_stage(
                        buses,
                        &mut set.sidechains,
                        &mut set.mix,
                        bus_scratch,
                        sh,
                        (b.pos, b.n),
                    );
                });
            }
            if let (Some(block), Some(set)) = (next, source_set) {
                result = sources_stage(
                    srcs,
                    phases,
                    sidechains,
                    &mut set.mix,
                    scratch,
                    sh,
                    block,
                    playing,
                    true,
                );
                // What this block's buses and master chain will hear.
                for ((_, to), (_, from)) in set.sidechains.iter_mut().zip(sidechains.iter()) {
                    to[0][..block.1].copy_from_slice(&from[0][..block.1]);
                    to[1][..block.1].copy_from_slice(&from[1][..block.1]);
                }
            }
        });
        result?;
        *finished = *bused;
        *bused = *sourced;
        *sourced = next.map(|(pos, n)| Slot { pos, n, set: free });
        Ok(next.map_or(0, |(_, n)| n))
    }
}
