//! The assistant's tools: the project's own operations, each with a JSON schema (ai-tools
//! fills this in; the names and arguments are fixed in the brief, see `definitions`).

use super::ToolCall;
use crate::model::{Edit, Project};

/// One tool as the providers (OpenAI `tools`, Anthropic `tools`, MCP `tools/list`) see it.
#[derive(Debug, Clone)]
pub struct ToolDef {
    pub name: &'static str,
    pub description: &'static str,
    /// JSON Schema of the arguments (an object schema).
    pub schema: serde_json::Value,
    /// True when the tool changes the project (MCP refuses these without `--allow-edit`).
    pub edits: bool,
}

/// Every tool.
pub fn definitions() -> Vec<ToolDef> {
    Vec::new()
}

/// The edit an editing call makes on `project` (not applied).
pub fn edit_for(_project: &Project, call: &ToolCall) -> Result<Edit, String> {
    Err(format!("unknown tool '{}'", call.name))
}

/// The answer of a reading call (`get_project`, `get_notes`, `list_effect_kinds`).
pub fn read(_project: &Project, call: &ToolCall) -> Result<serde_json::Value, String> {
    Err(format!("unknown tool '{}'", call.name))
}
