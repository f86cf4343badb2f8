//! The cpal output. Devices are matched by id (`alsa:default`), description name or display
//! name. The stream runs the processor in f32 and converts when the device wants integers.

use super::quiet::QuietStderr;
use crate::engine::meters::SharedStatus;
use crate::engine::processor::{processor, Link, Processor};
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The hosts to try, best first.
pub(super) fn hosts() -> Vec<cpal::Host> {
    #[allow(unused_mut)]
    let mut out: Vec<cpal::Host> = Vec::with_capacity(2);
    #[cfg(feature = "jack")]
    if let Ok(h) = cpal::host_from_id(cpal::HostId::Jack) {
        out.push(h);
    }
    out.push(cpal::default_host());
    out
}

pub(super) fn device_name(d: &cpal::Device) -> String {
    d.id()
        .map(|i| i.to_string())
        .unwrap_or_else(|_| d.to_string())
}

pub(super) fn matches(d: &cpal::Device, wanted: &str) -> bool {
    device_name(d) == wanted
        || d.to_string() == wanted
        || d.description().is_ok_and(|x| x.name() == wanted)
        || d.id().is_ok_and(|i| i.id() == wanted)
}

/// Frames converted per chunk when the device is not f32.
const CONVERT_FRAMES: usize = 4096;

fn build<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut p: Processor,
    status: Arc<SharedStatus>,
    failed: Arc<AtomicBool>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32>,
{
    let ch = config.channels as usize;
    let rate = config.sample_rate as f64;
    let mut scratch = vec![0.0f32; CONVERT_FRAMES * ch];
    let latency = status.clone();
    let on_error = move |e: cpal::Error| match e.kind() {
        cpal::ErrorKind::Xrun => {
            status.xruns.fetch_add(1, Ordering::Relaxed);
        }
        cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated => {
            failed.store(true, Ordering::Relaxed);
        }
        _ => {}
    };
    device.build_output_stream::<T, _, _>(
        config,
        move |data: &mut [T], info: &cpal::OutputCallbackInfo| {
            super::realtime(|| {
                let t = info.timestamp();
                if let Some(d) = t.playback.checked_duration_since(t.callback) {
                    let frames = (d.as_secs_f64() * rate).round() as u64;
                    latency.device_latency.store(frames, Ordering::Relaxed);
                }
                for chunk in data.chunks_mut(CONVERT_FRAMES * ch) {
                    let buf = &mut scratch[..chunk.len()];
                    p.process(buf, ch);
                    for (o, &s) in chunk.iter_mut().zip(buf.iter()) {
                        *o = T::from_sample(s);
                    }
                }
            })
        },
        on_error,
        None,
    )
}

/// Opens a stream on the named or default device at `rate`.
pub(super) fn open(
    wanted: Option<&str>,
    buffer_frames: Option<u32>,
    rate: u32,
    status: Arc<SharedStatus>,
) -> Result<(cpal::Stream, Link, String, Arc<AtomicBool>), String> {
    let _quiet = QuietStderr::new();
    let mut last = String::from("no audio output device");
    for host in hosts() {
        let device = match wanted {
            Some(w) => host
                .output_devices()
                .ok()
                .and_then(|mut ds| ds.find(|d| matches(d, w))),
            None => host.default_output_device(),
        };
        let Some(device) = device else {
            last = match wanted {
                Some(w) => format!("no output device named '{w}' (see `tdaw devices`)"),
                None => "no default output device".into(),
            };
            continue;
        };
        let supported = match device.default_output_config() {
            Ok(c) => c,
            Err(e) => {
                last = format!("{}: {e}", device_name(&device));
                continue;
            }
        };
        let config = cpal::StreamConfig {
            channels: supported.channels().max(1),
            sample_rate: rate,
            buffer_size: match buffer_frames {
                Some(n) => cpal::BufferSize::Fixed(n),
                None => cpal::BufferSize::Default,
            },
        };
        let failed = Arc::new(AtomicBool::new(false));
        let (p, link) = processor(status.clone(), rate);
        let built = match supported.sample_format() {
            SampleFormat::I16 => build::<i16>(&device, config, p, status.clone(), failed.clone()),
            SampleFormat::I32 => build::<i32>(&device, config, p, status.clone(), failed.clone()),
            _ => build::<f32>(&device, config, p, status.clone(), failed.clone()),
        };
        match built.and_then(|s| s.play().map(|()| s)) {
            Ok(stream) => return Ok((stream, link, device_name(&device), failed)),
            Err(e) => last = format!("{}: {e}", device_name(&device)),
        }
    }
    Err(last)
}

/// One device as `tdaw devices` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceInfo {
    /// The id to put in the config (`[audio] device = "..."`) or pass with `--device`.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    pub output: bool,
    pub input: bool,
    pub is_default: bool,
}

/// Every device of every host, probed quietly.
pub fn list_devices() -> Vec<DeviceInfo> {
    let _quiet = QuietStderr::new();
    let mut out: Vec<DeviceInfo> = Vec::new();
    for host in hosts() {
        let default = host.default_output_device().map(|d| device_name(&d));
        let Ok(devices) = host.devices() else {
            continue;
        };
        for d in devices {
            let id = device_name(&d);
            if out.iter().any(|o| o.id == id) {
                continue;
            }
            let output = d.default_output_config().is_ok();
            let input = d.default_input_config().is_ok();
            if !output && !input {
                continue;
            }
            let name = d
                .description()
                .map(|x| x.name().to_string())
                .unwrap_or_else(|_| d.to_string());
            out.push(DeviceInfo {
                is_default: default.as_deref() == Some(id.as_str()),
                id,
                name,
                output,
                input,
            });
        }
    }
    out
}
