//! `:fx`, `:send` and `:preset`: the shell's effect commands (CONTRACT, "Editing from the
//! shell") on the command line; presets come from `store::presets`. Without a TRACK they act on the selected strip (the master
//! strip in the mixer is `master`); FX is the id `:fx add` reports (ids are unique in a
//! project, so `:fx set 3 …` finds its chain). Each is one undo step through `ui::effects` or a
//! `model::mixer` operation; a bad value is refused in one line and changes nothing.

use super::import::split_args;
use super::spec::Args;
use crate::model::fx;
use crate::model::mixer::{self, Owner};
use crate::model::FxId;
use crate::store::presets;
use crate::ui::app::{App, MixerParam};
use crate::ui::effects;
use crate::ui::keymap::ViewKind;

/// The chain a command without TRACK acts on: the effect editor's, the mixer's master strip,
/// else the selected track's.
fn selected_owner(app: &App) -> Result<Owner, String> {
    match app.view {
        ViewKind::FxEditor => Ok(app.fx_editor.owner),
        ViewKind::Mixer if app.mixer.strip >= app.project.tracks.len() => Ok(Owner::Master),
        _ => app
            .project
            .tracks
            .get(app.current_track())
            .map(|t| Owner::Track(t.id))
            .ok_or_else(|| "there is no track (:track add adds one, or name master)".into()),
    }
}

/// An effect id and the chain that holds it.
fn find(app: &App, text: Option<&String>) -> Result<(Owner, FxId), String> {
    let text = text.ok_or("give the effect's id (the number :fx add reported)")?;
    let id = mixer::parse_fx_id(text)?;
    let owner = effects::owner_of(&app.project, id)
        .ok_or_else(|| format!("there is no effect {} in this project", id.0))?;
    Ok((owner, id))
}

const FX_USAGE: &str =
    ":fx add [TRACK] KIND [P=V...] | set FX P=V... | rm FX | move FX POS | bypass FX [on|off]";

/// `:fx add|set|rm|move|bypass …`.
pub(super) fn fx(app: &mut App, args: &Args) -> Result<(), String> {
    let words = split_args(args.rest)?;
    let Some(verb) = words.first() else {
        return Err(FX_USAGE.into());
    };
    let rest = &words[1..];
    match verb.as_str() {
        "add" => add(app, rest),
        "set" => {
            let (owner, id) = find(app, rest.first())?;
            let pairs = mixer::split_pairs(&rest[1..])?;
            if pairs.is_empty() {
                return Err("nothing to set: give PARAM=VALUE".into());
            }
            app.with_cx(|cx, _| effects::set_text(cx, owner, id, &pairs));
            Ok(())
        }
        "rm" | "remove" => {
            let (owner, id) = find(app, rest.first())?;
            app.with_cx(|cx, _| effects::remove(cx, owner, id));
            Ok(())
        }
        "move" => {
            let (owner, id) = find(app, rest.first())?;
            let pos = rest
                .get(1)
                .and_then(|p| p.parse::<usize>().ok())
                .ok_or(":fx move FX POS (POS from 1)")?;
            let len = mixer::chain(&app.project, owner).map_or(0, |c| c.len());
            if pos == 0 || pos > len {
                return Err(format!("position {pos} is outside 1..={len} of the chain"));
            }
            app.with_cx(|cx, _| effects::move_to(cx, owner, id, pos));
            Ok(())
        }
        "bypass" => {
            let (owner, id) = find(app, rest.first())?;
            let on = match rest.get(1).map(|s| s.to_ascii_lowercase()).as_deref() {
                None => None,
                Some("on") => Some(true),
                Some("off") => Some(false),
                Some(w) => return Err(format!("bypass takes on or off, not '{w}'")),
            };
            app.with_cx(|cx, _| effects::bypass(cx, owner, id, on));
            Ok(())
        }
        _ => Err(FX_USAGE.into()),
    }
}

/// `:fx add [TRACK] KIND [P=V...]`: a known kind first means the selected strip.
fn add(app: &mut App, rest: &[String]) -> Result<(), String> {
    let first = rest.first().ok_or(":fx add [TRACK] KIND [P=V...]")?;
    let (owner, kind, pairs) = if fx::kind(first).is_some() {
        (selected_owner(app)?, first, &rest[1..])
    } else {
        let kind = rest.get(1).ok_or_else(|| fx::unknown_kind(first))?;
        let owner = mixer::resolve(&app.project, first)?;
        (owner, kind, &rest[2..])
    };
    let pairs = mixer::split_pairs(pairs)?;
    let (edit, id) = mixer::add_effect(&app.project, owner, kind, &pairs, None)?;
    if app.apply(edit, "fx add") {
        let name = mixer::owner_name(&app.project, owner);
        app.info(format!("Added {kind} {} to {name}", id.0));
    }
    Ok(())
}

/// `:send BUS [DB] [pre|post]`, `:send BUS rm`: the selected track's send to a bus.
pub(super) fn send(app: &mut App, args: &Args) -> Result<(), String> {
    const USAGE: &str = ":send BUS [DB] [pre|post], or :send BUS rm";
    let words = split_args(args.rest)?;
    let bus_name = words.first().ok_or(USAGE)?;
    let track = match selected_owner(app)? {
        Owner::Track(id) => id,
        Owner::Master => return Err("the master sends nowhere: choose a track".into()),
    };
    let bus = mixer::resolve_track(&app.project, bus_name)?;
    let (mut level, mut pre, mut rm) = (None, None, false);
    for w in &words[1..] {
        match w.to_ascii_lowercase().as_str() {
            "pre" => pre = Some(true),
            "post" => pre = Some(false),
            "rm" | "off" | "remove" => rm = true,
            n => {
                let db = n.trim_end_matches("db").trim();
                level = Some(db.parse::<f32>().map_err(|_| {
                    format!("'{w}' is not a level in dB, pre, post or rm ({USAGE})")
                })?);
            }
        }
    }
    let edit = if rm {
        mixer::remove_send(&app.project, track, bus)?
    } else {
        mixer::set_send(&app.project, track, bus, level, pre)?
    };
    if app.apply(edit, "send") {
        let t = app.project.track(track).map_or("?", |t| t.name.as_str());
        let b = app.project.track(bus).map_or("?", |t| t.name.as_str());
        let msg = match app
            .project
            .track(track)
            .and_then(|t| t.sends.iter().find(|s| s.to == bus))
        {
            Some(s) => format!(
                "{t} → {b} {:+.1} dB {}",
                s.level_db,
                if s.pre_fader {
                    "pre-fader"
                } else {
                    "post-fader"
                }
            ),
            None => format!("Removed the send {t} → {b}"),
        };
        app.info(msg);
    }
    Ok(())
}

/// `:preset list`, `:preset load NAME`, `:preset save NAME`, `:preset rm NAME`. A NAME may
/// hold spaces (`drum bus`). Save takes the effect in the editor or under the mixer's cursor,
/// else the selected strip's whole chain; load inserts at the end of the selected chain.
pub(super) fn preset(app: &mut App, args: &Args) -> Result<(), String> {
    const USAGE: &str = ":preset list | load NAME | save NAME | rm NAME";
    let (verb, name) = match args.rest.split_once(char::is_whitespace) {
        Some((v, n)) => (v, n.trim().trim_matches(|c| c == '"' || c == '\'')),
        None => (args.rest, ""),
    };
    if verb != "list" && verb != "ls" && name.is_empty() && !verb.is_empty() {
        return Err(format!(":preset {verb} needs a NAME ({USAGE})"));
    }
    match verb {
        "list" | "ls" | "" => {
            let all = presets::list().map_err(|e| e.to_string())?;
            let names: Vec<String> = all
                .iter()
                .map(|p| {
                    let kinds: Vec<&str> = p.effects.iter().map(|e| e.kind.as_str()).collect();
                    format!("{} ({})", p.name, kinds.join("+"))
                })
                .collect();
            app.info(format!("{} presets: {}", names.len(), names.join(", ")));
            Ok(())
        }
        "load" => {
            let p = presets::find(name).map_err(|e| e.to_string())?;
            let owner = selected_owner(app)?;
            app.with_cx(|cx, _| effects::add_preset(cx, owner, &p.name, &p.effects));
            Ok(())
        }
        "save" => {
            let (chain, what) = save_source(app)?;
            presets::save(name, &chain).map_err(|e| e.to_string())?;
            app.info(format!("Saved {what} as preset '{name}'"));
            Ok(())
        }
        "rm" | "remove" => {
            presets::remove(name).map_err(|e| e.to_string())?;
            app.info(format!("Removed preset '{name}'"));
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

/// What `:preset save` saves: the editor's effect, the insert under the mixer's cursor, or
/// the selected strip's chain; with words for the message.
fn save_source(app: &App) -> Result<(Vec<crate::model::Effect>, String), String> {
    let p = &app.project;
    let one = |owner: Owner, id: FxId| -> Result<_, String> {
        let c = mixer::chain(p, owner)?;
        let e = c
            .iter()
            .find(|e| e.id == id)
            .ok_or_else(|| format!("there is no effect {}", id.0))?;
        Ok((vec![e.clone()], format!("{} {}", e.kind, id.0)))
    };
    let owner = selected_owner(app)?;
    match (app.view, app.mixer.param) {
        (ViewKind::FxEditor, _) => one(app.fx_editor.owner, app.fx_editor.fx),
        (ViewKind::Mixer, MixerParam::Insert(i)) => {
            let id = mixer::chain(p, owner)?
                .get(i)
                .map(|e| e.id)
                .ok_or("the cursor is on no insert")?;
            one(owner, id)
        }
        _ => {
            let c = mixer::chain(p, owner)?;
            if c.is_empty() {
                return Err(format!(
                    "{} has no effects to save",
                    mixer::owner_name(p, owner)
                ));
            }
            Ok((
                c.to_vec(),
                format!("the chain of {}", mixer::owner_name(p, owner)),
            ))
        }
    }
}

/// What `:preset load` completes: every preset name (quoted when it holds a space).
pub(super) fn preset_names(typed: &str) -> Vec<String> {
    let low = typed.to_lowercase();
    presets::list()
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.name)
        .filter(|n| n.to_lowercase().starts_with(low.trim_start_matches('"')))
        .collect()
}

/// What `:fx add` completes: the kinds and the words of the other forms.
pub(super) fn kinds(typed: &str) -> Vec<String> {
    fx::kinds()
        .iter()
        .map(|k| k.name.to_string())
        .filter(|n| n.starts_with(typed))
        .collect()
}
