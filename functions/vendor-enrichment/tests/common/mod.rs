//! A realistic batch of line items for the DynamoDB test and the benchmark.

#![allow(dead_code)]

use serde_json::{Value, json};
use vendor_enrichment::Vendor;

const DESCRIPTIONS: [&str; 8] = [
    "Laptop for new hire",
    "Raw material: resin pellets",
    "Hotel, 2 nights, sales conference",
    "Support contract Q4",
    "Inbound freight, pallets",
    "Office supplies",
    "Server rack installation of PDUs",
    "Consulting, 12 hours",
];

/// `n` line items over 120 vendors, as invoices carry them: half by vendor
/// id, a quarter by tax id (formatted as printed), a fifth by exact name,
/// and the rest by a misspelt name.
pub fn realistic_batch(vendors: &[Vendor], n: usize) -> Vec<Value> {
    let active: Vec<&Vendor> = vendors
        .iter()
        .filter(|v| v.status == "active")
        .take(120)
        .collect();
    (0..n)
        .map(|i| {
            let v = active[(i * 7) % active.len()];
            let amount = ((i * 37) % 9000) as f64 + 0.5;
            let description = DESCRIPTIONS[i % DESCRIPTIONS.len()];
            match i % 20 {
                0..=9 => json!({"line_id": i, "vendor_id": v.vendor_id, "amount": amount, "currency": v.currency, "description": description}),
                10..=14 => json!({"line_id": i, "vendor_tax_id": spaced(&v.tax_id), "amount": amount, "currency": v.currency, "description": description}),
                15..=18 => json!({"line_id": i, "vendor_name": v.legal_name, "vendor_country": v.country, "amount": amount, "currency": v.currency, "description": description}),
                _ => json!({"line_id": i, "vendor_name": misspelt(&v.legal_name), "vendor_country": v.country, "amount": amount, "currency": v.currency, "description": description}),
            }
        })
        .collect()
}

fn spaced(tax: &str) -> String {
    tax.chars()
        .enumerate()
        .flat_map(|(i, c)| {
            if i > 0 && i % 3 == 0 {
                vec![' ', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Drops the third letter of the name: Northwind → Nothwind.
fn misspelt(name: &str) -> String {
    name.chars()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, c)| c)
        .collect()
}
