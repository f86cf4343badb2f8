//! Background work through the one job channel (`ui::jobs`): its events in order, cancel,
//! panics, timers and shutdown; renders that can be cancelled (by a key or by
//! quitting) and leave no temporary file, peaks that arrive as events, and the timers of the
//! audition note-off and the autosave.

mod tmux_support;
mod ui_support;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::channel;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tdaw::model::{ClipContent, Project};
use tdaw::ui::jobs::{JobEvent, JobKind, JobOutput, Jobs, RenderEnd, Timer};
use tdaw::ui::{run_jobs, update, wait_for_jobs, Action, App};
use tmux_support::{tmux_available, Tmux};
use ui_support::{app_with, press, with_null_engine};

/// One bass clip stretched over ~30 minutes: a render that is still running when cancelled.
fn long_project() -> Project {
    let mut p = tdaw::cli::demo::demo_project();
    p.tracks.retain(|t| t.name == "Bass");
    p.tracks[0].clips.truncate(1);
    p.tracks[0].clips[0].start = 0.0;
    if let ClipContent::Midi(m) = &mut p.tracks[0].clips[0].content {
        m.length = 4000.0;
    }
    p
}

/// Starts `:render mix.wav` and waits until its temporary file is on disk.
fn start_render(app: &mut App, dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let out = dir.join("mix.wav");
    press(app, &format!(":render {}<ret>", out.display()));
    assert!(app.render.is_some(), "{:?}", app.status);
    let temp = tdaw::engine::temp_path(&out);
    let t0 = Instant::now();
    while !temp.exists() {
        assert!(t0.elapsed() < Duration::from_secs(30), "no temporary file");
        run_jobs(app);
        std::thread::sleep(Duration::from_millis(5));
    }
    (out, temp)
}

fn cancel_with(keys: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(long_project(), dir.path());
    let (out, temp) = start_render(&mut app, dir.path());
    press(&mut app, keys);
    assert!(!app.quit, "{keys} cancels the render, not the session");
    assert!(wait_for_jobs(&mut app, Duration::from_secs(30)));
    assert!(app.render.is_none());
    assert_eq!(app.status.text, "render cancelled");
    assert!(!app.status.error);
    assert!(!temp.exists(), "the partial file is removed");
    assert!(!out.exists());
    // The next render may start.
    press(&mut app, &format!(":render {}<ret>", out.display()));
    assert!(app.render.is_some(), "{:?}", app.status);
}

#[test]
fn esc_cancels_a_running_render_and_removes_its_temporary() {
    cancel_with("<esc>");
}

#[test]
fn ctrl_c_cancels_a_running_render_instead_of_quitting() {
    cancel_with("<C-c>");
}

#[test]
fn quitting_while_rendering_cancels_it_and_leaves_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(long_project(), dir.path());
    let (out, temp) = start_render(&mut app, dir.path());
    press(&mut app, ":q<ret>");
    assert!(app.quit, "{:?}", app.status);
    // The event loop ends here; dropping the App waits for the cancelled render.
    drop(app);
    assert!(!temp.exists(), "the partial file is removed");
    assert!(!out.exists());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn peaks_arrive_as_job_events_and_are_cached() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Project::new("peaks", 48_000, 120.0);
    let mut t = tdaw::model::Track::new(
        tdaw::model::TrackId(1),
        "Audio",
        tdaw::model::TrackKind::Audio,
    );
    t.clips.push(tdaw::model::Clip {
        id: tdaw::model::ClipId(1),
        name: String::new(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Audio(tdaw::model::AudioClip {
            file: "audio/tone.wav".into(),
            offset: 0.0,
            length: 2.0,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }),
    });
    p.tracks.push(t);
    std::fs::create_dir_all(dir.path().join("audio")).unwrap();
    ui_support::write_wav(&dir.path().join("audio/tone.wav"), 2.0, 48_000);
    let mut app = app_with(p, dir.path());
    // Nothing takes effect outside the reducer: the worker's result waits on the channel.
    assert_eq!(app.jobs.running(tdaw::ui::jobs::JobKind::Peaks), 1);
    assert!(app.peaks.get("audio/tone.wav").is_none());
    assert!(wait_for_jobs(&mut app, Duration::from_secs(30)));
    let peaks = app.peaks.get("audio/tone.wav").expect("peaks");
    assert_eq!(peaks.frames, 96_000);
    let cache = tdaw::store::peaks::cache_path(dir.path(), "audio/tone.wav");
    let (len, mtime) =
        tdaw::store::peaks::source_stamp(&dir.path().join("audio/tone.wav")).unwrap();
    assert_eq!(
        tdaw::store::peaks::read(&cache, len, mtime).as_ref(),
        Some(peaks)
    );
    assert!(!app.peaks.busy() && !app.jobs.busy());
}

#[test]
fn the_audition_note_off_is_a_timer() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = ui_support::demo_app(dir.path());
    with_null_engine(&mut app);
    let before = Instant::now();
    press(&mut app, "<ret>");
    assert!(app.piano_clip().is_some());
    press(&mut app, "s");
    assert_eq!(app.audition_off.len(), 1, "a note sounds");
    let (track, _) = app.audition_off[0];
    assert_eq!(Some(track), app.selected_track());
    let due = app
        .jobs
        .due(Timer::AuditionOff)
        .expect("its release is set");
    assert!(due > before && due < Instant::now() + Duration::from_secs(2));
    update(&mut app, Action::Job(JobEvent::Timer(Timer::AuditionOff)));
    assert!(app.audition_off.is_empty(), "released");
    // A typed chord sounds whole, every note of it, and is released together.
    press(&mut app, ":chord Am7<ret>");
    let mut sounding: Vec<u8> = app.audition_off.iter().map(|&(_, p)| p).collect();
    sounding.sort_unstable();
    let intervals: Vec<u8> = sounding.iter().map(|p| p - sounding[0]).collect();
    assert_eq!(intervals, vec![0, 3, 7, 10], "A C E G: {sounding:?}");
    assert_eq!(sounding[0] % 12, 9, "rooted on A");
    update(&mut app, Action::Job(JobEvent::Timer(Timer::AuditionOff)));
    assert!(app.audition_off.is_empty(), "the chord is released");
}

#[test]
fn the_autosave_timer_follows_the_last_key_and_goes_with_a_save() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = ui_support::demo_app(dir.path());
    assert_eq!(app.jobs.due(Timer::Autosave), None, "nothing to autosave");
    press(&mut app, ":bpm 99<ret>");
    let idle = app.disk.last_input + tdaw::ui::autosave::IDLE;
    assert_eq!(app.jobs.due(Timer::Autosave), Some(idle));
    press(&mut app, ":w<ret>");
    assert!(!app.status.error, "{:?}", app.status);
    assert_eq!(app.jobs.due(Timer::Autosave), None);
    // The look at project.toml comes a second after the last one.
    let poll = app.disk.last_poll + tdaw::ui::autosave::POLL;
    assert_eq!(app.jobs.due(Timer::DiskPoll), Some(poll));
}

#[test]
fn an_idle_app_gets_no_events_and_asks_for_no_redraw() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = ui_support::demo_app(dir.path());
    wait_for_jobs(&mut app, Duration::from_secs(30));
    app.needs_redraw = false;
    assert_eq!(run_jobs(&mut app), 0);
    assert!(!app.needs_redraw);
    // The look at an unchanged project.toml is an event that changes nothing on screen.
    app.disk.last_poll = Instant::now() - Duration::from_secs(5);
    assert_eq!(run_jobs(&mut app), 1);
    assert!(!app.needs_redraw);
    assert!(app.disk.last_poll.elapsed() < Duration::from_secs(1));
}

/// The real event loop in a terminal: with timers set (the look at project.toml every second)
/// and nothing happening, it writes nothing to the terminal.
#[test]
fn an_idle_session_in_tmux_writes_zero_bytes() {
    if !tmux_available() {
        println!("note: tmux is not installed; skipping the idle terminal test");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("song");
    tdaw::store::create_project(&dir, 48_000, 120.0).unwrap();
    tdaw::store::write_project(&dir, &tdaw::cli::demo::demo_project()).unwrap();
    let log = home.path().join("pane.out");
    let tmux = Tmux::new(format!("tdaw-jobs-{}", std::process::id()), "idle");
    let script = format!(
        "TDAW_HOME='{}' TERM=xterm-256color '{}' '{}'; sleep 30",
        home.path().display(),
        env!("CARGO_BIN_EXE_tdaw"),
        dir.display()
    );
    tmux.start(100, 30, &script);
    let pipe = format!("cat >> '{}'", log.display());
    assert!(tmux
        .cmd(&["pipe-pane", "-o", "-t", "idle", &pipe])
        .status
        .success());
    tmux.wait_for("Chords", Duration::from_secs(10));
    // Let the first frames and the status message settle, then watch 3 s windows: three looks
    // at project.toml and six engine ticks happen in each. A window in which the screen did not
    // change must have written nothing. (On a loaded machine the null backend's `late N` may
    // change the top bar: those windows are passed over, up to fifteen shorter ones.)
    std::thread::sleep(Duration::from_millis(6_000));
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let capture = || tmux.capture();
    for i in 0..15 {
        let (before, screen) = (size(&log), capture());
        assert!(before > 0, "the pane's output is recorded");
        std::thread::sleep(Duration::from_millis(if i < 5 { 3_000 } else { 1_500 }));
        if capture() != screen {
            continue;
        }
        assert_eq!(
            size(&log),
            before,
            "an unchanged idle screen writes zero bytes"
        );
        return;
    }
    panic!("the screen kept changing while idle:\n{}", capture());
}

// The channel itself: ids, order, cancel, panics, timers, shutdown.

fn drain_jobs(jobs: &mut Jobs) -> Vec<JobEvent> {
    let mut out = Vec::new();
    while jobs.busy() {
        match jobs.wait(Duration::from_secs(10)) {
            Some(ev) => out.push(ev),
            None => panic!("a job never finished"),
        }
    }
    out
}

#[test]
fn outputs_and_progress_arrive_in_order_then_finished() {
    let mut jobs = Jobs::new();
    let id = jobs
        .spawn(JobKind::Render, |ctx| {
            ctx.progress(0.5);
            ctx.send(JobOutput::Render(RenderEnd::Done("ok".into())));
        })
        .unwrap();
    assert!(jobs.is_running(id));
    assert_eq!(jobs.running(JobKind::Render), 1);
    let events = drain_jobs(&mut jobs);
    assert_eq!(
        events,
        vec![
            JobEvent::Progress { id, fraction: 0.5 },
            JobEvent::Output {
                id,
                output: JobOutput::Render(RenderEnd::Done("ok".into()))
            },
            JobEvent::Finished {
                id,
                kind: JobKind::Render
            },
        ]
    );
    assert!(!jobs.is_running(id) && !jobs.busy());
}

#[test]
fn a_panicking_worker_still_finishes() {
    let mut jobs = Jobs::new();
    let id = jobs
        .spawn(JobKind::Peaks, |_| {
            panic!("worker panic (expected by the test)")
        })
        .unwrap();
    let events = drain_jobs(&mut jobs);
    assert_eq!(
        events,
        vec![JobEvent::Finished {
            id,
            kind: JobKind::Peaks
        }]
    );
}

#[test]
fn cancel_reaches_the_worker_and_ids_differ() {
    let mut jobs = Jobs::new();
    let (go_tx, go_rx) = channel::<()>();
    let a = jobs
        .spawn(JobKind::Render, move |ctx| {
            let _ = go_rx.recv();
            let end = if ctx.cancelled() {
                RenderEnd::Cancelled
            } else {
                RenderEnd::Done("ran".into())
            };
            ctx.send(JobOutput::Render(end));
        })
        .unwrap();
    let b = jobs.spawn(JobKind::Peaks, |_| {}).unwrap();
    assert_ne!(a, b);
    assert!(jobs.cancel(a));
    go_tx.send(()).unwrap();
    let events = drain_jobs(&mut jobs);
    assert!(events.contains(&JobEvent::Output {
        id: a,
        output: JobOutput::Render(RenderEnd::Cancelled)
    }));
    assert!(!jobs.cancel(a), "finished jobs cannot be cancelled");
}

#[test]
fn timers_fire_once_in_order_and_move_when_set_again() {
    let mut jobs = Jobs::new();
    let t0 = Instant::now();
    jobs.at(t0 + Duration::from_secs(2), Timer::Autosave);
    jobs.at(t0 + Duration::from_secs(1), Timer::DiskPoll);
    jobs.at(t0 + Duration::from_secs(3), Timer::AuditionOff);
    // Set again: moved, not doubled.
    jobs.at(t0 + Duration::from_secs(4), Timer::AuditionOff);
    assert_eq!(jobs.next_timer(), Some(t0 + Duration::from_secs(1)));
    assert_eq!(jobs.take(t0), None);
    let at = |s| t0 + Duration::from_secs(s);
    assert_eq!(jobs.take(at(3)), Some(JobEvent::Timer(Timer::DiskPoll)));
    assert_eq!(jobs.take(at(3)), Some(JobEvent::Timer(Timer::Autosave)));
    assert_eq!(jobs.take(at(3)), None);
    assert_eq!(jobs.due(Timer::AuditionOff), Some(at(4)));
    jobs.clear(Timer::AuditionOff);
    assert_eq!(jobs.take(at(10)), None);
    assert_eq!(jobs.next_timer(), None);
}

#[test]
fn waiting_wakes_for_a_timer() {
    let mut jobs = Jobs::new();
    jobs.after(Duration::from_millis(1), Timer::AuditionOff);
    assert_eq!(
        jobs.wait(Duration::from_secs(10)),
        Some(JobEvent::Timer(Timer::AuditionOff))
    );
}

#[test]
fn dropping_cancels_and_waits_for_workers() {
    let done = Arc::new(AtomicBool::new(false));
    let mut jobs = Jobs::new();
    let d = done.clone();
    jobs.spawn(JobKind::Render, move |ctx| {
        while !ctx.cancelled() {
            std::thread::sleep(Duration::from_millis(1));
        }
        d.store(true, Ordering::SeqCst);
    })
    .unwrap();
    drop(jobs);
    assert!(
        done.load(Ordering::SeqCst),
        "the worker saw the cancel first"
    );
}
