//! `tdaw send DIR TRACK BUS [--db N] [--pre|--post] [--remove]`: a send from TRACK to the bus
//! BUS, or new values for the one there is, or its removal; one edit, through
//! `model::mixer::set_send` / `remove_send`.

use crate::model::mixer::{self, Owner};
use std::path::PathBuf;

/// Arguments of `tdaw send`.
#[derive(clap::Args)]
pub struct Args {
    /// Project folder.
    pub dir: PathBuf,
    /// The sending track: name or 1-based position.
    pub track: String,
    /// The bus that receives: name or 1-based position.
    pub bus: String,
    /// Send level in dB (0 for a new send; unchanged otherwise).
    #[arg(long, allow_negative_numbers = true, conflicts_with = "remove")]
    pub db: Option<f32>,
    /// Pre-fader (the track's fader does not change what is sent).
    #[arg(long, conflicts_with_all = ["post", "remove"])]
    pub pre: bool,
    /// Post-fader (the default for a new send).
    #[arg(long, conflicts_with = "remove")]
    pub post: bool,
    /// Remove the send (and its automation).
    #[arg(long)]
    pub remove: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let line = super::edit_project(&args.dir, "send", |p| {
        let track = mixer::resolve_track(p, &args.track)?;
        let bus = mixer::resolve_track(p, &args.bus)?;
        let from = mixer::owner_name(p, Owner::Track(track));
        let to = mixer::owner_name(p, Owner::Track(bus));
        if args.remove {
            let edit = mixer::remove_send(p, track, bus)?;
            return Ok((edit, format!("removed the send from {from} to {to}")));
        }
        let pre = match (args.pre, args.post) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        };
        let edit = mixer::set_send(p, track, bus, args.db, pre)?;
        // The send as it will be.
        let old = p
            .track(track)
            .and_then(|t| t.sends.iter().find(|s| s.to == bus));
        let db = args.db.or(old.map(|s| s.level_db)).unwrap_or(0.0);
        let pre = pre.or(old.map(|s| s.pre_fader)).unwrap_or(false);
        Ok((
            edit,
            format!(
                "{from} → {to}: {} dB, {}-fader",
                crate::model::fx::fmt_num(f64::from(db)),
                if pre { "pre" } else { "post" }
            ),
        ))
    })?;
    println!("{line}");
    Ok(())
}
