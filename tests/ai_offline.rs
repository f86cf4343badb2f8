//! The offline assistant checked for musical correctness (chords diatonic unless borrowing is
//! asked, numerals matching symbols, melodies in scale and range over the chords, bass roots on
//! the chords' downbeats, drums on the grid with each genre's rules), theory answers, complete
//! advice items, a plain refusal, determinism by seed, the tool calls' JSON, and the mix
//! figures measured from a rendered project.

mod engine_common;

use engine_common::{audio_track, project_dir, write_wav};
use serde_json::Value;
use std::sync::Arc;
use tdaw::ai::offline::{answer, drums, lines, Offline};
use tdaw::ai::{
    AiError, Assistant, Cancel, Figures, Message, NoteOut, Reply, Request, Role, Suggestion,
    TrackFigures,
};
use tdaw::midi::progression::{parse_progression, progression_notes, Options};
use tdaw::midi::theory::{parse_numeral, roman_of, Chord, Scale};
use tdaw::model::{
    Clip, ClipContent, ClipId, Instrument, MidiClip, Project, Track, TrackId, TrackKind,
};

fn ask(prompt: &str) -> Reply {
    answer(&Request {
        prompt: prompt.into(),
        ..Request::default()
    })
}

fn ask_in(prompt: &str, project: Project, selected: Option<ClipId>) -> Reply {
    answer(&Request {
        prompt: prompt.into(),
        project: Some(Arc::new(project)),
        selected_clip: selected,
        ..Request::default()
    })
}

fn json(r: &Reply) -> Value {
    serde_json::to_value(&r.suggestion).unwrap()
}

fn notes_of(r: &Reply) -> Vec<NoteOut> {
    match &r.suggestion {
        Suggestion::Melody { notes } | Suggestion::Drums { notes } => notes.clone(),
        other => panic!("no notes in {other:?}"),
    }
}

fn chords_of(r: &Reply) -> (Scale, Vec<(Chord, String, f64, f64)>) {
    let Suggestion::Chords { key, chords } = &r.suggestion else {
        panic!("not chords: {:?}", r.suggestion)
    };
    let scale = Scale::parse(key).unwrap();
    let out = chords
        .iter()
        .map(|c| {
            (
                Chord::parse(&c.symbol).unwrap(),
                c.roman.clone(),
                c.start_beat,
                c.length_beats,
            )
        })
        .collect();
    (scale, out)
}

fn in_key(c: &Chord, s: &Scale) -> bool {
    c.notes().iter().all(|n| s.contains(n.pitch_class()))
}

/// A project with one MIDI track "Keys" holding `progression` (one chord a bar) as clip 7.
fn project_with_chords(progression: &str, key: Option<&str>) -> Project {
    let mut p = Project::new("t", 48_000, 120.0);
    p.key = key.map(|k| Scale::parse(k).unwrap().to_key());
    let chords = parse_progression(progression, None).unwrap();
    let notes = progression_notes(&chords, &Options::default()).unwrap();
    let mut t = Track::new(TrackId(1), "Keys", TrackKind::Midi);
    t.instrument = Some(Instrument::GeneralMidi {
        program: 0,
        drums: false,
    });
    let mut clip = MidiClip::new(chords.len() as f64 * 4.0);
    clip.notes = notes;
    t.clips.push(Clip {
        id: ClipId(7),
        name: "verse".into(),
        start: 8.0,
        lane: 0,
        take: None,
        content: ClipContent::Midi(clip),
    });
    p.tracks.push(t);
    p
}

#[test]
fn chords_are_diatonic_unless_the_mood_or_genre_borrows() {
    let plain = [
        "a happy chord progression in C major",
        "chords in G for a pop song",
        "sad chords in A minor, 8 bars",
        "epic progression in D minor",
        "chill chords in Eb",
        "a dreamy progression in F# minor",
        "hip hop chords in C# minor",
        "a chord progression in D dorian",
        "give me a progression in Bb mixolydian",
        "techno chords",
        "chords",
    ];
    for prompt in plain {
        for extra in ["", " another", " again"] {
            let r = ask(&format!("{prompt}{extra}"));
            let (scale, chords) = chords_of(&r);
            let borrowed = !r.text.contains("diatonic to");
            for (c, ..) in &chords {
                assert!(
                    borrowed || in_key(c, &scale),
                    "{prompt}: {c} not in {scale}: {}",
                    r.text
                );
            }
            if borrowed {
                assert!(r.text.contains("borrows"), "{prompt}: {}", r.text);
                assert!(chords.iter().any(|(c, ..)| !in_key(c, &scale)));
            }
        }
    }
    // No mood or genre that asks: never borrowed, whatever the seed.
    for seed in 0..40 {
        let r = ask(&format!("a chord progression in E major seed {seed}"));
        let (scale, chords) = chords_of(&r);
        assert!(chords.iter().all(|(c, ..)| in_key(c, &scale)), "{}", r.text);
    }
    // Blues asks for its dominant sevenths, and says so.
    let r = ask("a blues in A");
    let (scale, chords) = chords_of(&r);
    assert_eq!(chords.len(), 12);
    assert_eq!(chords[0].0.to_string(), "A7");
    assert!(!in_key(&chords[0].0, &scale));
    assert!(r.text.contains("borrows"), "{}", r.text);
    // A dark progression in a major key borrows from the parallel minor.
    let r = ask("dark chords in C major");
    let (scale, chords) = chords_of(&r);
    assert!(
        chords.iter().any(|(c, ..)| !in_key(c, &scale)),
        "{}",
        r.text
    );
    assert!(r.text.contains("borrows"));
}

#[test]
fn numerals_match_symbols_and_slots_follow_each_other() {
    for prompt in [
        "sad chords in A minor, 8 bars",
        "jazz chords in Bb",
        "a blues in E",
        "dark progression in C",
        "funky chords in D minor",
        "lofi chords in F",
        "a progression in E phrygian",
    ] {
        let r = ask(prompt);
        let (scale, chords) = chords_of(&r);
        let mut next = 0.0;
        for (c, roman, start, len) in &chords {
            assert_eq!(
                roman_of(c, &scale).as_deref(),
                Some(roman.as_str()),
                "{prompt}"
            );
            assert_eq!(
                parse_numeral(roman, &scale).unwrap().to_string(),
                c.to_string(),
                "{prompt}"
            );
            assert_eq!((*start, *len), (next, 4.0), "{prompt}");
            next += 4.0;
        }
        // The text explains the functions.
        assert!(r.text.contains("tonic"), "{}", r.text);
    }
    assert_eq!(chords_of(&ask("sad chords in A minor, 8 bars")).1.len(), 8);
}

#[test]
fn chord_calls_add_a_track_and_a_clip_of_the_voiced_chords() {
    let r = ask("sad chords in A minor");
    let names: Vec<&str> = r.calls.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["set_key", "add_track", "write_clip"]);
    assert_eq!(r.calls[0].args["key"], "Am");
    assert_eq!(r.calls[1].args["kind"], "midi");
    assert!(r.calls[1].args["instrument"].is_u64());
    let clip = &r.calls[2].args;
    assert_eq!(clip["track"], r.calls[1].args["name"]);
    assert_eq!(clip["length_beats"], 16.0);
    let (_, chords) = chords_of(&r);
    // Every chord's tones sound in its bar.
    let notes = clip["notes"].as_array().unwrap();
    for (c, _, start, _) in &chords {
        let pcs: Vec<u64> = notes
            .iter()
            .filter(|n| (n["start_beat"].as_f64().unwrap() - start).abs() < 1e-9)
            .map(|n| n["pitch"].as_u64().unwrap() % 12)
            .collect();
        for t in c.notes() {
            assert!(
                pcs.contains(&u64::from(t.pitch_class())),
                "{c} at {start}: {pcs:?}"
            );
        }
    }
    assert_eq!(
        r.calls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["offline-1", "offline-2", "offline-3"]
    );
    // A project with a key gets no set_key; a taken name gets a number.
    let mut p = project_with_chords("C F", Some("C"));
    p.tracks[0].name = "Chords".into();
    let r = ask_in("happy chords", p, None);
    assert_eq!(r.calls[0].name, "add_track");
    assert_eq!(r.calls[0].args["name"], "Chords 2");
    assert_eq!(chords_of(&r).0.to_string(), "C major");
    // A named tempo is set.
    let r = ask("house chords in F minor at 124 bpm");
    assert!(r
        .calls
        .iter()
        .any(|c| c.name == "set_tempo" && c.args["bpm"] == 124.0));
    let j = json(&r);
    assert_eq!(j["kind"], "chords");
    assert_eq!(j["key"], "F minor");
    assert!(j["chords"][0]["symbol"].is_string() && j["chords"][0]["roman"].is_string());
}

fn check_melody(notes: &[NoteOut], scale: &Scale, chords: &[(Chord, f64, f64)]) {
    assert!(notes.len() >= chords.len() * 2, "{} notes", notes.len());
    for n in notes {
        assert!(scale.contains(n.pitch), "{} not in {scale}", n.pitch);
        assert!(
            (lines::MELODY_LOW..=lines::MELODY_HIGH).contains(&n.pitch),
            "{}",
            n.pitch
        );
        assert!(n.length_beats > 0.0 && (1..=127).contains(&n.velocity));
    }
    for w in notes.windows(2) {
        assert!(
            w[0].start_beat + w[0].length_beats <= w[1].start_beat + 1e-9,
            "overlap"
        );
    }
    let chord_at = |t: f64| chords.iter().rev().find(|c| c.1 <= t + 1e-9).unwrap().0;
    // Chord tones on beats 1 and 3.
    let mut strong = 0;
    for n in notes.iter().filter(|n| (n.start_beat % 2.0).abs() < 1e-9) {
        let c = chord_at(n.start_beat);
        assert!(
            c.notes().iter().any(|t| t.pitch_class() == n.pitch % 12),
            "{} at {} over {c}",
            n.pitch,
            n.start_beat
        );
        strong += 1;
    }
    assert!(strong >= chords.len());
    // The end: a tone of the tonic triad that the last chord holds, else the chord's root.
    let last = notes.last().unwrap();
    let last_chord = chords.last().unwrap().0;
    let tonic: Vec<u8> = [0, 2, 4]
        .iter()
        .map(|&d| scale.notes()[d].pitch_class())
        .collect();
    let held: Vec<u8> = last_chord
        .notes()
        .iter()
        .map(|n| n.pitch_class())
        .filter(|p| tonic.contains(p))
        .collect();
    let want = if held.is_empty() {
        vec![last_chord.root.pitch_class()]
    } else {
        held
    };
    assert!(
        want.contains(&(last.pitch % 12)),
        "ends on {} over {last_chord}",
        last.pitch
    );
    let end = chords.last().map(|c| c.1 + c.2).unwrap();
    assert!((last.start_beat + last.length_beats - end).abs() < 1e-9);
}

/// The progression a melody's text names ("… (Am F C G), a progression I chose"), one chord a
/// bar for `bars` bars.
fn chords_in_text(r: &Reply, bars: usize) -> Vec<(Chord, f64, f64)> {
    let inner = r.text.split('(').nth(1).unwrap().split(')').next().unwrap();
    parse_progression(inner, None)
        .unwrap()
        .into_iter()
        .cycle()
        .take(bars)
        .enumerate()
        .map(|(i, c)| (c, i as f64 * 4.0, 4.0))
        .collect()
}

#[test]
fn melodies_are_in_scale_in_range_on_the_chords_and_seeded() {
    let r = ask("a melody in A minor, 8 bars");
    let notes = notes_of(&r);
    let scale = Scale::parse("A minor").unwrap();
    let chords = chords_in_text(&r, 8);
    check_melody(&notes, &scale, &chords);
    // The motif comes back: bars 1 and 3 have the same rhythm.
    let rhythm = |bar: f64| -> Vec<f64> {
        notes
            .iter()
            .filter(|n| n.start_beat >= bar * 4.0 && n.start_beat < bar * 4.0 + 4.0)
            .map(|n| n.start_beat - bar * 4.0)
            .collect()
    };
    assert_eq!(rhythm(0.0), rhythm(2.0));
    // Same prompt, same melody; another, a new one.
    assert_eq!(notes_of(&ask("a melody in A minor, 8 bars")), notes);
    assert_ne!(notes_of(&ask("another melody in A minor, 8 bars")), notes);
    let history = vec![Message {
        role: Role::User,
        text: "a melody in A minor, 8 bars".into(),
    }];
    let again = answer(&Request {
        prompt: "another".into(),
        history,
        ..Request::default()
    });
    assert_ne!(notes_of(&again), notes);
    check_melody(&notes_of(&again), &scale, &chords_in_text(&again, 8));
    // Many keys and seeds.
    for (key, prog) in [
        ("C major", "C Am F G"),
        ("Eb major", "Eb Cm Ab Bb"),
        ("F# minor", "F#m D A E"),
        ("D dorian", "Dm G Dm G"),
    ] {
        for seed in 0..12 {
            let r = ask(&format!("melody over {prog} in {key} seed {seed}"));
            let chords: Vec<(Chord, f64, f64)> = parse_progression(prog, None)
                .unwrap()
                .into_iter()
                .enumerate()
                .map(|(i, c)| (c, i as f64 * 4.0, 4.0))
                .collect();
            check_melody(&notes_of(&r), &Scale::parse(key).unwrap(), &chords);
        }
    }
}

#[test]
fn a_melody_goes_over_the_selected_clip_and_lines_up_with_it() {
    let p = project_with_chords("Am F C G", None);
    let r = ask_in("write a melody for this", p, Some(ClipId(7)));
    assert!(r.text.contains("clip 'verse'"), "{}", r.text);
    // The project had no key: the one its notes are in is proposed, and the melody is in it.
    assert_eq!(r.calls[0].name, "set_key");
    let key = r.calls[0].args["key"].as_str().unwrap().to_string();
    let scale = Scale::parse(&key).unwrap();
    let notes = notes_of(&r);
    let chords: Vec<(Chord, f64, f64)> = parse_progression("Am F C G", None)
        .unwrap()
        .into_iter()
        .enumerate()
        .map(|(i, c)| (c, i as f64 * 4.0, 4.0))
        .collect();
    check_melody(&notes, &scale, &chords);
    let clip = r.calls.iter().find(|c| c.name == "write_clip").unwrap();
    assert_eq!(clip.args["start_beat"], 8.0);
    assert_eq!(clip.args["length_beats"], 16.0);
    // With the project's key and a chord clip elsewhere (nothing selected), the same chords.
    let r = ask_in(
        "a melody",
        project_with_chords("Am Dm E Am", Some("A minor")),
        None,
    );
    assert_eq!(r.calls[0].name, "add_track");
    let chords: Vec<(Chord, f64, f64)> = parse_progression("Am Dm E Am", None)
        .unwrap()
        .into_iter()
        .enumerate()
        .map(|(i, c)| (c, i as f64 * 4.0, 4.0))
        .collect();
    check_melody(&notes_of(&r), &Scale::parse("A minor").unwrap(), &chords);
}

#[test]
fn bass_lines_put_the_chord_roots_on_their_downbeats() {
    for genre in [
        "pop",
        "rock",
        "house",
        "techno",
        "funk",
        "jazz",
        "blues",
        "reggae",
        "hip hop",
        "trap",
        "drum and bass",
        "ambient",
        "lofi",
    ] {
        let r = ask(&format!("a {genre} bass line over Am F C G"));
        let notes = notes_of(&r);
        for (i, c) in parse_progression("Am F C G", None)
            .unwrap()
            .iter()
            .enumerate()
        {
            let at = i as f64 * 4.0;
            let root = lines::bass_root(c);
            assert_eq!(root / 12, 3, "octave 2: {root}");
            let n = notes
                .iter()
                .find(|n| (n.start_beat - at).abs() < 1e-9)
                .unwrap_or_else(|| panic!("{genre}: nothing at {at}"));
            assert_eq!(n.pitch, root, "{genre} at {at}");
        }
        assert!(
            notes.iter().all(|n| (28..=60).contains(&n.pitch)),
            "{genre}"
        );
        let add = r.calls.iter().find(|c| c.name == "add_track").unwrap();
        assert_eq!(add.args["name"], "Bass");
    }
    // Jazz walks: a note on every beat.
    let walk = notes_of(&ask("a jazz bass line over Dm7 G7 Cmaj7 Cmaj7"));
    assert_eq!(walk.len(), 16);
    assert!(walk
        .iter()
        .enumerate()
        .all(|(i, n)| (n.start_beat - i as f64).abs() < 1e-9));
}

fn hits(notes: &[NoteOut], pitch: u8) -> Vec<f64> {
    notes
        .iter()
        .filter(|n| n.pitch == pitch)
        .map(|n| n.start_beat)
        .collect()
}

#[test]
fn drums_follow_each_genres_rules_on_the_grid() {
    use drums::*;
    let house = ask("a house beat, 4 bars");
    let n = notes_of(&house);
    let beats: Vec<f64> = (0..16).map(f64::from).collect();
    assert_eq!(hits(&n, KICK), beats, "a kick on every beat");
    let offbeats: Vec<f64> = beats.iter().map(|b| b + 0.5).collect();
    assert_eq!(hits(&n, OPEN_HAT), offbeats);
    assert_eq!(hits(&n, CLAP), [1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0]);
    assert!(house.calls.iter().any(|c| c.name == "add_track"
        && c.args["instrument"] == "drums"
        && c.args["kind"] == "midi"));
    assert!(
        !house.calls.iter().any(|c| c.name == "set_tempo"),
        "no tempo unless asked"
    );
    assert_eq!(json(&house)["kind"], "drums");

    // Every genre on its grid, accented on the beats, kick on the first downbeat.
    for (genre, grid) in [
        ("pop", 4.0),
        ("rock", 4.0),
        ("jazz", 3.0),
        ("blues", 3.0),
        ("lofi", 4.0),
        ("house", 4.0),
        ("techno", 4.0),
        ("hip hop", 4.0),
        ("trap", 8.0),
        ("drum and bass", 4.0),
        ("reggae", 4.0),
        ("funk", 4.0),
        ("ambient", 4.0),
    ] {
        for seed in 0..6 {
            let n = notes_of(&ask(&format!("{genre} drums, 8 bars, seed {seed}")));
            assert!(!n.is_empty());
            for x in &n {
                let steps = x.start_beat * grid;
                assert!(
                    (steps - steps.round()).abs() < 1e-6,
                    "{genre}: {} off the grid",
                    x.start_beat
                );
                assert!(x.start_beat < 32.0 && (1..=127).contains(&x.velocity));
            }
            let kicks = hits(&n, KICK);
            if genre != "reggae" {
                assert_eq!(kicks.first(), Some(&0.0), "{genre}");
            }
        }
    }
    let rock = notes_of(&ask("rock drums"));
    assert_eq!(hits(&rock, CRASH), [0.0]);
    assert!(hits(&rock, SNARE)
        .iter()
        .filter(|&&b| b < 12.0)
        .eq([1.0, 3.0, 5.0, 7.0, 9.0, 11.0].iter()));
    let dnb = ask("drum and bass drums at 174 bpm");
    let n = notes_of(&dnb);
    assert!(hits(&n, KICK).starts_with(&[0.0, 2.5]), "two-step");
    assert!(dnb
        .calls
        .iter()
        .any(|c| c.name == "set_tempo" && c.args["bpm"] == 174.0));
    let trap = notes_of(&ask("trap drums"));
    let hats = hits(&trap, CLOSED_HAT);
    assert!(
        hats.windows(2).any(|w| (w[1] - w[0] - 0.125).abs() < 1e-9),
        "1/32 rolls"
    );
    assert_eq!(
        hits(&trap, CLAP),
        [2.0, 6.0, 10.0, 14.0],
        "half-time clap on 3"
    );
    let reggae = notes_of(&ask("reggae drums"));
    assert_eq!(hits(&reggae, KICK), [2.0, 6.0, 10.0, 14.0], "one drop");
    let jazz = notes_of(&ask("jazz drums"));
    assert_eq!(
        hits(&jazz, PEDAL_HAT)
            .iter()
            .take(2)
            .copied()
            .collect::<Vec<_>>(),
        [1.0, 3.0]
    );
    // Accents: the house kick on the downbeat of bar 1 is the loudest kick.
    let k: Vec<u8> = notes_of(&house)
        .iter()
        .filter(|x| x.pitch == KICK)
        .map(|x| x.velocity)
        .collect();
    assert!(k[0] >= *k.iter().max().unwrap() - 3);
}

fn text_of(r: &Reply) -> &str {
    assert_eq!(r.suggestion, Suggestion::Text);
    assert!(r.calls.is_empty());
    &r.text
}

#[test]
fn theory_questions_get_computed_answers() {
    let t = ask("what notes are in F#m7b5?");
    assert!(text_of(&t).contains("F# A C E"), "{}", t.text);
    assert!(t.text.contains("66 69 72 76"));
    let t = ask("what are the notes of the D dorian scale?");
    assert!(text_of(&t).contains("D E F G A B C"), "{}", t.text);
    let t = ask("what is the function of Bb in C major?");
    assert!(text_of(&t).contains("bVII"), "{}", t.text);
    assert!(t.text.contains("not diatonic"));
    let t = ask("what is the function of G7 in C?");
    assert!(
        text_of(&t).contains("V7") && t.text.contains("dominant"),
        "{}",
        t.text
    );
    let t = ask("what are the chords in E minor?");
    assert!(
        text_of(&t).contains("i Em, ii° F#dim, III G, iv Am, v Bm, VI C, VII D"),
        "{}",
        t.text
    );
    let t = ask("what interval is C to G?");
    assert!(
        text_of(&t).contains("perfect fifth") && t.text.contains("perfect fourth"),
        "{}",
        t.text
    );
    let p = project_with_chords("Am Dm E Am", None);
    let t = ask_in("what key is this clip in?", p, Some(ClipId(7)));
    assert!(text_of(&t).contains("A minor"), "{}", t.text);
    let t = ask("what key is this clip in?");
    assert!(text_of(&t).contains("need a project"));
    // Streamed in pieces that make the whole text; a cancelled request stops.
    let mut pieces = Vec::new();
    let req = Request {
        prompt: "sad chords in A minor".into(),
        ..Request::default()
    };
    let reply = Offline::new()
        .ask(
            &req,
            &mut |s| pieces.push(s.to_string()),
            &Cancel::default(),
        )
        .unwrap();
    assert!(pieces.len() > 1);
    assert_eq!(pieces.concat(), reply.text);
    let cancel = Cancel::default();
    cancel.cancel();
    assert_eq!(
        Offline::new().ask(&req, &mut |_| {}, &cancel),
        Err(AiError::Cancelled)
    );
    assert_eq!(
        (Offline::new().provider(), Offline::new().model()),
        ("offline", "music-theory")
    );
}

#[test]
fn what_it_cannot_answer_it_says_plainly() {
    for prompt in [
        "who won the football last night?",
        "translate this to French",
        "",
    ] {
        let r = ask(prompt);
        let t = text_of(&r);
        assert!(t.starts_with("I cannot answer that."), "{t}");
        assert!(
            t.contains("chord progressions") && t.contains("drum patterns") && t.contains("mixing")
        );
        assert_eq!(json(&r)["kind"], "text");
    }
}

fn track(name: &str, lufs: f64, bands: [f64; 5], corr: Option<f64>) -> TrackFigures {
    TrackFigures {
        name: name.into(),
        lufs: Some(lufs),
        rms_dbfs: Some(lufs - 3.0),
        true_peak_dbtp: Some(lufs + 12.0),
        bands_db: bands.to_vec(),
        low_correlation: corr,
    }
}

fn advise(figures: Option<Figures>, project: Option<Project>) -> Reply {
    answer(&Request {
        prompt: "how is my mix? any mastering advice".into(),
        figures,
        project: project.map(Arc::new),
        ..Request::default()
    })
}

#[test]
fn advice_names_numbers_and_actions() {
    let figures = Figures {
        integrated_lufs: Some(-8.2),
        loudness_range_lu: Some(3.1),
        true_peak_dbtp: Some(0.6),
        sample_peak_dbfs: Some(0.4),
        clipped_samples: 812,
        tracks: vec![
            track(
                "Kick",
                -14.0,
                [-12.0, -10.0, -30.0, -40.0, -50.0],
                Some(1.0),
            ),
            track(
                "Bass",
                -15.0,
                [-14.0, -11.0, -28.0, -45.0, -60.0],
                Some(1.0),
            ),
            track("Pad", -22.0, [-50.0, -40.0, -20.0, -30.0, -40.0], Some(0.1)),
            track("Lead", -4.0, [-60.0, -45.0, -8.0, -15.0, -30.0], None),
        ],
    };
    let mut p = Project::new("m", 48_000, 120.0);
    for (i, name) in ["Kick", "Bass", "Pad", "Lead"].iter().enumerate() {
        let mut t = Track::new(TrackId(i as u64 + 1), *name, TrackKind::Audio);
        t.pan = if *name == "Pad" { 0.4 } else { 0.0 };
        t.gain_db = -2.0;
        p.tracks.push(t);
    }
    let r = advise(Some(figures.clone()), Some(p));
    let Suggestion::Advice { items } = &r.suggestion else {
        panic!("{:?}", r.suggestion)
    };
    let topics: Vec<&str> = items.iter().map(|i| i.topic.as_str()).collect();
    for t in [
        "loudness",
        "true peak",
        "clipping",
        "frequency masking",
        "mono compatibility",
        "balance",
    ] {
        assert!(topics.contains(&t), "{t} missing from {topics:?}");
    }
    for i in items {
        assert!(!i.finding.is_empty() && !i.suggestion.is_empty());
        assert!(
            i.finding.chars().any(|c| c.is_ascii_digit()),
            "no number in {:?}",
            i.finding
        );
    }
    let find = |t: &str| items.iter().find(|i| i.topic == t).unwrap();
    assert!(
        find("loudness").finding.contains("-8.2 LUFS")
            && find("loudness").finding.contains("5.8 LU above")
    );
    assert!(find("true peak").finding.contains("0.6 dBTP"));
    assert!(find("clipping").finding.contains("812 samples"));
    assert!(
        find("frequency masking").finding.contains("'Kick'")
            && find("frequency masking").finding.contains("'Bass'")
    );
    assert!(
        find("mono compatibility").finding.contains("'Pad'")
            && find("mono compatibility").finding.contains("0.10")
    );
    assert!(
        find("balance").finding.contains("'Lead'") && find("balance").finding.contains("10.0 LU")
    );
    // And the calls that do it.
    let call = |name: &str, track: &str| {
        r.calls
            .iter()
            .find(|c| c.name == name && c.args["track"] == track)
    };
    let lim = call("add_effect", "master").unwrap();
    assert_eq!(
        (
            lim.args["kind"].as_str(),
            lim.args["params"]["ceiling_dbtp"].as_f64()
        ),
        (Some("limiter"), Some(-1.0))
    );
    assert_eq!(call("set_track", "master").unwrap().args["gain_db"], -1.4);
    assert_eq!(
        call("add_effect", "Bass").unwrap().args["params"]["b1_freq"],
        120.0
    );
    assert_eq!(call("set_track", "Pad").unwrap().args["pan"], 0.0);
    assert_eq!(call("set_track", "Lead").unwrap().args["gain_db"], -9.0);
    let j = json(&r);
    assert_eq!(j["kind"], "advice");
    assert!(
        j["items"][0]["topic"].is_string()
            && j["items"][0]["finding"].is_string()
            && j["items"][0]["suggestion"].is_string()
    );

    // A healthy mix: loudness in range, nothing else to fix.
    let healthy = Figures {
        integrated_lufs: Some(-14.3),
        loudness_range_lu: Some(6.0),
        true_peak_dbtp: Some(-1.5),
        sample_peak_dbfs: Some(-1.8),
        clipped_samples: 0,
        tracks: vec![
            track(
                "Drums",
                -18.0,
                [-20.0, -15.0, -25.0, -30.0, -35.0],
                Some(0.9),
            ),
            track(
                "Keys",
                -19.0,
                [-50.0, -35.0, -18.0, -25.0, -40.0],
                Some(0.8),
            ),
        ],
    };
    let r = advise(Some(healthy), None);
    let Suggestion::Advice { items } = &r.suggestion else {
        panic!()
    };
    assert_eq!(
        items.iter().map(|i| i.topic.as_str()).collect::<Vec<_>>(),
        ["loudness", "overall"]
    );
    assert!(r.calls.is_empty());
    // No figures: they must be measured first.
    let r = advise(None, None);
    assert!(text_of(&r).contains("measure"), "{}", r.text);
}

fn sine(hz: f64, amp: f64, frames: usize, anti_phase: bool) -> Vec<f32> {
    (0..frames)
        .flat_map(|i| {
            let x = (amp * (2.0 * std::f64::consts::PI * hz * i as f64 / 48_000.0).sin()) as f32;
            [x, if anti_phase { -x } else { x }]
        })
        .collect()
}

#[test]
fn mix_figures_measure_the_rendered_master_and_stems() {
    let home = tempfile::tempdir().unwrap();
    std::env::set_var("TDAW_HOME", home.path());
    let d = project_dir();
    write_wav(
        &d.path().join("audio/sub.wav"),
        48_000,
        2,
        true,
        &sine(50.0, 0.5, 96_000, true),
    );
    write_wav(
        &d.path().join("audio/air.wav"),
        48_000,
        2,
        true,
        &sine(9_000.0, 0.25, 96_000, false),
    );
    let mut p = Project::new("m", 48_000, 120.0);
    p.tracks
        .push(audio_track(1, "Sub", "audio/sub.wav", 0.0, 2.0));
    p.tracks
        .push(audio_track(2, "Air", "audio/air.wav", 0.0, 2.0));
    let report = tdaw::engine::measure::mix_figures(&p, d.path()).unwrap();
    assert_eq!(report.tracks.len(), 2);
    let (name, sub) = &report.tracks[0];
    assert_eq!(name, "Sub");
    let loudest = |b: &[f64]| (0..b.len()).max_by(|&i, &j| b[i].total_cmp(&b[j])).unwrap();
    assert_eq!(
        loudest(&sub.bands_db),
        0,
        "50 Hz in the sub band: {:?}",
        sub.bands_db
    );
    assert!(
        sub.low_correlation.unwrap() < -0.99,
        "{:?}",
        sub.low_correlation
    );
    let air = &report.tracks[1].1;
    assert_eq!(loudest(&air.bands_db), 4);
    assert_eq!(air.low_correlation, None);
    assert!((air.seconds - 2.0).abs() < 0.05, "{}", air.seconds);
    assert!(report.master.integrated_lufs.is_some());
    assert_eq!(report.master.clipped_samples, 0);
    let f = Figures::from(&report);
    assert_eq!(f.tracks.len(), 2);
    assert_eq!(f.tracks[0].bands_db.len(), 5);
    assert_eq!(f.true_peak_dbtp, report.master.true_peak_dbtp);
    // The anti-phase low end is flagged.
    let r = advise(Some(f), Some(p));
    let Suggestion::Advice { items } = &r.suggestion else {
        panic!()
    };
    assert!(items
        .iter()
        .any(|i| i.topic == "mono compatibility" && i.finding.contains("'Sub'")));
}

#[test]
fn the_calls_build_one_valid_change_set() {
    use tdaw::ai::change::ChangeSet;
    let p = project_with_chords("Am F C G", None);
    for prompt in [
        "sad chords in A minor at 90 bpm",
        "write a melody for this",
        "a funk bass line",
        "house drums, 8 bars",
        "jazz chords in Bb",
    ] {
        let r = ask_in(prompt, p.clone(), Some(ClipId(7)));
        let cs = ChangeSet::build(&p, &r.calls).unwrap_or_else(|e| panic!("{prompt}: {e}"));
        let after = cs.result();
        assert_eq!(after.tracks.len(), 2, "{prompt}");
        let t = &after.tracks[1];
        let ClipContent::Midi(m) = &t.clips[0].content else {
            panic!()
        };
        let want = match &r.suggestion {
            Suggestion::Melody { notes } | Suggestion::Drums { notes } => notes.len(),
            _ => r.calls.last().unwrap().args["notes"]
                .as_array()
                .unwrap()
                .len(),
        };
        assert_eq!(m.notes.len(), want, "{prompt}");
    }
    // Advice calls too: a limiter on the master, a fader down.
    let figures = Figures {
        integrated_lufs: Some(-7.0),
        loudness_range_lu: None,
        true_peak_dbtp: Some(1.0),
        sample_peak_dbfs: Some(0.5),
        clipped_samples: 10,
        tracks: vec![track(
            "Keys",
            -6.0,
            [-40.0, -30.0, -10.0, -20.0, -30.0],
            Some(0.9),
        )],
    };
    let r = advise(Some(figures), Some(p.clone()));
    assert!(!r.calls.is_empty());
    let cs = ChangeSet::build(&p, &r.calls).unwrap_or_else(|e| panic!("{e}"));
    assert!(cs
        .result()
        .master
        .effects
        .iter()
        .any(|e| e.kind == "limiter"));
}

#[test]
fn a_bus_is_not_weighed_against_the_tracks_it_carries() {
    // 'Gtr' feeds 'Gtr Bus': the bus has the same main band and is louder, by design.
    let figures = Figures {
        integrated_lufs: Some(-14.0),
        loudness_range_lu: Some(5.0),
        true_peak_dbtp: Some(-1.5),
        sample_peak_dbfs: Some(-2.0),
        clipped_samples: 0,
        tracks: vec![
            track("Gtr", -20.0, [-60.0, -40.0, -12.0, -30.0, -45.0], None),
            track("Gtr Bus", -12.0, [-60.0, -40.0, -10.0, -28.0, -44.0], None),
            track("Vox", -21.0, [-60.0, -50.0, -40.0, -14.0, -35.0], None),
        ],
    };
    let mut p = Project::new("m", 48_000, 120.0);
    p.tracks
        .push(Track::new(TrackId(1), "Gtr", TrackKind::Audio));
    p.tracks
        .push(Track::new(TrackId(2), "Gtr Bus", TrackKind::Bus));
    p.tracks
        .push(Track::new(TrackId(3), "Vox", TrackKind::Audio));
    let r = advise(Some(figures.clone()), Some(p));
    let Suggestion::Advice { items } = &r.suggestion else {
        panic!("{:?}", r.suggestion)
    };
    let topics: Vec<&str> = items.iter().map(|i| i.topic.as_str()).collect();
    assert!(!topics.contains(&"frequency masking"), "{topics:?}");
    assert!(!topics.contains(&"balance"), "{topics:?}");
    // The same figures with 'Gtr Bus' an ordinary track: both findings come back.
    let mut p = Project::new("m", 48_000, 120.0);
    for (i, name) in ["Gtr", "Gtr Bus", "Vox"].iter().enumerate() {
        p.tracks
            .push(Track::new(TrackId(i as u64 + 1), *name, TrackKind::Audio));
    }
    let r = advise(Some(figures), Some(p));
    let Suggestion::Advice { items } = &r.suggestion else {
        panic!("{:?}", r.suggestion)
    };
    let topics: Vec<&str> = items.iter().map(|i| i.topic.as_str()).collect();
    assert!(topics.contains(&"frequency masking"), "{topics:?}");
    assert!(topics.contains(&"balance"), "{topics:?}");
}
