//! Positions on a grid, shared by the views that have a time cursor (arrange, piano roll) and
//! the timeline commands: snapping, stepping, the clip under a beat. Below the views.

use crate::model::Project;

/// The index of the clip on track `ti` that covers `beat`.
pub fn clip_at(project: &Project, ti: usize, beat: f64) -> Option<usize> {
    let t = project.tracks.get(ti)?;
    t.clips.iter().rposition(|c| {
        c.plays() && c.start <= beat + 1e-9 && project.clip_end_beat(c) > beat + 1e-9
    })
}

/// Rounds down to the grid.
pub fn floor_to(v: f64, grid: f64) -> f64 {
    ((v + 1e-9) / grid).floor() * grid
}

/// The last grid position before `end`: where vim's `$` puts the cursor (on the last step
/// inside, not after it).
pub fn last_step_before(end: f64, grid: f64) -> f64 {
    (((end - 1e-9) / grid).ceil() * grid - grid).max(0.0)
}

/// Moves the cursor `steps` grid steps (negative: left), snapping to the grid.
pub fn step(cursor: f64, grid: f64, steps: i64) -> f64 {
    let base = if steps < 0 {
        ((cursor - 1e-9) / grid).ceil()
    } else {
        ((cursor + 1e-9) / grid).floor()
    };
    ((base + steps as f64) * grid).max(0.0)
}

/// Steps `n` times from `pos` to the next (or previous) of the sorted positions `starts`,
/// stopping at the last one found: `w`/`b` over clips in the arrange view and notes in the
/// piano roll.
pub fn step_through(starts: &[f64], mut pos: f64, n: usize, forward: bool) -> f64 {
    for _ in 0..n {
        let next = if forward {
            starts.iter().copied().find(|s| *s > pos + 1e-9)
        } else {
            starts.iter().rev().copied().find(|s| *s < pos - 1e-9)
        };
        match next {
            Some(s) => pos = s,
            None => break,
        }
    }
    pos
}
