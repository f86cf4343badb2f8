//! Hand-built WAV bytes for the bad-input tests.

/// A 16-bit stereo PCM WAV whose RIFF and data chunk sizes claim about 4 GB, followed by only
/// `data_bytes` bytes of silence.
pub fn lying_wav(rate: u32, data_bytes: usize) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&u32::MAX.to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    for x in [1u16, 2] {
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&(rate * 4).to_le_bytes());
    for x in [4u16, 16] {
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.extend_from_slice(b"data");
    v.extend_from_slice(&(u32::MAX - 64).to_le_bytes());
    v.resize(v.len() + data_bytes, 0);
    v
}
