//! The General MIDI SoundFont player and SoundFont discovery. Tests that need a real .sf2 use
//! the system's (TimGM6mb from setup.sh) and are skipped with a note when none is installed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tdaw::engine::instrument::{
    build_instrument, find_soundfont, find_soundfont_in, load_soundfont, Instrument,
    InstrumentError, NoteEvent, SoundFontPlayer, SOUNDFONT_BLOCK, SYSTEM_SOUNDFONTS,
};
use tdaw::model::Instrument as Spec;

const SR: u32 = 48_000;

fn system_soundfont() -> Option<Arc<rustysynth::SoundFont>> {
    let system: Vec<&Path> = SYSTEM_SOUNDFONTS.iter().map(Path::new).collect();
    match find_soundfont_in(None, None, &system) {
        Some(p) => Some(load_soundfont(&p).unwrap()),
        None => {
            println!("note: no General MIDI SoundFont installed; SoundFont test skipped");
            None
        }
    }
}

fn on(frame: u32, channel: u8, pitch: u8, velocity: u8) -> NoteEvent {
    NoteEvent::On {
        frame,
        channel,
        pitch,
        velocity,
    }
}

/// Renders `blocks` blocks of `n` frames; `events` go to the first block. Returns max(|L|,|R|).
fn render(inst: &mut dyn Instrument, events: &[NoteEvent], n: usize, blocks: usize) -> Vec<f32> {
    let (mut l, mut r) = (vec![0.0; n], vec![0.0; n]);
    let mut out = Vec::new();
    for b in 0..blocks {
        inst.process(if b == 0 { events } else { &[] }, &mut l, &mut r);
        out.extend(l.iter().zip(&r).map(|(a, c)| a.abs().max(c.abs())));
    }
    out
}

fn first_sound(out: &[f32]) -> Option<usize> {
    out.iter().position(|&x| x != 0.0)
}

#[test]
fn note_timing_is_quantised_to_the_internal_block_and_never_early() {
    let Some(sf) = system_soundfont() else { return };
    let onset = |k: u32| {
        let mut p = SoundFontPlayer::new(&sf, SR, 0, false).unwrap();
        first_sound(&render(&mut p, &[on(k, 0, 60, 100)], 512, 1)).unwrap()
    };
    // The piano sample's own attack is the same for every start; only the block rounding moves.
    let base = onset(0);
    let b = SOUNDFONT_BLOCK;
    for k in [1u32, 5, 7, 8, 9, 100, 255, 300] {
        let quantised = (k as usize).div_ceil(b) * b;
        assert_eq!(onset(k), base + quantised, "note at frame {k}");
        assert!(quantised - (k as usize) < b);
    }
}

#[test]
fn timing_holds_when_the_note_arrives_in_a_later_block() {
    let Some(sf) = system_soundfont() else { return };
    let mut a = SoundFontPlayer::new(&sf, SR, 0, false).unwrap();
    let base = first_sound(&render(&mut a, &[on(0, 0, 60, 100)], 512, 1)).unwrap();
    let mut p = SoundFontPlayer::new(&sf, SR, 0, false).unwrap();
    // 100 frames of silence, then a block with the note at frame 21 (absolute 121): it sounds
    // from the internal block boundary at 128.
    let silent = render(&mut p, &[], 100, 1);
    assert!(silent.iter().all(|&x| x == 0.0));
    let out = render(&mut p, &[on(21, 0, 60, 100)], 512, 1);
    assert_eq!(first_sound(&out).unwrap() + 100, base + 128);
}

#[test]
fn note_off_releases_and_the_tail_ends() {
    let Some(sf) = system_soundfont() else { return };
    let mut p = SoundFontPlayer::new(&sf, SR, 0, false).unwrap();
    assert_eq!(p.active_voices(), 0);
    render(&mut p, &[on(0, 0, 60, 100), on(0, 0, 64, 100)], 256, 20);
    assert_eq!(p.active_voices(), 2);
    let off = [
        NoteEvent::Off {
            frame: 0,
            channel: 0,
            pitch: 60,
        },
        NoteEvent::Off {
            frame: 0,
            channel: 0,
            pitch: 64,
        },
    ];
    render(&mut p, &off, 256, 1);
    assert_eq!(p.active_voices(), 1, "the released tail still rings");
    // Piano release plus the reverb tail: gone within 6 s.
    let mut blocks = 0;
    while p.active_voices() > 0 && blocks < 1200 {
        render(&mut p, &[], 256, 1);
        blocks += 1;
    }
    assert_eq!(p.active_voices(), 0);
    assert!(blocks > 2, "the tail lasted only {blocks} blocks");
    let after = render(&mut p, &[], 256, 4);
    assert!(after.iter().all(|&x| x.abs() < 1e-4));
}

#[test]
fn program_and_drum_kit_are_selected() {
    let Some(sf) = system_soundfont() else { return };
    let play = |program: u8, drums: bool, pitch: u8| {
        let mut p = SoundFontPlayer::new(&sf, SR, program, drums).unwrap();
        render(&mut p, &[on(0, 0, pitch, 110)], 4800, 2)
    };
    let piano = play(0, false, 60);
    let organ = play(19, false, 60);
    let kick = play(0, true, 36);
    assert!(piano.iter().any(|&x| x > 1e-3));
    assert!(kick.iter().any(|&x| x > 1e-3));
    assert_ne!(piano, organ, "program change took effect");
    assert_ne!(piano, kick, "drum kit on channel 10");
    // A drum track plays percussion whatever the notes' channel; channel 10 of a melodic
    // track is moved off the percussion channel.
    assert_eq!(kick, {
        let mut p = SoundFontPlayer::new(&sf, SR, 0, true).unwrap();
        render(&mut p, &[on(0, 9, 36, 110)], 4800, 2)
    });
    let melodic_ch10 = {
        let mut p = SoundFontPlayer::new(&sf, SR, 0, false).unwrap();
        render(&mut p, &[on(0, 9, 60, 110)], 4800, 2)
    };
    assert_eq!(melodic_ch10, piano);
}

#[test]
fn reset_silences_and_keeps_the_program() {
    let Some(sf) = system_soundfont() else { return };
    let mut p = SoundFontPlayer::new(&sf, SR, 19, false).unwrap();
    let first = render(&mut p, &[on(0, 0, 60, 110)], 4800, 2);
    p.reset();
    assert_eq!(p.active_voices(), 0);
    assert!(render(&mut p, &[], 512, 1).iter().all(|&x| x == 0.0));
    p.reset();
    let again = render(&mut p, &[on(0, 0, 60, 110)], 4800, 2);
    assert_eq!(first, again, "same program, same sound after reset");
}

#[test]
fn build_instrument_uses_the_soundfont_when_given() {
    let Some(sf) = system_soundfont() else { return };
    let spec = Spec::GeneralMidi {
        program: 0,
        drums: false,
    };
    let mut with_sf = build_instrument(&spec, SR, Some(&sf));
    let mut direct = SoundFontPlayer::new(&sf, SR, 0, false).unwrap();
    let ev = [on(0, 0, 60, 100)];
    assert_eq!(
        render(with_sf.as_mut(), &ev, 1024, 2),
        render(&mut direct, &ev, 1024, 2)
    );
    // A sample rate rustysynth refuses falls back to the built-in synth, which still sounds.
    let mut fallback = build_instrument(&spec, 8_000, Some(&sf));
    assert!(render(fallback.as_mut(), &ev, 1024, 2)
        .iter()
        .any(|&x| x > 0.01));
    assert!(matches!(
        SoundFontPlayer::new(&sf, 8_000, 0, false),
        Err(InstrumentError::Synth(_))
    ));
}

#[test]
fn soundfont_output_is_finite_and_bounded_under_load() {
    let Some(sf) = system_soundfont() else { return };
    let mut p = SoundFontPlayer::new(&sf, SR, 48, false).unwrap();
    let chord: Vec<NoteEvent> = (36..100).map(|k| on(0, 0, k, 127)).collect();
    let out = render(&mut p, &chord, 1024, 20);
    assert!(out.iter().all(|x| x.is_finite() && *x < 4.0));
}

#[test]
fn load_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.sf2");
    let e = load_soundfont(&missing).unwrap_err();
    assert!(matches!(e, InstrumentError::Read { .. }));
    assert!(e.to_string().contains("nope.sf2"), "{e}");

    let junk = dir.path().join("junk.sf2");
    std::fs::write(&junk, b"this is not a soundfont at all, just text").unwrap();
    let e = load_soundfont(&junk).unwrap_err();
    assert!(matches!(e, InstrumentError::Parse { .. }), "{e:?}");
    assert!(e.to_string().contains("junk.sf2"), "{e}");

    let empty = dir.path().join("empty.sf2");
    std::fs::write(&empty, b"").unwrap();
    let e = load_soundfont(&empty).unwrap_err();
    assert!(e.to_string().contains("empty.sf2"), "{e}");
    assert!(!e.to_string().contains('\n'));

    if let Some(real) = SYSTEM_SOUNDFONTS
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
    {
        let bytes = std::fs::read(real).unwrap();
        let cut = dir.path().join("cut.sf2");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let e = load_soundfont(&cut).unwrap_err();
        assert!(matches!(e, InstrumentError::Parse { .. }), "{e:?}");
        assert!(e.to_string().contains("cut.sf2"), "{e}");
    }
}

#[test]
fn discovery_order() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sf2");
    let b = dir.path().join("b.sf2");
    std::fs::write(&b, b"x").unwrap();
    let system = [a.as_path(), b.as_path()];
    let env = std::ffi::OsStr::new("/somewhere/env.sf2");
    let cfg = Path::new("/somewhere/config.sf2");
    // The variable wins, then the config, then the first system file that exists.
    assert_eq!(
        find_soundfont_in(Some(env), Some(cfg), &system),
        Some(PathBuf::from("/somewhere/env.sf2"))
    );
    assert_eq!(
        find_soundfont_in(None, Some(cfg), &system),
        Some(cfg.to_path_buf())
    );
    assert_eq!(find_soundfont_in(None, None, &system), Some(b.clone()));
    std::fs::write(&a, b"x").unwrap();
    assert_eq!(find_soundfont_in(None, None, &system), Some(a.clone()));
    assert_eq!(find_soundfont_in(None, None, &[]), None);
    // "none" or empty turns the SoundFont off.
    for off in ["none", "NONE", ""] {
        assert_eq!(
            find_soundfont_in(Some(std::ffi::OsStr::new(off)), Some(cfg), &system),
            None
        );
        // ... and so does the config's (or an engine config's) path.
        assert_eq!(find_soundfont_in(None, Some(Path::new(off)), &system), None);
    }
}

/// The only test in this binary that touches the process environment.
#[test]
fn find_soundfont_honours_tdaw_soundfont() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine.sf2");
    std::env::set_var("TDAW_SOUNDFONT", &mine);
    assert_eq!(
        find_soundfont(Some(Path::new("/cfg/other.sf2"))),
        Some(mine.clone())
    );
    std::env::set_var("TDAW_SOUNDFONT", "none");
    assert_eq!(find_soundfont(Some(Path::new("/cfg/other.sf2"))), None);
    std::env::remove_var("TDAW_SOUNDFONT");
    assert_eq!(
        find_soundfont(Some(Path::new("/cfg/other.sf2"))),
        Some(PathBuf::from("/cfg/other.sf2"))
    );
}

/// Two overlapping notes of one key: the first one's end does not cut the second short (the
/// note-off reaches the synthesizer only when the last of them ends).
#[test]
fn overlapping_notes_of_one_key_end_with_the_last() {
    let Some(sf) = system_soundfont() else { return };
    let off = |frame| NoteEvent::Off {
        frame,
        channel: 0,
        pitch: 60,
    };
    // An organ (program 19) sustains at a steady level while held.
    let level = |events: &[NoteEvent]| {
        let mut p = SoundFontPlayer::new(&sf, SR, 19, false).unwrap();
        render(&mut p, events, 256, 4);
        // Second note held on its own from here; the first ended at frame 0 of this block.
        render(&mut p, &[off(0)], 256, 1);
        let held = render(&mut p, &[], 256, 40);
        (
            p.active_voices(),
            held[held.len() - 256..].iter().fold(0f32, |a, &b| a.max(b)),
        )
    };
    let (voices, sustained) = level(&[on(0, 0, 60, 100), on(128, 0, 60, 100)]);
    assert_eq!(voices, 1, "the second note is still held");
    assert!(
        sustained > 0.05,
        "the second note still sounds: {sustained}"
    );
    // A single note released the same way is silent by then (organ release is short).
    let (_, released) = level(&[on(0, 0, 60, 100)]);
    assert!(released < sustained / 10.0, "{released} vs {sustained}");
}
