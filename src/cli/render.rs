//! `tdaw render DIR [-o OUT.wav|OUT.flac] [--bit-depth 16|24|32f] [--sample-rate N]
//! [--stems [FOLDER]]`: an offline bounce through the engine's graph, with a progress bar when
//! stderr is a terminal. Without `-o` the mix goes to `DIR/renders/<project name>.wav`, under a
//! new name when that exists. Outputs that would overwrite the project's own data are refused
//! before anything is written, and Ctrl-C leaves no partial file (the engine writes temporaries
//! and renames them at the end).
//!
//! `--normalize LUFS [--ceiling DBTP]` renders a copy of the project (never saved) with the
//! registry's true-peak `limiter` appended to the master chain, and sets the master gain
//! iteratively: render, measure (`crate::analysis`), correct, until the integrated loudness is
//! within 0.2 LU of the target (at most 5 passes). The master fader comes after the master
//! chain, so the limiter's ceiling is set to the ceiling minus the fader gain: the output's
//! true peak stays under the ceiling, exactly as a limiter at the ceiling after the gain.
//! When the ceiling makes the target unreachable (the limiter cannot make it louder), or the
//! best pass is further than 0.5 LU from it, nothing is written and the command fails, naming
//! the loudness it reached.

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
    /// Reach this integrated loudness (LUFS, within 0.5 LU) with a true-peak limiter on the
    /// master; the project is not changed. Fails, writing nothing, when the ceiling makes it
    /// unreachable.
    #[arg(
        long,
        value_name = "LUFS",
        allow_negative_numbers = true,
        conflicts_with = "stems"
    )]
    pub normalize: Option<f64>,
    /// The true-peak ceiling for --normalize, dBTP.
    #[arg(
        long,
        value_name = "DBTP",
        allow_negative_numbers = true,
        requires = "normalize"
    )]
    pub ceiling: Option<f64>,
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
    if let Some(target) = args.normalize {
        let ceiling = args.ceiling.unwrap_or(DEFAULT_CEILING);
        let result = normalize(
            &project, &args.dir, &out, &opts, &control, target, ceiling, &bar,
        );
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        let n = match result {
            Ok(n) => n,
            Err(e) => return Err(interrupted(e, existed, &out)),
        };
        println!(
            "{}  {:.2} s  {} Hz  {:.1} LUFS  true peak {:.1} dBTP  (master {:+.1} dB, limiter \
             at {} dBTP, {} pass{}; rendered in {:.2} s)",
            out.display(),
            n.report.seconds,
            n.report.sample_rate,
            n.lufs,
            n.true_peak,
            n.master_db,
            crate::model::fx::fmt_num(ceiling),
            n.passes,
            if n.passes == 1 { "" } else { "es" },
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
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
        Err(EngineError::Interrupted) => {
            return Err(interrupted(
                anyhow::Error::new(EngineError::Interrupted),
                existed,
                &out,
            ))
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

/// The error for an interrupted render (naming the untouched output), or `e` itself.
fn interrupted(e: anyhow::Error, existed: bool, out: &Path) -> anyhow::Error {
    if !matches!(
        e.downcast_ref::<EngineError>(),
        Some(EngineError::Interrupted)
    ) {
        return e;
    }
    if existed {
        anyhow::anyhow!(
            "the render was interrupted; nothing was written ({} is unchanged)",
            out.display()
        )
    } else {
        anyhow::anyhow!("the render was interrupted; nothing was written")
    }
}

/// `--ceiling` when not given, dBTP.
const DEFAULT_CEILING: f64 = -1.0;
/// Most renders `--normalize` makes.
const MAX_PASSES: usize = 5;
/// A pass this close to the target ends the search, LU.
const GOOD_ENOUGH_LU: f64 = 0.2;
/// The best pass must be this close to the target to be written, LU.
const TOLERANCE_LU: f64 = 0.5;
/// Loudness targets accepted, LUFS.
const TARGET_RANGE: (f64, f64) = (-70.0, 0.0);

/// What a normalized render reached.
struct Normalized {
    report: crate::engine::RenderReport,
    lufs: f64,
    true_peak: f64,
    /// The master fader used, dB.
    master_db: f64,
    passes: usize,
}

/// One pass: the project copy with the master at `gain_db` (its automation moved by the
/// same amount) and the limiter at `ceiling - fader - margin`.
fn pass_project(
    project: &crate::model::Project,
    delta_db: f64,
    ceiling: f64,
    margin: f64,
) -> anyhow::Result<crate::model::Project> {
    use crate::model::{mixer, AutomationTarget};
    let mut p = project.clone();
    let (lo, hi) = (-144.0, 24.0);
    let gain = f64::from(p.master.gain_db) + delta_db;
    let mut loudest = gain;
    let mut out_of_range = !(lo..=hi).contains(&gain);
    p.master.gain_db = gain as f32;
    for lane in &mut p.master.automation {
        if lane.target == AutomationTarget::Gain {
            for pt in &mut lane.points {
                pt.value += delta_db;
                out_of_range |= !(lo..=hi).contains(&pt.value);
                if lane.enabled {
                    loudest = loudest.max(pt.value);
                }
            }
        }
    }
    if out_of_range {
        anyhow::bail!("the master gain would have to leave {lo} … {hi} dB");
    }
    // The fader follows the limiter: the limiter's ceiling is below the target ceiling by the
    // most the fader adds, so the output stays under it.
    let limiter_ceiling = (ceiling - loudest - margin).min(0.0);
    if limiter_ceiling < -24.0 {
        anyhow::bail!(
            "it would take more than {} dB of gain after the limiter",
            crate::model::fx::fmt_num(ceiling + 24.0 - margin)
        );
    }
    let ceiling_text = format!("{limiter_ceiling:.3}");
    let (edit, _) = mixer::add_effect(
        &p,
        mixer::Owner::Master,
        "limiter",
        &[("ceiling_dbtp".to_string(), ceiling_text)],
        None,
    )
    .map_err(anyhow::Error::msg)?;
    edit.apply(&mut p).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(p)
}

/// A hidden file beside `out` for one pass (same extension, so the same format).
fn pass_path(out: &Path, what: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "render".into());
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "wav".into());
    out.with_file_name(format!(".{stem}.{what}-{}.{ext}", std::process::id()))
}

/// Pass files still to be removed (an error, an interruption).
struct PassFiles(Vec<PathBuf>);

impl Drop for PassFiles {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Renders `project` to `out` at `target` LUFS, true peak at or under `ceiling` dBTP.
#[allow(clippy::too_many_arguments)]
fn normalize(
    project: &crate::model::Project,
    dir: &Path,
    out: &Path,
    opts: &RenderOptions,
    control: &RenderControl<'_>,
    target: f64,
    ceiling: f64,
    bar: &Option<indicatif::ProgressBar>,
) -> anyhow::Result<Normalized> {
    if !target.is_finite() || target < TARGET_RANGE.0 || target > TARGET_RANGE.1 {
        anyhow::bail!(
            "--normalize {} is outside {} … {} LUFS",
            crate::model::fx::fmt_num(target),
            TARGET_RANGE.0,
            TARGET_RANGE.1
        );
    }
    // The registry's range for the limiter's ceiling.
    let (_, ps) = crate::model::fx::kind("limiter")
        .and_then(|k| k.param("ceiling_dbtp"))
        .ok_or_else(|| anyhow::anyhow!("this build has no limiter"))?;
    ps.check(&crate::model::ParamValue::Number(ceiling))
        .map_err(|e| anyhow::anyhow!("--ceiling: {e}"))?;
    let current = pass_path(out, "pass");
    let best_path = pass_path(out, "best");
    let _files = PassFiles(vec![current.clone(), best_path.clone()]);
    let mut delta = 0.0;
    let mut margin = 0.0;
    // (delta, loudness) of each pass, for the next correction.
    let mut seen: Vec<(f64, f64)> = Vec::new();
    let mut best: Option<(f64, Normalized)> = None;
    let mut why_stopped = String::new();
    let mut made = 0;
    for pass in 1..=MAX_PASSES {
        let p = match pass_project(project, delta, ceiling, margin) {
            Ok(p) => p,
            Err(e) => {
                why_stopped = e.to_string();
                break;
            }
        };
        let report = render_to_file(&p, dir, &current, opts, control, &mut |f| {
            if let Some(b) = bar {
                b.set_position((((pass - 1) as f32 + f) / MAX_PASSES as f32 * 1000.0) as u64);
            }
        })
        .with_context(|| format!("render of {}", dir.display()))?;
        made = pass;
        let a = crate::analysis::analyze_file(&current)
            .with_context(|| format!("measuring {}", current.display()))?;
        let Some(lufs) = a.integrated_lufs else {
            anyhow::bail!("the render is silent: there is no loudness to normalize");
        };
        let tp = a.true_peak_dbtp.unwrap_or(f64::NEG_INFINITY);
        let error = target - lufs;
        let peak_ok = tp <= ceiling;
        let this = Normalized {
            report,
            lufs,
            true_peak: tp,
            master_db: f64::from(p.master.gain_db),
            passes: pass,
        };
        if peak_ok && best.as_ref().is_none_or(|(e, _)| error.abs() < e.abs()) {
            std::fs::rename(&current, &best_path)
                .with_context(|| format!("{}: could not keep the pass", best_path.display()))?;
            best = Some((error, this));
        }
        if peak_ok && error.abs() <= GOOD_ENOUGH_LU {
            break;
        }
        if !peak_ok {
            // The limiter's true-peak estimate and the meter's differ by a hair (or the
            // format's quantization added some): pull the limiter down by the excess.
            margin += tp - ceiling + 0.05;
            continue;
        }
        // The next gain: a secant step through the last two passes (the limiter flattens the
        // curve: each dB of gain adds less than a dB of loudness near the ceiling).
        let slope = match seen.last() {
            Some(&(d0, l0)) if (delta - d0).abs() > 1e-6 => {
                ((lufs - l0) / (delta - d0)).clamp(0.0, 1.0)
            }
            _ => 1.0,
        };
        if error > TOLERANCE_LU && slope < 0.05 {
            why_stopped = "the limiter is at full stretch: more gain makes it no louder".into();
            break;
        }
        seen.push((delta, lufs));
        delta += error / slope.max(0.05);
    }
    match best {
        Some((error, mut n)) if error.abs() <= TOLERANCE_LU => {
            std::fs::rename(&best_path, out)
                .with_context(|| format!("{}: could not write the render", out.display()))?;
            n.report.path = out.to_path_buf();
            n.passes = made;
            Ok(n)
        }
        best => {
            let reached = best.map_or(String::new(), |(_, n)| {
                format!(
                    "; the closest pass measured {:.1} LUFS at {:.1} dBTP",
                    n.lufs, n.true_peak
                )
            });
            let why = if why_stopped.is_empty() {
                String::new()
            } else {
                format!(" ({why_stopped})")
            };
            anyhow::bail!(
                "{} LUFS is out of reach under a {} dBTP ceiling{why}{reached}; nothing was written",
                crate::model::fx::fmt_num(target),
                crate::model::fx::fmt_num(ceiling)
            )
        }
    }
}
