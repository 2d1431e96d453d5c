//! Events in the exact shapes each caller sends, for every crate's tests:
//! Bedrock Agent events of both action-group modes, AgentCore Gateway tool
//! contexts and Step Functions task envelopes.

use serde_json::{Value, json};

fn named_values(params: &[(&str, &str, &str)]) -> Vec<Value> {
    params
        .iter()
        .map(|(name, ty, value)| json!({"name": name, "type": ty, "value": value}))
        .collect()
}

/// An OpenAPI-mode agent event of `action_group`: `params` are
/// `(name, type, value)`, every value a string as Bedrock sends it.
pub fn agent_api_event(
    action_group: &str,
    method: &str,
    api_path: &str,
    params: &[(&str, &str, &str)],
) -> Value {
    json!({
        "messageVersion": "1.0",
        "agent": {"name": "ops", "id": "AGENT12345", "alias": "TSTALIASID", "version": "DRAFT"},
        "inputText": "check the logs",
        "sessionId": "123456789012345",
        "actionGroup": action_group,
        "apiPath": api_path,
        "httpMethod": method,
        "parameters": named_values(params),
        "sessionAttributes": {},
        "promptSessionAttributes": {}
    })
}

/// Adds a JSON request body (Bedrock's `properties` list form).
pub fn with_body(mut event: Value, props: &[(&str, &str, &str)]) -> Value {
    event["requestBody"] =
        json!({"content": {"application/json": {"properties": named_values(props)}}});
    event
}

/// A function-details agent event of `action_group`.
pub fn agent_function_event(
    action_group: &str,
    function: &str,
    params: &[(&str, &str, &str)],
) -> Value {
    json!({
        "messageVersion": "1.0",
        "agent": {"name": "ops", "id": "AGENT12345", "alias": "TSTALIASID", "version": "DRAFT"},
        "inputText": "check the weather",
        "sessionId": "123456789012345",
        "actionGroup": action_group,
        "function": function,
        "parameters": named_values(params),
        "sessionAttributes": {},
        "promptSessionAttributes": {}
    })
}

/// A Step Functions task envelope naming one of several tasks.
pub fn task_event(task: &str, input: Value) -> Value {
    json!({"task": task, "input": input})
}

/// The Lambda context of an AgentCore Gateway tool call to `tool`
/// (`<target>___<tool>`), built as the runtime builds it.
pub fn gateway_context(tool: &str) -> lambda_runtime::Context {
    let mut context = lambda_runtime::Context::default();
    context.request_id = "gateway-request".into();
    // `lambda_runtime` does not export `ClientContext`: build it from JSON.
    context.client_context =
        serde_json::from_value(json!({"custom": {"bedrockAgentCoreToolName": tool}})).ok();
    context
}
