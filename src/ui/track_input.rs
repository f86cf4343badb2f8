//! What an audio track's input looks like on screen: its channels and monitoring as a short
//! label (`in3-4 auto`), and, while it is armed and an input is open, the level of the
//! channels it records — drawn by the arrange header and the mixer strip in place of the
//! playback meter, as DAWs do for armed tracks.

use super::engine_link::{Level, MeterView};
use crate::model::{MonitorMode, Track, TrackInput, TrackKind};

/// `in1-2` (the default: the first two), `in3`, `in3-4`, `no in`.
pub fn input_label(input: Option<TrackInput>) -> String {
    match input {
        None => "in1-2".into(),
        Some(TrackInput::None) => "no in".into(),
        Some(i) => format!("in{i}"),
    }
}

/// `auto`, `mon` (always), `off`.
pub fn monitor_label(m: MonitorMode) -> &'static str {
    match m {
        MonitorMode::Auto => "auto",
        MonitorMode::Input => "mon",
        MonitorMode::Off => "off",
    }
}

/// `in3-4 auto`: an audio track's input and monitoring.
pub fn label(t: &Track) -> String {
    format!("{} {}", input_label(t.input), monitor_label(t.monitor))
}

/// The level of the input channels an armed audio track records (a mono input on both
/// sides), while an input is open; `None` otherwise. A channel the device lacks reads 0.
pub fn input_level(t: &Track, meters: &MeterView) -> Option<Level> {
    if !t.arm || t.kind != TrackKind::Audio || meters.input.is_empty() {
        return None;
    }
    let chans = match t.input {
        Some(i) => i.channels(),
        None => crate::engine::record::default_channels(meters.input.len()),
    };
    let (&l, rest) = chans.split_first()?;
    let r = rest.first().copied().unwrap_or(l);
    let get = |c: usize| meters.input.get(c).copied().unwrap_or(0.0);
    Some(Level {
        peak: [get(l), get(r)],
        rms: [0.0; 2],
    })
}

/// The input channels the next press of the input key gives `current`, on an input of
/// `channels` channels (two when none is open): default → 1 → 2 → … → 1-2 → 3-4 → … → none.
pub fn next_input(current: Option<TrackInput>, channels: usize) -> Option<TrackInput> {
    TrackInput::cycle(current, if channels == 0 { 2 } else { channels })
}
