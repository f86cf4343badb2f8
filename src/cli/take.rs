//! `tdaw take list DIR TRACK [--json]` and `tdaw take choose DIR TRACK CLIP [--from BEAT --to
//! BEAT]`: a track's take lanes, and choosing (or comping a range of) a take into what plays,
//! one edit through `model::takes` as the arrange view's take lanes do.

use crate::model::{mixer, takes, ClipContent, ClipId, Project, TrackId};
use crate::store::format::tidy_f64;
use anyhow::bail;
use std::path::PathBuf;

/// Arguments of `tdaw take`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Every clip of TRACK by lane (0 plays; 1, 2, … are take lanes): lane, take, clip id,
    /// start and length in beats, file.
    List {
        /// Project folder.
        dir: PathBuf,
        /// Track name or 1-based position.
        track: String,
        /// One JSON array on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Plays take clip CLIP over its whole range (or only --from … --to) instead of what lane
    /// 0 held there, which moves to a take lane; one edit.
    Choose {
        /// Project folder.
        dir: PathBuf,
        /// Track name or 1-based position.
        track: String,
        /// The take's clip id (from `tdaw take list`).
        clip: u64,
        /// Comp from this beat (with --to).
        #[arg(long, requires = "to", allow_negative_numbers = true)]
        from: Option<f64>,
        /// Comp up to this beat (with --from).
        #[arg(long, requires = "from", allow_negative_numbers = true)]
        to: Option<f64>,
    },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Cmd::List { dir, track, json } => {
            let p = crate::store::load_project(&dir)?;
            let id = mixer::resolve_track(&p, &track).map_err(anyhow::Error::msg)?;
            list(&p, id, json);
        }
        Cmd::Choose {
            dir,
            track,
            clip,
            from,
            to,
        } => {
            for (name, v) in [("--from", from), ("--to", to)] {
                if let Some(v) = v.filter(|v| !v.is_finite() || *v < 0.0) {
                    bail!("{name} {v}: a beat is a number from 0 up");
                }
            }
            let said = super::edit_project(&dir, "choose take", |p| {
                let id = mixer::resolve_track(p, &track)?;
                let t = p.track(id).ok_or("the track went away")?;
                if t.clip(ClipId(clip)).is_none() {
                    return Err(format!("track '{}' has no clip with id {clip}", t.name));
                }
                let edit = match (from, to) {
                    (Some(a), Some(b)) => takes::comp(p, ClipId(clip), a, b),
                    _ => takes::choose(p, ClipId(clip)),
                }
                .map_err(|e| e.to_string())?;
                let range = match (from, to) {
                    (Some(a), Some(b)) => format!(" from beat {} to {}", tidy_f64(a), tidy_f64(b)),
                    _ => String::new(),
                };
                Ok((
                    edit,
                    format!("clip {clip} now plays on '{}'{range}", t.name),
                ))
            })?;
            println!("{said}");
        }
    }
    Ok(())
}

fn list(p: &Project, id: TrackId, json: bool) {
    let Some(t) = p.track(id) else { return };
    let mut clips: Vec<_> = t.clips.iter().collect();
    clips.sort_by(|a, b| a.lane.cmp(&b.lane).then(a.start.total_cmp(&b.start)));
    let rows: Vec<serde_json::Value> = clips
        .iter()
        .map(|c| {
            let file = match &c.content {
                ClipContent::Audio(a) => Some(a.file.clone()),
                ClipContent::Midi(_) => None,
            };
            serde_json::json!({
                "lane": c.lane,
                "take": c.take,
                "clip": c.id.0,
                "start": tidy_f64(c.start),
                "length": tidy_f64(p.clip_end_beat(c) - c.start),
                "file": file,
            })
        })
        .collect();
    if json {
        println!("{}", serde_json::Value::Array(rows));
        return;
    }
    println!("lane  take  clip   start   length  file");
    for c in clips {
        let file = match &c.content {
            ClipContent::Audio(a) => a.file.as_str(),
            ClipContent::Midi(_) => "(MIDI)",
        };
        println!(
            "{:<5} {:<5} {:<6} {:<7} {:<7} {file}",
            c.lane,
            c.take.map_or("-".into(), |n| n.to_string()),
            c.id.0,
            tidy_f64(c.start),
            tidy_f64(p.clip_end_beat(c) - c.start),
        );
    }
}
