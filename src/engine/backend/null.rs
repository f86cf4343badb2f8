//! The null backend: a thread that calls the processor at real-time pace and throws the
//! output away. Used when no device works, so the transport, meters and the UI behave the
//! same with no sound card.
//!
//! With no device there is no buffer to under-run, so it never counts xruns: when the thread
//! falls behind (a loaded machine delays it) that is a late callback, counted apart, and the
//! pace restarts from now instead of rushing to catch up.

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
                let mut pacer = Pacer::new(Instant::now(), period);
                while !flag.load(Ordering::Relaxed) {
                    p.process(&mut buf, 2);
                    match pacer.after_block(Instant::now()) {
                        Pace::Sleep(d) => std::thread::sleep(d),
                        Pace::OnTime => {}
                        Pace::Late => {
                            status.late_callbacks.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
            .ok();
        NullBackend { stop, thread }
    }
}

/// What the pacing thread does after a block.
#[derive(Debug, PartialEq, Eq)]
enum Pace {
    /// Ahead of time: wait this long.
    Sleep(Duration),
    /// Behind by less than a block: go on at once.
    OnTime,
    /// More than a block behind: a late callback; the schedule restarts from now.
    Late,
}

/// Real-time pacing of blocks of `period`.
struct Pacer {
    next: Instant,
    period: Duration,
}

impl Pacer {
    fn new(start: Instant, period: Duration) -> Pacer {
        Pacer {
            next: start,
            period,
        }
    }

    fn after_block(&mut self, now: Instant) -> Pace {
        self.next += self.period;
        if now < self.next {
            Pace::Sleep(self.next - now)
        } else if now - self.next > self.period {
            self.next = now;
            Pace::Late
        } else {
            Pace::OnTime
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pacer_sleeps_ahead_of_time_and_calls_a_block_behind_late() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut p = Pacer::new(t0, ms(10));
        assert_eq!(p.after_block(t0 + ms(4)), Pace::Sleep(ms(6)));
        assert_eq!(p.after_block(t0 + ms(25)), Pace::OnTime);
        // 40 ms behind the 30 ms mark: late, and the schedule restarts from now.
        assert_eq!(p.after_block(t0 + ms(70)), Pace::Late);
        assert_eq!(p.after_block(t0 + ms(71)), Pace::Sleep(ms(9)));
    }

    #[test]
    fn a_null_backend_that_falls_behind_counts_late_callbacks_never_xruns() {
        let status = Arc::new(SharedStatus::default());
        let (p, _link) = crate::engine::processor::processor(status.clone(), 48_000);
        // One frame per block (21 µs): no sleep returns that fast, so the thread is behind
        // all the time — as on a machine loaded to the full.
        let backend = NullBackend::start(p, 1, status.clone());
        // A bound against a hang, not a timing check.
        let give_up = Instant::now() + Duration::from_secs(20);
        while status.late_callbacks.load(Ordering::Relaxed) < 10 && Instant::now() < give_up {
            std::thread::yield_now();
        }
        drop(backend);
        assert!(status.late_callbacks.load(Ordering::Relaxed) >= 10);
        assert_eq!(status.xruns.load(Ordering::Relaxed), 0);
    }
}
