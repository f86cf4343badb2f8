//! Where tdaw keeps its files, and the user's configuration.
//!
//! `TDAW_HOME` (used by every test) puts the data and config dirs under one folder; otherwise
//! the platform's dirs from `directories` are used.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The folder holding the SQLite index and other per-user data.
pub fn data_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("TDAW_HOME") {
        return PathBuf::from(home);
    }
    directories::ProjectDirs::from("org", "tdaw", "tdaw")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".tdaw-data"))
}

/// The folder holding `config.toml`, `keymap.toml` and user themes.
pub fn config_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("TDAW_HOME") {
        return PathBuf::from(home).join("config");
    }
    directories::ProjectDirs::from("org", "tdaw", "tdaw")
        .map(|d| d.config_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".tdaw-config"))
}

/// The user's `config.toml`. Every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub audio: AudioConfig,
    /// Path of a General MIDI SoundFont (.sf2).
    pub soundfont: Option<PathBuf>,
    /// Theme name (a file in the config dir's `themes/` or a built-in theme).
    pub theme: Option<String>,
    pub ai: AiConfig,
}

/// The `[ai]` table: which provider answers and how to reach it. The keys here are used
/// only when the environment has none (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`), and are never
/// shown (`Debug` masks them) or written anywhere.
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AiConfig {
    /// offline, openai, anthropic or openai-compatible.
    pub provider: Option<String>,
    pub model: Option<String>,
    pub base_url: Option<String>,
    pub openai_api_key: Option<String>,
    pub anthropic_api_key: Option<String>,
    pub timeout_secs: Option<u64>,
    pub requests_per_minute: Option<u32>,
}

impl std::fmt::Debug for AiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mask = |k: &Option<String>| k.as_ref().map(|_| "****");
        f.debug_struct("AiConfig")
            .field("provider", &self.provider)
            .field("model", &self.model)
            .field("base_url", &self.base_url)
            .field("openai_api_key", &mask(&self.openai_api_key))
            .field("anthropic_api_key", &mask(&self.anthropic_api_key))
            .field("timeout_secs", &self.timeout_secs)
            .field("requests_per_minute", &self.requests_per_minute)
            .finish()
    }
}

/// The `[audio]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioConfig {
    /// Output device name (as `tdaw devices` lists it); the default device when absent.
    pub device: Option<String>,
    /// Buffer size in frames. (The output runs at the project's sample rate.)
    pub buffer_frames: Option<u32>,
    /// Input (capture) device for recording; the default input when absent.
    pub input: Option<String>,
    /// Round-trip latency to compensate when recording, in milliseconds (measured with a
    /// loopback cable, say). When absent, the devices' own timestamps are used.
    pub input_latency_ms: Option<f64>,
    /// Recorded files: "24" (24-bit PCM, the default) or "float" (32-bit float).
    pub record_format: Option<String>,
}

impl Config {
    /// Loads `config.toml` from the config dir; a missing file gives the defaults.
    pub fn load() -> Result<Config, String> {
        Self::load_from(&config_dir().join("config.toml"))
    }

    /// Loads a config file; a missing file gives the defaults.
    pub fn load_from(path: &Path) -> Result<Config, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}
