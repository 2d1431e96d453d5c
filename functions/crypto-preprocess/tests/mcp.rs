//! crypto-preprocess as an MCP server over stdio (`--mcp-stdio`), driven by
//! the official MCP Python SDK, with a local master key: every tool with
//! valid and bad arguments; `tools/list` is the Gateway tool schema.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use actionkit_testkit::{mcp_stdio_raw, mcp_stdio_session};
use base64::Engine;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_crypto-preprocess");

#[test]
fn the_official_client_over_stdio_lists_and_calls_every_tool() {
    let env = [
        ("AWS_REGION", "us-east-1".to_owned()),
        (
            "LOCAL_MASTER_KEY",
            base64::engine::general_purpose::STANDARD.encode([4u8; 32]),
        ),
        ("TOKEN_KEY", "mcp-token-key".to_owned()),
        ("WEBHOOK_SECRET", "whsec_mcp".to_owned()),
    ];
    let calls = json!([
        {"name": "digest", "arguments": {"json": {"b": 2, "a": [1.0, 1e21]}}},
        {"name": "digest", "arguments": {"text": "hello", "base64": "aGVsbG8="}},
        {"name": "digest", "arguments": {"base64": "not base64!"}},
        {"name": "pseudonymize", "arguments": {"document_id": "INV-1",
            "text": "Mail jane.doe@example.com or call +44 20 7946 0958."}},
        {"name": "pseudonymize", "arguments": {"text": "no document id"}},
    ]);
    let report = mcp_stdio_session(Path::new(BIN), &env, &calls);
    let schema = &report["tools"];
    let tools: Vec<&str> = schema
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tools,
        ["digest", "pseudonymize"],
        "every tool is called below"
    );
    let r = report["results"].as_array().unwrap();
    assert_eq!(r.len(), 5, "{report}");
    for (i, result) in r.iter().enumerate() {
        assert!(result.get("client_error").is_none(), "call {i}: {result}");
        assert!(
            !result.to_string().contains("whsec_mcp"),
            "call {i}: {result}"
        );
    }
    assert_eq!(r[0]["is_error"], false, "{}", r[0]);
    assert_eq!(
        r[0]["structured"]["sha256"],
        crypto_preprocess::sha256_hex(br#"{"a":[1,1e+21],"b":2}"#),
        "{}",
        r[0]
    );
    assert_eq!(r[3]["is_error"], false, "{}", r[3]);
    let text = r[3]["text"].as_str().unwrap();
    assert!(!text.contains("jane.doe@example.com"), "{text}");
    for i in [1, 2, 4] {
        assert_eq!(r[i]["is_error"], true, "call {i}: {}", r[i]);
        let error: Value = serde_json::from_str(r[i]["text"].as_str().unwrap()).unwrap();
        assert_eq!(error["status"], 400, "call {i}: {error}");
    }
}

/// A notification or a response before `initialize` (a client that is
/// eager, or replays its log) is dropped: the session goes on and the
/// `initialize` that follows is answered, then every later request.
#[test]
fn what_needs_no_answer_before_initialize_does_not_end_the_session() {
    let env = [
        ("AWS_REGION", "us-east-1".to_owned()),
        (
            "LOCAL_MASTER_KEY",
            base64::engine::general_purpose::STANDARD.encode([4u8; 32]),
        ),
    ];
    let before = [
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 9}}),
        json!({"jsonrpc": "2.0", "id": 7, "result": {}}),
        json!({"jsonrpc": "2.0", "id": 8, "error": {"code": -1, "message": "m"}}),
        json!({"jsonrpc": "2.0", "id": "early-ping", "method": "ping"}),
    ];
    // Each prefix of what comes before, in every order of two, so that no
    // one message happens to be the one that works.
    let mut openings: Vec<Vec<Value>> = before.iter().map(|m| vec![m.clone()]).collect();
    for a in &before {
        for b in &before {
            openings.push(vec![a.clone(), b.clone()]);
        }
    }
    for opening in openings {
        let mut lines: Vec<String> = opening.iter().map(Value::to_string).collect();
        lines.push(
            json!({"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "raw", "version": "1"}}})
            .to_string(),
        );
        lines.push(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string());
        lines.push(json!({"jsonrpc": "2.0", "id": "list", "method": "tools/list"}).to_string());
        let (answers, exited_cleanly) = mcp_stdio_raw(Path::new(BIN), &env, &lines);
        assert!(exited_cleanly, "{opening:?}: {answers:?}");
        let answer = |id: &str| answers.iter().find(|a| a["id"] == id);
        assert!(
            answer("init").is_some_and(|a| a["result"]["serverInfo"].is_object()),
            "{opening:?}: {answers:?}"
        );
        assert_eq!(
            answer("list").map(|a| a["result"]["tools"].as_array().map(Vec::len)),
            Some(Some(2)),
            "{opening:?}: {answers:?}"
        );
        if opening.iter().any(|m| m["id"] == "early-ping") {
            assert!(answer("early-ping").is_some(), "{answers:?}");
        }
    }
}
