//! Normalization of vendor names and tax ids, so that the spellings of one
//! vendor compare equal: case, punctuation, diacritics, German
//! transliteration (Müller = Mueller), legal forms (Inc, GmbH, S.A., B.V.)
//! and look-alike letters from other scripts.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A normalized name: the key compared for exact matches, and its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    /// Lower-case ASCII words without the legal form, space-separated.
    pub key: String,
    /// Whether the original mixes Latin letters with Cyrillic or Greek
    /// look-alikes (`Аcme` with a Cyrillic А): a classic invoice fraud.
    pub mixed_script: bool,
}

impl NameKey {
    /// The words of the key.
    pub fn tokens(&self) -> impl Iterator<Item = &str> {
        self.key.split(' ').filter(|t| !t.is_empty())
    }

    /// Keys for fuzzy candidate search: every word of three letters or more,
    /// and the first four letters of each (to survive a typo later on).
    pub fn blocking_tokens(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in self.tokens().filter(|t| t.len() >= 3) {
            out.push(t.to_owned());
            if t.len() > 4 {
                out.push(format!("{}~", &t[..4]));
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Normalizes a vendor name. `legal_suffixes` are dropped from the end.
pub fn name_key(name: &str, legal_suffixes: &HashSet<String>) -> NameKey {
    let mixed_script = is_mixed_script(name);
    let mut folded = String::with_capacity(name.len());
    for c in name.chars() {
        let c = if mixed_script { skeleton(c) } else { c };
        match c {
            'ß' => folded.push_str("ss"),
            'æ' | 'Æ' => folded.push_str("ae"),
            'œ' | 'Œ' => folded.push_str("oe"),
            'ø' | 'Ø' => folded.push('o'),
            'ł' | 'Ł' => folded.push('l'),
            'đ' | 'Đ' => folded.push('d'),
            'þ' | 'Þ' => folded.push_str("th"),
            'ı' => folded.push('i'),
            // `&` joins (GmbH & Co. KG); apostrophes and dots glue (d'Équipement, S.A.).
            '\'' | '’' | '.' => {}
            other => folded.push(other),
        }
    }
    let ascii: String = folded
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    let mut tokens: Vec<String> = ascii
        .split_whitespace()
        .map(|t| transliterate(&t.to_lowercase()))
        .collect();
    while tokens.len() > 1 && tokens.last().is_some_and(|t| legal_suffixes.contains(t)) {
        tokens.pop();
    }
    NameKey {
        key: tokens.join(" "),
        mixed_script,
    }
}

/// German transliteration folded the other way: `ue`, `oe`, `ae` → `u`,
/// `o`, `a`, so Mueller and Müller (→ muller) meet.
fn transliterate(token: &str) -> String {
    token
        .replace("ue", "u")
        .replace("oe", "o")
        .replace("ae", "a")
}

/// Normalizes a tax/VAT id: upper-case letters and digits only.
pub fn tax_key(tax_id: &str) -> String {
    tax_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The tax keys a master record is found under: the id, and without its
/// two-letter country prefix (invoices often omit it).
pub fn tax_keys(tax_id: &str) -> Vec<String> {
    let key = tax_key(tax_id);
    let mut keys = vec![key.clone()];
    let bytes = key.as_bytes();
    if bytes.len() > 4
        && bytes[0].is_ascii_alphabetic()
        && bytes[1].is_ascii_alphabetic()
        && bytes[2].is_ascii_digit()
    {
        keys.push(key[2..].to_owned());
    }
    keys
}

fn script(c: char) -> Option<u8> {
    match c {
        'a'..='z' | 'A'..='Z' => Some(0),
        '\u{0370}'..='\u{03FF}' => Some(1),
        '\u{0400}'..='\u{04FF}' => Some(2),
        _ => None,
    }
}

fn is_mixed_script(name: &str) -> bool {
    let mut seen = [false; 3];
    for c in name.chars() {
        if let Some(s) = script(c) {
            seen[usize::from(s)] = true;
        }
    }
    seen[0] && (seen[1] || seen[2])
}

/// The Latin letter a Cyrillic or Greek look-alike stands for.
fn skeleton(c: char) -> char {
    match c {
        'а' | 'α' => 'a',
        'А' | 'Α' => 'A',
        'в' | 'β' => 'b',
        'В' | 'Β' => 'B',
        'с' | 'ϲ' => 'c',
        'С' => 'C',
        'е' | 'ε' => 'e',
        'Е' | 'Ε' => 'E',
        'Н' | 'Η' => 'H',
        'н' => 'h',
        'і' | 'ι' => 'i',
        'І' | 'Ι' => 'I',
        'ј' => 'j',
        'Ј' => 'J',
        'к' | 'κ' => 'k',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'м' => 'm',
        'Ν' => 'N',
        'ν' => 'v',
        'о' | 'ο' => 'o',
        'О' | 'Ο' => 'O',
        'р' | 'ρ' => 'p',
        'Р' | 'Ρ' => 'P',
        'ѕ' => 's',
        'Ѕ' => 'S',
        'т' | 'τ' => 't',
        'Т' | 'Τ' => 'T',
        'у' | 'υ' => 'y',
        'У' | 'Υ' => 'Y',
        'х' | 'χ' => 'x',
        'Х' | 'Χ' => 'X',
        'Ζ' => 'Z',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    fn key(name: &str) -> String {
        name_key(name, &Rules::embedded().unwrap().legal_suffixes).key
    }

    #[test]
    fn legal_forms_case_and_punctuation() {
        assert_eq!(key("ACME Corp."), "acme");
        assert_eq!(key("Acme Corporation"), "acme");
        assert_eq!(key("ACME, Inc."), "acme");
        assert_eq!(key("ACME Holdings Inc."), "acme holdings");
        assert_eq!(key("Nordhavn Logistics AB"), "nordhavn logistics");
        assert_eq!(key("Kestrel Metals GmbH & Co. KG"), "kestrel metals");
        assert_eq!(key("Zephyr Plastics Sp. z o.o."), "zephyr plastics");
        assert_eq!(
            key("Sakura Office Supplies Co., Ltd."),
            "sakura office supplies"
        );
        assert_eq!(key("Quarry Textiles S.A."), "quarry textiles");
        assert_eq!(key("Amberline Freight B.V."), "amberline freight");
        assert_eq!(key("Inc"), "inc", "a name is never emptied");
    }

    #[test]
    fn diacritics_and_transliteration() {
        assert_eq!(key("Müller GmbH"), "muller");
        assert_eq!(key("Mueller GmbH"), "muller");
        assert_eq!(key("MÜLLER gmbh"), "muller");
        assert_eq!(
            key("Société Générale d'Équipement S.A."),
            "societe generale dequipement"
        );
        assert_eq!(key("Straße Bau AG"), "strasse bau");
        assert_eq!(key("Łódź Metals Sp. z o.o."), "lodz metals");
    }

    #[test]
    fn look_alikes_are_folded_and_flagged() {
        let rules = Rules::embedded().unwrap();
        let fake = name_key("АCМE Corporation", &rules.legal_suffixes); // Cyrillic А and М
        assert_eq!(fake.key, "acme");
        assert!(fake.mixed_script);
        assert!(!name_key("ACME Corporation", &rules.legal_suffixes).mixed_script);
        assert!(
            !name_key("Газпром", &rules.legal_suffixes).mixed_script,
            "one script is fine"
        );
    }

    #[test]
    fn tax_ids() {
        assert_eq!(tax_key("DE 123.456-789"), "DE123456789");
        assert_eq!(tax_keys("DE123456789"), ["DE123456789", "123456789"]);
        assert_eq!(tax_keys("05-7830862"), ["057830862"]);
        assert_eq!(tax_keys("CHE-123.456.789"), ["CHE123456789"]);
    }
}
