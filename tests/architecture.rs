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
    check_arrows(module, allowed, false);
}

/// The arrows out of `module`; `terminal` says whether it may use ratatui/crossterm.
fn check_arrows(module: &str, allowed: &[&str], terminal_ok: bool) {
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
            terminal_ok || !terminal,
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
    check("ai", &["midi", "analysis", "model"]);
    // The edges: `cli, ui → {ai, store, engine handle, analysis, midi, model}` (+ config, and
    // cli starts the ui). Only they may know the terminal.
    let edge = [
        "ai", "store", "engine", "analysis", "midi", "model", "config",
    ];
    check_arrows("ui", &edge, true);
    check_arrows("cli", &[&edge[..], &["ui"]].concat(), true);
}

/// A module path (`ui::views::arrange::draw`) for every file under `src/ui`, with the file.
fn ui_modules() -> Vec<(String, PathBuf)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    for f in rust_files(&src.join("ui")) {
        let rel = f.strip_prefix(&src).unwrap().with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        out.push((parts.join("::"), f));
    }
    out
}

/// The code of a file without comments and without its `#[cfg(test)]` part (whose `super::`
/// means the file itself).
fn code_of(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => &text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a `use` tree or an expression path names, starting at `start` (just after the
/// first `::`): `{a, b::{c, d}}` expands to `a`, `b::c`, `b::d`.
fn expand_paths(text: &str, prefix: &str, out: &mut Vec<String>) {
    let text = text.trim_start();
    if let Some(inner) = text.strip_prefix('{') {
        // Split the group at top-level commas.
        let mut depth = 0;
        let mut start = 0;
        let mut end = inner.len();
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    end = i;
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_paths(&inner[start..i], prefix, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand_paths(&inner[start..end], prefix, out);
        return;
    }
    let seg: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '*')
        .collect();
    if seg.is_empty() {
        return;
    }
    let path = if prefix.is_empty() {
        seg.clone()
    } else {
        format!("{prefix}::{seg}")
    };
    match text[seg.len()..].strip_prefix("::") {
        Some(rest) if rest.trim_start().starts_with('{') || seg != "*" => {
            let before = out.len();
            expand_paths(rest, &path, out);
            if out.len() == before {
                out.push(path);
            }
        }
        _ => out.push(path),
    }
}

/// The `ui` files a file imports: `crate::ui::…` and `super::…` paths, and paths through the
/// child modules it declares (`mod draw;` … `draw::x`), each resolved to the deepest module
/// that is a file.
fn ui_imports(module: &str, path: &Path, known: &[String]) -> Vec<String> {
    let code = code_of(path);
    // `super` of a mod.rs is the parent directory's module; of foo.rs, the directory's.
    // `super` is the parent of the file's module (foo.rs and foo/mod.rs alike); a mod.rs's
    // declared children sit under its module, and so do a foo.rs's (foo/bar.rs).
    let dir_module = module.to_string();
    let mut children = Vec::new();
    for l in code.lines() {
        let l = l.trim();
        let l = l.strip_prefix("pub ").unwrap_or(l);
        let l = l.strip_prefix("pub(crate) ").unwrap_or(l);
        if let Some(name) = l.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
            children.push(name.trim().to_string());
        }
    }
    let mut paths = Vec::new();
    let bytes = code.as_bytes();
    let starts_path = |i: usize| {
        i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b':')
    };
    for (i, _) in code.match_indices("crate::ui::") {
        expand_paths(&code[i + 11..], "ui", &mut paths);
    }
    for (i, _) in code.match_indices("super::") {
        if !starts_path(i) {
            continue;
        }
        let mut base: Vec<&str> = dir_module.split("::").collect();
        let mut rest = &code[i..];
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        if !base.is_empty() {
            expand_paths(rest, &base.join("::"), &mut paths);
        }
    }
    for c in &children {
        for (i, _) in code.match_indices(&format!("{c}::")) {
            if starts_path(i) {
                expand_paths(&code[i..], &dir_module, &mut paths);
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        let segs: Vec<&str> = p.split("::").collect();
        let target = (1..=segs.len())
            .rev()
            .map(|n| segs[..n].join("::"))
            .find(|m| known.contains(m));
        if let Some(t) = target {
            if t != module && !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

fn ui_graph() -> Vec<(String, Vec<String>)> {
    let mods = ui_modules();
    let known: Vec<String> = mods.iter().map(|(m, _)| m.clone()).collect();
    mods.iter()
        .map(|(m, f)| (m.clone(), ui_imports(m, f, &known)))
        .collect()
}

/// The view folders: `ui::views::NAME` with files of their own.
fn view_of(module: &str) -> Option<&str> {
    let rest = module.strip_prefix("ui::views::")?;
    let name = rest.split("::").next()?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/ui/views")
        .join(name);
    dir.is_dir().then_some(name)
}

#[test]
fn ui_import_graph_has_no_cycle() {
    let graph = ui_graph();
    if std::env::var("TDAW_PRINT_GRAPH").is_ok() {
        for (m, e) in &graph {
            println!("{m} -> {}", e.join(", "));
        }
    }
    // Depth-first search with colours; the stack is the cycle when a grey node is met again.
    fn visit<'a>(
        node: &'a str,
        graph: &'a [(String, Vec<String>)],
        state: &mut std::collections::HashMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(2) => return None,
            Some(1) => {
                let at = stack.iter().position(|n| *n == node).unwrap_or(0);
                let mut cycle: Vec<String> = stack[at..].iter().map(|s| s.to_string()).collect();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(node, 1);
        stack.push(node);
        if let Some((_, edges)) = graph.iter().find(|(m, _)| m == node) {
            for e in edges {
                if let Some(c) = visit(e, graph, state, stack) {
                    return Some(c);
                }
            }
        }
        stack.pop();
        state.insert(node, 2);
        None
    }
    let mut state = std::collections::HashMap::new();
    for (m, _) in &graph {
        let mut stack = Vec::new();
        if let Some(cycle) = visit(m, &graph, &mut state, &mut stack) {
            panic!("import cycle among ui files: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn views_import_only_their_own_files_and_what_is_below_them() {
    let graph = ui_graph();
    // What a view may not reach, even through other files: the App, the reducer, the command
    // line (they sit above the views and hand them a context instead).
    let above = ["ui::app", "ui::update", "ui::ex", "ui::commands", "ui"];
    for (m, edges) in &graph {
        // No file of the views (the help view and the screen parts too) imports the command
        // line: what it shows of it is handed in.
        if m.starts_with("ui::views") {
            for e in edges {
                assert!(
                    !(e == "ui::ex" || e == "ui::commands" || e.starts_with("ui::commands::")),
                    "{m} imports the command line ({e})"
                );
            }
        }
        let Some(view) = view_of(m) else { continue };
        for e in edges {
            if e.starts_with("ui::views") {
                assert!(
                    view_of(e) == Some(view),
                    "{m} imports {e}: a view uses only its own files and modules below the views"
                );
            }
        }
        // Everything reachable from a view file.
        let mut seen: Vec<String> = Vec::new();
        let mut todo = edges.clone();
        while let Some(n) = todo.pop() {
            if seen.contains(&n) {
                continue;
            }
            assert!(
                !above
                    .iter()
                    .any(|a| n == *a || (*a != "ui" && n.starts_with(&format!("{a}::")))),
                "{m} reaches {n}: views must not depend on the App, the reducer or the command line"
            );
            if let Some((_, next)) = graph.iter().find(|(x, _)| *x == n) {
                todo.extend(next.iter().cloned());
            }
            seen.push(n);
        }
    }
}

#[test]
fn ui_files_stay_under_450_lines() {
    let mut long = Vec::new();
    for (_, f) in ui_modules() {
        let n = fs::read_to_string(&f).unwrap().lines().count();
        if n >= 450 {
            long.push(format!("{} ({n} lines)", f.display()));
        }
    }
    assert!(long.is_empty(), "ui files of 450 lines or more: {long:?}");
}

#[test]
fn the_import_graph_reads_use_trees_and_child_modules() {
    let mut paths = Vec::new();
    expand_paths("{app::App, keymap::{Key, Mode}, ctx};", "ui", &mut paths);
    assert_eq!(
        paths,
        [
            "ui::app::App",
            "ui::keymap::Key",
            "ui::keymap::Mode",
            "ui::ctx"
        ]
    );
    let graph = ui_graph();
    let edges = |m: &str| {
        graph
            .iter()
            .find(|(x, _)| x == m)
            .map(|(_, e)| e.clone())
            .unwrap_or_default()
    };
    // `use super::state::…` from a file of a view folder, `crate::ui::ctx` from anywhere, and a
    // mod.rs's `draw::draw(…)` through the child it declares.
    assert!(edges("ui::views::mixer::keys").contains(&"ui::views::mixer::state".to_string()));
    assert!(edges("ui::views::mixer::keys").contains(&"ui::ctx".to_string()));
    assert!(edges("ui::views::mixer").contains(&"ui::views::mixer::draw".to_string()));
}
