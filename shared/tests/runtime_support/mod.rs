//! What the runtime tests share: the probe function (the `runtime_probe`
//! example, built by `cargo test` beside the tests) and task invocations
//! with their own trace header and deadline.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::PathBuf;

use actionkit_testkit::StubInvocation;
use serde_json::{Value, json};

/// The `runtime_probe` example binary.
pub fn probe() -> PathBuf {
    actionkit_testkit::example_binary("runtime_probe")
}

/// The trace header of invocation `i`.
pub fn trace_id(i: usize) -> String {
    format!("Root=1-5759e988-bd862e3fe1be46a99427{i:04x};Parent=53995c3f4266{i:04x};Sampled=1")
}

/// The deadline of invocation `i` (epoch ms, far in the future).
pub fn deadline(i: usize) -> u64 {
    4_102_444_800_000 + i as u64
}

/// `n` invocations of the task `task` with `input`, each with its own
/// request id `req-<i>`, trace header and deadline.
pub fn task_invocations(
    n: usize,
    task: &str,
    input: &Value,
) -> Vec<(StubInvocation, Vec<(String, String)>)> {
    (0..n)
        .map(|i| {
            (
                StubInvocation {
                    request_id: format!("req-{i}"),
                    client_context: None,
                    body: json!({"task": task, "input": input}).to_string(),
                },
                vec![
                    ("Lambda-Runtime-Trace-Id".to_owned(), trace_id(i)),
                    (
                        "Lambda-Runtime-Deadline-Ms".to_owned(),
                        deadline(i).to_string(),
                    ),
                ],
            )
        })
        .collect()
}

/// The JSON lines a function printed (logs and metrics), skipping others.
pub fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}
