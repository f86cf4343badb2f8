//! Live meters for the engine thread: EBU R128 momentary / short-term loudness
//! (`LiveMeter`) and a decaying peak / RMS meter (`PeakRmsMeter`).
//!
//! Both are fed copies of the master output on the engine thread (never in the audio
//! callback), and neither allocates, locks or logs after construction, so either could run
//! on the audio thread too. The K-weighted energy of every 100 ms slice comes from
//! `kweight` (the same as the file analysis uses) and is kept in a fixed ring, so momentary
//! is the mean of the last 4 slices and short-term of the last 30, refreshed 10 times a
//! second as Tech 3341 requires.

use super::kweight::SliceEnergy;

/// Slices kept: 30 × 100 ms = the short-term window.
const SLICES: usize = 30;

/// Momentary and short-term loudness of a live stream (EBU R128), allocation-free per push.
#[derive(Debug, Clone)]
pub struct LiveMeter {
    slices: SliceEnergy,
    ring: [f64; SLICES],
    ring_pos: usize,
    slices_done: usize,
}

impl LiveMeter {
    /// A meter for interleaved audio of `channels` channels at `rate` Hz.
    pub fn new(rate: u32, channels: u16) -> Self {
        LiveMeter {
            slices: SliceEnergy::new(rate, channels),
            ring: [0.0; SLICES],
            ring_pos: 0,
            slices_done: 0,
        }
    }

    /// Feeds interleaved samples (a trailing partial frame is ignored). Never allocates.
    pub fn push(&mut self, interleaved: &[f32]) {
        let (ring, pos, done) = (&mut self.ring, &mut self.ring_pos, &mut self.slices_done);
        self.slices.push(interleaved, |energy| {
            ring[*pos] = energy;
            *pos = (*pos + 1) % SLICES;
            *done = done.saturating_add(1);
        });
    }

    fn mean_of_last(&self, n: usize) -> Option<f64> {
        if self.slices_done < n {
            return None;
        }
        let sum: f64 = (1..=n)
            .map(|i| self.ring[(self.ring_pos + SLICES - i) % SLICES])
            .sum();
        super::loudness::energy_to_lufs(sum / n as f64)
    }

    /// Momentary loudness (last 400 ms), LUFS; `None` before 400 ms or in silence.
    pub fn momentary(&self) -> Option<f64> {
        self.mean_of_last(4)
    }

    /// Short-term loudness (last 3 s), LUFS; `None` before 3 s or in silence.
    pub fn short_term(&self) -> Option<f64> {
        self.mean_of_last(SLICES)
    }

    /// Forgets everything (transport stop or seek).
    pub fn reset(&mut self) {
        self.slices.reset();
        self.ring = [0.0; SLICES];
        self.ring_pos = 0;
        self.slices_done = 0;
    }
}

/// A peak meter with a falling needle and an RMS meter with a 300 ms time constant, per
/// channel, linear values. Allocation-free per push.
#[derive(Debug, Clone)]
pub struct PeakRmsMeter {
    channels: usize,
    peak_decay: f32,
    rms_coef: f32,
    peak: Vec<f32>,
    mean_square: Vec<f32>,
}

/// How fast the peak needle falls.
pub const PEAK_FALL_DB_PER_S: f32 = 20.0;
/// RMS averaging time constant.
pub const RMS_TIME_S: f32 = 0.3;

impl PeakRmsMeter {
    /// A meter for interleaved audio of `channels` channels at `rate` Hz.
    pub fn new(rate: u32, channels: u16) -> Self {
        let fs = rate.max(1) as f32;
        let channels = channels.max(1) as usize;
        PeakRmsMeter {
            channels,
            peak_decay: 10f32.powf(-PEAK_FALL_DB_PER_S / 20.0 / fs),
            rms_coef: 1.0 - (-1.0 / (RMS_TIME_S * fs)).exp(),
            peak: vec![0.0; channels],
            mean_square: vec![0.0; channels],
        }
    }

    /// Feeds interleaved samples. Never allocates.
    pub fn push(&mut self, interleaved: &[f32]) {
        let ch = self.channels;
        for c in 0..ch {
            let mut p = self.peak[c];
            let mut ms = self.mean_square[c];
            for frame in interleaved.chunks_exact(ch) {
                let x = frame[c];
                p = (p * self.peak_decay).max(x.abs());
                ms += self.rms_coef * (x * x - ms);
            }
            // Keep the decays out of denormal range.
            self.peak[c] = if p < 1e-12 { 0.0 } else { p };
            self.mean_square[c] = if ms < 1e-24 { 0.0 } else { ms };
        }
    }

    /// Current (decaying) peak of `channel`, linear.
    pub fn peak(&self, channel: usize) -> f32 {
        self.peak.get(channel).copied().unwrap_or(0.0)
    }

    /// Current RMS of `channel`, linear.
    pub fn rms(&self, channel: usize) -> f32 {
        self.mean_square
            .get(channel)
            .map(|m| m.max(0.0).sqrt())
            .unwrap_or(0.0)
    }

    /// Channels metered.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Drops both needles to zero.
    pub fn reset(&mut self) {
        self.peak.iter_mut().for_each(|p| *p = 0.0);
        self.mean_square.iter_mut().for_each(|m| *m = 0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, dbfs: f64, seconds: f64, rate: u32, channels: usize) -> Vec<f32> {
        let a = 10f64.powf(dbfs / 20.0);
        let n = (seconds * f64::from(rate)) as usize;
        let mut out = Vec::with_capacity(n * channels);
        for i in 0..n {
            let v = (a * (std::f64::consts::TAU * freq * i as f64 / f64::from(rate)).sin()) as f32;
            out.extend(std::iter::repeat_n(v, channels));
        }
        out
    }

    #[test]
    fn stereo_sine_at_minus_23_reads_minus_23() {
        for rate in [44_100, 48_000, 96_000] {
            let mut m = LiveMeter::new(rate, 2);
            m.push(&sine(1000.0, -23.0, 4.0, rate, 2));
            let mo = m.momentary().unwrap();
            let st = m.short_term().unwrap();
            assert!((mo + 23.0).abs() < 0.1, "{rate}: M {mo}");
            assert!((st + 23.0).abs() < 0.1, "{rate}: S {st}");
        }
    }

    #[test]
    fn values_need_a_full_window_and_silence_is_none() {
        let mut m = LiveMeter::new(48_000, 2);
        m.push(&sine(1000.0, -23.0, 0.3, 48_000, 2));
        assert_eq!(m.momentary(), None);
        m.push(&sine(1000.0, -23.0, 0.2, 48_000, 2));
        assert!(m.momentary().is_some());
        assert_eq!(m.short_term(), None);
        m.reset();
        m.push(&vec![0.0; 2 * 48_000 * 4]);
        assert_eq!(m.momentary(), None);
        assert_eq!(m.short_term(), None);
    }

    #[test]
    fn peak_falls_and_rms_settles() {
        let mut m = PeakRmsMeter::new(48_000, 2);
        m.push(&sine(1000.0, -6.0, 1.0, 48_000, 2));
        assert!((m.peak(0) - 0.501).abs() < 0.01);
        assert!((m.rms(1) - 0.501 / 2f32.sqrt()).abs() < 0.01);
        m.push(&vec![0.0; 2 * 48_000]);
        // One second later the needle has fallen by 20 dB.
        assert!((m.peak(0) - 0.0501).abs() < 0.002, "{}", m.peak(0));
    }
}
