//! The terminal: raw mode, the alternate screen, mouse buttons and bracketed paste on entry;
//! all of it undone on every exit path — normal return, error (the guard's Drop) and panic
//! (a hook that restores the terminal before the panic message is printed).

use crossterm::{
    event::{DisableBracketedPaste, EnableBracketedPaste},
    execute,
    terminal::{disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen},
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{self, BufWriter, Stdout, Write};
use std::sync::Once;

/// The terminal type the TUI draws on. Output is buffered and flushed once per frame.
pub type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

// Button presses, drags and SGR coordinates, but not every mouse motion (mode 1003 would wake
// the event loop on each move).
const MOUSE_ON: &str = "\x1b[?1000h\x1b[?1002h\x1b[?1006h";
const MOUSE_OFF: &str = "\x1b[?1006l\x1b[?1002l\x1b[?1000l";

static HOOK: Once = Once::new();

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
