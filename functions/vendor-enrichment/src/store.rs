//! The vendor master store: one trait, two implementations (embedded file
//! and DynamoDB).

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::Arc;

use actionkit::ActionError;

use crate::index::MasterIndex;
use crate::prebuilt;
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

/// The vendor master held in memory: the embedded file, indexed at build
/// time, or vendors given in code, indexed when the store is made.
#[derive(Debug, Default)]
pub struct EmbeddedStore {
    index: Index,
}

#[derive(Debug)]
enum Index {
    /// Indexed when the store was made.
    Built {
        vendors: Vec<Arc<Vendor>>,
        index: Box<MasterIndex>,
    },
    /// The embedded master, indexed by `build.rs` (see `prebuilt`).
    Prebuilt,
}

impl Default for Index {
    fn default() -> Self {
        Index::Built {
            vendors: Vec::new(),
            index: Box::default(),
        }
    }
}

impl EmbeddedStore {
    /// Indexes `vendors` (at run time: a master loaded or made by the caller).
    ///
    /// ```
    /// use vendor_enrichment::{EmbeddedStore, Rules, embedded_vendors};
    ///
    /// let rules = Rules::embedded()?;
    /// let store = EmbeddedStore::new(embedded_vendors()?, &rules);
    /// assert!(!store.is_prebuilt());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(vendors: Vec<Vendor>, rules: &Rules) -> Self {
        let index = Box::new(MasterIndex::build(&vendors, rules));
        Self {
            index: Index::Built {
                vendors: vendors.into_iter().map(Arc::new).collect(),
                index,
            },
        }
    }

    /// The embedded default master (`data/vendors.json`). With rules that
    /// index names as the embedded ones do, this is the index `build.rs`
    /// made, and costs nothing at cold start; with others (a `RULES_FILE`
    /// with other word lists or abbreviations) the master is parsed and
    /// indexed here.
    ///
    /// ```
    /// use vendor_enrichment::{EmbeddedStore, Rules};
    ///
    /// let store = EmbeddedStore::embedded(&Rules::embedded()?)?;
    /// assert!(store.is_prebuilt());
    /// assert!(store.len() > 100);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn embedded(rules: &Rules) -> Result<Self, serde_json::Error> {
        if prebuilt::built_with(rules) {
            return Ok(Self {
                index: Index::Prebuilt,
            });
        }
        let file: crate::vendor::VendorMasterFile =
            serde_json::from_str(crate::vendor::EMBEDDED_MASTER)?;
        Ok(Self::new(file.vendors, rules))
    }

    /// Whether the index is the one made at build time.
    ///
    /// ```
    /// use vendor_enrichment::{EmbeddedStore, Rules};
    ///
    /// let mut rules = Rules::embedded()?;
    /// rules.abbreviations.insert("zqx".into(), "zqxyz".into());
    /// assert!(!EmbeddedStore::embedded(&rules)?.is_prebuilt());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_prebuilt(&self) -> bool {
        matches!(self.index, Index::Prebuilt)
    }

    /// How many vendors it holds.
    pub fn len(&self) -> usize {
        match &self.index {
            Index::Built { index, .. } => index.by_id.len(),
            Index::Prebuilt => prebuilt::len(),
        }
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The keys of `keys` that `find` finds, with what it found.
fn pick<V>(keys: &BTreeSet<String>, find: impl Fn(&str) -> Option<V>) -> HashMap<String, V> {
    keys.iter()
        .filter_map(|k| Some((k.clone(), find(k)?)))
        .collect()
}

impl VendorStore for EmbeddedStore {
    async fn lookup(&self, keys: &LookupKeys) -> Result<LookupHits, StoreError> {
        Ok(match &self.index {
            Index::Built { vendors, index } => {
                let id = |at: &usize| vendors.get(*at).map(|v| v.vendor_id.clone());
                let ids = |ats: &Vec<usize>| ats.iter().filter_map(id).collect();
                LookupHits {
                    vendors: pick(&keys.ids, |k| {
                        index.by_id.get(k).and_then(|at| vendors.get(*at)).cloned()
                    }),
                    tax_ids: pick(&keys.tax_ids, |k| index.by_tax.get(k).and_then(id)),
                    names: pick(&keys.names, |k| index.by_name.get(k).map(ids)),
                    tokens: pick(&keys.tokens, |k| index.by_token.get(k).map(ids)),
                }
            }
            Index::Prebuilt => LookupHits {
                vendors: pick(&keys.ids, prebuilt::vendor),
                tax_ids: pick(&keys.tax_ids, prebuilt::tax),
                names: pick(&keys.names, prebuilt::name),
                tokens: pick(&keys.tokens, prebuilt::token),
            },
        })
    }

    async fn vendors(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<HashMap<String, Arc<Vendor>>, StoreError> {
        Ok(match &self.index {
            Index::Built { vendors, index } => pick(ids, |k| {
                index.by_id.get(k).and_then(|at| vendors.get(*at)).cloned()
            }),
            Index::Prebuilt => pick(ids, prebuilt::vendor),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prebuilt_and_the_run_time_store_answer_alike() {
        let rules = Rules::embedded().unwrap();
        let vendors = crate::embedded_vendors().unwrap();
        let index = MasterIndex::build(&vendors, &rules);
        let with_unknown = |keys: Vec<&String>| {
            keys.into_iter()
                .cloned()
                .chain(["no such key".to_owned()])
                .collect()
        };
        let keys = LookupKeys {
            ids: with_unknown(index.by_id.keys().collect()),
            tax_ids: with_unknown(index.by_tax.keys().collect()),
            names: with_unknown(index.by_name.keys().collect()),
            tokens: with_unknown(index.by_token.keys().collect()),
        };
        let prebuilt = EmbeddedStore::embedded(&rules).unwrap();
        let built = EmbeddedStore::new(vendors, &rules);
        assert!(prebuilt.is_prebuilt() && !built.is_prebuilt());
        assert_eq!(prebuilt.len(), built.len());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (a, b) = (
                prebuilt.lookup(&keys).await.unwrap(),
                built.lookup(&keys).await.unwrap(),
            );
            assert_eq!(a.vendors.len(), index.by_id.len());
            assert_eq!(a.vendors, b.vendors);
            assert_eq!(a.tax_ids, b.tax_ids);
            assert_eq!(a.names, b.names);
            assert_eq!(a.tokens, b.tokens);
            assert_eq!(
                prebuilt.vendors(&keys.ids).await.unwrap(),
                built.vendors(&keys.ids).await.unwrap()
            );
        });
    }
}
