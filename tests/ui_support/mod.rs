//! Shared set-up for the TUI tests: a project folder in a temp dir, an App on it, and a screen.
#![allow(dead_code)]

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::Path;
use tdaw::model::Project;
use tdaw::ui::keymap::Keymap;
use tdaw::ui::theme::{ColorDepth, Theme};
use tdaw::ui::{update, Action, App};

/// A project folder holding `project`, saved, and an App on it with the default keymap.
pub fn app_with(project: Project, dir: &Path) -> App {
    isolated_home();
    tdaw::store::create_project(dir, project.sample_rate, 120.0).unwrap();
    tdaw::store::save_project(dir, &project).unwrap();
    let theme = Theme::load("dark", ColorDepth::TrueColor).unwrap();
    let mut app = App::new(project, dir, Keymap::defaults(), theme);
    update(&mut app, Action::Resize(120, 40));
    app
}

/// Points `TDAW_HOME` at a temp dir for the whole test binary, unless a test set one already:
/// the index, presets and chat history of UI tests never touch the user's own.
pub fn isolated_home() {
    static HOME: std::sync::OnceLock<Option<tempfile::TempDir>> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        if std::env::var_os("TDAW_HOME").is_some() {
            return None;
        }
        let h = tempfile::tempdir().unwrap();
        std::env::set_var("TDAW_HOME", h.path());
        Some(h)
    });
}

/// The demo song's four parts (drums, bass, chords, lead) without its mix (the buses, sends,
/// effects and automation the demo adds since issue 10): the song the key and view tests were
/// written against, so their track counts and screens stay as they were.
pub fn demo_parts() -> Project {
    let mut p = tdaw::cli::demo::demo_project();
    p.tracks.retain(|t| t.kind != tdaw::model::TrackKind::Bus);
    for t in &mut p.tracks {
        t.effects.clear();
        t.sends.clear();
        t.automation.clear();
    }
    p.master = Default::default();
    p
}

/// The demo song's parts (see [`demo_parts`]) in a temp folder.
pub fn demo_app(dir: &Path) -> App {
    app_with(demo_parts(), dir)
}

/// Presses keys, panicking on a malformed key string.
pub fn press(app: &mut App, keys: &str) {
    tdaw::ui::press(app, keys).unwrap();
}

/// Draws the app at a size and returns the terminal (its backend displays as text).
pub fn screen(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    update(app, Action::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| tdaw::ui::views::draw(app, f)).unwrap();
    t
}

/// The screen as lines of text.
pub fn text(app: &mut App, w: u16, h: u16) -> String {
    let t = screen(app, w, h);
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Writes a mono 16-bit WAV of a decaying sine into `path`.
pub fn write_wav(path: &Path, seconds: f32, rate: u32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let n = (seconds * rate as f32) as u32;
    for i in 0..n {
        let t = i as f32 / rate as f32;
        let env = (-(t % 1.0) * 3.0).exp();
        let v = (t * 220.0 * std::f32::consts::TAU).sin() * env * 0.8;
        w.write_sample((v * 32767.0) as i16).unwrap();
    }
    w.finalize().unwrap();
}

/// Starts an engine on the silent null backend (real-time pace, no sound card needed) and
/// loads the app's project into it.
pub fn with_null_engine(app: &mut App) {
    let h = tdaw::engine::EngineHandle::start(tdaw::engine::EngineConfig {
        force_null: true,
        ..Default::default()
    })
    .unwrap();
    app.engine = tdaw::ui::engine_link::EngineLink::from_handle(h);
    app.engine.load_project(&app.project, &app.dir);
}

/// Ticks the app (its engine link polls the engine) until `done`, failing after 30 s with
/// what it waited for and the status line.
pub fn tick_until(app: &mut App, what: &str, done: impl Fn(&App) -> bool) {
    let t0 = std::time::Instant::now();
    loop {
        tdaw::ui::update(app, tdaw::ui::Action::Tick);
        if done(app) {
            return;
        }
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(30),
            "timed out waiting for {what}: status {:?}, input meters {:?}",
            app.status,
            app.meters.input
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
