//! Offline render through the engine graph: the null test, gain and pan laws, sample-accurate
//! MIDI across tempo changes, clip offsets and fades, sends/solo, stems, determinism.

mod engine_common;

use engine_common::*;
use std::sync::{Arc, Mutex};
use tdaw::engine::graph::{ClipMode, Graph, Source};
use tdaw::engine::{render_to_wav, BitDepth, RenderOptions};
use tdaw::model::{
    ClipContent, Send as TrackSend, TempoChange, TempoMap, Track, TrackId, TrackKind,
};

fn opts(depth: BitDepth) -> RenderOptions {
    RenderOptions {
        bit_depth: depth,
        sample_rate: None,
        stems: false,
        soundfont: None,
    }
}

fn render(
    p: &tdaw::model::Project,
    dir: &std::path::Path,
    name: &str,
    o: &RenderOptions,
) -> Vec<f32> {
    let out = dir.join(name);
    render_to_wav(p, dir, &out, o, &mut |_| {}).unwrap();
    read_wav(&out).0
}

#[test]
fn null_test_stereo_track_renders_unchanged_in_32f() {
    let d = project_dir();
    let src = signal(96_000, 2, 1);
    write_wav(&d.path().join("audio/a.wav"), 48_000, 2, false, &src);
    let mut p = project();
    p.tracks.push(audio_track(1, "A", "audio/a.wav", 0.0, 2.0));
    let out = render(&p, d.path(), "out.wav", &opts(BitDepth::F32));
    let (source, _) = read_wav(&d.path().join("audio/a.wav"));
    assert_eq!(out.len(), source.len(), "no tail for audio-only projects");
    let diff = max_diff(&out, &source);
    let db = 20.0 * (diff.max(1e-12)).log10();
    assert!(db < -90.0, "render differs from the source by {db} dBFS");
    assert!(out.iter().any(|&x| x.abs() > 0.3));
}

#[test]
fn fader_at_minus_6_02_db_halves_the_signal_and_mono_centre_is_minus_3_01_db() {
    let d = project_dir();
    let mono = signal(48_000, 1, 2);
    write_wav(&d.path().join("audio/m.wav"), 48_000, 1, true, &mono);
    let stereo = signal(48_000, 2, 3);
    write_wav(&d.path().join("audio/s.wav"), 48_000, 2, true, &stereo);

    // Stereo at -6.0206 dB: both sides exactly half.
    let mut p = project();
    let mut t = audio_track(1, "S", "audio/s.wav", 0.0, 1.0);
    t.gain_db = -6.0206;
    p.tracks.push(t);
    let out = render(&p, d.path(), "gain.wav", &opts(BitDepth::F32));
    for (o, s) in out.iter().zip(&stereo).skip(1000) {
        assert!((o - s * 0.5).abs() < 1e-5, "{o} vs {}", s * 0.5);
    }

    // Mono at centre: -3.01 dB on each side.
    let mut p = project();
    p.tracks.push(audio_track(1, "M", "audio/m.wav", 0.0, 1.0));
    let out = render(&p, d.path(), "mono.wav", &opts(BitDepth::F32));
    let g = 10f32.powf(-3.0103 / 20.0);
    for (i, s) in mono.iter().enumerate() {
        assert!((out[2 * i] - s * g).abs() < 1e-5);
        assert!((out[2 * i + 1] - s * g).abs() < 1e-5);
    }

    // Mono hard left: all in the left channel at unity.
    let mut p = project();
    let mut t = audio_track(1, "M", "audio/m.wav", 0.0, 1.0);
    t.pan = -1.0;
    p.tracks.push(t);
    let out = render(&p, d.path(), "left.wav", &opts(BitDepth::F32));
    for (i, s) in mono.iter().enumerate().skip(100) {
        assert!((out[2 * i] - s).abs() < 1e-5);
        assert!(out[2 * i + 1].abs() < 1e-5);
    }

    // Stereo balance half right: left at 0.5, right untouched.
    let mut p = project();
    let mut t = audio_track(1, "S", "audio/s.wav", 0.0, 1.0);
    t.pan = 0.5;
    p.tracks.push(t);
    let out = render(&p, d.path(), "bal.wav", &opts(BitDepth::F32));
    for i in 1000..48_000 {
        assert!((out[2 * i] - stereo[2 * i] * 0.5).abs() < 1e-5);
        assert!((out[2 * i + 1] - stereo[2 * i + 1]).abs() < 1e-6);
    }
}

/// Samples processed so far, and (sample, pitch) of every note-on.
use engine_common::recorder::Recorder;

/// Seconds at `beat` for 120 BPM to beat 4, 90 to beat 9, then 150 — computed by hand.
fn seconds(beat: f64) -> f64 {
    if beat <= 4.0 {
        beat * 0.5
    } else if beat <= 9.0 {
        2.0 + (beat - 4.0) * 60.0 / 90.0
    } else {
        2.0 + 5.0 * 60.0 / 90.0 + (beat - 9.0) * 60.0 / 150.0
    }
}

#[test]
fn midi_notes_start_on_the_exact_sample_across_tempo_changes() {
    let d = project_dir();
    let mut p = project();
    p.tempo = TempoMap::from_changes(vec![
        TempoChange {
            beat: 0.0,
            bpm: 120.0,
        },
        TempoChange {
            beat: 4.0,
            bpm: 90.0,
        },
        TempoChange {
            beat: 9.0,
            bpm: 150.0,
        },
    ]);
    let beats = [0.0, 1.5, 3.999, 4.0, 6.25, 8.75, 9.0, 10.75, 13.1];
    let notes: Vec<(u8, f64, f64)> = beats
        .iter()
        .enumerate()
        .map(|(i, &b)| (60 + i as u8, b, 0.1))
        .collect();
    p.tracks.push(midi_track(1, "pluck", 16.0, &notes));
    for rate in [44_100u32, 48_000] {
        p.sample_rate = rate;
        let mut g = Graph::compile(&p, d.path(), rate, ClipMode::Direct, None, true)
            .unwrap()
            .graph;
        let rec = Arc::new(Mutex::new((0u64, Vec::new())));
        match &mut g.tracks[0].source {
            Source::Instrument { instrument, .. } => {
                *instrument = Some(Box::new(Recorder { log: rec.clone() }))
            }
            _ => panic!("not an instrument track"),
        }
        let mut pos = 0;
        // Odd block sizes so notes fall inside blocks, not on their edges.
        while pos < g.end + 1000 {
            pos += g.process(pos, 333, true, false).unwrap() as u64;
        }
        let got = rec.lock().unwrap().1.clone();
        assert_eq!(got.len(), beats.len());
        for (i, &b) in beats.iter().enumerate() {
            let want = (seconds(b) * rate as f64).round() as u64;
            assert_eq!(got[i], (want, 60 + i as u8), "beat {b} at {rate} Hz");
        }
    }
}

#[test]
fn a_synth_note_is_silent_before_its_sample_and_sounds_right_after() {
    let d = project_dir();
    let mut p = project();
    p.tracks
        .push(midi_track(1, "lead", 4.0, &[(69, 1.25, 2.75)]));
    let out = render(&p, d.path(), "n.wav", &opts(BitDepth::F32));
    let at = (1.25 * 0.5 * 48_000.0f64).round() as usize;
    assert!(
        out[..2 * at].iter().all(|&x| x == 0.0),
        "sound before the note"
    );
    assert!(
        out[2 * at..2 * (at + 256)].iter().any(|&x| x.abs() > 1e-4),
        "no sound after the note"
    );
    // The tail rings past the clip end and then stops.
    let clip_end = (4.0 * 0.5 * 48_000.0) as usize;
    assert!(out.len() / 2 > clip_end);
}

#[test]
fn clip_offset_start_and_fades_are_sample_exact() {
    let d = project_dir();
    let src = signal(96_000, 2, 4);
    write_wav(&d.path().join("audio/a.wav"), 48_000, 2, true, &src);
    let mut p = project();
    let mut t = audio_track(1, "A", "audio/a.wav", 2.0, 1.0); // beat 2 = 1 s at 120 BPM
    if let ClipContent::Audio(a) = &mut t.clips[0].content {
        a.offset = 0.25;
        a.fade_in = 0.01;
        a.gain_db = -6.0206;
    }
    p.tracks.push(t);
    let out = render(&p, d.path(), "o.wav", &opts(BitDepth::F32));
    assert_eq!(out.len() / 2, 48_000 + 48_000);
    assert!(out[..2 * 48_000].iter().all(|&x| x == 0.0));
    let fade = 480;
    for k in 0..48_000usize {
        let env = if k < fade {
            k as f32 / fade as f32
        } else {
            1.0
        };
        for c in 0..2 {
            let want = src[2 * (12_000 + k) + c] * 0.5 * env;
            let got = out[2 * (48_000 + k) + c];
            assert!(
                (got - want).abs() < 1e-5,
                "frame {k} ch {c}: {got} vs {want}"
            );
        }
    }
}

fn bus(id: u64) -> Track {
    Track::new(TrackId(id), "Bus", TrackKind::Bus)
}

#[test]
fn sends_reach_the_bus_and_solo_keeps_buses() {
    let d = project_dir();
    let a = signal(48_000, 2, 5);
    let b = signal(48_000, 2, 6);
    write_wav(&d.path().join("audio/a.wav"), 48_000, 2, true, &a);
    write_wav(&d.path().join("audio/b.wav"), 48_000, 2, true, &b);
    let mut p = project();
    let mut ta = audio_track(1, "A", "audio/a.wav", 0.0, 1.0);
    ta.sends.push(TrackSend {
        to: TrackId(3),
        level_db: -6.0206,
        pre_fader: false,
    });
    p.tracks.push(ta);
    p.tracks.push(audio_track(2, "B", "audio/b.wav", 0.0, 1.0));
    p.tracks.push(bus(3));
    // A direct + A×0.5 via the bus + B.
    let out = render(&p, d.path(), "all.wav", &opts(BitDepth::F32));
    for i in (0..96_000).step_by(7) {
        assert!((out[i] - (a[i] * 1.5 + b[i])).abs() < 1e-5);
    }
    // Solo A: B goes quiet, the bus (solo-safe) still carries A's send.
    p.tracks[0].solo = true;
    let out = render(&p, d.path(), "solo.wav", &opts(BitDepth::F32));
    for i in (0..96_000).step_by(7) {
        assert!((out[i] - a[i] * 1.5).abs() < 1e-5);
    }
    // Mute A: nothing of A, not even through its send.
    p.tracks[0].solo = false;
    p.tracks[0].mute = true;
    let out = render(&p, d.path(), "mute.wav", &opts(BitDepth::F32));
    for i in (0..96_000).step_by(7) {
        assert!((out[i] - b[i]).abs() < 1e-5);
    }
}

#[test]
fn stems_sum_to_the_mix_and_are_named_by_track() {
    let d = project_dir();
    write_wav(
        &d.path().join("audio/a.wav"),
        48_000,
        2,
        true,
        &signal(24_000, 2, 7),
    );
    write_wav(
        &d.path().join("audio/b.wav"),
        48_000,
        1,
        true,
        &signal(24_000, 1, 8),
    );
    let mut p = project();
    p.tracks
        .push(audio_track(1, "Drums", "audio/a.wav", 0.0, 0.5));
    let mut b = audio_track(2, "Bass line", "audio/b.wav", 0.5, 0.5);
    b.pan = 0.3;
    p.tracks.push(b);
    let o = RenderOptions {
        stems: true,
        ..opts(BitDepth::F32)
    };
    let out = d.path().join("mix.wav");
    let report = render_to_wav(&p, d.path(), &out, &o, &mut |_| {}).unwrap();
    assert_eq!(report.stems.len(), 2);
    assert!(report.stems[0].ends_with("mix-01-Drums.wav"));
    assert!(report.stems[1].ends_with("mix-02-Bass_line.wav"));
    let mix = read_wav(&out).0;
    let s1 = read_wav(&report.stems[0]).0;
    let s2 = read_wav(&report.stems[1]).0;
    assert_eq!(mix.len(), s1.len());
    for i in 0..mix.len() {
        assert!((mix[i] - (s1[i] + s2[i])).abs() < 1e-6);
    }
    assert!(report.integrated_lufs.is_some());
    assert!(report.peak_dbfs < 0.0);
}

#[test]
fn rendering_twice_gives_bit_identical_files() {
    let d = project_dir();
    write_wav(
        &d.path().join("audio/a.wav"),
        48_000,
        2,
        false,
        &signal(48_000, 2, 9),
    );
    let mut p = project();
    let mut a = audio_track(1, "A", "audio/a.wav", 1.0, 1.0);
    a.sends.push(TrackSend {
        to: TrackId(4),
        level_db: -3.0,
        pre_fader: true,
    });
    p.tracks.push(a);
    p.tracks.push(midi_track(
        2,
        "pad",
        4.0,
        &[(60, 0.0, 2.0), (64, 0.5, 2.0), (67, 1.0, 3.0)],
    ));
    let mut drums = midi_track(
        3,
        "drums",
        4.0,
        &[(36, 0.0, 0.5), (38, 1.0, 0.5), (42, 1.5, 0.25)],
    );
    drums.gain_db = -4.0;
    p.tracks.push(drums);
    p.tracks.push(bus(4));
    for depth in [BitDepth::I16, BitDepth::I24] {
        let o = opts(depth);
        render_to_wav(&p, d.path(), &d.path().join("r1.wav"), &o, &mut |_| {}).unwrap();
        render_to_wav(&p, d.path(), &d.path().join("r2.wav"), &o, &mut |_| {}).unwrap();
        let a = std::fs::read(d.path().join("r1.wav")).unwrap();
        let b = std::fs::read(d.path().join("r2.wav")).unwrap();
        assert!(a.len() > 48_000 * 4);
        assert!(a == b, "{depth:?} renders differ");
    }
}

#[test]
fn sixteen_bit_output_is_dithered_within_one_lsb() {
    let d = project_dir();
    let src = signal(48_000, 2, 10);
    write_wav(&d.path().join("audio/a.wav"), 48_000, 2, true, &src);
    let mut p = project();
    p.tracks.push(audio_track(1, "A", "audio/a.wav", 0.0, 1.0));
    let out = render(&p, d.path(), "d.wav", &opts(BitDepth::I16));
    let lsb = 1.0 / 32_768.0;
    let mut sum = 0.0f64;
    let mut changed = 0;
    for (o, s) in out.iter().zip(&src) {
        let err = o - s;
        assert!(err.abs() <= 1.5 * lsb + 1e-7, "error {err}");
        sum += err as f64;
        if (o - (s * 32_768.0).round() / 32_768.0).abs() > 1e-9 {
            changed += 1;
        }
    }
    // Unbiased, and the dither really moves samples off plain rounding.
    assert!((sum / out.len() as f64).abs() < 0.05 * lsb as f64);
    assert!(changed > out.len() / 10);
}

#[test]
fn render_at_another_rate_keeps_duration_and_pitch() {
    let d = project_dir();
    // A 1 kHz sine, 1 s.
    let sine: Vec<f32> = (0..48_000)
        .flat_map(|i| {
            let s = 0.5 * (i as f32 / 48.0 * std::f32::consts::TAU).sin();
            [s, s]
        })
        .collect();
    write_wav(&d.path().join("audio/a.wav"), 48_000, 2, true, &sine);
    let mut p = project();
    p.tracks.push(audio_track(1, "A", "audio/a.wav", 0.0, 1.0));
    let o = RenderOptions {
        sample_rate: Some(44_100),
        ..opts(BitDepth::F32)
    };
    let out_path = d.path().join("r.wav");
    let report = render_to_wav(&p, d.path(), &out_path, &o, &mut |_| {}).unwrap();
    let (out, spec) = read_wav(&out_path);
    assert_eq!(spec.sample_rate, 44_100);
    assert_eq!(report.frames, 44_100);
    assert_eq!(out.len(), 2 * 44_100);
    // Zero crossings in the middle: 1 kHz → 2 per ms.
    let left: Vec<f32> = out.iter().step_by(2).copied().collect();
    let mid = &left[4_410..39_690];
    let crossings = mid.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    assert!((799..=801).contains(&crossings), "{crossings}");
    let peak = mid.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!((peak - 0.5).abs() < 0.01, "{peak}");
}

#[test]
fn an_empty_project_is_an_error_not_a_silent_file() {
    let d = project_dir();
    let p = project();
    let out = d.path().join("x.wav");
    let e = render_to_wav(&p, d.path(), &out, &opts(BitDepth::I24), &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("nothing to render"));
    assert!(!out.exists());
}
