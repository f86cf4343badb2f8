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

/// `text` (a config file) with `key = value` set in its `[audio]` table: the key's line
/// replaced where it is, else added at the table's end (the table is added when missing).
/// Every other line, comments included, is kept.
pub fn with_audio_value(text: &str, key: &str, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let new = format!("{key} = {value}");
    let header = lines.iter().position(|l| l.trim() == "[audio]");
    match header {
        Some(h) => {
            let end = lines[h + 1..]
                .iter()
                .position(|l| l.trim_start().starts_with('['))
                .map(|i| h + 1 + i)
                .unwrap_or(lines.len());
            let at = lines[h + 1..end].iter().position(|l| {
                l.split_once('=')
                    .is_some_and(|(k, _)| k.trim() == key && !l.trim_start().starts_with('#'))
            });
            match at {
                Some(i) => lines[h + 1 + i] = new,
                None => {
                    // After the table's last non-blank line.
                    let last = (h..end)
                        .rev()
                        .find(|&i| !lines[i].trim().is_empty())
                        .unwrap_or(h);
                    lines.insert(last + 1, new);
                }
            }
        }
        None => {
            if lines.last().is_some_and(|l| !l.trim().is_empty()) {
                lines.push(String::new());
            }
            lines.push("[audio]".into());
            lines.push(new);
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audio_value_is_set_in_place_and_the_rest_is_kept() {
        let text = "# mine\ntheme = \"dark\"\n\n[audio]\ninput = \"hw:1\"\ninput_latency_ms = 3\n\n[ai]\nprovider = \"offline\"\n";
        let out = with_audio_value(text, "input_latency_ms", "7.25");
        assert_eq!(
            out,
            text.replace("input_latency_ms = 3", "input_latency_ms = 7.25")
        );
        let out = with_audio_value(
            "# mine\n[audio]\ninput = \"x\"\n\n[ai]\n",
            "input_latency_ms",
            "5",
        );
        assert_eq!(
            out,
            "# mine\n[audio]\ninput = \"x\"\ninput_latency_ms = 5\n\n[ai]\n"
        );
        let out = with_audio_value("theme = \"dark\"\n", "input_latency_ms", "5");
        assert_eq!(out, "theme = \"dark\"\n\n[audio]\ninput_latency_ms = 5\n");
        let c: Config = toml::from_str(&out).unwrap();
        assert_eq!(c.audio.input_latency_ms, Some(5.0));
        assert_eq!(
            with_audio_value("", "input_latency_ms", "5"),
            "[audio]\ninput_latency_ms = 5\n"
        );
    }
}
