//! The arpeggiator's settings, kept on a MIDI track (`[track.arp]` in project.toml), and — once
//! the MIDI toolkit lands — the one pattern core that both the engine's live arpeggiator and
//! `midi::arp` (rendering an arpeggio into notes) step through. It lives in `model` for the same
//! reason as the effect registry: `engine` may not import `midi`, and both need it.

use serde::{Deserialize, Serialize};

/// The order an arpeggio walks the held notes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ArpMode {
    /// Lowest to highest.
    #[default]
    Up,
    /// Highest to lowest.
    Down,
    /// Up then down, the top and bottom notes not repeated.
    Updown,
    /// A seeded random order.
    Random,
    /// The order the notes were played in.
    Played,
    /// All held notes together on every step.
    Chord,
}

/// A track's arpeggiator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Arp {
    #[serde(default)]
    pub mode: ArpMode,
    /// One step every `rate` beats (a note value: 1/16 at 4/4 = 0.25).
    pub rate: f64,
    /// Octaves the pattern spans (1 = only the held notes).
    #[serde(default = "one")]
    pub octaves: u8,
    /// Each note lasts `gate` of the step (0 < gate ≤ 1).
    #[serde(default = "gate")]
    pub gate: f64,
    /// Swing: 0.5 straight, up to 0.75; delays every second step.
    #[serde(default = "straight")]
    pub swing: f64,
    /// Keep playing the last chord after the keys are released.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub latch: bool,
    /// Seed of `ArpMode::Random`.
    #[serde(default)]
    pub seed: u64,
    /// Off without losing the settings.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bypass: bool,
}

fn one() -> u8 {
    1
}
fn gate() -> f64 {
    0.8
}
fn straight() -> f64 {
    0.5
}

impl Default for Arp {
    fn default() -> Self {
        Arp {
            mode: ArpMode::Up,
            rate: 0.25,
            octaves: 1,
            gate: 0.8,
            swing: 0.5,
            latch: false,
            seed: 0,
            bypass: false,
        }
    }
}
