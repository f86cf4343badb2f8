//! The registry's own checks: parsing, completion, and that the table is consistent (every
//! name and alias unique and resolving to its command, every keyword form in the synopsis).

use super::*;
use std::collections::HashSet;

#[test]
fn grids_parse() {
    assert_eq!(parse_grid("1/16"), Ok(0.25));
    assert_eq!(parse_grid("1/4"), Ok(1.0));
    assert_eq!(parse_grid("1"), Ok(4.0));
    assert_eq!(parse_grid("0.5"), Ok(0.5));
    assert!(parse_grid("0").is_err() && parse_grid("x").is_err());
}

#[test]
fn arguments_split_like_a_shell() {
    assert_eq!(
        split_args(r#"a.wav "my song.wav" kick\ 2.wav 'x y'"#),
        Ok(vec![
            "a.wav".to_string(),
            "my song.wav".into(),
            "kick 2.wav".into(),
            "x y".into()
        ])
    );
    assert!(split_args("\"open").is_err());
    assert_eq!(word_start_before("import ~/music/drums", 20), 15);
    assert_eq!(word_start_before("bpm 120  ", 9), 4);
}

#[test]
fn command_names_complete() {
    assert_eq!(complete("ex").1, vec!["export-midi"]);
    let (base, c) = complete("track add m");
    assert_eq!((base.as_str(), c), ("track add ", vec!["midi".to_string()]));
    assert!(complete("theme hi")
        .1
        .contains(&"high-contrast".to_string()));
    assert_eq!(complete("instrument synth:pa").1, vec!["synth:pad"]);
    assert_eq!(complete("marker ren").1, vec!["rename"]);
    assert_eq!(complete("fade o").1, vec!["out"]);
}

#[test]
fn every_name_and_alias_resolves_to_its_command() {
    let mut seen = HashSet::new();
    for c in COMMANDS {
        for n in c.names() {
            assert!(seen.insert(n), ":{n} is in the table twice");
            let found = find(n).map(|f| f.name);
            assert_eq!(found, Some(c.name), ":{n} resolves to :{}", c.name);
            assert!(!n.is_empty() && !n.contains(char::is_whitespace));
        }
        assert!(!c.doc.is_empty() && !c.doc.ends_with('.'), ":{}", c.name);
    }
    assert_eq!(find("write!").map(|c| c.name), Some("w"));
    assert_eq!(find("count-in").map(|c| c.name), Some("countin"));
    assert!(find("frobnicate").is_none());
}

#[test]
fn docs_are_the_table_in_order_with_aliases() {
    let docs = docs();
    assert_eq!(docs.len(), COMMANDS.len());
    for (d, c) in docs.iter().zip(COMMANDS) {
        assert_eq!(
            (d.name, d.aliases, d.args, d.doc),
            (c.name, c.aliases, c.synopsis, c.doc)
        );
    }
    assert_eq!(docs[0].aliases, &["write", "w!", "write!"]);
}

/// Every keyword a form completes is one help shows, so the synopsis and the argument spec
/// cannot drift apart.
#[test]
fn keyword_forms_are_in_the_synopsis() {
    fn keywords(args: &[Arg], out: &mut Vec<&'static str>) {
        for a in args {
            match a.kind {
                Kind::Forms(forms) => {
                    for f in forms {
                        out.push(f.keyword);
                        keywords(f.args, out);
                    }
                }
                Kind::Words(w) if a.name.contains('|') => out.extend(w),
                _ => {}
            }
        }
    }
    for c in COMMANDS {
        let mut out = Vec::new();
        keywords(c.args, &mut out);
        for k in out.into_iter().filter(|k| !k.is_empty()) {
            assert!(c.synopsis.contains(k), ":{} synopsis lacks '{k}'", c.name);
        }
        assert_eq!(c.synopsis.is_empty(), c.args.is_empty(), ":{}", c.name);
    }
}

/// A key action is given to one command at most, and only to a command with its own handler
/// (`:undo` runs the `undo` key action; the other way round would loop).
#[test]
fn key_actions_name_one_handler_each() {
    let mut seen = HashSet::new();
    for c in COMMANDS {
        for (k, _) in c.keys {
            assert!(seen.insert(*k), "{} runs two commands", k.name());
            assert!(matches!(c.run, Run::Handler(_)), ":{}", c.name);
        }
        if let Run::Key(k) = c.run {
            assert!(c.keys.is_empty(), ":{} runs {}", c.name, k.name());
        }
    }
    assert!(seen.contains(&Cmd::Save) && seen.contains(&Cmd::TrackAddMidi));
}

#[test]
fn aliases_and_keywords_complete_their_arguments() {
    assert_eq!(complete("click o").1, vec!["on", "off"]);
    assert_eq!(complete("count-in of").1, vec!["off"]);
    assert_eq!(complete("inst synth:pa").1, vec!["synth:pad"]);
    assert_eq!(complete("mark g").1, vec!["goto"]);
    assert_eq!(complete("loop o").1, vec!["off"]);
    assert_eq!(complete("tempo ").1, vec!["rm"]);
    let (base, c) = complete("track ");
    assert_eq!(
        (base.as_str(), c),
        ("track ", vec!["add".into(), "rm".into()])
    );
    // A name after the kind completes nothing; nor does an unknown command.
    assert!(complete("track add midi Le").1.is_empty());
    assert!(complete("marker rm Ve").1.is_empty());
    assert_eq!(complete("frob x"), ("frob ".to_string(), Vec::new()));
}

#[test]
fn path_arguments_complete_files_or_folders_by_kind() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("song.mid"), b"x").unwrap();
    std::fs::create_dir(dir.path().join("sets")).unwrap();
    let p = dir.path().display().to_string();
    let both = vec![format!("{p}/sets/"), format!("{p}/song.mid")];
    assert_eq!(complete(&format!("export-midi {p}/s")).1, both);
    assert_eq!(complete(&format!("render {p}/s")).1, both);
    assert_eq!(complete(&format!("e {p}/s")).1, vec![format!("{p}/sets/")]);
    assert_eq!(
        complete(&format!("write {p}/s")).1,
        vec![format!("{p}/sets/")]
    );
    let (base, c) = complete(&format!("import a.wav {p}/so"));
    assert_eq!(base, "import a.wav ");
    assert_eq!(c, vec![format!("{p}/song.mid")]);
}

#[test]
fn only_the_quitting_commands_run_on_a_too_small_terminal() {
    let all: Vec<&str> = COMMANDS.iter().flat_map(|c| c.names()).collect();
    let quitting: Vec<&str> = all.iter().copied().filter(|n| quits(n)).collect();
    assert_eq!(
        quitting,
        ["q", "quit", "q!", "quit!", "wq", "wq!", "x", "xit", "x!"]
    );
    assert!(quits("") && quits("  ") && quits("wq extra"));
    assert!(!quits("w") && !quits("frobnicate"));
}
