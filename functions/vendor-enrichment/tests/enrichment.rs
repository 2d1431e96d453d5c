//! Matching on tricky names, classification, flags, routes and batch
//! order, against the embedded vendor master.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use vendor_enrichment::{BatchResult, EmbeddedStore, Rules, enrich};

async fn run(items: Value) -> BatchResult {
    let rules = Rules::embedded().unwrap();
    let store = EmbeddedStore::embedded(&rules).unwrap();
    enrich(&store, &rules, items.as_array().unwrap(), None)
        .await
        .unwrap()
}

async fn one(item: Value) -> Value {
    serde_json::to_value(&run(json!([item])).await.results[0]).unwrap()
}

fn usd(name: &str, amount: f64, description: &str) -> Value {
    json!({"vendor_name": name, "amount": amount, "currency": "USD", "description": description})
}

#[tokio::test]
async fn acme_corp_is_acme_corporation_but_not_acme_holdings() {
    for name in ["ACME Corp.", "Acme Corporation", "ACME, INC.", "acme corp"] {
        let r = one(usd(name, 100.0, "")).await;
        assert_eq!(r["vendor"]["vendor_id"], "V-10001", "{name}");
        assert_eq!(r["match"]["method"], "exact_name", "{name}");
    }
    let r = one(usd("ACME Holdings", 100.0, "")).await;
    assert_eq!(r["vendor"]["vendor_id"], "V-10002");
    let r = one(usd("ACME Holding Inc", 100.0, "")).await;
    assert_eq!(
        r["vendor"]["vendor_id"], "V-10002",
        "a typo still finds Holdings: {r}"
    );
    assert_eq!(r["match"]["method"], "fuzzy_name");
    assert!(r["match"]["confidence"].as_f64().unwrap() > 0.9);
}

#[tokio::test]
async fn mueller_and_mueller_and_the_same_name_in_two_countries() {
    let eur = |name: &str, country: Option<&str>| {
        let mut v =
            json!({"vendor_name": name, "amount": 50, "currency": "EUR", "description": "screws"});
        if let Some(c) = country {
            v["vendor_country"] = c.into();
        }
        v
    };
    let r = one(eur("Mueller GmbH", Some("DE"))).await;
    assert_eq!(
        (
            r["vendor"]["vendor_id"].as_str(),
            r["match"]["method"].as_str()
        ),
        (Some("V-10003"), Some("exact_name"))
    );
    let r = one(eur("MÜLLER GMBH", Some("AT"))).await;
    assert_eq!(r["vendor"]["vendor_id"], "V-10004");
    // Without a country, two vendors have that exact name: ambiguous, not picked.
    let r = one(eur("Müller GmbH", None)).await;
    assert!(r["vendor"].is_null());
    assert_eq!(r["flags"], json!(["ambiguous_match"]));
    assert_eq!(r["approver_route"], "ap-review");
    let ids: Vec<&str> = r["match"]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["vendor_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["V-10003", "V-10004"]);
}

#[tokio::test]
async fn ids_and_tax_ids_come_first() {
    let r = one(json!({"vendor_id": "V-10005", "vendor_name": "Someone Else", "amount": 1, "currency": "EUR"})).await;
    assert_eq!(
        (
            r["vendor"]["vendor_id"].as_str(),
            r["match"]["method"].as_str()
        ),
        (Some("V-10005"), Some("vendor_id"))
    );
    for tax in ["FR 34 711 186 829", "fr34711186829", "34711186829"] {
        let r = one(json!({"vendor_tax_id": tax, "amount": 1, "currency": "EUR"})).await;
        assert_eq!(r["vendor"]["vendor_id"], "V-10005", "{tax}");
        assert_eq!(r["match"]["method"], "tax_id");
    }
    // An unknown id falls back to the name.
    let r = one(json!({"vendor_id": "V-99999", "vendor_name": "Société Générale d'Équipement", "amount": 1, "currency": "EUR"})).await;
    assert_eq!(r["match"]["method"], "exact_name");
    // Close fuzzy candidates are ambiguous: Nordhavn Logistics (SE) vs Logistik (DE).
    let r = one(json!({"vendor_name": "Nordhavn Logistix", "amount": 1, "currency": "EUR"})).await;
    assert_eq!(r["flags"], json!(["ambiguous_match"]), "{r}");
    let r = one(json!({"vendor_name": "Nordhavn Logistix", "vendor_country": "SE", "amount": 1, "currency": "SEK"})).await;
    assert_eq!(r["vendor"]["vendor_id"], "V-10008", "{r}");
}

#[tokio::test]
async fn unknown_blocked_inactive_and_look_alike_vendors_are_flagged_and_routed() {
    let r = one(usd("Totally Unknown Trading", 10.0, "")).await;
    assert_eq!(r["flags"], json!(["unknown_vendor"]));
    assert_eq!(r["approver_route"], "vendor-onboarding");
    assert_eq!(r["match"]["method"], "none");

    let r = one(json!({"vendor_name": "Crestline Components Ltd", "amount": 10, "currency": "GBP", "description": "components"})).await;
    assert_eq!(r["flags"], json!(["blocked_vendor", "high_risk_vendor"]));
    assert_eq!(r["approver_route"], "compliance-hold");

    let r = one(usd("Old Harbour Cleaning", 10.0, "cleaning")).await;
    assert_eq!(r["flags"], json!(["inactive_vendor"]));
    assert_eq!(r["approver_route"], "ap-review");

    // Cyrillic А and С in a Latin name: matched by skeleton, flagged for fraud review.
    let r = one(usd("АCME Сorporation", 10.0, "")).await;
    assert_eq!(r["vendor"]["vendor_id"], "V-10001");
    assert!(
        r["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("suspicious_characters"))
    );
    assert_eq!(r["approver_route"], "fraud-review");
}

#[tokio::test]
async fn categories_follow_keywords_vendor_defaults_and_the_threshold() {
    let r = one(usd("ACME Corp.", 12_000.0, "Laptop fleet refresh, 8 units")).await;
    assert_eq!(r["category"]["value"], "capex");
    assert!(
        r["category"]["reason"]
            .as_str()
            .unwrap()
            .contains("\"laptop\"")
    );
    assert_eq!(r["flags"], json!(["amount_over_approval_limit"]));
    assert_eq!(r["approver_route"], "finance-controller");

    let r = one(usd("ACME Corp.", 900.0, "Laptop")).await;
    assert_eq!(r["category"]["value"], "opex");
    assert!(
        r["category"]["reason"]
            .as_str()
            .unwrap()
            .contains("below the capitalisation threshold of 5000.00 USD")
    );
    assert_eq!(r["approver_route"], "cost-center-owner");

    let r = one(usd("ACME Corp.", 7_000.0, "Quarterly invoice")).await;
    assert_eq!(
        r["category"]["value"], "capex",
        "vendor default at or above the threshold"
    );
    assert_eq!(r["approver_route"], "capex-committee");

    let r = one(json!({"vendor_name": "Skyward Airlines", "amount": 420, "currency": "GBP", "description": "Flight LHR-JFK"})).await;
    assert_eq!(
        (
            r["category"]["value"].as_str(),
            r["approver_route"].as_str()
        ),
        (Some("travel"), Some("travel-desk"))
    );

    let r = one(json!({"vendor_name": "Müller GmbH", "vendor_country": "DE", "amount": 300, "currency": "EUR", "description": "Raw material: steel"})).await;
    assert_eq!(
        (
            r["category"]["value"].as_str(),
            r["approver_route"].as_str()
        ),
        (Some("cogs"), Some("supply-chain"))
    );

    let r = one(json!({"vendor_name": "Müller GmbH", "vendor_country": "DE", "amount": 300, "currency": "USD", "description": "steel"})).await;
    assert!(
        r["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("currency_mismatch"))
    );
}

#[tokio::test]
async fn a_batch_keeps_order_and_reports_bad_items_in_place() {
    let items = json!([
        usd("ACME Corp.", 10.0, "a"),
        "not an object",
        {"vendor_name": "Acme", "amount": "lots", "currency": "USD"},
        usd("ACME Holdings", 20.0, "b"),
        {"vendor_name": "", "amount": 1, "currency": "USD"},
        {"vendor_name": "ACME Corp.", "amount": 1, "currency": "ZZZ"},
        usd("Unknown Co", 30.0, "c"),
    ]);
    let batch = run(items.clone()).await;
    let out = serde_json::to_value(&batch).unwrap();
    let statuses: Vec<&str> = out["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "enriched", "error", "error", "enriched", "error", "error", "enriched"
        ]
    );
    for (i, r) in out["results"].as_array().unwrap().iter().enumerate() {
        if items[i].is_object() {
            assert_eq!(r["item"], items[i], "the original item is untouched");
        } else {
            // Still an object, as the output schema says: its JSON text.
            let text = items[i].to_string();
            assert_eq!(r["item"]["excerpt"], text.as_str());
            assert_eq!(r["item"]["truncated"], false);
        }
    }
    assert_eq!(out["results"][1]["error"]["name"], "InvalidInput");
    assert_eq!(out["summary"]["items"], 7);
    assert_eq!(out["summary"]["failed"], 4);
    assert_eq!(out["summary"]["routes"]["vendor-onboarding"], 1);
    let empty = run(json!([])).await;
    assert!(empty.results.is_empty());
}

#[tokio::test]
async fn a_thousand_items_stay_in_order() {
    let rules = Rules::embedded().unwrap();
    let vendors = vendor_enrichment::embedded_vendors().unwrap();
    let items: Vec<Value> = (0..1000)
        .map(|i| {
            let v = &vendors[i % vendors.len()];
            match i % 3 {
                0 => json!({"line_id": format!("L{i}"), "vendor_id": v.vendor_id, "amount": i, "currency": v.currency}),
                1 => json!({"line_id": format!("L{i}"), "vendor_tax_id": v.tax_id, "amount": i, "currency": v.currency}),
                _ => json!({"line_id": format!("L{i}"), "vendor_name": v.legal_name, "vendor_country": v.country, "amount": i, "currency": v.currency}),
            }
        })
        .collect();
    let store = EmbeddedStore::embedded(&rules).unwrap();
    let batch = enrich(&store, &rules, &items, None).await.unwrap();
    assert_eq!(batch.results.len(), 1000);
    for (i, r) in batch.results.iter().enumerate() {
        assert_eq!(r.item["line_id"], format!("L{i}"));
        assert_eq!(
            r.vendor.as_ref().unwrap().vendor_id,
            vendors[i % vendors.len()].vendor_id,
            "item {i}: {:?}",
            r.flags
        );
    }
}
