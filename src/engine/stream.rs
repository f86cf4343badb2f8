//! Streaming a track's clips from disk for live playback. The engine thread renders the
//! track's [`ClipLayer`] ahead of the playhead into a ring buffer (about a second); the
//! callback takes the samples it needs. Chunks carry their timeline position and a
//! generation, so after a seek the callback skips stale data and asks for a new position
//! (an atomic request the engine thread picks up) instead of playing the wrong audio. Loop
//! wraps are predicted by the filler, so a looping playhead finds its data ready.

use super::clips::ClipLayer;
use super::meters::SharedStatus;
use super::EngineError;
use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

/// The header of a run of frames in the sample ring.
#[derive(Clone, Copy, Debug)]
struct Chunk {
    /// The request generation this data answers.
    generation: u32,
    /// Timeline sample of the first frame.
    start: u64,
    frames: u32,
}

/// The callback's requests to the filler.
#[derive(Debug, Default)]
struct Requests {
    generation: AtomicU32,
    position: AtomicU64,
}

/// Frames rendered per chunk.
const CHUNK_FRAMES: usize = 2048;
/// A gap this long before the data means the data is for somewhere else: ask again.
const MAX_GAP_S: f64 = 0.25;

/// Creates the two ends of a track stream holding `seconds` of audio, starting at timeline
/// sample `from`.
pub fn stream_pair(
    layer: ClipLayer,
    rate: u32,
    seconds: f64,
    from: u64,
    block_frames: usize,
) -> (StreamProducer, StreamConsumer) {
    let ch = if layer.mono { 1 } else { 2 };
    let frames = ((seconds * rate as f64) as usize).max(CHUNK_FRAMES * 2);
    let (sp, sc) = HeapRb::<f32>::new(frames * ch).split();
    let (hp, hc) = HeapRb::<Chunk>::new(frames / 256 + 16).split();
    let requests = Arc::new(Requests::default());
    let regions = layer.regions.clone();
    let producer = StreamProducer {
        layer,
        samples: sp,
        chunks: hp,
        requests: requests.clone(),
        generation: 0,
        next: from,
        ch,
        left: vec![0.0; CHUNK_FRAMES],
        right: vec![0.0; CHUNK_FRAMES],
        interleaved: vec![0.0; CHUNK_FRAMES * ch],
    };
    let consumer = StreamConsumer {
        samples: sc,
        chunks: hc,
        requests,
        generation: 0,
        current: None,
        regions,
        ch,
        max_gap: (MAX_GAP_S * rate as f64) as u64,
        margin: rate as u64 / 20,
        scratch: vec![0.0; block_frames * ch],
    };
    (producer, consumer)
}

/// The engine thread's end: renders clips into the ring.
pub struct StreamProducer {
    layer: ClipLayer,
    samples: HeapProd<f32>,
    chunks: HeapProd<Chunk>,
    requests: Arc<Requests>,
    generation: u32,
    /// Timeline sample of the next frame to render.
    next: u64,
    ch: usize,
    left: Vec<f32>,
    right: Vec<f32>,
    interleaved: Vec<f32>,
}

impl StreamProducer {
    /// Renders ahead until the ring is full or there is nothing left to play. Returns the
    /// frames rendered. Engine thread.
    pub fn fill(&mut self, status: &SharedStatus) -> Result<usize, EngineError> {
        let g = self.requests.generation.load(Ordering::Acquire);
        if g != self.generation {
            self.generation = g;
            self.next = self.requests.position.load(Ordering::Acquire);
        }
        let looping = status.loop_enabled.load(Ordering::Relaxed);
        let (ls, le) = (
            status.loop_start.load(Ordering::Relaxed),
            status.loop_end.load(Ordering::Relaxed),
        );
        let mut total = 0;
        for _ in 0..10_000 {
            let mut t = self.next;
            // The playhead wraps at the loop end while it is inside the loop.
            let wraps = looping && ls < le && status.position.load(Ordering::Relaxed) < le;
            if wraps && t >= le {
                t = ls;
            }
            // Skip to the next stretch with clips (the callback plays silence between).
            let Some(&(rs, re)) = self.layer.regions.iter().find(|r| r.1 > t) else {
                if wraps && t != ls && ls < self.layer.end() {
                    self.next = ls;
                    continue;
                }
                self.next = t;
                break;
            };
            if t < rs {
                if wraps && rs >= le {
                    if t == ls {
                        break;
                    }
                    self.next = ls;
                    continue;
                }
                t = rs;
            }
            let mut n = (re - t).min(CHUNK_FRAMES as u64) as usize;
            if wraps && t < le {
                n = n.min((le - t) as usize);
            }
            n = n.min(self.samples.vacant_len() / self.ch);
            if n == 0 || self.chunks.is_full() {
                self.next = t;
                break;
            }
            self.layer
                .render(t, &mut self.left[..n], &mut self.right[..n])?;
            if self.ch == 1 {
                self.interleaved[..n].copy_from_slice(&self.left[..n]);
            } else {
                for i in 0..n {
                    self.interleaved[2 * i] = self.left[i];
                    self.interleaved[2 * i + 1] = self.right[i];
                }
            }
            // Samples first, then the header: when the callback sees the header, the
            // samples are there.
            self.samples.push_slice(&self.interleaved[..n * self.ch]);
            let _ = self.chunks.try_push(Chunk {
                generation: self.generation,
                start: t,
                frames: n as u32,
            });
            self.next = t + n as u64;
            total += n;
        }
        Ok(total)
    }
}

/// The callback's end: hands out the frames of the playhead's position.
pub struct StreamConsumer {
    samples: HeapCons<f32>,
    chunks: HeapCons<Chunk>,
    requests: Arc<Requests>,
    generation: u32,
    /// The chunk being read: (timeline sample of its next frame, frames left).
    current: Option<(u64, u32)>,
    regions: Vec<(u64, u64)>,
    ch: usize,
    max_gap: u64,
    margin: u64,
    scratch: Vec<f32>,
}

impl StreamConsumer {
    /// Asks the filler to start again at `position` and drops what is queued.
    /// Called on the audio thread.
    pub fn seek(&mut self, position: u64) {
        self.drop_current();
        self.generation = self.generation.wrapping_add(1);
        self.requests.position.store(position, Ordering::Release);
        self.requests
            .generation
            .store(self.generation, Ordering::Release);
    }

    fn drop_current(&mut self) {
        if let Some((_, left)) = self.current.take() {
            self.samples.skip(left as usize * self.ch);
        }
    }

    /// Writes timeline samples [t0, t0 + left.len()) into `left`/`right` (overwriting; a mono
    /// stream writes `left` only). Returns false when data that should be there was missing.
    /// Called on the audio thread.
    pub fn read(&mut self, t0: u64, left: &mut [f32], right: &mut [f32]) -> bool {
        let n = left.len();
        left.fill(0.0);
        if self.ch == 2 {
            right.fill(0.0);
        }
        let mut i = 0usize;
        let mut ok = true;
        while i < n {
            let t = t0 + i as u64;
            // Outside every clip: silence, nothing to read.
            let r = self.regions.partition_point(|r| r.1 <= t);
            let Some(&(rs, _)) = self.regions.get(r) else {
                break;
            };
            if t < rs {
                i = ((rs - t0) as usize).min(n);
                continue;
            }
            let (start, frames) = match self.current {
                Some(c) if c.1 > 0 => c,
                _ => match self.chunks.try_pop() {
                    None => {
                        // Underrun: ask for data a little ahead unless a request is pending.
                        ok = false;
                        let pending =
                            self.requests.generation.load(Ordering::Relaxed) != self.generation;
                        if !pending {
                            self.seek(t + self.margin);
                        }
                        break;
                    }
                    Some(c) if c.generation != self.generation => {
                        self.samples.skip(c.frames as usize * self.ch);
                        continue;
                    }
                    Some(c) => {
                        self.current = Some((c.start, c.frames));
                        (c.start, c.frames)
                    }
                },
            };
            if start + frames as u64 <= t {
                self.drop_current();
                continue;
            }
            if start < t {
                let skip = (t - start) as u32;
                self.samples.skip(skip as usize * self.ch);
                self.current = Some((t, frames - skip));
                continue;
            }
            if start > t {
                if start - t > self.max_gap {
                    ok = false;
                    self.seek(t + self.margin);
                    break;
                }
                i = ((start - t0) as usize).min(n);
                continue;
            }
            let k = (frames as usize).min(n - i);
            let got = self.samples.pop_slice(&mut self.scratch[..k * self.ch]) / self.ch;
            if self.ch == 1 {
                left[i..i + got].copy_from_slice(&self.scratch[..got]);
            } else {
                for j in 0..got {
                    left[i + j] = self.scratch[2 * j];
                    right[i + j] = self.scratch[2 * j + 1];
                }
            }
            self.current = Some((start + k as u64, frames - k as u32));
            i += k;
        }
        ok
    }
}
