//! Events in the exact shapes each caller sends: Bedrock Agent events of
//! both action-group modes, Step Functions task envelopes and AgentCore
//! Gateway tool calls.

use lambda_runtime::Context;
use serde_json::{Value, json};

use super::context::gateway_context;

fn named_values(params: &[(&str, &str, &str)]) -> Vec<Value> {
    params
        .iter()
        .map(|(name, ty, value)| json!({"name": name, "type": ty, "value": value}))
        .collect()
}

fn string_map(pairs: &[(&str, &str)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
            .collect(),
    )
}

/// An OpenAPI-mode agent event of `action_group` calling `method` on
/// `api_path` (the path template, as Bedrock sends it): `params` are
/// `(name, type, value)`, every value a string as Bedrock sends it, path
/// parameters included.
///
/// ```
/// let event = actionkit::testing::agent_api_event(
///     "Tickets", "GET", "/tickets/{ticket_id}", &[("ticket_id", "string", "T-1")],
/// );
/// assert_eq!(event["apiPath"], "/tickets/{ticket_id}");
/// assert_eq!(event["parameters"][0]["value"], "T-1");
/// ```
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

/// Adds a JSON request body to an OpenAPI-mode event, in Bedrock's
/// `properties` list form (`(name, type, value)`, values as strings).
///
/// ```
/// use actionkit::testing::{agent_api_event, with_body};
///
/// let event = with_body(
///     agent_api_event("Tickets", "POST", "/tickets/{ticket_id}/comments", &[]),
///     &[("text", "string", "Printer is on fire")],
/// );
/// let props = &event["requestBody"]["content"]["application/json"]["properties"];
/// assert_eq!(props[0]["name"], "text");
/// ```
pub fn with_body(mut event: Value, props: &[(&str, &str, &str)]) -> Value {
    event["requestBody"] =
        json!({"content": {"application/json": {"properties": named_values(props)}}});
    event
}

/// Sets the event's `sessionAttributes` (what the agent's caller passed for
/// the whole session, e.g. the user's role).
///
/// ```
/// use actionkit::testing::{agent_function_event, with_session_attributes};
///
/// let event = with_session_attributes(
///     agent_function_event("Tickets", "escalate_ticket", &[]),
///     &[("role", "support-lead")],
/// );
/// assert_eq!(event["sessionAttributes"]["role"], "support-lead");
/// ```
pub fn with_session_attributes(mut event: Value, attributes: &[(&str, &str)]) -> Value {
    event["sessionAttributes"] = string_map(attributes);
    event
}

/// Sets the event's `promptSessionAttributes` (attributes of one turn).
///
/// ```
/// use actionkit::testing::{agent_api_event, with_prompt_session_attributes};
///
/// let event = with_prompt_session_attributes(
///     agent_api_event("Tickets", "GET", "/tickets", &[]),
///     &[("today", "2026-12-01")],
/// );
/// assert_eq!(event["promptSessionAttributes"]["today"], "2026-12-01");
/// ```
pub fn with_prompt_session_attributes(mut event: Value, attributes: &[(&str, &str)]) -> Value {
    event["promptSessionAttributes"] = string_map(attributes);
    event
}

/// A function-details agent event of `action_group` calling `function`.
///
/// ```
/// let event = actionkit::testing::agent_function_event(
///     "Tickets", "escalate_ticket", &[("ticket_id", "string", "T-1")],
/// );
/// assert_eq!(event["function"], "escalate_ticket");
/// assert!(event.get("apiPath").is_none());
/// ```
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

/// A Step Functions task envelope naming one of several tasks a function
/// serves. A function with a single task takes its `input` as the whole
/// payload instead.
///
/// ```
/// let event = actionkit::testing::task_event("add_comment", serde_json::json!({"text": "hi"}));
/// assert_eq!(event["task"], "add_comment");
/// ```
pub fn task_event(task: &str, input: Value) -> Value {
    json!({"task": task, "input": input})
}

/// An AgentCore Gateway tool call: the payload is the tool's `arguments`
/// object itself, and the tool's name (`<target>___<tool>`) is in the
/// context (see [`gateway_context`](super::gateway_context)).
///
/// ```
/// let (payload, context) = actionkit::testing::gateway_tool_call(
///     "tickets___get_ticket", serde_json::json!({"ticket_id": "T-1"}),
/// );
/// assert_eq!(payload["ticket_id"], "T-1");
/// assert!(context.client_context.is_some());
/// ```
pub fn gateway_tool_call(tool: &str, arguments: Value) -> (Value, Context) {
    (arguments, gateway_context(tool))
}
