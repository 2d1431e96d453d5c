//! Detectors of personal data in text: e-mail addresses, phone numbers,
//! IBANs, payment card numbers, IPv4 and IPv6 addresses.
//!
//! Numbers with a checksum are found by *candidates*, not by one greedy
//! pattern: a scanner collects the runs of characters a number could be made
//! of (IBAN: letters and digits, cards: digit groups, both with optional
//! space or dash grouping), then validates every plausible start and end
//! inside the run and keeps the longest valid one. A BIC, a date, an amount,
//! a currency code or a quantity next to a number therefore never hides it,
//! and checksums (ISO 13616 mod-97 with the registry's per-country format,
//! Luhn) keep invoice numbers and order ids from being taken for one.
//! Phone numbers, which have no checksum, get the same treatment with a
//! plausibility rule instead.

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

// No `\b` around the address: a leftmost match already starts at the first
// character a local part can have, and a boundary after the TLD would drop
// `jane@example.com` from `jane@example.com2026` or `_jane@example.com`.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*\.[a-z]{2,24}",
    )
});
// Boundaries are checked by hand (`standalone`): without `\b` the regex
// crate can skip ahead to the dots, three times faster.
static IPV4: LazyLock<Regex> =
    LazyLock::new(|| regex(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}"));
// `(h{0,4}:){2,7}h{0,4}` written with its two colons up front: the same
// language, searched about nine times faster.
static IPV6: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i-u)[0-9a-f]{0,4}:[0-9a-f]{0,4}:(?:[0-9a-f]{0,4}:){0,5}[0-9a-f]{0,4}")
});
/// The longest phone number written out, separators included
/// (`+44 (0) 20 7946 0958 12` is 23).
const MAX_PHONE_BYTES: usize = 32;

/// The shortest and longest IBAN (ISO 13616: Norway 15, Saint Lucia / Russia up to 33; 34 allowed).
const IBAN_LEN: std::ops::RangeInclusive<usize> = 15..=34;
/// Card numbers (ISO/IEC 7812 PANs) have 13 to 19 digits.
const CARD_DIGITS: std::ops::RangeInclusive<usize> = 13..=19;
/// The groups a card is printed in (4-4-4-4, 4-6-5, 4-6-4, 4-4-4-4-3,
/// 4-4-5, ...): every group but the last has 3 to 6 digits, so a phone
/// number or a quantity followed by numbers is not read as one.
const CARD_GROUP: std::ops::RangeInclusive<usize> = 3..=6;

/// An IBAN: the ISO 13616 check digits and the registry's format for its
/// country (length, letters and digits in place). Spaces and dashes between
/// characters are ignored, and either case is accepted.
pub fn iban_is_valid(candidate: &str) -> bool {
    let compact: Vec<u8> = candidate
        .bytes()
        .filter(|b| !is_separator(*b))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    IBAN_LEN.contains(&compact.len()) && iban_compact_is_valid(&compact)
}

/// [`iban_is_valid`] on upper-case letters and digits only.
fn iban_compact_is_valid(compact: &[u8]) -> bool {
    std::str::from_utf8(compact).is_ok_and(|s| s.parse::<iban::Iban>().is_ok())
}

/// Luhn check of a card number (spaces and dashes allowed), 13–19 digits.
pub fn luhn_is_valid(candidate: &str) -> bool {
    let digits: Vec<u8> = candidate
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    CARD_DIGITS.contains(&digits.len())
        && candidate
            .bytes()
            .all(|b| b.is_ascii_digit() || is_separator(b))
        && luhn_digits(digits.iter().copied())
}

/// The Luhn sum of digit values (most significant first) is a multiple of 10.
fn luhn_digits(digits: impl DoubleEndedIterator<Item = u8>) -> bool {
    let sum: u32 = digits
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The grouping characters numbers are written with.
fn is_separator(b: u8) -> bool {
    b == b' ' || b == b'-'
}

/// Every IBAN in `text`. Candidates start wherever two letters are followed
/// by two digits (either case, whatever precedes); the characters after are
/// collected, single spaces or dashes allowed between them, and the longest
/// prefix that is a valid IBAN wins. mod-97 is computed incrementally for
/// every length, so only a prefix that passes it is checked against the
/// registry.
fn ibans(text: &str, out: &mut Vec<Finding>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let starts = bytes[i].is_ascii_alphabetic()
            && bytes[i + 1].is_ascii_alphabetic()
            && bytes[i + 2].is_ascii_digit()
            && bytes[i + 3].is_ascii_digit();
        if !starts {
            i += 1;
            continue;
        }
        match longest_iban_at(bytes, i) {
            Some(end) => {
                out.push(Finding {
                    kind: Kind::Iban,
                    start: i,
                    end,
                });
                i = end;
            }
            None => i += 1,
        }
    }
}

/// The end of the longest valid IBAN starting at `start`, if any.
fn longest_iban_at(bytes: &[u8], start: usize) -> Option<usize> {
    let mut compact = [0u8; 34];
    // ends[n] = byte offset just after the n-th compact character.
    let mut ends = [0usize; 35];
    let mut n = 0;
    let mut at = start;
    while n < compact.len() && at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii_alphanumeric() {
            compact[n] = b.to_ascii_uppercase();
            n += 1;
            at += 1;
            ends[n] = at;
        } else if n >= 4
            && is_separator(b)
            && bytes.get(at + 1).is_some_and(u8::is_ascii_alphanumeric)
        {
            at += 1;
        } else {
            break;
        }
    }
    if n < *IBAN_LEN.start() {
        return None;
    }
    // The check moves the first four characters to the end: the remainder of
    // "BBAN-prefix ‖ country ‖ check digits" is the BBAN-prefix remainder
    // shifted by the 6 decimal digits of the country and check digits.
    let head = compact[..4]
        .iter()
        .try_fold(0u32, |acc, &c| mod97_push(acc, c))?;
    let mut bban = 0u32;
    let mut valid_lengths = [false; 35];
    for len in 5..=n {
        bban = mod97_push(bban, compact[len - 1])?;
        valid_lengths[len] = (bban * 1_000_000 + head) % 97 == 1;
    }
    (IBAN_LEN.start().to_owned()..=n)
        .rev()
        .find(|&len| valid_lengths[len] && iban_compact_is_valid(&compact[..len]))
        .map(|len| ends[len])
}

/// Appends one IBAN character (a digit, or a letter as two digits) to a
/// mod-97 remainder.
fn mod97_push(acc: u32, c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some((acc * 10 + u32::from(c - b'0')) % 97),
        b'A'..=b'Z' => Some((acc * 100 + u32::from(c - b'A') + 10) % 97),
        _ => None,
    }
}

/// Every card number in `text`. A run is a sequence of digit groups joined
/// by single spaces or dashes; a card starts at a group and ends at a group
/// (never inside one, so long ids are not cut into cards): see
/// [`cards_in_run`].
fn cards(text: &str, out: &mut Vec<Finding>) {
    let bytes = text.as_bytes();
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // One run of groups.
        groups.clear();
        loop {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            groups.push((start, i));
            if i + 1 < bytes.len() && is_separator(bytes[i]) && bytes[i + 1].is_ascii_digit() {
                i += 1;
            } else {
                break;
            }
        }
        cards_in_run(bytes, &groups, out);
    }
}

/// The card numbers of one run: every span of whole groups with 13–19
/// digits is Luhn-checked, and the longest valid spans win, so a quantity or
/// a date next to a card never takes its place.
fn cards_in_run(bytes: &[u8], groups: &[(usize, usize)], out: &mut Vec<Finding>) {
    let mut valid: Vec<(usize, usize)> = Vec::new(); // (first group, last group + 1)
    // Hot path (every digit run of the text): the digits on the stack.
    let mut digits = [0u8; 19];
    for first in 0..groups.len() {
        let mut n = 0;
        for (last, &(s, e)) in groups.iter().enumerate().skip(first) {
            if n + (e - s) > *CARD_DIGITS.end() {
                break;
            }
            for (d, b) in digits[n..n + (e - s)].iter_mut().zip(&bytes[s..e]) {
                *d = b - b'0';
            }
            n += e - s;
            if CARD_DIGITS.contains(&n) && luhn_digits(digits[..n].iter().copied()) {
                valid.push((first, last + 1));
            }
            if !CARD_GROUP.contains(&(e - s)) {
                // Only the last group of a card may be shorter (or one long group).
                break;
            }
        }
    }
    if valid.is_empty() {
        return;
    }
    let bytes_of = |&(f, l): &(usize, usize)| groups[l - 1].1 - groups[f].0;
    valid.sort_by_key(|span| (usize::MAX - bytes_of(span), span.0));
    // taken[g] = (span, its length): the longest spans are taken first; an
    // equally long valid span that overlaps taken ones is merged with them
    // (which of "1299 4111 1111 1111" and "4111 1111 1111 1111" is the card
    // cannot be told, so both are covered). Merges are a union-find over
    // span ids, so a long run stays linear.
    let mut taken: Vec<Option<(usize, usize)>> = vec![None; groups.len()];
    let mut parent: Vec<usize> = (0..valid.len()).collect();
    for (id, span @ (first, last)) in valid.iter().enumerate() {
        let len = bytes_of(span);
        if taken[*first..*last].iter().flatten().any(|&(_, l)| l > len) {
            continue;
        }
        for slot in &mut taken[*first..*last] {
            if let Some((other, _)) = *slot {
                let root = find_root(&mut parent, other);
                parent[root] = id;
            }
            *slot = Some((id, len));
        }
    }
    let mut g = 0;
    while g < groups.len() {
        let Some((span, _)) = taken[g] else {
            g += 1;
            continue;
        };
        let component = find_root(&mut parent, span);
        let start = groups[g].0;
        while g < groups.len()
            && taken[g].is_some_and(|(c, _)| find_root(&mut parent, c) == component)
        {
            g += 1;
        }
        out.push(Finding {
            kind: Kind::Card,
            start,
            end: groups[g - 1].1,
        });
    }
}

/// The representative of a merged set of spans (path halving).
fn find_root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

static NANP: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^\(?[0-9]{3}\)?[-. ][0-9]{3}[-. ][0-9]{4}$"));
/// A calendar date (years 1900–2099): an invoice date is not a phone
/// number, but `0659-67-907` is no date.
static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"));

/// International (`+`, `00`), national with a trunk `0`, a bracketed area
/// code, or the North American form: dates, amounts and invoice numbers
/// are not phone numbers.
fn phone_is_plausible(candidate: &str) -> bool {
    let digits = candidate.bytes().filter(u8::is_ascii_digit).count();
    let separated = candidate.contains([' ', '-', '/', '.']);
    (8..=15).contains(&digits)
        && !ISO_DATE.is_match(candidate)
        && (candidate.starts_with('+')
            || candidate.starts_with("00")
            || candidate.starts_with('(')
            || (candidate.starts_with('0') && separated)
            || NANP.is_match(candidate))
}

/// Every phone number in `text`: inside each run of phone characters, the
/// longest plausible span from each start (a `+`, a `(` or a digit after a
/// non-digit) to a digit before a non-digit.
fn phones(text: &str, out: &mut Vec<Finding>) {
    let mut ends = Vec::new();
    for (base, run_end) in phone_runs(text.as_bytes()) {
        let run = &text[base..run_end];
        let s = run.as_bytes();
        if s.len() < 8 {
            continue;
        }
        let is_start = |k: usize| {
            (s[k] == b'+' || s[k] == b'(' || s[k].is_ascii_digit())
                && (k == 0 || !s[k - 1].is_ascii_digit() && s[k - 1] != b'+')
        };
        let mut from = 0;
        'starts: while from < s.len() {
            if is_start(from) {
                // The ends a plausible number could have: after a digit that is
                // not followed by one, with 8 to 15 digits, within the length.
                ends.clear();
                let mut digits = 0;
                for k in from..s.len().min(from + MAX_PHONE_BYTES) {
                    if s[k].is_ascii_digit() {
                        digits += 1;
                        if digits > 15 {
                            break;
                        }
                        if digits >= 8 && s.get(k + 1).is_none_or(|b| !b.is_ascii_digit()) {
                            ends.push(k + 1);
                        }
                    }
                }
                for &to in ends.iter().rev() {
                    if phone_is_plausible(&run[from..to]) {
                        out.push(Finding {
                            kind: Kind::Phone,
                            start: base + from,
                            end: base + to,
                        });
                        from = to;
                        continue 'starts;
                    }
                }
            }
            from += 1;
        }
    }
}

/// The runs of characters phone numbers can be made of, however long
/// (several numbers may stand in one): an optional `+` or `(`, a digit, then
/// digits, spaces and `()./-`, up to the last digit. A byte loop: the
/// equivalent regex spent most of the detectors' time on the many short
/// numbers of a text.
fn phone_runs(b: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let is_phone_char =
        |c: u8| c.is_ascii_digit() || matches!(c, b' ' | b'(' | b')' | b'.' | b'/' | b'-');
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            let start = i;
            let first_digit = if b[i] == b'+' || b[i] == b'(' {
                i + 1
            } else {
                i
            };
            if !b.get(first_digit).is_some_and(u8::is_ascii_digit) {
                i += 1;
                continue;
            }
            let mut end = first_digit + 1;
            let mut k = end;
            while k < b.len() && is_phone_char(b[k]) {
                if b[k].is_ascii_digit() {
                    end = k + 1;
                }
                k += 1;
            }
            i = end;
            return Some((start, end));
        }
        None
    })
}

/// Not part of a longer number or word (`1.2.3.4.5` is a version, not an
/// IP; `1234.5.6.7` is not `234.5.6.7`).
fn standalone(text: &str, m: &regex::Match<'_>) -> bool {
    let before = text[..m.start()].chars().next_back();
    let mut after = text[m.end()..].chars();
    let next = after.next();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let dotted_after = next == Some('.') && after.next().is_some_and(|c| c.is_ascii_digit());
    before != Some('.') && !word(before) && !word(next) && !dotted_after
}

/// Finds personal data in `text`; overlapping findings keep the first by
/// priority (e-mail, IBAN, card, IP, phone), then the longest.
pub fn find(text: &str) -> Vec<Finding> {
    let mut all = Vec::new();
    for m in EMAIL.find_iter(text) {
        all.push(Finding {
            kind: Kind::Email,
            start: m.start(),
            end: m.end(),
        });
    }
    ibans(text, &mut all);
    cards(text, &mut all);
    for m in IPV4
        .find_iter(text)
        .filter(|m| standalone(text, m) && m.as_str().parse::<Ipv4Addr>().is_ok())
    {
        all.push(Finding {
            kind: Kind::Ip,
            start: m.start(),
            end: m.end(),
        });
    }
    for m in IPV6.find_iter(text) {
        let s = m.as_str();
        if s.matches(':').count() >= 2
            && s.chars().any(|c| c.is_ascii_hexdigit())
            && s.parse::<Ipv6Addr>().is_ok()
        {
            all.push(Finding {
                kind: Kind::Ip,
                start: m.start(),
                end: m.end(),
            });
        }
    }
    phones(text, &mut all);
    resolve_overlaps(all, |f| f.kind)
}

/// Sorts findings and drops overlapping ones: of two that overlap, the one
/// with the smaller `priority` wins, then the longer.
pub(crate) fn resolve_overlaps<T: Copy + Span, P: Ord>(
    mut all: Vec<T>,
    priority: impl Fn(&T) -> P,
) -> Vec<T> {
    all.sort_by(|a, b| {
        (a.start(), priority(a), usize::MAX - a.end()).cmp(&(
            b.start(),
            priority(b),
            usize::MAX - b.end(),
        ))
    });
    let mut kept: Vec<T> = Vec::with_capacity(all.len());
    for f in all {
        match kept.last_mut() {
            Some(last) if f.start() < last.end() => {
                let (pf, pl) = (priority(&f), priority(last));
                if pf < pl || (pf == pl && f.end() > last.end()) {
                    *last = f;
                }
            }
            _ => kept.push(f),
        }
    }
    kept
}

/// A byte range of a text.
pub(crate) trait Span {
    /// Start byte.
    fn start(&self) -> usize;
    /// End byte (exclusive).
    fn end(&self) -> usize;
}

impl Span for Finding {
    fn start(&self) -> usize {
        self.start
    }
    fn end(&self) -> usize {
        self.end
    }
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
            // Either case (item 1 of issue 12).
            "de89370400440532013000",
            "gb29 nwbk 6016 1331 9268 19",
        ] {
            assert!(iban_is_valid(valid), "{valid}");
        }
        for invalid in [
            "DE89370400440532013001",
            "GB29NWBK60161331926818",
            "XX00",
            "DE8937040044053201300",
            // mod-97 valid, but not Germany's 22 characters.
            "DE0737040044053201300",
            // mod-97 valid, but letters where Germany has digits.
            "DE17AAAA0044053201300000",
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

    #[test]
    fn ip_addresses_stand_alone() {
        assert_eq!(
            kinds("ip=10.0.0.1, via [2001:db8::1]"),
            [(Kind::Ip, "10.0.0.1"), (Kind::Ip, "2001:db8::1")]
        );
        for text in [
            "1234.5.6.7",
            "1.2.3.4567",
            "v1.2.3.4.5",
            "x10.0.0.1",
            "10.0.0.1x",
        ] {
            assert!(
                kinds(text).iter().all(|(k, _)| *k != Kind::Ip),
                "{text}: {:?}",
                kinds(text)
            );
        }
    }

    /// Inputs made to maximize candidates stay linear: long runs of card
    /// groups (every window Luhn-checked, equal readings merged), of phone
    /// characters, and of IBAN starts.
    #[test]
    fn pathological_runs_stay_linear() {
        for (unit, n) in [
            ("4111 ", 40_000),
            ("1234 5678 ", 20_000),
            ("0 ( ", 50_000),
            ("0049 30 ", 25_000),
            ("GB29 ", 40_000),
            ("de89", 50_000),
        ] {
            let text = unit.repeat(n);
            let started = std::time::Instant::now();
            let found = find(&text);
            let took = started.elapsed();
            assert!(
                took < std::time::Duration::from_secs(5),
                "{unit:?} x {n}: {took:?} for {} findings",
                found.len()
            );
            for pair in found.windows(2) {
                assert!(
                    pair[0].end <= pair[1].start,
                    "{unit:?}: overlapping findings"
                );
            }
        }
    }

    /// The cases of issue 12, item 1: a neighbour made the greedy match fail
    /// its checksum. The generated tests (tests/detectors.rs) cover the class.
    #[test]
    fn neighbours_do_not_hide_a_valid_number() {
        for (text, kind, number) in [
            (
                "IBAN GB29 NWBK 6016 1331 9268 19 BIC NWBKGB2L",
                Kind::Iban,
                "GB29 NWBK 6016 1331 9268 19",
            ),
            (
                "DE89370400440532013000 EUR 500",
                Kind::Iban,
                "DE89370400440532013000",
            ),
            (
                "Card 4111 1111 1111 1111 01/28",
                Kind::Card,
                "4111 1111 1111 1111",
            ),
            (
                "Qty 2 4242 4242 4242 4242",
                Kind::Card,
                "4242 4242 4242 4242",
            ),
            ("Ref 12 0049 30 901820 ext", Kind::Phone, "0049 30 901820"),
            ("_jane@example.com2026", Kind::Email, "jane@example.com"),
            ("+1 0659-67-907", Kind::Phone, "+1 0659-67-907"),
        ] {
            assert_eq!(kinds(text), [(kind, number)], "{text}");
        }
    }
}
