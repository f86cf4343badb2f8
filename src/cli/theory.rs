//! `tdaw theory chord|scale|key`: music theory from the shell (CONTRACT.md); the answers come
//! from `crate::midi::theory`.

use crate::midi::theory::{detect_key, parse_chord_or_numeral, roman_of, Scale};
use crate::model::{mixer::resolve_track, ClipContent, Note, TrackKind};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Arguments of `tdaw theory`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// What to ask.
#[derive(clap::Subcommand)]
pub enum Cmd {
    /// A chord symbol's notes, spelled, and as MIDI pitches (root in octave 4, C4 = 60).
    Chord {
        /// e.g. Cmaj7, F#m7b5, G7#9, C/E.
        symbol: String,
        /// Spell in this key's context (e.g. for roman numerals or enharmonics).
        #[arg(long)]
        key: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A scale's notes, spelled: "D dorian", "F# harmonic minor", "Bb blues".
    Scale {
        /// Tonic and mode.
        scale: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The most likely key of a track's notes, with a confidence.
    Key {
        /// Project folder.
        dir: PathBuf,
        /// The MIDI track: name or 1-based position.
        track: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(a: Args) -> anyhow::Result<()> {
    match a.cmd {
        Cmd::Chord { symbol, key, json } => print_chord(&symbol, key.as_deref(), json),
        Cmd::Scale { scale, json } => print_scale(&scale, json),
        Cmd::Key { dir, track, json } => print_key(&dir, &track, json),
    }
}

fn names<T: ToString>(v: &[T]) -> Vec<String> {
    v.iter().map(|n| n.to_string()).collect()
}

fn print_chord(symbol: &str, key: Option<&str>, as_json: bool) -> anyhow::Result<()> {
    let key = key.map(Scale::parse).transpose()?;
    let c = parse_chord_or_numeral(symbol, key.as_ref())?;
    let notes = names(&c.notes());
    let pitches = c.pitches();
    if as_json {
        let o = json!({"symbol": c.to_string(), "root": c.root.to_string(), "notes": notes, "pitches": pitches});
        println!("{o}");
        return Ok(());
    }
    let pitches: Vec<String> = pitches.iter().map(|p| p.to_string()).collect();
    let roman = key
        .as_ref()
        .and_then(|k| Some(format!("{} in {k}: ", roman_of(&c, k)?)))
        .unwrap_or_default();
    println!(
        "{roman}{c}: {} (MIDI {})",
        notes.join(" "),
        pitches.join(" ")
    );
    Ok(())
}

fn print_scale(text: &str, as_json: bool) -> anyhow::Result<()> {
    let s = Scale::parse(text)?;
    let notes = names(&s.notes());
    if as_json {
        let o = json!({"tonic": s.tonic.to_string(), "mode": s.kind.name(), "notes": notes});
        println!("{o}");
    } else {
        println!("{s}: {}", notes.join(" "));
    }
    Ok(())
}

/// The notes of a MIDI track that sound (inside their clips' windows); no edit.
fn print_key(dir: &Path, track: &str, as_json: bool) -> anyhow::Result<()> {
    let p = crate::store::load_project(dir)?;
    let id = resolve_track(&p, track).map_err(anyhow::Error::msg)?;
    let t = p
        .track(id)
        .ok_or_else(|| anyhow::anyhow!("there is no track '{track}'"))?;
    if t.kind != TrackKind::Midi {
        anyhow::bail!(
            "'{}' is {} {} track: theory key reads the notes of a MIDI track",
            t.name,
            crate::model::ops::article(t.kind.as_str()),
            t.kind.as_str()
        );
    }
    let notes: Vec<Note> = t
        .clips
        .iter()
        .filter_map(|c| match &c.content {
            ClipContent::Midi(m) => Some(m.notes.iter().filter(|n| m.plays(n)).copied()),
            ClipContent::Audio(_) => None,
        })
        .flatten()
        .collect();
    let e = detect_key(&notes).ok_or_else(|| {
        anyhow::anyhow!(
            "'{}' has no pitched notes to find a key in (drums on channel 10 do not count)",
            t.name
        )
    })?;
    let confidence = (e.confidence * 100.0).round() / 100.0;
    if as_json {
        println!("{}", json!({"key": e.name(), "confidence": confidence}));
    } else {
        println!("{} (confidence {confidence:.2})", e.name());
    }
    Ok(())
}
