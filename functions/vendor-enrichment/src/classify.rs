//! Category, flags and approver route of an enriched item, by the rules.

use serde::Serialize;
use utoipa::ToSchema;

use crate::item::LineItem;
use crate::matcher::MatchResult;
use crate::rules::Rules;

/// The category decision and why.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CategoryDecision {
    /// capex, opex, travel or cogs.
    pub value: String,
    /// Why: the keyword, the vendor default, or the capitalisation threshold.
    pub reason: String,
}

/// Everything decided about one matched item.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub category: CategoryDecision,
    pub flags: Vec<String>,
    pub route: String,
    pub route_reason: String,
}

fn money(amount: f64, currency: &str) -> String {
    format!("{amount:.2} {currency}")
}

/// The category of `item`, from its description keywords, else the
/// vendor's default; capex only at or above the capitalisation threshold.
pub fn category(item: &LineItem, m: &MatchResult, rules: &Rules) -> CategoryDecision {
    let keyword = rules.category_order.iter().find_map(|category| {
        rules
            .keywords
            .get(category)?
            .iter()
            .find(|k| item.description.contains(k.as_str()))
            .map(|k| (category, k))
    });
    let (value, mut reason) = match (keyword, &m.vendor) {
        (Some((category, word)), _) => (
            category.clone(),
            format!("the description mentions \"{word}\""),
        ),
        (None, Some(v)) => (
            v.default_category.clone(),
            format!("the vendor's default category is {}", v.default_category),
        ),
        (None, None) => (
            "opex".to_owned(),
            "no category keyword and no matched vendor: defaulted to opex".to_owned(),
        ),
    };
    if value == "capex" {
        let threshold = rules.capitalisation_threshold(&item.currency);
        if item.amount < threshold {
            return CategoryDecision {
                value: "opex".into(),
                reason: format!(
                    "{reason}, but {} is below the capitalisation threshold of {}",
                    money(item.amount, &item.currency),
                    money(threshold, &item.currency)
                ),
            };
        }
        reason = format!(
            "{reason}, and {} reaches the capitalisation threshold",
            money(item.amount, &item.currency)
        );
    }
    CategoryDecision { value, reason }
}

/// Flags, category and the approver route they imply.
pub fn decide(item: &LineItem, m: &MatchResult, rules: &Rules) -> Decision {
    let mut flags = Vec::new();
    let mut flag = |f: &str| flags.push(f.to_owned());
    // No vendor and no candidate to review: nobody in the master is meant.
    if m.vendor.is_none() && m.candidates.is_empty() {
        flag("unknown_vendor");
    }
    for f in &m.flags {
        flag(f);
    }
    if item.name.as_ref().is_some_and(|n| n.mixed_script) {
        flag("suspicious_characters");
    }
    if let Some(v) = &m.vendor {
        match v.status.as_str() {
            "blocked" => flag("blocked_vendor"),
            "inactive" => flag("inactive_vendor"),
            _ => {}
        }
        if v.risk_tier == "high" {
            flag("high_risk_vendor");
        }
        if v.currency != item.currency {
            flag("currency_mismatch");
        }
    }
    if item.amount > rules.approval_limit(&item.currency) {
        flag("amount_over_approval_limit");
    }
    let category = category(item, m, rules);
    let category_condition = format!("category:{}", category.value);
    let (route, route_reason) = rules
        .routes
        .iter()
        .find(|r| r.when == category_condition || flags.contains(&r.when))
        .map_or_else(
            || ("ap-review".to_owned(), "no route rule applied".to_owned()),
            |r| (r.route.clone(), r.why.clone()),
        );
    Decision {
        category,
        flags,
        route,
        route_reason,
    }
}
