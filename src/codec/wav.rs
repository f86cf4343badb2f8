//! Writing WAV files (hound): 16-bit or 24-bit integer, or 32-bit float.

use super::CodecError;
use std::fs::File;
use std::io::BufWriter;
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
    fn spec(self, rate: u32, channels: u16) -> hound::WavSpec {
        let (bits_per_sample, sample_format) = match self {
            WavFormat::I16 => (16, hound::SampleFormat::Int),
            WavFormat::I24 => (24, hound::SampleFormat::Int),
            WavFormat::F32 => (32, hound::SampleFormat::Float),
        };
        hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample,
            sample_format,
        }
    }
}

/// A WAV file being written from interleaved f32 samples. Integer formats round and clip.
pub struct WavWriter {
    inner: hound::WavWriter<BufWriter<File>>,
    format: WavFormat,
    path: PathBuf,
}

impl std::fmt::Debug for WavWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavWriter")
            .field("path", &self.path)
            .field("format", &self.format)
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
        if rate == 0 || channels == 0 {
            return Err(write_err(path, "sample rate and channels must be positive"));
        }
        let inner = hound::WavWriter::create(path, format.spec(rate, channels))
            .map_err(|e| write_err(path, e))?;
        Ok(WavWriter {
            inner,
            format,
            path: path.to_path_buf(),
        })
    }

    /// Appends interleaved samples (a whole number of frames).
    pub fn write(&mut self, samples: &[f32]) -> Result<(), CodecError> {
        let path = &self.path;
        let res = match self.format {
            WavFormat::F32 => samples.iter().try_for_each(|&s| self.inner.write_sample(s)),
            WavFormat::I16 => samples
                .iter()
                .try_for_each(|&s| self.inner.write_sample(to_int(s, 32_767.0) as i16)),
            WavFormat::I24 => samples
                .iter()
                .try_for_each(|&s| self.inner.write_sample(to_int(s, 8_388_607.0))),
        };
        res.map_err(|e| write_err(path, e))
    }

    /// Writes the final header lengths and flushes the file to disk.
    pub fn finalize(self) -> Result<(), CodecError> {
        let path = self.path;
        self.inner.finalize().map_err(|e| write_err(&path, e))?;
        let f = File::open(&path).map_err(|e| write_err(&path, e))?;
        f.sync_all().map_err(|e| write_err(&path, e))
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
