//! Numbers the audio thread publishes for the UI: the playhead, transport flags, DSP load and
//! per-channel peak/RMS meters, all as atomics (a flood of messages would not keep up, and a
//! lock could block the callback). f32 values travel as their bits in `AtomicU32`.

/// The crate's one dB conversion, for readers of [`ChannelMeter`] levels (the UI reaches the
/// engine's meters, not dsp).
pub use crate::dsp::{db_to_gain, gain_to_db};
use crate::dsp::{peak_and_energy, PeakRms};
use crate::model::{FxId, TrackId};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};

/// An f32 stored as bits.
#[derive(Debug, Default)]
pub struct AtomicF32(AtomicU32);

impl AtomicF32 {
    pub fn new(v: f32) -> Self {
        AtomicF32(AtomicU32::new(v.to_bits()))
    }
    pub fn load(&self) -> f32 {
        f32::from_bits(self.0.load(Relaxed))
    }
    pub fn store(&self, v: f32) {
        self.0.store(v.to_bits(), Relaxed)
    }
}

/// Peak and RMS of one stereo strip, linear, decaying.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ChannelMeter {
    pub peak: [f32; 2],
    pub rms: [f32; 2],
}

/// The audio thread's side of a [`ChannelMeter`].
#[derive(Debug, Default)]
pub struct MeterAtomics {
    peak: [AtomicF32; 2],
    mean_square: [AtomicF32; 2],
}

impl MeterAtomics {
    /// Folds one block into the meter (the ballistics of [`PeakRms`]: the peak falls 20 dB a
    /// second, the RMS averages over about 300 ms). Called on the audio thread.
    pub fn update(&self, left: &[f32], right: &[f32], rate: u32) {
        let n = left.len();
        for (ch, buf) in [left, right].into_iter().enumerate() {
            let (peak, energy) = peak_and_energy(buf.iter().copied());
            let was = PeakRms {
                peak: self.peak[ch].load(),
                mean_square: self.mean_square[ch].load(),
            };
            let now = was.fold(peak, energy, n, rate);
            self.peak[ch].store(now.peak);
            self.mean_square[ch].store(now.mean_square);
        }
    }

    /// The current values.
    pub fn read(&self) -> ChannelMeter {
        ChannelMeter {
            peak: [self.peak[0].load(), self.peak[1].load()],
            rms: [
                self.mean_square[0].load().sqrt(),
                self.mean_square[1].load().sqrt(),
            ],
        }
    }
}

/// The meters of one compiled graph, one per track in project order, and the gain reduction
/// (dB, ≥ 0) of every effect that reduces gain (compressor, gate, limiter).
#[derive(Debug, Default)]
pub struct MeterBank {
    pub tracks: Vec<(TrackId, MeterAtomics)>,
    pub gain_reduction: Vec<(FxId, AtomicF32)>,
}

/// Transport and backend figures shared by the audio thread, the engine thread and the UI.
#[derive(Debug, Default)]
pub struct SharedStatus {
    pub playing: AtomicBool,
    pub position: AtomicU64,
    pub sample_rate: AtomicU32,
    /// Time in process() over the buffer's duration, smoothed.
    pub dsp_load: AtomicF32,
    /// Buffers a real device under-ran (never counted by the null backend: it has none).
    pub xruns: AtomicU64,
    /// Null backend only: blocks processed more than a block later than real time (the
    /// machine was busy). Not an audible fault, so apart from `xruns`.
    pub late_callbacks: AtomicU64,
    /// Blocks where a streamed clip had no data ready (disk too slow).
    pub disk_underruns: AtomicU64,
    /// The loop the callback is following (the disk streamer predicts wraps from it).
    pub loop_enabled: AtomicBool,
    pub loop_start: AtomicU64,
    pub loop_end: AtomicU64,
    pub master: MeterAtomics,
    /// Samples by which the output lags the playhead: the latency compensation of the graph
    /// (lookahead effects). `position` stays the timeline position being processed, so the
    /// transport display does not move when a limiter is added; what is heard is this much
    /// later (a few ms).
    pub output_latency: AtomicU64,
    /// The output device's latency in frames (callback to playback, from its timestamps; 0
    /// with the null backend): part of the round trip a recording compensates.
    pub device_latency: AtomicU64,
}
