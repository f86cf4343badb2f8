//! ALSA's `file` capture route (PLATFORM.md): a raw FLOAT_LE file stands in for the
//! microphone, with no sound card. Shared by the recording and input tests.
//!
//! The route reads `infile` as interleaved FLOAT_LE, the format cpal opens the file PCM with.
//! (Behind a `plug` converting from S16 the route loses the second period of every capture —
//! an alsa-lib quirk of plug over file — so 16-bit values go in as exact floats instead.)
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The ALSA configuration whose default capture device reads `infile`.
pub fn capture_conf(infile: &Path) -> String {
    format!(
        "</usr/share/alsa/alsa.conf>\n\
         pcm.!default {{ type file slave.pcm \"null\" file \"/dev/null\" infile \"{}\" format \"raw\" }}\n",
        infile.display()
    )
}

/// Writes interleaved samples as raw FLOAT_LE.
pub fn write_f32_raw(path: &Path, samples: &[f32]) {
    let bytes: Vec<u8> = samples.iter().flat_map(|v| v.to_le_bytes()).collect();
    fs::write(path, bytes).unwrap();
}

/// Writes interleaved 16-bit values as exact floats (value / 32768).
pub fn write_i16_as_f32_raw(path: &Path, samples: &[i16]) {
    let f: Vec<f32> = samples.iter().map(|&v| v as f32 / 32_768.0).collect();
    write_f32_raw(path, &f);
}

/// Writes `samples` to `dir/in.raw` and the configuration reading it to `dir/asound.conf`;
/// returns the configuration's path (for `ALSA_CONFIG_PATH`).
pub fn capture_route(dir: &Path, samples: &[f32]) -> PathBuf {
    let raw = dir.join("in.raw");
    write_f32_raw(&raw, samples);
    let conf = dir.join("asound.conf");
    fs::write(&conf, capture_conf(&raw)).unwrap();
    conf
}

/// A stereo ramp (the same in both channels), a different value every sample for 20,000
/// samples, within ±0.31.
pub fn ramp(frames: usize) -> Vec<f32> {
    (0..frames * 2)
        .map(|i| ((i % 20_000) as f32 - 10_000.0) / 32_768.0)
        .collect()
}

/// Writes `[audio]` lines to `home`'s config file.
pub fn audio_config(home: &Path, audio: &str) {
    let c = home.join("config");
    fs::create_dir_all(&c).unwrap();
    fs::write(c.join("config.toml"), format!("[audio]\n{audio}\n")).unwrap();
}

/// A temp folder with a project `song`, a TDAW_HOME and the capture route, for running the
/// real binary.
pub struct Env {
    pub tmp: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        let e = Env {
            tmp: tempfile::tempdir().unwrap(),
        };
        let out = e.cmd(&["new", e.dir().to_str().unwrap()]).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        e
    }

    pub fn dir(&self) -> PathBuf {
        self.tmp.path().join("song")
    }

    pub fn d(&self) -> String {
        self.dir().to_str().unwrap().to_string()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// `[audio]` lines for the config file.
    pub fn config(&self, audio: &str) {
        audio_config(&self.path("home"), audio);
    }

    /// The capture device reads `infile` (interleaved FLOAT_LE).
    pub fn alsa_capture_from(&self, infile: &Path) {
        fs::write(self.path("asound.conf"), capture_conf(infile)).unwrap();
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tdaw"));
        c.env("TDAW_HOME", self.path("home"))
            .env("ALSA_CONFIG_PATH", self.path("asound.conf"))
            .env_remove("RUST_BACKTRACE")
            .args(args);
        c
    }

    /// Exit code, stdout and stderr.
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    pub fn project(&self) -> tdaw::model::Project {
        tdaw::store::load_project(&self.dir()).unwrap()
    }

    pub fn toml(&self) -> Vec<u8> {
        fs::read(self.dir().join("project.toml")).unwrap()
    }
}
