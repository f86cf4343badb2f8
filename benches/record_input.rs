//! Input to disk with 16 armed tracks at 128 frames: a synthetic 16-channel source calls the
//! input callback's [`CaptureSink::push`] every 128 frames at real-time pace (48 kHz, a
//! deadline per block, as a device would), and the disk thread writes each channel to its own
//! 24-bit take in a temp folder on the real disk. Counted: xruns (frames the ring had no room
//! for because the disk thread fell behind), the ring's highest fill, the slowest push (the
//! callback's own cost) and the source's lateness (the machine being busy, not an xrun).
//! Every take must hold every frame.
//!
//! Run: `cargo bench --bench record_input` (60 s; `RECORD_BENCH_SECONDS=10` for less).

use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};
use tdaw::engine::capture::capture_ring;
use tdaw::engine::disk_writer::{
    file_opener, DiskWriter, Latency, Placement, RecordFormat, Target, WriterSetup,
};

const RATE: u32 = 48_000;
const BLOCK: usize = 128;
const TRACKS: usize = 16;
/// The ring the engine gives a recording (seconds).
const RING_SECONDS: usize = 2;

fn main() {
    // `cargo test --all-targets` runs benches without `--bench`: a 1 s smoke run there.
    let benching = std::env::args().any(|a| a == "--bench");
    let seconds: u64 = std::env::var("RECORD_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if benching { 60 } else { 1 });
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir_in(std::env::temp_dir()).expect("temp dir");
    let (mut sink, ring, shared) = capture_ring(TRACKS, RATE, RATE as usize * RING_SECONDS);
    shared.gate.store(true, Relaxed);
    let targets = (0..TRACKS)
        .map(|i| Target {
            channels: vec![i],
            stem: format!("track-{}", i + 1),
        })
        .collect();
    let writer = DiskWriter::start(
        ring,
        shared.clone(),
        WriterSetup {
            dir: dir.path().to_path_buf(),
            targets,
            placement: Placement {
                start: 0,
                latency: 0,
                from: 0,
                until: None,
                loop_region: None,
            },
            latency: Latency::Fixed(0),
            format: RecordFormat::Int24,
            opener: file_opener(),
        },
    )
    .expect("disk thread");
    let blocks = seconds * RATE as u64 / BLOCK as u64;
    let period = Duration::from_secs_f64(BLOCK as f64 / RATE as f64);
    let mut data = vec![0.0f32; BLOCK * TRACKS];
    let mut phase = 0u64;
    let mut worst_push = Duration::ZERO;
    let mut late_blocks = 0u64;
    let mut max_fill = 0usize;
    let t0 = Instant::now();
    for b in 0..blocks {
        let due = t0 + period * b as u32;
        let now = Instant::now();
        if now < due {
            std::thread::sleep(due - now);
        } else if now - due > period {
            late_blocks += 1;
        }
        for frame in data.chunks_exact_mut(TRACKS) {
            for (c, s) in frame.iter_mut().enumerate() {
                *s = (((phase + c as u64 * 97) % 48_000) as f32 / 48_000.0 - 0.5) * 0.5;
            }
            phase += 1;
        }
        let t = Instant::now();
        sink.push(&data);
        worst_push = worst_push.max(t.elapsed());
        max_fill = max_fill.max(writer_fill(&sink));
    }
    let elapsed = t0.elapsed();
    let rec = writer.finish();
    let xruns = shared.dropped.load(Relaxed);
    let frames = blocks * BLOCK as u64;
    let complete = rec.takes.len() == TRACKS && rec.takes.iter().all(|t| t.frames == frames);
    println!(
        "record_input: {TRACKS} armed tracks, {BLOCK}-frame blocks at {RATE} Hz for {seconds} s \
         ({elapsed:.1?}): {xruns} xruns (frames dropped), ring peak {:.1} % of {RING_SECONDS} s, \
         slowest push {:.1} µs (budget {:.0} µs), {late_blocks} late source blocks, \
         takes complete: {complete}{}",
        max_fill as f64 * 100.0 / (RATE as f64 * RING_SECONDS as f64),
        worst_push.as_secs_f64() * 1e6,
        period.as_secs_f64() * 1e6,
        rec.error.map(|e| format!(" — {e}")).unwrap_or_default(),
    );
    assert_eq!(xruns, 0, "the disk thread fell behind");
    assert!(complete, "a take is missing frames");
}

/// Frames waiting in the ring, seen from the producer.
fn writer_fill(sink: &tdaw::engine::capture::CaptureSink) -> usize {
    sink.occupied_frames()
}
