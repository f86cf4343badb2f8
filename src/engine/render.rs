//! Offline render: the project's graph driven as fast as the machine allows (tracks on two
//! threads), written to WAV (RF64 past 4 GiB) at 16 (TPDF-dithered), 24 or 32-bit float, or to
//! FLAC at 16 or 24 bits, chosen by the output's extension; optionally one stem per track,
//! optionally at another sample rate (the mix is resampled with rubato). The same
//! [`Graph::process`] as live playback — there is no second mixing path.
//!
//! Every file is written to a hidden temporary beside its final name and renamed only when the
//! whole render succeeded: an error or an interruption removes the temporaries and leaves an
//! older render under the final name untouched.

use super::graph::{ClipMode, Graph, Pipeline, MAX_BLOCK};
use super::instrument::{find_soundfont, load_soundfont};
use super::EngineError;
use crate::analysis::loudness::{LoudnessAnalyzer, LoudnessResult};
use crate::codec::{FlacStream, WavFormat, WavStream};
use crate::model::Project;
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler};
use std::collections::VecDeque;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Sample format of a rendered file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitDepth {
    /// 16-bit integer with TPDF dither.
    I16,
    /// 24-bit integer.
    I24,
    /// 32-bit float (bit-exact to the mix).
    F32,
}

/// File format of a render, from the output's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// `.wav` (RF64 past 4 GiB).
    Wav,
    /// `.flac`, 16 or 24-bit.
    Flac,
}

impl FileFormat {
    /// The format `path`'s extension names, or why it cannot be written at `depth`.
    pub fn for_output(path: &Path, depth: BitDepth) -> Result<FileFormat, EngineError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        let format = match ext.as_deref() {
            Some("wav") => FileFormat::Wav,
            Some("flac") => FileFormat::Flac,
            other => {
                let what = other.map_or("a file without an extension".to_string(), |e| {
                    format!(".{e} files")
                });
                return Err(EngineError::Invalid(format!(
                    "{}: tdaw cannot write {what}; render to .wav or .flac",
                    path.display()
                )));
            }
        };
        if format == FileFormat::Flac && depth == BitDepth::F32 {
            return Err(EngineError::Invalid(format!(
                "{}: FLAC holds 16 or 24-bit samples, not 32-bit float; use --bit-depth 16 or \
                 24, or render to .wav",
                path.display()
            )));
        }
        Ok(format)
    }

    /// The extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Wav => "wav",
            FileFormat::Flac => "flac",
        }
    }
}

/// How to render.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub bit_depth: BitDepth,
    /// Output rate; the project's when `None`.
    pub sample_rate: Option<u32>,
    /// Also write one file per track (next to the output, or into [`RenderControl::stems_dir`]).
    pub stems: bool,
    /// A General MIDI SoundFont; found the usual way when `None`.
    pub soundfont: Option<PathBuf>,
}

/// Where stems go and how a render is stopped: beside [`RenderOptions`] (whose fields callers
/// spell out) so that adding to it breaks no caller.
#[derive(Clone, Debug, Default)]
pub struct RenderControl<'a> {
    /// The folder for stems (created when missing); next to the output when `None`.
    pub stems_dir: Option<PathBuf>,
    /// Set (e.g. by a SIGINT handler) to stop the render; it then fails as
    /// [`EngineError::Interrupted`] and leaves no file behind.
    pub cancel: Option<&'a AtomicBool>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            bit_depth: BitDepth::I24,
            sample_rate: None,
            stems: false,
            soundfont: None,
        }
    }
}

/// The hidden temporary a render writes before renaming it to `out`: `.NAME.tmp-PID` beside it.
pub fn temp_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "render".into());
    out.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Temporaries not yet renamed; removed when dropped (an error, a panic, an interruption).
struct Temps(Vec<PathBuf>);

impl Drop for Temps {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// What a render produced.
#[derive(Clone, Debug)]
pub struct RenderReport {
    pub path: PathBuf,
    /// Stem files, in project track order.
    pub stems: Vec<PathBuf>,
    /// Frames written (at the output rate).
    pub frames: u64,
    pub sample_rate: u32,
    pub seconds: f64,
    /// Sample peak of the mix in dBFS (-inf for silence).
    pub peak_dbfs: f64,
    /// True when the mix went over full scale (integer files are clipped there).
    pub clipped: bool,
    /// Integrated loudness of the mix (EBU R128), LUFS; `None` for silence.
    pub integrated_lufs: Option<f64>,
}

/// The render goes on after the last clip while instruments ring, at most this long.
const MAX_TAIL_S: f64 = 30.0;
/// Render threads at most (more than a few add nothing to a pipeline three blocks deep).
const MAX_THREADS: usize = 8;
/// Silence kept after the instruments go quiet.
const TAIL_MARGIN_S: f64 = 0.1;
/// With effects, the render ends once the mix has stayed below this level (-100 dBFS) …
const TAIL_QUIET: f32 = 1e-5;
/// … for this long (reverb and delay tails are in the file).
const TAIL_QUIET_S: f64 = 0.5;

/// Renders `project` (folder `root`) to `out` (WAV or FLAC by its extension). `progress` gets
/// 0..1 now and then.
pub fn render_to_wav(
    project: &Project,
    root: &Path,
    out: &Path,
    opts: &RenderOptions,
    progress: &mut dyn FnMut(f32),
) -> Result<RenderReport, EngineError> {
    render_to_file(
        project,
        root,
        out,
        opts,
        &RenderControl::default(),
        progress,
    )
}

/// [`render_to_wav`] with a stems folder and a way to stop.
pub fn render_to_file(
    project: &Project,
    root: &Path,
    out: &Path,
    opts: &RenderOptions,
    control: &RenderControl<'_>,
    progress: &mut dyn FnMut(f32),
) -> Result<RenderReport, EngineError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_THREADS));
    render_on(project, root, out, opts, control, threads, progress)
}

/// [`render_to_file`] on `threads` threads. With one, the graph is processed block by block
/// ([`Graph::process`]) on this thread; with more, the sources of a block run on all of them
/// and blocks overlap in a [`Pipeline`], to the same samples (the tests hold it to that).
fn render_on(
    project: &Project,
    root: &Path,
    out: &Path,
    opts: &RenderOptions,
    control: &RenderControl<'_>,
    threads: usize,
    progress: &mut dyn FnMut(f32),
) -> Result<RenderReport, EngineError> {
    let rate = project.sample_rate;
    let out_rate = opts.sample_rate.unwrap_or(rate);
    if !(8_000..=384_000).contains(&out_rate) {
        return Err(EngineError::Invalid(format!(
            "sample rate {out_rate} Hz is out of range (8000–384000)"
        )));
    }
    let format = FileFormat::for_output(out, opts.bit_depth)?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            return Err(EngineError::Write {
                path: out.to_path_buf(),
                message: "the folder does not exist".into(),
            });
        }
    }
    if out.is_dir() {
        return Err(EngineError::Write {
            path: out.to_path_buf(),
            message: "it is a folder; name a file".into(),
        });
    }
    let soundfont = match opts.soundfont.as_deref() {
        Some(p) => Some(load_soundfont(p).map_err(|e| EngineError::SoundFont(e.to_string()))?),
        None => match find_soundfont(None) {
            Some(p) => Some(load_soundfont(&p).map_err(|e| EngineError::SoundFont(e.to_string()))?),
            None => None,
        },
    };
    let compiled = Graph::compile(
        project,
        root,
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
    // Latency compensation delays every path equally; the file is trimmed by that much so
    // it is aligned to the timeline (stems lack only the master chain's latency).
    let latency = graph.latency() as u64;
    let stem_latency = graph.track_latency() as u64;
    let end = graph.end + latency;
    let effects = graph.has_effects();
    let mut temps = Temps(Vec::new());
    temps.0.push(temp_path(out));
    let mut mix = FileOut::create(out, &temps.0[0], format, opts.bit_depth, rate, out_rate, 1)?;
    mix.loudness = LoudnessAnalyzer::new(out_rate, 2).ok();
    // Output 0 is the mix, then one per stem (track index in the graph).
    let mut outs = vec![mix];
    let mut stem_tracks = Vec::new();
    if opts.stems {
        let stem_base = match &control.stems_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| EngineError::Write {
                    path: dir.clone(),
                    message: format!("could not create the stems folder: {e}"),
                })?;
                dir.join(out.file_name().unwrap_or_else(|| "render".as_ref()))
            }
            None => out.to_path_buf(),
        };
        for (k, &i) in graph.project_order.iter().enumerate() {
            let path = stem_path(&stem_base, k + 1, &graph.tracks[i].name, format);
            let temp = temp_path(&path);
            temps.0.push(temp.clone());
            outs.push(FileOut::create(
                &path,
                &temp,
                format,
                opts.bit_depth,
                rate,
                out_rate,
                2 + k as u64,
            )?);
            stem_tracks.push(i);
        }
    }
    let n_outs = outs.len();
    let max_end = end + (MAX_TAIL_S * rate as f64) as u64;
    let margin = if effects {
        ((TAIL_QUIET_S + longest_gap_s(project)) * rate as f64) as u64
    } else {
        (TAIL_MARGIN_S * rate as f64) as u64
    };
    progress(0.0);
    // The render pool: this thread drives it; with one thread the graph is processed block
    // by block right here.
    let pool = (threads > 1)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .thread_name(|i| format!("tdaw-render-{i}"))
                .build()
                .ok()
        })
        .flatten();
    // Encoding, writing and metering of a block run as a task beside the graph's next step
    // on the same threads (no third thread to take a core from a step's slowest task).
    let pipe = (pool.is_some() && graph.can_pipeline()).then(|| graph.pipeline());
    let mut r = Renderer {
        sources: graph.sources(),
        graph: &mut graph,
        pipe,
        pending: VecDeque::new(),
        parallel: pool.is_some(),
        cancel: control.cancel,
        outs,
        ready: None,
        spare: Vec::new(),
        n_outs,
        stem_tracks,
        latency,
        stem_latency,
        end,
        max_end,
        margin,
        effects,
        pos: 0,
        quiet_since: None,
        silent_since: None,
        unlatched: false,
    };
    let rendered = loop {
        // About a second of audio at a time; progress is reported between the stretches.
        let stretch = match &pool {
            Some(p) => p.install(|| r.advance(rate as u64)),
            None => r.advance(rate as u64),
        };
        match stretch {
            Ok(false) => progress((r.pos as f64 / end as f64).min(1.0) as f32),
            Ok(true) => break r.flush(),
            Err(e) => break Err(e),
        }
    };
    rendered?;
    let outs = std::mem::take(&mut r.outs);
    drop(r);
    let mut outs = outs.into_iter();
    let mix = outs
        .next()
        .ok_or_else(|| EngineError::Internal("no mix output".into()))?;
    let mut stem_paths = Vec::new();
    for w in outs {
        stem_paths.push(w.path.clone());
        w.finish()?;
    }
    let peak = mix.peak;
    let path = mix.path.clone();
    let (written, loudness) = mix.finish()?;
    if control.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
        return Err(EngineError::Interrupted);
    }
    // Everything is on disk: only now do the final names change.
    for (temp, fin) in temps
        .0
        .iter()
        .zip(std::iter::once(&path).chain(&stem_paths))
    {
        std::fs::rename(temp, fin).map_err(|e| EngineError::Write {
            path: fin.clone(),
            message: e.to_string(),
        })?;
    }
    temps.0.clear();
    progress(1.0);
    Ok(RenderReport {
        path,
        stems: stem_paths,
        frames: written,
        sample_rate: out_rate,
        seconds: written as f64 / out_rate as f64,
        peak_dbfs: crate::dsp::gain_to_db(f64::from(peak)),
        clipped: peak > 1.0,
        integrated_lufs: loudness.and_then(|l| l.integrated),
    })
}

/// The frames of one block for the writer: the mix, then one stem per track.
type Block = Vec<(Vec<f32>, Vec<f32>)>;

/// `dst` = the block at `pos` of one output, without what falls in its first `skip` frames
/// (the latency: not in the file).
fn fill(dst: &mut (Vec<f32>, Vec<f32>), skip: u64, pos: u64, (l, r): (&[f32], &[f32])) {
    let from = (skip.saturating_sub(pos) as usize).min(l.len());
    dst.0.clear();
    dst.0.extend_from_slice(&l[from..]);
    dst.1.clear();
    dst.1.extend_from_slice(&r[from..]);
}

/// The render loop between two progress reports: it drives the graph (block by block, or a
/// pipeline of overlapping blocks up to the timeline's end) and hands each block to the
/// writer thread.
struct Renderer<'a> {
    graph: &'a mut Graph,
    /// Until the timeline's end, when blocks may overlap (several threads, no effect keyed
    /// from a bus). Past the end, the length of each block depends on the mix before it.
    pipe: Option<Pipeline>,
    /// Blocks in the pipeline, not yet sent: their position, frames and outputs so far.
    pending: VecDeque<(u64, Block)>,
    /// The sources run on the render pool's threads.
    parallel: bool,
    cancel: Option<&'a AtomicBool>,
    /// The files: the mix, then the stems.
    outs: Vec<FileOut>,
    /// The last block made, written beside the next step.
    ready: Option<Block>,
    /// Blocks written, to reuse.
    spare: Vec<Block>,
    n_outs: usize,
    /// The graph node of each stem, in output order.
    stem_tracks: Vec<usize>,
    /// Nodes before this index are sources, the rest buses.
    sources: usize,
    latency: u64,
    stem_latency: u64,
    end: u64,
    max_end: u64,
    margin: u64,
    effects: bool,
    /// The next block's position.
    pos: u64,
    quiet_since: Option<u64>,
    /// With effects: where the mix last went below -100 dBFS and stayed there.
    silent_since: Option<u64>,
    /// Latched arpeggiators were let go at the timeline's end (else they would play on to
    /// the 30 s tail cap).
    unlatched: bool,
}

impl Renderer<'_> {
    /// Renders about `budget` frames; true once the render is over (the last block is then
    /// left in `ready`, for [`Renderer::flush`]).
    fn advance(&mut self, budget: u64) -> Result<bool, EngineError> {
        let until = self.pos + budget;
        if let Some(mut pipe) = self.pipe.take() {
            let over = self.advance_pipelined(&mut pipe, until)?;
            if !pipe.is_empty() || self.pos < self.end {
                self.pipe = Some(pipe);
            }
            if over || self.pos >= until {
                return Ok(over);
            }
        }
        while self.pos < until {
            if self.cancelled() {
                return Err(EngineError::Interrupted);
            }
            let Some(n) = self.next_len() else {
                return Ok(true);
            };
            let (pos, parallel) = (self.pos, self.parallel);
            let done = self.beside_write(|g| g.process(pos, n as usize, true, parallel))?;
            let (l, r) = self.graph.master(done);
            track_quiet(self.effects, &mut self.silent_since, pos, l, r);
            let mut block = self.fresh_block();
            fill(&mut block[0], self.latency, pos, self.graph.master(done));
            for (k, &i) in self.stem_tracks.iter().enumerate() {
                fill(
                    &mut block[k + 1],
                    self.stem_latency,
                    pos,
                    self.graph.tracks[i].output(done),
                );
            }
            self.ready = Some(block);
            self.pos += done as u64;
        }
        Ok(false)
    }

    /// The pipelined part of [`Renderer::advance`]: blocks before the timeline's end, whose
    /// lengths do not depend on the mix, until `until` or until the pipeline is drained.
    fn advance_pipelined(&mut self, pipe: &mut Pipeline, until: u64) -> Result<bool, EngineError> {
        loop {
            if self.cancelled() {
                return Err(EngineError::Interrupted);
            }
            let next = (self.pos < self.end).then(|| {
                (
                    self.pos,
                    (MAX_BLOCK as u64).min(self.end - self.pos) as usize,
                )
            });
            if next.is_none() && pipe.is_empty() {
                return Ok(false);
            }
            let done = self.beside_write(|g| g.step(pipe, next, true))?;
            if let Some((pos, n)) = pipe.sourced() {
                let mut block = self.fresh_block();
                for (k, &i) in self.stem_tracks.iter().enumerate() {
                    if i < self.sources {
                        let out = self.graph.tracks[i].output(n);
                        fill(&mut block[k + 1], self.stem_latency, pos, out);
                    }
                }
                self.pending.push_back((pos, block));
            }
            if let Some((pos, n)) = pipe.bused() {
                if let Some((_, block)) = self.pending.iter_mut().find(|(p, _)| *p == pos) {
                    for (k, &i) in self.stem_tracks.iter().enumerate() {
                        if i >= self.sources {
                            let out = self.graph.tracks[i].output(n);
                            fill(&mut block[k + 1], self.stem_latency, pos, out);
                        }
                    }
                }
            }
            if let Some((pos, l, r)) = pipe.finished() {
                track_quiet(self.effects, &mut self.silent_since, pos, l, r);
                let Some((_, mut block)) = self.pending.pop_front() else {
                    return Err(EngineError::Internal(
                        "a rendered block went missing".into(),
                    ));
                };
                fill(&mut block[0], self.latency, pos, (l, r));
                self.ready = Some(block);
            }
            if next.is_some() {
                self.pos += done as u64;
                if self.pos >= until {
                    return Ok(false);
                }
            }
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// A block buffer for the writer (one it is done with, when there is one).
    fn fresh_block(&mut self) -> Block {
        self.spare
            .pop()
            .unwrap_or_else(|| vec![(Vec::new(), Vec::new()); self.n_outs])
    }

    /// `work` on the graph with the last block made written beside it (on the render pool's
    /// other thread when there is one).
    fn beside_write<R: Send>(
        &mut self,
        work: impl FnOnce(&mut Graph) -> Result<R, EngineError> + Send,
    ) -> Result<R, EngineError> {
        let ready = self.ready.take();
        let parallel = self.parallel;
        let Renderer {
            graph, outs, spare, ..
        } = self;
        let (done, wrote) = join_if(parallel, || work(graph), || write_block(outs, ready, spare));
        wrote?;
        done
    }

    /// Writes the last block made (at the render's end).
    fn flush(&mut self) -> Result<(), EngineError> {
        write_block(&mut self.outs, self.ready.take(), &mut self.spare)
    }

    /// The length of the next block, or `None` when the render is over: to the timeline's end,
    /// then while instruments ring and (with effects) until the mix has been quiet for the
    /// margin.
    fn next_len(&mut self) -> Option<u64> {
        let pos = self.pos;
        if pos >= self.end && !self.unlatched {
            self.graph.end_latches();
            self.unlatched = true;
        }
        let mut n = MAX_BLOCK as u64;
        if pos < self.end {
            n = n.min(self.end - pos);
        } else if self.effects {
            // Past the end: run while instruments ring and effects' tails are above
            // -100 dBFS, until the mix has been quiet for half a second.
            if self.graph.active_voices() == 0 {
                let since = self.silent_since.unwrap_or(pos);
                if pos >= since + self.margin {
                    return None;
                }
                n = n.min(since + self.margin - pos);
            }
            if pos >= self.max_end {
                return None;
            }
        } else {
            // Past the end: run while instruments ring, then a short margin.
            if self.graph.active_voices() == 0 {
                let since = *self.quiet_since.get_or_insert(pos);
                if pos == self.end || pos >= since + self.margin {
                    return None;
                }
                n = n.min(since + self.margin - pos);
            } else {
                self.quiet_since = None;
            }
            if pos >= self.max_end {
                return None;
            }
        }
        Some(n)
    }
}

/// With effects: notes in `silent_since` where the quiet at the end of the mix starts, from
/// the block at `pos` (the last loud sample of the block decides).
/// Writes `block` (when there is one) to the files, one output each, and keeps it to reuse.
fn write_block(
    outs: &mut [FileOut],
    block: Option<Block>,
    spare: &mut Vec<Block>,
) -> Result<(), EngineError> {
    if let Some(block) = block {
        for (w, (l, r)) in outs.iter_mut().zip(&block) {
            w.write(l, r)?;
        }
        spare.push(block);
    }
    Ok(())
}

/// `a` and `b` on the current rayon pool's threads with `parallel`, else one after the other.
fn join_if<A, B, RA, RB>(parallel: bool, a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if parallel {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

fn track_quiet(effects: bool, silent_since: &mut Option<u64>, pos: u64, l: &[f32], r: &[f32]) {
    if !effects {
        return;
    }
    let last_loud = (0..l.len())
        .rev()
        .find(|&i| l[i].abs() >= TAIL_QUIET || r[i].abs() >= TAIL_QUIET);
    match last_loud {
        Some(i) => *silent_since = Some(pos + i as u64 + 1),
        None => {
            silent_since.get_or_insert(pos);
        }
    }
}

/// The longest silence an effect can leave before it sounds again, in seconds: a delay's
/// time (a note value at the slowest tempo of the map), a reverb's pre-delay. The render's
/// wait for quiet adds it, so an echo after a gap is not cut off.
fn longest_gap_s(project: &Project) -> f64 {
    let slowest = project
        .tempo
        .changes()
        .iter()
        .map(|c| c.bpm)
        .fold(f64::INFINITY, f64::min)
        .max(1.0);
    let value = |e: &crate::model::Effect, name: &str| -> f64 {
        crate::model::fx::kind(&e.kind)
            .and_then(|k| {
                let (i, _) = k.param(name)?;
                k.values(e).get(i).copied()
            })
            .unwrap_or(0.0)
    };
    project
        .all_effects()
        .filter(|e| !e.bypass)
        .map(|e| match e.kind.as_str() {
            "delay" => {
                let beats = value(e, "time");
                if beats > 0.0 {
                    beats * 60.0 / slowest
                } else {
                    value(e, "time_ms") / 1000.0
                }
            }
            "reverb" => value(e, "predelay_ms") / 1000.0,
            _ => 0.0,
        })
        .fold(0.0, f64::max)
        .min(MAX_TAIL_S)
}

/// `out.wav` → `out-03-Bass.wav` (name reduced to safe characters).
fn stem_path(out: &Path, number: usize, name: &str, format: FileFormat) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "render".into());
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    out.with_file_name(format!("{stem}-{number:02}-{safe}.{}", format.extension()))
}

/// A small deterministic generator for dither (xorshift64*), so renders are bit-identical.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// `y` rounded half away from zero and clamped to the 24-bit range (NaN gives 0): what
/// `y.round().clamp(-8388608.0, 8388607.0) as i32` gives, without `f64::round`, which is a
/// libm call on baseline x86-64 (one per sample of the file).
#[inline]
fn to_i24(y: f64) -> i32 {
    // Clamping first changes nothing: every value past an end rounds to that end.
    let y = y.clamp(-8_388_608.0, 8_388_607.0);
    // Truncation toward zero is exact here (|y| ≤ 2^23); the rest decides the rounding.
    // Selects, not branches, so the writer's loop over a block vectorizes.
    let t = y as i32;
    let rest = y - t as f64;
    t + i32::from(rest >= 0.5) - i32::from(rest <= -0.5)
}

/// Rate conversion of a stereo stream (rubato's FFT resampler), delay compensated.
struct Converter {
    fft: Fft<f32>,
    pending: Vec<f32>,
    out: Vec<f32>,
    skip: usize,
    frames_in: u64,
    frames_out: u64,
    ratio: f64,
}

impl Converter {
    fn new(from: u32, to: u32) -> Result<Converter, EngineError> {
        let fft = Fft::<f32>::new(from as usize, to as usize, 1024, 2, FixedSync::Input).map_err(
            |e| EngineError::Invalid(format!("cannot convert {from} Hz to {to} Hz: {e}")),
        )?;
        let skip = fft.output_delay();
        let out = vec![0.0; fft.output_frames_max() * 2];
        Ok(Converter {
            fft,
            pending: Vec::new(),
            out,
            skip,
            frames_in: 0,
            frames_out: 0,
            ratio: to as f64 / from as f64,
        })
    }

    /// Feeds interleaved stereo; `emit` gets converted interleaved stereo.
    fn push(
        &mut self,
        data: &[f32],
        emit: &mut dyn FnMut(&[f32]) -> Result<(), EngineError>,
    ) -> Result<(), EngineError> {
        self.pending.extend_from_slice(data);
        self.frames_in += (data.len() / 2) as u64;
        self.run(false, emit)
    }

    fn run(
        &mut self,
        flush: bool,
        emit: &mut dyn FnMut(&[f32]) -> Result<(), EngineError>,
    ) -> Result<(), EngineError> {
        let want_total = (self.frames_in as f64 * self.ratio).round() as u64;
        loop {
            let need = self.fft.input_frames_next();
            let have = self.pending.len() / 2;
            if have < need && !flush {
                return Ok(());
            }
            if flush && self.frames_out >= want_total {
                return Ok(());
            }
            let take = have.min(need);
            if take < need {
                self.pending.resize(need * 2, 0.0);
            }
            let bad = |e: String| EngineError::Internal(format!("resampler: {e}"));
            let input = InterleavedSlice::new(&self.pending[..need * 2], 2, need)
                .map_err(|e| bad(e.to_string()))?;
            let out_frames = self.out.len() / 2;
            let mut output = InterleavedSlice::new_mut(&mut self.out, 2, out_frames)
                .map_err(|e| bad(e.to_string()))?;
            let indexing = Indexing {
                input_offset: 0,
                output_offset: 0,
                partial_len: None,
                active_channels_mask: None,
            };
            let (_, produced) = self
                .fft
                .process_into_buffer(&input, &mut output, Some(&indexing))
                .map_err(|e| bad(e.to_string()))?;
            self.pending.drain(..need * 2);
            let mut chunk = &self.out[..produced * 2];
            let s = self.skip.min(produced);
            chunk = &chunk[s * 2..];
            self.skip -= s;
            let room = want_total.saturating_sub(self.frames_out) as usize;
            let keep = if flush {
                (chunk.len() / 2).min(room)
            } else {
                chunk.len() / 2
            };
            self.frames_out += keep as u64;
            emit(&chunk[..keep * 2])?;
        }
    }
}

/// The encoder of one output file.
enum Encoder {
    Wav(WavStream<BufWriter<File>>),
    Flac(Box<FlacStream<BufWriter<File>>>),
}

/// One output file, written to a temporary that the caller renames to `path` at the end.
struct FileOut {
    path: PathBuf,
    encoder: Encoder,
    depth: BitDepth,
    rng: Rng,
    convert: Option<Converter>,
    interleaved: Vec<f32>,
    ints: Vec<i32>,
    frames_out: u64,
    peak: f32,
    loudness: Option<LoudnessAnalyzer>,
}

impl FileOut {
    fn create(
        path: &Path,
        temp: &Path,
        format: FileFormat,
        depth: BitDepth,
        rate: u32,
        out_rate: u32,
        seed: u64,
    ) -> Result<FileOut, EngineError> {
        let err = |e: std::io::Error| EngineError::Write {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let file = File::create(temp).map_err(err)?;
        let sink = BufWriter::with_capacity(1 << 16, file);
        let encoder = match format {
            FileFormat::Wav => {
                let wav_format = match depth {
                    BitDepth::I16 => WavFormat::I16,
                    BitDepth::I24 => WavFormat::I24,
                    BitDepth::F32 => WavFormat::F32,
                };
                Encoder::Wav(WavStream::new(sink, out_rate, 2, wav_format).map_err(err)?)
            }
            FileFormat::Flac => {
                let bits = if depth == BitDepth::I16 { 16 } else { 24 };
                Encoder::Flac(Box::new(
                    FlacStream::new(sink, out_rate, 2, bits).map_err(err)?,
                ))
            }
        };
        let convert = if out_rate != rate {
            Some(Converter::new(rate, out_rate)?)
        } else {
            None
        };
        Ok(FileOut {
            path: path.to_path_buf(),
            encoder,
            depth,
            rng: Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x1000_0000_01B3)),
            convert,
            interleaved: Vec::with_capacity(MAX_BLOCK * 2),
            ints: Vec::with_capacity(MAX_BLOCK * 2),
            frames_out: 0,
            peak: 0.0,
            loudness: None,
        })
    }

    fn write(&mut self, left: &[f32], right: &[f32]) -> Result<(), EngineError> {
        // Sized first and filled by frames (a loop that vectorizes; a push per sample does not).
        let n = left.len().min(right.len());
        self.interleaved.clear();
        self.interleaved.resize(2 * n, 0.0);
        for ((f, &l), &r) in self.interleaved.chunks_exact_mut(2).zip(left).zip(right) {
            f[0] = l;
            f[1] = r;
        }
        let mut data = std::mem::take(&mut self.interleaved);
        let result = match self.convert.take() {
            Some(mut c) => {
                let r = c.push(&data, &mut |d| self.emit(d));
                self.convert = Some(c);
                r
            }
            None => self.emit(&data),
        };
        data.clear();
        self.interleaved = data;
        result
    }

    fn emit(&mut self, data: &[f32]) -> Result<(), EngineError> {
        for &x in data {
            self.peak = self.peak.max(x.abs());
        }
        if let Some(l) = &mut self.loudness {
            l.push(data);
        }
        self.ints.clear();
        match self.depth {
            BitDepth::F32 => {}
            BitDepth::I24 => {
                self.ints
                    .extend(data.iter().map(|&x| to_i24(x as f64 * 8_388_608.0)));
            }
            BitDepth::I16 => {
                for &x in data {
                    // TPDF dither: two uniform variables, ±1 LSB peak.
                    let d = self.rng.uniform() - self.rng.uniform();
                    let v = (x * 32_768.0 + d).round().clamp(-32_768.0, 32_767.0);
                    self.ints.push(v as i32);
                }
            }
        }
        let res = match (&mut self.encoder, self.depth) {
            (Encoder::Wav(w), BitDepth::F32) => w.write_float(data),
            (Encoder::Wav(w), _) => w.write_int(&self.ints),
            (Encoder::Flac(f), _) => f.write(&self.ints),
        };
        res.map_err(|e| EngineError::Write {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        self.frames_out += (data.len() / 2) as u64;
        Ok(())
    }

    /// Flushes the converter, finalizes the header and syncs the temporary to disk; returns
    /// the frames written and the loudness measured.
    fn finish(mut self) -> Result<(u64, Option<LoudnessResult>), EngineError> {
        if let Some(mut c) = self.convert.take() {
            c.run(true, &mut |d| self.emit(d))?;
        }
        let frames = self.frames_out;
        let loudness = self.loudness.as_ref().map(LoudnessAnalyzer::finish);
        let path = self.path.clone();
        let err = |e: std::io::Error| EngineError::Write {
            path: path.clone(),
            message: e.to_string(),
        };
        let sink = match self.encoder {
            Encoder::Wav(w) => w.finish().map_err(err)?.0,
            Encoder::Flac(f) => f.finish().map_err(err)?,
        };
        let file = sink.into_inner().map_err(|e| err(e.into_error()))?;
        // On disk before the rename makes it the render.
        file.sync_all().map_err(err)?;
        Ok((frames, loudness))
    }
}

#[cfg(test)]
mod tests {
    //! The render on several threads (sources in parallel, blocks overlapping in a pipeline)
    //! against the graph processed block by block on one thread: the same files, bit for bit.
    use super::*;
    use crate::model::{
        AudioClip, AutomationLane, AutomationPoint, AutomationTarget, Clip, ClipContent, ClipId,
        Effect, FxId, Instrument, MidiClip, Note, ParamValue, Send as TrackSend, Track, TrackId,
        TrackKind,
    };

    #[test]
    fn to_i24_rounds_as_f64_round_does() {
        let want = |y: f64| y.round().clamp(-8_388_608.0, 8_388_607.0) as i32;
        let mut seed = 0x2545_f491_u64;
        let mut cases = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.499_999_999_999_999_94,
            -0.499_999_999_999_999_94,
            8_388_606.5,
            8_388_607.4,
            8_388_607.5,
            9e9,
            -8_388_608.5,
            -8_388_609.0,
            -9e9,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        for _ in 0..100_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let x = f32::from_bits((seed as u32 & 0x007f_ffff) | 0x3f00_0000) - 0.75;
            cases.push(x as f64 * 2.4 * 8_388_608.0);
            cases.push((seed % 20_000) as f64 / 4.0 - 2_500.0);
        }
        for y in cases {
            assert_eq!(to_i24(y), want(y), "{y}");
        }
    }

    fn fx(id: u64, kind: &str, params: &[(&str, f64)]) -> Effect {
        Effect {
            id: FxId(id),
            kind: kind.into(),
            bypass: false,
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), ParamValue::Number(*v)))
                .collect(),
        }
    }

    fn lane(target: AutomationTarget, points: &[(f64, f64)]) -> AutomationLane {
        AutomationLane {
            target,
            enabled: true,
            points: points
                .iter()
                .map(|&(b, v)| AutomationPoint::new(b, v))
                .collect(),
        }
    }

    fn audio(id: u64, file: &str, start: f64, seconds: f64) -> Track {
        let mut t = Track::new(TrackId(id), format!("T{id}"), TrackKind::Audio);
        t.clips.push(Clip {
            id: ClipId(id),
            name: String::new(),
            start,
            lane: 0,
            take: None,
            content: ClipContent::Audio(AudioClip {
                file: file.into(),
                offset: 0.25,
                length: seconds,
                gain_db: -2.0,
                fade_in: 0.01,
                fade_out: 0.3,
            }),
        });
        t
    }

    /// Noise and tones in bursts (so compressors pump), 24-bit stereo.
    fn material(dir: &Path, name: &str, seconds: f64, seed: u32) {
        let frames = (seconds * 48_000.0) as usize;
        let mut x = seed.wrapping_mul(2_654_435_761) | 1;
        let mut v = Vec::with_capacity(frames * 2);
        for i in 0..frames {
            let burst = if (i / 9_000 + seed as usize) % 3 == 0 {
                0.9
            } else {
                0.15
            };
            for c in 0..2 {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let noise = x as f32 / u32::MAX as f32 - 0.5;
                let tone = (i as f32 * (0.03 + 0.01 * c as f32 + 0.002 * seed as f32)).sin();
                v.push(burst * (0.5 * tone + 0.4 * noise));
            }
        }
        crate::codec::write_wav(&dir.join(name), &v, 48_000, 2, crate::codec::WavFormat::I24)
            .unwrap();
    }

    /// Sends, buses (one feeding another), sidechains from a source to a source, to a bus
    /// and to the master, lookahead limiters (latency compensation), automation of faders,
    /// sends and effect parameters, a synth, and tails of reverb and delay.
    fn project(dir: &Path) -> Project {
        std::fs::create_dir_all(dir.join("audio")).unwrap();
        for (i, s) in [(1, 3.0), (2, 2.5), (3, 3.2)] {
            material(dir, &format!("audio/m{i}.wav"), s, i);
        }
        let mut p = Project::new("pipeline", 48_000, 120.0);
        let mut a = audio(1, "audio/m1.wav", 0.0, 2.7);
        a.effects.push(fx(
            11,
            "eq",
            &[
                ("b1_freq", 120.0),
                ("b1_gain_db", -4.0),
                ("b2_gain_db", 5.0),
            ],
        ));
        a.effects.push(fx(
            12,
            "compressor",
            &[("threshold_db", -24.0), ("ratio", 6.0)],
        ));
        a.sends.push(TrackSend {
            to: TrackId(10),
            level_db: -6.0,
            pre_fader: false,
        });
        a.sends.push(TrackSend {
            to: TrackId(11),
            level_db: -9.0,
            pre_fader: true,
        });
        a.automation
            .push(lane(AutomationTarget::Gain, &[(0.0, -12.0), (4.0, 0.0)]));
        a.automation.push(lane(
            AutomationTarget::Send(TrackId(10)),
            &[(0.0, -30.0), (3.0, 0.0)],
        ));
        a.automation.push(lane(
            AutomationTarget::Fx(FxId(12), "threshold_db".into()),
            &[(0.0, -40.0), (5.0, -10.0)],
        ));
        // Keyed from track 3, a source processed in an earlier phase.
        let mut b = audio(2, "audio/m2.wav", 1.0, 2.4);
        b.effects.push(fx(
            21,
            "compressor",
            &[("threshold_db", -30.0), ("ratio", 8.0), ("sidechain", 3.0)],
        ));
        b.pan = -0.4;
        b.sends.push(TrackSend {
            to: TrackId(11),
            level_db: -3.0,
            pre_fader: false,
        });
        let mut c = audio(3, "audio/m3.wav", 0.5, 3.0);
        c.effects.push(fx(
            31,
            "limiter",
            &[("ceiling_dbtp", -6.0), ("lookahead_ms", 3.0)],
        ));
        c.sends.push(TrackSend {
            to: TrackId(10),
            level_db: -10.0,
            pre_fader: false,
        });
        c.automation
            .push(lane(AutomationTarget::Pan, &[(0.0, -1.0), (6.0, 1.0)]));
        let mut synth = Track::new(TrackId(4), "Synth", TrackKind::Midi);
        synth.instrument = Some(Instrument::Synth {
            preset: "pluck".into(),
        });
        let mut clip = MidiClip::new(4.0);
        clip.notes = (0..12)
            .map(|k| Note {
                pitch: 48 + (k * 5 % 24) as u8,
                start: k as f64 * 0.33,
                length: 0.25,
                velocity: 90,
                channel: 0,
            })
            .collect();
        synth.clips.push(Clip {
            id: ClipId(40),
            name: String::new(),
            start: 0.5,
            lane: 0,
            take: None,
            content: ClipContent::Midi(clip),
        });
        synth.sends.push(TrackSend {
            to: TrackId(11),
            level_db: -6.0,
            pre_fader: false,
        });
        let mut reverb = Track::new(TrackId(10), "Reverb", TrackKind::Bus);
        reverb
            .effects
            .push(fx(101, "reverb", &[("decay_s", 1.5), ("mix", 1.0)]));
        // A bus keyed from a source.
        reverb.effects.push(fx(
            102,
            "compressor",
            &[("threshold_db", -30.0), ("ratio", 4.0), ("sidechain", 1.0)],
        ));
        reverb.sends.push(TrackSend {
            to: TrackId(11),
            level_db: -12.0,
            pre_fader: false,
        });
        let mut delay = Track::new(TrackId(11), "Delay", TrackKind::Bus);
        delay.effects.push(fx(
            111,
            "delay",
            &[("time_ms", 180.0), ("feedback", 0.4), ("mix", 1.0)],
        ));
        delay.gain_db = -3.0;
        p.tracks = vec![a, b, c, synth, reverb, delay];
        p.master.effects.push(fx(
            1001,
            "compressor",
            &[("threshold_db", -20.0), ("ratio", 2.0), ("sidechain", 2.0)],
        ));
        p.master.effects.push(fx(
            1002,
            "limiter",
            &[("ceiling_dbtp", -1.0), ("lookahead_ms", 5.0)],
        ));
        p.master
            .automation
            .push(lane(AutomationTarget::Gain, &[(0.0, 0.0), (7.0, -4.0)]));
        p
    }

    /// Renders `p` on `threads` threads with stems; every file's bytes, mix first.
    fn files(p: &Project, root: &Path, depth: BitDepth, threads: usize) -> Vec<Vec<u8>> {
        let out = root.join(format!("out-{threads}.wav"));
        let opts = RenderOptions {
            bit_depth: depth,
            stems: true,
            ..RenderOptions::default()
        };
        let control = RenderControl {
            stems_dir: Some(root.join(format!("stems-{threads}"))),
            cancel: None,
        };
        let report = render_on(p, root, &out, &opts, &control, threads, &mut |_| {}).unwrap();
        assert!(report.seconds > 3.5, "{}", report.seconds);
        std::iter::once(&report.path)
            .chain(&report.stems)
            .map(|f| std::fs::read(f).unwrap())
            .collect()
    }

    fn same_on_any_threads(p: &Project, root: &Path, pipelined: bool) {
        let graph = Graph::compile(p, root, 48_000, ClipMode::Direct, None, true)
            .unwrap()
            .graph;
        assert_eq!(graph.can_pipeline(), pipelined);
        assert!(graph.latency() > 0 && graph.track_latency() > 0);
        for depth in [BitDepth::F32, BitDepth::I16] {
            let serial = files(p, root, depth, 1);
            assert_eq!(serial.len(), 1 + p.tracks.len());
            // Not silence: each file has a header and audio.
            assert!(serial.iter().all(|f| f.len() > 100_000));
            for threads in [2, 3] {
                let parallel = files(p, root, depth, threads);
                for (k, (a, b)) in serial.iter().zip(&parallel).enumerate() {
                    assert!(a == b, "{depth:?} on {threads} threads: file {k} differs");
                }
            }
        }
    }

    #[test]
    fn the_pipelined_render_is_the_serial_render_bit_for_bit() {
        let dir = tempfile::tempdir().unwrap();
        let p = project(dir.path());
        same_on_any_threads(&p, dir.path(), true);
    }

    #[test]
    fn a_project_keyed_from_a_bus_renders_block_by_block_to_the_same_samples() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = project(dir.path());
        // Track 2 now hears the reverb bus (a block late): no overlapping blocks.
        p.tracks[1].effects[0]
            .params
            .insert("sidechain".into(), ParamValue::Number(10.0));
        same_on_any_threads(&p, dir.path(), false);
    }
}
