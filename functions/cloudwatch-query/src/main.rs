//! The Lambda entry point: configuration and the SDK client are built once,
//! at cold start; a bad setting is reported to the Runtime API's init error.

use std::process::ExitCode;
use std::sync::Arc;

use cloudwatch_query::{AppState, Config, resolver};

#[tokio::main]
async fn main() -> ExitCode {
    actionkit::init_tracing();
    let mut config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            return actionkit::init_error("CloudWatchQuery.InvalidConfig", &e.to_string()).await;
        }
    };
    // Loaded once (the handle key's Secrets Manager client shares it), with
    // the compiled-in roots: no certificate files read at cold start.
    let sdk = match actionkit::aws_sdk_config().await {
        Ok(sdk) => sdk,
        Err(e) => {
            return actionkit::init_error("CloudWatchQuery.InvalidConfig", &e.to_string()).await;
        }
    };
    config.handle_keys.set_sdk(&sdk);
    // Every Logs call carries the invocation's X-Ray trace header.
    let client = aws_sdk_cloudwatchlogs::Client::from_conf(
        aws_sdk_cloudwatchlogs::config::Builder::from(&sdk)
            .interceptor(actionkit::TraceHeader)
            .build(),
    );
    actionkit::serve(resolver(Arc::new(AppState { client, config }))).await
}
