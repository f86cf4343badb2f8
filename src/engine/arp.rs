//! The live arpeggiator: a MIDI effect between a track's notes (scheduled clip notes, piano-roll
//! auditions, live MIDI input) and its instrument. The keys go to [`LiveArp`], which plays the
//! pattern of `model::arp` on the tempo grid: step `k` sounds at the sample of beat
//! `Arp::step_time(k)` (the tempo map's exact tick, sample-accurate inside the block), its note
//! ends at the gate. While the transport is stopped the grid runs on a free clock, so an
//! audition still arpeggiates.
//!
//! It follows the rules `midi::arp::render` follows (a key counts at a step when it is down at
//! that sample — offs, then keys, then the step at one sample; the pattern restarts at the
//! first step with keys after a step without), so a rendered arpeggio is what the live one
//! plays. Runs on the audio thread: fixed arrays and one buffer reserved when it is built; it
//! never allocates, locks or logs.

use super::instrument::NoteEvent;
use super::transport::TempoGrid;
use crate::model::arp::{Arp, Held};

/// Arpeggio notes that may sound at once (beyond this a step's extra notes are skipped).
const MAX_SOUNDING: usize = 64;

/// A note the arpeggiator started and must end.
#[derive(Clone, Copy, Debug, Default)]
struct Sounding {
    pitch: u8,
    channel: u8,
    off: u64,
}

/// One track's live arpeggiator.
pub struct LiveArp {
    arp: Arp,
    /// Keys down now.
    keys: Held,
    /// What the pattern plays: the keys, or with latch the last chord after they went up.
    chord: Held,
    /// Channel of the last key, for the notes the pattern plays.
    channel: u8,
    /// The pattern's step (0 at the first step with keys).
    index: u64,
    sounding: [Sounding; MAX_SOUNDING],
    sounding_len: usize,
    /// With latch: the keys all went up, so the next key starts a new chord.
    latch_open: bool,
    /// The grid position while the transport is stopped (advances by each block).
    clock: u64,
    out: Vec<NoteEvent>,
}

impl LiveArp {
    /// Built off the audio thread; `capacity` is how many events one block may produce.
    pub fn new(arp: Arp, capacity: usize) -> LiveArp {
        LiveArp {
            arp,
            keys: Held::new(),
            chord: Held::new(),
            channel: 0,
            index: 0,
            sounding: [Sounding::default(); MAX_SOUNDING],
            sounding_len: 0,
            latch_open: false,
            clock: 0,
            out: Vec::with_capacity(capacity + 2 * MAX_SOUNDING),
        }
    }

    /// The settings it plays.
    pub fn settings(&self) -> &Arp {
        &self.arp
    }

    /// Forgets every key and sounding note without sending offs (the instrument is reset or
    /// told all notes off by the caller: a seek, a loop wrap).
    pub fn reset(&mut self) {
        self.keys.clear();
        self.chord.clear();
        self.index = 0;
        self.sounding_len = 0;
        self.latch_open = false;
    }

    /// With latch and every key up: forget the latched chord, so no new step starts; notes
    /// already sounding still end at their gate.
    pub fn end_latch(&mut self) {
        if self.arp.latch && self.keys.is_empty() {
            self.chord.clear();
            self.index = 0;
            self.latch_open = false;
        }
    }

    /// The timeline sample of beat `b` (the tempo map's exact tick, as the scheduled notes).
    fn sample_of(&self, grid: &TempoGrid, b: f64) -> u64 {
        let s = grid.sample_of(b);
        if s <= 0.0 {
            0
        } else {
            s.round() as u64
        }
    }

    /// Turns the block's key events (sorted by frame) into the arpeggio's events for the
    /// instrument, sorted by frame. `pos` is the block's first timeline sample; `rolling`
    /// whether the transport moves (when not, the free clock stands in for `pos`). Audio thread.
    pub fn process(
        &mut self,
        input: &[NoteEvent],
        pos: u64,
        n: usize,
        rolling: bool,
        grid: &TempoGrid,
    ) -> &[NoteEvent] {
        self.out.clear();
        let base = if rolling { pos } else { self.clock };
        self.clock = base + n as u64;
        let end = base + n as u64;
        // The first grid step at or after `base` (exact samples, not beats, decide).
        let mut k = self.arp.first_step_at(grid.beat_at(base as f64));
        while k > 0 && self.sample_of(grid, self.arp.step_time(k - 1).0) >= base {
            k -= 1;
        }
        while self.sample_of(grid, self.arp.step_time(k).0) < base {
            k += 1;
        }
        let mut step_at = self.sample_of(grid, self.arp.step_time(k).0);
        let mut ei = 0;
        loop {
            let ev = input
                .get(ei)
                .map(|e| base + (e.frame() as u64).min(n.saturating_sub(1) as u64));
            let off = self.sounding[..self.sounding_len]
                .iter()
                .map(|s| s.off)
                .min()
                .filter(|&o| o < end);
            let step = Some(step_at).filter(|&s| s < end);
            let Some(t) = [off, ev, step].into_iter().flatten().min() else {
                break;
            };
            let frame = (t - base) as u32;
            if off == Some(t) {
                self.end_notes_due(t, frame);
            } else if ev == Some(t) {
                self.key(&input[ei], frame);
                ei += 1;
            } else {
                self.step(k, frame, t, grid);
                k += 1;
                step_at = self.sample_of(grid, self.arp.step_time(k).0);
            }
        }
        &self.out
    }

    fn emit(&mut self, e: NoteEvent) {
        // The buffer was reserved for the worst block; never grow it on the audio thread.
        if self.out.len() < self.out.capacity() {
            self.out.push(e);
        }
    }

    /// Ends the arpeggio notes due at sample `t`.
    fn end_notes_due(&mut self, t: u64, frame: u32) {
        let mut i = 0;
        while i < self.sounding_len {
            let s = self.sounding[i];
            if s.off <= t {
                self.emit(NoteEvent::Off {
                    frame,
                    channel: s.channel,
                    pitch: s.pitch,
                });
                self.sounding[i] = self.sounding[self.sounding_len - 1];
                self.sounding_len -= 1;
            } else {
                i += 1;
            }
        }
    }

    /// A key event: keys change what the pattern plays; everything else passes through.
    fn key(&mut self, e: &NoteEvent, frame: u32) {
        match *e {
            NoteEvent::On {
                channel,
                pitch,
                velocity,
                ..
            } if velocity > 0 => {
                if self.arp.latch && self.latch_open {
                    self.chord.clear();
                    self.latch_open = false;
                }
                self.keys.press(pitch, velocity);
                self.chord.press(pitch, velocity);
                self.channel = channel;
            }
            NoteEvent::On { pitch, .. } | NoteEvent::Off { pitch, .. } => {
                self.keys.release(pitch);
                if !self.arp.latch {
                    self.chord.release(pitch);
                } else if self.keys.is_empty() {
                    self.latch_open = true;
                }
            }
            NoteEvent::AllNotesOff { .. } => {
                self.reset();
                self.emit(NoteEvent::AllNotesOff { frame });
            }
            other => {
                let mut other = other;
                set_frame(&mut other, frame);
                self.emit(other);
            }
        }
    }

    /// Grid step `k` at sample `t`.
    fn step(&mut self, k: u64, frame: u32, t: u64, grid: &TempoGrid) {
        if self.chord.is_empty() {
            self.index = 0;
            return;
        }
        let notes = self.arp.step_notes(&self.chord, self.index);
        self.index += 1;
        let off = self.sample_of(grid, self.arp.step_time(k).1).max(t + 1);
        for (pitch, velocity) in notes.iter() {
            // A pitch still sounding is ended first, so it retriggers.
            if let Some(i) = self.sounding[..self.sounding_len]
                .iter()
                .position(|s| s.pitch == pitch && s.channel == self.channel)
            {
                self.emit(NoteEvent::Off {
                    frame,
                    channel: self.channel,
                    pitch,
                });
                self.sounding[i] = self.sounding[self.sounding_len - 1];
                self.sounding_len -= 1;
            }
            if self.sounding_len == MAX_SOUNDING {
                continue;
            }
            self.sounding[self.sounding_len] = Sounding {
                pitch,
                channel: self.channel,
                off,
            };
            self.sounding_len += 1;
            self.emit(NoteEvent::On {
                frame,
                channel: self.channel,
                pitch,
                velocity,
            });
        }
    }
}

/// Moves an event to `frame`.
fn set_frame(e: &mut NoteEvent, at: u32) {
    match e {
        NoteEvent::On { frame, .. }
        | NoteEvent::Off { frame, .. }
        | NoteEvent::AllNotesOff { frame }
        | NoteEvent::Control { frame, .. }
        | NoteEvent::PitchBend { frame, .. } => *frame = at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{TempoMap, TimeSignature};

    fn grid() -> TempoGrid {
        // 120 BPM at 48 kHz: a beat is 24,000 samples, a 16th 6,000.
        TempoGrid::new(&TempoMap::constant(120.0), TimeSignature::default(), 48_000)
    }

    fn on(frame: u32, pitch: u8) -> NoteEvent {
        NoteEvent::On {
            frame,
            channel: 0,
            pitch,
            velocity: 100,
        }
    }

    fn off(frame: u32, pitch: u8) -> NoteEvent {
        NoteEvent::Off {
            frame,
            channel: 0,
            pitch,
        }
    }

    /// Runs blocks of `n` from sample 0, the key events given at timeline samples; returns the
    /// arpeggio's events at timeline samples.
    fn run(a: Arp, keys: &[(u64, NoteEvent)], n: usize, blocks: usize) -> Vec<(u64, NoteEvent)> {
        let g = grid();
        let mut arp = LiveArp::new(a, 256);
        let mut got = Vec::new();
        for b in 0..blocks {
            let pos = (b * n) as u64;
            let ev: Vec<NoteEvent> = keys
                .iter()
                .filter(|(s, _)| *s >= pos && *s < pos + n as u64)
                .map(|(s, e)| {
                    let mut e = *e;
                    set_frame(&mut e, (s - pos) as u32);
                    e
                })
                .collect();
            for e in arp.process(&ev, pos, n, true, &g) {
                got.push((pos + e.frame() as u64, *e));
            }
        }
        got
    }

    fn ons(v: &[(u64, NoteEvent)]) -> Vec<(u64, u8)> {
        v.iter()
            .filter_map(|(s, e)| match e {
                NoteEvent::On { pitch, .. } => Some((*s, *pitch)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn steps_land_on_exact_ticks_whatever_the_block_size() {
        let keys = [
            (0, on(0, 60)),
            (0, on(0, 64)),
            (30_000, off(0, 60)),
            (30_000, off(0, 64)),
        ];
        let want = vec![
            (0, 60),
            (6_000, 64),
            (12_000, 60),
            (18_000, 64),
            (24_000, 60),
        ];
        for n in [64, 441, 1000, 4096] {
            let got = run(Arp::default(), &keys, n, 40_000 / n + 1);
            assert_eq!(ons(&got), want, "block {n}");
            // Gate 80 %: each note ends 4,800 samples after it starts.
            let offs: Vec<u64> = got
                .iter()
                .filter(|(_, e)| matches!(e, NoteEvent::Off { .. }))
                .map(|(s, _)| *s)
                .collect();
            assert_eq!(
                offs,
                vec![4_800, 10_800, 16_800, 22_800, 28_800],
                "block {n}"
            );
        }
    }

    #[test]
    fn a_late_key_waits_for_the_next_step_and_latch_holds() {
        // Key down at 1,000: the first step is the 16th at 6,000.
        let keys = [(1_000, on(0, 50)), (7_000, off(0, 50))];
        assert_eq!(ons(&run(Arp::default(), &keys, 512, 60)), vec![(6_000, 50)]);
        let latch = Arp {
            latch: true,
            ..Arp::default()
        };
        let got = ons(&run(latch, &keys, 512, 60));
        assert_eq!(
            got,
            vec![
                (6_000, 50),
                (12_000, 50),
                (18_000, 50),
                (24_000, 50),
                (30_000, 50)
            ]
        );
    }

    #[test]
    fn controllers_pass_and_all_notes_off_clears() {
        let cc = NoteEvent::Control {
            frame: 0,
            channel: 0,
            controller: 7,
            value: 90,
        };
        let keys = [
            (0, on(0, 60)),
            (100, cc),
            (3_000, NoteEvent::AllNotesOff { frame: 0 }),
        ];
        let got = run(Arp::default(), &keys, 1024, 20);
        assert_eq!(ons(&got), vec![(0, 60)]);
        assert!(got
            .iter()
            .any(|(s, e)| *s == 100 && matches!(e, NoteEvent::Control { .. })));
        assert!(got
            .iter()
            .any(|(s, e)| *s == 3_000 && matches!(e, NoteEvent::AllNotesOff { .. })));
    }
}
