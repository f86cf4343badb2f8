//! TUI frame costs: one arrange-view frame of a big project (64 tracks, 2,000 clips; target
//! ≤ 2 ms), the mixer and piano roll, and start to first frame of a 16-track project from disk
//! (load, keymap, theme, layout and the first draw; target ≤ 150 ms), and the chat while an
//! answer streams in (the issue: frame time unchanged while a reply streams).

use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::Path;
use tdaw::model::{
    AudioClip, Clip, ClipContent, ClipId, MidiClip, Note, Project, Track, TrackId, TrackKind,
};
use tdaw::ui::keymap::Keymap;
use tdaw::ui::theme::{ColorDepth, Theme};
use tdaw::ui::{update, Action, App};

fn write_wav(path: &Path) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..48_000 * 8 {
        let v = ((i as f32 * 0.01).sin() * 20_000.0) as i16;
        w.write_sample(v).unwrap();
        w.write_sample(v).unwrap();
    }
    w.finalize().unwrap();
}

/// `tracks` tracks, `clips` clips spread over them; every fourth track is audio.
fn big_project(tracks: usize, clips: usize) -> Project {
    let mut p = Project::new("Bench", 48_000, 120.0);
    let per = clips / tracks;
    let mut id = 1;
    for t in 0..tracks {
        let audio = t % 4 == 3;
        let kind = if audio {
            TrackKind::Audio
        } else {
            TrackKind::Midi
        };
        let mut track = Track::new(TrackId(t as u64 + 1), format!("Track {}", t + 1), kind);
        for c in 0..per + usize::from(t < clips % tracks) {
            let start = c as f64 * 8.0;
            let content = if audio {
                ClipContent::Audio(AudioClip {
                    file: "audio/loop.wav".into(),
                    offset: 0.0,
                    length: 4.0,
                    gain_db: 0.0,
                    fade_in: 0.0,
                    fade_out: 0.0,
                })
            } else {
                ClipContent::Midi(MidiClip {
                    offset: 0.0,
                    controllers: Vec::new(),
                    length: 8.0,
                    notes: (0..16)
                        .map(|n| Note {
                            pitch: 48 + ((n * 7 + t) % 24) as u8,
                            start: n as f64 * 0.5,
                            length: 0.5,
                            velocity: 100,
                            channel: 0,
                        })
                        .collect(),
                })
            };
            track.clips.push(Clip {
                id: ClipId(id),
                name: format!("C{id}"),
                start,
                lane: 0,
                take: None,
                content,
            });
            id += 1;
        }
        p.tracks.push(track);
    }
    p
}

fn folder(project: &Project) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    tdaw::store::create_project(dir.path(), 48_000, 120.0).unwrap();
    write_wav(&dir.path().join("audio/loop.wav"));
    tdaw::store::write_project(dir.path(), project).unwrap();
    dir
}

fn app(project: Project, dir: &Path) -> App {
    let theme = Theme::load("dark", ColorDepth::TrueColor).unwrap();
    App::new(project, dir, Keymap::defaults(), theme)
}

fn frames(c: &mut Criterion) {
    let p = big_project(64, 2000);
    let dir = folder(&p);
    let mut a = app(p, dir.path());
    tdaw::ui::wait_for_jobs(&mut a, std::time::Duration::from_secs(60));
    for (w, h) in [(160u16, 48u16), (80, 24)] {
        update(&mut a, Action::Resize(w, h));
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        c.bench_function(&format!("arrange_frame_64tracks_2000clips_{w}x{h}"), |b| {
            b.iter(|| {
                term.draw(|f| tdaw::ui::views::draw(&a, f)).unwrap();
            })
        });
    }
    // Zoomed all the way out: every clip of the visible tracks on screen.
    update(&mut a, Action::Resize(160, 48));
    tdaw::ui::press(&mut a, "7-").unwrap();
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function("arrange_frame_64tracks_2000clips_zoomed_out_160x48", |b| {
        b.iter(|| {
            term.draw(|f| tdaw::ui::views::draw(&a, f)).unwrap();
        })
    });
    tdaw::ui::press(&mut a, "gm").unwrap();
    c.bench_function("mixer_frame_64tracks_160x48", |b| {
        b.iter(|| {
            term.draw(|f| tdaw::ui::views::draw(&a, f)).unwrap();
        })
    });
    tdaw::ui::press(&mut a, "ga<ret>").unwrap();
    c.bench_function("piano_roll_frame_160x48", |b| {
        b.iter(|| {
            term.draw(|f| tdaw::ui::views::draw(&a, f)).unwrap();
        })
    });
}

/// A provider that streams a sentence every millisecond until it is cancelled.
struct Streaming;

impl tdaw::ai::Assistant for Streaming {
    fn provider(&self) -> &'static str {
        "bench"
    }
    fn model(&self) -> &str {
        "streaming"
    }
    fn ask(
        &mut self,
        _req: &tdaw::ai::Request,
        on_text: &mut dyn FnMut(&str),
        cancel: &tdaw::ai::Cancel,
    ) -> Result<tdaw::ai::Reply, tdaw::ai::AiError> {
        let mut n = 0;
        while !cancel.is_cancelled() {
            n += 1;
            let nl = if n % 8 == 0 { "\n" } else { " " };
            on_text(&format!("Sentence {n} of the answer, streaming in.{nl}"));
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        Err(tdaw::ai::AiError::Cancelled)
    }
}

/// The chat while an answer streams in (a piece a millisecond, delivered through the jobs
/// channel before every frame) over 200 earlier messages: the chat view, and the chat as a
/// panel beside the arrange view of the 64-track project. Compare with the idle chat and with
/// `arrange_frame_64tracks_2000clips_160x48`.
fn chat_frames(c: &mut Criterion) {
    let p = big_project(64, 2000);
    let dir = folder(&p);
    let home = tempfile::tempdir().unwrap();
    std::env::set_var("TDAW_HOME", home.path());
    let mut a = app(p, dir.path());
    tdaw::ui::wait_for_jobs(&mut a, std::time::Duration::from_secs(60));
    for i in 0..100 {
        a.chat
            .entries
            .push(tdaw::ui::views::chat::Entry::You(format!(
                "question {i}: chords in A minor for a sad song?"
            )));
        a.chat.entries.push(tdaw::ui::views::chat::Entry::Assistant(format!(
            "answer {i}: Am F C G — i VI III VII: the tonic, then the submediant and mediant, and the subtonic leading back.\nAnother line."
        )));
    }
    tdaw::ui::assistant::set_assistant(&mut a, Box::new(Streaming));
    update(&mut a, Action::Resize(160, 48));
    tdaw::ui::press(&mut a, "gi").unwrap();
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function("chat_frame_idle_200messages_160x48", |b| {
        b.iter(|| {
            term.draw(|f| tdaw::ui::views::draw(&a, f)).unwrap();
        })
    });
    tdaw::ui::press(&mut a, "tell me everything<ret>").unwrap();
    c.bench_function("chat_frame_streaming_160x48", |b| {
        b.iter(|| {
            tdaw::ui::run_jobs(&mut a);
            term.draw(|f| tdaw::ui::views::draw(&a, f)).unwrap();
        })
    });
    tdaw::ui::press(&mut a, "<esc>").unwrap();
    tdaw::ui::wait_for_jobs(&mut a, std::time::Duration::from_secs(10));
    tdaw::ui::press(&mut a, "<esc>ga:chat panel<ret>:ai and more<ret>").unwrap();
    c.bench_function("arrange_with_chat_panel_streaming_160x48", |b| {
        b.iter(|| {
            tdaw::ui::run_jobs(&mut a);
            term.draw(|f| tdaw::ui::views::draw(&a, f)).unwrap();
        })
    });
    tdaw::ui::assistant::cancel(&mut a);
    tdaw::ui::wait_for_jobs(&mut a, std::time::Duration::from_secs(10));
}

fn start_to_first_frame(c: &mut Criterion) {
    let p = big_project(16, 256);
    let dir = folder(&p);
    // Warm the peak cache as a second open would find it.
    let mut warm = app(p, dir.path());
    tdaw::ui::wait_for_jobs(&mut warm, std::time::Duration::from_secs(60));
    c.bench_function("start_to_first_frame_16tracks_120x40", |b| {
        b.iter(|| {
            let mut a = tdaw::ui::open_app(dir.path()).unwrap();
            update(&mut a, Action::Resize(120, 40));
            let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
            term.draw(|f| tdaw::ui::views::draw(&a, f)).unwrap();
            a
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = frames, chat_frames, start_to_first_frame
}
criterion_main!(benches);
