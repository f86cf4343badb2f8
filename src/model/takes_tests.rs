use super::*;
use proptest::prelude::*;

const RATE: u32 = 48_000;

fn project() -> Project {
    let mut p = Project::new("t", RATE, 120.0);
    p.tracks
        .push(Track::new(TrackId(1), "Vox", TrackKind::Audio));
    p
}

/// An audio clip of `file` at timeline sample `start`, `len` frames from file frame `offset`.
fn audio(id: u64, lane: u32, file: &str, start: u64, len: u64, offset: u64) -> Clip {
    let r = RATE as f64;
    Clip {
        id: ClipId(id),
        name: String::new(),
        start: TempoMap::constant(120.0).sample_to_beat(start, RATE),
        lane,
        take: None,
        content: ClipContent::Audio(AudioClip {
            file: file.into(),
            offset: offset as f64 / r,
            length: len as f64 / r,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }),
    }
}

use super::super::TempoMap;

/// (lane, file, start, len, offset) of every audio clip of track 0, sorted.
fn spans(p: &Project) -> Vec<(u32, String, u64, u64, u64)> {
    let mut v: Vec<_> = p.tracks[0]
        .clips
        .iter()
        .map(|c| {
            let ClipContent::Audio(a) = &c.content else {
                unreachable!("audio tracks only here")
            };
            let s = span(p, c, a);
            (c.lane, a.file.clone(), s.start, s.len, s.offset)
        })
        .collect();
    v.sort();
    v
}

/// Every (file, file frame → timeline frame) pair some clip holds, any lane.
fn material(p: &Project) -> std::collections::BTreeSet<(String, i128, u64)> {
    let mut set = std::collections::BTreeSet::new();
    for (_, f, start, len, off) in spans(p) {
        for k in 0..len {
            set.insert((f.clone(), start as i128 - off as i128, off + k));
        }
    }
    set
}

fn applied(p: &Project, e: Edit) -> Project {
    let mut q = p.clone();
    let undo = e.apply(&mut q).expect("the edit applies");
    let mut back = q.clone();
    undo.apply(&mut back).expect("the undo applies");
    assert_eq!(&back, p, "one undo restores the project exactly");
    q
}

#[test]
fn a_punch_splits_the_old_clip_and_keeps_the_outside_exact() {
    let mut p = project();
    // Old clip: 4 s of old.wav from file frame 1000, starting at 0.5 s.
    p.tracks[0]
        .clips
        .push(audio(1, 0, "audio/old.wav", 24_000, 192_000, 1_000));
    let take = RecordedTake {
        file: "audio/new.wav".into(),
        start: 96_000,
        frames: 48_000,
        pass: 0,
    };
    let q = applied(&p, record(&p, TrackId(1), &[take]).unwrap());
    assert_eq!(
        spans(&q),
        vec![
            // Left part: same start and file offset, cut where the punch starts.
            (0, "audio/new.wav".into(), 96_000, 48_000, 0),
            (0, "audio/old.wav".into(), 24_000, 72_000, 1_000),
            // Right part: from the punch's end, the file frames that played there before.
            (0, "audio/old.wav".into(), 144_000, 72_000, 1_000 + 120_000),
            // The covered part is kept on a take lane.
            (1, "audio/old.wav".into(), 96_000, 48_000, 1_000 + 72_000),
        ]
    );
    // The left part is the old clip itself (same id), only shorter.
    let left = q.tracks[0].clip(ClipId(1)).unwrap();
    assert_eq!(left.start, p.tracks[0].clips[0].start);
    assert!(material(&q).is_superset(&material(&p)));
}

#[test]
fn loop_passes_go_on_lanes_and_the_newest_plays() {
    let p = project();
    let takes: Vec<RecordedTake> = (0..3)
        .map(|i| RecordedTake {
            file: format!("audio/take-{}.wav", i + 1),
            start: 48_000,
            frames: 96_000,
            pass: i,
        })
        .collect();
    let q = applied(&p, record(&p, TrackId(1), &takes).unwrap());
    let s = spans(&q);
    assert_eq!(s.len(), 4);
    assert_eq!(s[0], (0, "audio/take-3.wav".into(), 48_000, 96_000, 0));
    for i in 0..3u32 {
        assert_eq!(
            s[i as usize + 1],
            (
                i + 1,
                format!("audio/take-{}.wav", i + 1),
                48_000,
                96_000,
                0
            )
        );
    }
    assert_eq!(lane_count(&q.tracks[0]), 3);
    assert!(q.tracks[0].clips.iter().all(|c| c.take.is_some()));
}

#[test]
fn choosing_a_take_moves_what_played_to_a_lane_or_drops_a_copy() {
    let p = project();
    let takes: Vec<RecordedTake> = (0..2)
        .map(|i| RecordedTake {
            file: format!("audio/t{}.wav", i + 1),
            start: 0,
            frames: 96_000,
            pass: i,
        })
        .collect();
    let q = applied(&p, record(&p, TrackId(1), &takes).unwrap());
    let take1 = q.tracks[0].clips.iter().find(|c| c.lane == 1).unwrap().id;
    let r = applied(&q, choose(&q, take1).unwrap());
    // Lane 0 now plays take 1; take 2's copy on lane 0 went (lane 2 still holds it).
    assert_eq!(
        spans(&r),
        vec![
            (0, "audio/t1.wav".into(), 0, 96_000, 0),
            (1, "audio/t1.wav".into(), 0, 96_000, 0),
            (2, "audio/t2.wav".into(), 0, 96_000, 0),
        ]
    );
    // Choosing it again changes nothing that plays.
    let again = applied(&r, choose(&r, take1).unwrap());
    assert_eq!(spans(&again), spans(&r));
}

#[test]
fn comping_a_range_splits_at_its_ends() {
    let mut p = project();
    p.tracks[0]
        .clips
        .push(audio(1, 0, "audio/a.wav", 0, 192_000, 0));
    p.tracks[0]
        .clips
        .push(audio(2, 1, "audio/b.wav", 0, 192_000, 0));
    // Beats 1..2 at 120 bpm = samples 24 000..48 000.
    let q = applied(&p, comp(&p, ClipId(2), 1.0, 2.0).unwrap());
    assert_eq!(
        spans(&q),
        vec![
            (0, "audio/a.wav".into(), 0, 24_000, 0),
            (0, "audio/a.wav".into(), 48_000, 144_000, 48_000),
            (0, "audio/b.wav".into(), 24_000, 24_000, 24_000),
            (1, "audio/b.wav".into(), 0, 192_000, 0),
            (2, "audio/a.wav".into(), 24_000, 24_000, 24_000),
        ]
    );
    let comped = comped_ranges(&q, &q.tracks[0], q.tracks[0].clip(ClipId(2)).unwrap());
    assert_eq!(comped, vec![(24_000, 48_000)]);
    assert!(material(&q).is_superset(&material(&p)));
    // Bad input: lane 0, unknown, outside the take.
    assert_eq!(comp(&p, ClipId(1), 0.0, 1.0), Err(TakeError::NotATake(1)));
    assert_eq!(choose(&p, ClipId(9)), Err(TakeError::NoClip(9)));
    assert!(matches!(
        comp(&p, ClipId(2), 40.0, 50.0),
        Err(TakeError::OutsideClip { .. })
    ));
}

#[test]
fn deleting_a_take_is_one_undoable_step() {
    let mut p = project();
    p.tracks[0]
        .clips
        .push(audio(1, 0, "audio/a.wav", 0, 1_000, 0));
    p.tracks[0]
        .clips
        .push(audio(2, 1, "audio/b.wav", 0, 1_000, 0));
    let q = applied(&p, delete(&p, ClipId(2)).unwrap());
    assert_eq!(q.tracks[0].clips.len(), 1);
    assert_eq!(delete(&p, ClipId(1)), Err(TakeError::NotATake(1)));
}

#[test]
fn take_lanes_round_trip_through_toml_and_lane_0_is_not_written() {
    let mut p = project();
    p.tracks[0]
        .clips
        .push(audio(1, 0, "audio/a.wav", 0, 1_000, 0));
    let mut c = audio(2, 3, "audio/b.wav", 0, 1_000, 0);
    c.take = Some(2);
    p.tracks[0].clips.push(c);
    let text = toml::to_string(&p).unwrap();
    assert_eq!(text.matches("lane = ").count(), 1, "{text}");
    assert!(
        text.contains("lane = 3") && text.contains("take = 2"),
        "{text}"
    );
    let back: Project = toml::from_str(&text).unwrap();
    assert_eq!(back, p);
}

proptest! {
    /// Whatever is chosen or comped, no file frame that some clip held is lost, lane 0 never
    /// overlaps itself where it did not before, and one undo restores the project.
    #[test]
    fn nothing_is_lost(
        old in prop::collection::vec((0u64..20, 1u64..10, 0u64..5), 1..4),
        passes in 1usize..4,
        punch in (0u64..20, 1u64..10),
        ops in prop::collection::vec((0usize..8, 0u64..30, 1u64..10, any::<bool>()), 0..5),
    ) {
        const U: u64 = 48; // 1 ms units
        let mut p = project();
        // Lane 0 holds non-overlapping old clips.
        let mut at = 0;
        for (i, (gap, len, off)) in old.into_iter().enumerate() {
            at += gap * U;
            p.tracks[0].clips.push(audio(i as u64 + 1, 0, &format!("audio/o{i}.wav"), at, len * U, off * U));
            at += len * U;
        }
        let takes: Vec<RecordedTake> = (0..passes as u32).map(|i| RecordedTake {
            file: format!("audio/p{i}.wav"),
            start: punch.0 * U,
            frames: punch.1 * U,
            pass: i,
        }).collect();
        let mut q = applied(&p, record(&p, TrackId(1), &takes).unwrap());
        prop_assert!(material(&q).is_superset(&material(&p)));
        for (pick, from, len, whole) in ops {
            let lanes: Vec<ClipId> = q.tracks[0].clips.iter().filter(|c| c.lane > 0).map(|c| c.id).collect();
            if lanes.is_empty() { break; }
            let id = lanes[pick % lanes.len()];
            let e = if whole {
                choose(&q, id)
            } else {
                let b = |s: u64| q.tempo.sample_to_beat(s * U, RATE);
                comp(&q, id, b(from), b(from + len))
            };
            let Ok(e) = e else { continue };
            let r = applied(&q, e);
            prop_assert!(material(&r).is_superset(&material(&q)));
            // Lane 0 never overlaps itself.
            let mut l0: Vec<(u64, u64)> = spans(&r).into_iter().filter(|s| s.0 == 0).map(|s| (s.2, s.2 + s.3)).collect();
            l0.sort();
            prop_assert!(l0.windows(2).all(|w| w[0].1 <= w[1].0), "{l0:?}");
            q = r;
        }
    }
}

#[test]
fn with_every_take_lane_taken_a_recording_still_lands() {
    let mut p = project();
    p.tracks[0]
        .clips
        .push(audio(1, 0, "audio/old.wav", 0, 96_000, 0));
    for lane in 1..=MAX_LANE {
        p.tracks[0]
            .clips
            .push(audio(lane as u64 + 1, lane, "audio/x.wav", 0, 96_000, 0));
    }
    let take = RecordedTake {
        file: "audio/new.wav".into(),
        start: 24_000,
        frames: 24_000,
        pass: 0,
    };
    let q = applied(&p, record(&p, TrackId(1), &[take]).unwrap());
    let new: Vec<_> = spans(&q)
        .into_iter()
        .filter(|s| s.1 == "audio/new.wav")
        .collect();
    assert_eq!(new, [(0, "audio/new.wav".into(), 24_000, 24_000, 0)]);
    assert_eq!(q.tracks[0].clips.len(), p.tracks[0].clips.len() + 1);
}
