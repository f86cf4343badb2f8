//! `tdaw midi chords DIR TRACK PROGRESSION …`: a new clip at BEAT holding the chords, one every
//! `--beats` beats; one edit. The theory is `crate::midi::theory`.

use crate::midi::progression::{parse_progression, progression_clip, Options, Pattern};
use crate::midi::theory::{Scale, Voicing};
use crate::model::{mixer::resolve_track, Edit};
use std::path::PathBuf;

/// Arguments of `tdaw midi chords`.
#[derive(clap::Args)]
pub struct Args {
    /// Project folder.
    pub dir: PathBuf,
    /// The MIDI track: name or 1-based position.
    pub track: String,
    /// Chord symbols ("Am F C G") or roman numerals in KEY ("i VI III VII").
    pub progression: String,
    /// The key of roman numerals (default: the project's key).
    #[arg(long)]
    pub key: Option<String>,
    /// Where the clip starts, in beats.
    #[arg(long, default_value_t = 0.0)]
    pub at: f64,
    /// Beats per chord.
    #[arg(long, default_value_t = 4.0)]
    pub beats: f64,
    /// close, open or drop2.
    #[arg(long, default_value = "close")]
    pub voicing: String,
    /// whole (one hit per chord), halves, or pulses (one per beat).
    #[arg(long, default_value = "whole")]
    pub rhythm: String,
    /// Strum: each note of a chord this many ms after the one below it.
    #[arg(long, default_value_t = 0.0)]
    pub strum: f64,
    /// Keep every chord in the voicing as written instead of leading voices smoothly.
    #[arg(long)]
    pub no_voice_leading: bool,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    // Everything that needs no project is checked before the project is touched.
    let voicing = Voicing::parse(&a.voicing)?;
    let pattern = Pattern::parse(&a.rhythm)?;
    let key = a.key.as_deref().map(Scale::parse).transpose()?;
    if !(a.strum.is_finite() && a.strum >= 0.0) {
        anyhow::bail!(
            "--strum {} is not a number of milliseconds at or above 0",
            a.strum
        );
    }
    let line = super::edit_project(&a.dir, "chords", |p| {
        let track = resolve_track(p, &a.track)?;
        let key = key.or_else(|| p.key.as_ref().map(Scale::from_key));
        let chords = parse_progression(&a.progression, key.as_ref()).map_err(|e| e.to_string())?;
        let beats_per_ms = p.tempo.bpm_at(a.at.max(0.0)) / 60_000.0;
        let opts = Options {
            beats: a.beats,
            pattern,
            strum: a.strum * beats_per_ms,
            voicing,
            voice_lead: !a.no_voice_leading,
            ..Options::default()
        };
        let edit = progression_clip(p, track, a.at, &chords, &opts).map_err(|e| e.to_string())?;
        let line = match &edit {
            Edit::AddClip { clip, .. } => format!(
                "added clip {} at beat {}: {} ({} chords, {} beats)",
                clip.id.0,
                a.at,
                clip.name,
                chords.len(),
                chords.len() as f64 * a.beats
            ),
            _ => String::new(),
        };
        Ok((edit, line))
    })?;
    println!("{line}");
    Ok(())
}
