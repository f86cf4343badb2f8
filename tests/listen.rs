//! `tdaw listen` end to end on this machine: `--command` runs `tdaw monitor DIR` in place of
//! ssh, `--to` writes what would be played, and the file is held against `tdaw render`.

mod engine_common;
mod ui_support;

use engine_common::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RATE: usize = 48_000;

fn tdaw_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tdaw"))
}

fn tdaw(home: &Path) -> Command {
    let mut c = Command::new(tdaw_bin());
    c.env("TDAW_HOME", home).env_remove("TDAW_SOUNDFONT");
    // No sound card here: the engine falls back to the null backend (real-time pace).
    c
}

/// A project playing `seconds` of two sines and noise from beat 0.
fn box_project(seconds: usize) -> tempfile::TempDir {
    let d = project_dir();
    write_wav(
        &d.path().join("audio/a.wav"),
        RATE as u32,
        2,
        true,
        &signal(RATE * seconds, 2, 7),
    );
    let mut p = project();
    p.tracks
        .push(audio_track(1, "a", "audio/a.wav", 0.0, seconds as f64));
    tdaw::store::write_project(d.path(), &p).unwrap();
    d
}

fn render(home: &Path, dir: &Path, depth: &str) -> Vec<f32> {
    let out = dir.join(format!("render{depth}.wav"));
    let st = tdaw(home)
        .arg("render")
        .arg(dir)
        .arg("-o")
        .arg(&out)
        .args(["--bit-depth", depth])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    read_wav(&out).0
}

/// Runs `tdaw listen` with `cmd` in place of ssh; returns its output file and stderr.
fn listen(home: &Path, cmd: &str, to: &Path, seconds: f64) -> (Vec<f32>, String) {
    let out = tdaw(home)
        .args(["listen", "box", "--command", cmd, "--to"])
        .arg(to)
        .args(["--seconds", &seconds.to_string()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    (read_wav(to).0, err)
}

fn monitor_cmd(dir: &Path, codec: &str) -> String {
    format!(
        "'{}' monitor '{}' --codec {codec}",
        tdaw_bin().display(),
        dir.display()
    )
}

fn first_sound(x: &[f32]) -> usize {
    x.chunks(2)
        .position(|f| f[0] != 0.0 || f[1] != 0.0)
        .unwrap()
}

/// The offset d (in frames) at which `out[d..]` best matches `reference` around frame `at`
/// of `out`, searched over `range` of reference positions: by least squares over 2048 frames.
fn locate(out: &[f32], at: usize, reference: &[f32], range: std::ops::Range<usize>) -> usize {
    let n = 2048;
    let probe = &out[at * 2..(at + n) * 2];
    let mut best = (f64::INFINITY, 0);
    for r in range {
        if (r + n) * 2 > reference.len() {
            break;
        }
        let cand = &reference[r * 2..(r + n) * 2];
        let mut e = 0.0f64;
        for (a, b) in probe.iter().zip(cand) {
            let d = (a - b) as f64;
            e += d * d;
            if e > best.0 {
                break;
            }
        }
        if e < best.0 {
            best = (e, r);
        }
    }
    best.1
}

fn stat(err: &str, key: &str) -> f64 {
    let line = err.lines().find(|l| l.starts_with("played")).unwrap();
    let i = line
        .find(key)
        .unwrap_or_else(|| panic!("no {key} in {line}"));
    line[..i]
        .trim_end()
        .rsplit([' ', '(', ','])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The listener's final jitter target in frames, from its `played …` line.
fn jitter_target_frames(err: &str) -> i64 {
    let line = err.lines().find(|l| l.starts_with("played")).unwrap();
    let rest = &line[line.find("jitter target ").unwrap() + "jitter target ".len()..];
    let ms: f64 = rest.split_whitespace().next().unwrap().parse().unwrap();
    (ms * RATE as f64 / 1000.0).round() as i64
}

/// Holds every non-silent 10 ms block of `out` against `reference`: a block matches when it
/// equals the reference bit for bit at some position. Returns (blocks with sound, blocks that
/// match, the delay of the first matching block in frames).
fn exact_blocks(out: &[f32], reference: &[f32]) -> (usize, usize, Option<i64>) {
    let mut at: std::collections::HashMap<(u32, u32, u32, u32), Vec<usize>> = Default::default();
    let frames = reference.len() / 2;
    for i in 0..frames.saturating_sub(1) {
        let k = (
            reference[2 * i].to_bits(),
            reference[2 * i + 1].to_bits(),
            reference[2 * i + 2].to_bits(),
            reference[2 * i + 3].to_bits(),
        );
        at.entry(k).or_default().push(i);
    }
    let (mut sound, mut matched, mut delay) = (0, 0, None);
    for (b, block) in out.chunks_exact(960).enumerate() {
        if block.iter().all(|&x| x == 0.0) {
            continue;
        }
        sound += 1;
        let k = (
            block[0].to_bits(),
            block[1].to_bits(),
            block[2].to_bits(),
            block[3].to_bits(),
        );
        let hit = at.get(&k).and_then(|c| {
            c.iter()
                .copied()
                .find(|&r| reference.get(r * 2..r * 2 + 960) == Some(block))
        });
        if let Some(r) = hit {
            matched += 1;
            delay.get_or_insert(b as i64 * 480 - r as i64);
        }
    }
    (sound, matched, delay)
}

/// Underruns and skips the listener reported: each is a discontinuity in what it played.
fn discontinuities(err: &str) -> usize {
    (stat(err, "underruns") + stat(err, "skips")) as usize
}

#[test]
fn lossless_listen_equals_the_24_bit_render_bit_exact_after_the_delay() {
    let home = tempfile::tempdir().unwrap();
    let d = box_project(4);
    let reference = render(home.path(), d.path(), "24");
    let to = d.path().join("heard.wav");
    let (out, err) = listen(home.path(), &monitor_cmd(d.path(), "flac"), &to, 3.5);
    assert!(err.contains("(flac, 48000 Hz)"), "{err}");
    assert_eq!(out.len(), (3.5 * RATE as f64) as usize * 2);
    let (sound, matched, delay) = exact_blocks(&out, &reference);
    let cuts = discontinuities(&err);
    eprintln!(
        "{err}{matched} of {sound} blocks bit-exact, delay {delay:?}, {cuts} discontinuities"
    );
    // Every block is bit-exact but those a discontinuity (a loaded machine's underrun) cuts.
    assert!(sound > 300, "{sound}");
    assert!(matched + 2 * cuts >= sound, "{matched} of {sound}");
    assert!(err.contains("drift none"), "{err}");
}

#[test]
fn pcm_listen_equals_the_float_render_bit_exact_after_the_delay() {
    let home = tempfile::tempdir().unwrap();
    let d = box_project(3);
    let reference = render(home.path(), d.path(), "32");
    let to = d.path().join("heard.wav");
    let (out, err) = listen(home.path(), &monitor_cmd(d.path(), "pcm"), &to, 2.5);
    let (sound, matched, delay) = exact_blocks(&out, &reference);
    let cuts = discontinuities(&err);
    eprintln!(
        "{err}{matched} of {sound} blocks bit-exact, delay {delay:?}, {cuts} discontinuities"
    );
    assert!(sound > 200, "{sound}");
    assert!(matched + 2 * cuts >= sound, "{matched} of {sound}");
    // The latency the listener measured: the jitter target plus the pipeline.
    let latency = stat(&err, "ms, jitter");
    assert!(latency > 5.0 && latency < 120.0, "{latency} ms");
}

fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (*x as f64) * (*y as f64))
        .sum();
    let na: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum();
    let nb: f64 = b.iter().map(|x| (*x as f64).powi(2)).sum();
    dot / (na * nb).sqrt()
}

/// Compares `out` with `reference` a quarter second at a time, each quarter aligned on its
/// own (an underrun on a loaded machine moves the audio), leaving out quarters with a
/// discontinuity. Returns the samples compared, their correlation, both loudnesses and the
/// quarters left out.
fn aligned_comparison(out: &[f32], reference: &[f32], err: &str) -> (usize, f64, f64, f64, usize) {
    // Aligned a quarter second at a time (an underrun on a loaded machine moves the audio).
    let q = RATE / 4;
    let fr = first_sound(reference);
    let fo = out.chunks(2).position(|f| f[0].abs() > 0.05).unwrap();
    let mut delay = fo as i64 - fr as i64;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut cut_chunks = 0;
    let mut at = fo + q / 4;
    while (at + q) * 2 <= out.len() {
        let guess = (at as i64 - delay).max(0) as usize;
        let r = locate(out, at, reference, guess.saturating_sub(2400)..guess + 2400);
        delay = at as i64 - r as i64;
        if (r + q) * 2 > reference.len() || r + q > fr + 4 * RATE {
            break;
        }
        let (x, y) = (&out[at * 2..(at + q) * 2], &reference[r * 2..(r + q) * 2]);
        let c = correlation(x, y);
        if c < 0.8 {
            // A discontinuity inside this quarter second.
            cut_chunks += 1;
        } else {
            a.extend_from_slice(x);
            b.extend_from_slice(y);
        }
        at += q;
    }
    let corr = correlation(&a, &b);
    let la = tdaw::analysis::analyze_samples(&a, RATE as u32, 2)
        .unwrap()
        .integrated_lufs
        .unwrap();
    let lb = tdaw::analysis::analyze_samples(&b, RATE as u32, 2)
        .unwrap()
        .integrated_lufs
        .unwrap();
    eprintln!(
        "{err}{} s compared, correlation {corr:.4}, {la:.2} vs {lb:.2} LUFS, {cut_chunks} chunks cut",
        a.len() / 2 / RATE
    );
    (a.len(), corr, la, lb, cut_chunks)
}

#[test]
fn opus_listen_keeps_loudness_within_half_a_lu_and_correlates() {
    let home = tempfile::tempdir().unwrap();
    let d = box_project(4);
    let reference = render(home.path(), d.path(), "32");
    let to = d.path().join("heard.wav");
    let (out, err) = listen(home.path(), &monitor_cmd(d.path(), "opus"), &to, 4.0);
    assert!(err.contains("(opus, 48000 Hz)"), "{err}");
    let (compared, corr, la, lb, cut_chunks) = aligned_comparison(&out, &reference, &err);
    assert!(compared >= 2 * RATE * 2, "{compared}");
    assert!(
        cut_chunks <= discontinuities(&err),
        "{cut_chunks} chunks cut"
    );
    assert!(corr >= 0.95, "correlation {corr}");
    assert!((la - lb).abs() <= 0.5, "{la} vs {lb} LUFS");
}

#[test]
fn a_stall_of_the_stream_recovers_without_growing_latency() {
    let home = tempfile::tempdir().unwrap();
    let d = box_project(5);
    let reference = render(home.path(), d.path(), "32");
    let to = d.path().join("heard.wav");
    // Forwards ~0.6 s of the PCM stream, stops reading for a second, then forwards again.
    let cmd = format!(
        "{} | {{ dd bs=4096 count=56 iflag=fullblock 2>/dev/null; sleep 1; cat; }}",
        monitor_cmd(d.path(), "pcm")
    );
    let (out, err) = listen(home.path(), &cmd, &to, 4.0);
    eprintln!("{err}");
    assert!(stat(&err, "skips") >= 1.0, "{err}");
    // How late the output is before the stall and well after it.
    let delay_at =
        |at: usize| at as i64 - locate(&out, at, &reference, 0..reference.len() / 2) as i64;
    let before = delay_at(RATE * 3 / 10);
    let after = delay_at(3 * RATE);
    // The adaptive jitter buffer may deepen when a loaded machine makes the stream arrive
    // late (underruns): that much growth is the buffer doing its job. A stall of a second
    // must not stay in the latency, so the growth is bounded by the final jitter target
    // (tens of ms), whatever the load.
    let target = jitter_target_frames(&err);
    eprintln!("delay before {before} frames, after {after}, jitter target {target} frames");
    assert!(
        after <= before + (2 * 480).max(target),
        "latency grew from {before} to {after} frames (jitter target {target})"
    );
    assert!(target < RATE as i64 / 4, "jitter target {target} frames");
}

#[test]
fn the_box_side_ends_within_a_second_when_the_listener_vanishes() {
    let home = tempfile::tempdir().unwrap();
    let d = box_project(3);
    let mut child = tdaw(home.path())
        .arg("monitor")
        .arg(d.path())
        .args(["--codec", "pcm"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    stdout.read_exact(&mut buf).unwrap();
    assert_eq!(&buf[..4], b"TDMS");
    drop(stdout);
    let gone = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            gone.elapsed() < Duration::from_secs(10),
            "the monitor kept running"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = gone.elapsed();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{err}");
    assert!(err.contains("the listener went away"), "{err}");
    assert!(took < Duration::from_secs(1), "{took:?}");
}

#[test]
fn garbage_on_the_stream_is_one_clear_error() {
    let home = tempfile::tempdir().unwrap();
    let to = home.path().join("x.wav");
    let out = tdaw(home.path())
        .args([
            "listen",
            "box",
            "--command",
            "echo 'bash: tdaw: command not found'; sleep 5",
            "--to",
        ])
        .arg(&to)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(
        err.trim(),
        "error: `echo 'bash: tdaw: command not found'; sleep 5`: not a tdaw monitor stream (it \
         starts with \"bash: tdaw: comm\")"
    );
}

#[test]
fn the_command_dying_ends_listen_with_one_line() {
    let home = tempfile::tempdir().unwrap();
    let d = box_project(3);
    let to = d.path().join("heard.wav");
    let cmd = format!("timeout 1 {}", monitor_cmd(d.path(), "opus"));
    let out = tdaw(home.path())
        .args(["listen", "box", "--command", &cmd, "--to"])
        .arg(&to)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    let last = err.trim().lines().last().unwrap();
    assert!(
        last.starts_with("error: the stream ended: `timeout 1 ")
            && last.ends_with("exited (exit status: 124)"),
        "{err}"
    );
    // What arrived was written, a valid file.
    assert!(read_wav(&to).0.len() > RATE);
}

#[test]
fn monitor_with_no_session_and_no_project_says_how_to_go_on() {
    let home = tempfile::tempdir().unwrap();
    let out = tdaw(home.path()).arg("monitor").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("no tdaw session is running here"), "{err}");
    assert!(err.contains("tdaw monitor DIR"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn the_top_bar_shows_who_is_listening_and_their_latency() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = ui_support::demo_app(dir.path());
    app.transport = tdaw::ui::engine_link::TransportView {
        device: Some("hw:0".into()),
        listening: "listening: ana@10.0.0.5 43 ms".into(),
        ..Default::default()
    };
    let top: String = ui_support::text(&mut app, 120, 24)
        .lines()
        .take(2)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(top.contains("listening: ana@10.0.0.5 43 ms  DSP"), "{top}");
    // At 80 columns the figures still fit; the device name gives way.
    app.transport.device = Some("a rather long output device name".into());
    let top: String = ui_support::text(&mut app, 80, 24)
        .lines()
        .take(2)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(top.contains("listening: ana@10.0.0.5 43 ms"), "{top}");
}

#[test]
fn listen_attaches_to_a_running_session_which_plays_on_and_drops_the_listener() {
    use tdaw::engine::monitor::{MonitorHub, SocketServer};
    use tdaw::engine::{EngineCommand, EngineConfig, EngineEvent, EngineHandle};
    let home = tempfile::tempdir().unwrap();
    let d = box_project(4);
    // The session: an engine on the null backend serving the socket `tdaw monitor` looks for.
    let mut engine = EngineHandle::start(EngineConfig {
        device: None,
        buffer_frames: None,
        soundfont: None,
        force_null: true,
    })
    .unwrap();
    let p = tdaw::store::load_project(d.path()).unwrap();
    engine.load_project(&p, d.path());
    let give_up = Instant::now() + Duration::from_secs(30);
    while !engine.update().contains(&EngineEvent::Loaded) {
        assert!(Instant::now() < give_up, "the project did not load");
        std::thread::sleep(Duration::from_millis(5));
    }
    engine.send(EngineCommand::Play);
    let hub: std::sync::Arc<MonitorHub> = engine.monitor_hub();
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    let sock = home.path().join(format!("tdaw-{uid}.sock"));
    let _server = SocketServer::start_at(hub.clone(), sock).unwrap();
    let to = d.path().join("heard.wav");
    let cmd = format!("'{}' monitor --codec flac", tdaw_bin().display());
    let mut child = tdaw(home.path())
        .args(["listen", "box", "--command", &cmd, "--to"])
        .arg(&to)
        .args(["--seconds", "1.5"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        seen.extend(hub.listeners());
        assert!(Instant::now() < give_up, "listen did not end");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{err}");
    // It was listed while it listened, with the latency it reported back.
    assert!(!seen.is_empty());
    assert!(seen.iter().any(|l| l.latency_ms.is_some()), "{seen:?}");
    let (heard, _) = read_wav(&to);
    assert_eq!(heard.len(), RATE * 3);
    assert!(heard.iter().any(|&x| x != 0.0));
    // The listener is gone: the session drops it within a second and plays on.
    let gone = Instant::now();
    while !hub.listeners().is_empty() {
        assert!(
            gone.elapsed() < Duration::from_secs(1),
            "{:?}",
            hub.listeners()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    engine.update();
    assert!(engine.status().playing);
}

#[test]
fn monitor_stdout_is_a_wav_stream_any_player_reads_bit_exact() {
    let home = tempfile::tempdir().unwrap();
    let d = box_project(3);
    let reference = render(home.path(), d.path(), "32");
    let mut child = tdaw(home.path())
        .arg("monitor")
        .arg(d.path())
        .arg("--stdout")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut bytes = vec![0u8; 44 + RATE * 8];
    stdout.read_exact(&mut bytes).unwrap();
    drop(stdout);
    let _ = child.wait();
    // A float stereo 48 kHz WAV whose lengths say "unknown" (ffplay, ffmpeg and sox read on).
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..16], b"WAVEfmt ");
    assert_eq!(u16::from_le_bytes([bytes[20], bytes[21]]), 3);
    assert_eq!(u16::from_le_bytes([bytes[22], bytes[23]]), 2);
    assert_eq!(&bytes[36..40], b"data");
    let samples: Vec<f32> = bytes[44..]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let (sound, matched, _) = exact_blocks(&samples, &reference);
    assert!(sound > 20, "{sound}");
    // The box side never skips audio unless the pipe stalls; allow a cut at the start.
    assert!(matched + 2 >= sound, "{matched} of {sound}");
}

#[test]
fn monitor_stdout_with_opus_is_ogg_opus_ffmpeg_decodes_within_half_a_lu() {
    let home = tempfile::tempdir().unwrap();
    let d = box_project(4);
    let reference = render(home.path(), d.path(), "32");
    let mut child = tdaw(home.path())
        .arg("monitor")
        .arg(d.path())
        .args(["--stdout", "--codec", "opus", "--bitrate", "128"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    // 128 kbit/s for 3.5 s, with the pages' headers.
    let mut bytes = vec![0u8; 128_000 / 8 * 7 / 2];
    stdout.read_exact(&mut bytes).unwrap();
    drop(stdout);
    let _ = child.wait();
    assert_eq!(&bytes[..4], b"OggS");
    assert_eq!(&bytes[28..36], b"OpusHead");
    // Cut at a page boundary, as a stream stopped by the player would be.
    let last_page = bytes.windows(4).rposition(|w| w == b"OggS").unwrap();
    let ogg = d.path().join("stream.opus");
    std::fs::write(&ogg, &bytes[..last_page]).unwrap();
    let decoded = d.path().join("decoded.wav");
    let run = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(&ogg)
        .args(["-ar", "48000", "-c:a", "pcm_f32le"])
        .arg(&decoded)
        .output()
        .expect("ffmpeg (./setup.sh --tests installs it)");
    let err = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(run.status.success() && err.is_empty(), "ffmpeg: {err}");
    let out = read_wav(&decoded).0;
    let (compared, corr, la, lb, cut_chunks) = aligned_comparison(&out, &reference, "");
    assert!(compared >= 2 * RATE * 2, "{compared}");
    assert!(cut_chunks <= 1, "{cut_chunks} chunks cut");
    assert!(corr >= 0.95, "correlation {corr}");
    assert!((la - lb).abs() <= 0.5, "{la} vs {lb} LUFS");
}
