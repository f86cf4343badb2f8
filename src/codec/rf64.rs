//! Reading RF64 (EBU Tech 3306), the WAV form for files past 4 GiB, which symphonia does not
//! know: the header is parsed here (`ds64` gives the 64-bit sizes) and integer or float PCM is
//! read straight from the file, one bounded chunk at a time. Plain WAV's PCM data is read the
//! same way once symphonia has parsed its header ([`PcmSource::at_data`]): converting whole
//! chunks straight to f32 costs a fraction of symphonia's per-packet decode, with the same
//! samples bit for bit (the conversions below are symphonia's).

use super::CodecError;
use std::fs::File;
use std::io::{BufReader, ErrorKind, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Whether the first bytes of a file say RF64 (`RF64....WAVE`, or the `BW64` spelling).
pub fn is_rf64(head: &[u8]) -> bool {
    head.len() >= 12 && (&head[..4] == b"RF64" || &head[..4] == b"BW64") && &head[8..12] == b"WAVE"
}

/// Sample encoding of the data chunk: `Int(8)` is unsigned, wider integers are signed, all
/// little-endian.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Int(u16),
    Float32,
    Float64,
}

/// The PCM data of an RF64 file.
pub struct PcmSource {
    path: PathBuf,
    file: BufReader<File>,
    pub rate: u32,
    pub channels: u16,
    pub frames: u64,
    encoding: Encoding,
    data_start: u64,
    block_align: u64,
    /// Frame index the file is at.
    at: u64,
    raw: Vec<u8>,
}

/// Frames converted per read at most, so the raw buffer stays small whatever the caller asks.
const MAX_READ_FRAMES: usize = 16_384;

fn bad(path: &Path, detail: impl Into<String>) -> CodecError {
    CodecError::BadHeader {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

impl PcmSource {
    /// Parses the header of the RF64 file `path`.
    pub fn open(path: &Path) -> Result<PcmSource, CodecError> {
        let io = |error: std::io::Error| {
            if error.kind() == ErrorKind::UnexpectedEof {
                CodecError::TruncatedHeader {
                    path: path.to_path_buf(),
                }
            } else {
                CodecError::Io {
                    path: path.to_path_buf(),
                    error,
                }
            }
        };
        let mut file = BufReader::new(File::open(path).map_err(io)?);
        let mut head = [0u8; 12];
        file.read_exact(&mut head).map_err(io)?;
        if !is_rf64(&head) {
            return Err(bad(path, "not an RF64 file"));
        }
        let mut data_size64: Option<u64> = None;
        let mut fmt: Option<(u16, u16, u32, u16, u16)> = None;
        let mut pos = 12u64;
        loop {
            let mut ch = [0u8; 8];
            file.read_exact(&mut ch).map_err(io)?;
            pos += 8;
            let id = [ch[0], ch[1], ch[2], ch[3]];
            let len32 = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]);
            match &id {
                b"ds64" => {
                    if len32 < 24 {
                        return Err(bad(path, "the ds64 chunk is too short"));
                    }
                    let mut b = [0u8; 24];
                    file.read_exact(&mut b).map_err(io)?;
                    data_size64 = Some(u64::from_le_bytes([
                        b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15],
                    ]));
                    skip(&mut file, len32 as u64 - 24 + (len32 as u64 % 2)).map_err(io)?;
                }
                b"fmt " => {
                    if len32 < 16 {
                        return Err(bad(path, "the fmt chunk is too short"));
                    }
                    let mut b = [0u8; 16];
                    file.read_exact(&mut b).map_err(io)?;
                    let mut tag = u16::from_le_bytes([b[0], b[1]]);
                    let channels = u16::from_le_bytes([b[2], b[3]]);
                    let rate = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
                    let align = u16::from_le_bytes([b[12], b[13]]);
                    let bits = u16::from_le_bytes([b[14], b[15]]);
                    let mut rest = len32 as u64 - 16;
                    if tag == 0xFFFE && len32 >= 40 {
                        // WAVE_FORMAT_EXTENSIBLE: the real tag opens the sub-format GUID.
                        let mut ext = [0u8; 24];
                        file.read_exact(&mut ext).map_err(io)?;
                        tag = u16::from_le_bytes([ext[8], ext[9]]);
                        rest -= 24;
                    }
                    skip(&mut file, rest + (len32 as u64 % 2)).map_err(io)?;
                    fmt = Some((tag, channels, rate, align, bits));
                }
                b"data" => {
                    let size = if len32 == u32::MAX {
                        data_size64.ok_or_else(|| {
                            bad(path, "the data size is in a ds64 chunk the file lacks")
                        })?
                    } else {
                        len32 as u64
                    };
                    let (tag, channels, rate, align, bits) =
                        fmt.ok_or_else(|| bad(path, "no fmt chunk before the data"))?;
                    let encoding = match (tag, bits) {
                        (1, 8 | 16 | 24 | 32) => Encoding::Int(bits),
                        (3, 32) => Encoding::Float32,
                        (3, 64) => Encoding::Float64,
                        _ => {
                            return Err(CodecError::Unsupported {
                                path: path.to_path_buf(),
                                detail: format!("RF64 with format {tag} at {bits} bits"),
                            })
                        }
                    };
                    let bytes = (bits as u64).div_ceil(8);
                    if channels == 0 || rate == 0 || align as u64 != bytes * channels as u64 {
                        return Err(bad(
                            path,
                            format!("{channels} channels, {rate} Hz, block align {align}"),
                        ));
                    }
                    return Ok(PcmSource {
                        path: path.to_path_buf(),
                        file,
                        rate,
                        channels,
                        frames: size / align as u64,
                        encoding,
                        data_start: pos,
                        block_align: align as u64,
                        at: 0,
                        raw: Vec::new(),
                    });
                }
                _ => {
                    skip(&mut file, len32 as u64 + (len32 as u64 % 2)).map_err(io)?;
                }
            }
            pos = file.stream_position().map_err(io)?;
        }
    }

    /// The PCM data of a file whose header someone else parsed (symphonia, for WAV): `frames`
    /// frames of `channels` × `encoding` from byte `data_start`. `None` when the bytes before
    /// `data_start` are not a data chunk's header that says so (the caller decodes otherwise).
    pub fn at_data(
        path: &Path,
        rate: u32,
        channels: u16,
        frames: u64,
        encoding: Encoding,
        data_start: u64,
    ) -> Result<Option<PcmSource>, CodecError> {
        let io = |error| CodecError::Io {
            path: path.to_path_buf(),
            error,
        };
        let bytes = match encoding {
            Encoding::Int(bits) => (bits as u64).div_ceil(8),
            Encoding::Float32 => 4,
            Encoding::Float64 => 8,
        };
        let block_align = bytes * channels as u64;
        // The data chunk's own header, just before the data: only a chunk whose size gives
        // exactly `frames` is read here (not a streamed one of unknown size).
        let Some(header) = data_start.checked_sub(8) else {
            return Ok(None);
        };
        let mut file = BufReader::new(File::open(path).map_err(io)?);
        file.seek(SeekFrom::Start(header)).map_err(io)?;
        let mut ch = [0u8; 8];
        if file.read_exact(&mut ch).is_err() || &ch[..4] != b"data" {
            return Ok(None);
        }
        let len = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]);
        if block_align == 0 || len == u32::MAX || len as u64 / block_align != frames {
            return Ok(None);
        }
        Ok(Some(PcmSource {
            path: path.to_path_buf(),
            file,
            rate,
            channels,
            frames,
            encoding,
            data_start,
            block_align,
            at: 0,
            raw: Vec::new(),
        }))
    }

    /// Moves to frame `frame` (clamped to the end).
    pub fn seek(&mut self, frame: u64) -> Result<(), CodecError> {
        let frame = frame.min(self.frames);
        self.file
            .seek(SeekFrom::Start(self.data_start + frame * self.block_align))
            .map_err(|e| CodecError::Seek {
                path: self.path.clone(),
                frame,
                detail: e.to_string(),
            })?;
        self.at = frame;
        Ok(())
    }

    /// Reads up to `max_frames` frames as interleaved f32 into `out` (cleared first). Returns
    /// the frames read; 0 at the end of the data or of the file (the caller checks truncation).
    pub fn read(&mut self, out: &mut Vec<f32>, max_frames: usize) -> Result<usize, CodecError> {
        let ch = self.channels as usize;
        out.resize(max_frames.min(MAX_READ_FRAMES) * ch, 0.0);
        let frames = self.read_into(out)?;
        out.truncate(frames * ch);
        Ok(frames)
    }

    /// Reads up to `out.len() / channels` frames (at most [`MAX_READ_FRAMES`]) as interleaved
    /// f32 into the start of `out`. Returns the frames read; 0 at the end of the data or of the
    /// file (the caller checks truncation).
    pub fn read_into(&mut self, out: &mut [f32]) -> Result<usize, CodecError> {
        let ch = self.channels as usize;
        let frames =
            (self.frames - self.at).min((out.len() / ch).min(MAX_READ_FRAMES) as u64) as usize;
        if frames == 0 {
            return Ok(0);
        }
        self.raw.resize(frames * self.block_align as usize, 0);
        let mut got = 0;
        while got < self.raw.len() {
            match self.file.read(&mut self.raw[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(error) => {
                    return Err(CodecError::Corrupt {
                        path: self.path.clone(),
                        at_seconds: self.at as f64 / self.rate as f64,
                        detail: error.to_string(),
                    })
                }
            }
        }
        let frames = got / self.block_align as usize;
        let raw = &self.raw[..frames * self.block_align as usize];
        let out = &mut out[..frames * ch];
        // The conversions are symphonia's (`symphonia_core::conv`), so a file reads the same
        // whichever path decodes it; the divisions by powers of two are exact.
        match self.encoding {
            Encoding::Int(8) => {
                for (o, &b) in out.iter_mut().zip(raw) {
                    *o = b as f32 / 128.0 - 1.0;
                }
            }
            Encoding::Int(16) => {
                for (o, b) in out.iter_mut().zip(raw.chunks_exact(2)) {
                    *o = i16::from_le_bytes([b[0], b[1]]) as f32 / 32_768.0;
                }
            }
            Encoding::Int(24) => {
                for (o, b) in out.iter_mut().zip(raw.chunks_exact(3)) {
                    *o = (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0;
                }
            }
            Encoding::Int(_) => {
                for (o, b) in out.iter_mut().zip(raw.chunks_exact(4)) {
                    let v = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    *o = (v as f64 / 2_147_483_648.0) as f32;
                }
            }
            Encoding::Float32 => {
                for (o, b) in out.iter_mut().zip(raw.chunks_exact(4)) {
                    *o = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                }
            }
            Encoding::Float64 => {
                for (o, b) in out.iter_mut().zip(raw.chunks_exact(8)) {
                    *o =
                        f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32;
                }
            }
        }
        self.at += frames as u64;
        Ok(frames)
    }
}

fn skip(file: &mut BufReader<File>, n: u64) -> std::io::Result<()> {
    file.seek_relative(n as i64)
}
