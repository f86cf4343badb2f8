//! Cost of the EQ (three bands on), compressor and gate as the engine runs them (`FxNode`s
//! built from registry values), in 256-frame stereo blocks at 48 kHz: criterion's time per
//! block, and printed per case the median over 5 runs of ns per stereo sample while music
//! plays (steady) and during the 2 s after it stops (tail), with their ratio — a denormal stall
//! in a decaying state would show as a tail far dearer than the steady state (the bar: 1.5x).
//!
//! Run: `cargo bench --bench fx_dynamics`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;
use std::time::Instant;
use tdaw::engine::fx::{build, FxNode};
use tdaw::model::fx::kind;

const SR: u32 = 48_000;
const BLOCK: usize = 256;
/// Blocks of music before a tail, and of silence timed after it (2 s).
const PRIME_BLOCKS: usize = 94;
const TAIL_BLOCKS: usize = 375;

/// Makes one effect node, freshly built.
type Make = fn() -> Box<dyn FxNode>;

fn node(k: &str, params: &[(&str, f64)]) -> Box<dyn FxNode> {
    let spec = kind(k).expect("registered kind");
    let mut v: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
    for (name, x) in params {
        v[spec.param(name).expect("registered parameter").0] = *x;
    }
    build(k, SR, &v).expect("built")
}

fn eq() -> Box<dyn FxNode> {
    node(
        "eq",
        &[
            ("b1_type", 2.0), // lowshelf
            ("b1_freq", 100.0),
            ("b1_gain_db", 3.0),
            ("b4_type", 1.0), // peak
            ("b4_freq", 1000.0),
            ("b4_gain_db", -4.0),
            ("b4_q", 1.2),
            ("b7_type", 3.0), // highshelf
            ("b7_freq", 8000.0),
            ("b7_gain_db", 2.0),
        ],
    )
}

fn compressor() -> Box<dyn FxNode> {
    node("compressor", &[("threshold_db", -24.0), ("detector", 1.0)])
}

fn gate() -> Box<dyn FxNode> {
    node("gate", &[("threshold_db", -30.0), ("hold_ms", 5.0)])
}

/// Music-like input: two sines and noise, about -8 dBFS, 1 s looped.
fn music() -> (Vec<f32>, Vec<f32>) {
    let mut seed = 0x1234_5678u32;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as f32 / u32::MAX as f32 * 2.0 - 1.0
    };
    let n = SR as usize;
    let l: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f32 / SR as f32;
            0.25 * (2.0 * std::f32::consts::PI * 110.0 * t).sin()
                + 0.1 * (2.0 * std::f32::consts::PI * 1870.0 * t).sin()
                + 0.05 * noise()
        })
        .collect();
    let r = l.iter().map(|x| x * 0.9 + 0.02 * noise()).collect();
    (l, r)
}

/// Processes `blocks` blocks of `src` (looped); returns ns per stereo sample.
fn timed(fx: &mut dyn FxNode, src: &(Vec<f32>, Vec<f32>), blocks: usize, at: &mut usize) -> f64 {
    let (mut l, mut r) = (vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]);
    let t = Instant::now();
    for _ in 0..blocks {
        if *at + BLOCK > src.0.len() {
            *at = 0;
        }
        l.copy_from_slice(&src.0[*at..*at + BLOCK]);
        r.copy_from_slice(&src.1[*at..*at + BLOCK]);
        fx.process(&mut l, &mut r, None);
        black_box(&l);
        *at += BLOCK;
    }
    t.elapsed().as_nanos() as f64 / (blocks * BLOCK) as f64
}

/// Median over 5 runs of (steady, tail) ns per stereo sample.
fn steady_and_tail(make: Make, music: &(Vec<f32>, Vec<f32>)) -> (f64, f64) {
    let silence = (vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]);
    let mut steady = Vec::new();
    let mut tail = Vec::new();
    for _ in 0..5 {
        let mut fx = make();
        let mut at = 0;
        timed(fx.as_mut(), music, PRIME_BLOCKS, &mut at);
        steady.push(timed(fx.as_mut(), music, TAIL_BLOCKS, &mut at));
        let mut z = 0;
        tail.push(timed(fx.as_mut(), &silence, TAIL_BLOCKS, &mut z));
    }
    steady.sort_by(f64::total_cmp);
    tail.sort_by(f64::total_cmp);
    (steady[2], tail[2])
}

fn effects(c: &mut Criterion) {
    let src = music();
    let cases: [(&str, Make); 3] = [
        ("eq_3_bands", eq),
        ("compressor_rms", compressor),
        ("gate", gate),
    ];
    for (name, make) in cases {
        let (steady, tail) = steady_and_tail(make, &src);
        println!(
            "{name}: {steady:.1} ns per stereo sample steady, {tail:.1} in the 2 s tail \
             ({:.2}x)",
            tail / steady
        );
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Elements(BLOCK as u64));
        let mut fx = make();
        let mut at = 0;
        g.bench_function("steady_256", |b| {
            b.iter(|| timed(fx.as_mut(), &src, 1, &mut at))
        });
        // Each timed block is one of the 2 s after the music stops, from a freshly primed node.
        let silence = (vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]);
        g.throughput(Throughput::Elements((BLOCK * TAIL_BLOCKS) as u64));
        g.bench_function("tail_2s", |b| {
            b.iter_batched_ref(
                || {
                    let mut fx = make();
                    let mut at = 0;
                    timed(fx.as_mut(), &src, PRIME_BLOCKS, &mut at);
                    fx
                },
                |fx| {
                    let mut z = 0;
                    timed(fx.as_mut(), &silence, TAIL_BLOCKS, &mut z)
                },
                BatchSize::PerIteration,
            )
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = effects
}
criterion_main!(benches);
