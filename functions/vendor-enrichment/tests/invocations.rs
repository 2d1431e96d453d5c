//! The sample events of `events/vendor-enrichment/` through the resolver:
//! agent operations, the Map item task and the Distributed Map batch task,
//! with their error names; and the committed OpenAPI document.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use actionkit::Resolver;
use actionkit_testkit::repo_root;
use serde_json::{Value, json};
use vendor_enrichment::{AnyStore, AppState, EmbeddedStore, Rules, resolver};

fn app() -> Resolver<Arc<AppState>> {
    let rules = Rules::embedded().unwrap();
    let store = AnyStore::Embedded(EmbeddedStore::embedded(&rules).unwrap());
    resolver(Arc::new(AppState { store, rules }))
}

fn event(name: &str) -> Value {
    let text =
        std::fs::read_to_string(repo_root().join("events/vendor-enrichment").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

async fn answer(event: Value) -> Result<Value, actionkit::Diagnostic> {
    app()
        .handle(event, actionkit::Context::default())
        .await
        .map(|raw| serde_json::from_str(raw.get()).unwrap())
}

async fn agent(event: Value) -> (u64, Value) {
    let r = answer(event).await.unwrap();
    let body = serde_json::from_str(
        r["response"]["responseBody"]["application/json"]["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    (r["response"]["httpStatusCode"].as_u64().unwrap(), body)
}

#[tokio::test]
async fn agent_operations() {
    let (status, body) = agent(event("agent-get-vendor.json")).await;
    assert_eq!(status, 200);
    assert_eq!(body["legal_name"], "ACME Corporation");

    let mut missing = event("agent-get-vendor.json");
    missing["parameters"][0]["value"] = "V-00000".into();
    let (status, body) = agent(missing).await;
    assert_eq!(status, 404);
    assert!(body["message"].as_str().unwrap().contains("search_vendors"));

    let (status, body) = agent(event("agent-search-vendors.json")).await;
    assert_eq!(status, 200);
    assert_eq!(body["ambiguous"], true, "two Müller GmbH: {body}");
    assert_eq!(body["candidates"].as_array().unwrap().len(), 2);

    let (status, body) = agent(event("agent-enrich-line-items.json")).await;
    assert_eq!(status, 200, "{body}");
    let routes: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["approver_route"].as_str().unwrap())
        .collect();
    assert_eq!(
        routes,
        ["finance-controller", "supply-chain", "compliance-hold"]
    );
    assert_eq!(
        body["results"][1]["item"]["amount"], "840.50",
        "the item is echoed as received"
    );
}

#[tokio::test]
async fn agent_bad_inputs() {
    let mut search = event("agent-search-vendors.json");
    search["parameters"] = json!([]);
    assert_eq!(agent(search).await.0, 400);
    let mut long = event("agent-search-vendors.json");
    long["parameters"][0]["value"] = "x".repeat(10_000).into();
    assert_eq!(agent(long).await.0, 400);
    let mut enrich = event("agent-enrich-line-items.json");
    enrich["requestBody"]["content"]["application/json"]["properties"][0]["value"] = "[]".into();
    assert_eq!(agent(enrich.clone()).await.0, 400);
    enrich["requestBody"]["content"]["application/json"]["properties"][0]["value"] =
        "not json at all".into();
    let (status, body) = agent(enrich).await;
    assert_eq!(status, 200, "a bare string is one (invalid) item: {body}");
    assert_eq!(body["results"][0]["status"], "error");
}

#[tokio::test]
async fn step_functions_item_and_batch() {
    let out = answer(event("sfn-map-item.json")).await.unwrap();
    assert_eq!(out["vendor"]["vendor_id"], "V-10005");
    assert_eq!(out["match"]["method"], "tax_id");
    assert_eq!(out["category"]["value"], "capex");
    assert_eq!(out["approver_route"], "finance-controller");

    let err = answer(event("sfn-map-item-invalid.json"))
        .await
        .unwrap_err();
    assert_eq!(err.error_type, "VendorEnrichment.InvalidInput");
    assert!(err.error_message.contains("zero or more"));

    let out = answer(event("sfn-batch.json")).await.unwrap();
    let results = out["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    let ids: Vec<Value> = results
        .iter()
        .map(|r| r["item"]["line_id"].clone())
        .collect();
    assert_eq!(
        ids,
        [json!("1"), json!("2"), json!("3"), Value::Null, json!("5")]
    );
    assert_eq!(results[0]["vendor"]["vendor_id"], "V-10001");
    assert_eq!(
        results[1]["flags"],
        json!([]),
        "the item's own GBP wins over BatchInput's USD: {}",
        results[1]
    );
    assert_eq!(results[1]["category"]["value"], "travel");
    assert_eq!(results[2]["approver_route"], "vendor-onboarding");
    assert_eq!(results[3]["status"], "error");
    assert_eq!(results[4]["approver_route"], "fraud-review");
    assert_eq!(out["summary"]["failed"], 1);
}

#[tokio::test]
async fn batch_limits_and_shapes() {
    let out = answer(json!({"Items": [], "BatchInput": {}}))
        .await
        .unwrap();
    assert_eq!(out["results"], json!([]));
    let items: Vec<Value> = (0..10_001)
        .map(|_| json!({"vendor_id": "V-10001", "amount": 1, "currency": "USD"}))
        .collect();
    let err = answer(json!({"Items": items})).await.unwrap_err();
    assert_eq!(err.error_type, "VendorEnrichment.InvalidInput");
    assert!(err.error_message.contains("at most 10000"));
    let err = answer(json!({"Items": "x"})).await.unwrap_err();
    assert_eq!(err.error_type, "VendorEnrichment.InvalidInput");
    let err = answer(json!({"Items": [], "BatchInput": 3}))
        .await
        .unwrap_err();
    assert_eq!(err.error_type, "VendorEnrichment.InvalidInput");
    let err = answer(json!(42)).await.unwrap_err();
    assert_eq!(err.error_type, "VendorEnrichment.InvalidInput");
}

/// One invalid item of 1 MB, one valid item carrying a 1 MB field of its
/// own, and every kind of JSON value too large to echo: the batch still
/// fits Step Functions' limit, each large item comes back as a labelled
/// excerpt, and the other items are enriched.
#[tokio::test]
async fn one_huge_item_does_not_spoil_the_batch() {
    let mb = "ß".repeat(512 * 1024); // 1 MiB of two-byte characters: cuts must fall between them
    let items = json!([
        {"line_id": "1", "vendor_name": "ACME Corp.", "amount": 10, "currency": "USD"},
        {"line_id": "2", "vendor_name": mb, "amount": 10, "currency": "USD"},
        {"line_id": "3", "vendor_name": "ACME Corp.", "amount": 10, "currency": "USD", "notes": mb},
        mb,
        [mb, 1],
        {"line_id": "6", "amount": {"deep": [mb]}, "currency": "USD", "vendor_id": "V-10001"},
        {"line_id": "7", "vendor_id": "V-10001", "amount": 5, "currency": "USD"},
    ]);
    let out = answer(json!({"Items": items})).await.unwrap();
    let text = out.to_string();
    assert!(text.len() < 32 * 1024, "{} bytes", text.len());
    let results = out["results"].as_array().unwrap();
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "enriched", "error", "enriched", "error", "error", "error", "enriched"
        ]
    );
    for k in [1, 2, 3, 4, 5] {
        let echo = &results[k]["item"];
        assert_eq!(echo["truncated"], true, "{k}: {echo}");
        assert!(echo["bytes"].as_u64().unwrap() > 1_000_000);
        let limit = if results[k]["status"] == "error" {
            200
        } else {
            8 * 1024
        };
        assert!(echo["excerpt"].as_str().unwrap().len() <= limit, "{k}");
        assert!(results[k]["error"]["message"].as_str().map_or(0, str::len) <= 500);
    }
    assert_eq!(results[2]["vendor"]["vendor_id"], "V-10001");
    assert_eq!(
        results[0]["item"]["line_id"], "1",
        "small items are echoed whole"
    );
    assert_eq!(out["summary"]["failed"], 4);

    // The agent path too: the 25 KB response keeps every result.
    let mut agent_event = event("agent-enrich-line-items.json");
    agent_event["requestBody"]["content"]["application/json"]["properties"][0]["value"] =
        json!([{"vendor_name": "x".repeat(1 << 20), "amount": 1, "currency": "USD"},
               {"vendor_id": "V-10001", "amount": 1, "currency": "USD"}])
        .to_string()
        .into();
    let (status, body) = agent(agent_event).await;
    assert_eq!(status, 200);
    assert_eq!(body["truncated"], false, "{body}");
    assert_eq!(body["results"][1]["vendor"]["vendor_id"], "V-10001");
}

/// `sfn-batch-review.json`: a misspelt name accepted; an unknown vendor
/// sharing a master vendor's first word, an id of one vendor with the name
/// of another and a country no candidate has, each left for review with its
/// flag; an id that matches nothing flagged while the name still matches.
#[tokio::test]
async fn the_review_sample_batch() {
    let out = answer(event("sfn-batch-review.json")).await.unwrap();
    let r = out["results"].as_array().unwrap();
    let flags = |i: usize| r[i]["flags"].clone();
    assert_eq!(r[0]["vendor"]["vendor_id"], "V-10061", "{}", r[0]);
    assert_eq!(r[0]["match"]["method"], "fuzzy_name");
    assert_eq!(flags(0), json!([]));

    assert!(r[1]["vendor"].is_null(), "{}", r[1]);
    assert_eq!(flags(1), json!(["low_confidence_match"]));
    assert_eq!(r[1]["match"]["candidates"][0]["vendor_id"], "V-10061");
    assert_eq!(r[1]["approver_route"], "ap-review");

    assert!(r[2]["vendor"].is_null());
    assert_eq!(flags(2), json!(["conflicting_vendor_evidence"]));
    assert_eq!(r[2]["approver_route"], "fraud-review");

    assert!(r[3]["vendor"].is_null());
    assert_eq!(flags(3), json!(["vendor_country_mismatch"]));
    assert_eq!(r[3]["match"]["candidates"][0]["vendor_id"], "V-10131");

    assert_eq!(r[4]["vendor"]["vendor_id"], "V-10221");
    assert_eq!(flags(4), json!(["unknown_vendor_id", "high_risk_vendor"]));
    assert_eq!(r[4]["approver_route"], "ap-review");
}
