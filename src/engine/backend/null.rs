//! The null backend: a thread that calls the processor at real-time pace and throws the
//! output away. Used when no device works, so the transport, meters and the UI behave the
//! same with no sound card.

use crate::engine::meters::SharedStatus;
use crate::engine::processor::Processor;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The pacing thread; stops and joins on drop.
pub struct NullBackend {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl NullBackend {
    /// Runs `p` every `frames` frames of wall time.
    pub fn start(mut p: Processor, frames: u32, status: Arc<SharedStatus>) -> NullBackend {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("tdaw-null-audio".into())
            .spawn(move || {
                let mut buf = vec![0.0f32; frames as usize * 2];
                let period = Duration::from_secs_f64(frames as f64 / p.sample_rate() as f64);
                let mut next = Instant::now();
                while !flag.load(Ordering::Relaxed) {
                    p.process(&mut buf, 2);
                    next += period;
                    let now = Instant::now();
                    if now < next {
                        std::thread::sleep(next - now);
                    } else if now - next > period {
                        // Fell more than a buffer behind: what a device would call an xrun.
                        status.xruns.fetch_add(1, Ordering::Relaxed);
                        next = now;
                    }
                }
            })
            .ok();
        NullBackend { stop, thread }
    }
}

impl Drop for NullBackend {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
