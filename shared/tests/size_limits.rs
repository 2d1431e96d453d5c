//! Every answer fits its limit, on every path: agent answers in both modes
//! (errors included, whatever the event echoes), Gateway tool results
//! (trimmed and labelled like agent answers) and task errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actionkit::{
    ActionError, Context, DEFAULT_MAX_RESPONSE_BYTES, ItemList, Json, Resolver, TrimToFit,
};
use serde_json::{Value, json};

mod common;

use common::{api_event, function_event};

#[derive(Clone, serde::Serialize, utoipa::ToSchema)]
struct Row {
    /// A log line.
    line: String,
}

/// A result of about `n` KB: 1 KB rows.
fn rows(n: usize) -> ItemList<Row> {
    ItemList::new(
        (0..n)
            .map(|i| Row {
                line: format!("{i:05} {}", "x".repeat(1_000)),
            })
            .collect(),
    )
}

async fn big() -> TrimToFit<ItemList<Row>> {
    TrimToFit(rows(135))
}

async fn untrimmable() -> Json<Row> {
    Json(Row {
        line: "y".repeat(200_000),
    })
}

async fn fails() -> Result<Json<Row>, ActionError> {
    Err(ActionError::bad_request("z".repeat(100_000)).with_detail("echo", "w".repeat(100_000)))
}

fn resolver() -> Resolver {
    Resolver::new("Sizes")
        .error_prefix("Sizes")
        .get("/rows", "A large result that can be trimmed.", big)
        .get("/blob", "A large result that cannot.", untrimmable)
        .get("/fails", "An error with a huge message.", fails)
        .function("rows", "A large result that can be trimmed.", big)
        .task("fails", fails)
}

fn tool_context(tool: &str) -> Context {
    actionkit_testkit::gateway_context(tool)
}

async fn answer(event: Value, context: Context) -> String {
    resolver()
        .handle(event, context)
        .await
        .unwrap()
        .get()
        .to_owned()
}

#[tokio::test]
async fn agent_answers_fit_whatever_the_event_echoes() {
    let long = format!("/{}", "p".repeat(100_000));
    let mut huge_session = api_event("GET", "/fails", &[]);
    huge_session["sessionAttributes"] = json!({"notes": "s".repeat(60_000)});
    let mut long_group = api_event("GET", "/rows", &[]);
    long_group["actionGroup"] = json!("g".repeat(100_000));
    for (event, status) in [
        (api_event("GET", &long, &[]), 404),
        (function_event(&"f".repeat(100_000), &[]), 404),
        (api_event("GET", "/rows", &[]), 200),
        (function_event("rows", &[]), 200),
        (api_event("GET", "/blob", &[]), 413),
        (api_event("GET", "/fails", &[]), 400),
        (huge_session, 400),
        // Nothing fits beside a 100 KB echo: a short error, echo cut.
        (long_group, 413),
    ] {
        let text = answer(event.clone(), Context::default()).await;
        assert!(
            text.len() <= DEFAULT_MAX_RESPONSE_BYTES,
            "{} bytes for {}",
            text.len(),
            &event.to_string()[..200]
        );
        let out: Value = serde_json::from_str(&text).unwrap();
        let code = out["response"]["httpStatusCode"]
            .as_u64()
            .or_else(|| {
                // Function mode: 4xx reprompts.
                out["response"]["functionResponse"]["responseState"]
                    .as_str()
                    .map(|s| if s == "REPROMPT" { 404 } else { 500 })
            })
            .unwrap_or(200);
        assert_eq!(code, status, "{}", &text[..text.len().min(400)]);
    }
}

#[tokio::test]
async fn a_135_kb_tool_result_is_trimmed_and_labelled() {
    let text = answer(json!({}), tool_context("Target___get_rows")).await;
    assert!(text.len() <= DEFAULT_MAX_RESPONSE_BYTES, "{}", text.len());
    let out: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(out["truncated"], true, "{out}");
    assert_eq!(out["total"], 135);
    assert!(out["returned"].as_u64().unwrap() < 135);
    // An untrimmable one is a ResponseTooLarge error result, not 200 KB.
    let text = answer(json!({}), tool_context("Target___get_blob")).await;
    let out: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(out["isError"], true);
    assert_eq!(out["error"]["name"], "ResponseTooLarge");
    // An error with a huge message and detail fits too.
    let text = answer(json!({}), tool_context("Target___get_fails")).await;
    assert!(text.len() <= DEFAULT_MAX_RESPONSE_BYTES, "{}", text.len());
    let out: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(out["error"]["name"], "InvalidInput");
    // So does the answer to a 100 KB tool name.
    let text = answer(json!({}), tool_context(&"t".repeat(100_000))).await;
    assert!(text.len() < 2_000, "{}", text.len());
}

#[tokio::test]
async fn task_errors_are_bounded() {
    let err = resolver()
        .handle(json!({"task": "fails", "input": {}}), Context::default())
        .await
        .unwrap_err();
    assert_eq!(err.error_type, "Sizes.InvalidInput");
    assert!(
        err.error_message.len() <= 32_768,
        "{}",
        err.error_message.len()
    );
    let err = resolver()
        .handle(
            json!({"task": "t".repeat(100_000), "input": {}}),
            Context::default(),
        )
        .await
        .unwrap_err();
    assert!(
        err.error_message.len() < 1_000,
        "{}",
        err.error_message.len()
    );
}
