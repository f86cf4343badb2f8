//! Streaming decoder: one packet in memory at a time, exact frame positions, strict errors.

use super::rf64::{is_rf64, PcmSource};
use super::CodecError;
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::well_known::{
    FORMAT_ID_AIFF, FORMAT_ID_FLAC, FORMAT_ID_MP1, FORMAT_ID_MP2, FORMAT_ID_MP3, FORMAT_ID_WAVE,
};
use symphonia::core::formats::{FormatOptions, FormatReader, SeekMode, SeekTo, TrackType};
use symphonia::core::io::MediaSourceStream;
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

/// Who decodes: symphonia, or tdaw's own RF64 reader (symphonia does not read RF64).
enum Backend {
    Symphonia {
        format: Box<dyn FormatReader>,
        decoder: Box<dyn AudioDecoder>,
    },
    Rf64(PcmSource),
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
        let file = File::open(path).map_err(io_err)?;
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
        let pcm = PcmSource::open(path)?;
        Ok(AudioReader {
            path: path.to_path_buf(),
            rate: pcm.rate,
            channels: pcm.channels,
            frames: Some(pcm.frames),
            backend: Backend::Rf64(pcm),
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
        })
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
            Backend::Rf64(pcm) => {
                pcm.seek(frame)?;
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
                Backend::Rf64(pcm) => {
                    self.pending_pos = 0;
                    return match pcm.read(&mut self.pending, 4096)? {
                        0 => self.finish(),
                        _ => Ok(true),
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
