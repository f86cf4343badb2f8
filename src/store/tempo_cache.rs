//! The detected tempo of each audio file in a project, cached in `.tdaw/tempo.toml` so that
//! `tdaw info` and the TUI do not decode the audio again. An entry is reused only while the
//! file's size and modification time are unchanged.

use crate::analysis::{detect_tempo_file, TempoEstimate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

const CACHE_FILE: &str = ".tdaw/tempo.toml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    size: u64,
    mtime: u64,
    /// Absent when the file has no steady tempo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bpm: Option<f64>,
    #[serde(default)]
    confidence: f64,
}

fn stamp(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some((meta.len(), mtime))
}

fn read_cache(dir: &Path) -> BTreeMap<String, Entry> {
    std::fs::read_to_string(dir.join(CACHE_FILE))
        .ok()
        .and_then(|t| toml::from_str(&t).ok())
        .unwrap_or_default()
}

/// The tempo of `rel` (a clip path relative to the project folder): from the cache when the file
/// is unchanged, otherwise detected and cached. `None` when the file cannot be read or has no
/// steady tempo. A cache that cannot be written is not an error: it is only a cache.
pub fn detected_tempo(dir: &Path, rel: &str) -> Option<TempoEstimate> {
    let path = dir.join(rel);
    let (size, mtime) = stamp(&path)?;
    let mut cache = read_cache(dir);
    if let Some(e) = cache.get(rel) {
        if e.size == size && e.mtime == mtime {
            return e.bpm.map(|bpm| TempoEstimate {
                bpm,
                confidence: e.confidence,
            });
        }
    }
    let estimate = detect_tempo_file(&path).ok()?;
    cache.insert(
        rel.to_string(),
        Entry {
            size,
            mtime,
            bpm: estimate.map(|e| e.bpm),
            confidence: estimate.map_or(0.0, |e| e.confidence),
        },
    );
    // A cache: failing to write it only costs a detection next time.
    if let Ok(text) = toml::to_string(&cache) {
        if std::fs::create_dir_all(dir.join(".tdaw")).is_ok() {
            let _ = super::atomic::write_atomic(&dir.join(CACHE_FILE), text.as_bytes());
        }
    }
    estimate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn click_track(path: &Path, bpm: f64, seconds: f64) {
        let rate = 44_100u32;
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        let period = (60.0 / bpm * rate as f64) as usize;
        for i in 0..(seconds * rate as f64) as usize {
            let k = i % period;
            let v = if k < 400 {
                (1.0 - k as f64 / 400.0) * (k as f64 * 0.3).sin()
            } else {
                0.0
            };
            w.write_sample((v * 20_000.0) as i16).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn tempo_is_detected_then_cached() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("audio")).unwrap();
        click_track(&dir.path().join("audio/loop.wav"), 128.0, 12.0);
        let first = detected_tempo(dir.path(), "audio/loop.wav").expect("a tempo");
        assert!((first.bpm - 128.0).abs() < 1.3, "{}", first.bpm);
        let cached = std::fs::read_to_string(dir.path().join(CACHE_FILE)).unwrap();
        assert!(cached.contains("audio/loop.wav"));
        assert_eq!(detected_tempo(dir.path(), "audio/loop.wav"), Some(first));
        assert_eq!(detected_tempo(dir.path(), "audio/missing.wav"), None);
    }
}
