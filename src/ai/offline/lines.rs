//! Melodies and bass lines over a progression: the chords the prompt names, else the chords of
//! the selected clip (or of the project's first clip that holds chords), else a progression
//! picked for the key, mood and genre.
//!
//! A melody stays in the key's scale and in a singable range (E4–A5, an octave and a half
//! around C5), puts chord tones on the strong beats (1 and 3), steps through the scale in
//! between, repeats a one-bar motif (A A A B in every four bars, the repeats moved to fit each
//! chord) and ends on a stable tone (of the tonic triad and the last chord) on a strong beat.
//! A bass line plays each chord's root in octave 2 on the chord's first beat, then the
//! genre's rhythm: root–fifth, eighths, octave pulses, off-beats, 808 holds, or walking
//! quarters with a chromatic approach for jazz. Every choice is drawn from the seed.

use super::harmony::{detect_chords, lay_out, pick, roman};
use super::intent::{Genre, Mood};
use super::{beat, key_for, Calls, Ctx, KeySource};
use crate::ai::{NoteOut, Reply, Suggestion};
use crate::midi::theory::{detect_key, transpose_in_key, Chord, Scale};
use crate::model::rng::Rng;
use crate::model::{ClipContent, Note, Project};
use serde_json::json;

/// The melody's range, inclusive.
pub const MELODY_LOW: u8 = 64;
pub const MELODY_HIGH: u8 = 81;

/// Chords with their start and length in beats.
pub type Timed = Vec<(Chord, f64, f64)>;

/// The chords a line goes over, where they came from, and where its clip goes.
pub struct Over {
    /// Chord, start and length in beats from the clip's start.
    pub chords: Vec<(Chord, f64, f64)>,
    pub scale: Scale,
    pub from: String,
    /// The clip's start on the timeline.
    pub at: f64,
}

/// A clip's notes with their times relative to the clip's visible start, and the clip.
fn clip_chords(p: &Project, clip: &crate::model::Clip, ctx: &Ctx) -> Option<(Timed, Scale)> {
    let ClipContent::Midi(m) = &clip.content else {
        return None;
    };
    let notes: Vec<Note> = m
        .notes
        .iter()
        .filter(|n| n.start + n.length > m.offset && n.start < m.offset + m.length)
        .map(|n| Note {
            start: n.start - m.offset,
            ..*n
        })
        .collect();
    let scale = ctx
        .intent
        .key
        .or_else(|| p.key.as_ref().map(Scale::from_key))
        .or_else(|| detect_key(&notes).map(|e| Scale::from_key(&e.key)))?;
    let chords = detect_chords(&notes, &scale, m.length);
    (!chords.is_empty()).then_some((chords, scale))
}

/// The progression a melody or bass line goes over (see the module doc).
pub fn over(ctx: &Ctx, minor_default: bool) -> Over {
    let i = ctx.intent;
    let bar = ctx.bar_beats();
    if !i.chords.is_empty() {
        let notes: Vec<Note> = i
            .chords
            .iter()
            .flat_map(|c| c.pitches())
            .map(|p| Note {
                pitch: p,
                start: 0.0,
                length: 1.0,
                velocity: 100,
                channel: 0,
            })
            .collect();
        let scale = i
            .key
            .or_else(|| detect_key(&notes).map(|e| Scale::from_key(&e.key)))
            .unwrap_or_else(|| key_for(ctx, minor_default).0);
        let bars = ctx.bars(i.chords.len() as u32);
        let names: Vec<String> = i.chords.iter().map(|c| c.to_string()).collect();
        return Over {
            chords: lay_out(&i.chords, bars, bar),
            scale,
            from: format!("the chords you named ({})", names.join(" ")),
            at: 0.0,
        };
    }
    if let Some(p) = ctx.project {
        let selected = ctx.req.selected_clip.and_then(|id| {
            p.tracks
                .iter()
                .flat_map(|t| t.clips.iter().map(move |c| (t, c)))
                .find(|(_, c)| c.id == id)
        });
        let others = p
            .tracks
            .iter()
            .flat_map(|t| t.clips.iter().map(move |c| (t, c)));
        for (t, clip) in selected.into_iter().chain(others) {
            if let Some((chords, scale)) = clip_chords(p, clip, ctx) {
                let symbols: Vec<String> = chords.iter().map(|c| c.0.to_string()).collect();
                return Over {
                    chords,
                    scale,
                    from: format!(
                        "the chords of clip '{}' on track '{}' ({})",
                        clip.name,
                        t.name,
                        symbols.join(" ")
                    ),
                    at: clip.start,
                };
            }
        }
    }
    let (scale, source) = key_for(ctx, minor_default);
    let picked = pick(&scale, i.mood, i.genre, i.seed);
    let bars = ctx.bars(picked.chords.len().max(1) as u32);
    let romans: Vec<String> = picked
        .chords
        .iter()
        .map(|c| roman(c, &picked.scale))
        .collect();
    let symbols: Vec<String> = picked.chords.iter().map(|c| c.to_string()).collect();
    let whence = if source == KeySource::Chosen {
        ", no key was given"
    } else {
        ""
    };
    Over {
        chords: lay_out(&picked.chords, bars, bar),
        scale: picked.scale,
        from: format!(
            "{} ({}), a progression I chose{whence}",
            romans.join(" "),
            symbols.join(" ")
        ),
        at: 0.0,
    }
}

/// The chord sounding at beat `t`.
fn chord_at(chords: &[(Chord, f64, f64)], t: f64) -> Option<&Chord> {
    chords
        .iter()
        .rev()
        .find(|(_, s, _)| *s <= t + 1e-9)
        .map(|(c, _, _)| c)
}

fn pcs(chord: &Chord) -> Vec<u8> {
    chord.notes().iter().map(|n| n.pitch_class()).collect()
}

/// Pitches in the melody's range whose pitch class is in `classes` and in the scale.
fn candidates(classes: &[u8], scale: &Scale) -> Vec<u8> {
    (MELODY_LOW..=MELODY_HIGH)
        .filter(|p| classes.contains(&(p % 12)) && scale.contains(*p))
        .collect()
}

fn nearest(cands: &[u8], target: i32) -> Option<u8> {
    cands
        .iter()
        .copied()
        .min_by_key(|&p| ((p as i32 - target).abs(), p))
}

/// One bar's rhythm: (onset, length) in beats, starting on the downbeat.
fn rhythm(bar: f64, rng: &mut Rng, sparse: bool) -> Vec<(f64, f64)> {
    let cells: &[&[f64]] = if sparse {
        &[&[2.0], &[1.0], &[1.5, 0.5], &[1.0, 1.0]]
    } else {
        &[
            &[1.0],
            &[0.5, 0.5],
            &[1.5, 0.5],
            &[2.0],
            &[0.5, 0.5, 1.0],
            &[0.75, 0.25],
        ]
    };
    let mut out = Vec::new();
    let mut pos = 0.0;
    while bar - pos > 1e-9 {
        let room = bar - pos;
        let fitting: Vec<&&[f64]> = cells
            .iter()
            .filter(|c| c.iter().sum::<f64>() <= room + 1e-9)
            .collect();
        let cell: &[f64] = if fitting.is_empty() {
            &[]
        } else {
            fitting[rng.below(fitting.len())]
        };
        if cell.is_empty() {
            out.push((pos, room));
            break;
        }
        for &len in cell {
            out.push((pos, len));
            pos += len;
        }
    }
    if out.len() < 2 && bar >= 2.0 {
        out = vec![(0.0, bar / 2.0), (bar / 2.0, bar / 2.0)];
    }
    out
}

/// A strong beat: the downbeat, or the bar's middle in a bar of four (or more, even) beats.
fn strong(pos_in_bar: f64, bar: f64) -> bool {
    pos_in_bar.abs() < 1e-9
        || (bar >= 4.0 && (bar / 2.0).fract() == 0.0 && (pos_in_bar - bar / 2.0).abs() < 1e-9)
}

/// The melody over `chords` in `scale` (see the module doc).
pub fn melody(
    chords: &[(Chord, f64, f64)],
    scale: &Scale,
    bar: f64,
    seed: u64,
    sparse: bool,
) -> Vec<NoteOut> {
    let total = chords.last().map_or(0.0, |(_, s, l)| s + l);
    if total <= 0.0 || bar <= 0.0 {
        return Vec::new();
    }
    let bars = (total / bar - 1e-9).ceil().max(1.0) as usize;
    let mut rng = Rng::new(seed);
    let motif_a = rhythm(bar, &mut rng, sparse);
    let motif_b = rhythm(bar, &mut rng, sparse);
    let steps = |rng: &mut Rng, n: usize| -> Vec<i32> {
        const MOVES: [i32; 9] = [-2, -1, -1, 1, 1, 2, 0, 3, -3];
        (0..n).map(|_| MOVES[rng.below(MOVES.len())]).collect()
    };
    let contour_a = steps(&mut rng, motif_a.len());
    let contour_b = steps(&mut rng, motif_b.len());
    let tonic_pc = scale.tonic.pitch_class();
    let in_scale: Vec<u8> = candidates(&(0..12).collect::<Vec<_>>(), scale);
    let fit = |p: i32| nearest(&in_scale, p).unwrap_or(72);
    let mut out: Vec<NoteOut> = Vec::new();
    let mut prev: Option<u8> = None;
    for b in 0..bars {
        let start = b as f64 * bar;
        let last_bar = b + 1 == bars;
        let (rh, contour) = if b % 4 == 3 {
            (&motif_b, &contour_b)
        } else {
            (&motif_a, &contour_a)
        };
        let mut notes: Vec<(f64, f64, i32)> = rh
            .iter()
            .zip(contour.iter())
            .map(|(&(o, l), &s)| (o, l, s))
            .collect();
        if last_bar {
            // The end: the motif's first half, then a long note on the bar's middle (or the
            // downbeat of a short bar).
            let cut = if bar >= 2.0 { (bar / 2.0).floor() } else { 0.0 };
            notes.retain(|n| n.0 < cut - 1e-9);
            for n in &mut notes {
                n.1 = n.1.min(cut - n.0);
            }
            notes.push((cut, bar - cut, 0));
        }
        let n_notes = notes.len();
        for (k, &(onset, len, step)) in notes.iter().enumerate() {
            let t = start + onset;
            if t >= total - 1e-9 {
                break;
            }
            let len = len.min(total - t);
            let chord = chord_at(chords, t);
            let chord_pcs = chord.map(pcs).unwrap_or_default();
            let pitch = if last_bar && k + 1 == n_notes {
                let tonic_triad = [
                    tonic_pc,
                    scale.notes().get(2).map_or(tonic_pc, |n| n.pitch_class()),
                    scale.notes().get(4).map_or(tonic_pc, |n| n.pitch_class()),
                ];
                // A tone of the tonic triad that the last chord holds; else the chord's
                // root (stable over its own chord); else the tonic.
                let mut stable: Vec<u8> = tonic_triad
                    .iter()
                    .copied()
                    .filter(|p| chord_pcs.contains(p))
                    .collect();
                if stable.is_empty() {
                    stable = chord
                        .map(|c| c.root.pitch_class())
                        .filter(|&r| scale.contains(r))
                        .map_or(vec![tonic_pc], |r| vec![r]);
                }
                nearest(&candidates(&stable, scale), prev.map_or(72, i32::from)).unwrap_or(72)
            } else if k == 0 || strong(onset, bar) {
                let target = match prev {
                    Some(p) => transpose_in_key(p, step, scale).map_or(p as i32, i32::from),
                    None => 72,
                };
                let tones = candidates(&chord_pcs, scale);
                nearest(&tones, target).unwrap_or_else(|| fit(target))
            } else {
                let p = prev.unwrap_or(72);
                let up = transpose_in_key(p, step, scale)
                    .ok()
                    .filter(|q| (MELODY_LOW..=MELODY_HIGH).contains(q));
                let down = transpose_in_key(p, -step, scale)
                    .ok()
                    .filter(|q| (MELODY_LOW..=MELODY_HIGH).contains(q));
                up.or(down).unwrap_or_else(|| fit(p as i32))
            };
            let accent = if onset == 0.0 {
                100
            } else if strong(onset, bar) {
                92
            } else {
                78
            };
            let velocity = (accent + rng.int_within(6) as i32).clamp(1, 127) as u8;
            out.push(NoteOut {
                pitch,
                start_beat: beat(t),
                length_beats: beat(len * if k + 1 == n_notes { 1.0 } else { 0.95 }),
                velocity,
            });
            prev = Some(pitch);
        }
    }
    out
}

/// A bass note's place in its chord.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Deg {
    Root,
    Third,
    Fifth,
    Sixth,
    Octave,
}

/// A genre's bass rhythm over four beats: (onset, length, degree).
fn bass_template(genre: Option<Genre>) -> &'static [(f64, f64, Deg)] {
    use Deg::*;
    match genre {
        Some(Genre::Rock) => &[
            (0.0, 0.5, Root),
            (0.5, 0.5, Root),
            (1.0, 0.5, Root),
            (1.5, 0.5, Root),
            (2.0, 0.5, Root),
            (2.5, 0.5, Root),
            (3.0, 0.5, Root),
            (3.5, 0.5, Root),
        ],
        Some(Genre::House) => &[
            (0.0, 0.25, Root),
            (0.5, 0.4, Octave),
            (1.5, 0.4, Octave),
            (2.5, 0.4, Octave),
            (3.5, 0.4, Octave),
        ],
        Some(Genre::Techno) => &[
            (0.0, 0.25, Root),
            (0.5, 0.4, Root),
            (1.5, 0.4, Root),
            (2.5, 0.4, Root),
            (3.5, 0.4, Root),
        ],
        Some(Genre::Funk) => &[
            (0.0, 0.5, Root),
            (0.5, 0.25, Octave),
            (1.0, 0.5, Root),
            (1.75, 0.25, Octave),
            (2.0, 0.5, Root),
            (2.5, 0.25, Octave),
            (3.0, 0.5, Fifth),
            (3.5, 0.25, Octave),
        ],
        Some(Genre::Blues) => &[
            (0.0, 1.0, Root),
            (1.0, 1.0, Third),
            (2.0, 1.0, Fifth),
            (3.0, 1.0, Sixth),
        ],
        Some(Genre::Reggae) => &[
            (0.0, 1.0, Root),
            (1.5, 0.5, Fifth),
            (2.5, 1.0, Root),
            (3.5, 0.5, Third),
        ],
        Some(Genre::HipHop | Genre::Lofi) => {
            &[(0.0, 1.5, Root), (1.75, 0.25, Root), (2.5, 1.0, Fifth)]
        }
        Some(Genre::Trap) => &[(0.0, 2.5, Root), (3.0, 0.5, Octave), (3.5, 0.5, Root)],
        Some(Genre::DrumAndBass) => &[(0.0, 1.5, Root), (2.5, 1.0, Root), (3.5, 0.5, Fifth)],
        Some(Genre::Ambient) => &[(0.0, 4.0, Root)],
        _ => &[
            (0.0, 1.5, Root),
            (1.5, 0.5, Root),
            (2.0, 1.5, Fifth),
            (3.5, 0.5, Root),
        ],
    }
}

/// The root of a chord (its slash bass when it has one) in octave 2.
pub fn bass_root(chord: &Chord) -> u8 {
    chord
        .bass
        .unwrap_or(chord.root)
        .midi(2)
        .unwrap_or(36 + chord.root.pitch_class())
}

/// The bass line over `chords` (see the module doc).
pub fn bass(chords: &[(Chord, f64, f64)], genre: Option<Genre>, seed: u64) -> Vec<NoteOut> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    let walking = matches!(genre, Some(Genre::Jazz));
    for (k, (chord, start, len)) in chords.iter().enumerate() {
        let root = bass_root(chord);
        let ivs = chord.quality.intervals();
        let third = root + ivs.get(1).map_or(4, |i| i.semitones);
        let fifth = root + ivs.get(2).map_or(7, |i| i.semitones);
        let next_root = chords
            .get(k + 1)
            .map_or(bass_root(&chords[0].0), |c| bass_root(&c.0));
        let pitch_of = |d: Deg| match d {
            Deg::Root => root,
            Deg::Third => third,
            Deg::Fifth => fifth,
            Deg::Sixth => root + 9,
            Deg::Octave => root + 12,
        };
        let mut push = |t: f64, l: f64, pitch: u8, on_beat: bool, rng: &mut Rng| {
            let velocity = (if on_beat { 104 } else { 88 } + rng.int_within(4) as i32) as u8;
            out.push(NoteOut {
                pitch,
                start_beat: beat(start + t),
                length_beats: beat(l.min(len - t)),
                velocity,
            });
        };
        if walking {
            let beats = len.floor().max(1.0) as usize;
            for b in 0..beats {
                let pitch = if b == 0 {
                    root
                } else if b + 1 == beats {
                    // A chromatic approach to the next root, from below or above.
                    if rng.below(2) == 0 {
                        next_root - 1
                    } else {
                        next_root + 1
                    }
                } else {
                    [third, fifth, root + 12, root + 9][rng.below(4)]
                };
                push(b as f64, 0.95, pitch, true, &mut rng);
            }
            continue;
        }
        let template = bass_template(genre);
        // Now and then the last note leads into the next chord's root.
        let lead_in = rng.below(2) == 0 && *len >= 2.0;
        let mut cycle = 0.0;
        while cycle < *len - 1e-9 {
            for &(o, l, d) in template {
                let t = cycle + o;
                if t >= *len - 1e-9 {
                    break;
                }
                let last = t + l >= *len - 1e-9 && t > 0.0;
                let pitch = if last && lead_in && d != Deg::Root {
                    if next_root > root {
                        next_root - 1
                    } else {
                        next_root + 1
                    }
                } else {
                    pitch_of(d)
                };
                push(t, l, pitch, o.fract() == 0.0, &mut rng);
            }
            cycle += 4.0;
        }
    }
    out
}

fn line_reply(
    ctx: &Ctx,
    over: &Over,
    notes: Vec<NoteOut>,
    base: &str,
    program: u8,
    what: &str,
) -> Reply {
    let length = over.chords.last().map_or(0.0, |(_, s, l)| s + l);
    let mut calls = Calls::default();
    calls.key_if_missing(ctx, &over.scale);
    calls.tempo_if_asked(ctx);
    let name = super::fresh_track_name(ctx.project, base);
    calls.push(
        "add_track",
        json!({ "name": name, "kind": "midi", "instrument": program }),
    );
    calls.push(
        "write_clip",
        json!({
            "track": name,
            "start_beat": beat(over.at),
            "length_beats": beat(length),
            "name": base,
            "notes": notes,
        }),
    );
    let bars = (length / ctx.bar_beats()).round();
    let text = format!(
        "{what} in {} over {}, {} notes in {bars} bars{}.",
        over.scale,
        over.from,
        notes.len(),
        if over.at > 0.0 {
            format!(", starting with that clip at beat {}", beat(over.at))
        } else {
            String::new()
        },
    );
    Reply {
        text,
        suggestion: Suggestion::Melody { notes },
        calls: calls.0,
    }
}

/// The answer to "a melody …".
pub fn melody_answer(ctx: &Ctx) -> Reply {
    let i = ctx.intent;
    let minor = i
        .mood
        .map(Mood::minor)
        .or(i.genre.map(Genre::minor))
        .unwrap_or(false);
    let over = over(ctx, minor);
    let sparse = matches!(i.mood, Some(Mood::Chill | Mood::Dreamy | Mood::Sad))
        || matches!(i.genre, Some(Genre::Ambient | Genre::Lofi));
    let notes = melody(&over.chords, &over.scale, ctx.bar_beats(), i.seed, sparse);
    let mut reply = line_reply(
        ctx,
        &over,
        notes,
        "Melody",
        if sparse { 73 } else { 80 },
        "A melody",
    );
    reply.text.push_str(&format!(
        " It keeps to {} between E4 and A5, puts chord tones on beats 1 and 3, repeats a one-bar motif (A A A B) and ends on a stable tone. Ask for another for a new one.",
        over.scale
    ));
    reply
}

/// The answer to "a bass line …".
pub fn bass_answer(ctx: &Ctx) -> Reply {
    let i = ctx.intent;
    let minor = i
        .mood
        .map(Mood::minor)
        .or(i.genre.map(Genre::minor))
        .unwrap_or(false);
    let over = over(ctx, minor);
    let notes = bass(&over.chords, i.genre, i.seed);
    let program = match i.genre {
        Some(Genre::House | Genre::Techno | Genre::Trap | Genre::DrumAndBass) => 38,
        Some(Genre::Jazz | Genre::Blues) => 32,
        _ => 33,
    };
    let style = match i.genre {
        Some(Genre::Jazz) => "walking quarter notes with a chromatic approach to each next root",
        Some(Genre::Rock) => "driving eighth notes on the root",
        Some(Genre::House) => "off-beat octaves",
        Some(Genre::Techno) => "off-beat roots",
        Some(Genre::Funk) => "octave pulses",
        Some(Genre::Blues) => "the root–third–fifth–sixth boogie",
        Some(Genre::Trap) => "long 808-style roots",
        _ => "root–fifth",
    };
    let mut reply = line_reply(ctx, &over, notes, "Bass", program, "A bass line");
    reply.text.push_str(&format!(
        " Each chord's root sits on its first beat in octave 2; the rhythm is {style}."
    ));
    reply
}
