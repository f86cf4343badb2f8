//! OpenAI chat completions and OpenAI-compatible servers (ai-net fills this in).

use super::{AiError, Assistant, Cancel, ProviderKind, Reply, Request, Settings};

/// A client of `POST {base}/chat/completions`.
#[derive(Debug)]
pub struct OpenAi {
    kind: ProviderKind,
    model: String,
}

impl OpenAi {
    pub fn new(kind: ProviderKind, settings: &Settings) -> Result<OpenAi, AiError> {
        Ok(OpenAi {
            kind,
            model: settings.model.clone().unwrap_or_default(),
        })
    }
}

impl Assistant for OpenAi {
    fn provider(&self) -> &'static str {
        self.kind.name()
    }
    fn model(&self) -> &str {
        &self.model
    }
    fn ask(&mut self, _: &Request, _: &mut dyn FnMut(&str), _: &Cancel) -> Result<Reply, AiError> {
        Err(AiError::Other("the OpenAI provider has not landed".into()))
    }
}
