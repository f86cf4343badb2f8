//! Every contact between the TUI and the audio engine, in one place.
//!
//! The TUI owns the project; after each edit it hands the engine a snapshot. Once per tick it
//! reads the transport position and the meters (cheap atomics on the engine side) into plain
//! values the views draw. With no engine the project is shown as "no audio device — silent".

use crate::engine::{EngineCommand, EngineConfig, EngineEvent, EngineHandle};
use crate::model::{Project, TrackId};
use std::collections::HashMap;
use std::path::Path;

/// What the top bar shows about the transport.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TransportView {
    pub playing: bool,
    /// Playhead in beats.
    pub beat: f64,
    /// Share of the audio period spent processing, 0..1.
    pub dsp_load: f32,
    pub xruns: u64,
    /// Null backend: late callbacks (shown as `late N` in place of the xruns it cannot have).
    pub late: u64,
    /// The output device; `None` when there is no engine at all.
    pub device: Option<String>,
    /// True when no device plays (the null backend keeps time silently).
    pub silent: bool,
    /// Who hears the master bus through `tdaw listen`, and the latency they measured.
    pub listening: String,
}

/// Peak and RMS of one channel strip, linear.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Level {
    pub peak: [f32; 2],
    pub rms: [f32; 2],
}

/// What the meters show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MeterView {
    pub tracks: HashMap<TrackId, Level>,
    pub master: Level,
    pub momentary_lufs: Option<f64>,
    pub short_term_lufs: Option<f64>,
    /// Gain reduction in dB (≥ 0, to 0.5 dB) of each compressor, gate and limiter.
    pub gain_reduction: HashMap<crate::model::FxId, f32>,
    /// The audio input's peak per channel (linear, to 0.5 dB) while one is open (an audio
    /// track armed, or recording); empty without.
    pub input: Vec<f32>,
}

/// A transport request from the UI.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Transport {
    /// Start playing from a beat.
    PlayFrom(f64),
    /// Start playing from where the playhead is (where it was paused or stopped).
    Resume,
    Pause,
    /// Stop and return to where playback started (when already stopped: to the start).
    Stop,
    Seek(f64),
    /// Sound (or release) a pitch on a track's instrument.
    Audition {
        track: TrackId,
        pitch: u8,
        velocity: u8,
        on: bool,
    },
}

/// The TUI's handle on the engine: absent when no engine was started (tests, benchmarks).
#[derive(Default)]
pub struct EngineLink {
    handle: Option<EngineHandle>,
    /// Live MIDI: the port, MIDI learn, recording.
    pub midi: super::live_state::LiveMidi,
    /// The engine's MIDI news since the last [`EngineLink::take_news`].
    news: Vec<EngineEvent>,
    /// The socket `tdaw monitor` attaches to (none when another session serves it); held for
    /// its drop, which closes it.
    _monitor: Option<crate::engine::monitor::SocketServer>,
}

impl EngineLink {
    /// No engine: nothing plays, the top bar says so.
    pub fn none() -> EngineLink {
        let mut link = EngineLink::default();
        link.midi.problem = Some("no MIDI input (no audio engine is running)".into());
        link
    }

    /// The link to a running engine; opens the first MIDI input port there is, or notes why
    /// there is none.
    fn with(handle: EngineHandle) -> EngineLink {
        let monitor = crate::engine::monitor::SocketServer::start(handle.monitor_hub()).ok();
        let mut link = EngineLink {
            handle: Some(handle),
            _monitor: monitor,
            ..EngineLink::default()
        };
        match link.midi_ports() {
            Ok(ports) if !ports.is_empty() => link.midi_input(Some(ports[0].clone())),
            Ok(_) => link.midi.problem = Some("no MIDI input (no ports)".into()),
            Err(e) => link.midi.problem = Some(e),
        }
        link
    }

    /// The MIDI input ports, or why there are none.
    pub fn midi_ports(&self) -> Result<Vec<String>, String> {
        match &self.handle {
            Some(h) => h.midi_ports(),
            None => Err("no MIDI input (no audio engine is running)".into()),
        }
    }

    /// Opens a MIDI input port (`None` closes it); the outcome arrives as news.
    pub fn midi_input(&mut self, port: Option<String>) {
        if let Some(h) = &mut self.handle {
            h.send(EngineCommand::MidiInput(port));
        }
    }

    /// Starts recording live input from beat `from`, rolling `preroll` beats earlier.
    pub fn record(&mut self, from: f64, preroll: f64) -> Result<(), String> {
        let Some(h) = &mut self.handle else {
            return Err("no audio engine is running: nothing can record".into());
        };
        h.send(EngineCommand::Record { from, preroll });
        Ok(())
    }

    /// The engine's MIDI news (ports, controllers, learned moves, recordings) since last time.
    pub fn take_news(&mut self) -> Vec<EngineEvent> {
        std::mem::take(&mut self.news)
    }

    /// Starts the engine with the user's audio settings. It falls back to the null backend
    /// (silent, real-time pace) when no device works, so this fails only when the engine thread
    /// cannot start at all.
    pub fn start(config: &crate::config::Config) -> Result<EngineLink, String> {
        let handle = EngineHandle::start(EngineConfig {
            device: config.audio.device.clone(),
            buffer_frames: config.audio.buffer_frames,
            soundfont: config.soundfont.clone(),
            force_null: false,
        })
        .map_err(|e| e.to_string())?;
        let mut link = EngineLink::with(handle);
        // The TUI keeps the input open while an audio track is armed (meters, monitoring).
        link.live_input(true, None);
        Ok(link)
    }

    /// Keeps the audio input open while an audio track is armed (`on`), from `device` (the
    /// config's `[audio] input` when `None`); the outcome arrives as an error line when no
    /// input can be opened.
    pub fn live_input(&mut self, on: bool, device: Option<String>) {
        if let Some(h) = &mut self.handle {
            h.send(EngineCommand::LiveInput { on, device });
        }
    }

    /// The audio input open now, by device name.
    pub fn input_device(&self) -> Option<String> {
        self.handle.as_ref().and_then(EngineHandle::input_device)
    }

    /// An engine that is already running (tests start one on the silent null backend).
    pub fn from_handle(handle: EngineHandle) -> EngineLink {
        EngineLink::with(handle)
    }

    /// Turns the metronome click and the count-in on or off. Without an engine there is
    /// nothing to tell (the App keeps the setting for the top bar).
    pub fn set_click(&mut self, metronome: bool, count_in: bool) {
        if let Some(h) = &mut self.handle {
            h.send(EngineCommand::SetMetronome(metronome));
            h.send(EngineCommand::SetCountIn(count_in));
        }
    }

    /// Whether an engine is running.
    pub fn is_running(&self) -> bool {
        self.handle.is_some()
    }

    /// Hands the engine a new snapshot of the project (after every edit).
    pub fn load_project(&mut self, project: &Project, root: &Path) {
        if let Some(h) = &mut self.handle {
            h.load_project(project, root);
        }
    }

    /// Sends a transport request. Returns an error sentence when nothing can play.
    pub fn transport(&mut self, t: Transport) -> Result<(), String> {
        let Some(h) = &mut self.handle else {
            return Err("no audio engine is running: nothing can play".into());
        };
        match t {
            Transport::PlayFrom(beat) => {
                h.send(EngineCommand::Seek { beat });
                h.send(EngineCommand::Play);
            }
            Transport::Resume => h.send(EngineCommand::Play),
            Transport::Pause => h.send(EngineCommand::Pause),
            Transport::Stop => h.send(EngineCommand::Stop),
            Transport::Seek(beat) => h.send(EngineCommand::Seek { beat }),
            Transport::Audition {
                track,
                pitch,
                velocity,
                on,
            } => h.send(EngineCommand::Audition {
                track,
                pitch,
                velocity,
                on,
            }),
        }
        Ok(())
    }

    /// Called once per UI tick: the engine's news (errors to show) and its current state.
    pub fn poll(&mut self) -> (Vec<String>, TransportView, MeterView) {
        let Some(h) = &mut self.handle else {
            return (Vec::new(), TransportView::default(), MeterView::default());
        };
        let mut errors = Vec::new();
        for e in h.update() {
            match e {
                EngineEvent::Error(s) => errors.push(s),
                EngineEvent::Loaded | EngineEvent::Stopped => {}
                news => self.news.push(news),
            }
        }
        let s = h.status();
        let transport = TransportView {
            playing: s.playing,
            beat: s.position_beats,
            // Shown as a whole percentage; rounding keeps an idle screen from redrawing.
            dsp_load: (s.dsp_load * 100.0).round() / 100.0,
            xruns: s.xruns,
            late: s.late_callbacks,
            device: Some(s.device),
            silent: s.silent,
            listening: listening_label(&h.monitor_hub().listeners()),
        };
        let m = h.meters();
        let level = |c: &crate::engine::ChannelMeter| Level {
            peak: c.peak.map(quantize),
            rms: c.rms.map(quantize),
        };
        let meters = MeterView {
            tracks: m.tracks.iter().map(|(id, c)| (*id, level(c))).collect(),
            master: level(&m.master),
            momentary_lufs: m.momentary_lufs.map(|v| (v * 10.0).round() / 10.0),
            short_term_lufs: m.short_term_lufs.map(|v| (v * 10.0).round() / 10.0),
            // Rounded like the levels, so a steady reduction does not keep the screen redrawing.
            gain_reduction: m
                .gain_reduction
                .iter()
                .map(|(id, gr)| (*id, (gr.max(0.0) * 2.0).round() / 2.0))
                .collect(),
            input: h
                .input_peaks()
                .map(|p| p.into_iter().map(quantize).collect())
                .unwrap_or_default(),
        };
        (errors, transport, meters)
    }
}

/// Meter levels to 0.5 dB steps (finer than a meter cell shows), and silence below -60 dB
/// (the bottom of every meter), so that decaying meters stop changing — and the screen stops
/// redrawing — once quiet.
fn quantize(v: f32) -> f32 {
    if v.is_nan() || v < 0.001 {
        return 0.0;
    }
    let db = (crate::engine::meters::gain_to_db(v) * 2.0).round() / 2.0;
    crate::engine::meters::db_to_gain(db)
}

/// A `:render` running as a job, so the TUI stays responsive; Esc, Ctrl-C or quitting
/// cancels it.
#[derive(Debug)]
pub struct RenderJob {
    /// The job: its progress and end arrive as job events with this id.
    pub id: super::jobs::JobId,
    /// Where the mix goes.
    pub out: std::path::PathBuf,
    /// A cancel was asked for (the status line says so until the render ends).
    pub cancelling: bool,
}

impl RenderJob {
    /// Starts rendering a snapshot of the project to `out` (24-bit WAV at the project rate).
    pub fn start(
        project: &Project,
        root: &Path,
        out: &Path,
        soundfont: Option<std::path::PathBuf>,
        jobs: &mut super::jobs::Jobs,
    ) -> Result<RenderJob, String> {
        use super::jobs::{JobKind, JobOutput, RenderEnd};
        let (project, root, out_path) = (project.clone(), root.to_path_buf(), out.to_path_buf());
        let id = jobs.spawn(JobKind::Render, move |ctx| {
            let opts = crate::engine::RenderOptions {
                soundfont,
                ..Default::default()
            };
            let control = crate::engine::RenderControl {
                stems_dir: None,
                cancel: Some(ctx.cancel_flag()),
            };
            let r = crate::engine::render_to_file(
                &project,
                &root,
                &out_path,
                &opts,
                &control,
                &mut |f| ctx.progress(f.clamp(0.0, 1.0)),
            );
            let end = match r {
                Ok(r) => RenderEnd::Done(format!(
                    "Rendered {} ({:.1} s, peak {:.1} dBFS{}{})",
                    r.path.display(),
                    r.seconds,
                    r.peak_dbfs,
                    r.integrated_lufs
                        .map_or(String::new(), |l| format!(", {l:.1} LUFS")),
                    if r.clipped { ", CLIPPED" } else { "" }
                )),
                Err(crate::engine::EngineError::Interrupted) => RenderEnd::Cancelled,
                Err(e) => {
                    RenderEnd::Failed(format!("render to '{}' failed: {e}", out_path.display()))
                }
            };
            ctx.send(JobOutput::Render(end));
        })?;
        Ok(RenderJob {
            id,
            out: out.to_path_buf(),
            cancelling: false,
        })
    }
}

/// `listening: ana@10.0.0.5 43 ms` (one listener) or `listening: 2, 43 ms` (the worst latency).
fn listening_label(ls: &[crate::engine::monitor::ListenerInfo]) -> String {
    let worst = ls
        .iter()
        .filter_map(|l| l.latency_ms)
        .fold(None, |a: Option<f64>, b| Some(a.map_or(b, |a| a.max(b))));
    let ms = worst.map_or(String::new(), |m| format!(" {:.0} ms", m.round()));
    match ls {
        [] => String::new(),
        [one] => format!("listening: {}{ms}", one.name),
        _ => format!("listening: {}{}", ls.len(), ms.replacen(' ', ", ", 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::listening_label;
    use crate::engine::monitor::ListenerInfo;

    fn l(name: &str, ms: Option<f64>) -> ListenerInfo {
        ListenerInfo {
            id: 1,
            name: name.into(),
            latency_ms: ms,
        }
    }

    #[test]
    fn the_top_bar_names_one_listener_or_counts_several_with_the_worst_latency() {
        assert_eq!(listening_label(&[]), "");
        assert_eq!(
            listening_label(&[l("ana@10.0.0.5", None)]),
            "listening: ana@10.0.0.5"
        );
        assert_eq!(
            listening_label(&[l("ana@10.0.0.5", Some(42.6))]),
            "listening: ana@10.0.0.5 43 ms"
        );
        assert_eq!(
            listening_label(&[l("a", Some(30.0)), l("b", Some(51.2))]),
            "listening: 2, 51 ms"
        );
    }
}
