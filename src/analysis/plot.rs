//! Loudness over time as a plain-text chart (Unicode box drawing), for `tdaw analyze --plot`.
//!
//! Momentary loudness is drawn as a shaded area, short-term loudness as a line on top of it,
//! and the integrated loudness as a dotted rule. Pure function of the data: no terminal
//! access here, so it is testable and usable anywhere.

use super::loudness::LoudnessTimeline;

/// Lowest level ever drawn, LUFS (quieter values sit on the floor).
const FLOOR_LUFS: f64 = -70.0;

/// Draws the timeline into `width` × `height` character cells (axes included). Returns a
/// short note instead when there is nothing to draw.
pub fn loudness_chart(
    timeline: &LoudnessTimeline,
    integrated: Option<f64>,
    width: usize,
    height: usize,
) -> String {
    let values = timeline
        .momentary
        .iter()
        .chain(&timeline.short_term)
        .flatten()
        .copied()
        .filter(|v| *v >= FLOOR_LUFS);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() || timeline.momentary.is_empty() {
        return "(no loudness to plot: the audio is silent or shorter than 400 ms)\n".to_string();
    }
    // Round the scale outward to 5 LU and show at least 20 LU so flat signals stay readable.
    let top = (hi / 5.0).ceil() * 5.0;
    let bottom = ((lo / 5.0).floor() * 5.0).min(top - 20.0).max(FLOOR_LUFS);
    let rows = height.max(6) - 2;
    let label_w = 7; // "-23.0 ┤"
    let cols = width.max(label_w + 10) - label_w;

    let step = timeline.step_s.max(1e-6);
    let n = timeline.momentary.len();
    let duration = n as f64 * step;
    // Each column covers a time bucket: the loudest momentary value and the mean short-term.
    let bucket = |c: usize| {
        let a = c * n / cols;
        let b = ((c + 1) * n / cols).max(a + 1).min(n);
        (a, b)
    };
    let row_of = |v: f64| -> usize {
        let f = ((v - bottom) / (top - bottom)).clamp(0.0, 1.0);
        ((1.0 - f) * (rows - 1) as f64).round() as usize
    };
    let mut grid = vec![vec![' '; cols]; rows];
    let integrated_row = integrated.filter(|i| *i >= bottom && *i <= top).map(row_of);
    for c in 0..cols {
        let (a, b) = bucket(c);
        if a >= n {
            break;
        }
        let m = timeline.momentary[a..b]
            .iter()
            .flatten()
            .copied()
            .reduce(f64::max);
        if let Some(m) = m {
            for row in grid.iter_mut().skip(row_of(m.max(bottom))) {
                row[c] = '░';
            }
        }
        let s: Vec<f64> = timeline.short_term[a..b.min(timeline.short_term.len())]
            .iter()
            .flatten()
            .copied()
            .collect();
        // The integrated rule runs over the momentary area but under the short-term line.
        if let Some(r) = integrated_row {
            grid[r][c] = '┄';
        }
        if !s.is_empty() {
            let mean = s.iter().sum::<f64>() / s.len() as f64;
            grid[row_of(mean.max(bottom))][c] = '━';
        }
    }

    let mut out = String::new();
    out.push_str("LUFS   ░ momentary (400 ms)  ━ short-term (3 s)");
    if integrated.is_some() {
        out.push_str("  ┄ integrated");
    }
    out.push('\n');
    let label_every = (rows / 6).max(1);
    for (r, line) in grid.iter().enumerate() {
        let level = top - (top - bottom) * r as f64 / (rows - 1) as f64;
        if r % label_every == 0 || r == rows - 1 {
            out.push_str(&format!("{level:>5.0} ┤"));
        } else {
            out.push_str("      │");
        }
        out.extend(line.iter());
        out.push('\n');
    }
    // Time axis: a tick and a label about every 12 columns.
    let ticks = (cols / 12).max(1);
    let mut axis = vec!['─'; cols];
    let mut labels = vec![' '; cols + 8];
    for t in 0..=ticks {
        let c = (t * (cols - 1)) / ticks;
        axis[c] = '┬';
        let secs = duration * c as f64 / (cols - 1) as f64;
        let text = format_time(secs);
        let start = c.min(cols.saturating_sub(text.len()));
        let free = labels[start..start + text.len()]
            .iter()
            .all(|ch| *ch == ' ')
            && (start == 0 || labels[start - 1] == ' ');
        if free {
            for (i, ch) in text.chars().enumerate() {
                labels[start + i] = ch;
            }
        }
    }
    out.push_str("      └");
    out.extend(axis.iter());
    out.push('\n');
    out.push_str("       ");
    out.push_str(labels.iter().collect::<String>().trim_end());
    out.push('\n');
    out
}

/// `m:ss` (or `h:mm:ss`).
pub fn format_time(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(levels: &[f64]) -> LoudnessTimeline {
        LoudnessTimeline {
            step_s: 0.1,
            momentary: levels.iter().map(|l| Some(*l)).collect(),
            short_term: levels
                .iter()
                .enumerate()
                .map(|(i, l)| if i >= 29 { Some(*l) } else { None })
                .collect(),
        }
    }

    #[test]
    fn chart_has_the_requested_size_and_shows_a_step() {
        let mut levels = vec![-40.0; 300];
        levels.extend(vec![-20.0; 300]);
        let chart = loudness_chart(&timeline(&levels), Some(-23.0), 80, 16);
        let lines: Vec<&str> = chart.lines().collect();
        assert_eq!(lines.len(), 1 + 14 + 2, "{chart}");
        for l in &lines[1..15] {
            assert_eq!(l.chars().count(), 80, "{l:?}");
        }
        // The top row is reached only in the loud second half.
        let top: Vec<char> = lines[1].chars().skip(7).collect();
        assert!(top[..top.len() / 2].iter().all(|c| *c == ' '), "{chart}");
        assert!(
            top[top.len() / 2 + 2..].iter().all(|c| *c != ' '),
            "{chart}"
        );
        assert!(chart.contains('━') && chart.contains('░') && chart.contains('┄'));
        assert!(chart.contains("0:00") && chart.contains("1:00"), "{chart}");
    }

    #[test]
    fn silence_gives_a_note() {
        let t = LoudnessTimeline {
            step_s: 0.1,
            momentary: vec![None; 50],
            short_term: vec![None; 50],
        };
        assert!(loudness_chart(&t, None, 80, 16).contains("no loudness"));
    }

    #[test]
    fn times_are_formatted() {
        assert_eq!(format_time(0.0), "0:00");
        assert_eq!(format_time(75.4), "1:15");
        assert_eq!(format_time(3725.0), "1:02:05");
    }
}
