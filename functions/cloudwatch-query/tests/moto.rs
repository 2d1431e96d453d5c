//! Integration tests against a real moto server on 127.0.0.1: seeded log
//! groups, real StartQuery/GetQueryResults round trips through the handler,
//! the allowlist refusing a real but unlisted group, and the listing route.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;

use actionkit::Resolver;
use actionkit_testkit::Moto;
use aws_sdk_cloudwatchlogs::Client;
use cloudwatch_query::{AppState, Config, resolver};
use serde_json::{Value, json};

mod common;

use common::{API, CHECKOUT, UNLISTED, client, seed};

async fn setup() -> (Moto, Client, Resolver<Arc<AppState>>) {
    let moto = Moto::start();
    let client = client(&moto);
    seed(&client).await;
    let r = function(&client, &[]);
    (moto, client, r)
}

/// The function over `client`, with the test allowlist and `extra` settings.
fn function(client: &Client, extra: &[(&str, &str)]) -> Resolver<Arc<AppState>> {
    let mut vars = HashMap::from([
        (
            "ALLOWED_LOG_GROUPS",
            "/aws/lambda/api-handler,/aws/lambda/check*",
        ),
        ("POLL_INITIAL_MS", "20"),
    ]);
    vars.extend(extra.iter().copied());
    let config = Config::from_lookup(|k| vars.get(k).map(|v| v.to_string())).unwrap();
    resolver(Arc::new(AppState {
        client: client.clone(),
        config,
    }))
}

fn results_event(handle: &str, group: &str) -> Value {
    event(
        &format!("/cloudwatch_logs/results/{handle}"),
        &[("query_id", handle), ("log_group", group)],
    )
}

#[tokio::test]
async fn follow_ups_read_only_what_this_function_started_on_allowed_groups() {
    let (_moto, client, _) = setup().await;
    const KEY: &str = "an-operator-provided-handle-key-of-32+-bytes";
    let r = function(&client, &[("QUERY_HANDLE_KEY", KEY)]);

    // A query started elsewhere over an allowed and a forbidden group: its
    // bare id reads nothing through the function.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let outside = client
        .start_query()
        .log_group_names(API)
        .log_group_names(UNLISTED)
        .start_time(now - 3600)
        .end_time(now)
        .query_string("fields @message")
        .send()
        .await
        .unwrap()
        .query_id
        .unwrap();
    let (status, body) = call(&r, results_event(&outside, API)).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.to_string().contains("not a handle this tool issued"),
        "{body}"
    );
    assert!(!body.to_string().contains("prod-db"), "{body}");

    // A handle from the function itself works, also on the second instance
    // that shares the key (a new execution environment).
    let ask = event(
        "/cloudwatch_logs/across_groups",
        &[
            (
                "log_groups",
                r#"["/aws/lambda/api-handler", "/aws/lambda/checkout"]"#,
            ),
            ("query", "fields @message"),
        ],
    );
    let (status, first) = call(&r, ask.clone()).await;
    assert_eq!(status, 200, "{first}");
    let handle = first["query_id"].as_str().unwrap().to_owned();
    let other_instance = function(&client, &[("QUERY_HANDLE_KEY", KEY)]);
    let (status, again) = call(&other_instance, results_event(&handle, CHECKOUT)).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        again["rows"].as_array().unwrap().len(),
        first["rows"].as_array().unwrap().len()
    );

    // Tampered: every character changed in turn; truncated; another key.
    for i in (0..handle.len()).step_by(7) {
        let mut tampered = handle.clone().into_bytes();
        tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        let (status, _) = call(&r, results_event(&tampered, API)).await;
        assert_eq!(status, 403, "{tampered}");
    }
    let (status, _) = call(&r, results_event(&handle[..handle.len() - 3], API)).await;
    assert_eq!(status, 403);
    let stranger = function(
        &client,
        &[(
            "QUERY_HANDLE_KEY",
            "another-function-with-another-key-000000",
        )],
    );
    let (status, _) = call(&stranger, results_event(&handle, API)).await;
    assert_eq!(status, 403);

    // A group taken off the allowlist since: the handle no longer reads.
    let narrowed = function(
        &client,
        &[
            ("QUERY_HANDLE_KEY", KEY),
            ("ALLOWED_LOG_GROUPS", "/aws/lambda/api-handler"),
        ],
    );
    let (status, body) = call(&narrowed, results_event(&handle, API)).await;
    assert_eq!(status, 403, "{body}");

    // Expired.
    let short = function(
        &client,
        &[("QUERY_HANDLE_KEY", KEY), ("QUERY_HANDLE_TTL_SECONDS", "1")],
    );
    let (_, body) = call(&short, ask).await;
    let expiring = body["query_id"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let (status, body) = call(&short, results_event(&expiring, API)).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.to_string().contains("expired"), "{body}");
}

fn event(api_path: &str, params: &[(&str, &str)]) -> Value {
    let typed: Vec<(&str, &str, &str)> = params.iter().map(|(n, v)| (*n, "string", *v)).collect();
    actionkit_testkit::agent_api_event("LogInsights", "GET", api_path, &typed)
}

async fn call(r: &Resolver<Arc<AppState>>, event: Value) -> (u64, Value) {
    let raw = r
        .handle(event, actionkit::Context::default())
        .await
        .unwrap();
    let response: Value = serde_json::from_str(raw.get()).unwrap();
    let body = serde_json::from_str(
        response["response"]["responseBody"]["application/json"]["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    (
        response["response"]["httpStatusCode"].as_u64().unwrap(),
        body,
    )
}

#[tokio::test]
async fn a_real_query_round_trip_with_redaction_and_follow_up() {
    let (_moto, _client, r) = setup().await;
    let (status, body) = call(
        &r,
        event(
            "/cloudwatch_logs",
            &[
                ("log_group", API),
                (
                    "query",
                    "fields @timestamp, @message | sort @timestamp desc",
                ),
                ("minutes_back", "30"),
            ],
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "Complete");
    assert_eq!(body["log_groups"], json!([API]));
    assert_eq!(
        body["query"],
        "fields @timestamp, @message | sort @timestamp desc\n| limit 100"
    );
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 6, "{body}");
    let text = body.to_string();
    assert!(
        !text.contains("Sup3rS3cret"),
        "the leaked password is redacted"
    );
    assert!(text.contains("password=[REDACTED:credential]"));
    assert_eq!(body["redactions"], 1);
    for row in rows {
        assert!(row.get("@ptr").is_none());
        let ts = row["@timestamp"].as_str().unwrap();
        assert!(
            ts.len() == 23 && ts.starts_with("20") && &ts[10..11] == " ",
            "readable timestamp: {ts}"
        );
    }
    assert!(rows.iter().any(|r| {
        r["@message"]
            .as_str()
            .unwrap()
            .contains("PaymentClient timeout")
    }));

    // The query id refers back to the query.
    let id = body["query_id"].as_str().unwrap().to_owned();
    let (status, again) = call(
        &r,
        event(
            &format!("/cloudwatch_logs/results/{id}"),
            &[("query_id", &id), ("log_group", API)],
        ),
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["query_id"], id.as_str());
    assert_eq!(again["rows"].as_array().unwrap().len(), 6);
    // ... but not from another group.
    let (status, _) = call(
        &r,
        event(
            &format!("/cloudwatch_logs/results/{id}"),
            &[("query_id", &id), ("log_group", CHECKOUT)],
        ),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_time_window_is_honoured() {
    let (_moto, _client, r) = setup().await;
    let (status, body) = call(
        &r,
        event(
            "/cloudwatch_logs",
            &[
                ("log_group", API),
                ("query", "fields @message"),
                ("minutes_back", "10"),
            ],
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["rows"].as_array().unwrap().len(),
        3,
        "only the last 10 minutes: {body}"
    );
}

#[tokio::test]
async fn an_unlisted_real_group_is_refused_before_any_call() {
    let (_moto, client, r) = setup().await;
    let (status, body) = call(
        &r,
        event(
            "/cloudwatch_logs",
            &[("log_group", UNLISTED), ("query", "fields @message")],
        ),
    )
    .await;
    assert_eq!(status, 403);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("not on this agent's allowlist")
    );
    let queries = client
        .describe_queries()
        .log_group_name(UNLISTED)
        .send()
        .await
        .unwrap();
    assert!(queries.queries().is_empty(), "no query reached CloudWatch");
    let (status, _) = call(
        &r,
        event(
            "/cloudwatch_logs/across_groups",
            &[
                ("log_groups", &format!("[\"{API}\", \"{UNLISTED}\"]")),
                ("query", "fields @message"),
            ],
        ),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_missing_allowlisted_group_is_404() {
    let (_moto, _client, r) = setup().await;
    let (status, body) = call(
        &r,
        event(
            "/cloudwatch_logs",
            &[
                ("log_group", "/aws/lambda/checkout-v2"),
                ("query", "fields @message"),
            ],
        ),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("list_log_groups")
    );
}

#[tokio::test]
async fn across_groups_and_listing() {
    let (_moto, _client, r) = setup().await;
    let (status, body) = call(
        &r,
        event(
            "/cloudwatch_logs/across_groups",
            &[
                ("log_groups", &format!("[{API}, {CHECKOUT}]")),
                ("query", "fields @message"),
                ("minutes_back", "60"),
            ],
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["log_groups"], json!([API, CHECKOUT]));
    assert_eq!(body["rows"].as_array().unwrap().len(), 7);

    let (status, body) = call(&r, event("/log_groups", &[])).await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<&str> = body["log_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [API, CHECKOUT], "the unlisted group is not listed");
    assert_eq!(body["allowed_patterns"], json!([API, "/aws/lambda/check*"]));

    let (status, body) = call(&r, event("/log_groups", &[("prefix", "/aws/lambda/che")])).await;
    assert_eq!(status, 200);
    assert_eq!(body["log_groups"].as_array().unwrap().len(), 1);
    let (status, _) = call(&r, event("/log_groups", &[("prefix", "/aws/rds")])).await;
    assert_eq!(status, 403);
    let (status, _) = call(&r, event("/log_groups", &[("limit", "0")])).await;
    assert_eq!(status, 400);
}
