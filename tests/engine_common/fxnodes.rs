//! Effects with exact, known behaviour for wiring tests (registered under kinds outside the
//! registry, so the real effects' numbers never enter these tests):
//! - `t_gain` {gain_db}: a plain gain, set at once;
//! - `t_delay` {samples}: a pure delay that reports its length as latency (a lookahead);
//! - `t_echo` {samples}: a recirculating echo (y = x + ½·y[n-d]) that rings for seconds;
//! - `t_sc` {sidechain}: adds its sidechain signal to its input.
//!
//! `t_gain` reports a gain reduction of its cut in dB (for the meters).

use std::collections::BTreeMap;
use tdaw::engine::fx::{register_extra_kinds, FxNode};
use tdaw::model::{Effect, FxId, ParamValue};

struct Gain(f32);

impl FxNode for Gain {
    fn set(&mut self, _index: usize, value: f64) {
        self.0 = 10f32.powf(value as f32 / 20.0);
    }
    fn process(&mut self, l: &mut [f32], r: &mut [f32], _: Option<(&[f32], &[f32])>) {
        l.iter_mut().chain(r.iter_mut()).for_each(|x| *x *= self.0);
    }
    fn gain_reduction_db(&self) -> f32 {
        (-20.0 * self.0.log10()).max(0.0)
    }
    fn reset(&mut self) {}
}

struct AddSidechain;

impl FxNode for AddSidechain {
    fn set(&mut self, _index: usize, _value: f64) {}
    fn process(&mut self, l: &mut [f32], r: &mut [f32], sc: Option<(&[f32], &[f32])>) {
        if let Some((sl, sr)) = sc {
            l.iter_mut().zip(sl).for_each(|(x, s)| *x += s);
            r.iter_mut().zip(sr).for_each(|(x, s)| *x += s);
        }
    }
    fn reset(&mut self) {}
}

struct Delay {
    buf: [Vec<f32>; 2],
    pos: usize,
    feedback: f32,
    latent: bool,
}

impl FxNode for Delay {
    fn set(&mut self, _index: usize, _value: f64) {}
    fn process(&mut self, l: &mut [f32], r: &mut [f32], _: Option<(&[f32], &[f32])>) {
        let len = self.buf[0].len();
        for i in 0..l.len() {
            for (ch, x) in [&mut l[i], &mut r[i]].into_iter().enumerate() {
                let old = self.buf[ch][self.pos];
                if self.latent {
                    self.buf[ch][self.pos] = *x;
                    *x = old;
                } else {
                    let y = *x + self.feedback * old;
                    self.buf[ch][self.pos] = y;
                    *x = y;
                }
            }
            self.pos = (self.pos + 1) % len;
        }
    }
    fn latency(&self) -> usize {
        if self.latent {
            self.buf[0].len()
        } else {
            0
        }
    }
    fn reset(&mut self) {
        self.buf[0].fill(0.0);
        self.buf[1].fill(0.0);
    }
}

fn build(kind: &str, _rate: u32, values: &[f64]) -> Option<Box<dyn FxNode>> {
    let first = values.first().copied().unwrap_or(0.0);
    let delay = |latent| {
        let n = (first as usize).max(1);
        Box::new(Delay {
            buf: [vec![0.0; n], vec![0.0; n]],
            pos: 0,
            feedback: 0.5,
            latent,
        }) as Box<dyn FxNode>
    };
    match kind {
        "t_gain" => Some(Box::new(Gain(10f32.powf(first as f32 / 20.0)))),
        "t_delay" => Some(delay(true)),
        "t_echo" => Some(delay(false)),
        "t_sc" => Some(Box::new(AddSidechain)),
        _ => None,
    }
}

/// Makes the test kinds known to `fx::build` (idempotent).
pub fn register() {
    register_extra_kinds(build);
}

/// An effect of `kind` with id `id` and one numeric parameter.
pub fn effect(id: u64, kind: &str, param: &str, value: f64) -> Effect {
    let mut params = BTreeMap::new();
    params.insert(param.to_string(), ParamValue::Number(value));
    Effect {
        id: FxId(id),
        kind: kind.into(),
        bypass: false,
        params,
    }
}
