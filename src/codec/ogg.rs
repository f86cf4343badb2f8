//! Ogg Opus (RFC 7845) for players: `tdaw monitor --stdout --codec opus | ffplay -`. The
//! stream is the two header packets (`OpusHead`, `OpusTags`) on pages of their own, then
//! every Opus packet on its own page, so a player hears each 20 ms frame as soon as it is
//! written (a page of several packets would wait for the last of them).

/// Ogg's CRC-32: polynomial 0x04C11DB7, MSB first, initial value 0, no final XOR (RFC 3533).
fn crc_table() -> [u32; 256] {
    let mut t = [0u32; 256];
    for (i, v) in t.iter_mut().enumerate() {
        let mut r = (i as u32) << 24;
        for _ in 0..8 {
            r = if r & 0x8000_0000 != 0 {
                (r << 1) ^ 0x04C1_1DB7
            } else {
                r << 1
            };
        }
        *v = r;
    }
    t
}

/// Writes an Ogg Opus stream of one logical bitstream.
pub struct OggOpusWriter {
    crc: [u32; 256],
    serial: u32,
    sequence: u32,
    /// Samples (at 48 kHz, per channel) in the packets written so far, pre-skip included.
    granule: u64,
    /// Samples a packet of one frame carries at 48 kHz.
    packet_samples: u64,
}

impl OggOpusWriter {
    /// A writer for `channels` channels of audio at `rate` Hz, framed in packets of
    /// `frame_frames` samples at that rate, with the encoder's `pre_skip` (its lookahead, in
    /// samples at 48 kHz). Appends the two header pages to `out`.
    pub fn new(
        rate: u32,
        channels: u8,
        frame_frames: u32,
        pre_skip: u16,
        serial: u32,
        out: &mut Vec<u8>,
    ) -> OggOpusWriter {
        let mut w = OggOpusWriter {
            crc: crc_table(),
            serial,
            sequence: 0,
            granule: 0,
            packet_samples: frame_frames as u64 * 48_000 / rate.max(1) as u64,
        };
        let mut head = Vec::with_capacity(19);
        head.extend_from_slice(b"OpusHead");
        head.push(1); // version
        head.push(channels);
        head.extend_from_slice(&pre_skip.to_le_bytes());
        head.extend_from_slice(&rate.to_le_bytes()); // the input's rate, for information
        head.extend_from_slice(&0i16.to_le_bytes()); // output gain
        head.push(0); // channel mapping family 0: mono or stereo
        w.page(&head, 0x02, 0, out);
        let vendor = concat!("tdaw ", env!("CARGO_PKG_VERSION"));
        let mut tags = Vec::new();
        tags.extend_from_slice(b"OpusTags");
        tags.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
        tags.extend_from_slice(vendor.as_bytes());
        tags.extend_from_slice(&0u32.to_le_bytes()); // no comments
        w.page(&tags, 0, 0, out);
        w
    }

    /// Appends one Opus packet (one frame) on a page of its own.
    pub fn packet(&mut self, packet: &[u8], out: &mut Vec<u8>) {
        self.granule += self.packet_samples;
        self.page(packet, 0, self.granule, out);
    }

    fn page(&mut self, data: &[u8], flags: u8, granule: u64, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(b"OggS");
        out.push(0); // version
        out.push(flags);
        out.extend_from_slice(&granule.to_le_bytes());
        out.extend_from_slice(&self.serial.to_le_bytes());
        out.extend_from_slice(&self.sequence.to_le_bytes());
        out.extend_from_slice(&[0; 4]); // the CRC, filled in below
                                        // Lacing: 255s then the remainder; a packet of a multiple of 255 bytes ends with a 0.
                                        // Header and Opus packets are far below the 255 × 255 bytes a page can hold.
        let segments = data.len() / 255 + 1;
        out.push(segments as u8);
        out.extend(std::iter::repeat_n(255u8, data.len() / 255));
        out.push((data.len() % 255) as u8);
        out.extend_from_slice(data);
        let mut crc = 0u32;
        for &b in &out[start..] {
            crc = (crc << 8) ^ self.crc[((crc >> 24) as u8 ^ b) as usize];
        }
        out[start + 22..start + 26].copy_from_slice(&crc.to_le_bytes());
        self.sequence = self.sequence.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits pages back out of a stream, checking each one's CRC.
    fn pages(mut s: &[u8]) -> Vec<(u8, u64, u32, Vec<u8>)> {
        let table = crc_table();
        let mut v = Vec::new();
        while !s.is_empty() {
            assert_eq!(&s[..4], b"OggS");
            let n = s[26] as usize;
            let len: usize = s[27..27 + n].iter().map(|&b| b as usize).sum();
            let total = 27 + n + len;
            let mut page = s[..total].to_vec();
            let stored = u32::from_le_bytes(page[22..26].try_into().unwrap());
            page[22..26].fill(0);
            let mut crc = 0u32;
            for &b in &page {
                crc = (crc << 8) ^ table[((crc >> 24) as u8 ^ b) as usize];
            }
            assert_eq!(crc, stored, "page CRC");
            let granule = u64::from_le_bytes(s[6..14].try_into().unwrap());
            let seq = u32::from_le_bytes(s[18..22].try_into().unwrap());
            v.push((s[5], granule, seq, s[27 + n..total].to_vec()));
            s = &s[total..];
        }
        v
    }

    #[test]
    fn the_crc_is_ogg_s() {
        // The catalogue's check string under Ogg's parameters (no reflection, init 0, no
        // final XOR).
        let t = crc_table();
        let mut crc = 0u32;
        for &b in b"123456789" {
            crc = (crc << 8) ^ t[((crc >> 24) as u8 ^ b) as usize];
        }
        // CRC-32/CKSUM has the same polynomial and init and a final XOR of all ones: its
        // check is 0x765E7680, so without the XOR 0x89A1897F.
        assert_eq!(crc, 0x89A1_897F);
    }

    #[test]
    fn headers_then_one_page_per_packet_with_granules_at_48k() {
        let mut out = Vec::new();
        let mut w = OggOpusWriter::new(48_000, 2, 960, 312, 7, &mut out);
        w.packet(&[1; 300], &mut out);
        w.packet(&[2; 255], &mut out);
        let p = pages(&out);
        assert_eq!(p.len(), 4);
        assert_eq!(p[0].0, 0x02, "beginning of stream");
        assert_eq!(&p[0].3[..8], b"OpusHead");
        assert_eq!(p[0].3[9], 2);
        assert_eq!(u16::from_le_bytes([p[0].3[10], p[0].3[11]]), 312);
        assert_eq!(&p[1].3[..8], b"OpusTags");
        assert_eq!((p[2].1, p[2].2, p[2].3.len()), (960, 2, 300));
        assert_eq!((p[3].1, p[3].2, p[3].3.len()), (1920, 3, 255));
    }
}
