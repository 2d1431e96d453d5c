//! The `make demo` scenario, also run as an end-to-end test: a moto server
//! and the Lambda Runtime API emulator (`cargo lambda watch`) on free
//! loopback ports, seeded like a small production account, and a scripted
//! on-call agent session and invoice workflow through the real functions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mcp;
pub use mcp::mcp_steps;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actionkit_testkit::{LambdaWatch, Moto, repo_root};
use serde_json::{Value, json};

/// Set on Ctrl-C: the scenario stops before its next step.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Log groups the on-call agent may query.
pub const ALLOWED_LOG_GROUPS: &str = "/aws/lambda/api-handler,/aws/lambda/check*";
const TABLE: &str = "vendor-master";
const BUCKET: &str = "workflow-payloads";
const WEBHOOK_SECRET: &str = "whsec_demo_3f9a1c";

/// Where the demo's AWS calls go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A moto server started for the demo (the default).
    Moto,
    /// A real AWS account: the default credential chain and region
    /// (`AWS_PROFILE`, `AWS_REGION`, ...; `AWS_ENDPOINT_URL` is honoured).
    /// Everything is created under a run-specific name and deleted at the end.
    Aws,
    /// An endpoint that is already running, with test credentials: the
    /// `Aws` path, exercised on a moto server by the tests.
    Endpoint(String),
}

impl Target {
    /// From `DEMO_TARGET`: unset or `moto`, or `aws`.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var("DEMO_TARGET").as_deref() {
            Err(_) | Ok("") | Ok("moto") => Ok(Self::Moto),
            Ok("aws") => Ok(Self::Aws),
            Ok(other) => Err(format!(
                "DEMO_TARGET={other}: use `moto` (default) or `aws`"
            )),
        }
    }
}

/// The names of what the demo creates: fixed on a moto of its own,
/// run-specific (`actionkit-demo-<time>`) anywhere else.
#[derive(Debug, Clone)]
pub struct Names {
    /// Replaces `/aws/lambda/` and `/aws/rds/` in the sample events.
    pub log_prefix: Option<String>,
    /// The three log groups: the api handler, checkout, the database.
    pub groups: [String; 3],
    /// The allowlist given to cloudwatch-query.
    pub allowed: String,
    /// The vendor table.
    pub table: String,
    /// The payload bucket.
    pub bucket: String,
    /// The prefix of the two secrets' names.
    pub secrets: String,
}

impl Names {
    fn for_target(target: &Target) -> Self {
        if *target == Target::Moto {
            return Self {
                log_prefix: None,
                groups: [
                    "/aws/lambda/api-handler".into(),
                    "/aws/lambda/checkout".into(),
                    "/aws/rds/prod-db".into(),
                ],
                allowed: ALLOWED_LOG_GROUPS.into(),
                table: TABLE.into(),
                bucket: BUCKET.into(),
                secrets: "demo".into(),
            };
        }
        let run = format!("actionkit-demo-{}", now_ms());
        let prefix = format!("/{run}/");
        Self {
            groups: [
                format!("{prefix}api-handler"),
                format!("{prefix}checkout"),
                format!("{prefix}prod-db"),
            ],
            allowed: format!("{prefix}api-handler,{prefix}check*"),
            log_prefix: Some(prefix),
            table: format!("{run}-vendors"),
            bucket: format!("{run}-payloads"),
            secrets: run,
        }
    }

    /// The sample log group name `name` (`/aws/lambda/...`) under these names.
    fn group(&self, name: &str) -> String {
        match &self.log_prefix {
            None => name.to_owned(),
            Some(prefix) => name
                .replace("/aws/lambda/", prefix)
                .replace("/aws/rds/", prefix),
        }
    }
}

/// Everything the scenario runs against; dropping it stops the servers it
/// started. Call [`Stage::teardown`] to delete what it created.
pub struct Stage {
    /// The moto server, when the demo started one.
    pub moto: Option<Moto>,
    /// The Runtime API emulator.
    pub watch: LambdaWatch,
    /// What was created, by name.
    pub names: Names,
    sdk: aws_config::SdkConfig,
    key_id: String,
    secret_arns: Vec<String>,
    events: PathBuf,
}

/// One step's outcome.
#[derive(Debug, Clone)]
pub struct Step {
    /// The part of the scenario.
    pub section: &'static str,
    /// What the step does.
    pub title: String,
    /// What was asked, in one line.
    pub asked: String,
    /// What came back, in one or a few lines.
    pub answer: String,
    /// Whether the answer is what the step expects.
    pub ok: bool,
    /// How long the call took.
    pub elapsed: Duration,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Half an hour of a small service's logs: requests, retries, errors with
/// a stack trace, and a credential someone logged by mistake.
fn application_logs() -> Vec<(&'static str, i64, String)> {
    let api = "/aws/lambda/api-handler";
    let lines = [
        (
            api,
            29,
            r#"{"level":"INFO","msg":"GET /orders/1842 200","latency_ms":41}"#,
        ),
        (
            api,
            24,
            r#"{"level":"WARN","msg":"payments slow","latency_ms":2870}"#,
        ),
        (
            api,
            21,
            r#"{"level":"WARN","msg":"retrying payments call","attempt":2}"#,
        ),
        (
            api,
            14,
            "ERROR PaymentClient timeout after 3000 ms\n  at payments.client.call(client.rs:88)",
        ),
        (
            api,
            9,
            "INFO connecting to db host=orders-db password=Sup3rS3cret! user=orders_app",
        ),
        (
            api,
            6,
            "ERROR upstream returned 503 for POST /payments (request_id=c0ffee)",
        ),
        (
            api,
            3,
            r#"{"level":"ERROR","msg":"circuit open for payments","failures":5}"#,
        ),
        (
            api,
            1,
            r#"{"level":"INFO","msg":"GET /health 200","latency_ms":2}"#,
        ),
        (
            "/aws/lambda/checkout",
            4,
            "INFO checkout completed order=1842 total=129.90 EUR",
        ),
        (
            "/aws/rds/prod-db",
            2,
            "LOG: duration: 2203 ms statement: SELECT * FROM customers",
        ),
    ];
    lines
        .into_iter()
        .map(|(g, min, l)| (g, now_ms() - min * 60_000, l.to_owned()))
        .collect()
}

impl Stage {
    /// Starts moto (for [`Target::Moto`]) and the emulator, and seeds: log
    /// groups with logs, the vendor master table, a KMS key, the webhook
    /// secret and token key, and the payload bucket.
    pub async fn start(target: Target, progress: &mut (dyn FnMut(&str) + Send)) -> Stage {
        use aws_config::BehaviorVersion;
        use aws_sdk_s3::config::Credentials;
        let names = Names::for_target(&target);
        let test_credentials = Credentials::new("testing", "testing", None, None, "demo");
        // A local endpoint (the demo's own moto, or one given) gets test
        // credentials; an account gets the default chain.
        let (moto, endpoint) = match &target {
            Target::Moto => {
                let moto = Moto::start();
                progress(&format!("moto server on {}", moto.endpoint()));
                let endpoint = moto.endpoint();
                (Some(moto), Some(endpoint))
            }
            Target::Endpoint(endpoint) => (None, Some(endpoint.clone())),
            Target::Aws => (None, None),
        };
        let sdk = match &endpoint {
            Some(endpoint) => {
                aws_config::defaults(BehaviorVersion::latest())
                    .region(aws_config::Region::new("us-east-1"))
                    .endpoint_url(endpoint)
                    .credentials_provider(test_credentials)
                    .load()
                    .await
            }
            None => {
                let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
                let region = sdk.region().map(ToString::to_string);
                let region = region.unwrap_or_else(|| {
                    panic!("DEMO_TARGET=aws needs a region: set AWS_REGION (and credentials)")
                });
                progress(&format!(
                    "AWS account in {region}; everything below is named {} and deleted at the end",
                    names.secrets
                ));
                sdk
            }
        };

        let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk);
        for group in &names.groups {
            logs.create_log_group()
                .log_group_name(group)
                .send()
                .await
                .unwrap();
            logs.create_log_stream()
                .log_group_name(group)
                .log_stream_name("live")
                .send()
                .await
                .unwrap();
        }
        let lines = application_logs();
        for (group, ts, line) in &lines {
            let event = aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(*ts)
                .message(line)
                .build()
                .unwrap();
            logs.put_log_events()
                .log_group_name(names.group(group))
                .log_stream_name("live")
                .log_events(event)
                .send()
                .await
                .unwrap();
        }
        progress("seeded 3 log groups with application logs (errors, a leaked password)");
        if target == Target::Aws {
            wait_until_queryable(&logs, &names.groups[0], progress).await;
        }

        let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
        use aws_sdk_dynamodb::types::{
            AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
        };
        dynamo
            .create_table()
            .table_name(&names.table)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("pk")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("pk")
                    .key_type(KeyType::Hash)
                    .build()
                    .unwrap(),
            )
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await
            .unwrap();
        {
            use aws_sdk_dynamodb::client::Waiters;
            dynamo
                .wait_until_table_exists()
                .table_name(&names.table)
                .wait(Duration::from_secs(120))
                .await
                .unwrap();
        }
        let rules = vendor_enrichment::Rules::embedded().unwrap();
        let vendors = vendor_enrichment::embedded_vendors().unwrap();
        let items = vendor_enrichment::load_table(&dynamo, &names.table, &vendors, &rules)
            .await
            .unwrap();
        progress(&format!(
            "loaded {} vendors into DynamoDB table {} ({items} items)",
            vendors.len(),
            names.table
        ));

        let kms = aws_sdk_kms::Client::new(&sdk);
        let key_id = kms
            .create_key()
            .description("actionkit demo data keys")
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap()
            .key_id;
        let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
        let mut secret_arns = Vec::new();
        for (name, value) in [("webhook", WEBHOOK_SECRET), ("token-key", "tok_demo_8d2e")] {
            let arn = secrets
                .create_secret()
                .name(format!("{}/{name}", names.secrets))
                .secret_string(value)
                .send()
                .await
                .unwrap()
                .arn
                .unwrap();
            secret_arns.push(arn);
        }
        let s3 = s3_client(&sdk);
        s3.create_bucket()
            .bucket(&names.bucket)
            .send()
            .await
            .unwrap();
        progress(
            "created a KMS key, the webhook secret and token key in Secrets Manager, and the payload bucket",
        );

        let mut env = vec![
            ("ALLOWED_LOG_GROUPS", names.allowed.clone()),
            ("VENDOR_TABLE", names.table.clone()),
            ("KMS_KEY_ID", key_id.clone()),
            ("WEBHOOK_SECRET_ARN", secret_arns[0].clone()),
            ("TOKEN_KEY_SECRET_ARN", secret_arns[1].clone()),
            ("PAYLOAD_BUCKET", names.bucket.clone()),
        ];
        env.extend(function_credentials(&sdk, endpoint.as_deref()).await);
        let watch = LambdaWatch::start(&env);
        progress(&format!(
            "Lambda Runtime API emulator (cargo lambda watch) on 127.0.0.1:{}",
            watch.port()
        ));
        Stage {
            moto,
            watch,
            names,
            sdk,
            key_id,
            secret_arns,
            events: repo_root().join("events"),
        }
    }

    /// Deletes what [`Stage::start`] created (a moto of the demo's own is
    /// simply stopped): log groups, table, secrets, bucket and its objects;
    /// the KMS key is scheduled for deletion (7 days, KMS's minimum).
    pub async fn teardown(&self, progress: &mut (dyn FnMut(&str) + Send)) {
        if self.moto.is_some() {
            return;
        }
        let logs = aws_sdk_cloudwatchlogs::Client::new(&self.sdk);
        for group in &self.names.groups {
            let _ = logs.delete_log_group().log_group_name(group).send().await;
        }
        let dynamo = aws_sdk_dynamodb::Client::new(&self.sdk);
        let _ = dynamo
            .delete_table()
            .table_name(&self.names.table)
            .send()
            .await;
        let secrets = aws_sdk_secretsmanager::Client::new(&self.sdk);
        for arn in &self.secret_arns {
            let _ = secrets
                .delete_secret()
                .secret_id(arn)
                .force_delete_without_recovery(true)
                .send()
                .await;
        }
        let s3 = s3_client(&self.sdk);
        if let Ok(listed) = s3.list_objects_v2().bucket(&self.names.bucket).send().await {
            for object in listed.contents() {
                if let Some(key) = object.key() {
                    let _ = s3
                        .delete_object()
                        .bucket(&self.names.bucket)
                        .key(key)
                        .send()
                        .await;
                }
            }
        }
        let _ = s3.delete_bucket().bucket(&self.names.bucket).send().await;
        let kms = aws_sdk_kms::Client::new(&self.sdk);
        let _ = kms
            .schedule_key_deletion()
            .key_id(&self.key_id)
            .pending_window_in_days(7)
            .send()
            .await;
        progress(&format!(
            "deleted the log groups, table, secrets and bucket named {}; the KMS key is scheduled for deletion",
            self.names.secrets
        ));
    }

    /// Invokes a function through the emulator with an event.
    fn invoke(
        &self,
        function: &str,
        event: &Value,
        client_context: Option<&str>,
    ) -> (Result<Value, String>, Duration) {
        let file = std::env::temp_dir().join(format!(
            "actionkit-demo-{}-{}.json",
            self.watch.port(),
            now_ms()
        ));
        std::fs::write(&file, event.to_string()).unwrap();
        let context = client_context.map(|c| self.events.join(c));
        let started = Instant::now();
        let result = tokio::task::block_in_place(|| {
            self.watch
                .invoke_with_client_context(function, &file, context.as_deref())
        });
        let elapsed = started.elapsed();
        let _ = std::fs::remove_file(&file);
        (result, elapsed)
    }

    /// A sample event, with the log group names of this run.
    fn event(&self, path: &str) -> Value {
        let text = std::fs::read_to_string(self.events.join(path)).unwrap();
        serde_json::from_str(&self.names.group(&text)).unwrap()
    }
}

fn s3_client(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    // Path-style: moto (and any local endpoint) serves buckets by path.
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    )
}

/// What the functions under `cargo lambda watch` need to reach the same
/// account: region, endpoint, and the credentials resolved here (so that
/// profiles and SSO work too).
async fn function_credentials(
    sdk: &aws_config::SdkConfig,
    endpoint: Option<&str>,
) -> Vec<(&'static str, String)> {
    use aws_sdk_s3::config::ProvideCredentials;
    let mut env = vec![(
        "AWS_REGION",
        sdk.region()
            .map_or_else(|| "us-east-1".into(), ToString::to_string),
    )];
    // On an account, the functions honour the same AWS_ENDPOINT_URL as the demo.
    if let Some(endpoint) = endpoint
        .map(str::to_owned)
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
    {
        env.push(("AWS_ENDPOINT_URL", endpoint));
    }
    let provider = sdk.credentials_provider();
    let credentials = match provider {
        Some(p) => p.provide_credentials().await.ok(),
        None => None,
    };
    let credentials = credentials.unwrap_or_else(|| {
        panic!("no AWS credentials: configure a profile or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
    });
    env.push(("AWS_ACCESS_KEY_ID", credentials.access_key_id().to_owned()));
    env.push((
        "AWS_SECRET_ACCESS_KEY",
        credentials.secret_access_key().to_owned(),
    ));
    if let Some(token) = credentials.session_token() {
        env.push(("AWS_SESSION_TOKEN", token.to_owned()));
    }
    env
}

/// Logs Insights sees new events after an ingestion delay: on a real
/// account, wait (at most two minutes) until the seeded lines are queryable.
async fn wait_until_queryable(
    logs: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    progress: &mut (dyn FnMut(&str) + Send),
) {
    progress("waiting for CloudWatch Logs to make the seeded lines queryable ...");
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let end = now_ms() / 1000 + 60;
        let started = logs
            .start_query()
            .log_group_name(group)
            .start_time(end - 3600)
            .end_time(end)
            .query_string("fields @message | limit 100")
            .send()
            .await;
        if let Ok(Some(id)) = started.map(|s| s.query_id) {
            for _ in 0..30 {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let Ok(r) = logs.get_query_results().query_id(&id).send().await else {
                    break;
                };
                let done = r.status().is_some_and(|s| s.as_str() == "Complete");
                if done {
                    if r.results().len() >= 5 {
                        return;
                    }
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

fn agent_body(response: &Value) -> (u64, Value) {
    let r = &response["response"];
    let body = r["responseBody"]["application/json"]["body"]
        .as_str()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    (r["httpStatusCode"].as_u64().unwrap_or(0), body)
}

fn short(text: &str, max: usize) -> String {
    let one_line = text.replace('\n', " ⏎ ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    }
}

/// Reads an answer: whether it is the expected one, and a line for a person.
type Judge<'a> = Box<dyn Fn(Result<Value, String>) -> (bool, String) + 'a>;

/// A step: what to send, and how to read and judge the answer.
struct Spec<'a> {
    section: &'static str,
    title: &'a str,
    asked: String,
    function: &'static str,
    /// A client context file under `events/` (an AgentCore Gateway call).
    client_context: Option<&'static str>,
    event: Value,
    judge: Judge<'a>,
}

/// Runs every step, calling `report` after each; returns all outcomes.
pub async fn run(stage: &Stage, report: &mut (dyn FnMut(&Step) + Send)) -> Vec<Step> {
    let mut outcomes = Vec::new();
    let mut go = |spec: Spec<'_>| -> Value {
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Value::Null;
        }
        let (result, elapsed) = stage.invoke(spec.function, &spec.event, spec.client_context);
        let kept = result.clone().unwrap_or(Value::Null);
        let (ok, answer) = (spec.judge)(result);
        let step = Step {
            section: spec.section,
            title: spec.title.to_owned(),
            asked: spec.asked,
            answer,
            ok,
            elapsed,
        };
        report(&step);
        outcomes.push(step);
        kept
    };
    let agent = |expected: u64, describe: fn(&Value) -> Result<String, String>| {
        move |r: Result<Value, String>| match r {
            Err(e) => (false, format!("Lambda error: {}", short(&e, 160))),
            Ok(response) => {
                let (status, body) = agent_body(&response);
                let detail = if status == 200 {
                    describe(&body)
                } else {
                    Ok(format!(
                        "{} — {}",
                        body["error"].as_str().unwrap_or("?"),
                        short(body["message"].as_str().unwrap_or(""), 150)
                    ))
                };
                match detail {
                    Ok(text) => (status == expected, format!("HTTP {status}  {text}")),
                    Err(why) => (false, format!("HTTP {status}  {why}")),
                }
            }
        }
    };

    // --- The on-call agent -------------------------------------------------
    const ONCALL: &str = "On-call agent session (cloudwatch-query, action group LogInsights)";
    go(Spec {
        section: ONCALL,
        title: "list the log groups the agent may query",
        asked: "GET /log_groups?prefix=/aws/lambda/".into(),
        function: "cloudwatch-query",
        client_context: None,
        event: stage.event("cloudwatch-query/list-log-groups.json"),
        judge: Box::new(agent(200, |b| {
            let names: Vec<&str> = b["log_groups"]
                .as_array()
                .map(|a| a.iter().filter_map(|g| g["name"].as_str()).collect())
                .unwrap_or_default();
            let expected = names.len() == 2
                && names[0].ends_with("/api-handler")
                && names[1].ends_with("/checkout");
            if expected {
                Ok(names.join(", "))
            } else {
                Err(format!("unexpected groups {names:?}"))
            }
        })),
    });
    go(Spec {
        section: ONCALL,
        title: "query the api handler's recent errors",
        asked: "GET /cloudwatch_logs log_group=/aws/lambda/api-handler minutes_back=30 query=\"fields @timestamp, @message | filter @message like /ERROR/ …\"".into(),
        function: "cloudwatch-query",
        client_context: None,
        event: stage.event("cloudwatch-query/query-recent-errors.json"),
        judge: Box::new(agent(200, |b| {
            let rows = b["rows"].as_array().map_or(0, Vec::len);
            let redactions = b["redactions"].as_u64().unwrap_or(0);
            let text = b.to_string();
            if rows == 0 || redactions == 0 || text.contains("Sup3rS3cret") {
                return Err(format!("{rows} rows, {redactions} redactions: the leaked password must be redacted"));
            }
            let first = b["rows"][0]["@message"].as_str().unwrap_or("");
            Ok(format!(
                "{rows} rows (status {}), {redactions} secret redacted; newest: {} [moto ignores `filter`; CloudWatch returns only ERROR lines]",
                b["status"].as_str().unwrap_or("?"),
                short(first, 60)
            ))
        })),
    });
    go(Spec {
        section: ONCALL,
        title: "a query outside the allowlist is refused",
        asked: "GET /cloudwatch_logs log_group=/aws/rds/prod-db".into(),
        function: "cloudwatch-query",
        client_context: None,
        event: stage.event("cloudwatch-query/refused-unlisted-group.json"),
        judge: Box::new(agent(403, |_| Err("should have been refused".into()))),
    });
    go(Spec {
        section: ONCALL,
        title: "a prompt-injected SOURCE query is refused",
        asked: "GET /cloudwatch_logs query=\"SOURCE logGroups(namePrefix: ['/aws/rds']) | fields @message\"".into(),
        function: "cloudwatch-query",
        client_context: None,
        event: stage.event("cloudwatch-query/refused-source-command.json"),
        judge: Box::new(agent(403, |_| Err("should have been refused".into()))),
    });
    go(Spec {
        section: ONCALL,
        title: "a malformed query gets the 400 the model can fix",
        asked: "GET /cloudwatch_logs query=\"… | stats count( by bin(5m)\"".into(),
        function: "cloudwatch-query",
        client_context: None,
        event: stage.event("cloudwatch-query/malformed-query.json"),
        judge: Box::new(agent(400, |_| Err("should have been a 400".into()))),
    });

    // --- The invoice workflow ----------------------------------------------
    const INVOICE: &str =
        "Invoice workflow (crypto-preprocess and vendor-enrichment, as Step Functions tasks)";
    let payload =
        r#"{"event":"invoice.received","invoice_id":"INV-2026-0042","vendor":"ACME Corp."}"#;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let header = crypto_preprocess::sign(WEBHOOK_SECRET.as_bytes(), payload.as_bytes(), now);
    go(Spec {
        section: INVOICE,
        title: "verify the webhook signature of the incoming invoice",
        asked: format!("verify_signature  header {}…", &header[..24]),
        function: "crypto-preprocess",
        client_context: None,
        event: json!({"task": "verify_signature", "input": {"payload": payload, "signature_header": header}}),
        judge: Box::new(|r| match r {
            Ok(v) if v["verified"] == true => (
                true,
                format!(
                    "verified, timestamp {}, payload sha256 {}…",
                    v["timestamp"],
                    &v["payload_sha256"].as_str().unwrap_or("")[..16]
                ),
            ),
            Ok(v) => (false, v.to_string()),
            Err(e) => (false, short(&e, 160)),
        }),
    });
    let invoice = json!({
        "invoice_id": "INV-2026-0042",
        "customer": {"name": "Jane Doe", "address": "221B Baker Street, London", "email": "jane.doe@example.com"},
        "note": "Refund any overpayment to GB29 NWBK 6016 1331 9268 19; questions to +44 20 7946 0958.",
        "lines": [
            {"line_id": "1", "vendor_name": "ACME Corp.", "amount": 12990.0, "currency": "USD", "description": "Laptop fleet refresh, 10 units"},
            {"line_id": "2", "vendor_name": "Mueller GmbH", "vendor_country": "DE", "amount": 840.5, "currency": "EUR", "description": "Raw material: steel coil"},
            {"line_id": "3", "vendor_name": "Crestline Components Ltd", "amount": 310, "currency": "GBP", "description": "components"}
        ]
    });
    let context = json!({"execution_id": "invoice-pipeline:run-42"});
    let pseudo = go(Spec {
        section: INVOICE,
        title: "pseudonymize the document before any model sees it",
        asked: "pseudonymize  document INV-2026-0042, fields customer.name → NAME, customer.address → ADDRESS".into(),
        function: "crypto-preprocess",
        client_context: None,
        event: json!({"task": "pseudonymize", "input": {"document_id": "INV-2026-0042", "document": invoice, "fields": {"customer.name": "NAME", "customer.address": "ADDRESS"}, "context": context}}),
        judge: Box::new(|r| match r {
            Ok(v) => {
                let text = v["document"].to_string();
                let clean = !["Jane", "Baker", "jane.doe", "GB29", "7946"].iter().any(|s| text.contains(s));
                (clean && v["key_provider"] == "aws-kms", format!("tokens {} · key {} · customer now {}", v["counts"], v["key_provider"].as_str().unwrap_or("?"), short(&v["document"]["customer"].to_string(), 90)))
            }
            Err(e) => (false, short(&e, 160)),
        }),
    });
    let lines = invoice["lines"].clone();
    go(Spec {
        section: INVOICE,
        title: "enrich the line items (Distributed Map batch shape)",
        asked: "enrich  {\"Items\": [3 line items], \"BatchInput\": {\"invoice_id\": …}}".into(),
        function: "vendor-enrichment",
        client_context: None,
        event: json!({"Items": lines, "BatchInput": {"invoice_id": "INV-2026-0042"}}),
        judge: Box::new(|r| match r {
            Ok(v) => {
                let routes: Vec<String> = v["results"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|x| {
                                format!(
                                    "{} → {} ({})",
                                    x["item"]["vendor_name"].as_str().unwrap_or("?"),
                                    x["approver_route"].as_str().unwrap_or("?"),
                                    x["category"]["value"].as_str().unwrap_or("?")
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let expected = v["results"][0]["approver_route"] == "finance-controller"
                    && v["results"][1]["vendor"]["vendor_id"] == "V-10003"
                    && v["results"][2]["approver_route"] == "compliance-hold";
                (expected, routes.join("; "))
            }
            Err(e) => (false, short(&e, 160)),
        }),
    });
    // The model's summary, written with the tokens it was given, plus one token it made up.
    let customer = &pseudo["document"]["customer"];
    let model_output = format!(
        "Summary: refund approved for {} ({}). Contact via {}. Also seen: <EMAIL_deadbeef>.",
        customer["name"].as_str().unwrap_or("<NAME_?>"),
        customer["address"].as_str().unwrap_or("<ADDRESS_?>"),
        customer["email"].as_str().unwrap_or("<EMAIL_?>")
    );
    go(Spec {
        section: INVOICE,
        title: "re-identify the model's output (a stand-in for Bedrock)",
        asked: format!("reidentify  \"{}\"", short(&model_output, 90)),
        function: "crypto-preprocess",
        client_context: None,
        event: json!({"task": "reidentify", "input": {"document_id": "INV-2026-0042", "text": model_output, "vault": pseudo["vault"], "context": context}}),
        judge: Box::new(|r| match r {
            Ok(v) => {
                let text = v["text"].as_str().unwrap_or("");
                let ok = text.contains("Jane Doe")
                    && text.contains("jane.doe@example.com")
                    && v["unknown_tokens"] == json!(["<EMAIL_deadbeef>"]);
                (
                    ok,
                    format!(
                        "{} tokens replaced, invented {} reported: \"{}\"",
                        v["replaced"],
                        v["unknown_tokens"],
                        short(text, 80)
                    ),
                )
            }
            Err(e) => (false, short(&e, 160)),
        }),
    });
    let secret_fields = json!({"invoice_id": "INV-2026-0042", "customer": {"iban": "GB29NWBK60161331926819", "email": "jane.doe@example.com"}});
    let field_context =
        json!({"execution_id": "invoice-pipeline:run-42", "document_id": "INV-2026-0042"});
    let encrypted = go(Spec {
        section: INVOICE,
        title: "encrypt the customer's fields for the audit store",
        asked:
            "encrypt_fields  customer.iban, customer.email with context {execution_id, document_id}"
                .into(),
        function: "crypto-preprocess",
        client_context: None,
        event: json!({"task": "encrypt_fields", "input": {"document": secret_fields, "fields": ["customer.iban", "customer.email"], "context": field_context}}),
        judge: Box::new(|r| match r {
            Ok(v) => (
                v["encrypted"] == 2 && !v["document"].to_string().contains("GB29"),
                format!(
                    "{} fields encrypted under a KMS data key; iban now {}",
                    v["encrypted"],
                    short(&v["document"]["customer"]["iban"].to_string(), 60)
                ),
            ),
            Err(e) => (false, short(&e, 160)),
        }),
    });
    let original = secret_fields.clone();
    go(Spec {
        section: INVOICE,
        title: "decrypt them again: the exact JSON comes back",
        asked: "decrypt_fields  same context".into(),
        function: "crypto-preprocess",
        client_context: None,
        event: json!({"task": "decrypt_fields", "input": {"document": encrypted["document"], "key": encrypted["key"], "context": field_context}}),
        judge: Box::new(move |r| match r {
            Ok(v) => (
                v["document"] == original,
                format!(
                    "{} fields decrypted, identical to the original: {}",
                    v["decrypted"],
                    v["document"] == original
                ),
            ),
            Err(e) => (false, short(&e, 160)),
        }),
    });

    // --- The same handlers as MCP tools ------------------------------------
    const GATEWAY: &str = "The same function as an MCP tool (AgentCore Gateway target `vendors`)";
    go(Spec {
        section: GATEWAY,
        title: "call the get_vendor tool, with propagated headers as an object in the client context",
        asked: "vendors___get_vendor {\"vendor_id\": \"V-10001\"}  custom.bedrockAgentCorePropagatedHeaders = {…}".into(),
        function: "vendor-enrichment",
        client_context: Some("vendor-enrichment/gateway-client-context-propagated-headers.json"),
        event: stage.event("vendor-enrichment/gateway-get-vendor.json"),
        judge: Box::new(|r| match r {
            Ok(v) if v["vendor_id"] == "V-10001" && v.get("isError").is_none() => (
                true,
                format!(
                    "{} ({}, {}); lambda_runtime alone would have exited before the handler",
                    v["legal_name"].as_str().unwrap_or("?"),
                    v["country"].as_str().unwrap_or("?"),
                    v["status"].as_str().unwrap_or("?")
                ),
            ),
            Ok(v) => (false, short(&v.to_string(), 160)),
            Err(e) => (false, short(&e, 160)),
        }),
    });
    go(Spec {
        section: GATEWAY,
        title: "bad tool arguments come back as a result the model can act on",
        asked: "vendors___get_vendor {\"vendor\": \"V-10001\"}".into(),
        function: "vendor-enrichment",
        client_context: Some("vendor-enrichment/gateway-client-context.json"),
        event: stage.event("vendor-enrichment/gateway-get-vendor-bad-arguments.json"),
        judge: Box::new(|r| match r {
            Ok(v) if v["isError"] == true && v["error"]["status"] == 400 => (
                true,
                format!(
                    "isError, {} {}: {}",
                    v["error"]["status"],
                    v["error"]["name"].as_str().unwrap_or("?"),
                    short(v["error"]["message"].as_str().unwrap_or(""), 110)
                ),
            ),
            Ok(v) => (false, short(&v.to_string(), 160)),
            Err(e) => (false, short(&e, 160)),
        }),
    });
    outcomes
}

/// The committed OpenAPI schemas, regenerated from the code and checked
/// against Bedrock's profile: (file, operations, up to date and valid).
pub fn schemas() -> Vec<(String, usize, Result<(), String>)> {
    use std::sync::Arc;
    let mut out = Vec::new();
    let mut check =
        |file: &str, action_group: &str, generated: Result<Value, actionkit::SchemaError>| {
            let path = repo_root().join("openapi").join(file);
            let result = match generated {
                Err(e) => Err(e.to_string()),
                Ok(doc) => {
                    let committed: Option<Value> = std::fs::read_to_string(&path)
                        .ok()
                        .and_then(|t| serde_json::from_str(&t).ok());
                    let violations = actionkit::bedrock_openapi_violations(&doc, action_group);
                    if committed.as_ref() != Some(&doc) {
                        Err("the committed file differs from the code (run `make schemas`)".into())
                    } else if let Some(v) = violations.first() {
                        Err(v.to_string())
                    } else {
                        Ok(())
                    }
                }
            };
            let operations = std::fs::read_to_string(&path)
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .and_then(|d| {
                    d["paths"].as_object().map(|p| {
                        p.values()
                            .filter_map(Value::as_object)
                            .map(|o| o.len())
                            .sum()
                    })
                })
                .unwrap_or(0);
            out.push((format!("openapi/{file}"), operations, result));
        };
    let logs = aws_sdk_cloudwatchlogs::Client::from_conf(
        aws_sdk_cloudwatchlogs::Config::builder()
            .behavior_version(aws_sdk_cloudwatchlogs::config::BehaviorVersion::latest())
            .build(),
    );
    let cw = cloudwatch_query::resolver(Arc::new(cloudwatch_query::AppState {
        client: logs,
        config: cloudwatch_query::Config::from_lookup(|_| None).unwrap(),
    }));
    check(
        "cloudwatch-query.json",
        cloudwatch_query::ACTION_GROUP,
        cw.openapi_document(),
    );
    let rules = vendor_enrichment::Rules::embedded().unwrap();
    let store = vendor_enrichment::AnyStore::Embedded(
        vendor_enrichment::EmbeddedStore::embedded(&rules).unwrap(),
    );
    let ve = vendor_enrichment::resolver(Arc::new(vendor_enrichment::AppState { store, rules }));
    check(
        "vendor-enrichment.json",
        vendor_enrichment::ACTION_GROUP,
        ve.openapi_document(),
    );
    let cp = crypto_preprocess::resolver(Arc::new(crypto_preprocess::AppState {
        keys: crypto_preprocess::KeyProvider::Local { master: [0; 32] },
        webhook_secret: crypto_preprocess::SecretSource::Missing("-"),
        token_key: crypto_preprocess::SecretSource::Missing("-"),
    }));
    check(
        "crypto-preprocess.json",
        crypto_preprocess::ACTION_GROUP,
        cp.openapi_document(),
    );
    out
}
