//! The seed article's `query_cloudwatch` route (Powertools'
//! `BedrockAgentResolver` example), ported to actionkit so that the two
//! generated schemas can be compared side by side.
//!
//! The log source is an in-memory sample so that the example runs anywhere;
//! `functions/cloudwatch-query` is the real thing, on CloudWatch Logs Insights.

use std::sync::Arc;

use actionkit::{ActionError, Body, Json, Query, Resolver, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The parameters of the article's Python example, field for field.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
pub struct CloudWatchQuery {
    /// Log group name, e.g. /aws/lambda/api-handler
    pub log_group: String,
    /// CloudWatch Insights query string
    pub query: String,
    /// Time window in minutes
    #[serde(default = "default_minutes_back")]
    #[param(default = 60, minimum = 1)]
    #[schema(default = 60, minimum = 1)]
    pub minutes_back: u32,
}

fn default_minutes_back() -> u32 {
    60
}

/// One log event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LogRow {
    /// When the event was logged, minutes before now.
    pub minutes_ago: u32,
    /// The log message.
    pub message: String,
}

/// Returns the parsed query results.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueryResults {
    /// The rows, newest first.
    pub results: Vec<LogRow>,
}

/// The in-memory stand-in for CloudWatch Logs: (log group, minutes ago, message).
#[derive(Debug)]
pub struct SampleLogs {
    events: Vec<(&'static str, u32, &'static str)>,
}

impl SampleLogs {
    /// A few minutes of a small API's logs.
    pub fn new() -> Self {
        Self {
            events: vec![
                (
                    "/aws/lambda/api-handler",
                    2,
                    "ERROR upstream timeout calling payments after 3000 ms",
                ),
                (
                    "/aws/lambda/api-handler",
                    7,
                    "WARN retrying payments call (attempt 2)",
                ),
                (
                    "/aws/lambda/api-handler",
                    15,
                    "INFO GET /orders/1842 200 41ms",
                ),
                (
                    "/aws/lambda/api-handler",
                    95,
                    "ERROR connection reset by peer",
                ),
                (
                    "/aws/lambda/checkout",
                    4,
                    "INFO checkout completed order=1842",
                ),
            ],
        }
    }
}

impl Default for SampleLogs {
    fn default() -> Self {
        Self::new()
    }
}

/// The handler: typed arguments in, typed result out.
pub async fn query_cloudwatch(
    State(logs): State<Arc<SampleLogs>>,
    Query(q): Query<CloudWatchQuery>,
) -> Result<Json<QueryResults>, ActionError> {
    if q.query.trim().is_empty() {
        return Err(ActionError::bad_request(
            "`query` is empty; give a Logs Insights query, e.g. `fields @timestamp, @message | limit 20`.",
        ));
    }
    let mut results: Vec<LogRow> = logs
        .events
        .iter()
        .filter(|(group, ago, _)| *group == q.log_group && *ago <= q.minutes_back)
        .map(|(_, ago, message)| LogRow {
            minutes_ago: *ago,
            message: (*message).to_owned(),
        })
        .collect();
    if results.is_empty() && !logs.events.iter().any(|(g, _, _)| *g == q.log_group) {
        return Err(ActionError::not_found(format!(
            "Log group {} does not exist.",
            q.log_group.chars().take(200).collect::<String>()
        )));
    }
    results.sort_by_key(|r| r.minutes_ago);
    Ok(Json(QueryResults { results }))
}

/// The same handler for a Step Functions task, taking the whole input.
pub async fn query_cloudwatch_task(
    state: State<Arc<SampleLogs>>,
    Body(q): Body<CloudWatchQuery>,
) -> Result<Json<QueryResults>, ActionError> {
    query_cloudwatch(state, Query(q)).await
}

/// The resolver: one route (OpenAPI mode), the same handler as a
/// function-details function, and as a Step Functions task.
pub fn resolver() -> Resolver<Arc<SampleLogs>> {
    Resolver::with_state("LogInsights", Arc::new(SampleLogs::new()))
        .info(
            "Log Insights",
            "1.0.0",
            "Query CloudWatch Logs Insights for an on-call agent",
        )
        .error_prefix("QueryCloudWatch")
        .get(
            "/cloudwatch_logs",
            "Query CloudWatch Logs Insights for a log group",
            query_cloudwatch,
        )
        .function(
            "query_cloudwatch",
            "Query CloudWatch Logs Insights for a log group",
            query_cloudwatch,
        )
        .task("query_cloudwatch", query_cloudwatch_task)
}
