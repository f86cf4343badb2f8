//! `tdaw track add DIR NAME [--bus] [--midi]` and `tdaw track set DIR TRACK KEY=VALUE...`
//! (gain_db, pan, mute, solo, name, input, monitor):
//! one edit each, through `model::ops::add_track` and `model::mixer::set_track`.

use crate::model::{mixer, ops, TrackKind};
use std::path::PathBuf;

/// Arguments of `tdaw track`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// A new audio track (or a bus, or a MIDI track) at the end.
    Add {
        /// Project folder.
        dir: PathBuf,
        /// The new track's name.
        name: String,
        /// A bus: other tracks send to it (tdaw send).
        #[arg(long, conflicts_with = "midi")]
        bus: bool,
        /// A MIDI track playing the default instrument.
        #[arg(long)]
        midi: bool,
    },
    /// Set gain_db, pan (-1..1), mute, solo, name, input (an audio track's input channels:
    /// 3, 3-4, none or default) or monitor (auto, input, off); TRACK is a name, a 1-based
    /// position or `master` (gain_db only).
    Set {
        /// Project folder.
        dir: PathBuf,
        /// Track name, 1-based position, or master.
        track: String,
        /// KEY=VALUE settings, e.g. gain_db=-6 pan=0.3 mute=on name=Drums input=3-4.
        #[arg(required = true, value_name = "KEY=VALUE")]
        settings: Vec<String>,
    },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Cmd::Add {
            dir,
            name,
            bus,
            midi,
        } => {
            let kind = if bus {
                TrackKind::Bus
            } else if midi {
                TrackKind::Midi
            } else {
                TrackKind::Audio
            };
            let (pos, id) = super::edit_project(&dir, "add track", |p| {
                let edit = ops::add_track(p, p.tracks.len(), kind, Some(name.clone()), None)
                    .map_err(|e| e.to_string())?;
                Ok((edit, (p.tracks.len() + 1, p.next_track_id())))
            })?;
            let what = match kind {
                TrackKind::Bus => "bus",
                TrackKind::Midi => "MIDI track",
                TrackKind::Audio => "audio track",
            };
            println!("added {what} '{name}' as track {pos} (id {})", id.0);
        }
        Cmd::Set {
            dir,
            track,
            settings,
        } => {
            let line = super::edit_project(&dir, "track settings", |p| {
                let owner = mixer::resolve(p, &track)?;
                let pairs = mixer::split_pairs(&settings)?;
                let edit = mixer::set_track(p, owner, &pairs)?;
                let shown: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| match k.as_str() {
                        "gain_db" | "gain" => format!("{k} {} dB", v.trim_end_matches("dB").trim()),
                        _ => format!("{k} {v}"),
                    })
                    .collect();
                Ok((
                    edit,
                    format!("{}: {}", mixer::owner_name(p, owner), shown.join(", ")),
                ))
            })?;
            println!("{line}");
        }
    }
    Ok(())
}
