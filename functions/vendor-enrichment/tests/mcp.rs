//! vendor-enrichment as an MCP server, driven by the official MCP Python
//! SDK: over stdio (`--mcp-stdio`) and over Streamable HTTP through
//! `cargo lambda watch`'s function URL emulation; plus raw JSON-RPC lines a
//! real client never sends, generated.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use actionkit_testkit::{
    HttpMessage, LambdaWatch, McpTarget, mcp_client, mcp_stdio_raw, repo_root, send,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_vendor-enrichment");

fn env() -> Vec<(&'static str, String)> {
    vec![("AWS_REGION", "us-east-1".into())]
}

/// The Gateway tool schema, as `--tool-schema` prints it.
fn tool_schema() -> Value {
    let out = std::process::Command::new(BIN)
        .arg("--tool-schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every tool with valid and with bad arguments, then an unknown tool.
fn calls() -> Value {
    json!([
        {"name": "get_vendor", "arguments": {"vendor_id": "V-10001"}},
        {"name": "get_vendor", "arguments": {}},
        {"name": "get_vendor", "arguments": {"vendor_id": "V-99999"}},
        {"name": "search_vendors", "arguments": {"name": "ACME Corp."}},
        {"name": "search_vendors", "arguments": {"name": ["not", "a", "string"]}},
        {"name": "enrich_line_items", "arguments": {"items": [
            {"line_id": "1", "vendor_name": "ACME Corp.", "amount": 12990.0, "currency": "USD", "description": "Laptops"},
            {"line_id": "2", "vendor_id": "V-10005", "amount": 310, "currency": "EUR", "description": "components"}]}},
        {"name": "enrich_line_items", "arguments": {}},
        {"name": "drop_tables", "arguments": {}},
        // Items a model got wrong: each is an error result in a batch whose
        // structuredContent still matches the outputSchema (`item` is an
        // object there).
        {"name": "enrich_line_items", "arguments": {"items": [
            "one laptop", 42, null, true, [1, 2], {"line_id": "6"}]}},
    ])
}

/// What every transport must show for [`calls`].
fn assert_report(report: &Value) {
    assert_eq!(
        report["tools"],
        tool_schema(),
        "tools/list is the Gateway tool schema"
    );
    assert_eq!(report["server_info"]["name"], "VendorEnrichment");
    assert_eq!(report["server_info"]["title"], "Vendor enrichment");
    let r = report["results"].as_array().unwrap();
    assert_eq!(r.len(), 9, "{report}");
    for (i, result) in r.iter().enumerate() {
        assert!(result.get("client_error").is_none(), "call {i}: {result}");
    }
    // Valid calls: the SDK checked structuredContent against outputSchema.
    assert_eq!(r[0]["is_error"], false, "{}", r[0]);
    assert_eq!(r[0]["structured"]["vendor_id"], "V-10001");
    // The text is the Gateway's JSON; structuredContent leaves out the
    // optional nulls the outputSchema cannot type (`parent_id`).
    let mut text: Value = serde_json::from_str(r[0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(text["parent_id"], Value::Null);
    text.as_object_mut().unwrap().retain(|_, v| !v.is_null());
    assert_eq!(text, r[0]["structured"]);
    assert_eq!(r[3]["is_error"], false, "{}", r[3]);
    assert_eq!(r[5]["is_error"], false, "{}", r[5]);
    let items = r[5]["structured"]["results"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", r[5]);
    // Bad arguments: isError results with the Gateway's error object.
    for (i, name, word) in [
        (1, "MissingParameter", "vendor_id"),
        (2, "NotFound", "V-99999"),
        (4, "InvalidParameter", "name"),
        (6, "MissingParameter", "items"),
    ] {
        assert_eq!(r[i]["is_error"], true, "call {i}: {}", r[i]);
        let error: Value = serde_json::from_str(r[i]["text"].as_str().unwrap()).unwrap();
        assert_eq!(error["name"], name, "call {i}: {error}");
        assert!(
            error["message"].as_str().unwrap().contains(word),
            "call {i}: {error}"
        );
        assert!(r[i].get("structured").is_none());
    }
    assert_eq!(r[8]["is_error"], false, "{}", r[8]);
    let wrong = r[8]["structured"]["results"].as_array().unwrap();
    assert_eq!(wrong.len(), 6, "{}", r[8]);
    assert!(wrong.iter().all(|w| w["status"] == "error"), "{}", r[8]);
    assert_eq!(wrong[0]["item"]["excerpt"], "\"one laptop\"", "{}", r[8]);
    assert_eq!(wrong[5]["item"], json!({"line_id": "6"}), "{}", r[8]);
    // An unknown tool: JSON-RPC invalid params, naming the tools.
    assert_eq!(r[7]["error"]["code"], -32602, "{}", r[7]);
    assert!(
        r[7]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("get_vendor")
    );
}

#[test]
fn the_official_client_over_stdio_lists_and_calls_every_tool() {
    // JSON logs (Lambda's format) must not reach stdout: it is the protocol.
    let mut env = env();
    env.push(("AWS_LAMBDA_LOG_FORMAT", "JSON".into()));
    let report = mcp_client(
        McpTarget::Stdio {
            command: Path::new(BIN),
            args: &["--mcp-stdio"],
            env: &env,
        },
        &calls(),
    );
    assert!(
        ["2025-06-18", "2025-11-25"].contains(&report["protocol_version"].as_str().unwrap()),
        "{report}"
    );
    assert_report(&report);
}

fn raw_post(port: u16, path: &str, headers: &[(&str, &str)], body: &str) -> HttpMessage {
    let mut request = HttpMessage {
        start: format!("POST {path} HTTP/1.1"),
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    };
    for (name, value) in headers {
        request
            .headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        request.headers.push(((*name).into(), (*value).into()));
    }
    send(port, &request).unwrap()
}

#[test]
fn the_official_client_over_a_function_url_lists_and_calls_every_tool() {
    let watch = LambdaWatch::start(&env());
    let path = "/lambda-url/vendor-enrichment/mcp";
    let url = format!("http://127.0.0.1:{}{path}", watch.port());
    assert_report(&mcp_client(McpTarget::Http(&url), &calls()));

    // What a client that is no MCP client gets, through the emulator.
    let port = watch.port();
    let list = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
    let accept = ("accept", "application/json, text/event-stream");
    let ok = raw_post(port, path, &[accept], list);
    assert_eq!(ok.status(), 200, "{}", ok.text());
    for (headers, body, status) in [
        (vec![("accept", "text/html")], list, 406),
        (
            vec![accept, ("mcp-protocol-version", "1999-01-01")],
            list,
            400,
        ),
        (vec![accept], "{not json", 400),
        (vec![accept], &format!("[{list},{list}]"), 400),
    ] {
        let answer = raw_post(port, path, &headers, body);
        assert_eq!(
            answer.status(),
            status,
            "{headers:?} {body}: {}",
            answer.text()
        );
    }
    let get = send(
        port,
        &HttpMessage {
            start: format!("GET {path} HTTP/1.1"),
            headers: vec![accept_owned()],
            body: Vec::new(),
        },
    )
    .unwrap();
    assert_eq!(get.status(), 405, "{}", get.text());
    let elsewhere = raw_post(port, "/lambda-url/vendor-enrichment/", &[accept], list);
    assert_eq!(elsewhere.status(), 404);
    assert!(elsewhere.text().contains("/mcp"), "{}", elsewhere.text());

    // The same process still answers agent events.
    let events = repo_root().join("events/vendor-enrichment");
    let agent = watch
        .invoke("vendor-enrichment", &events.join("agent-get-vendor.json"))
        .unwrap();
    assert_eq!(agent["response"]["httpStatusCode"], 200);
}

fn accept_owned() -> (String, String) {
    (
        "accept".into(),
        "application/json, text/event-stream".into(),
    )
}

/// A raw line a real client never sends, and the JSON-RPC error code its
/// answer must carry (`None`: a tool error result).
fn bad_line() -> impl Strategy<Value = (Value, Option<i64>)> {
    let not_object = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        "[a-z ]{0,12}".prop_map(Value::from),
        Just(json!([1, 2])),
    ];
    prop_oneof![
        "[a-z]{1,10}/[a-z]{1,10}"
            .prop_filter("real", |m| !m.starts_with("tools/") && !m.starts_with("notifications"))
            .prop_map(|m| (json!({"jsonrpc": "2.0", "method": m}), Some(-32601))),
        "[a-zA-Z_]{1,30}"
            .prop_filter("real", |t| !["get_vendor", "search_vendors", "enrich_line_items"].contains(&t.as_str()))
            .prop_map(|t| (json!({"jsonrpc": "2.0", "method": "tools/call",
                                  "params": {"name": t, "arguments": {}}}), Some(-32602))),
        not_object.prop_map(|a| (json!({"jsonrpc": "2.0", "method": "tools/call",
                                        "params": {"name": "get_vendor", "arguments": a}}), Some(-32602))),
        (0usize..2).prop_map(|n| (json!({"jsonrpc": "2.0", "method": "tools/call",
                                         "params": {"name": "get_vendor",
                                                    "arguments": {"vendor_id": "V".repeat(actionkit::MCP_MAX_REQUEST_BYTES + n)}}}), None)),
        any::<bool>().prop_map(|b| (json!({"jsonrpc": "2.0", "method": "tools/call",
                                           "params": {"name": "get_vendor", "arguments": {"vendor_id": b}}}), None)),
    ]
}

#[test]
fn generated_bad_lines_over_stdio_get_errors_and_the_server_stays_up() {
    let mut runner = TestRunner::deterministic();
    let strategy = bad_line();
    let mut lines = vec![
        json!({"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "1"}}})
        .to_string(),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
        // Lines that are not one JSON-RPC message at all: answered with
        // id null (JSON-RPC 2.0, section 5), and the session goes on.
        "{not json".to_owned(),
        "[]".to_owned(),
        json!([{"jsonrpc": "2.0", "id": "batch", "method": "tools/list"}]).to_string(),
    ];
    let mut unaddressed = vec![-32700, -32600, -32600];
    let garbage = "[^\\n\\r]{1,60}".prop_filter("not JSON", |l| {
        serde_json::from_str::<Value>(l.trim()).is_err() && !l.trim().is_empty()
    });
    for _ in 0..12 {
        lines.push(garbage.new_tree(&mut runner).unwrap().current());
        unaddressed.push(-32700);
    }
    let mut expected = Vec::new();
    let offset = lines.len();
    for i in 0..40 {
        let (mut message, code) = strategy.new_tree(&mut runner).unwrap().current();
        message["id"] = json!(i);
        lines.push(message.to_string());
        expected.push((i, code));
    }
    lines.push(json!({"jsonrpc": "2.0", "id": "last", "method": "tools/list"}).to_string());
    // With Lambda's JSON log format, the logs still stay off stdout.
    let mut env = env();
    env.push(("AWS_LAMBDA_LOG_FORMAT", "JSON".into()));
    let (answers, exited_cleanly) = mcp_stdio_raw(Path::new(BIN), &env, &lines);
    assert!(exited_cleanly, "{answers:?}");
    let refused: Vec<i64> = answers
        .iter()
        .filter(|a| a["id"].is_null())
        .filter_map(|a| a["error"]["code"].as_i64())
        .collect();
    assert_eq!(refused, unaddressed, "{answers:?}");
    let answer = |id: &Value| answers.iter().find(|a| &a["id"] == id).cloned();
    assert_eq!(
        answer(&json!("init")).unwrap()["result"]["serverInfo"]["name"],
        "VendorEnrichment"
    );
    for (i, code) in expected {
        let a = answer(&json!(i)).unwrap_or_else(|| {
            panic!(
                "no answer to {}",
                lines[i + offset].chars().take(300).collect::<String>()
            )
        });
        match code {
            Some(code) => assert_eq!(a["error"]["code"], code, "{a}"),
            None => assert_eq!(a["result"]["isError"], true, "{a}"),
        }
        let text = a.to_string();
        assert!(
            !text.contains("panicked") && !text.contains("AWS_SECRET"),
            "{text}"
        );
    }
    let last = answer(&json!("last")).expect("the server is still up");
    assert_eq!(last["result"]["tools"].as_array().unwrap().len(), 3);
}

#[test]
fn a_call_before_initialize_is_refused_and_initialize_still_works() {
    let lines = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
               "params": {"name": "get_vendor", "arguments": {"vendor_id": "V-10001"}}})
        .to_string(),
        json!({"jsonrpc": "2.0", "id": 2, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "1"}}})
        .to_string(),
    ];
    let (answers, _) = mcp_stdio_raw(Path::new(BIN), &env(), &lines);
    let first = answers.iter().find(|a| a["id"] == 1).unwrap();
    assert!(first["error"]["code"].as_i64().is_some(), "{first}");
    assert!(first.get("result").is_none(), "{first}");
    let init = answers.iter().find(|a| a["id"] == 2).unwrap();
    assert_eq!(init["result"]["protocolVersion"], "2025-06-18", "{init}");
}
