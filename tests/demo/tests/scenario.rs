//! The demo's scenario as an end-to-end test: every step's outcome is
//! asserted inside the scenario (statuses, refusal reasons, enrichment
//! routes, exact round trips); here every step must be as expected.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actionkit_demo::{Stage, run, schemas};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_scenario_end_to_end() {
    let stage = Stage::start(&mut |_| {}).await;
    let steps = run(&stage, &mut |_| {}).await;
    assert_eq!(steps.len(), 11);
    for step in &steps {
        assert!(step.ok, "{}: {}", step.title, step.answer);
    }
    let titles: Vec<&str> = steps.iter().map(|s| s.title.as_str()).collect();
    assert!(titles.contains(&"a prompt-injected SOURCE query is refused"));
    assert!(steps.iter().any(|s| s.answer.starts_with("HTTP 403")));
    let malformed = steps
        .iter()
        .find(|s| s.title.starts_with("a malformed query"))
        .unwrap();
    assert!(
        malformed.answer.starts_with("HTTP 400") && malformed.answer.contains("MalformedQuery"),
        "{}",
        malformed.answer
    );
    for (file, operations, result) in schemas() {
        assert!(result.is_ok(), "{file}: {result:?}");
        assert!(operations >= 2, "{file}");
    }
}
