//! Proof that instruments never allocate on the audio thread: note-on storms (hundreds of notes
//! in one block), controller storms, voice stealing, all-notes-off, reset and rendering run inside
//! `assert_no_alloc`, which aborts the test process on any allocation (debug builds).
#![cfg(debug_assertions)]

use assert_no_alloc::{assert_no_alloc, AllocDisabler};
use std::path::Path;
use tdaw::engine::instrument::{
    build_instrument, find_soundfont_in, load_soundfont, synth_presets, Instrument, NoteEvent,
    SYSTEM_SOUNDFONTS,
};
use tdaw::model::Instrument as Spec;

#[global_allocator]
static A: AllocDisabler = AllocDisabler;

const N: usize = 256;

/// 400 note-ons in one block (every frame, several per frame), then offs, then a second storm
/// while the first is still releasing: far past the polyphony limit, so voices are stolen.
fn storm() -> (Vec<NoteEvent>, Vec<NoteEvent>) {
    let ons = (0..400u32)
        .map(|i| NoteEvent::On {
            frame: (i * N as u32 / 400).min(N as u32 - 1),
            channel: (i % 16) as u8,
            pitch: (24 + i * 7 % 80) as u8,
            velocity: (1 + i % 127) as u8,
        })
        .collect();
    let offs = (0..400u32)
        .map(|i| NoteEvent::Off {
            frame: (i * N as u32 / 400).min(N as u32 - 1),
            channel: (i % 16) as u8,
            pitch: (24 + i * 7 % 80) as u8,
        })
        .collect();
    (ons, offs)
}

/// 16 channels × (CC7, CC10, CC11, CC64 down/up, RPN 0 range, pitch bend) spread over a block.
fn controller_storm() -> Vec<NoteEvent> {
    let mut evs = Vec::new();
    for i in 0..N as u32 {
        let channel = (i % 16) as u8;
        let frame = i;
        for (controller, value) in [
            (7u8, (i * 5 % 128) as u8),
            (10, (i * 3 % 128) as u8),
            (11, (127 - i % 128) as u8),
            (64, if i % 32 < 16 { 127 } else { 0 }),
            (101, 0),
            (100, 0),
            (6, (i % 24) as u8),
            (38, 0),
        ] {
            evs.push(NoteEvent::Control {
                frame,
                channel,
                controller,
                value,
            });
        }
        evs.push(NoteEvent::PitchBend {
            frame,
            channel,
            value: (i as i16 * 64) - 8192,
        });
    }
    evs
}

fn drive(inst: &mut dyn Instrument) -> usize {
    let (ons, offs) = storm();
    let (mut l, mut r) = (vec![0.0f32; 8192], vec![0.0f32; 8192]);
    let all_off = [NoteEvent::AllNotesOff { frame: 3 }];
    let controls = controller_storm();
    let peak_voices = assert_no_alloc(|| {
        let mut peak = 0;
        inst.process(&ons, &mut l[..N], &mut r[..N]);
        peak = peak.max(inst.active_voices());
        inst.process(&[], &mut l[..N], &mut r[..N]);
        inst.process(&offs, &mut l[..N], &mut r[..N]);
        inst.process(&ons, &mut l[..N], &mut r[..N]);
        peak = peak.max(inst.active_voices());
        // The largest block the trait allows, and odd small ones.
        inst.process(&ons[..50], &mut l, &mut r);
        inst.process(&[], &mut l[..1], &mut r[..1]);
        // Controllers while notes sound (sustain holds, bends retune), and applied alone in
        // a block of 0 frames, as the graph's chase does.
        inst.process(&ons, &mut l[..N], &mut r[..N]);
        inst.process(&controls, &mut l[..N], &mut r[..N]);
        inst.process(&offs, &mut l[..N], &mut r[..N]);
        inst.process(&controls, &mut [], &mut []);
        inst.process(&all_off, &mut l[..N], &mut r[..N]);
        inst.process(&[], &mut l[..N], &mut r[..N]);
        inst.reset();
        inst.process(&ons, &mut l[..N], &mut r[..N]);
        inst.process(&[], &mut l[..N], &mut r[..N]);
        peak
    });
    assert!(l.iter().chain(&r).all(|x| x.is_finite()));
    peak_voices
}

#[test]
fn synth_presets_never_allocate() {
    for name in synth_presets() {
        let mut inst = build_instrument(
            &Spec::Synth {
                preset: name.to_string(),
            },
            48_000,
            None,
        );
        let peak = drive(inst.as_mut());
        assert!(peak > 0 && peak <= 32, "{name}: {peak} voices");
    }
}

#[test]
fn gm_fallback_and_drum_kit_never_allocate() {
    for (program, drums) in [(0u8, true), (33, false), (89, false)] {
        let mut inst = build_instrument(&Spec::GeneralMidi { program, drums }, 44_100, None);
        assert!(drive(inst.as_mut()) > 0);
    }
}

#[test]
fn soundfont_player_never_allocates() {
    let system: Vec<&Path> = SYSTEM_SOUNDFONTS.iter().map(Path::new).collect();
    let Some(path) = find_soundfont_in(None, None, &system) else {
        println!("note: no General MIDI SoundFont installed; SoundFont no-alloc test skipped");
        return;
    };
    let sf = load_soundfont(&path).unwrap();
    for (program, drums) in [(0u8, false), (48, false), (0, true)] {
        let mut inst = build_instrument(&Spec::GeneralMidi { program, drums }, 48_000, Some(&sf));
        assert!(drive(inst.as_mut()) > 0);
    }
}
