//! Memory bounds for big projects, counted by a counting allocator (deterministic, unlike
//! RSS): reading and writing a project of many notes takes a small multiple of its text, and
//! audio tracks hold a stream ring and open files only while a clip is near the playhead.
//! `scripts/bench_memory.sh` measures the same on the real binary (peak RSS, open fds).

mod counting_alloc;
mod engine_common;

use counting_alloc::{CURRENT, PEAK};
use engine_common::*;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::Mutex;
use tdaw::engine::clips::ClipLayer;
use tdaw::engine::graph::{ClipMode, Graph, MAX_BLOCK};
use tdaw::engine::meters::SharedStatus;
use tdaw::engine::stream::stream_pair;
use tdaw::model::*;

/// The allocator counts every thread: tests that measure take turns.
static MEASURE: Mutex<()> = Mutex::new(());

/// Heap in use at most while `f` runs, above what was in use before.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(SeqCst);
    PEAK.store(base, SeqCst);
    let out = f();
    (out, PEAK.load(SeqCst).saturating_sub(base))
}

/// 200,000 notes in 100 clips on 4 tracks, with triplet values as MIDI imports make.
fn big_project() -> Project {
    let mut p = Project::new("big", 48_000, 120.0);
    let mut id = 1;
    for t in 0..4u64 {
        let mut track = Track::new(TrackId(t + 1), format!("T{t}"), TrackKind::Midi);
        for c in 0..25 {
            track.clips.push(Clip {
                id: ClipId(id),
                name: String::new(),
                start: c as f64 * 1000.0,
                lane: 0,
                take: None,
                content: ClipContent::Midi(MidiClip {
                    length: 1000.0,
                    offset: 0.0,
                    controllers: Vec::new(),
                    notes: (0..2000)
                        .map(|n| Note {
                            pitch: 36 + (n % 60) as u8,
                            start: n as f64 / 3.0,
                            length: 0.25 + (n % 4) as f64 / 3.0,
                            velocity: 1 + (n % 127) as u8,
                            channel: 0,
                        })
                        .collect(),
                }),
            });
            id += 1;
        }
        p.tracks.push(track);
    }
    p
}

#[test]
fn a_big_project_reads_and_writes_in_a_small_multiple_of_its_text() {
    let _turn = MEASURE.lock().unwrap_or_else(|e| e.into_inner());
    let p = big_project();
    let (text, save_peak) = peak_during(|| tdaw::store::format::to_toml(&p).unwrap());
    let (back, load_peak) = peak_during(|| tdaw::store::format::from_str(&text).unwrap());
    assert_eq!(back, p);
    let mb = |b: usize| b as f64 / 1e6;
    eprintln!(
        "text {:.1} MB: load peak {:.1} MB, save peak {:.1} MB",
        mb(text.len()),
        mb(load_peak),
        mb(save_peak)
    );
    // The notes themselves are 24 bytes each (4.8 MB here); a TOML tree took ~10x the text.
    assert!(
        load_peak < text.len() * 3 / 2,
        "load took {:.1} MB for {:.1} MB of text",
        mb(load_peak),
        mb(text.len())
    );
    // The text (with its growth), one copy of the notes and a small tree.
    assert!(
        save_peak < text.len() * 3,
        "save took {:.1} MB for {:.1} MB of text",
        mb(save_peak),
        mb(text.len())
    );
}

#[test]
fn tracks_hold_a_ring_and_files_only_near_the_playhead() {
    let _turn = MEASURE.lock().unwrap_or_else(|e| e.into_inner());
    let d = project_dir();
    write_wav(
        &d.path().join("audio/a.wav"),
        48_000,
        2,
        false,
        &signal(48_000, 2, 7),
    );
    // 400 tracks, track i with one 1-s clip at beat i (0.5 s apart at 120 BPM).
    let mut p = project();
    for i in 0..400u64 {
        p.tracks
            .push(audio_track(i + 1, "A", "audio/a.wav", i as f64, 1.0));
    }
    let c = Graph::compile(&p, d.path(), 48_000, ClipMode::Streamed, None, true).unwrap();
    let status = SharedStatus::default();
    status.position.store(48_000 * 50, SeqCst);
    let ((producers, consumers), heap) = peak_during(|| {
        let mut producers = Vec::new();
        let mut consumers = Vec::new();
        for (_, layer) in c.layers {
            let (mut prod, cons) = stream_pair(layer, 48_000, 1.0, 48_000 * 50, MAX_BLOCK);
            prod.fill(&status).unwrap();
            producers.push(prod);
            consumers.push(cons);
        }
        (producers, consumers)
    });
    let rings = producers.iter().filter(|p| p.has_ring()).count();
    let files: usize = producers.iter().map(|p| p.open_files()).sum();
    eprintln!("400 tracks at 50 s: {rings} rings, {files} files, {heap} bytes");
    // Clips at 49.5..51 s play or start within the 1-s look-ahead: 5 tracks, not 400.
    assert!((3..=6).contains(&rings), "{rings} tracks hold a ring");
    assert!(files <= rings, "{files} files open");
    // A 1-s stereo ring is 384 KB: 400 of them were 150 MB.
    assert!(heap < 8_000_000, "{heap} bytes for 400 streams");
    drop(consumers);
}

#[test]
fn a_stream_gives_its_ring_back_between_clips_and_plays_every_sample() {
    let _turn = MEASURE.lock().unwrap_or_else(|e| e.into_inner());
    let d = project_dir();
    let src = signal(48_000 * 2, 2, 3);
    write_wav(&d.path().join("audio/a.wav"), 48_000, 2, true, &src);
    // Clips at 0 s and 6 s (beats 0 and 12), 2 s each: a 4-s gap between them.
    let mut p = project();
    let mut t = audio_track(1, "A", "audio/a.wav", 0.0, 2.0);
    let mut second = t.clips[0].clone();
    second.id = ClipId(2);
    second.start = 12.0;
    t.clips.push(second);
    p.tracks.push(t);
    let track = &p.tracks[0];
    let layer = ClipLayer::compile(&p, track, d.path(), 48_000).unwrap();
    let mut direct = ClipLayer::compile(&p, track, d.path(), 48_000).unwrap();
    let (mut prod, mut cons) = stream_pair(layer, 48_000, 1.0, 0, MAX_BLOCK);
    let status = SharedStatus::default();
    let block = 512;
    let (mut l, mut r) = (vec![0.0; block], vec![0.0; block]);
    let (mut dl, mut dr) = (vec![0.0; block], vec![0.0; block]);
    let mut released_in_gap = false;
    let mut underruns = 0;
    for b in 0..(48_000 * 9 / block) {
        let pos = (b * block) as u64;
        status.position.store(pos, SeqCst);
        prod.fill(&status).unwrap();
        if !cons.read(pos, &mut l, &mut r) {
            underruns += 1;
        }
        direct.render(pos, &mut dl, &mut dr).unwrap();
        assert_eq!((&l, &r), (&dl, &dr), "block at {pos}");
        let secs = pos as f64 / 48_000.0;
        if (3.5..4.5).contains(&secs) && !prod.has_ring() {
            released_in_gap = true;
            assert_eq!(prod.open_files(), 0, "files close with the ring");
        }
    }
    assert!(released_in_gap, "the ring went back in the gap");
    assert!(prod.has_ring() || underruns == 0);
    assert_eq!(underruns, 0, "the ring came back before the second clip");
}
