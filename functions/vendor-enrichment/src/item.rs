//! One invoice line item: decoded, validated and normalized.

use actionkit::ActionError;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::normalize::{NameKey, name_key, tax_key};
use crate::rules::Rules;

/// Identifiers and text fields longer than this are refused.
const MAX_FIELD_CHARS: usize = 200;
/// Descriptions longer than this are refused.
const MAX_DESCRIPTION_CHARS: usize = 2_000;

#[derive(Debug, Deserialize)]
struct LineItemWire {
    line_id: Option<String>,
    vendor_id: Option<String>,
    vendor_tax_id: Option<String>,
    vendor_name: Option<String>,
    vendor_country: Option<String>,
    description: Option<String>,
    amount: f64,
    currency: String,
}

/// The fields of a line item the enrichment reads.
#[derive(Debug, Clone)]
pub struct LineItem {
    /// Vendor id as given.
    pub vendor_id: Option<String>,
    /// Normalized tax/VAT id.
    pub tax_key: Option<String>,
    /// Normalized vendor name.
    pub name: Option<NameKey>,
    /// ISO country code of the vendor, if given.
    pub vendor_country: Option<String>,
    /// Lower-cased description.
    pub description: String,
    /// The amount (≥ 0).
    pub amount: f64,
    /// ISO 4217 currency code.
    pub currency: String,
}

/// The fields `BatchInput` can supply for every item of a batch.
const INHERITED_FIELDS: [&str; 5] = [
    "vendor_id",
    "vendor_tax_id",
    "vendor_name",
    "vendor_country",
    "currency",
];

fn invalid(message: impl Into<String>) -> ActionError {
    ActionError::new(400, "InvalidInput", message)
}

fn non_empty(
    field: &str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, ActionError> {
    let Some(v) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let chars = v.chars().count();
    if chars > max {
        return Err(invalid(format!(
            "`{field}` is {chars} characters long; at most {max} are accepted."
        )));
    }
    if v.chars().any(char::is_control) {
        return Err(invalid(format!("`{field}` contains control characters.")));
    }
    Ok(Some(v))
}

/// Decodes and checks one raw item. `defaults` (a batch's `BatchInput`)
/// fills vendor and currency fields the item leaves out.
pub fn parse_item(
    raw: &Value,
    defaults: Option<&Map<String, Value>>,
    rules: &Rules,
) -> Result<LineItem, ActionError> {
    let Value::Object(object) = raw else {
        return Err(invalid("A line item must be a JSON object."));
    };
    let merged;
    let source = match defaults {
        Some(defaults)
            if INHERITED_FIELDS
                .iter()
                .any(|f| !object.contains_key(*f) && defaults.contains_key(*f)) =>
        {
            let mut m = object.clone();
            for field in INHERITED_FIELDS {
                if let (false, Some(v)) = (m.contains_key(field), defaults.get(field)) {
                    m.insert(field.to_owned(), v.clone());
                }
            }
            merged = Value::Object(m);
            &merged
        }
        _ => raw,
    };
    let wire: LineItemWire =
        actionkit::from_value(source).map_err(|e| invalid(e.message().to_owned()))?;
    let vendor_name = non_empty(
        "vendor_name",
        wire.vendor_name,
        rules.matching.max_name_chars,
    )?;
    let vendor_id = non_empty("vendor_id", wire.vendor_id, MAX_FIELD_CHARS)?;
    let vendor_tax_id = non_empty("vendor_tax_id", wire.vendor_tax_id, MAX_FIELD_CHARS)?;
    if vendor_id.is_none() && vendor_tax_id.is_none() && vendor_name.is_none() {
        return Err(invalid(
            "A line item needs at least one of vendor_id, vendor_tax_id or vendor_name.",
        ));
    }
    if !wire.amount.is_finite() || wire.amount < 0.0 {
        return Err(invalid(
            "`amount` must be a number of zero or more (credit notes are not line items).",
        ));
    }
    let currency = wire.currency.trim().to_ascii_uppercase();
    if !rules.currencies.contains(&currency) {
        return Err(invalid(format!(
            "`currency` must be a supported ISO 4217 code such as EUR, USD or GBP; received {:?}.",
            currency.chars().take(12).collect::<String>()
        )));
    }
    let vendor_country = non_empty("vendor_country", wire.vendor_country, MAX_FIELD_CHARS)?
        .map(|c| c.to_ascii_uppercase());
    if vendor_country
        .as_ref()
        .is_some_and(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return Err(invalid(
            "`vendor_country` must be a two-letter ISO 3166 code such as DE.",
        ));
    }
    let description =
        non_empty("description", wire.description, MAX_DESCRIPTION_CHARS)?.unwrap_or_default();
    non_empty("line_id", wire.line_id, MAX_FIELD_CHARS)?;
    Ok(LineItem {
        vendor_id,
        tax_key: vendor_tax_id.map(|t| tax_key(&t)).filter(|t| !t.is_empty()),
        name: vendor_name
            .map(|n| name_key(&n, rules))
            .filter(|k| !k.key.is_empty()),
        vendor_country,
        description: description.to_lowercase(),
        amount: wire.amount,
        currency,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(v: Value) -> Result<LineItem, ActionError> {
        parse_item(&v, None, &Rules::embedded().unwrap())
    }

    #[test]
    fn bad_items_are_invalid_input_with_a_reason() {
        let cases = [
            (json!("a string"), "must be a JSON object"),
            (json!([1, 2]), "must be a JSON object"),
            (
                json!({"amount": 1, "currency": "EUR"}),
                "needs at least one of",
            ),
            (
                json!({"vendor_name": "", "vendor_id": " ", "amount": 1, "currency": "EUR"}),
                "needs at least one of",
            ),
            (
                json!({"vendor_name": "x".repeat(10_000), "amount": 1, "currency": "EUR"}),
                "10000 characters",
            ),
            (
                json!({"vendor_name": "Acme", "amount": "ten", "currency": "EUR"}),
                "`amount` must be a number",
            ),
            (
                json!({"vendor_name": "Acme", "amount": -5, "currency": "EUR"}),
                "zero or more",
            ),
            (
                json!({"vendor_name": "Acme", "amount": 5, "currency": "EURO"}),
                "ISO 4217",
            ),
            (
                json!({"vendor_name": "Acme", "amount": 5, "currency": "XYZ"}),
                "ISO 4217",
            ),
            (
                json!({"vendor_name": "Acme", "amount": 5}),
                "`currency` is required",
            ),
            (
                json!({"vendor_name": "Acme", "amount": 5, "currency": "EUR", "vendor_country": "Germany"}),
                "two-letter",
            ),
            (
                json!({"vendor_name": "Acme\u{0}", "amount": 5, "currency": "EUR"}),
                "control characters",
            ),
        ];
        for (item, reason) in cases {
            let err = parse(item.clone()).unwrap_err();
            assert_eq!(err.name(), "InvalidInput");
            assert!(err.message().contains(reason), "{item}: {}", err.message());
        }
    }

    #[test]
    fn strings_are_coerced_and_defaults_inherited() {
        let item =
            parse(json!({"vendor_name": " ACME Corp. ", "amount": "1299.90", "currency": "usd"}))
                .unwrap();
        assert_eq!(item.amount, 1299.9);
        assert_eq!(item.currency, "USD");
        assert_eq!(item.name.unwrap().key, "acme");
        let defaults = json!({"currency": "EUR", "vendor_id": "V-10003"});
        let item = parse_item(
            &json!({"amount": 10, "description": "Screws"}),
            defaults.as_object(),
            &Rules::embedded().unwrap(),
        )
        .unwrap();
        assert_eq!(
            (item.currency.as_str(), item.vendor_id.as_deref()),
            ("EUR", Some("V-10003"))
        );
    }
}
