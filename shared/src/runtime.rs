//! Running a resolver as a Lambda function, on the Lambda Runtime API.
//!
//! actionkit drives the Runtime API loop itself (next → handle → response
//! or error) with `lambda_runtime`'s own API client, `Context` and `Config`.
//! The one thing it does differently is why it exists: `lambda_runtime`
//! 1.x parses the client context's `custom` map as `HashMap<String, String>`
//! *before any handler or layer runs*, and a parse error ends its run loop —
//! so a caller (an AgentCore Gateway propagating headers, say) that puts an
//! object in `custom` would make every invocation fail with a runtime exit.
//! Here, non-string values in `custom` and `environment` are kept as their
//! JSON text, an unreadable client context is dropped, and an invocation
//! that still cannot be read is answered with a named error — the loop
//! always goes on.

use std::panic::AssertUnwindSafe;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::FutureExt;
use http::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use lambda_runtime::{Config, Context, Diagnostic};
use lambda_runtime_api_client::body::Body;
use lambda_runtime_api_client::{Client, build_request};
use serde_json::value::RawValue;
use tokio::task::JoinSet;

use crate::client_context::{read_client_context, read_cognito_identity};
use crate::failure::RuntimeFailure;
use crate::metrics::{self, MetricsConfig};
use crate::resolver::Resolver;
use crate::shutdown::Shutdown;
use crate::trace::with_trace_id;

const NEXT: &str = "/2018-06-01/runtime/invocation/next";
const INIT_ERROR: &str = "/2018-06-01/runtime/init/error";
const REQUEST_ID: &str = "lambda-runtime-aws-request-id";
const DEADLINE: &str = "lambda-runtime-deadline-ms";
const CLIENT_CONTEXT: &str = "lambda-runtime-client-context";
const FUNCTION_ARN: &str = "lambda-runtime-invoked-function-arn";
const TRACE_ID: &str = "lambda-runtime-trace-id";
const TENANT_ID: &str = "lambda-runtime-aws-tenant-id";
const COGNITO_IDENTITY: &str = "lambda-runtime-cognito-identity";

/// Lambda allows 500 ms between SIGTERM and SIGKILL; what is left is for
/// the process to exit.
const DEFAULT_SHUTDOWN_WINDOW: Duration = Duration::from_millis(450);

/// Serves `resolver` on the Lambda Runtime API until the process ends.
///
/// Build the resolver (and the state it holds: SDK clients, configuration)
/// once, before calling this: that work happens at cold start only.
///
/// * **Concurrency** — with `AWS_LAMBDA_MAX_CONCURRENCY=N` (Lambda Managed
///   Instances) N workers each poll `/next`, so N invocations are in flight,
///   each with its own request id, deadline, trace header and log span;
///   without it the same loop runs one invocation at a time.
/// * **Tracing** — each invocation runs in a `tracing` span carrying its
///   request id and trace id, and with its trace header task-local
///   ([`current_trace_id`](crate::current_trace_id), read by
///   `actionkit::TraceHeader` for AWS SDK calls).
/// * **Metrics** — one Embedded Metric Format document per invocation when
///   a namespace is configured (see [`metric`](crate::metric)).
/// * **Shutdown** — on SIGTERM (or SIGINT) no new invocation is taken, the
///   ones in flight finish within the shutdown window
///   (`ACTIONKIT_SHUTDOWN_WINDOW_MS`, 450 ms by default: Lambda allows
///   500), and `run` returns `Ok`. Logs and metrics are written per line as
///   they happen, so nothing is left buffered.
///
/// Returns an error only when the Runtime API itself cannot be reached; no
/// invocation, however malformed, stops the loop.
///
/// ```no_run
/// # async fn handler() -> actionkit::Json<u8> { actionkit::Json(1) }
/// #[tokio::main]
/// async fn main() -> Result<(), lambda_runtime::Error> {
///     actionkit::init_tracing();
///     let resolver = actionkit::Resolver::new("Ops").get("/ping", "Liveness check", handler);
///     actionkit::run(resolver).await
/// }
/// ```
pub async fn run<S: Clone + Send + Sync + 'static>(
    resolver: Resolver<S>,
) -> Result<(), lambda_runtime::Error> {
    let workers = max_concurrency();
    let shared = Arc::new(Worker {
        resolver,
        config: Arc::new(Config::from_env()),
        client: Client::builder().with_pool_size(workers).build()?,
        metrics: MetricsConfig::from_env(),
        cold_start: AtomicBool::new(true),
    });
    let shutdown = Shutdown::listen();
    if workers > 1 {
        tracing::debug!(
            workers,
            "concurrent invocations (AWS_LAMBDA_MAX_CONCURRENCY)"
        );
    }
    let mut pool = JoinSet::new();
    for _ in 0..workers {
        pool.spawn(Arc::clone(&shared).poll(shutdown.clone()));
    }
    let all_done = async {
        let mut first_error = None;
        while let Some(joined) = pool.join_next().await {
            let failure = match joined {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e),
                Err(e) => Some(lambda_runtime::Error::from(e.to_string())),
            };
            if let Some(e) = failure {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    };
    let mut all_done = std::pin::pin!(all_done);
    tokio::select! {
        result = &mut all_done => result,
        () = shutdown.requested() => {
            let window = shutdown_window();
            match tokio::time::timeout(window, &mut all_done).await {
                Ok(Ok(())) | Ok(Err(_)) => tracing::info!("shut down: every invocation in flight answered"),
                Err(_) => tracing::warn!(
                    window_ms = window.as_millis() as u64,
                    "shut down with invocations still in flight after the shutdown window"
                ),
            }
            Ok(())
        }
    }
}

/// `AWS_LAMBDA_MAX_CONCURRENCY`, at least 1 (unset or unreadable: 1).
fn max_concurrency() -> usize {
    std::env::var("AWS_LAMBDA_MAX_CONCURRENCY")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 1024)
}

/// How long in-flight invocations may take after SIGTERM.
fn shutdown_window() -> Duration {
    std::env::var("ACTIONKIT_SHUTDOWN_WINDOW_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DEFAULT_SHUTDOWN_WINDOW, Duration::from_millis)
}

/// What every worker shares: the resolver, the Runtime API client and the
/// settings read once at start.
struct Worker<S> {
    resolver: Resolver<S>,
    config: Arc<Config>,
    client: Client,
    metrics: Option<MetricsConfig>,
    cold_start: AtomicBool,
}

impl<S: Clone + Send + Sync + 'static> Worker<S> {
    /// One `/next` loop, until the Runtime API fails or shutdown begins (an
    /// invocation already taken is always answered).
    async fn poll(self: Arc<Self>, shutdown: Shutdown) -> Result<(), lambda_runtime::Error> {
        loop {
            let next = tokio::select! {
                biased;
                () = shutdown.requested() => return Ok(()),
                next = self.client.call(request(Method::GET, NEXT, Body::empty())?) => next?,
            };
            let (parts, body) = next.into_parts();
            // `cargo lambda watch` answers 204 to keep an idle runtime polling.
            if parts.status == StatusCode::NO_CONTENT {
                continue;
            }
            if parts.status != StatusCode::OK {
                return Err(format!("the Runtime API answered {} to /next", parts.status).into());
            }
            let body = body.collect().await?.to_bytes();
            self.invoke(&parts.headers, &body).await;
        }
    }

    /// Answers one invocation and delivers the answer.
    async fn invoke(&self, headers: &HeaderMap, body: &[u8]) {
        let Some(raw_id) = headers.get(REQUEST_ID).filter(|v| !v.is_empty()) else {
            // Nothing to answer to: the Runtime API broke its own contract.
            // Lambda times the invocation out; the loop polls for the next.
            tracing::error!(
                "invocation without a Lambda-Runtime-Aws-Request-Id header: it cannot be \
                 answered and is skipped"
            );
            return;
        };
        // Any bytes name the invocation: quoted into the answer's path, so an
        // id the URI grammar refuses is still answered (and cannot reach
        // another path).
        let request_id = String::from_utf8_lossy(raw_id.as_bytes()).into_owned();
        let id_path = percent_encoded(raw_id.as_bytes());
        let trace_id: Option<Arc<str>> = trace_id_of(headers).map(Into::into);
        let cold_start = self.cold_start.swap(false, Ordering::Relaxed);
        let answer = with_trace_id(
            trace_id,
            metrics::record(
                self.metrics.as_ref(),
                cold_start,
                self.answer(&request_id, headers, body),
                metrics::outcome,
            ),
        )
        .await;
        let reply = match answer {
            Ok(json) => request(
                Method::POST,
                &format!("/2018-06-01/runtime/invocation/{id_path}/response"),
                Body::from(json.get().to_owned()),
            ),
            Err(diagnostic) => error_request(&id_path, &diagnostic),
        };
        match reply {
            Ok(req) => {
                if let Err(e) = self.client.call(req).await {
                    tracing::error!(%request_id, error = %e, "cannot deliver the answer");
                }
            }
            Err(e) => tracing::error!(%request_id, error = %e, "cannot build the answer"),
        }
    }

    async fn answer(
        &self,
        request_id: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Box<RawValue>, Diagnostic> {
        let resolver = &self.resolver;
        let context = invocation_context(request_id, &self.config, headers);
        match std::str::from_utf8(body) {
            Ok(event) => AssertUnwindSafe(resolver.handle_json(event, context))
                .catch_unwind()
                .await
                .unwrap_or_else(|_| {
                    tracing::error!(%request_id, "panic outside the handler");
                    Err(resolver.failure(RuntimeFailure::Internal, "internal error"))
                }),
            Err(_) => Err(resolver.failure(
                RuntimeFailure::MalformedEvent,
                "malformed event: the payload is not UTF-8 text",
            )),
        }
    }
}

/// [`run`], with the outcome as the process exit code: for `main`, so that a
/// function's entry point is `actionkit::serve(resolver).await`.
///
/// Started with one argument, the binary prints a schema instead and exits:
/// `--openapi` (the OpenAPI document, see [`Resolver::info`]),
/// `--function-schema` (the function-details `functionSchema`) or
/// `--tool-schema` (the AgentCore Gateway inline tool schema). This is how
/// `make schemas` writes the committed files.
pub async fn serve<S: Clone + Send + Sync + 'static>(resolver: Resolver<S>) -> ExitCode {
    let schema = match std::env::args().nth(1).as_deref() {
        None => None,
        Some("--openapi") => Some(resolver.openapi_document()),
        Some("--function-schema") => Some(resolver.function_schema()),
        Some("--tool-schema") => Some(resolver.tool_schema()),
        Some("--mcp-stdio") => return crate::mcp::stdio_exit_code(&resolver).await,
        Some(other) => {
            eprintln!(
                "unknown argument {other:?}: expected --openapi, --function-schema, --tool-schema \
                 or --mcp-stdio"
            );
            return ExitCode::from(2);
        }
    };
    match schema {
        Some(Ok(doc)) => {
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Some(Err(e)) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
        None => match run(resolver).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error = %e, "the Lambda Runtime API is unreachable");
                ExitCode::FAILURE
            }
        },
    }
}

/// Reports a failed initialization (a bad setting, a missing key) to the
/// Lambda Runtime API's `/init/error`, so the operator sees `error_type`
/// and the reason in the console, and returns the exit code `main` ends
/// with. Outside Lambda it only logs.
///
/// ```no_run
/// # async fn f() -> std::process::ExitCode {
/// let reason = "ALLOWED_LOG_GROUPS: `*` allows every group";
/// actionkit::init_error("CloudWatchQuery.InvalidConfig", reason).await
/// # }
/// ```
pub async fn init_error(error_type: &str, message: &str) -> ExitCode {
    tracing::error!(error = error_type, "{message}");
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        let body = serde_json::json!({"errorType": error_type, "errorMessage": message});
        let sent = match (
            Client::builder().build(),
            request(Method::POST, INIT_ERROR, Body::from(body.to_string())),
        ) {
            (Ok(client), Ok(mut req)) => {
                if let Ok(value) = HeaderValue::from_str(error_type) {
                    req.headers_mut()
                        .insert("lambda-runtime-function-error-type", value);
                }
                client.call(req).await.is_ok()
            }
            _ => false,
        };
        if !sent {
            tracing::error!("the init error could not be reported to the Runtime API");
        }
    }
    ExitCode::FAILURE
}

fn request(method: Method, path: &str, body: Body) -> Result<Request<Body>, http::Error> {
    build_request()
        .method(method)
        .uri(path)
        .header(CONTENT_TYPE, "application/json")
        .body(body)
}

/// `id_path` is the request id as [`percent_encoded`] quotes it.
fn error_request(id_path: &str, diagnostic: &Diagnostic) -> Result<Request<Body>, http::Error> {
    let body = serde_json::json!({
        "errorType": diagnostic.error_type,
        "errorMessage": diagnostic.error_message,
    });
    let mut req = request(
        Method::POST,
        &format!("/2018-06-01/runtime/invocation/{id_path}/error"),
        Body::from(body.to_string()),
    )?;
    req.headers_mut().insert(
        "lambda-runtime-function-error-type",
        HeaderValue::from_static("Unhandled"),
    );
    Ok(req)
}

/// A path segment naming `bytes`: unreserved characters as they are,
/// every other byte `%XX` (what the Runtime API decodes back).
fn percent_encoded(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(*b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A trace header longer than this is not one X-Ray wrote (theirs are
/// about 100 bytes): it would ride on every log line and every AWS SDK
/// request of the invocation, and make the SDK's requests too large.
const MAX_TRACE_ID_BYTES: usize = 1024;

/// The invocation's trace header when it is one that can be passed on:
/// visible ASCII (an HTTP header value) of at most [`MAX_TRACE_ID_BYTES`].
fn trace_id_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(TRACE_ID)
        .filter(|v| !v.is_empty() && v.len() <= MAX_TRACE_ID_BYTES)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A header as text even when it is not ASCII (hyper keeps raw bytes).
fn lossy_header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .filter(|v| !v.is_empty())
}

/// The invocation's [`Context`], built from the headers field by field so
/// that no header content can fail it: `lambda_runtime`'s `Context::new`
/// refuses a client context or Cognito identity it cannot parse (and
/// panics on a missing deadline). The client context and the Cognito
/// identity are read by [`read_client_context`] and
/// [`read_cognito_identity`]; a deadline that is missing or not a number is
/// 0, "no deadline" (as in an MCP stdio session). What cannot be read is
/// left out and logged once, by part name, never by value.
pub(crate) fn invocation_context(
    request_id: &str,
    config: &Arc<Config>,
    headers: &HeaderMap,
) -> Context {
    let mut unreadable = Vec::new();
    // `Context` is non-exhaustive: filled in from its default.
    let mut context = Context::default();
    context.request_id = request_id.to_owned();
    match lossy_header(headers, DEADLINE).map(|d| d.trim().parse::<u64>()) {
        Some(Ok(deadline)) => context.deadline = deadline,
        Some(Err(_)) | None => unreadable.push("deadline"),
    }
    context.invoked_function_arn = lossy_header(headers, FUNCTION_ARN).unwrap_or_default();
    context.xray_trace_id = trace_id_of(headers);
    if context.xray_trace_id.is_none() && headers.get(TRACE_ID).is_some_and(|v| !v.is_empty()) {
        unreadable.push("trace id");
    }
    context.tenant_id = lossy_header(headers, TENANT_ID);
    context.env_config = Arc::clone(config);
    if let Some(raw) = headers.get(CLIENT_CONTEXT) {
        let read = read_client_context(raw.as_bytes());
        unreadable.extend(read.unreadable);
        // The value has exactly `ClientContext`'s shape, so this holds.
        context.client_context = read.context.and_then(|v| serde_json::from_value(v).ok());
    }
    if let Some(raw) = headers.get(COGNITO_IDENTITY) {
        let (identity, broken) = read_cognito_identity(raw.as_bytes());
        // The value has exactly `CognitoIdentity`'s shape, so this holds.
        context.identity = identity.and_then(|v| serde_json::from_value(v).ok());
        if broken {
            unreadable.push("cognito identity");
        }
    }
    if !unreadable.is_empty() {
        tracing::warn!(
            %request_id,
            unreadable = ?unreadable,
            "invocation header parts unreadable; left out, the invocation is served"
        );
    }
    context
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn headers(client_context: &[u8]) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(DEADLINE, HeaderValue::from_static("4102444800000"));
        h.insert(
            CLIENT_CONTEXT,
            HeaderValue::from_bytes(client_context).unwrap(),
        );
        h
    }

    fn config() -> Arc<Config> {
        Arc::new(Config::default())
    }

    fn custom(raw: &[u8]) -> std::collections::HashMap<String, String> {
        invocation_context("id", &config(), &headers(raw))
            .client_context
            .map(|c| c.custom)
            .unwrap_or_default()
    }

    #[test]
    fn object_valued_custom_fields_are_kept_as_json_text() {
        let raw = r#"{"custom":{"bedrockAgentCoreToolName":"logs___list_log_groups","bedrockAgentCorePropagatedHeaders":{"x-tenant":"acme","n":1}},"environment":{"n":2}}"#;
        // lambda_runtime alone refuses this context.
        assert!(Context::new("id", config(), &headers(raw.as_bytes())).is_err());
        let custom = custom(raw.as_bytes());
        assert_eq!(custom["bedrockAgentCoreToolName"], "logs___list_log_groups");
        let propagated: Value =
            serde_json::from_str(&custom["bedrockAgentCorePropagatedHeaders"]).unwrap();
        assert_eq!(propagated["x-tenant"], "acme");
    }

    #[test]
    fn raw_utf8_in_the_header_is_read() {
        let raw = r#"{"client":null,"environment":null,"custom":{"bedrockAgentCoreToolName":"t___x","h":{"x-user":"Zoë Müller"}}}"#;
        let custom = custom(raw.as_bytes());
        assert_eq!(custom["bedrockAgentCoreToolName"], "t___x");
        assert_eq!(custom["h"], r#"{"x-user":"Zoë Müller"}"#);
    }

    #[test]
    fn unreadable_contexts_are_dropped_not_fatal() {
        for raw in [
            &b"not json"[..],
            b"[1,2]",
            br#"{"custom": 5}"#,
            br#"{"client": "x"}"#,
            b"\xff\xfe{",
        ] {
            assert!(custom(raw).is_empty(), "{raw:?}");
        }
    }

    /// `lambda_runtime` panics without a deadline; here the invocation is
    /// served with none (0, as in an MCP stdio session).
    #[test]
    fn a_missing_or_unreadable_deadline_is_no_deadline() {
        let mut h = headers(b"{}");
        h.remove(DEADLINE);
        assert_eq!(invocation_context("id", &config(), &h).deadline, 0);
        for bad in [
            &b"soon"[..],
            b"-1",
            b"1.5e12",
            b"99999999999999999999999",
            b"\xff1",
        ] {
            h.insert(DEADLINE, HeaderValue::from_bytes(bad).unwrap());
            assert_eq!(invocation_context("id", &config(), &h).deadline, 0);
        }
        h.insert(DEADLINE, HeaderValue::from_static(" 4102444800000 "));
        assert_eq!(
            invocation_context("id", &config(), &h).deadline,
            4_102_444_800_000
        );
    }

    #[test]
    fn request_ids_are_quoted_into_the_answer_path() {
        assert_eq!(percent_encoded(b"8476a536-e9f4-11e8"), "8476a536-e9f4-11e8");
        assert_eq!(
            percent_encoded(b"a/../b c?d#\xc3"),
            "a%2F..%2Fb%20c%3Fd%23%C3"
        );
        for id in [&b"a b"[..], b"../next", b"\xff\xfe", b"{}%"] {
            let path = format!(
                "/2018-06-01/runtime/invocation/{}/error",
                percent_encoded(id)
            );
            assert!(
                request(Method::POST, &path, Body::empty()).is_ok(),
                "{id:?}"
            );
            assert_eq!(path.matches('/').count(), 5, "{path}");
        }
    }

    #[test]
    fn trace_ids_too_long_or_not_ascii_are_not_passed_on() {
        let mut h = headers(b"{}");
        let long = format!("Root=1-{}", "a".repeat(MAX_TRACE_ID_BYTES));
        h.insert(TRACE_ID, HeaderValue::from_str(&long).unwrap());
        assert_eq!(trace_id_of(&h), None);
        assert_eq!(invocation_context("id", &config(), &h).xray_trace_id, None);
        h.insert(
            TRACE_ID,
            HeaderValue::from_bytes("Root=ü".as_bytes()).unwrap(),
        );
        assert_eq!(trace_id_of(&h), None);
        h.insert(TRACE_ID, HeaderValue::from_static("Root=1-abc;Sampled=1"));
        assert_eq!(trace_id_of(&h).as_deref(), Some("Root=1-abc;Sampled=1"));
    }

    #[test]
    fn other_headers_cannot_fail_the_context() {
        let mut h = headers(b"{}");
        h.insert(
            COGNITO_IDENTITY,
            HeaderValue::from_bytes("{\"x\": \"ü\"".as_bytes()).unwrap(),
        );
        h.insert(
            FUNCTION_ARN,
            HeaderValue::from_bytes("arn:ü".as_bytes()).unwrap(),
        );
        h.insert(TRACE_ID, HeaderValue::from_static("Root=1-abc;Sampled=1"));
        let context = invocation_context("id", &config(), &h);
        assert!(context.identity.is_none());
        h.insert(
            COGNITO_IDENTITY,
            HeaderValue::from_bytes(br#"{"identityId": "i\ud800", "identityPoolId": null}"#)
                .unwrap(),
        );
        let identity = invocation_context("id", &config(), &h).identity.unwrap();
        assert_eq!(identity.identity_id, "i\u{fffd}");
        assert_eq!(identity.identity_pool_id, "");
        assert_eq!(context.invoked_function_arn, "arn:ü");
        assert_eq!(
            context.xray_trace_id.as_deref(),
            Some("Root=1-abc;Sampled=1")
        );
    }

    /// Any JSON value (nulls, nesting, any Unicode), as JSON text or base64,
    /// and any bytes at all: a context is built, and a string in `custom`
    /// (the Gateway tool name) is always read back.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn every_context_shape_keeps_the_tool_name(
            client in json_value(),
            environment in json_value(),
            extra in json_value(),
            tool in "\\PC{1,40}",
            base64 in any::<bool>(),
        ) {
            use base64::Engine as _;
            let text = json!({"client": client, "environment": environment,
                "custom": {"bedrockAgentCoreToolName": tool, "extra": extra}}).to_string();
            let raw = if base64 {
                base64::engine::general_purpose::STANDARD.encode(&text).into_bytes()
            } else {
                text.into_bytes()
            };
            let custom = custom(&raw);
            prop_assert_eq!(&custom["bedrockAgentCoreToolName"], &tool);
        }

        #[test]
        fn any_bytes_are_served(raw in prop::collection::vec(any::<u8>(), 0..200)) {
            // Header values cannot hold control bytes other than tab.
            let raw: Vec<u8> = raw.into_iter().filter(|b| *b >= 0x20 && *b != 0x7f).collect();
            let _ = invocation_context("id", &config(), &headers(&raw));
        }
    }
}
