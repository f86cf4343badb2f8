//! The effect registry: every effect kind the engine processes and its parameters — name,
//! unit, range, default, curve — in one place. The engine builds its processors from it,
//! validation checks project files against it, and the shell (`tdaw fx kinds`), the TUI's
//! effect editor and the assistant read it. It is plain data (no signal processing), so every
//! layer can read it.
//!
//! In `project.toml` a parameter is a number, except: a choice is its name (`"peak"`), a switch
//! a boolean, a note value its text (`"1/8."`), and a track reference (`sidechain`) the track's
//! stable id. A parameter an effect does not write takes its default.

use super::types::{Effect, ParamValue};
use serde_json::{json, Value};
use std::sync::LazyLock;

/// What a parameter's number means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Decibels (a level or a gain).
    Db,
    /// Decibels true peak.
    Dbtp,
    Hz,
    Ms,
    Seconds,
    /// A ratio n:1.
    Ratio,
    /// A filter's quality factor.
    Q,
    /// A share 0 … 1 (mix, size, damping, width, feedback).
    Amount,
    /// Filter slope in dB per octave (one of `allowed`).
    DbPerOct,
    /// One of `choices`, stored by name, processed as its index.
    Choice,
    /// On or off.
    Switch,
    /// A note value at the project tempo (`1/4`, `1/8.`, `1/16t`), processed in beats; empty
    /// or `off` means unused (0).
    NoteValue,
    /// Another track, by stable id (0: none).
    Track,
}

impl Unit {
    /// The unit as printed after a value (empty for unitless ones).
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Db => "dB",
            Unit::Dbtp => "dBTP",
            Unit::Hz => "Hz",
            Unit::Ms => "ms",
            Unit::Seconds => "s",
            Unit::Ratio => ":1",
            Unit::DbPerOct => "dB/oct",
            _ => "",
        }
    }

    /// The unit's name in `fx kinds`.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Db => "dB",
            Unit::Dbtp => "dBTP",
            Unit::Hz => "Hz",
            Unit::Ms => "ms",
            Unit::Seconds => "s",
            Unit::Ratio => "ratio",
            Unit::Q => "Q",
            Unit::Amount => "amount",
            Unit::DbPerOct => "dB/oct",
            Unit::Choice => "choice",
            Unit::Switch => "switch",
            Unit::NoteValue => "note",
            Unit::Track => "track",
        }
    }
}

/// How a parameter's value is stepped and drawn: evenly, or evenly in its logarithm
/// (frequencies, times, ratios).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    Linear,
    Log,
}

/// One parameter of an effect kind.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    pub name: String,
    pub unit: Unit,
    pub min: f64,
    pub max: f64,
    /// The default, as a number (a choice's index, a switch's 0/1, a note value's beats).
    pub default: f64,
    pub curve: Curve,
    /// The names of a [`Unit::Choice`], in index order.
    pub choices: &'static [&'static str],
    /// The only values a discrete number may take (slope 12 or 24); empty: any in range.
    pub allowed: &'static [f64],
    /// Changing it changes the effect's latency or buffers, so the engine rebuilds the effect
    /// instead of gliding (the limiter's lookahead). Not automatable.
    pub rebuild: bool,
    /// One line for help and `fx kinds`.
    pub doc: &'static str,
}

impl ParamSpec {
    fn new(name: &str, unit: Unit, min: f64, max: f64, default: f64, doc: &'static str) -> Self {
        let curve = match unit {
            Unit::Hz | Unit::Ms | Unit::Seconds | Unit::Ratio | Unit::Q => Curve::Log,
            _ => Curve::Linear,
        };
        ParamSpec {
            name: name.to_string(),
            unit,
            min,
            max,
            default,
            curve,
            choices: &[],
            allowed: &[],
            rebuild: false,
            doc,
        }
    }

    fn choice(
        name: &str,
        choices: &'static [&'static str],
        default: usize,
        doc: &'static str,
    ) -> Self {
        ParamSpec {
            choices,
            ..ParamSpec::new(
                name,
                Unit::Choice,
                0.0,
                (choices.len() - 1) as f64,
                default as f64,
                doc,
            )
        }
    }

    fn linear(mut self) -> Self {
        self.curve = Curve::Linear;
        self
    }

    /// Whether automation can drive it (numbers and switches that glide; not choices, note
    /// values, tracks or rebuilding parameters).
    pub fn automatable(&self) -> bool {
        !self.rebuild
            && !matches!(
                self.unit,
                Unit::Choice | Unit::NoteValue | Unit::Track | Unit::DbPerOct
            )
    }

    /// The value a stored parameter stands for, as the engine processes it (a choice's index,
    /// a switch's 0/1, a note value's beats, a track's id). `None` when the stored value has
    /// the wrong type or names nothing this parameter knows.
    pub fn number(&self, v: &ParamValue) -> Option<f64> {
        match (self.unit, v) {
            (Unit::Switch, ParamValue::Bool(b)) => Some(if *b { 1.0 } else { 0.0 }),
            (Unit::Switch, ParamValue::Number(n)) if *n == 0.0 || *n == 1.0 => Some(*n),
            (Unit::Choice, ParamValue::Text(t)) => {
                self.choices.iter().position(|c| c == t).map(|i| i as f64)
            }
            (Unit::NoteValue, ParamValue::Text(t)) => note_value_beats(t).ok(),
            (Unit::Track, ParamValue::Number(n)) if *n >= 0.0 && n.fract() == 0.0 => Some(*n),
            (Unit::Choice | Unit::NoteValue | Unit::Switch | Unit::Track, _) => None,
            (_, ParamValue::Number(n)) => Some(*n),
            _ => None,
        }
    }

    /// The stored form of a number this parameter may take (a choice's name, a switch's bool).
    pub fn stored(&self, n: f64) -> ParamValue {
        match self.unit {
            Unit::Switch => ParamValue::Bool(n != 0.0),
            Unit::Choice => ParamValue::Text(
                self.choices
                    .get(n.round().max(0.0) as usize)
                    .unwrap_or(&"")
                    .to_string(),
            ),
            _ => ParamValue::Number(n),
        }
    }

    /// Checks a stored value: the right type, inside the range. The error is a sentence that
    /// names the allowed range or names.
    pub fn check(&self, v: &ParamValue) -> Result<f64, String> {
        let Some(n) = self.number(v) else {
            return Err(format!("{} must be {}", self.name, self.allowed_text()));
        };
        if !n.is_finite() {
            return Err(format!("{} must be a finite number", self.name));
        }
        let discrete_ok = self.allowed.is_empty() || self.allowed.contains(&n);
        let range_ok =
            matches!(self.unit, Unit::NoteValue | Unit::Track) || (n >= self.min && n <= self.max);
        if !discrete_ok || !range_ok {
            return Err(format!(
                "{} = {} is out of range: {} must be {}",
                self.name,
                self.show(n),
                self.name,
                self.allowed_text()
            ));
        }
        Ok(n)
    }

    /// What the parameter accepts, in words ("-60 … 0 dB", "one of peak, rms").
    pub fn allowed_text(&self) -> String {
        match self.unit {
            Unit::Choice => format!("one of {}", self.choices.join(", ")),
            Unit::Switch => "on or off".into(),
            Unit::NoteValue => {
                "a note value such as 1/4, 1/8. (dotted) or 1/16t (triplet), or off".into()
            }
            Unit::Track => "the name or number of a track".into(),
            _ if !self.allowed.is_empty() => format!(
                "one of {}",
                self.allowed
                    .iter()
                    .map(|a| fmt_num(*a))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => {
                let s = self.unit.suffix();
                let sep = if s.is_empty() || s == ":1" { "" } else { " " };
                format!("{} … {}{sep}{s}", fmt_num(self.min), fmt_num(self.max))
            }
        }
    }

    /// A value as a person reads it: `-18 dB`, `peak`, `on`, `4:1`, `1/8.`.
    pub fn show(&self, n: f64) -> String {
        match self.unit {
            Unit::Choice => self
                .choices
                .get(n.round().max(0.0) as usize)
                .map_or_else(|| fmt_num(n), |c| c.to_string()),
            Unit::Switch => (if n != 0.0 { "on" } else { "off" }).into(),
            Unit::NoteValue => {
                if n == 0.0 {
                    "off".into()
                } else {
                    note_value_text(n)
                }
            }
            Unit::Track => fmt_num(n),
            Unit::Ratio => format!("{}:1", fmt_num(n)),
            _ => {
                let s = self.unit.suffix();
                if s.is_empty() {
                    fmt_num(n)
                } else {
                    format!("{} {s}", fmt_num(n))
                }
            }
        }
    }

    /// Parses a value typed by a person (shell `PARAM=VALUE`, the editor's prompt): numbers,
    /// choice names, `on`/`off`, note values. A track reference is resolved by the caller
    /// (it needs the project); here only a number is taken. Range is checked.
    pub fn parse(&self, text: &str) -> Result<ParamValue, String> {
        let t = text.trim();
        let v = match self.unit {
            Unit::Choice => {
                let lower = t.to_ascii_lowercase();
                match self.choices.iter().find(|c| **c == lower) {
                    Some(c) => ParamValue::Text(c.to_string()),
                    None => {
                        return Err(format!(
                            "'{t}' is not a {}: it must be {}",
                            self.name,
                            self.allowed_text()
                        ))
                    }
                }
            }
            Unit::Switch => match t.to_ascii_lowercase().as_str() {
                "on" | "true" | "1" | "yes" => ParamValue::Bool(true),
                "off" | "false" | "0" | "no" => ParamValue::Bool(false),
                _ => return Err(format!("{} must be on or off, not '{t}'", self.name)),
            },
            Unit::NoteValue => {
                let lower = t.to_ascii_lowercase();
                if lower.is_empty() || lower == "off" || lower == "0" {
                    ParamValue::Text("off".into())
                } else {
                    note_value_beats(&lower).map_err(|e| format!("{}: {e}", self.name))?;
                    ParamValue::Text(lower)
                }
            }
            _ => {
                let stripped = t
                    .trim_end_matches(self.unit.suffix())
                    .trim_end_matches(":1")
                    .trim();
                let n: f64 = stripped.parse().map_err(|_| {
                    format!(
                        "{} must be a number ({}), not '{t}'",
                        self.name,
                        self.allowed_text()
                    )
                })?;
                ParamValue::Number(n)
            }
        };
        self.check(&v)?;
        Ok(v)
    }

    /// `n` moved by `steps` steps (a fine step is 1/100 of the range, or a factor on a log
    /// curve; `coarse` is ten of them), kept in range. Choices and switches step by one.
    pub fn step(&self, n: f64, steps: f64, coarse: bool) -> f64 {
        let k = if coarse { 10.0 } else { 1.0 };
        let out = match (self.unit, self.curve) {
            (Unit::Choice | Unit::Switch, _) => n + steps.signum() * steps.abs().max(1.0),
            _ if !self.allowed.is_empty() => {
                let i = self.allowed.iter().position(|a| *a == n).unwrap_or(0) as f64;
                let j = (i + steps).clamp(0.0, (self.allowed.len() - 1) as f64) as usize;
                return self.allowed[j];
            }
            (_, Curve::Log) if self.min > 0.0 => {
                let ratio = (self.max / self.min).powf(1.0 / 200.0);
                n.max(self.min) * ratio.powf(steps * k)
            }
            _ => {
                let unit = match self.unit {
                    Unit::Db | Unit::Dbtp => 0.5,
                    Unit::Amount => 0.01,
                    _ => (self.max - self.min) / 100.0,
                };
                n + unit * steps * k
            }
        };
        let out = out.clamp(self.min, self.max);
        // Keep typed-looking values: 3 decimals at most.
        (out * 1000.0).round() / 1000.0
    }
}

/// One effect kind and its parameters, in the order the editor lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct KindSpec {
    pub name: &'static str,
    pub doc: &'static str,
    pub params: Vec<ParamSpec>,
}

impl KindSpec {
    /// A parameter by name, with its index (the index the engine addresses it by).
    pub fn param(&self, name: &str) -> Option<(usize, &ParamSpec)> {
        self.params.iter().enumerate().find(|(_, p)| p.name == name)
    }

    /// The error for a parameter this kind does not have, naming the ones it has.
    pub fn unknown_param(&self, name: &str) -> String {
        let names: Vec<&str> = if self.name == "eq" {
            vec![
                "b1_type",
                "b1_freq",
                "b1_gain_db",
                "b1_q",
                "b1_slope",
                "… b8_slope",
            ]
        } else {
            self.params.iter().map(|p| p.name.as_str()).collect()
        };
        format!(
            "{} has no parameter '{name}'; it has {}",
            self.name,
            names.join(", ")
        )
    }

    /// Every parameter's value in `effect` (its stored value, or the default), by index.
    /// Values that fail [`ParamSpec::check`] read as the default.
    pub fn values(&self, effect: &Effect) -> Vec<f64> {
        self.params
            .iter()
            .map(|p| {
                effect
                    .params
                    .get(&p.name)
                    .and_then(|v| p.check(v).ok())
                    .unwrap_or(p.default)
            })
            .collect()
    }
}

/// EQ band types, in index order (`off` leaves the band out).
pub const EQ_TYPES: &[&str] = &[
    "off",
    "peak",
    "lowshelf",
    "highshelf",
    "lowpass",
    "highpass",
    "notch",
    "bandpass",
];
/// The number of EQ bands.
pub const EQ_BANDS: usize = 8;
/// Parameters per EQ band: `_type`, `_freq`, `_gain_db`, `_q`, `_slope`.
pub const EQ_BAND_PARAMS: usize = 5;
const DETECTORS: &[&str] = &["peak", "rms"];

static KINDS: LazyLock<Vec<KindSpec>> = LazyLock::new(|| {
    use Unit::*;
    let p = ParamSpec::new;
    let mut eq = Vec::new();
    let freqs = [80.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 12000.0];
    for (b, f) in freqs.iter().enumerate() {
        let n = b + 1;
        eq.push(ParamSpec::choice(
            &format!("b{n}_type"),
            EQ_TYPES,
            0,
            "band type (off leaves it out)",
        ));
        eq.push(p(
            &format!("b{n}_freq"),
            Hz,
            20.0,
            20000.0,
            *f,
            "centre or corner frequency",
        ));
        eq.push(p(
            &format!("b{n}_gain_db"),
            Db,
            -24.0,
            24.0,
            0.0,
            "boost or cut (peak and shelves)",
        ));
        eq.push(p(
            &format!("b{n}_q"),
            Q,
            0.1,
            18.0,
            0.707,
            "the cookbook's Q (shelves too)",
        ));
        eq.push(ParamSpec {
            allowed: &[12.0, 24.0],
            ..p(
                &format!("b{n}_slope"),
                DbPerOct,
                12.0,
                24.0,
                12.0,
                "slope of lowpass and highpass",
            )
        });
    }
    vec![
        KindSpec {
            name: "eq",
            doc: "eight-band parametric EQ (RBJ cookbook biquads)",
            params: eq,
        },
        KindSpec {
            name: "compressor",
            doc: "compressor: soft knee, peak or RMS detector, sidechain, dry/wet",
            params: vec![
                p(
                    "threshold_db",
                    Db,
                    -60.0,
                    0.0,
                    -18.0,
                    "level where compression starts",
                ),
                p(
                    "ratio",
                    Ratio,
                    1.0,
                    20.0,
                    4.0,
                    "dB in per dB out above the threshold",
                ),
                p("knee_db", Db, 0.0, 24.0, 6.0, "width of the soft knee"),
                p("attack_ms", Ms, 0.1, 200.0, 10.0, "time to clamp down"),
                p("release_ms", Ms, 5.0, 2000.0, 120.0, "time to let go"),
                p("makeup_db", Db, -12.0, 24.0, 0.0, "gain after compression"),
                ParamSpec::choice("detector", DETECTORS, 0, "what the detector follows"),
                p(
                    "sidechain",
                    Track,
                    0.0,
                    0.0,
                    0.0,
                    "a track whose signal drives the detector",
                ),
                p(
                    "mix",
                    Amount,
                    0.0,
                    1.0,
                    1.0,
                    "wet share: 0 dry, 1 compressed only",
                ),
            ],
        },
        KindSpec {
            name: "gate",
            doc: "noise gate: threshold, attack, hold, release, range",
            params: vec![
                p(
                    "threshold_db",
                    Db,
                    -90.0,
                    0.0,
                    -40.0,
                    "level that opens the gate",
                ),
                p("attack_ms", Ms, 0.01, 100.0, 1.0, "time to open"),
                p(
                    "hold_ms",
                    Ms,
                    0.0,
                    2000.0,
                    20.0,
                    "time held open after the level falls",
                )
                .linear(),
                p("release_ms", Ms, 1.0, 4000.0, 100.0, "time to close"),
                p("range_db", Db, -120.0, 0.0, -80.0, "gain when closed"),
            ],
        },
        KindSpec {
            name: "reverb",
            doc: "algorithmic stereo reverb (feedback delay network)",
            params: vec![
                p(
                    "decay_s",
                    Seconds,
                    0.1,
                    30.0,
                    2.0,
                    "broadband RT60 at damping 0",
                ),
                p(
                    "predelay_ms",
                    Ms,
                    0.0,
                    500.0,
                    20.0,
                    "delay before the reverb",
                )
                .linear(),
                p(
                    "size",
                    Amount,
                    0.0,
                    1.0,
                    0.5,
                    "room size (echo density and spacing)",
                ),
                p(
                    "damping",
                    Amount,
                    0.0,
                    1.0,
                    0.3,
                    "high frequencies die faster",
                ),
                p("width", Amount, 0.0, 1.0, 1.0, "stereo width of the tail"),
                p("mix", Amount, 0.0, 1.0, 0.3, "wet share"),
            ],
        },
        KindSpec {
            name: "delay",
            doc: "echo: time in ms or as a note value, feedback filters, ping-pong",
            params: vec![
                p(
                    "time_ms",
                    Ms,
                    1.0,
                    4000.0,
                    375.0,
                    "delay time (when time is off)",
                ),
                p(
                    "time",
                    NoteValue,
                    0.0,
                    0.0,
                    0.0,
                    "delay time as a note value at the tempo",
                ),
                p("feedback", Amount, 0.0, 0.99, 0.35, "share fed back"),
                ParamSpec {
                    curve: Curve::Linear,
                    ..p(
                        "lowcut_hz",
                        Hz,
                        0.0,
                        2000.0,
                        0.0,
                        "high-pass in the loop (0 = off)",
                    )
                },
                ParamSpec {
                    curve: Curve::Linear,
                    ..p(
                        "highcut_hz",
                        Hz,
                        0.0,
                        20000.0,
                        0.0,
                        "low-pass in the loop (0 = off)",
                    )
                },
                p(
                    "pingpong",
                    Switch,
                    0.0,
                    1.0,
                    0.0,
                    "echoes alternate left and right",
                ),
                p("mix", Amount, 0.0, 1.0, 0.35, "wet share"),
            ],
        },
        KindSpec {
            name: "limiter",
            doc: "lookahead true-peak limiter",
            params: vec![
                p(
                    "ceiling_dbtp",
                    Dbtp,
                    -24.0,
                    0.0,
                    -1.0,
                    "the output's true peak never passes it",
                ),
                p("release_ms", Ms, 1.0, 1000.0, 60.0, "time to recover"),
                ParamSpec {
                    rebuild: true,
                    ..p(
                        "lookahead_ms",
                        Ms,
                        0.5,
                        10.0,
                        5.0,
                        "how far ahead it looks (its latency)",
                    )
                },
            ],
        },
    ]
});

/// Every effect kind, in the order `fx kinds` lists them.
pub fn kinds() -> &'static [KindSpec] {
    &KINDS
}

/// An effect kind by name.
pub fn kind(name: &str) -> Option<&'static KindSpec> {
    KINDS.iter().find(|k| k.name == name)
}

/// The error for an unknown kind, naming the known ones.
pub fn unknown_kind(name: &str) -> String {
    let names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
    format!(
        "'{name}' is not an effect kind; the kinds are {}",
        names.join(", ")
    )
}

/// Every kind as JSON (`tdaw fx kinds --json`, the assistant's `list_effect_kinds`): `[{"name", "doc", "params": [{"name", "unit", "min", "max", "default",
/// "choices", "doc"}]}]`. Numbers for numeric parameters; a choice's default is its name, a
/// switch's a boolean; min and max are null where there is no numeric range.
pub fn kinds_json() -> Value {
    let kinds: Vec<Value> = kinds()
        .iter()
        .map(|k| {
            let params: Vec<Value> = k
                .params
                .iter()
                .map(|ps| {
                    let numeric = !matches!(
                        ps.unit,
                        Unit::Choice | Unit::Switch | Unit::NoteValue | Unit::Track
                    );
                    let default = match ps.unit {
                        Unit::NoteValue => json!("off"),
                        Unit::Track => Value::Null,
                        _ => serde_json::to_value(ps.stored(ps.default)).unwrap_or(Value::Null),
                    };
                    let mut o = json!({
                        "name": ps.name,
                        "unit": ps.unit.name(),
                        "min": if numeric { json!(ps.min) } else { Value::Null },
                        "max": if numeric { json!(ps.max) } else { Value::Null },
                        "default": default,
                        "choices": ps.choices,
                        "doc": ps.doc,
                    });
                    if !ps.allowed.is_empty() {
                        o["allowed"] = json!(ps.allowed);
                    }
                    if ps.automatable() {
                        o["automatable"] = json!(true);
                    }
                    o
                })
                .collect();
            json!({"name": k.name, "doc": k.doc, "params": params})
        })
        .collect();
    Value::Array(kinds)
}

/// Checks an effect against the registry: a known kind, known parameters, values of the right
/// type and in range. An unknown kind is an error here; project loading keeps such effects
/// (a newer build's) and passes them through, so it checks only known kinds.
pub fn check_effect(e: &Effect) -> Result<(), String> {
    let spec = kind(&e.kind).ok_or_else(|| unknown_kind(&e.kind))?;
    for (name, v) in &e.params {
        let (_, p) = spec.param(name).ok_or_else(|| spec.unknown_param(name))?;
        p.check(v)?;
    }
    Ok(())
}

/// Beats (quarter notes) of a note value: `1/4` = 1, `1/8.` = 0.75, `1/16t` = 1/6, `1/1` = 4,
/// `3/16` = 0.75.
pub fn note_value_beats(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let bad = || format!("'{t}' is not a note value (try 1/4, 1/8., 1/16t)");
    let (body, factor) = if let Some(b) = t.strip_suffix('.') {
        (b, 1.5)
    } else if let Some(b) = t.strip_suffix('t') {
        (b, 2.0 / 3.0)
    } else {
        (t, 1.0)
    };
    let (num, den) = body.split_once('/').ok_or_else(bad)?;
    let num: f64 = num.trim().parse().map_err(|_| bad())?;
    let den: f64 = den.trim().parse().map_err(|_| bad())?;
    if !(num > 0.0 && num <= 64.0 && [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0].contains(&den)) {
        return Err(bad());
    }
    Ok(4.0 * num / den * factor)
}

/// The note value text for a number of beats (`0.75` → `1/8.`), or the beats when none fits.
pub fn note_value_text(beats: f64) -> String {
    for den in [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0] {
        let plain = 4.0 / den;
        for (f, suffix) in [(1.0, ""), (1.5, "."), (2.0 / 3.0, "t")] {
            if (plain * f - beats).abs() < 1e-9 {
                return format!("1/{den}{suffix}");
            }
        }
    }
    format!("{} beats", fmt_num(beats))
}

/// A number without trailing zeros (3 decimals at most): `-18`, `0.707`, `2.5`.
pub fn fmt_num(n: f64) -> String {
    let s = format!("{:.3}", n);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn every_kind_of_the_contract_is_there_with_its_parameters() {
        for (k, names) in [
            (
                "compressor",
                &[
                    "threshold_db",
                    "ratio",
                    "knee_db",
                    "attack_ms",
                    "release_ms",
                    "makeup_db",
                    "detector",
                    "sidechain",
                    "mix",
                ][..],
            ),
            ("limiter", &["ceiling_dbtp", "release_ms", "lookahead_ms"]),
            (
                "reverb",
                &["decay_s", "predelay_ms", "size", "damping", "width", "mix"],
            ),
            (
                "delay",
                &[
                    "time_ms",
                    "time",
                    "feedback",
                    "lowcut_hz",
                    "highcut_hz",
                    "pingpong",
                    "mix",
                ],
            ),
            (
                "gate",
                &[
                    "threshold_db",
                    "attack_ms",
                    "hold_ms",
                    "release_ms",
                    "range_db",
                ],
            ),
        ] {
            let spec = kind(k).unwrap();
            let have: Vec<&str> = spec.params.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(have, names);
        }
        let eq = kind("eq").unwrap();
        assert_eq!(eq.params.len(), EQ_BANDS * EQ_BAND_PARAMS);
        assert_eq!(eq.param("b8_slope").unwrap().0, 39);
        for k in kinds() {
            for p in &k.params {
                assert!(
                    p.min <= p.default && p.default <= p.max
                        || matches!(p.unit, Unit::NoteValue | Unit::Track),
                    "{}.{}",
                    k.name,
                    p.name
                );
            }
        }
    }

    #[test]
    fn values_parse_check_and_show() {
        let c = kind("compressor").unwrap();
        let (_, th) = c.param("threshold_db").unwrap();
        assert_eq!(th.parse("-24").unwrap(), ParamValue::Number(-24.0));
        assert_eq!(th.parse("-24 dB").unwrap(), ParamValue::Number(-24.0));
        let e = th.parse("6").unwrap_err();
        assert!(e.contains("-60 … 0 dB"), "{e}");
        let (_, det) = c.param("detector").unwrap();
        assert_eq!(det.parse("RMS").unwrap(), ParamValue::Text("rms".into()));
        assert!(det.parse("avg").unwrap_err().contains("peak, rms"));
        assert_eq!(det.number(&ParamValue::Text("rms".into())), Some(1.0));
        let d = kind("delay").unwrap();
        let (_, time) = d.param("time").unwrap();
        assert_eq!(time.parse("1/8.").unwrap(), ParamValue::Text("1/8.".into()));
        assert_eq!(time.number(&ParamValue::Text("1/8.".into())), Some(0.75));
        assert!(time.parse("1/7").is_err());
        let (_, pp) = d.param("pingpong").unwrap();
        assert_eq!(pp.parse("on").unwrap(), ParamValue::Bool(true));
        let (_, slope) = kind("eq").unwrap().param("b1_slope").unwrap();
        assert!(slope.parse("18").unwrap_err().contains("12, 24"));
        assert_eq!(th.show(-18.0), "-18 dB");
        assert_eq!(c.param("ratio").unwrap().1.show(4.0), "4:1");
    }

    #[test]
    fn note_values() {
        assert_eq!(note_value_beats("1/4").unwrap(), 1.0);
        assert_eq!(note_value_beats("1/8.").unwrap(), 0.75);
        assert!((note_value_beats("1/16t").unwrap() - 1.0 / 6.0).abs() < 1e-12);
        assert_eq!(note_value_text(0.75), "1/8.");
        assert_eq!(note_value_text(4.0), "1/1");
    }

    #[test]
    fn checking_an_effect_names_what_is_wrong() {
        let mut e = Effect {
            id: super::super::types::FxId(1),
            kind: "gate".into(),
            bypass: false,
            params: BTreeMap::new(),
        };
        assert!(check_effect(&e).is_ok());
        e.params
            .insert("treshold_db".into(), ParamValue::Number(-3.0));
        assert!(check_effect(&e).unwrap_err().contains("threshold_db"));
        e.kind = "flanger".into();
        assert!(check_effect(&e).unwrap_err().contains("compressor"));
    }

    #[test]
    fn steps_stay_in_range() {
        let (_, f) = kind("eq").unwrap().param("b1_freq").unwrap();
        let up = f.step(1000.0, 1.0, false);
        assert!(up > 1000.0 && up < 1100.0);
        assert_eq!(f.step(19999.0, 50.0, true), 20000.0);
        let (_, slope) = kind("eq").unwrap().param("b1_slope").unwrap();
        assert_eq!(slope.step(12.0, 1.0, false), 24.0);
    }
}
