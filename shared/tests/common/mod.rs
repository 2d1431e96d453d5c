//! Event fixtures in the exact shapes Bedrock and Step Functions send, and
//! helpers to answer them.

#![allow(clippy::expect_used, clippy::unwrap_used)]
#![allow(dead_code)]

use actionkit::{Context, Diagnostic, Resolver};
use serde_json::Value;

#[allow(unused_imports)]
pub use actionkit_testkit::with_body;

/// An OpenAPI-mode agent event of the `LogInsights` group (the testkit's).
pub fn api_event(method: &str, api_path: &str, params: &[(&str, &str, &str)]) -> Value {
    actionkit_testkit::agent_api_event("LogInsights", method, api_path, params)
}

/// A function-details agent event of the `Weather` group (the testkit's).
pub fn function_event(function: &str, params: &[(&str, &str, &str)]) -> Value {
    actionkit_testkit::agent_function_event("Weather", function, params)
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
