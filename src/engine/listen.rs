//! The laptop side of `tdaw listen`: a monitor stream in, sound out.
//!
//! A reader thread decodes frames from the pipe ([`crate::codec::stream`]) and passes them on
//! with their arrival time. The [`JitterBuffer`] holds them until the output takes them. Its
//! target depth adapts to the jitter it measures (the spread of arrival times against the
//! box's sample clock, stalls left out); when it holds far more than the target — a stall just
//! ended and the pipe delivered its backlog at once — it skips ahead to the newest audio
//! instead of letting latency grow. Smaller, sustained differences between the box's clock and
//! the output's (drift) are corrected by the [`DriftCorrector`]: a resampler (rubato) whose
//! ratio moves a fraction of a percent, engaged only once the buffer has drifted outside a dead
//! band, so a stream between two clocks that agree stays bit-exact.
//!
//! Output goes to a cpal device (the callback pops from a ring; no allocation, lock or I/O) or,
//! with no device or `--to`, to a sink paced by the wall clock like a device would pace it.

use crate::codec::stream::{to_i24, Frame, StreamCodec, StreamError, StreamHeader, StreamReader};
use crate::codec::WavFormat;
use crate::codec::WavStream;
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Adjustable, Async, FixedAsync, PolynomialDegree, Resampler};
use std::collections::VecDeque;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Output block length.
const BLOCK_MS: u32 = 10;
/// The jitter buffer never aims lower or higher than this.
const MIN_TARGET_MS: f64 = 20.0;
const MAX_TARGET_MS: f64 = 250.0;
/// An arrival this much later than the best recent one is a stall, not jitter.
const STALL_MS: f64 = 150.0;
/// Arrivals the jitter estimate looks back over (~3 s of 10 ms frames).
const WINDOW: usize = 300;
/// Past the target by this much (or two frames, whichever is more): skip ahead.
const SKIP_MS: f64 = 40.0;
/// Drift correction starts when the average depth is off the target by more than this.
const DRIFT_BAND_MS: f64 = 12.0;
/// The largest ratio change drift correction makes (0.5 %).
const MAX_DRIFT: f64 = 0.005;

/// What the jitter buffer did, for the end line and the tests.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BufferStats {
    /// Times the buffer ran dry while playing (silence was played).
    pub underruns: u64,
    /// Times it skipped ahead, and the frames it dropped doing so.
    pub skips: u64,
    pub skipped_frames: u64,
    /// Frames the box never sent (its queue to us overflowed).
    pub gaps: u64,
    /// The target depth now, in frames.
    pub target_frames: usize,
}

/// Where a frame sits in the queue and on the box's clocks.
#[derive(Clone, Copy, Debug)]
struct Anchor {
    pos: u64,
    sample: u64,
    wall_ns: u64,
}

/// What a block played first: the box's sample index and its capture time (Unix ns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Played {
    pub sample: u64,
    pub wall_ns: u64,
}

/// The adaptive jitter buffer. Times are seconds on the listener's clock.
pub struct JitterBuffer {
    ch: usize,
    rate: u32,
    frame: usize,
    queue: VecDeque<f32>,
    /// Frames ever queued and ever taken out (played or skipped).
    pushed: u64,
    consumed: u64,
    /// The box sample after the newest frame.
    next_sample: Option<u64>,
    /// Where each queued frame starts, to date what is played across the box's gaps.
    anchors: VecDeque<Anchor>,
    /// Playing (else filling up to the target before the first frame goes out).
    playing: bool,
    target: usize,
    /// Recent arrival offsets (arrival − box time of the frame), seconds.
    offsets: VecDeque<f64>,
    last_arrival: f64,
    /// Arrivals still to leave out of the jitter estimate (the backlog after a stall).
    suppress: u32,
    stats: BufferStats,
}

impl JitterBuffer {
    /// A buffer for `channels` interleaved at `rate`, frames of `frame` frames.
    pub fn new(rate: u32, channels: u16, frame: usize) -> JitterBuffer {
        let ms = |m: f64| (m * rate as f64 / 1000.0) as usize;
        JitterBuffer {
            ch: channels as usize,
            rate,
            frame,
            queue: VecDeque::new(),
            pushed: 0,
            consumed: 0,
            next_sample: None,
            anchors: VecDeque::new(),
            suppress: 0,
            playing: false,
            target: ms(MIN_TARGET_MS).max(frame * 2),
            offsets: VecDeque::with_capacity(WINDOW),
            last_arrival: f64::NEG_INFINITY,
            stats: BufferStats::default(),
        }
    }

    fn ms(&self, m: f64) -> usize {
        (m * self.rate as f64 / 1000.0) as usize
    }

    /// Frames waiting.
    pub fn depth(&self) -> usize {
        self.queue.len() / self.ch
    }

    pub fn target(&self) -> usize {
        self.target
    }

    pub fn stats(&self) -> BufferStats {
        BufferStats {
            target_frames: self.target,
            ..self.stats
        }
    }

    /// Takes a frame that arrived at `arrival` seconds.
    pub fn push(&mut self, f: &Frame, arrival: f64) {
        let frames = f.samples.len() / self.ch;
        if frames == 0 {
            return;
        }
        match self.next_sample {
            Some(n) if f.sample < n => return, // a repeat; never happens on a pipe
            Some(n) if f.sample > n => self.stats.gaps += f.sample - n,
            _ => {}
        }
        self.next_sample = Some(f.sample + frames as u64);
        self.anchors.push_back(Anchor {
            pos: self.pushed,
            sample: f.sample,
            wall_ns: f.wall_ns,
        });
        self.pushed += frames as u64;
        self.queue.extend(f.samples.iter().copied());
        self.observe(f.sample as f64 / self.rate as f64, arrival);
        // Memory stays bounded whatever arrives; the real skip happens when audio is taken.
        let cap = self.ms(4.0 * MAX_TARGET_MS);
        if self.depth() > cap {
            self.skip_to(self.target);
        }
    }

    /// Drops the oldest audio so `keep` frames are left.
    fn skip_to(&mut self, keep: usize) {
        let drop = self.depth().saturating_sub(keep);
        if drop > 0 {
            self.queue.drain(..drop * self.ch);
            self.consumed += drop as u64;
            self.stats.skips += 1;
            self.stats.skipped_frames += drop as u64;
        }
    }

    /// Learns the jitter from an arrival and sets the target from it.
    fn observe(&mut self, box_time: f64, arrival: f64) {
        let off = arrival - box_time;
        // Frames read back to back came in one burst behind a late one, which was measured.
        let burst = arrival - self.last_arrival < 0.0005;
        self.last_arrival = arrival;
        if burst {
            return;
        }
        let best = self.offsets.iter().copied().fold(f64::INFINITY, f64::min);
        if off - best > STALL_MS / 1000.0 {
            // Stalled audio says nothing about the link's jitter (it is skipped, not waited
            // for), nor does the backlog the box sends right after it.
            self.suppress = 20;
            return;
        }
        if self.suppress > 0 {
            self.suppress -= 1;
            return;
        }
        if off < best - STALL_MS / 1000.0 {
            // The box skipped ahead (its queue to us overflowed): a new time base.
            self.offsets.clear();
        }
        if self.offsets.len() == WINDOW {
            self.offsets.pop_front();
        }
        self.offsets.push_back(off);
        let best = self.offsets.iter().copied().fold(f64::INFINITY, f64::min);
        let mut spread: Vec<f64> = self.offsets.iter().map(|o| o - best).collect();
        spread.sort_by(f64::total_cmp);
        let p95 = spread[(spread.len() * 95 / 100).min(spread.len() - 1)];
        // Room for the late frames, one frame being assembled, and a little margin.
        let want = (p95 * 1.25 * 1000.0 + 5.0).clamp(MIN_TARGET_MS, MAX_TARGET_MS);
        self.target = self.ms(want).max(2 * self.frame);
    }

    /// Fills `out` (interleaved) with the next audio; silence while filling up or after running
    /// dry. Returns the box sample index of what was played, when something was.
    pub fn pull(&mut self, out: &mut [f32]) -> Option<Played> {
        let want = out.len() / self.ch;
        // Far past the target (a stall's backlog came at once): go on from the newest audio.
        if self.depth() > self.target + self.ms(SKIP_MS).max(2 * self.frame) {
            self.skip_to(self.target);
        }
        if !self.playing {
            if self.depth() >= self.target {
                // Starting (or starting again after running dry): from the target depth, not
                // from whatever arrived in the meantime.
                self.skip_to(self.target);
                self.playing = true;
            } else {
                out.fill(0.0);
                return None;
            }
        }
        let have = self.depth().min(want);
        for (o, s) in out.iter_mut().zip(self.queue.drain(..have * self.ch)) {
            *o = s;
        }
        let at = self.dated(self.consumed);
        self.consumed += have as u64;
        while self.anchors.len() > 1 && self.anchors[1].pos <= self.consumed {
            self.anchors.pop_front();
        }
        if have < want {
            out[have * self.ch..].fill(0.0);
            self.stats.underruns += 1;
            self.playing = false;
        }
        if have > 0 {
            at
        } else {
            None
        }
    }

    /// The box's sample and capture time of the queued frame at `pos`.
    fn dated(&self, pos: u64) -> Option<Played> {
        let i = self
            .anchors
            .partition_point(|a| a.pos <= pos)
            .checked_sub(1)?;
        let a = self.anchors[i];
        let d = pos - a.pos;
        Some(Played {
            sample: a.sample + d,
            wall_ns: a.wall_ns + d * 1_000_000_000 / self.rate as u64,
        })
    }
}

/// Moves the playback rate a fraction of a percent to follow the box's clock.
pub struct DriftCorrector {
    ch: usize,
    block: usize,
    resampler: Option<Async<f32>>,
    /// Average depth error, in frames (exponential, ~4 s).
    avg_error: f64,
    /// Blocks before the average counts again (after a start, an underrun or a skip, which
    /// move the depth for reasons that are not drift).
    hold: u32,
    /// Underruns and skips seen so far.
    events: u64,
    band: f64,
    rate: u32,
    input: Vec<f32>,
    /// The ratio now (output / input); 1 while not engaged.
    pub ratio: f64,
}

impl DriftCorrector {
    pub fn new(rate: u32, channels: u16, block: usize) -> DriftCorrector {
        DriftCorrector {
            ch: channels as usize,
            block,
            resampler: None,
            avg_error: 0.0,
            hold: 0,
            events: 0,
            band: DRIFT_BAND_MS * rate as f64 / 1000.0,
            rate,
            input: Vec::new(),
            ratio: 1.0,
        }
    }

    /// Whether the resampler is in the path.
    pub fn engaged(&self) -> bool {
        self.resampler.is_some()
    }

    /// Produces one output block (`block` frames) into `out` from `jb`, resampling when the
    /// buffer has drifted. Returns the box sample played first, if any.
    pub fn next_block(&mut self, jb: &mut JitterBuffer, out: &mut [f32]) -> Option<Played> {
        // Blocks leave the buffer between half a frame and a frame above its target on average.
        let err = jb.depth() as f64 - (jb.target() as f64 + jb.frame as f64 / 2.0);
        let blocks_per_s = self.rate as f64 / self.block as f64;
        let st = jb.stats();
        if st.underruns + st.skips != self.events || !jb.playing {
            self.events = st.underruns + st.skips;
            self.hold = (2.0 * blocks_per_s) as u32;
            self.avg_error = 0.0;
        }
        if self.hold > 0 {
            self.hold -= 1;
        } else {
            self.avg_error += (err - self.avg_error) / (4.0 * blocks_per_s);
        }
        if self.resampler.is_none() && self.hold == 0 && self.avg_error.abs() > self.band {
            self.resampler = Async::<f32>::new_poly(
                1.0,
                1.0 + 2.0 * MAX_DRIFT,
                PolynomialDegree::Cubic,
                self.block,
                self.ch,
                FixedAsync::Output,
            )
            .ok();
        }
        let Some(r) = self.resampler.as_mut() else {
            return jb.pull(out);
        };
        // Too full: play faster (ratio below 1) and the other way round.
        let seconds_off = self.avg_error / self.rate as f64;
        self.ratio = 1.0 - (seconds_off * 0.5).clamp(-MAX_DRIFT, MAX_DRIFT);
        let _ = r.set_resample_ratio_relative(self.ratio, true);
        let need = r.input_frames_next();
        self.input.resize(need * self.ch, 0.0);
        let at = jb.pull(&mut self.input);
        let done = (|| {
            let inp = InterleavedSlice::new(&self.input[..], self.ch, need).ok()?;
            let mut o = InterleavedSlice::new_mut(&mut out[..], self.ch, self.block).ok()?;
            r.process_into_buffer(&inp, &mut o, None).ok()
        })();
        if done.is_none() {
            out.fill(0.0);
        }
        at
    }
}

/// Where the sound goes.
pub trait Output {
    /// Frames the output can take now.
    fn wants(&mut self) -> usize;
    /// Takes interleaved frames.
    fn write(&mut self, samples: &[f32]) -> Result<(), String>;
    /// Frames queued in the output after the last write (before they are heard).
    fn queued(&self) -> usize;
    /// Ends the output (writes the file's lengths).
    fn finish(self: Box<Self>) -> Result<(), String>;
}

/// A WAV file written at the pace a device would play it (`--to`), or nothing at all (the
/// null output).
pub struct PacedOutput {
    rate: u32,
    ch: usize,
    started: Option<Instant>,
    written: u64,
    wav: Option<(WavStream<BufWriter<std::fs::File>>, PathBuf, WavFormat)>,
    ints: Vec<i32>,
}

impl PacedOutput {
    /// A paced sink writing to `path` (24-bit for the lossless codec, so the file is bit-exact
    /// against a 24-bit render; float otherwise), or writing nothing when `path` is None.
    pub fn new(path: Option<&Path>, header: &StreamHeader) -> Result<PacedOutput, String> {
        let wav = match path {
            Some(p) => {
                let format = if header.codec == StreamCodec::Lossless {
                    WavFormat::I24
                } else {
                    WavFormat::F32
                };
                let file = std::fs::File::create(p)
                    .map_err(|e| format!("could not write '{}': {e}", p.display()))?;
                let w = WavStream::new(BufWriter::new(file), header.rate, header.channels, format)
                    .map_err(|e| format!("could not write '{}': {e}", p.display()))?;
                Some((w, p.to_path_buf(), format))
            }
            None => None,
        };
        Ok(PacedOutput {
            rate: header.rate,
            ch: header.channels as usize,
            started: None,
            written: 0,
            wav,
            ints: Vec::new(),
        })
    }
}

impl Output for PacedOutput {
    fn wants(&mut self) -> usize {
        let start = *self.started.get_or_insert_with(Instant::now);
        let due = (start.elapsed().as_secs_f64() * self.rate as f64) as u64;
        due.saturating_sub(self.written) as usize
    }

    fn write(&mut self, samples: &[f32]) -> Result<(), String> {
        self.written += (samples.len() / self.ch) as u64;
        let Some((w, path, format)) = self.wav.as_mut() else {
            return Ok(());
        };
        let res = if *format == WavFormat::I24 {
            self.ints.clear();
            self.ints.extend(samples.iter().map(|&x| to_i24(x)));
            w.write_int(&self.ints)
        } else {
            w.write_float(samples)
        };
        res.map_err(|e| format!("could not write '{}': {e}", path.display()))
    }

    fn queued(&self) -> usize {
        0
    }

    fn finish(self: Box<Self>) -> Result<(), String> {
        if let Some((w, path, _)) = self.wav {
            let (out, _) = w
                .finish()
                .map_err(|e| format!("could not write '{}': {e}", path.display()))?;
            out.into_inner()
                .map_err(|e| format!("could not write '{}': {}", path.display(), e.error()))?
                .sync_all()
                .map_err(|e| format!("could not write '{}': {e}", path.display()))?;
        }
        Ok(())
    }
}

/// A cpal output device: the callback pops from a ring the session fills. The device plays
/// in its own sample format and channel count; when it cannot run at the stream's rate, it
/// runs at its own and the stream is converted on the way in (not in the callback).
pub struct CpalOutput {
    _stream: cpal::Stream,
    /// Interleaved at the device's rate, with the stream's channels.
    ring: ringbuf::HeapProd<f32>,
    ch: usize,
    /// Frames (at the device's rate) the session keeps queued in the ring.
    keep: usize,
    /// Device rate / stream rate.
    ratio: f64,
    /// The conversion to the device's rate, when it differs, and its output.
    convert: Option<(crate::codec::StreamResampler, Vec<f32>)>,
    /// The device's name, and its rate when it differs from the stream's.
    pub device: String,
}

/// Fills a device buffer of `dev_ch` channels from a ring of `ch`-channel frames: the
/// stream's channels on the device's first ones (a stereo stream averaged on a mono device),
/// silence on the others and where the ring runs dry. Never allocates.
fn fill_device<T: cpal::SizedSample + cpal::FromSample<f32>>(
    data: &mut [T],
    dev_ch: usize,
    ch: usize,
    cons: &mut ringbuf::HeapCons<f32>,
) {
    use ringbuf::traits::Consumer;
    let mut frame = [0.0f32; 8];
    let ch = ch.min(frame.len());
    for out in data.chunks_mut(dev_ch) {
        for x in frame.iter_mut().take(ch) {
            *x = cons.try_pop().unwrap_or(0.0);
        }
        if out.len() == 1 && ch > 1 {
            out[0] = T::from_sample(frame[..ch].iter().sum::<f32>() / ch as f32);
            continue;
        }
        for (i, o) in out.iter_mut().enumerate() {
            *o = T::from_sample(if i < ch { frame[i] } else { 0.0 });
        }
    }
}

fn build_output<T: cpal::SizedSample + cpal::FromSample<f32>>(
    dev: &cpal::Device,
    config: cpal::StreamConfig,
    ch: usize,
    mut cons: ringbuf::HeapCons<f32>,
) -> Result<cpal::Stream, cpal::Error> {
    use cpal::traits::DeviceTrait;
    let dev_ch = config.channels.max(1) as usize;
    dev.build_output_stream::<T, _, _>(
        config,
        move |data: &mut [T], _| {
            super::backend::realtime(|| fill_device(data, dev_ch, ch, &mut cons))
        },
        |_| {},
        None,
    )
}

impl CpalOutput {
    /// Opens the default (or named) device at the stream's rate in the device's own format
    /// and channels, or at the device's own rate when it refuses the stream's.
    pub fn open(device: Option<&str>, header: &StreamHeader) -> Result<CpalOutput, String> {
        use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
        use cpal::SampleFormat;
        use ringbuf::traits::Split;
        let _quiet = super::backend::QuietStderr::new();
        let host = cpal::default_host();
        let dev = match device {
            Some(w) => host
                .output_devices()
                .ok()
                .and_then(|mut ds| {
                    ds.find(|d| d.to_string() == w || d.id().is_ok_and(|i| i.to_string() == w))
                })
                .ok_or_else(|| format!("no output device named '{w}' (see `tdaw devices`)"))?,
            None => host
                .default_output_device()
                .ok_or_else(|| "no default output device".to_string())?,
        };
        let name = dev.to_string();
        let ch = header.channels.max(1) as usize;
        let (dev_ch, format, own_rate) = match dev.default_output_config() {
            Ok(c) => (c.channels().max(1), c.sample_format(), c.sample_rate()),
            Err(_) => (header.channels, SampleFormat::F32, header.rate),
        };
        let mut last = format!("{name}: cannot play");
        let mut rates = vec![header.rate];
        if own_rate != header.rate && own_rate > 0 {
            rates.push(own_rate);
        }
        for rate in rates {
            let config = cpal::StreamConfig {
                channels: dev_ch,
                sample_rate: rate,
                buffer_size: cpal::BufferSize::Default,
            };
            let block = (rate * BLOCK_MS / 1000) as usize;
            let (prod, cons) = ringbuf::HeapRb::<f32>::new(block * ch * 16).split();
            let built = match format {
                SampleFormat::I16 => build_output::<i16>(&dev, config, ch, cons),
                SampleFormat::I32 => build_output::<i32>(&dev, config, ch, cons),
                SampleFormat::U8 => build_output::<u8>(&dev, config, ch, cons),
                _ => build_output::<f32>(&dev, config, ch, cons),
            };
            let stream = match built {
                Ok(s) => s,
                Err(e) => {
                    last = format!("{name}: {e}");
                    continue;
                }
            };
            stream.play().map_err(|e| format!("{name}: {e}"))?;
            let convert = if rate == header.rate {
                None
            } else {
                let r = crate::codec::StreamResampler::new(header.rate, rate, header.channels)
                    .map_err(|e| e.to_string())?;
                Some((r, Vec::new()))
            };
            let device = if convert.is_some() {
                format!("{name} (at its {rate} Hz)")
            } else {
                name
            };
            return Ok(CpalOutput {
                _stream: stream,
                ring: prod,
                ch,
                keep: block * 2,
                ratio: rate as f64 / header.rate.max(1) as f64,
                convert,
                device,
            });
        }
        Err(last)
    }
}

impl Output for CpalOutput {
    fn wants(&mut self) -> usize {
        use ringbuf::traits::Observer;
        let queued = self.ring.occupied_len() / self.ch;
        (self.keep.saturating_sub(queued) as f64 / self.ratio).ceil() as usize
    }

    fn write(&mut self, samples: &[f32]) -> Result<(), String> {
        use ringbuf::traits::Producer;
        match &mut self.convert {
            Some((r, out)) => {
                out.clear();
                r.process(samples, out).map_err(|e| e.to_string())?;
                let _ = self.ring.push_slice(out);
            }
            None => {
                let _ = self.ring.push_slice(samples);
            }
        }
        Ok(())
    }

    fn queued(&self) -> usize {
        use ringbuf::traits::Observer;
        (self.ring.occupied_len() as f64 / self.ch as f64 / self.ratio).round() as usize
    }

    fn finish(self: Box<Self>) -> Result<(), String> {
        Ok(())
    }
}

/// How a listening session ended.
#[derive(Debug, PartialEq)]
pub enum ListenEnd {
    /// `--seconds` were played.
    Done,
    /// Ctrl-C.
    Interrupted,
    /// The stream ended (the command exited or the link dropped).
    StreamEnded,
}

/// What a session did.
#[derive(Debug)]
pub struct ListenReport {
    pub end: ListenEnd,
    pub header: Option<StreamHeader>,
    pub stats: BufferStats,
    /// Frames played (written).
    pub played: u64,
    /// Latency from the box's capture to the output, averaged over the session (ms), measured
    /// with the two machines' wall clocks (exact on one machine; NTP-close otherwise).
    pub latency_ms: Option<f64>,
    /// Whether drift correction engaged, and its last ratio.
    pub drift_ratio: Option<f64>,
}

/// Why listening failed. Each reads as one sentence.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error("{0}")]
    Stream(#[from] StreamError),
    #[error("{0}")]
    Output(String),
}

/// Makes the output once the stream's header says its rate and channels.
pub type MakeOutput<'a> = Box<dyn FnOnce(&StreamHeader) -> Result<Box<dyn Output>, String> + 'a>;

/// What to do with a stream.
pub struct ListenOptions<'a> {
    /// Stop after this many seconds of output.
    pub seconds: Option<f64>,
    /// Set to stop (Ctrl-C).
    pub stop: &'a AtomicBool,
    /// Makes the output once the stream's header is known.
    pub output: MakeOutput<'a>,
    /// Where `latency MS` lines go back to the box (the command's stdin), once a second.
    pub back: Option<Box<dyn Write + Send + 'a>>,
}

enum Event {
    Frame(Frame, Instant),
    End(Result<(), StreamError>),
}

/// Reads `input` (a monitor stream) and plays it until the stream ends, `seconds` pass or
/// `stop` is set.
pub fn listen<R: Read + Send + 'static>(
    input: R,
    opts: ListenOptions<'_>,
) -> Result<ListenReport, ListenError> {
    let ListenOptions {
        seconds,
        stop,
        output: make_output,
        mut back,
    } = opts;
    let (tx, rx) = channel();
    let (htx, hrx) = channel();
    std::thread::Builder::new()
        .name("tdaw-listen-read".into())
        .spawn(move || {
            let mut reader = match StreamReader::open(input) {
                Ok(Some(r)) => r,
                Ok(None) => {
                    let _ = htx.send(None);
                    return;
                }
                Err(e) => {
                    let _ = tx.send(Event::End(Err(e)));
                    let _ = htx.send(None);
                    return;
                }
            };
            let _ = htx.send(Some(reader.header()));
            loop {
                match reader.next_frame() {
                    Ok(Some(f)) => {
                        if tx.send(Event::Frame(f, Instant::now())).is_err() {
                            return;
                        }
                    }
                    Ok(None) => {
                        let _ = tx.send(Event::End(Ok(())));
                        return;
                    }
                    Err(e) => {
                        let _ = tx.send(Event::End(Err(e)));
                        return;
                    }
                }
            }
        })
        .map_err(|e| ListenError::Output(format!("could not start the reader thread: {e}")))?;
    let mut report = ListenReport {
        end: ListenEnd::StreamEnded,
        header: None,
        stats: BufferStats::default(),
        played: 0,
        latency_ms: None,
        drift_ratio: None,
    };
    // The header (or the end) first.
    let header = loop {
        if stop.load(Ordering::Relaxed) {
            report.end = ListenEnd::Interrupted;
            return Ok(report);
        }
        match hrx.recv_timeout(Duration::from_millis(50)) {
            Ok(Some(h)) => break h,
            Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                if let Ok(Event::End(Err(e))) = rx.try_recv() {
                    return Err(e.into());
                }
                return Ok(report);
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
    };
    report.header = Some(header);
    let mut output = make_output(&header).map_err(ListenError::Output)?;
    let mut session = Session {
        seconds,
        stop,
        back: back.as_deref_mut(),
    };
    let result = play(&header, &rx, output.as_mut(), &mut session, &mut report);
    let finished = output.finish().map_err(ListenError::Output);
    result?;
    finished?;
    Ok(report)
}

struct Session<'a, 'b> {
    seconds: Option<f64>,
    stop: &'a AtomicBool,
    back: Option<&'b mut (dyn Write + Send + 'a)>,
}

fn play(
    header: &StreamHeader,
    rx: &Receiver<Event>,
    output: &mut dyn Output,
    opts: &mut Session<'_, '_>,
    report: &mut ListenReport,
) -> Result<(), ListenError> {
    let ch = header.channels as usize;
    let block = (header.rate * BLOCK_MS / 1000) as usize;
    let mut jb = JitterBuffer::new(header.rate, header.channels, header.frame_frames as usize);
    let mut drift = DriftCorrector::new(header.rate, header.channels, block);
    let t0 = Instant::now();
    let limit = opts
        .seconds
        .map(|s| (s * header.rate as f64).round() as u64);
    let mut buf = vec![0.0f32; block * ch];
    let (mut lat_sum, mut lat_n) = (0.0f64, 0u64);
    let (mut sec_sum, mut sec_n) = (0.0f64, 0u64);
    let mut last_report = Instant::now();
    let mut started = false;
    loop {
        if opts.stop.load(Ordering::Relaxed) {
            report.end = ListenEnd::Interrupted;
            break;
        }
        let mut ended = None;
        match rx.recv_timeout(Duration::from_millis(2)) {
            Ok(ev) => {
                let mut ev = Some(ev);
                while let Some(e) = ev.take().or_else(|| rx.try_recv().ok()) {
                    match e {
                        Event::Frame(f, at) => {
                            jb.push(&f, at.duration_since(t0).as_secs_f64());
                            started |= !f.samples.is_empty();
                        }
                        Event::End(r) => {
                            ended = Some(r);
                            break;
                        }
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => ended = Some(Ok(())),
        }
        if let Some(r) = ended {
            r?;
            report.end = ListenEnd::StreamEnded;
            break;
        }
        // The output clock starts with the first audio.
        if !started {
            continue;
        }
        while output.wants() >= block {
            let mut n = block;
            if let Some(l) = limit {
                n = n.min((l - report.played) as usize);
            }
            let at = drift.next_block(&mut jb, &mut buf);
            output.write(&buf[..n * ch]).map_err(ListenError::Output)?;
            report.played += n as u64;
            if let Some(p) = at {
                let heard = crate::engine::monitor::wall_ns() as f64
                    + output.queued() as f64 * 1e9 / header.rate as f64;
                let ms = (heard - p.wall_ns as f64) / 1e6;
                if ms.is_finite() && ms >= 0.0 {
                    lat_sum += ms;
                    lat_n += 1;
                    sec_sum += ms;
                    sec_n += 1;
                }
            }
            if limit.is_some_and(|l| report.played >= l) {
                report.end = ListenEnd::Done;
                break;
            }
        }
        if report.end == ListenEnd::Done {
            break;
        }
        if last_report.elapsed() >= Duration::from_secs(1) {
            last_report = Instant::now();
            if let (Some(back), true) = (opts.back.as_mut(), sec_n > 0) {
                let _ = writeln!(back, "latency {:.1}", sec_sum / sec_n as f64);
                let _ = back.flush();
            }
            (sec_sum, sec_n) = (0.0, 0);
        }
    }
    report.stats = jb.stats();
    report.latency_ms = (lat_n > 0).then(|| lat_sum / lat_n as f64);
    report.drift_ratio = drift.engaged().then_some(drift.ratio);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_of_other_channels_and_format_gets_the_stream_in_its_own_layout() {
        use ringbuf::traits::{Producer, Split};
        let (mut prod, mut cons) = ringbuf::HeapRb::<f32>::new(64).split();
        prod.push_slice(&[0.5, -0.5, 0.25, 1.0]);
        // Four i16 channels: the stream on the first two, silence after, and silence once
        // the ring is dry.
        let mut four = [7i16; 12];
        assert_no_alloc::assert_no_alloc(|| fill_device(&mut four, 4, 2, &mut cons));
        assert_eq!(four, [16384, -16384, 0, 0, 8192, 32767, 0, 0, 0, 0, 0, 0]);
        // A mono device hears both channels averaged.
        prod.push_slice(&[0.5, -0.25, 1.0, 1.0]);
        let mut mono = [9.0f32; 2];
        fill_device(&mut mono, 1, 2, &mut cons);
        assert_eq!(mono, [0.125, 1.0]);
    }

    fn frame(sample: u64, frames: usize, value: f32) -> Frame {
        Frame {
            seq: 0,
            sample,
            wall_ns: 0,
            samples: vec![value; frames * 2],
        }
    }

    #[test]
    fn the_buffer_fills_to_its_target_then_plays_in_order() {
        let mut jb = JitterBuffer::new(48_000, 2, 480);
        assert_eq!(jb.target(), 960); // 20 ms
        let mut out = vec![1.0f32; 960];
        jb.push(&frame(0, 480, 0.1), 0.0);
        assert_eq!(jb.pull(&mut out), None);
        assert!(out.iter().all(|&x| x == 0.0));
        jb.push(&frame(480, 480, 0.2), 0.01);
        assert_eq!(jb.pull(&mut out).map(|p| p.sample), Some(0));
        assert!(out.iter().all(|&x| x == 0.1));
        assert_eq!(jb.pull(&mut out).map(|p| p.sample), Some(480));
        assert!(out.iter().all(|&x| x == 0.2));
        // Dry: silence, one underrun, and it fills up again before playing.
        assert_eq!(jb.pull(&mut out), None);
        assert_eq!(jb.stats().underruns, 1);
        jb.push(&frame(960, 480, 0.3), 0.02);
        assert_eq!(jb.pull(&mut out), None);
    }

    #[test]
    fn running_dry_mid_block_plays_silence_and_counts_an_underrun() {
        let mut jb = JitterBuffer::new(48_000, 2, 480);
        jb.push(&frame(0, 480, 0.1), 0.0);
        jb.push(&frame(480, 480, 0.1), 0.01);
        let mut out = vec![1.0f32; 2 * 700];
        jb.pull(&mut out);
        jb.pull(&mut out);
        assert_eq!(&out[2 * 259..2 * 260], &[0.1, 0.1]);
        assert!(out[2 * 260..].iter().all(|&x| x == 0.0));
        assert_eq!(jb.stats().underruns, 1);
    }

    #[test]
    fn a_burst_after_a_stall_skips_ahead_to_the_target_and_leaves_the_target_alone() {
        let mut jb = JitterBuffer::new(48_000, 2, 480);
        // Steady frames, one every 10 ms.
        for k in 0..50u64 {
            jb.push(&frame(k * 480, 480, 0.0), k as f64 * 0.01);
            let mut out = vec![0.0f32; 960];
            jb.pull(&mut out);
        }
        let before = jb.target();
        let depth_before = jb.depth();
        // A 1 s stall, then 100 frames at once.
        for k in 50..150u64 {
            jb.push(&frame(k * 480, 480, k as f32), 1.5);
        }
        assert_eq!(jb.target(), before);
        // The next block skips to the target and plays the newest audio.
        let mut out = vec![0.0f32; 960];
        jb.pull(&mut out);
        assert_eq!(jb.stats().skips, 1);
        assert_eq!(jb.depth(), before - 480);
        assert!(depth_before + 480 >= before);
        assert_eq!(out[0], (150 - before / 480) as f32);
    }

    #[test]
    fn jitter_raises_the_target() {
        let mut jb = JitterBuffer::new(48_000, 2, 480);
        for k in 0..200u64 {
            // Every fourth frame 40 ms late.
            let late = if k % 4 == 0 { 0.04 } else { 0.0 };
            jb.push(&frame(k * 480, 480, 0.0), k as f64 * 0.01 + late);
            let mut out = vec![0.0f32; 960];
            jb.pull(&mut out);
        }
        let ms = jb.target() as f64 / 48.0;
        assert!((50.0..60.0).contains(&ms), "{ms} ms");
    }

    #[test]
    fn played_audio_is_dated_by_its_own_frame_across_the_boxs_gaps() {
        let mut jb = JitterBuffer::new(48_000, 2, 480);
        let mut f = frame(48_000, 480, 0.0);
        f.wall_ns = 1_000_000_000;
        jb.push(&f, 0.0);
        // The box dropped a second: the next frame is 48 480 samples and 1.01 s later.
        let mut g = frame(96_480, 480, 0.0);
        g.wall_ns = 2_010_000_000;
        jb.push(&g, 0.01);
        let mut out = vec![0.0f32; 2 * 240];
        let a = jb.pull(&mut out).unwrap();
        assert_eq!(
            a,
            Played {
                sample: 48_000,
                wall_ns: 1_000_000_000
            }
        );
        let b = jb.pull(&mut out).unwrap();
        assert_eq!(
            b,
            Played {
                sample: 48_240,
                wall_ns: 1_005_000_000
            }
        );
        let c = jb.pull(&mut out).unwrap();
        assert_eq!(
            c,
            Played {
                sample: 96_480,
                wall_ns: 2_010_000_000
            }
        );
        assert_eq!(jb.stats().gaps, 48_000);
    }

    #[test]
    fn drift_correction_stays_out_while_the_clocks_agree_and_engages_when_the_buffer_fills() {
        let mut jb = JitterBuffer::new(48_000, 2, 480);
        let mut dc = DriftCorrector::new(48_000, 2, 480);
        let mut out = vec![0.0f32; 960];
        let mut sample = 0u64;
        for k in 0..300 {
            jb.push(&frame(sample, 480, 0.25), k as f64 * 0.01);
            sample += 480;
            dc.next_block(&mut jb, &mut out);
        }
        assert!(!dc.engaged());
        // The box runs 0.4 % fast: 48 frames more every 25 blocks.
        for k in 300..1800 {
            jb.push(&frame(sample, 480, 0.25), k as f64 * 0.01);
            sample += 480;
            if k % 25 == 0 {
                jb.push(&frame(sample, 48, 0.25), k as f64 * 0.01 + 0.001);
                sample += 48;
            }
            dc.next_block(&mut jb, &mut out);
        }
        assert!(dc.engaged());
        assert!(
            dc.ratio < 1.0 && dc.ratio >= 1.0 - MAX_DRIFT,
            "{}",
            dc.ratio
        );
        assert!(out.iter().all(|&x| (x - 0.25).abs() < 1e-3));
    }
}
