//! `tdaw mcp DIR [--allow-edit]`: the assistant's tools served over MCP on stdio
//! (`ai::mcp` speaks the protocol). This file is the disk side: the project is read afresh for
//! every call, so what the TUI or the shell saved meanwhile is what the client sees, and every
//! edit is one `store::transact` (write lock, merge with another writer's save, atomic save),
//! refused when `project.toml` changed since the revision the client read. The last revision
//! and the hash it names are kept in `.tdaw/mcp-revision`, so the numbering goes on across
//! server restarts.

use crate::ai::mcp::{Refusal, Revisions, Server, Workspace};
use crate::model::{Edit, History, Project};
use crate::store::{self, StoreError};
use std::path::PathBuf;

/// Arguments of `tdaw mcp`.
#[derive(clap::Args)]
pub struct Args {
    /// The project folder.
    pub dir: PathBuf,
    /// Let clients change the project (each call one undo step); read-only without it.
    #[arg(long)]
    pub allow_edit: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut workspace = Disk::new(args.dir);
    // A folder that is not a project (or holds a broken one) fails here, in one line on
    // stderr, before anything is served.
    workspace.load().map_err(anyhow::Error::msg)?;
    let mut server = Server::new(workspace, args.allow_edit);
    server
        .serve(std::io::stdin().lock(), std::io::stdout().lock())
        .map_err(|e| anyhow::anyhow!("stdio: {e}"))
}

/// Where the last revision handed out is kept, relative to the project folder: `REV HASH`.
pub const REVISION_FILE: &str = ".tdaw/mcp-revision";

/// A project folder on disk, with the revisions this session has seen of it.
pub struct Disk {
    dir: PathBuf,
    revisions: Revisions,
}

impl Disk {
    /// Goes on from the revision an earlier server kept (a missing or unreadable file starts
    /// the count again at 1).
    pub fn new(dir: PathBuf) -> Disk {
        let kept = std::fs::read_to_string(dir.join(REVISION_FILE)).ok();
        let revisions = kept
            .as_deref()
            .and_then(|text| {
                let mut parts = text.split_whitespace();
                let revision = parts.next()?.parse().ok()?;
                let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
                Some(Revisions::resume(revision, hash))
            })
            .unwrap_or_default();
        Disk { dir, revisions }
    }

    /// The revision of the file whose content hashes to `hash`, kept on disk when it is new.
    fn observe(&mut self, hash: u64) -> u64 {
        let before = self.revisions.last();
        let revision = self.revisions.observe(hash);
        if self.revisions.last() != before {
            let path = self.dir.join(REVISION_FILE);
            let text = format!("{revision} {hash:016x}\n");
            // Best effort: without it a restarted server counts from 1 again, which the
            // stale check still catches unless the numbers happen to meet.
            let written = std::fs::create_dir_all(self.dir.join(".tdaw"))
                .and_then(|()| store::atomic::write_atomic(&path, text.as_bytes()));
            if let Err(e) = written {
                store::warn(&format!("{}: {e}", path.display()));
            }
        }
        revision
    }
}

/// Why the edit inside the transaction was not made.
enum Failure {
    /// The project read inside the transaction is not the one the revision names.
    Stale,
    Edit(String),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

impl Workspace for Disk {
    fn load(&mut self) -> Result<(Project, u64), String> {
        // Missing audio files do not stop reading (the TUI opens such a project too); the
        // transaction of an edit refuses them.
        let (project, _missing, fingerprint) =
            store::load_tracked(&self.dir).map_err(|e| e.to_string())?;
        Ok((project, self.observe(fingerprint.hash)))
    }

    fn apply(&mut self, edit: Edit, label: &str, expected: u64) -> Result<u64, Refusal> {
        let (seen, current) = self.load().map_err(Refusal::Failed)?;
        if current != expected {
            return Err(Refusal::Stale { expected, current });
        }
        let result = store::transact(&self.dir, |project| {
            // Another writer may have saved between the read above and the transaction's;
            // the edit was made for `seen`, so anything else is a stale call.
            if *project != seen {
                return Err(Failure::Stale);
            }
            History::default()
                .apply(project, edit.clone(), label)
                .map_err(|e| Failure::Edit(e.to_string()))
        });
        match result {
            Ok(((), committed)) => Ok(self.observe(committed.fingerprint.hash)),
            Err(Failure::Stale) => {
                let (_, current) = self.load().map_err(Refusal::Failed)?;
                Err(Refusal::Stale { expected, current })
            }
            Err(Failure::Edit(why)) => Err(Refusal::Failed(why)),
            Err(Failure::Store(e)) => Err(Refusal::Failed(e.to_string())),
        }
    }
}
