//! Audio files in and out: streaming decoding (symphonia: wav, flac, mp3, ogg/vorbis),
//! sample-rate conversion (rubato), and writing WAV/RF64 and FLAC (flacenc).
//!
//! Everything here works in bounded memory: a reader holds one decoded packet at a time, the
//! resampler one chunk, and nothing is ever sized from a length a file header claims. This
//! module depends on nothing else in the crate, and it never runs on the audio thread.

mod flac;
pub mod ogg;
pub mod opus;
mod reader;
mod resample;
mod rf64;
pub mod stream;
mod wav;

pub use flac::FlacStream;
pub use reader::{read_all, AudioReader};
pub use resample::{resample, StreamResampler};
pub use wav::{write_wav, WavFormat, WavStream, WavWriter, RIFF_SIZE_LIMIT, WAV_HEADER_BYTES};

use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why an audio file could not be read, converted or written. Every message names the file
/// (when there is one) and says what is wrong in one sentence.
#[derive(Debug, Error)]
pub enum CodecError {
    /// The file could not be opened or read at the operating-system level.
    #[error("could not read '{}': {error}", path.display())]
    Io {
        path: PathBuf,
        // Not a `#[source]`: the message already says it, and error chains would repeat it.
        error: std::io::Error,
    },
    /// The file has no bytes at all.
    #[error("could not read '{}': the file is empty (0 bytes)", path.display())]
    Empty { path: PathBuf },
    /// No reader recognised the file's contents.
    #[error(
        "could not read '{}': not an audio file tdaw can read (wav, flac, mp3, ogg/vorbis){}",
        path.display(), detail_suffix(detail)
    )]
    Unsupported { path: PathBuf, detail: String },
    /// The container is recognised but holds no decodable audio track.
    #[error("could not read '{}': {detail}", path.display())]
    NoAudio { path: PathBuf, detail: String },
    /// The file's header is recognised but damaged.
    #[error("could not read '{}': its header is damaged ({detail})", path.display())]
    BadHeader { path: PathBuf, detail: String },
    /// The file ends inside its header.
    #[error("could not read '{}': the file ends inside its header", path.display())]
    TruncatedHeader { path: PathBuf },
    /// The audio data is damaged at some position.
    #[error("could not read '{}': the audio data is corrupt at {at_seconds:.3} s ({detail})", path.display())]
    Corrupt {
        path: PathBuf,
        at_seconds: f64,
        detail: String,
    },
    /// The file holds fewer frames than its header promises.
    #[error(
        "could not read '{}': the file is truncated: its header promises {expected} frames \
         ({:.3} s) but the audio ends after {found} frames",
        path.display(), *expected as f64 / (*rate).max(1) as f64
    )]
    Truncated {
        path: PathBuf,
        expected: u64,
        found: u64,
        rate: u32,
    },
    /// Seeking failed.
    #[error("could not seek in '{}' to frame {frame}: {detail}", path.display())]
    Seek {
        path: PathBuf,
        frame: u64,
        detail: String,
    },
    /// A WAV file could not be written.
    #[error("could not write '{}': {detail}", path.display())]
    Write { path: PathBuf, detail: String },
    /// The sample-rate converter refused its parameters or data.
    #[error("could not convert the sample rate from {from} Hz to {to} Hz: {detail}")]
    Resample { from: u32, to: u32, detail: String },
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

impl CodecError {
    /// The file the error is about, when there is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            CodecError::Io { path, .. }
            | CodecError::Empty { path }
            | CodecError::Unsupported { path, .. }
            | CodecError::NoAudio { path, .. }
            | CodecError::BadHeader { path, .. }
            | CodecError::TruncatedHeader { path }
            | CodecError::Corrupt { path, .. }
            | CodecError::Truncated { path, .. }
            | CodecError::Seek { path, .. }
            | CodecError::Write { path, .. } => Some(path),
            CodecError::Resample { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests;
