//! The box side of `tdaw monitor`: the master bus, tapped and sent as a stream.
//!
//! The audio callback already copies the master output into an SPSC ring (the loudness tap;
//! no allocation, lock or I/O there). The engine thread drains that ring every few ms and
//! hands each listener a copy through the [`MonitorHub`] — a bounded queue per listener, so a
//! stalled listener loses audio instead of holding anything up — stamped with the box's sample
//! count and wall clock. [`serve`] runs on a listener's own thread: it cuts the audio into
//! 10 ms frames, encodes them ([`crate::codec::stream`]) and writes them to a pipe or socket;
//! when it falls behind (the pipe stopped draining) it drops the backlog and goes on from the
//! newest audio, so latency never grows on this side. A write that fails means the listener is
//! gone: `serve` returns at once, and the engine plays on.

use crate::codec::opus::supports_rate;
pub use crate::codec::stream::StreamCodec;
use crate::codec::stream::{write_all_flush, StreamEncoder, StreamHeader};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Blocks a listener's queue holds (the engine thread feeds one every ~5 ms: ~1 s).
const QUEUE_BLOCKS: usize = 200;
/// Frame length on the wire.
pub const FRAME_MS: u32 = 10;
/// Audio older than this waiting to be sent is dropped (the pipe stalled).
const MAX_BACKLOG_MS: u64 = 60;
/// A keep-alive goes out when no audio came for this long (it finds a closed pipe).
const KEEPALIVE: Duration = Duration::from_millis(200);

/// The box's wall clock in Unix ns.
pub fn wall_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// A run of the master output as the callback produced it.
#[derive(Debug)]
pub struct TapBlock {
    /// Index (since the engine started) of the block's first frame.
    pub sample: u64,
    /// Wall clock (Unix ns) when the engine thread took it from the callback's ring.
    pub wall_ns: u64,
    pub rate: u32,
    /// Interleaved stereo.
    pub samples: Vec<f32>,
}

/// Someone listening, as the TUI shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ListenerInfo {
    pub id: u64,
    /// Who (the SSH user and client, or "local").
    pub name: String,
    /// The latency the listener measured and reported back, in ms.
    pub latency_ms: Option<f64>,
}

struct Sub {
    id: u64,
    tx: SyncSender<TapBlock>,
}

#[derive(Default)]
struct HubState {
    subs: Vec<Sub>,
    listeners: Vec<ListenerInfo>,
    next_id: u64,
    /// Frames fed so far.
    samples: u64,
}

/// Fans the master output out to listeners. Shared by the engine thread (feeds it) and the
/// listeners' threads (subscribe, report latency).
#[derive(Default)]
pub struct MonitorHub {
    state: Mutex<HubState>,
    rate: AtomicU32,
}

impl MonitorHub {
    /// Hands a copy of `interleaved` (stereo, at `rate`) to every listener. A listener whose
    /// queue is full loses this block; one that has gone is removed. Engine thread.
    pub fn feed(&self, interleaved: &[f32], rate: u32) {
        self.rate.store(rate, Ordering::Relaxed);
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        let sample = s.samples;
        s.samples += (interleaved.len() / 2) as u64;
        if s.subs.is_empty() {
            return;
        }
        let now = wall_ns();
        s.subs.retain(|sub| {
            let block = TapBlock {
                sample,
                wall_ns: now,
                rate,
                samples: interleaved.to_vec(),
            };
            !matches!(sub.tx.try_send(block), Err(TrySendError::Disconnected(_)))
        });
    }

    /// The engine's sample rate (0 before the first audio).
    pub fn rate(&self) -> u32 {
        self.rate.load(Ordering::Relaxed)
    }

    /// A new listener named `name`; it is listed until the [`Subscription`] is dropped.
    pub fn subscribe(self: &Arc<Self>, name: &str) -> Subscription {
        let (tx, rx) = sync_channel(QUEUE_BLOCKS);
        let mut id = 0;
        if let Ok(mut s) = self.state.lock() {
            s.next_id += 1;
            id = s.next_id;
            s.subs.push(Sub { id, tx });
            s.listeners.push(ListenerInfo {
                id,
                name: name.to_string(),
                latency_ms: None,
            });
        }
        Subscription {
            id,
            rx,
            hub: self.clone(),
        }
    }

    /// Who is listening now.
    pub fn listeners(&self) -> Vec<ListenerInfo> {
        self.state
            .lock()
            .map(|s| s.listeners.clone())
            .unwrap_or_default()
    }

    fn set_latency(&self, id: u64, ms: f64) {
        if let Ok(mut s) = self.state.lock() {
            if let Some(l) = s.listeners.iter_mut().find(|l| l.id == id) {
                l.latency_ms = Some(ms);
            }
        }
    }

    fn remove(&self, id: u64) {
        if let Ok(mut s) = self.state.lock() {
            s.subs.retain(|x| x.id != id);
            s.listeners.retain(|x| x.id != id);
        }
    }
}

/// One listener's queue of master output.
pub struct Subscription {
    id: u64,
    rx: Receiver<TapBlock>,
    hub: Arc<MonitorHub>,
}

impl Subscription {
    /// Records the latency the listener reported (a `latency MS` line on its back channel).
    pub fn report_line(&self, line: &str) {
        if let Some(ms) = parse_latency_line(line) {
            self.hub.set_latency(self.id, ms);
        }
    }

    /// A handle that can record reports from another thread.
    pub fn reporter(&self) -> Reporter {
        Reporter {
            id: self.id,
            hub: self.hub.clone(),
        }
    }
}

/// Records a listener's latency reports (read from its back channel on another thread).
#[derive(Clone)]
pub struct Reporter {
    id: u64,
    hub: Arc<MonitorHub>,
}

impl Reporter {
    /// Takes one line of the back channel (`latency 43.2`); other lines are ignored.
    pub fn report_line(&self, line: &str) {
        if let Some(ms) = parse_latency_line(line) {
            self.hub.set_latency(self.id, ms);
        }
    }
}

fn parse_latency_line(line: &str) -> Option<f64> {
    let ms: f64 = line.trim().strip_prefix("latency ")?.trim().parse().ok()?;
    (ms.is_finite() && ms >= 0.0).then_some(ms)
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.remove(self.id);
    }
}

/// How to encode a monitor stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonitorOptions {
    pub codec: StreamCodec,
    pub bitrate_kbps: u32,
}

/// Why [`serve`] returned.
#[derive(Debug, PartialEq, Eq)]
pub enum ServeEnd {
    /// A write failed: the listener (the pipe, the SSH link) is gone.
    ListenerGone,
    /// `stop` was set.
    Stopped,
    /// The engine went away.
    EngineGone,
}

/// What [`serve`] did, for the end-of-stream line.
#[derive(Debug, Default, Clone, Copy)]
pub struct ServeStats {
    pub frames: u64,
    /// Audio frames dropped because the pipe stalled.
    pub dropped: u64,
}

/// The codec actually used at `rate`: Opus falls back to the lossless codec at rates libopus
/// does not run at. Returns the codec and a note when it fell back.
pub fn codec_for(wanted: StreamCodec, rate: u32) -> (StreamCodec, Option<String>) {
    if wanted == StreamCodec::Opus && !supports_rate(rate) {
        return (
            StreamCodec::Lossless,
            Some(format!(
                "Opus does not run at {rate} Hz; streaming lossless (flac) instead"
            )),
        );
    }
    (wanted, None)
}

/// Streams `sub` to `out` until a write fails or `stop` is set. The header goes out with the
/// first audio (when the rate is known). Runs on its own thread.
pub fn serve<W: Write>(
    sub: &Subscription,
    opts: MonitorOptions,
    out: &mut W,
    stop: &AtomicBool,
) -> Result<(ServeEnd, ServeStats), String> {
    let mut stats = ServeStats::default();
    let mut enc: Option<StreamEncoder> = None;
    let mut pending: Vec<f32> = Vec::new();
    // Box sample index and wall clock of pending[0].
    let mut pending_at = (0u64, 0u64);
    let mut bytes = Vec::new();
    let mut last_write = Instant::now();
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok((ServeEnd::Stopped, stats));
        }
        let block = match sub.rx.recv_timeout(Duration::from_millis(50)) {
            Ok(b) => Some(b),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Ok((ServeEnd::EngineGone, stats)),
        };
        bytes.clear();
        if let Some(b) = block {
            let e = match enc.as_mut() {
                Some(e) => e,
                None => {
                    let (codec, _) = codec_for(opts.codec, b.rate);
                    let header = StreamHeader {
                        codec,
                        rate: b.rate,
                        channels: 2,
                        frame_frames: b.rate * FRAME_MS / 1000,
                    };
                    let e =
                        StreamEncoder::new(header, opts.bitrate_kbps).map_err(|e| e.to_string())?;
                    bytes.extend_from_slice(&header.to_bytes());
                    enc.insert(e)
                }
            };
            let frame = e.header().frame_frames as usize;
            let rate = e.header().rate as u64;
            // A gap in the sample count (the queue was full) starts the pending run afresh.
            let expected = pending_at.0 + (pending.len() / 2) as u64;
            if pending.is_empty() || b.sample != expected {
                stats.dropped += (pending.len() / 2) as u64;
                pending.clear();
                // The block was taken from the ring when its last frame was done.
                let frames = (b.samples.len() / 2) as u64;
                pending_at = (
                    b.sample,
                    b.wall_ns.saturating_sub(frames * 1_000_000_000 / rate),
                );
            }
            pending.extend_from_slice(&b.samples);
            // Behind (the pipe did not drain): keep only the newest audio.
            let max = (MAX_BACKLOG_MS * rate / 1000) as usize + frame;
            let have = pending.len() / 2;
            if have > max {
                let cut = (have - frame) / frame * frame;
                pending.drain(..cut * 2);
                pending_at.0 += cut as u64;
                pending_at.1 += cut as u64 * 1_000_000_000 / rate;
                stats.dropped += cut as u64;
            }
            let mut off = 0;
            while pending.len() - off >= frame * 2 {
                e.encode(
                    &pending[off..off + frame * 2],
                    pending_at.0,
                    pending_at.1,
                    &mut bytes,
                )
                .map_err(|e| e.to_string())?;
                off += frame * 2;
                pending_at.0 += frame as u64;
                pending_at.1 += frame as u64 * 1_000_000_000 / rate;
                stats.frames += 1;
            }
            pending.drain(..off);
        } else if let Some(e) = enc.as_mut() {
            if last_write.elapsed() >= KEEPALIVE {
                e.encode(&[], pending_at.0, wall_ns(), &mut bytes)
                    .map_err(|e| e.to_string())?;
            }
        }
        if !bytes.is_empty() {
            if write_all_flush(out, &bytes).is_err() {
                return Ok((ServeEnd::ListenerGone, stats));
            }
            last_write = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::stream::StreamReader;

    fn feed_ms(hub: &MonitorHub, ms: usize, start: &mut f32) {
        let n = 48 * ms;
        let block: Vec<f32> = (0..n * 2)
            .map(|i| {
                let v = *start + (i / 2) as f32;
                v / 1_000_000.0
            })
            .collect();
        *start += n as f32;
        hub.feed(&block, 48_000);
    }

    #[test]
    fn a_listener_is_listed_until_its_subscription_drops() {
        let hub = Arc::new(MonitorHub::default());
        let sub = hub.subscribe("local");
        assert_eq!(hub.listeners()[0].name, "local");
        drop(sub);
        assert!(hub.listeners().is_empty());
        // Feeding with nobody listening only counts.
        feed_ms(&hub, 5, &mut 0.0);
        assert_eq!(hub.rate(), 48_000);
    }

    #[test]
    fn serve_frames_the_tap_and_ends_when_the_writer_fails() {
        struct Failing(usize);
        impl Write for Failing {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::ErrorKind::BrokenPipe.into());
                }
                self.0 -= 1;
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let hub = Arc::new(MonitorHub::default());
        let sub = hub.subscribe("x");
        let mut t = 0.0;
        for _ in 0..4 {
            feed_ms(&hub, 5, &mut t);
        }
        let stop = AtomicBool::new(false);
        let opts = MonitorOptions {
            codec: StreamCodec::Pcm,
            bitrate_kbps: 128,
        };
        let (end, stats) = serve(&sub, opts, &mut Failing(1), &stop).unwrap();
        assert_eq!(end, ServeEnd::ListenerGone);
        assert!(stats.frames >= 1);
    }

    #[test]
    fn served_frames_decode_to_the_fed_samples_with_their_sample_index() {
        struct Capture(Vec<u8>, usize);
        impl Write for Capture {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                if self.1 == 0 {
                    return Err(std::io::ErrorKind::BrokenPipe.into());
                }
                self.1 -= 1;
                self.0.extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let hub = Arc::new(MonitorHub::default());
        let mut t = 0.0;
        feed_ms(&hub, 5, &mut t);
        let sub = hub.subscribe("x");
        for _ in 0..4 {
            feed_ms(&hub, 5, &mut t);
        }
        let opts = MonitorOptions {
            codec: StreamCodec::Pcm,
            bitrate_kbps: 128,
        };
        let mut cap = Capture(Vec::new(), 4);
        let (end, stats) = serve(&sub, opts, &mut cap, &AtomicBool::new(false)).unwrap();
        assert_eq!(end, ServeEnd::ListenerGone);
        assert_eq!(stats.frames, 2);
        let mut r = StreamReader::open(&cap.0[..]).unwrap().unwrap();
        assert_eq!(r.header().frame_frames, 480);
        let f0 = r.next_frame().unwrap().unwrap();
        assert_eq!(f0.sample, 240);
        assert_eq!(f0.samples[0], 240.0 / 1_000_000.0);
        let f1 = r.next_frame().unwrap().unwrap();
        assert_eq!(f1.sample, 720);
        assert_eq!(f1.samples[2 * 479 + 1], 1199.0 / 1_000_000.0);
    }

    #[test]
    fn latency_reports_show_in_the_listener_list() {
        let hub = Arc::new(MonitorHub::default());
        let sub = hub.subscribe("ana@laptop");
        sub.reporter().report_line("latency 42.5\n");
        sub.report_line("garbage");
        assert_eq!(hub.listeners()[0].latency_ms, Some(42.5));
    }
}
