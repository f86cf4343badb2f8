//! Waveform overviews of audio files, cached in the project's `.tdaw/peaks/`.
//!
//! A peak file holds the min/max of each block of frames (mono mix, 8-bit), enough to draw a
//! waveform at any arrange zoom without touching the audio. Missing or stale files (the source
//! changed size or time) are computed on a worker thread, so opening a project never waits.

use crate::model::{ClipContent, Project};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

/// Frames summarised by one peak pair.
pub const FRAMES_PER_PEAK: u32 = 256;
const MAGIC: &[u8; 8] = b"TDAWPK01";

/// The overview of one audio file.
#[derive(Clone, Debug, PartialEq)]
pub struct Peaks {
    pub sample_rate: u32,
    pub frames: u64,
    /// Frames per (min, max) pair.
    pub per: u32,
    /// Minimum and maximum of each block, scaled to -127..=127.
    pub min: Vec<i8>,
    pub max: Vec<i8>,
}

impl Peaks {
    /// Builds peaks by reading interleaved f32 blocks from `read` until it returns 0.
    pub fn compute(
        sample_rate: u32,
        channels: u16,
        mut read: impl FnMut(&mut [f32]) -> Result<usize, String>,
    ) -> Result<Peaks, String> {
        let ch = channels.max(1) as usize;
        let mut buf = vec![0f32; 4096 * ch];
        let (mut min, mut max) = (Vec::new(), Vec::new());
        let (mut lo, mut hi, mut n) = (f32::MAX, f32::MIN, 0u32);
        let mut frames = 0u64;
        loop {
            let got = read(&mut buf)?;
            if got == 0 {
                break;
            }
            for f in buf[..got * ch].chunks_exact(ch) {
                let v = f.iter().sum::<f32>() / ch as f32;
                lo = lo.min(v);
                hi = hi.max(v);
                n += 1;
                if n == FRAMES_PER_PEAK {
                    min.push(quant(lo));
                    max.push(quant(hi));
                    (lo, hi, n) = (f32::MAX, f32::MIN, 0);
                }
            }
            frames += got as u64;
        }
        if n > 0 {
            min.push(quant(lo));
            max.push(quant(hi));
        }
        Ok(Peaks {
            sample_rate,
            frames,
            per: FRAMES_PER_PEAK,
            min,
            max,
        })
    }

    /// Duration in seconds.
    pub fn seconds(&self) -> f64 {
        self.frames as f64 / self.sample_rate.max(1) as f64
    }

    /// The (min, max) over a span of the file in seconds, as -1..1; `None` outside the file.
    pub fn range(&self, from_s: f64, to_s: f64) -> Option<(f32, f32)> {
        let per_s = self.per as f64 / self.sample_rate.max(1) as f64;
        let a = (from_s / per_s).floor().max(0.0) as usize;
        let b = ((to_s / per_s).ceil() as usize)
            .max(a + 1)
            .min(self.min.len());
        if a >= b {
            return None;
        }
        let lo = self.min[a..b].iter().copied().min()? as f32 / 127.0;
        let hi = self.max[a..b].iter().copied().max()? as f32 / 127.0;
        Some((lo, hi))
    }

    fn to_bytes(&self, source_len: u64, source_mtime: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(40 + self.min.len() * 2);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&source_len.to_le_bytes());
        out.extend_from_slice(&source_mtime.to_le_bytes());
        out.extend_from_slice(&self.sample_rate.to_le_bytes());
        out.extend_from_slice(&self.frames.to_le_bytes());
        out.extend_from_slice(&self.per.to_le_bytes());
        out.extend_from_slice(&(self.min.len() as u32).to_le_bytes());
        for (lo, hi) in self.min.iter().zip(&self.max) {
            out.push(*lo as u8);
            out.push(*hi as u8);
        }
        out
    }

    fn from_bytes(b: &[u8], source_len: u64, source_mtime: u64) -> Option<Peaks> {
        let rd8 = |i: usize| -> Option<u64> {
            Some(u64::from_le_bytes(b.get(i..i + 8)?.try_into().ok()?))
        };
        let rd4 = |i: usize| -> Option<u32> {
            Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
        };
        if b.get(..8)? != MAGIC || rd8(8)? != source_len || rd8(16)? != source_mtime {
            return None;
        }
        let sample_rate = rd4(24)?;
        let frames = rd8(28)?;
        let per = rd4(36)?;
        let count = rd4(40)? as usize;
        let data = b.get(44..44 + count * 2)?;
        let min = data.chunks_exact(2).map(|p| p[0] as i8).collect();
        let max = data.chunks_exact(2).map(|p| p[1] as i8).collect();
        Some(Peaks {
            sample_rate,
            frames,
            per: per.max(1),
            min,
            max,
        })
    }
}

fn quant(v: f32) -> i8 {
    (v.clamp(-1.0, 1.0) * 127.0).round() as i8
}

/// Where the peak file of an audio file (path relative to the project) is kept.
pub fn cache_path(root: &Path, rel: &str) -> PathBuf {
    let safe: String = rel
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    root.join(".tdaw")
        .join("peaks")
        .join(format!("{safe}.peaks"))
}

fn source_stamp(path: &Path) -> Option<(u64, u64)> {
    let md = std::fs::metadata(path).ok()?;
    let mtime = md
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some((md.len(), mtime))
}

/// Reads the cached peaks of `rel`, or computes and caches them. Runs on the worker thread.
pub fn load_or_compute(root: &Path, rel: &str) -> Result<Peaks, String> {
    let source = root.join(rel);
    let (len, mtime) = source_stamp(&source)
        .ok_or_else(|| format!("'{rel}' is missing from the project folder"))?;
    let cache = cache_path(root, rel);
    if let Ok(mut f) = std::fs::File::open(&cache) {
        let mut b = Vec::new();
        if f.read_to_end(&mut b).is_ok() {
            if let Some(p) = Peaks::from_bytes(&b, len, mtime) {
                return Ok(p);
            }
        }
    }
    let peaks = compute_file(&source)?;
    if let Some(dir) = cache.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // A cache that cannot be written only costs time on the next open.
    let tmp = cache.with_extension("peaks.tmp");
    if std::fs::write(&tmp, peaks.to_bytes(len, mtime)).is_ok() {
        let _ = std::fs::rename(&tmp, &cache);
    }
    Ok(peaks)
}

/// Decodes a file (any format the codec reads) and builds its peaks.
fn compute_file(path: &Path) -> Result<Peaks, String> {
    let mut r = crate::codec::AudioReader::open(path).map_err(|e| e.to_string())?;
    let (rate, ch) = (r.sample_rate(), r.channels());
    Peaks::compute(rate, ch, |buf| r.read(buf).map_err(|e| e.to_string()))
}

/// The peaks the arrange view can draw, and the jobs computing the others.
pub struct PeakStore {
    root: PathBuf,
    ready: HashMap<String, Arc<Peaks>>,
    failed: HashMap<String, String>,
    pending: HashSet<String>,
    tx: Sender<(String, Result<Peaks, String>)>,
    rx: Receiver<(String, Result<Peaks, String>)>,
}

impl PeakStore {
    /// An empty store for the project in `root`.
    pub fn new(root: &Path) -> PeakStore {
        let (tx, rx) = channel();
        PeakStore {
            root: root.to_path_buf(),
            ready: HashMap::new(),
            failed: HashMap::new(),
            pending: HashSet::new(),
            tx,
            rx,
        }
    }

    /// The peaks of an audio file (relative path), when ready.
    pub fn get(&self, rel: &str) -> Option<&Peaks> {
        self.ready.get(rel).map(|p| p.as_ref())
    }

    /// Starts a job for every audio file of the project that has no peaks yet. Cached files are
    /// read on the worker too, so this returns at once.
    pub fn request_all(&mut self, project: &Project) {
        let mut todo = Vec::new();
        for t in &project.tracks {
            for c in &t.clips {
                if let ClipContent::Audio(a) = &c.content {
                    let f = &a.file;
                    if !self.ready.contains_key(f)
                        && !self.pending.contains(f)
                        && !self.failed.contains_key(f)
                    {
                        self.pending.insert(f.clone());
                        todo.push(f.clone());
                    }
                }
            }
        }
        if todo.is_empty() {
            return;
        }
        let root = self.root.clone();
        let tx = self.tx.clone();
        let spawned = std::thread::Builder::new()
            .name("tdaw-peaks".into())
            .spawn(move || {
                for rel in todo {
                    let r = load_or_compute(&root, &rel);
                    if tx.send((rel, r)).is_err() {
                        break;
                    }
                }
            });
        if spawned.is_err() {
            self.pending.clear();
        }
    }

    /// Takes finished jobs; returns true when new peaks arrived (the screen must be redrawn).
    pub fn poll(&mut self) -> bool {
        let mut any = false;
        while let Ok((rel, r)) = self.rx.try_recv() {
            self.pending.remove(&rel);
            match r {
                Ok(p) => {
                    self.ready.insert(rel, Arc::new(p));
                }
                Err(e) => {
                    self.failed.insert(rel, e);
                }
            }
            any = true;
        }
        any
    }

    /// Whether jobs are still running.
    pub fn busy(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Blocks until every job is done (tests and benchmarks).
    pub fn wait(&mut self) {
        while self.busy() {
            match self.rx.recv_timeout(std::time::Duration::from_secs(10)) {
                Ok((rel, r)) => {
                    self.pending.remove(&rel);
                    match r {
                        Ok(p) => {
                            self.ready.insert(rel, Arc::new(p));
                        }
                        Err(e) => {
                            self.failed.insert(rel, e);
                        }
                    }
                }
                Err(_) => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_follow_the_signal_and_survive_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("audio")).unwrap();
        let path = dir.path().join("audio/ramp.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        // One second of silence, then one second at half scale.
        for i in 0..16000 {
            let v = if i < 8000 {
                0
            } else if i % 2 == 0 {
                16384
            } else {
                -16384
            };
            w.write_sample(v as i16).unwrap();
        }
        w.finalize().unwrap();
        let p = load_or_compute(dir.path(), "audio/ramp.wav").unwrap();
        assert_eq!(p.frames, 16000);
        assert_eq!(p.range(0.0, 0.9), Some((0.0, 0.0)));
        let (lo, hi) = p.range(1.1, 1.9).unwrap();
        assert!(
            (hi - 0.5).abs() < 0.01 && (lo + 0.5).abs() < 0.01,
            "{lo} {hi}"
        );
        assert!(cache_path(dir.path(), "audio/ramp.wav").is_file());
        let again = load_or_compute(dir.path(), "audio/ramp.wav").unwrap();
        assert_eq!(again, p);
    }
}
