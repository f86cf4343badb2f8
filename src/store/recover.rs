//! Recordings a crash left behind. The recording's disk thread keeps a marker in
//! `.tdaw/recording/NAME.wav` (holding its process id) while it writes `audio/NAME.wav`, and
//! rewrites the WAV header about once a second. When the process dies (a crash, `kill -9`,
//! power), the marker stays and the header may count less audio than the file holds. The
//! next open of the project ([`recover_recordings`], called by the load functions) sets the
//! header's sizes from the file's length, so everything on disk up to the last whole frame
//! is readable, removes the marker and warns once, naming the file. Markers of a process that
//! is still running (a recording in progress) are left alone.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Where markers live, relative to the project folder (the disk writer's `MARKER_DIR`).
pub const MARKER_DIR: &str = ".tdaw/recording";

/// One recording repaired.
#[derive(Clone, Debug, PartialEq)]
pub struct Recovered {
    /// Relative to the project folder (`audio/…`).
    pub file: String,
    /// Seconds of audio the file now holds.
    pub seconds: f64,
}

/// Repairs every recording a dead process left in `dir` and warns about each
/// (`store::warn`). Best effort: a file that cannot be repaired is named in the warning and
/// its marker kept for the next try.
pub fn recover_recordings(dir: &Path) -> Vec<Recovered> {
    let markers = dir.join(MARKER_DIR);
    let Ok(entries) = std::fs::read_dir(&markers) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".wav") || name.contains(['/', '\\']) {
            continue;
        }
        let marker = entry.path();
        let pid = std::fs::read_to_string(&marker)
            .ok()
            .and_then(|t| t.lines().next().and_then(|l| l.trim().parse::<i32>().ok()));
        if pid.is_some_and(alive) {
            continue;
        }
        let rel = format!("audio/{name}");
        let path = dir.join(&rel);
        if !path.exists() {
            let _ = std::fs::remove_file(&marker);
            continue;
        }
        match repair_wav_header(&path) {
            Ok(seconds) => {
                let _ = std::fs::remove_file(&marker);
                super::warn(&format!(
                    "{}: recovered the recording '{rel}' ({seconds:.1} s) an interrupted session \
                     left; its clip may not be in the project: `tdaw import` puts it on a track",
                    dir.display()
                ));
                out.push(Recovered { file: rel, seconds });
            }
            Err(e) => super::warn(&format!(
                "{}: could not recover the recording '{rel}': {e}",
                path.display()
            )),
        }
    }
    out
}

/// True when process `pid` is running (signal 0 checks without sending anything).
fn alive(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only checks that the process exists.
    pid > 0 && unsafe { libc::kill(pid, 0) } == 0
}

/// Sets a WAV file's RIFF and `data` sizes from its length (whole frames only) and returns
/// the seconds it holds. The chunks before `data` (`fmt `, and any others) are walked as
/// written; the `data` chunk is taken to run to the end of the file.
pub fn repair_wav_header(path: &Path) -> Result<f64, String> {
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| e.to_string())?;
    let len = f.metadata().map_err(|e| e.to_string())?.len();
    let mut head = [0u8; 12];
    f.read_exact(&mut head)
        .map_err(|_| "too short to be a WAV file".to_string())?;
    if &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return Err("not a WAV file".into());
    }
    let mut pos = 12u64;
    let mut block_align = 0u64;
    let mut byte_rate = 0u64;
    loop {
        let mut ch = [0u8; 8];
        f.seek(SeekFrom::Start(pos)).map_err(|e| e.to_string())?;
        f.read_exact(&mut ch)
            .map_err(|_| "no data chunk (nothing was recorded)".to_string())?;
        let size = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]) as u64;
        match &ch[0..4] {
            b"fmt " => {
                let mut fmt = [0u8; 16];
                f.read_exact(&mut fmt)
                    .map_err(|_| "its format chunk is cut short".to_string())?;
                byte_rate = u32::from_le_bytes([fmt[8], fmt[9], fmt[10], fmt[11]]) as u64;
                block_align = u16::from_le_bytes([fmt[12], fmt[13]]) as u64;
            }
            b"data" => {
                if block_align == 0 || byte_rate == 0 {
                    return Err("no usable format chunk before the data".into());
                }
                let start = pos + 8;
                let avail = len.saturating_sub(start);
                let data = (avail / block_align * block_align).min(u32::MAX as u64 - 64);
                f.seek(SeekFrom::Start(pos + 4))
                    .map_err(|e| e.to_string())?;
                f.write_all(&(data as u32).to_le_bytes())
                    .map_err(|e| e.to_string())?;
                // A partial last frame goes: the file ends where the data says.
                f.set_len(start + data).map_err(|e| e.to_string())?;
                let riff = (start + data - 8) as u32;
                f.seek(SeekFrom::Start(4)).map_err(|e| e.to_string())?;
                f.write_all(&riff.to_le_bytes())
                    .map_err(|e| e.to_string())?;
                f.sync_all().map_err(|e| e.to_string())?;
                return Ok(data as f64 / byte_rate as f64);
            }
            _ => {}
        }
        pos += 8 + size + (size & 1);
        if pos >= len {
            return Err("no data chunk (nothing was recorded)".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 24-bit stereo WAV whose header says `declared` data bytes while `actual` follow.
    fn wav(declared: u32, actual: usize) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 48_000,
            bits_per_sample: 24,
            sample_format: hound::SampleFormat::Int,
        };
        let mut cur = std::io::Cursor::new(Vec::new());
        {
            let w = hound::WavWriter::new(&mut cur, spec).unwrap();
            w.finalize().unwrap();
        }
        let mut bytes = cur.into_inner();
        let data_at = bytes.len() - 4;
        bytes[data_at..].copy_from_slice(&declared.to_le_bytes());
        bytes.extend((0..actual).map(|i| (i % 251) as u8));
        bytes
    }

    #[test]
    fn a_short_header_is_set_from_the_file_length() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.wav");
        // 1000 whole frames of 6 bytes and 4 bytes of a frame cut off by the kill.
        std::fs::write(&p, wav(600, 6004)).unwrap();
        let s = repair_wav_header(&p).unwrap();
        assert!((s - 1000.0 / 48_000.0).abs() < 1e-9);
        let r = hound::WavReader::open(&p).unwrap();
        assert_eq!(r.duration(), 1000);
        assert_eq!(r.spec().bits_per_sample, 24);
    }

    #[test]
    fn a_marker_of_a_dead_process_is_repaired_and_removed_a_live_one_is_not() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("audio")).unwrap();
        std::fs::create_dir_all(d.path().join(MARKER_DIR)).unwrap();
        std::fs::write(d.path().join("audio/a.wav"), wav(0, 600)).unwrap();
        std::fs::write(d.path().join("audio/b.wav"), wav(0, 600)).unwrap();
        // No process has pid 2^22 + 1 (above Linux's pid_max default range in practice).
        std::fs::write(d.path().join(MARKER_DIR).join("a.wav"), "4194305\n").unwrap();
        let me = std::process::id();
        std::fs::write(d.path().join(MARKER_DIR).join("b.wav"), format!("{me}\n")).unwrap();
        let got = recover_recordings(d.path());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].file, "audio/a.wav");
        assert!(!d.path().join(MARKER_DIR).join("a.wav").exists());
        assert!(d.path().join(MARKER_DIR).join("b.wav").exists());
        assert_eq!(
            hound::WavReader::open(d.path().join("audio/a.wav"))
                .unwrap()
                .duration(),
            100
        );
    }
}
