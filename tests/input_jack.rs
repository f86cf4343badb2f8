//! Audio input at real-time pace through JACK's dummy driver (PLATFORM.md). Built only with
//! `--features jack`: `./setup.sh --jack && cargo test --features jack --test input_jack`. A
//! private jackd runs for the test.
//! - The latency measurement through a software loopback (the probe's output port connected
//!   to the input port with `jack_connect`): JACK runs the reading client after the writing
//!   one in the same cycle, so the round trip is exactly 0 frames.
//! - Software monitoring for 4 s with the engine's output and input both on JACK: every
//!   input frame reaches the output callback, with no overrun and (after the first cycles)
//!   no underrun.
#![cfg(feature = "jack")]

use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};
use tdaw::engine::{EngineCommand, EngineConfig, EngineHandle};
use tdaw::model::{MonitorMode, Project, Track, TrackId, TrackInput, TrackKind};

/// A jackd with the dummy driver under a server name of its own, stopped when dropped.
struct Jackd(Child);

impl Jackd {
    fn start(tag: &str) -> Jackd {
        let name = format!("tdaw-input-{tag}-{}", std::process::id());
        std::env::set_var("JACK_DEFAULT_SERVER", &name);
        let child = Command::new("jackd")
            .args([
                "-n",
                &name,
                "--no-realtime",
                "-d",
                "dummy",
                "-r",
                "48000",
                "-p",
                "256",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("jackd (the jackd2 package: ./setup.sh --jack) must be installed");
        let t0 = Instant::now();
        while !lsp().iter().any(|p| p == "system:capture_1") {
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "jackd did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Jackd(child)
    }
}

impl Drop for Jackd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn lsp() -> Vec<String> {
    Command::new("jack_lsp")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

// One test per server start: both run in one test so that JACK_DEFAULT_SERVER stays put.
#[test]
fn a_software_loopback_and_monitoring_at_real_time_pace() {
    let home = tempfile::tempdir().unwrap();
    std::env::set_var("TDAW_HOME", home.path());
    let _jack = Jackd::start("a");

    // The probe's output connected to the measurement's input as soon as both ports exist.
    let connector = std::thread::spawn(|| {
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(10) {
            let ports = lsp();
            let find = |end: &str| ports.iter().find(|p| p.ends_with(end)).cloned();
            if let (Some(o), Some(i)) = (find("_out:out_0"), find("_in:in_0")) {
                let ok = Command::new("jack_connect")
                    .args([&o, &i])
                    .status()
                    .is_ok_and(|s| s.success());
                return ok;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    });
    let rt = tdaw::engine::latency::measure_round_trip(None, None, 48_000, None).unwrap();
    assert!(connector.join().unwrap(), "connected");
    eprintln!(
        "JACK software loopback: {} frames, clarity {:.0}, {} → {}",
        rt.frames, rt.clarity, rt.output, rt.input
    );
    assert_eq!(rt.frames, 0);
    assert_eq!(
        (rt.output.as_str(), rt.input.as_str()),
        ("jack:output", "jack:input")
    );

    // Monitoring: the engine's output and the armed track's input on the same JACK clock.
    let mut h = EngineHandle::start(EngineConfig::default()).unwrap();
    assert!(
        !h.status().silent,
        "the output is JACK's: {:?}",
        h.status().device
    );
    let mut p = Project::new("mon", 48_000, 120.0);
    let mut t = Track::new(TrackId(1), "Vox", TrackKind::Audio);
    t.arm = true;
    t.input = Some(TrackInput::Stereo(1, 2));
    t.monitor = MonitorMode::Input;
    p.tracks.push(t);
    let dir = tempfile::tempdir().unwrap();
    h.send(EngineCommand::LiveInput {
        on: true,
        device: None,
    });
    h.load_project(&p, dir.path());
    let t0 = Instant::now();
    let stats = loop {
        for e in h.update() {
            if let tdaw::engine::EngineEvent::Error(m) = e {
                panic!("{m}");
            }
        }
        if let Some(s) = h.monitor_stats().filter(|s| s.taken.load(Relaxed) > 0) {
            break s;
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "no monitoring");
        std::thread::sleep(Duration::from_millis(5));
    };
    // Past the first cycles, then 4 s.
    std::thread::sleep(Duration::from_millis(500));
    let (u0, o0, k0) = (
        stats.underruns.load(Relaxed),
        stats.overruns.load(Relaxed),
        stats.taken.load(Relaxed),
    );
    std::thread::sleep(Duration::from_secs(4));
    let (u, o, k) = (
        stats.underruns.load(Relaxed) - u0,
        stats.overruns.load(Relaxed) - o0,
        stats.taken.load(Relaxed) - k0,
    );
    eprintln!(
        "JACK monitoring, 4 s: {k} frames taken, {u} underruns, {o} frames overrun (start-up: {u0} underruns, {o0} overrun)"
    );
    assert_eq!(h.input_device().as_deref(), Some("jack:input"));
    // 4 s at 48 kHz, within the sleep's slack and one period either side.
    assert!((180_000..=200_000).contains(&k), "{k} frames");
    assert_eq!((u, o), (0, 0), "no underrun or overrun at steady state");
}
