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
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = debug.join("examples").join("query_cloudwatch");
    assert!(path.exists(), "{} is built by cargo test", path.display());
    path
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
