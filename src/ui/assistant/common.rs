//! What the parts of the chat's work share: whether it shows, keeping a turn in the index,
//! the spinner's period.

use crate::ui::app::App;
use crate::ui::keymap::ViewKind;
use std::time::Duration;

/// How often the spinner turns while a request runs.
pub const SPIN: Duration = Duration::from_millis(100);

/// Whether the chat is on screen (its view, or its panel).
pub fn shown(app: &App) -> bool {
    app.view == ViewKind::Chat || app.chat_panel_area().is_some()
}

/// Appends a turn to the project's conversation in the index (best effort).
pub fn keep(app: &App, role: &str, text: &str) {
    let r =
        crate::store::index::Index::open().and_then(|mut i| i.chat_append(&app.dir, role, text));
    if let Err(e) = r {
        crate::store::warn(&format!("the chat was not kept in the index: {e}"));
    }
}
