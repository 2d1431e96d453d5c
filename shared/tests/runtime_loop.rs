//! The runtime loop's guarantees, where they are implemented: the example
//! binary (`actionkit::serve`) against the Runtime API stand-in, with client
//! contexts as real Lambda sends them. Every invocation is answered and the
//! loop goes on; a Gateway tool call is routed by its tool name whatever else
//! the context holds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use actionkit_testkit::{RuntimeApiStub, StubAnswer, StubInvocation};
use base64::Engine;
use serde_json::{Value, json};

/// The example binary, built by `cargo test` beside this test.
fn example() -> PathBuf {
    actionkit_testkit::example_binary("query_cloudwatch")
}

fn serve(invocations: Vec<(Option<String>, Value)>) -> Vec<StubAnswer> {
    let stub = RuntimeApiStub::start(
        invocations
            .into_iter()
            .enumerate()
            .map(|(i, (client_context, body))| StubInvocation {
                request_id: format!("req-{i}"),
                client_context,
                body: body.to_string(),
            })
            .collect(),
    );
    let (_, answers) = stub.run_function(&example(), Duration::from_secs(60));
    answers
}

fn tool_context(extra: Value) -> String {
    let mut custom = json!({"bedrockAgentCoreToolName": "logs___get_cloudwatch_logs"});
    if let (Value::Object(custom), Value::Object(extra)) = (&mut custom, extra) {
        custom.extend(extra);
    }
    json!({"custom": custom}).to_string()
}

#[test]
fn every_client_context_shape_is_served() {
    let args = json!({"log_group": "/aws/lambda/api-handler", "query": "fields @message"});
    let agent = json!({"messageVersion": "1.0", "agent": {"name": "a", "id": "A", "alias": "T", "version": "1"},
        "inputText": "", "sessionId": "1", "actionGroup": "LogInsights", "function": "query_cloudwatch",
        "parameters": [{"name": "log_group", "type": "string", "value": "/aws/lambda/api-handler"},
                       {"name": "query", "type": "string", "value": "fields @message"}],
        "sessionAttributes": {}, "promptSessionAttributes": {}});
    let object_value =
        tool_context(json!({"bedrockAgentCorePropagatedHeaders": {"x-tenant": "acme", "n": 1}}));
    let base64 = base64::engine::general_purpose::STANDARD.encode(&object_value);
    let answers = serve(vec![
        (Some(object_value), args.clone()),
        (Some(base64), args.clone()),
        (
            Some(tool_context(
                json!({"bedrockAgentCoreMessageVersion": "1.0"}),
            )),
            args.clone(),
        ),
        (Some("not json at all".into()), agent.clone()),
        (Some("[1, 2]".into()), agent.clone()),
        (None, agent),
    ]);
    assert_eq!(answers.len(), 6, "{answers:?}");
    assert!(answers.iter().all(|a| a.kind == "response"), "{answers:?}");
    let json = |a: &StubAnswer| serde_json::from_str::<Value>(&a.body).unwrap();
    for answer in &answers[..3] {
        assert!(
            json(answer)["results"].is_array(),
            "tool call: {}",
            answer.body
        );
    }
    for answer in &answers[3..] {
        let function = &json(answer)["response"]["function"];
        assert_eq!(function, "query_cloudwatch", "agent call: {}", answer.body);
    }
}

#[test]
fn malformed_events_are_named_errors_and_the_loop_goes_on() {
    let answers = serve(vec![
        (
            None,
            json!({"messageVersion": "1.0", "actionGroup": "g", "agent": {}}),
        ),
        (
            None,
            json!({"log_group": "/aws/lambda/api-handler", "query": "fields @message"}),
        ),
    ]);
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert_eq!(answers[0].kind, "error");
    assert!(
        answers[0].body.contains("QueryCloudWatch.MalformedEvent"),
        "{}",
        answers[0].body
    );
    assert_eq!(answers[1].kind, "response", "{}", answers[1].body);
}

/// The shapes real callers send (AgentCore Gateway samples carry
/// `"client": null` and `"environment": null`; propagated headers hold any
/// Unicode, sent as raw UTF-8 bytes in the header), every combination of
/// them, as JSON text and as base64: each one is a tool call answered as
/// one (never `MalformedEvent`, never misrouted as a task).
#[test]
fn every_combination_of_real_client_context_shapes_is_a_tool_call() {
    let args = json!({"log_group": "/aws/lambda/api-handler", "query": "fields @message"});
    let clients = [
        json!(null),
        json!({}),
        json!({"appTitle": "Zoë's app", "installation_id": "i-1"}),
        json!({"appVersionCode": 7, "appPackageName": null}),
        json!("not an object"),
    ];
    let environments = [
        json!(null),
        json!({}),
        json!({"locale": "de-DE", "tz": {"name": "Europe/Zürich"}}),
        json!([1, 2]),
    ];
    let extras = [
        json!({"bedrockAgentCorePropagatedHeaders": {"x-user": "Zoë Müller"}}),
        json!({"bedrockAgentCorePropagatedHeaders": {"x-tenant": "acme", "n": 1, "deep": {"a": [null, "✓"]}}}),
        json!({"bedrockAgentCoreMessageVersion": "1.0", "note": "日本語 😀"}),
        json!({"nothing": null}),
        json!({}),
    ];
    let mut invocations = Vec::new();
    for client in &clients {
        for environment in &environments {
            for extra in &extras {
                let mut custom = json!({"bedrockAgentCoreToolName": "logs___get_cloudwatch_logs"});
                if let (Value::Object(c), Value::Object(e)) = (&mut custom, extra) {
                    c.extend(e.clone());
                }
                let text = json!({"client": client, "environment": environment, "custom": custom})
                    .to_string();
                let base64 = base64::engine::general_purpose::STANDARD.encode(&text);
                invocations.push((Some(text), args.clone()));
                invocations.push((Some(base64), args.clone()));
            }
        }
    }
    let expected = invocations.len();
    let answers = serve(invocations);
    assert_eq!(answers.len(), expected);
    for answer in &answers {
        assert_eq!(answer.kind, "response", "{answer:?}");
        let json: Value = serde_json::from_str(&answer.body).unwrap();
        assert!(json["results"].is_array(), "tool call: {}", answer.body);
    }
}

/// A client context that is absent, empty or unreadable leaves an agent
/// event an agent event, answered in its envelope.
#[test]
fn absent_empty_or_unreadable_contexts_leave_agent_events_served() {
    let agent = json!({"messageVersion": "1.0", "agent": {"name": "a", "id": "A", "alias": "T", "version": "1"},
        "inputText": "", "sessionId": "1", "actionGroup": "LogInsights", "function": "query_cloudwatch",
        "parameters": [{"name": "log_group", "type": "string", "value": "/aws/lambda/api-handler"},
                       {"name": "query", "type": "string", "value": "fields @message"}],
        "sessionAttributes": {}, "promptSessionAttributes": {}});
    let shapes = [
        None,
        Some(String::new()),
        Some("{\"custom\": {\"x\": \"Zoë".to_owned()),
        Some("ÿþ not json".to_owned()),
        Some("{\"client\": null, \"environment\": null}".to_owned()),
    ];
    let expected = shapes.len();
    let answers = serve(shapes.into_iter().map(|c| (c, agent.clone())).collect());
    assert_eq!(answers.len(), expected, "{answers:?}");
    for answer in &answers {
        assert_eq!(answer.kind, "response", "{answer:?}");
        let json: Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(
            json["response"]["function"], "query_cloudwatch",
            "{}",
            answer.body
        );
    }
}

/// What could not be read is logged once per invocation, by part name,
/// never with its value.
#[test]
fn unreadable_parts_are_logged_once_without_values() {
    let args = json!({"log_group": "/aws/lambda/api-handler", "query": "fields @message"});
    let secret = "Zoë-secret-4711";
    let stub = RuntimeApiStub::start(vec![StubInvocation {
        request_id: "req-0".into(),
        client_context: Some(
            json!({"custom": {"bedrockAgentCoreToolName": "logs___get_cloudwatch_logs"},
                   "environment": [secret], "client": secret})
            .to_string(),
        ),
        body: args.to_string(),
    }]);
    let exit = stub
        .spawn(&example(), &[("AWS_LAMBDA_LOG_FORMAT", "JSON".into())])
        .wait(Duration::from_secs(60));
    assert_eq!(stub.answers().len(), 1);
    assert_eq!(stub.answers()[0].kind, "response");
    let warnings: Vec<Value> = exit
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["unreadable"].is_string())
        .collect();
    assert_eq!(warnings.len(), 1, "{}", exit.stdout);
    let parts = warnings[0]["unreadable"].as_str().unwrap();
    assert!(
        parts.contains("client context environment") && parts.contains("client context client"),
        "{parts}"
    );
    assert_eq!(warnings[0]["request_id"], "req-0");
    assert!(!exit.stdout.contains(secret) && !exit.stderr.contains(secret));
}

/// Values `serde_json` refuses beside the tool name (a lone surrogate
/// escape, nesting past its recursion limit), a header cut short after it,
/// a byte order mark, JSON text encoded as a JSON string once more: each
/// is still a tool call. The header is read member by member, so one
/// unreadable value loses only itself.
#[test]
fn what_one_json_parser_refuses_does_not_lose_the_tool_name() {
    let args = json!({"log_group": "/aws/lambda/api-handler", "query": "fields @message"});
    let tool = r#""bedrockAgentCoreToolName":"logs___get_cloudwatch_logs""#;
    let deep = format!("{}{}", "[".repeat(3000), "]".repeat(3000));
    let shapes = [
        format!(
            r#"{{"custom":{{{tool},"bedrockAgentCorePropagatedHeaders":{{"x-user":"\ud800"}}}}}}"#
        ),
        format!(r#"{{"custom":{{"h":"\udfff\ud83d",{tool}}}}}"#),
        format!(r#"{{"custom":{{{tool},"n":"\u0000"}},"environment":{deep}}}"#),
        format!(
            r#"{{"client":null,"custom":{{{tool},"h":{{"x-big":"{}"#,
            "z".repeat(2000)
        ),
        format!("\u{feff}{{\"custom\":{{{tool}}}}}"),
        serde_json::to_string(&format!("{{\"custom\":{{{tool}}}}}")).unwrap(),
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("{{\"custom\":{{{tool},\"u\":\"?>?>?\"}}}}")),
    ];
    let expected = shapes.len();
    let answers = serve(
        shapes
            .into_iter()
            .map(|c| (Some(c), args.clone()))
            .collect(),
    );
    assert_eq!(answers.len(), expected, "{answers:?}");
    for answer in &answers {
        assert_eq!(answer.kind, "response", "{answer:?}");
        let json: Value = serde_json::from_str(&answer.body).unwrap();
        assert!(json["results"].is_array(), "tool call: {}", answer.body);
    }
}

/// The other headers cannot lose the invocation either: a deadline that is
/// no number is "no deadline", an unreadable Cognito identity or an
/// oversized trace header is left out, a request id the URI grammar refuses
/// is quoted into the answer's path. An invocation without a request id
/// cannot be answered: it is skipped with one clear log line and the loop
/// goes on (no crash, no retry loop).
#[test]
fn other_headers_cannot_lose_the_invocation() {
    let args = json!({"log_group": "/aws/lambda/api-handler", "query": "fields @message"});
    let tool = Some(tool_context(json!({})));
    let invocation = |id: &str, headers: &[(&str, String)]| {
        (
            StubInvocation {
                request_id: id.to_owned(),
                client_context: tool.clone(),
                body: args.to_string(),
            },
            headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect::<Vec<_>>(),
        )
    };
    let stub = RuntimeApiStub::start_with(
        vec![
            invocation("req-0", &[("Lambda-Runtime-Deadline-Ms", "soon".into())]),
            invocation("req-1", &[("Lambda-Runtime-Aws-Request-Id", String::new())]),
            invocation(
                "req-2",
                &[
                    (
                        "Lambda-Runtime-Cognito-Identity",
                        r#"{"identityId":null,"x":"\ud800"#.into(),
                    ),
                    (
                        "Lambda-Runtime-Trace-Id",
                        format!("Root=1-{}", "a".repeat(20_000)),
                    ),
                ],
            ),
            invocation("req 3/../next?x#y", &[]),
            invocation("req-4", &[]),
        ],
        false,
    );
    let exit = stub
        .spawn(&example(), &[("AWS_LAMBDA_LOG_FORMAT", "JSON".into())])
        .wait(Duration::from_secs(60));
    let answers = stub.answers();
    let ids: Vec<&str> = answers.iter().map(|a| a.request_id.as_str()).collect();
    assert_eq!(
        ids,
        ["req-0", "req-2", "req%203%2F..%2Fnext%3Fx%23y", "req-4"],
        "{answers:?}"
    );
    for answer in &answers {
        assert_eq!(answer.kind, "response", "{answer:?}");
        let json: Value = serde_json::from_str(&answer.body).unwrap();
        assert!(json["results"].is_array(), "tool call: {}", answer.body);
    }
    let skipped = exit
        .stdout
        .lines()
        .chain(exit.stderr.lines())
        .filter(|l| l.contains("without a Lambda-Runtime-Aws-Request-Id"))
        .count();
    assert_eq!(skipped, 1, "{}\n{}", exit.stdout, exit.stderr);
    let warned: Vec<Value> = exit
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["unreadable"].is_string())
        .collect();
    let parts: Vec<(&str, &str)> = warned
        .iter()
        .map(|w| {
            (
                w["request_id"].as_str().unwrap_or_default(),
                w["unreadable"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        parts
            .iter()
            .any(|(id, p)| *id == "req-0" && p.contains("deadline")),
        "{parts:?}"
    );
    assert!(
        parts.iter().any(|(id, p)| *id == "req-2"
            && p.contains("cognito identity")
            && p.contains("trace id")),
        "{parts:?}"
    );
    assert!(
        !exit.stdout.contains("aaaaaaaaaaaaaaaa"),
        "the trace header is not logged"
    );
}

/// Huge values in the client context (up to a megabyte beside the tool
/// name, duplicated sections) are read like small ones.
#[test]
fn huge_and_repeated_client_context_parts_are_tool_calls() {
    let args = json!({"log_group": "/aws/lambda/api-handler", "query": "fields @message"});
    let mut invocations: Vec<(Option<String>, Value)> = [10_000usize, 100_000, 1_000_000]
        .into_iter()
        .map(|n| {
            (
                Some(tool_context(json!({"big": "z".repeat(n)}))),
                args.clone(),
            )
        })
        .collect();
    invocations.push((
        Some(
            r#"{"custom":{"bedrockAgentCoreToolName":"logs___get_cloudwatch_logs"},"custom":null,"custom":{"a":1}}"#
                .to_owned(),
        ),
        args.clone(),
    ));
    let expected = invocations.len();
    let answers = serve(invocations);
    assert_eq!(answers.len(), expected, "{answers:?}");
    for answer in &answers {
        assert_eq!(answer.kind, "response", "{}", answer.request_id);
        let json: Value = serde_json::from_str(&answer.body).unwrap();
        assert!(json["results"].is_array(), "tool call: {}", answer.body);
    }
}
