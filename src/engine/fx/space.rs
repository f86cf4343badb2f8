//! The engine's side of the reverb, delay and limiter: registry parameters → `dsp` setters.

use super::FxNode;

/// Builds `reverb`, `delay` or `limiter`; `None` for other kinds.
pub fn build(_kind: &str, _rate: u32, _values: &[f64]) -> Option<Box<dyn FxNode>> {
    None
}
