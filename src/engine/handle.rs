//! The UI's side of the engine and the engine thread behind it. The handle sends project
//! snapshots and commands over a channel; the engine thread's [`Planner`] turns each snapshot
//! into parameter messages (a value changed) or a graph in which only the changed tracks are
//! recompiled (the others move over from the running graph), keeps the clip streams filled
//! ahead of the playhead, frees what the callback hands back, and reports events. Status,
//! meters and the compile counters are read from shared state.

use super::backend::{self, Backend};
use super::graph::ClipMode;
use super::instrument::{find_soundfont, load_soundfont};
use super::messages::{FromAudio, ToAudio};
use super::meters::{ChannelMeter, MeterBank, SharedStatus};
use super::midi_in::{midi_queue, MidiConnection, MidiSource, MidirSource};
use super::plan::{EngineCounters, Plan, Planner};
use super::processor::Link;
use super::record::{AudioSession, Captured, Recorder, Recording};
use super::stream::{stream_pair, StreamProducer};
use super::EngineError;
use crate::analysis::LiveMeter;
use crate::model::{AutomationTarget, Project, TempoMap, TrackId, TrackKind};
use ringbuf::traits::{Consumer, Producer};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How to start the engine.
#[derive(Clone, Debug, Default)]
pub struct EngineConfig {
    /// Output device (as `tdaw devices` lists it); the default device when absent.
    pub device: Option<String>,
    /// Buffer size in frames; the device's default when absent.
    pub buffer_frames: Option<u32>,
    /// A General MIDI SoundFont; found the usual way (TDAW_SOUNDFONT, system paths) when absent.
    pub soundfont: Option<PathBuf>,
    /// Use the null backend even when a device works.
    pub force_null: bool,
}

/// What the UI asks of the transport.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineCommand {
    Play,
    Pause,
    TogglePlay,
    /// Stop and return to where playback started (at the start when already stopped).
    Stop,
    Seek {
        beat: f64,
    },
    SetMetronome(bool),
    SetCountIn(bool),
    /// Audition a note on a track's instrument (piano roll).
    Audition {
        track: TrackId,
        pitch: u8,
        velocity: u8,
        on: bool,
    },
    /// Listen to this MIDI input port (a name or a unique part of one); `None` closes it.
    MidiInput(Option<String>),
    /// Record live input from beat `from`: roll from `preroll` beats earlier (after the
    /// count-in when it is on) and keep what is played from `from` until the transport stops.
    Record {
        from: f64,
        preroll: f64,
    },
    /// Keep the audio input open while an audio track is armed (its meters, software
    /// monitoring), from `device` (the config's `[audio] input` when `None`); `on: false`
    /// closes it. Off until asked: headless commands open their own input.
    LiveInput {
        on: bool,
        device: Option<String>,
    },
}

/// What happened in the engine since the last [`EngineHandle::update`].
#[derive(Clone, Debug, PartialEq)]
pub enum EngineEvent {
    /// A project snapshot is playing: its graph was installed, or its parameter changes were
    /// queued to the audio thread, or nothing the engine plays had changed.
    Loaded,
    /// Something went wrong (a missing file, a device that went away); one sentence.
    Error(String),
    /// The transport stopped.
    Stopped,
    /// The MIDI input port now open (`None`: none), or why the one asked for is not.
    MidiInput(Result<Option<String>, String>),
    /// A controller arrived on the MIDI input (0-based channel).
    Controller { channel: u8, cc: u8, value: u8 },
    /// A controller bound by MIDI learn moved its target (of `track`, the master when `None`)
    /// to `value`, in the target's unit; the engine already plays it.
    Learned {
        track: Option<TrackId>,
        target: AutomationTarget,
        value: f64,
    },
    /// A recording ended: what was captured, in samples.
    Recorded(Box<Recording>),
}

/// The transport as the UI shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TransportStatus {
    pub playing: bool,
    pub position_samples: u64,
    pub position_beats: f64,
    pub sample_rate: u32,
    /// Time spent in the callback over the buffer's duration (0..1).
    pub dsp_load: f32,
    pub xruns: u64,
    /// Null backend: blocks processed late because the machine was busy (not xruns).
    pub late_callbacks: u64,
    pub device: String,
    /// True with the null backend: "no audio device — silent".
    pub silent: bool,
}

/// Every meter at once.
#[derive(Clone, Debug, PartialEq)]
pub struct Meters {
    pub tracks: Vec<(TrackId, ChannelMeter)>,
    /// Gain reduction in dB (≥ 0) of each compressor, gate and limiter, by effect id.
    pub gain_reduction: Vec<(crate::model::FxId, f32)>,
    pub master: ChannelMeter,
    pub momentary_lufs: Option<f64>,
    pub short_term_lufs: Option<f64>,
}

/// Messages from the handle to the engine thread.
enum Msg {
    Load(Box<Project>, PathBuf),
    Command(EngineCommand),
    Shutdown,
}

/// What the handle and the engine thread share (none of it touched by the callback, except
/// the status atomics).
struct Shared {
    status: Arc<SharedStatus>,
    meters: Mutex<Arc<MeterBank>>,
    device: Mutex<String>,
    silent: std::sync::atomic::AtomicBool,
    tempo: Mutex<TempoMap>,
    loudness: Mutex<(Option<f64>, Option<f64>)>,
    counters: Mutex<EngineCounters>,
    /// The audio input open now — armed tracks' or the recording's (its meters).
    input: Mutex<Option<Arc<super::capture::CaptureShared>>>,
    /// Its device's name.
    input_device: Mutex<Option<String>>,
    /// Its monitoring ring's counters.
    monitor_stats: Mutex<Option<Arc<super::input_monitor::MonitorStats>>>,
    /// Listeners of the master bus (`tdaw monitor`).
    monitor: Arc<super::monitor::MonitorHub>,
}

/// The engine, as the UI holds it. Dropping it stops playback and the engine thread.
pub struct EngineHandle {
    tx: Sender<Msg>,
    events: Receiver<EngineEvent>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    midi: Arc<dyn MidiSource>,
}

/// Sample rate used until a project says otherwise.
const DEFAULT_RATE: u32 = 48_000;
/// Seconds of audio each track stream holds ahead of the playhead.
const STREAM_SECONDS: f64 = 1.0;

impl EngineHandle {
    /// Starts the engine thread and the audio backend; falls back to the null backend
    /// (real-time pace, no device) when no device works — never fails for lack of a sound card.
    pub fn start(config: EngineConfig) -> Result<EngineHandle, EngineError> {
        EngineHandle::start_with_midi(config, Arc::new(MidirSource))
    }

    /// [`EngineHandle::start`] with live MIDI input from `midi` (tests give a fake source).
    pub fn start_with_midi(
        config: EngineConfig,
        midi: Arc<dyn MidiSource>,
    ) -> Result<EngineHandle, EngineError> {
        let status = Arc::new(SharedStatus::default());
        let opened = backend::open(
            config.device.as_deref(),
            config.buffer_frames,
            DEFAULT_RATE,
            config.force_null,
            status.clone(),
        );
        let shared = Arc::new(Shared {
            status,
            meters: Mutex::new(Arc::new(MeterBank::default())),
            device: Mutex::new(opened.device.clone()),
            silent: std::sync::atomic::AtomicBool::new(opened.silent),
            tempo: Mutex::new(TempoMap::default()),
            loudness: Mutex::new((None, None)),
            counters: Mutex::new(EngineCounters::default()),
            input: Mutex::new(None),
            input_device: Mutex::new(None),
            monitor_stats: Mutex::new(None),
            monitor: Arc::default(),
        });
        let (tx, rx) = mpsc::channel();
        let (etx, erx) = mpsc::channel();
        if let (Some(reason), Some(_)) = (&opened.fallback_reason, &config.device) {
            let _ = etx.send(EngineEvent::Error(format!(
                "audio device not available ({reason}); playing silently"
            )));
        }
        let mut engine = EngineThread {
            config,
            shared: shared.clone(),
            backend: Some(opened.backend),
            link: opened.link,
            pending: VecDeque::new(),
            rate: DEFAULT_RATE,
            planner: Planner::new(DEFAULT_RATE, ClipMode::Streamed),
            producers: HashMap::new(),
            soundfont: None,
            events: etx,
            project: None,
            loudness: LiveMeter::new(DEFAULT_RATE, 2),
            midi: midi.clone(),
            midi_conn: None,
            live_target: None,
            learned: Vec::new(),
            recorder: None,
            audio: None,
            count_in: false,
            live_input: None,
            armed_input: None,
            input_failed: false,
            input_opened_for: 0,
            routes: Vec::new(),
        };
        let thread = std::thread::Builder::new()
            .name("tdaw-engine".into())
            .spawn(move || engine.run(rx))
            .map_err(|e| {
                EngineError::Internal(format!("could not start the engine thread: {e}"))
            })?;
        Ok(EngineHandle {
            tx,
            events: erx,
            shared,
            thread: Some(thread),
            midi,
        })
    }

    /// Gives the engine a new snapshot of the project (after every edit). The engine thread
    /// compares it with the last one: changed values (fader, pan, mute, solo, send level,
    /// master) become parameter messages, changed tracks are recompiled and swapped in
    /// without stopping playback, and every other track plays on untouched.
    pub fn load_project(&mut self, project: &Project, root: &Path) {
        if let Ok(mut t) = self.shared.tempo.lock() {
            *t = project.tempo.clone();
        }
        let _ = self
            .tx
            .send(Msg::Load(Box::new(project.clone()), root.to_path_buf()));
    }

    /// The master bus's listeners (`tdaw monitor`): subscribe to hear it.
    pub fn monitor_hub(&self) -> Arc<super::monitor::MonitorHub> {
        self.shared.monitor.clone()
    }

    /// Sends a transport or audition command.
    pub fn send(&mut self, cmd: EngineCommand) {
        let _ = self.tx.send(Msg::Command(cmd));
    }

    /// The MIDI input ports that can be opened, or why there are none ("no MIDI input (…)").
    pub fn midi_ports(&self) -> Result<Vec<String>, String> {
        self.midi.ports().map_err(|e| e.to_string())
    }

    /// Call once per UI tick: returns what happened since the last call. (Garbage from the
    /// callback is freed continuously on the engine thread.)
    pub fn update(&mut self) -> Vec<EngineEvent> {
        self.events.try_iter().collect()
    }

    /// The transport, read from atomics.
    pub fn status(&self) -> TransportStatus {
        let s = &self.shared.status;
        let rate = s.sample_rate.load(Relaxed).max(1);
        let pos = s.position.load(Relaxed);
        let beats = self
            .shared
            .tempo
            .lock()
            .map(|t| t.sample_to_beat(pos, rate))
            .unwrap_or(0.0);
        TransportStatus {
            playing: s.playing.load(Relaxed),
            position_samples: pos,
            position_beats: beats,
            sample_rate: rate,
            dsp_load: s.dsp_load.load(),
            xruns: s.xruns.load(Relaxed),
            late_callbacks: s.late_callbacks.load(Relaxed),
            device: self
                .shared
                .device
                .lock()
                .map(|d| d.clone())
                .unwrap_or_default(),
            silent: self.shared.silent.load(Relaxed),
        }
    }

    /// What the engine did for the snapshots so far: whole compiles, tracks compiled,
    /// parameter messages sent.
    pub fn counters(&self) -> EngineCounters {
        self.shared.counters.lock().map(|c| *c).unwrap_or_default()
    }

    /// The input meters (one linear peak per input channel) while an input is open (audio
    /// tracks armed with [`EngineCommand::LiveInput`] on, or recording).
    pub fn input_peaks(&self) -> Option<Vec<f32>> {
        let input = self.shared.input.lock().ok()?;
        input.as_ref().map(|s| s.peaks())
    }

    /// The open input's device name, when one is open.
    pub fn input_device(&self) -> Option<String> {
        self.shared.input_device.lock().ok()?.clone()
    }

    /// Software monitoring's counters (underruns, overruns) while an input is open.
    pub fn monitor_stats(&self) -> Option<Arc<super::input_monitor::MonitorStats>> {
        self.shared.monitor_stats.lock().ok()?.clone()
    }

    /// Every meter, read from atomics.
    pub fn meters(&self) -> Meters {
        let bank = self
            .shared
            .meters
            .lock()
            .map(|b| b.clone())
            .unwrap_or_default();
        let (m, s) = self
            .shared
            .loudness
            .lock()
            .map(|l| *l)
            .unwrap_or((None, None));
        Meters {
            tracks: bank.tracks.iter().map(|(id, m)| (*id, m.read())).collect(),
            gain_reduction: bank
                .gain_reduction
                .iter()
                .map(|(id, g)| (*id, g.load()))
                .collect(),
            master: self.shared.status.master.read(),
            momentary_lufs: m,
            short_term_lufs: s,
        }
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The engine thread's state.
struct EngineThread {
    config: EngineConfig,
    shared: Arc<Shared>,
    backend: Option<Backend>,
    link: Link,
    /// Messages the audio queue had no room for yet.
    pending: VecDeque<ToAudio>,
    rate: u32,
    /// What the running graph was built from; decides what each snapshot costs.
    planner: Planner,
    producers: HashMap<TrackId, StreamProducer>,
    soundfont: Option<(PathBuf, Arc<rustysynth::SoundFont>)>,
    events: Sender<EngineEvent>,
    project: Option<(Box<Project>, PathBuf)>,
    /// Momentary and short-term loudness of the master output.
    loudness: LiveMeter,
    midi: Arc<dyn MidiSource>,
    /// The open MIDI input port (dropping it closes the port).
    midi_conn: Option<Box<dyn MidiConnection>>,
    /// The track the audio thread was told monitors live input.
    live_target: Option<TrackId>,
    /// The MIDI-learn bindings the audio thread was told about.
    learned: Vec<crate::model::MidiBinding>,
    /// The recording in progress.
    recorder: Option<Recorder>,
    /// Its audio input and disk thread, when audio tracks are armed.
    audio: Option<AudioSession>,
    /// The count-in is on (a recording's input starts a bar before the record point).
    count_in: bool,
    /// [`EngineCommand::LiveInput`]: `Some(device)` keeps the input open while armed.
    live_input: Option<Option<String>>,
    /// That input, while no recording has its own.
    armed_input: Option<super::backend::InputStream>,
    /// Opening it failed (said once); tried again when the arming or the device changes.
    input_failed: bool,
    /// The highest channel (1-based) an armed track named when it was opened: a track that
    /// names a higher one opens it again, with more channels.
    input_opened_for: usize,
    /// The monitor routes the callback was told about.
    routes: Vec<super::input_monitor::MonitorRoute>,
}

/// How often the engine thread wakes up to refill streams.
const TICK: Duration = Duration::from_millis(5);

impl EngineThread {
    fn run(&mut self, rx: Receiver<Msg>) {
        loop {
            match rx.recv_timeout(TICK) {
                Ok(Msg::Shutdown) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(msg) => self.handle(msg),
                Err(RecvTimeoutError::Timeout) => {}
            }
            // Take everything else that is waiting, collapsing loads that follow each other to
            // the newest. A command after a load is meant for the loaded project (an audition
            // of a track the load adds), so the load goes first: order is kept.
            let mut latest_load = None;
            loop {
                match rx.try_recv() {
                    Ok(Msg::Shutdown) => return self.shutdown(),
                    Ok(Msg::Load(p, r)) => latest_load = Some(Msg::Load(p, r)),
                    Ok(m) => {
                        if let Some(load) = latest_load.take() {
                            self.handle(load);
                        }
                        self.handle(m)
                    }
                    Err(_) => break,
                }
            }
            if let Some(m) = latest_load {
                self.handle(m);
            }
            self.service();
        }
        self.shutdown();
    }

    fn shutdown(&mut self) {
        // Stop the callback first, then free everything on this thread.
        self.backend = None;
        self.producers.clear();
    }

    fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Load(project, root) => {
                if project.sample_rate != self.rate {
                    self.restart(project.sample_rate);
                }
                self.project = Some((project, root));
                self.compile();
                self.update_live();
                self.update_input();
            }
            Msg::Command(cmd) => {
                let m = match cmd {
                    EngineCommand::Play => ToAudio::Play,
                    EngineCommand::Pause => ToAudio::Pause,
                    EngineCommand::TogglePlay => {
                        if self.shared.status.playing.load(Relaxed) {
                            ToAudio::Pause
                        } else {
                            ToAudio::Play
                        }
                    }
                    EngineCommand::Stop => ToAudio::Stop,
                    EngineCommand::Seek { beat } => {
                        let s = match &self.project {
                            Some((p, _)) => p.tempo.beat_to_sample(beat.max(0.0), self.rate),
                            None => TempoMap::default().beat_to_sample(beat.max(0.0), self.rate),
                        };
                        ToAudio::Seek(s)
                    }
                    EngineCommand::MidiInput(port) => return self.connect_midi(port),
                    EngineCommand::Record { from, preroll } => return self.record(from, preroll),
                    EngineCommand::LiveInput { on, device } => {
                        self.live_input = on.then_some(device);
                        self.input_failed = false;
                        self.close_armed_input();
                        return self.update_input();
                    }
                    EngineCommand::SetMetronome(on) => ToAudio::SetMetronome(on),
                    EngineCommand::SetCountIn(on) => {
                        self.count_in = on;
                        ToAudio::SetCountIn(on)
                    }
                    EngineCommand::Audition {
                        track,
                        pitch,
                        velocity,
                        on,
                    } => ToAudio::Audition {
                        track,
                        pitch: pitch.min(127),
                        velocity: velocity.min(127),
                        on,
                    },
                };
                self.pending.push_back(m);
            }
            Msg::Shutdown => {}
        }
    }

    /// Restarts the backend at a new rate (the graph and streams are rebuilt after).
    fn restart(&mut self, rate: u32) {
        self.backend = None;
        self.pending.clear();
        self.planner.reset(rate);
        self.producers.clear();
        self.rate = rate;
        self.loudness = LiveMeter::new(rate, 2);
        self.shared.status.position.store(0, Relaxed);
        let opened = backend::open(
            self.config.device.as_deref(),
            self.config.buffer_frames,
            rate,
            self.config.force_null,
            self.shared.status.clone(),
        );
        if let Ok(mut d) = self.shared.device.lock() {
            *d = opened.device.clone();
        }
        self.shared.silent.store(opened.silent, Relaxed);
        self.backend = Some(opened.backend);
        self.link = opened.link;
        // The new callback has no MIDI ring and knows no monitor or bindings yet.
        self.live_target = None;
        self.learned.clear();
        self.recorder = None;
        self.audio = None;
        self.close_armed_input();
        self.routes.clear();
        if let Some(port) = self.midi_conn.take().map(|c| c.port().to_string()) {
            self.connect_midi(Some(port));
        }
    }

    /// Opens `port` (closing the one open) and hands its ring to the callback.
    fn connect_midi(&mut self, port: Option<String>) {
        self.midi_conn = None;
        let Some(port) = port else {
            self.pending.push_back(ToAudio::MidiInput(None));
            let _ = self.events.send(EngineEvent::MidiInput(Ok(None)));
            return;
        };
        let (sink, rx, _) = midi_queue();
        match self.midi.connect(&port, sink) {
            Ok(conn) => {
                let name = conn.port().to_string();
                self.midi_conn = Some(conn);
                self.pending
                    .push_back(ToAudio::MidiInput(Some(Box::new(rx))));
                let _ = self.events.send(EngineEvent::MidiInput(Ok(Some(name))));
            }
            Err(e) => {
                self.pending.push_back(ToAudio::MidiInput(None));
                let _ = self.events.send(EngineEvent::MidiInput(Err(e.to_string())));
            }
        }
    }

    /// Starts recording from beat `from` with `preroll` beats of pre-roll.
    fn record(&mut self, from: f64, preroll: f64) {
        if self.recorder.is_some() {
            // One recording at a time: the transport stopping ends it.
            return;
        }
        let tempo = match &self.project {
            Some((p, _)) => p.tempo.clone(),
            None => TempoMap::default(),
        };
        let from_s = tempo.beat_to_sample(from.max(0.0), self.rate);
        let start = tempo.beat_to_sample((from - preroll.max(0.0)).max(0.0), self.rate);
        let loop_region = self.project.as_ref().and_then(|(p, _)| {
            p.loop_region
                .filter(|l| l.enabled && l.end > l.start)
                .map(|l| {
                    (
                        tempo.beat_to_sample(l.start, self.rate),
                        tempo.beat_to_sample(l.end, self.rate),
                    )
                })
        });
        self.recorder = Some(Recorder::new(self.rate, from_s, start, loop_region));
        // The recording opens the input itself (its first frame is the transport's start):
        // the armed tracks' stream closes first, and the recording's feeds the monitoring.
        let armed = self.armed_tracks();
        if !armed.is_empty() {
            self.close_armed_input();
        }
        self.audio = self.open_audio(&tempo, from_s, start, loop_region);
        if let Some(a) = &mut self.audio {
            let (monitor, ch, device) = (a.take_monitor(), a.channels(), a.device().to_string());
            if let Some(m) = monitor {
                self.set_monitor(Some(m), Some(device));
                self.send_routes(ch);
            }
        }
        self.pending.push_back(ToAudio::Stop);
        self.pending.push_back(ToAudio::Seek(start));
        self.pending.push_back(ToAudio::Record(true));
        self.pending.push_back(ToAudio::Play);
        // The input starts with the transport: its first frame is taken as the output
        // starts rolling (the count-in bar, if on, is shifted out by the placement).
        if let Some(a) = &self.audio {
            if let Err(e) = a.start() {
                let _ = self.events.send(EngineEvent::Error(format!("record: {e}")));
                self.audio = None;
            }
        }
    }

    /// Opens the input and the disk thread for the armed audio tracks (none armed: `None`;
    /// no input: `None` and one error line, and MIDI recording goes on).
    fn open_audio(
        &mut self,
        tempo: &TempoMap,
        from: u64,
        start: u64,
        loop_region: Option<(u64, u64)>,
    ) -> Option<AudioSession> {
        use super::disk_writer::{Latency, Placement, RecordFormat, Target};
        let (p, root) = self.project.as_ref()?;
        let tracks: Vec<_> = p
            .tracks
            .iter()
            .filter(|t| t.arm && t.kind == TrackKind::Audio)
            .filter(|t| t.input != Some(crate::model::TrackInput::None))
            .map(|t| {
                let stem = super::record::file_stem(&t.name);
                (
                    t.id,
                    Target {
                        // None: the first two of the device's (filled in when it is open).
                        channels: t.input.map(|i| i.channels()).unwrap_or_default(),
                        stem,
                    },
                )
            })
            .collect();
        if tracks.is_empty() {
            return None;
        }
        // The input's settings are the user's config (read when recording starts).
        let config = crate::config::Config::load().unwrap_or_default();
        let rate = self.rate;
        let count_in = if self.count_in {
            super::transport::TempoGrid::new(tempo, p.time_signature, rate)
                .bar_samples_at(start as f64)
        } else {
            0
        };
        let latency = match config.audio.input_latency_ms {
            Some(ms) if ms.is_finite() && ms >= 0.0 => {
                Latency::Fixed((ms * rate as f64 / 1000.0).round() as u64 + count_in)
            }
            _ => Latency::Measured {
                output: count_in + self.shared.status.device_latency.load(Relaxed),
            },
        };
        let format = config
            .audio
            .record_format
            .as_deref()
            .and_then(|f| RecordFormat::parse(f).ok())
            .unwrap_or_default();
        let plan = super::record::AudioPlan {
            dir: root.clone(),
            // `:input` (this session) over the config's.
            device: self
                .live_input
                .clone()
                .flatten()
                .or(config.audio.input.clone()),
            rate,
            buffer_frames: config.audio.buffer_frames,
            ring_frames: rate as usize * super::record::RING_SECONDS,
            tracks,
            format,
            placement: Placement {
                start,
                latency: 0,
                from,
                until: None,
                loop_region,
            },
            latency,
            quota: None,
            strict: false,
        };
        match AudioSession::open(plan) {
            Ok(s) => {
                if let Some(w) = &s.warning {
                    let _ = self.events.send(EngineEvent::Error(format!("record: {w}")));
                }
                if let Ok(mut i) = self.shared.input.lock() {
                    *i = Some(s.shared.clone());
                }
                Some(s)
            }
            Err(e) => {
                let _ = self.events.send(EngineEvent::Error(format!("record: {e}")));
                None
            }
        }
    }

    /// Ends the audio side of a recording: what the takes are, or why there are none.
    fn finish_audio(&mut self, rec: &mut Recording) {
        if let Ok(mut i) = self.shared.input.lock() {
            *i = None;
        }
        let Some(a) = self.audio.take() else { return };
        self.set_monitor(None, None);
        let (takes, recorded) = a.finish();
        rec.audio = takes;
        rec.audio_error = recorded.error;
        // The armed tracks' input opens again (meters, monitoring).
        self.update_input();
    }

    /// The armed audio tracks that record something.
    fn armed_tracks(&self) -> Vec<&crate::model::Track> {
        let Some((p, _)) = &self.project else {
            return Vec::new();
        };
        p.tracks
            .iter()
            .filter(|t| t.arm && t.kind == TrackKind::Audio)
            .filter(|t| t.input != Some(crate::model::TrackInput::None))
            .collect()
    }

    /// Hands the callback a monitoring ring (or none), and publishes the input's device.
    fn set_monitor(
        &mut self,
        m: Option<super::input_monitor::MonitorInput>,
        device: Option<String>,
    ) {
        if let Ok(mut s) = self.shared.monitor_stats.lock() {
            *s = m.as_ref().map(|m| m.stats().clone());
        }
        if let Ok(mut d) = self.shared.input_device.lock() {
            *d = device;
        }
        self.pending
            .push_back(ToAudio::MonitorInput(m.map(Box::new)));
    }

    fn close_armed_input(&mut self) {
        if self.armed_input.take().is_some() {
            self.set_monitor(None, None);
            if let Ok(mut i) = self.shared.input.lock() {
                *i = None;
            }
        }
    }

    /// Tells the callback which armed tracks hear which input channels of an input of
    /// `channels`, when that changed.
    fn send_routes(&mut self, channels: usize) {
        use super::input_monitor::{MonitorRoute, MAX_ROUTES};
        let routes: Vec<MonitorRoute> = self
            .armed_tracks()
            .iter()
            .filter(|t| t.monitor != crate::model::MonitorMode::Off)
            .filter_map(|t| {
                let ch = match t.input {
                    Some(i) => i.channels(),
                    None => super::record::default_channels(channels),
                };
                MonitorRoute::new(t.id, &ch, t.monitor)
            })
            .take(MAX_ROUTES)
            .collect();
        if routes != self.routes {
            self.pending.push_back(ToAudio::ClearMonitorRoutes);
            self.pending
                .extend(routes.iter().map(|r| ToAudio::MonitorRoute(*r)));
            self.routes = routes;
        }
    }

    /// Opens the input while an audio track is armed (and [`EngineCommand::LiveInput`] is
    /// on, and no recording has its own), closes it when none is; keeps the routes current.
    /// With no capture device: one error ("no audio input: …"), once.
    fn update_input(&mut self) {
        if self.audio.is_some() {
            if let Some(ch) = self.audio.as_ref().map(AudioSession::channels) {
                self.send_routes(ch);
            }
            return;
        }
        let needed = self
            .armed_tracks()
            .iter()
            .filter_map(|t| t.input.map(|i| i.highest() as usize))
            .max()
            .unwrap_or(0);
        let want = self.live_input.is_some() && !self.armed_tracks().is_empty();
        if !want {
            self.close_armed_input();
            self.input_failed = false;
            return;
        }
        if self.armed_input.is_some() && needed > self.input_opened_for {
            self.close_armed_input();
        }
        if self.armed_input.is_none() && !self.input_failed {
            self.input_opened_for = needed;
            let config = crate::config::Config::load().unwrap_or_default();
            let device = self
                .live_input
                .clone()
                .flatten()
                .or(config.audio.input.clone());
            match super::backend::open_input(
                device.as_deref(),
                self.rate,
                config.audio.buffer_frames,
                // The disk ring is unused while only armed (the gate stays closed).
                1024,
                needed,
            )
            .and_then(|mut s| {
                s.start().map(|()| {
                    let m = s.monitor.take();
                    (s, m)
                })
            }) {
                Ok((s, m)) => {
                    if let Ok(mut i) = self.shared.input.lock() {
                        *i = Some(s.shared.clone());
                    }
                    let name = s.device.clone();
                    let channels = s.channels();
                    self.armed_input = Some(s);
                    self.set_monitor(m, Some(name.clone()));
                    let targets: Vec<_> = self
                        .armed_tracks()
                        .iter()
                        .filter_map(|t| {
                            t.input.map(|i| super::disk_writer::Target {
                                channels: i.channels(),
                                stem: t.name.clone(),
                            })
                        })
                        .collect();
                    if let Some(w) = super::record::missing_channels(&name, channels, &targets) {
                        let _ = self.events.send(EngineEvent::Error(w));
                    }
                }
                Err(e) => {
                    self.input_failed = true;
                    let why = e
                        .strip_prefix(super::backend::NO_INPUTS)
                        .map(|r| r.trim_start_matches(':').trim().to_string())
                        .unwrap_or(e);
                    let _ = self.events.send(EngineEvent::Error(format!(
                        "no audio input: {why}; armed tracks are not heard or metered"
                    )));
                }
            }
        }
        if let Some(ch) = self.armed_input.as_ref().map(|s| s.channels()) {
            self.send_routes(ch);
        }
    }

    /// Tells the callback which track monitors live input (the first armed MIDI track) and
    /// which controllers MIDI learn binds, when either changed.
    fn update_live(&mut self) {
        let Some((p, _)) = &self.project else { return };
        let target = p
            .tracks
            .iter()
            .find(|t| t.arm && t.kind == TrackKind::Midi)
            .map(|t| t.id);
        if target != self.live_target {
            self.live_target = target;
            self.pending.push_back(ToAudio::LiveTarget(target));
        }
        if p.midi_learn != self.learned {
            self.learned = p.midi_learn.clone();
            self.pending.push_back(ToAudio::ClearLearned);
            for b in &self.learned {
                self.pending.push_back(ToAudio::LearnedCc {
                    channel: b.channel,
                    cc: b.cc,
                    bound: true,
                });
            }
        }
    }

    /// A capture from the callback: kept for the recording, and a controller passed to the UI
    /// (MIDI learn) and, when bound, applied to its parameter.
    fn on_capture(&mut self, c: Captured) {
        if c.recorded {
            if let Some(r) = &mut self.recorder {
                r.push(c);
            }
        }
        let super::midi_in::LiveMessage::Cc { channel, cc, value } = c.msg else {
            return;
        };
        let _ = self
            .events
            .send(EngineEvent::Controller { channel, cc, value });
        let Some((p, _)) = &self.project else { return };
        for b in p
            .midi_learn
            .iter()
            .filter(|b| b.channel == channel && b.cc == cc)
        {
            let Some(v) = super::midi_in::learned_value(p, b, value) else {
                continue;
            };
            if let Some(change) = super::midi_in::learned_change(p, b, v) {
                self.pending.push_back(ToAudio::Param(change));
                let _ = self.events.send(EngineEvent::Learned {
                    track: b.track,
                    target: b.target.clone(),
                    value: v,
                });
            }
        }
    }

    fn soundfont(&mut self) -> Option<Arc<rustysynth::SoundFont>> {
        let path = find_soundfont(self.config.soundfont.as_deref())?;
        if let Some((p, sf)) = &self.soundfont {
            if *p == path {
                return Some(sf.clone());
            }
        }
        match load_soundfont(&path) {
            Ok(sf) => {
                self.soundfont = Some((path, sf.clone()));
                Some(sf)
            }
            Err(e) => {
                let _ = self.events.send(EngineEvent::Error(e.to_string()));
                None
            }
        }
    }

    /// Takes the engine from the running graph to the current project the cheapest way.
    fn compile(&mut self) {
        let Some((project, root)) = self.project.take() else {
            return;
        };
        let sf = self.soundfont();
        let result = self.planner.plan(&project, &root, sf.as_ref());
        self.project = Some((project, root));
        if let Ok(mut c) = self.shared.counters.lock() {
            *c = self.planner.counters;
        }
        let compiled = match result {
            Ok(Plan::Graph(c)) => *c,
            Ok(Plan::Params(changes)) => {
                self.pending.extend(changes.into_iter().map(ToAudio::Param));
                let _ = self.events.send(EngineEvent::Loaded);
                return;
            }
            Ok(Plan::Nothing) => {
                let _ = self.events.send(EngineEvent::Loaded);
                return;
            }
            Err(e) => {
                let _ = self.events.send(EngineEvent::Error(e.to_string()));
                return;
            }
        };
        for p in &compiled.problems {
            let _ = self.events.send(EngineEvent::Error(p.to_string()));
        }
        let mut graph = compiled.graph;
        let playhead = self.shared.status.position.load(Relaxed);
        let playing = self.shared.status.playing.load(Relaxed);
        // A new stream starts a little ahead of a moving playhead so it is ready in time.
        let start = if playing {
            playhead + self.rate as u64 / 20
        } else {
            playhead
        };
        let mut layers: HashMap<usize, _> = compiled.layers.into_iter().collect();
        let mut producers = HashMap::new();
        for i in 0..graph.tracks.len() {
            let node = &graph.tracks[i];
            let id = node.id;
            // A kept node moves over with its stream; a rebuilt one may take the old stream.
            if node.is_kept() || node.inherit.stream {
                if let Some(p) = self.producers.remove(&id) {
                    producers.insert(id, p);
                }
            } else if let Some(layer) = layers.remove(&i) {
                let (p, c) = stream_pair(
                    layer,
                    self.rate,
                    STREAM_SECONDS,
                    start,
                    super::graph::MAX_BLOCK,
                );
                graph.set_stream(i, c);
                producers.insert(id, p);
            }
        }
        self.producers = producers;
        if let Ok(mut m) = self.shared.meters.lock() {
            *m = graph.meters.clone();
        }
        // Fill the new streams before the graph goes in.
        self.fill();
        self.pending
            .push_back(ToAudio::InstallGraph(Box::new(graph)));
    }

    /// Routine work: messages both ways, garbage, streams, the loudness tap.
    fn service(&mut self) {
        while let Some(m) = self.link.from_audio.try_pop() {
            match m {
                FromAudio::OldGraph(g) => drop(g),
                FromAudio::Installed => {
                    let _ = self.events.send(EngineEvent::Loaded);
                }
                FromAudio::Stopped => {
                    let _ = self.events.send(EngineEvent::Stopped);
                }
                FromAudio::OldMidiInput(rx) => drop(rx),
                FromAudio::OldMonitorInput(m) => drop(m),
                FromAudio::RecordEnded { end, passes } => {
                    // Captures still queued belong to the recording that just ended.
                    while let Some(c) = self.link.captures.try_pop() {
                        self.on_capture(c);
                    }
                    if let Some(r) = self.recorder.take() {
                        let mut rec = r.finish(end, passes);
                        self.finish_audio(&mut rec);
                        let _ = self.events.send(EngineEvent::Recorded(Box::new(rec)));
                    }
                }
            }
        }
        while let Some(c) = self.link.captures.try_pop() {
            self.on_capture(c);
        }
        while let Some(m) = self.pending.pop_front() {
            if let Err(m) = self.link.to_audio.try_push(m) {
                self.pending.push_front(m);
                break;
            }
        }
        self.fill();
        self.drain_tap();
        // A write error (a full disk) ended the disk thread: stop, keeping what was written.
        if self.audio.as_ref().is_some_and(AudioSession::is_done) {
            self.pending.push_back(ToAudio::Pause);
        }
        if self.backend.as_ref().is_some_and(Backend::failed) {
            let _ = self.events.send(EngineEvent::Error(
                "the audio device went away; playing silently".into(),
            ));
            self.config.force_null = true;
            let rate = self.rate;
            self.restart(rate);
            self.compile();
        }
    }

    fn fill(&mut self) {
        let mut failed = Vec::new();
        for (id, p) in self.producers.iter_mut() {
            if let Err(e) = p.fill(&self.shared.status) {
                let _ = self.events.send(EngineEvent::Error(e.to_string()));
                failed.push(*id);
            }
        }
        for id in failed {
            self.producers.remove(&id);
        }
    }

    /// Feeds the callback's copy of the master output to the loudness meter.
    fn drain_tap(&mut self) {
        let mut buf = [0.0f32; 4096];
        loop {
            let n = self.link.tap.pop_slice(&mut buf);
            if n == 0 {
                break;
            }
            self.loudness.push(&buf[..n]);
            self.shared.monitor.feed(&buf[..n], self.rate);
        }
        if let Ok(mut l) = self.shared.loudness.lock() {
            *l = (self.loudness.momentary(), self.loudness.short_term());
        }
    }
}
