//! The top bar on the null backend: it has no device to under-run, so a busy machine shows
//! as `late N` (late callbacks), never as xruns.

mod ui_support;

use tdaw::ui::engine_link::TransportView;
use ui_support::{demo_app, text};

#[test]
fn the_null_backend_shows_late_callbacks_not_xruns() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    app.transport = TransportView {
        silent: true,
        late: 3,
        device: Some("null".into()),
        ..Default::default()
    };
    // The engine figures are on the top bar's second row.
    let bar = |app: &mut tdaw::ui::App| -> String {
        text(app, 120, 24)
            .lines()
            .take(2)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let top = bar(&mut app);
    assert!(top.contains("late 3"), "{top}");
    assert!(!top.contains("xruns"), "{top}");
    // Nothing late: the bar reads as before.
    app.transport.late = 0;
    let top = bar(&mut app);
    assert!(top.contains("xruns 0"), "{top}");
}
