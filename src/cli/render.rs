//! `tdaw render DIR -o OUT.wav [--bit-depth 16|24|32f] [--sample-rate N] [--stems]`: an
//! offline bounce through the engine's graph, with a progress bar when stderr is a terminal.

use crate::engine::{render_to_wav, BitDepth, RenderOptions};
use anyhow::Context;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `tdaw render`.
#[derive(clap::Args)]
pub struct Args {
    /// Project folder.
    pub dir: PathBuf,
    /// Output WAV file.
    #[arg(short, long)]
    pub output: PathBuf,
    /// 16 (dithered), 24 or 32f (float).
    #[arg(long, default_value = "24", value_parser = parse_depth)]
    pub bit_depth: BitDepth,
    /// Output sample rate (the project's by default).
    #[arg(long)]
    pub sample_rate: Option<u32>,
    /// Also write one file per track next to the output (OUT-01-Name.wav, ...).
    #[arg(long)]
    pub stems: bool,
}

fn parse_depth(s: &str) -> Result<BitDepth, String> {
    match s {
        "16" => Ok(BitDepth::I16),
        "24" => Ok(BitDepth::I24),
        "32f" | "32" => Ok(BitDepth::F32),
        _ => Err(format!("'{s}' is not a bit depth (use 16, 24 or 32f)")),
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let project = crate::store::load_project(&args.dir)?;
    let config = crate::config::Config::load().map_err(anyhow::Error::msg)?;
    let opts = RenderOptions {
        bit_depth: args.bit_depth,
        sample_rate: args.sample_rate,
        stems: args.stems,
        soundfont: crate::engine::instrument::find_soundfont(config.soundfont.as_deref()),
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
    let started = std::time::Instant::now();
    let report = render_to_wav(&project, &args.dir, &args.output, &opts, &mut |f| {
        if let Some(b) = &bar {
            b.set_position((f * 1000.0) as u64);
        }
    })
    .with_context(|| format!("render of {}", args.dir.display()))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
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
