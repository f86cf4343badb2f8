//! Streaming a track's clips from disk for live playback. The engine thread renders the
//! track's [`ClipLayer`] ahead of the playhead into a ring buffer (about a second); the
//! callback takes the samples it needs. Chunks carry their timeline position and a
//! generation, so after a seek the callback skips stale data and asks for a new position
//! (an atomic request the engine thread picks up) instead of playing the wrong audio. Loop
//! wraps are predicted by the filler, so a looping playhead finds its data ready.
//!
//! A track holds its ring (and its open files) only while one of its clips is within the
//! look-ahead window of the playhead: the engine thread allocates the ring and hands it to the
//! callback through a one-slot queue when a clip comes near, and asks for it back (an atomic
//! flag; the callback returns it through a second queue, so it is freed on the engine thread)
//! once the playhead has left every clip behind. Ten thousand tracks with their clips spread
//! over the song hold a few rings, not ten thousand.

use super::clips::ClipLayer;
use super::meters::SharedStatus;
use super::EngineError;
use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
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

/// The callback's requests to the filler, and the filler's request for the ring back.
#[derive(Debug, Default)]
struct Requests {
    generation: AtomicU32,
    position: AtomicU64,
    /// Set by the filler: hand the ring back (no clip is near the playhead).
    release: AtomicBool,
}

/// Frames rendered per chunk.
const CHUNK_FRAMES: usize = 2048;
/// A gap this long before the data means the data is for somewhere else: ask again.
const MAX_GAP_S: f64 = 0.25;
/// A track takes its ring when a clip starts within this many seconds of the playhead.
pub const LOOKAHEAD_S: f64 = 1.0;

/// The callback's end of a ring, with its scratch: it travels between the threads as a box.
struct RingCons {
    samples: HeapCons<f32>,
    chunks: HeapCons<Chunk>,
    scratch: Vec<f32>,
}

/// The filler's end of a ring, with its render buffers.
struct RingProd {
    samples: HeapProd<f32>,
    chunks: HeapProd<Chunk>,
    left: Vec<f32>,
    right: Vec<f32>,
    interleaved: Vec<f32>,
}

/// Creates the two ends of a track stream holding up to `seconds` of audio, starting at
/// timeline sample `from`. The ring itself is made when a clip comes near the playhead.
pub fn stream_pair(
    layer: ClipLayer,
    rate: u32,
    seconds: f64,
    from: u64,
    block_frames: usize,
) -> (StreamProducer, StreamConsumer) {
    let ch = if layer.mono { 1 } else { 2 };
    // A track of short clips needs no more than half a second.
    let playing: u64 = layer.regions.iter().map(|r| r.1 - r.0).sum();
    let frames = ((seconds * rate as f64) as usize)
        .min((playing as usize).max(rate as usize / 2))
        .max(CHUNK_FRAMES * 2);
    let (attach_tx, attach_rx) = HeapRb::<Box<RingCons>>::new(1).split();
    let (return_tx, return_rx) = HeapRb::<Box<RingCons>>::new(2).split();
    let requests = Arc::new(Requests::default());
    let regions = layer.regions.clone();
    let producer = StreamProducer {
        layer,
        ring: None,
        releasing: false,
        attach: attach_tx,
        returned: return_rx,
        frames,
        block_frames,
        lookahead: (LOOKAHEAD_S * rate as f64) as u64,
        requests: requests.clone(),
        generation: 0,
        next: from,
        ch,
    };
    let consumer = StreamConsumer {
        ring: None,
        attach: attach_rx,
        give_back: return_tx,
        requests,
        generation: 0,
        current: None,
        regions,
        ch,
        max_gap: (MAX_GAP_S * rate as f64) as u64,
        margin: rate as u64 / 20,
    };
    (producer, consumer)
}

/// The engine thread's end: renders clips into the ring.
pub struct StreamProducer {
    layer: ClipLayer,
    /// The ring while the callback has it (or it is on its way there).
    ring: Option<RingProd>,
    /// The callback was asked to give the ring back and has not yet.
    releasing: bool,
    attach: HeapProd<Box<RingCons>>,
    returned: HeapCons<Box<RingCons>>,
    /// Ring size in frames.
    frames: usize,
    block_frames: usize,
    lookahead: u64,
    requests: Arc<Requests>,
    generation: u32,
    /// Timeline sample of the next frame to render.
    next: u64,
    ch: usize,
}

impl StreamProducer {
    /// Whether the track holds a ring now (for tests and measurements).
    pub fn has_ring(&self) -> bool {
        self.ring.is_some()
    }

    /// Files the track has open now (for tests and measurements).
    pub fn open_files(&self) -> usize {
        self.layer.open_files()
    }

    /// Whether a clip plays in [from, from + lookahead).
    fn near(&self, from: u64) -> bool {
        let to = from.saturating_add(self.lookahead);
        let i = self.layer.regions.partition_point(|r| r.1 <= from);
        self.layer.regions.get(i).is_some_and(|r| r.0 < to)
    }

    /// Takes or gives back the ring as the playhead nears or leaves the clips, then renders
    /// ahead until the ring is full, the look-ahead is covered or there is nothing left to
    /// play. Returns the frames rendered. Engine thread.
    pub fn fill(&mut self, status: &SharedStatus) -> Result<usize, EngineError> {
        while let Some(back) = self.returned.try_pop() {
            drop(back);
            self.ring = None;
            self.releasing = false;
            self.layer.close();
        }
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
        let playhead = status.position.load(Ordering::Relaxed);
        let wraps = looping && ls < le && playhead < le;
        let needed = self.near(playhead)
            || self.near(self.next.min(playhead + self.lookahead))
            || (wraps && le - playhead < self.lookahead && self.near(ls));
        if self.releasing {
            return Ok(0);
        }
        if !needed {
            if self.ring.is_some() {
                self.releasing = true;
                self.requests.release.store(true, Ordering::Release);
            }
            return Ok(0);
        }
        if self.ring.is_none() {
            self.attach_ring();
        }
        let limit = playhead.max(self.next.min(playhead + self.lookahead)) + self.lookahead;
        let Some(ring) = self.ring.as_mut() else {
            return Ok(0);
        };
        let mut total = 0;
        for _ in 0..10_000 {
            let mut t = self.next;
            // The playhead wraps at the loop end while it is inside the loop.
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
            // Nothing beyond the look-ahead: a later clip gets its data when it comes near.
            if t >= limit {
                self.next = t;
                break;
            }
            let mut n = (re - t).min(CHUNK_FRAMES as u64) as usize;
            if wraps && t < le {
                n = n.min((le - t) as usize);
            }
            n = n.min(ring.samples.vacant_len() / self.ch);
            if n == 0 || ring.chunks.is_full() {
                self.next = t;
                break;
            }
            self.layer
                .render(t, &mut ring.left[..n], &mut ring.right[..n])?;
            if self.ch == 1 {
                ring.interleaved[..n].copy_from_slice(&ring.left[..n]);
            } else {
                for i in 0..n {
                    ring.interleaved[2 * i] = ring.left[i];
                    ring.interleaved[2 * i + 1] = ring.right[i];
                }
            }
            // Samples first, then the header: when the callback sees the header, the
            // samples are there.
            ring.samples.push_slice(&ring.interleaved[..n * self.ch]);
            let _ = ring.chunks.try_push(Chunk {
                generation: self.generation,
                start: t,
                frames: n as u32,
            });
            self.next = t + n as u64;
            total += n;
        }
        Ok(total)
    }

    /// Makes a ring and sends the callback its end.
    fn attach_ring(&mut self) {
        let (sp, sc) = HeapRb::<f32>::new(self.frames * self.ch).split();
        let (hp, hc) = HeapRb::<Chunk>::new(self.frames / 256 + 16).split();
        let cons = Box::new(RingCons {
            samples: sc,
            chunks: hc,
            scratch: vec![0.0; self.block_frames * self.ch],
        });
        // The slot is empty: a ring is only sent while the producer holds none.
        if self.attach.try_push(cons).is_ok() {
            self.ring = Some(RingProd {
                samples: sp,
                chunks: hp,
                left: vec![0.0; CHUNK_FRAMES],
                right: vec![0.0; CHUNK_FRAMES],
                interleaved: vec![0.0; CHUNK_FRAMES * self.ch],
            });
        }
    }
}

/// The callback's end: hands out the frames of the playhead's position.
pub struct StreamConsumer {
    ring: Option<Box<RingCons>>,
    attach: HeapCons<Box<RingCons>>,
    give_back: HeapProd<Box<RingCons>>,
    requests: Arc<Requests>,
    generation: u32,
    /// The chunk being read: (timeline sample of its next frame, frames left).
    current: Option<(u64, u32)>,
    regions: Vec<(u64, u64)>,
    ch: usize,
    max_gap: u64,
    margin: u64,
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
        if let (Some((_, left)), Some(ring)) = (self.current.take(), self.ring.as_mut()) {
            ring.samples.skip(left as usize * self.ch);
        }
    }

    /// Takes a ring the filler sent, or gives the ring back when the filler asks. Only moves
    /// boxes through queues. Called on the audio thread.
    pub fn service(&mut self) {
        // Cleared before the ring goes back, so a later request is never lost.
        if self.requests.release.swap(false, Ordering::AcqRel) {
            self.current = None;
            if let Some(ring) = self.ring.take() {
                let _ = self.give_back.try_push(ring);
            }
            if let Some(ring) = self.attach.try_pop() {
                let _ = self.give_back.try_push(ring);
            }
        } else if self.ring.is_none() {
            self.ring = self.attach.try_pop();
        }
    }

    /// Writes timeline samples [t0, t0 + left.len()) into `left`/`right` (overwriting; a mono
    /// stream writes `left` only). Returns false when data that should be there was missing.
    /// Called on the audio thread.
    pub fn read(&mut self, t0: u64, left: &mut [f32], right: &mut [f32]) -> bool {
        self.service();
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
            let Some(ring) = self.ring.as_mut() else {
                // The filler has not sent the ring yet: say where the playhead is.
                ok = false;
                let pending = self.requests.generation.load(Ordering::Relaxed) != self.generation;
                if !pending {
                    self.seek(t + self.margin);
                }
                break;
            };
            let (start, frames) = match self.current {
                Some(c) if c.1 > 0 => c,
                _ => match ring.chunks.try_pop() {
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
                        ring.samples.skip(c.frames as usize * self.ch);
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
                ring.samples.skip(skip as usize * self.ch);
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
            let got = ring.samples.pop_slice(&mut ring.scratch[..k * self.ch]) / self.ch;
            if self.ch == 1 {
                left[i..i + got].copy_from_slice(&ring.scratch[..got]);
            } else {
                for j in 0..got {
                    left[i + j] = ring.scratch[2 * j];
                    right[i + j] = ring.scratch[2 * j + 1];
                }
            }
            self.current = Some((start + k as u64, frames - k as u32));
            i += k;
        }
        ok
    }
}
