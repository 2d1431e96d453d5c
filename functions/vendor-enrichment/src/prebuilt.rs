//! The embedded vendor master, indexed at build time.
//!
//! `build.rs` runs this crate's own `index` code over `data/vendors.json`
//! with the embedded rules and writes the records and indexes as static
//! tables, sorted by key: a cold start neither parses the master nor builds
//! an index (about 4 ms before), and a lookup is a binary search. The tables
//! hold only what `EmbeddedStore` answers with; records become `Vendor`s
//! on first use, one at a time.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use crate::rules::Rules;
use crate::vendor::Vendor;

/// A vendor record as static data.
struct StaticVendor {
    vendor_id: &'static str,
    legal_name: &'static str,
    aliases: &'static [&'static str],
    tax_id: &'static str,
    country: &'static str,
    currency: &'static str,
    payment_terms: &'static str,
    risk_tier: &'static str,
    status: &'static str,
    default_category: &'static str,
    parent_id: Option<&'static str>,
}

impl StaticVendor {
    fn to_vendor(&self) -> Vendor {
        Vendor {
            vendor_id: self.vendor_id.to_owned(),
            legal_name: self.legal_name.to_owned(),
            aliases: self.aliases.iter().map(|a| (*a).to_owned()).collect(),
            tax_id: self.tax_id.to_owned(),
            country: self.country.to_owned(),
            currency: self.currency.to_owned(),
            payment_terms: self.payment_terms.to_owned(),
            risk_tier: self.risk_tier.to_owned(),
            status: self.status.to_owned(),
            default_category: self.default_category.to_owned(),
            parent_id: self.parent_id.map(str::to_owned),
        }
    }
}

/// What of the rules the index was built with: what `index_entries` reads.
struct IndexRules {
    legal_suffixes: &'static [&'static str],
    filler_words: &'static [&'static str],
    industry_words: &'static [&'static str],
    country_words: &'static [&'static str],
    abbreviations: &'static [(&'static str, &'static str)],
}

// VENDOR_COUNT, VENDORS (in master order), BY_ID, BY_TAX, BY_NAME and
// BY_TOKEN (sorted by key, values are positions in VENDORS), INDEX_RULES.
include!(concat!(env!("OUT_DIR"), "/prebuilt_master.rs"));

/// The records handed out so far; shared, as the tables are.
static RECORDS: [OnceLock<Arc<Vendor>>; VENDOR_COUNT] = [const { OnceLock::new() }; VENDOR_COUNT];

/// Whether `rules` normalize and index names as the rules of the build did
/// (custom `RULES_FILE` rules usually do not: then the master is indexed at
/// run time).
pub(crate) fn built_with(rules: &Rules) -> bool {
    let same = |set: &HashSet<String>, words: &[&str]| {
        set.len() == words.len() && words.iter().all(|w| set.contains(*w))
    };
    let r = &INDEX_RULES;
    same(&rules.legal_suffixes, r.legal_suffixes)
        && same(&rules.filler_words, r.filler_words)
        && same(&rules.industry_words, r.industry_words)
        && same(&rules.country_words, r.country_words)
        && rules.abbreviations.len() == r.abbreviations.len()
        && rules
            .abbreviations
            .iter()
            .zip(r.abbreviations)
            .all(|((k, v), (sk, sv))| k == sk && v == sv)
}

fn find<V: Copy>(table: &[(&str, V)], key: &str) -> Option<V> {
    let at = table.binary_search_by(|(k, _)| (*k).cmp(key)).ok()?;
    table.get(at).map(|(_, v)| *v)
}

fn id(at: u16) -> Option<String> {
    VENDORS.get(usize::from(at)).map(|v| v.vendor_id.to_owned())
}

fn ids(ats: &[u16]) -> Vec<String> {
    ats.iter().filter_map(|at| id(*at)).collect()
}

/// How many vendors (distinct ids) the embedded master holds.
pub(crate) fn len() -> usize {
    BY_ID.len()
}

/// The record of vendor `id`.
pub(crate) fn vendor(id: &str) -> Option<Arc<Vendor>> {
    let at = usize::from(find(BY_ID, id)?);
    let record = VENDORS.get(at)?;
    Some(
        RECORDS
            .get(at)?
            .get_or_init(|| Arc::new(record.to_vendor()))
            .clone(),
    )
}

/// The vendor id a normalized tax id finds.
pub(crate) fn tax(key: &str) -> Option<String> {
    id(find(BY_TAX, key)?)
}

/// The vendor ids a normalized name finds, in master order.
pub(crate) fn name(key: &str) -> Option<Vec<String>> {
    find(BY_NAME, key).map(ids)
}

/// The vendor ids a blocking key finds, in master order.
pub(crate) fn token(key: &str) -> Option<Vec<String>> {
    find(BY_TOKEN, key).map(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::MasterIndex;

    fn positions<V: Copy, T>(
        table: &[(&str, V)],
        f: impl Fn(V) -> T,
    ) -> std::collections::HashMap<String, T> {
        table
            .iter()
            .map(|(k, v)| ((*k).to_owned(), f(*v)))
            .collect()
    }

    #[test]
    fn the_build_time_index_is_the_run_time_index() {
        let rules = Rules::embedded().unwrap();
        let vendors = crate::embedded_vendors().unwrap();
        assert!(built_with(&rules));
        let records: Vec<Vendor> = VENDORS.iter().map(StaticVendor::to_vendor).collect();
        assert_eq!(records, vendors);
        let list = |ats: &[u16]| ats.iter().map(|a| usize::from(*a)).collect::<Vec<_>>();
        let prebuilt = MasterIndex {
            by_id: positions(BY_ID, usize::from),
            by_tax: positions(BY_TAX, usize::from),
            by_name: positions(BY_NAME, list),
            by_token: positions(BY_TOKEN, list),
        };
        assert_eq!(prebuilt, MasterIndex::build(&vendors, &rules));
        // Binary search needs strictly sorted keys.
        let sorted = |keys: Vec<&str>| keys.windows(2).all(|w| w[0] < w[1]);
        assert!(sorted(BY_ID.iter().map(|r| r.0).collect()));
        assert!(sorted(BY_TAX.iter().map(|r| r.0).collect()));
        assert!(sorted(BY_NAME.iter().map(|r| r.0).collect()));
        assert!(sorted(BY_TOKEN.iter().map(|r| r.0).collect()));
    }

    #[test]
    fn rules_that_index_differently_are_told_apart() {
        let embedded = Rules::embedded().unwrap();
        let mut more = embedded.clone();
        more.abbreviations.insert("zqx".into(), "zqxyz".into());
        let mut other = embedded.clone();
        if let Some(word) = other.abbreviations.values_mut().next() {
            word.push('s');
        }
        let mut fewer = embedded.clone();
        fewer.legal_suffixes.remove("gmbh");
        let mut filler = embedded.clone();
        filler.filler_words.insert("acme".into());
        for rules in [more, other, fewer, filler] {
            assert!(!built_with(&rules));
        }
        let mut thresholds = embedded;
        thresholds.matching.accept_min_score = 0.99;
        assert!(
            built_with(&thresholds),
            "thresholds do not change the index"
        );
    }
}
