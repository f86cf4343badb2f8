//! Tempo detection: an onset-strength envelope and a tempo estimate with a confidence.
//!
//! Onsets: the mono mix is decimated to about 22–24 kHz, cut into 1024-sample Hann frames
//! every 256 samples (~10.7 ms), and the spectral flux of the log-magnitude spectrum
//! (half-wave rectified increase, summed over bins) is taken per frame.
//!
//! Tempo (after Ellis 2007, "Beat Tracking by Dynamic Programming"): the autocorrelation of
//! the envelope is read through a comb — the mean of the autocorrelation at 1, 2, 3, …
//! times a candidate period, on a fractional-lag grid so the period is not limited to whole
//! frames — weighted by a log-normal prior around 120 BPM (σ = 1 octave). The octave is then
//! resolved by the strength of the half and double periods: when the off-beats (half-way
//! between the multiples) are as strong as the beats, every onset is a beat and the half
//! period is the tempo (a click at 200 BPM); a period much weaker than its double is missing
//! every other beat. Accented off-beats (hi-hat eighths) stay off-beats. Halving overrides the
//! prior, so it needs the half period to account for the onsets on its own: it must not be
//! subdivided itself, neither in two (its off-beats as strong as its beats: a uniform stream
//! of sixteenths, where evenness says nothing about which level is the beat) nor in three (a
//! positive autocorrelation at its thirds: swung sixteenths, whose half-beats recur as
//! strongly as the beats but are not beats). In those cases the prior's choice stands.
//!
//! The prior chooses between metrical levels, whose combs are nearly equal; a period at 3:4,
//! 2:3, 4:3 or 3:2 of the tempo is not another level of the same pulse but a different
//! grouping of the subdivision (the dotted eighths of a 3+3+2 figure, or a compound metre's
//! dotted beat), so there the plain comb decides: after the octave resolution, such a
//! relative with a stronger comb replaces the tempo, and the octave is resolved again.
//!
//! A final fine search over all multiples up to 30 s pins the period to well under 1 %.
//! Range: 60–200 BPM.

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};
use std::sync::Arc;

/// Slowest tempo reported.
pub const MIN_BPM: f64 = 60.0;
/// Fastest tempo reported.
pub const MAX_BPM: f64 = 200.0;
/// Centre of the tempo prior (BPM) and its width (octaves).
const PRIOR_BPM: f64 = 120.0;
const PRIOR_OCTAVES: f64 = 1.0;
/// Off-beats at least this strong (relative to the beats) make the half period the beat.
const HALF_RATIO: f64 = 0.83;
/// A period weaker than this fraction of its double is taken to miss every other beat.
const DOUBLE_RATIO: f64 = 0.6;
/// Below this confidence there is no steady beat (noise reads ~0.01, a sparse part ~0.4).
const MIN_CONFIDENCE: f64 = 0.1;
/// Shortest envelope, in seconds, a tempo is estimated from.
const MIN_SECONDS: f64 = 1.5;

/// A detected tempo.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TempoEstimate {
    /// Beats per minute, 60–200.
    pub bpm: f64,
    /// 0 (no periodicity) to 1 (perfectly periodic onsets).
    pub confidence: f64,
}

/// Streaming onset-strength envelope (spectral flux of the log-magnitude STFT).
pub struct OnsetDetector {
    channels: usize,
    decimation: usize,
    acc: f32,
    acc_count: usize,
    n_fft: usize,
    hop: usize,
    frame_rate: f64,
    pending: Vec<f32>,
    window: Vec<f32>,
    fft: Arc<dyn RealToComplex<f32>>,
    input: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// Band of each FFT bin (mel-spaced bands), and the bins per band.
    band_of_bin: Vec<usize>,
    band_sizes: Vec<f32>,
    band_power: Vec<f32>,
    prev_log: Vec<f32>,
    magnitude_scale: f32,
    envelope: Vec<f32>,
}

impl std::fmt::Debug for OnsetDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnsetDetector")
            .field("frame_rate", &self.frame_rate)
            .field("frames", &self.envelope.len())
            .finish()
    }
}

/// Compression of the magnitude before the flux: ln(1 + GAMMA·|X|), |X| = 1 at full scale.
const GAMMA: f32 = 1000.0;

impl OnsetDetector {
    /// A detector for interleaved audio of `channels` channels at `rate` Hz.
    pub fn new(rate: u32, channels: u16) -> Self {
        let rate = rate.max(1);
        let decimation = ((f64::from(rate) / 22_050.0).round() as usize).max(1);
        let inner_rate = f64::from(rate) / decimation as f64;
        let n_fft = if inner_rate >= 16_000.0 { 1024 } else { 512 };
        let hop = n_fft / 4;
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(n_fft);
        let window: Vec<f32> = (0..n_fft)
            .map(|i| {
                let x = std::f32::consts::TAU * i as f32 / n_fft as f32;
                0.5 - 0.5 * x.cos()
            })
            .collect();
        let magnitude_scale = 2.0 / window.iter().sum::<f32>();
        let input = fft.make_input_vec();
        let spectrum = fft.make_output_vec();
        let scratch = fft.make_scratch_vec();
        let (band_of_bin, band_sizes) = mel_bands(n_fft, inner_rate);
        let bands = band_sizes.len();
        OnsetDetector {
            channels: channels.max(1) as usize,
            decimation,
            acc: 0.0,
            acc_count: 0,
            n_fft,
            hop,
            frame_rate: inner_rate / hop as f64,
            pending: Vec::with_capacity(n_fft),
            prev_log: vec![0.0; bands],
            band_power: vec![0.0; bands],
            band_of_bin,
            band_sizes,
            window,
            fft,
            input,
            spectrum,
            scratch,
            magnitude_scale,
            envelope: Vec::new(),
        }
    }

    /// Feeds interleaved samples.
    pub fn push(&mut self, interleaved: &[f32]) {
        let ch = self.channels;
        let gain = 1.0 / (ch * self.decimation) as f32;
        for frame in interleaved.chunks_exact(ch) {
            self.acc += frame.iter().sum::<f32>();
            self.acc_count += 1;
            if self.acc_count == self.decimation {
                let x = self.acc * gain;
                self.acc = 0.0;
                self.acc_count = 0;
                self.pending.push(x);
                if self.pending.len() == self.n_fft {
                    self.frame();
                    self.pending.copy_within(self.hop.., 0);
                    self.pending.truncate(self.n_fft - self.hop);
                }
            }
        }
    }

    fn frame(&mut self) {
        for ((d, x), w) in self.input.iter_mut().zip(&self.pending).zip(&self.window) {
            *d = x * w;
        }
        if self
            .fft
            .process_with_scratch(&mut self.input, &mut self.spectrum, &mut self.scratch)
            .is_err()
        {
            // Lengths come from the plan itself; an error cannot happen, and a lost frame
            // would only shift the envelope by one value.
            return;
        }
        self.band_power.iter_mut().for_each(|p| *p = 0.0);
        for (b, c) in self.band_of_bin.iter().zip(&self.spectrum) {
            self.band_power[*b] += c.norm_sqr();
        }
        let mut flux = 0.0_f32;
        for ((prev, p), n) in self
            .prev_log
            .iter_mut()
            .zip(&self.band_power)
            .zip(&self.band_sizes)
        {
            let magnitude = (p / n).sqrt() * self.magnitude_scale;
            let l = (1.0 + GAMMA * magnitude).ln();
            flux += (l - *prev).max(0.0);
            *prev = l;
        }
        self.envelope.push(flux);
    }

    /// Envelope values per second.
    pub fn frame_rate(&self) -> f64 {
        self.frame_rate
    }

    /// The onset-strength envelope so far, one value per hop.
    pub fn envelope(&self) -> &[f32] {
        &self.envelope
    }

    /// The tempo of everything fed so far.
    pub fn tempo(&self) -> Option<TempoEstimate> {
        tempo_from_envelope(&self.envelope, self.frame_rate)
    }
}

/// Bands of equal width on the mel scale up to 11 kHz (as many as the bins allow, at most
/// `BANDS`), so a kick's few low bins weigh as much as a hi-hat's hundreds of high ones.
/// Returns the band of every bin and the bin count of every band.
fn mel_bands(n_fft: usize, rate: f64) -> (Vec<usize>, Vec<f32>) {
    const BANDS: usize = 40;
    let mel = |f: f64| 2595.0 * (1.0 + f / 700.0).log10();
    let bins = n_fft / 2 + 1;
    let top = mel((rate / 2.0).min(11_025.0));
    let mut raw = Vec::with_capacity(bins);
    for k in 0..bins {
        let f = k as f64 * rate / n_fft as f64;
        raw.push(((mel(f) / top * BANDS as f64) as usize).min(BANDS - 1));
    }
    // Renumber so that empty bands disappear.
    let mut band_of_bin = Vec::with_capacity(bins);
    let mut sizes: Vec<f32> = Vec::new();
    let mut last = usize::MAX;
    for r in raw {
        if r != last {
            sizes.push(0.0);
            last = r;
        }
        let b = sizes.len() - 1;
        sizes[b] += 1.0;
        band_of_bin.push(b);
    }
    (band_of_bin, sizes)
}

/// Estimates the tempo of interleaved audio; `None` when shorter than 1.5 s, silent, or
/// without onsets.
pub fn detect_tempo(
    samples_interleaved: &[f32],
    rate: u32,
    channels: u16,
) -> Option<TempoEstimate> {
    let mut d = OnsetDetector::new(rate, channels);
    d.push(samples_interleaved);
    d.tempo()
}

/// Normalised, unbiased autocorrelation of a mean-removed envelope, read at fractional lags.
struct Autocorrelation {
    r: Vec<f64>,
    /// Lags beyond this are too poorly supported to use.
    max_lag: f64,
}

impl Autocorrelation {
    fn new(envelope: &[f32]) -> Option<Self> {
        let n = envelope.len();
        // Light smoothing widens the needle-thin peaks of percussive envelopes so that a
        // period between two frames still lands on them.
        let mut x: Vec<f64> = (0..n)
            .map(|i| {
                let at = |j: isize| {
                    let j = j.clamp(0, n as isize - 1) as usize;
                    f64::from(envelope[j])
                };
                let i = i as isize;
                0.25 * at(i - 1) + 0.5 * at(i) + 0.25 * at(i + 1)
            })
            .collect();
        let mean = x.iter().sum::<f64>() / n as f64;
        x.iter_mut().for_each(|v| *v -= mean);
        let size = (2 * n).next_power_of_two();
        let mut planner = RealFftPlanner::<f64>::new();
        let fwd = planner.plan_fft_forward(size);
        let inv = planner.plan_fft_inverse(size);
        let mut buf = fwd.make_input_vec();
        buf[..n].copy_from_slice(&x);
        let mut spec = fwd.make_output_vec();
        fwd.process(&mut buf, &mut spec).ok()?;
        for c in spec.iter_mut() {
            *c = Complex::new(c.norm_sqr(), 0.0);
        }
        inv.process(&mut spec, &mut buf).ok()?;
        let r0 = buf[0] / n as f64;
        if r0.is_nan() || r0 <= 1e-12 {
            return None;
        }
        let r: Vec<f64> = (0..n).map(|l| buf[l] / (n - l) as f64 / r0).collect();
        Some(Autocorrelation {
            r,
            max_lag: (n / 2) as f64,
        })
    }

    fn at(&self, lag: f64) -> f64 {
        if lag < 0.0 || lag > self.max_lag {
            return 0.0;
        }
        let i = lag.floor() as usize;
        let f = lag - i as f64;
        let a = self.r[i];
        let b = self.r.get(i + 1).copied().unwrap_or(a);
        a + (b - a) * f
    }

    /// Mean autocorrelation at the multiples of `period` up to `span` frames.
    fn comb(&self, period: f64, span: f64) -> f64 {
        let span = span.min(self.max_lag);
        let k_max = ((span / period).floor() as usize).max(1);
        let mut sum = 0.0;
        let mut count = 0usize;
        for k in 1..=k_max {
            let lag = period * k as f64;
            if lag > self.max_lag {
                break;
            }
            sum += self.at(lag);
            count += 1;
        }
        if count == 0 {
            0.0
        } else {
            sum / count as f64
        }
    }
}

impl Autocorrelation {
    /// Mean autocorrelation half-way between the multiples of `period` (the off-beats),
    /// up to `span` frames.
    fn offbeat(&self, period: f64, span: f64) -> f64 {
        let span = span.min(self.max_lag);
        let mut sum = 0.0;
        let mut count = 0usize;
        let mut k = 0.5;
        while k * period <= span || count == 0 {
            if k * period > self.max_lag {
                break;
            }
            sum += self.at(k * period);
            count += 1;
            k += 1.0;
        }
        if count == 0 {
            0.0
        } else {
            sum / count as f64
        }
    }
}

fn prior(bpm: f64) -> f64 {
    let octaves = (bpm / PRIOR_BPM).log2() / PRIOR_OCTAVES;
    (-0.5 * octaves * octaves).exp()
}

/// Longest stretch of envelope the tempo is estimated from, in seconds: enough for a precise
/// period, and it bounds the autocorrelation's memory on hour-long files.
const MAX_SECONDS: f64 = 600.0;

/// Estimates the tempo from an onset envelope with `frame_rate` values per second.
pub fn tempo_from_envelope(envelope: &[f32], frame_rate: f64) -> Option<TempoEstimate> {
    let max_len = (MAX_SECONDS * frame_rate.max(0.0)) as usize;
    let envelope = if envelope.len() > max_len {
        // The middle of a long piece is the most representative part.
        let start = (envelope.len() - max_len) / 2;
        &envelope[start..start + max_len]
    } else {
        envelope
    };
    if frame_rate.is_nan()
        || frame_rate <= 0.0
        || (envelope.len() as f64) < MIN_SECONDS * frame_rate
    {
        return None;
    }
    let ac = Autocorrelation::new(envelope)?;
    let to_bpm = |period: f64| 60.0 * frame_rate / period;
    let min_period = 60.0 * frame_rate / MAX_BPM;
    let max_period = (60.0 * frame_rate / MIN_BPM).min(ac.max_lag);
    if max_period <= min_period {
        return None;
    }
    // The coarse comb spans 4 s: long enough to be selective, short enough to forgive
    // slight tempo drift.
    let coarse_span = 4.0 * frame_rate;
    let step = 0.1;
    let mut best = (f64::NEG_INFINITY, min_period);
    let mut p = min_period;
    while p <= max_period {
        let s = prior(to_bpm(p)) * ac.comb(p, coarse_span);
        if s > best.0 {
            best = (s, p);
        }
        p += step;
    }
    let mut period = refine(&ac, best.1, coarse_span, 0.03);

    // Octave resolution, then the 3:4 / 2:3 relatives, see the module doc.
    period = resolve_octave(&ac, period, coarse_span, frame_rate);
    let mut best = (ac.comb(period, coarse_span), period);
    for ratio in [4.0 / 3.0, 3.0 / 2.0, 3.0 / 4.0, 2.0 / 3.0] {
        let other = period * ratio;
        if other < min_period / 1.02 || other > max_period * 1.02 {
            continue;
        }
        let other = refine(&ac, other, coarse_span, 0.03);
        let strength = ac.comb(other, coarse_span);
        if strength > best.0 {
            best = (strength, other);
        }
    }
    if best.1 != period {
        period = resolve_octave(&ac, best.1, coarse_span, frame_rate);
    }

    let fine_span = 30.0 * frame_rate;
    let period = refine(&ac, period, fine_span, 0.02);
    let bpm = to_bpm(period);
    if !bpm.is_finite() {
        return None;
    }
    let confidence = ac.comb(period, coarse_span).clamp(0.0, 1.0);
    if confidence < MIN_CONFIDENCE {
        return None;
    }
    Some(TempoEstimate {
        bpm: bpm.clamp(MIN_BPM * 0.98, MAX_BPM * 1.02),
        confidence,
    })
}

/// The octave of `period` by the half and double rules, see the module doc.
fn resolve_octave(ac: &Autocorrelation, mut period: f64, span: f64, frame_rate: f64) -> f64 {
    let to_bpm = |period: f64| 60.0 * frame_rate / period;
    for _ in 0..3 {
        let here = ac.comb(period, span);
        if to_bpm(period / 2.0) <= MAX_BPM * 1.02 && ac.offbeat(period, span) >= HALF_RATIO * here {
            let half = refine(ac, period / 2.0, span, 0.02);
            let halves = ac.offbeat(half, span) >= HALF_RATIO * ac.comb(half, span);
            let thirds = ac.at(half / 3.0) + ac.at(2.0 * half / 3.0) > 0.0;
            if !halves && !thirds {
                period = half;
                continue;
            }
        }
        let double = period * 2.0;
        if to_bpm(double) >= MIN_BPM / 1.02 && double <= ac.max_lag {
            let double = refine(ac, double, span, 0.02);
            if here < DOUBLE_RATIO * ac.comb(double, span) {
                period = double;
                continue;
            }
        }
        break;
    }
    period
}

/// The period within ±`rel` of `around` whose comb over `span` is largest.
fn refine(ac: &Autocorrelation, around: f64, span: f64, rel: f64) -> f64 {
    let lo = around * (1.0 - rel);
    let hi = around * (1.0 + rel);
    let steps = 400;
    let mut best = (f64::NEG_INFINITY, around);
    for i in 0..=steps {
        let p = lo + (hi - lo) * i as f64 / steps as f64;
        let s = ac.comb(p, span);
        if s > best.0 {
            best = (s, p);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clicks(bpm: f64, seconds: f64, rate: u32) -> Vec<f32> {
        let n = (seconds * f64::from(rate)) as usize;
        let period = 60.0 / bpm * f64::from(rate);
        let mut x = vec![0.0f32; n];
        let mut t = 0.0;
        while (t as usize) < n {
            let start = t as usize;
            for i in 0..(rate as usize / 100).min(n - start) {
                let env = (-(i as f32) / (rate as f32 * 0.002)).exp();
                x[start + i] += env * (i as f32 * 0.7).sin() * 0.5;
            }
            t += period;
        }
        x
    }

    #[test]
    fn click_tempo_is_found() {
        for bpm in [60.0, 97.0, 120.0, 200.0] {
            let x = clicks(bpm, 10.0, 22_050);
            let t = detect_tempo(&x, 22_050, 1).unwrap();
            assert!((t.bpm / bpm - 1.0).abs() < 0.01, "{bpm}: {t:?}");
            assert!(t.confidence > 0.5, "{bpm}: {t:?}");
        }
    }

    #[test]
    fn silence_and_short_input_have_no_tempo() {
        assert_eq!(detect_tempo(&vec![0.0; 44_100 * 5], 44_100, 1), None);
        assert_eq!(detect_tempo(&clicks(120.0, 1.0, 44_100), 44_100, 1), None);
    }
}
