//! Event fixtures in the exact shapes Bedrock and Step Functions send, and
//! helpers to answer them.

#![allow(clippy::expect_used, clippy::unwrap_used)]
#![allow(dead_code)]

use actionkit::{Context, Diagnostic, Resolver};
use serde_json::{Value, json};

/// An OpenAPI-mode agent event, as in DESIGN.md.
pub fn api_event(method: &str, api_path: &str, params: &[(&str, &str, &str)]) -> Value {
    json!({
        "messageVersion": "1.0",
        "agent": {"name": "ops", "id": "AGENT12345", "alias": "TSTALIASID", "version": "DRAFT"},
        "inputText": "check the logs",
        "sessionId": "123456789012345",
        "actionGroup": "LogInsights",
        "apiPath": api_path,
        "httpMethod": method,
        "parameters": params.iter().map(|(n, t, v)| json!({"name": n, "type": t, "value": v})).collect::<Vec<_>>(),
        "sessionAttributes": {},
        "promptSessionAttributes": {}
    })
}

/// Adds a JSON request body (Bedrock's `properties` list form).
pub fn with_body(mut event: Value, props: &[(&str, &str, &str)]) -> Value {
    event["requestBody"] = json!({"content": {"application/json": {"properties":
        props.iter().map(|(n, t, v)| json!({"name": n, "type": t, "value": v})).collect::<Vec<_>>()
    }}});
    event
}

/// A function-details agent event.
pub fn function_event(function: &str, params: &[(&str, &str, &str)]) -> Value {
    json!({
        "messageVersion": "1.0",
        "agent": {"name": "ops", "id": "AGENT12345", "alias": "TSTALIASID", "version": "DRAFT"},
        "inputText": "check the weather",
        "sessionId": "123456789012345",
        "actionGroup": "Weather",
        "function": function,
        "parameters": params.iter().map(|(n, t, v)| json!({"name": n, "type": t, "value": v})).collect::<Vec<_>>(),
        "sessionAttributes": {},
        "promptSessionAttributes": {}
    })
}

pub fn context() -> Context {
    let mut c = Context::default();
    c.request_id = "test-request".into();
    c
}

pub async fn answer<S: Clone + Send + Sync + 'static>(
    r: &Resolver<S>,
    event: Value,
) -> Result<Value, Diagnostic> {
    r.handle(event, context())
        .await
        .map(|raw| serde_json::from_str(raw.get()).expect("responses are JSON"))
}

/// The status and parsed body of an OpenAPI-mode response.
pub async fn api<S: Clone + Send + Sync + 'static>(
    r: &Resolver<S>,
    event: Value,
) -> (u64, Value, Value) {
    let response = answer(r, event)
        .await
        .expect("agent events never become Lambda errors");
    let status = response["response"]["httpStatusCode"]
        .as_u64()
        .expect("status");
    let body: Value = serde_json::from_str(
        response["response"]["responseBody"]["application/json"]["body"]
            .as_str()
            .expect("body string"),
    )
    .expect("body is JSON");
    (status, body, response)
}
