//! MCP over stdio, line by line, against the example binary
//! (`--mcp-stdio`): every line gets the answer JSON-RPC names, or none.
//! The cases are the ones rmcp alone misanswers: a byte order mark and
//! CRLF, request ids it cannot read (a bool, a fraction), `params` it cannot
//! decode (answered with the request's id; a notification's are dropped),
//! invalid UTF-8, and a line longer than rmcp reads (answered, with the id
//! its beginning names, instead of dropped).

#![cfg(feature = "mcp")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

fn example() -> PathBuf {
    actionkit_testkit::example_binary("query_cloudwatch")
}

/// The largest line rmcp reads (`DEFAULT_MAX_LINE_LENGTH`).
const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

#[test]
fn every_line_gets_the_right_answer_or_none() {
    let mut child = Command::new(example())
        .arg("--mcp-stdio")
        .env("AWS_REGION", "us-east-1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map(|l| serde_json::from_str::<Value>(&l.unwrap()).unwrap())
            .collect::<Vec<Value>>()
    });
    let mut huge =
        br#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"x","arguments":{"x":""#
            .to_vec();
    huge.resize(MAX_LINE_BYTES + 1000, b'a');
    huge.extend_from_slice(b"\"}}}\n");
    let lines: Vec<Vec<u8>> = vec![
        b"\xef\xbb\xbf{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\r\n".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\r\n".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}\n".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}\n".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}\n".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":5}\n".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":7}\n".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"x/y\",\"params\":[1]}\n".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\",\"x\":\"\xff\"}\n".to_vec(),
        huge,
        b"\xef\xbb\xbf{\"jsonrpc\":\"2.0\",\"id\":\"last\",\"method\":\"ping\"}".to_vec(),
    ];
    let mut stdin = child.stdin.take().unwrap();
    for line in &lines {
        stdin.write_all(line).unwrap();
    }
    drop(stdin);
    let answers = reader.join().unwrap();
    child.wait().unwrap();
    let mut got: Vec<(String, Option<i64>)> = answers
        .iter()
        .map(|a| (a["id"].to_string(), a["error"]["code"].as_i64()))
        .collect();
    got.sort();
    let mut want: Vec<(String, Option<i64>)> = [
        (json!(0), None),
        (Value::Null, Some(-32600)),
        (Value::Null, Some(-32600)),
        (Value::Null, Some(-32600)),
        (json!(4), Some(-32602)),
        (json!(5), Some(-32602)),
        (Value::Null, Some(-32700)),
        (json!(6), Some(-32600)),
        (json!("last"), None),
    ]
    .into_iter()
    .map(|(id, code)| (id.to_string(), code))
    .collect();
    want.sort();
    assert_eq!(got, want, "{answers:#?}");
    let huge = answers.iter().find(|a| a["id"] == 6).unwrap();
    assert!(huge.to_string().len() < 400, "{huge}");
}
