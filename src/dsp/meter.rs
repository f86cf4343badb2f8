//! The level meter: one scan for a block's peak and energy, and the ballistics that turn a
//! stream of blocks into the falling peak needle and the ~300 ms RMS the mixer shows. The
//! file analysis (cumulative peak and RMS), the live meters and the engine's per-track
//! atomics all measure through this, so they read the same on the same audio.
//! Nothing here allocates; everything may run on the audio thread.

use super::db_to_gain;

/// How fast a peak needle falls.
pub const PEAK_FALL_DB_PER_S: f32 = 20.0;
/// The RMS averaging time constant.
pub const RMS_TIME_S: f32 = 0.3;

/// Largest |x| and the sum of x² of `samples` (f32 sums: a block is short). Called on the
/// audio thread.
#[inline]
pub fn peak_and_energy(samples: impl IntoIterator<Item = f32>) -> (f32, f32) {
    let mut peak = 0f32;
    let mut sum = 0f32;
    for x in samples {
        peak = peak.max(x.abs());
        sum += x * x;
    }
    (peak, sum)
}

/// The decaying peak and the smoothed mean square of one channel, linear, advanced a block
/// at a time.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PeakRms {
    /// The held peak, falling at [`PEAK_FALL_DB_PER_S`].
    pub peak: f32,
    /// The mean square, averaged over about [`RMS_TIME_S`].
    pub mean_square: f32,
}

impl PeakRms {
    /// Folds in a block of `frames` frames at `rate` Hz whose peak and energy are `peak` and
    /// `energy` (from [`peak_and_energy`]). Called on the audio thread.
    #[inline]
    pub fn fold(self, peak: f32, energy: f32, frames: usize, rate: u32) -> PeakRms {
        if frames == 0 {
            return self;
        }
        let dt = frames as f32 / rate.max(1) as f32;
        let fall = db_to_gain(-PEAK_FALL_DB_PER_S * dt);
        let alpha = 1.0 - (-dt / RMS_TIME_S).exp();
        let held = (self.peak * fall).max(peak);
        let ms = self.mean_square + alpha * (energy / frames as f32 - self.mean_square);
        // Floors keep the decays out of denormal range and let a quiet meter reach 0.
        PeakRms {
            peak: if held < 1e-7 { 0.0 } else { held },
            mean_square: if ms < 1e-14 { 0.0 } else { ms },
        }
    }

    /// The RMS, linear.
    pub fn rms(&self) -> f32 {
        self.mean_square.max(0.0).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::gain_to_db;

    fn sine(db: f32, freq: f32, n: usize, rate: u32) -> Vec<f32> {
        let a = db_to_gain(db);
        (0..n)
            .map(|i| a * (std::f32::consts::TAU * freq * i as f32 / rate as f32).sin())
            .collect()
    }

    #[test]
    fn a_sine_reads_its_peak_and_rms() {
        // 1 kHz at -6 dBFS, 48 kHz, a whole number of periods: peak -6 dB, RMS -9.01 dB.
        let x = sine(-6.0, 1_000.0, 4_800, 48_000);
        let (peak, energy) = peak_and_energy(x.iter().copied());
        assert!((gain_to_db(peak) + 6.0).abs() < 1e-3, "{peak}");
        let rms = (energy / x.len() as f32).sqrt();
        assert!((gain_to_db(rms) + 9.0103).abs() < 1e-3, "{rms}");
        // Through the ballistics, 512-frame blocks for 2 s: the same figures.
        let mut m = PeakRms::default();
        let long = sine(-6.0, 1_000.0, 96_000, 48_000);
        for block in long.chunks(512) {
            let (p, e) = peak_and_energy(block.iter().copied());
            m = m.fold(p, e, block.len(), 48_000);
        }
        assert!((gain_to_db(m.peak) + 6.0).abs() < 1e-3, "{}", m.peak);
        assert!((gain_to_db(m.rms()) + 9.0103).abs() < 0.01, "{}", m.rms());
    }

    #[test]
    fn the_needle_falls_20_db_a_second_and_rms_by_its_time_constant() {
        let mut m = PeakRms {
            peak: 1.0,
            mean_square: 1.0,
        };
        for _ in 0..100 {
            m = m.fold(0.0, 0.0, 480, 48_000);
        }
        assert!((gain_to_db(m.peak) + 20.0).abs() < 1e-3, "{}", m.peak);
        // e^(-1 / 0.3) of the mean square is left after 1 s.
        assert!((m.mean_square - (-1.0f32 / 0.3).exp()).abs() < 1e-4);
        // An empty block changes nothing; silence eventually reads exactly 0.
        assert_eq!(m.fold(0.5, 1.0, 0, 48_000), m);
        for _ in 0..1_000 {
            m = m.fold(0.0, 0.0, 480, 48_000);
        }
        assert_eq!(m, PeakRms::default());
    }
}
