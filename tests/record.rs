//! Audio recording end to end through ALSA's `file` capture route (PLATFORM.md: no sound card
//! needed): a known S16 signal is the "microphone", `tdaw record` (the real binary) records
//! it, and the file written must equal the signal within 1 LSB of 16 bit, shifted by exactly
//! the configured latency (and the count-in bar) so it lands where it was played; the clip is
//! on the timeline at the record point as one edit. Also: no capture device gives one clear
//! line and leaves project.toml byte-identical; a recording killed with SIGKILL leaves a file
//! that the next open repairs and that reads back up to the last header rewrite.

mod capture_support;

use capture_support::{write_i16_as_f32_raw as write_raw, Env};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tdaw::model::{ClipContent, TrackKind};

const RATE: usize = 48_000;

/// A stereo S16 test signal: noise-like (an LCG), so any misalignment shows.
fn signal(frames: usize) -> Vec<i16> {
    let mut x: u32 = 0x1234_5678;
    (0..frames * 2)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((x >> 16) as i16) / 2
        })
        .collect()
}

/// The WAV's samples scaled to 16-bit units.
fn read_as_i16_units(path: &Path) -> (Vec<f64>, hound::WavSpec) {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    let v = match spec.sample_format {
        hound::SampleFormat::Int => r
            .samples::<i32>()
            .map(|s| s.unwrap() as f64 / (1 << (spec.bits_per_sample - 16)) as f64)
            .collect(),
        hound::SampleFormat::Float => r
            .samples::<f32>()
            .map(|s| s.unwrap() as f64 * 32_768.0)
            .collect(),
    };
    (v, spec)
}

/// The largest difference between the recording and the signal from frame `shift` on.
fn max_error(got: &[f64], want: &[i16], shift: usize) -> f64 {
    got.iter()
        .zip(&want[shift * 2..])
        .map(|(g, &w)| (g - w as f64).abs())
        .fold(0.0, f64::max)
}

#[test]
fn a_recording_equals_the_input_shifted_by_the_latency_and_lands_at_the_record_point() {
    let e = Env::new();
    let sig = signal(2 * RATE);
    write_raw(&e.path("in.raw"), &sig);
    e.alsa_capture_from(&e.path("in.raw"));
    e.config("input_latency_ms = 10");
    let dir = e.dir();
    let (code, out, err) = e.run(&[
        "record",
        dir.to_str().unwrap(),
        "--seconds",
        "1",
        "--at",
        "4",
    ]);
    assert_eq!(code, 0, "{err}");
    let file = PathBuf::from(out.trim());
    assert!(file.starts_with(&dir), "{out}");
    let (got, spec) = read_as_i16_units(&file);
    assert_eq!((spec.channels, spec.bits_per_sample), (2, 24));
    assert_eq!(got.len(), RATE * 2, "exactly one second");
    // 10 ms at 48 kHz: the first 480 input frames were played before the record point.
    assert_eq!(max_error(&got, &sig, 480), 0.0, "bit-exact from frame 480");
    assert!(
        max_error(&got, &sig, 0) > 1000.0,
        "and not aligned without it"
    );
    let p = e.project();
    assert_eq!(p.tracks.len(), 1);
    let t = &p.tracks[0];
    assert_eq!((t.kind, t.name.as_str()), (TrackKind::Audio, "Audio 1"));
    assert_eq!(t.clips.len(), 1);
    assert_eq!(t.clips[0].start, 4.0);
    let ClipContent::Audio(a) = &t.clips[0].content else {
        panic!("an audio clip")
    };
    assert_eq!(a.length, 1.0);
    assert_eq!(dir.join(&a.file), file);
    assert!(
        !dir.join(".tdaw/recording")
            .read_dir()
            .unwrap()
            .any(|_| true),
        "no marker left after a clean finish"
    );
    assert!(err.contains("10.0 ms latency"), "{err}");
}

#[test]
fn a_count_in_bar_and_a_float_format_onto_a_named_track() {
    let e = Env::new();
    let sig = signal(3 * RATE);
    write_raw(&e.path("in.raw"), &sig);
    e.alsa_capture_from(&e.path("in.raw"));
    e.config("input_latency_ms = 5\nrecord_format = \"float\"");
    let dir = e.dir();
    let d = dir.to_str().unwrap();
    assert_eq!(e.run(&["track", "add", d, "Vox"]).0, 0);
    let (code, out, err) = e.run(&["record", d, "Vox", "--seconds", "0.5", "--count-in"]);
    assert_eq!(code, 0, "{err}");
    let (got, spec) = read_as_i16_units(Path::new(out.trim()));
    assert_eq!(spec.sample_format, hound::SampleFormat::Float);
    assert_eq!(got.len(), RATE);
    // One bar of 4/4 at 120 bpm (2 s) of count-in, then 5 ms of latency.
    let shift = 2 * RATE + 240;
    assert!(
        max_error(&got, &sig, shift) <= 1.0,
        "within 1 LSB of 16 bit"
    );
    let p = e.project();
    assert_eq!(p.tracks.len(), 1, "recorded onto the named track");
    assert_eq!(p.tracks[0].clips.len(), 1);
    assert_eq!(p.tracks[0].clips[0].start, 0.0);
    assert!(out.trim().ends_with("vox-take-1.wav"), "{out}");
}

#[test]
fn bad_input_and_no_capture_device_fail_in_one_line_and_change_nothing() {
    let e = Env::new();
    let dir = e.dir();
    let d = dir.to_str().unwrap();
    let before = fs::read(dir.join("project.toml")).unwrap();
    // The stock ALSA configuration of a machine with no sound card: no capture device.
    let mut c = e.cmd(&["record", d, "--seconds", "1"]);
    c.env_remove("ALSA_CONFIG_PATH");
    let out = c.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("no audio inputs"), "{err}");
    let mut c = e.cmd(&["devices"]);
    c.env_remove("ALSA_CONFIG_PATH");
    let out = c.output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("no audio inputs"));

    e.alsa_capture_from(&e.path("missing.raw"));
    assert_eq!(e.run(&["track", "add", d, "Keys", "--midi"]).0, 0);
    let before_track = fs::read(dir.join("project.toml")).unwrap();
    for (args, says) in [
        (vec!["record", d, "--seconds", "0"], "--seconds 0"),
        (vec!["record", d, "--seconds", "nan"], "--seconds NaN"),
        (vec!["record", d, "--seconds", "1", "--at", "-2"], "--at -2"),
        (vec!["record", d, "Keys", "--seconds", "1"], "audio track"),
        (vec!["record", d, "Nope", "--seconds", "1"], "Nope"),
        (
            vec!["record", d, "--seconds", "1", "--input", "no-such"],
            "no-such",
        ),
    ] {
        let (code, _, err) = e.run(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(fs::read(dir.join("project.toml")).unwrap(), before_track);
    }
    assert_ne!(before, before_track);
}

#[test]
fn a_killed_recording_leaves_a_file_the_next_open_repairs() {
    let e = Env::new();
    // A FIFO as the capture file: the test decides how much audio there is, and the recording
    // is still running (blocked on more input) when it is killed.
    let fifo = e.path("in.fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a plain mkfifo on a path in our temp dir.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    e.alsa_capture_from(&fifo);
    e.config("input_latency_ms = 0");
    let dir = e.dir();
    let mut child = e
        .cmd(&["record", dir.to_str().unwrap(), "--seconds", "30"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // 1.5 s: 576 kB of floats, within the 1 MB a pipe may grow to.
    let sig = signal(RATE * 3 / 2);
    let bytes: Vec<u8> = sig
        .iter()
        .flat_map(|&v| (v as f32 / 32_768.0).to_le_bytes())
        .collect();
    // Held open for reading too, the FIFO never reports a closed reader when probing the
    // device opens and closes it. The whole signal goes into the pipe's buffer (grown to hold
    // it) before the recorder reads, so every read finds whole periods (the file PCM does not
    // retry short reads); then reads block: the recording is still running when it is killed.
    let w = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .unwrap();
    use std::os::fd::AsRawFd;
    // SAFETY: F_SETPIPE_SZ on a FIFO we hold open.
    let size = unsafe { libc::fcntl(w.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20) };
    assert!(size as usize >= bytes.len(), "pipe size {size}");
    std::io::Write::write_all(&mut &w, &bytes).unwrap();
    // Wait for the one-second header rewrite of the take.
    let audio = dir.join("audio");
    let t0 = Instant::now();
    let file = loop {
        let found = fs::read_dir(&audio)
            .ok()
            .and_then(|mut d| d.next())
            .map(|f| f.unwrap().path());
        if let Some(f) = found {
            if hound::WavReader::open(&f).is_ok_and(|r| r.duration() >= RATE as u32) {
                break f;
            }
        }
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "the take never reached 1 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    drop(w);
    let name = file.file_name().unwrap().to_owned();
    assert!(
        dir.join(".tdaw/recording").join(&name).exists(),
        "marker left by the kill"
    );
    // The next open (any command that loads the project) repairs it and says so.
    let (code, _, err) = e.run(&["info", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("recovered the recording"), "{err}");
    assert!(!dir.join(".tdaw/recording").join(&name).exists());
    let (got, _) = read_as_i16_units(&file);
    assert!(
        got.len() >= RATE * 2,
        "at least the first second: {}",
        got.len() / 2
    );
    assert_eq!(max_error(&got, &sig, 0), 0.0, "what is there is the signal");
}

/// The disk thread fed by a synthetic source through the same ring the input callback uses.
mod disk {
    use super::*;
    use std::io::{Seek, SeekFrom, Write};
    use std::sync::atomic::Ordering::Relaxed;
    use tdaw::engine::capture::capture_ring;
    use tdaw::engine::disk_writer::{
        file_opener, DiskWriter, Latency, Opener, Placement, RecordFormat, Target, WavSink,
        WriterSetup,
    };

    /// A file on a disk that fills up after `room` bytes.
    struct FullDisk {
        file: fs::File,
        room: u64,
    }

    impl Write for FullDisk {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let pos = self.file.stream_position()?;
            if pos + buf.len() as u64 > self.room {
                return Err(std::io::Error::from_raw_os_error(libc::ENOSPC));
            }
            self.file.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.file.flush()
        }
    }

    impl Seek for FullDisk {
        fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
            self.file.seek(to)
        }
    }

    fn full_disk(room: u64) -> Opener {
        Box::new(move |path: &Path| {
            let file = fs::File::create_new(path)?;
            Ok(Box::new(FullDisk { file, room }) as Box<dyn WavSink>)
        })
    }

    /// Runs `frames` of a ramp (frame `k` of channel `c` is `(k * 2 + c) % 30000 / 32768`)
    /// through the ring and the disk thread, in 128-frame callbacks.
    fn record(
        dir: &Path,
        frames: usize,
        targets: Vec<Target>,
        placement: Placement,
        opener: Opener,
    ) -> tdaw::engine::disk_writer::Recorded {
        let (mut sink, ring, shared) = capture_ring(2, 48_000, frames + 64);
        shared.gate.store(true, Relaxed);
        let w = DiskWriter::start(
            ring,
            shared,
            WriterSetup {
                dir: dir.to_path_buf(),
                targets,
                placement,
                latency: Latency::Fixed(placement.latency),
                format: RecordFormat::Int24,
                opener,
            },
        )
        .unwrap();
        let data: Vec<f32> = (0..frames * 2)
            .map(|i| (i % 30_000) as f32 / 32_768.0)
            .collect();
        for block in data.chunks(256) {
            sink.push(block);
        }
        w.finish()
    }

    fn ramp_at(k: usize, c: usize) -> f64 {
        ((k * 2 + c) % 30_000) as f64
    }

    #[test]
    fn loop_recording_makes_one_take_per_pass_inside_the_punch_range_only() {
        let d = tempfile::tempdir().unwrap();
        let targets = vec![
            Target {
                channels: vec![0, 1],
                stem: "gtr".into(),
            },
            Target {
                channels: vec![1],
                stem: "vox".into(),
            },
        ];
        // Rolling from 0 with a loop [4800, 9600): 0..4800 is outside the punch range.
        let p = Placement {
            start: 0,
            latency: 0,
            from: 0,
            until: None,
            loop_region: Some((4800, 9600)),
        };
        let rec = record(d.path(), 4800 + 4800 * 3 - 100, targets, p, file_opener());
        assert_eq!(rec.error, None);
        let shape: Vec<_> = rec
            .takes
            .iter()
            .map(|t| (t.target, t.pass, t.start, t.frames))
            .collect();
        assert_eq!(
            shape,
            vec![
                (0, 0, 4800, 4800),
                (1, 0, 4800, 4800),
                (0, 1, 4800, 4800),
                (1, 1, 4800, 4800),
                (0, 2, 4800, 4700),
                (1, 2, 4800, 4700),
            ]
        );
        // Pass 1 of the guitar is input frames 9600.. ; the vocal take is channel 1 alone.
        let (g, spec) = read_as_i16_units(&d.path().join(&rec.takes[2].file));
        assert_eq!(spec.channels, 2);
        assert_eq!((g[0], g[1]), (ramp_at(9600, 0), ramp_at(9600, 1)));
        let (v, spec) = read_as_i16_units(&d.path().join(&rec.takes[5].file));
        assert_eq!(spec.channels, 1);
        assert_eq!(v.len(), 4700);
        assert_eq!(v[10], ramp_at(14_400 + 10, 1));
        let names: Vec<_> = rec.takes.iter().map(|t| t.file.as_str()).collect();
        assert_eq!(names[0], "audio/gtr-take-1.wav");
        assert_eq!(names[2], "audio/gtr-take-2.wav");
        assert_eq!(names[5], "audio/vox-take-3.wav");
    }

    #[test]
    fn a_full_disk_stops_the_recording_with_one_message_and_keeps_what_was_written() {
        let d = tempfile::tempdir().unwrap();
        let targets = vec![Target {
            channels: vec![0, 1],
            stem: "take".into(),
        }];
        let p = Placement {
            start: 0,
            latency: 0,
            from: 0,
            until: None,
            loop_region: None,
        };
        // Room for the header and about 2.5 s of 24-bit stereo.
        let rec = record(d.path(), 48_000 * 5, targets, p, full_disk(720_000));
        let err = rec.error.expect("the write error is reported");
        assert!(err.starts_with("recording stopped: could not write 'audio/take-take-1.wav'"));
        assert!(err.contains("kept the first"), "{err}");
        assert_eq!(err.lines().count(), 1);
        assert_eq!(rec.takes.len(), 1);
        let t = &rec.takes[0];
        // Everything up to the last successful header rewrite (each second) reads back.
        let file = d.path().join(&t.file);
        tdaw::store::recover::repair_wav_header(&file).unwrap();
        let (got, _) = read_as_i16_units(&file);
        assert!(
            got.len() / 2 >= 96_000,
            "at least 2 s kept: {}",
            got.len() / 2
        );
        assert!(got.len() / 2 <= t.frames as usize + 1);
        for k in [0, 50_000, got.len() / 2 - 1] {
            assert_eq!(got[2 * k], ramp_at(k, 0));
        }
        assert!(
            d.path().join(".tdaw/recording/take-take-1.wav").exists(),
            "the marker stays for the next open to repair the header"
        );
    }
}
