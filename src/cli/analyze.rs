//! `tdaw analyze FILE [--json] [--plot]`: loudness, peaks and tempo of an audio file.

use crate::analysis::{self, Analysis};
use anyhow::Context;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `tdaw analyze`.
#[derive(clap::Args)]
pub struct Args {
    /// The audio file (wav, flac, mp3, ogg).
    pub file: PathBuf,
    /// Print one JSON object with the contract's keys instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also draw momentary and short-term loudness over time.
    #[arg(long)]
    pub plot: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let a = analysis::analyze_file(&args.file)?;
    let mut out = String::new();
    if args.json {
        out.push_str(&serde_json::to_string(&a).context("could not encode the analysis")?);
        out.push('\n');
    } else {
        out.push_str(&table(&args.file, &a));
    }
    // With --json stdout holds the JSON object and nothing else, so the chart goes to stderr.
    let chart = args.plot.then(|| {
        let (w, h) = chart_size();
        analysis::plot::loudness_chart(&a.timeline, a.integrated_lufs, w, h)
    });
    match chart {
        Some(c) if args.json => eprint!("{c}"),
        Some(c) => {
            out.push('\n');
            out.push_str(&c);
        }
        None => {}
    }
    print!("{out}");
    Ok(())
}

/// Chart size: the terminal's width when stdout is one (`COLUMNS`, else 80), 16 rows.
fn chart_size() -> (usize, usize) {
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok());
    let from_tty = if std::io::stdout().is_terminal() {
        crossterm::terminal::size().ok().map(|(w, _)| w as usize)
    } else {
        None
    };
    let width = from_env.or(from_tty).unwrap_or(80).clamp(40, 240);
    (width, 16)
}

fn table(file: &std::path::Path, a: &Analysis) -> String {
    let or_na = |v: Option<f64>, unit: &str, why: &str| match v {
        Some(v) => format!("{v:.1} {unit}"),
        None => format!("n/a ({why})"),
    };
    let silent_or_short = if a.duration_s < 0.4 {
        "shorter than 400 ms"
    } else {
        "silent"
    };
    let range_why = if a.duration_s < 3.0 {
        "shorter than 3 s"
    } else {
        "silent"
    };
    let tempo = match a.tempo {
        Some(t) => format!("{:.1} BPM (confidence {:.2})", t.bpm, t.confidence),
        None => "n/a (no steady beat found)".to_string(),
    };
    let rows = [
        ("File", file.display().to_string()),
        (
            "Duration",
            format!(
                "{} ({:.3} s)",
                analysis::plot::format_time(a.duration_s),
                a.duration_s
            ),
        ),
        (
            "Format",
            format!(
                "{} Hz, {} channel{}",
                a.sample_rate,
                a.channels,
                if a.channels == 1 { "" } else { "s" }
            ),
        ),
        (
            "Integrated",
            or_na(a.integrated_lufs, "LUFS", silent_or_short),
        ),
        (
            "Loudness range",
            or_na(a.loudness_range_lu, "LU", range_why),
        ),
        (
            "Max momentary",
            or_na(a.max_momentary_lufs, "LUFS", silent_or_short),
        ),
        (
            "Max short-term",
            or_na(a.max_short_term_lufs, "LUFS", range_why),
        ),
        ("True peak", or_na(a.true_peak_dbtp, "dBTP", "silent")),
        ("Sample peak", or_na(a.sample_peak_dbfs, "dBFS", "silent")),
        ("RMS", or_na(a.rms_dbfs, "dBFS", "silent")),
        ("Tempo", tempo),
    ];
    let mut s = String::new();
    for (k, v) in rows {
        s.push_str(&format!("{k:<15} {v}\n"));
    }
    s
}
