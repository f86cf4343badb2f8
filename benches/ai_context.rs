//! The assistant's project summary (issue 12's target: a 64-track project in ≤ 5 ms, within
//! `context::BUDGET`): 64 MIDI tracks with an EQ, a compressor and a reverb each, sends to a
//! bus, and a selected clip of 500 notes. Also the change set of a typical reply (a track and
//! a 64-note clip) built on that project.
//!
//! Run: `cargo bench --bench ai_context` (`-- --quick` for a short run).

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use std::hint::black_box;
use tdaw::ai::change::ChangeSet;
use tdaw::ai::context::{summarize, BUDGET};
use tdaw::ai::tools::edit_for;
use tdaw::ai::{Request, ToolCall};
use tdaw::model::Project;

fn call(name: &str, args: serde_json::Value) -> ToolCall {
    ToolCall {
        id: name.into(),
        name: name.into(),
        args,
    }
}

fn run(p: &mut Project, c: ToolCall) {
    let e = edit_for(p, &c).unwrap_or_else(|e| panic!("{e}"));
    e.apply(p).unwrap_or_else(|e| panic!("{e}"));
}

fn project() -> Project {
    let mut p = Project::new("Bench", 48_000, 120.0);
    run(
        &mut p,
        call("add_track", json!({"name": "Reverb bus", "kind": "bus"})),
    );
    for i in 0..64 {
        let name = format!("Track {i:02} — strings and things");
        run(
            &mut p,
            call(
                "add_track",
                json!({"name": name, "kind": "midi", "instrument": i}),
            ),
        );
        let t = (i + 2).to_string();
        run(
            &mut p,
            call(
                "add_effect",
                json!({"track": t, "kind": "eq", "params": {"b1_type": "highpass", "b1_freq": 80}}),
            ),
        );
        run(
            &mut p,
            call(
                "add_effect",
                json!({"track": t, "kind": "compressor", "params": {"ratio": 3, "threshold_db": -24}}),
            ),
        );
        run(
            &mut p,
            call(
                "add_effect",
                json!({"track": t, "kind": "reverb", "params": {"mix": 0.2}}),
            ),
        );
        run(
            &mut p,
            call("set_send", json!({"track": t, "bus": "1", "db": -12})),
        );
    }
    let notes: Vec<_> = (0..500)
        .map(|i| json!({"pitch": 48 + (i * 7) % 36, "start_beat": i as f64 * 0.5, "length_beats": 0.5, "velocity": 64 + i % 60}))
        .collect();
    run(
        &mut p,
        call(
            "write_clip",
            json!({"track": "2", "start_beat": 0, "notes": notes}),
        ),
    );
    p
}

fn bench(c: &mut Criterion) {
    let p = project();
    let clip = p.tracks[1].clips[0].id;
    let req = Request {
        selected_clip: Some(clip),
        ..Request::default()
    };
    let s = summarize(&p, &req);
    assert!(s.len() <= BUDGET, "{} bytes over the budget", s.len());
    println!(
        "summary of 64 tracks + 500 notes: {} bytes of {BUDGET}",
        s.len()
    );
    c.bench_function("summarize 64 tracks, 500-note clip", |b| {
        b.iter(|| summarize(black_box(&p), black_box(&req)))
    });
    let notes: Vec<_> = (0..64)
        .map(|i| json!({"pitch": 60 + i % 12, "start_beat": i as f64 * 0.25, "length_beats": 0.25, "velocity": 90}))
        .collect();
    let calls = vec![
        call(
            "add_track",
            json!({"name": "Lead", "kind": "midi", "instrument": 80}),
        ),
        call(
            "write_clip",
            json!({"track": "Lead", "start_beat": 0, "notes": notes}),
        ),
    ];
    c.bench_function("change set (track + 64 notes) on 64 tracks", |b| {
        b.iter(|| ChangeSet::build(black_box(&p), black_box(&calls)).map(|s| s.diff().len()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
