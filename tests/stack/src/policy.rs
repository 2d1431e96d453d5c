//! The article's Retry/Catch rules, checked on a state machine definition.
//! Each rule returns what breaks it, so a test can also show that a broken
//! definition is caught.

use serde_json::Value;

use crate::asl::{StateRef, states};

/// AWS's recommended Lambda retry: these errors, 2 s, 6 attempts, backoff 2.
pub const LAMBDA_SERVICE_ERRORS: [&str; 4] = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.ClientExecutionTimeoutException",
];

/// Our functions' error names that a retry can fix (outages, throttling).
pub const RETRYABLE_FUNCTION_ERRORS: [&str; 3] = [
    "CryptoPreprocess.KeyUnavailable",
    "CryptoPreprocess.PayloadStoreUnavailable",
    "VendorEnrichment.StoreUnavailable",
];

/// Our functions' error names that no retry can fix (bad input, bad
/// signatures, tampered data, a key or secret that is misconfigured).
pub const FATAL_FUNCTION_ERRORS: [&str; 8] = [
    "CryptoPreprocess.InvalidInput",
    "CryptoPreprocess.KeyUnusable",
    "CryptoPreprocess.SignatureMismatch",
    "CryptoPreprocess.StaleTimestamp",
    "CryptoPreprocess.DecryptFailed",
    "VendorEnrichment.InvalidInput",
    "CryptoPreprocess.UnknownTask",
    "VendorEnrichment.OutputTooLarge",
];

const BEDROCK: &str = "arn:aws:states:::bedrock:invokeModel";
const LAMBDA: &str = "arn:aws:states:::lambda:invoke";
const DEAD_LETTER_QUEUE: &str = "${DeadLetterQueueUrl}";
const FALLBACK_MODEL: &str = "${FallbackModelArn}";

/// Every violation of the article's rules in `definition`.
pub fn violations(definition: &Value) -> Vec<String> {
    let all = states(definition);
    let mut out = Vec::new();
    let fallbacks: Vec<&str> = all
        .iter()
        .flat_map(|s| catchers(s.state))
        .filter(|c| matches(c, "Bedrock.ServiceQuotaExceededException"))
        .filter_map(|c| c["Next"].as_str())
        .collect();
    if !all.iter().any(|s| is_dead_letter(s.state)) {
        out.push("no dead-letter state (an SQS sendMessage to ${DeadLetterQueueUrl})".into());
    }
    let start = definition["StartAt"].as_str().unwrap_or_default();
    if definition["States"][start]["Type"] != "Choice" {
        out.push(format!(
            "{start}: the input is not validated first (a Choice with IsPresent/type checks)"
        ));
    }
    for s in &all {
        let resource = s.state["Resource"].as_str().unwrap_or_default();
        if s.state["Type"] == "Task" && !is_dead_letter(s.state) {
            check_catch_all(s, &all, &mut out);
        }
        if is_dead_letter(s.state) && s.state["Parameters"]["MessageBody"]["error.$"] != "$.error" {
            out.push(format!(
                "{}: the dead-letter message does not keep the error ($.error)",
                s.name
            ));
        }
        if s.state["Type"] == "Fail"
            && s.enclosing.is_some()
            && (s.state["ErrorPath"].is_null() || s.state["CausePath"].is_null())
        {
            out.push(format!(
                "{}: a Fail state inside a Map loses the original error (use ErrorPath and CausePath)",
                s.name
            ));
        }
        if resource == BEDROCK {
            check_model_answer(s, &mut out);
            check_bedrock(s, fallbacks.contains(&s.name), &mut out);
        } else if resource == LAMBDA {
            check_lambda(s, &mut out);
        }
        if s.state["Type"] == "Map" {
            if s.state["MaxConcurrency"].as_u64().is_none_or(|n| n == 0) {
                out.push(format!("{}: a Map without MaxConcurrency", s.name));
            }
            if !s.state["Comment"]
                .as_str()
                .is_some_and(|c| c.contains("MaxConcurrency"))
            {
                out.push(format!(
                    "{}: MaxConcurrency is not explained in Comment",
                    s.name
                ));
            }
            check_catch_all(s, &all, &mut out);
        }
    }
    out
}

fn retriers(state: &Value) -> &[Value] {
    state["Retry"].as_array().map_or(&[], Vec::as_slice)
}

fn catchers(state: &Value) -> &[Value] {
    state["Catch"].as_array().map_or(&[], Vec::as_slice)
}

fn matches(rule: &Value, error: &str) -> bool {
    rule["ErrorEquals"]
        .as_array()
        .is_some_and(|names| names.iter().any(|n| n == error))
}

/// The retry attempts `state` allows for `error` (the first matching
/// retrier wins, as in Step Functions; `States.ALL` matches everything).
fn attempts_for(state: &Value, error: &str) -> Option<u64> {
    retriers(state)
        .iter()
        .find(|r| matches(r, error) || matches(r, "States.ALL"))
        .map(|r| r["MaxAttempts"].as_u64().unwrap_or(3))
}

fn is_dead_letter(state: &Value) -> bool {
    state["Type"] == "Task"
        && state["Resource"]
            .as_str()
            .is_some_and(|r| r.starts_with("arn:aws:states:::sqs:sendMessage"))
        && state["Parameters"]["QueueUrl"] == DEAD_LETTER_QUEUE
}

/// The last catcher takes `States.ALL` to the dead-letter queue: directly,
/// or — inside a Map — through a Fail state that the Map's own catch-all
/// sends there, so the error is kept either way.
fn check_catch_all(s: &StateRef<'_>, all: &[StateRef<'_>], out: &mut Vec<String>) {
    let Some(last) = catchers(s.state)
        .last()
        .filter(|c| matches(c, "States.ALL"))
    else {
        out.push(format!("{}: no final States.ALL catch", s.name));
        return;
    };
    if last["ResultPath"] != "$.error" {
        out.push(format!(
            "{}: the catch-all does not keep the error in $.error",
            s.name
        ));
    }
    let next = last["Next"].as_str().unwrap_or_default();
    let target = &s.siblings[next];
    let ok = if is_dead_letter(target) {
        true
    } else if target["Type"] == "Fail" {
        // Inside a Map: the Map's catch-all must reach the queue.
        s.enclosing.is_some_and(|(_, map)| {
            catchers(map)
                .last()
                .filter(|c| matches(c, "States.ALL"))
                .and_then(|c| c["Next"].as_str())
                .is_some_and(|n| all.iter().any(|d| d.name == n && is_dead_letter(d.state)))
        })
    } else {
        false
    };
    if !ok {
        out.push(format!(
            "{}: the catch-all does not reach the dead-letter queue",
            s.name
        ));
    }
}

fn check_bedrock(s: &StateRef<'_>, is_fallback: bool, out: &mut Vec<String>) {
    let name = s.name;
    let throttling = retriers(s.state)
        .iter()
        .find(|r| matches(r, "Bedrock.ThrottlingException"));
    match throttling {
        Some(r)
            if r["MaxAttempts"] == 4
                && r["JitterStrategy"] == "FULL"
                && r["BackoffRate"].as_f64().is_some_and(|b| b > 1.0)
                && r["IntervalSeconds"] == 2 => {}
        _ => out.push(format!(
            "{name}: throttling must retry 4 times from 2 s with exponential backoff and full jitter"
        )),
    }
    match retriers(s.state)
        .iter()
        .find(|r| matches(r, "Bedrock.ModelTimeoutException"))
    {
        Some(r) if r["MaxAttempts"] == 2 => {}
        _ => out.push(format!("{name}: model timeouts must be retried twice")),
    }
    if attempts_for(s.state, "Bedrock.ValidationException").is_some_and(|n| n > 0) {
        out.push(format!("{name}: validation errors must never be retried"));
    }
    if attempts_for(s.state, "Bedrock.ServiceQuotaExceededException").is_some_and(|n| n > 0) {
        out.push(format!(
            "{name}: quota errors go to the fallback, not to a retry"
        ));
    }
    if is_fallback {
        if s.state["Parameters"]["ModelId"] != FALLBACK_MODEL {
            out.push(format!(
                "{name}: a fallback branch must call {FALLBACK_MODEL}"
            ));
        }
        return;
    }
    let quota = catchers(s.state)
        .iter()
        .position(|c| matches(c, "Bedrock.ServiceQuotaExceededException"));
    let catch_all = catchers(s.state)
        .iter()
        .position(|c| matches(c, "States.ALL"));
    match (quota, catch_all) {
        (Some(q), Some(a)) if q < a => {
            let c = &catchers(s.state)[q];
            let target = &s.siblings[c["Next"].as_str().unwrap_or_default()];
            if target["Resource"] != BEDROCK || target["Parameters"]["ModelId"] != FALLBACK_MODEL {
                out.push(format!(
                    "{name}: quota errors must go to a fallback-model task"
                ));
            }
            let path = c["ResultPath"].as_str().unwrap_or_default();
            // Inside a Map, the item's own record, which the Map collects.
            let collected = s.enclosing.is_some_and(|(_, map)| {
                let field = path.trim_start_matches("$.");
                map["ResultSelector"]
                    .as_object()
                    .is_some_and(|m| m.values().any(|v| *v == format!("$[*].{field}")))
            });
            if !(path.starts_with("$.fallbacks.") || collected) {
                out.push(format!(
                    "{name}: the fallback must be recorded under $.fallbacks (the audit trail)"
                ));
            }
        }
        _ => out.push(format!(
            "{name}: quota-exceeded must be caught into a fallback branch before the catch-all"
        )),
    }
}

fn check_lambda(s: &StateRef<'_>, out: &mut Vec<String>) {
    let name = s.name;
    let recommended = retriers(s.state).iter().any(|r| {
        LAMBDA_SERVICE_ERRORS.iter().all(|e| matches(r, e))
            && r["IntervalSeconds"] == 2
            && r["MaxAttempts"] == 6
            && r["BackoffRate"].as_f64() == Some(2.0)
    });
    if !recommended {
        out.push(format!("{name}: AWS's recommended Lambda retry is missing"));
    }
    let function = s.state["Parameters"]["FunctionName"]
        .as_str()
        .unwrap_or_default();
    let prefix = if function.contains("CryptoPreprocess") {
        "CryptoPreprocess."
    } else if function.contains("VendorEnrichment") {
        "VendorEnrichment."
    } else {
        out.push(format!("{name}: calls an unknown function {function}"));
        return;
    };
    for error in RETRYABLE_FUNCTION_ERRORS
        .iter()
        .filter(|e| e.starts_with(prefix))
    {
        if attempts_for(s.state, error).is_none_or(|n| n == 0) {
            out.push(format!("{name}: the retryable {error} is not retried"));
        }
    }
    for error in FATAL_FUNCTION_ERRORS
        .iter()
        .filter(|e| e.starts_with(prefix))
    {
        if attempts_for(s.state, error).is_some_and(|n| n > 0) {
            out.push(format!("{name}: {error} can never succeed on retry"));
        }
    }
}

/// Every string of `value`, nested ones included.
fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Object(map) => map.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// A model's answer is kept whole and unparsed until a Choice has checked
/// its `stop_reason` and shape (a path that does not resolve, or a
/// `States.StringToJson` of prose, is `States.Runtime`: no Catch takes it);
/// no error text is ever put into a prompt.
fn check_model_answer(s: &StateRef<'_>, out: &mut Vec<String>) {
    let name = s.name;
    let reads_inside = strings(&s.state["ResultSelector"])
        .iter()
        .any(|p| p.contains("StringToJson") || p.contains("$.Body."));
    if reads_inside || s.state["ResultSelector"].is_null() {
        out.push(format!(
            "{name}: reads the model's answer before a guard (keep $.Body whole in ResultSelector)"
        ));
    }
    let next = &s.siblings[s.state["Next"].as_str().unwrap_or_default()];
    let checks_stop_reason = next["Type"] == "Choice"
        && serde_json::to_string(&next["Choices"])
            .unwrap_or_default()
            .contains(".stop_reason\"");
    if !checks_stop_reason {
        out.push(format!(
            "{name}: the model's answer is not checked (stop_reason) by the next state"
        ));
    }
    let prompt = strings(&s.state["Parameters"]["Body"]["messages"]);
    if prompt
        .iter()
        .any(|p| p.contains("$.error") || p.contains("fallback") || p.contains(".Cause"))
    {
        out.push(format!("{name}: error text could become prompt text"));
    }
}
