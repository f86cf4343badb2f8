//! The disk thread of a recording: it drains the capture ring (never the callback's job),
//! places every captured frame on the timeline ([`Placement`]: latency compensation, the
//! record point, punch in/out on the loop region, one take per loop pass) and writes each
//! armed track's channels to its own WAV file in the project's `audio/` folder, 24-bit or
//! 32-bit float.
//!
//! Crash safety: the header is rewritten about once a second (hound's `flush`), so a killed
//! process leaves a file readable up to the last second; a marker in `.tdaw/recording/`
//! names every file being written until it is finalised, and `store::recover` fixes what a
//! crash left behind on the next open. A write error (a full disk) stops the recording with
//! one message and keeps what was written.

use super::capture::CaptureShared;
use ringbuf::traits::{Consumer, Observer};
use ringbuf::HeapCons;
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Where markers of recordings in progress live, relative to the project folder (each holds
/// the writing process's id; `store::recover` reads them).
pub const MARKER_DIR: &str = ".tdaw/recording";

/// The sample format of recorded files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RecordFormat {
    /// 24-bit integer PCM.
    #[default]
    Int24,
    /// 32-bit IEEE float.
    Float32,
}

impl RecordFormat {
    /// `"24"`/`"int24"` or `"float"`/`"f32"`/`"32f"` (the config's `[audio] record_format`).
    pub fn parse(text: &str) -> Result<RecordFormat, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "24" | "int24" | "24bit" | "24-bit" => Ok(RecordFormat::Int24),
            "float" | "f32" | "32f" | "float32" => Ok(RecordFormat::Float32),
            other => Err(format!("record format '{other}' is not one of: 24, float")),
        }
    }

    fn spec(self, channels: u16, rate: u32) -> hound::WavSpec {
        let (bits_per_sample, sample_format) = match self {
            RecordFormat::Int24 => (24, hound::SampleFormat::Int),
            RecordFormat::Float32 => (32, hound::SampleFormat::Float),
        };
        hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample,
            sample_format,
        }
    }
}

/// Where captured frames land on the timeline, in samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// The playhead when the capture's first frame was taken (unfolded: loop wraps count on).
    pub start: u64,
    /// Round-trip latency: frame `k` was played when the transport was at `start + k -
    /// latency`, so it lands there.
    pub latency: u64,
    /// The record point: frames before it are pre-roll.
    pub from: u64,
    /// Frames at or after this sample are not kept (headless: the end of N seconds).
    pub until: Option<u64>,
    /// The loop region the transport cycles. When set (and reached), only frames inside it
    /// are kept — punch in/out — and each pass is its own take.
    pub loop_region: Option<(u64, u64)>,
}

impl Placement {
    /// Where capture frame `k` lands: its loop pass and timeline sample, or `None` when it
    /// is pre-roll, outside the punch range, or before the latency has elapsed.
    pub fn place(&self, k: u64) -> Option<(u32, u64)> {
        let u = (self.start + k).checked_sub(self.latency)?;
        let (pass, pos) = match self.loop_region {
            Some((ls, le)) if le > ls && self.start < le => {
                if u >= le {
                    let len = le - ls;
                    (1 + ((u - le) / len) as u32, ls + (u - le) % len)
                } else {
                    (0, u)
                }
            }
            _ => (0, u),
        };
        if pos < self.from || self.until.is_some_and(|end| pos >= end) {
            return None;
        }
        if let Some((ls, le)) = self.loop_region {
            if le > ls && self.start < le && !(ls..le).contains(&pos) {
                return None;
            }
        }
        Some((pass, pos))
    }

    /// True when frame `k` and every later one fall after `until` (never with a loop).
    pub fn is_past_end(&self, k: u64) -> bool {
        match self.until {
            Some(end) if self.loop_region.is_none() => {
                (self.start + k).saturating_sub(self.latency) >= end
            }
            _ => false,
        }
    }
}

/// One armed track, as the disk thread writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The input channels (0-based) it records, in file order.
    pub channels: Vec<usize>,
    /// The start of its file names: `audio/STEM-take-N.wav`.
    pub stem: String,
}

/// One file written: a take of one target in one loop pass.
#[derive(Clone, Debug, PartialEq)]
pub struct Take {
    /// Index into the targets.
    pub target: usize,
    pub pass: u32,
    /// Relative to the project folder (`audio/…`).
    pub file: String,
    /// The timeline sample of its first frame.
    pub start: u64,
    pub frames: u64,
}

/// What a recording left on disk.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recorded {
    pub takes: Vec<Take>,
    /// Why it stopped early (a write error), one sentence.
    pub error: Option<String>,
    /// Frames lost to overruns (ring full, device overrun).
    pub lost: u64,
    /// The latency compensated, in frames.
    pub latency: u64,
}

/// A file to write into: a real file, or a test's failing writer.
pub trait WavSink: Write + Seek + Send {}
impl<T: Write + Seek + Send> WavSink for T {}

/// Opens the files a recording writes (the seam for tests that need a write error).
pub type Opener = Box<dyn FnMut(&Path) -> std::io::Result<Box<dyn WavSink>> + Send>;

/// Creates a new file, failing when it exists.
pub fn file_opener() -> Opener {
    Box::new(|path: &Path| {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .open(path)?;
        Ok(Box::new(f) as Box<dyn WavSink>)
    })
}

/// How the disk thread is set up.
pub struct WriterSetup {
    /// The project folder (files go to its `audio/`).
    pub dir: PathBuf,
    pub targets: Vec<Target>,
    /// Where frames land; its `latency` is replaced by [`WriterSetup::latency`]'s value
    /// once the first frame arrives (a device's latency is known from its first callback).
    pub placement: Placement,
    pub latency: Latency,
    pub format: RecordFormat,
    pub opener: Opener,
}

/// The round-trip latency to compensate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Latency {
    /// Configured (`[audio] input_latency_ms`), in frames.
    Fixed(u64),
    /// The input device's own (from its timestamps) plus this much output latency.
    Measured { output: u64 },
}

/// The running disk thread.
pub struct DiskWriter {
    stop: Arc<AtomicBool>,
    /// Frames taken from the ring so far.
    pub consumed: Arc<AtomicU64>,
    thread: Option<JoinHandle<Recorded>>,
}

/// Frames the disk thread takes from the ring at once.
const CHUNK_FRAMES: usize = 4096;
/// How long the disk thread sleeps when the ring is empty.
const IDLE: Duration = Duration::from_millis(2);

impl DiskWriter {
    /// Starts the disk thread on the capture ring. It runs until [`DiskWriter::finish`], or
    /// by itself until the capture's quota is used up and the ring drained, or a write error.
    pub fn start(
        ring: HeapCons<f32>,
        shared: Arc<CaptureShared>,
        setup: WriterSetup,
    ) -> Result<DiskWriter, String> {
        let stop = Arc::new(AtomicBool::new(false));
        let consumed = Arc::new(AtomicU64::new(0));
        let (s, c) = (stop.clone(), consumed.clone());
        let thread = std::thread::Builder::new()
            .name("tdaw-disk".into())
            .spawn(move || run(ring, shared, setup, s, c))
            .map_err(|e| format!("could not start the disk thread: {e}"))?;
        Ok(DiskWriter {
            stop,
            consumed,
            thread: Some(thread),
        })
    }

    /// True once the thread ended by itself (quota reached or a write error).
    pub fn is_done(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Stops after writing what the ring holds, finalises every file and says what was kept.
    pub fn finish(mut self) -> Recorded {
        self.stop.store(true, Relaxed);
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            _ => Recorded {
                error: Some("the disk thread of the recording failed".into()),
                ..Recorded::default()
            },
        }
    }
}

impl Drop for DiskWriter {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One file being written.
struct Open {
    take: Take,
    writer: hound::WavWriter<BufWriter<Box<dyn WavSink>>>,
    marker: PathBuf,
    since_flush: u64,
}

/// The disk thread's state.
struct Run {
    setup: WriterSetup,
    rate: u32,
    open: Vec<Option<Open>>,
    takes: Vec<Take>,
    error: Option<String>,
}

fn run(
    mut ring: HeapCons<f32>,
    shared: Arc<CaptureShared>,
    setup: WriterSetup,
    stop: Arc<AtomicBool>,
    consumed: Arc<AtomicU64>,
) -> Recorded {
    let ch = shared.channels;
    let mut st = Run {
        rate: shared.rate,
        open: (0..setup.targets.len()).map(|_| None).collect(),
        setup,
        takes: Vec::new(),
        error: None,
    };
    let mut buf = vec![0.0f32; CHUNK_FRAMES * ch];
    let mut k: u64 = 0;
    let mut latency = None;
    loop {
        let n = ring.pop_slice(&mut buf) / ch;
        if n > 0 && latency.is_none() {
            let l = match st.setup.latency {
                Latency::Fixed(l) => l,
                Latency::Measured { output } => {
                    let input = shared.measured_latency.load(Relaxed);
                    output + if input == u64::MAX { 0 } else { input }
                }
            };
            st.setup.placement.latency = l;
            latency = Some(l);
        }
        if n == 0 {
            let quota_done = shared.quota.load(Relaxed) == 0 && ring.occupied_len() < ch;
            if stop.load(Relaxed) || quota_done {
                break;
            }
            std::thread::sleep(IDLE);
            continue;
        }
        for frame in buf[..n * ch].chunks_exact(ch) {
            if let Some((pass, pos)) = st.setup.placement.place(k) {
                st.write(frame, pass, pos);
            }
            k += 1;
            if st.error.is_some() {
                break;
            }
        }
        consumed.store(k, Relaxed);
        if st.setup.placement.is_past_end(k) {
            shared.gate.store(false, Relaxed);
            break;
        }
        if st.error.is_some() {
            // Stop capturing: nothing more can be written.
            shared.gate.store(false, Relaxed);
            break;
        }
    }
    for i in 0..st.open.len() {
        st.close(i);
    }
    st.takes.sort_by_key(|t| (t.pass, t.target));
    Recorded {
        takes: st.takes,
        error: st.error,
        lost: shared.lost(),
        latency: latency.unwrap_or(0),
    }
}

impl Run {
    fn write(&mut self, frame: &[f32], pass: u32, pos: u64) {
        for i in 0..self.open.len() {
            if self.open[i].as_ref().is_some_and(|o| o.take.pass != pass) {
                self.close(i);
            }
            if self.open[i].is_none() {
                match self.create(i, pass, pos) {
                    Ok(o) => self.open[i] = Some(o),
                    Err(e) => {
                        self.error = Some(e);
                        return;
                    }
                }
            }
            let Some(o) = self.open[i].as_mut() else {
                continue;
            };
            let mut result = Ok(());
            for &c in &self.setup.targets[i].channels {
                let x = frame.get(c).copied().unwrap_or(0.0);
                result = result.and_then(|()| match self.setup.format {
                    RecordFormat::Int24 => o.writer.write_sample(to_i24(x)),
                    RecordFormat::Float32 => o.writer.write_sample(x),
                });
            }
            o.take.frames += 1;
            o.since_flush += 1;
            if result.is_ok() && o.since_flush >= self.rate as u64 {
                o.since_flush = 0;
                result = o.writer.flush();
            }
            if let Err(e) = result {
                let file = o.take.file.clone();
                // The frame that failed is not counted as kept.
                o.take.frames -= 1;
                self.error = Some(write_error(&file, &e, o.take.frames, self.rate));
                return;
            }
        }
    }

    /// Opens target `i`'s file for a take of `pass` starting at `pos`, with its marker.
    fn create(&mut self, i: usize, pass: u32, pos: u64) -> Result<Open, String> {
        let target = &self.setup.targets[i];
        let audio = self.setup.dir.join("audio");
        std::fs::create_dir_all(&audio)
            .map_err(|e| format!("could not create '{}': {e}", audio.display()))?;
        let markers = self.setup.dir.join(MARKER_DIR);
        std::fs::create_dir_all(&markers)
            .map_err(|e| format!("could not create '{}': {e}", markers.display()))?;
        let channels = target.channels.len().max(1) as u16;
        let spec = self.setup.format.spec(channels, self.rate);
        let mut n = 1;
        loop {
            let name = format!("{}-take-{n}.wav", target.stem);
            let path = audio.join(&name);
            if path.exists() {
                n += 1;
                continue;
            }
            let marker = markers.join(&name);
            let sink = match (self.setup.opener)(&path) {
                Ok(s) => s,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    n += 1;
                    continue;
                }
                Err(e) => return Err(format!("could not create '{}': {e}", path.display())),
            };
            // The marker goes first: a crash from here on leaves a file the next open fixes.
            std::fs::write(&marker, format!("{}\naudio/{name}\n", std::process::id()))
                .map_err(|e| format!("could not write '{}': {e}", marker.display()))?;
            let writer = hound::WavWriter::new(BufWriter::with_capacity(1 << 16, sink), spec)
                .map_err(|e| format!("could not write '{}': {e}", path.display()))?;
            return Ok(Open {
                take: Take {
                    target: i,
                    pass,
                    file: format!("audio/{name}"),
                    start: pos,
                    frames: 0,
                },
                writer,
                marker,
                since_flush: 0,
            });
        }
    }

    /// Finalises target `i`'s open file (if any) and keeps its take.
    fn close(&mut self, i: usize) {
        let Some(o) = self.open[i].take() else { return };
        let Open {
            take,
            writer,
            marker,
            ..
        } = o;
        match writer.finalize() {
            Ok(()) => {
                let _ = std::fs::remove_file(&marker);
            }
            Err(e) => {
                // The marker stays: the next open repairs the header from the file's length.
                if self.error.is_none() {
                    self.error = Some(write_error(&take.file, &e, take.frames, self.rate));
                }
            }
        }
        if take.frames > 0 {
            self.takes.push(take);
        }
    }
}

fn write_error(file: &str, e: &hound::Error, frames: u64, rate: u32) -> String {
    format!(
        "recording stopped: could not write '{file}' ({e}); kept the first {:.1} s",
        frames as f64 / rate.max(1) as f64
    )
}

/// A float sample as 24-bit PCM: ±1.0 ↔ ±2^23 (a 16-bit input value lands exactly on
/// `value * 256`), clamped.
pub fn to_i24(x: f32) -> i32 {
    ((x as f64) * 8_388_608.0)
        .round()
        .clamp(-8_388_608.0, 8_388_607.0) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placement() -> Placement {
        Placement {
            start: 1000,
            latency: 100,
            from: 1200,
            until: None,
            loop_region: None,
        }
    }

    #[test]
    fn frames_land_latency_earlier_and_pre_roll_is_dropped() {
        let p = placement();
        // Frame 300 was taken at 1300 and played at 1200: the record point.
        assert_eq!(p.place(299), None);
        assert_eq!(p.place(300), Some((0, 1200)));
        assert_eq!(p.place(1300), Some((0, 2200)));
        let p = Placement {
            until: Some(1500),
            ..p
        };
        assert_eq!(p.place(599), Some((0, 1499)));
        assert_eq!(p.place(600), None);
        let p = Placement {
            start: 0,
            latency: 50,
            from: 0,
            ..p
        };
        assert_eq!(p.place(49), None, "before the latency has passed");
        assert_eq!(p.place(50), Some((0, 0)));
    }

    #[test]
    fn a_loop_punches_in_and_out_and_each_pass_is_a_take() {
        let p = Placement {
            start: 0,
            latency: 0,
            from: 0,
            until: None,
            loop_region: Some((1000, 2000)),
        };
        assert_eq!(p.place(999), None, "before the punch-in");
        assert_eq!(p.place(1000), Some((0, 1000)));
        assert_eq!(p.place(1999), Some((0, 1999)));
        assert_eq!(p.place(2000), Some((1, 1000)));
        assert_eq!(p.place(3500), Some((2, 1500)));
        // Rolling from after the loop: it never wraps.
        let late = Placement { start: 2500, ..p };
        assert_eq!(late.place(0), Some((0, 2500)));
    }

    #[test]
    fn sixteen_bit_values_map_exactly_to_24_bit() {
        for s in [-32768i32, -1, 0, 1, 12345, 32767] {
            assert_eq!(to_i24(s as f32 / 32768.0), s * 256);
        }
        assert_eq!(to_i24(2.0), 8_388_607);
        assert_eq!(to_i24(-2.0), -8_388_608);
        assert_eq!(RecordFormat::parse("float"), Ok(RecordFormat::Float32));
        assert!(RecordFormat::parse("mp3").unwrap_err().contains("mp3"));
    }
}
