//! What an English prompt asks, read with a small word-level parser (no model): the task
//! (chords, melody, bass, drums, a theory question, mixing advice), a key ("A minor", "Am",
//! "F# dorian", "in G"), a mood, a genre, a bar count ("8 bars"), a tempo ("at 128 bpm"),
//! chord symbols or roman numerals named in the prompt, and the seed: the same prompt gives the
//! same answer, "another"/"again" (or "seed N") a new one. A follow-up that only says
//! "another" repeats the last request of the conversation that had a task.

use crate::ai::{Message, Role};
use crate::midi::theory::{parse_numeral, Chord, Scale, SpelledNote};

/// What the prompt asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Chords,
    Melody,
    Bass,
    Drums,
    Advice,
    /// The notes of a chord named in the prompt.
    ChordNotes,
    /// The notes of a scale or key named in the prompt.
    ScaleNotes,
    /// The function of a chord in a key.
    Function,
    /// The chords of a key.
    KeyChords,
    /// The key of the selected clip or the project's MIDI.
    WhatKey,
    /// The interval between two notes.
    Interval,
    Unknown,
}

/// A mood word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mood {
    Sad,
    Happy,
    Dark,
    Dreamy,
    Tense,
    Epic,
    Chill,
}

impl Mood {
    pub fn name(self) -> &'static str {
        match self {
            Mood::Sad => "sad",
            Mood::Happy => "happy",
            Mood::Dark => "dark",
            Mood::Dreamy => "dreamy",
            Mood::Tense => "tense",
            Mood::Epic => "epic",
            Mood::Chill => "chill",
        }
    }

    /// Whether the mood wants a minor key when none is named.
    pub fn minor(self) -> bool {
        matches!(self, Mood::Sad | Mood::Dark | Mood::Tense | Mood::Epic)
    }
}

/// A genre word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Genre {
    Pop,
    Rock,
    Jazz,
    Blues,
    Lofi,
    House,
    Techno,
    HipHop,
    Trap,
    DrumAndBass,
    Reggae,
    Funk,
    Ambient,
}

impl Genre {
    pub const ALL: [Genre; 13] = [
        Genre::Pop,
        Genre::Rock,
        Genre::Jazz,
        Genre::Blues,
        Genre::Lofi,
        Genre::House,
        Genre::Techno,
        Genre::HipHop,
        Genre::Trap,
        Genre::DrumAndBass,
        Genre::Reggae,
        Genre::Funk,
        Genre::Ambient,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Genre::Pop => "pop",
            Genre::Rock => "rock",
            Genre::Jazz => "jazz",
            Genre::Blues => "blues",
            Genre::Lofi => "lo-fi",
            Genre::House => "house",
            Genre::Techno => "techno",
            Genre::HipHop => "hip hop",
            Genre::Trap => "trap",
            Genre::DrumAndBass => "drum and bass",
            Genre::Reggae => "reggae",
            Genre::Funk => "funk",
            Genre::Ambient => "ambient",
        }
    }

    /// The genre's usual tempo, BPM (named in the answer; set only when the prompt asks).
    pub fn tempo(self) -> f64 {
        match self {
            Genre::Pop => 110.0,
            Genre::Rock => 120.0,
            Genre::Jazz => 140.0,
            Genre::Blues => 90.0,
            Genre::Lofi => 80.0,
            Genre::House => 124.0,
            Genre::Techno => 130.0,
            Genre::HipHop => 90.0,
            Genre::Trap => 140.0,
            Genre::DrumAndBass => 174.0,
            Genre::Reggae => 75.0,
            Genre::Funk => 105.0,
            Genre::Ambient => 70.0,
        }
    }

    /// Whether its harmony usually sits in minor.
    pub fn minor(self) -> bool {
        matches!(
            self,
            Genre::Lofi | Genre::Techno | Genre::HipHop | Genre::Trap | Genre::DrumAndBass
        )
    }
}

/// Everything read from the prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    pub task: Task,
    pub key: Option<Scale>,
    pub mood: Option<Mood>,
    pub genre: Option<Genre>,
    pub bars: Option<u32>,
    pub bpm: Option<f64>,
    /// Chords the prompt names (symbols, or three or more roman numerals with a key).
    pub chords: Vec<Chord>,
    /// Notes the prompt names (for intervals), in order.
    pub notes: Vec<SpelledNote>,
    /// Drives every random choice: the prompt's words, "another" turns, or "seed N".
    pub seed: u64,
}

/// Most bars a suggestion is made of.
pub const MAX_BARS: u32 = 64;

/// Reads the prompt in the light of the conversation before it.
pub fn parse(prompt: &str, history: &[Message]) -> Intent {
    let words = Words::new(prompt);
    let mut intent = read(&words, prompt);
    let again = words.has_any(&["another", "again", "different", "variation", "more"]);
    if intent.task == Task::Unknown && again && intent.mood.is_none() && intent.genre.is_none() {
        // "another" alone: the last request with a task, varied once per "another" since.
        let mut variations = 1u64;
        for m in history.iter().rev().filter(|m| m.role == Role::User) {
            let w = Words::new(&m.text);
            let earlier = read(&w, &m.text);
            if earlier.task != Task::Unknown {
                let mut base = earlier;
                base.seed = crate::model::rng::mix(base.seed, variations);
                return base;
            }
            if w.has_any(&["another", "again", "different", "variation", "more"]) {
                variations += 1;
            }
        }
    } else if again {
        intent.seed = crate::model::rng::mix(intent.seed, 1);
    }
    intent
}

fn read(words: &Words, prompt: &str) -> Intent {
    let (key, key_tokens) = find_key(&words.raw);
    let chords = find_chords(&words.raw, &key_tokens, key.as_ref());
    let notes = words
        .raw
        .iter()
        .filter_map(|t| SpelledNote::parse(t).ok().filter(|_| is_note_token(t)))
        .collect();
    let seed = words
        .number_after(&["seed"])
        .map(|n| n as u64)
        .unwrap_or_else(|| fnv1a(&words.normal_without(&["another", "again", "different"])));
    let mut intent = Intent {
        task: Task::Unknown,
        key,
        mood: find_mood(words),
        genre: find_genre(words),
        bars: words
            .number_before(&["bars", "bar", "measures"])
            .map(|n| (n.round() as u32).clamp(1, MAX_BARS)),
        bpm: find_bpm(words),
        chords,
        notes,
        seed,
    };
    intent.task = find_task(words, &intent, prompt);
    intent
}

fn find_task(w: &Words, i: &Intent, prompt: &str) -> Task {
    let question = w.has_any(&[
        "what", "which", "whats", "list", "show", "tell", "spell", "name",
    ]);
    let make = w.has_any(&[
        "give", "make", "write", "suggest", "create", "generate", "compose", "need", "want",
    ]);
    if w.has_phrase("what key") || w.has_phrase("which key") || w.has_phrase("detect the key") {
        return Task::WhatKey;
    }
    if w.has_any(&["interval"]) || (w.has_any(&["between"]) && i.notes.len() >= 2 && !make) {
        return Task::Interval;
    }
    if w.has_any(&["function", "role"]) && !i.chords.is_empty() {
        return Task::Function;
    }
    if w.has_any(&[
        "mix",
        "mixing",
        "mixdown",
        "master",
        "mastering",
        "loudness",
        "lufs",
        "clipping",
        "muddy",
        "mono",
        "levels",
        "peak",
        "peaks",
        "streaming",
        "spotify",
    ]) {
        return Task::Advice;
    }
    let chords_word = w.has_any(&["chords", "chord"]);
    if question
        && chords_word
        && i.key.is_some()
        && (w.has_phrase("chords in") || w.has_phrase("chords of") || w.has_any(&["diatonic"]))
        && i.mood.is_none()
        && i.genre.is_none()
        && !w.has_any(&["progression", "bars"])
    {
        return Task::KeyChords;
    }
    if (question || w.has_any(&["notes"])) && !make {
        if w.has_any(&["scale", "mode"]) && i.key.is_some() {
            return Task::ScaleNotes;
        }
        if w.has_any(&["notes", "spell", "tones"]) {
            if !i.chords.is_empty() && !w.has_any(&["scale", "key"]) {
                return Task::ChordNotes;
            }
            if i.key.is_some() {
                return Task::ScaleNotes;
            }
        }
    }
    if w.has_any(&[
        "drum",
        "drums",
        "beat",
        "groove",
        "kick",
        "hats",
        "hihat",
        "hihats",
        "percussion",
    ]) && !w.has_any(&["melody", "bassline"])
    {
        return Task::Drums;
    }
    if w.has_any(&["bass", "bassline", "808"]) {
        return Task::Bass;
    }
    if w.has_any(&[
        "melody", "melodies", "tune", "hook", "lead", "topline", "riff", "motif",
    ]) {
        return Task::Melody;
    }
    if chords_word || w.has_any(&["progression", "progressions", "harmony", "changes"]) {
        return Task::Chords;
    }
    if (i.mood.is_some() || i.genre.is_some() || i.key.is_some()) && !prompt.trim().ends_with('?') {
        return Task::Chords;
    }
    Task::Unknown
}

fn find_mood(w: &Words) -> Option<Mood> {
    const TABLE: [(&[&str], Mood); 7] = [
        (
            &["sad", "melancholic", "melancholy", "emotional", "moody"],
            Mood::Sad,
        ),
        (
            &["happy", "uplifting", "bright", "joyful", "cheerful"],
            Mood::Happy,
        ),
        (
            &["dark", "sinister", "ominous", "evil", "gloomy"],
            Mood::Dark,
        ),
        (&["dreamy", "ethereal", "floaty", "lush"], Mood::Dreamy),
        (
            &["tense", "suspense", "suspenseful", "tension", "anxious"],
            Mood::Tense,
        ),
        (
            &["epic", "cinematic", "heroic", "anthemic", "big"],
            Mood::Epic,
        ),
        (
            &["chill", "relaxed", "calm", "mellow", "smooth"],
            Mood::Chill,
        ),
    ];
    TABLE
        .iter()
        .find(|(names, _)| w.has_any(names))
        .map(|&(_, m)| m)
}

fn find_genre(w: &Words) -> Option<Genre> {
    const TABLE: [(&[&str], Genre); 13] = [
        (&["dnb", "jungle", "liquid"], Genre::DrumAndBass),
        (&["hiphop", "boombap", "rap"], Genre::HipHop),
        (&["trap", "drill"], Genre::Trap),
        (&["lofi", "chillhop"], Genre::Lofi),
        (&["house", "disco"], Genre::House),
        (&["techno"], Genre::Techno),
        (&["jazz", "jazzy", "bebop", "swing"], Genre::Jazz),
        (&["blues", "bluesy", "shuffle"], Genre::Blues),
        (&["rock", "punk", "metal", "grunge"], Genre::Rock),
        (&["reggae", "dub", "ska"], Genre::Reggae),
        (&["funk", "funky"], Genre::Funk),
        (&["ambient", "drone"], Genre::Ambient),
        (&["pop", "edm"], Genre::Pop),
    ];
    TABLE
        .iter()
        .find(|(names, _)| w.has_any(names))
        .map(|&(_, g)| g)
}

fn find_bpm(w: &Words) -> Option<f64> {
    w.number_before(&["bpm"])
        .or_else(|| w.number_after(&["tempo", "bpm"]))
        .filter(|b| (20.0..=400.0).contains(b))
}

/// A token that names a note: an uppercase letter A-G and accidentals (`F#`, `Bb`).
fn is_note_token(t: &str) -> bool {
    t.starts_with(|c: char| ('A'..='G').contains(&c)) && SpelledNote::parse(t).is_ok()
}

/// Mode words that may follow a tonic.
const MODES: [&str; 10] = [
    "major",
    "minor",
    "dorian",
    "phrygian",
    "lydian",
    "mixolydian",
    "locrian",
    "aeolian",
    "ionian",
    "blues",
];

/// The key named in the prompt and the indices of the tokens a chord list must skip. A tonic
/// with a mode word wins ("C major", "F# dorian", "a minor" after "in"), then a minor key
/// written as a chord ("Am"), then a bare tonic after "in" or "key" ("in Eb").
fn find_key(raw: &[String]) -> (Option<Scale>, Vec<usize>) {
    let lower = |i: usize| raw.get(i).map(|s| s.to_lowercase()).unwrap_or_default();
    let after_in = |i: usize| {
        i.checked_sub(1)
            .is_some_and(|p| matches!(lower(p).as_str(), "in" | "key"))
            || (i >= 2 && lower(i - 1) == "of" && lower(i - 2) == "key")
    };
    let note_at = |i: usize| -> Option<String> {
        let t = &raw[i];
        let lower_note = t.len() == 1 && t.chars().all(|c| ('a'..='g').contains(&c));
        if is_note_token(t) || (lower_note && after_in(i)) {
            Some(t.to_uppercase()).map(|u| format!("{}{}", &u[..1], &t[1..]))
        } else {
            None
        }
    };
    for i in 0..raw.len() {
        let Some(note) = note_at(i) else { continue };
        let (next, next2) = (lower(i + 1), lower(i + 2));
        if (next == "harmonic" || next == "melodic") && next2 == "minor" {
            if let Ok(s) = Scale::parse(&format!("{note} {next} minor")) {
                return (Some(s), vec![i, i + 1, i + 2]);
            }
        }
        if MODES.contains(&next.as_str()) {
            if let Ok(s) = Scale::parse(&format!("{note} {next}")) {
                return (Some(s), vec![i, i + 1]);
            }
        }
    }
    for t in raw {
        if let Some(stem) = t.strip_suffix('m').filter(|s| is_note_token(s)) {
            if let Ok(s) = Scale::parse(&format!("{stem} minor")) {
                return (Some(s), Vec::new());
            }
        }
    }
    for i in 0..raw.len() {
        if after_in(i) {
            if let Some(s) = note_at(i).and_then(|n| Scale::parse(&n).ok()) {
                return (Some(s), vec![i]);
            }
        }
    }
    (None, Vec::new())
}

/// Chord symbols in the prompt (not the key's tokens, not a sentence's first "A"), or roman
/// numerals read in `key`: a run of three or more, else single ones other than "I" (the
/// pronoun).
fn find_chords(raw: &[String], key_tokens: &[usize], key: Option<&Scale>) -> Vec<Chord> {
    let symbols: Vec<Chord> = raw
        .iter()
        .enumerate()
        .filter(|(i, t)| !(key_tokens.contains(i) || (*i == 0 && t.as_str() == "A")))
        .filter(|(_, t)| t.starts_with(|c: char| ('A'..='G').contains(&c)))
        .filter_map(|(_, t)| Chord::parse(t).ok())
        .collect();
    if !symbols.is_empty() {
        return symbols;
    }
    let Some(key) = key else {
        return Vec::new();
    };
    let numeral = |t: &String| {
        let like = t.starts_with(['I', 'V', 'i', 'v', 'b', '#'])
            && t.chars().any(|c| matches!(c, 'I' | 'V' | 'i' | 'v'));
        parse_numeral(t, key).ok().filter(|_| like)
    };
    let mut best: Vec<Chord> = Vec::new();
    let mut run: Vec<Chord> = Vec::new();
    for t in raw {
        match numeral(t) {
            Some(c) => run.push(c),
            None => {
                if run.len() > best.len() {
                    best = std::mem::take(&mut run);
                }
                run.clear();
            }
        }
    }
    if run.len() > best.len() {
        best = run;
    }
    if best.len() >= 3 {
        return best;
    }
    raw.iter()
        .filter(|t| !matches!(t.as_str(), "I" | "i"))
        .filter_map(numeral)
        .collect()
}

/// The prompt split into tokens: `raw` keeps case and accidentals (for notes and chords),
/// `norm` is lower case with multi-word names joined ("drum and bass" → "dnb").
struct Words {
    raw: Vec<String>,
    norm: Vec<String>,
}

impl Words {
    fn new(prompt: &str) -> Words {
        let raw: Vec<String> = prompt
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '?' | '!' | ';' | '"' | '|'))
            .map(|t| t.trim_matches(|c: char| matches!(c, '.' | ':' | '(' | ')' | '\'')))
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        let mut text = format!(" {} ", prompt.to_lowercase());
        for (from, to) in [
            ("drum and bass", "dnb"),
            ("drum & bass", "dnb"),
            ("drum n bass", "dnb"),
            ("drum'n'bass", "dnb"),
            ("drum 'n' bass", "dnb"),
            ("d&b", "dnb"),
            ("hip hop", "hiphop"),
            ("hip-hop", "hiphop"),
            ("boom bap", "boombap"),
            ("boom-bap", "boombap"),
            ("lo-fi", "lofi"),
            ("lo fi", "lofi"),
            ("hi-hat", "hihat"),
            ("hi hat", "hihat"),
            ("bass line", "bassline"),
            ("what's", "whats"),
        ] {
            text = text.replace(from, to);
        }
        let norm = text
            .split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '#'))
            .map(|t| t.trim_matches('.'))
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        Words { raw, norm }
    }

    fn has_any(&self, words: &[&str]) -> bool {
        self.norm.iter().any(|w| words.contains(&w.as_str()))
    }

    fn has_phrase(&self, phrase: &str) -> bool {
        let p: Vec<&str> = phrase.split(' ').collect();
        self.norm
            .windows(p.len())
            .any(|w| w.iter().zip(&p).all(|(a, b)| a == b))
    }

    /// The number just before one of `words` ("8 bars", "8-bar", "eight bars", "128bpm").
    fn number_before(&self, words: &[&str]) -> Option<f64> {
        for (i, w) in self.norm.iter().enumerate() {
            for unit in words {
                if let Some(n) = w.strip_suffix(unit).and_then(number) {
                    return Some(n);
                }
                if w == unit && i > 0 {
                    if let Some(n) = number(&self.norm[i - 1]) {
                        return Some(n);
                    }
                }
            }
        }
        None
    }

    /// The number just after one of `words` ("seed 42", "tempo 128", "at 128").
    fn number_after(&self, words: &[&str]) -> Option<f64> {
        self.norm
            .windows(2)
            .find(|w| words.contains(&w[0].as_str()) && number(&w[1]).is_some())
            .and_then(|w| number(&w[1]))
    }

    /// The normalized words but `skip`, joined: what the seed is made of.
    fn normal_without(&self, skip: &[&str]) -> String {
        self.norm
            .iter()
            .filter(|w| !skip.contains(&w.as_str()))
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A number written in digits or as a word up to sixteen.
fn number(w: &str) -> Option<f64> {
    const WORDS: [&str; 17] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
    ];
    let w = w.trim_end_matches('-');
    if let Some(i) = WORDS.iter().position(|&n| n == w) {
        return Some(i as f64);
    }
    w.parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 0.0)
}

/// FNV-1a: a stable hash of the prompt (std's hasher may change between releases).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Intent {
        parse(s, &[])
    }

    #[test]
    fn reads_keys_moods_genres_and_counts() {
        let i = p("a sad chord progression in A minor, 8 bars");
        assert_eq!(i.task, Task::Chords);
        assert_eq!(i.key.unwrap().to_string(), "A minor");
        assert_eq!(i.mood, Some(Mood::Sad));
        assert_eq!(i.bars, Some(8));
        let i = p("F# dorian groove for drum and bass at 174 bpm");
        assert_eq!(i.task, Task::Drums);
        assert_eq!(i.key.unwrap().to_string(), "F# dorian");
        assert_eq!(i.genre, Some(Genre::DrumAndBass));
        assert_eq!(i.bpm, Some(174.0));
        let i = p("jazzy chords in Eb, four bars");
        assert_eq!(i.key.unwrap().to_string(), "Eb major");
        assert_eq!((i.task, i.bars), (Task::Chords, Some(4)));
        assert_eq!(p("A melody in Am").key.unwrap().to_string(), "A minor");
        assert_eq!(p("give me a minor chord progression").key, None);
        assert_eq!(p("hip hop bass line").task, Task::Bass);
        assert_eq!(p("house drums").genre, Some(Genre::House));
    }

    #[test]
    fn reads_theory_questions() {
        let i = p("what notes are in F#m7b5?");
        assert_eq!(i.task, Task::ChordNotes);
        assert_eq!(i.chords[0].to_string(), "F#m7b5");
        assert_eq!(p("notes of the D dorian scale").task, Task::ScaleNotes);
        assert_eq!(p("what key is this clip in?").task, Task::WhatKey);
        assert_eq!(p("what are the chords in E minor?").task, Task::KeyChords);
        let i = p("what is the function of Bb in C major?");
        assert_eq!(i.task, Task::Function);
        assert_eq!(p("what interval is C to G?").task, Task::Interval);
        assert_eq!(p("how do I fix my mix?").task, Task::Advice);
        assert_eq!(p("who won the football?").task, Task::Unknown);
        let i = p("melody over i VI III VII in A minor");
        assert_eq!(i.chords.len(), 4);
        assert_eq!(i.chords[1].to_string(), "F");
    }

    #[test]
    fn seeds_follow_the_words_and_another() {
        assert_eq!(p("a melody in C").seed, p("a melody in C").seed);
        assert_ne!(p("a melody in C").seed, p("another melody in C").seed);
        assert_eq!(p("melody seed 42").seed, 42);
        let hist = |texts: &[&str]| -> Vec<Message> {
            texts
                .iter()
                .map(|t| Message {
                    role: Role::User,
                    text: t.to_string(),
                })
                .collect()
        };
        let first = p("a melody in C");
        let again = parse("another", &hist(&["a melody in C"]));
        assert_eq!(again.task, Task::Melody);
        assert_ne!(again.seed, first.seed);
        let third = parse("again", &hist(&["a melody in C", "another"]));
        assert_ne!(third.seed, again.seed);
        assert_eq!(third.key, first.key);
    }
}
