//! The digest of one document through the real Lambda Runtime API path
//! (`cargo lambda watch` + `invoke`, the events in `events/crypto-preprocess/`):
//! a Bedrock agent event (the document as a JSON string), an AgentCore
//! Gateway tool call (real JSON, with the Gateway's client context) and a
//! Step Functions task give one digest; a duplicate key is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actionkit_testkit::{LambdaWatch, repo_root};
use base64::Engine;
use serde_json::Value;

#[test]
fn one_digest_through_the_agent_the_gateway_and_the_task() {
    let watch = LambdaWatch::start(&[
        ("AWS_REGION", "us-east-1".into()),
        (
            "LOCAL_MASTER_KEY",
            base64::engine::general_purpose::STANDARD.encode([4u8; 32]),
        ),
        ("TOKEN_KEY", "e2e-token-key".into()),
        ("WEBHOOK_SECRET", "whsec_e2e".into()),
    ]);
    let events = repo_root().join("events/crypto-preprocess");
    let invoke = |name: &str| watch.invoke("crypto-preprocess", &events.join(name));
    // SHA-256 of the RFC 8785 form {"a":[1,1e+21],"b":2}.
    let expected = crypto_preprocess::sha256_hex(br#"{"a":[1,1e+21],"b":2}"#);

    let response = invoke("agent-digest-json.json").unwrap();
    assert_eq!(response["response"]["httpStatusCode"], 200, "{response}");
    let by_agent: Value = serde_json::from_str(
        response["response"]["responseBody"]["application/json"]["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();

    let by_tool = watch
        .invoke_with_client_context(
            "crypto-preprocess",
            &events.join("gateway-digest.json"),
            Some(&events.join("gateway-client-context.json")),
        )
        .unwrap();

    let by_task = invoke("digest-json-issue-12.json").unwrap();

    for (caller, out) in [
        ("agent", &by_agent),
        ("gateway", &by_tool),
        ("task", &by_task),
    ] {
        assert_eq!(out["sha256"], expected, "{caller}: {out}");
    }

    let error = invoke("digest-json-duplicate-key.json").unwrap_err();
    assert!(error.contains("CryptoPreprocess.DuplicateKey"), "{error}");
}
