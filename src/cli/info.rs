//! `tdaw info DIR [--json]`: a project summary. The JSON keys `bpm`, `sample_rate` and
//! `tracks[{name, kind, clips, notes}]` are part of the contract; the rest is added for users.

use crate::model::{ClipContent, Project, TrackKind};
use crate::store::format::{f32_as_written, tidy_f64};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

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
    let path = args.dir.canonicalize().unwrap_or(args.dir.clone());
    if args.json {
        println!("{}", to_json(&p, &path));
    } else {
        print!("{}", to_text(&p, &path));
    }
    Ok(())
}

/// The `--json` object. Numbers read as the file writes them: `f32` fields by their shortest
/// text (`-0.2`, not `-0.20000000298023224`), computed beats and seconds tidied like the file's.
pub fn to_json(p: &Project, path: &Path) -> Value {
    let tracks: Vec<Value> = p
        .tracks
        .iter()
        .map(|t| {
            let mut o = json!({
                "id": t.id.0,
                "name": t.name,
                "kind": t.kind.as_str(),
                // What plays; clips on take lanes are counted apart.
                "clips": t.playing_clips().count(),
                "gain_db": f32_as_written(t.gain_db),
                "pan": f32_as_written(t.pan),
                "mute": t.mute,
                "solo": t.solo,
                "effects": t.effects.len(),
                "length_beats": tidy_f64(t.playing_clips().map(|c| p.clip_end_beat(c)).fold(0.0, f64::max)),
            });
            let takes = t.clips.len() - t.playing_clips().count();
            if takes > 0 {
                o["take_clips"] = takes.into();
            }
            if t.kind == TrackKind::Midi {
                o["notes"] = t.note_count().into();
                o["instrument"] = serde_json::to_value(&t.instrument).unwrap_or(Value::Null);
            }
            if t.kind == TrackKind::Audio {
                let files: Vec<&str> = t
                    .clips
                    .iter()
                    .filter_map(|c| match &c.content {
                        ClipContent::Audio(a) => Some(a.file.as_str()),
                        ClipContent::Midi(_) => None,
                    })
                    .collect();
                // The tempo detected in the track's audio (cached in .tdaw/tempo.toml).
                let tempo = files
                    .first()
                    .and_then(|f| crate::store::tempo_cache::detected_tempo(path, f));
                o["detected_bpm"] = json!(tempo.map(|t| (t.bpm * 10.0).round() / 10.0));
                o["files"] = json!(files);
            }
            o
        })
        .collect();
    let end = p.end_beat();
    json!({
        "name": p.name,
        "path": path.to_string_lossy(),
        "format_version": p.format_version,
        "bpm": tidy_f64(p.tempo.initial_bpm()),
        "tempo_changes": p.tempo.changes().iter()
            .map(|c| json!({"beat": tidy_f64(c.beat), "bpm": tidy_f64(c.bpm)})).collect::<Vec<_>>(),
        "sample_rate": p.sample_rate,
        "time_signature": p.time_signature.to_string(),
        "key": p.key.map(|k| k.to_string()),
        "length_beats": tidy_f64(end),
        "length_seconds": tidy_f64(p.tempo.beat_to_seconds(end)),
        "master_gain_db": f32_as_written(p.master.gain_db),
        "loop": p.loop_region.map(|l| json!({"start": tidy_f64(l.start), "end": tidy_f64(l.end), "enabled": l.enabled})),
        "markers": p.markers.iter().map(|m| json!({"beat": tidy_f64(m.beat), "name": m.name})).collect::<Vec<_>>(),
        "tracks": tracks,
    })
}

/// The human summary: a header and a table of tracks.
pub fn to_text(p: &Project, path: &Path) -> String {
    let end = p.end_beat();
    let mut out = format!("{}\n  path         {}\n", p.name, path.display());
    let tempo = if p.tempo.changes().len() > 1 {
        format!(
            "{} BPM ({} tempo changes)",
            number(p.tempo.initial_bpm()),
            p.tempo.changes().len() - 1
        )
    } else {
        format!("{} BPM", number(p.tempo.initial_bpm()))
    };
    out += &format!("  tempo        {tempo}, {}\n", p.time_signature);
    out += &format!(
        "  key          {}\n",
        p.key.map_or("not set".into(), |k| k.to_string())
    );
    out += &format!("  sample rate  {} Hz\n", p.sample_rate);
    out += &format!(
        "  length       {} ({} beats)\n",
        duration(p.tempo.beat_to_seconds(end)),
        number(end)
    );
    if !p.markers.is_empty() {
        let names: Vec<&str> = p.markers.iter().map(|m| m.name.as_str()).collect();
        out += &format!("  markers      {}\n", names.join(", "));
    }
    if p.tracks.is_empty() {
        out += "  no tracks yet (add some with `tdaw import DIR FILE`)\n";
        return out;
    }
    let width = p
        .tracks
        .iter()
        .map(|t| clip_str(&t.name, 32).chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    out += &format!(
        "\n  {:>3}  {:<width$}  {:<5}  {:>5}  {:>6}  {:>8}  {:>4}  FLAGS\n",
        "#", "TRACK", "KIND", "CLIPS", "NOTES", "GAIN", "PAN"
    );
    for (i, t) in p.tracks.iter().enumerate() {
        let notes = if t.kind == TrackKind::Midi {
            t.note_count().to_string()
        } else {
            "-".into()
        };
        let pan = if t.pan.abs() < 0.005 {
            "C".to_string()
        } else if t.pan < 0.0 {
            format!("L{}", (-t.pan * 100.0).round())
        } else {
            format!("R{}", (t.pan * 100.0).round())
        };
        let flags: Vec<&str> = [(t.mute, "mute"), (t.solo, "solo"), (t.arm, "arm")]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, s)| *s)
            .collect();
        let row = format!(
            "  {:>3}  {:<width$}  {:<5}  {:>5}  {:>6}  {:>8}  {:>4}  {}",
            i + 1,
            clip_str(&t.name, 32),
            t.kind.as_str(),
            t.playing_clips().count(),
            notes,
            format!("{:+.1} dB", t.gain_db),
            pan,
            flags.join(" ")
        );
        out += row.trim_end();
        out.push('\n');
    }
    // Detected tempo of the audio clips' files (cached, so this is cheap after the first time).
    let mut detected = Vec::new();
    for t in p.tracks.iter().filter(|t| t.kind == TrackKind::Audio) {
        for c in &t.clips {
            if let ClipContent::Audio(a) = &c.content {
                if let Some(e) = crate::store::tempo_cache::detected_tempo(path, &a.file) {
                    detected.push(format!(
                        "  {:<24} {:.1} BPM (confidence {:.2})",
                        clip_str(&a.file, 24),
                        e.bpm,
                        e.confidence
                    ));
                }
            }
        }
    }
    if !detected.is_empty() {
        out += "\n  detected tempo of audio files\n";
        for line in detected {
            out += &line;
            out.push('\n');
        }
    }
    out
}

/// `120` for whole numbers, `120.5` otherwise.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{}", (v * 1000.0).round() / 1000.0)
    }
}

/// `m:ss.s` (or `h:mm:ss` for long projects).
pub fn duration(seconds: f64) -> String {
    // Rounded first, so 59.96 s prints as 1:00.0 rather than 0:60.0.
    let s = (seconds.max(0.0) * 10.0).round() / 10.0;
    if s >= 3600.0 {
        let t = s.round() as u64;
        format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
    } else {
        let m = (s / 60.0).floor();
        format!("{}:{:04.1}", m as u64, s - m * 60.0)
    }
}

/// At most `max` characters, with `…` when cut.
pub fn clip_str(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_read_as_written() {
        let mut p = Project::new("x", 48_000, 120.0);
        let mut t = crate::model::Track::new(crate::model::TrackId(1), "A", TrackKind::Midi);
        t.gain_db = -0.2;
        t.pan = 0.3;
        t.clips.push(crate::model::Clip {
            id: crate::model::ClipId(1),
            name: String::new(),
            start: 0.1 + 0.2,
            lane: 0,
            take: None,
            content: ClipContent::Midi(crate::model::MidiClip {
                length: 5.7,
                offset: 0.0,
                notes: Vec::new(),
                controllers: Vec::new(),
            }),
        });
        p.tracks.push(t);
        p.master.gain_db = -0.1;
        let text = to_json(&p, Path::new("/p")).to_string();
        assert!(text.contains("\"gain_db\":-0.2,"), "{text}");
        assert!(text.contains("\"pan\":0.3"), "{text}");
        assert!(text.contains("\"master_gain_db\":-0.1,"), "{text}");
        // 0.30000000000000004 + 5.7 = 6.000000000000001.
        assert!(text.contains("\"length_beats\":6.0,"), "{text}");
    }

    #[test]
    fn formats() {
        assert_eq!(number(120.0), "120");
        assert_eq!(number(92.5), "92.5");
        assert_eq!(duration(3.75), "0:03.8");
        assert_eq!(duration(83.0), "1:23.0");
        assert_eq!(duration(3725.0), "1:02:05");
        assert_eq!(duration(59.96), "1:00.0");
        assert_eq!(clip_str("abcdef", 4), "abc…");
    }
}
