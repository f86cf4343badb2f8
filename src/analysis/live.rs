//! Live meters for the engine thread: EBU R128 momentary / short-term loudness
//! (`LiveMeter`) and a decaying peak / RMS meter (`PeakRmsMeter`).
//!
//! Both are fed copies of the master output on the engine thread (never in the audio
//! callback), and neither allocates, locks or logs after construction, so either could run
//! on the audio thread too. The K-weighting is BS.1770-4's two biquads with coefficients
//! derived for any sample rate (the same derivation as libebur128); energies are kept per
//! 100 ms slice in a fixed ring, so momentary is the mean of the last 4 slices and
//! short-term of the last 30, refreshed 10 times a second as Tech 3341 requires.

/// One biquad section in direct form I with f64 state.
#[derive(Debug, Clone, Copy, Default)]
struct Biquad {
    b: [f64; 3],
    a: [f64; 2],
}

/// The two K-weighting stages for `rate` Hz: a high shelf (+4 dB above ~1.7 kHz) and the
/// RLB high-pass (~38 Hz).
fn k_weighting(rate: u32) -> [Biquad; 2] {
    let fs = f64::from(rate.max(1));
    let pi = std::f64::consts::PI;

    let f0 = 1681.974450955533;
    let g = 3.999843853973347;
    let q = 0.7071752369554196;
    let k = (pi * f0 / fs).tan();
    let vh = 10f64.powf(g / 20.0);
    let vb = vh.powf(0.4996667741545416);
    let a0 = 1.0 + k / q + k * k;
    let shelf = Biquad {
        b: [
            (vh + vb * k / q + k * k) / a0,
            2.0 * (k * k - vh) / a0,
            (vh - vb * k / q + k * k) / a0,
        ],
        a: [2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0],
    };

    let f0 = 38.13547087602444;
    let q = 0.5003270373238773;
    let k = (pi * f0 / fs).tan();
    let a0 = 1.0 + k / q + k * k;
    let highpass = Biquad {
        b: [1.0, -2.0, 1.0],
        a: [2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0],
    };
    [shelf, highpass]
}

/// BS.1770-4 channel weights for `channels` interleaved channels in WAV order (LFE and
/// unknown channels excluded), matching the file analysis.
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

/// Per-channel K-weighting filter state (two cascaded biquads, direct form I).
#[derive(Debug, Clone, Copy, Default)]
struct ChannelState {
    x: [f64; 2],
    y1: [f64; 2],
    y2: [f64; 2],
}

/// Slices kept: 30 × 100 ms = the short-term window.
const SLICES: usize = 30;

/// Momentary and short-term loudness of a live stream (EBU R128), allocation-free per push.
#[derive(Debug, Clone)]
pub struct LiveMeter {
    channels: usize,
    filters: [Biquad; 2],
    weights: Vec<f64>,
    state: Vec<ChannelState>,
    slice_frames: usize,
    in_slice: usize,
    slice_energy: f64,
    ring: [f64; SLICES],
    ring_pos: usize,
    slices_done: usize,
}

impl LiveMeter {
    /// A meter for interleaved audio of `channels` channels at `rate` Hz.
    pub fn new(rate: u32, channels: u16) -> Self {
        let channels = channels.max(1);
        LiveMeter {
            channels: channels as usize,
            filters: k_weighting(rate),
            weights: channel_weights(channels),
            state: vec![ChannelState::default(); channels as usize],
            slice_frames: ((rate as usize + 5) / 10).max(1),
            in_slice: 0,
            slice_energy: 0.0,
            ring: [0.0; SLICES],
            ring_pos: 0,
            slices_done: 0,
        }
    }

    /// Feeds interleaved samples (a trailing partial frame is ignored). Never allocates.
    pub fn push(&mut self, interleaved: &[f32]) {
        let ch = self.channels;
        let [s1, s2] = self.filters;
        for frame in interleaved.chunks_exact(ch) {
            let mut e = 0.0;
            for ((x, st), w) in frame.iter().zip(self.state.iter_mut()).zip(&self.weights) {
                let x = f64::from(*x);
                let y1 = s1.b[0] * x + s1.b[1] * st.x[0] + s1.b[2] * st.x[1]
                    - s1.a[0] * st.y1[0]
                    - s1.a[1] * st.y1[1];
                let y2 = s2.b[0] * y1 + s2.b[1] * st.y1[0] + s2.b[2] * st.y1[1]
                    - s2.a[0] * st.y2[0]
                    - s2.a[1] * st.y2[1];
                st.x = [x, st.x[0]];
                st.y1 = [y1, st.y1[0]];
                st.y2 = [y2, st.y2[0]];
                e += w * y2 * y2;
            }
            self.slice_energy += e;
            self.in_slice += 1;
            if self.in_slice == self.slice_frames {
                self.end_slice();
            }
        }
    }

    fn end_slice(&mut self) {
        self.ring[self.ring_pos] = self.slice_energy / self.slice_frames as f64;
        self.ring_pos = (self.ring_pos + 1) % SLICES;
        self.slices_done = self.slices_done.saturating_add(1);
        self.in_slice = 0;
        self.slice_energy = 0.0;
        // Decaying filter state would otherwise sink into slow denormals during silence.
        for st in &mut self.state {
            for v in st.x.iter_mut().chain(&mut st.y1).chain(&mut st.y2) {
                if v.abs() < 1e-30 {
                    *v = 0.0;
                }
            }
        }
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
        self.state
            .iter_mut()
            .for_each(|s| *s = ChannelState::default());
        self.in_slice = 0;
        self.slice_energy = 0.0;
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
