//! Enriching line items: one result per item, in order; a bad item is
//! reported in its own slot and never fails the batch.

use std::collections::BTreeMap;

use actionkit::{ActionError, Trim};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::classify::{CategoryDecision, decide};
use crate::item::{LineItem, parse_item};
use crate::matcher::{Candidate, MatchMethod, match_items};
use crate::rules::Rules;
use crate::store::{StoreError, VendorStore};
use crate::vendor::Vendor;

/// The most items one batch may hold.
pub const MAX_BATCH_ITEMS: usize = 10_000;
/// An invalid item is echoed whole up to this many bytes of JSON, else as
/// an excerpt: one bad item must not make a batch too large to return.
pub const MAX_INVALID_ECHO_BYTES: usize = 200;
/// A valid item's fields are bounded, but it may carry fields of its own:
/// over this many bytes of JSON it too is echoed as an excerpt.
pub const MAX_VALID_ECHO_BYTES: usize = 8 * 1024;
/// Error messages are cut to this many characters.
const MAX_MESSAGE_CHARS: usize = 500;

/// Writes JSON text, keeping the first `keep` bytes and counting the rest.
struct Excerpt {
    head: Vec<u8>,
    keep: usize,
    total: usize,
}

impl std::io::Write for Excerpt {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = self.keep.saturating_sub(self.head.len());
        self.head.extend_from_slice(&buf[..room.min(buf.len())]);
        self.total += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The item as received when it is an object whose JSON text fits in
/// `limit` bytes; else `{"excerpt": <its first bytes>, "truncated": <whether
/// cut>, "bytes": <its size>}`. Always an object, as the output schemas say:
/// an item that is no object (a model's `"one laptop"`) is echoed as its JSON
/// text, so a strict client (MCP's `structuredContent`) still accepts the
/// batch.
pub fn echo(raw: &Value, limit: usize) -> Value {
    let mut out = Excerpt {
        head: Vec::with_capacity(limit.min(1024)),
        keep: limit,
        total: 0,
    };
    let written = serde_json::to_writer(&mut out, raw).is_ok();
    let truncated = out.total > limit;
    if raw.is_object() && (!written || !truncated) {
        return raw.clone();
    }
    // Cut at a character boundary.
    let text = match String::from_utf8(out.head) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            bytes.truncate(valid);
            String::from_utf8(bytes).unwrap_or_default()
        }
    };
    serde_json::json!({"excerpt": text, "truncated": truncated, "bytes": out.total})
}

/// How the vendor was matched.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchInfo {
    /// vendor_id, tax_id, exact_name, fuzzy_name (every word agrees, typos tolerated) or none.
    pub method: MatchMethod,
    /// Confidence, 0 to 1.
    pub confidence: f64,
    /// Candidates: when no vendor was accepted, the vendors to review (best first).
    pub candidates: Vec<Candidate>,
}

/// Why an item could not be enriched.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemError {
    /// Stable name, e.g. InvalidInput.
    pub name: String,
    /// What is wrong with the item.
    pub message: String,
}

/// One line item's result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemResult {
    /// `enriched`, or `error` when the item itself is invalid.
    pub status: String,
    /// The line item exactly as received; an item that is no object, or whose JSON is over 8 KiB
    /// (200 bytes for an invalid item), comes back as {"excerpt": its JSON text or its first bytes,
    /// "truncated": whether cut, "bytes": its size}.
    #[schema(value_type = Object)]
    pub item: Value,
    /// The matched vendor's master record.
    pub vendor: Option<Vendor>,
    /// How the vendor was matched.
    #[serde(rename = "match")]
    pub match_info: Option<MatchInfo>,
    /// capex, opex, travel or cogs, and why.
    pub category: Option<CategoryDecision>,
    /// unknown_vendor, blocked_vendor, inactive_vendor, low_confidence_match (candidates for review,
    /// no vendor accepted), ambiguous_match, conflicting_vendor_evidence, vendor_country_mismatch,
    /// unknown_vendor_id, unknown_tax_id, vendor_name_mismatch, currency_mismatch,
    /// amount_over_approval_limit, high_risk_vendor, suspicious_characters.
    pub flags: Vec<String>,
    /// The approver route the flags and category imply.
    pub approver_route: Option<String>,
    /// Why that route.
    pub route_reason: Option<String>,
    /// Set when status is `error`.
    pub error: Option<ItemError>,
}

impl ItemResult {
    fn failed(item: &Value, error: &ActionError) -> Self {
        Self {
            status: "error".into(),
            item: echo(item, MAX_INVALID_ECHO_BYTES),
            vendor: None,
            match_info: None,
            category: None,
            flags: Vec::new(),
            approver_route: None,
            route_reason: None,
            error: Some(ItemError {
                name: error.name().to_owned(),
                message: error.message().chars().take(MAX_MESSAGE_CHARS).collect(),
            }),
        }
    }
}

/// Counts over a batch's results.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Summary {
    /// Items received.
    pub items: usize,
    /// Items enriched.
    pub enriched: usize,
    /// Items reported as errors.
    pub failed: usize,
    /// Items per approver route.
    pub routes: BTreeMap<String, usize>,
    /// Items per flag.
    pub flags: BTreeMap<String, usize>,
}

/// A batch's results, in input order, with a summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchResult {
    /// One result per input item, in order.
    pub results: Vec<ItemResult>,
    /// Counts over all items (also those trimmed from `results`).
    pub summary: Summary,
    /// true when results were dropped from the end to fit a size limit.
    pub truncated: bool,
}

impl Trim for BatchResult {
    fn trim(&mut self, excess_bytes: usize) -> bool {
        if self.results.is_empty() {
            return false;
        }
        actionkit::drop_to_fit(&mut self.results, excess_bytes);
        self.truncated = true;
        true
    }
}

/// Enriches every raw item; `defaults` is the batch's `BatchInput`.
pub async fn enrich<S: VendorStore>(
    store: &S,
    rules: &Rules,
    raw_items: &[Value],
    defaults: Option<&Map<String, Value>>,
) -> Result<BatchResult, StoreError> {
    let parsed: Vec<Result<LineItem, ActionError>> = raw_items
        .iter()
        .map(|raw| parse_item(raw, defaults, rules))
        .collect();
    let valid: Vec<&LineItem> = parsed.iter().filter_map(|p| p.as_ref().ok()).collect();
    let mut matches = match_items(store, rules, &valid).await?.into_iter();
    let mut summary = Summary {
        items: raw_items.len(),
        ..Summary::default()
    };
    let results: Vec<ItemResult> = raw_items
        .iter()
        .zip(&parsed)
        .map(
            |(raw, parsed)| match (parsed, if parsed.is_ok() { matches.next() } else { None }) {
                (Ok(item), Some(m)) => {
                    let d = decide(item, &m, rules);
                    summary.enriched += 1;
                    *summary.routes.entry(d.route.clone()).or_default() += 1;
                    for f in &d.flags {
                        *summary.flags.entry(f.clone()).or_default() += 1;
                    }
                    ItemResult {
                        status: "enriched".into(),
                        item: echo(raw, MAX_VALID_ECHO_BYTES),
                        vendor: m.vendor.as_deref().cloned(),
                        match_info: Some(MatchInfo {
                            method: m.method,
                            confidence: m.confidence,
                            candidates: m.candidates,
                        }),
                        category: Some(d.category),
                        flags: d.flags,
                        approver_route: Some(d.route),
                        route_reason: Some(d.route_reason),
                        error: None,
                    }
                }
                (Err(e), _) => {
                    summary.failed += 1;
                    ItemResult::failed(raw, e)
                }
                (Ok(_), None) => {
                    summary.failed += 1;
                    ItemResult::failed(
                        raw,
                        &ActionError::internal("no match result for a valid item"),
                    )
                }
            },
        )
        .collect();
    Ok(BatchResult {
        results,
        summary,
        truncated: false,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Values of every shape and size, with multi-byte characters at every
    /// offset: the echo is the value itself when it fits, else an excerpt
    /// that is valid text, within the limit, and labelled.
    #[test]
    fn echoes_are_whole_or_bounded_excerpts() {
        for limit in [0, 1, 7, 200, 1024] {
            for len in [0, 1, 50, 199, 200, 201, 5_000] {
                for unit in ["a", "é", "€", "𝄞", "\"", "\u{1}"] {
                    let text = unit.repeat(len);
                    for value in [
                        json!(text),
                        json!({"k": text}),
                        json!([text, 1, null]),
                        json!({"a": {"b": [text]}}),
                    ] {
                        let size = serde_json::to_string(&value).unwrap().len();
                        let echoed = echo(&value, limit);
                        assert!(echoed.is_object(), "{echoed}");
                        if size <= limit && value.is_object() {
                            assert_eq!(echoed, value);
                        } else if size <= limit {
                            let full = serde_json::to_string(&value).unwrap();
                            assert_eq!(echoed["excerpt"], full.as_str());
                            assert_eq!(echoed["truncated"], false);
                            assert_eq!(echoed["bytes"], size);
                        } else {
                            let excerpt = echoed["excerpt"].as_str().unwrap();
                            assert!(excerpt.len() <= limit, "{limit} {len} {unit}");
                            assert_eq!(echoed["truncated"], true);
                            assert_eq!(echoed["bytes"], size);
                            let full = serde_json::to_string(&value).unwrap();
                            assert!(full.starts_with(excerpt));
                            assert!(limit - excerpt.len() < 4, "cut at most one character short");
                        }
                    }
                }
            }
        }
    }
}
