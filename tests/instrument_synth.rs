//! The built-in synth and drum kit through the `Instrument` trait: exact note timing, release,
//! voice stealing, and every preset sounding within bounds.

use tdaw::engine::instrument::{
    build_instrument, synth_presets, DrumKit, Instrument, NoteEvent, PolySynth, PRESETS,
};
use tdaw::model::Instrument as Spec;

const SR: u32 = 48_000;

fn on(frame: u32, pitch: u8, velocity: u8) -> NoteEvent {
    NoteEvent::On {
        frame,
        channel: 0,
        pitch,
        velocity,
    }
}

fn off(frame: u32, pitch: u8) -> NoteEvent {
    NoteEvent::Off {
        frame,
        channel: 0,
        pitch,
    }
}

/// Renders `blocks` blocks of `n` frames; `events` apply to the first block only.
fn render(inst: &mut dyn Instrument, events: &[NoteEvent], n: usize, blocks: usize) -> Vec<f32> {
    let mut out = Vec::new();
    let (mut l, mut r) = (vec![0.0; n], vec![0.0; n]);
    for b in 0..blocks {
        inst.process(if b == 0 { events } else { &[] }, &mut l, &mut r);
        for (a, c) in l.iter().zip(&r) {
            out.push(a.abs().max(c.abs()));
        }
    }
    out
}

fn synth(name: &str) -> Box<dyn Instrument> {
    build_instrument(
        &Spec::Synth {
            preset: name.to_string(),
        },
        SR,
        None,
    )
}

#[test]
fn note_on_at_frame_k_sounds_first_at_frame_k_for_every_preset() {
    for name in synth_presets() {
        for k in [0u32, 1, 37, 127] {
            let mut inst = synth(name);
            let pitch = if *name == "drums" { 38 } else { 60 };
            let out = render(inst.as_mut(), &[on(k, pitch, 100)], 128, 1);
            let first = out.iter().position(|&x| x != 0.0);
            assert_eq!(first, Some(k as usize), "preset {name}, k {k}");
        }
    }
}

#[test]
fn note_timing_is_exact_across_blocks_and_events_are_applied_in_order() {
    let mut inst = synth("lead");
    let (mut l, mut r) = (vec![1.0; 64], vec![1.0; 64]);
    inst.process(&[], &mut l, &mut r);
    assert!(l.iter().chain(&r).all(|&x| x == 0.0), "process overwrites");
    inst.process(&[on(63, 64, 90)], &mut l, &mut r);
    assert!(l[..63].iter().all(|&x| x == 0.0));
    assert_ne!(l[63], 0.0);
}

#[test]
fn note_off_releases_and_the_voice_ends() {
    let mut inst = synth("bass");
    render(inst.as_mut(), &[on(0, 40, 120)], 256, 1);
    assert_eq!(inst.active_voices(), 1);
    // Held: still sounding a second later.
    let held = render(inst.as_mut(), &[], 256, 188);
    assert!(held[held.len() - 256..].iter().any(|&x| x > 1e-3));
    // Release (bass: 0.08 s to -60 dB): silent and free well within 0.5 s.
    let tail = render(inst.as_mut(), &[off(10, 40)], 256, 94);
    assert!(tail[..10].iter().any(|&x| x > 1e-3), "sounds until the off");
    assert_eq!(inst.active_voices(), 0);
    assert!(tail[tail.len() - 256..].iter().all(|&x| x == 0.0));
}

#[test]
fn note_off_for_other_channel_or_pitch_does_not_release() {
    let mut inst = synth("organ");
    render(inst.as_mut(), &[on(0, 60, 100)], 128, 1);
    let evs = [
        off(0, 61),
        NoteEvent::Off {
            frame: 0,
            channel: 3,
            pitch: 60,
        },
    ];
    render(inst.as_mut(), &evs, 128, 400);
    assert_eq!(inst.active_voices(), 1);
    render(
        inst.as_mut(),
        &[NoteEvent::AllNotesOff { frame: 0 }],
        128,
        400,
    );
    assert_eq!(inst.active_voices(), 0);
}

#[test]
fn velocity_zero_note_on_is_a_note_off() {
    let mut inst = synth("organ");
    render(inst.as_mut(), &[on(0, 60, 100), on(10, 60, 0)], 128, 200);
    assert_eq!(inst.active_voices(), 0);
}

#[test]
fn velocity_changes_level() {
    let peak = |v: u8| {
        let mut inst = synth("keys");
        render(inst.as_mut(), &[on(0, 60, v)], 4800, 1)
            .into_iter()
            .fold(0.0f32, f32::max)
    };
    assert!(peak(127) > 2.0 * peak(30), "{} {}", peak(127), peak(30));
}

#[test]
fn voice_stealing_caps_the_voices_and_the_newest_note_sounds() {
    let mut s = PolySynth::new(tdaw::engine::instrument::preset("pad").unwrap(), SR, 8);
    let events: Vec<NoteEvent> = (0..20).map(|i| on(i * 4, 40 + i as u8, 100)).collect();
    render(&mut s, &events, 128, 1);
    assert_eq!(s.active_voices(), 8);
    // The last eight notes survive: releasing them frees every voice.
    let offs: Vec<NoteEvent> = (12..20).map(|i| off(0, 40 + i as u8)).collect();
    render(&mut s, &offs, 128, 1);
    render(&mut s, &[], 4800, 30);
    assert_eq!(s.active_voices(), 0);
}

#[test]
fn stealing_prefers_released_voices() {
    let mut s = PolySynth::new(tdaw::engine::instrument::preset("pad").unwrap(), SR, 4);
    render(
        &mut s,
        &[
            on(0, 60, 100),
            on(0, 62, 100),
            on(0, 64, 100),
            on(0, 65, 100),
        ],
        64,
        1,
    );
    render(&mut s, &[off(0, 62)], 64, 1);
    render(&mut s, &[on(0, 70, 100)], 64, 1);
    // 60, 64, 65 are still held: releasing them and 70 leaves nothing held.
    render(
        &mut s,
        &[off(0, 60), off(0, 64), off(0, 65), off(0, 70)],
        64,
        1,
    );
    render(&mut s, &[], 4800, 40);
    assert_eq!(s.active_voices(), 0);
}

#[test]
fn overlapping_same_pitch_notes_release_in_order() {
    let mut inst = synth("organ");
    render(inst.as_mut(), &[on(0, 60, 100), on(5, 60, 100)], 128, 1);
    assert_eq!(inst.active_voices(), 2);
    render(inst.as_mut(), &[off(0, 60)], 128, 100);
    assert_eq!(inst.active_voices(), 1);
}

#[test]
fn every_preset_is_finite_audible_and_bounded() {
    for name in synth_presets() {
        let mut inst = synth(name);
        let chord: Vec<NoteEvent> = if *name == "drums" {
            [36, 38, 42, 49].iter().map(|&p| on(0, p, 127)).collect()
        } else {
            [48, 55, 60, 64].iter().map(|&p| on(0, p, 127)).collect()
        };
        let out = render(inst.as_mut(), &chord, 512, 94); // 1 s
        let peak = out.iter().fold(0.0f32, |m, &x| m.max(x));
        assert!(out.iter().all(|x| x.is_finite()), "{name}");
        assert!(peak > 0.05, "{name} too quiet: {peak}");
        assert!(peak < 2.0, "{name} too loud: {peak}");
    }
}

#[test]
fn extreme_notes_stay_finite_and_bounded() {
    for p in PRESETS {
        let mut s = PolySynth::new(p, 44_100, 16);
        let evs = [on(0, 0, 127), on(0, 127, 127), on(1, 127, 1)];
        let out = render(&mut s, &evs, 1024, 20);
        assert!(out.iter().all(|x| x.is_finite() && *x < 2.0), "{}", p.name);
    }
}

#[test]
fn silence_in_silence_out() {
    for name in synth_presets() {
        let mut inst = synth(name);
        let out = render(inst.as_mut(), &[], 512, 4);
        assert!(out.iter().all(|&x| x == 0.0), "{name}");
        assert_eq!(inst.active_voices(), 0);
    }
}

#[test]
fn reset_silences_at_once() {
    for name in ["pad", "drums"] {
        let mut inst = synth(name);
        render(inst.as_mut(), &[on(0, 49, 127), on(0, 60, 127)], 256, 2);
        assert!(inst.active_voices() > 0);
        inst.reset();
        assert_eq!(inst.active_voices(), 0);
        let out = render(inst.as_mut(), &[], 256, 1);
        assert!(out.iter().all(|&x| x == 0.0), "{name}");
    }
}

#[test]
fn rendering_is_deterministic() {
    let run = || {
        let mut inst = build_instrument(
            &Spec::GeneralMidi {
                program: 0,
                drums: true,
            },
            SR,
            None,
        );
        render(
            inst.as_mut(),
            &[on(0, 36, 100), on(7, 39, 90), on(9, 46, 80)],
            256,
            20,
        )
    };
    assert_eq!(run(), run());
}

#[test]
fn gm_without_soundfont_uses_the_closest_preset_and_the_drum_kit() {
    // A GM drum track without SoundFont is the drum kit: one-shots that ignore note-off.
    let mut kit = build_instrument(
        &Spec::GeneralMidi {
            program: 0,
            drums: true,
        },
        SR,
        None,
    );
    render(kit.as_mut(), &[on(0, 36, 100), off(1, 36)], 128, 1);
    assert_eq!(
        kit.active_voices(),
        1,
        "the kick rings on after its note-off"
    );
    // Unknown preset names still sound (keys).
    let mut odd = synth("kazoo");
    let out = render(odd.as_mut(), &[on(0, 60, 100)], 256, 4);
    assert!(out.iter().any(|&x| x > 0.01));
}

#[test]
fn drum_kit_sounds_every_gm_key_and_hats_choke() {
    for pitch in 27..=87u8 {
        let mut kit = DrumKit::new(SR, 8);
        let out = render(&mut kit, &[on(0, pitch, 110)], 1024, 4);
        assert_eq!(out.iter().position(|&x| x != 0.0), Some(0), "key {pitch}");
        assert!(out.iter().all(|x| x.is_finite() && *x < 2.0), "key {pitch}");
    }
    // An open hat rings for ~0.7 s; a closed hat 50 ms later cuts it short.
    let energy_after = |events: &[NoteEvent]| {
        let mut kit = DrumKit::new(SR, 8);
        let out = render(&mut kit, events, 2400, 10);
        out[9600..].iter().map(|x| x * x).sum::<f32>()
    };
    let open = energy_after(&[on(0, 46, 100)]);
    let choked = energy_after(&[on(0, 46, 100), on(2399, 42, 1)]);
    assert!(choked < open * 0.01, "{choked} vs {open}");
}

#[test]
fn drum_voices_are_capped() {
    let mut kit = DrumKit::new(SR, 6);
    let evs: Vec<NoteEvent> = (0..40).map(|i| on(i, 49, 100)).collect();
    render(&mut kit, &evs, 64, 1);
    assert_eq!(kit.active_voices(), 6);
}

#[test]
fn pitch_follows_the_key() {
    for (pitch, hz) in [(69u8, 440.0f32), (57, 220.0), (81, 880.0)] {
        let mut inst = synth("sine");
        let (mut l, mut r) = (vec![0.0; SR as usize], vec![0.0; SR as usize]);
        inst.process(&[on(0, pitch, 100)], &mut l, &mut r);
        // Skip the 3 ms attack; count upward zero crossings over the next 0.5 s.
        let s = &l[4_800..28_800];
        let ups = s.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
        assert!((ups as f32 - hz / 2.0).abs() <= 1.0, "key {pitch}: {ups}");
    }
}
