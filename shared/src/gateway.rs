//! AgentCore Gateway: the same handlers as MCP tools behind a Gateway
//! Lambda target. The Gateway passes the tool's arguments object as the
//! event and names the tool in the client context
//! (`bedrockAgentCoreToolName` = `<target>___<tool>`). Every call is answered
//! with the handler's JSON or a structured error result, never a Lambda error.

use std::time::Instant;

use lambda_runtime::Context;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::ActionError;
use crate::event::RawPayload;
use crate::extract::{Invocation, Source};
use crate::fit::{fit_body, fit_tool_error, label_excerpt};
use crate::handler::run_handler;
use crate::resolver::Resolver;

/// The client-context key that names the tool.
pub const GATEWAY_TOOL_NAME_KEY: &str = "bedrockAgentCoreToolName";
/// What separates the Gateway target from the tool name.
pub(crate) const GATEWAY_SEPARATOR: &str = "___";

/// What a registered tool runs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ToolTarget {
    Route(usize),
    Function(usize),
}

/// One registered tool.
#[derive(Debug, Clone)]
pub(crate) struct ToolEntry {
    pub(crate) name: String,
    pub(crate) target: ToolTarget,
    pub(crate) label: String,
}

/// The tool name of a Gateway invocation, if this is one.
pub(crate) fn gateway_tool_name(context: &Context) -> Option<&str> {
    context
        .client_context
        .as_ref()?
        .custom
        .get(GATEWAY_TOOL_NAME_KEY)
        .map(String::as_str)
}

impl<S: Clone + Send + Sync + 'static> Resolver<S> {
    /// Records a tool name; two operations may not share one.
    pub(crate) fn add_tool(&mut self, name: String, target: ToolTarget, label: &str) {
        if let Some(existing) = self.tools.iter().find(|t| t.name == name) {
            panic!(
                "actionkit: tool name `{name}` of {label} is already used by {}; set Operation::tool_name",
                existing.label
            );
        }
        self.tools.push(ToolEntry {
            name,
            target,
            label: label.to_owned(),
        });
    }

    /// Answers an AgentCore Gateway tool call: the handler's JSON, or a
    /// structured error result (`{"isError": true, "error": {...}}`). Never
    /// a Lambda error.
    pub(crate) async fn answer_tool(
        &self,
        full_name: &str,
        arguments: Option<Value>,
        raw: &RawPayload<'_>,
        context: &Context,
        started: Instant,
    ) -> Box<RawValue> {
        let tool = full_name
            .split_once(GATEWAY_SEPARATOR)
            .map_or(full_name, |(_, tool)| tool);
        let outcome = match &arguments {
            None => Err(ActionError::new(
                400,
                "InvalidArguments",
                "The tool arguments must be a JSON object.",
            )),
            Some(arguments) => self.call_tool(tool, arguments, raw, context).await,
        };
        let (status, rendered) = match outcome {
            Ok(rendered) => (200, rendered),
            Err(error) => {
                error.log();
                (
                    error.status(),
                    fit_tool_error(&error, self.max_response_bytes),
                )
            }
        };
        tracing::info!(
            mode = "tool",
            tool = %label_excerpt(tool),
            status,
            duration_us = started.elapsed().as_micros() as u64,
            response_bytes = rendered.get().len(),
            "tool call answered"
        );
        rendered
    }

    /// Runs the tool named `tool` on its arguments object: the handler's
    /// JSON fitted to the size limit, or the error to answer. The one tool
    /// dispatch, shared by the Gateway and the MCP server.
    pub(crate) async fn call_tool(
        &self,
        tool: &str,
        arguments: &Value,
        raw: &RawPayload<'_>,
        context: &Context,
    ) -> Result<Box<RawValue>, ActionError> {
        let Some(entry) = self.tools.iter().find(|t| t.name == tool) else {
            return Err(self.unknown_tool(tool));
        };
        let handler = match entry.target {
            ToolTarget::Route(i) => self.routes[i].handler.as_ref(),
            ToolTarget::Function(i) => self.functions[i].handler.as_ref(),
        };
        let invocation = Invocation {
            source: Source::Tool(arguments),
            raw,
            loaded_text: None,
            context,
        };
        let reply = run_handler(handler, &invocation, &self.state).await;
        reply.outcome.and_then(|body| {
            fit_body(body, self.max_response_bytes, "a tool result", |json| {
                // Serializer output, hence valid JSON.
                RawValue::from_string(json.to_owned()).unwrap_or_default()
            })
        })
    }

    pub(crate) fn unknown_tool(&self, name: &str) -> ActionError {
        let available: Vec<&str> = self.tools.iter().map(|t| t.name.as_str()).collect();
        ActionError::new(
            404,
            "UnknownTool",
            format!(
                "There is no tool {}. Available tools: {}.",
                label_excerpt(name),
                available.join(", ")
            ),
        )
        .with_detail("available_tools", available)
    }
}
