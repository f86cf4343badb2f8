//! Sample-rate conversion with rubato's FFT resampler, streamed chunk by chunk so memory stays
//! bounded, with the resampler's delay trimmed so the output lines up with the input.

use super::CodecError;
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler};

/// Input frames per resampler call.
const CHUNK: usize = 1024;

/// Converts a stream of interleaved f32 from one rate to another.
///
/// Feed any number of frames with [`StreamResampler::process`], then call
/// [`StreamResampler::finish`] once; the total output is `ceil(input * to / from)` frames,
/// aligned with the input (no leading delay).
pub struct StreamResampler {
    inner: Fft<f32>,
    from: u32,
    to: u32,
    channels: usize,
    /// Interleaved input not yet consumed (less than one chunk between calls).
    input: Vec<f32>,
    scratch: Vec<f32>,
    /// Output frames still to drop at the start (the resampler's delay).
    to_trim: usize,
    frames_in: u64,
    frames_out: u64,
}

impl std::fmt::Debug for StreamResampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamResampler")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("channels", &self.channels)
            .finish_non_exhaustive()
    }
}

impl StreamResampler {
    /// A converter from `from` Hz to `to` Hz for `channels` interleaved channels.
    pub fn new(from: u32, to: u32, channels: u16) -> Result<Self, CodecError> {
        let err = |detail: String| CodecError::Resample { from, to, detail };
        if from == 0 || to == 0 || channels == 0 {
            return Err(err("rates and channel count must be positive".into()));
        }
        let inner = Fft::<f32>::new(
            from as usize,
            to as usize,
            CHUNK,
            channels as usize,
            FixedSync::Input,
        )
        .map_err(|e| err(e.to_string()))?;
        let to_trim = inner.output_delay();
        let scratch = vec![0.0; inner.output_frames_max() * channels as usize];
        Ok(StreamResampler {
            inner,
            from,
            to,
            channels: channels as usize,
            input: Vec::with_capacity(2 * CHUNK * channels as usize),
            scratch,
            to_trim,
            frames_in: 0,
            frames_out: 0,
        })
    }

    /// Output frames the whole stream will have once finished.
    fn expected_out(&self) -> u64 {
        (self.frames_in as u128 * self.to as u128).div_ceil(self.from as u128) as u64
    }

    /// Feeds interleaved frames; appends whatever output is ready to `out`.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) -> Result<(), CodecError> {
        let ch = self.channels;
        self.frames_in += (input.len() / ch) as u64;
        let mut rest = &input[..input.len() / ch * ch];
        loop {
            let need = self.inner.input_frames_next();
            let have = self.input.len() / ch;
            if have + rest.len() / ch < need {
                self.input.extend_from_slice(rest);
                return Ok(());
            }
            let take = (need - have) * ch;
            self.input.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            self.run_chunk(None, out)?;
            self.input.clear();
        }
    }

    /// Flushes the rest of the stream into `out`. The converter is reset afterwards and can be
    /// used for another stream.
    pub fn finish(&mut self, out: &mut Vec<f32>) -> Result<(), CodecError> {
        let expected = self.expected_out();
        let partial = self.input.len() / self.channels;
        if partial > 0 {
            self.run_chunk(Some(partial), out)?;
            self.input.clear();
        }
        while self.frames_out < expected {
            self.run_chunk(Some(0), out)?;
        }
        let extra = (self.frames_out - expected) as usize;
        out.truncate(out.len() - extra * self.channels);
        self.inner.reset();
        self.to_trim = self.inner.output_delay();
        self.frames_in = 0;
        self.frames_out = 0;
        Ok(())
    }

    fn run_chunk(&mut self, partial: Option<usize>, out: &mut Vec<f32>) -> Result<(), CodecError> {
        let ch = self.channels;
        let need = self.inner.input_frames_next();
        // Zero-pad the buffer to a whole chunk; `partial_len` tells rubato how much is real.
        self.input.resize(need * ch, 0.0);
        let err = |detail: String| CodecError::Resample {
            from: self.from,
            to: self.to,
            detail,
        };
        let in_adapter =
            InterleavedSlice::new(&self.input, ch, need).map_err(|e| err(e.to_string()))?;
        let out_frames = self.scratch.len() / ch;
        let mut out_adapter = InterleavedSlice::new_mut(&mut self.scratch, ch, out_frames)
            .map_err(|e| err(e.to_string()))?;
        let mut indexing = Indexing::new();
        indexing.partial_len = partial;
        let (_, produced) = self
            .inner
            .process_into_buffer(&in_adapter, &mut out_adapter, Some(&indexing))
            .map_err(|e| err(e.to_string()))?;
        let trim = self.to_trim.min(produced);
        self.to_trim -= trim;
        out.extend_from_slice(&self.scratch[trim * ch..produced * ch]);
        self.frames_out += (produced - trim) as u64;
        Ok(())
    }
}

/// Converts a whole interleaved buffer from `from` Hz to `to` Hz.
pub fn resample(
    samples: &[f32],
    channels: u16,
    from: u32,
    to: u32,
) -> Result<Vec<f32>, CodecError> {
    if from == to {
        return Ok(samples.to_vec());
    }
    let mut r = StreamResampler::new(from, to, channels)?;
    let expected = (samples.len() / channels.max(1) as usize) as u128 * to as u128;
    let mut out = Vec::with_capacity(
        (expected.div_ceil(from.max(1) as u128) as usize + 16) * channels as usize,
    );
    r.process(samples, &mut out)?;
    r.finish(&mut out)?;
    Ok(out)
}
