//! cloudwatch-query as an MCP server over stdio (`--mcp-stdio`), driven by
//! the official MCP Python SDK, against moto: every tool with valid and
//! bad arguments; `tools/list` is the Gateway tool schema.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use actionkit_testkit::{Moto, mcp_stdio_session};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_cloudwatch-query");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_client_over_stdio_lists_and_calls_every_tool() {
    let moto = Moto::start();
    common::seed(&common::client(&moto)).await;
    let env = [
        ("AWS_ENDPOINT_URL", moto.endpoint()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
        (
            "ALLOWED_LOG_GROUPS",
            format!("{},{}", common::API, common::CHECKOUT),
        ),
    ];
    let calls = json!([
        {"name": "list_log_groups", "arguments": {}},
        {"name": "list_log_groups", "arguments": {"limit": 500}},
        {"name": "get_cloudwatch_logs", "arguments": {"log_group": common::API, "query": "fields @timestamp, @message | limit 20", "minutes_back": 60}},
        {"name": "get_cloudwatch_logs", "arguments": {"log_group": common::UNLISTED, "query": "fields @message"}},
        {"name": "get_cloudwatch_logs", "arguments": {"log_group": common::API, "query": "fields @message", "minutes_back": "soon"}},
        {"name": "query_across_log_groups", "arguments": {"log_groups": [common::API, common::CHECKOUT], "query": "fields @message | limit 5"}},
        {"name": "query_across_log_groups", "arguments": {"log_groups": [], "query": "fields @message"}},
        {"name": "get_query_results", "arguments": {"log_group": common::API}, "arguments_from": {"query_id": [2, "query_id"]}},
        {"name": "get_query_results", "arguments": {"query_id": "forged", "log_group": common::API}},
    ]);
    let report = tokio::task::block_in_place(|| mcp_stdio_session(Path::new(BIN), &env, &calls));
    assert_eq!(report["server_info"]["name"], "LogInsights");
    let r = report["results"].as_array().unwrap();
    assert_eq!(r.len(), 9, "{report}");
    for (i, result) in r.iter().enumerate() {
        assert!(result.get("client_error").is_none(), "call {i}: {result}");
        assert!(
            !result.to_string().contains("Sup3rS3cret"),
            "call {i}: {result}"
        );
    }
    for i in [0, 2, 5, 7] {
        assert_eq!(r[i]["is_error"], false, "call {i}: {}", r[i]);
    }
    assert_eq!(
        r[0]["structured"]["log_groups"].as_array().unwrap().len(),
        2
    );
    assert!(r[2]["structured"]["query_id"].is_string(), "{}", r[2]);
    for (i, status) in [(1, 400), (3, 403), (4, 400), (6, 400), (8, 403)] {
        assert_eq!(r[i]["is_error"], true, "call {i}: {}", r[i]);
        let error: Value = serde_json::from_str(r[i]["text"].as_str().unwrap()).unwrap();
        assert_eq!(error["status"], status, "call {i}: {error}");
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
}
