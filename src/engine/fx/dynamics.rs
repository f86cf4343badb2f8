//! The engine's side of the EQ, compressor and gate: registry parameters → `dsp` setters.

use super::FxNode;

/// Builds `eq`, `compressor` or `gate`; `None` for other kinds.
pub fn build(_kind: &str, _rate: u32, _values: &[f64]) -> Option<Box<dyn FxNode>> {
    None
}
