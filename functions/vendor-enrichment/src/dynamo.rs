//! The DynamoDB vendor master.
//!
//! # Key design
//!
//! One table, partition key `pk` (string), no sort key. Each vendor is
//! stored once in full and found through small lookup items:
//!
//! | `pk` | other attributes | found by |
//! |---|---|---|
//! | `VENDOR#<vendor_id>` | the record: `vendor_id`, `legal_name`, `aliases` (list), `tax_id`, `country`, `currency`, `payment_terms`, `risk_tier`, `status`, `default_category`, `parent_id` | vendor id |
//! | `TAX#<normalized tax id>` | `vendor_id` | tax/VAT id, with and without its country prefix |
//! | `NAME#<normalized name>` | `vendor_ids` (string set) | exact normalized legal name or alias |
//! | `TOKEN#<key>` | `vendor_ids` (string set) | candidates sharing a word, or its first or last four letters (`word~`, `~word`); for a whole word, the set's size is how many vendors use it, which weighs the word |
//!
//! A batch of line items is answered with three rounds of BatchGetItem (100
//! keys a call): every id, tax, name and token key at once; the records of
//! the vendors found; the `TOKEN#` items of those vendors' words, for their
//! weights. The call count grows with the number of distinct vendors and
//! words in the batch, not with the number of items. The weights follow the
//! table as `load_table` wrote it: reload it when the master changes.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, PutRequest, WriteRequest};

use crate::index::index_entries;
use crate::rules::Rules;
use crate::store::{LookupHits, LookupKeys, StoreError, VendorStore};
use crate::vendor::Vendor;

/// BatchGetItem's limit on keys per request.
const BATCH_GET_KEYS: usize = 100;
/// BatchWriteItem's limit on items per request.
const BATCH_WRITE_ITEMS: usize = 25;
/// Rounds of retrying unprocessed keys before giving up.
const MAX_UNPROCESSED_ROUNDS: u32 = 5;

/// The vendor master in a DynamoDB table.
#[derive(Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
    calls: AtomicUsize,
}

impl DynamoStore {
    /// A store over `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            calls: AtomicUsize::new(0),
        }
    }

    /// DynamoDB calls made so far (for the benchmark and the tests).
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    /// Reads items by `pk`, in batches of 100, retrying unprocessed keys.
    async fn batch_get(
        &self,
        pks: Vec<String>,
    ) -> Result<Vec<HashMap<String, AttributeValue>>, StoreError> {
        let mut found = Vec::new();
        for chunk in pks.chunks(BATCH_GET_KEYS) {
            let keys: Vec<HashMap<String, AttributeValue>> = chunk
                .iter()
                .map(|pk| HashMap::from([("pk".to_owned(), AttributeValue::S(pk.clone()))]))
                .collect();
            let mut request = KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .build()
                .map_err(|e| StoreError(e.to_string()))?;
            for round in 0..=MAX_UNPROCESSED_ROUNDS {
                self.calls.fetch_add(1, Ordering::Relaxed);
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(|e| {
                        StoreError(format!("BatchGetItem: {}", DisplayErrorContext(&e)))
                    })?;
                if let Some(mut responses) = out.responses {
                    found.extend(responses.remove(&self.table).unwrap_or_default());
                }
                match out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)) {
                    Some(rest) if !rest.keys().is_empty() => {
                        if round == MAX_UNPROCESSED_ROUNDS {
                            return Err(StoreError(
                                "BatchGetItem left keys unprocessed after retries".into(),
                            ));
                        }
                        tokio::time::sleep(Duration::from_millis(50 << round)).await;
                        request = rest;
                    }
                    _ => break,
                }
            }
        }
        Ok(found)
    }
}

fn text(item: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

fn string_set(item: &HashMap<String, AttributeValue>, name: &str) -> Vec<String> {
    item.get(name)
        .and_then(|v| v.as_ss().ok())
        .cloned()
        .unwrap_or_default()
}

/// A vendor record from its `VENDOR#` item; `None` when a field is missing.
fn vendor_from_item(item: &HashMap<String, AttributeValue>) -> Option<Vendor> {
    Some(Vendor {
        vendor_id: text(item, "vendor_id")?,
        legal_name: text(item, "legal_name")?,
        aliases: item
            .get("aliases")
            .and_then(|v| v.as_l().ok())
            .map(|l| l.iter().filter_map(|a| a.as_s().ok().cloned()).collect())
            .unwrap_or_default(),
        tax_id: text(item, "tax_id")?,
        country: text(item, "country")?,
        currency: text(item, "currency")?,
        payment_terms: text(item, "payment_terms")?,
        risk_tier: text(item, "risk_tier")?,
        status: text(item, "status")?,
        default_category: text(item, "default_category")?,
        parent_id: text(item, "parent_id"),
    })
}

fn vendor_item(v: &Vendor) -> HashMap<String, AttributeValue> {
    let s = |x: &str| AttributeValue::S(x.to_owned());
    let mut item = HashMap::from([
        ("pk".to_owned(), s(&format!("VENDOR#{}", v.vendor_id))),
        ("vendor_id".to_owned(), s(&v.vendor_id)),
        ("legal_name".to_owned(), s(&v.legal_name)),
        (
            "aliases".to_owned(),
            AttributeValue::L(v.aliases.iter().map(|a| s(a)).collect()),
        ),
        ("tax_id".to_owned(), s(&v.tax_id)),
        ("country".to_owned(), s(&v.country)),
        ("currency".to_owned(), s(&v.currency)),
        ("payment_terms".to_owned(), s(&v.payment_terms)),
        ("risk_tier".to_owned(), s(&v.risk_tier)),
        ("status".to_owned(), s(&v.status)),
        ("default_category".to_owned(), s(&v.default_category)),
    ]);
    if let Some(parent) = &v.parent_id {
        item.insert("parent_id".to_owned(), s(parent));
    }
    item
}

/// Every item of the table for `vendors`: records and lookup items.
pub fn table_items(vendors: &[Vendor], rules: &Rules) -> Vec<HashMap<String, AttributeValue>> {
    let mut items = Vec::new();
    let mut tax: HashMap<String, String> = HashMap::new();
    let mut names: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut tokens: HashMap<String, BTreeSet<String>> = HashMap::new();
    for v in vendors {
        items.push(vendor_item(v));
        let entries = index_entries(v, rules);
        for t in entries.tax_ids {
            tax.entry(t).or_insert_with(|| v.vendor_id.clone());
        }
        for n in entries.names {
            names.entry(n).or_default().insert(v.vendor_id.clone());
        }
        for t in entries.tokens {
            tokens.entry(t).or_default().insert(v.vendor_id.clone());
        }
    }
    for (key, id) in tax {
        items.push(HashMap::from([
            ("pk".to_owned(), AttributeValue::S(format!("TAX#{key}"))),
            ("vendor_id".to_owned(), AttributeValue::S(id)),
        ]));
    }
    for (prefix, map) in [("NAME", names), ("TOKEN", tokens)] {
        for (key, ids) in map {
            items.push(HashMap::from([
                (
                    "pk".to_owned(),
                    AttributeValue::S(format!("{prefix}#{key}")),
                ),
                (
                    "vendor_ids".to_owned(),
                    AttributeValue::Ss(ids.into_iter().collect()),
                ),
            ]));
        }
    }
    items
}

/// Writes the vendor master into `table` (BatchWriteItem, 25 a call).
pub async fn load_table(
    client: &Client,
    table: &str,
    vendors: &[Vendor],
    rules: &Rules,
) -> Result<usize, StoreError> {
    let items = table_items(vendors, rules);
    for chunk in items.chunks(BATCH_WRITE_ITEMS) {
        let mut requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|item| {
                PutRequest::builder()
                    .set_item(Some(item.clone()))
                    .build()
                    .map(|put| WriteRequest::builder().put_request(put).build())
                    .map_err(|e| StoreError(e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        for round in 0..=MAX_UNPROCESSED_ROUNDS {
            let out = client
                .batch_write_item()
                .request_items(table, requests)
                .send()
                .await
                .map_err(|e| StoreError(format!("BatchWriteItem: {}", DisplayErrorContext(&e))))?;
            match out.unprocessed_items.and_then(|mut u| u.remove(table)) {
                Some(rest) if !rest.is_empty() && round < MAX_UNPROCESSED_ROUNDS => {
                    tokio::time::sleep(Duration::from_millis(50 << round)).await;
                    requests = rest;
                }
                Some(rest) if !rest.is_empty() => {
                    return Err(StoreError("BatchWriteItem left items unprocessed".into()));
                }
                _ => break,
            }
        }
    }
    Ok(items.len())
}

impl VendorStore for DynamoStore {
    async fn lookup(&self, keys: &LookupKeys) -> Result<LookupHits, StoreError> {
        let pks: Vec<String> = keys
            .ids
            .iter()
            .map(|k| format!("VENDOR#{k}"))
            .chain(keys.tax_ids.iter().map(|k| format!("TAX#{k}")))
            .chain(keys.names.iter().map(|k| format!("NAME#{k}")))
            .chain(keys.tokens.iter().map(|k| format!("TOKEN#{k}")))
            .collect();
        let mut hits = LookupHits::default();
        for item in self.batch_get(pks).await? {
            let Some(pk) = text(&item, "pk") else {
                continue;
            };
            let Some((kind, key)) = pk.split_once('#') else {
                continue;
            };
            match kind {
                "VENDOR" => {
                    if let Some(v) = vendor_from_item(&item) {
                        hits.vendors.insert(v.vendor_id.clone(), Arc::new(v));
                    }
                }
                "TAX" => {
                    if let Some(id) = text(&item, "vendor_id") {
                        hits.tax_ids.insert(key.to_owned(), id);
                    }
                }
                "NAME" => {
                    hits.names
                        .insert(key.to_owned(), string_set(&item, "vendor_ids"));
                }
                "TOKEN" => {
                    hits.tokens
                        .insert(key.to_owned(), string_set(&item, "vendor_ids"));
                }
                _ => {}
            }
        }
        Ok(hits)
    }

    async fn vendors(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<HashMap<String, Arc<Vendor>>, StoreError> {
        let pks = ids.iter().map(|id| format!("VENDOR#{id}")).collect();
        Ok(self
            .batch_get(pks)
            .await?
            .iter()
            .filter_map(vendor_from_item)
            .map(|v| (v.vendor_id.clone(), Arc::new(v)))
            .collect())
    }
}
