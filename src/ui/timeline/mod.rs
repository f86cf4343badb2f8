//! Timeline tools: markers (add, rename, remove, jump), tempo changes at a beat, and the fades
//! and gain of the audio clip under the arrange cursor. Each change is one undo step; errors
//! are sentences for the status line. Below the views: the keys (through `dispatch`) and the
//! command line call these with a context and [`Here`], where the cursor is.
//!
//! Fades are typed in beats (`:fade in 0.5` is half a beat, as the grid counts) or in seconds
//! with an `s` (`:fade in 0.5s`); the model keeps them in seconds, like every audio clip time,
//! so a beat length is converted at the clip's position through the tempo map.

mod fades;
mod here;
mod markers;

pub use fades::{fade_command, gain_command, step_fade, step_gain};
pub use here::{words, Here};
pub use markers::{add_marker, free_name, jump_marker, marker_command, tempo_command};
