//! Keeps the module boundaries of DESIGN.md: arrows point one way, and only `ui` (and the
//! CLI edge) knows the terminal.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

/// Every `crate::X` / `use crate::{X, ..}` module a file refers to, and whether it names
/// ratatui or crossterm.
fn uses(path: &Path) -> (Vec<String>, bool) {
    let text = fs::read_to_string(path).unwrap();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut mods = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + 7..];
        if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}').unwrap_or(inner.len());
            for part in inner[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    mods.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            mods.push(name);
        }
    }
    let terminal = code.contains("ratatui") || code.contains("crossterm");
    (mods, terminal)
}

fn check(module: &str, allowed: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(module);
    let mut files = rust_files(&root);
    let single = root.with_extension("rs");
    if single.is_file() {
        files.push(single);
    }
    for f in files {
        let (mods, terminal) = uses(&f);
        assert!(
            !terminal,
            "{} uses the terminal (ratatui/crossterm); only ui may",
            f.display()
        );
        for m in mods {
            assert!(
                m == module || allowed.contains(&m.as_str()),
                "{} uses crate::{m}, but {module} may only use {allowed:?}",
                f.display()
            );
        }
    }
}

#[test]
fn module_boundaries_hold() {
    check("model", &[]);
    check("dsp", &[]);
    check("codec", &[]);
    check("analysis", &["codec", "dsp"]);
    check("engine", &["model", "dsp", "analysis", "codec", "config"]);
    check("midi", &["model"]);
    check("store", &["model", "codec", "midi", "config", "analysis"]);
    check("config", &[]);
}
