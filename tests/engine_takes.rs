//! Take lanes in the engine: clips on lanes ≥ 1 never play — live or in a render — and do not
//! lengthen the render; a project with take lanes renders exactly as the same project without
//! them. Comping a range of take 1 into lane 0 makes that range play take 1's audio.

mod engine_common;

use engine_common::*;
use tdaw::engine::{render_to_wav, BitDepth, RenderOptions};
use tdaw::model::takes::{self, RecordedTake};
use tdaw::model::{Clip, ClipContent, Project, TrackId};

fn render(p: &Project, dir: &std::path::Path, name: &str) -> Vec<f32> {
    let out = dir.join(name);
    let opts = RenderOptions {
        bit_depth: BitDepth::F32,
        sample_rate: None,
        stems: false,
        soundfont: None,
    };
    render_to_wav(p, dir, &out, &opts, &mut |_| {}).unwrap();
    read_wav(&out).0
}

/// A copy of `c` on take lane `lane`, with a fresh id.
fn on_lane(p: &Project, c: &Clip, lane: u32, nth: u64) -> Clip {
    let mut c = c.clone();
    c.id.0 = p.next_clip_id().0 + nth;
    c.lane = lane;
    c
}

#[test]
fn take_lanes_are_silent_and_do_not_change_the_render() {
    let d = project_dir();
    write_wav(
        &d.path().join("audio/a.wav"),
        48_000,
        2,
        true,
        &signal(48_000, 2, 1),
    );
    // A longer take: on a take lane it must not lengthen the render either.
    write_wav(
        &d.path().join("audio/b.wav"),
        48_000,
        2,
        true,
        &signal(3 * 48_000, 2, 2),
    );
    let mut plain = project();
    plain
        .tracks
        .push(audio_track(1, "A", "audio/a.wav", 0.0, 1.0));
    let with_takes = {
        let mut p = plain.clone();
        let b = audio_track(2, "B", "audio/b.wav", 0.0, 3.0).clips[0].clone();
        let c1 = on_lane(&p, &b, 1, 0);
        let c2 = on_lane(&p, &Clip { start: 1.0, ..b }, 2, 1);
        p.tracks[0].clips.push(c1);
        p.tracks[0].clips.push(c2);
        p
    };
    let a = render(&plain, d.path(), "plain.wav");
    let b = render(&with_takes, d.path(), "takes.wav");
    assert_eq!(a.len(), 48_000 * 2, "the render ends with what plays");
    assert_eq!(a, b, "take lanes change nothing in a render");

    // Only take lanes: nothing plays at all.
    let mut silent = with_takes.clone();
    silent.tracks[0].clips.retain(|c| c.lane > 0);
    assert_eq!(silent.end_beat(), 0.0);
    let out = d.path().join("silent.wav");
    let opts = RenderOptions {
        bit_depth: BitDepth::F32,
        sample_rate: None,
        stems: false,
        soundfont: None,
    };
    assert!(
        render_to_wav(&silent, d.path(), &out, &opts, &mut |_| {}).is_err(),
        "nothing to render: take lanes do not play"
    );
}

#[test]
fn three_loop_passes_then_comping_a_range_of_take_1_plays_pass_1_there() {
    let d = project_dir();
    // Three 2 s passes recorded over beats 2–6 (1 s … 3 s), different audio each.
    for i in 1..=3u32 {
        write_wav(
            &d.path().join(format!("audio/p{i}.wav")),
            48_000,
            2,
            true,
            &signal(2 * 48_000, 2, 10 + i),
        );
    }
    let mut p = project();
    p.tracks.push(tdaw::model::Track::new(
        TrackId(1),
        "Vox",
        tdaw::model::TrackKind::Audio,
    ));
    let recorded: Vec<RecordedTake> = (0..3)
        .map(|i| RecordedTake {
            file: format!("audio/p{}.wav", i + 1),
            start: 48_000,
            frames: 96_000,
            pass: i,
        })
        .collect();
    takes::record(&p, TrackId(1), &recorded)
        .unwrap()
        .apply(&mut p)
        .unwrap();
    let t = &p.tracks[0];
    assert_eq!(takes::lane_count(t), 3, "3 take lanes");
    let playing: Vec<&Clip> = t.playing_clips().collect();
    assert_eq!(playing.len(), 1);
    let ClipContent::Audio(a) = &playing[0].content else {
        panic!("audio")
    };
    assert_eq!(a.file, "audio/p3.wav", "lane 0 is the newest");

    // The newest plays: the render from 1 s holds pass 3.
    let newest = render(&p, d.path(), "newest.wav");
    let (p3, _) = read_wav(&d.path().join("audio/p3.wav"));
    assert_eq!(max_diff(&newest[96_000..], &p3), 0.0);

    // Comp beats 3–4 (1.5 s … 2 s) of take 1 into lane 0.
    let take1 = t.clips.iter().find(|c| c.lane == 1).unwrap().id;
    takes::comp(&p, take1, 3.0, 4.0)
        .unwrap()
        .apply(&mut p)
        .unwrap();
    let out = render(&p, d.path(), "comped.wav");
    let (p1, _) = read_wav(&d.path().join("audio/p1.wav"));
    // Frames 72 000 … 96 000 of the render are frames 24 000 … 48 000 of pass 1.
    assert_eq!(max_diff(&out[144_000..192_000], &p1[48_000..96_000]), 0.0);
    // Around it, pass 3 as before.
    assert_eq!(max_diff(&out[96_000..144_000], &p3[..48_000]), 0.0);
    assert_eq!(max_diff(&out[192_000..], &p3[96_000..]), 0.0);
    assert_eq!(out.len(), newest.len());
}
