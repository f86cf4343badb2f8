//! A stereo-linked feed-forward compressor after Giannoulis, Massberg & Reiss ("Digital
//! Dynamic Range Compressor Design", JAES 2012): a level detector (peak, or RMS over
//! [`RMS_WINDOW_S`]) on the louder channel — or on an external sidechain when one is given —,
//! the quadratic soft-knee gain computer of [`static_curve_db`], and the decoupled
//! attack/release smoothing of the gain reduction in the log (dB) domain. Makeup gain and the
//! dry/wet `mix` glide; `mix` = 0 leaves the input bit-identical.
//!
//! Cost: a block is cut into chunks of 256 frames, each run as passes over scratch on the
//! stack so that everything without a recursion vectorizes — detector power, the gain
//! computer (a polynomial log2 and the knee with selects, no branches), the gain (polynomial
//! exp2), makeup and mix. The three recursions (RMS one-pole, release hold, attack one-pole)
//! run eight 32-frame stretches side by side and then stitch them ([`linear_scan`],
//! [`held_scan`]). The kernel is built twice, portable and AVX2 ([`Isa`]); the CPU picks.

use super::db::{fast_db_to_gain, fast_power_to_db};
use super::simd::Isa;
use super::{flush_denormal, Smoothed};

/// The RMS detector's averaging time constant, in seconds.
pub const RMS_WINDOW_S: f32 = 0.01;
/// How long a change of makeup or mix glides, in seconds.
pub const GLIDE_S: f32 = 0.02;

/// What the detector follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detector {
    /// The sample peak of the louder channel.
    Peak,
    /// The louder channel's mean square over [`RMS_WINDOW_S`].
    Rms,
}

/// The gain computer: output level in dB for input level `x_db`. Below `threshold − knee/2`
/// it is `x`; above `threshold + knee/2` it is `threshold + (x − threshold)/ratio`; in the
/// knee the quadratic `x + (1/ratio − 1)(x − threshold + knee/2)² / (2·knee)` joins them.
#[inline]
pub fn static_curve_db(x_db: f32, threshold_db: f32, ratio: f32, knee_db: f32) -> f32 {
    let over = x_db - threshold_db;
    let slope = 1.0 / ratio - 1.0;
    if 2.0 * over < -knee_db {
        x_db
    } else if 2.0 * over.abs() <= knee_db && knee_db > 0.0 {
        let k = over + knee_db / 2.0;
        x_db + slope * k * k / (2.0 * knee_db)
    } else {
        threshold_db + over / ratio
    }
}

/// One-pole coefficient for time constant `ms` at `rate`: the state moves 1 − 1/e of the way
/// in `ms`.
fn coef(ms: f32, rate: u32) -> f32 {
    (-1.0 / (ms.max(0.001) * 0.001 * rate as f32)).exp()
}

/// Frames per lane of a chunk: the scans run [`LANES`] stretches of up to `SEG` consecutive
/// frames side by side.
const SEG: usize = 32;
/// Stretches of a chunk processed in parallel (one 256-bit register of f32).
const LANES: usize = 8;
/// Most frames one pass over the scratch handles.
const CHUNK: usize = SEG * LANES;
/// Gain reductions (and their held stage) below this are zero, dB: keeps the recursions out
/// of subnormals and lets a silent input settle to exactly no reduction.
const GR_FLOOR_DB: f32 = 1.0e-6;

/// One value per lane.
type Lanes = [f32; LANES];
/// A chunk in lane layout: `grid[k][j]` is frame `j·seg + k` of the chunk.
type Grid = [Lanes; SEG];

/// `[a, a², …, a^SEG]`: the weight of a lane's starting state `k + 1` frames in.
fn powers(a: f32) -> [f32; SEG] {
    std::array::from_fn(|k| (a as f64).powi(k as i32 + 1) as f32)
}

/// The compressor.
#[derive(Clone, Debug)]
pub struct Compressor {
    rate: u32,
    threshold_db: f32,
    ratio: f32,
    knee_db: f32,
    attack: f32,
    release: f32,
    detector: Detector,
    rms_coef: f32,
    makeup_db: Smoothed,
    mix: Smoothed,
    /// Mean squares of the detector's two channels.
    ms: [f32; 2],
    /// The release-held gain reduction (decoupled peak detector's first stage), dB.
    held: f32,
    /// The smoothed gain reduction, dB (≥ 0).
    gr: f32,
    /// The detector power where the knee starts, `10^((threshold − knee/2)/10)`: below it the
    /// gain computer is the identity.
    knee_start_power: f32,
    /// Powers of the three one-pole coefficients (RMS, release, attack) for the scans.
    rms_pow: [f32; SEG],
    release_pow: [f32; SEG],
    attack_pow: [f32; SEG],
    isa: Isa,
}

impl Compressor {
    /// A compressor at `rate` with the registry's defaults: -18 dB, 4:1, 6 dB knee, 10 ms
    /// attack, 120 ms release, no makeup, peak detector, fully wet.
    pub fn new(rate: u32) -> Compressor {
        Compressor::with_isa(rate, Isa::detect())
    }

    /// [`Compressor::new`] running the kernel built for `isa` (tests compare the builds).
    pub fn with_isa(rate: u32, isa: Isa) -> Compressor {
        let rate = rate.max(1);
        let (attack, release) = (coef(10.0, rate), coef(120.0, rate));
        let rms_coef = 1.0 - coef(RMS_WINDOW_S * 1000.0, rate);
        Compressor {
            rate,
            threshold_db: -18.0,
            ratio: 4.0,
            knee_db: 6.0,
            attack,
            release,
            detector: Detector::Peak,
            rms_coef,
            makeup_db: Smoothed::new(0.0, rate, GLIDE_S),
            mix: Smoothed::new(1.0, rate, GLIDE_S),
            ms: [0.0; 2],
            held: 0.0,
            gr: 0.0,
            knee_start_power: 0.0,
            rms_pow: powers(1.0 - rms_coef),
            release_pow: powers(release),
            attack_pow: powers(attack),
            isa,
        }
        .with_knee_start()
    }

    /// Recomputes [`Compressor::knee_start_power`] after a threshold or knee change.
    fn with_knee_start(mut self) -> Compressor {
        self.update_knee_start();
        self
    }

    fn update_knee_start(&mut self) {
        self.knee_start_power = 10f32.powf((self.threshold_db - self.knee_db / 2.0) / 10.0);
    }

    /// The level where compression starts, dB. The gain reduction glides to the new curve at
    /// the attack/release speed. Called on the audio thread.
    pub fn set_threshold_db(&mut self, db: f32) {
        if db.is_finite() {
            self.threshold_db = db.clamp(-100.0, 24.0);
            self.update_knee_start();
        }
    }

    /// The ratio n:1 (at least 1). Called on the audio thread.
    pub fn set_ratio(&mut self, ratio: f32) {
        if ratio.is_finite() {
            self.ratio = ratio.clamp(1.0, 1000.0);
        }
    }

    /// The soft knee's width, dB (0: hard knee). Called on the audio thread.
    pub fn set_knee_db(&mut self, db: f32) {
        if db.is_finite() {
            self.knee_db = db.clamp(0.0, 48.0);
            self.update_knee_start();
        }
    }

    /// The attack time constant, ms. Called on the audio thread.
    pub fn set_attack_ms(&mut self, ms: f32) {
        if ms.is_finite() {
            self.attack = coef(ms, self.rate);
            self.attack_pow = powers(self.attack);
        }
    }

    /// The release time constant, ms. Called on the audio thread.
    pub fn set_release_ms(&mut self, ms: f32) {
        if ms.is_finite() {
            self.release = coef(ms, self.rate);
            self.release_pow = powers(self.release);
        }
    }

    /// Gain after compression, dB (gliding). Called on the audio thread.
    pub fn set_makeup_db(&mut self, db: f32) {
        if db.is_finite() {
            self.makeup_db.set_target(db.clamp(-60.0, 48.0));
        }
    }

    /// Peak or RMS detection. Called on the audio thread.
    pub fn set_detector(&mut self, d: Detector) {
        self.detector = d;
    }

    /// The wet share 0 … 1 (gliding). Called on the audio thread.
    pub fn set_mix(&mut self, mix: f32) {
        if mix.is_finite() {
            self.mix.set_target(mix.clamp(0.0, 1.0));
        }
    }

    /// The gain reduction now, dB (≥ 0; makeup not included). Called on the audio thread.
    pub fn gain_reduction_db(&self) -> f32 {
        self.gr
    }

    /// Ends the makeup and mix glides (a freshly built compressor must not fade in).
    /// Called on the audio thread.
    pub fn settle(&mut self) {
        self.makeup_db.set_immediate(self.makeup_db.target());
        self.mix.set_immediate(self.mix.target());
    }

    /// Forgets the detector's memory (a seek). Called on the audio thread.
    pub fn reset(&mut self) {
        self.settle();
        self.ms = [0.0; 2];
        self.held = 0.0;
        self.gr = 0.0;
    }

    /// Compresses a stereo block in place; `sidechain` (when given, as long as the block)
    /// drives the detector instead of the input. Called on the audio thread; never allocates.
    pub fn process(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        sidechain: Option<(&[f32], &[f32])>,
    ) {
        let n = left.len().min(right.len());
        let key = sidechain.filter(|(a, b)| a.len() >= n && b.len() >= n);
        let mut start = 0;
        while start < n {
            let end = (start + CHUNK).min(n);
            let key = key.map(|(a, b)| (&a[start..end], &b[start..end]));
            let (l, r) = (&mut left[start..end], &mut right[start..end]);
            match self.isa {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `isa` is Avx2Fma only when `Isa::detect` found both features.
                Isa::Avx2Fma => unsafe { self.chunk_avx2(l, r, key) },
                _ => self.chunk::<false>(l, r, key),
            }
            start = end;
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn chunk_avx2(&mut self, l: &mut [f32], r: &mut [f32], key: Option<(&[f32], &[f32])>) {
        self.chunk::<true>(l, r, key);
    }

    /// One chunk (at most [`CHUNK`] frames) as passes over lane-layout scratch: the detector
    /// input, the RMS one-poles, the gain computer, the held and attack stages, the gain. The
    /// passes without recursion vectorize as they stand; the one-poles run as [`LANES`]
    /// stretches side by side, each from a zero state, and then add the true starting
    /// state's decaying share (the held stage's `max` composes the same way, see
    /// [`held_scan`]), so a 256-frame chunk waits on 32 recursion steps instead of 256.
    ///
    /// `AVX` is true only in the AVX2 build ([`Compressor::chunk_avx2`]): the layout changes
    /// of a full chunk then go as 8×8 transposes in registers.
    #[inline(always)]
    fn chunk<const AVX: bool>(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        key: Option<(&[f32], &[f32])>,
    ) {
        let m = left.len().min(right.len()).min(CHUNK);
        if m == 0 {
            return;
        }
        let seg = m.div_ceil(LANES);
        let (kl, kr) = match key {
            Some((a, b)) => (&a[..m], &b[..m]),
            None => (&left[..m], &right[..m]),
        };
        // Detector power in lane layout (`nat`: frame-order scratch, used again at the end).
        let mut power: Grid = [[0.0; LANES]; SEG];
        let mut nat = [0.0f32; CHUNK];
        match self.detector {
            Detector::Peak => {
                for ((p, &a), &b) in nat.iter_mut().zip(kl).zip(kr) {
                    *p = (a * a).max(b * b);
                }
                to_lanes::<AVX>(&nat, &mut power, seg);
            }
            Detector::Rms => {
                let c = self.rms_coef;
                let mut other: Grid = [[0.0; LANES]; SEG];
                for (p, &a) in nat.iter_mut().zip(kl) {
                    *p = c * (a * a);
                }
                to_lanes::<AVX>(&nat, &mut power, seg);
                for (p, &b) in nat.iter_mut().zip(kr) {
                    *p = c * (b * b);
                }
                to_lanes::<AVX>(&nat, &mut other, seg);
                self.ms[0] =
                    flush_denormal(linear_scan(&mut power, seg, m, &self.rms_pow, self.ms[0]));
                self.ms[1] =
                    flush_denormal(linear_scan(&mut other, seg, m, &self.rms_pow, self.ms[1]));
                for (p, o) in power[..seg].iter_mut().zip(&other[..seg]) {
                    for (p, o) in p.iter_mut().zip(o) {
                        *p = p.max(*o);
                    }
                }
            }
        }
        // The gain computer, branch-free so it vectorizes.
        let curve = Curve::new(self);
        for row in power[..seg].iter_mut() {
            for p in row.iter_mut() {
                *p = curve.reduction_db(*p);
            }
        }
        // Held (instant attack, release) and attack stages, in place.
        let gr = &mut power;
        self.held = held_scan(gr, seg, m, self.release, &self.release_pow, self.held);
        let a = self.attack;
        for row in gr[..seg].iter_mut() {
            for h in row.iter_mut() {
                *h *= 1.0 - a;
            }
        }
        self.gr = linear_scan(gr, seg, m, &self.attack_pow, self.gr);
        for row in gr[..seg].iter_mut() {
            for g in row.iter_mut() {
                *g = if *g < GR_FLOOR_DB { 0.0 } else { *g };
            }
        }
        if self.gr < GR_FLOOR_DB {
            self.gr = 0.0;
        }
        // Back to frame order, then gain, makeup and mix.
        from_lanes::<AVX>(gr, &mut nat, seg);
        let nat = &mut nat[..m];
        if !self.makeup_db.is_smoothing() && !self.mix.is_smoothing() {
            // Makeup and mix at rest (the usual case): constants, and fully wet is a plain
            // multiply by the gain.
            let (mk, w) = (self.makeup_db.value(), self.mix.value());
            if w == 0.0 {
                return;
            }
            for g in nat.iter_mut() {
                *g = fast_db_to_gain(mk - *g);
            }
            let frames = left[..m]
                .iter_mut()
                .zip(right[..m].iter_mut())
                .zip(nat.iter());
            if w == 1.0 {
                for ((l, r), &g) in frames {
                    *l *= g;
                    *r *= g;
                }
            } else {
                for ((l, r), &g) in frames {
                    let (dl, dr) = (*l, *r);
                    *l = dl + w * (dl * g - dl);
                    *r = dr + w * (dr * g - dr);
                }
            }
            return;
        }
        let (mut makeup, mut mix) = ([0.0f32; CHUNK], [0.0f32; CHUNK]);
        let (makeup, mix) = (&mut makeup[..m], &mut mix[..m]);
        fill(&mut self.makeup_db, makeup);
        fill(&mut self.mix, mix);
        if mix.iter().all(|&x| x == 0.0) {
            // Fully dry: the input stays bit-identical (the reduction is still metered).
            return;
        }
        for (g, &mk) in nat.iter_mut().zip(makeup.iter()) {
            *g = fast_db_to_gain(mk - *g);
        }
        for (((l, r), &g), &w) in left[..m]
            .iter_mut()
            .zip(right[..m].iter_mut())
            .zip(nat.iter())
            .zip(mix.iter())
        {
            let (dl, dr) = (*l, *r);
            *l = dl + w * (dl * g - dl);
            *r = dr + w * (dr * g - dr);
        }
    }
}

/// The next `out.len()` values of `s`: a constant fill while it rests, its ramp while it glides.
#[inline(always)]
fn fill(s: &mut Smoothed, out: &mut [f32]) {
    if s.is_smoothing() {
        s.fill(out);
    } else {
        out.fill(s.value());
    }
}

/// Frame order → lane layout for the first `seg · LANES` frames.
#[inline(always)]
fn to_lanes<const AVX: bool>(nat: &[f32; CHUNK], grid: &mut Grid, seg: usize) {
    #[cfg(target_arch = "x86_64")]
    if AVX && seg == SEG {
        // SAFETY: `AVX` is set only on the AVX2 build's path, which runs when the CPU has it.
        unsafe {
            transpose_blocks(
                nat.as_ptr(),
                [SEG, 8],
                grid.as_mut_ptr().cast(),
                [LANES, 64],
            )
        };
        return;
    }
    for (j, stretch) in nat.chunks_exact(seg).take(LANES).enumerate() {
        for (row, &x) in grid.iter_mut().zip(stretch) {
            row[j] = x;
        }
    }
}

/// Lane layout → frame order.
#[inline(always)]
fn from_lanes<const AVX: bool>(grid: &Grid, nat: &mut [f32; CHUNK], seg: usize) {
    #[cfg(target_arch = "x86_64")]
    if AVX && seg == SEG {
        // SAFETY: as in `to_lanes`.
        unsafe {
            transpose_blocks(
                grid.as_ptr().cast(),
                [LANES, 64],
                nat.as_mut_ptr(),
                [SEG, 8],
            )
        };
        return;
    }
    for (j, stretch) in nat.chunks_exact_mut(seg).take(LANES).enumerate() {
        for (row, x) in grid.iter().zip(stretch) {
            *x = row[j];
        }
    }
}

/// The full-chunk layout change both ways, as four 8×8 transposes: block `b` takes the eight
/// rows of eight floats at `src + i·row + b·block` (`[row, block]` = `src_steps`, i = 0..8)
/// and writes its columns as the rows at `dst + j·row + b·block` (`dst_steps`). Frame order →
/// lanes reads rows of a stretch ([`SEG`] apart) and writes grid rows; back is the reverse.
/// 24 shuffles a block, where element by element it is 128 moves.
///
/// # Safety
/// The CPU has AVX; `src` and `dst` hold `CHUNK` floats in those layouts and do not overlap.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn transpose_blocks(
    src: *const f32,
    src_steps: [usize; 2],
    dst: *mut f32,
    dst_steps: [usize; 2],
) {
    use std::arch::x86_64::*;
    for b in 0..CHUNK / 64 {
        let r: [__m256; 8] =
            std::array::from_fn(|i| _mm256_loadu_ps(src.add(i * src_steps[0] + b * src_steps[1])));
        let t0 = _mm256_unpacklo_ps(r[0], r[1]);
        let t1 = _mm256_unpackhi_ps(r[0], r[1]);
        let t2 = _mm256_unpacklo_ps(r[2], r[3]);
        let t3 = _mm256_unpackhi_ps(r[2], r[3]);
        let t4 = _mm256_unpacklo_ps(r[4], r[5]);
        let t5 = _mm256_unpackhi_ps(r[4], r[5]);
        let t6 = _mm256_unpacklo_ps(r[6], r[7]);
        let t7 = _mm256_unpackhi_ps(r[6], r[7]);
        let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
        let u1 = _mm256_shuffle_ps::<0xee>(t0, t2);
        let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
        let u3 = _mm256_shuffle_ps::<0xee>(t1, t3);
        let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
        let u5 = _mm256_shuffle_ps::<0xee>(t4, t6);
        let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
        let u7 = _mm256_shuffle_ps::<0xee>(t5, t7);
        let cols = [
            _mm256_permute2f128_ps::<0x20>(u0, u4),
            _mm256_permute2f128_ps::<0x20>(u1, u5),
            _mm256_permute2f128_ps::<0x20>(u2, u6),
            _mm256_permute2f128_ps::<0x20>(u3, u7),
            _mm256_permute2f128_ps::<0x31>(u0, u4),
            _mm256_permute2f128_ps::<0x31>(u1, u5),
            _mm256_permute2f128_ps::<0x31>(u2, u6),
            _mm256_permute2f128_ps::<0x31>(u3, u7),
        ];
        for (j, c) in cols.into_iter().enumerate() {
            _mm256_storeu_ps(dst.add(j * dst_steps[0] + b * dst_steps[1]), c);
        }
    }
}

/// Where lane layout keeps frame `i` of a chunk cut into stretches of `seg`: (row, lane).
#[inline(always)]
fn at(i: usize, seg: usize) -> (usize, usize) {
    (i % seg, i / seg)
}

/// Runs `y[i] = a·y[i−1] + x[i]` over the first `m` frames of `g` (which holds `x` and gets
/// `y`), from `start`; `pow[k]` = a^(k+1). Returns `y[m−1]`. Each lane first runs its stretch
/// from zero; the lanes' true starting states then follow one another (eight steps), and
/// `pow[k] · start` of its lane is added to every frame.
#[inline(always)]
fn linear_scan(g: &mut Grid, seg: usize, m: usize, pow: &[f32; SEG], start: f32) -> f32 {
    let a = pow[0];
    let mut y = [0.0f32; LANES];
    for row in g[..seg].iter_mut() {
        for (y, x) in y.iter_mut().zip(row.iter_mut()) {
            *y = a * *y + *x;
            *x = *y;
        }
    }
    let mut s = [0.0f32; LANES];
    s[0] = start;
    for j in 1..LANES {
        s[j] = g[seg - 1][j - 1] + pow[seg - 1] * s[j - 1];
    }
    for (row, &p) in g[..seg].iter_mut().zip(pow) {
        for (x, &s) in row.iter_mut().zip(&s) {
            *x += p * s;
        }
    }
    let (k, j) = at(m - 1, seg);
    g[k][j]
}

/// The held stage over the first `m` frames of `g` (targets in, held reductions out) from
/// `start`: `h[i] = max(t[i], r·h[i−1] + (1−r)·t[i])`. The maps `h ↦ max(c, rᵏ·h + b)`
/// compose into maps of the same form, so each lane runs `c` (the same recursion from 0,
/// which is neutral as h ≥ 0) and `b` (linear, from 0), and the true start enters as
/// `max(c, pow[k]·start + b)`. Returns `h[m−1]` (floored).
#[inline(always)]
fn held_scan(g: &mut Grid, seg: usize, m: usize, r: f32, pow: &[f32; SEG], start: f32) -> f32 {
    let mut bs: Grid = [[0.0; LANES]; SEG];
    let (mut c, mut b) = ([0.0f32; LANES], [0.0f32; LANES]);
    for (row, brow) in g[..seg].iter_mut().zip(bs.iter_mut()) {
        for j in 0..LANES {
            let t = (1.0 - r) * row[j];
            c[j] = row[j].max(r * c[j] + t);
            b[j] = r * b[j] + t;
            row[j] = c[j];
            brow[j] = b[j];
        }
    }
    let mut s = [0.0f32; LANES];
    s[0] = start;
    for j in 1..LANES {
        s[j] = g[seg - 1][j - 1].max(pow[seg - 1] * s[j - 1] + bs[seg - 1][j - 1]);
    }
    for ((row, brow), &p) in g[..seg].iter_mut().zip(&bs).zip(pow) {
        for j in 0..LANES {
            let h = row[j].max(p * s[j] + brow[j]);
            row[j] = if h < GR_FLOOR_DB { 0.0 } else { h };
        }
    }
    let (k, j) = at(m - 1, seg);
    g[k][j]
}

/// The gain computer's constants for one chunk.
struct Curve {
    threshold: f32,
    half_knee: f32,
    knee: f32,
    /// 1 − 1/ratio: the reduction per dB above the knee.
    above: f32,
    /// (1 − 1/ratio) / (2·knee), or 0 for a hard knee.
    knee_scale: f32,
    knee_start_power: f32,
}

impl Curve {
    fn new(c: &Compressor) -> Curve {
        let above = 1.0 - 1.0 / c.ratio;
        Curve {
            threshold: c.threshold_db,
            half_knee: c.knee_db / 2.0,
            knee: c.knee_db,
            above,
            knee_scale: if c.knee_db > 0.0 {
                above / (2.0 * c.knee_db)
            } else {
                0.0
            },
            knee_start_power: c.knee_start_power,
        }
    }

    /// The reduction [`static_curve_db`] asks for at detector power `power`, dB (≥ 0), with
    /// selects instead of branches. Below the knee's start (at least -124 dB, far above the
    /// silence floor) it is exactly 0, so the logarithm only has to be right for normal
    /// powers.
    #[inline(always)]
    fn reduction_db(&self, power: f32) -> f32 {
        let x = fast_power_to_db(power.max(1.0e-30));
        let over = x - self.threshold;
        let k = over + self.half_knee;
        let in_knee = 2.0 * over.abs() <= self.knee;
        let t = if in_knee {
            self.knee_scale * k * k
        } else {
            self.above * over
        };
        if power < self.knee_start_power || 2.0 * over < -self.knee || t < GR_FLOOR_DB {
            0.0
        } else {
            t
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_knee_curve() {
        assert_eq!(static_curve_db(-30.0, -20.0, 4.0, 0.0), -30.0);
        assert_eq!(static_curve_db(-20.0, -20.0, 4.0, 0.0), -20.0);
        assert_eq!(static_curve_db(-8.0, -20.0, 4.0, 0.0), -17.0);
        assert_eq!(static_curve_db(0.0, -20.0, 1.0, 0.0), 0.0);
    }

    #[test]
    fn soft_knee_joins_both_lines_smoothly() {
        let (t, r, w) = (-20.0f32, 4.0f32, 12.0f32);
        // The edges meet the straight lines.
        assert!((static_curve_db(-26.0, t, r, w) + 26.0).abs() < 1e-5);
        assert!((static_curve_db(-14.0, t, r, w) - (t + 6.0 / r)).abs() < 1e-5);
        // At the threshold: (1/4 − 1)·6²/24 = −1.125 dB below the input.
        assert!((static_curve_db(-20.0, t, r, w) + 21.125).abs() < 1e-5);
    }

    #[test]
    fn mix_zero_is_bit_identical_and_gr_is_still_metered() {
        let mut c = Compressor::new(48_000);
        c.set_threshold_db(-40.0);
        c.set_mix(0.0);
        c.settle();
        let mut l: Vec<f32> = (0..2_000).map(|i| (i as f32 * 0.1).sin() * 0.9).collect();
        let mut r = l.clone();
        let want = l.clone();
        c.process(&mut l, &mut r, None);
        assert_eq!(l, want);
        assert_eq!(r, want);
        assert!(c.gain_reduction_db() > 20.0);
    }

    #[test]
    fn silence_decays_to_exactly_zero_reduction() {
        let mut c = Compressor::new(48_000);
        let mut l = vec![1.0f32; 4_800];
        let mut r = l.clone();
        c.process(&mut l, &mut r, None);
        assert!(c.gain_reduction_db() > 10.0);
        let mut l = vec![0.0f32; 48_000 * 3];
        let mut r = l.clone();
        c.process(&mut l, &mut r, None);
        assert_eq!(c.gain_reduction_db(), 0.0);
        assert!(l.iter().all(|&x| x == 0.0));
    }

    /// The per-sample algorithm the chunked passes stand for, written plainly: the reference
    /// they are checked against.
    fn reference(c: &Compressor, l: &mut [f32], r: &mut [f32]) -> f32 {
        let (mut ms, mut held, mut gr) = ([0.0f32; 2], 0.0f32, 0.0f32);
        let makeup = c.makeup_db.value();
        for (l, r) in l.iter_mut().zip(r.iter_mut()) {
            let power = match c.detector {
                Detector::Peak => (*l * *l).max(*r * *r),
                Detector::Rms => {
                    ms[0] += c.rms_coef * (*l * *l - ms[0]);
                    ms[1] += c.rms_coef * (*r * *r - ms[1]);
                    ms[0].max(ms[1])
                }
            };
            let x = 10.0 * power.max(1e-30).log10();
            let target = x - static_curve_db(x, c.threshold_db, c.ratio, c.knee_db);
            held = target.max(c.release * held + (1.0 - c.release) * target);
            gr = c.attack * gr + (1.0 - c.attack) * held;
            let g = 10f32.powf((makeup - gr) / 20.0);
            *l *= g;
            *r *= g;
        }
        gr
    }

    fn program(n: usize) -> (Vec<f32>, Vec<f32>) {
        // Bursts at three levels with silences between: attack, hold and release all work.
        let l: Vec<f32> = (0..n)
            .map(|i| {
                let level = [0.9f32, 0.0, 0.3, 0.05, 0.6, 0.0][(i / 3_000) % 6];
                level * (i as f32 * 0.05).sin()
            })
            .collect();
        let r = l
            .iter()
            .enumerate()
            .map(|(i, x)| x * 0.7 + 0.1 * (i as f32 * 0.011).sin())
            .collect();
        (l, r)
    }

    #[test]
    fn chunked_passes_match_the_per_sample_recursion() {
        for detector in [Detector::Peak, Detector::Rms] {
            for cuts in [&[256usize][..], &[4096], &[7, 100, 1, 33, 250, 513]] {
                let mut c = Compressor::new(48_000);
                c.set_detector(detector);
                c.set_threshold_db(-30.0);
                c.set_knee_db(8.0);
                c.set_release_ms(60.0);
                c.set_attack_ms(3.0);
                c.set_makeup_db(4.0);
                c.settle();
                let (input_l, input_r) = program(40_000);
                let (mut wl, mut wr) = (input_l.clone(), input_r.clone());
                let want_gr = reference(&c, &mut wl, &mut wr);
                let (mut l, mut r) = (input_l, input_r);
                let mut at = 0;
                for k in 0.. {
                    if at >= l.len() {
                        break;
                    }
                    let end = (at + cuts[k % cuts.len()]).min(l.len());
                    c.process(&mut l[at..end], &mut r[at..end], None);
                    at = end;
                }
                for (got, want) in l.iter().zip(&wl).chain(r.iter().zip(&wr)) {
                    assert!(
                        (got - want).abs() <= 2e-4 * want.abs() + 1e-6,
                        "{detector:?} {cuts:?}: {got} vs {want}"
                    );
                }
                assert!((c.gain_reduction_db() - want_gr).abs() < 1e-3);
            }
        }
    }

    #[test]
    fn portable_and_avx2_builds_agree() {
        let (input_l, input_r) = program(20_000);
        let run = |isa: Isa| {
            let mut c = Compressor::with_isa(48_000, isa);
            c.set_detector(Detector::Rms);
            c.set_threshold_db(-24.0);
            c.settle();
            let (mut l, mut r) = (input_l.clone(), input_r.clone());
            for at in (0..l.len()).step_by(300) {
                let end = (at + 300).min(l.len());
                c.process(&mut l[at..end], &mut r[at..end], None);
            }
            (l, r, c.gain_reduction_db())
        };
        let portable = run(Isa::Portable);
        let best = run(Isa::detect());
        assert_ne!(portable.0, input_l);
        for (a, b) in portable
            .0
            .iter()
            .zip(&best.0)
            .chain(portable.1.iter().zip(&best.1))
        {
            assert!((a - b).abs() <= 1e-6, "{a} vs {b}");
        }
        assert!((portable.2 - best.2).abs() < 1e-5);
    }
}
