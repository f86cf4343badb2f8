//! `tdaw fx kinds|add|set|rm|move|bypass|list`: insert effects from the shell. Every value is
//! parsed and checked by the effect registry (`model::fx`) through the mixer operations
//! (`model::mixer`); each editing command is one edit.

use crate::model::fx::{self, KindSpec, ParamSpec, Unit};
use crate::model::mixer::{self, Owner};
use crate::model::{Effect, ParamValue, Project, TrackId};
use serde_json::{json, Value};
use std::path::PathBuf;

/// Arguments of `tdaw fx`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Every effect kind with its parameters: name, unit, range, default.
    Kinds {
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Append an effect to TRACK's chain; prints the new effect's id alone.
    Add {
        /// Project folder.
        dir: PathBuf,
        /// Track name, 1-based position, or master.
        track: String,
        /// eq, compressor, gate, reverb, delay or limiter.
        kind: String,
        /// PARAM=VALUE settings (the rest take their defaults).
        #[arg(value_name = "PARAM=VALUE")]
        params: Vec<String>,
    },
    /// Set parameters of effect FX (the id `fx add` printed).
    Set {
        dir: PathBuf,
        track: String,
        fx: String,
        #[arg(required = true, value_name = "PARAM=VALUE")]
        params: Vec<String>,
    },
    /// Remove effect FX (with its automation).
    Rm {
        dir: PathBuf,
        track: String,
        fx: String,
    },
    /// Move effect FX to position POS (1-based) of its chain.
    Move {
        dir: PathBuf,
        track: String,
        fx: String,
        pos: String,
    },
    /// Bypass (on) or engage (off) effect FX.
    Bypass {
        dir: PathBuf,
        track: String,
        fx: String,
        /// on or off.
        state: String,
    },
    /// Every chain, in order, with its parameters (master included).
    List {
        dir: PathBuf,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Cmd::Kinds { json } => {
            if json {
                println!("{}", fx::kinds_json());
            } else {
                print!("{}", kinds_text());
            }
        }
        Cmd::List { dir, json } => {
            let p = crate::store::load_project(&dir)?;
            if json {
                println!("{}", list_json(&p));
            } else {
                print!("{}", list_text(&p));
            }
        }
        Cmd::Add {
            dir,
            track,
            kind,
            params,
        } => {
            let id = super::edit_project(&dir, "add effect", |p| {
                let o = mixer::resolve(p, &track)?;
                let pairs = mixer::split_pairs(&params)?;
                mixer::add_effect(p, o, kind.trim(), &pairs, None)
            })?;
            println!("{}", id.0);
        }
        Cmd::Set {
            dir,
            track,
            fx,
            params,
        } => {
            let line = super::edit_project(&dir, "set effect", |p| {
                let o = mixer::resolve(p, &track)?;
                let id = mixer::parse_fx_id(&fx)?;
                let pairs = mixer::split_pairs(&params)?;
                let edit = mixer::set_effect_params(p, o, id, &pairs)?;
                let e = &mixer::chain(p, o)?[mixer::find_fx(p, o, id)?];
                let mut after = e.clone();
                if let Some(spec) = fx::kind(&e.kind) {
                    for (name, v) in mixer::parse_params(p, spec, &pairs)? {
                        after.params.insert(name, v);
                    }
                }
                let shown: Vec<String> = pairs
                    .iter()
                    .map(|(k, _)| format!("{k} {}", shown_value(p, &after, k)))
                    .collect();
                Ok((edit, format!("{}: {}", describe(p, o, e), shown.join(", "))))
            })?;
            println!("{line}");
        }
        Cmd::Rm { dir, track, fx } => {
            let line = super::edit_project(&dir, "remove effect", |p| {
                let (o, e) = effect_of(p, &track, &fx)?;
                let edit = mixer::remove_effect(p, o, e.id)?;
                Ok((edit, format!("removed {}", describe(p, o, &e))))
            })?;
            println!("{line}");
        }
        Cmd::Move {
            dir,
            track,
            fx,
            pos,
        } => {
            let line = super::edit_project(&dir, "move effect", |p| {
                let (o, e) = effect_of(p, &track, &fx)?;
                let len = mixer::chain(p, o)?.len();
                let n = pos.trim().parse::<usize>().map_err(|_| {
                    format!("position '{pos}' must be a whole number 1 … {len} (in the chain)")
                })?;
                let edit = mixer::move_effect(p, o, e.id, n)?;
                Ok((
                    edit,
                    format!("{} moved to position {n}", describe(p, o, &e)),
                ))
            })?;
            println!("{line}");
        }
        Cmd::Bypass {
            dir,
            track,
            fx,
            state,
        } => {
            let line = super::edit_project(&dir, "bypass effect", |p| {
                let (o, e) = effect_of(p, &track, &fx)?;
                let on = match state.trim().to_ascii_lowercase().as_str() {
                    "on" | "true" | "yes" | "1" => true,
                    "off" | "false" | "no" | "0" => false,
                    _ => return Err(format!("bypass must be on or off, not '{state}'")),
                };
                let edit = mixer::bypass_effect(p, o, e.id, on)?;
                let what = if on { "bypassed" } else { "engaged" };
                Ok((edit, format!("{} {what}", describe(p, o, &e))))
            })?;
            println!("{line}");
        }
    }
    Ok(())
}

/// The owner and effect that `TRACK FX` name.
fn effect_of(p: &Project, track: &str, fx: &str) -> Result<(Owner, Effect), String> {
    let o = mixer::resolve(p, track)?;
    let id = mixer::parse_fx_id(fx)?;
    let i = mixer::find_fx(p, o, id)?;
    Ok((o, mixer::chain(p, o)?[i].clone()))
}

/// `Drums: compressor 3`.
fn describe(p: &Project, o: Owner, e: &Effect) -> String {
    format!("{}: {} {}", mixer::owner_name(p, o), e.kind, e.id.0)
}

/// A parameter's value as a person reads it, with its unit (`-18 dB`, `rms`, `1/8.`, a
/// sidechain's track name).
fn shown_value(p: &Project, e: &Effect, name: &str) -> String {
    let Some((_, ps)) = fx::kind(&e.kind).and_then(|k| k.param(name)) else {
        return "?".into();
    };
    let n = value_of(ps, e);
    match ps.unit {
        Unit::Track if n == 0.0 => "off".into(),
        Unit::Track => mixer::owner_name(p, Owner::Track(TrackId(n as u64))),
        _ => ps.show(n),
    }
}

fn value_of(ps: &ParamSpec, e: &Effect) -> f64 {
    e.params
        .get(&ps.name)
        .and_then(|v| ps.check(v).ok())
        .unwrap_or(ps.default)
}

/// The parameters an effect shows: all of them, but for an EQ only the bands in use.
fn shown_params<'a>(spec: &'a KindSpec, e: &Effect) -> Vec<&'a ParamSpec> {
    if spec.name != "eq" {
        return spec.params.iter().collect();
    }
    spec.params
        .chunks(fx::EQ_BAND_PARAMS)
        .filter(|band| value_of(&band[0], e) != 0.0)
        .flatten()
        .collect()
}

/// `fx kinds`: each kind's name and what it does, then one line per parameter (its range and
/// default, then what it does, wrapped to 80 columns). The EQ's eight bands are alike: band 1
/// is listed, and the others' default frequencies.
pub fn kinds_text() -> String {
    let mut out = String::new();
    for k in fx::kinds() {
        out.push_str(&format!("{} — {}\n", k.name, k.doc));
        let params: Vec<&ParamSpec> = if k.name == "eq" {
            k.params[..fx::EQ_BAND_PARAMS].iter().collect()
        } else {
            k.params.iter().collect()
        };
        for ps in params {
            let default = match ps.unit {
                Unit::Track | Unit::NoteValue => "off".to_string(),
                _ => ps.show(ps.default),
            };
            let head = format!("  {:<13} {}, default {default}", ps.name, ps.allowed_text());
            push_wrapped(&mut out, &head, 16);
            push_wrapped(&mut out, &format!("{:16}{}", "", ps.doc), 16);
        }
        if k.name == "eq" {
            let freqs: Vec<String> = k
                .params
                .chunks(fx::EQ_BAND_PARAMS)
                .skip(1)
                .map(|b| fx::fmt_num(b[1].default))
                .collect();
            push_wrapped(
                &mut out,
                &format!(
                    "  b2_… to b{}_…: the same, default frequencies {} Hz",
                    fx::EQ_BANDS,
                    freqs.join(", ")
                ),
                16,
            );
        }
        out.push('\n');
    }
    out
}

/// Appends `line`, wrapped at word boundaries to 80 columns; continuation lines are indented
/// by `indent`.
fn push_wrapped(out: &mut String, line: &str, indent: usize) {
    const WIDTH: usize = 80;
    let body = line.trim_start_matches(' ');
    let mut current = " ".repeat(line.len() - body.len());
    let mut at_start = true;
    // Split on single spaces so that padding inside the line (columns) is kept.
    for word in body.split(' ') {
        let len = current.chars().count();
        if !at_start && !word.is_empty() && len + 1 + word.chars().count() > WIDTH {
            out.push_str(current.trim_end());
            out.push('\n');
            current = " ".repeat(indent);
            at_start = true;
        }
        if at_start && word.is_empty() {
            continue;
        }
        if !at_start {
            current.push(' ');
        }
        current.push_str(word);
        at_start = false;
    }
    out.push_str(current.trim_end());
    out.push('\n');
}

/// Appends `items` joined by ", ", indented by `indent` and wrapped to 80 columns between
/// items (a value and its unit stay together).
fn push_items(out: &mut String, items: &[String], indent: usize) {
    let mut line = " ".repeat(indent);
    for (i, item) in items.iter().enumerate() {
        let sep = if i + 1 < items.len() { "," } else { "" };
        let fresh = line.trim().is_empty();
        if !fresh && line.chars().count() + 1 + item.chars().count() + sep.len() > 80 {
            out.push_str(&line);
            out.push('\n');
            line = " ".repeat(indent);
        }
        if !line.trim().is_empty() {
            line.push(' ');
        }
        line.push_str(item);
        line.push_str(sep);
    }
    out.push_str(&line);
    out.push('\n');
}

fn stored_json(v: &ParamValue) -> Value {
    match v {
        ParamValue::Bool(b) => json!(b),
        ParamValue::Number(n) => json!(n),
        ParamValue::Text(t) => json!(t),
    }
}

/// Every chain: the tracks in order, then the master.
fn chains(p: &Project) -> Vec<(Owner, String)> {
    p.tracks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                Owner::Track(t.id),
                format!("{} (track {}, {})", t.name, i + 1, t.kind.as_str()),
            )
        })
        .chain(std::iter::once((Owner::Master, "master".to_string())))
        .collect()
}

/// `fx list`: every chain in order; each effect's id, kind and parameters with units.
pub fn list_text(p: &Project) -> String {
    let mut out = String::new();
    for (o, title) in chains(p) {
        out.push_str(&title);
        out.push('\n');
        let chain = mixer::chain(p, o).unwrap_or(&[]);
        if chain.is_empty() {
            out.push_str("  (no effects)\n");
        }
        for (pos, e) in chain.iter().enumerate() {
            let bypass = if e.bypass { "  (bypassed)" } else { "" };
            out.push_str(&format!(
                "  {}. {} (id {}){bypass}\n",
                pos + 1,
                e.kind,
                e.id.0
            ));
            let Some(spec) = fx::kind(&e.kind) else {
                out.push_str("       (a kind this build does not know: passed through)\n");
                continue;
            };
            let params = shown_params(spec, e);
            if params.is_empty() {
                out.push_str("       (every band off)\n");
                continue;
            }
            let words: Vec<String> = params
                .iter()
                .map(|ps| format!("{} {}", ps.name, shown_value(p, e, &ps.name)))
                .collect();
            push_items(&mut out, &words, 7);
        }
    }
    out
}

/// `fx list --json`: `{"chains": [{"track", "position", "kind", "effects": [{"id", "kind",
/// "bypass", "params": {NAME: VALUE}}]}, ..., {"track": "master", "effects": [...]}]}`.
/// Values as `project.toml` stores them (a choice's name, a switch's boolean), a sidechain
/// as its track's name; every parameter, defaults included (an EQ: the bands in use).
pub fn list_json(p: &Project) -> Value {
    let chains: Vec<Value> = chains(p)
        .into_iter()
        .map(|(o, _)| {
            let effects: Vec<Value> = mixer::chain(p, o)
                .unwrap_or(&[])
                .iter()
                .map(|e| {
                    let mut params = serde_json::Map::new();
                    match fx::kind(&e.kind) {
                        Some(spec) => {
                            for ps in shown_params(spec, e) {
                                let n = value_of(ps, e);
                                let v = match ps.unit {
                                    Unit::Track if n == 0.0 => Value::Null,
                                    Unit::Track => {
                                        json!(mixer::owner_name(p, Owner::Track(TrackId(n as u64))))
                                    }
                                    Unit::NoteValue if n == 0.0 => json!("off"),
                                    Unit::NoteValue => json!(fx::note_value_text(n)),
                                    _ => stored_json(&ps.stored(n)),
                                };
                                params.insert(ps.name.clone(), v);
                            }
                        }
                        None => {
                            for (k, v) in &e.params {
                                params.insert(k.clone(), stored_json(v));
                            }
                        }
                    }
                    json!({"id": e.id.0, "kind": e.kind, "bypass": e.bypass, "params": params})
                })
                .collect();
            match o {
                Owner::Master => json!({"track": "master", "effects": effects}),
                Owner::Track(id) => {
                    let pos = p.tracks.iter().position(|t| t.id == id).unwrap_or(0) + 1;
                    let t = &p.tracks[pos - 1];
                    json!({"track": t.name, "position": pos, "kind": t.kind.as_str(),
                           "effects": effects})
                }
            }
        })
        .collect();
    json!({ "chains": chains })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_text_fits_80_columns_and_names_every_parameter() {
        let text = kinds_text();
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "too wide: {line}");
        }
        for k in fx::kinds() {
            assert!(text.contains(&format!("{} — ", k.name)));
            if k.name != "eq" {
                for ps in &k.params {
                    assert!(text.contains(&format!("  {} ", ps.name)), "{}", ps.name);
                }
            }
        }
        assert!(
            text.contains("ratio         1 … 20:1, default 4:1"),
            "{text}"
        );
        assert!(text.contains("b1_type       one of off, peak"), "{text}");
    }

    #[test]
    fn wrapping_keeps_words_and_indents() {
        let mut out = String::new();
        let long = format!("  {}", ["word"; 30].join(" "));
        push_wrapped(&mut out, &long, 6);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= 80));
        assert!(lines[1].starts_with("      word"));
        assert_eq!(out.split_whitespace().count(), 30);
    }
}
