//! Timeline tools: markers (add, rename, remove, jump), tempo changes at a beat, and the fades
//! and gain of the audio clip under the arrange cursor. Each change is one undo step; errors
//! are sentences for the status line. Below the views: the keys (through `dispatch`) and the
//! command line call these with a context and [`Here`], where the cursor is.
//!
//! Fades are typed in beats (`:fade in 0.5` is half a beat, as the grid counts) or in seconds
//! with an `s` (`:fade in 0.5s`); the model keeps them in seconds, like every audio clip time,
//! so a beat length is converted at the clip's position through the tempo map.

mod fades;
mod markers;

pub use fades::{fade_command, gain_command, step_fade, step_gain};
pub use markers::{add_marker, free_name, jump_marker, marker_command, tempo_command};

use super::ctx::Cx;
use super::widgets::bars_beats;

/// Where the timeline tools act.
#[derive(Clone, Copy, Debug)]
pub struct Here {
    /// The edit cursor of the view on screen, as a project beat (the piano roll's clip start
    /// plus its cursor there, else the arrange cursor): markers and tempo changes go here.
    pub beat: f64,
    /// The arrange view's track, cursor and grid: the audio clip the fade and gain tools change
    /// is the one under it, and marker jumps start from it.
    pub track: usize,
    pub arrange_beat: f64,
    pub grid: f64,
}

/// Splits a command argument into words; double or single quotes keep spaces in a word.
pub fn words(arg: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for ch in arg.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => cur.push(ch),
            None if ch == '"' || ch == '\'' => {
                quote = Some(ch);
                any = true;
            }
            None if ch.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            None => cur.push(ch),
        }
    }
    if quote.is_some() {
        return Err(format!("a quote is not closed in '{arg}'"));
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// A beat as the user reads it: `17.1.1`.
pub(super) fn at(cx: &Cx<'_>, beat: f64) -> String {
    bars_beats(cx.project, beat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_quoted_spaces() {
        assert_eq!(
            words(r#"rename "Verse 1" Chorus"#).unwrap(),
            vec!["rename", "Verse 1", "Chorus"]
        );
        assert_eq!(words("  a  b ").unwrap(), vec!["a", "b"]);
        assert_eq!(words("rm ''").unwrap(), vec!["rm", ""]);
        assert!(words("rename \"x").is_err());
    }
}
