//! `tdaw demo`: writes the bundled demo song (if it is not there yet) into the data dir and
//! opens it in the TUI. The song is ~30 s in A minor at 128 BPM: drums, bass, chords and a lead,
//! as MIDI tracks playing General MIDI instruments (the SoundFont when one is found, otherwise
//! the built-in synth's closest presets).
//!
//! The two instrument sources do not play a General MIDI program at the same level, so the demo
//! is written with the track gains of the source that will play it ([`Mix`]): either way the
//! song renders at about -15 LUFS integrated with its true peak below -1 dBTP
//! (`tests/ui_demo_mix.rs` renders and measures both).

use crate::model::{
    Clip, ClipContent, ClipId, Instrument, Marker, MidiClip, Note, Project, TempoMap, Track,
    TrackId, TrackKind,
};
use anyhow::Context;
use std::path::PathBuf;

/// `tdaw demo` takes no arguments.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    let dir = ensure_demo()?;
    super::open::run_tui(&dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))
}

/// The folder of the demo song.
pub fn demo_dir() -> PathBuf {
    crate::config::data_dir().join("demo")
}

/// Writes the demo song when it is missing; returns its folder. An existing demo (perhaps
/// edited by the user) is left as it is.
pub fn ensure_demo() -> anyhow::Result<PathBuf> {
    let dir = demo_dir();
    if dir.join(crate::store::PROJECT_FILE).is_file() {
        return Ok(dir);
    }
    crate::store::create_project(&dir, 48_000, 128.0)
        .with_context(|| format!("creating the demo song in {}", dir.display()))?;
    let config = crate::config::Config::load().unwrap_or_default();
    let sound = if crate::engine::instrument::find_soundfont(config.soundfont.as_deref()).is_some()
    {
        Sound::SoundFont
    } else {
        Sound::Synth
    };
    crate::store::transact(&dir, |p| {
        *p = demo_project_for(sound);
        Ok::<_, crate::store::StoreError>(())
    })
    .with_context(|| format!("writing the demo song in {}", dir.display()))?;
    Ok(dir)
}

const BAR: f64 = 4.0;

fn note(pitch: u8, start: f64, length: f64, velocity: u8, channel: u8) -> Note {
    Note {
        pitch,
        start,
        length,
        velocity,
        channel,
    }
}

fn clip(id: u64, name: &str, bar: u32, bars: u32, notes: Vec<Note>) -> Clip {
    Clip {
        id: ClipId(id),
        name: name.into(),
        start: bar as f64 * BAR,
        lane: 0,
        take: None,
        content: ClipContent::Midi(MidiClip {
            offset: 0.0,
            controllers: Vec::new(),
            length: bars as f64 * BAR,
            notes,
        }),
    }
}

fn midi_track(id: u64, name: &str, instrument: Instrument, gain_db: f32, pan: f32) -> Track {
    let mut t = Track::new(TrackId(id), name, TrackKind::Midi);
    t.instrument = Some(instrument);
    t.gain_db = gain_db;
    t.pan = pan;
    t
}

/// Roots of the progression Am – F – C – G, one chord per bar (bass octave).
const ROOTS: [u8; 4] = [45, 41, 48, 43];
/// Close voicings of the same chords.
const CHORDS: [[u8; 3]; 4] = [[57, 60, 64], [57, 60, 65], [55, 60, 64], [55, 59, 62]];

fn drums(bars: u32, full: bool) -> Vec<Note> {
    let mut n = Vec::new();
    for bar in 0..bars {
        let b = bar as f64 * BAR;
        for e in 0..8 {
            let open = full && bar % 4 == 3 && e == 7;
            n.push(note(
                if open { 46 } else { 42 },
                b + e as f64 * 0.5,
                0.25,
                if e % 2 == 0 { 96 } else { 72 },
                9,
            ));
        }
        n.push(note(36, b, 0.5, 76, 9));
        if full {
            n.push(note(36, b + 2.0, 0.5, 72, 9));
            n.push(note(36, b + 2.5, 0.5, 58, 9));
            n.push(note(38, b + 1.0, 0.5, 72, 9));
            n.push(note(38, b + 3.0, 0.5, 76, 9));
        }
        if bar == 0 && full {
            n.push(note(49, b, 1.0, 80, 9));
        }
    }
    n
}

fn bass(bars: u32) -> Vec<Note> {
    let mut n = Vec::new();
    for bar in 0..bars {
        let root = ROOTS[bar as usize % 4];
        let b = bar as f64 * BAR;
        for (i, (off, len, up)) in [
            (0.0, 0.75, 0),
            (1.0, 0.5, 0),
            (1.5, 0.5, 12),
            (2.0, 0.75, 0),
            (3.0, 0.5, 7),
            (3.5, 0.5, 12),
        ]
        .into_iter()
        .enumerate()
        {
            n.push(note(
                root + up,
                b + off,
                len,
                if i == 0 { 96 } else { 88 },
                0,
            ));
        }
    }
    n
}

fn chords(bars: u32) -> Vec<Note> {
    let mut n = Vec::new();
    for bar in 0..bars {
        for p in CHORDS[bar as usize % 4] {
            n.push(note(p, bar as f64 * BAR, BAR, 72, 0));
        }
    }
    n
}

/// The lead melody over four bars of the progression; `answer` varies the last two bars.
fn lead(answer: bool) -> Vec<Note> {
    let phrase: &[(f64, f64, u8)] = &[
        (0.0, 1.0, 76),
        (1.0, 0.5, 74),
        (1.5, 0.5, 72),
        (2.0, 1.5, 69),
        (3.5, 0.5, 72),
        (4.0, 1.0, 72),
        (5.0, 0.5, 69),
        (5.5, 0.5, 67),
        (6.0, 2.0, 65),
        (8.0, 1.0, 67),
        (9.0, 0.5, 72),
        (9.5, 0.5, 76),
        (10.0, 2.0, 79),
    ];
    let ending: &[(f64, f64, u8)] = if answer {
        &[(12.0, 1.0, 76), (13.0, 1.0, 74), (14.0, 2.0, 69)]
    } else {
        &[
            (12.0, 0.5, 79),
            (12.5, 0.5, 76),
            (13.0, 1.0, 74),
            (14.0, 1.0, 71),
            (15.0, 1.0, 74),
        ]
    };
    phrase
        .iter()
        .chain(ending)
        .map(|&(s, l, p)| note(p, s, l, 92, 0))
        .collect()
}

/// Which instruments will play the demo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sound {
    /// A General MIDI SoundFont (TimGM6mb, FluidR3, ...).
    SoundFont,
    /// The built-in synth and drum machine.
    Synth,
}

/// Track gains in dB: drums, bass, chords, lead.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mix {
    pub drums: f32,
    pub bass: f32,
    pub chords: f32,
    pub lead: f32,
}

impl Sound {
    /// The gains that put the song at about -15 LUFS with this source. Measured with
    /// TimGM6mb.sf2; FluidR3 plays within a dB or two of it.
    pub fn mix(self) -> Mix {
        match self {
            Sound::SoundFont => Mix {
                drums: MIX_SF[0],
                bass: MIX_SF[1],
                chords: MIX_SF[2],
                lead: MIX_SF[3],
            },
            Sound::Synth => Mix {
                drums: MIX_SYNTH[0],
                bass: MIX_SYNTH[1],
                chords: MIX_SYNTH[2],
                lead: MIX_SYNTH[3],
            },
        }
    }
}

/// The SoundFont player's master volume is 0.4 (−7.96 dB, so that loud real GM files do not
/// clip); the demo makes it up in the master chain's glue compressor (its makeup gain), keeping
/// the mix where it was while the track faders stay inside the mixer's range and the master
/// limiter stays last, after every gain.
const SF_MAKEUP_DB: f32 = 9.5;
/// The built-in synth's parts are mixed for 0 dB; the glue compressor's makeup brings the
/// limited mix to the same loudness.
const SYNTH_MAKEUP_DB: f32 = 3.0;
const MIX_SF: [f32; 4] = [9.0, 0.0, 6.5, 1.0];
const MIX_SYNTH: [f32; 4] = [2.0, -3.0, -1.0, 0.0];

/// The demo song as written where a SoundFont is installed (tests and snapshots use this one,
/// so they do not depend on the machine).
pub fn demo_project() -> Project {
    demo_project_for(Sound::SoundFont)
}

/// The demo song: 16 bars (30 s at 128 BPM) with intro, groove, lead and answer sections,
/// mixed for `sound`.
pub fn demo_project_for(sound: Sound) -> Project {
    let mix = sound.mix();
    let mut p = Project::new("tdaw demo", 48_000, 128.0);
    p.tempo = TempoMap::constant(128.0);
    p.key = "Am".parse().ok();
    p.markers = vec![
        Marker {
            beat: 0.0,
            name: "Intro".into(),
        },
        Marker {
            beat: 16.0,
            name: "Groove".into(),
        },
        Marker {
            beat: 32.0,
            name: "Lead".into(),
        },
        Marker {
            beat: 48.0,
            name: "Answer".into(),
        },
    ];
    let mut d = midi_track(
        1,
        "Drums",
        Instrument::GeneralMidi {
            program: 0,
            drums: true,
        },
        mix.drums,
        0.0,
    );
    d.clips = vec![
        clip(1, "Hats", 0, 4, drums(4, false)),
        clip(2, "Beat", 4, 4, drums(4, true)),
        clip(3, "Beat", 8, 4, drums(4, true)),
        clip(4, "Beat", 12, 4, drums(4, true)),
    ];
    let mut b = midi_track(
        2,
        "Bass",
        Instrument::GeneralMidi {
            program: 33,
            drums: false,
        },
        mix.bass,
        0.0,
    );
    b.clips = vec![
        clip(5, "Bass", 4, 8, bass(8)),
        clip(6, "Bass", 12, 4, bass(4)),
    ];
    let mut c = midi_track(
        3,
        "Chords",
        Instrument::GeneralMidi {
            program: 89,
            drums: false,
        },
        mix.chords,
        -0.3,
    );
    c.clips = vec![clip(7, "Chords", 0, 16, chords(16))];
    let mut l = midi_track(
        4,
        "Lead",
        Instrument::GeneralMidi {
            program: 81,
            drums: false,
        },
        mix.lead,
        0.25,
    );
    l.clips = vec![
        clip(8, "Lead", 8, 4, lead(false)),
        clip(9, "Answer", 12, 4, lead(true)),
    ];
    p.tracks = vec![d, b, c, l];
    let makeup = if sound == Sound::SoundFont {
        SF_MAKEUP_DB
    } else {
        SYNTH_MAKEUP_DB
    };
    mix_bus(&mut p, makeup);
    p
}

/// The demo's mixing: a drum bus compressing the drums in parallel, a reverb send from the
/// chords and the lead, a dotted-eighth delay on the lead, a filter sweep opening the chords
/// over the intro, and a limiter on the master. Built with the same operations the shell's
/// `tdaw track|fx|send|automate` use.
fn mix_bus(p: &mut Project, makeup_db: f32) {
    use crate::model::mixer::{self, Owner};
    use crate::model::{ops, AutomationPoint};
    let pairs = |s: &[(&str, &str)]| -> Vec<(String, String)> {
        s.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let apply = |p: &mut Project, e: Result<crate::model::Edit, String>| {
        // The demo is built from constants: an op that refuses is a bug in this function.
        let e = e.unwrap_or_else(|m| panic!("demo mix: {m}"));
        e.apply(p).unwrap_or_else(|m| panic!("demo mix: {m}"));
    };
    let (drums, chords, lead) = (TrackId(1), TrackId(3), TrackId(4));
    for name in ["Drum Bus", "Verb"] {
        let e = ops::add_track(p, p.tracks.len(), TrackKind::Bus, Some(name.into()), None)
            .map_err(|e| e.to_string());
        apply(p, e);
    }
    let (drum_bus, verb) = (TrackId(5), TrackId(6));
    let fx = |p: &mut Project, o: Owner, kind: &str, params: &[(&str, &str)]| {
        let (e, id) = mixer::add_effect(p, o, kind, &pairs(params), None)
            .unwrap_or_else(|m| panic!("demo mix: {m}"));
        e.apply(p).unwrap_or_else(|m| panic!("demo mix: {m}"));
        id
    };
    fx(
        p,
        Owner::Track(drum_bus),
        "compressor",
        &[
            ("threshold_db", "-24"),
            ("ratio", "6"),
            ("attack_ms", "3"),
            ("release_ms", "80"),
            ("makeup_db", "4"),
        ],
    );
    fx(
        p,
        Owner::Track(verb),
        "reverb",
        &[
            ("decay_s", "2.2"),
            ("predelay_ms", "25"),
            ("damping", "0.4"),
            ("mix", "1"),
        ],
    );
    fx(
        p,
        Owner::Track(lead),
        "delay",
        &[
            ("time", "1/8."),
            ("feedback", "0.3"),
            ("highcut_hz", "5000"),
            ("lowcut_hz", "200"),
            ("mix", "0.25"),
        ],
    );
    let sweep = fx(
        p,
        Owner::Track(chords),
        "eq",
        &[("b1_type", "lowpass"), ("b1_freq", "400"), ("b1_q", "0.9")],
    );
    let makeup = makeup_db.to_string();
    fx(
        p,
        Owner::Master,
        "compressor",
        &[
            ("threshold_db", "-14"),
            ("ratio", "1.5"),
            ("knee_db", "6"),
            ("attack_ms", "30"),
            ("release_ms", "200"),
            ("makeup_db", &makeup),
        ],
    );
    fx(
        p,
        Owner::Master,
        "limiter",
        &[("ceiling_dbtp", "-1.5"), ("release_ms", "80")],
    );
    let e = mixer::set_send(p, drums, drum_bus, Some(-6.0), None);
    apply(p, e);
    for (t, db) in [(chords, -14.0), (lead, -12.0)] {
        let e = mixer::set_send(p, t, verb, Some(db), None);
        apply(p, e);
    }
    // The chords' low-pass opens from 400 Hz to 12 kHz over the intro, then stays open.
    let target = crate::model::AutomationTarget::Fx(sweep, "b1_freq".into());
    let e = mixer::set_points(
        p,
        Owner::Track(chords),
        &target,
        &[
            AutomationPoint {
                beat: 0.0,
                value: 400.0,
                curve: 0.5,
            },
            AutomationPoint::new(16.0, 12000.0),
        ],
    );
    apply(p, e);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_valid_thirty_seconds_with_four_parts() {
        let p = demo_project();
        p.validate().unwrap();
        assert!((p.end_seconds() - 30.0).abs() < 0.01, "{}", p.end_seconds());
        let names: Vec<&str> = p.tracks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["Drums", "Bass", "Chords", "Lead", "Drum Bus", "Verb"]
        );
        // The mix uses the effects: a bus compressor, a reverb send, a delayed lead, a master
        // limiter, an automated filter sweep.
        let kinds = |i: usize| -> Vec<&str> {
            p.tracks[i]
                .effects
                .iter()
                .map(|e| e.kind.as_str())
                .collect()
        };
        assert_eq!(kinds(4), ["compressor"]);
        assert_eq!(kinds(5), ["reverb"]);
        assert_eq!(kinds(3), ["delay"]);
        assert_eq!(p.master.effects[1].kind, "limiter");
        assert_eq!(p.tracks[2].automation[0].points.len(), 2);
        assert_eq!(p.tracks[3].sends[0].to, p.tracks[5].id);
        let key = p.key.unwrap();
        // Every pitched note is in A minor.
        for t in &p.tracks[1..4] {
            for c in &t.clips {
                if let ClipContent::Midi(m) = &c.content {
                    for n in &m.notes {
                        assert!(key.contains(n.pitch), "{} {}", t.name, n.pitch);
                        assert!(n.end() <= m.length + 1e-9);
                    }
                }
            }
        }
    }
}
