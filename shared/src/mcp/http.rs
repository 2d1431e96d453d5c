//! MCP Streamable HTTP, stateless, with JSON responses: one HTTP request in,
//! one HTTP response out, as a Lambda function URL delivers them.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use lambda_runtime::Context;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};

use super::server::ToolServer;
use crate::resolver::Resolver;

/// The path of the MCP endpoint on a function URL.
pub const MCP_PATH: &str = "/mcp";

/// The largest MCP request body (HTTP) and tool-arguments object (both
/// transports) accepted, in bytes; larger ones are refused (HTTP 413, or an
/// `ArgumentsTooLarge` tool error).
pub const MCP_MAX_REQUEST_BYTES: usize = 1024 * 1024;

impl<S: Clone + Send + Sync + 'static> Resolver<S> {
    /// Answers one MCP Streamable HTTP request (stateless, JSON responses):
    /// what a function URL request to [`MCP_PATH`] gets inside
    /// [`handle_json`](Self::handle_json). `context` is the invocation's;
    /// tool handlers see it. Other paths get 404; bad requests get the
    /// statuses the MCP specification names (406 for a wrong `Accept`, 400
    /// for a wrong `MCP-Protocol-Version`, 405 for `GET`/`DELETE`, 413 for a
    /// body over [`MCP_MAX_REQUEST_BYTES`]) and JSON-RPC errors in the body.
    ///
    /// ```
    /// # async fn ping() -> actionkit::Json<u8> { actionkit::Json(1) }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let resolver = actionkit::Resolver::new("Ops").get("/ping", "Liveness check", ping);
    /// let request = http::Request::post("/mcp")
    ///     .header("host", "example.lambda-url.eu-west-1.on.aws")
    ///     .header("content-type", "application/json")
    ///     .header("accept", "application/json, text/event-stream")
    ///     .body(br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#.to_vec())
    ///     .unwrap();
    /// let response = resolver.mcp_http(request, &lambda_runtime::Context::default()).await;
    /// assert_eq!(response.status(), 200);
    /// let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    /// assert_eq!(body["result"]["tools"][0]["name"], "get_ping");
    /// # }
    /// ```
    pub async fn mcp_http(
        &self,
        request: http::Request<Vec<u8>>,
        context: &Context,
    ) -> http::Response<Vec<u8>> {
        if request.uri().path() != MCP_PATH {
            return plain(
                http::StatusCode::NOT_FOUND,
                &format!(
                    "Not Found: this function serves MCP (Streamable HTTP) at POST {MCP_PATH} only."
                ),
            );
        }
        let (server, calls) = match ToolServer::new(self) {
            Ok(parts) => parts,
            Err(e) => {
                tracing::error!(error = %e, "MCP tools cannot be listed");
                return plain(
                    http::StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal Server Error: the tools cannot be listed; see the function's logs.",
                );
            }
        };
        let config = StreamableHttpServerConfig::default()
            .with_legacy_session_mode(false)
            .with_json_response(true)
            .with_sse_keep_alive(None)
            .with_sse_retry(None)
            // A function URL is reached by its AWS host name, behind IAM:
            // the loopback-only Host check against DNS rebinding is for
            // servers on a developer's machine.
            .disable_allowed_hosts()
            .with_max_request_body_bytes(MCP_MAX_REQUEST_BYTES);
        let service = StreamableHttpService::new(
            move || Ok(server.clone()),
            Arc::new(NeverSessionManager::default()),
            config,
        );
        let (parts, body) = request.into_parts();
        let body = Bytes::from(body);
        let request = http::Request::from_parts(parts, Full::new(body.clone()));
        let json_body = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/json"));
        let answer = async move {
            let response = service.handle(request).await;
            if response.status() == http::StatusCode::UNSUPPORTED_MEDIA_TYPE && json_body {
                // rmcp answers a JSON body it cannot read with 415; the
                // specification's answer is 400 with a JSON-RPC error.
                return unreadable_message(&body);
            }
            let (parts, body) = response.into_parts();
            let body = match body.collect().await {
                Ok(collected) => collected.to_bytes().to_vec(),
                Err(never) => match never {},
            };
            http::Response::from_parts(parts, body)
        };
        // The answer holds the call's result, so nothing runs for this
        // request once it is ready; the runner is dropped then.
        let mut answer = std::pin::pin!(answer);
        tokio::select! {
            response = &mut answer => response,
            () = self.run_mcp_calls(calls, context) => answer.await,
        }
    }
}

/// HTTP 400 with the JSON-RPC error (no id) for a body that is not one
/// JSON-RPC message: -32700 when it is not JSON, -32600 when it is JSON of
/// another shape (a batch, which 2025-06-18 removed, say).
fn unreadable_message(body: &[u8]) -> http::Response<Vec<u8>> {
    let (code, message) = match serde_json::from_slice::<serde_json::Value>(body) {
        Err(_) => (-32700, "Parse error: the body is not JSON.".to_owned()),
        Ok(serde_json::Value::Array(_)) => (
            -32600,
            "Invalid Request: JSON-RPC batches are not supported (MCP 2025-06-18 removed them); \
             send one message per request."
                .to_owned(),
        ),
        Ok(_) => (
            -32600,
            "Invalid Request: the body is not a JSON-RPC 2.0 request, notification or response \
             (`jsonrpc` must be \"2.0\", `method` a string, `id` a string or number)."
                .to_owned(),
        ),
    };
    let error = serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}});
    let mut response = http::Response::new(error.to_string().into_bytes());
    *response.status_mut() = http::StatusCode::BAD_REQUEST;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// A plain-text HTTP answer.
pub(crate) fn plain(status: http::StatusCode, text: &str) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(text.as_bytes().to_vec());
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
