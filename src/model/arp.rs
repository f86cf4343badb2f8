//! The arpeggiator's settings, kept on a MIDI track (`[track.arp]` in project.toml), and the one
//! pattern core that both the engine's live arpeggiator and `midi::arp` (rendering an arpeggio
//! into notes) step through, so what is rendered is what is heard. It lives in `model` for the
//! same reason as the effect registry: `engine` may not import `midi`, and both need it.
//!
//! The core is pure and allocation-free (fixed arrays, no `Vec`), so the audio thread calls it:
//! [`Held`] is the set of keys down in the order they were pressed, [`Arp::step_notes`] the
//! pitches of pattern step `i` over them, [`Arp::step_time`] where grid step `k` starts and ends
//! in beats (swing and gate applied).

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

/// Keys an arpeggiator holds at most; further keys are ignored until one is released.
pub const MAX_HELD: usize = 32;
/// Octaves a pattern may span.
pub const MAX_OCTAVES: u8 = 4;
/// Notes one step may sound (a chord step over every held key).
pub const MAX_STEP: usize = MAX_HELD;
/// The pattern over the held keys across every octave, worst case.
const MAX_PATTERN: usize = MAX_HELD * MAX_OCTAVES as usize;

impl ArpMode {
    /// Every mode, in the order help texts list them.
    pub const ALL: [ArpMode; 6] = [
        ArpMode::Up,
        ArpMode::Down,
        ArpMode::Updown,
        ArpMode::Random,
        ArpMode::Played,
        ArpMode::Chord,
    ];

    /// The name used in project.toml, the shell and `:arp`.
    pub fn name(self) -> &'static str {
        match self {
            ArpMode::Up => "up",
            ArpMode::Down => "down",
            ArpMode::Updown => "updown",
            ArpMode::Random => "random",
            ArpMode::Played => "played",
            ArpMode::Chord => "chord",
        }
    }

    /// The mode of a name (`up-down` and `up_down` read as `updown`).
    pub fn parse(text: &str) -> Result<ArpMode, String> {
        let t = text.trim().to_ascii_lowercase().replace(['-', '_'], "");
        ArpMode::ALL
            .into_iter()
            .find(|m| m.name() == t)
            .ok_or_else(|| {
                format!(
                    "'{text}' is not an arpeggio mode (up, down, updown, random, played, chord)"
                )
            })
    }
}

/// The keys an arpeggiator holds, in the order they were pressed (fixed capacity, no heap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pitch: [u8; MAX_HELD],
    velocity: [u8; MAX_HELD],
    len: usize,
}

impl Default for Held {
    fn default() -> Self {
        Held {
            pitch: [0; MAX_HELD],
            velocity: [0; MAX_HELD],
            len: 0,
        }
    }
}

impl Held {
    /// No keys held.
    pub fn new() -> Held {
        Held::default()
    }

    /// A key goes down. A key already held keeps its place and takes the new velocity; a key
    /// beyond [`MAX_HELD`] is ignored (false).
    pub fn press(&mut self, pitch: u8, velocity: u8) -> bool {
        if let Some(i) = self.pitches().iter().position(|&p| p == pitch) {
            self.velocity[i] = velocity;
            return true;
        }
        if self.len == MAX_HELD {
            return false;
        }
        self.pitch[self.len] = pitch;
        self.velocity[self.len] = velocity;
        self.len += 1;
        true
    }

    /// A key goes up (nothing happens for a key not held).
    pub fn release(&mut self, pitch: u8) {
        if let Some(i) = self.pitches().iter().position(|&p| p == pitch) {
            self.pitch.copy_within(i + 1..self.len, i);
            self.velocity.copy_within(i + 1..self.len, i);
            self.len -= 1;
        }
    }

    pub fn clear(&mut self) {
        self.len = 0;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The held pitches in the order they were pressed.
    pub fn pitches(&self) -> &[u8] {
        &self.pitch[..self.len]
    }

    /// The velocities, parallel to [`Held::pitches`].
    pub fn velocities(&self) -> &[u8] {
        &self.velocity[..self.len]
    }
}

/// The notes of one arpeggio step: pitches with their velocities (several for a chord step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepNotes {
    pitch: [u8; MAX_STEP],
    velocity: [u8; MAX_STEP],
    len: usize,
}

impl StepNotes {
    fn empty() -> StepNotes {
        StepNotes {
            pitch: [0; MAX_STEP],
            velocity: [0; MAX_STEP],
            len: 0,
        }
    }

    fn push(&mut self, pitch: u8, velocity: u8) {
        if self.len < MAX_STEP {
            self.pitch[self.len] = pitch;
            self.velocity[self.len] = velocity;
            self.len += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// `(pitch, velocity)` of each note of the step.
    pub fn iter(&self) -> impl Iterator<Item = (u8, u8)> + '_ {
        self.pitch[..self.len]
            .iter()
            .copied()
            .zip(self.velocity[..self.len].iter().copied())
    }
}

impl Arp {
    /// Checks the settings; the message names the value and what is allowed.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.rate.is_finite() && self.rate > 0.0 && self.rate <= 16.0) {
            return Err(format!(
                "arp rate {} beats is not a note value between 1/64 and 4/1",
                self.rate
            ));
        }
        if !(1..=MAX_OCTAVES).contains(&self.octaves) {
            return Err(format!(
                "arp octaves {} is outside 1..={MAX_OCTAVES}",
                self.octaves
            ));
        }
        if !(self.gate.is_finite() && self.gate > 0.0 && self.gate <= 1.0) {
            return Err(format!(
                "arp gate {} % is outside 1..=100 %",
                fmt_pct(self.gate)
            ));
        }
        if !(self.swing.is_finite() && (0.5..=0.75).contains(&self.swing)) {
            return Err(format!(
                "arp swing {} % is outside 50..=75 %",
                fmt_pct(self.swing)
            ));
        }
        Ok(())
    }

    /// Settings from words, as `:arp` takes them: `up 1/16 oct=2 gate=80 swing=55 latch`.
    /// Words: a mode name, a note value (the rate; `rate=` too), `oct=`/`octaves=`, `gate=`
    /// (%), `swing=` (%), `seed=`, `latch`, `bypass`. Missing ones keep their defaults.
    pub fn parse_words(text: &str) -> Result<Arp, String> {
        let mut a = Arp::default();
        for word in text.split_whitespace() {
            let (key, value) = match word.split_once('=') {
                Some((k, v)) => (k.to_ascii_lowercase(), Some(v)),
                None => (String::new(), None),
            };
            let number = |v: &str, what: &str| -> Result<f64, String> {
                v.trim_end_matches('%')
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| format!("arp {what} '{v}' is not a number"))
            };
            match (key.as_str(), value) {
                ("", None) if word.eq_ignore_ascii_case("latch") => a.latch = true,
                ("", None) if word.eq_ignore_ascii_case("bypass") => a.bypass = true,
                ("", None) if word.contains('/') => a.rate = super::fx::note_value_beats(word)?,
                ("", None) => a.mode = ArpMode::parse(word)?,
                ("mode", Some(v)) => a.mode = ArpMode::parse(v)?,
                ("rate", Some(v)) => a.rate = super::fx::note_value_beats(v)?,
                ("oct" | "octave" | "octaves", Some(v)) => {
                    a.octaves = v
                        .parse()
                        .ok()
                        .filter(|o| (1..=MAX_OCTAVES).contains(o))
                        .ok_or_else(|| {
                            format!("arp octaves '{v}' is not a whole number in 1..={MAX_OCTAVES}")
                        })?
                }
                ("gate", Some(v)) => a.gate = number(v, "gate")? / 100.0,
                ("swing", Some(v)) => a.swing = number(v, "swing")? / 100.0,
                ("seed", Some(v)) => {
                    a.seed = v
                        .parse()
                        .map_err(|_| format!("arp seed '{v}' is not a whole number"))?
                }
                _ => {
                    return Err(format!(
                        "'{word}' is not an arp setting (mode, 1/16, oct=, gate=, swing=, seed=, latch, bypass)"
                    ))
                }
            }
        }
        a.validate()?;
        Ok(a)
    }

    /// The settings as [`Arp::parse_words`] reads them back: `up 1/16 oct=1 gate=80 swing=50`.
    pub fn to_words(&self) -> String {
        let mut s = format!(
            "{} {} oct={} gate={} swing={}",
            self.mode.name(),
            super::fx::note_value_text(self.rate).replace(' ', ""),
            self.octaves,
            fmt_pct(self.gate),
            fmt_pct(self.swing)
        );
        if self.mode == ArpMode::Random {
            s.push_str(&format!(" seed={}", self.seed));
        }
        if self.latch {
            s.push_str(" latch");
        }
        if self.bypass {
            s.push_str(" bypass");
        }
        s
    }

    /// The notes of pattern step `index` (counted from 0 when the keys went down) over `held`.
    /// Empty when nothing is held. Allocation-free.
    pub fn step_notes(&self, held: &Held, index: u64) -> StepNotes {
        let mut out = StepNotes::empty();
        let n = held.len();
        if n == 0 {
            return out;
        }
        let octaves = self.octaves.clamp(1, MAX_OCTAVES) as usize;
        // The held keys lowest first (ties cannot happen: a key is held once).
        let mut sorted = [(0u8, 0u8); MAX_HELD];
        for (slot, (p, v)) in sorted
            .iter_mut()
            .zip(held.pitches().iter().zip(held.velocities()))
        {
            *slot = (*p, *v);
        }
        let sorted = &mut sorted[..n];
        if self.mode != ArpMode::Played {
            sorted.sort_unstable_by_key(|x| x.0);
        }
        if self.mode == ArpMode::Chord {
            let o = (index % octaves as u64) as u8;
            for &(p, v) in sorted.iter() {
                if let Some(p) = p.checked_add(12 * o).filter(|p| *p <= 127) {
                    out.push(p, v);
                }
            }
            return out;
        }
        // The keys across the octaves, lowest octave first; notes above 127 are left out.
        let mut pattern = [(0u8, 0u8); MAX_PATTERN];
        let mut m = 0;
        for o in 0..octaves as u8 {
            for &(p, v) in sorted.iter() {
                if let Some(p) = p.checked_add(12 * o).filter(|p| *p <= 127) {
                    pattern[m] = (p, v);
                    m += 1;
                }
            }
        }
        if m == 0 {
            return out;
        }
        let m64 = m as u64;
        let i = match self.mode {
            ArpMode::Up | ArpMode::Played | ArpMode::Chord => (index % m64) as usize,
            ArpMode::Down => m - 1 - (index % m64) as usize,
            ArpMode::Updown => {
                if m == 1 {
                    0
                } else {
                    let period = 2 * m64 - 2;
                    let k = (index % period) as usize;
                    if k < m {
                        k
                    } else {
                        period as usize - k
                    }
                }
            }
            ArpMode::Random => (super::rng::mix(self.seed, index) % m64) as usize,
        };
        out.push(pattern[i].0, pattern[i].1);
        out
    }

    /// Where grid step `k` (counted from beat 0 in steps of `rate`) sounds, in beats: its
    /// start (every odd step delayed by the swing) and its end (gate × the swung step's length).
    pub fn step_time(&self, k: u64) -> (f64, f64) {
        let swing = self.swing.clamp(0.5, 0.75);
        let pair = (k / 2) as f64 * 2.0 * self.rate;
        let (start, len) = if k % 2 == 0 {
            (pair, 2.0 * swing * self.rate)
        } else {
            (
                pair + 2.0 * swing * self.rate,
                2.0 * (1.0 - swing) * self.rate,
            )
        };
        (start, start + len * self.gate.clamp(f64::MIN_POSITIVE, 1.0))
    }

    /// The first grid step starting at or after `beat`.
    pub fn first_step_at(&self, beat: f64) -> u64 {
        let mut k = ((beat / self.rate).floor().max(0.0) as u64).saturating_sub(1);
        while self.step_time(k).0 < beat - 1e-9 {
            k += 1;
        }
        k
    }
}

/// A 0..1 fraction as a percentage without trailing zeros (`0.8` → `80`).
fn fmt_pct(x: f64) -> String {
    super::fx::fmt_num(x * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(keys: &[u8]) -> Held {
        let mut h = Held::new();
        for (i, &k) in keys.iter().enumerate() {
            h.press(k, 100 + i as u8);
        }
        h
    }

    fn run(a: &Arp, h: &Held, steps: u64) -> Vec<Vec<u8>> {
        (0..steps)
            .map(|i| a.step_notes(h, i).iter().map(|(p, _)| p).collect())
            .collect()
    }

    fn flat(v: Vec<Vec<u8>>) -> Vec<u8> {
        v.into_iter().flatten().collect()
    }

    fn arp(mode: ArpMode, octaves: u8) -> Arp {
        Arp {
            mode,
            octaves,
            ..Arp::default()
        }
    }

    #[test]
    fn modes_walk_the_held_keys() {
        // Pressed E, C, G.
        let h = held(&[64, 60, 67]);
        assert_eq!(
            flat(run(&arp(ArpMode::Up, 1), &h, 7)),
            vec![60, 64, 67, 60, 64, 67, 60]
        );
        assert_eq!(
            flat(run(&arp(ArpMode::Down, 1), &h, 4)),
            vec![67, 64, 60, 67]
        );
        assert_eq!(
            flat(run(&arp(ArpMode::Updown, 1), &h, 9)),
            vec![60, 64, 67, 64, 60, 64, 67, 64, 60]
        );
        assert_eq!(
            flat(run(&arp(ArpMode::Played, 1), &h, 4)),
            vec![64, 60, 67, 64]
        );
        assert_eq!(
            flat(run(&arp(ArpMode::Up, 2), &h, 7)),
            vec![60, 64, 67, 72, 76, 79, 60]
        );
        assert_eq!(
            flat(run(&arp(ArpMode::Updown, 2), &h, 11)),
            vec![60, 64, 67, 72, 76, 79, 76, 72, 67, 64, 60]
        );
        assert_eq!(
            run(&arp(ArpMode::Chord, 2), &h, 3),
            vec![vec![60, 64, 67], vec![72, 76, 79], vec![60, 64, 67]]
        );
        // Velocities travel with their keys.
        let s = arp(ArpMode::Up, 1).step_notes(&h, 0);
        assert_eq!(s.iter().next(), Some((60, 101)));
        // One key: updown stays on it; nothing held: nothing.
        assert_eq!(
            flat(run(&arp(ArpMode::Updown, 1), &held(&[50]), 3)),
            vec![50, 50, 50]
        );
        assert!(arp(ArpMode::Up, 1).step_notes(&Held::new(), 0).is_empty());
        // Octaves above 127 are left out.
        assert_eq!(
            flat(run(&arp(ArpMode::Up, 3), &held(&[110]), 3)),
            vec![110, 122, 110]
        );
    }

    #[test]
    fn random_is_seeded_and_stays_on_held_keys() {
        let h = held(&[60, 64, 67, 71]);
        let mut a = arp(ArpMode::Random, 2);
        a.seed = 9;
        let x = flat(run(&a, &h, 64));
        assert_eq!(x, flat(run(&a, &h, 64)));
        assert!(x
            .iter()
            .all(|p| [60, 64, 67, 71, 72, 76, 79, 83].contains(p)));
        a.seed = 10;
        assert_ne!(x, flat(run(&a, &h, 64)));
    }

    #[test]
    fn held_keeps_order_and_capacity() {
        let mut h = held(&[60, 64, 67]);
        h.release(64);
        assert_eq!(h.pitches(), &[60, 67]);
        assert!(h.press(60, 5));
        assert_eq!(h.pitches(), &[60, 67]);
        assert_eq!(h.velocities(), &[5, 102]);
        h.release(99);
        assert_eq!(h.len(), 2);
        let mut full = Held::new();
        for p in 0..MAX_HELD as u8 {
            assert!(full.press(p, 1));
        }
        assert!(!full.press(100, 1));
        assert_eq!(full.len(), MAX_HELD);
    }

    #[test]
    fn step_times_swing_and_gate() {
        let a = Arp {
            rate: 0.5,
            gate: 0.5,
            swing: 0.5,
            ..Arp::default()
        };
        assert_eq!(a.step_time(0), (0.0, 0.25));
        assert_eq!(a.step_time(3), (1.5, 1.75));
        // 2/3 swing on 8ths: the off-beat lands on the third triplet.
        let s = Arp {
            rate: 0.5,
            gate: 1.0,
            swing: 0.75,
            ..Arp::default()
        };
        assert_eq!(s.step_time(0), (0.0, 0.75));
        assert_eq!(s.step_time(1), (0.75, 1.0));
        assert_eq!(s.step_time(2), (1.0, 1.75));
        assert_eq!(a.first_step_at(0.0), 0);
        assert_eq!(a.first_step_at(0.1), 1);
        assert_eq!(a.first_step_at(1.5), 3);
        assert_eq!(s.first_step_at(0.8), 2);
    }

    #[test]
    fn words_parse_and_round_trip() {
        let a = Arp::parse_words("up 1/16 oct=2 gate=80 swing=55 latch").expect("valid");
        assert_eq!(a.mode, ArpMode::Up);
        assert_eq!(a.rate, 0.25);
        assert_eq!(a.octaves, 2);
        assert!((a.gate - 0.8).abs() < 1e-12);
        assert!((a.swing - 0.55).abs() < 1e-12);
        assert!(a.latch);
        assert_eq!(a.to_words(), "up 1/16 oct=2 gate=80 swing=55 latch");
        assert_eq!(Arp::parse_words(&a.to_words()), Ok(a));
        let r = Arp::parse_words("random 1/8t seed=7").expect("valid");
        assert_eq!(r.to_words(), "random 1/8t oct=1 gate=80 swing=50 seed=7");
        assert_eq!(Arp::parse_words("").expect("defaults"), Arp::default());
        assert_eq!(
            Arp::parse_words("sideways").unwrap_err(),
            "'sideways' is not an arpeggio mode (up, down, updown, random, played, chord)"
        );
        assert_eq!(
            Arp::parse_words("gate=0").unwrap_err(),
            "arp gate 0 % is outside 1..=100 %"
        );
        assert_eq!(
            Arp::parse_words("swing=90").unwrap_err(),
            "arp swing 90 % is outside 50..=75 %"
        );
        assert!(Arp::parse_words("1/7").unwrap_err().contains("'1/7'"));
        assert!(Arp::parse_words("oct=9").unwrap_err().contains("1..=4"));
        assert!(Arp::parse_words("wobble=3")
            .unwrap_err()
            .contains("'wobble=3' is not an arp setting"));
    }
}
