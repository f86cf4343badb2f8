//! Opus for the monitor stream, through Debian's libopus (audiopus). Opus runs at 8, 12, 16,
//! 24 or 48 kHz only; `tdaw monitor` falls back to the lossless codec at other rates.

use audiopus::coder::{Decoder, Encoder};
use audiopus::{Application, Bitrate, Channels, SampleRate};

/// The largest Opus packet (RFC 6716: 1275 bytes a frame, up to 3 frames a packet).
const MAX_PACKET: usize = 4000;

fn rate(hz: u32) -> Result<SampleRate, String> {
    SampleRate::try_from(hz as i32).map_err(|_| {
        format!("Opus does not run at {hz} Hz (only 8, 12, 16, 24 or 48 kHz); use --codec flac")
    })
}

fn channels(n: u16) -> Result<Channels, String> {
    match n {
        1 => Ok(Channels::Mono),
        2 => Ok(Channels::Stereo),
        _ => Err(format!("Opus carries 1 or 2 channels, not {n}")),
    }
}

/// Whether Opus can carry audio at `hz`.
pub fn supports_rate(hz: u32) -> bool {
    rate(hz).is_ok()
}

/// An Opus encoder for music at a fixed bitrate.
pub struct OpusEncoder {
    inner: Encoder,
    hz: u32,
    packet: Vec<u8>,
}

impl OpusEncoder {
    pub fn new(hz: u32, ch: u16, kbps: u32) -> Result<OpusEncoder, String> {
        let mut inner = Encoder::new(rate(hz)?, channels(ch)?, Application::Audio)
            .map_err(|e| format!("could not start the Opus encoder: {e}"))?;
        let bps = (kbps.clamp(6, 510) * 1000) as i32;
        inner
            .set_bitrate(Bitrate::BitsPerSecond(bps))
            .map_err(|e| format!("Opus refused {kbps} kbit/s: {e}"))?;
        Ok(OpusEncoder {
            inner,
            hz,
            packet: vec![0; MAX_PACKET],
        })
    }

    /// The encoder's lookahead in samples at 48 kHz: an Ogg Opus stream's pre-skip (312 for
    /// libopus's music mode at 48 kHz when the encoder does not say).
    pub fn lookahead_48k(&self) -> u16 {
        match self.inner.lookahead() {
            Ok(n) => (n as u64 * 48_000 / self.hz.max(1) as u64).min(u16::MAX as u64) as u16,
            Err(_) => 312,
        }
    }

    /// Encodes one frame (2.5, 5, 10, 20, 40 or 60 ms of interleaved samples), appending the
    /// packet to `out`.
    pub fn encode(&mut self, samples: &[f32], out: &mut Vec<u8>) -> Result<(), String> {
        let n = self
            .inner
            .encode_float(samples, &mut self.packet)
            .map_err(|e| format!("Opus could not encode a frame: {e}"))?;
        out.extend_from_slice(&self.packet[..n]);
        Ok(())
    }
}

/// An Opus decoder.
pub struct OpusDecoder {
    inner: Decoder,
    channels: usize,
    pcm: Vec<f32>,
}

impl OpusDecoder {
    pub fn new(hz: u32, ch: u16) -> Result<OpusDecoder, String> {
        let inner = Decoder::new(rate(hz)?, channels(ch)?)
            .map_err(|e| format!("could not start the Opus decoder: {e}"))?;
        Ok(OpusDecoder {
            inner,
            channels: ch as usize,
            pcm: Vec::new(),
        })
    }

    /// Decodes a packet of `frames` frames, appending them to `out`.
    pub fn decode(
        &mut self,
        packet: &[u8],
        frames: usize,
        out: &mut Vec<f32>,
    ) -> Result<(), String> {
        self.pcm.resize(frames * self.channels, 0.0);
        let p = audiopus::packet::Packet::try_from(packet)
            .map_err(|e| format!("a bad Opus packet ({e})"))?;
        let signals = audiopus::MutSignals::try_from(&mut self.pcm[..])
            .map_err(|e| format!("a bad Opus frame ({e})"))?;
        let n = self
            .inner
            .decode_float(Some(p), signals, false)
            .map_err(|e| format!("a bad Opus packet ({e})"))?;
        if n != frames {
            return Err(format!(
                "an Opus packet of {n} frames where {frames} were announced"
            ));
        }
        out.extend_from_slice(&self.pcm[..n * self.channels]);
        Ok(())
    }
}
