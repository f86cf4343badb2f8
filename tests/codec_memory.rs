//! Memory stays bounded whatever a header claims: a counting allocator measures the peak heap
//! use while decoding a WAV whose data chunk claims 4 GB.

mod counting_alloc;
mod wav_support;

use counting_alloc::{CURRENT, PEAK};
use std::sync::atomic::Ordering;

#[test]
fn four_gb_claim_decodes_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims4gb.wav");
    let v = wav_support::lying_wav(44_100, 400_000);
    std::fs::write(&path, &v).unwrap();
    drop(v);

    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let result = tdaw::codec::read_all(&path);
    let peak = PEAK.load(Ordering::SeqCst) - base;
    let e = result.unwrap_err();
    assert!(e.to_string().contains("truncated"), "{e}");
    // 100k frames decoded to f32 are 0.8 MB; the claim would be 8 GB of f32.
    assert!(peak < 16 << 20, "peak heap {peak} bytes");
    println!(
        "peak heap while decoding the 4 GB claim: {} KiB",
        peak / 1024
    );

    // Streaming through the reader stays small too.
    PEAK.store(CURRENT.load(Ordering::SeqCst), Ordering::SeqCst);
    let base = CURRENT.load(Ordering::SeqCst);
    let mut r = tdaw::codec::AudioReader::open(&path).unwrap();
    let mut buf = vec![0.0f32; 8192];
    while let Ok(n) = r.read(&mut buf) {
        if n == 0 {
            break;
        }
    }
    let peak = PEAK.load(Ordering::SeqCst) - base;
    assert!(peak < 2 << 20, "streaming peak heap {peak} bytes");
}
