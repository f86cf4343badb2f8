//! Throughput of the analysis building blocks: the live loudness meter and the peak meter
//! on engine-sized blocks (real-time budget: 1 s of stereo 48 kHz audio must take a small
//! fraction of a second), and tempo detection on a 10 s excerpt.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tdaw::analysis::{detect_tempo, LiveMeter, PeakMeter, PeakRmsMeter};

fn one_second_stereo() -> Vec<f32> {
    (0..48_000)
        .flat_map(|n| {
            let t = n as f32 / 48_000.0;
            let l = (std::f32::consts::TAU * 440.0 * t).sin() * 0.3;
            [l, l * 0.7]
        })
        .collect()
}

fn meters(c: &mut Criterion) {
    let x = one_second_stereo();
    c.bench_function("live_meter_1s_stereo_512_frame_blocks", |b| {
        let mut m = LiveMeter::new(48_000, 2);
        b.iter(|| {
            for block in x.chunks(1024) {
                m.push(black_box(block));
            }
            black_box(m.momentary())
        })
    });
    c.bench_function("peak_rms_meter_1s_stereo_512_frame_blocks", |b| {
        let mut m = PeakRmsMeter::new(48_000, 2);
        b.iter(|| {
            for block in x.chunks(1024) {
                m.push(black_box(block));
            }
            black_box(m.peak(0))
        })
    });
    c.bench_function("true_peak_1s_stereo_no_skipping", |b| {
        b.iter(|| {
            // A fresh meter each time: every block must be interpolated.
            let mut m = PeakMeter::new(2);
            m.push(black_box(&x));
            black_box(m.true_peak())
        })
    });
    let beat: Vec<f32> = (0..48_000 * 10)
        .map(|n| {
            let t = (n % 24_000) as f32 / 48_000.0;
            (std::f32::consts::TAU * 60.0 * t).sin() * (-t * 20.0).exp()
        })
        .collect();
    c.bench_function("detect_tempo_10s_mono_48k", |b| {
        b.iter(|| black_box(detect_tempo(black_box(&beat), 48_000, 1)))
    });
}

criterion_group!(benches, meters);
criterion_main!(benches);
