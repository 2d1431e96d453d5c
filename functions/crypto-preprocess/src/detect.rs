//! Detectors of personal data in text: e-mail addresses, phone numbers,
//! IBANs (mod-97 checked), payment card numbers (Luhn checked), IPv4 and
//! IPv6 addresses. Checksums keep invoice numbers and order ids from being
//! taken for IBANs and cards.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use regex::Regex;

/// The kinds of personal data found in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An e-mail address.
    Email,
    /// An IBAN.
    Iban,
    /// A payment card number.
    Card,
    /// An IP address.
    Ip,
    /// A phone number.
    Phone,
}

impl Kind {
    /// The token type name, as in `<EMAIL_1f3a9c2b>`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Email => "EMAIL",
            Kind::Iban => "IBAN",
            Kind::Card => "CARD",
            Kind::Ip => "IP",
            Kind::Phone => "PHONE",
        }
    }
}

/// One finding: a byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    /// What was found.
    pub kind: Kind,
    /// Start byte.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("built-in pattern {pattern}: {e}"))
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?-u:\b)[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*\.[a-z]{2,24}(?-u:\b)",
    )
});
static IBAN: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?-u:\b)[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]){11,30}(?-u:\b)"));
static CARD: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?-u:\b)[0-9](?:[ -]?[0-9]){12,18}(?-u:\b)"));
static IPV4: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?-u:\b)[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?-u:\b)"));
static IPV6: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}"));
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?:\+|(?-u:\b)00|\()?[0-9][0-9 ()./-]{6,18}[0-9](?-u:\b)"));

/// ISO 13616 mod-97 check of an IBAN (spaces allowed).
pub fn iban_is_valid(candidate: &str) -> bool {
    let compact: Vec<u8> = candidate.bytes().filter(|b| *b != b' ').collect();
    if !(15..=34).contains(&compact.len())
        || !compact[..2].iter().all(u8::is_ascii_uppercase)
        || !compact[2..4].iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    let mut remainder: u32 = 0;
    for &b in compact[4..].iter().chain(&compact[..4]) {
        let value = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return false,
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

/// Luhn check of a card number (spaces and dashes allowed), 13–19 digits.
pub fn luhn_is_valid(candidate: &str) -> bool {
    let digits: Vec<u32> = candidate.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len())
        || candidate
            .chars()
            .any(|c| !c.is_ascii_digit() && c != ' ' && c != '-')
    {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

static NANP: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^\(?[0-9]{3}\)?[-. ][0-9]{3}[-. ][0-9]{4}$"));
static ISO_DATE: LazyLock<Regex> = LazyLock::new(|| regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"));

/// International (`+`, `00`), national with a trunk `0`, a bracketed area
/// code, or the North American form: dates, amounts and invoice numbers
/// are not phone numbers.
fn phone_is_plausible(candidate: &str) -> bool {
    let digits = candidate.chars().filter(char::is_ascii_digit).count();
    let separated = candidate.contains([' ', '-', '/', '.']);
    (8..=15).contains(&digits)
        && !ISO_DATE.is_match(candidate)
        && (candidate.starts_with('+')
            || candidate.starts_with("00")
            || candidate.starts_with('(')
            || (candidate.starts_with('0') && separated)
            || NANP.is_match(candidate))
}

/// Not part of a longer dotted number (`1.2.3.4.5` is a version, not an IP).
fn standalone(text: &str, m: &regex::Match<'_>) -> bool {
    let before = text[..m.start()].chars().next_back();
    let mut after = text[m.end()..].chars();
    let dotted_after =
        after.next() == Some('.') && after.next().is_some_and(|c| c.is_ascii_digit());
    before != Some('.') && !dotted_after
}

/// Finds personal data in `text`; overlapping findings keep the first by
/// priority (e-mail, IBAN, card, IP, phone), then the longest.
pub fn find(text: &str) -> Vec<Finding> {
    let mut all = Vec::new();
    let mut push = |kind, m: regex::Match<'_>| {
        all.push(Finding {
            kind,
            start: m.start(),
            end: m.end(),
        })
    };
    for m in EMAIL.find_iter(text) {
        push(Kind::Email, m);
    }
    for m in IBAN.find_iter(text).filter(|m| iban_is_valid(m.as_str())) {
        push(Kind::Iban, m);
    }
    for m in CARD.find_iter(text).filter(|m| luhn_is_valid(m.as_str())) {
        push(Kind::Card, m);
    }
    for m in IPV4
        .find_iter(text)
        .filter(|m| standalone(text, m) && m.as_str().parse::<Ipv4Addr>().is_ok())
    {
        push(Kind::Ip, m);
    }
    for m in IPV6.find_iter(text) {
        let s = m.as_str();
        if s.matches(':').count() >= 2
            && s.chars().any(|c| c.is_ascii_hexdigit())
            && s.parse::<Ipv6Addr>().is_ok()
        {
            push(Kind::Ip, m);
        }
    }
    for m in PHONE
        .find_iter(text)
        .filter(|m| phone_is_plausible(m.as_str()))
    {
        push(Kind::Phone, m);
    }
    all.sort_by_key(|f| (f.start, f.kind, usize::MAX - f.end));
    let mut kept: Vec<Finding> = Vec::with_capacity(all.len());
    for f in all {
        match kept.last_mut() {
            Some(last) if f.start < last.end => {
                // Overlap: the higher-priority kind wins; a longer match of the same kind too.
                if f.kind < last.kind || (f.kind == last.kind && f.end > last.end) {
                    *last = f;
                }
            }
            _ => kept.push(f),
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_mod97() {
        for valid in [
            "DE89370400440532013000",
            "DE89 3704 0044 0532 0130 00",
            "GB29NWBK60161331926819",
            "FR1420041010050500013M02606",
            "NL91ABNA0417164300",
        ] {
            assert!(iban_is_valid(valid), "{valid}");
        }
        for invalid in [
            "DE89370400440532013001",
            "GB29NWBK60161331926818",
            "XX00",
            "DE8937040044053201300",
            "de89370400440532013000",
        ] {
            assert!(!iban_is_valid(invalid), "{invalid}");
        }
    }

    #[test]
    fn luhn() {
        for valid in [
            "4111111111111111",
            "4111 1111 1111 1111",
            "5500-0000-0000-0004",
            "378282246310005",
            "6011111111111117",
        ] {
            assert!(luhn_is_valid(valid), "{valid}");
        }
        for invalid in [
            "4111111111111112",
            "1234567812345678",
            "411111111111",
            "4111a11111111111",
        ] {
            assert!(!luhn_is_valid(invalid), "{invalid}");
        }
    }

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        find(text)
            .into_iter()
            .map(|f| (f.kind, &text[f.start..f.end]))
            .collect()
    }

    #[test]
    fn finds_each_kind_and_not_look_alikes() {
        let text = "Mail jane.doe+ap@example.co.uk or call +44 20 7946 0958. Pay DE89 3704 0044 0532 0130 00, \
                    card 4111 1111 1111 1111, from 192.168.10.24 and 2001:db8::8a2e:370:7334. \
                    Invoice INV-2026-004211, order 1234567812345678, total 1,299.90 on 2026-11-25, version 1.2.3.4.5";
        assert_eq!(
            kinds(text),
            [
                (Kind::Email, "jane.doe+ap@example.co.uk"),
                (Kind::Phone, "+44 20 7946 0958"),
                (Kind::Iban, "DE89 3704 0044 0532 0130 00"),
                (Kind::Card, "4111 1111 1111 1111"),
                (Kind::Ip, "192.168.10.24"),
                (Kind::Ip, "2001:db8::8a2e:370:7334"),
            ]
        );
    }
}
