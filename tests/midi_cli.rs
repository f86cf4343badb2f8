//! MIDI through the real binary: `tdaw import` of format 0 and 1 files written with midly,
//! damaged files, and `tdaw export-midi` round trips.

use assert_cmd::Command;
use midly::num::{u15, u24, u28, u4, u7};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};
use std::path::{Path, PathBuf};
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
    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
    fn project(&self, name: &str) -> PathBuf {
        let p = self.path(name);
        self.tdaw().arg("new").arg(&p).assert().success();
        p
    }
    fn import(&self, project: &Path, files: &[&Path]) -> std::process::Output {
        self.tdaw()
            .arg("import")
            .arg(project)
            .args(files)
            .output()
            .unwrap()
    }
}

fn ev(delta: u32, kind: TrackEventKind<'static>) -> TrackEvent<'static> {
    TrackEvent {
        delta: u28::new(delta),
        kind,
    }
}

fn midi(ch: u8, message: MidiMessage) -> TrackEventKind<'static> {
    TrackEventKind::Midi {
        channel: u4::new(ch),
        message,
    }
}

fn on(ch: u8, key: u8, vel: u8) -> TrackEventKind<'static> {
    midi(
        ch,
        MidiMessage::NoteOn {
            key: u7::new(key),
            vel: u7::new(vel),
        },
    )
}

fn off(ch: u8, key: u8) -> TrackEventKind<'static> {
    midi(
        ch,
        MidiMessage::NoteOff {
            key: u7::new(key),
            vel: u7::new(64),
        },
    )
}

fn eot() -> TrackEvent<'static> {
    ev(0, TrackEventKind::Meta(MetaMessage::EndOfTrack))
}

fn write(path: &Path, format: Format, tracks: Vec<Vec<TrackEvent<'static>>>) {
    let smf = Smf {
        header: Header::new(format, Timing::Metrical(u15::new(480))),
        tracks,
    };
    smf.save(path).unwrap();
}

/// Format 0, all 16 channels: channel c plays c + 1 notes, program c * 3; tempo 90 BPM, 7/8.
fn all_channels(path: &Path) -> usize {
    let mut t = vec![
        ev(
            0,
            TrackEventKind::Meta(MetaMessage::TrackName(b"Everything")),
        ),
        ev(
            0,
            TrackEventKind::Meta(MetaMessage::Tempo(u24::new(666_667))),
        ),
        ev(
            0,
            TrackEventKind::Meta(MetaMessage::TimeSignature(7, 3, 24, 8)),
        ),
    ];
    let mut total = 0;
    for ch in 0..16u8 {
        t.push(ev(
            0,
            midi(
                ch,
                MidiMessage::ProgramChange {
                    program: u7::new(ch * 3),
                },
            ),
        ));
    }
    for ch in 0..16u8 {
        for i in 0..=ch {
            t.push(ev(0, on(ch, 40 + i, 100)));
            t.push(ev(120, off(ch, 40 + i)));
            total += 1;
        }
    }
    t.push(eot());
    write(path, Format::SingleTrack, vec![t]);
    total
}

fn info(env: &Env, project: &Path) -> serde_json::Value {
    let out = env
        .tdaw()
        .arg("info")
        .arg(project)
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn format0_with_all_16_channels() {
    let env = Env::new();
    let file = env.path("all.mid");
    let total = all_channels(&file);
    let project = env.project("p");
    let out = env.import(&project, &[&file]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout);
    assert_eq!(line.lines().count(), 1);
    assert!(line.contains("added 16 MIDI tracks (136 notes)"), "{line}");
    let v = info(&env, &project);
    let tracks = v["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 16);
    let notes: u64 = tracks.iter().map(|t| t["notes"].as_u64().unwrap()).sum();
    assert_eq!(notes as usize, total);
    assert_eq!(tracks[4]["name"], "Everything (ch 5)");
    assert_eq!(tracks[4]["notes"], 5);
    let p = tdaw::store::load_project(&project).unwrap();
    assert!((p.tempo.initial_bpm() - 90.0).abs() < 1e-3);
    assert_eq!(p.time_signature.to_string(), "7/8");
    for (ch, t) in p.tracks.iter().enumerate() {
        assert_eq!(
            t.instrument,
            Some(tdaw::model::Instrument::GeneralMidi {
                program: ch as u8 * 3,
                drums: ch == 9
            })
        );
    }
}

/// Format 1: conductor with three tempos; a lead with overlapping same-pitch notes and a
/// hanging note; a bass.
fn format1(path: &Path) {
    let conductor = vec![
        ev(
            0,
            TrackEventKind::Meta(MetaMessage::Tempo(u24::new(500_000))),
        ),
        ev(
            1920,
            TrackEventKind::Meta(MetaMessage::Tempo(u24::new(400_000))),
        ),
        ev(
            1920,
            TrackEventKind::Meta(MetaMessage::Tempo(u24::new(600_000))),
        ),
        eot(),
    ];
    let lead = vec![
        ev(0, TrackEventKind::Meta(MetaMessage::TrackName(b"Lead"))),
        ev(0, on(0, 72, 100)),
        ev(240, on(0, 72, 80)), // overlaps the first
        ev(240, off(0, 72)),
        ev(240, off(0, 72)),
        ev(0, on(0, 74, 0)), // a zero-velocity note-on with nothing sounding: ignored
        ev(0, on(0, 76, 90)), // never released
        ev(960, eot().kind),
    ];
    let bass = vec![
        ev(0, TrackEventKind::Meta(MetaMessage::TrackName(b"Bass"))),
        ev(
            0,
            midi(
                1,
                MidiMessage::ProgramChange {
                    program: u7::new(33),
                },
            ),
        ),
        ev(0, on(1, 36, 110)),
        ev(3840, off(1, 36)),
        eot(),
    ];
    write(path, Format::Parallel, vec![conductor, lead, bass]);
}

#[test]
fn format1_tempo_map_overlaps_and_export_round_trip() {
    let env = Env::new();
    let file = env.path("song.mid");
    format1(&file);
    let project = env.project("p");
    let out = env.import(&project, &[&file]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p = tdaw::store::load_project(&project).unwrap();
    let bpms: Vec<(f64, f64)> = p.tempo.changes().iter().map(|c| (c.beat, c.bpm)).collect();
    assert_eq!(bpms, [(0.0, 120.0), (4.0, 150.0), (8.0, 100.0)]);
    let names: Vec<&str> = p.tracks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Lead", "Bass"]);
    assert_eq!(p.tracks[0].note_count(), 3);
    assert_eq!(p.tracks[1].note_count(), 1);

    // export → import into a fresh project keeps every note.
    let exported = env.path("out.mid");
    let out = env
        .tdaw()
        .arg("export-midi")
        .arg(&project)
        .arg("-o")
        .arg(&exported)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 MIDI tracks (4 notes)"));
    let bytes = std::fs::read(&exported).unwrap();
    let smf = Smf::parse(&bytes).unwrap();
    assert_eq!(smf.header.format, Format::Parallel);
    assert_eq!(smf.tracks.len(), 3);
    let again = env.project("q");
    assert!(env.import(&again, &[&exported]).status.success());
    let q = tdaw::store::load_project(&again).unwrap();
    assert_eq!(q.tempo, p.tempo);
    assert_eq!(q.tracks.len(), p.tracks.len());
    for (a, b) in p.tracks.iter().zip(&q.tracks) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.instrument, b.instrument);
        let notes = |t: &tdaw::model::Track| match &t.clips[0].content {
            tdaw::model::ClipContent::Midi(m) => m.notes.clone(),
            _ => panic!(),
        };
        let (na, nb) = (notes(a), notes(b));
        assert_eq!(na.len(), nb.len(), "{}", a.name);
        for (x, y) in na.iter().zip(&nb) {
            assert_eq!(
                (x.pitch, x.velocity, x.channel),
                (y.pitch, y.velocity, y.channel)
            );
            assert!((x.start - y.start).abs() < 1e-9 && (x.length - y.length).abs() < 1e-9);
        }
    }
}

#[test]
fn second_midi_file_keeps_the_project_tempo() {
    let env = Env::new();
    let a = env.path("a.mid");
    format1(&a);
    let b = env.path("b.mid");
    all_channels(&b);
    let project = env.project("p");
    let out = env.import(&project, &[&a, &b]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 2);
    assert!(
        stdout.lines().nth(1).unwrap().contains("tempo is kept"),
        "{stdout}"
    );
    let p = tdaw::store::load_project(&project).unwrap();
    assert_eq!(p.tracks.len(), 18);
    assert_eq!(p.tempo.changes().len(), 3);
}

#[test]
fn damaged_midi_files_are_refused_cleanly() {
    let env = Env::new();
    let good = env.path("good.mid");
    format1(&good);
    let bytes = std::fs::read(&good).unwrap();
    let project = env.project("p");
    assert!(env.import(&project, &[&good]).status.success());
    let before = std::fs::read(project.join("project.toml")).unwrap();
    // The first MTrk's length field is at bytes 18..22.
    let len = u32::from_be_bytes(bytes[18..22].try_into().unwrap());
    let mut cases: Vec<(&str, Vec<u8>, &str)> = Vec::new();
    let mut long = bytes.clone();
    long[18..22].copy_from_slice(&(len + 1000).to_be_bytes());
    cases.push(("too_long.mid", long, "wrong track length"));
    let mut short = bytes.clone();
    short[18..22].copy_from_slice(&(len - 3).to_be_bytes());
    cases.push(("too_short.mid", short, ""));
    cases.push((
        "truncated.mid",
        bytes[..bytes.len() - 10].to_vec(),
        "wrong track length",
    ));
    cases.push(("empty.mid", Vec::new(), "empty"));
    let mut x = 12345u64;
    let noise: Vec<u8> = (0..5000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    cases.push(("noise.mid", noise.clone(), "not a standard midi file"));
    let mut header_then_noise = bytes[..22].to_vec();
    header_then_noise.extend_from_slice(&noise[..len as usize]);
    cases.push(("garbage_track.mid", header_then_noise, ""));
    for (name, data, problem) in cases {
        let f = env.path(name);
        std::fs::write(&f, data).unwrap();
        let out = env.import(&project, &[&f]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name} accepted");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.starts_with("error: ") && err.contains(name), "{err}");
        assert!(err.to_lowercase().contains(problem), "{name}: {err}");
        assert!(!err.contains("panicked"));
        assert_eq!(
            std::fs::read(project.join("project.toml")).unwrap(),
            before,
            "{name}"
        );
    }
}

#[test]
fn export_midi_never_overwrites_the_project() {
    let env = Env::new();
    let project = env.project("p");
    // A WAV clip gives the project a file of its own under audio/.
    let wav = env.path("tone.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for i in 0..4800 {
        w.write_sample(((i % 100) as i16 - 50) * 100).unwrap();
    }
    w.finalize().unwrap();
    assert!(env.import(&project, &[&wav]).status.success());
    let toml = project.join("project.toml");
    let clip = project.join("audio/tone.wav");
    let before = (std::fs::read(&toml).unwrap(), std::fs::read(&clip).unwrap());
    for target in [&toml, &clip] {
        let out = env
            .tdaw()
            .arg("export-midi")
            .arg(&project)
            .arg("-o")
            .arg(target)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{}", target.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains(&*target.file_name().unwrap().to_string_lossy()),
            "{err}"
        );
    }
    let after = (std::fs::read(&toml).unwrap(), std::fs::read(&clip).unwrap());
    assert!(before == after, "the project's files stay byte-identical");
}
