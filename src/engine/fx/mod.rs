//! Effects in the engine: each kind of the registry (`model::fx`) wired to its `dsp` struct
//! behind one interface, [`FxNode`]. The engine thread builds nodes with [`build`] (it may
//! allocate: delay lines, lookahead buffers); the audio thread sets parameters and processes,
//! never allocating.
//!
//! Parameters are addressed by their index in the kind's registry entry and take the number
//! [`crate::model::fx::ParamSpec::number`] gives (a choice's index, a switch's 0/1, a note
//! value's beats, a track's id).

pub mod chain;
mod dynamics;
mod space;

use std::sync::OnceLock;

/// A builder for extra kinds, outside the registry (tests wire chains with simple nodes:
/// a gain, a pure delay with latency). Consulted after the real kinds.
pub type ExtraBuilder = fn(kind: &str, rate: u32, values: &[f64]) -> Option<Box<dyn FxNode>>;

static EXTRA: OnceLock<ExtraBuilder> = OnceLock::new();

/// Registers builders for kinds the registry does not have (once per process; later calls
/// are ignored). For tests and benchmarks that need effects with known, exact behaviour.
#[doc(hidden)]
pub fn register_extra_kinds(f: ExtraBuilder) {
    let _ = EXTRA.set(f);
}

/// One effect, ready for the audio thread.
pub trait FxNode: Send {
    /// Sets parameter `index` (registry order) to `value`. Continuous parameters glide (no
    /// clicks); called on the audio thread, so it never allocates.
    fn set(&mut self, index: usize, value: f64);
    /// The tempo at the playhead, for times given as note values. Called when it changes.
    fn set_tempo(&mut self, _bpm: f64) {}
    /// Processes one block in place. `sidechain` is the signal that drives the detector
    /// instead of the input, for kinds that have one.
    fn process(&mut self, left: &mut [f32], right: &mut [f32], sidechain: Option<(&[f32], &[f32])>);
    /// Samples the effect delays its output by (lookahead); the engine compensates.
    fn latency(&self) -> usize {
        0
    }
    /// Gain reduction now, in dB (≥ 0), for kinds that reduce gain; 0 otherwise.
    fn gain_reduction_db(&self) -> f32 {
        0.0
    }
    /// Forgets all state (a hard seek): delay lines, envelopes and tails go silent.
    fn reset(&mut self);
}

/// Builds the node of effect `kind` at `rate` with every parameter set from `values`
/// (registry order, as [`crate::model::fx::KindSpec::values`] gives them). `None` for a kind
/// this build does not process (passed through). Engine thread only: it allocates.
pub fn build(kind: &str, rate: u32, values: &[f64]) -> Option<Box<dyn FxNode>> {
    dynamics::build(kind, rate, values)
        .or_else(|| space::build(kind, rate, values))
        .or_else(|| EXTRA.get().and_then(|f| f(kind, rate, values)))
}
