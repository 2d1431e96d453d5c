//! The ticket-triage example (shared/examples/ticket_triage): its size
//! against its Powertools equivalent, its committed schemas, and what its
//! declarations promise, through the resolver: the 201, the enforced
//! `limit`, the allowed `status` values, the `tags` array, the function and
//! the task's named error.

#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../examples/ticket_triage/main.rs"]
#[allow(dead_code)]
mod app;

use actionkit::testing::{agent_api_event, agent_function_event, context, with_body};
use actionkit::{Resolver, bedrock_function_schema_violations, bedrock_openapi_violations};
use proptest::prelude::*;
use serde_json::{Value, json};

const RUST: &str = "examples/ticket_triage/main.rs";
const PYTHON: &str = "../tests/tools/powertools_ticket_triage.py";

fn non_blank_lines(relative: &str) -> usize {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().filter(|l| !l.trim().is_empty()).count()
}

#[test]
fn line_counts_the_example_is_at_most_one_and_a_half_times_its_powertools_equivalent() {
    let rust = non_blank_lines(RUST);
    let python = non_blank_lines(PYTHON);
    let ratio = rust as f64 / python as f64;
    println!(
        "ticket_triage: Rust {rust} non-blank lines, Powertools Python {python}, ratio {ratio:.2}"
    );
    assert!(
        ratio <= 1.5,
        "the Rust example has {rust} non-blank lines, more than 1.5 x the {python} of Python"
    );
    // Both are the whole app, not a stub of either.
    assert!(python >= 60 && rust >= 60, "Rust {rust}, Python {python}");
}

#[test]
fn the_example_is_rustfmt_formatted() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(RUST);
    let out = std::process::Command::new("rustfmt")
        .args(["--check", "--edition", "2024"])
        .arg(&path)
        .output()
        .expect("rustfmt runs");
    assert!(
        out.status.success(),
        "rustfmt would change the example:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn snapshot(name: &str, actual: &Value) {
    actionkit_testkit::assert_json_snapshot(&format!("shared/tests/snapshots/{name}"), actual);
}

#[test]
fn schemas_match_the_committed_snapshots_and_bedrocks_rules() {
    let r = app::resolver();
    let doc = r.openapi_document().unwrap();
    snapshot("ticket_triage.openapi.json", &doc);
    snapshot(
        "ticket_triage.functions.json",
        &r.function_schema().unwrap(),
    );
    snapshot("ticket_triage.tools.json", &r.tool_schema().unwrap());
    assert!(bedrock_openapi_violations(&doc, "TicketTriage").is_empty());
    assert!(bedrock_function_schema_violations(&r.function_schema().unwrap()).is_empty());
}

#[test]
fn each_fact_is_in_the_openapi_document() {
    let doc = app::resolver().openapi_document().unwrap();
    let list = &doc["paths"]["/tickets"]["get"];
    assert_eq!(
        list["description"],
        "Lists tickets, optionally by status and tags."
    );
    let params = list["parameters"].as_array().unwrap();
    let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["status", "limit", "tags"]);
    assert_eq!(params[0]["required"], false);
    assert_eq!(
        params[0]["schema"]["description"],
        "Where a ticket stands. Allowed values: open, pending, closed."
    );
    assert_eq!(params[1]["description"], "How many tickets to return.");
    assert_eq!(
        params[1]["schema"],
        json!({"type": "integer", "format": "int32", "default": 20, "minimum": 1, "maximum": 100})
    );
    assert_eq!(params[2]["schema"]["type"], "array");
    assert_eq!(params[2]["schema"]["items"]["type"], "string");

    let post = &doc["paths"]["/tickets/{ticket_id}/comments"]["post"];
    let statuses: Vec<&String> = post["responses"].as_object().unwrap().keys().collect();
    assert_eq!(statuses, ["201", "400", "404", "409", "500"]);
    let body = &post["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["required"], json!(["text", "author"]));
    assert_eq!(body["properties"]["text"]["maxLength"], 2000);
    assert_eq!(body["properties"]["author"]["type"], "object");
    assert_eq!(
        body["properties"]["author"]["properties"]["email"]["description"],
        "Where to reach them."
    );
    let get = &doc["paths"]["/tickets/{ticket_id}"]["get"];
    let statuses: Vec<&String> = get["responses"].as_object().unwrap().keys().collect();
    assert_eq!(statuses, ["200", "400", "404", "500"]);
}

/// The status and parsed body of an OpenAPI-mode answer.
async fn api(r: &Resolver, event: Value) -> (u64, Value) {
    let raw = r
        .handle(event, context())
        .await
        .expect("agent events never fail the Lambda");
    let response: Value = serde_json::from_str(raw.get()).unwrap();
    let status = response["response"]["httpStatusCode"].as_u64().unwrap();
    let body = response["response"]["responseBody"]["application/json"]["body"]
        .as_str()
        .unwrap();
    (status, serde_json::from_str(body).unwrap())
}

fn list_event(params: &[(&str, &str, &str)]) -> Value {
    agent_api_event("TicketTriage", "GET", "/tickets", params)
}

fn comment_event(ticket: &str) -> Value {
    let event = agent_api_event(
        "TicketTriage",
        "POST",
        "/tickets/{ticket_id}/comments",
        &[("ticket_id", "string", ticket)],
    );
    with_body(
        event,
        &[
            ("text", "string", "Reset the session cookie and retry."),
            (
                "author",
                "object",
                r#"{"name": "Ana", "email": "ana@example.com"}"#,
            ),
        ],
    )
}

#[tokio::test]
async fn a_comment_is_answered_201_with_its_nested_author() {
    let r = app::resolver();
    let (status, body) = api(&r, comment_event("T-1")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["author"]["email"], "ana@example.com");
    assert_eq!(body["text"], "Reset the session cookie and retry.");

    let (status, body) = api(&r, comment_event("T-3")).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "TicketClosed");
    let (status, body) = api(&r, comment_event("T-9")).await;
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn a_ticket_is_found_by_id() {
    let r = app::resolver();
    let event = agent_api_event(
        "TicketTriage",
        "GET",
        "/tickets/{ticket_id}",
        &[("ticket_id", "string", "T-2")],
    );
    let (status, body) = api(&r, event).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("pending")));
}

#[tokio::test]
async fn the_list_defaults_to_20_and_filters_by_status_and_tags() {
    let r = app::resolver();
    let (status, body) = api(&r, list_event(&[])).await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().unwrap().len(), 3);
    let (_, body) = api(&r, list_event(&[("status", "string", "closed")])).await;
    assert_eq!(
        body,
        json!([{"id": "T-3", "title": "Dark mode request", "status": "closed", "tags": ["ui", "web"]}])
    );
    let (_, body) = api(&r, list_event(&[("tags", "array", "[\"web\"]")])).await;
    let ids: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["T-1", "T-3"]);
    let (_, body) = api(&r, list_event(&[("limit", "integer", "1")])).await;
    assert_eq!(body.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_status_outside_the_three_is_refused_naming_them() {
    let (status, body) = api(
        &app::resolver(),
        list_event(&[("status", "string", "done")]),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["parameter"], "status");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("open") && message.contains("closed"),
        "{message}"
    );
}

#[tokio::test]
async fn escalate_ticket_is_a_function_details_function() {
    let r = app::resolver();
    let event = agent_function_event(
        "TicketTriage",
        "escalate_ticket",
        &[
            ("ticket_id", "string", "T-1"),
            ("reason", "string", "VIP customer"),
        ],
    );
    let raw = r.handle(event, context()).await.unwrap();
    let response: Value = serde_json::from_str(raw.get()).unwrap();
    let text = response["response"]["functionResponse"]["responseBody"]["TEXT"]["body"]
        .as_str()
        .unwrap();
    assert_eq!(text, "\"T-1 escalated: VIP customer\"");
    let schema = r.function_schema().unwrap();
    assert_eq!(schema["functions"][0]["name"], "escalate_ticket");
    assert_eq!(
        schema["functions"][0]["description"],
        "Escalates a ticket to the on-call engineer."
    );
    assert_eq!(
        schema["functions"][0]["parameters"]["reason"]["description"],
        "Why it cannot wait."
    );
}

#[tokio::test]
async fn the_create_comment_task_fails_on_a_closed_ticket_under_its_name() {
    let r = app::resolver();
    let input = json!({"ticket_id": "T-1", "text": "Done.", "author": {"name": "Ana", "email": "ana@example.com"}});
    let raw = r.handle(input.clone(), context()).await.unwrap();
    let output: Value = serde_json::from_str(raw.get()).unwrap();
    assert_eq!(output["author"]["name"], "Ana");

    let mut closed = input;
    closed["ticket_id"] = json!("T-3");
    let failure = r.handle(closed, context()).await.unwrap_err();
    assert_eq!(failure.error_type, "TicketTriage.TicketClosed");
    assert_eq!(failure.error_message, "Ticket is closed.");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever number the model sends, the handler only ever sees 1..=100:
    /// anything else is a 400 naming `limit`.
    #[test]
    fn limit_is_enforced_for_every_number(limit in prop_oneof![-1_000i64..1_000, any::<i64>()]) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let r = app::resolver();
        let (status, body) = rt.block_on(api(&r, list_event(&[("limit", "integer", &limit.to_string())])));
        if (1..=100).contains(&limit) {
            prop_assert_eq!(status, 200);
            prop_assert_eq!(body.as_array().unwrap().len(), limit.min(3) as usize);
        } else {
            prop_assert_eq!(status, 400, "{}", body);
            prop_assert_eq!(&body["parameter"], "limit");
            let message = body["message"].as_str().unwrap();
            prop_assert!(!message.contains("4294967295"), "{}", message);
        }
    }

    /// Only the three declared values pass, whatever else is sent.
    #[test]
    fn only_the_declared_statuses_pass(status in prop_oneof![
        Just("open".to_owned()), Just("pending".to_owned()), Just("closed".to_owned()), "[a-zA-Z ]{0,12}"
    ]) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let (code, body) = rt.block_on(api(&app::resolver(), list_event(&[("status", "string", &status)])));
        let allowed = ["open", "pending", "closed"].contains(&status.as_str());
        prop_assert_eq!(code == 200, allowed, "{} -> {} {}", status, code, body);
    }
}
