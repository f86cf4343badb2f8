//! Non-destructive MIDI trims: trimming a clip's start keeps the notes it hides and extending it
//! back restores them exactly; the engine plays only the clip's window (a note running past the
//! clip's end is cut there) and the piano roll draws exactly that.

mod ui_support;

use tdaw::engine::graph::{schedule_notes, ClipMode, Graph, Scheduled};
use tdaw::model::{
    Clip, ClipContent, ClipId, Instrument, MidiClip, Note, Project, Track, TrackId, TrackKind,
};
use ui_support::{app_with, press, text};

const RATE: u32 = 48_000;
const BEAT: usize = RATE as usize / 2;

fn note(pitch: u8, start: f64, length: f64) -> Note {
    Note {
        pitch,
        start,
        length,
        velocity: 100,
        channel: 0,
    }
}

/// One MIDI track (the organ preset) with one clip at `start` holding `notes`.
fn project(start: f64, length: f64, notes: Vec<Note>) -> Project {
    let mut p = Project::new("trim", RATE, 120.0);
    let mut t = Track::new(TrackId(1), "Keys", TrackKind::Midi);
    t.instrument = Some(Instrument::Synth {
        preset: "organ".into(),
    });
    t.clips.push(Clip {
        id: ClipId(1),
        name: String::new(),
        start,
        lane: 0,
        take: None,
        content: ClipContent::Midi(MidiClip {
            offset: 0.0,
            length,
            notes,
            controllers: Vec::new(),
        }),
    });
    p.tracks.push(t);
    p
}

fn clip(p: &Project) -> (f64, MidiClip) {
    let c = &p.tracks[0].clips[0];
    match &c.content {
        ClipContent::Midi(m) => (c.start, m.clone()),
        ClipContent::Audio(_) => panic!("a MIDI clip"),
    }
}

/// (timeline sample, pitch) of every note-on the engine schedules.
fn ons(p: &Project) -> Vec<(u64, u8)> {
    schedule_notes(p, &p.tracks[0], RATE)
        .iter()
        .filter_map(|e| match e.what {
            Scheduled::On { pitch, .. } => Some((e.sample, pitch)),
            _ => None,
        })
        .collect()
}

#[test]
fn trimming_the_start_and_extending_it_back_restores_the_notes() {
    // A clip at beat 4 with a triplet-timed note (not a grid multiple) before beat 2 of it.
    let notes = vec![
        note(60, 0.0, 1.0),
        note(62, 1.0 / 3.0, 0.5),
        note(64, 2.0, 1.0),
        note(65, 5.0, 1.0),
    ];
    let original = project(4.0, 8.0, notes.clone());
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(original.clone(), dir.path());
    // Cursor on beat 4 of the track; `}` trims the start one grid step (a beat) later.
    press(&mut app, "4l}l}");
    let (start, m) = clip(&app.project);
    assert_eq!((start, m.offset, m.length), (6.0, 2.0, 6.0));
    assert_eq!(m.notes, notes, "the notes stay in the model");
    // Only the notes inside the window play, where they played before the trim.
    let before = ons(&original);
    assert_eq!(ons(&app.project), before[2..].to_vec());

    // `{` extends the start again: everything comes back, bit for bit.
    press(&mut app, "l{{");
    assert_eq!(app.project.tracks[0].clips[0], original.tracks[0].clips[0]);
    assert_eq!(ons(&app.project), before);

    // Saved and loaded, a trimmed clip keeps its hidden notes.
    press(&mut app, "}l}:w<ret>");
    let loaded = tdaw::store::load_project(dir.path()).unwrap();
    assert_eq!(clip(&loaded).1.notes, notes);
    assert_eq!(clip(&loaded).1.offset, 2.0);
    // And undo walks back through the trims.
    press(&mut app, "uu");
    assert_eq!(app.project.tracks[0].clips[0], original.tracks[0].clips[0]);
}

#[test]
fn extending_before_the_content_moves_it_later() {
    let original = project(4.0, 4.0, vec![note(60, 0.0, 1.0)]);
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(original.clone(), dir.path());
    press(&mut app, "4l{");
    let (start, m) = clip(&app.project);
    assert_eq!((start, m.offset, m.length), (3.0, 0.0, 5.0));
    assert_eq!(
        m.notes[0].start, 1.0,
        "the note keeps its timeline position"
    );
    assert_eq!(ons(&app.project), ons(&original));
}

/// Renders the project from 0 (left channel of the mix).
fn render(p: &Project, frames: usize) -> Vec<f32> {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Graph::compile(p, dir.path(), RATE, ClipMode::Direct, None, true)
        .unwrap()
        .graph;
    let mut out = Vec::new();
    let mut pos = 0;
    while out.len() < frames {
        let done = g
            .process(pos, (frames - out.len()).min(1024), true, false)
            .unwrap();
        out.extend_from_slice(g.master(done).0);
        pos += done as u64;
    }
    out
}

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

#[test]
fn a_note_past_the_clip_end_is_cut_there_and_drawn_cut() {
    // Clip of 4 beats; the note runs from beat 3 to beat 7.
    let p = project(0.0, 4.0, vec![note(60, 3.0, 4.0)]);
    let x = render(&p, 7 * BEAT);
    assert!(
        peak(&x[BEAT * 7 / 2..4 * BEAT]) > 0.01,
        "heard inside the clip"
    );
    // The organ releases in 60 ms: from 0.2 s after the clip's end on, silence.
    let after = 4 * BEAT + RATE as usize / 5;
    assert!(peak(&x[after..]) < 1e-6, "silent after the clip's end");

    // The piano roll draws one beat of note, then the rest of it dimmed (░): not heard.
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(p, dir.path());
    press(&mut app, "<ret>");
    let cpb = app.piano.cols_per_beat();
    let screen = text(&mut app, 120, 40);
    let row = screen
        .lines()
        .find(|l| l.contains('░'))
        .unwrap_or_else(|| panic!("the part past the end is drawn dimmed:\n{screen}"));
    let heard = row.chars().filter(|c| matches!(c, '█' | '▐')).count() as f64;
    let cut = row.chars().filter(|c| *c == '░').count() as f64;
    assert!(
        (heard - cpb).abs() <= 1.0,
        "one beat drawn as a note: {row}"
    );
    assert!(
        (cut - 3.0 * cpb).abs() <= 1.0,
        "three beats drawn cut: {row}"
    );
}

#[test]
fn notes_trimmed_away_are_not_heard_and_are_drawn_dimmed() {
    // The clip shows content beats 2..6 at timeline 2..6: the note at 0..1 is hidden.
    let mut p = project(2.0, 4.0, vec![note(60, 0.0, 1.0), note(67, 3.0, 1.0)]);
    if let ClipContent::Midi(m) = &mut p.tracks[0].clips[0].content {
        m.offset = 2.0;
    }
    let x = render(&p, 6 * BEAT);
    assert!(
        peak(&x[..3 * BEAT]) < 1e-6,
        "nothing before the note at beat 3"
    );
    assert!(peak(&x[3 * BEAT..4 * BEAT]) > 0.01);
    assert_eq!(ons(&p), vec![(3 * BEAT as u64, 67)]);

    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(p, dir.path());
    press(&mut app, "2l<ret>");
    assert_eq!(
        app.piano.cursor, 2.0,
        "the piano roll opens at the clip's window"
    );
    let screen = text(&mut app, 120, 40);
    // Scrolled to show content beat 0: the hidden note is drawn dimmed, the other solid.
    let dimmed = screen.lines().filter(|l| l.contains('░')).count();
    let solid = screen
        .lines()
        .filter(|l| l.contains('█') || l.contains('▐'))
        .count();
    assert_eq!(app.piano.scroll_beat, 0.0);
    assert_eq!(dimmed, 1, "{screen}");
    assert!(solid >= 1, "{screen}");
}
