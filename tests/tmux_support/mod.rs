//! A private tmux server for the end-to-end tests that run the real binary in a terminal: its
//! own socket (stopped when dropped, never the user's server) and one named session.
#![allow(dead_code)]

use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
    session: &'static str,
}

impl Tmux {
    /// A server on socket `socket`; every command targets the session `session`.
    pub fn new(socket: String, session: &'static str) -> Tmux {
        Tmux { socket, session }
    }

    /// Runs `tmux -L SOCKET ARGS…`.
    pub fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    /// Starts the session detached, `x` by `y`, running `sh -c script`.
    pub fn start(&self, x: u16, y: u16, script: &str) {
        let (x, y) = (x.to_string(), y.to_string());
        let started = self.cmd(&[
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            &x,
            "-y",
            &y,
            "sh",
            "-c",
            script,
        ]);
        assert!(started.status.success(), "{started:?}");
    }

    /// The pane's text.
    pub fn capture(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", self.session]).stdout)
            .into_owned()
    }

    /// The pid of the program the pane's shell runs (its only child).
    pub fn child_pid(&self) -> i32 {
        let shell = self.format("#{pane_pid}");
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
            .unwrap_or_default();
        children
            .split_whitespace()
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no child of the pane's shell {shell}"))
    }

    /// A tmux format of the pane, e.g. `#{pane_pid}`.
    pub fn format(&self, f: &str) -> String {
        String::from_utf8_lossy(
            &self
                .cmd(&["display-message", "-p", "-t", self.session, f])
                .stdout,
        )
        .trim()
        .to_string()
    }

    /// `send-keys` to the session.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session];
        args.extend_from_slice(keys);
        self.cmd(&args);
    }

    /// Waits until the pane shows `what`; returns how long it took.
    pub fn wait_for(&self, what: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if screen.contains(what) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < limit,
                "'{what}' did not appear within {limit:?}; the pane shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Only our private server (its own socket) is stopped.
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// Whether tmux is installed (the tests skip, with a note, when it is not).
pub fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}
