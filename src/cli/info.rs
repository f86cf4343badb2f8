//! `tdaw info DIR [--json]`.

use std::path::PathBuf;

/// Arguments of `tdaw info`.
#[derive(clap::Args)]
pub struct Args {
    /// Project folder.
    pub dir: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let p = crate::store::load_project(&args.dir)?;
    if args.json {
        let tracks: Vec<_> = p
            .tracks
            .iter()
            .map(|t| {
                let mut o = serde_json::json!({
                    "name": t.name, "kind": t.kind.as_str(), "clips": t.clips.len(),
                });
                if t.kind == crate::model::TrackKind::Midi {
                    o["notes"] = t.note_count().into();
                }
                o
            })
            .collect();
        let v = serde_json::json!({
            "name": p.name, "bpm": p.tempo.initial_bpm(), "sample_rate": p.sample_rate,
            "tracks": tracks,
        });
        println!("{v}");
    } else {
        println!(
            "{}  {} BPM  {} Hz",
            p.name,
            p.tempo.initial_bpm(),
            p.sample_rate
        );
        for t in &p.tracks {
            println!(
                "  {:<24} {:<5} {} clips",
                t.name,
                t.kind.as_str(),
                t.clips.len()
            );
        }
    }
    Ok(())
}
