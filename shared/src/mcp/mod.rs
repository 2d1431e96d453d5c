//! The same handlers as a Model Context Protocol server, on the official
//! Rust SDK (`rmcp`), with feature `mcp`:
//!
//! * `tools/list` is the Gateway tool schema ([`Resolver::tool_schema`]),
//!   tool for tool; `tools/call` runs the Gateway's own tool dispatch, so
//!   decoding, validation, error messages and the size guard are the same.
//! * **stdio**: [`Resolver::serve_mcp_stdio`], what a function binary does
//!   when started with `--mcp-stdio` (see [`serve`](crate::serve)).
//! * **Streamable HTTP**, stateless with JSON responses:
//!   [`Resolver::mcp_http`], which answers a Lambda function URL request to
//!   `/mcp` inside [`Resolver::handle_json`].
//!
//! Without the feature, a function URL request is answered with HTTP 501.

#[cfg(feature = "mcp")]
mod error;
#[cfg(feature = "mcp")]
mod http;
// The stdin lines rmcp would leave unanswered.
mod lines;
#[cfg(feature = "mcp")]
mod server;
#[cfg(feature = "mcp")]
mod stdio;
mod url;

#[cfg(feature = "mcp")]
pub use error::McpError;
#[cfg(feature = "mcp")]
pub use http::{MCP_MAX_REQUEST_BYTES, MCP_PATH};

/// `--mcp-stdio`: serves MCP on stdio until stdin closes, as the process's
/// exit code (see [`serve`](crate::serve)).
pub(crate) async fn stdio_exit_code<S: Clone + Send + Sync + 'static>(
    resolver: &crate::Resolver<S>,
) -> std::process::ExitCode {
    #[cfg(feature = "mcp")]
    {
        match resolver.serve_mcp_stdio().await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error = %e, "MCP over stdio ended abnormally");
                eprintln!("{e}");
                std::process::ExitCode::FAILURE
            }
        }
    }
    #[cfg(not(feature = "mcp"))]
    {
        let _ = resolver;
        eprintln!("--mcp-stdio: this binary is built without actionkit's `mcp` feature");
        std::process::ExitCode::from(2)
    }
}
