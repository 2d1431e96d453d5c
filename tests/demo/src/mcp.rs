//! The demo's MCP section: the official MCP Python SDK lists and calls
//! vendor-enrichment's tools over stdio (`--mcp-stdio`) and over
//! Streamable HTTP on its function URL (the emulator's `/lambda-url/`).

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use actionkit_testkit::{McpTarget, mcp_client, repo_root};
use serde_json::{Value, json};

use crate::{Stage, Step};

const SECTION: &str = "MCP: the same tools for any MCP client (official Python SDK)";

/// The calls each transport makes: one valid, one with a missing argument.
fn calls() -> Value {
    json!([
        {"name": "get_vendor", "arguments": {"vendor_id": "V-10001"}},
        {"name": "get_vendor", "arguments": {}},
    ])
}

/// One line per transport: server, tools, the valid call, the bad one.
fn step(title: String, asked: String, target: McpTarget<'_>) -> Step {
    let started = Instant::now();
    let report = std::panic::catch_unwind(AssertUnwindSafe(|| mcp_client(target, &calls())));
    let elapsed = started.elapsed();
    let (ok, answer) = match report {
        Ok(report) => summarize(&report),
        Err(_) => (false, "the MCP client failed (see above)".to_owned()),
    };
    Step {
        section: SECTION,
        title,
        asked,
        answer,
        ok,
        elapsed,
    }
}

fn summarize(report: &Value) -> (bool, String) {
    let tools: Vec<&str> = report["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str())
        .collect();
    let found = &report["results"][0];
    let missing = &report["results"][1];
    let error: Value =
        serde_json::from_str(missing["text"].as_str().unwrap_or("{}")).unwrap_or_default();
    let ok = tools.len() == 3
        && found["is_error"] == false
        && found["structured"]["vendor_id"] == "V-10001"
        && missing["is_error"] == true
        && error["name"] == "MissingParameter";
    let answer = format!(
        "{} (MCP {}), tools {}\n                get_vendor V-10001 → {} (structuredContent checked by the client)\n                get_vendor {{}} → isError {}: {}",
        report["server_info"]["name"].as_str().unwrap_or("?"),
        report["protocol_version"].as_str().unwrap_or("?"),
        tools.join(", "),
        found["structured"]["legal_name"].as_str().unwrap_or("?"),
        error["name"].as_str().unwrap_or("?"),
        error["message"].as_str().unwrap_or("?"),
    );
    (ok, answer)
}

/// The MCP steps: stdio first, then the function URL of `stage`'s emulator.
pub fn mcp_steps(stage: &Stage) -> Vec<Step> {
    let binary = repo_root().join("target/debug/vendor-enrichment");
    let env = [("AWS_REGION", "us-east-1".to_owned())];
    let url = format!(
        "http://127.0.0.1:{}/lambda-url/vendor-enrichment/mcp",
        stage.watch.port()
    );
    vec![
        step(
            "stdio: a local MCP client starts the function binary".to_owned(),
            "vendor-enrichment --mcp-stdio: initialize, tools/list, tools/call ×2".to_owned(),
            McpTarget::Stdio {
                command: &binary,
                args: &["--mcp-stdio"],
                env: &env,
            },
        ),
        step(
            "Streamable HTTP: the function URL is a remote MCP server".to_owned(),
            format!("POST {url}: initialize, tools/list, tools/call ×2"),
            McpTarget::Http(&url),
        ),
    ]
}
