//! The live meters never allocate once built (`assert_no_alloc`), and agree with the file
//! analysis on what they measure.

mod analysis_support;

use analysis_support::sine_segments;
use tdaw::analysis::{LiveMeter, PeakRmsMeter};

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

#[cfg(debug_assertions)]
fn no_alloc<T>(f: impl FnOnce() -> T) -> T {
    assert_no_alloc::assert_no_alloc(f)
}

#[cfg(not(debug_assertions))]
fn no_alloc<T>(f: impl FnOnce() -> T) -> T {
    f()
}

#[test]
fn meters_do_not_allocate_per_push() {
    let x = sine_segments(&[(-20.0, 4.0)], 48_000, 2);
    let mut live = LiveMeter::new(48_000, 2);
    let mut peaks = PeakRmsMeter::new(48_000, 2);
    let (m, s, p) = no_alloc(|| {
        // Engine-sized blocks, odd and even.
        for block in x.chunks(2 * 512).chain(x.chunks(2 * 1000)) {
            live.push(block);
            peaks.push(block);
        }
        let r = (live.momentary(), live.short_term(), peaks.peak(0));
        live.reset();
        peaks.reset();
        r
    });
    assert!((m.unwrap() + 20.0).abs() < 0.1, "{m:?}");
    assert!((s.unwrap() + 20.0).abs() < 0.1, "{s:?}");
    assert!((p - 0.1).abs() < 0.002, "{p}");
}

#[test]
fn meters_handle_any_channel_count() {
    for ch in [1u16, 2, 6, 8] {
        let tone = sine_segments(&[(-23.0, 0.5)], 44_100, ch as usize);
        let mut live = LiveMeter::new(44_100, ch);
        let mut peaks = PeakRmsMeter::new(44_100, ch);
        no_alloc(|| {
            live.push(&tone);
            peaks.push(&tone);
        });
        let m = live.momentary().unwrap();
        assert!(m.is_finite() && m < -15.0, "{ch}: {m}");
        assert!((peaks.peak(ch as usize - 1) - 0.0708).abs() < 0.002);
        assert_eq!(
            peaks.peak(ch as usize),
            0.0,
            "channels beyond the count read 0"
        );
    }
}
