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

use base64::Engine as _;
use futures_util::FutureExt;
use http::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use lambda_runtime::{Config, Context, Diagnostic};
use lambda_runtime_api_client::body::Body;
use lambda_runtime_api_client::{Client, build_request};
use serde_json::Value;

use crate::failure::RuntimeFailure;
use crate::resolver::Resolver;

const NEXT: &str = "/2018-06-01/runtime/invocation/next";
const INIT_ERROR: &str = "/2018-06-01/runtime/init/error";
const REQUEST_ID: &str = "lambda-runtime-aws-request-id";
const DEADLINE: &str = "lambda-runtime-deadline-ms";
const CLIENT_CONTEXT: &str = "lambda-runtime-client-context";

/// Serves `resolver` on the Lambda Runtime API until the process ends.
///
/// Build the resolver (and the state it holds: SDK clients, configuration)
/// once, before calling this: that work happens at cold start only.
///
/// Returns only when the Runtime API itself cannot be reached; no
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
    let config = Arc::new(Config::from_env());
    let client = Client::builder().build()?;
    loop {
        let next = client
            .call(request(Method::GET, NEXT, Body::empty())?)
            .await?;
        let (parts, body) = next.into_parts();
        // `cargo lambda watch` answers 204 to keep an idle runtime polling.
        if parts.status == StatusCode::NO_CONTENT {
            continue;
        }
        if parts.status != StatusCode::OK {
            return Err(format!("the Runtime API answered {} to /next", parts.status).into());
        }
        let body = body.collect().await?.to_bytes();
        let Some(request_id) = header(&parts.headers, REQUEST_ID) else {
            // Nothing to answer to: the Runtime API broke its own contract.
            tracing::error!("invocation without a request id; skipped");
            continue;
        };
        let answer = match invocation_context(&request_id, &config, &parts.headers) {
            Ok(context) => match std::str::from_utf8(&body) {
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
            },
            Err(why) => {
                tracing::error!(%request_id, why, "invocation headers unreadable");
                Err(resolver.failure(RuntimeFailure::MalformedEvent, why))
            }
        };
        let reply = match answer {
            Ok(json) => request(
                Method::POST,
                &format!("/2018-06-01/runtime/invocation/{request_id}/response"),
                Body::from(json.get().to_owned()),
            ),
            Err(diagnostic) => error_request(&request_id, &diagnostic),
        };
        match reply {
            Ok(req) => {
                if let Err(e) = client.call(req).await {
                    tracing::error!(%request_id, error = %e, "cannot deliver the answer");
                }
            }
            Err(e) => tracing::error!(%request_id, error = %e, "cannot build the answer"),
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

fn error_request(request_id: &str, diagnostic: &Diagnostic) -> Result<Request<Body>, http::Error> {
    let body = serde_json::json!({
        "errorType": diagnostic.error_type,
        "errorMessage": diagnostic.error_message,
    });
    let mut req = request(
        Method::POST,
        &format!("/2018-06-01/runtime/invocation/{request_id}/error"),
        Body::from(body.to_string()),
    )?;
    req.headers_mut().insert(
        "lambda-runtime-function-error-type",
        HeaderValue::from_static("Unhandled"),
    );
    Ok(req)
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The invocation's [`Context`], built by `lambda_runtime` itself from
/// headers made readable first (see [`tolerant_client_context`]).
pub(crate) fn invocation_context(
    request_id: &str,
    config: &Arc<Config>,
    headers: &HeaderMap,
) -> Result<Context, &'static str> {
    // `Context::new` panics on a missing deadline: check it here.
    if header(headers, DEADLINE).is_none_or(|d| d.parse::<u64>().is_err()) {
        return Err("the invocation has no valid deadline header");
    }
    // What to do with the client context: nothing (the common case, and no
    // copy of the headers), replace it, or drop it.
    let rewrite = match headers
        .get(CLIENT_CONTEXT)
        .map(|v| v.to_str().map_err(|_| ()).and_then(tolerant_client_context))
    {
        None | Some(Ok(None)) => None,
        Some(Ok(Some(fixed))) => {
            tracing::debug!("client context rewritten: non-string values kept as JSON text");
            Some(HeaderValue::from_str(&fixed).ok())
        }
        Some(Err(())) => {
            tracing::warn!("the client context is not a JSON object; ignored");
            Some(None)
        }
    };
    let context = match rewrite {
        None => Context::new(request_id, Arc::clone(config), headers),
        Some(replacement) => {
            let mut headers = headers.clone();
            match replacement {
                Some(value) => headers.insert(CLIENT_CONTEXT, value),
                None => headers.remove(CLIENT_CONTEXT),
            };
            Context::new(request_id, Arc::clone(config), &headers)
        }
    };
    context.map_err(|_| "the invocation headers cannot be read")
}

/// The client context JSON in the shape `lambda_runtime` reads, when the
/// raw header is not already in it: `custom` and `environment` map strings
/// to strings, so any other value (an object of propagated headers, a
/// number) becomes its JSON text; `client` fields likewise. The Runtime API
/// sends the context as JSON text; `cargo lambda watch` sends it
/// base64-encoded (as the Invoke API receives it): both are read.
///
/// `Ok(None)`: the header can stay as it is. `Err(())`: it is not a JSON
/// object at all.
pub(crate) fn tolerant_client_context(raw: &str) -> Result<Option<String>, ()> {
    let (parsed, mut changed) = match serde_json::from_str::<Value>(raw) {
        Ok(value) => (value, false),
        Err(_) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(raw.trim())
                .map_err(|_| ())?;
            (
                serde_json::from_slice::<Value>(&bytes).map_err(|_| ())?,
                true,
            )
        }
    };
    let Value::Object(mut context) = parsed else {
        return Err(());
    };
    for key in ["custom", "environment", "client"] {
        match context.get_mut(key) {
            Some(Value::Object(map)) => {
                for value in map.values_mut().filter(|v| !v.is_string()) {
                    *value = Value::String(value.to_string());
                    changed = true;
                }
            }
            Some(Value::Null) | None => {}
            Some(_) => {
                context.remove(key);
                changed = true;
            }
        }
    }
    Ok(changed.then(|| Value::Object(context).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(client_context: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(DEADLINE, HeaderValue::from_static("4102444800000"));
        h.insert(
            CLIENT_CONTEXT,
            HeaderValue::from_str(client_context).unwrap(),
        );
        h
    }

    fn config() -> Arc<Config> {
        Arc::new(Config::default())
    }

    #[test]
    fn object_valued_custom_fields_are_kept_as_json_text() {
        let raw = r#"{"custom":{"bedrockAgentCoreToolName":"logs___list_log_groups","bedrockAgentCorePropagatedHeaders":{"x-tenant":"acme","n":1}},"environment":{"n":2}}"#;
        // lambda_runtime alone refuses this context.
        assert!(Context::new("id", config(), &headers(raw)).is_err());
        let context = invocation_context("id", &config(), &headers(raw)).unwrap();
        let custom = context.client_context.unwrap().custom;
        assert_eq!(custom["bedrockAgentCoreToolName"], "logs___list_log_groups");
        let propagated: Value =
            serde_json::from_str(&custom["bedrockAgentCorePropagatedHeaders"]).unwrap();
        assert_eq!(propagated["x-tenant"], "acme");
    }

    #[test]
    fn base64_contexts_are_read_too() {
        use base64::Engine as _;
        let raw = base64::engine::general_purpose::STANDARD
            .encode(r#"{"custom":{"bedrockAgentCoreToolName":"t___x","h":{"a":1}}}"#);
        let context = invocation_context("id", &config(), &headers(&raw)).unwrap();
        let custom = context.client_context.unwrap().custom;
        assert_eq!(custom["bedrockAgentCoreToolName"], "t___x");
        assert_eq!(custom["h"], r#"{"a":1}"#);
    }

    #[test]
    fn unreadable_contexts_are_dropped_not_fatal() {
        for raw in [
            "not json",
            "[1,2]",
            r#"{"custom": 5}"#,
            r#"{"client": "x"}"#,
        ] {
            let context = invocation_context("id", &config(), &headers(raw))
                .unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert!(
                context
                    .client_context
                    .as_ref()
                    .is_none_or(|c| c.custom.is_empty()),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_missing_deadline_is_an_error_not_a_panic() {
        let mut h = headers("{}");
        h.remove(DEADLINE);
        assert!(invocation_context("id", &config(), &h).is_err());
        h.insert(DEADLINE, HeaderValue::from_static("soon"));
        assert!(invocation_context("id", &config(), &h).is_err());
    }
}
