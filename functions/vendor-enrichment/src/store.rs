//! The vendor master store: one trait, two implementations (embedded file
//! and DynamoDB), and the index keys both share.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::Arc;

use actionkit::ActionError;

use crate::normalize::{name_key, tax_keys};
use crate::rules::Rules;
use crate::vendor::Vendor;

/// What one batch needs looked up.
#[derive(Debug, Default, Clone)]
pub struct LookupKeys {
    /// Vendor ids.
    pub ids: BTreeSet<String>,
    /// Normalized tax ids.
    pub tax_ids: BTreeSet<String>,
    /// Normalized names.
    pub names: BTreeSet<String>,
    /// Blocking keys: whole words (their vendor counts weigh the words) and
    /// word prefixes and suffixes.
    pub tokens: BTreeSet<String>,
}

impl LookupKeys {
    /// Whether there is nothing to look up.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
            && self.tax_ids.is_empty()
            && self.names.is_empty()
            && self.tokens.is_empty()
    }
}

/// What the store found for a batch's keys.
#[derive(Debug, Default, Clone)]
pub struct LookupHits {
    /// Vendor records, by id (for the ids asked, and later for candidates).
    pub vendors: HashMap<String, Arc<Vendor>>,
    /// Normalized tax id → vendor id.
    pub tax_ids: HashMap<String, String>,
    /// Normalized name → vendor ids (one name can exist in several countries).
    pub names: HashMap<String, Vec<String>>,
    /// Blocking key → vendor ids (for a whole word, every vendor using it).
    pub tokens: HashMap<String, Vec<String>>,
}

/// The store could not answer; retrying later may work.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the vendor store is unavailable: {0}")]
pub struct StoreError(pub String);

impl From<StoreError> for ActionError {
    fn from(e: StoreError) -> Self {
        ActionError::new(
            503,
            "StoreUnavailable",
            "The vendor master store did not answer. The request can be retried.",
        )
        .with_log_detail(e.0)
    }
}

/// A vendor master: answers a whole batch's lookups at once, so that the
/// number of calls does not grow with the number of line items.
pub trait VendorStore: Send + Sync {
    /// Looks up every key of a batch.
    fn lookup(
        &self,
        keys: &LookupKeys,
    ) -> impl Future<Output = Result<LookupHits, StoreError>> + Send;

    /// Reads vendor records by id.
    fn vendors(
        &self,
        ids: &BTreeSet<String>,
    ) -> impl Future<Output = Result<HashMap<String, Arc<Vendor>>, StoreError>> + Send;
}

/// The keys a vendor is found under; both stores are built from these.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexEntries {
    /// Normalized tax ids.
    pub tax_ids: Vec<String>,
    /// Normalized legal name and aliases.
    pub names: Vec<String>,
    /// Blocking keys of those names (whole words, prefixes, suffixes).
    pub tokens: Vec<String>,
}

/// The index entries of one vendor.
pub fn index_entries(vendor: &Vendor, rules: &Rules) -> IndexEntries {
    let mut names = Vec::new();
    let mut tokens = Vec::new();
    for name in std::iter::once(&vendor.legal_name).chain(&vendor.aliases) {
        let key = name_key(name, rules);
        tokens.extend(key.blocking_keys(rules).into_iter().map(|k| k.key));
        names.push(key.key);
    }
    names.sort();
    names.dedup();
    tokens.sort();
    tokens.dedup();
    IndexEntries {
        tax_ids: tax_keys(&vendor.tax_id),
        names,
        tokens,
    }
}

/// The embedded vendor master, indexed in memory at cold start.
#[derive(Debug, Default)]
pub struct EmbeddedStore {
    by_id: HashMap<String, Arc<Vendor>>,
    by_tax: HashMap<String, String>,
    by_name: HashMap<String, Vec<String>>,
    by_token: HashMap<String, Vec<String>>,
}

impl EmbeddedStore {
    /// Indexes `vendors`.
    pub fn new(vendors: Vec<Vendor>, rules: &Rules) -> Self {
        let mut store = Self::default();
        for vendor in vendors {
            let entries = index_entries(&vendor, rules);
            let id = vendor.vendor_id.clone();
            for tax in entries.tax_ids {
                store.by_tax.entry(tax).or_insert_with(|| id.clone());
            }
            for name in entries.names {
                store.by_name.entry(name).or_default().push(id.clone());
            }
            for token in entries.tokens {
                store.by_token.entry(token).or_default().push(id.clone());
            }
            store.by_id.insert(id, Arc::new(vendor));
        }
        store
    }

    /// The embedded default master (`data/vendors.json`).
    pub fn embedded(rules: &Rules) -> Result<Self, serde_json::Error> {
        let file: crate::vendor::VendorMasterFile =
            serde_json::from_str(crate::vendor::EMBEDDED_MASTER)?;
        Ok(Self::new(file.vendors, rules))
    }

    /// How many vendors it holds.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

fn pick<K: AsRef<str>, V: Clone>(
    map: &HashMap<String, V>,
    keys: impl IntoIterator<Item = K>,
) -> HashMap<String, V> {
    keys.into_iter()
        .filter_map(|k| {
            map.get(k.as_ref())
                .map(|v| (k.as_ref().to_owned(), v.clone()))
        })
        .collect()
}

impl VendorStore for EmbeddedStore {
    async fn lookup(&self, keys: &LookupKeys) -> Result<LookupHits, StoreError> {
        Ok(LookupHits {
            vendors: pick(&self.by_id, &keys.ids),
            tax_ids: pick(&self.by_tax, &keys.tax_ids),
            names: pick(&self.by_name, &keys.names),
            tokens: pick(&self.by_token, &keys.tokens),
        })
    }

    async fn vendors(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<HashMap<String, Arc<Vendor>>, StoreError> {
        Ok(pick(&self.by_id, ids))
    }
}
