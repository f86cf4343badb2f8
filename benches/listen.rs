//! `tdaw listen` figures. First, end to end on this machine: an engine plays a project on the
//! null backend (real-time pace), its master bus is served as a monitor stream into a socket
//! pair, and the listening side plays it on a paced output; printed are the latency from the
//! box's callback to the output (as the listener measures it, the same clock on both sides),
//! its jitter target and underruns, for pcm and for Opus. Then criterion times Opus at
//! 128 kbit/s: encoding and decoding one second of stereo 48 kHz audio (100 frames of 10 ms):
//! the time per second of audio is the share of a core each side uses.
//!
//! Run: `cargo bench --bench listen` (`-- --quick` for a short run).

use criterion::{criterion_group, criterion_main, Criterion};
use std::os::unix::net::UnixStream;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};
use tdaw::codec::stream::{StreamCodec, StreamEncoder, StreamHeader, StreamReader};
use tdaw::engine::listen::{listen, ListenOptions, Output, PacedOutput};
use tdaw::engine::monitor::{serve, MonitorOptions};
use tdaw::engine::{EngineCommand, EngineConfig, EngineEvent, EngineHandle};
use tdaw::model::{AudioClip, Clip, ClipContent, ClipId, Project, Track, TrackId, TrackKind};

const RATE: usize = 48_000;

fn music(frames: usize) -> Vec<f32> {
    let mut x = 1u32;
    (0..frames * 2)
        .map(|i| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (x >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
            let t = (i / 2) as f32 / RATE as f32;
            0.3 * (t * 440.0 * std::f32::consts::TAU).sin()
                + 0.2 * (t * 661.0 * std::f32::consts::TAU).sin()
                + 0.05 * noise
        })
        .collect()
}

fn project(dir: &std::path::Path, seconds: usize) -> Project {
    std::fs::create_dir_all(dir.join("audio")).unwrap();
    tdaw::codec::write_wav(
        &dir.join("audio/a.wav"),
        &music(RATE * seconds),
        RATE as u32,
        2,
        tdaw::codec::WavFormat::F32,
    )
    .unwrap();
    let mut p = Project::new("bench", RATE as u32, 120.0);
    let mut t = Track::new(TrackId(1), "a", TrackKind::Audio);
    t.clips.push(Clip {
        id: ClipId(1),
        name: "a".into(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Audio(AudioClip {
            file: "audio/a.wav".into(),
            offset: 0.0,
            length: seconds as f64,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }),
    });
    p.tracks.push(t);
    tdaw::store::write_project(dir, &p).unwrap();
    p
}

/// Plays `seconds` through engine → stream → listener on this machine; prints the figures.
fn end_to_end(codec: StreamCodec, seconds: f64) {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path(), seconds as usize + 2);
    let mut engine = EngineHandle::start(EngineConfig {
        device: None,
        buffer_frames: Some(256),
        soundfont: None,
        force_null: true,
    })
    .unwrap();
    engine.load_project(&p, dir.path());
    let t0 = Instant::now();
    while !engine.update().contains(&EngineEvent::Loaded) {
        assert!(t0.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(2));
    }
    engine.send(EngineCommand::Play);
    let hub = engine.monitor_hub();
    let sub = hub.subscribe("bench");
    let (mut box_end, laptop_end) = UnixStream::pair().unwrap();
    let stop = &AtomicBool::new(false);
    let opts = MonitorOptions {
        codec,
        bitrate_kbps: 128,
        player: false,
    };
    let report = std::thread::scope(|s| {
        s.spawn(move || serve(&sub, opts, &mut box_end, stop));
        let r = listen(
            laptop_end,
            ListenOptions {
                seconds: Some(seconds),
                stop,
                output: Box::new(|h| -> Result<Box<dyn Output>, String> {
                    Ok(Box::new(PacedOutput::new(None, h)?))
                }),
                back: None,
            },
        )
        .unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        r
    });
    let s = report.stats;
    println!(
        "end to end, {}: latency {:.1} ms (callback → output; jitter target {:.0} ms, 256-frame \
         callbacks), {} underruns, {} skips over {seconds} s",
        codec.name(),
        report.latency_ms.unwrap_or(f64::NAN),
        s.target_frames as f64 * 1000.0 / RATE as f64,
        s.underruns,
        s.skips,
    );
}

fn opus(c: &mut Criterion) {
    end_to_end(StreamCodec::Pcm, 8.0);
    end_to_end(StreamCodec::Opus, 8.0);
    let header = StreamHeader {
        codec: StreamCodec::Opus,
        rate: RATE as u32,
        channels: 2,
        frame_frames: 480,
    };
    let second = music(RATE);
    let mut encoded = header.to_bytes().to_vec();
    let mut enc = StreamEncoder::new(header, 128).unwrap();
    for (k, f) in second.chunks(960).enumerate() {
        enc.encode(f, k as u64 * 480, 0, &mut encoded).unwrap();
    }
    println!(
        "opus 128 kbit/s: {} bytes for 1 s of stereo 48 kHz ({:.0} kbit/s with frame headers)",
        encoded.len(),
        encoded.len() as f64 * 8.0 / 1000.0
    );
    let mut g = c.benchmark_group("opus_128k_one_second");
    g.bench_function("encode", |b| {
        let mut out = Vec::with_capacity(encoded.len() * 2);
        b.iter(|| {
            out.clear();
            for (k, f) in second.chunks(960).enumerate() {
                enc.encode(f, k as u64 * 480, 0, &mut out).unwrap();
            }
            out.len()
        })
    });
    g.bench_function("decode", |b| {
        b.iter(|| {
            let mut r = StreamReader::open(&encoded[..]).unwrap().unwrap();
            let mut n = 0;
            while let Some(f) = r.next_frame().unwrap() {
                n += f.samples.len();
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, opus);
criterion_main!(benches);
