//! Audio clips on a track's timeline: where each clip sits in samples, which frames of its file
//! it plays, its gain and fades. [`ClipLayer::render`] is the one piece of code that turns a
//! track's clips into samples; offline render calls it directly, live playback calls it on the
//! engine thread to fill the track's stream (stream.rs) ahead of the playhead. A clip's file
//! is open only while the clip is being rendered: compiling probes each file and closes it,
//! rendering opens it when the clip is reached and closes it once the clip is behind, so
//! thousands of clips hold a handful of file descriptors and decoders.

use super::EngineError;
use crate::model::{ClipContent, Project, Track};
use std::path::{Path, PathBuf};

/// A decoder the clip layer reads frames from (the codec's streaming reader in practice; a
/// seam so tests can feed synthetic material).
pub trait FrameSource: Send {
    /// 1 or 2 (more channels are folded to the first two).
    fn channels(&self) -> u16;
    fn sample_rate(&self) -> u32;
    /// Reads interleaved frames into `buf`; returns frames read, 0 at the end.
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, String>;
    /// Moves to an exact frame.
    fn seek(&mut self, frame: u64) -> Result<(), String>;
    /// Reads stereo frames as one buffer per channel (up to the shorter's length), when the
    /// source can do that without an interleaved buffer in between; `None` (the default) says
    /// to use [`FrameSource::read`].
    fn read_planar(
        &mut self,
        _left: &mut [f32],
        _right: &mut [f32],
    ) -> Result<Option<usize>, String> {
        Ok(None)
    }
}

/// Opens an audio file for streaming (the codec's decoder: wav, flac, mp3, ogg).
pub fn open_source(path: &Path) -> Result<Box<dyn FrameSource>, EngineError> {
    crate::codec::AudioReader::open(path)
        .map(|r| Box::new(r) as Box<dyn FrameSource>)
        .map_err(|e| EngineError::Decode(e.to_string()))
}

impl FrameSource for crate::codec::AudioReader {
    fn channels(&self) -> u16 {
        crate::codec::AudioReader::channels(self)
    }
    fn sample_rate(&self) -> u32 {
        crate::codec::AudioReader::sample_rate(self)
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, String> {
        crate::codec::AudioReader::read(self, buf).map_err(|e| e.to_string())
    }
    fn seek(&mut self, frame: u64) -> Result<(), String> {
        crate::codec::AudioReader::seek(self, frame).map_err(|e| e.to_string())
    }
    fn read_planar(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
    ) -> Result<Option<usize>, String> {
        crate::codec::AudioReader::read_planar(self, left, right).map_err(|e| e.to_string())
    }
}

/// One clip, compiled: timeline position and length in samples, where it reads its file.
pub struct ClipPlayer {
    /// First timeline sample.
    pub start: u64,
    /// Frames played.
    pub len: u64,
    /// First file frame.
    pub offset: u64,
    pub gain: f32,
    pub fade_in: u64,
    pub fade_out: u64,
    pub path: PathBuf,
    /// Open while the clip is being rendered.
    source: Option<Box<dyn FrameSource>>,
    channels: usize,
    /// The file frame the source will read next (None = unknown, seek first).
    next_frame: Option<u64>,
}

impl ClipPlayer {
    /// One past the last timeline sample.
    pub fn end(&self) -> u64 {
        self.start + self.len
    }

    /// The envelope (clip gain × fades) at clip-relative frame `k`.
    #[inline]
    fn envelope(&self, k: u64) -> f32 {
        let mut g = self.gain;
        if k < self.fade_in {
            g *= k as f32 / self.fade_in as f32;
        }
        let left = self.len - k;
        if left <= self.fade_out {
            g *= left as f32 / (self.fade_out + 1) as f32;
        }
        g
    }
}

/// Fills `left`/`right` from `source` as [`FrameSource::read_planar`] does, reading until
/// they are full or the file ends; `None` when the source does not read that way.
fn read_planar(
    source: &mut dyn FrameSource,
    left: &mut [f32],
    right: &mut [f32],
) -> Result<Option<usize>, EngineError> {
    let mut got = 0;
    while got < left.len() {
        match source
            .read_planar(&mut left[got..], &mut right[got..])
            .map_err(EngineError::Decode)?
        {
            None if got == 0 => return Ok(None),
            None | Some(0) => break,
            Some(n) => got += n,
        }
    }
    Ok(Some(got))
}

/// A value that identifies a track's clip material (so a graph rebuilt after a mixer edit
/// keeps the running stream).
pub type LayerSignature = Vec<(u64, u64, u64, u32, u64, u64, PathBuf)>;

/// The compiled audio clips of one track.
pub struct ClipLayer {
    pub clips: Vec<ClipPlayer>,
    /// Every clip is mono: the track pans with the constant-power law and streams one channel.
    pub mono: bool,
    /// Merged [start, end) spans where some clip plays, sorted.
    pub regions: Vec<(u64, u64)>,
    /// File frames read at once; allocated while clips are being rendered.
    scratch: Vec<f32>,
    max_channels: usize,
}

/// Frames read from a file at a time.
const READ_FRAMES: usize = 4096;

impl ClipLayer {
    /// Compiles the audio clips of `track` at `rate`, opening every file (engine thread).
    pub fn compile(
        project: &Project,
        track: &Track,
        root: &Path,
        rate: u32,
    ) -> Result<ClipLayer, EngineError> {
        let mut clips = Vec::new();
        // Take lanes are kept for choosing and comping, never played.
        for clip in track.playing_clips() {
            let ClipContent::Audio(a) = &clip.content else {
                continue;
            };
            let path = root.join(&a.file);
            let source = open_source(&path)?;
            if source.sample_rate() != rate {
                return Err(EngineError::Audio {
                    path,
                    message: format!(
                        "the file is {} Hz but the project runs at {} Hz; import it again to convert it",
                        source.sample_rate(),
                        rate
                    ),
                });
            }
            let channels = source.channels() as usize;
            // Closed again: the clip opens its file when rendering reaches it.
            drop(source);
            if channels == 0 {
                return Err(EngineError::Audio {
                    path,
                    message: "the file has no channels".into(),
                });
            }
            let secs = |s: f64| (s.max(0.0) * rate as f64).round() as u64;
            let len = secs(a.length);
            if len == 0 {
                continue;
            }
            clips.push(ClipPlayer {
                start: project.tempo.beat_to_sample(clip.start, rate),
                len,
                offset: secs(a.offset),
                gain: crate::dsp::db_to_gain(a.gain_db),
                fade_in: secs(a.fade_in).min(len),
                fade_out: secs(a.fade_out).min(len),
                path,
                source: None,
                channels,
                next_frame: None,
            });
        }
        clips.sort_by_key(|c| c.start);
        let mono = !clips.is_empty() && clips.iter().all(|c| c.channels == 1);
        let mut regions: Vec<(u64, u64)> = Vec::new();
        for c in &clips {
            match regions.last_mut() {
                Some(last) if c.start <= last.1 => last.1 = last.1.max(c.end()),
                _ => regions.push((c.start, c.end())),
            }
        }
        let max_channels = clips.iter().map(|c| c.channels).max().unwrap_or(1);
        Ok(ClipLayer {
            clips,
            mono,
            regions,
            scratch: Vec::new(),
            max_channels,
        })
    }

    /// Closes every file and frees the read buffer (the stream gave its ring back).
    pub fn close(&mut self) {
        for c in &mut self.clips {
            c.source = None;
            c.next_frame = None;
        }
        self.scratch = Vec::new();
    }

    /// Files open now (for tests and measurements).
    pub fn open_files(&self) -> usize {
        self.clips.iter().filter(|c| c.source.is_some()).count()
    }

    /// What the layer plays, for deciding whether a rebuilt graph may keep its stream.
    pub fn signature(&self) -> LayerSignature {
        self.clips
            .iter()
            .map(|c| {
                (
                    c.start,
                    c.len,
                    c.offset,
                    c.gain.to_bits(),
                    c.fade_in,
                    c.fade_out,
                    c.path.clone(),
                )
            })
            .collect()
    }

    /// The end of the last clip.
    pub fn end(&self) -> u64 {
        self.regions.last().map_or(0, |r| r.1)
    }

    /// Renders timeline samples [tl, tl + left.len()) of every clip, overwriting `left` and
    /// `right` (for a mono layer only `left` is written). Reads the files, so this runs on the
    /// engine thread (live) or the render threads (offline), never in the callback.
    pub fn render(
        &mut self,
        tl: u64,
        left: &mut [f32],
        right: &mut [f32],
    ) -> Result<(), EngineError> {
        let n = left.len() as u64;
        let end = tl + n;
        // A block inside one clip (the usual case) is written straight from the file; only
        // otherwise is it silence that the clips add to. Writing `0.0 + x` keeps the bits
        // the sum gives (a -0.0 sample becomes +0.0 either way).
        let sole = {
            let mut touching = self.clips.iter().filter(|c| c.start < end && c.end() > tl);
            matches!(
                (touching.next(), touching.next()),
                (Some(c), None) if c.start <= tl && c.end() >= end
            )
        };
        if !sole {
            left.fill(0.0);
            if !self.mono {
                right.fill(0.0);
            }
        }
        for clip in self.clips.iter_mut() {
            if clip.end() <= tl {
                // Behind the render position: close the file until a seek or loop needs it.
                if clip.source.is_some() {
                    clip.source = None;
                    clip.next_frame = None;
                }
                continue;
            }
            if clip.start >= end {
                continue;
            }
            if self.scratch.is_empty() {
                self.scratch = vec![0.0; READ_FRAMES * self.max_channels];
            }
            // Taken out while reading (and put back below), so the clip can be read meanwhile.
            let mut source = match clip.source.take() {
                Some(s) => s,
                None => {
                    clip.next_frame = Some(0);
                    open_source(&clip.path)?
                }
            };
            let a = clip.start.max(tl);
            let b = clip.end().min(end);
            let mut k = a - clip.start; // clip-relative frame
            let mut out = (a - tl) as usize;
            let ch = clip.channels;
            while k < b - clip.start {
                let want = ((b - clip.start - k) as usize).min(READ_FRAMES);
                let file_frame = clip.offset + k;
                if clip.next_frame != Some(file_frame) {
                    source.seek(file_frame).map_err(EngineError::Decode)?;
                }
                let plain = clip.gain == 1.0
                    && k >= clip.fade_in
                    && clip.len - (k + want as u64) >= clip.fade_out;
                if sole && plain && ch == 2 && !self.mono {
                    // The whole block from one plain stereo clip: straight into the track's
                    // buffers when the decoder can split the channels itself.
                    let (l, r) = (&mut left[out..out + want], &mut right[out..out + want]);
                    if let Some(got) = read_planar(source.as_mut(), l, r)? {
                        l[got..].fill(0.0);
                        r[got..].fill(0.0);
                        clip.next_frame = (got == want).then_some(file_frame + want as u64);
                        k += want as u64;
                        out += want;
                        continue;
                    }
                }
                let buf = &mut self.scratch[..want * ch];
                let mut got = 0;
                while got < want {
                    let r = source
                        .read(&mut buf[got * ch..])
                        .map_err(EngineError::Decode)?;
                    if r == 0 {
                        break;
                    }
                    got += r;
                }
                // Past the end of the file the clip is silent.
                buf[got * ch..].fill(0.0);
                clip.next_frame = if got == want {
                    Some(file_frame + want as u64)
                } else {
                    None
                };
                let (l, r) = (&mut left[out..out + want], &mut right[out..out + want]);
                if plain && ch == 2 && !self.mono {
                    // The common case, kept simple enough to vectorize.
                    let frames = l.iter_mut().zip(r.iter_mut()).zip(buf.chunks_exact(2));
                    if sole {
                        for ((x, y), f) in frames {
                            *x = 0.0 + f[0];
                            *y = 0.0 + f[1];
                        }
                    } else {
                        for ((x, y), f) in frames {
                            *x += f[0];
                            *y += f[1];
                        }
                    }
                } else {
                    if sole {
                        l.fill(0.0);
                        if !self.mono {
                            r.fill(0.0);
                        }
                    }
                    for i in 0..want {
                        let g = if plain {
                            1.0
                        } else {
                            clip.envelope(k + i as u64)
                        };
                        let frame = &buf[i * ch..i * ch + ch];
                        if self.mono {
                            l[i] += frame[0] * g;
                        } else if ch == 1 {
                            l[i] += frame[0] * g;
                            r[i] += frame[0] * g;
                        } else {
                            l[i] += frame[0] * g;
                            r[i] += frame[1] * g;
                        }
                    }
                }
                k += want as u64;
                out += want;
            }
            clip.source = Some(source);
        }
        Ok(())
    }
}
