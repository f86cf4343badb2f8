//! Mixer laws: the two pan laws (dB to gain is `dsp::db_to_gain`, the fader and pan glide is
//! `dsp::Smoothed`). Pure functions; nothing here allocates.

/// Balance law for stereo sources: unity at centre, the far side fades out linearly, the near
/// side stays at unity (so a centred stereo track passes unchanged — the null test).
pub fn balance(pan: f32) -> (f32, f32) {
    let p = pan.clamp(-1.0, 1.0);
    if p < 0.0 {
        (1.0, 1.0 + p)
    } else {
        (1.0 - p, 1.0)
    }
}

/// Constant-power law for mono sources: cos/sin of a quarter circle, so the centre is
/// -3.01 dB per side and the total power is the same at every position.
pub fn constant_power(pan: f32) -> (f32, f32) {
    let p = pan.clamp(-1.0, 1.0);
    let theta = (p + 1.0) * std::f32::consts::FRAC_PI_4;
    (theta.cos(), theta.sin())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pan_laws() {
        assert_eq!(balance(0.0), (1.0, 1.0));
        assert_eq!(balance(-1.0), (1.0, 0.0));
        assert_eq!(balance(0.5), (0.5, 1.0));
        let (l, r) = constant_power(0.0);
        let db = 20.0 * l.log10();
        assert!((db + 3.0103).abs() < 1e-3, "{db}");
        assert!((l - r).abs() < 1e-7);
        let (l, r) = constant_power(-1.0);
        assert!((l - 1.0).abs() < 1e-7 && r.abs() < 1e-7);
        for p in [-0.7f32, -0.2, 0.3, 0.9] {
            let (l, r) = constant_power(p);
            assert!((l * l + r * r - 1.0).abs() < 1e-6);
        }
    }
}
