//! A real cpal stream through ALSA's `file` PCM (no sound card needed): the engine plays a
//! project, ALSA captures exactly what the callback wrote, and the capture must match the
//! offline render of the same project — the same graph on both paths. The callback runs with
//! allocation forbidden (debug builds).

mod engine_common;

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

use cpal::traits::{DeviceTrait, HostTrait};
use engine_common::*;
use std::time::{Duration, Instant};
use tdaw::engine::{
    render_to_wav, BitDepth, EngineCommand, EngineConfig, EngineEvent, EngineHandle, RenderOptions,
};

#[test]
fn a_cpal_stream_through_alsa_file_pcm_plays_the_same_audio_as_render() {
    let d = project_dir();
    let raw = d.path().join("capture.raw");
    let conf = d.path().join("asound.conf");
    std::fs::write(
        &conf,
        format!(
            "</usr/share/alsa/alsa.conf>\npcm.!default {{ type file slave.pcm \"null\" file \"{}\" format \"raw\" }}\n",
            raw.display()
        ),
    )
    .unwrap();
    // Only this test runs in this binary, before anything touches ALSA.
    std::env::set_var("ALSA_CONFIG_PATH", &conf);
    let format = cpal::default_host()
        .default_output_device()
        .expect("ALSA default device")
        .default_output_config()
        .expect("the file PCM has a config");
    let channels = format.channels() as usize;

    let mut p = project();
    p.tracks.push(midi_track(
        1,
        "lead",
        4.0,
        &[(69, 0.0, 1.0), (72, 1.0, 1.0), (76, 2.0, 1.5)],
    ));
    let offline = d.path().join("offline.wav");
    let opts = RenderOptions {
        bit_depth: BitDepth::F32,
        ..RenderOptions::default()
    };
    render_to_wav(&p, d.path(), &offline, &opts, &mut |_| {}).unwrap();
    let (want, _) = read_wav(&offline);
    let frames = want.len() / 2;

    let mut h = EngineHandle::start(EngineConfig {
        buffer_frames: Some(512),
        ..EngineConfig::default()
    })
    .unwrap();
    let st = h.status();
    assert!(!st.silent, "the cpal stream opened");
    assert!(st.device.contains("default"), "{}", st.device);
    h.load_project(&p, d.path());
    let t0 = Instant::now();
    loop {
        if h.update().contains(&EngineEvent::Loaded) {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "never loaded");
        std::thread::sleep(Duration::from_millis(1));
    }
    h.send(EngineCommand::Play);
    // The file PCM is not paced: the project plays in milliseconds.
    let t0 = Instant::now();
    while h.status().position_samples < frames as u64 + 48_000 {
        assert!(t0.elapsed() < Duration::from_secs(20), "the stream stalled");
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(h);

    let bytes = std::fs::read(&raw).unwrap();
    let (got, lsb): (Vec<f32>, f32) = match format.sample_format() {
        cpal::SampleFormat::I16 => (
            bytes
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32_768.0)
                .collect(),
            1.0 / 32_768.0,
        ),
        cpal::SampleFormat::I32 => (
            bytes
                .chunks_exact(4)
                .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32 / 2_147_483_648.0)
                .collect(),
            1e-6,
        ),
        _ => (
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            1e-7,
        ),
    };
    let left: Vec<f32> = got.iter().step_by(channels).copied().collect();
    let right: Vec<f32> = got.iter().skip(1).step_by(channels).copied().collect();
    let want_l: Vec<f32> = want.iter().step_by(2).copied().collect();
    let want_r: Vec<f32> = want.iter().skip(1).step_by(2).copied().collect();
    // Align on the first clearly audible sample.
    let first = |v: &[f32]| v.iter().position(|x| x.abs() > 0.01).expect("sound");
    let (a, b) = (first(&left), first(&want_l));
    assert!(a >= b, "the capture starts before the music");
    let off = a - b;
    let n = frames.min(left.len() - off);
    assert!(n > frames * 9 / 10, "captured {n} of {frames} frames");
    let mut worst = 0f32;
    for k in 0..n {
        worst = worst.max((left[off + k] - want_l[k]).abs());
        worst = worst.max((right[off + k] - want_r[k]).abs());
    }
    assert!(
        worst <= 2.0 * lsb + 1e-6,
        "live and offline differ by {worst}"
    );
}
