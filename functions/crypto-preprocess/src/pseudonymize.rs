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
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::aead;
use crate::detect::find;
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
        // Hot path (one call per finding): no intermediate allocations.
        let mut context = hmac::Context::with_key(&self.key);
        context.update(label.as_bytes());
        context.update(&[0]);
        context.update(value.as_bytes());
        let tag = context.sign();
        match self.counts.get_mut(label) {
            Some(count) => *count += 1,
            None => {
                self.counts.insert(label.to_owned(), 1);
            }
        }
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
        let findings = find(text);
        if findings.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for f in findings {
            out.push_str(&text[at..f.start]);
            out.push_str(&self.token(f.kind.label(), &text[f.start..f.end]));
            at = f.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// Tokenizes a JSON document: listed fields wholesale under their label
    /// (names, addresses), every other string by the detectors.
    pub fn json(
        &mut self,
        doc: &mut Value,
        fields: &[(FieldPath, String)],
    ) -> Result<(), ActionError> {
        for (path, label) in fields {
            path.visit_mut(doc, &mut |_, value| {
                let text = match &*value {
                    Value::String(s) => s.clone(),
                    Value::Null => return Ok(()),
                    other => other.to_string(),
                };
                *value = Value::String(self.token(label, &text));
                Ok(())
            })?;
        }
        self.strings(doc);
        Ok(())
    }

    fn strings(&mut self, value: &mut Value) {
        match value {
            Value::String(s) => {
                // A listed field already holds exactly one token.
                let whole_token = TOKEN
                    .find(s)
                    .is_some_and(|m| m.start() == 0 && m.end() == s.len());
                if !whole_token {
                    *s = self.text(s);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.strings(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.strings(v)),
            _ => {}
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

/// Puts the originals back into every string of a JSON document.
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
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| reidentify_json(v, vault, report)),
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
