//! BS.1770-4 K-weighting and the energy of every 100 ms slice: the one measurement both the
//! file analysis (`loudness`) and the live meter (`live`) build their loudness on, so the two
//! cannot drift apart.
//!
//! The K-weighting is two [`Biquad`]s per channel run in f64 end to end (a high shelf, then
//! the RLB high-pass), with coefficients derived for any sample rate exactly as libebur128
//! derives them. Nothing here allocates after construction.

use crate::dsp::{db_to_gain, Biquad};

/// The two K-weighting stages for `rate` Hz: a high shelf (+4 dB above ~1.7 kHz) and the
/// RLB high-pass (~38 Hz).
pub fn k_weighting(rate: u32) -> [Biquad; 2] {
    let fs = f64::from(rate.max(1));
    let pi = std::f64::consts::PI;

    let f0 = 1681.974450955533;
    let g = 3.999843853973347f64;
    let q = 0.7071752369554196;
    let k = (pi * f0 / fs).tan();
    let vh = db_to_gain(g);
    let vb = vh.powf(0.4996667741545416);
    let a0 = 1.0 + k / q + k * k;
    let shelf = Biquad::from_coefficients(
        [
            (vh + vb * k / q + k * k) / a0,
            2.0 * (k * k - vh) / a0,
            (vh - vb * k / q + k * k) / a0,
        ],
        [2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0],
    );

    let f0 = 38.13547087602444;
    let q = 0.5003270373238773;
    let k = (pi * f0 / fs).tan();
    let a0 = 1.0 + k / q + k * k;
    let highpass = Biquad::from_coefficients(
        [1.0, -2.0, 1.0],
        [2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0],
    );
    [shelf, highpass]
}

/// BS.1770-4 channel weights for `channels` interleaved channels in WAV order: surrounds
/// weigh 1.41, the LFE and unknown channels 0. Mono is a single front channel (a -23 dBFS
/// mono sine reads -26 LUFS, as BS.1770 defines); 7.1 (FL FR FC LFE BL BR SL SR) weighs the
/// backs at ±135° 1.0 and the sides at ±90° 1.41.
pub fn channel_weights(channels: u16) -> Vec<f64> {
    let table: &[f64] = match channels {
        1 => &[1.0],
        2 => &[1.0, 1.0],
        3 => &[1.0, 1.0, 1.0],
        4 => &[1.0, 1.0, 1.41, 1.41],
        5 => &[1.0, 1.0, 1.0, 1.41, 1.41],
        6 | 7 => &[1.0, 1.0, 1.0, 0.0, 1.41, 1.41],
        _ => &[1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.41, 1.41],
    };
    let mut w = table.to_vec();
    w.resize(channels as usize, 0.0);
    w
}

/// K-weighted, channel-weighted mean square of every complete 100 ms slice of a stream.
#[derive(Debug, Clone)]
pub struct SliceEnergy {
    channels: usize,
    /// Per channel: the shelf, then the high-pass.
    filters: Vec<[Biquad; 2]>,
    weights: Vec<f64>,
    /// Frames in one 100 ms slice (rounded, as libebur128 counts them).
    slice_frames: usize,
    in_slice: usize,
    energy: f64,
}

impl SliceEnergy {
    /// Slices of interleaved audio with `channels` channels (at least 1) at `rate` Hz.
    pub fn new(rate: u32, channels: u16) -> Self {
        let channels = channels.max(1);
        SliceEnergy {
            channels: channels as usize,
            filters: vec![k_weighting(rate); channels as usize],
            weights: channel_weights(channels),
            slice_frames: ((rate as usize + 5) / 10).max(1),
            in_slice: 0,
            energy: 0.0,
        }
    }

    /// Feeds interleaved samples (a trailing partial frame is ignored) and calls `slice` with
    /// the energy of each 100 ms slice completed. Never allocates.
    pub fn push(&mut self, interleaved: &[f32], mut slice: impl FnMut(f64)) {
        for frame in interleaved.chunks_exact(self.channels) {
            let mut e = 0.0;
            for ((x, [shelf, highpass]), w) in
                frame.iter().zip(&mut self.filters).zip(&self.weights)
            {
                let y = highpass.process_f64(shelf.process_f64(f64::from(*x)));
                e += w * y * y;
            }
            self.energy += e;
            self.in_slice += 1;
            if self.in_slice == self.slice_frames {
                slice(self.energy / self.slice_frames as f64);
                self.in_slice = 0;
                self.energy = 0.0;
            }
        }
    }

    /// Forgets the filter state and the partial slice (transport stop or seek).
    pub fn reset(&mut self) {
        self.filters.iter_mut().flatten().for_each(|f| f.reset());
        self.in_slice = 0;
        self.energy = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_weighting_gains_match_bs1770() {
        // The -0.691 in the LUFS formula cancels the K-weighting's +0.691 dB at 997 Hz; the
        // shelf adds ~+4 dB at high frequencies and the high-pass cuts the lows. The constant
        // is exact at 48 kHz (where BS.1770 states the filter); other rates re-derive it
        // through the bilinear transform and land within a few hundredths of a dB.
        for (rate, tolerance) in [(48_000, 0.005), (44_100, 0.03), (96_000, 0.03)] {
            let [shelf, hp] = k_weighting(rate);
            let db = |f: f32| shelf.magnitude_db(f, rate) + hp.magnitude_db(f, rate);
            let at_997 = db(997.0);
            assert!((at_997 - 0.691).abs() < tolerance, "{rate}: {at_997}");
            assert!((db(10_000.0) - 4.0).abs() < 0.1, "{rate}: {}", db(10_000.0));
            assert!(db(20.0) < -10.0, "{rate}: {}", db(20.0));
        }
    }

    #[test]
    fn a_997_hz_sine_slice_has_the_energy_of_its_level() {
        // A stereo sine peaking at -20 dBFS: each channel's mean square is a²/2, the two sum
        // to a², and the K-weighting's +0.691 dB at 997 Hz cancels the formula's -0.691.
        let rate = 48_000;
        let a = db_to_gain(-20.0f64);
        let x: Vec<f32> = (0..rate as usize * 2)
            .flat_map(|n| {
                let v = (a * (std::f64::consts::TAU * 997.0 * n as f64 / 48_000.0).sin()) as f32;
                [v, v]
            })
            .collect();
        let mut s = SliceEnergy::new(rate, 2);
        let mut slices = Vec::new();
        s.push(&x, |e| slices.push(e));
        assert_eq!(slices.len(), 20);
        let lufs = -0.691 + 10.0 * slices[19].log10();
        assert!((lufs + 20.0).abs() < 0.01, "{lufs}");
    }

    #[test]
    fn weights_cover_every_channel() {
        assert_eq!(channel_weights(1), vec![1.0]);
        assert_eq!(channel_weights(6), vec![1.0, 1.0, 1.0, 0.0, 1.41, 1.41]);
        for n in 1..=12u16 {
            assert_eq!(channel_weights(n).len(), n as usize);
        }
    }
}
