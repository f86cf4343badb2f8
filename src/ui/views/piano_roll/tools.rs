//! The MIDI toolkit in the piano roll: quantize with options, humanize, transpose in key,
//! groove templates and a clip's groove, the arpeggiator, chords, key detection and scale snap,
//! each on the selection (or every note of the clip) and each one undo step. The music is
//! `midi::`'s; this file picks the notes, makes the edit and says what happened.

use super::state::PianoState;
use crate::ui::ctx::Cx;

/// `:humanize` settings: start ±`time_ms`, velocity ±`velocity`, from `seed`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Humanize {
    pub time_ms: f64,
    pub velocity: u8,
    pub seed: u64,
}

impl Default for Humanize {
    fn default() -> Self {
        Humanize {
            time_ms: 10.0,
            velocity: 8,
            seed: 1,
        }
    }
}

pub fn humanize(_st: &mut PianoState, _cx: &mut Cx<'_>, _h: Humanize) -> Result<(), String> {
    Err("humanize has not landed yet".into())
}

pub fn detect_key(_st: &mut PianoState, _cx: &mut Cx<'_>) -> Result<(), String> {
    Err("key detection has not landed yet".into())
}
