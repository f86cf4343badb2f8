//! Crash-safe file replacement and the backups of earlier saves.
//!
//! A file is replaced by writing a temporary file in the same folder, fsyncing it, renaming it
//! over the old one and fsyncing the folder, so a crash or kill at any moment leaves either the
//! old or the new file on disk, never a mixture.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How many earlier versions of `project.toml` are kept in `.tdaw/backups/`.
pub const BACKUPS_KEPT: usize = 5;

/// Temporary files left by a killed process are removed after this long.
const STALE_TEMP_AGE: Duration = Duration::from_secs(60);

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Replaces `path` with `bytes` atomically (temp file, fsync, rename, fsync of the folder).
/// The new file keeps the old one's permissions.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_then(path, bytes, || Ok(()), || {})
}

/// [`write_atomic`] with two hooks: `before_rename` runs once the new version is written and
/// fsynced (an error from it stops the save), and `undo` runs when the rename itself fails
/// after `before_rename` succeeded. Backups of the old version are pushed in `before_rename`,
/// so a save that fails (a full disk) never rotates them.
pub fn write_atomic_then(
    path: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce() -> io::Result<()>,
    undo: impl FnOnce(),
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?
        .to_string_lossy()
        .into_owned();
    let temp_prefix = format!(".{name}.tmp-");
    remove_stale_temps(&dir, &temp_prefix);
    let temp = dir.join(format!(
        "{temp_prefix}{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        if let Ok(meta) = fs::metadata(path) {
            let _ = f.set_permissions(meta.permissions());
        }
        injected_failure()?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        before_rename()?;
        if let Err(e) = fs::rename(&temp, path) {
            undo();
            return Err(e);
        }
        sync_dir(&dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

thread_local! {
    static FAIL_WRITES: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Fault injection for tests: the next `n` atomic writes on this thread fail as a full disk
/// would (ENOSPC), after their temporary file was created.
#[doc(hidden)]
pub fn fail_next_writes(n: u32) {
    FAIL_WRITES.with(|c| c.set(n));
}

fn injected_failure() -> io::Result<()> {
    FAIL_WRITES.with(|c| {
        if c.get() == 0 {
            return Ok(());
        }
        c.set(c.get() - 1);
        Err(io::Error::from_raw_os_error(libc::ENOSPC))
    })
}

/// Makes a rename in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn remove_stale_temps(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for e in entries.flatten() {
        if !e.file_name().to_string_lossy().starts_with(prefix) {
            continue;
        }
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > STALE_TEMP_AGE);
        if old {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Stores `bytes` (the version about to be replaced) as the newest backup in `backups` and
/// deletes all but the newest [`BACKUPS_KEPT`].
pub fn push_backup(backups: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    // Prune first, so that a kill at any moment leaves at most BACKUPS_KEPT files.
    let mut all = list_backups(backups)?;
    while all.len() >= BACKUPS_KEPT {
        let oldest = all.remove(0);
        fs::remove_file(&oldest)?;
    }
    let path = new_backup_name(backups)?;
    write_atomic(&path, bytes)?;
    Ok(path)
}

/// Keeps the file `current` (holding `bytes`, the version about to be replaced) as the newest
/// backup: a hard link, so it costs no space when the disk is full; a copy where links are
/// not supported. Nothing is added when the newest backup already holds `bytes`. Returns the
/// new backup, for [`drop_backup`] when the save fails after all. Call it only once the new
/// version is written (from [`write_atomic_then`]'s hook): it prunes the oldest first, so that
/// a kill at any moment leaves at most [`BACKUPS_KEPT`] files.
pub fn link_backup(backups: &Path, current: &Path, bytes: &[u8]) -> io::Result<Option<PathBuf>> {
    let mut all = list_backups(backups)?;
    if let Some(newest) = all.last() {
        if fs::read(newest).is_ok_and(|b| b == bytes) {
            return Ok(None);
        }
    }
    while all.len() >= BACKUPS_KEPT {
        let oldest = all.remove(0);
        fs::remove_file(&oldest)?;
    }
    let path = new_backup_name(backups)?;
    match fs::hard_link(current, &path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(e),
        Err(_) => write_atomic(&path, bytes)?,
    }
    Ok(Some(path))
}

/// Removes a backup made for a save that then failed.
pub fn drop_backup(backup: &Path) {
    let _ = fs::remove_file(backup);
}

fn new_backup_name(backups: &Path) -> io::Result<PathBuf> {
    fs::create_dir_all(backups)?;
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    // Names sort by time; the counter separates saves within one millisecond.
    let mut n = 0u32;
    Ok(loop {
        let p = backups.join(format!("project-{millis:015}-{n:04}.toml"));
        if !p.exists() {
            break p;
        }
        n += 1;
    })
}

/// The backups in `backups`, oldest first.
pub fn list_backups(backups: &Path) -> io::Result<Vec<PathBuf>> {
    let mut all: Vec<PathBuf> = match fs::read_dir(backups) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.starts_with("project-") && n.ends_with(".toml")
                })
            })
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    all.sort();
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.toml");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn keeps_the_newest_five_backups() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path().join("backups");
        for i in 0..8 {
            push_backup(&b, format!("v{i}").as_bytes()).unwrap();
        }
        let all = list_backups(&b).unwrap();
        assert_eq!(all.len(), BACKUPS_KEPT);
        let contents: Vec<_> = all.iter().map(|p| fs::read_to_string(p).unwrap()).collect();
        assert_eq!(contents, ["v3", "v4", "v5", "v6", "v7"]);
    }
}
