//! The match indexes of a vendor master: which vendors a tax id, a
//! normalized name and a blocking key find.
//!
//! This module is compiled twice: into the crate, where it indexes a master
//! given at run time, and into `build.rs`, which indexes the embedded master
//! once at build time and writes the result as static tables (see
//! `prebuilt`). One code path for both, so the two indexes cannot drift.

use std::collections::HashMap;

use crate::normalize::{name_key, tax_keys};
use crate::rules::Rules;
use crate::vendor::Vendor;

/// The keys a vendor is found under; both stores are built from these.
///
/// What they depend on in the rules is what `prebuilt` compares before it
/// reuses the build-time index (the word lists and the abbreviations): a
/// new rule read here must be added to that comparison.
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

/// The indexes of a master, as positions of its records (the order of the
/// master is kept: an exact name lists its vendors in that order).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct MasterIndex {
    /// Vendor id → its record (the last one, should the master repeat an id).
    pub by_id: HashMap<String, usize>,
    /// Normalized tax id → the first vendor registered under it.
    pub by_tax: HashMap<String, usize>,
    /// Normalized name → every vendor of that name.
    pub by_name: HashMap<String, Vec<usize>>,
    /// Blocking key → every vendor with a name under it.
    pub by_token: HashMap<String, Vec<usize>>,
}

impl MasterIndex {
    /// Indexes `vendors`.
    pub fn build(vendors: &[Vendor], rules: &Rules) -> Self {
        let mut index = Self::default();
        for (at, vendor) in vendors.iter().enumerate() {
            let entries = index_entries(vendor, rules);
            for tax in entries.tax_ids {
                index.by_tax.entry(tax).or_insert(at);
            }
            for name in entries.names {
                index.by_name.entry(name).or_default().push(at);
            }
            for token in entries.tokens {
                index.by_token.entry(token).or_default().push(at);
            }
            index.by_id.insert(vendor.vendor_id.clone(), at);
        }
        index
    }
}
