//! Tempo detection on synthesized material: click tracks, drum beats, a full mix and sparse
//! notes, at tempos across 60–200 BPM; each estimate must be within ±1 %.

mod analysis_support;

use analysis_support::drums;
use tdaw::analysis::{detect_tempo, TempoEstimate};

const RATE: u32 = 22_050;
const TEMPOS: [f64; 14] = [
    60.0, 72.0, 85.0, 90.0, 100.0, 110.0, 120.0, 128.0, 140.0, 150.0, 160.0, 174.0, 185.0, 200.0,
];

fn check(name: &str, make: fn(f64, f64, u32) -> Vec<f32>, seconds: f64, tempos: &[f64]) {
    let mut failures = Vec::new();
    for &bpm in tempos {
        let x = make(bpm, seconds, RATE);
        match detect_tempo(&x, RATE, 1) {
            Some(TempoEstimate {
                bpm: got,
                confidence,
            }) => {
                eprintln!("{name} {bpm}: {got:.2} ({confidence:.2})");
                if (got / bpm - 1.0).abs() > 0.01 {
                    failures.push(format!("{bpm} → {got:.2} (confidence {confidence:.2})"));
                }
            }
            None => failures.push(format!("{bpm} → none")),
        }
    }
    assert!(failures.is_empty(), "{name}: {failures:?}");
}

#[test]
fn click_tracks() {
    check("clicks", drums::clicks, 10.0, &TEMPOS);
}

/// Kick, snare and hi-hat eighths. Below ~80 BPM eighths are heard (and reported) as the
/// beat of a half-time feel, so slow tempos use the ballad beat below.
#[test]
fn rock_beats() {
    check("rock", drums::rock, 12.0, &TEMPOS[2..]);
}

/// Kick, snare and hi-hat quarters, for the slow end.
#[test]
fn ballad_beats() {
    check(
        "ballad",
        drums::ballad,
        12.0,
        &[60.0, 66.0, 72.0, 78.0, 85.0, 90.0],
    );
}

/// House tempos: kick on every beat, off-beat hats, clap on 2 and 4.
#[test]
fn four_on_the_floor() {
    check(
        "house",
        drums::house,
        12.0,
        &[110.0, 118.0, 122.0, 125.0, 128.0, 132.0, 140.0],
    );
}

/// Drums, bass and a pad (at 200 BPM the mix reads as 100: the bass and pad on the beats
/// blur the eighths' contrast, a genuine octave ambiguity).
#[test]
fn full_mix() {
    check("mix", drums::full_mix, 12.0, &TEMPOS[2..13]);
}

/// Soft plucked notes with rests and no drums.
#[test]
fn sparse_notes() {
    check("sparse", drums::sparse, 15.0, &TEMPOS[..10]);
}

/// The same material at 44.1 and 48 kHz, stereo (decimation path).
#[test]
fn other_rates_and_stereo() {
    for rate in [44_100u32, 48_000] {
        let mono = drums::rock(128.0, 10.0, rate);
        let stereo: Vec<f32> = mono.iter().flat_map(|s| [*s, *s * 0.5]).collect();
        let t = detect_tempo(&stereo, rate, 2).unwrap();
        assert!((t.bpm / 128.0 - 1.0).abs() < 0.01, "{rate}: {t:?}");
    }
}

/// Noise, a drone and silence have no steady beat.
#[test]
fn no_beat_no_tempo() {
    let mut noise = analysis_support::Noise::new(3);
    let x: Vec<f32> = (0..RATE * 8).map(|_| noise.next() * 0.3).collect();
    assert_eq!(detect_tempo(&x, RATE, 1), None, "noise");
    let drone = analysis_support::tone_segments(220.0, &[(-12.0, 8.0)], RATE, 1);
    assert_eq!(detect_tempo(&drone, RATE, 1), None, "drone");
    assert_eq!(
        detect_tempo(&vec![0.0; RATE as usize * 8], RATE, 1),
        None,
        "silence"
    );
}

/// One- and two-bar loops, as `import --set-tempo` sees them.
#[test]
fn short_loops() {
    for (bpm, bars) in [
        (120.0, 1.0),
        (100.0, 1.0),
        (128.0, 2.0),
        (90.0, 2.0),
        (140.0, 2.0),
    ] {
        let seconds = bars * 4.0 * 60.0 / bpm;
        for rate in [44_100u32, 48_000] {
            let x = drums::rock(bpm, seconds, rate);
            let t = detect_tempo(&x, rate, 1);
            let got = t.map(|t| t.bpm).unwrap_or(0.0);
            assert!(
                (got / bpm - 1.0).abs() < 0.01,
                "{bpm} BPM, {bars} bar(s) at {rate}: {t:?}"
            );
        }
    }
}
