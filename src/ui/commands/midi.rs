//! The MIDI toolkit's `:` commands in the piano roll: `:quantize`, `:humanize`, `:transpose`,
//! `:groove`, `:arp`, `:chord`, `:chords` and `:scale`. This file
//! only reads the words (`NAME=VALUE` options, refused in one line naming the bad word); the
//! piano roll's `tools` do the edit, one undo step each, on the selection or every note. From
//! the arrange view a tool opens the MIDI clip under the cursor in the piano roll first.

use super::import::split_args;
use super::spec::{arg, opt, Args, Command, Kind, Run};
use crate::midi::groove::Humanize;
use crate::ui::app::App;
use crate::ui::keymap::ViewKind;
use crate::ui::views::arrange::open_piano_roll;
use crate::ui::views::piano_roll::tools::{self, Quantize, HUMANIZE};

/// The words of a tool: the plain ones in order, and `NAME=VALUE` options (names lower case).
struct Words {
    plain: Vec<String>,
    opts: Vec<(String, String)>,
}

impl Words {
    fn parse(rest: &str, known: &[&str], usage: &str) -> Result<Words, String> {
        let mut plain = Vec::new();
        let mut opts = Vec::new();
        for w in split_args(rest)? {
            match w.split_once('=') {
                Some((k, v)) => {
                    let k = k.trim().to_ascii_lowercase();
                    if !known.contains(&k.as_str()) {
                        return Err(format!("unknown option '{k}' ({usage})"));
                    }
                    opts.push((k, v.trim().to_string()));
                }
                None => plain.push(w),
            }
        }
        Ok(Words { plain, opts })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.opts
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A number option within `lo..=hi` (a trailing `%` or `ms` is allowed).
    fn number(&self, name: &str, lo: f64, hi: f64) -> Result<Option<f64>, String> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let t = v.trim_end_matches('%').trim_end_matches("ms");
        match t.parse::<f64>() {
            Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => Ok(Some(x)),
            _ => Err(format!("{name}={v} is outside {lo}..={hi}")),
        }
    }
}

/// The tools act on the piano roll's clip; from the arrange view, on the MIDI clip under the
/// cursor, which opens in the piano roll.
fn in_piano(app: &mut App, what: &str) -> Result<(), String> {
    if app.view == ViewKind::Arrange {
        app.with_cx(|cx, v| open_piano_roll(v.arrange, cx));
        if app.status.error {
            return Err(format!(":{what} acts on a MIDI clip: {}", app.status.text));
        }
    }
    if app.view != ViewKind::PianoRoll || app.piano_clip().is_none() {
        return Err(format!(
            ":{what} works on a MIDI clip: open one in the piano roll (Enter in the arrange view)"
        ));
    }
    Ok(())
}

/// `:quantize [GRID] [strength=%] [swing=%] [ends]`: without words it is `q`.
pub(super) fn quantize(app: &mut App, args: &Args) -> Result<(), String> {
    const USAGE: &str = ":quantize [1/16|1/8t|1/8.] [strength=%] [swing=%] [ends]";
    in_piano(app, "quantize")?;
    let w = Words::parse(args.rest, &["strength", "swing"], USAGE)?;
    let mut q = Quantize {
        grid: None,
        strength: w.number("strength", 0.0, 100.0)?.unwrap_or(100.0),
        swing: w.number("swing", 50.0, 75.0)?.unwrap_or(50.0),
        ends: false,
    };
    for word in &w.plain {
        if word.eq_ignore_ascii_case("ends") {
            q.ends = true;
        } else if q.grid.is_none() {
            q.grid = Some(word.clone());
        } else {
            return Err(format!(
                "'{word}' is not a grid, option or 'ends' ({USAGE})"
            ));
        }
    }
    app.with_cx(|cx, v| tools::quantize(v.piano, cx, &q))
}

/// `:humanize [time=ms] [vel=N] [seed=N]`.
pub(super) fn humanize(app: &mut App, args: &Args) -> Result<(), String> {
    const USAGE: &str = ":humanize [time=MS] [vel=N] [seed=N]";
    in_piano(app, "humanize")?;
    let w = Words::parse(args.rest, &["time", "vel", "velocity", "seed"], USAGE)?;
    if let Some(word) = w.plain.first() {
        return Err(format!("'{word}' is not an option ({USAGE})"));
    }
    let d = HUMANIZE;
    let vel = match w.number("velocity", 0.0, 127.0)? {
        Some(v) => Some(v),
        None => w.number("vel", 0.0, 127.0)?,
    };
    let seed = match w.get("seed") {
        None => d.seed,
        Some(s) => s
            .parse::<u64>()
            .map_err(|_| format!("seed={s} is not a whole number"))?,
    };
    let h = Humanize {
        time_ms: w.number("time", 0.0, 1000.0)?.unwrap_or(d.time_ms),
        velocity: vel.map_or(d.velocity, |v| v.round() as u8),
        seed,
    };
    app.with_cx(|cx, v| tools::humanize(v.piano, cx, h))
}

/// `:transpose N [inkey]`: N semitones, or N steps of the scale (snap's, else the key's).
pub(super) fn transpose(app: &mut App, args: &Args) -> Result<(), String> {
    let words: Vec<&str> = args.rest.split_whitespace().collect();
    let (n, inkey) = match words.as_slice() {
        [n] => (*n, false),
        [n, k] if k.eq_ignore_ascii_case("inkey") => (*n, true),
        _ => {
            return Err(format!(
                ":transpose needs a number of semitones, not '{}' (:transpose N [inkey])",
                args.rest
            ))
        }
    };
    let n: i32 = n
        .parse()
        .map_err(|_| format!(":transpose needs a number of semitones, not '{n}'"))?;
    if inkey {
        in_piano(app, "transpose")?;
        app.with_cx(|cx, v| tools::transpose_in_scale(v.piano, cx, n))
    } else {
        crate::ui::dispatch::piano_transpose(app, n)
    }
}

/// `:groove swing16|laidback|pushed [strength=%]`, `:groove extract`, `:groove apply [strength=%]`.
pub(super) fn groove(app: &mut App, args: &Args) -> Result<(), String> {
    const USAGE: &str = ":groove swing16|laidback|pushed|extract|apply [strength=%]";
    in_piano(app, "groove")?;
    let w = Words::parse(args.rest, &["strength"], USAGE)?;
    let strength = w.number("strength", 0.0, 100.0)?.unwrap_or(100.0);
    let [word] = w.plain.as_slice() else {
        return Err(USAGE.into());
    };
    let word = word.to_ascii_lowercase();
    app.with_cx(|cx, v| match word.as_str() {
        "extract" => tools::groove_extract(v.piano, cx),
        "apply" => tools::groove_apply(v.piano, cx, strength),
        name => tools::groove_template(v.piano, cx, name, strength),
    })
}

/// `:arp MODE RATE [oct=N] [gate=%] [seed=N]` renders; `:arp live …|off` sets the track's arp.
pub(super) fn arp(app: &mut App, args: &Args) -> Result<(), String> {
    in_piano(app, "arp")?;
    let rest = args.rest.trim();
    if rest.is_empty() {
        return Err(
            ":arp up|down|updown|random|played|chord RATE [oct=N] [gate=%], or :arp live …|off"
                .into(),
        );
    }
    match rest.split_once(char::is_whitespace) {
        Some((w, live)) if w.eq_ignore_ascii_case("live") => {
            let live = live.trim().to_string();
            app.with_cx(|cx, v| tools::arp_live(v.piano, cx, &live))
        }
        _ if rest.eq_ignore_ascii_case("live") => {
            Err(":arp live MODE RATE [oct=N] [gate=%] [swing=%] [latch], or :arp live off".into())
        }
        _ => {
            let words = rest.to_string();
            app.with_cx(|cx, v| tools::arp_render(v.piano, cx, &words))
        }
    }
}

/// `:chord SYMBOL [LENGTH]`: the chord at the cursor (what `c` in the piano roll prompts for).
pub(super) fn chord(app: &mut App, args: &Args) -> Result<(), String> {
    in_piano(app, "chord")?;
    let text = args.rest.trim().to_string();
    if text.is_empty() || text.split_whitespace().count() > 2 {
        return Err(":chord SYMBOL [LENGTH] (Cmaj7, Am, F#m7b5, C/E, V7; LENGTH 1/2)".into());
    }
    app.with_cx(|cx, v| tools::chord_at_cursor(v.piano, cx, &text))
}

/// `:chords PROGRESSION [key=K] [beats=N] [voicing=close|open|drop2]`: a new clip of the
/// chords (symbols, or numerals in the key) at the piano roll's cursor.
pub(super) fn chords(app: &mut App, args: &Args) -> Result<(), String> {
    const USAGE: &str = ":chords Am F C G | i VI III VII [key=Am] [beats=4] [voicing=drop2]";
    in_piano(app, "chords")?;
    let w = Words::parse(args.rest, &["key", "beats", "voicing"], USAGE)?;
    if w.plain.is_empty() {
        return Err(USAGE.into());
    }
    let progression = w.plain.join(" ");
    let beats = w.number("beats", 0.0625, 64.0)?;
    let key = w.get("key").map(str::to_string);
    let voicing = w.get("voicing").map(str::to_string);
    app.with_cx(|cx, v| {
        tools::chords(
            v.piano,
            cx,
            &progression,
            key.as_deref(),
            beats,
            voicing.as_deref(),
        )
    })
}

/// `:scale [SCALE|off]`: scale snap on (the project key's scale without SCALE) or off.
pub(super) fn scale(app: &mut App, args: &Args) -> Result<(), String> {
    let text = args.rest.trim().to_string();
    app.with_cx(|cx, v| tools::set_scale(v.piano, cx, &text))
}

// ---- The command table's rows (`table.rs` lists them where help shows them) ---------------

pub(super) const TRANSPOSE_CMD: Command = Command {
    name: "transpose",
    aliases: &[],
    synopsis: "N [inkey]",
    args: &[
        arg("N", Kind::Number),
        opt("inkey", Kind::Words(&["inkey"])),
    ],
    doc: "Piano roll: move the selected notes (or all) by N semitones, or N scale steps (inkey)",
    run: Run::Handler(transpose),
    keys: &[],
    quits: false,
};

pub(super) const QUANTIZE_CMD: Command = Command {
    name: "quantize",
    aliases: &[],
    synopsis: "[GRID] [strength=%] [swing=%] [ends]",
    args: &[opt(
        "GRID",
        Kind::Words(&["1/4", "1/8", "1/16", "1/8t", "1/16t", "1/8.", "ends"]),
    )],
    doc: "Piano roll: snap the selected notes (or all) to the grid (1/8t triplet, 1/8. dotted)",
    run: Run::Handler(quantize),
    keys: &[],
    quits: false,
};

pub(super) const HUMANIZE_CMD: Command = Command {
    name: "humanize",
    aliases: &[],
    synopsis: "[time=MS] [vel=N] [seed=N]",
    args: &[opt("time=MS", Kind::Text)],
    doc: "Piano roll: loosen the selected notes' (or all) timing and velocity, seeded",
    run: Run::Handler(humanize),
    keys: &[],
    quits: false,
};

pub(super) const GROOVE_CMD: Command = Command {
    name: "groove",
    aliases: &[],
    synopsis: "swing16|laidback|pushed|extract|apply [strength=%]",
    args: &[arg(
        "TEMPLATE",
        Kind::Words(&["swing16", "laidback", "pushed", "extract", "apply"]),
    )],
    doc: "Piano roll: a groove template on the notes; extract this clip's groove, apply it to another",
    run: Run::Handler(groove),
    keys: &[],
    quits: false,
};

pub(super) const ARP_CMD: Command = Command {
    name: "arp",
    aliases: &[],
    synopsis: "MODE RATE [oct=N] [gate=%] | live MODE RATE … | live off",
    args: &[arg(
        "MODE",
        Kind::Words(&["up", "down", "updown", "random", "played", "chord", "live"]),
    )],
    doc: "Piano roll: arpeggiate the selected chords into notes; live sets the track's arpeggiator",
    run: Run::Handler(arp),
    keys: &[],
    quits: false,
};

pub(super) const CHORD_CMD: Command = Command {
    name: "chord",
    aliases: &[],
    synopsis: "SYMBOL [LENGTH]",
    args: &[arg("SYMBOL", Kind::Text)],
    doc: "Piano roll: place a chord (Cmaj7, Am/E, V7) at the cursor, a grid step or LENGTH long",
    run: Run::Handler(chord),
    keys: &[],
    quits: false,
};

pub(super) const CHORDS_CMD: Command = Command {
    name: "chords",
    aliases: &[],
    synopsis: "PROGRESSION [key=K] [beats=N] [voicing=close|open|drop2]",
    args: &[arg("PROGRESSION", Kind::Text)],
    doc: "Piano roll: a new clip of chords at the cursor (Am F C G, or i VI III VII in the key)",
    run: Run::Handler(chords),
    keys: &[],
    quits: false,
};

pub(super) const SCALE_CMD: Command = Command {
    name: "scale",
    aliases: &[],
    synopsis: "[SCALE|off]",
    args: &[opt(
        "SCALE",
        Kind::Words(&["off", "major", "minor", "dorian"]),
    )],
    doc: "Piano roll: snap notes to a scale (D dorian; the project key's without one), or off",
    run: Run::Handler(scale),
    keys: &[],
    quits: false,
};
