//! Audio analysis: what a mixing engineer reads before trusting a master, and what the
//! assistant's mixing advice is built on.
//!
//! One streaming pass over a file (or a buffer) measures sample peak, true peak (4x
//! oversampled, BS.1770-4 Annex 2), RMS, EBU R128 loudness (momentary, short-term,
//! integrated, loudness range) and the tempo. Files are read block by block, so a long file
//! is never held in memory. Anything that cannot be measured — the loudness of silence, the
//! range of a file shorter than one window, the tempo of a drone — is `None`, never -inf,
//! NaN or a panic. `live` holds the allocation-free meters the engine feeds during playback.
//! This module knows no terminal; `plot` draws plain text.

pub mod kweight;
pub mod live;
pub mod loudness;
pub mod mix;
pub mod peak;
pub mod plot;
pub mod tempo;

pub use live::{LiveMeter, PeakRmsMeter};
pub use loudness::{LoudnessResult, LoudnessTimeline};
pub use peak::PeakMeter;
pub use tempo::{detect_tempo, OnsetDetector, TempoEstimate};

use crate::codec::{AudioReader, CodecError};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The result of analysing one file or buffer. Serialises to exactly the `analyze --json`
/// keys of the contract; the other fields are for the table and the plot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Gated integrated loudness (BS.1770-4), LUFS.
    pub integrated_lufs: Option<f64>,
    /// Loudness range (EBU Tech 3342), LU.
    pub loudness_range_lu: Option<f64>,
    /// Maximum true peak over all channels, dBTP.
    pub true_peak_dbtp: Option<f64>,
    /// Maximum |sample| over all channels, dBFS.
    pub sample_peak_dbfs: Option<f64>,
    /// RMS of all samples of all channels, dBFS (a full-scale sine reads -3.01).
    pub rms_dbfs: Option<f64>,
    /// Detected tempo, BPM.
    pub bpm: Option<f64>,
    /// Length in seconds.
    pub duration_s: f64,
    /// Sample rate, Hz.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
    /// The tempo with its confidence.
    #[serde(skip)]
    pub tempo: Option<TempoEstimate>,
    /// Largest momentary loudness (400 ms), LUFS; null when shorter than 400 ms or silent.
    pub max_momentary_lufs: Option<f64>,
    /// Largest short-term loudness (3 s), LUFS; null when shorter than 3 s or silent.
    pub max_short_term_lufs: Option<f64>,
    /// Momentary and short-term loudness every 100 ms.
    #[serde(skip)]
    pub timeline: LoudnessTimeline,
}

/// Why a file could not be analysed. The message names the file.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The file could not be opened or decoded (the decoder's message names the file).
    #[error(transparent)]
    Read(#[from] CodecError),
    /// The stream's format cannot be measured (no channels, absurd rate).
    #[error("cannot analyse '{}': {reason}", path.display())]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// Streaming analyser: feed interleaved blocks with `push`, then `finish`.
pub struct Analyzer {
    rate: u32,
    channels: u16,
    loudness: loudness::LoudnessAnalyzer,
    side: PeaksAndOnsets,
}

/// The half of the analysis that `analyze_file` runs on a second thread.
struct PeaksAndOnsets {
    peaks: PeakMeter,
    onsets: OnsetDetector,
}

impl PeaksAndOnsets {
    fn push(&mut self, interleaved: &[f32]) {
        self.peaks.push(interleaved);
        self.onsets.push(interleaved);
    }
}

impl Analyzer {
    /// An analyser for `channels` interleaved channels at `rate` Hz; `None` when either is
    /// zero or the rate is absurd.
    pub fn new(rate: u32, channels: u16) -> Option<Self> {
        if channels == 0 || !(10..=2_822_400).contains(&rate) {
            return None;
        }
        Some(Analyzer {
            rate,
            channels,
            loudness: loudness::LoudnessAnalyzer::new(rate, channels).ok()?,
            side: PeaksAndOnsets {
                peaks: PeakMeter::new(channels as usize),
                onsets: OnsetDetector::new(rate, channels),
            },
        })
    }

    /// Feeds interleaved samples; blocks need not align with anything but frames.
    pub fn push(&mut self, interleaved: &[f32]) {
        self.loudness.push(interleaved);
        self.side.push(interleaved);
    }

    /// Every measurement of what was fed.
    pub fn finish(self) -> Analysis {
        let l = self.loudness.finish();
        let tempo = self.side.onsets.tempo();
        let round = |v: Option<f64>, digits: i32| {
            let f = 10f64.powi(digits);
            v.filter(|x| x.is_finite()).map(|x| (x * f).round() / f)
        };
        let frames = self.side.peaks.frames();
        Analysis {
            integrated_lufs: round(l.integrated, 2),
            loudness_range_lu: round(l.range, 2),
            true_peak_dbtp: round(
                peak::amplitude_db(f64::from(self.side.peaks.true_peak())),
                2,
            ),
            sample_peak_dbfs: round(
                peak::amplitude_db(f64::from(self.side.peaks.sample_peak())),
                2,
            ),
            rms_dbfs: round(peak::amplitude_db(self.side.peaks.rms()), 2),
            bpm: round(tempo.map(|t| t.bpm), 2),
            duration_s: round(Some(frames as f64 / f64::from(self.rate)), 3).unwrap_or(0.0),
            sample_rate: self.rate,
            channels: self.channels,
            tempo,
            max_momentary_lufs: round(l.max_momentary, 2),
            max_short_term_lufs: round(l.max_short_term, 2),
            timeline: l.timeline,
        }
    }
}

/// Analyses an in-memory interleaved buffer; `None` for zero channels or an absurd rate.
pub fn analyze_samples(samples_interleaved: &[f32], rate: u32, channels: u16) -> Option<Analysis> {
    let mut a = Analyzer::new(rate, channels)?;
    // Block-wise, like a file, so results do not depend on how the audio arrives.
    for block in samples_interleaved.chunks(4096 * channels as usize) {
        a.push(block);
    }
    Some(a.finish())
}

/// Frames read from a file per block.
const READ_FRAMES: usize = 8192;

/// Analyses an audio file (every format the importer reads), streaming it block by block.
/// Decoding and loudness run on this thread, peaks and onsets on a second one, so the two
/// cores of a small machine share the work; at most a few blocks are in flight.
pub fn analyze_file(path: &Path) -> Result<Analysis, AnalysisError> {
    let mut src = AudioReader::open(path)?;
    let (rate, channels) = (src.sample_rate(), src.channels());
    let unsupported = |reason: String| AnalysisError::Unsupported {
        path: path.to_path_buf(),
        reason,
    };
    let Analyzer {
        rate,
        channels,
        mut loudness,
        side,
    } = Analyzer::new(rate, channels).ok_or_else(|| {
        unsupported(format!(
            "{channels} channel(s) at {rate} Hz cannot be measured"
        ))
    })?;
    let block_len = READ_FRAMES * channels as usize;
    let (to_side, blocks) = std::sync::mpsc::sync_channel::<Vec<f32>>(3);
    let (recycle, spare) = std::sync::mpsc::sync_channel::<Vec<f32>>(4);
    let (read_result, side) = std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let mut side = side;
            for block in blocks {
                side.push(&block);
                // A full recycling queue just drops the buffer.
                let _ = recycle.try_send(block);
            }
            side
        });
        let mut read_result = Ok(());
        loop {
            let mut buf = spare.try_recv().unwrap_or_default();
            buf.resize(block_len, 0.0);
            let frames = match src.read(&mut buf) {
                Ok(f) => f,
                Err(e) => {
                    read_result = Err(AnalysisError::from(e));
                    break;
                }
            };
            if frames == 0 {
                break;
            }
            buf.truncate(frames * channels as usize);
            loudness.push(&buf);
            if to_side.send(buf).is_err() {
                break;
            }
        }
        drop(to_side);
        (read_result, worker.join())
    });
    read_result?;
    let side = side.map_err(|_| unsupported("the analysis thread failed".to_string()))?;
    Ok(Analyzer {
        rate,
        channels,
        loudness,
        side,
    }
    .finish())
}

/// The tempo of an audio file (onsets only, cheaper than `analyze_file`).
pub fn detect_tempo_file(path: &Path) -> Result<Option<TempoEstimate>, AnalysisError> {
    let mut src = AudioReader::open(path)?;
    let channels = src.channels();
    let mut onsets = OnsetDetector::new(src.sample_rate(), channels);
    let mut buf = vec![0.0f32; READ_FRAMES * channels as usize];
    loop {
        let frames = src.read(&mut buf)?;
        if frames == 0 {
            break;
        }
        onsets.push(&buf[..frames * channels as usize]);
    }
    Ok(onsets.tempo())
}
