//! The insert-effect edits that the mixer, the effect editor, the picker and the `:fx`
//! commands share: each goes through a `model::mixer` operation, is one undo step, and says
//! what it did (or why not) in the status line.

use super::ctx::Cx;
use crate::model::fx;
use crate::model::mixer::{self, Owner};
use crate::model::{Effect, FxId, Project};

/// A kind as a strip shows it in four columns or fewer.
pub fn short_kind(kind: &str) -> &str {
    match kind {
        "eq" => "EQ",
        "compressor" => "Comp",
        "gate" => "Gate",
        "reverb" => "Verb",
        "delay" => "Dly",
        "limiter" => "Lim",
        other => other,
    }
}

/// Whether the kind reduces gain (and so has a gain-reduction meter).
pub fn has_gain_reduction(kind: &str) -> bool {
    matches!(kind, "compressor" | "gate" | "limiter")
}

/// `compressor 3 on Drums`.
pub fn describe(p: &Project, owner: Owner, e: &Effect) -> String {
    format!("{} {} on {}", e.kind, e.id.0, mixer::owner_name(p, owner))
}

/// Which chain holds effect `fx` (ids are unique in a project).
pub fn owner_of(p: &Project, id: FxId) -> Option<Owner> {
    if p.master.effects.iter().any(|e| e.id == id) {
        return Some(Owner::Master);
    }
    p.tracks
        .iter()
        .find(|t| t.effects.iter().any(|e| e.id == id))
        .map(|t| Owner::Track(t.id))
}

fn effect(p: &Project, owner: Owner, id: FxId) -> Option<Effect> {
    mixer::chain(p, owner)
        .ok()?
        .iter()
        .find(|e| e.id == id)
        .cloned()
}

/// Applies a mixer operation's result as one undo step; its error goes to the status line.
fn apply(cx: &mut Cx<'_>, r: Result<crate::model::Edit, String>, label: &str) -> bool {
    match r {
        Ok(edit) => cx.apply(edit, label),
        Err(e) => {
            cx.error(e);
            false
        }
    }
}

/// Bypasses effect `id` (`Some(true)`), engages it, or toggles it (`None`).
pub fn bypass(cx: &mut Cx<'_>, owner: Owner, id: FxId, on: Option<bool>) -> bool {
    let Some(e) = effect(cx.project, owner, id) else {
        cx.error(format!("there is no effect {}", id.0));
        return false;
    };
    let b = on.unwrap_or(!e.bypass);
    let r = mixer::bypass_effect(cx.project, owner, id, b);
    let ok = apply(cx, r, "fx bypass");
    if ok {
        let what = describe(cx.project, owner, &e);
        cx.info(format!("{what} {}", if b { "bypassed" } else { "engaged" }));
    }
    ok
}

/// Removes effect `id` (with its automation lanes).
pub fn remove(cx: &mut Cx<'_>, owner: Owner, id: FxId) -> bool {
    let Some(e) = effect(cx.project, owner, id) else {
        cx.error(format!("there is no effect {}", id.0));
        return false;
    };
    let what = describe(cx.project, owner, &e);
    let r = mixer::remove_effect(cx.project, owner, id);
    let ok = apply(cx, r, "fx remove");
    if ok {
        cx.info(format!("Removed {what} (u brings it back)"));
    }
    ok
}

/// Moves effect `id` to position `pos` (1-based, kept inside the chain); returns its new
/// index (0-based) when it moved.
pub fn move_to(cx: &mut Cx<'_>, owner: Owner, id: FxId, pos: usize) -> Option<usize> {
    let len = mixer::chain(cx.project, owner).map_or(0, |c| c.len());
    let pos = pos.clamp(1, len.max(1));
    let at = mixer::find_fx(cx.project, owner, id).ok();
    if at == Some(pos - 1) {
        cx.info(format!(
            "effect {} is already {} of {len}",
            id.0,
            ordinal(pos)
        ));
        return at;
    }
    let r = mixer::move_effect(cx.project, owner, id, pos);
    apply(cx, r, "fx move").then(|| {
        cx.info(format!(
            "Moved effect {} to {} of {len}",
            id.0,
            ordinal(pos)
        ));
        pos - 1
    })
}

/// Moves effect `id` by `delta` places (negative: earlier).
pub fn move_by(cx: &mut Cx<'_>, owner: Owner, id: FxId, delta: isize) -> Option<usize> {
    let at = match mixer::find_fx(cx.project, owner, id) {
        Ok(i) => i,
        Err(e) => {
            cx.error(e);
            return None;
        }
    };
    let pos = (at as isize + 1 + delta).max(1) as usize;
    move_to(cx, owner, id, pos)
}

/// Sets parameter `param` of effect `id` to a number (a step, a reset).
pub fn set_number(cx: &mut Cx<'_>, owner: Owner, id: FxId, param: &str, n: f64) -> bool {
    let r = mixer::set_effect_number(cx.project, owner, id, param, n);
    let ok = apply(cx, r, "fx set");
    if ok {
        say_value(cx, owner, id, param);
    }
    ok
}

/// Sets parameters of effect `id` from typed `PARAM=VALUE` pairs.
pub fn set_text(cx: &mut Cx<'_>, owner: Owner, id: FxId, pairs: &[(String, String)]) -> bool {
    let r = mixer::set_effect_params(cx.project, owner, id, pairs);
    let ok = apply(cx, r, "fx set");
    if ok {
        if let [(param, _)] = pairs {
            say_value(cx, owner, id, param);
        } else {
            cx.info(format!("Set {} parameters of effect {}", pairs.len(), id.0));
        }
    }
    ok
}

/// `compressor 3: threshold_db = -20 dB` in the status line.
fn say_value(cx: &mut Cx<'_>, owner: Owner, id: FxId, param: &str) {
    let Some(e) = effect(cx.project, owner, id) else {
        return;
    };
    let Some(spec) = fx::kind(&e.kind) else {
        return;
    };
    if let Some((i, ps)) = spec.param(param) {
        let v = spec.values(&e)[i];
        cx.info(format!("{} {}: {param} = {}", e.kind, id.0, ps.show(v)));
    }
}

/// Adds an effect of `kind` (parameters at their defaults) at the end of `owner`'s chain.
pub fn add_kind(cx: &mut Cx<'_>, owner: Owner, kind: &str) -> Option<FxId> {
    match mixer::add_effect(cx.project, owner, kind, &[], None) {
        Ok((edit, id)) => {
            if !cx.apply(edit, "fx add") {
                return None;
            }
            let name = mixer::owner_name(cx.project, owner);
            cx.info(format!("Added {kind} {} to {name}", id.0));
            Some(id)
        }
        Err(e) => {
            cx.error(e);
            None
        }
    }
}

/// Adds a preset's effects at the end of `owner`'s chain; returns their new ids.
pub fn add_preset(cx: &mut Cx<'_>, owner: Owner, name: &str, effects: &[Effect]) -> Vec<FxId> {
    match mixer::insert_effects(cx.project, owner, effects.to_vec(), None) {
        Ok((edit, ids)) => {
            if !cx.apply(edit, "preset load") {
                return Vec::new();
            }
            let to = mixer::owner_name(cx.project, owner);
            cx.info(format!(
                "Loaded preset '{name}' into {to} ({} effect{})",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" }
            ));
            ids
        }
        Err(e) => {
            cx.error(format!("preset '{name}': {e}"));
            Vec::new()
        }
    }
}

fn ordinal(n: usize) -> String {
    format!("place {n}")
}
