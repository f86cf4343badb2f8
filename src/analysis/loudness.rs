//! Programme loudness per ITU-R BS.1770-4 / EBU R128: integrated loudness (gated), loudness
//! range (EBU Tech 3342) and the momentary / short-term loudness every 100 ms for plotting.
//!
//! `kweight` gives the K-weighted, channel-weighted energy of every 100 ms slice (the live
//! meter reads the same slices); everything else is built from those: momentary
//! (4 slices), short-term (30 slices), the gated integrated loudness (400 ms blocks every
//! 100 ms, -70 LUFS absolute and -10 LU relative gates — the `ebur128` crate (a port of
//! libebur128) computes the same, and tests hold the two together) and the loudness range, with short-term values every 100 ms
//! as Tech 3342 (2016) asks (the crate's own LRA samples once a second). Results that cannot be measured
//! (silence, shorter than a gating block) are `None`, never -inf or NaN.

use super::kweight::SliceEnergy;

/// Absolute gate of BS.1770-4 and Tech 3342, in LUFS.
const ABSOLUTE_GATE: f64 = -70.0;
/// Relative gate of BS.1770-4 (integrated loudness), in LU.
const INTEGRATED_RELATIVE_GATE: f64 = -10.0;
/// Relative gate of Tech 3342 (loudness range), in LU.
const LRA_RELATIVE_GATE: f64 = -20.0;

/// Energy (mean square, K-weighted, channel-weighted) to LUFS, `None` when nothing is there.
pub fn energy_to_lufs(energy: f64) -> Option<f64> {
    if energy > 0.0 && energy.is_finite() {
        Some(-0.691 + 10.0 * energy.log10())
    } else {
        None
    }
}

fn lufs_to_energy(lufs: f64) -> f64 {
    if lufs.is_finite() {
        10f64.powf((lufs + 0.691) / 10.0)
    } else {
        0.0
    }
}

/// Loudness over time: one momentary and one short-term value every `step_s` seconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoudnessTimeline {
    /// Seconds between two values (0.1).
    pub step_s: f64,
    /// Momentary loudness (400 ms window ending at each step), LUFS.
    pub momentary: Vec<Option<f64>>,
    /// Short-term loudness (3 s window ending at each step), LUFS; `None` for the first 3 s.
    pub short_term: Vec<Option<f64>>,
}

/// What `LoudnessAnalyzer::finish` measures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoudnessResult {
    /// Gated integrated loudness, LUFS.
    pub integrated: Option<f64>,
    /// Loudness range, LU (`None` when shorter than one short-term window or silent).
    pub range: Option<f64>,
    /// Largest momentary loudness, LUFS.
    pub max_momentary: Option<f64>,
    /// Largest short-term loudness, LUFS.
    pub max_short_term: Option<f64>,
    /// Values every 100 ms.
    pub timeline: LoudnessTimeline,
}

/// Errors from the loudness meter (only invalid rates or channel counts).
#[derive(Debug, thiserror::Error)]
#[error("cannot measure loudness of {channels} channel(s) at {rate} Hz")]
pub struct LoudnessError {
    rate: u32,
    channels: u16,
}

/// Streaming programme-loudness analyser (allocates only to record the 100 ms history).
pub struct LoudnessAnalyzer {
    meter: SliceEnergy,
    /// K-weighted energy of every complete 100 ms slice.
    slices: Vec<f64>,
}

impl LoudnessAnalyzer {
    /// An analyser for `channels` interleaved channels at `rate` Hz.
    pub fn new(rate: u32, channels: u16) -> Result<Self, LoudnessError> {
        let err = || LoudnessError { rate, channels };
        if channels == 0 || rate < 10 {
            return Err(err());
        }
        Ok(LoudnessAnalyzer {
            meter: SliceEnergy::new(rate, channels),
            slices: Vec::new(),
        })
    }

    /// Feeds interleaved samples (a whole number of frames).
    pub fn push(&mut self, interleaved: &[f32]) {
        let slices = &mut self.slices;
        self.meter.push(interleaved, |energy| slices.push(energy));
    }

    /// The measurements so far.
    pub fn finish(&self) -> LoudnessResult {
        let integrated = integrated_loudness(&self.slices);
        let momentary = windowed(&self.slices, 4);
        let short_term = windowed(&self.slices, 30);
        let max_of = |v: &[Option<f64>]| v.iter().flatten().copied().reduce(f64::max);
        LoudnessResult {
            integrated,
            range: loudness_range(&short_term),
            max_momentary: max_of(&momentary),
            max_short_term: max_of(&short_term),
            timeline: LoudnessTimeline {
                step_s: 0.1,
                momentary,
                short_term,
            },
        }
    }
}

/// BS.1770-4 gated loudness from 100 ms slice energies: 400 ms blocks overlapping by 75 %,
/// an absolute gate at -70 LUFS, then a relative gate 10 LU below the mean of what passed.
pub fn integrated_loudness(slices: &[f64]) -> Option<f64> {
    let blocks: Vec<f64> = slices
        .windows(4)
        .map(|w| w.iter().sum::<f64>() / 4.0)
        .collect();
    let absolute = lufs_to_energy(ABSOLUTE_GATE);
    let mean_above = |threshold: f64| {
        let (sum, n) = blocks
            .iter()
            .filter(|e| **e > threshold)
            .fold((0.0, 0usize), |(s, n), e| (s + e, n + 1));
        if n == 0 {
            None
        } else {
            Some(sum / n as f64)
        }
    };
    let relative = mean_above(absolute)? * 10f64.powf(INTEGRATED_RELATIVE_GATE / 10.0);
    energy_to_lufs(mean_above(relative.max(absolute))?)
}

/// Loudness of the window of `n` slices ending at each slice (`None` until `n` slices exist
/// or when the window is silent).
fn windowed(slices: &[f64], n: usize) -> Vec<Option<f64>> {
    let mut out = Vec::with_capacity(slices.len());
    let mut sum = 0.0;
    for (i, e) in slices.iter().enumerate() {
        sum += e;
        if i >= n {
            sum -= slices[i - n];
        }
        if i + 1 >= n {
            // Re-summing every so often keeps the running sum from drifting.
            if i % 1000 == 0 {
                sum = slices[i + 1 - n..=i].iter().sum();
            }
            out.push(energy_to_lufs(sum.max(0.0) / n as f64));
        } else {
            out.push(None);
        }
    }
    out
}

/// EBU Tech 3342 loudness range from short-term values: absolute gate -70 LUFS, relative gate
/// -20 LU below the energy mean of what passed, then the 95th minus the 10th percentile.
pub fn loudness_range(short_term: &[Option<f64>]) -> Option<f64> {
    let passed: Vec<f64> = short_term
        .iter()
        .flatten()
        .copied()
        .filter(|l| *l >= ABSOLUTE_GATE)
        .collect();
    if passed.is_empty() {
        return None;
    }
    let mean_energy = passed.iter().map(|l| lufs_to_energy(*l)).sum::<f64>() / passed.len() as f64;
    let gate = energy_to_lufs(mean_energy)? + LRA_RELATIVE_GATE;
    let mut gated: Vec<f64> = passed.into_iter().filter(|l| *l >= gate).collect();
    if gated.is_empty() {
        return None;
    }
    gated.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        let idx = ((gated.len() - 1) as f64 * p).round() as usize;
        gated[idx.min(gated.len() - 1)]
    };
    Some(pct(0.95) - pct(0.10))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ebur128::{Channel, EbuR128, Mode};

    /// The crate's channel map for BS.1770-4 weights for the usual layouts. Mono is a
    /// single front channel (a -23 dBFS mono sine reads -26 LUFS, as BS.1770 defines); 5.1 and
    /// 7.1 follow the WAV channel order with the LFE excluded.
    fn channel_map(channels: u16) -> Vec<Channel> {
        match channels {
            1 => vec![Channel::Center],
            2 => vec![Channel::Left, Channel::Right],
            3 => vec![Channel::Left, Channel::Right, Channel::Center],
            4 => vec![
                Channel::Left,
                Channel::Right,
                Channel::LeftSurround,
                Channel::RightSurround,
            ],
            5 => vec![
                Channel::Left,
                Channel::Right,
                Channel::Center,
                Channel::LeftSurround,
                Channel::RightSurround,
            ],
            n => {
                let mut v = vec![
                    Channel::Left,
                    Channel::Right,
                    Channel::Center,
                    Channel::Unused,
                    Channel::LeftSurround,
                    Channel::RightSurround,
                ];
                if n >= 8 {
                    // 7.1 (WAVE order FL FR FC LFE BL BR SL SR): backs at ±135° weigh 1.0,
                    // sides at ±90° weigh 1.41.
                    v[4] = Channel::Mp135;
                    v[5] = Channel::Mm135;
                    v.push(Channel::Mp090);
                    v.push(Channel::Mm090);
                }
                v.resize(n as usize, Channel::Unused);
                v.truncate(n as usize);
                v
            }
        }
    }

    #[test]
    fn channel_maps_have_one_entry_per_channel() {
        for n in 1..=12u16 {
            assert_eq!(channel_map(n).len(), n as usize);
        }
    }

    #[test]
    fn range_of_two_levels_is_their_difference() {
        let mut st = vec![Some(-20.0); 100];
        st.extend(vec![Some(-30.0); 100]);
        let lra = loudness_range(&st).unwrap();
        assert!((lra - 10.0).abs() < 1e-9, "{lra}");
    }

    #[test]
    fn integrated_agrees_with_the_crates_gating() {
        // Noise bursts at levels from -80 to -10 dBFS, gated both ways.
        let rate = 48_000;
        let mut seed = 12345u64;
        let mut x = Vec::new();
        for (i, level) in [-80.0, -20.0, -45.0, -10.0, -33.0, -60.0, -25.0]
            .iter()
            .enumerate()
        {
            let a = crate::dsp::db_to_gain(*level) as f32;
            for _ in 0..(rate as usize / 10 * (7 + 3 * i)) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let v = ((seed >> 40) as f32 / (1u64 << 23) as f32 - 1.0) * a;
                x.extend([v, v * 0.5]);
            }
        }
        let mut ours = LoudnessAnalyzer::new(rate, 2).unwrap();
        let mut crate_meter = EbuR128::new(2, rate, Mode::I).unwrap();
        for block in x.chunks(2 * 1234) {
            ours.push(block);
            crate_meter.add_frames_f32(block).unwrap();
        }
        let a = ours.finish().integrated.unwrap();
        let b = crate_meter.loudness_global().unwrap();
        assert!((a - b).abs() < 0.01, "ours {a}, crate {b}");
    }

    #[test]
    fn slices_agree_with_the_crate_for_every_layout() {
        // Our K-weighting and channel weights against libebur128's (the ebur128 crate), on
        // noise at a different level in every channel: momentary loudness every 100 ms.
        let rate = 44_100;
        for ch in [1u16, 2, 3, 4, 5, 6, 8] {
            let mut seed = 99u64 + u64::from(ch);
            let frames = rate as usize * 2;
            let x: Vec<f32> = (0..frames * ch as usize)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let level = 0.05 + 0.1 * (i % ch as usize) as f32;
                    ((seed >> 40) as f32 / (1u64 << 23) as f32 - 1.0) * level
                })
                .collect();
            let mut ours = LoudnessAnalyzer::new(rate, ch).unwrap();
            let mut theirs = EbuR128::new(u32::from(ch), rate, Mode::M).unwrap();
            theirs.set_channel_map(&channel_map(ch)).unwrap();
            let mut want = Vec::new();
            for block in x.chunks(4410 * ch as usize) {
                ours.push(block);
                theirs.add_frames_f32(block).unwrap();
                want.push(theirs.loudness_momentary().unwrap());
            }
            let got = ours.finish().timeline.momentary;
            assert_eq!(got.len(), want.len());
            for (i, (g, w)) in got.iter().zip(&want).enumerate().skip(3) {
                let g = g.unwrap();
                assert!((g - w).abs() < 1e-6, "{ch} channels, slice {i}: {g} vs {w}");
            }
        }
    }

    #[test]
    fn silence_has_no_range() {
        assert_eq!(loudness_range(&[None, None]), None);
        assert_eq!(loudness_range(&[Some(-80.0)]), None);
    }
}
