//! Importing files into a project folder: audio files are checked by decoding them, copied
//! into `audio/` under a name no other file has (converted to the project's sample rate when it
//! differs), and become an audio track; Standard MIDI Files become MIDI tracks.
//!
//! Nothing here changes the project: [`import_file`] returns the [`Edit`] that adds the tracks,
//! so the CLI and the TUI both apply it through the undo history. On error every file it wrote
//! is removed again.

use crate::codec::{AudioReader, CodecError, StreamResampler, WavFormat, WavWriter};
use crate::midi::smf::{read_smf, SmfError};
use crate::model::{AudioClip, Clip, ClipContent, Edit, MidiClip, Project, TrackKind};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The folder inside a project that holds its audio files.
pub const AUDIO_DIR: &str = "audio";

/// MIDI files larger than this are refused before being read into memory.
const MAX_MIDI_BYTES: u64 = 64 << 20;

/// Sample rates of audio files accepted for import (beyond these, conversion would be
/// meaningless or pathologically slow).
const MIN_FILE_RATE: u32 = 1_000;
const MAX_FILE_RATE: u32 = 1_536_000;

/// Longest file stem kept when naming tracks.
const MAX_STEM_CHARS: usize = 100;

/// Longest file stem, in bytes, kept when naming copies in `audio/`.
const MAX_STEM_BYTES: usize = 120;

/// What importing one file produced.
#[derive(Debug)]
pub struct Imported {
    /// Adds the new track(s) (and, for a MIDI file into an empty project, its tempo map).
    pub edit: Edit,
    /// Files written into the project folder; remove them if the edit is not kept.
    pub copied: Vec<PathBuf>,
    /// One line saying what was added.
    pub summary: String,
    /// A MIDI file's tempo map when the project's tempo was kept (the project has tracks), so
    /// that the caller can offer it; `None` for audio and when the edit already sets it.
    pub file_tempo: Option<crate::model::TempoMap>,
    /// A MIDI file's tempo (map) that was not applied because the project has tracks and
    /// another tempo: the caller says so and offers it (`--set-tempo`, a question in the TUI).
    pub song_tempo: Option<crate::model::TempoMap>,
}

impl Imported {
    /// "'FILE' has tempo 96 BPM; the project keeps 120 (use --set-tempo)", when a MIDI
    /// file's tempo was not applied.
    pub fn tempo_offer(&self, file: &Path, project: &Project) -> Option<String> {
        let song = self.song_tempo.as_ref()?;
        let changes = song.changes();
        let theirs = if changes.len() > 1 {
            format!(
                "a tempo map of {} changes from {} BPM",
                changes.len(),
                song.initial_bpm()
            )
        } else {
            format!("tempo {} BPM", song.initial_bpm())
        };
        Some(format!(
            "'{}' has {theirs}; the project keeps {} (use --set-tempo)",
            file.display(),
            project.tempo.initial_bpm()
        ))
    }
}

/// Why a file could not be imported. Every message names the file.
#[derive(Debug, Error)]
pub enum ImportError {
    /// The audio could not be decoded, converted or written.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The MIDI file is damaged.
    #[error("could not read '{}': {error}", path.display())]
    Midi { path: PathBuf, error: SmfError },
    /// The file could not be read.
    #[error("could not read '{}': {error}", path.display())]
    Read {
        path: PathBuf,
        // Not a `#[source]`: the message already says it, and error chains would repeat it.
        error: std::io::Error,
    },
    /// The file is readable but holds nothing to import.
    #[error("could not import '{}': {problem}", path.display())]
    Nothing { path: PathBuf, problem: String },
    /// A file in the project folder could not be written.
    #[error("could not write '{}': {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// Reads `file` and returns the edit that adds it to `project` (whose folder is `dir`).
pub fn import_file(dir: &Path, project: &Project, file: &Path) -> Result<Imported, ImportError> {
    let read_err = |source| ImportError::Read {
        path: file.to_path_buf(),
        error: source,
    };
    let meta = std::fs::metadata(file).map_err(read_err)?;
    if !meta.is_file() {
        return Err(ImportError::Nothing {
            path: file.to_path_buf(),
            problem: "not a regular file".into(),
        });
    }
    if is_midi(file)? {
        import_midi(project, file, meta.len())
    } else {
        import_audio(dir, project, file)
    }
}

/// A MIDI file by its extension or its first bytes.
fn is_midi(file: &Path) -> Result<bool, ImportError> {
    let ext = file
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if matches!(ext.as_str(), "mid" | "midi" | "smf" | "kar") {
        return Ok(true);
    }
    let mut head = [0u8; 4];
    let mut f = File::open(file).map_err(|source| ImportError::Read {
        path: file.to_path_buf(),
        error: source,
    })?;
    let mut n = 0;
    while n < 4 {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(ImportError::Read {
                    path: file.to_path_buf(),
                    error: source,
                })
            }
        }
    }
    Ok(n == 4 && &head == b"MThd")
}

/// The file's stem as a readable name: lossy UTF-8, no control characters, bounded length.
fn display_stem(file: &Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let s: String = stem
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_STEM_CHARS)
        .collect();
    let s = s.trim().to_string();
    if s.is_empty() {
        "Imported".into()
    } else {
        s
    }
}

/// A stem safe as a file name on every platform: letters, digits, `-`, `_`, `.` and spaces.
fn safe_stem(file: &Path) -> String {
    let s: String = display_stem(file)
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | ' ' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.').trim();
    // File systems limit names to 255 bytes: keep room for "-NNN.ext".
    let mut end = s.len().min(MAX_STEM_BYTES);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let s = s[..end].trim_end().to_string();
    if s.is_empty() {
        "audio".into()
    } else {
        s
    }
}

/// Creates `dir/stem.ext`, or `stem-2.ext`, `stem-3.ext`… — never an existing file.
fn create_unique(dir: &Path, stem: &str, ext: &str) -> Result<(PathBuf, File), ImportError> {
    for n in 1u32.. {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(&name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(source) => {
                return Err(ImportError::Write {
                    path,
                    error: source,
                })
            }
        }
    }
    Err(ImportError::Write {
        path: dir.join(format!("{stem}.{ext}")),
        error: std::io::Error::new(ErrorKind::AlreadyExists, "every numbered name is taken"),
    })
}

/// Removes a half-written file when dropped, unless kept.
struct Pending {
    path: Option<PathBuf>,
}

impl Pending {
    fn keep(mut self) -> PathBuf {
        self.path.take().unwrap_or_default()
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn import_audio(dir: &Path, project: &Project, file: &Path) -> Result<Imported, ImportError> {
    let mut reader = AudioReader::open(file)?;
    let rate = reader.sample_rate();
    let channels = reader.channels();
    let target = project.sample_rate;
    if !(MIN_FILE_RATE..=MAX_FILE_RATE).contains(&rate) {
        return Err(ImportError::Nothing {
            path: file.to_path_buf(),
            problem: format!(
                "its sample rate of {rate} Hz is outside {MIN_FILE_RATE}..={MAX_FILE_RATE} Hz"
            ),
        });
    }
    let audio_dir = dir.join(AUDIO_DIR);
    std::fs::create_dir_all(&audio_dir).map_err(|source| ImportError::Write {
        path: audio_dir.clone(),
        error: source,
    })?;
    let stem = safe_stem(file);
    let mut buf = vec![0.0f32; 4096 * channels as usize];

    let (dest, frames) = if rate == target {
        // Decode everything first, so a damaged file is refused before anything is copied.
        let mut frames = 0u64;
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            frames += n as u64;
        }
        if frames == 0 {
            return Err(nothing(file));
        }
        let ext = file
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .filter(|e| {
                !e.is_empty() && e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric())
            })
            .unwrap_or_else(|| "wav".into());
        let (dest, mut out) = create_unique(&audio_dir, &stem, &ext)?;
        let pending = Pending {
            path: Some(dest.clone()),
        };
        let write_err = |source| ImportError::Write {
            path: dest.clone(),
            error: source,
        };
        let mut src = File::open(file).map_err(|source| ImportError::Read {
            path: file.to_path_buf(),
            error: source,
        })?;
        std::io::copy(&mut src, &mut out).map_err(write_err)?;
        out.sync_all().map_err(write_err)?;
        (pending.keep(), frames)
    } else {
        // Decode, convert and write in one streaming pass; the copy is a 32-bit float WAV.
        let (dest, _) = create_unique(&audio_dir, &stem, "wav")?;
        let pending = Pending {
            path: Some(dest.clone()),
        };
        let mut writer = WavWriter::create(&dest, target, channels, WavFormat::F32)?;
        let mut resampler = StreamResampler::new(rate, target, channels)?;
        let mut out = Vec::with_capacity(buf.len() * 2);
        let mut frames_in = 0u64;
        let mut frames_out = 0u64;
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            frames_in += n as u64;
            resampler.process(&buf[..n * channels as usize], &mut out)?;
            frames_out += (out.len() / channels as usize) as u64;
            writer.write(&out)?;
            out.clear();
        }
        if frames_in == 0 {
            return Err(nothing(file));
        }
        resampler.finish(&mut out)?;
        frames_out += (out.len() / channels as usize) as u64;
        writer.write(&out)?;
        writer.finalize()?;
        (pending.keep(), frames_out)
    };

    let seconds = frames as f64 / target as f64;
    let file_name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rel = format!("{AUDIO_DIR}/{file_name}");
    let name = display_stem(file);
    let clip = Clip {
        id: project.next_clip_id(),
        name: name.clone(),
        start: 0.0,
        lane: 0,
        take: None,
        content: ClipContent::Audio(AudioClip {
            file: rel.clone(),
            offset: 0.0,
            length: seconds,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }),
    };
    let edit = crate::model::ops::add_track_with(
        project,
        project.tracks.len(),
        TrackKind::Audio,
        Some(name.clone()),
        None,
        vec![clip],
    )
    .map_err(|e| ImportError::Nothing {
        path: file.to_path_buf(),
        problem: e.to_string(),
    })?;
    let converted = if rate != target {
        format!(", converted from {rate} Hz to {target} Hz")
    } else {
        String::new()
    };
    let summary = format!(
        "{}: added audio track '{name}' ({} ch, {seconds:.3} s) playing {rel}{converted}",
        file.display(),
        channels,
    );
    Ok(Imported {
        edit,
        copied: vec![dest],
        summary,
        song_tempo: None,
        file_tempo: None,
    })
}

fn nothing(file: &Path) -> ImportError {
    ImportError::Nothing {
        path: file.to_path_buf(),
        problem: "the file holds no audio (0 frames)".into(),
    }
}

fn import_midi(project: &Project, file: &Path, len: u64) -> Result<Imported, ImportError> {
    if len > MAX_MIDI_BYTES {
        return Err(ImportError::Nothing {
            path: file.to_path_buf(),
            problem: format!(
                "{len} bytes is too large for a MIDI file (the limit is {MAX_MIDI_BYTES})"
            ),
        });
    }
    let bytes = std::fs::read(file).map_err(|source| ImportError::Read {
        path: file.to_path_buf(),
        error: source,
    })?;
    let stem = display_stem(file);
    let song = read_smf(&bytes, &stem).map_err(|error| ImportError::Midi {
        path: file.to_path_buf(),
        error,
    })?;
    if song.tracks.is_empty() {
        return Err(ImportError::Nothing {
            path: file.to_path_buf(),
            problem: "the MIDI file holds no notes".into(),
        });
    }

    let mut edits = Vec::new();
    // The file's tempo map and metre become the project's only when nothing else depends on
    // the current ones.
    let takes_song_timing = project.tracks.is_empty();
    let mut time_signature = project.time_signature;
    if takes_song_timing {
        edits.push(Edit::SetTempo(song.tempo.clone()));
        if let Some(ts) = song.time_signature {
            edits.push(Edit::SetTimeSignature(ts));
            time_signature = ts;
        }
        if let (Some(k), None) = (song.key, project.key) {
            edits.push(Edit::SetKey(Some(k)));
        }
    }
    let bar = time_signature.quarters_per_bar().max(0.25);
    // Each track is added to a scratch copy as it is made, so the next gets the next free ids
    // from the same operation the arrange view uses.
    let mut scratch = project.clone();
    let mut parts = Vec::new();
    for t in &song.tracks {
        // Controllers count too: a sustain pedal released after the last note must play.
        let end = t
            .notes
            .iter()
            .map(|n| n.end())
            .chain(t.controllers.iter().map(|c| c.time))
            .fold(0.0, f64::max);
        let length = ((end / bar).ceil() * bar).max(bar);
        let clip = Clip {
            id: scratch.next_clip_id(),
            name: t.name.clone(),
            start: 0.0,
            lane: 0,
            take: None,
            content: ClipContent::Midi(MidiClip {
                offset: 0.0,
                controllers: t.controllers.clone(),
                length,
                notes: t.notes.clone(),
            }),
        };
        let nothing = |problem: String| ImportError::Nothing {
            path: file.to_path_buf(),
            problem,
        };
        let edit = crate::model::ops::add_track_with(
            &scratch,
            scratch.tracks.len(),
            TrackKind::Midi,
            Some(t.name.clone()),
            Some(t.instrument()),
            vec![clip],
        )
        .map_err(|e| nothing(e.to_string()))?;
        edit.clone()
            .apply(&mut scratch)
            .map_err(|e| nothing(e.to_string()))?;
        let what = if t.channel == 9 {
            "drums".to_string()
        } else {
            format!("program {}", t.program)
        };
        parts.push(format!("'{}' ({} notes, {what})", t.name, t.notes.len()));
        edits.push(edit);
    }
    let timing = if takes_song_timing {
        let changes = song.tempo.changes();
        let tempo = if changes.len() > 1 {
            format!(
                "tempo map of {} changes from {:.2} BPM",
                changes.len(),
                song.tempo.initial_bpm()
            )
        } else {
            format!("tempo {:.2} BPM", song.tempo.initial_bpm())
        };
        let smpte = if song.smpte {
            " (SMPTE timecode converted to beats)"
        } else {
            ""
        };
        format!("; {tempo}, {time_signature}{smpte}")
    } else {
        "; the project's tempo is kept".to_string()
    };
    // Offered when the file has a tempo of its own that differs from the project's (an
    // SMPTE-timed file's 120 is only how its seconds were laid out).
    let song_tempo = (!takes_song_timing
        && !song.smpte
        && song.tempo_events > 0
        && song.tempo.changes() != project.tempo.changes())
    .then(|| song.tempo.clone());
    let n = song.tracks.len();
    let summary = format!(
        "{}: added {n} MIDI track{} ({} notes): {}{timing}",
        file.display(),
        if n == 1 { "" } else { "s" },
        song.note_count(),
        parts.join(", "),
    );
    Ok(Imported {
        edit: Edit::Batch(edits),
        copied: Vec::new(),
        summary,
        song_tempo,
        file_tempo: (!takes_song_timing).then(|| song.tempo.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClipId, History, Track, TrackId};

    fn wav(path: &Path, rate: u32, frames: usize) {
        let samples: Vec<f32> = (0..frames).map(|i| (i as f32 * 0.01).sin() * 0.5).collect();
        crate::codec::write_wav(path, &samples, rate, 1, WavFormat::I16).unwrap();
    }

    #[test]
    fn audio_edit_adds_one_track_and_undoes_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("kick drum.wav");
        wav(&src, 48_000, 12_000);
        let mut p = Project::new("t", 48_000, 120.0);
        let before = p.clone();
        let imported = import_file(dir.path(), &p, &src).unwrap();
        assert_eq!(
            imported.copied,
            vec![dir.path().join("audio/kick drum.wav")]
        );
        let mut h = History::default();
        h.apply(&mut p, imported.edit, "import").unwrap();
        assert_eq!(p.tracks.len(), 1);
        let t = &p.tracks[0];
        assert_eq!((t.name.as_str(), t.kind), ("kick drum", TrackKind::Audio));
        let ClipContent::Audio(a) = &t.clips[0].content else {
            panic!("audio clip expected")
        };
        assert_eq!(a.file, "audio/kick drum.wav");
        assert!((a.length - 0.25).abs() < 1e-12);
        h.undo(&mut p).unwrap();
        assert_eq!(p, before);
    }

    #[test]
    fn unique_names_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.wav"), b"keep").unwrap();
        std::fs::write(dir.path().join("a-2.wav"), b"keep").unwrap();
        let (p, _) = create_unique(dir.path(), "a", "wav").unwrap();
        assert_eq!(p, dir.path().join("a-3.wav"));
        assert_eq!(std::fs::read(dir.path().join("a.wav")).unwrap(), b"keep");
    }

    #[test]
    fn stems_are_made_safe() {
        assert_eq!(
            safe_stem(Path::new("/x/../.hidden:take?.wav")),
            "hidden_take_"
        );
        assert_eq!(safe_stem(Path::new("...wav")), "audio");
        assert_eq!(display_stem(Path::new("tab\there.wav")), "tabhere");
    }

    #[test]
    fn midi_into_an_empty_project_brings_its_tempo() {
        let dir = tempfile::tempdir().unwrap();
        let mut song = crate::model::Project::new("src", 48_000, 93.0);
        let mut t = Track::new(TrackId(1), "Pad", TrackKind::Midi);
        t.clips.push(Clip {
            id: ClipId(1),
            name: String::new(),
            start: 0.0,
            lane: 0,
            take: None,
            content: ClipContent::Midi(MidiClip {
                offset: 0.0,
                controllers: Vec::new(),
                length: 4.0,
                notes: vec![crate::model::Note {
                    pitch: 60,
                    start: 0.5,
                    length: 1.0,
                    velocity: 90,
                    channel: 0,
                }],
            }),
        });
        song.tracks.push(t);
        let file = dir.path().join("pad.mid");
        std::fs::write(&file, crate::midi::smf::export_smf(&song)).unwrap();

        let mut p = Project::new("t", 48_000, 120.0);
        let imported = import_file(dir.path(), &p, &file).unwrap();
        assert!(imported.copied.is_empty());
        assert!(
            imported.summary.contains("'Pad' (1 notes, program 0)"),
            "{}",
            imported.summary
        );
        imported.edit.apply(&mut p).unwrap();
        assert_eq!(p.tempo.initial_bpm(), 93.0);
        assert_eq!(p.tracks[0].note_count(), 1);
        // Into a project that has tracks: the tempo stays.
        let mut q = p.clone();
        q.tempo = crate::model::TempoMap::constant(150.0);
        let again_q = import_file(dir.path(), &q, &file).unwrap();
        again_q.edit.apply(&mut q).unwrap();
        assert_eq!(q.tempo.initial_bpm(), 150.0);
        assert_eq!(q.tracks.len(), 2);
        assert_ne!(q.tracks[0].id, q.tracks[1].id);
    }
}
