//! The peak cache: waveform overviews of a project's audio files in `.tdaw/peaks/`.
//!
//! A peak file holds the min/max of each block of frames (mono mix, 8-bit), enough to draw a
//! waveform at any zoom without touching the audio. A file is valid only for the source size and
//! modification time in its header; a missing, stale, truncated or corrupt file is recomputed,
//! never an error. Files are written through [`super::atomic`] (fsync'd temporary and rename,
//! as `project.toml`), so a crash leaves the old cache or the new one, never half of one. This
//! module never decides what is drawn; the UI keeps that.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

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
        let data = b.get(44..44usize.checked_add(count.checked_mul(2)?)?)?;
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

/// The size and modification time (seconds) a cache file is checked against.
pub fn source_stamp(path: &Path) -> Option<(u64, u64)> {
    let md = std::fs::metadata(path).ok()?;
    let mtime = md
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some((md.len(), mtime))
}

/// Reads the cached peaks of `rel` (a path relative to the project folder `root`), or computes
/// and caches them. Slow for a long file: call it off the UI thread.
pub fn load_or_compute(root: &Path, rel: &str) -> Result<Peaks, String> {
    load_or_compute_until(root, rel, &AtomicBool::new(false))
}

/// [`load_or_compute`] that gives up (with an error, writing nothing) once `stop` is set.
pub fn load_or_compute_until(root: &Path, rel: &str, stop: &AtomicBool) -> Result<Peaks, String> {
    let source = root.join(rel);
    let (len, mtime) = source_stamp(&source)
        .ok_or_else(|| format!("'{rel}' is missing from the project folder"))?;
    let cache = cache_path(root, rel);
    if let Some(p) = read(&cache, len, mtime) {
        return Ok(p);
    }
    let peaks = compute_file(&source, stop)?;
    // A cache that cannot be written only costs time on the next open.
    let _ = write(&cache, &peaks, len, mtime);
    Ok(peaks)
}

/// The peaks in the cache file `cache`, when it is whole and was made from a source of this
/// size and modification time (seconds since the epoch); `None` otherwise.
pub fn read(cache: &Path, source_len: u64, source_mtime: u64) -> Option<Peaks> {
    let bytes = std::fs::read(cache).ok()?;
    Peaks::from_bytes(&bytes, source_len, source_mtime)
}

/// Writes `peaks` as the cache file `cache` (creating `.tdaw/peaks/`), crash-safe.
pub fn write(
    cache: &Path,
    peaks: &Peaks,
    source_len: u64,
    source_mtime: u64,
) -> std::io::Result<()> {
    if let Some(dir) = cache.parent() {
        std::fs::create_dir_all(dir)?;
    }
    super::atomic::write_atomic(cache, &peaks.to_bytes(source_len, source_mtime))
}

/// Decodes a file (any format the codec reads) and builds its peaks.
fn compute_file(path: &Path, stop: &AtomicBool) -> Result<Peaks, String> {
    let mut r = crate::codec::AudioReader::open(path).map_err(|e| e.to_string())?;
    let (rate, ch) = (r.sample_rate(), r.channels());
    Peaks::compute(rate, ch, |buf| {
        if stop.load(Ordering::Relaxed) {
            return Err("stopped".into());
        }
        r.read(buf).map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_wav(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
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
    }

    #[test]
    fn peaks_follow_the_signal_and_survive_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        write_wav(&dir.path().join("audio/ramp.wav"));
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

    #[test]
    fn a_cache_written_and_reread_is_identical() {
        let dir = tempfile::tempdir().unwrap();
        let peaks = Peaks {
            sample_rate: 44_100,
            frames: 1000,
            per: FRAMES_PER_PEAK,
            min: vec![-127, -3, 0, -64],
            max: vec![127, 5, 0, 64],
        };
        let cache = cache_path(dir.path(), "audio/a b.wav");
        write(&cache, &peaks, 1234, 5678).unwrap();
        let bytes = std::fs::read(&cache).unwrap();
        assert_eq!(&bytes[..8], MAGIC);
        assert_eq!(bytes.len(), 44 + 2 * 4);
        assert_eq!(read(&cache, 1234, 5678), Some(peaks.clone()));
        // Made from another version of the source: not used.
        assert_eq!(read(&cache, 1235, 5678), None);
        assert_eq!(read(&cache, 1234, 5679), None);
        // No temporary is left beside it.
        let names: Vec<_> = std::fs::read_dir(cache.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_corrupt_or_truncated_cache_is_recomputed() {
        let dir = tempfile::tempdir().unwrap();
        write_wav(&dir.path().join("audio/ramp.wav"));
        let good = load_or_compute(dir.path(), "audio/ramp.wav").unwrap();
        let cache = cache_path(dir.path(), "audio/ramp.wav");
        let whole = std::fs::read(&cache).unwrap();
        let mut flipped_magic = whole.clone();
        flipped_magic[0] ^= 0xff;
        let mut huge_count = whole.clone();
        huge_count[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
        for bad in [
            whole[..whole.len() - 1].to_vec(),
            whole[..20].to_vec(),
            Vec::new(),
            flipped_magic,
            huge_count,
        ] {
            std::fs::write(&cache, &bad).unwrap();
            let again = load_or_compute(dir.path(), "audio/ramp.wav").unwrap();
            assert_eq!(again, good);
            assert_eq!(
                std::fs::read(&cache).unwrap(),
                whole,
                "the cache is rewritten"
            );
        }
    }

    #[test]
    fn a_stopped_computation_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        write_wav(&dir.path().join("audio/ramp.wav"));
        let stop = AtomicBool::new(true);
        assert!(load_or_compute_until(dir.path(), "audio/ramp.wav", &stop).is_err());
        assert!(!cache_path(dir.path(), "audio/ramp.wav").exists());
    }
}
