//! Never losing work to a second writer, a dead session or a full disk: two `tdaw import` at
//! once, a TUI and an import from the shell, two TUIs, autosaves of sessions that died
//! (recovered only after the checks of opening), backups that a failed save leaves alone, and
//! save-as.

mod ui_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tdaw::model::*;
use tdaw::ui::app::Popup;
use tdaw::ui::{open_app, update, Action, App};
use ui_support::press;

const BIN: &str = env!("CARGO_BIN_EXE_tdaw");

/// One index for the whole test binary (the TUI side runs in this process).
fn home() -> &'static Path {
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        let h = tempfile::tempdir().unwrap();
        std::env::set_var("TDAW_HOME", h.path());
        h
    })
    .path()
}

struct Env {
    _root: tempfile::TempDir,
    home: PathBuf,
    project: PathBuf,
    files: PathBuf,
}

impl Env {
    fn new() -> Env {
        let root = tempfile::tempdir().unwrap();
        let home = home().to_path_buf();
        let project = root.path().join("song");
        let files = root.path().join("files");
        std::fs::create_dir_all(&files).unwrap();
        let out = Command::new(BIN)
            .args(["new", project.to_str().unwrap()])
            .env("TDAW_HOME", &home)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        Env {
            _root: root,
            home,
            project,
            files,
        }
    }

    fn wav(&self, name: &str, hz: f32) -> PathBuf {
        let path = self.files.join(name);
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 48_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for i in 0..4_800 {
            let s = (i as f32 * hz * std::f32::consts::TAU / 48_000.0).sin();
            w.write_sample((s * 8_000.0) as i16).unwrap();
        }
        w.finalize().unwrap();
        path
    }

    fn import(&self, file: &Path) -> std::process::Child {
        Command::new(BIN)
            .args([
                "import",
                self.project.to_str().unwrap(),
                file.to_str().unwrap(),
            ])
            .env("TDAW_HOME", &self.home)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn import_now(&self, file: &Path) -> Output {
        self.import(file).wait_with_output().unwrap()
    }

    fn on_disk(&self) -> Project {
        tdaw::store::load_project(&self.project).unwrap()
    }

    fn names(&self) -> Vec<String> {
        self.on_disk().tracks.into_iter().map(|t| t.name).collect()
    }

    fn toml(&self) -> Vec<u8> {
        std::fs::read(self.project.join("project.toml")).unwrap()
    }
}

fn open(dir: &Path) -> App {
    let mut app = open_app(dir).unwrap();
    update(&mut app, Action::Resize(120, 40));
    app
}

#[test]
fn two_imports_at_once_both_land() {
    let env = Env::new();
    let mut expected = Vec::new();
    for round in 0..4 {
        let a = env.wav(&format!("a{round}.wav"), 220.0);
        let b = env.wav(&format!("b{round}.wav"), 330.0);
        let (ca, cb) = (env.import(&a), env.import(&b));
        for out in [
            ca.wait_with_output().unwrap(),
            cb.wait_with_output().unwrap(),
        ] {
            assert!(out.status.success(), "{out:?}");
        }
        expected.push(format!("a{round}"));
        expected.push(format!("b{round}"));
        let mut names = env.names();
        names.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(names, want, "round {round}: an import was lost");
    }
    // Every copied file is referenced: nothing was orphaned by a lost save.
    let p = env.on_disk();
    let used: Vec<String> = p
        .tracks
        .iter()
        .flat_map(|t| &t.clips)
        .filter_map(|c| match &c.content {
            ClipContent::Audio(a) => Some(a.file.clone()),
            _ => None,
        })
        .collect();
    let on_disk = std::fs::read_dir(env.project.join("audio"))
        .unwrap()
        .count();
    assert_eq!(used.len(), 8);
    assert_eq!(on_disk, 8);
}

/// A one-note format 0 MIDI file at `bpm`.
fn midi_file(path: &Path, bpm: f64) {
    use midly::num::{u15, u24, u28, u4, u7};
    use midly::{
        Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind,
    };
    let ev = |delta: u32, kind| TrackEvent {
        delta: u28::new(delta),
        kind,
    };
    let note = |on: bool| TrackEventKind::Midi {
        channel: u4::new(0),
        message: if on {
            MidiMessage::NoteOn {
                key: u7::new(60),
                vel: u7::new(100),
            }
        } else {
            MidiMessage::NoteOff {
                key: u7::new(60),
                vel: u7::new(0),
            }
        },
    };
    let smf = Smf {
        header: Header::new(Format::SingleTrack, Timing::Metrical(u15::new(480))),
        tracks: vec![vec![
            ev(
                0,
                TrackEventKind::Meta(MetaMessage::Tempo(u24::new((60e6 / bpm) as u32))),
            ),
            ev(0, note(true)),
            ev(480, note(false)),
            ev(0, TrackEventKind::Meta(MetaMessage::EndOfTrack)),
        ]],
    };
    smf.save(path).unwrap();
}

#[test]
fn two_midi_imports_into_an_empty_project_both_land() {
    // Both would set the project's tempo (it has no tracks yet): the merge conflicts, and the
    // later one runs again on the new version, where the tempo is already taken.
    for round in 0..3 {
        let env = Env::new();
        let a = env.files.join(format!("fast{round}.mid"));
        let b = env.files.join(format!("slow{round}.mid"));
        midi_file(&a, 150.0);
        midi_file(&b, 90.0);
        let (ca, cb) = (env.import(&a), env.import(&b));
        for out in [
            ca.wait_with_output().unwrap(),
            cb.wait_with_output().unwrap(),
        ] {
            assert!(out.status.success(), "round {round}: {out:?}");
        }
        let p = env.on_disk();
        assert_eq!(p.tracks.len(), 2, "round {round}");
        assert!([150.0, 90.0].contains(&p.tempo.initial_bpm().round()));
    }
}

#[test]
fn a_tui_save_keeps_a_track_imported_from_the_shell() {
    let env = Env::new();
    let mut app = open(&env.project);
    for round in 0..3 {
        press(&mut app, &format!(":bpm {}<ret>", 100 + round));
        let wav = env.wav(&format!("shell{round}.wav"), 440.0);
        let out = env.import_now(&wav);
        assert!(out.status.success(), "{out:?}");
        press(&mut app, ":w<ret>");
        assert!(!app.status.error, "{}", app.status.text);
        assert!(
            app.status.text.contains("merged with changes made on disk")
                && app
                    .status
                    .text
                    .contains(&format!("track 'shell{round}' added")),
            "{}",
            app.status.text
        );
        let disk = env.on_disk();
        assert_eq!(disk.tempo.initial_bpm(), (100 + round) as f64);
        assert_eq!(
            disk.tracks.len(),
            round + 1,
            "the imported track survived :w"
        );
        // The TUI shows (and plays) the merge, and it counts as saved.
        assert_eq!(app.project, disk);
        assert!(!app.unsaved());
    }
}

#[test]
fn two_tuis_on_one_project_lose_nothing() {
    let env = Env::new();
    let mut one = open(&env.project);
    let mut two = open(&env.project);
    // The second sees the first, vim's swap-file moment.
    assert!(
        two.status.text.contains("also open in"),
        "{}",
        two.status.text
    );
    for round in 0..3 {
        press(&mut one, &format!(":track add One{round}<ret>"));
        press(&mut two, &format!(":track add Two{round}<ret>"));
        press(&mut one, ":w<ret>");
        press(&mut two, ":w<ret>");
        assert!(!two.status.error, "{}", two.status.text);
        let names = env.names();
        for r in 0..=round {
            assert!(names.contains(&format!("One{r}")), "{names:?}");
            assert!(names.contains(&format!("Two{r}")), "{names:?}");
        }
        // The first follows the second's save on its next look at the disk.
        one.disk.last_poll = std::time::Instant::now() - std::time::Duration::from_secs(5);
        tdaw::ui::run_jobs(&mut one);
        assert_eq!(one.project, env.on_disk(), "{}", one.status.text);
        assert!(one.status.text.starts_with("Reloaded project.toml"));
    }
    // Both change the same thing: the second :w refuses and leaves the file alone.
    press(&mut one, ":bpm 90<ret>");
    press(&mut two, ":bpm 95<ret>");
    press(&mut one, ":w<ret>");
    let before = env.toml();
    two.disk.last_poll = std::time::Instant::now() - std::time::Duration::from_secs(5);
    tdaw::ui::run_jobs(&mut two);
    assert!(
        two.status.text.contains("changed on disk; :w merges"),
        "{}",
        two.status.text
    );
    press(&mut two, ":w<ret>");
    assert!(two.status.error);
    assert!(
        two.status.text.starts_with(
            "project.toml changed on disk — :e! reloads, :w! overwrites (both changed tempo"
        ),
        "{}",
        two.status.text
    );
    assert_eq!(env.toml(), before);
    assert!(two.unsaved());
    // :w! overwrites; :e! on the other side reloads.
    press(&mut two, ":w!<ret>");
    assert_eq!(env.on_disk().tempo.initial_bpm(), 95.0);
    press(&mut one, ":e!<ret>");
    assert_eq!(one.project.tempo.initial_bpm(), 95.0);
    assert!(!one.unsaved());
}

/// An autosave as a session that died on another host would have left it.
fn foreign_autosave(dir: &Path, project: &Project) -> PathBuf {
    let file = dir.join(".tdaw/autosave-elsewhere-4242-1000.toml");
    let text = tdaw::store::format::to_toml(project).unwrap();
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn a_dead_sessions_autosave_is_offered_even_when_older_and_kept_for_later() {
    let env = Env::new();
    let mut edited = env.on_disk();
    edited.tempo = TempoMap::constant(77.0);
    let file = foreign_autosave(&env.project, &edited);
    // project.toml saved after the autosave (the old rule skipped it then).
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut p = env.on_disk();
    p.name = "renamed".into();
    tdaw::store::write_project(&env.project, &p).unwrap();
    let mut app = open(&env.project);
    assert!(
        matches!(app.popups.as_slice(), [Popup::Recover { file: f, .. }] if *f == file),
        "{:?}",
        app.popups
    );
    press(&mut app, "l");
    assert!(app.popups.is_empty());
    press(&mut app, ":q<ret>");
    assert!(app.quit);
    drop(app);
    assert!(
        file.exists(),
        "a clean :q keeps an autosave put off for later"
    );
    let mut app = open(&env.project);
    assert_eq!(app.popups.len(), 1);
    press(&mut app, "y");
    assert_eq!(app.project.tempo.initial_bpm(), 77.0);
    assert!(
        !file.exists(),
        "recovered: it lives on as this session's autosave"
    );
    assert!(tdaw::ui::autosave::path(&env.project).exists());
    press(&mut app, ":w<ret>");
    assert_eq!(env.on_disk().tempo.initial_bpm(), 77.0);
    assert!(!tdaw::ui::autosave::path(&env.project).exists());
}

#[test]
fn an_autosave_made_from_an_older_project_toml_is_merged_with_what_was_saved_since() {
    let env = Env::new();
    let v1 = env.toml();
    let mut edited = env.on_disk();
    edited.tempo = TempoMap::constant(77.0);
    let file = env.project.join(".tdaw/autosave-elsewhere-4242-1000.toml");
    let header = format!(
        "# tdaw autosave of session elsewhere-4242-1000; based on project.toml fnv1a={:016x}\n",
        tdaw::store::lock::content_hash(&v1)
    );
    let text = header + &tdaw::store::format::to_toml(&edited).unwrap();
    std::fs::write(&file, text).unwrap();
    // Saved since by someone else: a track. Recovering the autosave as it is would drop it.
    let wav = env.wav("later.wav", 100.0);
    assert!(env.import_now(&wav).status.success());
    let mut app = open(&env.project);
    match app.popups.as_slice() {
        [Popup::Recover { autosave, note, .. }] => {
            assert_eq!(note, "merged with what was saved since it was made");
            assert_eq!(autosave.tempo.initial_bpm(), 77.0);
            assert_eq!(autosave.tracks.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    press(&mut app, "y");
    press(&mut app, ":w<ret>");
    let disk = env.on_disk();
    assert_eq!(disk.tempo.initial_bpm(), 77.0);
    assert_eq!(disk.tracks[0].name, "later");
}

#[test]
fn a_recovered_autosave_with_a_symlink_out_of_the_folder_is_refused() {
    let env = Env::new();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.wav"), b"x").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.wav"),
        env.project.join("audio/link.wav"),
    )
    .unwrap();
    let mut evil = env.on_disk();
    let mut t = Track::new(TrackId(1), "evil", TrackKind::Audio);
    t.clips.push(Clip {
        id: ClipId(1),
        name: String::new(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Audio(AudioClip {
            file: "audio/link.wav".into(),
            offset: 0.0,
            length: 1.0,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }),
    });
    evil.tracks.push(t);
    let file = foreign_autosave(&env.project, &evil);
    let app = open(&env.project);
    assert!(app.popups.is_empty(), "{:?}", app.popups);
    assert!(app.status.error);
    assert!(
        app.status.text.starts_with("autosave not recovered: ")
            && app.status.text.contains("leaves the project folder"),
        "{}",
        app.status.text
    );
    assert!(app.project.tracks.is_empty());
    assert!(file.exists(), "kept for a person to look at, never loaded");
}

#[test]
fn autosave_is_written_a_second_after_the_last_key_and_names_its_base() {
    let env = Env::new();
    let mut app = open(&env.project);
    let path = tdaw::ui::autosave::path(&env.project);
    press(&mut app, ":bpm 133<ret>");
    tdaw::ui::run_jobs(&mut app);
    assert!(!path.exists(), "not while keys are still coming");
    app.disk.last_input = std::time::Instant::now() - std::time::Duration::from_millis(1_100);
    tdaw::ui::run_jobs(&mut app);
    let text = std::fs::read_to_string(&path).unwrap();
    let hash = tdaw::store::lock::content_hash(&env.toml());
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with(&format!("fnv1a={hash:016x}")),
        "{text}"
    );
    let p = tdaw::store::format::from_str(&text).unwrap();
    assert_eq!(p.tempo.initial_bpm(), 133.0);
    // A second session's :w does not touch this one's autosave; this one's :q! does not
    // either (it is the recovery of this session, ended without saving), but its :w does.
    let mut other = open(&env.project);
    press(&mut other, ":track add X<ret>");
    press(&mut other, ":w<ret>");
    assert!(path.exists());
    press(&mut app, ":w<ret>");
    assert!(!path.exists());
    assert_eq!(env.on_disk().tracks.len(), 1);
    assert_eq!(env.on_disk().tempo.initial_bpm(), 133.0);
}

#[test]
fn save_as_writes_a_new_folder_with_its_audio_and_continues_there() {
    let env = Env::new();
    let wav = env.wav("kick.wav", 60.0);
    assert!(env.import_now(&wav).status.success());
    let mut app = open(&env.project);
    let before = env.toml();
    press(&mut app, ":bpm 111<ret>");
    let target = env.project.parent().unwrap().join("copy");
    press(&mut app, &format!(":w {}<ret>", target.display()));
    assert!(!app.status.error, "{}", app.status.text);
    assert!(
        app.status.text.contains("1 audio file copied"),
        "{}",
        app.status.text
    );
    assert_eq!(app.dir, target);
    let copy = tdaw::store::load_project(&target).unwrap();
    assert_eq!(copy.tempo.initial_bpm(), 111.0);
    assert_eq!(copy.tracks.len(), 1);
    assert_eq!(env.toml(), before, "the original is untouched");
    // The session goes on in the copy.
    press(&mut app, ":bpm 112<ret>");
    press(&mut app, ":w<ret>");
    assert_eq!(
        tdaw::store::load_project(&target)
            .unwrap()
            .tempo
            .initial_bpm(),
        112.0
    );
    assert_eq!(env.toml(), before);
    // A folder holding a project is not replaced without !.
    press(&mut app, &format!(":w {}<ret>", env.project.display()));
    assert!(app.status.error && app.status.text.contains("a project already exists there"));
    assert_eq!(env.toml(), before);
}

#[test]
fn x_writes_only_when_modified_and_wq_always_writes() {
    let env = Env::new();
    let file = env.project.join("project.toml");
    let mut app = open(&env.project);
    std::fs::remove_file(&file).unwrap();
    press(&mut app, ":x<ret>");
    assert!(app.quit);
    assert!(!file.exists(), ":x with nothing to write writes nothing");
    let mut app = ui_support::app_with(Project::new("p", 48_000, 120.0), &env.project);
    std::fs::remove_file(&file).unwrap();
    press(&mut app, ":wq<ret>");
    assert!(app.quit);
    assert!(file.exists(), ":wq writes even when nothing changed");
    // :q still asks when there are unsaved changes.
    let mut app = open(&env.project);
    press(&mut app, ":bpm 140<ret>");
    press(&mut app, ":q<ret>");
    assert!(!app.quit);
    assert_eq!(app.popups, vec![Popup::ConfirmQuit]);
}

/// A tiny tmpfs, where one is allowed (root); `None` says why not.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Result<Tmpfs, String> {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_shows_the_real_error_and_rotates_no_backups() {
    let root = tempfile::tempdir().unwrap();
    home();
    let mnt = root.path().join("small");
    std::fs::create_dir_all(&mnt).unwrap();
    let _fs = match Tmpfs::mount(&mnt, "256k") {
        Ok(m) => m,
        Err(why) => {
            println!("skipped: cannot mount a tmpfs here ({why})");
            return;
        }
    };
    let dir = mnt.join("song");
    tdaw::store::create_project(&dir, 48_000, 120.0).unwrap();
    let mut app = open(&dir);
    for i in 0..3 {
        press(&mut app, &format!(":bpm {}<ret>", 100 + i));
        press(&mut app, ":w<ret>");
        assert!(!app.status.error, "{}", app.status.text);
    }
    let backups = dir.join(".tdaw/backups");
    let before = tdaw::store::atomic::list_backups(&backups).unwrap();
    assert_eq!(before.len(), 3);
    let file_before = std::fs::read(dir.join("project.toml")).unwrap();
    // Fill the disk, then make the project bigger than the space left.
    let mut filler = std::fs::File::create(mnt.join("filler")).unwrap();
    let block = vec![0u8; 4096];
    while std::io::Write::write_all(&mut filler, &block).is_ok() {}
    drop(filler);
    for i in 0..40 {
        press(&mut app, &format!(":track add Track{i:02}<ret>"));
    }
    for _ in 0..5 {
        press(&mut app, ":w<ret>");
        assert!(app.status.error);
        assert!(
            app.status.text.contains("project.toml")
                && app.status.text.contains("No space left on device")
                && !app.status.text.contains("backup"),
            "{}",
            app.status.text
        );
    }
    assert_eq!(tdaw::store::atomic::list_backups(&backups).unwrap(), before);
    assert_eq!(
        std::fs::read(dir.join("project.toml")).unwrap(),
        file_before
    );
    // Space again: the save goes through, one backup more.
    std::fs::remove_file(mnt.join("filler")).unwrap();
    press(&mut app, ":w<ret>");
    assert!(!app.status.error, "{}", app.status.text);
    assert_eq!(tdaw::store::load_project(&dir).unwrap().tracks.len(), 40);
    assert_eq!(
        tdaw::store::atomic::list_backups(&backups).unwrap().len(),
        4
    );
}
