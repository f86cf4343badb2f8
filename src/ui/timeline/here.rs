//! Where the timeline tools act ([`Here`]), and what they share: splitting an argument into
//! words, a beat as the user reads it.

use crate::ui::ctx::Cx;
use crate::ui::widgets::bars_beats;

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
