//! The offline provider: a music engine with no network (ai-offline fills this in).

use super::{AiError, Assistant, Cancel, Reply, Request, Suggestion};

/// The offline music engine.
#[derive(Debug, Default)]
pub struct Offline;

impl Offline {
    pub fn new() -> Offline {
        Offline
    }
}

impl Assistant for Offline {
    fn provider(&self) -> &'static str {
        "offline"
    }
    fn model(&self) -> &str {
        "music-theory"
    }
    fn ask(
        &mut self,
        _req: &Request,
        on_text: &mut dyn FnMut(&str),
        _cancel: &Cancel,
    ) -> Result<Reply, AiError> {
        let text = "I cannot answer that yet.".to_string();
        on_text(&text);
        Ok(Reply {
            text,
            suggestion: Suggestion::Text,
            calls: Vec::new(),
        })
    }
}
