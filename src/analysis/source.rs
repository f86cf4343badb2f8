//! Block-wise reading of an audio file as interleaved f32 (WAV through hound until the
//! shared decoder lands).

use super::AnalysisError;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

pub(super) struct Source {
    path: PathBuf,
    reader: hound::WavReader<BufReader<File>>,
    scale: f32,
    float: bool,
}

impl Source {
    pub(super) fn open(path: &Path) -> Result<Self, AnalysisError> {
        let fail = |reason: String| AnalysisError::Read {
            path: path.to_path_buf(),
            reason,
        };
        let reader = hound::WavReader::open(path).map_err(|e| fail(e.to_string()))?;
        let spec = reader.spec();
        let float = spec.sample_format == hound::SampleFormat::Float;
        let scale = if float {
            1.0
        } else {
            1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32
        };
        Ok(Source {
            path: path.to_path_buf(),
            reader,
            scale,
            float,
        })
    }

    pub(super) fn sample_rate(&self) -> u32 {
        self.reader.spec().sample_rate
    }

    pub(super) fn channels(&self) -> u16 {
        self.reader.spec().channels
    }

    /// Reads up to `buf.len() / channels` frames; 0 at the end.
    pub(super) fn read(&mut self, buf: &mut [f32]) -> Result<usize, AnalysisError> {
        let ch = self.channels().max(1) as usize;
        let want = buf.len() / ch * ch;
        let mut n = 0;
        let path = &self.path;
        let fail = |e: hound::Error| AnalysisError::Read {
            path: path.clone(),
            reason: e.to_string(),
        };
        if self.float {
            for (d, s) in buf[..want].iter_mut().zip(self.reader.samples::<f32>()) {
                *d = s.map_err(fail)?;
                n += 1;
            }
        } else {
            for (d, s) in buf[..want].iter_mut().zip(self.reader.samples::<i32>()) {
                *d = s.map_err(fail)? as f32 * self.scale;
                n += 1;
            }
        }
        Ok(n / ch)
    }
}
