//! One call to set up logging: JSON lines in Lambda, readable text locally.

use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;

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
///
/// A binary started with `--mcp-stdio` (see [`serve`](crate::serve)) writes
/// its logs to stderr in either format: its stdout is the MCP protocol.
pub fn init_tracing_with(format: LogFormat) {
    let stdout_is_protocol = std::env::args().nth(1).as_deref() == Some("--mcp-stdio");
    let writer = match format {
        LogFormat::Json if !stdout_is_protocol => BoxMakeWriter::new(std::io::stdout),
        LogFormat::Json | LogFormat::Text => BoxMakeWriter::new(std::io::stderr),
    };
    // Fails only when a subscriber is already installed: keep that one.
    let _ = tracing::subscriber::set_global_default(subscriber(format, filter(), writer));
    // A panic's message may quote the data being handled (a `&str` index
    // out of range prints the string): log where, never what.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(
            location,
            "panic (message withheld: it may quote input data)"
        );
    }));
}

/// The subscriber `init_tracing_with` installs, writing to `writer`.
fn subscriber(
    format: LogFormat,
    filter: EnvFilter,
    writer: BoxMakeWriter,
) -> Box<dyn Subscriber + Send + Sync> {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(writer);
    match format {
        LogFormat::Json => Box::new(
            builder
                .json()
                .with_ansi(false)
                .with_current_span(true)
                .with_span_list(false)
                .flatten_event(true)
                .finish(),
        ),
        LogFormat::Text => Box::new(builder.compact().finish()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use serde_json::{Value, json};

    use super::*;
    use crate::{ActionError, Json, Query, Resolver};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::ErrorKind::Other)?
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[derive(serde::Deserialize, utoipa::IntoParams)]
    struct Args {
        email: String,
    }

    async fn handler(Query(a): Query<Args>) -> Result<Json<String>, ActionError> {
        if a.email.contains("fail") {
            return Err(ActionError::internal("database unreachable at 10.0.0.7"));
        }
        Ok(Json(a.email))
    }

    fn event(email: &str) -> Value {
        json!({"messageVersion": "1.0", "agent": {}, "actionGroup": "People", "sessionId": "s",
               "apiPath": "/who", "httpMethod": "GET",
               "parameters": [{"name": "email", "type": "string", "value": email}]})
    }

    #[test]
    fn json_lines_carry_request_fields_and_no_payloads() {
        let captured = Captured::default();
        let writer = captured.clone();
        let sub = subscriber(
            LogFormat::Json,
            EnvFilter::new("info"),
            BoxMakeWriter::new(move || writer.clone()),
        );
        let resolver = Resolver::new("People").get("/who", "Who", handler);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        tracing::subscriber::with_default(sub, || {
            runtime.block_on(async {
                let mut context = lambda_runtime::Context::default();
                context.request_id = "req-42".into();
                for email in ["alice@example.com", "fail.bob@example.com"] {
                    resolver
                        .handle(event(email), context.clone())
                        .await
                        .unwrap();
                }
                resolver
                    .handle(json!({"messageVersion": "1.0", "agent": {}}), context)
                    .await
                    .unwrap_err();
            });
        });
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(
            !text.contains("alice") && !text.contains("bob"),
            "payload values leaked: {text}"
        );
        let answered: Vec<&Value> = lines
            .iter()
            .filter(|l| l["message"] == "agent request answered")
            .collect();
        assert_eq!(answered.len(), 2, "{text}");
        for line in &answered {
            assert_eq!(line["level"], "INFO");
            assert_eq!(line["span"]["request_id"], "req-42");
            assert_eq!(line["action_group"], "People");
            assert_eq!(line["route"], "GET /who");
            assert_eq!(line["mode"], "openapi");
            assert!(line["duration_us"].is_u64());
        }
        assert_eq!(answered[0]["status"], 200);
        assert_eq!(answered[1]["status"], 500);
        let failure = lines
            .iter()
            .find(|l| l["message"] == "request failed")
            .unwrap();
        assert_eq!(
            failure["detail"], "database unreachable at 10.0.0.7",
            "the detail is in the log only"
        );
        assert!(
            lines
                .iter()
                .any(|l| l["error"] == "MalformedEvent" && l["level"] == "WARN")
        );
    }
}
