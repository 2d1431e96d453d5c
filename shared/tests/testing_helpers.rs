//! actionkit::testing: every builder's event is one the resolver answers in
//! the right envelope, and the snapshot check writes, passes and explains.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use actionkit::testing::{
    SnapshotMismatch, agent_api_event, agent_function_event, check_json_snapshot, context,
    gateway_context, gateway_tool_call, task_event, with_prompt_session_attributes,
};
use actionkit::{Json, PromptSessionAttributes, Query, Resolver};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
struct Lookup {
    /// The city.
    city: String,
}

async fn weather(
    Query(q): Query<Lookup>,
    PromptSessionAttributes(p): PromptSessionAttributes,
) -> Json<Value> {
    Json(json!({"city": q.city, "today": p.get("today")}))
}

fn resolver() -> Resolver {
    Resolver::new("Weather")
        .get("/weather", "Weather for a city", weather)
        .function("weather", "Weather for a city", weather)
        .task("weather", weather)
        .task("other", weather)
}

#[tokio::test(flavor = "current_thread")]
async fn each_builder_reaches_its_callers_envelope() {
    let r = resolver();
    let event = with_prompt_session_attributes(
        agent_api_event("Weather", "GET", "/weather", &[("city", "string", "Oslo")]),
        &[("today", "2026-12-01")],
    );
    let raw = r.handle(event, context()).await.unwrap();
    let v: Value = serde_json::from_str(raw.get()).unwrap();
    assert_eq!(v["response"]["httpStatusCode"], 200);
    let body: Value = serde_json::from_str(
        v["response"]["responseBody"]["application/json"]["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(body, json!({"city": "Oslo", "today": "2026-12-01"}));

    let raw = r
        .handle(
            agent_function_event("Weather", "weather", &[("city", "string", "Oslo")]),
            context(),
        )
        .await
        .unwrap();
    let v: Value = serde_json::from_str(raw.get()).unwrap();
    assert_eq!(v["response"]["function"], "weather");
    assert!(
        v["response"]["functionResponse"]
            .get("responseState")
            .is_none(),
        "{v}"
    );

    let raw = r
        .handle(task_event("weather", json!({"city": "Oslo"})), context())
        .await
        .unwrap();
    let v: Value = serde_json::from_str(raw.get()).unwrap();
    assert_eq!(v["city"], "Oslo");

    let (payload, gateway) = gateway_tool_call("weather___weather", json!({"city": "Oslo"}));
    let raw = r.handle(payload, gateway).await.unwrap();
    let v: Value = serde_json::from_str(raw.get()).unwrap();
    assert_ne!(v["isError"], true, "{v}");
    assert_eq!(v["city"], "Oslo", "{v}");
}

#[test]
fn the_contexts_look_like_the_runtimes() {
    let c = context();
    assert!(!c.request_id.is_empty());
    assert!(c.invoked_function_arn.starts_with("arn:aws:lambda:"));
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(c.deadline > now_ms, "the deadline is ahead");
    let g = gateway_context("weather___weather");
    assert_eq!(
        g.client_context.unwrap().custom["bedrockAgentCoreToolName"],
        "weather___weather"
    );
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("actionkit-snapshot-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_missing_snapshot_says_how_to_write_it() {
    let dir = temp_dir("missing");
    let err = check_json_snapshot(dir.join("absent.json"), &json!({})).unwrap_err();
    assert!(matches!(err, SnapshotMismatch::Missing { .. }));
    assert!(err.to_string().contains("UPDATE_SNAPSHOTS=1"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn relative_snapshot_paths_are_the_crates() {
    // CARGO_MANIFEST_DIR is shared/ here: the committed OpenAPI snapshot of
    // the crate's own tests is found from a relative path.
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/snapshots/query_cloudwatch.openapi.json"
        ))
        .unwrap(),
    )
    .unwrap();
    check_json_snapshot("tests/snapshots/query_cloudwatch.openapi.json", &committed).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// For any document and any single change to it, the committed file
    /// passes and the changed one fails with a diff naming the change.
    #[test]
    fn a_changed_document_fails_with_a_diff_of_the_change(
        doc in proptest::collection::btree_map("[a-z]{1,8}", "[a-z0-9 ]{0,12}", 1..12),
        pick in any::<proptest::sample::Index>(),
        new_value in "[A-Z]{1,6}",
    ) {
        let dir = temp_dir("prop");
        let file = dir.join("doc.json");
        let committed = serde_json::to_value(&doc).unwrap();
        std::fs::write(&file, serde_json::to_string_pretty(&committed).unwrap() + "\n").unwrap();
        prop_assert!(check_json_snapshot(&file, &committed).is_ok());

        let key = pick.get(&doc.keys().collect::<Vec<_>>()).to_string();
        let mut changed = committed.clone();
        changed[&key] = Value::String(new_value.clone());
        let err = check_json_snapshot(&file, &changed).unwrap_err();
        let text = err.to_string();
        let removed = format!("-  {}: {}", serde_json::to_string(&key).unwrap(), serde_json::to_string(&doc[&key]).unwrap());
        let added = format!("+  {}: {}", serde_json::to_string(&key).unwrap(), serde_json::to_string(&new_value).unwrap());
        prop_assert!(text.contains(&removed), "{}", text);
        prop_assert!(text.contains(&added), "{}", text);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
