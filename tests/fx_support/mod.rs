//! What the effect tests (`fx_dynamics`, `fx_space`) share: an effect built the way the engine
//! builds it (`engine::fx::build` from registry values) and a no-allocation guard. Each test
//! binary installs `assert_no_alloc`'s allocator itself.
#![allow(dead_code)]

use tdaw::engine::fx::{build, FxNode};
use tdaw::model::fx::kind;

pub const RATE: u32 = 48_000;
pub const BLOCK: usize = 256;

/// Runs `f` with allocation forbidden (debug builds; the allocator checks it).
pub fn no_alloc<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(debug_assertions)]
    return assert_no_alloc::assert_no_alloc(f);
    #[cfg(not(debug_assertions))]
    f()
}

/// The registry's defaults for kind `k` with `params` (name, number) put in.
pub fn values(k: &str, params: &[(&str, f64)]) -> Vec<f64> {
    let spec = kind(k).expect("kind in the registry");
    let mut v: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
    for (name, x) in params {
        let (i, _) = spec.param(name).expect("parameter in the registry");
        v[i] = *x;
    }
    v
}

/// The engine's node of kind `k` at `RATE` with `params` set.
pub fn node(k: &str, params: &[(&str, f64)]) -> Box<dyn FxNode> {
    build(k, RATE, &values(k, params)).expect("the kind is processed")
}
