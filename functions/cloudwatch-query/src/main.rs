//! The Lambda entry point: configuration and the SDK client are built once,
//! at cold start.

use std::process::ExitCode;
use std::sync::Arc;

use cloudwatch_query::{AppState, Config, OPENAPI_INFO, resolver};

#[tokio::main]
async fn main() -> ExitCode {
    actionkit::init_tracing();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            // A misconfigured function must not start answering agents.
            tracing::error!(error = %e, "invalid configuration");
            return ExitCode::FAILURE;
        }
    };
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let state = Arc::new(AppState {
        client: aws_sdk_cloudwatchlogs::Client::new(&sdk),
        config,
    });
    let resolver = resolver(state);
    if std::env::args().nth(1).as_deref() == Some("--openapi") {
        let (title, version, description) = OPENAPI_INFO;
        return match resolver.openapi(title, version, description) {
            Ok(doc) => {
                println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        };
    }
    actionkit::serve(resolver).await
}
