//! `tdaw mcp DIR [--allow-edit]`: the assistant's tools served over MCP on stdio
//! (`ai::mcp` speaks the protocol). This file is the disk side: the project is read afresh for
//! every call, so what the TUI or the shell saved meanwhile is what the client sees, and every
//! edit is one `store::transact` (write lock, merge with another writer's save, atomic save),
//! refused when `project.toml` changed since the revision the client read.

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

/// A project folder on disk, with the revisions this session has seen of it.
pub struct Disk {
    dir: PathBuf,
    revisions: Revisions,
}

impl Disk {
    pub fn new(dir: PathBuf) -> Disk {
        Disk {
            dir,
            revisions: Revisions::default(),
        }
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
        Ok((project, self.revisions.observe(fingerprint.hash)))
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
            Ok(((), committed)) => Ok(self.revisions.observe(committed.fingerprint.hash)),
            Err(Failure::Stale) => {
                let (_, current) = self.load().map_err(Refusal::Failed)?;
                Err(Refusal::Stale { expected, current })
            }
            Err(Failure::Edit(why)) => Err(Refusal::Failed(why)),
            Err(Failure::Store(e)) => Err(Refusal::Failed(e.to_string())),
        }
    }
}
