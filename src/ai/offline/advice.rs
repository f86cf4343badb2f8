//! Mixing and mastering advice from measured figures (`Request.figures`, made by
//! `engine::measure` through `analysis::mix`): integrated loudness against the streaming
//! targets, true peak over -1 dBTP, clipping, tracks crowding one band, low end that is not
//! mono-safe, a track far louder than the rest. Each item names its numbers and a concrete
//! action, and, where one fits, the tool call that does it. Without figures it says they must
//! be measured first; it never makes numbers up.

use super::{Calls, Ctx};
use crate::ai::{AdviceItem, Figures, Reply, Suggestion, TrackFigures};
use crate::analysis::mix::{MixReport, BANDS, SILENT_DB};
use crate::model::Project;
use serde_json::json;

/// Spotify's and YouTube's playback target, LUFS.
pub const TARGET_LUFS: f64 = -14.0;
/// Apple Music's, LUFS.
pub const APPLE_LUFS: f64 = -16.0;
/// The true-peak ceiling for lossy encoding, dBTP.
pub const CEILING_DBTP: f64 = -1.0;
/// Two tracks whose main band is the same and whose energy there is within this many dB crowd
/// each other.
pub const CROWD_DB: f64 = 6.0;
/// Below this correlation the low end is not mono-safe.
pub const MONO_SAFE: f64 = 0.5;
/// A track this many LU louder than the next is far louder than the rest.
pub const FAR_LOUDER_LU: f64 = 6.0;

impl From<&MixReport> for Figures {
    fn from(r: &MixReport) -> Figures {
        Figures {
            integrated_lufs: r.master.integrated_lufs,
            loudness_range_lu: r.master.loudness_range_lu,
            true_peak_dbtp: r.master.true_peak_dbtp,
            sample_peak_dbfs: r.master.sample_peak_dbfs,
            clipped_samples: r.master.clipped_samples,
            tracks: r
                .tracks
                .iter()
                .map(|(name, f)| TrackFigures {
                    name: name.clone(),
                    lufs: f.integrated_lufs,
                    rms_dbfs: f.rms_dbfs,
                    true_peak_dbtp: f.true_peak_dbtp,
                    bands_db: f.bands_db.clone(),
                    low_correlation: f.low_correlation,
                })
                .collect(),
        }
    }
}

impl From<MixReport> for Figures {
    fn from(r: MixReport) -> Figures {
        Figures::from(&r)
    }
}

fn item(topic: &str, finding: String, suggestion: String) -> AdviceItem {
    AdviceItem {
        topic: topic.to_string(),
        finding,
        suggestion,
    }
}

/// A band's centre (geometric) for an EQ bell, Hz.
fn centre(band: usize) -> f64 {
    let b = BANDS[band];
    match (b.low_hz, b.high_hz) {
        (l, _) if l <= 0.0 => 40.0,
        (_, h) if h.is_infinite() => 10_000.0,
        (l, h) => ((l * h).sqrt() / 10.0).round() * 10.0,
    }
}

fn band_text(band: usize) -> String {
    let b = BANDS[band];
    match (b.low_hz, b.high_hz) {
        (l, h) if l <= 0.0 => format!("{} band (below {h} Hz)", b.name),
        (l, h) if h.is_infinite() => format!("{} band (above {l} Hz)", b.name),
        (l, h) => format!("{} band ({l}–{h} Hz)", b.name),
    }
}

/// A track's loudest band, if it has sound.
fn main_band(t: &TrackFigures) -> Option<usize> {
    t.bands_db
        .iter()
        .enumerate()
        .filter(|(_, &v)| v > SILENT_DB + 1.0)
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
}

fn track_gain(p: Option<&Project>, name: &str) -> Option<f32> {
    p?.tracks.iter().find(|t| t.name == name).map(|t| t.gain_db)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The advice items for `f`, and the calls that carry them out.
pub fn advise(f: &Figures, project: Option<&Project>, calls: &mut Calls) -> Vec<AdviceItem> {
    let mut items = Vec::new();
    match f.integrated_lufs {
        None => items.push(item(
            "loudness",
            "The master is silent: there is no loudness to measure.".into(),
            "Check that the tracks are not muted and that the clips have material.".into(),
        )),
        Some(i) => {
            let lra = f
                .loudness_range_lu
                .map_or(String::new(), |r| format!(", loudness range {r:.1} LU"));
            let over = i - TARGET_LUFS;
            let (finding, suggestion) = if over > 1.0 {
                (
                    format!("Integrated loudness is {i:.1} LUFS{lra}: {over:.1} LU above the -14 LUFS of Spotify and YouTube and {:.1} LU above Apple Music's -16, so they will turn it down by that much.", i - APPLE_LUFS),
                    "The extra loudness buys nothing on streaming and costs dynamics: ease off the master limiting until it sits near -14 LUFS (`tdaw render DIR -o OUT --normalize -14`).".to_string(),
                )
            } else if over < -1.0 {
                (
                    format!("Integrated loudness is {i:.1} LUFS{lra}: {:.1} LU below the -14 LUFS of Spotify and YouTube ({:.1} LU from Apple Music's -16).", -over, APPLE_LUFS - i),
                    format!("Raise it by about {:.1} dB: render with `--normalize -14` (a limiter keeps the true peak at -1 dBTP), or add gain into a master limiter.", -over),
                )
            } else {
                (
                    format!("Integrated loudness is {i:.1} LUFS{lra}: within 1 LU of the -14 LUFS of Spotify and YouTube; Apple Music (-16) plays it {:.1} dB quieter.", i - APPLE_LUFS),
                    "Keep it there.".to_string(),
                )
            };
            items.push(item("loudness", finding, suggestion));
        }
    }
    if let Some(tp) = f.true_peak_dbtp.filter(|&tp| tp > CEILING_DBTP) {
        items.push(item(
            "true peak",
            format!("The true peak is {tp:.1} dBTP, {:.1} dB over the -1 dBTP ceiling: lossy encoding (AAC, Ogg, MP3) will clip.", tp - CEILING_DBTP),
            "Put a limiter last on the master with its ceiling at -1 dBTP.".into(),
        ));
        let limiter = project.and_then(|p| p.master.effects.iter().find(|e| e.kind == "limiter"));
        match limiter {
            Some(e) => calls.push("set_effect", json!({ "track": "master", "fx": e.id.0, "params": { "ceiling_dbtp": CEILING_DBTP } })),
            None => calls.push("add_effect", json!({ "track": "master", "kind": "limiter", "params": { "ceiling_dbtp": CEILING_DBTP } })),
        }
    }
    if f.clipped_samples > 0 {
        let sp = f.sample_peak_dbfs.unwrap_or(0.0);
        let cut = round1(sp + 1.0).max(0.5);
        items.push(item(
            "clipping",
            format!("{} samples of the master reach full scale (sample peak {sp:.1} dBFS): they clip in the file.", f.clipped_samples),
            format!("Lower the master by {cut:.1} dB so the peak stays under -1 dBFS, then bring the loudness back with the limiter."),
        ));
        if let Some(p) = project {
            calls.push(
                "set_track",
                json!({ "track": "master", "gain_db": round1(f64::from(p.master.gain_db) - cut) }),
            );
        }
    }
    // A bus carries the tracks it is fed by: it crowds them and outweighs them by design, so
    // masking and balance are weighed between the sources only.
    let buses: Vec<&str> = project
        .map(|p| {
            p.tracks
                .iter()
                .filter(|t| t.kind == crate::model::TrackKind::Bus)
                .map(|t| t.name.as_str())
                .collect()
        })
        .unwrap_or_default();
    crowding(f, &buses, calls, &mut items);
    for t in &f.tracks {
        let Some(c) = t.low_correlation.filter(|&c| c < MONO_SAFE) else {
            continue;
        };
        let pan = project
            .and_then(|p| p.tracks.iter().find(|x| x.name == t.name))
            .map(|x| x.pan);
        let suggestion = if pan.is_some_and(|p| p != 0.0) {
            calls.push("set_track", json!({ "track": t.name, "pan": 0.0 }));
            "Centre it and narrow any stereo widening on it: the low end belongs in the middle."
                .to_string()
        } else {
            "Make it mono below 120 Hz: narrow its stereo widening or chorus, or high-pass it at 120 Hz if its low end is not needed.".to_string()
        };
        items.push(item(
            "mono compatibility",
            format!("'{}' has a left/right correlation of {c:.2} below 120 Hz (1 is mono): its low end partly cancels in mono, on phones and club systems.", t.name),
            suggestion,
        ));
    }
    let mut loud: Vec<(&TrackFigures, f64)> = f
        .tracks
        .iter()
        .filter(|t| !buses.contains(&t.name.as_str()))
        .filter_map(|t| t.lufs.map(|l| (t, l)))
        .collect();
    loud.sort_by(|a, b| b.1.total_cmp(&a.1));
    if let [(top, l1), (next, l2), ..] = loud.as_slice() {
        let diff = l1 - l2;
        if diff >= FAR_LOUDER_LU {
            let cut = round1(diff - 3.0);
            items.push(item(
                "balance",
                format!("'{}' at {l1:.1} LUFS is {diff:.1} LU louder than the next loudest track ('{}', {l2:.1} LUFS).", top.name, next.name),
                format!("Pull '{}' down by about {cut:.1} dB, then balance by ear.", top.name),
            ));
            if let Some(g) = track_gain(project, &top.name) {
                calls.push(
                    "set_track",
                    json!({ "track": top.name, "gain_db": round1(f64::from(g) - cut) }),
                );
            }
        }
    }
    items
}

/// Tracks whose loudest band is the same and within [`CROWD_DB`] of each other there.
fn crowding(f: &Figures, buses: &[&str], calls: &mut Calls, items: &mut Vec<AdviceItem>) {
    for band in 0..BANDS.len() {
        let mut here: Vec<(&TrackFigures, f64)> = f
            .tracks
            .iter()
            .filter(|t| !buses.contains(&t.name.as_str()))
            .filter(|t| main_band(t) == Some(band))
            .filter_map(|t| t.bands_db.get(band).map(|&v| (t, v)))
            .collect();
        here.sort_by(|a, b| b.1.total_cmp(&a.1));
        let Some(&(first, top)) = here.first() else {
            continue;
        };
        let close: Vec<&(&TrackFigures, f64)> = here
            .iter()
            .skip(1)
            .filter(|(_, v)| top - v < CROWD_DB)
            .collect();
        let Some(&&(second, _)) = close.first() else {
            continue;
        };
        let hz = centre(band);
        let others: Vec<String> = close
            .iter()
            .map(|(t, v)| format!("'{}' ({v:.1} dB)", t.name))
            .collect();
        items.push(item(
            "frequency masking",
            format!(
                "'{}' ({top:.1} dB) and {} put most of their energy in the {}, within {CROWD_DB} dB of each other: they mask each other.",
                first.name,
                others.join(", "),
                band_text(band)
            ),
            format!(
                "Give each its own room: cut '{}' by 3 dB around {hz} Hz with an EQ bell (or duck it under '{}' with a side-chained compressor).",
                second.name, first.name
            ),
        ));
        calls.push(
            "add_effect",
            json!({ "track": second.name, "kind": "eq", "params": { "b1_type": "peak", "b1_freq": hz, "b1_gain_db": -3.0, "b1_q": 1.0 } }),
        );
    }
}

/// The answer to a mixing question.
pub fn answer(ctx: &Ctx) -> Reply {
    let Some(f) = ctx.req.figures.as_ref() else {
        let text = "I have no measured figures for this mix yet, and I do not guess them: measure the mix first (open the project in the chat pane, or ask `tdaw ai --project DIR`, which renders and measures it), then ask again.".to_string();
        return Reply {
            text,
            suggestion: Suggestion::Text,
            calls: Vec::new(),
        };
    };
    let mut calls = Calls::default();
    let mut items = advise(f, ctx.project, &mut calls);
    let problems = items
        .iter()
        .filter(|i| i.suggestion != "Keep it there.")
        .count();
    if problems == 0 {
        items.push(item(
            "overall",
            format!(
                "No problems found: true peak {}, no clipping, no two tracks crowding a band, the low end mono-safe.",
                f.true_peak_dbtp.map_or("unknown".into(), |t| format!("{t:.1} dBTP"))
            ),
            "Trust your ears from here: compare with a reference track at the same loudness.".into(),
        ));
    }
    let mut text = format!(
        "Mixing advice from the measured figures ({} tracks):",
        f.tracks.len()
    );
    for it in &items {
        text.push_str(&format!(
            "\n- {}: {} {}",
            it.topic, it.finding, it.suggestion
        ));
    }
    Reply {
        text,
        suggestion: Suggestion::Advice { items },
        calls: calls.0,
    }
}
