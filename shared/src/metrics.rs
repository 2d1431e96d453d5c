//! Metrics in CloudWatch Embedded Metric Format (EMF), as Powertools'
//! Metrics writes them: one JSON line on stdout per invocation, which
//! CloudWatch Logs turns into metrics without an API call.
//!
//! Written by hand, not through the `metrics` crate and an exporter: what
//! is emitted is one small document per invocation whose shape the
//! [EMF specification] fixes, and a global recorder would add a registry,
//! atomics and a flush task for nothing here (the document is written when
//! the invocation ends, so nothing is left to flush at shutdown).
//!
//! [EMF specification]: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lambda_runtime::Diagnostic;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::event::{AgentTarget, Incoming};
use crate::fit::excerpt_bytes;

/// The EMF limit on metrics per directive and values per metric.
const MAX_METRICS: usize = 100;
/// CloudWatch's limit on a dimension value is 1024 characters; operation
/// names are cut well below it.
const MAX_DIMENSION_BYTES: usize = 128;
/// Keys of the invocation document that a custom metric may not take.
const RESERVED: [&str; 11] = [
    "_aws",
    "service",
    "mode",
    "operation",
    "error",
    "function_name",
    "Invocations",
    "Duration",
    "ClientErrors",
    "ServerErrors",
    "TaskErrors",
];

/// The unit of a metric value, as EMF names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricUnit {
    /// A plain count.
    Count,
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Milliseconds,
    /// Microseconds.
    Microseconds,
    /// Bytes.
    Bytes,
    /// Kilobytes.
    Kilobytes,
    /// Megabytes.
    Megabytes,
    /// A percentage.
    Percent,
    /// No unit.
    None,
}

impl MetricUnit {
    fn as_str(self) -> &'static str {
        match self {
            MetricUnit::Count => "Count",
            MetricUnit::Seconds => "Seconds",
            MetricUnit::Milliseconds => "Milliseconds",
            MetricUnit::Microseconds => "Microseconds",
            MetricUnit::Bytes => "Bytes",
            MetricUnit::Kilobytes => "Kilobytes",
            MetricUnit::Megabytes => "Megabytes",
            MetricUnit::Percent => "Percent",
            MetricUnit::None => "None",
        }
    }
}

/// Where metrics go, read once from the environment: enabled when a
/// namespace is set (`ACTIONKIT_METRICS_NAMESPACE`, or Powertools'
/// `POWERTOOLS_METRICS_NAMESPACE`) and neither `ACTIONKIT_METRICS_DISABLED`
/// nor `POWERTOOLS_METRICS_DISABLED` is `true`; the `service` dimension is
/// `ACTIONKIT_SERVICE_NAME`, `POWERTOOLS_SERVICE_NAME` or the function name.
#[derive(Debug, Clone)]
pub(crate) struct MetricsConfig {
    namespace: String,
    service: String,
    function_name: String,
}

impl MetricsConfig {
    pub(crate) fn from_env() -> Option<Self> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let first = |keys: &[&str]| {
            keys.iter()
                .filter_map(|k| get(k))
                .find(|v| !v.trim().is_empty())
        };
        let disabled = ["ACTIONKIT_METRICS_DISABLED", "POWERTOOLS_METRICS_DISABLED"]
            .iter()
            .filter_map(|k| get(k))
            .any(|v| v.eq_ignore_ascii_case("true") || v == "1");
        let namespace = first(&[
            "ACTIONKIT_METRICS_NAMESPACE",
            "POWERTOOLS_METRICS_NAMESPACE",
        ])?;
        if disabled {
            return None;
        }
        let function_name = get("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default();
        let service =
            first(&["ACTIONKIT_SERVICE_NAME", "POWERTOOLS_SERVICE_NAME"]).unwrap_or_else(|| {
                if function_name.is_empty() {
                    "service_undefined".to_owned()
                } else {
                    function_name.clone()
                }
            });
        Some(Self {
            namespace,
            service,
            function_name,
        })
    }
}

/// What one invocation recorded: which operation answered it, and the
/// handler's own metrics.
#[derive(Debug, Default)]
struct Recorder {
    mode: Option<&'static str>,
    operation: Option<String>,
    custom: BTreeMap<String, (MetricUnit, Vec<f64>)>,
    dropped: bool,
}

tokio::task_local! {
    static RECORDER: RefCell<Recorder>;
}

/// Records a custom metric for the invocation being handled, in one line:
/// it is emitted with the invocation's metrics, under the `service`
/// dimension. Several values of one name are kept (up to 100).
///
/// Outside an invocation, or when metrics are disabled, it does nothing.
/// Names that EMF cannot take or that actionkit's own metrics and
/// dimensions use (`Invocations`, `Duration`, `service`, ...) are dropped
/// with a warning, as are values that are not finite.
///
/// ```
/// use actionkit::{MetricUnit, metric};
/// // In a handler:
/// metric("RowsReturned", MetricUnit::Count, 42.0);
/// ```
pub fn metric(name: &str, unit: MetricUnit, value: f64) {
    let valid = !name.is_empty()
        && name.len() <= 255
        && !name.chars().any(char::is_control)
        && !RESERVED.contains(&name)
        && value.is_finite();
    let _ = RECORDER.try_with(|recorder| {
        let mut recorder = recorder.borrow_mut();
        let room = recorder.custom.len() < MAX_METRICS || recorder.custom.contains_key(name);
        if !valid || !room {
            if !recorder.dropped {
                tracing::warn!(
                    valid,
                    "custom metric dropped: a valid, finite metric under a free name, at most 100 per invocation"
                );
            }
            recorder.dropped = true;
            return;
        }
        let (_, values) = recorder
            .custom
            .entry(name.to_owned())
            .or_insert_with(|| (unit, Vec::new()));
        if values.len() < MAX_METRICS {
            values.push(value);
        }
    });
}

/// Names the mode and operation of the current invocation, as the
/// resolver's dispatch classified it (the `mode` and `operation`
/// dimensions); outside the runtime loop it does nothing.
pub(crate) fn set_operation_of<E>(incoming: &Result<Incoming, E>) {
    let _ = RECORDER.try_with(|recorder| {
        let (mode, operation) = match incoming {
            Ok(Incoming::Agent(agent)) | Ok(Incoming::Function(agent)) => match &agent.target {
                AgentTarget::Api {
                    api_path,
                    http_method,
                } => (
                    "openapi",
                    format!("{} {}", http_method.to_ascii_uppercase(), api_path),
                ),
                AgentTarget::Function { name } => ("function", name.clone()),
            },
            Ok(Incoming::Task(value)) => (
                "task",
                value
                    .get("task")
                    .and_then(Value::as_str)
                    .unwrap_or("default")
                    .to_owned(),
            ),
            Ok(Incoming::Tool { name, .. }) => ("tool", name.clone()),
            Ok(_) => ("other", "other".to_owned()),
            Err(_) => ("malformed", "malformed".to_owned()),
        };
        let mut recorder = recorder.borrow_mut();
        recorder.mode = Some(mode);
        // A dimension value: bounded, whatever the caller sent.
        recorder.operation = Some(excerpt_bytes(&operation, MAX_DIMENSION_BYTES));
    });
}

/// How an invocation ended, for the error metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    ClientError,
    ServerError,
    /// A Lambda error (a task's failure), by its name without the prefix.
    Failed(String),
}

/// The outcome of an answer: agent responses by `httpStatusCode` or
/// `responseState`, tool results by `isError` and the error's status, Lambda
/// errors by name.
pub(crate) fn outcome(answer: &Result<Box<RawValue>, Diagnostic>) -> Outcome {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        response: Option<AgentResponse>,
        is_error: Option<bool>,
        error: Option<ToolError>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct AgentResponse {
        http_status_code: Option<u16>,
        function_response: Option<FunctionResponse>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct FunctionResponse {
        response_state: Option<String>,
    }
    #[derive(Deserialize)]
    struct ToolError {
        status: Option<u16>,
    }
    let by_status = |status: u16| match status {
        400..=499 => Outcome::ClientError,
        500.. => Outcome::ServerError,
        _ => Outcome::Ok,
    };
    match answer {
        Err(diagnostic) => {
            let name = diagnostic
                .error_type
                .rsplit_once('.')
                .map_or(diagnostic.error_type.as_str(), |(_, name)| name);
            Outcome::Failed(name.to_owned())
        }
        Ok(json) => match serde_json::from_str::<Answer>(json.get()) {
            Ok(Answer {
                response: Some(response),
                ..
            }) => match (response.http_status_code, response.function_response) {
                (Some(status), _) => by_status(status),
                (None, Some(f)) => match f.response_state.as_deref() {
                    Some("REPROMPT") => Outcome::ClientError,
                    Some("FAILURE") => Outcome::ServerError,
                    _ => Outcome::Ok,
                },
                (None, None) => Outcome::Ok,
            },
            Ok(Answer {
                is_error: Some(true),
                error,
                ..
            }) => by_status(error.and_then(|e| e.status).unwrap_or(500)),
            // A task's output, whatever its shape.
            _ => Outcome::Ok,
        },
    }
}

/// Runs one invocation with a metrics recorder, and writes its EMF
/// document when it ends (`config` `None`: nothing is recorded or written).
pub(crate) async fn record<T>(
    config: Option<&MetricsConfig>,
    cold_start: bool,
    invocation: impl Future<Output = T>,
    classify: impl FnOnce(&T) -> Outcome,
) -> T {
    let Some(config) = config else {
        return invocation.await;
    };
    let started = std::time::Instant::now();
    let (recorder, value) = RECORDER
        .scope(RefCell::new(Recorder::default()), async {
            let out = invocation.await;
            (RECORDER.with(|r| std::mem::take(&mut *r.borrow_mut())), out)
        })
        .await;
    let outcome = classify(&value);
    let document = document(
        config,
        &recorder,
        &outcome,
        cold_start,
        started.elapsed(),
        SystemTime::now(),
    );
    // One line, written whole: CloudWatch Logs reads each line on its own.
    let mut line = document.to_string();
    line.push('\n');
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(line.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        tracing::error!("the metrics document could not be written to stdout");
    }
    value
}

/// The EMF document of one invocation.
fn document(
    config: &MetricsConfig,
    recorder: &Recorder,
    outcome: &Outcome,
    cold_start: bool,
    duration: Duration,
    now: SystemTime,
) -> Value {
    let metric = |name: &str, unit: &str| json!({"Name": name, "Unit": unit});
    let directive = |dimensions: &[&str], metrics: Vec<Value>| json!({"Namespace": config.namespace, "Dimensions": [dimensions], "Metrics": metrics});
    let mut top = Map::new();
    let mut directives = Vec::new();
    top.insert("service".into(), config.service.clone().into());
    let mode = recorder.mode.unwrap_or("unclassified");
    top.insert("mode".into(), mode.into());
    top.insert(
        "operation".into(),
        recorder
            .operation
            .clone()
            .unwrap_or_else(|| "unclassified".to_owned())
            .into(),
    );
    let mut metrics = vec![
        metric("Invocations", "Count"),
        metric("Duration", "Milliseconds"),
        metric("ClientErrors", "Count"),
        metric("ServerErrors", "Count"),
    ];
    top.insert("Invocations".into(), 1.into());
    top.insert("Duration".into(), json!(duration.as_secs_f64() * 1000.0));
    let (client, server) = match outcome {
        Outcome::ClientError => (1, 0),
        Outcome::ServerError => (0, 1),
        Outcome::Ok | Outcome::Failed(_) => (0, 0),
    };
    top.insert("ClientErrors".into(), client.into());
    top.insert("ServerErrors".into(), server.into());
    if let Outcome::Failed(name) = outcome {
        metrics.push(metric("TaskErrors", "Count"));
        top.insert("TaskErrors".into(), 1.into());
        directives.push(directive(
            &["service", "mode", "operation", "error"],
            vec![metric("TaskErrors", "Count")],
        ));
        top.insert("error".into(), name.clone().into());
    }
    directives.insert(0, directive(&["service", "mode", "operation"], metrics));
    if cold_start {
        top.insert("function_name".into(), config.function_name.clone().into());
        top.insert("ColdStart".into(), 1.into());
        directives.push(directive(
            &["service", "function_name"],
            vec![metric("ColdStart", "Count")],
        ));
    }
    if !recorder.custom.is_empty() {
        let mut custom = Vec::new();
        for (name, (unit, values)) in &recorder.custom {
            custom.push(metric(name, unit.as_str()));
            let value = match values.as_slice() {
                [one] => json!(one),
                many => json!(many),
            };
            top.insert(name.clone(), value);
        }
        directives.push(directive(&["service"], custom));
    }
    let timestamp = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    top.insert(
        "_aws".into(),
        json!({"Timestamp": timestamp, "CloudWatchMetrics": directives}),
    );
    Value::Object(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(env: &[(&str, &str)]) -> Option<MetricsConfig> {
        MetricsConfig::from_lookup(|k| {
            env.iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn namespace_and_service_from_either_spelling() {
        assert!(config(&[]).is_none());
        let c = config(&[
            ("POWERTOOLS_METRICS_NAMESPACE", "Ops"),
            ("POWERTOOLS_SERVICE_NAME", "logs"),
        ])
        .unwrap();
        assert_eq!((c.namespace.as_str(), c.service.as_str()), ("Ops", "logs"));
        let c = config(&[
            ("ACTIONKIT_METRICS_NAMESPACE", "A"),
            ("POWERTOOLS_METRICS_NAMESPACE", "B"),
            ("AWS_LAMBDA_FUNCTION_NAME", "fn"),
        ])
        .unwrap();
        assert_eq!((c.namespace.as_str(), c.service.as_str()), ("A", "fn"));
        for off in ["ACTIONKIT_METRICS_DISABLED", "POWERTOOLS_METRICS_DISABLED"] {
            assert!(config(&[("ACTIONKIT_METRICS_NAMESPACE", "A"), (off, "true")]).is_none());
        }
    }

    #[test]
    fn outcomes_by_envelope() {
        let ok = |s: &str| outcome(&Ok(RawValue::from_string(s.to_owned()).unwrap()));
        assert_eq!(
            ok(r#"{"response":{"httpStatusCode":404}}"#),
            Outcome::ClientError
        );
        assert_eq!(ok(r#"{"response":{"httpStatusCode":200}}"#), Outcome::Ok);
        assert_eq!(
            ok(r#"{"response":{"functionResponse":{"responseState":"FAILURE"}}}"#),
            Outcome::ServerError
        );
        assert_eq!(
            ok(r#"{"isError":true,"error":{"status":422}}"#),
            Outcome::ClientError
        );
        assert_eq!(ok(r#"[1,2]"#), Outcome::Ok);
        let failed = outcome(&Err(Diagnostic {
            error_type: "Vendors.NotFound".into(),
            error_message: String::new(),
        }));
        assert_eq!(failed, Outcome::Failed("NotFound".into()));
    }

    #[tokio::test]
    async fn custom_metrics_only_inside_an_invocation() {
        metric("Outside", MetricUnit::Count, 1.0);
        let recorded = RECORDER
            .scope(RefCell::new(Recorder::default()), async {
                metric("Rows", MetricUnit::Count, 2.0);
                metric("Rows", MetricUnit::Count, 3.0);
                metric("Duration", MetricUnit::Count, 3.0);
                metric("NaN", MetricUnit::Count, f64::NAN);
                RECORDER.with(|r| std::mem::take(&mut *r.borrow_mut()))
            })
            .await;
        assert_eq!(recorded.custom.len(), 1);
        assert_eq!(recorded.custom["Rows"].1, [2.0, 3.0]);
        assert!(recorded.dropped);
    }
}
