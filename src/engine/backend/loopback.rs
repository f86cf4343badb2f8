//! Plays the latency probe on an output while the input records, for
//! [`crate::engine::latency`]: the input's gate opens in the output callback that writes the
//! probe's frame 0, so input frame `k` is taken `k` frames after that write — the same
//! alignment a recording makes when the transport starts. The probe waits a settling time
//! after the input's first callback (devices starting up, a sound server's connections being
//! made). Both callbacks run allocation-free.

use super::cpal_in::open_input;
use super::cpal_out::{device_name, hosts, matches};
use super::quiet::QuietStderr;
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};
use ringbuf::traits::Consumer;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Seconds the probe waits after the input's first callback.
pub const SETTLE_S: f64 = 0.5;

/// What came back: every input channel, deinterleaved, from the probe's frame 0 on.
pub struct Captured {
    pub output: String,
    pub input: String,
    pub channels: Vec<Vec<f32>>,
}

fn build_out<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    probe: Arc<Vec<f32>>,
    gate: Arc<crate::engine::capture::CaptureShared>,
    written: Arc<AtomicU64>,
    failed: Arc<AtomicBool>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32>,
{
    let ch = config.channels as usize;
    let settle = (SETTLE_S * config.sample_rate as f64) as usize;
    let mut waited = 0usize;
    let mut pos: Option<usize> = None;
    device.build_output_stream::<T, _, _>(
        config,
        move |data: &mut [T], _: &cpal::OutputCallbackInfo| {
            super::realtime(|| {
                // The probe starts once the input has delivered for the settling time, with the
                // input's gate.
                if pos.is_none() && gate.callbacks.load(Relaxed) > 0 {
                    if waited >= settle {
                        gate.gate.store(true, Relaxed);
                        pos = Some(0);
                    } else {
                        waited += data.len() / ch.max(1);
                    }
                }
                for frame in data.chunks_mut(ch) {
                    let v = match &mut pos {
                        Some(p) => {
                            let v = probe.get(*p).copied().unwrap_or(0.0);
                            *p += 1;
                            v
                        }
                        None => 0.0,
                    };
                    for o in frame.iter_mut() {
                        *o = T::from_sample(v);
                    }
                }
                if let Some(p) = pos {
                    written.store(p as u64, Relaxed);
                }
            })
        },
        move |e: cpal::Error| {
            if matches!(
                e.kind(),
                cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated
            ) {
                failed.store(true, Relaxed);
            }
        },
        None,
    )
}

/// Plays `probe` (mono, on every output channel) on the named (or default) output and
/// records `frames` frames of the named (or default) input from the moment the probe
/// starts. Fails with one sentence when a device cannot be opened or stops delivering.
pub fn play_and_record(
    output: Option<&str>,
    input: Option<&str>,
    rate: u32,
    buffer_frames: Option<u32>,
    probe: Vec<f32>,
    frames: usize,
) -> Result<Captured, String> {
    let mut inp = open_input(input, rate, buffer_frames, frames + rate as usize, 1)?;
    let shared = inp.shared.clone();
    shared.quota.store(frames as u64, Relaxed);
    let mut ring = inp
        .ring
        .take()
        .ok_or_else(|| "the input's ring was already taken".to_string())?;
    let _quiet = QuietStderr::new();
    let mut device = None;
    for host in hosts() {
        device = match output {
            Some(w) => host
                .output_devices()
                .ok()
                .and_then(|mut ds| ds.find(|d| matches(d, w))),
            None => host.default_output_device(),
        };
        if device.is_some() {
            break;
        }
    }
    let device = device.ok_or_else(|| match output {
        Some(w) => format!("no audio output named '{w}' (see `tdaw devices`)"),
        None => "no audio output can be opened (see `tdaw devices`)".to_string(),
    })?;
    let out_name = device_name(&device);
    let supported = device
        .default_output_config()
        .map_err(|e| format!("could not open the output '{out_name}': {e}"))?;
    let config = cpal::StreamConfig {
        channels: supported.channels().max(1),
        sample_rate: rate,
        buffer_size: match buffer_frames {
            Some(n) => cpal::BufferSize::Fixed(n),
            None => cpal::BufferSize::Default,
        },
    };
    let probe = Arc::new(probe);
    let written = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicBool::new(false));
    let args = (
        probe.clone(),
        shared.clone(),
        written.clone(),
        failed.clone(),
    );
    let stream = match supported.sample_format() {
        SampleFormat::I16 => build_out::<i16>(&device, config, args.0, args.1, args.2, args.3),
        SampleFormat::I32 => build_out::<i32>(&device, config, args.0, args.1, args.2, args.3),
        _ => build_out::<f32>(&device, config, args.0, args.1, args.2, args.3),
    }
    .map_err(|e| format!("could not open the output '{out_name}': {e}"))?;
    inp.start()?;
    stream
        .play()
        .map_err(|e| format!("could not start the output '{out_name}': {e}"))?;
    drop(_quiet);
    let ch = shared.channels;
    let mut data = Vec::with_capacity(frames * ch);
    let mut buf = vec![0.0f32; 4096 * ch];
    let limit = Duration::from_secs_f64(frames as f64 / rate as f64 + SETTLE_S + 5.0);
    let t0 = Instant::now();
    while data.len() < frames * ch {
        let n = ring.pop_slice(&mut buf);
        data.extend_from_slice(&buf[..n]);
        if n > 0 {
            continue;
        }
        if shared.failed.load(Relaxed) || failed.load(Relaxed) {
            return Err("an audio device went away while measuring".into());
        }
        if t0.elapsed() > limit {
            return Err(format!(
                "the input '{}' delivered {} of {frames} frames (and the output played {})",
                inp.device,
                data.len() / ch,
                written.load(Relaxed)
            ));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    drop(stream);
    let channels = (0..ch)
        .map(|c| data.chunks_exact(ch).map(|f| f[c]).collect())
        .collect();
    Ok(Captured {
        output: out_name,
        input: inp.device.clone(),
        channels,
    })
}
