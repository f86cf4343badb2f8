//! The EQ's magnitude response computed from its parameters, for the effect editor's curve:
//! every band that is on, as the cookbook biquad `dsp::Biquad` builds it (a 24 dB/oct pass
//! band is two sections), summed in dB. Plain arithmetic, not for the audio thread.

use crate::dsp::{Biquad, BiquadKind};
use crate::model::fx::{EQ_BANDS, EQ_BAND_PARAMS, EQ_TYPES};

/// The EQ's response in dB at `freq`, from its parameter values (registry order).
pub fn eq_response_db(values: &[f64], rate: u32, freq: f64) -> f64 {
    let mut db = 0.0;
    for b in 0..EQ_BANDS {
        let Some(v) = values.get(b * EQ_BAND_PARAMS..(b + 1) * EQ_BAND_PARAMS) else {
            break;
        };
        let kind = match EQ_TYPES.get(v[0] as usize).copied() {
            Some("peak") => BiquadKind::Peak,
            Some("lowshelf") => BiquadKind::LowShelf,
            Some("highshelf") => BiquadKind::HighShelf,
            Some("lowpass") => BiquadKind::Lowpass,
            Some("highpass") => BiquadKind::Highpass,
            Some("notch") => BiquadKind::Notch,
            Some("bandpass") => BiquadKind::Bandpass,
            _ => continue,
        };
        let f = Biquad::new(kind, rate, v[1] as f32, v[3] as f32, v[2] as f32);
        let sections = if matches!(kind, BiquadKind::Lowpass | BiquadKind::Highpass) && v[4] >= 24.0
        {
            2.0
        } else {
            1.0
        };
        db += sections * f.magnitude_db(freq as f32, rate);
    }
    db
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fx;

    #[test]
    fn the_curve_is_the_sum_of_the_bands_that_are_on() {
        let spec = fx::kind("eq").unwrap();
        let mut v: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
        assert_eq!(eq_response_db(&v, 48_000, 1000.0), 0.0);
        // Band 4 (1 kHz by default) a peak of +6 dB: +6 dB at its centre.
        v[3 * EQ_BAND_PARAMS] = 1.0;
        v[3 * EQ_BAND_PARAMS + 2] = 6.0;
        assert!((eq_response_db(&v, 48_000, 1000.0) - 6.0).abs() < 0.01);
        // A 24 dB/oct high-pass at 80 Hz (band 1) is two sections: twice the 12 dB one.
        v[0] = 5.0;
        v[4] = 12.0;
        let one = eq_response_db(&v, 48_000, 40.0);
        v[4] = 24.0;
        let two = eq_response_db(&v, 48_000, 40.0);
        let peak_at_40 = {
            let mut p = v.clone();
            p[0] = 0.0;
            eq_response_db(&p, 48_000, 40.0)
        };
        assert!(((two - peak_at_40) - 2.0 * (one - peak_at_40)).abs() < 1e-6);
    }
}
