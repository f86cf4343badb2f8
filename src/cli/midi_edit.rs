//! `tdaw midi quantize|humanize|transpose|arp DIR TRACK …`: each applies to every clip of TRACK
//! (or `--clip ID`) as ONE edit through `cli::edit_project`.

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
    /// up, down, updown, random or played.
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
    /// Only this clip of the track.
    #[arg(long)]
    pub clip: Option<u64>,
}

pub fn quantize(_a: QuantizeArgs) -> anyhow::Result<()> {
    Err(super::not_available("midi quantize", "the MIDI toolkit"))
}

pub fn humanize(_a: HumanizeArgs) -> anyhow::Result<()> {
    Err(super::not_available("midi humanize", "the MIDI toolkit"))
}

pub fn transpose(_a: TransposeArgs) -> anyhow::Result<()> {
    Err(super::not_available("midi transpose", "the MIDI toolkit"))
}

pub fn arp(_a: ArpArgs) -> anyhow::Result<()> {
    Err(super::not_available("midi arp", "the MIDI toolkit"))
}
