//! Writing WAV files: 16-bit or 24-bit integer, or 32-bit float, streamed to any
//! `Write + Seek`. Files whose RIFF size would pass 4 GiB become RF64 (EBU Tech 3306): the
//! header reserves a `JUNK` chunk the size of a `ds64` chunk, and finishing turns it into `ds64`
//! in place, so files under 4 GiB stay plain WAV that every reader knows. A plain WAV's 32-bit
//! lengths would otherwise wrap and the file would read back as a fraction of itself.

use super::CodecError;
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Sample format of a written WAV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WavFormat {
    /// 16-bit signed integer PCM.
    I16,
    /// 24-bit signed integer PCM.
    I24,
    /// 32-bit IEEE float.
    F32,
}

impl WavFormat {
    /// Bytes per sample.
    pub fn bytes(self) -> u16 {
        match self {
            WavFormat::I16 => 2,
            WavFormat::I24 => 3,
            WavFormat::F32 => 4,
        }
    }
}

/// Bytes before the sample data: RIFF header (12), JUNK reserve (8 + 28), fmt (8 + 16), data
/// header (8).
pub const WAV_HEADER_BYTES: u64 = 12 + 36 + 24 + 8;
/// Where the reserved `JUNK` chunk (the future `ds64`) starts.
const JUNK_AT: u64 = 12;
/// Where the data chunk's 32-bit size is.
const DATA_SIZE_AT: u64 = WAV_HEADER_BYTES - 4;
/// The largest RIFF size a plain WAV can state.
pub const RIFF_SIZE_LIMIT: u64 = u32::MAX as u64;

/// A WAV (or, past 4 GiB, RF64) stream being written. Samples go in already in the file's
/// format (integers scaled to the bit depth, or f32); [`WavStream::finish`] writes the lengths.
pub struct WavStream<W: Write + Seek> {
    out: W,
    format: WavFormat,
    channels: u16,
    data_bytes: u64,
    /// RIFF sizes above this make the file RF64 (lowered in tests to exercise RF64 on disk).
    riff_limit: u64,
    buf: Vec<u8>,
}

impl<W: Write + Seek> WavStream<W> {
    /// Writes the header (lengths still zero) to `out`, which must be at its start.
    pub fn new(out: W, rate: u32, channels: u16, format: WavFormat) -> std::io::Result<Self> {
        Self::with_riff_limit(out, rate, channels, format, RIFF_SIZE_LIMIT)
    }

    /// As [`WavStream::new`], with RF64 used above `riff_limit` bytes instead of 4 GiB, so tests
    /// can make a real RF64 file without writing 4 GiB.
    #[doc(hidden)]
    pub fn with_riff_limit(
        mut out: W,
        rate: u32,
        channels: u16,
        format: WavFormat,
        riff_limit: u64,
    ) -> std::io::Result<Self> {
        if rate == 0 || channels == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "sample rate and channels must be positive",
            ));
        }
        let block_align = channels as u32 * format.bytes() as u32;
        let mut h = Vec::with_capacity(WAV_HEADER_BYTES as usize);
        h.extend_from_slice(b"RIFF");
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(b"WAVE");
        // Room for ds64 (riff size, data size, sample count: u64 each; table length: u32).
        h.extend_from_slice(b"JUNK");
        h.extend_from_slice(&28u32.to_le_bytes());
        h.extend_from_slice(&[0u8; 28]);
        h.extend_from_slice(b"fmt ");
        h.extend_from_slice(&16u32.to_le_bytes());
        let tag: u16 = if format == WavFormat::F32 { 3 } else { 1 };
        h.extend_from_slice(&tag.to_le_bytes());
        h.extend_from_slice(&channels.to_le_bytes());
        h.extend_from_slice(&rate.to_le_bytes());
        h.extend_from_slice(&(rate.saturating_mul(block_align)).to_le_bytes());
        h.extend_from_slice(&(block_align as u16).to_le_bytes());
        h.extend_from_slice(&(format.bytes() * 8).to_le_bytes());
        h.extend_from_slice(b"data");
        h.extend_from_slice(&0u32.to_le_bytes());
        debug_assert_eq!(h.len() as u64, WAV_HEADER_BYTES);
        out.write_all(&h)?;
        Ok(WavStream {
            out,
            format,
            channels,
            data_bytes: 0,
            riff_limit,
            buf: Vec::new(),
        })
    }

    /// The file's sample format.
    pub fn format(&self) -> WavFormat {
        self.format
    }

    /// Sample bytes written so far.
    pub fn data_bytes(&self) -> u64 {
        self.data_bytes
    }

    /// Appends interleaved integer samples (16 or 24-bit formats; values already in range).
    pub fn write_int(&mut self, samples: &[i32]) -> std::io::Result<()> {
        self.buf.clear();
        match self.format {
            WavFormat::I16 => {
                for &s in samples {
                    self.buf.extend_from_slice(&(s as i16).to_le_bytes());
                }
            }
            WavFormat::I24 => {
                for &s in samples {
                    self.buf.extend_from_slice(&s.to_le_bytes()[..3]);
                }
            }
            WavFormat::F32 => {
                for &s in samples {
                    self.buf.extend_from_slice(&(s as f32).to_le_bytes());
                }
            }
        }
        self.flush_buf()
    }

    /// Appends interleaved float samples (the 32-bit float format).
    pub fn write_float(&mut self, samples: &[f32]) -> std::io::Result<()> {
        self.buf.clear();
        for &s in samples {
            self.buf.extend_from_slice(&s.to_le_bytes());
        }
        self.flush_buf()
    }

    fn flush_buf(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.data_bytes += self.buf.len() as u64;
        Ok(())
    }

    /// Writes the lengths (plain WAV, or RF64 when the file is too large for one) and returns
    /// the sink, flushed. Returns whether the file became RF64.
    pub fn finish(mut self) -> std::io::Result<(W, bool)> {
        let pad = self.data_bytes % 2;
        if pad == 1 {
            self.out.write_all(&[0])?;
        }
        let riff_size = WAV_HEADER_BYTES - 8 + self.data_bytes + pad;
        let rf64 = riff_size > self.riff_limit;
        if rf64 {
            let frame_bytes = self.channels as u64 * self.format.bytes() as u64;
            self.out.seek(SeekFrom::Start(0))?;
            self.out.write_all(b"RF64")?;
            self.out.write_all(&u32::MAX.to_le_bytes())?;
            self.out.seek(SeekFrom::Start(JUNK_AT))?;
            let mut ds64 = Vec::with_capacity(36);
            ds64.extend_from_slice(b"ds64");
            ds64.extend_from_slice(&28u32.to_le_bytes());
            ds64.extend_from_slice(&riff_size.to_le_bytes());
            ds64.extend_from_slice(&self.data_bytes.to_le_bytes());
            ds64.extend_from_slice(&(self.data_bytes / frame_bytes).to_le_bytes());
            ds64.extend_from_slice(&0u32.to_le_bytes());
            self.out.write_all(&ds64)?;
            self.out.seek(SeekFrom::Start(DATA_SIZE_AT))?;
            self.out.write_all(&u32::MAX.to_le_bytes())?;
        } else {
            self.out.seek(SeekFrom::Start(4))?;
            self.out.write_all(&(riff_size as u32).to_le_bytes())?;
            self.out.seek(SeekFrom::Start(DATA_SIZE_AT))?;
            self.out
                .write_all(&(self.data_bytes as u32).to_le_bytes())?;
        }
        self.out.seek(SeekFrom::End(0))?;
        self.out.flush()?;
        Ok((self.out, rf64))
    }
}

/// A WAV file being written from interleaved f32 samples. Integer formats round and clip.
pub struct WavWriter {
    inner: WavStream<BufWriter<File>>,
    path: PathBuf,
    ints: Vec<i32>,
}

impl std::fmt::Debug for WavWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavWriter")
            .field("path", &self.path)
            .field("format", &self.inner.format)
            .finish_non_exhaustive()
    }
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> CodecError {
    CodecError::Write {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

impl WavWriter {
    /// Creates (or truncates) `path`.
    pub fn create(
        path: &Path,
        rate: u32,
        channels: u16,
        format: WavFormat,
    ) -> Result<WavWriter, CodecError> {
        Self::create_with_riff_limit(path, rate, channels, format, RIFF_SIZE_LIMIT)
    }

    /// As [`WavWriter::create`], RF64 above `riff_limit` bytes (tests).
    #[doc(hidden)]
    pub fn create_with_riff_limit(
        path: &Path,
        rate: u32,
        channels: u16,
        format: WavFormat,
        riff_limit: u64,
    ) -> Result<WavWriter, CodecError> {
        if rate == 0 || channels == 0 {
            return Err(write_err(path, "sample rate and channels must be positive"));
        }
        let file = File::create(path).map_err(|e| write_err(path, e))?;
        let inner = WavStream::with_riff_limit(
            BufWriter::with_capacity(1 << 16, file),
            rate,
            channels,
            format,
            riff_limit,
        )
        .map_err(|e| write_err(path, e))?;
        Ok(WavWriter {
            inner,
            path: path.to_path_buf(),
            ints: Vec::new(),
        })
    }

    /// Appends interleaved samples (a whole number of frames).
    pub fn write(&mut self, samples: &[f32]) -> Result<(), CodecError> {
        let res = match self.inner.format {
            WavFormat::F32 => self.inner.write_float(samples),
            WavFormat::I16 | WavFormat::I24 => {
                let full_scale = if self.inner.format == WavFormat::I16 {
                    32_767.0
                } else {
                    8_388_607.0
                };
                self.ints.clear();
                self.ints
                    .extend(samples.iter().map(|&s| to_int(s, full_scale)));
                self.inner.write_int(&self.ints)
            }
        };
        res.map_err(|e| write_err(&self.path, e))
    }

    /// Writes the final header lengths and flushes the file to disk.
    pub fn finalize(self) -> Result<(), CodecError> {
        let path = self.path;
        let (out, _) = self.inner.finish().map_err(|e| write_err(&path, e))?;
        let file = out.into_inner().map_err(|e| write_err(&path, e.error()))?;
        file.sync_all().map_err(|e| write_err(&path, e))
    }
}

fn to_int(s: f32, full_scale: f32) -> i32 {
    let s = if s.is_finite() { s } else { 0.0 };
    (s.clamp(-1.0, 1.0) * full_scale).round() as i32
}

/// Writes interleaved samples as a WAV file.
pub fn write_wav(
    path: &Path,
    samples: &[f32],
    rate: u32,
    channels: u16,
    format: WavFormat,
) -> Result<(), CodecError> {
    let mut w = WavWriter::create(path, rate, channels, format)?;
    w.write(samples)?;
    w.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{read_all, AudioReader};

    /// A sink that counts bytes like a file and keeps only its first and last kilobytes, so
    /// a 4+ GiB file can be "written" in memory.
    #[derive(Default)]
    struct Sparse {
        pos: u64,
        len: u64,
        head: Vec<u8>,
        tail: Vec<(u64, u8)>,
    }

    impl Write for Sparse {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            for (i, &b) in buf.iter().enumerate() {
                let at = self.pos + i as u64;
                if at < 1024 {
                    if self.head.len() <= at as usize {
                        self.head.resize(at as usize + 1, 0);
                    }
                    self.head[at as usize] = b;
                } else {
                    self.tail.retain(|(p, _)| *p != at);
                    self.tail.push((at, b));
                    if self.tail.len() > 1024 {
                        self.tail.remove(0);
                    }
                }
            }
            self.pos += buf.len() as u64;
            self.len = self.len.max(self.pos);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Seek for Sparse {
        fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
            self.pos = match to {
                SeekFrom::Start(p) => p,
                SeekFrom::End(d) => (self.len as i64 + d) as u64,
                SeekFrom::Current(d) => (self.pos as i64 + d) as u64,
            };
            Ok(self.pos)
        }
    }

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }
    fn u64_at(b: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
    }

    /// Writes `frames` stereo 24-bit frames: the first two and the last real, the rest skipped.
    fn sparse_wav(frames: u64) -> (Sparse, bool) {
        let mut s = WavStream::new(Sparse::default(), 48_000, 2, WavFormat::I24).unwrap();
        s.write_int(&[1, -1, 2, -2]).unwrap();
        let rest = (frames - 3) * 6;
        s.out.seek(SeekFrom::Current(rest as i64)).unwrap();
        s.data_bytes += rest;
        s.write_int(&[3, -3]).unwrap();
        s.finish().unwrap()
    }

    #[test]
    fn past_4_gib_the_header_becomes_rf64_with_true_64_bit_sizes() {
        let frames = 800_000_000u64; // 4.8 GB of 24-bit stereo
        let (sink, rf64) = sparse_wav(frames);
        assert!(rf64);
        let h = &sink.head;
        let data = frames * 6;
        assert_eq!(&h[0..4], b"RF64");
        assert_eq!(u32_at(h, 4), u32::MAX);
        assert_eq!(&h[8..12], b"WAVE");
        assert_eq!(&h[12..16], b"ds64");
        assert_eq!(u32_at(h, 16), 28);
        assert_eq!(u64_at(h, 20), sink.len - 8, "RIFF size");
        assert_eq!(u64_at(h, 28), data, "data size");
        assert_eq!(u64_at(h, 36), frames, "sample count");
        assert_eq!(&h[48..52], b"fmt ");
        assert_eq!(&h[72..76], b"data");
        assert_eq!(u32_at(h, 76), u32::MAX);
        assert_eq!(sink.len, WAV_HEADER_BYTES + data);
        // The samples written first are where a reader looks for them.
        assert_eq!(&h[80..86], &[1, 0, 0, 0xFF, 0xFF, 0xFF]);
    }

    #[test]
    fn under_4_gib_the_file_stays_plain_wav_up_to_the_last_byte() {
        // The largest data that still fits a 32-bit RIFF size, then one frame more.
        let max_frames = (RIFF_SIZE_LIMIT - (WAV_HEADER_BYTES - 8)) / 6;
        let (sink, rf64) = sparse_wav(max_frames);
        assert!(!rf64);
        let h = &sink.head;
        assert_eq!(&h[0..4], b"RIFF");
        assert_eq!(u32_at(h, 4) as u64, sink.len - 8);
        assert_eq!(&h[12..16], b"JUNK");
        assert_eq!(u32_at(h, 76) as u64, max_frames * 6);
        let (sink, rf64) = sparse_wav(max_frames + 1);
        assert!(rf64);
        assert_eq!(&sink.head[0..4], b"RF64");
        assert_eq!(u64_at(&sink.head, 28), (max_frames + 1) * 6);
    }

    #[test]
    fn a_real_rf64_file_reads_back_at_its_true_length_in_every_format() {
        let dir = tempfile::tempdir().unwrap();
        let frames = 5000usize;
        let src: Vec<f32> = (0..frames * 2)
            .map(|i| ((i as f32) * 0.013).sin() * 0.7)
            .collect();
        for (fmt, tol) in [
            (WavFormat::F32, 0.0),
            (WavFormat::I24, 2.0 / 8_388_607.0),
            (WavFormat::I16, 2.0 / 32_767.0),
        ] {
            let path = dir.path().join(format!("{fmt:?}.wav"));
            // RF64 above 1000 bytes: this small file takes the >4 GiB path on disk.
            let mut w = WavWriter::create_with_riff_limit(&path, 44_100, 2, fmt, 1000).unwrap();
            w.write(&src).unwrap();
            w.finalize().unwrap();
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(&bytes[0..4], b"RF64", "{fmt:?}");
            let (got, rate, ch) = read_all(&path).unwrap();
            assert_eq!((rate, ch, got.len()), (44_100, 2, src.len()), "{fmt:?}");
            for (a, b) in got.iter().zip(&src) {
                assert!((a - b).abs() <= tol, "{fmt:?}: {a} vs {b}");
            }
            let mut r = AudioReader::open(&path).unwrap();
            assert_eq!(r.frames(), Some(frames as u64));
            r.seek(4000).unwrap();
            let mut buf = vec![0.0; 20];
            assert_eq!(r.read(&mut buf).unwrap(), 10);
            assert!((buf[0] - src[8000]).abs() <= tol);
        }
    }

    #[test]
    fn a_truncated_rf64_file_is_reported_as_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.wav");
        let mut w = WavWriter::create_with_riff_limit(&path, 8000, 1, WavFormat::I16, 100).unwrap();
        w.write(&[0.25; 4000]).unwrap();
        w.finalize().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1000]).unwrap();
        let e = read_all(&path).unwrap_err().to_string();
        assert!(e.contains("truncated") && e.contains("cut.wav"), "{e}");
    }
}
