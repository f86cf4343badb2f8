//! Round-trip latency, measured: a train of short chirps goes out of the output, comes back
//! through a loopback (a cable, or the interface's own) into the input, and is found there by
//! cross-correlation. The delay is what recording compensates (`[audio] input_latency_ms`):
//! from the moment the output callback writes a frame to the moment the input callback
//! delivers it, in frames.
//!
//! [`probe`] makes the train, [`find_delay`] finds it in what came back (pure, tested on a
//! synthetic loopback), and [`measure_round_trip`] plays and records it on real devices.

/// Chirps in the train: the delay is the lag at which all of them line up.
pub const CHIRPS: usize = 6;
/// Milliseconds between chirps (longer than any round trip worth measuring's spread).
const SPACING_MS: f64 = 250.0;
/// Milliseconds each chirp lasts.
const CHIRP_MS: f64 = 6.0;
/// The longest round trip looked for, in milliseconds.
pub const MAX_DELAY_MS: f64 = 1000.0;
/// The correlation peak must stand this far above the other lags (peak over RMS).
const MIN_CLARITY: f64 = 10.0;

/// One chirp: a Hann-windowed linear sweep from 500 Hz to a quarter of the rate.
pub fn chirp(rate: u32) -> Vec<f32> {
    let n = ((CHIRP_MS / 1000.0) * rate as f64).round().max(16.0) as usize;
    let (f0, f1) = (500.0, rate as f64 / 4.0);
    let dur = n as f64 / rate as f64;
    (0..n)
        .map(|i| {
            let t = i as f64 / rate as f64;
            let phase = 2.0 * std::f64::consts::PI * (f0 * t + (f1 - f0) * t * t / (2.0 * dur));
            let w = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / (n - 1) as f64).cos();
            (0.5 * w * phase.sin()) as f32
        })
        .collect()
}

/// Frames between chirps at `rate`.
pub fn spacing(rate: u32) -> usize {
    (SPACING_MS / 1000.0 * rate as f64).round() as usize
}

/// The probe: [`CHIRPS`] chirps, one every [`spacing`] frames, starting at frame 0 (mono).
pub fn probe(rate: u32) -> Vec<f32> {
    let c = chirp(rate);
    let s = spacing(rate);
    let mut out = vec![0.0f32; s * CHIRPS];
    for k in 0..CHIRPS {
        out[k * s..k * s + c.len()].copy_from_slice(&c);
    }
    out
}

/// Where the probe was found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Found {
    /// Frames from the probe's frame 0 to where it starts in the input.
    pub frames: usize,
    /// The correlation peak over the RMS of every other lag (how sure).
    pub clarity: f64,
}

/// Finds the probe of `rate` in `got` (mono, frame 0 = the probe's frame 0) within
/// `max_delay` frames: the lag at which the chirps' correlations sum highest. `Err` says no
/// chirp came back (silence, or nothing that lines up), with the figure that decided it.
pub fn find_delay(got: &[f32], rate: u32, max_delay: usize) -> Result<Found, String> {
    let c = chirp(rate);
    let s = spacing(rate);
    let needed = (CHIRPS - 1) * s + c.len();
    let lags = max_delay
        .min(got.len().saturating_sub(needed))
        .saturating_add(1);
    if got.len() < needed {
        return Err(format!(
            "only {} frames came back, {needed} are needed",
            got.len()
        ));
    }
    // corr[n] = Σ c[j]·got[n+j] wherever a chirp can start; score[d] = Σₖ corr[k·s + d].
    let span = (CHIRPS - 1) * s + lags;
    let corr: Vec<f64> = (0..span)
        .map(|n| {
            let x = &got[n..n + c.len()];
            c.iter().zip(x).map(|(a, b)| a * b).sum::<f32>() as f64
        })
        .collect();
    let score: Vec<f64> = (0..lags)
        .map(|d| (0..CHIRPS).map(|k| corr[k * s + d]).sum())
        .collect();
    let (best, peak) =
        score.iter().enumerate().fold(
            (0, f64::MIN),
            |(bi, bv), (i, &v)| {
                if v > bv {
                    (i, v)
                } else {
                    (bi, bv)
                }
            },
        );
    let energy: f64 = c.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>() * CHIRPS as f64;
    // The RMS of the score away from the peak (± one chirp).
    let guard = c.len();
    let (sum, n) = score
        .iter()
        .enumerate()
        .filter(|(i, _)| i.abs_diff(best) > guard)
        .fold((0.0, 0usize), |(s, n), (_, v)| (s + v * v, n + 1));
    let rms = if n > 0 { (sum / n as f64).sqrt() } else { 0.0 };
    let clarity = if rms > 0.0 { peak / rms } else { f64::INFINITY };
    // The chirps came back at no more than -60 dB: not a loopback.
    if peak <= energy * 1e-3 {
        if got.iter().all(|&v| v == 0.0) {
            return Err("no click came back (the input was silent)".into());
        }
        return Err(format!(
            "no click came back (the input's correlation peak is {} under the probe's)",
            if peak > 0.0 {
                format!("{:.1} dB", 10.0 * (energy / peak).log10())
            } else {
                "far".into()
            }
        ));
    }
    if clarity < MIN_CLARITY {
        return Err(format!(
            "no click came back clearly (peak {clarity:.1}× the correlation's RMS, {MIN_CLARITY}× needed)"
        ));
    }
    Ok(Found {
        frames: best,
        clarity,
    })
}

/// A measured round trip.
#[derive(Clone, Debug, PartialEq)]
pub struct RoundTrip {
    pub frames: usize,
    pub rate: u32,
    /// The input channel (0-based) the probe came back on.
    pub channel: usize,
    pub clarity: f64,
    pub output: String,
    pub input: String,
}

impl RoundTrip {
    pub fn ms(&self) -> f64 {
        self.frames as f64 * 1000.0 / self.rate as f64
    }
}

/// Plays the probe on the output and finds it in the input (every channel tried; the
/// clearest wins). Fails with one sentence: a device that cannot be opened, or "no click
/// came back" (no loopback).
pub fn measure_round_trip(
    output: Option<&str>,
    input: Option<&str>,
    rate: u32,
    buffer_frames: Option<u32>,
) -> Result<RoundTrip, String> {
    let p = probe(rate);
    let max_delay = (MAX_DELAY_MS / 1000.0 * rate as f64) as usize;
    let frames = p.len() + max_delay;
    let got = super::backend::play_and_record(output, input, rate, buffer_frames, p, frames)?;
    let mut best: Option<(usize, Found)> = None;
    let mut why = String::from("no click came back");
    for (c, data) in got.channels.iter().enumerate() {
        match find_delay(data, rate, max_delay) {
            Ok(f) if best.is_none_or(|(_, b)| f.clarity > b.clarity) => best = Some((c, f)),
            Ok(_) => {}
            Err(e) => why = e,
        }
    }
    match best {
        Some((channel, f)) => Ok(RoundTrip {
            frames: f.frames,
            rate,
            channel,
            clarity: f.clarity,
            output: got.output,
            input: got.input,
        }),
        None => Err(format!(
            "{why} from '{}' to '{}': connect the output to the input (a loopback cable, or \
             the interface's own loopback) and measure again",
            got.output, got.input
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A loopback `delay` frames late at `gain`, with white noise of amplitude `noise`.
    fn loopback(rate: u32, delay: usize, gain: f32, noise: f32, seed: u32) -> Vec<f32> {
        let p = probe(rate);
        let mut got = vec![0.0f32; p.len() + delay + rate as usize / 10];
        let mut x = seed;
        for (i, g) in got.iter_mut().enumerate() {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let n = ((x >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 2.0 * noise;
            let s = i.checked_sub(delay).and_then(|j| p.get(j)).copied();
            *g = s.unwrap_or(0.0) * gain + n;
        }
        got
    }

    #[test]
    fn a_synthetic_loopback_is_found_to_the_frame() {
        for (rate, delay) in [
            (48_000, 0),
            (48_000, 1),
            (48_000, 517),
            (44_100, 4_410),
            (96_000, 23_999),
        ] {
            // -20 dB back, noise at -40 dBFS.
            let got = loopback(rate, delay, 0.1, 0.01, delay as u32 + 7);
            let f = find_delay(&got, rate, rate as usize / 2).unwrap();
            assert_eq!(f.frames, delay, "rate {rate}");
            assert!(f.clarity > MIN_CLARITY, "{f:?}");
        }
    }

    #[test]
    fn an_inverted_or_quiet_loopback_and_silence() {
        // Found at -40 dB under noise of the same order.
        let got = loopback(48_000, 1_234, 0.01, 0.01, 3);
        assert_eq!(find_delay(&got, 48_000, 48_000).unwrap().frames, 1_234);
        // Silence: nothing came back.
        let e = find_delay(&vec![0.0; 96_000], 48_000, 48_000).unwrap_err();
        assert_eq!(e, "no click came back (the input was silent)");
        // Noise alone: nothing lines up.
        let got = loopback(48_000, 100, 0.0, 0.1, 9);
        let e = find_delay(&got, 48_000, 48_000).unwrap_err();
        assert!(e.starts_with("no click came back"), "{e}");
        // Too short.
        assert!(find_delay(&[0.0; 100], 48_000, 48_000).is_err());
    }
}
