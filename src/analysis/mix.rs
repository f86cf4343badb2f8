//! Mix figures: what the assistant's mixing and mastering advice reads. One streaming meter
//! per buffer (the master, and one per track's stem) measures integrated loudness, loudness
//! range, true and sample peak, RMS and clipped samples with the existing loudness and peak
//! meters, plus two things they do not: the energy in a fixed set of frequency bands
//! ([`BANDS`], from a Hann-windowed FFT, so a band holds exactly the bins inside its edges)
//! and the correlation of left and right below 120 Hz (after a 4th-order Linkwitz–Riley
//! low-pass, the usual crossover of a mono-maker). Nothing here renders: `engine::measure`
//! feeds it the render's blocks, the tests feed it synthetic signals.

use super::loudness::LoudnessAnalyzer;
use super::peak::{amplitude_db, PeakMeter};
use crate::dsp::{Biquad, BiquadKind};
use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};
use serde::Serialize;
use std::sync::Arc;

/// One frequency band: its name and its edges in Hz.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub name: &'static str,
    pub low_hz: f64,
    pub high_hz: f64,
}

/// The bands every stem is measured in (the order of `bands_db`).
pub const BANDS: [Band; 5] = [
    Band {
        name: "sub",
        low_hz: 0.0,
        high_hz: 60.0,
    },
    Band {
        name: "low",
        low_hz: 60.0,
        high_hz: 250.0,
    },
    Band {
        name: "low-mid",
        low_hz: 250.0,
        high_hz: 2000.0,
    },
    Band {
        name: "high-mid",
        low_hz: 2000.0,
        high_hz: 6000.0,
    },
    Band {
        name: "high",
        low_hz: 6000.0,
        high_hz: f64::INFINITY,
    },
];

/// A band with no energy reads this (dB), rather than -inf.
pub const SILENT_DB: f64 = -120.0;
/// The correlation's crossover.
pub const LOW_HZ: f64 = 120.0;
/// Below this level (dBFS RMS of the low-passed signal) there is no low end to correlate.
const LOW_FLOOR_DB: f64 = -60.0;
/// FFT length: 4096 at 48 kHz resolves 11.7 Hz, enough for the 60 Hz edge.
const FFT_LEN: usize = 4096;

/// What one buffer (the master or a stem) measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub integrated_lufs: Option<f64>,
    pub loudness_range_lu: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
    pub rms_dbfs: Option<f64>,
    /// Samples (of any channel) at or over full scale.
    pub clipped_samples: u64,
    /// Mean power per band of [`BANDS`], dB (a full-scale sine in one band reads -3.01);
    /// [`SILENT_DB`] for an empty band.
    pub bands_db: Vec<f64>,
    /// Correlation of left and right below [`LOW_HZ`]: 1 mono, 0 unrelated, -1 anti-phase;
    /// `None` when the low end is quieter than -60 dBFS.
    pub low_correlation: Option<f64>,
    pub seconds: f64,
}

/// A whole mix: the master and one stem per track, in project order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MixReport {
    pub sample_rate: u32,
    pub master: Figures,
    pub tracks: Vec<(String, Figures)>,
}

/// Streaming meter of one stereo (or mono) buffer: feed interleaved blocks, then `finish`.
pub struct MixMeter {
    rate: u32,
    channels: usize,
    loudness: Option<LoudnessAnalyzer>,
    peaks: PeakMeter,
    clipped: u64,
    bands: BandMeter,
    low: LowCorrelation,
}

impl MixMeter {
    /// A meter for `channels` (1 or more; the first two are left and right) at `rate` Hz.
    pub fn new(rate: u32, channels: u16) -> MixMeter {
        let channels = usize::from(channels.max(1));
        MixMeter {
            rate,
            channels,
            loudness: LoudnessAnalyzer::new(rate, channels as u16).ok(),
            peaks: PeakMeter::new(channels),
            clipped: 0,
            bands: BandMeter::new(rate),
            low: LowCorrelation::new(rate),
        }
    }

    /// Feeds interleaved samples (whole frames).
    pub fn push(&mut self, interleaved: &[f32]) {
        if let Some(l) = &mut self.loudness {
            l.push(interleaved);
        }
        self.peaks.push(interleaved);
        self.clipped += interleaved.iter().filter(|x| x.abs() >= 1.0).count() as u64;
        let ch = self.channels;
        for frame in interleaved.chunks_exact(ch) {
            let (l, r) = (f64::from(frame[0]), f64::from(frame[ch.min(2) - 1]));
            self.bands.push(l, r);
            self.low.push(l, r);
        }
    }

    /// Feeds one block of separate left and right channels (the renderer's layout); a meter
    /// of another channel count hears their mid. `scratch` is reused between blocks.
    pub fn push_stereo(&mut self, left: &[f32], right: &[f32], scratch: &mut Vec<f32>) {
        scratch.clear();
        for (&l, &r) in left.iter().zip(right) {
            if self.channels == 2 {
                scratch.extend([l, r]);
            } else {
                let mid = 0.5 * (l + r);
                scratch.extend(std::iter::repeat_n(mid, self.channels));
            }
        }
        let block = std::mem::take(scratch);
        self.push(&block);
        *scratch = block;
    }

    /// Every figure of what was fed.
    pub fn finish(self) -> Figures {
        let l = self.loudness.map(|l| l.finish()).unwrap_or_default();
        let round2 = |v: Option<f64>| {
            v.filter(|x| x.is_finite())
                .map(|x| (x * 100.0).round() / 100.0)
        };
        let frames = self.peaks.frames();
        Figures {
            integrated_lufs: round2(l.integrated),
            loudness_range_lu: round2(l.range),
            true_peak_dbtp: round2(amplitude_db(f64::from(self.peaks.true_peak()))),
            sample_peak_dbfs: round2(amplitude_db(f64::from(self.peaks.sample_peak()))),
            rms_dbfs: round2(amplitude_db(self.peaks.rms())),
            clipped_samples: self.clipped,
            bands_db: self.bands.finish(),
            low_correlation: self.low.finish(),
            seconds: frames as f64 / f64::from(self.rate.max(1)),
        }
    }
}

/// Measures interleaved buffers at once: the master and named stems.
pub fn measure_buffers(
    rate: u32,
    channels: u16,
    master: &[f32],
    stems: &[(String, Vec<f32>)],
) -> MixReport {
    let one = |buf: &[f32]| {
        let mut m = MixMeter::new(rate, channels);
        for block in buf.chunks(4096 * usize::from(channels.max(1))) {
            m.push(block);
        }
        m.finish()
    };
    MixReport {
        sample_rate: rate,
        master: one(master),
        tracks: stems.iter().map(|(n, b)| (n.clone(), one(b))).collect(),
    }
}

/// Band energies from Hann-windowed FFT frames overlapping by half (the Hann's constant
/// overlap), averaged over the whole buffer and over left and right (each channel has its own
/// spectrum: a mid sum would hide an anti-phase low end).
struct BandMeter {
    fft: Arc<dyn RealToComplex<f64>>,
    frames_lr: [Vec<f64>; 2],
    window: Vec<f64>,
    spectrum: Vec<Complex<f64>>,
    work: Vec<f64>,
    /// The band of each bin, or `None` past the last band (never: the last is open).
    bin_band: Vec<usize>,
    sums: [f64; BANDS.len()],
    frames: u64,
    window_power: f64,
}

impl BandMeter {
    fn new(rate: u32) -> BandMeter {
        let fft = RealFftPlanner::<f64>::new().plan_fft_forward(FFT_LEN);
        let window: Vec<f64> = (0..FFT_LEN)
            .map(|i| {
                let x = std::f64::consts::PI * i as f64 / FFT_LEN as f64;
                x.sin() * x.sin()
            })
            .collect();
        let window_power = window.iter().map(|w| w * w).sum();
        let bin_hz = f64::from(rate) / FFT_LEN as f64;
        let bin_band = (0..=FFT_LEN / 2)
            .map(|k| {
                let f = k as f64 * bin_hz;
                BANDS
                    .iter()
                    .position(|b| f >= b.low_hz && f < b.high_hz)
                    .unwrap_or(BANDS.len() - 1)
            })
            .collect();
        BandMeter {
            spectrum: fft.make_output_vec(),
            work: vec![0.0; FFT_LEN],
            fft,
            frames_lr: [Vec::with_capacity(FFT_LEN), Vec::with_capacity(FFT_LEN)],
            window,
            bin_band,
            sums: [0.0; BANDS.len()],
            frames: 0,
            window_power,
        }
    }

    fn push(&mut self, l: f64, r: f64) {
        self.frames_lr[0].push(l);
        self.frames_lr[1].push(r);
        if self.frames_lr[0].len() == FFT_LEN {
            self.analyse();
            for f in &mut self.frames_lr {
                f.drain(..FFT_LEN / 2);
            }
        }
    }

    fn analyse(&mut self) {
        // Parseval over the two-sided spectrum: every bin but DC and Nyquist counts twice;
        // dividing by N·Σw² gives the mean square of the (un-windowed) signal; half of it
        // comes from each channel.
        let norm = 0.5 / (FFT_LEN as f64 * self.window_power);
        for ch in 0..2 {
            let frame = &self.frames_lr[ch];
            for ((w, &x), &h) in self.work.iter_mut().zip(frame).zip(&self.window) {
                *w = x * h;
            }
            if self
                .fft
                .process(&mut self.work, &mut self.spectrum)
                .is_err()
            {
                return;
            }
            let last = self.spectrum.len() - 1;
            for (k, c) in self.spectrum.iter().enumerate() {
                let twice = if k == 0 || k == last { 1.0 } else { 2.0 };
                self.sums[self.bin_band[k]] += twice * c.norm_sqr() * norm;
            }
        }
        self.frames += 1;
    }

    fn finish(mut self) -> Vec<f64> {
        // A buffer shorter than one frame (or its tail) is zero-padded into one last frame.
        if self.frames == 0 || self.frames_lr[0].len() > FFT_LEN / 2 {
            let have = self.frames_lr[0].len();
            if have > 0 {
                for f in &mut self.frames_lr {
                    f.resize(FFT_LEN, 0.0);
                }
                self.analyse();
                if self.frames == 1 {
                    // Only the padded frame: scale its power back to the samples it held.
                    let k = FFT_LEN as f64 / have as f64;
                    self.sums.iter_mut().for_each(|s| *s *= k);
                }
            }
        }
        let n = self.frames.max(1) as f64;
        self.sums
            .iter()
            .map(|&s| {
                let p = s / n;
                if p > 1e-12 {
                    10.0 * p.log10()
                } else {
                    SILENT_DB
                }
            })
            .collect()
    }
}

/// Left/right correlation after a Linkwitz–Riley (two Butterworth biquads) low-pass.
struct LowCorrelation {
    left: [Biquad; 2],
    right: [Biquad; 2],
    lr: f64,
    ll: f64,
    rr: f64,
    n: u64,
}

impl LowCorrelation {
    fn new(rate: u32) -> LowCorrelation {
        let lp = || Biquad::new(BiquadKind::Lowpass, rate, LOW_HZ as f32, 0.707_106_77, 0.0);
        LowCorrelation {
            left: [lp(), lp()],
            right: [lp(), lp()],
            lr: 0.0,
            ll: 0.0,
            rr: 0.0,
            n: 0,
        }
    }

    fn push(&mut self, l: f64, r: f64) {
        let l = self.left[0].process_f64(l);
        let l = self.left[1].process_f64(l);
        let r = self.right[0].process_f64(r);
        let r = self.right[1].process_f64(r);
        self.lr += l * r;
        self.ll += l * l;
        self.rr += r * r;
        self.n += 1;
    }

    fn finish(self) -> Option<f64> {
        let n = self.n.max(1) as f64;
        let mean_square = (self.ll + self.rr) / (2.0 * n);
        let floor = 10f64.powf(LOW_FLOOR_DB / 10.0);
        if mean_square < floor || self.ll <= 0.0 || self.rr <= 0.0 {
            return None;
        }
        let c = self.lr / (self.ll * self.rr).sqrt();
        Some((c.clamp(-1.0, 1.0) * 1000.0).round() / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(rate: u32, hz: f64, amp: f64, secs: f64) -> Vec<f32> {
        let n = (f64::from(rate) * secs) as usize;
        (0..n)
            .map(|i| {
                (amp * (2.0 * std::f64::consts::PI * hz * i as f64 / f64::from(rate)).sin()) as f32
            })
            .collect()
    }

    fn stereo(l: &[f32], r: &[f32]) -> Vec<f32> {
        l.iter().zip(r).flat_map(|(&a, &b)| [a, b]).collect()
    }

    #[test]
    fn a_sine_lands_in_its_band_at_its_power() {
        for (hz, band) in [
            (50.0, 0),
            (100.0, 1),
            (1000.0, 2),
            (3000.0, 3),
            (10_000.0, 4),
        ] {
            let s = sine(48_000, hz, 0.5, 2.0);
            let r = measure_buffers(48_000, 2, &stereo(&s, &s), &[]);
            let b = &r.master.bands_db;
            let loudest = (0..BANDS.len())
                .max_by(|&i, &j| b[i].total_cmp(&b[j]))
                .unwrap();
            assert_eq!(loudest, band, "{hz} Hz: {b:?}");
            // Amplitude 0.5: mean square 0.125 = -9.03 dB.
            assert!((b[band] + 9.03).abs() < 0.3, "{hz} Hz: {b:?}");
            let others = b.iter().enumerate().filter(|(i, _)| *i != band);
            assert!(
                others.into_iter().all(|(_, &v)| v < b[band] - 20.0),
                "{b:?}"
            );
        }
    }

    #[test]
    fn low_end_correlation_reads_mono_and_anti_phase() {
        let s = sine(48_000, 60.0, 0.5, 1.0);
        let neg: Vec<f32> = s.iter().map(|x| -x).collect();
        let mono = measure_buffers(48_000, 2, &stereo(&s, &s), &[]);
        assert_eq!(mono.master.low_correlation, Some(1.0));
        let anti = measure_buffers(48_000, 2, &stereo(&s, &neg), &[]);
        let c = anti.master.low_correlation.unwrap();
        assert!((c + 1.0).abs() < 0.01, "{c}");
        // Only highs: no low end to judge.
        let hi = sine(48_000, 5000.0, 0.5, 1.0);
        let r = measure_buffers(48_000, 2, &stereo(&hi, &hi), &[]);
        assert_eq!(r.master.low_correlation, None);
    }

    #[test]
    fn peaks_loudness_and_clipping() {
        let s = sine(48_000, 1000.0, 1.2, 1.0);
        let r = measure_buffers(48_000, 2, &stereo(&s, &s), &[("a".into(), vec![0.0; 9600])]);
        assert!(r.master.clipped_samples > 1000);
        assert!(r.master.sample_peak_dbfs.unwrap() > 1.5);
        assert!(r.master.integrated_lufs.is_some());
        let silent = &r.tracks[0].1;
        assert_eq!(silent.integrated_lufs, None);
        assert!(silent.bands_db.iter().all(|&b| b == SILENT_DB));
        assert_eq!(silent.clipped_samples, 0);
        assert!((silent.seconds - 0.1).abs() < 1e-9);
    }
}
