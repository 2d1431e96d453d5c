//! The Logs Insights query lifecycle: start, poll with backoff until a
//! terminal status or the deadline, stop what is abandoned.

use std::time::{Duration, Instant};

use actionkit::ActionError;
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::types::{QueryStatus, ResultField};

use crate::aws_error::{map_sdk_error, map_start_query_error};
use crate::model::QueryStatistics;

/// How to poll.
#[derive(Debug, Clone, Copy)]
pub struct Polling {
    /// First wait between GetQueryResults calls.
    pub initial: Duration,
    /// Longest wait between calls.
    pub max: Duration,
    /// When to give up, stop the query and answer with what there is.
    pub deadline: Instant,
}

/// Where a query ended up.
#[derive(Debug)]
pub struct QueryOutcome {
    pub query_id: String,
    /// CloudWatch's status, as text.
    pub status: String,
    /// Raw rows (fields incl. `@ptr`).
    pub rows: Vec<Vec<ResultField>>,
    pub statistics: Option<QueryStatistics>,
    /// Why the rows may be incomplete.
    pub partial_reason: Option<String>,
}

/// Starts a query; returns its id.
pub async fn start(
    client: &Client,
    log_groups: &[String],
    (start_time, end_time): (i64, i64),
    query: &str,
    limit: usize,
) -> Result<String, ActionError> {
    let subject = format!("Log group {}", log_groups.join(", "));
    let started = client
        .start_query()
        .set_log_group_names(Some(log_groups.to_vec()))
        .start_time(start_time)
        .end_time(end_time)
        .query_string(query)
        .limit(i32::try_from(limit).unwrap_or(i32::MAX))
        .send()
        .await
        .map_err(|e| map_start_query_error(&subject, e))?;
    started
        .query_id()
        .map(str::to_owned)
        .ok_or_else(|| ActionError::internal("StartQuery returned no query id"))
}

/// Polls until the query finishes or the deadline comes; on the deadline,
/// stops the query and returns the rows so far, labelled partial.
pub async fn wait(
    client: &Client,
    query_id: String,
    polling: Polling,
) -> Result<QueryOutcome, ActionError> {
    let mut backoff = polling.initial;
    loop {
        let mut outcome = fetch(client, &query_id).await?;
        match outcome.status.as_str() {
            "Scheduled" | "Running" => {}
            _ => return finished(outcome),
        }
        if Instant::now() + backoff >= polling.deadline {
            stop(client, &query_id).await;
            outcome.partial_reason = Some(format!(
                "the query was still {} when this function had to answer; it was stopped and these are the rows so far",
                outcome.status.to_ascii_lowercase()
            ));
            return Ok(outcome);
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(polling.max);
    }
}

/// One GetQueryResults call.
pub async fn fetch(client: &Client, query_id: &str) -> Result<QueryOutcome, ActionError> {
    let out = client
        .get_query_results()
        .query_id(query_id)
        .send()
        .await
        .map_err(|e| map_sdk_error("GetQueryResults", &format!("Query {query_id}"), e))?;
    let status = out
        .status()
        .map_or("Unknown", QueryStatus::as_str)
        .to_owned();
    let statistics = out.statistics().map(|s| QueryStatistics {
        records_matched: s.records_matched(),
        records_scanned: s.records_scanned(),
        bytes_scanned: s.bytes_scanned(),
    });
    Ok(QueryOutcome {
        query_id: query_id.to_owned(),
        status,
        rows: out.results.unwrap_or_default(),
        statistics,
        partial_reason: None,
    })
}

/// Labels or refuses a query in a terminal status.
fn finished(mut outcome: QueryOutcome) -> Result<QueryOutcome, ActionError> {
    match outcome.status.as_str() {
        "Complete" => Ok(outcome),
        "Timeout" => {
            outcome.partial_reason = Some("CloudWatch stopped the query at its own time limit; narrow the time range".into());
            Ok(outcome)
        }
        "Cancelled" => {
            outcome.partial_reason = Some("the query was cancelled before it completed".into());
            Ok(outcome)
        }
        "Failed" => Err(ActionError::new(
            502,
            "QueryFailed",
            format!(
                "CloudWatch Logs Insights reports that query {} failed. Simplify the query or narrow the time range, then retry.",
                outcome.query_id
            ),
        )
        .with_detail("query_id", outcome.query_id)),
        other => Err(ActionError::new(
            502,
            "UpstreamError",
            "CloudWatch Logs did not complete the query. Try again later.",
        )
        .with_log_detail(format!("query {} ended in status {other}", outcome.query_id))),
    }
}

/// Stops an abandoned query so it stops costing and holding a concurrency
/// slot. Failure is logged, not returned: the rows are still worth sending.
async fn stop(client: &Client, query_id: &str) {
    if let Err(e) = client.stop_query().query_id(query_id).send().await {
        tracing::warn!(
            query_id,
            error = %aws_sdk_cloudwatchlogs::error::DisplayErrorContext(&e),
            "StopQuery failed"
        );
    }
}
