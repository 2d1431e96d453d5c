//! Graceful shutdown: SIGTERM while an invocation is in flight lets it
//! finish and be answered (with its metrics written) within the shutdown
//! window, and the process exits cleanly; an idle runtime exits at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod runtime_support;

use std::time::{Duration, Instant};

use actionkit_testkit::RuntimeApiStub;
use runtime_support::{json_lines, probe, task_invocations};
use serde_json::json;

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out waiting");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn sigterm_lets_the_invocation_in_flight_finish_and_flushes_its_metrics() {
    // /next is held open once the queue is empty, as on Lambda.
    let stub =
        RuntimeApiStub::start_with(task_invocations(1, "sleep", &json!({"millis": 200})), true);
    let function = stub.spawn(
        &probe(),
        &[
            ("POWERTOOLS_METRICS_NAMESPACE", "ActionKitTest".into()),
            ("AWS_LAMBDA_LOG_FORMAT", "JSON".into()),
        ],
    );
    wait_until(Duration::from_secs(30), || stub.max_in_flight() == 1);
    function.terminate();
    let exit = function.wait(Duration::from_secs(10));
    assert!(exit.status.is_some_and(|s| s.success()), "{exit:?}");
    let answers = stub.answers();
    assert_eq!(answers.len(), 1, "{exit:?}");
    assert_eq!(
        (answers[0].kind.as_str(), answers[0].body.as_str()),
        ("response", "200")
    );
    let lines = json_lines(&exit.stdout);
    assert!(
        lines
            .iter()
            .any(|l| l["operation"] == "sleep" && l["Invocations"] == 1),
        "{}",
        exit.stdout
    );
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "shut down: every invocation in flight answered"),
        "{}",
        exit.stdout
    );
}

#[test]
fn sigterm_on_an_idle_runtime_exits_cleanly() {
    let stub = RuntimeApiStub::start_with(Vec::new(), true);
    let function = stub.spawn(&probe(), &[]);
    wait_until(Duration::from_secs(30), || {
        stub.first_next_and_answer().0.is_some()
    });
    function.terminate();
    let exit = function.wait(Duration::from_secs(10));
    assert!(exit.status.is_some_and(|s| s.success()), "{exit:?}");
}
