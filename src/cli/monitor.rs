//! `tdaw monitor [DIR] [--codec opus|flac|pcm] [--bitrate KBPS]`: the master bus to stdout.
//!
//! With no DIR it attaches to the tdaw session running on this box for this user (through its
//! socket) and copies the stream to stdout; with DIR it plays the project headless (the
//! configured device, or the null backend at real-time pace) and streams it itself. Stdin is
//! the back channel: `tdaw listen` reports its measured latency there, for the TUI to show.
//! When stdout closes (the listener or the SSH link went away) it ends at the next frame.

use crate::engine::monitor::{self, MonitorOptions, ServeEnd, StreamCodec};
use crate::engine::{EngineCommand, EngineConfig, EngineEvent, EngineHandle};
use anyhow::Context;
use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The stream's codec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Codec {
    Opus,
    Flac,
    Pcm,
}

/// Arguments of `tdaw monitor`.
#[derive(clap::Args)]
pub struct Args {
    /// Play this project headless (when no tdaw session runs here to attach to).
    pub dir: Option<PathBuf>,
    /// opus (default where libopus is available), flac (lossless) or pcm.
    #[arg(long, value_enum)]
    pub codec: Option<Codec>,
    /// Opus bitrate in kbit/s.
    #[arg(long, default_value_t = 128)]
    pub bitrate: u32,
    /// Write a stream any player reads (`| ffplay -`) instead of the framed stream `tdaw
    /// listen` reads: WAV, 32-bit float (pcm, the default here) or 24-bit (flac); or Ogg
    /// Opus (opus) at --bitrate.
    #[arg(long)]
    pub stdout: bool,
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// Who is listening, as the box's TUI lists them: the SSH user and client address.
fn listener_name() -> String {
    let user = login_name();
    match std::env::var("SSH_CLIENT") {
        Ok(c) => format!("{user}@{}", c.split_whitespace().next().unwrap_or("?")),
        Err(_) => format!("{user}@local"),
    }
}

/// The user's login name: `USER` or `LOGNAME` (what ssh sets), else the password entry of
/// the process's uid (a service or `env -i` has neither variable).
fn login_name() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Ok(u) = std::env::var(var) {
            if !u.trim().is_empty() {
                return u;
            }
        }
    }
    // SAFETY: getuid cannot fail; getpwuid returns null or a pointer to static storage,
    // read at once here (the CLI has no other thread calling it).
    unsafe {
        let uid = libc::getuid();
        let pw = libc::getpwuid(uid);
        if !pw.is_null() && !(*pw).pw_name.is_null() {
            return std::ffi::CStr::from_ptr((*pw).pw_name)
                .to_string_lossy()
                .into_owned();
        }
        format!("uid{uid}")
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if !(6..=510).contains(&args.bitrate) {
        anyhow::bail!("--bitrate {}: Opus takes 6 to 510 kbit/s", args.bitrate);
    }
    // `--stdout` is for players: a plain WAV stream (float unless flac, 24-bit, is asked
    // for), or Ogg Opus with `--codec opus`.
    let default = if args.stdout { Codec::Pcm } else { Codec::Opus };
    let codec = args.codec.unwrap_or(default);
    let opts = MonitorOptions {
        codec: match codec {
            Codec::Opus => StreamCodec::Opus,
            Codec::Flac => StreamCodec::Lossless,
            Codec::Pcm => StreamCodec::Pcm,
        },
        bitrate_kbps: args.bitrate,
        player: args.stdout,
    };
    // SAFETY: the handler only stores to an atomic. SIGHUP: the SSH session dropped.
    unsafe {
        for sig in [libc::SIGINT, libc::SIGHUP, libc::SIGTERM] {
            libc::signal(
                sig,
                on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }
    match args.dir {
        Some(dir) => headless(&dir, opts),
        None => attached(opts),
    }
}

/// Copies the running session's stream to stdout, and stdin (the back channel) to it.
fn attached(opts: MonitorOptions) -> anyhow::Result<()> {
    let path = monitor::socket_path();
    let conn = monitor::attach(&path, opts, &listener_name()).map_err(anyhow::Error::msg)?;
    let mut back = conn
        .try_clone()
        .context("could not attach to the session")?;
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut back);
    });
    let mut conn = conn;
    let _ = conn.set_read_timeout(Some(Duration::from_millis(200)));
    let mut out = std::io::stdout().lock();
    let mut buf = vec![0u8; 16 * 1024];
    let mut got_any = false;
    while !STOP.load(Ordering::SeqCst) {
        match conn.read(&mut buf) {
            Ok(0) => {
                anyhow::ensure!(got_any, "the tdaw session refused the listener");
                eprintln!("the tdaw session ended the stream");
                return Ok(());
            }
            Ok(n) => {
                got_any = true;
                if out.write_all(&buf[..n]).and_then(|_| out.flush()).is_err() {
                    // The listener went away; the session drops us when the socket closes.
                    return Ok(());
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::Interrupted
                ) => {}
            Err(e) => anyhow::bail!("the tdaw session's stream broke: {e}"),
        }
    }
    Ok(())
}

/// Plays `dir` and streams its master bus.
fn headless(dir: &std::path::Path, opts: MonitorOptions) -> anyhow::Result<()> {
    let project = crate::store::load_project(dir)?;
    let config = crate::config::Config::load().map_err(anyhow::Error::msg)?;
    let (codec, note) = monitor::codec_for(opts.codec, project.sample_rate);
    if let Some(n) = note {
        eprintln!("{n}");
    }
    let opts = MonitorOptions { codec, ..opts };
    let mut engine = EngineHandle::start(EngineConfig {
        device: config.audio.device,
        buffer_frames: config.audio.buffer_frames,
        soundfont: config.soundfont,
        force_null: false,
    })
    .context("could not start the audio engine")?;
    engine.load_project(&project, dir);
    let started = Instant::now();
    'wait: loop {
        for e in engine.update() {
            match e {
                EngineEvent::Loaded => break 'wait,
                EngineEvent::Error(m) => eprintln!("warning: {m}"),
                _ => {}
            }
        }
        if STOP.load(Ordering::SeqCst) {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(60) {
            anyhow::bail!("{}: the project took too long to load", dir.display());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let hub = engine.monitor_hub();
    let sub = hub.subscribe(&listener_name());
    let reporter = sub.reporter();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            match line {
                Ok(l) => reporter.report_line(&l),
                Err(_) => break,
            }
        }
    });
    engine.send(EngineCommand::Play);
    // The engine thread does the work; this one encodes and writes. Engine events (warnings)
    // are read by a small loop beside it.
    let done = &AtomicBool::new(false);
    let result = std::thread::scope(|s| {
        let serving = s.spawn(move || {
            let mut out = std::io::stdout().lock();
            let r = monitor::serve(&sub, opts, &mut out, &STOP);
            drop(sub);
            done.store(true, Ordering::SeqCst);
            r
        });
        while !done.load(Ordering::SeqCst) {
            for e in engine.update() {
                if let EngineEvent::Error(m) = e {
                    eprintln!("warning: {m}");
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        serving.join()
    });
    match result {
        Ok(Ok((ServeEnd::ListenerGone, _))) => eprintln!("the listener went away; stopped"),
        Ok(Ok((ServeEnd::EngineGone, _))) => anyhow::bail!("the audio engine stopped"),
        Ok(Ok((ServeEnd::Stopped, _))) => {}
        Ok(Err(e)) => anyhow::bail!("{e}"),
        Err(_) => anyhow::bail!("the monitor stream's thread failed"),
    }
    Ok(())
}
