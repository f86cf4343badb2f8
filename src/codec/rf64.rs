//! Reading RF64 (EBU Tech 3306), the WAV form for files past 4 GiB, which symphonia does not
//! know: the header is parsed here (`ds64` gives the 64-bit sizes) and integer or float PCM is
//! read straight from the file, one bounded chunk at a time.

use super::CodecError;
use std::fs::File;
use std::io::{BufReader, ErrorKind, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Whether the first bytes of a file say RF64 (`RF64....WAVE`, or the `BW64` spelling).
pub fn is_rf64(head: &[u8]) -> bool {
    head.len() >= 12 && (&head[..4] == b"RF64" || &head[..4] == b"BW64") && &head[8..12] == b"WAVE"
}

/// Sample encoding of the data chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
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
        out.clear();
        let frames = (self.frames - self.at).min(max_frames as u64) as usize;
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
        match self.encoding {
            Encoding::Int(8) => out.extend(raw.iter().map(|&b| (b as f32 - 128.0) / 128.0)),
            Encoding::Int(16) => out.extend(
                raw.chunks_exact(2)
                    .map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32_768.0),
            ),
            Encoding::Int(24) => out
                .extend(raw.chunks_exact(3).map(|b| {
                    (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0
                })),
            Encoding::Int(_) => out.extend(raw.chunks_exact(4).map(|b| {
                (i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64 / 2_147_483_648.0) as f32
            })),
            Encoding::Float32 => out.extend(
                raw.chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            ),
            Encoding::Float64 => out.extend(raw.chunks_exact(8).map(|b| {
                f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
            })),
        }
        self.at += frames as u64;
        Ok(frames)
    }
}

fn skip(file: &mut BufReader<File>, n: u64) -> std::io::Result<()> {
    file.seek_relative(n as i64)
}
