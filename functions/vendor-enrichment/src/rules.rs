//! Thresholds, keyword lists and approver routes: data, not literals.
//! The embedded default is `data/rules.json`; `RULES_FILE` points to another.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

/// The embedded default rules.
const DEFAULT_RULES: &str = include_str!("../data/rules.json");

/// Matching thresholds.
#[derive(Debug, Clone, Deserialize)]
pub struct MatchingRules {
    /// A name match is accepted automatically only at or above this score
    /// (and only when every token agrees and the runner-up is `ambiguity_margin` behind).
    pub accept_min_score: f64,
    /// Candidates below this score are not listed for review.
    pub review_min_score: f64,
    /// Two candidates closer than this are `ambiguous_match`.
    pub ambiguity_margin: f64,
    /// Longer vendor names are refused as invalid input.
    pub max_name_chars: usize,
    /// The most candidate vendors scored per name (those sharing the rarest words first).
    pub max_scored_candidates: usize,
    /// The weight of each class of word, before the rarity factor.
    pub class_weights: ClassWeights,
}

/// Weights of the classes of words in a name.
#[derive(Debug, Clone, Deserialize)]
pub struct ClassWeights {
    /// Words that tell vendors apart (`tidewater`, `acme`).
    pub distinctive: f64,
    /// Industry words (`logistics`, `plastics`).
    pub industry: f64,
    /// Country and region words (`nigeria`, `europe`).
    pub country: f64,
    /// Words a name may carry or leave out (`and`, `services`, legal forms inside a name).
    pub filler: f64,
}

/// Confidence of the exact methods.
#[derive(Debug, Clone, Deserialize)]
pub struct Confidence {
    /// Match by vendor id.
    pub vendor_id: f64,
    /// Match by tax/VAT id.
    pub tax_id: f64,
    /// Match by normalized legal name or alias.
    pub exact_name: f64,
}

/// One approver route rule: the first whose condition holds wins.
#[derive(Debug, Clone, Deserialize)]
pub struct RouteRule {
    /// A flag name, or `category:<name>`.
    pub when: String,
    /// The approver route.
    pub route: String,
    /// Why, for the person who reads the result.
    pub why: String,
}

/// All rules.
#[derive(Debug, Clone, Deserialize)]
pub struct Rules {
    /// Matching thresholds.
    pub matching: MatchingRules,
    /// Confidence per exact method.
    pub confidence: Confidence,
    /// Legal-form words dropped from the end of names (`gmbh`, `inc`, ...).
    /// Never country words: `X Nigeria` is not `X`.
    pub legal_suffixes: HashSet<String>,
    /// Industry words: common in names, so they weigh less, but they must still agree.
    pub industry_words: HashSet<String>,
    /// Country and region words: weigh little, must still agree.
    pub country_words: HashSet<String>,
    /// Words a name may carry or leave out without changing the vendor.
    pub filler_words: HashSet<String>,
    /// Abbreviations written out before comparing (`intl` → `international`), on both sides.
    pub abbreviations: BTreeMap<String, String>,
    /// Accepted ISO 4217 currency codes.
    pub currencies: HashSet<String>,
    /// Amounts at or above this (per currency, `default` otherwise) are capitalised.
    pub capitalisation_threshold: BTreeMap<String, f64>,
    /// Amounts above this (per currency, `default` otherwise) need a controller.
    pub approval_limit: BTreeMap<String, f64>,
    /// The order in which categories' keywords are tried.
    pub category_order: Vec<String>,
    /// Description keywords per category (lower case).
    pub keywords: BTreeMap<String, Vec<String>>,
    /// Approver routes, in priority order.
    pub routes: Vec<RouteRule>,
}

/// Rules that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The file could not be read.
    #[error("cannot read the rules file: {0}")]
    Read(#[from] std::io::Error),
    /// The JSON does not have the expected shape.
    #[error("the rules are not valid: {0}")]
    Parse(#[from] serde_json::Error),
    /// A rule is inconsistent.
    #[error("the rules are not valid: {0}")]
    Invalid(String),
}

impl Rules {
    /// The embedded default rules.
    pub fn embedded() -> Result<Self, RulesError> {
        Self::from_json(DEFAULT_RULES)
    }

    /// Rules from JSON text, validated.
    pub fn from_json(text: &str) -> Result<Self, RulesError> {
        let rules: Rules = serde_json::from_str(text)?;
        for (name, table) in [
            ("capitalisation_threshold", &rules.capitalisation_threshold),
            ("approval_limit", &rules.approval_limit),
        ] {
            if !table.contains_key("default") {
                return Err(RulesError::Invalid(format!(
                    "{name} needs a `default` entry"
                )));
            }
        }
        if let Some(missing) = rules
            .category_order
            .iter()
            .find(|c| !rules.keywords.contains_key(*c))
        {
            return Err(RulesError::Invalid(format!(
                "category_order names `{missing}`, which has no keywords"
            )));
        }
        let lists = [
            ("legal_suffixes", &rules.legal_suffixes),
            ("industry_words", &rules.industry_words),
            ("country_words", &rules.country_words),
            ("filler_words", &rules.filler_words),
        ];
        for (name, words) in lists {
            if let Some(bad) = words.iter().find(|w| !is_normalized_word(w)) {
                return Err(RulesError::Invalid(format!(
                    "{name} holds `{bad}`: words are lower-case ASCII letters and digits, as names are compared"
                )));
            }
        }
        if let Some(bad) = rules
            .abbreviations
            .iter()
            .find(|(k, v)| !is_normalized_word(k) || !v.split(' ').all(is_normalized_word))
        {
            return Err(RulesError::Invalid(format!(
                "abbreviations holds `{}`: keys and expansions are lower-case ASCII words",
                bad.0
            )));
        }
        if let Some(both) = rules
            .legal_suffixes
            .iter()
            .find(|w| rules.country_words.contains(*w))
        {
            return Err(RulesError::Invalid(format!(
                "`{both}` is both a legal form and a country word; a country word is never dropped from a name"
            )));
        }
        let m = &rules.matching;
        if !(0.0..=1.0).contains(&m.review_min_score)
            || !(m.review_min_score..=1.0).contains(&m.accept_min_score)
            || !(0.0..1.0).contains(&m.ambiguity_margin)
            || m.max_scored_candidates == 0
        {
            return Err(RulesError::Invalid(
                "matching needs 0 ≤ review_min_score ≤ accept_min_score ≤ 1, 0 ≤ ambiguity_margin < 1 and max_scored_candidates ≥ 1".into(),
            ));
        }
        let w = &m.class_weights;
        if [w.distinctive, w.industry, w.country, w.filler]
            .iter()
            .any(|x| !x.is_finite() || *x <= 0.0)
        {
            return Err(RulesError::Invalid(
                "class_weights must all be positive numbers".into(),
            ));
        }
        if rules
            .routes
            .last()
            .is_none_or(|r| !r.when.starts_with("category:"))
        {
            return Err(RulesError::Invalid(
                "the last routes should be category routes, so that every item gets one".into(),
            ));
        }
        Ok(rules)
    }

    /// Reads `RULES_FILE` when set, else the embedded default.
    pub fn from_env() -> Result<Self, RulesError> {
        match std::env::var("RULES_FILE") {
            Ok(path) => Self::from_json(&std::fs::read_to_string(path)?),
            Err(_) => Self::embedded(),
        }
    }

    /// The capitalisation threshold in `currency`.
    pub fn capitalisation_threshold(&self, currency: &str) -> f64 {
        per_currency(&self.capitalisation_threshold, currency)
    }

    /// The approval limit in `currency`.
    pub fn approval_limit(&self, currency: &str) -> f64 {
        per_currency(&self.approval_limit, currency)
    }
}

fn is_normalized_word(w: &str) -> bool {
    !w.is_empty()
        && w.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn per_currency(table: &BTreeMap<String, f64>, currency: &str) -> f64 {
    table
        .get(currency)
        .or_else(|| table.get("default"))
        .copied()
        .unwrap_or(f64::INFINITY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_rules_load_and_bad_ones_are_refused() {
        let r = Rules::embedded().unwrap();
        assert_eq!(r.approval_limit("GBP"), 8500.0);
        assert_eq!(r.approval_limit("DKK"), 10000.0, "falls back to default");
        assert!(r.currencies.contains("NGN"));
        assert!(Rules::from_json("{}").is_err());
        let no_default = DEFAULT_RULES.replace("\"default\": 5000, ", "");
        assert!(Rules::from_json(&no_default).is_err());
        assert!(
            !r.legal_suffixes.iter().any(|w| r.country_words.contains(w)),
            "no country word is a legal form"
        );
        let nigeria_legal = DEFAULT_RULES.replace("\"pvt\", ", "\"pvt\", \"nigeria\", ");
        let err = Rules::from_json(&nigeria_legal).unwrap_err().to_string();
        assert!(err.contains("`nigeria` is both a legal form"), "{err}");
        let upper = DEFAULT_RULES.replace("\"and\", ", "\"And\", ");
        assert!(Rules::from_json(&upper).is_err());
    }
}
