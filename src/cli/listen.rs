//! `tdaw listen [USER@]HOST [DIR] [--command CMD] [--to FILE.wav] [--seconds N]`: hear the
//! studio box here. Runs `ssh -T HOST tdaw monitor [DIR]` (or CMD through `sh -c`), plays the
//! stream through the engine's listening side, and sends the measured latency back on the
//! command's stdin. Ctrl-C ends it cleanly (the command is killed); the command dying ends it
//! with one line saying so.

use crate::engine::listen::{self, CpalOutput, ListenEnd, ListenOptions, Output, PacedOutput};
use anyhow::Context;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

/// Arguments of `tdaw listen`.
#[derive(clap::Args)]
pub struct Args {
    /// The studio box, as ssh takes it.
    pub host: String,
    /// A project on the box to play headless (when no tdaw session runs there).
    pub dir: Option<String>,
    /// Run this command instead of `ssh HOST tdaw monitor …` (its stdout is the stream).
    #[arg(long)]
    pub command: Option<String>,
    /// Write what would be played to this WAV file instead of playing it.
    #[arg(long)]
    pub to: Option<PathBuf>,
    /// Stop after this many seconds.
    #[arg(long)]
    pub seconds: Option<f64>,
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// A word quoted for the remote shell ssh hands its command to.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Kills the command when the session ends, however it ends.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if let Some(s) = args.seconds {
        anyhow::ensure!(
            s.is_finite() && s > 0.0,
            "--seconds {s}: give a positive number of seconds"
        );
    }
    let (mut cmd, shown) = match &args.command {
        Some(c) => {
            let mut cmd = Command::new("sh");
            cmd.arg("-c").arg(c);
            (cmd, c.clone())
        }
        None => {
            let mut remote = String::from("tdaw monitor");
            if let Some(d) = &args.dir {
                remote.push(' ');
                remote.push_str(&sh_quote(d));
            }
            let mut cmd = Command::new("ssh");
            cmd.arg("-T").arg(&args.host).arg(&remote);
            (cmd, format!("ssh -T {} {remote}", args.host))
        }
    };
    // The same process group: ssh may need the terminal for a password or a host key, and
    // Ctrl-C reaches it too (we kill it anyway when we end).
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let child = cmd
        .spawn()
        .with_context(|| format!("could not run `{shown}`"))?;
    let mut child = ChildGuard(child);
    let stdout = child.0.stdout.take().context("the command has no stdout")?;
    let back = child.0.stdin.take();
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::signal(
                sig,
                on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }
    let to = args.to.clone();
    let mut device_note = None;
    let opts = ListenOptions {
        seconds: args.seconds,
        stop: &STOP,
        output: Box::new(|h| -> Result<Box<dyn Output>, String> {
            if let Some(path) = &to {
                return Ok(Box::new(PacedOutput::new(Some(path), h)?));
            }
            let config = crate::config::Config::load().unwrap_or_default();
            match CpalOutput::open(config.audio.device.as_deref(), h) {
                Ok(o) => {
                    device_note = Some(format!("playing on {}", o.device));
                    Ok(Box::new(o))
                }
                Err(e) => {
                    device_note = Some(format!("no audio device ({e}); listening silently"));
                    Ok(Box::new(PacedOutput::new(None, h)?))
                }
            }
        }),
        back: back.map(|b| Box::new(b) as Box<dyn std::io::Write + Send>),
    };
    let result = listen::listen(stdout, opts);
    if let Some(n) = device_note {
        eprintln!("{n}");
    }
    let report = match result {
        Ok(r) => r,
        Err(e) => anyhow::bail!("`{shown}`: {e}"),
    };
    if let Some(h) = report.header {
        let s = report.stats;
        let rate = h.rate as f64;
        eprintln!(
            "played {:.2} s ({}, {} Hz): latency {}, jitter target {:.0} ms, {} underruns, \
             {} skips ({:.0} ms dropped), {} frames never sent, drift {}",
            report.played as f64 / rate,
            h.codec.name(),
            h.rate,
            report
                .latency_ms
                .map(|l| format!("{l:.1} ms"))
                .unwrap_or_else(|| "unknown".into()),
            s.target_frames as f64 * 1000.0 / rate,
            s.underruns,
            s.skips,
            s.skipped_frames as f64 * 1000.0 / rate,
            s.gaps,
            report
                .drift_ratio
                .map(|r| format!("corrected (ratio {r:.5})"))
                .unwrap_or_else(|| "none".into()),
        );
    }
    // Ctrl-C also reaches the command, whose end may be seen first.
    if STOP.load(Ordering::SeqCst) {
        return Ok(());
    }
    match report.end {
        ListenEnd::Done | ListenEnd::Interrupted => Ok(()),
        ListenEnd::StreamEnded => {
            // Give the command a moment to be reaped so its status can be named.
            let mut status = None;
            for _ in 0..50 {
                if let Ok(Some(s)) = child.0.try_wait() {
                    status = Some(s);
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            match (report.header, status) {
                (None, Some(s)) => {
                    anyhow::bail!("`{shown}` sent no stream and exited ({s})")
                }
                (None, None) => anyhow::bail!("`{shown}` sent no stream"),
                (Some(_), Some(s)) => anyhow::bail!("the stream ended: `{shown}` exited ({s})"),
                (Some(_), None) => anyhow::bail!("the stream ended: `{shown}` closed its output"),
            }
        }
    }
}
