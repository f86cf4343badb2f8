//! SMF reading on hand-made bytes (running status, zero-velocity offs, damaged lengths) and
//! files written with midly; export round trips.

use super::*;
use crate::model::{Clip, ClipContent, ClipId, MidiClip, Track, TrackId};

/// Raw chunk helpers, to write exactly the bytes a test needs.
fn mthd(format: u16, ntrks: u16, division: u16) -> Vec<u8> {
    let mut v = b"MThd".to_vec();
    v.extend_from_slice(&6u32.to_be_bytes());
    v.extend_from_slice(&format.to_be_bytes());
    v.extend_from_slice(&ntrks.to_be_bytes());
    v.extend_from_slice(&division.to_be_bytes());
    v
}

fn mtrk(body: &[u8]) -> Vec<u8> {
    let mut v = b"MTrk".to_vec();
    v.extend_from_slice(&(body.len() as u32).to_be_bytes());
    v.extend_from_slice(body);
    v
}

const EOT: [u8; 4] = [0x00, 0xFF, 0x2F, 0x00];

/// Format 0, 480 ticks per quarter: running status and zero-velocity note-offs.
fn running_status_file() -> Vec<u8> {
    let mut body = vec![
        0x00, 0xFF, 0x03, 4, b'L', b'e', b'a', b'd', // track name
        0x00, 0xC0, 33, // program 33 on channel 1
        0x00, 0x90, 60, 100, // note on C4
        0x00, 62, 90, // running status: note on D4
        0x83, 0x60, 60, 0, // +480: C4 off by velocity 0
        0x00, 62, 0, // D4 off
        0x00, 0x99, 36, 127, // drums, channel 10
        0x81, 0x70, 0x89, 36, 0, // +240: note off message
    ];
    body.extend_from_slice(&EOT);
    let mut f = mthd(0, 1, 480);
    f.extend(mtrk(&body));
    f
}

#[test]
fn running_status_and_zero_velocity_offs() {
    let song = read_smf(&running_status_file(), "file").unwrap();
    assert_eq!(song.format, 0);
    assert_eq!(song.tracks.len(), 2);
    let lead = &song.tracks[0];
    assert_eq!(
        (lead.name.as_str(), lead.channel, lead.program),
        ("Lead (ch 1)", 0, 33)
    );
    assert_eq!(lead.notes.len(), 2);
    assert_eq!(
        lead.notes[0],
        Note {
            pitch: 60,
            start: 0.0,
            length: 1.0,
            velocity: 100,
            channel: 0
        }
    );
    assert_eq!((lead.notes[1].pitch, lead.notes[1].velocity), (62, 90));
    let drums = &song.tracks[1];
    assert_eq!((drums.name.as_str(), drums.channel), ("Lead (ch 10)", 9));
    assert_eq!(
        drums.instrument(),
        Instrument::GeneralMidi {
            program: 0,
            drums: true
        }
    );
    assert_eq!(drums.notes[0].start, 1.0);
    assert_eq!(drums.notes[0].length, 0.5);
}

#[test]
fn overlapping_same_pitch_notes_pair_first_in_first_out() {
    let mut body = vec![
        0x00, 0x90, 64, 100, // on @0
        0x81, 0x70, 0x90, 64, 90, // on @240 (same pitch, still sounding)
        0x81, 0x70, 0x80, 64, 0, // off @480 → ends the first
        0x83, 0x60, 0x80, 64, 0, // off @960 → ends the second
        0x00, 0x90, 67, 80, // on @960, never released: closed at the end of the track
        0x87, 0x40, 0xFF, 0x2F, 0x00, // EOT @1920
    ];
    let _ = &mut body;
    let mut f = mthd(0, 1, 480);
    f.extend(mtrk(&body));
    let song = read_smf(&f, "song").unwrap();
    let notes = &song.tracks[0].notes;
    assert_eq!(song.tracks[0].name, "song");
    assert_eq!(notes.len(), 3);
    assert_eq!(
        (notes[0].start, notes[0].length, notes[0].velocity),
        (0.0, 1.0, 100)
    );
    assert_eq!(
        (notes[1].start, notes[1].length, notes[1].velocity),
        (0.5, 1.5, 90)
    );
    assert_eq!(
        (notes[2].pitch, notes[2].start, notes[2].length),
        (67, 2.0, 2.0)
    );
}

/// A format-1 file written by midly: conductor track with the tempo map, time signature and
/// key; a piano track; a track that plays on two channels.
fn format1_file() -> Vec<u8> {
    let mut conductor = vec![
        ev(
            0,
            TrackEventKind::Meta(MetaMessage::TimeSignature(3, 2, 24, 8)),
        ),
        ev(0, TrackEventKind::Meta(MetaMessage::KeySignature(-3, true))),
        ev(
            0,
            TrackEventKind::Meta(MetaMessage::Tempo(u24::new(500_000))),
        ),
        ev(
            4 * 96,
            TrackEventKind::Meta(MetaMessage::Tempo(u24::new(1_000_000))),
        ),
        ev(
            2 * 96,
            TrackEventKind::Meta(MetaMessage::Tempo(u24::new(400_000))),
        ),
    ];
    conductor.push(ev(0, TrackEventKind::Meta(MetaMessage::EndOfTrack)));
    let mut piano = vec![
        ev(0, TrackEventKind::Meta(MetaMessage::TrackName(b"Piano"))),
        ev(0, prog(0, 1)),
    ];
    for i in 0..10u8 {
        piano.push(ev(if i == 0 { 0 } else { 48 }, on(0, 60 + i, 100)));
        piano.push(ev(48, off(0, 60 + i)));
    }
    piano.push(ev(0, TrackEventKind::Meta(MetaMessage::EndOfTrack)));
    let mut two = vec![ev(0, TrackEventKind::Meta(MetaMessage::TrackName(b"Band")))];
    two.push(ev(0, prog(2, 40)));
    two.push(ev(0, on(2, 70, 64)));
    two.push(ev(0, on(9, 38, 127)));
    two.push(ev(96, off(2, 70)));
    two.push(ev(0, off(9, 38)));
    two.push(ev(0, TrackEventKind::Meta(MetaMessage::EndOfTrack)));
    let smf = Smf {
        header: Header::new(Format::Parallel, Timing::Metrical(u15::new(96))),
        tracks: vec![conductor, piano, two],
    };
    let mut out = Vec::new();
    smf.write_std(&mut out).unwrap();
    out
}

fn ev(delta: u32, kind: TrackEventKind<'static>) -> TrackEvent<'static> {
    TrackEvent {
        delta: u28::new(delta),
        kind,
    }
}
fn on(ch: u8, key: u8, vel: u8) -> TrackEventKind<'static> {
    TrackEventKind::Midi {
        channel: u4::new(ch),
        message: MidiMessage::NoteOn {
            key: u7::new(key),
            vel: u7::new(vel),
        },
    }
}
fn off(ch: u8, key: u8) -> TrackEventKind<'static> {
    TrackEventKind::Midi {
        channel: u4::new(ch),
        message: MidiMessage::NoteOff {
            key: u7::new(key),
            vel: u7::new(0),
        },
    }
}
fn prog(ch: u8, p: u8) -> TrackEventKind<'static> {
    TrackEventKind::Midi {
        channel: u4::new(ch),
        message: MidiMessage::ProgramChange {
            program: u7::new(p),
        },
    }
}

#[test]
fn format1_tempo_map_metre_key_and_channels() {
    let song = read_smf(&format1_file(), "f").unwrap();
    assert_eq!(song.format, 1);
    assert_eq!(song.tempo_events, 3);
    let bpms: Vec<(f64, f64)> = song
        .tempo
        .changes()
        .iter()
        .map(|c| (c.beat, c.bpm))
        .collect();
    assert_eq!(bpms, vec![(0.0, 120.0), (4.0, 60.0), (6.0, 150.0)]);
    assert_eq!(
        song.time_signature,
        Some(TimeSignature {
            numerator: 3,
            denominator: 4
        })
    );
    assert_eq!(song.key.map(|k| k.to_string()), Some("Cm".into()));
    let names: Vec<_> = song.tracks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Piano", "Band (ch 3)", "Band (ch 10)"]);
    assert_eq!(song.tracks[0].notes.len(), 10);
    assert_eq!(song.tracks[0].program, 1);
    assert_eq!(song.tracks[0].notes[9].start, 9.0);
    assert_eq!(song.tracks[1].program, 40);
    assert!(
        song.tracks[2].instrument()
            == Instrument::GeneralMidi {
                program: 0,
                drums: true
            }
    );
    assert_eq!(song.note_count(), 12);
}

#[test]
fn smpte_timecode_is_converted_to_beats_at_120() {
    // -25 fps, 40 ticks per frame = 1000 ticks per second.
    let division = (((-25i8) as u8 as u16) << 8) | 40;
    let mut body = vec![0x00, 0x90, 60, 100, 0x87, 0x68, 0x80, 60, 0]; // off after 1000 ticks
    body.extend_from_slice(&EOT);
    let mut f = mthd(0, 1, division);
    f.extend(mtrk(&body));
    let song = read_smf(&f, "tc").unwrap();
    assert!(song.smpte);
    assert_eq!(song.tempo.initial_bpm(), SMPTE_BPM);
    // One second at 120 BPM is two beats.
    assert!((song.tracks[0].notes[0].length - 2.0).abs() < 1e-9);
}

#[test]
fn damaged_files_are_errors_that_say_what_is_wrong() {
    let good = running_status_file();
    assert_eq!(read_smf(&[], "x"), Err(SmfError::Empty));
    assert_eq!(read_smf(b"RIFF1234WAVE", "x"), Err(SmfError::NotMidi));
    assert!(matches!(
        read_smf(&good[..10], "x"),
        Err(SmfError::BadHeader(_))
    ));

    // Track length too long: runs past the end of the file.
    let mut long = good.clone();
    let len = u32::from_be_bytes(long[18..22].try_into().unwrap());
    long[18..22].copy_from_slice(&(len + 50).to_be_bytes());
    let e = read_smf(&long, "x").unwrap_err();
    assert!(matches!(e, SmfError::ChunkPastEnd { chunk: 1, .. }), "{e}");
    assert!(e.to_string().contains("wrong track length"));

    // Too short: the track ends inside its events.
    let mut short = good.clone();
    short[18..22].copy_from_slice(&(len - 6).to_be_bytes());
    let e = read_smf(&short, "x").unwrap_err();
    assert!(e.to_string().contains("wrong track length"), "{e}");

    // Too short by exactly the End of Track: the remainder looks like a bogus chunk.
    let mut no_eot = good.clone();
    no_eot[18..22].copy_from_slice(&(len - 4).to_be_bytes());
    assert!(read_smf(&no_eot, "x").is_err());

    // Header announces more tracks than there are.
    let mut count = good.clone();
    count[10..12].copy_from_slice(&2u16.to_be_bytes());
    assert_eq!(
        read_smf(&count, "x"),
        Err(SmfError::TrackCount {
            announced: 2,
            found: 1
        })
    );

    // Random bytes after a valid header.
    let mut noise = mthd(1, 1, 96);
    noise.extend(mtrk(&[0x00, 0xF7, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]));
    assert!(read_smf(&noise, "x").is_err());
}

fn project_with_tracks() -> Project {
    let mut p = Project::new("Song", 48_000, 100.0);
    p.tempo = TempoMap::from_changes(vec![
        TempoChange {
            beat: 0.0,
            bpm: 100.0,
        },
        TempoChange {
            beat: 8.0,
            bpm: 140.0,
        },
    ]);
    p.time_signature = TimeSignature {
        numerator: 6,
        denominator: 8,
    };
    p.key = Some("Eb".parse().unwrap());
    let notes = |ch: u8, n: usize, base: u8| -> Vec<Note> {
        (0..n)
            .map(|i| Note {
                pitch: base + (i % 12) as u8,
                start: i as f64 * 0.25,
                length: 0.25,
                velocity: 20 + (i % 100) as u8,
                channel: ch,
            })
            .collect()
    };
    for (id, name, instrument, ch, n) in [
        (
            1,
            "Keys",
            Instrument::GeneralMidi {
                program: 4,
                drums: false,
            },
            0u8,
            64usize,
        ),
        (
            2,
            "Kit",
            Instrument::GeneralMidi {
                program: 0,
                drums: true,
            },
            9,
            40,
        ),
        (
            3,
            "Bass",
            Instrument::Synth {
                preset: "bass".into(),
            },
            0,
            16,
        ),
    ] {
        let mut t = Track::new(TrackId(id), name, TrackKind::Midi);
        t.instrument = Some(instrument);
        t.clips.push(Clip {
            id: ClipId(id),
            name: String::new(),
            start: 4.0 * (id - 1) as f64,
            lane: 0,
            take: None,
            content: ClipContent::Midi(MidiClip {
                offset: 0.0,
                controllers: Vec::new(),
                length: 16.0,
                notes: notes(ch, n, 36 + id as u8 * 5),
            }),
        });
        p.tracks.push(t);
    }
    // An audio track is not exported.
    p.tracks
        .push(Track::new(TrackId(9), "Vox", TrackKind::Audio));
    p
}

#[test]
fn export_round_trips_notes_tempo_metre_key_and_programs() {
    let p = project_with_tracks();
    let bytes = export_smf(&p);
    let song = read_smf(&bytes, "x").unwrap();
    assert_eq!(song.format, 1);
    assert_eq!(song.tempo, p.tempo);
    assert_eq!(song.time_signature, Some(p.time_signature));
    assert_eq!(song.key, p.key);
    assert_eq!(song.tracks.len(), 3);
    let channels: Vec<u8> = song.tracks.iter().map(|t| t.channel).collect();
    assert_eq!(
        channels,
        [0, 9, 1],
        "drums on 10, the second melodic track moved off 1"
    );
    assert_eq!(song.tracks[0].program, 4);
    assert_eq!(song.tracks[0].name, "Keys");
    for (orig, back) in p.tracks.iter().zip(&song.tracks) {
        let clip = &orig.clips[0];
        let ClipContent::Midi(m) = &clip.content else {
            unreachable!()
        };
        assert_eq!(back.notes.len(), m.notes.len(), "{}", orig.name);
        for (a, b) in m.notes.iter().zip(&back.notes) {
            assert_eq!(a.pitch, b.pitch);
            assert_eq!(a.velocity, b.velocity);
            assert!((a.start + clip.start - b.start).abs() < 1e-9);
            assert!((a.length - b.length).abs() < 1e-9);
        }
    }
}

#[test]
fn key_signatures_round_trip() {
    for name in [
        "C", "G", "D", "A", "E", "B", "F#", "Gb", "Db", "Ab", "Eb", "Bb", "F", "Am", "Em", "Bm",
        "F#m", "C#m", "G#m", "Ebm", "Bbm", "Fm", "Cm", "Gm", "Dm",
    ] {
        let k: Key = name.parse().unwrap();
        let back = key_from_sf(sf_from_key(&k), k.minor);
        assert_eq!((back.tonic, back.minor), (k.tonic, k.minor), "{name}");
    }
    assert_eq!(sf_from_key(&"Eb".parse().unwrap()), -3);
    assert_eq!(sf_from_key(&"E".parse().unwrap()), 4);
    assert_eq!(sf_from_key(&"Dm".parse().unwrap()), -1);
}

#[test]
fn empty_project_exports_a_valid_file() {
    let p = Project::new("Empty", 48_000, 120.0);
    let song = read_smf(&export_smf(&p), "x").unwrap();
    assert!(song.tracks.is_empty());
    assert_eq!(song.tempo.initial_bpm(), 120.0);
}
