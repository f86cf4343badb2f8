//! Audio input, as the input callback sees it: [`CaptureSink::push`] copies interleaved f32
//! frames into a single-producer ring for the disk thread and folds them into per-channel
//! peak meters held as atomics. It never allocates, locks, logs or does I/O, so it is safe in
//! any device's callback (cpal's, or a test's synthetic source through the same path).
//!
//! A gate decides when frames start to count: a recording opens it when the transport starts
//! rolling at the record point, and a quota (headless `tdaw record`) closes it after the
//! frames it needs. Frames the ring has no room for are dropped and counted (an overrun: the
//! disk thread fell behind), never waited for.

use super::meters::AtomicF32;
use ringbuf::traits::{Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;

/// How fast a meter's peak falls, per second, as a factor (20 dB/s, as the track meters).
const PEAK_FALL_PER_S: f32 = 0.1;

/// What the input callback and the rest of the engine share.
#[derive(Debug)]
pub struct CaptureShared {
    /// Channels per frame of the device.
    pub channels: usize,
    pub rate: u32,
    /// Decaying peak per input channel (linear).
    pub peaks: Vec<AtomicF32>,
    /// Frames are kept only while this is set.
    pub gate: AtomicBool,
    /// Frames still to keep before the gate closes by itself (`u64::MAX`: no limit).
    pub quota: AtomicU64,
    /// Frames pushed to the ring since the gate first opened.
    pub kept: AtomicU64,
    /// Frames dropped because the ring was full (the disk thread fell behind).
    pub dropped: AtomicU64,
    /// The device's input latency in frames (capture to callback), from its timestamps;
    /// `u64::MAX` until the first callback says.
    pub measured_latency: AtomicU64,
    /// Callbacks so far (a test or the UI can see the device is alive).
    pub callbacks: AtomicU64,
    /// Set when the device reported an overrun or went away.
    pub device_xruns: AtomicU64,
    pub failed: AtomicBool,
}

impl CaptureShared {
    /// The meters, one linear peak per channel.
    pub fn peaks(&self) -> Vec<f32> {
        self.peaks.iter().map(AtomicF32::load).collect()
    }

    /// Frames lost so far: ring overruns plus the device's own overruns.
    pub fn lost(&self) -> u64 {
        self.dropped.load(Relaxed) + self.device_xruns.load(Relaxed)
    }
}

/// The input callback's end.
pub struct CaptureSink {
    ring: HeapProd<f32>,
    shared: Arc<CaptureShared>,
    /// Software monitoring: every frame also goes to the output callback, gate or not.
    monitor: Option<super::input_monitor::MonitorFeed>,
}

/// Creates the callback's sink, the disk thread's end of the ring (`capacity_frames` frames
/// of `channels` interleaved f32) and the shared state.
pub fn capture_ring(
    channels: usize,
    rate: u32,
    capacity_frames: usize,
) -> (CaptureSink, HeapCons<f32>, Arc<CaptureShared>) {
    let channels = channels.max(1);
    let (prod, cons) = HeapRb::<f32>::new(capacity_frames.max(64) * channels).split();
    let shared = Arc::new(CaptureShared {
        channels,
        rate: rate.max(1),
        peaks: (0..channels).map(|_| AtomicF32::new(0.0)).collect(),
        gate: AtomicBool::new(false),
        quota: AtomicU64::new(u64::MAX),
        kept: AtomicU64::new(0),
        dropped: AtomicU64::new(0),
        measured_latency: AtomicU64::new(u64::MAX),
        callbacks: AtomicU64::new(0),
        device_xruns: AtomicU64::new(0),
        failed: AtomicBool::new(false),
    });
    (
        CaptureSink {
            ring: prod,
            shared: shared.clone(),
            monitor: None,
        },
        cons,
        shared,
    )
}

impl CaptureSink {
    /// The state shared with the engine.
    pub fn shared(&self) -> &Arc<CaptureShared> {
        &self.shared
    }

    /// Also feeds every frame to software monitoring.
    pub fn with_monitor(mut self, feed: super::input_monitor::MonitorFeed) -> CaptureSink {
        self.monitor = Some(feed);
        self
    }

    /// Frames waiting in the ring for the disk thread.
    pub fn occupied_frames(&self) -> usize {
        self.ring.occupied_len() / self.shared.channels
    }

    /// Takes one callback's interleaved frames. Called on the audio thread: no allocation,
    /// no lock, no I/O.
    pub fn push(&mut self, data: &[f32]) {
        let s = &*self.shared;
        let ch = s.channels;
        let frames = data.len() / ch;
        s.callbacks.fetch_add(1, Relaxed);
        // Meters: the block's peak, or the old peak fallen by the block's duration.
        let fall = PEAK_FALL_PER_S.powf(frames as f32 / s.rate as f32);
        for (c, meter) in s.peaks.iter().enumerate() {
            let mut peak = 0.0f32;
            for frame in data.chunks_exact(ch) {
                peak = peak.max(frame[c].abs());
            }
            meter.store(peak.max(meter.load() * fall));
        }
        if let Some(m) = &mut self.monitor {
            m.push(data);
        }
        if !s.gate.load(Relaxed) {
            return;
        }
        let quota = s.quota.load(Relaxed);
        let take = (frames as u64).min(quota) as usize;
        let room = self.ring.vacant_len() / ch;
        let n = take.min(room);
        let pushed = self.ring.push_slice(&data[..n * ch]) / ch;
        s.kept.fetch_add(pushed as u64, Relaxed);
        if take > pushed {
            s.dropped.fetch_add((take - pushed) as u64, Relaxed);
        }
        if quota != u64::MAX {
            let left = quota - take as u64;
            s.quota.store(left, Relaxed);
            if left == 0 {
                s.gate.store(false, Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringbuf::traits::Consumer;

    #[test]
    fn the_gate_and_the_quota_decide_what_reaches_the_ring() {
        let (mut sink, mut cons, shared) = capture_ring(2, 48_000, 100);
        let block: Vec<f32> = (0..20).map(|i| i as f32 / 100.0).collect();
        sink.push(&block);
        assert_eq!(cons.occupied_len(), 0, "gate closed: nothing kept");
        assert!((shared.peaks()[0] - 0.18).abs() < 1e-6);
        assert!((shared.peaks()[1] - 0.19).abs() < 1e-6);
        shared.quota.store(15, Relaxed);
        shared.gate.store(true, Relaxed);
        sink.push(&block);
        sink.push(&block);
        assert_eq!(shared.kept.load(Relaxed), 15);
        assert!(!shared.gate.load(Relaxed), "the quota closed the gate");
        let mut got = vec![0.0; 30];
        assert_eq!(cons.pop_slice(&mut got), 30);
        assert_eq!(got[..20], block[..]);
        assert_eq!(got[20..], block[..10]);
    }

    #[test]
    fn a_full_ring_drops_and_counts_instead_of_waiting() {
        let (mut sink, cons, shared) = capture_ring(1, 48_000, 64);
        shared.gate.store(true, Relaxed);
        sink.push(&[0.5; 100]);
        assert_eq!(cons.occupied_len(), 64);
        assert_eq!(shared.kept.load(Relaxed), 64);
        assert_eq!(shared.dropped.load(Relaxed), 36);
        assert_eq!(shared.lost(), 36);
    }
}
