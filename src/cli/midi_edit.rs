//! `tdaw midi quantize|humanize|transpose|arp DIR TRACK …`: each applies to every clip of TRACK
//! (or `--clip ID`) as ONE edit through `cli::edit_project`. Values are checked before the
//! project is opened, each refusal one line naming the value and what is allowed; on any error
//! nothing is written. The music itself is `midi::quantize`, `midi::groove`, `midi::arp`.

use crate::midi::arp::render as render_arp;
use crate::midi::groove::{humanize as humanize_notes, Humanize};
use crate::midi::ops::{self, clips_of, midi_track, notes_of};
use crate::midi::quantize::{quantize as quantize_notes, Grid, Lengths, Quantize};
use crate::midi::theory::{transpose_in_key, Scale};
use crate::model::arp::{Arp, ArpMode, MAX_OCTAVES};
use crate::model::{Clip, ClipContent, Edit, Note, Project, TrackField};
use std::path::PathBuf;

/// Arguments of `tdaw midi quantize`.
#[derive(clap::Args)]
pub struct QuantizeArgs {
    /// Project folder.
    pub dir: PathBuf,
    /// The MIDI track: name or 1-based position.
    pub track: String,
    /// Grid: 1/1 … 1/64, `t` for triplets (1/8t), `.` for dotted (1/8.).
    #[arg(long, default_value = "1/16")]
    pub grid: String,
    /// How far notes move towards the grid, in %.
    #[arg(long, default_value_t = 100.0)]
    pub strength: f64,
    /// Swing in % (50 = straight, 66 = triplet feel): delays every second grid step.
    #[arg(long, default_value_t = 50.0)]
    pub swing: f64,
    /// Quantize note ends too.
    #[arg(long)]
    pub ends: bool,
    /// Leave alone notes farther than this % of a step from every grid line (100: all notes).
    #[arg(long, default_value_t = 100.0)]
    pub window: f64,
    /// Only this clip of the track.
    #[arg(long)]
    pub clip: Option<u64>,
}

/// Arguments of `tdaw midi humanize`.
#[derive(clap::Args)]
pub struct HumanizeArgs {
    /// Project folder.
    pub dir: PathBuf,
    /// The MIDI track: name or 1-based position.
    pub track: String,
    /// Largest move of a note start, in ms either way.
    #[arg(long, default_value_t = 10.0)]
    pub time_ms: f64,
    /// Largest change of a velocity, either way.
    #[arg(long, default_value_t = 8)]
    pub velocity: u8,
    /// Seed of the random moves (the same seed gives the same result).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Only this clip of the track.
    #[arg(long)]
    pub clip: Option<u64>,
}

/// Arguments of `tdaw midi transpose`.
#[derive(clap::Args)]
pub struct TransposeArgs {
    /// Project folder.
    pub dir: PathBuf,
    /// The MIDI track: name or 1-based position.
    pub track: String,
    /// Semitones (or scale steps with --in-key); negative moves down.
    #[arg(allow_negative_numbers = true)]
    pub steps: i32,
    /// Move by steps of the scale of KEY instead of semitones.
    #[arg(long)]
    pub in_key: bool,
    /// The key for --in-key (default: the project's key).
    #[arg(long, requires = "in_key")]
    pub key: Option<String>,
    /// Only this clip of the track.
    #[arg(long)]
    pub clip: Option<u64>,
}

/// Arguments of `tdaw midi arp`.
#[derive(clap::Args)]
pub struct ArpArgs {
    /// Project folder.
    pub dir: PathBuf,
    /// The MIDI track: name or 1-based position.
    pub track: String,
    /// up, down, updown, random, played or chord.
    #[arg(long, default_value = "up")]
    pub mode: String,
    /// One note every RATE (a note value: 1/16, 1/8t, 1/8.).
    #[arg(long, default_value = "1/16")]
    pub rate: String,
    /// Octaves the pattern spans.
    #[arg(long, default_value_t = 1)]
    pub octaves: u8,
    /// Each note lasts GATE % of the step.
    #[arg(long, default_value_t = 80.0)]
    pub gate: f64,
    /// Seed for --mode random.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Swing in % (50 = straight … 75): delays every second step.
    #[arg(long, default_value_t = 50.0)]
    pub swing: f64,
    /// With --live: keep playing the last chord after the keys are released.
    #[arg(long, requires = "live")]
    pub latch: bool,
    /// Instead of rendering notes, set the track's live arpeggiator (kept in project.toml,
    /// heard while playing clips, auditions and MIDI input).
    #[arg(long)]
    pub live: bool,
    /// With --live: turn the live arpeggiator off (bypassed; its settings are kept).
    #[arg(long, requires = "live")]
    pub off: bool,
    /// Only this clip of the track.
    #[arg(long, conflicts_with = "live")]
    pub clip: Option<u64>,
}

/// A percentage in `lo..=hi`, as a fraction; the message names the option and the range.
fn percent(option: &str, v: f64, lo: f64, hi: f64) -> anyhow::Result<f64> {
    if !(v.is_finite() && (lo..=hi).contains(&v)) {
        anyhow::bail!("{option} {v} is outside {lo}..={hi} %");
    }
    Ok(v / 100.0)
}

/// What a tool did, for the one line it prints.
#[derive(Default)]
struct Tally {
    notes: usize,
    clips: usize,
}

impl Tally {
    fn line(&self, verb: &str) -> String {
        format!(
            "{verb} {} note{} in {} clip{}",
            self.notes,
            plural(self.notes),
            self.clips,
            plural(self.clips)
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Runs `f` over the notes of every chosen clip of TRACK and commits the clips it changed as
/// one edit. `f` returns the new notes and how many of them it changed.
fn edit_notes(
    dir: &std::path::Path,
    label: &str,
    track: &str,
    clip: Option<u64>,
    mut f: impl FnMut(&Project, &Clip, &[Note]) -> Result<(Vec<Note>, usize), String>,
) -> anyhow::Result<Tally> {
    super::edit_project(dir, label, |p| {
        let id = midi_track(p, track)?;
        let mut edits = Vec::new();
        let mut tally = Tally::default();
        for c in clips_of(p, id, clip)? {
            let old = notes_of(c);
            let (notes, changed) = f(p, c, old)?;
            if changed > 0 || notes.len() != old.len() {
                tally.notes += changed;
                tally.clips += 1;
                edits.push(ops::replace_notes(id, c, notes, None));
            }
        }
        Ok((Edit::Batch(edits), tally))
    })
}

/// The timeline beat of a clip's content beat 0.
fn origin(c: &Clip) -> f64 {
    match &c.content {
        ClipContent::Midi(m) => c.start - m.offset,
        ClipContent::Audio(_) => c.start,
    }
}

pub fn quantize(a: QuantizeArgs) -> anyhow::Result<()> {
    let grid = Grid::parse(&a.grid).map_err(|e| anyhow::anyhow!("--grid: {e}"))?;
    let q = Quantize {
        grid: grid.beats(),
        strength: percent("--strength", a.strength, 0.0, 100.0)?,
        swing: percent("--swing", a.swing, 50.0, 75.0)?,
        lengths: if a.ends { Lengths::Ends } else { Lengths::Keep },
        window: percent("--window", a.window, 0.0, 100.0)?,
    };
    let tally = edit_notes(&a.dir, "quantize", &a.track, a.clip, |_, _, notes| {
        quantize_notes(notes, None, &q).map_err(|e| e.to_string())
    })?;
    println!("{} to {}", tally.line("quantized"), grid.name());
    Ok(())
}

pub fn humanize(a: HumanizeArgs) -> anyhow::Result<()> {
    if !(a.time_ms.is_finite() && (0.0..=1000.0).contains(&a.time_ms)) {
        anyhow::bail!("--time-ms {} is outside 0..=1000 ms", a.time_ms);
    }
    if a.velocity > 126 {
        anyhow::bail!("--velocity {} is outside 0..=126", a.velocity);
    }
    // Without --seed a fresh one, printed so the result can be made again.
    let seed = a.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let h = Humanize {
        time_ms: a.time_ms,
        velocity: a.velocity,
        seed,
    };
    let tally = edit_notes(&a.dir, "humanize", &a.track, a.clip, |p, c, notes| {
        let out = humanize_notes(notes, None, &h, &p.tempo, origin(c));
        let changed = out.iter().zip(notes).filter(|(x, y)| x != y).count();
        Ok((out, changed))
    })?;
    println!("{} (seed {seed})", tally.line("humanized"));
    Ok(())
}

pub fn transpose(a: TransposeArgs) -> anyhow::Result<()> {
    if a.steps.abs() > 127 {
        anyhow::bail!("{} steps is outside -127..=127", a.steps);
    }
    let given = match (&a.key, a.in_key) {
        (Some(k), true) => Some(Scale::parse(k).map_err(|e| anyhow::anyhow!("--key: {e}"))?),
        _ => None,
    };
    let mut scale_name = String::new();
    let tally = edit_notes(&a.dir, "transpose", &a.track, a.clip, |p, c, notes| {
        let changed = if a.steps == 0 { 0 } else { notes.len() };
        if !a.in_key {
            let all: Vec<usize> = (0..notes.len()).collect();
            let out = ops::transpose(notes, &all, a.steps)
                .map_err(|e| format!("clip {}: {e}", c.id.0))?;
            return Ok((out, changed));
        }
        let scale = match (given, &p.key) {
            (Some(s), _) => s,
            (None, Some(k)) => Scale::from_key(k),
            (None, None) => {
                return Err(
                    "the project has no key: give one with --key (e.g. --key \"A minor\")"
                        .to_string(),
                )
            }
        };
        scale_name = scale.to_string();
        let mut out = notes.to_vec();
        for n in &mut out {
            n.pitch = transpose_in_key(n.pitch, a.steps, &scale)
                .map_err(|e| format!("clip {}: {e}", c.id.0))?;
        }
        let changed = out.iter().zip(notes).filter(|(x, y)| x != y).count();
        Ok((out, changed))
    })?;
    if a.in_key {
        println!(
            "{} by {} steps of {scale_name}",
            tally.line("transposed"),
            a.steps
        );
    } else {
        println!("{} by {} semitones", tally.line("transposed"), a.steps);
    }
    Ok(())
}

pub fn arp(a: ArpArgs) -> anyhow::Result<()> {
    let mode = ArpMode::parse(&a.mode).map_err(|e| anyhow::anyhow!("--mode: {e}"))?;
    let rate = Grid::parse(&a.rate).map_err(|e| anyhow::anyhow!("--rate: {e}"))?;
    if !(1..=MAX_OCTAVES).contains(&a.octaves) {
        anyhow::bail!("--octaves {} is outside 1..={MAX_OCTAVES}", a.octaves);
    }
    let gate = percent("--gate", a.gate, 0.0, 100.0)?;
    if gate == 0.0 {
        anyhow::bail!("--gate 0 is outside 1..=100 %: a note must sound");
    }
    let arp = Arp {
        mode,
        rate: rate.beats(),
        octaves: a.octaves,
        gate,
        swing: percent("--swing", a.swing, 50.0, 75.0)?,
        latch: a.latch,
        seed: a.seed.unwrap_or(0),
        bypass: false,
    };
    arp.validate().map_err(anyhow::Error::msg)?;
    if a.live {
        return live_arp(a, arp);
    }
    let mut made = 0;
    let tally = edit_notes(&a.dir, "arpeggiate", &a.track, a.clip, |_, c, notes| {
        let out = render_arp(notes, &arp, origin(c));
        made += out.len();
        Ok((out, notes.len()))
    })?;
    println!(
        "{} into {made} arpeggio note{} ({})",
        tally.line("arpeggiated"),
        plural(made),
        arp.to_words()
    );
    Ok(())
}

/// `--live`: the settings go to `track.arp` instead of into notes.
fn live_arp(a: ArpArgs, arp: Arp) -> anyhow::Result<()> {
    let line = super::edit_project(&a.dir, "arp", |p| {
        let id = midi_track(p, &a.track)?;
        let name = p.track(id).map(|t| t.name.clone()).unwrap_or_default();
        let (value, line) = if a.off {
            match p.track(id).and_then(|t| t.arp.clone()) {
                Some(old) => (
                    Some(Arp {
                        bypass: true,
                        ..old
                    }),
                    format!("live arpeggiator of '{name}' off (settings kept)"),
                ),
                None => (None, format!("'{name}' has no live arpeggiator")),
            }
        } else {
            (
                Some(arp.clone()),
                format!("live arpeggiator of '{name}': {}", arp.to_words()),
            )
        };
        let edit = Edit::SetTrack {
            id,
            field: TrackField::Arp(value),
        };
        Ok((edit, line))
    })?;
    println!("{line}");
    Ok(())
}
