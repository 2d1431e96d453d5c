//! Seeding a moto server with realistic application logs, shared by the
//! integration and end-to-end tests.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use actionkit_testkit::Moto;
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;

pub const API: &str = "/aws/lambda/api-handler";
pub const CHECKOUT: &str = "/aws/lambda/checkout";
pub const UNLISTED: &str = "/aws/rds/prod-db";

pub fn client(moto: &Moto) -> Client {
    actionkit_testkit::moto_client!(aws_sdk_cloudwatchlogs, moto.endpoint())
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A few minutes of a small service's logs, oldest first: requests, a
/// retry storm, errors with a stack trace, and a leaked credential.
fn api_lines() -> Vec<(i64, String)> {
    let lines = [
        (28, r#"{"level":"INFO","msg":"GET /orders/1842 200","latency_ms":41,"request_id":"7f1c"}"#.to_owned()),
        (21, r#"{"level":"WARN","msg":"retrying payments call","attempt":2,"request_id":"a911"}"#.to_owned()),
        (
            14,
            "ERROR PaymentClient timeout after 3000 ms\n  at payments.client.call(client.rs:88)\n  at orders.checkout(handler.rs:140)".to_owned(),
        ),
        (9, "INFO connecting to db with password=Sup3rS3cret! user=orders_app".to_owned()),
        (5, "ERROR upstream returned 503 for POST /payments (request_id=c0ffee)".to_owned()),
        (2, r#"{"level":"INFO","msg":"GET /health 200","latency_ms":2}"#.to_owned()),
    ];
    let now = now_ms();
    lines
        .into_iter()
        .map(|(min, line)| (now - min * 60_000, line))
        .collect()
}

pub async fn seed(client: &Client) {
    for group in [API, CHECKOUT, UNLISTED] {
        client
            .create_log_group()
            .log_group_name(group)
            .send()
            .await
            .unwrap();
        client
            .create_log_stream()
            .log_group_name(group)
            .log_stream_name("2026/11/25/[$LATEST]abc")
            .send()
            .await
            .unwrap();
    }
    let put = |group: &'static str, lines: Vec<(i64, String)>| {
        let events: Vec<InputLogEvent> = lines
            .into_iter()
            .map(|(ts, m)| {
                InputLogEvent::builder()
                    .timestamp(ts)
                    .message(m)
                    .build()
                    .unwrap()
            })
            .collect();
        client
            .put_log_events()
            .log_group_name(group)
            .log_stream_name("2026/11/25/[$LATEST]abc")
            .set_log_events(Some(events))
            .send()
    };
    put(API, api_lines()).await.unwrap();
    put(
        CHECKOUT,
        vec![(
            now_ms() - 60_000,
            "INFO checkout completed order=1842".to_owned(),
        )],
    )
    .await
    .unwrap();
    put(
        UNLISTED,
        vec![(now_ms() - 60_000, "LOG: customer table dump".to_owned())],
    )
    .await
    .unwrap();
}
