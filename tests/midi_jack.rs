//! Live MIDI input end to end through a real MIDI system: JACK's dummy driver (PLATFORM.md).
//! Built only with `--features jack` (midir then talks to JACK instead of the ALSA sequencer,
//! which this machine does not have): `./setup.sh --jack && cargo test --features jack --test
//! midi_jack`. A private jackd (its own server name) runs for the test; a virtual MIDI output
//! port made with midir plays into the engine's input port by name, exactly as a keyboard
//! would; the engine thread records what arrives.
#![cfg(feature = "jack")]

mod engine_common;

use engine_common::rig::RATE;
use engine_common::*;
use midir::os::unix::VirtualOutput;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tdaw::engine::midi_in::{LiveMessage, MidiSource, MidirSource};
use tdaw::engine::{EngineCommand, EngineConfig, EngineEvent, EngineHandle};

/// A jackd with the dummy driver under a server name of its own, stopped when dropped.
struct Jackd(Child);

impl Jackd {
    fn start() -> Jackd {
        let name = format!("tdaw-test-{}", std::process::id());
        // Every JACK client of this process (midir's) talks to this server.
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
        let jack = Jackd(child);
        let t0 = Instant::now();
        while MidirSource.ports().is_err() {
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "jackd did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        jack
    }
}

impl Drop for Jackd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for(h: &mut EngineHandle, what: &str, want: impl Fn(&EngineEvent) -> bool) -> EngineEvent {
    let t0 = Instant::now();
    loop {
        if let Some(e) = h.update().into_iter().find(|e| want(e)) {
            return e;
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "no {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn notes_played_into_a_jack_port_are_recorded_where_they_were_played() {
    let _jack = Jackd::start();
    // A keyboard: a virtual output port other programs can read.
    let out = midir::MidiOutput::new("fake-keyboard").unwrap();
    let mut keys = out.create_virtual("keys").unwrap();
    let ports = MidirSource.ports().unwrap();
    assert!(
        ports.iter().any(|p| p.contains("keys")),
        "the keyboard's port is listed: {ports:?}"
    );

    let mut p = project();
    let mut t = midi_track(1, "organ", 16.0, &[]);
    t.name = "Keys".into();
    t.arm = true;
    p.tracks.push(t);
    let cfg = EngineConfig {
        force_null: true,
        buffer_frames: Some(256),
        ..Default::default()
    };
    let mut h = EngineHandle::start_with_midi(cfg, Arc::new(MidirSource)).unwrap();
    let dir = project_dir();
    h.load_project(&p, dir.path());
    wait_for(&mut h, "load", |e| *e == EngineEvent::Loaded);
    h.send(EngineCommand::MidiInput(Some("keys".into())));
    wait_for(&mut h, "the port", |e| {
        matches!(e, EngineEvent::MidiInput(Ok(_)))
    });
    h.send(EngineCommand::Record {
        from: 0.0,
        preroll: 0.0,
    });
    let t0 = Instant::now();
    while h.status().position_samples < 4_800 {
        assert!(t0.elapsed() < Duration::from_secs(10), "not rolling");
        std::thread::sleep(Duration::from_millis(5));
    }
    let at = h.status().position_samples;
    keys.send(&[0x90, 64, 90]).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    keys.send(&[0x80, 64, 0]).unwrap();
    keys.send(&[0xB0, 7, 100]).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    h.send(EngineCommand::Stop);
    let EngineEvent::Recorded(rec) = wait_for(&mut h, "the recording", |e| {
        matches!(e, EngineEvent::Recorded(_))
    }) else {
        unreachable!()
    };
    let msgs: Vec<LiveMessage> = rec.events.iter().map(|c| c.msg).collect();
    let ons: Vec<_> = rec
        .events
        .iter()
        .filter(|c| matches!(c.msg, LiveMessage::NoteOn { pitch: 64, .. }))
        .collect();
    assert_eq!(ons.len(), 1, "one note-on arrived: {msgs:?}");
    assert!(
        msgs.iter()
            .any(|m| matches!(m, LiveMessage::NoteOff { pitch: 64, .. })),
        "its note-off arrived: {msgs:?}"
    );
    // Where the playhead was when the key went down: after the read, within JACK's period and
    // a busy machine's scheduling.
    assert!(ons[0].sample + 256 >= at, "{} vs {at}", ons[0].sample);
    assert!(
        ons[0].sample < at + RATE as u64 / 4,
        "{} vs {at}",
        ons[0].sample
    );
}
