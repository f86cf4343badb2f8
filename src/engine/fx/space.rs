//! The engine's side of the reverb, delay and limiter: registry parameters (by index, in
//! `model::fx` order) → `dsp` setters. Building allocates (delay lines, lookahead); `set`,
//! `set_tempo` and `process` never do.

use super::FxNode;
use crate::dsp::{Delay, Limiter, Reverb};

/// Builds `reverb`, `delay` or `limiter`; `None` for other kinds.
pub fn build(kind: &str, rate: u32, values: &[f64]) -> Option<Box<dyn FxNode>> {
    let mut node: Box<dyn FxNode> = match kind {
        "reverb" => Box::new(ReverbNode(Reverb::new(rate))),
        "delay" => Box::new(DelayNode(Delay::new(rate))),
        "limiter" => {
            // Index 2 (lookahead) sizes the buffers and the latency: it is a rebuild
            // parameter, read here only.
            let lookahead = values.get(2).copied().unwrap_or(5.0);
            Box::new(LimiterNode(Limiter::new(rate, lookahead)))
        }
        _ => return None,
    };
    for (i, v) in values.iter().enumerate() {
        node.set(i, *v);
    }
    node.reset();
    Some(node)
}

/// `reverb`: decay_s, predelay_ms, size, damping, width, mix.
struct ReverbNode(Reverb);

impl FxNode for ReverbNode {
    fn set(&mut self, index: usize, value: f64) {
        let r = &mut self.0;
        match index {
            0 => r.set_decay_s(value),
            1 => r.set_predelay_ms(value),
            2 => r.set_size(value),
            3 => r.set_damping(value),
            4 => r.set_width(value as f32),
            5 => r.set_mix(value as f32),
            _ => {}
        }
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32], _sc: Option<(&[f32], &[f32])>) {
        self.0.process(left, right);
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

/// `delay`: time_ms, time (beats; 0 = use time_ms), feedback, lowcut_hz, highcut_hz,
/// pingpong, mix.
struct DelayNode(Delay);

impl FxNode for DelayNode {
    fn set(&mut self, index: usize, value: f64) {
        let d = &mut self.0;
        match index {
            0 => d.set_time_ms(value),
            1 => d.set_beats(value),
            2 => d.set_feedback(value as f32),
            3 => d.set_lowcut(value as f32),
            4 => d.set_highcut(value as f32),
            5 => d.set_pingpong(value != 0.0),
            6 => d.set_mix(value as f32),
            _ => {}
        }
    }

    fn set_tempo(&mut self, bpm: f64) {
        self.0.set_tempo(bpm);
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32], _sc: Option<(&[f32], &[f32])>) {
        self.0.process(left, right);
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

/// `limiter`: ceiling_dbtp, release_ms, lookahead_ms (rebuild).
struct LimiterNode(Limiter);

impl FxNode for LimiterNode {
    fn set(&mut self, index: usize, value: f64) {
        match index {
            0 => self.0.set_ceiling_db(value as f32),
            1 => self.0.set_release_ms(value as f32),
            _ => {}
        }
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32], _sc: Option<(&[f32], &[f32])>) {
        self.0.process(left, right);
    }

    fn latency(&self) -> usize {
        self.0.latency()
    }

    fn gain_reduction_db(&self) -> f32 {
        self.0.gain_reduction_db()
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}
