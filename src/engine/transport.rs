//! Musical time on the audio thread: the tempo map compiled to samples, the transport state
//! (play, pause, stop, seek, loop, count-in) and the metronome click. Everything here is
//! built on the engine thread and then only read or updated in place by the callback.

use crate::model::{TempoMap, TimeSignature};

/// One constant-tempo stretch of the map, in samples.
#[derive(Clone, Copy, Debug)]
struct Segment {
    start_sample: f64,
    start_beat: f64,
    samples_per_beat: f64,
}

/// The tempo map in samples at one rate, with the bar and click grid of the time signature.
#[derive(Clone, Debug)]
pub struct TempoGrid {
    segments: Vec<Segment>,
    /// Quarter-note beats per click (1 for x/4, 0.5 for x/8).
    click_unit: f64,
    /// Quarter-note beats per bar.
    bar: f64,
}

impl TempoGrid {
    /// Compiles `map` at `rate` (engine thread).
    pub fn new(map: &TempoMap, sig: TimeSignature, rate: u32) -> TempoGrid {
        let segments = map
            .changes()
            .iter()
            .map(|c| Segment {
                start_sample: map.beat_to_seconds(c.beat) * rate as f64,
                start_beat: c.beat,
                samples_per_beat: 60.0 / c.bpm * rate as f64,
            })
            .collect();
        let denominator = sig.denominator.max(1) as f64;
        TempoGrid {
            segments,
            click_unit: 4.0 / denominator,
            bar: sig.quarters_per_bar().max(0.25),
        }
    }

    fn segment_at_sample(&self, s: f64) -> Segment {
        let i = self
            .segments
            .partition_point(|g| g.start_sample <= s)
            .saturating_sub(1);
        self.segments[i]
    }

    fn segment_at_beat(&self, b: f64) -> Segment {
        let i = self
            .segments
            .partition_point(|g| g.start_beat <= b)
            .saturating_sub(1);
        self.segments[i]
    }

    /// The beat at sample `s`. Called on the audio thread.
    pub fn beat_at(&self, s: f64) -> f64 {
        let g = self.segment_at_sample(s);
        g.start_beat + (s - g.start_sample) / g.samples_per_beat
    }

    /// The sample (fractional) of beat `b`. Called on the audio thread.
    pub fn sample_of(&self, b: f64) -> f64 {
        let g = self.segment_at_beat(b);
        g.start_sample + (b - g.start_beat) * g.samples_per_beat
    }

    /// The tempo in beats per minute at sample `s`. Called on the audio thread.
    pub fn bpm_at(&self, s: f64, rate: u32) -> f64 {
        60.0 * rate as f64 / self.segment_at_sample(s).samples_per_beat
    }

    /// Samples in one bar starting at sample `s` (the count-in length).
    pub fn bar_samples_at(&self, s: f64) -> u64 {
        let g = self.segment_at_sample(s);
        (g.samples_per_beat * self.bar).round() as u64
    }

    /// Samples between clicks at sample `s`.
    pub fn click_samples_at(&self, s: f64) -> f64 {
        self.segment_at_sample(s).samples_per_beat * self.click_unit
    }

    /// The first click at or after sample `from` and before `to`: (sample, is the bar's first
    /// beat). Called on the audio thread.
    pub fn next_click(&self, from: u64, to: u64) -> Option<(u64, bool)> {
        let beat = self.beat_at(from as f64);
        let mut k = (beat / self.click_unit).ceil();
        // Rounding may put the click a hair before `from`; step forward until it is not.
        for _ in 0..4 {
            let b = k * self.click_unit;
            let s = self.sample_of(b).round().max(0.0) as u64;
            if s >= from {
                if s >= to {
                    return None;
                }
                let in_bar = b / self.bar;
                let accent = (in_bar - in_bar.round()).abs() < 1e-9;
                return Some((s, accent));
            }
            k += 1.0;
        }
        None
    }
}

/// A short decaying sine: the metronome's voice. Called on the audio thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct Click {
    phase: f32,
    inc: f32,
    amp: f32,
    decay: f32,
    remaining: u32,
}

impl Click {
    /// Starts a click (accented clicks are higher and louder).
    pub fn trigger(&mut self, rate: u32, accent: bool) {
        let freq = if accent { 1760.0 } else { 1320.0 };
        self.phase = 0.0;
        self.inc = freq / rate as f32;
        self.amp = if accent { 0.5 } else { 0.3 };
        // 40 ms, decaying by 60 dB over its length.
        self.remaining = rate / 25;
        self.decay = (0.001f32).powf(1.0 / self.remaining.max(1) as f32);
    }

    /// Adds the click into both channels from `start`.
    pub fn render(&mut self, left: &mut [f32], right: &mut [f32], start: usize) {
        for i in start..left.len() {
            if self.remaining == 0 {
                return;
            }
            let s = (self.phase * std::f32::consts::TAU).sin() * self.amp;
            left[i] += s;
            right[i] += s;
            self.phase = (self.phase + self.inc).fract();
            self.amp *= self.decay;
            self.remaining -= 1;
        }
    }
}

/// What the transport is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlayState {
    /// Not moving.
    Stopped,
    /// Clicking a bar before playback starts; the playhead waits.
    CountIn { remaining: u64, elapsed: u64 },
    /// Moving.
    Playing,
}

/// The transport state owned by the Processor.
#[derive(Clone, Debug)]
pub struct Transport {
    pub state: PlayState,
    /// Playhead in samples.
    pub position: u64,
    /// Where playback last started (Stop returns here).
    pub play_start: u64,
    pub metronome: bool,
    pub count_in: bool,
    pub click: Click,
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            state: PlayState::Stopped,
            position: 0,
            play_start: 0,
            metronome: false,
            count_in: false,
            click: Click::default(),
        }
    }
}

impl Transport {
    /// True while the playhead moves.
    pub fn is_playing(&self) -> bool {
        self.state == PlayState::Playing
    }

    /// True while playing or counting in.
    pub fn is_rolling(&self) -> bool {
        self.state != PlayState::Stopped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TempoChange;

    #[test]
    fn grid_matches_the_tempo_map() {
        let map = TempoMap::from_changes(vec![
            TempoChange {
                beat: 0.0,
                bpm: 120.0,
            },
            TempoChange {
                beat: 4.0,
                bpm: 60.0,
            },
        ]);
        let g = TempoGrid::new(&map, TimeSignature::default(), 48_000);
        assert_eq!(g.sample_of(4.0), 96_000.0);
        assert_eq!(g.sample_of(5.0), 144_000.0);
        assert_eq!(g.beat_at(120_000.0), 4.5);
        assert_eq!(g.next_click(0, 10), Some((0, true)));
        assert_eq!(g.next_click(1, 30_000), Some((24_000, false)));
        assert_eq!(g.next_click(96_001, 200_000), Some((144_000, false)));
        assert_eq!(g.next_click(100_000, 144_000), None);
        assert_eq!(g.bar_samples_at(0.0), 96_000);
    }
}
