//! The one reducer: `update(&mut App, Action)` is the only place the App changes. Keys are
//! resolved through the keymap (counts, prefixes, which-key); registry commands go to
//! `dispatch` (App-wide ones, then the view on screen) or, for the few that run a `:` command,
//! to the command line; mouse events go to the view on screen; ticks poll the engine, and job
//! events (results of background work, due timers) take effect here too.

use super::action::{Action, Cmd};
use super::app::{App, Popup};
use super::jobs::{JobEvent, JobKind, JobOutput, RenderEnd, Timer};
use super::keymap::{fmt_keys, Key, KeyCodeOrd, KeyTrie, Mode, ViewKind};
use super::views;
use super::views::arrange::{cancel_drag, drag_end};
use super::{autosave, commands, dispatch};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};

/// Applies one action to the App.
pub fn update(app: &mut App, action: Action) {
    match action {
        Action::Tick => {
            if tick(app) {
                app.needs_redraw = true;
            }
            autosave::arm(app);
            return;
        }
        Action::Job(ev) => {
            if on_job(app, ev) {
                app.needs_redraw = true;
            }
            autosave::arm(app);
            return;
        }
        Action::Key(k) => on_key(app, k),
        Action::Mouse(m) => on_mouse(app, m),
        Action::Paste(text) => {
            if app.mode == Mode::Command {
                let line: String = text.chars().filter(|c| !c.is_control()).collect();
                let at = app
                    .cmdline
                    .text
                    .char_indices()
                    .nth(app.cmdline.cursor)
                    .map(|(i, _)| i)
                    .unwrap_or(app.cmdline.text.len());
                app.cmdline.text.insert_str(at, &line);
                app.cmdline.cursor += line.chars().count();
            }
        }
        Action::Resize(w, h) => app.size = (w, h),
        Action::Run(cmd, n) => dispatch(app, cmd, Some(n)),
        Action::Ex(line) => command_line(app, &line),
    }
    // Any input restarts the idle clock of the autosave.
    app.disk.last_input = std::time::Instant::now();
    if app.quit {
        // Quitting stops background work (a render removes its temporary file).
        app.jobs.cancel_all();
    }
    autosave::arm(app);
    app.ensure_visible();
    app.needs_redraw = true;
}

/// Runs a command line typed after `:`, and the key action it stands for (`:undo` is `u`).
fn command_line(app: &mut App, line: &str) {
    if let Some(cmd) = commands::execute(app, line) {
        run(app, cmd, 1);
    }
}

/// Feeds a key sequence written like `":w<ret>"` or `"3j"` through the reducer (tests, demos).
pub fn press(app: &mut App, keys: &str) -> Result<(), String> {
    for ev in super::keymap::parse_key_events(keys)? {
        update(app, Action::Key(ev));
    }
    Ok(())
}

fn on_key(app: &mut App, ev: KeyEvent) {
    if ev.kind == KeyEventKind::Release {
        return;
    }
    // A key in the middle of a mouse drag puts the clip back first.
    app.with_cx(|cx, v| cancel_drag(v.arrange, cx));
    // A key ends the message it answers (as in vim); what it does may show a new one.
    app.status = Default::default();
    if app.too_small() {
        too_small_key(app, ev);
        return;
    }
    if !app.popups.is_empty() {
        super::popups::on_key(app, ev);
        return;
    }
    if app.mode == Mode::Command {
        if let Some(line) = commands::on_key(app, ev) {
            command_line(app, &line);
        }
        if app.mode != Mode::Command {
            // The line ended: the selection it was opened from is no longer the tools'.
            app.piano.held = None;
        }
        return;
    }
    let Some(key) = Key::from_event(&ev) else {
        return;
    };
    // Esc cancels a half-typed count or prefix before anything else.
    if key == Key::plain(KeyCodeOrd::Esc)
        && (!app.pending.keys.is_empty() || app.pending.count.is_some())
    {
        app.pending = Default::default();
        return;
    }
    // While rendering, Ctrl-C (which quits otherwise) and Esc in normal mode (where it has
    // nothing else to end) stop the render.
    let ctrl_c = key.ctrl && key.code == KeyCodeOrd::Char('c');
    let esc = key == Key::plain(KeyCodeOrd::Esc) && app.mode == Mode::Normal;
    if (esc || ctrl_c) && app.pending.keys.is_empty() {
        if let Some(job) = &mut app.render {
            job.cancelling = true;
            app.jobs.cancel(job.id);
            let text = format!("Cancelling the render of {} …", job.out.display());
            app.info(text);
            return;
        }
    }
    if app.pending.keys.is_empty() && app.mode != Mode::Insert && !key.ctrl && !key.alt {
        if let KeyCodeOrd::Char(c @ '0'..='9') = key.code {
            if c != '0' || app.pending.count.is_some() {
                let d = c as usize - '0' as usize;
                app.pending.count = Some((app.pending.count.unwrap_or(0) * 10 + d).min(9999));
                return;
            }
        }
    }
    app.pending.keys.push(key);
    enum Found {
        Cmd(Cmd),
        Prefix,
        Nothing,
    }
    let found = match app
        .keymap
        .trie(app.view, app.key_mode())
        .and_then(|t| t.walk(&app.pending.keys))
    {
        Some(KeyTrie::Command(c)) => Found::Cmd(*c),
        Some(KeyTrie::Prefix(_)) => Found::Prefix,
        None => Found::Nothing,
    };
    match found {
        Found::Prefix => {}
        Found::Cmd(c) => {
            let count = app.pending.count.take();
            app.pending.keys.clear();
            dispatch(app, c, count);
        }
        Found::Nothing => {
            let keys = fmt_keys(&app.pending.keys);
            app.pending = Default::default();
            // In insert mode `?` is not help (keys there enter notes): say how to get there.
            let hint = if matches!(app.mode, Mode::Insert | Mode::Play) {
                "Esc, then ? lists the keys"
            } else {
                "? lists the keys"
            };
            app.error(format!(
                "{keys} does nothing in {} mode here ({hint})",
                app.mode.name()
            ));
        }
    }
}

/// A key while the "terminal too small" screen shows: the screen hides the views, so no key
/// may change them. Only quitting works: `:q` (the screen shows the command line), the key
/// bound to `quit` (Ctrl-c), and the answer to the quit question.
fn too_small_key(app: &mut App, ev: KeyEvent) {
    if app.popups.last() == Some(&Popup::ConfirmQuit) {
        super::popups::on_key(app, ev);
        return;
    }
    if app.mode == Mode::Command {
        if ev.code == KeyCode::Enter {
            let line = app.cmdline.text.trim().to_string();
            if !commands::quits(&line) {
                app.cmdline.text.clear();
                app.cmdline.cursor = 0;
                app.mode = Mode::Normal;
                app.error(format!(
                    ":{line} waits until the terminal is at least {}x{}",
                    super::app::MIN_SIZE.0,
                    super::app::MIN_SIZE.1
                ));
                return;
            }
        }
        if let Some(line) = commands::on_key(app, ev) {
            command_line(app, &line);
        }
        return;
    }
    app.pending = Default::default();
    let Some(key) = Key::from_event(&ev) else {
        return;
    };
    let cmd = match app
        .keymap
        .trie(app.view, Mode::Normal)
        .and_then(|t| t.walk(&[key]))
    {
        Some(KeyTrie::Command(c)) => *c,
        _ => return,
    };
    if matches!(cmd, Cmd::CommandMode | Cmd::Quit) {
        run(app, cmd, 1);
    }
}

/// Runs a command from a key, keeping `.` up to date.
fn dispatch(app: &mut App, cmd: Cmd, count: Option<usize>) {
    if cmd == Cmd::RepeatLast {
        match app.last_repeat {
            Some((c, n)) => run(app, c, count.unwrap_or(n)),
            None => app.info("nothing to repeat yet"),
        }
        return;
    }
    let n = count.unwrap_or(1);
    let before = app.history.revision();
    run(app, cmd, n);
    if cmd.repeatable() && app.history.revision() != before {
        app.last_repeat = Some((cmd, n));
    }
}

/// Runs a registry command `n` times: the key actions that stand for a `:` command run it
/// through the command registry, help gets the registry's rows, the rest go to `dispatch`.
fn run(app: &mut App, cmd: Cmd, n: usize) {
    match cmd {
        Cmd::Save
        | Cmd::Quit
        | Cmd::MetronomeToggle
        | Cmd::CountInToggle
        | Cmd::RecordToggle
        | Cmd::MidiLearn
        | Cmd::TrackAddMidi
        | Cmd::TrackAddAudio
        | Cmd::TrackAddBus
        | Cmd::TrackDelete => {
            commands::run_key(app, cmd);
        }
        Cmd::Help => {
            // Help lists the `:` commands from the registry (views do not import it).
            app.help_commands = commands::docs();
            app.popups.push(Popup::Help { scroll: 0 });
        }
        _ => dispatch::run(app, cmd, n),
    }
}

fn on_mouse(app: &mut App, m: MouseEvent) {
    // A drag ends wherever the button comes up.
    if matches!(m.kind, MouseEventKind::Up(MouseButton::Left)) && app.arrange.drag.is_some() {
        app.with_cx(|cx, v| drag_end(v.arrange, cx));
        return;
    }
    let main = app.main_area();
    let inside = m.column >= main.x
        && m.column < main.x + main.width
        && m.row >= main.y
        && m.row < main.y + main.height;
    // The "too small" screen hides the views: clicks there must not edit them.
    if !inside || !app.popups.is_empty() || app.too_small() {
        return;
    }
    app.view_mouse(m);
}

/// Polls the engine, peak jobs, auditions and autosave. Returns whether the screen changed.
fn tick(app: &mut App) -> bool {
    let mut changed = app.expire_status(std::time::Instant::now());
    if let Some(w) = super::warnings::take_warnings().pop() {
        app.error(format!("warning: {w}"));
        changed = true;
    }
    let (errors, mut transport, meters) = app.engine.poll();
    changed |= super::midi_live::after_poll(app);
    // While stopped the load figure would flicker with idle work; holding the last value keeps
    // an idle screen still (zero bytes to the terminal).
    if !transport.playing && !app.transport.playing {
        transport.dsp_load = app.transport.dsp_load;
    }
    if let Some(e) = errors.into_iter().last() {
        app.error(e);
        changed = true;
    }
    if transport != app.transport {
        // Follow the playhead in the arrange view while playing.
        if transport.playing && app.view == ViewKind::Arrange {
            let main = app.main_area();
            let span = views::arrange::timeline_cols(main) as f64 / app.arrange.cols_per_beat();
            let st = &mut app.arrange;
            if transport.beat >= st.scroll_beat + span || transport.beat < st.scroll_beat {
                st.scroll_beat = super::grid::floor_to(
                    transport.beat,
                    app.project.time_signature.quarters_per_bar(),
                );
            }
        }
        app.transport = transport;
        changed = true;
    }
    if meters != app.meters {
        app.meters = meters;
        changed = true;
    }
    changed
}

/// A job event takes effect: peaks to draw, a render's progress or end, a due timer. Returns
/// whether the screen changed. Events of jobs that are no longer wanted are dropped.
fn on_job(app: &mut App, ev: JobEvent) -> bool {
    match ev {
        JobEvent::Output {
            id,
            output: JobOutput::Peaks { file, result },
        } => app.peaks.accept(id, file, result),
        JobEvent::Progress { id, fraction } => match &app.render {
            Some(job) if job.id == id => {
                let pct = (fraction.clamp(0.0, 1.0) * 100.0) as u32;
                let text = format!("Rendering {} … {pct}%", job.out.display());
                // A cancel asked for stays on the line until the render ends.
                if app.status.text != text && !job.cancelling {
                    app.info(text);
                    return true;
                }
                false
            }
            _ => false,
        },
        JobEvent::Output {
            id,
            output: JobOutput::Render(end),
        } => {
            if app.render.as_ref().is_none_or(|j| j.id != id) {
                return false;
            }
            app.render = None;
            match end {
                RenderEnd::Done(summary) => app.info(summary),
                RenderEnd::Failed(e) => app.error(e),
                RenderEnd::Cancelled => app.info("render cancelled"),
            }
            true
        }
        JobEvent::Finished { id, kind } => match kind {
            JobKind::Peaks => {
                app.peaks.finished(id);
                false
            }
            JobKind::Render => {
                // A render always reports how it ended before finishing, unless it panicked.
                if app.render.as_ref().is_some_and(|j| j.id == id) {
                    app.render = None;
                    app.error("the render stopped unexpectedly");
                    return true;
                }
                false
            }
        },
        JobEvent::Timer(Timer::AuditionOff) => {
            app.audition_end();
            false
        }
        // Mid-drag the project holds a clip where it is not yet an edit: nothing to autosave
        // and nothing to reload (the timers are set again when the drag ends).
        JobEvent::Timer(_) if app.arrange.drag.is_some() => false,
        JobEvent::Timer(Timer::Autosave) => match autosave::tick(app) {
            Some(e) => {
                app.error(e);
                true
            }
            None => false,
        },
        JobEvent::Timer(Timer::DiskPoll) => autosave::follow_disk(app),
    }
}

/// Delivers every job event that is ready now (finished work, due timers) through the reducer;
/// the event loop calls it after input, and tests call it in place of waiting. Returns how
/// many were delivered.
pub fn run_jobs(app: &mut App) -> usize {
    // Timers follow the App's clocks (last key, last autosave, last look at the disk).
    autosave::arm(app);
    let mut n = 0;
    // Bounded, so that a flood of events cannot keep keys waiting; the rest come next turn.
    while n < 256 {
        let Some(ev) = app.jobs.take(std::time::Instant::now()) else {
            break;
        };
        update(app, Action::Job(ev));
        n += 1;
    }
    n
}

/// Waits until no worker is running (at most `timeout`), delivering their events through
/// the reducer as they come (tests and benchmarks: "let the peaks load"). False on timeout.
pub fn wait_for_jobs(app: &mut App, timeout: std::time::Duration) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    run_jobs(app);
    while app.jobs.busy() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return false;
        }
        if let Some(ev) = app.jobs.wait(left) {
            update(app, Action::Job(ev));
        }
    }
    run_jobs(app);
    true
}
