//! Recording, as the transport sees it: not tied to MIDI, so audio recording can take the same
//! shape. The audio thread keeps a [`RecordState`] (recording or not, which loop pass) and
//! stamps what it captures with a timeline sample and a pass; the engine thread's [`Recorder`]
//! collects the captures and, when the transport stops, hands the UI one [`Recording`]: the
//! record point, where rolling started (pre-roll), where it stopped, the loop it cycled and
//! every capture. The UI turns that into clips as one edit.
//!
//! Latency: a message is stamped when the port's thread gets it; the callback that drains it
//! knows its own start time and the playhead there, so the message's place on the timeline is
//! the playhead minus its age in samples ([`captured_at`]). Before a loop wrap that lands in
//! the previous pass.

use super::midi_in::LiveMessage;

/// The audio thread's record flag and loop pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordState {
    /// Captures are kept while this is set and the playhead moves.
    pub on: bool,
    /// Loop passes completed since recording started.
    pub pass: u32,
}

/// One message captured while recording (or a controller passed on for MIDI learn, with
/// `recorded` false), at a timeline sample and a loop pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Captured {
    pub sample: u64,
    pub pass: u32,
    pub msg: LiveMessage,
    pub recorded: bool,
}

/// Where a message `age` samples old lands when the block starting at the playhead `pos` is
/// processed in loop pass `pass`: `pos - age`, folded back into the previous pass when that is
/// before the loop start and a wrap happened since. Called on the audio thread.
pub fn captured_at(pos: u64, age: u64, pass: u32, loop_region: Option<(u64, u64)>) -> (u64, u32) {
    if let Some((ls, le)) = loop_region {
        if pass > 0 && pos >= ls && pos < le && pos.saturating_sub(ls) < age {
            let before = age - (pos - ls);
            return (le.saturating_sub(before).max(ls), pass - 1);
        }
    }
    (pos.saturating_sub(age), pass)
}

/// A finished recording, in samples at `rate`.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    pub rate: u32,
    /// The record point: captures before it are pre-roll and are not kept.
    pub from: u64,
    /// Where the transport started rolling (the record point minus the pre-roll).
    pub start: u64,
    /// Where the transport stopped.
    pub end: u64,
    /// The loop region the transport cycled, when it did.
    pub loop_region: Option<(u64, u64)>,
    /// Loop passes completed (0 without a loop wrap).
    pub passes: u32,
    pub events: Vec<Captured>,
}

/// The engine thread's collector for one recording.
#[derive(Debug)]
pub struct Recorder {
    rec: Recording,
}

impl Recorder {
    /// Starts collecting for a recording from `from`, rolling from `start`.
    pub fn new(rate: u32, from: u64, start: u64, loop_region: Option<(u64, u64)>) -> Recorder {
        Recorder {
            rec: Recording {
                rate,
                from,
                start,
                end: from,
                loop_region,
                passes: 0,
                events: Vec::new(),
            },
        }
    }

    /// Keeps a capture.
    pub fn push(&mut self, c: Captured) {
        self.rec.events.push(c);
    }

    /// The recording, ended at `end` after `passes` loop passes.
    pub fn finish(mut self, end: u64, passes: u32) -> Recording {
        self.rec.end = end;
        self.rec.passes = passes;
        if passes == 0 {
            self.rec.loop_region = None;
        }
        self.rec
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_lands_its_age_before_the_block() {
        assert_eq!(captured_at(48_000, 480, 0, None), (47_520, 0));
        assert_eq!(captured_at(100, 480, 0, None), (0, 0));
        // 200 samples after a wrap to 96 000, a message 480 samples old was played 280
        // samples before the loop end, in the pass before.
        let lp = Some((96_000, 192_000));
        assert_eq!(captured_at(96_200, 480, 1, lp), (191_720, 0));
        assert_eq!(captured_at(96_600, 480, 1, lp), (96_120, 1));
        assert_eq!(captured_at(96_200, 480, 0, lp), (95_720, 0));
    }
}
