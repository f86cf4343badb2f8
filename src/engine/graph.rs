//! The compiled processing graph: tracks (clips or an instrument) → fader and pan → sends to
//! bus tracks → master. Compiled from a project snapshot on the engine thread (opening files,
//! building instruments, scheduling notes in samples), then processed block by block — by the
//! audio callback for live playback and by `render_to_wav` offline. This is the only mixing
//! code: both paths call [`Graph::process`]. Processing never allocates, locks or does I/O,
//! except [`Source::Clips`] (offline only), which reads its files.

use super::clips::{ClipLayer, LayerSignature};
use super::instrument::{build_instrument, ChaseState, Control, Instrument, NoteEvent};
use super::messages::{NodeId, ParamChange, ParamId};
use super::meters::{MeterAtomics, MeterBank};
use super::mixer::{balance, constant_power};
use super::stream::StreamConsumer;
use super::transport::TempoGrid;
use super::EngineError;
use crate::dsp::{db_to_gain, Smoothed};
use crate::model::{ClipContent, Project, Track, TrackId, TrackKind};
use std::path::Path;
use std::sync::Arc;

/// The largest block processed at once; callers split longer buffers.
pub const MAX_BLOCK: usize = 4096;
/// Note events one track can take in one block; a denser block is shortened.
pub const EVENT_CAPACITY: usize = 1024;
/// Auditions and note-offs queued between blocks, per track.
const LIVE_CAPACITY: usize = 64;
/// Fader and pan moves glide over 10 ms.
const RAMP_S: f32 = 0.01;

/// What happens at a scheduled sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheduled {
    Off {
        pitch: u8,
    },
    /// A control change or pitch bend.
    Control(Control),
    On {
        pitch: u8,
        velocity: u8,
    },
}

impl Scheduled {
    /// Order at one sample: offs, then controllers, then ons, so a repeated note retriggers
    /// and a note starts with the volume, pan and bend set at its instant.
    fn rank(&self) -> u8 {
        match self {
            Scheduled::Off { .. } => 0,
            Scheduled::Control(_) => 1,
            Scheduled::On { .. } => 2,
        }
    }
}

/// A note on or off, or a controller event, at a timeline sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduledNote {
    pub sample: u64,
    pub channel: u8,
    pub what: Scheduled,
}

impl ScheduledNote {
    /// The event at `frame` of a block.
    fn event(&self, frame: u32) -> NoteEvent {
        match self.what {
            Scheduled::On { pitch, velocity } => NoteEvent::On {
                frame,
                channel: self.channel,
                pitch,
                velocity,
            },
            Scheduled::Off { pitch } => NoteEvent::Off {
                frame,
                channel: self.channel,
                pitch,
            },
            Scheduled::Control(c) => c.at(frame),
        }
    }
}

/// Controller events applied at once per call when chasing (a stack buffer).
const CHASE_CHUNK: usize = 64;

/// Where a track's signal comes from.
pub enum Source {
    /// A bus: what other tracks send to it.
    Bus { slot: usize },
    /// Audio clips read straight from disk (offline render).
    Clips(ClipLayer),
    /// Audio clips streamed by the engine thread (live). `None` while it lives in another graph.
    Stream {
        consumer: Option<StreamConsumer>,
        mono: bool,
    },
    /// A MIDI track: its instrument and its notes and controller events in samples.
    Instrument {
        instrument: Option<Box<dyn Instrument>>,
        schedule: Vec<ScheduledNote>,
        cursor: usize,
        /// The controller events of `schedule` alone (replayed to chase on a jump).
        controls: Vec<(u64, Control)>,
        /// Scratch state for the chase (preallocated: a jump runs on the audio thread).
        chase: Box<ChaseState>,
    },
    /// A track with nothing to play.
    Silent,
    /// A stand-in for a node the running graph already has: on install the running node
    /// is moved in whole (keeping its voices, stream and smoothers) and takes this node's
    /// settings; the stand-in goes back with the old graph. `slot` is the bus slot when the
    /// node is a bus. Skipped (silent) if it is ever processed unfilled.
    Kept { slot: Option<usize> },
}

/// What a node of a new graph takes over from the node at `from` in the running graph.
#[derive(Clone, Copy, Debug, Default)]
pub struct Inherit {
    pub from: Option<usize>,
    pub stream: bool,
    pub instrument: bool,
    /// The notes changed: release whatever the inherited instrument holds.
    pub notes_changed: bool,
}

/// A send, compiled.
#[derive(Clone, Debug)]
pub struct SendNode {
    /// The receiving bus, by stable id (what a send-level change names).
    pub to: TrackId,
    pub slot: usize,
    gain: Smoothed,
    pub pre_fader: bool,
}

/// One track of the graph.
pub struct TrackNode {
    pub id: TrackId,
    pub name: String,
    pub kind: TrackKind,
    pub source: Source,
    /// Mono source: constant-power pan of the left buffer.
    mono: bool,
    /// The fader and pan as the user set them; the ramps below glide to what they imply.
    gain_db: f32,
    pan: f32,
    gain: Smoothed,
    pan_l: Smoothed,
    pan_r: Smoothed,
    /// Not muted and not silenced by another track's solo.
    audible: bool,
    sends: Vec<SendNode>,
    pre: [Vec<f32>; 2],
    post: [Vec<f32>; 2],
    live: [NoteEvent; LIVE_CAPACITY],
    live_len: usize,
    events: Vec<NoteEvent>,
    pub inherit: Inherit,
    meter: usize,
    /// Set when a streamed clip had no data in the last block.
    pub underrun: bool,
}

impl TrackNode {
    fn new(id: TrackId, name: &str, kind: TrackKind, source: Source, rate: u32) -> TrackNode {
        TrackNode {
            pre: [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]],
            post: [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]],
            events: Vec::with_capacity(EVENT_CAPACITY + LIVE_CAPACITY),
            ..TrackNode::bare(id, name, kind, source, rate)
        }
    }

    /// A stand-in for a node the running graph keeps (see [`Source::Kept`]): settings
    /// only, no buffers, since it is never processed.
    fn stand_in(t: &Track, slot: Option<usize>, rate: u32) -> TrackNode {
        TrackNode::bare(t.id, &t.name, t.kind, Source::Kept { slot }, rate)
    }

    /// A node at unity with no buffers (empty vectors do not allocate).
    fn bare(id: TrackId, name: &str, kind: TrackKind, source: Source, rate: u32) -> TrackNode {
        let ramp = (RAMP_S * rate as f32) as u32;
        TrackNode {
            id,
            name: name.to_string(),
            kind,
            source,
            mono: false,
            gain_db: 0.0,
            pan: 0.0,
            gain: Smoothed::with_samples(1.0, ramp),
            pan_l: Smoothed::with_samples(1.0, ramp),
            pan_r: Smoothed::with_samples(1.0, ramp),
            audible: true,
            sends: Vec::new(),
            pre: [Vec::new(), Vec::new()],
            post: [Vec::new(), Vec::new()],
            live: [NoteEvent::AllNotesOff { frame: 0 }; LIVE_CAPACITY],
            live_len: 0,
            events: Vec::new(),
            inherit: Inherit::default(),
            meter: 0,
            underrun: false,
        }
    }

    /// True for a stand-in of a kept node.
    pub fn is_kept(&self) -> bool {
        matches!(self.source, Source::Kept { .. })
    }

    /// Queues an event for frame 0 of the next block (dropped when the queue is full).
    /// Called on the audio thread.
    pub fn queue_live(&mut self, e: NoteEvent) {
        if self.live_len < LIVE_CAPACITY {
            self.live[self.live_len] = e;
            self.live_len += 1;
        }
    }

    /// The post-fader output of the last block (what the track adds to the master).
    pub fn output(&self, n: usize) -> (&[f32], &[f32]) {
        (&self.post[0][..n], &self.post[1][..n])
    }

    /// Frames of the block starting at `pos` this track can take without overflowing its
    /// event buffer.
    fn event_limit(&self, pos: u64, n: usize, playing: bool) -> usize {
        if let Source::Instrument {
            schedule, cursor, ..
        } = &self.source
        {
            if playing {
                if let Some(e) = schedule.get(cursor + EVENT_CAPACITY) {
                    if e.sample < pos + n as u64 {
                        return ((e.sample - pos) as usize).max(1);
                    }
                }
            }
        }
        n
    }

    /// Renders the source into `pre` and applies fader and pan into `post`.
    fn process_own(&mut self, pos: u64, n: usize, playing: bool) -> Result<(), EngineError> {
        if self.is_kept() {
            // An unfilled stand-in has no buffers; the mix skips it too.
            return Ok(());
        }
        let [pl, pr] = &mut self.pre;
        let (pl, pr) = (&mut pl[..n], &mut pr[..n]);
        match &mut self.source {
            Source::Bus { .. } | Source::Kept { .. } => return Ok(()),
            Source::Silent => {
                pl.fill(0.0);
                pr.fill(0.0);
            }
            Source::Clips(layer) => {
                if playing {
                    layer.render(pos, pl, pr)?;
                } else {
                    pl.fill(0.0);
                    pr.fill(0.0);
                }
            }
            Source::Stream { consumer, .. } => match consumer {
                Some(c) if playing => self.underrun = !c.read(pos, pl, pr),
                _ => {
                    // Stopped: still take or give back the ring as the engine thread asks.
                    if let Some(c) = consumer {
                        c.service();
                    }
                    pl.fill(0.0);
                    pr.fill(0.0);
                }
            },
            Source::Instrument {
                instrument,
                schedule,
                cursor,
                ..
            } => {
                self.events.clear();
                self.events.extend_from_slice(&self.live[..self.live_len]);
                self.live_len = 0;
                if playing {
                    let end = pos + n as u64;
                    while let Some(e) = schedule.get(*cursor) {
                        if e.sample >= end || self.events.len() >= self.events.capacity() {
                            break;
                        }
                        if e.sample >= pos {
                            self.events.push(e.event((e.sample - pos) as u32));
                        }
                        *cursor += 1;
                    }
                }
                match instrument {
                    Some(inst) => inst.process(&self.events, pl, pr),
                    None => {
                        pl.fill(0.0);
                        pr.fill(0.0);
                    }
                }
            }
        }
        if self.mono {
            pr.copy_from_slice(pl);
        }
        self.fader(n);
        Ok(())
    }

    /// `post` = `pre` × gain × pan.
    fn fader(&mut self, n: usize) {
        let [pl, pr] = &self.pre;
        let [ol, or] = &mut self.post;
        let steady =
            !self.gain.is_smoothing() && !self.pan_l.is_smoothing() && !self.pan_r.is_smoothing();
        if steady {
            let g = self.gain.next();
            let (gl, gr) = (g * self.pan_l.next(), g * self.pan_r.next());
            for (o, p) in ol[..n].iter_mut().zip(&pl[..n]) {
                *o = p * gl;
            }
            for (o, p) in or[..n].iter_mut().zip(&pr[..n]) {
                *o = p * gr;
            }
        } else {
            for i in 0..n {
                let g = self.gain.next();
                ol[i] = pl[i] * g * self.pan_l.next();
                or[i] = pr[i] * g * self.pan_r.next();
            }
        }
    }

    /// Points the fader and pan ramps at what `gain_db`, `pan` and `audible` imply: at once
    /// (a fresh node) or gliding (a change while playing).
    fn retarget(&mut self, now: bool) {
        let g = if self.audible {
            db_to_gain(self.gain_db)
        } else {
            0.0
        };
        let (l, r) = if self.mono {
            constant_power(self.pan)
        } else {
            balance(self.pan)
        };
        for (ramp, v) in [
            (&mut self.gain, g),
            (&mut self.pan_l, l),
            (&mut self.pan_r, r),
        ] {
            if now {
                ramp.set_immediate(v);
            } else {
                ramp.set_target(v);
            }
        }
    }

    /// Sets one parameter; it glides from where it is. Called on the audio thread.
    fn set_param(&mut self, param: ParamId, value: f32) {
        match param {
            ParamId::GainDb => self.gain_db = value,
            ParamId::Pan => self.pan = value,
            ParamId::Audible => self.audible = value != 0.0,
            ParamId::SendDb { to } => {
                for s in self.sends.iter_mut().filter(|s| s.to == to) {
                    s.gain.set_target(db_to_gain(value));
                }
                return;
            }
        }
        self.retarget(false);
    }

    /// The running node `self` (moved in whole) takes the settings the new graph compiled
    /// into its `stand_in`: name, fader, pan, audibility, sends, meter, bus slot. Sends
    /// that existed before keep their gain's position. Called on the audio thread; it only
    /// swaps and copies, so it never allocates.
    fn take_settings(&mut self, stand_in: &mut TrackNode) {
        std::mem::swap(&mut self.name, &mut stand_in.name);
        self.gain_db = stand_in.gain_db;
        self.pan = stand_in.pan;
        self.audible = stand_in.audible;
        self.retarget(false);
        for s in &mut stand_in.sends {
            if let Some(o) = self.sends.iter().find(|o| o.to == s.to) {
                let target = s.gain.target();
                s.gain.set_immediate(o.gain.value());
                s.gain.set_target(target);
            }
        }
        std::mem::swap(&mut self.sends, &mut stand_in.sends);
        self.meter = stand_in.meter;
        if let (Source::Bus { slot }, Source::Kept { slot: Some(new) }) =
            (&mut self.source, &stand_in.source)
        {
            *slot = *new;
        }
        self.inherit = Inherit::default();
    }

    /// Instrument voices still sounding.
    fn active_voices(&self) -> usize {
        match &self.source {
            Source::Instrument {
                instrument: Some(i),
                ..
            } => i.active_voices(),
            _ => 0,
        }
    }
}

/// A compiled project.
pub struct Graph {
    pub rate: u32,
    /// Sources first (project order), then buses in an order where every send points forward.
    pub tracks: Vec<TrackNode>,
    bus_in: Vec<[Vec<f32>; 2]>,
    master: [Vec<f32>; 2],
    master_gain: Smoothed,
    pub meters: Arc<MeterBank>,
    /// Update the track meters while processing (off for offline render: nobody watches).
    pub metering: bool,
    pub grid: TempoGrid,
    /// Loop region in samples, when enabled.
    pub loop_region: Option<(u64, u64)>,
    /// Where the last clip or note ends.
    pub end: u64,
    /// Indices into `tracks` in project order (stems are named and numbered by it).
    pub project_order: Vec<usize>,
}

/// How clips are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClipMode {
    /// Read directly (offline render).
    Direct,
    /// Streamed: the caller turns each layer into a stream (live playback).
    Streamed,
}

/// The result of compiling: the graph, the clip layers to stream (live) and problems found.
pub struct Compiled {
    pub graph: Graph,
    /// (index in `graph.tracks`, layer) for every audio track, in `ClipMode::Streamed`.
    pub layers: Vec<(usize, ClipLayer)>,
    /// Tracks that could not be built (live mode keeps going without them).
    pub problems: Vec<EngineError>,
    /// One entry per node of `graph.tracks`.
    pub layout: Vec<NodeLayout>,
}

impl Graph {
    /// Compiles `project` at `rate` (engine or render thread; opens files, builds
    /// instruments). With `strict`, the first problem is an error; otherwise a track that
    /// fails is left silent and the problem reported.
    pub fn compile(
        project: &Project,
        root: &Path,
        rate: u32,
        mode: ClipMode,
        soundfont: Option<&Arc<rustysynth::SoundFont>>,
        strict: bool,
    ) -> Result<Compiled, EngineError> {
        Graph::compile_keeping(project, root, rate, mode, soundfont, strict, &mut |_| None)
    }

    /// Like [`Graph::compile`], but a track for which `keep` returns the layout of its running
    /// node is not built: it gets a stand-in ([`Source::Kept`]) carrying only its settings,
    /// and the running node moves in on install. Only the other tracks open files and build
    /// instruments, so an edit to one track costs one track.
    pub fn compile_keeping(
        project: &Project,
        root: &Path,
        rate: u32,
        mode: ClipMode,
        soundfont: Option<&Arc<rustysynth::SoundFont>>,
        strict: bool,
        keep: &mut dyn FnMut(&Track) -> Option<NodeLayout>,
    ) -> Result<Compiled, EngineError> {
        let mut problems = Vec::new();
        let mut layers = Vec::new();
        // Order: sources in project order, then buses sorted so every bus→bus send points
        // forward (a cycle's backward sends are dropped).
        let mut order: Vec<usize> = (0..project.tracks.len())
            .filter(|&i| project.tracks[i].kind != TrackKind::Bus)
            .collect();
        let mut buses: Vec<usize> = (0..project.tracks.len())
            .filter(|&i| project.tracks[i].kind == TrackKind::Bus)
            .collect();
        let mut placed: Vec<usize> = Vec::new();
        while !buses.is_empty() {
            // A bus whose every feeding bus is placed goes next.
            let ready = buses.iter().position(|&b| {
                let id = project.tracks[b].id;
                buses
                    .iter()
                    .all(|&o| o == b || !project.tracks[o].sends.iter().any(|s| s.to == id))
            });
            let b = buses.remove(ready.unwrap_or(0));
            placed.push(b);
        }
        order.extend(placed.iter().copied());
        let slot_of = |id: TrackId| -> Option<usize> {
            placed.iter().position(|&b| project.tracks[b].id == id)
        };

        let ramp = (RAMP_S * rate as f32) as u32;
        let mut tracks = Vec::with_capacity(order.len());
        let mut end = 0u64;
        let mut layout = Vec::with_capacity(order.len());
        for (node_index, &ti) in order.iter().enumerate() {
            let t = &project.tracks[ti];
            let my_slot = slot_of(t.id);
            let (mut node, entry) = match keep(t) {
                Some(entry) => (TrackNode::stand_in(t, my_slot, rate), entry),
                None => {
                    let (mut node, entry, layer) =
                        build_node(project, t, root, rate, soundfont, my_slot, &mut problems);
                    if strict {
                        if let Some(e) = problems.pop() {
                            return Err(e);
                        }
                    }
                    if let Some(layer) = layer {
                        match mode {
                            ClipMode::Direct => node.source = Source::Clips(layer),
                            ClipMode::Streamed => layers.push((node_index, layer)),
                        }
                    }
                    (node, entry)
                }
            };
            end = end.max(entry.end);
            node.audible = audible(project, t);
            node.gain_db = t.gain_db;
            node.pan = t.pan;
            node.retarget(true);
            node.sends = t
                .sends
                .iter()
                .filter_map(|s| {
                    let slot = slot_of(s.to)?;
                    // Buses may only send forward (no feedback loops).
                    if my_slot.is_some_and(|m| slot <= m) {
                        return None;
                    }
                    Some(SendNode {
                        to: s.to,
                        slot,
                        gain: Smoothed::with_samples(db_to_gain(s.level_db), ramp),
                        pre_fader: s.pre_fader,
                    })
                })
                .collect();
            tracks.push(node);
            layout.push(entry);
        }
        let mut project_order: Vec<usize> = (0..order.len()).collect();
        project_order.sort_by_key(|&i| order[i]);
        // Meters in project order, too.
        let mut meters = MeterBank::default();
        for (k, &i) in project_order.iter().enumerate() {
            let id = tracks[i].id;
            tracks[i].meter = k;
            meters.tracks.push((id, MeterAtomics::default()));
        }
        let loop_region = project
            .loop_region
            .filter(|l| l.enabled && l.end > l.start)
            .map(|l| {
                (
                    project.tempo.beat_to_sample(l.start.max(0.0), rate),
                    project.tempo.beat_to_sample(l.end, rate),
                )
            })
            .filter(|(s, e)| e > s);
        let graph = Graph {
            rate,
            bus_in: (0..placed.len())
                .map(|_| [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]])
                .collect(),
            tracks,
            master: [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]],
            master_gain: Smoothed::with_samples(db_to_gain(project.master.gain_db), ramp),
            meters: Arc::new(meters),
            metering: true,
            grid: TempoGrid::new(&project.tempo, project.time_signature, rate),
            loop_region,
            end,
            project_order,
        };
        Ok(Compiled {
            graph,
            layers,
            problems,
            layout,
        })
    }

    /// Sets one parameter of the running graph (see [`ParamChange`]); an unknown node or a
    /// parameter the node does not have is ignored. Called on the audio thread.
    pub fn set_param(&mut self, change: ParamChange) {
        match change.node {
            NodeId::Master => {
                if change.param == ParamId::GainDb {
                    self.master_gain.set_target(db_to_gain(change.value));
                }
            }
            NodeId::Track(id) => {
                if let Some(t) = self.tracks.iter_mut().find(|t| t.id == id) {
                    t.set_param(change.param, change.value);
                }
            }
        }
    }

    /// Processes up to `n` frames (≤ MAX_BLOCK) of the timeline from `pos`; returns the frames
    /// done (fewer when a note storm fills an event buffer). The mix is then in
    /// [`Graph::master`]. With `parallel`, the tracks are rendered on two threads (offline
    /// only: it spawns). Called on the audio thread (with `parallel` false).
    pub fn process(
        &mut self,
        pos: u64,
        n: usize,
        playing: bool,
        parallel: bool,
    ) -> Result<usize, EngineError> {
        let mut n = n.min(MAX_BLOCK);
        for t in &self.tracks {
            n = n.min(t.event_limit(pos, n, playing));
        }
        let sources = self
            .tracks
            .iter()
            .position(|t| t.kind == TrackKind::Bus)
            .unwrap_or(self.tracks.len());
        if parallel && sources > 1 {
            // Offline only: two threads take tracks from a shared queue, so uneven tracks
            // (a dense drum part next to a sparse pad) still keep both cores busy. Each
            // track's result does not depend on which thread ran it.
            let queue = std::sync::Mutex::new(self.tracks[..sources].iter_mut());
            let work = || -> Result<(), EngineError> {
                loop {
                    let next = queue
                        .lock()
                        .map_err(|_| EngineError::Internal("a render thread panicked".into()))?
                        .next();
                    match next {
                        Some(t) => t.process_own(pos, n, playing)?,
                        None => return Ok(()),
                    }
                }
            };
            std::thread::scope(|s| {
                let h = s.spawn(work);
                let mine = work();
                let theirs = h.join().unwrap_or_else(|_| {
                    Err(EngineError::Internal("a render thread panicked".into()))
                });
                mine.and(theirs)
            })?;
        } else {
            for t in &mut self.tracks[..sources] {
                t.process_own(pos, n, playing)?;
            }
        }
        let [ml, mr] = &mut self.master;
        ml[..n].fill(0.0);
        mr[..n].fill(0.0);
        for b in &mut self.bus_in {
            b[0][..n].fill(0.0);
            b[1][..n].fill(0.0);
        }
        for t in &mut self.tracks {
            if t.is_kept() {
                continue;
            }
            if let Source::Bus { slot } = t.source {
                let [il, ir] = &self.bus_in[slot];
                t.pre[0][..n].copy_from_slice(&il[..n]);
                t.pre[1][..n].copy_from_slice(&ir[..n]);
                t.fader(n);
            }
            let [ol, or] = &t.post;
            add(&mut ml[..n], &ol[..n], 1.0);
            add(&mut mr[..n], &or[..n], 1.0);
            for s in &mut t.sends {
                if s.pre_fader && !t.audible {
                    continue;
                }
                let [sl, sr] = if s.pre_fader { &t.pre } else { &t.post };
                let [bl, br] = &mut self.bus_in[s.slot];
                if !s.gain.is_smoothing() {
                    let g = s.gain.value();
                    add(&mut bl[..n], &sl[..n], g);
                    add(&mut br[..n], &sr[..n], g);
                } else {
                    for i in 0..n {
                        let g = s.gain.next();
                        bl[i] += sl[i] * g;
                        br[i] += sr[i] * g;
                    }
                }
            }
            if self.metering {
                if let Some((_, m)) = self.meters.tracks.get(t.meter) {
                    m.update(&ol[..n], &or[..n], self.rate);
                }
            }
        }
        if self.master_gain.is_smoothing() || self.master_gain.target() != 1.0 {
            for i in 0..n {
                let g = self.master_gain.next();
                ml[i] *= g;
                mr[i] *= g;
            }
        }
        Ok(n)
    }

    /// The mix of the last block.
    pub fn master(&self, n: usize) -> (&[f32], &[f32]) {
        (&self.master[0][..n], &self.master[1][..n])
    }

    /// Moves every source to `pos` after a seek or loop wrap. A `hard` jump (seek) silences
    /// instruments and re-requests streams; a loop wrap releases held notes and trusts the
    /// streams' prediction. Either way each instrument then hears the controller values in
    /// force at `pos` (chase): the last value before it of every controller and the pitch
    /// bend, or the default of those that change only later. Called on the audio thread.
    pub fn jump(&mut self, pos: u64, hard: bool) {
        for t in &mut self.tracks {
            match &mut t.source {
                Source::Stream {
                    consumer: Some(c), ..
                } if hard => c.seek(pos),
                Source::Instrument {
                    instrument,
                    schedule,
                    cursor,
                    controls,
                    chase,
                } => {
                    *cursor = schedule.partition_point(|e| e.sample < pos);
                    let Some(inst) = instrument else { continue };
                    if hard {
                        inst.reset();
                    } else {
                        inst.process(&[NoteEvent::AllNotesOff { frame: 0 }], &mut [], &mut []);
                    }
                    chase_to(inst.as_mut(), controls, chase, pos);
                }
                _ => {}
            }
        }
    }

    /// Releases every note (transport stop). Called on the audio thread.
    pub fn all_notes_off(&mut self) {
        for t in &mut self.tracks {
            if matches!(t.source, Source::Instrument { .. }) {
                t.queue_live(NoteEvent::AllNotesOff { frame: 0 });
            }
        }
    }

    /// Plays or releases a note on a track's instrument now. Called on the audio thread.
    pub fn audition(&mut self, track: TrackId, pitch: u8, velocity: u8, on: bool) {
        if let Some(t) = self.tracks.iter_mut().find(|t| t.id == track) {
            let e = if on {
                NoteEvent::On {
                    frame: 0,
                    channel: 0,
                    pitch,
                    velocity,
                }
            } else {
                NoteEvent::Off {
                    frame: 0,
                    channel: 0,
                    pitch,
                }
            };
            t.queue_live(e);
        }
    }

    /// Voices still sounding in all instruments (the render's tail runs until this is 0).
    pub fn active_voices(&self) -> usize {
        self.tracks.iter().map(TrackNode::active_voices).sum()
    }

    /// Takes over the running state of `old`. A kept node ([`Source::Kept`]) is moved over
    /// whole — voices, stream, smoothers, everything — and takes the stand-in's settings,
    /// which go back in `old`. A rebuilt node takes what its `inherit` says: the stream, the
    /// instrument, and the fader positions (so the new targets glide). Called on the audio
    /// thread; only moves boxes and values, so it never allocates.
    pub fn inherit_from(&mut self, old: &mut Graph, pos: u64) {
        for t in &mut self.tracks {
            // A new node's instrument starts at `pos`; a moved one is already there.
            if let Source::Instrument {
                schedule, cursor, ..
            } = &mut t.source
            {
                *cursor = schedule.partition_point(|e| e.sample < pos);
            }
            let Some(j) = t.inherit.from else { continue };
            let Some(o) = old.tracks.get_mut(j) else {
                continue;
            };
            if t.is_kept() {
                if o.id == t.id && !o.is_kept() {
                    std::mem::swap(t, o);
                    t.take_settings(o);
                }
                continue;
            }
            for (mine, theirs) in [
                (&mut t.gain, &o.gain),
                (&mut t.pan_l, &o.pan_l),
                (&mut t.pan_r, &o.pan_r),
            ] {
                let target = mine.target();
                mine.set_immediate(theirs.value());
                mine.set_target(target);
            }
            for s in &mut t.sends {
                if let Some(theirs) = o.sends.iter().find(|x| x.to == s.to) {
                    let target = s.gain.target();
                    s.gain.set_immediate(theirs.gain.value());
                    s.gain.set_target(target);
                }
            }
            // Tracks that keep their instrument also keep its controller state; a new
            // instrument is chased to `pos` below.
            match (&mut t.source, &mut o.source) {
                (Source::Stream { consumer: a, .. }, Source::Stream { consumer: b, .. })
                    if t.inherit.stream =>
                {
                    std::mem::swap(a, b);
                }
                (
                    Source::Instrument {
                        instrument: a,
                        controls,
                        chase,
                        ..
                    },
                    Source::Instrument { instrument: b, .. },
                ) if t.inherit.instrument => {
                    std::mem::swap(a, b);
                    if t.inherit.notes_changed {
                        if let Some(i) = a {
                            // Release what the old notes held, then take the new controllers.
                            i.process(&[NoteEvent::AllNotesOff { frame: 0 }], &mut [], &mut []);
                            chase_to(i.as_mut(), controls, chase, pos);
                        }
                    }
                }
                _ => {}
            }
        }
        let target = self.master_gain.target();
        self.master_gain.set_immediate(old.master_gain.value());
        self.master_gain.set_target(target);
    }

    /// Gives the audio node at `index` its stream (engine thread, before sending the graph).
    pub fn set_stream(&mut self, index: usize, consumer: StreamConsumer) {
        if let Some(TrackNode {
            source: Source::Stream { consumer: c, .. },
            ..
        }) = self.tracks.get_mut(index)
        {
            *c = Some(consumer);
        }
    }
}

/// Sends `inst` the controller state at `pos`, replayed from `controls` (sorted by sample)
/// into the preallocated `chase`, in chunks through a stack buffer. Called on the audio thread.
fn chase_to(
    inst: &mut dyn Instrument,
    controls: &[(u64, Control)],
    chase: &mut ChaseState,
    pos: u64,
) {
    if controls.is_empty() {
        return;
    }
    chase.clear();
    for (_, c) in controls.iter().take_while(|(s, _)| *s < pos) {
        chase.feed(*c);
    }
    let mut buf = [NoteEvent::AllNotesOff { frame: 0 }; CHASE_CHUNK];
    let mut n = 0;
    chase.emit(true, |c| {
        buf[n] = c.at(0);
        n += 1;
        if n == CHASE_CHUNK {
            inst.process(&buf, &mut [], &mut []);
            n = 0;
        }
    });
    if n > 0 {
        inst.process(&buf[..n], &mut [], &mut []);
    }
}

/// `dst += src × gain` (a plain sum when the gain is 1, so unity stays bit-exact).
#[inline]
fn add(dst: &mut [f32], src: &[f32], gain: f32) {
    if gain == 1.0 {
        for (d, s) in dst.iter_mut().zip(src) {
            *d += s;
        }
    } else {
        for (d, s) in dst.iter_mut().zip(src) {
            *d += s * gain;
        }
    }
}

/// The notes and controller events of a MIDI track in samples, sorted (at one sample: offs,
/// controllers in clip order, ons). Each clip plays its window `[offset, offset + length)`:
/// notes starting inside it, cut at its end; controllers inside it, and at the clip's start
/// the values its trimmed-away content had set (so a trimmed clip sounds like the same part
/// of the whole one).
pub fn schedule_notes(
    project: &Project,
    track: &crate::model::Track,
    rate: u32,
) -> Vec<ScheduledNote> {
    let mut out = Vec::new();
    for c in &track.clips {
        let ClipContent::Midi(m) = &c.content else {
            continue;
        };
        let (w0, w1) = m.window();
        // Content beat → timeline sample.
        let at = |b: f64| {
            project
                .tempo
                .beat_to_sample((c.start + b - w0).max(0.0), rate)
        };
        for n in &m.notes {
            let Some((s, e)) = m.audible_span(n) else {
                continue;
            };
            let on = at(s);
            let off = at(e).max(on + 1);
            out.push(ScheduledNote {
                sample: on,
                channel: n.channel,
                what: Scheduled::On {
                    pitch: n.pitch,
                    velocity: n.velocity,
                },
            });
            out.push(ScheduledNote {
                sample: off,
                channel: n.channel,
                what: Scheduled::Off { pitch: n.pitch },
            });
        }
        let control = |e: &crate::model::ControlEvent| match e.kind {
            crate::model::ControlKind::Cc(number) => Control::Cc {
                channel: e.channel & 15,
                number: number & 127,
                value: e.value.clamp(0, 127) as u8,
            },
            crate::model::ControlKind::PitchBend => Control::Bend {
                channel: e.channel & 15,
                value: e.value.clamp(-8192, 8191),
            },
        };
        if m.controllers.iter().any(|e| e.time < w0 - 1e-9) {
            let mut before = ChaseState::default();
            for e in m.controllers.iter().filter(|e| e.time < w0 - 1e-9) {
                before.feed(control(e));
            }
            let start = at(w0);
            before.emit(false, |ctl| {
                let channel = match ctl {
                    Control::Cc { channel, .. } | Control::Bend { channel, .. } => channel,
                };
                out.push(ScheduledNote {
                    sample: start,
                    channel,
                    what: Scheduled::Control(ctl),
                })
            });
        }
        for e in &m.controllers {
            if e.time < w0 - 1e-9 || e.time >= w1 - 1e-9 {
                continue;
            }
            out.push(ScheduledNote {
                sample: at(e.time),
                channel: e.channel & 15,
                what: Scheduled::Control(control(e)),
            });
        }
        // The clip's end releases its sustain pedal, as it cuts its notes: what rings past
        // the clip is only the release.
        let mut pedal = [false; 16];
        for e in m.controllers.iter().filter(|e| e.time < w1 - 1e-9) {
            if e.kind == crate::model::ControlKind::Cc(64) {
                pedal[(e.channel & 15) as usize] = true;
            }
        }
        for (ch, _) in pedal.iter().enumerate().filter(|(_, used)| **used) {
            out.push(ScheduledNote {
                sample: at(w1),
                channel: ch as u8,
                what: Scheduled::Control(Control::Cc {
                    channel: ch as u8,
                    number: 64,
                    value: 0,
                }),
            });
        }
    }
    // Stable: controllers at one sample keep their order (an RPN sequence must).
    out.sort_by_key(|e| (e.sample, e.what.rank()));
    out
}

/// What the engine remembers of a graph it sent, to decide what the next one inherits.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeLayout {
    pub id: TrackId,
    pub layer: Option<LayerSignature>,
    pub instrument: Option<crate::model::Instrument>,
    pub schedule: Vec<ScheduledNote>,
    /// Where the track's material ends, in samples.
    pub end: u64,
    /// The track could not be built (a missing file): it plays silence until rebuilt.
    pub failed: bool,
}

/// Whether track `t` is heard: not muted, and not silenced by a solo elsewhere (a solo on a
/// bus keeps the tracks that send to it).
pub fn audible(project: &Project, t: &Track) -> bool {
    if t.mute {
        return false;
    }
    if t.kind == TrackKind::Bus || t.solo || !project.tracks.iter().any(|o| o.solo) {
        return true;
    }
    t.sends.iter().any(|s| {
        project
            .tracks
            .iter()
            .any(|o| o.id == s.to && o.solo && o.kind == TrackKind::Bus)
    })
}

/// Builds the node of one track (engine or render thread: opens files, builds the
/// instrument), with its fader and sends still to set. An audio track's clips come back as a
/// layer for the caller to read directly or stream. A track that fails is left silent and its
/// problem pushed to `problems`.
fn build_node(
    project: &Project,
    t: &Track,
    root: &Path,
    rate: u32,
    soundfont: Option<&Arc<rustysynth::SoundFont>>,
    slot: Option<usize>,
    problems: &mut Vec<EngineError>,
) -> (TrackNode, NodeLayout, Option<ClipLayer>) {
    let mut entry = NodeLayout {
        id: t.id,
        layer: None,
        instrument: None,
        schedule: Vec::new(),
        end: 0,
        failed: false,
    };
    let mut mono = false;
    let mut clips = None;
    let source = match t.kind {
        TrackKind::Bus => Source::Bus {
            slot: slot.unwrap_or(0),
        },
        TrackKind::Audio => match ClipLayer::compile(project, t, root, rate) {
            Ok(layer) => {
                entry.end = layer.end();
                entry.layer = Some(layer.signature());
                mono = layer.mono;
                clips = Some(layer);
                Source::Stream {
                    consumer: None,
                    mono,
                }
            }
            Err(e) => {
                problems.push(e);
                entry.failed = true;
                Source::Silent
            }
        },
        TrackKind::Midi => {
            let schedule = schedule_notes(project, t, rate);
            let mut chase = Box::<ChaseState>::default();
            let controls: Vec<(u64, Control)> = schedule
                .iter()
                .filter_map(|e| match e.what {
                    Scheduled::Control(c) => Some((e.sample, c)),
                    _ => None,
                })
                .collect();
            for (_, c) in &controls {
                chase.mark_used(*c);
            }
            entry.end = schedule.last().map_or(0, |e| e.sample);
            for c in &t.clips {
                if let ClipContent::Midi(m) = &c.content {
                    if !m.notes.is_empty() || !m.controllers.is_empty() {
                        entry.end = entry
                            .end
                            .max(project.tempo.beat_to_sample(c.start + m.length, rate));
                    }
                }
            }
            let spec = t.instrument.clone().unwrap_or_default();
            entry.instrument = Some(spec.clone());
            entry.schedule = schedule.clone();
            Source::Instrument {
                instrument: Some(build_instrument(&spec, rate, soundfont)),
                schedule,
                cursor: 0,
                controls,
                chase,
            }
        }
    };
    let mut node = TrackNode::new(t.id, &t.name, t.kind, source, rate);
    node.mono = mono;
    (node, entry, clips)
}
