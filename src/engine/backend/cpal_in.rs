//! The cpal input: opens a capture device (by id, description or display name, as the
//! output does; the default input when none is named) at the project's rate with the device's
//! own channel count, and hands every callback's frames, as f32, to a [`CaptureSink`]. The
//! stream is built paused; [`InputStream::start`] starts it when the recording begins, so
//! the first frame captured is the first frame recorded. The callback converts integer
//! formats through a preallocated buffer and runs with allocation forbidden (debug builds).

use super::cpal_out::{device_name, hosts, matches};
use super::quiet::QuietStderr;
use crate::engine::capture::{capture_ring, CaptureShared, CaptureSink};
use crate::engine::input_monitor::{monitor_ring, MonitorInput};
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{SampleFormat, SizedSample};
use ringbuf::HeapCons;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

/// The message when the machine has no capture device.
pub const NO_INPUTS: &str = "no audio inputs";

/// Frames converted per chunk when the device delivers integers.
const CONVERT_FRAMES: usize = 4096;

/// An open (paused) capture stream and the disk thread's end of its ring.
pub struct InputStream {
    stream: cpal::Stream,
    /// The device's id as `tdaw devices` shows it.
    pub device: String,
    pub shared: Arc<CaptureShared>,
    /// The disk thread's end (taken once).
    pub ring: Option<HeapCons<f32>>,
    /// The output callback's end of the monitoring ring (taken once).
    pub monitor: Option<MonitorInput>,
}

impl InputStream {
    /// Starts capturing.
    pub fn start(&self) -> Result<(), String> {
        self.stream
            .play()
            .map_err(|e| format!("could not start the input '{}': {e}", self.device))
    }

    /// Channels per frame.
    pub fn channels(&self) -> usize {
        self.shared.channels
    }
}

/// Samples the callback can convert to f32.
trait ToF32: SizedSample {
    fn to_f32(self) -> f32;
}
impl ToF32 for f32 {
    fn to_f32(self) -> f32 {
        self
    }
}
impl ToF32 for i16 {
    fn to_f32(self) -> f32 {
        self as f32 / 32_768.0
    }
}
impl ToF32 for i32 {
    fn to_f32(self) -> f32 {
        (self as f64 / 2_147_483_648.0) as f32
    }
}

fn build<T: ToF32>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut sink: CaptureSink,
) -> Result<cpal::Stream, cpal::Error> {
    let ch = config.channels as usize;
    let rate = config.sample_rate;
    let mut scratch = vec![0.0f32; CONVERT_FRAMES * ch];
    let shared = sink.shared().clone();
    let errors = shared.clone();
    let on_error = move |e: cpal::Error| match e.kind() {
        cpal::ErrorKind::Xrun => {
            errors.device_xruns.fetch_add(1, Relaxed);
        }
        cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated => {
            errors.failed.store(true, Relaxed);
        }
        _ => {}
    };
    device.build_input_stream::<T, _, _>(
        config,
        move |data: &[T], info: &cpal::InputCallbackInfo| {
            super::realtime(|| {
                if shared.measured_latency.load(Relaxed) == u64::MAX {
                    let t = info.timestamp();
                    if let Some(d) = t.callback.checked_duration_since(t.capture) {
                        let frames = d.as_secs_f64() * rate as f64;
                        shared
                            .measured_latency
                            .store(frames.round() as u64, Relaxed);
                    }
                }
                for chunk in data.chunks(CONVERT_FRAMES * ch) {
                    let buf = &mut scratch[..chunk.len()];
                    for (o, &s) in buf.iter_mut().zip(chunk) {
                        *o = s.to_f32();
                    }
                    sink.push(buf);
                }
            })
        },
        on_error,
        None,
    )
}

/// The channel count to open with: the device's default, or — when a track records a channel
/// beyond it (`min_channels`) — the fewest channels the device supports at `rate` that
/// reach it (an interface's stereo default would hide its channels 3 and up). A device
/// with too few channels keeps its default; the caller says which channels are missing.
fn channels_for(
    device: &cpal::Device,
    default: u16,
    rate: u32,
    min_channels: usize,
) -> (u16, Option<SampleFormat>) {
    if min_channels <= default as usize {
        return (default, None);
    }
    let best = device.supported_input_configs().ok().and_then(|cs| {
        cs.filter(|c| {
            c.channels() as usize >= min_channels
                && c.min_sample_rate() <= rate
                && rate <= c.max_sample_rate()
        })
        .min_by_key(|c| {
            // Fewest channels first, then float before 32-bit before 16-bit integers.
            let rank = match c.sample_format() {
                SampleFormat::F32 => 0,
                SampleFormat::I32 => 1,
                SampleFormat::I16 => 2,
                _ => 3,
            };
            (c.channels(), rank)
        })
    });
    match best {
        Some(c)
            if matches!(
                c.sample_format(),
                SampleFormat::F32 | SampleFormat::I32 | SampleFormat::I16
            ) =>
        {
            (c.channels(), Some(c.sample_format()))
        }
        _ => (default, None),
    }
}

/// Opens the named (or default) input at `rate` with a ring of `ring_frames` frames, with at
/// least `min_channels` channels when the device has them. The stream is paused until
/// [`InputStream::start`].
pub fn open_input(
    wanted: Option<&str>,
    rate: u32,
    buffer_frames: Option<u32>,
    ring_frames: usize,
    min_channels: usize,
) -> Result<InputStream, String> {
    let _quiet = QuietStderr::new();
    let none = format!("{NO_INPUTS}: no capture device can be opened (see `tdaw devices`)");
    let mut last = none.clone();
    for host in hosts() {
        let device = match wanted {
            Some(w) => host
                .input_devices()
                .ok()
                .and_then(|mut ds| ds.find(|d| matches(d, w))),
            None => host.default_input_device(),
        };
        let Some(device) = device else {
            last = match wanted {
                Some(w) => format!("no audio input named '{w}' (see `tdaw devices`)"),
                None => none.clone(),
            };
            continue;
        };
        let supported = match device.default_input_config() {
            Ok(c) => c,
            Err(_) => {
                last = match wanted {
                    Some(w) => format!("'{w}' is not an audio input (see `tdaw devices`)"),
                    None => none.clone(),
                };
                continue;
            }
        };
        let (channels, format) =
            channels_for(&device, supported.channels().max(1), rate, min_channels);
        let config = cpal::StreamConfig {
            channels,
            sample_rate: rate,
            buffer_size: match buffer_frames {
                Some(n) => cpal::BufferSize::Fixed(n),
                None => cpal::BufferSize::Default,
            },
        };
        let (sink, ring, shared) = capture_ring(channels as usize, rate, ring_frames);
        let (feed, monitor, _) = monitor_ring(channels as usize);
        let sink = sink.with_monitor(feed);
        let built = match format.unwrap_or(supported.sample_format()) {
            SampleFormat::I16 => build::<i16>(&device, config, sink),
            SampleFormat::I32 => build::<i32>(&device, config, sink),
            _ => build::<f32>(&device, config, sink),
        };
        match built {
            Ok(stream) => {
                return Ok(InputStream {
                    stream,
                    device: device_name(&device),
                    shared,
                    ring: Some(ring),
                    monitor: Some(monitor),
                })
            }
            Err(e) => last = format!("could not open the input '{}': {e}", device_name(&device)),
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_samples_scale_to_unit_floats() {
        assert_eq!((-32768i16).to_f32(), -1.0);
        assert_eq!(16384i16.to_f32(), 0.5);
        assert_eq!(i32::MIN.to_f32(), -1.0);
        assert_eq!(0.25f32.to_f32(), 0.25);
    }
}
