//! The MCP server (JSON-RPC 2.0 over stdio, line-delimited) serving the tools (ai-mcp fills
//! this in). The disk side (lock, load, atomic save) is `cli`'s, behind `Workspace`.
