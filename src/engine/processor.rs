//! The audio callback's side of the engine. [`Processor::process`] pops messages, runs the
//! transport (play, pause, stop, seek, loop wrap, count-in, metronome) over the current
//! [`Graph`], writes the output and publishes the playhead, meters and load as atomics.
//! Nothing here allocates, locks, logs, does I/O or panics: graphs arrive boxed and leave the
//! same way to be freed on the engine thread.

use super::graph::{Graph, MAX_BLOCK};
use super::input_monitor::{MonitorInput, MonitorRoute, MAX_ROUTES};
use super::messages::{FromAudio, ToAudio};
use super::meters::SharedStatus;
use super::midi_in::LiveInput;
use super::record::{Captured, RecordState};
use super::transport::{PlayState, Transport};
use ringbuf::traits::{Consumer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Instant;

/// Capacity of each message queue.
const QUEUE: usize = 256;
/// Graphs that can wait for the engine thread to take them back.
const GARBAGE: usize = 8;
/// Seconds of master output the loudness tap holds.
const TAP_S: usize = 1;

/// The engine thread's ends of the queues to one processor.
pub struct Link {
    pub to_audio: HeapProd<ToAudio>,
    pub from_audio: HeapCons<FromAudio>,
    /// Interleaved stereo copy of the master output, for the loudness meter.
    pub tap: HeapCons<f32>,
    /// Live MIDI captured while recording, and controllers for MIDI learn.
    pub captures: HeapCons<Captured>,
}

/// The audio callback's state.
pub struct Processor {
    from_engine: HeapCons<ToAudio>,
    to_engine: HeapProd<FromAudio>,
    tap: HeapProd<f32>,
    graph: Option<Box<Graph>>,
    /// Graphs the engine queue had no room for; handed back on a later callback.
    garbage: [Option<Box<Graph>>; GARBAGE],
    transport: Transport,
    status: Arc<SharedStatus>,
    rate: u32,
    left: Vec<f32>,
    right: Vec<f32>,
    tap_buf: Vec<f32>,
    load: f32,
    live: LiveInput,
    record: RecordState,
    /// Live audio input for software monitoring, and the armed tracks that hear it.
    monitor: Option<Box<MonitorInput>>,
    routes: [Option<MonitorRoute>; MAX_ROUTES],
}

/// Creates a processor running at `rate` and the engine thread's link to it.
pub fn processor(status: Arc<SharedStatus>, rate: u32) -> (Processor, Link) {
    let (tp, tc) = HeapRb::<ToAudio>::new(QUEUE).split();
    let (fp, fc) = HeapRb::<FromAudio>::new(QUEUE).split();
    let (ap, ac) = HeapRb::<f32>::new(rate as usize * 2 * TAP_S).split();
    status.sample_rate.store(rate, Relaxed);
    let (live, captures) = LiveInput::new();
    let p = Processor {
        from_engine: tc,
        to_engine: fp,
        tap: ap,
        graph: None,
        garbage: Default::default(),
        transport: Transport::default(),
        status,
        rate,
        left: vec![0.0; MAX_BLOCK],
        right: vec![0.0; MAX_BLOCK],
        tap_buf: vec![0.0; MAX_BLOCK * 2],
        load: 0.0,
        live,
        record: RecordState::default(),
        monitor: None,
        routes: [None; MAX_ROUTES],
    };
    (
        p,
        Link {
            to_audio: tp,
            from_audio: fc,
            tap: ac,
            captures,
        },
    )
}

impl Processor {
    /// The sample rate this processor runs at.
    pub fn sample_rate(&self) -> u32 {
        self.rate
    }

    /// Fills `out` (interleaved, `channels` per frame): the first two channels get left and
    /// right, a mono output gets their average, further channels silence.
    /// Called on the audio thread.
    pub fn process(&mut self, out: &mut [f32], channels: usize) {
        self.process_at(out, channels, super::midi_in::now_ns());
    }

    /// [`Processor::process`] for a block that starts at `now` on the MIDI clock (tests give
    /// exact times). Live MIDI that arrived before `now` plays from the block's first frame.
    /// Called on the audio thread.
    pub fn process_at(&mut self, out: &mut [f32], channels: usize, now: u64) {
        let started = Instant::now();
        let channels = channels.max(1);
        self.flush_garbage();
        self.handle_messages();
        let rec = (self.record.on && self.transport.is_playing()).then_some(self.record);
        let pos = self.transport.position;
        self.live
            .drain(self.graph.as_deref_mut(), now, self.rate, pos, rec);
        let frames = out.len() / channels;
        let mut done = 0;
        while done < frames {
            let n = self.block((frames - done).min(MAX_BLOCK));
            let dst = &mut out[done * channels..(done + n) * channels];
            for (i, frame) in dst.chunks_exact_mut(channels).enumerate() {
                if channels == 1 {
                    frame[0] = 0.5 * (self.left[i] + self.right[i]);
                } else {
                    frame[0] = self.left[i];
                    frame[1] = self.right[i];
                    frame[2..].fill(0.0);
                }
            }
            done += n;
        }
        self.publish();
        let took = started.elapsed().as_secs_f32();
        let budget = frames.max(1) as f32 / self.rate as f32;
        self.load = 0.9 * self.load + 0.1 * (took / budget);
        self.status.dsp_load.store(self.load);
    }

    /// Renders up to `n` frames into left/right; returns the frames done.
    fn block(&mut self, n: usize) -> usize {
        let Some(graph) = self.graph.as_deref_mut() else {
            self.left[..n].fill(0.0);
            self.right[..n].fill(0.0);
            self.click(n, None);
            return n;
        };
        let t = &mut self.transport;
        let pos = t.position;
        let recording = self.record.on;
        let (mon, routes) = (&mut self.monitor, &self.routes);
        let (done, clicks_from) = match t.state {
            PlayState::Stopped => {
                feed_monitor(graph, mon, routes, n, false, recording);
                (graph.process(pos, n, false, false).unwrap_or(n), None)
            }
            PlayState::CountIn { remaining, elapsed } => {
                let m = n.min(remaining as usize);
                feed_monitor(graph, mon, routes, m, true, recording);
                let done = graph.process(pos, m, false, false).unwrap_or(m);
                (done, Some((elapsed, remaining)))
            }
            PlayState::Playing => {
                let mut m = n;
                if let Some((_, le)) = graph.loop_region {
                    if pos < le {
                        m = m.min((le - pos) as usize);
                    }
                }
                feed_monitor(graph, mon, routes, m, true, recording);
                (graph.process(pos, m, true, false).unwrap_or(m), None)
            }
        };
        let (ml, mr) = graph.master(done);
        self.left[..done].copy_from_slice(ml);
        self.right[..done].copy_from_slice(mr);
        self.status.master.update(ml, mr, self.rate);
        // Copy of the mix for the loudness meter; dropped when the engine lags.
        for i in 0..done {
            self.tap_buf[2 * i] = ml[i];
            self.tap_buf[2 * i + 1] = mr[i];
        }
        let _ = self.tap.push_slice(&self.tap_buf[..done * 2]);
        match clicks_from {
            Some((elapsed, remaining)) => {
                // Count-in: one click per beat of the bar, the first accented.
                let step = graph.grid.click_samples_at(pos as f64).max(1.0);
                let mut k = (elapsed as f64 / step).ceil();
                let mut frame = 0usize;
                loop {
                    let at = (k * step).round() as u64;
                    if at >= elapsed + done as u64 {
                        break;
                    }
                    let f = (at.saturating_sub(elapsed)) as usize;
                    self.transport
                        .click
                        .render(&mut self.left[..f], &mut self.right[..f], frame);
                    frame = f;
                    self.transport.click.trigger(self.rate, k == 0.0);
                    k += 1.0;
                }
                self.transport
                    .click
                    .render(&mut self.left[..done], &mut self.right[..done], frame);
                let left = remaining - done as u64;
                self.transport.state = if left == 0 {
                    PlayState::Playing
                } else {
                    PlayState::CountIn {
                        remaining: left,
                        elapsed: elapsed + done as u64,
                    }
                };
            }
            None => {
                let ticks = if self.transport.is_playing() && self.transport.metronome {
                    Some(pos)
                } else {
                    None
                };
                self.click(done, ticks);
            }
        }
        if self.transport.is_playing() {
            let graph = self.graph.as_deref_mut();
            let t = &mut self.transport;
            t.position = pos + done as u64;
            if let Some(g) = graph {
                if let Some((ls, le)) = g.loop_region {
                    if t.position == le {
                        t.position = ls;
                        g.jump(ls, false);
                        if self.record.on {
                            self.record.pass += 1;
                        }
                    }
                }
            }
        }
        done
    }

    /// Adds the metronome over `n` frames from timeline sample `from` (None: just let a
    /// running click ring out).
    fn click(&mut self, n: usize, from: Option<u64>) {
        let mut frame = 0;
        if let (Some(pos), Some(g)) = (from, self.graph.as_deref()) {
            let mut at = pos;
            while let Some((s, accent)) = g.grid.next_click(at, pos + n as u64) {
                let f = (s - pos) as usize;
                self.transport
                    .click
                    .render(&mut self.left[..f], &mut self.right[..f], frame);
                frame = f;
                self.transport.click.trigger(self.rate, accent);
                at = s + 1;
            }
        }
        self.transport
            .click
            .render(&mut self.left[..n], &mut self.right[..n], frame);
    }

    fn handle_messages(&mut self) {
        while let Some(msg) = self.from_engine.try_pop() {
            match msg {
                ToAudio::InstallGraph(mut g) => {
                    let pos = self.transport.position;
                    if let Some(mut old) = self.graph.take() {
                        g.inherit_from(&mut old, pos);
                        self.give_back(old);
                    } else {
                        g.jump(pos, false);
                    }
                    self.status
                        .output_latency
                        .store(g.latency() as u64, Relaxed);
                    self.graph = Some(g);
                    let _ = self.to_engine.try_push(FromAudio::Installed);
                }
                ToAudio::Param(change) => {
                    if let Some(g) = self.graph.as_deref_mut() {
                        g.set_param(change);
                    }
                }
                ToAudio::Play => {
                    if !self.transport.is_rolling() {
                        let t = &mut self.transport;
                        t.play_start = t.position;
                        t.state = PlayState::Playing;
                        if let Some(g) = self.graph.as_deref_mut() {
                            if t.count_in {
                                t.state = PlayState::CountIn {
                                    remaining: g.grid.bar_samples_at(t.position as f64).max(1),
                                    elapsed: 0,
                                };
                            }
                            g.jump(t.position, false);
                        }
                    }
                }
                ToAudio::Pause => {
                    self.end_recording();
                    if self.transport.is_rolling() {
                        self.transport.state = PlayState::Stopped;
                        if let Some(g) = self.graph.as_deref_mut() {
                            g.all_notes_off();
                        }
                        let _ = self.to_engine.try_push(FromAudio::Stopped);
                    }
                }
                ToAudio::Stop => {
                    self.end_recording();
                    let t = &mut self.transport;
                    let target = if t.is_rolling() { t.play_start } else { 0 };
                    let was_rolling = t.is_rolling();
                    t.state = PlayState::Stopped;
                    t.position = target;
                    if let Some(g) = self.graph.as_deref_mut() {
                        g.all_notes_off();
                        g.jump(target, true);
                    }
                    if was_rolling {
                        let _ = self.to_engine.try_push(FromAudio::Stopped);
                    }
                }
                ToAudio::Seek(s) => {
                    self.transport.position = s;
                    if !self.transport.is_playing() {
                        self.transport.play_start = s;
                    }
                    if let Some(g) = self.graph.as_deref_mut() {
                        g.jump(s, true);
                    }
                }
                ToAudio::SetMetronome(on) => self.transport.metronome = on,
                ToAudio::SetCountIn(on) => self.transport.count_in = on,
                ToAudio::Audition {
                    track,
                    pitch,
                    velocity,
                    on,
                } => {
                    if let Some(g) = self.graph.as_deref_mut() {
                        g.audition(track, pitch, velocity, on);
                    }
                }
                ToAudio::MidiInput(rx) => {
                    if let Some(old) = std::mem::replace(&mut self.live.rx, rx) {
                        // A full queue (the engine thread gone) leaks the ring rather than
                        // free it here; a port changes far less often than the queue drains.
                        if let Err(m) = self.to_engine.try_push(FromAudio::OldMidiInput(old)) {
                            std::mem::forget(m);
                        }
                    }
                }
                ToAudio::LiveTarget(t) => self.live.target = t,
                ToAudio::LearnedCc { channel, cc, bound } => {
                    let bit = 1u128 << (cc & 127);
                    let w = &mut self.live.learned[channel as usize & 15];
                    *w = if bound { *w | bit } else { *w & !bit };
                }
                ToAudio::ClearLearned => self.live.learned = [0; 16],
                ToAudio::Record(true) => {
                    self.record = RecordState { on: true, pass: 0 };
                }
                ToAudio::Record(false) => self.end_recording(),
                ToAudio::MonitorInput(m) => {
                    if let Some(old) = std::mem::replace(&mut self.monitor, m) {
                        if let Err(m) = self.to_engine.try_push(FromAudio::OldMonitorInput(old)) {
                            std::mem::forget(m);
                        }
                    }
                }
                ToAudio::ClearMonitorRoutes => self.routes = [None; MAX_ROUTES],
                ToAudio::MonitorRoute(r) => {
                    if let Some(slot) = self.routes.iter_mut().find(|s| s.is_none()) {
                        *slot = Some(r);
                    }
                }
            }
        }
    }

    /// The frames the monitor ring delivered so far (tests and the UI).
    pub fn monitor_stats(&self) -> Option<&std::sync::Arc<super::input_monitor::MonitorStats>> {
        self.monitor.as_deref().map(MonitorInput::stats)
    }

    /// Ends a recording in progress where the playhead is and says so.
    fn end_recording(&mut self) {
        if self.record.on {
            self.record.on = false;
            let _ = self.to_engine.try_push(FromAudio::RecordEnded {
                end: self.transport.position,
                passes: self.record.pass,
            });
        }
    }

    /// Sends a graph back to the engine thread, or parks it until there is room.
    fn give_back(&mut self, g: Box<Graph>) {
        if let Err(FromAudio::OldGraph(g)) = self.to_engine.try_push(FromAudio::OldGraph(g)) {
            if let Some(slot) = self.garbage.iter_mut().find(|s| s.is_none()) {
                *slot = Some(g);
            } else {
                // Every slot is full: the engine thread has stopped listening. Leaking is
                // the only way to stay real-time safe (it cannot happen while it runs).
                std::mem::forget(g);
            }
        }
    }

    fn flush_garbage(&mut self) {
        for i in 0..GARBAGE {
            if let Some(g) = self.garbage[i].take() {
                if let Err(FromAudio::OldGraph(g)) = self.to_engine.try_push(FromAudio::OldGraph(g))
                {
                    self.garbage[i] = Some(g);
                    return;
                }
            }
        }
    }

    fn publish(&self) {
        let s = &self.status;
        s.position.store(self.transport.position, Relaxed);
        s.playing.store(self.transport.is_rolling(), Relaxed);
        let lp = self.graph.as_deref().and_then(|g| g.loop_region);
        s.loop_enabled.store(lp.is_some(), Relaxed);
        if let Some((a, b)) = lp {
            s.loop_start.store(a, Relaxed);
            s.loop_end.store(b, Relaxed);
        }
        if let Some(g) = self.graph.as_deref() {
            if g.tracks.iter().any(|t| t.underrun) {
                s.disk_underruns.fetch_add(1, Relaxed);
            }
        }
    }
}

/// Takes the next `n` frames of live input (always, so the ring never holds stale audio) and
/// hands each route's channels to its track for the block, when its mode hears the input
/// now: `rolling` is the transport moving (count-in included), `recording` a recording armed.
/// Called on the audio thread.
fn feed_monitor(
    graph: &mut Graph,
    monitor: &mut Option<Box<MonitorInput>>,
    routes: &[Option<MonitorRoute>],
    n: usize,
    rolling: bool,
    recording: bool,
) {
    let Some(m) = monitor.as_deref_mut() else {
        return;
    };
    m.take(n);
    for r in routes.iter().flatten() {
        if !r.mode.hears(rolling, recording) {
            continue;
        }
        if let Some((l, rr)) = graph.monitor_input(r.track, n) {
            m.channel_into(r.left, l);
            m.channel_into(r.right, rr);
        }
    }
}
