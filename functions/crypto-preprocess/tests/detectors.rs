//! Generated detector tests (issue 12, items 1–3): random valid IBANs of
//! every registry country and random Luhn-valid card numbers, grouped or
//! not, in either case, among random neighbours (BICs, dates, amounts,
//! currencies, quantities, punctuation); e-mail addresses as object keys;
//! listed values repeated in free text. Each goes through the real
//! `pseudonymize` and `reidentify` tasks: nothing may survive, and the round
//! trip gives the input back. Seeds are fixed, so a failure reproduces.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, LazyLock};

use actionkit::Resolver;
use crypto_preprocess::{
    AppState, KeyProvider, SecretSource, iban_is_valid, luhn_is_valid, resolver,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use serde_json::{Value, json};

/// The BBAN formats of the ISO 13616 registry, in its notation (`4a6n8n`:
/// 4 letters, 6 digits, 8 digits; `c` is a letter or a digit). Test data
/// only: [`the_table_is_the_validators_registry`] checks it against the
/// validator the function uses, both ways.
const REGISTRY: &[&str] = &[
    "AD:4n4n12c",
    "AE:3n16n",
    "AL:8n16c",
    "AT:5n11n",
    "AZ:4a20c",
    "BA:3n3n8n2n",
    "BE:3n7n2n",
    "BG:4a4n2n8c",
    "BH:4a14c",
    "BI:5n5n11n2n",
    "BR:8n5n10n1a1c",
    "BY:4c4n16c",
    "CH:5n12c",
    "CR:4n14n",
    "CY:3n5n16c",
    "CZ:4n6n10n",
    "DE:8n10n",
    "DJ:5n5n11n2n",
    "DK:4n9n1n",
    "DO:4c20n",
    "EE:2n2n11n1n",
    "EG:4n4n17n",
    "ES:4n4n1n1n10n",
    "FI:3n11n",
    "FK:2a12n",
    "FO:4n9n1n",
    "FR:5n5n11c2n",
    "GB:4a6n8n",
    "GE:2a16n",
    "GI:4a15c",
    "GL:4n9n1n",
    "GR:3n4n16c",
    "GT:4c20c",
    "HR:7n10n",
    "HU:3n4n1n15n1n",
    "IE:4a6n8n",
    "IL:3n3n13n",
    "IQ:4a3n12n",
    "IS:4n2n6n10n",
    "IT:1a5n5n12c",
    "JO:4a4n18c",
    "KW:4a22c",
    "KZ:3n13c",
    "LB:4n20c",
    "LC:4a24c",
    "LI:5n12c",
    "LT:5n11n",
    "LU:3n13c",
    "LV:4a13c",
    "LY:3n3n15n",
    "MC:5n5n11c2n",
    "MD:2c18c",
    "ME:3n13n2n",
    "MK:3n10c2n",
    "MN:4n12n",
    "MR:5n5n11n2n",
    "MT:4a5n18c",
    "MU:4a2n2n12n3n3a",
    "NI:4a20n",
    "NL:4a10n",
    "NO:4n6n1n",
    "OM:3n16c",
    "PL:8n16n",
    "PS:4a21c",
    "PT:4n4n11n2n",
    "QA:4a21c",
    "RO:4a16c",
    "RS:3n13n2n",
    "RU:9n5n15c",
    "SA:2n18c",
    "SC:4a2n2n16n3a",
    "SD:2n12n",
    "SE:3n16n1n",
    "SI:5n8n2n",
    "SK:4n6n10n",
    "SM:1a5n5n12c",
    "SO:4n3n12n",
    "ST:4n4n11n2n",
    "SV:4a20n",
    "TL:3n14n2n",
    "TN:2n3n13n2n",
    "TR:5n1n16c",
    "UA:6n19c",
    "VA:3n15n",
    "VG:4a16n",
    "XK:4n10n2n",
    "YE:4a4n18c",
];

/// A BBAN format: (count, class) parts, class `n`, `a` or `c`.
type Format = Vec<(usize, char)>;

/// (country, format) of every registry entry.
static FORMATS: LazyLock<Vec<(String, Format)>> = LazyLock::new(|| {
    REGISTRY
        .iter()
        .map(|entry| {
            let (country, spec) = entry.split_once(':').unwrap();
            let mut parts = Vec::new();
            let mut count = 0;
            for c in spec.chars() {
                match c.to_digit(10) {
                    Some(d) => count = count * 10 + d as usize,
                    None => {
                        parts.push((count, c));
                        count = 0;
                    }
                }
            }
            (country.to_owned(), parts)
        })
        .collect()
});

fn config(seed: u64, cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}

/// The ISO 13616 check digits of `country` + `bban` (upper case).
fn check_digits(country: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{country}00");
    let mut rem = 0u32;
    for c in rearranged.chars() {
        let v = c.to_digit(36).unwrap();
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    format!("{:02}", 98 - rem)
}

/// A random BBAN of the format.
fn bban(format: &[(usize, char)]) -> impl Strategy<Value = String> + use<> {
    let parts: Vec<BoxedStrategy<String>> = format
        .iter()
        .map(|&(count, class)| {
            let pattern = match class {
                'n' => format!("[0-9]{{{count}}}"),
                'a' => format!("[A-Z]{{{count}}}"),
                _ => format!("[A-Z0-9]{{{count}}}"),
            };
            proptest::string::string_regex(&pattern).unwrap().boxed()
        })
        .collect();
    parts.prop_map(|p| p.concat())
}

/// How a number is written: grouping and case.
#[derive(Debug, Clone, Copy)]
enum Layout {
    Compact,
    Groups4(char),
    Random(char),
}

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        Just(Layout::Compact),
        prop::sample::select(vec![' ', '-']).prop_map(Layout::Groups4),
        prop::sample::select(vec![' ', '-']).prop_map(Layout::Random),
    ]
}

/// Writes `compact` in groups of 4, or of `sizes` (cycled), with `sep`.
fn grouped(compact: &str, sizes: &[usize], sep: char) -> String {
    let mut out = String::new();
    let mut rest = compact;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].min(rest.len());
        if !out.is_empty() {
            out.push(sep);
        }
        out.push_str(&rest[..n]);
        rest = &rest[n..];
        i += 1;
    }
    out
}

/// Neighbours a number meets in invoices and letters.
fn neighbour() -> impl Strategy<Value = String> {
    prop_oneof![
        // BICs.
        "[A-Z]{4}(GB|DE|FR|NL|CH)[A-Z0-9]{2}([A-Z0-9]{3})?",
        "BIC [A-Z]{4}DE[A-Z0-9]{2}",
        // Dates.
        "(0[1-9]|1[0-2])/[2-3][0-9]",
        "20[0-9]{2}-(0[1-9]|1[0-2])-[0-2][0-9]",
        "[0-2][0-9]\\.(0[1-9]|1[0-2])\\.20[0-9]{2}",
        // Amounts and currencies.
        "(EUR|USD|GBP|CHF|NGN) [1-9][0-9]{0,4}(\\.[0-9]{2})?",
        "[1-9][0-9]{0,2}(,[0-9]{3})?\\.[0-9]{2}( EUR)?",
        "(EUR|USD|GBP|CHF)",
        "€[0-9]{1,4}",
        // Quantities.
        "(Qty|qty|x) ?[1-9][0-9]{0,2}",
        "[1-9][0-9]{0,3}",
        "[1-9] pcs",
        // Words and punctuation.
        "(IBAN|iban|Card|card|Pay|to|ref|Invoice INV-2026-00[0-9]{2})",
        "[.,;:!?()\"'/]",
    ]
}

fn before_joiner() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![" ", ", ", ": ", "\n", " (", "/", "; "])
}

fn after_joiner() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![" ", ", ", ". ", "\n", ") ", "/", "; "])
}

/// `number` with 0–2 random neighbours on each side.
fn embedded(number: String) -> impl Strategy<Value = (String, String)> {
    (
        prop::collection::vec((neighbour(), before_joiner()), 0..3),
        prop::collection::vec((after_joiner(), neighbour()), 0..3),
    )
        .prop_map(move |(before, after)| {
            let mut text = String::new();
            for (n, j) in before {
                text.push_str(&n);
                text.push_str(j);
            }
            text.push_str(&number);
            for (j, n) in after {
                text.push_str(j);
                text.push_str(&n);
            }
            (number.clone(), text)
        })
}

fn app() -> Resolver<Arc<AppState>> {
    resolver(Arc::new(AppState {
        keys: KeyProvider::Local { master: [5; 32] },
        webhook_secret: SecretSource::Missing("webhook"),
        token_key: SecretSource::Env(b"generated-tests".to_vec()),
    }))
}

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
});

fn task(r: &Resolver<Arc<AppState>>, name: &str, input: Value) -> Value {
    let raw = RUNTIME
        .block_on(r.handle(
            json!({"task": name, "input": input}),
            actionkit::Context::default(),
        ))
        .unwrap_or_else(|e| panic!("{name}: {} {}", e.error_type, e.error_message));
    serde_json::from_str(raw.get()).unwrap()
}

/// Letters and digits only, lower case: how a leak is looked for (whatever
/// grouping or case the output would show it in).
fn compact(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Pseudonymizes `text`, checks that `secret` is gone, and that
/// re-identification gives `text` back exactly.
fn round_trip(r: &Resolver<Arc<AppState>>, secret: &str, text: &str) -> Result<(), TestCaseError> {
    let out = task(
        r,
        "pseudonymize",
        json!({"document_id": "GEN", "text": text}),
    );
    let redacted = out["text"].as_str().unwrap();
    prop_assert!(
        !compact(redacted).contains(&compact(secret)),
        "{secret:?} survived in {redacted:?}"
    );
    let back = task(
        r,
        "reidentify",
        json!({"document_id": "GEN", "text": redacted, "vault": out["vault"]}),
    );
    prop_assert_eq!(back["text"].as_str().unwrap(), text);
    Ok(())
}

/// A random valid IBAN of the registry entry, written in any layout and case.
fn iban(country: &str, format: &[(usize, char)]) -> impl Strategy<Value = String> + use<> {
    let country = country.to_owned();
    (bban(format), layout(), 0..3u8).prop_map(move |(bban, layout, case)| {
        let compact = format!("{country}{}{bban}", check_digits(&country, &bban));
        let written = match layout {
            Layout::Compact => compact,
            Layout::Groups4(sep) | Layout::Random(sep) => grouped(&compact, &[4], sep),
        };
        match case {
            0 => written,
            1 => written.to_lowercase(),
            // Title case: the first letter upper, the rest lower.
            _ => written
                .chars()
                .enumerate()
                .map(|(i, c)| if i == 0 { c } else { c.to_ascii_lowercase() })
                .collect(),
        }
    })
}

#[test]
fn the_table_is_the_validators_registry() {
    // The validator's countries: every two-letter code it does not call unknown.
    let mut known = Vec::new();
    for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            let country = format!("{}{}", a as char, b as char);
            let bban = "0".repeat(16);
            let candidate = format!("{country}{}{bban}", check_digits(&country, &bban));
            let base: iban::BaseIban = candidate.parse().unwrap();
            if !matches!(
                iban::Iban::try_from(base),
                Err(iban::ParseIbanError::UnknownCountry(_))
            ) {
                known.push(country);
            }
        }
    }
    let table: Vec<String> = FORMATS.iter().map(|(c, _)| c.clone()).collect();
    assert_eq!(
        table, known,
        "the test table and the validator's registry differ"
    );
    assert!(known.len() >= 80, "{}", known.len());
}

#[test]
fn every_registry_iban_is_replaced_whatever_its_neighbours() {
    let r = app();
    for (i, (country, format)) in FORMATS.iter().enumerate() {
        let mut runner = TestRunner::new(config(0x1ba0 + i as u64, 24));
        let strategy = iban(country, format).prop_flat_map(embedded);
        runner
            .run(&strategy, |(number, text)| {
                prop_assert!(iban_is_valid(&number), "generated {number} is not valid");
                prop_assert!(
                    number
                        .replace([' ', '-'], "")
                        .to_uppercase()
                        .parse::<iban::Iban>()
                        .is_ok(),
                    "the validator refuses {number}"
                );
                round_trip(&r, &number, &text)
            })
            .unwrap_or_else(|e| panic!("{country}: {e}"));
    }
}

/// A Luhn-valid number of `len` digits from random leading digits.
fn luhn_number(len: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(0..10u32, len - 1).prop_map(|digits| {
        let sum: u32 = digits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| {
                // The check digit will sit to the right, so these positions shift by one.
                if i % 2 == 0 {
                    if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
                } else {
                    d
                }
            })
            .sum();
        let check = (10 - sum % 10) % 10;
        digits
            .iter()
            .chain(std::iter::once(&check))
            .map(|d| char::from_digit(*d, 10).unwrap())
            .collect()
    })
}

/// A card written compact, in groups of 4, in the Amex 4-6-5 layout, or in
/// random groups of 3–6 digits; spaces or dashes.
fn card() -> impl Strategy<Value = String> {
    (13..=19usize)
        .prop_flat_map(|len| {
            (
                luhn_number(len),
                layout(),
                proptest::collection::vec(3..=6usize, 1..6),
            )
        })
        .prop_map(|(digits, layout, sizes)| match layout {
            Layout::Compact => digits,
            Layout::Groups4(sep) if digits.len() == 15 => grouped(&digits, &[4, 6, 5], sep),
            Layout::Groups4(sep) => grouped(&digits, &[4], sep),
            Layout::Random(sep) => grouped(&digits, &sizes, sep),
        })
}

#[test]
fn every_luhn_valid_card_is_replaced_whatever_its_neighbours() {
    let r = app();
    let mut runner = TestRunner::new(config(0xca4d, 2000));
    runner
        .run(&card().prop_flat_map(embedded), |(number, text)| {
            prop_assert!(luhn_is_valid(&number), "generated {number} is not valid");
            round_trip(&r, &number, &text)
        })
        .unwrap();
}

#[test]
fn the_cases_of_the_issue_round_trip() {
    let r = app();
    for (number, text) in [
        (
            "GB29 NWBK 6016 1331 9268 19",
            "IBAN GB29 NWBK 6016 1331 9268 19 BIC NWBKGB2L",
        ),
        ("DE89370400440532013000", "DE89370400440532013000 EUR 500"),
        ("4111 1111 1111 1111", "Card 4111 1111 1111 1111 01/28"),
        ("4242 4242 4242 4242", "Qty 2 4242 4242 4242 4242"),
    ] {
        round_trip(&r, number, text).unwrap();
    }
}

/// A random e-mail address, in any case.
fn email() -> impl Strategy<Value = String> {
    (
        "[a-z][a-z0-9]{0,8}([._+-][a-z0-9]{1,8})?",
        "[a-z][a-z0-9-]{0,10}[a-z0-9]",
        prop::sample::select(vec!["com", "co.uk", "de", "ng", "example", "io"]),
        any::<bool>(),
    )
        .prop_map(|(local, domain, tld, upper)| {
            let address = format!("{local}@{domain}.{tld}");
            if upper {
                address.to_uppercase()
            } else {
                address
            }
        })
}

/// Every string and key of a JSON document, joined: where a leak is looked for.
fn all_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(all_text).collect::<Vec<_>>().join("\n"),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}\n{}", all_text(v)))
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

#[test]
fn emails_as_object_keys_are_replaced_and_restored() {
    let r = app();
    let mut runner = TestRunner::new(config(0xe4a1, 300));
    let strategy = (
        proptest::collection::btree_set(email(), 1..4),
        neighbour(),
        any::<u32>(),
    );
    runner
        .run(&strategy, |(emails, neighbour, n)| {
            let emails: Vec<String> = emails.into_iter().collect();
            // Keys at the top, nested, beside plain keys, in an array of objects.
            let mut contacts = serde_json::Map::new();
            for (i, e) in emails.iter().enumerate() {
                contacts.insert(
                    e.clone(),
                    json!({"role": format!("approver {i}"), "since": n}),
                );
            }
            let doc = json!({
                "contacts": contacts,
                "by_email": [{ emails[0].clone(): neighbour }],
                emails[emails.len() - 1].clone(): {"note": format!("{neighbour} {}", emails[0])},
                "amount": 12.5,
            });
            let out = task(
                &r,
                "pseudonymize",
                json!({"document_id": "GEN", "document": doc}),
            );
            let redacted = all_text(&out["document"]).to_lowercase();
            for e in &emails {
                prop_assert!(
                    !redacted.contains(&e.to_lowercase()),
                    "{e} survived: {redacted}"
                );
            }
            let back = task(
                &r,
                "reidentify",
                json!({"document_id": "GEN", "document": out["document"], "vault": out["vault"]}),
            );
            prop_assert_eq!(&back["document"], &doc);
            // Key order is kept too.
            prop_assert_eq!(back["document"].to_string(), doc.to_string());
            Ok(())
        })
        .unwrap();
}

/// A random personal name: one to three words, some with diacritics.
fn name() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        "[A-ZÉÖ][a-zéöüñ]{2,9}|O'[A-Z][a-z]{2,6}|[A-Z][a-z]{1,5}-[A-Z][a-z]{2,6}",
        1..4,
    )
    .prop_map(|words| words.join(" "))
}

/// How an occurrence of a listed value is written in free text.
#[derive(Debug, Clone, Copy)]
enum Case {
    Same,
    Upper,
    Lower,
}

#[test]
fn repeated_listed_values_get_the_listed_token_everywhere() {
    let r = app();
    let mut runner = TestRunner::new(config(0x11a3e, 300));
    let occurrence = (
        prop::sample::select(vec![Case::Same, Case::Same, Case::Upper, Case::Lower]),
        neighbour(),
        before_joiner(),
        after_joiner(),
    );
    let strategy = (name(), proptest::collection::vec(occurrence, 1..6));
    runner
        .run(&strategy, |(name, occurrences)| {
            let mut note = String::new();
            let mut canonical = String::new();
            for (case, neighbour, before, after) in &occurrences {
                let written = match case {
                    Case::Same => name.clone(),
                    Case::Upper => name.to_uppercase(),
                    Case::Lower => name.to_lowercase(),
                };
                for (text, value) in [(&mut note, &written), (&mut canonical, &name)] {
                    text.push_str(neighbour);
                    text.push_str(before);
                    text.push_str(value);
                    text.push_str(after);
                }
            }
            // Inside a longer word the value is not an occurrence.
            let glued = format!("{}son", name.split(' ').next_back().unwrap());
            note.push_str(&format!(" {glued}"));
            canonical.push_str(&format!(" {glued}"));
            let doc = json!({
                "customer": {"name": name, "note": note},
                "lines": [{"description": format!("for {name}")}],
                "by_name": {name.clone(): 1},
            });
            let out = task(
                &r,
                "pseudonymize",
                json!({"document_id": "GEN", "document": doc, "fields": {"customer.name": "NAME"}}),
            );
            let redacted = &out["document"];
            let token = redacted["customer"]["name"].as_str().unwrap().to_owned();
            prop_assert!(token.starts_with("<NAME_"), "{}", token);
            let redacted_note = redacted["customer"]["note"].as_str().unwrap();
            prop_assert_eq!(redacted_note.matches(&token).count(), occurrences.len());
            prop_assert!(
                redacted_note.ends_with(&format!(" {glued}")),
                "{}",
                redacted_note
            );
            prop_assert_eq!(
                redacted["lines"][0]["description"].as_str().unwrap(),
                format!("for {token}")
            );
            prop_assert_eq!(&redacted["by_name"], &json!({token.clone(): 1}));
            let back = task(
                &r,
                "reidentify",
                json!({"document_id": "GEN", "document": redacted, "vault": out["vault"]}),
            );
            // Every occurrence comes back in the listed field's spelling: when
            // it was written the same way, the document comes back exactly.
            let mut expected = doc.clone();
            expected["customer"]["note"] = Value::String(canonical);
            prop_assert_eq!(&back["document"], &expected);
            Ok(())
        })
        .unwrap();
}

/// An international phone number: `+` or `00`, a country code, 7–11 more
/// digits in groups of 2–4 separated by spaces, dashes or dots.
fn phone() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["+", "00"]),
        "[1-9][0-9]{0,2}",
        proptest::collection::vec("[0-9]{2,4}", 2..4),
        prop::sample::select(vec![' ', '-', '.']),
    )
        .prop_filter_map("8 to 15 digits", |(prefix, country, groups, sep)| {
            let digits = country.len() + groups.iter().map(String::len).sum::<usize>();
            (8..=13)
                .contains(&digits)
                .then(|| format!("{prefix}{country} {}", groups.join(&sep.to_string())))
        })
}

#[test]
fn international_phone_numbers_are_replaced_whatever_their_neighbours() {
    let r = app();
    let mut runner = TestRunner::new(config(0x9403e, 1000));
    runner
        .run(&phone().prop_flat_map(embedded), |(number, text)| {
            round_trip(&r, &number, &text)
        })
        .unwrap();
}
