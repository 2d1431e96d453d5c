//! The MCP server of a resolver, in process: function URL requests (payload
//! format 2.0) through `handle_json`, as Lambda delivers them. What the
//! official client sees over stdio and through `cargo lambda watch` is
//! tested in the functions' `tests/mcp.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../examples/query_cloudwatch/app.rs"]
#[allow(dead_code)]
mod app;

use std::sync::Arc;

use actionkit::{Context, MCP_MAX_REQUEST_BYTES, Resolver};
use base64::Engine as _;
use proptest::prelude::*;
use serde_json::{Value, json};

type App = Resolver<Arc<app::SampleLogs>>;

const ACCEPT: &str = "application/json, text/event-stream";

/// A function URL event, as Lambda (and `cargo lambda watch`) sends it.
fn url_event(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Value {
    let mut map = serde_json::Map::new();
    map.insert("host".into(), "abc.lambda-url.eu-west-1.on.aws".into());
    for (name, value) in headers {
        map.insert(
            name.to_ascii_lowercase(),
            Value::String((*value).to_owned()),
        );
    }
    let (body, base64) = match std::str::from_utf8(body) {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (base64::engine::general_purpose::STANDARD.encode(body), true),
    };
    json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
        "headers": map,
        "requestContext": {"http": {"method": method, "path": path, "sourceIp": "127.0.0.1"},
                           "domainName": "abc.lambda-url.eu-west-1.on.aws"},
        "body": body, "isBase64Encoded": base64,
    })
}

struct Answer {
    status: u16,
    headers: Value,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

async fn send(r: &App, event: Value) -> Answer {
    let raw = r
        .handle(event, Context::default())
        .await
        .expect("a function URL request is never a Lambda error");
    let v: Value = serde_json::from_str(raw.get()).unwrap();
    assert!(v["headers"].is_object(), "{v}");
    let body = v["body"].as_str().unwrap_or_default();
    let body = if v["isBase64Encoded"] == true {
        String::from_utf8_lossy(
            &base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap(),
        )
        .into_owned()
    } else {
        body.to_owned()
    };
    Answer {
        status: v["statusCode"].as_u64().unwrap() as u16,
        headers: v["headers"].clone(),
        body,
    }
}

async fn rpc(r: &App, method: &str, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params});
    let answer = send(
        r,
        url_event(
            "POST",
            "/mcp",
            &[
                ("content-type", "application/json"),
                ("accept", ACCEPT),
                ("mcp-protocol-version", "2025-06-18"),
            ],
            body.to_string().as_bytes(),
        ),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.headers["content-type"], "application/json");
    let v = answer.json();
    assert_eq!(v["id"], 7, "{v}");
    v
}

/// The context of an AgentCore Gateway call of `tool`.
fn gateway_context(tool: &str) -> Context {
    let mut context = Context::default();
    context.client_context = Some(
        serde_json::from_value(json!({"custom": {actionkit::GATEWAY_TOOL_NAME_KEY: tool}}))
            .unwrap(),
    );
    context
}

#[tokio::test]
async fn initialize_names_the_server_from_resolver_info() {
    let r = app::resolver();
    let v = rpc(
        &r,
        "initialize",
        json!({"protocolVersion": "2025-06-18", "capabilities": {},
               "clientInfo": {"name": "test", "version": "1"}}),
    )
    .await;
    let result = &v["result"];
    assert_eq!(result["protocolVersion"], "2025-06-18", "{v}");
    assert_eq!(result["serverInfo"]["name"], "LogInsights");
    assert_eq!(result["serverInfo"]["title"], "Log Insights");
    assert_eq!(result["serverInfo"]["version"], "1.0.0");
    assert_eq!(
        result["serverInfo"]["description"],
        "Query CloudWatch Logs Insights for an on-call agent"
    );
    assert!(result["capabilities"]["tools"].is_object(), "{v}");
}

#[tokio::test]
async fn tools_list_is_the_gateway_tool_schema_exactly() {
    let r = app::resolver();
    let v = rpc(&r, "tools/list", json!({})).await;
    assert_eq!(v["result"]["tools"], r.tool_schema().unwrap(), "{v}");
    assert!(v["result"].get("nextCursor").is_none());
}

#[tokio::test]
async fn a_call_answers_text_and_structured_content_as_the_gateway_does() {
    let r = app::resolver();
    let args = json!({"log_group": "/aws/lambda/api-handler", "query": "fields @message", "minutes_back": 10});
    let v = rpc(
        &r,
        "tools/call",
        json!({"name": "get_cloudwatch_logs", "arguments": args}),
    )
    .await;
    let result = &v["result"];
    assert_eq!(result["isError"], false, "{v}");
    let text: Value = serde_json::from_str(result["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(result["structuredContent"], text);
    let gateway = r
        .handle(args, gateway_context("T___get_cloudwatch_logs"))
        .await
        .unwrap();
    assert_eq!(text, serde_json::from_str::<Value>(gateway.get()).unwrap());
    assert_eq!(text["results"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn handler_and_decoding_errors_are_is_error_results_with_the_gateway_error() {
    let r = app::resolver();
    for args in [
        json!({"log_group": "/aws/lambda/api-handler", "query": "q", "minutes_back": "soon"}),
        json!({"log_group": "/aws/lambda/nope", "query": "q"}),
        json!({"log_group": "/aws/lambda/api-handler", "query": "  "}),
        json!({"query": "q"}),
        json!({}),
    ] {
        let v = rpc(
            &r,
            "tools/call",
            json!({"name": "query_cloudwatch", "arguments": args}),
        )
        .await;
        let result = &v["result"];
        assert_eq!(result["isError"], true, "{args}: {v}");
        assert!(result.get("structuredContent").is_none(), "{v}");
        let text: Value =
            serde_json::from_str(result["content"][0]["text"].as_str().unwrap()).unwrap();
        let gateway = r
            .handle(args.clone(), gateway_context("T___query_cloudwatch"))
            .await
            .unwrap();
        let gateway: Value = serde_json::from_str(gateway.get()).unwrap();
        assert_eq!(text, gateway["error"], "{args}");
        assert!(!text["message"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn an_unknown_tool_is_invalid_params_naming_the_tools() {
    let r = app::resolver();
    let v = rpc(
        &r,
        "tools/call",
        json!({"name": "drop_tables", "arguments": {}}),
    )
    .await;
    assert_eq!(v["error"]["code"], -32602, "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("drop_tables") && message.contains("query_cloudwatch"),
        "{message}"
    );
}

#[tokio::test]
async fn non_mcp_requests_get_a_clear_http_error_and_other_events_still_work() {
    let r = app::resolver();
    let get = send(&r, url_event("GET", "/mcp", &[("accept", ACCEPT)], b"")).await;
    assert_eq!(get.status, 405, "{}", get.body);
    let elsewhere = send(
        &r,
        url_event("POST", "/", &[("content-type", "application/json")], b"{}"),
    )
    .await;
    assert_eq!(elsewhere.status, 404);
    assert!(elsewhere.body.contains("POST /mcp"), "{}", elsewhere.body);
    // The same resolver still answers its task.
    let task = r
        .handle(
            json!({"log_group": "/aws/lambda/checkout", "query": "q"}),
            Context::default(),
        )
        .await
        .unwrap();
    assert!(task.get().contains("results"));
}

/// One bad request of a class, and what the specification says it gets.
#[derive(Debug, Clone)]
enum Bad {
    /// `Accept` without both `application/json` and `text/event-stream`.
    Accept(String),
    /// An `MCP-Protocol-Version` this server does not speak.
    ProtocolVersion(String),
    /// A body that is not JSON.
    NotJson(String),
    /// A JSON-RPC batch (removed in 2025-06-18).
    Batch(usize),
    /// A method nobody defined.
    UnknownMethod(String),
    /// `tools/call` with arguments that are not an object.
    ArgumentsNotObject(Value),
    /// A tool that does not exist.
    UnknownTool(String),
    /// A body over the limit.
    Oversized(usize),
    /// Not JSON-RPC 2.0.
    NotJsonRpc(Value),
}

fn bad_request() -> impl Strategy<Value = Bad> {
    let scalar = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        "[a-z ]{0,12}".prop_map(Value::from),
        Just(Value::Null),
        prop::collection::vec(any::<u8>(), 0..4).prop_map(|v| json!(v)),
    ];
    prop_oneof![
        prop_oneof![
            Just(String::new()),
            Just("application/json".to_owned()),
            Just("text/event-stream".to_owned()),
            Just("text/html, */*;q=0.1".to_owned()),
            Just("application/json;q=0, text/event-stream".to_owned()),
            "[a-z]{1,8}/[a-z]{1,8}",
        ]
        .prop_map(Bad::Accept),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}|[a-z]{1,10}"
            .prop_filter("a known revision", |v| !v.starts_with("20"))
            .prop_map(Bad::ProtocolVersion),
        prop_oneof![
            Just("{".to_owned()),
            Just("{\"jsonrpc\": \"2.0\", \"id\": 1,".to_owned()),
            "[a-z]{1,20}",
            "\\{\"[a-z]{1,5}\": [a-z]{1,5}\\}",
        ]
        .prop_map(Bad::NotJson),
        (1usize..4).prop_map(Bad::Batch),
        "[a-z]{1,10}/[a-z]{1,10}"
            .prop_filter("a real method", |m| !m.starts_with("tools/") && m != "ping")
            .prop_map(Bad::UnknownMethod),
        // `null` is no arguments, which is allowed.
        scalar
            .clone()
            .prop_filter("absent", |v| !v.is_null())
            .prop_map(Bad::ArgumentsNotObject),
        "[a-zA-Z_\\-]{1,40}"
            .prop_filter("a real tool", |t| t != "query_cloudwatch"
                && t != "get_cloudwatch_logs")
            .prop_map(Bad::UnknownTool),
        (0usize..3).prop_map(|extra| Bad::Oversized(MCP_MAX_REQUEST_BYTES + 1 + extra * 1000)),
        prop_oneof![
            Just(json!({"jsonrpc": "1.0", "id": 1, "method": "tools/list"})),
            Just(json!({"id": 1, "method": "tools/list"})),
            // A method that is not a string (a string is an unknown method).
            scalar
                .prop_filter("not a string", |v| !v.is_string())
                .prop_map(|v| json!({"jsonrpc": "2.0", "id": 1, "method": v})),
        ]
        .prop_map(Bad::NotJsonRpc),
    ]
}

/// Sends `bad` and checks its answer: the status the specification names,
/// a JSON-RPC error code where the body is JSON-RPC, nothing else.
async fn check(r: &App, bad: &Bad) {
    let call = |params: Value| {
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": params}).to_string()
    };
    let list = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}).to_string();
    let mut accept = ACCEPT.to_owned();
    let mut version = "2025-06-18".to_owned();
    let body = match bad {
        Bad::Accept(a) => {
            accept.clone_from(a);
            list
        }
        Bad::ProtocolVersion(v) => {
            version.clone_from(v);
            list
        }
        Bad::NotJson(text) => text.clone(),
        Bad::Batch(n) => Value::Array(vec![serde_json::from_str(&list).unwrap(); *n]).to_string(),
        Bad::UnknownMethod(m) => json!({"jsonrpc": "2.0", "id": 3, "method": m}).to_string(),
        Bad::ArgumentsNotObject(v) => call(json!({"name": "query_cloudwatch", "arguments": v})),
        Bad::UnknownTool(t) => call(json!({"name": t, "arguments": {}})),
        Bad::Oversized(n) => call(json!({"name": "query_cloudwatch",
                                           "arguments": {"query": "x".repeat(*n)}})),
        Bad::NotJsonRpc(v) => v.to_string(),
    };
    let mut headers = vec![
        ("content-type", "application/json"),
        ("mcp-protocol-version", version.as_str()),
    ];
    if !accept.is_empty() {
        headers.push(("accept", accept.as_str()));
    }
    let answer = send(r, url_event("POST", "/mcp", &headers, body.as_bytes())).await;
    let code = || answer.json()["error"]["code"].as_i64();
    match bad {
        Bad::Accept(_) => assert_eq!(answer.status, 406, "{bad:?}: {}", answer.body),
        Bad::ProtocolVersion(_) => assert_eq!(answer.status, 400, "{bad:?}: {}", answer.body),
        Bad::Oversized(_) => assert_eq!(answer.status, 413, "{bad:?}: {}", answer.body),
        Bad::NotJson(_) | Bad::Batch(_) | Bad::NotJsonRpc(_) => {
            assert_eq!(answer.status, 400, "{bad:?}: {}", answer.body);
            assert!(
                matches!(code(), Some(-32700 | -32600)),
                "{bad:?}: {}",
                answer.body
            );
        }
        Bad::UnknownMethod(_) => {
            assert!(
                matches!(answer.status, 200 | 404),
                "{bad:?}: {}",
                answer.body
            );
            assert_eq!(code(), Some(-32601), "{bad:?}: {}", answer.body);
        }
        Bad::ArgumentsNotObject(_) | Bad::UnknownTool(_) => {
            assert!(
                matches!(answer.status, 200 | 400),
                "{bad:?}: {}",
                answer.body
            );
            assert_eq!(code(), Some(-32602), "{bad:?}: {}", answer.body);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_bad_request_gets_the_answer_the_specification_names(bad in bad_request()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let r = app::resolver();
        runtime.block_on(check(&r, &bad));
    }
}
