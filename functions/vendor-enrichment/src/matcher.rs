//! Matching line items to vendors: vendor id, tax/VAT id, exact normalized
//! name, then a token-level comparison of names (see `score`).
//!
//! Precision comes before recall: a wrong vendor is a wrong payment. A name
//! is accepted automatically only when every word agrees, the score reaches
//! the bar and the runner-up is well behind; anything less comes back as
//! candidates for review, with a named flag, and never as the vendor.
//! Evidence that disagrees (an id of one vendor with the name of another, a
//! country no candidate has, an id that matches nothing) is flagged too.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use crate::item::LineItem;
use crate::normalize::{BlockingKey, NameKey, TokenClass, name_key, token_class};
use crate::rules::Rules;
use crate::score::{Comparison, Token, compare, weight};
use crate::store::{LookupHits, LookupKeys, StoreError, VendorStore};
use crate::vendor::Vendor;

/// How many candidates a result lists.
const MAX_CANDIDATES: usize = 5;

/// Several vendors match equally well.
pub const AMBIGUOUS_MATCH: &str = "ambiguous_match";
/// The name is close to a vendor, but not close enough to be accepted.
pub const LOW_CONFIDENCE_MATCH: &str = "low_confidence_match";
/// The vendor id, tax id and name point to different vendors.
pub const CONFLICTING_VENDOR_EVIDENCE: &str = "conflicting_vendor_evidence";
/// No matching vendor is in the item's `vendor_country`.
pub const VENDOR_COUNTRY_MISMATCH: &str = "vendor_country_mismatch";
/// The item's vendor id matches no vendor.
pub const UNKNOWN_VENDOR_ID: &str = "unknown_vendor_id";
/// The item's tax id matches no vendor.
pub const UNKNOWN_TAX_ID: &str = "unknown_tax_id";
/// The item's name does not match the vendor its id or tax id names.
pub const VENDOR_NAME_MISMATCH: &str = "vendor_name_mismatch";

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
    /// By a similar name: every word agrees, typos tolerated.
    FuzzyName,
    /// No vendor was accepted (see the flags and candidates).
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
    /// The vendor, when one was accepted.
    pub vendor: Option<Arc<Vendor>>,
    /// Candidates: for review when no vendor was accepted, else the closest.
    pub candidates: Vec<Candidate>,
    /// Several vendors matched equally well.
    pub ambiguous: bool,
    /// Review flags the evidence raised (`ambiguous_match`, `low_confidence_match`, ...).
    pub flags: Vec<&'static str>,
}

impl MatchResult {
    fn found(method: MatchMethod, confidence: f64, vendor: Arc<Vendor>) -> Self {
        Self {
            method,
            confidence,
            vendor: Some(vendor),
            candidates: Vec::new(),
            ambiguous: false,
            flags: Vec::new(),
        }
    }

    fn review(candidates: Vec<Candidate>, flag: Option<&'static str>) -> Self {
        Self {
            method: MatchMethod::None,
            confidence: 0.0,
            vendor: None,
            candidates,
            ambiguous: flag == Some(AMBIGUOUS_MATCH),
            flags: flag.into_iter().collect(),
        }
    }

    fn none() -> Self {
        Self::review(Vec::new(), None)
    }
}

fn candidate(v: &Vendor, score: f64) -> Candidate {
    Candidate {
        vendor_id: v.vendor_id.clone(),
        legal_name: v.legal_name.clone(),
        country: v.country.clone(),
        score: round3(score),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// One name of a vendor, normalized and weighed once per batch.
struct MasterName {
    key: String,
    tokens: Vec<Token>,
}

/// What a batch's decisions read: the store's answers and the vendors'
/// names, normalized and weighted.
struct Evidence<'a> {
    rules: &'a Rules,
    hits: LookupHits,
    names: HashMap<String, Vec<MasterName>>,
}

impl Evidence<'_> {
    /// How many vendors of the master use `word`.
    fn df(&self, word: &str) -> usize {
        self.hits.tokens.get(word).map_or(0, Vec::len)
    }

    fn vendor(&self, id: &str) -> Option<&Arc<Vendor>> {
        self.hits.vendors.get(id)
    }

    fn query_tokens(&self, name: &NameKey) -> Vec<Token> {
        name.tokens()
            .map(|t| {
                let class = token_class(t, self.rules);
                Token::new(t, class, self.df(t), self.rules)
            })
            .collect()
    }

    /// The best comparison of `query` with any name of vendor `id`.
    fn compare_vendor(&self, query: &[Token], id: &str) -> Option<Comparison> {
        self.names
            .get(id)?
            .iter()
            .map(|n| compare(query, &n.tokens))
            .max_by(|a, b| {
                (a.complete, a.score)
                    .partial_cmp(&(b.complete, b.score))
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
    }

    /// Whether `name` is a name of vendor `id`: exactly, or closely enough
    /// that its distinctive words agree.
    fn name_agrees(&self, name: &NameKey, id: &str) -> bool {
        if self
            .names
            .get(id)
            .is_some_and(|ns| ns.iter().any(|n| n.key == name.key))
        {
            return true;
        }
        let query = self.query_tokens(name);
        self.compare_vendor(&query, id)
            .is_some_and(|c| c.plausible && c.score >= self.rules.matching.review_min_score)
    }
}

/// The candidate vendors of one name: those sharing its blocking keys,
/// ranked by the weight of what they share (a rare whole word most), at
/// most `max_scored_candidates`.
fn candidate_ids(keys: &[BlockingKey], hits: &LookupHits, rules: &Rules) -> Vec<String> {
    let mut rank: HashMap<&str, f64> = HashMap::new();
    for k in keys {
        let Some(ids) = hits.tokens.get(&k.key) else {
            continue;
        };
        let share = if k.whole_word { 1.0 } else { 0.5 };
        let w = weight(k.class, ids.len(), rules) * share;
        for id in ids {
            *rank.entry(id.as_str()).or_default() += w;
        }
    }
    let mut ranked: Vec<(&str, f64)> = rank.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    ranked
        .into_iter()
        .take(rules.matching.max_scored_candidates)
        .map(|(id, _)| id.to_owned())
        .collect()
}

/// Matches a batch of items in three store rounds, whatever its size: every
/// item's id, tax id, name and blocking keys; then the records of the
/// vendors they found; then the word counts of those vendors' names.
pub async fn match_items<S: VendorStore>(
    store: &S,
    rules: &Rules,
    items: &[&LineItem],
) -> Result<Vec<MatchResult>, StoreError> {
    let blocking: Vec<Vec<BlockingKey>> = items
        .iter()
        .map(|i| {
            i.name
                .as_ref()
                .map(|n| n.blocking_keys(rules))
                .unwrap_or_default()
        })
        .collect();
    let mut keys = LookupKeys::default();
    for (item, bk) in items.iter().zip(&blocking) {
        keys.ids.extend(item.vendor_id.iter().cloned());
        keys.tax_ids.extend(item.tax_key.iter().cloned());
        if let Some(name) = &item.name {
            keys.names.insert(name.key.clone());
            keys.tokens.extend(bk.iter().map(|k| k.key.clone()));
        }
    }
    let mut hits = if keys.is_empty() {
        LookupHits::default()
    } else {
        store.lookup(&keys).await?
    };

    // Fuzzy candidates only for names without an exact hit.
    let candidates: Vec<Vec<String>> = items
        .iter()
        .zip(&blocking)
        .map(|(item, bk)| match &item.name {
            Some(name) if hits.names.get(&name.key).is_none_or(Vec::is_empty) => {
                candidate_ids(bk, &hits, rules)
            }
            _ => Vec::new(),
        })
        .collect();
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    // The vendors whose names some item's name is compared with.
    let mut compared: BTreeSet<String> = BTreeSet::new();
    for (item, cands) in items.iter().zip(&candidates) {
        let by_tax = item.tax_key.as_ref().and_then(|t| hits.tax_ids.get(t));
        wanted.extend(by_tax.cloned());
        if let Some(name) = &item.name {
            let exact = hits.names.get(&name.key).into_iter().flatten();
            wanted.extend(exact.clone().chain(cands).cloned());
            compared.extend(exact.chain(cands).chain(by_tax).cloned());
            // The id was looked up already; its record, when it exists, is in hand.
            compared.extend(item.vendor_id.iter().cloned());
        }
    }
    wanted.retain(|id| !hits.vendors.contains_key(id));
    if !wanted.is_empty() {
        let found = store.vendors(&wanted).await?;
        hits.vendors.extend(found);
    }

    // The vendors' names, normalized once; their words' vendor counts next.
    // (vendor id, normalized name, its words and their classes)
    type Words = Vec<(String, TokenClass)>;
    let mut normalized: Vec<(String, String, Words)> = Vec::new();
    let mut words: BTreeSet<String> = BTreeSet::new();
    for (id, v) in compared
        .iter()
        .filter_map(|id| Some((id, hits.vendors.get(id)?)))
    {
        let mut seen: Vec<String> = Vec::new();
        for n in std::iter::once(&v.legal_name).chain(&v.aliases) {
            let key = name_key(n, rules);
            if seen.contains(&key.key) {
                continue;
            }
            seen.push(key.key.clone());
            let w: Vec<(String, TokenClass)> = key
                .tokens()
                .map(|t| (t.to_owned(), token_class(t, rules)))
                .collect();
            words.extend(
                w.iter()
                    .filter(|(t, c)| *c != TokenClass::Filler && !keys.tokens.contains(t))
                    .map(|(t, _)| t.clone()),
            );
            normalized.push((id.clone(), key.key, w));
        }
    }
    if !words.is_empty() {
        let counts = store
            .lookup(&LookupKeys {
                tokens: words,
                ..LookupKeys::default()
            })
            .await?;
        hits.tokens.extend(counts.tokens);
    }
    let mut evidence = Evidence {
        rules,
        hits,
        names: HashMap::new(),
    };
    for (id, key, w) in normalized {
        let tokens = w
            .iter()
            .map(|(t, class)| Token::new(t, *class, evidence.df(t), rules))
            .collect();
        evidence
            .names
            .entry(id)
            .or_default()
            .push(MasterName { key, tokens });
    }

    Ok(items
        .iter()
        .zip(&candidates)
        .map(|(item, cands)| decide(item, cands, &evidence))
        .collect())
}

/// Weighs everything one item carries.
fn decide(item: &LineItem, cands: &[String], ev: &Evidence<'_>) -> MatchResult {
    let rules = ev.rules;
    let mut flags = Vec::new();
    let by_id = item.vendor_id.as_ref().map(|id| ev.vendor(id));
    if matches!(by_id, Some(None)) {
        flags.push(UNKNOWN_VENDOR_ID);
    }
    let by_tax = item
        .tax_key
        .as_ref()
        .map(|t| ev.hits.tax_ids.get(t).and_then(|id| ev.vendor(id)));
    if matches!(by_tax, Some(None)) {
        flags.push(UNKNOWN_TAX_ID);
    }
    let by_name = item
        .name
        .as_ref()
        .map(|n| match_name(n, item.vendor_country.as_deref(), cands, ev));
    let by_id = by_id.flatten();
    let by_tax = by_tax.flatten();

    let mut result = match (by_id, by_tax) {
        (Some(a), Some(b)) if a.vendor_id != b.vendor_id => conflict(&[
            (a, rules.confidence.vendor_id),
            (b, rules.confidence.tax_id),
        ]),
        (Some(v), _) | (None, Some(v)) => {
            let (method, confidence) = if by_id.is_some() {
                (MatchMethod::VendorId, rules.confidence.vendor_id)
            } else {
                (MatchMethod::TaxId, rules.confidence.tax_id)
            };
            let named = by_name
                .as_ref()
                .and_then(|m| m.vendor.as_ref())
                .filter(|b| b.vendor_id != v.vendor_id);
            match (named, &item.name) {
                (Some(b), _) => conflict(&[(v, confidence), (b, by_name_confidence(&by_name))]),
                (None, Some(name)) if !ev.name_agrees(name, &v.vendor_id) => {
                    let mut m = MatchResult::found(method, confidence, v.clone());
                    m.flags.push(VENDOR_NAME_MISMATCH);
                    m
                }
                _ => MatchResult::found(method, confidence, v.clone()),
            }
        }
        (None, None) => by_name.unwrap_or_else(MatchResult::none),
    };
    if let (Some(v), Some(country)) = (&result.vendor, &item.vendor_country)
        && result.method != MatchMethod::ExactName
        && result.method != MatchMethod::FuzzyName
        && &v.country != country
    {
        // Name matches already only accept a vendor of the item's country.
        result.flags.push(VENDOR_COUNTRY_MISMATCH);
    }
    flags.append(&mut result.flags);
    result.flags = flags;
    result
}

fn by_name_confidence(m: &Option<MatchResult>) -> f64 {
    m.as_ref().map_or(0.0, |m| m.confidence)
}

fn conflict(vendors: &[(&Arc<Vendor>, f64)]) -> MatchResult {
    MatchResult::review(
        vendors.iter().map(|(v, s)| candidate(v, *s)).collect(),
        Some(CONFLICTING_VENDOR_EVIDENCE),
    )
}

/// Splits `found` by `country`: the vendors of that country, or all of
/// them when none is given; `Err` with all of them when one is given that
/// none of them has (never a silent fallback to other countries).
fn in_country<T>(
    found: Vec<T>,
    country: Option<&str>,
    country_of: impl Fn(&T) -> &str,
) -> Result<Vec<T>, Vec<T>> {
    match country {
        None => Ok(found),
        Some(c) if found.iter().any(|v| country_of(v) == c) => {
            Ok(found.into_iter().filter(|v| country_of(v) == c).collect())
        }
        Some(_) if found.is_empty() => Ok(found),
        Some(_) => Err(found),
    }
}

/// Matches a name: exactly, else word by word over `cands`.
fn match_name(
    name: &NameKey,
    country: Option<&str>,
    cands: &[String],
    ev: &Evidence<'_>,
) -> MatchResult {
    let rules = ev.rules;
    let exact: Vec<&Arc<Vendor>> = ev
        .hits
        .names
        .get(&name.key)
        .into_iter()
        .flatten()
        .filter_map(|id| ev.vendor(id))
        .collect();
    if !exact.is_empty() {
        let conf = rules.confidence.exact_name;
        return match in_country(exact, country, |v| &v.country) {
            Err(elsewhere) => MatchResult::review(
                elsewhere
                    .iter()
                    .map(|v| candidate(v, conf))
                    .take(MAX_CANDIDATES)
                    .collect(),
                Some(VENDOR_COUNTRY_MISMATCH),
            ),
            Ok(found) => match found.as_slice() {
                [only] => MatchResult::found(MatchMethod::ExactName, conf, (*only).clone()),
                several => MatchResult::review(
                    several
                        .iter()
                        .map(|v| candidate(v, conf))
                        .take(MAX_CANDIDATES)
                        .collect(),
                    Some(AMBIGUOUS_MATCH),
                ),
            },
        };
    }

    let query = ev.query_tokens(name);
    let mut scored: Vec<(Comparison, &Arc<Vendor>)> = cands
        .iter()
        .filter_map(|id| Some((ev.compare_vendor(&query, id)?, ev.vendor(id)?)))
        .filter(|(c, _)| c.plausible && c.score >= rules.matching.review_min_score)
        .collect();
    scored.sort_by(|a, b| {
        b.0.score
            .total_cmp(&a.0.score)
            .then_with(|| a.1.vendor_id.cmp(&b.1.vendor_id))
    });
    let listed = |list: &[(Comparison, &Arc<Vendor>)]| -> Vec<Candidate> {
        list.iter()
            .take(MAX_CANDIDATES)
            .map(|(c, v)| candidate(v, c.score))
            .collect()
    };
    // A full match outside the item's country outranks partial ones inside it:
    // the evidence disagrees, and a person must look.
    if let Some(c) = country {
        let complete = |here: bool| {
            scored
                .iter()
                .any(|(x, v)| x.complete && (v.country == c) == here)
        };
        if complete(false) && !complete(true) {
            let elsewhere: Vec<_> = scored.iter().filter(|(x, _)| x.complete).cloned().collect();
            return MatchResult::review(listed(&elsewhere), Some(VENDOR_COUNTRY_MISMATCH));
        }
    }
    let scored = match in_country(scored, country, |(_, v)| &v.country) {
        Ok(s) => s,
        Err(elsewhere) => {
            return MatchResult::review(listed(&elsewhere), Some(VENDOR_COUNTRY_MISMATCH));
        }
    };
    let Some((best, vendor)) = scored.first() else {
        return MatchResult::none();
    };
    let second = scored.get(1).map_or(0.0, |(c, _)| c.score);
    let close_second = best.score - second < rules.matching.ambiguity_margin;
    if best.complete && best.score >= rules.matching.accept_min_score && !close_second {
        let mut m = MatchResult::found(
            MatchMethod::FuzzyName,
            round3(best.score),
            (*vendor).clone(),
        );
        m.candidates = listed(&scored);
        return m;
    }
    let flag = if close_second {
        AMBIGUOUS_MATCH
    } else {
        LOW_CONFIDENCE_MATCH
    };
    MatchResult::review(listed(&scored), Some(flag))
}
