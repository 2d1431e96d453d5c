//! The client-context trap, reproduced on the Runtime API: a function on
//! `lambda_runtime` alone, given a client context whose `custom` map holds
//! an object (as a Gateway propagating headers would send), stops before its
//! handler runs — the invocation is never answered and the process exits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use actionkit_testkit::{RuntimeApiStub, StubInvocation};

fn invocation(id: &str, client_context: Option<&str>) -> StubInvocation {
    StubInvocation {
        request_id: id.into(),
        client_context: client_context.map(str::to_owned),
        body: r#"{"vendor_id": "V-10001"}"#.into(),
    }
}

const PLAIN: &str = env!("CARGO_BIN_EXE_plain-lambda-runtime");

#[test]
fn string_values_reach_the_plain_runtime() {
    let stub = RuntimeApiStub::start(vec![invocation(
        "req-1",
        Some(r#"{"custom":{"bedrockAgentCoreToolName":"vendors___get_vendor"}}"#),
    )]);
    let (_, answers) = stub.run_function(Path::new(PLAIN), Duration::from_secs(30));
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].kind, "response");
    assert!(
        answers[0].body.contains("vendors___get_vendor"),
        "{:?}",
        answers[0]
    );
}

#[test]
fn an_object_in_custom_stops_the_plain_runtime_before_its_handler() {
    let stub = RuntimeApiStub::start(vec![
        invocation(
            "req-1",
            Some(
                r#"{"custom":{"bedrockAgentCoreToolName":"vendors___get_vendor","bedrockAgentCorePropagatedHeaders":{"x-tenant-id":"acme-eu"}}}"#,
            ),
        ),
        invocation("req-2", None),
    ]);
    let (status, answers) = stub.run_function(Path::new(PLAIN), Duration::from_secs(30));
    let status = status.expect("the plain runtime should exit on its own");
    assert!(!status.success(), "{status}");
    assert!(
        answers.is_empty(),
        "neither invocation was answered, not even with an error: {answers:?}"
    );
}
