//! Concurrency and trace propagation, end to end: the probe function (a
//! real binary on `actionkit::serve`) against the Runtime API stand-in, its
//! handlers making real AWS SDK calls (S3 `ListBuckets`, through
//! `actionkit::TraceHeader`) to a local HTTP endpoint that records their
//! headers and holds every answer until the expected number of calls are in
//! at once — so "all in flight together" is shown by structure, not by a
//! timing threshold.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod runtime_support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use actionkit_testkit::{BarrierEndpoint, EMPTY_LIST_BUCKETS, RuntimeApiStub};
use runtime_support::{deadline, json_lines, probe, task_invocations, trace_id};
use serde_json::{Value, json};

/// Runs `n` probe invocations with `AWS_LAMBDA_MAX_CONCURRENCY` =
/// `concurrency` (unset: `None`), against an endpoint that waits for
/// `parties` calls; returns the stub, the endpoint and the function's stdout.
fn run(
    n: usize,
    concurrency: Option<usize>,
    parties: usize,
) -> (RuntimeApiStub, BarrierEndpoint, String) {
    let endpoint = BarrierEndpoint::start(parties, Duration::from_secs(3), EMPTY_LIST_BUCKETS);
    let stub = RuntimeApiStub::start_with(task_invocations(n, "probe", &json!({})), false);
    let mut env = vec![
        ("PROBE_ENDPOINT", endpoint.url()),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON".to_owned()),
    ];
    if let Some(c) = concurrency {
        env.push(("AWS_LAMBDA_MAX_CONCURRENCY", c.to_string()));
    }
    let exit = stub.spawn(&probe(), &env).wait(Duration::from_secs(60));
    assert!(
        exit.status.is_some(),
        "the probe did not end: {}",
        exit.stderr
    );
    (stub, endpoint, exit.stdout)
}

/// Every answer is the probe's, for its own invocation: request id,
/// deadline and trace header as that invocation was handed out.
fn assert_own_answers(stub: &RuntimeApiStub, n: usize) {
    let answers = stub.answers();
    assert_eq!(answers.len(), n, "{answers:?}");
    let mut seen = BTreeSet::new();
    for answer in &answers {
        assert_eq!(answer.kind, "response", "{answer:?}");
        let body: Value = serde_json::from_str(&answer.body).unwrap();
        let i: usize = answer.request_id["req-".len()..].parse().unwrap();
        assert_eq!(body["request_id"], answer.request_id, "{body}");
        assert_eq!(body["deadline"], deadline(i), "{body}");
        assert_eq!(body["trace_id"], trace_id(i), "{body}");
        assert_eq!(body["sdk_ok"], true, "{body}");
        seen.insert(i);
    }
    assert_eq!(seen, (0..n).collect::<BTreeSet<_>>());
}

#[test]
fn two_concurrent_invocations_send_their_own_trace_header_to_their_sdk_calls() {
    let (stub, endpoint, _) = run(2, Some(2), 2);
    assert!(endpoint.met(), "both SDK calls were in flight at once");
    assert_own_answers(&stub, 2);
    let sent: BTreeSet<String> = endpoint
        .requests()
        .iter()
        .map(|r| r.header("x-amzn-trace-id").unwrap_or("(none)").to_owned())
        .collect();
    assert_eq!(sent, BTreeSet::from([trace_id(0), trace_id(1)]));
}

#[test]
fn n_overlapping_invocations_are_all_in_flight_at_once_and_none_mixed_up() {
    const N: usize = 4;
    let (stub, endpoint, stdout) = run(N, Some(N), N);
    // The endpoint answered nobody until all N calls were in: N handlers
    // awaited I/O together, so the wall time is about one invocation's.
    assert!(
        endpoint.met(),
        "{} calls, not all at once",
        endpoint.requests().len()
    );
    assert_eq!(stub.max_in_flight(), N);
    assert_own_answers(&stub, N);
    // Each SDK call carried the trace header of one invocation, each once.
    let mut sent: Vec<String> = endpoint
        .requests()
        .iter()
        .map(|r| r.header("x-amzn-trace-id").unwrap_or("(none)").to_owned())
        .collect();
    sent.sort();
    let mut expected: Vec<String> = (0..N).map(trace_id).collect();
    expected.sort();
    assert_eq!(sent, expected);
    // Each handler's log line is in its own invocation's span.
    let spans: BTreeMap<String, String> = json_lines(&stdout)
        .into_iter()
        .filter(|l| l["message"] == "probe calling S3")
        .map(|l| {
            (
                l["span"]["request_id"].as_str().unwrap().to_owned(),
                l["span"]["trace_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: BTreeMap<String, String> =
        (0..N).map(|i| (format!("req-{i}"), trace_id(i))).collect();
    assert_eq!(spans, expected, "{stdout}");
}

#[test]
fn without_max_concurrency_the_same_loop_is_sequential() {
    // The endpoint waits (3 s) for a second call that can only come once
    // the first invocation is answered: it never sees both at once.
    let (stub, endpoint, _) = run(2, None, 2);
    assert!(
        !endpoint.met(),
        "two calls in flight without AWS_LAMBDA_MAX_CONCURRENCY"
    );
    assert_eq!(stub.max_in_flight(), 1);
    assert_own_answers(&stub, 2);
}
