//! MIDI controllers end to end: kept in the model and project.toml, heard through the built-in
//! synth and the SoundFont (CC7 ramp, sustain pedal), chased on seek, imported from and
//! exported to Standard MIDI Files; and a MIDI file's tempo offered on import.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use tdaw::engine::graph::{ClipMode, Graph};
use tdaw::engine::instrument::{find_soundfont_in, load_soundfont, SYSTEM_SOUNDFONTS};
use tdaw::model::{
    Clip, ClipContent, ClipId, ControlEvent, ControlKind, Instrument, MidiClip, Note, Project,
    Track, TrackId, TrackKind,
};

const RATE: u32 = 48_000;
/// Samples per beat at 120 BPM.
const BEAT: usize = RATE as usize / 2;

fn cc(number: u8, time: f64, value: i16) -> ControlEvent {
    ControlEvent {
        kind: ControlKind::Cc(number),
        time,
        value,
        channel: 0,
    }
}

fn note(pitch: u8, start: f64, length: f64) -> Note {
    Note {
        pitch,
        start,
        length,
        velocity: 100,
        channel: 0,
    }
}

/// A 120 BPM project with one MIDI track playing `instrument`.
fn project(
    instrument: Instrument,
    length: f64,
    notes: Vec<Note>,
    ctl: Vec<ControlEvent>,
) -> Project {
    let mut p = Project::new("ctl", RATE, 120.0);
    let mut t = Track::new(TrackId(1), "Keys", TrackKind::Midi);
    t.instrument = Some(instrument);
    t.clips.push(Clip {
        id: ClipId(1),
        name: String::new(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Midi(MidiClip {
            offset: 0.0,
            length,
            notes,
            controllers: ctl,
        }),
    });
    p.tracks.push(t);
    p
}

fn organ() -> Instrument {
    Instrument::Synth {
        preset: "organ".into(),
    }
}

fn soundfont() -> Option<Arc<rustysynth::SoundFont>> {
    let system: Vec<&Path> = SYSTEM_SOUNDFONTS.iter().map(Path::new).collect();
    let path = find_soundfont_in(None, None, &system)?;
    Some(load_soundfont(&path).unwrap())
}

/// Renders `frames` of the mix (left channel) from timeline sample `from`, after a seek there.
fn render_from(
    p: &Project,
    sf: Option<&Arc<rustysynth::SoundFont>>,
    from: u64,
    frames: usize,
) -> Vec<f32> {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Graph::compile(p, dir.path(), RATE, ClipMode::Direct, sf, true)
        .unwrap()
        .graph;
    g.jump(from, true);
    let mut out = Vec::with_capacity(frames);
    let mut pos = from;
    while out.len() < frames {
        let n = (frames - out.len()).min(1024);
        let done = g.process(pos, n, true, false).unwrap();
        out.extend_from_slice(g.master(done).0);
        pos += done as u64;
    }
    out
}

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

fn db(x: f64) -> f64 {
    20.0 * x.max(1e-12).log10()
}

/// CC7 from 0 to 127 over 4 beats, 32 steps, under one held note.
fn cc7_ramp() -> Vec<ControlEvent> {
    (0..=32)
        .map(|i| cc(7, i as f64 / 8.0, (i * 127 / 32) as i16))
        .collect()
}

/// RMS (dB) of each beat of a 4-beat render.
fn per_beat(x: &[f32]) -> Vec<f64> {
    x.chunks(BEAT).take(4).map(|c| db(rms(c))).collect()
}

fn assert_rising(levels: &[f64], what: &str) {
    for w in levels.windows(2) {
        assert!(
            w[1] > w[0] + 1.0,
            "{what}: RMS per beat must rise: {levels:?}"
        );
    }
    assert!(
        levels[3] - levels[0] > 12.0,
        "{what}: a CC7 ramp from 0 spans more than 12 dB: {levels:?}"
    );
}

#[test]
fn cc7_ramp_rises_through_the_built_in_synth() {
    let p = project(organ(), 4.0, vec![note(60, 0.0, 4.0)], cc7_ramp());
    let levels = per_beat(&render_from(&p, None, 0, 4 * BEAT));
    assert_rising(&levels, "built-in synth");
    // Without the ramp the organ holds one level.
    let flat = per_beat(&render_from(
        &project(organ(), 4.0, vec![note(60, 0.0, 4.0)], vec![]),
        None,
        0,
        4 * BEAT,
    ));
    assert!((flat[3] - flat[1]).abs() < 1.0, "{flat:?}");
}

#[test]
fn cc7_ramp_rises_through_the_soundfont() {
    let Some(sf) = soundfont() else {
        println!("note: no General MIDI SoundFont installed; skipped");
        return;
    };
    // GM 19, church organ: a held note that does not decay.
    let church = Instrument::GeneralMidi {
        program: 19,
        drums: false,
    };
    let p = project(church, 4.0, vec![note(60, 0.0, 4.0)], cc7_ramp());
    let levels = per_beat(&render_from(&p, Some(&sf), 0, 4 * BEAT));
    assert_rising(&levels, "SoundFont");
}

/// Energy (dB) of beats 1.5–2.5 after a note of half a beat, with or without the pedal down
/// from beat 0 to beat 3.
fn after_release(
    instrument: Instrument,
    sf: Option<&Arc<rustysynth::SoundFont>>,
    pedal: bool,
) -> f64 {
    let ctl = if pedal {
        vec![cc(64, 0.0, 127), cc(64, 3.0, 0)]
    } else {
        vec![]
    };
    let p = project(instrument, 4.0, vec![note(67, 0.0, 0.5)], ctl);
    let x = render_from(&p, sf, 0, 4 * BEAT);
    db(rms(&x[BEAT * 3 / 2..BEAT * 5 / 2]))
}

#[test]
fn sustain_pedal_lengthens_notes() {
    let dry = after_release(organ(), None, false);
    let held = after_release(organ(), None, true);
    assert!(
        dry < -80.0,
        "the organ stops after its release: {dry:.1} dB"
    );
    assert!(held > -40.0, "the pedal holds it: {held:.1} dB");
    // The pedal going up at beat 3 releases it.
    let p = project(
        organ(),
        4.0,
        vec![note(67, 0.0, 0.5)],
        vec![cc(64, 0.0, 127), cc(64, 3.0, 0)],
    );
    let x = render_from(&p, None, 0, 4 * BEAT);
    assert!(db(rms(&x[BEAT * 7 / 2..])) < -80.0);

    if let Some(sf) = soundfont() {
        let church = Instrument::GeneralMidi {
            program: 19,
            drums: false,
        };
        let dry = after_release(church.clone(), Some(&sf), false);
        let held = after_release(church, Some(&sf), true);
        assert!(
            held > dry + 20.0,
            "SoundFont: pedal {held:.1} dB vs {dry:.1} dB"
        );
    }
}

#[test]
fn seeking_past_cc7_zero_stays_silent() {
    // CC7 = 0 at beat 0, a note at beat 5; play from beat 4.
    for sf in [None, soundfont()] {
        let inst = if sf.is_some() {
            Instrument::GeneralMidi {
                program: 19,
                drums: false,
            }
        } else {
            organ()
        };
        let notes = vec![note(60, 5.0, 2.0)];
        let faded = project(inst.clone(), 8.0, notes.clone(), vec![cc(7, 0.0, 0)]);
        let x = render_from(&faded, sf.as_ref(), 4 * BEAT as u64, 3 * BEAT);
        let peak = x.iter().fold(0f32, |m, v| m.max(v.abs()));
        assert!(peak < 1e-6, "chased CC7 = 0 silences the note: peak {peak}");
        // The same seek with CC7 = 127 is heard, and a fade-in from 0 sounds from beat 6.
        let loud = project(inst.clone(), 8.0, notes.clone(), vec![cc(7, 0.0, 127)]);
        let x = render_from(&loud, sf.as_ref(), 4 * BEAT as u64, 3 * BEAT);
        assert!(rms(&x) > 1e-3);
        let fade = project(inst, 8.0, notes, vec![cc(7, 0.0, 0), cc(7, 6.0, 127)]);
        let x = render_from(&fade, sf.as_ref(), 4 * BEAT as u64, 3 * BEAT);
        assert!(rms(&x[..BEAT * 2]) < 1e-6 && rms(&x[BEAT * 2..]) > 1e-3);
    }
}

#[test]
fn trimmed_clip_starts_with_the_controller_values_of_its_content() {
    // CC7 = 0 at content beat 0, then trimmed to start at content beat 2: still silent.
    let mut p = project(organ(), 8.0, vec![note(60, 3.0, 2.0)], vec![cc(7, 0.0, 0)]);
    if let ClipContent::Midi(m) = &mut p.tracks[0].clips[0].content {
        m.offset = 2.0;
        m.length = 6.0;
    }
    p.tracks[0].clips[0].start = 2.0;
    let x = render_from(&p, None, 0, 6 * BEAT);
    assert!(x.iter().all(|v| v.abs() < 1e-6));
}

/// A format-1 SMF: a conductor track at `bpm` and one track with notes, CC7, CC10, CC11,
/// sustain, an RPN 0 bend range of 12 and pitch bends, on channel 2.
fn smf_with_controllers(bpm: f64) -> Vec<u8> {
    use midly::num::{u15, u24, u28, u4, u7};
    use midly::TrackEventKind as K;
    use midly::{Format, Header, MetaMessage, MidiMessage, PitchBend, Smf, Timing, TrackEvent};
    let ch = u4::new(2);
    let ev = |delta: u32, kind: K<'static>| TrackEvent {
        delta: u28::new(delta),
        kind,
    };
    let ctl = |delta, c: u8, v: u8| {
        ev(
            delta,
            K::Midi {
                channel: ch,
                message: MidiMessage::Controller {
                    controller: u7::new(c),
                    value: u7::new(v),
                },
            },
        )
    };
    let midi = |delta, message| {
        ev(
            delta,
            K::Midi {
                channel: ch,
                message,
            },
        )
    };
    let conductor = vec![
        ev(
            0,
            K::Meta(MetaMessage::Tempo(u24::new((60_000_000.0 / bpm) as u32))),
        ),
        ev(0, K::Meta(MetaMessage::EndOfTrack)),
    ];
    let track = vec![
        ctl(0, 7, 0),
        ctl(0, 10, 30),
        ctl(0, 101, 0),
        ctl(0, 100, 0),
        ctl(0, 6, 12),
        ctl(0, 38, 0),
        midi(
            0,
            MidiMessage::NoteOn {
                key: u7::new(60),
                vel: u7::new(90),
            },
        ),
        ctl(240, 7, 64),
        ctl(0, 64, 127),
        midi(
            240,
            MidiMessage::PitchBend {
                bend: PitchBend::from_int(-4096),
            },
        ),
        ctl(240, 11, 100),
        midi(
            240,
            MidiMessage::NoteOff {
                key: u7::new(60),
                vel: u7::new(0),
            },
        ),
        ctl(0, 7, 127),
        midi(
            480,
            MidiMessage::PitchBend {
                bend: PitchBend::from_int(8191),
            },
        ),
        ctl(0, 64, 0),
        ev(0, K::Meta(MetaMessage::EndOfTrack)),
    ];
    let smf = Smf {
        header: Header::new(Format::Parallel, Timing::Metrical(u15::new(480))),
        tracks: vec![conductor, track],
    };
    let mut out = Vec::new();
    smf.write_std(&mut out).unwrap();
    out
}

fn tdaw(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tdaw"))
        .args(args)
        .env("TDAW_HOME", home)
        .env("TDAW_SOUNDFONT", "none")
        .output()
        .unwrap()
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn smf_import_then_export_keeps_the_controllers() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("song");
    let mid = tmp.path().join("ctl.mid");
    std::fs::write(&mid, smf_with_controllers(120.0)).unwrap();
    let (d, m) = (dir.to_str().unwrap(), mid.to_str().unwrap());
    ok(&tdaw(&home, &["new", d]));
    ok(&tdaw(&home, &["import", d, m]));
    // One line per event in project.toml.
    let text = std::fs::read_to_string(dir.join("project.toml")).unwrap();
    assert!(text.contains("controllers = [\n"), "{text}");
    assert!(text.contains("    [\"cc7\", 0.0, 0, 2],\n"), "{text}");
    assert!(text.contains("    [\"bend\", 1.0, -4096, 2],\n"), "{text}");
    let song = tdaw::store::load_project(&dir).unwrap();
    let ClipContent::Midi(clip) = &song.tracks[0].clips[0].content else {
        panic!("a MIDI clip")
    };
    let original = tdaw::midi::smf::read_smf(&smf_with_controllers(120.0), "x").unwrap();
    assert_eq!(clip.controllers, original.tracks[0].controllers);
    assert_eq!(clip.controllers.len(), 13);

    let out = tmp.path().join("back.mid");
    ok(&tdaw(
        &home,
        &["export-midi", d, "-o", out.to_str().unwrap()],
    ));
    let back = tdaw::midi::smf::read_smf(&std::fs::read(&out).unwrap(), "x").unwrap();
    let strip = |v: &[ControlEvent]| -> Vec<(ControlKind, f64, i16)> {
        v.iter().map(|e| (e.kind, e.time, e.value)).collect()
    };
    assert_eq!(
        strip(&back.tracks[0].controllers),
        strip(&original.tracks[0].controllers),
        "export-midi writes the controllers back, in order"
    );
}

#[test]
fn project_toml_reads_and_writes_controllers_and_offset() {
    let mut p = project(organ(), 4.0, vec![note(60, 0.0, 1.0)], vec![cc(7, 0.5, 90)]);
    if let ClipContent::Midi(m) = &mut p.tracks[0].clips[0].content {
        m.controllers.push(ControlEvent {
            kind: ControlKind::PitchBend,
            time: 1.0,
            value: -8192,
            channel: 3,
        });
        m.offset = 0.25;
    }
    let text = tdaw::store::format::to_toml(&p).unwrap();
    assert!(
        text.contains(
            "controllers = [\n    [\"cc7\", 0.5, 90, 0],\n    [\"bend\", 1.0, -8192, 3],\n]"
        ),
        "{text}"
    );
    assert!(text.contains("offset = 0.25"), "{text}");
    assert_eq!(tdaw::store::format::from_str(&text).unwrap(), p);
    // A bad controller names itself.
    let bad = text.replace("[\"bend\", 1.0, -8192, 3]", "[\"cc200\", 1.0, 5, 3]");
    let e = tdaw::store::format::from_str(&bad).unwrap_err().to_string();
    assert!(e.contains("cc200"), "{e}");
    let mut q = p.clone();
    if let ClipContent::Midi(m) = &mut q.tracks[0].clips[0].content {
        m.controllers[0].value = 300;
    }
    let e = q.validate().unwrap_err();
    assert_eq!(e.field, "track[0].clip[0].controllers[0].value");
    // Files from before controllers and offsets read as before: nothing to trim, no events.
    let mut old = project(organ(), 4.0, vec![note(60, 0.0, 1.0)], vec![]);
    let old_text = tdaw::store::format::to_toml(&old).unwrap();
    assert!(!old_text.contains("offset") && !old_text.contains("controllers"));
    old.name = "ctl".into();
    assert_eq!(tdaw::store::format::from_str(&old_text).unwrap(), old);
}

#[test]
fn midi_tempo_into_a_project_with_tracks_is_said_and_offered() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("song");
    let mid = tmp.path().join("slow.mid");
    std::fs::write(&mid, smf_with_controllers(96.0)).unwrap();
    let (d, m) = (dir.to_str().unwrap(), mid.to_str().unwrap());
    ok(&tdaw(&home, &["new", d]));
    // A project with a track already.
    let mut p = tdaw::store::load_project(&dir).unwrap();
    p.tracks
        .push(Track::new(TrackId(1), "Bass", TrackKind::Midi));
    tdaw::store::save_project(&dir, &p).unwrap();
    let out = ok(&tdaw(&home, &["import", d, m]));
    assert!(
        out.contains(&format!(
            "'{m}' has tempo 96 BPM; the project keeps 120 (use --set-tempo)"
        )),
        "{out}"
    );
    assert_eq!(
        tdaw::store::load_project(&dir).unwrap().tempo.initial_bpm(),
        120.0
    );
    let out = ok(&tdaw(&home, &["import", d, m, "--set-tempo"]));
    assert!(out.contains("tempo: 96 BPM from"), "{out}");
    let p = tdaw::store::load_project(&dir).unwrap();
    assert_eq!(p.tempo.initial_bpm(), 96.0);
    assert_eq!(p.tracks.len(), 3);
}
