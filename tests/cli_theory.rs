//! `tdaw theory chord|scale|key` and `tdaw midi chords` through the real binary: the JSON
//! shapes of CONTRACT.md, the clip a progression makes, and refusals that leave the project
//! file byte-identical.

use assert_cmd::Command;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tdaw::model::ClipContent;
use tempfile::TempDir;

struct Env {
    tmp: TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            tmp: tempfile::tempdir().unwrap(),
        }
    }
    fn tdaw(&self) -> Command {
        let mut c = Command::cargo_bin("tdaw").unwrap();
        c.env("TDAW_HOME", self.tmp.path().join("home"));
        c
    }
    /// A project with a MIDI track "Keys" and an audio track "Vox".
    fn project(&self) -> PathBuf {
        let p = self.tmp.path().join("song");
        self.tdaw().arg("new").arg(&p).assert().success();
        self.tdaw()
            .args(["track", "add"])
            .arg(&p)
            .args(["Keys", "--midi"])
            .assert()
            .success();
        self.tdaw()
            .args(["track", "add"])
            .arg(&p)
            .arg("Vox")
            .assert()
            .success();
        p
    }
    fn json(&self, args: &[&str]) -> Value {
        let out = self.tdaw().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
    /// Runs a command that must fail: one line on stderr, no panic; returns it.
    fn refused(&self, args: &[&str], dir: Option<&Path>) -> String {
        let mut c = self.tdaw();
        if let Some(d) = dir {
            c.arg(args[0]).arg(args[1]).arg(d).args(&args[2..]);
        } else {
            c.args(args);
        }
        let out = c.output().unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        err
    }
}

#[test]
fn chord_json_is_the_contract_shape() {
    let env = Env::new();
    let v = env.json(&["theory", "chord", "F#m7b5", "--json"]);
    assert_eq!(
        v,
        json!({"symbol": "F#m7b5", "root": "F#", "notes": ["F#", "A", "C", "E"], "pitches": [66, 69, 72, 76]})
    );
    let v = env.json(&["theory", "chord", "C#maj7", "--json"]);
    assert_eq!(v["notes"], json!(["C#", "E#", "G#", "B#"]));
    assert_eq!(v["pitches"], json!([61, 65, 68, 72]));
    // A numeral with --key reads in that key.
    let v = env.json(&["theory", "chord", "bVII", "--key", "C", "--json"]);
    assert_eq!(
        v,
        json!({"symbol": "Bb", "root": "Bb", "notes": ["Bb", "D", "F"], "pitches": [70, 74, 77]})
    );
    let human = env
        .tdaw()
        .args(["theory", "chord", "Bbdim7"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&human.stdout).trim(),
        "Bbdim7: Bb Db Fb Abb (MIDI 70 73 76 79)"
    );
}

#[test]
fn scale_json_is_the_contract_shape() {
    let env = Env::new();
    let v = env.json(&["theory", "scale", "D dorian", "--json"]);
    assert_eq!(
        v,
        json!({"tonic": "D", "mode": "dorian", "notes": ["D", "E", "F", "G", "A", "B", "C"]})
    );
    let v = env.json(&["theory", "scale", "F# harmonic minor", "--json"]);
    assert_eq!(v["notes"], json!(["F#", "G#", "A", "B", "C#", "D", "E#"]));
    let out = env
        .tdaw()
        .args(["theory", "scale", "Bb blues"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Bb blues: Bb Db Eb Fb F Ab"
    );
}

#[test]
fn bad_theory_text_is_one_line() {
    let env = Env::new();
    let e = env.refused(&["theory", "chord", "Hmaj7"], None);
    assert!(e.contains("'Hmaj7' is not a chord symbol"), "{e}");
    let e = env.refused(&["theory", "chord", "vi"], None);
    assert!(e.contains("'vi' needs a key"), "{e}");
    let e = env.refused(&["theory", "scale", "C bebop"], None);
    assert!(e.contains("'C bebop' is not a scale"), "{e}");
}

#[test]
fn midi_chords_makes_one_clip_with_the_chords() {
    let env = Env::new();
    let p = env.project();
    let out = env
        .tdaw()
        .args(["midi", "chords"])
        .arg(&p)
        .args([
            "Keys",
            "i VI | III VII",
            "--key",
            "Am",
            "--at",
            "8",
            "--beats",
            "2",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Am F C G"));
    let project = tdaw::store::load_project(&p).unwrap();
    let keys = &project.tracks[0];
    assert_eq!(keys.clips.len(), 1);
    let clip = &keys.clips[0];
    assert_eq!(clip.start, 8.0);
    let ClipContent::Midi(m) = &clip.content else {
        panic!("not a MIDI clip")
    };
    assert_eq!(m.length, 8.0);
    let chord_at = |beat: f64| -> Vec<u8> {
        let mut v: Vec<u8> = m
            .notes
            .iter()
            .filter(|n| n.start == beat)
            .map(|n| n.pitch)
            .collect();
        v.sort_unstable();
        v
    };
    // Am in close position, then each chord voice-led from the one before.
    assert_eq!(chord_at(0.0), [69, 72, 76]);
    assert_eq!(chord_at(2.0), [69, 72, 77]); // F: A C F
    assert_eq!(chord_at(4.0), [67, 72, 76]); // C: G C E
    assert_eq!(chord_at(6.0), [67, 71, 74]); // G: G B D
    assert!(m.notes.iter().all(|n| n.length == 2.0));
    assert_eq!(m.notes.len(), 12);

    // Symbols with the project's key unset work too; drop-2 voicing of Cmaj7 without leading.
    let out = env
        .tdaw()
        .args(["midi", "chords"])
        .arg(&p)
        .args(["1", "Cmaj7", "--voicing", "drop2", "--no-voice-leading"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let project = tdaw::store::load_project(&p).unwrap();
    let c = project.tracks[0]
        .clips
        .iter()
        .find(|c| c.start == 0.0)
        .unwrap();
    let ClipContent::Midi(m) = &c.content else {
        panic!()
    };
    let pitches: Vec<u8> = m.notes.iter().map(|n| n.pitch).collect();
    assert_eq!(pitches, [55, 60, 64, 71]);
}

#[test]
fn bad_progressions_leave_the_file_untouched() {
    let env = Env::new();
    let p = env.project();
    let before = std::fs::read(p.join("project.toml")).unwrap();
    for (args, needle) in [
        (
            vec!["midi", "chords", "Keys", "Am Fxyz C"],
            "'Fxyz' is not a chord symbol",
        ),
        (vec!["midi", "chords", "Keys", "i VI"], "'i' needs a key"),
        (
            vec!["midi", "chords", "Keys", "I V", "--key", "Q"],
            "'Q' is not a scale",
        ),
        (
            vec!["midi", "chords", "Keys", "Am", "--voicing", "wide"],
            "'wide' is not a voicing",
        ),
        (
            vec!["midi", "chords", "Keys", "Am", "--beats", "0"],
            "--beats 0",
        ),
        (
            vec!["midi", "chords", "Keys", "Am", "--rhythm", "waltz"],
            "'waltz' is not a rhythm",
        ),
        (
            vec!["midi", "chords", "Vox", "Am"],
            "'Vox' is an audio track",
        ),
        (vec!["midi", "chords", "Nope", "Am"], "Nope"),
        (vec!["midi", "chords", "Keys", " | "], "no chords"),
    ] {
        let e = env.refused(&args, Some(&p));
        assert!(e.contains(needle), "{args:?}: {e}");
        assert_eq!(
            std::fs::read(p.join("project.toml")).unwrap(),
            before,
            "{args:?}"
        );
    }
}

#[test]
fn theory_key_reads_a_track() {
    let env = Env::new();
    let p = env.project();
    env.tdaw()
        .args(["midi", "chords"])
        .arg(&p)
        .args(["Keys", "Am Dm E7 Am"])
        .assert()
        .success();
    let before = std::fs::read(p.join("project.toml")).unwrap();
    let v = env.json(&["theory", "key", p.to_str().unwrap(), "Keys", "--json"]);
    assert_eq!(v["key"], "A minor");
    let c = v["confidence"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&c), "{c}");
    assert_eq!(v.as_object().unwrap().len(), 2);
    assert_eq!(std::fs::read(p.join("project.toml")).unwrap(), before);
    let e = env.refused(&["theory", "key", p.to_str().unwrap(), "Vox"], None);
    assert!(e.contains("audio track"), "{e}");
    env.tdaw()
        .args(["track", "add"])
        .arg(&p)
        .args(["Empty", "--midi"])
        .assert()
        .success();
    let e = env.refused(&["theory", "key", p.to_str().unwrap(), "Empty"], None);
    assert!(e.contains("no pitched notes"), "{e}");
}
