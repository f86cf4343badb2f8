//! Cost of the reverb, delay and limiter in ns per stereo sample at 48 kHz in 256-frame
//! blocks (built as the engine builds them, registry defaults), in steady state (noise in)
//! and while a tail decays into silence (silence in, from a burst down to the denormal floor
//! and the flush to zero): the tail must cost no more than 1.5x the steady state (no denormal
//! stall). Besides criterion's figures, each effect prints both costs and their ratio,
//! median of 5 runs over 20 s of audio. The limiter is also timed on hot material (noise at
//! +6 dBFS: it limits all the time), and its stereo true-peak detector alone.
//!
//! Run: `cargo bench --bench fx_space`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};
use tdaw::dsp::{Noise, TruePeak};
use tdaw::engine::fx::{build, FxNode};
use tdaw::model::fx::kind;

const RATE: u32 = 48_000;
const BLOCK: usize = 256;

/// The effect with registry defaults, except settings that give a tail of a few seconds
/// (so the tail runs cover every level down to silence) and full wet.
fn node(name: &str) -> Box<dyn FxNode> {
    let spec = kind(name).expect("kind");
    let mut v: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
    let mut set = |p: &str, x: f64| {
        if let Some((i, _)) = spec.param(p) {
            v[i] = x;
        }
    };
    set("decay_s", 1.0);
    set("time_ms", 100.0);
    set("feedback", 0.5);
    set("mix", 1.0);
    build(name, RATE, &v).expect("processed kind")
}

/// A 0.25 s noise burst at full scale (primes a tail).
fn burst(fx: &mut dyn FxNode, noise: &mut Noise) {
    let mut l = [0.0f32; BLOCK];
    let mut r = [0.0f32; BLOCK];
    for _ in 0..(RATE as usize / 4 / BLOCK) {
        l.iter_mut().for_each(|x| *x = noise.next());
        r.iter_mut().for_each(|x| *x = noise.next());
        fx.process(&mut l, &mut r, None);
    }
}

/// Noise at `level` (+6 dBFS for 2) through the effect: the limiter's hot case.
fn time_hot(fx: &mut dyn FxNode, blocks: u64, level: f32) -> Duration {
    let mut noise = Noise::new(1);
    let mut l = [0.0f32; BLOCK];
    let mut r = [0.0f32; BLOCK];
    let mut total = Duration::ZERO;
    for _ in 0..blocks {
        l.iter_mut().for_each(|x| *x = noise.next() * level);
        r.iter_mut().for_each(|x| *x = noise.next() * level);
        let t = Instant::now();
        fx.process(black_box(&mut l), black_box(&mut r), None);
        total += t.elapsed();
    }
    total
}

/// Both channels' true-peak detectors (the limiter's) over `blocks` blocks of noise.
fn time_true_peak(blocks: u64) -> Duration {
    let mut noise = Noise::new(1);
    let mut d = [TruePeak::new(), TruePeak::new()];
    let mut l = [0.0f32; BLOCK];
    let mut r = [0.0f32; BLOCK];
    let (mut pl, mut pr) = ([0.0f32; BLOCK], [0.0f32; BLOCK]);
    let mut total = Duration::ZERO;
    let mut sink = 0.0f32;
    for _ in 0..blocks {
        l.iter_mut().for_each(|x| *x = noise.next());
        r.iter_mut().for_each(|x| *x = noise.next());
        let t = Instant::now();
        d[0].process(black_box(&l), &mut pl);
        d[1].process(black_box(&r), &mut pr);
        sink = pl.iter().zip(&pr).fold(sink, |s, (a, b)| s.max(a.max(*b)));
        total += t.elapsed();
    }
    black_box(sink);
    total
}

/// Median of 5 runs over 20 s of audio, in ns per stereo sample.
fn median_ns(mut run: impl FnMut(u64) -> Duration) -> f64 {
    let blocks = 20 * RATE as u64 / BLOCK as u64;
    let mut runs: Vec<f64> = (0..5)
        .map(|_| run(blocks).as_nanos() as f64 / (blocks * BLOCK as u64) as f64)
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[2]
}

/// Times `blocks` blocks: noise in (steady) or silence in after a burst, re-primed (untimed)
/// whenever the tail has gone fully silent.
fn time_blocks(fx: &mut dyn FxNode, blocks: u64, tail: bool) -> Duration {
    let mut noise = Noise::new(1);
    let mut l = [0.0f32; BLOCK];
    let mut r = [0.0f32; BLOCK];
    let mut total = Duration::ZERO;
    if tail {
        burst(fx, &mut noise);
    }
    let mut silent_blocks = 0;
    for _ in 0..blocks {
        if tail {
            l = [0.0; BLOCK];
            r = [0.0; BLOCK];
        } else {
            l.iter_mut().for_each(|x| *x = noise.next() * 0.5);
            r.iter_mut().for_each(|x| *x = noise.next() * 0.5);
        }
        let t = Instant::now();
        fx.process(black_box(&mut l), black_box(&mut r), None);
        total += t.elapsed();
        if tail {
            silent_blocks = if l.iter().chain(&r).all(|x| *x == 0.0) {
                silent_blocks + 1
            } else {
                0
            };
            // A few silent blocks count (the flushed state is the tail's end), then re-prime.
            if silent_blocks > 20 {
                fx.reset();
                burst(fx, &mut noise);
                silent_blocks = 0;
            }
        }
    }
    total
}

fn ns_per_sample(name: &str, tail: bool) -> f64 {
    median_ns(|blocks| time_blocks(node(name).as_mut(), blocks, tail))
}

fn bench(c: &mut Criterion) {
    for name in ["reverb", "delay", "limiter"] {
        let steady = ns_per_sample(name, false);
        let tail = ns_per_sample(name, true);
        println!(
            "{name}: steady {steady:.1} ns/stereo sample, tail {tail:.1} ns ({:.2}x)",
            tail / steady
        );
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Elements(BLOCK as u64));
        for (case, tail) in [("steady", false), ("tail", true)] {
            g.bench_function(case, |b| {
                let mut fx = node(name);
                b.iter_custom(|iters| time_blocks(fx.as_mut(), iters, tail));
            });
        }
        if name == "limiter" {
            let hot = median_ns(|blocks| time_hot(node(name).as_mut(), blocks, 2.0));
            println!("limiter: hot (+6 dBFS noise, always limiting) {hot:.1} ns/stereo sample");
            g.bench_function("hot", |b| {
                let mut fx = node(name);
                b.iter_custom(|iters| time_hot(fx.as_mut(), iters, 2.0));
            });
        }
        g.finish();
    }
    let tp = median_ns(time_true_peak);
    println!("true peak (both channels): {tp:.1} ns/stereo sample");
    let mut g = c.benchmark_group("true_peak");
    g.throughput(Throughput::Elements(BLOCK as u64));
    g.bench_function("stereo", |b| b.iter_custom(time_true_peak));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
