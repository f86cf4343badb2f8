//! The monitor stream: how `tdaw monitor` frames the master bus on a byte pipe (stdout, SSH)
//! and how `tdaw listen` reads it back.
//!
//! A stream is a 16-byte header — magic `TDMS`, version, codec, channels, rate, frame size —
//! then frames: a sync word, a sequence number, the box's sample index of the frame's first
//! frame, the box's wall clock when it was captured (Unix ns), the frame count and the payload.
//! A frame with no audio is a keep-alive (it also finds out quickly when the pipe is gone).
//! Three payloads: `pcm` (f32 little-endian, bit-exact), `lossless` (24-bit integers, FLAC's
//! order-2 fixed predictor and Rice codes; bit-exact against a 24-bit render) and `opus`
//! (libopus). Every length read from the pipe is checked before it sizes anything, so garbage
//! gives one clear error, never a huge allocation or a panic.

use super::opus::{OpusDecoder, OpusEncoder};
use std::io::{Read, Write};

/// The first four bytes of every stream.
pub const MAGIC: [u8; 4] = *b"TDMS";
/// The stream format version this build writes and reads.
pub const VERSION: u8 = 1;
/// Bytes in the stream header.
pub const HEADER_BYTES: usize = 16;
/// Bytes in a frame header.
pub const FRAME_HEADER_BYTES: usize = 2 + 4 + 8 + 8 + 2 + 4;
/// Marks the start of every frame (a frame that does not start with it means the stream is
/// damaged or not a stream at all).
const SYNC: [u8; 2] = [0xA5, 0x5A];
/// No frame may claim more audio than this (frames are 2.5–20 ms; this is 170 ms at 48 kHz).
pub const MAX_FRAME_FRAMES: usize = 8192;
/// No payload may claim more bytes than a frame of raw f32 at the most channels.
const MAX_CHANNELS: u16 = 8;

/// The codec of a stream's payloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamCodec {
    /// Interleaved f32 little-endian: bit-exact, ~3 Mbit/s at 48 kHz stereo.
    Pcm,
    /// 24-bit integers, order-2 prediction and Rice codes (FLAC's scheme): bit-exact at 24 bits.
    Lossless,
    /// Opus through libopus.
    Opus,
}

impl StreamCodec {
    fn id(self) -> u8 {
        match self {
            StreamCodec::Pcm => 0,
            StreamCodec::Lossless => 1,
            StreamCodec::Opus => 2,
        }
    }

    fn from_id(id: u8) -> Option<StreamCodec> {
        match id {
            0 => Some(StreamCodec::Pcm),
            1 => Some(StreamCodec::Lossless),
            2 => Some(StreamCodec::Opus),
            _ => None,
        }
    }

    /// The name `tdaw monitor --codec` takes.
    pub fn name(self) -> &'static str {
        match self {
            StreamCodec::Pcm => "pcm",
            StreamCodec::Lossless => "flac",
            StreamCodec::Opus => "opus",
        }
    }
}

/// What a stream carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamHeader {
    pub codec: StreamCodec,
    pub rate: u32,
    pub channels: u16,
    /// Audio frames per stream frame.
    pub frame_frames: u32,
}

impl StreamHeader {
    /// The header's 16 bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_BYTES] {
        let mut b = [0u8; HEADER_BYTES];
        b[..4].copy_from_slice(&MAGIC);
        b[4] = VERSION;
        b[5] = self.codec.id();
        b[6] = self.channels as u8;
        b[8..12].copy_from_slice(&self.rate.to_le_bytes());
        b[12..16].copy_from_slice(&self.frame_frames.to_le_bytes());
        b
    }

    /// Reads and checks a header.
    pub fn parse(b: &[u8; HEADER_BYTES]) -> Result<StreamHeader, StreamError> {
        if b[..4] != MAGIC {
            return Err(StreamError::NotAStream(describe_start(b)));
        }
        if b[4] != VERSION {
            return Err(StreamError::Damaged(format!(
                "stream format version {} (this tdaw reads version {VERSION})",
                b[4]
            )));
        }
        let codec = StreamCodec::from_id(b[5])
            .ok_or_else(|| StreamError::Damaged(format!("unknown codec {}", b[5])))?;
        let channels = b[6] as u16;
        let rate = u32::from_le_bytes([b[8], b[9], b[10], b[11]]);
        let frame_frames = u32::from_le_bytes([b[12], b[13], b[14], b[15]]);
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(StreamError::Damaged(format!("{channels} channels")));
        }
        if !(8_000..=384_000).contains(&rate) {
            return Err(StreamError::Damaged(format!("sample rate {rate} Hz")));
        }
        if frame_frames == 0 || frame_frames as usize > MAX_FRAME_FRAMES {
            return Err(StreamError::Damaged(format!(
                "{frame_frames} frames per packet"
            )));
        }
        Ok(StreamHeader {
            codec,
            rate,
            channels,
            frame_frames,
        })
    }

    fn max_payload(&self) -> usize {
        MAX_FRAME_FRAMES * self.channels as usize * 4 + 64
    }
}

/// Shows what a non-stream starts with (text as text, else hex), for the error line.
fn describe_start(b: &[u8]) -> String {
    if b.iter().all(|c| c.is_ascii_graphic() || *c == b' ') {
        format!("it starts with \"{}\"", String::from_utf8_lossy(b))
    } else {
        let hex: Vec<String> = b.iter().take(8).map(|c| format!("{c:02x}")).collect();
        format!("it starts with bytes {}", hex.join(" "))
    }
}

/// Why a stream could not be written or read. Each reads as one sentence.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The bytes are not a tdaw monitor stream.
    #[error("not a tdaw monitor stream ({0})")]
    NotAStream(String),
    /// A header or frame is damaged.
    #[error("the monitor stream is damaged: {0}")]
    Damaged(String),
    /// The codec failed.
    #[error("{0}")]
    Codec(String),
    /// Reading or writing the pipe failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// One decoded frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub seq: u32,
    /// The box's sample index of the first frame.
    pub sample: u64,
    /// The box's wall clock (Unix ns) when the audio was captured.
    pub wall_ns: u64,
    /// Interleaved samples (empty for a keep-alive).
    pub samples: Vec<f32>,
}

/// Turns blocks of interleaved f32 into frames.
pub struct StreamEncoder {
    header: StreamHeader,
    seq: u32,
    opus: Option<OpusEncoder>,
    payload: Vec<u8>,
    ints: Vec<i32>,
}

impl StreamEncoder {
    /// An encoder for `header`; `bitrate_kbps` is used by Opus only.
    pub fn new(header: StreamHeader, bitrate_kbps: u32) -> Result<StreamEncoder, StreamError> {
        let opus = match header.codec {
            StreamCodec::Opus => Some(
                OpusEncoder::new(header.rate, header.channels, bitrate_kbps)
                    .map_err(StreamError::Codec)?,
            ),
            _ => None,
        };
        Ok(StreamEncoder {
            header,
            seq: 0,
            opus,
            payload: Vec::with_capacity(header.max_payload()),
            ints: Vec::new(),
        })
    }

    pub fn header(&self) -> StreamHeader {
        self.header
    }

    /// Appends one frame holding `samples` (a whole number of frames, at most the header's
    /// frame size; Opus needs exactly that size) to `out`. An empty `samples` is a keep-alive.
    pub fn encode(
        &mut self,
        samples: &[f32],
        sample: u64,
        wall_ns: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), StreamError> {
        let ch = self.header.channels as usize;
        let frames = samples.len() / ch;
        if frames > self.header.frame_frames as usize || samples.len() % ch != 0 {
            return Err(StreamError::Codec(format!(
                "a frame of {} samples does not fit {} channels x {} frames",
                samples.len(),
                ch,
                self.header.frame_frames
            )));
        }
        self.payload.clear();
        if frames > 0 {
            match self.header.codec {
                StreamCodec::Pcm => {
                    for &s in samples {
                        self.payload.extend_from_slice(&s.to_le_bytes());
                    }
                }
                StreamCodec::Lossless => {
                    self.ints.clear();
                    self.ints.extend(samples.iter().map(|&s| to_i24(s)));
                    lossless_encode(&self.ints, ch, &mut self.payload);
                }
                StreamCodec::Opus => {
                    if let Some(enc) = self.opus.as_mut() {
                        enc.encode(samples, &mut self.payload)
                            .map_err(StreamError::Codec)?;
                    }
                }
            }
        }
        out.extend_from_slice(&SYNC);
        out.extend_from_slice(&self.seq.to_le_bytes());
        out.extend_from_slice(&sample.to_le_bytes());
        out.extend_from_slice(&wall_ns.to_le_bytes());
        out.extend_from_slice(&(frames as u16).to_le_bytes());
        out.extend_from_slice(&(self.payload.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.payload);
        self.seq = self.seq.wrapping_add(1);
        Ok(())
    }
}

/// A float sample as a 24-bit integer, exactly as `tdaw render --bit-depth 24` rounds it, so the
/// lossless stream is bit-exact against a 24-bit render.
pub fn to_i24(x: f32) -> i32 {
    let x = if x.is_finite() { x } else { 0.0 };
    (x as f64 * 8_388_608.0)
        .round()
        .clamp(-8_388_608.0, 8_388_607.0) as i32
}

/// Reads a stream from a pipe: the header first, then frame after frame.
pub struct StreamReader<R: Read> {
    input: R,
    header: StreamHeader,
    opus: Option<OpusDecoder>,
    payload: Vec<u8>,
    ints: Vec<i32>,
    frames_read: u64,
}

impl<R: Read> StreamReader<R> {
    /// Reads the header. An empty pipe is `Ok(None)` (the command printed nothing).
    pub fn open(mut input: R) -> Result<Option<StreamReader<R>>, StreamError> {
        let mut b = [0u8; HEADER_BYTES];
        let got = read_full(&mut input, &mut b)?;
        if got == 0 {
            return Ok(None);
        }
        if got < HEADER_BYTES {
            if b[..got.min(4)] != MAGIC[..got.min(4)] {
                return Err(StreamError::NotAStream(describe_start(&b[..got])));
            }
            return Err(StreamError::Damaged(format!(
                "it ends inside its header after {got} bytes"
            )));
        }
        let header = StreamHeader::parse(&b)?;
        let opus = match header.codec {
            StreamCodec::Opus => {
                Some(OpusDecoder::new(header.rate, header.channels).map_err(StreamError::Codec)?)
            }
            _ => None,
        };
        Ok(Some(StreamReader {
            input,
            header,
            opus,
            payload: Vec::new(),
            ints: Vec::new(),
            frames_read: 0,
        }))
    }

    pub fn header(&self) -> StreamHeader {
        self.header
    }

    /// The next frame, or `Ok(None)` at a clean end (the pipe closed between frames).
    pub fn next_frame(&mut self) -> Result<Option<Frame>, StreamError> {
        let mut h = [0u8; FRAME_HEADER_BYTES];
        let got = read_full(&mut self.input, &mut h)?;
        let n = self.frames_read;
        if got == 0 {
            return Ok(None);
        }
        if got < FRAME_HEADER_BYTES {
            return Err(StreamError::Damaged(format!(
                "it ends inside the header of frame {n}"
            )));
        }
        if h[..2] != SYNC {
            return Err(StreamError::Damaged(format!(
                "frame {n} does not start with the sync word"
            )));
        }
        let u32_at = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
        let u64_at = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&h[i..i + 8]);
            u64::from_le_bytes(b)
        };
        let seq = u32_at(2);
        let sample = u64_at(6);
        let wall_ns = u64_at(14);
        let frames = u16::from_le_bytes([h[22], h[23]]) as usize;
        let len = u32_at(24) as usize;
        if frames > self.header.frame_frames as usize {
            return Err(StreamError::Damaged(format!(
                "frame {n} claims {frames} frames (the header says at most {})",
                self.header.frame_frames
            )));
        }
        if len > self.header.max_payload() {
            return Err(StreamError::Damaged(format!(
                "frame {n} claims a payload of {len} bytes"
            )));
        }
        self.payload.resize(len, 0);
        if read_full(&mut self.input, &mut self.payload)? < len {
            return Err(StreamError::Damaged(format!(
                "it ends inside frame {n}'s audio"
            )));
        }
        self.frames_read += 1;
        let ch = self.header.channels as usize;
        let mut samples = Vec::with_capacity(frames * ch);
        if frames > 0 {
            match self.header.codec {
                StreamCodec::Pcm => {
                    if len != frames * ch * 4 {
                        return Err(StreamError::Damaged(format!(
                            "frame {n}: {len} bytes of PCM for {frames} frames"
                        )));
                    }
                    samples.extend(
                        self.payload
                            .chunks_exact(4)
                            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                    );
                }
                StreamCodec::Lossless => {
                    lossless_decode(&self.payload, frames, ch, &mut self.ints)
                        .map_err(|e| StreamError::Damaged(format!("frame {n}: {e}")))?;
                    samples.extend(self.ints.iter().map(|&i| i as f32 / 8_388_608.0));
                }
                StreamCodec::Opus => {
                    if let Some(dec) = self.opus.as_mut() {
                        dec.decode(&self.payload, frames, &mut samples)
                            .map_err(|e| StreamError::Damaged(format!("frame {n}: {e}")))?;
                    }
                }
            }
        }
        Ok(Some(Frame {
            seq,
            sample,
            wall_ns,
            samples,
        }))
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full<R: Read>(input: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Writes `bytes` and flushes.
pub fn write_all_flush<W: Write>(out: &mut W, bytes: &[u8]) -> std::io::Result<()> {
    out.write_all(bytes)?;
    out.flush()
}

// --- a plain WAV for players (`tdaw monitor --stdout | ffplay -`) -------------------------

/// The header of a WAV stream of unknown length: both sizes are 0xFFFFFFFF, which ffmpeg,
/// ffplay and sox read from a pipe until it ends. 32-bit float, or 24-bit integers.
pub fn wav_stream_header(rate: u32, channels: u16, float: bool) -> Vec<u8> {
    let bytes = if float { 4 } else { 3 };
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&u32::MAX.to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&(if float { 3u16 } else { 1u16 }).to_le_bytes());
    h.extend_from_slice(&channels.to_le_bytes());
    h.extend_from_slice(&rate.to_le_bytes());
    h.extend_from_slice(&(rate * channels as u32 * bytes).to_le_bytes());
    h.extend_from_slice(&(channels * bytes as u16).to_le_bytes());
    h.extend_from_slice(&(bytes as u16 * 8).to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&u32::MAX.to_le_bytes());
    h
}

/// Appends samples as a WAV stream's data (f32, or 24-bit rounded as a 24-bit render does).
pub fn wav_stream_samples(samples: &[f32], float: bool, out: &mut Vec<u8>) {
    for &x in samples {
        if float {
            out.extend_from_slice(&x.to_le_bytes());
        } else {
            out.extend_from_slice(&to_i24(x).to_le_bytes()[..3]);
        }
    }
}

// --- lossless: per channel, FLAC's order-2 fixed predictor and one Rice parameter ---------

/// Bits written MSB first.
struct BitWriter<'a> {
    out: &'a mut Vec<u8>,
    acc: u64,
    bits: u32,
}

impl BitWriter<'_> {
    fn put(&mut self, value: u64, n: u32) {
        // n ≤ 32, and at most 7 bits wait in `acc`, so it never overflows.
        self.acc = (self.acc << n) | (value & ((1u64 << n) - 1));
        self.bits += n;
        while self.bits >= 8 {
            self.bits -= 8;
            self.out.push((self.acc >> self.bits) as u8);
        }
    }

    fn finish(mut self) {
        if self.bits > 0 {
            let pad = 8 - self.bits;
            self.put(0, pad);
        }
    }
}

struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl BitReader<'_> {
    fn bit(&mut self) -> Result<u32, &'static str> {
        let byte = self
            .data
            .get(self.pos / 8)
            .ok_or("the audio data ends early")?;
        let b = (byte >> (7 - self.pos % 8)) & 1;
        self.pos += 1;
        Ok(b as u32)
    }

    fn bits(&mut self, n: u32) -> Result<u64, &'static str> {
        let mut v = 0u64;
        for _ in 0..n {
            v = (v << 1) | self.bit()? as u64;
        }
        Ok(v)
    }
}

/// Quotients at or above this are escaped (the value follows in 32 raw bits), so a burst of
/// noise after silence never writes thousands of unary bits.
const ESCAPE: u32 = 24;

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(u: u64) -> i64 {
    ((u >> 1) as i64) ^ -((u & 1) as i64)
}

fn residual(x: &[i32], ch: usize, c: usize, i: usize) -> i64 {
    let at = |k: usize| x[k * ch + c] as i64;
    match i {
        0 => at(0),
        1 => at(1) - at(0),
        _ => at(i) - 2 * at(i - 1) + at(i - 2),
    }
}

fn lossless_encode(ints: &[i32], ch: usize, out: &mut Vec<u8>) {
    let frames = ints.len() / ch;
    for c in 0..ch {
        let sum: u64 = (0..frames).map(|i| zigzag(residual(ints, ch, c, i))).sum();
        let mean = sum / frames.max(1) as u64;
        let k = (64 - mean.leading_zeros()).min(30);
        let mut w = BitWriter {
            out,
            acc: 0,
            bits: 0,
        };
        w.put(k as u64, 5);
        for i in 0..frames {
            let u = zigzag(residual(ints, ch, c, i));
            let q = u >> k;
            if q >= ESCAPE as u64 {
                w.put((1u64 << ESCAPE) - 1, ESCAPE);
                w.put(u & 0xFFFF_FFFF, 32);
            } else {
                // q ones, a zero, then k low bits.
                w.put(((1u64 << q) - 1) << 1, q as u32 + 1);
                w.put(u, k);
            }
        }
        w.finish();
    }
}

fn lossless_decode(
    data: &[u8],
    frames: usize,
    ch: usize,
    out: &mut Vec<i32>,
) -> Result<(), &'static str> {
    out.clear();
    out.resize(frames * ch, 0);
    let mut r = BitReader { data, pos: 0 };
    for c in 0..ch {
        let k = r.bits(5)? as u32;
        if k > 30 {
            return Err("a bad Rice parameter");
        }
        for i in 0..frames {
            let mut q = 0u32;
            while q < ESCAPE && r.bit()? == 1 {
                q += 1;
            }
            let u = if q == ESCAPE {
                r.bits(32)?
            } else {
                ((q as u64) << k) | r.bits(k)?
            };
            let res = unzigzag(u);
            let at = |k: usize| out[k * ch + c] as i64;
            let v = match i {
                0 => res,
                1 => res + at(0),
                _ => res + 2 * at(i - 1) - at(i - 2),
            };
            if !(-8_388_608..=8_388_607).contains(&v) {
                return Err("a sample outside 24 bits");
            }
            out[i * ch + c] = v as i32;
        }
        // Each channel starts on a byte boundary.
        r.pos = r.pos.div_ceil(8) * 8;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(codec: StreamCodec) -> StreamHeader {
        StreamHeader {
            codec,
            rate: 48_000,
            channels: 2,
            frame_frames: 480,
        }
    }

    fn signal(frames: usize) -> Vec<f32> {
        let mut s = 12345u32;
        (0..frames * 2)
            .map(|i| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = (s >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                0.5 * ((i / 2) as f32 * 0.03).sin() + 0.1 * noise
            })
            .collect()
    }

    fn roundtrip(codec: StreamCodec, frames: &[Vec<f32>]) -> (Vec<Frame>, usize) {
        let mut enc = StreamEncoder::new(header(codec), 128).unwrap();
        let mut bytes = enc.header().to_bytes().to_vec();
        for (i, f) in frames.iter().enumerate() {
            enc.encode(f, i as u64 * 480, 1000 + i as u64, &mut bytes)
                .unwrap();
        }
        let size = bytes.len();
        let mut r = StreamReader::open(&bytes[..]).unwrap().unwrap();
        let mut out = Vec::new();
        while let Some(f) = r.next_frame().unwrap() {
            out.push(f);
        }
        (out, size)
    }

    #[test]
    fn pcm_frames_come_back_bit_exact_with_their_stamps() {
        let s = signal(960);
        let frames = vec![s[..960].to_vec(), s[960..].to_vec(), vec![]];
        let (out, size) = roundtrip(StreamCodec::Pcm, &frames);
        assert_eq!(size, HEADER_BYTES + 3 * FRAME_HEADER_BYTES + 2 * 960 * 4);
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].samples, frames[0]);
        assert_eq!(out[1].samples, frames[1]);
        assert_eq!((out[1].seq, out[1].sample, out[1].wall_ns), (1, 480, 1001));
        assert!(out[2].samples.is_empty());
    }

    #[test]
    fn lossless_frames_equal_the_24_bit_rounding_and_are_smaller_than_pcm() {
        let s = signal(480 * 4);
        let frames: Vec<Vec<f32>> = s.chunks(960).map(|c| c.to_vec()).collect();
        let (out, size) = roundtrip(StreamCodec::Lossless, &frames);
        for (f, o) in frames.iter().zip(&out) {
            let want: Vec<i32> = f.iter().map(|&x| to_i24(x)).collect();
            let got: Vec<i32> = o.samples.iter().map(|&x| to_i24(x)).collect();
            assert_eq!(got, want);
        }
        // 24-bit noise at -20 dB compresses to well under f32's 32 bits a sample.
        assert!(size < 4 * 480 * 2 * 4 * 3 / 4, "{size} bytes");
    }

    #[test]
    fn lossless_survives_full_scale_jumps_through_the_escape() {
        let mut f = vec![0.0f32; 960];
        for (i, x) in f.iter_mut().enumerate() {
            *x = if (i / 2) % 2 == 0 { 1.0 } else { -1.0 };
        }
        f[10] = 0.0;
        let (out, _) = roundtrip(StreamCodec::Lossless, &[f.clone()]);
        let want: Vec<i32> = f.iter().map(|&x| to_i24(x)).collect();
        let got: Vec<i32> = out[0].samples.iter().map(|&x| to_i24(x)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn opus_at_128_kbps_keeps_a_sine_close_and_frames_small() {
        let frames: Vec<Vec<f32>> = (0..50)
            .map(|k| {
                (0..960)
                    .map(|i| {
                        0.5 * ((k * 480 + i / 2) as f32 * 2.0 * std::f32::consts::PI * 440.0
                            / 48_000.0)
                            .sin()
                    })
                    .collect()
            })
            .collect();
        let (out, size) = roundtrip(StreamCodec::Opus, &frames);
        // 128 kbit/s over 0.5 s is 8 kB; allow the frame headers and VBR.
        assert!(size < 12_000, "{size} bytes");
        let rms = |v: &[f32]| (v.iter().map(|x| x * x).sum::<f32>() / v.len() as f32).sqrt();
        let got: Vec<f32> = out[10..].iter().flat_map(|f| f.samples.clone()).collect();
        let want: Vec<f32> = frames[10..].concat();
        assert!(
            (rms(&got) - rms(&want)).abs() < 0.02,
            "{} vs {}",
            rms(&got),
            rms(&want)
        );
    }

    #[test]
    fn the_player_wav_header_says_float_stereo_48k_of_unknown_length() {
        let h = wav_stream_header(48_000, 2, true);
        assert_eq!(h.len(), 44);
        assert_eq!(&h[..4], b"RIFF");
        assert_eq!(&h[4..8], &[0xff; 4]);
        assert_eq!(u16::from_le_bytes([h[20], h[21]]), 3);
        assert_eq!(u32::from_le_bytes([h[28], h[29], h[30], h[31]]), 384_000);
        assert_eq!(&h[40..44], &[0xff; 4]);
        let mut d = Vec::new();
        wav_stream_samples(&[0.5, -1.0], false, &mut d);
        assert_eq!(d, vec![0, 0, 0x40, 0, 0, 0x80]);
    }

    #[test]
    fn garbage_is_one_clear_error_naming_what_it_starts_with() {
        let e = StreamReader::open(&b"bash: tdaw: command not found\n"[..])
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "not a tdaw monitor stream (it starts with \"bash: tdaw: comm\")"
        );
        let mut bytes = header(StreamCodec::Pcm).to_bytes().to_vec();
        bytes.extend_from_slice(&[0xA5, 0x5A, 0, 0, 0, 0]);
        bytes.extend_from_slice(&[0xff; 40]);
        let mut r = StreamReader::open(&bytes[..]).unwrap().unwrap();
        let e = r.next_frame().err().unwrap().to_string();
        assert!(
            e.starts_with("the monitor stream is damaged: frame 0 claims"),
            "{e}"
        );
        assert!(StreamReader::open(&b""[..]).unwrap().is_none());
    }
}
