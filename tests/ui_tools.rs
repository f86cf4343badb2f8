//! The arrange and piano-roll tools a musician reaches for on day one, driven by keys and `:`
//! commands: the instrument browser, drum rows named by the GM map, markers, clip fades and
//! gain (measured in a render), tempo changes at a beat, and the tempo question of a MIDI
//! import. Each edit is checked to be one undo step.

mod ui_support;

use std::path::Path;
use std::sync::Once;
use tdaw::engine::{render_to_wav, BitDepth, RenderOptions};
use tdaw::model::{
    AudioClip, Clip, ClipContent, ClipId, Instrument, Marker, MidiClip, Note, Project, TempoChange,
    Track, TrackId, TrackKind,
};
use tdaw::ui::app::Popup;
use tdaw::ui::keymap::ViewKind;
use tdaw::ui::App;
use ui_support::{app_with, press, text};

/// Keeps the SQLite index these tests touch out of the user's data folder.
fn home() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let dir = std::env::temp_dir().join(format!("tdaw-ui-tools-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::env::set_var("TDAW_HOME", &dir);
    });
}

fn midi_track(id: u64, name: &str, instrument: Instrument, notes: Vec<Note>) -> Track {
    let mut t = Track::new(TrackId(id), name, TrackKind::Midi);
    t.instrument = Some(instrument);
    t.clips.push(Clip {
        id: ClipId(id),
        name: String::new(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Midi(MidiClip {
            offset: 0.0,
            length: 4.0,
            notes,
            controllers: Vec::new(),
        }),
    });
    t
}

fn note(pitch: u8, start: f64, channel: u8) -> Note {
    Note {
        pitch,
        start,
        length: 0.5,
        velocity: 100,
        channel,
    }
}

fn piano() -> Instrument {
    Instrument::GeneralMidi {
        program: 0,
        drums: false,
    }
}

fn midi_app(dir: &Path) -> App {
    home();
    let mut p = Project::new("tools", 48_000, 120.0);
    p.tracks
        .push(midi_track(1, "Keys", piano(), vec![note(60, 0.0, 0)]));
    let mut audio = Track::new(TrackId(2), "Vox", TrackKind::Audio);
    audio.clips.clear();
    p.tracks.push(audio);
    app_with(p, dir)
}

/// Row `y` of a screen as text.
fn row(screen: &str, y: usize) -> &str {
    screen.lines().nth(y).unwrap_or("")
}

// ---- 1. Instrument browser --------------------------------------------------------------

#[test]
fn instrument_browser_picks_a_gm_program_in_one_undo_step_and_the_header_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = midi_app(dir.path());
    press(&mut app, "I");
    assert!(
        matches!(app.popups.last(), Some(Popup::Instrument(_))),
        "I opens the browser: {:?}",
        app.status
    );
    let s = text(&mut app, 120, 40);
    for family in [
        "Piano",
        "Chromatic Percussion",
        "Synth Effects",
        "Sound Effects",
    ] {
        assert!(s.contains(family), "family {family} listed:\n{s}");
    }
    assert!(
        s.contains("Drum Kits") && s.contains("Synth Presets"),
        "{s}"
    );
    assert!(s.contains("1 Acoustic Grand Piano"), "{s}");
    // Back to the families, down to Bass (the fifth), into it, its second program.
    press(&mut app, "hjjjjljj");
    let s = text(&mut app, 120, 40);
    assert!(
        s.contains("33 Acoustic Bass") && s.contains("35 Electric Bass (pick)"),
        "{s}"
    );
    let before = app.history.revision();
    press(&mut app, "<ret>");
    assert!(app.popups.is_empty(), "Enter chooses and closes");
    assert_eq!(
        app.project.tracks[0].instrument,
        Some(Instrument::GeneralMidi {
            program: 34,
            drums: false
        })
    );
    assert_eq!(app.history.revision(), before + 1, "one undo step");
    assert!(
        app.status.text.contains("Electric Bass (pick)"),
        "{:?}",
        app.status
    );
    let s = text(&mut app, 120, 40);
    assert!(
        s.contains("Electric Bass"),
        "the header names the instrument:\n{s}"
    );
    press(&mut app, "u");
    assert_eq!(app.project.tracks[0].instrument, Some(piano()));
}

#[test]
fn instrument_browser_filters_by_name_and_offers_drum_kits_and_synth_presets() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = midi_app(dir.path());
    press(&mut app, "I/808");
    let s = text(&mut app, 120, 40);
    assert!(s.contains("TR-808 Kit"), "{s}");
    assert!(
        !s.contains("Acoustic Grand Piano"),
        "the filter hides the rest:\n{s}"
    );
    press(&mut app, "<ret>");
    assert_eq!(
        app.project.tracks[0].instrument,
        Some(Instrument::GeneralMidi {
            program: 25,
            drums: true
        })
    );
    press(&mut app, "I/synth:pa<ret>");
    assert_eq!(
        app.project.tracks[0].instrument,
        Some(Instrument::Synth {
            preset: "pad".into()
        })
    );
    // Esc closes without a change.
    let rev = app.history.revision();
    press(&mut app, "Ij<esc>");
    assert!(app.popups.is_empty());
    assert_eq!(app.history.revision(), rev);
}

#[test]
fn colon_instrument_sets_by_number_name_or_preset() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = midi_app(dir.path());
    let gm = |program| {
        Some(Instrument::GeneralMidi {
            program,
            drums: false,
        })
    };
    press(&mut app, ":instrument 33<ret>");
    assert_eq!(app.project.tracks[0].instrument, gm(32), "{:?}", app.status);
    press(&mut app, ":instrument \"Church Organ\"<ret>");
    assert_eq!(app.project.tracks[0].instrument, gm(19), "{:?}", app.status);
    press(&mut app, ":instrument synth:bass<ret>");
    assert_eq!(
        app.project.tracks[0].instrument,
        Some(Instrument::Synth {
            preset: "bass".into()
        })
    );
    press(&mut app, ":instrument 200<ret>");
    assert!(app.status.error && app.status.text.contains("1 to 128"));
    // An audio track has no instrument: one clear line, nothing changes.
    press(&mut app, "j:instrument 1<ret>");
    assert!(app.status.error, "{:?}", app.status);
    assert!(app.status.text.contains("audio track"), "{:?}", app.status);
    assert_eq!(app.project.tracks[1].instrument, None);
    press(&mut app, "I");
    assert!(app.popups.is_empty() && app.status.error);
}

// ---- 2. Drum rows -----------------------------------------------------------------------

#[test]
fn drum_rows_are_named_by_the_gm_map() {
    home();
    let dir = tempfile::tempdir().unwrap();
    let mut p = Project::new("drums", 48_000, 120.0);
    let kit = Instrument::GeneralMidi {
        program: 0,
        drums: true,
    };
    p.tracks.push(midi_track(
        1,
        "Drums",
        kit,
        vec![note(36, 0.0, 9), note(38, 1.0, 9), note(42, 0.5, 9)],
    ));
    let mut app = app_with(p, dir.path());
    press(&mut app, "<ret>");
    assert_eq!(app.view, ViewKind::PianoRoll);
    app.piano.top_pitch = 50;
    app.piano.pitch = 40;
    let s = text(&mut app, 100, 40);
    for label in [
        "36 Kick",
        "38 Snare",
        "42 Closed HH",
        "46 Open HH",
        "49 Crash 1",
    ] {
        assert!(s.contains(label), "row {label}:\n{s}");
    }
    assert!(!s.contains("C2 "), "no note names on drum rows:\n{s}");
    // The same clip on a piano: note names again.
    press(&mut app, ":instrument 1<ret>");
    // Channel-10 notes alone still mark drums.
    assert!(text(&mut app, 100, 40).contains("36 Kick"));
}

// ---- 3. Markers -------------------------------------------------------------------------

#[test]
fn markers_leave_bar_numbers_readable() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = midi_app(dir.path());
    // At zoom 1 column per beat a bar is 4 columns; bar 5 starts at beat 16.
    app.project.markers.push(Marker {
        beat: 16.0,
        name: "Chorus".into(),
    });
    app.project.markers.push(Marker {
        beat: 24.0,
        name: "Bridge".into(),
    });
    let s = text(&mut app, 120, 40);
    let x = tdaw::ui::views::arrange::HEADER_W as usize;
    let ruler: Vec<char> = row(&s, 2).chars().collect();
    let lane: Vec<char> = row(&s, 3).chars().collect();
    for bar in 1..=24usize {
        let label: String = ruler[x + (bar - 1) * 4..].iter().take(3).collect();
        assert!(
            label.starts_with(&bar.to_string()) || bar == 1,
            "bar {bar} stays readable: {}",
            row(&s, 2)
        );
    }
    // The marker lane under the ruler: each name whole, from its bar, a space before the next.
    let at = |c: usize, n: usize| lane[x + c..x + c + n].iter().collect::<String>();
    assert_eq!(at(16, 8), "◆Chorus ", "{}", row(&s, 3));
    assert_eq!(at(24, 7), "◆Bridge", "{}", row(&s, 3));
    // A name longer than the room is cut, never over the next marker.
    app.project.markers[0].name = "Verse, then the long chorus".into();
    let s = text(&mut app, 120, 40);
    let lane: Vec<char> = row(&s, 3).chars().collect();
    let cut: String = lane[x + 16..x + 31].iter().collect();
    assert_eq!(cut, "◆Verse, ◆Bridge", "{}", row(&s, 3));
    // Tracks start below the lane.
    assert!(row(&s, 4).contains("Keys"), "{s}");
}

#[test]
fn markers_are_added_renamed_removed_and_jumped_to_each_one_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = midi_app(dir.path());
    press(&mut app, "8l:marker Verse<ret>");
    assert_eq!(app.project.markers.len(), 1);
    assert_eq!(app.project.markers[0].beat, 8.0);
    press(&mut app, "8l:marker \"Big Chorus\"<ret>");
    assert_eq!(app.project.markers[1].name, "Big Chorus");
    press(&mut app, "gg)");
    assert_eq!(app.arrange.cursor, 8.0, "{:?}", app.status);
    press(&mut app, ")");
    assert_eq!(app.arrange.cursor, 16.0);
    assert!(app.status.text.contains("Big Chorus"), "{:?}", app.status);
    press(&mut app, "(");
    assert_eq!(app.arrange.cursor, 8.0);
    press(&mut app, "(");
    assert!(app.status.error, "no marker before the first");

    let rev = app.history.revision();
    press(&mut app, ":marker rename \"Big Chorus\" Chorus<ret>");
    assert_eq!(app.project.markers[1].name, "Chorus", "{:?}", app.status);
    assert_eq!(app.history.revision(), rev + 1);
    press(&mut app, ":marker rm Verse<ret>");
    assert_eq!(app.project.markers.len(), 1);
    assert_eq!(app.history.revision(), rev + 2);
    press(&mut app, ":marker rm Nope<ret>");
    assert!(app.status.error && app.status.text.contains("Chorus"));
    // Without a name: the marker at the cursor.
    press(&mut app, "))");
    press(&mut app, ":marker rm<ret>");
    assert!(app.project.markers.is_empty(), "{:?}", app.status);
    press(&mut app, "u");
    assert_eq!(app.project.markers.len(), 1);
    press(&mut app, "uu");
    assert_eq!(app.project.markers.len(), 2);
    assert_eq!(app.project.markers[1].name, "Big Chorus");
    // M names new markers M1, M2, … never twice, even after one was removed.
    press(&mut app, "gg4lMlM:marker rm M1<ret>lM");
    let names: Vec<&str> = app
        .project
        .markers
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["M2", "M1", "Verse", "Big Chorus"],
        "{:?}",
        app.status
    );
}

// ---- 4. Clip fades and gain -------------------------------------------------------------

/// A project with one audio track playing 2 s of a constant 0.5-amplitude 1 kHz sine.
fn audio_app(dir: &Path) -> App {
    home();
    std::fs::create_dir_all(dir.join("audio")).unwrap();
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(dir.join("audio/tone.wav"), spec).unwrap();
    for i in 0..96_000 {
        let t = i as f32 / 48_000.0;
        w.write_sample((t * 1000.0 * std::f32::consts::TAU).sin() * 0.5)
            .unwrap();
    }
    w.finalize().unwrap();
    let mut p = Project::new("fades", 48_000, 120.0);
    let mut t = Track::new(TrackId(1), "Tone", TrackKind::Audio);
    t.clips.push(Clip {
        id: ClipId(1),
        name: String::new(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Audio(AudioClip {
            file: "audio/tone.wav".into(),
            offset: 0.0,
            length: 2.0,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }),
    });
    p.tracks.push(t);
    app_with(p, dir)
}

fn render(app: &App, name: &str) -> Vec<f32> {
    let out = app.dir.join(name);
    let o = RenderOptions {
        bit_depth: BitDepth::F32,
        sample_rate: None,
        stems: false,
        soundfont: None,
    };
    render_to_wav(&app.project, &app.dir, &out, &o, &mut |_| {}).unwrap();
    let mut r = hound::WavReader::open(&out).unwrap();
    let ch = r.spec().channels as usize;
    let s: Vec<f32> = r.samples::<f32>().map(|s| s.unwrap()).collect();
    s.chunks(ch).map(|f| f[0]).collect()
}

/// Peak of the left channel between two times in seconds.
fn peak(s: &[f32], from: f64, to: f64) -> f32 {
    let a = (from * 48_000.0) as usize;
    let b = ((to * 48_000.0) as usize).min(s.len());
    s[a..b].iter().fold(0.0, |m, x| m.max(x.abs()))
}

fn audio(app: &App) -> AudioClip {
    match &app.project.tracks[0].clips[0].content {
        ClipContent::Audio(a) => a.clone(),
        ClipContent::Midi(_) => panic!("midi"),
    }
}

#[test]
fn clip_gain_from_the_command_line_is_heard_in_a_render() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = audio_app(dir.path());
    let before = render(&app, "before.wav");
    let p0 = peak(&before, 0.5, 1.5);
    assert!(p0 > 0.2, "the tone renders: {p0}");
    let rev = app.history.revision();
    press(&mut app, "l:gain -6<ret>");
    assert_eq!(audio(&app).gain_db, -6.0, "{:?}", app.status);
    assert_eq!(app.history.revision(), rev + 1);
    let after = render(&app, "after.wav");
    let db = 20.0 * (peak(&after, 0.5, 1.5) / p0).log10();
    assert!(
        (db + 6.0).abs() < 0.05,
        "clip gain -6 dB renders {db:.3} dB"
    );
    // Four columns per beat: the 4-beat clip is wide enough for its name and gain.
    press(&mut app, "==");
    let s = text(&mut app, 120, 40);
    assert!(s.contains("tone.wav -6dB"), "{s}");
    // Keys: f+ twice is +2 dB; one step each.
    press(&mut app, "f+f+");
    assert_eq!(audio(&app).gain_db, -4.0);
    press(&mut app, "u");
    assert_eq!(audio(&app).gain_db, -5.0);
    press(&mut app, ":gain 40<ret>");
    assert!(app.status.error && app.status.text.contains("24"));
}

#[test]
fn clip_fades_in_beats_or_seconds_are_drawn_and_heard_in_a_render() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = audio_app(dir.path());
    let full = peak(&render(&app, "full.wav"), 0.5, 1.5);
    // 1 beat at 120 BPM is 0.5 s.
    press(&mut app, ":fade in 1<ret>");
    assert!((audio(&app).fade_in - 0.5).abs() < 1e-9, "{:?}", app.status);
    press(&mut app, ":fade out 0.25s<ret>");
    assert!(
        (audio(&app).fade_out - 0.25).abs() < 1e-9,
        "{:?}",
        app.status
    );
    let s = render(&app, "faded.wav");
    assert!(peak(&s, 0.0, 0.01) < 0.05 * full, "fade-in starts silent");
    assert!(
        peak(&s, 0.55, 1.5) > 0.99 * full,
        "full level after the fade-in"
    );
    let mid = peak(&s, 0.24, 0.26) / full;
    assert!(mid > 0.2 && mid < 0.8, "half-way up the fade: {mid}");
    assert!(peak(&s, 1.99, 2.0) < 0.05 * full, "fade-out ends silent");
    let screen = text(&mut app, 120, 40);
    assert!(screen.contains('╱') && screen.contains('╲'), "{screen}");
    // Keys lengthen by a grid step (1 beat); a fade that does not fit is refused.
    press(&mut app, "fi");
    assert!((audio(&app).fade_in - 1.0).abs() < 1e-9);
    press(&mut app, ":fade in 10<ret>");
    assert!(app.status.error && app.status.text.contains("does not fit"));
    press(&mut app, "uuu");
    assert_eq!(audio(&app).fade_in, 0.0);
    assert_eq!(audio(&app).fade_out, 0.0);
    // On a MIDI clip: one clear line.
    let dir2 = tempfile::tempdir().unwrap();
    let mut midi = midi_app(dir2.path());
    press(&mut midi, ":fade in 1<ret>");
    assert!(midi.status.error && midi.status.text.contains("audio clips"));
}

// ---- 5. Tempo changes -------------------------------------------------------------------

#[test]
fn tempo_changes_at_a_bar_or_the_cursor_are_one_undo_step_and_shown_on_the_ruler() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = midi_app(dir.path());
    press(&mut app, ":tempo 140 @17<ret>");
    assert_eq!(
        app.project.tempo.changes(),
        &[
            TempoChange {
                beat: 0.0,
                bpm: 120.0
            },
            TempoChange {
                beat: 64.0,
                bpm: 140.0
            }
        ],
        "{:?}",
        app.status
    );
    // In the lane under the ruler, at bar 17 (beat 64), and the tempo at the start.
    let s = text(&mut app, 120, 40);
    let x = tdaw::ui::views::arrange::HEADER_W as usize;
    let lane: Vec<char> = row(&s, 3).chars().collect();
    assert_eq!(lane[x..x + 4].iter().collect::<String>(), "♩120");
    assert_eq!(
        lane[x + 64..x + 68].iter().collect::<String>(),
        "♩140",
        "{s}"
    );
    // At the cursor (beat 8), then removed there.
    press(&mut app, "8l:tempo 90<ret>");
    assert_eq!(app.project.tempo.bpm_at(8.0), 90.0);
    assert_eq!(app.project.tempo.bpm_at(7.9), 120.0);
    // 8 beats at 120 (4 s) + 56 at 90 (37.33 s).
    let secs = app.project.tempo.beat_to_seconds(64.0);
    assert!((secs - (4.0 + 56.0 * 60.0 / 90.0)).abs() < 1e-9);
    let rev = app.history.revision();
    press(&mut app, ":tempo rm<ret>");
    assert_eq!(app.project.tempo.changes().len(), 2, "{:?}", app.status);
    assert_eq!(app.history.revision(), rev + 1);
    press(&mut app, ":tempo rm<ret>");
    assert!(app.status.error && app.status.text.contains("17.1.1"));
    press(&mut app, "u");
    assert_eq!(app.project.tempo.changes().len(), 3);
    press(&mut app, "uu");
    assert_eq!(app.project.tempo.changes().len(), 1);
    press(&mut app, ":tempo 2000<ret>");
    assert!(app.status.error);
}

// ---- 6. MIDI import tempo question ------------------------------------------------------

fn write_midi(path: &Path, bpm: f64) {
    use midly::num::{u15, u24, u28, u4, u7};
    use midly::{
        Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind,
    };
    let ev = |delta: u32, kind| TrackEvent {
        delta: u28::new(delta),
        kind,
    };
    let msg = |message| TrackEventKind::Midi {
        channel: u4::new(0),
        message,
    };
    let track = vec![
        ev(
            0,
            TrackEventKind::Meta(MetaMessage::Tempo(u24::new((60e6 / bpm) as u32))),
        ),
        ev(
            0,
            msg(MidiMessage::NoteOn {
                key: u7::new(60),
                vel: u7::new(100),
            }),
        ),
        ev(
            480,
            msg(MidiMessage::NoteOff {
                key: u7::new(60),
                vel: u7::new(0),
            }),
        ),
        ev(0, TrackEventKind::Meta(MetaMessage::EndOfTrack)),
    ];
    Smf {
        header: Header::new(Format::SingleTrack, Timing::Metrical(u15::new(480))),
        tracks: vec![track],
    }
    .save(path)
    .unwrap();
}

#[test]
fn importing_midi_at_another_tempo_asks_and_y_takes_it_in_the_same_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = midi_app(dir.path());
    let song = dir.path().join("song.mid");
    write_midi(&song, 96.0);
    press(&mut app, &format!(":import {}<ret>", song.display()));
    assert!(
        matches!(app.popups.last(), Some(Popup::ImportTempo(_))),
        "{:?}",
        app.status
    );
    assert_eq!(
        app.project.tracks.len(),
        2,
        "nothing imported before the answer"
    );
    let s = text(&mut app, 120, 40);
    assert!(
        s.contains("song.mid is at 96 BPM (the project is at 120):"),
        "{s}"
    );
    assert!(s.contains("use its tempo? y/n"), "{s}");
    let rev = app.history.revision();
    press(&mut app, "y");
    assert!(app.popups.is_empty());
    assert_eq!(app.project.tracks.len(), 3);
    assert_eq!(app.project.tempo.initial_bpm(), 96.0);
    assert_eq!(app.history.revision(), rev + 1, "one undo step");
    press(&mut app, "u");
    assert_eq!(app.project.tracks.len(), 2);
    assert_eq!(app.project.tempo.initial_bpm(), 120.0);

    // n: the tracks come in, the project's tempo stays.
    press(&mut app, &format!(":import {}<ret>n", song.display()));
    assert_eq!(app.project.tracks.len(), 3);
    assert_eq!(app.project.tempo.initial_bpm(), 120.0);
    // esc: nothing is imported.
    press(&mut app, &format!(":import {}<ret><esc>", song.display()));
    assert_eq!(app.project.tracks.len(), 3);
    // The same tempo: no question.
    let same = dir.path().join("same.mid");
    write_midi(&same, 120.0);
    press(&mut app, &format!(":import {}<ret>", same.display()));
    assert!(app.popups.is_empty());
    assert_eq!(app.project.tracks.len(), 4);
}

fn render_with(app: &App, name: &str, soundfont: Option<std::path::PathBuf>) -> Vec<f32> {
    let out = app.dir.join(name);
    let o = RenderOptions {
        bit_depth: BitDepth::F32,
        sample_rate: None,
        stems: false,
        soundfont,
    };
    render_to_wav(&app.project, &app.dir, &out, &o, &mut |_| {}).unwrap();
    let mut r = hound::WavReader::open(&out).unwrap();
    r.samples::<f32>().map(|s| s.unwrap()).collect()
}

#[test]
fn a_chosen_instrument_is_what_renders() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = midi_app(dir.path());
    // Without a SoundFont GM programs play the built-in synth's nearest preset.
    let keys = render_with(&app, "keys.wav", None);
    press(&mut app, ":instrument synth:lead<ret>");
    let lead = render_with(&app, "lead.wav", None);
    let n = keys.len().min(lead.len());
    let diff = (0..n).fold(0.0f32, |m, i| m.max((keys[i] - lead[i]).abs()));
    assert!(diff > 0.05, "the new instrument sounds different: {diff}");
    // A drum kit the SoundFont may lack (TR-808) still plays (its standard kit).
    let sf = Path::new("/usr/share/sounds/sf2/default-GM.sf2");
    if !sf.is_file() {
        println!("note: no General MIDI SoundFont installed; kit render skipped");
        return;
    }
    press(&mut app, ":instrument drums:808<ret>");
    let kit = render_with(&app, "kit.wav", Some(sf.to_path_buf()));
    let peak = kit.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak > 0.01, "the TR-808 kit sounds: {peak}");
}
