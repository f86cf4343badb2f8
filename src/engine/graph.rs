//! The compiled processing graph: tracks (clips or an instrument) → fader and pan → sends to
//! bus tracks → master. Compiled from a project snapshot on the engine thread (opening files,
//! building instruments, scheduling notes in samples), then processed block by block — by the
//! audio callback for live playback and by `render_to_wav` offline. This is the only mixing
//! code: both paths call [`Graph::process`]. Processing never allocates, locks or does I/O,
//! except [`Source::Clips`] (offline only), which reads its files.
//!
//! Every track, bus and the master has an insert chain ([`FxChain`]): after the source
//! (track), the bus sum (bus) or the master sum, before the fader. Latency compensation:
//! each node's signal reaches its fader `out_lat` samples late (the chains on its way); every
//! send and every node's contribution to the master is delayed so that all paths arrive
//! equally late ([`Graph::latency`], plus the master chain's own). Sources are processed in
//! phases so that a track sidechained from another source hears that source's block of the
//! same time; a sidechain from a bus, or around a cycle of sources, hears the previous block.

use super::arp::LiveArp;
use super::automation::{self, Lane, LaneTarget, SUB_BLOCK};
use super::clips::{ClipLayer, LayerSignature};
use super::fx::chain::{fx_values, sidechain_of, DelayLine, FxChain, FxSlot, SidechainBank};
use super::instrument::{build_instrument, ChaseState, Control, Instrument, NoteEvent};
use super::messages::{NodeId, ParamChange, ParamId};
use super::meters::{AtomicF32, MeterAtomics, MeterBank};
use super::mixer::{balance, constant_power};
use super::stream::StreamConsumer;
use super::transport::TempoGrid;
use super::EngineError;
use crate::dsp::{db_to_gain, Smoothed};
use crate::model::{ClipContent, Effect, FxId, Project, Track, TrackId, TrackKind};
use std::path::Path;
use std::sync::Arc;

mod pipeline;
pub use pipeline::Pipeline;

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
        /// The live arpeggiator the notes go through (the track's `arp`, not bypassed).
        arp: Option<Box<LiveArp>>,
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
    /// The send's automation (linear gain), gliding per sub-block; 1 without a lane.
    auto: Smoothed,
    laned: bool,
    /// The automation jumps to its next value instead of gliding (a new send, a seek).
    fresh: bool,
    /// Latency compensation: what arrives at the bus from other paths is this much later.
    comp: DelayLine,
}

impl SendNode {
    /// Takes the running state of `o` (the same send in the running graph): the gain's
    /// position (its new target glides from there), the automation's position and the
    /// compensation delay when its length is unchanged. Audio thread: swaps only.
    fn take_running(&mut self, o: &mut SendNode) {
        let target = self.gain.target();
        self.gain.set_immediate(o.gain.value());
        self.gain.set_target(target);
        let auto = if self.laned { o.auto.value() } else { 1.0 };
        let target = self.auto.target();
        self.auto.set_immediate(auto);
        self.auto.set_target(target);
        if self.comp.len() == o.comp.len() {
            std::mem::swap(&mut self.comp, &mut o.comp);
        }
        // A running send glides into a new lane; only one never played since a seek jumps.
        self.fresh = o.fresh;
    }
}

/// What processing a node reads from the graph around it.
pub struct Ctx<'a> {
    grid: &'a TempoGrid,
    sidechains: &'a SidechainBank,
    /// The gain-reduction meters (None: not metering).
    gr: Option<&'a [(FxId, AtomicF32)]>,
}

/// Runs `chain` on a block in place, following the lanes that drive its parameters per
/// sub-block. `in_lat` is how late the signal entering the chain is. Audio thread.
fn run_chain(
    chain: &mut FxChain,
    lanes: &[Lane],
    left: &mut [f32],
    right: &mut [f32],
    pos: u64,
    in_lat: usize,
    ctx: &Ctx<'_>,
) {
    if chain.is_empty() {
        return;
    }
    let n = left.len();
    if !lanes
        .iter()
        .any(|l| matches!(l.target, LaneTarget::Fx { .. }))
    {
        chain.process(left, right, ctx.sidechains, 0, ctx.gr);
        return;
    }
    let mut k = 0;
    while k < n {
        let m = (n - k).min(SUB_BLOCK);
        for l in lanes {
            if let LaneTarget::Fx { slot, param } = l.target {
                if let Some(s) = chain.slots.get_mut(slot) {
                    let at = (pos + k as u64).saturating_sub((in_lat + s.before) as u64);
                    s.apply(param, l.value_at(ctx.grid, at));
                }
            }
        }
        chain.process(
            &mut left[k..k + m],
            &mut right[k..k + m],
            ctx.sidechains,
            k,
            ctx.gr,
        );
        k += m;
    }
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
    /// Keys held down now by live input and auditions, so a track rebuilt while they are held
    /// (the arpeggiator switched on, off or changed) plays them again instead of falling
    /// silent until the next key.
    live_keys: crate::model::arp::Held,
    events: Vec<NoteEvent>,
    pub inherit: Inherit,
    meter: usize,
    /// Set when a streamed clip had no data in the last block.
    pub underrun: bool,
    /// The insert chain, between the source (or bus sum) and the fader.
    pub chain: FxChain,
    /// Automation lanes, compiled against `sends` and `chain`.
    lanes: Vec<Lane>,
    /// The fader and pan lanes' values (linear), gliding per sub-block; 1 without lanes.
    auto_gain: Smoothed,
    auto_pl: Smoothed,
    auto_pr: Smoothed,
    /// A gain or pan lane exists (the static value stands aside).
    lane_gain: bool,
    lane_pan: bool,
    /// The automation smoothers jump to their next value instead of gliding (a new node, a
    /// seek).
    auto_fresh: bool,
    /// Samples by which the signal entering the chain lags the timeline (the chains before
    /// it on its way), and by which it reaches the fader (plus its own chain).
    pub in_lat: usize,
    pub out_lat: usize,
    /// Latency compensation of the contribution to the master.
    comp: DelayLine,
    /// Index in the graph's sidechain bank when an effect listens to this track.
    sc_out: Option<usize>,
    /// Live input (software monitoring) added to the source before the chain, for the next
    /// block's first `monitor_len` frames (see [`Graph::monitor_input`]).
    monitor: [Vec<f32>; 2],
    monitor_len: usize,
}

impl TrackNode {
    fn new(id: TrackId, name: &str, kind: TrackKind, source: Source, rate: u32) -> TrackNode {
        TrackNode {
            pre: [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]],
            post: [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]],
            events: Vec::with_capacity(EVENT_CAPACITY + LIVE_CAPACITY),
            monitor: match kind {
                TrackKind::Audio => [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]],
                _ => [Vec::new(), Vec::new()],
            },
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
            live_keys: crate::model::arp::Held::new(),
            events: Vec::new(),
            inherit: Inherit::default(),
            meter: 0,
            underrun: false,
            chain: FxChain::default(),
            lanes: Vec::new(),
            auto_gain: Smoothed::with_samples(1.0, SUB_BLOCK as u32),
            auto_pl: Smoothed::with_samples(1.0, SUB_BLOCK as u32),
            auto_pr: Smoothed::with_samples(1.0, SUB_BLOCK as u32),
            lane_gain: false,
            lane_pan: false,
            auto_fresh: true,
            in_lat: 0,
            out_lat: 0,
            comp: DelayLine::default(),
            sc_out: None,
            monitor: [Vec::new(), Vec::new()],
            monitor_len: 0,
        }
    }

    /// True for a stand-in of a kept node.
    pub fn is_kept(&self) -> bool {
        matches!(self.source, Source::Kept { .. })
    }

    /// Queues an event for frame 0 of the next block (dropped when the queue is full).
    /// Called on the audio thread.
    pub fn queue_live(&mut self, e: NoteEvent) {
        match e {
            NoteEvent::On {
                pitch, velocity, ..
            } if velocity > 0 => {
                self.live_keys.press(pitch, velocity);
            }
            NoteEvent::On { pitch, .. } | NoteEvent::Off { pitch, .. } => {
                self.live_keys.release(pitch)
            }
            NoteEvent::AllNotesOff { .. } => self.live_keys.clear(),
            _ => {}
        }
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

    /// Renders the source into `pre`, runs the chain and applies fader and pan into `post`.
    fn process_own(
        &mut self,
        pos: u64,
        n: usize,
        playing: bool,
        ctx: &Ctx<'_>,
    ) -> Result<(), EngineError> {
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
                arp,
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
                let events = match arp {
                    Some(a) => a.process(&self.events, pos, n, playing, ctx.grid),
                    None => &self.events[..],
                };
                match instrument {
                    Some(inst) => inst.process(events, pl, pr),
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
        if self.monitor_len > 0 {
            let m = self.monitor_len.min(n);
            let [ml, mr] = &self.monitor;
            for (o, x) in pl.iter_mut().zip(&ml[..m]) {
                *o += x;
            }
            for (o, x) in pr.iter_mut().zip(&mr[..m]) {
                *o += x;
            }
            self.monitor_len = 0;
        }
        self.finish(pos, n, ctx);
        Ok(())
    }

    /// The chain on `pre` (in place), then the fader into `post`, following the lanes.
    fn finish(&mut self, pos: u64, n: usize, ctx: &Ctx<'_>) {
        let [pl, pr] = &mut self.pre;
        run_chain(
            &mut self.chain,
            &self.lanes,
            &mut pl[..n],
            &mut pr[..n],
            pos,
            self.in_lat,
            ctx,
        );
        if self.lane_gain || self.lane_pan {
            let mut k = 0;
            while k < n {
                let m = (n - k).min(SUB_BLOCK);
                let at = (pos + (k + m) as u64).saturating_sub(self.out_lat as u64);
                self.follow_lanes(at, ctx.grid);
                self.fader(k, k + m);
                k += m;
            }
        } else {
            self.fader(0, n);
        }
    }

    /// Adds this node's sends to the buses' inputs and its output (delayed for latency
    /// compensation, in place) to the master sum of `mix`, for block `(pos, n)`; meters it.
    fn contribute(
        &mut self,
        mix: &mut MixBuffers,
        scratch: &mut [Vec<f32>; 2],
        sh: Shared<'_>,
        (pos, n): (u64, usize),
    ) {
        for (si, s) in self.sends.iter_mut().enumerate() {
            if s.pre_fader && !self.audible {
                continue;
            }
            let [sl, sr] = if s.pre_fader { &self.pre } else { &self.post };
            let [xl, xr] = &mut *scratch;
            let (sl, sr): (&[f32], &[f32]) = if s.comp.is_empty() {
                (&sl[..n], &sr[..n])
            } else {
                xl[..n].copy_from_slice(&sl[..n]);
                xr[..n].copy_from_slice(&sr[..n]);
                s.comp.process(&mut xl[..n], &mut xr[..n]);
                (&xl[..n], &xr[..n])
            };
            let [bl, br] = &mut mix.bus_in[s.slot];
            let lane = if s.laned {
                automation::lane_for(&self.lanes, LaneTarget::Send(si))
            } else {
                None
            };
            if let Some(l) = lane {
                let mut k = 0;
                while k < n {
                    let m = (n - k).min(SUB_BLOCK);
                    let at = (pos + (k + m) as u64).saturating_sub(self.out_lat as u64);
                    let v = db_to_gain(l.value_at(sh.grid, at) as f32);
                    if std::mem::take(&mut s.fresh) {
                        s.auto.set_immediate(v);
                    } else {
                        s.auto.set_target(v);
                    }
                    for i in k..k + m {
                        let g = s.gain.next() * s.auto.next();
                        bl[i] += sl[i] * g;
                        br[i] += sr[i] * g;
                    }
                    k += m;
                }
            } else if !s.gain.is_smoothing() && !s.auto.is_smoothing() {
                let g = s.gain.value() * s.auto.value();
                add(&mut bl[..n], sl, g);
                add(&mut br[..n], sr, g);
            } else {
                for i in 0..n {
                    let g = s.gain.next() * s.auto.next();
                    bl[i] += sl[i] * g;
                    br[i] += sr[i] * g;
                }
            }
        }
        let [ol, or] = &mut self.post;
        self.comp.process(&mut ol[..n], &mut or[..n]);
        let [ml, mr] = &mut mix.master;
        add(&mut ml[..n], &ol[..n], 1.0);
        add(&mut mr[..n], &or[..n], 1.0);
        if let Some((meters, rate)) = sh.meters {
            if let Some((_, m)) = meters.tracks.get(self.meter) {
                m.update(&ol[..n], &or[..n], rate);
            }
        }
    }

    /// Points the fader and pan automation at the lanes' values at timeline sample `at`.
    fn follow_lanes(&mut self, at: u64, grid: &TempoGrid) {
        let fresh = std::mem::take(&mut self.auto_fresh);
        let set = |ramp: &mut Smoothed, v: f32| {
            if fresh {
                ramp.set_immediate(v)
            } else {
                ramp.set_target(v)
            }
        };
        if let Some(l) = automation::lane_for(&self.lanes, LaneTarget::Gain) {
            set(&mut self.auto_gain, db_to_gain(l.value_at(grid, at) as f32));
        }
        if let Some(l) = automation::lane_for(&self.lanes, LaneTarget::Pan) {
            let v = l.value_at(grid, at) as f32;
            let (a, b) = if self.mono {
                constant_power(v)
            } else {
                balance(v)
            };
            set(&mut self.auto_pl, a);
            set(&mut self.auto_pr, b);
        }
    }

    /// `post[a..b]` = `pre[a..b]` × gain × pan (× their automation).
    fn fader(&mut self, a: usize, b: usize) {
        let [pl, pr] = &self.pre;
        let [ol, or] = &mut self.post;
        let steady = !self.gain.is_smoothing()
            && !self.pan_l.is_smoothing()
            && !self.pan_r.is_smoothing()
            && !self.auto_gain.is_smoothing()
            && !self.auto_pl.is_smoothing()
            && !self.auto_pr.is_smoothing();
        if steady {
            let g = self.gain.next() * self.auto_gain.next();
            let (gl, gr) = (
                g * self.pan_l.next() * self.auto_pl.next(),
                g * self.pan_r.next() * self.auto_pr.next(),
            );
            scale_pair(
                [&mut ol[a..b], &mut or[a..b]],
                [&pl[a..b], &pr[a..b]],
                [gl, gr],
            );
        } else {
            for i in a..b {
                let g = self.gain.next() * self.auto_gain.next();
                ol[i] = pl[i] * g * self.pan_l.next() * self.auto_pl.next();
                or[i] = pr[i] * g * self.pan_r.next() * self.auto_pr.next();
            }
        }
    }

    /// Points the fader and pan ramps at what `gain_db`, `pan` and `audible` imply: at once
    /// (a fresh node) or gliding (a change while playing).
    fn retarget(&mut self, now: bool) {
        // A lane stands in for the static value (it drives the `auto_` ramps).
        let g = match (self.audible, self.lane_gain) {
            (false, _) => 0.0,
            (true, true) => 1.0,
            (true, false) => db_to_gain(self.gain_db),
        };
        let (l, r) = if self.lane_pan {
            (1.0, 1.0)
        } else if self.mono {
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
                for s in self.sends.iter_mut().filter(|s| s.to == to && !s.laned) {
                    s.gain.set_target(db_to_gain(value));
                }
                return;
            }
            ParamId::Fx { fx, param } => {
                if let Some(slot) = self.chain.slot_mut(fx) {
                    slot.set_static(param as usize, f64::from(value));
                }
                return;
            }
            ParamId::FxBypass { fx } => {
                if let Some(slot) = self.chain.slot_mut(fx) {
                    slot.set_bypass(value != 0.0);
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
        self.lane_gain = stand_in.lane_gain;
        self.lane_pan = stand_in.lane_pan;
        self.retarget(false);
        self.release_lanes(&stand_in.lanes);
        std::mem::swap(&mut self.lanes, &mut stand_in.lanes);
        // The new chain layout takes the running effects by id.
        stand_in.chain.take_from(&mut self.chain);
        std::mem::swap(&mut self.chain, &mut stand_in.chain);
        self.in_lat = stand_in.in_lat;
        self.out_lat = stand_in.out_lat;
        if self.comp.len() != stand_in.comp.len() {
            std::mem::swap(&mut self.comp, &mut stand_in.comp);
        }
        self.sc_out = stand_in.sc_out;
        for s in &mut stand_in.sends {
            if let Some(o) = self.sends.iter_mut().find(|o| o.to == s.to) {
                s.take_running(o);
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

    /// Lets the fader and pan automation go back to unity where this node has no lane.
    fn release_lanes_if_none(&mut self) {
        if !self.lane_gain {
            self.auto_gain.set_target(1.0);
        }
        if !self.lane_pan {
            self.auto_pl.set_target(1.0);
            self.auto_pr.set_target(1.0);
        }
    }

    /// Lets the fader and pan automation go back to unity where `new` has no lane.
    fn release_lanes(&mut self, new: &[Lane]) {
        if !automation::drives(new, LaneTarget::Gain) {
            self.auto_gain.set_target(1.0);
        }
        if !automation::drives(new, LaneTarget::Pan) {
            self.auto_pl.set_target(1.0);
            self.auto_pr.set_target(1.0);
        }
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
    /// The buses' inputs and the master sum of the block being mixed.
    mix: MixBuffers,
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
    /// The master's insert chain, between the sum and the master fader.
    pub master_fx: FxChain,
    master_lanes: Vec<Lane>,
    /// A master gain lane exists (the static master gain stands aside).
    master_laned: bool,
    master_auto: Smoothed,
    master_fresh: bool,
    /// What sidechained effects listen to: each source's post-fader output of this block.
    sidechains: Vec<(TrackId, [Vec<f32>; 2])>,
    /// Where each phase of the sources ends in `tracks` (the last is the sources' count).
    phases: Vec<usize>,
    /// The compensated latency of every path to the master sum, in samples.
    latency: usize,
    /// Work space for a compensated or automated send.
    scratch: [Vec<f32>; 2],
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
    /// The latency of every effect of the graph (kept ones as the running node has it).
    pub fx_latency: Vec<(FxId, usize)>,
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
        Graph::compile_keeping(
            project,
            root,
            rate,
            mode,
            soundfont,
            strict,
            &mut |_| None,
            &|_, _| None,
        )
    }

    /// Like [`Graph::compile`], but a track for which `keep` returns the layout of its running
    /// node is not built: it gets a stand-in ([`Source::Kept`]) carrying only its settings,
    /// and the running node moves in on install. Only the other tracks open files and build
    /// instruments, so an edit to one track costs one track. Likewise an effect for which
    /// `keep_fx` (given its chain's owner: a track, or `None` for the master) returns the
    /// running node's latency is not built: the running node with its id moves over.
    #[allow(clippy::too_many_arguments)]
    pub fn compile_keeping(
        project: &Project,
        root: &Path,
        rate: u32,
        mode: ClipMode,
        soundfont: Option<&Arc<rustysynth::SoundFont>>,
        strict: bool,
        keep: &mut dyn FnMut(&Track) -> Option<NodeLayout>,
        keep_fx: &dyn Fn(Option<TrackId>, &Effect) -> Option<usize>,
    ) -> Result<Compiled, EngineError> {
        let mut problems = Vec::new();
        let mut layers = Vec::new();
        // Sidechain sources: every track an effect listens to (any chain).
        let exists = |id: TrackId| project.tracks.iter().any(|t| t.id == id);
        let listens = |effects: &[Effect]| -> Vec<TrackId> {
            effects
                .iter()
                .filter_map(|e| sidechain_of(e, &fx_values(e)))
                .filter(|id| exists(*id))
                .collect()
        };
        let mut sc_ids: Vec<TrackId> = Vec::new();
        for effects in project
            .tracks
            .iter()
            .map(|t| &t.effects[..])
            .chain(std::iter::once(&project.master.effects[..]))
        {
            for id in listens(effects) {
                if !sc_ids.contains(&id) {
                    sc_ids.push(id);
                }
            }
        }
        // Order: sources in phases (a source sidechained from other sources comes after
        // them; a cycle's remainder goes last), each phase in project order; then buses
        // sorted so every bus→bus send points forward (a cycle's backward sends are dropped).
        let mut pending: Vec<usize> = (0..project.tracks.len())
            .filter(|&i| project.tracks[i].kind != TrackKind::Bus)
            .collect();
        let is_source = |id: TrackId| {
            project
                .tracks
                .iter()
                .any(|t| t.id == id && t.kind != TrackKind::Bus)
        };
        let mut order: Vec<usize> = Vec::new();
        let mut phases: Vec<usize> = Vec::new();
        while !pending.is_empty() {
            let placed_ids: Vec<TrackId> = order.iter().map(|&i| project.tracks[i].id).collect();
            let (ready, rest): (Vec<usize>, Vec<usize>) = pending.iter().partition(|&&i| {
                let me = project.tracks[i].id;
                listens(&project.tracks[i].effects)
                    .iter()
                    .all(|id| *id == me || !is_source(*id) || placed_ids.contains(id))
            });
            if ready.is_empty() {
                order.extend(rest);
                phases.push(order.len());
                break;
            }
            order.extend(ready);
            phases.push(order.len());
            pending = rest;
        }
        let sources = order.len();
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
        let sc_of = |id: TrackId| sc_ids.iter().position(|s| *s == id);

        let ramp = (RAMP_S * rate as f32) as u32;
        let bpm = project.tempo.initial_bpm();
        let mut meters = MeterBank::default();
        let mut fx_latency = Vec::new();
        let mut chain_of = |owner: Option<TrackId>, effects: &[Effect]| -> FxChain {
            let slots = effects
                .iter()
                .map(|e| {
                    let meter = meters.gain_reduction.len();
                    meters.gain_reduction.push((e.id, AtomicF32::default()));
                    let mut slot = FxSlot::compile(e, rate, bpm, keep_fx(owner, e), meter);
                    slot.sidechain = sidechain_of(e, &fx_values(e)).and_then(sc_of);
                    fx_latency.push((e.id, slot.latency()));
                    slot
                })
                .collect();
            FxChain::new(slots, MAX_BLOCK)
        };
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
                        auto: Smoothed::with_samples(1.0, SUB_BLOCK as u32),
                        laned: false,
                        fresh: true,
                        comp: DelayLine::default(),
                    })
                })
                .collect();
            node.chain = chain_of(Some(t.id), &t.effects);
            let send_ids: Vec<TrackId> = node.sends.iter().map(|s| s.to).collect();
            node.lanes = automation::compile(&t.automation, &send_ids, &t.effects, &mut node.chain);
            node.lane_gain = automation::drives(&node.lanes, LaneTarget::Gain);
            node.lane_pan = automation::drives(&node.lanes, LaneTarget::Pan);
            for (i, s) in node.sends.iter_mut().enumerate() {
                if automation::drives(&node.lanes, LaneTarget::Send(i)) {
                    s.laned = true;
                    s.gain.set_immediate(1.0);
                }
            }
            node.sc_out = sc_of(t.id);
            node.retarget(true);
            tracks.push(node);
            layout.push(entry);
        }
        // Latency compensation. In graph order every send points forward, so a bus's input
        // latency is final when it is reached: the latest of what feeds it.
        let bus_node = |slot: usize| sources + slot;
        for i in 0..tracks.len() {
            let out = tracks[i].in_lat + tracks[i].chain.latency();
            tracks[i].out_lat = out;
            let targets: Vec<usize> = tracks[i].sends.iter().map(|s| bus_node(s.slot)).collect();
            for b in targets {
                if let Some(bus) = tracks.get_mut(b) {
                    bus.in_lat = bus.in_lat.max(out);
                }
            }
        }
        let latency = tracks.iter().map(|t| t.out_lat).max().unwrap_or(0);
        let in_lats: Vec<usize> = tracks.iter().map(|t| t.in_lat).collect();
        for t in &mut tracks {
            t.comp = DelayLine::new(latency - t.out_lat);
            let out = t.out_lat;
            for s in &mut t.sends {
                let bus_in = in_lats.get(bus_node(s.slot)).copied().unwrap_or(out);
                s.comp = DelayLine::new(bus_in.saturating_sub(out));
            }
        }
        let mut master_fx = chain_of(None, &project.master.effects);
        let master_lanes = automation::compile(
            &project.master.automation,
            &[],
            &project.master.effects,
            &mut master_fx,
        )
        .into_iter()
        .filter(|l| matches!(l.target, LaneTarget::Gain | LaneTarget::Fx { .. }))
        .collect::<Vec<_>>();
        let master_laned = automation::drives(&master_lanes, LaneTarget::Gain);
        let mut project_order: Vec<usize> = (0..order.len()).collect();
        project_order.sort_by_key(|&i| order[i]);
        // Meters in project order, too.
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
        let master_gain = if master_laned {
            1.0
        } else {
            db_to_gain(project.master.gain_db)
        };
        let graph = Graph {
            rate,
            mix: MixBuffers::new(placed.len()),
            tracks,
            master_gain: Smoothed::with_samples(master_gain, ramp),
            meters: Arc::new(meters),
            metering: true,
            grid: TempoGrid::new(&project.tempo, project.time_signature, rate),
            loop_region,
            end,
            project_order,
            master_fx,
            master_lanes,
            master_laned,
            master_auto: Smoothed::with_samples(1.0, SUB_BLOCK as u32),
            master_fresh: true,
            sidechains: sc_ids
                .iter()
                .map(|id| (*id, [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]]))
                .collect(),
            phases,
            latency,
            scratch: [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]],
        };
        Ok(Compiled {
            graph,
            layers,
            problems,
            layout,
            fx_latency,
        })
    }

    /// Sets one parameter of the running graph (see [`ParamChange`]); an unknown node or a
    /// parameter the node does not have is ignored. Called on the audio thread.
    pub fn set_param(&mut self, change: ParamChange) {
        match change.node {
            NodeId::Master => match change.param {
                ParamId::GainDb if !self.master_laned => {
                    self.master_gain.set_target(db_to_gain(change.value));
                }
                ParamId::Fx { fx, param } => {
                    if let Some(slot) = self.master_fx.slot_mut(fx) {
                        slot.set_static(param as usize, f64::from(change.value));
                    }
                }
                ParamId::FxBypass { fx } => {
                    if let Some(slot) = self.master_fx.slot_mut(fx) {
                        slot.set_bypass(change.value != 0.0);
                    }
                }
                _ => {}
            },
            NodeId::Track(id) => {
                if let Some(t) = self.tracks.iter_mut().find(|t| t.id == id) {
                    t.set_param(change.param, change.value);
                }
            }
        }
    }

    /// Samples by which the master output lags the timeline: the compensated latency of
    /// every path to the master sum plus the master chain's own. Render trims it; live
    /// playback hears it (the transport shows the timeline position being processed).
    pub fn latency(&self) -> usize {
        self.latency + self.master_fx.latency()
    }

    /// Samples by which every track's output (a stem) lags the timeline.
    pub fn track_latency(&self) -> usize {
        self.latency
    }

    /// Whether any chain has an effect that processes (render then waits for tails).
    pub fn has_effects(&self) -> bool {
        self.tracks
            .iter()
            .flat_map(|t| &t.chain.slots)
            .chain(&self.master_fx.slots)
            .any(FxSlot::is_active)
    }

    /// Processes up to `n` frames (≤ MAX_BLOCK) of the timeline from `pos`; returns the frames
    /// done (fewer when a note storm fills an event buffer). The mix is then in
    /// [`Graph::master`]. With `parallel`, the sources are rendered on the threads of the
    /// current rayon pool (offline only). Called on the audio thread (with `parallel` false).
    pub fn process(
        &mut self,
        pos: u64,
        n: usize,
        playing: bool,
        parallel: bool,
    ) -> Result<usize, EngineError> {
        let n = self.block_len(pos, n, playing);
        let sources = self.sources();
        let Graph {
            tracks,
            sidechains,
            grid,
            meters,
            metering,
            phases,
            mix,
            scratch,
            master_fx,
            master_lanes,
            master_laned,
            master_auto,
            master_fresh,
            master_gain,
            latency,
            rate,
            ..
        } = self;
        let sh = Shared::new(grid, meters, *metering, *rate);
        let (srcs, buses) = tracks.split_at_mut(sources);
        let block = (pos, n);
        sources_stage(
            srcs, phases, sidechains, mix, scratch, sh, block, playing, parallel,
        )?;
        bus_stage(buses, sidechains, mix, scratch, sh, block);
        let mut master = MasterStage {
            fx: master_fx,
            lanes: master_lanes,
            laned: *master_laned,
            auto: master_auto,
            fresh: master_fresh,
            gain: master_gain,
            latency: *latency,
        };
        master.run(sidechains, &mut mix.master, sh, block);
        Ok(n)
    }

    /// The frames of the block at `pos` processed at once: `n`, at most [`MAX_BLOCK`], fewer
    /// where a note storm would overflow an event buffer.
    fn block_len(&self, pos: u64, n: usize, playing: bool) -> usize {
        let mut n = n.min(MAX_BLOCK);
        for t in &self.tracks {
            n = n.min(t.event_limit(pos, n, playing));
        }
        n
    }

    /// Software monitoring: the left and right buffers (`n` frames, at most [`MAX_BLOCK`])
    /// that audio track `id` adds to its source before its chain in the next
    /// [`Graph::process`]; `None` for a track that is not an audio track here. Called on the
    /// audio thread.
    pub fn monitor_input(&mut self, id: TrackId, n: usize) -> Option<(&mut [f32], &mut [f32])> {
        let t = self.tracks.iter_mut().find(|t| t.id == id)?;
        let [l, r] = &mut t.monitor;
        if l.len() < n || r.len() < n {
            return None;
        }
        t.monitor_len = n;
        Some((&mut l[..n], &mut r[..n]))
    }

    /// How many nodes at the start of `tracks` are sources (the buses follow).
    pub fn sources(&self) -> usize {
        self.phases.last().copied().unwrap_or(0)
    }

    /// The mix of the last block.
    pub fn master(&self, n: usize) -> (&[f32], &[f32]) {
        (&self.mix.master[0][..n], &self.mix.master[1][..n])
    }

    /// Moves every source to `pos` after a seek or loop wrap. A `hard` jump (seek) silences
    /// instruments and re-requests streams; a loop wrap releases held notes and trusts the
    /// streams' prediction. Either way each instrument then hears the controller values in
    /// force at `pos` (chase): the last value before it of every controller and the pitch
    /// bend, or the default of those that change only later. Called on the audio thread.
    pub fn jump(&mut self, pos: u64, hard: bool) {
        if hard {
            // Effects forget their tails; automation lands on its new values at once.
            self.master_fx.reset();
            self.master_fresh = true;
            for t in &mut self.tracks {
                t.chain.reset();
                t.comp.clear();
                t.auto_fresh = true;
                for s in &mut t.sends {
                    s.comp.clear();
                    s.fresh = true;
                }
            }
        }
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
                    arp,
                } => {
                    *cursor = schedule.partition_point(|e| e.sample < pos);
                    if let Some(a) = arp {
                        a.reset();
                    }
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

    /// Applies a controller or pitch bend on a track's instrument now (live MIDI input).
    /// Called on the audio thread.
    pub fn live_control(&mut self, track: TrackId, c: super::instrument::Control) {
        if let Some(t) = self.tracks.iter_mut().find(|t| t.id == track) {
            t.queue_live(c.at(0));
        }
    }

    /// Lets go of every latched arpeggiator whose keys are up: the notes sounding end at their
    /// gate, no new step starts. The offline render calls it at the timeline's end.
    pub fn end_latches(&mut self) {
        for t in &mut self.tracks {
            if let Source::Instrument { arp: Some(a), .. } = &mut t.source {
                a.end_latch();
            }
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
                (&mut t.auto_gain, &o.auto_gain),
                (&mut t.auto_pl, &o.auto_pl),
                (&mut t.auto_pr, &o.auto_pr),
            ] {
                let target = mine.target();
                mine.set_immediate(theirs.value());
                mine.set_target(target);
            }
            t.auto_fresh = o.auto_fresh;
            t.release_lanes_if_none();
            for s in &mut t.sends {
                if let Some(theirs) = o.sends.iter_mut().find(|x| x.to == s.to) {
                    s.take_running(theirs);
                }
            }
            // A track rebuilt for its clips keeps its running effects.
            t.chain.take_from(&mut o.chain);
            if t.comp.len() == o.comp.len() {
                std::mem::swap(&mut t.comp, &mut o.comp);
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
            // Keys still held go down again on the new source (through its arpeggiator, if it
            // has one): the old one's notes were released above, or went with it.
            let fresh = t.inherit.notes_changed || !t.inherit.instrument;
            if matches!(t.source, Source::Instrument { .. }) && fresh {
                let keys = std::mem::take(&mut o.live_keys);
                for (&pitch, &velocity) in keys.pitches().iter().zip(keys.velocities()) {
                    t.queue_live(NoteEvent::On {
                        frame: 0,
                        channel: 0,
                        pitch,
                        velocity,
                    });
                }
            } else {
                t.live_keys = std::mem::take(&mut o.live_keys);
            }
        }
        let target = self.master_gain.target();
        self.master_gain.set_immediate(old.master_gain.value());
        self.master_gain.set_target(target);
        let target = if self.master_laned {
            self.master_auto.target()
        } else {
            1.0
        };
        self.master_auto.set_immediate(old.master_auto.value());
        self.master_auto.set_target(target);
        self.master_fresh = old.master_fresh && self.master_laned;
        self.master_fx.take_from(&mut old.master_fx);
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

/// What a block's mix carries from the sources to the buses and the master: the buses'
/// inputs and the master sum.
struct MixBuffers {
    bus_in: Vec<[Vec<f32>; 2]>,
    master: [Vec<f32>; 2],
}

impl MixBuffers {
    /// Buffers for `buses` buses (engine or render thread: allocates).
    fn new(buses: usize) -> MixBuffers {
        MixBuffers {
            bus_in: (0..buses)
                .map(|_| [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]])
                .collect(),
            master: [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]],
        }
    }
}

/// What every stage of a block reads: the tempo grid and the meters.
#[derive(Clone, Copy)]
struct Shared<'a> {
    grid: &'a TempoGrid,
    rate: u32,
    /// The gain-reduction meters (None: not metering).
    gr: Option<&'a [(FxId, AtomicF32)]>,
    /// The track meters and the rate (None: not metering).
    meters: Option<(&'a MeterBank, u32)>,
}

impl<'a> Shared<'a> {
    fn new(grid: &'a TempoGrid, meters: &'a MeterBank, metering: bool, rate: u32) -> Shared<'a> {
        Shared {
            grid,
            rate,
            gr: metering.then_some(&meters.gain_reduction[..]),
            meters: metering.then_some((meters, rate)),
        }
    }

    fn ctx<'b>(&self, sidechains: &'b SidechainBank) -> Ctx<'b>
    where
        'a: 'b,
    {
        Ctx {
            grid: self.grid,
            sidechains,
            gr: self.gr,
        }
    }
}

/// The sources of block `(pos, n)`, phase by phase (each phase's sources on the threads of the
/// current rayon pool with `parallel`; a source's result does not depend on the thread), then
/// their sends and outputs summed into `mix` in graph order.
#[allow(clippy::too_many_arguments)]
fn sources_stage(
    srcs: &mut [TrackNode],
    phases: &[usize],
    sidechains: &mut SidechainBank,
    mix: &mut MixBuffers,
    scratch: &mut [Vec<f32>; 2],
    sh: Shared<'_>,
    (pos, n): (u64, usize),
    playing: bool,
    parallel: bool,
) -> Result<(), EngineError> {
    // Note-value times follow the tempo at the playhead.
    let bpm = sh.grid.bpm_at(pos as f64, sh.rate);
    for t in srcs.iter_mut() {
        t.chain.set_tempo(bpm);
    }
    let mut start = 0;
    for &end in phases {
        let ctx = sh.ctx(sidechains);
        let group = &mut srcs[start..end];
        if parallel && group.len() > 1 {
            use rayon::prelude::*;
            // One task per source, so uneven tracks (a dense drum part next to a sparse pad)
            // still keep every thread busy.
            group
                .par_iter_mut()
                .with_max_len(1)
                .try_for_each(|t| t.process_own(pos, n, playing, &ctx))?;
        } else {
            for t in group.iter_mut() {
                t.process_own(pos, n, playing, &ctx)?;
            }
        }
        // The sidechain sources of this phase, for the phases after it.
        for t in &srcs[start..end] {
            if let (Some(k), false) = (t.sc_out, t.is_kept()) {
                copy_block(&mut sidechains[k].1, &t.post, n);
            }
        }
        start = end;
    }
    let [ml, mr] = &mut mix.master;
    ml[..n].fill(0.0);
    mr[..n].fill(0.0);
    for b in mix.bus_in.iter_mut() {
        b[0][..n].fill(0.0);
        b[1][..n].fill(0.0);
    }
    if parallel && sum_in_halves(srcs, mix, n) {
        if let Some((meters, rate)) = sh.meters {
            for t in srcs.iter().filter(|t| !t.is_kept()) {
                if let Some((_, m)) = meters.tracks.get(t.meter) {
                    m.update(&t.post[0][..n], &t.post[1][..n], rate);
                }
            }
        }
        return Ok(());
    }
    for t in srcs.iter_mut() {
        if !t.is_kept() {
            t.contribute(mix, scratch, sh, (pos, n));
        }
    }
    Ok(())
}

/// Most buses and sources [`sum_in_halves`] takes (stack arrays; more are summed serially).
const SPLIT_BUSES: usize = 16;
const SPLIT_SOURCES: usize = 128;

/// What one source adds to the mix when nothing glides: its buffers, sends and audibility.
type Contribution<'a> = (&'a [Vec<f32>; 2], &'a [Vec<f32>; 2], &'a [SendNode], bool);

/// [`TrackNode::contribute`] for every source at once, the first half of the block's frames on
/// one thread of the current rayon pool and the second on another, when no send or fader
/// glides, is automated or waits in a compensation delay (otherwise false, and nothing is
/// done). Each frame still gets its terms in graph order, so the sums are the serial ones bit
/// for bit; the serial loop after the sources would otherwise leave a core idle.
fn sum_in_halves(srcs: &[TrackNode], mix: &mut MixBuffers, n: usize) -> bool {
    let live = || srcs.iter().filter(|t| !t.is_kept());
    let steady = live().all(|t| {
        t.comp.is_empty()
            && t.sends.iter().all(|s| {
                !s.laned && !s.gain.is_smoothing() && !s.auto.is_smoothing() && s.comp.is_empty()
            })
    });
    if !steady || n < 64 || mix.bus_in.len() > SPLIT_BUSES || srcs.len() > SPLIT_SOURCES {
        return false;
    }
    let mut views: [Option<Contribution<'_>>; SPLIT_SOURCES] = std::array::from_fn(|_| None);
    for (v, t) in views.iter_mut().zip(live()) {
        *v = Some((&t.pre, &t.post, &t.sends[..], t.audible));
    }
    let views = &views[..];
    // Halves on a whole number of vectors.
    let h = (n / 2) & !15;
    type Half<'b> = [Option<[&'b mut [f32]; 2]>; SPLIT_BUSES];
    let (mut lo, mut hi): (Half<'_>, Half<'_>) = Default::default();
    for ((bus, lo), hi) in mix.bus_in.iter_mut().zip(&mut lo).zip(&mut hi) {
        let [bl, br] = bus;
        let (bl0, bl1) = bl[..n].split_at_mut(h);
        let (br0, br1) = br[..n].split_at_mut(h);
        *lo = Some([bl0, br0]);
        *hi = Some([bl1, br1]);
    }
    let [ml, mr] = &mut mix.master;
    let (ml0, ml1) = ml[..n].split_at_mut(h);
    let (mr0, mr1) = mr[..n].split_at_mut(h);
    rayon::join(
        || sum_range(views, [ml0, mr0], &mut lo, 0..h),
        || sum_range(views, [ml1, mr1], &mut hi, h..n),
    );
    true
}

/// Frames `range` of every contribution in `views` (graph order) into the master part
/// `master` and the bus parts `buses`, as [`TrackNode::contribute`] adds them when steady.
fn sum_range(
    views: &[Option<Contribution<'_>>],
    master: [&mut [f32]; 2],
    buses: &mut [Option<[&mut [f32]; 2]>],
    range: std::ops::Range<usize>,
) {
    #[cfg(target_arch = "x86_64")]
    if crate::dsp::Isa::detect() == crate::dsp::Isa::Avx2Fma {
        // SAFETY: the CPU has AVX2 (detected just now).
        unsafe { sum_range_avx2(views, master, buses, range) };
        return;
    }
    sum_range_body(views, master, buses, range);
}

/// [`sum_range`] in 256-bit registers (the same multiplies and adds, so the same sums).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sum_range_avx2(
    views: &[Option<Contribution<'_>>],
    master: [&mut [f32]; 2],
    buses: &mut [Option<[&mut [f32]; 2]>],
    range: std::ops::Range<usize>,
) {
    sum_range_body(views, master, buses, range);
}

#[inline(always)]
fn sum_range_body(
    views: &[Option<Contribution<'_>>],
    master: [&mut [f32]; 2],
    buses: &mut [Option<[&mut [f32]; 2]>],
    range: std::ops::Range<usize>,
) {
    let [ml, mr] = master;
    // In chunks of frames whose sums stay in the L1 cache while every source adds to them
    // (a whole half block of each bus went through memory once per source).
    let mut at = range.start;
    while at < range.end {
        let src = at..(at + SUM_CHUNK).min(range.end);
        let dst = src.start - range.start..src.end - range.start;
        for &(pre, post, sends, audible) in views.iter().flatten() {
            for s in sends {
                if s.pre_fader && !audible {
                    continue;
                }
                let [sl, sr] = if s.pre_fader { pre } else { post };
                if let Some(Some([bl, br])) = buses.get_mut(s.slot) {
                    let g = s.gain.value() * s.auto.value();
                    add(&mut bl[dst.clone()], &sl[src.clone()], g);
                    add(&mut br[dst.clone()], &sr[src.clone()], g);
                }
            }
            add(&mut ml[dst.clone()], &post[0][src.clone()], 1.0);
            add(&mut mr[dst.clone()], &post[1][src.clone()], 1.0);
        }
        at = src.end;
    }
}

/// `dst[c] = src[c] · gain[c]` for both channels (in 256-bit registers where the CPU has AVX2;
/// the same products either way).
fn scale_pair(dst: [&mut [f32]; 2], src: [&[f32]; 2], gain: [f32; 2]) {
    #[inline(always)]
    fn body(dst: [&mut [f32]; 2], src: [&[f32]; 2], gain: [f32; 2]) {
        for ((d, s), g) in dst.into_iter().zip(src).zip(gain) {
            for (o, p) in d.iter_mut().zip(s) {
                *o = p * g;
            }
        }
    }
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn avx2(dst: [&mut [f32]; 2], src: [&[f32]; 2], gain: [f32; 2]) {
        body(dst, src, gain);
    }
    #[cfg(target_arch = "x86_64")]
    if crate::dsp::Isa::detect() == crate::dsp::Isa::Avx2Fma {
        // SAFETY: the CPU has AVX2 (detected just now).
        unsafe { avx2(dst, src, gain) };
        return;
    }
    body(dst, src, gain);
}

/// Frames [`sum_range`] sums at a time.
const SUM_CHUNK: usize = 256;

/// The buses of block `(pos, n)` in graph order (every send points forward): each takes its
/// input from `mix`, runs its chain and fader, and adds its sends and output to `mix`.
fn bus_stage(
    buses: &mut [TrackNode],
    sidechains: &mut SidechainBank,
    mix: &mut MixBuffers,
    scratch: &mut [Vec<f32>; 2],
    sh: Shared<'_>,
    (pos, n): (u64, usize),
) {
    let bpm = sh.grid.bpm_at(pos as f64, sh.rate);
    for t in buses.iter_mut() {
        t.chain.set_tempo(bpm);
    }
    for t in buses.iter_mut() {
        if t.is_kept() {
            continue;
        }
        if let Source::Bus { slot } = t.source {
            let [il, ir] = &mix.bus_in[slot];
            t.pre[0][..n].copy_from_slice(&il[..n]);
            t.pre[1][..n].copy_from_slice(&ir[..n]);
            t.finish(pos, n, &sh.ctx(sidechains));
            if let Some(k) = t.sc_out {
                copy_block(&mut sidechains[k].1, &t.post, n);
            }
        }
        t.contribute(mix, scratch, sh, (pos, n));
    }
}

/// The master's chain, lanes and fader, borrowed from the graph for one block.
struct MasterStage<'a> {
    fx: &'a mut FxChain,
    lanes: &'a [Lane],
    laned: bool,
    auto: &'a mut Smoothed,
    fresh: &'a mut bool,
    gain: &'a mut Smoothed,
    /// The compensated latency of every path to the master sum.
    latency: usize,
}

impl MasterStage<'_> {
    /// The master chain and fader on the master sum of block `(pos, n)`, in place.
    fn run(
        &mut self,
        sidechains: &SidechainBank,
        master: &mut [Vec<f32>; 2],
        sh: Shared<'_>,
        (pos, n): (u64, usize),
    ) {
        let bpm = sh.grid.bpm_at(pos as f64, sh.rate);
        self.fx.set_tempo(bpm);
        let [ml, mr] = master;
        run_chain(
            self.fx,
            self.lanes,
            &mut ml[..n],
            &mut mr[..n],
            pos,
            self.latency,
            &sh.ctx(sidechains),
        );
        let (gain, auto) = (&mut *self.gain, &mut *self.auto);
        if self.laned {
            let lane = automation::lane_for(self.lanes, LaneTarget::Gain);
            let lat = (self.latency + self.fx.latency()) as u64;
            let mut k = 0;
            while k < n {
                let m = (n - k).min(SUB_BLOCK);
                if let Some(l) = lane {
                    let at = (pos + (k + m) as u64).saturating_sub(lat);
                    let v = db_to_gain(l.value_at(sh.grid, at) as f32);
                    if std::mem::take(self.fresh) {
                        auto.set_immediate(v);
                    } else {
                        auto.set_target(v);
                    }
                }
                for i in k..k + m {
                    let g = gain.next() * auto.next();
                    ml[i] *= g;
                    mr[i] *= g;
                }
                k += m;
            }
        } else if gain.is_smoothing()
            || gain.target() != 1.0
            || auto.is_smoothing()
            || auto.value() != 1.0
        {
            for i in 0..n {
                let g = gain.next() * auto.next();
                ml[i] *= g;
                mr[i] *= g;
            }
        }
    }
}

/// `dst[..n]` = `src[..n]`, both channels.
#[inline]
fn copy_block(dst: &mut [Vec<f32>; 2], src: &[Vec<f32>; 2], n: usize) {
    dst[0][..n].copy_from_slice(&src[0][..n]);
    dst[1][..n].copy_from_slice(&src[1][..n]);
}

/// `dst += src × gain` (a plain sum when the gain is 1, so unity stays bit-exact).
#[inline(always)]
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
    for c in track.playing_clips() {
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
    /// The live arpeggiator the notes go through.
    pub arp: Option<crate::model::arp::Arp>,
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
        arp: None,
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
            for c in t.playing_clips() {
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
            entry.arp = t.arp.clone().filter(|a| !a.bypass);
            Source::Instrument {
                instrument: Some(build_instrument(&spec, rate, soundfont)),
                schedule,
                cursor: 0,
                controls,
                chase,
                arp: entry
                    .arp
                    .clone()
                    .map(|a| Box::new(LiveArp::new(a, EVENT_CAPACITY + LIVE_CAPACITY))),
            }
        }
    };
    let mut node = TrackNode::new(t.id, &t.name, t.kind, source, rate);
    node.mono = mono;
    (node, entry, clips)
}
