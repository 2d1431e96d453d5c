//! What the routes take and return: the contract the agent reads.

use std::collections::BTreeMap;

use actionkit::Trim;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn sixty() -> i64 {
    60
}

/// Parameters of the article's `query_cloudwatch` route, field for field.
#[derive(Debug, Deserialize, IntoParams)]
pub struct QueryParams {
    /// Log group name, e.g. /aws/lambda/api-handler. Must be on the allowlist; see list_log_groups.
    pub log_group: String,
    /// CloudWatch Insights query string, e.g. `fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc | limit 20`. SOURCE and unmask() are not allowed; a row limit is always applied.
    pub query: String,
    /// Time window in minutes, counted back from now (1 to 10080 unless configured otherwise).
    #[serde(default = "sixty")]
    #[param(default = 60, minimum = 1)]
    pub minutes_back: i64,
}

/// Parameters of a query over several log groups at once.
#[derive(Debug, Deserialize, IntoParams)]
pub struct MultiQueryParams {
    /// Log group names (1 to 50), each on the allowlist, as a JSON array: ["/aws/lambda/a", "/aws/lambda/b"].
    pub log_groups: Vec<String>,
    /// CloudWatch Insights query string; SOURCE and unmask() are not allowed; a row limit is always applied.
    pub query: String,
    /// Time window in minutes, counted back from now (1 to 10080 unless configured otherwise).
    #[serde(default = "sixty")]
    #[param(default = 60, minimum = 1)]
    pub minutes_back: i64,
}

/// Parameters of the log group listing.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// Only groups whose name starts with this, e.g. /aws/lambda/.
    pub prefix: Option<String>,
    /// At most this many groups (1 to 50, default 50).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<i64>,
}

/// The query to fetch results of.
#[derive(Debug, Deserialize, IntoParams)]
pub struct QueryIdPath {
    /// The query_id an earlier answer of this tool returned, unchanged (a handle, not a CloudWatch query id).
    pub query_id: String,
}

/// The log group the earlier query ran on.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ResultsParams {
    /// The log group the query ran on (one of them, for a multi-group query).
    pub log_group: String,
}

/// The time range a query covered (UTC).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimeWindow {
    /// Start of the range, e.g. 2026-11-25T02:08:19Z.
    pub start: String,
    /// End of the range (the time of the request).
    pub end: String,
    /// The minutes_back the range was computed from.
    pub minutes_back: i64,
}

/// Counts that say how complete `rows` is.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RowCounts {
    /// Log events that matched, from CloudWatch's statistics (when known).
    pub matched: Option<f64>,
    /// Rows CloudWatch returned before any trimming.
    pub received: usize,
    /// Rows in this response.
    pub returned: usize,
    /// Rows dropped to fit the response size limit.
    pub trimmed_rows: usize,
    /// Field values shortened (long messages).
    pub trimmed_values: usize,
    /// The row limit the query ran with.
    pub row_cap: usize,
}

/// CloudWatch's statistics of a query.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueryStatistics {
    /// Log events that matched the query.
    pub records_matched: f64,
    /// Log events scanned.
    pub records_scanned: f64,
    /// Bytes scanned.
    pub bytes_scanned: f64,
}

/// The result of a Logs Insights query.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueryResponse {
    /// A handle to the query: pass it unchanged as query_id to get_query_results to fetch the rest when `status` is Running or Scheduled. It expires; empty when no follow-up is possible.
    pub query_id: String,
    /// CloudWatch's status: Complete, Running, Scheduled, Timeout or Cancelled.
    pub status: String,
    /// true when rows may be missing; `partial_reasons` says why.
    pub partial: bool,
    /// Why the result is partial, if it is.
    pub partial_reasons: Vec<String>,
    /// The log groups queried.
    pub log_groups: Vec<String>,
    /// The query as it ran (with the row limit applied).
    pub query: String,
    /// The time range covered, when known.
    pub window: Option<TimeWindow>,
    /// Result rows: field name to value, without @ptr. Secrets are redacted.
    pub rows: Vec<BTreeMap<String, String>>,
    /// How many rows matched, were returned and were trimmed.
    pub counts: RowCounts,
    /// CloudWatch's statistics, when present.
    pub statistics: Option<QueryStatistics>,
    /// How many secrets were redacted from the rows.
    pub redactions: usize,
    #[serde(skip)]
    #[schema(ignore)]
    pub(crate) value_cap: usize,
}

/// Values are never cut shorter than this while fitting the size limit.
const MIN_VALUE_CAP: usize = 200;
/// The reason recorded when trimming for size.
const TRIMMED_REASON: &str =
    "trimmed to fit the agent's response size limit; narrow the query or time range for the rest";

impl QueryResponse {
    fn note(&mut self, reason: &str) {
        self.partial = true;
        if !self.partial_reasons.iter().any(|r| r == reason) {
            self.partial_reasons.push(reason.to_owned());
        }
    }
}

/// Cuts `value` to `cap` characters, saying how much was cut.
pub fn cut(value: &mut String, cap: usize) -> bool {
    let Some((at, _)) = value.char_indices().nth(cap) else {
        return false;
    };
    let total = value.chars().count();
    value.truncate(at);
    value.push_str(&format!("…[{} more chars]", total - cap));
    true
}

impl Trim for QueryResponse {
    fn trim(&mut self, excess_bytes: usize) -> bool {
        // First shorten long values (stack traces, payload dumps), keeping
        // every row; then drop rows from the end.
        if self.value_cap > MIN_VALUE_CAP {
            let longest = self
                .rows
                .iter()
                .flat_map(|r| r.values())
                .map(|v| v.len())
                .max()
                .unwrap_or(0);
            if longest > MIN_VALUE_CAP {
                self.value_cap = (self.value_cap / 2).max(MIN_VALUE_CAP);
                let cap = self.value_cap;
                let mut cut_count = 0;
                for value in self.rows.iter_mut().flat_map(|r| r.values_mut()) {
                    cut_count += usize::from(cut(value, cap));
                }
                if cut_count > 0 {
                    self.counts.trimmed_values += cut_count;
                    self.note(TRIMMED_REASON);
                    return true;
                }
            }
        }
        if self.rows.is_empty() {
            return false;
        }
        self.counts.trimmed_rows += actionkit::drop_to_fit(&mut self.rows, excess_bytes);
        self.counts.returned = self.rows.len();
        self.note(TRIMMED_REASON);
        true
    }
}

/// One log group.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LogGroupInfo {
    /// The log group name, to pass as log_group.
    pub name: String,
    /// Stored bytes, when known.
    pub stored_bytes: Option<i64>,
    /// Retention in days; absent means never expire.
    pub retention_days: Option<i32>,
    /// Creation time (UTC).
    pub created: Option<String>,
}

/// The log groups this agent may query.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LogGroupList {
    /// Log groups that exist and are on the allowlist, sorted by name.
    pub log_groups: Vec<LogGroupInfo>,
    /// The allowlist: exact names, and prefixes ending in *.
    pub allowed_patterns: Vec<String>,
    /// true when more groups matched than `limit`.
    pub truncated: bool,
}
