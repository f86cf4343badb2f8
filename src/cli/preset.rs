//! `tdaw preset list [--json]`, `preset save DIR TRACK NAME [--fx ID...]`, `preset load DIR
//! TRACK NAME`, `preset rm NAME`: effect presets (`store::presets`). Loading appends the
//! preset's effects to TRACK's chain as one edit and prints their new ids.

use crate::model::mixer;
use crate::store::presets::{self, Preset};
use serde_json::{json, Value};
use std::path::PathBuf;

/// Arguments of `tdaw preset`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Every preset: the factory ones, then yours.
    List {
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Save TRACK's chain (or the effects --fx names) as preset NAME.
    Save {
        /// Project folder.
        dir: PathBuf,
        /// Track name, 1-based position, or master.
        track: String,
        /// The preset's name.
        name: String,
        /// Only these effects (ids as `fx add` printed), in this order.
        #[arg(long, num_args = 1.., value_name = "ID")]
        fx: Vec<String>,
    },
    /// Append preset NAME's effects to TRACK's chain; prints their new ids.
    Load {
        dir: PathBuf,
        track: String,
        name: String,
    },
    /// Remove your preset NAME.
    Rm { name: String },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Cmd::List { json } => {
            let all = presets::list()?;
            if json {
                println!("{}", list_json(&all));
            } else {
                for p in &all {
                    println!(
                        "{:<8} {:<24} {}",
                        if p.factory { "factory" } else { "user" },
                        p.name,
                        kinds(p)
                    );
                }
            }
        }
        Cmd::Save {
            dir,
            track,
            name,
            fx,
        } => {
            let p = crate::store::load_project(&dir)?;
            let o = mixer::resolve(&p, &track).map_err(anyhow::Error::msg)?;
            let chain = mixer::chain(&p, o).map_err(anyhow::Error::msg)?;
            let effects = if fx.is_empty() {
                if chain.is_empty() {
                    anyhow::bail!("{} has no effects to save", mixer::owner_name(&p, o));
                }
                chain.to_vec()
            } else {
                let mut out = Vec::new();
                for text in &fx {
                    let id = mixer::parse_fx_id(text).map_err(anyhow::Error::msg)?;
                    let i = mixer::find_fx(&p, o, id).map_err(anyhow::Error::msg)?;
                    out.push(chain[i].clone());
                }
                out
            };
            presets::save(&name, &effects)?;
            let kinds: Vec<&str> = effects.iter().map(|e| e.kind.as_str()).collect();
            println!("saved preset '{}': {}", name.trim(), kinds.join(", "));
        }
        Cmd::Load { dir, track, name } => {
            let preset = presets::find(&name)?;
            let ids = super::edit_project(&dir, "load preset", |p| {
                let o = mixer::resolve(p, &track)?;
                mixer::insert_effects(p, o, preset.effects.clone(), None)
            })?;
            let ids: Vec<String> = ids.iter().map(|i| i.0.to_string()).collect();
            println!("{}", ids.join(" "));
        }
        Cmd::Rm { name } => {
            presets::remove(&name)?;
            println!("removed preset '{}'", name.trim());
        }
    }
    Ok(())
}

fn kinds(p: &Preset) -> String {
    p.effects
        .iter()
        .map(|e| e.kind.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `[{"name", "factory", "effects": [{"kind", "bypass", "params": {NAME: VALUE}}]}]`, values
/// as project.toml stores them.
fn list_json(all: &[Preset]) -> Value {
    Value::Array(
        all.iter()
            .map(|p| {
                let effects: Vec<Value> = p
                    .effects
                    .iter()
                    .map(|e| json!({"kind": e.kind, "bypass": e.bypass, "params": e.params}))
                    .collect();
                json!({"name": p.name, "factory": p.factory, "effects": effects})
            })
            .collect(),
    )
}
