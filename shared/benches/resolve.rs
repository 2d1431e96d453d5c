//! Resolving the example's agent event end to end, from the bytes Lambda
//! hands over to the bytes sent back: parse → classify → route → extract →
//! handler → encode (with the size guard), with the documented rules
//! (`minimum = 1` of `minutes_back`) checked on every event.
//!
//! Target on the project's 2-core machines: ≤ 5 µs per event (Powertools
//! for AWS Lambda, Python, answers the same event in ~70 µs warm).

#![allow(clippy::expect_used)]

#[path = "../examples/query_cloudwatch/app.rs"]
#[allow(dead_code, missing_docs)]
mod app;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

const EVENT: &[u8] = include_bytes!("../../events/example/01-query-recent-errors.json");
const BAD_EVENT: &[u8] = include_bytes!("../../events/example/03-mistyped-minutes-back.json");
const TASK: &[u8] = include_bytes!("../../events/example/08-step-functions-task.json");

fn resolve(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    let resolver = app::resolver();
    let context = actionkit::Context::default();
    // A value of the right type that breaks the documented `minimum = 1`:
    // answered by the checks compiled at registration, before decoding.
    let below_minimum = String::from_utf8_lossy(BAD_EVENT)
        .replace("\"half an hour\"", "\"0\"")
        .into_bytes();
    let mut group = c.benchmark_group("resolve");
    for (name, bytes) in [
        ("agent_event_ok", EVENT),
        ("agent_event_400", BAD_EVENT),
        ("agent_event_rule_400", below_minimum.as_slice()),
        ("task_payload", TASK),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                // What the Lambda runtime does with the payload bytes.
                let event: Box<serde_json::value::RawValue> =
                    serde_json::from_slice(black_box(bytes)).expect("fixture is JSON");
                let out = runtime
                    .block_on(resolver.handle_json(event.get(), context.clone()))
                    .expect("the fixture is answered");
                black_box(out.get().len())
            })
        });
    }
    // The same route over a type that documents no rule (no bound, and an
    // `i64`, which has no implied one): the difference to `agent_event_ok`
    // is what checking the documented rules costs.
    let unchecked =
        actionkit::Resolver::with_state("LogInsights", std::sync::Arc::new(app::SampleLogs::new()))
            .get(
                "/cloudwatch_logs",
                "Query CloudWatch Logs Insights for a log group",
                unchecked_query,
            );
    group.bench_function("agent_event_ok_no_rules", |b| {
        b.iter(|| {
            let event: Box<serde_json::value::RawValue> =
                serde_json::from_slice(black_box(EVENT)).expect("fixture is JSON");
            let out = runtime
                .block_on(unchecked.handle_json(event.get(), context.clone()))
                .expect("the fixture is answered");
            black_box(out.get().len())
        })
    });
    group.finish();
    c.bench_function("openapi_generation", |b| {
        b.iter(|| {
            black_box(
                resolver
                    .openapi("Log Insights", "1.0.0", "d")
                    .expect("schema"),
            )
        })
    });
}

/// [`app::CloudWatchQuery`] without its documented rules.
#[derive(serde::Deserialize, utoipa::IntoParams)]
struct UncheckedQuery {
    /// Log group name.
    log_group: String,
    /// CloudWatch Insights query string.
    query: String,
    /// Time window in minutes.
    #[serde(default)]
    minutes_back: i64,
}

async fn unchecked_query(
    logs: actionkit::State<std::sync::Arc<app::SampleLogs>>,
    actionkit::Query(q): actionkit::Query<UncheckedQuery>,
) -> Result<actionkit::Json<app::QueryResults>, actionkit::ActionError> {
    let q = app::CloudWatchQuery {
        log_group: q.log_group,
        query: q.query,
        minutes_back: u32::try_from(q.minutes_back).unwrap_or(0),
    };
    app::query_cloudwatch(logs, actionkit::Query(q)).await
}

criterion_group!(benches, resolve);

criterion_main!(benches);
