//! `tdaw render DIR [-o OUT.wav|OUT.flac] [--bit-depth 16|24|32f] [--sample-rate N]
//! [--stems [FOLDER]]`: an offline bounce through the engine's graph, with a progress bar when
//! stderr is a terminal. Without `-o` the mix goes to `DIR/renders/<project name>.wav`, under a
//! new name when that exists. Outputs that would overwrite the project's own data are refused
//! before anything is written, and Ctrl-C leaves no partial file (the engine writes temporaries
//! and renames them at the end).

use crate::engine::{
    render_to_file, BitDepth, EngineError, FileFormat, RenderControl, RenderOptions,
};
use anyhow::Context;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Arguments of `tdaw render`.
#[derive(clap::Args)]
pub struct Args {
    /// Project folder.
    pub dir: PathBuf,
    /// Output file: .wav or .flac (default: DIR/renders/<project name>.wav, never overwritten).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// 16 (dithered), 24 or 32f (float; WAV only).
    #[arg(long, default_value = "24", value_parser = parse_depth)]
    pub bit_depth: BitDepth,
    /// Output sample rate (the project's by default).
    #[arg(long)]
    pub sample_rate: Option<u32>,
    /// Also write one file per track (OUT-01-Name.wav, ...), into FOLDER (created when
    /// missing) or next to the output.
    #[arg(long, value_name = "FOLDER", num_args = 0..=1)]
    pub stems: Option<Option<PathBuf>>,
}

fn parse_depth(s: &str) -> Result<BitDepth, String> {
    match s {
        "16" => Ok(BitDepth::I16),
        "24" => Ok(BitDepth::I24),
        "32f" | "32" => Ok(BitDepth::F32),
        _ => Err(format!("'{s}' is not a bit depth (use 16, 24 or 32f)")),
    }
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// `DIR/renders/NAME.wav`, or `NAME-2.wav`, `NAME-3.wav`… when taken (the folder is created).
fn default_output(dir: &Path, project_name: &str) -> anyhow::Result<PathBuf> {
    let renders = dir.join("renders");
    std::fs::create_dir_all(&renders)
        .with_context(|| format!("{}: could not create the folder", renders.display()))?;
    let mut name: String = project_name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = name.trim().trim_start_matches('.').to_string();
    name = if trimmed.is_empty() {
        "render".into()
    } else {
        trimmed
    };
    let mut n = 1;
    loop {
        let file = if n == 1 {
            format!("{name}.wav")
        } else {
            format!("{name}-{n}.wav")
        };
        let path = renders.join(file);
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(path);
        }
        n += 1;
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let project = crate::store::load_project(&args.dir)?;
    let out = match &args.output {
        Some(o) => o.clone(),
        None => default_output(&args.dir, &project.name)?,
    };
    // The project's safety first: `-o project.toml` is refused as that, not as a format.
    crate::store::output::check_output(&args.dir, &project, &out)?;
    FileFormat::for_output(&out, args.bit_depth)?;
    let stems_dir = match &args.stems {
        Some(Some(folder)) => {
            crate::store::output::check_output_folder(&args.dir, &project, folder)?;
            Some(folder.clone())
        }
        _ => None,
    };
    let config = crate::config::Config::load().map_err(anyhow::Error::msg)?;
    // SAFETY: the handler only stores to an atomic. SIGINT, SIGTERM and SIGHUP stop the
    // render cleanly: the engine removes its temporaries and the old output stays.
    unsafe {
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::signal(
                sig,
                on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }
    let opts = RenderOptions {
        bit_depth: args.bit_depth,
        sample_rate: args.sample_rate,
        stems: args.stems.is_some(),
        soundfont: crate::engine::instrument::find_soundfont(config.soundfont.as_deref()),
    };
    let control = RenderControl {
        stems_dir,
        cancel: Some(&INTERRUPTED),
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(1000);
        b.set_style(
            indicatif::ProgressStyle::with_template("rendering [{bar:40}] {percent:>3}% {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        b
    });
    let existed = out.exists();
    let started = std::time::Instant::now();
    let result = render_to_file(&project, &args.dir, &out, &opts, &control, &mut |f| {
        if let Some(b) = &bar {
            b.set_position((f * 1000.0) as u64);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let report = match result {
        Ok(r) => r,
        Err(EngineError::Interrupted) if existed => anyhow::bail!(
            "the render was interrupted; nothing was written ({} is unchanged)",
            out.display()
        ),
        Err(EngineError::Interrupted) => {
            anyhow::bail!("the render was interrupted; nothing was written")
        }
        Err(e) => return Err(e).with_context(|| format!("render of {}", args.dir.display())),
    };
    let loudness = report
        .integrated_lufs
        .map_or("-".to_string(), |l| format!("{l:.1} LUFS"));
    println!(
        "{}  {:.2} s  {} Hz  peak {:.1} dBFS  {}{}  (rendered in {:.2} s)",
        report.path.display(),
        report.seconds,
        report.sample_rate,
        report.peak_dbfs,
        loudness,
        if report.clipped { "  CLIPPED" } else { "" },
        started.elapsed().as_secs_f64()
    );
    for s in &report.stems {
        println!("  stem {}", s.display());
    }
    Ok(())
}
