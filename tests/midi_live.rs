//! Live MIDI input end to end through the port seam, with a fake source: monitoring through
//! the armed track's instrument within one block, recorded notes landing on their beat with
//! the input latency compensated (to a sample, on exact block times), replace and overdub,
//! quantize on record, loop passes as takes, a MIDI-learned controller moving its parameter,
//! the callback allocating nothing with MIDI flowing, and `tdaw devices` with no MIDI
//! subsystem.

mod engine_common;

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

use engine_common::*;
use ringbuf::traits::{Consumer, Producer};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tdaw::engine::graph::{ClipMode, Graph};
use tdaw::engine::messages::{FromAudio, ToAudio};
use tdaw::engine::meters::SharedStatus;
use tdaw::engine::midi_in::{midi_queue, FakeSender, FakeSource, MidiConnection, MidiSource};
use tdaw::engine::processor::{processor, Link, Processor};
use tdaw::engine::record::{Recorder, Recording};
use tdaw::engine::{EngineConfig, EngineEvent, EngineHandle};
use tdaw::midi::live::{record_edit, RecordMode, RecordOptions};
use tdaw::model::{
    AutomationTarget, ClipContent, LoopRegion, MidiBinding, Project, TrackId, TrackKind,
};

const RATE: u32 = 48_000;
/// Samples per beat at 120 BPM.
const BEAT: u64 = 24_000;

fn no_alloc<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(debug_assertions)]
    return assert_no_alloc::assert_no_alloc(f);
    #[cfg(not(debug_assertions))]
    f()
}

/// The MIDI clock time of timeline sample `s` when the transport rolled from 0 at `base`.
fn ns(base: u64, s: u64) -> u64 {
    base + s * 1_000_000_000 / RATE as u64
}

/// A processor playing `p` with live input from a fake port, the first armed MIDI track
/// monitoring it; blocks are processed at exact clock times.
struct Live {
    p: Processor,
    link: Link,
    tx: FakeSender,
    _conn: Box<dyn MidiConnection>,
    _dir: tempfile::TempDir,
    buf: Vec<f32>,
    /// Frames processed so far, and the clock time of frame 0.
    frames: u64,
    base: u64,
}

impl Live {
    fn new(project: &Project) -> Live {
        let dir = project_dir();
        let c = Graph::compile(project, dir.path(), RATE, ClipMode::Streamed, None, true).unwrap();
        let (p, mut link) = processor(Arc::new(SharedStatus::default()), RATE);
        let src = FakeSource::new(&["Fake Keys"]);
        let tx = src.sender();
        let (sink, rx, _) = midi_queue();
        let conn = src.connect("Fake Keys", sink).unwrap();
        let target = project
            .tracks
            .iter()
            .find(|t| t.arm && t.kind == TrackKind::Midi)
            .map(|t| t.id);
        for m in [
            ToAudio::InstallGraph(Box::new(c.graph)),
            ToAudio::LiveTarget(target),
            ToAudio::MidiInput(Some(Box::new(rx))),
        ] {
            assert!(link.to_audio.try_push(m).is_ok());
        }
        Live {
            p,
            link,
            tx,
            _conn: conn,
            _dir: dir,
            buf: vec![0.0; 8192],
            frames: 0,
            base: 1_000_000_000,
        }
    }

    fn send(&mut self, m: ToAudio) {
        assert!(self.link.to_audio.try_push(m).is_ok());
    }

    /// Processes one block of `n` frames starting now (with allocation forbidden) and returns
    /// its left channel.
    fn block(&mut self, n: usize) -> Vec<f32> {
        let now = ns(self.base, self.frames);
        let (p, buf) = (&mut self.p, &mut self.buf[..n * 2]);
        no_alloc(|| p.process_at(buf, 2, now));
        self.frames += n as u64;
        buf.iter().step_by(2).copied().collect()
    }

    /// Everything the callback handed back, the recording ended with.
    fn drain(&mut self, rec: &mut Option<Recorder>) -> Option<Recording> {
        let mut ended = None;
        while let Some(m) = self.link.from_audio.try_pop() {
            if let FromAudio::RecordEnded { end, passes } = m {
                ended = Some((end, passes));
            }
        }
        while let Some(c) = self.link.captures.try_pop() {
            if let (true, Some(r)) = (c.recorded, rec.as_mut()) {
                r.push(c);
            }
        }
        let (end, passes) = ended?;
        Some(rec.take()?.finish(end, passes))
    }
}

fn keys_project(notes: &[(u8, f64, f64)]) -> Project {
    let mut p = project();
    let mut t = midi_track(1, "organ", 16.0, notes);
    t.name = "Keys".into();
    t.arm = true;
    p.tracks.push(t);
    p
}

/// Plays `events` (timeline sample, bytes) as a player would, recording from `from` with the
/// transport rolling from `start`, in blocks of `block` frames, until `stop`. The messages
/// reach the port before the block that starts after them: each is that block's start minus
/// its sample old.
fn record(
    p: &Project,
    start: u64,
    from: u64,
    stop: u64,
    block: usize,
    events: &[(u64, [u8; 3])],
) -> Recording {
    let mut live = Live::new(p);
    live.frames = start;
    live.base = 1_000_000_000 - start * 1_000_000_000 / RATE as u64;
    live.send(ToAudio::Seek(start));
    live.send(ToAudio::Record(true));
    live.send(ToAudio::Play);
    let lp = p
        .loop_region
        .map(|l| (l.start as u64 * BEAT, l.end as u64 * BEAT));
    let mut rec = Some(Recorder::new(RATE, from, start, lp));
    // Sent in clock order: `frames` counts clock time, the timeline wraps inside the loop.
    let mut sent = 0;
    while live.frames < stop {
        while sent < events.len() && events[sent].0 <= live.frames {
            let (s, b) = events[sent];
            assert!(live.tx.send_at(&b, ns(live.base, s)));
            sent += 1;
        }
        live.block(block);
        assert!(live.drain(&mut rec).is_none());
    }
    live.send(ToAudio::Stop);
    live.block(block);
    live.drain(&mut rec).expect("the recording ended")
}

fn clip_notes(p: &Project, track: u64) -> Vec<Vec<(u8, f64, f64)>> {
    p.track(TrackId(track))
        .unwrap()
        .clips
        .iter()
        .map(|c| match &c.content {
            ClipContent::Midi(m) => m
                .notes
                .iter()
                .map(|n| (n.pitch, c.start + n.start, n.length))
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

fn on(s: u64, pitch: u8) -> (u64, [u8; 3]) {
    (s, [0x90, pitch, 100])
}

fn off(s: u64, pitch: u8) -> (u64, [u8; 3]) {
    (s, [0x80, pitch, 0])
}

#[test]
fn a_note_from_the_port_sounds_within_one_block() {
    let p = keys_project(&[]);
    let mut live = Live::new(&p);
    for _ in 0..4 {
        assert!(live.block(256).iter().all(|x| *x == 0.0), "silent before");
    }
    // The note arrives 100 frames into the block just handed to the device; the next
    // callback takes it.
    assert!(live.block(256).iter().all(|x| *x == 0.0));
    let arrival = live.frames - 156;
    live.tx.send_at(&[0x90, 60, 100], ns(live.base, arrival));
    let out = live.block(256);
    let first = out.iter().position(|x| *x != 0.0).expect("the note sounds");
    let latency = live.frames - 256 + first as u64 - arrival;
    assert!(first <= 2, "it starts at the block's first frame ({first})");
    assert!(latency <= 256, "within one block: {latency} frames");
    // Stopped or playing, the monitor follows note-off too.
    live.tx.send(&[0x80, 60, 0]);
    for _ in 0..400 {
        live.block(256);
    }
    assert!(live.block(256).iter().all(|x| x.abs() < 1e-4), "released");
}

#[test]
fn recorded_notes_land_on_their_beat_with_the_latency_compensated() {
    let p = keys_project(&[]);
    // Notes on beat 1, 2.25 and at sample 80 001 (3.333…), odd offsets in 512-frame blocks.
    let events = [
        on(BEAT, 60),
        off(BEAT * 3 / 2, 60),
        on(BEAT * 9 / 4, 62),
        on(80_001, 64),
        off(BEAT * 3, 62),
        off(90_000, 64),
    ];
    let rec = record(&p, 0, 0, 4 * BEAT, 512, &events);
    let starts: Vec<u64> = rec
        .events
        .iter()
        .filter(|c| matches!(c.msg, tdaw::engine::midi_in::LiveMessage::NoteOn { .. }))
        .map(|c| c.sample)
        .collect();
    for (got, want) in starts.iter().zip([BEAT, BEAT * 9 / 4, 80_001]) {
        assert!(
            got.abs_diff(want) <= 1,
            "recorded at {got}, played at {want}"
        );
    }
    assert_eq!(starts.len(), 3);
    // It stopped at the end of the block that reached beat 4.
    assert!((4 * BEAT..4 * BEAT + 512).contains(&rec.end), "{}", rec.end);
    // Into the project as one edit: a clip from the record point holding the notes.
    let live = tdaw::ui::midi_live::to_beats(&p, &rec);
    let (edit, said) = record_edit(&p, TrackId(1), &live, RecordOptions::default()).unwrap();
    assert_eq!(said, "Recorded 3 notes into Keys (replacing)");
    let mut q = p.clone();
    edit.apply(&mut q).unwrap();
    let clips = clip_notes(&q, 1);
    let rec_clip = &clips[1];
    let tol = 1.0 / BEAT as f64;
    for ((pitch, start, len), (wp, ws, wl)) in rec_clip.iter().zip([
        (60, 1.0, 0.5),
        (62, 2.25, 0.75),
        (64, 80_001.0 / 24_000.0, 10_000.0 / 24_000.0),
    ]) {
        assert_eq!(*pitch, wp);
        assert!(
            (start - ws).abs() <= tol,
            "note {pitch} at beat {start}, played at {ws}"
        );
        assert!(
            (len - wl).abs() <= 2.0 * tol,
            "note {pitch} lasts {len}, played {wl}"
        );
    }
}

#[test]
fn pre_roll_rolls_early_and_keeps_only_what_follows_the_record_point() {
    let p = keys_project(&[]);
    // Roll from beat 0, record from beat 2: the note on beat 1 is pre-roll.
    let events = [
        on(BEAT, 60),
        off(BEAT + 100, 60),
        on(3 * BEAT, 67),
        off(BEAT * 7 / 2, 67),
    ];
    let rec = record(&p, 0, 2 * BEAT, 4 * BEAT, 480, &events);
    let live = tdaw::ui::midi_live::to_beats(&p, &rec);
    let (edit, _) = record_edit(&p, TrackId(1), &live, RecordOptions::default()).unwrap();
    let mut q = p.clone();
    edit.apply(&mut q).unwrap();
    let c = q.track(TrackId(1)).unwrap().clips.last().unwrap().clone();
    assert_eq!(c.start, 2.0);
    let notes = clip_notes(&q, 1).pop().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].0, 67);
    assert!((notes[0].1 - 3.0).abs() <= 1.0 / BEAT as f64);
}

#[test]
fn replace_clears_under_the_take_and_overdub_keeps_it() {
    // Existing: a note sounding into the take (0.5 + 1.0), one inside it, one after it.
    let p = keys_project(&[(48, 0.5, 1.0), (50, 1.5, 0.5), (52, 5.0, 1.0)]);
    let events = [on(BEAT * 2, 60), off(BEAT * 3, 60)];
    let rec = record(&p, BEAT, BEAT, 4 * BEAT, 256, &events);
    let live = tdaw::ui::midi_live::to_beats(&p, &rec);
    let tol = 1e-3;

    let (edit, _) = record_edit(&p, TrackId(1), &live, RecordOptions::default()).unwrap();
    let mut q = p.clone();
    edit.apply(&mut q).unwrap();
    let clips = clip_notes(&q, 1);
    assert_eq!(clips.len(), 2);
    assert_eq!(
        clips[0].len(),
        2,
        "the note inside the take is gone: {:?}",
        clips[0]
    );
    assert_eq!(clips[0][0].0, 48);
    assert!(
        (clips[0][0].2 - 0.5).abs() < tol,
        "trimmed to the record point"
    );
    assert_eq!(clips[0][1], (52, 5.0, 1.0), "after the take: kept");
    assert_eq!(clips[1].len(), 1);

    let opts = RecordOptions {
        mode: RecordMode::Overdub,
        quantize: None,
    };
    let (edit, said) = record_edit(&p, TrackId(1), &live, opts).unwrap();
    assert!(said.ends_with("(overdubbing)"));
    let mut q = p.clone();
    edit.apply(&mut q).unwrap();
    let clips = clip_notes(&q, 1);
    assert_eq!(
        clips[0],
        clip_notes(&p, 1)[0],
        "overdub leaves the old notes"
    );
    assert_eq!(clips[1].len(), 1);
    // Either way one undo step: the inverse restores the project.
    let (edit, _) = record_edit(&p, TrackId(1), &live, RecordOptions::default()).unwrap();
    let mut q = p.clone();
    let undo = edit.apply(&mut q).unwrap();
    undo.apply(&mut q).unwrap();
    assert_eq!(q, p);
}

#[test]
fn quantize_on_record_puts_notes_on_the_grid() {
    let p = keys_project(&[]);
    // Played a little late and early: 1.02, 2.23, held 0.47.
    let b = |x: f64| (x * BEAT as f64).round() as u64;
    let events = [
        on(b(1.02), 60),
        off(b(1.49), 60),
        on(b(2.23), 62),
        off(b(2.7), 62),
    ];
    let rec = record(&p, 0, 0, 4 * BEAT, 512, &events);
    let live = tdaw::ui::midi_live::to_beats(&p, &rec);
    let opts = RecordOptions {
        mode: RecordMode::Replace,
        quantize: Some(0.25),
    };
    let (edit, _) = record_edit(&p, TrackId(1), &live, opts).unwrap();
    let mut q = p.clone();
    edit.apply(&mut q).unwrap();
    assert_eq!(
        clip_notes(&q, 1).pop().unwrap(),
        [(60, 1.0, 0.5), (62, 2.25, 0.5)]
    );
}

#[test]
fn each_loop_pass_is_a_take() {
    let mut p = keys_project(&[]);
    p.loop_region = Some(LoopRegion {
        start: 0.0,
        end: 2.0,
        enabled: true,
    });
    // Clock samples: pass 0 plays 60 at beat 0.5, pass 1 plays 62 at 0.5, pass 2 plays 64.
    let events = [
        on(BEAT / 2, 60),
        off(BEAT, 60),
        on(2 * BEAT + BEAT / 2, 62),
        off(3 * BEAT, 62),
        on(4 * BEAT + BEAT / 2, 64),
        off(5 * BEAT, 64),
    ];
    let rec = record(&p, 0, 0, 5 * BEAT + 1000, 500, &events);
    assert_eq!(rec.passes, 2);
    let live = tdaw::ui::midi_live::to_beats(&p, &rec);
    let (edit, said) = record_edit(&p, TrackId(1), &live, RecordOptions::default()).unwrap();
    assert!(said.contains("2 earlier takes on muted tracks"), "{said}");
    let mut q = p.clone();
    edit.apply(&mut q).unwrap();
    let kept = clip_notes(&q, 1).pop().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].0, 64, "the last pass is the clip");
    let names: Vec<&str> = q.tracks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Keys", "Keys take 1", "Keys take 2"]);
    for (i, pitch) in [(1, 60u8), (2, 62)] {
        let t = &q.tracks[i];
        assert!(t.mute && t.kind == TrackKind::Midi);
        let notes = clip_notes(&q, t.id.0).pop().unwrap();
        assert_eq!(notes[0].0, pitch);
        assert!((notes[0].1 - 0.5).abs() < 1e-3);
    }
}

/// Waits for an engine event matching `want` (or fails after 10 s).
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

fn wait_until(what: &str, done: impl Fn() -> bool) {
    let t0 = Instant::now();
    while !done() {
        assert!(t0.elapsed() < Duration::from_secs(10), "timed out: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_learned_controller_moves_the_fader_in_the_engine() {
    let mut p = keys_project(&[(60, 0.0, 64.0)]);
    p.midi_learn.push(MidiBinding {
        channel: 0,
        cc: 7,
        track: Some(TrackId(1)),
        target: AutomationTarget::Gain,
    });
    let src = FakeSource::new(&["Fake Keys"]);
    let tx = src.sender();
    let cfg = EngineConfig {
        force_null: true,
        ..Default::default()
    };
    let mut h = EngineHandle::start_with_midi(cfg, Arc::new(src)).unwrap();
    let dir = project_dir();
    h.load_project(&p, dir.path());
    wait_for(&mut h, "load", |e| *e == EngineEvent::Loaded);
    h.send(tdaw::engine::EngineCommand::MidiInput(Some("Fake".into())));
    let e = wait_for(&mut h, "port", |e| matches!(e, EngineEvent::MidiInput(_)));
    assert_eq!(e, EngineEvent::MidiInput(Ok(Some("Fake Keys".into()))));
    h.send(tdaw::engine::EngineCommand::Play);
    let level = |h: &EngineHandle| {
        h.meters()
            .tracks
            .iter()
            .find(|(id, _)| *id == TrackId(1))
            .map_or(0.0, |(_, m)| m.peak[0])
    };
    wait_until("the note plays", || level(&h) > 0.01);
    // CC 7 at 0: the bottom of the fader, silence; at 127: +6 dB.
    assert!(tx.send(&[0xb0, 7, 0]));
    let e = wait_for(&mut h, "the learned move", |e| {
        matches!(e, EngineEvent::Learned { .. })
    });
    assert_eq!(
        e,
        EngineEvent::Learned {
            track: Some(TrackId(1)),
            target: AutomationTarget::Gain,
            value: -144.0
        }
    );
    wait_until("the fader closes", || level(&h) < 1e-5);
    assert!(tx.send(&[0xb0, 7, 127]));
    let e = wait_for(&mut h, "the learned move", |e| {
        matches!(e, EngineEvent::Learned { .. })
    });
    assert!(matches!(e, EngineEvent::Learned { value, .. } if value == 6.0));
    wait_until("the fader opens", || level(&h) > 0.01);
    // A controller nobody bound is passed on for MIDI learn, and moves nothing.
    assert!(tx.send(&[0xb0, 20, 64]));
    let e = wait_for(&mut h, "the controller", |e| {
        matches!(e, EngineEvent::Controller { .. })
    });
    assert_eq!(
        e,
        EngineEvent::Controller {
            channel: 0,
            cc: 20,
            value: 64
        }
    );
}

#[test]
fn recording_through_the_engine_thread_gives_the_notes_played() {
    let p = keys_project(&[]);
    let src = FakeSource::new(&["Fake Keys"]);
    let tx = src.sender();
    let cfg = EngineConfig {
        force_null: true,
        buffer_frames: Some(256),
        ..Default::default()
    };
    let mut h = EngineHandle::start_with_midi(cfg, Arc::new(src)).unwrap();
    let dir = project_dir();
    h.load_project(&p, dir.path());
    wait_for(&mut h, "load", |e| *e == EngineEvent::Loaded);
    h.send(tdaw::engine::EngineCommand::MidiInput(Some(
        "Fake Keys".into(),
    )));
    wait_for(&mut h, "port", |e| {
        matches!(e, EngineEvent::MidiInput(Ok(_)))
    });
    h.send(tdaw::engine::EngineCommand::Record {
        from: 0.0,
        preroll: 0.0,
    });
    wait_until("rolling", || h.status().position_samples > 4_800);
    // Where the transport is when the note is played: the last block start plus the time
    // since it, at most one block (256 frames) off.
    let at = h.status().position_samples;
    assert!(tx.send(&[0x90, 64, 90]));
    std::thread::sleep(Duration::from_millis(50));
    assert!(tx.send(&[0x80, 64, 0]));
    std::thread::sleep(Duration::from_millis(20));
    h.send(tdaw::engine::EngineCommand::Stop);
    let EngineEvent::Recorded(rec) = wait_for(&mut h, "the recording", |e| {
        matches!(e, EngineEvent::Recorded(_))
    }) else {
        unreachable!()
    };
    let ons: Vec<_> = rec
        .events
        .iter()
        .filter(|c| matches!(c.msg, tdaw::engine::midi_in::LiveMessage::NoteOn { .. }))
        .collect();
    assert_eq!(ons.len(), 1);
    // A busy machine may run a late block after the read; the recorded sample is where the
    // playhead was when the note arrived, never before the read.
    assert!(ons[0].sample + 256 >= at, "{} vs {at}", ons[0].sample);
    assert!(
        ons[0].sample < at + RATE as u64 / 4,
        "{} vs {at}",
        ons[0].sample
    );
    assert!(rec.end > ons[0].sample);
}

#[test]
fn devices_says_no_midi_input_without_a_midi_subsystem() {
    if std::path::Path::new("/dev/snd/seq").exists() {
        eprintln!("this machine has an ALSA sequencer: nothing to check");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("tdaw")
        .unwrap()
        .env("TDAW_HOME", home.path())
        .arg("devices")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("MIDI inputs:\n  no MIDI input ("), "{out}");
    let json = assert_cmd::Command::cargo_bin("tdaw")
        .unwrap()
        .env("TDAW_HOME", home.path())
        .args(["devices", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["midi_inputs"], serde_json::json!([]));
    assert!(v["midi_error"]
        .as_str()
        .unwrap()
        .starts_with("no MIDI input ("));
    // And the engine's seam says the same.
    let e = tdaw::engine::midi_in::MidirSource.ports().unwrap_err();
    assert!(e.to_string().starts_with("no MIDI input ("));
}
