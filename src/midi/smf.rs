//! Standard MIDI Files (midly): strict reading into tracks of notes, and format-1 export.
//!
//! Reading checks the chunk structure itself (midly alone would silently drop a damaged track),
//! so a wrong track length is an error rather than lost notes. Notes are paired first-in
//! first-out per channel and pitch, so overlapping notes of the same pitch all survive; a
//! zero-velocity note-on is a note-off; notes still sounding at the end of a track end there.
//! Control changes and pitch bends are kept per channel (a real synth hears a channel's
//! controllers whichever track of the file carries them) and written back on export.

use crate::model::{
    ControlEvent, ControlKind, Instrument, Key, Note, Project, TempoChange, TempoMap,
    TimeSignature, TrackKind, MAX_BPM, MIN_BPM,
};
use midly::num::{u15, u24, u28, u4, u7};
use midly::{
    EventIter, Format, Header, MetaMessage, MidiMessage, PitchBend, Smf, Timing, TrackEvent,
    TrackEventKind,
};
use std::collections::{BTreeMap, HashMap, VecDeque};
use thiserror::Error;

/// The last beat a project may use (the model's validation bound).
const MAX_BEAT: f64 = 80_000.0;

/// Ticks per quarter note of exported files.
pub const EXPORT_PPQ: u16 = 480;

/// The tempo an SMPTE-timed file is converted at: its ticks are seconds, so beats are laid out
/// at this constant tempo and every note keeps its time in seconds.
pub const SMPTE_BPM: f64 = 120.0;

/// Why bytes are not a usable Standard MIDI File. Messages say where the problem is.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SmfError {
    #[error("the file is empty (0 bytes)")]
    Empty,
    #[error("not a Standard MIDI File (it does not start with an MThd header)")]
    NotMidi,
    #[error("the MIDI header is damaged: {0}")]
    BadHeader(String),
    #[error(
        "wrong track length: chunk {chunk} ('{id}') says {claimed} bytes but only {remaining} \
         bytes are left in the file"
    )]
    ChunkPastEnd {
        chunk: usize,
        id: String,
        claimed: u32,
        remaining: usize,
    },
    #[error("the header announces {announced} tracks but the file holds {found}")]
    TrackCount { announced: u16, found: usize },
    #[error("wrong track length: track {track} ({len} bytes) has a damaged event at byte {at}")]
    BadEvent { track: usize, len: usize, at: usize },
    #[error(
        "wrong track length: track {track} ({len} bytes) does not end with an End of Track event"
    )]
    NoEndOfTrack { track: usize, len: usize },
    #[error("track {track} has events past beat {max} (the timeline's end)")]
    TooLong { track: usize, max: f64 },
}

/// One MIDI track of the project to be: the notes of one channel of one source track.
#[derive(Debug, Clone, PartialEq)]
pub struct SmfTrack {
    /// Track name (the source track's name, plus the channel when it used several).
    pub name: String,
    /// Index of the MTrk chunk the notes came from.
    pub source_track: usize,
    /// MIDI channel 0–15 (9 = GM drums).
    pub channel: u8,
    /// General MIDI program 0–127 (the channel's program change, 0 when there is none).
    pub program: u8,
    /// Notes in beats from the song start, sorted by start.
    pub notes: Vec<Note>,
    /// The channel's control changes and pitch bends in beats from the song start, in file
    /// order (by time, then as written).
    pub controllers: Vec<ControlEvent>,
}

impl SmfTrack {
    /// The instrument the track plays: its GM program, drums on channel 10.
    pub fn instrument(&self) -> Instrument {
        Instrument::GeneralMidi {
            program: self.program,
            drums: self.channel == 9,
        }
    }
}

/// What a Standard MIDI File holds, in the project's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct SmfSong {
    /// SMF format 0, 1 or 2.
    pub format: u16,
    /// Every tempo change (constant [`SMPTE_BPM`] for SMPTE-timed files).
    pub tempo: TempoMap,
    /// Number of tempo events in the file.
    pub tempo_events: usize,
    /// The first time signature, if any.
    pub time_signature: Option<TimeSignature>,
    /// The first key signature, if any.
    pub key: Option<Key>,
    /// Whether the file was timed in SMPTE frames (converted to beats at [`SMPTE_BPM`]).
    pub smpte: bool,
    /// Tracks with at least one note, in file order, then by channel.
    pub tracks: Vec<SmfTrack>,
}

impl SmfSong {
    /// Total number of notes.
    pub fn note_count(&self) -> usize {
        self.tracks.iter().map(|t| t.notes.len()).sum()
    }
}

enum Clock {
    /// Ticks per quarter note.
    Metrical(u16),
    /// Ticks per second.
    Smpte(f64),
}

impl Clock {
    fn beats(&self, tick: u64) -> f64 {
        match self {
            Clock::Metrical(tpq) => tick as f64 / *tpq as f64,
            Clock::Smpte(tps) => tick as f64 / tps * SMPTE_BPM / 60.0,
        }
    }
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// The header fields and the MTrk chunk bodies of a file.
struct Chunks<'a> {
    format: u16,
    division: u16,
    tracks: Vec<&'a [u8]>,
}

/// Splits the file into its header fields and MTrk chunk bodies, checking every length.
fn chunks(bytes: &[u8]) -> Result<Chunks<'_>, SmfError> {
    if bytes.is_empty() {
        return Err(SmfError::Empty);
    }
    if bytes.len() < 4 || &bytes[..4] != b"MThd" {
        return Err(SmfError::NotMidi);
    }
    if bytes.len() < 14 {
        return Err(SmfError::BadHeader(
            "the file ends inside its header".into(),
        ));
    }
    let hlen = be32(&bytes[4..8]) as usize;
    if hlen < 6 {
        return Err(SmfError::BadHeader(format!(
            "header length {hlen} is below 6"
        )));
    }
    if hlen > bytes.len() - 8 {
        return Err(SmfError::BadHeader(format!(
            "header length {hlen} runs past the end of the file"
        )));
    }
    let (format, ntrks, division) = (be16(&bytes[8..]), be16(&bytes[10..]), be16(&bytes[12..]));
    if format > 2 {
        return Err(SmfError::BadHeader(format!("unknown format {format}")));
    }
    let mut pos = 8 + hlen;
    let mut tracks = Vec::new();
    let mut index = 1;
    while pos < bytes.len() {
        let rest = bytes.len() - pos;
        if rest < 8 {
            if bytes[pos..].iter().all(|&b| b == 0) {
                break; // padding some writers leave at the end
            }
            return Err(SmfError::ChunkPastEnd {
                chunk: index,
                id: String::from_utf8_lossy(&bytes[pos..]).into_owned(),
                claimed: 0,
                remaining: rest,
            });
        }
        let id = &bytes[pos..pos + 4];
        let len = be32(&bytes[pos + 4..pos + 8]);
        let body_start = pos + 8;
        if len as usize > bytes.len() - body_start {
            return Err(SmfError::ChunkPastEnd {
                chunk: index,
                id: printable(id),
                claimed: len,
                remaining: bytes.len() - body_start,
            });
        }
        if id == b"MTrk" {
            tracks.push(&bytes[body_start..body_start + len as usize]);
        }
        pos = body_start + len as usize;
        index += 1;
    }
    if tracks.len() != ntrks as usize {
        return Err(SmfError::TrackCount {
            announced: ntrks,
            found: tracks.len(),
        });
    }
    Ok(Chunks {
        format,
        division,
        tracks,
    })
}

fn printable(id: &[u8]) -> String {
    id.iter()
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect()
}

/// Parses one track's events strictly: every byte must belong to an event and the last event
/// must be End of Track.
fn track_events(track: usize, body: &[u8]) -> Result<Vec<TrackEvent<'_>>, SmfError> {
    let mut it = EventIter::new(body);
    let mut events = Vec::new();
    loop {
        let before = it.unread().len();
        match it.next() {
            Some(Ok(ev)) => events.push(ev),
            Some(Err(_)) | None if before > 0 => {
                return Err(SmfError::BadEvent {
                    track,
                    len: body.len(),
                    at: body.len() - before,
                })
            }
            _ => break,
        }
    }
    match events.last() {
        Some(TrackEvent {
            kind: TrackEventKind::Meta(MetaMessage::EndOfTrack),
            ..
        }) => {}
        _ => {
            return Err(SmfError::NoEndOfTrack {
                track,
                len: body.len(),
            })
        }
    }
    let eots = events
        .iter()
        .filter(|e| matches!(e.kind, TrackEventKind::Meta(MetaMessage::EndOfTrack)))
        .count();
    if eots > 1 {
        return Err(SmfError::NoEndOfTrack {
            track,
            len: body.len(),
        });
    }
    Ok(events)
}

/// Text of a name meta event, made safe for a track name.
fn clean_name(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    let s: String = s.chars().filter(|c| !c.is_control()).collect();
    s.trim().chars().take(200).collect()
}

fn key_from_sf(sf: i8, minor: bool) -> Key {
    let fifths = sf.clamp(-7, 7) as i32;
    let major_tonic = (fifths * 7).rem_euclid(12);
    let tonic = if minor {
        (major_tonic + 9) % 12
    } else {
        major_tonic
    } as u8;
    Key {
        tonic,
        minor,
        flats: fifths < 0,
    }
}

fn sf_from_key(key: &Key) -> i8 {
    // The major key with the same signature; 7 fifths make an octave, so the number of
    // fifths from C is 7 * tonic (mod 12), taken in -5..=6 (F# or Gb at 6).
    let major = if key.minor {
        (key.tonic + 3) % 12
    } else {
        key.tonic
    } as i32;
    let mut f = (major * 7).rem_euclid(12);
    if f > 6 || (f == 6 && key.flats) {
        f -= 12;
    }
    f as i8
}

/// Reads a Standard MIDI File. `fallback_name` names tracks that carry no name.
pub fn read_smf(bytes: &[u8], fallback_name: &str) -> Result<SmfSong, SmfError> {
    let Chunks {
        format,
        division,
        tracks: bodies,
    } = chunks(bytes)?;
    let clock = if division & 0x8000 != 0 {
        let fps = -((division >> 8) as u8 as i8) as i32;
        let sub = (division & 0xff) as i32;
        let fps = match fps {
            24 | 25 | 30 => fps as f64,
            29 => 30.0 / 1.001,
            other => {
                return Err(SmfError::BadHeader(format!(
                    "SMPTE timing with {other} frames per second"
                )))
            }
        };
        if sub == 0 {
            return Err(SmfError::BadHeader(
                "SMPTE timing with 0 ticks per frame".into(),
            ));
        }
        Clock::Smpte(fps * sub as f64)
    } else {
        if division == 0 {
            return Err(SmfError::BadHeader("0 ticks per quarter note".into()));
        }
        Clock::Metrical(division)
    };
    let smpte = matches!(clock, Clock::Smpte(_));

    let mut tempo_changes = Vec::new();
    let mut tempo_events = 0;
    let mut time_signature = None;
    let mut key = None;
    // Program per channel from any track, for files that set programs in another track.
    let mut global_program: [Option<u8>; 16] = [None; 16];
    // Controllers per channel from every track: (tick, track, kind, value).
    let mut controls: [Vec<(u64, usize, ControlKind, i16)>; 16] = Default::default();
    let mut per_track = Vec::new();

    for (ti, body) in bodies.iter().enumerate() {
        let events = track_events(ti + 1, body)?;
        let mut tick: u64 = 0;
        let mut name = String::new();
        let mut instrument_name = String::new();
        let mut program: [Option<u8>; 16] = [None; 16];
        let mut open: HashMap<(u8, u8), VecDeque<(u64, u8)>> = HashMap::new();
        let mut notes: BTreeMap<u8, Vec<(u64, u64, u8, u8)>> = BTreeMap::new();
        for ev in &events {
            tick += ev.delta.as_int() as u64;
            match ev.kind {
                TrackEventKind::Midi { channel, message } => {
                    let ch = channel.as_int();
                    match message {
                        MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => {
                            open.entry((ch, key.as_int()))
                                .or_default()
                                .push_back((tick, vel.as_int()));
                        }
                        MidiMessage::NoteOn { key, .. } | MidiMessage::NoteOff { key, .. } => {
                            let k = key.as_int();
                            if let Some((start, vel)) =
                                open.get_mut(&(ch, k)).and_then(|q| q.pop_front())
                            {
                                notes.entry(ch).or_default().push((start, tick, k, vel));
                            }
                        }
                        MidiMessage::ProgramChange { program: p } => {
                            let p = p.as_int();
                            // The program before the first note wins; a later one only when
                            // there was none before.
                            let before_notes =
                                !notes.contains_key(&ch) && !open.keys().any(|(c, _)| *c == ch);
                            if program[ch as usize].is_none() || before_notes {
                                program[ch as usize] = Some(p);
                            }
                            global_program[ch as usize].get_or_insert(p);
                        }
                        MidiMessage::Controller { controller, value } => {
                            controls[ch as usize].push((
                                tick,
                                ti,
                                ControlKind::Cc(controller.as_int()),
                                value.as_int() as i16,
                            ));
                        }
                        MidiMessage::PitchBend { bend } => {
                            controls[ch as usize].push((
                                tick,
                                ti,
                                ControlKind::PitchBend,
                                bend.as_int(),
                            ));
                        }
                        _ => {}
                    }
                }
                TrackEventKind::Meta(meta) => match meta {
                    MetaMessage::TrackName(n) if name.is_empty() => name = clean_name(n),
                    MetaMessage::InstrumentName(n) if instrument_name.is_empty() => {
                        instrument_name = clean_name(n)
                    }
                    MetaMessage::Tempo(us) => {
                        tempo_events += 1;
                        let us = us.as_int().max(1) as f64;
                        // Microsecond quantisation turns 140 BPM into 140.00014: round to
                        // a thousandth of a BPM, the precision tempos are written with.
                        let bpm =
                            ((60_000_000.0 / us * 1000.0).round() / 1000.0).clamp(MIN_BPM, MAX_BPM);
                        if !smpte && clock.beats(tick) <= MAX_BEAT {
                            tempo_changes.push(TempoChange {
                                beat: clock.beats(tick),
                                bpm,
                            });
                        }
                    }
                    MetaMessage::TimeSignature(num, denom_pow, _, _)
                        if time_signature.is_none()
                            && (1..=64).contains(&num)
                            && denom_pow <= 5 =>
                    {
                        time_signature = Some(TimeSignature {
                            numerator: num,
                            denominator: 1 << denom_pow,
                        });
                    }
                    MetaMessage::KeySignature(sf, minor) if key.is_none() => {
                        key = Some(key_from_sf(sf, minor));
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        // Notes still sounding at the end of the track end there.
        for ((ch, k), queue) in open {
            for (start, vel) in queue {
                notes.entry(ch).or_default().push((start, tick, k, vel));
            }
        }
        per_track.push((ti, name, instrument_name, program, notes));
    }

    // By time; a stable sort keeps each track's order and puts earlier tracks first.
    for c in controls.iter_mut() {
        c.sort_by_key(|e| (e.0, e.1));
    }
    let controllers_of = |ch: u8| -> Vec<ControlEvent> {
        controls[ch as usize & 15]
            .iter()
            .filter(|e| clock.beats(e.0) <= MAX_BEAT)
            .map(|&(tick, _, kind, value)| ControlEvent {
                kind,
                time: clock.beats(tick),
                value,
                channel: ch,
            })
            .collect()
    };
    let mut tracks = Vec::new();
    for (ti, name, instrument_name, program, notes) in per_track {
        let several = notes.len() > 1;
        let base = if !name.is_empty() {
            name
        } else if !instrument_name.is_empty() {
            instrument_name
        } else if bodies.len() > 1 {
            format!("{fallback_name} {}", ti + 1)
        } else {
            fallback_name.to_string()
        };
        for (ch, raw) in notes {
            let min_len = clock.beats(1);
            let mut out: Vec<Note> = raw
                .into_iter()
                .map(|(start, end, pitch, velocity)| {
                    let s = clock.beats(start);
                    let e = clock.beats(end);
                    Note {
                        pitch,
                        start: s,
                        // A note-off at the note-on's tick still played: keep it one tick long.
                        length: (e - s).max(min_len),
                        velocity,
                        channel: ch,
                    }
                })
                .collect();
            out.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.pitch.cmp(&b.pitch)));
            let max_end = out.iter().map(Note::end).fold(0.0, f64::max);
            if max_end > MAX_BEAT {
                return Err(SmfError::TooLong {
                    track: ti + 1,
                    max: MAX_BEAT,
                });
            }
            let name = if several {
                format!("{base} (ch {})", ch + 1)
            } else {
                base.clone()
            };
            tracks.push(SmfTrack {
                name,
                source_track: ti,
                channel: ch,
                program: program[ch as usize]
                    .or(global_program[ch as usize])
                    .unwrap_or(0),
                notes: out,
                controllers: controllers_of(ch),
            });
        }
    }
    let tempo = if smpte || tempo_changes.is_empty() {
        TempoMap::constant(if smpte { SMPTE_BPM } else { 120.0 })
    } else {
        TempoMap::from_changes(tempo_changes)
    };
    Ok(SmfSong {
        format,
        tempo,
        tempo_events,
        time_signature,
        key,
        smpte,
        tracks,
    })
}

/// Writes the project's MIDI tracks as a format-1 Standard MIDI File: a conductor track
/// (tempo map, time signature, key), then one track per MIDI track with its name, program
/// change and notes. Drum tracks play on channel 10; other tracks keep their notes' channel
/// when no other track uses it, otherwise get a free one.
pub fn export_smf(project: &Project) -> Vec<u8> {
    let ppq = EXPORT_PPQ as f64;
    let to_tick = |beat: f64| -> u64 { (beat.max(0.0) * ppq).round() as u64 };

    // Owned bytes the borrowed meta events point into.
    let midi_tracks: Vec<_> = project
        .tracks
        .iter()
        .filter(|t| t.kind == TrackKind::Midi)
        .take(u16::MAX as usize - 2)
        .collect();
    let project_name = project.name.as_bytes().to_vec();
    let names: Vec<Vec<u8>> = midi_tracks
        .iter()
        .map(|t| t.name.as_bytes().to_vec())
        .collect();

    let mut conductor: Vec<(u64, u8, TrackEventKind)> = Vec::new();
    conductor.push((
        0,
        0,
        TrackEventKind::Meta(MetaMessage::TrackName(&project_name)),
    ));
    let ts = project.time_signature;
    conductor.push((
        0,
        0,
        TrackEventKind::Meta(MetaMessage::TimeSignature(
            ts.numerator,
            ts.denominator.trailing_zeros() as u8,
            24,
            8,
        )),
    ));
    if let Some(k) = &project.key {
        conductor.push((
            0,
            0,
            TrackEventKind::Meta(MetaMessage::KeySignature(sf_from_key(k), k.minor)),
        ));
    }
    for c in project.tempo.changes() {
        let us = (60_000_000.0 / c.bpm).round().clamp(1.0, 0xFF_FFFF as f64) as u32;
        conductor.push((
            to_tick(c.beat),
            0,
            TrackEventKind::Meta(MetaMessage::Tempo(u24::new(us))),
        ));
    }

    // Channels: drums on 9; others keep a unique channel of their notes, else the next free.
    let mut used = [false; 16];
    used[9] = true;
    let mut channels = vec![None; midi_tracks.len()];
    for (i, t) in midi_tracks.iter().enumerate() {
        if is_drums(t) {
            channels[i] = Some(9u8);
            continue;
        }
        let first = t
            .clips
            .iter()
            .filter_map(|c| match &c.content {
                crate::model::ClipContent::Midi(m) => m.notes.first().map(|n| n.channel),
                _ => None,
            })
            .next();
        if let Some(ch) = first.filter(|c| *c < 16 && !used[*c as usize]) {
            used[ch as usize] = true;
            channels[i] = Some(ch);
        }
    }
    let mut next_free = 0u8;
    for ch in channels.iter_mut().filter(|c| c.is_none()) {
        // More than 15 melodic tracks: channels are shared, round robin.
        let mut tries = 0;
        while (used[next_free as usize] || next_free == 9) && tries < 16 {
            next_free = (next_free + 1) % 16;
            tries += 1;
        }
        if tries >= 16 {
            next_free = if next_free == 9 { 10 } else { next_free };
        }
        used[next_free as usize] = true;
        *ch = Some(next_free);
        next_free = (next_free + 1) % 16;
        if used.iter().all(|u| *u) {
            used = [false; 16];
            used[9] = true;
        }
    }

    let mut tracks: Vec<Vec<TrackEvent>> = vec![finish_track(conductor)];
    for (i, t) in midi_tracks.iter().enumerate() {
        let ch = channels[i].unwrap_or(0);
        let chan = u4::new(ch);
        let program = match &t.instrument {
            Some(Instrument::GeneralMidi { program, .. }) => (*program).min(127),
            _ => 0,
        };
        // Ordering key at equal ticks: names, program, note-offs, then note-ons, so a note
        // that starts where the previous one of the same pitch ends pairs correctly.
        let mut evs: Vec<(u64, u8, TrackEventKind)> = vec![
            (
                0,
                0,
                TrackEventKind::Meta(MetaMessage::TrackName(&names[i])),
            ),
            (
                0,
                1,
                TrackEventKind::Midi {
                    channel: chan,
                    message: MidiMessage::ProgramChange {
                        program: u7::new(program),
                    },
                },
            ),
        ];
        for clip in &t.clips {
            let crate::model::ClipContent::Midi(m) = &clip.content else {
                continue;
            };
            let (w0, w1) = m.window();
            // Content beat → project beat.
            let beat = |b: f64| clip.start + b - w0;
            // What is exported is what plays: controllers inside the clip's window (those
            // trimmed away before it count at its start), notes starting inside it, cut at
            // its end.
            for e in &m.controllers {
                if e.time >= w1 - 1e-9 {
                    continue;
                }
                let message = match e.kind {
                    ControlKind::Cc(number) => MidiMessage::Controller {
                        controller: u7::new(number.min(127)),
                        value: u7::new(e.value.clamp(0, 127) as u8),
                    },
                    ControlKind::PitchBend => MidiMessage::PitchBend {
                        bend: PitchBend::from_int(e.value.clamp(-8192, 8191)),
                    },
                };
                // Order 1: after the name, before the notes at its tick (2 offs, 3 ons);
                // stable sorting keeps controllers at one tick in the order written.
                evs.push((
                    to_tick(beat(e.time.max(w0))),
                    1,
                    TrackEventKind::Midi {
                        channel: chan,
                        message,
                    },
                ));
            }
            for n in &m.notes {
                // Notes outside the clip's window are not heard, so they are not exported.
                let Some((s, e)) = m.audible_span(n) else {
                    continue;
                };
                let on = to_tick(beat(s));
                let end = beat(e);
                let off = to_tick(end).max(on + 1);
                let key = u7::new(n.pitch.min(127));
                evs.push((
                    on,
                    3,
                    TrackEventKind::Midi {
                        channel: chan,
                        message: MidiMessage::NoteOn {
                            key,
                            vel: u7::new(n.velocity.clamp(1, 127)),
                        },
                    },
                ));
                evs.push((
                    off,
                    2,
                    TrackEventKind::Midi {
                        channel: chan,
                        message: MidiMessage::NoteOff {
                            key,
                            vel: u7::new(64),
                        },
                    },
                ));
            }
        }
        tracks.push(finish_track(evs));
    }
    let smf = Smf {
        header: Header::new(Format::Parallel, Timing::Metrical(u15::new(EXPORT_PPQ))),
        tracks,
    };
    let mut out = Vec::new();
    // Writing to memory cannot fail for I/O reasons, and every value above is in range.
    if smf.write_std(&mut out).is_err() {
        out.clear();
    }
    out
}

fn is_drums(t: &crate::model::Track) -> bool {
    match &t.instrument {
        Some(Instrument::GeneralMidi { drums, .. }) => *drums,
        Some(Instrument::Synth { preset }) => preset == "drums",
        None => false,
    }
}

/// Sorts (tick, order, event) triples and turns them into delta-timed events ending with
/// End of Track.
fn finish_track(mut evs: Vec<(u64, u8, TrackEventKind<'_>)>) -> Vec<TrackEvent<'_>> {
    evs.sort_by_key(|(tick, order, _)| (*tick, *order));
    let mut out = Vec::with_capacity(evs.len() + 1);
    let mut last = 0u64;
    for (tick, _, kind) in evs {
        out.push(TrackEvent {
            delta: u28::new((tick - last).min(0x0FFF_FFFF) as u32),
            kind,
        });
        last = tick;
    }
    out.push(TrackEvent {
        delta: u28::new(0),
        kind: TrackEventKind::Meta(MetaMessage::EndOfTrack),
    });
    out
}

#[cfg(test)]
mod tests;
