//! Insert chains: the effects of one track, bus or the master, in chain order, each an
//! [`FxSlot`] around its [`FxNode`]. A slot adds what every effect needs from the engine:
//! bypass as a 10 ms crossfade (a latent effect's dry path is delayed to match, so bypassing
//! neither clicks nor moves the track in time), the values the node was last given, its
//! sidechain source and its gain-reduction meter.
//!
//! Chains are compiled on the engine thread. A slot compiled as *kept* has no node: on
//! install the audio thread moves the running node with the same [`FxId`] into it (like a
//! kept track node), so a reverb tail rings on and a delay keeps echoing across the edit. The
//! old chain, holding whatever was not moved, goes back to the engine thread to be freed.

use super::{build, FxNode};
use crate::dsp::Smoothed;
use crate::engine::meters::AtomicF32;
use crate::model::fx as registry;
use crate::model::{Effect, FxId, TrackId};

/// Automation and tempo are followed in sub-blocks of at most this many samples.
pub const SUB_BLOCK: usize = 32;

/// A fixed stereo delay (latency compensation, the dry path of a latent effect). Allocated
/// on the engine thread; processing never allocates.
#[derive(Clone, Debug, Default)]
pub struct DelayLine {
    buf: [Vec<f32>; 2],
    pos: usize,
}

impl DelayLine {
    /// A delay of `len` samples (0: none, no memory).
    pub fn new(len: usize) -> DelayLine {
        DelayLine {
            buf: [vec![0.0; len], vec![0.0; len]],
            pos: 0,
        }
    }

    /// The delay in samples.
    pub fn len(&self) -> usize {
        self.buf[0].len()
    }

    /// True for no delay.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Delays the block in place. Called on the audio thread.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let len = self.len();
        if len == 0 {
            return;
        }
        let [bl, br] = &mut self.buf;
        let mut p = self.pos;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            std::mem::swap(&mut bl[p], l);
            std::mem::swap(&mut br[p], r);
            p += 1;
            if p == len {
                p = 0;
            }
        }
        self.pos = p;
    }

    /// Forgets what it holds (a hard seek).
    pub fn clear(&mut self) {
        self.buf[0].fill(0.0);
        self.buf[1].fill(0.0);
    }
}

/// Every parameter's value of `e` as the node takes it, in index order: the registry's
/// values for a kind it knows; for any other kind (passed through, or a test kind), its
/// numeric parameters in name order.
pub fn fx_values(e: &Effect) -> Vec<f64> {
    match registry::kind(&e.kind) {
        Some(spec) => spec.values(e),
        None => e
            .params
            .values()
            .filter_map(|v| match v {
                crate::model::ParamValue::Number(n) => Some(*n),
                crate::model::ParamValue::Bool(b) => Some(f64::from(u8::from(*b))),
                crate::model::ParamValue::Text(_) => None,
            })
            .collect(),
    }
}

/// How a parameter change reaches a running effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// Set on the running node (it glides).
    Value,
    /// The node is built anew (the limiter's lookahead changes its latency and buffers).
    Rebuild,
    /// The chain's wiring changes (a sidechain source).
    Wiring,
}

/// How parameter `index` of kind `kind` changes (kinds outside the registry: by value).
pub fn param_kind(kind: &str, index: usize) -> ParamKind {
    match registry::kind(kind).and_then(|k| k.params.get(index)) {
        Some(p) if p.rebuild => ParamKind::Rebuild,
        Some(p) if p.unit == registry::Unit::Track => ParamKind::Wiring,
        _ => ParamKind::Value,
    }
}

/// The track whose output drives `e`'s detector (its `Track` parameter; for a kind outside
/// the registry, a numeric parameter named `sidechain`), if any.
pub fn sidechain_of(e: &Effect, values: &[f64]) -> Option<TrackId> {
    let id = match registry::kind(&e.kind) {
        Some(spec) => spec
            .params
            .iter()
            .zip(values)
            .find(|(p, _)| p.unit == registry::Unit::Track)
            .map(|(_, v)| *v)?,
        None => match e.params.get("sidechain") {
            Some(crate::model::ParamValue::Number(n)) => *n,
            _ => return None,
        },
    };
    (id >= 1.0 && id.fract() == 0.0).then_some(TrackId(id as u64))
}

/// One effect of a chain.
pub struct FxSlot {
    pub id: FxId,
    node: Option<Box<dyn FxNode>>,
    /// A stand-in: the running node with this id moves in on install.
    kept: bool,
    /// The values as the project sets them (automation overrides them while a lane exists).
    values: Vec<f64>,
    /// The values the node was last given.
    applied: Vec<f64>,
    /// Parameters an automation lane drives.
    laned: Vec<bool>,
    bypass: bool,
    /// 1 processes, 0 bypassed; glides over 10 ms.
    mix: Smoothed,
    /// The dry path, delayed by the node's latency so the bypass crossfade is aligned.
    dry: DelayLine,
    latency: usize,
    /// Latency of the slots before this one in the chain (automation follows the signal).
    pub before: usize,
    /// Index of the sidechain source in the graph's sidechain bank.
    pub sidechain: Option<usize>,
    /// Index in `MeterBank::gain_reduction`.
    meter: usize,
    /// The tempo last given to the node.
    bpm: f64,
}

impl FxSlot {
    /// A slot for `e` (engine thread): with a node built fresh, or (when `kept_latency` is
    /// set) a stand-in for the running node of the same id with that latency.
    pub fn compile(e: &Effect, rate: u32, kept_latency: Option<usize>, meter: usize) -> FxSlot {
        let values = fx_values(e);
        let (node, kept, latency) = match kept_latency {
            Some(l) => (None, true, l),
            None => {
                let node = build(&e.kind, rate, &values);
                let l = node.as_ref().map_or(0, |n| n.latency());
                (node, false, l)
            }
        };
        let ramp = (0.01 * rate as f32) as u32;
        let on = if e.bypass { 0.0 } else { 1.0 };
        FxSlot {
            id: e.id,
            node,
            kept,
            applied: values.clone(),
            laned: vec![false; values.len()],
            values,
            bypass: e.bypass,
            mix: Smoothed::with_samples(on, ramp),
            // A kept slot's dry line moves over with its node.
            dry: DelayLine::new(if kept { 0 } else { latency }),
            latency,
            before: 0,
            sidechain: None,
            meter,
            bpm: 0.0,
        }
    }

    /// The node's latency in samples.
    pub fn latency(&self) -> usize {
        self.latency
    }

    /// Marks parameter `index` as driven by a lane (engine thread, while compiling).
    pub fn set_laned(&mut self, index: usize) {
        if let Some(l) = self.laned.get_mut(index) {
            *l = true;
        }
    }

    /// Sets parameter `index` as the project says (a parameter message). A laned parameter
    /// only remembers it for when the lane goes. Called on the audio thread.
    pub fn set_static(&mut self, index: usize, value: f64) {
        if let Some(v) = self.values.get_mut(index) {
            *v = value;
        }
        if !self.laned.get(index).copied().unwrap_or(false) {
            self.apply(index, value);
        }
    }

    /// Gives the node a value (an automation step or a static change). Audio thread.
    pub fn apply(&mut self, index: usize, value: f64) {
        let Some(a) = self.applied.get_mut(index) else {
            return;
        };
        if *a == value {
            return;
        }
        *a = value;
        if let Some(n) = self.node.as_mut() {
            n.set(index, value);
        }
    }

    /// Bypasses (crossfading out) or brings the effect back. Audio thread.
    pub fn set_bypass(&mut self, bypass: bool) {
        if bypass == self.bypass {
            return;
        }
        self.bypass = bypass;
        if !bypass && self.mix.value() == 0.0 && !self.mix.is_smoothing() {
            // It was skipped while bypassed: its state is stale.
            if let Some(n) = self.node.as_mut() {
                n.reset();
            }
        }
        self.mix.set_target(if bypass { 0.0 } else { 1.0 });
    }

    /// Whether this slot has a node that processes.
    pub fn is_active(&self) -> bool {
        self.node.is_some()
    }
}

/// The signals sidechained effects listen to: the post-fader output of each source track,
/// copied after that track is processed.
pub type SidechainBank = [(TrackId, [Vec<f32>; 2])];

/// The insert chain of one track, bus or the master.
#[derive(Default)]
pub struct FxChain {
    pub slots: Vec<FxSlot>,
    /// The dry copy for crossfades (sized only when the chain has slots).
    scratch: [Vec<f32>; 2],
    latency: usize,
}

impl FxChain {
    /// A chain of these slots (engine thread).
    pub fn new(mut slots: Vec<FxSlot>, max_block: usize) -> FxChain {
        let mut latency = 0;
        for s in &mut slots {
            s.before = latency;
            latency += s.latency;
        }
        let scratch = if slots.is_empty() {
            [Vec::new(), Vec::new()]
        } else {
            [vec![0.0; max_block], vec![0.0; max_block]]
        };
        FxChain {
            slots,
            scratch,
            latency,
        }
    }

    /// Samples the chain delays its signal by (the sum of its effects' latencies).
    pub fn latency(&self) -> usize {
        self.latency
    }

    /// True for a chain with no effects.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The slot of effect `id`.
    pub fn slot_mut(&mut self, id: FxId) -> Option<&mut FxSlot> {
        self.slots.iter_mut().find(|s| s.id == id)
    }

    /// Gives every node the tempo at the playhead when it changed. Audio thread.
    pub fn set_tempo(&mut self, bpm: f64) {
        for s in &mut self.slots {
            if s.bpm != bpm {
                s.bpm = bpm;
                if let Some(n) = s.node.as_mut() {
                    n.set_tempo(bpm);
                }
            }
        }
    }

    /// Runs the block through every effect in order, in place. `sidechains` is the graph's
    /// bank, whose frames from `offset` line up with the block; `meters` the gain-reduction
    /// meters (None: not metering). Audio thread: never allocates.
    pub fn process(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        sidechains: &SidechainBank,
        offset: usize,
        meters: Option<&[(FxId, AtomicF32)]>,
    ) {
        let n = left.len();
        let [dl, dr] = &mut self.scratch;
        for slot in &mut self.slots {
            let Some(node) = slot.node.as_mut() else {
                continue;
            };
            let steady = !slot.mix.is_smoothing();
            if steady && slot.mix.value() == 0.0 {
                // Bypassed: skipped, but still delayed by its latency (compensation holds).
                slot.dry.process(left, right);
                if let Some(m) = meters.and_then(|m| m.get(slot.meter)) {
                    m.1.store(0.0);
                }
                continue;
            }
            let need_dry = !steady || !slot.dry.is_empty();
            if need_dry {
                dl[..n].copy_from_slice(left);
                dr[..n].copy_from_slice(right);
                slot.dry.process(&mut dl[..n], &mut dr[..n]);
            }
            let side = slot
                .sidechain
                .and_then(|i| sidechains.get(i))
                .map(|(_, [l, r])| (&l[offset..offset + n], &r[offset..offset + n]));
            node.process(left, right, side);
            if !steady {
                for i in 0..n {
                    let m = slot.mix.next();
                    left[i] = dl[i] + (left[i] - dl[i]) * m;
                    right[i] = dr[i] + (right[i] - dr[i]) * m;
                }
            }
            if let Some(m) = meters.and_then(|m| m.get(slot.meter)) {
                m.1.store(node.gain_reduction_db());
            }
        }
    }

    /// Moves the running nodes of `old` into this chain's kept slots, by effect id, with
    /// their state (tails, envelopes, the bypass crossfade, the dry line); gives each moved
    /// node the values this chain holds that it does not have yet. What is not moved stays
    /// in `old`. Audio thread: swaps only, never allocates.
    pub fn take_from(&mut self, old: &mut FxChain) {
        for s in &mut self.slots {
            if !s.kept {
                continue;
            }
            let Some(o) = old
                .slots
                .iter_mut()
                .find(|o| o.id == s.id && o.node.is_some())
            else {
                continue;
            };
            std::mem::swap(&mut s.node, &mut o.node);
            std::mem::swap(&mut s.dry, &mut o.dry);
            if s.applied.len() == o.applied.len() {
                std::mem::swap(&mut s.applied, &mut o.applied);
            }
            s.bpm = o.bpm;
            let target = s.mix.target();
            s.mix.set_immediate(o.mix.value());
            let was_off = o.mix.value() == 0.0 && !o.mix.is_smoothing();
            s.mix.set_target(target);
            if was_off && !s.bypass {
                if let Some(n) = s.node.as_mut() {
                    n.reset();
                }
            }
            s.kept = false;
            for i in 0..s.values.len() {
                if !s.laned[i] {
                    let v = s.values[i];
                    s.apply(i, v);
                }
            }
        }
    }

    /// Forgets every effect's state (a hard seek).
    pub fn reset(&mut self) {
        for s in &mut self.slots {
            if let Some(n) = s.node.as_mut() {
                n.reset();
            }
            s.dry.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delay_line_delays_by_its_length_across_blocks() {
        let mut d = DelayLine::new(3);
        let mut l: Vec<f32> = (1..=4).map(|x| x as f32).collect();
        let mut r = l.clone();
        d.process(&mut l, &mut r);
        assert_eq!(l, [0.0, 0.0, 0.0, 1.0]);
        let mut l2 = vec![5.0, 6.0];
        let mut r2 = l2.clone();
        d.process(&mut l2, &mut r2);
        assert_eq!(l2, [2.0, 3.0]);
        assert_eq!(r2, [2.0, 3.0]);
        let mut none = DelayLine::new(0);
        let mut x = vec![1.0f32];
        let mut y = vec![2.0f32];
        none.process(&mut x, &mut y);
        assert_eq!((x[0], y[0]), (1.0, 2.0));
    }

    #[test]
    fn parameter_kinds_follow_the_registry() {
        let lim = registry::kind("limiter").unwrap();
        let (i, _) = lim.param("lookahead_ms").unwrap();
        assert_eq!(param_kind("limiter", i), ParamKind::Rebuild);
        let (c, _) = lim.param("ceiling_dbtp").unwrap();
        assert_eq!(param_kind("limiter", c), ParamKind::Value);
        let comp = registry::kind("compressor").unwrap();
        let (s, _) = comp.param("sidechain").unwrap();
        assert_eq!(param_kind("compressor", s), ParamKind::Wiring);
        assert_eq!(param_kind("no-such-kind", 0), ParamKind::Value);
    }
}
