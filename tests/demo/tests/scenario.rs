//! The demo's scenario as an end-to-end test: every step's outcome is
//! asserted inside the scenario (statuses, refusal reasons, enrichment
//! routes, exact round trips); here every step must be as expected.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actionkit_demo::{Stage, Target, run, schemas};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_scenario_end_to_end() {
    let stage = Stage::start(Target::Moto, &mut |_| {}).await;
    let steps = run(&stage, &mut |_| {}).await;
    assert_eq!(steps.len(), 13);
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

/// `DEMO_TARGET=aws` creates everything under run-specific names and deletes
/// it at the end. Its code path runs here against an endpoint (a moto server
/// started by the test) instead of an account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_aws_target_uses_its_own_names_and_cleans_up() {
    let moto = actionkit_testkit::Moto::start();
    let stage = Stage::start(Target::Endpoint(moto.endpoint()), &mut |_| {}).await;
    let names = stage.names.clone();
    assert!(names.groups[0].starts_with("/actionkit-demo-"), "{names:?}");
    assert!(names.table.starts_with("actionkit-demo-"));
    let steps = run(&stage, &mut |_| {}).await;
    for step in &steps {
        assert!(step.ok, "{}: {}", step.title, step.answer);
    }
    // The on-call steps queried the run's own groups, not /aws/lambda/.
    assert!(
        steps[0].answer.contains(&names.groups[0]),
        "{}",
        steps[0].answer
    );
    stage.teardown(&mut |_| {}).await;

    let logs = actionkit_testkit::moto_client!(aws_sdk_cloudwatchlogs, moto.endpoint());
    let left = logs
        .describe_log_groups()
        .log_group_name_prefix(names.log_prefix.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert!(left.log_groups().is_empty(), "{:?}", left.log_groups());
    let dynamo = actionkit_testkit::moto_client!(aws_sdk_dynamodb, moto.endpoint());
    let tables = dynamo.list_tables().send().await.unwrap();
    assert!(!tables.table_names().contains(&names.table));
    let s3 =
        actionkit_testkit::moto_client!(aws_sdk_s3, moto.endpoint(), |b| b.force_path_style(true));
    assert!(s3.head_bucket().bucket(&names.bucket).send().await.is_err());
    let secrets = actionkit_testkit::moto_client!(aws_sdk_secretsmanager, moto.endpoint());
    let listed = secrets.list_secrets().send().await.unwrap();
    assert!(
        listed.secret_list().is_empty(),
        "{:?}",
        listed.secret_list()
    );
}
