//! Streaming decoder: one packet in memory at a time, exact frame positions, strict errors.
//! Integer and float PCM in WAV and RF64 is read straight from the file in large chunks
//! ([`PcmSource`]); every other format goes through symphonia's decoders.

use super::rf64::{is_rf64, Encoding, PcmSource};
use super::CodecError;
use std::fs::File;
use std::io::{ErrorKind, Read, Seek};
use std::path::{Path, PathBuf};
use symphonia::core::codecs::audio::well_known::{
    CODEC_ID_PCM_F32LE, CODEC_ID_PCM_F64LE, CODEC_ID_PCM_S16LE, CODEC_ID_PCM_S24LE,
    CODEC_ID_PCM_S32LE, CODEC_ID_PCM_U8,
};
use symphonia::core::codecs::audio::{AudioCodecId, AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::well_known::{
    FORMAT_ID_AIFF, FORMAT_ID_FLAC, FORMAT_ID_MP1, FORMAT_ID_MP2, FORMAT_ID_MP3, FORMAT_ID_WAVE,
};
use symphonia::core::formats::{FormatOptions, FormatReader, SeekMode, SeekTo, TrackType};
use symphonia::core::io::{MediaSourceStream, ReadBytes};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::units::{TimeBase, Timestamp};

/// How many samples `read_all` reserves up front at most. Headers can lie (a WAV may claim a
/// 4 GB data chunk), so the vector grows with what is really decoded beyond this.
const MAX_PREALLOC_SAMPLES: u64 = 1 << 20;

/// A streaming audio decoder over one file (wav, flac, mp3, ogg/vorbis).
///
/// Memory is bounded by one decoded packet whatever the file's length or header claims.
/// Decoding is strict: damaged data is an error, never silently skipped, and a lossless file
/// (wav, aiff, flac) that ends before the length its header promises is reported as truncated.
pub struct AudioReader {
    path: PathBuf,
    backend: Backend,
    track_id: u32,
    rate: u32,
    channels: u16,
    frames: Option<u64>,
    /// Whether `frames` is exact (lossless containers), so a shortfall means truncation.
    exact_length: bool,
    /// MPEG audio: the demuxer's seek lands frames away from where it says (encoder delay and
    /// the bit reservoir), so seeking decodes from the start (or forward) and drops frames.
    seek_by_decoding: bool,
    time_base: Option<TimeBase>,
    /// Interleaved samples of the last decoded packet.
    pending: Vec<f32>,
    /// Index (in samples) of the next unread sample in `pending`.
    pending_pos: usize,
    /// Frame index of the next frame `read` returns.
    position: u64,
    /// After a seek: the frame wanted; frames of decoded packets before it are dropped.
    seek_target: Option<u64>,
    /// Frames to drop before delivering (seek fallback for streams that cannot seek).
    discard: u64,
    ended: bool,
}

/// Who decodes: symphonia, or tdaw's own PCM reader (RF64, which symphonia does not read, and
/// WAV once symphonia has parsed its header).
enum Backend {
    Symphonia {
        format: Box<dyn FormatReader>,
        decoder: Box<dyn AudioDecoder>,
    },
    Pcm(PcmSource),
}

impl std::fmt::Debug for AudioReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioReader")
            .field("path", &self.path)
            .field("rate", &self.rate)
            .field("channels", &self.channels)
            .field("frames", &self.frames)
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

impl AudioReader {
    /// Opens `path` and reads its header. The format is recognised from the contents (the
    /// extension is only a hint).
    pub fn open(path: &Path) -> Result<AudioReader, CodecError> {
        Self::open_as(path, true)
    }

    /// [`AudioReader::open`]; with `direct` false, symphonia decodes WAV PCM too (the tests
    /// hold the direct reader to it).
    fn open_as(path: &Path, direct: bool) -> Result<AudioReader, CodecError> {
        let io_err = |error| CodecError::Io {
            path: path.to_path_buf(),
            error,
        };
        let mut file = File::open(path).map_err(io_err)?;
        let len = file.metadata().map_err(io_err)?.len();
        if len == 0 {
            return Err(CodecError::Empty {
                path: path.to_path_buf(),
            });
        }
        let mut head = [0u8; 12];
        let mut got = 0;
        while got < head.len() {
            match file.read(&mut head[got..]).map_err(io_err)? {
                0 => break,
                n => got += n,
            }
        }
        if is_rf64(&head[..got]) {
            return Self::open_rf64(path);
        }
        file.rewind().map_err(io_err)?;
        let mss = MediaSourceStream::new(Box::new(file), Default::default());
        let mut hint = Hint::new();
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            hint.with_extension(ext);
        }
        let format = symphonia::default::get_probe()
            .probe(
                &hint,
                mss,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
            .map_err(|e| open_error(path, e))?;
        let format_id = format.format_info().format;
        let exact_length = [FORMAT_ID_WAVE, FORMAT_ID_FLAC, FORMAT_ID_AIFF].contains(&format_id);
        let seek_by_decoding = [FORMAT_ID_MP1, FORMAT_ID_MP2, FORMAT_ID_MP3].contains(&format_id);
        let track = format
            .default_track(TrackType::Audio)
            .ok_or_else(|| CodecError::NoAudio {
                path: path.to_path_buf(),
                detail: "the file holds no audio track".into(),
            })?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| CodecError::NoAudio {
                path: path.to_path_buf(),
                detail: "the audio track has no codec parameters".into(),
            })?
            .clone();
        let track_id = track.id;
        let time_base = track.time_base;
        let frames = track.num_frames;
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(&params, &AudioDecoderOptions::default())
            .map_err(|e| match e {
                SymError::Unsupported(what) => CodecError::Unsupported {
                    path: path.to_path_buf(),
                    detail: format!("unsupported codec: {what}"),
                },
                other => open_error(path, other),
            })?;
        let rate = params
            .sample_rate
            .filter(|r| *r > 0)
            .ok_or_else(|| CodecError::NoAudio {
                path: path.to_path_buf(),
                detail: "the audio track has no sample rate".into(),
            })?;
        let channels = params
            .channels
            .as_ref()
            .map(|c| c.count())
            .filter(|c| *c > 0 && *c <= u16::MAX as usize)
            .ok_or_else(|| CodecError::NoAudio {
                path: path.to_path_buf(),
                detail: "the audio track has no channel layout".into(),
            })? as u16;
        // WAV PCM of known length: symphonia has checked the header (and made a decoder, so
        // it would accept the data); the samples are then read directly from the data chunk,
        // which symphonia's reader has just reached.
        let encoding = (format_id == FORMAT_ID_WAVE)
            .then(|| wav_encoding(params.codec))
            .flatten();
        if let (Some(encoding), Some(total), true) = (encoding, frames, direct) {
            let data_start = format.into_inner().pos();
            return match PcmSource::at_data(path, rate, channels, total, encoding, data_start)? {
                Some(pcm) => Ok(Self::with_pcm(path, pcm)),
                // Not a plain data chunk after all: symphonia decodes it, as always.
                None => Self::open_as(path, false),
            };
        }
        Ok(AudioReader {
            path: path.to_path_buf(),
            backend: Backend::Symphonia { format, decoder },
            track_id,
            rate,
            channels,
            frames,
            exact_length,
            seek_by_decoding,
            time_base,
            pending: Vec::new(),
            pending_pos: 0,
            position: 0,
            seek_target: None,
            discard: 0,
            ended: false,
        })
    }

    fn open_rf64(path: &Path) -> Result<AudioReader, CodecError> {
        Ok(Self::with_pcm(path, PcmSource::open(path)?))
    }

    fn with_pcm(path: &Path, pcm: PcmSource) -> AudioReader {
        AudioReader {
            path: path.to_path_buf(),
            rate: pcm.rate,
            channels: pcm.channels,
            frames: Some(pcm.frames),
            backend: Backend::Pcm(pcm),
            track_id: 0,
            exact_length: true,
            seek_by_decoding: false,
            time_base: None,
            pending: Vec::new(),
            pending_pos: 0,
            position: 0,
            seek_target: None,
            discard: 0,
            ended: false,
        }
    }

    /// The file this reader decodes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sample rate of the file in Hz.
    pub fn sample_rate(&self) -> u32 {
        self.rate
    }

    /// Number of interleaved channels `read` produces.
    pub fn channels(&self) -> u16 {
        self.channels
    }

    /// Total frames when the header says (exact for wav/flac; an estimate for some mp3s).
    /// Never allocate from this: a damaged header can claim anything.
    pub fn frames(&self) -> Option<u64> {
        self.frames
    }

    /// The frame index the next `read` starts at.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Reads up to `buf.len() / channels` frames of interleaved f32 into `buf`; returns the
    /// number of frames read, 0 at the end of the file.
    pub fn read(&mut self, buf: &mut [f32]) -> Result<usize, CodecError> {
        let ch = self.channels as usize;
        let want = buf.len() / ch;
        let mut done = 0;
        while done < want {
            if self.pending_pos >= self.pending.len() && self.discard == 0 && !self.ended {
                if let Backend::Pcm(pcm) = &mut self.backend {
                    // Straight into the caller's buffer, no packet in between.
                    let n = pcm.read_into(&mut buf[done * ch..want * ch])?;
                    if n == 0 {
                        self.finish()?;
                        break;
                    }
                    self.seek_target = None;
                    done += n;
                    self.position += n as u64;
                    continue;
                }
            }
            if self.pending_pos >= self.pending.len() {
                if self.ended || !self.fill()? {
                    break;
                }
                continue;
            }
            let avail = (self.pending.len() - self.pending_pos) / ch;
            if self.discard > 0 {
                let drop = avail.min(self.discard as usize);
                self.pending_pos += drop * ch;
                self.discard -= drop as u64;
                continue;
            }
            let n = avail.min(want - done);
            buf[done * ch..(done + n) * ch]
                .copy_from_slice(&self.pending[self.pending_pos..self.pending_pos + n * ch]);
            self.pending_pos += n * ch;
            done += n;
            self.position += n as u64;
        }
        Ok(done)
    }

    /// Reads up to `left.len()` stereo frames (at most `right.len()`) as one buffer per
    /// channel, or `None` when this file is not read that way: only stereo 24-bit WAV read
    /// directly is (the caller then uses [`AudioReader::read`]). The frames are those `read`
    /// gives, and the end (with its check for truncation) is the same.
    pub fn read_planar(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
    ) -> Result<Option<usize>, CodecError> {
        let Backend::Pcm(pcm) = &mut self.backend else {
            return Ok(None);
        };
        if !pcm.reads_planar() || self.pending_pos < self.pending.len() || self.discard > 0 {
            return Ok(None);
        }
        let want = left.len().min(right.len());
        let mut done = 0;
        while done < want && !self.ended {
            let Backend::Pcm(pcm) = &mut self.backend else {
                break;
            };
            let n = pcm.read_planar(&mut left[done..want], &mut right[done..want])?;
            if n == 0 {
                self.finish()?;
                break;
            }
            self.seek_target = None;
            done += n;
            self.position += n as u64;
        }
        Ok(Some(done))
    }

    /// Moves to frame `frame` exactly: the next `read` starts with that frame. A position at or
    /// past the end is allowed; reading there returns 0 frames.
    pub fn seek(&mut self, frame: u64) -> Result<(), CodecError> {
        if self.seek_by_decoding {
            // The frame the stream delivers next (frames still to drop come before it).
            let mut next = self.position - self.discard;
            if frame < next {
                self.restart()?;
                next = 0;
            }
            self.discard = frame - next;
            self.position = frame;
            return Ok(());
        }
        self.pending.clear();
        self.pending_pos = 0;
        self.discard = 0;
        self.seek_target = None;
        if let Some(total) = self.frames.filter(|t| frame >= *t) {
            if self.exact_length {
                self.position = frame.max(total);
                self.ended = true;
                return Ok(());
            }
        }
        self.ended = false;
        let ts = self.frame_to_ts(frame);
        let (format, decoder) = match &mut self.backend {
            Backend::Symphonia { format, decoder } => (format, decoder),
            Backend::Pcm(pcm) => {
                pcm.seek(frame)?;
                // As with symphonia: a seek past where a truncated file really ends reads as
                // its end, not as an error.
                self.seek_target = Some(frame);
                self.position = frame;
                return Ok(());
            }
        };
        match format.seek(
            SeekMode::Accurate,
            SeekTo::Timestamp {
                ts,
                track_id: self.track_id,
            },
        ) {
            Ok(_) => {
                decoder.reset();
                self.seek_target = Some(frame);
                self.position = frame;
                Ok(())
            }
            Err(SymError::SeekError(_)) | Err(SymError::Unsupported(_)) => {
                // Not seekable (or out of range): decode from the start and drop frames.
                self.restart()?;
                self.discard = frame;
                self.position = frame;
                Ok(())
            }
            Err(e) => Err(CodecError::Seek {
                path: self.path.clone(),
                frame,
                detail: e.to_string(),
            }),
        }
    }

    fn restart(&mut self) -> Result<(), CodecError> {
        let fresh = AudioReader::open(&self.path)?;
        *self = fresh;
        Ok(())
    }

    fn frame_to_ts(&self, frame: u64) -> Timestamp {
        let ts = match self.time_base {
            Some(tb) if !(tb.numer.get() == 1 && tb.denom.get() == self.rate) => {
                (frame as u128 * tb.denom.get() as u128)
                    / (self.rate as u128 * tb.numer.get() as u128)
            }
            _ => frame as u128,
        };
        Timestamp::new(ts.min(i64::MAX as u128) as i64)
    }

    fn seconds_at(&self, frame: u64) -> f64 {
        frame as f64 / self.rate as f64
    }

    /// Decodes the next packet of our track into `pending`. Returns false at the end.
    fn fill(&mut self) -> Result<bool, CodecError> {
        loop {
            let (time_base, rate) = (self.time_base, self.rate);
            let (format, decoder) = match &mut self.backend {
                Backend::Symphonia { format, decoder } => (format, decoder),
                Backend::Pcm(pcm) => {
                    self.pending_pos = 0;
                    return match pcm.read(&mut self.pending, 4096)? {
                        0 => self.finish(),
                        _ => {
                            self.seek_target = None;
                            Ok(true)
                        }
                    };
                }
            };
            let packet = match format.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) | Err(SymError::ResetRequired) => return self.finish(),
                Err(SymError::IoError(e)) if e.kind() == ErrorKind::UnexpectedEof => {
                    return self.finish()
                }
                Err(e) => return Err(self.corrupt(e)),
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let buf = match decoder.decode(&packet) {
                Ok(buf) => buf,
                Err(e) => {
                    return Err(self.corrupt(e));
                }
            };
            let start = ts_to_frame(time_base, rate, packet.pts);
            let spec = buf.spec();
            if spec.channels().count() != self.channels as usize || spec.rate() != self.rate {
                let detail = format!(
                    "the stream changes from {} Hz/{} channels to {} Hz/{} channels",
                    self.rate,
                    self.channels,
                    spec.rate(),
                    spec.channels().count()
                );
                return Err(CodecError::Corrupt {
                    path: self.path.clone(),
                    at_seconds: self.seconds_at(self.position),
                    detail,
                });
            }
            buf.copy_to_vec_interleaved::<f32>(&mut self.pending);
            self.pending_pos = 0;
            if let Some(target) = self.seek_target {
                let frames = (self.pending.len() / self.channels as usize) as i64;
                let end = start + frames;
                if end <= target as i64 {
                    continue;
                }
                // Accurate seeks land at or before the target: drop the frames before it.
                let skip = (target as i64 - start).max(0) as usize;
                self.pending_pos = skip * self.channels as usize;
                self.seek_target = None;
            }
            if self.pending_pos < self.pending.len() {
                return Ok(true);
            }
        }
    }

    /// End of stream: checks that a lossless file delivered what its header promised.
    fn finish(&mut self) -> Result<bool, CodecError> {
        self.ended = true;
        self.pending.clear();
        self.pending_pos = 0;
        if self.exact_length && self.discard == 0 && self.seek_target.is_none() {
            if let Some(expected) = self.frames {
                if self.position < expected {
                    return Err(CodecError::Truncated {
                        path: self.path.clone(),
                        expected,
                        found: self.position,
                        rate: self.rate,
                    });
                }
            }
        }
        if self.seek_target.take().is_some() || self.discard > 0 {
            // The target was past the real end.
            self.discard = 0;
        }
        Ok(false)
    }

    fn corrupt(&self, e: SymError) -> CodecError {
        let detail = match e {
            SymError::IoError(io) => io.to_string(),
            SymError::DecodeError(what) => what.to_string(),
            SymError::Unsupported(what) => format!("unsupported feature: {what}"),
            SymError::LimitError(what) => format!("limit exceeded: {what}"),
            other => other.to_string(),
        };
        CodecError::Corrupt {
            path: self.path.clone(),
            at_seconds: self.seconds_at(self.position),
            detail,
        }
    }
}

/// The PCM encoding of a WAV codec tdaw reads itself (a-law, µ-law and ADPCM stay with
/// symphonia).
fn wav_encoding(codec: AudioCodecId) -> Option<Encoding> {
    Some(match codec {
        CODEC_ID_PCM_U8 => Encoding::Int(8),
        CODEC_ID_PCM_S16LE => Encoding::Int(16),
        CODEC_ID_PCM_S24LE => Encoding::Int(24),
        CODEC_ID_PCM_S32LE => Encoding::Int(32),
        CODEC_ID_PCM_F32LE => Encoding::Float32,
        CODEC_ID_PCM_F64LE => Encoding::Float64,
        _ => return None,
    })
}

fn ts_to_frame(time_base: Option<TimeBase>, rate: u32, ts: Timestamp) -> i64 {
    match time_base {
        Some(tb) if !(tb.numer.get() == 1 && tb.denom.get() == rate) => {
            (ts.get() as i128 * tb.numer.get() as i128 * rate as i128 / tb.denom.get() as i128)
                as i64
        }
        _ => ts.get(),
    }
}

fn open_error(path: &Path, e: SymError) -> CodecError {
    let path = path.to_path_buf();
    match e {
        SymError::IoError(io) if io.kind() == ErrorKind::UnexpectedEof => {
            CodecError::TruncatedHeader { path }
        }
        SymError::IoError(io) => CodecError::Io { path, error: io },
        SymError::Unsupported(what) => CodecError::Unsupported {
            path,
            detail: if what.contains("no suitable") {
                String::new()
            } else {
                what.to_string()
            },
        },
        SymError::DecodeError(what) => CodecError::BadHeader {
            path,
            detail: what.to_string(),
        },
        other => CodecError::Unsupported {
            path,
            detail: other.to_string(),
        },
    }
}

/// Decodes a whole file: (interleaved samples, sample rate, channels).
pub fn read_all(path: &Path) -> Result<(Vec<f32>, u32, u16), CodecError> {
    let mut reader = AudioReader::open(path)?;
    let ch = reader.channels() as usize;
    let claimed = reader
        .frames()
        .unwrap_or(0)
        .saturating_mul(ch as u64)
        .min(MAX_PREALLOC_SAMPLES);
    let mut out = Vec::with_capacity(claimed as usize);
    let mut chunk = vec![0.0f32; 4096 * ch];
    loop {
        let n = reader.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&chunk[..n * ch]);
    }
    Ok((out, reader.sample_rate(), reader.channels()))
}

#[cfg(test)]
mod tests {
    //! The direct PCM reader against symphonia's decoder, on WAV files of every layout it
    //! takes: the same samples bit for bit, the same length, seeks and errors.
    use super::*;

    /// A WAV file: `tag` 1 (PCM), 3 (float) or 0xFFFE (extensible, `sub` its sub-format
    /// tag), `data` as the data chunk's bytes (its size is `data.len()` unless `claim`), and a
    /// LIST chunk after it.
    struct Wav {
        tag: u16,
        sub: u16,
        channels: u16,
        bits: u16,
        valid_bits: u16,
        data: Vec<u8>,
        claim: Option<u32>,
    }

    impl Wav {
        fn bytes(&self) -> Vec<u8> {
            let mut fmt = Vec::new();
            let align = self.channels * self.bits / 8;
            fmt.extend_from_slice(&self.tag.to_le_bytes());
            fmt.extend_from_slice(&self.channels.to_le_bytes());
            fmt.extend_from_slice(&44_100u32.to_le_bytes());
            fmt.extend_from_slice(&(44_100 * align as u32).to_le_bytes());
            fmt.extend_from_slice(&align.to_le_bytes());
            fmt.extend_from_slice(&self.bits.to_le_bytes());
            if self.tag == 0xFFFE {
                fmt.extend_from_slice(&22u16.to_le_bytes());
                fmt.extend_from_slice(&self.valid_bits.to_le_bytes());
                let mask: u32 = (1u32 << self.channels) - 1;
                fmt.extend_from_slice(&mask.to_le_bytes());
                fmt.extend_from_slice(&self.sub.to_le_bytes());
                fmt.extend_from_slice(&[
                    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b,
                    0x71,
                ]);
            }
            let mut body = b"WAVE".to_vec();
            body.extend_from_slice(b"fmt ");
            body.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
            body.extend_from_slice(&fmt);
            body.extend_from_slice(b"data");
            let len = self.claim.unwrap_or(self.data.len() as u32);
            body.extend_from_slice(&len.to_le_bytes());
            body.extend_from_slice(&self.data);
            if self.claim.is_none() {
                if self.data.len() % 2 == 1 {
                    body.push(0);
                }
                body.extend_from_slice(b"LIST\x0c\x00\x00\x00INFOISFT\x00\x00\x00\x00");
            }
            // A lying data size makes the RIFF size lie along with it (as a streamed or cut
            // file's header does), or symphonia rejects the chunk before reading any audio.
            let riff = match self.claim {
                Some(c) => (body.len() - self.data.len()) as u32 + c.min(u32::MAX - 100),
                None => body.len() as u32,
            };
            let riff = if self.claim == Some(u32::MAX) {
                u32::MAX
            } else {
                riff
            };
            let mut v = b"RIFF".to_vec();
            v.extend_from_slice(&riff.to_le_bytes());
            v.extend_from_slice(&body);
            v
        }
    }

    /// `n` bytes from a fixed xorshift stream: every bit pattern (NaNs and infinities in
    /// float data, full-scale integers) turns up.
    fn noise(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    /// Every sample the reader delivers, in reads of `chunk` frames, and how it ended.
    fn drain(r: &mut AudioReader, chunk: usize) -> (Vec<u32>, Result<(), String>) {
        let ch = r.channels() as usize;
        let mut buf = vec![0.0f32; chunk * ch];
        let mut out = Vec::new();
        loop {
            match r.read(&mut buf) {
                Ok(0) => return (out, Ok(())),
                Ok(n) => out.extend(buf[..n * ch].iter().map(|x| x.to_bits())),
                Err(e) => return (out, Err(e.to_string())),
            }
        }
    }

    /// [`drain`] through [`AudioReader::read_planar`], interleaved again; `None` when the
    /// reader does not read planes.
    fn drain_planar(r: &mut AudioReader, chunk: usize) -> Option<(Vec<u32>, Result<(), String>)> {
        let (mut l, mut rt) = (vec![0.0f32; chunk], vec![0.0f32; chunk]);
        let mut out = Vec::new();
        loop {
            match r.read_planar(&mut l, &mut rt) {
                Ok(None) => return None,
                Ok(Some(0)) => return Some((out, Ok(()))),
                Ok(Some(n)) => {
                    for k in 0..n {
                        out.extend([l[k].to_bits(), rt[k].to_bits()]);
                    }
                }
                Err(e) => return Some((out, Err(e.to_string()))),
            }
        }
    }

    /// Opens `bytes` both ways and checks they agree: header, samples, ending, seeks.
    fn same_both_ways(name: &str, bytes: &[u8], direct_expected: bool) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let mut direct = AudioReader::open(&path).unwrap();
        let mut sym = AudioReader::open_as(&path, false).unwrap();
        assert_eq!(
            matches!(direct.backend, Backend::Pcm(_)),
            direct_expected,
            "{name}: which reader"
        );
        assert!(matches!(sym.backend, Backend::Symphonia { .. }), "{name}");
        assert_eq!(direct.sample_rate(), sym.sample_rate(), "{name}");
        assert_eq!(direct.channels(), sym.channels(), "{name}");
        assert_eq!(direct.frames(), sym.frames(), "{name}");
        let (a, end_a) = drain(&mut direct, 1000);
        let (b, end_b) = drain(&mut sym, 1000);
        assert_eq!(a.len(), b.len(), "{name}: length");
        assert!(a == b, "{name}: samples differ");
        assert_eq!(end_a, end_b, "{name}: ending");
        // Stereo 24-bit also reads as two planes, to the same samples and ending.
        let mut planar = AudioReader::open(&path).unwrap();
        let planes = matches!(&planar.backend, Backend::Pcm(p) if p.reads_planar());
        if name.starts_with("t1_0_24_24_2_") || name == "cut24.wav" {
            assert!(planes, "{name}: plain stereo 24-bit reads as planes");
        }
        match drain_planar(&mut planar, 1000) {
            Some((p, end_p)) => {
                assert!(planes, "{name}: read as planes");
                assert!(p == a, "{name}: planes differ");
                assert_eq!(end_p, end_a, "{name}: ending of the planes");
            }
            None => assert!(!planes, "{name}: not read as planes"),
        }
        // Seeks anywhere (and past the end), then reads of odd sizes.
        let total = direct.frames().unwrap_or(0);
        for frame in [
            0,
            1,
            777,
            total / 2,
            total.saturating_sub(3),
            total,
            total + 10,
        ] {
            direct.seek(frame).unwrap();
            sym.seek(frame).unwrap();
            planar.seek(frame).unwrap();
            let (a, end_a) = drain(&mut direct, 333);
            let (b, end_b) = drain(&mut sym, 333);
            assert!(a == b, "{name}: samples after a seek to {frame} differ");
            assert_eq!(end_a, end_b, "{name}: ending after a seek to {frame}");
            if let Some((p, end_p)) = drain_planar(&mut planar, 333) {
                assert!(p == a, "{name}: planes after a seek to {frame} differ");
                assert_eq!(
                    end_p, end_a,
                    "{name}: planes' ending after a seek to {frame}"
                );
            }
        }
    }

    #[test]
    fn direct_pcm_reads_every_wav_layout_as_symphonia_does() {
        // (tag, sub-format, bits, valid bits)
        let layouts = [
            (1u16, 0u16, 8u16, 8u16),
            (1, 0, 16, 16),
            (1, 0, 24, 24),
            (1, 0, 32, 32),
            (3, 0, 32, 32),
            (3, 0, 64, 64),
            (0xFFFE, 1, 16, 16),
            (0xFFFE, 1, 24, 24),
            (0xFFFE, 1, 24, 20),
            (0xFFFE, 1, 32, 24),
            (0xFFFE, 3, 32, 32),
        ];
        for (i, &(tag, sub, bits, valid_bits)) in layouts.iter().enumerate() {
            for channels in [1u16, 2, 6] {
                // Odd frame counts, and a data size that is not a whole number of frames.
                for (frames, extra) in [(4099usize, 0usize), (1153, 1)] {
                    let align = (channels * bits / 8) as usize;
                    let wav = Wav {
                        tag,
                        sub,
                        channels,
                        bits,
                        valid_bits,
                        data: noise(frames * align + extra, 7 + i as u64),
                        claim: None,
                    };
                    let name = format!("t{tag}_{sub}_{bits}_{valid_bits}_{channels}_{extra}.wav");
                    same_both_ways(&name, &wav.bytes(), true);
                }
            }
        }
    }

    #[test]
    fn a_truncated_data_chunk_is_the_same_error_both_ways() {
        for bits in [16u16, 24] {
            let wav = Wav {
                tag: 1,
                sub: 0,
                channels: 2,
                bits,
                valid_bits: bits,
                // Half a frame short of 3000 frames, the header claims 10000.
                data: noise(3000 * 2 * bits as usize / 8 - 2, 3),
                claim: Some(10_000 * 2 * bits as u32 / 8),
            };
            same_both_ways(&format!("cut{bits}.wav"), &wav.bytes(), true);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("cut.wav");
            std::fs::write(&path, wav.bytes()).unwrap();
            let e = read_all(&path).unwrap_err();
            assert!(
                matches!(
                    e,
                    CodecError::Truncated {
                        expected: 10_000,
                        found: 2999,
                        ..
                    }
                ),
                "{e}"
            );
        }
    }

    #[test]
    fn a_streamed_wav_of_unknown_length_stays_with_symphonia() {
        let wav = Wav {
            tag: 1,
            sub: 0,
            channels: 2,
            bits: 16,
            valid_bits: 16,
            data: noise(4 * 1000, 5),
            claim: Some(u32::MAX),
        };
        same_both_ways("stream.wav", &wav.bytes(), false);
    }
}
