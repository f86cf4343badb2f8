//! A streaming true-peak detector for the limiter: 4x oversampling with a 64-tap
//! Kaiser-windowed sinc (β = 6) split into four 16-tap polyphase branches, each normalised to
//! unity DC gain — the interpolator of ITU-R BS.1770-4 Annex 2 ([`interpolator`], which
//! `analysis::peak`'s block meter uses too); this one answers per sample. No allocation: the
//! history is a fixed array.
//!
//! Speed: a block's answers are computed eight at a time, each phase's dot product
//! vectorised across the eight outputs over one contiguous history slice (history, then the
//! block), on AVX2 when the CPU has it (one portable kernel, compiled twice, chosen once at
//! construction). The sums add the taps in the same order either way, so every path gives
//! the same bits.

use std::f64::consts::PI;

/// Oversampling factor.
pub const OVERSAMPLING: usize = 4;
/// Taps per polyphase branch.
pub const TAPS: usize = 16;

/// The 4x interpolator of BS.1770-4 Annex 2 as `[tap][phase]`: a 64-tap Kaiser-windowed sinc
/// (β = 6) split into four branches, each normalised to unity DC gain. The limiter's detector
/// and `analysis::peak`'s meter both use these taps.
pub fn interpolator() -> [[f32; OVERSAMPLING]; TAPS] {
    let n = TAPS * OVERSAMPLING;
    let center = (n - 1) as f64 / 2.0;
    let beta = 6.0;
    let mut h = [0.0f64; TAPS * OVERSAMPLING];
    for (i, v) in h.iter_mut().enumerate() {
        let t = (i as f64 - center) / OVERSAMPLING as f64;
        let sinc = if t.abs() < 1e-12 {
            1.0
        } else {
            (PI * t).sin() / (PI * t)
        };
        let r = (i as f64 - center) / center;
        *v = sinc * bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(beta);
    }
    let mut out = [[0.0f32; OVERSAMPLING]; TAPS];
    for p in 0..OVERSAMPLING {
        let sum: f64 = (0..TAPS).map(|k| h[k * OVERSAMPLING + p]).sum();
        for (k, row) in out.iter_mut().enumerate() {
            row[p] = (h[k * OVERSAMPLING + p] / sum) as f32;
        }
    }
    out
}

/// Inputs a [`TruePeak::process`] call handles per pass (its scratch size).
pub const BLOCK: usize = 64;
/// Outputs computed together: independent sums that hide the multiply-add latency and fill
/// a vector register (8 lanes of AVX, two of SSE), few enough to stay in registers.
const LANES: usize = 8;

/// Per-sample true-peak detector for one channel.
#[derive(Clone, Debug)]
pub struct TruePeak {
    /// `branches[p][j]` multiplies the input `j` samples back for output phase `p`.
    branches: [[f32; TAPS]; OVERSAMPLING],
    /// The last TAPS − 1 inputs, oldest first, then room for a block: every output's window
    /// is one contiguous slice, and a block's outputs are dot products over shifted slices.
    lin: [f32; TAPS - 1 + BLOCK],
    /// The CPU has AVX2 and FMA (checked once, at construction): the kernel runs 8-wide.
    avx2: bool,
}

impl Default for TruePeak {
    fn default() -> Self {
        TruePeak::new()
    }
}

impl TruePeak {
    /// How many input samples the detector's answer lags the input: [`TruePeak::push`]
    /// covers the signal between `DELAY` and `DELAY − 1` samples back.
    pub const DELAY: usize = 8;

    /// A detector with silent history.
    pub fn new() -> TruePeak {
        let taps = interpolator();
        let mut branches = [[0.0f32; TAPS]; OVERSAMPLING];
        for (p, branch) in branches.iter_mut().enumerate() {
            for (j, b) in branch.iter_mut().enumerate() {
                *b = taps[j][p];
            }
        }
        TruePeak {
            branches,
            lin: [0.0; TAPS - 1 + BLOCK],
            avx2: avx2_fma(),
        }
    }

    /// Takes one input sample and returns the largest |value| of the band-limited signal over
    /// [`TruePeak::DELAY`] … `DELAY − 1` samples back: that sample and the four interpolated
    /// points after it. Called on the audio thread.
    #[inline]
    pub fn push(&mut self, x: f32) -> f32 {
        let mut out = [0.0f32];
        self.process(&[x], &mut out);
        out[0]
    }

    /// [`TruePeak::push`] for each of `input` in turn: `out[k]` is what `push(input[k])`
    /// returns. Only the first `min(input.len(), out.len())` samples are taken. Called on the
    /// audio thread.
    pub fn process(&mut self, input: &[f32], out: &mut [f32]) {
        for (xs, os) in input.chunks(BLOCK).zip(out.chunks_mut(BLOCK)) {
            let n = xs.len().min(os.len());
            self.lin[TAPS - 1..TAPS - 1 + n].copy_from_slice(&xs[..n]);
            self.run(n, &mut os[..n]);
            self.lin.copy_within(n..n + TAPS - 1, 0);
        }
    }

    /// The kernel over the `n` new inputs in `lin`, by the fastest path the CPU has.
    fn run(&self, n: usize, out: &mut [f32]) {
        let lin = &self.lin[..TAPS - 1 + n];
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is true only when the CPU reported AVX2 and FMA.
            unsafe { peaks_avx2(&self.branches, lin, out) };
            return;
        }
        peaks(&self.branches, lin, out);
    }

    /// Forgets the history.
    pub fn reset(&mut self) {
        self.lin = [0.0; TAPS - 1 + BLOCK];
    }
}

/// True when the CPU can run the AVX2 + FMA kernels of `dsp` (x86-64 only; checked at run
/// time, so one binary serves every x86-64 machine).
pub(super) fn avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// [`peaks`] compiled for AVX2 + FMA.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn peaks_avx2(branches: &[[f32; TAPS]; OVERSAMPLING], lin: &[f32], out: &mut [f32]) {
    peaks(branches, lin, out)
}

/// `out[k]`: the detector's answer for the input at `lin[TAPS − 1 + k]` (`lin` holds TAPS − 1
/// samples of history first). Outputs go `LANES` at a time, each phase's sum vectorised
/// across them; the sums add the taps in the same order as a single output's would, so a
/// block's answers are bit-identical to one sample at a time.
#[inline(always)]
fn peaks(branches: &[[f32; TAPS]; OVERSAMPLING], lin: &[f32], out: &mut [f32]) {
    let n = out.len().min(lin.len() + 1 - TAPS);
    let mut k = 0;
    while k + LANES <= n {
        // One bounds check per group; the indices below are then provably in range.
        let w = &lin[k..k + TAPS - 1 + LANES];
        let mut acc = [[0.0f32; LANES]; OVERSAMPLING];
        for j in 0..TAPS {
            let x = &w[TAPS - 1 - j..TAPS - 1 - j + LANES];
            for (a, branch) in acc.iter_mut().zip(branches) {
                for (a, x) in a.iter_mut().zip(x) {
                    *a += branch[j] * x;
                }
            }
        }
        for (m, o) in out[k..k + LANES].iter_mut().enumerate() {
            let mut peak = w[TAPS - 1 + m - TruePeak::DELAY].abs();
            for a in &acc {
                peak = peak.max(a[m].abs());
            }
            *o = peak;
        }
        k += LANES;
    }
    for (k, o) in out.iter_mut().enumerate().take(n).skip(k) {
        let w = &lin[k..k + TAPS];
        let mut peak = w[TAPS - 1 - TruePeak::DELAY].abs();
        for branch in branches {
            let mut y = 0.0f32;
            for (j, c) in branch.iter().enumerate() {
                y += c * w[TAPS - 1 - j];
            }
            peak = peak.max(y.abs());
        }
        *o = peak;
    }
}

/// Modified Bessel function of the first kind, order 0 (power series).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let q = x * x / 4.0;
    for k in 1..50 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_rate_sine_at_45_degrees_reads_its_true_peak() {
        // Samples sit at ±0.7071·A; the waveform reaches A (+3.01 dB over the sample peak).
        let mut d = TruePeak::new();
        let mut peak = 0.0f32;
        for n in 0..4800 {
            let x = (std::f64::consts::FRAC_PI_2 * n as f64 + std::f64::consts::FRAC_PI_4).sin()
                as f32
                * 0.5;
            let p = d.push(x);
            if n > 100 {
                peak = peak.max(p);
            }
        }
        assert!((peak - 0.5).abs() < 0.5 * 0.025, "{peak}");
    }

    /// The detector's definition, one sample at a time: four dot products over the last
    /// TAPS inputs (a doubled ring, newest first).
    struct Reference {
        branches: [[f32; TAPS]; OVERSAMPLING],
        hist: [f32; 2 * TAPS],
        pos: usize,
    }

    impl Reference {
        fn new() -> Reference {
            Reference {
                branches: TruePeak::new().branches,
                hist: [0.0; 2 * TAPS],
                pos: 0,
            }
        }

        fn push(&mut self, x: f32) -> f32 {
            self.pos = (self.pos + TAPS - 1) % TAPS;
            self.hist[self.pos] = x;
            self.hist[self.pos + TAPS] = x;
            let window = &self.hist[self.pos..self.pos + TAPS];
            let mut peak = window[TruePeak::DELAY].abs();
            for branch in &self.branches {
                let y: f32 = branch.iter().zip(window).map(|(c, v)| c * v).sum();
                peak = peak.max(y.abs());
            }
            peak
        }
    }

    fn test_signal(n: usize) -> Vec<f32> {
        let mut noise = crate::dsp::Noise::new(7);
        (0..n)
            .map(|i| noise.next() * if i % 500 < 250 { 1.5 } else { 0.01 })
            .collect()
    }

    #[test]
    fn blocks_of_any_length_give_the_bits_of_one_sample_at_a_time() {
        let x = test_signal(3000);
        let mut reference = Reference::new();
        let want: Vec<f32> = x.iter().map(|v| reference.push(*v)).collect();
        for block in [1, 3, 8, 63, 64, 65, 256, 1000] {
            let mut d = TruePeak::new();
            let mut got = vec![0.0f32; x.len()];
            for (xs, os) in x.chunks(block).zip(got.chunks_mut(block)) {
                d.process(xs, os);
            }
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                assert_eq!(g.to_bits(), w.to_bits(), "block {block}, sample {i}");
            }
        }
        let mut d = TruePeak::new();
        let pushed: Vec<f32> = x.iter().map(|v| d.push(*v)).collect();
        assert_eq!(pushed, want);
    }

    #[test]
    fn the_portable_and_avx2_kernels_agree() {
        let x = test_signal(TAPS - 1 + BLOCK);
        let d = TruePeak::new();
        let mut portable = [0.0f32; BLOCK];
        peaks(&d.branches, &x, &mut portable);
        assert!(portable.iter().any(|p| *p > 1.0));
        #[cfg(target_arch = "x86_64")]
        if avx2_fma() {
            let mut avx2 = [0.0f32; BLOCK];
            // SAFETY: the CPU reported AVX2 and FMA.
            unsafe { peaks_avx2(&d.branches, &x, &mut avx2) };
            assert_eq!(portable, avx2);
        }
    }

    #[test]
    fn dc_reads_its_level_and_an_impulse_arrives_after_the_delay() {
        let mut d = TruePeak::new();
        let mut last = 0.0;
        for _ in 0..64 {
            last = d.push(0.25);
        }
        assert!((last - 0.25).abs() < 1e-5);
        let mut d = TruePeak::new();
        let got: Vec<f32> = (0..20)
            .map(|n| d.push(if n == 0 { 1.0 } else { 0.0 }))
            .collect();
        assert_eq!(got[TruePeak::DELAY], 1.0);
        let argmax = (0..20)
            .max_by(|a, b| got[*a].total_cmp(&got[*b]))
            .unwrap_or(0);
        assert_eq!(argmax, TruePeak::DELAY);
    }
}
