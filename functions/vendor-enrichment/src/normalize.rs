//! Normalization of vendor names and tax ids, so that the spellings of one
//! vendor compare equal: case, punctuation, diacritics, German umlauts
//! (Müller = Mueller), abbreviations (Intl = International), legal forms
//! (Inc, GmbH, S.A., B.V.) and look-alike letters from other scripts; and the
//! classes of the words of a name, which the matcher weighs differently.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::rules::Rules;

/// A normalized name: the key compared for exact matches, and its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    /// Lower-case words without the legal form, space-separated (ASCII
    /// for Latin names; other scripts are kept as they are, lower-cased).
    pub key: String,
    /// Whether the original mixes Latin letters with Cyrillic or Greek
    /// look-alikes (`Аcme` with a Cyrillic А): a classic invoice fraud.
    pub mixed_script: bool,
}

/// What a word of a name says about the vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenClass {
    /// A word that tells vendors apart (`tidewater`): it must agree.
    Distinctive,
    /// An industry word (`logistics`): weighs less, must still agree.
    Industry,
    /// A country or region word (`nigeria`): weighs little, must still agree.
    Country,
    /// A word a name may carry or leave out (`and`, `services`, a legal form inside the name).
    Filler,
}

/// The class of a normalized word.
pub fn token_class(token: &str, rules: &Rules) -> TokenClass {
    if rules.filler_words.contains(token) || rules.legal_suffixes.contains(token) {
        TokenClass::Filler
    } else if rules.industry_words.contains(token) {
        TokenClass::Industry
    } else if rules.country_words.contains(token) {
        TokenClass::Country
    } else {
        TokenClass::Distinctive
    }
}

/// The most words of one name used to find candidates: real names have a
/// handful, and a long string of words must not become hundreds of lookups.
pub const MAX_BLOCKING_WORDS: usize = 12;

/// A key a name is indexed under for candidate search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockingKey {
    /// The key: a word, `abcd~` (its first four letters) or `~wxyz` (its last four).
    pub key: String,
    /// The class of the word it comes from.
    pub class: TokenClass,
    /// Whether the key is the whole word (not a prefix or suffix).
    pub whole_word: bool,
}

impl NameKey {
    /// The words of the key.
    pub fn tokens(&self) -> impl Iterator<Item = &str> {
        self.key.split(' ').filter(|t| !t.is_empty())
    }

    /// Keys for candidate search: every word that is not filler (the first
    /// `MAX_BLOCKING_WORDS`), and for words of five letters or more their
    /// first and last four letters, so that a typo at either end still finds
    /// the vendor.
    pub fn blocking_keys(&self, rules: &Rules) -> Vec<BlockingKey> {
        let mut out = Vec::new();
        let words = self
            .tokens()
            .map(|t| (t, token_class(t, rules)))
            .filter(|(_, class)| *class != TokenClass::Filler)
            .take(MAX_BLOCKING_WORDS);
        for (t, class) in words {
            out.push(BlockingKey {
                key: t.to_owned(),
                class,
                whole_word: true,
            });
            let chars: Vec<char> = t.chars().collect();
            if chars.len() > 4 {
                let head: String = chars[..4].iter().collect();
                let tail: String = chars[chars.len() - 4..].iter().collect();
                for key in [format!("{head}~"), format!("~{tail}")] {
                    out.push(BlockingKey {
                        key,
                        class,
                        whole_word: false,
                    });
                }
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out.dedup_by(|a, b| a.key == b.key);
        out
    }
}

/// Normalizes a vendor name: the same function for the master and for the
/// invoice, so every fold is applied identically on both sides.
pub fn name_key(name: &str, rules: &Rules) -> NameKey {
    let mixed_script = is_mixed_script(name);
    let mut folded = String::with_capacity(name.len());
    // Composed first, so that `u` + combining diaeresis is seen as `ü`.
    for c in name.nfc() {
        let c = if mixed_script { skeleton(c) } else { c };
        match c {
            // German umlauts are transliterated, not stripped: Müller = Mueller.
            // Only these letters are folded so; an `ae` or `ue` written as such stays.
            'ä' | 'Ä' => folded.push_str("ae"),
            'ö' | 'Ö' => folded.push_str("oe"),
            'ü' | 'Ü' => folded.push_str("ue"),
            'ß' | 'ẞ' => folded.push_str("ss"),
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
    // Letters of other scripts (Газпром, 株式会社) are kept, lower-cased.
    let plain: String = folded
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(|c| {
            let keep = if c.is_alphanumeric() { c } else { ' ' };
            keep.to_lowercase()
        })
        .collect();
    let mut tokens: Vec<&str> = Vec::new();
    for t in plain.split_whitespace() {
        match rules.abbreviations.get(t) {
            Some(long) => tokens.extend(long.split(' ')),
            None => tokens.push(t),
        }
    }
    while tokens.len() > 1
        && tokens
            .last()
            .is_some_and(|t| rules.legal_suffixes.contains(*t))
    {
        tokens.pop();
    }
    NameKey {
        key: tokens.join(" "),
        mixed_script,
    }
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

    fn key(name: &str) -> String {
        name_key(name, &Rules::embedded().unwrap()).key
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
    fn country_words_are_not_legal_forms() {
        assert_eq!(
            key("Lagos Freight Nigeria Limited"),
            "lagos freight nigeria"
        );
        assert_ne!(key("Lagos Freight Nigeria"), key("Lagos Freight"));
        assert_ne!(key("ACME Deutschland GmbH"), key("ACME GmbH"));
    }

    #[test]
    fn diacritics_and_transliteration() {
        assert_eq!(key("Müller GmbH"), "mueller");
        assert_eq!(key("Mueller GmbH"), "mueller");
        assert_eq!(key("MÜLLER gmbh"), "mueller");
        assert_eq!(key("Mu\u{0308}ller GmbH"), "mueller", "decomposed ü");
        assert_eq!(
            key("Société Générale d'Équipement S.A."),
            "societe generale dequipement"
        );
        assert_eq!(key("Straße Bau AG"), "strasse bau");
        assert_eq!(key("Łódź Metals Sp. z o.o."), "lodz metals");
        assert_eq!(key("Göteborg Hamnservice AB"), "goeteborg hamnservice");
    }

    #[test]
    fn only_umlauts_are_transliterated() {
        // The old fold turned every `ue`/`oe`/`ae` into `u`/`o`/`a`.
        assert_eq!(key("Gael Joey Cruet Ltd"), "gael joey cruet");
        assert_eq!(key("Poe Aerospace Queue Inc"), "poe aerospace queue");
        assert_ne!(key("Glue Freight"), key("Glu Freight"));
    }

    #[test]
    fn abbreviations_are_written_out_on_both_sides() {
        assert_eq!(
            key("Kestrel Intl. Svcs Ltd"),
            "kestrel international services"
        );
        assert_eq!(
            key("Kestrel Intl. Svcs Ltd"),
            key("Kestrel International Services Limited")
        );
        assert_eq!(
            key("Zenith Ind. Equip. GmbH"),
            "zenith industrial equipment"
        );
    }

    #[test]
    fn word_classes() {
        let rules = Rules::embedded().unwrap();
        assert_eq!(token_class("tidewater", &rules), TokenClass::Distinctive);
        assert_eq!(token_class("plastics", &rules), TokenClass::Industry);
        assert_eq!(token_class("nigeria", &rules), TokenClass::Country);
        assert_eq!(token_class("services", &rules), TokenClass::Filler);
        assert_eq!(token_class("gmbh", &rules), TokenClass::Filler);
        let keys: Vec<String> = name_key("Greystone Services and Logistics", &rules)
            .blocking_keys(&rules)
            .into_iter()
            .map(|k| k.key)
            .collect();
        assert_eq!(
            keys,
            ["greystone", "grey~", "logistics", "logi~", "~tics", "~tone"]
        );
    }

    #[test]
    fn look_alikes_are_folded_and_flagged() {
        let rules = Rules::embedded().unwrap();
        let fake = name_key("АCМE Corporation", &rules); // Cyrillic А and М
        assert_eq!(fake.key, "acme");
        assert!(fake.mixed_script);
        assert!(!name_key("ACME Corporation", &rules).mixed_script);
        assert!(
            !name_key("Газпром", &rules).mixed_script,
            "one script is fine"
        );
        assert_eq!(name_key("Газпром", &rules).key, "газпром");
        // Keys of words in multi-byte scripts are cut at characters, not bytes.
        let cjk = name_key("株式会社東京物流", &rules);
        assert_eq!(cjk.key, "株式会社東京物流");
        assert_eq!(cjk.blocking_keys(&rules).len(), 3);
        let long = name_key(&"Wordy Names ".repeat(50), &rules);
        assert!(long.blocking_keys(&rules).len() <= 3 * MAX_BLOCKING_WORDS);
    }

    #[test]
    fn tax_ids() {
        assert_eq!(tax_key("DE 123.456-789"), "DE123456789");
        assert_eq!(tax_keys("DE123456789"), ["DE123456789", "123456789"]);
        assert_eq!(tax_keys("05-7830862"), ["057830862"]);
        assert_eq!(tax_keys("CHE-123.456.789"), ["CHE123456789"]);
    }
}
