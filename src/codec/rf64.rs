//! Reading RF64 (EBU Tech 3306), the WAV form for files past 4 GiB, which symphonia does not
//! know: the header is parsed here (`ds64` gives the 64-bit sizes) and integer or float PCM is
//! read straight from the file, one bounded chunk at a time. Plain WAV's PCM data is read the
//! same way once symphonia has parsed its header ([`PcmSource::at_data`]): converting whole
//! chunks straight to f32 costs a fraction of symphonia's per-packet decode, with the same
//! samples bit for bit (the conversions below are symphonia's).

use super::CodecError;
use std::fs::File;
use std::io::{BufReader, ErrorKind, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Whether the first bytes of a file say RF64 (`RF64....WAVE`, or the `BW64` spelling).
pub fn is_rf64(head: &[u8]) -> bool {
    head.len() >= 12 && (&head[..4] == b"RF64" || &head[..4] == b"BW64") && &head[8..12] == b"WAVE"
}

/// Sample encoding of the data chunk: `Int(8)` is unsigned, wider integers are signed, all
/// little-endian.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Int(u16),
    Float32,
    Float64,
}

/// The PCM data of an RF64 file.
pub struct PcmSource {
    path: PathBuf,
    file: BufReader<File>,
    pub rate: u32,
    pub channels: u16,
    pub frames: u64,
    encoding: Encoding,
    data_start: u64,
    block_align: u64,
    /// Frame index the file is at.
    at: u64,
    raw: Vec<u8>,
}

/// Frames converted per read at most, so the raw buffer stays small whatever the caller asks.
const MAX_READ_FRAMES: usize = 16_384;

fn bad(path: &Path, detail: impl Into<String>) -> CodecError {
    CodecError::BadHeader {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

impl PcmSource {
    /// Parses the header of the RF64 file `path`.
    pub fn open(path: &Path) -> Result<PcmSource, CodecError> {
        let io = |error: std::io::Error| {
            if error.kind() == ErrorKind::UnexpectedEof {
                CodecError::TruncatedHeader {
                    path: path.to_path_buf(),
                }
            } else {
                CodecError::Io {
                    path: path.to_path_buf(),
                    error,
                }
            }
        };
        let mut file = BufReader::new(File::open(path).map_err(io)?);
        let mut head = [0u8; 12];
        file.read_exact(&mut head).map_err(io)?;
        if !is_rf64(&head) {
            return Err(bad(path, "not an RF64 file"));
        }
        let mut data_size64: Option<u64> = None;
        let mut fmt: Option<(u16, u16, u32, u16, u16)> = None;
        let mut pos = 12u64;
        loop {
            let mut ch = [0u8; 8];
            file.read_exact(&mut ch).map_err(io)?;
            pos += 8;
            let id = [ch[0], ch[1], ch[2], ch[3]];
            let len32 = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]);
            match &id {
                b"ds64" => {
                    if len32 < 24 {
                        return Err(bad(path, "the ds64 chunk is too short"));
                    }
                    let mut b = [0u8; 24];
                    file.read_exact(&mut b).map_err(io)?;
                    data_size64 = Some(u64::from_le_bytes([
                        b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15],
                    ]));
                    skip(&mut file, len32 as u64 - 24 + (len32 as u64 % 2)).map_err(io)?;
                }
                b"fmt " => {
                    if len32 < 16 {
                        return Err(bad(path, "the fmt chunk is too short"));
                    }
                    let mut b = [0u8; 16];
                    file.read_exact(&mut b).map_err(io)?;
                    let mut tag = u16::from_le_bytes([b[0], b[1]]);
                    let channels = u16::from_le_bytes([b[2], b[3]]);
                    let rate = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
                    let align = u16::from_le_bytes([b[12], b[13]]);
                    let bits = u16::from_le_bytes([b[14], b[15]]);
                    let mut rest = len32 as u64 - 16;
                    if tag == 0xFFFE && len32 >= 40 {
                        // WAVE_FORMAT_EXTENSIBLE: the real tag opens the sub-format GUID.
                        let mut ext = [0u8; 24];
                        file.read_exact(&mut ext).map_err(io)?;
                        tag = u16::from_le_bytes([ext[8], ext[9]]);
                        rest -= 24;
                    }
                    skip(&mut file, rest + (len32 as u64 % 2)).map_err(io)?;
                    fmt = Some((tag, channels, rate, align, bits));
                }
                b"data" => {
                    let size = if len32 == u32::MAX {
                        data_size64.ok_or_else(|| {
                            bad(path, "the data size is in a ds64 chunk the file lacks")
                        })?
                    } else {
                        len32 as u64
                    };
                    let (tag, channels, rate, align, bits) =
                        fmt.ok_or_else(|| bad(path, "no fmt chunk before the data"))?;
                    let encoding = match (tag, bits) {
                        (1, 8 | 16 | 24 | 32) => Encoding::Int(bits),
                        (3, 32) => Encoding::Float32,
                        (3, 64) => Encoding::Float64,
                        _ => {
                            return Err(CodecError::Unsupported {
                                path: path.to_path_buf(),
                                detail: format!("RF64 with format {tag} at {bits} bits"),
                            })
                        }
                    };
                    let bytes = (bits as u64).div_ceil(8);
                    if channels == 0 || rate == 0 || align as u64 != bytes * channels as u64 {
                        return Err(bad(
                            path,
                            format!("{channels} channels, {rate} Hz, block align {align}"),
                        ));
                    }
                    return Ok(PcmSource {
                        path: path.to_path_buf(),
                        file,
                        rate,
                        channels,
                        frames: size / align as u64,
                        encoding,
                        data_start: pos,
                        block_align: align as u64,
                        at: 0,
                        raw: Vec::new(),
                    });
                }
                _ => {
                    skip(&mut file, len32 as u64 + (len32 as u64 % 2)).map_err(io)?;
                }
            }
            pos = file.stream_position().map_err(io)?;
        }
    }

    /// The PCM data of a file whose header someone else parsed (symphonia, for WAV): `frames`
    /// frames of `channels` × `encoding` from byte `data_start`. `None` when the bytes before
    /// `data_start` are not a data chunk's header that says so (the caller decodes otherwise).
    pub fn at_data(
        path: &Path,
        rate: u32,
        channels: u16,
        frames: u64,
        encoding: Encoding,
        data_start: u64,
    ) -> Result<Option<PcmSource>, CodecError> {
        let io = |error| CodecError::Io {
            path: path.to_path_buf(),
            error,
        };
        let bytes = match encoding {
            Encoding::Int(bits) => (bits as u64).div_ceil(8),
            Encoding::Float32 => 4,
            Encoding::Float64 => 8,
        };
        let block_align = bytes * channels as u64;
        // The data chunk's own header, just before the data: only a chunk whose size gives
        // exactly `frames` is read here (not a streamed one of unknown size).
        let Some(header) = data_start.checked_sub(8) else {
            return Ok(None);
        };
        let mut file = BufReader::new(File::open(path).map_err(io)?);
        file.seek(SeekFrom::Start(header)).map_err(io)?;
        let mut ch = [0u8; 8];
        if file.read_exact(&mut ch).is_err() || &ch[..4] != b"data" {
            return Ok(None);
        }
        let len = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]);
        if block_align == 0 || len == u32::MAX || len as u64 / block_align != frames {
            return Ok(None);
        }
        Ok(Some(PcmSource {
            path: path.to_path_buf(),
            file,
            rate,
            channels,
            frames,
            encoding,
            data_start,
            block_align,
            at: 0,
            raw: Vec::new(),
        }))
    }

    /// Moves to frame `frame` (clamped to the end).
    pub fn seek(&mut self, frame: u64) -> Result<(), CodecError> {
        let frame = frame.min(self.frames);
        self.file
            .seek(SeekFrom::Start(self.data_start + frame * self.block_align))
            .map_err(|e| CodecError::Seek {
                path: self.path.clone(),
                frame,
                detail: e.to_string(),
            })?;
        self.at = frame;
        Ok(())
    }

    /// Reads up to `max_frames` frames as interleaved f32 into `out` (cleared first). Returns
    /// the frames read; 0 at the end of the data or of the file (the caller checks truncation).
    pub fn read(&mut self, out: &mut Vec<f32>, max_frames: usize) -> Result<usize, CodecError> {
        let ch = self.channels as usize;
        out.resize(max_frames.min(MAX_READ_FRAMES) * ch, 0.0);
        let frames = self.read_into(out)?;
        out.truncate(frames * ch);
        Ok(frames)
    }

    /// Reads up to `out.len() / channels` frames (at most [`MAX_READ_FRAMES`]) as interleaved
    /// f32 into the start of `out`. Returns the frames read; 0 at the end of the data or of the
    /// file (the caller checks truncation).
    pub fn read_into(&mut self, out: &mut [f32]) -> Result<usize, CodecError> {
        let ch = self.channels as usize;
        let frames = self.read_raw(out.len() / ch)?;
        let raw = &self.raw[..frames * self.block_align as usize];
        let out = &mut out[..frames * ch];
        // The conversions are symphonia's (`symphonia_core::conv`), so a file reads the same
        // whichever path decodes it; the divisions by powers of two are exact.
        match self.encoding {
            Encoding::Int(8) => {
                for (o, &b) in out.iter_mut().zip(raw) {
                    *o = b as f32 / 128.0 - 1.0;
                }
            }
            Encoding::Int(16) => {
                for (o, b) in out.iter_mut().zip(raw.chunks_exact(2)) {
                    *o = i16::from_le_bytes([b[0], b[1]]) as f32 / 32_768.0;
                }
            }
            Encoding::Int(24) => int24_to_f32(raw, out),
            Encoding::Int(_) => {
                for (o, b) in out.iter_mut().zip(raw.chunks_exact(4)) {
                    let v = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    *o = (v as f64 / 2_147_483_648.0) as f32;
                }
            }
            Encoding::Float32 => {
                for (o, b) in out.iter_mut().zip(raw.chunks_exact(4)) {
                    *o = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                }
            }
            Encoding::Float64 => {
                for (o, b) in out.iter_mut().zip(raw.chunks_exact(8)) {
                    *o =
                        f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32;
                }
            }
        }
        Ok(frames)
    }

    /// Whether [`PcmSource::read_planar`] reads this data (stereo 24-bit, the usual track).
    pub fn reads_planar(&self) -> bool {
        self.channels == 2 && self.encoding == Encoding::Int(24)
    }

    /// [`PcmSource::read_into`] for stereo 24-bit data, into one buffer per channel (up to the
    /// shorter's length): the values `read_into` gives, without the interleaved pass between
    /// the file and the track. 0 for other data, as at the end.
    pub fn read_planar(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
    ) -> Result<usize, CodecError> {
        if !self.reads_planar() {
            return Ok(0);
        }
        let frames = self.read_raw(left.len().min(right.len()))?;
        int24_stereo_to_planar(
            &self.raw[..frames * 6],
            &mut left[..frames],
            &mut right[..frames],
        );
        Ok(frames)
    }

    /// Reads the bytes of up to `max_frames` frames (at most [`MAX_READ_FRAMES`]) into `raw`;
    /// returns the whole frames read (0 at the end of the data or of the file) and moves on.
    fn read_raw(&mut self, max_frames: usize) -> Result<usize, CodecError> {
        let frames = (self.frames - self.at).min(max_frames.min(MAX_READ_FRAMES) as u64) as usize;
        if frames == 0 {
            return Ok(0);
        }
        self.raw.resize(frames * self.block_align as usize, 0);
        let mut got = 0;
        while got < self.raw.len() {
            match self.file.read(&mut self.raw[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(error) => {
                    return Err(CodecError::Corrupt {
                        path: self.path.clone(),
                        at_seconds: self.at as f64 / self.rate as f64,
                        detail: error.to_string(),
                    })
                }
            }
        }
        let frames = got / self.block_align as usize;
        self.at += frames as u64;
        Ok(frames)
    }
}

/// 24-bit little-endian PCM (`raw`, three bytes a sample) to f32 in `out` (as many samples as
/// both hold): `value / 2^23`, exact. The 24-bit WAV of a render's tracks is most of what it
/// reads, so on CPUs with AVX2 eight samples go at once (one shuffle puts each sample's bytes
/// in the top of a 32-bit lane; an arithmetic shift sign-extends it); the same numbers.
fn int24_to_f32(raw: &[u8], out: &mut [f32]) {
    let n = out.len().min(raw.len() / 3);
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            done = unsafe { int24_to_f32_avx2(&raw[..n * 3], &mut out[..n]) };
        }
    }
    for (o, b) in out[done..n].iter_mut().zip(raw[done * 3..].chunks_exact(3)) {
        *o = (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0;
    }
}

/// Interleaved stereo 24-bit PCM (`raw`, six bytes a frame) to f32 planes, as many frames as
/// all three hold: the values [`int24_to_f32`] gives, split by channel.
fn int24_stereo_to_planar(raw: &[u8], left: &mut [f32], right: &mut [f32]) {
    let n = left.len().min(right.len()).min(raw.len() / 6);
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            done = unsafe {
                int24_stereo_to_planar_avx2(&raw[..n * 6], &mut left[..n], &mut right[..n])
            };
        }
    }
    let sample = |b: &[u8]| (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0;
    for ((l, r), b) in left[done..n]
        .iter_mut()
        .zip(right[done..n].iter_mut())
        .zip(raw[done * 6..].chunks_exact(6))
    {
        *l = sample(&b[..3]);
        *r = sample(&b[3..]);
    }
}

/// The AVX2 part of [`int24_stereo_to_planar`]: four frames at a time while 32 bytes can be
/// loaded; returns the frames done. Each half of the register takes two frames; the shuffle
/// puts their left samples in its low dwords and right in its high, and a lane permutation
/// gathers four lefts and four rights.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn int24_stereo_to_planar_avx2(raw: &[u8], left: &mut [f32], right: &mut [f32]) -> usize {
    use std::arch::x86_64::*;
    let n = left.len().min(right.len()).min(raw.len() / 6);
    let groups = if raw.len() >= 32 {
        ((raw.len() - 32) / 24 + 1).min(n / 4)
    } else {
        0
    };
    let spread = _mm256_setr_epi32(0, 1, 2, 3, 3, 4, 5, 6);
    // Samples in a half: L, R, L, R at bytes 0, 3, 6, 9 → dwords L, L, R, R.
    let place = _mm256_setr_epi8(
        -1, 0, 1, 2, -1, 6, 7, 8, -1, 3, 4, 5, -1, 9, 10, 11, -1, 0, 1, 2, -1, 6, 7, 8, -1, 3, 4,
        5, -1, 9, 10, 11,
    );
    let scale = _mm256_set1_ps(1.0 / 8_388_608.0);
    for g in 0..groups {
        // SAFETY: g·24 + 32 ≤ raw.len() by the choice of `groups`; g·4 + 4 ≤ n.
        let v = _mm256_loadu_si256(raw.as_ptr().add(g * 24) as *const __m256i);
        let v = _mm256_permutevar8x32_epi32(v, spread);
        let v = _mm256_srai_epi32::<8>(_mm256_shuffle_epi8(v, place));
        // [L0 L1 R0 R1 | L2 L3 R2 R3] → [L0 L1 L2 L3 | R0 R1 R2 R3].
        let v = _mm256_permute4x64_epi64::<0b11_01_10_00>(v);
        let f = _mm256_mul_ps(_mm256_cvtepi32_ps(v), scale);
        _mm_storeu_ps(left.as_mut_ptr().add(g * 4), _mm256_castps256_ps128(f));
        _mm_storeu_ps(right.as_mut_ptr().add(g * 4), _mm256_extractf128_ps::<1>(f));
    }
    groups * 4
}

/// The AVX2 part of [`int24_to_f32`]: whole groups of eight samples while 32 bytes can be
/// loaded (the last group's load reaches 8 bytes past its 24); returns the samples done.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn int24_to_f32_avx2(raw: &[u8], out: &mut [f32]) -> usize {
    use std::arch::x86_64::*;
    let n = out.len().min(raw.len() / 3);
    // Groups whose 32-byte load stays inside `raw`.
    let groups = if raw.len() >= 32 {
        ((raw.len() - 32) / 24 + 1).min(n / 8)
    } else {
        0
    };
    // Lane half 0 takes bytes 0..12 (dwords 0-2), half 1 bytes 12..24 (dwords 3-5).
    let spread = _mm256_setr_epi32(0, 1, 2, 3, 3, 4, 5, 6);
    // In each half: sample k's three bytes into the top of dword k (bottom byte zero).
    let place = _mm256_setr_epi8(
        -1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7,
        8, -1, 9, 10, 11,
    );
    let scale = _mm256_set1_ps(1.0 / 8_388_608.0);
    for g in 0..groups {
        // SAFETY: g·24 + 32 ≤ raw.len() by the choice of `groups`; g·8 + 8 ≤ out.len().
        let v = _mm256_loadu_si256(raw.as_ptr().add(g * 24) as *const __m256i);
        let v = _mm256_permutevar8x32_epi32(v, spread);
        let v = _mm256_shuffle_epi8(v, place);
        let v = _mm256_srai_epi32::<8>(v);
        let f = _mm256_mul_ps(_mm256_cvtepi32_ps(v), scale);
        _mm256_storeu_ps(out.as_mut_ptr().add(g * 8), f);
    }
    groups * 8
}

fn skip(file: &mut BufReader<File>, n: u64) -> std::io::Result<()> {
    file.seek_relative(n as i64)
}

#[cfg(test)]
mod tests {
    use super::{int24_stereo_to_planar, int24_to_f32};

    #[test]
    fn stereo_int24_splits_into_the_interleaved_values_at_every_length() {
        let mut seed = 0x1234_5677_u32;
        let raw: Vec<u8> = (0..6 * 100)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as u8
            })
            .collect();
        for n in 0..100 {
            let mut inter = vec![0.0f32; 2 * n];
            int24_to_f32(&raw[..6 * n], &mut inter);
            let (mut l, mut r) = (vec![f32::NAN; n + 1], vec![f32::NAN; n + 1]);
            int24_stereo_to_planar(&raw[..6 * n], &mut l, &mut r);
            for k in 0..n {
                assert_eq!(
                    (l[k], r[k]),
                    (inter[2 * k], inter[2 * k + 1]),
                    "n {n}, frame {k}"
                );
            }
            assert!(
                l[n].is_nan() && r[n].is_nan(),
                "n {n}: wrote past the frames"
            );
        }
    }

    #[test]
    fn int24_samples_convert_exactly_at_every_length() {
        let mut seed = 0x9e37_79b9_u32;
        let mut raw: Vec<u8> = (0..3 * 200)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as u8
            })
            .collect();
        // The extremes and zero.
        raw[..9].copy_from_slice(&[0xff, 0xff, 0x7f, 0x00, 0x00, 0x80, 0, 0, 0]);
        for n in 0..200 {
            let mut out = vec![f32::NAN; n + 1];
            int24_to_f32(&raw[..3 * n], &mut out);
            for (k, b) in raw[..3 * n].chunks_exact(3).enumerate() {
                let v = ((b[2] as i8 as i32) << 16) | ((b[1] as i32) << 8) | b[0] as i32;
                assert_eq!(out[k], v as f32 / 8_388_608.0, "n {n}, sample {k}");
            }
            assert!(out[n].is_nan(), "n {n}: wrote past the samples");
        }
        let mut out = [0.0f32; 3];
        int24_to_f32(&raw[..9], &mut out);
        assert_eq!(out, [8_388_607.0 / 8_388_608.0, -1.0, 0.0]);
    }
}
