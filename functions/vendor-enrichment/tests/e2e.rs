//! End to end through the Lambda Runtime API emulator (`cargo lambda watch`
//! + `invoke`): one agent event and the Step Functions shapes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actionkit_testkit::{LambdaWatch, repo_root};
use serde_json::Value;

#[test]
fn agent_and_step_functions_events_through_the_runtime_api() {
    let watch = LambdaWatch::start(&[("AWS_REGION", "us-east-1".into())]);
    let events = repo_root().join("events/vendor-enrichment");
    let invoke = |name: &str| watch.invoke("vendor-enrichment", &events.join(name));

    let response = invoke("agent-enrich-line-items.json").unwrap();
    assert_eq!(response["messageVersion"], "1.0");
    assert_eq!(response["response"]["actionGroup"], "VendorEnrichment");
    assert_eq!(response["response"]["apiPath"], "/line_items/enrich");
    assert_eq!(response["response"]["httpMethod"], "POST");
    assert_eq!(response["response"]["httpStatusCode"], 200);
    let body: Value = serde_json::from_str(
        response["response"]["responseBody"]["application/json"]["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(body["results"].as_array().unwrap().len(), 3);
    assert_eq!(body["results"][0]["vendor"]["vendor_id"], "V-10001");

    let batch = invoke("sfn-batch.json").unwrap();
    let results = batch["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    assert_eq!(results[3]["status"], "error");
    assert_eq!(batch["summary"]["enriched"], 4);

    let item = invoke("sfn-map-item.json").unwrap();
    assert_eq!(item["vendor"]["vendor_id"], "V-10005");

    let error = invoke("sfn-map-item-invalid.json").unwrap_err();
    assert!(error.contains("VendorEnrichment.InvalidInput"), "{error}");
}
