//! Drum patterns on the General MIDI percussion map, one grid per genre: sixteenths for most,
//! triplets for jazz and the blues shuffle, thirty-seconds for trap's hi-hat rolls. Each
//! genre's rules are data ([`pattern`]): house puts a kick on every beat, a clap on 2 and 4
//! and an open hat on every off-beat; boom-bap hip hop a syncopated kick under a backbeat;
//! rock a backbeat with a crash on the first bar; drum and bass the two-step kick; trap a
//! half-time clap and rolling hats; jazz the ride's spang-a-lang with the hat on 2 and 4.
//! The seed adds or leaves out each genre's optional hits; accents follow the beat.

use super::intent::{Genre, Mood};
use super::{beat, Calls, Ctx};
use crate::ai::{NoteOut, Reply, Suggestion};
use crate::model::rng::Rng;
use serde_json::json;

pub const KICK: u8 = 36;
pub const RIM: u8 = 37;
pub const SNARE: u8 = 38;
pub const CLAP: u8 = 39;
pub const CLOSED_HAT: u8 = 42;
pub const PEDAL_HAT: u8 = 44;
pub const OPEN_HAT: u8 = 46;
pub const CRASH: u8 = 49;
pub const RIDE: u8 = 51;

/// One voice of a pattern: its pitch, the steps of a 4/4 bar it plays on, its velocity on
/// and off the beat, and whether the seed may leave it out.
#[derive(Debug, Clone, Copy)]
pub struct Voice {
    pub pitch: u8,
    pub steps: &'static [u32],
    pub on_beat: u8,
    pub off_beat: u8,
    pub optional: bool,
}

/// A genre's bar.
#[derive(Debug, Clone, Copy)]
pub struct Pattern {
    pub steps_per_beat: u32,
    pub voices: &'static [Voice],
    /// A crash on the first downbeat, and a snare fill in the last bar of four or more.
    pub crash_and_fill: bool,
}

const fn v(pitch: u8, steps: &'static [u32], on_beat: u8, off_beat: u8) -> Voice {
    Voice {
        pitch,
        steps,
        on_beat,
        off_beat,
        optional: false,
    }
}

const fn opt(pitch: u8, steps: &'static [u32], on_beat: u8, off_beat: u8) -> Voice {
    Voice {
        pitch,
        steps,
        on_beat,
        off_beat,
        optional: true,
    }
}

const EIGHTHS: &[u32] = &[0, 2, 4, 6, 8, 10, 12, 14];
const OFF_16THS: &[u32] = &[1, 3, 5, 7, 9, 11, 13, 15];
const BEATS: &[u32] = &[0, 4, 8, 12];
const BACKBEAT: &[u32] = &[4, 12];
const OFFBEATS: &[u32] = &[2, 6, 10, 14];

/// The pattern of a genre (pop when none is named).
pub fn pattern(genre: Option<Genre>) -> Pattern {
    let p = |steps_per_beat, voices, crash_and_fill| Pattern {
        steps_per_beat,
        voices,
        crash_and_fill,
    };
    match genre {
        Some(Genre::House) => {
            const V: &[Voice] = &[
                v(KICK, BEATS, 120, 120),
                v(CLAP, BACKBEAT, 108, 108),
                v(OPEN_HAT, OFFBEATS, 96, 96),
                opt(CLOSED_HAT, OFF_16THS, 60, 52),
            ];
            p(4, V, false)
        }
        Some(Genre::Techno) => {
            const V: &[Voice] = &[
                v(KICK, BEATS, 124, 124),
                v(CLOSED_HAT, OFFBEATS, 100, 100),
                v(CLAP, BACKBEAT, 96, 96),
                opt(RIDE, EIGHTHS, 70, 58),
                opt(CLOSED_HAT, &[1, 3, 5, 7, 9, 11, 13, 15], 48, 44),
            ];
            p(4, V, false)
        }
        Some(Genre::HipHop) => {
            const V: &[Voice] = &[
                v(KICK, &[0, 7, 10], 118, 104),
                v(SNARE, BACKBEAT, 112, 112),
                v(CLOSED_HAT, EIGHTHS, 88, 64),
                opt(KICK, &[15], 90, 84),
                opt(OPEN_HAT, &[14], 80, 80),
            ];
            p(4, V, true)
        }
        Some(Genre::Lofi) => {
            const V: &[Voice] = &[
                v(KICK, &[0, 7, 10], 100, 88),
                v(SNARE, BACKBEAT, 92, 92),
                v(CLOSED_HAT, EIGHTHS, 66, 46),
                opt(RIM, &[15], 50, 50),
            ];
            p(4, V, false)
        }
        // Thirty-second steps: eight per beat, the clap on 3 (half time), rolls on beat 4.
        Some(Genre::Trap) => {
            const V: &[Voice] = &[
                v(KICK, &[0, 12, 22], 124, 110),
                v(CLAP, &[16], 116, 116),
                v(
                    CLOSED_HAT,
                    &[0, 4, 8, 12, 16, 20, 24, 25, 26, 27, 28, 29, 30, 31],
                    92,
                    70,
                ),
                opt(OPEN_HAT, &[14], 84, 84),
                opt(KICK, &[30], 100, 100),
            ];
            p(8, V, false)
        }
        Some(Genre::Rock) => {
            const V: &[Voice] = &[
                v(KICK, &[0, 8], 120, 120),
                v(SNARE, BACKBEAT, 116, 116),
                v(CLOSED_HAT, EIGHTHS, 100, 78),
                opt(KICK, &[10], 104, 104),
                opt(KICK, &[6], 96, 96),
            ];
            p(4, V, true)
        }
        Some(Genre::DrumAndBass) => {
            const V: &[Voice] = &[
                v(KICK, &[0, 10], 122, 112),
                v(SNARE, BACKBEAT, 118, 118),
                v(CLOSED_HAT, EIGHTHS, 90, 68),
                opt(SNARE, &[7, 15], 44, 44),
                opt(RIDE, &[2, 6, 10, 14], 70, 70),
            ];
            p(4, V, true)
        }
        Some(Genre::Reggae) => {
            const V: &[Voice] = &[
                v(KICK, &[8], 116, 116),
                v(RIM, &[8], 104, 104),
                v(CLOSED_HAT, EIGHTHS, 80, 64),
                opt(OPEN_HAT, &[14], 76, 76),
            ];
            p(4, V, false)
        }
        Some(Genre::Funk) => {
            const V: &[Voice] = &[
                v(KICK, &[0, 3, 10], 120, 104),
                v(SNARE, BACKBEAT, 116, 116),
                v(
                    CLOSED_HAT,
                    &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
                    96,
                    60,
                ),
                opt(SNARE, &[7, 9, 15], 40, 40),
            ];
            p(4, V, true)
        }
        // Triplet steps: three per beat. Ride on 1, 2, the "let" of 2, 3, 4, the "let" of 4.
        Some(Genre::Jazz) => {
            const V: &[Voice] = &[
                v(RIDE, &[0, 3, 5, 6, 9, 11], 96, 72),
                v(PEDAL_HAT, &[3, 9], 84, 84),
                v(KICK, &[0, 3, 6, 9], 40, 40),
                opt(SNARE, &[8], 48, 48),
            ];
            p(3, V, false)
        }
        Some(Genre::Blues) => {
            const V: &[Voice] = &[
                v(CLOSED_HAT, &[0, 2, 3, 5, 6, 8, 9, 11], 92, 66),
                v(KICK, &[0, 6], 112, 112),
                v(SNARE, &[3, 9], 108, 108),
                opt(KICK, &[5], 84, 84),
            ];
            p(3, V, true)
        }
        Some(Genre::Ambient) => {
            const V: &[Voice] = &[
                v(KICK, &[0], 76, 76),
                v(RIDE, BEATS, 52, 52),
                opt(RIM, &[10], 40, 40),
            ];
            p(4, V, false)
        }
        Some(Genre::Pop) | None => {
            const V: &[Voice] = &[
                v(KICK, &[0, 8], 118, 118),
                v(SNARE, BACKBEAT, 110, 110),
                v(CLAP, BACKBEAT, 96, 96),
                v(CLOSED_HAT, EIGHTHS, 90, 70),
                opt(KICK, &[10], 100, 100),
                opt(KICK, &[6], 92, 92),
            ];
            p(4, V, true)
        }
    }
}

/// `bars` bars of the genre's pattern (4/4), from beat 0.
pub fn drums(genre: Option<Genre>, bars: u32, epic: bool, seed: u64) -> Vec<NoteOut> {
    let pat = pattern(genre);
    let spb = pat.steps_per_beat;
    let bar_steps = 4 * spb;
    let step_len = 1.0 / f64::from(spb);
    let mut rng = Rng::new(seed);
    let chosen: Vec<bool> = pat
        .voices
        .iter()
        .map(|v| !v.optional || rng.below(2) == 0)
        .collect();
    let fill_bar = (pat.crash_and_fill && bars >= 4).then_some(bars - 1);
    let mut out = Vec::new();
    for bar in 0..bars {
        let bar_start = f64::from(bar * 4);
        let mut hits: Vec<(u32, u8, u8)> = Vec::new();
        for (voice, _) in pat.voices.iter().zip(&chosen).filter(|(_, &c)| c) {
            for &s in voice.steps {
                // The fill takes the snare line over the last beat.
                if fill_bar == Some(bar) && s >= 3 * spb && voice.pitch != KICK {
                    continue;
                }
                let vel = if s % spb == 0 {
                    voice.on_beat
                } else {
                    voice.off_beat
                };
                hits.push((s, voice.pitch, vel));
            }
        }
        if fill_bar == Some(bar) {
            for (k, s) in (3 * spb..bar_steps)
                .step_by((spb / 4).max(1) as usize)
                .enumerate()
            {
                hits.push((s, SNARE, (80 + 10 * k as u32).min(124) as u8));
            }
        }
        if bar == 0 && (pat.crash_and_fill || epic) {
            hits.push((0, CRASH, 110));
        }
        hits.sort_unstable();
        hits.dedup_by_key(|h| (h.0, h.1));
        for (s, pitch, velocity) in hits {
            // Accents: the bar's downbeat a little harder, every hit a little human.
            let accent = if s == 0 { 6 } else { 0 };
            let velocity =
                (i32::from(velocity) + accent + rng.int_within(3) as i32).clamp(1, 127) as u8;
            let length = if matches!(pitch, CRASH | RIDE | OPEN_HAT) {
                0.5
            } else {
                step_len.min(0.25)
            };
            out.push(NoteOut {
                pitch,
                // Exact, not rounded: a triplet step is a third of a beat.
                start_beat: bar_start + f64::from(s) * step_len,
                length_beats: beat(length),
                velocity,
            });
        }
    }
    out
}

/// The answer to "drums …".
pub fn answer(ctx: &Ctx) -> Reply {
    let i = ctx.intent;
    let bars = ctx.bars(4);
    let epic = i.mood == Some(Mood::Epic);
    let notes = drums(i.genre, bars, epic, i.seed);
    let name = i.genre.map_or("pop", Genre::name);
    let tempo = i.genre.unwrap_or(Genre::Pop).tempo();
    let rules = match i.genre {
        Some(Genre::House) => "a kick on every beat, a clap on 2 and 4, an open hat on every off-beat",
        Some(Genre::Techno) => "four on the floor, closed hats on the off-beats, a clap on 2 and 4",
        Some(Genre::HipHop) => "boom-bap: a syncopated kick (1, the 'a' of 2, the 'and' of 3) under a snare on 2 and 4, straight eighth hats",
        Some(Genre::Lofi) => "a soft boom-bap with quiet hats",
        Some(Genre::Trap) => "a half-time clap on 3, sparse kicks, eighth hats rolling in 1/32 notes on beat 4",
        Some(Genre::Rock) => "a backbeat: kick on 1 and 3, snare on 2 and 4, eighth hats, a crash on the first bar",
        Some(Genre::DrumAndBass) => "the two-step: kick on 1 and the 'and' of 3, snare on 2 and 4",
        Some(Genre::Reggae) => "the one drop: kick and rim together on beat 3 only",
        Some(Genre::Funk) => "a syncopated kick, a backbeat with ghost notes, sixteenth hats",
        Some(Genre::Jazz) => "the ride's spang-a-lang on a triplet grid, the hi-hat pedal on 2 and 4, a feathered kick",
        Some(Genre::Blues) => "a triplet shuffle on the hats, kick on 1 and 3, snare on 2 and 4",
        Some(Genre::Ambient) => "a soft kick on the downbeat and a quiet ride on the beats",
        Some(Genre::Pop) | None => "kick on 1 and 3, snare and clap on 2 and 4, eighth hats",
    };
    let grid = match pattern(i.genre).steps_per_beat {
        3 => "triplet eighths",
        8 => "1/32 notes",
        _ => "1/16 notes",
    };
    let tempo_text = match i.bpm {
        Some(b) => format!("The tempo is set to {b} BPM."),
        None => format!("It sits best around {tempo} BPM (the tempo is left as it is)."),
    };
    let text = format!(
        "A {name} drum pattern, {bars} bars on the General MIDI kit: {rules}. On a grid of {grid}, with accents on the beats. {tempo_text}"
    );
    let mut calls = Calls::default();
    calls.tempo_if_asked(ctx);
    calls.track_with_clip(
        ctx,
        "Drums",
        json!("drums"),
        &format!("{name} drums"),
        f64::from(bars * 4),
        &notes,
    );
    Reply {
        text,
        suggestion: Suggestion::Drums { notes },
        calls: calls.0,
    }
}
