//! Anthropic's messages API (ai-net fills this in).

use super::{AiError, Assistant, Cancel, Reply, Request, Settings};

/// A client of `POST {base}/v1/messages`.
#[derive(Debug)]
pub struct Anthropic {
    model: String,
}

impl Anthropic {
    pub fn new(settings: &Settings) -> Result<Anthropic, AiError> {
        Ok(Anthropic {
            model: settings.model.clone().unwrap_or_default(),
        })
    }
}

impl Assistant for Anthropic {
    fn provider(&self) -> &'static str {
        "anthropic"
    }
    fn model(&self) -> &str {
        &self.model
    }
    fn ask(&mut self, _: &Request, _: &mut dyn FnMut(&str), _: &Cancel) -> Result<Reply, AiError> {
        Err(AiError::Other(
            "the Anthropic provider has not landed".into(),
        ))
    }
}
