//! Automation in the engine: a project's lanes compiled against one node of the graph (its
//! sends and its insert chain resolved to indices), then read by the audio thread once per
//! sub-block of at most [`SUB_BLOCK`] samples at the beat the tempo map gives for that sample.
//! The node glides linearly to each sub-block's end value, so a lane's value is reached on
//! the sample of its point (give or take the sub-block's linear interpolation of a curve).
//!
//! A disabled lane, a lane without points, and a lane naming an effect or parameter the node
//! does not have (or one that cannot be automated) are left out. A lane overrides the static
//! value of what it drives for as long as it exists.

use super::fx::chain::FxChain;
pub use super::fx::chain::SUB_BLOCK;
use super::transport::TempoGrid;
use crate::model::fx as registry;
use crate::model::{AutomationLane, AutomationTarget, Effect, ParamValue, TrackId};

/// What a compiled lane drives, by index in its node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaneTarget {
    /// The fader, in dB.
    Gain,
    /// Pan, -1 … 1.
    Pan,
    /// The level in dB of the node's send at this index.
    Send(usize),
    /// Parameter `param` of the effect in chain slot `slot`.
    Fx { slot: usize, param: usize },
}

/// One lane, compiled.
#[derive(Clone, Debug)]
pub struct Lane {
    pub target: LaneTarget,
    lane: AutomationLane,
}

impl Lane {
    /// The lane's value at timeline sample `sample`. Audio thread: a binary search, no
    /// allocation.
    pub fn value_at(&self, grid: &TempoGrid, sample: u64) -> f64 {
        self.lane
            .value_at(grid.beat_at(sample as f64))
            .unwrap_or_default()
    }
}

/// Compiles the lanes of one node (engine thread). `sends` are the node's compiled send
/// targets in order, `effects` its chain as the project has it; each effect parameter a
/// lane drives is marked in `chain` so parameter messages no longer override it.
pub fn compile(
    lanes: &[AutomationLane],
    sends: &[TrackId],
    effects: &[Effect],
    chain: &mut FxChain,
) -> Vec<Lane> {
    let mut out: Vec<Lane> = Vec::new();
    for l in lanes {
        if !l.enabled || l.points.is_empty() {
            continue;
        }
        let target = match &l.target {
            AutomationTarget::Gain => LaneTarget::Gain,
            AutomationTarget::Pan => LaneTarget::Pan,
            AutomationTarget::Send(to) => match sends.iter().position(|s| s == to) {
                Some(i) => LaneTarget::Send(i),
                None => continue,
            },
            AutomationTarget::Fx(id, name) => {
                let Some(slot) = effects.iter().position(|e| e.id == *id) else {
                    continue;
                };
                let e = &effects[slot];
                let param = match registry::kind(&e.kind) {
                    Some(k) => match k.param(name) {
                        Some((i, spec)) if spec.automatable() => i,
                        _ => continue,
                    },
                    // A kind outside the registry: its numeric parameters in name order,
                    // as `fx_values` gives them to the node.
                    None => match e
                        .params
                        .iter()
                        .filter(|(_, v)| !matches!(v, ParamValue::Text(_)))
                        .position(|(n, _)| n == name)
                    {
                        Some(i) => i,
                        None => continue,
                    },
                };
                if let Some(s) = chain.slots.get_mut(slot) {
                    s.set_laned(param);
                }
                LaneTarget::Fx { slot, param }
            }
        };
        // One lane per target: the first wins (validation refuses duplicates anyway).
        if out.iter().any(|o| o.target == target) {
            continue;
        }
        out.push(Lane {
            target,
            lane: l.clone(),
        });
    }
    out
}

/// Whether any lane drives `target`.
pub fn drives(lanes: &[Lane], target: LaneTarget) -> bool {
    lanes.iter().any(|l| l.target == target)
}

/// The lane driving `target`, if any.
pub fn lane_for(lanes: &[Lane], target: LaneTarget) -> Option<&Lane> {
    lanes.iter().find(|l| l.target == target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AutomationPoint, TempoMap, TimeSignature};

    #[test]
    fn a_lane_is_read_at_the_beat_of_a_sample_on_the_tempo_map() {
        let map = TempoMap::constant(120.0);
        let grid = TempoGrid::new(&map, TimeSignature::default(), 48_000);
        let lanes = [AutomationLane {
            target: AutomationTarget::Gain,
            enabled: true,
            points: vec![
                AutomationPoint::new(0.0, 0.0),
                AutomationPoint::new(4.0, -12.0),
            ],
        }];
        let mut chain = FxChain::default();
        let c = compile(&lanes, &[], &[], &mut chain);
        assert_eq!(c.len(), 1);
        // 120 bpm: a beat is 24000 samples.
        assert_eq!(c[0].value_at(&grid, 48_000), -6.0);
        assert_eq!(c[0].value_at(&grid, 96_000), -12.0);
        let disabled = [AutomationLane {
            enabled: false,
            ..lanes[0].clone()
        }];
        assert!(compile(&disabled, &[], &[], &mut chain).is_empty());
    }
}
