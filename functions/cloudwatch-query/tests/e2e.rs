//! End to end through the real Lambda Runtime API emulator: `cargo lambda
//! watch` runs the function binary, `cargo lambda invoke` sends the sample
//! agent events from `events/cloudwatch-query/`, the function talks to a
//! moto server through `AWS_ENDPOINT_URL`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actionkit_testkit::{LambdaWatch, Moto, repo_root};
use serde_json::Value;

fn body(response: &Value) -> Value {
    serde_json::from_str(
        response["response"]["responseBody"]["application/json"]["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_events_through_the_runtime_api() {
    let moto = Moto::start();
    common::seed(&common::client(&moto)).await;
    let watch = LambdaWatch::start(&[
        ("AWS_ENDPOINT_URL", moto.endpoint()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        (
            "ALLOWED_LOG_GROUPS",
            "/aws/lambda/api-handler,/aws/lambda/check*".into(),
        ),
    ]);
    let events = repo_root().join("events/cloudwatch-query");
    let invoke = |name: &str| watch.invoke("cloudwatch-query", &events.join(name));

    let response = tokio::task::block_in_place(|| invoke("query-recent-errors.json")).unwrap();
    assert_eq!(response["messageVersion"], "1.0");
    assert_eq!(response["response"]["actionGroup"], "LogInsights");
    assert_eq!(response["response"]["apiPath"], "/cloudwatch_logs");
    assert_eq!(response["response"]["httpMethod"], "GET");
    assert_eq!(response["response"]["httpStatusCode"], 200, "{response}");
    let b = body(&response);
    assert_eq!(b["status"], "Complete");
    // moto ignores `filter`: every event of the window comes back, redacted.
    assert!(b["rows"].as_array().unwrap().len() >= 3, "{b}");
    assert!(!response.to_string().contains("Sup3rS3cret"));

    let response = tokio::task::block_in_place(|| invoke("list-log-groups.json")).unwrap();
    assert_eq!(response["response"]["httpStatusCode"], 200);
    assert_eq!(body(&response)["log_groups"].as_array().unwrap().len(), 2);

    for (file, status) in [
        ("refused-unlisted-group.json", 403),
        ("refused-source-command.json", 403),
        ("malformed-query.json", 400),
        ("bad-minutes-back.json", 400),
    ] {
        let response = tokio::task::block_in_place(|| invoke(file)).unwrap();
        assert_eq!(
            response["response"]["httpStatusCode"], status,
            "{file}: {response}"
        );
        assert!(body(&response)["message"].as_str().is_some());
    }

    // Not an agent event: the one case that is a Lambda error, by name.
    let bad = std::env::temp_dir().join(format!("actionkit-malformed-{}.json", watch.port()));
    std::fs::write(
        &bad,
        r#"{"messageVersion":"1.0","actionGroup":"LogInsights","inputText":"hi"}"#,
    )
    .unwrap();
    let error = tokio::task::block_in_place(|| watch.invoke("cloudwatch-query", &bad));
    let _ = std::fs::remove_file(&bad);
    let error = error.unwrap_err();
    assert!(error.contains("CloudWatchQuery.MalformedEvent"), "{error}");
}
