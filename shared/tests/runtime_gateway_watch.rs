//! The AgentCore Gateway path through `cargo lambda watch` (the Runtime
//! API emulator, which sends the client context base64-encoded as the
//! Invoke API receives it): a workspace function built on actionkit's loop
//! (vendor-enrichment) reads the tool name from every context shape real
//! Gateways send and answers the tool call as one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actionkit_testkit::{LambdaWatch, repo_root};
use serde_json::{Value, json};

#[test]
fn gateway_tool_calls_with_every_context_shape_through_cargo_lambda_watch() {
    let watch = LambdaWatch::start(&[("AWS_REGION", "us-east-1".into())]);
    let args = repo_root().join("events/vendor-enrichment/gateway-get-vendor.json");
    let tool = json!({"bedrockAgentCoreToolName": "vendors___get_vendor",
                      "bedrockAgentCoreMessageVersion": "1.0"});
    let with = |extra: Value| {
        let mut custom = tool.clone();
        if let (Value::Object(c), Value::Object(e)) = (&mut custom, extra) {
            c.extend(e);
        }
        custom
    };
    let shapes = [
        // AgentCore's samples: explicit nulls beside `custom`.
        json!({"client": null, "environment": null, "custom": tool}),
        // Non-ASCII text inside an object value of propagated headers.
        json!({"custom": with(json!({"bedrockAgentCorePropagatedHeaders": {"x-user": "Zoë Müller"}}))}),
        // A partial `client`, non-string values, nested objects.
        json!({"client": {"appTitle": "Gateway"}, "environment": {"n": 1},
               "custom": with(json!({"deep": {"a": [1, null, "✓"]}, "n": 2}))}),
        // `custom` alone.
        json!({"custom": tool}),
    ];
    let dir = std::env::temp_dir().join(format!("actionkit-gateway-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, shape) in shapes.iter().enumerate() {
        let file = dir.join(format!("context-{i}.json"));
        std::fs::write(&file, shape.to_string()).unwrap();
        let answer = watch
            .invoke_with_client_context("vendor-enrichment", &args, Some(&file))
            .unwrap_or_else(|e| panic!("shape {shape}: {e}"));
        assert_eq!(answer["vendor_id"], "V-10001", "shape {shape}: {answer}");
        assert!(answer.get("isError").is_none(), "{answer}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
