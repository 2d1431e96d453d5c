//! The agent action group and the Step Functions task, on one resolver.

use std::collections::BTreeSet;
use std::sync::Arc;

use actionkit::{ActionError, Body, Json, Operation, Path, Query, Resolver, State, TrimToFit};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::dynamo::DynamoStore;
use crate::enrich::{BatchResult, ItemResult, MAX_BATCH_ITEMS, enrich};
use crate::item::LineItem;
use crate::matcher::{Candidate, MatchMethod, match_items};
use crate::normalize::{name_key, tax_key};
use crate::rules::Rules;
use crate::store::{EmbeddedStore, LookupHits, LookupKeys, StoreError, VendorStore};
use crate::vendor::Vendor;

/// The action group's name.
pub const ACTION_GROUP: &str = "VendorEnrichment";
/// The most items an agent may send in one call.
const MAX_AGENT_ITEMS: usize = 100;

/// Either store, chosen at cold start.
#[derive(Debug)]
pub enum AnyStore {
    /// The embedded master file.
    Embedded(EmbeddedStore),
    /// A DynamoDB table.
    Dynamo(DynamoStore),
}

impl VendorStore for AnyStore {
    async fn lookup(&self, keys: &LookupKeys) -> Result<LookupHits, StoreError> {
        match self {
            AnyStore::Embedded(s) => s.lookup(keys).await,
            AnyStore::Dynamo(s) => s.lookup(keys).await,
        }
    }

    async fn vendors(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<std::collections::HashMap<String, Arc<Vendor>>, StoreError> {
        match self {
            AnyStore::Embedded(s) => s.vendors(ids).await,
            AnyStore::Dynamo(s) => s.vendors(ids).await,
        }
    }
}

/// Built once at cold start.
#[derive(Debug)]
pub struct AppState {
    /// The vendor master.
    pub store: AnyStore,
    /// The rules.
    pub rules: Rules,
}

type Shared = State<Arc<AppState>>;

/// The vendor to read.
#[derive(Debug, Deserialize, IntoParams)]
pub struct VendorIdPath {
    /// The vendor id, e.g. V-10001.
    pub vendor_id: String,
}

/// What to search for: a name, a tax id, or both.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// A vendor name as it appears on an invoice; legal forms, case and accents do not matter.
    pub name: Option<String>,
    /// A tax/VAT id, with or without spaces, dots and country prefix.
    pub tax_id: Option<String>,
    /// Two-letter ISO country code, to tell vendors of the same name apart.
    pub country: Option<String>,
}

/// Vendors that may be the one meant, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    /// How the best candidates were found: tax_id, exact_name, fuzzy_name or none.
    pub method: MatchMethod,
    /// true when several vendors match equally well: ask which one.
    pub ambiguous: bool,
    /// The candidates, best first.
    pub candidates: Vec<Candidate>,
    /// Review flags, e.g. low_confidence_match (close, but not accepted: ask which vendor is meant),
    /// ambiguous_match, vendor_country_mismatch.
    pub flags: Vec<String>,
}

/// Line items to enrich.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EnrichRequest {
    /// Line items (1 to 100), each an object with vendor_id, vendor_tax_id or vendor_name,
    /// plus amount, currency and description, e.g. [{"vendor_name": "ACME Corp.", "amount": 1299.9, "currency": "USD", "description": "Laptop"}].
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
}

/// The resolver: three agent operations and the `enrich` task.
pub fn resolver(state: Arc<AppState>) -> Resolver<Arc<AppState>> {
    Resolver::with_state(ACTION_GROUP, state)
        .info(
            "Vendor enrichment",
            "1.0.0",
            "Look up vendors in the vendor master record and enrich invoice line items with vendor data, \
             category, risk flags and approver route.",
        )
        .error_prefix("VendorEnrichment")
        .get(
            "/vendors/{vendor_id}",
            Operation::new("Get a vendor's master record by vendor id: legal name, country, currency, payment terms, risk tier, status and default category.")
                .operation_id("get_vendor"),
            get_vendor,
        )
        .get(
            "/vendors",
            Operation::new("Search the vendor master by name (typos, legal forms, accents, abbreviations and word order tolerated) or tax/VAT id. A name is matched only when every word agrees; otherwise the closest vendors come back as candidates with scores and a flag (low_confidence_match, ambiguous_match, vendor_country_mismatch): ask the user which vendor is meant, never assume the first.")
                .operation_id("search_vendors"),
            search_vendors,
        )
        .post(
            "/line_items/enrich",
            Operation::new("Enrich invoice line items: match each to the vendor master, classify it as capex, opex, travel or cogs, flag risks (unknown, blocked, ambiguous, currency mismatch, over the approval limit) and give the approver route.")
                .operation_id("enrich_line_items"),
            enrich_line_items,
        )
        .task("enrich", enrich_task)
}

async fn get_vendor(
    State(app): Shared,
    Path(p): Path<VendorIdPath>,
) -> Result<Json<Vendor>, ActionError> {
    let id = p.vendor_id.trim();
    if id.is_empty() || id.len() > 64 {
        return Err(ActionError::invalid_parameter(
            "vendor_id",
            "`vendor_id` must be a vendor id such as V-10001.",
        ));
    }
    let ids = BTreeSet::from([id.to_owned()]);
    let found = app.store.vendors(&ids).await?;
    found
        .get(id)
        .map(|v| Json(Vendor::clone(v)))
        .ok_or_else(|| {
            ActionError::not_found(format!(
                "No vendor has the id {id}. Search by name or tax id with search_vendors."
            ))
        })
}

async fn search_vendors(
    State(app): Shared,
    Query(p): Query<SearchParams>,
) -> Result<Json<SearchResult>, ActionError> {
    let rules = &app.rules;
    let name = p.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let tax = p.tax_id.as_deref().map(tax_key).filter(|t| !t.is_empty());
    if name.is_none() && tax.is_none() {
        return Err(ActionError::invalid_parameter(
            "name",
            "Give `name`, `tax_id` or both.",
        ));
    }
    if name.is_some_and(|n| n.chars().count() > rules.matching.max_name_chars) {
        return Err(ActionError::invalid_parameter(
            "name",
            format!(
                "`name` is longer than {} characters.",
                rules.matching.max_name_chars
            ),
        ));
    }
    let country = p
        .country
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty());
    let item = LineItem {
        vendor_id: None,
        tax_key: tax,
        name: name.map(|n| name_key(n, rules)),
        vendor_country: country,
        description: String::new(),
        amount: 0.0,
        currency: String::new(),
    };
    let m = match_items(&app.store, rules, &[&item]).await?.remove(0);
    let candidates = match &m.vendor {
        Some(v) if m.candidates.is_empty() => vec![Candidate {
            vendor_id: v.vendor_id.clone(),
            legal_name: v.legal_name.clone(),
            country: v.country.clone(),
            score: m.confidence,
        }],
        _ => m.candidates,
    };
    Ok(Json(SearchResult {
        method: m.method,
        ambiguous: m.ambiguous,
        candidates,
        flags: m.flags.iter().map(|f| (*f).to_owned()).collect(),
    }))
}

async fn enrich_line_items(
    State(app): Shared,
    Body(req): Body<EnrichRequest>,
) -> Result<TrimToFit<BatchResult>, ActionError> {
    if req.items.is_empty() || req.items.len() > MAX_AGENT_ITEMS {
        return Err(ActionError::invalid_parameter(
            "items",
            format!(
                "`items` must hold 1 to {MAX_AGENT_ITEMS} line items; it holds {}. Split larger invoices.",
                req.items.len()
            ),
        ));
    }
    Ok(TrimToFit(
        enrich(&app.store, &app.rules, &req.items, None).await?,
    ))
}

/// What the task returns: one enriched item, or a batch's results.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TaskOutput {
    /// A Distributed Map batch.
    Batch(BatchResult),
    /// One Map item.
    Item(Box<ItemResult>),
}

/// The Step Functions task: a Map item processor (one line item in, one
/// enriched item out) or a Distributed Map batch
/// (`{"Items": [...], "BatchInput": {...}}` → one result per item, in order).
/// An invalid single item fails the task as `VendorEnrichment.InvalidInput`
/// (not retryable); in a batch it is reported in its own slot.
async fn enrich_task(
    State(app): Shared,
    Body(input): Body<Value>,
) -> Result<Json<TaskOutput>, ActionError> {
    match input.get("Items") {
        Some(Value::Array(items)) => {
            if items.len() > MAX_BATCH_ITEMS {
                return Err(ActionError::new(
                    400,
                    "InvalidInput",
                    format!(
                        "A batch holds at most {MAX_BATCH_ITEMS} items; this one holds {}. Lower MaxItemsPerBatch.",
                        items.len()
                    ),
                ));
            }
            let defaults = match input.get("BatchInput") {
                None | Some(Value::Null) => None,
                Some(Value::Object(map)) => Some(map),
                Some(_) => {
                    return Err(ActionError::new(
                        400,
                        "InvalidInput",
                        "`BatchInput` must be a JSON object.",
                    ));
                }
            };
            Ok(Json(TaskOutput::Batch(
                enrich(&app.store, &app.rules, items, defaults).await?,
            )))
        }
        Some(_) => Err(ActionError::new(
            400,
            "InvalidInput",
            "`Items` must be an array of line items.",
        )),
        None => {
            let mut batch =
                enrich(&app.store, &app.rules, std::slice::from_ref(&input), None).await?;
            let result = batch.results.remove(0);
            match &result.error {
                Some(e) => Err(ActionError::new(400, "InvalidInput", e.message.clone())),
                None => Ok(Json(TaskOutput::Item(Box::new(result)))),
            }
        }
    }
}
