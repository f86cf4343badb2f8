//! Numbers in `project.toml` read like a person wrote them: a split on a 1/20 grid leaves
//! `5.999999999999998` beats in memory, and the file says `6.0`.

mod ui_support;

use tdaw::model::*;
use ui_support::{app_with, press};

#[test]
fn a_split_on_a_quintuplet_grid_writes_whole_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Project::new("floats", 48_000, 120.0);
    let mut t = Track::new(TrackId(1), "Keys", TrackKind::Midi);
    t.clips.push(Clip {
        id: ClipId(1),
        name: String::new(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Midi(MidiClip {
            length: 14.2,
            offset: 0.0,
            controllers: Vec::new(),
            notes: vec![Note {
                pitch: 60,
                start: 12.0,
                length: 1.0,
                velocity: 100,
                channel: 0,
            }],
        }),
    });
    p.tracks.push(t);
    let mut app = app_with(p, dir.path());
    // 41 steps of 0.2 beat: the cursor is at 8.200000000000001.
    press(&mut app, ":grid 1/20<ret>41ls:w<ret>");
    let clips = &app.project.tracks[0].clips;
    assert_eq!(clips.len(), 2);
    let right = clips.iter().find(|c| c.id != ClipId(1)).unwrap();
    let ClipContent::Midi(m) = &right.content else {
        panic!("a MIDI clip")
    };
    // What the arithmetic gives (in memory)...
    assert_eq!(m.length, 5.999999999999998);
    assert_eq!(right.start, 8.200000000000001);
    // Split keeps the notes where they are and moves the right half's window (its offset).
    assert_eq!(m.offset, 8.200000000000001);
    assert_eq!(m.notes[0].start, 12.0);
    // ...and what the file says.
    let text = std::fs::read_to_string(dir.path().join("project.toml")).unwrap();
    assert!(text.contains("start = 8.2\n"), "{text}");
    assert!(text.contains("length = 6.0\n"), "{text}");
    assert!(text.contains("offset = 8.2\n"), "{text}");
    assert!(text.contains("[60, 12.0, 1.0, 100, 0]"), "{text}");
    assert!(!text.contains("99999"), "{text}");
    assert!(!text.contains("00000"), "{text}");
    // Reading it back and saving again changes nothing.
    let back = tdaw::store::read_project_file(dir.path()).unwrap();
    assert_eq!(tdaw::store::format::to_toml(&back).unwrap(), text);
}
