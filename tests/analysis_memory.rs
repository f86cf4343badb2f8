//! `analyze_file` streams: the heap it needs stays far below the size of the decoded file.

mod analysis_support;

mod counting_alloc;

use counting_alloc::{CURRENT, PEAK};
use std::sync::atomic::Ordering;

#[test]
fn a_long_file_is_analysed_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.wav");
    let rate = 22_050;
    let seconds = 120.0;
    {
        // Written block by block so the test itself holds little.
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: rate,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        let block = analysis_support::sine_segments(&[(-12.0, 1.0)], rate, 2);
        for _ in 0..seconds as usize {
            for s in &block {
                w.write_sample(*s).unwrap();
            }
        }
        w.finalize().unwrap();
    }
    let decoded_bytes = (seconds * f64::from(rate)) as usize * 2 * 4;
    let before = CURRENT.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let a = tdaw::analysis::analyze_file(&path).unwrap();
    let used = PEAK.load(Ordering::SeqCst) - before;
    assert!((a.duration_s - seconds).abs() < 1e-3);
    assert!((a.integrated_lufs.unwrap() + 12.0).abs() < 0.1, "{a:?}");
    assert!(
        used < decoded_bytes / 8,
        "peak heap {used} bytes for a {decoded_bytes}-byte decoded file"
    );
}
