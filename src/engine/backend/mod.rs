//! Audio output backends: cpal (ALSA; JACK with the `jack` feature) and a null backend that
//! runs the callback at real-time pace with no device. [`open`] tries the configured device
//! and falls back to the null backend quietly, so tdaw never fails for lack of a sound card.

mod cpal_in;
mod cpal_out;
mod loopback;
mod null;
mod quiet;

pub use cpal_in::{open_input, InputStream, NO_INPUTS};
pub use cpal_out::{list_devices, DeviceInfo};
pub use loopback::{play_and_record, Captured as LoopbackCapture};
pub use null::NullBackend;
pub use quiet::QuietStderr;

use super::meters::SharedStatus;
use super::processor::{processor, Link};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Runs the body of an audio callback: under `assert_no_alloc` in debug builds (so a test that
/// allocates, frees or locks there aborts), as it is in release builds.
#[inline(always)]
pub fn realtime<R>(body: impl FnOnce() -> R) -> R {
    #[cfg(debug_assertions)]
    return assert_no_alloc::assert_no_alloc(body);
    #[cfg(not(debug_assertions))]
    body()
}

/// Buffer size when neither the config nor a flag gives one.
pub const DEFAULT_BUFFER_FRAMES: u32 = 512;

/// A running output.
pub enum Backend {
    /// A cpal stream; `failed` is set when the device goes away.
    Cpal {
        stream: cpal::Stream,
        failed: Arc<AtomicBool>,
    },
    /// The null backend's pacing thread.
    Null(NullBackend),
}

/// What [`open`] started.
pub struct Opened {
    pub backend: Backend,
    pub link: Link,
    /// The device's name, or "none" for the null backend.
    pub device: String,
    /// True for the null backend (nothing is heard).
    pub silent: bool,
    /// Why the device was not used, when the null backend was chosen though one was wanted.
    pub fallback_reason: Option<String>,
}

/// Opens the output at `rate`: the named (or default) cpal device, else the null backend.
pub fn open(
    device: Option<&str>,
    buffer_frames: Option<u32>,
    rate: u32,
    force_null: bool,
    status: Arc<SharedStatus>,
) -> Opened {
    let mut reason = None;
    if !force_null {
        match cpal_out::open(device, buffer_frames, rate, status.clone()) {
            Ok((stream, link, name, failed)) => {
                return Opened {
                    backend: Backend::Cpal { stream, failed },
                    link,
                    device: name,
                    silent: false,
                    fallback_reason: None,
                }
            }
            Err(e) => reason = Some(e),
        }
    }
    let (p, link) = processor(status.clone(), rate);
    let frames = buffer_frames
        .unwrap_or(DEFAULT_BUFFER_FRAMES)
        .clamp(16, 8192);
    Opened {
        backend: Backend::Null(NullBackend::start(p, frames, status)),
        link,
        device: "none".into(),
        silent: true,
        fallback_reason: reason,
    }
}

impl Backend {
    /// True when the device stopped working (the engine then falls back to the null backend).
    pub fn failed(&self) -> bool {
        match self {
            Backend::Cpal { failed, .. } => failed.load(std::sync::atomic::Ordering::Relaxed),
            Backend::Null(_) => false,
        }
    }
}
