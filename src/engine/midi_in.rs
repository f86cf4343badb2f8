//! Live MIDI input: the port seam ([`MidiSource`]: list ports, connect with a callback), its
//! midir implementation and a fake for tests, and the SPSC ring from the port's thread to the
//! audio callback. The port's callback (midir's own thread) stamps each message with
//! [`now_ns`] and pushes it into a preallocated ring; the callback drains it at the start of
//! each block. Nothing here runs on the audio thread except [`LiveMessage::parse`], which
//! neither allocates nor locks. With no MIDI subsystem (no /dev/snd/seq) the source says
//! "no MIDI input (…)" and everything else works.

use ringbuf::traits::{Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;
use thiserror::Error;

/// Messages the ring to the audio thread holds (a fast controller sends a few hundred a second;
/// the callback empties it every block).
pub const INPUT_QUEUE: usize = 1024;

/// Nanoseconds on the clock that stamps MIDI messages and the callback's block starts.
pub fn now_ns() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// One short MIDI message as it arrived, with its arrival time on [`now_ns`]'s clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MidiMessage {
    pub at_ns: u64,
    pub bytes: [u8; 3],
    pub len: u8,
}

/// A channel message the engine acts on. Channels are 0-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveMessage {
    NoteOn {
        channel: u8,
        pitch: u8,
        velocity: u8,
    },
    NoteOff {
        channel: u8,
        pitch: u8,
    },
    Cc {
        channel: u8,
        cc: u8,
        value: u8,
    },
    /// −8192 … 8191, 0 = centre.
    Bend {
        channel: u8,
        value: i16,
    },
}

impl LiveMessage {
    /// Decodes a channel voice message; a note-on of velocity 0 is a note-off, and anything
    /// else (system messages, aftertouch, program change, short or malformed data) is `None`.
    /// Called on the audio thread.
    pub fn parse(b: &[u8]) -> Option<LiveMessage> {
        let (&status, data) = b.split_first()?;
        let channel = status & 0x0f;
        let d = |i: usize| data.get(i).copied().filter(|v| *v < 0x80);
        Some(match status & 0xf0 {
            0x90 if d(1)? > 0 => LiveMessage::NoteOn {
                channel,
                pitch: d(0)?,
                velocity: d(1)?,
            },
            0x80 | 0x90 => LiveMessage::NoteOff {
                channel,
                pitch: d(0)?,
            },
            0xb0 => LiveMessage::Cc {
                channel,
                cc: d(0)?,
                value: d(1)?,
            },
            0xe0 => LiveMessage::Bend {
                channel,
                value: ((d(1)? as i16) << 7 | d(0)? as i16) - 8192,
            },
            _ => return None,
        })
    }
}

/// The port thread's end of the ring: stamps and pushes. A full ring drops the message and
/// counts it (the audio thread has stopped draining; nothing may block here).
pub struct MidiSink {
    prod: HeapProd<MidiMessage>,
    dropped: Arc<AtomicU64>,
}

impl MidiSink {
    /// Pushes a message stamped now.
    pub fn push(&mut self, bytes: &[u8]) {
        self.push_at(bytes, now_ns());
    }

    /// Pushes a message stamped `at_ns` (a test's or a port's own clock mapped onto ours).
    /// Messages longer than three bytes (SysEx) are not passed on.
    pub fn push_at(&mut self, bytes: &[u8], at_ns: u64) {
        if bytes.is_empty() || bytes.len() > 3 {
            return;
        }
        let mut m = MidiMessage {
            at_ns,
            bytes: [0; 3],
            len: bytes.len() as u8,
        };
        m.bytes[..bytes.len()].copy_from_slice(bytes);
        if self.prod.try_push(m).is_err() {
            self.dropped.fetch_add(1, Relaxed);
        }
    }
}

/// The audio thread's end of the ring.
pub type MidiReceiver = HeapCons<MidiMessage>;

/// A fresh ring: the sink for a port's callback, the receiver for the audio thread.
pub fn midi_queue() -> (MidiSink, MidiReceiver, Arc<AtomicU64>) {
    let (prod, cons) = HeapRb::<MidiMessage>::new(INPUT_QUEUE).split();
    let dropped = Arc::new(AtomicU64::new(0));
    (
        MidiSink {
            prod,
            dropped: dropped.clone(),
        },
        cons,
        dropped,
    )
}

/// Why MIDI input is not available. Each reads as one sentence.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MidiInError {
    /// No MIDI subsystem (no ALSA sequencer, as on a machine without /dev/snd/seq).
    #[error("no MIDI input ({0})")]
    Unavailable(String),
    /// The port asked for is not there.
    #[error("no MIDI input port '{port}' (ports: {})", if known.is_empty() { "none".to_string() } else { known.join(", ") })]
    NoSuchPort { port: String, known: Vec<String> },
    /// The port is there but would not open.
    #[error("could not open MIDI input '{port}': {message}")]
    Connect { port: String, message: String },
}

/// An open port: messages flow into its sink until it is dropped.
pub trait MidiConnection: Send {
    /// The port's name.
    fn port(&self) -> &str;
}

/// Where MIDI input comes from: midir's ports, or a fake in tests.
pub trait MidiSource: Send + Sync {
    /// The input ports that can be opened.
    fn ports(&self) -> Result<Vec<String>, MidiInError>;
    /// Opens `port` (a name [`MidiSource::ports`] gave, or a unique part of one); every
    /// message it sends goes into `sink`.
    fn connect(&self, port: &str, sink: MidiSink) -> Result<Box<dyn MidiConnection>, MidiInError>;
}

/// The port among `ports` that `wanted` names: exactly, or as the only one containing it.
pub fn find_port(ports: &[String], wanted: &str) -> Result<usize, MidiInError> {
    if let Some(i) = ports.iter().position(|p| p == wanted) {
        return Ok(i);
    }
    let lower = wanted.to_lowercase();
    let hits: Vec<usize> = (0..ports.len())
        .filter(|&i| ports[i].to_lowercase().contains(&lower))
        .collect();
    match hits[..] {
        [i] => Ok(i),
        _ => Err(MidiInError::NoSuchPort {
            port: wanted.to_string(),
            known: ports.to_vec(),
        }),
    }
}

/// midir's input ports (ALSA sequencer; JACK with the `jack` feature).
#[derive(Debug, Default)]
pub struct MidirSource;

fn midir_input() -> Result<midir::MidiInput, MidiInError> {
    let _quiet = super::backend::QuietStderr::new();
    let mut input =
        midir::MidiInput::new("tdaw").map_err(|e| MidiInError::Unavailable(e.to_string()))?;
    input.ignore(midir::Ignore::All);
    Ok(input)
}

struct MidirConnection {
    port: String,
    _conn: midir::MidiInputConnection<()>,
}

impl MidiConnection for MidirConnection {
    fn port(&self) -> &str {
        &self.port
    }
}

impl MidiSource for MidirSource {
    fn ports(&self) -> Result<Vec<String>, MidiInError> {
        let input = midir_input()?;
        Ok(input
            .ports()
            .iter()
            .filter_map(|p| input.port_name(p).ok())
            .collect())
    }

    fn connect(
        &self,
        port: &str,
        mut sink: MidiSink,
    ) -> Result<Box<dyn MidiConnection>, MidiInError> {
        let input = midir_input()?;
        let ports = input.ports();
        let names: Vec<String> = ports
            .iter()
            .map(|p| input.port_name(p).unwrap_or_default())
            .collect();
        let i = find_port(&names, port)?;
        let name = names[i].clone();
        // midir's own timestamp has a per-backend origin; ours is taken on arrival instead,
        // on the clock the audio callback reads.
        let conn = input
            .connect(
                &ports[i],
                "tdaw-in",
                move |_, bytes, _| sink.push(bytes),
                (),
            )
            .map_err(|e| MidiInError::Connect {
                port: name.clone(),
                message: e.to_string(),
            })?;
        Ok(Box::new(MidirConnection {
            port: name,
            _conn: conn,
        }))
    }
}

/// A MIDI source for tests: named ports, and a [`FakeSender`] that plays into whichever port
/// is connected, through the same sink a real port's callback uses.
#[derive(Clone, Default)]
pub struct FakeSource {
    ports: Vec<String>,
    sink: Arc<Mutex<Option<MidiSink>>>,
}

/// Sends messages into a [`FakeSource`]'s open port.
#[derive(Clone)]
pub struct FakeSender {
    sink: Arc<Mutex<Option<MidiSink>>>,
}

impl FakeSource {
    /// A source with these ports.
    pub fn new(ports: &[&str]) -> FakeSource {
        FakeSource {
            ports: ports.iter().map(|p| p.to_string()).collect(),
            sink: Arc::default(),
        }
    }

    /// Its sender.
    pub fn sender(&self) -> FakeSender {
        FakeSender {
            sink: self.sink.clone(),
        }
    }
}

impl FakeSender {
    /// Sends a message stamped now; false when no port is open.
    pub fn send(&self, bytes: &[u8]) -> bool {
        self.send_at(bytes, now_ns())
    }

    /// Sends a message stamped `at_ns`; false when no port is open.
    pub fn send_at(&self, bytes: &[u8], at_ns: u64) -> bool {
        match self.sink.lock() {
            Ok(mut s) => match s.as_mut() {
                Some(sink) => {
                    sink.push_at(bytes, at_ns);
                    true
                }
                None => false,
            },
            Err(_) => false,
        }
    }
}

struct FakeConnection {
    port: String,
    sink: Arc<Mutex<Option<MidiSink>>>,
}

impl MidiConnection for FakeConnection {
    fn port(&self) -> &str {
        &self.port
    }
}

impl Drop for FakeConnection {
    fn drop(&mut self) {
        if let Ok(mut s) = self.sink.lock() {
            *s = None;
        }
    }
}

impl MidiSource for FakeSource {
    fn ports(&self) -> Result<Vec<String>, MidiInError> {
        if self.ports.is_empty() {
            return Err(MidiInError::Unavailable(
                "the fake source has no ports".into(),
            ));
        }
        Ok(self.ports.clone())
    }

    fn connect(&self, port: &str, sink: MidiSink) -> Result<Box<dyn MidiConnection>, MidiInError> {
        let i = find_port(&self.ports, port)?;
        if let Ok(mut s) = self.sink.lock() {
            *s = Some(sink);
        }
        Ok(Box::new(FakeConnection {
            port: self.ports[i].clone(),
            sink: self.sink.clone(),
        }))
    }
}

/// A shared source, as the engine configuration holds it.
#[derive(Clone)]
pub struct SharedSource(pub Arc<dyn MidiSource>);

impl std::fmt::Debug for SharedSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MidiSource")
    }
}

impl Default for SharedSource {
    fn default() -> Self {
        SharedSource(Arc::new(MidirSource))
    }
}

/// Captures (recorded messages and controllers for MIDI learn) the audio thread can hand the
/// engine thread between two of its wake-ups.
pub const CAPTURE_QUEUE: usize = 4096;

/// The audio thread's live input: the ring from the open port (none until one is connected),
/// the track that monitors it, the controllers bound by MIDI learn (they move their parameter
/// and do not reach the instrument), and the queue of captures to the engine thread.
pub struct LiveInput {
    pub rx: Option<Box<MidiReceiver>>,
    pub target: Option<crate::model::TrackId>,
    /// Bit `cc` of `learned[channel]` is set for a bound controller.
    pub learned: [u128; 16],
    pub captures: HeapProd<super::record::Captured>,
}

impl LiveInput {
    /// An input with no port yet, and the engine thread's end of its capture queue.
    pub fn new() -> (LiveInput, HeapCons<super::record::Captured>) {
        let (p, c) = HeapRb::new(CAPTURE_QUEUE).split();
        (
            LiveInput {
                rx: None,
                target: None,
                learned: [0; 16],
                captures: p,
            },
            c,
        )
    }

    /// Takes every waiting message: plays it on the monitoring track's instrument from the
    /// next block's first frame (notes through [`Graph::audition`], the piano roll's way in, so
    /// a live MIDI effect hears both), and queues recorded messages and controllers for the
    /// engine thread. `now` is the block start on [`now_ns`]'s clock, `pos` the playhead.
    /// Called on the audio thread.
    pub fn drain(
        &mut self,
        graph: Option<&mut super::graph::Graph>,
        now: u64,
        rate: u32,
        pos: u64,
        recording: Option<super::record::RecordState>,
    ) {
        use super::instrument::Control;
        use ringbuf::traits::Consumer;
        let Some(rx) = self.rx.as_deref_mut() else {
            return;
        };
        let loop_region = graph.as_deref().and_then(|g| g.loop_region);
        let mut graph = graph;
        while let Some(m) = rx.try_pop() {
            let Some(msg) = LiveMessage::parse(&m.bytes[..m.len as usize]) else {
                continue;
            };
            let bound = match msg {
                LiveMessage::Cc { channel, cc, .. } => {
                    self.learned[channel as usize & 15] & (1u128 << (cc & 127)) != 0
                }
                _ => false,
            };
            if let (Some(g), Some(track), false) = (graph.as_deref_mut(), self.target, bound) {
                match msg {
                    LiveMessage::NoteOn {
                        pitch, velocity, ..
                    } => g.audition(track, pitch, velocity, true),
                    LiveMessage::NoteOff { pitch, .. } => g.audition(track, pitch, 0, false),
                    LiveMessage::Cc { cc, value, .. } => g.live_control(
                        track,
                        Control::Cc {
                            channel: 0,
                            number: cc,
                            value,
                        },
                    ),
                    LiveMessage::Bend { value, .. } => {
                        g.live_control(track, Control::Bend { channel: 0, value })
                    }
                }
            }
            // To the nearest sample: a message stamped on a sample's clock time maps back to it.
            let age = ((now.saturating_sub(m.at_ns) as u128 * rate as u128 + 500_000_000)
                / 1_000_000_000) as u64;
            let (sample, pass, recorded) = match recording {
                Some(r) => {
                    let (s, p) = super::record::captured_at(pos, age, r.pass, loop_region);
                    (s, p, true)
                }
                None => (pos, 0, false),
            };
            if recorded || matches!(msg, LiveMessage::Cc { .. }) {
                let _ = self.captures.try_push(super::record::Captured {
                    sample,
                    pass,
                    msg,
                    recorded,
                });
            }
        }
    }
}

/// The fader span a controller covers: 127 is +6 dB, 1 is -60 dB, linear in dB between
/// (about half a dB a step), and 0 is the bottom of the fader (silence).
const CC_DB: (f64, f64) = (-60.0, 6.0);

/// The value controller value `v` (0..=127) gives `b`'s target: faders and sends in dB along
/// [`CC_DB`], everything else linear across [`crate::model::mixer::target_range`] (a choice,
/// switch or track parameter rounded to a whole step). `None` when the target no longer exists.
pub fn learned_value(
    p: &crate::model::Project,
    b: &crate::model::MidiBinding,
    v: u8,
) -> Option<f64> {
    use crate::model::mixer::{self, Owner};
    use crate::model::AutomationTarget;
    let owner = b.track.map_or(Owner::Master, Owner::Track);
    let x = f64::from(v.min(127)) / 127.0;
    if let Some(id) = b.track {
        p.track(id)?;
    }
    match &b.target {
        AutomationTarget::Gain | AutomationTarget::Send(_) => {
            let (lo, _, _) = mixer::target_range(p, owner, &b.target);
            Some(if v == 0 {
                lo
            } else {
                CC_DB.0 + (CC_DB.1 - CC_DB.0) * (f64::from(v - 1) / 126.0)
            })
        }
        AutomationTarget::Pan => Some(-1.0 + 2.0 * x),
        AutomationTarget::Fx(id, name) => {
            let e = mixer::chain(p, owner).ok()?.iter().find(|e| e.id == *id)?;
            let (_, ps) = crate::model::fx::kind(&e.kind)?.param(name)?;
            let (lo, hi, _) = mixer::target_range(p, owner, &b.target);
            if !(lo.is_finite() && hi.is_finite() && hi >= lo) {
                return None;
            }
            let v = lo + (hi - lo) * x;
            use crate::model::fx::Unit;
            Some(match ps.unit {
                Unit::Choice | Unit::Switch | Unit::Track | Unit::DbPerOct => v.round(),
                _ => v,
            })
        }
    }
}

/// The parameter message that sets `b`'s target to `value` in the running graph.
pub fn learned_change(
    p: &crate::model::Project,
    b: &crate::model::MidiBinding,
    value: f64,
) -> Option<super::messages::ParamChange> {
    use super::messages::{NodeId, ParamChange, ParamId};
    use crate::model::AutomationTarget;
    let node = b.track.map_or(NodeId::Master, NodeId::Track);
    let param = match &b.target {
        AutomationTarget::Gain => ParamId::GainDb,
        AutomationTarget::Pan => ParamId::Pan,
        AutomationTarget::Send(to) => ParamId::SendDb { to: *to },
        AutomationTarget::Fx(fx, name) => {
            let owner = b.track.map_or(
                crate::model::mixer::Owner::Master,
                crate::model::mixer::Owner::Track,
            );
            let chain = crate::model::mixer::chain(p, owner).ok()?;
            let e = chain.iter().find(|e| e.id == *fx)?;
            let (i, _) = crate::model::fx::kind(&e.kind)?.param(name)?;
            ParamId::Fx {
                fx: *fx,
                param: i as u16,
            }
        }
    };
    Some(ParamChange {
        node,
        param,
        value: value as f32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringbuf::traits::Consumer;

    #[test]
    fn parses_channel_messages() {
        let p = LiveMessage::parse;
        assert_eq!(
            p(&[0x91, 60, 100]),
            Some(LiveMessage::NoteOn {
                channel: 1,
                pitch: 60,
                velocity: 100
            })
        );
        assert_eq!(
            p(&[0x90, 60, 0]),
            Some(LiveMessage::NoteOff {
                channel: 0,
                pitch: 60
            })
        );
        assert_eq!(
            p(&[0xb0, 64, 127]),
            Some(LiveMessage::Cc {
                channel: 0,
                cc: 64,
                value: 127
            })
        );
        assert_eq!(
            p(&[0xe0, 0, 0x40]),
            Some(LiveMessage::Bend {
                channel: 0,
                value: 0
            })
        );
        assert_eq!(
            p(&[0xe0, 0x7f, 0x7f]),
            Some(LiveMessage::Bend {
                channel: 0,
                value: 8191
            })
        );
        assert_eq!(p(&[0x90, 60]), None);
        assert_eq!(p(&[0x90, 200, 1]), None);
        assert_eq!(p(&[0xf8]), None);
        assert_eq!(p(&[]), None);
    }

    #[test]
    fn a_fake_port_feeds_the_ring() {
        let src = FakeSource::new(&["Fake Keys", "Other"]);
        let tx = src.sender();
        assert!(!tx.send(&[0x90, 60, 1]));
        let (sink, mut rx, _) = midi_queue();
        let conn = src.connect("keys", sink).unwrap();
        assert_eq!(conn.port(), "Fake Keys");
        assert!(tx.send_at(&[0x90, 60, 1], 42));
        assert_eq!(
            rx.try_pop(),
            Some(MidiMessage {
                at_ns: 42,
                bytes: [0x90, 60, 1],
                len: 3
            })
        );
        drop(conn);
        assert!(!tx.send(&[0x90, 60, 1]));
        assert!(matches!(
            src.connect("nope", midi_queue().0),
            Err(MidiInError::NoSuchPort { .. })
        ));
    }
}
