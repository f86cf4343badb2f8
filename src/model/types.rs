//! The data of a project: tracks, clips, notes, mixer settings, markers.

use super::tempo::{TempoMap, TimeSignature};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Stable identity of a track inside a project (survives reordering and renaming).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TrackId(pub u64);

/// Stable identity of an effect inside a project (unique over every chain, the master's too;
/// what `tdaw fx add` prints and automation names).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct FxId(pub u64);

/// Stable identity of a clip inside a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClipId(pub u64);

/// A whole song.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// Version of the project format this was written in (see `model::FORMAT_VERSION`).
    pub format_version: u32,
    pub name: String,
    /// Sample rate of the project in Hz; imported audio is converted to it.
    pub sample_rate: u32,
    #[serde(default)]
    pub tempo: TempoMap,
    #[serde(default)]
    pub time_signature: TimeSignature,
    /// Musical key, e.g. `Am` or `F#`; `None` when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Key>,
    #[serde(default)]
    pub master: Master,
    #[serde(default, rename = "loop", skip_serializing_if = "Option::is_none")]
    pub loop_region: Option<LoopRegion>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<Marker>,
    #[serde(default, rename = "track")]
    pub tracks: Vec<Track>,
    /// Controllers bound to mixer and effect parameters by MIDI learn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub midi_learn: Vec<MidiBinding>,
}

/// A MIDI controller bound to a parameter (MIDI learn): CC `cc` on `channel` moves `target`
/// of `track` (the master when `None`) across the target's range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MidiBinding {
    /// 0-based MIDI channel.
    pub channel: u8,
    /// Controller number 0..=127.
    pub cc: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<TrackId>,
    pub target: AutomationTarget,
}

impl Project {
    /// An empty project.
    pub fn new(name: impl Into<String>, sample_rate: u32, bpm: f64) -> Self {
        Project {
            format_version: super::FORMAT_VERSION,
            name: name.into(),
            sample_rate,
            tempo: TempoMap::constant(bpm),
            time_signature: TimeSignature::default(),
            key: None,
            master: Master::default(),
            loop_region: None,
            markers: Vec::new(),
            tracks: Vec::new(),
            midi_learn: Vec::new(),
        }
    }

    pub fn track(&self, id: TrackId) -> Option<&Track> {
        self.tracks.iter().find(|t| t.id == id)
    }

    pub fn track_mut(&mut self, id: TrackId) -> Option<&mut Track> {
        self.tracks.iter_mut().find(|t| t.id == id)
    }

    pub fn track_index(&self, id: TrackId) -> Option<usize> {
        self.tracks.iter().position(|t| t.id == id)
    }

    /// Finds a clip anywhere in the project: (track index, clip index).
    pub fn find_clip(&self, id: ClipId) -> Option<(usize, usize)> {
        self.tracks
            .iter()
            .enumerate()
            .find_map(|(ti, t)| t.clips.iter().position(|c| c.id == id).map(|ci| (ti, ci)))
    }

    /// A track id no track uses yet.
    pub fn next_track_id(&self) -> TrackId {
        TrackId(self.tracks.iter().map(|t| t.id.0 + 1).max().unwrap_or(1))
    }

    /// A clip id no clip uses yet.
    pub fn next_clip_id(&self) -> ClipId {
        ClipId(
            self.tracks
                .iter()
                .flat_map(|t| t.clips.iter())
                .map(|c| c.id.0 + 1)
                .max()
                .unwrap_or(1),
        )
    }

    /// An effect id no effect uses yet.
    pub fn next_fx_id(&self) -> FxId {
        FxId(self.all_effects().map(|e| e.id.0 + 1).max().unwrap_or(1))
    }

    /// Every effect of every chain: the tracks' in project order, then the master's.
    pub fn all_effects(&self) -> impl Iterator<Item = &Effect> {
        self.tracks
            .iter()
            .flat_map(|t| t.effects.iter())
            .chain(self.master.effects.iter())
    }

    /// Gives every effect without an id (0: a file written before effects had ids) a fresh
    /// one. Returns whether any changed.
    pub fn assign_fx_ids(&mut self) -> bool {
        let mut next = self.next_fx_id().0;
        let mut changed = false;
        let chains = self
            .tracks
            .iter_mut()
            .map(|t| &mut t.effects)
            .chain(std::iter::once(&mut self.master.effects));
        for chain in chains {
            for e in chain.iter_mut().filter(|e| e.id.0 == 0) {
                e.id = FxId(next);
                next += 1;
                changed = true;
            }
        }
        changed
    }

    /// The beat where the last playing clip ends (0 for an empty project; take lanes do not
    /// count).
    pub fn end_beat(&self) -> f64 {
        let mut end: f64 = 0.0;
        for t in &self.tracks {
            for c in t.clips.iter().filter(|c| c.plays()) {
                end = end.max(self.clip_end_beat(c));
            }
        }
        end
    }

    /// The beat where `clip` ends: MIDI clips have a length in beats, audio clips in seconds.
    pub fn clip_end_beat(&self, clip: &Clip) -> f64 {
        match &clip.content {
            ClipContent::Midi(m) => clip.start + m.length,
            ClipContent::Audio(a) => {
                let start_s = self.tempo.beat_to_seconds(clip.start);
                self.tempo.seconds_to_beat(start_s + a.length)
            }
        }
    }

    /// The project end in seconds (end of the last clip).
    pub fn end_seconds(&self) -> f64 {
        self.tempo.beat_to_seconds(self.end_beat())
    }
}

/// The master bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Master {
    #[serde(default)]
    pub gain_db: f32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<Effect>,
    /// Lanes for the master fader and the master's effects (`gain`, `fx`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub automation: Vec<AutomationLane>,
}

impl Default for Master {
    fn default() -> Self {
        Master {
            gain_db: 0.0,
            effects: Vec::new(),
            automation: Vec::new(),
        }
    }
}

/// A loop region in beats; playback wraps from `end` to `start` while `enabled`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoopRegion {
    pub start: f64,
    pub end: f64,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// A named position on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    pub beat: f64,
    pub name: String,
}

/// What a track carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackKind {
    /// Plays audio clips.
    Audio,
    /// Plays MIDI clips through its instrument.
    Midi,
    /// Sums what other tracks send to it.
    Bus,
}

impl TrackKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TrackKind::Audio => "audio",
            TrackKind::Midi => "midi",
            TrackKind::Bus => "bus",
        }
    }
}

/// The highest input channel a track can name (1-based).
pub const MAX_INPUT_CHANNEL: u16 = 256;

/// The input channels an audio track records, 1-based as a user counts them: `"3"` (one
/// channel, a mono file), `"3-4"` (a pair, a stereo file) or `"none"` (records nothing).
/// A track without one records the first two channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum TrackInput {
    None,
    Mono(u16),
    Stereo(u16, u16),
}

impl TrackInput {
    /// The 0-based channels recorded, in file order.
    pub fn channels(self) -> Vec<usize> {
        match self {
            TrackInput::None => Vec::new(),
            TrackInput::Mono(c) => vec![c as usize - 1],
            TrackInput::Stereo(l, r) => vec![l as usize - 1, r as usize - 1],
        }
    }

    /// The highest 1-based channel named (0 for none).
    pub fn highest(self) -> u16 {
        match self {
            TrackInput::None => 0,
            TrackInput::Mono(c) => c,
            TrackInput::Stereo(l, r) => l.max(r),
        }
    }

    /// The next choice when cycling a track's input on a device of `channels` channels:
    /// default → 1 → 2 → … → n → 1-2 → 3-4 → … → none → default.
    pub fn cycle(current: Option<TrackInput>, channels: usize) -> Option<TrackInput> {
        let n = channels.clamp(1, MAX_INPUT_CHANNEL as usize) as u16;
        match current {
            None => Some(TrackInput::Mono(1)),
            Some(TrackInput::Mono(c)) if c < n => Some(TrackInput::Mono(c + 1)),
            Some(TrackInput::Mono(_)) if n >= 2 => Some(TrackInput::Stereo(1, 2)),
            Some(TrackInput::Stereo(l, _)) if l + 3 <= n => Some(TrackInput::Stereo(l + 2, l + 3)),
            Some(TrackInput::None) => None,
            Some(_) => Some(TrackInput::None),
        }
    }
}

impl fmt::Display for TrackInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrackInput::None => f.write_str("none"),
            TrackInput::Mono(c) => write!(f, "{c}"),
            TrackInput::Stereo(l, r) => write!(f, "{l}-{r}"),
        }
    }
}

impl FromStr for TrackInput {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let bad = || {
            format!(
                "input '{s}' is not a channel (3), a pair (3-4) or none; channels count from 1 to {MAX_INPUT_CHANNEL}"
            )
        };
        let chan = |x: &str| -> Result<u16, String> {
            match x.trim().parse::<u16>() {
                Ok(c) if (1..=MAX_INPUT_CHANNEL).contains(&c) => Ok(c),
                _ => Err(bad()),
            }
        };
        if t.eq_ignore_ascii_case("none") || t.eq_ignore_ascii_case("off") {
            return Ok(TrackInput::None);
        }
        match t.split_once('-') {
            Some((l, r)) => {
                let (l, r) = (chan(l)?, chan(r)?);
                if l == r {
                    return Err(format!(
                        "input '{s}' names channel {l} twice: give it once ({l})"
                    ));
                }
                Ok(TrackInput::Stereo(l, r))
            }
            None => Ok(TrackInput::Mono(chan(t)?)),
        }
    }
}

impl TryFrom<String> for TrackInput {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<TrackInput> for String {
    fn from(i: TrackInput) -> String {
        i.to_string()
    }
}

/// When an armed audio track plays its live input through its chain (software monitoring).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MonitorMode {
    /// While armed and the transport is stopped or recording (Ardour's auto-input).
    #[default]
    Auto,
    /// Always while armed.
    Input,
    /// Never.
    Off,
}

impl MonitorMode {
    pub fn is_auto(&self) -> bool {
        *self == MonitorMode::Auto
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MonitorMode::Auto => "auto",
            MonitorMode::Input => "input",
            MonitorMode::Off => "off",
        }
    }

    /// auto → input → off → auto.
    pub fn next(self) -> MonitorMode {
        match self {
            MonitorMode::Auto => MonitorMode::Input,
            MonitorMode::Input => MonitorMode::Off,
            MonitorMode::Off => MonitorMode::Auto,
        }
    }

    /// Whether an armed track hears its input now.
    pub fn hears(self, playing: bool, recording: bool) -> bool {
        match self {
            MonitorMode::Auto => !playing || recording,
            MonitorMode::Input => true,
            MonitorMode::Off => false,
        }
    }
}

impl FromStr for MonitorMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(MonitorMode::Auto),
            "input" | "on" => Ok(MonitorMode::Input),
            "off" => Ok(MonitorMode::Off),
            _ => Err(format!("monitor '{s}' must be auto, input or off")),
        }
    }
}

/// One row of the arrangement and one strip of the mixer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    pub id: TrackId,
    pub name: String,
    pub kind: TrackKind,
    /// Fader in dB (0 = unity).
    #[serde(default)]
    pub gain_db: f32,
    /// -1 (left) … 0 (centre) … 1 (right).
    #[serde(default)]
    pub pan: f32,
    #[serde(default, skip_serializing_if = "is_false")]
    pub mute: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub solo: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub arm: bool,
    /// The input channels an armed audio track records (`None`: the first two).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<TrackInput>,
    /// When an armed audio track plays its input through its chain.
    #[serde(default, skip_serializing_if = "MonitorMode::is_auto")]
    pub monitor: MonitorMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// The sound source of a MIDI track.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instrument: Option<Instrument>,
    /// Insert effects, in processing order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<Effect>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sends: Vec<Send>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub automation: Vec<AutomationLane>,
    /// A MIDI track's arpeggiator (a live MIDI effect before the instrument).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arp: Option<super::arp::Arp>,
    #[serde(default, rename = "clip", skip_serializing_if = "Vec::is_empty")]
    pub clips: Vec<Clip>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Track {
    /// A track with default mixer settings and no clips.
    pub fn new(id: TrackId, name: impl Into<String>, kind: TrackKind) -> Self {
        Track {
            id,
            name: name.into(),
            kind,
            gain_db: 0.0,
            pan: 0.0,
            mute: false,
            solo: false,
            arm: false,
            input: None,
            monitor: MonitorMode::Auto,
            color: None,
            instrument: match kind {
                TrackKind::Midi => Some(Instrument::default()),
                _ => None,
            },
            effects: Vec::new(),
            sends: Vec::new(),
            automation: Vec::new(),
            arp: None,
            clips: Vec::new(),
        }
    }

    pub fn clip(&self, id: ClipId) -> Option<&Clip> {
        self.clips.iter().find(|c| c.id == id)
    }

    /// The clips that play: those on lane 0 (take lanes are kept, not played).
    pub fn playing_clips(&self) -> impl Iterator<Item = &Clip> {
        self.clips.iter().filter(|c| c.plays())
    }

    /// Number of notes in all MIDI clips of this track.
    /// The notes that sound: a note trimmed away by its clip's window is kept in the file but
    /// not counted (what `tdaw info` and the index report).
    pub fn note_count(&self) -> usize {
        self.playing_clips()
            .map(|c| match &c.content {
                ClipContent::Midi(m) => m.notes.iter().filter(|n| m.plays(n)).count(),
                ClipContent::Audio(_) => 0,
            })
            .sum()
    }
}

/// A track colour, `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color(pub u8, pub u8, pub u8);

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

impl FromStr for Color {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex = s
            .strip_prefix('#')
            .filter(|h| h.len() == 6 && h.chars().all(|c| c.is_ascii_hexdigit()))
            .ok_or_else(|| format!("'{s}' is not a colour of the form #rrggbb"))?;
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|e| e.to_string());
        Ok(Color(byte(0)?, byte(2)?, byte(4)?))
    }
}

impl Serialize for Color {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Color {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The sound source of a MIDI track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Instrument {
    /// A General MIDI program played by the SoundFont (or, with no SoundFont, the built-in
    /// synth's closest preset). `drums` selects the GM percussion kit (MIDI channel 10).
    GeneralMidi {
        program: u8,
        #[serde(default, skip_serializing_if = "is_false")]
        drums: bool,
    },
    /// A preset of the built-in synth (`pad`, `bass`, `lead`, `pluck`, `keys`, `drums`, ...).
    Synth { preset: String },
}

impl Default for Instrument {
    fn default() -> Self {
        Instrument::GeneralMidi {
            program: 0,
            drums: false,
        }
    }
}

/// An insert or master effect: its stable id, kind and typed parameters. The kinds and
/// their parameters are in the registry (`model::fx`); an effect of a kind this build does
/// not know is kept in the file and passed through unprocessed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// 0 in files written before effects had ids; loading gives it a fresh one.
    #[serde(default)]
    pub id: FxId,
    pub kind: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub bypass: bool,
    #[serde(default)]
    pub params: BTreeMap<String, ParamValue>,
}

/// A typed effect parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Number(f64),
    Text(String),
}

/// A send from a track to a bus track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Send {
    /// The bus track that receives.
    pub to: TrackId,
    #[serde(default)]
    pub level_db: f32,
    /// Taken before the fader (and pan) when true.
    #[serde(default, skip_serializing_if = "is_false")]
    pub pre_fader: bool,
}

/// What an automation lane controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutomationTarget {
    /// Track (or master) fader, value in dB.
    Gain,
    /// Track pan, -1 … 1.
    Pan,
    /// Send level in dB to the given bus.
    Send(TrackId),
    /// An effect parameter, by effect id and parameter name, in the parameter's unit.
    Fx(FxId, String),
}

/// One breakpoint of a lane: a value at a beat. `curve` shapes the segment from this point
/// to the next: 0 is a straight line, positive bends it to move late (slow start), negative
/// to move early (fast start); -1 … 1. In `project.toml`: `[beat, value]` or
/// `[beat, value, curve]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutomationPoint {
    pub beat: f64,
    pub value: f64,
    pub curve: f64,
}

impl AutomationPoint {
    /// A point starting a straight segment.
    pub fn new(beat: f64, value: f64) -> AutomationPoint {
        AutomationPoint {
            beat,
            value,
            curve: 0.0,
        }
    }
}

impl Serialize for AutomationPoint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.curve == 0.0 {
            (self.beat, self.value).serialize(s)
        } else {
            (self.beat, self.value, self.curve).serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for AutomationPoint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Vec::<f64>::deserialize(d)?;
        match v[..] {
            [beat, value] => Ok(AutomationPoint::new(beat, value)),
            [beat, value, curve] => Ok(AutomationPoint { beat, value, curve }),
            _ => Err(serde::de::Error::custom(
                "an automation point is [beat, value] or [beat, value, curve]",
            )),
        }
    }
}

/// Where a curved segment is at `t` (0 … 1 of the way in time) for `curve` in -1 … 1.
pub fn curve_shape(t: f64, curve: f64) -> f64 {
    if curve == 0.0 {
        t
    } else {
        t.clamp(0.0, 1.0)
            .powf(2f64.powf(3.0 * curve.clamp(-1.0, 1.0)))
    }
}

/// A breakpoint envelope: values are interpolated between points (straight or curved), held
/// before the first point and after the last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomationLane {
    pub target: AutomationTarget,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Points sorted by beat.
    #[serde(default)]
    pub points: Vec<AutomationPoint>,
}

impl AutomationLane {
    /// The value at `beat` (the first/last value outside the points); `None` with no points.
    pub fn value_at(&self, beat: f64) -> Option<f64> {
        let pts = &self.points;
        let first = pts.first()?;
        if beat <= first.beat {
            return Some(first.value);
        }
        let i = pts.partition_point(|p| p.beat <= beat);
        if i >= pts.len() {
            return pts.last().map(|p| p.value);
        }
        let (a, b) = (pts[i - 1], pts[i]);
        let t = if b.beat > a.beat {
            (beat - a.beat) / (b.beat - a.beat)
        } else {
            1.0
        };
        Some(a.value + (b.value - a.value) * curve_shape(t, a.curve))
    }
}

/// A region on a track's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    pub id: ClipId,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Where the clip starts, in beats from the project start.
    pub start: f64,
    /// The take lane holding the clip: 0 is what plays; 1, 2, … are the track's take lanes
    /// (kept and drawn, never played), where recorded passes and comped-over material wait.
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub lane: u32,
    /// The recorded pass this clip came from (1 = the first), shown as "take N".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub take: Option<u32>,
    #[serde(flatten)]
    pub content: ClipContent,
}

fn is_zero_u32(v: &u32) -> bool {
    *v == 0
}

impl Clip {
    /// Whether the clip plays (it is on lane 0, not on a take lane).
    pub fn plays(&self) -> bool {
        self.lane == 0
    }
}

/// The material of a clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ClipContent {
    Audio(AudioClip),
    Midi(MidiClip),
}

/// A window onto an audio file in the project's `audio/` folder. Times are in seconds of
/// the source, because audio does not stretch with the tempo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioClip {
    /// Path relative to the project folder, e.g. `audio/drums.wav`.
    pub file: String,
    /// Seconds into the file where the clip begins.
    #[serde(default)]
    pub offset: f64,
    /// Seconds of the file the clip plays.
    pub length: f64,
    #[serde(default)]
    pub gain_db: f32,
    /// Fade-in length in seconds.
    #[serde(default)]
    pub fade_in: f64,
    /// Fade-out length in seconds.
    #[serde(default)]
    pub fade_out: f64,
}

/// Notes and controller events, with times in beats of the clip's content. The clip plays the
/// window `[offset, offset + length)` of its content, starting at the clip's `start` on the
/// timeline, so a note at content beat `b` sounds at `start + b - offset`. Trimming the clip's
/// start moves `offset` (as audio clips do) instead of rewriting the notes: notes outside the
/// window stay in the model, unplayed, and come back when the clip is extended again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MidiClip {
    /// Beats of content before the clip's start (trimmed away, kept).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub offset: f64,
    /// Length of the clip in beats.
    pub length: f64,
    #[serde(default)]
    pub notes: Vec<Note>,
    /// Controller and pitch-bend events, sorted by time (events at one time keep their order:
    /// an RPN sequence CC101, CC100, CC6 must arrive in order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controllers: Vec<ControlEvent>,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

impl MidiClip {
    /// An empty clip of `length` beats.
    pub fn new(length: f64) -> MidiClip {
        MidiClip {
            offset: 0.0,
            length,
            notes: Vec::new(),
            controllers: Vec::new(),
        }
    }

    /// The content window the clip plays: `[offset, offset + length)`.
    pub fn window(&self) -> (f64, f64) {
        (self.offset, self.offset + self.length)
    }

    /// Whether a note sounds: it starts inside the window (it is cut at the window's end).
    pub fn plays(&self, n: &Note) -> bool {
        let (a, b) = self.window();
        n.length > 0.0 && n.start >= a - 1e-9 && n.start < b - 1e-9
    }

    /// The part of a note that sounds, in content beats: (start, end), or None.
    pub fn audible_span(&self, n: &Note) -> Option<(f64, f64)> {
        self.plays(n)
            .then(|| (n.start, n.end().min(self.offset + self.length)))
    }
}

/// What a controller event changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ControlKind {
    /// A control change, number 0–127 (7 volume, 10 pan, 11 expression, 64 sustain; RPNs via
    /// 101/100 then data entry 6/38).
    Cc(u8),
    /// The channel's pitch bend.
    PitchBend,
}

impl fmt::Display for ControlKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ControlKind::Cc(n) => write!(f, "cc{n}"),
            ControlKind::PitchBend => f.write_str("bend"),
        }
    }
}

impl FromStr for ControlKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "bend" {
            return Ok(ControlKind::PitchBend);
        }
        s.strip_prefix("cc")
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| *n < 128)
            .map(ControlKind::Cc)
            .ok_or_else(|| format!("'{s}' is not a controller (cc0 … cc127 or bend)"))
    }
}

/// A controller or pitch-bend event. In `project.toml` one per line:
/// `[kind, time, value, channel]`, e.g. `["cc7", 0.0, 100, 0]` or `["bend", 2.5, -4096, 0]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlEvent {
    pub kind: ControlKind,
    /// Time in beats of the clip's content (as a note's start).
    pub time: f64,
    /// 0–127 for a CC; −8192 … 8191 for pitch bend (0 = centre).
    pub value: i16,
    /// MIDI channel 0–15.
    pub channel: u8,
}

impl ControlEvent {
    /// The lowest and highest value of this kind.
    pub fn range(kind: ControlKind) -> (i16, i16) {
        match kind {
            ControlKind::Cc(_) => (0, 127),
            ControlKind::PitchBend => (-8192, 8191),
        }
    }
}

impl Serialize for ControlEvent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.kind.to_string(), self.time, self.value, self.channel).serialize(s)
    }
}

impl<'de> Deserialize<'de> for ControlEvent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (kind, time, value, channel) = <(String, f64, i16, u8)>::deserialize(d)?;
        Ok(ControlEvent {
            kind: kind.parse().map_err(serde::de::Error::custom)?,
            time,
            value,
            channel,
        })
    }
}

/// A MIDI note. In `project.toml` it is written compactly, one per line:
/// `[pitch, start, length, velocity, channel]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Note {
    /// MIDI key number, 0–127 (60 = C4).
    pub pitch: u8,
    /// Start in beats relative to the clip.
    pub start: f64,
    /// Length in beats.
    pub length: f64,
    /// 1–127.
    pub velocity: u8,
    /// MIDI channel 0–15 (9 = GM drums).
    pub channel: u8,
}

impl Note {
    pub fn end(&self) -> f64 {
        self.start + self.length
    }
}

impl Serialize for Note {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (
            self.pitch,
            self.start,
            self.length,
            self.velocity,
            self.channel,
        )
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Note {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (pitch, start, length, velocity, channel) = <(u8, f64, f64, u8, u8)>::deserialize(d)?;
        Ok(Note {
            pitch,
            start,
            length,
            velocity,
            channel,
        })
    }
}

/// A musical key: tonic pitch class and major/minor, written like `Am`, `F#`, `Bbm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// Pitch class of the tonic, 0 = C … 11 = B.
    pub tonic: u8,
    pub minor: bool,
    /// Spell with flats (Bb rather than A#).
    pub flats: bool,
}

const SHARP_NAMES: [&str; 12] = [
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
];
const FLAT_NAMES: [&str; 12] = [
    "C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B",
];

impl Key {
    /// Pitch classes of the key's scale (natural minor for minor keys).
    pub fn scale(&self) -> [u8; 7] {
        let steps: [u8; 7] = if self.minor {
            [0, 2, 3, 5, 7, 8, 10]
        } else {
            [0, 2, 4, 5, 7, 9, 11]
        };
        steps.map(|s| (self.tonic + s) % 12)
    }

    /// Whether MIDI `pitch` belongs to the key's scale.
    pub fn contains(&self, pitch: u8) -> bool {
        self.scale().contains(&(pitch % 12))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = if self.flats {
            &FLAT_NAMES
        } else {
            &SHARP_NAMES
        };
        write!(
            f,
            "{}{}",
            names[self.tonic as usize % 12],
            if self.minor { "m" } else { "" }
        )
    }
}

impl FromStr for Key {
    type Err = String;
    /// Accepts `C`, `Am`, `F#m`, `Bb`, `Eb minor`, `D major`, `c#m`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{s}' is not a key (try C, Am, F#m, Bb)");
        let t = s.trim();
        let mut chars = t.chars();
        let letter = chars.next().ok_or_else(bad)?.to_ascii_uppercase();
        let base: i32 = match letter {
            'C' => 0,
            'D' => 2,
            'E' => 4,
            'F' => 5,
            'G' => 7,
            'A' => 9,
            'B' => 11,
            _ => return Err(bad()),
        };
        let rest: &str = chars.as_str();
        let (acc, rest, flats) = if let Some(r) = rest.strip_prefix('#') {
            (1, r, false)
        } else if let Some(r) = rest.strip_prefix('b') {
            (-1, r, true)
        } else {
            (0, rest, letter == 'F')
        };
        let mode = rest.trim().to_ascii_lowercase();
        let minor = match mode.as_str() {
            "" | "maj" | "major" => false,
            "m" | "min" | "minor" => true,
            _ => return Err(bad()),
        };
        let tonic = (base + acc).rem_euclid(12) as u8;
        let flats = flats || (acc == 0 && minor && matches!(tonic, 2 | 7 | 0 | 5));
        Ok(Key {
            tonic,
            minor,
            flats,
        })
    }
}

impl Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Name of a MIDI pitch, e.g. 60 → `C4`, 61 → `C#4`.
pub fn pitch_name(pitch: u8) -> String {
    format!(
        "{}{}",
        SHARP_NAMES[pitch as usize % 12],
        pitch as i32 / 12 - 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track_inputs_parse_print_and_cycle() {
        assert_eq!("3".parse::<TrackInput>(), Ok(TrackInput::Mono(3)));
        assert_eq!("3-4".parse::<TrackInput>(), Ok(TrackInput::Stereo(3, 4)));
        assert_eq!(" none ".parse::<TrackInput>(), Ok(TrackInput::None));
        assert_eq!(TrackInput::Stereo(3, 4).channels(), vec![2, 3]);
        assert_eq!(TrackInput::Mono(1).channels(), vec![0]);
        assert_eq!(TrackInput::Stereo(5, 2).to_string(), "5-2");
        for bad in ["0", "x", "3-", "-4", "3-3", "257", "1-2-3", ""] {
            let e = bad.parse::<TrackInput>().unwrap_err();
            assert!(e.contains("input '"), "{bad}: {e}");
        }
        // default → 1 → 2 → 1-2 → none → default on a stereo device.
        let mut seen = Vec::new();
        let mut cur = None;
        for _ in 0..5 {
            cur = TrackInput::cycle(cur, 2);
            seen.push(cur.map(|i| i.to_string()).unwrap_or("default".into()));
        }
        assert_eq!(seen, ["1", "2", "1-2", "none", "default"]);
        let mut cur = Some(TrackInput::Mono(4));
        let mut seen = Vec::new();
        for _ in 0..4 {
            cur = TrackInput::cycle(cur, 4);
            seen.push(cur.map(|i| i.to_string()).unwrap_or("default".into()));
        }
        assert_eq!(seen, ["1-2", "3-4", "none", "default"]);
    }

    #[test]
    fn input_and_monitor_serialize_only_when_set() {
        let mut t = Track::new(TrackId(1), "Vox", TrackKind::Audio);
        let text = toml::to_string(&t).unwrap();
        assert!(
            !text.contains("input") && !text.contains("monitor"),
            "{text}"
        );
        t.input = Some(TrackInput::Stereo(3, 4));
        t.monitor = MonitorMode::Off;
        let text = toml::to_string(&t).unwrap();
        assert!(text.contains("input = \"3-4\""), "{text}");
        assert!(text.contains("monitor = \"off\""), "{text}");
        let back: Track = toml::from_str(&text).unwrap();
        assert_eq!(back, t);
        let bad = text.replace("\"3-4\"", "\"left\"");
        let e = toml::from_str::<Track>(&bad).unwrap_err().to_string();
        assert!(e.contains("input 'left' is not a channel"), "{e}");
        let bad = text.replace("\"off\"", "\"loud\"");
        assert!(toml::from_str::<Track>(&bad).is_err());
    }

    #[test]
    fn monitor_modes_decide_when_the_input_is_heard() {
        use MonitorMode::*;
        // (playing, recording)
        assert!(Auto.hears(false, false));
        assert!(!Auto.hears(true, false));
        assert!(Auto.hears(true, true));
        assert!(Input.hears(true, false) && Input.hears(false, false));
        assert!(!Off.hears(false, false) && !Off.hears(true, true));
        assert_eq!(Auto.next().next().next(), Auto);
        assert_eq!("input".parse::<MonitorMode>(), Ok(Input));
        assert!("loud".parse::<MonitorMode>().is_err());
    }

    #[test]
    fn keys_parse_and_print() {
        for (s, tonic, minor, shown) in [
            ("Am", 9, true, "Am"),
            ("C", 0, false, "C"),
            ("F#m", 6, true, "F#m"),
            ("Bb", 10, false, "Bb"),
            ("eb minor", 3, true, "Ebm"),
            ("D major", 2, false, "D"),
        ] {
            let k: Key = s.parse().unwrap();
            assert_eq!((k.tonic, k.minor), (tonic, minor), "{s}");
            assert_eq!(k.to_string(), shown);
        }
        assert!("H".parse::<Key>().is_err());
        assert!("Cx".parse::<Key>().is_err());
    }

    #[test]
    fn note_count_skips_trimmed_notes() {
        let mut clip = MidiClip::new(4.0);
        for start in [0.0, 1.0, 2.0, 3.0, 5.0] {
            clip.notes.push(Note {
                pitch: 60,
                start,
                length: 0.5,
                velocity: 100,
                channel: 0,
            });
        }
        // Trim the first beat away: notes at 0 and 5 lie outside [1, 5).
        clip.offset = 1.0;
        let mut t = Track::new(TrackId(1), "Keys", TrackKind::Midi);
        t.clips.push(Clip {
            id: ClipId(1),
            name: String::new(),
            start: 0.0,
            lane: 0,
            take: None,
            content: ClipContent::Midi(clip),
        });
        assert_eq!(t.note_count(), 3);
    }

    #[test]
    fn scale_membership() {
        let am: Key = "Am".parse().unwrap();
        assert!(am.contains(69) && am.contains(72) && !am.contains(70));
    }

    #[test]
    fn automation_interpolates() {
        let lane = AutomationLane {
            target: AutomationTarget::Gain,
            enabled: true,
            points: vec![
                AutomationPoint::new(0.0, 0.0),
                AutomationPoint::new(4.0, -12.0),
            ],
        };
        assert_eq!(lane.value_at(-1.0), Some(0.0));
        assert_eq!(lane.value_at(2.0), Some(-6.0));
        assert_eq!(lane.value_at(8.0), Some(-12.0));
    }

    #[test]
    fn pitch_names() {
        assert_eq!(pitch_name(60), "C4");
        assert_eq!(pitch_name(69), "A4");
        assert_eq!(pitch_name(0), "C-1");
    }
}
