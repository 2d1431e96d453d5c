//! Matching line items to vendors, in order: vendor id → tax/VAT id →
//! exact normalized name → fuzzy name with a score. Two close candidates
//! are reported as ambiguous, never silently picked.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use crate::item::LineItem;
use crate::normalize::name_key;
use crate::rules::Rules;
use crate::store::{LookupHits, LookupKeys, StoreError, VendorStore};
use crate::vendor::Vendor;

/// How many candidates an ambiguous or fuzzy result lists.
const MAX_CANDIDATES: usize = 5;

/// Which method found the vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchMethod {
    /// By vendor id.
    VendorId,
    /// By tax/VAT id.
    TaxId,
    /// By the normalized legal name or an alias.
    ExactName,
    /// By a similar name.
    FuzzyName,
    /// No vendor matched (or several matched equally well).
    None,
}

/// A vendor that could be the one meant.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Candidate {
    /// Vendor id.
    pub vendor_id: String,
    /// Legal name.
    pub legal_name: String,
    /// Country.
    pub country: String,
    /// Similarity, 0 to 1.
    pub score: f64,
}

/// The outcome of matching one item.
#[derive(Debug, Clone)]
pub struct MatchResult {
    /// The method that decided.
    pub method: MatchMethod,
    /// Confidence, 0 to 1.
    pub confidence: f64,
    /// The vendor, when one was matched.
    pub vendor: Option<Arc<Vendor>>,
    /// Close candidates (for ambiguous and fuzzy matches).
    pub candidates: Vec<Candidate>,
    /// Several vendors matched equally well.
    pub ambiguous: bool,
}

impl MatchResult {
    fn found(method: MatchMethod, confidence: f64, vendor: Arc<Vendor>) -> Self {
        Self {
            method,
            confidence,
            vendor: Some(vendor),
            candidates: Vec::new(),
            ambiguous: false,
        }
    }

    fn none(candidates: Vec<Candidate>, ambiguous: bool) -> Self {
        Self {
            method: MatchMethod::None,
            confidence: 0.0,
            vendor: None,
            candidates,
            ambiguous,
        }
    }
}

/// The ids each item needs records for, stage by stage.
enum Plan {
    Id(String),
    Tax(String),
    Names(Vec<String>),
    Fuzzy(Vec<String>),
    Nothing,
}

/// The keys an item still needs: its identifiers in order (id, tax id,
/// name with its fuzzy tokens), each asked only once the one before it has
/// been asked and missed. Most items carry an id or tax id that hits, so
/// most batches need one lookup round and no name or token keys at all.
fn next_keys(item: &LineItem, hits: &LookupHits, asked: &LookupKeys, keys: &mut LookupKeys) {
    if let Some(id) = &item.vendor_id {
        if !asked.ids.contains(id) {
            keys.ids.insert(id.clone());
            return;
        }
        if hits.vendors.contains_key(id) {
            return;
        }
    }
    if let Some(tax) = &item.tax_key {
        if !asked.tax_ids.contains(tax) {
            keys.tax_ids.insert(tax.clone());
            return;
        }
        if hits.tax_ids.contains_key(tax) {
            return;
        }
    }
    if let Some(name) = &item.name
        && !asked.names.contains(&name.key)
    {
        keys.names.insert(name.key.clone());
        // Asked together with the name: a miss then needs no extra round.
        keys.tokens.extend(name.blocking_tokens());
    }
}

/// Matches a batch of items: at most three lookup rounds (ids, then tax
/// ids, then names and tokens, each only for the items still unmatched)
/// and one round of candidate records.
pub async fn match_items<S: VendorStore>(
    store: &S,
    rules: &Rules,
    items: &[&LineItem],
) -> Result<Vec<MatchResult>, StoreError> {
    let mut hits = LookupHits::default();
    let mut asked = LookupKeys::default();
    loop {
        let mut keys = LookupKeys::default();
        for item in items {
            next_keys(item, &hits, &asked, &mut keys);
        }
        if keys.is_empty() {
            break;
        }
        let found = store.lookup(&keys).await?;
        hits.vendors.extend(found.vendors);
        hits.tax_ids.extend(found.tax_ids);
        hits.names.extend(found.names);
        hits.tokens.extend(found.tokens);
        asked.ids.extend(keys.ids);
        asked.tax_ids.extend(keys.tax_ids);
        asked.names.extend(keys.names);
        asked.tokens.extend(keys.tokens);
    }

    let plans: Vec<Plan> = items
        .iter()
        .map(|item| {
            if let Some(id) = item
                .vendor_id
                .as_ref()
                .filter(|id| hits.vendors.contains_key(*id))
            {
                return Plan::Id(id.clone());
            }
            if let Some(id) = item.tax_key.as_ref().and_then(|t| hits.tax_ids.get(t)) {
                return Plan::Tax(id.clone());
            }
            let Some(name) = &item.name else {
                return Plan::Nothing;
            };
            if let Some(ids) = hits.names.get(&name.key).filter(|ids| !ids.is_empty()) {
                return Plan::Names(ids.clone());
            }
            let mut ids: BTreeSet<&String> = BTreeSet::new();
            for token in name.blocking_tokens() {
                ids.extend(hits.tokens.get(&token).into_iter().flatten());
            }
            Plan::Fuzzy(ids.into_iter().cloned().collect())
        })
        .collect();

    let missing: BTreeSet<String> = plans
        .iter()
        .flat_map(|p| match p {
            Plan::Tax(id) => std::slice::from_ref(id),
            Plan::Names(ids) | Plan::Fuzzy(ids) => ids.as_slice(),
            Plan::Id(_) | Plan::Nothing => &[],
        })
        .filter(|id| !hits.vendors.contains_key(*id))
        .cloned()
        .collect();
    if !missing.is_empty() {
        hits.vendors.extend(store.vendors(&missing).await?);
    }
    let vendors = &hits.vendors;
    Ok(items
        .iter()
        .zip(plans)
        .map(|(item, plan)| decide(item, plan, vendors, rules))
        .collect())
}

fn decide(
    item: &LineItem,
    plan: Plan,
    vendors: &HashMap<String, Arc<Vendor>>,
    rules: &Rules,
) -> MatchResult {
    let lookup = |ids: &[String]| -> Vec<Arc<Vendor>> {
        ids.iter()
            .filter_map(|id| vendors.get(id).cloned())
            .collect()
    };
    match plan {
        Plan::Id(id) => match vendors.get(&id) {
            Some(v) => {
                MatchResult::found(MatchMethod::VendorId, rules.confidence.vendor_id, v.clone())
            }
            None => MatchResult::none(Vec::new(), false),
        },
        Plan::Tax(id) => match vendors.get(&id) {
            Some(v) => MatchResult::found(MatchMethod::TaxId, rules.confidence.tax_id, v.clone()),
            None => MatchResult::none(Vec::new(), false),
        },
        Plan::Names(ids) => {
            let found = in_country(lookup(&ids), item.vendor_country.as_deref());
            match found.as_slice() {
                [] => MatchResult::none(Vec::new(), false),
                [only] => MatchResult::found(
                    MatchMethod::ExactName,
                    rules.confidence.exact_name,
                    only.clone(),
                ),
                several => MatchResult::none(
                    several
                        .iter()
                        .map(|v| candidate(v, rules.confidence.exact_name))
                        .take(MAX_CANDIDATES)
                        .collect(),
                    true,
                ),
            }
        }
        Plan::Fuzzy(ids) => match &item.name {
            Some(name) => fuzzy(
                &name.key,
                in_country(lookup(&ids), item.vendor_country.as_deref()),
                rules,
            ),
            None => MatchResult::none(Vec::new(), false),
        },
        Plan::Nothing => MatchResult::none(Vec::new(), false),
    }
}

/// Keeps the vendors of `country` when there are any.
fn in_country(found: Vec<Arc<Vendor>>, country: Option<&str>) -> Vec<Arc<Vendor>> {
    match country {
        Some(c) if found.iter().any(|v| v.country == c) => {
            found.into_iter().filter(|v| v.country == c).collect()
        }
        _ => found,
    }
}

fn candidate(v: &Vendor, score: f64) -> Candidate {
    Candidate {
        vendor_id: v.vendor_id.clone(),
        legal_name: v.legal_name.clone(),
        country: v.country.clone(),
        score: (score * 1000.0).round() / 1000.0,
    }
}

/// Scores candidates by Jaro–Winkler similarity of normalized names (the
/// best of legal name and aliases).
fn fuzzy(key: &str, candidates: Vec<Arc<Vendor>>, rules: &Rules) -> MatchResult {
    let mut scored: Vec<(f64, Arc<Vendor>)> = candidates
        .into_iter()
        .map(|v| {
            let best = std::iter::once(&v.legal_name)
                .chain(&v.aliases)
                .map(|n| strsim::jaro_winkler(key, &name_key(n, &rules.legal_suffixes).key))
                .fold(0.0, f64::max);
            (best, v)
        })
        .filter(|(score, _)| *score >= rules.matching.fuzzy_min_score)
        .collect();
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.vendor_id.cmp(&b.1.vendor_id))
    });
    let candidates: Vec<Candidate> = scored
        .iter()
        .take(MAX_CANDIDATES)
        .map(|(s, v)| candidate(v, *s))
        .collect();
    match scored.as_slice() {
        [] => MatchResult::none(Vec::new(), false),
        [(best, v), rest @ ..] => {
            if rest
                .first()
                .is_some_and(|(second, _)| best - second < rules.matching.ambiguity_margin)
            {
                MatchResult::none(candidates, true)
            } else {
                MatchResult {
                    method: MatchMethod::FuzzyName,
                    confidence: (best * 1000.0).round() / 1000.0,
                    vendor: Some(v.clone()),
                    candidates,
                    ambiguous: false,
                }
            }
        }
    }
}
