//! AgentCore Gateway tool calls through the real Runtime API path: `cargo
//! lambda watch` runs the binary, `cargo lambda invoke --client-context-file`
//! sends the tool's arguments with the client context the Gateway sets
//! (`bedrockAgentCoreToolName` = `<target>___<tool>`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actionkit_testkit::{LambdaWatch, repo_root};

#[test]
fn gateway_calls_through_the_runtime_api() {
    let watch = LambdaWatch::start(&[("AWS_REGION", "us-east-1".into())]);
    let events = repo_root().join("events/vendor-enrichment");
    let call = |args: &str, context: &str| {
        watch.invoke_with_client_context(
            "vendor-enrichment",
            &events.join(args),
            Some(&events.join(context)),
        )
    };

    // Success: the handler's JSON, with real JSON types in and out.
    let vendor = call("gateway-get-vendor.json", "gateway-client-context.json").unwrap();
    assert_eq!(vendor["vendor_id"], "V-10001", "{vendor}");
    assert!(vendor.get("isError").is_none());

    // Bad arguments: a structured result the model can act on, not a crash.
    let bad = call(
        "gateway-get-vendor-bad-arguments.json",
        "gateway-client-context.json",
    )
    .unwrap();
    assert_eq!(bad["isError"], true, "{bad}");
    assert_eq!(bad["error"]["status"], 400);
    assert_eq!(bad["error"]["retryable"], false);
    assert!(bad.to_string().contains("vendor_id"), "{bad}");

    // Unknown tool: named, with the tools that exist.
    let unknown = call(
        "gateway-get-vendor.json",
        "gateway-client-context-unknown-tool.json",
    )
    .unwrap();
    assert_eq!(unknown["isError"], true, "{unknown}");
    assert_eq!(unknown["error"]["status"], 404);
    assert!(unknown.to_string().contains("get_vendor"), "{unknown}");

    // The trap: an object in `custom` (propagated headers). actionkit's
    // runtime keeps it as JSON text and answers; the function stays up.
    for _ in 0..2 {
        let answered = call(
            "gateway-get-vendor.json",
            "gateway-client-context-propagated-headers.json",
        )
        .unwrap();
        assert_eq!(answered["vendor_id"], "V-10001", "{answered}");
    }
    // ...and plain agent events still reach the same process.
    let agent = watch
        .invoke("vendor-enrichment", &events.join("agent-get-vendor.json"))
        .unwrap();
    assert_eq!(agent["response"]["httpStatusCode"], 200);
}

/// The same trap on the Runtime API, with the client context as real Lambda
/// sends it (JSON text): actionkit's runtime answers every invocation and
/// keeps polling.
#[test]
fn actionkit_survives_an_object_in_the_client_context() {
    use actionkit_testkit::{RuntimeApiStub, StubInvocation};
    let events = repo_root().join("events/vendor-enrichment");
    let read = |name: &str| std::fs::read_to_string(events.join(name)).unwrap();
    let trap = read("gateway-client-context-propagated-headers.json");
    let stub = RuntimeApiStub::start(vec![
        StubInvocation {
            request_id: "req-1".into(),
            client_context: Some(trap.clone()),
            body: read("gateway-get-vendor.json"),
        },
        StubInvocation {
            request_id: "req-2".into(),
            client_context: Some(trap),
            body: read("gateway-get-vendor-bad-arguments.json"),
        },
        StubInvocation {
            request_id: "req-3".into(),
            client_context: Some("not json at all".into()),
            body: read("agent-get-vendor.json"),
        },
    ]);
    let (_, answers) = stub.run_function(
        std::path::Path::new(env!("CARGO_BIN_EXE_vendor-enrichment")),
        std::time::Duration::from_secs(60),
    );
    assert_eq!(answers.len(), 3, "{answers:?}");
    assert!(answers.iter().all(|a| a.kind == "response"), "{answers:?}");
    let json = |i: usize| serde_json::from_str::<serde_json::Value>(&answers[i].body).unwrap();
    assert_eq!(json(0)["vendor_id"], "V-10001");
    assert_eq!(json(1)["isError"], true);
    assert_eq!(json(1)["error"]["status"], 400);
    assert_eq!(json(2)["response"]["httpStatusCode"], 200);
}
