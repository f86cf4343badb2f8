//! Effect presets: a single effect or a whole chain saved by name and loaded into any project.
//! Factory presets are built in (not files, so an update can improve them); the user's live in
//! the index's presets table (kind `fx`) and, as the source of truth, in
//! `presets/fx/NAME.toml` in the data dir, so deleting the index loses none. The shell
//! (`tdaw preset`), the TUI's effect editor and the assistant all use this API; loading one is
//! `model::mixer::insert_effects`, which gives every effect a fresh id.
//!
//! A preset file holds `[[effect]]` tables with `kind`, optional `bypass` and `params`. Effect
//! ids and sidechain tracks belong to one project, so neither is saved.

use super::index::{Index, IndexError};
use super::StoreError;
use crate::model::fx::{self, Unit};
use crate::model::{Effect, FxId, ParamValue};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The index's preset kind for effect presets.
pub const KIND: &str = "fx";

/// A named effect chain (one effect or several, in order).
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    pub name: String,
    /// Built in: cannot be overwritten or removed.
    pub factory: bool,
    /// The effects, in chain order; their ids mean nothing (loading assigns fresh ones).
    pub effects: Vec<Effect>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetFile {
    #[serde(rename = "effect", default)]
    effects: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    kind: String,
    #[serde(default, skip_serializing_if = "is_false")]
    bypass: bool,
    #[serde(default)]
    params: BTreeMap<String, ParamValue>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The factory presets' names, in the order they are listed.
pub const FACTORY: &[&str] = &[
    "vocal",
    "drum bus",
    "master glue",
    "plate",
    "slapback",
    "tape echo",
    "gentle master limiter",
];

/// The settings of each factory preset, as `PARAM=VALUE` text (checked by the registry).
fn factory_spec(name: &str) -> &'static [(&'static str, &'static [(&'static str, &'static str)])] {
    match name {
        // Rumble off, a little mud out, presence and air up; then steady levelling.
        "vocal" => &[
            (
                "eq",
                &[
                    ("b1_type", "highpass"),
                    ("b1_freq", "90"),
                    ("b1_slope", "24"),
                    ("b2_type", "peak"),
                    ("b2_freq", "300"),
                    ("b2_gain_db", "-2"),
                    ("b2_q", "1"),
                    ("b3_type", "peak"),
                    ("b3_freq", "3000"),
                    ("b3_gain_db", "2"),
                    ("b3_q", "1"),
                    ("b4_type", "highshelf"),
                    ("b4_freq", "10000"),
                    ("b4_gain_db", "2"),
                ],
            ),
            (
                "compressor",
                &[
                    ("threshold_db", "-20"),
                    ("ratio", "3"),
                    ("knee_db", "6"),
                    ("attack_ms", "5"),
                    ("release_ms", "80"),
                    ("makeup_db", "3"),
                    ("detector", "rms"),
                ],
            ),
        ],
        // A slow attack lets the hits through; blended in parallel for punch.
        "drum bus" => &[(
            "compressor",
            &[
                ("threshold_db", "-15"),
                ("ratio", "4"),
                ("knee_db", "3"),
                ("attack_ms", "10"),
                ("release_ms", "100"),
                ("makeup_db", "3"),
                ("detector", "peak"),
                ("mix", "0.6"),
            ],
        )],
        // Low ratio, slow attack, RMS: 1-2 dB of gain reduction that holds a mix together.
        "master glue" => &[(
            "compressor",
            &[
                ("threshold_db", "-12"),
                ("ratio", "2"),
                ("knee_db", "6"),
                ("attack_ms", "30"),
                ("release_ms", "200"),
                ("makeup_db", "1"),
                ("detector", "rms"),
            ],
        )],
        // Bright and dense, no pre-delay.
        "plate" => &[(
            "reverb",
            &[
                ("decay_s", "2.2"),
                ("predelay_ms", "0"),
                ("size", "0.6"),
                ("damping", "0.25"),
                ("width", "1"),
                ("mix", "0.25"),
            ],
        )],
        // One short, filtered repeat.
        "slapback" => &[(
            "delay",
            &[
                ("time_ms", "110"),
                ("feedback", "0.1"),
                ("lowcut_hz", "150"),
                ("highcut_hz", "6000"),
                ("pingpong", "off"),
                ("mix", "0.25"),
            ],
        )],
        // Dotted eighths that get darker as they repeat.
        "tape echo" => &[(
            "delay",
            &[
                ("time", "1/8."),
                ("feedback", "0.45"),
                ("lowcut_hz", "200"),
                ("highcut_hz", "3500"),
                ("pingpong", "off"),
                ("mix", "0.3"),
            ],
        )],
        "gentle master limiter" => &[(
            "limiter",
            &[
                ("ceiling_dbtp", "-1"),
                ("release_ms", "150"),
                ("lookahead_ms", "5"),
            ],
        )],
        _ => &[],
    }
}

/// A factory preset by its exact name.
fn factory(name: &str) -> Option<Preset> {
    let spec = factory_spec(name);
    if spec.is_empty() {
        return None;
    }
    let mut effects = Vec::new();
    for (kind, pairs) in spec {
        let k = fx::kind(kind)?;
        let mut params = BTreeMap::new();
        // Like `fx add`: every parameter written, so the preset sounds the same when a
        // later build changes a default (the EQ writes only its bands in use).
        if k.name != "eq" {
            for ps in &k.params {
                if !matches!(ps.unit, Unit::Track | Unit::NoteValue) {
                    params.insert(ps.name.clone(), ps.stored(ps.default));
                }
            }
        }
        for (p, v) in *pairs {
            let (_, ps) = k.param(p)?;
            params.insert(p.to_string(), ps.parse(v).ok()?);
        }
        effects.push(Effect {
            id: FxId(0),
            kind: kind.to_string(),
            bypass: false,
            params,
        });
    }
    Some(Preset {
        name: name.to_string(),
        factory: true,
        effects,
    })
}

fn index_error(e: IndexError) -> StoreError {
    StoreError::Preset(format!("presets: {e}"))
}

fn open() -> Result<Index, StoreError> {
    Index::open().map_err(index_error)
}

/// Every preset: the factory ones first (in [`FACTORY`] order), then the user's by name.
/// A user preset file that cannot be read is left out with a warning.
pub fn list() -> Result<Vec<Preset>, StoreError> {
    list_in(&open()?)
}

/// A preset by name (exact, then ignoring case); the error names the known ones.
pub fn find(name: &str) -> Result<Preset, StoreError> {
    find_in(&open()?, name)
}

/// Saves `effects` (one or a whole chain) as the user preset `name`, replacing one of that
/// name. Refuses a factory preset's name, an empty chain and effects the registry refuses.
pub fn save(name: &str, effects: &[Effect]) -> Result<(), StoreError> {
    save_in(&mut open()?, name, effects)
}

/// Removes the user preset `name`; factory presets cannot be removed.
pub fn remove(name: &str) -> Result<(), StoreError> {
    remove_in(&mut open()?, name)
}

fn list_in(index: &Index) -> Result<Vec<Preset>, StoreError> {
    let mut out: Vec<Preset> = FACTORY.iter().filter_map(|n| factory(n)).collect();
    for (name, data) in index.presets(KIND).map_err(index_error)? {
        if is_factory_name(&name) {
            continue;
        }
        match parse(&name, &data) {
            Ok(p) => out.push(p),
            Err(e) => super::warn(&e.to_string()),
        }
    }
    Ok(out)
}

fn find_in(index: &Index, name: &str) -> Result<Preset, StoreError> {
    let wanted = name.trim();
    if let Some(f) = FACTORY
        .iter()
        .find(|f| f.eq_ignore_ascii_case(wanted))
        .and_then(|f| factory(f))
    {
        return Ok(f);
    }
    let users = index.presets(KIND).map_err(index_error)?;
    let hit = users.iter().find(|(n, _)| n == wanted).or_else(|| {
        let lower = wanted.to_lowercase();
        let same: Vec<_> = users
            .iter()
            .filter(|(n, _)| n.to_lowercase() == lower)
            .collect();
        (same.len() == 1).then(|| same[0])
    });
    match hit {
        Some((n, data)) => parse(n, data),
        None => {
            let mut names: Vec<String> = FACTORY.iter().map(|s| s.to_string()).collect();
            names.extend(
                users
                    .into_iter()
                    .map(|(n, _)| n)
                    .filter(|n| !is_factory_name(n)),
            );
            Err(StoreError::Preset(format!(
                "there is no preset '{wanted}'; the presets are {}",
                names.join(", ")
            )))
        }
    }
}

fn save_in(index: &mut Index, name: &str, effects: &[Effect]) -> Result<(), StoreError> {
    let name = name.trim();
    if is_factory_name(name) {
        return Err(StoreError::Preset(format!(
            "'{name}' is a factory preset and cannot be overwritten; choose another name"
        )));
    }
    if effects.is_empty() {
        return Err(StoreError::Preset(
            "a preset needs at least one effect".into(),
        ));
    }
    let data = to_text(effects)?;
    index.save_preset(KIND, name, &data).map_err(index_error)
}

fn remove_in(index: &mut Index, name: &str) -> Result<(), StoreError> {
    let name = name.trim();
    if is_factory_name(name) {
        return Err(StoreError::Preset(format!(
            "'{name}' is a factory preset and cannot be removed"
        )));
    }
    // The stored name, when it was typed in another case.
    let users = index.presets(KIND).map_err(index_error)?;
    let lower = name.to_lowercase();
    let stored = users
        .iter()
        .map(|(n, _)| n)
        .find(|n| *n == name)
        .or_else(|| {
            users
                .iter()
                .map(|(n, _)| n)
                .find(|n| n.to_lowercase() == lower)
        })
        .cloned()
        .unwrap_or_else(|| name.to_string());
    if index.remove_preset(KIND, &stored).map_err(index_error)? {
        return Ok(());
    }
    // Not there: the error names the ones that are.
    Err(find_in(index, name)
        .err()
        .unwrap_or_else(|| StoreError::Preset(format!("there is no user preset '{name}'"))))
}

fn is_factory_name(name: &str) -> bool {
    FACTORY.iter().any(|f| f.eq_ignore_ascii_case(name.trim()))
}

/// The file text of a chain: kinds, bypass and parameters; ids and sidechains left out.
fn to_text(effects: &[Effect]) -> Result<String, StoreError> {
    let mut entries = Vec::new();
    for e in effects {
        fx::check_effect(e).map_err(StoreError::Preset)?;
        let spec = fx::kind(&e.kind);
        let params = e
            .params
            .iter()
            .filter(|(name, _)| {
                spec.and_then(|s| s.param(name))
                    .is_none_or(|(_, ps)| ps.unit != Unit::Track)
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        entries.push(Entry {
            kind: e.kind.clone(),
            bypass: e.bypass,
            params,
        });
    }
    let body = toml::to_string(&PresetFile { effects: entries })
        .map_err(|e| StoreError::Preset(format!("the preset cannot be written: {e}")))?;
    Ok(format!("# tdaw effect preset\n{body}"))
}

/// A user preset from its file text; every effect is checked against the registry.
fn parse(name: &str, data: &str) -> Result<Preset, StoreError> {
    let bad = |why: String| {
        StoreError::Preset(format!(
            "preset '{name}' (presets/{KIND}/{name}.toml) cannot be read: {why}"
        ))
    };
    let file: PresetFile = toml::from_str(data).map_err(|e| bad(one_line(&e.to_string())))?;
    if file.effects.is_empty() {
        return Err(bad("it holds no [[effect]]".into()));
    }
    let mut effects = Vec::new();
    for e in file.effects {
        let effect = Effect {
            id: FxId(0),
            kind: e.kind,
            bypass: e.bypass,
            params: e.params,
        };
        fx::check_effect(&effect).map_err(bad)?;
        effects.push(effect);
    }
    Ok(Preset {
        name: name.to_string(),
        factory: false,
        effects,
    })
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The folder the user's effect presets are kept in (for messages).
pub fn folder(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("presets").join(KIND)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effect(kind: &str, pairs: &[(&str, &str)]) -> Effect {
        let k = fx::kind(kind).unwrap();
        let mut params = BTreeMap::new();
        for (p, v) in pairs {
            params.insert(p.to_string(), k.param(p).unwrap().1.parse(v).unwrap());
        }
        Effect {
            id: FxId(7),
            kind: kind.into(),
            bypass: false,
            params,
        }
    }

    #[test]
    fn factory_presets_are_all_there_and_valid() {
        for name in FACTORY {
            let p = factory(name).unwrap_or_else(|| panic!("{name} does not build"));
            assert!(p.factory && !p.effects.is_empty());
            for e in &p.effects {
                fx::check_effect(e).unwrap();
            }
        }
        let v = factory("vocal").unwrap();
        let kinds: Vec<&str> = v.effects.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["eq", "compressor"]);
        assert_eq!(
            v.effects[1].params["ratio"],
            ParamValue::Number(3.0),
            "{v:?}"
        );
        let l = factory("gentle master limiter").unwrap();
        assert_eq!(
            l.effects[0].params["ceiling_dbtp"],
            ParamValue::Number(-1.0)
        );
        let t = factory("tape echo").unwrap();
        assert_eq!(t.effects[0].params["time"], ParamValue::Text("1/8.".into()));
    }

    #[test]
    fn save_find_list_remove_round_trip() {
        let home = tempfile::tempdir().unwrap();
        let mut index = Index::open_in(home.path()).unwrap();
        let mut comp = effect(
            "compressor",
            &[("ratio", "6"), ("detector", "rms"), ("sidechain", "3")],
        );
        comp.bypass = true;
        let verb = effect("reverb", &[("decay_s", "3.5")]);
        save_in(&mut index, "My Chain", &[comp.clone(), verb.clone()]).unwrap();
        let file = folder(home.path()).join("My Chain.toml");
        assert!(file.is_file());
        let p = find_in(&index, "my chain").unwrap();
        assert_eq!(p.name, "My Chain");
        assert!(!p.factory);
        assert_eq!(p.effects.len(), 2);
        assert!(p.effects[0].bypass);
        assert_eq!(p.effects[0].params["ratio"], ParamValue::Number(6.0));
        assert_eq!(
            p.effects[0].params["detector"],
            ParamValue::Text("rms".into())
        );
        // The sidechain named a track of one project: not kept.
        assert!(!p.effects[0].params.contains_key("sidechain"));
        assert_eq!(p.effects[1].params, verb.params);
        let names: Vec<String> = list_in(&index)
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(&names[..FACTORY.len()], FACTORY);
        assert_eq!(names[FACTORY.len()..], ["My Chain".to_string()]);
        // The index deleted: rebuilt from the files, the preset is still there.
        drop(index);
        std::fs::remove_file(home.path().join(super::super::index::DB_FILE)).unwrap();
        let mut index = Index::open_in(home.path()).unwrap();
        assert_eq!(find_in(&index, "My Chain").unwrap(), p);
        remove_in(&mut index, "My Chain").unwrap();
        assert!(!file.exists());
        let e = find_in(&index, "My Chain").unwrap_err().to_string();
        assert!(e.contains("the presets are vocal, drum bus"), "{e}");
        assert!(remove_in(&mut index, "My Chain").is_err());
    }

    #[test]
    fn factory_names_empty_chains_and_bad_effects_are_refused() {
        let home = tempfile::tempdir().unwrap();
        let mut index = Index::open_in(home.path()).unwrap();
        let gate = effect("gate", &[]);
        let e = save_in(&mut index, "Plate", &[gate.clone()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("factory preset"), "{e}");
        assert!(remove_in(&mut index, "vocal").is_err());
        assert!(save_in(&mut index, "empty", &[]).is_err());
        let mut bad = gate.clone();
        bad.params
            .insert("range_db".into(), ParamValue::Number(10.0));
        let e = save_in(&mut index, "bad", &[bad]).unwrap_err().to_string();
        assert!(e.contains("-120 … 0 dB"), "{e}");
        let e = save_in(&mut index, "a/b", &[gate]).unwrap_err().to_string();
        assert!(e.contains("'/'"), "{e}");
        // A broken file is left out of the list (with a warning), and named when asked for.
        index
            .save_preset(KIND, "broken", "[[effect]]\nkind = 3\n")
            .unwrap();
        assert_eq!(list_in(&index).unwrap().len(), FACTORY.len());
        let e = find_in(&index, "broken").unwrap_err().to_string();
        assert!(
            e.contains("broken.toml") && e.contains("cannot be read"),
            "{e}"
        );
    }
}
