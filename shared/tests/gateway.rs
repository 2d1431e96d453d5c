//! The same handlers as AgentCore Gateway tools: dispatch by the client
//! context's tool name, real JSON arguments, structured errors, tool names
//! and the restricted inline tool schema.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../examples/query_cloudwatch/app.rs"]
#[allow(dead_code)]
mod app;

use actionkit::{Context, Json, Operation, Resolver, gateway_tool_schema_violations};
use serde_json::{Value, json};

fn gateway_context(tool: &str) -> Context {
    actionkit_testkit::gateway_context(tool)
}

async fn call(r: &Resolver<std::sync::Arc<app::SampleLogs>>, tool: &str, args: Value) -> Value {
    let raw = r
        .handle(args, gateway_context(tool))
        .await
        .expect("tool calls are never Lambda errors");
    serde_json::from_str(raw.get()).unwrap()
}

#[tokio::test]
async fn tool_calls_are_routed_by_the_client_context() {
    let r = app::resolver();
    let out = call(&r, "LogTarget___get_cloudwatch_logs", json!({"log_group": "/aws/lambda/api-handler", "query": "fields @message", "minutes_back": 10})).await;
    assert_eq!(out["results"].as_array().unwrap().len(), 2, "{out}");
    // The function of the function-details group is a tool too.
    let out = call(
        &r,
        "LogTarget___query_cloudwatch",
        json!({"log_group": "/aws/lambda/checkout", "query": "q"}),
    )
    .await;
    assert_eq!(out["results"][0]["minutes_ago"], 4);
    // Agent events and task payloads still reach the same binary.
    let task = r
        .handle(
            json!({"log_group": "/aws/lambda/checkout", "query": "q"}),
            Context::default(),
        )
        .await
        .unwrap();
    assert!(task.get().contains("results"));
}

#[tokio::test]
async fn errors_are_structured_results_never_crashes() {
    let r = app::resolver();
    let out = call(
        &r,
        "T___get_cloudwatch_logs",
        json!({"log_group": "/aws/lambda/api-handler", "query": "q", "minutes_back": "soon"}),
    )
    .await;
    assert_eq!(out["isError"], true);
    assert_eq!(out["error"]["name"], "InvalidParameter");
    assert_eq!(out["error"]["status"], 400);
    assert_eq!(out["error"]["retryable"], false);
    assert_eq!(out["error"]["parameter"], "minutes_back");
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Tool argument `minutes_back` must be")
    );
    let out = call(
        &r,
        "T___get_cloudwatch_logs",
        json!({"log_group": "/nope", "query": "q"}),
    )
    .await;
    assert_eq!(out["error"]["name"], "NotFound");
    let out = call(&r, "T___no_such_tool", json!({})).await;
    assert_eq!(out["error"]["name"], "UnknownTool");
    assert_eq!(
        out["error"]["available_tools"],
        json!(["get_cloudwatch_logs", "query_cloudwatch"])
    );
    let out = call(&r, "T___get_cloudwatch_logs", json!([1, 2])).await;
    assert_eq!(out["error"]["name"], "InvalidArguments");
    // Without a target prefix the whole name is the tool.
    let out = call(
        &r,
        "get_cloudwatch_logs",
        json!({"log_group": "/aws/lambda/checkout", "query": "q"}),
    )
    .await;
    assert!(out.get("results").is_some());
}

async fn noop() -> Json<bool> {
    Json(true)
}

#[test]
#[should_panic(expected = "tool name `ping` of function ping is already used by GET /ping")]
fn tool_name_collisions_are_refused_at_registration() {
    let _ = Resolver::new("G")
        .get("/ping", Operation::new("Ping").operation_id("ping"), noop)
        .function("ping", "Ping", noop);
}

#[test]
fn tool_names_can_be_overridden_and_are_checked() {
    let r = Resolver::new("G")
        .get("/ping", Operation::new("Ping").operation_id("ping"), noop)
        .function(
            "ping",
            Operation::new("Ping").tool_name("ping_function"),
            noop,
        );
    let names: Vec<String> = r
        .tool_schema()
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["ping", "ping_function"]);
    let bad = Resolver::new("G").get("/x", Operation::new("X").tool_name("a___b"), noop);
    assert!(bad.tool_schema().is_err());
    let long = Resolver::new("G").get("/x", Operation::new("X").tool_name("t".repeat(65)), noop);
    assert!(long.tool_schema().is_err());
}

#[test]
fn the_tool_schema_uses_only_the_gateway_subset() {
    let schema = app::resolver().tool_schema().unwrap();
    assert!(gateway_tool_schema_violations(&schema).is_empty());
    let tool = &schema[0];
    assert_eq!(tool["name"], "get_cloudwatch_logs");
    assert_eq!(
        tool["inputSchema"]["required"],
        json!(["log_group", "query"])
    );
    let minutes = &tool["inputSchema"]["properties"]["minutes_back"];
    assert_eq!(minutes["type"], "integer");
    assert_eq!(
        minutes["description"],
        "Time window in minutes. Default: 60. Minimum: 1."
    );
    assert_eq!(
        tool["outputSchema"]["properties"]["results"]["type"],
        "array"
    );
    actionkit_testkit::assert_json_snapshot(
        "shared/tests/snapshots/query_cloudwatch.tools.json",
        &schema,
    );
}

#[test]
fn the_checker_rejects_every_other_keyword() {
    let bad = json!([{"name": "t", "description": "d", "inputSchema": {"type": "object", "properties": {
        "a": {"type": "string", "enum": ["x"]}, "b": {"type": "integer", "minimum": 1}, "c": {"$ref": "#/x"},
        "d": {"type": "array", "items": {"type": "string", "format": "email"}}, "enum": {"type": "string"}}}, "extra": 1}]);
    let problems: Vec<String> = gateway_tool_schema_violations(&bad)
        .into_iter()
        .map(|problem| match problem {
            actionkit::SchemaError::UnsupportedType { location, .. } => location,
            other => other.to_string(),
        })
        .collect();
    assert_eq!(
        problems,
        [
            "#/0/inputSchema/properties/a/enum",
            "#/0/inputSchema/properties/b/minimum",
            "#/0/inputSchema/properties/c/$ref",
            "#/0/inputSchema/properties/d/items/format",
            "#/0/extra"
        ]
    );
    assert_eq!(
        gateway_tool_schema_violations(
            &json!([{"name": "x", "description": "d", "inputSchema": {"type": "string"}}])
        )
        .len(),
        1
    );
}
