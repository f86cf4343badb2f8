//! Groove: the human side of timing. [`humanize`] moves note starts and velocities by seeded
//! random amounts within bounds (time in milliseconds, converted at the project's tempo map, so
//! ±10 ms is ±10 ms at any tempo); a [`Groove`] is a per-step pattern of timing offsets and
//! velocity scales over a cycle (a bar), either a template (swung 16ths, laid back, pushed) or
//! extracted from a clip's notes, and applied to other notes with a strength.
//!
//! Randomness comes from `model::rng` (the crate's one generator): the same seed gives the
//! same notes everywhere. Positions are content beats; `origin` is the timeline beat of content
//! beat 0 (`clip.start - offset`), needed only to find the tempo a note plays at.

use crate::model::rng::Rng;
use crate::model::{Note, TempoMap};

/// How much humanize may move each note.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Humanize {
    /// Largest move of a start, in milliseconds either way (≥ 0).
    pub time_ms: f64,
    /// Largest change of a velocity, either way (the result stays in 1..=127).
    pub velocity: u8,
    pub seed: u64,
}

/// Humanizes the selection (`None`: every note): each start moves by at most ±`time_ms`
/// (never before content beat 0), each velocity by at most ±`velocity`; lengths stay. Every
/// note draws its two numbers in note order whether or not it is selected, so a note's move
/// depends only on the seed and its position in the clip.
pub fn humanize(
    notes: &[Note],
    sel: Option<&[usize]>,
    h: &Humanize,
    tempo: &TempoMap,
    origin: f64,
) -> Vec<Note> {
    let mut rng = Rng::new(h.seed);
    let span = h.time_ms.max(0.0) / 1000.0;
    let mut out = notes.to_vec();
    // A mask, not `sel.contains` per note (quadratic on a large selection).
    let picked: Option<Vec<bool>> = sel.map(|s| {
        let mut m = vec![false; notes.len()];
        for &i in s {
            if let Some(b) = m.get_mut(i) {
                *b = true;
            }
        }
        m
    });
    let clock = Clock::new(tempo);
    for (i, n) in out.iter_mut().enumerate() {
        let dt = rng.bipolar() * span;
        let dv = rng.int_within(h.velocity as i64);
        if picked.as_ref().is_some_and(|m| !m[i]) {
            continue;
        }
        if span > 0.0 {
            let t = clock.seconds((origin + n.start).max(0.0)) + dt;
            let start = clock.beat(t.max(0.0)) - origin;
            // Clamped towards the original start, so the move stays within its bound.
            n.start = start.max(0.0);
        }
        n.velocity = (n.velocity as i64 + dv).clamp(1, 127) as u8;
    }
    out
}

/// The tempo map's beat ↔ seconds conversion with each segment's start time computed once, so
/// a note's conversion is a binary search instead of a walk over every tempo change (the same
/// arithmetic as `TempoMap::beat_to_seconds` / `seconds_to_beat` within each segment).
struct Clock {
    /// (beat, seconds at that beat, bpm) per tempo change.
    segs: Vec<(f64, f64, f64)>,
}

impl Clock {
    fn new(tempo: &TempoMap) -> Clock {
        let mut segs = Vec::with_capacity(tempo.changes().len());
        let mut seconds = 0.0;
        for (i, c) in tempo.changes().iter().enumerate() {
            if i > 0 {
                let (b, _, bpm) = segs[i - 1];
                seconds += (c.beat - b) * 60.0 / bpm;
            }
            segs.push((c.beat, seconds, c.bpm));
        }
        if segs.is_empty() {
            segs.push((0.0, 0.0, tempo.initial_bpm()));
        }
        Clock { segs }
    }

    fn seconds(&self, beat: f64) -> f64 {
        let i = self.segs.partition_point(|s| s.0 < beat).saturating_sub(1);
        let (b, s, bpm) = self.segs[i];
        s + (beat - b) * 60.0 / bpm
    }

    fn beat(&self, seconds: f64) -> f64 {
        let i = self
            .segs
            .partition_point(|s| s.1 <= seconds)
            .saturating_sub(1);
        let (b, s, bpm) = self.segs[i];
        b + (seconds - s) * bpm / 60.0
    }
}

/// One step of a groove: where notes near it land, as a share of a step (+ late, − early), and
/// how their velocity is scaled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrooveStep {
    pub offset: f64,
    pub velocity: f64,
}

/// A timing and dynamics pattern over a cycle of `steps.len()` grid steps of `step` beats.
#[derive(Debug, Clone, PartialEq)]
pub struct Groove {
    pub step: f64,
    pub steps: Vec<GrooveStep>,
}

/// The names [`Groove::template`] knows.
pub const TEMPLATES: [&str; 3] = ["swing16", "laidback", "pushed"];

impl Groove {
    /// A built-in groove over a 4/4 bar of 16ths: `swing16` (every second 16th a third of a
    /// step late — 66 % swing — and softer), `laidback` (everything a little behind, off-beats
    /// softer), `pushed` (everything a little ahead, downbeats accented).
    pub fn template(name: &str) -> Option<Groove> {
        let steps = (0..16)
            .map(|i| {
                let (offset, velocity) = match name {
                    "swing16" => {
                        if i % 2 == 1 {
                            (1.0 / 3.0, 0.85)
                        } else {
                            (0.0, 1.0)
                        }
                    }
                    "laidback" => (0.12, if i % 4 == 0 { 1.0 } else { 0.9 }),
                    "pushed" => (-0.08, if i % 4 == 0 { 1.1 } else { 1.0 }),
                    _ => (f64::NAN, 0.0),
                };
                GrooveStep { offset, velocity }
            })
            .collect::<Vec<_>>();
        if steps.iter().any(|s| s.offset.is_nan()) {
            return None;
        }
        Some(Groove { step: 0.25, steps })
    }

    /// The groove of `notes` over a cycle of `cycle` steps of `step` beats: per step, the mean
    /// offset of the notes nearest to it (in steps) and their mean velocity relative to the
    /// mean of all notes. Steps no note is near keep offset 0 and scale 1.
    pub fn extract(notes: &[Note], step: f64, cycle: usize) -> Groove {
        let cycle = cycle.max(1);
        let mut sum = vec![(0.0f64, 0.0f64, 0usize); cycle];
        for n in notes {
            let k = (n.start / step).round();
            let j = (k as i64).rem_euclid(cycle as i64) as usize;
            sum[j].0 += (n.start - k * step) / step;
            sum[j].1 += n.velocity as f64;
            sum[j].2 += 1;
        }
        let mean_v = if notes.is_empty() {
            1.0
        } else {
            notes.iter().map(|n| n.velocity as f64).sum::<f64>() / notes.len() as f64
        };
        let steps = sum
            .into_iter()
            .map(|(o, v, c)| match c {
                0 => GrooveStep {
                    offset: 0.0,
                    velocity: 1.0,
                },
                c => GrooveStep {
                    offset: o / c as f64,
                    velocity: v / c as f64 / mean_v,
                },
            })
            .collect();
        Groove { step, steps }
    }

    /// Applies the groove to the selection (`None`: every note) with `strength` 0..=1: each
    /// note moves that share of the way from where it is to its nearest step's grooved
    /// position, and its velocity that share towards the scaled one (kept in 1..=127). No start
    /// goes below 0.
    pub fn apply(&self, notes: &[Note], sel: Option<&[usize]>, strength: f64) -> Vec<Note> {
        let strength = strength.clamp(0.0, 1.0);
        let mut out = notes.to_vec();
        if self.steps.is_empty() || self.step.is_nan() || self.step <= 0.0 {
            return out;
        }
        for (i, n) in out.iter_mut().enumerate() {
            if sel.is_some_and(|s| !s.contains(&i)) {
                continue;
            }
            let k = (n.start / self.step).round();
            let g = self.steps[(k as i64).rem_euclid(self.steps.len() as i64) as usize];
            let target = (k + g.offset) * self.step;
            n.start = (n.start + (target - n.start) * strength).max(0.0);
            let v = n.velocity as f64;
            let to = v * g.velocity;
            n.velocity = (v + (to - v) * strength).round().clamp(1.0, 127.0) as u8;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TempoChange;
    use proptest::prelude::*;

    #[test]
    fn the_clock_converts_exactly_as_the_tempo_map() {
        let tempo = TempoMap::from_changes(
            [(0.0, 120.0), (4.0, 90.0), (9.0, 150.0), (30.0, 61.0)]
                .iter()
                .map(|&(beat, bpm)| TempoChange { beat, bpm })
                .collect(),
        );
        let clock = Clock::new(&tempo);
        for i in 0..400 {
            let b = i as f64 * 0.125;
            assert_eq!(clock.seconds(b), tempo.beat_to_seconds(b), "beat {b}");
            let t = i as f64 * 0.0625;
            assert_eq!(clock.beat(t), tempo.seconds_to_beat(t), "second {t}");
        }
        let one = Clock::new(&TempoMap::constant(100.0));
        assert_eq!(one.seconds(3.0), 1.8);
    }

    fn n(start: f64, velocity: u8) -> Note {
        Note {
            pitch: 60,
            start,
            length: 0.25,
            velocity,
            channel: 0,
        }
    }

    #[test]
    fn humanize_exact_small_case() {
        let tempo = TempoMap::constant(120.0);
        let ns = vec![n(0.0, 100), n(1.0, 1), n(2.0, 127)];
        let h = Humanize {
            time_ms: 10.0,
            velocity: 8,
            seed: 1,
        };
        let a = humanize(&ns, None, &h, &tempo, 0.0);
        assert_eq!(a, humanize(&ns, None, &h, &tempo, 0.0));
        // At 120 BPM 10 ms is 0.02 beats.
        for (x, y) in a.iter().zip(&ns) {
            assert!((x.start - y.start).abs() <= 0.02 + 1e-12);
            assert!((x.velocity as i32 - y.velocity as i32).abs() <= 8);
            assert_eq!(x.length, y.length);
        }
        assert!(a[0].start >= 0.0);
        // Zero amounts change nothing.
        let none = Humanize {
            time_ms: 0.0,
            velocity: 0,
            seed: 5,
        };
        assert_eq!(humanize(&ns, None, &none, &tempo, 0.0), ns);
        // Only the selection moves.
        let s = humanize(&ns, Some(&[1]), &h, &tempo, 0.0);
        assert_eq!(s[0], ns[0]);
        assert_eq!(s[1], a[1]);
    }

    #[test]
    fn templates_extract_and_apply() {
        assert_eq!(Groove::template("bossa"), None);
        let sw = Groove::template("swing16").expect("known");
        assert_eq!(sw.steps.len(), 16);
        // Straight 16ths at full strength land on the swung 16ths.
        let straight: Vec<Note> = (0..4).map(|i| n(i as f64 * 0.25, 100)).collect();
        let g = sw.apply(&straight, None, 1.0);
        let st: Vec<f64> = g.iter().map(|x| x.start).collect();
        assert!((st[1] - (0.25 + 0.25 / 3.0)).abs() < 1e-12);
        assert_eq!(st[2], 0.5);
        assert_eq!(g[1].velocity, 85);
        assert_eq!(g[0].velocity, 100);
        // Extracted from a clip played late on the off-beats, applied at half strength.
        let played = vec![n(0.0, 100), n(0.6, 60), n(1.0, 100), n(1.6, 60)];
        let ex = Groove::extract(&played, 0.5, 2);
        assert_eq!(ex.steps.len(), 2);
        assert!((ex.steps[1].offset - 0.2).abs() < 1e-9);
        assert!((ex.steps[1].velocity - 0.75).abs() < 1e-9);
        assert!((ex.steps[0].velocity - 1.25).abs() < 1e-9);
        let target = vec![n(2.5, 80)];
        let out = ex.apply(&target, None, 0.5);
        assert!((out[0].start - 2.55).abs() < 1e-9);
        assert_eq!(out[0].velocity, 70);
        assert_eq!(ex.apply(&target, None, 0.0), target);
    }

    proptest! {
        #[test]
        fn humanize_seeded_and_bounded(
            starts in proptest::collection::vec((0.0f64..32.0, 1u8..=127), 1..50),
            ms in 0.0f64..50.0,
            vel in 0u8..30,
            seed in any::<u64>(),
            bpm in 40.0f64..240.0,
        ) {
            let tempo = TempoMap::constant(bpm);
            let ns: Vec<Note> = starts.iter().map(|&(s, v)| n(s, v)).collect();
            let h = Humanize { time_ms: ms, velocity: vel, seed };
            let a = humanize(&ns, None, &h, &tempo, 4.0);
            prop_assert_eq!(&a, &humanize(&ns, None, &h, &tempo, 4.0));
            let bound = ms / 1000.0 * bpm / 60.0 + 1e-9;
            for (x, y) in a.iter().zip(&ns) {
                prop_assert!(x.start >= 0.0);
                prop_assert!((x.start - y.start).abs() <= bound);
                prop_assert!((1..=127).contains(&x.velocity));
                prop_assert!((x.velocity as i32 - y.velocity as i32).abs() <= vel as i32);
            }
            if ms > 1.0 && ns.len() > 3 {
                let other = Humanize { seed: seed ^ 1, ..h };
                prop_assert_ne!(a, humanize(&ns, None, &other, &tempo, 4.0));
            }
        }
    }
}
