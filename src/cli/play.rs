//! `tdaw play DIR`: plays a project headless (a studio box over SSH) until Ctrl-C, printing
//! the position.

use crate::engine::{EngineCommand, EngineConfig, EngineEvent, EngineHandle};
use anyhow::Context;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Arguments of `tdaw play`.
#[derive(clap::Args)]
pub struct Args {
    /// Project folder.
    pub dir: PathBuf,
    /// Output device (see `tdaw devices`); the config's or the default otherwise.
    #[arg(long)]
    pub device: Option<String>,
    /// Buffer size in frames.
    #[arg(long)]
    pub buffer: Option<u32>,
    /// Play silently with no device (real-time pace).
    #[arg(long)]
    pub null: bool,
    /// Click on every beat.
    #[arg(long)]
    pub metronome: bool,
    /// Start at this beat.
    #[arg(long, default_value_t = 0.0)]
    pub from: f64,
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let project = crate::store::load_project(&args.dir)?;
    let config = crate::config::Config::load().map_err(anyhow::Error::msg)?;
    // SAFETY: the handler only stores to an atomic.
    // SIGHUP (the SSH session dropped) and SIGTERM stop as cleanly as Ctrl-C.
    unsafe {
        for sig in [libc::SIGINT, libc::SIGHUP, libc::SIGTERM] {
            libc::signal(
                sig,
                on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }
    let mut engine = EngineHandle::start(EngineConfig {
        device: args.device.or(config.audio.device),
        buffer_frames: args.buffer.or(config.audio.buffer_frames),
        soundfont: config.soundfont,
        force_null: args.null,
    })
    .context("could not start the audio engine")?;
    engine.load_project(&project, &args.dir);
    // Wait for the graph (files opened, instruments built) before rolling.
    let started = Instant::now();
    'wait: loop {
        for e in engine.update() {
            match e {
                EngineEvent::Loaded => break 'wait,
                EngineEvent::Error(m) => eprintln!("warning: {m}"),
                _ => {}
            }
        }
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(60) {
            anyhow::bail!("{}: the project took too long to load", args.dir.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = engine.status();
    if status.silent {
        eprintln!("no audio device — silent (playing at real-time pace)");
    } else {
        eprintln!("playing on {} at {} Hz", status.device, status.sample_rate);
    }
    if args.from > 0.0 {
        engine.send(EngineCommand::Seek { beat: args.from });
    }
    engine.send(EngineCommand::SetMetronome(args.metronome));
    engine.send(EngineCommand::Play);
    let tty = std::io::stdout().is_terminal();
    let mut out = std::io::stdout();
    let mut last_line = Instant::now() - Duration::from_secs(1);
    while !INTERRUPTED.load(Ordering::SeqCst) {
        for e in engine.update() {
            if let EngineEvent::Error(m) = e {
                eprintln!("warning: {m}");
            }
        }
        let every = if tty {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(1)
        };
        if last_line.elapsed() >= every {
            last_line = Instant::now();
            let line = position_line(&engine, &project);
            if tty {
                let _ = write!(out, "\r{line}  ");
            } else {
                let _ = writeln!(out, "{line}");
            }
            let _ = out.flush();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    engine.send(EngineCommand::Pause);
    let line = position_line(&engine, &project);
    if tty {
        let _ = writeln!(out, "\r{line}  ");
    }
    let _ = writeln!(out, "stopped at {line}");
    Ok(())
}

/// `bar 3 beat 2  0:05.250` for the playhead.
fn position_line(engine: &EngineHandle, project: &crate::model::Project) -> String {
    let s = engine.status();
    let (bar, beat, _) = project.time_signature.bars_beats(s.position_beats);
    let secs = s.position_samples as f64 / s.sample_rate.max(1) as f64;
    format!(
        "bar {bar} beat {beat}  {}:{:06.3}",
        (secs / 60.0) as u64,
        secs % 60.0
    )
}
