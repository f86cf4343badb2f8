//! An instrument for tests that writes down where each note-on lands, in timeline samples.

use std::sync::{Arc, Mutex};
use tdaw::engine::instrument::{Instrument, NoteEvent};

/// (samples processed so far, every note-on as (sample, pitch)).
pub type Log = Arc<Mutex<(u64, Vec<(u64, u8)>)>>;

/// Records the note-ons it receives into `log`, plays silence.
pub struct Recorder {
    pub log: Log,
}

impl Instrument for Recorder {
    fn process(&mut self, events: &[NoteEvent], left: &mut [f32], right: &mut [f32]) {
        let mut g = self.log.lock().unwrap();
        let base = g.0;
        for e in events {
            if let NoteEvent::On { frame, pitch, .. } = e {
                g.1.push((base + *frame as u64, *pitch));
            }
        }
        g.0 += left.len() as u64;
        left.fill(0.0);
        right.fill(0.0);
    }
    fn reset(&mut self) {}
    fn active_voices(&self) -> usize {
        0
    }
}
