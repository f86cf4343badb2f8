//! Software monitoring: the input callback's frames reach the output callback through a small
//! lock-free SPSC ring ([`monitor_ring`]), and the output callback mixes each armed track's
//! input channels into that track's node before its insert chain ([`MonitorRoute`]), so the
//! track's EQ, compressor, sends, fader and pan apply to what the player hears.
//!
//! The two callbacks run on different clocks. When the output finds fewer frames than it
//! needs it plays what there is and silence for the rest (an underrun, counted), then
//! silence until a block plus one input period is there again (a margin for callbacks that
//! take turns in a varying order); when the
//! backlog grows past two input periods beyond the block it drops the oldest frames (an
//! overrun, counted) so the monitoring latency stays bounded; when the ring is full the input
//! drops what does not fit (counted too). Neither side allocates, locks or blocks.

use crate::model::{MonitorMode, TrackId};
use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

/// The most armed tracks monitored at once.
pub const MAX_ROUTES: usize = 32;
/// Frames the ring holds (a few blocks of any usual size).
pub const RING_FRAMES: usize = 8192;

/// Counters both sides update.
#[derive(Debug, Default)]
pub struct MonitorStats {
    /// Output blocks that found fewer input frames than they needed.
    pub underruns: AtomicU64,
    /// Input frames dropped: the ring was full, or the backlog too long (the oldest).
    pub overruns: AtomicU64,
    /// Frames the input pushed in its last callback (its period).
    pub chunk: AtomicU64,
    /// Frames taken by the output so far.
    pub taken: AtomicU64,
}

/// The input callback's end.
pub struct MonitorFeed {
    prod: HeapProd<f32>,
    channels: usize,
    stats: Arc<MonitorStats>,
}

impl MonitorFeed {
    /// Takes one input callback's interleaved frames. Called on the audio thread.
    pub fn push(&mut self, data: &[f32]) {
        let ch = self.channels;
        let frames = data.len() / ch;
        self.stats.chunk.store(frames as u64, Relaxed);
        let room = self.prod.vacant_len() / ch;
        let n = frames.min(room);
        self.prod.push_slice(&data[..n * ch]);
        if n < frames {
            self.stats.overruns.fetch_add((frames - n) as u64, Relaxed);
        }
    }
}

/// The output callback's end: hands out one block of input frames at a time.
pub struct MonitorInput {
    cons: HeapCons<f32>,
    channels: usize,
    stats: Arc<MonitorStats>,
    block: Vec<f32>,
    frames: usize,
    /// Set after an underrun: play silence until the ring holds a block plus one input
    /// period again, so that callbacks taking turns in a varying order (a sound server's
    /// clients) do not underrun block after block.
    margin: bool,
}

impl MonitorInput {
    /// Input channels per frame.
    pub fn channels(&self) -> usize {
        self.channels
    }

    pub fn stats(&self) -> &Arc<MonitorStats> {
        &self.stats
    }

    /// Takes the next `n` frames (at most [`crate::engine::graph::MAX_BLOCK`]) into the
    /// block: silence where the input has not delivered yet. Called on the audio thread.
    pub fn take(&mut self, n: usize) {
        let ch = self.channels;
        let n = n.min(self.block.len() / ch);
        // Too long a backlog: drop the oldest, keeping the block plus two input periods.
        let chunk = self.stats.chunk.load(Relaxed) as usize;
        let keep = n + 2 * chunk.max(n);
        let have = self.cons.occupied_len() / ch;
        if have > keep {
            let drop = have - keep;
            self.cons.skip(drop * ch);
            self.stats.overruns.fetch_add(drop as u64, Relaxed);
        }
        if self.margin {
            if have < n + chunk {
                // Still refilling: silence, nothing taken.
                self.block[..n * ch].fill(0.0);
                self.frames = n;
                return;
            }
            self.margin = false;
        }
        let got = self.cons.pop_slice(&mut self.block[..n * ch]) / ch;
        if got < n {
            self.block[got * ch..n * ch].fill(0.0);
            // Before the input's first callback there is nothing to miss.
            if chunk > 0 {
                self.stats.underruns.fetch_add(1, Relaxed);
                self.margin = true;
            }
        }
        self.stats.taken.fetch_add(got as u64, Relaxed);
        self.frames = n;
    }

    /// Channel `c` (0-based) of the frames taken last, into `out`; silence for a channel
    /// the device does not have.
    pub fn channel_into(&self, c: usize, out: &mut [f32]) {
        let n = out.len().min(self.frames);
        if c >= self.channels {
            out[..n].fill(0.0);
            return;
        }
        for (o, f) in out[..n]
            .iter_mut()
            .zip(self.block.chunks_exact(self.channels))
        {
            *o = f[c];
        }
    }
}

/// A ring for an input of `channels` channels.
pub fn monitor_ring(channels: usize) -> (MonitorFeed, MonitorInput, Arc<MonitorStats>) {
    let channels = channels.max(1);
    let (prod, cons) = HeapRb::<f32>::new(RING_FRAMES * channels).split();
    let stats = Arc::new(MonitorStats::default());
    (
        MonitorFeed {
            prod,
            channels,
            stats: stats.clone(),
        },
        MonitorInput {
            cons,
            channels,
            stats: stats.clone(),
            block: vec![0.0; crate::engine::graph::MAX_BLOCK * channels],
            frames: 0,
            margin: false,
        },
        stats,
    )
}

/// One armed track hearing its input: input channels (0-based; the same twice for a mono
/// input) into the track's left and right before its chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonitorRoute {
    pub track: TrackId,
    pub left: usize,
    pub right: usize,
    pub mode: MonitorMode,
}

impl MonitorRoute {
    /// The route of an armed track recording `channels` (0-based, in file order).
    pub fn new(track: TrackId, channels: &[usize], mode: MonitorMode) -> Option<MonitorRoute> {
        let (&l, r) = channels.split_first()?;
        Some(MonitorRoute {
            track,
            left: l,
            right: r.first().copied().unwrap_or(l),
            mode,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underruns_play_silence_and_a_long_backlog_drops_the_oldest() {
        let (mut feed, mut input, stats) = monitor_ring(2);
        let mut l = [9.0f32; 4];
        input.take(4);
        input.channel_into(0, &mut l);
        assert_eq!(l, [0.0; 4]);
        assert_eq!(
            stats.underruns.load(Relaxed),
            0,
            "no input yet: nothing missed"
        );
        // 3 frames in, 4 wanted: 3 played, 1 silent, one underrun.
        feed.push(&[1.0, -1.0, 2.0, -2.0, 3.0, -3.0]);
        input.take(4);
        let mut r = [9.0f32; 4];
        input.channel_into(1, &mut r);
        assert_eq!(r, [-1.0, -2.0, -3.0, 0.0]);
        assert_eq!(stats.underruns.load(Relaxed), 1);
        // Then silence until a block plus a period (4 + 3 frames) is there, nothing taken.
        feed.push(&[4.0, 0.0, 5.0, 0.0, 6.0, 0.0]);
        input.take(4);
        input.channel_into(0, &mut l);
        assert_eq!(l, [0.0; 4]);
        feed.push(&[7.0, 0.0, 8.0, 0.0, 9.0, 0.0]);
        input.take(4);
        input.channel_into(0, &mut l);
        assert_eq!(l, [0.0; 4], "6 of 7");
        feed.push(&[10.0, 0.0, 11.0, 0.0, 12.0, 0.0]);
        input.take(4);
        input.channel_into(0, &mut l);
        assert_eq!(l, [4.0, 5.0, 6.0, 7.0], "9 of 7: playing, a period behind");
        assert_eq!(stats.underruns.load(Relaxed), 1);
        input.take(4);
        input.take(4);
        assert_eq!(stats.underruns.load(Relaxed), 2);
        input.take(4);
        assert_eq!(
            stats.underruns.load(Relaxed),
            2,
            "refilling is not an underrun"
        );
        let (mut feed, mut input, stats) = monitor_ring(2);
        // A backlog of 20 frames in periods of 2: blocks of 2 keep 2 + 2·2 = 6, the 14
        // oldest go.
        for i in 0..10 {
            let v = (10 + 2 * i) as f32;
            feed.push(&[v, 0.0, v + 1.0, 0.0]);
        }
        input.take(2);
        input.channel_into(0, &mut l[..2]);
        assert_eq!(l[..2], [24.0, 25.0]);
        assert_eq!(stats.overruns.load(Relaxed), 14);
        // A channel the device lacks is silent.
        input.channel_into(5, &mut l[..2]);
        assert_eq!(l[..2], [0.0, 0.0]);
        assert_eq!(
            MonitorRoute::new(TrackId(1), &[2], MonitorMode::Input).map(|r| (r.left, r.right)),
            Some((2, 2))
        );
    }

    #[test]
    fn a_full_ring_drops_and_counts_at_the_input() {
        let (mut feed, _input, stats) = monitor_ring(1);
        feed.push(&vec![0.5; RING_FRAMES + 100]);
        assert_eq!(stats.overruns.load(Relaxed), 100);
    }
}
