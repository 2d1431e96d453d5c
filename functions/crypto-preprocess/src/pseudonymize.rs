//! Pseudonymization: personal data replaced by deterministic typed tokens
//! (`<EMAIL_1f3a9c2b>`: keyed HMAC, so the same value under the same key
//! gives the same token and a model can still tell "the same person"), and
//! the token vault, envelope-encrypted, to travel through the workflow.
//! Re-identification puts the originals back and reports tokens it cannot
//! resolve rather than guessing.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use actionkit::ActionError;
use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::aead;
use crate::detect::{Kind, Span, find, resolve_overlaps};
use crate::digest::hex;
use crate::error::{decrypt_failed, invalid};
use crate::keys::{Context, KeyProvider, WrappedKey, canonical_context};
use crate::paths::FieldPath;

/// Labels chosen for explicitly listed JSON fields: upper-case letters.
const MAX_LABEL_CHARS: usize = 16;

/// Tokens exactly as this module writes them.
static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<([A-Z]{2,16})_([0-9a-f]{8,24})>").unwrap_or_else(|_| unreachable!("valid regex"))
});
/// Anything a model may have made of a token: brackets lost, case changed,
/// digits dropped.
static LOOSE_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<?\b([a-z]{2,16})_([0-9a-f]{4,30})\b>?")
        .unwrap_or_else(|_| unreachable!("valid regex"))
});

/// Replaces personal data with tokens and remembers the originals.
pub struct Tokenizer {
    key: hmac::Key,
    vault: HashMap<String, String>,
    counts: BTreeMap<String, usize>,
}

impl Tokenizer {
    /// A tokenizer keyed with the token key.
    pub fn new(token_key: &[u8]) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, token_key),
            vault: HashMap::new(),
            counts: BTreeMap::new(),
        }
    }

    /// The token of `value` as `label`. Eight hex digits, longer only if two
    /// values of one document would collide.
    pub fn token(&mut self, label: &str, value: &str) -> String {
        self.count(label);
        self.mint(label, value)
    }

    /// [`Tokenizer::token`] without counting it (a token that may never be used).
    fn mint(&mut self, label: &str, value: &str) -> String {
        // Hot path (one call per finding): no intermediate allocations.
        let mut context = hmac::Context::with_key(&self.key);
        context.update(label.as_bytes());
        context.update(&[0]);
        context.update(value.as_bytes());
        let tag = context.sign();
        for bytes in [4, 6, 8, 12] {
            let mut token = String::with_capacity(label.len() + 3 + bytes * 2);
            token.push('<');
            token.push_str(label);
            token.push('_');
            token.push_str(&hex(&tag.as_ref()[..bytes]));
            token.push('>');
            match self.vault.get(&token) {
                None => {
                    self.vault.insert(token.clone(), value.to_owned());
                    return token;
                }
                Some(existing) if existing == value => return token,
                Some(_) => continue,
            }
        }
        unreachable!("a 96-bit HMAC prefix collision within one document")
    }

    /// Tokenizes the personal data found in free text.
    pub fn text(&mut self, text: &str) -> String {
        self.text_with(text, &Listed::default(), true)
    }

    /// Tokenizes free text: the occurrences of listed values (which outrank
    /// the detectors) and the detectors' findings. With `canonical`, an
    /// occurrence that differs from a listed value only in case gets that
    /// value's token; without, its own.
    fn text_with(&mut self, text: &str, listed: &Listed, canonical: bool) -> String {
        let mut hits: Vec<Hit> = find(text)
            .into_iter()
            .map(|f| Hit {
                start: f.start,
                end: f.end,
                what: What::Detected(f.kind),
            })
            .collect();
        listed.occurrences(text, &mut hits);
        if hits.is_empty() {
            return text.to_owned();
        }
        let hits = resolve_overlaps(hits, |h| match h.what {
            What::Listed(_) | What::Variant(_) => None,
            What::Detected(kind) => Some(kind),
        });
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for h in hits {
            out.push_str(&text[at..h.start]);
            let found = &text[h.start..h.end];
            match h.what {
                What::Detected(kind) => out.push_str(&self.token(kind.label(), found)),
                What::Variant(i) => {
                    let label = listed.entries[i].label.clone();
                    out.push_str(&self.token(&label, found));
                }
                What::Listed(i) => {
                    let entry = &listed.entries[i];
                    if entry.value == found || canonical {
                        out.push_str(&entry.token);
                        self.count(&entry.label);
                    } else {
                        out.push_str(&self.token(&entry.label, found));
                    }
                }
            }
            at = h.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// Tokenizes a JSON document: listed fields wholesale under their label
    /// (names, addresses); then every string and every object key by the
    /// detectors, where each other occurrence of a listed value (whole
    /// words, any case) also becomes that value's token.
    pub fn json(
        &mut self,
        doc: &mut Value,
        fields: &[(FieldPath, String)],
    ) -> Result<(), ActionError> {
        let mut listed = Listed::default();
        for (path, label) in fields {
            path.visit_mut(doc, &mut |_, value| {
                let text = match &*value {
                    Value::String(s) => s.clone(),
                    Value::Null => return Ok(()),
                    other => other.to_string(),
                };
                let token = self.token(label, &text);
                match &*value {
                    Value::String(_) | Value::Number(_) => listed.add(text, label, &token),
                    // The strings of a listed record (a whole `customer`) are
                    // as personal as the record: each is searched for under
                    // its own token, counted only where it occurs.
                    Value::Object(_) | Value::Array(_) => {
                        let mut leaves = Vec::new();
                        string_leaves(value, &mut leaves);
                        for leaf in leaves {
                            let leaf_token = self.mint(label, &leaf);
                            listed.add(leaf, label, &leaf_token);
                        }
                    }
                    // `true` is nobody's name.
                    _ => {}
                }
                *value = Value::String(token);
                Ok(())
            })?;
        }
        listed.compile()?;
        self.strings(doc, &listed)
    }

    fn strings(&mut self, value: &mut Value, listed: &Listed) -> Result<(), ActionError> {
        match value {
            Value::String(s) if !is_whole_token(s) => *s = self.text_with(s, listed, true),
            Value::Array(items) => {
                for item in items {
                    self.strings(item, listed)?;
                }
            }
            Value::Object(map) => {
                // Keys are personal data as often as values (`{"jane@example.com": …}`).
                let old = std::mem::take(map);
                for (key, mut item) in old {
                    self.strings(&mut item, listed)?;
                    let mut new_key = if is_whole_token(&key) {
                        key.clone()
                    } else {
                        self.text_with(&key, listed, true)
                    };
                    if map.contains_key(&new_key) {
                        // Two keys differing in case only: each keeps its own token.
                        new_key = self.text_with(&key, listed, false);
                    }
                    if map.contains_key(&new_key) {
                        return Err(invalid(
                            "Two keys of one object would become the same token; \
                             the document cannot be pseudonymized without losing one of them.",
                        ));
                    }
                    map.insert(new_key, item);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn count(&mut self, label: &str) {
        match self.counts.get_mut(label) {
            Some(count) => *count += 1,
            None => {
                self.counts.insert(label.to_owned(), 1);
            }
        }
    }

    /// Counts per label.
    pub fn counts(&self) -> &BTreeMap<String, usize> {
        &self.counts
    }

    /// The vault: token → original.
    pub fn into_vault(self) -> BTreeMap<String, String> {
        self.vault.into_iter().collect()
    }
}

/// Every string value inside `value`.
fn string_leaves(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| string_leaves(v, out)),
        Value::Object(map) => map.values().for_each(|v| string_leaves(v, out)),
        _ => {}
    }
}

/// A string that is exactly one token (a listed field already replaced).
fn is_whole_token(s: &str) -> bool {
    TOKEN
        .find(s)
        .is_some_and(|m| m.start() == 0 && m.end() == s.len())
}

/// What a hit in a string is.
#[derive(Debug, Clone, Copy)]
enum What {
    /// An occurrence of the listed value with this index.
    Listed(usize),
    /// A case variant of a listed value that maps to none: its own token
    /// under the label of the entry with this index.
    Variant(usize),
    /// A detector's finding.
    Detected(Kind),
}

/// A byte range of a string to replace by a token.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    what: What,
}

impl Span for Hit {
    fn start(&self) -> usize {
        self.start
    }
    fn end(&self) -> usize {
        self.end
    }
}

/// The values of the listed fields, with their tokens, and a matcher of
/// their occurrences elsewhere in the document.
#[derive(Default)]
struct Listed {
    entries: Vec<ListedValue>,
    /// Case-folded value → the first entry with it (its token is the one
    /// every case variant gets).
    folded: HashMap<String, usize>,
    exact: HashMap<String, usize>,
    matcher: Option<Regex>,
}

struct ListedValue {
    value: String,
    label: String,
    token: String,
}

/// Values shorter than this are not searched for elsewhere: a one-letter
/// initial would turn every such word of the document into a token.
const MIN_PROPAGATED_CHARS: usize = 2;

impl Listed {
    fn add(&mut self, value: String, label: &str, token: &str) {
        if value.chars().count() < MIN_PROPAGATED_CHARS
            || value.trim().is_empty()
            || self.exact.contains_key(&value)
        {
            return;
        }
        let i = self.entries.len();
        self.exact.insert(value.clone(), i);
        self.folded.entry(fold(&value)).or_insert(i);
        self.entries.push(ListedValue {
            value,
            label: label.to_owned(),
            token: token.to_owned(),
        });
    }

    /// Builds the matcher: one case-insensitive alternation of the distinct
    /// values, longest first so that "Jane Doe" wins over "Jane".
    fn compile(&mut self) -> Result<(), ActionError> {
        if self.folded.is_empty() {
            return Ok(());
        }
        let mut distinct: Vec<&str> = self
            .folded
            .values()
            .map(|&i| self.entries[i].value.as_str())
            .collect();
        distinct.sort_by_key(|v| (usize::MAX - v.len(), *v));
        let pattern = format!(
            "(?i:{})",
            distinct
                .iter()
                .map(|v| regex::escape(v))
                .collect::<Vec<_>>()
                .join("|")
        );
        let matcher = RegexBuilder::new(&pattern)
            .size_limit(64 << 20)
            .dfa_size_limit(64 << 20)
            .build()
            .map_err(|_| {
                invalid(
                    "The listed fields hold too many distinct values to search the document for; list fewer fields.",
                )
            })?;
        self.matcher = Some(matcher);
        Ok(())
    }

    /// The whole-word occurrences of listed values in `text`.
    fn occurrences(&self, text: &str, hits: &mut Vec<Hit>) {
        let Some(matcher) = &self.matcher else {
            return;
        };
        let mut at = 0;
        while let Some(m) = matcher.find_at(text, at) {
            let found = m.as_str();
            if word_bounded(text, m.start(), m.end()) {
                let what = match self
                    .exact
                    .get(found)
                    .or_else(|| self.folded.get(&fold(found)))
                {
                    Some(&i) => What::Listed(i),
                    // The regex's case folding is not `to_lowercase` (ſ, ς): find
                    // the value char by char, and if even that fails, hide the
                    // text under its own token rather than leave it in clear.
                    None => match self
                        .entries
                        .iter()
                        .position(|e| caseless_eq(&e.value, found))
                    {
                        Some(i) => What::Listed(i),
                        None => What::Variant(0),
                    },
                };
                hits.push(Hit {
                    start: m.start(),
                    end: m.end(),
                    what,
                });
                at = m.end();
            } else {
                // Inside a longer word: look again one character further.
                at = m.start() + found.chars().next().map_or(1, char::len_utf8);
            }
            if at >= text.len() {
                break;
            }
        }
    }
}

/// Equal but for case, character by character (the way the matcher's simple
/// case folding compares).
fn caseless_eq(a: &str, b: &str) -> bool {
    a.chars().count() == b.chars().count()
        && a.chars().zip(b.chars()).all(|(x, y)| {
            x == y || x.to_lowercase().eq(y.to_lowercase()) || x.to_uppercase().eq(y.to_uppercase())
        })
}

/// The case-insensitive identity of a listed value.
fn fold(value: &str) -> String {
    value.to_lowercase()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `text[start..end]` is not part of a longer word: a word character at an
/// edge of the match may not continue into a word character outside it.
fn word_bounded(text: &str, start: usize, end: usize) -> bool {
    let inner = &text[start..end];
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let first = inner.chars().next();
    let last = inner.chars().next_back();
    let joins = |outside: Option<char>, edge: Option<char>| {
        outside.is_some_and(is_word_char) && edge.is_some_and(is_word_char)
    };
    !joins(before, first) && !joins(after, last)
}

/// Checks `label` for a listed field: upper-case letters only.
pub fn check_label(label: &str) -> Result<(), ActionError> {
    if (2..=MAX_LABEL_CHARS).contains(&label.len()) && label.bytes().all(|b| b.is_ascii_uppercase())
    {
        Ok(())
    } else {
        Err(invalid(format!(
            "Field labels must be 2 to {MAX_LABEL_CHARS} upper-case letters, e.g. NAME or ADDRESS."
        )))
    }
}

/// The encrypted vault as it travels through the state machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SealedVault {
    /// Format version (1).
    pub v: u32,
    /// The data key, wrapped by KMS (or the local master key).
    pub key: WrappedKey,
    /// AES-GCM nonce (base64).
    pub nonce: String,
    /// The encrypted token map (base64, ciphertext and tag).
    pub ciphertext: String,
}

/// The context a vault is sealed under: the caller's plus the document id
/// and the purpose, so that a vault only opens for its own document.
pub fn vault_context(document_id: &str, extra: &Context) -> Context {
    let mut context = extra.clone();
    context.insert("document_id".into(), document_id.to_owned());
    context.insert("purpose".into(), "pseudonymization-vault".into());
    context
}

fn aad(context: &Context) -> Vec<u8> {
    [
        b"actionkit-vault-v1\0".as_slice(),
        canonical_context(context).as_bytes(),
    ]
    .concat()
}

/// Encrypts the vault with a fresh data key bound to `context`.
pub async fn seal_vault(
    keys: &KeyProvider,
    vault: &BTreeMap<String, String>,
    context: &Context,
) -> Result<SealedVault, ActionError> {
    let (data_key, wrapped) = keys.generate(context).await?;
    let plaintext = serde_json::to_vec(vault).map_err(|e| ActionError::internal(e.to_string()))?;
    let (nonce, ciphertext) = aead::seal(&data_key, &aad(context), &plaintext);
    Ok(SealedVault {
        v: 1,
        key: wrapped,
        nonce: B64.encode(nonce),
        ciphertext: B64.encode(ciphertext),
    })
}

/// Decrypts a vault; fails if the key, the context or the vault is wrong.
pub async fn open_vault(
    keys: &KeyProvider,
    sealed: &SealedVault,
    context: &Context,
) -> Result<BTreeMap<String, String>, ActionError> {
    if sealed.v != 1 {
        return Err(invalid("Unknown vault version."));
    }
    let nonce = B64
        .decode(&sealed.nonce)
        .map_err(|_| invalid("The vault's `nonce` is not valid base64."))?;
    let ciphertext = B64
        .decode(&sealed.ciphertext)
        .map_err(|_| invalid("The vault's `ciphertext` is not valid base64."))?;
    let data_key = keys.unwrap(&sealed.key, context).await?;
    let plain = aead::open(&data_key, &nonce, &aad(context), &ciphertext)
        .ok_or_else(|| decrypt_failed("The vault"))?;
    serde_json::from_slice(&plain).map_err(|_| decrypt_failed("The vault"))
}

/// What re-identification did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Reidentified {
    /// Tokens replaced by their original values.
    pub replaced: usize,
    /// Well-formed tokens that are not in the vault (invented by the model,
    /// or from another document): left as they are.
    pub unknown_tokens: Vec<String>,
    /// Token-like text the model altered (brackets, case, digits): left as is.
    pub mangled_tokens: Vec<String>,
}

/// Puts the originals back into `text`.
pub fn reidentify_text(
    text: &str,
    vault: &BTreeMap<String, String>,
    report: &mut Reidentified,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for m in TOKEN.find_iter(text) {
        out.push_str(&text[at..m.start()]);
        match vault.get(m.as_str()) {
            Some(original) => {
                out.push_str(original);
                report.replaced += 1;
            }
            None => {
                out.push_str(m.as_str());
                push_unique(&mut report.unknown_tokens, m.as_str());
            }
        }
        at = m.end();
    }
    out.push_str(&text[at..]);
    // What is left that looks like a token, once real tokens are taken out.
    let labels: Vec<&str> = vault
        .keys()
        .filter_map(|t| t.get(1..)?.split('_').next())
        .collect();
    let rest = TOKEN.replace_all(text, " ");
    for m in LOOSE_TOKEN.captures_iter(&rest) {
        let label = m.get(1).map_or("", |l| l.as_str());
        if labels.iter().any(|l| l.eq_ignore_ascii_case(label))
            || ["EMAIL", "PHONE", "IBAN", "CARD", "IP"]
                .iter()
                .any(|l| l.eq_ignore_ascii_case(label))
        {
            push_unique(
                &mut report.mangled_tokens,
                m.get(0).map_or("", |t| t.as_str()),
            );
        }
    }
    out
}

/// Puts the originals back into every string and every object key of a
/// JSON document. A restored key that another key of the object already
/// has (the model wrote both the token and the original) keeps its token.
pub fn reidentify_json(
    doc: &mut Value,
    vault: &BTreeMap<String, String>,
    report: &mut Reidentified,
) {
    match doc {
        Value::String(s) => *s = reidentify_text(s, vault, report),
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| reidentify_json(v, vault, report)),
        Value::Object(map) => {
            let old = std::mem::take(map);
            let keys: std::collections::HashSet<String> = old.keys().cloned().collect();
            for (key, mut item) in old {
                reidentify_json(&mut item, vault, report);
                let mut restored = reidentify_text(&key, vault, report);
                if restored != key && (keys.contains(&restored) || map.contains_key(&restored)) {
                    restored = key;
                }
                map.insert(restored, item);
            }
        }
        _ => {}
    }
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if list.len() < 100 && !list.iter().any(|t| t == item) {
        list.push(item.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tokens_are_deterministic_typed_and_keyed() {
        let mut a = Tokenizer::new(b"key-1");
        let t1 = a.token("EMAIL", "jane@example.com");
        assert!(
            TOKEN.is_match(&t1) && t1.starts_with("<EMAIL_") && t1.len() == "<EMAIL_>".len() + 8,
            "{t1}"
        );
        assert_eq!(a.token("EMAIL", "jane@example.com"), t1);
        assert_ne!(a.token("EMAIL", "john@example.com"), t1);
        assert_eq!(
            Tokenizer::new(b"key-1").token("EMAIL", "jane@example.com"),
            t1,
            "same key, same token"
        );
        assert_ne!(
            Tokenizer::new(b"key-2").token("EMAIL", "jane@example.com"),
            t1,
            "another key, another token"
        );
        assert_ne!(
            a.token("NAME", "jane@example.com"),
            t1,
            "the type is part of the token"
        );
    }

    #[test]
    fn text_round_trip_restores_the_exact_text() {
        let text = "Jane (jane@example.com, +49 30 901820) paid from DE89 3704 0044 0532 0130 00; \
                    again jane@example.com from 10.1.2.3. Card 4111-1111-1111-1111.";
        let mut t = Tokenizer::new(b"k");
        let redacted = t.text(text);
        for secret in [
            "jane@example.com",
            "+49 30 901820",
            "DE89 3704",
            "10.1.2.3",
            "4111-1111",
        ] {
            assert!(!redacted.contains(secret), "{secret} left in {redacted}");
        }
        assert_eq!(t.counts().get("EMAIL"), Some(&2));
        let vault = t.into_vault();
        assert_eq!(vault.len(), 5, "the repeated e-mail has one token");
        let mut report = Reidentified::default();
        assert_eq!(reidentify_text(&redacted, &vault, &mut report), text);
        assert_eq!(report.replaced, 6);
    }

    #[test]
    fn json_fields_and_free_text() {
        let mut doc = json!({"customer": {"name": "Jane Doe", "address": "1 Main St", "note": "call +44 20 7946 0958"},
                             "items": [{"amount": 12.5, "sku": "A-1"}]});
        let original = doc.clone();
        let mut t = Tokenizer::new(b"k");
        let fields = vec![
            (
                FieldPath::parse("customer.name").unwrap(),
                "NAME".to_owned(),
            ),
            (
                FieldPath::parse("customer.address").unwrap(),
                "ADDRESS".to_owned(),
            ),
        ];
        t.json(&mut doc, &fields).unwrap();
        assert!(
            doc["customer"]["name"]
                .as_str()
                .unwrap()
                .starts_with("<NAME_")
        );
        assert!(
            doc["customer"]["note"]
                .as_str()
                .unwrap()
                .starts_with("call <PHONE_")
        );
        assert_eq!(doc["items"], original["items"]);
        let vault = t.into_vault();
        let mut report = Reidentified::default();
        reidentify_json(&mut doc, &vault, &mut report);
        assert_eq!(doc, original);
    }

    #[test]
    fn listed_records_numbers_and_booleans() {
        let mut doc = json!({
            "customer": {"name": "Ada Lovelace", "city": "London", "vip": true},
            "id": 100234,
            "flag": true,
            "note": "Ada Lovelace of London, id 100234, true story",
        });
        let original = doc.clone();
        let fields = vec![
            (FieldPath::parse("customer").unwrap(), "PERSON".to_owned()),
            (FieldPath::parse("id").unwrap(), "ID".to_owned()),
            (FieldPath::parse("flag").unwrap(), "FLAG".to_owned()),
        ];
        let mut t = Tokenizer::new(b"k");
        t.json(&mut doc, &fields).unwrap();
        let note = doc["note"].as_str().unwrap();
        for secret in ["Ada", "London", "100234"] {
            assert!(!note.contains(secret), "{secret}: {note}");
        }
        assert!(
            note.ends_with(", true story"),
            "a listed boolean is not searched for: {note}"
        );
        assert_eq!(
            t.counts().get("PERSON"),
            Some(&3),
            "the record and its two strings in the note"
        );
        let vault = t.into_vault();
        let mut report = Reidentified::default();
        reidentify_json(&mut doc, &vault, &mut report);
        assert_eq!(doc["note"], original["note"]);
        assert_eq!(
            doc["customer"],
            json!(original["customer"].to_string()),
            "a listed record comes back as its JSON text"
        );
    }

    #[test]
    fn invented_and_mangled_tokens_are_reported_not_guessed() {
        let mut t = Tokenizer::new(b"k");
        let token = t.token("EMAIL", "jane@example.com");
        let vault = t.into_vault();
        let hexpart = &token[7..15];
        let model_output = format!(
            "Write to {token}. Also EMAIL_{hexpart} and <email_{hexpart}> and <EMAIL_{}> and <EMAIL_00000000>.",
            &hexpart[..6]
        );
        let mut report = Reidentified::default();
        let out = reidentify_text(&model_output, &vault, &mut report);
        assert!(out.starts_with("Write to jane@example.com."));
        assert_eq!(report.replaced, 1);
        assert_eq!(report.unknown_tokens, ["<EMAIL_00000000>"]);
        assert_eq!(
            report.mangled_tokens.len(),
            3,
            "{:?}",
            report.mangled_tokens
        );
        assert!(
            !out.contains("jane@example.com and"),
            "nothing guessed: {out}"
        );
    }
}
