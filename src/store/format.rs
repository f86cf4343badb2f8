//! The text of `project.toml`: writing it readable and diff-friendly, reading it back exactly.
//!
//! Writing goes through `toml::Value` and a small emitter of our own, because the `toml`
//! crate's pretty printer spreads every note over seven lines. Here a note is one line,
//! `[pitch, start, length, velocity, channel]`, small tables are inline, and every float is
//! written in its shortest form that reads back bit for bit. Reading checks the format version,
//! runs the migration chain for older files, rejects unknown keys (they would be silently
//! dropped by the next save) and reports the line of a syntax or type error.

use crate::model::{Project, FORMAT_VERSION};
use std::fmt::Write as _;
use toml::{Table, Value};

/// Fields stored as `f32` in the model, by key path without indices. Their values are written
/// in the shortest form that reads back to the same `f32` (`0.1` rather than
/// `0.10000000149011612`); every other float is written in the shortest `f64` form.
const F32_FIELDS: &[&str] = &[
    "master.gain_db",
    "track.gain_db",
    "track.pan",
    "track.clip.gain_db",
    "track.sends.level_db",
];

/// Longest one-line rendering of a table or array of tables that is still written inline.
const MAX_INLINE_CHARS: usize = 88;

/// A step of the migration chain: rewrites a table of version N into version N + 1.
pub type Migration = fn(&mut Table) -> Result<(), String>;

/// `MIGRATIONS[i]` turns a version `i + 1` file into a version `i + 2` file. Version 1 is
/// current, so the chain is empty; a new format version adds its step here.
pub const MIGRATIONS: &[Migration] = &[];

/// Why the text could not be read as a project. `Display` is one line.
#[derive(Debug, Clone, PartialEq)]
pub struct FormatError(pub String);

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Renders a project as `project.toml` text.
pub fn to_toml(project: &Project) -> Result<String, FormatError> {
    let value = Value::try_from(project).map_err(|e| FormatError(one_line(&e.to_string())))?;
    let Value::Table(root) = value else {
        return Err(FormatError("a project must serialize to a table".into()));
    };
    let mut out = String::new();
    write_table(&mut out, &mut Vec::new(), &root);
    Ok(out)
}

/// Reads `project.toml` bytes: UTF-8, TOML syntax, format version (migrating older files),
/// types and unknown keys. Does not call `Project::validate`.
pub fn from_bytes(bytes: &[u8]) -> Result<Project, FormatError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        FormatError(format!(
            "line {line}: not UTF-8 text (invalid byte at offset {at})"
        ))
    })?;
    from_str(text)
}

/// Reads `project.toml` text; see [`from_bytes`].
pub fn from_str(text: &str) -> Result<Project, FormatError> {
    from_str_with(text, MIGRATIONS)
}

fn from_str_with(text: &str, chain: &[Migration]) -> Result<Project, FormatError> {
    let current = chain.len() as u32 + 1;
    let mut table: Table = text
        .parse()
        .map_err(|e: toml::de::Error| located(text, e.span(), e.message()))?;
    let version = match table.get("format_version") {
        None => {
            return Err(FormatError(
                "format_version: missing (is this a tdaw project?)".into(),
            ))
        }
        Some(Value::Integer(v)) => *v,
        Some(_) => return Err(FormatError("format_version: must be a whole number".into())),
    };
    if version < 1 || version > current as i64 {
        return Err(FormatError(format!(
            "format_version: {version} is not a version this tdaw reads (1..={current}){}",
            if version > current as i64 {
                "; it was written by a newer tdaw"
            } else {
                ""
            }
        )));
    }
    if version < current as i64 {
        migrate(&mut table, version as u32, chain)?;
    }
    check_clip_keys(&table)?;
    let mut unknown = Vec::new();
    let project: Project = if version == current as i64 {
        // The common case reads the text itself, so type errors keep their line.
        let de =
            toml::Deserializer::parse(text).map_err(|e| located(text, e.span(), e.message()))?;
        serde_ignored::deserialize(de, |path| unknown.push(field_path(&path))).map_err(
            |e: toml::de::Error| {
                // Clips are flattened, so serde points at the clip's header; find the field.
                let message = match locate_in_clips(&table) {
                    Some(inner) => inner,
                    None => e.message().to_string(),
                };
                located(text, e.span(), &message)
            },
        )?
    } else {
        serde_ignored::deserialize(Value::Table(table), |path| unknown.push(field_path(&path)))
            .map_err(|e: toml::de::Error| FormatError(one_line(e.message())))?
    };
    if let Some(first) = unknown.first() {
        return Err(FormatError(format!(
            "{first}: unknown key (a typo, or a file from a newer tdaw?)"
        )));
    }
    Ok(project)
}

/// Clips are flattened (`type` selects the fields), which hides their unknown keys from
/// serde_ignored; they are checked here against the keys the model itself writes.
fn check_clip_keys(table: &Table) -> Result<(), FormatError> {
    use crate::model::{AudioClip, Clip, ClipContent, ClipId, MidiClip};
    let keys = |content: ClipContent| -> Vec<String> {
        let clip = Clip {
            id: ClipId(1),
            name: "x".into(),
            start: 0.0,
            content,
        };
        match Value::try_from(&clip) {
            Ok(Value::Table(t)) => t.keys().cloned().collect(),
            _ => Vec::new(),
        }
    };
    let audio = keys(ClipContent::Audio(AudioClip {
        file: "a.wav".into(),
        offset: 0.0,
        length: 1.0,
        gain_db: 0.0,
        fade_in: 0.0,
        fade_out: 0.0,
    }));
    let midi = keys(ClipContent::Midi(MidiClip {
        offset: 1.0,
        length: 1.0,
        notes: Vec::new(),
        controllers: vec![crate::model::ControlEvent {
            kind: crate::model::ControlKind::Cc(7),
            time: 0.0,
            value: 100,
            channel: 0,
        }],
    }));
    let Some(tracks) = table.get("track").and_then(Value::as_array) else {
        return Ok(());
    };
    for (ti, t) in tracks.iter().enumerate() {
        let Some(clips) = t.get("clip").and_then(Value::as_array) else {
            continue;
        };
        for (ci, c) in clips.iter().enumerate() {
            let Some(ct) = c.as_table() else { continue };
            let allowed = match ct.get("type").and_then(Value::as_str) {
                Some("audio") => &audio,
                Some("midi") => &midi,
                // Deserialization reports a missing or unknown type.
                _ => continue,
            };
            if let Some(k) = ct.keys().find(|k| !allowed.contains(k)) {
                return Err(FormatError(format!(
                    "track[{ti}].clip[{ci}].{k}: unknown key (a typo, or a file from a newer tdaw?)"
                )));
            }
        }
    }
    Ok(())
}

/// Finds the clip (and note) whose content does not deserialize, for a precise message.
fn locate_in_clips(table: &Table) -> Option<String> {
    use crate::model::{Clip, Note};
    use serde::Deserialize;
    let tracks = table.get("track")?.as_array()?;
    for (ti, t) in tracks.iter().enumerate() {
        let Some(clips) = t.get("clip").and_then(Value::as_array) else {
            continue;
        };
        for (ci, c) in clips.iter().enumerate() {
            let Err(e) = Clip::deserialize(c.clone()) else {
                continue;
            };
            if let Some(notes) = c.get("notes").and_then(Value::as_array) {
                for (ni, n) in notes.iter().enumerate() {
                    if let Err(e) = Note::deserialize(n.clone()) {
                        return Some(format!(
                            "track[{ti}].clip[{ci}].notes[{ni}]: {} (a note is [pitch 0-127, start, length, velocity 1-127, channel 0-15])",
                            one_line(e.message())
                        ));
                    }
                }
            }
            return Some(format!("track[{ti}].clip[{ci}]: {}", one_line(e.message())));
        }
    }
    None
}

/// Runs the migration chain from `from` up to the current version, updating `format_version`.
fn migrate(table: &mut Table, from: u32, chain: &[Migration]) -> Result<(), FormatError> {
    for v in from..=chain.len() as u32 {
        let step = chain[(v - 1) as usize];
        step(table).map_err(|e| {
            FormatError(format!(
                "format_version: could not upgrade version {v} to {}: {e}",
                v + 1
            ))
        })?;
        table.insert("format_version".into(), Value::Integer(v as i64 + 1));
    }
    Ok(())
}

/// `debug_assert`-style check used by tests: the chain reaches the model's version.
pub fn chain_reaches_current() -> bool {
    MIGRATIONS.len() as u32 + 1 == FORMAT_VERSION
}

/// `track[0].clip[1].volume` from serde_ignored's path.
fn field_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    fn walk(p: &Path<'_>, out: &mut String) {
        match p {
            Path::Root => {}
            Path::Seq { parent, index } => {
                walk(parent, out);
                let _ = write!(out, "[{index}]");
            }
            Path::Map { parent, key } => {
                walk(parent, out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Path::Some { parent }
            | Path::NewtypeStruct { parent }
            | Path::NewtypeVariant { parent } => walk(parent, out),
        }
    }
    let mut out = String::new();
    walk(path, &mut out);
    if out.is_empty() {
        "(top level)".into()
    } else {
        out
    }
}

/// An error message with the line (and the line's text, which names the key) it points at.
fn located(text: &str, span: Option<std::ops::Range<usize>>, message: &str) -> FormatError {
    let message = one_line(message);
    let Some(span) = span else {
        return FormatError(message);
    };
    let start = span.start.min(text.len());
    let line_no = text.as_bytes()[..start]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut snippet: String = text[line_start..line_end].trim().chars().take(60).collect();
    if text[line_start..line_end].trim().chars().count() > 60 {
        snippet.push('…');
    }
    if snippet.is_empty() {
        FormatError(format!("line {line_no}: {message}"))
    } else {
        FormatError(format!("line {line_no} (`{snippet}`): {message}"))
    }
}

fn one_line(s: &str) -> String {
    s.trim().replace(['\n', '\r'], " ")
}

// ---------------------------------------------------------------------------------------
// Emitter

/// Writes a table's body: plain and inline entries first, then sub-tables, then arrays of
/// tables, so that every `key = value` line belongs to the header above it.
fn write_table(out: &mut String, path: &mut Vec<String>, table: &Table) {
    for (key, value) in table {
        path.push(key.clone());
        if layout(value, path) == Layout::Inline {
            let _ = write!(out, "{} = ", bare_or_quoted(key));
            write_value(out, path, value, true);
            out.push('\n');
        }
        path.pop();
    }
    for (key, value) in table {
        path.push(key.clone());
        match (layout(value, path), value) {
            (Layout::Table, Value::Table(sub)) => {
                let _ = writeln!(out, "\n[{}]", header(path));
                write_table(out, path, sub);
            }
            (Layout::ArrayOfTables, Value::Array(items)) => {
                for item in items {
                    if let Value::Table(sub) = item {
                        let _ = writeln!(out, "\n[[{}]]", header(path));
                        write_table(out, path, sub);
                    }
                }
            }
            _ => {}
        }
        path.pop();
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Layout {
    Inline,
    Table,
    ArrayOfTables,
}

fn layout(value: &Value, path: &[String]) -> Layout {
    match value {
        Value::Table(t) if !fits_inline_table(t, path) => Layout::Table,
        Value::Array(items)
            if !items.is_empty()
                && items.iter().all(Value::is_table)
                && !items.iter().all(|v| match v {
                    Value::Table(t) => fits_inline_table(t, path),
                    _ => true,
                }) =>
        {
            Layout::ArrayOfTables
        }
        _ => Layout::Inline,
    }
}

/// A table is written inline when it is short and holds nothing that wants lines of its own.
fn fits_inline_table(t: &Table, path: &[String]) -> bool {
    if t.values().any(|v| match v {
        Value::Array(items) => items.iter().any(|i| i.is_array() || i.is_table()),
        Value::Table(sub) => !sub.values().all(is_scalar),
        _ => false,
    }) {
        return false;
    }
    let mut s = String::new();
    write_value(&mut s, &mut path.to_vec(), &Value::Table(t.clone()), false);
    s.chars().count() <= MAX_INLINE_CHARS
}

fn is_scalar(v: &Value) -> bool {
    !(v.is_array() || v.is_table())
}

/// Writes a value on one line, except that a top-level array of arrays or tables (notes,
/// automation points, tempo changes) gets one element per line.
fn write_value(out: &mut String, path: &mut Vec<String>, value: &Value, top: bool) {
    match value {
        Value::String(s) => write_string(out, s),
        Value::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => {
            let key = path.join(".");
            out.push_str(&float_repr(*f, F32_FIELDS.contains(&key.as_str())));
        }
        Value::Boolean(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Datetime(d) => {
            let _ = write!(out, "{d}");
        }
        Value::Array(items) => {
            let multiline = top && items.iter().any(|v| v.is_array() || v.is_table());
            if multiline {
                out.push_str("[\n");
                for item in items {
                    out.push_str("    ");
                    write_value(out, path, item, false);
                    out.push_str(",\n");
                }
                out.push(']');
            } else {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_value(out, path, item, false);
                }
                out.push(']');
            }
        }
        Value::Table(t) => {
            if t.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{ ");
            for (i, (k, v)) in t.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{} = ", bare_or_quoted(k));
                path.push(k.clone());
                write_value(out, path, v, false);
                path.pop();
            }
            out.push_str(" }");
        }
    }
}

/// The shortest text that reads back as exactly `v` (as an `f32` when `f32_field`).
pub(crate) fn float_repr(v: f64, f32_field: bool) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f32_field && (v as f32) as f64 == v {
        let s = f64_text(v as f32 as f64, Some(v as f32));
        // The reader parses an f64 and casts it: check that path, not f32 parsing.
        if s.parse::<f64>().map(|p| p as f32) == Ok(v as f32) {
            return s;
        }
    }
    f64_text(v, None)
}

fn f64_text(v: f64, as_f32: Option<f32>) -> String {
    let a = v.abs();
    let s = if a != 0.0 && !(1e-5..1e16).contains(&a) {
        match as_f32 {
            Some(x) => format!("{x:e}"),
            None => format!("{v:e}"),
        }
    } else {
        match as_f32 {
            Some(x) => format!("{x}"),
            None => format!("{v}"),
        }
    };
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        s + ".0"
    }
}

fn header(path: &[String]) -> String {
    path.iter()
        .map(|k| bare_or_quoted(k))
        .collect::<Vec<_>>()
        .join(".")
}

fn bare_or_quoted(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        let mut s = String::new();
        write_string(&mut s, key);
        s
    }
}

/// A TOML basic string: `"`, `\` and control characters escaped, everything else as is.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn sample() -> Project {
        let mut p = Project::new("Song \"one\"", 44_100, 128.0);
        p.key = Some("Am".parse().unwrap());
        p.markers.push(Marker {
            beat: 16.0,
            name: "Chorus".into(),
        });
        let mut t = Track::new(TrackId(1), "Keys", TrackKind::Midi);
        t.gain_db = -3.1;
        t.pan = 0.1;
        t.automation.push(AutomationLane {
            target: AutomationTarget::EffectParam(0, "mix".into()),
            enabled: true,
            points: vec![(0.0, 0.1), (4.0, 0.7)],
        });
        t.clips.push(Clip {
            id: ClipId(1),
            name: String::new(),
            start: 0.0,
            content: ClipContent::Midi(MidiClip {
                offset: 0.0,
                controllers: Vec::new(),
                length: 4.0,
                notes: vec![
                    Note {
                        pitch: 60,
                        start: 0.0,
                        length: 0.5,
                        velocity: 100,
                        channel: 0,
                    },
                    Note {
                        pitch: 64,
                        start: 1.0 / 3.0,
                        length: 0.25,
                        velocity: 90,
                        channel: 9,
                    },
                ],
            }),
        });
        p.tracks.push(t);
        p
    }

    #[test]
    fn notes_are_one_per_line() {
        let text = to_toml(&sample()).unwrap();
        assert!(
            text.contains("notes = [\n    [60, 0.0, 0.5, 100, 0],\n    [64, 0.3333333333333333, 0.25, 90, 9],\n]"),
            "{text}"
        );
        assert!(text.contains("gain_db = -3.1\n"), "{text}");
        assert!(text.contains("pan = 0.1\n"), "{text}");
        assert!(text.contains("[[track.clip]]"), "{text}");
        assert!(text.starts_with("format_version = 1\nname = \"Song \\\"one\\\"\"\n"));
        assert_eq!(from_str(&text).unwrap(), sample());
    }

    #[test]
    fn floats_round_trip_exactly() {
        for v in [
            0.1,
            1.0 / 3.0,
            -0.0,
            1e300,
            5e-324,
            123456789.125,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            let s = float_repr(v, false);
            assert_eq!(s.parse::<f64>().unwrap().to_bits(), v.to_bits(), "{s}");
            let t: Table = format!("x = {s}").parse().unwrap();
            assert_eq!(t["x"].as_float().unwrap().to_bits(), v.to_bits(), "{s}");
        }
        // f32 fields: every value reads back exactly through the f64 parse + cast the reader uses.
        let mut x: u32 = 0x1234_5678;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let f = f32::from_bits(x);
            if !f.is_finite() {
                continue;
            }
            let s = float_repr(f as f64, true);
            assert_eq!(s.parse::<f64>().unwrap() as f32, f, "{s}");
        }
        assert_eq!(float_repr(0.1f32 as f64, true), "0.1");
    }

    #[test]
    fn errors_name_the_line_and_key() {
        let e = from_str("format_version = 1\nname = \"x\"\nsample_rate = -5\n").unwrap_err();
        assert!(e.0.starts_with("line 3 (`sample_rate = -5`)"), "{e}");
        let e = from_str("format_version = 1\nname = \"x\"\nsample_rate = [").unwrap_err();
        assert!(e.0.starts_with("line 3"), "{e}");
        let e = from_str("name = \"x\"\nsample_rate = 48000\n").unwrap_err();
        assert!(e.0.starts_with("format_version: missing"), "{e}");
        let e = from_str("format_version = 7\nname = \"x\"\nsample_rate = 48000\n").unwrap_err();
        assert!(e.0.contains("newer tdaw"), "{e}");
        let e = from_bytes(b"format_version = 1\nname = \"\xff\"\n").unwrap_err();
        assert!(e.0.starts_with("line 2: not UTF-8"), "{e}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let mut text = to_toml(&sample()).unwrap();
        text = text.replace("[[track]]\n", "[[track]]\nvolume = 3\n");
        let e = from_str(&text).unwrap_err();
        assert_eq!(
            e.0,
            "track[0].volume: unknown key (a typo, or a file from a newer tdaw?)"
        );
        let text = to_toml(&sample())
            .unwrap()
            .replace("length = 4.0\n", "length = 4.0\nvelocity = 3\n");
        let e = from_str(&text).unwrap_err();
        assert_eq!(
            e.0,
            "track[0].clip[0].velocity: unknown key (a typo, or a file from a newer tdaw?)"
        );
    }

    #[test]
    fn migration_chain_runs_in_order() {
        // A pretend version 1 → 2 step: v1 called the sample rate `rate`.
        fn v1_to_v2(t: &mut Table) -> Result<(), String> {
            let rate = t.remove("rate").ok_or("no `rate`")?;
            t.insert("sample_rate".into(), rate);
            Ok(())
        }
        let chain: &[Migration] = &[v1_to_v2];
        let p = from_str_with("format_version = 1\nname = \"old\"\nrate = 22050\n", chain);
        // The model only reads version 1, so the migrated project reports version 2 until the
        // model's FORMAT_VERSION moves too; what matters here is that the step ran.
        let p = p.unwrap();
        assert_eq!((p.sample_rate, p.format_version), (22_050, 2));
        let e = from_str_with("format_version = 1\nname = \"old\"\n", chain).unwrap_err();
        assert!(
            e.0.contains("could not upgrade version 1 to 2: no `rate`"),
            "{e}"
        );
        assert!(chain_reaches_current());
    }
}
