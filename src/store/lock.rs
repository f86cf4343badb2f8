//! Who may write a project folder, and whether `project.toml` is still the file a session
//! loaded.
//!
//! Every read-check-write of `project.toml` runs under an exclusive `flock` on `.tdaw/lock`,
//! held for milliseconds. `flock` is released by the kernel when its holder dies, so a killed
//! writer never leaves a stale lock behind. The lock file names its last holder (pid, host,
//! command, start time) for the message a waiting writer shows. A session (a TUI) also holds a
//! lock of its own, `.tdaw/session-ID.lock`, for as long as it runs: its autosave belongs to a
//! live session exactly while that lock is held, and other sessions see who else is editing.

use super::{io, StoreError};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The write lock of a project folder, relative to it.
pub const LOCK_FILE: &str = ".tdaw/lock";

/// How long a writer waits for another one before giving up with the holder's name.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// What `project.toml` was when it was loaded or saved: enough to tell, cheaply, whether
/// another writer replaced it since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    pub len: u64,
    pub mtime_ns: i128,
    pub inode: u64,
    pub device: u64,
    /// FNV-1a of the content: stable across runs, so an autosave can say which version of
    /// `project.toml` it started from.
    pub hash: u64,
}

impl Fingerprint {
    /// The fingerprint of `bytes` read from a file whose metadata is `meta`.
    pub fn new(meta: &std::fs::Metadata, bytes: &[u8]) -> Fingerprint {
        Fingerprint {
            len: meta.len(),
            mtime_ns: meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128,
            inode: meta.ino(),
            device: meta.dev(),
            hash: content_hash(bytes),
        }
    }

    /// Reads `path` and fingerprints it; `None` when it does not exist.
    pub fn of_file(path: &Path) -> std::io::Result<Option<(Fingerprint, Vec<u8>)>> {
        let mut f = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        // Metadata of the open file: the bytes and the stat describe the same inode even if
        // the name is replaced meanwhile.
        let meta = f.metadata()?;
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        f.read_to_end(&mut bytes)?;
        Ok(Some((Fingerprint::new(&meta, &bytes), bytes)))
    }

    /// Whether a stat of the file still matches (no read): what a poll on every tick uses.
    pub fn same_stat(&self, meta: &std::fs::Metadata) -> bool {
        let other = Fingerprint::new(meta, &[]);
        self.len == other.len
            && self.mtime_ns == other.mtime_ns
            && self.inode == other.inode
            && self.device == other.device
    }
}

/// 64-bit FNV-1a.
pub fn content_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// This machine's name (for lock messages and session ids).
pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates when it fits.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if r != 0 {
        return "localhost".into();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let name: String = String::from_utf8_lossy(&buf[..end])
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "localhost".into()
    } else {
        name
    }
}

/// Who holds (or last held) a lock, as written in the lock file.
fn holder_line(what: &str) -> String {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!(
        "pid={} host={} since={since} command={}\n",
        std::process::id(),
        hostname(),
        what.replace(['\n', '\r'], " ")
    )
}

/// A readable sentence from a lock file's content ("tdaw import (pid 4242 on studio, for 3 s)").
pub fn describe_holder(text: &str) -> String {
    let field = |k: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(k).map(str::to_string))
    };
    let pid = field("pid=").unwrap_or_else(|| "?".into());
    let host = field("host=").unwrap_or_else(|| "?".into());
    let command = text
        .split_once("command=")
        .map(|(_, c)| c.trim().to_string())
        .unwrap_or_else(|| "another tdaw".into());
    let age = field("since=")
        .and_then(|s| s.parse::<u64>().ok())
        .and_then(|since| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .ok()
                .map(|now| now.as_secs().saturating_sub(since))
        });
    match age {
        Some(a) => format!("{command} (pid {pid} on {host}, for {a} s)"),
        None => format!("{command} (pid {pid} on {host})"),
    }
}

fn try_flock(f: &File) -> std::io::Result<bool> {
    // SAFETY: flock on a valid, open descriptor.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EWOULDBLOCK) => Ok(false),
        Some(libc::EINTR) => Ok(false),
        _ => Err(e),
    }
}

fn open_lock_file(path: &Path) -> Result<File, StoreError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io(path))
}

fn write_holder(f: &mut File, what: &str) {
    // Best effort: the name is for messages only; the flock is the lock.
    let _ = f.set_len(0);
    let _ = f.rewind();
    let _ = f.write_all(holder_line(what).as_bytes());
}

/// The exclusive write lock of a project folder; released when dropped (or when the process
/// dies).
#[derive(Debug)]
pub struct WriteLock {
    _file: File,
}

/// Takes the write lock of `dir`, waiting up to `wait` for another writer; then fails with
/// [`StoreError::Locked`] naming the holder. `what` names this writer in that message.
pub fn lock_project(dir: &Path, what: &str, wait: Duration) -> Result<WriteLock, StoreError> {
    let path = dir.join(LOCK_FILE);
    let mut file = open_lock_file(&path)?;
    let start = Instant::now();
    loop {
        if try_flock(&file).map_err(io(&path))? {
            write_holder(&mut file, what);
            return Ok(WriteLock { _file: file });
        }
        if start.elapsed() >= wait {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            return Err(StoreError::Locked {
                path: dir.to_path_buf(),
                holder: describe_holder(&holder),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A running session's claim on its files (`.tdaw/session-ID.lock`), held until dropped.
#[derive(Debug)]
pub struct SessionLock {
    _file: File,
    pub path: PathBuf,
}

impl Drop for SessionLock {
    fn drop(&mut self) {
        // The id is this session's alone: nobody else waits for this file.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The lock file of session `id` in `dir`.
pub fn session_lock_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(".tdaw").join(format!("session-{id}.lock"))
}

/// Claims session `id` in `dir`. Fails when the folder cannot hold the file (read-only); a
/// session then runs without a claim (and without an autosave there).
pub fn claim_session(dir: &Path, id: &str, what: &str) -> Result<SessionLock, StoreError> {
    let path = session_lock_path(dir, id);
    let mut file = open_lock_file(&path)?;
    if !try_flock(&file).map_err(io(&path))? {
        return Err(StoreError::Locked {
            path: dir.to_path_buf(),
            holder: describe_holder(&std::fs::read_to_string(&path).unwrap_or_default()),
        });
    }
    write_holder(&mut file, what);
    Ok(SessionLock { _file: file, path })
}

/// Whether session `id` of `dir` is running (its lock is held by someone, this process
/// included). A missing lock file means not running.
pub fn session_alive(dir: &Path, id: &str) -> bool {
    let path = session_lock_path(dir, id);
    let Ok(file) = File::open(&path) else {
        return false;
    };
    match try_flock(&file) {
        // We got it, so nobody holds it; closing `file` releases it again.
        Ok(true) => false,
        Ok(false) => true,
        Err(_) => false,
    }
}

/// The other sessions running on `dir` (not `own_id`), described for a warning.
pub fn other_sessions(dir: &Path, own_id: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir.join(".tdaw")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(id) = name
            .strip_prefix("session-")
            .and_then(|n| n.strip_suffix(".lock"))
        else {
            continue;
        };
        if id == own_id {
            continue;
        }
        if session_alive(dir, id) {
            out.push(describe_holder(
                &std::fs::read_to_string(e.path()).unwrap_or_default(),
            ));
        } else {
            // A dead session's claim: nothing to keep it for.
            let _ = std::fs::remove_file(e.path());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_waits_then_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock_project(dir.path(), "tdaw import", LOCK_WAIT).unwrap();
        let e = lock_project(dir.path(), "tdaw demo", Duration::from_millis(60)).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("tdaw import (pid "), "{text}");
        assert!(text.contains(&std::process::id().to_string()), "{text}");
        drop(held);
        lock_project(dir.path(), "tdaw demo", Duration::ZERO).unwrap();
    }

    #[test]
    fn sessions_are_alive_while_claimed() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!session_alive(dir.path(), "a"));
        let a = claim_session(dir.path(), "a", "tdaw").unwrap();
        assert!(session_alive(dir.path(), "a"));
        assert!(claim_session(dir.path(), "a", "tdaw").is_err());
        assert_eq!(other_sessions(dir.path(), "b").len(), 1);
        assert!(other_sessions(dir.path(), "a").is_empty());
        drop(a);
        assert!(!session_alive(dir.path(), "a"));
    }

    #[test]
    fn fingerprints_see_a_replaced_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"one").unwrap();
        let (a, _) = Fingerprint::of_file(&p).unwrap().unwrap();
        assert!(a.same_stat(&std::fs::metadata(&p).unwrap()));
        super::super::atomic::write_atomic(&p, b"two").unwrap();
        let (b, bytes) = Fingerprint::of_file(&p).unwrap().unwrap();
        assert_eq!(bytes, b"two");
        assert!(!a.same_stat(&std::fs::metadata(&p).unwrap()));
        assert_ne!(a.hash, b.hash);
        assert_eq!(content_hash(b"one"), a.hash);
    }
}
