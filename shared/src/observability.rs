//! One call to set up logging: JSON lines in Lambda, readable text locally.

use tracing_subscriber::EnvFilter;

/// Where and how logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line on stdout (what CloudWatch Logs Insights
    /// queries best): timestamp, level, message, fields and the invocation
    /// span (request id).
    Json,
    /// Compact human-readable lines on stderr.
    Text,
}

impl LogFormat {
    /// JSON inside Lambda (or when `AWS_LAMBDA_LOG_FORMAT=JSON`), text elsewhere.
    pub fn from_env() -> Self {
        let forced_json =
            std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
        let in_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
            && std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
        if forced_json || in_lambda {
            Self::Json
        } else {
            Self::Text
        }
    }
}

/// The log filter: `AWS_LAMBDA_LOG_LEVEL` (Lambda's advanced logging
/// controls) wins, then `RUST_LOG`, then `info`.
fn filter() -> EnvFilter {
    let directive = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .map(|level| level.to_ascii_lowercase())
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".to_owned());
    EnvFilter::try_new(&directive).unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Installs the global `tracing` subscriber (once; later calls do nothing).
///
/// Every invocation is logged once at `info` with its request id, mode,
/// action group, route or function or task, status and duration; payload
/// bodies are never logged at `info`.
///
/// ```no_run
/// actionkit::init_tracing();
/// ```
pub fn init_tracing() {
    init_tracing_with(LogFormat::from_env());
}

/// [`init_tracing`] with an explicit format.
pub fn init_tracing_with(format: LogFormat) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_target(false);
    // `try_init` fails only when a subscriber is already installed: keep it.
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .with_ansi(false)
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .with_writer(std::io::stdout)
            .try_init(),
        LogFormat::Text => builder.compact().with_writer(std::io::stderr).try_init(),
    };
}
