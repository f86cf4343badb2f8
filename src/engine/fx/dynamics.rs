//! The engine's side of the EQ, compressor and gate: registry parameters → `dsp` setters.
//! Indices are the registry's (`model::fx`); a unit test pins every constant here to the
//! parameter name it stands for.

use super::FxNode;
use crate::dsp::{BandType, Compressor, Detector, Eq, Gate};
use crate::model::fx::{EQ_BANDS, EQ_BAND_PARAMS};

/// Builds `eq`, `compressor` or `gate`; `None` for other kinds.
pub fn build(kind: &str, rate: u32, values: &[f64]) -> Option<Box<dyn FxNode>> {
    let mut node: Box<dyn FxNode> = match kind {
        "eq" => Box::new(EqNode(Eq::new(rate))),
        "compressor" => Box::new(CompressorNode(Compressor::new(rate))),
        "gate" => Box::new(GateNode(Gate::new(rate))),
        _ => return None,
    };
    for (i, v) in values.iter().enumerate() {
        node.set(i, *v);
    }
    // A new effect starts at its values, without gliding into them.
    node.reset();
    Some(node)
}

/// Offsets inside one EQ band's parameters.
const EQ_TYPE: usize = 0;
const EQ_FREQ: usize = 1;
const EQ_GAIN: usize = 2;
const EQ_Q: usize = 3;
const EQ_SLOPE: usize = 4;

struct EqNode(Eq);

impl FxNode for EqNode {
    fn set(&mut self, index: usize, value: f64) {
        let band = index / EQ_BAND_PARAMS;
        if band >= EQ_BANDS {
            return;
        }
        let v = value as f32;
        match index % EQ_BAND_PARAMS {
            EQ_TYPE => self.0.set_type(band, BandType::from_index(value)),
            EQ_FREQ => self.0.set_freq(band, v),
            EQ_GAIN => self.0.set_gain_db(band, v),
            EQ_Q => self.0.set_q(band, v),
            EQ_SLOPE => self.0.set_slope24(band, value >= 18.0),
            _ => {}
        }
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32], _: Option<(&[f32], &[f32])>) {
        self.0.process(left, right);
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

const COMP_THRESHOLD: usize = 0;
const COMP_RATIO: usize = 1;
const COMP_KNEE: usize = 2;
const COMP_ATTACK: usize = 3;
const COMP_RELEASE: usize = 4;
const COMP_MAKEUP: usize = 5;
const COMP_DETECTOR: usize = 6;
/// The sidechain source is the engine's business: it feeds the buffers to `process`.
const COMP_SIDECHAIN: usize = 7;
const COMP_MIX: usize = 8;

struct CompressorNode(Compressor);

impl FxNode for CompressorNode {
    fn set(&mut self, index: usize, value: f64) {
        let c = &mut self.0;
        let v = value as f32;
        match index {
            COMP_THRESHOLD => c.set_threshold_db(v),
            COMP_RATIO => c.set_ratio(v),
            COMP_KNEE => c.set_knee_db(v),
            COMP_ATTACK => c.set_attack_ms(v),
            COMP_RELEASE => c.set_release_ms(v),
            COMP_MAKEUP => c.set_makeup_db(v),
            COMP_DETECTOR => c.set_detector(if value >= 0.5 {
                Detector::Rms
            } else {
                Detector::Peak
            }),
            COMP_SIDECHAIN => {}
            COMP_MIX => c.set_mix(v),
            _ => {}
        }
    }

    fn process(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        sidechain: Option<(&[f32], &[f32])>,
    ) {
        self.0.process(left, right, sidechain);
    }

    fn gain_reduction_db(&self) -> f32 {
        self.0.gain_reduction_db()
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

const GATE_THRESHOLD: usize = 0;
const GATE_ATTACK: usize = 1;
const GATE_HOLD: usize = 2;
const GATE_RELEASE: usize = 3;
const GATE_RANGE: usize = 4;

struct GateNode(Gate);

impl FxNode for GateNode {
    fn set(&mut self, index: usize, value: f64) {
        let g = &mut self.0;
        let v = value as f32;
        match index {
            GATE_THRESHOLD => g.set_threshold_db(v),
            GATE_ATTACK => g.set_attack_ms(v),
            GATE_HOLD => g.set_hold_ms(v),
            GATE_RELEASE => g.set_release_ms(v),
            GATE_RANGE => g.set_range_db(v),
            _ => {}
        }
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32], _: Option<(&[f32], &[f32])>) {
        self.0.process(left, right);
    }

    fn gain_reduction_db(&self) -> f32 {
        self.0.gain_reduction_db()
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fx::{kind, EQ_TYPES};

    fn name(kind_name: &str, i: usize) -> &'static str {
        kind(kind_name).expect("registered kind").params[i]
            .name
            .as_str()
    }

    #[test]
    fn indices_name_the_registry_parameters() {
        let comp = [
            (COMP_THRESHOLD, "threshold_db"),
            (COMP_RATIO, "ratio"),
            (COMP_KNEE, "knee_db"),
            (COMP_ATTACK, "attack_ms"),
            (COMP_RELEASE, "release_ms"),
            (COMP_MAKEUP, "makeup_db"),
            (COMP_DETECTOR, "detector"),
            (COMP_SIDECHAIN, "sidechain"),
            (COMP_MIX, "mix"),
        ];
        for (i, n) in comp {
            assert_eq!(name("compressor", i), n);
        }
        assert_eq!(kind("compressor").map(|k| k.params.len()), Some(9));
        let gate = [
            (GATE_THRESHOLD, "threshold_db"),
            (GATE_ATTACK, "attack_ms"),
            (GATE_HOLD, "hold_ms"),
            (GATE_RELEASE, "release_ms"),
            (GATE_RANGE, "range_db"),
        ];
        for (i, n) in gate {
            assert_eq!(name("gate", i), n);
        }
        assert_eq!(kind("gate").map(|k| k.params.len()), Some(5));
        for b in 0..EQ_BANDS {
            let base = b * EQ_BAND_PARAMS;
            for (off, suffix) in [
                (EQ_TYPE, "type"),
                (EQ_FREQ, "freq"),
                (EQ_GAIN, "gain_db"),
                (EQ_Q, "q"),
                (EQ_SLOPE, "slope"),
            ] {
                assert_eq!(name("eq", base + off), format!("b{}_{suffix}", b + 1));
            }
        }
        let detectors = kind("compressor").expect("compressor").params[COMP_DETECTOR].choices;
        assert_eq!(detectors, &["peak", "rms"]);
    }

    #[test]
    fn eq_types_are_the_registry_choices_in_order() {
        let names: Vec<&str> = BandType::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(names, EQ_TYPES);
    }

    #[test]
    fn other_kinds_are_not_built_here() {
        assert!(build("reverb", 48_000, &[]).is_none());
        assert!(build("nope", 48_000, &[]).is_none());
        for k in ["eq", "compressor", "gate"] {
            let defaults: Vec<f64> = kind(k)
                .expect("kind")
                .params
                .iter()
                .map(|p| p.default)
                .collect();
            assert!(build(k, 48_000, &defaults).is_some(), "{k}");
        }
    }
}
