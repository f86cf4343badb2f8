//! An eight-band stereo parametric EQ. Each band is one RBJ Audio EQ Cookbook biquad (the
//! coefficients of the crate's [`Biquad`]; here in direct form I with f64 state, both
//! channels together, denormals flushed) — or, for a low- or high-pass at 24 dB per octave,
//! two cascaded sections with a Butterworth-style Q split ([`pass24_qs`]). A band that is off
//! costs nothing.
//!
//! Sweeps do not click: frequency (in octaves), gain (in dB) and Q (in octaves) glide linearly
//! over [`GLIDE_S`] and the coefficients are recomputed every [`SUB_BLOCK`] samples, counted
//! from the start of the stream, so the output does not depend on how the host cuts blocks. A
//! change of band type or slope crossfades from the old filter to the new one over [`FADE_S`].
//!
//! Cost: while nothing glides or fades (the usual case) a block skips the sub-block clock and
//! runs every active section frame by frame in one loop ([`run_sections`]), coefficients and
//! states in registers, left and right side by side in one SIMD register; the sections'
//! recursions overlap in the CPU instead of each waiting on its own previous sample. The
//! arithmetic per section and sample is the same on both paths, so the output is
//! bit-identical to the sub-block path. The kernel is built twice, portable and AVX2 with
//! fused multiply-adds ([`Isa`]); the CPU picks when the EQ is built.

use super::simd::{Fma, Fused, Isa, Unfused};
use super::{Biquad, BiquadKind, Smoothed};

/// Bands per EQ.
pub const EQ_BANDS: usize = 8;
/// Samples between coefficient updates while a band glides.
pub const SUB_BLOCK: usize = 16;
/// How long a change of frequency, gain or Q takes, in seconds.
pub const GLIDE_S: f32 = 0.02;
/// How long a change of band type or slope crossfades, in seconds.
pub const FADE_S: f32 = 0.01;

/// The response of one band, in the registry's order (`model::fx::EQ_TYPES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BandType {
    Off,
    Peak,
    LowShelf,
    HighShelf,
    Lowpass,
    Highpass,
    Notch,
    Bandpass,
}

impl BandType {
    /// Every type, in index order.
    pub const ALL: [BandType; 8] = [
        BandType::Off,
        BandType::Peak,
        BandType::LowShelf,
        BandType::HighShelf,
        BandType::Lowpass,
        BandType::Highpass,
        BandType::Notch,
        BandType::Bandpass,
    ];

    /// The type at registry index `i` (rounded); anything outside the list is `Off`.
    pub fn from_index(i: f64) -> BandType {
        if i.is_finite() && i >= 0.0 {
            *BandType::ALL
                .get(i.round() as usize)
                .unwrap_or(&BandType::Off)
        } else {
            BandType::Off
        }
    }

    /// The type's name as the registry spells it.
    pub fn name(self) -> &'static str {
        match self {
            BandType::Off => "off",
            BandType::Peak => "peak",
            BandType::LowShelf => "lowshelf",
            BandType::HighShelf => "highshelf",
            BandType::Lowpass => "lowpass",
            BandType::Highpass => "highpass",
            BandType::Notch => "notch",
            BandType::Bandpass => "bandpass",
        }
    }

    /// The cookbook filter of this type (`None` for off).
    pub fn biquad_kind(self) -> Option<BiquadKind> {
        match self {
            BandType::Off => None,
            BandType::Peak => Some(BiquadKind::Peak),
            BandType::LowShelf => Some(BiquadKind::LowShelf),
            BandType::HighShelf => Some(BiquadKind::HighShelf),
            BandType::Lowpass => Some(BiquadKind::Lowpass),
            BandType::Highpass => Some(BiquadKind::Highpass),
            BandType::Notch => Some(BiquadKind::Notch),
            BandType::Bandpass => Some(BiquadKind::Bandpass),
        }
    }

    /// Whether the slope applies (low- and high-pass).
    pub fn is_pass(self) -> bool {
        matches!(self, BandType::Lowpass | BandType::Highpass)
    }
}

/// The Q of the two sections of a 24 dB/octave pass band with Q `q`: the fourth-order
/// Butterworth pair (0.5412, 1.3066) when `q` = 1/√2, the second section's Q scaled with `q`
/// so the band's Q still sets the resonance at the corner.
pub fn pass24_qs(q: f32) -> [f32; 2] {
    const Q1: f32 = 0.541_196_1; // 1 / (2 cos(π/8))
    const Q2_PER_Q: f32 = 1.847_759; // 1.306563 / 0.7071068 = 2 cos(π/8)
    [Q1, q * Q2_PER_Q]
}

/// One biquad section of a channel pair in direct form I with f64 state: the cookbook
/// coefficients (shared by both channels) and each channel's last two inputs and outputs.
/// Direct form I keeps the recursion to one multiply-add per sample (`a1·y[n−1]`), where the
/// transposed form II of [`Biquad`] chains three operations.
#[derive(Clone, Copy, Debug)]
struct Section {
    /// `[b0, b1, b2, a1, a2]`, `a0` = 1.
    c: [f64; 5],
    /// `[x[n−1], x[n−2], y[n−1], y[n−2]]`, each `[left, right]`.
    s: [[f64; 2]; 4],
}

impl Section {
    const IDENTITY: Section = Section {
        c: [1.0, 0.0, 0.0, 0.0, 0.0],
        s: [[0.0; 2]; 4],
    };

    fn reset(&mut self) {
        self.s = [[0.0; 2]; 4];
    }

    /// Keeps subnormals out of the state once the input has gone quiet (once per block: the
    /// state cannot decay from 1e-30 to the subnormal range inside one).
    fn flush(&mut self) {
        for v in self.s.iter_mut().flatten() {
            if v.abs() < 1.0e-30 {
                *v = 0.0;
            }
        }
    }
}

/// Two sections (at most) of one band.
type Sections = [Section; 2];

fn identity_sections() -> Sections {
    [Section::IDENTITY; 2]
}

/// One band: its targets, glides, running filters and (during a type change) the filters it
/// fades out of.
#[derive(Clone, Debug)]
struct Band {
    kind: BandType,
    slope24: bool,
    freq: f32,
    gain_db: f32,
    q: f32,
    /// log2 of the frequency, gliding.
    log_freq: Smoothed,
    gain: Smoothed,
    /// log2 of Q, gliding.
    log_q: Smoothed,
    /// The glide target changed and the coefficients have not caught up.
    dirty: bool,
    secs: Sections,
    n: usize,
    old: Sections,
    old_n: usize,
    /// Samples left in the crossfade from `old` to `secs`.
    fade: u32,
}

impl Band {
    fn new(glide: u32) -> Band {
        let (freq, q) = (1000.0f32, std::f32::consts::FRAC_1_SQRT_2);
        Band {
            kind: BandType::Off,
            slope24: false,
            freq,
            gain_db: 0.0,
            q,
            log_freq: Smoothed::with_samples(freq.log2(), glide),
            gain: Smoothed::with_samples(0.0, glide),
            log_q: Smoothed::with_samples(q.log2(), glide),
            dirty: false,
            secs: identity_sections(),
            n: 0,
            old: identity_sections(),
            old_n: 0,
            fade: 0,
        }
    }

    fn sections(&self) -> usize {
        match self.kind {
            BandType::Off => 0,
            k if k.is_pass() && self.slope24 => 2,
            _ => 1,
        }
    }

    fn gliding(&self) -> bool {
        self.log_freq.is_smoothing() || self.gain.is_smoothing() || self.log_q.is_smoothing()
    }

    /// Jumps every glide to its target and recomputes (an off band, a fresh build).
    fn snap(&mut self, rate: u32) {
        self.log_freq.set_immediate(self.freq.log2());
        self.gain.set_immediate(self.gain_db);
        self.log_q.set_immediate(self.q.log2());
        self.dirty = false;
        self.compute(rate, self.freq, self.gain_db, self.q);
    }

    /// Sets the coefficients of the running sections from these values, keeping the state.
    fn compute(&mut self, rate: u32, freq: f32, gain_db: f32, q: f32) {
        let Some(kind) = self.kind.biquad_kind() else {
            return;
        };
        let qs = if self.n == 2 { pass24_qs(q) } else { [q, q] };
        for (sec, q) in self.secs[..self.n].iter_mut().zip(qs) {
            sec.c = Biquad::new(kind, rate, freq, q, gain_db).coefficients();
        }
    }

    /// Advances the glides by one sub-block and updates the coefficients if they moved.
    fn glide(&mut self, rate: u32) {
        if !self.dirty && !self.gliding() {
            return;
        }
        self.dirty = false;
        let (f, g, q) = (self.log_freq.next(), self.gain.next(), self.log_q.next());
        if self.gliding() {
            self.compute(rate, f.exp2(), g, q.exp2());
        } else {
            // Landed: the exact values, not their round trip through log2.
            self.compute(rate, self.freq, self.gain_db, self.q);
        }
    }

    /// Changes type or slope: the running filters become the ones faded out of.
    fn change_shape(&mut self, kind: BandType, slope24: bool, rate: u32, fade_len: u32) {
        let was_off = self.kind == BandType::Off;
        self.old = self.secs;
        self.old_n = self.n;
        self.kind = kind;
        self.slope24 = slope24;
        self.n = self.sections();
        self.secs.iter_mut().for_each(Section::reset);
        if was_off {
            self.snap(rate);
        } else {
            self.compute(
                rate,
                self.log_freq.value().exp2(),
                self.gain.value(),
                self.log_q.value().exp2(),
            );
            self.dirty = true;
        }
        self.fade = if self.old_n == 0 && self.n == 0 {
            0
        } else {
            fade_len
        };
    }

    /// Filters one sub-block (at most [`SUB_BLOCK`] frames) in place.
    fn run(&mut self, isa: Isa, l: &mut [f32], r: &mut [f32], fade_len: u32) {
        if self.fade == 0 {
            run_sections(isa, &mut self.secs[..self.n], l, r);
            return;
        }
        let len = l.len();
        let (mut ol, mut or) = ([0.0f32; SUB_BLOCK], [0.0f32; SUB_BLOCK]);
        ol[..len].copy_from_slice(l);
        or[..len].copy_from_slice(r);
        run_sections(
            isa,
            &mut self.old[..self.old_n],
            &mut ol[..len],
            &mut or[..len],
        );
        run_sections(isa, &mut self.secs[..self.n], l, r);
        for i in 0..len {
            let t = 1.0 - self.fade as f32 / fade_len as f32;
            l[i] = ol[i] + (l[i] - ol[i]) * t;
            r[i] = or[i] + (r[i] - or[i]) * t;
            self.fade = self.fade.saturating_sub(1);
        }
    }
}

/// Runs `secs` in order over a stereo block, frame by frame, with the build of the kernel
/// `isa` names. Each section's output is rounded to f32 before the next one, as a chain of
/// separate f32 filters would be, so cutting the cascade into runs (per band, per group of
/// four) gives the same output bit for bit.
fn run_sections(isa: Isa, secs: &mut [Section], l: &mut [f32], r: &mut [f32]) {
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `isa` is Avx2Fma only when `Isa::detect` found both features.
        Isa::Avx2Fma => unsafe { run_sections_avx2(secs, l, r) },
        _ => run_groups::<Unfused>(secs, l, r),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_sections_avx2(secs: &mut [Section], l: &mut [f32], r: &mut [f32]) {
    run_groups::<Fused>(secs, l, r);
}

/// The cascade in groups of up to four sections, each group with its states in registers.
#[inline(always)]
fn run_groups<F: Fma>(secs: &mut [Section], l: &mut [f32], r: &mut [f32]) {
    for group in secs.chunks_mut(4) {
        match group.len() {
            1 => cascade::<F, 1>(group, l, r),
            2 => cascade::<F, 2>(group, l, r),
            3 => cascade::<F, 3>(group, l, r),
            _ => cascade::<F, 4>(group, l, r),
        }
    }
}

/// `N` sections over the block: coefficients and state copied into locals (registers), both
/// channels side by side, no branch in the loop; the state is flushed and stored after it.
#[inline(always)]
fn cascade<F: Fma, const N: usize>(secs: &mut [Section], l: &mut [f32], r: &mut [f32]) {
    let mut st: [Section; N] = std::array::from_fn(|i| secs[i]);
    let c: [[f64; 5]; N] = std::array::from_fn(|i| {
        let [b0, b1, b2, a1, a2] = secs[i].c;
        [b0, b1, b2, -a1, -a2]
    });
    for (xl, xr) in l.iter_mut().zip(r.iter_mut()) {
        let mut x = [*xl as f64, *xr as f64];
        for (sec, &[b0, b1, b2, na1, na2]) in st.iter_mut().zip(&c) {
            let [x1, x2, y1, y2] = sec.s;
            let mut y = [0.0f64; 2];
            for ch in 0..2 {
                // The feed-forward part and a2 first; a1·y[n−1] last, so the recursion
                // waits on one multiply-add.
                let acc = F::madd(b2, x2[ch], na2 * y2[ch]);
                let acc = F::madd(b1, x1[ch], acc);
                let acc = F::madd(b0, x[ch], acc);
                y[ch] = F::madd(na1, y1[ch], acc);
            }
            sec.s = [x, x1, y, y1];
            x = [y[0] as f32 as f64, y[1] as f32 as f64];
        }
        *xl = x[0] as f32;
        *xr = x[1] as f32;
    }
    for (d, s) in secs.iter_mut().zip(st.iter_mut()) {
        s.flush();
        d.s = s.s;
    }
}

/// The EQ. Setters take effect at the next sub-block boundary, gliding; never allocate.
#[derive(Clone, Debug)]
pub struct Eq {
    rate: u32,
    bands: [Band; EQ_BANDS],
    fade_len: u32,
    /// Samples since the last coefficient update (the sub-block clock).
    phase: usize,
    /// Scratch for the steady path: the active sections side by side, in band order.
    cascade: [Section; MAX_SECTIONS],
    /// Which build of the filter kernel runs.
    isa: Isa,
}

/// Most sections an EQ runs at once (two per band).
const MAX_SECTIONS: usize = 2 * EQ_BANDS;

impl Eq {
    /// An EQ at `rate` with every band off (peak defaults: 1 kHz, 0 dB, Q 0.707, 12 dB/oct).
    pub fn new(rate: u32) -> Eq {
        Eq::with_isa(rate, Isa::detect())
    }

    /// [`Eq::new`] running the kernel built for `isa` (tests compare the builds).
    pub fn with_isa(rate: u32, isa: Isa) -> Eq {
        let rate = rate.max(1);
        let glide = ((GLIDE_S * rate as f32) / SUB_BLOCK as f32)
            .round()
            .max(1.0) as u32;
        Eq {
            rate,
            bands: std::array::from_fn(|_| Band::new(glide)),
            fade_len: (FADE_S * rate as f32).round().max(1.0) as u32,
            phase: 0,
            cascade: [Section::IDENTITY; MAX_SECTIONS],
            isa,
        }
    }

    /// Sets band `band`'s type (crossfaded). Out-of-range bands are ignored.
    /// Called on the audio thread.
    pub fn set_type(&mut self, band: usize, kind: BandType) {
        let (rate, fade) = (self.rate, self.fade_len);
        if let Some(b) = self.bands.get_mut(band) {
            if b.kind != kind {
                let slope = b.slope24;
                b.change_shape(kind, slope, rate, fade);
            }
        }
    }

    /// Sets band `band`'s frequency in Hz (gliding); kept inside 10 Hz … 0.49·rate.
    /// Called on the audio thread.
    pub fn set_freq(&mut self, band: usize, hz: f32) {
        let hz = if hz.is_finite() { hz } else { 1000.0 };
        let hz = hz.clamp(10.0, 0.49 * self.rate as f32);
        self.update(band, |b| {
            b.freq = hz;
            b.log_freq.set_target(hz.log2());
        });
    }

    /// Sets band `band`'s gain in dB (peak and shelves; gliding); kept inside ±48 dB.
    /// Called on the audio thread.
    pub fn set_gain_db(&mut self, band: usize, db: f32) {
        let db = if db.is_finite() { db } else { 0.0 };
        let db = db.clamp(-48.0, 48.0);
        self.update(band, |b| {
            b.gain_db = db;
            b.gain.set_target(db);
        });
    }

    /// Sets band `band`'s Q (gliding); kept inside 0.025 … 40. Called on the audio thread.
    pub fn set_q(&mut self, band: usize, q: f32) {
        let q = if q.is_finite() { q } else { 0.707 };
        let q = q.clamp(0.025, 40.0);
        self.update(band, |b| {
            b.q = q;
            b.log_q.set_target(q.log2());
        });
    }

    /// Sets band `band`'s slope: 24 dB/octave when true, else 12 (pass types; crossfaded).
    /// Called on the audio thread.
    pub fn set_slope24(&mut self, band: usize, slope24: bool) {
        let (rate, fade) = (self.rate, self.fade_len);
        if let Some(b) = self.bands.get_mut(band) {
            if b.slope24 != slope24 {
                if b.kind.is_pass() {
                    let kind = b.kind;
                    b.change_shape(kind, slope24, rate, fade);
                } else {
                    b.slope24 = slope24;
                }
            }
        }
    }

    fn update(&mut self, band: usize, f: impl FnOnce(&mut Band)) {
        let rate = self.rate;
        if let Some(b) = self.bands.get_mut(band) {
            let before = (b.freq, b.gain_db, b.q);
            f(b);
            if before == (b.freq, b.gain_db, b.q) {
                // Automation re-sends unchanged values every block; they must not knock the
                // EQ off its steady path.
                return;
            }
            if b.kind == BandType::Off {
                // Nothing to glide from: the band starts from its new values when switched on.
                b.snap(rate);
            } else {
                b.dirty = true;
            }
        }
    }

    /// Ends every glide and crossfade at its target (a freshly built EQ must not fade in).
    /// Called on the audio thread.
    pub fn settle(&mut self) {
        let rate = self.rate;
        for b in self.bands.iter_mut() {
            b.fade = 0;
            b.snap(rate);
        }
    }

    /// Silences the filters' memory (a seek); parameters stay. Called on the audio thread.
    pub fn reset(&mut self) {
        self.settle();
        for b in self.bands.iter_mut() {
            b.secs
                .iter_mut()
                .chain(b.old.iter_mut())
                .for_each(Section::reset);
        }
    }

    /// Whether any band is on (or still fading out).
    pub fn is_active(&self) -> bool {
        self.bands.iter().any(|b| b.n > 0 || b.fade > 0)
    }

    /// The magnitude of band `band`'s current filters at `freq` Hz, in dB (0 for an off band):
    /// the sum over its sections of the cookbook response, for the UI's curve.
    pub fn band_magnitude_db(&self, band: usize, freq: f32) -> f64 {
        self.bands.get(band).map_or(0.0, |b| {
            b.secs[..b.n]
                .iter()
                .map(|s| Biquad::from_coefficients([s.c[0], s.c[1], s.c[2]], [s.c[3], s.c[4]]))
                .map(|s| s.magnitude_db(freq, self.rate))
                .sum()
        })
    }

    /// Whether no band glides, waits for a coefficient update or crossfades: then the
    /// coefficients cannot change inside a block.
    fn is_steady(&self) -> bool {
        self.bands
            .iter()
            .all(|b| b.fade == 0 && (b.n == 0 || (!b.dirty && !b.gliding())))
    }

    /// The steady path: the active sections copied into [`Eq::cascade`] (no allocation), run
    /// as one cascade, their state copied back.
    fn process_steady(&mut self, left: &mut [f32], right: &mut [f32]) {
        let secs = &mut self.cascade;
        let mut m = 0;
        for b in self.bands.iter() {
            for sec in &b.secs[..b.n] {
                secs[m] = *sec;
                m += 1;
            }
        }
        if m > 0 {
            run_sections(self.isa, &mut secs[..m], left, right);
        }
        let mut k = 0;
        for b in self.bands.iter_mut() {
            for sec in b.secs[..b.n].iter_mut() {
                *sec = secs[k];
                k += 1;
            }
        }
        // The sub-block clock keeps counting, so a later glide starts where it would have.
        self.phase = (self.phase + left.len()) % SUB_BLOCK;
    }

    /// Filters a stereo block in place. Called on the audio thread; never allocates.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        if self.is_steady() {
            self.process_steady(&mut left[..n], &mut right[..n]);
        } else {
            self.process_sub_blocks(&mut left[..n], &mut right[..n]);
        }
    }

    /// The general path: the sub-block clock, glides and crossfades band by band.
    fn process_sub_blocks(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        let mut start = 0;
        while start < n {
            let end = (start + SUB_BLOCK - self.phase).min(n);
            let update = self.phase == 0;
            let (rate, fade, isa) = (self.rate, self.fade_len, self.isa);
            for b in self.bands.iter_mut() {
                if b.n == 0 && b.fade == 0 {
                    continue;
                }
                if update {
                    b.glide(rate);
                }
                b.run(isa, &mut left[start..end], &mut right[start..end], fade);
            }
            self.phase = (self.phase + end - start) % SUB_BLOCK;
            start = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_bands_pass_the_input_bit_exactly() {
        let mut eq = Eq::new(48_000);
        eq.set_freq(3, 300.0);
        eq.set_gain_db(3, 12.0);
        let mut l: Vec<f32> = (0..300).map(|i| (i as f32 * 0.37).sin()).collect();
        let mut r = l.clone();
        let want = l.clone();
        eq.process(&mut l, &mut r);
        assert_eq!(l, want);
        assert_eq!(r, want);
        assert!(!eq.is_active());
    }

    #[test]
    fn type_order_is_stable_and_out_of_range_is_off() {
        for (i, t) in BandType::ALL.iter().enumerate() {
            assert_eq!(BandType::from_index(i as f64), *t);
        }
        assert_eq!(BandType::from_index(8.0), BandType::Off);
        assert_eq!(BandType::from_index(-1.0), BandType::Off);
        assert_eq!(BandType::from_index(f64::NAN), BandType::Off);
    }

    #[test]
    fn settled_band_has_the_cookbook_coefficients() {
        let mut eq = Eq::new(48_000);
        eq.set_type(0, BandType::Peak);
        eq.set_freq(0, 2_500.0);
        eq.set_gain_db(0, -7.5);
        eq.set_q(0, 2.2);
        // Let the glide land (30 ms), then compare with a fresh cookbook filter.
        let (mut l, mut r) = (vec![0.0f32; 1440], vec![0.0f32; 1440]);
        eq.process(&mut l, &mut r);
        let want = Biquad::new(BiquadKind::Peak, 48_000, 2_500.0, 2.2, -7.5);
        // One set of coefficients serves both channels.
        assert_eq!(eq.bands[0].secs[0].c, want.coefficients());
        assert!((eq.band_magnitude_db(0, 2_500.0) + 7.5).abs() < 1e-9);
    }

    #[test]
    fn butterworth_split_at_the_default_q() {
        let [a, b] = pass24_qs(std::f32::consts::FRAC_1_SQRT_2);
        assert!((a - 0.541_196).abs() < 1e-5);
        assert!((b - 1.306_563).abs() < 1e-5);
    }

    #[test]
    fn output_does_not_depend_on_block_cuts() {
        // A sweep set at sample 1024 in both runs; one cuts 256-frame blocks, the other
        // ragged ones. The sub-block clock counts from the stream start, so they agree.
        let input: Vec<f32> = (0..6_000).map(|i| (i as f32 * 0.05).sin() * 0.5).collect();
        let run = |cuts: &[usize]| {
            let mut eq = Eq::new(48_000);
            eq.set_type(1, BandType::Lowpass);
            eq.set_slope24(1, true);
            eq.settle();
            let (mut l, mut r) = (input.clone(), input.clone());
            let mut at = 0;
            let mut k = 0;
            for stop in [1_024, l.len()] {
                while at < stop {
                    let end = (at + cuts[k % cuts.len()]).min(stop);
                    eq.process(&mut l[at..end], &mut r[at..end]);
                    at = end;
                    k += 1;
                }
                eq.set_freq(1, 300.0);
                eq.set_q(1, 2.0);
            }
            (l, r)
        };
        let even = run(&[256]);
        assert_eq!(even, run(&[7, 100, 1, 33, 250]));
        assert_ne!(even.0, input);
    }

    #[test]
    fn the_steady_path_matches_the_sub_block_path_bit_for_bit() {
        let make = || {
            let mut eq = Eq::new(48_000);
            eq.set_type(0, BandType::LowShelf);
            eq.set_freq(0, 100.0);
            eq.set_gain_db(0, 3.0);
            eq.set_type(3, BandType::Peak);
            eq.set_gain_db(3, -4.0);
            eq.set_type(5, BandType::Highpass);
            eq.set_slope24(5, true);
            eq.set_freq(5, 40.0);
            eq.settle();
            eq
        };
        let input: Vec<f32> = (0..5_000)
            .map(|i| (i as f32 * 0.013).sin() * 0.7 + (i as f32 * 0.91).sin() * 0.2)
            .collect();
        let (mut steady, mut general) = (make(), make());
        assert!(steady.is_steady());
        let (mut l1, mut r1) = (input.clone(), input.clone());
        let (mut l2, mut r2) = (input.clone(), input.clone());
        for at in (0..input.len()).step_by(300) {
            let end = (at + 300).min(input.len());
            steady.process(&mut l1[at..end], &mut r1[at..end]);
            general.process_sub_blocks(&mut l2[at..end], &mut r2[at..end]);
        }
        assert_eq!((l1, r1), (l2, r2));
        // Re-sending an unchanged value (automation does, every block) keeps it steady; a
        // new one glides.
        steady.set_freq(0, 100.0);
        steady.set_gain_db(3, -4.0);
        assert!(steady.is_steady());
        steady.set_freq(0, 120.0);
        assert!(!steady.is_steady());
    }

    /// Three bands and a 24 dB/octave high-pass, the low-frequency sections where precision
    /// matters most.
    fn busy(isa: Isa) -> Eq {
        let mut eq = Eq::with_isa(48_000, isa);
        eq.set_type(0, BandType::LowShelf);
        eq.set_freq(0, 60.0);
        eq.set_gain_db(0, 6.0);
        eq.set_type(2, BandType::Peak);
        eq.set_freq(2, 1_000.0);
        eq.set_gain_db(2, -4.0);
        eq.set_q(2, 1.2);
        eq.set_type(4, BandType::HighShelf);
        eq.set_freq(4, 8_000.0);
        eq.set_gain_db(4, 2.0);
        eq.set_type(6, BandType::Highpass);
        eq.set_slope24(6, true);
        eq.set_freq(6, 20.0);
        eq.settle();
        eq
    }

    fn music(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| (i as f32 * 0.0137).sin() * 0.5 + (i as f32 * 0.71).sin() * 0.2)
            .collect()
    }

    #[test]
    fn direct_form_matches_the_cookbook_biquads() {
        // The same sections as separate transposed-form-II `Biquad`s, channel by channel.
        let input = music(20_000);
        let mut eq = busy(Isa::Portable);
        let mut want = input.clone();
        for b in eq.bands.iter() {
            for s in &b.secs[..b.n] {
                let mut f = Biquad::from_coefficients([s.c[0], s.c[1], s.c[2]], [s.c[3], s.c[4]]);
                f.process_block(&mut want);
            }
        }
        let (mut l, mut r) = (input.clone(), input);
        eq.process(&mut l, &mut r);
        assert_eq!(l, r);
        for (got, want) in l.iter().zip(&want) {
            assert!((got - want).abs() < 1e-5, "{got} vs {want}");
        }
    }

    #[test]
    fn portable_and_fma_builds_agree() {
        let input = music(20_000);
        let run = |isa: Isa| {
            let mut eq = busy(isa);
            let (mut l, mut r) = (input.clone(), input.iter().map(|x| -x).collect::<Vec<_>>());
            for at in (0..input.len()).step_by(256) {
                let end = (at + 256).min(input.len());
                eq.process(&mut l[at..end], &mut r[at..end]);
            }
            (l, r)
        };
        let (portable, best) = (run(Isa::Portable), run(Isa::detect()));
        assert_ne!(portable.0, input);
        for (a, b) in portable
            .0
            .iter()
            .zip(&best.0)
            .chain(portable.1.iter().zip(&best.1))
        {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }
}
