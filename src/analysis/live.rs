//! Live meters for the engine thread: EBU R128 momentary / short-term loudness
//! (`LiveMeter`) and a decaying peak / RMS meter (`PeakRmsMeter`, the engine's
//! `dsp::PeakRms` over any channel count).
//!
//! Both are fed copies of the master output on the engine thread (never in the audio
//! callback), and neither allocates, locks or logs after construction, so either could run
//! on the audio thread too. The K-weighted energy of every 100 ms slice comes from
//! `kweight` (the same as the file analysis uses) and is kept in a fixed ring, so momentary
//! is the mean of the last 4 slices and short-term of the last 30, refreshed 10 times a
//! second as Tech 3341 requires.

use super::kweight::SliceEnergy;
use crate::dsp::{peak_and_energy, PeakRms};

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
/// channel, linear values: [`PeakRms`], the engine's meter, over interleaved audio of any
/// channel count. Allocation-free per push.
#[derive(Debug, Clone)]
pub struct PeakRmsMeter {
    rate: u32,
    meters: Vec<PeakRms>,
}

impl PeakRmsMeter {
    /// A meter for interleaved audio of `channels` channels at `rate` Hz.
    pub fn new(rate: u32, channels: u16) -> Self {
        PeakRmsMeter {
            rate,
            meters: vec![PeakRms::default(); channels.max(1) as usize],
        }
    }

    /// Feeds interleaved samples, one block per call. Never allocates.
    pub fn push(&mut self, interleaved: &[f32]) {
        let ch = self.meters.len();
        let frames = interleaved.len() / ch;
        for (c, m) in self.meters.iter_mut().enumerate() {
            let (peak, energy) =
                peak_and_energy(interleaved.chunks_exact(ch).map(|frame| frame[c]));
            *m = m.fold(peak, energy, frames, self.rate);
        }
    }

    /// Current (decaying) peak of `channel`, linear.
    pub fn peak(&self, channel: usize) -> f32 {
        self.meters.get(channel).map_or(0.0, |m| m.peak)
    }

    /// Current RMS of `channel`, linear.
    pub fn rms(&self, channel: usize) -> f32 {
        self.meters.get(channel).map_or(0.0, PeakRms::rms)
    }

    /// Channels metered.
    pub fn channels(&self) -> usize {
        self.meters.len()
    }

    /// Drops both needles to zero.
    pub fn reset(&mut self) {
        self.meters.fill(PeakRms::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, dbfs: f64, seconds: f64, rate: u32, channels: usize) -> Vec<f32> {
        let a = crate::dsp::db_to_gain(dbfs);
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
