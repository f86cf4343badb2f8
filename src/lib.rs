//! tdaw: a digital audio workstation for the terminal.
//!
//! The module boundaries are the architecture (see DESIGN.md): `model` depends on nothing,
//! `store` on `model`, `engine` on `model`, `dsp` and `analysis`; only `ui` knows the terminal.

pub mod ai;
pub mod analysis;
pub mod cli;
pub mod codec;
pub mod config;
pub mod dsp;
pub mod engine;
pub mod midi;
pub mod model;
pub mod store;
pub mod ui;
