//! `tdaw midi quantize|humanize|transpose|arp` end to end, as the real binary on a temp project:
//! the file read back, the printed line checked, `--clip` narrowing, `arp --live` storing the
//! settings, and every bad value refused in one `error:` line naming it, with project.toml
//! byte-identical.

use std::fs;
use tdaw::midi::ops::notes_of;
use tdaw::model::arp::ArpMode;
use tdaw::model::{Clip, ClipContent, ClipId, MidiClip, Note};

mod cli_support;
use cli_support::Env;

impl Env {
    /// A project at 120 BPM with a MIDI track "Keys" holding two clips and an audio track.
    fn song(&self) -> String {
        let d = self.d();
        self.ok(&["new", &d]);
        self.ok(&["track", "add", &d, "Keys", "--midi"]);
        self.ok(&["track", "add", &d, "Drums"]);
        let mut p = self.project();
        let keys = &mut p.tracks[0];
        keys.clips.push(clip(
            1,
            0.0,
            &[(60, 0.1, 0.9), (64, 1.05, 0.4), (67, 2.0, 1.0)],
        ));
        keys.clips.push(clip(
            2,
            8.0,
            &[(48, 0.0, 2.0), (55, 0.0, 2.0), (62, 0.3, 0.2)],
        ));
        let text = tdaw::store::format::to_toml(&p).unwrap();
        fs::write(self.dir().join("project.toml"), text).unwrap();
        d
    }

    fn notes(&self, clip: u64) -> Vec<Note> {
        let p = self.project();
        let c = p.tracks[0]
            .clips
            .iter()
            .find(|c| c.id == ClipId(clip))
            .unwrap();
        notes_of(c).to_vec()
    }
}

fn clip(id: u64, start: f64, notes: &[(u8, f64, f64)]) -> Clip {
    Clip {
        id: ClipId(id),
        name: String::new(),
        start,
        lane: 0,
        take: None,
        content: ClipContent::Midi(MidiClip {
            offset: 0.0,
            length: 4.0,
            controllers: Vec::new(),
            notes: notes
                .iter()
                .map(|&(pitch, start, length)| Note {
                    pitch,
                    start,
                    length,
                    velocity: 100,
                    channel: 0,
                })
                .collect(),
        }),
    }
}

fn starts(v: &[Note]) -> Vec<f64> {
    v.iter().map(|n| n.start).collect()
}

#[test]
fn quantize_moves_starts_to_the_grid_once() {
    let env = Env::new();
    let d = env.song();
    let out = env.ok(&["midi", "quantize", &d, "Keys", "--grid", "1/4"]);
    assert_eq!(out.trim(), "quantized 3 notes in 2 clips to 1/4");
    assert_eq!(starts(&env.notes(1)), vec![0.0, 1.0, 2.0]);
    // Starts only: lengths stay.
    let lengths: Vec<f64> = env.notes(1).iter().map(|n| n.length).collect();
    assert_eq!(lengths, vec![0.9, 0.4, 1.0]);
    assert_eq!(starts(&env.notes(2)), vec![0.0, 0.0, 0.0]);
    // Twice changes nothing more.
    let once = env.bytes();
    let out = env.ok(&["midi", "quantize", &d, "Keys", "--grid", "1/4"]);
    assert_eq!(out.trim(), "quantized 0 notes in 0 clips to 1/4");
    assert_eq!(
        env.project().tracks,
        tdaw::store::format::from_bytes(&once).unwrap().tracks
    );
}

#[test]
fn quantize_ends_strength_swing_and_clip() {
    let env = Env::new();
    let d = env.song();
    env.ok(&[
        "midi", "quantize", &d, "1", "--grid", "1/8", "--ends", "--clip", "1",
    ]);
    let n = env.notes(1);
    assert_eq!(starts(&n), vec![0.0, 1.0, 2.0]);
    assert_eq!(
        n.iter().map(|n| n.length).collect::<Vec<_>>(),
        vec![1.0, 0.5, 1.0]
    );
    // Clip 2 untouched.
    assert_eq!(starts(&env.notes(2)), vec![0.0, 0.0, 0.3]);
    // Half strength on clip 2: 0.3 → halfway to 0.5 (1/8 grid) = 0.4.
    env.ok(&[
        "midi",
        "quantize",
        &d,
        "Keys",
        "--grid",
        "1/8",
        "--strength",
        "50",
        "--clip",
        "2",
    ]);
    assert!((env.notes(2)[2].start - 0.4).abs() < 1e-9);
    // Swing 75 %: the off-beat 8th line sits at 0.75.
    env.ok(&[
        "midi", "quantize", &d, "Keys", "--grid", "1/8", "--swing", "75", "--clip", "2",
    ]);
    assert!((env.notes(2)[2].start - 0.75).abs() < 1e-9);
}

#[test]
fn humanize_is_seeded_and_bounded() {
    let env = Env::new();
    let d = env.song();
    let before = env.notes(1);
    let out = env.ok(&[
        "midi",
        "humanize",
        &d,
        "Keys",
        "--time-ms",
        "20",
        "--velocity",
        "10",
        "--seed",
        "7",
    ]);
    assert_eq!(out.trim(), "humanized 6 notes in 2 clips (seed 7)");
    let a = env.notes(1);
    for (x, y) in a.iter().zip(&before) {
        // 20 ms at 120 BPM = 0.04 beats.
        assert!((x.start - y.start).abs() <= 0.04 + 1e-9);
        assert!((x.velocity as i32 - y.velocity as i32).abs() <= 10);
    }
    assert_ne!(a, before);
    // The same seed on the same notes gives the same result.
    let env2 = Env::new();
    let d2 = env2.song();
    env2.ok(&[
        "midi",
        "humanize",
        &d2,
        "Keys",
        "--time-ms",
        "20",
        "--velocity",
        "10",
        "--seed",
        "7",
    ]);
    assert_eq!(env2.notes(1), a);
}

#[test]
fn transpose_by_semitones() {
    let env = Env::new();
    let d = env.song();
    let out = env.ok(&["midi", "transpose", &d, "Keys", "-5", "--clip", "2"]);
    assert_eq!(out.trim(), "transposed 3 notes in 1 clip by -5 semitones");
    let p: Vec<u8> = env.notes(2).iter().map(|n| n.pitch).collect();
    assert_eq!(p, vec![43, 50, 57]);
    env.refused(&["midi", "transpose", &d, "Keys", "70"], "outside 0..=127");
}

#[test]
fn transpose_in_key_moves_by_scale_steps() {
    let env = Env::new();
    let d = env.song();
    // C E G up two steps of C major: E G B.
    let out = env.ok(&[
        "midi",
        "transpose",
        &d,
        "Keys",
        "2",
        "--in-key",
        "--key",
        "C major",
        "--clip",
        "1",
    ]);
    assert_eq!(
        out.trim(),
        "transposed 3 notes in 1 clip by 2 steps of C major"
    );
    let p: Vec<u8> = env.notes(1).iter().map(|n| n.pitch).collect();
    assert_eq!(p, vec![64, 67, 71]);
    env.refused(
        &[
            "midi",
            "transpose",
            &d,
            "Keys",
            "1",
            "--in-key",
            "--key",
            "H major",
        ],
        "H major",
    );
}

#[test]
fn arp_renders_the_chords_into_an_arpeggio() {
    let env = Env::new();
    let d = env.song();
    let out = env.ok(&[
        "midi", "arp", &d, "Keys", "--clip", "2", "--rate", "1/8", "--gate", "50",
    ]);
    assert!(
        out.starts_with("arpeggiated 3 notes in 1 clip into 4 arpeggio notes"),
        "{out}"
    );
    let n = env.notes(2);
    // Clip 2 at beat 8: 48 and 55 held over 0..2, 62 over 0.3..0.5 (between the steps).
    let got: Vec<(u8, f64, f64)> = n.iter().map(|n| (n.pitch, n.start, n.length)).collect();
    assert_eq!(
        got,
        vec![
            (48, 0.0, 0.25),
            (55, 0.5, 0.25),
            (48, 1.0, 0.25),
            (55, 1.5, 0.25)
        ]
    );
}

#[test]
fn arp_live_stores_the_settings_and_off_keeps_them() {
    let env = Env::new();
    let d = env.song();
    let before = env.notes(1);
    let out = env.ok(&[
        "midi",
        "arp",
        &d,
        "Keys",
        "--live",
        "--mode",
        "updown",
        "--octaves",
        "2",
        "--latch",
    ]);
    assert_eq!(
        out.trim(),
        "live arpeggiator of 'Keys': updown 1/16 oct=2 gate=80 swing=50 latch"
    );
    let arp = env.project().tracks[0].arp.clone().unwrap();
    assert_eq!(arp.mode, ArpMode::Updown);
    assert_eq!(arp.octaves, 2);
    assert!(arp.latch && !arp.bypass);
    assert_eq!(env.notes(1), before, "--live leaves the notes");
    env.ok(&["midi", "arp", &d, "Keys", "--live", "--off"]);
    let off = env.project().tracks[0].arp.clone().unwrap();
    assert!(off.bypass);
    assert_eq!(off.octaves, 2);
}

#[test]
fn bad_values_are_refused_in_one_line_and_change_nothing() {
    let env = Env::new();
    let d = env.song();
    env.refused(&["midi", "quantize", &d, "Keys", "--grid", "1/7"], "'1/7'");
    env.refused(
        &["midi", "quantize", &d, "Keys", "--strength", "150"],
        "--strength 150",
    );
    env.refused(
        &["midi", "quantize", &d, "Keys", "--swing", "90"],
        "--swing 90",
    );
    env.refused(
        &["midi", "quantize", &d, "Keys", "--window=-1"],
        "--window -1",
    );
    env.refused(&["midi", "quantize", &d, "Drums"], "not a MIDI track");
    env.refused(&["midi", "quantize", &d, "Nope"], "Nope");
    env.refused(
        &["midi", "quantize", &d, "Keys", "--clip", "99"],
        "no MIDI clip 99",
    );
    env.refused(
        &["midi", "humanize", &d, "Keys", "--time-ms", "5000"],
        "--time-ms 5000",
    );
    env.refused(&["midi", "arp", &d, "Keys", "--gate", "0"], "--gate 0");
    env.refused(
        &["midi", "arp", &d, "Keys", "--mode", "sideways"],
        "'sideways'",
    );
    env.refused(&["midi", "arp", &d, "Keys", "--rate", "1/3"], "'1/3'");
    env.refused(
        &["midi", "arp", &d, "Keys", "--octaves", "9"],
        "--octaves 9",
    );
    env.refused(
        &["midi", "arp", &d, "Keys", "--swing", "80", "--live"],
        "--swing 80",
    );
}
