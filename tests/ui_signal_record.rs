//! A dropped SSH session in the middle of a recording keeps the takes: SIGHUP to tdaw in tmux
//! while it records two armed audio tracks (ALSA's `file` capture route as the input) stops
//! the recording, turns the takes into the usual edit and writes it to the autosave, so the
//! next open offers the project with the take clips on their tracks, their WAV files whole.
//! Skipped when tmux is missing.

mod capture_support;
mod tmux_support;

use std::path::Path;
use std::time::Duration;
use tdaw::model::{ClipContent, Project, Track, TrackId, TrackKind};
use tmux_support::{tmux_available, Tmux};

fn autosave_count(dir: &Path) -> usize {
    std::fs::read_dir(dir.join(".tdaw"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("autosave-"))
        .count()
}

#[test]
fn hup_while_recording_puts_the_takes_in_the_autosave() {
    if !tmux_available() {
        println!("note: tmux is not installed; skipping");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let conf = capture_support::capture_route(tmp.path(), &capture_support::ramp(48_000));
    let home = tmp.path().join("home");
    // No output device by that name: the engine plays on the null backend (real-time pace).
    capture_support::audio_config(&home, "device = \"no-such-device\"\ninput_latency_ms = 0");
    let dir = tmp.path().join("song");
    let mut p = Project::new("rec", 48_000, 120.0);
    for (id, name) in [(1, "Gtr"), (2, "Vox")] {
        let mut t = Track::new(TrackId(id), name, TrackKind::Audio);
        t.arm = true;
        p.tracks.push(t);
    }
    tdaw::store::create_project(&dir, 48_000, 120.0).unwrap();
    tdaw::store::write_project(&dir, &p).unwrap();
    let before = std::fs::read(dir.join("project.toml")).unwrap();

    let after = tmp.path().join("after.txt");
    let script = format!(
        "ALSA_CONFIG_PATH='{}' TDAW_HOME='{}' TERM=xterm-256color '{}' '{}'; echo EXITED:$? > '{}'; echo DONE; sleep 30",
        conf.display(),
        home.display(),
        env!("CARGO_BIN_EXE_tdaw"),
        dir.display(),
        after.display()
    );
    let tmux = Tmux::new(format!("tdaw-sigrec-{}", std::process::id()), "sigrec");
    tmux.start(120, 30, &script);
    tmux.wait_for("Gtr", Duration::from_secs(10));
    let pid = tmux.child_pid();
    tmux.keys(&["g", "r"]);
    tmux.wait_for("Recording into Gtr, Vox", Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(autosave_count(&dir), 0, "nothing autosaved while recording");
    // SAFETY: kill(2) on the pid of the tdaw this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    tmux.wait_for("DONE", Duration::from_secs(6));
    let report = std::fs::read_to_string(&after).unwrap();
    assert!(report.starts_with("EXITED:129"), "{report}");

    // project.toml as it was; the takes are in the autosave the next open offers.
    assert_eq!(std::fs::read(dir.join("project.toml")).unwrap(), before);
    assert_eq!(autosave_count(&dir), 1);
    std::env::set_var("TDAW_HOME", &home);
    let app = tdaw::ui::open_app(&dir).unwrap();
    let [tdaw::ui::app::Popup::Recover { autosave, .. }] = app.popups.as_slice() else {
        panic!("no recovery offered: {:?}", app.popups);
    };
    for t in &autosave.tracks {
        let [clip] = t.clips.as_slice() else {
            panic!("{}: one take clip, got {:?}", t.name, t.clips);
        };
        assert_eq!(clip.start, 0.0, "{}: at the record point", t.name);
        let ClipContent::Audio(a) = &clip.content else {
            panic!("{}: an audio clip", t.name)
        };
        let mut r = hound::WavReader::open(dir.join(&a.file)).unwrap();
        let frames = r.duration();
        assert!(frames >= 24_000, "{}: {frames} frames recorded", t.name);
        let first: Vec<i32> = r.samples::<i32>().take(2).map(|s| s.unwrap()).collect();
        let want: Vec<i32> = capture_support::ramp(1)
            .iter()
            .map(|&x| (x * 8_388_608.0).round() as i32)
            .collect();
        assert_eq!(first, want, "{}: the input's first frame", t.name);
    }
}
