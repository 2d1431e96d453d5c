//! MCP over stdio: JSON-RPC lines on stdin and stdout, logs on stderr.

use lambda_runtime::Context;
use rmcp::ServiceExt;

use super::error::McpError;
use super::server::ToolServer;
use crate::resolver::Resolver;

impl<S: Clone + Send + Sync + 'static> Resolver<S> {
    /// Serves the resolver's tools as an MCP server on stdin and stdout
    /// until the client closes stdin: what a function binary does when
    /// started with `--mcp-stdio` (see [`serve`](crate::serve)). Handlers
    /// use the AWS configuration of the environment the process runs in.
    ///
    /// Keep logs off stdout (the default text logs go to stderr).
    ///
    /// ```no_run
    /// # async fn ping() -> actionkit::Json<u8> { actionkit::Json(1) }
    /// # async fn f() -> Result<(), actionkit::McpError> {
    /// let resolver = actionkit::Resolver::new("Ops").get("/ping", "Liveness check", ping);
    /// resolver.serve_mcp_stdio().await
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`McpError::Schema`] when the tools cannot be listed,
    /// [`McpError::Transport`] when the session ends abnormally (stdin or
    /// stdout breaks). Lines that are not JSON-RPC are answered with
    /// JSON-RPC errors and the session goes on.
    pub async fn serve_mcp_stdio(&self) -> Result<(), McpError> {
        let (server, calls) = ToolServer::new(self)?;
        tracing::info!(action_group = self.action_group(), "serving MCP on stdio");
        // Lines rmcp would drop unanswered are answered by the filter.
        let (reads, writes, pump) = super::lines::filtered(tokio::io::stdin(), tokio::io::stdout());
        let session = async move {
            let running = server
                .serve((reads, writes))
                .await
                .map_err(|e| McpError::Transport(e.to_string()))?;
            let reason = running
                .waiting()
                .await
                .map_err(|e| McpError::Transport(e.to_string()))?;
            tracing::info!(?reason, "MCP session ended");
            Ok::<(), McpError>(())
        };
        // The runner stops when the session (every copy of the handler,
        // hence every sender) is gone.
        let context = Context::default();
        let (outcome, (), pumped) =
            tokio::join!(session, self.run_mcp_calls(calls, &context), pump);
        outcome?;
        pumped.map_err(|e| McpError::Transport(e.to_string()))
    }
}
