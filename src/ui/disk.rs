//! What the App knows about its project on disk: the version of `project.toml` it loaded (a
//! merge's base), that file's fingerprint, this session's claim and id, and the clocks of the
//! autosave. Its own module so that the App can hold it without importing the autosave, which
//! acts on the App.

use crate::model::Project;
use crate::store::{lock, Fingerprint};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

/// This process's session id: host, pid and start time (pids are reused; hosts may share a
/// folder over the network).
pub fn session_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        format!("{}-{}-{millis}", lock::hostname(), std::process::id())
    })
}

/// What the App knows about its project on disk.
#[derive(Debug)]
pub struct Disk {
    /// The project as `project.toml` held it when last loaded or saved: a merge's base.
    pub base: Box<Project>,
    /// That file's fingerprint; `None` when it could not be read.
    pub fingerprint: Option<Fingerprint>,
    /// This session's claim on the folder (`None` in tests, or in a read-only folder).
    pub session: Option<lock::SessionLock>,
    /// The session's id: names its autosave and its claim.
    pub id: String,
    /// When the last key arrived (for the idle autosave).
    pub last_input: Instant,
    /// When `project.toml` was last looked at.
    pub last_poll: Instant,
    /// "changed on disk" was said for this fingerprint of the file.
    pub(super) told: Option<u64>,
    /// The last autosave failed: it is tried again every [`RETRY`] (its edits are not on
    /// disk), and the failure is said once, not on every try.
    pub autosave_failing: bool,
}

impl Disk {
    /// The state of a project just loaded from `dir` as `project`.
    pub fn new(dir: &Path, project: &Project, fingerprint: Option<Fingerprint>) -> Disk {
        let fingerprint = fingerprint.or_else(|| {
            Fingerprint::of_file(&dir.join(crate::store::PROJECT_FILE))
                .ok()
                .flatten()
                .map(|(f, _)| f)
        });
        Disk {
            base: Box::new(project.clone()),
            fingerprint,
            session: None,
            id: session_id().to_string(),
            last_input: Instant::now(),
            last_poll: Instant::now(),
            told: None,
            autosave_failing: false,
        }
    }
}
