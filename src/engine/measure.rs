//! Measuring a mix for the assistant's advice: the project's graph — the same
//! [`Graph::process`] the offline render and playback run, no second mixing path — driven
//! block by block on this thread, with the master and every track's output fed straight into
//! `analysis::mix` meters. Nothing is written to disk, so a 64-track project costs 64 meters,
//! not 64 stem files. Used by `cli`/`ui` before asking the assistant for mixing advice.

use super::graph::{ClipMode, Graph, MAX_BLOCK};
use super::instrument::{find_soundfont, load_soundfont};
use super::EngineError;
use crate::analysis::mix::{MixMeter, MixReport};
use crate::model::Project;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Past the timeline's end the mix is measured while instruments ring, at most this long.
const MAX_TAIL_S: f64 = 10.0;
/// … and until it has stayed under -100 dBFS for this long (reverb and delay tails).
const QUIET_S: f64 = 0.5;
const QUIET: f32 = 1e-5;

/// Renders `project` (folder `dir`) in memory and measures the master and one stem per track
/// (project order; buses included).
pub fn mix_figures(project: &Project, dir: &Path) -> Result<MixReport, EngineError> {
    mix_figures_until(project, dir, None)
}

/// [`mix_figures`] that stops (as [`EngineError::Interrupted`]) once `cancel` is set.
pub fn mix_figures_until(
    project: &Project,
    dir: &Path,
    cancel: Option<&AtomicBool>,
) -> Result<MixReport, EngineError> {
    let rate = project.sample_rate;
    let soundfont = match find_soundfont(None) {
        Some(p) => Some(load_soundfont(&p).map_err(|e| EngineError::SoundFont(e.to_string()))?),
        None => None,
    };
    let compiled = Graph::compile(
        project,
        dir,
        rate,
        ClipMode::Direct,
        soundfont.as_ref(),
        true,
    )?;
    let mut graph = compiled.graph;
    graph.metering = false;
    if graph.end == 0 {
        return Err(EngineError::Empty);
    }
    // Latency compensation delays every path; the frames it adds at the start are skipped
    // so that the figures are those of the timeline (as the render trims its files).
    let latency = graph.latency() as u64;
    let stem_latency = graph.track_latency() as u64;
    let end = graph.end + latency;
    let max_end = end + (MAX_TAIL_S * f64::from(rate)) as u64;
    let quiet_for = (QUIET_S * f64::from(rate)) as u64;
    let effects = graph.has_effects();
    let order = graph.project_order.clone();
    let mut master = MixMeter::new(rate, 2);
    let mut stems: Vec<MixMeter> = order.iter().map(|_| MixMeter::new(rate, 2)).collect();
    let mut scratch = Vec::with_capacity(MAX_BLOCK * 2);
    let mut pos = 0u64;
    let mut quiet_since: Option<u64> = None;
    let mut unlatched = false;
    loop {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(EngineError::Interrupted);
        }
        if pos >= end {
            if !unlatched {
                graph.end_latches();
                unlatched = true;
            }
            // Without effects the mix ends with the last voice; with them, once it has been
            // quiet for a while (reverb and delay tails).
            let settled = graph.active_voices() == 0
                && (!effects || quiet_since.is_some_and(|q| pos >= q + quiet_for));
            if settled || pos >= max_end {
                break;
            }
        }
        let want = if pos < end {
            (MAX_BLOCK as u64).min(end - pos) as usize
        } else {
            MAX_BLOCK
        };
        let n = graph.process(pos, want, true, false)?;
        if n == 0 {
            return Err(EngineError::Internal("the graph made no progress".into()));
        }
        let (l, r) = graph.master(n);
        match (0..n)
            .rev()
            .find(|&i| l[i].abs() >= QUIET || r[i].abs() >= QUIET)
        {
            Some(i) => quiet_since = Some(pos + i as u64 + 1),
            None => {
                quiet_since.get_or_insert(pos);
            }
        }
        let skip = |lat: u64| (lat.saturating_sub(pos) as usize).min(n);
        let s = skip(latency);
        master.push_stereo(&l[s..], &r[s..], &mut scratch);
        let s = skip(stem_latency);
        for (meter, &i) in stems.iter_mut().zip(&order) {
            let (l, r) = graph.tracks[i].output(n);
            meter.push_stereo(&l[s..], &r[s..], &mut scratch);
        }
        pos += n as u64;
    }
    Ok(MixReport {
        sample_rate: rate,
        master: master.finish(),
        tracks: order
            .iter()
            .zip(stems)
            .map(|(&i, m)| (graph.tracks[i].name.clone(), m.finish()))
            .collect(),
    })
}
