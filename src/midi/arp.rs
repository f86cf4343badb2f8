//! Rendering an arpeggio into notes (`tdaw midi arp`, the piano roll's arp command): the notes
//! sounding together are replaced by the pattern of [`Arp`] over them, one note every `rate` on
//! the grid, each lasting `gate` of its step.
//!
//! It steps through the same core as the engine's live arpeggiator (`model::arp`) with the same
//! rules, so a rendered arpeggio is note for note what the live one plays: steps sit on the
//! timeline's grid (`origin` is the timeline beat of content beat 0); a key counts at a step
//! when it is down at that instant (start ≤ t < end); the pattern restarts at the first step
//! with keys down after a step with none. Latch does not apply here (it would never end).

use crate::model::arp::{Arp, Held};
use crate::model::Note;

/// Beat comparisons (grid arithmetic in f64).
const EPS: f64 = 1e-9;

/// The arpeggio of `notes` (a clip's, in content beats) under `arp`; notes are ordered by
/// start, then pitch. Empty for no notes.
pub fn render(notes: &[Note], arp: &Arp, origin: f64) -> Vec<Note> {
    let mut keys: Vec<&Note> = notes.iter().filter(|n| n.length > 0.0).collect();
    if keys.is_empty() || arp.rate.is_nan() || arp.rate <= 0.0 {
        return Vec::new();
    }
    // Arrival order: start, then pitch (the order the engine schedules them in).
    keys.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.pitch.cmp(&b.pitch)));
    let first = keys.iter().map(|n| n.start).fold(f64::MAX, f64::min);
    let last = keys.iter().map(|n| n.end()).fold(0.0, f64::max);
    let channel = keys[0].channel;
    let mut out = Vec::new();
    let mut index = 0u64;
    let mut k = arp.first_step_at((origin + first).max(0.0));
    loop {
        let (on, off) = arp.step_time(k);
        let t = on - origin;
        if t >= last - EPS {
            break;
        }
        let mut held = Held::new();
        for n in keys
            .iter()
            .filter(|n| n.start <= t + EPS && n.end() > t + EPS)
        {
            held.press(n.pitch, n.velocity);
        }
        if held.is_empty() {
            index = 0;
        } else {
            for (pitch, velocity) in arp.step_notes(&held, index).iter() {
                out.push(Note {
                    pitch,
                    start: t,
                    length: off - on,
                    velocity,
                    channel,
                });
            }
            index += 1;
        }
        k += 1;
    }
    out.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.pitch.cmp(&b.pitch)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::arp::ArpMode;

    fn n(pitch: u8, start: f64, length: f64) -> Note {
        Note {
            pitch,
            start,
            length,
            velocity: 90,
            channel: 2,
        }
    }

    #[test]
    fn a_chord_becomes_sixteenths_on_the_grid() {
        // C major for one beat, then G alone for half a beat.
        let notes = vec![
            n(60, 0.0, 1.0),
            n(64, 0.0, 1.0),
            n(67, 0.0, 1.0),
            n(55, 1.0, 0.5),
        ];
        let a = Arp::default(); // up, 1/16, gate 80 %
        let r = render(&notes, &a, 0.0);
        let got: Vec<(u8, f64)> = r.iter().map(|x| (x.pitch, x.start)).collect();
        assert_eq!(
            got,
            vec![
                (60, 0.0),
                (64, 0.25),
                (67, 0.5),
                (60, 0.75),
                (55, 1.0),
                (55, 1.25)
            ]
        );
        assert!(r.iter().all(|x| (x.length - 0.2).abs() < 1e-12));
        assert!(r.iter().all(|x| x.channel == 2 && x.velocity == 90));
    }

    #[test]
    fn grid_follows_the_timeline_and_the_pattern_restarts() {
        // A clip placed at beat 0.1 of the timeline: steps on timeline 0.25, 0.5 → content 0.15…
        let notes = vec![
            n(60, 0.0, 0.5),
            n(64, 0.0, 0.5),
            n(62, 1.0, 0.3),
            n(65, 1.0, 0.3),
        ];
        let a = Arp {
            mode: ArpMode::Down,
            rate: 0.25,
            gate: 1.0,
            ..Arp::default()
        };
        let r = render(&notes, &a, 0.1);
        let got: Vec<(u8, f64)> = r
            .iter()
            .map(|x| (x.pitch, (x.start * 1e9).round() / 1e9))
            .collect();
        // Steps at content 0.15, 0.4 (first chord); 0.65, 0.9 none held; 1.15 restarts: down.
        assert_eq!(got, vec![(64, 0.15), (60, 0.4), (65, 1.15)]);
        assert!(render(&[], &a, 0.0).is_empty());
    }

    #[test]
    fn swing_delays_every_second_step() {
        let notes = vec![n(60, 0.0, 1.0)];
        let a = Arp {
            rate: 0.5,
            swing: 0.66,
            gate: 0.5,
            ..Arp::default()
        };
        let r = render(&notes, &a, 0.0);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].start, 0.0);
        assert!((r[0].length - 0.33).abs() < 1e-12);
        assert!((r[1].start - 0.66).abs() < 1e-12);
        assert!((r[1].length - 0.17).abs() < 1e-12);
    }
}
