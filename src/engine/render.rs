//! Offline render: the project's graph driven as fast as the machine allows (tracks on two
//! threads), written to WAV at 16 (TPDF-dithered), 24 or 32-bit float, optionally one stem per
//! track, optionally at another sample rate (the mix is resampled with rubato). The same
//! [`Graph::process`] as live playback — there is no second mixing path.

use super::graph::{ClipMode, Graph, MAX_BLOCK};
use super::instrument::{find_soundfont, load_soundfont};
use super::EngineError;
use crate::analysis::loudness::{LoudnessAnalyzer, LoudnessResult};
use crate::model::Project;
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

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

/// How to render.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub bit_depth: BitDepth,
    /// Output rate; the project's when `None`.
    pub sample_rate: Option<u32>,
    /// Also write one file per track next to the output.
    pub stems: bool,
    /// A General MIDI SoundFont; found the usual way when `None`.
    pub soundfont: Option<PathBuf>,
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
/// Silence kept after the instruments go quiet.
const TAIL_MARGIN_S: f64 = 0.1;

/// Renders `project` (folder `root`) to `out`. `progress` gets 0..1 now and then.
pub fn render_to_wav(
    project: &Project,
    root: &Path,
    out: &Path,
    opts: &RenderOptions,
    progress: &mut dyn FnMut(f32),
) -> Result<RenderReport, EngineError> {
    let rate = project.sample_rate;
    let out_rate = opts.sample_rate.unwrap_or(rate);
    if !(8_000..=384_000).contains(&out_rate) {
        return Err(EngineError::Invalid(format!(
            "sample rate {out_rate} Hz is out of range (8000–384000)"
        )));
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            return Err(EngineError::Write {
                path: out.to_path_buf(),
                message: "the folder does not exist".into(),
            });
        }
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
    let end = graph.end;
    if end == 0 {
        return Err(EngineError::Empty);
    }
    let mut mix = WavOut::create(out, opts.bit_depth, rate, out_rate, 1)?;
    mix.loudness = LoudnessAnalyzer::new(out_rate, 2).ok();
    // Output 0 is the mix, then one per stem (track index in the graph).
    let mut outs = vec![mix];
    let mut stem_tracks = Vec::new();
    if opts.stems {
        for (k, &i) in graph.project_order.iter().enumerate() {
            let path = stem_path(out, k + 1, &graph.tracks[i].name);
            outs.push(WavOut::create(
                &path,
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
    let margin = (TAIL_MARGIN_S * rate as f64) as u64;
    progress(0.0);
    // Encoding, writing and metering run on their own thread, overlapping the next block.
    type Block = Vec<(Vec<f32>, Vec<f32>)>;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Block>(4);
    let (back_tx, back_rx) = std::sync::mpsc::channel::<Block>();
    let (outs, rendered) = std::thread::scope(|s| {
        let writer = s.spawn(move || -> Result<Vec<WavOut>, EngineError> {
            for block in rx {
                for (w, (l, r)) in outs.iter_mut().zip(&block) {
                    w.write(l, r)?;
                }
                let _ = back_tx.send(block);
            }
            Ok(outs)
        });
        let mut run = || -> Result<(), EngineError> {
            let mut quiet_since: Option<u64> = None;
            let mut pos = 0u64;
            let mut last_report = 0u64;
            loop {
                let mut n = MAX_BLOCK as u64;
                if pos < end {
                    n = n.min(end - pos);
                } else {
                    // Past the end: run while instruments ring, then a short margin.
                    if graph.active_voices() == 0 {
                        let since = *quiet_since.get_or_insert(pos);
                        if pos == end || pos >= since + margin {
                            return Ok(());
                        }
                        n = n.min(since + margin - pos);
                    } else {
                        quiet_since = None;
                    }
                    if pos >= max_end {
                        return Ok(());
                    }
                }
                let done = graph.process(pos, n as usize, true, true)?;
                let mut block = back_rx
                    .try_recv()
                    .unwrap_or_else(|_| vec![(Vec::new(), Vec::new()); n_outs]);
                let mut fill = |k: usize, (l, r): (&[f32], &[f32])| {
                    let (bl, br) = &mut block[k];
                    bl.clear();
                    bl.extend_from_slice(l);
                    br.clear();
                    br.extend_from_slice(r);
                };
                fill(0, graph.master(done));
                for (k, &i) in stem_tracks.iter().enumerate() {
                    fill(k + 1, graph.tracks[i].output(done));
                }
                if tx.send(block).is_err() {
                    // The writer stopped on an error; it reports it below.
                    return Ok(());
                }
                pos += done as u64;
                if pos - last_report >= rate as u64 {
                    last_report = pos;
                    progress((pos as f64 / end as f64).min(1.0) as f32);
                }
            }
        };
        let rendered = run();
        drop(tx);
        let outs = writer
            .join()
            .unwrap_or_else(|_| Err(EngineError::Internal("the WAV writer panicked".into())));
        (outs, rendered)
    });
    let outs = outs?;
    rendered?;
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
    progress(1.0);
    Ok(RenderReport {
        path,
        stems: stem_paths,
        frames: written,
        sample_rate: out_rate,
        seconds: written as f64 / out_rate as f64,
        peak_dbfs: if peak > 0.0 {
            20.0 * (peak as f64).log10()
        } else {
            f64::NEG_INFINITY
        },
        clipped: peak > 1.0,
        integrated_lufs: loudness.and_then(|l| l.integrated),
    })
}

/// `out.wav` → `out-03-Bass.wav` (name reduced to safe characters).
fn stem_path(out: &Path, number: usize, name: &str) -> PathBuf {
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
    out.with_file_name(format!("{stem}-{number:02}-{safe}.wav"))
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

/// One output file.
struct WavOut {
    path: PathBuf,
    writer: hound::WavWriter<BufWriter<std::fs::File>>,
    depth: BitDepth,
    rng: Rng,
    convert: Option<Converter>,
    interleaved: Vec<f32>,
    frames_out: u64,
    peak: f32,
    loudness: Option<LoudnessAnalyzer>,
}

impl WavOut {
    fn create(
        path: &Path,
        depth: BitDepth,
        rate: u32,
        out_rate: u32,
        seed: u64,
    ) -> Result<WavOut, EngineError> {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: out_rate,
            bits_per_sample: match depth {
                BitDepth::I16 => 16,
                BitDepth::I24 => 24,
                BitDepth::F32 => 32,
            },
            sample_format: match depth {
                BitDepth::F32 => hound::SampleFormat::Float,
                _ => hound::SampleFormat::Int,
            },
        };
        let writer = hound::WavWriter::create(path, spec).map_err(|e| EngineError::Write {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let convert = if out_rate != rate {
            Some(Converter::new(rate, out_rate)?)
        } else {
            None
        };
        Ok(WavOut {
            path: path.to_path_buf(),
            writer,
            depth,
            rng: Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x1000_0000_01B3)),
            convert,
            interleaved: Vec::with_capacity(MAX_BLOCK * 2),
            frames_out: 0,
            peak: 0.0,
            loudness: None,
        })
    }

    fn write(&mut self, left: &[f32], right: &[f32]) -> Result<(), EngineError> {
        self.interleaved.clear();
        for (&l, &r) in left.iter().zip(right) {
            self.interleaved.push(l);
            self.interleaved.push(r);
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
        let err = |e: hound::Error| EngineError::Write {
            path: self.path.clone(),
            message: e.to_string(),
        };
        for &x in data {
            self.peak = self.peak.max(x.abs());
        }
        if let Some(l) = &mut self.loudness {
            l.push(data);
        }
        match self.depth {
            BitDepth::F32 => {
                for &x in data {
                    self.writer.write_sample(x).map_err(err)?;
                }
            }
            BitDepth::I24 => {
                for &x in data {
                    let v = (x as f64 * 8_388_608.0)
                        .round()
                        .clamp(-8_388_608.0, 8_388_607.0);
                    self.writer.write_sample(v as i32).map_err(err)?;
                }
            }
            BitDepth::I16 => {
                for &x in data {
                    // TPDF dither: two uniform variables, ±1 LSB peak.
                    let d = self.rng.uniform() - self.rng.uniform();
                    let v = (x * 32_768.0 + d).round().clamp(-32_768.0, 32_767.0);
                    self.writer.write_sample(v as i16).map_err(err)?;
                }
            }
        }
        self.frames_out += (data.len() / 2) as u64;
        Ok(())
    }

    /// Flushes the converter and finalizes the header; returns the frames written and the
    /// loudness measured.
    fn finish(mut self) -> Result<(u64, Option<LoudnessResult>), EngineError> {
        if let Some(mut c) = self.convert.take() {
            c.run(true, &mut |d| self.emit(d))?;
        }
        let frames = self.frames_out;
        let path = self.path.clone();
        let loudness = self.loudness.as_ref().map(LoudnessAnalyzer::finish);
        self.writer.finalize().map_err(|e| EngineError::Write {
            path,
            message: e.to_string(),
        })?;
        Ok((frames, loudness))
    }
}
