//! The workflows executed by a real Step Functions interpreter: moto 5.2.5's
//! (it runs Pass/Choice/Map/Retry/Catch and service tasks, not
//! `bedrock:invokeModel`). Its Lambda tasks reach the real function binaries
//! under `cargo lambda watch` through [`LambdaRouter`]; SQS and S3 tasks
//! reach moto. Every path that needs no model runs here: pseudonymization,
//! the dead-letter path a model failure takes, a bad input that must not be
//! retried, and an oversized document routed to a person through S3. The
//! model steps run in `model_execution.rs`, on a second executor.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use actionkit_stack::placeholders;
use actionkit_testkit::{
    HttpMessage, LambdaRouter, LambdaWatch, Moto, aws_json, moto_auth, repo_root, send,
};
use serde_json::{Value, json};

const BUCKET: &str = "actionkit-payloads";
/// 32 bytes, base64: the local master key (not for production).
const MASTER_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

struct Stack {
    moto: Moto,
    _watch: LambdaWatch,
    _router: LambdaRouter,
    dead_letter: String,
    review: String,
}

impl Stack {
    fn start() -> Self {
        let router = LambdaRouter::start();
        let moto = Moto::start_with_env(&[("MOTO_PORT", router.port().to_string())]);
        let watch = LambdaWatch::start(&[
            ("AWS_ENDPOINT_URL", moto.endpoint()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("LOCAL_MASTER_KEY", MASTER_KEY.into()),
            ("TOKEN_KEY", "moto-execution-token-key".into()),
            ("PAYLOAD_BUCKET", BUCKET.into()),
            ("PAYLOAD_PREFIX", "payloads/".into()),
        ]);
        router.route(moto.port(), watch.port());
        let config = HttpMessage {
            start: "POST /moto-api/config HTTP/1.1".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: json!({"stepfunctions": {"execute_state_machine": true}})
                .to_string()
                .into_bytes(),
        };
        assert_eq!(send(moto.port(), &config).unwrap().status(), 201);
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
        Self {
            moto,
            _watch: watch,
            _router: router,
            dead_letter,
            review,
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

    /// Creates the state machine from its committed definition, with the
    /// substitutions SAM would make, and returns its ARN.
    fn state_machine(&self, file: &str) -> String {
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
        let created = aws_json(
            self.moto.port(),
            "states",
            "AWSStepFunctions.CreateStateMachine",
            &json!({
                "name": file.trim_end_matches(".asl.json"),
                "definition": text,
                "roleArn": "arn:aws:iam::123456789012:role/workflows",
            }),
        )
        .unwrap();
        created["stateMachineArn"].as_str().unwrap().to_owned()
    }

    /// Runs one execution to its end: its description and its history.
    fn execute(&self, machine: &str, name: &str, input: &Value) -> (Value, Vec<Value>) {
        let started = aws_json(
            self.moto.port(),
            "states",
            "AWSStepFunctions.StartExecution",
            &json!({"stateMachineArn": machine, "name": name, "input": input.to_string()}),
        )
        .unwrap();
        let arn = started["executionArn"].as_str().unwrap().to_owned();
        let deadline = Instant::now() + Duration::from_secs(240);
        let description = loop {
            let d = aws_json(
                self.moto.port(),
                "states",
                "AWSStepFunctions.DescribeExecution",
                &json!({"executionArn": arn}),
            )
            .unwrap();
            if d["status"] != "RUNNING" {
                break d;
            }
            assert!(Instant::now() < deadline, "{name} still running: {d}");
            std::thread::sleep(Duration::from_millis(250));
        };
        let history = aws_json(
            self.moto.port(),
            "states",
            "AWSStepFunctions.GetExecutionHistory",
            &json!({"executionArn": arn, "maxResults": 1000}),
        )
        .unwrap();
        (
            description,
            history["events"].as_array().cloned().unwrap_or_default(),
        )
    }

    fn receive(&self, queue: &str) -> Vec<Value> {
        let got = aws_json(
            self.moto.port(),
            "sqs",
            "AmazonSQS.ReceiveMessage",
            &json!({"QueueUrl": queue, "MaxNumberOfMessages": 10}),
        )
        .unwrap();
        got["Messages"]
            .as_array()
            .map(|m| {
                m.iter()
                    .map(|m| serde_json::from_str(m["Body"].as_str().unwrap()).unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The names of the states that were entered, in order.
fn entered(history: &[Value]) -> Vec<String> {
    history
        .iter()
        .filter_map(|e| e["stateEnteredEventDetails"]["name"].as_str())
        .map(str::to_owned)
        .collect()
}

fn scheduled(history: &[Value], kind: &str) -> usize {
    history.iter().filter(|e| e["type"] == kind).count()
}

fn pseudonymize_input(document_id: &str, note: String) -> Value {
    json!({
        "document_id": document_id,
        "document": {
            "invoice_id": document_id,
            "customer": {"name": "Jane Doe", "email": "jane.doe@example.com"},
            "note": note,
            "lines": [{"description": "Laptop", "amount": 1299.9, "vendor_name": "Acme GmbH"}]
        },
        "fields": {"customer.name": "NAME"},
        "context": {"execution_id": "moto-run"}
    })
}

const PII: [&str; 4] = [
    "Jane Doe",
    "jane.doe@example.com",
    "GB29 NWBK 6016 1331 9268 19",
    "+44 20 7946 0958",
];

#[test]
fn invoice_pipeline_and_research_synthesis_on_moto() {
    let stack = Stack::start();
    let invoice = stack.state_machine("invoice-pipeline.asl.json");
    let note = "Refund to IBAN GB29 NWBK 6016 1331 9268 19; call +44 20 7946 0958.".to_owned();

    // 1. The document arrives by S3 reference, so no personal data enters
    // the execution history, not even in its input. Pseudonymization runs
    // in the real function; the extraction model is not available here, so
    // the run takes the dead-letter path, with the error kept.
    stack.put_object(
        "payloads/incoming/INV-1.json",
        &pseudonymize_input("INV-1", note.clone()),
    );
    let (run, history) = stack.execute(
        &invoice,
        "model-unavailable",
        &json!({"document_id": "INV-1", "payload_ref": {"bucket": BUCKET, "key": "payloads/incoming/INV-1.json", "bytes": 1}}),
    );
    assert_eq!(run["status"], "FAILED", "{run}");
    let path = entered(&history);
    assert_eq!(
        path,
        [
            "ValidateInput",
            "StartWithReference",
            "PseudonymizeDocument",
            "IsRedactedDocumentInline",
            "ExtractInvoiceFields",
            "SendToDeadLetter",
            "PipelineFailed"
        ],
        "{path:?}"
    );
    let text = serde_json::to_string(&history).unwrap();
    for datum in PII {
        assert!(!text.contains(datum), "{datum} is in the execution history");
    }
    assert!(
        text.contains("<EMAIL_"),
        "the pseudonymized document flowed on"
    );
    let dead = stack.receive(&stack.dead_letter);
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["workflow"], "InvoicePipeline");
    assert_eq!(dead[0]["id"], "INV-1");
    assert!(
        dead[0]["execution"]
            .as_str()
            .unwrap()
            .ends_with(":model-unavailable")
    );
    assert!(
        dead[0]["error"]["Error"].is_string(),
        "the error is kept: {}",
        dead[0]
    );

    // 2. Bad input: the function's InvalidInput is never retried, and the
    // dead-letter message names it.
    let (run, history) = stack.execute(
        &invoice,
        "bad-input",
        &json!({"document_id": "", "document": {"note": "nothing personal"}, "pii_fields": {}}),
    );
    assert_eq!(run["status"], "FAILED", "{run}");
    assert_eq!(
        scheduled(&history, "TaskScheduled") + scheduled(&history, "LambdaFunctionScheduled"),
        2,
        "one Lambda call (no retry) and the dead-letter send: {:?}",
        entered(&history)
    );
    let dead = stack.receive(&stack.dead_letter);
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(
        dead[0]["error"]["Error"], "CryptoPreprocess.InvalidInput",
        "{}",
        dead[0]
    );

    // 3. A document whose redacted form is over the state limit: written to
    // S3 by the function, referenced in the state, and routed to a person.
    let big_note = note.repeat(4_000);
    stack.put_object(
        "payloads/incoming/INV-2.json",
        &pseudonymize_input("INV-2", big_note),
    );
    let (run, history) = stack.execute(
        &invoice,
        "oversized",
        &json!({"document_id": "INV-2", "payload_ref": {"bucket": BUCKET, "key": "payloads/incoming/INV-2.json", "bytes": 1}}),
    );
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    assert!(entered(&history).contains(&"RouteOversizedDocument".to_owned()));
    let text = serde_json::to_string(&history).unwrap();
    for datum in PII {
        assert!(!text.contains(datum), "{datum} is in the execution history");
    }
    let review = stack.receive(&stack.review);
    assert_eq!(review.len(), 1, "{review:?}");
    assert_eq!(review[0]["document_id"], "INV-2");
    let reference = &review[0]["redacted_document"];
    assert_eq!(reference["bucket"], BUCKET);
    // Over the 200 KiB the function keeps inline (256 KiB per state, less the rest).
    assert!(
        reference["bytes"].as_u64().unwrap() > 200 * 1024,
        "{reference}"
    );

    // 4. Research synthesis: the decomposition model is unavailable, so the
    // run is dead-lettered with its id.
    let research = stack.state_machine("research-synthesis.asl.json");
    let (run, history) = stack.execute(
        &research,
        "briefing-1",
        &json!({"briefing_id": "B-1", "topic": "EU AI Act obligations for invoice processing"}),
    );
    assert_eq!(run["status"], "FAILED", "{run}");
    assert_eq!(
        entered(&history),
        [
            "ValidateInput",
            "InitialiseStandard",
            "DecomposeQuestion",
            "SendToDeadLetter",
            "SynthesisFailed"
        ]
    );
    let dead = stack.receive(&stack.dead_letter);
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["workflow"], "ResearchSynthesis");
    assert_eq!(dead[0]["id"], "B-1");
}
