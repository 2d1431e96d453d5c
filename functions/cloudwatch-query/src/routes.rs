//! The action group's operations.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actionkit::{ActionError, Context, Json, Operation, Path, Query, Resolver, State, TrimToFit};
use aws_sdk_cloudwatchlogs::Client;

use crate::config::Config;
use crate::guard::checked_query;
use crate::handle::{self, HandleError, MAX_HANDLE_CHARS, QueryHandle};
use crate::insights::{self, Polling, QueryOutcome};
use crate::model::{
    ListParams, LogGroupInfo, LogGroupList, MultiQueryParams, QueryIdPath, QueryParams,
    QueryResponse, ResultsParams, RowCounts, TimeWindow, cut,
};
use crate::timefmt::{insights_millis, iso_seconds};

/// StartQuery accepts at most this many log groups.
const MAX_LOG_GROUPS: usize = 50;
/// Pages of DescribeLogGroups read per allowlist entry when listing.
const MAX_LIST_PAGES: usize = 3;
/// The name of the action group in the agent.
pub const ACTION_GROUP: &str = "LogInsights";

/// Built once at cold start and shared by every invocation.
#[derive(Debug)]
pub struct AppState {
    /// The CloudWatch Logs client.
    pub client: Client,
    /// The configuration.
    pub config: Config,
}

type Shared = State<Arc<AppState>>;

/// The resolver with every operation of the action group.
pub fn resolver(state: Arc<AppState>) -> Resolver<Arc<AppState>> {
    let max_response_bytes = state.config.max_response_bytes;
    Resolver::with_state(ACTION_GROUP, state)
        .info(
            "CloudWatch Logs Insights for agents",
            "1.0.0",
            "Investigate production logs with CloudWatch Logs Insights: list the log groups you may query, \
             run queries over one or several of them, and fetch the results of a running query.",
        )
        .error_prefix("CloudWatchQuery")
        .max_response_bytes(max_response_bytes)
        .get(
            "/cloudwatch_logs",
            "Query CloudWatch Logs Insights for a log group: run the query over the last minutes_back minutes \
             and return the rows (newest first if the query sorts them). Use it to investigate errors, latency \
             and behaviour of a service from its logs.",
            query_logs,
        )
        .get(
            "/cloudwatch_logs/across_groups",
            Operation::new(
                "Run one CloudWatch Logs Insights query over several log groups at once (for example every \
                 service involved in a request), over the last minutes_back minutes.",
            )
            .operation_id("query_across_log_groups"),
            query_across_groups,
        )
        .get(
            "/log_groups",
            Operation::new(
                "List the log groups this agent may query, optionally only those whose name starts with prefix. \
                 Call it first when you do not know the exact log group name.",
            )
            .operation_id("list_log_groups"),
            list_log_groups,
        )
        .get(
            "/cloudwatch_logs/results/{query_id}",
            Operation::new(
                "Fetch the current results of an earlier query by its query_id, for example when a query \
                 returned partial results because it was still running.",
            )
            .operation_id("get_query_results"),
            get_query_results,
        )
}

async fn query_logs(
    State(app): Shared,
    context: Context,
    Query(p): Query<QueryParams>,
) -> Result<TrimToFit<QueryResponse>, ActionError> {
    run_query(&app, &context, vec![p.log_group], &p.query, p.minutes_back).await
}

async fn query_across_groups(
    State(app): Shared,
    context: Context,
    Query(p): Query<MultiQueryParams>,
) -> Result<TrimToFit<QueryResponse>, ActionError> {
    if p.log_groups.is_empty() || p.log_groups.len() > MAX_LOG_GROUPS {
        return Err(ActionError::invalid_parameter(
            "log_groups",
            format!(
                "`log_groups` must hold 1 to {MAX_LOG_GROUPS} log group names; it holds {}.",
                p.log_groups.len()
            ),
        ));
    }
    let mut groups = p.log_groups;
    groups.sort();
    groups.dedup();
    run_query(&app, &context, groups, &p.query, p.minutes_back).await
}

/// Checks everything the model sent, before any AWS call, then runs the query.
async fn run_query(
    app: &AppState,
    context: &Context,
    log_groups: Vec<String>,
    query: &str,
    minutes_back: i64,
) -> Result<TrimToFit<QueryResponse>, ActionError> {
    let config = &app.config;
    for group in &log_groups {
        config.allowlist.check("log_group", group)?;
    }
    if !(1..=config.max_minutes_back).contains(&minutes_back) {
        return Err(ActionError::invalid_parameter(
            "minutes_back",
            format!(
                "`minutes_back` must be between 1 and {}; received {minutes_back}.",
                config.max_minutes_back
            ),
        ));
    }
    let query = checked_query(query, config.max_rows)?;
    let end = now_epoch_seconds();
    let start = end - minutes_back * 60;
    let query_id = insights::start(
        &app.client,
        &log_groups,
        (start, end),
        &query,
        config.max_rows,
    )
    .await?;
    let polling = Polling {
        initial: config.poll_initial,
        max: config.poll_max,
        deadline: deadline(context, config),
    };
    let mut outcome = insights::wait(&app.client, query_id, polling).await?;
    outcome.query_id = issue_handle(config, &outcome.query_id, &log_groups, end).await;
    let window = TimeWindow {
        start: iso_seconds(start),
        end: iso_seconds(end),
        minutes_back,
    };
    Ok(TrimToFit(response(
        config,
        outcome,
        log_groups,
        query,
        Some(window),
    )))
}

async fn get_query_results(
    State(app): Shared,
    Path(path): Path<QueryIdPath>,
    Query(p): Query<ResultsParams>,
) -> Result<TrimToFit<QueryResponse>, ActionError> {
    let config = &app.config;
    config.allowlist.check("log_group", &p.log_group)?;
    let text = path.query_id.trim();
    if text.is_empty() || text.len() > MAX_HANDLE_CHARS {
        return Err(ActionError::invalid_parameter(
            "query_id",
            "`query_id` must be the query_id an earlier answer of this tool returned, unchanged.",
        ));
    }
    let key = config.handle_keys.key().await.map_err(|e| {
        ActionError::new(
            500,
            "Misconfigured",
            "Follow-ups are not available: the function cannot read its handle key.",
        )
        .with_log_detail(e.to_string())
    })?;
    let handle = handle::open(key, text, now_epoch_seconds()).map_err(|e| {
        let message = match e {
            HandleError::Invalid => {
                "`query_id` is not a handle this tool issued: pass the query_id of an earlier answer unchanged. \
                 Queries started elsewhere cannot be read through this tool."
            }
            HandleError::Expired => "This query handle has expired: run the query again.",
        };
        ActionError::forbidden(message).with_detail("parameter", "query_id")
    })?;
    // The groups must be allowed now, not only when the query started.
    if handle
        .log_groups
        .iter()
        .any(|g| !config.allowlist.allows(g))
    {
        return Err(ActionError::forbidden(
            "The query ran on a log group that is no longer on this agent's allowlist; its results cannot be read.",
        )
        .with_detail("parameter", "query_id"));
    }
    if !handle.log_groups.contains(&p.log_group) {
        return Err(ActionError::not_found(format!(
            "The query did not run on {}. Pass one of the log groups it ran on.",
            p.log_group
        ))
        .with_detail("parameter", "log_group"));
    }
    let id = handle.query_id.as_str();
    // The query text, for the answer; the handle alone is the guard.
    let known = app
        .client
        .describe_queries()
        .log_group_name(&p.log_group)
        .max_results(1000)
        .send()
        .await
        .map_err(|e| {
            crate::aws_error::map_sdk_error(
                "DescribeQueries",
                &format!("Log group {}", p.log_group),
                e,
            )
        })?;
    let info = known.queries().iter().find(|q| q.query_id() == Some(id));
    let query = info
        .and_then(|q| q.query_string())
        .unwrap_or_default()
        .to_owned();
    let mut outcome = insights::fetch(&app.client, id).await?;
    outcome.query_id = text.to_owned();
    if matches!(outcome.status.as_str(), "Scheduled" | "Running") {
        outcome.partial_reason = Some(
            "the query is still running; call get_query_results again in a few seconds".into(),
        );
    }
    Ok(TrimToFit(response(
        config,
        outcome,
        handle.log_groups,
        query,
        None,
    )))
}

async fn list_log_groups(
    State(app): Shared,
    Query(p): Query<ListParams>,
) -> Result<Json<LogGroupList>, ActionError> {
    let config = &app.config;
    let limit = match p.limit {
        None => MAX_LOG_GROUPS,
        Some(n @ 1..=50) => n as usize,
        Some(n) => {
            return Err(ActionError::invalid_parameter(
                "limit",
                format!("`limit` must be between 1 and 50; received {n}."),
            ));
        }
    };
    let wanted = p.prefix.unwrap_or_default();
    if !wanted.is_empty() {
        crate::allowlist::check_name(&wanted).map_err(|reason| {
            ActionError::invalid_parameter(
                "prefix",
                format!("`prefix` is not a valid log group name prefix: {reason}."),
            )
        })?;
    }
    let prefixes = config.allowlist.listing_prefixes(&wanted);
    if prefixes.is_empty() {
        return Err(ActionError::forbidden(format!(
            "No log group starting with {wanted:?} is on this agent's allowlist. Allowed: {}.",
            config.allowlist.patterns().join(", ")
        ))
        .with_detail("allowed", config.allowlist.patterns()));
    }
    let mut found: BTreeMap<String, LogGroupInfo> = BTreeMap::new();
    let mut truncated = false;
    for (prefix, exact) in prefixes {
        let mut token = None;
        for page in 0..MAX_LIST_PAGES {
            let out = app
                .client
                .describe_log_groups()
                .log_group_name_prefix(&prefix)
                .limit(50)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| {
                    crate::aws_error::map_sdk_error(
                        "DescribeLogGroups",
                        &format!("Prefix {prefix}"),
                        e,
                    )
                })?;
            for g in out.log_groups() {
                let Some(name) = g.log_group_name() else {
                    continue;
                };
                if (exact && name != prefix) || !config.allowlist.allows(name) {
                    continue;
                }
                found
                    .entry(name.to_owned())
                    .or_insert_with(|| LogGroupInfo {
                        name: name.to_owned(),
                        stored_bytes: g.stored_bytes(),
                        retention_days: g.retention_in_days(),
                        created: g.creation_time().map(|ms| iso_seconds(ms / 1000)),
                    });
            }
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
            if page + 1 == MAX_LIST_PAGES {
                truncated = true;
            }
        }
    }
    truncated |= found.len() > limit;
    Ok(Json(LogGroupList {
        log_groups: found.into_values().take(limit).collect(),
        allowed_patterns: config.allowlist.patterns(),
        truncated,
    }))
}

/// Builds the response: plain rows without `@ptr`, secrets redacted,
/// timestamps readable, long values cut, and the counts that say so.
fn response(
    config: &Config,
    outcome: QueryOutcome,
    log_groups: Vec<String>,
    query: String,
    window: Option<TimeWindow>,
) -> QueryResponse {
    let mut redactions = 0;
    let mut trimmed_values = 0;
    let received = outcome.rows.len();
    let rows: Vec<BTreeMap<String, String>> = outcome
        .rows
        .into_iter()
        .map(|fields| {
            fields
                .into_iter()
                .filter_map(|f| {
                    let name = f.field?;
                    if name == "@ptr" {
                        return None;
                    }
                    let raw = f.value.unwrap_or_default();
                    let value = if name == "@timestamp" {
                        readable_timestamp(raw)
                    } else {
                        raw
                    };
                    let (mut value, found) = config.redactor.redact_field(&name, &value);
                    redactions += found;
                    trimmed_values += usize::from(cut(&mut value, config.max_field_chars));
                    Some((name, value))
                })
                .collect()
        })
        .collect();
    let mut partial_reasons: Vec<String> = outcome.partial_reason.into_iter().collect();
    if received >= config.max_rows {
        partial_reasons.push(format!(
            "the row limit of {} was reached; more events may match: filter more narrowly",
            config.max_rows
        ));
    }
    QueryResponse {
        query_id: outcome.query_id,
        status: outcome.status,
        partial: !partial_reasons.is_empty(),
        partial_reasons,
        log_groups,
        query,
        window,
        counts: RowCounts {
            matched: outcome.statistics.as_ref().map(|s| s.records_matched),
            received,
            returned: rows.len(),
            trimmed_rows: 0,
            trimmed_values,
            row_cap: config.max_rows,
        },
        rows,
        statistics: outcome.statistics,
        redactions,
        value_cap: config.max_field_chars,
    }
}

/// Real CloudWatch returns `2026-11-25 03:08:19.123`; some endpoints
/// (moto) return epoch milliseconds. Both come out in the first form.
fn readable_timestamp(raw: String) -> String {
    match raw.parse::<i64>() {
        Ok(ms) if raw.len() >= 12 => insights_millis(ms),
        _ => raw,
    }
}

/// The handle the agent gets for a query: the id, its groups and an expiry
/// under the function's key; empty (and logged) when none can be made.
async fn issue_handle(config: &Config, query_id: &str, log_groups: &[String], now: i64) -> String {
    let key = match config.handle_keys.key().await {
        Ok(key) => key,
        Err(e) => {
            tracing::error!(error = %e, "query handle key unavailable: no follow-ups");
            return String::new();
        }
    };
    let handle = QueryHandle {
        query_id: query_id.to_owned(),
        log_groups: log_groups.to_vec(),
        expires: now + config.handle_ttl_seconds,
    };
    handle::issue(key, &handle).unwrap_or_default()
}

fn now_epoch_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The polling deadline: the Lambda deadline minus a margin, capped by the
/// configured maximum wait (the context has no deadline outside Lambda).
fn deadline(context: &Context, config: &Config) -> Instant {
    let now = Instant::now();
    let cap = now + config.max_wait;
    if context.deadline == 0 {
        return cap;
    }
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let remaining = Duration::from_millis(context.deadline.saturating_sub(now_ms));
    cap.min(now + remaining.saturating_sub(config.deadline_margin))
}
