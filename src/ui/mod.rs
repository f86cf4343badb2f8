//! The terminal user interface: one `App` state, one reducer (`update::update`), pure views.
//!
//! Keys resolve through keymaps (TOML tries, `keymaps/vim.toml` compiled in) to commands of the
//! registry (`action.rs`); every change of the project is an `Edit` through the history. The
//! event loop draws only when something changed, blocks on input when idle, and redraws meters
//! at ~25 fps while playing. Background work and timers (`jobs`) report on one channel; the loop
//! wakes for them and hands each event to the reducer. This module is the only one that knows the terminal; it never
//! touches audio itself (everything goes through `engine_link`).

pub mod action;
pub mod app;
pub mod app_views;
pub mod assistant;
pub mod audio_takes;
pub mod autosave;
pub mod commands;
pub mod ctx;
pub mod disk;
pub mod dispatch;
pub mod effects;
pub mod engine_link;
pub mod grid;
pub mod instruments;
pub mod jobs;
pub mod keymap;
pub mod live_state;
pub mod midi_live;
pub mod open;
pub mod peaks;
mod popups;
pub mod terminal;
pub mod theme;
pub mod timeline;
pub mod track_input;
pub mod update;
pub mod view;
pub mod views;
pub mod warnings;
pub mod widgets;

pub use action::{Action, Cmd};
pub use app::App;
pub use open::{open_app, reopen};
pub use update::{press, run_jobs, update, wait_for_jobs};
pub use warnings::{install_warning_sink, take_warnings};

use crossterm::event::{self, Event, KeyEventKind, MouseEventKind};
use std::path::Path;
use std::time::{Duration, Instant};
use thiserror::Error;

/// Why the TUI could not run.
#[derive(Debug, Error)]
pub enum UiError {
    #[error("{0}")]
    Open(String),
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
    #[error("ended by signal {0}")]
    Signal(i32),
}

/// How often the event loop looks for a terminating signal while it waits for input.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// Frame period while playing (meters and playhead move).
pub const PLAYING_FRAME: Duration = Duration::from_millis(40);
/// How long the loop sleeps when nothing happens (ticks poll the engine).
pub const IDLE_TICK: Duration = Duration::from_millis(500);
/// How often the loop looks at the job channel while a worker runs (a worker's report waits
/// at most this long; timers wake the loop at their own time).
const JOB_CHECK: Duration = Duration::from_millis(20);

/// How long a session ending mid-recording waits for the recording's takes.
const RECORDING_WAIT: Duration = Duration::from_secs(2);

/// Runs the TUI on a project folder until the user quits.
pub fn run(dir: &Path) -> Result<(), UiError> {
    install_warning_sink();
    terminal::install_signal_handlers();
    let mut app = open_app(dir).map_err(UiError::Open)?;
    // The engine falls back to a silent null backend without a sound card; it only fails when
    // its thread cannot start, and then the TUI still edits (the status line says why).
    let config = crate::config::Config::load().unwrap_or_default();
    match engine_link::EngineLink::start(&config) {
        Ok(engine) => {
            app.engine = engine;
            app.engine.load_project(&app.project, &app.dir);
        }
        Err(e) => app.error(format!("audio engine: {e}")),
    }
    // The index is a cache: a session that cannot be recorded is not worth stopping for.
    let session = crate::store::index::Index::open()
        .and_then(|mut i| i.session_start(&app.dir).map(|id| (i, id)))
        .ok();
    let mut guard = terminal::TerminalGuard::enter()?;
    let size = guard.terminal.size()?;
    app.size = (size.width, size.height);
    let result = event_loop(&mut app, &mut guard.terminal);
    // Ended from outside (a signal, a terminal that is gone): unsaved work goes to the
    // autosave before anything else, which may fail on a dead terminal.
    let signal = terminal::pending_signal();
    // A recording still running keeps its takes: they become the usual edit first.
    let recorded = midi_live::finish_recording(&mut app, RECORDING_WAIT);
    if result.is_err() || signal.is_some() || (recorded && app.unsaved()) {
        let _ = autosave::now(&mut app);
    }
    drop(guard);
    if !app.unsaved() {
        autosave::discard(&app);
    }
    if let Some((mut index, id)) = session {
        let _ = index.session_end(id);
    }
    if let Some(sig) = signal {
        return Err(UiError::Signal(sig));
    }
    result
}

fn event_loop(app: &mut App, term: &mut terminal::Term) -> Result<(), UiError> {
    let mut last_tick = Instant::now();
    // The last frame sent: a frame identical to it is not sent at all, so a screen whose state
    // changed below what it shows (a meter decaying under its floor) writes zero bytes.
    let mut shown: Option<(ratatui::buffer::Buffer, Option<(u16, u16)>)> = None;
    loop {
        if let Some(sig) = terminal::pending_signal() {
            return Err(UiError::Signal(sig));
        }
        if app.needs_redraw {
            app.needs_redraw = false;
            let size = term.size()?;
            let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
            let mut buf = ratatui::buffer::Buffer::empty(area);
            let cursor = views::draw_buffer(app, &mut buf, area);
            let same = shown
                .as_ref()
                .is_some_and(|(b, c)| *b == buf && *c == cursor);
            if !same {
                term.draw(|f| {
                    if f.area() == buf.area {
                        f.buffer_mut().content.clone_from(&buf.content);
                    } else {
                        views::draw(app, f);
                    }
                    if let Some(c) = cursor {
                        f.set_cursor_position(c);
                    }
                })?;
                shown = Some((buf, cursor));
            }
        }
        if app.quit {
            return Ok(());
        }
        let period = if app.transport.playing {
            PLAYING_FRAME
        } else {
            IDLE_TICK
        };
        let mut wait = period.saturating_sub(last_tick.elapsed()).min(SIGNAL_CHECK);
        if app.jobs.busy() {
            wait = wait.min(JOB_CHECK);
        }
        if let Some(t) = app.jobs.next_timer() {
            wait = wait.min(t.saturating_duration_since(Instant::now()));
        }
        // Our own wait first: it sees a hung-up terminal (which crossterm would spin on) and
        // lets a signal through; crossterm then only takes what is there.
        terminal::wait_for_input(wait)?;
        if terminal::pending_signal().is_some() {
            continue;
        }
        if interrupted_is_none(event::poll(Duration::ZERO))? {
            // Take everything that is queued before drawing again (key repeat, paste).
            while let Some(ev) = interrupted_is_none(event::read().map(Some))? {
                if let Some(action) = to_action(ev) {
                    update(app, action);
                }
                if app.quit || !interrupted_is_none(event::poll(Duration::ZERO))? {
                    break;
                }
            }
        }
        update::run_jobs(app);
        if last_tick.elapsed() >= period {
            last_tick = Instant::now();
            update(app, Action::Tick);
        }
    }
}

/// A read or poll cut short by a signal is "nothing yet": the loop then sees the signal.
fn interrupted_is_none<T: Default>(r: std::io::Result<T>) -> std::io::Result<T> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(T::default()),
        other => other,
    }
}

/// The action a terminal event becomes (mouse motion without a button is dropped).
pub fn to_action(ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Action::Key(k)),
        Event::Mouse(m) if m.kind != MouseEventKind::Moved => Some(Action::Mouse(m)),
        Event::Paste(s) => Some(Action::Paste(s)),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        _ => None,
    }
}
