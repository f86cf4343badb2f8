//! Recording, as the transport sees it: not tied to MIDI, so audio recording can take the same
//! shape. The audio thread keeps a [`RecordState`] (recording or not, which loop pass) and
//! stamps what it captures with a timeline sample and a pass; the engine thread's [`Recorder`]
//! collects the captures and, when the transport stops, hands the UI one [`Recording`]: the
//! record point, where rolling started (pre-roll), where it stopped, the loop it cycled and
//! every capture. The UI turns that into clips as one edit.
//!
//! Audio: an [`AudioSession`] is the capture stream (cpal, paused until the transport
//! rolls) and the disk thread writing each armed audio track's takes; a recording that has
//! one carries the takes it wrote in [`Recording::audio`].
//!
//! Latency: a message is stamped when the port's thread gets it; the callback that drains it
//! knows its own start time and the playhead there, so the message's place on the timeline is
//! the playhead minus its age in samples ([`captured_at`]). Before a loop wrap that lands in
//! the previous pass.

use super::backend::{open_input, InputStream};
use super::capture::CaptureShared;
use super::disk_writer::{
    file_opener, DiskWriter, Latency, Placement, RecordFormat, Recorded, Take, Target, WriterSetup,
};
use super::midi_in::LiveMessage;
use crate::model::TrackId;
use std::path::PathBuf;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

/// The audio thread's record flag and loop pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordState {
    /// Captures are kept while this is set and the playhead moves.
    pub on: bool,
    /// Loop passes completed since recording started.
    pub pass: u32,
}

/// One message captured while recording (or a controller passed on for MIDI learn, with
/// `recorded` false), at a timeline sample and a loop pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Captured {
    pub sample: u64,
    pub pass: u32,
    pub msg: LiveMessage,
    pub recorded: bool,
}

/// Where a message `age` samples old lands when the block starting at the playhead `pos` is
/// processed in loop pass `pass`: `pos - age`, folded back into the previous pass when that is
/// before the loop start and a wrap happened since. Called on the audio thread.
pub fn captured_at(pos: u64, age: u64, pass: u32, loop_region: Option<(u64, u64)>) -> (u64, u32) {
    if let Some((ls, le)) = loop_region {
        if pass > 0 && pos >= ls && pos < le && pos.saturating_sub(ls) < age {
            let before = age - (pos - ls);
            return (le.saturating_sub(before).max(ls), pass - 1);
        }
    }
    (pos.saturating_sub(age), pass)
}

/// A finished recording, in samples at `rate`.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    pub rate: u32,
    /// The record point: captures before it are pre-roll and are not kept.
    pub from: u64,
    /// Where the transport started rolling (the record point minus the pre-roll).
    pub start: u64,
    /// Where the transport stopped.
    pub end: u64,
    /// The loop region the transport cycled, when it did.
    pub loop_region: Option<(u64, u64)>,
    /// Loop passes completed (0 without a loop wrap).
    pub passes: u32,
    pub events: Vec<Captured>,
    /// Audio takes written, by track (empty without armed audio tracks).
    pub audio: Vec<(TrackId, Take)>,
    /// Why audio recording stopped early or did not start, one sentence.
    pub audio_error: Option<String>,
}

/// The engine thread's collector for one recording.
#[derive(Debug)]
pub struct Recorder {
    rec: Recording,
}

impl Recorder {
    /// Starts collecting for a recording from `from`, rolling from `start`.
    pub fn new(rate: u32, from: u64, start: u64, loop_region: Option<(u64, u64)>) -> Recorder {
        Recorder {
            rec: Recording {
                rate,
                from,
                start,
                end: from,
                loop_region,
                passes: 0,
                events: Vec::new(),
                audio: Vec::new(),
                audio_error: None,
            },
        }
    }

    /// Keeps a capture.
    pub fn push(&mut self, c: Captured) {
        self.rec.events.push(c);
    }

    /// The recording, ended at `end` after `passes` loop passes.
    pub fn finish(mut self, end: u64, passes: u32) -> Recording {
        self.rec.end = end;
        self.rec.passes = passes;
        if passes == 0 {
            self.rec.loop_region = None;
        }
        self.rec
    }
}

/// How to record audio: from which device into which project, for which tracks.
pub struct AudioPlan {
    /// The project folder (takes go to its `audio/`).
    pub dir: PathBuf,
    /// The input device; the default input when absent.
    pub device: Option<String>,
    pub rate: u32,
    pub buffer_frames: Option<u32>,
    /// Frames the capture ring holds (the disk thread's slack).
    pub ring_frames: usize,
    /// The armed tracks and the input channels each records (none given: the first two).
    pub tracks: Vec<(TrackId, Target)>,
    pub format: RecordFormat,
    pub placement: Placement,
    pub latency: Latency,
    /// Frames to capture before the input stops by itself (headless); `None`: until stopped.
    pub quota: Option<u64>,
    /// A track's channels beyond the device's fail the opening (headless `tdaw record`);
    /// otherwise they record silence and [`AudioSession::warning`] says so (the TUI).
    pub strict: bool,
}

/// An audio recording in progress: the capture stream and its disk thread.
pub struct AudioSession {
    input: InputStream,
    writer: DiskWriter,
    tracks: Vec<TrackId>,
    pub shared: Arc<CaptureShared>,
    /// Channels a track asked for that the device does not have, one sentence.
    pub warning: Option<String>,
}

/// The channels of `targets` an input of `channels` channels lacks, as one sentence naming
/// the device and the channels (1-based), or `None` when every channel is there.
pub fn missing_channels(device: &str, channels: usize, targets: &[Target]) -> Option<String> {
    let missing: Vec<String> = targets
        .iter()
        .filter(|t| t.channels.iter().any(|&c| c >= channels))
        .map(|t| {
            let names: Vec<String> = t.channels.iter().map(|c| (c + 1).to_string()).collect();
            format!("'{}' records {}", t.stem, names.join("-"))
        })
        .collect();
    if missing.is_empty() {
        return None;
    }
    Some(format!(
        "the input '{device}' has {channels} channel{}: {} (set the track's input, e.g. input=1-2)",
        if channels == 1 { "" } else { "s" },
        missing.join(", ")
    ))
}

impl AudioSession {
    /// Opens the input (paused) and starts the disk thread; [`AudioSession::start`] then
    /// starts capturing. Fails with one sentence ("no audio inputs", a device that cannot
    /// be opened).
    pub fn open(plan: AudioPlan) -> Result<AudioSession, String> {
        let needed = plan
            .tracks
            .iter()
            .flat_map(|(_, t)| t.channels.iter().map(|c| c + 1))
            .max()
            .unwrap_or(0);
        let mut input = open_input(
            plan.device.as_deref(),
            plan.rate,
            plan.buffer_frames,
            plan.ring_frames,
            needed,
        )?;
        let shared = input.shared.clone();
        if let Some(q) = plan.quota {
            shared.quota.store(q, Relaxed);
        }
        let ring = input
            .ring
            .take()
            .ok_or_else(|| "the input's ring was already taken".to_string())?;
        let (tracks, mut targets): (Vec<_>, Vec<Target>) = plan.tracks.into_iter().unzip();
        for t in &mut targets {
            if t.channels.is_empty() {
                t.channels = default_channels(input.channels());
            }
        }
        let warning = missing_channels(&input.device, input.channels(), &targets);
        if let (true, Some(w)) = (plan.strict, &warning) {
            return Err(w.clone());
        }
        let writer = DiskWriter::start(
            ring,
            shared.clone(),
            WriterSetup {
                dir: plan.dir,
                targets,
                placement: plan.placement,
                latency: plan.latency,
                format: plan.format,
                opener: file_opener(),
            },
        )?;
        shared.gate.store(true, Relaxed);
        Ok(AudioSession {
            input,
            writer,
            tracks,
            shared,
            warning,
        })
    }

    /// Starts capturing: the first frame captured is the placement's `start`.
    pub fn start(&self) -> Result<(), String> {
        self.input.start()
    }

    /// The output callback's end of the input's monitoring ring (once).
    pub fn take_monitor(&mut self) -> Option<super::input_monitor::MonitorInput> {
        self.input.monitor.take()
    }

    /// The input device's name.
    pub fn device(&self) -> &str {
        &self.input.device
    }

    /// Input channels per frame.
    pub fn channels(&self) -> usize {
        self.input.channels()
    }

    /// True once the disk thread ended by itself (the quota or `until` reached, or a write
    /// error).
    pub fn is_done(&self) -> bool {
        self.writer.is_done()
    }

    /// Stops capturing, writes what is left and finalises the files.
    pub fn finish(self) -> (Vec<(TrackId, Take)>, Recorded) {
        self.shared.gate.store(false, Relaxed);
        let AudioSession {
            input,
            writer,
            tracks,
            ..
        } = self;
        // The stream stops before the last of the ring is written.
        drop(input);
        let rec = writer.finish();
        let takes = rec
            .takes
            .iter()
            .filter_map(|t| tracks.get(t.target).map(|id| (*id, t.clone())))
            .collect();
        (takes, rec)
    }
}

/// Seconds of audio the capture ring holds for the disk thread (the engine's recordings).
pub const RING_SECONDS: usize = 2;

/// A file-name stem from a track name: letters, digits, `-` and `_`, lower case.
pub fn file_stem(name: &str) -> String {
    let s: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(48)
        .collect();
    if s.trim_matches('-').is_empty() {
        "take".into()
    } else {
        s
    }
}

/// The channels a track records from an input of `channels`: the first two (one for a mono
/// input).
pub fn default_channels(channels: usize) -> Vec<usize> {
    (0..channels.clamp(1, 2)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_lands_its_age_before_the_block() {
        assert_eq!(captured_at(48_000, 480, 0, None), (47_520, 0));
        assert_eq!(captured_at(100, 480, 0, None), (0, 0));
        // 200 samples after a wrap to 96 000, a message 480 samples old was played 280
        // samples before the loop end, in the pass before.
        let lp = Some((96_000, 192_000));
        assert_eq!(captured_at(96_200, 480, 1, lp), (191_720, 0));
        assert_eq!(captured_at(96_600, 480, 1, lp), (96_120, 1));
        assert_eq!(captured_at(96_200, 480, 0, lp), (95_720, 0));
    }
}
