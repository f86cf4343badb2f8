//! DSP load of the instruments: 32 held voices rendered in 128-frame blocks at 48 kHz, for the
//! SoundFont player (at internal block sizes 8, 16, 32 and rustysynth's default 64: the
//! note-timing quantum against its cost), the built-in synth and the drum kit. Besides criterion's time per block, each
//! case prints its DSP load = time per block ÷ block duration (2.67 ms), median of 5 runs.
//!
//! Run: `cargo bench --bench instrument_voices`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;
use tdaw::engine::instrument::{
    find_soundfont_in, load_soundfont, preset, DrumKit, Instrument, NoteEvent, PolySynth,
    SoundFontPlayer, SYSTEM_SOUNDFONTS,
};

const SR: u32 = 48_000;
const BLOCK: usize = 128;
const VOICES: u8 = 32;

/// 32 held notes (a sustained sound, so every voice stays busy), let settle for 0.1 s.
fn start_voices(inst: &mut dyn Instrument, first_key: u8, step: u8) {
    let ons: Vec<NoteEvent> = (0..VOICES)
        .map(|i| NoteEvent::On {
            frame: 0,
            channel: 0,
            pitch: first_key + i * step,
            velocity: 100,
        })
        .collect();
    let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
    inst.process(&ons, &mut l, &mut r);
    for _ in 0..40 {
        inst.process(&[], &mut l, &mut r);
    }
}

/// Events for the `n`th block: `restrike` again every `every` blocks (one-shot drums decay;
/// held synth and SoundFont notes need nothing).
fn events_for(n: u64, restrike: &[NoteEvent], every: u64) -> &[NoteEvent] {
    if every > 0 && n % every == 0 {
        restrike
    } else {
        &[]
    }
}

/// Median over 5 runs of the time per block, as a fraction of the block's duration.
fn dsp_load(inst: &mut dyn Instrument, restrike: &[NoteEvent], every: u64) -> f64 {
    let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
    let blocks = 1500;
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            for n in 0..blocks {
                inst.process(events_for(n, restrike, every), &mut l, &mut r);
                black_box(&l);
            }
            t.elapsed().as_secs_f64() / blocks as f64
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[2] / (BLOCK as f64 / SR as f64)
}

fn case(c: &mut Criterion, name: &str, inst: &mut dyn Instrument) {
    case_restriking(c, name, inst, &[], 0);
}

fn case_restriking(
    c: &mut Criterion,
    name: &str,
    inst: &mut dyn Instrument,
    restrike: &[NoteEvent],
    every: u64,
) {
    let load = dsp_load(inst, restrike, every);
    println!(
        "{name}: {} voices sounding, 128 frames @ 48 kHz: DSP load {:.2}% of one core",
        inst.active_voices(),
        load * 100.0
    );
    let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
    let mut n = 1;
    c.bench_function(name, |b| {
        b.iter(|| {
            inst.process(events_for(n, restrike, every), &mut l, &mut r);
            n += 1;
            black_box(&l);
        })
    });
}

fn instruments(c: &mut Criterion) {
    let mut synth = PolySynth::new(preset("pad").expect("pad preset"), SR, 32);
    start_voices(&mut synth, 40, 1);
    case(c, "synth_pad_32_voices", &mut synth);

    let mut lead = PolySynth::new(preset("bass").expect("bass preset"), SR, 32);
    start_voices(&mut lead, 30, 1);
    case(c, "synth_bass_32_voices", &mut lead);

    // Drums are one-shots: 32 hits (8 each of kick, snare, open hat, crash) struck again every
    // 64 blocks (0.17 s), so all 32 voices ring throughout (the new hits steal).
    let mut kit = DrumKit::new(SR, 32);
    let hits: Vec<NoteEvent> = (0..VOICES)
        .map(|i| NoteEvent::On {
            frame: (i as u32) * 4,
            channel: 9,
            pitch: [36, 38, 46, 49][(i % 4) as usize],
            velocity: 100,
        })
        .collect();
    case_restriking(c, "drums_32_voices", &mut kit, &hits, 64);

    let system: Vec<&Path> = SYSTEM_SOUNDFONTS.iter().map(Path::new).collect();
    let Some(path) = find_soundfont_in(None, None, &system) else {
        println!("note: no General MIDI SoundFont installed; SoundFont cases skipped");
        return;
    };
    let sf = load_soundfont(&path).expect("system SoundFont loads");
    for block in [8usize, 16, 32, 64] {
        // String Ensemble 1: a looped, sustained sample.
        let mut p = SoundFontPlayer::with_block_size(&sf, SR, 48, false, block)
            .expect("48 kHz is a valid rate");
        start_voices(&mut p, 40, 1);
        case(
            c,
            &format!("soundfont_strings_32_voices_block{block}"),
            &mut p,
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = instruments
}
criterion_main!(benches);
