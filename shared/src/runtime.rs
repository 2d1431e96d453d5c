//! Running a resolver as a Lambda function.

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::value::RawValue;

use crate::resolver::Resolver;

/// Serves `resolver` on the Lambda Runtime API until the process ends.
///
/// Build the resolver (and the state it holds: SDK clients, configuration)
/// once, before calling this: that work happens at cold start only.
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
    let resolver = Arc::new(resolver);
    // The payload arrives as raw JSON text: agent events are then parsed
    // once, straight into borrowed typed fields, never into a `Value` tree.
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        let resolver = Arc::clone(&resolver);
        async move {
            resolver
                .handle_json(event.payload.get(), event.context)
                .await
        }
    }))
    .await
}

/// [`run`], with the outcome as the process exit code: for `main`, so that a
/// function's entry point is `actionkit::serve(resolver).await`.
pub async fn serve<S: Clone + Send + Sync + 'static>(
    resolver: Resolver<S>,
) -> std::process::ExitCode {
    match run(resolver).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the Lambda runtime stopped");
            std::process::ExitCode::FAILURE
        }
    }
}
