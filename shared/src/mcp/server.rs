//! The MCP server handler: `initialize` from [`Resolver::info`], `tools/list`
//! from the Gateway tool schema, `tools/call` passed to the resolver.
//!
//! The handler the SDK runs must be `'static`, while the resolver is only
//! borrowed where an invocation is answered (a Lambda invocation holds
//! `&Resolver`). So the handler owns what `initialize` and `tools/list`
//! need, and sends each `tools/call` over a channel to [`Resolver::run_mcp_calls`],
//! which runs it on the borrowed resolver and sends the result back.

use std::borrow::Cow;
use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use lambda_runtime::Context;
use rmcp::model::JsonObject;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, CustomRequest,
    CustomResult, ErrorCode, Implementation, ListToolsResult, PaginatedRequestParams,
    ProtocolVersion, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use super::error::McpError;
use crate::error::ActionError;
use crate::event::RawPayload;
use crate::fit::{fit_tool_error, label_excerpt};
use crate::resolver::Resolver;

/// The oldest protocol revision served: the first with `structuredContent`
/// and `outputSchema` (2025-06-18).
const OLDEST_REVISION: &str = "2025-06-18";

/// How many `tools/call` requests wait for the resolver at most; more wait
/// in the SDK.
const QUEUED_CALLS: usize = 16;

/// A `tools/call` on its way to the resolver, with where its result goes.
pub(crate) struct Call {
    params: CallToolRequestParams,
    /// The tool's announced `outputSchema`, which `structuredContent` must
    /// match.
    output_schema: Option<Arc<JsonObject>>,
    /// The JSON-RPC id, as the invocation's request id in logs.
    id: String,
    reply: oneshot::Sender<Result<CallToolResult, ErrorData>>,
}

/// The `rmcp` server handler of a resolver (see the module docs).
#[derive(Clone)]
pub(crate) struct ToolServer {
    config: Arc<ServerConfig>,
    tools: Arc<[Tool]>,
    calls: mpsc::Sender<Call>,
}

impl ToolServer {
    /// A handler announcing `resolver`'s tools, and the receiving end that
    /// [`Resolver::run_mcp_calls`] serves.
    pub(crate) fn new<S: Clone + Send + Sync + 'static>(
        resolver: &Resolver<S>,
    ) -> Result<(Self, mpsc::Receiver<Call>), McpError> {
        let tools = resolver.mcp_tools()?;
        let (calls, receiver) = mpsc::channel(QUEUED_CALLS);
        let server = Self {
            config: Arc::new(resolver.mcp_server_config()),
            tools: tools.into(),
            calls,
        };
        Ok((server, receiver))
    }
}

impl ServerHandler for ToolServer {
    fn get_info(&self) -> ServerConfig {
        (*self.config).clone()
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Owned(
            ProtocolVersion::KNOWN_VERSIONS
                .iter()
                .filter(|v| v.as_str() >= OLDEST_REVISION)
                .cloned()
                .collect(),
        )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        // A handful of tools: one page, no cursor.
        Ok(ListToolsResult::with_all_items(self.tools.to_vec()))
    }

    /// Reached by unknown methods, and by known ones whose params the SDK
    /// could not read (it falls back to a custom request for those).
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        let method = label_excerpt(&request.method);
        let shape = match request.method.as_str() {
            "tools/call" => Some(
                "`name` a string and `arguments`, when given, a JSON object of the tool's inputSchema",
            ),
            "tools/list" => Some("`cursor`, when given, a string"),
            "initialize" => {
                Some("`protocolVersion` a string, `capabilities` and `clientInfo` objects")
            }
            "ping" => Some("no params or an empty object"),
            _ => None,
        };
        Err(match shape {
            Some(shape) => ErrorData::invalid_params(
                format!("Invalid params for `{method}`: expected {shape}."),
                None,
            ),
            None => ErrorData::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!(
                    "Method not found: `{method}`. This server offers initialize, ping, tools/list and tools/call."
                ),
                None,
            ),
        })
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let (reply, result) = oneshot::channel();
        let output_schema = self
            .tools
            .iter()
            .find(|t| t.name == params.name)
            .and_then(|t| t.output_schema.clone());
        let call = Call {
            params,
            output_schema,
            id: context.id.to_string(),
            reply,
        };
        let gone = || ErrorData::internal_error("the tool runner has stopped", None);
        self.calls.send(call).await.map_err(|_| gone())?;
        result
            .await
            .map_err(|_| gone())?
            .map(CallToolResponse::from)
    }
}

impl<S: Clone + Send + Sync + 'static> Resolver<S> {
    /// The tools as MCP announces them: the Gateway tool schema, entry for
    /// entry (name, description, `inputSchema`, `outputSchema`).
    pub(crate) fn mcp_tools(&self) -> Result<Vec<Tool>, McpError> {
        let schema = self.tool_schema()?;
        serde_json::from_value(schema).map_err(|e| McpError::Schema(e.to_string()))
    }

    /// `initialize`'s answer: the action group as the server's name, and
    /// the title, version and description given to [`Resolver::info`].
    pub(crate) fn mcp_server_config(&self) -> ServerConfig {
        let version = if self.info.version.is_empty() {
            env!("CARGO_PKG_VERSION")
        } else {
            self.info.version.as_str()
        };
        let mut implementation = Implementation::new(self.action_group(), version);
        if !self.info.title.is_empty() {
            implementation = implementation.with_title(&self.info.title);
        }
        if !self.info.description.is_empty() {
            implementation = implementation.with_description(&self.info.description);
        }
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_protocol_version(ProtocolVersion::V_2025_06_18)
            .with_server_info(implementation)
    }

    /// Runs the calls a [`ToolServer`] sends until every sender is gone,
    /// several at a time. `context` is the invocation's (a function URL
    /// request), or a default one with no deadline (stdio); each call gets
    /// its JSON-RPC id as request id.
    pub(crate) async fn run_mcp_calls(&self, mut calls: mpsc::Receiver<Call>, context: &Context) {
        let mut running = FuturesUnordered::new();
        loop {
            tokio::select! {
                call = calls.recv() => match call {
                    Some(call) => running.push(async move {
                        let mut context = context.clone();
                        // A function URL request is in its invocation's span
                        // already; a stdio call gets one of its own.
                        let span = if context.request_id.is_empty() {
                            context.request_id = format!("mcp-{}", label_excerpt(&call.id));
                            tracing::info_span!("invocation", request_id = %context.request_id)
                        } else {
                            tracing::Span::none()
                        };
                        let result = self
                            .mcp_call(call.params, call.output_schema, &context)
                            .instrument(span)
                            .await;
                        // The client may have gone; nothing to tell it then.
                        let _ = call.reply.send(result);
                    }),
                    None => break,
                },
                Some(()) = running.next(), if !running.is_empty() => {}
            }
        }
        while running.next().await.is_some() {}
    }

    /// One `tools/call`: an unknown tool is a JSON-RPC error (-32602, as
    /// the specification says); everything the handler path answers is a
    /// result, errors as `isError: true` with the Gateway's error object.
    async fn mcp_call(
        &self,
        params: CallToolRequestParams,
        output_schema: Option<Arc<JsonObject>>,
        context: &Context,
    ) -> Result<CallToolResult, ErrorData> {
        let started = std::time::Instant::now();
        let name = params.name.as_ref();
        if !self.tools.iter().any(|t| t.name == name) {
            let error = self.unknown_tool(name);
            return Err(ErrorData::invalid_params(
                error.message().to_owned(),
                Some(error.body()),
            ));
        }
        let arguments = Value::Object(params.arguments.unwrap_or_default());
        let text = arguments.to_string();
        let outcome = if text.len() > super::http::MCP_MAX_REQUEST_BYTES {
            Err(ActionError::new(
                413,
                "ArgumentsTooLarge",
                format!(
                    "The tool arguments are {} bytes; at most {} are accepted. Send less data, \
                     or a reference to it.",
                    text.len(),
                    super::http::MCP_MAX_REQUEST_BYTES
                ),
            ))
        } else {
            let raw = RawPayload::new(&text);
            self.call_tool(name, &arguments, &raw, context).await
        };
        let (status, result) = match outcome {
            Ok(json) => {
                let text = json.get().to_owned();
                let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
                if let Some(schema) = &output_schema {
                    result.structured_content =
                        serde_json::from_str(json.get()).ok().map(|mut value| {
                            drop_optional_nulls(&mut value, schema);
                            value
                        });
                }
                (200, result)
            }
            Err(error) => {
                error.log();
                let rendered = fit_tool_error(&error, self.max_response_bytes);
                // The Gateway's `{"isError": true, "error": {...}}`: MCP
                // carries the flag itself, the text is the error object.
                let text = serde_json::from_str::<Value>(rendered.get())
                    .ok()
                    .and_then(|mut v| v.get_mut("error").map(Value::take))
                    .map_or_else(|| rendered.get().to_owned(), |e| e.to_string());
                (
                    error.status(),
                    CallToolResult::error(vec![ContentBlock::text(text)]),
                )
            }
        };
        tracing::info!(
            mode = "mcp",
            tool = %label_excerpt(name),
            status,
            duration_us = started.elapsed().as_micros() as u64,
            "MCP tool call answered"
        );
        Ok(result)
    }
}

/// Removes the `null` values of optional properties that the schema types
/// as non-null, so that `structuredContent` matches the announced
/// `outputSchema` (which clients validate). The Gateway tool schema has no
/// way to say "nullable" (it keeps one `type` and notes "May be null." in
/// the description); an absent optional property means the same to the
/// model, and the text content keeps the `null`.
fn drop_optional_nulls(value: &mut Value, schema: &JsonObject) {
    match value {
        Value::Object(map) => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            let required = |key: &str| {
                schema
                    .get("required")
                    .and_then(Value::as_array)
                    .is_some_and(|r| r.iter().any(|k| k == key))
            };
            map.retain(|key, v| {
                // Unknown properties are not constrained: left as they are.
                let typed_non_null = properties
                    .get(key)
                    .and_then(|p| p.get("type"))
                    .is_some_and(|t| t != "null");
                !v.is_null() || !typed_non_null || required(key)
            });
            for (key, v) in map.iter_mut() {
                if let Some(Value::Object(child)) = properties.get(key) {
                    drop_optional_nulls(v, child);
                }
            }
        }
        Value::Array(items) => {
            if let Some(Value::Object(item)) = schema.get("items") {
                for v in items {
                    drop_optional_nulls(v, item);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn optional_nulls_go_required_and_typed_nulls_stay() {
        let schema = json!({"type": "object", "required": ["a"], "properties": {
            "a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "null"},
            "list": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "integer"}}}},
            "inner": {"type": "object", "properties": {"y": {"type": "string"}}}}});
        let schema = schema.as_object().unwrap().clone();
        let mut value = json!({"a": null, "b": null, "c": null, "d": null,
            "list": [{"x": null}, {"x": 1}], "inner": {"y": null, "z": 2}});
        drop_optional_nulls(&mut value, &schema);
        assert_eq!(
            value,
            json!({"a": null, "c": null, "d": null,
            "list": [{}, {"x": 1}], "inner": {"z": 2}})
        );
    }
}
