//! The shell tests' harness: a temp folder with `TDAW_HOME` inside it and a project folder
//! `song`, the real `tdaw` binary run in it, and the checks every editing command shares
//! (success with nothing on stderr; a refusal in one `error:` line leaving project.toml
//! byte-identical).
#![allow(dead_code)]

use std::fs;
use std::path::PathBuf;
use std::process::Command;
use tdaw::model::Project;

pub struct Env {
    pub tmp: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    /// The project folder (`song` in the temp folder).
    pub fn dir(&self) -> PathBuf {
        self.tmp.path().join("song")
    }

    /// [`Env::dir`] as a string, for arguments.
    pub fn d(&self) -> String {
        self.dir().to_string_lossy().into_owned()
    }

    /// `tdaw ARGS` with this environment's `TDAW_HOME`, not yet run.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tdaw"));
        c.env("TDAW_HOME", self.tmp.path().join("home"))
            .env_remove("RUST_BACKTRACE")
            .args(args);
        c
    }

    /// Runs tdaw; (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs tdaw and expects success with nothing on stderr; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "tdaw {args:?} failed: {err}");
        assert!(err.is_empty(), "tdaw {args:?} wrote to stderr: {err}");
        out
    }

    /// Expects a refusal: one `error:` line containing `needle`, no panic, the project file
    /// untouched.
    pub fn refused(&self, args: &[&str], needle: &str) {
        let before = self.bytes();
        let (code, out, err) = self.run(args);
        assert_ne!(code, 0, "tdaw {args:?} succeeded: {out}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.starts_with("error:"), "{err}");
        assert!(err.contains(needle), "{err} does not name {needle}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(self.bytes(), before, "project.toml changed by {args:?}");
    }

    pub fn project(&self) -> Project {
        tdaw::store::load_project(&self.dir()).unwrap()
    }

    pub fn bytes(&self) -> Vec<u8> {
        fs::read(self.dir().join("project.toml")).unwrap()
    }
}
