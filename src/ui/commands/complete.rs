//! Tab completion of the command line from the registry: command names and aliases, then each
//! argument by its kind (paths, folders, fixed words, themes, instruments, keyword forms,
//! automation targets of the selected track).

use super::spec::{Arg, Kind};
use super::table::{find, COMMANDS};
use crate::model::Project;
use std::path::PathBuf;

/// Completion candidates for a command line: (the text before the completed word, candidates
/// for the word).
pub fn complete(line: &str) -> (String, Vec<String>) {
    complete_in(line, None)
}

/// The project and the selected track (index) that some arguments complete from.
pub type Here<'a> = Option<(&'a Project, usize)>;

/// [`complete`] with the project at hand, for the arguments that complete from it.
pub fn complete_in(line: &str, here: Here<'_>) -> (String, Vec<String>) {
    let Some((name, rest)) = line.split_once(' ') else {
        // Every command of the table, aliases included, in the table's order.
        let mut names: Vec<String> = Vec::new();
        for n in COMMANDS.iter().flat_map(|c| c.names()) {
            if n.starts_with(line) && !names.iter().any(|x| x == n) {
                names.push(n.to_string());
            }
        }
        return (String::new(), names);
    };
    let base = format!("{name} ");
    let Some(command) = find(name) else {
        return (base, Vec::new());
    };
    match complete_args(command.args, rest, here) {
        Some((at, cands)) => (format!("{base}{}", &rest[..at]), cands),
        None => (base, Vec::new()),
    }
}

/// Candidates for the argument being typed at the end of `rest`, and the byte offset in `rest`
/// where that argument starts. The last argument of a form takes the rest of the line (names
/// and paths may hold spaces); earlier ones end at a space.
fn complete_args(args: &[Arg], rest: &str, here: Here<'_>) -> Option<(usize, Vec<String>)> {
    let mut at = 0;
    for (i, arg) in args.iter().enumerate() {
        let typed = &rest[at..];
        let last = i + 1 == args.len();
        if let Kind::Forms(forms) = arg.kind {
            return match typed.split_once(' ') {
                None => Some((at, words(forms.iter().map(|f| f.keyword), typed))),
                Some((word, after)) => {
                    let form = forms
                        .iter()
                        .find(|f| !f.keyword.is_empty() && f.keyword == word);
                    let (form, skip) = match form {
                        Some(f) => (f, word.len() + 1),
                        None => (forms.iter().find(|f| f.keyword.is_empty())?, 0),
                    };
                    let rest_at = if skip == 0 { typed } else { after };
                    complete_args(form.args, rest_at, here).map(|(a, c)| (at + skip + a, c))
                }
            };
        }
        if !last && arg.kind_ends_at_space() {
            match typed.split_once(' ') {
                Some((word, _)) => {
                    at += word.len() + 1;
                    continue;
                }
                None => return Some((at, candidates(arg.kind, typed, here))),
            }
        }
        return Some(match arg.kind {
            Kind::Files => {
                let (before, cands) = complete_files(typed);
                (at + before, cands)
            }
            kind => (at, candidates(kind, typed, here)),
        });
    }
    None
}

impl Arg {
    /// Every kind but a list of files is one word when another argument follows.
    fn kind_ends_at_space(&self) -> bool {
        !matches!(self.kind, Kind::Files)
    }
}

/// Candidates for one argument of `kind` typed so far as `typed`.
fn candidates(kind: Kind, typed: &str, here: Here<'_>) -> Vec<String> {
    match kind {
        Kind::File => complete_path(typed, false),
        Kind::Dir => complete_path(typed, true),
        Kind::Files => complete_files(typed).1,
        Kind::Words(list) => words(list.iter().copied(), typed),
        Kind::Choices(f) => f(typed),
        Kind::Project(f) => here.map_or_else(Vec::new, |(p, ti)| f(p, ti, typed)),
        Kind::Forms(forms) => words(forms.iter().map(|f| f.keyword), typed),
        Kind::Number | Kind::Text => Vec::new(),
    }
}

/// The words that start with `typed` (the empty keyword of a catch-all form never shows).
fn words<'a>(list: impl Iterator<Item = &'a str>, typed: &str) -> Vec<String> {
    list.filter(|w| !w.is_empty() && w.starts_with(typed))
        .map(str::to_string)
        .collect()
}

/// Several files: the last word completes, with its spaces escaped (`my\ song.wav`) so that
/// the line still splits into the right files. Returns where the last word starts.
fn complete_files(typed: &str) -> (usize, Vec<String>) {
    let mut split = None;
    let mut escaped = false;
    for (i, c) in typed.char_indices() {
        if c == ' ' && !escaped {
            split = Some(i);
        }
        escaped = c == '\\' && !escaped;
    }
    let (at, last) = match split {
        Some(i) => (i + 1, &typed[i + 1..]),
        None => (0, typed),
    };
    let cands = complete_path(&last.replace("\\ ", " "), false)
        .into_iter()
        .map(|c| c.replace(' ', "\\ "))
        .collect();
    (at, cands)
}

/// Entries of the folder named by `partial` whose names start with its last part; folders end
/// with `/`. Hidden entries only when the part starts with a dot.
pub fn complete_path(partial: &str, dirs_only: bool) -> Vec<String> {
    let (dir_part, prefix) = match partial.rfind('/') {
        Some(i) => (&partial[..=i], &partial[i + 1..]),
        None => ("", partial),
    };
    let dir = if dir_part.is_empty() {
        PathBuf::from(".")
    } else {
        super::file::expand(dir_part)
    };
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = rd
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
            if dirs_only && !is_dir {
                return None;
            }
            Some(format!("{dir_part}{name}{}", if is_dir { "/" } else { "" }))
        })
        .collect();
    out.sort();
    out
}
