//! The workflows executed end to end *with their model steps*, on a second
//! ASL executor: aws-local-stepfunctions (npm, pinned), run by
//! `tests/stack/harness/run-workflow.cjs`. Its Bedrock tasks answer with
//! scripted, realistic Anthropic Messages bodies (or Bedrock errors); its
//! Lambda tasks reach the real function binaries under `cargo lambda watch`;
//! SQS and S3 tasks reach a moto server. The harness makes the executor keep
//! Step Functions' rules it does not keep by itself (256 KiB per state,
//! uncatchable runtime errors, backslashes in intrinsic results; see its
//! header), so a scenario that would fail on AWS with no dead-letter message
//! fails here too.
//!
//! Each scenario asserts the states visited, the attempts, and the final
//! output or the dead-letter message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use actionkit_stack::placeholders;
use actionkit_testkit::{HttpMessage, LambdaWatch, Moto, aws_json, moto_auth, repo_root, send};
use serde_json::{Value, json};

const BUCKET: &str = "actionkit-payloads";
/// 32 bytes, base64: the local master key (not for production).
const MASTER_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/// Step Functions' limit per state (input, output, task result).
const STATE_LIMIT: u64 = 256 * 1024;
/// crypto-preprocess writes outputs over this to S3 (its `main.rs`).
const OFFLOAD_ABOVE: usize = 200 * 1024;

const PII: [&str; 5] = [
    "Jane Doe",
    "jane.doe@example.com",
    "GB29 NWBK 6016 1331 9268 19",
    "+44 20 7946 0958",
    "Bob Martin",
];

struct Stack {
    moto: Moto,
    watch: Option<LambdaWatch>,
    dead_letter: String,
    review: String,
}

impl Stack {
    /// moto, and the function binaries under `cargo lambda watch` when the
    /// workflow calls functions.
    fn start(functions: bool) -> Self {
        let moto = Moto::start();
        let watch = functions.then(|| {
            LambdaWatch::start(&[
                ("AWS_ENDPOINT_URL", moto.endpoint()),
                ("AWS_REGION", "us-east-1".into()),
                ("AWS_ACCESS_KEY_ID", "testing".into()),
                ("AWS_SECRET_ACCESS_KEY", "testing".into()),
                ("LOCAL_MASTER_KEY", MASTER_KEY.into()),
                ("TOKEN_KEY", "model-execution-token-key".into()),
                ("PAYLOAD_BUCKET", BUCKET.into()),
                ("PAYLOAD_PREFIX", "payloads/".into()),
            ])
        });
        let s3 = HttpMessage {
            start: format!("PUT /{BUCKET} HTTP/1.1"),
            headers: vec![moto_auth("s3")],
            body: Vec::new(),
        };
        assert_eq!(send(moto.port(), &s3).unwrap().status(), 200);
        let queue = |name: &str| {
            aws_json(
                moto.port(),
                "sqs",
                "AmazonSQS.CreateQueue",
                &json!({"QueueName": name}),
            )
            .unwrap()["QueueUrl"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let (dead_letter, review) = (queue("dead-letter"), queue("human-review"));
        let stack = Self {
            moto,
            watch,
            dead_letter,
            review,
        };
        if stack.watch.is_some() {
            stack.warm_up();
        }
        stack
    }

    /// `cargo lambda watch` builds a function on its first invocation: wait
    /// for both builds here, not inside a scenario.
    fn warm_up(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(540);
        for function in ["crypto-preprocess", "vendor-enrichment"] {
            let request = HttpMessage {
                start: format!("POST /2015-03-31/functions/{function}/invocations HTTP/1.1"),
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: b"{}".to_vec(),
            };
            while send(self.watch.as_ref().unwrap().port(), &request).is_err() {
                assert!(
                    std::time::Instant::now() < deadline,
                    "{function} did not start under cargo lambda watch"
                );
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
        }
    }

    fn put_object(&self, key: &str, body: &Value) {
        let put = HttpMessage {
            start: format!("PUT /{BUCKET}/{key} HTTP/1.1"),
            headers: vec![moto_auth("s3")],
            body: body.to_string().into_bytes(),
        };
        assert_eq!(send(self.moto.port(), &put).unwrap().status(), 200);
    }

    fn get_object(&self, key: &str) -> String {
        let get = HttpMessage {
            start: format!("GET /{BUCKET}/{key} HTTP/1.1"),
            headers: vec![moto_auth("s3")],
            body: Vec::new(),
        };
        let response = send(self.moto.port(), &get).unwrap();
        assert_eq!(response.status(), 200, "{key}: {}", response.text());
        response.text()
    }

    /// One call of a function under `cargo lambda watch`, as Lambda Invoke.
    fn invoke(&self, function: &str, payload: &Value) -> (u16, Value) {
        let request = HttpMessage {
            start: format!("POST /2015-03-31/functions/{function}/invocations HTTP/1.1"),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: payload.to_string().into_bytes(),
        };
        // A source change makes `cargo lambda watch` rebuild: wait for it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
        let response = loop {
            match send(self.watch.as_ref().unwrap().port(), &request) {
                Ok(response) => break response,
                Err(e) => assert!(std::time::Instant::now() < deadline, "{function}: {e}"),
            }
        };
        (
            response.status(),
            serde_json::from_slice(&response.body).unwrap_or(Value::Null),
        )
    }

    fn queue_depth(&self, queue: &str) -> u64 {
        let got = aws_json(
            self.moto.port(),
            "sqs",
            "AmazonSQS.GetQueueAttributes",
            &json!({"QueueUrl": queue, "AttributeNames": ["ApproximateNumberOfMessages"]}),
        )
        .unwrap();
        got["Attributes"]["ApproximateNumberOfMessages"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// The committed definition with the substitutions SAM would make.
    fn definition(&self, file: &str) -> String {
        let mut text =
            std::fs::read_to_string(repo_root().join("statemachines").join(file)).unwrap();
        for name in placeholders(&text.clone()) {
            let value = match name.as_str() {
                "CryptoPreprocessFunctionArn" => {
                    "arn:aws:lambda:us-east-1:123456789012:function:crypto-preprocess".into()
                }
                "VendorEnrichmentFunctionArn" => {
                    "arn:aws:lambda:us-east-1:123456789012:function:vendor-enrichment".into()
                }
                "ResultBucket" => BUCKET.into(),
                "DeadLetterQueueUrl" => self.dead_letter.clone(),
                "HumanReviewQueueUrl" => self.review.clone(),
                model => format!(
                    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/{model}"
                ),
            };
            text = text.replace(&format!("${{{name}}}"), &value);
        }
        text
    }

    /// Runs `scenarios` on the harness, one after another; one result each.
    fn run(&self, file: &str, scenarios: &[Value]) -> Vec<Run> {
        let harness = repo_root().join("tests/stack/harness/run-workflow.cjs");
        let executor = repo_root().join("node_modules/aws-local-stepfunctions");
        assert!(
            executor.exists(),
            "{} is missing: run `make test` (it runs `npm ci`)",
            executor.display()
        );
        let input = json!({
            "definition": self.definition(file),
            "lambda_port": self.watch.as_ref().map_or(0, LambdaWatch::port),
            "moto_port": self.moto.port(),
            "machine_name": file.trim_end_matches(".asl.json"),
            "scenarios": scenarios,
        });
        let mut child = Command::new("node")
            .arg(&harness)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run node: {e}"));
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.to_string().as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "the harness failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let results: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(results.len(), scenarios.len());
        results.into_iter().map(Run).collect()
    }
}

/// One scenario's result, with the checks every scenario must pass.
struct Run(Value);

impl Run {
    fn name(&self) -> &str {
        self.0["name"].as_str().unwrap()
    }

    fn visited(&self) -> Vec<&str> {
        self.0["visited"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect()
    }

    fn attempts(&self, state: &str) -> u64 {
        self.0["attempts"][state].as_u64().unwrap_or(0)
    }

    fn dead_letters(&self) -> Vec<&Value> {
        self.0["sqs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["state"] == "SendToDeadLetter")
            .map(|m| &m["body"])
            .collect()
    }

    fn model_requests(&self, state: &str) -> Vec<&Value> {
        self.0["model_requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["state"] == state)
            .map(|r| &r["body"])
            .collect()
    }

    /// Every run, whatever it does: no state over the limit, no failure no
    /// Catch could take, no request a real Bedrock would refuse, and no
    /// personal data in the recorded history or in what the models saw.
    fn check_invariants(&self) {
        let name = self.name();
        assert_ne!(
            self.0["uncatchable"], true,
            "{name}: ended on an uncatchable error {}",
            self.0["error"]
        );
        assert_eq!(
            self.0["limit_violations"],
            json!([]),
            "{name}: a state over 256 KiB"
        );
        assert!(
            self.0["largest_state_bytes"].as_u64().unwrap() <= STATE_LIMIT,
            "{name}"
        );
        assert_eq!(
            self.0["request_problems"],
            json!([]),
            "{name}: Bedrock would refuse"
        );
        let history = self.0["history"].to_string();
        let prompts = self.0["model_requests"].to_string();
        for datum in PII {
            assert!(!prompts.contains(datum), "{name}: {datum} reached a model");
            if self.0["name"].as_str().unwrap().starts_with("ref-") {
                assert!(!history.contains(datum), "{name}: {datum} in the history");
            }
        }
        // Error texts never become prompt text.
        for marker in ["Exception", "\"Cause\"", "scripted)", "injected "] {
            assert!(
                !prompts.contains(marker),
                "{name}: error text {marker:?} in a prompt"
            );
        }
        if self.0["status"] == "FAILED" {
            let dead = self.dead_letters();
            assert_eq!(dead.len(), 1, "{name}: one dead-letter message: {dead:?}");
            assert!(
                self.visited().ends_with(&["SendToDeadLetter"])
                    || self.visited().last().is_some_and(|s| s.ends_with("Failed")),
                "{name}: {:?}",
                self.visited()
            );
        }
    }

    fn succeeded(&self) -> &Value {
        self.check_invariants();
        assert_eq!(
            self.0["status"],
            "SUCCEEDED",
            "{}: {} after {:?}",
            self.name(),
            self.0["error"],
            self.visited()
        );
        assert!(self.dead_letters().is_empty(), "{}", self.name());
        &self.0["output"]
    }

    /// The run was dead-lettered under `error`; returns the message.
    fn dead_lettered(&self, error: &str) -> &Value {
        self.check_invariants();
        assert_eq!(
            self.0["status"],
            "FAILED",
            "{}: {:?}",
            self.name(),
            self.visited()
        );
        assert!(
            self.0["error"]["Error"]
                .as_str()
                .unwrap()
                .ends_with(".DeadLettered"),
            "{}: {}",
            self.name(),
            self.0["error"]
        );
        let message = self.dead_letters()[0];
        assert_eq!(
            message["error"]["Error"],
            error,
            "{}: {message} after {:?}",
            self.name(),
            self.visited()
        );
        assert!(
            message["error"]["Cause"].is_string(),
            "{}: the cause is kept: {message}",
            self.name()
        );
        assert!(
            message["execution"]
                .as_str()
                .unwrap()
                .ends_with(&format!(":{}", self.name())),
            "{message}"
        );
        message
    }

    fn went_through(&self, states: &[&str]) {
        let visited = self.visited();
        let mut at = 0;
        for state in states {
            match visited[at..].iter().position(|v| v == state) {
                Some(i) => at += i + 1,
                None => panic!("{}: {state} not visited in order: {visited:?}", self.name()),
            }
        }
    }

    fn avoided(&self, states: &[&str]) {
        for state in states {
            assert!(
                !self.visited().contains(state),
                "{}: {state} visited: {:?}",
                self.name(),
                self.visited()
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Realistic Anthropic Messages bodies.
// ---------------------------------------------------------------------------

fn usage(output_tokens: u64) -> Value {
    json!({"input_tokens": 1830, "output_tokens": output_tokens})
}

fn tool_answer(tool: &str, input: Value) -> Value {
    json!({"body": {
        "id": "msg_bdrk_01", "type": "message", "role": "assistant", "model": "claude",
        "content": [{"type": "tool_use", "id": "toolu_bdrk_01", "name": tool, "input": input}],
        "stop_reason": "tool_use", "stop_sequence": null, "usage": usage(412)
    }})
}

fn text_answer(text: &str) -> Value {
    json!({"body": {
        "id": "msg_bdrk_02", "type": "message", "role": "assistant", "model": "claude",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "stop_sequence": null, "usage": usage(230)
    }})
}

/// Cut off at max_tokens: the block is incomplete.
fn truncated_tool(tool: &str, max_tokens: u64) -> Value {
    json!({"body": {
        "id": "msg_bdrk_03", "type": "message", "role": "assistant", "model": "claude",
        "content": [{"type": "tool_use", "id": "toolu_bdrk_03", "name": tool, "input": {}}],
        "stop_reason": "max_tokens", "stop_sequence": null, "usage": usage(max_tokens)
    }})
}

fn truncated_text(text: &str, max_tokens: u64) -> Value {
    let mut answer = text_answer(text);
    answer["body"]["stop_reason"] = json!("max_tokens");
    answer["body"]["usage"] = usage(max_tokens);
    answer
}

/// A complete answer with no content block (models do return these).
fn empty_answer() -> Value {
    let mut answer = text_answer("");
    answer["body"]["content"] = json!([]);
    answer
}

fn with_copied_tokens(mut answer: Value) -> Value {
    answer["copy_tokens"] = json!(true);
    answer
}

fn bedrock_error(name: &str) -> Value {
    json!({"error": name, "cause": format!("{name}: scripted)")})
}

fn repeat(answer: Value, times: u64) -> Value {
    let mut a = answer;
    a["repeat"] = json!(times);
    a
}

fn when(mut answer: Value, text: &str) -> Value {
    answer["when"] = json!(text);
    answer
}

/// Bodies a model writes when it ignores the format it was asked for.
fn unusable_text_answers(json_text: &str) -> [(&'static str, Value); 3] {
    [
        ("fenced", text_answer(&format!("```json\n{json_text}\n```"))),
        (
            "prefixed",
            text_answer(&format!("Here is the extracted data: {json_text}")),
        ),
        (
            "non-json",
            text_answer("I'm sorry, but I can't read this document \"as is\"."),
        ),
    ]
}

// ---------------------------------------------------------------------------
// Invoice pipeline.
// ---------------------------------------------------------------------------

fn invoice_document(id: &str, note: &str) -> Value {
    json!({
        "invoice_id": id,
        "customer": {"name": "Jane Doe", "email": "jane.doe@example.com"},
        "contact": "Bob Martin",
        "note": note,
        "lines": [
            {"line_id": "L1", "description": "Laptop", "amount": 1299.9, "vendor_name": "Acme GmbH"},
            {"line_id": "L2", "description": "Toner", "amount": 89.5, "vendor_name": "Acme GmbH"}
        ]
    })
}

const NOTE: &str = "Refund to IBAN GB29 NWBK 6016 1331 9268 19; call +44 20 7946 0958.";

fn inline_input(id: &str) -> Value {
    json!({
        "document_id": id,
        "document": invoice_document(id, NOTE),
        "pii_fields": {"customer.name": "NAME", "contact": "NAME"}
    })
}

fn line(id: &str, description: &str, amount: f64) -> Value {
    json!({"line_id": id, "description": description, "amount": amount, "currency": "EUR",
           "vendor_name": "Acme GmbH", "vendor_tax_id": null})
}

fn fields(confidence: f64, total: f64, lines: Vec<Value>) -> Value {
    json!({
        "document_type": "invoice", "language": "en", "confidence": confidence,
        "vendor_name": "Acme GmbH", "vendor_tax_id": null, "currency": "EUR",
        "total_amount": total, "line_items": lines
    })
}

fn good_fields() -> Value {
    fields(
        0.96,
        1389.4,
        vec![line("L1", "Laptop", 1299.9), line("L2", "Toner", 89.5)],
    )
}

/// The extraction copies the tokens of the buyer it read, as asked.
fn extraction(mut fields: Value) -> Value {
    if let Some(f) = fields.as_object_mut() {
        f.insert("buyer".into(), json!("{tokens}"));
    }
    with_copied_tokens(tool_answer("record_invoice", fields))
}

fn risk(score: u64, contested: bool) -> Value {
    tool_answer(
        "record_risk",
        json!({"risk_score": score, "contested": contested, "reasons": ["known vendor"]}),
    )
}

fn narrative() -> Value {
    with_copied_tokens(text_answer(
        "Two lines from Acme GmbH (capex, opex) for customer {tokens}; low risk.",
    ))
}

/// The model answers of a run that goes all the way (no escalation).
fn models(extract: Vec<Value>) -> Value {
    json!({
        "ExtractInvoiceFields": extract,
        "ScoreRisk": [risk(20, false)],
        "WriteAuditNarrative": [narrative()],
    })
}

fn scenario(name: &str, input: Value, models: Value) -> Value {
    json!({"name": name, "input": input, "models": models})
}

const HAPPY_PATH: [&str; 17] = [
    "ValidateInput",
    "PseudonymizeDocument",
    "IsRedactedDocumentInline",
    "ExtractInvoiceFields",
    "CheckExtraction",
    "KeepExtraction",
    "RouteByDocument",
    "EnrichLineItems",
    "ScoreRisk",
    "CheckRisk",
    "KeepRisk",
    "WriteAuditNarrative",
    "CheckAuditNarrative",
    "KeepAuditNarrative",
    "NeedsEscalation",
    "ReidentifyNarrative",
    "WriteResult",
];

/// A note that makes the pseudonymize output of [`invoice_document`] the
/// largest that stays inline (`at_most`) or the smallest that does not,
/// found by asking the real function.
fn note_for_output_size(stack: &Stack, id: &str, scenario: &str, at_most: bool) -> String {
    // Exactly what PseudonymizeDocument sends in that scenario.
    let execution =
        format!("arn:aws:states:us-east-1:123456789012:execution:invoice-pipeline:{scenario}");
    let size = |n: usize| {
        let note = NOTE.repeat(n / NOTE.len() + 1)[..n].to_owned();
        let input = json!({"task": "pseudonymize", "input": {
            "document_id": id, "document": invoice_document(id, &note),
            "fields": {"customer.name": "NAME", "contact": "NAME"},
            "context": {"execution_id": execution}}});
        let (status, out) = stack.invoke("crypto-preprocess", &input);
        assert_eq!(status, 200, "{out}");
        let inline = out.get("payload_ref").is_none();
        (note, inline)
    };
    // Binary search on the note's length: inline below, offloaded above.
    let (mut lo, mut hi) = (1_000usize, 260 * 1024);
    assert!(size(lo).1 && !size(hi).1);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if size(mid).1 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    size(if at_most { lo } else { hi }).0
}

#[test]
fn invoice_pipeline_with_its_model_steps() {
    let stack = Stack::start(true);
    let file = "invoice-pipeline.asl.json";
    let mut scenarios = Vec::new();
    let mut add = |s: Value| scenarios.push(s);

    // Happy paths: a JSON document with listed fields, one without (pii_fields
    // is optional), free text.
    add(scenario(
        "happy",
        inline_input("INV-1"),
        models(vec![extraction(good_fields())]),
    ));
    // Without pii_fields only the detectors run: a document whose personal
    // data they find (no names).
    let mut no_fields = inline_input("INV-2");
    no_fields.as_object_mut().unwrap().remove("pii_fields");
    no_fields["document"]["customer"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    no_fields["document"]
        .as_object_mut()
        .unwrap()
        .remove("contact");
    add(scenario(
        "no-pii-fields",
        no_fields,
        models(vec![extraction(good_fields())]),
    ));
    add(scenario(
        "free-text",
        json!({"document_id": "INV-3", "text": format!("Invoice INV-3 for jane.doe@example.com. Laptop 1299.90 EUR, Toner 89.50 EUR. {NOTE}")}),
        models(vec![extraction(good_fields())]),
    ));

    // The payload-reference path: the document, and the document id and
    // encryption context its vault is sealed under, are in S3 (the uploader
    // chose them); pseudonymize says which sealed it, the state carries that,
    // and re-identification opens with it. No personal data anywhere in the
    // history, not even in the input.
    let mut referenced = inline_input("INV-4-upload");
    referenced["fields"] = referenced["pii_fields"].take();
    referenced.as_object_mut().unwrap().remove("pii_fields");
    referenced["context"] = json!({"execution_id": "upload-7f3a", "tenant_id": "acme"});
    stack.put_object("payloads/incoming/INV-4.json", &referenced);
    let reference = json!({"bucket": BUCKET, "key": "payloads/incoming/INV-4.json", "bytes": 1});
    add(scenario(
        "ref-path",
        json!({"document_id": "INV-4", "payload_ref": reference}),
        models(vec![extraction(good_fields())]),
    ));

    // Each Bedrock error class, at the extraction step.
    let throttled = bedrock_error("ThrottlingException");
    add(scenario(
        "throttled-under-limit",
        inline_input("INV-5"),
        models(vec![
            repeat(throttled.clone(), 4),
            extraction(good_fields()),
        ]),
    ));
    add(scenario(
        "throttled-over-limit",
        inline_input("INV-6"),
        models(vec![repeat(throttled.clone(), 5)]),
    ));
    add(scenario(
        "model-timeout-once",
        inline_input("INV-7"),
        models(vec![
            bedrock_error("ModelTimeoutException"),
            extraction(good_fields()),
        ]),
    ));
    add(scenario(
        "model-timeout-over-limit",
        inline_input("INV-8"),
        models(vec![repeat(bedrock_error("ModelTimeoutException"), 3)]),
    ));
    add(scenario(
        "validation",
        inline_input("INV-9"),
        models(vec![bedrock_error("ValidationException")]),
    ));
    add(scenario(
        "access-denied",
        inline_input("INV-10"),
        models(vec![bedrock_error("AccessDeniedException")]),
    ));
    add(
        json!({"name": "quota-fallbacks", "input": inline_input("INV-11"), "models": {
            "ExtractInvoiceFields": [bedrock_error("ServiceQuotaExceededException")],
            "ExtractInvoiceFieldsFallback": [extraction(good_fields())],
            "ScoreRisk": [bedrock_error("ServiceQuotaExceededException")],
            "ScoreRiskFallback": [risk(20, false)],
            "WriteAuditNarrative": [bedrock_error("ServiceQuotaExceededException")],
            "WriteAuditNarrativeFallback": [narrative()],
        }}),
    );

    // Model answers in the wrong form: a text block instead of the tool
    // call (fenced, prefixed, prose), and answers cut off at max_tokens.
    let fields_text = good_fields().to_string();
    for (kind, answer) in unusable_text_answers(&fields_text) {
        add(scenario(
            &format!("extract-{kind}"),
            inline_input("INV-12"),
            models(vec![answer]),
        ));
    }
    add(scenario(
        "extract-truncated",
        inline_input("INV-13"),
        models(vec![truncated_tool("record_invoice", 8192)]),
    ));
    add(
        json!({"name": "risk-truncated", "input": inline_input("INV-14"), "models": {
            "ExtractInvoiceFields": [extraction(good_fields())],
            "ScoreRisk": [truncated_tool("record_risk", 2048)],
        }}),
    );
    add(
        json!({"name": "narrative-truncated", "input": inline_input("INV-15"), "models": {
            "ExtractInvoiceFields": [extraction(good_fields())],
            "ScoreRisk": [risk(20, false)],
            "WriteAuditNarrative": [truncated_text("Two lines from Acme GmbH (capex", 4096)],
        }}),
    );
    add(scenario(
        "tool-input-not-object",
        inline_input("INV-16"),
        models(vec![tool_answer(
            "record_invoice",
            json!("{\"document_type\": \"invoice\"}"),
        )]),
    ));

    // Function error classes: the real function's InvalidInput, a retryable
    // KeyUnavailable under and over its attempts, the configuration fault
    // KeyUnusable (never retried), Lambda service errors (retried).
    add(scenario(
        "function-invalid-input",
        json!({"document_id": "", "document": {"note": "nothing personal"}}),
        json!({}),
    ));
    add(
        json!({"name": "key-unavailable-retried", "input": inline_input("INV-17"),
        "models": models(vec![extraction(good_fields())]),
        "lambda_faults": {"PseudonymizeDocument": ["CryptoPreprocess.KeyUnavailable", "CryptoPreprocess.KeyUnavailable"]}}),
    );
    add(
        json!({"name": "key-unavailable-over-limit", "input": inline_input("INV-18"), "models": {},
        "lambda_faults": {"PseudonymizeDocument": vec!["CryptoPreprocess.KeyUnavailable"; 4]}}),
    );
    add(
        json!({"name": "key-unusable", "input": inline_input("INV-19"), "models": {},
        "lambda_faults": {"PseudonymizeDocument": ["CryptoPreprocess.KeyUnusable"]}}),
    );
    // An answer no real pseudonymize gives (no vault, no context): the
    // defensive branch dead-letters it by name instead of failing later.
    add(
        json!({"name": "unexpected-pseudonymize-output", "input": inline_input("INV-28"), "models": {},
        "lambda_outputs": {"PseudonymizeDocument": [{"document_id": "INV-28", "text": "x"}]}}),
    );
    add(
        json!({"name": "decrypt-failed", "input": inline_input("INV-27"),
        "models": models(vec![extraction(good_fields())]),
        "lambda_faults": {"ReidentifyNarrative": ["CryptoPreprocess.DecryptFailed"]}}),
    );
    add(
        json!({"name": "lambda-service-errors", "input": inline_input("INV-20"),
        "models": models(vec![extraction(good_fields())]),
        "lambda_faults": {"ReidentifyNarrative": ["Lambda.ServiceException", "Lambda.TooManyRequestsException"]}}),
    );

    // Map items: one invalid line stays in its slot (the run goes on); one
    // line whose store stays unavailable fails the run under its own error.
    let mixed = fields(
        0.95,
        1389.4,
        vec![
            line("L1", "Laptop", 1299.9),
            line("L2", "Toner", -89.5),
            json!({"description": "Cables", "amount": 12.0, "currency": "EUR", "vendor_name": "Acme GmbH"}),
        ],
    );
    add(scenario(
        "map-one-invalid-line",
        inline_input("INV-21"),
        models(vec![extraction(mixed)]),
    ));
    add(
        json!({"name": "map-one-failing-line", "input": inline_input("INV-22"),
        "models": {"ExtractInvoiceFields": [extraction(good_fields())]},
        "lambda_faults": {"EnrichLineItem": [
            {"error": "VendorEnrichment.StoreUnavailable", "when": "Toner"},
            {"error": "VendorEnrichment.StoreUnavailable", "when": "Toner"},
            {"error": "VendorEnrichment.StoreUnavailable", "when": "Toner"},
            {"error": "VendorEnrichment.StoreUnavailable", "when": "Toner"}]}}),
    );

    // RouteByDocument's branches to a person, and the reviewer's outcomes.
    let review = |name: &str, f: Value, decision: Value| {
        json!({"name": name, "input": inline_input(&format!("INV-{name}")),
               "models": models(vec![extraction(f)]), "reviews": [{"output": decision}]})
    };
    let mut low = good_fields();
    low["confidence"] = json!(0.42);
    add(review(
        "review-approve",
        low.clone(),
        json!({"decision": "approve", "reviewer": "ap-clerk-3"}),
    ));
    add(review(
        "review-correct",
        low.clone(),
        json!({"decision": "correct", "reviewer": "ap-clerk-3",
        "fields": fields(1.0, 1299.9, vec![line("L1", "Laptop", 1299.9)])}),
    ));
    add(review(
        "review-reject",
        low.clone(),
        json!({"decision": "reject", "reviewer": "ap-clerk-3", "reason": "duplicate of INV-1"}),
    ));
    add(review(
        "review-invalid",
        low.clone(),
        json!({"decision": "maybe"}),
    ));
    let mut incomplete = good_fields();
    incomplete.as_object_mut().unwrap().remove("language");
    add(review(
        "review-incomplete-approved",
        incomplete,
        json!({"decision": "approve"}),
    ));
    add(review(
        "review-correct-unusable",
        low.clone(),
        json!({"decision": "correct", "fields": {"document_type": "invoice"}}),
    ));
    let mut credit = good_fields();
    credit["document_type"] = json!("credit_note");
    add(review(
        "review-document-type",
        credit,
        json!({"decision": "reject"}),
    ));
    let mut french = good_fields();
    french["language"] = json!("pl");
    add(review(
        "review-language",
        french,
        json!({"decision": "approve"}),
    ));
    let many: Vec<Value> = (1..=101)
        .map(|i| line(&format!("L{i}"), "Paper", 1.0))
        .collect();
    add(review(
        "review-too-many-lines",
        fields(0.9, 101.0, many),
        json!({"decision": "reject"}),
    ));
    let mut wrong_lines = good_fields();
    wrong_lines["line_items"] = json!("Laptop, Toner");
    add(review(
        "review-lines-not-a-list",
        wrong_lines,
        json!({"decision": "reject"}),
    ));
    scenarios.push(
        json!({"name": "review-task-failure", "input": inline_input("INV-rtf"),
        "models": models(vec![extraction(low)]),
        "reviews": [{"error": "Review.Abandoned", "cause": "the reviewer gave up"}]}),
    );

    // NeedsEscalation: high value, contested.
    let mut big = good_fields();
    big["total_amount"] = json!(75_000.0);
    scenarios.push(
        json!({"name": "escalation-high-value", "input": inline_input("INV-23"), "models": {
            "ExtractInvoiceFields": [extraction(big)],
            "ScoreRisk": [risk(20, false)],
            "WriteAuditNarrative": [narrative()],
            "EscalationReview": [bedrock_error("ServiceQuotaExceededException")],
            "EscalationReviewFallback": [text_answer("Check the delivery note before paying.")],
        }}),
    );
    scenarios.push(
        json!({"name": "escalation-contested", "input": inline_input("INV-24"), "models": {
            "ExtractInvoiceFields": [extraction(good_fields())],
            "ScoreRisk": [risk(35, true)],
            "WriteAuditNarrative": [narrative()],
            "EscalationReview": [text_answer("The dispute concerns line L2.")],
        }}),
    );

    // The other guards' branches, and escalation by risk score.
    for (name, risk_answer, audit, escalation) in [
        (
            "risk-malformed",
            text_answer("{\"risk_score\": 20}"),
            json!(null),
            json!(null),
        ),
        (
            "narrative-malformed",
            risk(20, false),
            empty_answer(),
            json!(null),
        ),
        (
            "escalation-risk-score",
            risk(85, false),
            narrative(),
            text_answer("Check the bank details."),
        ),
        (
            "escalation-truncated",
            risk(85, false),
            narrative(),
            truncated_text("Check the", 4096),
        ),
        (
            "escalation-malformed",
            risk(85, false),
            narrative(),
            empty_answer(),
        ),
    ] {
        scenarios.push(
            json!({"name": name, "input": inline_input(&format!("INV-{name}")), "models": {
                "ExtractInvoiceFields": [extraction(good_fields())],
                "ScoreRisk": [risk_answer],
                "WriteAuditNarrative": [audit],
                "EscalationReview": [escalation],
            }}),
        );
    }

    // The largest inline document, and one just over.
    let largest = note_for_output_size(&stack, "INV-25", "largest-inline", true);
    let over = note_for_output_size(&stack, "INV-26", "just-over-inline", false);
    let sized = |id: &str, note: &str| {
        json!({"document_id": id, "document": invoice_document(id, note),
               "pii_fields": {"customer.name": "NAME", "contact": "NAME"}})
    };
    scenarios.push(scenario(
        "largest-inline",
        sized("INV-25", &largest),
        models(vec![extraction(good_fields())]),
    ));
    scenarios.push(scenario(
        "just-over-inline",
        sized("INV-26", &over),
        json!({}),
    ));

    let started = std::time::Instant::now();
    let runs = stack.run(file, &scenarios);
    eprintln!(
        "{} invoice scenarios in {:?}",
        scenarios.len(),
        started.elapsed()
    );
    for run in &runs {
        eprintln!(
            "  {}: {} ms ({} ms in functions)",
            run.name(),
            run.0["duration_ms"],
            run.0["lambda_ms"]
        );
    }
    let by_name = |name: &str| {
        runs.iter()
            .find(|r| r.name() == name)
            .unwrap_or_else(|| panic!("no scenario {name}"))
    };

    // --- happy paths ---
    for (name, start) in [
        ("happy", "StartWithDocument"),
        ("no-pii-fields", "StartWithDocumentNoFields"),
        ("free-text", "StartWithText"),
    ] {
        let run = by_name(name);
        let out = run.succeeded();
        run.went_through(&[&[start][..], &HAPPY_PATH[1..]].concat());
        run.avoided(&["EscalationReview", "HumanReview"]);
        let result = &out["result"];
        assert_eq!(result["status"], "processed", "{name}");
        assert_eq!(result["fallbacks"], json!({}), "{name}");
        let lines = result["line_items"].as_array().unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["line_id"], "L1");
        assert_eq!(lines[1]["line_id"], "L2");
        assert_eq!(lines[1]["status"], "enriched");
        assert!(
            lines[0]["enrichment"]["category"].is_object(),
            "{}",
            lines[0]
        );
        assert_eq!(result["rejected_line_items"], json!([]));
        for state in [
            "PseudonymizeDocument",
            "ExtractInvoiceFields",
            "ScoreRisk",
            "ReidentifyNarrative",
            "WriteResult",
        ] {
            assert_eq!(run.attempts(state), 1, "{name}: {state}");
        }
        let prompt = run.model_requests("ExtractInvoiceFields")[0].to_string();
        assert!(
            prompt.contains("<EMAIL_"),
            "{name}: the model saw the redacted document"
        );
        // The narrative is re-identified into the bucket, not into the state.
        let narrative_key = result["reidentified_narrative"]["key"].as_str().unwrap();
        let restored = stack.get_object(narrative_key);
        assert!(
            restored.contains("jane.doe@example.com"),
            "{name}: {restored}"
        );
    }
    // The result object in S3 is valid JSON (JsonToString keeps the quotes
    // of the model's text escaped).
    let written: Value = serde_json::from_str(&stack.get_object("results/INV-1.json")).unwrap();
    assert_eq!(written["document_id"], "INV-1");

    // --- the payload-reference path ---
    let run = by_name("ref-path");
    let out = run.succeeded();
    run.went_through(&[
        "ValidateInput",
        "StartWithReference",
        "PseudonymizeDocument",
        "IsRedactedDocumentInline",
        "ExtractInvoiceFields",
        "ReidentifyNarrative",
        "WriteResult",
    ]);
    let call = run.0["lambda_calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["state"] == "ReidentifyNarrative")
        .unwrap();
    assert_eq!(
        call["payload"]["input"]["document_id"], "INV-4-upload",
        "the id that sealed, not the run's"
    );
    assert_eq!(
        call["payload"]["input"]["context"]["execution_id"], "upload-7f3a",
        "{call}"
    );
    assert_eq!(call["payload"]["input"]["context"]["tenant_id"], "acme");
    let restored = stack.get_object(
        out["result"]["reidentified_narrative"]["key"]
            .as_str()
            .unwrap(),
    );
    assert!(
        restored.contains("Jane Doe") && restored.contains("Bob Martin"),
        "{restored}"
    );
    // The inline path seals under this execution's id, and opens with it.
    let call = by_name("happy").0["lambda_calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["state"] == "ReidentifyNarrative")
        .unwrap();
    assert!(
        call["payload"]["input"]["context"]["execution_id"]
            .as_str()
            .unwrap()
            .ends_with(":happy"),
        "{call}"
    );

    // --- Bedrock error classes ---
    let run = by_name("throttled-under-limit");
    run.succeeded();
    assert_eq!(run.attempts("ExtractInvoiceFields"), 5, "1 + 4 retries");
    let run = by_name("throttled-over-limit");
    run.dead_lettered("Bedrock.ThrottlingException");
    assert_eq!(run.attempts("ExtractInvoiceFields"), 5);
    run.avoided(&["ExtractInvoiceFieldsFallback"]);
    let run = by_name("model-timeout-once");
    run.succeeded();
    assert_eq!(run.attempts("ExtractInvoiceFields"), 2);
    let run = by_name("model-timeout-over-limit");
    run.dead_lettered("Bedrock.ModelTimeoutException");
    assert_eq!(run.attempts("ExtractInvoiceFields"), 3, "1 + 2 retries");
    for (name, error) in [
        ("validation", "Bedrock.ValidationException"),
        ("access-denied", "Bedrock.AccessDeniedException"),
    ] {
        let run = by_name(name);
        run.dead_lettered(error);
        assert_eq!(
            run.attempts("ExtractInvoiceFields"),
            1,
            "{name}: never retried"
        );
        run.avoided(&["ExtractInvoiceFieldsFallback"]);
    }
    let run = by_name("quota-fallbacks");
    let out = run.succeeded();
    run.went_through(&[
        "ExtractInvoiceFields",
        "ExtractInvoiceFieldsFallback",
        "CheckExtraction",
        "ScoreRisk",
        "ScoreRiskFallback",
        "WriteAuditNarrative",
        "WriteAuditNarrativeFallback",
        "ReidentifyNarrative",
    ]);
    let fallbacks = &out["result"]["fallbacks"];
    for step in ["extract_fields", "score_risk", "audit_narrative"] {
        assert_eq!(
            fallbacks[step]["Error"], "Bedrock.ServiceQuotaExceededException",
            "{fallbacks}"
        );
    }
    assert_eq!(out["result"]["extraction"]["vendor_name"], "Acme GmbH");
    assert_eq!(out["result"]["risk"]["model"], "fallback");

    // --- unusable model answers: a named reason, dead-lettered, not retried ---
    for name in [
        "extract-fenced",
        "extract-prefixed",
        "extract-non-json",
        "tool-input-not-object",
    ] {
        let run = by_name(name);
        let message = run.dead_lettered("InvoicePipeline.ModelAnswerMalformed");
        assert!(
            message["error"]["Cause"]
                .as_str()
                .unwrap()
                .starts_with("ExtractInvoiceFields")
        );
        run.went_through(&[
            "ExtractInvoiceFields",
            "CheckExtraction",
            "ExtractionMalformed",
            "SendToDeadLetter",
        ]);
        assert_eq!(run.attempts("ExtractInvoiceFields"), 1);
    }
    by_name("extract-truncated").dead_lettered("InvoicePipeline.ModelAnswerTruncated");
    by_name("extract-truncated").went_through(&["CheckExtraction", "ExtractionTruncated"]);
    by_name("risk-truncated").dead_lettered("InvoicePipeline.ModelAnswerTruncated");
    by_name("risk-truncated").went_through(&["CheckRisk", "RiskTruncated"]);
    by_name("narrative-truncated").dead_lettered("InvoicePipeline.ModelAnswerTruncated");
    by_name("narrative-truncated")
        .went_through(&["CheckAuditNarrative", "AuditNarrativeTruncated"]);

    // --- function error classes ---
    let run = by_name("function-invalid-input");
    let message = run.dead_lettered("CryptoPreprocess.InvalidInput");
    assert_eq!(run.attempts("PseudonymizeDocument"), 1, "never retried");
    assert!(
        message["error"]["Cause"]
            .as_str()
            .unwrap()
            .contains("document_id"),
        "{message}"
    );
    let run = by_name("key-unavailable-retried");
    run.succeeded();
    assert_eq!(run.attempts("PseudonymizeDocument"), 3);
    let run = by_name("key-unavailable-over-limit");
    run.dead_lettered("CryptoPreprocess.KeyUnavailable");
    assert_eq!(run.attempts("PseudonymizeDocument"), 4, "1 + 3 retries");
    let run = by_name("key-unusable");
    run.dead_lettered("CryptoPreprocess.KeyUnusable");
    assert_eq!(
        run.attempts("PseudonymizeDocument"),
        1,
        "a configuration fault is not retried"
    );
    let run = by_name("unexpected-pseudonymize-output");
    run.dead_lettered("InvoicePipeline.UnexpectedFunctionOutput");
    assert!(
        run.visited().contains(&"UnexpectedPseudonymizeOutput"),
        "{:?}",
        run.visited()
    );
    let run = by_name("decrypt-failed");
    run.dead_lettered("CryptoPreprocess.DecryptFailed");
    assert_eq!(
        run.attempts("ReidentifyNarrative"),
        1,
        "tampered data is not retried"
    );
    let run = by_name("lambda-service-errors");
    run.succeeded();
    assert_eq!(run.attempts("ReidentifyNarrative"), 3);

    // --- Map items ---
    let run = by_name("map-one-invalid-line");
    let out = run.succeeded();
    let lines = out["result"]["line_items"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[1],
        json!({"line_id": "L2", "index": 1, "status": "rejected"})
    );
    assert_eq!(
        lines[2]["line_id"], "line-2",
        "a line without an id is named by its position"
    );
    let rejected = out["result"]["rejected_line_items"].as_array().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["line_id"], "L2");
    assert_eq!(rejected[0]["Error"], "VendorEnrichment.InvalidInput");
    let risk_prompt = run.model_requests("ScoreRisk")[0].to_string();
    assert!(
        !risk_prompt.contains("InvalidInput"),
        "the line's error stays out of the prompt"
    );
    let run = by_name("map-one-failing-line");
    let message = run.dead_lettered("VendorEnrichment.StoreUnavailable");
    assert!(
        message["error"]["Cause"]
            .as_str()
            .unwrap()
            .contains("injected"),
        "{message}"
    );
    assert_eq!(
        run.attempts("EnrichLineItem"),
        5,
        "L1 once, L2 1 + 3 retries"
    );
    run.went_through(&["EnrichLineItems", "SendToDeadLetter"]);

    // --- human review ---
    let run = by_name("review-approve");
    let out = run.succeeded();
    run.went_through(&[
        "RouteByDocument",
        "NeedsReviewLowConfidence",
        "HumanReview",
        "ReviewDecision",
        "CheckReviewedFields",
        "EnrichLineItems",
        "WriteResult",
    ]);
    assert_eq!(out["result"]["review"]["decision"], "approve");
    let sent = &run.0["sqs"].as_array().unwrap()[0];
    assert_eq!(sent["state"], "HumanReview");
    assert_eq!(sent["body"]["reason"], "extraction confidence below 0.8");
    assert!(sent["body"]["task_token"].is_string());
    let run = by_name("review-correct");
    let out = run.succeeded();
    run.went_through(&[
        "HumanReview",
        "ReviewDecision",
        "ApplyCorrection",
        "CheckReviewedFields",
        "EnrichLineItems",
    ]);
    assert_eq!(out["result"]["line_items"].as_array().unwrap().len(), 1);
    assert_eq!(out["result"]["extraction"]["confidence"], 1.0);
    let run = by_name("review-reject");
    let out = run.succeeded();
    run.went_through(&[
        "HumanReview",
        "ReviewDecision",
        "AssembleRejection",
        "WriteResult",
    ]);
    run.avoided(&["EnrichLineItems", "ScoreRisk", "ReidentifyNarrative"]);
    assert_eq!(out["result"]["status"], "rejected");
    assert_eq!(out["result"]["review"]["reason"], "duplicate of INV-1");
    by_name("review-invalid").dead_lettered("InvoicePipeline.InvalidReview");
    by_name("review-invalid").went_through(&["ReviewDecision", "InvalidReview"]);
    by_name("review-correct-unusable").dead_lettered("InvoicePipeline.InvalidReview");
    by_name("review-correct-unusable").went_through(&[
        "ApplyCorrection",
        "CheckReviewedFields",
        "InvalidReviewedFields",
    ]);
    let run = by_name("review-incomplete-approved");
    run.went_through(&[
        "NeedsReviewIncomplete",
        "HumanReview",
        "CheckReviewedFields",
    ]);
    run.succeeded();
    for (name, branch) in [
        ("review-document-type", "NeedsReviewDocumentType"),
        ("review-too-many-lines", "NeedsReviewTooManyLines"),
        ("review-lines-not-a-list", "NeedsReviewIncomplete"),
    ] {
        let run = by_name(name);
        run.succeeded();
        run.went_through(&[branch, "HumanReview", "AssembleRejection"]);
    }
    let run = by_name("review-language");
    run.succeeded();
    run.went_through(&[
        "NeedsReviewLanguage",
        "HumanReview",
        "CheckReviewedFields",
        "EnrichLineItems",
    ]);
    let message = by_name("review-task-failure").dead_lettered("Review.Abandoned");
    assert_eq!(message["error"]["Cause"], "the reviewer gave up");

    // --- escalation ---
    let run = by_name("escalation-high-value");
    let out = run.succeeded();
    run.went_through(&[
        "NeedsEscalation",
        "EscalationReview",
        "EscalationReviewFallback",
        "CheckEscalationReview",
        "KeepEscalationReview",
        "ReidentifyNarrative",
    ]);
    assert_eq!(out["result"]["escalation"]["reviewed"], true);
    assert_eq!(out["result"]["escalation"]["model"], "fallback");
    assert_eq!(
        out["result"]["fallbacks"]["escalation_review"]["Error"],
        "Bedrock.ServiceQuotaExceededException"
    );
    let run = by_name("escalation-contested");
    let out = run.succeeded();
    run.went_through(&[
        "NeedsEscalation",
        "EscalationReview",
        "KeepEscalationReview",
    ]);
    assert_eq!(
        out["result"]["escalation"]["text"],
        "The dispute concerns line L2."
    );

    by_name("risk-malformed").dead_lettered("InvoicePipeline.ModelAnswerMalformed");
    by_name("risk-malformed").went_through(&["CheckRisk", "RiskMalformed"]);
    by_name("narrative-malformed").dead_lettered("InvoicePipeline.ModelAnswerMalformed");
    by_name("narrative-malformed")
        .went_through(&["CheckAuditNarrative", "AuditNarrativeMalformed"]);
    let run = by_name("escalation-risk-score");
    assert_eq!(
        run.succeeded()["result"]["escalation"]["text"],
        "Check the bank details."
    );
    run.went_through(&[
        "NeedsEscalation",
        "EscalationReview",
        "CheckEscalationReview",
        "KeepEscalationReview",
    ]);
    by_name("escalation-truncated").dead_lettered("InvoicePipeline.ModelAnswerTruncated");
    by_name("escalation-truncated")
        .went_through(&["CheckEscalationReview", "EscalationReviewTruncated"]);
    by_name("escalation-malformed").dead_lettered("InvoicePipeline.ModelAnswerMalformed");
    by_name("escalation-malformed")
        .went_through(&["CheckEscalationReview", "EscalationReviewMalformed"]);

    // --- document sizes ---
    let run = by_name("largest-inline");
    run.succeeded();
    run.went_through(&HAPPY_PATH);
    let largest_state = run.0["largest_state_bytes"].as_u64().unwrap();
    eprintln!(
        "largest inline document: {} bytes of note; largest state {largest_state} bytes",
        largest.len()
    );
    assert!(largest.len() > 150 * 1024, "{}", largest.len());
    let run = by_name("just-over-inline");
    run.succeeded();
    run.went_through(&[
        "PseudonymizeDocument",
        "IsRedactedDocumentInline",
        "RouteOversizedDocument",
    ]);
    run.avoided(&["ExtractInvoiceFields"]);
    let sent = run.0["sqs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["state"] == "RouteOversizedDocument")
        .unwrap();
    assert!(sent["body"]["redacted_document"]["bytes"].as_u64().unwrap() > OFFLOAD_ABOVE as u64);

    // Every dead-letter message was delivered to the queue.
    let dead: usize = runs.iter().map(|r| r.dead_letters().len()).sum();
    assert_eq!(stack.queue_depth(&stack.dead_letter), dead as u64);

    generated_inputs_follow_the_input_contract(&stack);
}

/// A small reproducible generator (a fixed-seed LCG): the same inputs on
/// every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// A value of the kind `k`: 0 absent, 1 string, 2 number, 3 boolean, 4 null, 5 object.
fn of_kind(k: u64, object: Value) -> Option<Value> {
    match k {
        0 => None,
        1 => Some(json!("INV-g")),
        2 => Some(json!(42)),
        3 => Some(json!(true)),
        4 => Some(Value::Null),
        _ => Some(object),
    }
}

/// Generated inputs of every shape against the input contract: each takes
/// the branch the contract says, invalid ones are dead-lettered as
/// `InvoicePipeline.InvalidInput` before any function runs, and none ends
/// on an uncatchable error.
/// (Run by [`invoice_pipeline_with_its_model_steps`], on its stack.)
fn generated_inputs_follow_the_input_contract(stack: &Stack) {
    stack.put_object(
        "payloads/incoming/GEN.json",
        &json!({"document_id": "GEN", "document": {"note": "call +44 20 7946 0958"}}),
    );
    let mut rng = Lcg(13);
    let mut scenarios = Vec::new();
    let mut expected = Vec::new();
    for i in 0..60 {
        let kinds: Vec<u64> = (0..5).map(|_| rng.next(6)).collect();
        let mut input = serde_json::Map::new();
        let fields = [
            ("document_id", json!({"id": 1})),
            (
                "payload_ref",
                json!({"bucket": BUCKET, "key": "payloads/incoming/GEN.json", "bytes": 1}),
            ),
            (
                "document",
                json!({"note": "jane.doe@example.com, +44 20 7946 0958"}),
            ),
            ("pii_fields", json!({"note": "NOTE"})),
            ("text", json!("free text")),
        ];
        for ((name, object), k) in fields.iter().zip(&kinds) {
            // Mostly one source per input, so every branch is reached.
            let k = match *name {
                "document_id" if i % 4 != 0 => 1,
                "payload_ref" if i % 3 != 0 => 0,
                "document" if i % 3 != 1 => 0,
                "document" | "payload_ref" if *k >= 3 => 5,
                "pii_fields" if *k >= 4 => 5,
                _ => *k,
            };
            if let Some(v) = of_kind(k, object.clone()) {
                input.insert((*name).to_owned(), v);
            }
        }
        let has = |n: &str| input.contains_key(n);
        let kind = |n: &str| {
            input.get(n).map(|v| {
                if v.is_object() {
                    "object"
                } else if v.is_string() {
                    "string"
                } else {
                    "other"
                }
            })
        };
        let next = if kind("document_id") != Some("string") {
            "InvalidDocumentId"
        } else if has("payload_ref") && kind("payload_ref") != Some("object") {
            "InvalidPayloadRef"
        } else if has("payload_ref") {
            "StartWithReference"
        } else if has("document") && kind("document") != Some("object") {
            "InvalidDocument"
        } else if has("document") && has("pii_fields") && kind("pii_fields") != Some("object") {
            "InvalidPiiFields"
        } else if has("document") && has("pii_fields") {
            "StartWithDocument"
        } else if has("document") {
            "StartWithDocumentNoFields"
        } else if kind("text") == Some("string") {
            "StartWithText"
        } else if has("text") {
            "InvalidText"
        } else {
            "MissingDocument"
        };
        scenarios
            .push(json!({"name": format!("gen-{i}"), "input": Value::Object(input), "models": {}}));
        expected.push(next);
    }
    let runs = stack.run("invoice-pipeline.asl.json", &scenarios);
    let mut seen = std::collections::BTreeSet::new();
    for (run, next) in runs.iter().zip(&expected) {
        run.check_invariants();
        assert_eq!(run.visited()[1], *next, "{}: {}", run.name(), scenarios[0]);
        seen.insert(*next);
        if next.starts_with("Invalid") || *next == "MissingDocument" {
            let message = run.dead_lettered("InvoicePipeline.InvalidInput");
            assert!(
                run.0["lambda_calls"].as_array().unwrap().is_empty(),
                "{}",
                run.name()
            );
            assert!(message["error"]["Cause"].as_str().unwrap().len() > 10);
        } else {
            run.went_through(&["PseudonymizeDocument"]);
        }
    }
    assert!(
        seen.len() == 10,
        "the generator reaches every branch of ValidateInput: {seen:?}"
    );
}

// ---------------------------------------------------------------------------
// Research synthesis.
// ---------------------------------------------------------------------------

fn plan(sub_queries: Value) -> Value {
    tool_answer("record_sub_queries", json!({"sub_queries": sub_queries}))
}

fn five_sub_queries() -> Value {
    json!(
        (1..=5)
            .map(|i| format!("sub-query {i}: what does article {i} require?"))
            .collect::<Vec<_>>()
    )
}

fn research_models(decompose: Vec<Value>) -> Value {
    json!({
        "DecomposeQuestion": decompose,
        "ResearchSubQuery": [repeat(text_answer("Article requires a risk log. Confidence: medium. Unknown: the deadline \"for SMEs\"."), 8)],
        "FindContradictions": [text_answer("Answers 2 and 4 disagree on the deadline.")],
        "SynthesiseBriefing": [text_answer("# Briefing\n\nThe answer, with \"quotes\" and a back\\slash.")],
        "SynthesiseHighStakesBriefing": [text_answer("# High-stakes briefing")],
    })
}

#[test]
fn research_synthesis_with_its_model_steps() {
    let stack = Stack::start(false);
    let file = "research-synthesis.asl.json";
    let input = |id: &str| json!({"briefing_id": id, "topic": "EU AI Act obligations for invoice processing"});
    let mut scenarios = vec![
        json!({"name": "happy", "input": input("B-1"), "models": research_models(vec![plan(five_sub_queries())])}),
        json!({"name": "high-stakes", "input": {"briefing_id": "B-2", "topic": "Go-live decision", "high_stakes": true},
               "models": research_models(vec![plan(five_sub_queries())])}),
        json!({"name": "high-stakes-false", "input": {"briefing_id": "B-3", "topic": "Go-live decision", "high_stakes": false},
               "models": research_models(vec![plan(five_sub_queries())])}),
    ];
    // One sub-query on the fallback model: recorded per item, kept out of the prompts.
    let mut per_item = research_models(vec![plan(five_sub_queries())]);
    per_item["ResearchSubQuery"] = json!([
        when(
            bedrock_error("ServiceQuotaExceededException"),
            "sub-query 3"
        ),
        repeat(text_answer("An answer."), 4)
    ]);
    per_item["ResearchSubQueryFallback"] = json!([text_answer("A fallback answer.")]);
    scenarios
        .push(json!({"name": "sub-query-fallback", "input": input("B-4"), "models": per_item}));
    // One sub-query that stays throttled: the run is dead-lettered under that error.
    let mut failing = research_models(vec![plan(five_sub_queries())]);
    failing["ResearchSubQuery"] = json!([
        when(
            repeat(bedrock_error("ThrottlingException"), 5),
            "sub-query 2"
        ),
        repeat(text_answer("An answer."), 4)
    ]);
    scenarios.push(json!({"name": "sub-query-failing", "input": input("B-5"), "models": failing}));
    let mut truncated = research_models(vec![plan(five_sub_queries())]);
    truncated["ResearchSubQuery"] = json!([
        when(truncated_text("The article requires", 800), "sub-query 4"),
        repeat(text_answer("An answer."), 4)
    ]);
    scenarios
        .push(json!({"name": "sub-query-truncated", "input": input("B-6"), "models": truncated}));
    scenarios.push(json!({"name": "sub-query-not-text", "input": input("B-7"),
        "models": research_models(vec![plan(json!(["sub-query 1", {"q": "sub-query 2"}]))])}));
    for (kind, answer) in unusable_text_answers(&five_sub_queries().to_string()) {
        scenarios.push(json!({"name": format!("decompose-{kind}"), "input": input("B-8"), "models": research_models(vec![answer])}));
    }
    scenarios.push(json!({"name": "decompose-truncated", "input": input("B-9"), "models": research_models(vec![truncated_tool("record_sub_queries", 1500)])}));
    scenarios.push(json!({"name": "decompose-too-many", "input": input("B-10"),
        "models": research_models(vec![plan(json!((1..=9).map(|i| format!("q{i}")).collect::<Vec<_>>()))])}));
    for (name, error, times) in [
        ("throttled-under-limit", "ThrottlingException", 4),
        ("throttled-over-limit", "ThrottlingException", 5),
        ("model-timeout-once", "ModelTimeoutException", 1),
        ("model-timeout-over-limit", "ModelTimeoutException", 3),
        ("validation", "ValidationException", 1),
        ("access-denied", "AccessDeniedException", 1),
    ] {
        scenarios.push(json!({"name": name, "input": input("B-11"),
            "models": research_models(vec![repeat(bedrock_error(error), times), plan(five_sub_queries())])}));
    }
    let mut quota = research_models(vec![bedrock_error("ServiceQuotaExceededException")]);
    quota["DecomposeQuestionFallback"] = json!([plan(five_sub_queries())]);
    quota["SynthesiseBriefing"] = json!([bedrock_error("ServiceQuotaExceededException")]);
    quota["SynthesiseBriefingFallback"] = json!([text_answer("# Briefing (fallback)")]);
    scenarios.push(json!({"name": "quota-fallbacks", "input": input("B-12"), "models": quota}));
    let mut briefing_cut = research_models(vec![plan(five_sub_queries())]);
    briefing_cut["SynthesiseBriefing"] = json!([truncated_text("# Briefing\n\nThe", 4000)]);
    scenarios.push(
        json!({"name": "briefing-truncated", "input": input("B-13"), "models": briefing_cut}),
    );
    let mut sub_empty = research_models(vec![plan(five_sub_queries())]);
    sub_empty["ResearchSubQuery"] = json!([
        when(empty_answer(), "sub-query 5"),
        repeat(text_answer("An answer."), 4)
    ]);
    scenarios
        .push(json!({"name": "sub-query-malformed", "input": input("B-17"), "models": sub_empty}));
    for (name, step, answer) in [
        (
            "contradictions-truncated",
            "FindContradictions",
            truncated_text("Answers 2", 3000),
        ),
        (
            "contradictions-malformed",
            "FindContradictions",
            empty_answer(),
        ),
        ("briefing-malformed", "SynthesiseBriefing", empty_answer()),
    ] {
        let mut m = research_models(vec![plan(five_sub_queries())]);
        m[step] = json!([answer]);
        scenarios.push(json!({"name": name, "input": input("B-18"), "models": m}));
    }
    for (name, bad) in [
        ("missing-briefing-id", json!({"topic": "x"})),
        (
            "topic-not-text",
            json!({"briefing_id": "B-14", "topic": 42}),
        ),
        ("missing-topic", json!({"briefing_id": "B-15"})),
        (
            "high-stakes-not-boolean",
            json!({"briefing_id": "B-16", "topic": "x", "high_stakes": "yes"}),
        ),
    ] {
        scenarios.push(json!({"name": name, "input": bad, "models": {}}));
    }

    let runs = stack.run(file, &scenarios);
    let by_name = |name: &str| {
        runs.iter()
            .find(|r| r.name() == name)
            .unwrap_or_else(|| panic!("no scenario {name}"))
    };
    let main_path = [
        "ValidateInput",
        "DecomposeQuestion",
        "CheckDecomposition",
        "KeepPlan",
        "ResearchSubQueries",
        "RecordSubQueryFallbacks",
        "FindContradictions",
        "CheckContradictions",
        "KeepContradictions",
        "ChooseBriefingModel",
    ];

    let run = by_name("happy");
    let out = run.succeeded();
    run.went_through(&main_path);
    run.went_through(&[
        "InitialiseStandard",
        "SynthesiseBriefing",
        "CheckBriefing",
        "KeepBriefing",
        "DeliverBriefing",
        "RecordFallbacks",
    ]);
    assert_eq!(
        out,
        &json!({"briefing_id": "B-1", "key": "briefings/B-1.md", "briefing_model": "mid", "fallbacks": {"sub_queries": []}})
    );
    assert_eq!(run.attempts("ResearchSubQuery"), 5);
    let items = run.0["item_visits"].as_object().unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(
        items["0"],
        json!([
            "CheckSubQuery",
            "ResearchSubQuery",
            "CheckSubQueryAnswer",
            "SubQueryAnswered",
            "SubQueryAnsweredOnPrimary"
        ])
    );
    // Quotes and backslashes survive JsonToString into the next prompt.
    let prompt = run.model_requests("FindContradictions")[0]["messages"][0]["content"]
        .as_str()
        .unwrap();
    let answers: Value = serde_json::from_str(prompt.strip_prefix("Answers: ").unwrap()).unwrap();
    assert_eq!(answers.as_array().unwrap().len(), 5);
    assert!(
        answers[0]["text"]
            .as_str()
            .unwrap()
            .contains("\"for SMEs\"")
    );
    let delivered = stack.get_object("briefings/B-1.md");
    assert!(delivered.contains("back\\slash"), "{delivered}");

    let run = by_name("high-stakes");
    assert_eq!(run.succeeded()["briefing_model"], "large");
    run.went_through(&[
        "Initialise",
        "ChooseBriefingModel",
        "SynthesiseHighStakesBriefing",
        "CheckBriefing",
    ]);
    let run = by_name("high-stakes-false");
    assert_eq!(run.succeeded()["briefing_model"], "mid");
    run.went_through(&["Initialise", "SynthesiseBriefing"]);

    let run = by_name("sub-query-fallback");
    let out = run.succeeded();
    let recorded = out["fallbacks"]["sub_queries"].as_array().unwrap();
    assert_eq!(recorded.len(), 1, "{out}");
    assert_eq!(recorded[0]["index"], 2);
    assert_eq!(
        recorded[0]["error"]["Error"],
        "Bedrock.ServiceQuotaExceededException"
    );
    assert_eq!(run.attempts("ResearchSubQueryFallback"), 1);
    for step in ["FindContradictions", "SynthesiseBriefing"] {
        let prompt = run.model_requests(step)[0].to_string();
        assert!(
            prompt.contains("A fallback answer."),
            "{step}: the answer is used"
        );
        assert!(!prompt.contains("Quota"), "{step}: the error is not");
    }

    let run = by_name("sub-query-failing");
    let message = run.dead_lettered("Bedrock.ThrottlingException");
    assert_eq!(message["id"], "B-5");
    run.went_through(&["ResearchSubQueries", "SendToDeadLetter", "SynthesisFailed"]);
    assert_eq!(
        run.attempts("ResearchSubQuery"),
        9,
        "4 items once, one 1 + 4 retries"
    );
    by_name("sub-query-truncated").dead_lettered("ResearchSynthesis.ModelAnswerTruncated");
    by_name("sub-query-not-text").dead_lettered("ResearchSynthesis.ModelAnswerMalformed");
    for name in [
        "decompose-fenced",
        "decompose-prefixed",
        "decompose-non-json",
        "decompose-too-many",
    ] {
        let run = by_name(name);
        run.dead_lettered("ResearchSynthesis.ModelAnswerMalformed");
        run.went_through(&[
            "DecomposeQuestion",
            "CheckDecomposition",
            "DecompositionMalformed",
            "SendToDeadLetter",
        ]);
    }
    by_name("decompose-truncated").dead_lettered("ResearchSynthesis.ModelAnswerTruncated");
    by_name("briefing-truncated").dead_lettered("ResearchSynthesis.ModelAnswerTruncated");
    by_name("briefing-truncated").went_through(&["CheckBriefing", "BriefingTruncated"]);

    let run = by_name("sub-query-malformed");
    run.dead_lettered("ResearchSynthesis.ModelAnswerMalformed");
    assert!(
        run.0["item_visits"]["4"]
            .as_array()
            .unwrap()
            .contains(&json!("SubQueryAnswerMalformed"))
    );
    for (name, error, branch) in [
        (
            "contradictions-truncated",
            "ResearchSynthesis.ModelAnswerTruncated",
            "ContradictionsTruncated",
        ),
        (
            "contradictions-malformed",
            "ResearchSynthesis.ModelAnswerMalformed",
            "ContradictionsMalformed",
        ),
        (
            "briefing-malformed",
            "ResearchSynthesis.ModelAnswerMalformed",
            "BriefingMalformed",
        ),
    ] {
        let run = by_name(name);
        run.dead_lettered(error);
        run.went_through(&[branch, "SendToDeadLetter"]);
    }
    for (name, attempts) in [("throttled-under-limit", 5), ("model-timeout-once", 2)] {
        let run = by_name(name);
        run.succeeded();
        assert_eq!(run.attempts("DecomposeQuestion"), attempts, "{name}");
    }
    for (name, error, attempts) in [
        ("throttled-over-limit", "Bedrock.ThrottlingException", 5),
        (
            "model-timeout-over-limit",
            "Bedrock.ModelTimeoutException",
            3,
        ),
        ("validation", "Bedrock.ValidationException", 1),
        ("access-denied", "Bedrock.AccessDeniedException", 1),
    ] {
        let run = by_name(name);
        run.dead_lettered(error);
        assert_eq!(run.attempts("DecomposeQuestion"), attempts, "{name}");
    }
    let run = by_name("quota-fallbacks");
    let out = run.succeeded();
    run.went_through(&[
        "DecomposeQuestion",
        "DecomposeQuestionFallback",
        "CheckDecomposition",
        "SynthesiseBriefing",
        "SynthesiseBriefingFallback",
        "CheckBriefing",
    ]);
    assert_eq!(out["briefing_model"], "fallback");
    assert_eq!(
        out["fallbacks"]["decompose"]["Error"],
        "Bedrock.ServiceQuotaExceededException"
    );
    assert_eq!(
        out["fallbacks"]["briefing"]["Error"],
        "Bedrock.ServiceQuotaExceededException"
    );

    for (name, branch) in [
        ("missing-briefing-id", "InvalidBriefingId"),
        ("topic-not-text", "InvalidTopic"),
        ("missing-topic", "InvalidTopic"),
        ("high-stakes-not-boolean", "InvalidHighStakes"),
    ] {
        let run = by_name(name);
        run.dead_lettered("ResearchSynthesis.InvalidInput");
        assert_eq!(
            run.visited(),
            [
                "ValidateInput",
                branch,
                "SendToDeadLetter",
                "SynthesisFailed"
            ],
            "{name}"
        );
        assert!(run.0["model_requests"].as_array().unwrap().is_empty());
    }
    let dead: usize = runs.iter().map(|r| r.dead_letters().len()).sum();
    assert_eq!(stack.queue_depth(&stack.dead_letter), dead as u64);
}

// ---------------------------------------------------------------------------
// The harness itself: it keeps the Step Functions rules the executor does not.
// ---------------------------------------------------------------------------

/// Runs a small definition on the harness (no functions, no queues).
fn run_definition(moto: &Moto, definition: &Value, input: &Value, models: &Value) -> Run {
    let harness = repo_root().join("tests/stack/harness/run-workflow.cjs");
    let request = json!({
        "definition": definition.to_string(), "lambda_port": 0, "moto_port": moto.port(),
        "machine_name": "harness-check",
        "scenarios": [{"name": "check", "input": input, "models": models}],
    });
    let mut child = Command::new("node")
        .arg(&harness)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut results: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    Run(results.remove(0))
}

fn model_task_catching_all(result_selector: Value) -> Value {
    json!({"StartAt": "Ask", "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::bedrock:invokeModel",
                "Parameters": {"ModelId": "m", "Body": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10,
                               "messages": [{"role": "user", "content": "hi"}]}},
                "ResultSelector": result_selector,
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
                "Next": "Done"},
        "Caught": {"Type": "Pass", "End": true},
        "Done": {"Type": "Succeed"}}})
}

#[test]
fn the_harness_keeps_step_functions_rules() {
    let moto = Moto::start();
    // 1. JsonToString keeps the quotes and backslashes of the data, so the
    //    string is valid JSON for the same value; literal arguments unescape.
    let data = json!({"q": "say \"hi\" \\ and 'bye'", "n": [1, 2.5]});
    let run = run_definition(
        &moto,
        &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {
            "text.$": "States.JsonToString($.data)",
            "literal.$": "States.Format('it\\'s {}', $.data.q)"}, "End": true}}}),
        &json!({"data": data}),
        &json!({}),
    );
    let out = run.succeeded();
    let text = out["text"].as_str().unwrap();
    assert_eq!(serde_json::from_str::<Value>(text).unwrap(), data);
    assert_eq!(out["literal"], "it's say \"hi\" \\ and 'bye'");

    // 2. Parsing prose, or a path that does not resolve, is uncatchable.
    for selector in [
        json!({"parsed.$": "States.StringToJson($.Body.content[0].text)"}),
        json!({"missing.$": "$.Body.content[3].text"}),
    ] {
        let run = run_definition(
            &moto,
            &model_task_catching_all(selector.clone()),
            &json!({}),
            &json!({"Ask": [text_answer("Here is the JSON: {\"a\": 1}")]}),
        );
        assert_eq!(run.0["status"], "FAILED", "{selector}");
        assert_eq!(run.0["uncatchable"], true, "{selector}");
        assert!(
            !run.visited().contains(&"Caught"),
            "{selector}: {:?}",
            run.visited()
        );
    }
    // ...while a task error is caught.
    let run = run_definition(
        &moto,
        &model_task_catching_all(json!({"answer.$": "$.Body"})),
        &json!({}),
        &json!({"Ask": [bedrock_error("ValidationException")]}),
    );
    run.succeeded();
    assert_eq!(run.visited(), ["Ask", "Caught"]);

    // 3. A state over 256 KiB fails with States.DataLimitExceeded, uncatchable.
    let big = "x".repeat(140 * 1024);
    let run = run_definition(
        &moto,
        &json!({"StartAt": "Twice", "States": {"Twice": {"Type": "Pass",
            "Parameters": {"a.$": "$.big", "b.$": "$.big"}, "End": true}}}),
        &json!({"big": big}),
        &json!({}),
    );
    assert_eq!(run.0["status"], "FAILED");
    assert_eq!(run.0["error"]["Error"], "States.DataLimitExceeded");
    assert_eq!(run.0["uncatchable"], true);
    assert_eq!(run.0["limit_violations"][0]["state"], "Twice");

    // 4. Indefinite paths give arrays: one match, none.
    let run = run_definition(
        &moto,
        &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {
            "one.$": "$.items[*].x", "none.$": "$.items[*].missing"}, "End": true}}}),
        &json!({"items": [{"x": 1}]}),
        &json!({}),
    );
    assert_eq!(run.succeeded(), &json!({"one": [1], "none": []}));
}
