//! Why an MCP server could not be started or kept running.

use crate::error::SchemaError;

/// An MCP server that cannot start or stops abnormally.
///
/// ```
/// let e = actionkit::McpError::Transport("stdin closed before initialize".into());
/// assert!(e.to_string().contains("stdin closed"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum McpError {
    /// The tool definitions cannot be served: the Gateway tool schema
    /// refuses them (the same reason `--tool-schema` prints).
    #[error("the tools cannot be listed: {0}")]
    Schema(String),
    /// The session ended before or outside the protocol: a first message
    /// that is not `initialize` (or a request carrying its own protocol
    /// metadata), or a closed or broken stream.
    #[error("the MCP session failed: {0}")]
    Transport(String),
}

impl From<SchemaError> for McpError {
    fn from(e: SchemaError) -> Self {
        Self::Schema(e.to_string())
    }
}
