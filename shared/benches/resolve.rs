//! Resolving the example's agent event end to end, from the bytes Lambda
//! hands over to the bytes sent back: parse → classify → route → extract →
//! handler → encode (with the size guard).
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
    let mut group = c.benchmark_group("resolve");
    for (name, bytes) in [
        ("agent_event_ok", EVENT),
        ("agent_event_400", BAD_EVENT),
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

criterion_group!(benches, resolve);

criterion_main!(benches);
