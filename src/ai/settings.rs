//! [`Settings::resolve`]: how to reach a provider, from the command line's (or the chat
//! pane's) flags, the `[ai]` table of config.toml and the environment. `ai` may not read the
//! config file itself (tests/architecture.rs), so `cli`/`ui` copy the table's values into
//! [`ConfigValues`] and pass the environment as a lookup function (tests pass a map).
//!
//! Precedence: a flag wins over the config; a key in the environment (`OPENAI_API_KEY`,
//! `ANTHROPIC_API_KEY`) wins over one in the config. The config's `model` and `base_url`
//! belong to the config's `provider`: when a flag asks for another provider they are not
//! used, so an OpenAI key is never sent to a local server's address by accident.

use super::{AiError, ProviderKind, Settings};
use std::time::Duration;

/// The `[ai]` table's values as plain data (the fields of `config::AiConfig`).
#[derive(Clone, Default)]
pub struct ConfigValues {
    pub provider: Option<String>,
    pub model: Option<String>,
    pub base_url: Option<String>,
    pub openai_api_key: Option<String>,
    pub anthropic_api_key: Option<String>,
    pub timeout_secs: Option<u64>,
    pub requests_per_minute: Option<u32>,
}

impl std::fmt::Debug for ConfigValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mask = |k: &Option<String>| k.as_ref().map(|_| "****");
        f.debug_struct("ConfigValues")
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

/// What the user asked for on this occasion (`tdaw ai --provider … --model … --base-url …`).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub provider: Option<ProviderKind>,
    pub model: Option<String>,
    pub base_url: Option<String>,
}

/// The most requests per minute the config may ask for (higher is no limit in practice).
const MAX_RPM: u32 = 10_000;

impl Settings {
    /// Settings from `flags`, the `[ai]` table's `config` and the environment `env`
    /// (`|name| std::env::var(name).ok()` in the program). A bad config value is one sentence
    /// naming config.toml, the key and the value — never a key's value.
    pub fn resolve(
        flags: &Flags,
        config: &ConfigValues,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, AiError> {
        let config_provider = match config.provider.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(parse_provider(name).ok_or_else(|| {
                AiError::Other(format!(
                    "config.toml [ai] provider '{name}' is not one of offline, openai, \
                     anthropic, openai-compatible"
                ))
            })?),
        };
        let provider = flags.provider.or(config_provider);
        // The config's model and address describe its own provider only.
        let config_applies = config_provider.is_none() || config_provider == provider;
        let pick = |flag: &Option<String>, conf: &Option<String>| {
            nonempty(flag).or_else(|| if config_applies { nonempty(conf) } else { None })
        };
        let model = pick(&flags.model, &config.model);
        let base_url = pick(&flags.base_url, &config.base_url);
        let key = |var: &str, conf: &Option<String>| nonempty(&env(var)).or_else(|| nonempty(conf));
        let defaults = Settings::default();
        let timeout = match config.timeout_secs {
            None => defaults.timeout,
            Some(0) => {
                return Err(AiError::Other(
                    "config.toml [ai] timeout_secs is 0; it must be at least 1".into(),
                ))
            }
            Some(s) => Duration::from_secs(s.min(3600)),
        };
        let requests_per_minute = match config.requests_per_minute {
            None => defaults.requests_per_minute,
            Some(0) => {
                return Err(AiError::Other(
                    "config.toml [ai] requests_per_minute is 0; it must be at least 1".into(),
                ))
            }
            Some(n) => n.min(MAX_RPM),
        };
        Ok(Settings {
            provider,
            model,
            base_url,
            openai_key: key("OPENAI_API_KEY", &config.openai_api_key),
            anthropic_key: key("ANTHROPIC_API_KEY", &config.anthropic_api_key),
            timeout,
            requests_per_minute,
            ..defaults
        })
    }
}

/// A provider by the name `--provider` takes.
pub fn parse_provider(name: &str) -> Option<ProviderKind> {
    [
        ProviderKind::Offline,
        ProviderKind::Openai,
        ProviderKind::Anthropic,
        ProviderKind::OpenaiCompatible,
    ]
    .into_iter()
    .find(|k| k.name().eq_ignore_ascii_case(name))
}

/// The value trimmed (keys pasted with a newline still work), None when empty.
fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn env_keys_win_over_config_keys() {
        let config = ConfigValues {
            openai_api_key: Some("sk-config".into()),
            anthropic_api_key: Some("ak-config".into()),
            ..Default::default()
        };
        let s = Settings::resolve(
            &Flags::default(),
            &config,
            env(&[("OPENAI_API_KEY", "sk-env\n")]),
        )
        .unwrap();
        assert_eq!(s.openai_key.as_deref(), Some("sk-env"));
        assert_eq!(s.anthropic_key.as_deref(), Some("ak-config"));
        // An empty variable is no key.
        let s =
            Settings::resolve(&Flags::default(), &config, env(&[("OPENAI_API_KEY", " ")])).unwrap();
        assert_eq!(s.openai_key.as_deref(), Some("sk-config"));
    }

    #[test]
    fn flags_win_and_the_config_model_stays_with_its_provider() {
        let config = ConfigValues {
            provider: Some("openai-compatible".into()),
            model: Some("llama3".into()),
            base_url: Some("http://127.0.0.1:11434/v1".into()),
            timeout_secs: Some(5),
            requests_per_minute: Some(7),
            ..Default::default()
        };
        let s = Settings::resolve(&Flags::default(), &config, env(&[])).unwrap();
        assert_eq!(s.provider, Some(ProviderKind::OpenaiCompatible));
        assert_eq!(s.model.as_deref(), Some("llama3"));
        assert_eq!(s.base_url.as_deref(), Some("http://127.0.0.1:11434/v1"));
        assert_eq!(s.timeout, Duration::from_secs(5));
        assert_eq!(s.requests_per_minute, 7);

        let flags = Flags {
            model: Some("qwen".into()),
            ..Default::default()
        };
        let s = Settings::resolve(&flags, &config, env(&[])).unwrap();
        assert_eq!(s.model.as_deref(), Some("qwen"));

        let flags = Flags {
            provider: Some(ProviderKind::Openai),
            ..Default::default()
        };
        let s = Settings::resolve(&flags, &config, env(&[])).unwrap();
        assert_eq!(s.provider, Some(ProviderKind::Openai));
        assert_eq!((s.model, s.base_url), (None, None));
    }

    #[test]
    fn defaults_without_config() {
        let s = Settings::resolve(&Flags::default(), &ConfigValues::default(), env(&[])).unwrap();
        let d = Settings::default();
        assert_eq!(s.provider, None);
        assert_eq!(s.timeout, d.timeout);
        assert_eq!(s.requests_per_minute, d.requests_per_minute);
        assert_eq!(s.max_retries, d.max_retries);
        assert!(s.openai_key.is_none() && s.anthropic_key.is_none());
    }

    #[test]
    fn bad_config_values_are_one_sentence_without_keys() {
        let config = ConfigValues {
            provider: Some("gpt".into()),
            openai_api_key: Some("sk-SECRET".into()),
            ..Default::default()
        };
        let e = Settings::resolve(&Flags::default(), &config, env(&[]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "config.toml [ai] provider 'gpt' is not one of offline, openai, anthropic, openai-compatible"
        );
        let config = ConfigValues {
            timeout_secs: Some(0),
            ..Default::default()
        };
        let e = Settings::resolve(&Flags::default(), &config, env(&[])).unwrap_err();
        assert!(e.to_string().contains("timeout_secs is 0"));
        let config = ConfigValues {
            requests_per_minute: Some(0),
            ..Default::default()
        };
        let e = Settings::resolve(&Flags::default(), &config, env(&[])).unwrap_err();
        assert!(e.to_string().contains("requests_per_minute is 0"));
        let config = ConfigValues {
            openai_api_key: Some("sk-SECRET".into()),
            ..Default::default()
        };
        assert!(!format!("{config:?}").contains("SECRET"));
    }
}
