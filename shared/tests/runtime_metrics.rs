//! Embedded Metric Format, as the binary prints it: the probe function's
//! stdout parsed line by line and every metrics document checked against
//! the structure the EMF specification requires (`_aws.Timestamp`,
//! `CloudWatchMetrics[].Namespace/Dimensions/Metrics`, every metric and
//! dimension present at the top level), then against what each invocation
//! should have counted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod runtime_support;

use std::time::Duration;

use actionkit_testkit::{RuntimeApiStub, StubInvocation};
use runtime_support::{json_lines, probe};
use serde_json::{Value, json};

const UNITS: [&str; 27] = [
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

/// The specification's rules for one document; panics naming the rule.
fn validate_emf(doc: &Value) {
    let aws = doc["_aws"].as_object().expect("_aws is an object");
    assert!(aws["Timestamp"].is_u64(), "_aws.Timestamp: epoch ms: {doc}");
    let directives = aws["CloudWatchMetrics"]
        .as_array()
        .expect("CloudWatchMetrics array");
    assert!(!directives.is_empty(), "{doc}");
    for directive in directives {
        let namespace = directive["Namespace"].as_str().expect("Namespace string");
        assert!(!namespace.is_empty() && namespace.len() <= 1024);
        let dimension_sets = directive["Dimensions"]
            .as_array()
            .expect("Dimensions array");
        for set in dimension_sets {
            let set = set.as_array().expect("a dimension set is an array");
            assert!(set.len() <= 30, "at most 30 dimensions: {doc}");
            for key in set {
                let key = key.as_str().expect("dimension names are strings");
                let value = doc[key].as_str().unwrap_or_else(|| {
                    panic!("dimension {key} has a string value at the top level: {doc}")
                });
                assert!(!value.is_empty() && value.len() <= 1024, "{key}: {value}");
            }
        }
        let metrics = directive["Metrics"].as_array().expect("Metrics array");
        assert!(!metrics.is_empty() && metrics.len() <= 100, "{doc}");
        for metric in metrics {
            let name = metric["Name"].as_str().expect("metric Name");
            assert!(!name.is_empty() && name.len() <= 255);
            if let Some(unit) = metric.get("Unit") {
                assert!(UNITS.contains(&unit.as_str().unwrap()), "unit {unit}");
            }
            match &doc[name] {
                Value::Number(_) => {}
                Value::Array(values) => {
                    assert!(!values.is_empty() && values.len() <= 100);
                    assert!(values.iter().all(Value::is_number), "{doc}");
                }
                other => panic!("metric {name} has no numeric top-level value ({other}): {doc}"),
            }
        }
    }
}

fn metric_docs(stdout: &str) -> Vec<Value> {
    let docs: Vec<Value> = json_lines(stdout)
        .into_iter()
        .filter(|l| l.get("_aws").is_some())
        .collect();
    docs.iter().for_each(validate_emf);
    docs
}

fn invocation(id: &str, body: Value) -> StubInvocation {
    StubInvocation {
        request_id: id.into(),
        client_context: None,
        body: body.to_string(),
    }
}

fn run(env: &[(&str, String)]) -> String {
    let agent_404 = actionkit_testkit::agent_api_event(
        "Probe",
        "GET",
        "/items/{id}",
        &[("id", "string", "x-1")],
    );
    let stub = RuntimeApiStub::start(vec![
        invocation("probe", json!({"task": "probe", "input": {}})),
        invocation("fail", json!({"task": "fail", "input": {}})),
        invocation("agent", agent_404),
        StubInvocation {
            request_id: "tool".into(),
            client_context: Some(
                json!({"custom": {"bedrockAgentCoreToolName": "probe___get_items_by_id"}})
                    .to_string(),
            ),
            body: json!({"id": "x-2"}).to_string(),
        },
    ]);
    let exit = stub.spawn(&probe(), env).wait(Duration::from_secs(60));
    assert_eq!(stub.answers().len(), 4, "{}", exit.stderr);
    exit.stdout
}

#[test]
fn every_invocation_prints_one_valid_emf_document() {
    let stdout = run(&[
        ("POWERTOOLS_METRICS_NAMESPACE", "ActionKitTest".into()),
        ("POWERTOOLS_SERVICE_NAME", "probe-service".into()),
        // No SDK endpoint: the probe's call fails fast, which it reports.
        ("PROBE_ENDPOINT", "http://127.0.0.1:9".into()),
    ]);
    let docs = metric_docs(&stdout);
    assert_eq!(docs.len(), 4, "{stdout}");
    for doc in &docs {
        assert_eq!(doc["service"], "probe-service");
        assert_eq!(doc["Invocations"], 1);
        assert!(doc["Duration"].as_f64().unwrap() >= 0.0);
        let namespaces: Vec<&Value> = doc["_aws"]["CloudWatchMetrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| &d["Namespace"])
            .collect();
        assert!(namespaces.iter().all(|n| *n == "ActionKitTest"), "{doc}");
    }
    // The first invocation is the cold start, and only it.
    assert_eq!(docs[0]["ColdStart"], 1, "{}", docs[0]);
    assert_eq!(docs[0]["function_name"], "stubbed");
    assert!(docs[1..].iter().all(|d| d.get("ColdStart").is_none()));
    // The task, with its custom metric from the handler's one line.
    assert_eq!(
        (&docs[0]["mode"], &docs[0]["operation"]),
        (&json!("task"), &json!("probe"))
    );
    assert_eq!(docs[0]["ProbeCalls"], 1.0);
    assert_eq!(
        (&docs[0]["ClientErrors"], &docs[0]["ServerErrors"]),
        (&json!(0), &json!(0))
    );
    // A task failure, by its error name.
    assert_eq!(docs[1]["operation"], "fail");
    assert_eq!(docs[1]["TaskErrors"], 1);
    assert_eq!(docs[1]["error"], "NotFound");
    // An agent request answered 404: a client error of its route.
    assert_eq!(
        (&docs[2]["mode"], &docs[2]["operation"]),
        (&json!("openapi"), &json!("GET /items/{id}"))
    );
    assert_eq!(
        (&docs[2]["ClientErrors"], &docs[2]["ServerErrors"]),
        (&json!(1), &json!(0))
    );
    // A Gateway tool call answered 404 (`isError`): a client error of its tool.
    assert_eq!(
        (&docs[3]["mode"], &docs[3]["operation"]),
        (&json!("tool"), &json!("probe___get_items_by_id"))
    );
    assert_eq!(
        (&docs[3]["ClientErrors"], &docs[3]["ServerErrors"]),
        (&json!(1), &json!(0))
    );
}

#[test]
fn nothing_is_emitted_when_metrics_are_disabled_or_unconfigured() {
    for env in [
        vec![],
        vec![
            ("POWERTOOLS_METRICS_NAMESPACE", "ActionKitTest".to_owned()),
            ("POWERTOOLS_METRICS_DISABLED", "true".to_owned()),
        ],
        vec![
            ("ACTIONKIT_METRICS_NAMESPACE", "ActionKitTest".to_owned()),
            ("ACTIONKIT_METRICS_DISABLED", "true".to_owned()),
        ],
    ] {
        let stdout = run(&env);
        assert!(metric_docs(&stdout).is_empty(), "{env:?}: {stdout}");
    }
}
