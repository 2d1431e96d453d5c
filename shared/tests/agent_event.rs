//! The ecosystem's event type as an extractor: `aws_lambda_events`'
//! `AgentEvent` of an OpenAPI-mode call, exactly as Bedrock sent it.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use actionkit::testing::{
    agent_api_event, agent_function_event, context, gateway_tool_call, task_event, with_body,
    with_session_attributes,
};
use actionkit::{AgentEvent, Json, Resolver};
use proptest::prelude::*;
use serde_json::{Value, json};

/// What a hand-written handler would read from the event.
async fn echo(event: AgentEvent) -> Json<Value> {
    let params: Vec<Value> = event
        .parameters
        .unwrap_or_default()
        .into_iter()
        .map(|p| json!([p.name, p.r#type, p.value]))
        .collect();
    let body: Vec<Value> = event
        .request_body
        .and_then(|b| b.content.get("application/json").cloned())
        .map(|c| {
            c.properties
                .into_iter()
                .map(|p| json!([p.name, p.value]))
                .collect()
        })
        .unwrap_or_default();
    Json(json!({
        "method": event.http_method,
        "path": event.api_path,
        "group": event.action_group,
        "session": event.session_id,
        "role": event.session_attributes.get("role"),
        "params": params,
        "body": body,
    }))
}

fn resolver() -> Resolver {
    Resolver::new("Tickets")
        .post("/tickets/{ticket_id}/comments", "Comment on a ticket", echo)
        .function("echo", "Echo", echo)
        .task("echo", echo)
}

async fn api_body(r: &Resolver, event: Value) -> (u64, Value) {
    let raw = r.handle(event, context()).await.unwrap();
    let response: Value = serde_json::from_str(raw.get()).unwrap();
    let status = response["response"]["httpStatusCode"].as_u64().unwrap();
    let body = response["response"]["responseBody"]["application/json"]["body"]
        .as_str()
        .unwrap();
    (status, serde_json::from_str(body).unwrap())
}

#[tokio::test(flavor = "current_thread")]
async fn a_handler_reads_the_openapi_event_as_aws_lambda_events_types() {
    let event = with_session_attributes(
        with_body(
            agent_api_event(
                "Tickets",
                "POST",
                "/tickets/{ticket_id}/comments",
                &[("ticket_id", "string", "T-7")],
            ),
            &[
                ("text", "string", "Printer on fire"),
                ("urgent", "boolean", "true"),
            ],
        ),
        &[("role", "support-lead")],
    );
    let (status, body) = api_body(&resolver(), event).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({
            "method": "POST",
            "path": "/tickets/{ticket_id}/comments",
            "group": "Tickets",
            "session": "123456789012345",
            "role": "support-lead",
            "params": [["ticket_id", "string", "T-7"]],
            "body": [["text", "Printer on fire"], ["urgent", "true"]],
        })
    );
}

#[tokio::test(flavor = "current_thread")]
async fn other_callers_are_told_the_operation_only_answers_openapi_calls() {
    let r = resolver();
    let raw = r
        .handle(agent_function_event("Tickets", "echo", &[]), context())
        .await
        .unwrap();
    let response: Value = serde_json::from_str(raw.get()).unwrap();
    assert_eq!(
        response["response"]["functionResponse"]["responseState"],
        "REPROMPT"
    );
    let text = response.to_string();
    assert!(text.contains("UnsupportedCaller"), "{text}");

    let failure = r
        .handle(task_event("echo", json!({})), context())
        .await
        .unwrap_err();
    assert_eq!(failure.error_type, "ActionKit.UnsupportedCaller");

    let (payload, gateway) = gateway_tool_call("tickets___echo", json!({}));
    let raw = r.handle(payload, gateway).await.unwrap();
    let result: Value = serde_json::from_str(raw.get()).unwrap();
    assert_eq!(result["isError"], true, "{result}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any parameters and body properties Bedrock sends reach the handler
    /// unchanged, in order, with their declared types.
    #[test]
    fn every_parameter_and_property_arrives_as_sent(
        params in proptest::collection::vec(("[a-z_]{1,12}", "(string|integer|boolean|number)", "\\PC{0,20}"), 0..6),
        props in proptest::collection::vec(("[a-z_]{1,12}", "\\PC{0,20}"), 0..6),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let p: Vec<(&str, &str, &str)> = params.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
        let b: Vec<(&str, &str, &str)> = props.iter().map(|(a, c)| (a.as_str(), "string", c.as_str())).collect();
        let event = with_body(agent_api_event("Tickets", "POST", "/tickets/{ticket_id}/comments", &p), &b);
        let (status, body) = rt.block_on(api_body(&resolver(), event));
        prop_assert_eq!(status, 200);
        let expected: Vec<Value> = params.iter().map(|(a, b, c)| json!([a, b, c])).collect();
        prop_assert_eq!(&body["params"], &Value::Array(expected));
        let expected: Vec<Value> = props.iter().map(|(a, c)| json!([a, c])).collect();
        prop_assert_eq!(&body["body"], &Value::Array(expected));
    }
}
