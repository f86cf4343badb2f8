//! Quantize: moving notes to a grid, as the piano roll's `q`, `:quantize` and `tdaw midi
//! quantize` do.
//!
//! A [`Grid`] is a note value (`1/16`, triplets `1/8t`, dotted `1/8.`) read by the one note-value
//! parser the delay already uses. [`Quantize`] adds strength, swing (every second grid line
//! delayed: 66 % turns an 8th pair into a triplet feel), what happens to lengths (kept, rounded
//! to whole steps, or ends moved to grid lines too) and a window (notes farther than that share
//! of a step from every line are left alone, so a deliberate push survives). At full strength
//! quantizing twice changes nothing more: every line is computed from its integer index, so a
//! note already on a line finds exactly that line again. Positions are the clip's content beats.

use super::ops::NoteOpError;
use crate::model::fx::{note_value_beats, note_value_text};
use crate::model::Note;

/// A quantize grid, in beats (quarter notes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid(pub f64);

impl Grid {
    /// `1/1` … `1/64`, `t` triplets, `.` dotted; the message names the text and what is allowed.
    pub fn parse(text: &str) -> Result<Grid, String> {
        let b = note_value_beats(text)?;
        if !(4.0 / 64.0 * (2.0 / 3.0) - 1e-9..=4.0 + 1e-9).contains(&b) {
            return Err(format!(
                "'{}' is not a grid between 1/1 and 1/64 (try 1/16, 1/8t, 1/8.)",
                text.trim()
            ));
        }
        Ok(Grid(b))
    }

    pub fn beats(self) -> f64 {
        self.0
    }

    /// `1/16`, `1/8t`, `1/8.`.
    pub fn name(self) -> String {
        note_value_text(self.0)
    }
}

/// What quantize does to a note's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lengths {
    /// Starts only; lengths stay (the shell's default).
    Keep,
    /// Lengths to whole grid steps, at least one (the piano roll's `q`).
    Steps,
    /// Ends to grid lines too (`--ends`); a note never ends on or before its start.
    Ends,
}

/// How to quantize.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantize {
    /// Grid step in beats.
    pub grid: f64,
    /// 0..=1: how far notes move towards their line.
    pub strength: f64,
    /// 0.5 (straight) ..= 0.75: where the second line of each pair of steps sits.
    pub swing: f64,
    pub lengths: Lengths,
    /// 0..=1 of a step: notes farther than this from every line stay. 0.5 or more takes all.
    pub window: f64,
}

impl Quantize {
    /// Full strength, straight, every note, starts only.
    pub fn new(grid: f64) -> Quantize {
        Quantize {
            grid,
            strength: 1.0,
            swing: 0.5,
            lengths: Lengths::Keep,
            window: 1.0,
        }
    }

    /// The piano roll's `q`: full strength, lengths to whole steps.
    pub fn steps(grid: f64) -> Quantize {
        Quantize {
            lengths: Lengths::Steps,
            ..Quantize::new(grid)
        }
    }

    fn validate(&self) -> Result<(), NoteOpError> {
        if !self.grid.is_finite() || self.grid <= 0.0 {
            return Err(NoteOpError::BadGrid(self.grid));
        }
        if !(0.0..=1.0).contains(&self.strength) {
            return Err(NoteOpError::BadStrength(self.strength));
        }
        if !(0.5..=0.75).contains(&self.swing) {
            return Err(NoteOpError::BadSwing(self.swing));
        }
        if !(0.0..=1.0).contains(&self.window) {
            return Err(NoteOpError::BadWindow(self.window));
        }
        Ok(())
    }

    /// Grid line `i` (0, 1, 2, … from beat 0): even lines on the pair boundary, odd ones
    /// delayed by the swing. Always computed the same way, which keeps quantize idempotent.
    fn line(&self, i: i64) -> f64 {
        let pair = 2.0 * self.grid;
        let base = i.div_euclid(2) as f64 * pair;
        if i.rem_euclid(2) == 0 {
            base
        } else {
            base + self.swing * pair
        }
    }

    /// The index of the grid line nearest to `beat` (the earlier one on a tie).
    fn nearest_index(&self, beat: f64) -> i64 {
        let p = (beat / (2.0 * self.grid)).floor() as i64;
        let mut best = 2 * (p - 1);
        let mut dist = f64::INFINITY;
        for i in 2 * (p - 1)..=2 * (p + 1) {
            let d = (self.line(i) - beat).abs();
            if d < dist {
                best = i;
                dist = d;
            }
        }
        best
    }

    /// The grid line nearest to `beat`.
    pub fn nearest_line(&self, beat: f64) -> f64 {
        self.line(self.nearest_index(beat))
    }
}

/// Quantizes the selection (`None`: every note). Returns the notes and how many changed. No
/// start goes below 0 and no length reaches 0.
pub fn quantize(
    notes: &[Note],
    sel: Option<&[usize]>,
    q: &Quantize,
) -> Result<(Vec<Note>, usize), NoteOpError> {
    q.validate()?;
    let mut out = notes.to_vec();
    let mut changed = 0;
    let mut one = |n: &mut Note| {
        let i = q.nearest_index(n.start);
        let line = q.line(i).max(0.0);
        if (n.start - line).abs() > q.window * q.grid + 1e-9 {
            return;
        }
        let toward = |from: f64, to: f64| {
            // Full strength stays exact: no `a + 1.0 * (b - a)` rounding.
            if q.strength < 1.0 {
                from + (to - from) * q.strength
            } else {
                to
            }
        };
        let start = toward(n.start, line).max(0.0);
        let length = match q.lengths {
            Lengths::Keep => n.length,
            Lengths::Steps => toward(n.length, ((n.length / q.grid).round() * q.grid).max(q.grid)),
            Lengths::Ends => {
                let mut j = q.nearest_index(n.end());
                if q.line(j) <= line + 1e-9 {
                    j = i + 1;
                }
                let end = toward(n.end(), q.line(j));
                end - start
            }
        };
        // A degenerate note (zero length in the file) keeps a sliver rather than vanishing.
        let length = if length > 0.0 { length } else { n.length };
        if start != n.start || length != n.length {
            changed += 1;
        }
        n.start = start;
        n.length = length;
    };
    match sel {
        Some(s) => {
            let mut idx: Vec<usize> = s.iter().copied().filter(|&i| i < notes.len()).collect();
            idx.sort_unstable();
            idx.dedup();
            for i in idx {
                one(&mut out[i]);
            }
        }
        None => out.iter_mut().for_each(one),
    }
    Ok((out, changed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(pitch: u8, start: f64, length: f64) -> Note {
        Note {
            pitch,
            start,
            length,
            velocity: 100,
            channel: 0,
        }
    }

    fn starts(v: &[Note]) -> Vec<f64> {
        v.iter().map(|n| n.start).collect()
    }

    fn lengths(v: &[Note]) -> Vec<f64> {
        v.iter().map(|n| n.length).collect()
    }

    #[test]
    fn grids_parse() {
        assert_eq!(Grid::parse("1/16"), Ok(Grid(0.25)));
        assert_eq!(Grid::parse("1/1"), Ok(Grid(4.0)));
        assert_eq!(Grid::parse("1/8."), Ok(Grid(0.75)));
        assert!((Grid::parse("1/8t").expect("triplet").0 - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(
            Grid::parse("1/64t").map(Grid::name),
            Ok("1/64t".to_string())
        );
        assert_eq!(
            Grid::parse("1/7"),
            Err("'1/7' is not a note value (try 1/4, 1/8., 1/16t)".to_string())
        );
        assert!(Grid::parse("2/1")
            .unwrap_err()
            .contains("between 1/1 and 1/64"));
    }

    #[test]
    fn steps_full_and_partial_strength() {
        // The piano roll's `q` as it always was.
        let ns = vec![n(60, 0.3, 0.6), n(62, 1.0, 1.0), n(64, 2.9, 0.1)];
        let (q, changed) = quantize(&ns, None, &Quantize::steps(1.0)).expect("valid");
        assert_eq!(changed, 2);
        assert_eq!(starts(&q), vec![0.0, 1.0, 3.0]);
        assert_eq!(lengths(&q), vec![1.0, 1.0, 1.0]);
        let half = Quantize {
            strength: 0.5,
            ..Quantize::steps(0.5)
        };
        let (q, changed) = quantize(&ns, Some(&[0]), &half).expect("valid");
        assert_eq!(changed, 1);
        assert!((q[0].start - 0.4).abs() < 1e-12);
        assert!((q[0].length - 0.55).abs() < 1e-12);
        assert_eq!(q[2], ns[2]);
        assert_eq!(
            quantize(&ns, None, &Quantize::steps(0.0)),
            Err(NoteOpError::BadGrid(0.0))
        );
        let strong = Quantize {
            strength: 1.5,
            ..Quantize::new(1.0)
        };
        assert_eq!(
            quantize(&ns, None, &strong),
            Err(NoteOpError::BadStrength(1.5))
        );
    }

    #[test]
    fn starts_only_ends_swing_and_window() {
        let ns = vec![n(60, 0.3, 0.6), n(62, 1.1, 0.3), n(64, 2.45, 0.55)];
        let (q, changed) = quantize(&ns, None, &Quantize::new(0.5)).expect("valid");
        assert_eq!(changed, 3);
        assert_eq!(starts(&q), vec![0.5, 1.0, 2.5]);
        assert_eq!(lengths(&q), lengths(&ns));
        // Ends: 0.3..0.9 → 0.5..1.0; 1.1..1.4 → 1.0..1.5 (ends at 1.5: never on its start);
        // 2.45..3.0 → 2.5..3.0.
        let ends = Quantize {
            lengths: Lengths::Ends,
            ..Quantize::new(0.5)
        };
        let (q, _) = quantize(&ns, None, &ends).expect("valid");
        assert_eq!(starts(&q), vec![0.5, 1.0, 2.5]);
        assert_eq!(lengths(&q), vec![0.5, 0.5, 0.5]);
        // Swing 66 % on 8ths: the lines are 0, 0.66, 1, 1.66, …
        let swung = Quantize {
            swing: 0.66,
            ..Quantize::new(0.5)
        };
        let (q, _) = quantize(&[n(60, 0.5, 0.5), n(60, 1.4, 0.1)], None, &swung).expect("ok");
        assert!((q[0].start - 0.66).abs() < 1e-12);
        assert!((q[1].start - 1.66).abs() < 1e-12);
        // Window 10 %: 0.3 is 0.2 from a 0.5 line (40 % of a step), left alone; 1.02 moves.
        let narrow = Quantize {
            window: 0.1,
            ..Quantize::new(0.5)
        };
        let (q, changed) =
            quantize(&[n(60, 0.3, 0.5), n(60, 1.02, 0.5)], None, &narrow).expect("valid");
        assert_eq!(changed, 1);
        assert_eq!(starts(&q), vec![0.3, 1.0]);
        assert_eq!(
            quantize(
                &ns,
                None,
                &Quantize {
                    swing: 0.9,
                    ..Quantize::new(0.5)
                }
            ),
            Err(NoteOpError::BadSwing(0.9))
        );
    }

    fn arb_notes() -> impl Strategy<Value = Vec<Note>> {
        proptest::collection::vec((0u8..128, 0.0f64..64.0, 0.001f64..8.0), 0..40)
            .prop_map(|v| v.into_iter().map(|(p, s, l)| n(p, s, l)).collect())
    }

    proptest! {
        #[test]
        fn idempotent_never_negative_never_empty(
            notes in arb_notes(),
            g in 0usize..9,
            swing in 0.5f64..=0.75,
            window in 0.0f64..=1.0,
            mode in 0usize..3,
        ) {
            let grids = ["1/1", "1/4", "1/8", "1/8t", "1/16", "1/16.", "1/32", "1/64", "1/2."];
            let grid = Grid::parse(grids[g]).map(|g| g.0).unwrap_or(1.0 / 3.0);
            let q = Quantize {
                grid,
                strength: 1.0,
                swing,
                lengths: [Lengths::Keep, Lengths::Steps, Lengths::Ends][mode],
                window,
            };
            let (once, _) = quantize(&notes, None, &q).expect("valid");
            let (twice, changed) = quantize(&once, None, &q).expect("valid");
            prop_assert_eq!(changed, 0);
            prop_assert_eq!(&once, &twice);
            for x in &once {
                prop_assert!(x.start >= 0.0);
                prop_assert!(x.length > 0.0);
            }
        }
    }
}
