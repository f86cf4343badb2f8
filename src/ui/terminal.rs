//! The terminal: raw mode, the alternate screen, mouse buttons and bracketed paste on entry;
//! all of it undone on every exit path — normal return, error (the guard's Drop), panic
//! (a hook that restores the terminal before the panic message is printed) and the signals
//! that end a session from outside (SIGHUP of a dropped SSH connection, SIGTERM, SIGQUIT):
//! their handler only records the signal; the event loop sees it within 100 ms, writes the
//! autosave and leaves through the same guard.

use crossterm::{
    event::{DisableBracketedPaste, EnableBracketedPaste},
    execute,
    terminal::{disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen},
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{self, BufWriter, Stdout, Write};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Once;

/// The terminal type the TUI draws on. Output is buffered and flushed once per frame.
pub type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

// Button presses, drags and SGR coordinates, but not every mouse motion (mode 1003 would wake
// the event loop on each move).
const MOUSE_ON: &str = "\x1b[?1000h\x1b[?1002h\x1b[?1006h";
const MOUSE_OFF: &str = "\x1b[?1006l\x1b[?1002l\x1b[?1000l";

static HOOK: Once = Once::new();

/// The last terminating signal received (0: none).
static SIGNAL: AtomicI32 = AtomicI32::new(0);

/// The signals that end a session from outside and are answered with an autosave.
pub const SIGNALS: [libc::c_int; 3] = [libc::SIGHUP, libc::SIGTERM, libc::SIGQUIT];

/// The read end of a pipe nobody writes to (its write end stays open): reading it says "no
/// data yet" forever.
static QUIET_FD: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(sig: libc::c_int) {
    // Async-signal-safe only: an atomic store and dup2.
    SIGNAL.store(sig, Ordering::SeqCst);
    if sig == libc::SIGHUP {
        // The terminal may be gone: crossterm's reader then spins forever on the EOF/EIO of a
        // hung-up tty, and the event loop would never see this flag. Standard input becomes
        // the quiet pipe, so its reads say "nothing yet" and the loop comes round.
        let quiet = QUIET_FD.load(Ordering::SeqCst);
        if quiet >= 0 {
            // SAFETY: dup2 is async-signal-safe; both descriptors are valid.
            unsafe { libc::dup2(quiet, libc::STDIN_FILENO) };
        }
    }
}

/// Routes SIGHUP, SIGTERM and SIGQUIT to a flag the event loop polls ([`pending_signal`]).
pub fn install_signal_handlers() {
    let mut fds = [-1; 2];
    // SAFETY: pipe2 fills the two descriptors; both are kept open for the process's life.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } == 0 {
        QUIET_FD.store(fds[0], Ordering::SeqCst);
    }
    for sig in SIGNALS {
        // SAFETY: a zeroed sigaction is valid; the handler only stores to an atomic; no
        // SA_RESTART, so a blocking read returns EINTR and the loop sees the flag at once.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = 0;
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
}

/// Waits up to `timeout` for input on a terminal standard input; an error when the terminal
/// hung up (so the caller autosaves and leaves instead of reading a dead tty). Returns at
/// once when standard input is not a terminal (crossterm then reads `/dev/tty` itself).
pub fn wait_for_input(timeout: std::time::Duration) -> io::Result<()> {
    // SAFETY: isatty and poll on descriptor 0 with a valid pollfd.
    unsafe {
        if libc::isatty(libc::STDIN_FILENO) != 1 {
            return Ok(());
        }
        let mut fd = libc::pollfd {
            fd: libc::STDIN_FILENO,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = timeout.as_millis().min(i32::MAX as u128) as libc::c_int;
        if libc::poll(&mut fd, 1, ms) > 0
            && fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
        {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the terminal hung up",
            ));
        }
    }
    Ok(())
}

/// The terminating signal received, if any.
pub fn pending_signal() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Restores the terminal while alive; dropping it restores the terminal.
pub struct TerminalGuard {
    pub terminal: Term,
}

impl TerminalGuard {
    /// Enters raw mode and the alternate screen, and installs the panic hook (once).
    pub fn enter() -> io::Result<TerminalGuard> {
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore();
                previous(info);
            }));
        });
        enable_raw_mode()?;
        let mut out = io::stdout();
        let entered = execute!(out, EnterAlternateScreen, EnableBracketedPaste)
            .and_then(|_| out.write_all(MOUSE_ON.as_bytes()))
            .and_then(|_| out.flush());
        if let Err(e) = entered {
            restore();
            return Err(e);
        }
        let backend = CrosstermBackend::new(BufWriter::with_capacity(1 << 16, io::stdout()));
        match Terminal::new(backend) {
            Ok(mut terminal) => {
                let _ = terminal.hide_cursor();
                let _ = terminal.clear();
                Ok(TerminalGuard { terminal })
            }
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = self.terminal.backend_mut().flush();
        restore();
    }
}

/// Leaves raw mode and the alternate screen, turns the mouse and paste modes off and shows the
/// cursor. Safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    let _ = out.write_all(MOUSE_OFF.as_bytes());
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}
