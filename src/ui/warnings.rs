//! Warnings from the store (a backup or index update that failed while the save worked),
//! collected here to be shown in the status line instead of being printed over the screen.

use std::sync::Mutex;

/// The warnings waiting for the status line.
static WARNINGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Sends the store's warnings to the status line (first call wins; later calls do nothing).
pub fn install_warning_sink() {
    crate::store::set_warning_sink(|line| {
        if let Ok(mut w) = WARNINGS.lock() {
            w.push(line.to_string());
        }
    });
}

/// Takes the warnings collected since the last call.
pub fn take_warnings() -> Vec<String> {
    WARNINGS
        .lock()
        .map(|mut w| std::mem::take(&mut *w))
        .unwrap_or_default()
}
