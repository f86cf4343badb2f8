//! `tdaw preset list|save|load|rm` as the real binary: the factory presets listed first, a
//! chain saved from one project and loaded into another (fresh ids, the same settings), the
//! presets surviving a deleted index, and the refusals (factory names, unknown presets).

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use tdaw::model::{FxId, ParamValue, Project};

fn tdaw(home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tdaw"))
        .env("TDAW_HOME", home)
        .env_remove("RUST_BACKTRACE")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(home: &Path, args: &[&str]) -> String {
    let (code, out, err) = tdaw(home, args);
    assert_eq!(code, 0, "tdaw {args:?}: {err}");
    out
}

fn project(dir: &Path) -> Project {
    tdaw::store::load_project(dir).unwrap()
}

/// A new project at `root/name` with tracks "Vox" and "Drums"; its path as text.
fn song(home: &Path, root: &Path, name: &str) -> (PathBuf, String) {
    let dir = root.join(name);
    let d = dir.to_string_lossy().into_owned();
    ok(home, &["new", &d]);
    ok(home, &["track", "add", &d, "Vox"]);
    ok(home, &["track", "add", &d, "Drums"]);
    (dir, d)
}

const FACTORY: [&str; 7] = [
    "vocal",
    "drum bus",
    "master glue",
    "plate",
    "slapback",
    "tape echo",
    "gentle master limiter",
];

#[test]
fn factory_presets_are_listed_and_load_with_fresh_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let text = ok(&home, &["preset", "list"]);
    let names: Vec<String> = text
        .lines()
        .map(|l| {
            assert!(l.starts_with("factory "), "{l}");
            l[9..34].trim().to_string()
        })
        .collect();
    assert_eq!(names, FACTORY);
    assert!(
        text.contains("vocal                    eq, compressor"),
        "{text}"
    );
    let j: Value = serde_json::from_str(&ok(&home, &["preset", "list", "--json"])).unwrap();
    let all = j.as_array().unwrap();
    assert_eq!(all.len(), 7);
    assert_eq!(all[6]["name"], "gentle master limiter");
    assert_eq!(all[6]["factory"], true);
    assert_eq!(all[6]["effects"][0]["kind"], "limiter");
    assert_eq!(all[6]["effects"][0]["params"]["ceiling_dbtp"], -1.0);

    let (dir, d) = song(&home, tmp.path(), "a");
    ok(&home, &["fx", "add", &d, "Vox", "gate"]);
    // Appended after the gate (id 1): ids 2 and 3, printed on one line.
    assert_eq!(ok(&home, &["preset", "load", &d, "Vox", "Vocal"]), "2 3\n");
    assert_eq!(
        ok(
            &home,
            &["preset", "load", &d, "master", "gentle master limiter"]
        ),
        "4\n"
    );
    let p = project(&dir);
    let kinds: Vec<&str> = p.tracks[0]
        .effects
        .iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(kinds, ["gate", "eq", "compressor"]);
    assert_eq!(p.tracks[0].effects[2].id, FxId(3));
    assert_eq!(
        p.tracks[0].effects[2].params["ratio"],
        ParamValue::Number(3.0)
    );
    assert_eq!(p.master.effects[0].kind, "limiter");
}

#[test]
fn a_saved_chain_loads_into_another_project_and_survives_a_deleted_index() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let (dir_a, a) = song(&home, tmp.path(), "a");
    ok(
        &home,
        &[
            "fx",
            "add",
            &a,
            "Drums",
            "compressor",
            "ratio=8",
            "threshold_db=-30",
            "sidechain=Vox",
        ],
    );
    ok(&home, &["fx", "add", &a, "Drums", "gate", "range_db=-40"]);
    ok(
        &home,
        &[
            "fx",
            "add",
            &a,
            "Drums",
            "delay",
            "time=1/8.",
            "feedback=0.5",
        ],
    );
    ok(&home, &["fx", "bypass", &a, "Drums", "2", "on"]);
    let out = ok(&home, &["preset", "save", &a, "Drums", "Crush Chain"]);
    assert_eq!(out, "saved preset 'Crush Chain': compressor, gate, delay\n");
    let out = ok(&home, &["preset", "save", &a, "Drums", "Echo", "--fx", "3"]);
    assert_eq!(out, "saved preset 'Echo': delay\n");
    assert!(home.join("presets/fx/Crush Chain.toml").is_file());
    let text = ok(&home, &["preset", "list"]);
    assert!(
        text.contains("user     Crush Chain              compressor, gate, delay"),
        "{text}"
    );
    // User presets come after the factory ones.
    assert!(text.find("gentle master limiter").unwrap() < text.find("Crush Chain").unwrap());

    // The index deleted: the presets are rebuilt from their files.
    fs::remove_file(home.join("index.sqlite3")).unwrap();
    let (dir_b, b) = song(&home, tmp.path(), "b");
    ok(&home, &["fx", "add", &b, "Vox", "eq"]);
    assert_eq!(
        ok(&home, &["preset", "load", &b, "Vox", "crush chain"]),
        "2 3 4\n"
    );
    assert_eq!(ok(&home, &["preset", "load", &b, "2", "Echo"]), "5\n");
    let pa = project(&dir_a);
    let pb = project(&dir_b);
    let (src, dst) = (&pa.tracks[1].effects, &pb.tracks[0].effects[1..]);
    assert_eq!(dst.len(), 3);
    for (s, d) in src.iter().zip(dst) {
        assert_eq!(s.kind, d.kind);
        assert_eq!(s.bypass, d.bypass);
        let mut want = s.params.clone();
        // A sidechain names a track of one project: not part of a preset.
        want.remove("sidechain");
        assert_eq!(d.params, want, "{}", s.kind);
    }
    assert!(dst[1].bypass);
    assert_eq!(dst[2].params["time"], ParamValue::Text("1/8.".into()));
    let ids: Vec<u64> = pb.tracks[0].effects.iter().map(|e| e.id.0).collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    assert_eq!(pb.tracks[1].effects[0].kind, "delay");

    assert_eq!(
        ok(&home, &["preset", "rm", "Echo"]),
        "removed preset 'Echo'\n"
    );
    assert!(!home.join("presets/fx/Echo.toml").exists());
    let (code, _, err) = tdaw(&home, &["preset", "load", &b, "Vox", "Echo"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("the presets are vocal, drum bus") && err.contains("Crush Chain"),
        "{err}"
    );
}

#[test]
fn refusals_are_one_line_and_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let (dir, d) = song(&home, tmp.path(), "a");
    ok(&home, &["fx", "add", &d, "Vox", "reverb"]);
    let before = fs::read(dir.join("project.toml")).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["preset", "save", &d, "Vox", "Plate"], "factory preset"),
        (
            &["preset", "save", &d, "Drums", "mine"],
            "no effects to save",
        ),
        (
            &["preset", "save", &d, "Vox", "mine", "--fx", "9"],
            "has no effect 9",
        ),
        (&["preset", "save", &d, "Vox", "a/b"], "'/'"),
        (&["preset", "rm", "vocal"], "cannot be removed"),
        (&["preset", "rm", "nothing"], "there is no preset 'nothing'"),
        (
            &["preset", "load", &d, "Vox", "nothing"],
            "the presets are vocal",
        ),
        (
            &["preset", "load", &d, "Nobody", "plate"],
            "the tracks are Vox, Drums",
        ),
    ];
    for (args, needle) in cases {
        let (code, out, err) = tdaw(&home, args);
        assert_ne!(code, 0, "{args:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(needle),
            "{args:?}: {err}"
        );
        assert_eq!(fs::read(dir.join("project.toml")).unwrap(), before);
    }
    assert!(!home.join("presets/fx/Plate.toml").exists());
    assert!(!home.join("presets/fx/mine.toml").exists());
}
