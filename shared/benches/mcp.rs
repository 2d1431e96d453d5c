//! One `tools/call` of the example (`get_cloudwatch_logs`), three ways:
//!
//! * `mcp_stdio_round_trip`: a JSON-RPC line to the example binary started
//!   with `--mcp-stdio` and its answer read back (a real process and pipes,
//!   as an MCP client talks to it; `make bench` builds the binary first);
//! * `mcp_function_url`: the same call as a function URL request (payload
//!   format 2.0) answered in process by `handle_json`;
//! * `gateway_invocation`: the same call as an AgentCore Gateway Lambda
//!   invocation answered in process by `handle_json`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../examples/query_cloudwatch/app.rs"]
#[allow(dead_code, missing_docs)]
mod app;

use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

const ARGS: &str =
    r#"{"log_group":"/aws/lambda/api-handler","query":"fields @message","minutes_back":10}"#;

/// The example binary over stdio, initialized; killed on drop.
struct StdioServer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    line: String,
}

impl StdioServer {
    fn start() -> Self {
        let binary = std::env::var_os("MCP_BENCH_BINARY")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../target/release/examples/query_cloudwatch")
            });
        let mut child = Command::new(&binary)
            .arg("--mcp-stdio")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} ({e}): build it with `cargo build --release --features mcp --example query_cloudwatch` (make bench does)",
                    binary.display()
                )
            });
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut server = Self {
            child,
            stdin,
            stdout,
            line: String::new(),
        };
        server.ask(
            &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "bench", "version": "1"}}})
            .to_string(),
        );
        writeln!(
            server.stdin,
            r#"{{"jsonrpc":"2.0","method":"notifications/initialized"}}"#
        )
        .unwrap();
        server
    }

    /// Writes one line and reads the answer line.
    fn ask(&mut self, line: &str) -> usize {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
        self.line.clear();
        self.stdout.read_line(&mut self.line).unwrap();
        assert!(self.line.contains("\"result\""), "{}", self.line);
        self.line.len()
    }
}

impl Drop for StdioServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tools_call(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime");
    let resolver = app::resolver();
    let mut group = c.benchmark_group("mcp_tools_call");

    let mut server = StdioServer::start();
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "get_cloudwatch_logs", "arguments": serde_json::from_str::<serde_json::Value>(ARGS).unwrap()}})
    .to_string();
    group.bench_function("mcp_stdio_round_trip", |b| {
        b.iter(|| black_box(server.ask(&call)));
    });
    drop(server);

    let url_event = json!({
        "version": "2.0", "routeKey": "$default", "rawPath": "/mcp", "rawQueryString": "",
        "headers": {"host": "abc.lambda-url.eu-west-1.on.aws", "content-type": "application/json",
                    "accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18"},
        "requestContext": {"http": {"method": "POST", "path": "/mcp"}},
        "body": call, "isBase64Encoded": false,
    })
    .to_string();
    group.bench_function("mcp_function_url", |b| {
        b.iter(|| {
            let out = runtime
                .block_on(
                    resolver.handle_json(black_box(&url_event), actionkit::Context::default()),
                )
                .unwrap();
            assert!(out.get().contains("\\\"isError\\\":false"));
            black_box(out)
        });
    });

    let mut gateway = actionkit::Context::default();
    gateway.client_context = Some(
        serde_json::from_value(
            json!({"custom": {actionkit::GATEWAY_TOOL_NAME_KEY: "LogTarget___get_cloudwatch_logs"}}),
        )
        .unwrap(),
    );
    group.bench_function("gateway_invocation", |b| {
        b.iter(|| {
            let out = runtime
                .block_on(resolver.handle_json(black_box(ARGS), gateway.clone()))
                .unwrap();
            black_box(out)
        });
    });
    group.finish();
}

criterion_group!(benches, tools_call);
criterion_main!(benches);
