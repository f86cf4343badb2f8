//! Property tests for the DSP blocks and the instruments: finite, bounded, silence in →
//! silence out, smoothing lands on its target, envelopes stay in 0..=1, and the synth survives
//! any event sequence (unsorted, out-of-block frames, any key, velocity or channel).

use proptest::prelude::*;
use tdaw::dsp::{
    Adsr, AdsrParams, AdsrStage, Biquad, BiquadKind, OnePole, Oscillator, Smoothed, Svf, Waveform,
};
use tdaw::engine::instrument::{DrumKit, Instrument, NoteEvent, PolySynth, PRESETS};

fn kind() -> impl Strategy<Value = BiquadKind> {
    prop_oneof![
        Just(BiquadKind::Lowpass),
        Just(BiquadKind::Highpass),
        Just(BiquadKind::Bandpass),
        Just(BiquadKind::Notch),
        Just(BiquadKind::Peak),
        Just(BiquadKind::LowShelf),
        Just(BiquadKind::HighShelf),
        Just(BiquadKind::Allpass),
    ]
}

fn event() -> impl Strategy<Value = NoteEvent> {
    prop_oneof![
        4 => (0u32..300, 0u8..16, any::<u8>(), any::<u8>()).prop_map(|(frame, channel, pitch, velocity)| {
            NoteEvent::On { frame, channel, pitch, velocity }
        }),
        3 => (0u32..300, 0u8..16, any::<u8>()).prop_map(|(frame, channel, pitch)| {
            NoteEvent::Off { frame, channel, pitch }
        }),
        1 => (0u32..300).prop_map(|frame| NoteEvent::AllNotesOff { frame }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn biquad_is_finite_bounded_and_silent_on_silence(
        k in kind(),
        freq in 1.0f32..40_000.0,
        q in 0.1f32..20.0,
        gain in -24.0f32..24.0,
        input in prop::collection::vec(-1.0f32..1.0, 1..600),
    ) {
        let mut f = Biquad::new(k, 48_000, freq, q, gain);
        for _ in 0..32 {
            prop_assert_eq!(f.process(0.0), 0.0);
        }
        for &x in &input {
            let y = f.process(x);
            prop_assert!(y.is_finite() && y.abs() < 200.0, "{:?} {} {} -> {}", k, freq, q, y);
        }
    }

    #[test]
    fn smoothing_moves_monotonically_and_lands_on_target(
        start in -10.0f32..10.0,
        target in -10.0f32..10.0,
        time in 0.0f32..0.05,
    ) {
        let mut s = Smoothed::new(start, 48_000, time);
        s.set_target(target);
        let n = (time * 48_000.0).round().max(1.0) as usize;
        let (lo, hi) = (start.min(target), start.max(target));
        for _ in 0..n {
            let v = s.next();
            prop_assert!(v >= lo - 1e-4 && v <= hi + 1e-4);
        }
        prop_assert_eq!(s.value(), target);
        prop_assert_eq!(s.next(), target);
    }

    #[test]
    fn adsr_stays_in_unit_range_and_ends_after_release(
        a in 0.0f32..0.5, d in 0.0f32..0.5, s in 0.0f32..1.0, r in 0.0f32..0.5,
        hold in 0usize..2000,
    ) {
        let sr = 4_000;
        let mut e = Adsr::new(AdsrParams { attack: a, decay: d, sustain: s, release: r }, sr);
        e.gate_on();
        for _ in 0..hold {
            let v = e.next();
            prop_assert!((0.0..=1.0).contains(&v));
        }
        e.gate_off();
        // -100 dB takes 5/3 of the 60 dB release time.
        let limit = (r * sr as f32 * 5.0 / 3.0) as usize + 2;
        for _ in 0..limit {
            let v = e.next();
            prop_assert!((0.0..=1.0).contains(&v));
        }
        prop_assert_eq!(e.stage(), AdsrStage::Idle);
        prop_assert_eq!(e.next(), 0.0);
    }

    #[test]
    fn svf_and_one_pole_are_finite_under_sweeps(
        cutoffs in prop::collection::vec(0.0f32..30_000.0, 1..40),
        q in 0.3f32..12.0,
        input in prop::collection::vec(-1.0f32..1.0, 64),
    ) {
        let mut f = Svf::new(1000.0, q, 44_100);
        let mut p = OnePole::new(1000.0, 44_100);
        for &c in &cutoffs {
            f.set(c, q, 44_100);
            p.set_cutoff(c, 44_100);
            for &x in &input {
                let (lp, bp, hp) = f.process(x);
                prop_assert!(lp.is_finite() && bp.is_finite() && hp.is_finite());
                prop_assert!(lp.abs() < 100.0);
                let y = p.lowpass(x);
                prop_assert!(y.abs() <= 1.0 + 1e-6);
            }
        }
    }

    #[test]
    fn oscillators_are_bounded_at_any_pitch(hz in 0.0f32..100_000.0, phase in 0.0f32..1.0) {
        for w in [Waveform::Sine, Waveform::Saw, Waveform::Square, Waveform::Triangle] {
            let mut o = Oscillator::new(w, phase);
            o.set_freq(hz, 48_000);
            for _ in 0..256 {
                let y = o.next();
                prop_assert!(y.is_finite() && y.abs() <= 1.3, "{:?} {} {}", w, hz, y);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn synth_survives_any_event_sequence(
        preset in 0usize..PRESETS.len(),
        events in prop::collection::vec(event(), 0..60),
        len in 1usize..300,
        voices in 1usize..12,
    ) {
        let mut s = PolySynth::new(&PRESETS[preset], 48_000, voices);
        let (mut l, mut r) = (vec![0.0; len], vec![0.0; len]);
        for block in 0..4 {
            s.process(if block == 0 { &events } else { &[] }, &mut l, &mut r);
            prop_assert!(s.active_voices() <= voices);
            for (a, b) in l.iter().zip(&r) {
                prop_assert!(a.is_finite() && b.is_finite());
                prop_assert!(a.abs() < 0.5 * voices as f32 + 1.0);
            }
        }
        // With no events it stays silent once every voice is done.
        s.reset();
        s.process(&[], &mut l, &mut r);
        prop_assert!(l.iter().chain(&r).all(|&x| x == 0.0));
    }

    #[test]
    fn drum_kit_survives_any_event_sequence(
        events in prop::collection::vec(event(), 0..60),
        len in 1usize..300,
    ) {
        let mut k = DrumKit::new(44_100, 16);
        let (mut l, mut r) = (vec![0.0; len], vec![0.0; len]);
        for block in 0..4 {
            k.process(if block == 0 { &events } else { &[] }, &mut l, &mut r);
            prop_assert!(k.active_voices() <= 16);
            for (a, b) in l.iter().zip(&r) {
                prop_assert!(a.is_finite() && b.is_finite() && a.abs() < 16.0 && b.abs() < 16.0);
            }
        }
    }
}
