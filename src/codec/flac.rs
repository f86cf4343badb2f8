//! Writing FLAC (16 or 24-bit) with the pure-Rust `flacenc` encoder, one frame at a time so
//! memory stays bounded whatever the length. The STREAMINFO block is written first with
//! zero totals and rewritten in place when the stream finishes (total samples, frame
//! sizes, the MD5 of the audio), since its size never changes.

use flacenc::component::{BitRepr, Stream, StreamInfo};
use flacenc::error::Verify;
use flacenc::source::{Context, Fill, FrameBuf};
use std::io::{Seek, SeekFrom, Write};

/// Per-channel samples in one FLAC frame (the reference encoder's default).
const BLOCK: usize = 4096;

fn err(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("FLAC encoder: {e}"))
}

/// A FLAC stream being written from interleaved integer samples.
pub struct FlacStream<W: Write + Seek> {
    out: W,
    config: flacenc::error::Verified<flacenc::config::Encoder>,
    /// Verbatim only: used for a frame the predictive coder made larger than raw PCM (flacenc
    /// caps the Rice parameter at 14, so loud noisy 24-bit audio can code to several times its
    /// raw size).
    verbatim: flacenc::error::Verified<flacenc::config::Encoder>,
    info: StreamInfo,
    framebuf: FrameBuf,
    context: Context,
    channels: usize,
    bits: usize,
    /// Interleaved samples waiting for a whole frame.
    pending: Vec<i32>,
    frames: usize,
    sink: flacenc::bitsink::ByteSink,
}

impl<W: Write + Seek> FlacStream<W> {
    /// Writes the stream header to `out` (at its start). `bits` is 16 or 24.
    pub fn new(mut out: W, rate: u32, channels: u16, bits: u16) -> std::io::Result<Self> {
        if !(bits == 16 || bits == 24) {
            return Err(err(format!("{bits}-bit samples (16 or 24 only)")));
        }
        let channels = channels as usize;
        let bits = bits as usize;
        let mut config = flacenc::config::Encoder::default();
        // One frame at a time on the caller's thread: the render already uses the cores.
        config.multithread = false;
        config.block_size = BLOCK;
        let mut verbatim = config.clone();
        verbatim.subframe_coding.use_fixed = false;
        verbatim.subframe_coding.use_lpc = false;
        let config = config.into_verified().map_err(|(_, e)| err(e))?;
        let verbatim = verbatim.into_verified().map_err(|(_, e)| err(e))?;
        let info = StreamInfo::new(rate as usize, channels, bits).map_err(err)?;
        let mut s = FlacStream {
            framebuf: FrameBuf::with_size(channels, BLOCK).map_err(err)?,
            context: Context::new(bits, channels),
            config,
            verbatim,
            info,
            channels,
            bits,
            pending: Vec::with_capacity(BLOCK * channels),
            frames: 0,
            sink: flacenc::bitsink::ByteSink::new(),
            out: {
                out.seek(SeekFrom::Start(0))?;
                out
            },
        };
        s.write_header()?;
        Ok(s)
    }

    fn write_header(&mut self) -> std::io::Result<()> {
        let mut header = flacenc::bitsink::ByteSink::new();
        Stream::with_stream_info(self.info.clone())
            .write(&mut header)
            .map_err(err)?;
        self.out.write_all(header.as_slice())
    }

    /// Appends interleaved samples, already in range for the bit depth.
    pub fn write(&mut self, samples: &[i32]) -> std::io::Result<()> {
        let whole = BLOCK * self.channels;
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (whole - self.pending.len()).min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() == whole {
                self.encode_pending()?;
            }
        }
        Ok(())
    }

    fn encode_pending(&mut self) -> std::io::Result<()> {
        let frames = self.pending.len() / self.channels;
        if frames == 0 {
            return Ok(());
        }
        let limit = 1i32 << (self.bits - 1);
        for s in &mut self.pending {
            *s = (*s).clamp(-limit, limit - 1);
        }
        (&mut self.framebuf, &mut self.context)
            .fill_interleaved(&self.pending[..frames * self.channels])
            .map_err(err)?;
        let mut frame =
            flacenc::encode_fixed_size_frame(&self.config, &self.framebuf, self.frames, &self.info)
                .map_err(err)?;
        // Raw PCM plus a generous allowance for headers and the side channel's extra bit.
        let raw_bits = frames * self.channels * (self.bits + 1) + 256;
        if frame.count_bits() > raw_bits {
            frame = flacenc::encode_fixed_size_frame(
                &self.verbatim,
                &self.framebuf,
                self.frames,
                &self.info,
            )
            .map_err(err)?;
        }
        self.info.update_frame_info(&frame);
        self.sink.clear();
        frame.write(&mut self.sink).map_err(err)?;
        self.out.write_all(self.sink.as_slice())?;
        self.frames += 1;
        self.pending.clear();
        Ok(())
    }

    /// Encodes what is left, rewrites STREAMINFO with the final figures, returns the sink.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.encode_pending()?;
        self.info.set_md5_digest(&self.context.md5_digest());
        // Fixed blocking: the last, shorter frame does not count as the minimum (as the
        // reference encoder writes it; readers take min < max for variable blocking).
        self.info.set_block_sizes(BLOCK, BLOCK).map_err(err)?;
        if self.frames == 0 {
            self.info.set_frame_sizes(0, 0).map_err(err)?;
        }
        self.out.seek(SeekFrom::Start(0))?;
        self.write_header()?;
        self.out.seek(SeekFrom::End(0))?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flac_round_trips_16_and_24_bit_exactly_through_the_reader() {
        let dir = tempfile::tempdir().unwrap();
        let frames = 10_001usize; // not a whole number of blocks
        for bits in [16u16, 24] {
            let full = (1i64 << (bits - 1)) as f64;
            let src: Vec<i32> = (0..frames * 2)
                .map(|i| ((i as f64 * 0.011).sin() * 0.8 * full) as i32)
                .collect();
            let path = dir.path().join(format!("t{bits}.flac"));
            let file = std::fs::File::create(&path).unwrap();
            let mut w = FlacStream::new(std::io::BufWriter::new(file), 48_000, 2, bits).unwrap();
            w.write(&src[..777]).unwrap();
            w.write(&src[777..]).unwrap();
            w.finish().unwrap();
            let mut r = crate::codec::AudioReader::open(&path).unwrap();
            assert_eq!(r.frames(), Some(frames as u64));
            let (got, rate, ch) = crate::codec::read_all(&path).unwrap();
            assert_eq!((rate, ch, got.len()), (48_000, 2, src.len()));
            for (g, s) in got.iter().zip(&src) {
                assert_eq!((*g as f64 * full).round() as i32, *s, "{bits} bits");
            }
            r.seek(9000).unwrap();
        }
        let sink = std::io::Cursor::new(Vec::new());
        assert!(FlacStream::new(sink, 48_000, 2, 32).is_err());
    }
}
#[cfg(test)]
mod size_tests {
    /// flacenc's predictive coder codes loud white noise at 24 bits to ~142 bits a sample
    /// (its Rice parameter stops at 14); such frames must fall back to verbatim.
    #[test]
    fn loud_noise_never_codes_larger_than_raw_pcm() {
        let mut x = 12345u64;
        let src: Vec<i32> = (0..48_000 * 2)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x >> 40) as i32 - (1 << 23)) / 4
            })
            .collect();
        let mut w =
            super::FlacStream::new(std::io::Cursor::new(Vec::new()), 48_000, 2, 24).unwrap();
        w.write(&src).unwrap();
        let out = w.finish().unwrap().into_inner();
        let bits = out.len() as f64 * 8.0 / src.len() as f64;
        assert!(bits < 25.0, "{bits} bits a sample");
        // The verbatim frames read back exactly.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("noise.flac");
        std::fs::write(&path, &out).unwrap();
        let (got, _, _) = crate::codec::read_all(&path).unwrap();
        assert_eq!(got.len(), src.len());
        for (g, s) in got.iter().zip(&src) {
            assert_eq!((*g as f64 * 8_388_608.0).round() as i32, *s);
        }
    }
}
