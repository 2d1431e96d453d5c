//! The state machines: valid ASL (asl-validator), wired to the template's
//! substitutions, and following the article's Retry/Catch rules.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use actionkit_stack::{asl_files, placeholders, resources_of_type, template, violations};
use serde_json::{Value, json};

fn definition(path: &std::path::Path) -> (String, Value) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    (text, value)
}

/// The definitions with their substitutions filled with values of the right
/// shape, as SAM would fill them.
fn filled(text: &str) -> String {
    let mut out = text.to_owned();
    for name in placeholders(text) {
        let value = if name.ends_with("FunctionArn") {
            format!("arn:aws:lambda:eu-west-1:123456789012:function:{name}")
        } else if name.ends_with("ModelArn") {
            format!("arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/{name}")
        } else if name.ends_with("QueueUrl") {
            format!("https://sqs.eu-west-1.amazonaws.com/123456789012/{name}")
        } else {
            name.to_lowercase()
        };
        out = out.replace(&format!("${{{name}}}"), &value);
    }
    out
}

#[test]
fn there_are_the_two_workflows() {
    let names: Vec<String> = asl_files()
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    assert_eq!(
        names,
        ["invoice-pipeline.asl.json", "research-synthesis.asl.json"]
    );
}

#[test]
fn every_definition_follows_the_retry_and_catch_rules() {
    for path in asl_files() {
        let (_, def) = definition(&path);
        let found = violations(&def);
        assert!(
            found.is_empty(),
            "{}:\n{}",
            path.display(),
            found.join("\n")
        );
    }
}

/// The checker is not a test that cannot fail: each rule, broken on a copy
/// of the real invoice pipeline, is reported.
#[test]
fn a_definition_that_breaks_a_rule_is_caught() {
    let path = actionkit_testkit::repo_root().join("statemachines/invoice-pipeline.asl.json");
    let (_, original) = definition(&path);
    type Mutation = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "validation errors must never be retried",
            Box::new(|d| {
                d["States"]["ScoreRisk"]["Retry"][3]["MaxAttempts"] = json!(2);
            }),
        ),
        (
            "throttling must retry 4 times",
            Box::new(|d| {
                d["States"]["ExtractInvoiceFields"]["Retry"][0]["JitterStrategy"] = json!("NONE");
            }),
        ),
        (
            "model timeouts must be retried twice",
            Box::new(|d| {
                d["States"]["WriteAuditNarrative"]["Retry"][1]["MaxAttempts"] = json!(5);
            }),
        ),
        (
            "quota-exceeded must be caught into a fallback branch",
            Box::new(|d| {
                let catch = d["States"]["ScoreRisk"]["Catch"].as_array_mut().unwrap();
                catch.remove(0);
            }),
        ),
        (
            "no final States.ALL catch",
            Box::new(|d| {
                d["States"]["PseudonymizeDocument"]["Catch"] = json!([]);
            }),
        ),
        (
            "a Map without MaxConcurrency",
            Box::new(|d| {
                d["States"]["EnrichLineItems"]
                    .as_object_mut()
                    .unwrap()
                    .remove("MaxConcurrency");
            }),
        ),
        (
            "AWS's recommended Lambda retry is missing",
            Box::new(|d| {
                d["States"]["ReidentifyNarrative"]["Retry"][0]["MaxAttempts"] = json!(1);
            }),
        ),
        (
            "can never succeed on retry",
            Box::new(|d| {
                d["States"]["ReidentifyNarrative"]["Retry"]
                    .as_array_mut()
                    .unwrap()
                    .insert(0, json!({"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}));
            }),
        ),
        (
            "reads the model's answer before a guard",
            Box::new(|d| {
                d["States"]["ScoreRisk"]["ResultSelector"] =
                    json!({"assessment.$": "States.StringToJson($.Body.content[0].text)"});
            }),
        ),
        (
            "is not checked (stop_reason)",
            Box::new(|d| {
                d["States"]["ExtractInvoiceFieldsFallback"]["Next"] = json!("KeepExtraction");
            }),
        ),
        (
            "error text could become prompt text",
            Box::new(|d| {
                d["States"]["WriteAuditNarrative"]["Parameters"]["Body"]["messages"][0]["content.$"] =
                    json!("States.JsonToString($.fallbacks)");
            }),
        ),
        (
            "loses the original error",
            Box::new(|d| {
                let fail = &mut d["States"]["EnrichLineItems"]["ItemProcessor"]["States"]["LineItemFailed"];
                *fail = json!({"Type": "Fail", "Error": "InvoicePipeline.LineItemFailed"});
            }),
        ),
        (
            "the input is not validated first",
            Box::new(|d| {
                d["StartAt"] = json!("StartWithDocument");
            }),
        ),
        (
            "the dead-letter message does not keep the error",
            Box::new(|d| {
                d["States"]["SendToDeadLetter"]["Parameters"]["MessageBody"]["error.$"] =
                    json!("$.error.Error");
            }),
        ),
        (
            "CryptoPreprocess.KeyUnusable can never succeed on retry",
            Box::new(|d| {
                d["States"]["PseudonymizeDocument"]["Retry"][1]["ErrorEquals"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!("CryptoPreprocess.KeyUnusable"));
                d["States"]["PseudonymizeDocument"]["Retry"][2]["ErrorEquals"] =
                    json!(["CryptoPreprocess.InvalidInput"]);
            }),
        ),
        (
            "the catch-all does not reach the dead-letter queue",
            Box::new(|d| {
                d["States"]["EnrichLineItems"]["Catch"][0]["Next"] = json!("RoutedToHumanReview");
            }),
        ),
    ];
    for (expected, mutate) in cases {
        let mut broken = original.clone();
        mutate(&mut broken);
        let found = violations(&broken);
        assert!(
            found.iter().any(|v| v.contains(expected)),
            "expected a violation containing {expected:?}, got {found:?}"
        );
    }
}

#[test]
fn placeholders_and_substitutions_agree() {
    let template = template();
    let machines = resources_of_type(&template, "AWS::Serverless::StateMachine");
    assert_eq!(
        machines.len(),
        asl_files().len(),
        "one state machine per definition"
    );
    for (id, machine) in machines {
        let props = &machine["Properties"];
        let uri = props["DefinitionUri"].as_str().unwrap_or_default();
        let text = std::fs::read_to_string(actionkit_testkit::repo_root().join(uri))
            .unwrap_or_else(|e| panic!("{id}: DefinitionUri {uri}: {e}"));
        let used = placeholders(&text);
        let given: std::collections::BTreeSet<String> = props["DefinitionSubstitutions"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(
            used, given,
            "{id}: placeholders of {uri} vs DefinitionSubstitutions"
        );
        assert_eq!(props["Type"], "STANDARD", "{id}");
        assert_eq!(props["Tracing"]["Enabled"], true, "{id}: X-Ray");
        assert_eq!(props["Logging"]["Level"], "ALL", "{id}: execution logging");
        assert_eq!(
            props["Logging"]["IncludeExecutionData"], false,
            "{id}: execution data could hold personal data"
        );
    }
}

#[test]
fn asl_validator_accepts_every_definition() {
    let validator = actionkit_testkit::repo_root().join("node_modules/.bin/asl-validator");
    assert!(
        validator.exists(),
        "{} is missing: run `make test` (it runs `npm ci`)",
        validator.display()
    );
    let dir = std::env::temp_dir().join(format!("actionkit-asl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for path in asl_files() {
        let (text, _) = definition(&path);
        let filled_path = dir.join(path.file_name().unwrap());
        std::fs::write(&filled_path, filled(&text)).unwrap();
        let output = Command::new(&validator)
            .arg("--json-path")
            .arg(&filled_path)
            .output()
            .unwrap_or_else(|e| panic!("cannot run asl-validator: {e}"));
        assert!(
            output.status.success(),
            "asl-validator rejected {}:\n{}{}",
            path.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // ...and it does reject a broken definition, so a pass means something.
    let broken = dir.join("broken.asl.json");
    std::fs::write(
        &broken,
        r#"{"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": true}}}"#,
    )
    .unwrap();
    let output = Command::new(&validator)
        .arg("--json-path")
        .arg(&broken)
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "asl-validator accepted a broken definition"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
