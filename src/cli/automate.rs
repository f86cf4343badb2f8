//! `tdaw automate DIR TRACK TARGET BEAT=VALUE[~CURVE]...` (`--remove BEAT...`, `--clear`):
//! points on an automation lane, one edit, through `model::mixer::set_points` /
//! `remove_points` / `replace_lane`. TARGET: `gain` (dB), `pan`, `send:BUS` (dB),
//! `fx:FX:PARAM` (in the parameter's unit). `~CURVE` (-1 … 1) bends the segment from that
//! point to the next: positive moves late, negative early.

use crate::model::fx;
use crate::model::mixer::{self, Owner};
use crate::model::{AutomationPoint, AutomationTarget, Project};
use std::path::PathBuf;

/// Arguments of `tdaw automate`.
#[derive(clap::Args)]
pub struct Args {
    /// Project folder.
    pub dir: PathBuf,
    /// Track name, 1-based position, or master.
    pub track: String,
    /// gain, pan, send:BUS or fx:FX:PARAM.
    pub target: String,
    /// BEAT=VALUE points (BEAT=VALUE~CURVE for a curved segment); with --remove, BEATs.
    #[arg(value_name = "BEAT=VALUE")]
    pub points: Vec<String>,
    /// Delete the points at the BEATs given.
    #[arg(long, conflicts_with = "clear")]
    pub remove: bool,
    /// Remove the whole lane.
    #[arg(long)]
    pub clear: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let line = super::edit_project(&args.dir, "automation", |p| {
        let o = mixer::resolve(p, &args.track)?;
        let who = mixer::owner_name(p, o);
        if args.clear {
            if !args.points.is_empty() {
                return Err("--clear removes the whole lane: give no points".into());
            }
            // The lane of a target that no longer parses (its effect gone) cannot exist:
            // removing an effect or a send removes its lanes.
            let target = mixer::parse_target(p, o, &args.target)?;
            let name = mixer::target_text(p, &target);
            if !mixer::lanes(p, o)?.iter().any(|l| l.target == target) {
                return Err(format!("{who} has no {name} lane"));
            }
            let edit = mixer::replace_lane(p, o, &target, Vec::new())?;
            return Ok((edit, format!("{who}: removed the {name} lane")));
        }
        let target = mixer::parse_target(p, o, &args.target)?;
        let name = mixer::target_text(p, &target);
        if args.points.is_empty() {
            return Err(if args.remove {
                "give the BEATs of the points to remove".into()
            } else {
                "give points as BEAT=VALUE, e.g. 0=-6 4=0".into()
            });
        }
        if args.remove {
            let beats = args
                .points
                .iter()
                .map(|b| parse_beat(b))
                .collect::<Result<Vec<f64>, String>>()?;
            let edit = mixer::remove_points(p, o, &target, &beats, 1e-6)?;
            let before = lane_points(p, o, &target).len();
            let left = points_after_removal(p, o, &target, &beats);
            let removed = before - left;
            return Ok((
                edit,
                format!(
                    "{who}: {name}: removed {removed} point{}, {left} left",
                    plural(removed)
                ),
            ));
        }
        let points = args
            .points
            .iter()
            .map(|w| parse_point(p, o, &target, w))
            .collect::<Result<Vec<_>, String>>()?;
        let edit = mixer::set_points(p, o, &target, &points)?;
        let total = lane_len_after(p, o, &target, &points);
        Ok((
            edit,
            format!(
                "{who}: {name}: set {} point{}, the lane has {total}",
                points.len(),
                plural(points.len())
            ),
        ))
    })?;
    println!("{line}");
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn parse_beat(text: &str) -> Result<f64, String> {
    let t = text.trim();
    t.parse::<f64>()
        .ok()
        .filter(|b| b.is_finite() && *b >= 0.0)
        .ok_or_else(|| format!("'{t}' is not a beat (a number, 0 or later)"))
}

/// `BEAT=VALUE` or `BEAT=VALUE~CURVE`, the value in the target's unit (an effect parameter's
/// value is read by the registry: `-12 dB`, `800`, `on`).
fn parse_point(
    p: &Project,
    o: Owner,
    target: &AutomationTarget,
    word: &str,
) -> Result<AutomationPoint, String> {
    let (beat, rest) = word
        .split_once('=')
        .ok_or_else(|| format!("'{word}' is not a point: give BEAT=VALUE, e.g. 4=-6"))?;
    let beat = parse_beat(beat)?;
    let (value, curve) = match rest.split_once('~') {
        Some((v, c)) => {
            let c: f64 = c
                .trim()
                .parse()
                .ok()
                .filter(|c: &f64| c.is_finite())
                .ok_or_else(|| format!("curve '{}' must be a number -1 … 1", c.trim()))?;
            (v.trim(), c)
        }
        None => (rest.trim(), 0.0),
    };
    let value = match target {
        AutomationTarget::Fx(id, param) => {
            let e = mixer::chain(p, o)?
                .iter()
                .find(|e| e.id == *id)
                .ok_or("no such effect")?;
            let (_, ps) = fx::kind(&e.kind)
                .and_then(|k| k.param(param))
                .ok_or("no such parameter")?;
            let v = ps.parse(value)?;
            ps.number(&v).ok_or("not a number")?
        }
        _ => {
            let unit = if matches!(target, AutomationTarget::Pan) {
                ""
            } else {
                "dB"
            };
            value
                .trim_end_matches("dB")
                .trim_end_matches("db")
                .trim()
                .parse::<f64>()
                .map_err(|_| {
                    let (lo, hi, _) = mixer::target_range(p, o, target);
                    format!(
                        "{} value '{value}' must be a number {} … {}{}",
                        mixer::target_text(p, target),
                        fx::fmt_num(lo),
                        fx::fmt_num(hi),
                        if unit.is_empty() {
                            String::new()
                        } else {
                            format!(" {unit}")
                        }
                    )
                })?
        }
    };
    Ok(AutomationPoint { beat, value, curve })
}

fn lane_points(p: &Project, o: Owner, target: &AutomationTarget) -> Vec<f64> {
    mixer::lanes(p, o)
        .ok()
        .and_then(|l| l.iter().find(|l| &l.target == target))
        .map(|l| l.points.iter().map(|q| q.beat).collect())
        .unwrap_or_default()
}

fn lane_len_after(
    p: &Project,
    o: Owner,
    target: &AutomationTarget,
    new: &[AutomationPoint],
) -> usize {
    let mut beats = lane_points(p, o, target);
    for pt in new {
        beats.retain(|b| (b - pt.beat).abs() > 1e-9);
        beats.push(pt.beat);
    }
    beats.len()
}

fn points_after_removal(p: &Project, o: Owner, target: &AutomationTarget, gone: &[f64]) -> usize {
    lane_points(p, o, target)
        .iter()
        .filter(|b| !gone.iter().any(|g| (*b - g).abs() <= 1e-6))
        .count()
}
