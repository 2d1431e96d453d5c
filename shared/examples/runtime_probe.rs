//! A function for the runtime loop's own tests (`shared/tests/runtime_*.rs`):
//! its task `probe` makes one AWS SDK call (S3 `ListBuckets`) to the
//! endpoint in `PROBE_ENDPOINT`, through `actionkit::TraceHeader`, and
//! answers what it saw of its invocation; `sleep` waits, `fail` fails with a
//! named task error, and the route `GET /items/{id}` answers 404.
//! (`actionkit::TraceHeader` needs the `aws-sdk` feature: the testkit, a
//! dev-dependency, enables it.)
//!
//! ```text
//! PROBE_ENDPOINT=http://127.0.0.1:9000 cargo run --example runtime_probe
//! ```

use std::process::ExitCode;
use std::time::Duration;

use actionkit::{ActionError, Body, Context, Json, MetricUnit, Path, Resolver, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The shared state: one S3 client, built once, with the trace interceptor.
#[derive(Clone)]
struct Probe {
    s3: aws_sdk_s3::Client,
}

#[derive(Deserialize, ToSchema)]
struct Wait {
    /// How long to wait, in milliseconds.
    millis: u64,
}

#[derive(Serialize, ToSchema)]
struct Seen {
    /// The invocation's request id, as the handler's context has it.
    request_id: String,
    /// Its deadline (epoch milliseconds).
    deadline: u64,
    /// Its trace header, as the task-local has it.
    trace_id: Option<String>,
    /// Whether the SDK call succeeded.
    sdk_ok: bool,
}

#[derive(Deserialize, IntoParams)]
struct ItemId {
    /// The item's id.
    id: String,
}

async fn probe(State(p): State<Probe>, context: Context) -> Json<Seen> {
    tracing::info!("probe calling S3");
    let sdk_ok = p.s3.list_buckets().send().await.is_ok();
    actionkit::metric("ProbeCalls", MetricUnit::Count, 1.0);
    Json(Seen {
        request_id: context.request_id,
        deadline: context.deadline,
        trace_id: actionkit::current_trace_id().map(|t| t.to_string()),
        sdk_ok,
    })
}

async fn sleep(Body(w): Body<Wait>) -> Json<u64> {
    tokio::time::sleep(Duration::from_millis(w.millis)).await;
    Json(w.millis)
}

async fn fail() -> Result<Json<u8>, ActionError> {
    Err(ActionError::not_found("no such thing"))
}

async fn item(Path(i): Path<ItemId>) -> Result<Json<u8>, ActionError> {
    Err(ActionError::not_found(format!("No item {}.", i.id)))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    actionkit::init_tracing();
    let endpoint = std::env::var("PROBE_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:9".into());
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing", "testing", None, None, "probe",
        ))
        .interceptor(actionkit::TraceHeader)
        .build();
    let state = Probe {
        s3: aws_sdk_s3::Client::from_conf(config),
    };
    let resolver = Resolver::with_state("Probe", state)
        .error_prefix("Probe")
        .get("/items/{id}", "Get an item", item)
        .task("probe", probe)
        .task("sleep", sleep)
        .task("fail", fail);
    actionkit::serve(resolver).await
}
