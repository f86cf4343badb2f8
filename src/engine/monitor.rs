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
use crate::codec::stream::{
    wav_stream_header, wav_stream_samples, write_all_flush, StreamEncoder, StreamHeader,
};
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
    /// A stream for players (`--stdout | ffplay -`) instead of tdaw's frames: a WAV stream
    /// (f32 for pcm, 24-bit for flac) or Ogg Opus; no keep-alives.
    pub player: bool,
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
    // A player's Opus goes in Ogg pages instead of tdaw's frames.
    let mut ogg: Option<PlayerOpus> = None;
    let mut pending: Vec<f32> = Vec::new();
    // Box sample index and wall clock of pending[0].
    let mut pending_at = (0u64, 0u64);
    let mut bytes = Vec::new();
    let mut last_write = Instant::now();
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok((ServeEnd::Stopped, stats));
        }
        let first = match sub.rx.recv_timeout(Duration::from_millis(50)) {
            Ok(b) => Some(b),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Ok((ServeEnd::EngineGone, stats)),
        };
        bytes.clear();
        // Everything queued goes into `pending` before anything is encoded, so a backlog
        // (the pipe stalled) is seen whole and dropped, not sent frame by frame.
        let has_audio = first.is_some();
        for b in first
            .into_iter()
            .chain(std::iter::from_fn(|| sub.rx.try_recv().ok()))
        {
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
                    if opts.player && codec == StreamCodec::Opus {
                        ogg = Some(PlayerOpus::new(header, opts.bitrate_kbps, &mut bytes)?);
                    } else if opts.player {
                        bytes.extend_from_slice(&wav_stream_header(
                            b.rate,
                            2,
                            codec == StreamCodec::Pcm,
                        ));
                    } else {
                        bytes.extend_from_slice(&header.to_bytes());
                    }
                    enc.insert(e)
                }
            };
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
        }
        if let Some(e) = enc.as_mut().filter(|_| has_audio) {
            let frame = e.header().frame_frames as usize;
            let rate = e.header().rate as u64;
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
                let chunk = &pending[off..off + frame * 2];
                if let Some(o) = ogg.as_mut() {
                    o.frame(chunk, &mut bytes)?;
                } else if opts.player {
                    let float = e.header().codec == StreamCodec::Pcm;
                    wav_stream_samples(chunk, float, &mut bytes);
                } else {
                    e.encode(chunk, pending_at.0, pending_at.1, &mut bytes)
                        .map_err(|e| e.to_string())?;
                }
                off += frame * 2;
                pending_at.0 += frame as u64;
                pending_at.1 += frame as u64 * 1_000_000_000 / rate;
                stats.frames += 1;
            }
            pending.drain(..off);
        } else if let Some(e) = enc.as_mut().filter(|_| !opts.player) {
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

/// Opus for a player: tdaw's encoder's packets in Ogg pages (RFC 7845).
struct PlayerOpus {
    enc: crate::codec::opus::OpusEncoder,
    ogg: crate::codec::ogg::OggOpusWriter,
    packet: Vec<u8>,
}

impl PlayerOpus {
    fn new(header: StreamHeader, kbps: u32, out: &mut Vec<u8>) -> Result<PlayerOpus, String> {
        let enc = crate::codec::opus::OpusEncoder::new(header.rate, header.channels, kbps)?;
        let pre_skip = enc.lookahead_48k();
        // Any serial number will do for a stream of one bitstream; the clock makes two
        // concatenated streams distinct.
        let serial = (wall_ns() / 1000) as u32;
        let ogg = crate::codec::ogg::OggOpusWriter::new(
            header.rate,
            header.channels as u8,
            header.frame_frames,
            pre_skip,
            serial,
            out,
        );
        Ok(PlayerOpus {
            enc,
            ogg,
            packet: Vec::with_capacity(4000),
        })
    }

    fn frame(&mut self, samples: &[f32], out: &mut Vec<u8>) -> Result<(), String> {
        self.packet.clear();
        self.enc.encode(samples, &mut self.packet)?;
        self.ogg.packet(&self.packet, out);
        Ok(())
    }
}

// --- the per-user socket: `tdaw monitor` attaching to a running TUI ----------------------

/// The first line a client sends: `tdaw-monitor 1 codec=opus bitrate=128 name=ana@10.0.0.5`.
const HELLO: &str = "tdaw-monitor 1";

/// Where this user's running session listens: `$TDAW_HOME` (tests) or `$XDG_RUNTIME_DIR`,
/// else the data dir, named `tdaw-<uid>.sock`.
pub fn socket_path() -> std::path::PathBuf {
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    let name = format!("tdaw-{uid}.sock");
    if std::env::var_os("TDAW_HOME").is_none() {
        if let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR") {
            return std::path::PathBuf::from(dir).join(name);
        }
    }
    crate::config::data_dir().join(name)
}

/// The hello line for `opts`.
pub fn hello_line(opts: MonitorOptions, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect();
    format!(
        "{HELLO} codec={} bitrate={} player={} name={clean}\n",
        opts.codec.name(),
        opts.bitrate_kbps,
        u8::from(opts.player)
    )
}

fn parse_hello(line: &str) -> Option<(MonitorOptions, String)> {
    let rest = line.trim().strip_prefix(HELLO)?;
    let mut opts = MonitorOptions {
        codec: StreamCodec::Opus,
        bitrate_kbps: 128,
        player: false,
    };
    let mut name = String::from("?");
    for part in rest.split_whitespace() {
        match part.split_once('=')? {
            ("codec", "opus") => opts.codec = StreamCodec::Opus,
            ("codec", "flac") => opts.codec = StreamCodec::Lossless,
            ("codec", "pcm") => opts.codec = StreamCodec::Pcm,
            ("bitrate", b) => opts.bitrate_kbps = b.parse().ok()?,
            ("player", p) => opts.player = p == "1",
            ("name", n) => name = n.to_string(),
            _ => {}
        }
    }
    Some((opts, name))
}

/// A running session's socket: each connection becomes a listener. The file goes when this
/// is dropped.
pub struct SocketServer {
    path: std::path::PathBuf,
    stop: Arc<AtomicBool>,
}

impl SocketServer {
    /// Serves `hub` on [`socket_path`] (mode 0600). Fails when another live session serves it.
    pub fn start(hub: Arc<MonitorHub>) -> Result<SocketServer, String> {
        SocketServer::start_at(hub, socket_path())
    }

    /// [`SocketServer::start`] at `path`.
    pub fn start_at(
        hub: Arc<MonitorHub>,
        path: std::path::PathBuf,
    ) -> Result<SocketServer, String> {
        use std::os::unix::fs::PermissionsExt;
        use std::os::unix::net::{UnixListener, UnixStream};
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if path.exists() {
            if UnixStream::connect(&path).is_ok() {
                return Err(format!(
                    "another tdaw session already serves '{}'",
                    path.display()
                ));
            }
            // Left behind by a session that died.
            let _ = std::fs::remove_file(&path);
        }
        let listener = UnixListener::bind(&path)
            .map_err(|e| format!("could not listen on '{}': {e}", path.display()))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("could not restrict '{}': {e}", path.display()))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("could not listen on '{}': {e}", path.display()))?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("tdaw-monitor-socket".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((conn, _)) => {
                            let (hub, flag) = (hub.clone(), flag.clone());
                            let _ = std::thread::Builder::new()
                                .name("tdaw-monitor-client".into())
                                .spawn(move || serve_connection(conn, &hub, &flag));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
            })
            .map_err(|e| format!("could not start the monitor socket thread: {e}"))?;
        Ok(SocketServer { path, stop })
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Drop for SocketServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = std::fs::remove_file(&self.path);
    }
}

fn serve_connection(
    conn: std::os::unix::net::UnixStream,
    hub: &Arc<MonitorHub>,
    stop: &AtomicBool,
) {
    use std::io::BufRead;
    let _ = conn.set_nonblocking(false);
    let Ok(read_half) = conn.try_clone() else {
        return;
    };
    let mut lines = std::io::BufReader::new(read_half);
    let mut hello = String::new();
    if lines.read_line(&mut hello).is_err() {
        return;
    }
    let Some((opts, name)) = parse_hello(&hello) else {
        let mut c = &conn;
        let _ = c.write_all(b"not a tdaw monitor hello\n");
        return;
    };
    let sub = hub.subscribe(&name);
    let reporter = sub.reporter();
    // The back channel: latency reports until the client goes.
    let _ = std::thread::Builder::new()
        .name("tdaw-monitor-back".into())
        .spawn(move || {
            let mut line = String::new();
            while lines.read_line(&mut line).is_ok_and(|n| n > 0) {
                reporter.report_line(&line);
                line.clear();
            }
        });
    let mut out = &conn;
    let _ = serve(&sub, opts, &mut out, stop);
    let _ = conn.shutdown(std::net::Shutdown::Both);
}

/// Attaches to the session serving `path`: sends the hello and returns the connection, whose
/// reads are the stream and whose writes are the back channel.
pub fn attach(
    path: &std::path::Path,
    opts: MonitorOptions,
    name: &str,
) -> Result<std::os::unix::net::UnixStream, String> {
    let mut conn = std::os::unix::net::UnixStream::connect(path).map_err(|e| {
        format!(
            "no tdaw session is running here to attach to ('{}': {e}); give a project folder \
             to play it headless: tdaw monitor DIR",
            path.display()
        )
    })?;
    conn.write_all(hello_line(opts, name).as_bytes())
        .map_err(|e| format!("could not attach to '{}': {e}", path.display()))?;
    Ok(conn)
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
            player: false,
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
            player: false,
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
    fn a_socket_client_gets_the_stream_and_is_listed_with_its_latency() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sock");
        let hub = Arc::new(MonitorHub::default());
        let server = SocketServer::start_at(hub.clone(), path.clone()).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        let opts = MonitorOptions {
            codec: StreamCodec::Lossless,
            bitrate_kbps: 96,
            player: false,
        };
        let mut conn = attach(&path, opts, "ana@10.0.0.5").unwrap();
        let give_up = Instant::now() + Duration::from_secs(10);
        while hub.listeners().is_empty() && Instant::now() < give_up {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(hub.listeners()[0].name, "ana@10.0.0.5");
        let mut t = 0.0;
        for _ in 0..4 {
            feed_ms(&hub, 5, &mut t);
        }
        conn.write_all(b"latency 31.5\n").unwrap();
        let mut r = StreamReader::open(conn.try_clone().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(r.header().codec, StreamCodec::Lossless);
        let f = r.next_frame().unwrap().unwrap();
        assert_eq!(f.samples.len(), 960);
        while hub.listeners()[0].latency_ms.is_none() && Instant::now() < give_up {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(hub.listeners()[0].latency_ms, Some(31.5));
        // The client goes: the listener is dropped at the next write.
        drop(r);
        drop(conn);
        while !hub.listeners().is_empty() && Instant::now() < give_up {
            feed_ms(&hub, 5, &mut t);
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(hub.listeners().is_empty());
        // A second server on the same live socket is refused.
        assert!(SocketServer::start_at(hub.clone(), path.clone()).is_err());
        drop(server);
        assert!(!path.exists());
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
