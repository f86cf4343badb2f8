//! The SQLite index of every project: a cache of what the project folders hold.
//!
//! It lives in the data dir (`TDAW_HOME` in tests) as `index.sqlite3`, beside `projects.txt`,
//! a plain list of every project folder ever recorded. The list is the source of truth: when
//! the database is missing, unreadable or fails `PRAGMA integrity_check`, it is moved aside
//! and rebuilt from the list (and from the presets folder), so deleting or corrupting it
//! loses no project. WAL mode and a busy timeout let several tdaw processes share it.
//! Nothing here may fail a save: callers that only want the index kept up to date use
//! [`record_best_effort`].

use crate::model::{Project, TrackKind};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use thiserror::Error;

/// The database file in the data dir.
pub const DB_FILE: &str = "index.sqlite3";
/// The list of known project folders, one per line (the source of truth for rebuilds).
pub const LIST_FILE: &str = "projects.txt";
/// Serializes rebuilds between processes.
const LOCK_FILE: &str = "index.lock";
/// Shared presets, `presets/KIND/NAME.toml`: the presets table is rebuilt from these.
const PRESET_DIR: &str = "presets";
/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Schema migrations: `SCHEMA[i]` takes `user_version` i to i + 1.
const SCHEMA: &[&str] = &[
    // 1: projects, their tracks, sessions (open/close) and shared presets.
    "CREATE TABLE projects (
         id INTEGER PRIMARY KEY,
         path NOT NULL UNIQUE,           -- TEXT, or BLOB for a non-UTF-8 path
         name TEXT NOT NULL,
         bpm REAL,
         sample_rate INTEGER,
         time_signature TEXT,
         key TEXT,
         track_count INTEGER,
         length_beats REAL,
         length_seconds REAL,
         created_ms INTEGER NOT NULL,
         saved_ms INTEGER,
         opened_ms INTEGER
     );
     CREATE TABLE tracks (
         project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
         position INTEGER NOT NULL,
         track_id INTEGER NOT NULL,
         name TEXT NOT NULL,
         kind TEXT NOT NULL,
         clips INTEGER NOT NULL,
         notes INTEGER NOT NULL,
         PRIMARY KEY (project_id, position)
     );
     CREATE TABLE sessions (
         id INTEGER PRIMARY KEY,
         project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
         started_ms INTEGER NOT NULL,
         ended_ms INTEGER
     );
     CREATE INDEX sessions_project ON sessions(project_id);
     CREATE TABLE presets (
         id INTEGER PRIMARY KEY,
         kind TEXT NOT NULL,
         name TEXT NOT NULL,
         data TEXT NOT NULL,
         saved_ms INTEGER NOT NULL,
         UNIQUE (kind, name)
     );",
    // 2: the assistant's conversation per project folder (store/chat.rs), keyed by the
    // path rather than the project row, so that refreshing a project keeps its chat.
    "CREATE TABLE chat (
         id INTEGER PRIMARY KEY,
         path NOT NULL,                  -- as projects.path
         role TEXT NOT NULL,
         text TEXT NOT NULL,
         at_ms INTEGER NOT NULL
     );
     CREATE INDEX chat_path ON chat(path, id);",
];

/// Why the index could not be used. Callers outside the CLI treat these as warnings.
#[derive(Debug, Error)]
pub enum IndexError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Sql {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{}: written by a newer tdaw (schema {found}, this build knows {known})", path.display())]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
}

/// One project as the index knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectEntry {
    /// Absolute path of the project folder.
    pub path: PathBuf,
    pub name: String,
    pub bpm: Option<f64>,
    pub sample_rate: Option<u32>,
    pub time_signature: Option<String>,
    pub key: Option<String>,
    pub tracks: Option<u32>,
    pub length_seconds: Option<f64>,
    /// Unix time in milliseconds of the last save seen (or the file's mtime after a rebuild).
    pub saved_ms: Option<i64>,
    /// Unix time in milliseconds of the last session start.
    pub opened_ms: Option<i64>,
    /// The folder no longer holds a `project.toml` (deleted, moved, or on an unmounted disk).
    pub missing: bool,
}

/// An open index.
pub struct Index {
    pub(super) conn: Connection,
    dir: PathBuf,
}

impl Index {
    /// Opens (creating, migrating or rebuilding as needed) the index in the data dir.
    pub fn open() -> Result<Index, IndexError> {
        Self::open_in(&crate::config::data_dir())
    }

    /// Opens the index kept in `data_dir`.
    pub fn open_in(data_dir: &Path) -> Result<Index, IndexError> {
        fs::create_dir_all(data_dir).map_err(|source| IndexError::Io {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let db = data_dir.join(DB_FILE);
        // A missing database is created under the rebuild lock, so that two first runs do not
        // race; a corrupt one is rebuilt; any other failure (busy, permissions) is an error and
        // leaves the file alone.
        // Opening an existing one takes the same lock shared, so that no process opens a
        // database another is still creating (its journal mode not yet switched to WAL).
        let conn = if !db.exists() {
            rebuild(data_dir)?
        } else {
            let shared = lock(data_dir, libc::LOCK_SH)?;
            let opened = open_checked(&db);
            drop(shared);
            match opened {
                Ok(c) => c,
                Err(e) if is_corruption(&e) => rebuild(data_dir)?,
                Err(e) => return Err(e),
            }
        };
        let mut index = Index {
            conn,
            dir: data_dir.to_path_buf(),
        };
        index.reconcile()?;
        Ok(index)
    }

    /// The folder holding the index.
    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    /// Records (inserts or refreshes) a project and its tracks.
    pub fn record_project(&mut self, dir: &Path, project: &Project) -> Result<(), IndexError> {
        let path = canonical(dir);
        let saved = mtime_ms(&path.join(super::PROJECT_FILE)).unwrap_or_else(now_ms);
        let db = self.db_path();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(&db))?;
        upsert_project(&tx, &path, project, saved).map_err(sql(&db))?;
        tx.commit().map_err(sql(&db))?;
        append_to_list(&self.dir, &path)
    }

    /// Every project the index knows, most recently used first.
    pub fn list_projects(&self) -> Result<Vec<ProjectEntry>, IndexError> {
        let db = self.db_path();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT path, name, bpm, sample_rate, time_signature, key, track_count,
                        length_seconds, saved_ms, opened_ms
                 FROM projects
                 ORDER BY max(coalesce(saved_ms, 0), coalesce(opened_ms, 0)) DESC, name",
            )
            .map_err(sql(&db))?;
        let rows = stmt
            .query_map([], |r| {
                let path = path_from_sql(r.get_ref(0)?);
                let missing = !path.join(super::PROJECT_FILE).is_file();
                Ok(ProjectEntry {
                    path,
                    name: r.get(1)?,
                    bpm: r.get(2)?,
                    sample_rate: r.get(3)?,
                    time_signature: r.get(4)?,
                    key: r.get(5)?,
                    tracks: r.get(6)?,
                    length_seconds: r.get(7)?,
                    saved_ms: r.get(8)?,
                    opened_ms: r.get(9)?,
                    missing,
                })
            })
            .map_err(sql(&db))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql(&db))
    }

    /// The project used most recently whose folder still holds a project.
    pub fn most_recent_project(&self) -> Option<PathBuf> {
        self.list_projects()
            .ok()?
            .into_iter()
            .find(|e| !e.missing)
            .map(|e| e.path)
    }

    /// Notes that a project was opened (in the TUI); returns the session id for
    /// [`Index::session_end`].
    pub fn session_start(&mut self, dir: &Path) -> Result<i64, IndexError> {
        let path = canonical(dir);
        let db = self.db_path();
        let now = now_ms();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(&db))?;
        let id = match project_id(&tx, &path).map_err(sql(&db))? {
            Some(id) => id,
            None => {
                let name = super::project_name_for(&path);
                tx.execute(
                    "INSERT INTO projects (path, name, created_ms) VALUES (?1, ?2, ?3)",
                    params![path_to_sql(&path), name, now],
                )
                .map_err(sql(&db))?;
                tx.last_insert_rowid()
            }
        };
        tx.execute(
            "UPDATE projects SET opened_ms = ?2 WHERE id = ?1",
            params![id, now],
        )
        .map_err(sql(&db))?;
        tx.execute(
            "INSERT INTO sessions (project_id, started_ms) VALUES (?1, ?2)",
            params![id, now],
        )
        .map_err(sql(&db))?;
        let session = tx.last_insert_rowid();
        tx.commit().map_err(sql(&db))?;
        append_to_list(&self.dir, &path)?;
        Ok(session)
    }

    /// Notes that the session `id` ended (the project was closed).
    pub fn session_end(&mut self, id: i64) -> Result<(), IndexError> {
        let db = self.db_path();
        self.conn
            .execute(
                "UPDATE sessions SET ended_ms = ?2 WHERE id = ?1 AND ended_ms IS NULL",
                params![id, now_ms()],
            )
            .map_err(sql(&db))?;
        Ok(())
    }

    /// Total time spent in finished sessions of a project, in milliseconds.
    pub fn time_spent_ms(&self, dir: &Path) -> Result<i64, IndexError> {
        let db = self.db_path();
        self.conn
            .query_row(
                "SELECT coalesce(sum(s.ended_ms - s.started_ms), 0) FROM sessions s
                 JOIN projects p ON p.id = s.project_id
                 WHERE p.path = ?1 AND s.ended_ms IS NOT NULL",
                [path_to_sql(&canonical(dir))],
                |r| r.get(0),
            )
            .map_err(sql(&db))
    }

    /// Stores a shared preset (effect or instrument settings as TOML text), both as a file
    /// `presets/KIND/NAME.toml` in the data dir (the source of truth) and in the index.
    pub fn save_preset(&mut self, kind: &str, name: &str, data: &str) -> Result<(), IndexError> {
        for (what, s) in [("kind", kind), ("name", name)] {
            if !safe_component(s) {
                return Err(IndexError::Invalid(format!(
                    "preset {what} '{s}' must be 1-100 characters without '/', '\\' or control characters, and not start with '.'"
                )));
            }
        }
        let file = self
            .dir
            .join(PRESET_DIR)
            .join(kind)
            .join(format!("{name}.toml"));
        if let Some(parent) = file.parent() {
            fs::create_dir_all(parent).map_err(|source| IndexError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        super::atomic::write_atomic(&file, data.as_bytes()).map_err(|source| IndexError::Io {
            path: file.clone(),
            source,
        })?;
        let db = self.db_path();
        upsert_preset(&self.conn, kind, name, data, now_ms()).map_err(sql(&db))?;
        Ok(())
    }

    /// Removes a shared preset: its file and its row. Returns whether there was one.
    pub fn remove_preset(&mut self, kind: &str, name: &str) -> Result<bool, IndexError> {
        if !safe_component(kind) || !safe_component(name) {
            return Ok(false);
        }
        let file = self
            .dir
            .join(PRESET_DIR)
            .join(kind)
            .join(format!("{name}.toml"));
        let had_file = match fs::remove_file(&file) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(source) => return Err(IndexError::Io { path: file, source }),
        };
        let db = self.db_path();
        let rows = self
            .conn
            .execute(
                "DELETE FROM presets WHERE kind = ?1 AND name = ?2",
                params![kind, name],
            )
            .map_err(sql(&db))?;
        Ok(had_file || rows > 0)
    }

    /// The presets of one kind: (name, data), sorted by name.
    pub fn presets(&self, kind: &str) -> Result<Vec<(String, String)>, IndexError> {
        let db = self.db_path();
        let mut stmt = self
            .conn
            .prepare("SELECT name, data FROM presets WHERE kind = ?1 ORDER BY name")
            .map_err(sql(&db))?;
        let rows = stmt
            .query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql(&db))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql(&db))
    }

    pub(super) fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }

    /// Makes the database and the list agree: folders on the list but not in the database are
    /// added (read from their project.toml when possible); rows not on the list are appended.
    fn reconcile(&mut self) -> Result<(), IndexError> {
        let listed = read_list(&self.dir)?;
        let db = self.db_path();
        let known: HashSet<PathBuf> = {
            let mut stmt = self
                .conn
                .prepare("SELECT path FROM projects")
                .map_err(sql(&db))?;
            let rows = stmt
                .query_map([], |r| Ok(path_from_sql(r.get_ref(0)?)))
                .map_err(sql(&db))?;
            rows.collect::<Result<_, _>>().map_err(sql(&db))?
        };
        let to_add: Vec<&PathBuf> = listed.iter().filter(|p| !known.contains(*p)).collect();
        if !to_add.is_empty() {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql(&db))?;
            for path in to_add {
                insert_from_folder(&tx, path).map_err(sql(&db))?;
            }
            tx.commit().map_err(sql(&db))?;
        }
        let listed: HashSet<&PathBuf> = listed.iter().collect();
        for path in &known {
            if !listed.contains(path) {
                append_to_list(&self.dir, path)?;
            }
        }
        Ok(())
    }
}

/// Records a saved or created project in the user's index; a failure is a warning line, never
/// an error, because the index is only a cache.
pub fn record_best_effort(dir: &Path, project: &Project) {
    // Unit tests of the library must not write into the developer's real data dir.
    if cfg!(test) && std::env::var_os("TDAW_HOME").is_none() {
        return;
    }
    // SQLite returns "database is locked" without waiting when waiting could deadlock (two
    // readers both upgrading); the whole open-and-record is then tried again, for as long as
    // the busy timeout would have waited.
    let started = std::time::Instant::now();
    let mut tries = 0;
    let result = loop {
        let result = Index::open().and_then(|mut i| i.record_project(dir, project));
        match result {
            Err(e) if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(10 * tries.min(10)));
            }
            other => break other,
        }
    };
    if let Err(e) = result {
        super::warn(&format!("the project index was not updated: {e}"));
    }
}

pub(super) fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> IndexError + '_ {
    move |source| IndexError::Sql {
        path: path.to_path_buf(),
        source,
    }
}

/// Whether a failure is lock contention that a retry can get past.
fn is_busy(e: &IndexError) -> bool {
    matches!(
        e,
        IndexError::Sql {
            source: rusqlite::Error::SqliteFailure(f, _),
            ..
        } if matches!(
            f.code,
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        )
    )
}

/// Whether an open failure means the file is not a healthy database (so it is rebuilt).
fn is_corruption(e: &IndexError) -> bool {
    match e {
        IndexError::Corrupt(_) => true,
        IndexError::Sql {
            source: rusqlite::Error::SqliteFailure(f, _),
            ..
        } => matches!(
            f.code,
            rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase
        ),
        _ => false,
    }
}

/// Opens the database, sets WAL and the busy timeout, checks integrity, migrates the schema.
fn open_checked(db: &Path) -> Result<Connection, IndexError> {
    let s = sql(db);
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(&s)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(&s)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(&s)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(IndexError::Invalid(format!(
            "{}: could not switch to WAL mode (got {mode})",
            db.display()
        )));
    }
    conn.pragma_update(None, "foreign_keys", true).map_err(&s)?;
    let check: String = conn
        .pragma_query_value(None, "integrity_check", |r| r.get(0))
        .map_err(&s)?;
    if check != "ok" {
        return Err(IndexError::Corrupt(format!(
            "{}: integrity check failed: {check}",
            db.display()
        )));
    }
    migrate(&conn, db)?;
    Ok(conn)
}

fn migrate(conn: &Connection, db: &Path) -> Result<(), IndexError> {
    let s = sql(db);
    let known = SCHEMA.len() as i64;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(&s)?;
    if version > known {
        return Err(IndexError::TooNew {
            path: db.to_path_buf(),
            found: version,
            known,
        });
    }
    if version == known {
        return Ok(());
    }
    // IMMEDIATE takes the write lock first, so two processes never migrate at once; the
    // version is read again inside.
    conn.execute_batch("BEGIN IMMEDIATE").map_err(&s)?;
    let result = (|| {
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (i, step) in SCHEMA.iter().enumerate().skip(version.max(0) as usize) {
            conn.execute_batch(step)?;
            conn.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        conn.execute_batch("COMMIT")
    })();
    if result.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    result.map_err(&s)
}

/// Takes the index lock file with `flock` (`LOCK_SH` or `LOCK_EX`), waiting for it; the lock
/// is released when the returned file is dropped.
fn lock(data_dir: &Path, how: libc::c_int) -> Result<File, IndexError> {
    let lock_path = data_dir.join(LOCK_FILE);
    let file = File::create(&lock_path).map_err(|source| IndexError::Io {
        path: lock_path.clone(),
        source,
    })?;
    loop {
        // SAFETY: flock on a file descriptor we own; released when `file` is dropped.
        if unsafe { libc::flock(file.as_raw_fd(), how) } == 0 {
            return Ok(file);
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(IndexError::Io {
                path: lock_path,
                source: err,
            });
        }
    }
}

/// Moves a broken database aside and builds a new one from the list of folders and the
/// presets folder. Runs under an exclusive lock so two processes do not rebuild at once.
fn rebuild(data_dir: &Path) -> Result<Connection, IndexError> {
    let db = data_dir.join(DB_FILE);
    let lock = lock(data_dir, libc::LOCK_EX)?;
    // Another process may have rebuilt it while we waited.
    if db.exists() {
        match open_checked(&db) {
            Ok(conn) => return Ok(conn),
            Err(e) if !is_corruption(&e) => return Err(e),
            Err(_) => {}
        }
        let aside = data_dir.join(format!("{DB_FILE}.broken"));
        let _ = fs::rename(&db, &aside);
    }
    // A WAL or shared-memory file without its database would be replayed into the new one.
    for suffix in ["-wal", "-shm", "-journal"] {
        let _ = fs::remove_file(data_dir.join(format!("{DB_FILE}{suffix}")));
    }
    let mut conn = open_checked(&db)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql(&db))?;
    for path in read_list(data_dir)? {
        insert_from_folder(&tx, &path).map_err(sql(&db))?;
    }
    for (kind, name, data, saved) in read_preset_files(data_dir) {
        upsert_preset(&tx, &kind, &name, &data, saved).map_err(sql(&db))?;
    }
    tx.commit().map_err(sql(&db))?;
    drop(lock);
    Ok(conn)
}

/// Adds a folder from the list: its project when readable, else a row with the folder name,
/// so a project on an unplugged disk or with a broken file is still listed.
fn insert_from_folder(conn: &Connection, path: &Path) -> rusqlite::Result<()> {
    let file = path.join(super::PROJECT_FILE);
    match super::read_project_file(path) {
        Ok(project) => {
            let saved = mtime_ms(&file).unwrap_or_else(now_ms);
            upsert_project(conn, path, &project, saved)
        }
        Err(_) => conn
            .execute(
                "INSERT OR IGNORE INTO projects (path, name, created_ms, saved_ms)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    path_to_sql(path),
                    super::project_name_for(path),
                    now_ms(),
                    mtime_ms(&file)
                ],
            )
            .map(|_| ()),
    }
}

fn upsert_project(
    conn: &Connection,
    path: &Path,
    project: &Project,
    saved_ms: i64,
) -> rusqlite::Result<()> {
    let length_beats = project.end_beat();
    conn.execute(
        "INSERT INTO projects (path, name, bpm, sample_rate, time_signature, key, track_count,
                               length_beats, length_seconds, created_ms, saved_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
         ON CONFLICT (path) DO UPDATE SET
             name = excluded.name, bpm = excluded.bpm, sample_rate = excluded.sample_rate,
             time_signature = excluded.time_signature, key = excluded.key,
             track_count = excluded.track_count, length_beats = excluded.length_beats,
             length_seconds = excluded.length_seconds, saved_ms = excluded.saved_ms",
        params![
            path_to_sql(path),
            project.name,
            project.tempo.initial_bpm(),
            project.sample_rate,
            project.time_signature.to_string(),
            project.key.map(|k| k.to_string()),
            project.tracks.len() as i64,
            length_beats,
            project.tempo.beat_to_seconds(length_beats),
            saved_ms,
        ],
    )?;
    let id = project_id(conn, path)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    conn.execute("DELETE FROM tracks WHERE project_id = ?1", [id])?;
    let mut stmt = conn.prepare(
        "INSERT INTO tracks (project_id, position, track_id, name, kind, clips, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, t) in project.tracks.iter().enumerate() {
        let notes = if t.kind == TrackKind::Midi {
            t.note_count()
        } else {
            0
        };
        stmt.execute(params![
            id,
            i as i64,
            t.id.0 as i64,
            t.name,
            t.kind.as_str(),
            t.playing_clips().count() as i64,
            notes as i64
        ])?;
    }
    Ok(())
}

fn upsert_preset(
    conn: &Connection,
    kind: &str,
    name: &str,
    data: &str,
    saved_ms: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO presets (kind, name, data, saved_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (kind, name) DO UPDATE SET data = excluded.data, saved_ms = excluded.saved_ms",
        params![kind, name, data, saved_ms],
    )
    .map(|_| ())
}

fn project_id(conn: &Connection, path: &Path) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM projects WHERE path = ?1",
        [path_to_sql(path)],
        |r| r.get(0),
    )
    .optional()
}

/// Every `presets/KIND/NAME.toml` in the data dir: (kind, name, data, mtime).
fn read_preset_files(data_dir: &Path) -> Vec<(String, String, String, i64)> {
    let mut out = Vec::new();
    let Ok(kinds) = fs::read_dir(data_dir.join(PRESET_DIR)) else {
        return out;
    };
    for kind in kinds.flatten() {
        let Ok(files) = fs::read_dir(kind.path()) else {
            continue;
        };
        let kind_name = kind.file_name().to_string_lossy().into_owned();
        for f in files.flatten() {
            let p = f.path();
            let (Some(stem), Some("toml")) = (
                p.file_stem().map(|s| s.to_string_lossy().into_owned()),
                p.extension().and_then(|e| e.to_str()),
            ) else {
                continue;
            };
            if let Ok(data) = fs::read_to_string(&p) {
                out.push((
                    kind_name.clone(),
                    stem,
                    data,
                    mtime_ms(&p).unwrap_or_else(now_ms),
                ));
            }
        }
    }
    out
}

fn safe_component(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= 100
        && !s.starts_with('.')
        && !s.chars().any(|c| c == '/' || c == '\\' || c.is_control())
}

/// Paths are stored as TEXT when they are UTF-8 (readable with the sqlite3 shell) and as a
/// BLOB of the raw bytes otherwise, so no folder name is ever mangled.
pub(super) fn path_to_sql(p: &Path) -> Value {
    match p.to_str() {
        Some(s) => Value::Text(s.to_string()),
        None => Value::Blob(p.as_os_str().as_bytes().to_vec()),
    }
}

fn path_from_sql(v: ValueRef<'_>) -> PathBuf {
    let bytes = match v {
        ValueRef::Text(b) | ValueRef::Blob(b) => b.to_vec(),
        _ => Vec::new(),
    };
    PathBuf::from(OsString::from_vec(bytes))
}

/// The folder's canonical path (symlinks resolved) when it exists, else its absolute path.
pub(super) fn canonical(dir: &Path) -> PathBuf {
    dir.canonicalize()
        .or_else(|_| std::path::absolute(dir))
        .unwrap_or_else(|_| dir.to_path_buf())
}

pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn mtime_ms(p: &Path) -> Option<i64> {
    let m = fs::metadata(p).ok()?.modified().ok()?;
    Some(m.duration_since(UNIX_EPOCH).ok()?.as_millis() as i64)
}

// ---------------------------------------------------------------------------------------
// The list file: one path per line, `\` and newline escaped, appended to with one write per
// line (O_APPEND keeps concurrent appends whole); duplicates are ignored when reading.

fn escape_path(p: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for &b in p.as_os_str().as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b => out.push(b),
        }
    }
    out
}

fn unescape_line(line: &[u8]) -> PathBuf {
    let mut out = Vec::with_capacity(line.len());
    let mut it = line.iter();
    while let Some(&b) = it.next() {
        if b == b'\\' {
            match it.next() {
                Some(b'n') => out.push(b'\n'),
                Some(&o) => out.push(o),
                None => out.push(b'\\'),
            }
        } else {
            out.push(b);
        }
    }
    PathBuf::from(OsString::from_vec(out))
}

/// The known project folders, in the order first recorded, without duplicates.
pub fn read_list(data_dir: &Path) -> Result<Vec<PathBuf>, IndexError> {
    let path = data_dir.join(LIST_FILE);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(IndexError::Io { path, source }),
    };
    let mut seen = HashSet::new();
    Ok(bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(unescape_line)
        .filter(|p| p.is_absolute() && seen.insert(p.clone()))
        .collect())
}

fn append_to_list(data_dir: &Path, path: &Path) -> Result<(), IndexError> {
    use std::io::Read;
    let list = data_dir.join(LIST_FILE);
    let io = |source| IndexError::Io {
        path: list.clone(),
        source,
    };
    let mut f = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(&list)
        .map_err(io)?;
    // The check and the append happen under a lock, so two processes recording the same
    // folder write it once.
    // SAFETY: flock on a file descriptor we own; released when `f` is dropped.
    if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(io(std::io::Error::last_os_error()));
    }
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes).map_err(io)?;
    if bytes
        .split(|&b| b == b'\n')
        .any(|l| !l.is_empty() && unescape_line(l) == path)
    {
        return Ok(());
    }
    let mut line = Vec::new();
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        // A line cut short by a crash is closed first rather than glued to ours.
        line.push(b'\n');
    }
    line.extend(escape_path(path));
    line.push(b'\n');
    f.write_all(&line).map_err(io)?;
    f.sync_data().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_escaping_round_trips() {
        let odd = PathBuf::from(OsString::from_vec(b"/a\\b\nc\xff".to_vec()));
        let line = escape_path(&odd);
        assert!(!line.contains(&b'\n'));
        assert_eq!(unescape_line(&line), odd);
    }

    #[test]
    fn records_lists_and_rebuilds() {
        let home = tempfile::tempdir().unwrap();
        let proj = tempfile::tempdir().unwrap();
        let mut p = Project::new("Idx", 44_100, 99.0);
        p.tracks.push(crate::model::Track::new(
            crate::model::TrackId(1),
            "Bass",
            TrackKind::Midi,
        ));
        super::super::write_project(proj.path(), &p).unwrap();
        {
            let mut idx = Index::open_in(home.path()).unwrap();
            idx.record_project(proj.path(), &p).unwrap();
            let s = idx.session_start(proj.path()).unwrap();
            idx.session_end(s).unwrap();
            idx.save_preset("synth", "warm pad", "preset = \"pad\"\n")
                .unwrap();
        }
        fs::remove_file(home.path().join(DB_FILE)).unwrap();
        let idx = Index::open_in(home.path()).unwrap();
        let all = idx.list_projects().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].name, "Idx");
        assert_eq!(all[0].bpm, Some(99.0));
        assert_eq!(all[0].tracks, Some(1));
        assert!(!all[0].missing);
        assert_eq!(
            idx.most_recent_project(),
            Some(proj.path().canonicalize().unwrap())
        );
        assert_eq!(
            idx.presets("synth").unwrap(),
            [("warm pad".to_string(), "preset = \"pad\"\n".to_string())]
        );
    }

    #[test]
    fn garbage_database_is_rebuilt() {
        let home = tempfile::tempdir().unwrap();
        let proj = tempfile::tempdir().unwrap();
        let p = Project::new("G", 48_000, 120.0);
        super::super::write_project(proj.path(), &p).unwrap();
        Index::open_in(home.path())
            .unwrap()
            .record_project(proj.path(), &p)
            .unwrap();
        let garbage: Vec<u8> = (0..20_000u32).map(|i| (i * 7919 % 251) as u8).collect();
        fs::write(home.path().join(DB_FILE), garbage).unwrap();
        let idx = Index::open_in(home.path()).unwrap();
        assert_eq!(idx.list_projects().unwrap()[0].name, "G");
        assert!(home.path().join(format!("{DB_FILE}.broken")).exists());
    }
}
